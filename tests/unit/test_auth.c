/* test_auth.c — passwords and activation codes (src/modules/auth/auth.c).
 * R-SEC: account takeover — a password policy a parent can satisfy, argon2id
 * hashes with a salt, activation codes compared in a normalised form. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/limits.h"
#include "modules/auth/auth.h"
#include <string.h>

static int group_setup(void **state)
{
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

#define OK(pw, login) assert_null(auth_password_problem((pw), (login)))
#define PROBLEM(pw, login, key)                                                          \
    do {                                                                                 \
        const char *p_ = auth_password_problem((pw), (login));                           \
        if (!p_) fail_msg("'%s' accepted, expected %s", (pw), (key));                    \
        assert_string_equal(p_, (key));                                                  \
    } while (0)

static void test_r_sec_password_demo_password_is_accepted(void **state)
{
    (void)state;
    OK("carnet-demo", "parent.demo");
    OK("carnet-demo", NULL);
}

static void test_r_sec_password_shorter_than_ten_characters_is_short(void **state)
{
    (void)state;
    PROBLEM("court1", "x.y", "err.password.short");
    PROBLEM("", NULL, "err.password.short");
    PROBLEM("abcdefg-9", NULL, "err.password.short"); /* 9 characters */
    OK("abcdefgh-9", NULL);                            /* 10 characters */
}

static void test_r_sec_password_length_counts_characters_not_bytes(void **state)
{
    (void)state;
    /* 9 characters but 17 bytes: still too short. */
    PROBLEM("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9" "1", NULL, "err.password.short");
}

static void test_r_sec_password_letters_only_under_sixteen_is_simple(void **state)
{
    (void)state;
    PROBLEM("abcdefghij", NULL, "err.password.simple");
    PROBLEM("Abcdefghijklmno", NULL, "err.password.simple"); /* 15 letters */
}

static void test_r_sec_password_digits_or_signs_only_is_simple(void **state)
{
    (void)state;
    PROBLEM("9876543210", NULL, "err.password.simple");
    PROBLEM("!!!!----....", NULL, "err.password.simple");
}

static void test_r_sec_password_common_ones_are_refused(void **state)
{
    (void)state;
    const char *p = auth_password_problem("1234567890", NULL);
    assert_non_null(p);
    assert_true(!strcmp(p, "err.password.common") || !strcmp(p, "err.password.simple"));
    PROBLEM("1234567890", NULL, "err.password.common");
    PROBLEM("motdepasse1", NULL, "err.password.common");
    PROBLEM("MotDePasse1", NULL, "err.password.common"); /* case does not help */
    PROBLEM("AZERTYUIOP", NULL, "err.password.common");
}

static void test_r_sec_password_phrase_of_sixteen_characters_is_accepted(void **state)
{
    (void)state;
    OK("les cerises de mai", "parent.demo");
    OK("mon chat dort au soleil", NULL);
    OK("lescerisesdemaix", NULL); /* 16 letters, no other sign: the phrase rule alone */
}

static void test_r_sec_password_containing_the_login_is_refused(void **state)
{
    (void)state;
    PROBLEM("jean.dupont-2026", "jean.dupont", "err.password.login");
    PROBLEM("Jean.Dupont-2026", "jean.dupont", "err.password.login"); /* whatever the case */
    PROBLEM("mon identifiant est jean.dupont", "jean.dupont", "err.password.login");
    /* A very short login is not looked for. */
    OK("ab-cerises-2026", "ab");
    /* A login that does not appear is fine. */
    OK("jean.dupont-2026", "marie.curie");
}

static void test_r_sec_password_accented_letters_count_as_letters(void **state)
{
    (void)state;
    OK("\xC3\xA9t\xC3\xA9-\xC3\xA0-no\xC3\xABl", NULL);                      /* "été-à-noël" */
    OK("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9" "1", NULL); /* 9 é + digit */
    PROBLEM("\xC3\xA9l\xC3\xA8ves\xC3\xA9t\xC3\xA9s\xC3\xA0", NULL, "err.password.simple"); /* "élèvesétésà": letters only */
}

