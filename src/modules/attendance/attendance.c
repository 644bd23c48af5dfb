/* attendance.c — roll calls, absences and lateness, justifications,
 * alerts, reasons, JSON. */
#include "attendance.h"
#include "../files/files.h"
#include "../messages/messages.h"
#include "../timetable/timetable.h"
#include "../../calendar/calendar.h"
#include "../persons/persons.h"
#include "../../core/audit.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/page.h"
#include "../notify/notify.h"
#include "../../policy/diffusion.h"
#include "../../policy/policy.h"
#include "../../policy/scope_sql.h"
#include "../../store/store.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A lesson starting before noon belongs to the morning half-day. */
static const char *half_of(const char *starts) { return strcmp(starts, "12:00") < 0 ? "am" : "pm"; }

static const char *school_year_start(char out[11])
{
    char today[11], year[10];
    clock_today(today);
    calendar_school_year_of(today, year);
    snprintf(out, 11, "%.4s-08-01", year);
    return out;
}

/* ---- Queries other modules use ------------------------------------------- */

#define TO_JUSTIFY_SQL(who)                                                                                     \
    "SELECT min(a.id), a.pupil_id, a.on_date, a.half, a.kind, a.state, min(a.starts_at), max(a.minutes), count(*)" \
    " FROM attendance a WHERE " who " AND a.kind = 'absence' AND a.state IN ('unjustified', 'refused')"           \
    " AND a.on_date >= $2 GROUP BY a.pupil_id, a.on_date, a.half, a.kind, a.state"                               \
    " ORDER BY a.on_date DESC, a.half DESC"

static const char *const q_to_justify[2] = {
    TO_JUSTIFY_SQL("a.pupil_id = $1"),
    TO_JUSTIFY_SQL("a.pupil_id IN " SQL_CHILDREN_OF_1),
};

static size_t absence_rows(struct arena *a, struct stmt *st, struct absence_item **out)
{
    size_t n = 0, cap = 0;
    struct absence_item *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(a, v, n, &cap, sizeof *v);
        v[n++] = (struct absence_item){.id = stmt_int(st, 0), .pupil_id = stmt_int(st, 1),
                                       .on_date = arena_strdup(a, stmt_text(st, 2)), .half = arena_strdup(a, stmt_text(st, 3)),
                                       .kind = arena_strdup(a, stmt_text(st, 4)), .state = arena_strdup(a, stmt_text(st, 5)),
                                       .starts_at = arena_strdup(a, stmt_text(st, 6)), .minutes = (int)stmt_int(st, 7),
                                       .lessons = (int)stmt_int(st, 8)};
    }
    stmt_done(st);
    *out = v;
    return n;
}

size_t attendance_to_justify(struct store *s, struct arena *a, int64_t id, bool guardian, struct absence_item **out)
{
    return absence_rows(a, attendance_to_justify_ask(s, id, guardian), out);
}

struct stmt *attendance_to_justify_ask(struct store *s, int64_t id, bool guardian)
{
    char from[11];
    return store_q_ahead(s, q_to_justify[guardian], "it", id, school_year_start(from));
}

size_t attendance_to_justify_read(struct stmt *st, struct arena *a, struct absence_item **out) { return absence_rows(a, st, out); }

size_t attendance_roll_calls_on(struct store *s, struct arena *a, int64_t teacher, const char *date, struct roll_done **out)
{
    /* Through the teacher's teachings and the (teaching, date) index: a join
     * on the date would read every roll call of the territory that day. */
    struct stmt *st = store_q(s, "SELECT rc.teaching_id, coalesce(rc.slot_id, 0) FROM roll_call rc"
                                 " WHERE rc.teaching_id IN (SELECT id FROM teaching WHERE teacher_id = $1) AND rc.on_date = $2",
                              "it", teacher, date);
    size_t n = 0, cap = 0;
    struct roll_done *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(a, v, n, &cap, sizeof *v);
        v[n++] = (struct roll_done){stmt_int(st, 0), stmt_int(st, 1)};
    }
    stmt_done(st);
    *out = v;
    return n;
}

/* Unjustified half-days of absence of a pupil in the month of date. */
static int64_t unjustified_half_days(struct store *s, int64_t pupil, const char *date)
{
    char from[11], to[11];
    snprintf(from, sizeof from, "%.7s-01", date);
    snprintf(to, sizeof to, "%.7s-31", date);
    int64_t n = 0;
    store_int(s, &n,
              "SELECT count(*) FROM (SELECT DISTINCT on_date, half FROM attendance WHERE pupil_id = $1 AND kind = 'absence'"
              " AND state <> 'justified' AND on_date >= $2 AND on_date <= $3) d", "itt", pupil, from, to);
    return n;
}

/* The alert of S-ATTENDANCE: at 4 unjustified half-days in a month, school
 * life is told once for that pupil and month (the count is kept current). */
static int alert_check(struct req *r, int64_t pupil, int64_t est, const char *date)
{
    struct store *s = store_thread();
    int64_t n = unjustified_half_days(s, pupil, date);
    if (n < ATTENDANCE_ALERT_HALF_DAYS) return 0;
    char month[8];
    snprintf(month, sizeof month, "%.7s", date);
    int64_t existing = 0;
    store_int(s, &existing, "SELECT count(*) FROM attendance_alert WHERE pupil_id = $1 AND month = $2", "it", pupil, month);
    if (store_run(s, "INSERT INTO attendance_alert (pupil_id, establishment_id, month, half_days, created_at) VALUES ($1, $2, $3, $4, $5)"
                     " ON CONFLICT (pupil_id, month) DO UPDATE SET half_days = $4", "iitii", pupil, est, month, n, clock_now()) < 0)
        return -1;
    if (!existing)
        audit(s, r, 0, "attendance.alert", arena_printf(&r->arena, "person:%lld", (long long)pupil),
              arena_printf(&r->arena, "%s: %lld", month, (long long)n));
    return 0;
}

static const char *day_text(struct req *r, const char *date)
{
    char key[16];
    snprintf(key, sizeof key, "weekday.%d", calendar_weekday(date));
    return arena_printf(&r->arena, "%s %s", tr(r, key), page_date(r, clock_local_noon(date)));
}

static const char *half_text(struct req *r, const char *date, const char *half)
{
    return tr_fmt(r, !strcmp(half, "am") ? "attendance.morning_of" : "attendance.afternoon_of", day_text(r, date), NULL);
}

/* ---- Roll call ---------------------------------------------------------- */

struct roll_row {
    int64_t id, pupil;
    const char *kind;
    int minutes;
};

static size_t roll_rows(struct req *r, int64_t roll_call, struct roll_row **out)
{
    struct stmt *st = store_q(store_thread(), "SELECT id, pupil_id, kind, minutes FROM attendance WHERE roll_call_id = $1", "i",
                              roll_call);
    size_t n = 0, cap = 0;
    struct roll_row *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n++] = (struct roll_row){stmt_int(st, 0), stmt_int(st, 1), arena_strdup(&r->arena, stmt_text(st, 2)), (int)stmt_int(st, 3)};
    }
    stmt_done(st);
    *out = v;
    return n;
}

static const struct roll_row *row_of(const struct roll_row *v, size_t n, int64_t pupil)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].pupil == pupil) return &v[i];
    return NULL;
}

