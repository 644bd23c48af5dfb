/* log.c — class log entries, homework, done ticks, R-HOMEWORK. */
#include "log.h"
#include "../timetable/timetable.h"
#include "../files/files.h"
#include "../notify/notify.h"
#include "../portal/notice.h"
#include "../../calendar/calendar.h"
#include "../persons/persons.h"
#include "../../core/audit.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/page.h"
#include "../../policy/policy.h"
#include "../../policy/scope_sql.h"
#include "../../store/store.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MAX_CONTENT 5000
#define HOMEWORK_MAX_AHEAD_DAYS 60   /* a due date at most two months after the lesson */
#define HOMEWORK_LIST_DAYS 14        /* families see two weeks ahead */
#define LOG_LIST_DAYS 14             /* and the log of the last two weeks */


/* A file input for an attachment, with its limits told before upload. */
static void attachment_input(struct req *r, const char *id)
{
    out(r, "<label for=\"%h\">%h</label><input id=\"%h\" type=\"file\" name=\"piece\" aria-describedby=\"%h-help\">"
           "<p class=\"help\" id=\"%h-help\">%h</p>",
        id, tr(r, "log.attachment"), id, id, id, tr(r, "log.attachment_help"));
}

/* The upload of the form, checked; false (with the page re-rendered or an
 * error sent) when it cannot be attached. */
static bool upload_ok(struct req *r, const struct upload **u, void (*render)(struct req *, const char *, const char *))
{
    *u = files_upload(r, "piece");
    const char *bad = *u ? files_check(r, *u) : NULL;
    if (!bad) return true;
    r->status = 400;
    render(r, bad, NULL);
    return false;
}

/* ---- The lesson a log entry belongs to ----------------------------------- */

static bool lesson_ref(struct req *r, struct lesson_at *l) { return timetable_lesson_at(r, ACT_LOG_WRITE, l); }

/* The date of the next lesson of this enseignement after date (same slot
 * or another one), on a school day, within three weeks; "" if none. */
static void next_lesson(struct req *r, const struct lesson_at *l, struct school_calendar *cal, char out_date[11])
{
    out_date[0] = 0;
    struct stmt *st = store_q(store_thread(),
        "SELECT weekday, week, valid_from, valid_to FROM timetable_slot WHERE teaching_id = $1", "i", l->teaching);
    struct { int wd; char week; const char *from, *to; } v[32];
    size_t n = 0;
    while (st && stmt_step(st) == STORE_ROW && n < 32) {
        v[n].wd = (int)stmt_int(st, 0);
        v[n].week = stmt_text(st, 1)[0];
        v[n].from = arena_strdup(&r->arena, stmt_text(st, 2));
        v[n].to = arena_strdup(&r->arena, stmt_text(st, 3));
        n++;
    }
    stmt_done(st);
    for (int d = 1; d <= 21 && cal; d++) {
        char day[11];
        calendar_add_days(l->date, d, day);
        if (!calendar_is_school_day(cal, day, NULL)) continue;
        int wd = calendar_weekday(day);
        char ab = calendar_week_ab(cal, day);
        for (size_t i = 0; i < n; i++)
            if (v[i].wd == wd && strcmp(day, v[i].from) >= 0 && strcmp(day, v[i].to) <= 0 && (!v[i].week || v[i].week == ab)) {
                memcpy(out_date, day, 11);
                return;
            }
    }
}

/* R-HOMEWORK: homework due on the next school day, posted now, is late when
 * today is not a school day (weekend, holiday) or the class's last lesson
 * of today is over (with no lesson today: from 17:00). */
static bool homework_is_late(struct req *r, const struct lesson_at *l, struct school_calendar *cal, const char *due_on)
{
    char today[11], next[11], now[17];
    clock_today(today);
    clock_datetime(clock_now(), now);
    if (!cal) return false;
    if (!calendar_is_school_day(cal, today, NULL)) {
        /* Posted on a day without classes, for the first day back. */
        return calendar_next_school_day(cal, today, next) && !strcmp(next, due_on);
    }
    if (!calendar_next_school_day(cal, today, next) || strcmp(next, due_on)) return false;
    char ab[2] = {calendar_week_ab(cal, today), 0};
    const char *last = NULL;
    struct stmt *st = store_q(store_thread(),
        "SELECT max(s.ends_at) FROM timetable_slot s JOIN teaching t ON t.id = s.teaching_id WHERE t.class_id = $1"
        " AND s.weekday = $2 AND s.valid_from <= $3 AND s.valid_to >= $3 AND (s.week = '' OR s.week = $4)",
        "iitt", l->class_id, (int64_t)calendar_weekday(today), today, ab);
    if (st && stmt_step(st) == STORE_ROW && stmt_text(st, 0)) last = arena_strdup(&r->arena, stmt_text(st, 0));
    stmt_done(st);
    return strcmp(now + 11, last ? last : "17:00") >= 0;
}

static const char *setting(struct store *s, struct arena *a, int64_t est, const char *key)
{
    struct stmt *st = store_q(s, "SELECT value FROM establishment_setting WHERE establishment_id = $1 AND key = $2", "it",
                              est, key);
    const char *v = st && stmt_step(st) == STORE_ROW ? arena_strdup(a, stmt_text(st, 0)) : NULL;
    stmt_done(st);
    return v;
}

/* ---- Teacher: one lesson's log and homework ------------------------------ */

