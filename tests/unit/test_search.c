/* test_search.c — full-text search of messages (S-MESSAGES): the words taken
 * from what a person types (src/store/store_search.c), the SQLite driver's
 * FTS5 query and index (src/store/store_search_sqlite.c,
 * sql/sqlite/0001_message_fts.sql), and who finds which message, on a
 * throw-away database migrated with store_migrate. On PostgreSQL when
 * CARNET_TEST_PG_URL is set (testdb.h): its tsvector index instead
 * (src/store/store_search_pg.c, sql/postgresql/0001_message_fts.sql). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "testdb.h"

#include "core/log.h"
#include "store/store.h"
#include "store/store_impl.h"
#include <stdio.h>
#include <string.h>

#define NOW 1773140000                 /* 2026-03-10, the moment of every search unless said */

static char db_path[64];
static struct store *S;
static bool pg; /* the tests run on PostgreSQL */

/* The index says exactly what the messages and subjects say. */
static void assert_index_is_sound(void)
{
    if (!pg) {
        assert_int_equal(store_run(S, "INSERT INTO message_fts (message_fts, rank) VALUES ('integrity-check', 1)", NULL), 0);
        return;
    }
    int64_t n = -1;
    assert_int_equal(store_int(S, &n, "SELECT count(*) FROM message m JOIN thread t ON t.id = m.thread_id"
                                      " WHERE m.fts IS DISTINCT FROM message_fts_doc(m.body, t.subject)", NULL), 1);
    assert_int_equal(n, 0);
}

static int64_t est, author, reader, stranger, thread;

static int64_t person_add(const char *first, const char *last)
{
    int64_t id = 0;
    store_int(S, &id, "INSERT INTO person (first_name, last_name, created_at) VALUES ($1, $2, 0) RETURNING id", "tt", first, last);
    return id;
}

/* A thread between the given people (0-terminated), created by the first. */
static int64_t thread_add(const char *subject, int64_t broadcast, const int64_t *people)
{
    int64_t id = 0;
    store_int(S, &id, "INSERT INTO thread (establishment_id, subject, created_by, created_at, last_message_at, broadcast_id)"
                      " VALUES ($1, $2, $3, 0, 0, $4) RETURNING id", "itiN", est, subject, people[0], broadcast);
    for (size_t i = 0; people[i]; i++)
        store_run(S, "INSERT INTO thread_participant (thread_id, person_id, joined_at) VALUES ($1, $2, 0)", "ii", id, people[i]);
    return id;
}

static int64_t message_add(int64_t in, int64_t from, const char *body, const char *state, int64_t visible_at)
{
    int64_t id = 0;
    store_int(S, &id, "INSERT INTO message (thread_id, author_id, body, created_at, state, visible_at) VALUES ($1, $2, $3, $4, $5, $6)"
                      " RETURNING id", "iititN", in, from, body, (int64_t)NOW - 3600, state, visible_at);
    return id;
}

/* Number of messages person finds with q at now, and whether message id is
 * among them; -1 when the statement failed while stepping. */
static int found_at(int64_t person, const char *q, int64_t now, int64_t id, bool *has)
{
    struct stmt *st = store_message_search(S, person, q, now, LIMIT_SEARCH_RESULTS);
    if (has) *has = false;
    if (!st) return 0;
    int n = 0, rc;
    while ((rc = stmt_step(st)) == STORE_ROW) {
        n++;
        if (has && stmt_int(st, STORE_SEARCH_MESSAGE_ID) == id) *has = true;
    }
    stmt_done(st);
    return rc == STORE_ERR ? -1 : n;
}

static bool finds(int64_t person, const char *q, int64_t id)
{
    bool has;
    return found_at(person, q, NOW, id, &has) >= 0 && has;
}

static int group_setup(void **state)
{
    (void)state;
    log_set_quiet(1);
    S = testdb_open(db_path, "/tmp/carnet-test-search-XXXXXX");
    if (!S) return -1;
    pg = testdb_is_pg(db_path);
    if (store_migrate(S) < 0) return -1;
    int64_t territory = 0;
    if (store_int(S, &territory, "INSERT INTO territory (code, name) VALUES ('T', 'Territoire') RETURNING id", NULL) != 1 ||
        store_int(S, &est, "INSERT INTO establishment (territory_id, kind, uai, name, zone) VALUES ($1, 'college', '0000001A', 'C', 'C')"
                           " RETURNING id", "i", territory) != 1)
        return -1;
    author = person_add("Claire", "Moreau");
    reader = person_add("Nicolas", "Lefèvre");
    stranger = person_add("Julien", "Martin");
    thread = thread_add("Sortie au musée", 0, (const int64_t[]){author, reader, 0});
    return author && reader && stranger && thread ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    store_close(S);
    testdb_remove(db_path);
    return 0;
}

