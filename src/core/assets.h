/* assets.h — files embedded in the binary at build time by tools/embed
 * (static files, SQL migrations, catalogues). Read-only; nothing allocates. */
#ifndef CARNET_ASSETS_H
#define CARNET_ASSETS_H
#include <stddef.h>

struct asset {
    const char *name;          /* file name, e.g. "carnet.css" */
    const unsigned char *data; /* contents, NUL-terminated */
    size_t len;
    const char *mime;          /* content type */
    const char *etag;          /* short content hash (hex) */
};

extern const struct asset assets_static[];
extern const size_t assets_static_count;
extern const struct asset assets_sql[];     /* sorted by name */
extern const size_t assets_sql_count;
extern const struct asset assets_sql_sqlite[]; /* the SQLite driver's own migrations (sql/sqlite/), sorted */
extern const size_t assets_sql_sqlite_count;
extern const struct asset assets_sql_postgresql[]; /* the PostgreSQL driver's own (sql/postgresql/), sorted */
extern const size_t assets_sql_postgresql_count;
extern const struct asset assets_locale[];
extern const size_t assets_locale_count;
extern const struct asset assets_data[];    /* reference data shipped with Carnet (data/) */
extern const size_t assets_data_count;

/* The asset called name in a table, or NULL. */
const struct asset *assets_find(const struct asset *table, size_t n, const char *name);

#endif
