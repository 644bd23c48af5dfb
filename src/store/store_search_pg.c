/* store_search_pg.c — the PostgreSQL driver's message search: a tsquery over
 * the column message.fts (driver migration sql/postgresql/0001_message_fts.sql,
 * configuration carnet) joined to what decides who may read a message. */
#include "store_impl.h"
#include <stdio.h>
#include <string.h>

bool store_pg_tsquery(const struct store_terms *t, char *out, size_t len)
{
    size_t o = 0;
    if (!len) return false;
    for (size_t i = 0; i < t->n; i++) {
        /* 'word' or 'word':* — a quoted lexeme is never an operator (& | ! <->
         * ( ) lose their meaning); a quote or backslash inside is escaped
         * (store_search_terms leaves none, but the query must stay
         * well-formed whatever it is given). */
        if (o + 5 >= len) return false;
        if (i) {
            out[o++] = ' ';
            out[o++] = '&';
            out[o++] = ' ';
        }
        out[o++] = '\'';
        for (const char *c = t->term[i].text; *c; c++) {
            if (o + 4 >= len) return false;
            if (*c == '\'' || *c == '\\') out[o++] = '\\';
            out[o++] = *c;
        }
        if (o + 4 >= len) return false;
        out[o++] = '\'';
        if (t->term[i].prefix) {
            out[o++] = ':';
            out[o++] = '*';
        }
    }
    out[o] = 0;
    return true;
}

/* Columns in the order of enum store_search_col; the same visibility as the
 * SQLite query (store_search_sqlite.c). The excerpt is ts_headline's, the
 * matches between chr(2) and chr(3) (STORE_MARK_START, STORE_MARK_END), with
 * STORE_ELLIPSIS before and after when the excerpt is not the whole body.
 * A body of 24 words or fewer is the excerpt whole, as with SQLite's
 * snippet (ts_headline's fragment would drop the punctuation that ends it). */
static const char *const q_search =
    "WITH q AS (SELECT to_tsquery('carnet', $2) AS q)"
    " SELECT m.id, m.thread_id, t.subject, p.first_name, p.last_name, m.created_at,"
    " CASE WHEN h.x = m.body THEN h.x"
    " ELSE (CASE WHEN left(m.body, 8) = left(replace(replace(h.x, chr(2), ''), chr(3), ''), 8) THEN '' ELSE '" STORE_ELLIPSIS "' END)"
    " || h.x || (CASE WHEN right(m.body, 8) = right(replace(replace(h.x, chr(2), ''), chr(3), ''), 8) THEN '' ELSE '" STORE_ELLIPSIS "' END) END,"
    " tp.folder"
    " FROM q, message m"
    STORE_SEARCH_JOINS
    " CROSS JOIN LATERAL (SELECT ts_headline('carnet', m.body, (SELECT q FROM q),"
    " 'StartSel=\"' || chr(2) || '\", StopSel=\"' || chr(3) || '\", ShortWord=0, '"
    " || CASE WHEN cardinality(regexp_split_to_array(btrim(m.body), '\\s+')) <= 24 THEN 'HighlightAll=true'"
    " ELSE 'MaxWords=24, MinWords=12, MaxFragments=1, FragmentDelimiter=\"" STORE_ELLIPSIS "\"' END) AS x) h"
    " WHERE m.fts @@ q.q"
    STORE_SEARCH_VISIBLE
    STORE_SEARCH_NEWEST;

struct stmt *store_pg_message_search(struct store *s, int64_t person, const struct store_terms *t, int64_t now, int limit)
{
    char query[LIMIT_SEARCH_TERMS * (2 * LIMIT_SEARCH_TERM_BYTES + 7) + 1];
    if (!t->n || !store_pg_tsquery(t, query, sizeof query)) return NULL;
    return store_q(s, q_search, "itii", person, query, now, (int64_t)limit);
}
