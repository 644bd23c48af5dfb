/* prefs.c — a person's notification preferences (/compte/notifications):
 * for each service, shown in the centre and/or sent by e-mail; and personal
 * quiet times for their e-mail.
 *
 * Personal quiet times only delay e-mails: an e-mail due inside them waits
 * for their end and then carries, as one digest, everything that came
 * meanwhile. They never shorten the establishment's quiet periods — those
 * decide notification.visible_at, before which nothing is shown or sent —
 * and they do not hide anything in Carnet itself: the centre and its count
 * in the page header show what is visible, because a person who opens
 * Carnet in the evening chose to. Times are local: the time zone of the
 * establishment the notification comes from (CARNET_TZ, by default
 * Europe/Paris, when it has none). */
#include "internal.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/page.h"
#include "../../policy/policy.h"
#include "../../store/store.h"
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int notify_hhmm(const char *v) { return clock_minutes(v); }

bool notify_quiet_at(const struct notify_quiet *q, const char *tz, int64_t t)
{
    if (q->evening < 0 && !q->weekend) return false;
    const char *def = getenv("CARNET_TZ");
    icaltimezone *z = icaltimezone_get_builtin_timezone(tz && *tz ? tz : def && *def ? def : "Europe/Paris");
    if (!z) z = icaltimezone_get_builtin_timezone("Europe/Paris");
    struct icaltimetype lt = icaltime_from_timet_with_zone((time_t)t, 0, z);
    int dow = icaltime_day_of_week(lt); /* 1: Sunday … 7: Saturday */
    if (q->weekend && (dow == 1 || dow == 7)) return true;
    if (q->evening < 0) return false;
    int m = lt.hour * 60 + lt.minute;
    return q->evening > q->morning ? (m >= q->evening || m < q->morning) : (m >= q->evening && m < q->morning);
}

/* ---- The page ---------------------------------------------------------------- */

/* Is service's channel on for the actor (their choice, else the default)? */
struct prefs {
    bool on[8][2];           /* [service][channel] in the order of notify_services, notify_channels */
    struct notify_quiet quiet;
    const char *email;
};

static int index_of(const char *const *v, const char *s)
{
    for (int i = 0; v[i]; i++)
        if (!strcmp(v[i], s)) return i;
    return -1;
}

static void prefs_load(struct req *r, struct prefs *p)
{
    struct store *s = store_thread();
    int64_t me = r->actor->person_id;
    *p = (struct prefs){.quiet = {-1, -1, false}};
    struct stmt *st = store_q(s, "SELECT d.service, d.channel, coalesce(pr.enabled, d.enabled) FROM notify_default d"
                                 " LEFT JOIN notify_pref pr ON pr.person_id = $1 AND pr.service = d.service AND pr.channel = d.channel",
                              "i", me);
    while (st && stmt_step(st) == STORE_ROW) {
        int sv = index_of(notify_services, stmt_text(st, 0)), ch = index_of(notify_channels, stmt_text(st, 1));
        if (sv >= 0 && ch >= 0) p->on[sv][ch] = stmt_int(st, 2) != 0;
    }
    stmt_done(st);
    st = store_q(s, "SELECT coalesce(q.evening, -1), coalesce(q.morning, -1), q.weekend, p.email FROM person p"
                    " LEFT JOIN notify_quiet q ON q.person_id = p.id WHERE p.id = $1", "i", me);
    if (st && stmt_step(st) == STORE_ROW) {
        p->quiet = (struct notify_quiet){(int)stmt_int(st, 0), (int)stmt_int(st, 1), stmt_int(st, 2) != 0};
        p->email = stmt_is_null(st, 3) ? NULL : arena_strdup(&r->arena, stmt_text(st, 3));
    }
    stmt_done(st);
}

static const char *hhmm_text(struct req *r, int minutes)
{
    return minutes < 0 ? "" : arena_printf(&r->arena, "%02d:%02d", minutes / 60, minutes % 60);
}

static const char *const checked = " checked"; /* a literal attribute */

