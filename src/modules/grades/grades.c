/* grades.c — assessments, whole-class mark entry, pupils' grades and skills,
 * averages with class statistics, JSON. */
#include "grades.h"
#include "../timetable/timetable.h"
#include "../../calendar/calendar.h"
#include "../persons/persons.h"
#include "../notify/notify.h"
#include "../../core/audit.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/limits.h"
#include "../../core/page.h"
#include "../../grades/average.h"
#include "../../policy/policy.h"
#include "../../policy/scope_sql.h"
#include "../../store/store.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GRADES_MAX_SKILLS_PER_ASSESSMENT 6
#define GRADES_MAX_COEFFICIENT 2000      /* hundredths: 20 */

static const char *const components[] = {"D1.1", "D1.2", "D1.3", "D1.4", "D2", "D3", "D4", "D5", NULL};

/* ---- Periods ------------------------------------------------------------ */

struct period_ref {
    int64_t id;
    const char *name, *starts, *ends;
};

/* The periods of the establishment's school year of today. */
static size_t periods_of(struct store *s, struct arena *a, int64_t est, struct period_ref **out)
{
    char today[11];
    clock_today(today);
    struct stmt *st = store_q(s,
        "SELECT p.id, p.name, p.starts_on, p.ends_on FROM period p JOIN school_year y ON y.id = p.school_year_id"
        " WHERE y.establishment_id = $1 AND y.starts_on <= $2 AND y.ends_on >= $2 ORDER BY p.ordinal", "it", est, today);
    size_t n = 0, cap = 0;
    struct period_ref *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(a, v, n, &cap, sizeof *v);
        v[n++] = (struct period_ref){stmt_int(st, 0), arena_strdup(a, stmt_text(st, 1)), arena_strdup(a, stmt_text(st, 2)),
                                     arena_strdup(a, stmt_text(st, 3))};
    }
    stmt_done(st);
    *out = v;
    return n;
}

/* The chosen period if it is one of v, else the one of today, else the
 * last one begun. NULL when there is none. */
static const struct period_ref *period_pick(const struct period_ref *v, size_t n, int64_t chosen)
{
    char today[11];
    clock_today(today);
    const struct period_ref *best = n ? &v[0] : NULL;
    for (size_t i = 0; i < n; i++) {
        if (chosen && v[i].id == chosen) return &v[i];
        if (strcmp(v[i].starts, today) <= 0) best = &v[i];
    }
    return best;
}

static void period_nav(struct req *r, const struct period_ref *v, size_t n, const struct period_ref *cur, const char *base)
{
    if (n < 2) return;
    out(r, "<nav class=\"switcher\" aria-label=\"%h\"><ul>", tr(r, "grades.periods"));
    for (size_t i = 0; i < n; i++)
        out(r, "<li><a href=\"%h?periode=%I\"%R>%h</a></li>", base, v[i].id,
            &v[i] == cur ? " aria-current=\"page\"" : "", v[i].name); /* RAW_OK: literal */
    out(r, "</ul></nav>");
}

/* ---- Marks of a set of assessments, and what they make -------------------- */

struct ainfo {
    int64_t id, subject, teaching;
    const char *subject_name, *teacher, *title, *date;
    int scale, coefficient;
    bool bonus, optional, published;
    int64_t pupils_at, parents_at;   /* R-GRADES: when the pupils, their parents see it; 0 unpublished */
};

struct mrow {
    int64_t assessment, subject, pupil;
    struct grade g;
};

struct book {
    struct ainfo *as;
    size_t nas, cap_as;
    struct mrow *rows;
    size_t nrows, cap_rows;
};

/* Columns: a.id, sb.id, sb.name, teacher first, last, a.title, a.on_date,
 * a.scale, a.coefficient, a.bonus, a.optional, a.published_at, m.pupil_id,
 * m.value, m.special, a.teaching_id, a.pupils_at, a.parents_at — ordered by
 * subject then assessment. */
#define BOOK_COLUMNS                                                                                                \
    "SELECT a.id, sb.id, sb.name, tp.first_name, tp.last_name, a.title, a.on_date, a.scale, a.coefficient, a.bonus," \
    " a.optional, a.published_at, m.pupil_id, m.value, m.special, a.teaching_id, a.pupils_at, a.parents_at FROM "
static void book_load(struct arena *ar, struct book *b, struct stmt *st)
{
    *b = (struct book){0};
    while (st && stmt_step(st) == STORE_ROW) {
        int64_t aid = stmt_int(st, 0);
        if (!b->nas || b->as[b->nas - 1].id != aid) {
            b->as = arena_grow(ar, b->as, b->nas, &b->cap_as, sizeof *b->as);
            b->as[b->nas++] = (struct ainfo){
                .id = aid, .subject = stmt_int(st, 1), .subject_name = arena_strdup(ar, stmt_text(st, 2)),
                .teacher = arena_printf(ar, "%.1s. %s", stmt_text(st, 3), stmt_text(st, 4)),
                .title = arena_strdup(ar, stmt_text(st, 5)), .date = arena_strdup(ar, stmt_text(st, 6)),
                .scale = (int)stmt_int(st, 7), .coefficient = (int)stmt_int(st, 8), .bonus = stmt_int(st, 9) != 0,
                .optional = stmt_int(st, 10) != 0, .published = !stmt_is_null(st, 11), .teaching = stmt_int(st, 15),
                .pupils_at = stmt_int(st, 16), .parents_at = stmt_int(st, 17)};
        }
        if (stmt_is_null(st, 12)) continue; /* an assessment with no mark yet */
        const struct ainfo *ai = &b->as[b->nas - 1];
        int k = stmt_is_null(st, 14) ? MARK_VALUE : grades_kind_parse(stmt_text(st, 14));
        b->rows = arena_grow(ar, b->rows, b->nrows, &b->cap_rows, sizeof *b->rows);
        b->rows[b->nrows++] = (struct mrow){
            .assessment = aid, .subject = ai->subject, .pupil = stmt_int(st, 12),
            .g = {.kind = k < 0 ? MARK_NOT_GRADED : (enum mark_kind)k, .value = (int)stmt_int(st, 13), .scale = ai->scale,
                  .coefficient = ai->coefficient, .bonus = ai->bonus, .optional = ai->optional}};
    }
    stmt_done(st);
}

static const struct mrow *book_mark(const struct book *b, int64_t assessment, int64_t pupil)
{
    for (size_t i = 0; i < b->nrows; i++)
        if (b->rows[i].assessment == assessment && b->rows[i].pupil == pupil) return &b->rows[i];
    return NULL;
}

struct stats {
    bool any;          /* there is something to show */
    bool hidden;       /* there was, but too few marks for this audience (GRADES_STATS_MIN_MARKS) */
    size_t n;          /* how many marks (or pupils' averages) it is made of */
    double min, max, mean;
};

/* What audience may see of st: pupils and parents see a class statistic
 * made of at least GRADES_STATS_MIN_MARKS marks (or averages) — with
 * fewer, their own mark and the class's would give a classmate's away.
 * Staff see every mark of the class anyway. */
static struct stats stats_for(enum grades_audience audience, struct stats st)
{
    if (st.any && audience != AUDIENCE_STAFF && st.n < GRADES_STATS_MIN_MARKS) {
        st.any = false;
        st.hidden = true;
    }
    return st;
}

/* Class statistics of one assessment, on its own scale. */
static struct stats assessment_stats(const struct book *b, const struct ainfo *ai)
{
    struct stats st = {0};
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < b->nrows; i++) {
        const struct mrow *m = &b->rows[i];
        if (m->assessment != ai->id || (m->g.kind != MARK_VALUE && m->g.kind != MARK_ABSENT_ZERO)) continue;
        double v = m->g.kind == MARK_VALUE ? m->g.value / 100.0 : 0;
        if (!n || v < st.min) st.min = v;
        if (!n || v > st.max) st.max = v;
        sum += v;
        n++;
    }
    st.any = n > 0;
    st.n = n;
    st.mean = n ? sum / (double)n : 0;
    return st;
}

struct pavg {
    int64_t pupil;
    double avg;
};

static int by_pupil(const void *x, const void *y)
{
    int64_t a = ((const struct mrow *)x)->pupil, b = ((const struct mrow *)y)->pupil;
    return a < b ? -1 : a > b;
}

/* Every pupil's average in a subject (those who have one). */
static size_t subject_averages(struct arena *ar, const struct book *b, int64_t subject, struct pavg **out)
{
    size_t n = 0;
    for (size_t i = 0; i < b->nrows; i++) n += b->rows[i].subject == subject;
    struct mrow *v = arena_alloc(ar, (n + 1) * sizeof *v);
    struct grade *g = arena_alloc(ar, (n + 1) * sizeof *g);
    struct pavg *res = arena_alloc(ar, (n + 1) * sizeof *res);
    size_t k = 0, nres = 0;
    for (size_t i = 0; i < b->nrows; i++)
        if (b->rows[i].subject == subject) v[k++] = b->rows[i];
    qsort(v, n, sizeof *v, by_pupil);
    for (size_t i = 0; i < n;) {
        size_t j = i, ng = 0;
        while (j < n && v[j].pupil == v[i].pupil) g[ng++] = v[j++].g;
        double a;
        if (grades_average(g, ng, &a)) res[nres++] = (struct pavg){v[i].pupil, a};
        i = j;
    }
    *out = res;
    return nres;
}

static struct stats stats_of(const struct pavg *v, size_t n)
{
    struct stats st = {0};
    double *x = malloc((n + 1) * sizeof *x);
    if (!x) return st;
    for (size_t i = 0; i < n; i++) x[i] = v[i].avg;
    st.any = grades_stats(x, n, &st.min, &st.max, &st.mean);
    st.n = n;
    free(x);
    return st;
}

static bool avg_of(const struct pavg *v, size_t n, int64_t pupil, double *avg)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].pupil == pupil) {
            *avg = v[i].avg;
            return true;
        }
    return false;
}

/* One subject of a pupil's report: their average and the class's. */
struct subject_line {
    int64_t subject;
    const char *name, *teacher;
    bool has;
    double avg;
    struct stats cls;
};

/* Every pupil's general average (mean of their subject averages). */
struct general {
    struct pavg *v;
    size_t n;
};

/* Subjects of the book in order, with pupil's averages and class stats;
 * also every pupil's general average. */
static size_t book_subjects(struct arena *ar, const struct book *b, int64_t pupil, struct subject_line **out, struct general *gen)
{
    size_t n = 0, cap = 0;
    struct subject_line *v = NULL;
    /* Sums of subject averages per pupil. */
    size_t gcap = 0;
    struct gacc { int64_t pupil; double sum; size_t n; } *acc = NULL;
    size_t nacc = 0;
    for (size_t i = 0; i < b->nas; i++) {
        if (n && v[n - 1].subject == b->as[i].subject) continue;
        v = arena_grow(ar, v, n, &cap, sizeof *v);
        struct subject_line *sl = &v[n++];
        *sl = (struct subject_line){.subject = b->as[i].subject, .name = b->as[i].subject_name, .teacher = b->as[i].teacher};
        struct pavg *pa;
        size_t np = subject_averages(ar, b, sl->subject, &pa);
        sl->has = avg_of(pa, np, pupil, &sl->avg);
        sl->cls = stats_of(pa, np);
        for (size_t k = 0; k < np; k++) {
            size_t j = 0;
            while (j < nacc && acc[j].pupil != pa[k].pupil) j++;
            if (j == nacc) {
                acc = arena_grow(ar, acc, nacc, &gcap, sizeof *acc);
                acc[nacc++] = (struct gacc){pa[k].pupil, 0, 0};
            }
            acc[j].sum += pa[k].avg;
            acc[j].n++;
        }
    }
    gen->v = arena_alloc(ar, (nacc + 1) * sizeof *gen->v);
    gen->n = nacc;
    for (size_t j = 0; j < nacc; j++) gen->v[j] = (struct pavg){acc[j].pupil, acc[j].sum / (double)acc[j].n};
    *out = v;
    return n;
}

