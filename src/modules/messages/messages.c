/* messages.c — threads, messages, folders, read state, recipients. */
#include "messages.h"
#include "../files/files.h"
#include "../persons/persons.h"
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

#define MESSAGES_PAGE 50            /* threads listed per folder */
#define RECIPIENT_SEARCH_MAX 20

static const char *const folders[] = {"inbox", "sent", "archive", "trash", NULL};
static const char *const decisions[] = {"dismiss", "remove", NULL};
static const char *const moves[] = {"inbox", "archive", "trash", NULL};

int64_t messages_unread(struct store *s, int64_t person)
{
    int64_t n = 0;
    store_int(s, &n,
              "SELECT count(*) FROM thread_participant tp WHERE tp.person_id = $1 AND tp.folder = 'inbox'"
              " AND EXISTS (SELECT 1 FROM message m WHERE m.thread_id = tp.thread_id AND m.id > tp.last_read_message_id"
              " AND m.author_id <> $1)", "i", person);
    return n;
}

/* ---- Folders ------------------------------------------------------------ */

struct thread_row {
    int64_t id, last_at;
    const char *subject, *last_author, *preview;
    bool unread;
};

static size_t thread_list(struct req *r, const char *folder, struct thread_row **out)
{
    struct store *s = store_thread();
    static const char *const q =
        "SELECT t.id, t.subject, t.last_message_at, p.first_name, p.last_name, substr(m.body, 1, 140),"
        " (m.id > tp.last_read_message_id AND m.author_id <> $1)"
        " FROM thread_participant tp JOIN thread t ON t.id = tp.thread_id"
        " JOIN message m ON m.id = (SELECT max(id) FROM message WHERE thread_id = t.id) JOIN person p ON p.id = m.author_id"
        " WHERE tp.person_id = $1 AND ((tp.folder = $2 AND ($2 = 'inbox' OR t.broadcast_id IS NULL OR t.broadcast_id = t.id OR t.created_by <> $1))"
        " OR ($2 = 'sent' AND t.created_by = $1 AND tp.folder <> 'trash' AND (t.broadcast_id IS NULL OR t.broadcast_id = t.id)))"
        " ORDER BY t.last_message_at DESC, t.id DESC LIMIT $3";
    struct stmt *st = store_q(s, q, "iti", r->actor->person_id, folder, (int64_t)MESSAGES_PAGE);
    size_t n = 0, cap = 0;
    struct thread_row *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n++] = (struct thread_row){stmt_int(st, 0), stmt_int(st, 2), arena_strdup(&r->arena, stmt_text(st, 1)),
                                     arena_printf(&r->arena, "%s %s", stmt_text(st, 3), stmt_text(st, 4)),
                                     arena_strdup(&r->arena, stmt_text(st, 5)), stmt_int(st, 6) != 0};
    }
    stmt_done(st);
    *out = v;
    return n;
}

static void folder_page(struct req *r)
{
    const char *folder = param(r, "dossier") ? param(r, "dossier") : "inbox";
    struct thread_row *v;
    size_t n = thread_list(r, folder, &v);
    page_begin(r, tr(r, "messages.title"));
    out(r, "<h1>%h</h1><p class=\"row\"><a class=\"button primary\" href=\"/messagerie/nouveau\">%h</a></p>", tr(r, "messages.title"),
        tr(r, "messages.compose"));
    out(r, "<nav class=\"switcher\" aria-label=\"%h\"><ul>", tr(r, "messages.folders"));
    for (const char *const *f = folders; *f; f++)
        out(r, "<li><a href=\"/messagerie?dossier=%h\"%R>%h</a></li>", *f, !strcmp(*f, folder) ? " aria-current=\"page\"" : "", /* RAW_OK: literal */
            tr(r, arena_printf(&r->arena, "messages.folder.%s", *f)));
    out(r, "</ul></nav><section class=\"card\"><h2>%h</h2>", tr(r, arena_printf(&r->arena, "messages.folder.%s", folder)));
    if (!n) out(r, "<p class=\"meta\">%h</p>", tr(r, "messages.empty"));
    else out(r, "<ul class=\"plain editable threads\">");
    for (size_t i = 0; i < n; i++)
        out(r, "<li%R><p><a href=\"/messagerie/fils/%I\">%R%h%R</a> <span class=\"meta\">— %h, %h</span></p><p class=\"meta\">%h</p></li>",
            v[i].unread ? " class=\"unread\"" : "", v[i].id, v[i].unread ? "<strong>" : "", v[i].subject, /* RAW_OK: literal tags */
            v[i].unread ? "</strong>" : "", v[i].last_author, page_datetime(r, v[i].last_at), v[i].preview); /* RAW_OK: literal tags */
    if (n) out(r, "</ul>");
    out(r, "</section>");
    page_end(r);
}

/* ---- Compose ------------------------------------------------------------- */

