/* timetable.c — lessons computed from weekly slots, the school calendar
 * and one-off changes; week views; change forms; iCalendar feed. */
#include "timetable.h"
#include "../../calendar/calendar.h"
#include "../../core/app.h"
#include "../../core/audit.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/limits.h"
#include "../../core/page.h"
#include "../../core/secret.h"
#include "../notify/notify.h"
#include "../portal/notice.h"
#include "../../policy/policy.h"
#include "../../policy/scope_sql.h"
#include "../../store/store.h"
#include <jansson.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Queries ------------------------------------------------------------ */

#define SLOT_SELECT                                                                                               \
    "SELECT s.id, s.teaching_id, s.weekday, s.starts_at, s.ends_at, s.week, s.valid_from, s.valid_to,"           \
    " t.establishment_id, coalesce(t.class_id, 0), t.teacher_id, coalesce(s.room_id, 0), sb.name, sb.code,"      \
    " coalesce(c.name, g.name), p.first_name, p.last_name, rm.name, "
#define SLOT_JOINS                                                                                                \
    " JOIN teaching t ON t.id = s.teaching_id JOIN subject sb ON sb.id = t.subject_id"                           \
    " JOIN person p ON p.id = t.teacher_id LEFT JOIN class c ON c.id = t.class_id LEFT JOIN grp g ON g.id = t.grp_id" \
    " LEFT JOIN room rm ON rm.id = s.room_id WHERE s.valid_from <= $3 AND s.valid_to >= $2"                   \
    " AND s.weekday BETWEEN $4 AND $5"

/* Each scope selects through an index: slots by enseignement, or by room.
 * The last column is the pupil the lesson is for (0 outside pupil scopes). */
static const char *const q_slots[] = {
    [TT_PUPIL] = SLOT_SELECT "x.pupil FROM " SQL_PUPIL_TEACHINGS " JOIN timetable_slot s ON s.teaching_id = x.teaching"
    SLOT_JOINS,
    [TT_GUARDIAN] = SLOT_SELECT "x.pupil FROM " SQL_GUARDIAN_TEACHINGS " JOIN timetable_slot s ON s.teaching_id = x.teaching"
    SLOT_JOINS,
    [TT_TEACHER] = SLOT_SELECT "0 FROM timetable_slot s" SLOT_JOINS
    " AND s.teaching_id IN (SELECT id FROM teaching WHERE teacher_id = $1)",
    [TT_CLASS] = SLOT_SELECT "0 FROM timetable_slot s" SLOT_JOINS
    " AND s.teaching_id IN (SELECT id FROM teaching WHERE class_id = $1)",
    [TT_ROOM] = SLOT_SELECT "0 FROM timetable_slot s" SLOT_JOINS " AND s.room_id = $1",
};

#define CHANGE_SELECT                                                                                             \
    "SELECT ch.id, ch.teaching_id, coalesce(ch.slot_id, 0), ch.on_date, ch.kind, coalesce(ch.starts_at, s.starts_at)," \
    " coalesce(ch.ends_at, s.ends_at), coalesce(ch.room_id, 0), cr.name, ch.note, rp.first_name, rp.last_name,"   \
    " coalesce(ch.replacement_teacher_id, 0), t.establishment_id, coalesce(t.class_id, 0), t.teacher_id, sb.name,"  \
    " sb.code, coalesce(c.name, g.name), p.first_name, p.last_name, coalesce(s.room_id, 0), sr.name, ch.visible_from, "
#define CHANGE_JOINS                                                                                              \
    " JOIN teaching t ON t.id = ch.teaching_id JOIN subject sb ON sb.id = t.subject_id"                          \
    " JOIN person p ON p.id = t.teacher_id LEFT JOIN class c ON c.id = t.class_id LEFT JOIN grp g ON g.id = t.grp_id" \
    " LEFT JOIN timetable_slot s ON s.id = ch.slot_id LEFT JOIN room cr ON cr.id = ch.room_id"                    \
    " LEFT JOIN room sr ON sr.id = s.room_id LEFT JOIN person rp ON rp.id = ch.replacement_teacher_id"           \
    " WHERE ch.visible_from <= $4"
/* The dates: through the date index when the scope's changes are found among
 * those of the day (a teacher's, a class's, a room's), through the teaching
 * index when the scope's teachings are known (a pupil's). There the date is
 * read through coalesce(), so that PostgreSQL's generic plan (which cannot
 * see the dates, and guesses few changes per date) does not scan every change
 * of the day in the territory instead of the few of each teaching. */
#define CHANGE_DATES " AND ch.on_date >= $2 AND ch.on_date <= $3"
#define CHANGE_DATES_OF_TEACHINGS " AND coalesce(ch.on_date, '') >= $2 AND coalesce(ch.on_date, '') <= $3"

/* The changes seen at $4 (R-DISCO: families only see a change from its
 * visible_from). */
static const char *const q_changes[] = {
    [TT_PUPIL] = CHANGE_SELECT "x.pupil FROM " SQL_PUPIL_TEACHINGS " JOIN lesson_change ch ON ch.teaching_id = x.teaching"
    CHANGE_JOINS CHANGE_DATES_OF_TEACHINGS,
    [TT_GUARDIAN] = CHANGE_SELECT "x.pupil FROM " SQL_GUARDIAN_TEACHINGS
    " JOIN lesson_change ch ON ch.teaching_id = x.teaching" CHANGE_JOINS CHANGE_DATES_OF_TEACHINGS,
    [TT_TEACHER] = CHANGE_SELECT "0 FROM lesson_change ch" CHANGE_JOINS CHANGE_DATES
    " AND (ch.teaching_id IN (SELECT id FROM teaching WHERE teacher_id = $1) OR ch.replacement_teacher_id = $1)",
    [TT_CLASS] = CHANGE_SELECT "0 FROM lesson_change ch" CHANGE_JOINS CHANGE_DATES
    " AND ch.teaching_id IN (SELECT id FROM teaching WHERE class_id = $1)",
    [TT_ROOM] = CHANGE_SELECT "0 FROM lesson_change ch" CHANGE_JOINS CHANGE_DATES " AND (ch.room_id = $1 OR s.room_id = $1)",
};

struct slot {
    struct lesson base;
    int weekday;
    char week;
    const char *valid_from, *valid_to;
};

struct change {
    struct lesson base;        /* the lesson as changed */
    const char *kind;
    int64_t replacement_id, new_room_id;
    const char *new_room;
};

static const char *name_of(struct arena *a, const char *first, const char *last)
{
    if (!first || !last) return NULL;
    return arena_printf(a, "%.1s. %s", first, last);
}

static struct stmt *ask_slots(struct store *s, enum timetable_scope scope, int64_t id, const char *from, const char *to)
{
    /* Only the weekdays of the range (a day's page needs one in seven slots,
     * and each slot costs its joins): from's to to's when the range holds
     * less than a week and does not go over a Sunday, else all seven. */
    int wd_from = calendar_weekday(from), wd_to = calendar_weekday(to);
    if (calendar_days_between(from, to) >= 6 || wd_from > wd_to) wd_from = 1, wd_to = 7;
    return store_q_ahead(s, q_slots[scope], "ittii", id, from, to, (int64_t)wd_from, (int64_t)wd_to);
}

static size_t load_slots(struct stmt *st, struct arena *a, struct slot **out)
{
    size_t n = 0, cap = 0;
    struct slot *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(a, v, n, &cap, sizeof *v);
        struct slot *x = &v[n++];
        memset(x, 0, sizeof *x);
        x->base.slot_id = stmt_int(st, 0);
        x->base.teaching_id = stmt_int(st, 1);
        x->weekday = (int)stmt_int(st, 2);
        x->base.starts_at = arena_strdup(a, stmt_text(st, 3));
        x->base.ends_at = arena_strdup(a, stmt_text(st, 4));
        x->week = stmt_text(st, 5)[0];
        x->valid_from = arena_strdup(a, stmt_text(st, 6));
        x->valid_to = arena_strdup(a, stmt_text(st, 7));
        x->base.establishment_id = stmt_int(st, 8);
        x->base.class_id = stmt_int(st, 9);
        x->base.teacher_id = stmt_int(st, 10);
        x->base.room_id = stmt_int(st, 11);
        x->base.subject = arena_strdup(a, stmt_text(st, 12));
        x->base.subject_code = arena_strdup(a, stmt_text(st, 13));
        x->base.class_name = arena_strdup(a, stmt_text(st, 14));
        x->base.teacher_name = name_of(a, stmt_text(st, 15), stmt_text(st, 16));
        x->base.room = arena_strdup(a, stmt_text(st, 17));
        x->base.pupil_id = stmt_int(st, 18);
    }
    stmt_done(st);
    *out = v;
    return n;
}

