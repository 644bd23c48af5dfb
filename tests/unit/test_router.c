/* test_router.c — route matching (404/405/HEAD) and declared-parameter
 * validation (src/core/router.c). Undeclared fields never reach handlers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/app.h"
#include "core/i18n.h"
#include "core/router.h"
#include <stdio.h>
#include <string.h>

static void h_dummy(struct req *r) { (void)r; }
static void h_other(struct req *r) { (void)r; }

static const char *const colours[] = {"rouge", "vert", "bleu", NULL};

/* One route per parameter type, all on the same path family, so that each
 * test selects its declarations by setting r->route directly. */
static const struct param_spec ps_id[] = {{"id", P_ID, SRC_ANY, .required = true, .label = "login.login"}, {0}};
static const struct param_spec ps_int[] = {{"n", P_INT, SRC_ANY, .min = 1, .max = 20}, {0}};
static const struct param_spec ps_int_any[] = {{"n", P_INT, SRC_ANY}, {0}};
static const struct param_spec ps_login[] = {{"login", P_LOGIN, SRC_ANY, .label = "login.login"}, {0}};
static const struct param_spec ps_url[] = {{"url", P_URL, SRC_ANY}, {0}};
static const struct param_spec ps_bool[] = {{"ok", P_BOOL, SRC_ANY}, {0}};
static const struct param_spec ps_code[] = {{"code", P_CODE, SRC_ANY}, {0}};
static const struct param_spec ps_enum[] = {{"c", P_ENUM, SRC_ANY, .choices = colours}, {0}};
static const struct param_spec ps_list[] = {{"c", P_LIST, SRC_ANY, .choices = colours}, {0}};
static const struct param_spec ps_line2[] = {{"t", P_LINE, SRC_ANY, .maxlen = 2}, {0}};
static const struct param_spec ps_line[] = {{"t", P_LINE, SRC_ANY}, {0}};
static const struct param_spec ps_text[] = {{"t", P_TEXT, SRC_ANY}, {0}};
static const struct param_spec ps_token[] = {{"tok", P_TOKEN, SRC_ANY}, {0}};
static const struct param_spec ps_pw[] = {{"pw", P_PASSWORD, SRC_ANY}, {0}};
static const struct param_spec ps_body[] = {{"b", P_LINE, SRC_BODY, .required = true, .label = "login.password"}, {0}};
static const struct param_spec ps_query[] = {{"q", P_LINE, SRC_QUERY}, {0}};
static const struct param_spec ps_path[] = {{"id", P_ID, SRC_PATH, .required = true}, {0}};
static const struct param_spec ps_req_line[] = {{"t", P_LINE, SRC_ANY, .required = true, .label = "login.login"}, {0}};
static const struct param_spec ps_two[] = {{"a", P_LINE, SRC_ANY}, {"b", P_INT, SRC_ANY}, {0}};

static const struct route table[] = {
    {.method = M_GET, .path = "/", .handler = h_dummy},
    {.method = M_GET, .path = "/eleves", .handler = h_dummy},
    {.method = M_POST, .path = "/eleves", .handler = h_other},
    {.method = M_GET, .path = "/eleves/{id}", .handler = h_dummy, .params = ps_path},
    {.method = M_GET, .path = "/eleves/{id}/notes/{nid}", .handler = h_other},
    {.method = M_POST, .path = "/eleves/nouveau", .handler = h_other},
    {.method = M_DELETE, .path = "/compte", .handler = h_other},
    {0},
};

static void req_path(struct req *r, enum method m, const char *path)
{
    req_init(r);
    r->method = m;
    r->path = path;
    /* Split into segments the way the app does (no decoding needed here). */
    r->segments = arena_alloc(&r->arena, 8 * sizeof(char *));
    const char *p = path;
    while (*p == '/') p++;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        r->segments[r->nsegments++] = arena_strndup(&r->arena, p, n);
        p += n;
        while (*p == '/') p++;
    }
}