/* ---- Words ----------------------------------------------------------------- */

static void test_terms_are_words_with_the_last_as_a_prefix(void **state)
{
    (void)state;
    struct store_terms t;
    assert_int_equal(store_search_terms("  devoir   Maths ", &t), 2);
    assert_string_equal(t.term[0].text, "devoir");
    assert_false(t.term[0].prefix);
    assert_string_equal(t.term[1].text, "Maths");
    assert_true(t.term[1].prefix);
    char q[256];
    assert_true(store_sqlite_fts_query(&t, q, sizeof q));
    assert_string_equal(q, "\"devoir\" \"Maths\"*");
}

static void test_terms_neutralise_operators_quotes_and_punctuation(void **state)
{
    (void)state;
    struct store_terms t;
    char q[256];
    assert_int_equal(store_search_terms("a OR b NOT c NEAR(d, 2) body:e ^f \"g\" h* -i +j", &t), LIMIT_SEARCH_TERMS);
    assert_true(store_sqlite_fts_query(&t, q, sizeof q));
    /* Every word quoted (so OR, NOT, NEAR are words), nothing else left. */
    assert_string_equal(q, "\"a\" \"OR\" \"b\" \"NOT\" \"c\" \"NEAR\" \"d\" \"2\"*");
    assert_int_equal(store_search_terms("\"", &t), 0);
    assert_int_equal(store_search_terms("*", &t), 0);
    assert_int_equal(store_search_terms("?!.;:,()[]{}<>'\"*^-+=/\\|&%$#@~`", &t), 0);
    assert_int_equal(store_search_terms("« — » … ’ 😀 €", &t), 0);
    assert_int_equal(store_search_terms("", &t), 0);
    assert_int_equal(store_search_terms(NULL, &t), 0);
}

static void test_terms_keep_accents_and_drop_elisions(void **state)
{
    (void)state;
    struct store_terms t;
    assert_int_equal(store_search_terms("l'élève qu’il aujourd'hui", &t), 4);
    assert_string_equal(t.term[0].text, "élève");
    assert_string_equal(t.term[1].text, "il");
    assert_string_equal(t.term[2].text, "aujourd");
    assert_string_equal(t.term[3].text, "hui");
    /* A letter alone before an apostrophe at the end is kept. */
    assert_int_equal(store_search_terms("l'", &t), 1);
}

static void test_terms_are_bounded_in_number_and_length(void **state)
{
    (void)state;
    struct store_terms t;
    assert_int_equal(store_search_terms("un deux trois quatre cinq six sept huit neuf dix", &t), LIMIT_SEARCH_TERMS);
    assert_string_equal(t.term[LIMIT_SEARCH_TERMS - 1].text, "huit");
    assert_true(t.term[LIMIT_SEARCH_TERMS - 1].prefix);
    char big[2001];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(store_search_terms(big, &t), 1);
    assert_int_equal(strlen(t.term[0].text), LIMIT_SEARCH_TERM_BYTES);
    assert_true(t.term[0].prefix);
    /* Cut at a character boundary: 2-byte characters never split. */
    char accents[301] = "";
    for (int i = 0; i < 150; i++) strcat(accents, "é");
    assert_int_equal(store_search_terms(accents, &t), 1);
    assert_int_equal(strlen(t.term[0].text) % 2, 0);
    assert_true(strlen(t.term[0].text) <= LIMIT_SEARCH_TERM_BYTES);
}

static void test_terms_treat_invalid_utf8_as_separators(void **state)
{
    (void)state;
    struct store_terms t;
    assert_int_equal(store_search_terms("\xff\xfe", &t), 0);
    assert_int_equal(store_search_terms("ab\xc3(cd\xed\xa0\x80" "ef\xc0\xaf", &t), 3);
    assert_string_equal(t.term[0].text, "ab");
    assert_string_equal(t.term[1].text, "cd");
    assert_string_equal(t.term[2].text, "ef");
}

