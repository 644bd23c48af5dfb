/* notify.h — notifications (S-NOTIFY): the notification centre, per-person
 * preferences and personal quiet times, e-mail through SMTP with digests,
 * and the job that sends what the diffusion policy released.
 *
 * Every module that publishes something for people calls notify_add() in
 * the same transaction as the publication, with the moment the diffusion
 * policy gives (diffusion.h): the notification is data, shown and sent
 * from then on, once.
 *
 * Files: notify.c (notify_add, the centre, its JSON and the header's
 * unread count), prefs.c (the preferences page, personal quiet times),
 * mail.c (an e-mail as bytes: headers, encodings, the French templates),
 * smtp.c (one SMTP connection through libcurl), job.c (the sending job). */
#ifndef CARNET_NOTIFY_H
#define CARNET_NOTIFY_H
#include "../../core/router.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct req;

/* What one publication tells its audience. */
struct notice {
    const char *service;     /* "messages", "homework", "log", "grades", "timetable", "attendance", "news" */
    const char *title;       /* one line of plain text ("Nouvelle note en Mathématiques : Contrôle n°3") */
    const char *url;         /* a path in Carnet, where the item is */
    const char *item;        /* what it is about, to find its notifications again: "homework:7",
                                "assessment:3" (pupils), "assessment:3:parents"…; may be NULL */
    int64_t establishment;   /* 0 when none */
    int64_t visible_at;      /* from when (R-DISCO) */
};

/* One notification per person in persons[0..n): inside the caller's
 * transaction, whose commit fails if one cannot be written (they go to the
 * database together: store_run_later). Returns 0, or -1 on a store error
 * known at once. */
int notify_add(struct store *s, const int64_t *persons, size_t n, const struct notice *nt);

/* The same for the legal guardians of pupil (one statement). */
int notify_guardians(struct store *s, int64_t pupil, const struct notice *nt);

/* The signed-in person's unread notifications visible now (services shown
 * in their centre): one indexed count. */
int64_t notify_unread(struct store *s, int64_t person);
/* The page header's link to the centre with the unread count (page hook). */
void notify_nav(struct req *r);
void notify_nav_ahead(struct req *r);

/* ---- The e-mail job (job.c) ---------------------------------------------
 * Configuration from the environment: CARNET_SMTP_URL (smtp://host:port,
 * smtps://…, user:password@ allowed; unset: no e-mail, said once in the
 * log), CARNET_MAIL_FROM ("Carnet <carnet@example.org>"), CARNET_PUBLIC_URL
 * (the address people open Carnet at, for the links of e-mails) and
 * CARNET_NOTIFY_INTERVAL (seconds between two runs in `carnet serve`,
 * default 30). */

/* What one run did. */
struct notify_report {
    int64_t notifications;   /* notifications put into an e-mail */
    int64_t skipped;         /* due notifications that get no e-mail (no address, e-mail off, too old) */
    int64_t held;            /* due but inside their person's quiet times: later */
    int64_t queued;          /* e-mails made */
    int64_t sent, retry, failed;
    double decide_s, send_s;  /* time spent in each step (seconds) */
};

/* One run on store s at clock_now(): decide the due notifications' e-mails
 * (one digest per person), then send what is due in the outbox over one
 * SMTP connection. Runs of one process never overlap. 0, or -1 when the
 * store failed (logged); SMTP trouble is not an error of the run. */
int notify_run(struct store *s, struct notify_report *rep);
/* Start and stop the background thread of `carnet serve`. */
/* Queue an e-mail about a person's account to rcpt: kind "password_reset"
 * or "email_confirm", with its one-time link (kept only until sent).
 * Sent by the job like the notifications, exactly once, out of any quiet
 * period (the person asked for it); call notify_job_kick after the commit
 * to send it now. 0 or -1. */
int notify_mail_account(struct store *s, int64_t person, const char *rcpt, const char *kind,
                        const char *link);
int notify_job_start(void);
void notify_job_stop(void);
/* Run now on this thread's connection (the test clock hook). */
void notify_job_kick(void);

extern const struct route notify_routes[];
extern const struct route notify_prefs_routes[];

#endif