static const char *fmt_avg(struct req *r, double v)
{
    char s[16];
    grades_format_avg(v, s);
    return arena_strdup(&r->arena, s);
}

static const char *fmt_mark(struct req *r, int hundredths)
{
    char s[16];
    grades_format(hundredths, s);
    return arena_strdup(&r->arena, s);
}

static const char *fmt_stats(struct req *r, const struct stats *st, bool on_scale)
{
    if (!st->any) return "";
    char a[16], b[16], c[16];
    if (on_scale) {
        grades_format((int)(st->mean * 100 + 0.5), a);
        grades_format((int)(st->min * 100 + 0.5), b);
        grades_format((int)(st->max * 100 + 0.5), c);
    } else {
        grades_format_avg(st->mean, a);
        grades_format_avg(st->min, b);
        grades_format_avg(st->max, c);
    }
    return arena_printf(&r->arena, "%s %s · %s %s · %s %s", tr(r, "grades.class_avg"), a, tr(r, "grades.min"), b,
                        tr(r, "grades.max"), c);
}

/* A class statistic's line for a family: the statistics, or why they are
 * not shown ("" when there is nothing at all). */
static const char *stats_line(struct req *r, const struct stats *st, bool on_scale)
{
    if (!st->hidden) return fmt_stats(r, st, on_scale);
    const char *min = arena_printf(&r->arena, "%d", GRADES_STATS_MIN_MARKS);
    return tr_fmt(r, "grades.stats_min_marks", min, NULL);
}

/* What a mark shows: "15,5/20", or the special mark's name. */
static const char *mark_text(struct req *r, const struct grade *g)
{
    if (g->kind == MARK_VALUE) return arena_printf(&r->arena, "%s/%d", fmt_mark(r, g->value), g->scale);
    return tr(r, arena_printf(&r->arena, "mark.%s", grades_kind_name(g->kind)));
}

static const char *coef_text(struct req *r, int coef) { return fmt_mark(r, coef); }

/* ---- Family view: a pupil's grades and skills ----------------------------- */

/* R-GRADES: a pupil's marks and their class's, as audience `seen` sees
 * them at $5 — every mark of the class statistics and averages too. */
#define PUPIL_BOOK_SQL(scope, seen)                                                                                 \
    BOOK_COLUMNS scope                                                                                              \
    " JOIN teaching t ON t.id = x.teaching JOIN subject sb ON sb.id = t.subject_id JOIN person tp ON tp.id = t.teacher_id" \
    " JOIN assessment a ON a.teaching_id = x.teaching AND a.period_id = $4 AND a.scale > 0"                          \
    " AND a.published_at IS NOT NULL JOIN mark m ON m.assessment_id = a.id AND " seen                                \
    " ORDER BY sb.name, sb.id, a.on_date, a.id"

static const char *const q_pupil_book[] = {
    [AUDIENCE_STAFF] = PUPIL_BOOK_SQL(SQL_PUPIL_TEACHINGS, "a.published_at <= $5"),
    [AUDIENCE_PUPIL] = PUPIL_BOOK_SQL(SQL_PUPIL_TEACHINGS, "m.visible_at <= $5"),
    [AUDIENCE_PARENTS] = PUPIL_BOOK_SQL(SQL_PUPIL_TEACHINGS, "m.parents_at <= $5"),
};

static int64_t pupil_establishment(struct store *s, int64_t pupil)
{
    char today[11];
    clock_today(today);
    int64_t est = 0;
    store_int(s, &est,
              "SELECT c.establishment_id FROM enrolment en JOIN class c ON c.id = en.class_id WHERE en.pupil_id = $1"
              " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2) ORDER BY en.starts_on DESC", "it", pupil,
              today);
    return est;
}

struct skill_row {
    const char *component, *label, *subject, *date;
    int level;
};

/* R-GRADES: skill results reach each audience with their assessment. */
#define PUPIL_SKILLS_SQL(seen)                                                                                      \
    "SELECT sk.component, sk.label, sr.level, a.on_date, sb.name FROM skill_result sr"                              \
    " JOIN assessment a ON a.id = sr.assessment_id JOIN skill sk ON sk.id = sr.skill_id"                            \
    " JOIN teaching t ON t.id = a.teaching_id JOIN subject sb ON sb.id = t.subject_id"                              \
    " WHERE sr.pupil_id = $1 AND a.period_id = $2 AND " seen " ORDER BY sk.component, a.on_date DESC, a.id DESC"

static const char *const q_pupil_skills[] = {
    [AUDIENCE_STAFF] = PUPIL_SKILLS_SQL("a.published_at <= $3"),
    [AUDIENCE_PUPIL] = PUPIL_SKILLS_SQL("a.pupils_at <= $3"),
    [AUDIENCE_PARENTS] = PUPIL_SKILLS_SQL("a.parents_at <= $3"),
};

static size_t pupil_skills(struct req *r, enum grades_audience who, int64_t pupil, int64_t period, struct skill_row **out)
{
    struct stmt *st = store_q(store_thread(), q_pupil_skills[who], "iii", pupil, period, clock_now());
    size_t n = 0, cap = 0;
    struct skill_row *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n++] = (struct skill_row){arena_strdup(&r->arena, stmt_text(st, 0)), arena_strdup(&r->arena, stmt_text(st, 1)),
                                    arena_strdup(&r->arena, stmt_text(st, 4)), arena_strdup(&r->arena, stmt_text(st, 3)),
                                    (int)stmt_int(st, 2)};
    }
    stmt_done(st);
    *out = v;
    return n;
}

/* The report of one pupil for one period, as the actor's audience sees it
 * now (R-GRADES): loads everything once. */
struct report {
    enum grades_audience audience;
    struct period_ref *periods;
    size_t nperiods;
    const struct period_ref *period;
    struct book book;
    struct subject_line *subjects;
    size_t nsubjects;
    struct general gen;
    bool has_general;
    double general;
    struct stats general_cls;
    struct skill_row *skills;
    size_t nskills;
};

static void report_load(struct req *r, int64_t pupil, int64_t chosen, struct report *rep)
{
    struct store *s = store_thread();
    *rep = (struct report){.audience = policy_grades_audience(r->actor, pupil)};
    rep->nperiods = periods_of(s, &r->arena, pupil_establishment(s, pupil), &rep->periods);
    rep->period = period_pick(rep->periods, rep->nperiods, chosen);
    if (!rep->period) return;
    const char *q = q_pupil_book[rep->audience];
    book_load(&r->arena, &rep->book,
              store_q(s, q, "ittii", pupil, rep->period->starts, rep->period->ends, rep->period->id, clock_now()));
    /* In the first days of a period with nothing published yet, families
     * see the period just ended (its report) unless they chose one. */
    if (!chosen && !rep->book.nrows && rep->period > rep->periods) {
        rep->period--;
        book_load(&r->arena, &rep->book,
                  store_q(s, q, "ittii", pupil, rep->period->starts, rep->period->ends, rep->period->id, clock_now()));
    }
    rep->nsubjects = book_subjects(&r->arena, &rep->book, pupil, &rep->subjects, &rep->gen);
    for (size_t i = 0; i < rep->nsubjects; i++)
        rep->subjects[i].cls = stats_for(rep->audience, rep->subjects[i].cls);
    rep->has_general = avg_of(rep->gen.v, rep->gen.n, pupil, &rep->general);
    rep->general_cls = stats_for(rep->audience, stats_of(rep->gen.v, rep->gen.n));
    rep->nskills = pupil_skills(r, rep->audience, pupil, rep->period->id, &rep->skills);
}

static void skills_part(struct req *r, const struct report *rep)
{
    out(r, "<section class=\"card\"><h2>%h</h2>", tr(r, "grades.skills"));
    if (!rep->nskills) out(r, "<p class=\"meta\">%h</p>", tr(r, "grades.no_skills"));
    for (const char *const *c = components; *c; c++) {
        int sum = 0, n = 0;
        for (size_t i = 0; i < rep->nskills; i++)
            if (!strcmp(rep->skills[i].component, *c)) {
                sum += rep->skills[i].level;
                n++;
            }
        if (!n) continue;
        int level = (sum * 2 + n) / (2 * n); /* the mean level, rounded */
        out(r, "<h3>%h <span class=\"badge lvl lvl-%d\">%h</span></h3><ul class=\"plain skills\">",
            tr(r, arena_printf(&r->arena, "socle.%s", *c)), level, tr(r, arena_printf(&r->arena, "skill.level.%d", level)));
        int shown = 0;
        for (size_t i = 0; i < rep->nskills && shown < 4; i++) {
            const struct skill_row *k = &rep->skills[i];
            if (strcmp(k->component, *c)) continue;
            shown++;
            out(r, "<li><span class=\"badge lvl lvl-%d\">%h</span> %h <span class=\"meta\">— %h, %h</span></li>", k->level,
                tr(r, arena_printf(&r->arena, "skill.short.%d", k->level)), k->label, k->subject,
                page_date(r, clock_local_noon(k->date)));
        }
        out(r, "</ul>");
    }
    out(r, "</section>");
}

/* R-GRADES, told to parents: they see each mark the establishment's delay
 * after their child. */
static void parents_delay_note(struct req *r, int64_t pupil)
{
    struct store *s = store_thread();
    int days = diffusion_load(s, &r->arena, pupil_establishment(s, pupil))->parents_delay;
    if (!days) return;
    const char *n = days == 1 ? tr(r, "grades.one_day") : tr_fmt(r, "grades.n_days", arena_printf(&r->arena, "%d", days), NULL);
    out(r, "<p class=\"meta\">%h</p>", tr_fmt(r, "grades.parents_delay_note", n, NULL));
}

