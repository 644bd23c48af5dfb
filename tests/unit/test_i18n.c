/* test_i18n.c — message catalogues (src/core/i18n.c): French by default,
 * every catalogue complete, language negotiation, {1}/{2} arguments. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/app.h"
#include "core/i18n.h"
#include <stdio.h>
#include <string.h>

static int group_setup(void **state)
{
    (void)state;
    return i18n_init() < 0 ? -1 : 0;
}

static int group_teardown(void **state)
{
    (void)state;
    i18n_free();
    return 0;
}

static void test_languages_are_french_then_english(void **state)
{
    (void)state;
    assert_string_equal(i18n_languages[0], "fr");
    assert_string_equal(i18n_languages[1], "en");
    assert_null(i18n_languages[2]);
    assert_string_equal(i18n_language_name("fr"), "Français");
    assert_string_equal(i18n_language_name("en"), "English");
}

static void test_catalogues_are_not_empty(void **state)
{
    (void)state;
    assert_true(i18n_count("fr") > 50);
    assert_true(i18n_count("en") > 50);
}

static void test_fr_and_en_catalogues_have_exactly_the_same_keys(void **state)
{
    (void)state;
    size_t nfr = i18n_count("fr"), nen = i18n_count("en");
    /* Keys are sorted: walk both lists together and name the first gap. */
    size_t i = 0, j = 0;
    while (i < nfr || j < nen) {
        const char *a = i18n_key_at("fr", i), *b = i18n_key_at("en", j);
        int d = !a ? 1 : !b ? -1 : strcmp(a, b);
        if (d < 0) fail_msg("key '%s' is in fr.cat but not in en.cat", a);
        if (d > 0) fail_msg("key '%s' is in en.cat but not in fr.cat", b);
        i++;
        j++;
    }
    assert_int_equal(nfr, nen);
}

static void test_keys_are_sorted_and_unique(void **state)
{
    (void)state;
    for (const char *const *l = i18n_languages; *l; l++) {
        size_t n = i18n_count(*l);
        for (size_t i = 1; i < n; i++) assert_true(strcmp(i18n_key_at(*l, i - 1), i18n_key_at(*l, i)) < 0);
        assert_null(i18n_key_at(*l, n));
    }
}

static void test_every_text_is_translated_not_the_key(void **state)
{
    (void)state;
    for (const char *const *l = i18n_languages; *l; l++) {
        size_t n = i18n_count(*l);
        for (size_t i = 0; i < n; i++) {
            const char *k = i18n_key_at(*l, i);
            const char *t = i18n_text(*l, k);
            assert_non_null(t);
            if (!*t) fail_msg("%s: key '%s' has an empty text", *l, k);
        }
    }
}

static void test_arguments_placeholders_match_between_languages(void **state)
{
    (void)state;
    size_t n = i18n_count("fr");
    for (size_t i = 0; i < n; i++) {
        const char *k = i18n_key_at("fr", i);
        const char *fr = i18n_text("fr", k), *en = i18n_text("en", k);
        for (int a = 1; a <= 2; a++) {
            char ph[4] = {'{', (char)('0' + a), '}', 0};
            if (!strstr(fr, ph) != !strstr(en, ph)) fail_msg("key '%s': %s in one language only", k, ph);
        }
    }
}

static void test_text_in_each_language(void **state)
{
    (void)state;
    assert_string_equal(i18n_text("fr", "login.password"), "Mot de passe");
    assert_string_not_equal(i18n_text("en", "login.password"), "Mot de passe");
    assert_string_equal(i18n_text("en", "lang.self"), "English");
}

static void test_unknown_language_falls_back_to_french(void **state)
{
    (void)state;
    assert_string_equal(i18n_text("de", "login.password"), "Mot de passe");
    assert_string_equal(i18n_text(NULL, "login.password"), "Mot de passe");
}

static void test_missing_key_falls_back_to_the_key_itself(void **state)
{
    (void)state;
    assert_string_equal(i18n_text("fr", "no.such.key"), "no.such.key");
    assert_string_equal(i18n_text("en", "no.such.key"), "no.such.key");
    assert_string_equal(i18n_text("fr", ""), "");
}

static void test_negotiate_cookie_wins(void **state)
{
    (void)state;
    assert_string_equal(i18n_negotiate("en", "fr-FR,fr;q=0.9"), "en");
    assert_string_equal(i18n_negotiate("fr", "en-GB,en;q=0.9"), "fr");
}

static void test_negotiate_unknown_cookie_is_ignored(void **state)
{
    (void)state;
    assert_string_equal(i18n_negotiate("xx", "en-US"), "en");
    assert_string_equal(i18n_negotiate("", "en"), "en");
    assert_string_equal(i18n_negotiate("english", NULL), "fr");
}