static size_t load_changes(struct stmt *st, struct arena *a, struct change **out)
{
    size_t n = 0, cap = 0;
    struct change *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(a, v, n, &cap, sizeof *v);
        struct change *x = &v[n++];
        memset(x, 0, sizeof *x);
        struct lesson *l = &x->base;
        l->change_id = stmt_int(st, 0);
        l->teaching_id = stmt_int(st, 1);
        l->slot_id = stmt_int(st, 2);
        snprintf(l->date, sizeof l->date, "%s", stmt_text(st, 3));
        x->kind = arena_strdup(a, stmt_text(st, 4));
        l->starts_at = arena_strdup(a, stmt_text(st, 5));
        l->ends_at = arena_strdup(a, stmt_text(st, 6));
        x->new_room_id = stmt_int(st, 7);
        x->new_room = arena_strdup(a, stmt_text(st, 8));
        l->note = arena_strdup(a, stmt_text(st, 9));
        l->replacement = name_of(a, stmt_text(st, 10), stmt_text(st, 11));
        x->replacement_id = stmt_int(st, 12);
        l->establishment_id = stmt_int(st, 13);
        l->class_id = stmt_int(st, 14);
        l->teacher_id = stmt_int(st, 15);
        l->subject = arena_strdup(a, stmt_text(st, 16));
        l->subject_code = arena_strdup(a, stmt_text(st, 17));
        l->class_name = arena_strdup(a, stmt_text(st, 18));
        l->teacher_name = name_of(a, stmt_text(st, 19), stmt_text(st, 20));
        l->room_id = stmt_int(st, 21);
        l->room = arena_strdup(a, stmt_text(st, 22));
        l->visible_from = stmt_int(st, 23);
        l->pupil_id = stmt_int(st, 24);
        l->status = x->kind;
    }
    stmt_done(st);
    *out = v;
    return n;
}

/* Apply a change to a lesson computed from its slot. */
static void apply(struct lesson *l, const struct change *c)
{
    l->change_id = c->base.change_id;
    l->visible_from = c->base.visible_from;
    l->status = c->kind;
    l->note = c->base.note;
    if (!strcmp(c->kind, "room_changed") && c->new_room_id) {
        l->usual_room = l->room;
        l->room = c->new_room;
        l->room_id = c->new_room_id;
    }
    if (!strcmp(c->kind, "replaced")) l->replacement = c->base.replacement;
}

static int cmp_lesson(const void *x, const void *y)
{
    const struct lesson *a = x, *b = y;
    int d = strcmp(a->date, b->date);
    if (!d) d = strcmp(a->starts_at, b->starts_at);
    return d;
}

size_t timetable_days(struct store *s, struct arena *a, enum timetable_scope scope, int64_t id, const char *from,
                      const char *to, struct timetable_day **out, bool *covered)
{
    return timetable_days_read(s, a, timetable_days_ask(s, scope, id, from, to), out, covered);
}

struct timetable_asked timetable_days_ask(struct store *s, enum timetable_scope scope, int64_t id, const char *from,
                                          const char *to)
{
    bool families = scope == TT_PUPIL || scope == TT_GUARDIAN;
    return timetable_days_seen_ask(s, scope, id, from, to, families ? clock_now() : TIMETABLE_SEE_ALL);
}

size_t timetable_days_seen(struct store *s, struct arena *a, enum timetable_scope scope, int64_t id, const char *from,
                           const char *to, int64_t seen_at, struct timetable_day **out, bool *covered)
{
    return timetable_days_read(s, a, timetable_days_seen_ask(s, scope, id, from, to, seen_at), out, covered);
}

/* The slots and the changes are asked together: one round trip. */
struct timetable_asked timetable_days_seen_ask(struct store *s, enum timetable_scope scope, int64_t id, const char *from,
                                               const char *to, int64_t seen_at)
{
    struct timetable_asked q = {.scope = scope, .id = id};
    snprintf(q.from, sizeof q.from, "%s", from);
    snprintf(q.to, sizeof q.to, "%s", to);
    int ndays = calendar_days_between(from, to) + 1;
    if (ndays < 1 || ndays > 370) return q;
    q.slots = ask_slots(s, scope, id, from, to);
    q.changes = store_q_ahead(s, q_changes[scope], "itti", id, from, to, seen_at);
    return q;
}

size_t timetable_days_read(struct store *s, struct arena *a, struct timetable_asked q, struct timetable_day **out,
                           bool *covered)
{
    enum timetable_scope scope = q.scope;
    int64_t id = q.id;
    const char *from = q.from;
    int ndays = calendar_days_between(q.from, q.to) + 1;
    *covered = true;
    if (ndays < 1 || ndays > 370 || !q.slots || !q.changes) {
        stmt_done(q.slots);
        stmt_done(q.changes);
        return 0;
    }
    struct slot *slots;
    struct change *changes;
    size_t nslots = load_slots(q.slots, a, &slots);
    size_t nchanges = load_changes(q.changes, a, &changes);

    /* The calendars of the establishments involved (usually one). */
    struct { int64_t est; struct school_calendar *cal; } cals[8];
    size_t ncals = 0;
    struct timetable_day *days = arena_alloc(a, (size_t)ndays * sizeof *days);
    for (int d = 0; d < ndays; d++) calendar_add_days(from, d, days[d].date);

    size_t cap = 0, n = 0;
    struct lesson *all = NULL;
    for (int d = 0; d < ndays; d++) {
        const char *date = days[d].date;
        int wd = calendar_weekday(date);
        days[d].school_day = false;
        /* Per calendar, computed once for the day: school day? week A/B? */
        signed char open[8] = {0};
        char ab[8] = {0};
        for (size_t i = 0; i < nslots; i++) {
            struct slot *sl = &slots[i];
            if (sl->weekday != wd || strcmp(sl->valid_from, date) > 0 || strcmp(sl->valid_to, date) < 0) continue;
            size_t k = 0;
            while (k < ncals && cals[k].est != sl->base.establishment_id) k++;
            if (k == ncals) {
                if (ncals == 8) continue;
                cals[ncals].est = sl->base.establishment_id;
                cals[ncals++].cal = calendar_load(s, a, sl->base.establishment_id);
            }
            struct school_calendar *cal = cals[k].cal;
            if (!cal) continue;
            if (!open[k]) {
                const char *why = NULL;
                open[k] = calendar_is_school_day(cal, date, &why) ? 1 : -1;
                if (open[k] < 0) {
                    if (!days[d].why) days[d].why = why;
                    if (why && !strcmp(why, "calendar.not_loaded")) *covered = false;
                } else {
                    ab[k] = calendar_week_ab(cal, date);
                }
            }
            if (open[k] < 0) continue;
            days[d].school_day = true;
            if (sl->week && ab[k] != sl->week) continue;
            all = arena_grow(a, all, n, &cap, sizeof *all);
            struct lesson *l = &all[n++];
            *l = sl->base;
            snprintf(l->date, sizeof l->date, "%s", date);
            for (size_t c = 0; c < nchanges; c++)
                if (changes[c].base.slot_id == l->slot_id && changes[c].base.pupil_id == l->pupil_id &&
                    !strcmp(changes[c].base.date, date))
                    apply(l, &changes[c]);
            if (scope == TT_ROOM && l->room_id != id) n--; /* moved to another room */
        }
    }
    /* Extra lessons, exams, and lessons taken over or moved into scope. */
    for (size_t c = 0; c < nchanges; c++) {
        struct change *ch = &changes[c];
        bool add = !ch->base.slot_id;
        if (scope == TT_TEACHER && ch->replacement_id == id && ch->base.teacher_id != id && !strcmp(ch->kind, "replaced"))
            add = true;
        if (scope == TT_ROOM && ch->base.slot_id && ch->new_room_id == id && ch->base.room_id != id) add = true;
        if (!add || !ch->base.starts_at) continue;
        all = arena_grow(a, all, n, &cap, sizeof *all);
        struct lesson *l = &all[n++];
        *l = ch->base;
        if (ch->new_room_id) {
            if (ch->base.slot_id) l->usual_room = l->room;
            l->room = ch->new_room;
            l->room_id = ch->new_room_id;
        }
        l->replacing = scope == TT_TEACHER && ch->replacement_id == id && ch->base.teacher_id != id;
    }
    if (n) qsort(all, n, sizeof *all, cmp_lesson);
    for (size_t i = 0, d = 0; i < n; i++) {
        while (d < (size_t)ndays && strcmp(days[d].date, all[i].date) < 0) d++;
        if (d == (size_t)ndays) break;
        if (!days[d].lessons) days[d].lessons = &all[i];
        days[d].nlessons++;
        days[d].school_day = true;
    }
    for (int d = 0; d < ndays; d++) {
        if (days[d].school_day || days[d].why) continue;
        int wd = calendar_weekday(days[d].date);
        days[d].why = wd >= 6 ? "calendar.weekend" : NULL;
    }
    *out = days;
    return (size_t)ndays;
}

/* ---- Week pages ---------------------------------------------------------- */

/* The Monday of the week asked for, or of this week (next week at weekends:
 * on Sunday evening families look at the coming week). */
