/* portal.c — per-profile home pages, child switcher, /api/v1/me. */
#include "portal.h"
#include "../services/services.h"
#include "../timetable/timetable.h"
#include "../log/log.h"
#include "../grades/grades.h"
#include "../attendance/attendance.h"
#include "../messages/messages.h"
#include "../messages/reps.h"
#include "../../grades/average.h"
#include "../../calendar/calendar.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/page.h"
#include "../../core/router.h"
#include "../../policy/policy.h"
#include "../../store/store.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>

size_t portal_pupils(struct store *s, struct arena *a, int64_t person_id, int self, struct pupil_card **out)
{
    return portal_pupils_read(portal_pupils_ask(s, person_id, self), a, out);
}

struct stmt *portal_pupils_ask(struct store *s, int64_t person_id, int self)
{
    char today[11];
    clock_today(today);
    static const char *const q_children =
        "SELECT p.id, p.first_name, p.last_name, c.id, c.name, e.id, e.name, e.kind, e.uai, e.city"
        " FROM guardianship g JOIN person p ON p.id = g.pupil_id"
        " LEFT JOIN enrolment en ON en.pupil_id = p.id AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"
        " LEFT JOIN class c ON c.id = en.class_id LEFT JOIN establishment e ON e.id = c.establishment_id"
        " WHERE g.parent_id = $1 AND g.legal_responsibility = 1 ORDER BY p.birth_date DESC, p.id";
    static const char *const q_self =
        "SELECT p.id, p.first_name, p.last_name, c.id, c.name, e.id, e.name, e.kind, e.uai, e.city"
        " FROM person p"
        " JOIN enrolment en ON en.pupil_id = p.id AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"
        " JOIN class c ON c.id = en.class_id JOIN establishment e ON e.id = c.establishment_id"
        " WHERE p.id = $1";
    return store_q_ahead(s, self ? q_self : q_children, "it", person_id, today);
}

size_t portal_pupils_read(struct stmt *st, struct arena *a, struct pupil_card **out)
{
    size_t n = 0, cap = 0;
    struct pupil_card *v = arena_grow(a, NULL, 0, &cap, sizeof *v);
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(a, v, n, &cap, sizeof *v);
        v[n++] = (struct pupil_card){
            .id = stmt_int(st, 0), .first_name = arena_strdup(a, stmt_text(st, 1)),
            .last_name = arena_strdup(a, stmt_text(st, 2)), .class_id = stmt_int(st, 3),
            .class_name = arena_strdup(a, stmt_text(st, 4)), .establishment_id = stmt_int(st, 5),
            .establishment_name = arena_strdup(a, stmt_text(st, 6)),
            .establishment_kind = arena_strdup(a, stmt_text(st, 7)),
            .establishment_uai = arena_strdup(a, stmt_text(st, 8)),
            .establishment_city = arena_strdup(a, stmt_text(st, 9))};
    }
    stmt_done(st);
    *out = v;
    return n;
}

static const char *kind_label(struct req *r, const char *kind)
{
    char key[32];
    snprintf(key, sizeof key, "kind.%s", kind ? kind : "none");
    return tr(r, arena_strdup(&r->arena, key));
}

/* Roll calls taken today, for a teacher's list (NULL for pupils). */
struct roll_view {
    struct roll_done *v;
    size_t n;
};

static bool roll_taken(const struct roll_view *rv, const struct lesson *l)
{
    for (size_t i = 0; rv && i < rv->n; i++)
        if (rv->v[i].teaching == l->teaching_id && rv->v[i].slot == l->slot_id) return true;
    return false;
}

/* Today's lessons and their changes: those of day (one query for the whole
 * page) that belong to pupil (0: all of them, for a teacher, with the roll
 * call of each lesson already begun). */
static void today_lessons(struct req *r, const struct timetable_day *day, int64_t pupil, bool teacher, const char *more,
                          const struct roll_view *rv)
{
    char now[17];
    clock_datetime(clock_now(), now);
    out(r, "<h3>%h</h3>", tr(r, "portal.today"));
    size_t shown = 0;
    for (size_t i = 0; day && i < day->nlessons; i++) {
        const struct lesson *l = &day->lessons[i];
        if (pupil && l->pupil_id != pupil) continue;
        if (!shown++) out(r, "<ol class=\"today-list\">");
        bool off = l->status && (!strcmp(l->status, "cancelled") || !strcmp(l->status, "teacher_absent"));
        out(r, "<li%R><time>%h</time> <span class=\"name\">%h</span>", off ? " class=\"off\"" : "", /* RAW_OK: literal */
            l->starts_at, teacher ? arena_printf(&r->arena, "%s — %s", l->class_name, l->subject) : l->subject);
        if (l->status)
            out(r, " <span class=\"badge change %h\">%h</span>", l->status,
                tr(r, arena_printf(&r->arena, "change.%s", l->status)));
        if (l->room) out(r, " <span class=\"meta\">%h</span>", l->room);
        if (rv && !off && l->slot_id && !l->replacing) {
            bool taken = roll_taken(rv, l), begun = strcmp(now + 11, l->starts_at) >= 0;
            if (taken) out(r, " <a class=\"badge ext\" href=\"/appel/%I/%h\">%h</a>", l->slot_id, l->date, tr(r, "portal.roll_done"));
            else if (begun) out(r, " <a class=\"badge change\" href=\"/appel/%I/%h\">%h</a>", l->slot_id, l->date, tr(r, "portal.roll_to_take"));
        }
        out(r, "</li>");
    }
    if (shown) out(r, "</ol>");
    else out(r, "<p class=\"meta\">%h</p>", tr(r, day && day->why ? day->why : "timetable.no_lesson"));
    out(r, "<p><a href=\"%h\">%h</a></p>", more, tr(r, "portal.whole_week"));
}