static void lesson_page_render(struct req *r, const char *error, const char *notice)
{
    struct store *s = store_thread();
    struct lesson_at l;
    if (!lesson_ref(r, &l)) return;
    struct school_calendar *cal = calendar_load(s, &r->arena, l.est);
    char next[11];
    next_lesson(r, &l, cal, next);
    const char *base = arena_printf(&r->arena, "/cahier-de-textes/cours/%lld/%s", (long long)l.slot, l.date);
    const struct diffusion *d = diffusion_load(s, &r->arena, l.est);
    page_begin(r, tr(r, "log.title"));
    out(r, "<h1>%h</h1><p class=\"lead\">%h — %h · %h %h–%h</p>", tr(r, "log.title"), l.subject, l.class_name,
        page_date(r, clock_local_noon(l.date)), l.starts, l.ends);
    if (notice) out(r, "<p class=\"notice\" role=\"status\">%h</p>", notice);
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    diffusion_notice(r, d, "log.quiet_notice");

    const char *content = "";
    int64_t entry = 0, visible = 0;
    struct stmt *st = store_q(s, "SELECT content, id, visible_from FROM log_entry WHERE teaching_id = $1 AND on_date = $2"
                                 " AND slot_id = $3", "iti", l.teaching, l.date, l.slot);
    if (st && stmt_step(st) == STORE_ROW) {
        content = arena_strdup(&r->arena, stmt_text(st, 0));
        entry = stmt_int(st, 1);
        visible = stmt_int(st, 2);
    }
    stmt_done(st);
    out(r, "<section class=\"card\"><h2>%h", tr(r, "log.content"));
    diffusion_badge(r, d, visible);
    out(r, "</h2><form method=\"post\" action=\"%h\" class=\"stack\" enctype=\"multipart/form-data\">", base);
    page_csrf_input(r);
    out(r, "<label for=\"content\">%h</label><textarea id=\"content\" name=\"content\" rows=\"6\" maxlength=\"5000\" "
           "aria-describedby=\"md-help\">%h</textarea><p class=\"help\" id=\"md-help\">%h</p>",
        tr(r, "log.content_label"), content, tr(r, "log.markdown_help"));
    if (entry) files_links(r, "log_entry", entry);
    attachment_input(r, "piece-log");
    out(r, "<button type=\"submit\" class=\"primary\">%h</button></form></section>", tr(r, "log.save"));

    out(r, "<section class=\"card\"><h2>%h</h2>", tr(r, "log.homework"));
    int64_t size = 0;
    char today[11];
    clock_today(today);
    store_int(s, &size, "SELECT count(*) FROM enrolment WHERE class_id = $1 AND starts_on <= $2"
                        " AND (ends_on IS NULL OR ends_on >= $2)", "it", l.class_id, today);
    st = store_q(s,
        "SELECT h.id, h.title, h.content, h.due_on, h.minutes, h.late, h.hand_in, h.given_in_class,"
        " (SELECT count(*) FROM homework_done d WHERE d.homework_id = h.id), h.visible_from"
        " FROM homework h WHERE h.teaching_id = $1 AND h.given_on = $2 ORDER BY h.due_on, h.id", "it", l.teaching, l.date);
    int n = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        n++;
        char done[48];
        snprintf(done, sizeof done, "%lld / %lld", (long long)stmt_int(st, 8), (long long)size);
        out(r, "<article class=\"hw\"><h3>%h</h3><p class=\"meta\">%h", stmt_text(st, 1),
            tr_fmt(r, "log.due", page_date(r, clock_local_noon(stmt_text(st, 3))), NULL));
        if (stmt_int(st, 4)) out(r, " · %h", tr_fmt(r, "log.minutes", arena_printf(&r->arena, "%lld", (long long)stmt_int(st, 4)), NULL));
        diffusion_badge(r, d, stmt_int(st, 9));
        out(r, "</p>");
        if (stmt_int(st, 5)) out(r, "<p><span class=\"badge change\">%h</span></p>", tr(r, "log.late_badge"));
        page_markdown(r, stmt_text(st, 2));
        files_links(r, "homework", stmt_int(st, 0));
        out(r, "<p class=\"meta\">%h</p><form method=\"post\" action=\"/travail/%I/supprimer\">",
            tr_fmt(r, "log.progress", done, NULL), stmt_int(st, 0));
        page_csrf_input(r);
        out(r, "<input type=\"hidden\" name=\"suite\" value=\"%h\">", base);
        out(r, "<button type=\"submit\" class=\"danger\">%h</button></form></article>", tr(r, "services.delete"));
    }
    stmt_done(st);
    if (!n) out(r, "<p class=\"meta\">%h</p>", tr(r, "log.no_homework"));
    out(r, "<h3>%h</h3><form method=\"post\" action=\"%h/travail\" class=\"stack\" enctype=\"multipart/form-data\">",
        tr(r, "log.add_homework"), base);
    page_csrf_input(r);
    out(r, "<label for=\"title\">%h</label><input id=\"title\" name=\"title\" required maxlength=\"120\">"
           "<label for=\"hw\">%h</label><textarea id=\"hw\" name=\"content\" rows=\"4\" maxlength=\"5000\"></textarea>"
           "<label for=\"due_on\">%h</label><input id=\"due_on\" name=\"due_on\" type=\"date\" required value=\"%h\">"
           "<label for=\"minutes\">%h</label><input id=\"minutes\" name=\"minutes\" type=\"number\" min=\"0\" max=\"600\" "
           "step=\"5\" value=\"20\">"
           "<label class=\"check\"><input type=\"checkbox\" name=\"given_in_class\" value=\"1\" checked> %h</label>"
           "<label class=\"check\"><input type=\"checkbox\" name=\"hand_in\" value=\"1\"> %h</label>",
        tr(r, "log.hw_title"), tr(r, "log.hw_content"), tr(r, "log.due_on"), next[0] ? next : l.date, tr(r, "log.minutes_label"),
        tr(r, "log.given_in_class"), tr(r, "log.hand_in"));
    attachment_input(r, "piece-hw");
    out(r, "<button type=\"submit\" class=\"primary\">%h</button></form></section>", tr(r, "log.add_homework"));
    out(r, "<p><a href=\"/emploi-du-temps\">%h</a></p>", tr(r, "timetable.title"));
    page_end(r);
}

