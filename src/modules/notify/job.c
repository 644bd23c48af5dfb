/* job.c — the e-mail job (see notify.h).
 *
 * A run has two steps, each made of short transactions, so that several
 * processes (a `carnet serve` per node, `carnet notify --once`) may run at
 * once and every notification still goes out once:
 *
 * 1. Decide. In one write transaction, the due notifications not yet
 *    decided (visible_at <= now, mail_done = 0) are read and grouped by
 *    person. Those that get no e-mail — the person has no address, does not
 *    want e-mail for that service, has already read it in Carnet, or it has
 *    been due for more than NOTIFY_MAIL_HORIZON_S — are marked decided.
 *    The others of a person become ONE outbox row (a digest when there are
 *    several), unless the person is inside their quiet times: then they
 *    wait, undecided, for a later run.
 * 2. Send. Outbox rows due (queued and past their back-off, or left
 *    'sending' longer than NOTIFY_LEASE_S by a process that died) are
 *    claimed, NOTIFY_SEND_BATCH at a time, in a transaction ('sending',
 *    attempts + 1); then sent over one SMTP connection; then marked in a
 *    transaction: 'sent', or back to 'queued' with a back-off, or 'failed'
 *    after NOTIFY_MAX_ATTEMPTS or a permanent refusal (logged).
 *
 * Taking work: on SQLite a write transaction holds the database's one write
 * lock, so two processes take turns. On PostgreSQL several nodes write at
 * once: the reads of both steps lock the rows they return and skip those
 * another node has locked (FOR UPDATE SKIP LOCKED), so that each node
 * decides other notifications and claims other e-mails, without waiting
 * for the others. A claim is settled only while it is still this process's
 * (state 'sending' since the claim's instant): a process that overran its
 * lease does not undo what the process that took the e-mail over did.
 *
 * The trade-off at the SMTP boundary: an e-mail accepted by the server but
 * not yet marked sent when the process dies (at most one batch) is sent
 * again after the lease — at least once, never lost. It is sent with the
 * same Message-ID (derived from the outbox row), so that a mail system or a
 * reader can recognise the copy. Exactly once is impossible across two
 * systems without a shared transaction; we chose never to lose one. */
#include "internal.h"
#include "../../core/arena.h"
#include "../../core/clock.h"
#include "../../core/log.h"
#include "../../store/store.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct config {
    const char *url, *from;
    char from_addr[256];
    char public_url[512];
};

/* The environment's configuration; false (said once in the log) when no
 * e-mail can be sent. */
static bool config_get(struct config *c)
{
    static atomic_flag said_smtp = ATOMIC_FLAG_INIT, said_from = ATOMIC_FLAG_INIT;
    c->url = getenv("CARNET_SMTP_URL");
    if (!c->url || !*c->url) {
        if (!atomic_flag_test_and_set(&said_smtp)) log_info("notify_run", "no CARNET_SMTP_URL: notifications are not sent by e-mail");
        return false;
    }
    c->from = getenv("CARNET_MAIL_FROM");
    if (!c->from || !*c->from) c->from = "Carnet <carnet@localhost>";
    if (!mail_address(c->from, c->from_addr, sizeof c->from_addr)) {
        if (!atomic_flag_test_and_set(&said_from))
            log_error("notify_run", "CARNET_MAIL_FROM holds no e-mail address: notifications are not sent by e-mail");
        return false;
    }
    const char *pub = getenv("CARNET_PUBLIC_URL");
    snprintf(c->public_url, sizeof c->public_url, "%s", pub && *pub ? pub : "http://localhost:8080");
    for (size_t n = strlen(c->public_url); n && c->public_url[n - 1] == '/';) c->public_url[--n] = 0;
    return true;
}

/* ---- 1. Decide --------------------------------------------------------------- */

struct due {
    int64_t id, person, visible_at;
    const char *email, *tz;
    bool wanted;             /* e-mail on for its service, and not read yet */
    struct notify_quiet quiet;
};

