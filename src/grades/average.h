/* average.h — the rules that turn marks into averages (S-GRADES), written
 * out with worked examples in docs/grades.md and tested on hand-computed
 * cases. Pure functions: no store, no clock. */
#ifndef CARNET_GRADES_AVERAGE_H
#define CARNET_GRADES_AVERAGE_H
#include <stdbool.h>
#include <stddef.h>

enum mark_kind {
    MARK_VALUE,          /* a mark out of the assessment's scale */
    MARK_ABSENT,         /* absent: does not count */
    MARK_EXEMPT,         /* dispensé: does not count */
    MARK_NOT_HANDED_IN,  /* non rendu: does not count */
    MARK_NOT_GRADED,     /* non noté: does not count */
    MARK_ABSENT_ZERO,    /* absent, counted as 0 */
    MARK_KIND_COUNT
};

/* One pupil's mark in one assessment. */
struct grade {
    enum mark_kind kind;
    int value;           /* hundredths of a point (15,5 → 1550), for MARK_VALUE */
    int scale;           /* the assessment is marked out of scale (> 0) */
    int coefficient;     /* hundredths (1 → 100, 0,5 → 50) */
    bool bonus;          /* only the points above mid-scale count */
    bool optional;       /* counts only if it raises the average */
};

/* The mark on /20 (unrounded); false when it does not count. */
bool grade_on_20(const struct grade *g, double *out);

/* A pupil's average in a subject over marks[0..n), on /20, unrounded.
 * False when no mark counts (no average). */
bool grades_average(const struct grade *marks, size_t n, double *avg);

/* The general average: the mean of the subject averages given (equal
 * weights); false when n == 0. */
bool grades_mean(const double *v, size_t n, double *avg);

/* Minimum, maximum and mean of v[0..n); false when n == 0. */
bool grades_stats(const double *v, size_t n, double *min, double *max, double *mean);

/* Round half away from zero to two decimals (what the pages show). */
double grades_round2(double x);

/* Read what a teacher typed for a mark out of scale: "15", "15,5", "15.25"
 * (at most two decimals), or a code: "abs"/"a" absent, "disp"/"d" exempt,
 * "nr" not handed in, "nn" not graded, "z"/"abs0" absent counted 0 (any
 * case). Returns 0 and fills kind and value; -1 when unreadable; -2 when
 * the number is above the scale. */
int grades_parse(const char *text, int scale, enum mark_kind *kind, int *value);

/* Stored name of a kind ("absent"…; "" for MARK_VALUE), and back (-1). */
const char *grades_kind_name(enum mark_kind k);
int grades_kind_parse(const char *name);
/* What a teacher types for a kind ("abs"…). */
const char *grades_kind_code(enum mark_kind k);

/* Write a value in hundredths as French decimals ("15,5", "12", "7,25"). */
void grades_format(int hundredths, char out[16]);
/* Write an average with two decimals ("12,46"). */
void grades_format_avg(double avg, char out[16]);

#endif
