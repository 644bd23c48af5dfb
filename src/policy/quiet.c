/* quiet.c — R-DISCO quiet periods (see quiet.h). Local times through
 * libical's time zones, so that each establishment has its own. */
#include "quiet.h"
#include "../calendar/calendar.h"
#include <libical/ical.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static icaltimezone *zone_of(const char *tz)
{
    icaltimezone *z = tz && *tz ? icaltimezone_get_builtin_timezone(tz) : NULL;
    return z ? z : icaltimezone_get_builtin_timezone("Europe/Paris");
}

/* A day with classes: the school calendar says so when it covers the date;
 * otherwise a weekday that is not a public holiday. */
static bool day_on(const struct school_calendar *cal, const char *date)
{
    if (cal && calendar_covers(cal, date)) return calendar_is_school_day(cal, date, NULL);
    int wd = calendar_weekday(date);
    return wd <= 5 && !calendar_public_holiday(date, cal ? cal->regime : REGIME_METROPOLE);
}

int64_t quiet_release_at(const struct school_calendar *cal, const char *tz, const struct quiet_rules *q, int64_t t)
{
    struct quiet_rules def = {QUIET_EVENING_DEFAULT, QUIET_MORNING_DEFAULT};
    if (!q) q = &def;
    icaltimezone *z = zone_of(tz);
    struct icaltimetype lt = icaltime_from_timet_with_zone((time_t)t, 0, z);
    char date[11];
    snprintf(date, sizeof date, "%04d-%02d-%02d", lt.year, lt.month, lt.day);
    int minute = lt.hour * 60 + lt.minute;
    bool on = day_on(cal, date);
    if (on && minute >= q->morning && minute < q->evening) return t;
    char next[11];
    if (on && minute < q->morning) {
        memcpy(next, date, sizeof next);
    } else {
        int k = 1;
        for (calendar_add_days(date, 1, next); k <= QUIET_LOOKAHEAD_DAYS && !day_on(cal, next); k++) calendar_add_days(next, 1, next);
        if (k > QUIET_LOOKAHEAD_DAYS) return t;   /* no day with classes in sight: never hold for ever */
    }
    int64_t r = quiet_local(tz, next, q->morning);
    return r ? r : t;
}

int64_t quiet_local(const char *tz, const char *date, int minute)
{
    struct icaltimetype r = icaltime_null_time();
    if (!date || sscanf(date, "%4d-%2d-%2d", &r.year, &r.month, &r.day) != 3) return 0;
    r.hour = minute / 60;
    r.minute = minute % 60;
    r.is_date = 0;
    return (int64_t)icaltime_as_timet_with_zone(r, zone_of(tz));
}

int64_t quiet_add_days(const char *tz, int64_t t, int days)
{
    icaltimezone *z = zone_of(tz);
    struct icaltimetype lt = icaltime_from_timet_with_zone((time_t)t, 0, z);
    icaltime_adjust(&lt, days, 0, 0, 0);
    return (int64_t)icaltime_as_timet_with_zone(lt, z);
}
