/* internal.h — what the files of the messaging module share. */
#ifndef CARNET_MODULE_MESSAGES_INTERNAL_H
#define CARNET_MODULE_MESSAGES_INTERNAL_H
#include "messages.h"
#include <stdbool.h>
#include <stdint.h>

/* SQL: is message m visible to person `who` at `now` (placeholders)? Its
 * recipients see it once sent and visible (a quiet period may put that
 * later); its author sees it at once, also while held or after a refusal
 * (with a badge), never a draft as a message. */
#define MSG_VISIBLE(who, now) \
    "((m.state = 'sent' AND (m.visible_at <= " now " OR m.author_id = " who ")) OR (m.author_id = " who " AND m.state IN ('held', 'rejected')))"

/* R-DISCO: when a message written at t in establishment est reaches its
 * recipients — t, or the end of the quiet period containing t. */
int64_t messages_release_at(struct req *r, int64_t est, int64_t t);
/* The same for a message from the actor to people `to`: at once when they
 * and the actor are all staff of est and est allows it (disco.staff_exempt,
 * off by default). */
int64_t messages_delivery_time(struct req *r, int64_t est, const int64_t *to, size_t n, int64_t t);
/* While writing in a quiet period: the reminder of the right to disconnect
 * with the exact delivery time (nothing otherwise). */
void messages_quiet_notice(struct req *r, int64_t est);

/* Is the actor in the thread? When not, replies 404 (no such thread) or
 * 403 and returns false. subject, kind and creator are filled when asked. */
bool messages_participant(struct req *r, int64_t thread, const char **subject);

/* R-SEC sending limits for the actor writing in establishment est (a new
 * thread to n people, or an answer): NULL when they may send, else what to
 * say; a pupil's or parent's refusal alerts school life. */
const char *messages_limit_reached(struct req *r, int64_t est, bool new_thread, size_t n);

/* The files of the form's "piece" field, checked; NULL when they may be
 * attached, else what is wrong. */
const char *messages_uploads(struct req *r, const struct upload *const **files, size_t *n);

struct stmt;
/* Column 0 of every row of st (then finished), in the request's arena. */
/* S-NOTIFY: tell to[0..n) about message msg of thread (a new thread, or an
 * answer), from visible (R-DISCO). Inside the caller's transaction. */
int messages_notify(struct req *r, const char *who, int64_t est, int64_t thread, int64_t msg, const int64_t *to, size_t n,
                    const char *subject, int64_t visible, bool answer);
/* "Prénom Nom" of the signed-in author, as notifications name them. */
const char *messages_author_name(struct req *r);
size_t messages_ids(struct req *r, struct stmt *st, int64_t **out);

/* The end of a writing form: the attachments field with its limits, the
 * send button (send_label) and "save draft"; closes the form. */
void messages_form_end(struct req *r, const char *send_label);

/* The actor's draft with this id (0 when it is not theirs or not a draft);
 * thread: the draft's thread. */
int64_t messages_draft_of(struct req *r, int64_t draft, int64_t *thread);

/* Inside a transaction: move the draft's attachments to message, then
 * delete the draft (and its thread when it held nothing else). */
int messages_draft_consume(struct req *r, int64_t draft, int64_t message);

/* Inside the write transaction of a draft save, before anything is written
 * (it locks the actor's drafts on PostgreSQL: one save at a time): may the
 * actor's draft `draft` (0: a new one, carrying the files of message
 * `carried` when not 0) take the uploads files[0..n)? The draft's files in
 * all (MESSAGE_ATTACHMENTS_MAX, _MAX_BYTES), the actor's drafts
 * (MESSAGE_DRAFTS_MAX, MESSAGE_DRAFTS_MAX_BYTES). NULL when it may, else
 * what to say, with the HTTP status in *status (413, 409; 503). */
const char *messages_draft_room(struct req *r, int64_t draft, int64_t carried,
                                const struct upload *const *files, size_t n, int *status);

/* Inside the transaction that gave message m its attachments (its own, its
 * draft's, a forwarded message's): NULL when they are within the limits of
 * a message, else what to say, with the HTTP status in *status (413; 503). */
const char *messages_files_over(struct req *r, int64_t m, int *status);

/* A message the actor may read (forward, answer its author): its thread,
 * or 0. */
int64_t messages_readable(struct req *r, int64_t message);

#endif