static bool chosen_monday(struct req *r, char monday[11])
{
    const char *w = param(r, "semaine");
    if (w) {
        if (!calendar_valid_date(w)) return false;
        calendar_monday(w, monday);
        return true;
    }
    char today[11];
    clock_today(today);
    if (calendar_weekday(today) >= 6) calendar_add_days(today, 7, today);
    calendar_monday(today, monday);
    return true;
}

static const char *day_title(struct req *r, const char *date)
{
    char key[16];
    snprintf(key, sizeof key, "weekday.%d", calendar_weekday(date));
    return arena_printf(&r->arena, "%s %s", tr(r, key), page_date(r, clock_local_noon(date)));
}

static void lesson_item(struct req *r, const struct lesson *l, enum timetable_scope scope, bool today, bool can_edit)
{
    bool off = l->status && (!strcmp(l->status, "cancelled") || !strcmp(l->status, "teacher_absent"));
    out(r, "<li class=\"lesson%R%R\"><p class=\"when\"><time>%h</time>–<time>%h</time></p><div class=\"what\">",
        off ? " off" : "", l->status && today ? " today-change" : "", /* RAW_OK: literal class names */
        l->starts_at, l->ends_at);
    out(r, "<p class=\"subject\"><span class=\"name\">%h</span>", l->subject);
    if (l->status) out(r, " <span class=\"badge change %h\">%h</span>", l->status, tr(r, arena_printf(&r->arena, "change.%s", l->status)));
    if (l->replacing) out(r, " <span class=\"badge change replaced\">%h</span>", tr(r, "timetable.replacing"));
    /* Staff pages only: families never get a change before visible_from. */
    if (l->change_id) diffusion_badge(r, diffusion_load(store_thread(), &r->arena, l->establishment_id), l->visible_from);
    out(r, "</p><p class=\"meta\">");
    if (scope != TT_TEACHER || l->replacing) out(r, "%h", l->teacher_name);
    if (scope != TT_CLASS && scope != TT_PUPIL) out(r, "%R%h", scope != TT_TEACHER || l->replacing ? " · " : "", /* RAW_OK: literal */
                                                   l->class_name);
    if (l->room) {
        out(r, " · ");
        if (l->usual_room) out(r, "<del>%h</del> ", l->usual_room);
        /* Staff see a room's week (the room itself is asked again on its page). */
        if (l->room_id && policy_may(store_thread(), r->actor, ACT_ROOM_VIEW, OBJECT_NONE))
            out(r, "<a href=\"/emploi-du-temps/salles/%I\">%h</a>", l->room_id, l->room);
        else
            out(r, "%h", l->room);
    }
    out(r, "</p>");
    if (l->replacement) out(r, "<p class=\"meta\">%h</p>", tr_fmt(r, "timetable.replaced_by", l->replacement, NULL));
    if (l->note && *l->note) out(r, "<p class=\"note\">%h</p>", l->note);
    /* The class log of one's own lessons (a link: the log is another module). */
    if ((scope == TT_TEACHER || scope == TT_CLASS) && !l->replacing && l->slot_id && l->teacher_id == r->actor->person_id &&
        (!l->status || strcmp(l->status, "cancelled")))
        out(r, "<p><a href=\"/cahier-de-textes/cours/%I/%h\">%h</a> · <a href=\"/appel/%I/%h\">%h</a></p>", l->slot_id, l->date,
            tr(r, "log.fill"), l->slot_id, l->date, tr(r, "attendance.roll_call"));
    if (can_edit && l->slot_id && (!l->status || l->change_id))
        out(r, "<p><a href=\"/emploi-du-temps/cours/%I/%h\">%h</a></p>", l->slot_id, l->date, tr(r, "timetable.edit_lesson"));
    out(r, "</div></li>");
}

static void event_form(struct req *r, int64_t class_id, const char *monday);

/* The week page shared by every view. base: the page's own URL; can_edit:
 * lessons link to the change form; event_class: offer the form to schedule
 * an exam or an extra lesson for that class (0: none). */
static void week_page(struct req *r, enum timetable_scope scope, int64_t id, const char *title, const char *subtitle,
                      const char *base, bool can_edit, int64_t event_class)
{
    struct store *s = store_thread();
    char monday[11], sunday[11], prev[11], next[11], today[11];
    if (!chosen_monday(r, monday)) {
        reply_error(r, 400, tr_fmt(r, "err.param.invalid", tr(r, "timetable.week"), NULL));
        return;
    }
    calendar_add_days(monday, 6, sunday);
    calendar_add_days(monday, -7, prev);
    calendar_add_days(monday, 7, next);
    clock_today(today);
    struct timetable_day *days;
    bool covered;
    int64_t seen = scope == TT_PUPIL ? timetable_seen_at(r->actor, id) : TIMETABLE_SEE_ALL;
    size_t nd = timetable_days_seen(s, &r->arena, scope, id, monday, sunday, seen, &days, &covered);
    char ab = 0;
    page_begin(r, title);
    out(r, "<h1>%h</h1>", title);
    if (subtitle) out(r, "<p class=\"lead\">%h</p>", subtitle);
    /* Week A/B, from the first lesson's establishment. */
    for (size_t d = 0; d < nd && !ab; d++)
        if (days[d].nlessons) {
            struct school_calendar *cal = calendar_load(s, &r->arena, days[d].lessons[0].establishment_id);
            if (cal) ab = calendar_week_ab(cal, days[d].date);
        }
    out(r, "<nav class=\"weeknav\" aria-label=\"%h\"><a href=\"%h?semaine=%h\" rel=\"prev\">%h</a><p><strong>%h</strong>",
        tr(r, "timetable.weeks"), base, prev, tr(r, "timetable.prev"),
        tr_fmt(r, "timetable.week_of", page_date(r, clock_local_noon(monday)), NULL));
    if (ab) out(r, " <span class=\"badge\">%h</span>", tr(r, ab == 'A' ? "timetable.week_a" : "timetable.week_b"));
    out(r, "</p><a href=\"%h?semaine=%h\" rel=\"next\">%h</a></nav>", base, next, tr(r, "timetable.next"));
    if (!covered) out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr(r, "timetable.no_calendar"));
    int changes_today = 0;
    for (size_t d = 0; d < nd; d++)
        if (!strcmp(days[d].date, today))
            for (size_t i = 0; i < days[d].nlessons; i++) changes_today += days[d].lessons[i].status != NULL;
    if (changes_today) {
        char n[16];
        snprintf(n, sizeof n, "%d", changes_today);
        out(r, "<p class=\"notice\" role=\"status\"><a href=\"#jour-%h\">%h</a></p>", today, tr_fmt(r, "timetable.changes_today", n, NULL));
    }
    for (size_t d = 0; d < nd; d++) {
        int wd = calendar_weekday(days[d].date);
        if (wd >= 6 && !days[d].nlessons) continue; /* weekends only when something happens */
        bool is_today = !strcmp(days[d].date, today);
        out(r, "<section class=\"day%R\" id=\"jour-%h\" aria-labelledby=\"h-%h\"><h2 id=\"h-%h\">%h",
            is_today ? " today" : "", days[d].date, days[d].date, days[d].date, /* RAW_OK: literal */
            day_title(r, days[d].date));
        if (is_today) out(r, " <span class=\"badge\">%h</span>", tr(r, "timetable.today"));
        out(r, "</h2>");
        if (days[d].nlessons) {
            out(r, "<ol class=\"lessons\">");
            for (size_t i = 0; i < days[d].nlessons; i++) lesson_item(r, &days[d].lessons[i], scope, is_today, can_edit);
            out(r, "</ol>");
        } else {
            out(r, "<p class=\"meta\">%h</p>", days[d].why ? tr(r, days[d].why) : tr(r, "timetable.no_lesson"));
        }
        out(r, "</section>");
    }
    if (event_class) event_form(r, event_class, monday);
    /* One's own week: the iCalendar address of it (pupils, teachers). */
    if ((scope == TT_PUPIL || scope == TT_TEACHER) && id == r->actor->person_id)
        out(r, "<p><a href=\"/emploi-du-temps/agenda\">%h</a></p>", tr(r, "ical.link"));
    page_end(r);
}

static bool deny(struct req *r, int action, struct object o)
{
    if (policy_may(store_thread(), r->actor, action, o)) return false;
    reply_error(r, 403, tr(r, "err.forbidden"));
    return true;
}

static const char *person_name(struct req *r, int64_t id, const char **class_name)
{
    char today[11];
    clock_today(today);
    struct stmt *st = store_q(store_thread(),
        "SELECT p.first_name, p.last_name, (SELECT c.name FROM enrolment en JOIN class c ON c.id = en.class_id"
        " WHERE en.pupil_id = p.id AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2) LIMIT 1)"
        " FROM person p WHERE p.id = $1", "it", id, today);
    const char *name = NULL;
    if (st && stmt_step(st) == STORE_ROW) {
        name = arena_printf(&r->arena, "%s %s", stmt_text(st, 0), stmt_text(st, 1));
        if (class_name) *class_name = arena_strdup(&r->arena, stmt_text(st, 2));
    }
    stmt_done(st);
    return name;
}