/* When a roll call cannot be taken for this lesson: NULL when it can. */
static const char *roll_call_refusal(struct req *r, const struct lesson_at *l)
{
    struct store *s = store_thread();
    char today[11], now[17];
    clock_today(today);
    clock_datetime(clock_now(), now);
    const char *why = NULL;
    struct school_calendar *cal = calendar_load(s, &r->arena, l->est);
    if (!cal || !calendar_is_school_day(cal, l->date, &why)) return tr(r, "attendance.err.no_school");
    int cmp = strcmp(l->date, today);
    if (cmp > 0) return tr(r, "attendance.err.future");
    if (cmp == 0) {
        int h = atoi(l->starts), m = atoi(l->starts + 3), opens = h * 60 + m - ROLL_CALL_OPENS_BEFORE_MIN;
        if (atoi(now + 11) * 60 + atoi(now + 14) < opens) return tr(r, "attendance.err.future");
    }
    int64_t off = 0;
    store_int(s, &off, "SELECT count(*) FROM lesson_change WHERE slot_id = $1 AND on_date = $2 AND kind IN ('cancelled', 'teacher_absent')",
              "it", l->slot, l->date);
    if (off) return tr(r, "attendance.err.cancelled");
    return NULL;
}

static void roll_call_render(struct req *r, const struct lesson_at *l, const char *error, const char *notice)
{
    struct store *s = store_thread();
    struct teaching_info t;
    if (!timetable_teaching(s, &r->arena, l->teaching, &t)) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    struct pupil_ref *pupils;
    size_t np = timetable_teaching_pupils(s, &r->arena, &t, l->date, &pupils);
    int64_t rc = 0, done_at = 0;
    struct stmt *st = store_q(s, "SELECT id, updated_at FROM roll_call WHERE teaching_id = $1 AND on_date = $2 AND slot_id = $3", "iti",
                              l->teaching, l->date, l->slot);
    if (st && stmt_step(st) == STORE_ROW) {
        rc = stmt_int(st, 0);
        done_at = stmt_int(st, 1);
    }
    stmt_done(st);
    struct roll_row *rows = NULL;
    size_t nrows = rc ? roll_rows(r, rc, &rows) : 0;
    const char *refusal = roll_call_refusal(r, l);
    page_begin(r, tr(r, "attendance.roll_call"));
    out(r, "<h1>%h</h1><p class=\"lead\">%h — %h · %h %h–%h</p>", tr(r, "attendance.roll_call"), l->class_name, l->subject,
        day_text(r, l->date), l->starts, l->ends);
    if (notice) out(r, "<p class=\"notice\" role=\"status\">%h</p>", notice);
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    if (done_at) out(r, "<p><span class=\"badge ext\">%h</span></p>", tr_fmt(r, "attendance.done_at", page_datetime(r, done_at), NULL));
    else out(r, "<p><span class=\"badge change\">%h</span></p>", tr(r, "attendance.not_done"));
    if (refusal && !error) out(r, "<p class=\"meta\">%h</p>", refusal);
    out(r, "<form method=\"post\" action=\"/appel/%I/%h\" class=\"rollcall\">", l->slot, l->date);
    page_csrf_input(r);
    out(r, "<p class=\"help\">%h</p><ul class=\"plain roll\">", tr(r, "attendance.roll_help"));
    for (size_t i = 0; i < np; i++) {
        const struct pupil_ref *p = &pupils[i];
        const struct roll_row *row = row_of(rows, nrows, p->id);
        bool absent = row && !strcmp(row->kind, "absence");
        int late = row && !strcmp(row->kind, "late") ? row->minutes : 0;
        out(r, "<li><label class=\"check absent\"><input type=\"checkbox\" name=\"abs_%I\" value=\"1\"%R> <span>%h %h</span> "
               "<span class=\"tag\">%h</span></label>",
            p->id, absent ? " checked" : "", p->last_name, p->first_name, tr(r, "attendance.absent")); /* RAW_OK: literal */
        out(r, "<label class=\"late\">%h <input type=\"number\" name=\"late_%I\" min=\"0\" max=\"240\" inputmode=\"numeric\" "
               "value=\"%R\" aria-label=\"%h\"></label></li>",
            tr(r, "attendance.late_min"), p->id, late ? arena_printf(&r->arena, "%d", late) : "", /* RAW_OK: digits */
            tr_fmt(r, "attendance.late_of", arena_printf(&r->arena, "%s %s", p->first_name, p->last_name), NULL));
    }
    out(r, "</ul>");
    if (!np) out(r, "<p class=\"meta\">%h</p>", tr(r, "grades.no_pupils"));
    out(r, "<button type=\"submit\" class=\"primary\">%h</button></form>", tr(r, "attendance.validate"));
    out(r, "<p><a href=\"/emploi-du-temps\">%h</a></p>", tr(r, "timetable.title"));
    page_end(r);
}

static void roll_call_page(struct req *r)
{
    struct lesson_at l;
    if (!timetable_lesson_at(r, ACT_ROLL_CALL, &l)) return;
    roll_call_render(r, &l, NULL, param_bool(r, "ok") ? tr(r, "attendance.saved") : NULL);
}

static void roll_call_fail(struct req *r, const struct lesson_at *l, int status, const char *msg)
{
    if (r->api) {
        reply_error(r, status, msg);
        return;
    }
    r->status = status;
    roll_call_render(r, l, msg, NULL);
}

/* S-NOTIFY: the pupil's legal guardians hear of an absence or a lateness
 * the same day (from the end of the quiet period if the roll call is
 * entered in one, R-DISCO). */
const char *attendance_notice_title(struct arena *a, const char *first_name, const char *date, const char *starts, const char *subject,
                                    bool late, int64_t minutes)
{
    const char *when = arena_printf(a, "%s %s", page_day(a, "fr", date), starts);
    return late ? i18n_fmt(a, "fr", "notify.late", first_name, arena_printf(a, "%lld min, %s, %s", (long long)minutes, when, subject))
                : i18n_fmt(a, "fr", "notify.absence", first_name, arena_printf(a, "%s, %s", when, subject));
}

static int notify_attendance(struct req *r, const struct lesson_at *l, int64_t pupil, const char *first_name, int64_t id,
                             const char *kind, int minutes, int64_t now)
{
    const struct diffusion *d = diffusion_load(store_thread(), &r->arena, l->est);
    struct notice nt = {.service = "attendance",
                        .title = attendance_notice_title(&r->arena, first_name, l->date, l->starts, l->subject, !strcmp(kind, "late"), minutes),
                        .url = arena_printf(&r->arena, "/absences/eleves/%lld", (long long)pupil),
                        .item = arena_printf(&r->arena, "attendance:%lld", (long long)id), .establishment = l->est,
                        .visible_at = diffusion_release_at(d, now)};
    return notify_guardians(store_thread(), pupil, &nt);
}