static void lesson_page(struct req *r)
{
    lesson_page_render(r, NULL, param_bool(r, "ok") ? tr(r, "account.saved") : param_bool(r, "tard") ? tr(r, "log.late_notice") : NULL);
}

/* A lesson's log entry as it stands: its id (0: none yet), when families
 * see it, and whether it holds anything (text or an attachment). */
struct entry_state {
    int64_t id, visible_from;
    bool filled;
};

static struct entry_state entry_state(struct store *s, const struct lesson_at *l)
{
    struct entry_state e = {0};
    struct stmt *st = store_q(s,
        "SELECT le.id, le.visible_from, le.content <> '' OR EXISTS (SELECT 1 FROM attachment a WHERE a.owner = 'log_entry'"
        " AND a.owner_id = le.id) FROM log_entry le WHERE le.teaching_id = $1 AND le.on_date = $2 AND le.slot_id = $3",
        "iti", l->teaching, l->date, l->slot);
    if (st && stmt_step(st) == STORE_ROW) e = (struct entry_state){stmt_int(st, 0), stmt_int(st, 1), stmt_int(st, 2) != 0};
    stmt_done(st);
    return e;
}

/* R-DISCO for the class log. The first save that puts something in the
 * entry publishes it: families see it, and are notified, at the end of the
 * quiet period it is written in (at once outside quiet periods). Saving an
 * entry families do not see yet publishes it again from now: still in the
 * same quiet period, it stays held to the same moment; its notifications
 * follow. Saving an entry families already see corrects it in place, at
 * once and without a new notification: nothing new is pushed to families
 * in a quiet period, and taking back what they have already read would
 * only confuse them. */
static int64_t entry_visible_from(const struct entry_state *e, int64_t now, int64_t release)
{
    return !e->filled || e->visible_from > now ? release : e->visible_from;
}

static int entry_notify(struct req *r, const struct lesson_at *l, int64_t id, int64_t visible)
{
    struct notice nt = {.service = "log", .title = diffusion_title(r, "log.notify.entry", l->subject, l->date),
                        .item = arena_printf(&r->arena, "log:%lld", (long long)id), .establishment = l->est,
                        .visible_at = visible};
    return timetable_notify_families(store_thread(), &r->arena, l->teaching, l->date, &nt, "/cahier-de-textes", "");
}