static int group_setup(void **state)
{
    (void)state;
    if (i18n_init() < 0) return -1;
    router_add(table);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    i18n_free();
    return 0;
}

/* ---- matching ---------------------------------------------------------- */

static void test_match_root(void **state)
{
    (void)state;
    struct req r;
    char allow[64];
    req_path(&r, M_GET, "/");
    assert_int_equal(router_match(&r, allow, sizeof allow), 0);
    assert_ptr_equal(r.route, &table[0]);
    req_free(&r);
}

static void test_match_exact_path_by_method(void **state)
{
    (void)state;
    struct req r;
    char allow[64];
    req_path(&r, M_GET, "/eleves");
    assert_int_equal(router_match(&r, allow, sizeof allow), 0);
    assert_ptr_equal(r.route, &table[1]);
    req_free(&r);
    req_path(&r, M_POST, "/eleves");
    assert_int_equal(router_match(&r, allow, sizeof allow), 0);
    assert_ptr_equal(r.route, &table[2]);
    req_free(&r);
}

static void test_match_literal_segment_wins_when_listed_first_only_by_method(void **state)
{
    (void)state;
    struct req r;
    char allow[64];
    /* POST /eleves/nouveau: the GET {id} route has the path but not the method. */
    req_path(&r, M_POST, "/eleves/nouveau");
    assert_int_equal(router_match(&r, allow, sizeof allow), 0);
    assert_ptr_equal(r.route, &table[5]);
    req_free(&r);
}

static void test_match_path_parameter(void **state)
{
    (void)state;
    struct req r;
    char allow[64];
    req_path(&r, M_GET, "/eleves/42");
    assert_int_equal(router_match(&r, allow, sizeof allow), 0);
    assert_ptr_equal(r.route, &table[3]);
    assert_int_equal(r.npath_params, 1);
    assert_string_equal(r.path_params[0].name, "id");
    assert_string_equal(r.path_params[0].value, "42");
    req_free(&r);
}

static void test_match_two_path_parameters(void **state)
{
    (void)state;
    struct req r;
    char allow[64];
    req_path(&r, M_GET, "/eleves/7/notes/99");
    assert_int_equal(router_match(&r, allow, sizeof allow), 0);
    assert_ptr_equal(r.route, &table[4]);
    assert_int_equal(r.npath_params, 2);
    assert_string_equal(r.path_params[0].name, "id");
    assert_string_equal(r.path_params[0].value, "7");
    assert_string_equal(r.path_params[1].name, "nid");
    assert_string_equal(r.path_params[1].value, "99");
    req_free(&r);
}

static void test_match_404_when_no_path_matches(void **state)
{
    (void)state;
    struct req r;
    char allow[64];
    const char *paths[] = {"/inconnu", "/eleves/1/2", "/eleves/1/notes", "/eleves/1/notes/2/3", "/elevesx", NULL};
    for (int i = 0; paths[i]; i++) {
        req_path(&r, M_GET, paths[i]);
        assert_int_equal(router_match(&r, allow, sizeof allow), 404);
        assert_null(r.route);
        req_free(&r);
    }
}

static void test_match_405_lists_allowed_methods(void **state)
{
    (void)state;
    struct req r;
    char allow[64];
    req_path(&r, M_PUT, "/eleves");
    assert_int_equal(router_match(&r, allow, sizeof allow), 405);
    assert_string_equal(allow, "GET, HEAD, POST");
    assert_null(r.route);
    req_free(&r);
    req_path(&r, M_GET, "/compte");
    assert_int_equal(router_match(&r, allow, sizeof allow), 405);
    assert_string_equal(allow, "DELETE");
    req_free(&r);
}