static void roll_call_save(struct req *r)
{
    struct store *s = store_thread();
    struct lesson_at l;
    if (!timetable_lesson_at(r, ACT_ROLL_CALL, &l)) return;
    const char *refusal = roll_call_refusal(r, &l);
    if (refusal) {
        roll_call_fail(r, &l, 400, refusal);
        return;
    }
    struct teaching_info t;
    if (!timetable_teaching(s, &r->arena, l.teaching, &t)) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    struct pupil_ref *pupils;
    size_t np = timetable_teaching_pupils(s, &r->arena, &t, l.date, &pupils);
    /* What was ticked: every name must be one of the lesson's pupils. */
    const struct kv *abs, *late;
    size_t na = param_prefixed(r, "abs_", &abs), nl = param_prefixed(r, "late_", &late);
    int *state = arena_alloc(&r->arena, (np + 1) * sizeof *state); /* -1 absent, 0 present, n minutes late */
    for (size_t k = 0; k < na + nl; k++) {
        const struct kv *f = k < na ? &abs[k] : &late[k - na];
        int64_t pupil = strtoll(f->name + (k < na ? 4 : 5), NULL, 10);
        size_t i = 0;
        while (i < np && pupils[i].id != pupil) i++;
        if (i == np) {
            roll_call_fail(r, &l, 400, tr(r, "attendance.err.not_in_lesson"));
            return;
        }
        if (k < na && !strcmp(f->value, "1")) state[i] = -1;
        if (k >= na && *f->value && atoi(f->value) > 0) {
            if (state[i] < 0) {
                roll_call_fail(r, &l, 400, tr_fmt(r, "attendance.err.both", arena_printf(&r->arena, "%s %s", pupils[i].first_name,
                                                                                             pupils[i].last_name), NULL));
                return;
            }
            state[i] = atoi(f->value);
        }
    }
    int64_t now = clock_now(), rc = 0;
    const char *half = half_of(l.starts);
    size_t absent = 0, lateness = 0;
    if (store_begin(s) < 0) goto fail;
    if (store_int(s, &rc,
                  "INSERT INTO roll_call (teaching_id, slot_id, on_date, done_by, done_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)"
                  " ON CONFLICT (teaching_id, on_date, coalesce(slot_id, 0)) DO UPDATE SET updated_at = $5 RETURNING id",
                  "iitii", l.teaching, l.slot, l.date, r->actor->person_id, now) != 1)
        goto fail;
    struct roll_row *rows;
    size_t nrows = roll_rows(r, rc, &rows);
    for (size_t i = 0; i < np; i++) {
        const struct roll_row *row = row_of(rows, nrows, pupils[i].id);
        const char *kind = state[i] < 0 ? "absence" : state[i] > 0 ? "late" : NULL;
        int minutes = state[i] > 0 ? state[i] : 0;
        absent += state[i] < 0;
        lateness += state[i] > 0;
        if (!kind) {
            if (row && (store_run(s, "DELETE FROM notification WHERE item = $1 AND read_at IS NULL", "t",
                                  arena_printf(&r->arena, "attendance:%lld", (long long)row->id)) < 0 ||
                        store_run(s, "DELETE FROM attendance WHERE id = $1", "i", row->id) < 0))
                goto fail;
            continue;
        }
        if (row && !strcmp(row->kind, kind) && row->minutes == minutes) continue;
        if (row) {
            if (store_run(s, "UPDATE attendance SET kind = $2, minutes = $3, state = 'unjustified', reason_id = NULL, comment = '',"
                             " justified_by = NULL, justified_at = NULL, decided_by = NULL, decided_at = NULL WHERE id = $1",
                          "iti", row->id, kind, (int64_t)minutes) < 0)
                goto fail;
            if (state[i] < 0 && alert_check(r, pupils[i].id, l.est, l.date) < 0) goto fail;
            continue;
        }
        int64_t id = 0;
        if (store_int(s, &id,
                      "INSERT INTO attendance (pupil_id, establishment_id, roll_call_id, on_date, half, starts_at, kind, minutes,"
                      " created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                      "iiittttiii", pupils[i].id, l.est, rc, l.date, half, l.starts, kind, (int64_t)minutes, r->actor->person_id,
                      now) != 1)
            goto fail;
        /* Families are told the same day (R-DISCO: a roll call entered in a
         * quiet period reaches them at its end). */
        if (notify_attendance(r, &l, pupils[i].id, pupils[i].first_name, id, kind, minutes, now) < 0) goto fail;
        if (state[i] < 0 && alert_check(r, pupils[i].id, l.est, l.date) < 0) goto fail;
    }
    if (store_commit(s) < 0) goto fail;
    audit(s, r, 0, "roll_call.done", arena_printf(&r->arena, "roll_call:%lld", (long long)rc),
          arena_printf(&r->arena, "%zu absent, %zu late", absent, lateness));
    if (r->api)
        reply_json(r, 200, json_pack("{s:I,s:i,s:i}", "roll_call_id", (json_int_t)rc, "absent", (int)absent, "late", (int)lateness));
    else
        reply_redirect(r, arena_printf(&r->arena, "/appel/%lld/%s?ok=1", (long long)l.slot, l.date));
    return;
fail:
    store_rollback(s);
    reply_error(r, 503, tr(r, "err.unavailable"));
}

/* ---- Families: a pupil's absences, justification ------------------------- */

struct reason {
    int64_t id;
    const char *label;
};

/* Motifs of an establishment (the migration and the demo give each the
 * usual ones; school life edits them). */
static size_t reasons_of(struct req *r, int64_t est, bool active_only, struct reason **out)
{
    struct store *s = store_thread();
    struct stmt *st = store_q(s, "SELECT id, label, active FROM absence_reason WHERE establishment_id = $1 ORDER BY position, label", "i",
                              est);
    size_t k = 0, cap = 0;
    struct reason *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        if (active_only && !stmt_int(st, 2)) continue;
        v = arena_grow(&r->arena, v, k, &cap, sizeof *v);
        v[k++] = (struct reason){stmt_int(st, 0), arena_strdup(&r->arena, stmt_text(st, 1))};
    }
    stmt_done(st);
    *out = v;
    return k;
}

/* A justification covers a half-day (or a lateness): its attachment hangs
 * on the first row of that half-day, whatever the rows' states. */
static int64_t half_day_row(struct store *s, int64_t pupil, const char *date, const char *half, const char *kind)
{
    int64_t id = 0;
    store_int(s, &id, "SELECT min(id) FROM attendance WHERE pupil_id = $1 AND on_date = $2 AND half = $3 AND kind = $4", "ittt", pupil,
              date, half, kind);
    return id;
}

static void justification_files(struct req *r, int64_t pupil, const char *date, const char *half, const char *kind)
{
    int64_t id = half_day_row(store_thread(), pupil, date, half, kind);
    if (id) files_links(r, "attendance", id);
}

static const char *state_badge(const char *state)
{
    return !strcmp(state, "justified") ? "badge ext" : !strcmp(state, "pending") ? "badge" : "badge change";
}

/* One half-day (or lateness) line. */
static void absence_line(struct req *r, const char *date, const char *half, const char *kind, const char *state, int lessons,
                         int minutes, const char *starts, const char *reason, const char *comment, const char *note)
{
    if (!strcmp(kind, "absence"))
        out(r, "<p><strong>%h</strong> <span class=\"meta\">%h</span> ", half_text(r, date, half),
            tr_fmt(r, "attendance.n_lessons", arena_printf(&r->arena, "%d", lessons), NULL));
    else
        out(r, "<p><strong>%h</strong> <span class=\"meta\">%h</span> ", day_text(r, date),
            tr_fmt(r, "attendance.late_at", starts, arena_printf(&r->arena, "%d", minutes)));
    out(r, "<span class=\"%R\">%h</span></p>", state_badge(state), /* RAW_OK: literal class */
        tr(r, arena_printf(&r->arena, "attendance.state.%s", state)));
    if (reason && *reason) out(r, "<p class=\"meta\">%h%R%h</p>", reason, comment && *comment ? " — " : "", comment ? comment : ""); /* RAW_OK: literal */
    if (note && *note) out(r, "<p class=\"meta\">%h</p>", tr_fmt(r, "attendance.decision_note", note, NULL));
}

