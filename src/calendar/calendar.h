/* calendar.h — school days: the school calendar of the establishment's zone
 * (imported from the official open dataset "fr-en-calendrier-scolaire",
 * never guessed) and French public holidays (computed: Easter-based days,
 * Alsace-Moselle's extra days, the overseas abolition-of-slavery days).
 *
 * Dates are "YYYY-MM-DD" strings, local to the establishment. Used by the
 * timetable (no lessons on holidays), homework hygiene (R-HOMEWORK: the next
 * school day) and the diffusion rules (R-DISCO: quiet during holidays). */
#ifndef CARNET_CALENDAR_H
#define CARNET_CALENDAR_H
#include "../core/arena.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct stmt;

/* Which public holidays apply, from the establishment's UAI (its first three
 * digits are the département: 057, 067, 068 Alsace-Moselle; 971…976 overseas). */
enum holiday_regime {
    REGIME_METROPOLE, REGIME_ALSACE_MOSELLE, REGIME_GUADELOUPE, REGIME_MARTINIQUE, REGIME_GUYANE,
    REGIME_REUNION, REGIME_MAYOTTE
};
enum holiday_regime calendar_regime_of_uai(const char *uai);

/* The message key of the public holiday falling on date in regime
 * ("holiday.christmas", "holiday.easter_monday"…), or NULL. No allocation. */
const char *calendar_public_holiday(const char *date, enum holiday_regime regime);

/* Date arithmetic on "YYYY-MM-DD" (proleptic Gregorian). out has 11 bytes.
 * calendar_valid_date checks the format and that the day exists. */
bool calendar_valid_date(const char *date);
void calendar_add_days(const char *date, int days, char out[11]);
int calendar_weekday(const char *date);            /* ISO: 1 = Monday … 7 = Sunday */
void calendar_monday(const char *date, char out[11]); /* the Monday of date's week */
int calendar_days_between(const char *from, const char *to); /* to - from, in days */

/* Import the school calendar from CSV text: either the official dataset's
 * export (semicolon-separated, header with "Description", "Population",
 * "Date de début", "Date de fin", "Zones", "annee_scolaire"; dates as ISO
 * date-times, converted to local dates) or Carnet's shipped file
 * (description;zones;start;end;annee_scolaire, zones comma-separated, '#'
 * comment lines). Rows for teachers only (Population "Enseignants") are
 * skipped. Idempotent: importing the same file twice changes nothing.
 * Returns the number of (zone, period) rows stored, or -1 with a message
 * naming the line in err; on error nothing is stored. */
int calendar_import_csv(struct store *s, const char *text, size_t len, char *err, size_t errlen);

/* The calendar of one establishment, loaded with one query. */
struct school_calendar {
    enum holiday_regime regime;
    const char *zone;
    struct calendar_period {
        const char *description;
        const char *starts_on;   /* first day without classes */
        const char *ends_on;     /* the day classes resume */
        const char *school_year; /* "2025-2026" */
        bool rentree;            /* the "Rentrée scolaire des élèves" row */
        bool summer;             /* the summer holidays' row */
    } *periods;
    size_t nperiods;
};
/* Load the calendar of establishment_id (zone from the establishment).
 * Allocated in arena; NULL when the establishment does not exist. */
struct school_calendar *calendar_load(struct store *s, struct arena *a, int64_t establishment_id);
/* The calendars of the establishments of a family on date (those of the
 * classes of person's children, or of person's own class), asked ahead with
 * the other reads of a page (store_q_ahead); calendar_read then keeps each
 * for the request, where calendar_load finds it. calendar_read is false on
 * error. */
struct stmt *calendar_ask_for_family(struct store *s, int64_t person, const char *date);
bool calendar_read(struct stmt *st, struct arena *a);
/* The school year "YYYY-YYYY" containing date (September to August). */
void calendar_school_year_of(const char *date, char out[10]);
/* True when the calendar of date's school year is loaded for the zone (its
 * rentrée row or at least one holiday of that year is present). */
bool calendar_covers(const struct school_calendar *c, const char *date);
/* Is date a day without classes for this establishment? Weekends (Saturday
 * and Sunday), holiday periods [starts_on, ends_on), public holidays, and
 * days before the rentrée or from the summer holidays on. When it is not a
 * school day and why is not NULL, *why is a message key or the holiday's
 * description. Wednesdays are school days (the timetable decides). */
bool calendar_is_school_day(const struct school_calendar *c, const char *date, const char **why);
/* The next school day strictly after date (looks ahead at most 120 days;
 * false if none found or the calendar does not cover it). */
bool calendar_next_school_day(const struct school_calendar *c, const char *date, char out[11]);
/* Week A or B of the Monday of date's week: school weeks (weeks with at
 * least one school day) alternate from the rentrée, which is week A.
 * Returns 'A', 'B', or 0 when the week has no school day or the calendar
 * does not cover it. */
char calendar_week_ab(const struct school_calendar *c, const char *date);

#endif