static void test_match_head_matches_get_routes(void **state)
{
    (void)state;
    struct req r;
    char allow[64];
    req_path(&r, M_HEAD, "/eleves/5");
    assert_int_equal(router_match(&r, allow, sizeof allow), 0);
    assert_ptr_equal(r.route, &table[3]);
    req_free(&r);
    /* …but not POST-only routes. */
    req_path(&r, M_HEAD, "/eleves/nouveau");
    assert_int_equal(router_match(&r, allow, sizeof allow), 0); /* matched by GET /eleves/{id} */
    assert_ptr_equal(r.route, &table[3]);
    req_free(&r);
    req_path(&r, M_HEAD, "/compte");
    assert_int_equal(router_match(&r, allow, sizeof allow), 405);
    req_free(&r);
}

static void test_match_405_allow_is_bounded_by_its_buffer(void **state)
{
    (void)state;
    struct req r;
    char allow[8];
    memset(allow, 'X', sizeof allow);
    req_path(&r, M_PUT, "/eleves");
    assert_int_equal(router_match(&r, allow, sizeof allow), 405);
    assert_true(strlen(allow) < sizeof allow);
    req_free(&r);
}

/* ---- validation -------------------------------------------------------- */

static const struct route *route_with(const struct param_spec *ps)
{
    static struct route rts[32];
    static size_t n;
    for (size_t i = 0; i < n; i++)
        if (rts[i].params == ps) return &rts[i];
    rts[n] = (struct route){.method = M_GET, .path = "/x", .handler = h_dummy, .params = ps};
    return &rts[n++];
}

static void add_field(struct req *r, const char *name, const char *value)
{
    if (!r->fields) r->fields = arena_alloc(&r->arena, 16 * sizeof *r->fields);
    r->fields[r->nfields++] = (struct kv){.name = name, .value = value, .len = strlen(value)};
}

/* Validate one value of one declared parameter; returns the cleaned value or
 * NULL (with *msg set). The request is kept in *r for the caller to free. */
static const char *check(struct req *r, const struct param_spec *ps, const char *value, const char **msg)
{
    req_init(r);
    r->lang = "fr";
    r->method = M_GET;
    r->route = route_with(ps);
    if (value) add_field(r, ps[0].name, value);
    r->nquery_fields = r->nfields;
    *msg = NULL;
    if (!router_validate(r, msg)) {
        assert_non_null(*msg);
        return NULL;
    }
    return param(r, ps[0].name);
}

/* Both helpers release the request before failing, so that a failing test
 * does not also show up as a leak under LeakSanitizer. */
static void expect_ok(const struct param_spec *ps, const char *in, const char *want)
{
    struct req r;
    const char *msg;
    char got[1024] = "", why[512] = "";
    const char *v = check(&r, ps, in, &msg);
    if (v) snprintf(got, sizeof got, "%s", v);
    else snprintf(why, sizeof why, "%s", msg);
    req_free(&r);
    if (!v) fail_msg("'%s' refused: %s", in, why);
    assert_string_equal(got, want);
}

static void expect_bad(const struct param_spec *ps, const char *in)
{
    struct req r;
    const char *msg;
    char got[1024] = "";
    const char *v = check(&r, ps, in, &msg);
    if (v) snprintf(got, sizeof got, "%s", v);
    req_free(&r);
    if (v) fail_msg("'%s' accepted as '%s'", in, got);
}

static void test_id_accepts_positive_integers(void **state)
{
    (void)state;
    expect_ok(ps_id, "1", "1");
    expect_ok(ps_id, "123456", "123456");
    expect_ok(ps_id, "9223372036854775807", "9223372036854775807");
}

static void test_id_rejects_zero_negative_and_garbage(void **state)
{
    (void)state;
    expect_bad(ps_id, "0");
    expect_bad(ps_id, "-1");
    expect_bad(ps_id, "12a");
    expect_bad(ps_id, "a12");
    expect_bad(ps_id, "1.5");
    expect_bad(ps_id, "0x10");
    expect_bad(ps_id, "1e3");
}

static void test_id_rejects_huge_numbers(void **state)
{
    (void)state;
    expect_bad(ps_id, "99999999999999999999");   /* 20 digits */
    expect_bad(ps_id, "123456789012345678901234567890");
}