static void test_negotiate_accept_language(void **state)
{
    (void)state;
    assert_string_equal(i18n_negotiate(NULL, "en-GB,en;q=0.9"), "en");
    assert_string_equal(i18n_negotiate(NULL, "en"), "en");
    assert_string_equal(i18n_negotiate(NULL, "EN-us"), "en");
    assert_string_equal(i18n_negotiate(NULL, "de-DE,en;q=0.8"), "en");
    assert_string_equal(i18n_negotiate(NULL, "de, en-GB;q=0.5"), "en");
    assert_string_equal(i18n_negotiate(NULL, "fr-CA,en;q=0.5"), "fr");
}

static void test_negotiate_defaults_to_french(void **state)
{
    (void)state;
    assert_string_equal(i18n_negotiate(NULL, "de-DE"), "fr");
    assert_string_equal(i18n_negotiate(NULL, NULL), "fr");
    assert_string_equal(i18n_negotiate(NULL, ""), "fr");
    assert_string_equal(i18n_negotiate(NULL, "*"), "fr");
    assert_string_equal(i18n_negotiate(NULL, "eng,enx"), "fr"); /* prefixes are not languages */
    assert_string_equal(i18n_negotiate(NULL, " , ,"), "fr");
}

static void test_tr_uses_the_request_language(void **state)
{
    (void)state;
    struct req r;
    req_init(&r);
    r.lang = "en";
    assert_string_equal(tr(&r, "lang.self"), "English");
    r.lang = "fr";
    assert_string_equal(tr(&r, "lang.self"), "Français");
    req_free(&r);
    assert_string_equal(tr(NULL, "lang.self"), "Français");
}

static void test_tr_fmt_replaces_first_and_second_argument(void **state)
{
    (void)state;
    struct req r;
    req_init(&r);
    r.lang = "fr";
    const char *s = tr_fmt(&r, "err.param.too_long", "Titre", "120");
    assert_string_equal(s, "Le champ « Titre » est trop long (120 caractères au plus).");
    r.lang = "en";
    s = tr_fmt(&r, "err.param.too_long", "Title", "120");
    assert_non_null(strstr(s, "Title"));
    assert_non_null(strstr(s, "120"));
    assert_null(strstr(s, "{1}"));
    assert_null(strstr(s, "{2}"));
    req_free(&r);
}

static void test_tr_fmt_null_argument_prints_nothing(void **state)
{
    (void)state;
    struct req r;
    req_init(&r);
    r.lang = "fr";
    assert_string_equal(tr_fmt(&r, "err.param.missing", NULL, NULL), "Le champ «  » est obligatoire.");
    req_free(&r);
}

static void test_tr_fmt_does_not_expand_placeholders_inside_arguments(void **state)
{
    (void)state;
    struct req r;
    req_init(&r);
    r.lang = "fr";
    assert_string_equal(tr_fmt(&r, "err.param.missing", "{2}", "X"), "Le champ « {2} » est obligatoire.");
    req_free(&r);
}

static void test_tr_fmt_of_missing_key_is_the_key(void **state)
{
    (void)state;
    struct req r;
    req_init(&r);
    assert_string_equal(tr_fmt(&r, "no.such.key", "a", "b"), "no.such.key");
    req_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_languages_are_french_then_english),
        cmocka_unit_test(test_catalogues_are_not_empty),
        cmocka_unit_test(test_fr_and_en_catalogues_have_exactly_the_same_keys),
        cmocka_unit_test(test_keys_are_sorted_and_unique),
        cmocka_unit_test(test_every_text_is_translated_not_the_key),
        cmocka_unit_test(test_arguments_placeholders_match_between_languages),
        cmocka_unit_test(test_text_in_each_language),
        cmocka_unit_test(test_unknown_language_falls_back_to_french),
        cmocka_unit_test(test_missing_key_falls_back_to_the_key_itself),
        cmocka_unit_test(test_negotiate_cookie_wins),
        cmocka_unit_test(test_negotiate_unknown_cookie_is_ignored),
        cmocka_unit_test(test_negotiate_accept_language),
        cmocka_unit_test(test_negotiate_defaults_to_french),
        cmocka_unit_test(test_tr_uses_the_request_language),
        cmocka_unit_test(test_tr_fmt_replaces_first_and_second_argument),
        cmocka_unit_test(test_tr_fmt_null_argument_prints_nothing),
        cmocka_unit_test(test_tr_fmt_does_not_expand_placeholders_inside_arguments),
        cmocka_unit_test(test_tr_fmt_of_missing_key_is_the_key),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
