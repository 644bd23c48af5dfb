/* moderation.c — R-SEC: "report this message", the head's queue of
 * reported and held messages, and the establishment's messaging settings
 * (the communication policy and the kill switch). */
#include "internal.h"
#include "../../core/audit.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/page.h"
#include "../../policy/policy.h"
#include "../../store/store.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const decisions[] = {"dismiss", "remove", NULL};
static const char *const hold_decisions[] = {"release", "reject", NULL};

/* The head's two buttons on an item of the queue: choices[0] (labelled
 * keep) or choices[1] (labelled drop, in red); closes the item's article. */
static void decision_form(struct req *r, const char *action, const char *const *choices, const char *keep, const char *drop)
{
    out(r, "<form method=\"post\" action=\"%h\" class=\"inline-form\">", action);
    page_csrf_input(r);
    out(r, "<button type=\"submit\" name=\"decision\" value=\"%h\">%h</button> "
           "<button type=\"submit\" name=\"decision\" value=\"%h\" class=\"danger\">%h</button></form></article>",
        choices[0], tr(r, keep), choices[1], tr(r, drop));
}

/* ---- School life: accounts stopped or held (R-SEC) ---------------------- */

void messages_alerts_part(struct req *r, int64_t est)
{
    struct stmt *st = store_q(store_thread(),
        "SELECT a.person_id, p.first_name, p.last_name, a.reason, max(a.created_at), count(*) FROM message_alert a"
        " JOIN person p ON p.id = a.person_id WHERE a.establishment_id = $1 AND a.created_at > $2"
        " GROUP BY a.person_id, p.first_name, p.last_name, a.reason ORDER BY max(a.created_at) DESC", "ii", est, clock_now() - 7 * 86400);
    int n = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        if (!n++) out(r, "<section class=\"card alert\"><h2>%h</h2><ul class=\"plain editable\">", tr(r, "attendance.message_alerts"));
        out(r, "<li><a href=\"/personnes/%I\"><strong>%h %h</strong></a> — %h <span class=\"meta\">%h</span></li>", stmt_int(st, 0),
            stmt_text(st, 1), stmt_text(st, 2), tr(r, arena_printf(&r->arena, "messages.limit.%s", stmt_text(st, 3))),
            page_datetime(r, stmt_int(st, 4)));
    }
    stmt_done(st);
    if (n) out(r, "</ul></section>");
}

/* ---- Report a message; the head's moderation queue (R-SEC) ---------------- */

static void report(struct req *r)
{
    struct store *s = store_thread();
    int64_t mid = param_int(r, "id"), thread = 0, author = 0, est = 0;
    struct stmt *st = store_q(s, "SELECT m.thread_id, m.author_id, t.establishment_id FROM message m JOIN thread t ON t.id = m.thread_id"
                                 " WHERE m.id = $1 AND (m.author_id = $2 OR (m.state = 'sent' AND m.visible_at <= $3))", "iii", mid,
                              r->actor->person_id, clock_now());
    if (st && stmt_step(st) == STORE_ROW) {
        thread = stmt_int(st, 0);
        author = stmt_int(st, 1);
        est = stmt_int(st, 2);
    }
    stmt_done(st);
    if (!thread) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    if (!messages_participant(r, thread, NULL)) return;
    if (author == r->actor->person_id) {
        reply_error(r, 400, tr(r, "messages.err.own_message"));
        return;
    }
    if (store_run(s, "INSERT INTO message_report (message_id, establishment_id, reporter_id, reason, created_at) VALUES ($1, $2, $3, $4, $5)"
                     " ON CONFLICT (message_id, reporter_id) DO NOTHING", "iiiti", mid, est, r->actor->person_id,
                  param(r, "motif") ? param(r, "motif") : "", clock_now()) < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "message.reported", arena_printf(&r->arena, "message:%lld", (long long)mid), param(r, "motif") ? param(r, "motif") : "");
    if (r->api) reply_json(r, 201, json_pack("{s:s}", "state", "open"));
    else reply_redirect(r, arena_printf(&r->arena, "/messagerie/fils/%lld?signale=1", (long long)thread));
}