/* The due notifications not yet decided, by person (see "Taking work"). */
#define DUE_SQL                                                                                                                    \
    "SELECT n.id, n.person_id, n.visible_at, p.email, coalesce(pr.enabled, d.enabled) = 1 AND n.read_at IS NULL,"                  \
    " coalesce(e.tz, ''), coalesce(q.evening, -1), coalesce(q.morning, -1), coalesce(q.weekend, 0)"                                \
    " FROM notification n JOIN person p ON p.id = n.person_id"                                                                     \
    " JOIN notify_default d ON d.service = n.service AND d.channel = 'email'"                                                      \
    " LEFT JOIN notify_pref pr ON pr.person_id = n.person_id AND pr.service = n.service AND pr.channel = 'email'"                 \
    " LEFT JOIN notify_quiet q ON q.person_id = n.person_id LEFT JOIN establishment e ON e.id = n.establishment_id"                \
    " WHERE n.mail_done = 0 AND n.visible_at <= $1 ORDER BY n.person_id, n.visible_at, n.id LIMIT $2"

static size_t due_read(struct store *s, struct arena *a, int64_t now, struct due **out)
{
    struct stmt *st = store_q(s, store_locks_rows(s) ? DUE_SQL " FOR UPDATE OF n SKIP LOCKED" : DUE_SQL, "ii", now, (int64_t)NOTIFY_CLAIM_MAX);
    struct due *v = NULL;
    size_t n = 0, cap = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(a, v, n, &cap, sizeof *v);
        v[n++] = (struct due){stmt_int(st, 0), stmt_int(st, 1), stmt_int(st, 2),
                              stmt_is_null(st, 3) ? NULL : arena_strdup(a, stmt_text(st, 3)), arena_strdup(a, stmt_text(st, 5)),
                              stmt_int(st, 4) != 0, {(int)stmt_int(st, 6), (int)stmt_int(st, 7), stmt_int(st, 8) != 0}};
    }
    stmt_done(st);
    if (n == NOTIFY_CLAIM_MAX) log_warn("notify_run", "%d due notifications read: the others at the next run", NOTIFY_CLAIM_MAX);
    *out = v;
    return n;
}

/* One person's due notifications v[0..n): one e-mail for those they want,
 * now or after their quiet times; the others decided without one. */
static int decide_person(struct store *s, const struct due *v, size_t n, int64_t now, struct notify_report *rep)
{
    bool addr = mail_address_ok(v[0].email), hold = false;
    size_t want = 0, first = 0;
    for (size_t i = n; i-- > 0;)
        if (addr && v[i].wanted && v[i].visible_at >= now - NOTIFY_MAIL_HORIZON_S) want++, first = i;
    if (want && notify_quiet_at(&v[0].quiet, v[first].tz, now)) {
        hold = true;
        rep->held += (int64_t)want;
    }
    int64_t mail = 0;
    if (want && !hold) {
        if (store_int(s, &mail, "INSERT INTO mail_outbox (person_id, rcpt, created_at, next_at) VALUES ($1, $2, $3, $3) RETURNING id",
                      "iti", v[0].person, v[0].email, now) != 1)
            return -1;
        rep->queued++;
    }
    for (size_t i = 0; i < n; i++) {
        bool w = addr && v[i].wanted && v[i].visible_at >= now - NOTIFY_MAIL_HORIZON_S;
        if (w && hold) continue;
        if (store_run(s, "UPDATE notification SET mail_done = 1, mail_id = $2 WHERE id = $1", "iN", v[i].id, w ? mail : 0) < 0)
            return -1;
        if (w) rep->notifications++;
        else rep->skipped++;
    }
    return 0;
}

