/* store_pg.c — PostgreSQL driver (libpq): one connection per store (a store
 * is one thread's), statements prepared once per connection with generated
 * names and cached by the address of the SQL literal, parameters sent as
 * text (integers in decimal) or binary (blobs), results read as text.
 *
 * Statements asked ahead (store_q_ahead) are queued in libpq's pipeline
 * mode; the batch goes to the server, ended by one Sync, when the first of
 * their results is needed (stepped, or a statement not asked ahead is run:
 * it then joins the batch). Their results are read in order. A round trip
 * to the server costs more than most of Carnet's statements: a page whose
 * reads go together waits once instead of once each. Only reads are asked
 * ahead: an error in one fails the rest of its batch (within a transaction
 * it would fail the transaction anyway). The BEGIN and COMMIT of a page's
 * read snapshot are sent without waiting for their result (pg_forget). */
#include "store_impl.h"
#include "../core/log.h"
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG_MAX_PARAMS 32
#define PG_INT_TEXT 24       /* room for an int64_t in decimal */
#define PG_QUEUE 64          /* statements sent ahead, results not yet read */

struct pg_stmt {
    struct stmt base;
    struct pg_store *owner;
    char name[16];
    int nparams;                          /* highest $n in the SQL */
    const char *values[PG_MAX_PARAMS];    /* NULL: SQL NULL */
    int lengths[PG_MAX_PARAMS];
    int formats[PG_MAX_PARAMS];           /* 0 text, 1 binary */
    Oid types[PG_MAX_PARAMS];             /* of the first execution's values */
    bool prepared;                        /* on the server, at the first step */
    char ints[PG_MAX_PARAMS][PG_INT_TEXT];
    void *copies[PG_MAX_PARAMS];          /* text and blobs bound, copied */
    PGresult *res;                        /* after the first step */
    int row, nrows;
    unsigned char *blob;                  /* the last bytea column decoded */
    bool queued;                          /* sent ahead, result not yet read */
    bool retry;                           /* …sent on an idle connection with nothing ahead */
    bool ran;                             /* its result was read (res may be NULL: an error) */
    bool started;                         /* stepped: its rows are being read */
};

/* A statement sent, whose result is still to be read, in the order sent. */
enum pending_kind {
    PENDING_READ,    /* its result goes to its statement (queued), read by a step */
    PENDING_FORGET,  /* nobody reads it (a read snapshot's BEGIN, COMMIT): an error is a warning */
    PENDING_CHECK,   /* a write of a transaction (store_run_later): an error fails the commit */
};
struct pg_pending {
    struct pg_stmt *c;
    enum pending_kind kind;
    bool parse;                           /* its Parse went with it */
    bool sync_after;                      /* the Sync that ends its batch follows it */
};

struct pg_store {
    struct store base;
    PGconn *conn;
    unsigned next_name;
    int64_t changes;
    char err[256];                        /* an error of the driver's own */
    char *url;                            /* for pg_dump and pg_restore */
    struct pg_pending queue[PG_QUEUE];    /* sent ahead, in the order sent */
    int qhead, qlen;
    bool unsynced;                        /* the last queued has no Sync after it yet */
    bool later_failed;                    /* a statement run later failed: the transaction did */
    struct stmt *cache[STORE_CACHE_SLOTS];
};

static void drain(struct pg_store *s, struct pg_stmt *upto);

/* The last statement sent. */
static struct pg_pending *last_sent(struct pg_store *s) { return &s->queue[(s->qhead + s->qlen - 1) % PG_QUEUE]; }

/* Forget what was sent and not read (the connection is closing or was reset). */
static void queue_drop(struct pg_store *s)
{
    for (int i = 0; i < s->qlen; i++) s->queue[(s->qhead + i) % PG_QUEUE].c->queued = false;
    s->qlen = 0;
    s->unsynced = false;
}

static void pg_quiet(void *arg, const char *msg) { (void)arg; (void)msg; }

static const char *pg_error(struct store *base)
{
    struct pg_store *s = (struct pg_store *)base;
    if (s->err[0]) return s->err;
    return PQerrorMessage(s->conn);
}

/* The session's settings, on a new or reset connection. */
static bool session_setup(struct pg_store *s)
{
    PGresult *r = PQexec(s->conn, "SET client_encoding = 'UTF8'; SET client_min_messages = warning; SET TIME ZONE 'UTC'");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok;
}