static void services_table(struct req *r, const struct prefs *p)
{
    out(r, "<table class=\"list\"><caption>%h</caption><thead><tr><th scope=\"col\">%h</th><th scope=\"col\">%h</th>"
           "<th scope=\"col\">%h</th></tr></thead><tbody>",
        tr(r, "notify.prefs.services"), tr(r, "notify.prefs.service"), tr(r, "notify.channel.centre"), tr(r, "notify.channel.email"));
    for (int sv = 0; notify_services[sv]; sv++) {
        const char *label = tr(r, arena_printf(&r->arena, "notify.service.%s", notify_services[sv]));
        out(r, "<tr><th scope=\"row\">%h</th>", label);
        for (int ch = 0; notify_channels[ch]; ch++)
            out(r, "<td><input type=\"checkbox\" name=\"%h_%h\" value=\"1\" aria-label=\"%h — %h\"%R></td>", notify_channels[ch],
                notify_services[sv], label, tr(r, arena_printf(&r->arena, "notify.channel.%s", notify_channels[ch])),
                p->on[sv][ch] ? checked : ""); /* RAW_OK: literal attribute */
        out(r, "</tr>");
    }
    out(r, "</tbody></table>");
    if (p->email && *p->email) out(r, "<p class=\"help\">%h</p>", tr_fmt(r, "notify.prefs.email_to", p->email, NULL));
    else out(r, "<p class=\"help\">%h</p>", tr(r, "notify.prefs.no_email"));
}

static void quiet_fields(struct req *r, const struct prefs *p, const char *evening, const char *morning)
{
    out(r, "<fieldset class=\"stack\"><legend>%h</legend><p class=\"help\">%h</p>"
           "<label for=\"soir\">%h</label><input type=\"time\" id=\"soir\" name=\"soir\" value=\"%h\" aria-describedby=\"calme-aide\">"
           "<label for=\"matin\">%h</label><input type=\"time\" id=\"matin\" name=\"matin\" value=\"%h\" aria-describedby=\"calme-aide\">"
           "<p class=\"help\" id=\"calme-aide\">%h</p>"
           "<label><input type=\"checkbox\" name=\"weekend\" value=\"1\"%R> %h</label></fieldset>",
        tr(r, "notify.quiet.title"), tr(r, "notify.quiet.lead"), tr(r, "notify.quiet.from"), evening, tr(r, "notify.quiet.until"), morning,
        tr(r, "notify.quiet.help"), p->quiet.weekend ? checked : "", tr(r, "notify.quiet.weekend")); /* RAW_OK: literal attribute */
}

/* The page; after a refused save, error says why and the fields keep what
 * the person typed. */
static void prefs_render(struct req *r, const struct prefs *p, const char *error, const char *evening, const char *morning)
{
    page_begin(r, tr(r, "notify.prefs.title"));
    out(r, "<h1>%h</h1><p class=\"lead\">%h</p>", tr(r, "notify.prefs.title"), tr(r, "notify.prefs.lead"));
    if (param_bool(r, "ok")) out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr(r, "account.saved"));
    if (error) out(r, "<p class=\"error\" role=\"alert\" id=\"erreur\">%h</p>", error);
    out(r, "<form method=\"post\" action=\"/compte/notifications\" class=\"stack card\">");
    page_csrf_input(r);
    services_table(r, p);
    quiet_fields(r, p, evening, morning);
    out(r, "<button type=\"submit\" class=\"primary\">%h</button></form><p><a href=\"/notifications\">%h</a></p>",
        tr(r, "notify.prefs.save"), tr(r, "notify.back"));
    page_end(r);
}

static void prefs_page(struct req *r)
{
    struct prefs p;
    prefs_load(r, &p);
    prefs_render(r, &p, NULL, hhmm_text(r, p.quiet.evening), hhmm_text(r, p.quiet.morning));
}

