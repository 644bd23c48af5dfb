/* quiet.h — R-DISCO, the right to disconnect: when may what is published
 * at an instant reach its audience? Once, here, for every kind of
 * publication and notification (issue 5 wires it in).
 *
 * Quiet periods, in the establishment's local time (its time zone, so
 * that La Réunion and Guadeloupe keep their own evenings, and daylight
 * saving changes nothing): every evening from `evening` to the next
 * `morning`, and every day without classes of the establishment —
 * weekends, the school holidays of its zone, public holidays — from the
 * evening before to the morning the pupils are back. */
#ifndef CARNET_POLICY_QUIET_H
#define CARNET_POLICY_QUIET_H
#include <stdint.h>

struct school_calendar;

#define QUIET_EVENING_DEFAULT (20 * 60)  /* minutes after midnight: 20:00 */
#define QUIET_MORNING_DEFAULT (7 * 60)   /* 07:00 */
#define QUIET_LOOKAHEAD_DAYS 120         /* the longest stretch without classes looked through (summer) */

struct quiet_rules {
    int evening, morning;   /* minutes after local midnight */
};

/* The instant from which what is published at t may reach its audience:
 * t itself outside a quiet period, else the end of the quiet period that
 * contains t — `morning` local time of the next day with classes. cal may
 * be NULL or not cover the date: then weekends and public holidays are the
 * days without classes (regime: cal's, or metropolitan France). tz is an
 * IANA zone ("Europe/Paris", "Indian/Reunion"); an unknown zone is read as
 * Europe/Paris. */
int64_t quiet_release_at(const struct school_calendar *cal, const char *tz, const struct quiet_rules *q, int64_t t);

/* The instant of local time date ("YYYY-MM-DD") at minute in zone tz; 0 when
 * date is malformed. */
int64_t quiet_local(const char *tz, const char *date, int minute);
/* t moved by days calendar days in zone tz, at the same local time of day
 * (across a daylight-saving change too). */
int64_t quiet_add_days(const char *tz, int64_t t, int days);

/* Is t inside a quiet period? */
static inline int quiet_is_quiet(const struct school_calendar *cal, const char *tz, const struct quiet_rules *q, int64_t t)
{
    return quiet_release_at(cal, tz, q, t) != t;
}

#endif