/* Open url (a libpq URI, postgresql://…). Allocates; pg_close frees. */
static struct store *pg_open(const char *url, char *err, size_t errlen)
{
    struct pg_store *s = calloc(1, sizeof *s);
    if (!s) { snprintf(err, errlen, "out of memory"); return NULL; }
    s->base.drv = &store_pg_driver;
    s->url = strdup(url);
    s->conn = PQconnectdb(url);
    if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
        const char *m = s->conn ? PQerrorMessage(s->conn) : "out of memory";
        size_t n = strlen(m);
        while (n && (m[n - 1] == '\n' || m[n - 1] == ' ')) n--;
        snprintf(err, errlen, "cannot connect to PostgreSQL: %.*s", (int)n, m);
        PQfinish(s->conn);
        free(s->url);
        free(s);
        return NULL;
    }
    PQsetNoticeProcessor(s->conn, pg_quiet, NULL);
    if (!session_setup(s)) {
        snprintf(err, errlen, "cannot set up the PostgreSQL session: %s", PQerrorMessage(s->conn));
        PQfinish(s->conn);
        free(s->url);
        free(s);
        return NULL;
    }
    return &s->base;
}

static void stmt_clear(struct pg_stmt *c)
{
    if (c->queued) drain(c->owner, c); /* its result comes before any other's */
    c->ran = c->started = false;
    PQclear(c->res);
    c->res = NULL;
    c->row = c->nrows = 0;
    free(c->blob);
    c->blob = NULL;
    for (int i = 0; i < PG_MAX_PARAMS; i++) {
        free(c->copies[i]);
        c->copies[i] = NULL;
        c->values[i] = NULL;
        c->lengths[i] = 0;
        c->formats[i] = 0;
        c->types[i] = 0;
    }
}

static void pg_close(struct store *base)
{
    struct pg_store *s = (struct pg_store *)base;
    queue_drop(s); /* the connection closes with whatever it was still to read */
    for (int i = 0; i < STORE_CACHE_SLOTS; i++) {
        if (s->cache[i]) {
            stmt_clear((struct pg_stmt *)s->cache[i]);
            free(s->cache[i]);
        }
    }
    PQfinish(s->conn);
    free(s->url);
    free(s);
}

/* The highest $n of sql outside quotes and comments, 0 when none; -1 when a
 * placeholder is not $1…$PG_MAX_PARAMS or another style is used (?, :name). */
static int placeholders(const char *sql)
{
    int max = 0;
    for (const char *p = sql; *p; p++) {
        if (*p == '\'' || *p == '"') { /* a literal or a quoted name: skip to its end */
            char q = *p;
            for (p++; *p && *p != q; p++) {}
            if (!*p) return max;
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n') p++;
            if (!*p) return max;
        } else if (*p == '?') {
            return -1;
        } else if (*p == ':' && p[1] != ':' && (p == sql || p[-1] != ':') &&
                   ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z') || p[1] == '_')) {
            return -1;
        } else if (*p == '$') {
            int n = 0, digits = 0;
            while (p[1] >= '0' && p[1] <= '9' && digits < 4) { n = n * 10 + (p[1] - '0'); p++; digits++; }
            if (!digits || n < 1 || n > PG_MAX_PARAMS) return -1;
            if (n > max) max = n;
        }
    }
    return max;
}

/* End the batch being sent with a Sync, and flush it to the server. */
static void s_sync(struct pg_store *s)
{
    if (!s->unsynced) return;
    s->unsynced = false;
    if (!PQpipelineSync(s->conn)) log_warn("pg_step", "%s", PQerrorMessage(s->conn));
}

static struct stmt *pg_prepare(struct store *base, const char *sql)
{
    struct pg_store *s = (struct pg_store *)base;
    struct stmt **slot = store_cache_slot(s->cache, sql);
    if (*slot && (*slot)->sql == sql) {
        stmt_clear((struct pg_stmt *)*slot); /* as promised: reset, no bindings */
        return *slot;
    }
    int n = placeholders(sql);
    if (n < 0) {
        log_error("pg_prepare", "placeholders must be $1…$%d in: %s", PG_MAX_PARAMS, sql);
        return NULL;
    }
    struct pg_stmt *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->base.drv = &store_pg_driver;
    c->owner = s;
    c->base.sql = sql;
    c->nparams = n;
    snprintf(c->name, sizeof c->name, "s%u", s->next_name++);
    if (*slot) { /* table full: should not happen with literal SQL */
        stmt_clear((struct pg_stmt *)*slot);
        free(*slot);
    }
    *slot = &c->base;
    return &c->base;
}

