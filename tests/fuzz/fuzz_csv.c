/* fuzz_csv.c — the streaming CSV reader of the imports (src/import/csv.c),
 * what ONDE's extractions and other exports hand us. Besides crashes and
 * reads out of bounds (the input is an exact-size heap copy): every field
 * and header name is valid UTF-8 within the limits, header names are
 * trimmed, records start on increasing lines, a file read twice gives the
 * same records, and a refused file says why. */
#include "core/limits.h"
#include "core/text.h"
#include "import/csv.h"
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A digest of what reading the input gives (FNV-1a over every field). */
static uint64_t mix(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
    return (h ^ 0xFF) * 0x100000001b3u;
}

static void check_text(const char *s, size_t max)
{
    size_t n = strlen(s);
    assert(n <= max);
    assert(text_utf8_valid(s, n));
}

/* Read the whole input; the digest of its records, or 0 when refused. */
static uint64_t read_all(const uint8_t *copy, size_t size)
{
    char err[256] = "";
    struct csv *c = csv_open_mem(copy, size, err, sizeof err);
    if (!c) {
        assert(err[0]);
        return 0;
    }
    uint64_t h = 0xcbf29ce484222325u;
    size_t cols = csv_columns(c);
    assert(cols >= 1 && cols <= LIMIT_CSV_COLUMNS);
    for (size_t i = 0; i < cols; i++) {
        const char *name = csv_name(c, i);
        check_text(name, 3 * LIMIT_CSV_FIELD_BYTES);
        size_t n = strlen(name);
        assert(!n || (name[0] != ' ' && name[n - 1] != ' ' && name[n - 1] != '\t'));
        int found = csv_index(c, name, 0); /* itself, or an earlier column of that name */
        assert(found >= 0 && (size_t)found <= i);
    }
    long line = csv_line(c);
    int rc;
    while ((rc = csv_next(c)) == 1) {
        assert(csv_line(c) > line);
        line = csv_line(c);
        size_t n = csv_fields(c);
        assert(n >= 1 && n <= LIMIT_CSV_COLUMNS);
        assert(csv_field(c, n) == NULL);
        for (size_t i = 0; i < n; i++) {
            check_text(csv_field(c, i), 3 * LIMIT_CSV_FIELD_BYTES);
            h = mix(h, csv_field(c, i), strlen(csv_field(c, i)));
        }
        h = mix(h, "", 0);
    }
    assert(rc == 0 || (rc == -1 && csv_error(c)[0]));
    assert(csv_next(c) == rc);
    if (rc < 0) h = mix(h, csv_error(c), strlen(csv_error(c)));
    csv_close(c);
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) return 0;
    memcpy(copy, data, size);
    uint64_t a = read_all(copy, size), b = read_all(copy, size);
    assert(a == b);
    char out[64];
    char *s = malloc(size + 1);
    if (s) {
        memcpy(s, data, size);
        s[size] = 0;
        size_t n = csv_fold(s, out, sizeof out, CSV_FOLD_KEY);
        assert(n < sizeof out && n == strlen(out));
        for (size_t i = 0; i < n; i++)
            assert((out[i] >= 'A' && out[i] <= 'Z') || (out[i] >= '0' && out[i] <= '9')
                   || (out[i] == ' ' && i && i + 1 < n && out[i - 1] != ' '));
        free(s);
    }
    free(copy);
    return 0;
}