static void pupil_page(struct req *r, int64_t pupil)
{
    struct report rep;
    report_load(r, pupil, param_int(r, "periode"), &rep);
    bool own = pupil == r->actor->person_id;
    const char *name = persons_name(r, pupil);
    page_begin(r, tr(r, "grades.title"));
    out(r, "<h1>%h</h1>", own ? tr(r, "grades.title") : tr_fmt(r, "grades.title_of", name, NULL));
    const char *base = arena_printf(&r->arena, "/notes/eleves/%lld", (long long)pupil);
    period_nav(r, rep.periods, rep.nperiods, rep.period, base);
    if (rep.audience == AUDIENCE_PARENTS) parents_delay_note(r, pupil);
    if (!rep.period) {
        out(r, "<p class=\"card\">%h</p>", tr(r, "grades.no_period"));
        page_end(r);
        return;
    }
    out(r, "<section class=\"card general\"><h2>%h</h2>", tr_fmt(r, "grades.general_of", rep.period->name, NULL));
    if (rep.has_general)
        out(r, "<p class=\"avg\"><strong>%h</strong> <span class=\"meta\">/ 20</span></p><p class=\"meta\">%h</p>",
            fmt_avg(r, rep.general), stats_line(r, &rep.general_cls, false));
    else
        out(r, "<p class=\"meta\">%h</p>", tr(r, "grades.no_average"));
    out(r, "<p class=\"meta\"><a href=\"/aide/moyennes\">%h</a></p></section>", tr(r, "grades.how_computed"));
    if (!rep.nsubjects) out(r, "<p class=\"card\">%h</p>", tr(r, "grades.no_marks"));
    for (size_t i = 0; i < rep.nsubjects; i++) {
        const struct subject_line *sl = &rep.subjects[i];
        out(r, "<section class=\"card subject\"><h2>%h <span class=\"meta\">%h</span></h2>", sl->name, sl->teacher);
        if (sl->has)
            out(r, "<p class=\"avg\">%h <strong>%h</strong></p>", tr(r, "grades.average"), fmt_avg(r, sl->avg));
        else
            out(r, "<p class=\"avg\">%h <strong>—</strong></p>", tr(r, "grades.average"));
        if (sl->cls.any || sl->cls.hidden)
            out(r, "<p class=\"meta\">%h</p>", stats_line(r, &sl->cls, false));
        bool some_hidden = false; /* an assessment's statistics not shown while the subject's are */
        out(r, "<table class=\"list marks\"><caption class=\"sr\">%h</caption><thead><tr><th scope=\"col\">%h</th>"
               "<th scope=\"col\">%h</th><th scope=\"col\">%h</th></tr></thead><tbody>",
            tr_fmt(r, "grades.marks_in", sl->name, NULL), tr(r, "grades.assessment"), tr(r, "grades.mark"), tr(r, "grades.class"));
        for (size_t k = 0; k < rep.book.nas; k++) {
            const struct ainfo *ai = &rep.book.as[k];
            if (ai->subject != sl->subject) continue;
            const struct mrow *m = book_mark(&rep.book, ai->id, pupil);
            if (!m) continue;
            struct stats st = stats_for(rep.audience, assessment_stats(&rep.book, ai));
            some_hidden |= st.hidden && !sl->cls.hidden;
            out(r, "<tr><td>%h<br><span class=\"meta\">%h", ai->title, page_date(r, clock_local_noon(ai->date)));
            if (ai->coefficient != 100) out(r, " · %h", tr_fmt(r, "grades.coef", coef_text(r, ai->coefficient), NULL));
            out(r, "</span>");
            if (ai->bonus) out(r, " <span class=\"badge\">%h</span>", tr(r, "grades.bonus"));
            if (ai->optional) out(r, " <span class=\"badge\">%h</span>", tr(r, "grades.optional"));
            out(r, "</td><td class=\"mark%R\"><strong>%h</strong></td><td class=\"meta\">", /* RAW_OK: literal */
                m->g.kind == MARK_VALUE ? "" : " special", mark_text(r, &m->g));
            if (st.any) out(r, "%h", fmt_mark(r, (int)(st.mean * 100 + 0.5)));
            else if (st.hidden) out(r, "—");
            out(r, "</td></tr>");
        }
        out(r, "</tbody></table>");
        if (some_hidden) {
            const struct stats hidden = {.hidden = true};
            out(r, "<p class=\"meta\">%h</p>", stats_line(r, &hidden, false));
        }
        out(r, "</section>");
    }
    skills_part(r, &rep);
    page_end(r);
}

static void my_grades(struct req *r)
{
    const struct actor *a = r->actor;
    if (policy_has(a, PROFILE_PUPIL)) {
        pupil_page(r, a->person_id);
        return;
    }
    if (policy_has(a, PROFILE_PARENT) && a->nchildren) {
        reply_redirect(r, arena_printf(&r->arena, "/notes/eleves/%lld", (long long)a->children[0]));
        return;
    }
    if (policy_has(a, PROFILE_TEACHER)) {
        reply_redirect(r, "/notes/enseignements");
        return;
    }
    reply_error(r, 404, tr(r, "grades.err.no_pupil"));
}

static void child_grades(struct req *r)
{
    int64_t id = param_int(r, "id");
    pupil_page(r, id);
}

/* School-life staff and heads: a class, then a pupil's grades and skills. */
static void classes_page(struct req *r)
{
    persons_pupil_index(r, "/notes", tr(r, "grades.classes_title"), 0, NULL);
}

static void class_pupils_page(struct req *r)
{
    persons_pupil_index(r, "/notes", tr(r, "grades.classes_title"), param_int(r, "id"), NULL);
}

/* ---- Teacher: the enseignements, a grade book, a new assessment ----------- */

static void teachings_page(struct req *r)
{
    struct store *s = store_thread();
    page_begin(r, tr(r, "grades.my_teachings"));
    out(r, "<h1>%h</h1><ul class=\"plain editable\">", tr(r, "grades.my_teachings"));
    char today[11];
    clock_today(today);
    struct stmt *st = store_q(s,
        "SELECT t.id, sb.name, coalesce(c.name, g.name), (SELECT count(*) FROM assessment a WHERE a.teaching_id = t.id),"
        " (SELECT count(*) FROM assessment a WHERE a.teaching_id = t.id AND a.published_at IS NULL)"
        " FROM teaching t JOIN subject sb ON sb.id = t.subject_id LEFT JOIN class c ON c.id = t.class_id"
        " LEFT JOIN grp g ON g.id = t.grp_id JOIN role r ON r.person_id = t.teacher_id AND r.establishment_id = t.establishment_id"
        " AND r.profile = 'teacher' AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2)"
        " WHERE t.teacher_id = $1 AND (t.ends_on IS NULL OR t.ends_on >= $2)"
        " ORDER BY coalesce(c.name, g.name), sb.name", "it", r->actor->person_id, today);
    int n = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        n++;
        out(r, "<li><p><a href=\"/notes/enseignements/%I\"><strong>%h</strong> — %h</a></p><p class=\"meta\">%h",
            stmt_int(st, 0), stmt_text(st, 2), stmt_text(st, 1),
            tr_fmt(r, "grades.n_assessments", arena_printf(&r->arena, "%lld", (long long)stmt_int(st, 3)), NULL));
        if (stmt_int(st, 4))
            out(r, " · %h", tr_fmt(r, "grades.n_drafts", arena_printf(&r->arena, "%lld", (long long)stmt_int(st, 4)), NULL));
        out(r, "</p></li>");
    }
    stmt_done(st);
    out(r, "</ul>");
    if (!n) out(r, "<p class=\"card\">%h</p>", tr(r, "portal.no_teaching"));
    page_end(r);
}

static bool teaching_or_deny(struct req *r, int action, int64_t id, struct teaching_info *t)
{
    if (!timetable_teaching(store_thread(), &r->arena, id, t)) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return false;
    }
    if (!policy_may(store_thread(), r->actor, action, OBJECT(OBJ_TEACHING, id))) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return false;
    }
    return true;
}

/* For the teacher: when the pupils and the parents see a published
 * assessment ("Visible par les élèves lundi 16 mars à 07:00, par les
 * parents mardi 17 mars à 07:00"). */
static const char *visibility_text(struct req *r, const struct diffusion *d, const struct ainfo *ai, int64_t now)
{
    if (ai->parents_at <= now) return tr(r, "grades.visible_all");
    if (ai->pupils_at <= now) return tr_fmt(r, "grades.visible_parents_at", page_moment(r, ai->parents_at, d->tz), NULL);
    if (ai->pupils_at == ai->parents_at) return tr_fmt(r, "grades.visible_all_at", page_moment(r, ai->pupils_at, d->tz), NULL);
    return tr_fmt(r, "grades.visible_at", page_moment(r, ai->pupils_at, d->tz), page_moment(r, ai->parents_at, d->tz));
}

#define TEACHING_BOOK_SQL                                                                                           \
    BOOK_COLUMNS "assessment a"                                                                                     \
    " JOIN teaching t ON t.id = a.teaching_id JOIN subject sb ON sb.id = t.subject_id JOIN person tp ON tp.id = t.teacher_id" \
    " LEFT JOIN mark m ON m.assessment_id = a.id WHERE a.teaching_id = $1 AND a.period_id = $2"                     \
    " ORDER BY a.on_date, a.id"

/* The fields of an assessment, for the new one and for a correction. */
static void assessment_fields(struct req *r, const char *title, const char *date, const char *handed_back, int scale,
                              int coefficient, const char *kind)
{
    char coef[16];
    grades_format(coefficient, coef);
    out(r, "<label for=\"title\">%h</label><input id=\"title\" name=\"title\" required maxlength=\"120\" value=\"%h\">"
           "<label for=\"on_date\">%h</label><input id=\"on_date\" name=\"on_date\" type=\"date\" required value=\"%h\">"
           "<label for=\"scale\">%h</label><input id=\"scale\" name=\"scale\" type=\"number\" min=\"0\" max=\"100\" value=\"%d\" "
           "aria-describedby=\"scale-help\"><p class=\"help\" id=\"scale-help\">%h</p>"
           "<label for=\"coefficient\">%h</label><input id=\"coefficient\" name=\"coefficient\" inputmode=\"decimal\" value=\"%h\" "
           "maxlength=\"5\"><fieldset><legend>%h</legend>",
        tr(r, "grades.f_title"), title, tr(r, "grades.f_date"), date, tr(r, "grades.f_scale"), scale, tr(r, "grades.f_scale_help"),
        tr(r, "grades.f_coefficient"), coef, tr(r, "grades.f_kind"));
    static const char *const kinds_shown[] = {"normal", "bonus", "optional"};
    for (int i = 0; i < 3; i++)
        out(r, "<label class=\"check\"><input type=\"radio\" name=\"kind\" value=\"%h\"%R> %h</label>", kinds_shown[i],
            !strcmp(kind, kinds_shown[i]) ? " checked" : "", /* RAW_OK: literal */
            tr(r, arena_printf(&r->arena, "grades.kind_%s", kinds_shown[i])));
    out(r, "</fieldset><label for=\"handed_back_on\">%h</label><input id=\"handed_back_on\" name=\"handed_back_on\" type=\"date\" "
           "value=\"%h\" aria-describedby=\"handed-back-help\"><p class=\"help\" id=\"handed-back-help\">%h</p>",
        tr(r, "grades.f_handed_back"), handed_back, tr(r, "grades.f_handed_back_help"));
}

static void skills_checkboxes(struct req *r, int64_t est)
{
    struct stmt *st = store_q(store_thread(), "SELECT id, component, label FROM skill WHERE establishment_id = $1"
                                              " ORDER BY component, label", "i", est);
    const char *comp = NULL;
    int n = 0;
    out(r, "<details><summary>%h</summary>", tr(r, "grades.skills_evaluated"));
    while (st && stmt_step(st) == STORE_ROW) {
        if (!comp || strcmp(comp, stmt_text(st, 1))) {
            if (comp) out(r, "</fieldset>");
            comp = arena_strdup(&r->arena, stmt_text(st, 1));
            out(r, "<fieldset><legend>%h</legend>", tr(r, arena_printf(&r->arena, "socle.%s", comp)));
        }
        n++;
        out(r, "<label class=\"check\"><input type=\"checkbox\" name=\"skill_%I\" value=\"1\"> %h</label>", stmt_int(st, 0),
            stmt_text(st, 2));
    }
    stmt_done(st);
    if (comp) out(r, "</fieldset>");
    if (!n) out(r, "<p class=\"meta\">%h</p>", tr(r, "grades.no_referential"));
    out(r, "</details>");
}

