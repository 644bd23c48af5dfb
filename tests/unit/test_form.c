/* test_form.c — parsers of what clients send (src/core/form.c): strict,
 * malformed input is refused with a message key, never guessed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/form.h"
#include "core/limits.h"
#include <stdio.h>
#include <string.h>

struct fx {
    struct arena a;
    struct kv kv[LIMIT_FIELDS];
    size_t nkv;
    struct upload up[LIMIT_MULTIPART_PARTS];
    size_t nup;
    const char *err;
};

static int setup(void **state)
{
    static struct fx f;
    memset(&f, 0, sizeof f);
    arena_init(&f.a);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    arena_free(&f->a);
    return 0;
}

static int urlenc(struct fx *f, const char *s)
{
    f->nkv = 0;
    f->err = NULL;
    return form_urlencoded(&f->a, s, strlen(s), f->kv, &f->nkv, &f->err);
}

/* ---- urlencoded -------------------------------------------------------- */

static void test_urlencoded_two_fields(void **state)
{
    struct fx *f = *state;
    assert_int_equal(urlenc(f, "login=jean.dupont&password=secret"), 0);
    assert_int_equal(f->nkv, 2);
    assert_string_equal(f->kv[0].name, "login");
    assert_string_equal(f->kv[0].value, "jean.dupont");
    assert_int_equal(f->kv[0].len, 11);
    assert_string_equal(f->kv[1].name, "password");
    assert_string_equal(f->kv[1].value, "secret");
}

static void test_urlencoded_plus_is_space_and_percent_escapes_decode(void **state)
{
    struct fx *f = *state;
    assert_int_equal(urlenc(f, "q=les+cerises%20de+mai&e=%C3%A9t%c3%a9&amp=%26%3D%2B"), 0);
    assert_int_equal(f->nkv, 3);
    assert_string_equal(f->kv[0].value, "les cerises de mai");
    assert_string_equal(f->kv[1].value, "\xC3\xA9t\xC3\xA9");
    assert_int_equal(f->kv[1].len, 5);
    assert_string_equal(f->kv[2].value, "&=+");
}

static void test_urlencoded_name_is_decoded_too(void **state)
{
    struct fx *f = *state;
    assert_int_equal(urlenc(f, "a+b%5B%5D=1"), 0);
    assert_int_equal(f->nkv, 1);
    assert_string_equal(f->kv[0].name, "a b[]");
}

static void test_urlencoded_empty_value_and_missing_equals(void **state)
{
    struct fx *f = *state;
    assert_int_equal(urlenc(f, "a=&b&c=3"), 0);
    assert_int_equal(f->nkv, 3);
    assert_string_equal(f->kv[0].name, "a");
    assert_string_equal(f->kv[0].value, "");
    assert_int_equal(f->kv[0].len, 0);
    assert_string_equal(f->kv[1].name, "b");
    assert_string_equal(f->kv[1].value, "");
    assert_string_equal(f->kv[2].value, "3");
}

static void test_urlencoded_empty_pieces_are_skipped(void **state)
{
    struct fx *f = *state;
    assert_int_equal(urlenc(f, ""), 0);
    assert_int_equal(f->nkv, 0);
    assert_int_equal(urlenc(f, "&&a=1&&"), 0);
    assert_int_equal(f->nkv, 1);
    assert_string_equal(f->kv[0].value, "1");
}

static void test_urlencoded_value_keeps_later_equals(void **state)
{
    struct fx *f = *state;
    assert_int_equal(urlenc(f, "t=a=b=c"), 0);
    assert_int_equal(f->nkv, 1);
    assert_string_equal(f->kv[0].value, "a=b=c");
}

static void test_urlencoded_bad_escape_zz_is_refused(void **state)
{
    struct fx *f = *state;
    assert_int_equal(urlenc(f, "a=%zz"), -1);
    assert_string_equal(f->err, "err.form.escape");
}

static void test_urlencoded_truncated_escape_is_refused(void **state)
{
    struct fx *f = *state;
    assert_int_equal(urlenc(f, "a=%4"), -1);
    assert_string_equal(f->err, "err.form.escape");
    assert_int_equal(urlenc(f, "a=%"), -1);
    assert_string_equal(f->err, "err.form.escape");
    assert_int_equal(urlenc(f, "a=%4&b=1"), -1);
    assert_string_equal(f->err, "err.form.escape");
    assert_int_equal(urlenc(f, "%g1=x"), -1);
    assert_string_equal(f->err, "err.form.escape");
}