/* Messages held by the anomaly rule, for the head to release or reject. */
static void holds_part(struct req *r, int64_t est)
{
    struct stmt *st = store_q(store_thread(),
        "SELECT h.id, h.recipients, h.created_at, h.person_id, p.first_name, p.last_name, t.subject, m.body FROM message_hold h"
        " JOIN person p ON p.id = h.person_id JOIN thread t ON t.id = h.thread_id"
        " JOIN message m ON m.id = (SELECT min(id) FROM message WHERE thread_id = h.thread_id)"
        " WHERE h.establishment_id = $1 AND h.state = 'open' ORDER BY h.created_at", "i", est);
    out(r, "<h2 id=\"retenus\">%h</h2><p>%h</p>", tr(r, "messages.holds"),
        tr_fmt(r, "messages.holds_lead", arena_printf(&r->arena, "%d", MESSAGE_ANOMALY_FAMILY),
               arena_printf(&r->arena, "%d", MESSAGE_ANOMALY_WINDOW_S / 60)));
    int n = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        n++;
        out(r, "<article class=\"card\"><h3>%h</h3><p class=\"meta\"><a href=\"/personnes/%I\">%h %h</a> — %h</p>", stmt_text(st, 6),
            stmt_int(st, 3), stmt_text(st, 4), stmt_text(st, 5),
            tr_fmt(r, "messages.hold_what", arena_printf(&r->arena, "%lld", (long long)stmt_int(st, 1)), page_datetime(r, stmt_int(st, 2))));
        page_markdown(r, stmt_text(st, 7));
        decision_form(r, arena_printf(&r->arena, "/etablissements/%lld/retenus/%lld", (long long)est, (long long)stmt_int(st, 0)),
                      hold_decisions, "messages.release", "messages.reject");
    }
    stmt_done(st);
    if (!n) out(r, "<p class=\"card\">%h</p>", tr(r, "messages.no_holds"));
}

/* S-NOTIFY: the recipients of a released message (each thread of a list's
 * message) hear of it now, in the author's name. */
static int notify_released(struct req *r, int64_t est, int64_t thread, int64_t visible)
{
    struct store *s = store_thread();
    struct stmt *st = store_q(s, "SELECT t.id, t.subject, t.created_by, (SELECT min(id) FROM message WHERE thread_id = t.id),"
                                 " p.first_name || ' ' || p.last_name FROM thread t JOIN person p ON p.id = t.created_by"
                                 " WHERE t.id = $1 OR t.broadcast_id = $1", "i", thread);
    struct rel { int64_t thread, author, msg; const char *subject, *who; } *v = NULL;
    size_t n = 0, cap = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n++] = (struct rel){stmt_int(st, 0), stmt_int(st, 2), stmt_int(st, 3), arena_strdup(&r->arena, stmt_text(st, 1)),
                              arena_strdup(&r->arena, stmt_text(st, 4))};
    }
    stmt_done(st);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        int64_t *to;
        size_t k = messages_ids(r, store_q(s, "SELECT person_id FROM thread_participant WHERE thread_id = $1 AND person_id <> $2", "ii",
                                           v[i].thread, v[i].author), &to);
        rc = messages_notify(r, v[i].who, est, v[i].thread, v[i].msg, to, k, v[i].subject, visible, false);
    }
    return rc;
}