static void test_id_rejects_19_digit_numbers_above_int64_max(void **state)
{
    (void)state;
    /* 19 digits but above INT64_MAX: strtoll saturates (ERANGE) and the
     * value must be refused, not silently clamped to INT64_MAX. */
    expect_bad(ps_id, "9223372036854775808");
    expect_bad(ps_id, "9999999999999999999");
}

static void test_int_respects_bounds(void **state)
{
    (void)state;
    expect_ok(ps_int, "1", "1");
    expect_ok(ps_int, "20", "20");
    expect_bad(ps_int, "0");
    expect_bad(ps_int, "21");
    expect_bad(ps_int, "-5");
    expect_bad(ps_int, "");
    expect_bad(ps_int, "x");
}

static void test_int_without_bounds_accepts_negative(void **state)
{
    (void)state;
    expect_ok(ps_int_any, "-12", "-12");
    expect_ok(ps_int_any, "0", "0");
    expect_bad(ps_int_any, "-");
    expect_bad(ps_int_any, "--1");
}

static void test_login_is_lower_cased(void **state)
{
    (void)state;
    expect_ok(ps_login, "Jean.DUPONT", "jean.dupont");
    expect_ok(ps_login, "  parent_1-a  ", "parent_1-a");
}

static void test_login_rejects_spaces_quotes_and_other_characters(void **state)
{
    (void)state;
    expect_bad(ps_login, "jean dupont");
    expect_bad(ps_login, "jean\"dupont");
    expect_bad(ps_login, "o'brien");
    expect_bad(ps_login, "a<b");
    expect_bad(ps_login, "jean@dupont");
    expect_bad(ps_login, "z\xC3\xA9");
    expect_bad(ps_login, "a\tb");
}

static void test_url_accepts_https_and_http(void **state)
{
    (void)state;
    expect_ok(ps_url, "https://x.org/", "https://x.org/");
    expect_ok(ps_url, "http://x.org/a?b=c&d=e#f", "http://x.org/a?b=c&d=e#f");
    expect_ok(ps_url, "  https://ent.example.fr/path  ", "https://ent.example.fr/path");
}

static void test_url_rejects_other_schemes_and_empty_hosts(void **state)
{
    (void)state;
    expect_bad(ps_url, "javascript:alert(1)");
    expect_bad(ps_url, "JAVASCRIPT://x.org/%0aalert(1)");
    expect_bad(ps_url, "data:text/html,<b>");
    expect_bad(ps_url, "ftp://x.org/");
    expect_bad(ps_url, "//x.org/");
    expect_bad(ps_url, "/relative");
    expect_bad(ps_url, "https://");
    expect_bad(ps_url, "https:///path");
    expect_bad(ps_url, "x https://x.org/");
}

static void test_url_rejects_spaces_quotes_and_angle_brackets(void **state)
{
    (void)state;
    expect_bad(ps_url, "https://x.org/a b");
    expect_bad(ps_url, "https://x.org/\"onmouseover=\"alert(1)");
    expect_bad(ps_url, "https://x.org/<script>");
    expect_bad(ps_url, "https://x.org/\nb");
}

static void test_url_maxlen_defaults_to_service_url_limit(void **state)
{
    (void)state;
    char url[600];
    strcpy(url, "https://x.org/");
    size_t n = strlen(url);
    memset(url + n, 'a', 500 - n);
    url[500] = 0;
    expect_ok(ps_url, url, url);
    url[500] = 'a';
    url[501] = 0;
    expect_bad(ps_url, url);
}

static void test_bool_values(void **state)
{
    (void)state;
    expect_ok(ps_bool, "1", "1");
    expect_ok(ps_bool, "on", "1");
    expect_ok(ps_bool, "true", "1");
    expect_ok(ps_bool, "0", "0");
    expect_ok(ps_bool, "off", "0");
    expect_ok(ps_bool, "false", "0");
    expect_bad(ps_bool, "yes");
    expect_bad(ps_bool, "2");
}