struct candidate {
    int64_t id;
    const char *name, *what;
};

/* People the actor would usually write to: the teachers of their (or their
 * children's) classes and the school-life staff and heads; for staff, the
 * people of their establishments whose name matches q. Only those the
 * communication policy allows are kept. */
static size_t candidates(struct req *r, const char *q, struct candidate **out)
{
    struct store *s = store_thread();
    char today[11];
    clock_today(today);
    struct stmt *st;
    if (q && strlen(q) >= 2) {
        const char *like = arena_printf(&r->arena, "%%%s%%", q);
        st = store_q(s,
            "SELECT DISTINCT p.id, p.first_name, p.last_name, '' FROM person p WHERE (p.first_name || ' ' || p.last_name LIKE $3"
            " OR p.last_name || ' ' || p.first_name LIKE $3) AND p.id <> $1 AND (EXISTS (SELECT 1 FROM role r WHERE r.person_id = p.id"
            " AND r.establishment_id IN (SELECT establishment_id FROM role WHERE person_id = $1 AND establishment_id IS NOT NULL"
            " AND starts_on <= $2 AND (ends_on IS NULL OR ends_on >= $2)) AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2)))"
            " ORDER BY p.last_name, p.first_name LIMIT 60", "itt", r->actor->person_id, today, like);
    } else {
        st = store_q(s,
            "SELECT DISTINCT p.id, p.first_name, p.last_name, sb.name FROM enrolment en"
            " JOIN teaching t ON t.class_id = en.class_id JOIN person p ON p.id = t.teacher_id JOIN subject sb ON sb.id = t.subject_id"
            " WHERE (en.pupil_id = $1 OR en.pupil_id IN (SELECT pupil_id FROM guardianship WHERE parent_id = $1))"
            " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"
            " UNION SELECT p.id, p.first_name, p.last_name, coalesce(r.title, r.profile) FROM role r JOIN person p ON p.id = r.person_id"
            " WHERE r.profile IN ('staff', 'head') AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2)"
            " AND r.establishment_id IN (SELECT c.establishment_id FROM enrolment en JOIN class c ON c.id = en.class_id"
            " WHERE (en.pupil_id = $1 OR en.pupil_id IN (SELECT pupil_id FROM guardianship WHERE parent_id = $1))"
            " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2))"
            " ORDER BY 3, 2 LIMIT 60", "it", r->actor->person_id, today);
    }
    size_t n = 0, cap = 0;
    struct candidate *v = NULL;
    struct { int64_t id; const char *first, *last, *what; } raw[60];
    size_t nraw = 0;
    while (st && stmt_step(st) == STORE_ROW && nraw < 60) {
        raw[nraw].id = stmt_int(st, 0);
        raw[nraw].first = arena_strdup(&r->arena, stmt_text(st, 1));
        raw[nraw].last = arena_strdup(&r->arena, stmt_text(st, 2));
        raw[nraw].what = arena_strdup(&r->arena, stmt_text(st, 3));
        nraw++;
    }
    stmt_done(st);
    for (size_t i = 0; i < nraw && n < RECIPIENT_SEARCH_MAX; i++) {
        bool seen = false;
        for (size_t k = 0; k < n; k++) seen |= v[k].id == raw[i].id;
        if (seen || !policy_message_establishment(s, r->actor, raw[i].id)) continue;
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n++] = (struct candidate){raw[i].id, arena_printf(&r->arena, "%s %s", raw[i].first, raw[i].last), raw[i].what};
    }
    *out = v;
    return n;
}

/* The classes whose pupils or parents the actor may write to as a list:
 * those they teach, or every class of the establishments where they are
 * school-life staff or head. */
static const char *const q_list_classes =
    "SELECT c.id, c.name FROM class c JOIN level l ON l.id = c.level_id WHERE c.id IN ("
    " SELECT t.class_id FROM teaching t JOIN role r ON r.person_id = t.teacher_id AND r.establishment_id = t.establishment_id"
    " AND r.profile = 'teacher' AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2) WHERE t.teacher_id = $1"
    " UNION SELECT c2.id FROM class c2 JOIN role r ON r.establishment_id = c2.establishment_id WHERE r.person_id = $1"
    " AND r.profile IN ('staff', 'head') AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2))"
    " ORDER BY l.ordinal, c.name";

static bool list_class_allowed(struct req *r, int64_t cls)
{
    char today[11];
    clock_today(today);
    struct stmt *st = store_q(store_thread(), q_list_classes, "it", r->actor->person_id, today);
    bool ok = false;
    while (!ok && st && stmt_step(st) == STORE_ROW) ok = stmt_int(st, 0) == cls;
    stmt_done(st);
    return ok;
}