static void test_r_sec_password_hash_verifies_the_right_password_only(void **state)
{
    (void)state;
    char h[AUTH_HASH_BYTES];
    const char *pw = "les cerises de mai";
    assert_int_equal(auth_password_hash(pw, h), 0);
    assert_non_null(memchr(h, 0, sizeof h));
    assert_int_equal(strncmp(h, "$argon2id$", 10), 0);
    assert_null(strstr(h, pw));
    assert_int_equal(crypto_pwhash_str_verify(h, pw, strlen(pw)), 0);
    assert_int_not_equal(crypto_pwhash_str_verify(h, "les cerises de Mai", 18), 0);
    assert_int_not_equal(crypto_pwhash_str_verify(h, "", 0), 0);
}

static void test_r_sec_password_hashes_of_the_same_password_differ(void **state)
{
    (void)state;
    char h1[AUTH_HASH_BYTES], h2[AUTH_HASH_BYTES];
    assert_int_equal(auth_password_hash("carnet-demo", h1), 0);
    assert_int_equal(auth_password_hash("carnet-demo", h2), 0);
    assert_string_not_equal(h1, h2); /* random salt */
    assert_int_equal(crypto_pwhash_str_verify(h1, "carnet-demo", 11), 0);
    assert_int_equal(crypto_pwhash_str_verify(h2, "carnet-demo", 11), 0);
}

static void test_code_hash_ignores_dashes_spaces_and_case(void **state)
{
    (void)state;
    char a[65], b[65], c[65], d[65];
    auth_code_hash("ABCD-EFGH-JKMN", a);
    auth_code_hash("abcdefghjkmn", b);
    auth_code_hash(" abcd efgh-JKMN ", c);
    auth_code_hash("ABCDEFGHJKMN", d);
    assert_int_equal(strlen(a), 64);
    for (int i = 0; i < 64; i++) assert_non_null(strchr("0123456789abcdef", a[i]));
    assert_string_equal(a, b);
    assert_string_equal(a, c);
    assert_string_equal(a, d);
}

static void test_code_hash_differs_for_a_different_code(void **state)
{
    (void)state;
    char a[65], b[65];
    auth_code_hash("ABCD-EFGH-JKMN", a);
    auth_code_hash("ABCD-EFGH-JKMP", b);
    assert_string_not_equal(a, b);
    auth_code_hash("ABCD-EFGH-JKM", b);
    assert_string_not_equal(a, b);
}

static void test_code_hash_is_not_the_code(void **state)
{
    (void)state;
    char a[65];
    auth_code_hash("ABCDEFGHJKMN", a);
    assert_null(strstr(a, "ABCDEFGHJKMN"));
    assert_null(strstr(a, "abcdefghjkmn"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_r_sec_password_demo_password_is_accepted),
        cmocka_unit_test(test_r_sec_password_shorter_than_ten_characters_is_short),
        cmocka_unit_test(test_r_sec_password_length_counts_characters_not_bytes),
        cmocka_unit_test(test_r_sec_password_letters_only_under_sixteen_is_simple),
        cmocka_unit_test(test_r_sec_password_digits_or_signs_only_is_simple),
        cmocka_unit_test(test_r_sec_password_common_ones_are_refused),
        cmocka_unit_test(test_r_sec_password_phrase_of_sixteen_characters_is_accepted),
        cmocka_unit_test(test_r_sec_password_containing_the_login_is_refused),
        cmocka_unit_test(test_r_sec_password_accented_letters_count_as_letters),
        cmocka_unit_test(test_r_sec_password_hash_verifies_the_right_password_only),
        cmocka_unit_test(test_r_sec_password_hashes_of_the_same_password_differ),
        cmocka_unit_test(test_code_hash_ignores_dashes_spaces_and_case),
        cmocka_unit_test(test_code_hash_differs_for_a_different_code),
        cmocka_unit_test(test_code_hash_is_not_the_code),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
