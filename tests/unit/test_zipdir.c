/* test_zipdir.c — Review #5: the central directory of an office document
 * (src/modules/files/zipdir.c), read with every field checked against the
 * bounds, ZIP64 handled, anything malformed refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "modules/files/zipdir.h"
#include <string.h>

#define M32 0xFFFFFFFFu

static size_t put16(unsigned char *p, uint64_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    return 2;
}
static size_t put32(unsigned char *p, uint64_t v) { put16(p, v); put16(p + 2, v >> 16); return 4; }
static size_t put64(unsigned char *p, uint64_t v) { put32(p, v); put32(p + 4, v >> 32); return 8; }

/* One deflated entry "a" of csize bytes (zeros) announced to expand to
 * usize; zip64: its sizes and the end record's fields in ZIP64 form. */
static size_t one_entry(unsigned char *b, uint64_t csize, uint64_t usize, bool zip64)
{
    size_t n = 0, cd;
    uint32_t c32 = zip64 ? M32 : (uint32_t)csize, u32 = zip64 ? M32 : (uint32_t)usize;
    n += put32(b + n, 0x04034b50); n += put16(b + n, 45); n += put16(b + n, 0);
    n += put16(b + n, 8);
    n += put32(b + n, 0); n += put32(b + n, 0); n += put32(b + n, c32); n += put32(b + n, u32);
    n += put16(b + n, 1); n += put16(b + n, 0);
    b[n++] = 'a';
    memset(b + n, 0, csize);
    n += csize;
    cd = n;
    n += put32(b + n, 0x02014b50); n += put16(b + n, 45); n += put16(b + n, 45);
    n += put16(b + n, 0);
    n += put16(b + n, 8); n += put32(b + n, 0); n += put32(b + n, 0); n += put32(b + n, c32);
    n += put32(b + n, u32); n += put16(b + n, 1); n += put16(b + n, zip64 ? 20 : 0);
    n += put16(b + n, 0); n += put16(b + n, 0); n += put16(b + n, 0); n += put32(b + n, 0);
    n += put32(b + n, 0);
    b[n++] = 'a';
    if (zip64) {
        n += put16(b + n, 1); n += put16(b + n, 16); n += put64(b + n, usize);
        n += put64(b + n, csize);
        size_t at = n;
        n += put32(b + n, 0x06064b50); n += put64(b + n, 44); n += put16(b + n, 45);
        n += put16(b + n, 45);
        n += put32(b + n, 0); n += put32(b + n, 0); n += put64(b + n, 1); n += put64(b + n, 1);
        n += put64(b + n, at - cd); n += put64(b + n, cd);
        n += put32(b + n, 0x07064b50); n += put32(b + n, 0); n += put64(b + n, at);
        n += put32(b + n, 1);
    }
    size_t dir_size = zip64 ? 0 : n - cd;
    n += put32(b + n, 0x06054b50); n += put32(b + n, 0);
    n += put16(b + n, zip64 ? 0xFFFF : 1); n += put16(b + n, zip64 ? 0xFFFF : 1);
    n += put32(b + n, zip64 ? M32 : dir_size); n += put32(b + n, zip64 ? M32 : cd);
    n += put16(b + n, 0);
    return n;
}

static unsigned char B[4096];

static void test_review5_a_directory_says_what_the_archive_expands_to(void **state)
{
    (void)state;
    struct zipdir z;
    size_t n = one_entry(B, 1000, 1u << 30, false);
    assert_int_equal(zipdir_read(B, n, &z), 0);
    assert_int_equal(z.entries, 1);
    assert_int_equal(z.compressed, 1000);
    assert_int_equal(z.expanded, 1u << 30);
    assert_false(z.zip64);
    /* ZIP64: sizes past 4 GiB, read from the extra field and the ZIP64 end record. */
    n = one_entry(B, 1000, (uint64_t)5 << 32, true);
    assert_int_equal(zipdir_read(B, n, &z), 0);
    assert_int_equal(z.entries, 1);
    assert_int_equal(z.expanded, (uint64_t)5 << 32);
    assert_true(z.zip64);
}

static void test_review5_a_malformed_directory_is_refused(void **state)
{
    (void)state;
    struct zipdir z;
    size_t n = one_entry(B, 1000, 5000, false);
    for (size_t cut = 0; cut < n; cut++) /* truncated */
        assert_int_equal(zipdir_read(B, cut, &z), -1);
    assert_int_equal(z.entries, 0);
    unsigned char *end = B + n - 22;
    put32(end + 16, 3); /* the directory's offset points elsewhere */
    assert_int_equal(zipdir_read(B, n, &z), -1);
    one_entry(B, 1000, 5000, false);
    put16(end + 10, 2); /* two entries announced, one there */
    put16(end + 8, 2);
    assert_int_equal(zipdir_read(B, n, &z), -1);
    one_entry(B, 1000, 5000, false);
    put32(end + 16, M32); /* a ZIP64 marker without its record */
    assert_int_equal(zipdir_read(B, n, &z), -1);
    one_entry(B, 1000, 5000, false);
    put32(B + 18, 999); /* the local header says another size than the directory */
    assert_int_equal(zipdir_read(B, n, &z), -1);
    one_entry(B, 1000, 5000, false);
    put32(B + 31 + 1000 + 20, 4000); /* data past the directory's start */
    assert_int_equal(zipdir_read(B, n, &z), -1);
    n = one_entry(B, 1000, (uint64_t)5 << 32, true);
    put16(B + 31 + 1000 + 46 + 1 + 2, 8); /* the ZIP64 extra field too short for both sizes */
    assert_int_equal(zipdir_read(B, n, &z), -1);
    assert_int_equal(zipdir_read(NULL, 0, &z), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_review5_a_directory_says_what_the_archive_expands_to),
        cmocka_unit_test(test_review5_a_malformed_directory_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
