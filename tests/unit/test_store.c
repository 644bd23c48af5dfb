/* test_store.c — the database interface (src/store/): $n placeholders,
 * typed binding, statement cache, transactions, constraints, migrations. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "testdb.h"

#include "core/assets.h"
#include "core/log.h"
#include "store/store.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char db_path[64];
static struct store *S;

static int group_setup(void **state)
{
    (void)state;
    log_set_quiet(1);
    S = testdb_open(db_path, "/tmp/carnet-test-store-XXXXXX");
    if (!S) return -1;
    if (store_migrate(S) < 0) return -1;
    if (store_exec_script(S, "CREATE TABLE t (id INTEGER PRIMARY KEY, n BIGINT, s TEXT, ref BIGINT);") < 0) return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    store_close(S);
    testdb_remove(db_path);
    return 0;
}

static int clear_t(void **state)
{
    (void)state;
    return store_run(S, "DELETE FROM t", NULL) < 0 ? -1 : 0;
}

static void test_driver_is_sqlite(void **state)
{
    (void)state;
    assert_string_equal(store_driver_name(S), "sqlite");
    assert_string_equal(store_id_type(S), "INTEGER PRIMARY KEY");
}

static void test_open_without_url_fails_with_a_message(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(store_open("", err, sizeof err));
    assert_true(strlen(err) > 0);
    err[0] = 0;
    assert_null(store_open(NULL, err, sizeof err));
    assert_true(strlen(err) > 0);
    err[0] = 0;
    assert_null(store_open("postgresql://localhost/carnet", err, sizeof err));
    assert_non_null(strstr(err, "PostgreSQL"));
}

static void test_open_accepts_sqlite_prefix(void **state)
{
    (void)state;
    char url[96], err[256];
    snprintf(url, sizeof url, "sqlite:%s", db_path);
    struct store *s2 = store_open(url, err, sizeof err);
    assert_non_null(s2);
    int64_t n = -1;
    assert_int_equal(store_int(s2, &n, "SELECT count(*) FROM territory", NULL), 1);
    assert_int_equal(n, 0);
    store_close(s2);
}

static void test_placeholders_are_bound_by_number_not_by_position(void **state)
{
    (void)state;
    struct stmt *st = store_q(S, "SELECT $2 || '-' || $1 || '-' || $1", "tt", "one", "two");
    assert_non_null(st);
    assert_int_equal(stmt_step(st), STORE_ROW);
    assert_string_equal(stmt_text(st, 0), "two-one-one");
    stmt_done(st);
}

static void test_placeholders_out_of_order_with_integers(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_int_equal(store_int(S, &v, "SELECT $3 * 100 + $1 * 10 + $2 - $1 + $1", "iii", (int64_t)1, (int64_t)2,
                               (int64_t)3),
                     1);
    assert_int_equal(v, 312);
}

static void test_placeholders_other_than_dollar_n_are_refused(void **state)
{
    (void)state;
    assert_null(store_prepare(S, "SELECT ?"));
    assert_null(store_prepare(S, "SELECT :name"));
    assert_null(store_prepare(S, "SELECT $0"));
    assert_null(store_prepare(S, "SELECT $33"));
}

static void test_q_binds_int_text_and_n_null(void **state)
{
    (void)state;
    assert_int_equal(store_run(S, "INSERT INTO t (n, s, ref) VALUES ($1, $2, $3)", "itN", (int64_t)INT64_C(9007199254740993),
                               "caf\xC3\xA9", (int64_t)0),
                     0);
    assert_int_equal(store_changes(S), 1);
    assert_int_equal(store_run(S, "INSERT INTO t (n, s, ref) VALUES ($1, $2, $3)", "itN", (int64_t)-5,
                               (const char *)NULL, (int64_t)77),
                     0);
    struct stmt *st = store_q(S, "SELECT n, s, ref FROM t ORDER BY id", NULL);
    assert_non_null(st);
    assert_int_equal(stmt_step(st), STORE_ROW);
    assert_int_equal(stmt_int(st, 0), INT64_C(9007199254740993));
    assert_string_equal(stmt_text(st, 1), "caf\xC3\xA9");
    assert_true(stmt_is_null(st, 2));
    assert_int_equal(stmt_step(st), STORE_ROW);
    assert_int_equal(stmt_int(st, 0), -5);
    assert_true(stmt_is_null(st, 1));
    assert_null(stmt_text(st, 1));
    assert_false(stmt_is_null(st, 2));
    assert_int_equal(stmt_int(st, 2), 77);
    assert_int_equal(stmt_step(st), STORE_DONE);
    stmt_done(st);
}

static void test_q_with_an_unknown_type_fails(void **state)
{
    (void)state;
    assert_null(store_q(S, "SELECT $1", "x", 1));
    int64_t v = 0;
    assert_int_equal(store_int(S, &v, "SELECT $1", "x", 1), -1);
}

static void test_bound_text_is_data_not_sql(void **state)
{
    (void)state;
    const char *evil = "x'); DROP TABLE t; --";
    assert_int_equal(store_run(S, "INSERT INTO t (s) VALUES ($1)", "t", evil), 0);
    int64_t n = 0;
    assert_int_equal(store_int(S, &n, "SELECT count(*) FROM t WHERE s = $1", "t", evil), 1);
    assert_int_equal(n, 1);
}

static void test_store_int_returns_1_0_and_minus_1(void **state)
{
    (void)state;
    int64_t v = 1234;
    assert_int_equal(store_run(S, "INSERT INTO t (n) VALUES ($1)", "i", (int64_t)41), 0);
    assert_int_equal(store_int(S, &v, "SELECT n + 1 FROM t WHERE n = $1", "i", (int64_t)41), 1);
    assert_int_equal(v, 42);
    v = 1234;
    assert_int_equal(store_int(S, &v, "SELECT n FROM t WHERE n = $1", "i", (int64_t)-999), 0);
    assert_int_equal(v, 1234); /* untouched when no row */
    assert_int_equal(store_int(S, &v, "SELECT n FROM no_such_table", NULL), -1);
    assert_int_equal(store_int(S, &v, "SELEKT 1", NULL), -1);
}

