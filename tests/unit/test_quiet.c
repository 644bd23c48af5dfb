/* test_quiet.c — R-DISCO quiet periods (src/policy/quiet.c): evenings,
 * weekends, the school holidays of the establishment's zone and public
 * holidays hold what is published until 07:00 local time of the next day
 * with classes; daylight saving and overseas time zones behave. The shipped
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
#include "policy/quiet.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char db_path[64];
static struct store *S;
static struct arena A;
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
                             " (2, 1, 'college', '9740001A', 'Collège de Saint-Denis', 'La Réunion');") < 0)
        return -1;
    FILE *f = fopen("data/calendrier-scolaire-2025-2026.csv", "rb");
    if (!f) return -1;
    static char text[65536];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    char err[256];
    if (calendar_import_csv(S, text, len, err, sizeof err) < 0) return -1;
    arena_init(&A);
    RENNES = calendar_load(S, &A, 1);
    REUNION = calendar_load(S, &A, 2);
    return RENNES && REUNION ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    arena_free(&A);
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
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