/* The submitted quiet times, or the message key of what is wrong. */
static const char *quiet_from_form(struct req *r, struct notify_quiet *q)
{
    const char *ev = param(r, "soir"), *mo = param(r, "matin");
    bool has_ev = ev && *ev, has_mo = mo && *mo;
    *q = (struct notify_quiet){-1, -1, param_bool(r, "weekend")};
    if (!has_ev && !has_mo) return NULL;
    if (has_ev != has_mo) return "notify.quiet.err.both";
    q->evening = notify_hhmm(ev);
    q->morning = notify_hhmm(mo);
    if (q->evening < 0 || q->morning < 0) return "notify.quiet.err.format";
    if (q->evening == q->morning) return "notify.quiet.err.same";
    return NULL;
}

static int prefs_store(struct store *s, int64_t me, const struct prefs *p)
{
    for (int sv = 0; notify_services[sv]; sv++)
        for (int ch = 0; notify_channels[ch]; ch++)
            if (store_run(s, "INSERT INTO notify_pref (person_id, service, channel, enabled) VALUES ($1, $2, $3, $4)"
                             " ON CONFLICT (person_id, service, channel) DO UPDATE SET enabled = excluded.enabled",
                          "itti", me, notify_services[sv], notify_channels[ch], (int64_t)p->on[sv][ch]) < 0)
                return -1;
    if (p->quiet.evening < 0 && !p->quiet.weekend)
        return store_run(s, "DELETE FROM notify_quiet WHERE person_id = $1", "i", me);
    /* 00:00 is a time: NULL only when there is no daily quiet time. */
    if (p->quiet.evening < 0)
        return store_run(s, "INSERT INTO notify_quiet (person_id, evening, morning, weekend) VALUES ($1, NULL, NULL, $2)"
                            " ON CONFLICT (person_id) DO UPDATE SET evening = NULL, morning = NULL, weekend = excluded.weekend",
                         "ii", me, (int64_t)p->quiet.weekend);
    return store_run(s, "INSERT INTO notify_quiet (person_id, evening, morning, weekend) VALUES ($1, $2, $3, $4)"
                        " ON CONFLICT (person_id) DO UPDATE SET evening = excluded.evening, morning = excluded.morning,"
                        " weekend = excluded.weekend",
                     "iiii", me, (int64_t)p->quiet.evening, (int64_t)p->quiet.morning, (int64_t)p->quiet.weekend);
}

static void prefs_save(struct req *r)
{
    struct store *s = store_thread();
    struct prefs p;
    prefs_load(r, &p);
    for (int sv = 0; notify_services[sv]; sv++)
        for (int ch = 0; notify_channels[ch]; ch++)
            p.on[sv][ch] = param_bool(r, arena_printf(&r->arena, "%s_%s", notify_channels[ch], notify_services[sv]));
    const char *bad = quiet_from_form(r, &p.quiet);
    if (bad) {
        r->status = 400;
        prefs_render(r, &p, tr(r, bad), param(r, "soir"), param(r, "matin"));
        return;
    }
    if (store_begin(s) < 0 || prefs_store(s, r->actor->person_id, &p) < 0 || store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    reply_redirect(r, "/compte/notifications?ok=1");
}

#define PREF(ch, sv) {ch "_" sv, P_BOOL, SRC_BODY}
#define PREFS(ch)                                                                                                  \
    PREF(ch, "messages"), PREF(ch, "homework"), PREF(ch, "log"), PREF(ch, "grades"), PREF(ch, "timetable"),        \
        PREF(ch, "attendance"), PREF(ch, "news")

const struct route notify_prefs_routes[] = {
    {.method = M_GET, .path = "/compte/notifications", .handler = prefs_page, .action = ACT_SIGNED_IN,
     .params = (const struct param_spec[]){{"ok", P_BOOL, SRC_QUERY}, {0}}},
    {.method = M_POST, .path = "/compte/notifications", .handler = prefs_save, .action = ACT_SIGNED_IN,
     .params = (const struct param_spec[]){PREFS("centre"), PREFS("email"), {"soir", P_LINE, SRC_BODY, .maxlen = 8, .label = "notify.quiet.from"},
                                           {"matin", P_LINE, SRC_BODY, .maxlen = 8, .label = "notify.quiet.until"},
                                           {"weekend", P_BOOL, SRC_BODY}, {0}}},
    {0}};