static void test_urlencoded_escape_at_the_very_end_is_accepted(void **state)
{
    struct fx *f = *state;
    assert_int_equal(urlenc(f, "a=%41"), 0);
    assert_string_equal(f->kv[0].value, "A");
}

static void test_urlencoded_nul_via_percent_00_is_refused(void **state)
{
    struct fx *f = *state;
    assert_int_equal(urlenc(f, "a=x%00y"), -1);
    assert_non_null(f->err);
    assert_int_equal(urlenc(f, "a%00b=1"), -1);
    assert_non_null(f->err);
}

static void test_urlencoded_invalid_utf8_is_refused(void **state)
{
    struct fx *f = *state;
    assert_int_equal(urlenc(f, "a=%C3"), -1);
    assert_string_equal(f->err, "err.form.utf8");
    assert_int_equal(urlenc(f, "a=%C0%80"), -1);
    assert_string_equal(f->err, "err.form.utf8");
    assert_int_equal(urlenc(f, "a=%ED%A0%80"), -1);
    assert_string_equal(f->err, "err.form.utf8");
    assert_int_equal(urlenc(f, "%FF=1"), -1);
    assert_string_equal(f->err, "err.form.utf8");
}

static void test_urlencoded_empty_name_is_refused(void **state)
{
    struct fx *f = *state;
    assert_int_equal(urlenc(f, "=value"), -1);
    assert_string_equal(f->err, "err.form.malformed");
}

static void test_urlencoded_accepts_limit_fields_and_refuses_one_more(void **state)
{
    struct fx *f = *state;
    char s[LIMIT_FIELDS * 12 + 16];
    size_t n = 0;
    for (int i = 0; i < LIMIT_FIELDS; i++) n += (size_t)snprintf(s + n, sizeof s - n, "%sf%d=%d", i ? "&" : "", i, i);
    assert_int_equal(urlenc(f, s), 0);
    assert_int_equal(f->nkv, LIMIT_FIELDS);
    snprintf(s + n, sizeof s - n, "&extra=1");
    assert_int_equal(urlenc(f, s), -1);
    assert_string_equal(f->err, "err.form.too_many");
}

static void test_urlencoded_overlong_name_is_refused(void **state)
{
    struct fx *f = *state;
    char s[LIMIT_FIELD_NAME_BYTES + 8];
    memset(s, 'n', LIMIT_FIELD_NAME_BYTES + 1);
    strcpy(s + LIMIT_FIELD_NAME_BYTES + 1, "=1");
    assert_int_equal(urlenc(f, s), -1);
    assert_string_equal(f->err, "err.form.malformed");
}

static void test_urlencoded_respects_explicit_length(void **state)
{
    struct fx *f = *state;
    const char *s = "a=1&b=2";
    f->nkv = 0;
    assert_int_equal(form_urlencoded(&f->a, s, 3, f->kv, &f->nkv, &f->err), 0);
    assert_int_equal(f->nkv, 1);
    assert_string_equal(f->kv[0].value, "1");
}

/* ---- multipart --------------------------------------------------------- */

static int multipart(struct fx *f, const char *ctype, const char *body)
{
    f->nkv = f->nup = 0;
    f->err = NULL;
    return form_multipart(&f->a, ctype, body, strlen(body), f->kv, &f->nkv, f->up, &f->nup, &f->err);
}

static const char mp_body[] =
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"title\"\r\n"
    "\r\n"
    "Sortie au mus\xC3\xA9" "e\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"note\"\r\n"
    "\r\n"
    "ligne 1\r\nligne 2\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"piece\"; filename=\"justif.pdf\"\r\n"
    "Content-Type: application/pdf\r\n"
    "\r\n"
    "%PDF-1.4 data\r\n"
    "--XyZ--\r\n";

static void test_multipart_two_fields_and_one_file(void **state)
{
    struct fx *f = *state;
    assert_int_equal(multipart(f, "multipart/form-data; boundary=XyZ", mp_body), 0);
    assert_int_equal(f->nkv, 2);
    assert_string_equal(f->kv[0].name, "title");
    assert_string_equal(f->kv[0].value, "Sortie au mus\xC3\xA9" "e");
    assert_string_equal(f->kv[1].name, "note");
    assert_string_equal(f->kv[1].value, "ligne 1\r\nligne 2");
    assert_int_equal(f->nup, 1);
    assert_string_equal(f->up[0].field, "piece");
    assert_string_equal(f->up[0].filename, "justif.pdf");
    assert_string_equal(f->up[0].content_type, "application/pdf");
    assert_int_equal(f->up[0].len, strlen("%PDF-1.4 data"));
    assert_memory_equal(f->up[0].data, "%PDF-1.4 data", f->up[0].len);
}