static void pupil_week(struct req *r)
{
    int64_t id = param_int(r, "id");
    if (deny(r, ACT_PERSON_VIEW, OBJECT(OBJ_PERSON, id))) return;
    const char *cls = NULL, *name = person_name(r, id, &cls);
    if (!name || !cls) {
        reply_error(r, 404, tr(r, "timetable.not_a_pupil"));
        return;
    }
    week_page(r, TT_PUPIL, id, tr_fmt(r, "timetable.title_of", name, NULL), tr_fmt(r, "timetable.class_of", cls, NULL),
              arena_printf(&r->arena, "/emploi-du-temps/eleves/%lld", (long long)id), false, 0);
}

static bool can_edit_in(struct req *r, int64_t establishment)
{
    return policy_may(store_thread(), r->actor, ACT_TIMETABLE_EDIT, OBJECT(OBJ_ESTABLISHMENT, establishment));
}

static void teacher_week(struct req *r)
{
    int64_t id = param_int(r, "id");
    if (deny(r, ACT_TEACHER_TIMETABLE, OBJECT(OBJ_PERSON, id))) return;
    const char *name = person_name(r, id, NULL);
    week_page(r, TT_TEACHER, id, tr_fmt(r, "timetable.title_of", name ? name : "", NULL), NULL,
              arena_printf(&r->arena, "/emploi-du-temps/enseignants/%lld", (long long)id),
              policy_has(r->actor, PROFILE_STAFF) || policy_has(r->actor, PROFILE_HEAD), 0);
}

/* Name, establishment name and establishment of a class or a room (sql
 * selects those three columns for $1); false after answering 404. */
static bool place(struct req *r, const char *sql, int64_t id, const char **name, const char **ename, int64_t *est)
{
    struct stmt *st = store_q(store_thread(), sql, "i", id);
    *name = NULL;
    if (st && stmt_step(st) == STORE_ROW) {
        *name = arena_strdup(&r->arena, stmt_text(st, 0));
        *ename = arena_strdup(&r->arena, stmt_text(st, 1));
        *est = stmt_int(st, 2);
    }
    stmt_done(st);
    if (!*name) reply_error(r, 404, tr(r, "err.not_found"));
    return *name != NULL;
}

static void class_week(struct req *r)
{
    int64_t id = param_int(r, "id"), est;
    const char *name, *ename;
    if (deny(r, ACT_CLASS_VIEW, OBJECT(OBJ_CLASS, id)) ||
        !place(r, "SELECT c.name, e.name, c.establishment_id FROM class c"
                  " JOIN establishment e ON e.id = c.establishment_id WHERE c.id = $1", id, &name, &ename, &est))
        return;
    week_page(r, TT_CLASS, id, tr_fmt(r, "timetable.title_class", name, NULL), ename,
              arena_printf(&r->arena, "/emploi-du-temps/classes/%lld", (long long)id), can_edit_in(r, est), id);
}

static void room_week(struct req *r)
{
    int64_t id = param_int(r, "id"), est;
    const char *name, *ename;
    if (deny(r, ACT_ROOM_VIEW, OBJECT(OBJ_ROOM, id)) ||
        !place(r, "SELECT rm.name, e.name, rm.establishment_id FROM room rm"
                  " JOIN establishment e ON e.id = rm.establishment_id WHERE rm.id = $1", id, &name, &ename, &est))
        return;
    week_page(r, TT_ROOM, id, tr_fmt(r, "timetable.title_room", name, NULL), ename,
              arena_printf(&r->arena, "/emploi-du-temps/salles/%lld", (long long)id), can_edit_in(r, est), 0);
}

/* Staff: choose a class, a teacher or a room of each establishment. */
static void staff_chooser(struct req *r, struct store *s)
{
    for (size_t i = 0; i < r->actor->nroles; i++) {
        const struct role *ro = &r->actor->roles[i];
        if (ro->profile != PROFILE_STAFF && ro->profile != PROFILE_HEAD) continue;
        int64_t e = ro->establishment_id;
        out(r, "<section class=\"card\"><h2>%h</h2><h3>%h</h3><ul class=\"chips\">", ro->establishment_name,
            tr(r, "portal.classes"));
        struct stmt *st = store_q(s, "SELECT c.id, c.name FROM class c JOIN level l ON l.id = c.level_id"
                                     " WHERE c.establishment_id = $1 ORDER BY l.ordinal, c.name", "i", e);
        while (st && stmt_step(st) == STORE_ROW)
            out(r, "<li><a class=\"chip\" href=\"/emploi-du-temps/classes/%I\">%h</a></li>", stmt_int(st, 0), stmt_text(st, 1));
        stmt_done(st);
        out(r, "</ul><h3>%h</h3><ul class=\"chips\">", tr(r, "timetable.teachers"));
        char today[11];
        clock_today(today);
        st = store_q(s, "SELECT p.id, p.first_name, p.last_name FROM role r JOIN person p ON p.id = r.person_id"
                        " WHERE r.establishment_id = $1 AND r.profile = 'teacher' AND r.starts_on <= $2"
                        " AND (r.ends_on IS NULL OR r.ends_on >= $2) ORDER BY p.last_name, p.first_name", "it", e, today);
        while (st && stmt_step(st) == STORE_ROW)
            out(r, "<li><a class=\"chip\" href=\"/emploi-du-temps/enseignants/%I\">%h %h</a></li>", stmt_int(st, 0),
                stmt_text(st, 2), stmt_text(st, 1));
        stmt_done(st);
        out(r, "</ul><h3>%h</h3><ul class=\"chips\">", tr(r, "timetable.rooms"));
        st = store_q(s, "SELECT id, name FROM room WHERE establishment_id = $1 ORDER BY name", "i", e);
        while (st && stmt_step(st) == STORE_ROW)
            out(r, "<li><a class=\"chip\" href=\"/emploi-du-temps/salles/%I\">%h</a></li>", stmt_int(st, 0), stmt_text(st, 1));
        stmt_done(st);
        out(r, "</ul></section>");
    }
}

/* /emploi-du-temps: my week (pupil, teacher), my children (parent), or the
 * establishment's classes, teachers and rooms (school-life staff, heads). */
static void my_timetable(struct req *r)
{
    struct store *s = store_thread();
    const struct actor *a = r->actor;
    if (policy_has(a, PROFILE_PUPIL)) {
        week_page(r, TT_PUPIL, a->person_id, tr(r, "timetable.title"), NULL, "/emploi-du-temps", false, 0);
        return;
    }
    if (policy_has(a, PROFILE_TEACHER) && !policy_has(a, PROFILE_STAFF) && !policy_has(a, PROFILE_HEAD) &&
        !policy_has(a, PROFILE_PARENT)) {
        week_page(r, TT_TEACHER, a->person_id, tr(r, "timetable.title"), NULL, "/emploi-du-temps", false, 0);
        return;
    }
    if (policy_has(a, PROFILE_PARENT) && a->nchildren == 1 && !policy_is_staff(a)) {
        reply_redirect(r, arena_printf(&r->arena, "/emploi-du-temps/eleves/%lld", (long long)a->children[0]));
        return;
    }
    page_begin(r, tr(r, "timetable.title"));
    out(r, "<h1>%h</h1>", tr(r, "timetable.title"));
    if (policy_has(a, PROFILE_PARENT)) {
        out(r, "<section class=\"card\"><h2>%h</h2><ul class=\"chips\">", tr(r, "portal.my_children"));
        for (size_t i = 0; i < a->nchildren; i++) {
            const char *name = person_name(r, a->children[i], NULL);
            out(r, "<li><a class=\"chip\" href=\"/emploi-du-temps/eleves/%I\">%h</a></li>", a->children[i], name ? name : "");
        }
        out(r, "</ul></section>");
    }
    if (policy_has(a, PROFILE_TEACHER))
        out(r, "<p><a class=\"button\" href=\"/emploi-du-temps/enseignants/%I\">%h</a></p>", a->person_id,
            tr(r, "timetable.my_week"));
    staff_chooser(r, s);
    page_end(r);
}

/* Schedule an exam or an extra lesson for one of the class's enseignements
 * the actor may schedule (their own, or any for school-life staff). */
