/* log.c — one line per event: ts=… level=… fn=… msg="…". */
#include "log.h"
#include "clock.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int quiet;

void log_set_quiet(int q) { quiet = q; }

static void timestamp(char *ts, size_t len)
{
    time_t t = (time_t)clock_now();
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(ts, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void log_access(const char *method, const char *route, int status, double ms)
{
    char ts[32];
    timestamp(ts, sizeof ts);
    fprintf(stderr, "ts=%s level=info fn=access method=%s route=\"%s\" status=%d ms=%.3f\n", ts, method ? method : "-",
            route ? route : "(none)", status, ms);
}

void log_line(const char *level, const char *fn, const char *fmt, ...)
{
    if (quiet && !strcmp(level, "info")) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '"') *p = '\'';
    char ts[32];
    timestamp(ts, sizeof ts);
    fprintf(stderr, "ts=%s level=%s fn=%s msg=\"%s\"\n", ts, level, fn, msg);
}
