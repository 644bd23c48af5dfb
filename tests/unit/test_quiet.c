/* test_quiet.c — R-DISCO quiet periods (src/policy/quiet.c): evenings,
 * weekends, the school holidays of the establishment's zone and public
 * holidays hold what is published until 07:00 local time of the next day
 * with classes; daylight saving and overseas time zones behave. R-GRADES
 * (src/policy/diffusion.c, diffusion_grades): a mark reaches the pupil at
 * its publication pushed out of quiet periods and not before the copies
 * are handed back, and the parents the establishment's delay (0, 1, 3 or
 * 7 days, default 1) later, pushed out of quiet periods again. The shipped
 * 2025-2026 calendar is imported into a throw-away database. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "testdb.h"

#include "calendar/calendar.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"
#include "policy/diffusion.h"
#include "policy/quiet.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char db_path[64];
static struct store *S;
static struct arena A, G;   /* G: the diffusion rules, one "request" at a time */
enum { EST_RENNES = 1, EST_POINTE_A_PITRE = 3 };
static struct school_calendar *RENNES, *REUNION;

static int group_setup(void **state)
{
    (void)state;
    log_set_quiet(1);
    S = testdb_open(db_path, "/tmp/carnet-test-quiet-XXXXXX");
    if (!S || store_migrate(S) < 0) return -1;
    if (store_exec_script(S, "INSERT INTO territory (id, code, name) VALUES (1, 't', 'Territoire');"
                             "INSERT INTO establishment (id, territory_id, kind, uai, name, zone) VALUES"
                             " (1, 1, 'college', '0350001A', 'Collège de Rennes', 'B'),"
                             " (2, 1, 'college', '9740001A', 'Collège de Saint-Denis', 'La Réunion'),"
                             " (3, 1, 'college', '9710001A', 'Collège de Pointe-à-Pitre', 'Guadeloupe');"
                             "UPDATE establishment SET tz = 'America/Guadeloupe' WHERE id = 3;") < 0)
        return -1;
    FILE *f = fopen("data/calendrier-scolaire-2025-2026.csv", "rb");
    if (!f) return -1;
    static char text[65536];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    char err[256];
    if (calendar_import_csv(S, text, len, err, sizeof err) < 0) return -1;
    arena_init(&A);
    arena_init(&G);
    RENNES = calendar_load(S, &A, 1);
    REUNION = calendar_load(S, &A, 2);
    return RENNES && REUNION ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    arena_free(&A);
    arena_free(&G);
    store_close(S);
    testdb_remove(db_path);
    return 0;
}

/* An instant from a UTC "YYYY-MM-DDTHH:MMZ". */
static int64_t at(const char *utc)
{
    int64_t t = 0;
    assert_true(clock_parse(utc, &t));
    return t;
}

static void test_r_disco_a_school_day_between_7_and_20_is_not_quiet(void **state)
{
    (void)state;
    /* Tuesday 10 March 2026, 10:00 in Rennes (UTC+1). */
    assert_int_equal(quiet_release_at(RENNES, "Europe/Paris", NULL, at("2026-03-10T09:00Z")), at("2026-03-10T09:00Z"));
    assert_int_equal(quiet_release_at(RENNES, "Europe/Paris", NULL, at("2026-03-10T18:59Z")), at("2026-03-10T18:59Z"));
}

static void test_r_disco_tuesday_2130_waits_for_wednesday_0700(void **state)
{
    (void)state;
    assert_int_equal(quiet_release_at(RENNES, "Europe/Paris", NULL, at("2026-03-10T20:30Z")), at("2026-03-11T06:00Z"));
    /* 20:00 sharp is quiet; 06:59 is still the night. */
    assert_int_equal(quiet_release_at(RENNES, "Europe/Paris", NULL, at("2026-03-10T19:00Z")), at("2026-03-11T06:00Z"));
    assert_int_equal(quiet_release_at(RENNES, "Europe/Paris", NULL, at("2026-03-11T05:59Z")), at("2026-03-11T06:00Z"));
}

static void test_r_disco_friday_evening_waits_for_monday_morning(void **state)
{
    (void)state;
    /* Friday 13 March 2026 21:00 → Monday 16 March 07:00; Saturday noon too. */
    assert_int_equal(quiet_release_at(RENNES, "Europe/Paris", NULL, at("2026-03-13T20:00Z")), at("2026-03-16T06:00Z"));
    assert_int_equal(quiet_release_at(RENNES, "Europe/Paris", NULL, at("2026-03-14T11:00Z")), at("2026-03-16T06:00Z"));
}