static void lesson_save(struct req *r)
{
    struct store *s = store_thread();
    struct lesson_at l;
    if (!lesson_ref(r, &l)) return;
    const char *content = param(r, "content") ? param(r, "content") : "";
    const struct upload *u;
    if (!upload_ok(r, &u, lesson_page_render)) return;
    int64_t now = clock_now(), id = 0, release = diffusion_release_at(diffusion_load(s, &r->arena, l.est), now);
    if (store_begin(s) < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    struct entry_state e = entry_state(s, &l);
    int64_t visible = entry_visible_from(&e, now, release);
    bool publish = !e.filled && (*content || u);
    if (store_int(s, &id,
                  "INSERT INTO log_entry (teaching_id, slot_id, on_date, content, author_id, created_at, updated_at, published_at,"
                  " visible_from) VALUES ($1, $2, $3, $4, $5, $6, $6, $6, $7) ON CONFLICT (teaching_id, on_date, coalesce(slot_id, 0))"
                  " DO UPDATE SET content = $4, updated_at = $6, visible_from = $7 RETURNING id",
                  "iittiii", l.teaching, l.slot, l.date, content, r->actor->person_id, now, visible) != 1 ||
        (e.filled && visible != e.visible_from &&
         store_run(s, "UPDATE notification SET visible_at = $2 WHERE item = $1 AND visible_at > $3", "tii",
                   arena_printf(&r->arena, "log:%lld", (long long)id), visible, now) < 0) ||
        (publish && entry_notify(r, &l, id, visible) < 0) || (u && !files_attach(r, u, "log_entry", id)) ||
        store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    reply_redirect(r, arena_printf(&r->arena, "/cahier-de-textes/cours/%lld/%s?ok=1", (long long)l.slot, l.date));
}

static void homework_add(struct req *r)
{
    struct store *s = store_thread();
    struct lesson_at l;
    if (!lesson_ref(r, &l)) return;
    const char *due = param(r, "due_on");
    struct school_calendar *cal = calendar_load(s, &r->arena, l.est);
    const char *why = NULL;
    const char *problem = NULL;
    if (!calendar_valid_date(due)) problem = tr_fmt(r, "err.param.invalid", tr(r, "log.due_on"), NULL);
    else if (strcmp(due, l.date) < 0) problem = tr(r, "log.err.due_before_given");
    else if (calendar_days_between(l.date, due) > HOMEWORK_MAX_AHEAD_DAYS) problem = tr(r, "log.err.too_far");
    else if (!cal || !calendar_is_school_day(cal, due, &why))
        problem = tr_fmt(r, "log.err.not_school_day", tr(r, why ? why : "calendar.not_loaded"), NULL);
    if (problem) {
        r->status = 400;
        lesson_page_render(r, problem, NULL);
        return;
    }
    bool late = homework_is_late(r, &l, cal, due);
    if (late) {
        const char *policy = setting(s, &r->arena, l.est, "homework.late");
        if (policy && !strcmp(policy, "refuse")) {
            r->status = 400;
            lesson_page_render(r, tr(r, "log.err.late_refused"), NULL);
            return;
        }
    }
    const struct upload *u;
    if (!upload_ok(r, &u, lesson_page_render)) return;
    /* R-DISCO: families see it, and are notified, from the end of the
     * quiet period it is posted in (at once outside quiet periods). */
    int64_t now = clock_now(), id = 0, visible = diffusion_release_at(diffusion_load(s, &r->arena, l.est), now);
    if (store_begin(s) < 0 ||
        store_int(s, &id,
                  "INSERT INTO homework (teaching_id, given_on, due_on, title, content, minutes, given_in_class, hand_in, late,"
                  " author_id, created_at, updated_at, published_at, visible_from) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
                  " $10, $11, $11, $11, $12) RETURNING id",
                  "ittttiiiiiii", l.teaching, l.date, due, param(r, "title"),
                  param(r, "content") ? param(r, "content") : "", param_int(r, "minutes"),
                  (int64_t)param_bool(r, "given_in_class"), (int64_t)param_bool(r, "hand_in"), (int64_t)late,
                  r->actor->person_id, now, visible) != 1 ||
        timetable_notify_families(s, &r->arena, l.teaching, l.date,
                                  &(struct notice){.service = "homework",
                                                   .title = diffusion_title(r, "log.notify.homework", l.subject, due),
                                                   .item = arena_printf(&r->arena, "homework:%lld", (long long)id),
                                                   .establishment = l.est, .visible_at = visible},
                                  "/travail-a-faire", "") < 0 ||
        (u && !files_attach(r, u, "homework", id)) || store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, late ? "homework.added_late" : "homework.added", arena_printf(&r->arena, "homework:%lld", (long long)id), due);
    reply_redirect(r, arena_printf(&r->arena, "/cahier-de-textes/cours/%lld/%s?%s=1", (long long)l.slot, l.date,
                                   late ? "tard" : "ok"));
}

static void homework_delete(struct req *r)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id"), teaching = 0;
    if (store_int(s, &teaching, "SELECT teaching_id FROM homework WHERE id = $1", "i", id) != 1) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    if (!policy_may(s, r->actor, ACT_LOG_WRITE, OBJECT(OBJ_TEACHING, teaching))) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return;
    }
    if (store_begin(s) < 0 || store_run(s, "DELETE FROM homework_done WHERE homework_id = $1", "i", id) < 0 ||
        store_run(s, "DELETE FROM attachment WHERE owner = 'homework' AND owner_id = $1", "i", id) < 0 ||
        store_run(s, "DELETE FROM homework WHERE id = $1", "i", id) < 0 ||
        timetable_unnotify(s, arena_printf(&r->arena, "homework:%lld", (long long)id)) < 0 || store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "homework.deleted", arena_printf(&r->arena, "homework:%lld", (long long)id), "");
    reply_redirect(r, param(r, "suite") ? param(r, "suite") : "/emploi-du-temps");
}

size_t log_missing(struct store *s, struct arena *a, int64_t teacher, const char *from, const char *to, struct log_gap **out)
{
    struct timetable_day *days;
    bool covered;
    size_t nd = timetable_days(s, a, TT_TEACHER, teacher, from, to, &days, &covered);
    struct stmt *st = store_q(s, "SELECT le.teaching_id, coalesce(le.slot_id, 0), le.on_date FROM log_entry le"
                                 " JOIN teaching t ON t.id = le.teaching_id WHERE t.teacher_id = $1 AND le.on_date >= $2"
                                 " AND le.on_date <= $3", "itt", teacher, from, to);
    struct filled { int64_t teaching, slot; char date[11]; } *f = NULL;
    size_t nf = 0, cap = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        f = arena_grow(a, f, nf, &cap, sizeof *f);
        f[nf] = (struct filled){stmt_int(st, 0), stmt_int(st, 1), ""};
        snprintf(f[nf].date, sizeof f[nf].date, "%s", stmt_text(st, 2));
        nf++;
    }
    stmt_done(st);
    char now[17];
    clock_datetime(clock_now(), now);
    size_t n = 0, vcap = 0;
    struct log_gap *v = NULL;
    for (size_t d = 0; d < nd; d++)
        for (size_t i = 0; i < days[d].nlessons; i++) {
            const struct lesson *l = &days[d].lessons[i];
            if (!l->slot_id || l->replacing || l->teacher_id != teacher) continue;
            if (l->status && (!strcmp(l->status, "cancelled") || !strcmp(l->status, "teacher_absent"))) continue;
            int cmp = strcmp(l->date, now);   /* "YYYY-MM-DD" against "YYYY-MM-DDTHH:MM" */
            if (cmp > 0 || (!strncmp(l->date, now, 10) && strcmp(l->ends_at, now + 11) > 0)) continue;
            bool done = false;
            for (size_t k = 0; k < nf && !done; k++)
                done = f[k].teaching == l->teaching_id && f[k].slot == l->slot_id && !strcmp(f[k].date, l->date);
            if (done) continue;
            v = arena_grow(a, v, n, &vcap, sizeof *v);
            v[n++] = (struct log_gap){l->slot_id, l->date, l->starts_at, l->class_name, l->subject};
        }
    *out = v;
    return n;
}

/* ---- Families: homework due and the log -------------------------------- */