static void lists_fieldset(struct req *r)
{
    if (!policy_is_staff(r->actor)) return;
    char today[11];
    clock_today(today);
    struct stmt *st = store_q(store_thread(), q_list_classes, "it", r->actor->person_id, today);
    int n = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        if (!n++) out(r, "<fieldset><legend>%h</legend><p class=\"help\">%h</p>", tr(r, "messages.lists"), tr(r, "messages.lists_help"));
        out(r, "<label class=\"check\"><input type=\"checkbox\" name=\"lp_%I\" value=\"1\"> %h</label>"
               "<label class=\"check\"><input type=\"checkbox\" name=\"lc_%I\" value=\"1\"> %h</label>",
            stmt_int(st, 0), tr_fmt(r, "messages.list_parents", stmt_text(st, 1), NULL), stmt_int(st, 0),
            tr_fmt(r, "messages.list_pupils", stmt_text(st, 1), NULL));
    }
    stmt_done(st);
    if (n) out(r, "</fieldset>");
}

static void compose_render(struct req *r, const char *error)
{
    const char *q = param(r, "q");
    struct candidate *v;
    size_t n = candidates(r, q, &v);
    int64_t chosen = param_int(r, "a");
    page_begin(r, tr(r, "messages.compose"));
    out(r, "<h1>%h</h1>", tr(r, "messages.compose"));
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    out(r, "<form method=\"get\" action=\"/messagerie/nouveau\" class=\"inline-form\" role=\"search\"><label for=\"q\">%h</label>"
           "<input id=\"q\" name=\"q\" value=\"%h\" maxlength=\"60\" autocomplete=\"off\"><button type=\"submit\">%h</button></form>",
        tr(r, "messages.search"), q ? q : "", tr(r, "messages.search_button"));
    out(r, "<form method=\"post\" action=\"/messagerie/nouveau\" class=\"stack card\" enctype=\"multipart/form-data\">");
    page_csrf_input(r);
    out(r, "<fieldset><legend>%h</legend>", tr(r, "messages.to"));
    if (!n) out(r, "<p class=\"meta\">%h</p>", tr(r, q ? "messages.no_match" : "messages.search_help"));
    for (size_t i = 0; i < n; i++)
        out(r, "<label class=\"check\"><input type=\"checkbox\" name=\"to_%I\" value=\"1\"%R> %h <span class=\"meta\">%h</span></label>",
            v[i].id, v[i].id == chosen ? " checked" : "", v[i].name, v[i].what); /* RAW_OK: literal */
    out(r, "</fieldset>");
    lists_fieldset(r);
    out(r, "<label for=\"subject\">%h</label><input id=\"subject\" name=\"subject\" required maxlength=\"150\">"
           "<label for=\"body\">%h</label><textarea id=\"body\" name=\"body\" rows=\"8\" required maxlength=\"10000\" "
           "aria-describedby=\"md-help\"></textarea><p class=\"help\" id=\"md-help\">%h</p>"
           "<label for=\"piece\">%h</label><input id=\"piece\" type=\"file\" name=\"piece\" aria-describedby=\"piece-help\">"
           "<p class=\"help\" id=\"piece-help\">%h</p><button type=\"submit\" class=\"primary\">%h</button></form>",
        tr(r, "messages.subject"), tr(r, "messages.body"), tr(r, "log.markdown_help"), tr(r, "log.attachment"),
        tr(r, "log.attachment_help"), tr(r, "messages.send"));
    page_end(r);
}

static void compose_page(struct req *r) { compose_render(r, NULL); }

static void fail(struct req *r, int status, const char *msg)
{
    if (r->api) {
        reply_error(r, status, msg);
        return;
    }
    r->status = status;
    compose_render(r, msg);
}

/* R-SEC: may the actor send now (new_thread: starting one, to n people)?
 * NULL when yes; else what to say, and for pupils and parents an alert for
 * school life of establishment est is recorded. */
static const char *limit_reached(struct req *r, int64_t est, bool new_thread, size_t n)
{
    struct store *s = store_thread();
    bool staff = policy_is_staff(r->actor);
    int64_t now = clock_now(), last_hour = 0, today = 0;
    const char *reason = NULL, *msg = NULL;
    store_int(s, &last_hour, "SELECT count(DISTINCT coalesce(t.broadcast_id, -m.id)) FROM message m JOIN thread t ON t.id = m.thread_id"
                             " WHERE m.author_id = $1 AND m.created_at > $2", "ii", r->actor->person_id, now - 3600);
    if (new_thread)
        store_int(s, &today, "SELECT count(*) FROM thread WHERE created_by = $1 AND created_at > $2"
                             " AND (broadcast_id IS NULL OR broadcast_id = id)", "ii", r->actor->person_id, now - 86400);
    if (!staff && n > MESSAGE_FAMILY_RECIPIENTS) {
        reason = "recipients";
        msg = tr_fmt(r, "messages.err.limit_recipients", arena_printf(&r->arena, "%d", MESSAGE_FAMILY_RECIPIENTS), NULL);
    } else if (last_hour >= (staff ? MESSAGE_STAFF_PER_HOUR : MESSAGE_FAMILY_PER_HOUR)) {
        reason = "per_hour";
        msg = tr(r, "messages.err.limit_hour");
    } else if (new_thread && today >= (staff ? MESSAGE_STAFF_THREADS_PER_DAY : MESSAGE_FAMILY_THREADS_PER_DAY)) {
        reason = "threads_per_day";
        msg = tr(r, "messages.err.limit_day");
    }
    if (!reason) return NULL;
    audit(s, r, 0, "message.limit", arena_printf(&r->arena, "person:%lld", (long long)r->actor->person_id), reason);
    if (!staff && est)
        store_run(s, "INSERT INTO message_alert (establishment_id, person_id, reason, created_at) VALUES ($1, $2, $3, $4)", "iiti", est,
                  r->actor->person_id, reason, now);
    return msg;
}

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