/* Release (deliver now) or reject (never deliver) a held message. */
static void decide_hold(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, "id"), hid = param_int(r, "hid"), thread = 0, now = clock_now();
    if (store_int(s, &thread, "SELECT thread_id FROM message_hold WHERE id = $1 AND establishment_id = $2 AND state = 'open'", "ii", hid,
                  est) != 1) {
        reply_error(r, 404, tr(r, "messages.err.hold_gone"));
        return;
    }
    bool release = !strcmp(param(r, "decision"), "release");
    int64_t visible = release ? messages_release_at(r, est, now) : 0;   /* released in a quiet period: delivered at its end */
    /* The hold is decided first, if still open: of two moderators deciding
     * at once (two nodes), one decides; the other's transaction changes
     * nothing and is told the hold is gone. */
    if (store_begin(s) < 0 ||
        store_run(s, "UPDATE message_hold SET state = $2, decided_by = $3, decided_at = $4 WHERE id = $1 AND state = 'open'", "itii", hid,
                  release ? "released" : "rejected", r->actor->person_id, now) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    if (store_changes(s) != 1) {
        store_rollback(s);
        reply_error(r, 404, tr(r, "messages.err.hold_gone"));
        return;
    }
    if (store_run(s, "UPDATE message SET state = $2, visible_at = $3 WHERE state = 'held' AND thread_id IN"
                     " (SELECT id FROM thread WHERE id = $1 OR broadcast_id = $1)", "itN", thread, release ? "sent" : "rejected",
                  visible) < 0 ||
        (release && store_run(s, "UPDATE thread SET last_message_at = $2 WHERE id = $1 OR broadcast_id = $1", "ii", thread, now) < 0) ||
        (release && store_run(s, "UPDATE thread_participant SET first_in_at = coalesce(first_in_at, $2) WHERE thread_id IN"
                                 " (SELECT id FROM thread WHERE id = $1 OR broadcast_id = $1) AND person_id <> (SELECT created_by FROM thread"
                                 " WHERE id = $1)", "ii", thread, visible) < 0) ||
        (release && notify_released(r, est, thread, visible) < 0) || store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, release ? "message.released" : "message.rejected", arena_printf(&r->arena, "thread:%lld", (long long)thread), "");
    if (r->api) reply_json(r, 200, json_pack("{s:s}", "state", release ? "released" : "rejected"));
    else reply_redirect(r, arena_printf(&r->arena, "/etablissements/%lld/moderation#retenus", (long long)est));
}

static void moderation_page(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, "id");
    page_begin(r, tr(r, "messages.moderation"));
    out(r, "<h1>%h</h1><p class=\"lead\">%h</p>", tr(r, "messages.moderation"), tr(r, "messages.moderation_lead"));
    struct stmt *st = store_q(s,
        "SELECT rp.id, rp.reason, rp.created_at, m.body, t.subject, a.first_name, a.last_name, w.first_name, w.last_name, m.author_id"
        " FROM message_report rp JOIN message m ON m.id = rp.message_id JOIN thread t ON t.id = m.thread_id"
        " JOIN person a ON a.id = m.author_id JOIN person w ON w.id = rp.reporter_id"
        " WHERE rp.establishment_id = $1 AND rp.state = 'open' ORDER BY rp.created_at", "i", est);
    int n = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        n++;
        out(r, "<article class=\"card\"><h2>%h</h2><p class=\"meta\">%h</p>", stmt_text(st, 4),
            tr_fmt(r, "messages.reported_by", arena_printf(&r->arena, "%s %s", stmt_text(st, 7), stmt_text(st, 8)),
                   page_datetime(r, stmt_int(st, 2))));
        if (*stmt_text(st, 1)) out(r, "<p>%h</p>", tr_fmt(r, "messages.report_reason", stmt_text(st, 1), NULL));
        out(r, "<p class=\"meta\"><a href=\"/personnes/%I\">%h %h</a></p>", stmt_int(st, 9), stmt_text(st, 5), stmt_text(st, 6));
        page_markdown(r, stmt_text(st, 3));
        decision_form(r, arena_printf(&r->arena, "/etablissements/%lld/moderation/%lld", (long long)est, (long long)stmt_int(st, 0)),
                      decisions, "messages.dismiss", "messages.remove");
    }
    stmt_done(st);
    if (!n) out(r, "<p class=\"card\">%h</p>", tr(r, "messages.no_reports"));
    holds_part(r, est);
    page_end(r);
}