static void justify_form(struct req *r, int64_t pupil, const char *date, const char *half, const char *kind,
                         const struct reason *reasons, size_t nreasons)
{
    if (!nreasons) {
        out(r, "<p class=\"meta\">%h</p>", tr(r, "attendance.no_reasons_family"));
        return;
    }
    const char *id = arena_printf(&r->arena, "%s-%s-%s", date, half, kind);
    out(r, "<details><summary>%h</summary><form method=\"post\" action=\"/absences/eleves/%I/justifier\" "
           "enctype=\"multipart/form-data\" class=\"stack\">",
        tr(r, "attendance.justify"), pupil);
    page_csrf_input(r);
    out(r, "<input type=\"hidden\" name=\"date\" value=\"%h\"><input type=\"hidden\" name=\"half\" value=\"%h\">"
           "<input type=\"hidden\" name=\"kind\" value=\"%h\">", date, half, kind);
    out(r, "<label for=\"r-%h\">%h</label><select id=\"r-%h\" name=\"reason\" required><option value=\"\">%h</option>", id,
        tr(r, "attendance.reason"), id, tr(r, "attendance.choose_reason"));
    for (size_t i = 0; i < nreasons; i++) out(r, "<option value=\"%I\">%h</option>", reasons[i].id, reasons[i].label);
    out(r, "</select><label for=\"c-%h\">%h</label><textarea id=\"c-%h\" name=\"comment\" rows=\"2\" maxlength=\"500\"></textarea>"
           "<label for=\"f-%h\">%h</label><input id=\"f-%h\" type=\"file\" name=\"piece\" accept=\".pdf,image/*\" "
           "aria-describedby=\"fh-%h\"><p class=\"help\" id=\"fh-%h\">%h</p>"
           "<button type=\"submit\" class=\"primary\">%h</button></form></details>",
        id, tr(r, "attendance.comment"), id, id, tr(r, "attendance.attachment"), id, id, id, tr(r, "attendance.attachment_help"),
        tr(r, "attendance.send_justification"));
}

static void pupil_absences(struct req *r, int64_t pupil)
{
    struct store *s = store_thread();
    char from[11];
    school_year_start(from);
    bool can_justify = policy_may(s, r->actor, ACT_ABSENCE_JUSTIFY, OBJECT(OBJ_PERSON, pupil));
    struct stmt *st = store_q(s,
        "SELECT min(a.id), a.on_date, a.half, a.kind, a.state, count(*), max(a.minutes), min(a.starts_at), coalesce(max(rs.label), ''),"
        " max(a.comment), max(a.decision_note), max(a.establishment_id) FROM attendance a"
        " LEFT JOIN absence_reason rs ON rs.id = a.reason_id WHERE a.pupil_id = $1 AND a.on_date >= $2"
        " GROUP BY a.on_date, a.half, a.kind, a.state ORDER BY a.on_date DESC, a.half DESC", "it", pupil, from);
    struct row {
        int64_t id, est;
        const char *date, *half, *kind, *state, *starts, *reason, *comment, *note;
        int lessons, minutes;
    } *v = NULL;
    size_t n = 0, cap = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        struct arena *a = &r->arena;
        v[n++] = (struct row){stmt_int(st, 0), stmt_int(st, 11), arena_strdup(a, stmt_text(st, 1)), arena_strdup(a, stmt_text(st, 2)),
                              arena_strdup(a, stmt_text(st, 3)), arena_strdup(a, stmt_text(st, 4)), arena_strdup(a, stmt_text(st, 7)),
                              arena_strdup(a, stmt_text(st, 8)), arena_strdup(a, stmt_text(st, 9)), arena_strdup(a, stmt_text(st, 10)),
                              (int)stmt_int(st, 5), (int)stmt_int(st, 6)};
    }
    stmt_done(st);
    int halves = 0, unjustified = 0, lates = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(v[i].kind, "late")) lates++;
        else {
            halves++;
            unjustified += strcmp(v[i].state, "justified") != 0;
        }
    }
    struct reason *reasons = NULL;
    size_t nreasons = can_justify && n ? reasons_of(r, v[0].est, true, &reasons) : 0;
    bool own = pupil == r->actor->person_id;
    page_begin(r, tr(r, "attendance.title"));
    out(r, "<h1>%h</h1>", own ? tr(r, "attendance.title") : tr_fmt(r, "attendance.title_of", persons_name(r, pupil), NULL));
    if (param_bool(r, "ok")) out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr(r, "attendance.justification_sent"));
    out(r, "<section class=\"card\"><h2>%h</h2><p>%h</p><p>%h</p></section>", tr(r, "attendance.this_year"),
        tr_fmt(r, "attendance.half_days", arena_printf(&r->arena, "%d", halves), arena_printf(&r->arena, "%d", unjustified)),
        tr_fmt(r, "attendance.lates", arena_printf(&r->arena, "%d", lates), NULL));
    static const char *const sections[3] = {"attendance.to_justify", "attendance.pending", "attendance.history"};
    for (int k = 0; k < 3; k++) {
        int shown = 0;
        for (size_t i = 0; i < n; i++) {
            const struct row *x = &v[i];
            bool open = !strcmp(x->state, "unjustified") || !strcmp(x->state, "refused");
            int sec = open ? 0 : !strcmp(x->state, "pending") ? 1 : 2;
            if (sec != k) continue;
            if (!shown++) out(r, "<section class=\"card\"><h2>%h</h2><ul class=\"plain editable\">", tr(r, sections[k]));
            out(r, "<li>");
            absence_line(r, x->date, x->half, x->kind, x->state, x->lessons, x->minutes, x->starts, x->reason, x->comment, x->note);
            if (k < 2) justification_files(r, pupil, x->date, x->half, x->kind);
            if (k == 0 && can_justify) justify_form(r, pupil, x->date, x->half, x->kind, reasons, nreasons);
            out(r, "</li>");
        }
        if (shown) out(r, "</ul></section>");
    }
    if (!n) out(r, "<p class=\"card\">%h</p>", tr(r, "attendance.none"));
    page_end(r);
}

static void my_absences(struct req *r)
{
    const struct actor *a = r->actor;
    if (policy_has(a, PROFILE_PUPIL)) {
        pupil_absences(r, a->person_id);
        return;
    }
    if (policy_has(a, PROFILE_PARENT) && a->nchildren) {
        reply_redirect(r, arena_printf(&r->arena, "/absences/eleves/%lld", (long long)a->children[0]));
        return;
    }
    if (policy_may(store_thread(), a, ACT_ATTENDANCE_MANAGE, OBJECT_NONE)) {
        reply_redirect(r, "/vie-scolaire");
        return;
    }
    reply_error(r, 404, tr(r, "grades.err.no_pupil"));
}

static void child_absences(struct req *r)
{
    int64_t id = param_int(r, "id");
    pupil_absences(r, id);
}

static void justify(struct req *r)
{
    struct store *s = store_thread();
    int64_t pupil = param_int(r, "id");
    const char *date = param(r, "date"), *half = param(r, "half"), *kind = param(r, "kind") ? param(r, "kind") : "absence";
    int64_t first = 0, est = 0;
    struct stmt *st = store_q(s, "SELECT min(id), max(establishment_id) FROM attendance WHERE pupil_id = $1 AND on_date = $2 AND half = $3"
                                 " AND kind = $4 AND state IN ('unjustified', 'refused')", "ittt", pupil, date, half, kind);
    if (st && stmt_step(st) == STORE_ROW && !stmt_is_null(st, 0)) {
        first = stmt_int(st, 0);
        est = stmt_int(st, 1);
    }
    stmt_done(st);
    if (!first) {
        reply_error(r, 404, tr(r, "attendance.err.nothing_to_justify"));
        return;
    }
    int64_t reason = param_int(r, "reason"), ok = 0;
    store_int(s, &ok, "SELECT count(*) FROM absence_reason WHERE id = $1 AND establishment_id = $2 AND active = 1", "ii", reason, est);
    if (!ok) {
        reply_error(r, 400, tr(r, "attendance.err.reason"));
        return;
    }
    const struct upload *u = files_upload(r, "piece");
    const char *bad = u ? files_check(r, u) : NULL;
    if (bad) {
        reply_error(r, 400, bad);
        return;
    }
    int64_t now = clock_now();
    if (store_begin(s) < 0 ||
        store_run(s, "UPDATE attendance SET state = 'pending', reason_id = $5, comment = $6, justified_by = $7, justified_at = $8,"
                     " decided_by = NULL, decided_at = NULL, decision_note = '' WHERE pupil_id = $1 AND on_date = $2 AND half = $3"
                     " AND kind = $4 AND state IN ('unjustified', 'refused')",
                  "itttitii", pupil, date, half, kind, reason, param(r, "comment") ? param(r, "comment") : "", r->actor->person_id,
                  now) < 0 ||
        (u && !files_attach(r, u, "attendance", half_day_row(s, pupil, date, half, kind))) || store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "absence.justified", arena_printf(&r->arena, "person:%lld", (long long)pupil),
          arena_printf(&r->arena, "%s %s %s", date, half, kind));
    if (r->api) reply_json(r, 200, json_pack("{s:s}", "state", "pending"));
    else reply_redirect(r, arena_printf(&r->arena, "/absences/eleves/%lld?ok=1", (long long)pupil));
}

