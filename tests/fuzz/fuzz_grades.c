/* fuzz_grades.c — libFuzzer target for grades_parse (src/grades/average.c),
 * which reads every mark a teacher types. Besides crashes, it checks that an
 * accepted number is within the scale and formats back to a number that
 * parses to the same value. See README.md in this directory. */
#include "grades/average.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 32) return 0;
    int scale = data[0] % 101;
    char s[33];
    memcpy(s, data + 1, size - 1);
    s[size - 1] = 0;
    enum mark_kind k;
    int v;
    if (grades_parse(s, scale, &k, &v) != 0 || k != MARK_VALUE) return 0;
    if (v < 0 || v > scale * 100) abort();
    char back[16];
    grades_format(v, back);
    enum mark_kind k2;
    int v2;
    if (grades_parse(back, scale, &k2, &v2) != 0 || k2 != MARK_VALUE || v2 != v) abort();
    return 0;
}