static void test_bool_absent_is_false(void **state)
{
    (void)state;
    struct req r;
    const char *msg;
    assert_null(check(&r, ps_bool, NULL, &msg));
    assert_null(msg);
    assert_false(param_bool(&r, "ok"));
    req_free(&r);
}

/* An unselected <select> or a blank optional input sends an empty value:
 * it is absent, not invalid, whatever the type. */
static void test_empty_optional_field_is_absent(void **state)
{
    (void)state;
    const struct param_spec *specs[] = {ps_bool, ps_int, ps_url, ps_enum, ps_line};
    const char *names[] = {"ok", "n", "url", "c", "t"};
    for (size_t i = 0; i < 5; i++) {
        struct req r;
        const char *msg;
        assert_null(check(&r, specs[i], "", &msg));
        assert_null(msg);
        assert_null(param(&r, names[i]));
        req_free(&r);
    }
}

static void test_code_strips_dashes_and_spaces_and_upper_cases(void **state)
{
    (void)state;
    expect_ok(ps_code, "abcd-efgh-jkmn", "ABCDEFGHJKMN");
    expect_ok(ps_code, " ab cd-EF gh ", "ABCDEFGH");
    expect_ok(ps_code, "ABCD2345", "ABCD2345");
    expect_bad(ps_code, "abcd_efgh");
    expect_bad(ps_code, "abcd.efgh");
    expect_bad(ps_code, "ab\xC3\xA9");
}

static void test_enum_accepts_only_listed_choices(void **state)
{
    (void)state;
    expect_ok(ps_enum, "vert", "vert");
    expect_bad(ps_enum, "jaune");
    expect_bad(ps_enum, "Vert");
    expect_bad(ps_enum, "vert,bleu");
    expect_bad(ps_enum, "ver");
}

static void test_list_accepts_comma_separated_choices(void **state)
{
    (void)state;
    expect_ok(ps_list, "rouge,bleu", "rouge,bleu");
    expect_ok(ps_list, "vert", "vert");
    expect_bad(ps_list, "rouge,jaune");
}

static void test_maxlen_counts_characters_not_bytes(void **state)
{
    (void)state;
    expect_ok(ps_line2, "\xC3\xA9\xC3\xA9", "\xC3\xA9\xC3\xA9"); /* "éé": 2 characters, 4 bytes */
    expect_ok(ps_line2, "ab", "ab");
    expect_bad(ps_line2, "\xC3\xA9\xC3\xA9\xC3\xA9");
    expect_bad(ps_line2, "abc");
}

static void test_too_long_message_gives_the_limit(void **state)
{
    (void)state;
    struct req r;
    const char *msg;
    assert_null(check(&r, ps_line2, "abc", &msg));
    assert_non_null(strstr(msg, "2"));
    assert_non_null(strstr(msg, "long"));
    req_free(&r);
}

static void test_line_is_trimmed_and_refuses_control_characters(void **state)
{
    (void)state;
    expect_ok(ps_line, "  Sortie au mus\xC3\xA9" "e  ", "Sortie au mus\xC3\xA9" "e");
    expect_bad(ps_line, "a\nb");
    expect_bad(ps_line, "a\x01");
    expect_bad(ps_line, "a\x7f");
}

static void test_line_default_maxlen_is_name_limit(void **state)
{
    (void)state;
    char s[256];
    memset(s, 'x', 200);
    s[200] = 0;
    expect_ok(ps_line, s, s);
    s[200] = 'x';
    s[201] = 0;
    expect_bad(ps_line, s);
}

static void test_text_keeps_newlines_but_refuses_other_controls(void **state)
{
    (void)state;
    expect_ok(ps_text, "ligne 1\r\nligne 2\tfin", "ligne 1\r\nligne 2\tfin");
    expect_bad(ps_text, "a\x0b" "b");
}

