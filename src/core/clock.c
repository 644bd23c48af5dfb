/* clock.c — real time plus an offset set by --now or the test hook. */
#include "clock.h"
#include <libical/ical.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Atomic int64_t offset;

int64_t clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec + atomic_load_explicit(&offset, memory_order_relaxed);
}

void clock_set(int64_t t)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    atomic_store(&offset, t - (int64_t)ts.tv_sec);
}

void clock_set_zone(const char *tz)
{
    setenv("TZ", tz && *tz ? tz : "Europe/Paris", 1);
    tzset();
}

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

bool clock_parse(const char *s, int64_t *out)
{
    if (!s || strlen(s) < 16) return false;
    if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2) ||
        (s[10] != 'T' && s[10] != ' ') || !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2))
        return false;
    struct tm tm = {0};
    tm.tm_year = atoi(s) - 1900;
    tm.tm_mon = atoi(s + 5) - 1;
    tm.tm_mday = atoi(s + 8);
    tm.tm_hour = atoi(s + 11);
    tm.tm_min = atoi(s + 14);
    const char *rest = s + 16;
    if (rest[0] == ':') {
        if (!digits(rest + 1, 2)) return false;
        tm.tm_sec = atoi(rest + 1);
        rest += 3;
    }
    if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 59)
        return false;
    int day = tm.tm_mday, mon = tm.tm_mon;
    if (*rest == 0) {
        tm.tm_isdst = -1;
        time_t t = mktime(&tm);
        if (t == (time_t)-1 || tm.tm_mday != day || tm.tm_mon != mon) return false;
        *out = (int64_t)t;
        return true;
    }
    int64_t shift = 0;
    if (!strcmp(rest, "Z")) {
        shift = 0;
    } else if ((rest[0] == '+' || rest[0] == '-') && digits(rest + 1, 2) && rest[3] == ':' &&
               digits(rest + 4, 2) && rest[6] == 0) {
        if (atoi(rest + 1) > 14 || atoi(rest + 4) > 59) return false;
        shift = (atoi(rest + 1) * 60 + atoi(rest + 4)) * 60;
        if (rest[0] == '-') shift = -shift;
    } else {
        return false;
    }
    time_t t = timegm(&tm);
    if (tm.tm_mday != day || tm.tm_mon != mon) return false;
    *out = (int64_t)t - shift;
    return true;
}

void clock_date(int64_t t, char out[11])
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

void clock_datetime(int64_t t, char out[17])
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(out, 17, "%Y-%m-%d %H:%M", &tm);
}

void clock_datetime_in(int64_t t, const char *tz, char out[17])
{
    icaltimezone *z = tz && *tz ? icaltimezone_get_builtin_timezone(tz) : NULL;
    if (!z) {
        clock_datetime(t, out);
        return;
    }
    struct icaltimetype lt = icaltime_from_timet_with_zone((time_t)t, 0, z);
    char b[48];
    snprintf(b, sizeof b, "%04d-%02d-%02d %02d:%02d", lt.year, lt.month, lt.day, lt.hour, lt.minute);
    memcpy(out, b, 16);
    out[16] = 0;
}

int clock_minutes(const char *v)
{
    if (!v || strlen(v) != 5 || !digits(v, 2) || v[2] != ':' || !digits(v + 3, 2)) return -1;
    int h = (v[0] - '0') * 10 + (v[1] - '0'), m = (v[3] - '0') * 10 + (v[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

double clock_elapsed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t clock_local_noon(const char *date)
{
    char s[20];
    snprintf(s, sizeof s, "%.10sT12:00", date);
    int64_t t = 0;
    clock_parse(s, &t);
    return t;
}

void clock_today(char out[11]) { clock_date(clock_now(), out); }
