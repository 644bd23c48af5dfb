/* grades.h — notes et compétences (S-GRADES): assessments per enseignement
 * and period (scale, coefficient, bonus, optional), marks and special marks
 * entered for a whole class on one page, skills on the LSU 4-level scale
 * linked to the socle's components, averages per subject, period and
 * overall with class statistics (rules: docs/grades.md, src/grades/). */
#ifndef CARNET_MODULE_GRADES_H
#define CARNET_MODULE_GRADES_H
#include "../../core/router.h"
#include "../../policy/diffusion.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct arena;

/* A published mark, as the dashboard lists it. */
struct grade_item {
    int64_t pupil_id, assessment_id;
    const char *subject, *title, *on_date;
    int scale, value;       /* value in hundredths when special is "" */
    const char *special;    /* "", "absent", "exempt", … */
};

/* The `limit` latest marks of each of pupils[0..n) (a pupil, or a
 * guardian's children) that audience sees now (R-GRADES: the pupil from
 * mark.visible_at, the parents from mark.parents_at, staff once
 * published), newest first per pupil: one statement for a family, an
 * indexed read per pupil, reading only those rows. */
size_t grades_latest(struct store *s, struct arena *a, const int64_t *pupils, size_t n, int limit, enum grades_audience audience,
                     struct grade_item **out);
/* The same in two halves: asked ahead with a page's other reads (store_q_ahead), then read. */
struct stmt *grades_latest_ask(struct store *s, const int64_t *pupils, size_t n, int limit, enum grades_audience audience);
size_t grades_latest_read(struct store *s, struct arena *a, struct stmt *st, const int64_t *pupils, size_t n, int limit,
                          enum grades_audience audience, struct grade_item **out);

extern const struct route grades_routes[];

/* R-GRADES after the establishment's rules changed: the published
 * assessments of d's establishment that parents do not see yet get their
 * moments again under d (what pupils have seen stays seen), with their
 * marks and notifications. Inside the caller's transaction. Returns how
 * many moved, or -1. */
int grades_reschedule(struct store *s, struct arena *a, const struct diffusion *d, int64_t now);

#endif