static int decide(struct store *s, int64_t now, struct notify_report *rep)
{
    int64_t any = 0;
    if (store_int(s, &any, "SELECT count(*) FROM (SELECT 1 FROM notification WHERE mail_done = 0 AND visible_at <= $1 LIMIT 1) x",
                  "i", now) < 0)
        return -1;
    if (!any) return 0;
    struct arena a;
    arena_init(&a);
    int rc = store_begin(s);
    struct due *v = NULL;
    size_t n = rc < 0 ? 0 : due_read(s, &a, now, &v);
    for (size_t i = 0, j; rc == 0 && i < n; i = j) {
        for (j = i + 1; j < n && v[j].person == v[i].person; j++) continue;
        rc = decide_person(s, v + i, j - i, now, rep);
    }
    if (rc == 0) rc = store_commit(s);
    if (rc < 0) store_rollback(s);
    arena_free(&a);
    return rc;
}

/* ---- 2. Send ------------------------------------------------------------------ */

struct claimed {
    int64_t id, attempts;    /* attempts including this one */
    int64_t claimed_at;      /* the claim's instant: the row is still ours while it holds it */
    bool tried;
    enum smtp_result res;
    char err[256];
};

/* The e-mails to claim: due, or whose lease is over (see "Taking work"). */
#define CLAIM_SQL                                                                                                                  \
    "SELECT id, attempts FROM mail_outbox WHERE (state = 'queued' AND next_at <= $1)"                                            \
    " OR (state = 'sending' AND claimed_at <= $2) ORDER BY id LIMIT $3"

/* Claim up to NOTIFY_SEND_BATCH e-mails due at the run's instant `due`,
 * for a lease from now. */
static size_t claim(struct store *s, int64_t due, struct claimed *v)
{
    int64_t now = clock_now();
    if (store_begin(s) < 0) return 0;
    struct stmt *st = store_q(s, store_locks_rows(s) ? CLAIM_SQL " FOR UPDATE SKIP LOCKED" : CLAIM_SQL, "iii", due, now - NOTIFY_LEASE_S,
                              (int64_t)NOTIFY_SEND_BATCH);
    size_t n = 0;
    while (st && stmt_step(st) == STORE_ROW && n < NOTIFY_SEND_BATCH)
        v[n++] = (struct claimed){.id = stmt_int(st, 0), .attempts = stmt_int(st, 1) + 1, .claimed_at = now};
    stmt_done(st);
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        ok = store_run(s, "UPDATE mail_outbox SET state = 'sending', claimed_at = $2, attempts = attempts + 1 WHERE id = $1", "ii",
                       v[i].id, now) == 0;
    if (ok && store_commit(s) == 0) return n;
    store_rollback(s);
    return 0;
}

/* The outbox row id as an e-mail: recipient, names, language, items. */
static bool mail_load(struct store *s, struct arena *a, int64_t id, const struct config *c, struct mail *m)
{
    struct stmt *st = store_q(s, "SELECT o.rcpt, o.created_at, p.first_name || ' ' || p.last_name,"
                                 " coalesce(ac.lang, 'fr'), o.kind, o.link"
                                 " FROM mail_outbox o JOIN person p ON p.id = o.person_id LEFT JOIN account ac ON ac.person_id = p.id"
                                 " WHERE o.id = $1", "i", id);
    bool ok = st && stmt_step(st) == STORE_ROW, account = false;
    if (ok) {
        *m = (struct mail){.id = id, .created_at = stmt_int(st, 1), .date = clock_now(), .from = c->from,
                           .to_addr = arena_strdup(a, stmt_text(st, 0)), .to_name = arena_strdup(a, stmt_text(st, 2)),
                           .lang = arena_strdup(a, stmt_text(st, 3)), .public_url = c->public_url};
        account = strcmp(stmt_text(st, 4), "notices") != 0;
        if (account) {
            m->kind = arena_strdup(a, stmt_text(st, 4));
            m->link = arena_strdup(a, stmt_text(st, 5));
            m->total = 1;
        }
    }
    stmt_done(st);
    if (!ok) return false;
    if (account) return m->link != NULL;
    struct mail_item *v = arena_alloc(a, NOTIFY_DIGEST_MAX * sizeof *v);
    st = store_q(s, "SELECT id, service, title FROM notification WHERE mail_id = $1 ORDER BY visible_at, id", "i", id);
    while (st && stmt_step(st) == STORE_ROW) {
        if (m->n < NOTIFY_DIGEST_MAX)
            v[m->n++] = (struct mail_item){stmt_int(st, 0), arena_strdup(a, stmt_text(st, 1)), arena_strdup(a, stmt_text(st, 2))};
        m->total++;
    }
    stmt_done(st);
    m->items = v;
    return m->total > 0;
}

