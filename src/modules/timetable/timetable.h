/* timetable.h — emploi du temps (S-TIMETABLE): weekly slots per
 * enseignement with A/B weeks and validity dates, one-off changes, no lesson
 * on holidays or public holidays, views per pupil, teacher, class and room,
 * and an iCalendar feed per person behind a secret address. */
#ifndef CARNET_TIMETABLE_H
#define CARNET_TIMETABLE_H
#include "../../core/router.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct arena;
struct actor;
struct notice;

/* Whose lessons: a pupil, every child of a guardian (one query for all of
 * them: lesson.pupil_id tells whose), a teacher, a class, a room. */
enum timetable_scope { TT_PUPIL, TT_GUARDIAN, TT_TEACHER, TT_CLASS, TT_ROOM };

/* One lesson on one date, with its change applied. */
struct lesson {
    char date[11];
    const char *starts_at, *ends_at;       /* "HH:MM" */
    int64_t teaching_id, slot_id, change_id;
    int64_t establishment_id, class_id, teacher_id, room_id;
    int64_t pupil_id;         /* TT_PUPIL, TT_GUARDIAN: whose lesson */
    const char *subject, *subject_code, *class_name, *teacher_name, *room;
    const char *status;       /* NULL, or the change: "cancelled", "teacher_absent", "replaced",
                                 "room_changed", "extra", "exam" */
    const char *note;         /* the change's note */
    const char *replacement;  /* replacing teacher's name */
    const char *usual_room;   /* before a room change */
    bool replacing;           /* TT_TEACHER: a lesson this teacher takes over */
    int64_t visible_from;     /* with a change: when families see it (R-DISCO); 0 otherwise */
};

/* A day of a week view. */
struct timetable_day {
    char date[11];
    bool school_day;
    const char *why;          /* message key or holiday description when not */
    struct lesson *lessons;
    size_t nlessons;
};

/* The lessons of [from, to] (inclusive dates) for a pupil, teacher, class
 * or room, sorted by date and time, grouped into days. A fixed number of
 * queries whatever the range. Allocated in arena; returns the number of
 * days (to - from + 1), or 0 on error. *covered is false when the school
 * calendar of some day is not loaded (then no lesson is shown that day). */
size_t timetable_days(struct store *s, struct arena *a, enum timetable_scope scope, int64_t id, const char *from,
                      const char *to, struct timetable_day **out, bool *covered);

/* The same in two halves, so that a page asks its reads ahead together
 * (store_q_ahead): _ask sends the queries, _read reads and computes. The
 * asked queries must be read (timetable_days_read) before any is asked again. */
struct timetable_asked {
    struct stmt *slots, *changes;
    enum timetable_scope scope;
    int64_t id;
    char from[11], to[11];
};
struct timetable_asked timetable_days_ask(struct store *s, enum timetable_scope scope, int64_t id, const char *from,
                                          const char *to);
struct timetable_asked timetable_days_seen_ask(struct store *s, enum timetable_scope scope, int64_t id, const char *from,
                                               const char *to, int64_t seen_at);
size_t timetable_days_read(struct store *s, struct arena *a, struct timetable_asked q, struct timetable_day **out,
                           bool *covered);

/* R-DISCO: a one-off change entered in a quiet period reaches families at
 * its end (lesson_change.visible_from); its author and the staff see it at
 * once. timetable_days() shows what the scope's audience sees now: for
 * TT_PUPIL and TT_GUARDIAN (families), the changes visible now; for the
 * other scopes (staff pages), every change. timetable_days_seen() shows the
 * changes visible at seen_at (TIMETABLE_SEE_ALL: every change), for a pupil
 * seen by staff. */
#define TIMETABLE_SEE_ALL INT64_MAX
size_t timetable_days_seen(struct store *s, struct arena *a, enum timetable_scope scope, int64_t id, const char *from,
                           const char *to, int64_t seen_at, struct timetable_day **out, bool *covered);

/* Up to when actor sees what is published for pupil's families (class log,
 * homework, timetable changes): now for the pupil and their guardians,
 * TIMETABLE_SEE_ALL for staff (the policy's audience, policy.h). */
int64_t timetable_seen_at(const struct actor *a, int64_t pupil);

/* Notify the families of an enseignement of what was published for them
 * (notify.h): each of its pupils on date (its class's, or its group's) and
 * each of their guardians once, inside the caller's transaction. nt->url is
 * ignored: a pupil gets base + query ("/travail-a-faire"), a guardian
 * base + "/eleves/<child>" + query. Returns 0, or -1 on a store error. */
int timetable_notify_families(struct store *s, struct arena *a, int64_t teaching, const char *date, const struct notice *nt,
                              const char *base, const char *query);

/* An item withdrawn (deleted) before families saw it: its notifications not
 * shown yet go too ("homework:7", inside the caller's transaction). Returns
 * 0, or -1 on a store error. */
int timetable_unnotify(struct store *s, const char *item);

/* One weekly lesson on one date, as pages about a lesson (log, roll call,
 * one-off change) name it in their URL: /…/{slot}/{date}. */
struct lesson_at {
    int64_t slot, teaching, teacher, est, class_id, grp_id, subject_id;
    int weekday;
    const char *date, *subject, *class_name, *starts, *ends, *valid_from, *valid_to, *week;
};

/* The lesson of the route's {slot} and {date} parameters, checked in this
 * order: the slot exists (404), the actor may perform action on it (403;
 * the object is its enseignement, or its establishment for
 * ACT_TIMETABLE_EDIT), the slot falls on that date (400). Replies with the
 * error and returns false on failure. */
bool timetable_lesson_at(struct req *r, int action, struct lesson_at *l);

/* An enseignement: subject, class or group, teacher. */
struct teaching_info {
    int64_t id, establishment_id, teacher_id, class_id, grp_id, subject_id;
    const char *subject, *group_name, *teacher_name;
};
bool timetable_teaching(struct store *s, struct arena *a, int64_t id, struct teaching_info *out);

/* The pupils of an enseignement on date (its class's, or its group's),
 * by name. Allocated in arena. */
struct pupil_ref {
    int64_t id;
    const char *first_name, *last_name;
};
size_t timetable_teaching_pupils(struct store *s, struct arena *a, const struct teaching_info *t, const char *date,
                                 struct pupil_ref **out);

extern const struct route timetable_routes[];

#endif
