/* test_text.c — checks on text coming from outside (src/core/text.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/text.h"
#include <string.h>

/* Validate a byte string given with an explicit length (may hold NUL). */
#define VALID(lit) text_utf8_valid((lit), sizeof(lit) - 1)

static void test_utf8_accepts_ascii_and_empty(void **state)
{
    (void)state;
    assert_true(VALID(""));
    assert_true(VALID("Hello, world! 0123 ~"));
    assert_true(VALID("\t\r\n"));
}

static void test_utf8_accepts_two_three_and_four_byte_sequences(void **state)
{
    (void)state;
    assert_true(VALID("\xC3\xA9"));             /* é U+00E9 */
    assert_true(VALID("\xC2\x80"));             /* U+0080, smallest 2-byte */
    assert_true(VALID("\xDF\xBF"));             /* U+07FF */
    assert_true(VALID("\xE0\xA0\x80"));         /* U+0800, smallest 3-byte */
    assert_true(VALID("\xE2\x82\xAC"));         /* € */
    assert_true(VALID("\xED\x9F\xBF"));         /* U+D7FF, just below surrogates */
    assert_true(VALID("\xEE\x80\x80"));         /* U+E000, just above surrogates */
    assert_true(VALID("\xEF\xBF\xBF"));         /* U+FFFF */
    assert_true(VALID("\xF0\x90\x80\x80"));     /* U+10000, smallest 4-byte */
    assert_true(VALID("\xF0\x9F\x98\x80"));     /* 😀 */
    assert_true(VALID("\xF4\x8F\xBF\xBF"));     /* U+10FFFF, largest */
    assert_true(VALID("Zo\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80!"));
}

static void test_utf8_accepts_nul_byte_inside_given_length(void **state)
{
    (void)state;
    /* NUL is a valid code point; callers that care check for it themselves. */
    assert_true(VALID("a\0b"));
}

static void test_utf8_rejects_overlong_encodings(void **state)
{
    (void)state;
    assert_false(VALID("\xC0\x80"));            /* overlong NUL */
    assert_false(VALID("\xC1\xBF"));            /* overlong U+007F */
    assert_false(VALID("\xE0\x80\x80"));        /* overlong NUL, 3 bytes */
    assert_false(VALID("\xE0\x9F\xBF"));        /* overlong U+07FF */
    assert_false(VALID("\xF0\x80\x80\x80"));    /* overlong NUL, 4 bytes */
    assert_false(VALID("\xF0\x8F\xBF\xBF"));    /* overlong U+FFFF */
}

static void test_utf8_rejects_surrogates(void **state)
{
    (void)state;
    assert_false(VALID("\xED\xA0\x80"));        /* U+D800 */
    assert_false(VALID("\xED\xBF\xBF"));        /* U+DFFF */
    assert_false(VALID("\xED\xA0\xBD\xED\xB8\x80")); /* CESU-8 pair */
}

static void test_utf8_rejects_code_points_above_10ffff(void **state)
{
    (void)state;
    assert_false(VALID("\xF4\x90\x80\x80"));    /* U+110000 */
    assert_false(VALID("\xF5\x80\x80\x80"));
    assert_false(VALID("\xF7\xBF\xBF\xBF"));
    assert_false(VALID("\xF8\x88\x80\x80\x80")); /* 5-byte form */
    assert_false(VALID("\xFF"));
    assert_false(VALID("\xFE"));
}

static void test_utf8_rejects_sequences_truncated_at_the_end(void **state)
{
    (void)state;
    assert_false(VALID("\xC3"));
    assert_false(VALID("abc\xC3"));
    assert_false(VALID("\xE2\x82"));
    assert_false(VALID("\xE2"));
    assert_false(VALID("\xF0\x9F\x98"));
    assert_false(VALID("\xF0\x9F"));
    /* The length is what counts: a valid string cut in the middle of é. */
    assert_false(text_utf8_valid("caf\xC3\xA9", 4));
    assert_true(text_utf8_valid("caf\xC3\xA9", 5));
}

static void test_utf8_rejects_stray_and_missing_continuation_bytes(void **state)
{
    (void)state;
    assert_false(VALID("\x80"));
    assert_false(VALID("a\xBF" "b"));
    assert_false(VALID("\xC3\xA9\xA9"));        /* one continuation too many */
    assert_false(VALID("\xC3" "a"));            /* lead byte followed by ASCII */
    assert_false(VALID("\xE2\x82" "a"));
    assert_false(VALID("\xF0\x9F\x98" "a"));
    assert_false(VALID("\xC3\xC3\xA9"));        /* lead byte followed by a lead byte */
}