static void test_r_disco_winter_holidays_of_zone_b_hold_until_the_first_day_back(void **state)
{
    (void)state;
    /* Zone B: no classes from Saturday 14 February, back on Monday 2 March 2026. */
    assert_int_equal(quiet_release_at(RENNES, "Europe/Paris", NULL, at("2026-02-13T20:00Z")), at("2026-03-02T06:00Z"));
    assert_int_equal(quiet_release_at(RENNES, "Europe/Paris", NULL, at("2026-02-18T10:00Z")), at("2026-03-02T06:00Z"));
}

static void test_r_disco_a_public_holiday_is_quiet_from_the_evening_before(void **state)
{
    (void)state;
    /* Wednesday 11 November 2025 (Armistice): Tuesday 21:00 → Thursday 07:00. */
    assert_int_equal(quiet_release_at(RENNES, "Europe/Paris", NULL, at("2025-11-10T20:00Z")), at("2025-11-12T06:00Z"));
}

static void test_r_disco_daylight_saving_weekend_keeps_0700_local(void **state)
{
    (void)state;
    /* Clocks go forward on Sunday 29 March 2026: Monday 07:00 is 05:00 UTC. */
    assert_int_equal(quiet_release_at(RENNES, "Europe/Paris", NULL, at("2026-03-27T20:00Z")), at("2026-03-30T05:00Z"));
    /* And back on Sunday 25 October 2026 (autumn holidays then: no calendar of
     * 2026-2027 loaded, so weekends only): Monday 26 October 07:00 is 06:00 UTC. */
    assert_int_equal(quiet_release_at(RENNES, "Europe/Paris", NULL, at("2026-10-23T19:30Z")), at("2026-10-26T06:00Z"));
}

static void test_r_disco_overseas_evenings_are_local(void **state)
{
    (void)state;
    /* La Réunion is UTC+4: 18:00 UTC is 22:00 there, quiet until 07:00 = 03:00 UTC;
     * the same instant is 19:00 in Paris, not quiet. */
    int64_t t = at("2026-03-10T18:00Z");
    assert_int_equal(quiet_release_at(REUNION, "Indian/Reunion", NULL, t), at("2026-03-11T03:00Z"));
    assert_int_equal(quiet_release_at(RENNES, "Europe/Paris", NULL, t), t);
    /* Guadeloupe (UTC-4), no calendar: Tuesday 21:00 local = Wednesday 01:00 UTC → Wednesday 07:00 local. */
    assert_int_equal(quiet_release_at(NULL, "America/Guadeloupe", NULL, at("2026-03-11T01:00Z")), at("2026-03-11T11:00Z"));
}

static void test_r_disco_other_hours_and_unknown_zone(void **state)
{
    (void)state;
    struct quiet_rules late = {21 * 60 + 30, 6 * 60 + 30};
    assert_int_equal(quiet_release_at(RENNES, "Europe/Paris", &late, at("2026-03-10T20:00Z")), at("2026-03-10T20:00Z"));
    assert_int_equal(quiet_release_at(RENNES, "Europe/Paris", &late, at("2026-03-10T21:00Z")), at("2026-03-11T05:30Z"));
    assert_int_equal(quiet_release_at(RENNES, "Mars/Olympus", NULL, at("2026-03-10T20:30Z")), at("2026-03-11T06:00Z"));
    assert_true(quiet_is_quiet(RENNES, "Europe/Paris", NULL, at("2026-03-14T11:00Z")));
    assert_false(quiet_is_quiet(RENNES, "Europe/Paris", NULL, at("2026-03-10T09:00Z")));
}

/* ---- R-GRADES: diffusion_grades ---------------------------------------- */

/* The rules of establishment est with grades.parents_delay set to delay
 * (NULL: not set), read afresh (a new arena is a new request). */