/* ---- School life: the day, justifications, alerts, reasons -------------- */

static int64_t staff_establishment(struct req *r)
{
    int64_t chosen = param_int(r, "etablissement");
    if (chosen) return chosen;
    for (size_t i = 0; i < r->actor->nroles; i++)
        if ((r->actor->roles[i].profile == PROFILE_STAFF || r->actor->roles[i].profile == PROFILE_HEAD) &&
            r->actor->roles[i].establishment_id)
            return r->actor->roles[i].establishment_id;
    return 0;
}

struct day_lesson {
    const struct lesson *l;
    bool done;
    int64_t done_at;
    int absent, late;
};

static void day_roll_calls(struct req *r, int64_t est, const char *date)
{
    struct store *s = store_thread();
    char now[17], today[11];
    clock_datetime(clock_now(), now);
    clock_today(today);
    /* Every lesson of the day, class by class, with changes applied. */
    struct stmt *st = store_q(s, "SELECT c.id FROM class c JOIN level l ON l.id = c.level_id WHERE c.establishment_id = $1"
                                 " ORDER BY l.ordinal, c.name", "i", est);
    int64_t *classes = NULL;
    size_t nc = 0, ccap = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        classes = arena_grow(&r->arena, classes, nc, &ccap, sizeof *classes);
        classes[nc++] = stmt_int(st, 0);
    }
    stmt_done(st);
    struct day_lesson *v = NULL;
    size_t n = 0, cap = 0;
    for (size_t c = 0; c < nc; c++) {
        struct timetable_day *day;
        bool covered;
        if (!timetable_days(s, &r->arena, TT_CLASS, classes[c], date, date, &day, &covered)) continue;
        for (size_t i = 0; i < day->nlessons; i++) {
            const struct lesson *l = &day->lessons[i];
            if (l->status && (!strcmp(l->status, "cancelled") || !strcmp(l->status, "teacher_absent"))) continue;
            bool dup = false;
            for (size_t k = 0; k < n && !dup; k++) dup = v[k].l->teaching_id == l->teaching_id && v[k].l->slot_id == l->slot_id;
            if (dup) continue;
            v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
            v[n++] = (struct day_lesson){.l = l};
        }
    }
    st = store_q(s,
        "SELECT rc.teaching_id, coalesce(rc.slot_id, 0), rc.updated_at,"
        " (SELECT count(*) FROM attendance a WHERE a.roll_call_id = rc.id AND a.kind = 'absence'),"
        " (SELECT count(*) FROM attendance a WHERE a.roll_call_id = rc.id AND a.kind = 'late')"
        " FROM roll_call rc JOIN teaching t ON t.id = rc.teaching_id WHERE t.establishment_id = $1 AND rc.on_date = $2", "it", est, date);
    while (st && stmt_step(st) == STORE_ROW)
        for (size_t k = 0; k < n; k++)
            if (v[k].l->teaching_id == stmt_int(st, 0) && v[k].l->slot_id == stmt_int(st, 1)) {
                v[k].done = true;
                v[k].done_at = stmt_int(st, 2);
                v[k].absent = (int)stmt_int(st, 3);
                v[k].late = (int)stmt_int(st, 4);
            }
    stmt_done(st);
    /* By start time. */
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && strcmp(v[k - 1].l->starts_at, v[k].l->starts_at) > 0; k--) {
            struct day_lesson t = v[k];
            v[k] = v[k - 1];
            v[k - 1] = t;
        }
    int missing = 0;
    for (size_t k = 0; k < n; k++) {
        bool started = strcmp(date, today) < 0 || (!strcmp(date, today) && strcmp(now + 11, v[k].l->starts_at) >= 0);
        missing += started && !v[k].done;
    }
    out(r, "<section class=\"card\"><h2>%h</h2>", tr(r, "attendance.day_roll_calls"));
    if (missing) out(r, "<p class=\"error\">%h</p>", tr_fmt(r, "attendance.missing", arena_printf(&r->arena, "%d", missing), NULL));
    if (!n) out(r, "<p class=\"meta\">%h</p>", tr(r, "timetable.no_lesson"));
    else
        out(r, "<div class=\"scroll\"><table class=\"list\"><caption class=\"sr\">%h</caption><thead><tr><th scope=\"col\">%h</th>"
               "<th scope=\"col\">%h</th><th scope=\"col\">%h</th><th scope=\"col\">%h</th></tr></thead><tbody>",
            tr(r, "attendance.day_roll_calls"), tr(r, "attendance.time"), tr(r, "attendance.lesson"), tr(r, "timetable.teachers"),
            tr(r, "attendance.status"));
    for (size_t k = 0; k < n; k++) {
        const struct lesson *l = v[k].l;
        bool started = strcmp(date, today) < 0 || (!strcmp(date, today) && strcmp(now + 11, l->starts_at) >= 0);
        out(r, "<tr><td>%h</td><td>%h — %h</td><td>%h</td><td>", l->starts_at, l->class_name, l->subject, l->teacher_name);
        if (v[k].done)
            out(r, "<span class=\"badge ext\">%h</span> %h", tr(r, "attendance.done"),
                tr_fmt(r, "attendance.counts", arena_printf(&r->arena, "%d", v[k].absent), arena_printf(&r->arena, "%d", v[k].late)));
        else if (started)
            out(r, "<span class=\"badge change\">%h</span>", tr(r, "attendance.to_chase"));
        else
            out(r, "<span class=\"meta\">%h</span>", tr(r, "attendance.upcoming"));
        if (l->slot_id && started)
            out(r, " <a href=\"/appel/%I/%h\">%h</a>", l->slot_id, l->date, tr(r, v[k].done ? "attendance.see" : "attendance.take"));
        out(r, "</td></tr>");
    }
    if (n) out(r, "</tbody></table></div>");
    out(r, "</section>");
}

static void decision_form(struct req *r, int64_t row, const struct reason *reasons, size_t nreasons, bool need_reason)
{
    out(r, "<form method=\"post\" action=\"/absences/%I/decision\" class=\"inline-form\">", row);
    page_csrf_input(r);
    if (need_reason) {
        out(r, "<label for=\"dr-%I\">%h</label><select id=\"dr-%I\" name=\"reason\"><option value=\"\">%h</option>", row,
            tr(r, "attendance.reason"), row, tr(r, "attendance.choose_reason"));
        for (size_t i = 0; i < nreasons; i++) out(r, "<option value=\"%I\">%h</option>", reasons[i].id, reasons[i].label);
        out(r, "</select>");
    }
    out(r, "<label for=\"dn-%I\">%h</label><input id=\"dn-%I\" name=\"note\" maxlength=\"200\">"
           "<button type=\"submit\" name=\"decision\" value=\"accept\" class=\"primary\">%h</button> "
           "<button type=\"submit\" name=\"decision\" value=\"refuse\" class=\"danger\">%h</button></form>",
        row, tr(r, "attendance.note"), row, tr(r, "attendance.accept"), tr(r, "attendance.refuse"));
}