static int64_t backoff(int64_t attempts)
{
    int64_t d = NOTIFY_RETRY_BASE_S;
    for (int64_t k = 1; k < attempts && d < NOTIFY_RETRY_MAX_S; k++) d *= 2;
    return d < NOTIFY_RETRY_MAX_S ? d : NOTIFY_RETRY_MAX_S;
}

/* Record one claimed e-mail's outcome (inside the settling transaction),
 * if the claim is still ours ($2: its instant). */
static int settle_one(struct store *s, const struct claimed *x, int64_t now, int64_t retry_at, struct notify_report *rep)
{
    if (!x->tried)
        return store_run(s, "UPDATE mail_outbox SET state = 'queued', attempts = attempts - 1, next_at = $3"
                            " WHERE id = $1 AND state = 'sending' AND claimed_at = $2", "iii", x->id, x->claimed_at, retry_at);
    if (x->res == SMTP_SENT) {
        rep->sent++;
        /* A one-time link is forgotten once it left. */
        return store_run(s, "UPDATE mail_outbox SET state = 'sent', sent_at = $3, error = NULL, link = NULL"
                            " WHERE id = $1 AND state = 'sending' AND claimed_at = $2", "iii", x->id, x->claimed_at, now);
    }
    if (x->res == SMTP_REFUSED || x->attempts >= NOTIFY_MAX_ATTEMPTS) {
        rep->failed++;
        log_warn("notify_run", "e-mail %lld given up after %lld attempt(s): %s", (long long)x->id, (long long)x->attempts, x->err);
        return store_run(s, "UPDATE mail_outbox SET state = 'failed', error = $3 WHERE id = $1 AND state = 'sending' AND claimed_at = $2",
                         "iit", x->id, x->claimed_at, x->err);
    }
    rep->retry++;
    return store_run(s, "UPDATE mail_outbox SET state = 'queued', next_at = $3, error = $4"
                        " WHERE id = $1 AND state = 'sending' AND claimed_at = $2", "iiit", x->id, x->claimed_at,
                     now + backoff(x->attempts), x->err);
}

static void settle(struct store *s, const struct claimed *v, size_t n, struct notify_report *rep)
{
    int64_t now = clock_now(), retry_at = now + NOTIFY_RETRY_BASE_S;
    for (size_t i = 0; i < n; i++)
        if (v[i].tried && v[i].res == SMTP_DOWN) retry_at = now + backoff(v[i].attempts);
    int rc = store_begin(s);
    for (size_t i = 0; rc == 0 && i < n; i++) rc = settle_one(s, &v[i], now, retry_at, rep);
    if (rc == 0 && store_commit(s) == 0) return;
    store_rollback(s);
    log_error("notify_run", "cannot record the outcome of %zu e-mail(s): they are sent again after %d s", n, NOTIFY_LEASE_S);
}

/* Send the claimed e-mails v[0..n) over c; false when the server is down
 * (the rest of v is left untried). */
static bool send_batch(struct store *s, struct smtp *conn, const struct config *c, struct claimed *v, size_t n, struct buf *b)
{
    for (size_t i = 0; i < n; i++) {
        struct arena a;
        arena_init(&a);
        struct mail m;
        v[i].tried = true;
        if (!mail_load(s, &a, v[i].id, c, &m)) {
            v[i].res = SMTP_REFUSED;
            snprintf(v[i].err, sizeof v[i].err, "nothing to send");
        } else {
            buf_reset(b);
            mail_compose(b, &m);
            v[i].res = smtp_send(conn, m.to_addr, b->p, b->len, v[i].err, sizeof v[i].err);
        }
        arena_free(&a);
        if (v[i].res == SMTP_DOWN) {
            log_warn("notify_run", "SMTP server unreachable (%s): e-mails will be tried again", v[i].err);
            return false;
        }
    }
    return true;
}