static void test_token_accepts_only_url_safe_characters(void **state)
{
    (void)state;
    expect_ok(ps_token, "AbC-12_z", "AbC-12_z");
    expect_bad(ps_token, "abc=");
    expect_bad(ps_token, "a.b");
    expect_bad(ps_token, "a/b");
}

static void test_password_is_not_trimmed(void **state)
{
    (void)state;
    expect_ok(ps_pw, "  mon mot de passe  ", "  mon mot de passe  ");
    expect_bad(ps_pw, "abc\ndef");
}

static void test_required_missing_message_contains_the_label(void **state)
{
    (void)state;
    struct req r;
    const char *msg;
    assert_null(check(&r, ps_id, NULL, &msg));
    assert_non_null(msg);
    assert_non_null(strstr(msg, i18n_text("fr", "login.login")));
    assert_non_null(strstr(msg, "Identifiant"));
    assert_non_null(strstr(msg, "obligatoire"));
    req_free(&r);
}

static void test_required_empty_value_is_missing(void **state)
{
    (void)state;
    struct req r;
    const char *msg;
    assert_null(check(&r, ps_req_line, "   ", &msg));
    assert_non_null(strstr(msg, "Identifiant"));
    assert_non_null(strstr(msg, "obligatoire"));
    req_free(&r);
}

static void test_invalid_message_contains_the_label_in_english(void **state)
{
    (void)state;
    struct req r;
    req_init(&r);
    r.lang = "en";
    r.route = route_with(ps_id);
    add_field(&r, "id", "abc");
    const char *msg = NULL;
    assert_false(router_validate(&r, &msg));
    assert_non_null(msg);
    assert_non_null(strstr(msg, i18n_text("en", "login.login")));
    assert_null(strstr(msg, "{1}"));
    req_free(&r);
}

static void test_undeclared_fields_are_not_in_params(void **state)
{
    (void)state;
    struct req r;
    req_init(&r);
    r.lang = "fr";
    r.route = route_with(ps_two);
    add_field(&r, "a", "un");
    add_field(&r, "admin", "1");
    add_field(&r, "b", "2");
    add_field(&r, "role", "head");
    const char *msg = NULL;
    assert_true(router_validate(&r, &msg));
    assert_int_equal(r.nparams, 2);
    assert_string_equal(param(&r, "a"), "un");
    assert_int_equal(param_int(&r, "b"), 2);
    assert_null(param(&r, "admin"));
    assert_null(param(&r, "role"));
    req_free(&r);
}

static void test_route_without_params_yields_no_params(void **state)
{
    (void)state;
    struct req r;
    req_init(&r);
    r.route = &table[1];
    add_field(&r, "x", "1");
    const char *msg = NULL;
    assert_true(router_validate(&r, &msg));
    assert_int_equal(r.nparams, 0);
    assert_null(param(&r, "x"));
    req_free(&r);
}

static void test_body_parameter_is_not_taken_from_the_query_string(void **state)
{
    (void)state;
    struct req r;
    req_init(&r);
    r.lang = "fr";
    r.route = route_with(ps_body);
    add_field(&r, "b", "from-query");
    r.nquery_fields = 1;
    const char *msg = NULL;
    assert_false(router_validate(&r, &msg));
    assert_non_null(strstr(msg, i18n_text("fr", "login.password")));
    req_free(&r);

    req_init(&r);
    r.lang = "fr";
    r.route = route_with(ps_body);
    add_field(&r, "b", "from-query");
    r.nquery_fields = 1;
    add_field(&r, "b", "from-body");
    assert_true(router_validate(&r, &msg));
    assert_string_equal(param(&r, "b"), "from-body");
    req_free(&r);
}

static void test_query_parameter_is_not_taken_from_the_body(void **state)
{
    (void)state;
    struct req r;
    req_init(&r);
    r.route = route_with(ps_query);
    add_field(&r, "q", "from-body");
    r.nquery_fields = 0;
    const char *msg = NULL;
    assert_true(router_validate(&r, &msg));
    assert_null(param(&r, "q"));
    req_free(&r);
}