static void book_page_render(struct req *r, const char *error)
{
    struct store *s = store_thread();
    struct teaching_info t;
    int64_t id = param_int(r, "id");
    if (!teaching_or_deny(r, ACT_GRADES_WRITE, id, &t)) return;
    struct period_ref *periods;
    size_t np = periods_of(s, &r->arena, t.establishment_id, &periods);
    const struct period_ref *cur = period_pick(periods, np, param_int(r, "periode"));
    const char *base = arena_printf(&r->arena, "/notes/enseignements/%lld", (long long)id);
    page_begin(r, tr(r, "grades.book"));
    out(r, "<h1>%h</h1><p class=\"lead\">%h — %h</p>", tr(r, "grades.book"), t.group_name, t.subject);
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    period_nav(r, periods, np, cur, base);
    if (!cur) {
        out(r, "<p class=\"card\">%h</p>", tr(r, "grades.no_period"));
        page_end(r);
        return;
    }
    struct book b;
    book_load(&r->arena, &b, store_q(s, TEACHING_BOOK_SQL, "ii", id, cur->id));
    const struct diffusion *d = diffusion_load(s, &r->arena, t.establishment_id);
    int64_t now = clock_now();
    out(r, "<section class=\"card\"><h2>%h</h2>", tr_fmt(r, "grades.assessments_of", cur->name, NULL));
    if (!b.nas) out(r, "<p class=\"meta\">%h</p>", tr(r, "grades.no_assessment"));
    else out(r, "<ul class=\"plain editable\">");
    for (size_t i = 0; i < b.nas; i++) {
        const struct ainfo *ai = &b.as[i];
        struct stats st = assessment_stats(&b, ai);
        out(r, "<li><p><a href=\"/notes/evaluations/%I\"><strong>%h</strong></a> <span class=\"meta\">%h", ai->id, ai->title,
            page_date(r, clock_local_noon(ai->date)));
        if (ai->scale) out(r, " · /%d", ai->scale);
        out(r, " · %h</span>", tr_fmt(r, "grades.coef", coef_text(r, ai->coefficient), NULL));
        if (!ai->published) out(r, " <span class=\"badge change\">%h</span>", tr(r, "grades.draft"));
        if (ai->bonus) out(r, " <span class=\"badge\">%h</span>", tr(r, "grades.bonus"));
        if (ai->optional) out(r, " <span class=\"badge\">%h</span>", tr(r, "grades.optional"));
        out(r, "</p>");
        if (ai->published) out(r, "<p class=\"meta visibility\">%h</p>", visibility_text(r, d, ai, now));
        if (st.any) out(r, "<p class=\"meta\">%h</p>", fmt_stats(r, &st, true));
        out(r, "</li>");
    }
    if (b.nas) out(r, "</ul>");
    out(r, "</section>");

    /* Averages of the class in this enseignement (drafts included: the
     * teacher's own view). */
    struct pupil_ref *pupils;
    char today[11];
    clock_today(today);
    size_t npupils = timetable_teaching_pupils(s, &r->arena, &t, today, &pupils);
    struct pavg *pa;
    size_t npa = b.nas ? subject_averages(&r->arena, &b, b.as[0].subject, &pa) : 0;
    if (npupils && b.nas) {
        struct stats cls = stats_of(pa, npa);
        out(r, "<section class=\"card\"><h2>%h</h2><p class=\"meta\">%h</p><table class=\"list\"><caption class=\"sr\">%h</caption>"
               "<thead><tr><th scope=\"col\">%h</th><th scope=\"col\">%h</th></tr></thead><tbody>",
            tr(r, "grades.class_averages"), fmt_stats(r, &cls, false), tr(r, "grades.class_averages"), tr(r, "grades.pupil"),
            tr(r, "grades.average"));
        for (size_t i = 0; i < npupils; i++) {
            double a;
            bool has = avg_of(pa, npa, pupils[i].id, &a);
            out(r, "<tr><td>%h %h</td><td>%h</td></tr>", pupils[i].last_name, pupils[i].first_name, has ? fmt_avg(r, a) : "—");
        }
        out(r, "</tbody></table><p class=\"meta\">%h</p></section>", tr(r, "grades.drafts_counted"));
    }

    char def_date[11];
    clock_today(def_date);
    out(r, "<section class=\"card\"><h2>%h</h2><form method=\"post\" action=\"%h/evaluations\" class=\"stack\">",
        tr(r, "grades.new_assessment"), base);
    page_csrf_input(r);
    assessment_fields(r, "", def_date, "", 20, 100, "normal");
    skills_checkboxes(r, t.establishment_id);
    out(r, "<button type=\"submit\" class=\"primary\">%h</button></form></section>", tr(r, "grades.create"));
    page_end(r);
}

static void book_page(struct req *r) { book_page_render(r, NULL); }

/* A coefficient typed as "1", "0,5", "2.25": hundredths, or -1. */
static int parse_coefficient(const char *text)
{
    enum mark_kind k;
    int v;
    if (!text) return 100;
    if (grades_parse(text, GRADES_MAX_COEFFICIENT / 100, &k, &v) < 0 || k != MARK_VALUE) return -1;
    return v;
}

struct new_assessment {
    int64_t teaching, period;
    const char *title, *on_date;
    const char *handed_back_on;      /* R-GRADES: copies handed back on; NULL when not said */
    int scale, coefficient;
    bool bonus, optional;
    int64_t skills[GRADES_MAX_SKILLS_PER_ASSESSMENT];
    size_t nskills;
};

/* Check a new assessment; NULL when fine, else what is wrong. */
static const char *assessment_check(struct req *r, const struct teaching_info *t, struct new_assessment *na, size_t existing_skills)
{
    struct store *s = store_thread();
    na->teaching = t->id;
    na->title = param(r, "title");
    na->on_date = param(r, "on_date");
    na->scale = (int)param_int(r, "scale");
    if (!param(r, "scale")) na->scale = 20;
    na->coefficient = parse_coefficient(param(r, "coefficient"));
    const char *kind = param(r, "kind") ? param(r, "kind") : "normal";
    na->bonus = !strcmp(kind, "bonus");
    na->optional = !strcmp(kind, "optional");
    if (!calendar_valid_date(na->on_date)) return tr_fmt(r, "err.param.invalid", tr(r, "grades.f_date"), NULL);
    na->handed_back_on = param(r, "handed_back_on");
    if (na->handed_back_on && !*na->handed_back_on) na->handed_back_on = NULL;
    if (na->handed_back_on && !calendar_valid_date(na->handed_back_on)) return tr(r, "grades.err.handed_back");
    if (na->handed_back_on && strcmp(na->handed_back_on, na->on_date) < 0) return tr(r, "grades.err.handed_back_before");
    if (na->coefficient < 0) return tr(r, "grades.err.coefficient");
    struct period_ref *periods;
    size_t np = periods_of(s, &r->arena, t->establishment_id, &periods);
    na->period = 0;
    for (size_t i = 0; i < np; i++)
        if (strcmp(na->on_date, periods[i].starts) >= 0 && strcmp(na->on_date, periods[i].ends) <= 0) na->period = periods[i].id;
    if (!na->period) return tr(r, "grades.err.date_outside_year");
    const struct kv *sk;
    size_t nsk = param_prefixed(r, "skill_", &sk);
    na->nskills = 0;
    for (size_t i = 0; i < nsk; i++) {
        if (strcmp(sk[i].value, "1")) continue;
        int64_t skill = strtoll(sk[i].name + 6, NULL, 10), n = 0;
        store_int(s, &n, "SELECT count(*) FROM skill WHERE id = $1 AND establishment_id = $2", "ii", skill, t->establishment_id);
        if (!n) return tr(r, "grades.err.skill");
        if (na->nskills == GRADES_MAX_SKILLS_PER_ASSESSMENT) return tr(r, "grades.err.too_many_skills");
        na->skills[na->nskills++] = skill;
    }
    if (!na->scale && !na->nskills && !existing_skills) return tr(r, "grades.err.nothing_evaluated");
    if (!na->scale && (na->bonus || na->optional)) return tr(r, "grades.err.kind_needs_marks");
    return NULL;
}

static int64_t assessment_insert(struct req *r, const struct new_assessment *na)
{
    struct store *s = store_thread();
    int64_t now = clock_now(), id = 0;
    if (store_begin(s) < 0) return 0;
    if (store_int(s, &id,
                  "INSERT INTO assessment (teaching_id, period_id, title, on_date, scale, coefficient, bonus, optional, author_id,"
                  " created_at, updated_at, handed_back_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) RETURNING id",
                  "iittiiiiiit", na->teaching, na->period, na->title, na->on_date, (int64_t)na->scale, (int64_t)na->coefficient,
                  (int64_t)na->bonus, (int64_t)na->optional, r->actor->person_id, now, na->handed_back_on) != 1)
        goto fail;
    for (size_t i = 0; i < na->nskills; i++)
        if (store_run(s, "INSERT INTO assessment_skill (assessment_id, skill_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", "ii", id,
                      na->skills[i]) < 0)
            goto fail;
    if (store_commit(s) < 0) goto fail;
    audit(s, r, 0, "assessment.created", arena_printf(&r->arena, "assessment:%lld", (long long)id), na->title);
    return id;
fail:
    store_rollback(s);
    return 0;
}

static void assessment_create(struct req *r)
{
    struct teaching_info t;
    if (!teaching_or_deny(r, ACT_GRADES_WRITE, param_int(r, "id"), &t)) return;
    struct new_assessment na = {0};
    const char *problem = assessment_check(r, &t, &na, 0);
    if (problem) {
        if (r->api) {
            reply_error(r, 400, problem);
            return;
        }
        r->status = 400;
        book_page_render(r, problem);
        return;
    }
    int64_t id = assessment_insert(r, &na);
    if (!id) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    if (r->api) reply_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
    else reply_redirect(r, arena_printf(&r->arena, "/notes/evaluations/%lld", (long long)id));
}

/* ---- Whole-class mark entry ---------------------------------------------- */

struct assessment_full {
    struct ainfo ai;
    int64_t period, published_at;
    const char *handed_back_on;      /* "YYYY-MM-DD", or "" */
    struct teaching_info t;
    struct { int64_t id; const char *label, *component; } skills[GRADES_MAX_SKILLS_PER_ASSESSMENT];
    size_t nskills;
};

static bool assessment_or_deny(struct req *r, struct assessment_full *af)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id");
    struct stmt *st = store_q(s, "SELECT teaching_id, period_id, title, on_date, scale, coefficient, bonus, optional, published_at,"
                                 " pupils_at, parents_at, coalesce(handed_back_on, '') FROM assessment WHERE id = $1", "i", id);
    bool found = st && stmt_step(st) == STORE_ROW;
    if (found) {
        af->ai = (struct ainfo){.id = id, .teaching = stmt_int(st, 0), .title = arena_strdup(&r->arena, stmt_text(st, 2)),
                                .date = arena_strdup(&r->arena, stmt_text(st, 3)), .scale = (int)stmt_int(st, 4),
                                .coefficient = (int)stmt_int(st, 5), .bonus = stmt_int(st, 6) != 0,
                                .optional = stmt_int(st, 7) != 0, .published = !stmt_is_null(st, 8),
                                .pupils_at = stmt_int(st, 9), .parents_at = stmt_int(st, 10)};
        af->period = stmt_int(st, 1);
        af->published_at = stmt_int(st, 8);
        af->handed_back_on = arena_strdup(&r->arena, stmt_text(st, 11));
    }
    stmt_done(st);
    if (!found) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return false;
    }
    if (!teaching_or_deny(r, ACT_GRADES_WRITE, af->ai.teaching, &af->t)) return false;
    af->nskills = 0;
    st = store_q(s, "SELECT sk.id, sk.label, sk.component FROM assessment_skill x JOIN skill sk ON sk.id = x.skill_id"
                    " WHERE x.assessment_id = $1 ORDER BY sk.component, sk.label", "i", id);
    while (st && stmt_step(st) == STORE_ROW && af->nskills < GRADES_MAX_SKILLS_PER_ASSESSMENT) {
        af->skills[af->nskills].id = stmt_int(st, 0);
        af->skills[af->nskills].label = arena_strdup(&r->arena, stmt_text(st, 1));
        af->skills[af->nskills].component = arena_strdup(&r->arena, stmt_text(st, 2));
        af->nskills++;
    }
    stmt_done(st);
    return true;
}

