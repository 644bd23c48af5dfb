/* store.h — the one interface to the database.
 *
 * SQL is literal text with $1…$n placeholders, prepared once per connection
 * and cached by the address of the SQL literal; values are always bound.
 * Each thread uses its own connection (store_thread()). Drivers: SQLite
 * (store_sqlite.c) and PostgreSQL (store_pg.c, libpq). */
#ifndef CARNET_STORE_H
#define CARNET_STORE_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "../core/limits.h"

struct store;
struct stmt;

enum { STORE_ERR = -1, STORE_DONE = 0, STORE_ROW = 1 };

/* Open a connection to url ("sqlite:PATH", a plain path, or a PostgreSQL
 * URI "postgresql://user@host:port/db"). On failure
 * returns NULL and writes a message into err. Allocates; store_close frees. */
struct store *store_open(const char *url, char *err, size_t errlen);
void store_close(struct store *s);

/* Process-wide set-up of the drivers, before any connection or thread. */
void store_init(void);
/* Set the URL that store_thread() connects to (once, at start-up). */
void store_set_default(const char *url);
/* This thread's connection to the default URL, opened on first use and
 * closed when the thread ends. NULL (logged) if it cannot be opened. */
struct store *store_thread(void);
/* Close this thread's connection now (used by single-threaded commands). */
void store_thread_close(void);

/* Prepared statement for sql (a string literal: cached by its address).
 * The statement comes back reset with no bindings. NULL on error (logged). */
struct stmt *store_prepare(struct store *s, const char *sql);
void stmt_bind_int(struct stmt *st, int n, int64_t v);
void stmt_bind_text(struct stmt *st, int n, const char *v); /* NULL binds NULL */
void stmt_bind_null(struct stmt *st, int n);
/* Binary data (files); copied. */
void stmt_bind_blob(struct stmt *st, int n, const void *v, size_t len);
/* STORE_ROW, STORE_DONE or STORE_ERR (logged). */
int stmt_step(struct stmt *st);
int64_t stmt_int(struct stmt *st, int col);
/* Text of a column, valid until the next step or stmt_done; NULL for NULL. */
const char *stmt_text(struct stmt *st, int col);
bool stmt_is_null(struct stmt *st, int col);
/* Bytes of a binary column and their number, valid like stmt_text. */
const void *stmt_blob(struct stmt *st, int col, size_t *len);
/* Finish with a statement: reset it and clear its bindings. */
void stmt_done(struct stmt *st);

/* Prepare sql and bind arguments by a type string: 'i' int64_t, 'N' int64_t
 * where 0 binds NULL, 't' const char * (NULL binds NULL), 'b' const void * then size_t
 * (binary data). Returns the statement ready to step, or NULL. */
struct stmt *store_q(struct store *s, const char *sql, const char *types, ...);
/* The same, sent to the database at once where the driver can (PostgreSQL:
 * without waiting for its result, which is read at its first step).
 * Statements asked ahead one after another before any of their rows is
 * read travel together: one round trip to the server instead of one each.
 * Their rows may be read in any order. Never ask ahead the same SQL twice
 * before reading the first (a statement is cached by its SQL). SQLite runs
 * it at its first step, like store_q. */
struct stmt *store_q_ahead(struct store *s, const char *sql, const char *types, ...);
/* Inside a write transaction (store_begin … store_commit), run a statement
 * that returns no row without waiting for its result where the driver can
 * (PostgreSQL: the writes of a loop go to the server together, one round
 * trip for many). Its error is then known at store_commit, which fails: the
 * transaction is rolled back as a whole. Outside a transaction, and on
 * SQLite, it runs at once like store_run. 0, or -1 on an error known now. */
int store_run_later(struct store *s, const char *sql, const char *types, ...);
/* Run a statement that returns no row. 0 on success, -1 on error. */
int store_run(struct store *s, const char *sql, const char *types, ...);
/* Run a statement and read column 0 of its first row as an integer.
 * 1 when a row was found, 0 when none, -1 on error. */
int store_int(struct store *s, int64_t *out, const char *sql, const char *types, ...);
/* Rows changed by the last statement. */
int64_t store_changes(struct store *s);

/* At a point where no transaction is open (the start of a request, of a
 * background job's run): if the server dropped the connection (a restart,
 * a failover), open it again. Within a transaction a lost connection is
 * never opened again silently: the transaction fails as a whole. */
void store_recover(struct store *s);

/* Transactions. begin takes the write lock at once; begin_read opens a
 * read-only snapshot (one lock for all the reads of a page). 0 on success.
 *
 * One transaction at a time per connection: there is no nesting. A begin
 * while a transaction is open (a GET handler's own begin_read inside the
 * page's snapshot that app.c opened, a helper's begin inside its caller's
 * transaction) is refused: -1, nothing is sent to the database, the open
 * transaction goes on untouched, and an error naming the function that
 * asked and the one that opened the transaction is logged. So are an
 * end_read or a commit with no such transaction open (they do nothing).
 * Each such misuse also marks the connection (store_take_misuse): with
 * --test-hooks, app.c then fails the request with 500 so that the tests
 * see it. The macros pass the calling function's name. */
int store_begin_by(struct store *s, const char *caller);
int store_begin_read_by(struct store *s, const char *caller);
#define store_begin(s) store_begin_by((s), __func__)
#define store_begin_read(s) store_begin_read_by((s), __func__)
/* End a read snapshot (PostgreSQL: its COMMIT and its BEGIN are sent with
 * the statements around them; nobody waits for their result). */
