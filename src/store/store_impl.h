/* store_impl.h — what a store driver provides (private to src/store). */
#ifndef CARNET_STORE_IMPL_H
#define CARNET_STORE_IMPL_H
#include "store.h"

struct store_driver {
    const char *name;
    const char *id_type;
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
    int64_t (*changes)(struct store *s);
    int (*exec_script)(struct store *s, const char *sql);
    int (*backup)(struct store *s, const char *path);
    const char *(*error)(struct store *s);
};

/* Every connection starts with its driver. */
struct store { const struct store_driver *drv; };
struct stmt { const struct store_driver *drv; };

/* The process's write lock (SQLite: one writer at a time). enter takes it
 * unless this thread already holds it, and says whether it took it. */
bool store_write_enter(void);
void store_write_leave(void);

extern const struct store_driver store_sqlite_driver;
void store_sqlite_init(void);

#endif