static int64_t count_where(int64_t n)
{
    int64_t c = -1;
    /* The same literal every call: the prepared statement is reused. */
    if (store_int(S, &c, "SELECT count(*) FROM t WHERE n = $1", "i", n) != 1) return -1;
    return c;
}

static void test_prepared_statement_is_reused_and_keeps_working(void **state)
{
    (void)state;
    static const char sql[] = "SELECT $1 + 1";
    struct stmt *a = store_prepare(S, sql);
    assert_non_null(a);
    stmt_done(a);
    struct stmt *b = store_prepare(S, sql);
    assert_ptr_equal(a, b); /* cached by the address of the literal */
    stmt_done(b);

    assert_int_equal(store_run(S, "INSERT INTO t (n) VALUES ($1)", "i", (int64_t)7), 0);
    assert_int_equal(store_run(S, "INSERT INTO t (n) VALUES ($1)", "i", (int64_t)7), 0);
    assert_int_equal(store_run(S, "INSERT INTO t (n) VALUES ($1)", "i", (int64_t)8), 0);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(count_where(7), 2);
        assert_int_equal(count_where(8), 1);
        assert_int_equal(count_where(9), 0);
    }
}

static void test_prepare_returns_the_statement_reset_with_no_bindings(void **state)
{
    (void)state;
    /* store.h: "The statement comes back reset with no bindings", even when
     * the previous user stopped stepping before the end. */
    static const char sql[] = "SELECT n FROM t WHERE n >= $1 ORDER BY n";
    for (int64_t i = 1; i <= 3; i++) assert_int_equal(store_run(S, "INSERT INTO t (n) VALUES ($1)", "i", i), 0);
    struct stmt *st = store_q(S, sql, "i", (int64_t)1);
    assert_non_null(st);
    assert_int_equal(stmt_step(st), STORE_ROW);
    assert_int_equal(stmt_int(st, 0), 1);
    /* No stmt_done: abandoned mid-way (an early return in some handler). */
    st = store_prepare(S, sql);
    assert_non_null(st);
    stmt_bind_int(st, 1, 3);
    assert_int_equal(stmt_step(st), STORE_ROW);
    assert_int_equal(stmt_int(st, 0), 3); /* first row of the new query (not 2, the old cursor's next) */
    assert_int_equal(stmt_step(st), STORE_DONE);
    stmt_done(st);
}

static void test_rollback_leaves_nothing(void **state)
{
    (void)state;
    assert_int_equal(store_begin(S), 0);
    assert_int_equal(store_run(S, "INSERT INTO t (n) VALUES ($1)", "i", (int64_t)100), 0);
    assert_int_equal(count_where(100), 1); /* visible inside the transaction */
    store_rollback(S);
    assert_int_equal(count_where(100), 0);
}

