/* migrate.c — numbered migrations embedded in the binary: the shared ones of
 * sql/ (one portable dialect, {{ID}} and {{BLOB}} replaced per driver), then the driver's
 * own of sql/<driver>/ (what one database does its own way, such as its
 * full-text index). Each runs once, in its own transaction. */
#include "store_impl.h"
#include "../core/assets.h"
#include "../core/log.h"
#include "../core/clock.h"
#include <stdlib.h>
#include <string.h>

/* Replace {{ID}} by the driver's key type and {{BLOB}} by its binary type.
 * Allocates (caller frees). */
static char *dialect(struct store *s, const char *src, size_t n)
{
    const struct { const char *token; const char *text; } sub[] = {
        {"{{ID}}", s->drv->id_type}, {"{{BLOB}}", s->drv->blob_type}};
    size_t cap = n * 2 + 1, len = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    for (size_t i = 0; i < n;) {
        const char *text = NULL;
        size_t tlen = 0;
        for (size_t k = 0; k < sizeof sub / sizeof sub[0] && !text; k++) {
            tlen = strlen(sub[k].token);
            if (n - i >= tlen && !memcmp(src + i, sub[k].token, tlen)) text = sub[k].text;
        }
        size_t add = text ? strlen(text) : 1;
        if (len + add + 1 >= cap) {
            while (len + add + 1 >= cap) cap *= 2;
            char *p = realloc(out, cap);
            if (!p) { free(out); return NULL; }
            out = p;
        }
        if (text) {
            memcpy(out + len, text, add);
            len += add;
            i += tlen;
        } else {
            out[len++] = src[i++];
        }
    }
    out[len] = 0;
    return out;
}

/* Apply one migration unless already recorded, in one transaction. driver is
 * NULL for a shared migration (sql/, recorded in schema_migration), else the
 * driver's name (sql/<driver>/, recorded in schema_driver_migration).
 * Returns 1 when applied, 0 when it was already, -1 on error (logged). */
static int apply(struct store *s, const struct asset *m, const char *driver)
{
    int64_t version = atoll(m->name);
    if (version <= 0) return 0;
    if (store_begin(s) < 0) return -1;
    int64_t seen = 0;
    int rc = driver ? store_int(s, &seen, "SELECT count(*) FROM schema_driver_migration WHERE driver = $1 AND version = $2", "ti",
                                driver, version)
                    : store_int(s, &seen, "SELECT count(*) FROM schema_migration WHERE version = $1", "i", version);
    if (rc < 0) goto fail;
    if (seen) {
        store_commit(s);
        return 0;
    }
    char *sql = dialect(s, (const char *)m->data, m->len);
    if (!sql) goto fail;
    rc = store_exec_script(s, sql);
    free(sql);
    if (rc < 0) goto fail;
    rc = driver ? store_run(s, "INSERT INTO schema_driver_migration (driver, version, name, applied_at) VALUES ($1, $2, $3, $4)",
                            "titi", driver, version, m->name, clock_now())
                : store_run(s, "INSERT INTO schema_migration (version, name, applied_at) VALUES ($1, $2, $3)", "iti", version, m->name,
                            clock_now());
    if (rc < 0 || store_commit(s) < 0) goto fail;
    log_info("store_migrate", "applied %s%s%s", driver ? driver : "", driver ? "/" : "", m->name);
    return 1;
fail:
    log_error("store_migrate", "migration %s%s%s failed: %s", driver ? driver : "", driver ? "/" : "", m->name, store_error(s));
    store_rollback(s);
    return -1;
}

static int migrate_all(struct store *s);

/* Several nodes may start at once on one database: the driver's lock lets
 * one migrate while the others wait, then find nothing left to apply. */
int store_migrate(struct store *s)
{
    const struct store_driver *drv = s->drv;
    int64_t ignored;
    if (drv->migrate_lock && store_int(s, &ignored, drv->migrate_lock, NULL) != 1) {
        log_error("store_migrate", "cannot take the migration lock: %s", store_error(s));
        return -1;
    }
    int applied = migrate_all(s);
    if (drv->migrate_unlock) store_int(s, &ignored, drv->migrate_unlock, NULL);
    return applied;
}

static int migrate_all(struct store *s)
{
    if (store_run(s, "CREATE TABLE IF NOT EXISTS schema_migration ("
                     " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                  NULL) < 0 ||
        store_run(s, "CREATE TABLE IF NOT EXISTS schema_driver_migration ("
                     " driver TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at BIGINT NOT NULL,"
                     " PRIMARY KEY (driver, version))",
                  NULL) < 0)
        return -1;
    int applied = 0;
    /* Shared migrations first: a driver's build on the shared tables. */
    for (size_t i = 0; i < assets_sql_count; i++) {
        int rc = apply(s, &assets_sql[i], NULL);
        if (rc < 0) return -1;
        applied += rc;
    }
    const struct store_driver *drv = s->drv;
    for (size_t i = 0; drv->migrations && i < *drv->nmigrations; i++) {
        int rc = apply(s, &drv->migrations[i], drv->name);
        if (rc < 0) return -1;
        applied += rc;
    }
    return applied;
}
