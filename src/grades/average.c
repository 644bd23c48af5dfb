/* average.c — marks to averages; see docs/grades.md. */
#include "average.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const kind_names[MARK_KIND_COUNT] = {"", "absent", "exempt", "not_handed_in", "not_graded", "absent_zero"};
static const char *const kind_codes[MARK_KIND_COUNT] = {"", "abs", "disp", "nr", "nn", "z"};

const char *grades_kind_name(enum mark_kind k) { return k < MARK_KIND_COUNT ? kind_names[k] : ""; }
const char *grades_kind_code(enum mark_kind k) { return k < MARK_KIND_COUNT ? kind_codes[k] : ""; }

int grades_kind_parse(const char *name)
{
    for (int i = 1; i < MARK_KIND_COUNT; i++)
        if (name && !strcmp(name, kind_names[i])) return i;
    return name && !*name ? MARK_VALUE : -1;
}

bool grade_on_20(const struct grade *g, double *out)
{
    if (g->scale <= 0) return false;
    if (g->kind == MARK_ABSENT_ZERO) {
        *out = 0;
        return true;
    }
    if (g->kind != MARK_VALUE) return false;
    *out = (double)g->value / 100.0 / g->scale * 20.0;
    return true;
}

/* Descending order of the mark on /20, for optional marks. */
struct opt { double n, c; };
static int by_mark_desc(const void *a, const void *b)
{
    double x = ((const struct opt *)a)->n, y = ((const struct opt *)b)->n;
    return x < y ? 1 : x > y ? -1 : 0;
}

bool grades_average(const struct grade *marks, size_t n, double *avg)
{
    double sum = 0, coef = 0, bonus = 0;
    size_t nopt = 0;
    struct opt *opts = n ? malloc(n * sizeof *opts) : NULL;
    if (n && !opts) return false;
    /* 1. Ordinary marks: weighted mean of the marks on /20. */
    for (size_t i = 0; i < n; i++) {
        double v;
        if (!grade_on_20(&marks[i], &v)) continue;
        double c = marks[i].coefficient / 100.0;
        if (marks[i].bonus) bonus += c * (v > 10 ? v - 10 : 0);
        else if (marks[i].optional) opts[nopt++] = (struct opt){v, c};
        else {
            sum += c * v;
            coef += c;
        }
    }
    /* 2. Optional marks, best first, each only while it raises the mean. */
    qsort(opts, nopt, sizeof *opts, by_mark_desc);
    for (size_t i = 0; i < nopt; i++) {
        if (opts[i].c <= 0) continue;
        if (coef > 0 && !(opts[i].n > sum / coef)) break;
        sum += opts[i].c * opts[i].n;
        coef += opts[i].c;
    }
    free(opts);
    if (coef <= 0) return false;
    /* 3. Bonus points above mid-scale, spread over the same coefficients;
     * an average never goes above 20. */
    double a = (sum + bonus) / coef;
    *avg = a > 20 ? 20 : a;
    return true;
}

bool grades_mean(const double *v, size_t n, double *avg)
{
    if (!n) return false;
    double s = 0;
    for (size_t i = 0; i < n; i++) s += v[i];
    *avg = s / (double)n;
    return true;
}

bool grades_stats(const double *v, size_t n, double *min, double *max, double *mean)
{
    if (!n) return false;
    *min = *max = v[0];
    for (size_t i = 1; i < n; i++) {
        if (v[i] < *min) *min = v[i];
        if (v[i] > *max) *max = v[i];
    }
    return grades_mean(v, n, mean);
}

double grades_round2(double x)
{
    /* The small epsilon keeps 12.345 (stored as 12.3449999…) at 12.35. */
    return x < 0 ? -floor(-x * 100 + 0.5 + 1e-9) / 100 : floor(x * 100 + 0.5 + 1e-9) / 100;
}

int grades_parse(const char *text, int scale, enum mark_kind *kind, int *value)
{
    while (*text == ' ') text++;
    char t[16];
    size_t n = strlen(text);
    while (n && text[n - 1] == ' ') n--;
    if (!n || n >= sizeof t) return -1;
    memcpy(t, text, n);
    t[n] = 0;
    static const struct { const char *code; enum mark_kind k; } codes[] = {
        {"abs", MARK_ABSENT}, {"a", MARK_ABSENT}, {"disp", MARK_EXEMPT}, {"d", MARK_EXEMPT},
        {"nr", MARK_NOT_HANDED_IN}, {"nn", MARK_NOT_GRADED}, {"z", MARK_ABSENT_ZERO}, {"abs0", MARK_ABSENT_ZERO}};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (!strcasecmp(t, codes[i].code)) {
            *kind = codes[i].k;
            *value = 0;
            return 0;
        }
    /* Digits, then at most two decimals after ',' or '.'. */
    long whole = 0;
    int frac = 0, fd = 0;
    size_t i = 0;
    if (!isdigit((unsigned char)t[0])) return -1;
    for (; isdigit((unsigned char)t[i]); i++) {
        whole = whole * 10 + (t[i] - '0');
        if (whole > 1000) return -2;
    }
    if (t[i] == ',' || t[i] == '.') {
        i++;
        for (; isdigit((unsigned char)t[i]); i++) {
            if (++fd > 2) return -1;
            frac = frac * 10 + (t[i] - '0');
        }
        if (!fd) return -1;
        if (fd == 1) frac *= 10;
    }
    if (t[i]) return -1;
    long v = whole * 100 + frac;
    if (v > (long)scale * 100) return -2;
    *kind = MARK_VALUE;
    *value = (int)v;
    return 0;
}

void grades_format(int h, char out[16])
{
    if (h % 100 == 0) snprintf(out, 16, "%d", h / 100);
    else if (h % 10 == 0) snprintf(out, 16, "%d,%d", h / 100, (h % 100) / 10);
    else snprintf(out, 16, "%d,%02d", h / 100, h % 100);
}

void grades_format_avg(double avg, char out[16])
{
    int h = (int)lround(grades_round2(avg < 0 ? 0 : avg > 1000 ? 1000 : avg) * 100);
    snprintf(out, 16, "%d,%02d", h / 100, h % 100);
}