/* ---- R-GRADES: when families see an assessment --------------------------- */

/* The instant the copies are handed back on date: the end of the
 * teaching's first lesson that day by the timetable (its week A or B too),
 * else DIFFUSION_HANDBACK_DEFAULT, in the establishment's local time. 0
 * when no date is set. */
static int64_t handback_at(struct store *s, const struct diffusion *d, int64_t teaching, const char *date)
{
    if (!date || !calendar_valid_date(date)) return 0;
    char week[2] = {d->cal ? calendar_week_ab(d->cal, date) : 0, 0};
    int minute = DIFFUSION_HANDBACK_DEFAULT;
    struct stmt *st = store_q(s, "SELECT ends_at FROM timetable_slot WHERE teaching_id = $1 AND weekday = $2 AND valid_from <= $3"
                                 " AND valid_to >= $3 AND (week = '' OR week = $4) ORDER BY starts_at LIMIT 1",
                              "iitt", teaching, (int64_t)calendar_weekday(date), date, week);
    int end = st && stmt_step(st) == STORE_ROW ? clock_minutes(stmt_text(st, 0)) : -1;
    if (end >= 0) minute = end;
    stmt_done(st);
    return diffusion_local(d, date, minute);
}

/* The moments the pupils and their parents see marks of af published at t,
 * whose copies are handed back on handed_back ("" or NULL: no date). */
static void moments_of(struct req *r, const struct assessment_full *af, const char *handed_back, int64_t t, int64_t *pupils,
                       int64_t *parents)
{
    struct store *s = store_thread();
    const struct diffusion *d = diffusion_load(s, &r->arena, af->t.establishment_id);
    diffusion_grades(d, t, handback_at(s, d, af->t.id, handed_back), pupils, parents);
}

/* What a save of the sheet does to the publication. */
struct publication {
    int64_t published_at, pupils_at, parents_at; /* the assessment's; 0: not published */
    int64_t mark_pupils, mark_parents;           /* a mark entered or changed now; 0: not published */
    bool fresh;                                  /* published by this save */
};

/* Published by this save: everything gets the moments of now. Already
 * published: the assessment keeps its moments, and so do the marks that do
 * not change; a mark entered or changed now is new to families, so it gets
 * its own moments computed from now (never before the assessment's): a
 * correction typed at 22:00 reaches the pupil at 07:00 and the parents a
 * delay later, like a publication. Withdrawn: nothing is visible. Skill
 * results have no moments of their own: they reach families with their
 * assessment (a level changed after publication shows at once). */
static struct publication publication_plan(struct req *r, const struct assessment_full *af, int64_t now)
{
    struct publication p = {0};
    bool publish = param(r, "publier") ? param_bool(r, "publier") : af->ai.published;
    if (!publish) return p;
    moments_of(r, af, af->handed_back_on, now, &p.mark_pupils, &p.mark_parents);
    if (!af->ai.published)
        return (struct publication){.published_at = now, .pupils_at = p.mark_pupils, .parents_at = p.mark_parents,
                                    .mark_pupils = p.mark_pupils, .mark_parents = p.mark_parents, .fresh = true};
    p.published_at = af->published_at;
    p.pupils_at = af->ai.pupils_at;
    p.parents_at = af->ai.parents_at;
    if (p.mark_pupils < p.pupils_at) p.mark_pupils = p.pupils_at;
    if (p.mark_parents < p.parents_at) p.mark_parents = p.parents_at;
    return p;
}

static const char *item_of(struct req *r, int64_t id, bool parents)
{
    return arena_printf(&r->arena, parents ? "assessment:%lld:parents" : "assessment:%lld", (long long)id);
}

/* A notification's title, in French (the establishment's language; the
 * notification centre shows it as stored). */
static const char *notice_title(struct req *r, const struct assessment_full *af)
{
    return i18n_fmt(&r->arena, "fr", af->ai.scale ? "grades.notice_mark" : "grades.notice_skills", af->t.subject, af->ai.title);
}

/* Notify every pupil with a mark or a skill result in af, and each of
 * their guardians, who has no notification of it yet (a re-publication or
 * a mark added later notifies only those): the pupils from pupils_at, the
 * parents from parents_at. Inside the caller's transaction; 0 or -1. */
static int publication_notify(struct req *r, const struct assessment_full *af, int64_t pupils_at, int64_t parents_at)
{
    struct store *s = store_thread();
    const char *item = item_of(r, af->ai.id, false), *pitem = item_of(r, af->ai.id, true);
    /* Whether a guardian was told is a column, not a condition of the join:
     * with it in the LEFT JOIN's ON, PostgreSQL hashed the whole of
     * guardianship instead of looking up each pupil's guardians. */
    struct stmt *st = store_q(s,
        "SELECT x.pupil_id, g.parent_id, EXISTS (SELECT 1 FROM notification n WHERE n.person_id = x.pupil_id AND n.item = $2),"
        " EXISTS (SELECT 1 FROM notification n WHERE n.person_id = g.parent_id AND n.item = $3 AND n.url = '/notes/eleves/' || x.pupil_id)"
        " FROM (SELECT pupil_id FROM mark WHERE assessment_id = $1 UNION SELECT pupil_id FROM skill_result WHERE assessment_id = $1) x"
        " LEFT JOIN guardianship g ON g.pupil_id = x.pupil_id AND g.legal_responsibility = 1"
        " ORDER BY x.pupil_id", "itt", af->ai.id, item, pitem);
    struct { int64_t pupil, parent; bool told; } *v = NULL;
    size_t n = 0, cap = 0;
    int rc = STORE_ERR;
    while (st && (rc = stmt_step(st)) == STORE_ROW) {
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n].pupil = stmt_int(st, 0);
        v[n].parent = stmt_int(st, 3) ? 0 : stmt_int(st, 1); /* a guardian already told: as none */
        v[n++].told = stmt_int(st, 2) != 0;
    }
    stmt_done(st);
    if (rc != STORE_DONE) return -1;
    struct notice nt = {.service = "grades", .title = notice_title(r, af), .establishment = af->t.establishment_id};
    for (size_t i = 0; i < n; i++) {
        if (!v[i].told && (!i || v[i - 1].pupil != v[i].pupil)) {
            nt.url = "/notes", nt.item = item, nt.visible_at = pupils_at;
            if (notify_add(s, &v[i].pupil, 1, &nt) < 0) return -1;
        }
        if (!v[i].parent) continue;
        nt.url = arena_printf(&r->arena, "/notes/eleves/%lld", (long long)v[i].pupil), nt.item = pitem, nt.visible_at = parents_at;
        if (notify_add(s, &v[i].parent, 1, &nt) < 0) return -1;
    }
    return 0;
}

/* Store what publication_plan decided, after the marks were written:
 * the assessment's moments, its marks' when it is published now or
 * withdrawn, the notifications (withdrawn: those nobody has seen yet go).
 * Inside the caller's transaction; 0 or -1. */
static int publication_store(struct req *r, const struct assessment_full *af, const struct publication *p, int64_t now)
{
    struct store *s = store_thread();
    int64_t id = af->ai.id;
    if (store_run(s, "UPDATE assessment SET published_at = $2, pupils_at = $3, parents_at = $4, updated_at = $5 WHERE id = $1",
                  "iNNNi", id, p->published_at, p->pupils_at, p->parents_at, now) < 0)
        return -1;
    if (!p->published_at)
        return store_run(s, "UPDATE mark SET visible_at = NULL, parents_at = NULL WHERE assessment_id = $1", "i", id) < 0 ||
                       store_run(s, "DELETE FROM notification WHERE item IN ($1, $2) AND visible_at > $3", "tti",
                                 item_of(r, id, false), item_of(r, id, true), now) < 0
                   ? -1
                   : 0;
    if (p->fresh && store_run(s, "UPDATE mark SET visible_at = $2, parents_at = $3 WHERE assessment_id = $1", "iii", id,
                              p->pupils_at, p->parents_at) < 0)
        return -1;
    return publication_notify(r, af, p->mark_pupils, p->mark_parents);
}

/* A published assessment nobody has seen yet whose copies' date changed:
 * its moments, its marks' and its notifications' computed again from now
 * (once the pupils have seen it, the date no longer moves anything). 0 or
 * -1, inside the caller's transaction. */
static int publication_reschedule(struct req *r, const struct assessment_full *af, const char *handed_back, int64_t now)
{
    if (!af->ai.published || af->ai.pupils_at <= now || !strcmp(af->handed_back_on, handed_back ? handed_back : "")) return 0;
    struct store *s = store_thread();
    int64_t pa, pr, id = af->ai.id;
    moments_of(r, af, handed_back, now, &pa, &pr);
    return store_run(s, "UPDATE assessment SET pupils_at = $2, parents_at = $3 WHERE id = $1", "iii", id, pa, pr) < 0 ||
                   store_run(s, "UPDATE mark SET visible_at = $2, parents_at = $3 WHERE assessment_id = $1", "iii", id, pa, pr) < 0 ||
                   store_run(s, "UPDATE notification SET visible_at = $2 WHERE item = $1 AND visible_at > $3", "tii",
                             item_of(r, id, false), pa, now) < 0 ||
                   store_run(s, "UPDATE notification SET visible_at = $2 WHERE item = $1 AND visible_at > $3", "tii",
                             item_of(r, id, true), pr, now) < 0
               ? -1
               : 0;
}