#define HOMEWORK_COLUMNS                                                                                        \
    "SELECT h.id, h.teaching_id, x.pupil, sb.name, p.first_name, p.last_name, h.title, h.content, h.given_on,"  \
    " h.due_on, h.minutes, h.given_in_class, h.hand_in, h.late,"                                               \
    " EXISTS (SELECT 1 FROM homework_done d WHERE d.homework_id = h.id AND d.pupil_id = x.pupil),"                \
    " h.visible_from, t.establishment_id"

#define HOMEWORK_JOINS                                                                                          \
    " JOIN homework h ON h.teaching_id = x.teaching JOIN teaching t ON t.id = h.teaching_id"                    \
    " JOIN subject sb ON sb.id = t.subject_id JOIN person p ON p.id = t.teacher_id"                             \
    " WHERE h.due_on >= $2 AND h.due_on <= $3 AND h.visible_from <= $4 ORDER BY h.due_on, sb.name, h.id"

static const char *const q_homework[2] = {
    HOMEWORK_COLUMNS " FROM " SQL_PUPIL_TEACHINGS HOMEWORK_JOINS,
    HOMEWORK_COLUMNS " FROM " SQL_GUARDIAN_TEACHINGS HOMEWORK_JOINS,
};

size_t log_homework_due(struct store *s, struct arena *a, int64_t id, bool guardian, const char *from, const char *to,
                        int64_t seen_at, struct homework_item **out)
{
    return log_homework_read(log_homework_ask(s, id, guardian, from, to, seen_at), a, out);
}

struct stmt *log_homework_ask(struct store *s, int64_t id, bool guardian, const char *from, const char *to, int64_t seen_at)
{
    return store_q_ahead(s, q_homework[guardian], "itti", id, from, to, seen_at);
}

size_t log_homework_read(struct stmt *st, struct arena *a, struct homework_item **out)
{
    size_t n = 0, cap = 0;
    struct homework_item *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(a, v, n, &cap, sizeof *v);
        v[n++] = (struct homework_item){
            .id = stmt_int(st, 0), .teaching_id = stmt_int(st, 1), .pupil_id = stmt_int(st, 2),
            .subject = arena_strdup(a, stmt_text(st, 3)),
            .teacher = arena_printf(a, "%.1s. %s", stmt_text(st, 4), stmt_text(st, 5)),
            .title = arena_strdup(a, stmt_text(st, 6)), .content = arena_strdup(a, stmt_text(st, 7)),
            .given_on = arena_strdup(a, stmt_text(st, 8)), .due_on = arena_strdup(a, stmt_text(st, 9)),
            .minutes = (int)stmt_int(st, 10), .given_in_class = stmt_int(st, 11) != 0, .hand_in = stmt_int(st, 12) != 0,
            .late = stmt_int(st, 13) != 0, .done = stmt_int(st, 14) != 0, .visible_from = stmt_int(st, 15),
            .establishment_id = stmt_int(st, 16)};
    }
    stmt_done(st);
    *out = v;
    return n;
}

/* The homework list of one pupil: by due date; the pupil ticks it done. */
static void homework_list(struct req *r, int64_t pupil, bool own)
{
    struct store *s = store_thread();
    char today[11], to[11];
    clock_today(today);
    calendar_add_days(today, HOMEWORK_LIST_DAYS, to);
    struct homework_item *v;
    size_t n = log_homework_due(s, &r->arena, pupil, false, today, to, timetable_seen_at(r->actor, pupil), &v);
    const char *name = persons_name(r, pupil);
    page_begin(r, tr(r, "log.homework_title"));
    out(r, "<h1>%h</h1>", own ? tr(r, "log.homework_title") : tr_fmt(r, "log.homework_of", name ? name : "", NULL));
    out(r, "<p><a href=\"%h\">%h</a></p>", own ? "/cahier-de-textes" : arena_printf(&r->arena, "/cahier-de-textes/eleves/%lld", (long long)pupil),
        tr(r, "log.see_log"));
    if (!n) out(r, "<p class=\"card\">%h</p>", tr(r, "log.nothing_due"));
    const char *day = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct homework_item *h = &v[i];
        if (!day || strcmp(day, h->due_on)) {
            if (day) out(r, "</section>");
            day = h->due_on;
            char key[16];
            snprintf(key, sizeof key, "weekday.%d", calendar_weekday(day));
            out(r, "<section class=\"day\"><h2>%h</h2>",
                tr_fmt(r, "log.for_day", arena_printf(&r->arena, "%s %s", tr(r, key), page_date(r, clock_local_noon(day))), NULL));
        }
        out(r, "<article class=\"hw%R\"><h3>%h <span class=\"meta\">— %h</span></h3><p class=\"meta\">%h", h->done ? " done" : "", /* RAW_OK: literal */
            h->subject, h->title, h->teacher);
        if (h->minutes) out(r, " · %h", tr_fmt(r, "log.minutes", arena_printf(&r->arena, "%d", h->minutes), NULL));
        diffusion_badge(r, diffusion_load(s, &r->arena, h->establishment_id), h->visible_from); /* staff only */
        out(r, "</p>");
        if (h->done && own) out(r, "<span class=\"badge ext\">%h</span> ", tr(r, "log.done"));
        if (h->hand_in) out(r, "<span class=\"badge\">%h</span> ", tr(r, "log.hand_in"));
        if (!h->given_in_class) out(r, "<span class=\"badge change\">%h</span> ", tr(r, "log.not_given_in_class"));
        page_markdown(r, h->content);
        files_links(r, "homework", h->id);
        if (own) {
            out(r, "<form method=\"post\" action=\"/travail/%I/fait\">", h->id);
            page_csrf_input(r);
            out(r, "<input type=\"hidden\" name=\"fait\" value=\"%d\"><button type=\"submit\"%R>%h</button></form>", h->done ? 0 : 1,
                h->done ? "" : " class=\"primary\"", /* RAW_OK: literal */
                tr(r, h->done ? "log.mark_undone" : "log.mark_done"));
        } else {
            out(r, "<p><span class=\"badge%R\">%h</span></p>", h->done ? " ext" : "", /* RAW_OK: literal */
                tr(r, h->done ? "log.done" : "log.not_done"));
        }
        out(r, "</article>");
    }
    if (day) out(r, "</section>");
    page_end(r);
}