/* Add a message (and its attachment) to a thread, inside a transaction. */
static int64_t message_add(struct req *r, int64_t thread, const struct upload *u, int64_t now)
{
    struct store *s = store_thread();
    int64_t id = 0;
    if (store_int(s, &id, "INSERT INTO message (thread_id, author_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id", "iiti",
                  thread, r->actor->person_id, param(r, "body"), now) != 1)
        return 0;
    if (u && !files_attach(r, u, "message", id)) return 0;
    if (store_run(s, "UPDATE thread SET last_message_at = $2 WHERE id = $1", "ii", thread, now) < 0 ||
        store_run(s, "UPDATE thread_participant SET last_read_message_id = $3, folder = 'inbox' WHERE thread_id = $1 AND person_id = $2",
                  "iii", thread, r->actor->person_id, id) < 0 ||
        store_run(s, "UPDATE thread_participant SET folder = 'inbox' WHERE thread_id = $1 AND folder = 'archive'", "i", thread) < 0)
        return 0;
    return id;
}

static void send(struct req *r)
{
    struct store *s = store_thread();
    const struct kv *to;
    size_t nto = param_prefixed(r, "to_", &to);
    size_t idcap = nto + 1;
    int64_t *ids = arena_alloc(&r->arena, idcap * sizeof *ids);
    size_t n = 0;
    int64_t est = 0;
    for (size_t i = 0; i < nto; i++) {
        if (strcmp(to[i].value, "1")) continue;
        int64_t id = strtoll(to[i].name + 3, NULL, 10);
        bool dup = false;
        for (size_t k = 0; k < n; k++) dup |= ids[k] == id;
        if (dup) continue;
        if (n == MESSAGE_MAX_RECIPIENTS) {
            fail(r, 400, tr_fmt(r, "messages.err.too_many", arena_printf(&r->arena, "%d", MESSAGE_MAX_RECIPIENTS), NULL));
            return;
        }
        int64_t e = policy_message_establishment(s, r->actor, id);
        if (!e) {
            const char *who = persons_name(r, id);
            fail(r, 403, *who ? tr_fmt(r, "messages.err.not_allowed", who, NULL) : tr(r, "messages.err.unknown"));
            return;
        }
        if (!est) est = e;
        ids[n++] = id;
    }
    /* Lists (staff): the parents or the pupils of a class. Each member gets
     * a private thread, so that nobody sees who else received it. */
    const struct kv *lp, *lc;
    size_t nlp = param_prefixed(r, "lp_", &lp), nlc = param_prefixed(r, "lc_", &lc);
    bool broadcast = false;
    for (size_t k = 0; k < nlp + nlc; k++) {
        const struct kv *f = k < nlp ? &lp[k] : &lc[k - nlp];
        if (strcmp(f->value, "1")) continue;
        int64_t cls = strtoll(f->name + 3, NULL, 10);
        if (!list_class_allowed(r, cls)) {
            fail(r, 403, tr(r, "messages.err.list"));
            return;
        }
        broadcast = true;
        char today[11];
        clock_today(today);
        struct stmt *st = k < nlp ? store_q(s, "SELECT DISTINCT g.parent_id FROM enrolment en JOIN guardianship g ON g.pupil_id = en.pupil_id"
                                               " WHERE en.class_id = $1 AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"
                                               " AND g.receives_mail = 1", "it", cls, today)
                                  : store_q(s, "SELECT en.pupil_id FROM enrolment en WHERE en.class_id = $1 AND en.starts_on <= $2"
                                               " AND (en.ends_on IS NULL OR en.ends_on >= $2)", "it", cls, today);
        int64_t members[MESSAGE_MAX_LIST_RECIPIENTS];
        size_t nm = 0;
        while (st && stmt_step(st) == STORE_ROW && nm < MESSAGE_MAX_LIST_RECIPIENTS) members[nm++] = stmt_int(st, 0);
        stmt_done(st);
        for (size_t m = 0; m < nm; m++) {
            bool dup = false;
            for (size_t q = 0; q < n; q++) dup |= ids[q] == members[m];
            if (dup) continue;
            if (n >= MESSAGE_MAX_LIST_RECIPIENTS) {
                fail(r, 400, tr_fmt(r, "messages.err.too_many", arena_printf(&r->arena, "%d", MESSAGE_MAX_LIST_RECIPIENTS), NULL));
                return;
            }
            /* A list never widens the policy: members it does not allow are left out. */
            int64_t e = policy_message_establishment(s, r->actor, members[m]);
            if (!e) continue;
            if (!est) est = e;
            ids = arena_grow(&r->arena, ids, n, &idcap, sizeof *ids);
            ids[n++] = members[m];
        }
    }
    if (!n) {
        fail(r, 400, tr(r, "messages.err.no_recipient"));
        return;
    }
    if (!policy_messaging_open(s, r->actor, est)) {
        audit(s, r, 0, "message.suspended", arena_printf(&r->arena, "establishment:%lld", (long long)est), "");
        fail(r, 403, tr(r, "messages.err.suspended"));
        return;
    }
    const char *limit = limit_reached(r, est, true, n);
    if (limit) {
        fail(r, 429, limit);
        return;
    }
    const struct upload *u = files_upload(r, "piece");
    const char *bad = u ? files_check(r, u) : NULL;
    if (bad) {
        fail(r, 400, bad);
        return;
    }
    int64_t now = clock_now(), thread = 0, group = 0;
    if (store_begin(s) < 0) goto failed;
    for (size_t g = 0; g < (broadcast ? n : 1); g++) {
        if (store_int(s, &thread, "INSERT INTO thread (establishment_id, subject, created_by, created_at, last_message_at, broadcast_id)"
                                  " VALUES ($1, $2, $3, $4, $4, $5) RETURNING id", "itiiN", est, param(r, "subject"), r->actor->person_id,
                      now, group) != 1)
            goto failed;
        if (broadcast && !group) {
            group = thread;
            if (store_run(s, "UPDATE thread SET broadcast_id = $1 WHERE id = $1", "i", thread) < 0) goto failed;
        }
        if (store_run(s, "INSERT INTO thread_participant (thread_id, person_id, joined_at) VALUES ($1, $2, $3)", "iii", thread,
                      r->actor->person_id, now) < 0)
            goto failed;
        for (size_t i = broadcast ? g : 0; i < (broadcast ? g + 1 : n); i++)
            if (store_run(s, "INSERT INTO thread_participant (thread_id, person_id, joined_at) VALUES ($1, $2, $3)", "iii", thread, ids[i],
                          now) < 0)
                goto failed;
        if (!message_add(r, thread, g ? NULL : u, now)) goto failed;
    }
    if (store_commit(s) < 0) goto failed;
    audit(s, r, 0, broadcast ? "message.broadcast" : "message.sent",
          arena_printf(&r->arena, "thread:%lld", (long long)(group ? group : thread)), arena_printf(&r->arena, "%zu recipient(s)", n));
    if (r->api) reply_json(r, 201, json_pack("{s:I,s:i}", "id", (json_int_t)(group ? group : thread), "recipients", (int)n));
    else reply_redirect(r, arena_printf(&r->arena, "/messagerie/fils/%lld", (long long)(group ? group : thread)));
    return;
failed:
    store_rollback(s);
    reply_error(r, 503, tr(r, "err.unavailable"));
}