/* The index of parameter $n in the arrays, or -1 when the SQL has no $n. */
static int param(struct pg_stmt *c, int n)
{
    if (n < 1 || n > c->nparams) return -1;
    free(c->copies[n - 1]);
    c->copies[n - 1] = NULL;
    c->formats[n - 1] = 0;
    c->lengths[n - 1] = 0;
    c->types[n - 1] = 0;
    return n - 1;
}

static void pg_bind_int(struct stmt *st, int n, int64_t v)
{
    struct pg_stmt *c = (struct pg_stmt *)st;
    int i = param(c, n);
    if (i < 0) return;
    snprintf(c->ints[i], PG_INT_TEXT, "%" PRId64, v);
    c->values[i] = c->ints[i];
    c->types[i] = 20; /* INT8OID */
}

static void pg_bind_text(struct stmt *st, int n, const char *v)
{
    struct pg_stmt *c = (struct pg_stmt *)st;
    int i = param(c, n);
    if (i < 0) return;
    c->copies[i] = v ? strdup(v) : NULL;
    c->values[i] = c->copies[i];
}

static void pg_bind_null(struct stmt *st, int n)
{
    struct pg_stmt *c = (struct pg_stmt *)st;
    int i = param(c, n);
    if (i >= 0) c->values[i] = NULL;
}

static void pg_bind_blob(struct stmt *st, int n, const void *v, size_t len)
{
    struct pg_stmt *c = (struct pg_stmt *)st;
    int i = param(c, n);
    if (i < 0 || len > INT32_MAX) return;
    c->copies[i] = malloc(len ? len : 1);
    if (!c->copies[i]) { c->values[i] = NULL; return; }
    if (len) memcpy(c->copies[i], v, len);
    c->values[i] = c->copies[i];
    c->lengths[i] = (int)len;
    c->formats[i] = 1;
    c->types[i] = 17; /* BYTEAOID */
}

/* Prepare c on the server, at its first execution: an integer bound is
 * declared bigint and a blob bytea, so that "$1 + $2" or "$1 < $2" mean what
 * they mean in SQLite; text and NULL are left for the server to infer. */
static int pg_server_prepare(struct pg_stmt *c)
{
    struct pg_store *s = c->owner;
    PGresult *r = PQprepare(s->conn, c->name, c->base.sql, c->nparams, c->types);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) {
        log_error("pg_prepare", "%s — in: %s", PQresultErrorMessage(r), c->base.sql);
        snprintf(s->err, sizeof s->err, "%s", PQresultErrorMessage(r));
    }
    PQclear(r);
    c->prepared = ok;
    return ok ? 0 : -1;
}

/* After the server dropped the connection: connect again with the same
 * parameters; every statement is prepared again at its next use. */
static bool pg_reconnect(struct pg_store *s)
{
    queue_drop(s);
    PQreset(s->conn);
    if (PQpipelineStatus(s->conn) != PQ_PIPELINE_OFF) PQexitPipelineMode(s->conn);
    if (PQstatus(s->conn) != CONNECTION_OK || !session_setup(s)) return false;
    for (int i = 0; i < STORE_CACHE_SLOTS; i++)
        if (s->cache[i]) ((struct pg_stmt *)s->cache[i])->prepared = false;
    log_warn("pg_step", "the connection to PostgreSQL was lost and opened again");
    return true;
}

/* Execute c (prepared first if it is not yet on this connection); c->res
 * holds the result (NULL when the prepare failed). */
static ExecStatusType pg_exec(struct pg_stmt *c)
{
    struct pg_store *s = c->owner;
    if (!c->prepared && pg_server_prepare(c) < 0) return PGRES_FATAL_ERROR;
    c->res = PQexecPrepared(s->conn, c->name, c->nparams, c->values, c->lengths, c->formats, 0);
    return PQresultStatus(c->res);
}

/* Send c into the pipeline (its Parse first on its first use, then its
 * Execute) and queue it; the Sync that ends the batch goes when a result is
 * needed (drain). Its values are copied into libpq's buffer: a statement
 * whose result nobody reads may be bound and sent again at once. False
 * when it could not be sent: the queue is then read out and c is left to
 * run on its own. */
