/* testdb.h — a throw-away database for unit tests: a SQLite file, or, when
 * CARNET_TEST_PG_URL holds a PostgreSQL URL (tests/pg-unit.sh starts a
 * throw-away cluster and sets it), a fresh database on that server. */
#ifndef CARNET_TESTDB_H
#define CARNET_TESTDB_H
#include "store/store.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The PostgreSQL server's URL the tests use, or NULL for SQLite. */
static inline const char *testdb_pg_url(void)
{
    const char *u = getenv("CARNET_TEST_PG_URL");
    return u && *u ? u : NULL;
}

/* Is path (as testdb_open wrote it) a PostgreSQL database? */
static inline bool testdb_is_pg(const char *path) { return !strncmp(path, "postgres", 8); }

/* Run one statement on the server of CARNET_TEST_PG_URL (CREATE or DROP
 * DATABASE: names made here, never from outside input). */
static inline int testdb_pg_admin(const char *sql)
{
    char err[256];
    struct store *a = store_open(testdb_pg_url(), err, sizeof err);
    if (!a) {
        fprintf(stderr, "testdb: %s\n", err);
        return -1;
    }
    int rc = store_exec_script(a, sql);
    store_close(a);
    return rc;
}

/* Remove a database: a SQLite file and its WAL companions, or a PostgreSQL
 * database (its connections closed by force). */
static inline void testdb_remove(const char *path)
{
    char p[128];
    if (testdb_is_pg(path)) {
        const char *name = strrchr(path, '/');
        if (!name || !testdb_pg_url()) return;
        snprintf(p, sizeof p, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name + 1);
        testdb_pg_admin(p);
        return;
    }
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* Create an empty database and open it; its name or URL goes into path (a
 * buffer of at least 64 bytes). SQLite: a file from the mkstemp template.
 * PostgreSQL: a database carnet_t_PID_N on the server of CARNET_TEST_PG_URL.
 * NULL on failure. */
static inline struct store *testdb_open(char *path, const char *template)
{
    char err[256];
    const char *pg = testdb_pg_url();
    if (pg) {
        static int serial;
        const char *slash = strrchr(pg, '/');
        if (!slash || slash - pg < 14) return NULL;
        char name[40], sql[96];
        snprintf(name, sizeof name, "carnet_t_%ld_%d", (long)getpid(), ++serial);
        int n = snprintf(path, 64, "%.*s/%s", (int)(slash - pg), pg, name);
        if (n < 0 || n >= 64) return NULL;
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
        if (testdb_pg_admin(sql) < 0) return NULL;
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
        if (testdb_pg_admin(sql) < 0) return NULL;
        struct store *s = store_open(path, err, sizeof err);
        if (!s) fprintf(stderr, "testdb: %s\n", err);
        return s;
    }
    snprintf(path, 64, "%s", template);
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    close(fd);
    return store_open(path, err, sizeof err);
}

#endif