/* ---- A thread ------------------------------------------------------------- */

/* The actor's place in the thread: 0 when not a participant (403/404). */
static bool participant(struct req *r, int64_t thread, const char **subject)
{
    struct stmt *st = store_q(store_thread(), "SELECT t.subject FROM thread t JOIN thread_participant tp ON tp.thread_id = t.id"
                                              " WHERE t.id = $1 AND tp.person_id = $2", "ii", thread, r->actor->person_id);
    bool ok = st && stmt_step(st) == STORE_ROW;
    if (ok && subject) *subject = arena_strdup(&r->arena, stmt_text(st, 0));
    stmt_done(st);
    if (!ok) {
        int64_t exists = 0;
        store_int(store_thread(), &exists, "SELECT count(*) FROM thread WHERE id = $1", "i", thread);
        reply_error(r, exists ? 403 : 404, tr(r, exists ? "messages.err.not_participant" : "err.not_found"));
    }
    return ok;
}

static void thread_page(struct req *r)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id");
    const char *subject;
    if (!participant(r, id, &subject)) return;
    page_begin(r, subject);
    out(r, "<h1>%h</h1><p class=\"meta\">%h ", subject, tr(r, "messages.between"));
    struct stmt *st = store_q(s, "SELECT p.first_name, p.last_name FROM thread_participant tp JOIN person p ON p.id = tp.person_id"
                                 " WHERE tp.thread_id = $1 ORDER BY p.last_name", "i", id);
    int k = 0;
    while (st && stmt_step(st) == STORE_ROW) out(r, "%R%h %h", k++ ? ", " : "", stmt_text(st, 0), stmt_text(st, 1)); /* RAW_OK: literal */
    stmt_done(st);
    out(r, "</p>");
    int64_t last = 0;
    st = store_q(s, "SELECT m.id, p.first_name, p.last_name, m.body, m.created_at, m.author_id FROM message m"
                    " JOIN person p ON p.id = m.author_id WHERE m.thread_id = $1 ORDER BY m.id", "i", id);
    struct msg { int64_t id, at, author_id; const char *author, *body; } *v = NULL;
    size_t n = 0, cap = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n++] = (struct msg){stmt_int(st, 0), stmt_int(st, 4), stmt_int(st, 5),
                              arena_printf(&r->arena, "%s %s", stmt_text(st, 1), stmt_text(st, 2)), arena_strdup(&r->arena, stmt_text(st, 3))};
    }
    stmt_done(st);
    if (param_bool(r, "signale")) out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr(r, "messages.reported"));
    for (size_t i = 0; i < n; i++) {
        out(r, "<article class=\"card message\"><p class=\"meta\"><strong>%h</strong> — %h</p>", v[i].author, page_datetime(r, v[i].at));
        page_markdown(r, v[i].body);
        files_links(r, "message", v[i].id);
        if (v[i].author_id != r->actor->person_id) {
            out(r, "<details class=\"report\"><summary>%h</summary><form method=\"post\" action=\"/messagerie/messages/%I/signaler\" "
                   "class=\"stack\">", tr(r, "messages.report"), v[i].id);
            page_csrf_input(r);
            out(r, "<label for=\"why-%I\">%h</label><input id=\"why-%I\" name=\"motif\" maxlength=\"200\">"
                   "<button type=\"submit\" class=\"danger\">%h</button></form></details>",
                v[i].id, tr(r, "messages.report_why"), v[i].id, tr(r, "messages.report_send"));
        }
        out(r, "</article>");
        last = v[i].id;
    }
    /* Opening the thread marks it read (a GET that writes: see the route). */
    store_run(s, "UPDATE thread_participant SET last_read_message_id = $3 WHERE thread_id = $1 AND person_id = $2"
                 " AND last_read_message_id < $3", "iii", id, r->actor->person_id, last);
    out(r, "<form method=\"post\" action=\"/messagerie/fils/%I/repondre\" class=\"stack card\" enctype=\"multipart/form-data\">", id);
    page_csrf_input(r);
    out(r, "<label for=\"body\">%h</label><textarea id=\"body\" name=\"body\" rows=\"5\" required maxlength=\"10000\"></textarea>"
           "<label for=\"piece\">%h</label><input id=\"piece\" type=\"file\" name=\"piece\">"
           "<button type=\"submit\" class=\"primary\">%h</button></form>",
        tr(r, "messages.reply"), tr(r, "log.attachment"), tr(r, "messages.send_reply"));
    out(r, "<form method=\"post\" action=\"/messagerie/fils/%I/dossier\" class=\"inline-form\">", id);
    page_csrf_input(r);
    out(r, "<button type=\"submit\" name=\"dossier\" value=\"archive\">%h</button> <button type=\"submit\" name=\"dossier\" "
           "value=\"trash\" class=\"danger\">%h</button></form><p><a href=\"/messagerie\">%h</a></p>",
        tr(r, "messages.archive"), tr(r, "messages.trash"), tr(r, "messages.back"));
    page_end(r);
}