void store_end_read_by(struct store *s, const char *caller);
#define store_end_read(s) store_end_read_by((s), __func__)
int store_commit_by(struct store *s, const char *caller);
#define store_commit(s) store_commit_by((s), __func__)
/* Roll back the write transaction; nothing when none is open (after a
 * begin that failed or was refused: a read snapshot is left to its owner). */
void store_rollback(struct store *s);
/* Whether a transaction was misused on s (see above) since the last call. */
bool store_take_misuse(struct store *s);
/* End of a request: a transaction left open (a bug: logged, with the
 * function that opened it) is ended — a write one rolled back — and false
 * returned, so that the write lock is never kept. */
bool store_end_request(struct store *s);

/* Run a script of several statements (migrations only; no parameters). */
int store_exec_script(struct store *s, const char *sql);
/* The name of the driver ("sqlite", "postgresql"), of a connection or of
 * the one a URL would open. */
const char *store_driver_name(struct store *s);
const char *store_url_driver(const char *url);
/* Whether several transactions may write at once (PostgreSQL), so that a
 * read that takes work must lock its rows (FOR UPDATE SKIP LOCKED); false
 * when writers take turns (SQLite, which has no FOR UPDATE). */
bool store_locks_rows(struct store *s);
/* Text substituted for {{ID}} in migrations by this driver. */
const char *store_id_type(struct store *s);
/* Last error message of the connection. */
const char *store_error(struct store *s);

/* Migrations (migrate.c): apply every embedded migration not yet applied:
 * the shared ones of sql/ (table schema_migration), then those of this
 * connection's driver, sql/<driver>/ (table schema_driver_migration), such as
 * its full-text index. Returns the number applied, or -1. */
int store_migrate(struct store *s);
/* After rows were inserted with explicit ids (the demo's bulk messages):
 * make the next generated ids follow the largest. 0 on success. */
int store_resync_ids(struct store *s);
/* PostgreSQL: put the archive from (made by store_backup: pg_dump's custom
 * format) back into s's database, in one transaction, after checking it is
 * a Carnet database with at most known migrations (their number in
 * *applied). -1 with the reason in why when refused or failed: the
 * database is then unchanged. */
int store_pg_restore(struct store *s, const char *from, int64_t known, int64_t *applied, char *why, size_t whylen);
/* Online copy of the database into path (SQLite backup API). 0 on success. */
int store_backup(struct store *s, const char *path);

/* ---- Full-text search of messages (S-MESSAGES) ------------------------------
 * The words are split here, the same for every driver; each driver turns them
 * into its own query (SQLite: an FTS5 MATCH over the index of migration
 * sql/sqlite/0001_message_fts.sql, in store_search_sqlite.c; PostgreSQL: a
 * tsquery over its own tsvector index). */

/* A person's search text as words: runs of letters and digits (any non-ASCII
 * character but common punctuation counts as a letter); everything else —
 * quotes, operators, punctuation, invalid UTF-8 — only separates words. A
 * French elision ("l'", "qu'") is dropped. At most LIMIT_SEARCH_TERMS words,
 * each cut to LIMIT_SEARCH_TERM_BYTES; the last one (or a cut one) matches as
 * a prefix ("elev" finds "élève"). */
struct store_terms {
    size_t n;
    struct store_term {
        char text[LIMIT_SEARCH_TERM_BYTES + 1];
        bool prefix;
    } term[LIMIT_SEARCH_TERMS];
};
/* Fill t from text (NULL: nothing). Returns t->n; 0 means there is nothing to
 * search for (empty, or only punctuation). No allocation. */
size_t store_search_terms(const char *text, struct store_terms *t);

/* Columns of the rows store_message_search() returns. */
enum store_search_col {
    STORE_SEARCH_MESSAGE_ID,   /* int */
    STORE_SEARCH_THREAD_ID,    /* int */
    STORE_SEARCH_SUBJECT,      /* text: the thread's subject */
    STORE_SEARCH_AUTHOR_FIRST, /* text: the author's first name */
    STORE_SEARCH_AUTHOR_LAST,  /* text: the author's last name */
    STORE_SEARCH_CREATED_AT,   /* int: seconds since the epoch */
    STORE_SEARCH_EXCERPT,      /* text: a few words of the body around the match; the matched
                                  words between STORE_MARK_START and STORE_MARK_END, and
                                  STORE_ELLIPSIS where the body was cut. Plain text: escape it. */
    STORE_SEARCH_FOLDER,       /* text: the thread's folder for the person (inbox, archive, trash) */
};
#define STORE_MARK_START "\x02"
#define STORE_MARK_END "\x03"
#define STORE_ELLIPSIS "…"

/* The messages person may read now whose body or thread subject hold every
 * word of terms (see store_search_terms), newest first, at most limit
 * (capped to LIMIT_SEARCH_RESULTS). A message is found only when person is a
 * participant of its thread and it was sent and visible at now
 * (state 'sent', visible_at <= now) or person wrote it (state 'held' or
 * 'sent'); drafts and rejected messages never are. A message sent to a list
 * is found once by its author, in the list's first thread. Returns the
 * statement to step (columns: enum store_search_col, then stmt_done), or
 * NULL on error (logged) or when terms hold no word. */
struct stmt *store_message_search(struct store *s, int64_t person, const char *terms, int64_t now, int limit);

#endif