static void event_form(struct req *r, int64_t class_id, const char *monday)
{
    struct store *s = store_thread();
    struct stmt *st = store_q(s,
        "SELECT t.id, sb.name, p.first_name, p.last_name, t.establishment_id FROM teaching t JOIN subject sb ON sb.id = t.subject_id"
        " JOIN person p ON p.id = t.teacher_id WHERE t.class_id = $1 ORDER BY sb.name", "i", class_id);
    struct { int64_t id, est; const char *label; } *v = NULL;
    size_t n = 0, cap = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n].id = stmt_int(st, 0);
        v[n].est = stmt_int(st, 4);
        v[n++].label = arena_printf(&r->arena, "%s — %.1s. %s", stmt_text(st, 1), stmt_text(st, 2), stmt_text(st, 3));
    }
    stmt_done(st);
    size_t allowed = 0;
    for (size_t i = 0; i < n; i++) {
        if (!policy_may(s, r->actor, ACT_LESSON_EXAM, OBJECT(OBJ_TEACHING, v[i].id))) continue;
        if (!allowed++) {
            out(r, "<section class=\"card\"><h2>%h</h2>", tr(r, "timetable.add_event"));
            diffusion_notice(r, diffusion_load(s, &r->arena, v[i].est), "timetable.quiet_notice");
            out(r, "<form method=\"post\" action=\"/emploi-du-temps/evenements\" class=\"stack\">");
            page_csrf_input(r);
            out(r, "<label for=\"teaching\">%h</label><select id=\"teaching\" name=\"teaching\">", tr(r, "timetable.teaching"));
        }
        out(r, "<option value=\"%I\">%h</option>", v[i].id, v[i].label);
    }
    if (!allowed) return;
    out(r, "</select><fieldset><legend>%h</legend><label class=\"check\"><input type=\"radio\" name=\"kind\" value=\"exam\" "
           "checked> %h</label><label class=\"check\"><input type=\"radio\" name=\"kind\" value=\"extra\"> %h</label></fieldset>",
        tr(r, "timetable.change_kind"), tr(r, "change.exam"), tr(r, "change.extra"));
    out(r, "<label for=\"date\">%h</label><input id=\"date\" name=\"date\" type=\"date\" required value=\"%h\">"
           "<div class=\"row\"><p><label for=\"starts_at\">%h</label><input id=\"starts_at\" name=\"starts_at\" type=\"time\" "
           "required></p><p><label for=\"ends_at\">%h</label><input id=\"ends_at\" name=\"ends_at\" type=\"time\" required></p></div>"
           "<label for=\"note\">%h</label><input id=\"note\" name=\"note\" maxlength=\"200\">"
           "<button type=\"submit\" class=\"primary\">%h</button></form></section>",
        tr(r, "timetable.date"), monday, tr(r, "timetable.starts_at"), tr(r, "timetable.ends_at"), tr(r, "timetable.note"),
        tr(r, "timetable.add_event"));
}

/* ---- Changes (school-life staff, heads) ---------------------------------- */

static const char *const change_kinds[] = {"cancelled", "teacher_absent", "replaced", "room_changed", NULL};
static const char *const extra_kinds[] = {"extra", "exam", NULL};

bool timetable_lesson_at(struct req *r, int action, struct lesson_at *l)
{
    struct store *s = store_thread();
    l->slot = param_int(r, "slot");
    l->date = param(r, "date");
    struct stmt *st = store_q(s,
        "SELECT t.id, t.teacher_id, t.establishment_id, coalesce(t.class_id, 0), coalesce(t.grp_id, 0), t.subject_id,"
        " s.weekday, sb.name, coalesce(c.name, g.name), s.starts_at, s.ends_at, s.valid_from, s.valid_to, s.week"
        " FROM timetable_slot s JOIN teaching t ON t.id = s.teaching_id"
        " JOIN subject sb ON sb.id = t.subject_id LEFT JOIN class c ON c.id = t.class_id LEFT JOIN grp g ON g.id = t.grp_id"
        " WHERE s.id = $1", "i", l->slot);
    bool found = st && stmt_step(st) == STORE_ROW;
    if (found) {
        struct arena *a = &r->arena;
        l->teaching = stmt_int(st, 0);
        l->teacher = stmt_int(st, 1);
        l->est = stmt_int(st, 2);
        l->class_id = stmt_int(st, 3);
        l->grp_id = stmt_int(st, 4);
        l->subject_id = stmt_int(st, 5);
        l->weekday = (int)stmt_int(st, 6);
        l->subject = arena_strdup(a, stmt_text(st, 7));
        l->class_name = arena_strdup(a, stmt_text(st, 8));
        l->starts = arena_strdup(a, stmt_text(st, 9));
        l->ends = arena_strdup(a, stmt_text(st, 10));
        l->valid_from = arena_strdup(a, stmt_text(st, 11));
        l->valid_to = arena_strdup(a, stmt_text(st, 12));
        l->week = arena_strdup(a, stmt_text(st, 13));
    }
    stmt_done(st);
    if (!found) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return false;
    }
    struct object o = action == ACT_TIMETABLE_EDIT ? OBJECT(OBJ_ESTABLISHMENT, l->est) : OBJECT(OBJ_TEACHING, l->teaching);
    if (!policy_may(s, r->actor, action, o)) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return false;
    }
    if (!calendar_valid_date(l->date) || calendar_weekday(l->date) != l->weekday || strcmp(l->date, l->valid_from) < 0 ||
        strcmp(l->date, l->valid_to) > 0) {
        reply_error(r, 400, tr(r, "timetable.err.not_that_day"));
        return false;
    }
    return true;
}

bool timetable_teaching(struct store *s, struct arena *a, int64_t id, struct teaching_info *out)
{
    struct stmt *st = store_q(s,
        "SELECT t.establishment_id, t.teacher_id, coalesce(t.class_id, 0), coalesce(t.grp_id, 0), t.subject_id, sb.name,"
        " coalesce(c.name, g.name), p.first_name, p.last_name FROM teaching t JOIN subject sb ON sb.id = t.subject_id"
        " JOIN person p ON p.id = t.teacher_id LEFT JOIN class c ON c.id = t.class_id LEFT JOIN grp g ON g.id = t.grp_id"
        " WHERE t.id = $1", "i", id);
    bool found = st && stmt_step(st) == STORE_ROW;
    if (found)
        *out = (struct teaching_info){.id = id, .establishment_id = stmt_int(st, 0), .teacher_id = stmt_int(st, 1),
                                      .class_id = stmt_int(st, 2), .grp_id = stmt_int(st, 3), .subject_id = stmt_int(st, 4),
                                      .subject = arena_strdup(a, stmt_text(st, 5)),
                                      .group_name = arena_strdup(a, stmt_text(st, 6)),
                                      .teacher_name = name_of(a, stmt_text(st, 7), stmt_text(st, 8))};
    stmt_done(st);
    return found;
}

size_t timetable_teaching_pupils(struct store *s, struct arena *a, const struct teaching_info *t, const char *date,
                                 struct pupil_ref **out)
{
    struct stmt *st = store_q(s,
        "SELECT p.id, p.first_name, p.last_name FROM person p WHERE p.id IN"
        " (SELECT pupil_id FROM enrolment WHERE class_id = $1 AND starts_on <= $3 AND (ends_on IS NULL OR ends_on >= $3)"
        " UNION SELECT pupil_id FROM group_member WHERE grp_id = $2) ORDER BY p.last_name, p.first_name, p.id",
        "iit", t->class_id, t->grp_id, date);
    size_t n = 0, cap = 0;
    struct pupil_ref *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(a, v, n, &cap, sizeof *v);
        v[n++] = (struct pupil_ref){stmt_int(st, 0), arena_strdup(a, stmt_text(st, 1)), arena_strdup(a, stmt_text(st, 2))};
    }
    stmt_done(st);
    *out = v;
    return n;
}

/* A one-off change to store: of a lesson (slot), or with its own times
 * (an extra lesson, an exam). */
struct change_in {
    int64_t teaching, slot, est, room, replacement;   /* slot, room, replacement: 0 for none */
    const char *date, *kind, *starts, *ends, *subject;
};

/* Store a change and notify the families of its enseignement, in one
 * transaction (R-DISCO: entered in a quiet period, families see it and are
 * told at the end of the period; notify.h). Returns its id, or 0 on a store
 * error. */
static int64_t change_store(struct req *r, const struct change_in *c)
{
    struct store *s = store_thread();
    int64_t now = clock_now(), id = 0;
    int64_t visible = diffusion_release_at(diffusion_load(s, &r->arena, c->est), now);
    if (store_begin(s) < 0) return 0;
    if (store_int(s, &id,
                  "INSERT INTO lesson_change (teaching_id, slot_id, on_date, kind, starts_at, ends_at, room_id,"
                  " replacement_teacher_id, note, created_by, created_at, visible_from)"
                  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                  "iNttttNNtiii", c->teaching, c->slot, c->date, c->kind, c->starts, c->ends, c->room, c->replacement,
                  param(r, "note") ? param(r, "note") : "", r->actor->person_id, now, visible) == 1) {
        struct notice nt = {.service = "timetable",
                            .title = diffusion_title(r, arena_printf(&r->arena, "timetable.notify.%s", c->kind), c->subject, c->date),
                            .item = arena_printf(&r->arena, "change:%lld", (long long)id), .establishment = c->est,
                            .visible_at = visible};
        if (timetable_notify_families(s, &r->arena, c->teaching, c->date, &nt, "/emploi-du-temps",
                                      arena_printf(&r->arena, "?semaine=%s", c->date)) == 0 && store_commit(s) == 0)
            return id;
    }
    store_rollback(s);
    return 0;
}