static void reply(struct req *r)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id"), est = 0;
    if (!participant(r, id, NULL)) return;
    store_int(s, &est, "SELECT establishment_id FROM thread WHERE id = $1", "i", id);
    if (!policy_messaging_open(s, r->actor, est)) {
        reply_error(r, 403, tr(r, "messages.err.suspended"));
        return;
    }
    const char *limit = limit_reached(r, est, false, 0);
    if (limit) {
        reply_error(r, 429, limit);
        return;
    }
    const struct upload *u = files_upload(r, "piece");
    const char *bad = u ? files_check(r, u) : NULL;
    if (bad) {
        reply_error(r, 400, bad);
        return;
    }
    int64_t now = clock_now(), mid;
    if (store_begin(s) < 0 || !(mid = message_add(r, id, u, now)) || store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "message.replied", arena_printf(&r->arena, "thread:%lld", (long long)id), "");
    if (r->api) reply_json(r, 201, json_pack("{s:I}", "id", (json_int_t)mid));
    else reply_redirect(r, arena_printf(&r->arena, "/messagerie/fils/%lld", (long long)id));
}

static void move(struct req *r)
{
    int64_t id = param_int(r, "id");
    if (!participant(r, id, NULL)) return;
    if (store_run(store_thread(), "UPDATE thread_participant SET folder = $3 WHERE thread_id = $1 AND person_id = $2", "iit", id,
                  r->actor->person_id, param(r, "dossier")) < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    reply_redirect(r, "/messagerie");
}

/* ---- Report a message; the head's moderation queue (R-SEC) ---------------- */

static void report(struct req *r)
{
    struct store *s = store_thread();
    int64_t mid = param_int(r, "id"), thread = 0, author = 0, est = 0;
    struct stmt *st = store_q(s, "SELECT m.thread_id, m.author_id, t.establishment_id FROM message m JOIN thread t ON t.id = m.thread_id"
                                 " WHERE m.id = $1", "i", mid);
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
    if (!participant(r, thread, NULL)) return;
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
        out(r, "<form method=\"post\" action=\"/etablissements/%I/moderation/%I\" class=\"inline-form\">", est, stmt_int(st, 0));
        page_csrf_input(r);
        out(r, "<button type=\"submit\" name=\"decision\" value=\"dismiss\">%h</button> "
               "<button type=\"submit\" name=\"decision\" value=\"remove\" class=\"danger\">%h</button></form></article>",
            tr(r, "messages.dismiss"), tr(r, "messages.remove"));
    }
    stmt_done(st);
    if (!n) out(r, "<p class=\"card\">%h</p>", tr(r, "messages.no_reports"));
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
    out(r, "<form method=\"post\" action=\"/etablissements/%I/messagerie\" class=\"stack\"><section class=\"card\"><h2>%h</h2><p>%h</p>"
           "<div class=\"scroll\"><table class=\"list\"><caption class=\"sr\">%h</caption><thead><tr><th scope=\"col\">%h</th>",
        est, tr(r, "messages.policy"), tr(r, "messages.policy_lead"), tr(r, "messages.policy"), tr(r, "messages.policy_from"));
    page_csrf_input(r);
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
    char suspended[64] = "";
    struct stmt *st = store_q(s, "SELECT value FROM establishment_setting WHERE establishment_id = $1 AND key = 'messages.suspended'", "i", est);
    if (st && stmt_step(st) == STORE_ROW) snprintf(suspended, sizeof suspended, ",%s,", stmt_text(st, 0));
    stmt_done(st);
    out(r, "</tbody></table></div></section><section class=\"card\"><h2>%h</h2><p>%h</p><fieldset><legend>%h</legend>",
        tr(r, "messages.kill_switch"), tr(r, "messages.kill_switch_lead"), tr(r, "messages.suspend_for"));
    for (size_t k = 0; k < NEDITABLE; k++) {
        const char *p = policy_profile_name(editable[k]);
        out(r, "<label class=\"check\"><input type=\"checkbox\" name=\"s_%d\" value=\"1\"%R> %h</label>", (int)editable[k],
            strstr(suspended, arena_printf(&r->arena, ",%s,", p)) ? " checked" : "", /* RAW_OK: literal */
            tr(r, arena_printf(&r->arena, "messages.from_profile.%s", p)));
    }
    out(r, "</fieldset></section><button type=\"submit\" class=\"primary\">%h</button></form>", tr(r, "log.save"));
    page_end(r);
}