static void test_commit_keeps_the_changes(void **state)
{
    (void)state;
    assert_int_equal(store_begin(S), 0);
    assert_int_equal(store_run(S, "INSERT INTO t (n) VALUES ($1)", "i", (int64_t)200), 0);
    assert_int_equal(store_run(S, "INSERT INTO t (n) VALUES ($1)", "i", (int64_t)200), 0);
    assert_int_equal(store_commit(S), 0);
    assert_int_equal(count_where(200), 2);

    /* Seen by another connection too. */
    char err[256];
    struct store *s2 = store_open(db_path, err, sizeof err);
    assert_non_null(s2);
    int64_t c = -1;
    assert_int_equal(store_int(s2, &c, "SELECT count(*) FROM t WHERE n = $1", "i", (int64_t)200), 1);
    assert_int_equal(c, 2);
    store_close(s2);
}

static void test_uncommitted_changes_are_invisible_to_other_connections(void **state)
{
    (void)state;
    char err[256];
    struct store *s2 = store_open(db_path, err, sizeof err);
    assert_non_null(s2);
    assert_int_equal(store_begin(S), 0);
    assert_int_equal(store_run(S, "INSERT INTO t (n) VALUES ($1)", "i", (int64_t)300), 0);
    int64_t c = -1;
    assert_int_equal(store_int(s2, &c, "SELECT count(*) FROM t WHERE n = $1", "i", (int64_t)300), 1);
    assert_int_equal(c, 0);
    store_rollback(S);
    store_close(s2);
}

static void test_foreign_keys_are_enforced(void **state)
{
    (void)state;
    int rc = store_run(S,
                       "INSERT INTO establishment (territory_id, kind, uai, name, zone)"
                       " VALUES ($1, 'college', '0999999Z', 'Fantôme', 'C')",
                       "i", (int64_t)424242);
    assert_int_equal(rc, -1);
    int64_t n = -1;
    assert_int_equal(store_int(S, &n, "SELECT count(*) FROM establishment WHERE uai = '0999999Z'", NULL), 1);
    assert_int_equal(n, 0);

    /* With the territory present the same insert works. */
    assert_int_equal(store_run(S, "INSERT INTO territory (code, name) VALUES ('T-FK', 'Territoire')", NULL), 0);
    int64_t tid = 0;
    assert_int_equal(store_int(S, &tid, "SELECT id FROM territory WHERE code = 'T-FK'", NULL), 1);
    assert_int_equal(store_run(S,
                               "INSERT INTO establishment (territory_id, kind, uai, name, zone)"
                               " VALUES ($1, 'college', '0999998Z', 'Réel', 'C')",
                               "i", tid),
                     0);
    /* …and the territory can no longer be deleted. */
    assert_int_equal(store_run(S, "DELETE FROM territory WHERE id = $1", "i", tid), -1);
    assert_int_equal(store_run(S, "DELETE FROM establishment WHERE uai = '0999998Z'", NULL), 0);
    assert_int_equal(store_run(S, "DELETE FROM territory WHERE id = $1", "i", tid), 0);
}

static void test_check_constraints_are_enforced(void **state)
{
    (void)state;
    assert_int_equal(store_run(S, "INSERT INTO territory (code, name) VALUES ('T-CK', 'Territoire')", NULL), 0);
    int64_t tid = 0;
    assert_int_equal(store_int(S, &tid, "SELECT id FROM territory WHERE code = 'T-CK'", NULL), 1);
    assert_int_equal(store_run(S,
                               "INSERT INTO establishment (territory_id, kind, uai, name, zone)"
                               " VALUES ($1, 'universite', '0999997Z', 'X', 'C')",
                               "i", tid),
                     -1);
    /* UNIQUE too. */
    assert_int_equal(store_run(S, "INSERT INTO territory (code, name) VALUES ('T-CK', 'Doublon')", NULL), -1);
    assert_int_equal(store_run(S, "DELETE FROM territory WHERE id = $1", "i", tid), 0);
}

static void test_migrate_twice_applies_nothing_the_second_time(void **state)
{
    (void)state;
    /* group_setup migrated already: everything is applied, the shared
     * migrations and then the driver's own (its full-text index). */
    assert_int_equal(store_migrate(S), 0);
    int64_t shared = -1, own = -1;
    assert_int_equal(store_int(S, &shared, "SELECT count(*) FROM schema_migration", NULL), 1);
    assert_true(shared >= 1);
    assert_true((size_t)shared <= assets_sql_count);
    assert_int_equal(store_int(S, &own, "SELECT count(*) FROM schema_driver_migration WHERE driver = 'sqlite'", NULL), 1);
    assert_true(own >= 1);
    assert_true((size_t)own <= assets_sql_sqlite_count);
    int64_t n = shared + own;

    /* On a fresh database: first run applies every migration, second none. */
    char path[64];
    struct store *s2 = testdb_open(path, "/tmp/carnet-test-migrate-XXXXXX");
    assert_non_null(s2);
    int first = store_migrate(s2);
    assert_true(first >= 1);
    assert_int_equal(first, (int)n);
    assert_int_equal(store_migrate(s2), 0);
    store_close(s2);
    testdb_remove(path);
}

