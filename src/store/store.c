/* store.c — driver dispatch, per-thread connections, binding helpers. */
#include "store_impl.h"
#include "../core/log.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *default_url;
static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static __thread struct store *tls_store;

/* postgresql:// and postgres:// URLs (libpq's URIs) go to PostgreSQL;
 * anything else is a SQLite file ("sqlite:PATH" or a plain path). */
static const struct store_driver *driver_for(const char *url)
{
    if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11)) return &store_pg_driver;
    return &store_sqlite_driver;
}

struct store *store_open(const char *url, char *err, size_t errlen)
{
    if (!url || !*url) {
        snprintf(err, errlen, "no database given (use --db FILE)");
        return NULL;
    }
    return driver_for(url)->open(url, err, errlen);
}

void store_close(struct store *s) { if (s) s->drv->close(s); }

struct stmt **store_cache_slot(struct stmt **cache, const char *sql)
{
    uintptr_t h = ((uintptr_t)sql >> 3) * 0x9E3779B97F4A7C15ull;
    size_t first = (size_t)(h >> 40) & (STORE_CACHE_SLOTS - 1), slot = first;
    for (size_t probe = 0; probe < STORE_CACHE_SLOTS; probe++) {
        if (!cache[slot] || cache[slot]->sql == sql) return &cache[slot];
        slot = (slot + 1) & (STORE_CACHE_SLOTS - 1);
    }
    return &cache[first];
}

static void tls_destroy(void *p) { store_close(p); }
static void tls_make_key(void) { pthread_key_create(&tls_key, tls_destroy); }

void store_init(void) { store_sqlite_init(); }

void store_set_default(const char *url) { default_url = url; }

struct store *store_thread(void)
{
    if (tls_store) return tls_store;
    pthread_once(&tls_once, tls_make_key);
    char err[256];
    tls_store = store_open(default_url, err, sizeof err);
    if (!tls_store) {
        log_error("store_thread", "cannot open database: %s", err);
        return NULL;
    }
    pthread_setspecific(tls_key, tls_store);
    return tls_store;
}

void store_thread_close(void)
{
    if (!tls_store) return;
    pthread_setspecific(tls_key, NULL);
    store_close(tls_store);
    tls_store = NULL;
}

struct stmt *store_prepare(struct store *s, const char *sql) { return s->drv->prepare(s, sql); }
void stmt_bind_int(struct stmt *st, int n, int64_t v) { st->drv->bind_int(st, n, v); }
void stmt_bind_text(struct stmt *st, int n, const char *v) { st->drv->bind_text(st, n, v); }
void stmt_bind_null(struct stmt *st, int n) { st->drv->bind_null(st, n); }
void stmt_bind_blob(struct stmt *st, int n, const void *v, size_t len) { st->drv->bind_blob(st, n, v, len); }
int stmt_step(struct stmt *st) { return st->drv->step(st); }
int64_t stmt_int(struct stmt *st, int col) { return st->drv->col_int(st, col); }
const char *stmt_text(struct stmt *st, int col) { return st->drv->col_text(st, col); }
bool stmt_is_null(struct stmt *st, int col) { return st->drv->col_null(st, col); }
const void *stmt_blob(struct stmt *st, int col, size_t *len) { return st->drv->col_blob(st, col, len); }
void stmt_done(struct stmt *st) { if (st) st->drv->done(st); }
int64_t store_changes(struct store *s) { return s->drv->changes(s); }
int store_exec_script(struct store *s, const char *sql) { return s->drv->exec_script(s, sql); }
const char *store_driver_name(struct store *s) { return s->drv->name; }
const char *store_url_driver(const char *url) { return driver_for(url)->name; }
bool store_locks_rows(struct store *s) { return !s->drv->one_writer; }
const char *store_id_type(struct store *s) { return s->drv->id_type; }
const char *store_error(struct store *s) { return s->drv->error(s); }
int store_backup(struct store *s, const char *path) { return s->drv->backup(s, path); }
void store_recover(struct store *s) { if (s && s->drv->recover) s->drv->recover(s); }
int store_resync_ids(struct store *s) { return s->drv->resync_ids ? s->drv->resync_ids(s) : 0; }

static struct stmt *vq(struct store *s, const char *sql, const char *types, va_list ap)
{
    struct stmt *st = store_prepare(s, sql);
    if (!st) return NULL;
    for (int i = 0; types && types[i]; i++) {
        switch (types[i]) {
        case 'i': stmt_bind_int(st, i + 1, va_arg(ap, int64_t)); break;
        case 'N': { /* int64_t, 0 binds NULL (optional references) */
            int64_t v = va_arg(ap, int64_t);
            if (v) stmt_bind_int(st, i + 1, v);
            else stmt_bind_null(st, i + 1);
            break;
        }
        case 't': stmt_bind_text(st, i + 1, va_arg(ap, const char *)); break;
        case 'b': {
            const void *v = va_arg(ap, const void *);
            stmt_bind_blob(st, i + 1, v, va_arg(ap, size_t));
            break;
        }
        default:
            log_error("store_q", "bad type '%c' for: %s", types[i], sql);
            stmt_done(st);
            return NULL;
        }
    }
    return st;
}

struct stmt *store_q(struct store *s, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    struct stmt *st = vq(s, sql, types, ap);
    va_end(ap);
    return st;
}

struct stmt *store_q_ahead(struct store *s, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    struct stmt *st = vq(s, sql, types, ap);
    va_end(ap);
    if (st && s->drv->ahead) s->drv->ahead(st);
    return st;
}