static bool pg_send(struct pg_stmt *c, enum pending_kind kind)
{
    struct pg_store *s = c->owner;
    if (kind == PENDING_READ && (c->queued || c->ran)) return true;
    if (s->qlen == PG_QUEUE) drain(s, NULL);
    bool idle = !s->qlen && PQtransactionStatus(s->conn) == PQTRANS_IDLE;
    if (PQpipelineStatus(s->conn) == PQ_PIPELINE_OFF && !PQenterPipelineMode(s->conn)) return false;
    bool parse = !c->prepared;
    if ((parse && !PQsendPrepare(s->conn, c->name, c->base.sql, c->nparams, c->types)) ||
        !PQsendQueryPrepared(s->conn, c->name, c->nparams, c->values, c->lengths, c->formats, 0)) {
        /* Only a broken connection refuses: what went before is lost too. */
        drain(s, NULL);
        if (parse) c->prepared = false;
        return false;
    }
    c->prepared = true;
    if (kind == PENDING_READ) {
        c->retry = idle;
        c->queued = true;
    }
    s->queue[(s->qhead + s->qlen++) % PG_QUEUE] = (struct pg_pending){.c = c, .kind = kind, .parse = parse};
    s->unsynced = true;
    return true;
}

/* The next result of the pipeline, NULL when there is none (the end of a
 * statement's results, or a connection that is gone). */
static PGresult *next_result(struct pg_store *s)
{
    return PQstatus(s->conn) == CONNECTION_OK ? PQgetResult(s->conn) : NULL;
}

/* Read the results of the queue in order, up to and with upto's (NULL: all
 * of it), each into its statement; leave pipeline mode when the queue is
 * empty. */
static void drain(struct pg_store *s, struct pg_stmt *upto)
{
    /* The batch goes now, with one Sync after its last statement. */
    if (s->unsynced && s->qlen) last_sent(s)->sync_after = true;
    s_sync(s);
    while (s->qlen) {
        struct pg_pending e = s->queue[s->qhead];
        struct pg_stmt *c = e.c;
        s->qhead = (s->qhead + 1) % PG_QUEUE;
        s->qlen--;
        PGresult *r;
        if (e.parse) {
            r = next_result(s);
            if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) c->prepared = false;
            if (r && PQresultStatus(r) != PGRES_COMMAND_OK)
                log_error("pg_prepare", "%s — in: %s", PQresultErrorMessage(r), c->base.sql);
            PQclear(r);
            if (r) PQclear(next_result(s)); /* the end of the Parse's results */
        }
        PGresult *res = next_result(s);
        if (res) {
            while ((r = next_result(s))) PQclear(r); /* up to the end of its results */
            if (e.sync_after) PQclear(next_result(s)); /* the Sync of the batch */
        }
        ExecStatusType rs = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        if (e.kind == PENDING_READ) {
            c->queued = false;
            c->ran = true;
            c->res = res;
            if (c == upto) break;
            continue;
        }
        if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK) {
            const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(s->conn);
            if (e.kind == PENDING_CHECK) {
                s->later_failed = true;
                log_error("pg_step", "%s — in: %s", m, c->base.sql);
            } else {
                log_warn("pg_step", "%s — in: %s", m, c->base.sql);
            }
        }
        PQclear(res);
    }
    if (!s->qlen && PQpipelineStatus(s->conn) != PQ_PIPELINE_OFF && PQstatus(s->conn) == CONNECTION_OK)
        PQexitPipelineMode(s->conn);
}

/* Run c: at once when nothing is ahead of it, else after what is. */
static ExecStatusType pg_run(struct pg_stmt *c, bool *idle)
{
    struct pg_store *s = c->owner;
    if (!c->queued && !c->ran && s->qlen) pg_send(c, PENDING_READ); /* refused: the queue was read out */
    if (c->queued) drain(s, c);
    if (c->ran) {
        *idle = c->retry;
        return c->res ? PQresultStatus(c->res) : PGRES_FATAL_ERROR;
    }
    *idle = PQtransactionStatus(s->conn) == PQTRANS_IDLE;
    return pg_exec(c);
}

static int pg_step(struct stmt *st);
static void pg_ahead(struct stmt *st) { pg_send((struct pg_stmt *)st, PENDING_READ); }

