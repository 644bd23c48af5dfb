/* testdb.h — a throw-away SQLite database for unit tests. */
#ifndef CARNET_TESTDB_H
#define CARNET_TESTDB_H
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Remove a database file and its WAL companions. */
static inline void testdb_remove(const char *path)
{
    char p[96];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* Create an empty file from the mkstemp template in path (a buffer of at
 * least 64 bytes) and open it; NULL on failure. */
static inline struct store *testdb_open(char *path, const char *template)
{
    snprintf(path, 64, "%s", template);
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    close(fd);
    char err[256];
    return store_open(path, err, sizeof err);
}

#endif
