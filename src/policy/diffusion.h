/* diffusion.h — the diffusion policy (issue 5), once for every kind of
 * publication: when may something published at an instant reach each of its
 * audiences? Messages, homework and class-log content, timetable changes,
 * grades and skills, and their notifications all ask here.
 *
 * R-DISCO: nothing new reaches pupils, families or (unless exempt) staff in
 * the establishment's quiet periods (quiet.h); it is held and becomes
 * visible at the end of the period. R-GRADES: a grade reaches the pupil at
 * its publication pushed out of quiet periods and not before the copies are
 * handed back, and the parents the establishment's delay later (0, 1, 3 or
 * 7 days, default 1), pushed out of quiet periods again.
 *
 * The rules of an establishment live in establishment_setting:
 *   disco.evening, disco.morning  "HH:MM" (defaults 20:00, 07:00)
 *   disco.staff_exempt            "1": messages between staff go at once
 *   grades.parents_delay          days: "0", "1", "3" or "7" */
#ifndef CARNET_POLICY_DIFFUSION_H
#define CARNET_POLICY_DIFFUSION_H
#include "../core/arena.h"
#include "quiet.h"
#include <stdbool.h>
#include <stdint.h>

struct store;
struct school_calendar;

#define DIFFUSION_EVENING_MIN (18 * 60)   /* a head may start the evening quiet period from 18:00 … */
#define DIFFUSION_EVENING_MAX (23 * 60)   /* … to 23:00 */
#define DIFFUSION_MORNING_MIN (6 * 60)    /* and end it from 06:00 … */
#define DIFFUSION_MORNING_MAX (9 * 60)    /* … to 09:00 */
#define DIFFUSION_PARENTS_DELAY_DEFAULT 1 /* days */
#define DIFFUSION_HANDBACK_DEFAULT (17 * 60) /* copies handed back on a day with no lesson of the teaching: 17:00 */

struct diffusion {
    int64_t establishment;
    const char *tz;                      /* IANA zone of the establishment */
    const struct school_calendar *cal;   /* its zone's holidays; may be NULL */
    struct quiet_rules quiet;
    bool staff_exempt;
    int parents_delay;                   /* days */
};

/* The delays a head may choose, ending with -1. */
extern const int diffusion_delays[];
bool diffusion_delay_valid(int days);

/* The rules of establishment est: its settings, time zone and calendar.
 * Read once per arena (request) and establishment. Never NULL: an unknown
 * establishment gets the defaults in Europe/Paris. */
const struct diffusion *diffusion_load(struct store *s, struct arena *a, int64_t est);

/* The same, read again now (after the settings changed in this request). */
const struct diffusion *diffusion_reload(struct store *s, struct arena *a, int64_t est);

/* When what is published at t reaches its audience (R-DISCO). */
static inline int64_t diffusion_release_at(const struct diffusion *d, int64_t t)
{
    return quiet_release_at(d->cal, d->tz, &d->quiet, t);
}

/* R-GRADES: the moments the pupils and their parents see marks published at
 * t, whose copies are handed back at handback (0: no such date). */
void diffusion_grades(const struct diffusion *d, int64_t t, int64_t handback, int64_t *pupils_at, int64_t *parents_at);

/* The instant of local time date ("YYYY-MM-DD") at minute (after midnight)
 * in the establishment's zone; 0 when date is malformed. */
int64_t diffusion_local(const struct diffusion *d, const char *date, int minute);

/* Who sees a pupil's grades, for R-GRADES: the pupil, a parent (also a
 * member of staff who is the pupil's guardian: a parent first), or staff. */
enum grades_audience { AUDIENCE_STAFF, AUDIENCE_PUPIL, AUDIENCE_PARENTS };

#endif