static void my_homework(struct req *r)
{
    const struct actor *a = r->actor;
    if (policy_has(a, PROFILE_PUPIL)) {
        homework_list(r, a->person_id, true);
        return;
    }
    if (policy_has(a, PROFILE_PARENT) && a->nchildren) {
        reply_redirect(r, arena_printf(&r->arena, "/travail-a-faire/eleves/%lld", (long long)a->children[0]));
        return;
    }
    reply_error(r, 404, tr(r, "log.err.no_pupil"));
}

static void child_homework(struct req *r)
{
    int64_t id = param_int(r, "id");
    homework_list(r, id, id == r->actor->person_id);
}

static void mark_done(struct req *r)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id"), pupil = r->actor->person_id;
    char today[11];
    clock_today(today);
    /* Only a pupil, for homework of one of their enseignements. */
    int64_t mine = 0;
    store_int(s, &mine,
              "SELECT count(*) FROM homework h JOIN teaching t ON t.id = h.teaching_id WHERE h.id = $1 AND"
              " (t.class_id IN (SELECT class_id FROM enrolment WHERE pupil_id = $2 AND starts_on <= $3"
              " AND (ends_on IS NULL OR ends_on >= $3)) OR t.grp_id IN (SELECT grp_id FROM group_member WHERE pupil_id = $2))",
              "iit", id, pupil, today);
    if (!policy_has(r->actor, PROFILE_PUPIL) || !mine) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return;
    }
    /* R-DISCO: homework the pupil cannot see yet does not exist for them. */
    int64_t held = 0;
    store_int(s, &held, "SELECT count(*) FROM homework WHERE id = $1 AND visible_from > $2", "ii", id, clock_now());
    if (held) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    if (param_bool(r, "fait"))
        store_run(s, "INSERT INTO homework_done (homework_id, pupil_id, done_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                  "iii", id, pupil, clock_now());
    else
        store_run(s, "DELETE FROM homework_done WHERE homework_id = $1 AND pupil_id = $2", "ii", id, pupil);
    reply_redirect(r, "/travail-a-faire");
}

/* The log of the last two weeks, for a pupil. */
static void log_list(struct req *r, int64_t pupil, bool own)
{
    struct store *s = store_thread();
    char today[11], from[11];
    clock_today(today);
    calendar_add_days(today, -LOG_LIST_DAYS, from);
    struct stmt *st = store_q(s,
        "SELECT le.on_date, sb.name, p.first_name, p.last_name, le.content, ts.starts_at, le.id, le.visible_from,"
        " t.establishment_id FROM " SQL_PUPIL_TEACHINGS
        " JOIN log_entry le ON le.teaching_id = x.teaching JOIN teaching t ON t.id = le.teaching_id"
        " JOIN subject sb ON sb.id = t.subject_id JOIN person p ON p.id = t.teacher_id"
        " LEFT JOIN timetable_slot ts ON ts.id = le.slot_id"
        " WHERE le.on_date >= $2 AND le.on_date <= $3 AND le.visible_from <= $4 ORDER BY le.on_date DESC, ts.starts_at",
        "itti", pupil, from, today, timetable_seen_at(r->actor, pupil));
    const char *name = persons_name(r, pupil);
    page_begin(r, tr(r, "log.title"));
    out(r, "<h1>%h</h1>", own ? tr(r, "log.title") : tr_fmt(r, "log.title_of", name ? name : "", NULL));
    out(r, "<p><a href=\"%h\">%h</a></p>", own ? "/travail-a-faire" : arena_printf(&r->arena, "/travail-a-faire/eleves/%lld", (long long)pupil),
        tr(r, "log.homework_title"));
    const char *day = NULL;
    int n = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        const char *d = stmt_text(st, 0);
        if (!day || strcmp(day, d)) {
            if (day) out(r, "</section>");
            day = arena_strdup(&r->arena, d);
            char key[16];
            snprintf(key, sizeof key, "weekday.%d", calendar_weekday(day));
            out(r, "<section class=\"day\"><h2>%h %h</h2>", tr(r, key), page_date(r, clock_local_noon(day)));
        }
        n++;
        out(r, "<article class=\"log\"><h3>%h <span class=\"meta\">%h · %h</span>", stmt_text(st, 1),
            stmt_text(st, 5) ? stmt_text(st, 5) : "", arena_printf(&r->arena, "%.1s. %s", stmt_text(st, 2), stmt_text(st, 3)));
        diffusion_badge(r, diffusion_load(s, &r->arena, stmt_int(st, 8)), stmt_int(st, 7)); /* staff only */
        out(r, "</h3>");
        page_markdown(r, stmt_text(st, 4));
        files_links(r, "log_entry", stmt_int(st, 6));
        out(r, "</article>");
    }
    stmt_done(st);
    if (day) out(r, "</section>");
    if (!n) out(r, "<p class=\"card\">%h</p>", tr(r, "log.empty"));
    page_end(r);
}

