/* log.h — cahier de textes (S-LOG): what was done in each lesson and the
 * homework (travail à faire) with due date, estimated time, "given in class"
 * and hand-in flags; pupils tick homework done, parents see it per child,
 * teachers see the class's progress. R-HOMEWORK: homework for the next
 * school day posted after that day's last lesson with the class, or during a
 * weekend or holiday, is flagged to its author and counted for the head; an
 * establishment can refuse it. Markdown is rendered safely (cmark, no raw
 * HTML). */
#ifndef CARNET_MODULE_LOG_H
#define CARNET_MODULE_LOG_H
#include "../../core/router.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct arena;

struct homework_item {
    int64_t id, teaching_id, pupil_id;
    const char *subject, *teacher, *title, *content, *given_on, *due_on;
    int minutes;
    bool given_in_class, hand_in, late, done;
    int64_t visible_from;       /* R-DISCO: when families see it */
    int64_t establishment_id;
};

/* Homework due in [from, to] for a pupil (guardian = false) or for every
 * child of a guardian (pupil_id tells whose), with each pupil's done state,
 * ordered by due date: one query. Only homework families see at seen_at
 * (R-DISCO: visible_from <= seen_at): clock_now() for the pupil and their
 * guardians, TIMETABLE_SEE_ALL (timetable.h) for staff; timetable_seen_at()
 * tells which. Allocated in arena. */
size_t log_homework_due(struct store *s, struct arena *a, int64_t id, bool guardian, const char *from, const char *to,
                        int64_t seen_at, struct homework_item **out);
/* The same in two halves: asked ahead with a page's other reads (store_q_ahead), then read. */
struct stmt *log_homework_ask(struct store *s, int64_t id, bool guardian, const char *from, const char *to, int64_t seen_at);
size_t log_homework_read(struct stmt *st, struct arena *a, struct homework_item **out);

/* A lesson of a teacher, over, whose class log is still empty. */
struct log_gap {
    int64_t slot;
    const char *date, *starts, *class_name, *subject;
};

/* The teacher's own lessons of [from, to] that are over (not cancelled)
 * and have no log entry, oldest first. Allocated in arena. */
size_t log_missing(struct store *s, struct arena *a, int64_t teacher, const char *from, const char *to, struct log_gap **out);

extern const struct route log_routes[];

#endif
