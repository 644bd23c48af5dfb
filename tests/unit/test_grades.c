/* test_grades.c — S-GRADES averages on the hand-computed cases of
 * docs/grades.md (one test per worked example), and mark entry parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "grades/average.h"
#include <string.h>

/* A mark out of 20, coefficient 1. */
#define M(v) {MARK_VALUE, (v) * 100, 20, 100, false, false}
#define MC(v, scale, coef) {MARK_VALUE, (v) * 100, (scale), (coef), false, false}
#define SPECIAL(k) {(k), 0, 20, 100, false, false}
#define OPT(v) {MARK_VALUE, (v) * 100, 20, 100, false, true}
#define BONUS(v, coef) {MARK_VALUE, (v) * 100, 20, (coef), true, false}

static double avg_of(const struct grade *g, size_t n)
{
    double a = -1;
    assert_true(grades_average(g, n, &a));
    return grades_round2(a);
}

#define AVG(...) avg_of((const struct grade[]){__VA_ARGS__}, sizeof((const struct grade[]){__VA_ARGS__}) / sizeof(struct grade))
#define NO_AVG(...)                                                                                        \
    do {                                                                                                   \
        double a_;                                                                                         \
        const struct grade g_[] = {__VA_ARGS__};                                                           \
        assert_false(grades_average(g_, sizeof g_ / sizeof g_[0], &a_));                                   \
    } while (0)

static void test_S_GRADES_example_A_weighted_mean_across_scales(void **state)
{
    (void)state;
    assert_float_equal(AVG(M(12), MC(15, 20, 200), MC(8, 10, 100)), 14.50, 1e-9);
}

static void test_S_GRADES_example_B_special_marks_do_not_count_but_absent_zero_does(void **state)
{
    (void)state;
    assert_float_equal(AVG(M(14), SPECIAL(MARK_ABSENT), SPECIAL(MARK_EXEMPT), SPECIAL(MARK_NOT_HANDED_IN),
                           SPECIAL(MARK_NOT_GRADED), M(10)), 12.00, 1e-9);
    assert_float_equal(AVG(M(14), SPECIAL(MARK_ABSENT_ZERO), M(10)), 8.00, 1e-9);
}

static void test_S_GRADES_example_C_optional_mark_counts_when_it_raises_the_average(void **state)
{
    (void)state;
    assert_float_equal(AVG(M(10), M(12), OPT(16)), 12.67, 1e-9);
}

static void test_S_GRADES_example_D_optional_mark_ignored_when_it_would_lower_it(void **state)
{
    (void)state;
    assert_float_equal(AVG(M(10), M(12), OPT(9)), 11.00, 1e-9);
    /* Equal to the average: it does not raise it either. */
    assert_float_equal(AVG(M(10), M(12), OPT(11)), 11.00, 1e-9);
}

static void test_S_GRADES_example_E_several_optional_marks_best_first(void **state)
{
    (void)state;
    assert_float_equal(AVG(M(10), OPT(18), OPT(11), OPT(13)), 14.00, 1e-9);
    /* Order of entry changes nothing. */
    assert_float_equal(AVG(OPT(11), OPT(13), M(10), OPT(18)), 14.00, 1e-9);
    /* Only optional marks: the best starts the average, then the same rule. */
    assert_float_equal(AVG(OPT(8), OPT(12)), 12.00, 1e-9);
}

static void test_S_GRADES_example_F_bonus_counts_only_points_above_mid_scale(void **state)
{
    (void)state;
    assert_float_equal(AVG(M(12), MC(14, 20, 200), BONUS(16, 100)), 15.33, 1e-9);
    assert_float_equal(AVG(M(12), MC(14, 20, 200), BONUS(8, 100)), 13.33, 1e-9);
}

static void test_S_GRADES_example_G_bonus_alone_gives_no_average(void **state)
{
    (void)state;
    NO_AVG(BONUS(18, 100));
}

static void test_S_GRADES_example_H_average_capped_at_20(void **state)
{
    (void)state;
    assert_float_equal(AVG(M(19), BONUS(20, 200)), 20.00, 1e-9);
}

static void test_S_GRADES_example_I_decimal_coefficients(void **state)
{
    (void)state;
    assert_float_equal(AVG(MC(10, 20, 50), MC(16, 20, 150)), 14.50, 1e-9);
}

static void test_S_GRADES_example_J_nothing_counts_no_average(void **state)
{
    (void)state;
    NO_AVG(SPECIAL(MARK_ABSENT), SPECIAL(MARK_EXEMPT));
    /* A coefficient of 0 records the mark without weighing. */
    NO_AVG(MC(15, 20, 0));
    assert_float_equal(AVG(M(10), MC(20, 20, 0)), 10.00, 1e-9);
}

static void test_S_GRADES_example_K_general_average_is_mean_of_subjects(void **state)
{
    (void)state;
    double v[] = {14.5, 12, 11}, a;
    assert_true(grades_mean(v, 3, &a));
    assert_float_equal(grades_round2(a), 12.50, 1e-9);
    assert_false(grades_mean(v, 0, &a));
}