#define LOG_GAP_DAYS 7        /* the teacher's dashboard lists empty logs of the last week */
#define LATEST_GRADES 5       /* S-PORTAL: the 5 latest grades */

/* Today of a pupil, of every child of a guardian, or of a teacher. */
static const struct timetable_day *today_of(struct req *r, struct store *s, enum timetable_scope scope, int64_t id)
{
    char today[11];
    clock_today(today);
    struct timetable_day *day;
    bool covered;
    return timetable_days(s, &r->arena, scope, id, today, today, &day, &covered) ? day : NULL;
}

/* Homework due from today to the third school day after today (by the
 * pupil's establishment's calendar), from a list fetched once for the page. */
struct homework_view {
    struct homework_item *items;
    size_t n;
    struct grade_item *grades;      /* the latest grades of each pupil */
    size_t ngrades;
    struct absence_item *absences;  /* half-days still to justify */
    size_t nabsences;
};

/* The third school day after today for an establishment (today when its
 * calendar is missing): the horizon of "homework due next". */
static void homework_horizon(struct req *r, struct store *s, int64_t establishment_id, char until[11])
{
    clock_today(until);
    struct school_calendar *cal = establishment_id ? calendar_load(s, &r->arena, establishment_id) : NULL;
    for (int i = 0; i < 3 && cal; i++) {
        char next[11];
        if (!calendar_next_school_day(cal, until, next)) break;
        memcpy(until, next, 11);
    }
}

static void homework_part(struct req *r, struct store *s, const struct homework_view *hw, const struct pupil_card *c,
                          const char *more)
{
    char until[11];
    homework_horizon(r, s, c->establishment_id, until);
    out(r, "<h3>%h</h3>", tr(r, "portal.homework_due"));
    size_t shown = 0;
    for (size_t i = 0; hw && i < hw->n; i++) {
        const struct homework_item *h = &hw->items[i];
        if (h->pupil_id != c->id || strcmp(h->due_on, until) > 0) continue;
        if (!shown++) out(r, "<ul class=\"today-list\">");
        char key[16];
        snprintf(key, sizeof key, "weekday.%d", calendar_weekday(h->due_on));
        out(r, "<li%R><span class=\"meta\">%h</span> <span class=\"name\">%h</span> — %h", h->done ? " class=\"done\"" : "", /* RAW_OK: literal */
            tr(r, key), h->subject, h->title);
        if (h->done) out(r, " <span class=\"badge ext\">%h</span>", tr(r, "log.done"));
        out(r, "</li>");
    }
    if (shown) out(r, "</ul>");
    else out(r, "<p class=\"meta\">%h</p>", tr(r, "portal.no_homework"));
    out(r, "<p><a href=\"%h\">%h</a></p>", more, tr(r, "log.homework_title"));
}

static void grades_part(struct req *r, const struct homework_view *hw, const struct pupil_card *c, const char *more);
static void absences_part(struct req *r, const struct homework_view *hw, const struct pupil_card *c, const char *more);

static void pupil_section(struct req *r, const struct pupil_card *c, enum profile as, const struct timetable_day *today,
                          const struct homework_view *hw, const struct service_item *links, size_t nlinks,
                          bool heading_is_name)
{
    out(r, "<section class=\"card child\" id=\"enfant-%I\" aria-labelledby=\"h-%I\">", c->id, c->id);
    if (heading_is_name)
        out(r, "<h2 id=\"h-%I\">%h %h</h2>", c->id, c->first_name, c->last_name);
    else
        out(r, "<h2 id=\"h-%I\">%h</h2>", c->id, tr(r, "portal.my_school"));
    if (c->establishment_id) {
        out(r, "<p class=\"school\"><span class=\"kind kind-%h\">%h</span> %h", c->establishment_kind,
            kind_label(r, c->establishment_kind), c->establishment_name);
        if (c->establishment_city && *c->establishment_city) out(r, " · %h", c->establishment_city);
        out(r, "</p><p class=\"class\">%h <strong>%h</strong></p>", tr(r, "portal.class"), c->class_name);
    } else {
        out(r, "<p class=\"class\">%h</p>", tr(r, "portal.no_class"));
    }
    if (c->class_id) {
        today_lessons(r, today, c->id, false,
                      as == PROFILE_PARENT ? arena_printf(&r->arena, "/emploi-du-temps/eleves/%lld", (long long)c->id)
                                           : "/emploi-du-temps", NULL);
        homework_part(r, store_thread(), hw, c,
                      as == PROFILE_PARENT ? arena_printf(&r->arena, "/travail-a-faire/eleves/%lld", (long long)c->id)
                                           : "/travail-a-faire");
        /* Écoles assess skills, not marks: their pupils get the link only. */
        if (c->establishment_kind && strcmp(c->establishment_kind, "ecole"))
            grades_part(r, hw, c, arena_printf(&r->arena, "/notes/eleves/%lld", (long long)c->id));
        else
            out(r, "<p><a href=\"/notes/eleves/%I\">%h</a></p>", c->id, tr(r, "portal.skills_link"));
        absences_part(r, hw, c, arena_printf(&r->arena, "/absences/eleves/%lld", (long long)c->id));
    }
    if (as == PROFILE_PARENT) out(r, "<p><a href=\"/personnes/%I\">%h</a></p>", c->id, tr(r, "portal.child_page"));
    out(r, "<h3>%h</h3>", tr(r, "portal.services"));
    services_render(r, as, c->establishment_id, as == PROFILE_PARENT ? c->id : 0, links, nlinks);
    out(r, "</section>");
}

