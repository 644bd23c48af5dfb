/* fuzz_search.c — libFuzzer target for what people type in the message
 * search box: store_search_terms (src/store/store_search.c) then the SQLite
 * driver's FTS5 query (src/store/store_search_sqlite.c) run on an in-memory
 * database. The words are bounded, well-formed UTF-8 without quotes or ASCII
 * punctuation, the FTS5 query always fits, and the search never fails. */
#include "core/log.h"
#include "core/text.h"
#include "store/store.h"
#include "store/store_impl.h"
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *db;
static int64_t reader;

static void setup(void)
{
    char err[256];
    log_set_quiet(1);
    db = store_open(":memory:", err, sizeof err);
    int64_t t = 0, e = 0, a = 0, th = 0;
    if (!db || store_migrate(db) < 0 ||
        store_int(db, &t, "INSERT INTO territory (code, name) VALUES ('T', 'T') RETURNING id", NULL) != 1 ||
        store_int(db, &e, "INSERT INTO establishment (territory_id, kind, uai, name, zone) VALUES ($1, 'college', 'U', 'C', 'C')"
                          " RETURNING id", "i", t) != 1 ||
        store_int(db, &a, "INSERT INTO person (first_name, last_name, created_at) VALUES ('A', 'B', 0) RETURNING id", NULL) != 1 ||
        store_int(db, &reader, "INSERT INTO person (first_name, last_name, created_at) VALUES ('C', 'D', 0) RETURNING id", NULL) != 1 ||
        store_int(db, &th, "INSERT INTO thread (establishment_id, subject, created_by, created_at, last_message_at)"
                           " VALUES ($1, 'Sortie « près » du lac', $2, 0, 0) RETURNING id", "ii", e, a) != 1 ||
        store_run(db, "INSERT INTO thread_participant (thread_id, person_id, joined_at) VALUES ($1, $2, 0), ($1, $3, 0)", "iii", th, a,
                  reader) < 0 ||
        store_run(db, "INSERT INTO message (thread_id, author_id, body, created_at, visible_at) VALUES ($1, $2,"
                      " 'L''élève « OR » NEAR(a b) \"*\" — c''est l''heure : 8 h 30 !', 0, 0)", "ii", th, a) < 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db) setup();
    char *text = malloc(size + 1);
    if (!text) abort();
    memcpy(text, data, size);
    text[size] = 0;
    struct store_terms t;
    size_t n = store_search_terms(text, &t);
    if (n != t.n || n > LIMIT_SEARCH_TERMS) abort();
    for (size_t i = 0; i < n; i++) {
        const char *w = t.term[i].text;
        size_t len = strlen(w);
        if (!len || len > LIMIT_SEARCH_TERM_BYTES || !text_utf8_valid(w, len)) abort();
        for (const char *c = w; *c; c++)
            if ((unsigned char)*c < 0x80 && !isalnum((unsigned char)*c)) abort(); /* quotes, operators, spaces */
    }
    if (n && !t.term[n - 1].prefix) abort();
    char q[LIMIT_SEARCH_TERMS * (2 * LIMIT_SEARCH_TERM_BYTES + 4) + 1];
    if (!store_sqlite_fts_query(&t, q, sizeof q)) abort();
    struct stmt *st = store_message_search(db, reader, text, 1, LIMIT_SEARCH_RESULTS);
    if (n && !st) abort();
    if (!n && st) abort();
    int rc = STORE_DONE;
    while (st && (rc = stmt_step(st)) == STORE_ROW) {}
    stmt_done(st);
    if (rc == STORE_ERR) abort();
    free(text);
    return 0;
}