/* A statement whose result nobody waits for: the BEGIN and COMMIT of a
 * page's read snapshot (forget), a write of a transaction (check: its
 * error fails the commit). Sent now; forgotten ones are flushed at once
 * (a COMMIT must not wait for the next request); its statement is free to
 * be bound and sent again. */
static void pg_later(struct stmt *st, enum pending_kind kind)
{
    struct pg_stmt *c = (struct pg_stmt *)st;
    if (!pg_send(c, kind)) {
        if (pg_step(st) == STORE_ERR && kind == PENDING_CHECK) c->owner->later_failed = true;
    } else if (kind == PENDING_FORGET) {
        last_sent(c->owner)->sync_after = true;
        s_sync(c->owner);
    }
    stmt_clear(c);
}

static void pg_forget(struct stmt *st) { pg_later(st, PENDING_FORGET); }
static void pg_run_later(struct stmt *st) { pg_later(st, PENDING_CHECK); }

static bool pg_later_failed(struct store *base)
{
    struct pg_store *s = (struct pg_store *)base;
    drain(s, NULL);
    bool failed = s->later_failed;
    s->later_failed = false;
    return failed;
}

static int pg_step(struct stmt *st)
{
    struct pg_stmt *c = (struct pg_stmt *)st;
    free(c->blob);
    c->blob = NULL;
    if (!c->started) {
        c->started = true;
        struct pg_store *s = c->owner;
        s->err[0] = 0;
        /* Outside a transaction, a connection the server dropped (a
         * restart, a failover) is opened again and the statement retried
         * once: nothing was half done. Inside one, the error goes up and
         * the transaction is lost as a whole. */
        bool idle = false;
        ExecStatusType rs = pg_run(c, &idle);
        if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK && idle && PQstatus(s->conn) == CONNECTION_BAD && pg_reconnect(s)) {
            PQclear(c->res);
            c->res = NULL;
            rs = pg_exec(c);
        }
        if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK) {
            const char *m = c->res ? PQresultErrorMessage(c->res) : PQerrorMessage(s->conn);
            if (c->res || PQstatus(s->conn) != CONNECTION_OK) { /* else the prepare failed and said why */
                log_error("pg_step", "%s — in: %s", m, c->base.sql);
                snprintf(s->err, sizeof s->err, "%s", m);
            }
            PQclear(c->res);
            c->res = NULL;
            return STORE_ERR;
        }
        const char *t = PQcmdTuples(c->res);
        s->changes = *t ? strtoll(t, NULL, 10) : 0;
        c->nrows = rs == PGRES_TUPLES_OK ? PQntuples(c->res) : 0;
        c->row = -1;
    }
    if (!c->res) return STORE_ERR;
    if (c->row + 1 >= c->nrows) {
        c->row = c->nrows;
        return STORE_DONE;
    }
    c->row++;
    return STORE_ROW;
}

static bool in_row(struct pg_stmt *c, int col)
{
    return c->res && c->row >= 0 && c->row < c->nrows && col >= 0 && col < PQnfields(c->res);
}

static int64_t pg_int(struct stmt *st, int col)
{
    struct pg_stmt *c = (struct pg_stmt *)st;
    if (!in_row(c, col) || PQgetisnull(c->res, c->row, col)) return 0;
    const char *v = PQgetvalue(c->res, c->row, col);
    if (v[0] == 't' && !v[1]) return 1; /* booleans */
    if (v[0] == 'f' && !v[1]) return 0;
    return strtoll(v, NULL, 10);
}

static const char *pg_text(struct stmt *st, int col)
{
    struct pg_stmt *c = (struct pg_stmt *)st;
    if (!in_row(c, col) || PQgetisnull(c->res, c->row, col)) return NULL;
    return PQgetvalue(c->res, c->row, col);
}

static bool pg_null(struct stmt *st, int col)
{
    struct pg_stmt *c = (struct pg_stmt *)st;
    return !in_row(c, col) || PQgetisnull(c->res, c->row, col);
}

/* A bytea column comes as text (\x and hex digits): decoded into c->blob,
 * kept until the next step. Other columns are given as their text. */
static const void *pg_blob(struct stmt *st, int col, size_t *len)
{
    struct pg_stmt *c = (struct pg_stmt *)st;
    *len = 0;
    if (!in_row(c, col) || PQgetisnull(c->res, c->row, col)) return NULL;
    const char *v = PQgetvalue(c->res, c->row, col);
    if (PQftype(c->res, col) != 17 /* BYTEAOID */) {
        *len = (size_t)PQgetlength(c->res, c->row, col);
        return v;
    }
    free(c->blob);
    c->blob = PQunescapeBytea((const unsigned char *)v, len);
    return c->blob ? (const void *)c->blob : (const void *)"";
}