/* What a family's pages show (a guardian's children, or a pupil
 * themselves): the children, today's lessons, the homework due in the coming
 * fortnight, the latest grades, the absences to justify and the school
 * calendars, asked together (store_q_ahead: one round trip to PostgreSQL),
 * one query each whatever the number of children. */
struct family_view {
    struct pupil_card *kids;
    size_t n;
    const struct timetable_day *today;
    struct homework_view hw;
};

/* Its reads, asked ahead (family_ask), to be read by family_read. */
struct family_asked {
    const int64_t *pupils;          /* the children (the actor's, already loaded), or the pupil */
    size_t npupils;
    enum grades_audience audience;
    struct stmt *cal, *kids, *hw, *grades, *absences;
    struct timetable_asked day;
};

static struct family_asked family_ask(struct req *r, struct store *s, bool guardian)
{
    int64_t id = r->actor->person_id;
    char today[11], to[11];
    clock_today(today);
    calendar_add_days(today, 14, to);
    /* R-GRADES: a guardian sees their children's marks from parents_at, a
     * pupil their own from visible_at. */
    struct family_asked q = {.pupils = guardian ? r->actor->children : &r->actor->person_id,
                             .npupils = guardian ? r->actor->nchildren : 1,
                             .audience = guardian ? AUDIENCE_PARENTS : AUDIENCE_PUPIL};
    q.cal = calendar_ask_for_family(s, id, today);
    q.kids = portal_pupils_ask(s, id, !guardian);
    q.day = timetable_days_ask(s, guardian ? TT_GUARDIAN : TT_PUPIL, id, today, today);
    /* The pupil's or their guardians' own view: what families see now (R-DISCO). */
    q.hw = log_homework_ask(s, id, guardian, today, to, clock_now());
    q.grades = grades_latest_ask(s, q.pupils, q.npupils, LATEST_GRADES, q.audience);
    q.absences = attendance_to_justify_ask(s, id, guardian);
    return q;
}

static struct family_view family_read(struct req *r, struct store *s, struct family_asked q)
{
    struct family_view f;
    calendar_read(q.cal, &r->arena); /* first: the lessons of the day need them */
    f.n = portal_pupils_read(q.kids, &r->arena, &f.kids);
    struct timetable_day *day;
    bool covered;
    f.today = timetable_days_read(s, &r->arena, q.day, &day, &covered) ? day : NULL;
    f.hw.n = log_homework_read(q.hw, &r->arena, &f.hw.items);
    f.hw.ngrades = grades_latest_read(s, &r->arena, q.grades, q.pupils, q.npupils, LATEST_GRADES, q.audience, &f.hw.grades);
    f.hw.nabsences = attendance_to_justify_read(q.absences, &r->arena, &f.hw.absences);
    return f;
}

static struct family_view family_load(struct req *r, struct store *s, bool guardian)
{
    return family_read(r, s, family_ask(r, s, guardian));
}

static const char *grade_text(struct req *r, const struct grade_item *g)
{
    if (*g->special) return tr(r, arena_printf(&r->arena, "mark.%s", g->special));
    char v[16];
    grades_format(g->value, v);
    return arena_printf(&r->arena, "%s/%d", v, g->scale);
}

static void grades_part(struct req *r, const struct homework_view *hw, const struct pupil_card *c, const char *more)
{
    out(r, "<h3>%h</h3>", tr(r, "portal.latest_grades"));
    size_t shown = 0;
    for (size_t i = 0; i < hw->ngrades; i++) {
        const struct grade_item *g = &hw->grades[i];
        if (g->pupil_id != c->id) continue;
        if (!shown++) out(r, "<ul class=\"today-list\">");
        out(r, "<li><span class=\"name\">%h</span> — %h <strong class=\"mark\">%h</strong></li>", g->subject, g->title, grade_text(r, g));
    }
    if (shown) out(r, "</ul>");
    else out(r, "<p class=\"meta\">%h</p>", tr(r, "portal.no_grades"));
    out(r, "<p><a href=\"%h\">%h</a></p>", more, tr(r, "grades.title"));
}

static void absences_part(struct req *r, const struct homework_view *hw, const struct pupil_card *c, const char *more)
{
    size_t shown = 0;
    for (size_t i = 0; i < hw->nabsences; i++) {
        const struct absence_item *x = &hw->absences[i];
        if (x->pupil_id != c->id) continue;
        if (!shown++) out(r, "<h3>%h</h3><ul class=\"today-list\">", tr(r, "portal.absences_to_justify"));
        char key[16];
        snprintf(key, sizeof key, "weekday.%d", calendar_weekday(x->on_date));
        out(r, "<li><span class=\"badge change\">%h</span> %h %h, %h</li>", tr(r, arena_printf(&r->arena, "attendance.state.%s", x->state)),
            tr(r, key), page_date(r, clock_local_noon(x->on_date)), tr(r, !strcmp(x->half, "am") ? "portal.morning" : "portal.afternoon"));
    }
    if (shown) out(r, "</ul><p><a href=\"%h\">%h</a></p>", more, tr(r, "attendance.justify"));
    else out(r, "<p class=\"meta\"><a href=\"%h\">%h</a></p>", more, tr(r, "attendance.title"));
}

