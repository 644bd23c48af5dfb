/* test_buf.c — the escaping printf used for every HTML page (src/core/buf.c).
 * Output is escaped by the renderer; raw output is the marked exception. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include <string.h>

static void test_html_escapes_the_five_special_characters(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_fmt(&b, "<p>%h</p>", "a & b < c > d \"e\" 'f'");
    assert_string_equal(buf_cstr(&b), "<p>a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;</p>");
    buf_free(&b);
}

static void test_html_keeps_plain_and_utf8_text(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_fmt(&b, "%h", "Élève Zoé — 5e B");
    assert_string_equal(buf_cstr(&b), "Élève Zoé — 5e B");
    buf_free(&b);
}

static void test_html_escapes_a_script_injection(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_fmt(&b, "<input value=\"%h\">", "\"><script>alert(1)</script>");
    assert_null(strstr(buf_cstr(&b), "<script>"));
    assert_string_equal(buf_cstr(&b), "<input value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">");
    buf_free(&b);
}

static void test_url_percent_encodes_reserved_and_non_ascii_bytes(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_fmt(&b, "/p?q=%u", "a b/c?d=e&f#g%é");
    assert_string_equal(buf_cstr(&b), "/p?q=a%20b%2Fc%3Fd%3De%26f%23g%25%C3%A9");
    buf_free(&b);
}

static void test_url_leaves_unreserved_characters(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_fmt(&b, "%u", "AZaz09-_.~");
    assert_string_equal(buf_cstr(&b), "AZaz09-_.~");
    buf_reset(&b);
    buf_fmt(&b, "%u", "\"<'+");
    assert_string_equal(buf_cstr(&b), "%22%3C%27%2B");
    buf_free(&b);
}

static void test_json_escapes_quotes_backslash_and_newlines(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_fmt(&b, "\"%j\"", "say \"hi\"\\ now\nthen\r\tend");
    assert_string_equal(buf_cstr(&b), "\"say \\\"hi\\\"\\\\ now\\nthen\\r\\tend\"");
    buf_free(&b);
}

static void test_json_escapes_control_characters_as_unicode(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_fmt(&b, "%j", "a\x01" "b\x1f" "c\x08");
    assert_string_equal(buf_cstr(&b), "a\\u0001b\\u001fc\\u0008");
    buf_free(&b);
}

static void test_json_escapes_html_specials_so_script_cannot_close(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_fmt(&b, "%j", "</script><b>&amp;");
    assert_string_equal(buf_cstr(&b), "\\u003c/script\\u003e\\u003cb\\u003e\\u0026amp;");
    assert_null(strchr(buf_cstr(&b), '<'));
    buf_free(&b);
}

static void test_json_keeps_utf8(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_fmt(&b, "%j", "café");
    assert_string_equal(buf_cstr(&b), "café");
    buf_free(&b);
}

static void test_integers_d_I_z(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_fmt(&b, "%d|%d|%I|%I|%z", 42, -7, (int64_t)9007199254740993LL, (int64_t)INT64_MIN, (size_t)123456789);
    assert_string_equal(buf_cstr(&b), "42|-7|9007199254740993|-9223372036854775808|123456789");
    buf_free(&b);
}

static void test_percent_percent_prints_one_percent(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_fmt(&b, "100%% sur %d%%", 20);
    assert_string_equal(buf_cstr(&b), "100% sur 20%");
    buf_free(&b);
}

static void test_null_strings_print_nothing(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_fmt(&b, "[%h][%u][%j][%R]", (const char *)NULL, (const char *)NULL, (const char *)NULL,
            (const char *)NULL); /* RAW_OK: NULL test */
    assert_string_equal(buf_cstr(&b), "[][][][]");
    buf_free(&b);
}

static void test_raw_passes_html_unchanged(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_fmt(&b, "<div>%R</div>", "<b>&amp;\"'</b>"); /* RAW_OK: test literal */
    assert_string_equal(buf_cstr(&b), "<div><b>&amp;\"'</b></div>");
    buf_free(&b);
}

static void test_literal_text_around_conversions_is_kept(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_fmt(&b, "a<%h>b", "x");
    buf_fmt(&b, "%h", "");
    buf_fmt(&b, "tail");
    assert_string_equal(buf_cstr(&b), "a<x>btail");
    assert_int_equal(b.len, strlen("a<x>btail"));
    buf_free(&b);
}

static void test_buffer_grows_past_initial_capacity(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    for (int i = 0; i < 5000; i++) buf_fmt(&b, "%h", "<");
    assert_int_equal(b.len, 5000 * 4);
    const char *s = buf_cstr(&b);
    assert_int_equal(strlen(s), 5000 * 4);
    assert_memory_equal(s + 4 * 4999, "&lt;", 4);
    buf_free(&b);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
}

static void test_empty_buffer_cstr_is_empty_string(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    assert_string_equal(buf_cstr(&b), "");
    buf_puts(&b, NULL);
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_escapes_the_five_special_characters),
        cmocka_unit_test(test_html_keeps_plain_and_utf8_text),
        cmocka_unit_test(test_html_escapes_a_script_injection),
        cmocka_unit_test(test_url_percent_encodes_reserved_and_non_ascii_bytes),
        cmocka_unit_test(test_url_leaves_unreserved_characters),
        cmocka_unit_test(test_json_escapes_quotes_backslash_and_newlines),
        cmocka_unit_test(test_json_escapes_control_characters_as_unicode),
        cmocka_unit_test(test_json_escapes_html_specials_so_script_cannot_close),
        cmocka_unit_test(test_json_keeps_utf8),
        cmocka_unit_test(test_integers_d_I_z),
        cmocka_unit_test(test_percent_percent_prints_one_percent),
        cmocka_unit_test(test_null_strings_print_nothing),
        cmocka_unit_test(test_raw_passes_html_unchanged),
        cmocka_unit_test(test_literal_text_around_conversions_is_kept),
        cmocka_unit_test(test_buffer_grows_past_initial_capacity),
        cmocka_unit_test(test_empty_buffer_cstr_is_empty_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