static void pg_done(struct stmt *st) { stmt_clear((struct pg_stmt *)st); }

static int64_t pg_changes(struct store *s) { return ((struct pg_store *)s)->changes; }

static int pg_exec_script(struct store *base, const char *sql)
{
    struct pg_store *s = (struct pg_store *)base;
    drain(s, NULL);
    s->err[0] = 0;
    PGresult *r = PQexec(s->conn, sql);
    ExecStatusType rs = PQresultStatus(r);
    int rc = rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK || rs == PGRES_EMPTY_QUERY ? 0 : -1;
    if (rc < 0) {
        log_error("pg_exec_script", "%s", PQresultErrorMessage(r));
        snprintf(s->err, sizeof s->err, "%s", PQresultErrorMessage(r));
    }
    PQclear(r);
    return rc;
}

/* Run argv (PostgreSQL's client tools, found in PATH) without a shell;
 * its standard output into out (NUL-terminated, cut to outlen) when out is
 * given, else discarded; its standard error goes to ours. The exit status,
 * or -1 when it could not run. */
static int run_tool(struct pg_store *s, char *const argv[], char *out, size_t outlen)
{
    /* The password goes to the tool in its environment, not on its command
     * line (which every user of the machine can read). */
    extern char **environ;
    size_t nenv = 0;
    while (environ[nenv]) nenv++;
    char **env = calloc(nenv + 2, sizeof *env);
    if (!env) return -1;
    memcpy(env, environ, nenv * sizeof *env);
    const char *pass = PQpass(s->conn);
    char *pw = NULL;
    if (pass && *pass && asprintf(&pw, "PGPASSWORD=%s", pass) < 0) pw = NULL;
    env[nenv] = pw;
    int fd[2], rc = -1;
    if (pipe(fd) < 0) goto done;
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        goto done;
    }
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        execvpe(argv[0], argv, env);
        _exit(127);
    }
    close(fd[1]);
    size_t n = 0;
    char chunk[4096];
    for (;;) {
        ssize_t k = read(fd[0], chunk, sizeof chunk);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        for (ssize_t i = 0; out && i < k && n + 1 < outlen; i++) out[n++] = chunk[i];
    }
    if (out && outlen) out[n] = 0;
    close(fd[0]);
    int status = 0;
    pid_t w;
    while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR) continue;
    rc = w == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
done:
    free(pw);
    free(env);
    return rc;
}

/* The database's URL without its password (given to the tools apart):
 * "scheme://user:secret@host…" becomes "scheme://user@host…". Allocates. */
static char *url_without_password(const char *url)
{
    char *u = strdup(url);
    char *start = u ? strstr(u, "://") : NULL;
    if (!start) return u;
    start += 3;
    char *at = strchr(start, '@'), *slash = strchr(start, '/');
    if (!at || (slash && slash < at)) return u;
    char *colon = memchr(start, ':', (size_t)(at - start));
    if (colon) memmove(colon, at, strlen(at) + 1);
    return u;
}

/* A PostgreSQL database is copied by pg_dump, in its custom format (what
 * carnet restore and pg_restore read), from a consistent snapshot while the
 * nodes keep serving. */
static int pg_backup(struct store *base, const char *path)
{
    struct pg_store *s = (struct pg_store *)base;
    char *url = url_without_password(s->url), *file = NULL, *db = NULL;
    int rc = -1;
    if (url && asprintf(&file, "--file=%s", path) >= 0 && asprintf(&db, "--dbname=%s", url) >= 0) {
        char *argv[] = {"pg_dump", "--format=custom", "--no-owner", "--no-privileges", file, db, NULL};
        rc = run_tool(s, argv, NULL, 0);
        if (rc != 0) {
            snprintf(s->err, sizeof s->err, rc < 0 || rc == 127 ? "cannot run pg_dump (postgresql-client)" : "pg_dump failed (status %d)", rc);
            log_error("pg_backup", "%s", s->err);
        }
    }
    free(url);
    free(file);
    free(db);
    return rc == 0 ? 0 : -1;
}