/* Parent: every child, in every establishment, with one login (R-ID-1). */
static void parent_part(struct req *r, struct store *s, const struct service_item *links, size_t nlinks,
                        const struct family_asked *asked)
{
    struct family_view f = asked ? family_read(r, s, *asked) : family_load(r, s, true);
    struct pupil_card *kids = f.kids;
    size_t n = f.n;
    int64_t chosen = param_int(r, "enfant");
    if (chosen) {
        bool mine = false;
        for (size_t i = 0; i < n; i++) mine |= kids[i].id == chosen;
        if (!mine || !policy_may(s, r->actor, ACT_PERSON_VIEW, OBJECT(OBJ_PERSON, chosen))) {
            reply_error(r, 403, tr(r, "err.not_your_child"));
            return;
        }
    }
    reps_consent_card(r);
    out(r, "<h2 class=\"section\">%h</h2>", tr(r, n > 1 ? "portal.my_children" : "portal.my_child"));
    if (!n) {
        out(r, "<p class=\"card\">%h</p>", tr(r, "portal.no_children"));
        return;
    }
    if (n > 1) {
        out(r, "<nav class=\"switcher\" aria-label=\"%h\"><ul>", tr(r, "portal.switch_child"));
        out(r, "<li><a href=\"/\"%R>%h</a></li>", chosen ? "" : " aria-current=\"page\"", /* RAW_OK: literal */
            tr(r, "portal.all_children"));
        for (size_t i = 0; i < n; i++)
            out(r, "<li><a href=\"/?enfant=%I\"%R>%h <small>%h</small></a></li>", kids[i].id,
                kids[i].id == chosen ? " aria-current=\"page\"" : "", /* RAW_OK: literal */
                kids[i].first_name, kids[i].class_name ? kids[i].class_name : "");
        out(r, "</ul></nav>");
    }
    out(r, "<div class=\"cards\">");
    for (size_t i = 0; i < n; i++)
        if (!chosen || kids[i].id == chosen) pupil_section(r, &kids[i], PROFILE_PARENT, f.today, &f.hw, links, nlinks, true);
    out(r, "</div>");
}

static void pupil_part(struct req *r, struct store *s, const struct service_item *links, size_t nlinks,
                       const struct family_asked *asked)
{
    struct family_view f = asked ? family_read(r, s, *asked) : family_load(r, s, false);
    if (!f.n) {
        out(r, "<p class=\"card\">%h</p>", tr(r, "portal.no_class"));
        return;
    }
    for (size_t i = 0; i < f.n; i++) pupil_section(r, &f.kids[i], PROFILE_PUPIL, f.today, &f.hw, links, nlinks, false);
}

/* Teacher: per establishment, the classes taught and their subjects. */
static void teacher_part(struct req *r, struct store *s, const struct role *role, const struct service_item *links,
                         size_t nlinks)
{
    out(r, "<section class=\"card\"><h2>%h</h2><p class=\"school\"><span class=\"kind kind-%h\">%h</span> %h</p>",
        tr(r, "portal.my_classes"), role->establishment_kind, kind_label(r, role->establishment_kind),
        role->establishment_name);
    char today[11], from[11];
    clock_today(today);
    struct roll_view rv;
    rv.n = attendance_roll_calls_on(s, &r->arena, r->actor->person_id, today, &rv.v);
    today_lessons(r, today_of(r, s, TT_TEACHER, r->actor->person_id), 0, true,
                  arena_printf(&r->arena, "/emploi-du-temps/enseignants/%lld", (long long)r->actor->person_id), &rv);
    /* Class log still to fill for the lessons of the last week. */
    calendar_add_days(today, -LOG_GAP_DAYS, from);
    struct log_gap *gaps;
    size_t ngaps = log_missing(s, &r->arena, r->actor->person_id, from, today, &gaps);
    out(r, "<h3>%h</h3>", tr(r, "portal.log_to_fill"));
    if (!ngaps) out(r, "<p class=\"meta\">%h</p>", tr(r, "portal.log_all_filled"));
    else out(r, "<ul class=\"today-list\">");
    for (size_t i = 0; i < ngaps && i < 5; i++)
        out(r, "<li><a href=\"/cahier-de-textes/cours/%I/%h\">%h %h — %h, %h</a></li>", gaps[i].slot, gaps[i].date,
            page_date(r, clock_local_noon(gaps[i].date)), gaps[i].starts, gaps[i].class_name, gaps[i].subject);
    if (ngaps) out(r, "</ul>");
    if (ngaps > 5) out(r, "<p class=\"meta\">%h</p>", tr_fmt(r, "portal.log_more", arena_printf(&r->arena, "%zu", ngaps - 5), NULL));
    out(r, "<p><a href=\"/notes/enseignements\">%h</a></p>", tr(r, "grades.my_teachings"));
    struct stmt *st = store_q(s,
        "SELECT c.id, c.name, sb.name FROM teaching t JOIN class c ON c.id = t.class_id JOIN subject sb ON sb.id = t.subject_id"
        " JOIN level l ON l.id = c.level_id WHERE t.teacher_id = $1 AND t.establishment_id = $2"
        " AND (t.ends_on IS NULL OR t.ends_on >= $3) ORDER BY l.ordinal, c.name, sb.name",
        "iit", r->actor->person_id, role->establishment_id, today);
    int64_t last = 0;
    int n = 0;
    out(r, "<ul class=\"classes\">");
    while (st && stmt_step(st) == STORE_ROW) {
        int64_t cid = stmt_int(st, 0);
        if (cid != last) {
            if (last) out(r, "</span></li>");
            out(r, "<li><a href=\"/classes/%I\">%h</a> <span class=\"meta\">%h", cid, stmt_text(st, 1), stmt_text(st, 2));
            last = cid;
            n++;
        } else {
            out(r, ", %h", stmt_text(st, 2));
        }
    }
    stmt_done(st);
    if (last) out(r, "</span></li>");
    out(r, "</ul>");
    if (!n) out(r, "<p>%h</p>", tr(r, "portal.no_teaching"));
    out(r, "<h3>%h</h3>", tr(r, "portal.services"));
    services_render(r, PROFILE_TEACHER, role->establishment_id, 0, links, nlinks);
    out(r, "</section>");
}