static void test_schema_has_every_foundation_table(void **state)
{
    (void)state;
    static const char *const tables[] = {"territory", "establishment", "school_year", "period", "level",
                                         "class", "grp", "subject", "household", "person", "account", "role",
                                         "enrolment", "group_member", "teaching", "guardianship", "session",
                                         "throttle", "service", "audit", "schema_migration", NULL};
    for (int i = 0; tables[i]; i++) {
        int64_t n = -1;
        assert_int_equal(store_int(S, &n, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
                                   "t", tables[i]),
                         1);
        if (n != 1) fail_msg("table %s is missing", tables[i]);
    }
}

static void test_connection_enforces_foreign_keys_pragma(void **state)
{
    (void)state;
    int64_t on = 0;
    assert_int_equal(store_int(S, &on, "PRAGMA foreign_keys", NULL), 1);
    assert_int_equal(on, 1);
}

static struct store *other_thread_store;
static void *thread_main(void *arg)
{
    (void)arg;
    other_thread_store = store_thread();
    int64_t n = -1;
    if (other_thread_store) store_int(other_thread_store, &n, "SELECT 5", NULL);
    return (void *)(intptr_t)n;
}

static void test_store_thread_gives_one_connection_per_thread(void **state)
{
    (void)state;
    store_set_default(db_path);
    struct store *a = store_thread();
    assert_non_null(a);
    assert_ptr_equal(store_thread(), a);
    pthread_t th;
    void *ret = NULL;
    assert_int_equal(pthread_create(&th, NULL, thread_main, NULL), 0);
    assert_int_equal(pthread_join(th, &ret), 0);
    assert_int_equal((intptr_t)ret, 5);
    assert_non_null(other_thread_store);
    assert_ptr_not_equal(other_thread_store, a);
    store_thread_close();
    /* A new one is opened on next use. */
    struct store *b = store_thread();
    assert_non_null(b);
    int64_t n = 0;
    assert_int_equal(store_int(b, &n, "SELECT 1", NULL), 1);
    store_thread_close();
}

static void test_backup_copies_the_database(void **state)
{
    (void)state;
    assert_int_equal(store_run(S, "INSERT INTO t (n) VALUES ($1)", "i", (int64_t)555), 0);
    char path[64] = "/tmp/carnet-test-backup-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(store_backup(S, path), 0);
    char err[256];
    struct store *s2 = store_open(path, err, sizeof err);
    assert_non_null(s2);
    int64_t c = -1;
    assert_int_equal(store_int(s2, &c, "SELECT count(*) FROM t WHERE n = 555", NULL), 1);
    assert_int_equal(c, 1);
    store_close(s2);
    testdb_remove(path);
}

#define T(name) cmocka_unit_test_setup(name, clear_t)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_driver_is_sqlite),
        T(test_open_without_url_fails_with_a_message),
        T(test_open_accepts_sqlite_prefix),
        T(test_placeholders_are_bound_by_number_not_by_position),
        T(test_placeholders_out_of_order_with_integers),
        T(test_placeholders_other_than_dollar_n_are_refused),
        T(test_q_binds_int_text_and_n_null),
        T(test_q_with_an_unknown_type_fails),
        T(test_bound_text_is_data_not_sql),
        T(test_store_int_returns_1_0_and_minus_1),
        T(test_prepared_statement_is_reused_and_keeps_working),
        T(test_prepare_returns_the_statement_reset_with_no_bindings),
        T(test_rollback_leaves_nothing),
        T(test_commit_keeps_the_changes),
        T(test_uncommitted_changes_are_invisible_to_other_connections),
        T(test_foreign_keys_are_enforced),
        T(test_check_constraints_are_enforced),
        T(test_migrate_twice_applies_nothing_the_second_time),
        T(test_schema_has_every_foundation_table),
        T(test_connection_enforces_foreign_keys_pragma),
        T(test_store_thread_gives_one_connection_per_thread),
        T(test_backup_copies_the_database),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