static void school_life_page(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = staff_establishment(r);
    if (!est || !policy_may(s, r->actor, ACT_ATTENDANCE_MANAGE, OBJECT(OBJ_ESTABLISHMENT, est))) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return;
    }
    char today[11];
    clock_today(today);
    const char *date = param(r, "date") ? param(r, "date") : today;
    if (!calendar_valid_date(date)) {
        reply_error(r, 400, tr_fmt(r, "err.param.invalid", tr(r, "grades.f_date"), NULL));
        return;
    }
    struct reason *reasons;
    size_t nreasons = reasons_of(r, est, true, &reasons);
    page_begin(r, tr(r, "attendance.school_life"));
    out(r, "<h1>%h</h1><p class=\"lead\">%h</p>", tr(r, "attendance.school_life"), day_text(r, date));
    if (param_bool(r, "ok")) out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr(r, "account.saved"));
    out(r, "<form method=\"get\" action=\"/vie-scolaire\" class=\"inline-form\"><input type=\"hidden\" name=\"etablissement\" "
           "value=\"%I\"><label for=\"day\">%h</label><input id=\"day\" type=\"date\" name=\"date\" value=\"%h\">"
           "<button type=\"submit\">%h</button></form>",
        est, tr(r, "attendance.day"), date, tr(r, "attendance.show"));

    /* Alerts first: they are the legal duty. */
    struct stmt *st = store_q(s,
        "SELECT al.id, al.pupil_id, p.first_name, p.last_name, al.month, al.half_days FROM attendance_alert al"
        " JOIN person p ON p.id = al.pupil_id WHERE al.establishment_id = $1 AND al.seen_at IS NULL"
        " ORDER BY al.month DESC, p.last_name", "i", est);
    int shown = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        if (!shown++) out(r, "<section class=\"card alert\"><h2>%h</h2><p class=\"meta\">%h</p><ul class=\"plain editable\">",
                          tr(r, "attendance.alerts"), tr(r, "attendance.alerts_lead"));
        out(r, "<li><p><a href=\"/absences/eleves/%I\"><strong>%h %h</strong></a> — %h</p>"
               "<form method=\"post\" action=\"/vie-scolaire/alertes/%I/vue\">",
            stmt_int(st, 1), stmt_text(st, 2), stmt_text(st, 3),
            tr_fmt(r, "attendance.alert_line", page_month(&r->arena, r->lang, stmt_text(st, 4)),
                   arena_printf(&r->arena, "%lld", (long long)stmt_int(st, 5))),
            stmt_int(st, 0));
        page_csrf_input(r);
        out(r, "<button type=\"submit\">%h</button></form></li>", tr(r, "attendance.alert_seen"));
    }
    stmt_done(st);
    if (shown) out(r, "</ul></section>");

    messages_alerts_part(r, est);
    day_roll_calls(r, est, date);

    /* Justifications waiting for a decision. */
    st = store_q(s,
        "SELECT min(a.id), a.pupil_id, p.first_name, p.last_name, a.on_date, a.half, a.kind, count(*), max(a.minutes),"
        " min(a.starts_at), coalesce(max(rs.label), ''), max(a.comment) FROM attendance a JOIN person p ON p.id = a.pupil_id"
        " LEFT JOIN absence_reason rs ON rs.id = a.reason_id WHERE a.establishment_id = $1 AND a.state = 'pending'"
        " GROUP BY a.pupil_id, p.first_name, p.last_name, a.on_date, a.half, a.kind ORDER BY a.on_date, p.last_name", "i", est);
    shown = 0;
    struct pend { int64_t id, pupil; const char *name, *date, *half, *kind, *starts, *reason, *comment; int lessons, minutes; } *pv = NULL;
    size_t npv = 0, pcap = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        struct arena *a = &r->arena;
        pv = arena_grow(a, pv, npv, &pcap, sizeof *pv);
        pv[npv++] = (struct pend){stmt_int(st, 0), stmt_int(st, 1), arena_printf(a, "%s %s", stmt_text(st, 2), stmt_text(st, 3)),
                                  arena_strdup(a, stmt_text(st, 4)), arena_strdup(a, stmt_text(st, 5)), arena_strdup(a, stmt_text(st, 6)),
                                  arena_strdup(a, stmt_text(st, 9)), arena_strdup(a, stmt_text(st, 10)), arena_strdup(a, stmt_text(st, 11)),
                                  (int)stmt_int(st, 7), (int)stmt_int(st, 8)};
    }
    stmt_done(st);
    out(r, "<section class=\"card\"><h2>%h</h2>", tr(r, "attendance.pending_decisions"));
    if (!npv) out(r, "<p class=\"meta\">%h</p>", tr(r, "attendance.no_pending"));
    else out(r, "<ul class=\"plain editable\">");
    for (size_t i = 0; i < npv; i++) {
        out(r, "<li><p><a href=\"/absences/eleves/%I\"><strong>%h</strong></a></p>", pv[i].pupil, pv[i].name);
        absence_line(r, pv[i].date, pv[i].half, pv[i].kind, "pending", pv[i].lessons, pv[i].minutes, pv[i].starts, pv[i].reason,
                     pv[i].comment, NULL);
        justification_files(r, pv[i].pupil, pv[i].date, pv[i].half, pv[i].kind);
        decision_form(r, pv[i].id, reasons, nreasons, false);
        out(r, "</li>");
    }
    if (npv) out(r, "</ul>");
    out(r, "</section>");

    /* The day's absences and lateness. */
    st = store_q(s,
        "SELECT min(a.id), a.pupil_id, p.first_name, p.last_name, a.half, a.kind, a.state, count(*), max(a.minutes), min(a.starts_at)"
        " FROM attendance a JOIN person p ON p.id = a.pupil_id WHERE a.establishment_id = $1 AND a.on_date = $2"
        " GROUP BY a.pupil_id, p.first_name, p.last_name, a.half, a.kind, a.state ORDER BY p.last_name, p.first_name, a.half", "it", est,
        date);
    shown = 0;
    out(r, "<section class=\"card\"><h2>%h</h2>", tr(r, "attendance.day_absences"));
    while (st && stmt_step(st) == STORE_ROW) {
        if (!shown++) out(r, "<ul class=\"plain editable\">");
        out(r, "<li><p><a href=\"/absences/eleves/%I\"><strong>%h %h</strong></a></p>", stmt_int(st, 1), stmt_text(st, 2),
            stmt_text(st, 3));
        absence_line(r, date, stmt_text(st, 4), stmt_text(st, 5), stmt_text(st, 6), (int)stmt_int(st, 7), (int)stmt_int(st, 8),
                     stmt_text(st, 9), NULL, NULL, NULL);
        if (strcmp(stmt_text(st, 6), "justified")) decision_form(r, stmt_int(st, 0), reasons, nreasons, true);
        out(r, "</li>");
    }
    stmt_done(st);
    if (shown) out(r, "</ul>");
    else out(r, "<p class=\"meta\">%h</p>", tr(r, "attendance.no_absence_today"));
    out(r, "</section><p><a href=\"/etablissements/%I/motifs\">%h</a></p>", est, tr(r, "attendance.reasons_title"));
    page_end(r);
}