static void test_multipart_file_without_content_type_is_octet_stream(void **state)
{
    struct fx *f = *state;
    const char *body = "--b\r\n"
                       "Content-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n"
                       "\r\n"
                       "\x01\x02\r\n"
                       "--b--";
    assert_int_equal(multipart(f, "multipart/form-data; boundary=b", body), 0);
    assert_int_equal(f->nup, 1);
    assert_string_equal(f->up[0].content_type, "application/octet-stream");
    assert_int_equal(f->up[0].len, 2);
}

static void test_multipart_boundary_in_quotes(void **state)
{
    struct fx *f = *state;
    const char *body = "--a b;c\r\n"
                       "Content-Disposition: form-data; name=\"x\"\r\n"
                       "\r\n"
                       "1\r\n"
                       "--a b;c--\r\n";
    assert_int_equal(multipart(f, "multipart/form-data; boundary=\"a b;c\"", body), 0);
    assert_int_equal(f->nkv, 1);
    assert_string_equal(f->kv[0].name, "x");
    assert_string_equal(f->kv[0].value, "1");
}

static void test_multipart_missing_boundary_is_refused(void **state)
{
    struct fx *f = *state;
    assert_int_equal(multipart(f, "multipart/form-data", mp_body), -1);
    assert_string_equal(f->err, "err.form.multipart");
    assert_int_equal(multipart(f, "multipart/form-data; boundary=", mp_body), -1);
    assert_string_equal(f->err, "err.form.multipart");
}

static void test_multipart_wrong_boundary_is_refused(void **state)
{
    struct fx *f = *state;
    assert_int_equal(multipart(f, "multipart/form-data; boundary=Other", mp_body), -1);
    assert_string_equal(f->err, "err.form.multipart");
}

static void test_multipart_missing_closing_delimiter_is_refused(void **state)
{
    struct fx *f = *state;
    const char *body = "--b\r\n"
                       "Content-Disposition: form-data; name=\"x\"\r\n"
                       "\r\n"
                       "1\r\n"
                       "--b\r\n";
    assert_int_equal(multipart(f, "multipart/form-data; boundary=b", body), -1);
    assert_string_equal(f->err, "err.form.multipart");
    const char *cut = "--b\r\n"
                      "Content-Disposition: form-data; name=\"x\"\r\n"
                      "\r\n"
                      "value that never ends";
    assert_int_equal(multipart(f, "multipart/form-data; boundary=b", cut), -1);
    assert_string_equal(f->err, "err.form.multipart");
}

static void test_multipart_part_without_name_is_refused(void **state)
{
    struct fx *f = *state;
    const char *body = "--b\r\n"
                       "Content-Disposition: form-data\r\n"
                       "\r\n"
                       "1\r\n"
                       "--b--\r\n";
    assert_int_equal(multipart(f, "multipart/form-data; boundary=b", body), -1);
    assert_string_equal(f->err, "err.form.multipart");
    const char *noheaders = "--b\r\n"
                            "\r\n"
                            "1\r\n"
                            "--b--\r\n";
    assert_int_equal(multipart(f, "multipart/form-data; boundary=b", noheaders), -1);
}

static void test_multipart_filename_does_not_count_as_name(void **state)
{
    struct fx *f = *state;
    const char *body = "--b\r\n"
                       "Content-Disposition: form-data; filename=\"a.txt\"\r\n"
                       "\r\n"
                       "1\r\n"
                       "--b--\r\n";
    assert_int_equal(multipart(f, "multipart/form-data; boundary=b", body), -1);
}

static void test_multipart_empty_body_is_refused(void **state)
{
    struct fx *f = *state;
    assert_int_equal(multipart(f, "multipart/form-data; boundary=b", ""), -1);
}

static void test_multipart_field_with_invalid_utf8_is_refused(void **state)
{
    struct fx *f = *state;
    const char *body = "--b\r\n"
                       "Content-Disposition: form-data; name=\"x\"\r\n"
                       "\r\n"
                       "\xC3(\r\n"
                       "--b--\r\n";
    assert_int_equal(multipart(f, "multipart/form-data; boundary=b", body), -1);
    assert_string_equal(f->err, "err.form.utf8");
}

