/* fuzz_clock.c — libFuzzer target for clock_parse (src/core/clock.c), which
 * reads --now and the test hook's time. Besides crashes, it checks that an
 * accepted UTC time "YYYY-MM-DDTHH:MMZ" formats back to the same text (no
 * silent normalisation of impossible dates). See README.md in this directory. */
#include "core/clock.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    clock_set_zone("Europe/Paris");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64) return 0;
    char s[65];
    memcpy(s, data, size);
    s[size] = 0;
    int64_t t = 0;
    if (!clock_parse(s, &t)) return 0;
    if (size == 17 && s[10] == 'T' && s[16] == 'Z' && strlen(s) == 17) {
        time_t tt = (time_t)t;
        struct tm tm;
        char back[32];
        if (!gmtime_r(&tt, &tm)) abort();
        snprintf(back, sizeof back, "%04d-%02d-%02dT%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min);
        if (strcmp(back, s)) abort(); /* accepted but means another time */
    }
    char d[11], dt[17];
    clock_date(t, d);
    clock_datetime(t, dt);
    return 0;
}
