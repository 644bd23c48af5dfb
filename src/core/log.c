/* log.c — one line per event: ts=… level=… fn=… msg="…". */
#include "log.h"
#include "clock.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int quiet;

void log_set_quiet(int q) { quiet = q; }

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
    time_t t = (time_t)clock_now();
    struct tm tm;
    gmtime_r(&t, &tm);
    char ts[32];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr, "ts=%s level=%s fn=%s msg=\"%s\"\n", ts, level, fn, msg);
}
