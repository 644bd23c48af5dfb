/* internal.h — what the files of the notification module share. */
#ifndef CARNET_MODULE_NOTIFY_INTERNAL_H
#define CARNET_MODULE_NOTIFY_INTERNAL_H
#include "notify.h"
#include "../../core/buf.h"
#include <stdbool.h>
#include <stdint.h>

/* Limits of the module. */
#define NOTIFY_PAGE              50                 /* notifications listed per page of the centre */
#define NOTIFY_INTERVAL_DEFAULT  30                 /* seconds between two runs of the job */
#define NOTIFY_MAIL_HORIZON_S    (7 * 24 * 3600)    /* due for longer: no e-mail any more (history, a long outage); longer than any personal quiet time */
#define NOTIFY_CLAIM_MAX         100000             /* due notifications read by one run; the rest at the next */
#define NOTIFY_SEND_BATCH        100                /* e-mails claimed, then marked sent, per transaction */
#define NOTIFY_LEASE_S           600                /* a claimed e-mail not marked sent after this is sent again */
#define NOTIFY_MAX_ATTEMPTS      5                  /* then it is given up ('failed', logged) */
#define NOTIFY_RETRY_BASE_S      60                 /* back-off: 1, 2, 4, 8 minutes… */
#define NOTIFY_RETRY_MAX_S       3600
#define NOTIFY_DIGEST_MAX        100                /* items listed in one e-mail; the others are counted */
#define NOTIFY_BADGE_MAX         100                /* the header badge counts up to 99, then says "99+" */

/* The services and the channels, NULL-terminated, in the order of the
 * preferences page. */
extern const char *const notify_services[];
extern const char *const notify_channels[];

/* SQL: the services whose centre channel person `p` has turned off. */
#define NOTIFY_CENTRE_OFF(p)                                                                                    \
    "(SELECT d.service FROM notify_default d LEFT JOIN notify_pref pr ON pr.person_id = " p                     \
    " AND pr.service = d.service AND pr.channel = d.channel WHERE d.channel = 'centre' AND coalesce(pr.enabled, d.enabled) = 0)"

/* ---- Personal quiet times (prefs.c) ---------------------------------------- */
struct notify_quiet {
    int evening, morning;    /* minutes after local midnight; -1: no daily quiet time */
    bool weekend;            /* no e-mail on Saturday and Sunday */
};
/* Is t inside quiet times q, in time zone tz (NULL: the default zone)? */
bool notify_quiet_at(const struct notify_quiet *q, const char *tz, int64_t t);
/* "HH:MM" → minutes after midnight, or -1 (also for NULL or ""). */
int notify_hhmm(const char *v);

/* ---- An e-mail as bytes (mail.c) -------------------------------------------- */
struct mail_item {
    int64_t id;              /* the notification: its link is PUBLIC/notifications/ID */
    const char *service, *title;
};
struct mail {
    int64_t id, created_at;  /* the outbox row: Message-ID */
    int64_t date;            /* Date: header */
    const char *from;        /* "Name <address>" or "address" */
    const char *to_name, *to_addr;
    const char *lang;        /* catalogue of the templates */
    const char *public_url;  /* no trailing slash */
    const struct mail_item *items;
    size_t n;                /* items listed */
    int64_t total;           /* items in the e-mail (≥ n) */
    const char *kind;        /* NULL for notifications; else an account e-mail ("password_reset",
                                "email_confirm") whose one-time link is `link` */
    const char *link;
};
/* The whole message (RFC 5322 headers, CRLF, quoted-printable UTF-8 body)
 * appended to b. */
void mail_compose(struct buf *b, const struct mail *m);
/* The address inside from ("Name <a@b>" → "a@b"), in out[len]; false when
 * there is none or it is not a plain address. */
bool mail_address(const char *from, char *out, size_t len);
/* A plain address (local@domain, no space, angle bracket or control
 * character, at most 254 bytes)? */
bool mail_address_ok(const char *a);
/* Quoted-printable (RFC 2045) of text, "\n" becoming CRLF. */
void mail_qp(struct buf *b, const char *text);
/* RFC 2047 encoded words (UTF-8, Q) of text for a header that has already
 * used `used` characters of its first line; folds long text. */
void mail_encode_words(struct buf *b, const char *text, size_t used);

/* ---- One SMTP connection (smtp.c) ---------------------------------------- */
enum smtp_result {
    SMTP_SENT,               /* accepted by the server */
    SMTP_RETRY,              /* this e-mail: a temporary refusal (4xx) */
    SMTP_REFUSED,            /* this e-mail: a permanent refusal (5xx) */
    SMTP_DOWN                /* the server: cannot connect, lost, timed out */
};
struct smtp;
/* A client for url with envelope sender from_addr; the connection opens at
 * the first send and is kept for the next ones. NULL out of memory. */
struct smtp *smtp_open(const char *url, const char *from_addr);
/* Send data[0..len) to rcpt; err receives the server's words on failure. */
enum smtp_result smtp_send(struct smtp *c, const char *rcpt, const char *data, size_t len, char *err, size_t errlen);
void smtp_close(struct smtp *c);

#endif