/* ---- cookies ----------------------------------------------------------- */

static void test_cookies_several_with_spaces(void **state)
{
    struct fx *f = *state;
    f->nkv = 0;
    form_cookies(&f->a, "carnet_session=abc123; lang=en;  theme=dark", f->kv, &f->nkv);
    assert_int_equal(f->nkv, 3);
    assert_string_equal(f->kv[0].name, "carnet_session");
    assert_string_equal(f->kv[0].value, "abc123");
    assert_string_equal(f->kv[1].name, "lang");
    assert_string_equal(f->kv[1].value, "en");
    assert_string_equal(f->kv[2].name, "theme");
    assert_string_equal(f->kv[2].value, "dark");
}

static void test_cookies_quoted_values_are_unquoted(void **state)
{
    struct fx *f = *state;
    f->nkv = 0;
    form_cookies(&f->a, "a=\"x y\"; b=\"\"; c=\"", f->kv, &f->nkv);
    assert_int_equal(f->nkv, 3);
    assert_string_equal(f->kv[0].value, "x y");
    assert_int_equal(f->kv[0].len, 3);
    assert_string_equal(f->kv[1].value, "");
    assert_string_equal(f->kv[2].value, "\""); /* a lone quote is not a quoted value */
}

static void test_cookies_without_equals_are_skipped(void **state)
{
    struct fx *f = *state;
    f->nkv = 0;
    form_cookies(&f->a, "junk; a=1; =nameless; ;b=2", f->kv, &f->nkv);
    assert_int_equal(f->nkv, 2);
    assert_string_equal(f->kv[0].name, "a");
    assert_string_equal(f->kv[0].value, "1");
    assert_string_equal(f->kv[1].name, "b");
    assert_string_equal(f->kv[1].value, "2");
}

static void test_cookies_value_may_hold_equals(void **state)
{
    struct fx *f = *state;
    f->nkv = 0;
    form_cookies(&f->a, "tok=a=b==", f->kv, &f->nkv);
    assert_int_equal(f->nkv, 1);
    assert_string_equal(f->kv[0].value, "a=b==");
}

static void test_cookies_null_and_empty_header(void **state)
{
    struct fx *f = *state;
    f->nkv = 0;
    form_cookies(&f->a, NULL, f->kv, &f->nkv);
    assert_int_equal(f->nkv, 0);
    form_cookies(&f->a, "", f->kv, &f->nkv);
    assert_int_equal(f->nkv, 0);
}

static void test_cookies_beyond_limit_are_ignored(void **state)
{
    struct fx *f = *state;
    char h[LIMIT_COOKIES * 16 + 32];
    size_t n = 0;
    for (int i = 0; i < LIMIT_COOKIES + 4; i++) n += (size_t)snprintf(h + n, sizeof h - n, "c%d=%d; ", i, i);
    f->nkv = 0;
    form_cookies(&f->a, h, f->kv, &f->nkv);
    assert_int_equal(f->nkv, LIMIT_COOKIES);
    assert_string_equal(f->kv[LIMIT_COOKIES - 1].name, "c15");
}

/* ---- JSON -------------------------------------------------------------- */

static int json(struct fx *f, const char *s)
{
    f->nkv = 0;
    f->err = NULL;
    return form_json(&f->a, s, strlen(s), f->kv, &f->nkv, &f->err);
}

static const char *field(struct fx *f, const char *name)
{
    for (size_t i = 0; i < f->nkv; i++)
        if (!strcmp(f->kv[i].name, name)) return f->kv[i].value;
    return NULL;
}

static void test_json_object_scalar_members(void **state)
{
    struct fx *f = *state;
    assert_int_equal(json(f, "{\"title\":\"Caf\\u00e9 <b>\",\"n\":42,\"neg\":-7,\"on\":true,\"off\":false}"), 0);
    assert_int_equal(f->nkv, 5);
    assert_string_equal(field(f, "title"), "Caf\xC3\xA9 <b>");
    assert_string_equal(field(f, "n"), "42");
    assert_string_equal(field(f, "neg"), "-7");
    assert_string_equal(field(f, "on"), "1");
    assert_string_equal(field(f, "off"), "0");
}