static void settings_save(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, "id");
    char suspended[64] = "";
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
        store_commit(s) < 0)
        goto failed;
    audit(s, r, 0, "messages.settings", arena_printf(&r->arena, "establishment:%lld", (long long)est),
          arena_printf(&r->arena, "suspended: %s", *suspended ? suspended : "none"));
    reply_redirect(r, arena_printf(&r->arena, "/etablissements/%lld/messagerie?ok=1", (long long)est));
    return;
failed:
    store_rollback(s);
    reply_error(r, 503, tr(r, "err.unavailable"));
}

/* ---- JSON ----------------------------------------------------------------- */

static void api_threads(struct req *r)
{
    struct thread_row *v;
    size_t n = thread_list(r, param(r, "dossier") ? param(r, "dossier") : "inbox", &v);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:I,s:s,s:I,s:s,s:s,s:b}", "id", (json_int_t)v[i].id, "subject", v[i].subject,
                                           "last_message_at", (json_int_t)v[i].last_at, "last_author", v[i].last_author, "preview",
                                           v[i].preview, "unread", v[i].unread));
    reply_json(r, 200, json_pack("{s:I,s:o}", "unread", (json_int_t)messages_unread(store_thread(), r->actor->person_id), "threads", a));
}

static void api_thread(struct req *r)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id");
    const char *subject;
    if (!participant(r, id, &subject)) return;
    struct stmt *st = store_q(s, "SELECT m.id, m.author_id, p.first_name, p.last_name, m.body, m.created_at FROM message m"
                                 " JOIN person p ON p.id = m.author_id WHERE m.thread_id = $1 ORDER BY m.id", "i", id);
    json_t *msgs = json_array();
    int64_t last = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        last = stmt_int(st, 0);
        json_array_append_new(msgs, json_pack("{s:I,s:I,s:s,s:s,s:I}", "id", (json_int_t)last, "author_id", (json_int_t)stmt_int(st, 1),
                                              "author", arena_printf(&r->arena, "%s %s", stmt_text(st, 2), stmt_text(st, 3)), "body",
                                              stmt_text(st, 4), "created_at", (json_int_t)stmt_int(st, 5)));
    }
    stmt_done(st);
    store_run(s, "UPDATE thread_participant SET last_read_message_id = $3 WHERE thread_id = $1 AND person_id = $2"
                 " AND last_read_message_id < $3", "iii", id, r->actor->person_id, last);
    reply_json(r, 200, json_pack("{s:I,s:s,s:o}", "id", (json_int_t)id, "subject", subject, "messages", msgs));
}