/* School-life staff and heads: the establishment at a glance. */
static void staff_part(struct req *r, struct store *s, const struct role *role, const struct service_item *links,
                       size_t nlinks)
{
    char today[11];
    clock_today(today);
    int64_t e = role->establishment_id, pupils = 0, classes = 0;
    store_int(s, &classes, "SELECT count(*) FROM class WHERE establishment_id = $1", "i", e);
    store_int(s, &pupils,
              "SELECT count(*) FROM enrolment en JOIN class c ON c.id = en.class_id WHERE c.establishment_id = $1"
              " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)", "it", e, today);
    out(r, "<section class=\"card\"><h2>%h</h2><p class=\"school\"><span class=\"kind kind-%h\">%h</span> %h</p>",
        tr(r, role->profile == PROFILE_HEAD ? "portal.my_establishment_head" : "portal.my_establishment"),
        role->establishment_kind, kind_label(r, role->establishment_kind), role->establishment_name);
    char np[24], nc[24];
    snprintf(np, sizeof np, "%lld", (long long)pupils);
    snprintf(nc, sizeof nc, "%lld", (long long)classes);
    out(r, "<p>%h</p>", tr_fmt(r, "portal.counts", np, nc));
    if (role->profile == PROFILE_HEAD) {
        int64_t active = 0, total = 0;
        store_int(s, &total,
                  "SELECT count(DISTINCT g.parent_id) FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id"
                  " JOIN class c ON c.id = en.class_id WHERE c.establishment_id = $1", "i", e);
        store_int(s, &active,
                  "SELECT count(DISTINCT g.parent_id) FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id"
                  " JOIN class c ON c.id = en.class_id JOIN account a ON a.person_id = g.parent_id"
                  " WHERE c.establishment_id = $1 AND a.state = 'active'", "i", e);
        char na[24], nt[24];
        snprintf(na, sizeof na, "%lld", (long long)active);
        snprintf(nt, sizeof nt, "%lld", (long long)total);
        out(r, "<p>%h</p>", tr_fmt(r, "portal.parents_active", na, nt));
    }
    struct stmt *st = store_q(s, "SELECT c.id, c.name FROM class c JOIN level l ON l.id = c.level_id"
                                 " WHERE c.establishment_id = $1 ORDER BY l.ordinal, c.name", "i", e);
    out(r, "<nav aria-label=\"%h\"><ul class=\"chips\">", tr(r, "portal.classes"));
    while (st && stmt_step(st) == STORE_ROW)
        out(r, "<li><a class=\"chip\" href=\"/classes/%I\">%h</a></li>", stmt_int(st, 0), stmt_text(st, 1));
    stmt_done(st);
    out(r, "</ul></nav>");
    int64_t pending = 0, alerts = 0;
    store_int(s, &pending, "SELECT count(*) FROM (SELECT DISTINCT pupil_id, on_date, half FROM attendance"
                           " WHERE establishment_id = $1 AND state = 'pending') d", "i", e);
    store_int(s, &alerts, "SELECT count(*) FROM attendance_alert WHERE establishment_id = $1 AND seen_at IS NULL", "i", e);
    out(r, "<p>%h</p>", tr_fmt(r, "portal.school_life_summary", arena_printf(&r->arena, "%lld", (long long)pending),
                               arena_printf(&r->arena, "%lld", (long long)alerts)));
    out(r, "<p class=\"row\"><a class=\"button primary\" href=\"/vie-scolaire?etablissement=%I\">%h</a> ", e,
        tr(r, "attendance.school_life"));
    out(r, "<a class=\"button\" href=\"/etablissements/%I\">%h</a>", e, tr(r, "portal.open_establishment"));
    if (policy_may(s, r->actor, ACT_ESTABLISHMENT_SETTINGS, OBJECT(OBJ_ESTABLISHMENT, e)))
        out(r, " <a class=\"button\" href=\"/etablissements/%I/messagerie\">%h</a>"
               " <a class=\"button\" href=\"/etablissements/%I/diffusion\">%h</a>"
               " <a class=\"button\" href=\"/etablissements/%I/cahier-de-textes\">%h</a>",
            e, tr(r, "portal.messages_settings"), e, tr(r, "portal.diffusion_settings"),
            e, tr(r, "log.settings_title"));
    if (policy_may(s, r->actor, ACT_MODERATE, OBJECT(OBJ_ESTABLISHMENT, e))) {
        int64_t reports = 0;
        store_int(s, &reports, "SELECT count(*) FROM message_report WHERE establishment_id = $1 AND state = 'open'", "i", e);
        out(r, " <a class=\"button%R\" href=\"/etablissements/%I/moderation\">%h</a>", reports ? " primary" : "", e, /* RAW_OK: literal */
            tr_fmt(r, "portal.moderation", arena_printf(&r->arena, "%lld", (long long)reports), NULL));
    }
    if (policy_may(s, r->actor, ACT_SERVICES_EDIT, OBJECT(OBJ_ESTABLISHMENT, e)))
        out(r, " <a class=\"button\" href=\"/etablissements/%I/services\">%h</a>", e, tr(r, "portal.edit_services"));
    if (policy_may(s, r->actor, ACT_REP_DESIGNATE, OBJECT(OBJ_ESTABLISHMENT, e)))
        out(r, " <a class=\"button\" href=\"/etablissements/%I/representants\">%h</a>", e, tr(r, "portal.reps"));
    if (policy_may(s, r->actor, ACT_IMPORT_RUN, OBJECT(OBJ_ESTABLISHMENT, e)))
        out(r, " <a class=\"button\" href=\"/imports\">%h</a>", tr(r, "imports.title"));
    if (policy_may(s, r->actor, ACT_STRUCTURE_EDIT, OBJECT(OBJ_ESTABLISHMENT, e)))
        out(r, " <a class=\"button\" href=\"/etablissements/%I/structure\">%h</a>", e,
            tr(r, "structure.title"));
    out(r, "</p><h3>%h</h3>", tr(r, "portal.services"));
    services_render(r, role->profile, e, 0, links, nlinks);
    out(r, "</section>");
}

