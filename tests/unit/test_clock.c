/* test_clock.c — the one source of time (src/core/clock.c): parsing of
 * local and zoned times, the movable clock, local dates in Europe/Paris. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/clock.h"
#include <string.h>
#include <time.h>

/* 2026-03-10T20:00:00Z, computed independently of clock_parse. */
#define T_2026_03_10_20H_UTC INT64_C(1773172800)

static int group_setup(void **state)
{
    (void)state;
    clock_set_zone("Europe/Paris");
    return 0;
}

static int64_t parse_ok(const char *s)
{
    int64_t t = -1;
    if (!clock_parse(s, &t)) fail_msg("clock_parse refused '%s'", s);
    return t;
}

static void test_reference_constant_is_right(void **state)
{
    (void)state;
    struct tm tm = {.tm_year = 126, .tm_mon = 2, .tm_mday = 10, .tm_hour = 20};
    assert_int_equal((int64_t)timegm(&tm), T_2026_03_10_20H_UTC);
}

static void test_parse_local_winter_time_is_utc_plus_one(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2026-03-10T21:00"), T_2026_03_10_20H_UTC);
}

static void test_parse_local_summer_time_is_utc_plus_two(void **state)
{
    (void)state;
    struct tm tm = {.tm_year = 126, .tm_mon = 6, .tm_mday = 1, .tm_hour = 10};
    assert_int_equal(parse_ok("2026-07-01T12:00"), (int64_t)timegm(&tm));
}

static void test_parse_accepts_space_instead_of_t(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2026-03-10 21:00"), T_2026_03_10_20H_UTC);
}

static void test_parse_seconds(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2026-03-10T21:00:45"), T_2026_03_10_20H_UTC + 45);
    assert_int_equal(parse_ok("2026-03-10T20:00:07Z"), T_2026_03_10_20H_UTC + 7);
}

static void test_parse_z_suffix_is_utc(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2026-03-10T20:00Z"), T_2026_03_10_20H_UTC);
}

static void test_parse_positive_offset(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2026-03-10T22:00+02:00"), T_2026_03_10_20H_UTC);
    assert_int_equal(parse_ok("2026-03-10T21:30+01:30"), T_2026_03_10_20H_UTC);
    assert_int_equal(parse_ok("2026-03-10T22:00:00+02:00"), T_2026_03_10_20H_UTC);
}

static void test_parse_negative_offset(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2026-03-10T15:00-05:00"), T_2026_03_10_20H_UTC);
}

static void test_parse_offset_crossing_midnight(void **state)
{
    (void)state;
    /* 2026-03-11T01:00+05:00 is 2026-03-10T20:00Z. */
    assert_int_equal(parse_ok("2026-03-11T01:00+05:00"), T_2026_03_10_20H_UTC);
}

static void test_parse_leap_day(void **state)
{
    (void)state;
    int64_t t;
    assert_true(clock_parse("2028-02-29T12:00Z", &t));
    assert_false(clock_parse("2026-02-29T12:00Z", &t));
    assert_false(clock_parse("2026-02-29T12:00", &t));
}

static void expect_refused(const char *s)
{
    int64_t t = 12345;
    if (clock_parse(s, &t)) fail_msg("clock_parse accepted '%s' as %lld", s ? s : "(null)", (long long)t);
}

static void test_parse_refuses_empty_and_null(void **state)
{
    (void)state;
    expect_refused("");
    expect_refused(NULL);
    expect_refused("2026-03-10");
    expect_refused("2026-03-10T21");
}

static void test_parse_refuses_impossible_dates(void **state)
{
    (void)state;
    expect_refused("2026-13-01T00:00");
    expect_refused("2026-00-10T00:00");
    expect_refused("2026-02-30T10:00");
    expect_refused("2026-04-31T10:00");
    expect_refused("2026-01-00T10:00");
    expect_refused("2026-01-32T10:00");
    expect_refused("2026-02-30T10:00Z");
}

static void test_parse_refuses_impossible_times(void **state)
{
    (void)state;
    expect_refused("2026-03-10 25:00");
    expect_refused("2026-03-10T24:00");
    expect_refused("2026-03-10T12:60");
    expect_refused("2026-03-10T12:00:61");
}

static void test_parse_refuses_trailing_garbage(void **state)
{
    (void)state;
    expect_refused("2026-03-10T21:00x");
    expect_refused("2026-03-10T21:00 ");
    expect_refused("2026-03-10T21:00:0");
    expect_refused("2026-03-10T21:00:00:00");
    expect_refused("2026-03-10T21:00ZZ");
    expect_refused("2026-03-10T21:00+02");
    expect_refused("2026-03-10T21:00+02:00x");
    expect_refused("2026-03-10T21:00+2:00");
}