static void my_log(struct req *r)
{
    const struct actor *a = r->actor;
    if (policy_has(a, PROFILE_PUPIL)) {
        log_list(r, a->person_id, true);
        return;
    }
    if (policy_has(a, PROFILE_PARENT) && a->nchildren) {
        reply_redirect(r, arena_printf(&r->arena, "/cahier-de-textes/eleves/%lld", (long long)a->children[0]));
        return;
    }
    reply_redirect(r, "/emploi-du-temps");
}

static void child_log(struct req *r)
{
    int64_t id = param_int(r, "id");
    log_list(r, id, id == r->actor->person_id);
}

/* ---- Head: R-HOMEWORK figures and the establishment's rule -------------- */

static void settings_render(struct req *r, int64_t est)
{
    struct store *s = store_thread();
    const char *policy = setting(s, &r->arena, est, "homework.late");
    bool refuse = policy && !strcmp(policy, "refuse");
    char today[11], year[10], from[11];
    clock_today(today);
    calendar_school_year_of(today, year);
    snprintf(from, sizeof from, "%.4s-09-01", year);
    page_begin(r, tr(r, "log.settings_title"));
    out(r, "<h1>%h</h1><section class=\"card\"><h2>%h</h2><p>%h</p>", tr(r, "log.settings_title"), tr(r, "log.late_rule"),
        tr(r, "log.late_rule_lead"));
    struct stmt *st = store_q(s,
        "SELECT p.first_name, p.last_name, count(*) FROM homework h JOIN teaching t ON t.id = h.teaching_id"
        " JOIN person p ON p.id = h.author_id WHERE t.establishment_id = $1 AND h.late = 1 AND h.given_on >= $2"
        " GROUP BY p.id, p.first_name, p.last_name ORDER BY count(*) DESC, p.last_name", "it", est, from);
    int64_t total = 0;
    out(r, "<table class=\"list\"><caption>%h</caption><thead><tr><th scope=\"col\">%h</th><th scope=\"col\">%h</th></tr>"
           "</thead><tbody>",
        tr_fmt(r, "log.late_caption", year, NULL), tr(r, "timetable.teachers"), tr(r, "log.late_count"));
    while (st && stmt_step(st) == STORE_ROW) {
        total += stmt_int(st, 2);
        out(r, "<tr><td>%h %h</td><td>%I</td></tr>", stmt_text(st, 0), stmt_text(st, 1), stmt_int(st, 2));
    }
    stmt_done(st);
    out(r, "</tbody></table><p>%h</p>", tr_fmt(r, "log.late_total", arena_printf(&r->arena, "%lld", (long long)total), NULL));
    out(r, "<form method=\"post\" action=\"/etablissements/%I/cahier-de-textes\" class=\"stack\"><fieldset><legend>%h</legend>",
        est, tr(r, "log.late_policy"));
    page_csrf_input(r);
    out(r, "<label class=\"check\"><input type=\"radio\" name=\"late\" value=\"flag\"%R> %h</label>"
           "<label class=\"check\"><input type=\"radio\" name=\"late\" value=\"refuse\"%R> %h</label></fieldset>"
           "<button type=\"submit\" class=\"primary\">%h</button></form></section>",
        refuse ? "" : " checked", tr(r, "log.late_flag"), refuse ? " checked" : "", /* RAW_OK: literal attributes */
        tr(r, "log.late_refuse"), tr(r, "log.save"));
    page_end(r);
}

static void settings_page(struct req *r)
{
    int64_t est = param_int(r, "id");
    settings_render(r, est);
}

/* School-life staff and heads: a class, then a pupil's class log and
 * homework; a head also finds the establishment's rule there. */
static void settings_link(struct req *r, int64_t est)
{
    struct store *s = store_thread();
    if (policy_may(s, r->actor, ACT_ESTABLISHMENT_SETTINGS, OBJECT(OBJ_ESTABLISHMENT, est)))
        out(r, "<p><a class=\"button\" href=\"/etablissements/%I/cahier-de-textes\">%h</a></p>",
            est, tr(r, "log.settings_title"));
}

static void classes_page(struct req *r)
{
    persons_pupil_index(r, "/cahier-de-textes", tr(r, "log.classes_title"), 0, settings_link);
}

static void class_pupils_page(struct req *r)
{
    const char *title = tr(r, "log.classes_title");
    persons_pupil_index(r, "/cahier-de-textes", title, param_int(r, "id"), NULL);
}

static void settings_save(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, "id");
    if (store_run(s, "INSERT INTO establishment_setting (establishment_id, key, value) VALUES ($1, 'homework.late', $2)"
                     " ON CONFLICT (establishment_id, key) DO UPDATE SET value = $2", "it", est, param(r, "late")) < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "setting.homework_late", arena_printf(&r->arena, "establishment:%lld", (long long)est), param(r, "late"));
    reply_redirect(r, arena_printf(&r->arena, "/etablissements/%lld/cahier-de-textes", (long long)est));
}

/* ---- JSON ------------------------------------------------------------------ */