/* Territory admin: the establishments of the territory. */
static void admin_part(struct req *r, struct store *s, const struct role *role)
{
    int64_t t = role->territory_id;
    const char *name = NULL;
    struct stmt *st = store_q(s, "SELECT name FROM territory WHERE id = $1", "i", t);
    if (st && stmt_step(st) == STORE_ROW) name = arena_strdup(&r->arena, stmt_text(st, 0));
    stmt_done(st);
    out(r, "<section class=\"card\"><h2>%h</h2><p>%h</p>", tr(r, "portal.my_territory"), name ? name : "");
    out(r, "<p class=\"row\"><a class=\"button\" href=\"/territoires/%I/services\">%h</a> "
           "<a class=\"button\" href=\"/territoires/%I/calendrier\">%h</a> "
           "<a class=\"button\" href=\"/imports\">%h</a>",
        t, tr(r, "portal.edit_territory_services"), t, tr(r, "portal.calendar"),
        tr(r, "imports.title"));
    int64_t doubts = 0;
    store_int(s, &doubts, "SELECT count(*) FROM identity_review WHERE state = 'open'", "");
    if (doubts)
        out(r, " <a class=\"button primary\" href=\"/identites\">%h</a>",
            tr_fmt(r, "identity.portal", arena_printf(&r->arena, "%lld", (long long)doubts), NULL));
    out(r, "</p>");
    st = store_q(s,
        "SELECT e.id, e.name, e.kind, e.city, e.uai, (SELECT count(*) FROM class c WHERE c.establishment_id = e.id)"
        " FROM establishment e WHERE e.territory_id = $1 ORDER BY e.kind, e.name", "i", t);
    out(r, "<table class=\"list\"><caption>%h</caption><thead><tr><th scope=\"col\">%h</th><th scope=\"col\">%h</th>"
           "<th scope=\"col\">%h</th><th scope=\"col\">%h</th></tr></thead><tbody>",
        tr(r, "portal.establishments"), tr(r, "portal.establishment"), tr(r, "portal.uai"), tr(r, "portal.classes"),
        tr(r, "portal.services"));
    while (st && stmt_step(st) == STORE_ROW) {
        int64_t e = stmt_int(st, 0);
        out(r, "<tr><td><a href=\"/etablissements/%I\">%h</a><br><span class=\"meta\">%h · %h</span></td><td>%h</td>"
               "<td>%I</td><td><a href=\"/etablissements/%I/services\">%h</a></td></tr>",
            e, stmt_text(st, 1), kind_label(r, stmt_text(st, 2)), stmt_text(st, 3), stmt_text(st, 4), stmt_int(st, 5), e,
            tr(r, "portal.edit"));
    }
    stmt_done(st);
    out(r, "</tbody></table></section>");
}