static void decide(struct req *r)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id"), pupil = 0, est = 0, reason = 0;
    const char *date = NULL, *half = NULL, *kind = NULL;
    struct stmt *st = store_q(s, "SELECT pupil_id, establishment_id, on_date, half, kind, coalesce(reason_id, 0) FROM attendance WHERE id = $1",
                              "i", id);
    if (st && stmt_step(st) == STORE_ROW) {
        pupil = stmt_int(st, 0);
        est = stmt_int(st, 1);
        date = arena_strdup(&r->arena, stmt_text(st, 2));
        half = arena_strdup(&r->arena, stmt_text(st, 3));
        kind = arena_strdup(&r->arena, stmt_text(st, 4));
        reason = stmt_int(st, 5);
    }
    stmt_done(st);
    if (!pupil) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    if (!policy_may(s, r->actor, ACT_ATTENDANCE_MANAGE, OBJECT(OBJ_ESTABLISHMENT, est))) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return;
    }
    bool accept = !strcmp(param(r, "decision"), "accept");
    if (param_int(r, "reason")) {
        int64_t ok = 0;
        store_int(s, &ok, "SELECT count(*) FROM absence_reason WHERE id = $1 AND establishment_id = $2", "ii", param_int(r, "reason"), est);
        if (!ok) {
            reply_error(r, 400, tr(r, "attendance.err.reason"));
            return;
        }
        reason = param_int(r, "reason");
    }
    if (accept && !reason) {
        reply_error(r, 400, tr(r, "attendance.err.reason_needed"));
        return;
    }
    int64_t now = clock_now();
    if (store_begin(s) < 0 ||
        store_run(s, "UPDATE attendance SET state = $5, reason_id = $6, decided_by = $7, decided_at = $8, decision_note = $9"
                     " WHERE pupil_id = $1 AND on_date = $2 AND half = $3 AND kind = $4 AND state <> 'justified'",
                  "ittttNiit", pupil, date, half, kind, accept ? "justified" : "refused", reason, r->actor->person_id, now,
                  param(r, "note") ? param(r, "note") : "") < 0 ||
        (!accept && alert_check(r, pupil, est, date) < 0) || store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, accept ? "absence.accepted" : "absence.refused", arena_printf(&r->arena, "person:%lld", (long long)pupil),
          arena_printf(&r->arena, "%s %s %s", date, half, kind));
    if (r->api) reply_json(r, 200, json_pack("{s:s}", "state", accept ? "justified" : "refused"));
    else reply_redirect(r, arena_printf(&r->arena, "/vie-scolaire?etablissement=%lld&ok=1", (long long)est));
}

static void alert_seen(struct req *r)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id"), est = 0;
    if (store_int(s, &est, "SELECT establishment_id FROM attendance_alert WHERE id = $1", "i", id) != 1) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    if (!policy_may(s, r->actor, ACT_ATTENDANCE_MANAGE, OBJECT(OBJ_ESTABLISHMENT, est))) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return;
    }
    if (store_run(s, "UPDATE attendance_alert SET seen_by = $2, seen_at = $3 WHERE id = $1", "iii", id, r->actor->person_id, clock_now()) < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "attendance.alert_seen", arena_printf(&r->arena, "attendance_alert:%lld", (long long)id), "");
    reply_redirect(r, arena_printf(&r->arena, "/vie-scolaire?etablissement=%lld", (long long)est));
}

static void reasons_page(struct req *r)
{
    int64_t est = param_int(r, "id");
    struct store *s = store_thread();
    struct reason *v;
    size_t nreasons = reasons_of(r, est, false, &v);
    page_begin(r, tr(r, "attendance.reasons_title"));
    out(r, "<h1>%h</h1><section class=\"card\"><ul class=\"plain editable\">", tr(r, "attendance.reasons_title"));
    struct stmt *st = store_q(s, "SELECT id, label, active FROM absence_reason WHERE establishment_id = $1 ORDER BY position, label", "i", est);
    while (st && stmt_step(st) == STORE_ROW) {
        bool active = stmt_int(st, 2) != 0;
        out(r, "<li><p>%h%R</p><form method=\"post\" action=\"/etablissements/%I/motifs/%I\">", stmt_text(st, 1),
            active ? "" : " <span class=\"badge\">—</span>", est, stmt_int(st, 0)); /* RAW_OK: literal */
        page_csrf_input(r);
        out(r, "<input type=\"hidden\" name=\"active\" value=\"%d\"><button type=\"submit\">%h</button></form></li>", active ? 0 : 1,
            tr(r, active ? "attendance.reason_disable" : "attendance.reason_enable"));
    }
    stmt_done(st);
    out(r, "</ul>");
    if (!nreasons) {
        out(r, "<p>%h</p><form method=\"post\" action=\"/etablissements/%I/motifs/habituels\">", tr(r, "attendance.no_reasons"), est);
        page_csrf_input(r);
        out(r, "<button type=\"submit\" class=\"primary\">%h</button></form>", tr(r, "attendance.reasons_usual"));
    }
    out(r, "<form method=\"post\" action=\"/etablissements/%I/motifs\" class=\"stack\">", est);
    page_csrf_input(r);
    out(r, "<label for=\"label\">%h</label><input id=\"label\" name=\"label\" required maxlength=\"80\">"
           "<button type=\"submit\" class=\"primary\">%h</button></form></section>",
        tr(r, "attendance.reason_new"), tr(r, "attendance.reason_add"));
    out(r, "<p><a href=\"/vie-scolaire?etablissement=%I\">%h</a></p>", est, tr(r, "attendance.school_life"));
    page_end(r);
}

static void reason_add(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, "id");
    int64_t dup = 0;
    store_int(s, &dup, "SELECT count(*) FROM absence_reason WHERE establishment_id = $1 AND label = $2", "it", est, param(r, "label"));
    if (dup) {
        reply_error(r, 409, tr(r, "attendance.err.reason_exists"));
        return;
    }
    if (store_run(s, "INSERT INTO absence_reason (establishment_id, label, position) VALUES ($1, $2, 1000)", "it", est, param(r, "label")) < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "absence_reason.added", arena_printf(&r->arena, "establishment:%lld", (long long)est), param(r, "label"));
    reply_redirect(r, arena_printf(&r->arena, "/etablissements/%lld/motifs", (long long)est));
}

static void reasons_usual(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, "id");
    static const char *const usual[] = {"attendance.reason.illness", "attendance.reason.medical", "attendance.reason.family",
                                        "attendance.reason.transport", "attendance.reason.summons", "attendance.reason.other", NULL};
    for (int i = 0; usual[i]; i++)
        if (store_run(s, "INSERT INTO absence_reason (establishment_id, label, position) VALUES ($1, $2, $3)"
                         " ON CONFLICT (establishment_id, label) DO NOTHING", "iti", est, tr(r, usual[i]), (int64_t)(i + 1) * 10) < 0) {
            reply_error(r, 503, tr(r, "err.unavailable"));
            return;
        }
    audit(s, r, 0, "absence_reason.usual", arena_printf(&r->arena, "establishment:%lld", (long long)est), "");
    reply_redirect(r, arena_printf(&r->arena, "/etablissements/%lld/motifs", (long long)est));
}

static void reason_toggle(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, "id"), rid = param_int(r, "rid");
    if (store_run(s, "UPDATE absence_reason SET active = $3 WHERE id = $1 AND establishment_id = $2", "iii", rid, est,
                  (int64_t)param_bool(r, "active")) < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    if (!store_changes(s)) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    reply_redirect(r, arena_printf(&r->arena, "/etablissements/%lld/motifs", (long long)est));
}

/* ---- JSON --------------------------------------------------------------- */