static void moderate(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, "id"), rid = param_int(r, "rid"), mid = 0;
    if (store_int(s, &mid, "SELECT message_id FROM message_report WHERE id = $1 AND establishment_id = $2", "ii", rid, est) != 1) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    bool remove = !strcmp(param(r, "decision"), "remove");
    const char *original = "";
    struct stmt *st = store_q(s, "SELECT body FROM message WHERE id = $1", "i", mid);
    if (st && stmt_step(st) == STORE_ROW) original = arena_strdup(&r->arena, stmt_text(st, 0));
    stmt_done(st);
    int64_t now = clock_now();
    if (store_begin(s) < 0 ||
        (remove && store_run(s, "UPDATE message SET body = $2 WHERE id = $1", "it", mid, tr(r, "messages.removed_body")) < 0) ||
        store_run(s, "UPDATE message_report SET state = $2, decided_by = $3, decided_at = $4 WHERE message_id = $1 AND state = 'open'",
                  "itii", mid, remove ? "removed" : "dismissed", r->actor->person_id, now) < 0 ||
        store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    /* The audit keeps what was removed, for the record (and the police). */
    audit(s, r, 0, remove ? "message.removed" : "report.dismissed", arena_printf(&r->arena, "message:%lld", (long long)mid),
          remove ? original : "");
    reply_redirect(r, arena_printf(&r->arena, "/etablissements/%lld/moderation", (long long)est));
}

/* ---- Head: the communication policy and the kill switch ------------------ */

static const enum profile editable[] = {PROFILE_PUPIL, PROFILE_PARENT, PROFILE_TEACHER, PROFILE_STAFF, PROFILE_HEAD};
#define NEDITABLE (sizeof editable / sizeof editable[0])

