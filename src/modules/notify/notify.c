/* notify.c — notifications (see notify.h). */
#include "notify.h"
#include "../../core/clock.h"
#include "../../store/store.h"

int notify_add(struct store *s, const int64_t *persons, size_t n, const struct notice *nt)
{
    int64_t now = clock_now();
    for (size_t i = 0; i < n; i++)
        if (store_run(s, "INSERT INTO notification (person_id, service, title, url, item, establishment_id, created_at, visible_at)"
                         " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", "ittttNii", persons[i], nt->service, nt->title, nt->url, nt->item,
                      nt->establishment, now, nt->visible_at > now ? nt->visible_at : now) < 0)
            return -1;
    return 0;
}

int notify_guardians(struct store *s, int64_t pupil, const struct notice *nt)
{
    int64_t now = clock_now();
    return store_run(s, "INSERT INTO notification (person_id, service, title, url, item, establishment_id, created_at, visible_at)"
                        " SELECT parent_id, $2, $3, $4, $5, $6, $7, $8 FROM guardianship WHERE pupil_id = $1 AND legal_responsibility = 1",
                     "ittttNii", pupil, nt->service, nt->title, nt->url, nt->item, nt->establishment, now,
                     nt->visible_at > now ? nt->visible_at : now) < 0 ? -1 : 0;
}
