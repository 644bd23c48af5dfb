/* clock.h — the one source of time. Everything reads clock_now(); the
 * server's --now option (and the test hook) move it. Thread-safe. */
#ifndef CARNET_CLOCK_H
#define CARNET_CLOCK_H
#include <stdbool.h>
#include <stdint.h>

/* Seconds since the epoch, as Carnet sees them. */
int64_t clock_now(void);
/* From now on, clock_now() continues from t (the clock keeps running). */
void clock_set(int64_t t);
/* Parse "YYYY-MM-DDTHH:MM[:SS]" in the default time zone, or with a
 * trailing "Z" or "+HH:MM"/"-HH:MM". Returns false on malformed input. */
bool clock_parse(const char *s, int64_t *out);
/* Set the default time zone (e.g. "Europe/Paris"); call once at start-up. */
void clock_set_zone(const char *tz);
/* Write the local date "YYYY-MM-DD" of t in the default zone into out[11]. */
void clock_date(int64_t t, char out[11]);
/* Write "YYYY-MM-DD HH:MM" of t in the default zone into out[17]. */
void clock_datetime(int64_t t, char out[17]);
/* The same in IANA zone tz (an establishment's: "Indian/Reunion"); the
 * default zone when tz is NULL or unknown. */
void clock_datetime_in(int64_t t, const char *tz, char out[17]);
/* "HH:MM" (two digits each, nothing after) → minutes after midnight, or -1. */
int clock_minutes(const char *hhmm);
/* Seconds on a monotonic clock, for measuring durations (not dates). */
double clock_elapsed(void);
/* Noon, local time, of a "YYYY-MM-DD" date (for formatting a date). */
int64_t clock_local_noon(const char *date);
/* Today's local date (default zone) into out[11]. */
void clock_today(char out[11]);

#endif