static void send_due(struct store *s, const struct config *c, int64_t now, struct notify_report *rep)
{
    struct smtp *conn = NULL;
    struct claimed v[NOTIFY_SEND_BATCH];
    struct buf b;
    buf_init(&b);
    bool up = true;
    for (size_t n; up && (n = claim(s, now, v)) > 0;) {
        if (!conn) conn = smtp_open(c->url, c->from_addr);
        up = conn && send_batch(s, conn, c, v, n, &b);
        settle(s, v, n, rep);
    }
    smtp_close(conn);
    buf_free(&b);
}

/* ---- Runs ------------------------------------------------------------------------ */

static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

int notify_run(struct store *s, struct notify_report *rep)
{
    *rep = (struct notify_report){0};
    struct config c;
    if (!config_get(&c)) return 0;
    pthread_mutex_lock(&run_lock);
    int64_t now = clock_now();
    double t0 = clock_elapsed();
    int rc = decide(s, now, rep);
    if (rc < 0) log_error("notify_run", "cannot decide the due notifications' e-mails: %s", store_error(s));
    double t1 = clock_elapsed();
    send_due(s, &c, now, rep);
    rep->decide_s = t1 - t0;
    rep->send_s = clock_elapsed() - t1;
    pthread_mutex_unlock(&run_lock);
    if (rep->queued || rep->sent || rep->retry || rep->failed)
        log_info("notify_run", "%lld e-mail(s) made for %lld notification(s), %lld sent, %lld to retry, %lld failed",
                 (long long)rep->queued, (long long)rep->notifications, (long long)rep->sent, (long long)rep->retry,
                 (long long)rep->failed);
    return rc;
}

void notify_job_kick(void)
{
    struct store *s = store_thread();
    struct notify_report rep;
    if (s) notify_run(s, &rep);
}

static pthread_t job_thread;
static bool job_started, job_stopping;
static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_cond = PTHREAD_COND_INITIALIZER;

static int job_interval(void)
{
    const char *v = getenv("CARNET_NOTIFY_INTERVAL");
    long n = v ? strtol(v, NULL, 10) : 0;
    return n >= 1 && n <= 86400 ? (int)n : NOTIFY_INTERVAL_DEFAULT;
}

static void *job_main(void *arg)
{
    (void)arg;
    int every = job_interval();
    pthread_mutex_lock(&job_lock);
    while (!job_stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += every;
        while (!job_stopping && pthread_cond_timedwait(&job_cond, &job_lock, &until) != ETIMEDOUT) continue;
        if (job_stopping) break;
        pthread_mutex_unlock(&job_lock);
        /* Between two runs no transaction is open: a connection the
         * database dropped meanwhile is opened again here. */
        store_recover(store_thread());
        notify_job_kick();
        pthread_mutex_lock(&job_lock);
    }
    pthread_mutex_unlock(&job_lock);
    store_thread_close();
    return NULL;
}

int notify_job_start(void)
{
    /* The thread leaves SIGTERM and SIGINT to the server's sigwait. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&job_thread, NULL, job_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        log_error("notify_job_start", "cannot start the notification job: %s", strerror(rc));
        return -1;
    }
    job_started = true;
    return 0;
}

void notify_job_stop(void)
{
    if (!job_started) return;
    pthread_mutex_lock(&job_lock);
    job_stopping = true;
    pthread_cond_signal(&job_cond);
    pthread_mutex_unlock(&job_lock);
    pthread_join(job_thread, NULL);
    job_started = false;
}

int notify_mail_account(struct store *s, int64_t person, const char *rcpt, const char *kind,
                        const char *link)
{
    int64_t now = clock_now();
    return store_run(s, "INSERT INTO mail_outbox (person_id, rcpt, created_at, next_at, kind, link)"
                        " VALUES ($1, $2, $3, $3, $4, $5)", "itit" "t", person, rcpt, now, kind, link);
}