static const struct diffusion *rules(int64_t est, const char *delay)
{
    assert_int_equal(store_run(S, "DELETE FROM establishment_setting WHERE establishment_id = $1", "i", est), 0);
    if (delay)
        assert_int_equal(store_run(S, "INSERT INTO establishment_setting (establishment_id, key, value)"
                                      " VALUES ($1, 'grades.parents_delay', $2)", "it", est, delay), 0);
    arena_free(&G);
    arena_init(&G);
    return diffusion_load(S, &G, est);
}

/* diffusion_grades(d, t, handback) gives pupils and parents (UTC). */
static void moments(const struct diffusion *d, const char *t, int64_t handback, const char *pupils, const char *parents)
{
    int64_t p = 0, q = 0;
    diffusion_grades(d, at(t), handback, &p, &q);
    assert_int_equal(p, at(pupils));
    assert_int_equal(q, at(parents));
}

static void test_r_grades_friday_2100_pupil_monday_0700_parents_tuesday_0700(void **state)
{
    (void)state;
    const struct diffusion *d = rules(EST_RENNES, NULL);
    assert_int_equal(d->parents_delay, 1);
    /* Friday 13 March 2026, 21:00 in Rennes (UTC+1). */
    moments(d, "2026-03-13T20:00Z", 0, "2026-03-16T06:00Z", "2026-03-17T06:00Z");
    /* Tuesday 10:00: the pupil at once, the parents Wednesday 10:00. */
    moments(d, "2026-03-10T09:00Z", 0, "2026-03-10T09:00Z", "2026-03-11T09:00Z");
    /* Thursday 21:00: the pupil Friday 07:00; a day later is a Saturday: Monday 07:00. */
    moments(d, "2026-03-12T20:00Z", 0, "2026-03-13T06:00Z", "2026-03-16T06:00Z");
    /* Thursday 18:00: the parents Friday 18:00, before the weekend's quiet period. */
    moments(d, "2026-03-12T17:00Z", 0, "2026-03-12T17:00Z", "2026-03-13T17:00Z");
}

static void test_r_grades_winter_holidays_of_zone_b_hold_pupils_and_parents(void **state)
{
    (void)state;
    const struct diffusion *d = rules(EST_RENNES, NULL);
    /* Friday 13 February 20:30, the holidays from 14 February to 2 March. */
    moments(d, "2026-02-13T19:30Z", 0, "2026-03-02T06:00Z", "2026-03-03T06:00Z");
    /* Friday 13 February 17:00: the pupil at once, the parents after the holidays. */
    moments(d, "2026-02-13T16:00Z", 0, "2026-02-13T16:00Z", "2026-03-02T06:00Z");
}

static void test_r_grades_dst_weekend_keeps_0700_local(void **state)
{
    (void)state;
    const struct diffusion *d = rules(EST_RENNES, NULL);
    /* Friday 27 March 21:00 (UTC+1) → Monday 30 March 07:00 (UTC+2). */
    moments(d, "2026-03-27T20:00Z", 0, "2026-03-30T05:00Z", "2026-03-31T05:00Z");
    /* Thursday 26 March 10:00 (UTC+1): a day later is Friday 10:00, still winter time. */
    moments(d, "2026-03-26T09:00Z", 0, "2026-03-26T09:00Z", "2026-03-27T09:00Z");
    /* Autumn: 2026-2027 is not imported (weekends and public holidays
     * alone). Friday 23 October 21:00 (UTC+2) → Monday 26 October 07:00 (UTC+1). */
    moments(d, "2026-10-23T19:00Z", 0, "2026-10-26T06:00Z", "2026-10-27T06:00Z");
}

static void test_r_grades_parents_delay_0_3_7_days_pushed_out_of_quiet_periods(void **state)
{
    (void)state;
    const struct diffusion *d = rules(EST_RENNES, "0");
    assert_int_equal(d->parents_delay, 0);
    moments(d, "2026-03-17T09:00Z", 0, "2026-03-17T09:00Z", "2026-03-17T09:00Z");
    moments(d, "2026-03-13T20:00Z", 0, "2026-03-16T06:00Z", "2026-03-16T06:00Z");
    d = rules(EST_RENNES, "3");
    /* Tuesday 10:00 → Friday 10:00; Wednesday 10:00 → Saturday → Monday 07:00. */
    moments(d, "2026-03-17T09:00Z", 0, "2026-03-17T09:00Z", "2026-03-20T09:00Z");
    moments(d, "2026-03-18T09:00Z", 0, "2026-03-18T09:00Z", "2026-03-23T06:00Z");
    d = rules(EST_RENNES, "7");
    moments(d, "2026-03-17T09:00Z", 0, "2026-03-17T09:00Z", "2026-03-24T09:00Z");
    /* Friday 10 April 10:00 (UTC+2) + 7 days falls in the spring holidays (11 – 27 April). */
    moments(d, "2026-04-10T08:00Z", 0, "2026-04-10T08:00Z", "2026-04-27T05:00Z");
    /* A delay a head may not choose is the default. */
    assert_int_equal(rules(EST_RENNES, "2")->parents_delay, DIFFUSION_PARENTS_DELAY_DEFAULT);
    assert_int_equal(rules(EST_RENNES, "")->parents_delay, DIFFUSION_PARENTS_DELAY_DEFAULT);
}

