/* attendance.h — absences et retards (S-ATTENDANCE): roll call per lesson
 * by the teacher (one tap per absent pupil, lateness in minutes), the day's
 * roll-call status for school-life staff, absences counted in half-days,
 * reasons per establishment, justification by the family (reason, comment,
 * attachment) accepted or refused by staff, an alert at 4 unjustified
 * half-days in a month, and a family event recorded the moment an absence
 * or lateness is noted (delivered by the diffusion service). */
#ifndef CARNET_MODULE_ATTENDANCE_H
#define CARNET_MODULE_ATTENDANCE_H
#include "../../core/router.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct arena;

#define ATTENDANCE_ALERT_HALF_DAYS 4     /* unjustified half-days in a month that alert school life */
#define ROLL_CALL_OPENS_BEFORE_MIN 15    /* a roll call can be taken from 15 min before the lesson */
#define JUSTIFICATION_COMMENT_CHARS 500

/* A half-day of absence (or a lateness) of a pupil. */
struct absence_item {
    int64_t id, pupil_id;        /* id: the first row of the half-day */
    const char *on_date, *half, *kind, *state, *starts_at;
    int minutes, lessons;
};

/* Half-days of absence of a pupil (guardian = false) or of every child of a
 * guardian still to justify (unjustified or refused) this school year,
 * newest first: one query. */
size_t attendance_to_justify(struct store *s, struct arena *a, int64_t id, bool guardian, struct absence_item **out);
/* The same in two halves: asked ahead with a page's other reads (store_q_ahead), then read. */
struct stmt *attendance_to_justify_ask(struct store *s, int64_t id, bool guardian);
size_t attendance_to_justify_read(struct stmt *st, struct arena *a, struct absence_item **out);

/* A lesson whose roll call was taken. */
struct roll_done {
    int64_t teaching, slot;
};

/* The lessons of teacher's enseignements on date whose roll call was
 * taken: one query. */
size_t attendance_roll_calls_on(struct store *s, struct arena *a, int64_t teacher, const char *date, struct roll_done **out);

extern const struct route attendance_routes[];

/* The title of the notification of an absence (late: false) or a lateness
 * of minutes, in the lesson of subject on date ("YYYY-MM-DD") at starts
 * ("HH:MM"), in French (the establishment's language). Allocated in a. */
struct arena;
const char *attendance_notice_title(struct arena *a, const char *first_name, const char *date, const char *starts, const char *subject,
                                    bool late, int64_t minutes);

#endif