static void test_utf8_len_counts_code_points(void **state)
{
    (void)state;
    assert_int_equal(text_utf8_len(""), 0);
    assert_int_equal(text_utf8_len("abc"), 3);
    assert_int_equal(text_utf8_len("\xC3\xA9t\xC3\xA9"), 3);              /* été */
    assert_int_equal(text_utf8_len("\xE2\x82\xAC"), 1);                   /* € */
    assert_int_equal(text_utf8_len("\xF0\x9F\x98\x80x"), 2);             /* 😀x */
}

static void test_has_control_single_line(void **state)
{
    (void)state;
    assert_false(text_has_control("", false));
    assert_false(text_has_control("Une ligne normale, é €", false));
    assert_true(text_has_control("a\nb", false));
    assert_true(text_has_control("a\rb", false));
    assert_true(text_has_control("a\tb", false));
    assert_true(text_has_control("a\x01", false));
    assert_true(text_has_control("\x1f", false));
    assert_true(text_has_control("del\x7f", false));
    assert_true(text_has_control("esc\x1b[0m", false));
}

static void test_has_control_multiline_allows_tab_cr_lf_only(void **state)
{
    (void)state;
    assert_false(text_has_control("a\nb\r\nc\td", true));
    assert_true(text_has_control("a\nb\x0b", true));   /* vertical tab */
    assert_true(text_has_control("a\x0c", true));      /* form feed */
    assert_true(text_has_control("a\x7f", true));
    assert_true(text_has_control("\x08", true));
}

static void test_equal_ct_compares_contents_and_length(void **state)
{
    (void)state;
    assert_true(text_equal_ct("", ""));
    assert_true(text_equal_ct("abc123", "abc123"));
    assert_false(text_equal_ct("abc123", "abc124"));
    assert_false(text_equal_ct("abc", "abcd"));
    assert_false(text_equal_ct("abcd", "abc"));
    assert_false(text_equal_ct("", "a"));
    assert_false(text_equal_ct("Abc", "abc"));
    /* Distinct buffers with the same contents. */
    char a[8] = "token", b[8] = "token";
    assert_true(text_equal_ct(a, b));
}

static void test_trim_removes_spaces_at_both_ends_in_place(void **state)
{
    (void)state;
    char s1[] = "  hello world  ";
    assert_ptr_equal(text_trim(s1), s1);
    assert_string_equal(s1, "hello world");
    char s2[] = "\t tab \t";
    assert_string_equal(text_trim(s2), "tab");
    char s3[] = "     ";
    assert_string_equal(text_trim(s3), "");
    char s4[] = "";
    assert_string_equal(text_trim(s4), "");
    char s5[] = "no-space";
    assert_string_equal(text_trim(s5), "no-space");
    char s6[] = "  \xC3\xA9t\xC3\xA9";
    assert_string_equal(text_trim(s6), "\xC3\xA9t\xC3\xA9");
}

static void test_trim_keeps_inner_spaces_and_newlines(void **state)
{
    (void)state;
    char s[] = " a  b\nc ";
    assert_string_equal(text_trim(s), "a  b\nc");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_accepts_ascii_and_empty),
        cmocka_unit_test(test_utf8_accepts_two_three_and_four_byte_sequences),
        cmocka_unit_test(test_utf8_accepts_nul_byte_inside_given_length),
        cmocka_unit_test(test_utf8_rejects_overlong_encodings),
        cmocka_unit_test(test_utf8_rejects_surrogates),
        cmocka_unit_test(test_utf8_rejects_code_points_above_10ffff),
        cmocka_unit_test(test_utf8_rejects_sequences_truncated_at_the_end),
        cmocka_unit_test(test_utf8_rejects_stray_and_missing_continuation_bytes),
        cmocka_unit_test(test_utf8_len_counts_code_points),
        cmocka_unit_test(test_has_control_single_line),
        cmocka_unit_test(test_has_control_multiline_allows_tab_cr_lf_only),
        cmocka_unit_test(test_equal_ct_compares_contents_and_length),
        cmocka_unit_test(test_trim_removes_spaces_at_both_ends_in_place),
        cmocka_unit_test(test_trim_keeps_inner_spaces_and_newlines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