static void lesson_form(struct req *r, const char *error)
{
    struct store *s = store_thread();
    struct lesson_at si;
    if (!timetable_lesson_at(r, ACT_TIMETABLE_EDIT, &si)) return;
    const char *date = si.date;
    int64_t slot = param_int(r, "slot");
    page_begin(r, tr(r, "timetable.edit_lesson"));
    out(r, "<h1>%h</h1><p class=\"lead\">%h — %h, %h–%h</p>", tr(r, "timetable.edit_lesson"), si.subject,
        si.class_name, si.starts, si.ends);
    out(r, "<p>%h</p>", day_title(r, date));
    if (si.class_id)
        out(r, "<p><a href=\"/emploi-du-temps/classes/%I?semaine=%h\">%h</a></p>", si.class_id, date, tr(r, "timetable.back"));
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    const struct diffusion *d = diffusion_load(s, &r->arena, si.est);
    struct stmt *st = store_q(s, "SELECT id, kind, note, visible_from FROM lesson_change WHERE slot_id = $1 AND on_date = $2",
                              "it", slot, date);
    bool has = false;
    while (st && stmt_step(st) == STORE_ROW) {
        has = true;
        out(r, "<section class=\"card\"><p><span class=\"badge change\">%h</span>",
            tr(r, arena_printf(&r->arena, "change.%s", stmt_text(st, 1))));
        diffusion_badge(r, d, stmt_int(st, 3));
        out(r, " %h</p><form method=\"post\" action=\"/emploi-du-temps/changements/%I/supprimer\">", stmt_text(st, 2),
            stmt_int(st, 0));
        page_csrf_input(r);
        out(r, "<button type=\"submit\" class=\"danger\">%h</button></form></section>", tr(r, "timetable.undo_change"));
    }
    stmt_done(st);
    if (has) {
        page_end(r);
        return;
    }
    diffusion_notice(r, d, "timetable.quiet_notice");
    out(r, "<section class=\"card\"><form method=\"post\" action=\"/emploi-du-temps/cours/%I/%h\" class=\"stack\">", slot, date);
    page_csrf_input(r);
    out(r, "<fieldset><legend>%h</legend>", tr(r, "timetable.change_kind"));
    for (size_t i = 0; change_kinds[i]; i++)
        out(r, "<label class=\"check\"><input type=\"radio\" name=\"kind\" value=\"%h\"%R> %h</label>", change_kinds[i],
            i ? "" : " checked", tr(r, arena_printf(&r->arena, "change.%s", change_kinds[i]))); /* RAW_OK: literal */
    out(r, "</fieldset><label for=\"replacement\">%h</label><select id=\"replacement\" name=\"replacement\"><option value=\"\">—</option>",
        tr(r, "timetable.replacement"));
    char today[11];
    clock_today(today);
    st = store_q(s, "SELECT p.id, p.first_name, p.last_name FROM role r JOIN person p ON p.id = r.person_id"
                    " WHERE r.establishment_id = $1 AND r.profile = 'teacher' AND r.person_id <> $2 AND r.starts_on <= $3"
                    " AND (r.ends_on IS NULL OR r.ends_on >= $3) ORDER BY p.last_name", "iit", si.est, si.teacher, today);
    while (st && stmt_step(st) == STORE_ROW)
        out(r, "<option value=\"%I\">%h %h</option>", stmt_int(st, 0), stmt_text(st, 2), stmt_text(st, 1));
    stmt_done(st);
    out(r, "</select><label for=\"room\">%h</label><select id=\"room\" name=\"room\"><option value=\"\">—</option>",
        tr(r, "timetable.new_room"));
    st = store_q(s, "SELECT id, name FROM room WHERE establishment_id = $1 ORDER BY name", "i", si.est);
    while (st && stmt_step(st) == STORE_ROW) out(r, "<option value=\"%I\">%h</option>", stmt_int(st, 0), stmt_text(st, 1));
    stmt_done(st);
    out(r, "</select><label for=\"note\">%h</label><input id=\"note\" name=\"note\" maxlength=\"200\">"
           "<button type=\"submit\" class=\"primary\">%h</button></form></section>",
        tr(r, "timetable.note"), tr(r, "timetable.save_change"));
    page_end(r);
}

static void lesson_form_page(struct req *r) { lesson_form(r, NULL); }

static void lesson_change_submit(struct req *r)
{
    struct store *s = store_thread();
    struct lesson_at si;
    if (!timetable_lesson_at(r, ACT_TIMETABLE_EDIT, &si)) return;
    const char *date = si.date;
    const char *kind = param(r, "kind");
    int64_t replacement = param_int(r, "replacement"), room = param_int(r, "room");
    int64_t n = 0;
    if (!strcmp(kind, "replaced")) {
        /* The replacing teacher must teach in this establishment. */
        store_int(s, &n, "SELECT count(*) FROM role WHERE person_id = $1 AND establishment_id = $2 AND profile = 'teacher'",
                  "ii", replacement, si.est);
        if (!replacement || !n || replacement == si.teacher) {
            r->status = 400;
            lesson_form(r, tr(r, "timetable.err.replacement"));
            return;
        }
    } else if (!strcmp(kind, "room_changed")) {
        store_int(s, &n, "SELECT count(*) FROM room WHERE id = $1 AND establishment_id = $2", "ii", room, si.est);
        if (!room || !n) {
            r->status = 400;
            lesson_form(r, tr(r, "timetable.err.room"));
            return;
        }
    }
    int64_t existing = 0;
    store_int(s, &existing, "SELECT count(*) FROM lesson_change WHERE slot_id = $1 AND on_date = $2", "it",
              param_int(r, "slot"), date);
    if (existing) {
        reply_error(r, 409, tr(r, "timetable.err.already_changed"));
        return;
    }
    int64_t id = change_store(r, &(struct change_in){.teaching = si.teaching, .slot = si.slot, .est = si.est,
                                                     .room = strcmp(kind, "room_changed") ? 0 : room,
                                                     .replacement = strcmp(kind, "replaced") ? 0 : replacement,
                                                     .date = date, .kind = kind, .subject = si.subject});
    if (!id) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "timetable.change", arena_printf(&r->arena, "lesson_change:%lld", (long long)id), kind);
    reply_redirect(r, arena_printf(&r->arena, "/emploi-du-temps/cours/%lld/%s", (long long)param_int(r, "slot"), date));
}

static void change_delete(struct req *r)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id"), est = 0, slot = 0;
    char date[11] = "";
    struct stmt *st = store_q(s, "SELECT t.establishment_id, coalesce(ch.slot_id, 0), ch.on_date FROM lesson_change ch"
                                 " JOIN teaching t ON t.id = ch.teaching_id WHERE ch.id = $1", "i", id);
    bool found = st && stmt_step(st) == STORE_ROW;
    if (found) {
        est = stmt_int(st, 0);
        slot = stmt_int(st, 1);
        snprintf(date, sizeof date, "%s", stmt_text(st, 2));
    }
    stmt_done(st);
    if (!found) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    if (!can_edit_in(r, est)) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return;
    }
    if (store_begin(s) < 0 || store_run(s, "DELETE FROM lesson_change WHERE id = $1", "i", id) < 0 ||
        timetable_unnotify(s, arena_printf(&r->arena, "change:%lld", (long long)id)) < 0 || store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "timetable.change_undone", arena_printf(&r->arena, "lesson_change:%lld", (long long)id), "");
    reply_redirect(r, slot ? arena_printf(&r->arena, "/emploi-du-temps/cours/%lld/%s", (long long)slot, date) : "/emploi-du-temps");
}

/* Extra lesson or exam for an enseignement (its teacher, or staff). */
static void extra_submit(struct req *r)
{
    struct store *s = store_thread();
    int64_t teaching = param_int(r, "teaching"), room = param_int(r, "room");
    if (!policy_may(s, r->actor, ACT_LESSON_EXAM, OBJECT(OBJ_TEACHING, teaching))) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return;
    }
    const char *date = param(r, "date"), *from = param(r, "starts_at"), *to = param(r, "ends_at");
    if (!calendar_valid_date(date)) {
        reply_error(r, 400, tr_fmt(r, "err.param.invalid", tr(r, "timetable.date"), NULL));
        return;
    }
    if (strlen(from) != 5 || strlen(to) != 5 || from[2] != ':' || to[2] != ':' || strcmp(from, to) >= 0 ||
        strcmp(from, "07:00") < 0 || strcmp(to, "20:00") > 0) {
        reply_error(r, 400, tr(r, "timetable.err.times"));
        return;
    }
    struct teaching_info ti;
    if (!timetable_teaching(s, &r->arena, teaching, &ti)) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    int64_t est = ti.establishment_id;
    struct school_calendar *cal = calendar_load(s, &r->arena, est);
    const char *why = NULL;
    if (!cal || !calendar_is_school_day(cal, date, &why)) {
        reply_error(r, 400, tr_fmt(r, "timetable.err.not_school_day", tr(r, why ? why : "calendar.not_loaded"), NULL));
        return;
    }
    if (room) {
        int64_t n = 0;
        store_int(s, &n, "SELECT count(*) FROM room WHERE id = $1 AND establishment_id = $2", "ii", room, est);
        if (!n) {
            reply_error(r, 400, tr(r, "timetable.err.room"));
            return;
        }
    }
    int64_t id = change_store(r, &(struct change_in){.teaching = teaching, .est = est, .room = room, .date = date,
                                                     .kind = param(r, "kind"), .starts = from, .ends = to,
                                                     .subject = ti.subject});
    if (!id) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "timetable.extra", arena_printf(&r->arena, "lesson_change:%lld", (long long)id), param(r, "kind"));
    int64_t cls = ti.class_id;
    reply_redirect(r, cls ? arena_printf(&r->arena, "/emploi-du-temps/classes/%lld?semaine=%s", (long long)cls, date)
                          : "/emploi-du-temps");
}