static void test_S_GRADES_example_L_rounding_half_away_from_zero(void **state)
{
    (void)state;
    assert_float_equal(grades_round2(12.345), 12.35, 1e-9);
    assert_float_equal(grades_round2(10.004), 10.00, 1e-9);
    assert_float_equal(grades_round2(40.0 / 3), 13.33, 1e-9);
    char s[16];
    grades_format_avg(40.0 / 3, s);
    assert_string_equal(s, "13,33");
    grades_format_avg(12.5, s);
    assert_string_equal(s, "12,50");
}

static void test_S_GRADES_class_statistics(void **state)
{
    (void)state;
    double v[] = {12, 8.5, 17.25, 10}, mn, mx, mean;
    assert_true(grades_stats(v, 4, &mn, &mx, &mean));
    assert_float_equal(mn, 8.5, 1e-9);
    assert_float_equal(mx, 17.25, 1e-9);
    assert_float_equal(mean, 11.9375, 1e-9);
    assert_false(grades_stats(v, 0, &mn, &mx, &mean));
}

static void test_S_GRADES_entry_reads_numbers_and_codes(void **state)
{
    (void)state;
    enum mark_kind k;
    int v;
    assert_int_equal(grades_parse("15", 20, &k, &v), 0);
    assert_int_equal(k, MARK_VALUE);
    assert_int_equal(v, 1500);
    assert_int_equal(grades_parse(" 15,5 ", 20, &k, &v), 0);
    assert_int_equal(v, 1550);
    assert_int_equal(grades_parse("7.25", 10, &k, &v), 0);
    assert_int_equal(v, 725);
    assert_int_equal(grades_parse("20", 20, &k, &v), 0);
    assert_int_equal(grades_parse("0", 20, &k, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(grades_parse("ABS", 20, &k, &v), 0);
    assert_int_equal(k, MARK_ABSENT);
    assert_int_equal(grades_parse("disp", 20, &k, &v), 0);
    assert_int_equal(k, MARK_EXEMPT);
    assert_int_equal(grades_parse("nr", 20, &k, &v), 0);
    assert_int_equal(k, MARK_NOT_HANDED_IN);
    assert_int_equal(grades_parse("NN", 20, &k, &v), 0);
    assert_int_equal(k, MARK_NOT_GRADED);
    assert_int_equal(grades_parse("z", 20, &k, &v), 0);
    assert_int_equal(k, MARK_ABSENT_ZERO);
}

static void test_S_GRADES_entry_refuses_out_of_scale_and_garbage(void **state)
{
    (void)state;
    enum mark_kind k;
    int v;
    assert_int_equal(grades_parse("21", 20, &k, &v), -2);
    assert_int_equal(grades_parse("20,01", 20, &k, &v), -2);
    assert_int_equal(grades_parse("11", 10, &k, &v), -2);
    assert_int_equal(grades_parse("99999999999", 20, &k, &v), -2);
    assert_int_equal(grades_parse("-1", 20, &k, &v), -1);
    assert_int_equal(grades_parse("12,345", 20, &k, &v), -1);
    assert_int_equal(grades_parse("12,", 20, &k, &v), -1);
    assert_int_equal(grades_parse("douze", 20, &k, &v), -1);
    assert_int_equal(grades_parse("", 20, &k, &v), -1);
    assert_int_equal(grades_parse("1e3", 20, &k, &v), -1);
}

static void test_S_GRADES_format_marks_in_french(void **state)
{
    (void)state;
    char s[16];
    grades_format(1550, s);
    assert_string_equal(s, "15,5");
    grades_format(1200, s);
    assert_string_equal(s, "12");
    grades_format(725, s);
    assert_string_equal(s, "7,25");
    assert_int_equal(grades_kind_parse("absent_zero"), MARK_ABSENT_ZERO);
    assert_int_equal(grades_kind_parse("nope"), -1);
    assert_string_equal(grades_kind_name(MARK_NOT_HANDED_IN), "not_handed_in");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_S_GRADES_example_A_weighted_mean_across_scales),
        cmocka_unit_test(test_S_GRADES_example_B_special_marks_do_not_count_but_absent_zero_does),
        cmocka_unit_test(test_S_GRADES_example_C_optional_mark_counts_when_it_raises_the_average),
        cmocka_unit_test(test_S_GRADES_example_D_optional_mark_ignored_when_it_would_lower_it),
        cmocka_unit_test(test_S_GRADES_example_E_several_optional_marks_best_first),
        cmocka_unit_test(test_S_GRADES_example_F_bonus_counts_only_points_above_mid_scale),
        cmocka_unit_test(test_S_GRADES_example_G_bonus_alone_gives_no_average),
        cmocka_unit_test(test_S_GRADES_example_H_average_capped_at_20),
        cmocka_unit_test(test_S_GRADES_example_I_decimal_coefficients),
        cmocka_unit_test(test_S_GRADES_example_J_nothing_counts_no_average),
        cmocka_unit_test(test_S_GRADES_example_K_general_average_is_mean_of_subjects),
        cmocka_unit_test(test_S_GRADES_example_L_rounding_half_away_from_zero),
        cmocka_unit_test(test_S_GRADES_class_statistics),
        cmocka_unit_test(test_S_GRADES_entry_reads_numbers_and_codes),
        cmocka_unit_test(test_S_GRADES_entry_refuses_out_of_scale_and_garbage),
        cmocka_unit_test(test_S_GRADES_format_marks_in_french),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
