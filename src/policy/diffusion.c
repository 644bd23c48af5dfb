/* diffusion.c — the diffusion policy (see diffusion.h). */
#include "diffusion.h"
#include "../calendar/calendar.h"
#include "../core/clock.h"
#include "../store/store.h"
#include <stdlib.h>
#include <string.h>

const int diffusion_delays[] = {0, 1, 3, 7, -1};

bool diffusion_delay_valid(int days)
{
    for (const int *d = diffusion_delays; *d >= 0; d++)
        if (*d == days) return true;
    return false;
}

#define DIFFUSION_REQUEST_CACHE 4
static __thread struct { uint64_t arena; struct diffusion *d; } cache[DIFFUSION_REQUEST_CACHE];
static __thread unsigned cache_next;

static struct diffusion *fetch(struct store *s, struct arena *a, int64_t est)
{
    struct diffusion *d = arena_alloc(a, sizeof *d);
    *d = (struct diffusion){.establishment = est, .tz = "Europe/Paris",
                            .quiet = {QUIET_EVENING_DEFAULT, QUIET_MORNING_DEFAULT},
                            .parents_delay = DIFFUSION_PARENTS_DELAY_DEFAULT};
    struct stmt *st = store_q(s, "SELECT 'tz', tz FROM establishment WHERE id = $1 UNION ALL"
                                 " SELECT key, value FROM establishment_setting WHERE establishment_id = $1"
                                 " AND key IN ('disco.evening', 'disco.morning', 'disco.staff_exempt', 'grades.parents_delay')",
                              "i", est);
    while (st && stmt_step(st) == STORE_ROW) {
        const char *k = stmt_text(st, 0), *v = stmt_text(st, 1);
        int n;
        if (!strcmp(k, "tz")) {
            if (*v) d->tz = arena_strdup(a, v);
        } else if (!strcmp(k, "disco.evening")) {
            if ((n = clock_minutes(v)) >= DIFFUSION_EVENING_MIN && n <= DIFFUSION_EVENING_MAX) d->quiet.evening = n;
        } else if (!strcmp(k, "disco.morning")) {
            if ((n = clock_minutes(v)) >= DIFFUSION_MORNING_MIN && n <= DIFFUSION_MORNING_MAX) d->quiet.morning = n;
        } else if (!strcmp(k, "disco.staff_exempt")) {
            d->staff_exempt = !strcmp(v, "1");
        } else {
            char *end = NULL;
            long days = strtol(v, &end, 10);
            if (end != v && !*end && diffusion_delay_valid((int)days)) d->parents_delay = (int)days;
        }
    }
    stmt_done(st);
    d->cal = calendar_load(s, a, est);
    return d;
}

const struct diffusion *diffusion_load(struct store *s, struct arena *a, int64_t est)
{
    for (int i = 0; i < DIFFUSION_REQUEST_CACHE; i++)
        if (cache[i].d && cache[i].arena == a->id && cache[i].d->establishment == est) return cache[i].d;
    struct diffusion *d = fetch(s, a, est);
    unsigned k = cache_next++ % DIFFUSION_REQUEST_CACHE;
    cache[k].arena = a->id;
    cache[k].d = d;
    return d;
}

const struct diffusion *diffusion_reload(struct store *s, struct arena *a, int64_t est)
{
    for (int i = 0; i < DIFFUSION_REQUEST_CACHE; i++)
        if (cache[i].d && cache[i].arena == a->id && cache[i].d->establishment == est) cache[i].d = NULL;
    return diffusion_load(s, a, est);
}

void diffusion_grades(const struct diffusion *d, int64_t t, int64_t handback, int64_t *pupils_at, int64_t *parents_at)
{
    int64_t p = diffusion_release_at(d, handback > t ? handback : t);
    *pupils_at = p;
    *parents_at = d->parents_delay ? diffusion_release_at(d, quiet_add_days(d->tz, p, d->parents_delay)) : p;
}

int64_t diffusion_local(const struct diffusion *d, const char *date, int minute)
{
    return calendar_valid_date(date) ? quiet_local(d->tz, date, minute) : 0;
}