/* Run st, which returns no row (later: without waiting where the driver can,
 * which it can only within a write transaction). */
static int run(struct store *s, struct stmt *st, bool later)
{
    if (!st) return -1;
    if (later && s->tx == STORE_TX_WRITE && s->drv->run_later) {
        s->drv->run_later(st);
        return 0;
    }
    int rc = stmt_step(st);
    stmt_done(st);
    return rc == STORE_ERR ? -1 : 0;
}

int store_run(struct store *s, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    struct stmt *st = vq(s, sql, types, ap);
    va_end(ap);
    return run(s, st, false);
}

int store_run_later(struct store *s, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    struct stmt *st = vq(s, sql, types, ap);
    va_end(ap);
    return run(s, st, true);
}

int store_int(struct store *s, int64_t *out, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    struct stmt *st = vq(s, sql, types, ap);
    va_end(ap);
    if (!st) return -1;
    int rc = stmt_step(st);
    if (rc == STORE_ROW) *out = stmt_int(st, 0);
    stmt_done(st);
    return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

/* SQLite has one writer at a time. Threads of this process queue on a mutex
 * for their write transactions instead of polling the busy handler (which
 * sleeps 1, 2, 5… ms and lets a writer starve under load). PostgreSQL takes
 * its own row locks: no mutex, but the thread still knows that it has a write
 * transaction open (store_end_request). */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread bool holds_mutex; /* …and it holds write_lock */

bool store_write_enter(void)
{
    if (holds_mutex) return false;
    pthread_mutex_lock(&write_lock);
    holds_mutex = true;
    return true;
}

bool store_write_held(void) { return holds_mutex; }

void store_write_leave(void)
{
    if (!holds_mutex) return;
    holds_mutex = false;
    pthread_mutex_unlock(&write_lock);
}

static const char *tx_name(enum store_tx tx)
{
    return tx == STORE_TX_WRITE ? "write transaction" : tx == STORE_TX_READ ? "read snapshot"
                                                                            : "no transaction";
}

/* A transaction misused by caller (what it asked): logged, the connection
 * marked. */
static void misuse(struct store *s, const char *caller, const char *what)
{
    s->misused = true;
    if (s->tx != STORE_TX_NONE)
        log_error(caller ? caller : "store", "%s inside the %s opened by %s: refused"
                  " (transactions do not nest)", what, tx_name(s->tx), s->tx_by ? s->tx_by : "?");
    else
        log_error(caller ? caller : "store", "%s with no transaction open: ignored", what);
}

bool store_take_misuse(struct store *s)
{
    bool m = s && s->misused;
    if (s) s->misused = false;
    return m;
}

static void tx_open(struct store *s, enum store_tx tx, const char *caller)
{
    s->tx = tx;
    s->tx_by = caller;
}

static void write_release(struct store *s)
{
    if (s->tx == STORE_TX_WRITE) tx_open(s, STORE_TX_NONE, NULL);
    store_write_leave();
}

int store_begin_by(struct store *s, const char *caller)
{
    if (s->tx != STORE_TX_NONE) {
        misuse(s, caller, "store_begin");
        return -1;
    }
    if (s->drv->one_writer) store_write_enter();
    tx_open(s, STORE_TX_WRITE, caller);
    int rc = store_run(s, s->drv->begin_write, NULL);
    if (rc < 0) write_release(s);
    return rc;
}

/* A statement whose result is not waited for, where the driver allows it;
 * else run now. -1 when it failed (known at once only when run now). */
static int forget(struct store *s, const char *sql)
{
    if (!s->drv->forget) return store_run(s, sql, NULL);
    struct stmt *st = store_prepare(s, sql);
    if (!st) return -1;
    s->drv->forget(st);
    return 0;
}

int store_begin_read_by(struct store *s, const char *caller)
{
    if (s->tx != STORE_TX_NONE) {
        misuse(s, caller, "store_begin_read");
        return -1;
    }
    if (forget(s, s->drv->begin_read) < 0) return -1;
    tx_open(s, STORE_TX_READ, caller);
    return 0;
}

void store_end_read_by(struct store *s, const char *caller)
{
    if (s->tx != STORE_TX_READ) {
        misuse(s, caller, "store_end_read");
        return;
    }
    tx_open(s, STORE_TX_NONE, NULL);
    forget(s, "COMMIT");
}

int store_commit_by(struct store *s, const char *caller)
{
    if (s->tx != STORE_TX_WRITE) {
        misuse(s, caller, "store_commit");
        return -1;
    }
    int rc = store_run(s, "COMMIT", NULL);
    if (rc < 0) return rc; /* the caller rolls back */
    write_release(s);
    /* A statement run later failed: the transaction was aborted, and the
     * server answered the COMMIT with a rollback. */
    return s->drv->later_failed && s->drv->later_failed(s) ? -1 : 0;
}

void store_rollback(struct store *s)
{
    if (s->tx == STORE_TX_WRITE) {
        store_run(s, "ROLLBACK", NULL);
        if (s->drv->later_failed) s->drv->later_failed(s);
    }
    write_release(s);
}

bool store_end_request(struct store *s)
{
    if (s->tx == STORE_TX_NONE && !store_write_held()) return true;
    if (s->tx != STORE_TX_NONE) {
        log_error("store_end_request", "the %s opened by %s was left open: ended", tx_name(s->tx),
                  s->tx_by ? s->tx_by : "?");
        s->misused = true;
    }
    if (s->tx == STORE_TX_READ) store_end_read_by(s, __func__);
    else store_rollback(s); /* or a write statement not done still holds the write lock */
    return false;
}
