/* settings.c — the head's page of the diffusion policy (issue 5): the
 * quiet periods of R-DISCO, messages between staff, the parents' delay of
 * R-GRADES. It says what the rules give right now (is it quiet, when does
 * something written tonight arrive, when does a grade published on Friday
 * evening reach the pupils and the parents), how much is waiting, and a
 * change applies at once: what is still waiting is rescheduled under the
 * new rules in the same transaction. */
#include "settings.h"
#include "../files/files.h"
#include "../grades/grades.h"
#include "../messages/messages.h"
#include "../../calendar/calendar.h"
#include "../../core/audit.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/page.h"
#include "../../policy/policy.h"
#include "../../store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const delays[] = {"0", "1", "3", "7", NULL};

static const char *hhmm(struct req *r, int minutes)
{
    return arena_printf(&r->arena, "%02d:%02d", minutes / 60, minutes % 60);
}

/* "HH:MM" within [lo, hi] minutes, or -1. */
static int parse_hhmm(const char *v, int lo, int hi)
{
    int t = clock_minutes(v);
    return t >= lo && t <= hi ? t : -1;
}

/* ---- What is waiting ---------------------------------------------------------- */

struct waiting {
    int64_t messages, homework, log, changes, grades, notifications;
};

static struct waiting waiting_of(struct store *s, int64_t est, int64_t now)
{
    struct waiting w = {0};
    store_int(s, &w.messages, "SELECT count(*) FROM message m JOIN thread t ON t.id = m.thread_id"
                              " WHERE t.establishment_id = $1 AND m.state = 'sent' AND m.visible_at > $2", "ii", est, now);
    store_int(s, &w.homework, "SELECT count(*) FROM homework h JOIN teaching t ON t.id = h.teaching_id"
                              " WHERE t.establishment_id = $1 AND h.visible_from > $2", "ii", est, now);
    store_int(s, &w.log, "SELECT count(*) FROM log_entry l JOIN teaching t ON t.id = l.teaching_id"
                         " WHERE t.establishment_id = $1 AND l.visible_from > $2", "ii", est, now);
    store_int(s, &w.changes, "SELECT count(*) FROM lesson_change c JOIN teaching t ON t.id = c.teaching_id"
                             " WHERE t.establishment_id = $1 AND c.visible_from > $2", "ii", est, now);
    store_int(s, &w.grades, "SELECT count(*) FROM assessment a JOIN teaching t ON t.id = a.teaching_id"
                            " WHERE t.establishment_id = $1 AND a.parents_at > $2", "ii", est, now);
    store_int(s, &w.notifications, "SELECT count(*) FROM notification WHERE establishment_id = $1 AND visible_at > $2", "ii", est, now);
    return w;
}

/* Homework, class-log entries and timetable changes still held in d's
 * establishment: visible_from again from when they were published, and
 * their notifications with them. */
static const struct {
    const char *select, *update, *item;
} held_items[] = {
    {"SELECT h.id, h.published_at, h.visible_from FROM homework h JOIN teaching t ON t.id = h.teaching_id"
     " WHERE t.establishment_id = $1 AND h.visible_from > $2", "UPDATE homework SET visible_from = $2 WHERE id = $1", "homework:%lld"},
    {"SELECT l.id, l.updated_at, l.visible_from FROM log_entry l JOIN teaching t ON t.id = l.teaching_id"
     " WHERE t.establishment_id = $1 AND l.visible_from > $2", "UPDATE log_entry SET visible_from = $2 WHERE id = $1", "log:%lld"},
    {"SELECT c.id, c.created_at, c.visible_from FROM lesson_change c JOIN teaching t ON t.id = c.teaching_id"
     " WHERE t.establishment_id = $1 AND c.visible_from > $2", "UPDATE lesson_change SET visible_from = $2 WHERE id = $1", "change:%lld"},
};

static int reschedule_items(struct store *s, struct arena *a, const struct diffusion *d, int64_t now)
{
    int changed = 0;
    for (size_t k = 0; k < sizeof held_items / sizeof *held_items; k++) {
        struct stmt *st = store_q(s, held_items[k].select, "ii", d->establishment, now);
        if (!st) return -1;
        struct { int64_t id, at, old; } *v = NULL;
        size_t n = 0, cap = 0;
        while (stmt_step(st) == STORE_ROW) {
            v = arena_grow(a, v, n, &cap, sizeof *v);
            v[n].id = stmt_int(st, 0);
            v[n].at = stmt_int(st, 1);
            v[n++].old = stmt_int(st, 2);
        }
        stmt_done(st);
        for (size_t i = 0; i < n; i++) {
            int64_t t = diffusion_release_at(d, v[i].at);
            if (t == v[i].old) continue;
            if (store_run(s, held_items[k].update, "ii", v[i].id, t) < 0 ||
                store_run(s, "UPDATE notification SET visible_at = $2 WHERE item = $1", "ti", arena_printf(a, held_items[k].item, (long long)v[i].id),
                          t) < 0)
                return -1;
            changed++;
        }
    }
    return changed;
}

