/* store_sqlite.c — SQLite driver: WAL, foreign keys, busy timeout, and a
 * prepared-statement cache per connection keyed by the SQL literal. */
#include "store_impl.h"
#include "../core/log.h"
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 32

struct sq_stmt {
    struct stmt base;
    sqlite3_stmt *st;
    int map[MAX_PARAMS + 1]; /* $n → SQLite parameter index (0: unused) */
    bool locked;             /* took the process's write lock for an autocommit write */
};

struct sq_store {
    struct store base;
    sqlite3 *db;
    struct stmt *cache[STORE_CACHE_SLOTS];
};

/* Connections are used by one thread each: no global memory statistics
 * (their mutex is taken on every allocation and serialises the threads). */
void store_sqlite_init(void)
{
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
}

static const char *sq_error(struct store *s) { return sqlite3_errmsg(((struct sq_store *)s)->db); }

static struct store *sq_open(const char *url, char *err, size_t errlen)
{
    const char *path = !strncmp(url, "sqlite:", 7) ? url + 7 : url;
    struct sq_store *s = calloc(1, sizeof *s);
    if (!s) { snprintf(err, errlen, "out of memory"); return NULL; }
    s->base.drv = &store_sqlite_driver;
    int rc = sqlite3_open_v2(path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "no memory");
        sqlite3_close(s->db);
        free(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 5000);
    const char *setup = "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                        "PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY; "
                        "PRAGMA cache_size=-16000;";
    char *msg = NULL;
    if (sqlite3_exec(s->db, setup, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "cannot set up %s: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(s->db);
        free(s);
        return NULL;
    }
    return &s->base;
}

static void sq_close(struct store *base)
{
    struct sq_store *s = (struct sq_store *)base;
    for (int i = 0; i < STORE_CACHE_SLOTS; i++) {
        if (s->cache[i]) {
            sqlite3_finalize(((struct sq_stmt *)s->cache[i])->st);
            free(s->cache[i]);
        }
    }
    sqlite3_close(s->db);
    free(s);
}

static struct stmt *sq_prepare(struct store *base, const char *sql)
{
    struct sq_store *s = (struct sq_store *)base;
    struct stmt **slot = store_cache_slot(s->cache, sql);
    if (*slot && (*slot)->sql == sql) {
        struct sq_stmt *c = (struct sq_stmt *)*slot;
        /* As promised: reset, no bindings, even if a caller forgot stmt_done. */
        if (sqlite3_stmt_busy(c->st)) sqlite3_reset(c->st);
        sqlite3_clear_bindings(c->st);
        return &c->base;
    }
    struct sq_stmt *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->base.drv = &store_sqlite_driver;
    c->base.sql = sql;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->st, NULL) != SQLITE_OK) {
        log_error("sq_prepare", "%s — in: %s", sqlite3_errmsg(s->db), sql);
        free(c);
        return NULL;
    }
    int n = sqlite3_bind_parameter_count(c->st);
    for (int i = 1; i <= n; i++) {
        const char *name = sqlite3_bind_parameter_name(c->st, i);
        int k = name && name[0] == '$' ? atoi(name + 1) : 0;
        if (k < 1 || k > MAX_PARAMS) {
            log_error("sq_prepare", "placeholders must be $1…$%d in: %s", MAX_PARAMS, sql);
            sqlite3_finalize(c->st);
            free(c);
            return NULL;
        }
        c->map[k] = i;
    }
    if (*slot) { /* table full: should not happen with literal SQL */
        sqlite3_finalize(((struct sq_stmt *)*slot)->st);
        free(*slot);
    }
    *slot = &c->base;
    return &c->base;
}

static int idx(struct stmt *st, int n)
{
    struct sq_stmt *c = (struct sq_stmt *)st;
    return n >= 1 && n <= MAX_PARAMS ? c->map[n] : 0;
}

static void sq_bind_int(struct stmt *st, int n, int64_t v)
{
    int i = idx(st, n);
    if (i) sqlite3_bind_int64(((struct sq_stmt *)st)->st, i, v);
}