static void test_fts_query_reports_a_short_buffer(void **state)
{
    (void)state;
    struct store_terms t;
    char q[8];
    store_search_terms("devoir maths", &t);
    assert_false(store_sqlite_fts_query(&t, q, sizeof q));
    t.n = 1;
    strcpy(t.term[0].text, "a\"b");
    t.term[0].prefix = true;
    char q2[32];
    assert_true(store_sqlite_fts_query(&t, q2, sizeof q2));
    assert_string_equal(q2, "\"a\"\"b\"*");
}

/* ---- Who finds what ------------------------------------------------------- */

static void test_participant_finds_a_sent_message_and_a_stranger_does_not(void **state)
{
    (void)state;
    int64_t m = message_add(thread, author, "Le car partira à 8 h devant le portail.", "sent", NOW - 3600);
    assert_true(finds(reader, "portail", m));
    assert_true(finds(author, "portail", m));
    assert_false(finds(stranger, "portail", m));
    bool has;
    assert_int_equal(found_at(stranger, "portail", NOW, m, &has), 0);
}

static void test_rows_have_the_documented_columns(void **state)
{
    (void)state;
    int64_t m = message_add(thread, author, "Prévoir un pique-nique et une gourde pour la visite.", "sent", NOW - 60);
    store_run(S, "UPDATE thread_participant SET folder = 'archive' WHERE thread_id = $1 AND person_id = $2", "ii", thread, reader);
    struct stmt *st = store_message_search(S, reader, "GOURDE", NOW, 5);
    assert_non_null(st);
    assert_int_equal(stmt_step(st), STORE_ROW);
    assert_int_equal(stmt_int(st, STORE_SEARCH_MESSAGE_ID), m);
    assert_int_equal(stmt_int(st, STORE_SEARCH_THREAD_ID), thread);
    assert_string_equal(stmt_text(st, STORE_SEARCH_SUBJECT), "Sortie au musée");
    assert_string_equal(stmt_text(st, STORE_SEARCH_AUTHOR_FIRST), "Claire");
    assert_string_equal(stmt_text(st, STORE_SEARCH_AUTHOR_LAST), "Moreau");
    assert_int_equal(stmt_int(st, STORE_SEARCH_CREATED_AT), NOW - 3600);
    assert_non_null(strstr(stmt_text(st, STORE_SEARCH_EXCERPT), STORE_MARK_START "gourde" STORE_MARK_END));
    assert_string_equal(stmt_text(st, STORE_SEARCH_FOLDER), "archive");
    assert_int_equal(stmt_step(st), STORE_DONE);
    stmt_done(st);
    store_run(S, "UPDATE thread_participant SET folder = 'inbox' WHERE thread_id = $1", "i", thread);
}

static void test_held_message_is_found_by_its_author_only(void **state)
{
    (void)state;
    int64_t m = message_add(thread, author, "Message retenu pour relecture : trombone.", "held", NOW - 3600);
    assert_true(finds(author, "trombone", m));
    assert_false(finds(reader, "trombone", m));
    assert_false(finds(stranger, "trombone", m));
}

static void test_drafts_and_rejected_messages_are_found_by_nobody(void **state)
{
    (void)state;
    int64_t d = message_add(thread, author, "Brouillon : xylophone.", "draft", 0);
    int64_t r = message_add(thread, author, "Refusé : xylophone.", "rejected", NOW - 3600);
    int64_t people[] = {author, reader, stranger};
    for (size_t i = 0; i < 3; i++) {
        assert_false(finds(people[i], "xylophone", d));
        assert_false(finds(people[i], "xylophone", r));
    }
}

static void test_message_visible_later_is_found_from_then(void **state)
{
    (void)state;
    int64_t m = message_add(thread, author, "Réunion des parents : mandoline.", "sent", NOW + 7200);
    bool has;
    assert_int_equal(found_at(reader, "mandoline", NOW, m, &has), 0);
    assert_int_equal(found_at(reader, "mandoline", NOW + 7199, m, &has), 0);
    assert_int_equal(found_at(reader, "mandoline", NOW + 7200, m, &has), 1);
    assert_true(has);
    /* Its author finds it at once. */
    assert_true(finds(author, "mandoline", m));
}