static void api_attendance(struct req *r)
{
    struct store *s = store_thread();
    const struct actor *a = r->actor;
    int64_t pupil = param_int(r, "eleve");
    if (!pupil) pupil = policy_has(a, PROFILE_PUPIL) ? a->person_id : a->nchildren ? a->children[0] : 0;
    if (!pupil) {
        reply_error(r, 400, tr(r, "grades.err.no_pupil"));
        return;
    }
    if (!policy_may(s, a, ACT_PUPIL_RECORD, OBJECT(OBJ_PERSON, pupil))) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return;
    }
    char from[11];
    struct stmt *st = store_q(s,
        "SELECT a.id, a.on_date, a.half, a.starts_at, a.kind, a.minutes, a.state, rs.label, a.comment FROM attendance a"
        " LEFT JOIN absence_reason rs ON rs.id = a.reason_id WHERE a.pupil_id = $1 AND a.on_date >= $2"
        " ORDER BY a.on_date DESC, a.starts_at DESC", "it", pupil, school_year_start(from));
    json_t *events = json_array();
    while (st && stmt_step(st) == STORE_ROW)
        json_array_append_new(events, json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:s,s:s?,s:s}", "id", (json_int_t)stmt_int(st, 0), "date",
                                                stmt_text(st, 1), "half", stmt_text(st, 2), "starts_at", stmt_text(st, 3), "kind",
                                                stmt_text(st, 4), "minutes", (int)stmt_int(st, 5), "state", stmt_text(st, 6), "reason",
                                                stmt_text(st, 7), "comment", stmt_text(st, 8)));
    stmt_done(st);
    int64_t halves = 0, unjustified = 0;
    store_int(s, &halves, "SELECT count(*) FROM (SELECT DISTINCT on_date, half FROM attendance WHERE pupil_id = $1 AND kind = 'absence'"
                          " AND on_date >= $2) d", "it", pupil, from);
    store_int(s, &unjustified, "SELECT count(*) FROM (SELECT DISTINCT on_date, half FROM attendance WHERE pupil_id = $1"
                               " AND kind = 'absence' AND state <> 'justified' AND on_date >= $2) d", "it", pupil, from);
    reply_json(r, 200, json_pack("{s:I,s:{s:I,s:I},s:o}", "pupil_id", (json_int_t)pupil, "half_days", "total", (json_int_t)halves,
                                 "unjustified", (json_int_t)unjustified, "events", events));
}

static const char *const halves[] = {"am", "pm", NULL};
static const char *const kinds[] = {"absence", "late", NULL};
static const char *const decisions[] = {"accept", "refuse", NULL};

#define LESSON_PARAMS {"slot", P_ID, SRC_PATH, .required = true}, {"date", P_LINE, SRC_PATH, .required = true, .maxlen = 10}
#define ROLL_PARAMS                                                                                         \
    LESSON_PARAMS, {"abs_", P_BOOL, SRC_BODY, .prefix = true, .label = "attendance.absent"},                \
        {"late_", P_INT, SRC_BODY, .prefix = true, .min = 0, .max = 240, .label = "attendance.late_min"}, {0}
#define JUSTIFY_PARAMS                                                                                      \
    {"id", P_ID, SRC_PATH, .required = true}, {"date", P_LINE, SRC_BODY, .required = true, .maxlen = 10},   \
        {"half", P_ENUM, SRC_BODY, .required = true, .choices = halves},                                    \
        {"kind", P_ENUM, SRC_BODY, .choices = kinds},                                                       \
        {"reason", P_ID, SRC_BODY, .required = true, .label = "attendance.reason"},                         \
        {"comment", P_TEXT, SRC_BODY, .maxlen = JUSTIFICATION_COMMENT_CHARS, .label = "attendance.comment"}, {0}

const struct route attendance_routes[] = {
    {.method = M_GET, .path = "/appel/{slot}/{date}", .handler = roll_call_page, .action = ACT_ROLL_CALL,
     .params = (const struct param_spec[]){LESSON_PARAMS, {"ok", P_BOOL, SRC_QUERY}, {0}}},
    {.method = M_POST, .path = "/appel/{slot}/{date}", .handler = roll_call_save, .action = ACT_ROLL_CALL,
     .params = (const struct param_spec[]){ROLL_PARAMS}},
    {.method = M_GET, .path = "/absences", .handler = my_absences, .action = ACT_SIGNED_IN},
    {.method = M_GET, .path = "/absences/eleves/{id}", .handler = child_absences, .action = ACT_PUPIL_RECORD, .object = OBJ_PERSON,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"ok", P_BOOL, SRC_QUERY}, {0}}},
    {.method = M_POST, .path = "/absences/eleves/{id}/justifier", .handler = justify, .action = ACT_ABSENCE_JUSTIFY, .object = OBJ_PERSON, .denied = "err.not_your_child",
     .params = (const struct param_spec[]){JUSTIFY_PARAMS}},
    {.method = M_POST, .path = "/absences/{id}/decision", .handler = decide, .action = ACT_ATTENDANCE_MANAGE,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"decision", P_ENUM, SRC_BODY, .required = true, .choices = decisions},
                                           {"reason", P_ID, SRC_BODY, .label = "attendance.reason"},
                                           {"note", P_LINE, SRC_BODY, .maxlen = 200, .label = "attendance.note"}, {0}}},
    {.method = M_GET, .path = "/vie-scolaire", .handler = school_life_page, .action = ACT_ATTENDANCE_MANAGE,
     .params = (const struct param_spec[]){{"etablissement", P_ID, SRC_QUERY}, {"date", P_LINE, SRC_QUERY, .maxlen = 10},
                                           {"ok", P_BOOL, SRC_QUERY}, {0}}},
    {.method = M_POST, .path = "/vie-scolaire/alertes/{id}/vue", .handler = alert_seen, .action = ACT_ATTENDANCE_MANAGE,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_GET, .path = "/etablissements/{id}/motifs", .handler = reasons_page, .action = ACT_ATTENDANCE_MANAGE, .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_POST, .path = "/etablissements/{id}/motifs", .handler = reason_add, .action = ACT_ATTENDANCE_MANAGE, .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"label", P_LINE, SRC_BODY, .required = true, .maxlen = 80, .label = "attendance.reason_new"}, {0}}},
    {.method = M_POST, .path = "/etablissements/{id}/motifs/habituels", .handler = reasons_usual, .action = ACT_ATTENDANCE_MANAGE, .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_POST, .path = "/etablissements/{id}/motifs/{rid}", .handler = reason_toggle, .action = ACT_ATTENDANCE_MANAGE, .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"rid", P_ID, SRC_PATH, .required = true},
                                           {"active", P_BOOL, SRC_BODY}, {0}}},
    {.method = M_GET, .path = "/api/v1/attendance", .handler = api_attendance, .action = ACT_SIGNED_IN, .flags = ROUTE_API,
     .params = (const struct param_spec[]){{"eleve", P_ID, SRC_QUERY}, {0}}},
    {.method = M_POST, .path = "/api/v1/roll-calls/{slot}/{date}", .handler = roll_call_save, .action = ACT_ROLL_CALL,
     .flags = ROUTE_API, .params = (const struct param_spec[]){ROLL_PARAMS}},
    {.method = M_POST, .path = "/api/v1/pupils/{id}/justifications", .handler = justify, .action = ACT_ABSENCE_JUSTIFY, .object = OBJ_PERSON, .denied = "err.not_your_child",
     .flags = ROUTE_API, .params = (const struct param_spec[]){JUSTIFY_PARAMS}},
    {.method = M_POST, .path = "/api/v1/absences/{id}/decision", .handler = decide, .action = ACT_ATTENDANCE_MANAGE,
     .flags = ROUTE_API,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"decision", P_ENUM, SRC_BODY, .required = true, .choices = decisions},
                                           {"reason", P_ID, SRC_BODY}, {"note", P_LINE, SRC_BODY, .maxlen = 200}, {0}}},
    {0}};
