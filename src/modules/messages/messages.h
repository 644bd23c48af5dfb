/* messages.h — messagerie (S-MESSAGES): threads between people of an
 * establishment, each participant's folder and read state, replies, unread
 * counts; who may start a thread with whom is the communication policy of
 * the policy module (policy_message_establishment). */
#ifndef CARNET_MODULE_MESSAGES_H
#define CARNET_MODULE_MESSAGES_H
#include "../../core/router.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct upload;

#define MESSAGE_BODY_CHARS 10000
#define MESSAGE_SUBJECT_CHARS 150
#define MESSAGE_MAX_RECIPIENTS 50   /* per message picked by person */
#define MESSAGE_MAX_LIST_RECIPIENTS 400  /* a message to lists (the parents of a class…), staff only */

#define MESSAGE_ATTACHMENTS_MAX 5                        /* files per message */
#define MESSAGE_ATTACHMENTS_MAX_BYTES (10 * 1024 * 1024)  /* together (each file: ATTACHMENT_MAX_BYTES) */
/* The two limits above are what a message holds in all: the files of its
 * draft (saved in several goes), of a forwarded message and those sent with
 * it. Drafts are a person's storage, bounded for everyone: */
#define MESSAGE_DRAFTS_MAX 100                      /* drafts a person keeps (messages, answers) */
#define MESSAGE_DRAFTS_MAX_BYTES (50 * 1024 * 1024) /* their attachments together */

/* R-SEC sending limits (stolen accounts sent bomb threats at scale): for
 * pupils and parents, and for staff; exceeding them stops the account with a
 * clear message, and a pupil's or parent's attempt alerts school life. */
#define MESSAGE_FAMILY_RECIPIENTS 15       /* recipients of one message */
#define MESSAGE_FAMILY_PER_HOUR 20         /* messages (new or answers) per hour */
#define MESSAGE_FAMILY_THREADS_PER_DAY 20  /* new threads per day */
#define MESSAGE_STAFF_PER_HOUR 200
#define MESSAGE_STAFF_THREADS_PER_DAY 300

/* R-SEC anomaly rule: a new message is held for the head's review when,
 * counting its recipients, its author has started threads with more than
 * MESSAGE_ANOMALY_FAMILY (pupils, parents) or MESSAGE_ANOMALY_STAFF
 * (everyone else) distinct people within MESSAGE_ANOMALY_WINDOW_S, or
 * while an earlier message of theirs is still held. */
#define MESSAGE_ANOMALY_WINDOW_S (15 * 60)
#define MESSAGE_ANOMALY_FAMILY 25
#define MESSAGE_ANOMALY_STAFF 500

/* A new message to deliver. */
struct delivery {
    int64_t establishment;        /* where it is written (the policy said so) */
    const int64_t *to;            /* recipients, without the author, no duplicates */
    size_t n;
    bool private_each;            /* one private thread per recipient (lists of families) */
    const char *kind;             /* "private", or "rep" for a parent representative's broadcast */
    const char *subject, *body;   /* body: Markdown */
    const struct upload *const *files;  /* checked (files_check_all) */
    size_t nfiles;
    int64_t copy_files_of;        /* a message whose attachments it carries (forward, draft), or 0 */
    int64_t draft;                /* the author's draft this send replaces (deleted), or 0 */
    bool anomaly_rule;            /* apply the anomaly hold */
    const char *urgent;           /* R-DISCO: a head's reason to deliver at once in a quiet period, or NULL */
    int64_t not_before;           /* scheduled by its author for that instant (then out of quiet periods), or 0 */
    const char **refused;         /* out, or NULL: why nothing was sent when the message
                                     would hold more attachments than a message may (with
                                     its draft's and a forwarded one's) */
};

#define MESSAGE_SCHEDULE_MAX_DAYS 90  /* how far ahead a message may be scheduled */

/* Deliver d in one transaction: threads, participants, the message(s), their
 * attachments, the audit; held (not visible to recipients, queued for the
 * head) when the anomaly rule says so. Returns the thread's id (a
 * broadcast: its first thread's, which groups them), 0 on a store error or
 * when the attachments it would carry are over the limits (*d->refused
 * then says so, and nothing is stored). */
int64_t messages_deliver(struct req *r, const struct delivery *d, bool *held);

/* Threads of person with a message they have not read (inbox only). */
int64_t messages_unread(struct store *s, int64_t person);
/* The same in two halves: asked ahead with a page's other reads (store_q_ahead), then read. */
struct stmt *messages_unread_ask(struct store *s, int64_t person);
int64_t messages_unread_read(struct stmt *st);

/* School life's view of the accounts a sending limit stopped in the last
 * week (a section of its day page; nothing when there is none). */
void messages_alerts_part(struct req *r, int64_t establishment);

extern const struct route messages_routes[], messages_compose_routes[], messages_moderation_routes[];

/* Issue 5: messages of d's establishment still waiting (R-DISCO) get their
 * moment again under d's rules, from when they were written; their
 * notifications follow. Inside the caller's transaction. Returns how many
 * moved, or -1. */
struct diffusion;
int messages_reschedule(struct store *s, struct arena *a, const struct diffusion *d, int64_t now);

#endif
