/* store_impl.h — what a store driver provides (private to src/store). */
#ifndef CARNET_STORE_IMPL_H
#define CARNET_STORE_IMPL_H
#include "store.h"
#include "../core/assets.h"

struct store_driver {
    const char *name;
    const char *id_type;
    const char *blob_type;   /* substituted for {{BLOB}} in migrations */
    /* The statements that open a write transaction and a read-only one
     * (literals: the statement cache keys on their address). */
    const char *begin_write;
    const char *begin_read;
    /* One writer at a time (SQLite): write transactions of this process
     * queue on the process's write lock (store_write_enter). */
    bool one_writer;
    /* Statements that take and give back the lock that lets one process
     * at a time migrate (NULL: the driver's transactions are enough). The
     * take waits for the lock: a second node waits for the first. */
    const char *migrate_lock, *migrate_unlock;
    struct store *(*open)(const char *url, char *err, size_t errlen);
    void (*close)(struct store *s);
    struct stmt *(*prepare)(struct store *s, const char *sql);
    void (*bind_int)(struct stmt *st, int n, int64_t v);
    void (*bind_text)(struct stmt *st, int n, const char *v);
    void (*bind_null)(struct stmt *st, int n);
    void (*bind_blob)(struct stmt *st, int n, const void *v, size_t len);
    int (*step)(struct stmt *st);
    int64_t (*col_int)(struct stmt *st, int col);
    const char *(*col_text)(struct stmt *st, int col);
    bool (*col_null)(struct stmt *st, int col);
    const void *(*col_blob)(struct stmt *st, int col, size_t *len);
    void (*done)(struct stmt *st);
    /* Send st now without waiting for its result (store_q_ahead); NULL: the
     * driver runs a statement when it is stepped. */
    void (*ahead)(struct stmt *st);
    /* Send st now; nobody will read its result (an error is logged). NULL:
     * store.c steps it at once. */
    void (*forget)(struct stmt *st);
    /* Send st, a write of the open transaction, without waiting for its
     * result (store_run_later); later_failed then says (once) whether one
     * such statement failed since it was last asked. NULL: run at once. */
    void (*run_later)(struct stmt *st);
    bool (*later_failed)(struct store *s);
    int64_t (*changes)(struct store *s);
    int (*exec_script)(struct store *s, const char *sql);
    int (*backup)(struct store *s, const char *path);
    /* After rows were inserted with explicit ids: move every id generator
     * past the largest id (NULL when the driver needs nothing). */
    int (*resync_ids)(struct store *s);
    /* When the connection was lost: open it again (NULL: never lost). */
    void (*recover)(struct store *s);
    const char *(*error)(struct store *s);
    /* The driver's own migrations (sql/<driver>/, embedded), applied by
     * store_migrate after the shared ones; sorted by name. */
    const struct asset *migrations;
    const size_t *nmigrations;
    /* Full-text search of messages: see store_message_search in store.h
     * (t holds at least one word; limit is within 1…LIMIT_SEARCH_RESULTS). */
    struct stmt *(*message_search)(struct store *s, int64_t person, const struct store_terms *t, int64_t now, int limit);
};

/* The transaction a connection has open (store.c keeps it: one at a time). */
enum store_tx { STORE_TX_NONE, STORE_TX_READ, STORE_TX_WRITE };

/* Every connection starts with its driver and the state store.c keeps of
 * its transaction (zero: none); every statement with its driver and its
 * SQL literal (the key of the connection's cache). */
struct store {
    const struct store_driver *drv;
    enum store_tx tx;   /* the transaction open on the connection */
    const char *tx_by;  /* the function that opened it */
    bool misused;       /* a transaction was misused since store_take_misuse */
};
struct stmt { const struct store_driver *drv; const char *sql; };

/* Each connection caches its prepared statements in a table of
 * STORE_CACHE_SLOTS (a power of two; about 500 statements in the code),
 * keyed by the address of the SQL literal. store_cache_slot gives the slot
 * of sql in cache: the one holding its statement, or the empty one where it
 * goes; when the table is full (never with literal SQL), the first slot
 * probed, whose statement the driver frees and replaces. */
#define STORE_CACHE_SLOTS 2048
struct stmt **store_cache_slot(struct stmt **cache, const char *sql);

/* The process's write lock (SQLite: one writer at a time). enter takes it
 * unless this thread already holds it, and says whether it took it. */
bool store_write_enter(void);
void store_write_leave(void);
/* Whether this thread holds the write lock. */
bool store_write_held(void);

/* What every driver's message search joins to its match (m the message):
 * its thread t, the person's participation tp ($1 the person) and the
 * author p; and how it orders and cuts the results ($4 the limit). */
#define STORE_SEARCH_JOINS                                                   \
    " JOIN thread t ON t.id = m.thread_id"                                   \
    " JOIN thread_participant tp ON tp.thread_id = m.thread_id AND tp.person_id = $1" \
    " JOIN person p ON p.id = m.author_id"
#define STORE_SEARCH_NEWEST " ORDER BY m.created_at DESC, m.id DESC LIMIT $4"

/* What every driver's message search keeps, after its own match ($1 the
 * person, $3 now; m the message, t its thread): the message was sent and
 * is visible at $3, or the person wrote it and it is sent or held for
 * review; the copies of a list message in the list's other threads are left
 * out for their author (as in the folder "sent"). */
#define STORE_SEARCH_VISIBLE                                                                                    \
    " AND ((m.state = 'sent' AND m.visible_at <= $3) OR (m.author_id = $1 AND m.state IN ('held', 'sent')))"   \
    " AND NOT (t.broadcast_id IS NOT NULL AND t.broadcast_id <> t.id AND t.created_by = $1 AND m.author_id = $1" \
    " AND m.id = (SELECT min(m2.id) FROM message m2 WHERE m2.thread_id = t.id))"

extern const struct store_driver store_sqlite_driver;
void store_sqlite_init(void);
/* store_search_sqlite.c: the SQLite driver's message search (FTS5). */
struct stmt *store_sqlite_message_search(struct store *s, int64_t person, const struct store_terms *t, int64_t now, int limit);
/* The FTS5 query for t: every word quoted, prefixes starred. Writes at most
 * len bytes (NUL included); returns false when it does not fit. */
bool store_sqlite_fts_query(const struct store_terms *t, char *out, size_t len);

extern const struct store_driver store_pg_driver;
/* store_search_pg.c: the PostgreSQL driver's message search (tsvector). */
struct stmt *store_pg_message_search(struct store *s, int64_t person, const struct store_terms *t, int64_t now, int limit);
/* The tsquery text for t: every word quoted as a lexeme, prefixes marked :*,
 * joined by &. Writes at most len bytes (NUL included); false when it does
 * not fit. */
bool store_pg_tsquery(const struct store_terms *t, char *out, size_t len);

#endif