static void settings_page(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, "id");
    page_begin(r, tr(r, "messages.settings"));
    out(r, "<h1>%h</h1>", tr(r, "messages.settings"));
    if (param_bool(r, "ok")) out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr(r, "account.saved"));
    out(r, "<form method=\"post\" action=\"/etablissements/%I/messagerie\" class=\"stack\">", est);
    page_csrf_input(r);
    out(r, "<section class=\"card\"><h2>%h</h2><p>%h</p>"
           "<div class=\"scroll\"><table class=\"list\"><caption class=\"sr\">%h</caption><thead><tr><th scope=\"col\">%h</th>",
        tr(r, "messages.policy"), tr(r, "messages.policy_lead"), tr(r, "messages.policy"), tr(r, "messages.policy_from"));
    for (size_t k = 0; k < NEDITABLE; k++)
        out(r, "<th scope=\"col\">%h</th>", tr(r, arena_printf(&r->arena, "messages.to_profile.%s", policy_profile_name(editable[k]))));
    out(r, "</tr></thead><tbody>");
    for (size_t i = 0; i < NEDITABLE; i++) {
        const char *from = policy_profile_name(editable[i]);
        out(r, "<tr><th scope=\"row\">%h</th>", tr(r, arena_printf(&r->arena, "messages.from_profile.%s", from)));
        for (size_t k = 0; k < NEDITABLE; k++) {
            if (!policy_message_pair_exists(editable[i], editable[k])) {
                out(r, "<td>—</td>");
                continue;
            }
            int64_t allowed = 1;
            store_int(s, &allowed, "SELECT allowed FROM communication_rule WHERE establishment_id = $1 AND from_profile = $2 AND to_profile = $3",
                      "itt", est, from, policy_profile_name(editable[k]));
            out(r, "<td><input type=\"checkbox\" name=\"r_%d_%d\" value=\"1\" aria-label=\"%h\"%R></td>", (int)editable[i], (int)editable[k],
                tr_fmt(r, "messages.policy_pair", tr(r, arena_printf(&r->arena, "messages.from_profile.%s", from)),
                       tr(r, arena_printf(&r->arena, "messages.to_profile.%s", policy_profile_name(editable[k])))),
                allowed ? " checked" : ""); /* RAW_OK: literal */
        }
        out(r, "</tr>");
    }
    char suspended[64] = "", until[17] = "";
    int64_t until_t = 0;
    struct stmt *st = store_q(s, "SELECT key, value FROM establishment_setting WHERE establishment_id = $1"
                                 " AND key IN ('messages.suspended', 'messages.suspended_until')", "i", est);
    while (st && stmt_step(st) == STORE_ROW) {
        if (!strcmp(stmt_text(st, 0), "messages.suspended")) {
            snprintf(suspended, sizeof suspended, ",%s,", stmt_text(st, 1));
        } else if ((until_t = strtoll(stmt_text(st, 1), NULL, 10))) {
            clock_datetime(until_t, until);
            until[10] = 'T';   /* the form's datetime-local value */
        }
    }
    stmt_done(st);
    out(r, "</tbody></table></div></section><section class=\"card\"><h2>%h</h2><p>%h</p><p><a href=\"/etablissements/%I/diffusion\">%h</a></p>"
           "</section>", tr(r, "messages.disco"), tr(r, "messages.disco_lead"), est, tr(r, "diffusion.title"));
    if (strlen(suspended) > 2 && until_t && clock_now() >= until_t)
        out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr(r, "messages.suspension_over"));
    out(r, "<section class=\"card\"><h2>%h</h2><p>%h</p><fieldset><legend>%h</legend>",
        tr(r, "messages.kill_switch"), tr(r, "messages.kill_switch_lead"), tr(r, "messages.suspend_for"));
    for (size_t k = 0; k < NEDITABLE; k++) {
        const char *p = policy_profile_name(editable[k]);
        out(r, "<label class=\"check\"><input type=\"checkbox\" name=\"s_%d\" value=\"1\"%R> %h</label>", (int)editable[k],
            strstr(suspended, arena_printf(&r->arena, ",%s,", p)) ? " checked" : "", /* RAW_OK: literal */
            tr(r, arena_printf(&r->arena, "messages.from_profile.%s", p)));
    }
    out(r, "</fieldset><label for=\"until\">%h</label><input id=\"until\" name=\"jusqu_au\" type=\"datetime-local\" value=\"%h\" "
           "aria-describedby=\"until-help\"><p class=\"help\" id=\"until-help\">%h</p></section>"
           "<button type=\"submit\" class=\"primary\">%h</button></form>",
        tr(r, "messages.suspend_until"), until, tr(r, "messages.suspend_until_help"), tr(r, "log.save"));
    page_end(r);
}