/* Everything that waits in an establishment, rescheduled. */
static int (*const reschedulers[])(struct store *, struct arena *, const struct diffusion *, int64_t) = {messages_reschedule, reschedule_items,
                                                                                                         grades_reschedule, NULL};

/* ---- The page ----------------------------------------------------------------- */

/* The next day (from today, local) with weekday wd (ISO 1..7). */
static void next_weekday(const char *today, int wd, char out[11])
{
    int k = (wd - calendar_weekday(today) + 7) % 7;
    calendar_add_days(today, k, out);
}

static void now_card(struct req *r, const struct diffusion *d, int64_t now)
{
    int64_t end = diffusion_release_at(d, now);
    char dt[17], day[11], friday[11];
    clock_datetime_in(now, d->tz, dt);
    snprintf(day, sizeof day, "%.10s", dt);
    out(r, "<section class=\"card\"><h2>%h</h2><p>%h</p><ul>", tr(r, "diffusion.now"),
        end != now ? tr_fmt(r, "diffusion.quiet_until", page_moment(r, end, d->tz), NULL)
                   : tr_fmt(r, "diffusion.open_until", page_moment(r, diffusion_local(d, day, d->quiet.evening), d->tz), NULL));
    /* What the rules give: something published tonight, a grade on Friday evening. */
    int64_t tonight = diffusion_local(d, day, 21 * 60 + 30);
    out(r, "<li>%h</li>", tr_fmt(r, "diffusion.example_tonight", page_moment(r, diffusion_release_at(d, tonight), d->tz), NULL));
    next_weekday(day, 5, friday);
    int64_t pupils, parents;
    diffusion_grades(d, diffusion_local(d, friday, 21 * 60), 0, &pupils, &parents);
    out(r, "<li>%h</li></ul></section>",
        tr_fmt(r, "diffusion.example_grade", page_moment(r, pupils, d->tz), page_moment(r, parents, d->tz)));
}

static void waiting_card(struct req *r, const struct waiting *w)
{
    out(r, "<section class=\"card\"><h2>%h</h2><table class=\"list\"><tbody>", tr(r, "diffusion.waiting"));
    const struct { const char *key; int64_t n; } rows[] = {
        {"diffusion.waiting.messages", w->messages}, {"diffusion.waiting.homework", w->homework}, {"diffusion.waiting.log", w->log},
        {"diffusion.waiting.changes", w->changes}, {"diffusion.waiting.grades", w->grades},
        {"diffusion.waiting.notifications", w->notifications}};
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) out(r, "<tr><th scope=\"row\">%h</th><td>%I</td></tr>", tr(r, rows[i].key), rows[i].n);
    out(r, "</tbody></table><p class=\"help\">%h</p></section>", tr(r, "diffusion.waiting_help"));
}

static void form_card(struct req *r, const struct diffusion *d)
{
    out(r, "<form method=\"post\" action=\"/etablissements/%I/diffusion\" class=\"stack card\"><h2>%h</h2><p>%h</p>", d->establishment,
        tr(r, "diffusion.rules"), tr(r, "diffusion.rules_lead"));
    page_csrf_input(r);
    out(r, "<label for=\"evening\">%h</label><input id=\"evening\" name=\"soir\" type=\"time\" required min=\"%h\" max=\"%h\" value=\"%h\""
           " aria-describedby=\"evening-help\"><p class=\"help\" id=\"evening-help\">%h</p>",
        tr(r, "diffusion.evening"), hhmm(r, DIFFUSION_EVENING_MIN), hhmm(r, DIFFUSION_EVENING_MAX), hhmm(r, d->quiet.evening),
        tr_fmt(r, "diffusion.evening_help", hhmm(r, DIFFUSION_EVENING_MIN), hhmm(r, DIFFUSION_EVENING_MAX)));
    out(r, "<label for=\"morning\">%h</label><input id=\"morning\" name=\"matin\" type=\"time\" required min=\"%h\" max=\"%h\" value=\"%h\""
           " aria-describedby=\"morning-help\"><p class=\"help\" id=\"morning-help\">%h</p>",
        tr(r, "diffusion.morning"), hhmm(r, DIFFUSION_MORNING_MIN), hhmm(r, DIFFUSION_MORNING_MAX), hhmm(r, d->quiet.morning),
        tr_fmt(r, "diffusion.morning_help", hhmm(r, DIFFUSION_MORNING_MIN), hhmm(r, DIFFUSION_MORNING_MAX)));
    out(r, "<label class=\"check\"><input type=\"checkbox\" name=\"personnels\" value=\"1\"%R> %h</label>",
        d->staff_exempt ? " checked" : "", tr(r, "diffusion.staff_exempt")); /* RAW_OK: literal */
    out(r, "<fieldset><legend>%h</legend>", tr(r, "diffusion.parents_delay"));
    for (size_t i = 0; delays[i]; i++)
        out(r, "<label class=\"check\"><input type=\"radio\" name=\"delai_parents\" value=\"%h\"%R> %h</label>", delays[i],
            atoi(delays[i]) == d->parents_delay ? " checked" : "", /* RAW_OK: literal */
            tr(r, arena_printf(&r->arena, "diffusion.delay.%s", delays[i])));
    out(r, "</fieldset><p class=\"help\">%h</p><button type=\"submit\" class=\"primary\">%h</button></form>", tr(r, "diffusion.save_help"),
        tr(r, "log.save"));
}