static void api_homework(struct req *r)
{
    struct store *s = store_thread();
    const struct actor *a = r->actor;
    int64_t pupil = param_int(r, "eleve");
    bool guardian = false;
    int64_t id = a->person_id;
    if (pupil) {
        if (!policy_may(s, a, ACT_PERSON_VIEW, OBJECT(OBJ_PERSON, pupil))) {
            reply_error(r, 403, tr(r, "err.forbidden"));
            return;
        }
        id = pupil;
    } else if (policy_has(a, PROFILE_PARENT) && !policy_has(a, PROFILE_PUPIL)) {
        guardian = true;
    }
    char today[11], to[11];
    clock_today(today);
    const char *from = param(r, "du") ? param(r, "du") : today;
    if (param(r, "au")) snprintf(to, sizeof to, "%s", param(r, "au"));
    else calendar_add_days(from, HOMEWORK_LIST_DAYS, to);
    if (!calendar_valid_date(from) || !calendar_valid_date(to) || strcmp(from, to) > 0 || calendar_days_between(from, to) > 120) {
        reply_error(r, 400, tr(r, "log.err.range"));
        return;
    }
    struct homework_item *v;
    size_t n = log_homework_due(s, &r->arena, id, guardian, from, to, guardian ? clock_now() : timetable_seen_at(a, id), &v);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:b,s:b,s:b}", "id", (json_int_t)v[i].id,
                                              "pupil_id", (json_int_t)v[i].pupil_id, "subject", v[i].subject, "teacher",
                                              v[i].teacher, "title", v[i].title, "content", v[i].content, "given_on",
                                              v[i].given_on, "due_on", v[i].due_on, "minutes", v[i].minutes,
                                              "given_in_class", v[i].given_in_class, "hand_in", v[i].hand_in, "done", v[i].done));
    reply_json(r, 200, json_pack("{s:s,s:s,s:o}", "from", from, "to", to, "homework", list));
}

static const char *const late_choices[] = {"flag", "refuse", NULL};
static const struct param_spec lesson_params[] = {
    {"slot", P_ID, SRC_PATH, .required = true}, {"date", P_LINE, SRC_PATH, .required = true, .maxlen = 10},
    {"ok", P_BOOL, SRC_QUERY}, {"tard", P_BOOL, SRC_QUERY}, {0}};

const struct route log_routes[] = {
    {.method = M_GET, .path = "/cahier-de-textes/cours/{slot}/{date}", .handler = lesson_page, .action = ACT_LOG_WRITE,
     .params = lesson_params},
    {.method = M_POST, .path = "/cahier-de-textes/cours/{slot}/{date}", .handler = lesson_save, .action = ACT_LOG_WRITE,
     .params = (const struct param_spec[]){
         {"slot", P_ID, SRC_PATH, .required = true}, {"date", P_LINE, SRC_PATH, .required = true, .maxlen = 10},
         {"content", P_TEXT, SRC_BODY, .maxlen = LOG_MAX_CONTENT, .label = "log.content_label"}, {0}}},
    {.method = M_POST, .path = "/cahier-de-textes/cours/{slot}/{date}/travail", .handler = homework_add,
     .action = ACT_LOG_WRITE,
     .params = (const struct param_spec[]){
         {"slot", P_ID, SRC_PATH, .required = true}, {"date", P_LINE, SRC_PATH, .required = true, .maxlen = 10},
         {"title", P_LINE, SRC_BODY, .required = true, .maxlen = 120, .label = "log.hw_title"},
         {"content", P_TEXT, SRC_BODY, .maxlen = LOG_MAX_CONTENT, .label = "log.hw_content"},
         {"due_on", P_LINE, SRC_BODY, .required = true, .maxlen = 10, .label = "log.due_on"},
         {"minutes", P_INT, SRC_BODY, .min = 0, .max = 600, .label = "log.minutes_label"},
         {"given_in_class", P_BOOL, SRC_BODY}, {"hand_in", P_BOOL, SRC_BODY}, {0}}},
    {.method = M_POST, .path = "/travail/{id}/supprimer", .handler = homework_delete, .action = ACT_LOG_WRITE,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"suite", P_LINE, SRC_BODY, .maxlen = 200}, {0}}},
    {.method = M_POST, .path = "/travail/{id}/fait", .handler = mark_done, .action = ACT_SIGNED_IN,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"fait", P_BOOL, SRC_BODY}, {0}}},
    {.method = M_GET, .path = "/travail-a-faire", .handler = my_homework, .action = ACT_SIGNED_IN},
    {.method = M_GET, .path = "/travail-a-faire/eleves/{id}", .handler = child_homework, .action = ACT_PERSON_VIEW, .object = OBJ_PERSON,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_GET, .path = "/cahier-de-textes", .handler = my_log, .action = ACT_SIGNED_IN},
    {.method = M_GET, .path = "/cahier-de-textes/classes", .handler = classes_page,
     .action = ACT_CLASS_VIEW},
    {.method = M_GET, .path = "/cahier-de-textes/classes/{id}", .handler = class_pupils_page,
     .action = ACT_CLASS_VIEW, .object = OBJ_CLASS,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_GET, .path = "/cahier-de-textes/eleves/{id}", .handler = child_log, .action = ACT_PERSON_VIEW, .object = OBJ_PERSON,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_GET, .object = OBJ_ESTABLISHMENT, .path = "/etablissements/{id}/cahier-de-textes", .handler = settings_page,
     .action = ACT_ESTABLISHMENT_SETTINGS, .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_POST, .object = OBJ_ESTABLISHMENT, .path = "/etablissements/{id}/cahier-de-textes", .handler = settings_save,
     .action = ACT_ESTABLISHMENT_SETTINGS,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"late", P_ENUM, SRC_BODY, .required = true, .choices = late_choices}, {0}}},
    {.method = M_GET, .path = "/api/v1/homework", .handler = api_homework, .action = ACT_SIGNED_IN, .flags = ROUTE_API,
     .params = (const struct param_spec[]){{"eleve", P_ID, SRC_QUERY}, {"du", P_LINE, SRC_QUERY, .maxlen = 10},
                                           {"au", P_LINE, SRC_QUERY, .maxlen = 10}, {0}}},
    {0}};