static void settings_save(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, "id");
    char suspended[64] = "";
    int64_t until = 0;
    const char *until_text = param(r, "jusqu_au");
    if (until_text && *until_text && (!clock_parse(until_text, &until) || until <= clock_now())) {
        reply_error(r, 400, tr(r, "messages.err.until"));
        return;
    }
    if (store_begin(s) < 0) goto failed;
    for (size_t i = 0; i < NEDITABLE; i++)
        for (size_t k = 0; k < NEDITABLE; k++) {
            if (!policy_message_pair_exists(editable[i], editable[k])) continue;
            bool on = param_bool(r, arena_printf(&r->arena, "r_%d_%d", (int)editable[i], (int)editable[k]));
            if (store_run(s, "INSERT INTO communication_rule (establishment_id, from_profile, to_profile, allowed) VALUES ($1, $2, $3, $4)"
                             " ON CONFLICT (establishment_id, from_profile, to_profile) DO UPDATE SET allowed = $4",
                          "itti", est, policy_profile_name(editable[i]), policy_profile_name(editable[k]), (int64_t)on) < 0)
                goto failed;
        }
    for (size_t k = 0; k < NEDITABLE; k++)
        if (param_bool(r, arena_printf(&r->arena, "s_%d", (int)editable[k]))) {
            size_t len = strlen(suspended);
            snprintf(suspended + len, sizeof suspended - len, "%s%s", len ? "," : "", policy_profile_name(editable[k]));
        }
    if (store_run(s, "INSERT INTO establishment_setting (establishment_id, key, value) VALUES ($1, 'messages.suspended', $2)"
                     " ON CONFLICT (establishment_id, key) DO UPDATE SET value = $2", "it", est, suspended) < 0 ||
        store_run(s, "INSERT INTO establishment_setting (establishment_id, key, value) VALUES ($1, 'messages.suspended_until', $2)"
                     " ON CONFLICT (establishment_id, key) DO UPDATE SET value = $2", "it", est,
                  until ? arena_printf(&r->arena, "%lld", (long long)until) : "") < 0 ||
        store_commit(s) < 0)
        goto failed;
    audit(s, r, 0, "messages.settings", arena_printf(&r->arena, "establishment:%lld", (long long)est),
          arena_printf(&r->arena, "suspended: %s%s%s", *suspended ? suspended : "none", until ? " until " : "",
                       until ? until_text : ""));
    reply_redirect(r, arena_printf(&r->arena, "/etablissements/%lld/messagerie?ok=1", (long long)est));
    return;
failed:
    store_rollback(s);
    reply_error(r, 503, tr(r, "err.unavailable"));
}


const struct route messages_moderation_routes[] = {
    {.method = M_POST, .path = "/messagerie/messages/{id}/signaler", .handler = report, .action = ACT_SIGNED_IN,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"motif", P_LINE, SRC_BODY, .maxlen = 200, .label = "messages.report_why"}, {0}}},
    {.method = M_POST, .path = "/api/v1/messages/{id}/report", .handler = report, .action = ACT_SIGNED_IN, .flags = ROUTE_API,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"motif", P_LINE, SRC_BODY, .maxlen = 200}, {0}}},
    {.method = M_GET, .path = "/etablissements/{id}/moderation", .handler = moderation_page, .action = ACT_MODERATE, .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_POST, .path = "/etablissements/{id}/moderation/{rid}", .handler = moderate, .action = ACT_MODERATE, .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"rid", P_ID, SRC_PATH, .required = true},
                                           {"decision", P_ENUM, SRC_BODY, .required = true, .choices = decisions}, {0}}},
    {.method = M_POST, .path = "/etablissements/{id}/retenus/{hid}", .handler = decide_hold, .action = ACT_MODERATE, .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"hid", P_ID, SRC_PATH, .required = true},
                                           {"decision", P_ENUM, SRC_BODY, .required = true, .choices = hold_decisions}, {0}}},
    {.method = M_POST, .path = "/api/v1/establishments/{id}/holds/{hid}", .handler = decide_hold, .action = ACT_MODERATE,
     .object = OBJ_ESTABLISHMENT, .flags = ROUTE_API,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"hid", P_ID, SRC_PATH, .required = true},
                                           {"decision", P_ENUM, SRC_BODY, .required = true, .choices = hold_decisions}, {0}}},
    {.method = M_GET, .path = "/etablissements/{id}/messagerie", .handler = settings_page, .action = ACT_ESTABLISHMENT_SETTINGS, .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"ok", P_BOOL, SRC_QUERY}, {0}}},
    {.method = M_POST, .path = "/etablissements/{id}/messagerie", .handler = settings_save, .action = ACT_ESTABLISHMENT_SETTINGS, .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"r_", P_BOOL, SRC_BODY, .prefix = true}, {"s_", P_BOOL, SRC_BODY, .prefix = true},
                                           {"jusqu_au", P_LINE, SRC_BODY, .maxlen = 19, .label = "messages.suspend_until"}, {0}}},
    {0}};