static void settings_page(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, "id"), now = clock_now();
    /* Read in the page's snapshot, which app.c opened (a GET). */
    const struct diffusion *d = diffusion_load(s, &r->arena, est);
    struct waiting w = waiting_of(s, est, now);
    page_begin(r, tr(r, "diffusion.title"));
    out(r, "<h1>%h</h1><p>%h</p>", tr(r, "diffusion.title"), tr(r, "diffusion.lead"));
    if (param(r, "ok"))
        out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr_fmt(r, "diffusion.saved", param(r, "ok"), NULL));
    /* What the head must know of attachments: no virus scan (no clamd). */
    if (!files_antivirus_ok())
        out(r, "<p class=\"notice\" role=\"alert\" id=\"antivirus\">%h</p>",
            tr(r, "files.antivirus_absent"));
    now_card(r, d, now);
    form_card(r, d);
    waiting_card(r, &w);
    page_end(r);
}

static int put(struct store *s, int64_t est, const char *key, const char *value)
{
    return store_run(s, "INSERT INTO establishment_setting (establishment_id, key, value) VALUES ($1, $2, $3)"
                        " ON CONFLICT (establishment_id, key) DO UPDATE SET value = $3", "itt", est, key, value);
}

static void settings_save(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, "id"), now = clock_now();
    int evening = parse_hhmm(param(r, "soir"), DIFFUSION_EVENING_MIN, DIFFUSION_EVENING_MAX);
    int morning = parse_hhmm(param(r, "matin"), DIFFUSION_MORNING_MIN, DIFFUSION_MORNING_MAX);
    if (evening < 0 || morning < 0) {
        reply_error(r, 400, tr_fmt(r, evening < 0 ? "diffusion.err.evening" : "diffusion.err.morning",
                                   hhmm(r, evening < 0 ? DIFFUSION_EVENING_MIN : DIFFUSION_MORNING_MIN),
                                   hhmm(r, evening < 0 ? DIFFUSION_EVENING_MAX : DIFFUSION_MORNING_MAX)));
        return;
    }
    const char *delay = param(r, "delai_parents");
    bool staff = param_bool(r, "personnels");
    int moved = 0, n;
    if (store_begin(s) < 0 || put(s, est, "disco.evening", hhmm(r, evening)) < 0 || put(s, est, "disco.morning", hhmm(r, morning)) < 0 ||
        put(s, est, "disco.staff_exempt", staff ? "1" : "0") < 0 || put(s, est, "grades.parents_delay", delay) < 0)
        goto failed;
    const struct diffusion *d = diffusion_reload(s, &r->arena, est);
    for (size_t i = 0; reschedulers[i]; i++) {
        if ((n = reschedulers[i](s, &r->arena, d, now)) < 0) goto failed;
        moved += n;
    }
    if (store_commit(s) < 0) goto failed;
    audit(s, r, 0, "diffusion.settings", arena_printf(&r->arena, "establishment:%lld", (long long)est),
          arena_printf(&r->arena, "quiet %s-%s, staff exempt %s, parents' delay %s day(s), %d waiting item(s) rescheduled", hhmm(r, evening),
                       hhmm(r, morning), staff ? "yes" : "no", delay, moved));
    reply_redirect(r, arena_printf(&r->arena, "/etablissements/%lld/diffusion?ok=%d", (long long)est, moved));
    return;
failed:
    store_rollback(s);
    reply_error(r, 503, tr(r, "err.unavailable"));
}

#define SETTINGS_PARAMS                                                                                                 \
    {"id", P_ID, SRC_PATH, .required = true}, {"soir", P_LINE, SRC_BODY, .required = true, .maxlen = 5},                \
        {"matin", P_LINE, SRC_BODY, .required = true, .maxlen = 5}, {"personnels", P_BOOL, SRC_BODY},                   \
        {"delai_parents", P_ENUM, SRC_BODY, .required = true, .choices = delays}

const struct route diffusion_routes[] = {
    {.method = M_GET, .path = "/etablissements/{id}/diffusion", .handler = settings_page, .action = ACT_ESTABLISHMENT_SETTINGS,
     .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"ok", P_INT, SRC_QUERY, .min = 0, .max = 1000000000}, {0}}},
    {.method = M_POST, .path = "/etablissements/{id}/diffusion", .handler = settings_save, .action = ACT_ESTABLISHMENT_SETTINGS,
     .object = OBJ_ESTABLISHMENT, .params = (const struct param_spec[]){SETTINGS_PARAMS, {0}}},
    {0}};