int store_pg_restore(struct store *base, const char *from, int64_t known, int64_t *applied, char *why, size_t whylen)
{
    struct pg_store *s = (struct pg_store *)base;
    size_t cap = 1 << 20;
    char *out = malloc(cap), *url = url_without_password(s->url), *db = NULL, *file = strdup(from);
    int rc = -1;
    if (!out || !url || !file || asprintf(&db, "--dbname=%s", url) < 0) {
        db = NULL;
        snprintf(why, whylen, "out of memory");
        goto done;
    }
    /* What the archive holds: a pg_dump archive at all, then Carnet's. */
    char *list[] = {"pg_restore", "--list", file, NULL};
    if (run_tool(s, list, out, cap) != 0) {
        snprintf(why, whylen, "it is not a PostgreSQL archive made by carnet backup (pg_dump --format=custom)");
        goto done;
    }
    if (!strstr(out, " TABLE DATA public schema_migration ")) {
        snprintf(why, whylen, "it is not a Carnet database");
        goto done;
    }
    /* Its migrations: the rows of schema_migration, as COPY text. */
    char *rows[] = {"pg_restore", "--data-only", "--table=schema_migration", "--file=-", file, NULL};
    if (run_tool(s, rows, out, cap) != 0) {
        snprintf(why, whylen, "its list of migrations cannot be read");
        goto done;
    }
    int64_t n = 0;
    const char *p = strstr(out, "COPY public.schema_migration");
    for (p = p ? strchr(p, '\n') : NULL; p && p[1] && strncmp(p + 1, "\\.", 2); p = strchr(p + 1, '\n')) n++;
    *applied = n;
    if (n == 0) {
        snprintf(why, whylen, "it is not a Carnet database");
        goto done;
    }
    if (n > known) {
        snprintf(why, whylen, "it comes from a newer Carnet (more migrations than this one knows)");
        goto done;
    }
    /* One transaction: all of it, or the database as it was. */
    char *restore[] = {"pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                       "--exit-on-error", db, file, NULL};
    int st = run_tool(s, restore, NULL, 0);
    if (st != 0) {
        snprintf(why, whylen, st < 0 || st == 127 ? "cannot run pg_restore (postgresql-client)" : "pg_restore failed (status %d)", st);
        goto done;
    }
    rc = 0;
done:
    free(out);
    free(url);
    free(db);
    free(file);
    return rc;
}

/* Every identity column "id" of the schema restarts after its table's
 * largest id (SQLite's INTEGER PRIMARY KEY does this by itself). */
static int pg_resync_ids(struct store *s)
{
    return pg_exec_script(s,
        "DO $$ DECLARE r record; BEGIN"
        " FOR r IN SELECT table_name FROM information_schema.columns"
        "  WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES' LOOP"
        "  EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), coalesce((SELECT max(id) FROM %I), 0) + 1, false)',"
        "   r.table_name, r.table_name);"
        " END LOOP; END $$");
}

static void pg_recover(struct store *base)
{
    struct pg_store *s = (struct pg_store *)base;
    drain(s, NULL); /* the last page's COMMIT, read now: nothing is ahead of the next statement */
    if (PQstatus(s->conn) == CONNECTION_BAD) pg_reconnect(s);
}

const struct store_driver store_pg_driver = {
    .name = "postgresql",
    .id_type = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    .blob_type = "BYTEA",
    .begin_write = "BEGIN",
    .begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    .one_writer = false,
    .migrate_lock = "SELECT pg_advisory_lock(7400620865)",     /* "carnet" */
    .migrate_unlock = "SELECT pg_advisory_unlock(7400620865)",
    .open = pg_open,
    .close = pg_close,
    .prepare = pg_prepare,
    .bind_int = pg_bind_int,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .bind_blob = pg_bind_blob,
    .step = pg_step,
    .col_int = pg_int,
    .col_text = pg_text,
    .col_null = pg_null,
    .col_blob = pg_blob,
    .done = pg_done,
    .ahead = pg_ahead,
    .forget = pg_forget,
    .run_later = pg_run_later,
    .later_failed = pg_later_failed,
    .changes = pg_changes,
    .exec_script = pg_exec_script,
    .backup = pg_backup,
    .resync_ids = pg_resync_ids,
    .recover = pg_recover,
    .error = pg_error,
    .migrations = assets_sql_postgresql,
    .nmigrations = &assets_sql_postgresql_count,
    .message_search = store_pg_message_search,
};
