/* fuzz_utf8.c — libFuzzer target for src/core/text.c: text_utf8_valid is
 * compared with a straightforward reference decoder (RFC 3629), and
 * text_utf8_len, text_has_control and text_trim are run on the same input.
 * Any disagreement aborts. See README.md in this directory. */
#include "core/text.h"
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reference: decode each sequence fully, then check range and minimality.
 * Returns the number of code points, or -1 when invalid. */
static long ref_decode(const uint8_t *s, size_t n)
{
    long count = 0;
    for (size_t i = 0; i < n; count++) {
        uint8_t c = s[i];
        size_t len;
        uint32_t cp, min;
        if (c < 0x80) { i++; continue; }
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
        else return -1;
        if (n - i < len) return -1;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return -1;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
        i += len;
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *exact = malloc(size ? size : 1);
    if (!exact) abort();
    memcpy(exact, data, size);
    bool valid = text_utf8_valid(exact, size);
    long ref = ref_decode(data, size);
    if (valid != (ref >= 0)) abort(); /* disagreement with the reference */
    free(exact);

    char *cstr = malloc(size + 1);
    if (!cstr) abort();
    memcpy(cstr, data, size);
    cstr[size] = 0;
    if (valid && !memchr(data, 0, size)) {
        if ((long)text_utf8_len(cstr) != ref) abort();
    }
    bool single = text_has_control(cstr, false), multi = text_has_control(cstr, true);
    if (multi && !single) abort(); /* multiline allows more, never less */
    size_t before = strlen(cstr);
    char *t = text_trim(cstr);
    size_t after = strlen(t);
    assert(t == cstr && after <= before);
    if (after) assert(t[0] != ' ' && t[0] != '\t' && t[after - 1] != ' ' && t[after - 1] != '\t');
    free(cstr);
    return 0;
}