static void test_parse_refuses_bad_separators_and_signs(void **state)
{
    (void)state;
    expect_refused("2026/03/10T21:00");
    expect_refused("2026-03-10X21:00");
    expect_refused("2026-03-10T21h00");
    expect_refused("+026-03-10T21:00");
    expect_refused("2026-+3-10T21:00");
    expect_refused("2026-03-10T-1:00");
}

static void test_set_moves_now_to_the_target(void **state)
{
    (void)state;
    int64_t target = T_2026_03_10_20H_UTC;
    clock_set(target);
    int64_t now = clock_now();
    assert_true(now >= target);
    assert_true(now <= target + 1);
    clock_set(target - 86400 * 365);
    now = clock_now();
    assert_true(now >= target - 86400 * 365 && now <= target - 86400 * 365 + 1);
}

static void test_today_follows_the_set_clock(void **state)
{
    (void)state;
    char d[11];
    clock_set(T_2026_03_10_20H_UTC); /* 21:00 in Paris */
    clock_today(d);
    assert_string_equal(d, "2026-03-10");
}

static void test_date_around_midnight_in_paris(void **state)
{
    (void)state;
    char d[11];
    /* 22:59:59Z = 23:59:59 Paris (winter): still the 10th. */
    clock_date(T_2026_03_10_20H_UTC + 3 * 3600 - 1, d);
    assert_string_equal(d, "2026-03-10");
    /* 23:00Z = 00:00 Paris: already the 11th, though UTC is still the 10th. */
    clock_date(T_2026_03_10_20H_UTC + 3 * 3600, d);
    assert_string_equal(d, "2026-03-11");
}

static void test_date_around_midnight_in_paris_summer(void **state)
{
    (void)state;
    char d[11];
    int64_t midnight = parse_ok("2026-07-02T00:00"); /* = 2026-07-01T22:00Z */
    assert_int_equal(midnight, parse_ok("2026-07-01T22:00Z"));
    clock_date(midnight - 1, d);
    assert_string_equal(d, "2026-07-01");
    clock_date(midnight, d);
    assert_string_equal(d, "2026-07-02");
}

static void test_datetime_is_local(void **state)
{
    (void)state;
    char dt[17];
    clock_datetime(T_2026_03_10_20H_UTC, dt);
    assert_string_equal(dt, "2026-03-10 21:00");
    clock_datetime(parse_ok("2026-07-01T12:00"), dt);
    assert_string_equal(dt, "2026-07-01 12:00");
}

static void test_parse_and_datetime_round_trip(void **state)
{
    (void)state;
    const char *in[] = {"2026-01-01 00:00", "2026-03-29 03:30", "2026-10-25 12:15", "2026-12-31 23:59", NULL};
    for (int i = 0; in[i]; i++) {
        char dt[17];
        clock_datetime(parse_ok(in[i]), dt);
        assert_string_equal(dt, in[i]);
    }
}

static void test_minutes_of_hhmm(void **state)
{
    (void)state;
    assert_int_equal(clock_minutes("20:00"), 1200);
    assert_int_equal(clock_minutes("00:00"), 0);
    assert_int_equal(clock_minutes("23:59"), 1439);
    for (const char *bad[] = {"24:00", "12:60", "7:00", "07:00:00", "07h00", "", "ab:cd", NULL}, **b = bad; *b; b++)
        assert_int_equal(clock_minutes(*b), -1);
    assert_int_equal(clock_minutes(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_constant_is_right),
        cmocka_unit_test(test_parse_local_winter_time_is_utc_plus_one),
        cmocka_unit_test(test_parse_local_summer_time_is_utc_plus_two),
        cmocka_unit_test(test_parse_accepts_space_instead_of_t),
        cmocka_unit_test(test_parse_seconds),
        cmocka_unit_test(test_parse_z_suffix_is_utc),
        cmocka_unit_test(test_parse_positive_offset),
        cmocka_unit_test(test_parse_negative_offset),
        cmocka_unit_test(test_parse_offset_crossing_midnight),
        cmocka_unit_test(test_parse_leap_day),
        cmocka_unit_test(test_parse_refuses_empty_and_null),
        cmocka_unit_test(test_parse_refuses_impossible_dates),
        cmocka_unit_test(test_parse_refuses_impossible_times),
        cmocka_unit_test(test_parse_refuses_trailing_garbage),
        cmocka_unit_test(test_parse_refuses_bad_separators_and_signs),
        cmocka_unit_test(test_set_moves_now_to_the_target),
        cmocka_unit_test(test_today_follows_the_set_clock),
        cmocka_unit_test(test_date_around_midnight_in_paris),
        cmocka_unit_test(test_date_around_midnight_in_paris_summer),
        cmocka_unit_test(test_datetime_is_local),
        cmocka_unit_test(test_parse_and_datetime_round_trip),
        cmocka_unit_test(test_minutes_of_hhmm),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