static void test_path_parameter_comes_from_the_path_only(void **state)
{
    (void)state;
    struct req r;
    char allow[64];
    const char *msg = NULL;
    req_path(&r, M_GET, "/eleves/17");
    add_field(&r, "id", "999");
    r.nquery_fields = 1;
    assert_int_equal(router_match(&r, allow, sizeof allow), 0);
    assert_true(router_validate(&r, &msg));
    assert_int_equal(param_int(&r, "id"), 17);
    req_free(&r);

    req_path(&r, M_GET, "/eleves/0");
    assert_int_equal(router_match(&r, allow, sizeof allow), 0);
    assert_false(router_validate(&r, &msg));
    req_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_root),
        cmocka_unit_test(test_match_exact_path_by_method),
        cmocka_unit_test(test_match_literal_segment_wins_when_listed_first_only_by_method),
        cmocka_unit_test(test_match_path_parameter),
        cmocka_unit_test(test_match_two_path_parameters),
        cmocka_unit_test(test_match_404_when_no_path_matches),
        cmocka_unit_test(test_match_405_lists_allowed_methods),
        cmocka_unit_test(test_match_head_matches_get_routes),
        cmocka_unit_test(test_match_405_allow_is_bounded_by_its_buffer),
        cmocka_unit_test(test_id_accepts_positive_integers),
        cmocka_unit_test(test_id_rejects_zero_negative_and_garbage),
        cmocka_unit_test(test_id_rejects_huge_numbers),
        cmocka_unit_test(test_id_rejects_19_digit_numbers_above_int64_max),
        cmocka_unit_test(test_int_respects_bounds),
        cmocka_unit_test(test_int_without_bounds_accepts_negative),
        cmocka_unit_test(test_login_is_lower_cased),
        cmocka_unit_test(test_login_rejects_spaces_quotes_and_other_characters),
        cmocka_unit_test(test_url_accepts_https_and_http),
        cmocka_unit_test(test_url_rejects_other_schemes_and_empty_hosts),
        cmocka_unit_test(test_url_rejects_spaces_quotes_and_angle_brackets),
        cmocka_unit_test(test_url_maxlen_defaults_to_service_url_limit),
        cmocka_unit_test(test_bool_values),
        cmocka_unit_test(test_bool_absent_is_false),
        cmocka_unit_test(test_empty_optional_field_is_absent),
        cmocka_unit_test(test_code_strips_dashes_and_spaces_and_upper_cases),
        cmocka_unit_test(test_enum_accepts_only_listed_choices),
        cmocka_unit_test(test_list_accepts_comma_separated_choices),
        cmocka_unit_test(test_maxlen_counts_characters_not_bytes),
        cmocka_unit_test(test_too_long_message_gives_the_limit),
        cmocka_unit_test(test_line_is_trimmed_and_refuses_control_characters),
        cmocka_unit_test(test_line_default_maxlen_is_name_limit),
        cmocka_unit_test(test_text_keeps_newlines_but_refuses_other_controls),
        cmocka_unit_test(test_token_accepts_only_url_safe_characters),
        cmocka_unit_test(test_password_is_not_trimmed),
        cmocka_unit_test(test_required_missing_message_contains_the_label),
        cmocka_unit_test(test_required_empty_value_is_missing),
        cmocka_unit_test(test_invalid_message_contains_the_label_in_english),
        cmocka_unit_test(test_undeclared_fields_are_not_in_params),
        cmocka_unit_test(test_route_without_params_yields_no_params),
        cmocka_unit_test(test_body_parameter_is_not_taken_from_the_query_string),
        cmocka_unit_test(test_query_parameter_is_not_taken_from_the_body),
        cmocka_unit_test(test_path_parameter_comes_from_the_path_only),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