int grades_reschedule(struct store *s, struct arena *a, const struct diffusion *d, int64_t now)
{
    struct stmt *st = store_q(s, "SELECT a.id, a.teaching_id, a.published_at, coalesce(a.handed_back_on, ''), a.pupils_at, a.parents_at"
                                 " FROM assessment a JOIN teaching t ON t.id = a.teaching_id"
                                 " WHERE t.establishment_id = $1 AND a.published_at IS NOT NULL AND a.parents_at > $2", "ii",
                              d->establishment, now);
    if (!st) return -1;
    struct { int64_t id, teaching, published, pupils, parents; const char *back; } *v = NULL;
    size_t n = 0, cap = 0;
    while (stmt_step(st) == STORE_ROW) {
        v = arena_grow(a, v, n, &cap, sizeof *v);
        v[n].id = stmt_int(st, 0), v[n].teaching = stmt_int(st, 1), v[n].published = stmt_int(st, 2);
        v[n].back = arena_strdup(a, stmt_text(st, 3)), v[n].pupils = stmt_int(st, 4), v[n++].parents = stmt_int(st, 5);
    }
    stmt_done(st);
    int changed = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t pa, pr;
        /* What the pupils have seen stays seen: only the parents' moment moves then. */
        if (v[i].pupils <= now) diffusion_grades(d, v[i].pupils, 0, &pa, &pr);
        else diffusion_grades(d, v[i].published, handback_at(s, d, v[i].teaching, v[i].back), &pa, &pr);
        if (pa == v[i].pupils && pr == v[i].parents) continue;
        const char *item = arena_printf(a, "assessment:%lld", (long long)v[i].id), *pitem = arena_printf(a, "%s:parents", item);
        if (store_run(s, "UPDATE assessment SET pupils_at = $2, parents_at = $3 WHERE id = $1", "iii", v[i].id, pa, pr) < 0 ||
            store_run(s, "UPDATE mark SET visible_at = $2 WHERE assessment_id = $1 AND visible_at = $3", "iii", v[i].id, pa, v[i].pupils) < 0 ||
            store_run(s, "UPDATE mark SET parents_at = $2 WHERE assessment_id = $1 AND parents_at = $3", "iii", v[i].id, pr, v[i].parents) < 0 ||
            store_run(s, "UPDATE notification SET visible_at = $2 WHERE item = $1 AND visible_at = $3", "tii", item, pa, v[i].pupils) < 0 ||
            store_run(s, "UPDATE notification SET visible_at = $2 WHERE item = $1 AND visible_at = $3", "tii", pitem, pr, v[i].parents) < 0)
            return -1;
        changed++;
    }
    return changed;
}

/* A row error of the sheet: which pupil, what is wrong. */
struct sheet_error {
    int64_t pupil;
    const char *message;
};

static const char *typed(struct req *r, const char *prefix, int64_t skill, int64_t pupil)
{
    return skill ? param(r, arena_printf(&r->arena, "%s%lld_%lld", prefix, (long long)skill, (long long)pupil))
                 : param(r, arena_printf(&r->arena, "%s%lld", prefix, (long long)pupil));
}

static void sheet_render(struct req *r, const struct assessment_full *af, const struct sheet_error *errs, size_t nerr,
                         bool keep_typed, const char *notice, const char *edit_error)
{
    struct store *s = store_thread();
    struct pupil_ref *pupils;
    char today[11];
    clock_today(today);
    size_t np = timetable_teaching_pupils(s, &r->arena, &af->t, today, &pupils);
    /* Saved marks and skill levels. */
    struct stmt *st = store_q(s, "SELECT pupil_id, value, special FROM mark WHERE assessment_id = $1", "i", af->ai.id);
    const char **saved = arena_alloc(&r->arena, (np + 1) * sizeof *saved);
    double sum = 0, mn = 0, mx = 0;
    int counted = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        int64_t p = stmt_int(st, 0);
        const char *text;
        if (stmt_is_null(st, 2)) {
            int v = (int)stmt_int(st, 1);
            text = fmt_mark(r, v);
            double x = v / 100.0;
            if (!counted || x < mn) mn = x;
            if (!counted || x > mx) mx = x;
            sum += x;
            counted++;
        } else {
            int k = grades_kind_parse(stmt_text(st, 2));
            text = grades_kind_code(k < 0 ? MARK_NOT_GRADED : (enum mark_kind)k);
            if (k == MARK_ABSENT_ZERO) {
                if (!counted || 0 < mn) mn = 0;
                counted++;
            }
        }
        for (size_t i = 0; i < np; i++)
            if (pupils[i].id == p) saved[i] = text;
    }
    stmt_done(st);
    int *levels = arena_alloc(&r->arena, (np * GRADES_MAX_SKILLS_PER_ASSESSMENT + 1) * sizeof *levels);
    st = store_q(s, "SELECT pupil_id, skill_id, level FROM skill_result WHERE assessment_id = $1", "i", af->ai.id);
    while (st && stmt_step(st) == STORE_ROW)
        for (size_t i = 0; i < np; i++)
            for (size_t k = 0; k < af->nskills; k++)
                if (pupils[i].id == stmt_int(st, 0) && af->skills[k].id == stmt_int(st, 1))
                    levels[i * GRADES_MAX_SKILLS_PER_ASSESSMENT + k] = (int)stmt_int(st, 2);
    stmt_done(st);

    page_begin(r, tr(r, "grades.entry"));
    out(r, "<h1>%h</h1><p class=\"lead\">%h — %h · %h</p>", af->ai.title, af->t.group_name, af->t.subject,
        page_date(r, clock_local_noon(af->ai.date)));
    out(r, "<p class=\"meta\">");
    if (af->ai.scale) out(r, "%h · ", tr_fmt(r, "grades.out_of", arena_printf(&r->arena, "%d", af->ai.scale), NULL));
    out(r, "%h", tr_fmt(r, "grades.coef", coef_text(r, af->ai.coefficient), NULL));
    if (af->ai.bonus) out(r, " · %h", tr(r, "grades.bonus_help"));
    if (af->ai.optional) out(r, " · %h", tr(r, "grades.optional_help"));
    out(r, "</p>");
    if (af->ai.published)
        out(r, "<p class=\"meta visibility\">%h</p>",
            visibility_text(r, diffusion_load(s, &r->arena, af->t.establishment_id), &af->ai, clock_now()));
    if (notice) out(r, "<p class=\"notice\" role=\"status\">%h</p>", notice);
    if (nerr) {
        out(r, "<div class=\"error\" role=\"alert\"><p>%h</p><ul>", tr(r, "grades.err.sheet"));
        for (size_t i = 0; i < nerr; i++)
            out(r, "<li><a href=\"#n-%I\">%h</a></li>", errs[i].pupil, errs[i].message);
        out(r, "</ul></div>");
    }
    if (counted && af->ai.scale) {
        struct stats stc = {.any = true, .n = (size_t)counted, .min = mn, .max = mx,
                            .mean = sum / counted};
        out(r, "<p class=\"meta\">%h</p>", fmt_stats(r, &stc, true));
    }
    out(r, "<form method=\"post\" action=\"/notes/evaluations/%I\" class=\"sheet\">", af->ai.id);
    page_csrf_input(r);
    if (af->ai.scale) out(r, "<p class=\"help\" id=\"codes\">%h</p>", tr(r, "grades.codes_help"));
    out(r, "<div class=\"scroll\"><table class=\"list sheet\"><caption class=\"sr\">%h</caption><thead><tr><th scope=\"col\">%h</th>",
        tr(r, "grades.entry"), tr(r, "grades.pupil"));
    if (af->ai.scale) out(r, "<th scope=\"col\">%h</th>", tr_fmt(r, "grades.mark_out_of", arena_printf(&r->arena, "%d", af->ai.scale), NULL));
    for (size_t k = 0; k < af->nskills; k++) out(r, "<th scope=\"col\">%h</th>", af->skills[k].label);
    out(r, "</tr></thead><tbody>");
    for (size_t i = 0; i < np; i++) {
        const struct pupil_ref *p = &pupils[i];
        const char *err = NULL;
        for (size_t e = 0; e < nerr; e++)
            if (errs[e].pupil == p->id) err = errs[e].message;
        const char *name = arena_printf(&r->arena, "%s %s", p->last_name, p->first_name);
        out(r, "<tr%R><th scope=\"row\"><label for=\"n-%I\">%h</label></th>", err ? " class=\"invalid\"" : "", /* RAW_OK: literal */
            p->id, name);
        if (af->ai.scale) {
            const char *v = keep_typed ? typed(r, "note_", 0, p->id) : saved[i];
            out(r, "<td><input id=\"n-%I\" name=\"note_%I\" value=\"%h\" inputmode=\"decimal\" size=\"5\" maxlength=\"6\" "
                   "autocomplete=\"off\" aria-describedby=\"codes\"%R></td>",
                p->id, p->id, v ? v : "", err ? " aria-invalid=\"true\"" : ""); /* RAW_OK: literal */
        }
        for (size_t k = 0; k < af->nskills; k++) {
            int lv = levels[i * GRADES_MAX_SKILLS_PER_ASSESSMENT + k];
            if (keep_typed) {
                const char *v = typed(r, "comp_", af->skills[k].id, p->id);
                lv = v ? atoi(v) : 0;
            }
            out(r, "<td><select %R=\"n-%I\" name=\"comp_%I_%I\" aria-label=\"%h — %h\"><option value=\"\">—</option>",
                !af->ai.scale && !k ? "id" : "data-row", p->id, af->skills[k].id, p->id, af->skills[k].label, name); /* RAW_OK: literal attribute name */
            for (int l = 1; l <= 4; l++)
                out(r, "<option value=\"%d\"%R>%h</option>", l, lv == l ? " selected" : "", /* RAW_OK: literal */
                    tr(r, arena_printf(&r->arena, "skill.short.%d", l)));
            out(r, "</select></td>");
        }
        out(r, "</tr>");
    }
    out(r, "</tbody></table></div>");
    if (!np) out(r, "<p class=\"meta\">%h</p>", tr(r, "grades.no_pupils"));
    out(r, "<fieldset><legend>%h</legend><label class=\"check\"><input type=\"radio\" name=\"publier\" value=\"0\"%R> %h</label>"
           "<label class=\"check\"><input type=\"radio\" name=\"publier\" value=\"1\"%R> %h</label></fieldset>"
           "<p class=\"help\">%h</p><button type=\"submit\" class=\"primary\">%h</button></form>",
        tr(r, "grades.visibility"), af->ai.published ? "" : " checked", tr(r, "grades.keep_draft"), /* RAW_OK: literal */
        af->ai.published ? " checked" : "", tr(r, "grades.publish"), tr(r, "grades.publish_help"), /* RAW_OK: literal */
        tr(r, "grades.save_marks"));
    out(r, "<p><a href=\"/notes/enseignements/%I?periode=%I\">%h</a></p>", af->t.id, af->period, tr(r, "grades.back_to_book"));
    out(r, "<details class=\"card\"%R><summary>%h</summary><form method=\"post\" action=\"/notes/evaluations/%I/modifier\" "
           "class=\"stack\">", edit_error ? " open" : "", tr(r, "grades.edit"), af->ai.id); /* RAW_OK: literal */
    if (edit_error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", edit_error);
    page_csrf_input(r);
    assessment_fields(r, af->ai.title, af->ai.date, af->handed_back_on, af->ai.scale, af->ai.coefficient,
                      af->ai.bonus ? "bonus" : af->ai.optional ? "optional" : "normal");
    out(r, "<button type=\"submit\" class=\"primary\">%h</button></form></details>", tr(r, "grades.save_changes"));
    out(r, "<details class=\"card\"><summary>%h</summary><form method=\"post\" action=\"/notes/evaluations/%I/supprimer\">",
        tr(r, "grades.delete"), af->ai.id);
    page_csrf_input(r);
    out(r, "<p>%h</p><button type=\"submit\" class=\"danger\">%h</button></form></details>", tr(r, "grades.delete_warning"),
        tr(r, "grades.delete"));
    page_end(r);
}

static void sheet_page(struct req *r)
{
    struct assessment_full af;
    if (!assessment_or_deny(r, &af)) return;
    sheet_render(r, &af, NULL, 0, false, param_bool(r, "ok") ? tr(r, "grades.saved") : NULL, NULL);
}

struct mark_change {
    int64_t pupil, skill;      /* skill 0: the mark */
    bool clear;
    enum mark_kind kind;
    int value;
};

