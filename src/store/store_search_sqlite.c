/* store_search_sqlite.c — the SQLite driver's message search: an FTS5 query
 * over the index message_fts (driver migration sql/sqlite/0001_message_fts.sql)
 * joined to what decides who may read a message. */
#include "store_impl.h"
#include <stdio.h>
#include <string.h>

bool store_sqlite_fts_query(const struct store_terms *t, char *out, size_t len)
{
    size_t o = 0;
    if (!len) return false;
    for (size_t i = 0; i < t->n; i++) {
        /* "word" or "word"*: a quoted string is only ever a phrase to FTS5, so
         * AND, OR, NOT, NEAR, column names and ^ lose their meaning; a quote
         * inside is doubled (store_search_terms leaves none, but the query
         * must stay well-formed whatever it is given). */
        if (o + 2 >= len) return false;
        if (i) out[o++] = ' ';
        out[o++] = '"';
        for (const char *c = t->term[i].text; *c; c++) {
            if (o + 3 >= len) return false;
            if (*c == '"') out[o++] = '"';
            out[o++] = *c;
        }
        if (o + 3 >= len) return false;
        out[o++] = '"';
        if (t->term[i].prefix) out[o++] = '*';
    }
    out[o] = 0;
    return true;
}

/* Columns in the order of enum store_search_col. The excerpt marks matches
 * with char(2) and char(3), STORE_MARK_START and STORE_MARK_END. Visibility:
 * the person takes part in the thread, and STORE_SEARCH_VISIBLE. */
static const char *const q_search =
    "SELECT m.id, m.thread_id, t.subject, p.first_name, p.last_name, m.created_at,"
    " snippet(message_fts, 0, char(2), char(3), '" STORE_ELLIPSIS "', 24), tp.folder"
    " FROM message_fts JOIN message m ON m.id = message_fts.rowid"
    STORE_SEARCH_JOINS
    " WHERE message_fts MATCH $2"
    STORE_SEARCH_VISIBLE
    STORE_SEARCH_NEWEST;

struct stmt *store_sqlite_message_search(struct store *s, int64_t person, const struct store_terms *t, int64_t now, int limit)
{
    char match[LIMIT_SEARCH_TERMS * (2 * LIMIT_SEARCH_TERM_BYTES + 4) + 1];
    if (!t->n || !store_sqlite_fts_query(t, match, sizeof match)) return NULL;
    return store_q(s, q_search, "itii", person, match, now, (int64_t)limit);
}
