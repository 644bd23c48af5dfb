/* test_mail.c — notification e-mails as bytes (src/modules/notify/mail.c)
 * and personal quiet times (prefs.c): encodings a mail reader decodes back
 * to the same text, lines within RFC 5322's limit, no header injection. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/i18n.h"
#include "modules/notify/internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decode quoted-printable (soft breaks joined, CRLF → "\n"): the reader's side. */
static char *qp_decode(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    for (const char *p = s; *p;) {
        if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
            p += 3;
        } else if (p[0] == '=') {
            unsigned v;
            sscanf(p + 1, "%2X", &v);
            *o++ = (char)v;
            p += 3;
        } else if (p[0] == '\r' && p[1] == '\n') {
            *o++ = '\n';
            p += 2;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
    return out;
}

/* Every line (CRLF-separated) of s is at most max characters. */
static void assert_lines_within(const char *s, size_t max)
{
    for (const char *p = s; *p;) {
        const char *e = strstr(p, "\r\n");
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n > max) fail_msg("line of %zu characters: %.*s", n, (int)n, p);
        p += n + (e ? 2 : 0);
    }
}

static void test_qp_round_trip_and_line_length(void **state)
{
    (void)state;
    const char *text = "Bonjour Zoé,\nUne très longue ligne é à ç € 😀 qui dépasse largement soixante-seize caractères, "
                       "avec des = et des accents éééééééééééééééééééééééééééééééééé\nfin.";
    struct buf b;
    buf_init(&b);
    mail_qp(&b, text);
    assert_lines_within(buf_cstr(&b), 76);
    char *back = qp_decode(buf_cstr(&b));
    assert_string_equal(back, text);
    free(back);
    buf_free(&b);
}

static void test_qp_protects_line_starts_and_trailing_space(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    mail_qp(&b, ".\nFrom here\nend   \nx=y");
    assert_string_equal(buf_cstr(&b), "=2E\r\n=46rom here\r\nend  =20\r\nx=3Dy");
    buf_free(&b);
}

static void test_encoded_words_split_on_characters_and_never_break_a_header(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "Subject: ");
    mail_encode_words(&b, "Carnet : nouvelle note en Éducation physique et sportive — « Évaluation n°2 » et\r\nBcc: x@y", 9);
    const char *h = buf_cstr(&b);
    assert_lines_within(h, 76);
    /* Folded lines start with a space: no second header can be made. */
    for (const char *p = strstr(h, "\r\n"); p; p = strstr(p + 2, "\r\n")) assert_int_equal(p[2], ' ');
    assert_null(strstr(h, "Bcc:"));
    /* Each word is whole: "=?utf-8?q?" … "?=" and at most 75 characters. */
    for (const char *w = strstr(h, "=?utf-8?q?"); w; w = strstr(w + 1, "=?utf-8?q?")) {
        const char *end = strstr(w + 10, "?=");
        assert_non_null(end);
        assert_true(end + 2 - w <= 75);
        for (const char *c = w + 10; c < end; c++)
            if (*c == '=') assert_true(c + 3 <= end); /* an =XX never cut */
    }
    buf_free(&b);
}

static void test_addresses(void **state)
{
    (void)state;
    char a[64];
    assert_true(mail_address("Carnet — Collège <carnet@college.example>", a, sizeof a));
    assert_string_equal(a, "carnet@college.example");
    assert_true(mail_address("  carnet@example.org ", a, sizeof a));
    assert_string_equal(a, "carnet@example.org");
    assert_false(mail_address("Carnet <carnet@example.org", a, sizeof a));
    assert_false(mail_address("Carnet", a, sizeof a));
    assert_true(mail_address_ok("claire.moreau@example.org"));
    assert_false(mail_address_ok("claire moreau@example.org"));
    assert_false(mail_address_ok("x@y\r\nBcc: z@w"));
    assert_false(mail_address_ok("<x@y>"));
    assert_false(mail_address_ok("@y"));
    assert_false(mail_address_ok("x@"));
    assert_false(mail_address_ok("x@y@z"));
    assert_false(mail_address_ok(NULL));
}