static void test_moderated_message_is_found_by_its_new_text_only(void **state)
{
    (void)state;
    int64_t m = message_add(thread, author, "Un texte injurieux : saperlipopette.", "sent", NOW - 3600);
    assert_true(finds(reader, "saperlipopette", m));
    assert_int_equal(store_run(S, "UPDATE message SET body = $2 WHERE id = $1", "it", m,
                               "*Message retiré par la direction de l'établissement.*"), 0);
    assert_false(finds(reader, "saperlipopette", m));
    assert_false(finds(author, "saperlipopette", m));
    assert_true(finds(reader, "retire direction", m));
}

static void test_accents_and_case_do_not_matter(void **state)
{
    (void)state;
    int64_t m = message_add(thread, author, "L'élève a oublié son cahier à la cantine.", "sent", NOW - 3600);
    assert_true(finds(reader, "eleve", m));
    assert_true(finds(reader, "ÉLÈVE oublie", m));
    assert_true(finds(reader, "l'élève", m));
    assert_true(finds(reader, "cahi", m)); /* the last word is a prefix */
    assert_false(finds(reader, "cahi cantine", m)); /* …but not the others */
    int64_t n = message_add(thread, author, "Une eleve sans accents.", "sent", NOW - 3600);
    assert_true(finds(reader, "élève sans", n));
}

static void test_subject_words_find_the_messages_and_follow_a_new_subject(void **state)
{
    (void)state;
    int64_t t = thread_add("Cantine du jeudi", 0, (const int64_t[]){author, reader, 0});
    int64_t m = message_add(t, author, "Le menu change.", "sent", NOW - 3600);
    assert_true(finds(reader, "jeudi", m));
    assert_int_equal(store_run(S, "UPDATE thread SET subject = 'Restauration du vendredi' WHERE id = $1", "i", t), 0);
    assert_false(finds(reader, "jeudi", m));
    assert_true(finds(reader, "vendredi menu", m));
    assert_index_is_sound();
}

static void test_deleted_message_leaves_the_index(void **state)
{
    (void)state;
    int64_t m = message_add(thread, author, "Bientôt effacé : ornithorynque.", "sent", NOW - 3600);
    assert_true(finds(reader, "ornithorynque", m));
    assert_int_equal(store_run(S, "DELETE FROM message WHERE id = $1", "i", m), 0);
    bool has;
    assert_int_equal(found_at(reader, "ornithorynque", NOW, m, &has), 0);
    assert_index_is_sound();
}

static void test_list_message_is_found_once_by_its_author(void **state)
{
    (void)state;
    int64_t r2 = person_add("Léa", "Durand"), r3 = person_add("Hugo", "Bernard");
    int64_t first = thread_add("Photo de classe", 0, (const int64_t[]){author, reader, 0});
    store_run(S, "UPDATE thread SET broadcast_id = id WHERE id = $1", "i", first);
    int64_t second = thread_add("Photo de classe", first, (const int64_t[]){author, r2, 0});
    int64_t third = thread_add("Photo de classe", first, (const int64_t[]){author, r3, 0});
    int64_t m1 = message_add(first, author, "Photographe mardi : kaléidoscope.", "sent", NOW - 3600);
    int64_t m2 = message_add(second, author, "Photographe mardi : kaléidoscope.", "sent", NOW - 3600);
    message_add(third, author, "Photographe mardi : kaléidoscope.", "sent", NOW - 3600);
    int64_t answer = message_add(second, r2, "Merci pour le kaléidoscope.", "sent", NOW - 60);
    bool has;
    assert_int_equal(found_at(author, "kaleidoscope", NOW, m1, &has), 2); /* the list message once, and the answer */
    assert_true(has);
    assert_true(finds(author, "kaleidoscope merci", answer));
    assert_true(finds(r2, "kaleidoscope", m2));
    assert_int_equal(found_at(r2, "kaleidoscope", NOW, m2, &has), 2);
    assert_int_equal(found_at(r3, "kaleidoscope", NOW, 0, &has), 1);
}

static void test_limit_caps_the_rows(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++) message_add(thread, author, "Rappel : quinquagénaire.", "sent", NOW - 3600);
    struct stmt *st = store_message_search(S, reader, "quinquagenaire", NOW, 3);
    int n = 0;
    while (stmt_step(st) == STORE_ROW) n++;
    stmt_done(st);
    assert_int_equal(n, 3);
}