static bool pupil_in(const struct pupil_ref *v, size_t n, int64_t id, const char **name, struct req *r)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].id == id) {
            *name = arena_printf(&r->arena, "%s %s", v[i].first_name, v[i].last_name);
            return true;
        }
    return false;
}

/* Save the sheet: every field checked first; on any error nothing is
 * written and the page comes back with the typed values and the errors. */
static void sheet_save(struct req *r)
{
    struct store *s = store_thread();
    struct assessment_full af;
    if (!assessment_or_deny(r, &af)) return;
    struct pupil_ref *pupils;
    char today[11];
    clock_today(today);
    size_t np = timetable_teaching_pupils(s, &r->arena, &af.t, today, &pupils);
    const struct kv *notes, *comps;
    size_t nn = param_prefixed(r, "note_", &notes), nc = param_prefixed(r, "comp_", &comps);
    struct mark_change *ch = arena_alloc(&r->arena, (nn + nc + 1) * sizeof *ch);
    struct sheet_error *errs = arena_alloc(&r->arena, (nn + nc + 1) * sizeof *errs);
    size_t nch = 0, nerr = 0;
    bool foreign = false;
    for (size_t i = 0; i < nn; i++) {
        int64_t pupil = strtoll(notes[i].name + 5, NULL, 10);
        const char *name;
        if (!pupil_in(pupils, np, pupil, &name, r)) {
            foreign = true;
            continue;
        }
        struct mark_change c = {.pupil = pupil};
        if (!*notes[i].value) c.clear = true;
        else if (!af.ai.scale) {
            errs[nerr++] = (struct sheet_error){pupil, tr(r, "grades.err.no_marks_here")};
            continue;
        } else {
            int rc = grades_parse(notes[i].value, af.ai.scale, &c.kind, &c.value);
            if (rc < 0) {
                errs[nerr++] = (struct sheet_error){pupil, tr_fmt(r, rc == -2 ? "grades.err.above_scale" : "grades.err.unreadable", name,
                                                                   arena_printf(&r->arena, "%d", af.ai.scale))};
                continue;
            }
        }
        ch[nch++] = c;
    }
    for (size_t i = 0; i < nc; i++) {
        char *end;
        int64_t skill = strtoll(comps[i].name + 5, &end, 10);
        int64_t pupil = *end == '_' ? strtoll(end + 1, NULL, 10) : 0;
        const char *name;
        bool known = false;
        for (size_t k = 0; k < af.nskills; k++) known |= af.skills[k].id == skill;
        if (!known || !pupil_in(pupils, np, pupil, &name, r)) {
            foreign = true;
            continue;
        }
        ch[nch++] = (struct mark_change){.pupil = pupil, .skill = skill, .clear = !*comps[i].value,
                                         .value = *comps[i].value ? atoi(comps[i].value) : 0};
    }
    if (foreign) {
        reply_error(r, 400, tr(r, "grades.err.not_in_class"));
        return;
    }
    if (nerr) {
        if (r->api) {
            reply_error(r, 400, errs[0].message);
            return;
        }
        r->status = 400;
        sheet_render(r, &af, errs, nerr, true, NULL, NULL);
        return;
    }
    int64_t now = clock_now();
    struct publication pub = publication_plan(r, &af, now);
    /* The class's marks go to the database together (store_run_later): an
     * error fails the commit, and the sheet is saved whole or not at all. */
    if (store_begin(s) < 0) goto fail;
    for (size_t i = 0; i < nch; i++) {
        const struct mark_change *c = &ch[i];
        int rc;
        if (c->skill && c->clear)
            rc = store_run_later(s, "DELETE FROM skill_result WHERE assessment_id = $1 AND skill_id = $2 AND pupil_id = $3", "iii",
                           af.ai.id, c->skill, c->pupil);
        else if (c->skill)
            rc = store_run_later(s, "INSERT INTO skill_result (assessment_id, skill_id, pupil_id, level, entered_at)"
                              " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (assessment_id, skill_id, pupil_id)"
                              " DO UPDATE SET level = $4, entered_at = $5",
                           "iiiii", af.ai.id, c->skill, c->pupil, (int64_t)c->value, now);
        else if (c->clear)
            rc = store_run_later(s, "DELETE FROM mark WHERE assessment_id = $1 AND pupil_id = $2", "ii", af.ai.id, c->pupil);
        /* A mark that does not change keeps its moments (R-GRADES). */
        else if (c->kind == MARK_VALUE)
            rc = store_run_later(s, "INSERT INTO mark (assessment_id, pupil_id, value, special, entered_at, visible_at, parents_at)"
                              " VALUES ($1, $2, $3, NULL, $4, $5, $6) ON CONFLICT (assessment_id, pupil_id) DO UPDATE SET value = $3,"
                              " special = NULL, entered_at = $4, visible_at = $5, parents_at = $6"
                              " WHERE mark.value IS DISTINCT FROM $3 OR mark.special IS NOT NULL",
                           "iiiiNN", af.ai.id, c->pupil, (int64_t)c->value, now, pub.mark_pupils, pub.mark_parents);
        else
            rc = store_run_later(s, "INSERT INTO mark (assessment_id, pupil_id, value, special, entered_at, visible_at, parents_at)"
                              " VALUES ($1, $2, NULL, $3, $4, $5, $6) ON CONFLICT (assessment_id, pupil_id) DO UPDATE SET value = NULL,"
                              " special = $3, entered_at = $4, visible_at = $5, parents_at = $6 WHERE mark.special IS DISTINCT FROM $3",
                           "iitiNN", af.ai.id, c->pupil, grades_kind_name(c->kind), now, pub.mark_pupils, pub.mark_parents);
        if (rc < 0) goto fail;
    }
    /* Publication (R-GRADES): the moments the pupils and the parents see
     * the marks, on the assessment and on each mark (what the dashboards
     * read through their indexes), and the notifications. */
    if (publication_store(r, &af, &pub, now) < 0) goto fail;
    if (store_commit(s) < 0) goto fail;
    audit(s, r, 0, "marks.entered", arena_printf(&r->arena, "assessment:%lld", (long long)af.ai.id),
          arena_printf(&r->arena, "%zu", nch));
    if (r->api)
        reply_json(r, 200, json_pack("{s:I,s:i,s:o,s:o}", "assessment_id", (json_int_t)af.ai.id, "saved", (int)nch, "pupils_at",
                                     pub.pupils_at ? json_integer(pub.pupils_at) : json_null(), "parents_at",
                                     pub.parents_at ? json_integer(pub.parents_at) : json_null()));
    else reply_redirect(r, arena_printf(&r->arena, "/notes/evaluations/%lld?ok=1", (long long)af.ai.id));
    return;
fail:
    store_rollback(s);
    reply_error(r, 503, tr(r, "err.unavailable"));
}

/* Correct an assessment (title, date, scale, coefficient, how it counts);
 * its marks stay. A scale below a mark already entered is refused. */
static void assessment_edit(struct req *r)
{
    struct store *s = store_thread();
    struct assessment_full af;
    if (!assessment_or_deny(r, &af)) return;
    struct new_assessment na = {0};
    const char *problem = assessment_check(r, &af.t, &na, af.nskills);
    int64_t above = 0;
    if (!problem) {
        store_int(s, &above, "SELECT count(*) FROM mark WHERE assessment_id = $1 AND (value > $2 OR $2 = 0)", "ii", af.ai.id,
                  (int64_t)na.scale * 100);
        if (above) problem = tr(r, "grades.err.scale_below_marks");
    }
    if (problem) {
        if (r->api) {
            reply_error(r, 400, problem);
            return;
        }
        r->status = 400;
        sheet_render(r, &af, NULL, 0, false, NULL, problem);
        return;
    }
    int64_t now = clock_now();
    if (store_begin(s) < 0 ||
        store_run(s, "UPDATE assessment SET title = $2, on_date = $3, period_id = $4, scale = $5, coefficient = $6, bonus = $7,"
                     " optional = $8, updated_at = $9, handed_back_on = $10 WHERE id = $1",
                  "ittiiiiiit", af.ai.id, na.title, na.on_date, na.period, (int64_t)na.scale, (int64_t)na.coefficient,
                  (int64_t)na.bonus, (int64_t)na.optional, now, na.handed_back_on) < 0 ||
        publication_reschedule(r, &af, na.handed_back_on, now) < 0 || store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "assessment.changed", arena_printf(&r->arena, "assessment:%lld", (long long)af.ai.id), na.title);
    reply_redirect(r, arena_printf(&r->arena, "/notes/evaluations/%lld?ok=1", (long long)af.ai.id));
}

static void assessment_delete(struct req *r)
{
    struct store *s = store_thread();
    struct assessment_full af;
    if (!assessment_or_deny(r, &af)) return;
    if (store_begin(s) < 0 || store_run(s, "DELETE FROM skill_result WHERE assessment_id = $1", "i", af.ai.id) < 0 ||
        store_run(s, "DELETE FROM assessment_skill WHERE assessment_id = $1", "i", af.ai.id) < 0 ||
        store_run(s, "DELETE FROM mark WHERE assessment_id = $1", "i", af.ai.id) < 0 ||
        store_run(s, "DELETE FROM assessment WHERE id = $1", "i", af.ai.id) < 0 ||
        store_run(s, "DELETE FROM notification WHERE item IN ($1, $2) AND visible_at > $3", "tti", item_of(r, af.ai.id, false),
                  item_of(r, af.ai.id, true), clock_now()) < 0 ||
        store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "assessment.deleted", arena_printf(&r->arena, "assessment:%lld", (long long)af.ai.id), af.ai.title);
    reply_redirect(r, arena_printf(&r->arena, "/notes/enseignements/%lld?periode=%lld", (long long)af.t.id, (long long)af.period));
}

/* The rules, for families (docs/grades.md in short). */
static void rules_page(struct req *r)
{
    page_begin(r, tr(r, "grades.rules_title"));
    out(r, "<h1>%h</h1><section class=\"card stack\">", tr(r, "grades.rules_title"));
    static const char *const keys[] = {"grades.rule.1", "grades.rule.2", "grades.rule.3", "grades.rule.4", "grades.rule.5",
                                       "grades.rule.6", "grades.rule.7", "grades.rule.8", NULL};
    for (const char *const *k = keys; *k; k++) out(r, "<p>%h</p>", tr(r, *k));
    const char *min = arena_printf(&r->arena, "%d", GRADES_STATS_MIN_MARKS);
    out(r, "<p>%h</p></section>", tr_fmt(r, "grades.rule.9", min, NULL));
    page_end(r);
}

/* ---- Dashboard and JSON ----------------------------------------------------- */

/* The latest marks of one pupil its audience sees: at most $3 rows read
 * backwards through the (pupil_id, visible_at, assessment_id) index for the
 * pupil, (pupil_id, parents_at, assessment_id) for the parents, whatever
 * the number of marks of the year. A statement does it for up to
 * LATEST_PUPILS pupils ($1, $4, $5, $6; 0 for none), one branch each. */
#define LATEST_PUPILS 4
#define LATEST_ONE(moment, seen, pupil)                                                                             \
    "SELECT * FROM (SELECT m.pupil_id, a.id, sb.name, a.title, a.on_date, a.scale, m.value, m.special FROM mark m"  \
    " JOIN assessment a ON a.id = m.assessment_id JOIN teaching t ON t.id = a.teaching_id"                          \
    " JOIN subject sb ON sb.id = t.subject_id WHERE m.pupil_id = " pupil " AND " seen                               \
    " ORDER BY " moment " DESC, m.assessment_id DESC LIMIT $3) l"