static void sq_bind_text(struct stmt *st, int n, const char *v)
{
    int i = idx(st, n);
    if (!i) return;
    if (v) sqlite3_bind_text(((struct sq_stmt *)st)->st, i, v, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(((struct sq_stmt *)st)->st, i);
}

static void sq_bind_blob(struct stmt *st, int n, const void *v, size_t len)
{
    int i = idx(st, n);
    if (i) sqlite3_bind_blob64(((struct sq_stmt *)st)->st, i, v, len, SQLITE_TRANSIENT);
}

static void sq_bind_null(struct stmt *st, int n)
{
    int i = idx(st, n);
    if (i) sqlite3_bind_null(((struct sq_stmt *)st)->st, i);
}

static int sq_step(struct stmt *st)
{
    struct sq_stmt *c = (struct sq_stmt *)st;
    /* A write outside a transaction (session touch, audit…) queues on the
     * same lock as write transactions, until the statement is reset. */
    if (!c->locked && !sqlite3_stmt_readonly(c->st) && sqlite3_get_autocommit(sqlite3_db_handle(c->st)))
        c->locked = store_write_enter();
    int rc = sqlite3_step(c->st);
    if (rc == SQLITE_ROW) return STORE_ROW;
    if (rc == SQLITE_DONE) return STORE_DONE;
    log_error("sq_step", "%s — in: %s", sqlite3_errmsg(sqlite3_db_handle(c->st)), c->base.sql);
    return STORE_ERR;
}

static int64_t sq_int(struct stmt *st, int col) { return sqlite3_column_int64(((struct sq_stmt *)st)->st, col); }

static const char *sq_text(struct stmt *st, int col)
{
    return (const char *)sqlite3_column_text(((struct sq_stmt *)st)->st, col);
}

static bool sq_null(struct stmt *st, int col)
{
    return sqlite3_column_type(((struct sq_stmt *)st)->st, col) == SQLITE_NULL;
}

static const void *sq_blob(struct stmt *st, int col, size_t *len)
{
    sqlite3_stmt *q = ((struct sq_stmt *)st)->st;
    const void *v = sqlite3_column_blob(q, col);
    *len = (size_t)sqlite3_column_bytes(q, col);
    return v;
}

static void sq_done(struct stmt *st)
{
    struct sq_stmt *c = (struct sq_stmt *)st;
    sqlite3_reset(c->st);
    sqlite3_clear_bindings(c->st);
    if (c->locked) {
        c->locked = false;
        store_write_leave();
    }
}

static int64_t sq_changes(struct store *s) { return sqlite3_changes64(((struct sq_store *)s)->db); }

static int sq_exec_script(struct store *base, const char *sql)
{
    struct sq_store *s = (struct sq_store *)base;
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("sq_exec_script", "%s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int sq_backup(struct store *base, const char *path)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3 *dst = NULL;
    int rc = sqlite3_open(path, &dst);
    if (rc == SQLITE_OK) {
        sqlite3_backup *b = sqlite3_backup_init(dst, "main", s->db, "main");
        if (b) {
            sqlite3_backup_step(b, -1);
            sqlite3_backup_finish(b);
        }
        rc = sqlite3_errcode(dst);
    }
    sqlite3_close(dst);
    return rc == SQLITE_OK ? 0 : -1;
}

const struct store_driver store_sqlite_driver = {
    .name = "sqlite",
    .id_type = "INTEGER PRIMARY KEY",
    .blob_type = "BLOB",
    .begin_write = "BEGIN IMMEDIATE",
    .begin_read = "BEGIN",
    .one_writer = true,
    .open = sq_open,
    .close = sq_close,
    .prepare = sq_prepare,
    .bind_int = sq_bind_int,
    .bind_text = sq_bind_text,
    .bind_null = sq_bind_null,
    .bind_blob = sq_bind_blob,
    .step = sq_step,
    .col_int = sq_int,
    .col_text = sq_text,
    .col_null = sq_null,
    .col_blob = sq_blob,
    .done = sq_done,
    .changes = sq_changes,
    .exec_script = sq_exec_script,
    .backup = sq_backup,
    .error = sq_error,
    .migrations = assets_sql_sqlite,
    .nmigrations = &assets_sql_sqlite_count,
    .message_search = store_sqlite_message_search,
};