#define SEND_PARAMS                                                                                          \
    {"to_", P_BOOL, SRC_BODY, .prefix = true, .label = "messages.to"},                                       \
        {"lp_", P_BOOL, SRC_BODY, .prefix = true, .label = "messages.lists"},                                 \
        {"lc_", P_BOOL, SRC_BODY, .prefix = true, .label = "messages.lists"},                                 \
        {"subject", P_LINE, SRC_BODY, .required = true, .maxlen = MESSAGE_SUBJECT_CHARS, .label = "messages.subject"}, \
        {"body", P_TEXT, SRC_BODY, .required = true, .maxlen = MESSAGE_BODY_CHARS, .label = "messages.body"}, {0}

const struct route messages_routes[] = {
    {.method = M_GET, .path = "/messagerie", .handler = folder_page, .action = ACT_MESSAGE_WRITE,
     .params = (const struct param_spec[]){{"dossier", P_ENUM, SRC_QUERY, .choices = folders}, {0}}},
    {.method = M_GET, .path = "/messagerie/nouveau", .handler = compose_page, .action = ACT_MESSAGE_WRITE,
     .params = (const struct param_spec[]){{"q", P_LINE, SRC_QUERY, .maxlen = 60}, {"a", P_ID, SRC_QUERY}, {0}}},
    {.method = M_POST, .path = "/messagerie/nouveau", .handler = send, .action = ACT_MESSAGE_WRITE,
     .params = (const struct param_spec[]){SEND_PARAMS}},
    {.method = M_GET, .path = "/messagerie/fils/{id}", .handler = thread_page, .action = ACT_MESSAGE_WRITE, .flags = ROUTE_GET_WRITES,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"signale", P_BOOL, SRC_QUERY}, {0}}},
    {.method = M_POST, .path = "/messagerie/fils/{id}/repondre", .handler = reply, .action = ACT_MESSAGE_WRITE,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"body", P_TEXT, SRC_BODY, .required = true, .maxlen = MESSAGE_BODY_CHARS, .label = "messages.body"},
                                           {0}}},
    {.method = M_POST, .path = "/messagerie/fils/{id}/dossier", .handler = move, .action = ACT_MESSAGE_WRITE,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"dossier", P_ENUM, SRC_BODY, .required = true, .choices = moves}, {0}}},
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
    {.method = M_GET, .path = "/etablissements/{id}/messagerie", .handler = settings_page, .action = ACT_ESTABLISHMENT_SETTINGS, .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"ok", P_BOOL, SRC_QUERY}, {0}}},
    {.method = M_POST, .path = "/etablissements/{id}/messagerie", .handler = settings_save, .action = ACT_ESTABLISHMENT_SETTINGS, .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"r_", P_BOOL, SRC_BODY, .prefix = true}, {"s_", P_BOOL, SRC_BODY, .prefix = true}, {0}}},
    {.method = M_GET, .path = "/api/v1/threads", .handler = api_threads, .action = ACT_MESSAGE_WRITE, .flags = ROUTE_API,
     .params = (const struct param_spec[]){{"dossier", P_ENUM, SRC_QUERY, .choices = folders}, {0}}},
    {.method = M_POST, .path = "/api/v1/threads", .handler = send, .action = ACT_MESSAGE_WRITE, .flags = ROUTE_API,
     .params = (const struct param_spec[]){SEND_PARAMS}},
    {.method = M_GET, .path = "/api/v1/threads/{id}", .handler = api_thread, .action = ACT_MESSAGE_WRITE,
     .flags = ROUTE_API | ROUTE_GET_WRITES, .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_POST, .path = "/api/v1/threads/{id}/messages", .handler = reply, .action = ACT_MESSAGE_WRITE, .flags = ROUTE_API,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"body", P_TEXT, SRC_BODY, .required = true, .maxlen = MESSAGE_BODY_CHARS}, {0}}},
    {0}};