#define LATEST_SQL(moment, seen)                                                                                    \
    LATEST_ONE(moment, seen, "$1") " UNION ALL " LATEST_ONE(moment, seen, "$4") " UNION ALL "                        \
    LATEST_ONE(moment, seen, "$5") " UNION ALL " LATEST_ONE(moment, seen, "$6")

static const char *const q_latest[] = {
    [AUDIENCE_STAFF] = LATEST_SQL("m.visible_at", "m.visible_at IS NOT NULL AND a.published_at <= $2"),
    [AUDIENCE_PUPIL] = LATEST_SQL("m.visible_at", "m.visible_at <= $2"),
    [AUDIENCE_PARENTS] = LATEST_SQL("m.parents_at", "m.parents_at <= $2"),
};

/* The statement for pupils[0…np) (at most LATEST_PUPILS of them). */
static struct stmt *latest_ask(struct store *s, const int64_t *pupils, size_t np, int limit, enum grades_audience audience)
{
    int64_t p[LATEST_PUPILS] = {0};
    for (size_t k = 0; k < np && k < LATEST_PUPILS; k++) p[k] = pupils[k];
    return store_q_ahead(s, q_latest[audience], "iiiiii", p[0], clock_now(), (int64_t)limit, p[1], p[2], p[3]);
}

size_t grades_latest(struct store *s, struct arena *a, const int64_t *pupils, size_t np, int limit, enum grades_audience audience,
                     struct grade_item **out)
{
    return grades_latest_read(s, a, grades_latest_ask(s, pupils, np, limit, audience), pupils, np, limit, audience, out);
}

struct stmt *grades_latest_ask(struct store *s, const int64_t *pupils, size_t np, int limit, enum grades_audience audience)
{
    return np ? latest_ask(s, pupils, np, limit, audience) : NULL;
}

size_t grades_latest_read(struct store *s, struct arena *a, struct stmt *st, const int64_t *pupils, size_t np, int limit,
                          enum grades_audience audience, struct grade_item **out)
{
    size_t n = 0, cap = 0;
    struct grade_item *v = NULL;
    for (size_t k = 0; k < np; k += LATEST_PUPILS) {
        if (k) st = latest_ask(s, pupils + k, np - k, limit, audience); /* a family of more than LATEST_PUPILS */
        while (st && stmt_step(st) == STORE_ROW) {
            v = arena_grow(a, v, n, &cap, sizeof *v);
            v[n++] = (struct grade_item){.pupil_id = stmt_int(st, 0), .assessment_id = stmt_int(st, 1),
                                         .subject = arena_strdup(a, stmt_text(st, 2)), .title = arena_strdup(a, stmt_text(st, 3)),
                                         .on_date = arena_strdup(a, stmt_text(st, 4)), .scale = (int)stmt_int(st, 5),
                                         .value = (int)stmt_int(st, 6),
                                         .special = arena_strdup(a, stmt_is_null(st, 7) ? "" : stmt_text(st, 7))};
        }
        stmt_done(st);
    }
    *out = v;
    return n;
}

static json_t *num_or_null(bool has, double v) { return has ? json_real(grades_round2(v)) : json_null(); }

static json_t *stats_json(const struct stats *st)
{
    if (!st->any) return json_null();
    return json_pack("{s:f,s:f,s:f}", "average", grades_round2(st->mean), "min", grades_round2(st->min), "max", grades_round2(st->max));
}

static void api_grades(struct req *r)
{
    const struct actor *a = r->actor;
    int64_t pupil = param_int(r, "eleve");
    if (!pupil) {
        if (policy_has(a, PROFILE_PUPIL)) pupil = a->person_id;
        else if (a->nchildren) pupil = a->children[0];
        else {
            reply_error(r, 400, tr(r, "grades.err.no_pupil"));
            return;
        }
    }
    if (!policy_may(store_thread(), a, ACT_PUPIL_RECORD, OBJECT(OBJ_PERSON, pupil))) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return;
    }
    struct report rep;
    report_load(r, pupil, param_int(r, "periode"), &rep);
    json_t *periods = json_array();
    for (size_t i = 0; i < rep.nperiods; i++)
        json_array_append_new(periods, json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)rep.periods[i].id, "name",
                                                 rep.periods[i].name, "starts_on", rep.periods[i].starts, "ends_on",
                                                 rep.periods[i].ends));
    json_t *subjects = json_array();
    for (size_t i = 0; i < rep.nsubjects; i++) {
        const struct subject_line *sl = &rep.subjects[i];
        json_t *marks = json_array();
        for (size_t k = 0; k < rep.book.nas; k++) {
            const struct ainfo *ai = &rep.book.as[k];
            const struct mrow *m = ai->subject == sl->subject ? book_mark(&rep.book, ai->id, pupil) : NULL;
            if (!m) continue;
            struct stats st = stats_for(rep.audience, assessment_stats(&rep.book, ai));
            json_array_append_new(marks, json_pack("{s:I,s:s,s:s,s:i,s:f,s:b,s:b,s:o,s:o,s:o}", "id", (json_int_t)ai->id, "title",
                                                   ai->title, "date", ai->date, "scale", ai->scale, "coefficient",
                                                   ai->coefficient / 100.0, "bonus", ai->bonus, "optional", ai->optional, "mark",
                                                   m->g.kind == MARK_VALUE ? json_real(m->g.value / 100.0) : json_null(),
                                                   "special", m->g.kind == MARK_VALUE ? json_null() : json_string(grades_kind_name(m->g.kind)),
                                                   "class", stats_json(&st)));
        }
        json_array_append_new(subjects, json_pack("{s:s,s:s,s:o,s:o,s:o}", "subject", sl->name, "teacher", sl->teacher, "average",
                                                  num_or_null(sl->has, sl->avg), "class", stats_json(&sl->cls), "assessments",
                                                  marks));
    }
    json_t *skills = json_array();
    for (size_t i = 0; i < rep.nskills; i++)
        json_array_append_new(skills, json_pack("{s:s,s:s,s:s,s:s,s:i}", "component", rep.skills[i].component, "skill",
                                                rep.skills[i].label, "subject", rep.skills[i].subject, "date", rep.skills[i].date,
                                                "level", rep.skills[i].level));
    int min_marks = rep.audience == AUDIENCE_STAFF ? 0 : GRADES_STATS_MIN_MARKS;
    reply_json(r, 200, json_pack("{s:I,s:o,s:o,s:o,s:{s:o,s:o},s:o,s:i}",
                                 "pupil_id", (json_int_t)pupil, "period",
                                 rep.period ? json_pack("{s:I,s:s}", "id", (json_int_t)rep.period->id, "name", rep.period->name)
                                            : json_null(),
                                 "periods", periods, "subjects", subjects, "general", "average",
                                 num_or_null(rep.has_general, rep.general), "class", stats_json(&rep.general_cls), "skills",
                                 skills, "class_min_marks", min_marks));
}

static const char *const kinds[] = {"normal", "bonus", "optional", NULL};

#define ASSESSMENT_PARAMS                                                                                   \
    {"id", P_ID, SRC_PATH, .required = true},                                                               \
    {"title", P_LINE, SRC_BODY, .required = true, .maxlen = 120, .label = "grades.f_title"},                \
    {"on_date", P_LINE, SRC_BODY, .required = true, .maxlen = 10, .label = "grades.f_date"},                \
    {"scale", P_INT, SRC_BODY, .min = 0, .max = 100, .label = "grades.f_scale"},                            \
    {"coefficient", P_LINE, SRC_BODY, .maxlen = 6, .label = "grades.f_coefficient"},                        \
    {"kind", P_ENUM, SRC_BODY, .choices = kinds, .label = "grades.f_kind"},                                 \
    {"handed_back_on", P_LINE, SRC_BODY, .maxlen = 10, .label = "grades.f_handed_back"},                    \
    {"skill_", P_BOOL, SRC_BODY, .prefix = true, .label = "grades.skills_evaluated"}, {0}

#define SHEET_PARAMS                                                                                        \
    {"id", P_ID, SRC_PATH, .required = true},                                                               \
    {"note_", P_LINE, SRC_BODY, .prefix = true, .maxlen = 10, .label = "grades.mark"},                      \
    {"comp_", P_INT, SRC_BODY, .prefix = true, .min = 1, .max = 4, .label = "grades.skill_level"},          \
    {"publier", P_BOOL, SRC_BODY}, {0}

const struct route grades_routes[] = {
    {.method = M_GET, .path = "/notes", .handler = my_grades, .action = ACT_SIGNED_IN},
    {.method = M_GET, .path = "/notes/eleves/{id}", .handler = child_grades, .action = ACT_PUPIL_RECORD, .object = OBJ_PERSON,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"periode", P_ID, SRC_QUERY}, {0}}},
    {.method = M_GET, .path = "/aide/moyennes", .handler = rules_page, .action = ACT_SIGNED_IN},
    {.method = M_GET, .path = "/notes/classes", .handler = classes_page, .action = ACT_CLASS_VIEW},
    {.method = M_GET, .path = "/notes/classes/{id}", .handler = class_pupils_page,
     .action = ACT_CLASS_VIEW, .object = OBJ_CLASS,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_GET, .path = "/notes/enseignements", .handler = teachings_page, .action = ACT_GRADES_WRITE},
    {.method = M_GET, .path = "/notes/enseignements/{id}", .handler = book_page, .action = ACT_GRADES_WRITE,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"periode", P_ID, SRC_QUERY}, {0}}},
    {.method = M_POST, .path = "/notes/enseignements/{id}/evaluations", .handler = assessment_create, .action = ACT_GRADES_WRITE,
     .params = (const struct param_spec[]){ASSESSMENT_PARAMS}},
    {.method = M_GET, .path = "/notes/evaluations/{id}", .handler = sheet_page, .action = ACT_GRADES_WRITE,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"ok", P_BOOL, SRC_QUERY}, {0}}},
    {.method = M_POST, .path = "/notes/evaluations/{id}", .handler = sheet_save, .action = ACT_GRADES_WRITE,
     .params = (const struct param_spec[]){SHEET_PARAMS}},
    {.method = M_POST, .path = "/notes/evaluations/{id}/modifier", .handler = assessment_edit, .action = ACT_GRADES_WRITE,
     .params = (const struct param_spec[]){ASSESSMENT_PARAMS}},
    {.method = M_POST, .path = "/notes/evaluations/{id}/supprimer", .handler = assessment_delete, .action = ACT_GRADES_WRITE,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_GET, .path = "/api/v1/grades", .handler = api_grades, .action = ACT_SIGNED_IN, .flags = ROUTE_API,
     .params = (const struct param_spec[]){{"eleve", P_ID, SRC_QUERY}, {"periode", P_ID, SRC_QUERY}, {0}}},
    {.method = M_POST, .path = "/api/v1/teachings/{id}/assessments", .handler = assessment_create, .action = ACT_GRADES_WRITE,
     .flags = ROUTE_API, .params = (const struct param_spec[]){ASSESSMENT_PARAMS}},
    {.method = M_POST, .path = "/api/v1/assessments/{id}/marks", .handler = sheet_save, .action = ACT_GRADES_WRITE,
     .flags = ROUTE_API, .params = (const struct param_spec[]){SHEET_PARAMS}},
    {0}};
