/* families.c — who, among families, is told about what is published for an
 * enseignement (see timetable.h), and what they see of it now (R-DISCO). */
#include "timetable.h"
#include "../notify/notify.h"
#include "../../core/clock.h"
#include "../../policy/policy.h"
#include "../../store/store.h"

int64_t timetable_seen_at(const struct actor *a, int64_t pupil)
{
    return policy_grades_audience(a, pupil) == AUDIENCE_STAFF ? TIMETABLE_SEE_ALL : clock_now();
}

int timetable_unnotify(struct store *s, const char *item)
{
    return store_run(s, "DELETE FROM notification WHERE item = $1 AND visible_at > $2", "ti", item, clock_now()) < 0 ? -1 : 0;
}

int timetable_notify_families(struct store *s, struct arena *a, int64_t teaching, const char *date, const struct notice *nt,
                              const char *base, const char *query)
{
    /* Each pupil with their own id; each guardian once, with one child. */
    struct stmt *st = store_q(s,
        "WITH pupils(id) AS (SELECT en.pupil_id FROM teaching t JOIN enrolment en ON en.class_id = t.class_id"
        " WHERE t.id = $1 AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"
        " UNION SELECT gm.pupil_id FROM teaching t JOIN group_member gm ON gm.grp_id = t.grp_id WHERE t.id = $1)"
        " SELECT id, id FROM pupils UNION ALL"
        " SELECT g.parent_id, min(g.pupil_id) FROM pupils p CROSS JOIN guardianship g WHERE g.pupil_id = p.id"
        " AND g.legal_responsibility = 1 GROUP BY g.parent_id",
        "it", teaching, date);
    struct who { int64_t person, child; } *v = NULL;
    size_t n = 0, cap = 0;
    int rc = st ? 0 : -1;
    while (st && (rc = stmt_step(st)) == STORE_ROW) {
        v = arena_grow(a, v, n, &cap, sizeof *v);
        v[n++] = (struct who){stmt_int(st, 0), stmt_int(st, 1)};
    }
    stmt_done(st);
    if (rc < 0) return -1;
    for (size_t i = 0; i < n; i++) {
        struct notice one = *nt;
        one.url = v[i].person == v[i].child ? arena_printf(a, "%s%s", base, query)
                                            : arena_printf(a, "%s/eleves/%lld%s", base, (long long)v[i].child, query);
        if (notify_add(s, &v[i].person, 1, &one) < 0) return -1;
    }
    return 0;
}