/* ---- iCalendar feed (RFC 5545) -------------------------------------------- */

static struct icaltimetype ical_utc(const char *date, const char *hhmm)
{
    int64_t t = 0;
    char local[20];
    snprintf(local, sizeof local, "%sT%s", date, hhmm);
    clock_parse(local, &t);
    return icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
}

static void ical_feed(struct req *r)
{
    struct store *s = store_thread();
    char h[65];
    secret_hash(param(r, "token"), h);
    int64_t person = 0;
    if (store_int(s, &person, "SELECT person_id FROM ical_feed WHERE token_hash = $1", "t", h) != 1) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    /* A child's timetable: for the calendar application only, never for a shared cache. */
    resp_header(r, "Cache-Control", "private, no-store");
    /* A pupil's or a teacher's lessons, from two weeks ago to ten weeks on. */
    struct actor *a = policy_actor_load(s, &r->arena, person);
    if (!a || (!policy_has(a, PROFILE_PUPIL) && !policy_has(a, PROFILE_TEACHER))) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    char today[11], from[11], to[11];
    clock_today(today);
    calendar_add_days(today, -14, from);
    calendar_add_days(today, 70, to);
    struct timetable_day *days;
    bool covered;
    size_t nd = timetable_days(s, &r->arena, policy_has(a, PROFILE_PUPIL) ? TT_PUPIL : TT_TEACHER, person, from, to,
                               &days, &covered);
    icalcomponent *cal = icalcomponent_vanew(ICAL_VCALENDAR_COMPONENT, icalproperty_new_version("2.0"),
                                             icalproperty_new_prodid("-//Carnet//Emploi du temps//FR"),
                                             icalproperty_new_method(ICAL_METHOD_PUBLISH), (void *)0);
    icalcomponent_add_property(cal, icalproperty_new_x(tr(r, "timetable.title")));
    icalproperty_set_x_name(icalcomponent_get_first_property(cal, ICAL_X_PROPERTY), "X-WR-CALNAME");
    struct icaltimetype stamp = icaltime_from_timet_with_zone((time_t)clock_now(), 0, icaltimezone_get_utc_timezone());
    for (size_t d = 0; d < nd; d++) {
        for (size_t i = 0; i < days[d].nlessons; i++) {
            const struct lesson *l = &days[d].lessons[i];
            char uid[96];
            snprintf(uid, sizeof uid, "%s-%lld-%s@carnet", l->slot_id ? "lesson" : "event",
                     (long long)(l->slot_id ? l->slot_id : l->change_id), l->date);
            const char *summary = l->status ? arena_printf(&r->arena, "%s (%s)", l->subject,
                                                           tr(r, arena_printf(&r->arena, "change.%s", l->status)))
                                            : l->subject;
            icalcomponent *ev = icalcomponent_vanew(
                ICAL_VEVENT_COMPONENT, icalproperty_new_uid(uid), icalproperty_new_dtstamp(stamp),
                icalproperty_new_dtstart(ical_utc(l->date, l->starts_at)), icalproperty_new_dtend(ical_utc(l->date, l->ends_at)),
                icalproperty_new_summary(summary), (void *)0);
            if (l->room) icalcomponent_add_property(ev, icalproperty_new_location(l->room));
            const char *desc = arena_printf(&r->arena, "%s — %s%s%s", l->teacher_name ? l->teacher_name : "",
                                            l->class_name ? l->class_name : "", l->note && *l->note ? "\n" : "",
                                            l->note ? l->note : "");
            icalcomponent_add_property(ev, icalproperty_new_description(desc));
            bool off = l->status && (!strcmp(l->status, "cancelled") || !strcmp(l->status, "teacher_absent"));
            icalcomponent_add_property(ev, icalproperty_new_status(off ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
            icalcomponent_add_component(cal, ev);
        }
    }
    char *text = icalcomponent_as_ical_string_r(cal);
    r->content_type = "text/calendar; charset=utf-8";
    buf_puts(&r->out, text);
    free(text);
    icalcomponent_free(cal);
}

static void ical_create(struct req *r)
{
    struct store *s = store_thread();
    const char *tok = secret_token(&r->arena, 24);
    char h[65];
    secret_hash(tok, h);
    if (store_run(s,
                  "INSERT INTO ical_feed (person_id, token_hash, created_at) VALUES ($1, $2, $3)"
                  " ON CONFLICT (person_id) DO UPDATE SET token_hash = $2, created_at = $3",
                  "iti", r->actor->person_id, h, clock_now()) < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "ical.regenerated", "", "");
    const char *host = req_header(r, "Host");
    const char *url = arena_printf(&r->arena, "%s://%s/ical/%s", r->tls ? "https" : "http", host ? host : "", tok);
    page_begin(r, tr(r, "ical.title"));
    out(r, "<h1>%h</h1><section class=\"card\"><p>%h</p><p><input readonly aria-label=\"%h\" value=\"%h\"></p>"
           "<p class=\"help\">%h</p><p><a href=\"/emploi-du-temps\">%h</a></p></section>",
        tr(r, "ical.title"), tr(r, "ical.created"), tr(r, "ical.title"), url, tr(r, "ical.once"), tr(r, "timetable.title"));
    page_end(r);
}

static void ical_page(struct req *r)
{
    struct store *s = store_thread();
    int64_t has = 0;
    store_int(s, &has, "SELECT count(*) FROM ical_feed WHERE person_id = $1", "i", r->actor->person_id);
    page_begin(r, tr(r, "ical.title"));
    out(r, "<h1>%h</h1><section class=\"card\"><p>%h</p>", tr(r, "ical.title"), tr(r, "ical.lead"));
    if (has) out(r, "<p>%h</p>", tr(r, "ical.exists"));
    out(r, "<form method=\"post\" action=\"/emploi-du-temps/agenda\">");
    page_csrf_input(r);
    out(r, "<button type=\"submit\" class=\"primary\">%h</button></form></section>",
        tr(r, has ? "ical.regenerate" : "ical.create"));
    page_end(r);
}

/* ---- School calendar import (territory admin) --------------------------- */

static void calendar_admin_render(struct req *r, int64_t territory, const char *error, const char *notice)
{
    struct store *s = store_thread();
    char today[11], year[10];
    clock_today(today);
    calendar_school_year_of(today, year);
    page_begin(r, tr(r, "calendar.admin_title"));
    out(r, "<h1>%h</h1><p class=\"lead\">%h</p>", tr(r, "calendar.admin_title"), tr_fmt(r, "calendar.admin_lead", year, NULL));
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    if (notice) out(r, "<p class=\"notice\" role=\"status\">%h</p>", notice);
    struct stmt *st = store_q(s,
        "SELECT e.zone, count(DISTINCT e.id), (SELECT count(*) FROM school_calendar sc WHERE sc.zone = e.zone"
        " AND sc.school_year = $2) FROM establishment e WHERE e.territory_id = $1 GROUP BY e.zone ORDER BY e.zone",
        "it", territory, year);
    out(r, "<table class=\"list\"><caption>%h</caption><thead><tr><th scope=\"col\">%h</th><th scope=\"col\">%h</th>"
           "<th scope=\"col\">%h</th></tr></thead><tbody>",
        tr_fmt(r, "calendar.status_caption", year, NULL), tr(r, "establishment.zone"), tr(r, "portal.establishments"),
        tr(r, "calendar.status"));
    while (st && stmt_step(st) == STORE_ROW) {
        bool loaded = stmt_int(st, 2) > 0;
        out(r, "<tr><td>%h</td><td>%I</td><td>%R%h%R</td></tr>", stmt_text(st, 0), stmt_int(st, 1),
            loaded ? "" : "<strong class=\"error\">", /* RAW_OK: literal markup */
            tr(r, loaded ? "calendar.loaded" : "calendar.missing"), loaded ? "" : "</strong>"); /* RAW_OK: literal */
    }
    stmt_done(st);
    out(r, "</tbody></table><section class=\"card\"><h2>%h</h2><p>%h</p>", tr(r, "calendar.import"),
        tr(r, "calendar.import_lead"));
    out(r, "<form method=\"post\" action=\"/territoires/%I/calendrier\" enctype=\"multipart/form-data\" class=\"stack\">", territory);
    page_csrf_input(r);
    out(r, "<label for=\"fichier\">%h</label><input id=\"fichier\" name=\"fichier\" type=\"file\" accept=\".csv,text/csv\" required>"
           "<button type=\"submit\" class=\"primary\">%h</button></form></section>",
        tr(r, "calendar.file"), tr(r, "calendar.import"));
    page_end(r);
}

static void calendar_admin(struct req *r)
{
    int64_t t = param_int(r, "id");
    if (deny(r, ACT_TERRITORY_MANAGE, OBJECT(OBJ_TERRITORY, t))) return;
    calendar_admin_render(r, t, NULL, param_bool(r, "ok") ? tr(r, "account.saved") : NULL);
}

static void calendar_upload(struct req *r)
{
    int64_t t = param_int(r, "id");
    if (deny(r, ACT_TERRITORY_MANAGE, OBJECT(OBJ_TERRITORY, t))) return;
    const struct upload *f = NULL;
    for (size_t i = 0; i < r->nuploads; i++)
        if (!strcmp(r->uploads[i].field, "fichier")) f = &r->uploads[i];
    if (!f || !f->len) {
        r->status = 400;
        calendar_admin_render(r, t, tr(r, "calendar.no_file"), NULL);
        return;
    }
    char err[256];
    struct store *s = store_thread();
    int n = calendar_import_csv(s, f->data, f->len, err, sizeof err);
    if (n < 0) {
        r->status = 400;
        calendar_admin_render(r, t, tr_fmt(r, "calendar.import_failed", err, NULL), NULL);
        return;
    }
    char count[16];
    snprintf(count, sizeof count, "%d", n);
    audit(s, r, 0, "calendar.imported", arena_printf(&r->arena, "territory:%lld", (long long)t), count);
    calendar_admin_render(r, t, NULL, tr_fmt(r, "calendar.imported", count, NULL));
}

/* ---- JSON ------------------------------------------------------------------ */

static void api_timetable(struct req *r)
{
    struct store *s = store_thread();
    const struct actor *a = r->actor;
    int64_t pupil = param_int(r, "eleve");
    enum timetable_scope scope;
    int64_t id;
    if (pupil) {
        if (!policy_may(s, a, ACT_PERSON_VIEW, OBJECT(OBJ_PERSON, pupil))) {
            reply_error(r, 403, tr(r, "err.forbidden"));
            return;
        }
        scope = TT_PUPIL;
        id = pupil;
    } else if (policy_has(a, PROFILE_PUPIL)) {
        scope = TT_PUPIL;
        id = a->person_id;
    } else if (policy_has(a, PROFILE_TEACHER)) {
        scope = TT_TEACHER;
        id = a->person_id;
    } else {
        reply_error(r, 400, tr(r, "timetable.err.whose"));
        return;
    }
    char monday[11], sunday[11];
    if (!chosen_monday(r, monday)) {
        reply_error(r, 400, tr_fmt(r, "err.param.invalid", "semaine", NULL));
        return;
    }
    calendar_add_days(monday, 6, sunday);
    struct timetable_day *days;
    bool covered;
    int64_t seen = scope == TT_PUPIL ? timetable_seen_at(a, id) : TIMETABLE_SEE_ALL;
    size_t nd = timetable_days_seen(s, &r->arena, scope, id, monday, sunday, seen, &days, &covered);
    json_t *jd = json_array();
    for (size_t d = 0; d < nd; d++) {
        json_t *jl = json_array();
        for (size_t i = 0; i < days[d].nlessons; i++) {
            const struct lesson *l = &days[d].lessons[i];
            json_array_append_new(jl, json_pack("{s:s,s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:b}", "start", l->starts_at,
                                                "end", l->ends_at, "subject", l->subject, "subject_code", l->subject_code,
                                                "teacher", l->teacher_name, "class", l->class_name, "room", l->room,
                                                "change", l->status, "note", l->note && *l->note ? l->note : NULL,
                                                "replacement", l->replacement, "replacing", l->replacing));
        }
        json_array_append_new(jd, json_pack("{s:s,s:b,s:s?,s:o}", "date", days[d].date, "school_day", days[d].school_day,
                                            "reason", days[d].why ? tr(r, days[d].why) : NULL, "lessons", jl));
    }
    reply_json(r, 200, json_pack("{s:s,s:b,s:o}", "week", monday, "calendar_loaded", covered, "days", jd));
}

static const struct param_spec week_params[] = {
    {"id", P_ID, SRC_PATH, .required = true}, {"semaine", P_LINE, SRC_QUERY, .maxlen = 10, .label = "timetable.week"}, {0}};

const struct route timetable_routes[] = {
    {.method = M_GET, .path = "/emploi-du-temps", .handler = my_timetable, .action = ACT_SIGNED_IN,
     .params = (const struct param_spec[]){{"semaine", P_LINE, SRC_QUERY, .maxlen = 10, .label = "timetable.week"}, {0}}},
    {.method = M_GET, .path = "/emploi-du-temps/eleves/{id}", .handler = pupil_week, .action = ACT_PERSON_VIEW,
     .params = week_params},
    {.method = M_GET, .path = "/emploi-du-temps/enseignants/{id}", .handler = teacher_week,
     .action = ACT_TEACHER_TIMETABLE, .params = week_params},
    {.method = M_GET, .path = "/emploi-du-temps/classes/{id}", .handler = class_week, .action = ACT_CLASS_VIEW,
     .params = week_params},
    {.method = M_GET, .path = "/emploi-du-temps/salles/{id}", .handler = room_week, .action = ACT_ROOM_VIEW,
     .params = week_params},
    {.method = M_GET, .path = "/emploi-du-temps/cours/{slot}/{date}", .handler = lesson_form_page,
     .action = ACT_TIMETABLE_EDIT,
     .params = (const struct param_spec[]){{"slot", P_ID, SRC_PATH, .required = true},
                                           {"date", P_LINE, SRC_PATH, .required = true, .maxlen = 10}, {0}}},
    {.method = M_POST, .path = "/emploi-du-temps/cours/{slot}/{date}", .handler = lesson_change_submit,
     .action = ACT_TIMETABLE_EDIT,
     .params = (const struct param_spec[]){
         {"slot", P_ID, SRC_PATH, .required = true},
         {"date", P_LINE, SRC_PATH, .required = true, .maxlen = 10},
         {"kind", P_ENUM, SRC_BODY, .required = true, .choices = change_kinds, .label = "timetable.change_kind"},
         {"replacement", P_ID, SRC_BODY, .label = "timetable.replacement"},
         {"room", P_ID, SRC_BODY, .label = "timetable.new_room"},
         {"note", P_LINE, SRC_BODY, .maxlen = 200, .label = "timetable.note"}, {0}}},
    {.method = M_POST, .path = "/emploi-du-temps/changements/{id}/supprimer", .handler = change_delete,
     .action = ACT_TIMETABLE_EDIT, .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_POST, .path = "/emploi-du-temps/evenements", .handler = extra_submit, .action = ACT_LESSON_EXAM,
     .params = (const struct param_spec[]){
         {"teaching", P_ID, SRC_BODY, .required = true, .label = "timetable.teaching"},
         {"kind", P_ENUM, SRC_BODY, .required = true, .choices = extra_kinds, .label = "timetable.change_kind"},
         {"date", P_LINE, SRC_BODY, .required = true, .maxlen = 10, .label = "timetable.date"},
         {"starts_at", P_LINE, SRC_BODY, .required = true, .maxlen = 5, .label = "timetable.starts_at"},
         {"ends_at", P_LINE, SRC_BODY, .required = true, .maxlen = 5, .label = "timetable.ends_at"},
         {"room", P_ID, SRC_BODY, .label = "timetable.new_room"},
         {"note", P_LINE, SRC_BODY, .maxlen = 200, .label = "timetable.note"}, {0}}},
    {.method = M_GET, .path = "/emploi-du-temps/agenda", .handler = ical_page, .action = ACT_SIGNED_IN},
    {.method = M_POST, .path = "/emploi-du-temps/agenda", .handler = ical_create, .action = ACT_SIGNED_IN},
    {.method = M_GET, .path = "/ical/{token}", .handler = ical_feed, .action = ACT_PUBLIC,
     .params = (const struct param_spec[]){{"token", P_TOKEN, SRC_PATH, .required = true, .maxlen = 64}, {0}}},
    {.method = M_GET, .path = "/territoires/{id}/calendrier", .handler = calendar_admin, .action = ACT_TERRITORY_MANAGE,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"ok", P_BOOL, SRC_QUERY}, {0}}},
    {.method = M_POST, .path = "/territoires/{id}/calendrier", .handler = calendar_upload, .action = ACT_TERRITORY_MANAGE,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_GET, .path = "/api/v1/timetable", .handler = api_timetable, .action = ACT_SIGNED_IN, .flags = ROUTE_API,
     .params = (const struct param_spec[]){{"eleve", P_ID, SRC_QUERY}, {"semaine", P_LINE, SRC_QUERY, .maxlen = 10}, {0}}},
    {0}};