static void test_r_grades_copies_handed_back(void **state)
{
    (void)state;
    const struct diffusion *d = rules(EST_RENNES, NULL);
    /* Handed back Wednesday 18 March at the end of an 11:00–11:55 lesson. */
    int64_t wed = diffusion_local(d, "2026-03-18", 11 * 60 + 55);
    assert_int_equal(wed, at("2026-03-18T10:55Z"));
    moments(d, "2026-03-16T09:00Z", wed, "2026-03-18T10:55Z", "2026-03-19T10:55Z");
    /* A handing back already past changes nothing. */
    moments(d, "2026-03-19T09:00Z", wed, "2026-03-19T09:00Z", "2026-03-20T09:00Z");
    /* Handed back on a Saturday (17:00 by default): Monday 07:00. */
    int64_t sat = diffusion_local(d, "2026-03-21", DIFFUSION_HANDBACK_DEFAULT);
    moments(d, "2026-03-16T09:00Z", sat, "2026-03-23T06:00Z", "2026-03-24T06:00Z");
    assert_int_equal(diffusion_local(d, "2026-02-30", 60), 0);
    assert_int_equal(diffusion_local(d, "mardi", 60), 0);
}

static void test_r_grades_overseas_establishment_uses_local_time(void **state)
{
    (void)state;
    const struct diffusion *d = rules(EST_POINTE_A_PITRE, NULL);
    assert_string_equal(d->tz, "America/Guadeloupe");
    /* Friday 13 March 21:00 in Guadeloupe (UTC−4) → Monday 07:00 there. */
    moments(d, "2026-03-14T01:00Z", 0, "2026-03-16T11:00Z", "2026-03-17T11:00Z");
    /* 21:30 in Paris is 16:30 in Guadeloupe: at once. */
    moments(d, "2026-03-17T20:30Z", 0, "2026-03-17T20:30Z", "2026-03-18T20:30Z");
    /* Copies handed back Wednesday at 10:00 local. */
    moments(d, "2026-03-16T12:00Z", diffusion_local(d, "2026-03-18", 10 * 60), "2026-03-18T14:00Z", "2026-03-19T14:00Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_r_disco_a_school_day_between_7_and_20_is_not_quiet),
        cmocka_unit_test(test_r_disco_tuesday_2130_waits_for_wednesday_0700),
        cmocka_unit_test(test_r_disco_friday_evening_waits_for_monday_morning),
        cmocka_unit_test(test_r_disco_winter_holidays_of_zone_b_hold_until_the_first_day_back),
        cmocka_unit_test(test_r_disco_a_public_holiday_is_quiet_from_the_evening_before),
        cmocka_unit_test(test_r_disco_daylight_saving_weekend_keeps_0700_local),
        cmocka_unit_test(test_r_disco_overseas_evenings_are_local),
        cmocka_unit_test(test_r_disco_other_hours_and_unknown_zone),
        cmocka_unit_test(test_r_grades_friday_2100_pupil_monday_0700_parents_tuesday_0700),
        cmocka_unit_test(test_r_grades_winter_holidays_of_zone_b_hold_pupils_and_parents),
        cmocka_unit_test(test_r_grades_dst_weekend_keeps_0700_local),
        cmocka_unit_test(test_r_grades_parents_delay_0_3_7_days_pushed_out_of_quiet_periods),
        cmocka_unit_test(test_r_grades_copies_handed_back),
        cmocka_unit_test(test_r_grades_overseas_establishment_uses_local_time),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