static void test_json_nested_members_and_null_are_ignored(void **state)
{
    struct fx *f = *state;
    assert_int_equal(json(f, "{\"a\":\"1\",\"o\":{\"b\":\"2\"},\"l\":[1,2],\"z\":null}"), 0);
    assert_int_equal(f->nkv, 1);
    assert_string_equal(field(f, "a"), "1");
    assert_null(field(f, "o"));
    assert_null(field(f, "b"));
    assert_null(field(f, "l"));
    assert_null(field(f, "z"));
}

static void test_json_duplicate_keys_are_rejected(void **state)
{
    struct fx *f = *state;
    assert_int_equal(json(f, "{\"a\":\"1\",\"a\":\"2\"}"), -1);
    assert_string_equal(f->err, "err.json.malformed");
}

static void test_json_array_is_not_an_object(void **state)
{
    struct fx *f = *state;
    assert_int_equal(json(f, "[1,2,3]"), -1);
    assert_string_equal(f->err, "err.json.object");
    assert_int_equal(json(f, "[{\"a\":1}]"), -1);
    assert_string_equal(f->err, "err.json.object");
}

static void test_json_malformed_documents_are_refused(void **state)
{
    struct fx *f = *state;
    const char *bad[] = {"", "{", "{\"a\":}", "{\"a\":1,}", "{'a':1}", "{\"a\":1} trailing", "nul", NULL};
    for (int i = 0; bad[i]; i++) {
        assert_int_equal(json(f, bad[i]), -1);
        assert_string_equal(f->err, "err.json.malformed");
    }
}

static void test_json_invalid_utf8_is_refused(void **state)
{
    struct fx *f = *state;
    assert_int_equal(json(f, "{\"a\":\"\xC3(\"}"), -1);
    assert_string_equal(f->err, "err.form.utf8");
}

static void test_json_nul_inside_string_is_refused(void **state)
{
    struct fx *f = *state;
    /* \u0000 decodes to a NUL: refused like %00 in a form. */
    assert_int_equal(json(f, "{\"a\":\"x\\u0000y\"}"), -1);
    assert_non_null(f->err);
}

static void test_json_empty_key_is_refused(void **state)
{
    struct fx *f = *state;
    assert_int_equal(json(f, "{\"\":\"1\"}"), -1);
    assert_string_equal(f->err, "err.form.malformed");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_urlencoded_two_fields),
        T(test_urlencoded_plus_is_space_and_percent_escapes_decode),
        T(test_urlencoded_name_is_decoded_too),
        T(test_urlencoded_empty_value_and_missing_equals),
        T(test_urlencoded_empty_pieces_are_skipped),
        T(test_urlencoded_value_keeps_later_equals),
        T(test_urlencoded_bad_escape_zz_is_refused),
        T(test_urlencoded_truncated_escape_is_refused),
        T(test_urlencoded_escape_at_the_very_end_is_accepted),
        T(test_urlencoded_nul_via_percent_00_is_refused),
        T(test_urlencoded_invalid_utf8_is_refused),
        T(test_urlencoded_empty_name_is_refused),
        T(test_urlencoded_accepts_limit_fields_and_refuses_one_more),
        T(test_urlencoded_overlong_name_is_refused),
        T(test_urlencoded_respects_explicit_length),
        T(test_multipart_two_fields_and_one_file),
        T(test_multipart_file_without_content_type_is_octet_stream),
        T(test_multipart_boundary_in_quotes),
        T(test_multipart_missing_boundary_is_refused),
        T(test_multipart_wrong_boundary_is_refused),
        T(test_multipart_missing_closing_delimiter_is_refused),
        T(test_multipart_part_without_name_is_refused),
        T(test_multipart_filename_does_not_count_as_name),
        T(test_multipart_empty_body_is_refused),
        T(test_multipart_field_with_invalid_utf8_is_refused),
        T(test_cookies_several_with_spaces),
        T(test_cookies_quoted_values_are_unquoted),
        T(test_cookies_without_equals_are_skipped),
        T(test_cookies_value_may_hold_equals),
        T(test_cookies_null_and_empty_header),
        T(test_cookies_beyond_limit_are_ignored),
        T(test_json_object_scalar_members),
        T(test_json_nested_members_and_null_are_ignored),
        T(test_json_duplicate_keys_are_rejected),
        T(test_json_array_is_not_an_object),
        T(test_json_malformed_documents_are_refused),
        T(test_json_invalid_utf8_is_refused),
        T(test_json_nul_inside_string_is_refused),
        T(test_json_empty_key_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
