/* migrate.c — numbered migrations from sql/, embedded in the binary. */
#include "store.h"
#include "../core/assets.h"
#include "../core/log.h"
#include "../core/clock.h"
#include <stdlib.h>
#include <string.h>

/* Replace {{ID}} by the driver's key type. Allocates (caller frees). */
static char *dialect(struct store *s, const char *src, size_t n)
{
    const char *id = store_id_type(s);
    size_t idn = strlen(id), cap = n * 2 + 1, len = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    for (size_t i = 0; i < n;) {
        if (len + idn + 2 >= cap) {
            cap *= 2;
            char *p = realloc(out, cap);
            if (!p) { free(out); return NULL; }
            out = p;
        }
        if (n - i >= 6 && !memcmp(src + i, "{{ID}}", 6)) {
            memcpy(out + len, id, idn);
            len += idn;
            i += 6;
        } else {
            out[len++] = src[i++];
        }
    }
    out[len] = 0;
    return out;
}

int store_migrate(struct store *s)
{
    if (store_run(s, "CREATE TABLE IF NOT EXISTS schema_migration ("
                     " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                  NULL) < 0)
        return -1;
    int applied = 0;
    for (size_t i = 0; i < assets_sql_count; i++) {
        const struct asset *m = &assets_sql[i];
        int64_t version = atoll(m->name);
        if (version <= 0) continue;
        if (store_begin(s) < 0) return -1;
        int64_t seen = 0;
        int rc = store_int(s, &seen, "SELECT count(*) FROM schema_migration WHERE version = $1", "i", version);
        if (rc < 0) goto fail;
        if (seen) { store_commit(s); continue; }
        char *sql = dialect(s, (const char *)m->data, m->len);
        if (!sql) goto fail;
        rc = store_exec_script(s, sql);
        free(sql);
        if (rc < 0) goto fail;
        if (store_run(s, "INSERT INTO schema_migration (version, name, applied_at) VALUES ($1, $2, $3)",
                      "iti", version, m->name, clock_now()) < 0)
            goto fail;
        if (store_commit(s) < 0) goto fail;
        log_info("store_migrate", "applied %s", m->name);
        applied++;
        continue;
    fail:
        log_error("store_migrate", "migration %s failed: %s", m->name, store_error(s));
        store_rollback(s);
        return -1;
    }
    return applied;
}