static void test_hostile_queries_never_fail(void **state)
{
    (void)state;
    static const char *const hostile[] = {
        "\"", "*", "NEAR(", "a OR", "OR", "AND", "NOT", "NEAR", "\"\"\"", "'", "((", ")", "-", "+a", "a:b", "body:x", "subject: y",
        "^", "x*y", "{a b}", "a AND OR NOT", "\xc3", "\xff", "😀", "«»", "%", "_", "\\", "a\"b", "NEAR(a b, 0)", "* OR *", NULL};
    for (size_t i = 0; hostile[i]; i++) {
        struct stmt *st = store_message_search(S, reader, hostile[i], NOW, 10);
        struct store_terms t;
        if (store_search_terms(hostile[i], &t)) assert_non_null(st);
        else assert_null(st);
        int rc = STORE_DONE;
        while (st && (rc = stmt_step(st)) == STORE_ROW) {}
        stmt_done(st);
        if (rc == STORE_ERR) fail_msg("query %s failed", hostile[i]);
    }
}

/* ---- The driver migration ------------------------------------------------- */

static void test_driver_migration_indexes_older_messages_and_runs_once(void **state)
{
    (void)state;
    int64_t n = 0;
    assert_int_equal(store_int(S, &n, "SELECT count(*) FROM schema_driver_migration WHERE driver = $1", "t", store_driver_name(S)), 1);
    assert_true(n >= 1);
    assert_int_equal(store_migrate(S), 0);
    /* As if the index came after the messages: undo the migration, write a
     * message, migrate again. */
    if (pg)
        assert_int_equal(store_exec_script(S, "DROP TRIGGER message_fts_row ON message; DROP TRIGGER message_fts_subject ON thread;"
                                              " DROP FUNCTION message_fts_row(); DROP FUNCTION message_fts_subject();"
                                              " DROP INDEX message_fts; ALTER TABLE message DROP COLUMN fts;"
                                              " DROP FUNCTION message_fts_doc(TEXT, TEXT); DROP TEXT SEARCH CONFIGURATION carnet;"
                                              " DELETE FROM schema_driver_migration WHERE driver = 'postgresql' AND version = 1;"),
                         0);
    else
        assert_int_equal(store_exec_script(S, "DROP TRIGGER message_fts_insert; DROP TRIGGER message_fts_delete;"
                                              " DROP TRIGGER message_fts_update; DROP TRIGGER message_fts_subject;"
                                              " DROP TABLE message_fts; DROP VIEW message_fts_doc;"
                                              " DELETE FROM schema_driver_migration WHERE driver = 'sqlite' AND version = 1;"),
                         0);
    int64_t m = message_add(thread, author, "Écrit avant l'index : palimpseste.", "sent", NOW - 3600);
    assert_int_equal(store_migrate(S), 1);
    assert_true(finds(reader, "palimpseste", m));
    assert_index_is_sound();
    assert_int_equal(store_migrate(S), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terms_are_words_with_the_last_as_a_prefix),
        cmocka_unit_test(test_terms_neutralise_operators_quotes_and_punctuation),
        cmocka_unit_test(test_terms_keep_accents_and_drop_elisions),
        cmocka_unit_test(test_terms_are_bounded_in_number_and_length),
        cmocka_unit_test(test_terms_treat_invalid_utf8_as_separators),
        cmocka_unit_test(test_fts_query_reports_a_short_buffer),
        cmocka_unit_test(test_participant_finds_a_sent_message_and_a_stranger_does_not),
        cmocka_unit_test(test_rows_have_the_documented_columns),
        cmocka_unit_test(test_held_message_is_found_by_its_author_only),
        cmocka_unit_test(test_drafts_and_rejected_messages_are_found_by_nobody),
        cmocka_unit_test(test_message_visible_later_is_found_from_then),
        cmocka_unit_test(test_moderated_message_is_found_by_its_new_text_only),
        cmocka_unit_test(test_accents_and_case_do_not_matter),
        cmocka_unit_test(test_subject_words_find_the_messages_and_follow_a_new_subject),
        cmocka_unit_test(test_deleted_message_leaves_the_index),
        cmocka_unit_test(test_list_message_is_found_once_by_its_author),
        cmocka_unit_test(test_limit_caps_the_rows),
        cmocka_unit_test(test_hostile_queries_never_fail),
        cmocka_unit_test(test_driver_migration_indexes_older_messages_and_runs_once),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