static void test_digest_lists_every_item_with_its_link(void **state)
{
    (void)state;
    struct mail_item items[] = {{12, "homework", "Exercices 3 à 7"}, {13, "grades", "Nouvelle note\nBcc: x@y"}};
    struct mail m = {.id = 7, .created_at = 1773122400, .date = 1773122400, .from = "Carnet <carnet@college.example>",
                     .to_name = "Zoé Martin", .to_addr = "zoe@example.org", .lang = "fr", .public_url = "https://carnet.example",
                     .items = items, .n = 2, .total = 3};
    struct buf b;
    buf_init(&b);
    mail_compose(&b, &m);
    const char *s = buf_cstr(&b);
    const char *body = strstr(s, "\r\n\r\n");
    assert_non_null(body);
    assert_non_null(strstr(s, "Message-ID: <carnet.mail.7.1773122400@college.example>\r\n"));
    assert_non_null(strstr(s, "Date: Tue, 10 Mar 2026 06:00:00 +0000\r\n"));
    assert_non_null(strstr(s, "To: =?utf-8?q?Zo=C3=A9_Martin?= <zoe@example.org>\r\n"));
    assert_non_null(strstr(s, "Subject: =?utf-8?q?Carnet_=3A_3_nouveaut=C3=A9s?=\r\n"));
    assert_non_null(strstr(s, "Content-Transfer-Encoding: quoted-printable\r\n"));
    assert_null(strstr(s, "\nBcc:"));
    assert_lines_within(s, 76);
    char *text = qp_decode(body + 4);
    assert_non_null(strstr(text, "Bonjour Zoé Martin,\n"));
    assert_non_null(strstr(text, "Il y a 3 nouveautés pour vous dans Carnet"));
    assert_non_null(strstr(text, "• Travail à faire — Exercices 3 à 7\n  https://carnet.example/notifications/12\n"));
    assert_non_null(strstr(text, "Nouvelle note Bcc: x@y\n  https://carnet.example/notifications/13\n"));
    assert_non_null(strstr(text, "… et 1 autre, dans vos notifications :\n  https://carnet.example/notifications\n"));
    assert_non_null(strstr(text, "https://carnet.example/compte/notifications\n"));
    free(text);
    buf_free(&b);
}

/* Local times of March 2026 in Paris (UTC+1) and La Réunion (UTC+4). */
#define PARIS(d, h, m) (1772319600 + ((d) - 1) * 86400 + (h) * 3600 + (m) * 60)   /* 2026-03-01 00:00 +01:00 */

static void test_quiet_times(void **state)
{
    (void)state;
    struct notify_quiet night = {18 * 60, 8 * 60, false}, lunch = {12 * 60, 14 * 60, false}, weekend = {-1, -1, true};
    assert_false(notify_quiet_at(&night, "Europe/Paris", PARIS(10, 17, 59)));
    assert_true(notify_quiet_at(&night, "Europe/Paris", PARIS(10, 18, 0)));
    assert_true(notify_quiet_at(&night, "Europe/Paris", PARIS(11, 7, 59)));
    assert_false(notify_quiet_at(&night, "Europe/Paris", PARIS(11, 8, 0)));
    assert_true(notify_quiet_at(&lunch, "Europe/Paris", PARIS(11, 12, 30)));
    assert_false(notify_quiet_at(&lunch, "Europe/Paris", PARIS(11, 14, 0)));
    assert_true(notify_quiet_at(&weekend, "Europe/Paris", PARIS(14, 10, 0)));   /* Saturday */
    assert_true(notify_quiet_at(&weekend, "Europe/Paris", PARIS(15, 23, 59)));  /* Sunday */
    assert_false(notify_quiet_at(&weekend, "Europe/Paris", PARIS(16, 0, 0)));   /* Monday */
    /* 15:00 in Paris is 18:00 in La Réunion. */
    assert_false(notify_quiet_at(&night, "Europe/Paris", PARIS(10, 15, 0)));
    assert_true(notify_quiet_at(&night, "Indian/Reunion", PARIS(10, 15, 0)));
    assert_int_equal(notify_hhmm("18:00"), 1080);
    assert_int_equal(notify_hhmm("00:00"), 0);
    assert_int_equal(notify_hhmm("24:00"), -1);
    assert_int_equal(notify_hhmm("8:00"), -1);
    assert_int_equal(notify_hhmm("18:00x"), -1);
    assert_int_equal(notify_hhmm(""), -1);
}

int main(void)
{
    if (i18n_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qp_round_trip_and_line_length),
        cmocka_unit_test(test_qp_protects_line_starts_and_trailing_space),
        cmocka_unit_test(test_encoded_words_split_on_characters_and_never_break_a_header),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_digest_lists_every_item_with_its_link),
        cmocka_unit_test(test_quiet_times),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    i18n_free();
    return rc;
}