static void home(struct req *r)
{
    struct store *s = store_thread();
    const struct actor *a = r->actor;
    /* The page's reads, asked together: the services, the unread
     * messages and a family's day (a parent's, else a pupil's). */
    struct stmt *q_links = services_links_ask(s, a->person_id);
    bool writes = policy_may(s, a, ACT_MESSAGE_WRITE, OBJECT_NONE);
    struct stmt *q_unread = writes ? messages_unread_ask(s, a->person_id) : NULL;
    bool parent = policy_has(a, PROFILE_PARENT), pupil = policy_has(a, PROFILE_PUPIL);
    struct family_asked family;
    if (parent || pupil) family = family_ask(r, s, parent);
    struct service_item *links;
    size_t nlinks = services_links_read(q_links, &r->arena, &links);
    page_begin(r, tr(r, "portal.title"));
    out(r, "<h1>%h</h1>", tr_fmt(r, "portal.hello", a->first_name, NULL));
    if (param_bool(r, "bienvenue")) out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr(r, "portal.welcome"));
    if (!a->nroles) out(r, "<p class=\"card\">%h</p>", tr(r, "portal.no_role"));
    if (writes) {
        int64_t unread = messages_unread_read(q_unread);
        out(r, "<p class=\"card row\"><a class=\"button%R\" href=\"/messagerie\">%h</a> %h</p>", unread ? " primary" : "", /* RAW_OK: literal */
            tr(r, "messages.title"),
            unread ? tr_fmt(r, "portal.unread", arena_printf(&r->arena, "%lld", (long long)unread), NULL) : tr(r, "portal.no_unread"));
    }
    if (parent) parent_part(r, s, links, nlinks, &family);
    if (r->status != 200) return; /* the child asked for is not theirs */
    if (pupil) pupil_part(r, s, links, nlinks, parent ? NULL : &family);
    for (size_t i = 0; i < a->nroles; i++) {
        const struct role *role = &a->roles[i];
        switch (role->profile) {
        case PROFILE_TEACHER: teacher_part(r, s, role, links, nlinks); break;
        case PROFILE_STAFF:
        case PROFILE_HEAD: staff_part(r, s, role, links, nlinks); break;
        case PROFILE_ADMIN: admin_part(r, s, role); break;
        default: break;
        }
    }
    out(r, "<p class=\"note\">%h</p>", tr(r, "portal.soon_note"));
    page_end(r);
}

static json_t *establishment_json(int64_t id, const char *name, const char *kind, const char *uai)
{
    if (!id) return json_null();
    return json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)id, "name", name ? name : "", "type", kind ? kind : "",
                     "uai", uai ? uai : "");
}

static json_t *pupil_json(const struct pupil_card *c)
{
    return json_pack("{s:I,s:s,s:s,s:o,s:o}", "id", (json_int_t)c->id, "first_name", c->first_name, "last_name",
                     c->last_name, "class",
                     c->class_id ? json_pack("{s:I,s:s}", "id", (json_int_t)c->class_id, "name", c->class_name)
                                 : json_null(),
                     "establishment",
                     establishment_json(c->establishment_id, c->establishment_name, c->establishment_kind,
                                        c->establishment_uai));
}

static void api_me(struct req *r)
{
    struct store *s = store_thread();
    const struct actor *a = r->actor;
    json_t *roles = json_array();
    for (size_t i = 0; i < a->nroles; i++) {
        const struct role *ro = &a->roles[i];
        json_array_append_new(roles, json_pack("{s:s,s:o,s:o}", "profile", policy_profile_name(ro->profile),
                                               "establishment",
                                               ro->establishment_id
                                                   ? json_pack("{s:I,s:s,s:s}", "id", (json_int_t)ro->establishment_id,
                                                               "name", ro->establishment_name, "type", ro->establishment_kind)
                                                   : json_null(),
                                               "territory_id", ro->territory_id ? json_integer(ro->territory_id) : json_null()));
    }
    json_t *children = json_array();
    if (policy_has(a, PROFILE_PARENT)) {
        struct pupil_card *kids;
        size_t n = portal_pupils(s, &r->arena, a->person_id, 0, &kids);
        for (size_t i = 0; i < n; i++) json_array_append_new(children, pupil_json(&kids[i]));
    }
    json_t *me = json_pack("{s:{s:I,s:s,s:s,s:s},s:o,s:o,s:s}", "person", "id", (json_int_t)a->person_id, "first_name",
                           a->first_name, "last_name", a->last_name, "login", a->login ? a->login : "", "roles", roles,
                           "children", children, "csrf_token", r->csrf ? r->csrf : "");
    reply_json(r, 200, me);
}

/* The dashboard as JSON: for each child (parent) or for me (pupil),
 * today's lessons with their changes and the homework due in the next 3
 * school days; for a teacher, today's lessons. Grades and absences join it
 * with their services. A fixed number of queries whatever the children. */
/* The dashboard is written as JSON straight into the response (it is the
 * most requested document: no tree of small allocations to build and free). */
static void json_opt(struct req *r, const char *key, const char *v, bool comma)
{
    if (v) out(r, "%R\"%j\":\"%j\"", comma ? "," : "", key, v); /* RAW_OK: literal comma */
    else out(r, "%R\"%j\":null", comma ? "," : "", key);        /* RAW_OK: literal comma */
}

static const char *json_bool(bool b) { return b ? "true" : "false"; }

static void lessons_out(struct req *r, const struct timetable_day *day, int64_t pupil, const struct roll_view *rv)
{
    out(r, "[");
    size_t n = 0;
    for (size_t i = 0; day && i < day->nlessons; i++) {
        const struct lesson *l = &day->lessons[i];
        if (pupil && l->pupil_id != pupil) continue;
        out(r, "%R{\"slot_id\":%I,\"start\":\"%j\",\"end\":\"%j\",\"subject\":\"%j\"", n++ ? "," : "", /* RAW_OK: literal comma */
            l->slot_id, l->starts_at, l->ends_at, l->subject);
        json_opt(r, "teacher", l->teacher_name, true);
        json_opt(r, "class", l->class_name, true);
        json_opt(r, "room", l->room, true);
        json_opt(r, "change", l->status, true);
        json_opt(r, "note", l->note && *l->note ? l->note : NULL, true);
        if (rv) out(r, ",\"roll_call_done\":%R", json_bool(roll_taken(rv, l))); /* RAW_OK: literal true/false */
        out(r, "}");
    }
    out(r, "]");
}

static void pupil_out(struct req *r, struct store *s, const struct pupil_card *c, const struct timetable_day *day, bool parent,
                      const struct homework_view *hw, bool comma)
{
    out(r, "%R{\"id\":%I,\"name\":\"%j %j\",\"first_name\":\"%j\",\"class\":", comma ? "," : "", /* RAW_OK: literal comma */
        c->id, c->first_name, c->last_name, c->first_name);
    if (c->class_id) out(r, "{\"id\":%I,\"name\":\"%j\"}", c->class_id, c->class_name);
    else out(r, "null");
    out(r, ",\"establishment\":");
    if (c->establishment_id)
        out(r, "{\"id\":%I,\"name\":\"%j\",\"type\":\"%j\"}", c->establishment_id, c->establishment_name, c->establishment_kind);
    else out(r, "null");
    out(r, ",\"lessons_today\":");
    lessons_out(r, day, parent ? c->id : 0, NULL);
    char until[11];
    homework_horizon(r, s, c->establishment_id, until);
    out(r, ",\"homework_due\":[");
    size_t n = 0;
    for (size_t k = 0; k < hw->n; k++) {
        const struct homework_item *h = &hw->items[k];
        if (h->pupil_id != c->id || strcmp(h->due_on, until) > 0) continue;
        out(r, "%R{\"id\":%I,\"subject\":\"%j\",\"title\":\"%j\",\"due_on\":\"%j\",\"given_on\":\"%j\",\"minutes\":%d,"
               "\"hand_in\":%R,\"given_in_class\":%R,\"done\":%R}",
            n++ ? "," : "", h->id, h->subject, h->title, h->due_on, h->given_on, h->minutes, /* RAW_OK: literal comma */
            json_bool(h->hand_in), json_bool(h->given_in_class), json_bool(h->done)); /* RAW_OK: literal true/false */
    }
    out(r, "],\"latest_grades\":[");
    n = 0;
    for (size_t k = 0; k < hw->ngrades; k++) {
        const struct grade_item *g = &hw->grades[k];
        if (g->pupil_id != c->id) continue;
        out(r, "%R{\"assessment_id\":%I,\"subject\":\"%j\",\"title\":\"%j\",\"date\":\"%j\",\"scale\":%d,\"mark\":", n++ ? "," : "", /* RAW_OK: literal comma */
            g->assessment_id, g->subject, g->title, g->on_date, g->scale);
        if (*g->special) out(r, "null,\"special\":\"%j\"}", g->special);
        else out(r, "%d.%R%d,\"special\":null}", g->value / 100, g->value % 100 < 10 ? "0" : "", g->value % 100); /* RAW_OK: literal digit */
    }
    out(r, "],\"absences_to_justify\":[");
    n = 0;
    for (size_t k = 0; k < hw->nabsences; k++) {
        const struct absence_item *x = &hw->absences[k];
        if (x->pupil_id != c->id) continue;
        out(r, "%R{\"id\":%I,\"date\":\"%j\",\"half\":\"%j\",\"state\":\"%j\",\"lessons\":%d}", n++ ? "," : "", /* RAW_OK: literal comma */
            x->id, x->on_date, x->half, x->state, x->lessons);
    }
    out(r, "]}");
}

static void api_dashboard(struct req *r)
{
    struct store *s = store_thread();
    const struct actor *a = r->actor;
    char today[11];
    clock_today(today);
    reply_json_begin(r, 200);
    out(r, "{\"date\":\"%j\",\"pupils\":[", today);
    bool parent = policy_has(a, PROFILE_PARENT), pupil = policy_has(a, PROFILE_PUPIL);
    if (parent || pupil) {
        struct family_view f = family_load(r, s, parent);
        for (size_t i = 0; i < f.n; i++) pupil_out(r, s, &f.kids[i], f.today, parent, &f.hw, i > 0);
    }
    out(r, "]");
    if (policy_has(a, PROFILE_TEACHER)) {
        struct roll_view rv;
        rv.n = attendance_roll_calls_on(s, &r->arena, a->person_id, today, &rv.v);
        out(r, ",\"teacher\":{\"lessons_today\":");
        lessons_out(r, today_of(r, s, TT_TEACHER, a->person_id), 0, &rv);
        char from[11];
        calendar_add_days(today, -LOG_GAP_DAYS, from);
        struct log_gap *gaps;
        size_t ngaps = log_missing(s, &r->arena, a->person_id, from, today, &gaps);
        out(r, ",\"log_to_fill\":[");
        for (size_t i = 0; i < ngaps; i++)
            out(r, "%R{\"slot_id\":%I,\"date\":\"%j\",\"start\":\"%j\",\"class\":\"%j\",\"subject\":\"%j\"}", i ? "," : "", /* RAW_OK: literal comma */
                gaps[i].slot, gaps[i].date, gaps[i].starts, gaps[i].class_name, gaps[i].subject);
        out(r, "]}");
    }
    out(r, "}");
}

const struct route portal_routes[] = {
    {.method = M_GET, .path = "/", .handler = home, .action = ACT_SIGNED_IN,
     .params = (const struct param_spec[]){{"enfant", P_ID, SRC_QUERY, .label = "portal.child"},
                                           {"bienvenue", P_BOOL, SRC_QUERY}, {0}}},
    {.method = M_GET, .path = "/api/v1/me", .handler = api_me, .action = ACT_SIGNED_IN, .flags = ROUTE_API},
    {.method = M_GET, .path = "/api/v1/dashboard", .handler = api_dashboard, .action = ACT_SIGNED_IN, .flags = ROUTE_API},
    {0}};
