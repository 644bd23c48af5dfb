/* messages.c — reading: folders, a thread, answers, read state, unread
 * counts, and the JSON of threads. Writing a new message is compose.c;
 * reports, holds and the head's settings are moderation.c. */
#include "internal.h"
#include "reps.h"
#include "search.h"
#include "../files/files.h"
#include "../persons/persons.h"
#include "../../core/audit.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/page.h"
#include "../../policy/diffusion.h"
#include "../../policy/policy.h"
#include "../../store/store.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MESSAGES_PAGE 50            /* threads listed per folder */

static const char *const folders[] = {"inbox", "sent", "drafts", "archive", "trash", NULL};
static const char *const moves[] = {"inbox", "archive", "trash", NULL};
static const char *const actions[] = {"send", "draft", NULL};

int64_t messages_unread(struct store *s, int64_t person) { return messages_unread_read(messages_unread_ask(s, person)); }

struct stmt *messages_unread_ask(struct store *s, int64_t person)
{
    return store_q_ahead(s,
        "SELECT count(*) FROM thread_participant tp WHERE tp.person_id = $1 AND tp.folder = 'inbox' AND tp.first_in_at <= $2"
        " AND EXISTS (SELECT 1 FROM message m WHERE m.thread_id = tp.thread_id AND m.id > tp.last_read_message_id"
        " AND m.author_id <> $1 AND m.state = 'sent' AND m.visible_at <= $2)", "ii", person, clock_now());
}

int64_t messages_unread_read(struct stmt *st)
{
    int64_t n = st && stmt_step(st) == STORE_ROW ? stmt_int(st, 0) : 0;
    stmt_done(st);
    return n;
}

/* ---- Folders ------------------------------------------------------------ */

struct thread_row {
    int64_t id, last_at;
    const char *subject, *last_author, *preview;
    bool unread, held;
};

/* A folder: the inbox holds the threads where someone else's message has
 * reached the actor (a message sent to a list is not in its author's inbox
 * until someone answers); "sent" the threads the actor started (a list's
 * message once); archive and trash what the actor put there. The 50 most
 * recent are chosen first, from an index, then described. */
#define FOLDER_ROWS(pick)                                                                                           \
    "SELECT t.id, t.subject, t.last_message_at, p.first_name, p.last_name, substr(m.body, 1, 140),"                 \
    " (m.id > x.last_read AND m.author_id <> $1), m.state = 'held'"                                                   \
    " FROM (" pick ") x JOIN thread t ON t.id = x.thread_id"                                                          \
    " JOIN message m ON m.id = (SELECT max(m.id) FROM message m WHERE m.thread_id = t.id AND " MSG_VISIBLE("$1", "$4") ")" \
    " JOIN person p ON p.id = m.author_id ORDER BY t.last_message_at DESC, t.id DESC"

static const char *const q_inbox = FOLDER_ROWS(
    "SELECT tp.thread_id, tp.last_read_message_id AS last_read FROM thread_participant tp JOIN thread t ON t.id = tp.thread_id"
    " WHERE tp.person_id = $1 AND tp.folder = $2 AND tp.first_in_at <= $4 ORDER BY t.last_message_at DESC, t.id DESC LIMIT $3");
static const char *const q_filed = FOLDER_ROWS(
    "SELECT tp.thread_id, tp.last_read_message_id AS last_read FROM thread_participant tp JOIN thread t ON t.id = tp.thread_id"
    " WHERE tp.person_id = $1 AND tp.folder = $2 ORDER BY t.last_message_at DESC, t.id DESC LIMIT $3");
static const char *const q_sent = FOLDER_ROWS(
    "SELECT t.id AS thread_id, tp.last_read_message_id AS last_read FROM thread t JOIN thread_participant tp ON tp.thread_id = t.id"
    " AND tp.person_id = $1 WHERE t.created_by = $1 AND (t.broadcast_id IS NULL OR t.broadcast_id = id) AND tp.folder <> 'trash'"
    " AND $2 = 'sent' AND EXISTS (SELECT 1 FROM message m WHERE m.thread_id = t.id AND m.state <> 'draft')"
    " ORDER BY t.last_message_at DESC, t.id DESC LIMIT $3");

static const char *const q_drafts =
    "SELECT m.id, t.subject, m.created_at, substr(m.body, 1, 140), m.thread_id,"
    " EXISTS (SELECT 1 FROM message o WHERE o.thread_id = m.thread_id AND o.state <> 'draft')"
    " FROM message m JOIN thread t ON t.id = m.thread_id WHERE m.author_id = $1 AND m.state = 'draft'"
    " ORDER BY m.created_at DESC LIMIT $2";

static size_t thread_list(struct req *r, const char *folder, struct thread_row **out)
{
    struct store *s = store_thread();
    const char *q = !strcmp(folder, "inbox") ? q_inbox : !strcmp(folder, "sent") ? q_sent : q_filed;
    struct stmt *st = store_q(s, q, "itii", r->actor->person_id, folder, (int64_t)MESSAGES_PAGE, clock_now());
    size_t n = 0, cap = 0;
    struct thread_row *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n++] = (struct thread_row){stmt_int(st, 0), stmt_int(st, 2), arena_strdup(&r->arena, stmt_text(st, 1)),
                                     arena_printf(&r->arena, "%s %s", stmt_text(st, 3), stmt_text(st, 4)),
                                     arena_strdup(&r->arena, stmt_text(st, 5)), stmt_int(st, 6) != 0, stmt_int(st, 7) != 0};
    }
    stmt_done(st);
    *out = v;
    return n;
}

/* Where a draft opens: the compose page, or its thread's answer box. */
static const char *draft_link(struct req *r, int64_t draft, int64_t thread, bool answer)
{
    return answer ? arena_printf(&r->arena, "/messagerie/fils/%lld#reponse", (long long)thread)
                  : arena_printf(&r->arena, "/messagerie/nouveau?brouillon=%lld", (long long)draft);
}

static void drafts_list(struct req *r)
{
    struct stmt *st = store_q(store_thread(), q_drafts, "ii", r->actor->person_id, (int64_t)MESSAGES_PAGE);
    int n = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        if (!n++) out(r, "<ul class=\"plain editable threads\">");
        const char *subject = *stmt_text(st, 1) ? stmt_text(st, 1) : tr(r, "messages.no_subject");
        out(r, "<li><p><a href=\"%h\">%h</a> <span class=\"meta\">— %h</span></p>"
               "<p class=\"meta\">%h</p>",
            draft_link(r, stmt_int(st, 0), stmt_int(st, 4), stmt_int(st, 5) != 0), subject, page_datetime(r, stmt_int(st, 2)),
            stmt_text(st, 3));
        out(r, "<form method=\"post\" action=\"/messagerie/brouillons/%I/supprimer\""
               " class=\"inline-form\">", stmt_int(st, 0));
        page_csrf_input(r);
        out(r, "<button type=\"submit\" class=\"danger\">%h<span class=\"sr\"> : %h</span></button>"
               "</form></li>", tr(r, "messages.delete_draft"), subject);
    }
    stmt_done(st);
    if (n) out(r, "</ul>");
    else out(r, "<p class=\"meta\">%h</p>", tr(r, "messages.empty"));
}

static void folder_page(struct req *r)
{
    const char *folder = param(r, "dossier") ? param(r, "dossier") : "inbox";
    page_begin(r, tr(r, "messages.title"));
    out(r, "<h1>%h</h1><p class=\"row\"><a class=\"button primary\" href=\"/messagerie/nouveau\">%h</a>", tr(r, "messages.title"),
        tr(r, "messages.compose"));
    reps_compose_link(r);
    out(r, "</p>");
    messages_search_form(r, NULL);
    out(r, "<nav class=\"switcher wrap\" aria-label=\"%h\"><ul>", tr(r, "messages.folders"));
    for (const char *const *f = folders; *f; f++)
        out(r, "<li><a href=\"/messagerie?dossier=%h\"%R>%h</a></li>", *f, !strcmp(*f, folder) ? " aria-current=\"page\"" : "", /* RAW_OK: literal */
            tr(r, arena_printf(&r->arena, "messages.folder.%s", *f)));
    out(r, "</ul></nav><section class=\"card\"><h2>%h</h2>", tr(r, arena_printf(&r->arena, "messages.folder.%s", folder)));
    if (param_bool(r, "supprime"))
        out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr(r, "messages.draft_deleted"));
    if (!strcmp(folder, "drafts")) {
        drafts_list(r);
    } else {
        struct thread_row *v;
        size_t n = thread_list(r, folder, &v);
        if (!n) out(r, "<p class=\"meta\">%h</p>", tr(r, "messages.empty"));
        else out(r, "<ul class=\"plain editable threads\">");
        for (size_t i = 0; i < n; i++) {
            out(r, "<li%R><p><a href=\"/messagerie/fils/%I\">%R%h%R</a> <span class=\"meta\">— %h, %h</span>",
                v[i].unread ? " class=\"unread\"" : "", v[i].id, v[i].unread ? "<strong>" : "", v[i].subject, /* RAW_OK: literal tags */
                v[i].unread ? "</strong>" : "", v[i].last_author, page_datetime(r, v[i].last_at)); /* RAW_OK: literal tags */
            if (v[i].held) out(r, " <span class=\"badge warn\">%h</span>", tr(r, "messages.held_badge"));
            out(r, "</p><p class=\"meta\">%h</p></li>", v[i].preview);
        }
        if (n) out(r, "</ul>");
    }
    out(r, "</section>");
    page_end(r);
}

/* ---- A thread ------------------------------------------------------------- */

struct thread_info {
    const char *subject, *kind;
    int64_t created_by, broadcast_id, establishment;
};

static bool thread_of(struct req *r, int64_t thread, struct thread_info *ti)
{
    struct stmt *st = store_q(store_thread(), "SELECT t.subject, t.kind, t.created_by, coalesce(t.broadcast_id, 0), t.establishment_id"
                                              " FROM thread t JOIN thread_participant tp ON tp.thread_id = t.id"
                                              " WHERE t.id = $1 AND tp.person_id = $2 AND EXISTS (SELECT 1 FROM message m"
                                              " WHERE m.thread_id = t.id AND " MSG_VISIBLE("$2", "$3") ")", "iii", thread, r->actor->person_id,
                              clock_now());
    bool ok = st && stmt_step(st) == STORE_ROW;
    if (ok && ti)
        *ti = (struct thread_info){arena_strdup(&r->arena, stmt_text(st, 0)), arena_strdup(&r->arena, stmt_text(st, 1)), stmt_int(st, 2),
                                   stmt_int(st, 3), stmt_int(st, 4)};
    stmt_done(st);
    if (!ok) {
        /* A thread whose messages the actor may not see yet does not exist for them. */
        int64_t exists = 0;
        store_int(store_thread(), &exists, "SELECT count(*) FROM thread t WHERE t.id = $1 AND EXISTS (SELECT 1 FROM message m"
                                           " WHERE m.thread_id = t.id AND m.state = 'sent' AND m.visible_at <= $2)", "ii", thread, clock_now());
        reply_error(r, exists ? 403 : 404, tr(r, exists ? "messages.err.not_participant" : "err.not_found"));
    }
    return ok;
}

bool messages_participant(struct req *r, int64_t thread, const char **subject)
{
    struct thread_info ti;
    if (!thread_of(r, thread, &ti)) return false;
    if (subject) *subject = ti.subject;
    return true;
}

int64_t messages_readable(struct req *r, int64_t message)
{
    int64_t thread = 0;
    store_int(store_thread(), &thread,
              "SELECT m.thread_id FROM message m JOIN thread_participant tp ON tp.thread_id = m.thread_id AND tp.person_id = $2"
              " WHERE m.id = $1 AND " MSG_VISIBLE("$2", "$3"), "iii", message, r->actor->person_id, clock_now());
    return thread;
}

/* May the actor answer in this thread? When someone else has written in
 * it (they wrote to the actor), or when the communication policy still
 * lets the actor write to one of the others (it may have changed since
 * the actor started it). */
static bool may_answer(struct req *r, int64_t thread)
{
    struct store *s = store_thread();
    int64_t others = 0;
    store_int(s, &others, "SELECT count(*) FROM message m WHERE m.thread_id = $1 AND m.author_id <> $2 AND m.state = 'sent'"
                          " AND m.visible_at <= $3", "iii", thread, r->actor->person_id, clock_now());
    if (others) return true;
    struct stmt *st = store_q(s, "SELECT person_id FROM thread_participant WHERE thread_id = $1 AND person_id <> $2", "ii", thread,
                              r->actor->person_id);
    int64_t ids[64];
    size_t n = 0;
    while (st && stmt_step(st) == STORE_ROW && n < 64) ids[n++] = stmt_int(st, 0);
    stmt_done(st);
    for (size_t i = 0; i < n; i++)
        if (policy_message_establishment(s, r->actor, ids[i])) return true;
    return false;
}

/* Who is in the thread, as its reader may know it. A message to a list is
 * one private thread per member: its author sees how many received it
 * (and, for staff lists, who); a parent representative never sees who
 * received their message, only those who answered. */
static void participants_line(struct req *r, int64_t id, const struct thread_info *ti)
{
    struct store *s = store_thread();
    int64_t me = r->actor->person_id;
    bool rep = !strcmp(ti->kind, "rep") && ti->created_by == me;
    if (ti->broadcast_id == id && ti->created_by == me) {
        int64_t n = 0;
        store_int(s, &n, "SELECT count(*) FROM thread WHERE broadcast_id = $1", "i", id);
        out(r, "<p class=\"meta\">%h</p>", tr_fmt(r, rep ? "messages.sent_to_count_rep" : "messages.sent_to_count",
                                               arena_printf(&r->arena, "%lld", (long long)n), NULL));
        if (rep) return;
        struct stmt *st = store_q(s, "SELECT p.first_name, p.last_name FROM thread t JOIN thread_participant tp ON tp.thread_id = t.id"
                                     " JOIN person p ON p.id = tp.person_id WHERE t.broadcast_id = $1 AND tp.person_id <> $2"
                                     " ORDER BY p.last_name, p.first_name", "ii", id, me);
        out(r, "<details><summary>%h</summary><p class=\"meta\">", tr(r, "messages.recipients_list"));
        int k = 0;
        while (st && stmt_step(st) == STORE_ROW) out(r, "%R%h %h", k++ ? ", " : "", stmt_text(st, 0), stmt_text(st, 1)); /* RAW_OK: literal */
        stmt_done(st);
        out(r, "</p></details>");
        return;
    }
    static const char *const q_all = "SELECT p.first_name, p.last_name FROM thread_participant tp JOIN person p ON p.id = tp.person_id"
                                      " WHERE tp.thread_id = $1 AND $2 = $2 ORDER BY p.last_name";
    static const char *const q_writers = "SELECT p.first_name, p.last_name FROM thread_participant tp JOIN person p ON p.id = tp.person_id"
                                          " WHERE tp.thread_id = $1 AND (tp.person_id = $2 OR EXISTS (SELECT 1 FROM message m"
                                          " WHERE m.thread_id = $1 AND m.author_id = tp.person_id AND m.state = 'sent')) ORDER BY p.last_name";
    struct stmt *st = store_q(s, rep ? q_writers : q_all, "ii", id, me);
    out(r, "<p class=\"meta\">%h ", tr(r, "messages.between"));
    int k = 0;
    while (st && stmt_step(st) == STORE_ROW) out(r, "%R%h %h", k++ ? ", " : "", stmt_text(st, 0), stmt_text(st, 1)); /* RAW_OK: literal */
    stmt_done(st);
    out(r, "</p>");
}

struct msg {
    int64_t id, at, author_id, visible_at;
    const char *author, *body, *state;
};

static size_t thread_messages(struct req *r, int64_t id, struct msg **out)
{
    struct stmt *st = store_q(store_thread(),
        "SELECT m.id, p.first_name, p.last_name, m.body, m.created_at, m.author_id, m.state, coalesce(m.visible_at, 0) FROM message m"
        " JOIN person p ON p.id = m.author_id WHERE m.thread_id = $1 AND " MSG_VISIBLE("$2", "$3") " ORDER BY m.id",
        "iii", id, r->actor->person_id, clock_now());
    struct msg *v = NULL;
    size_t n = 0, cap = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n++] = (struct msg){stmt_int(st, 0), stmt_int(st, 4), stmt_int(st, 5), stmt_int(st, 7),
                              arena_printf(&r->arena, "%s %s", stmt_text(st, 1), stmt_text(st, 2)), arena_strdup(&r->arena, stmt_text(st, 3)),
                              arena_strdup(&r->arena, stmt_text(st, 6))};
    }
    stmt_done(st);
    *out = v;
    return n;
}

static void mark_read(struct req *r, int64_t thread, int64_t last)
{
    if (last)
        store_run(store_thread(), "UPDATE thread_participant SET last_read_message_id = $3 WHERE thread_id = $1 AND person_id = $2"
                                  " AND last_read_message_id < $3", "iii", thread, r->actor->person_id, last);
}

/* Is url of this server's origin (its host and port are the Host header)? */
static bool our_origin(struct req *r, const char *url)
{
    const char *host = req_header(r, "Host"), *o = strstr(url, "://");
    if (!host || !o) return false;
    o += 3;
    size_t n = strcspn(o, "/?#");
    return n == strlen(host) && !strncasecmp(o, host, n);
}

/* Review #8: does opening the thread mark it read? A GET must not change
 * state for another site: a link elsewhere (a cross-site navigation
 * carries the session cookie, SameSite=Lax) would clear a parent's unread
 * marker. Marked when the browser says the navigation is ours
 * (Sec-Fetch-Site "same-origin") or the person's own ("none": typed,
 * bookmark, a mail application); never for a prefetch. Without
 * Sec-Fetch-Site (browsers before 2023 for Safari), a Referer must be ours
 * (our pages send it to us: Referrer-Policy same-origin); and with neither
 * header, the page is not marked (the person marks it with the button),
 * while the API is (its clients are programs, which send neither; a link
 * from another site in such an old browser that also hides the Referer is
 * what remains). The explicit way: POST …/lu, …/read. */
static bool opened_here(struct req *r)
{
    const char *purpose = req_header(r, "Sec-Purpose");
    if (!purpose) purpose = req_header(r, "Purpose");
    if (purpose && strstr(purpose, "prefetch")) return false;
    const char *site = req_header(r, "Sec-Fetch-Site");
    if (site) return !strcasecmp(site, "same-origin") || !strcasecmp(site, "none");
    const char *referer = req_header(r, "Referer");
    if (referer && *referer) return our_origin(r, referer);
    return r->api;
}

/* The thread page: also after an answer was refused (error, said in the
 * answer box with the text typed kept). open: opening it marks it read;
 * otherwise what is unread stays so, with a button to mark it. */
static void thread_render(struct req *r, const char *error, bool open)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id"), me = r->actor->person_id;
    struct thread_info ti;
    /* Read in one snapshot (one lock, not one per query); the read mark is
     * written after it. */
    bool snapshot = store_begin_read(s) == 0;
    if (!thread_of(r, id, &ti)) {
        if (snapshot) store_end_read(s);
        return;
    }
    page_begin(r, ti.subject);
    out(r, "<h1>%h</h1>", ti.subject);
    participants_line(r, id, &ti);
    if (param_bool(r, "signale")) out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr(r, "messages.reported"));
    if (param_bool(r, "retenu")) out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr(r, "messages.held_notice"));
    struct msg *v;
    size_t n = thread_messages(r, id, &v);
    int64_t people = 0, last = 0, last_read = 0;
    bool unread = false;
    store_int(s, &people, "SELECT count(*) FROM thread_participant WHERE thread_id = $1", "i", id);
    store_int(s, &last_read, "SELECT last_read_message_id FROM thread_participant"
                             " WHERE thread_id = $1 AND person_id = $2", "ii", id, me);
    for (size_t i = 0; i < n; i++) {
        out(r, "<article class=\"card message\" id=\"m%I\"><p class=\"meta\"><strong>%h</strong> — %h", v[i].id, v[i].author,
            page_datetime(r, v[i].at));
        if (strcmp(v[i].state, "sent"))
            out(r, " <span class=\"badge warn\">%h</span>", tr(r, !strcmp(v[i].state, "held") ? "messages.held_badge" : "messages.rejected_badge"));
        else if (v[i].visible_at > clock_now())
            out(r, " <span class=\"badge\">%h</span>", tr_fmt(r, "messages.scheduled_badge",
                page_moment(r, v[i].visible_at, diffusion_load(s, &r->arena, ti.establishment)->tz), NULL));
        out(r, "</p>");
        page_markdown(r, v[i].body);
        files_links(r, "message", v[i].id);
        out(r, "<p class=\"row actions\"><a href=\"/messagerie/nouveau?transferer=%I\">%h</a>", v[i].id, tr(r, "messages.forward"));
        if (v[i].author_id != me && people > 2)
            out(r, " <a href=\"/messagerie/nouveau?repondre=%I\">%h</a>", v[i].id, tr_fmt(r, "messages.reply_author", v[i].author, NULL));
        out(r, "</p>");
        if (v[i].author_id != me) {
            out(r, "<details class=\"report\"><summary>%h</summary><form method=\"post\" action=\"/messagerie/messages/%I/signaler\" "
                   "class=\"stack\">", tr(r, "messages.report"), v[i].id);
            page_csrf_input(r);
            out(r, "<label for=\"why-%I\">%h</label><input id=\"why-%I\" name=\"motif\" maxlength=\"200\">"
                   "<button type=\"submit\" class=\"danger\">%h</button></form></details>",
                v[i].id, tr(r, "messages.report_why"), v[i].id, tr(r, "messages.report_send"));
        }
        out(r, "</article>");
        if (!strcmp(v[i].state, "sent")) {
            last = v[i].id;
            unread |= v[i].author_id != me && v[i].id > last_read;
        }
    }
    if (snapshot) store_end_read(s);
    if (open) {
        mark_read(r, id, last);
    } else if (unread) {
        /* Review #8: read on the person's word, a POST of this page. */
        out(r, "<form method=\"post\" action=\"/messagerie/fils/%I/lu\" class=\"inline-form card\">"
               "<p class=\"meta\">%h</p>", id, tr(r, "messages.unread_kept"));
        page_csrf_input(r);
        out(r, "<input type=\"hidden\" name=\"jusqua\" value=\"%I\">"
               "<button type=\"submit\">%h</button></form>", last, tr(r, "messages.mark_read"));
    }
    if (ti.broadcast_id == id && ti.created_by == me) {
        out(r, "<p class=\"card meta\">%h</p>", tr(r, "messages.broadcast_answers"));
    } else {
        int64_t draft = 0;
        const char *draft_body = "";
        struct stmt *st = store_q(s, "SELECT id, body FROM message WHERE thread_id = $1 AND author_id = $2 AND state = 'draft'", "ii", id, me);
        if (st && stmt_step(st) == STORE_ROW) {
            draft = stmt_int(st, 0);
            draft_body = arena_strdup(&r->arena, stmt_text(st, 1));
        }
        stmt_done(st);
        if (error && param(r, "body")) draft_body = param(r, "body");
        out(r, "<form method=\"post\" action=\"/messagerie/fils/%I/repondre\" class=\"stack card\" enctype=\"multipart/form-data\" id=\"reponse\">",
            id);
        page_csrf_input(r);
        if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
        if (param_bool(r, "enregistre")) out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr(r, "messages.draft_saved"));
        messages_quiet_notice(r, ti.establishment);
        out(r, "<label for=\"body\">%h</label><textarea id=\"body\" name=\"body\" rows=\"5\" maxlength=\"10000\">%h</textarea>",
            tr(r, "messages.reply"), draft_body);
        if (draft) files_links(r, "message", draft);
        messages_form_end(r, tr(r, "messages.send_reply"));
    }
    out(r, "<form method=\"post\" action=\"/messagerie/fils/%I/dossier\" class=\"inline-form\">", id);
    page_csrf_input(r);
    out(r, "<button type=\"submit\" name=\"dossier\" value=\"archive\">%h</button> <button type=\"submit\" name=\"dossier\" "
           "value=\"trash\" class=\"danger\">%h</button></form><p><a href=\"/messagerie\">%h</a></p>",
        tr(r, "messages.archive"), tr(r, "messages.trash"), tr(r, "messages.back"));
    page_end(r);
}

static void thread_page(struct req *r) { thread_render(r, NULL, opened_here(r)); }

/* An answer refused: the JSON error, or the thread again with the reason
 * in its answer box. */
static void reply_fail(struct req *r, int status, const char *msg)
{
    if (r->api || status == 503) {
        reply_error(r, status, msg);
        return;
    }
    r->status = status;
    thread_render(r, msg, false);
}

/* Mark the thread read up to its latest message (or "jusqua", the latest
 * one the page showed, when earlier): the explicit way (review #8). */
static void read_thread(struct req *r)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id"), me = r->actor->person_id, upto = param_int(r, "jusqua");
    int64_t last = 0, left = 0;
    if (!thread_of(r, id, NULL)) return;
    store_int(s, &last, "SELECT coalesce(max(m.id), 0) FROM message m"
                        " WHERE m.thread_id = $1 AND m.state = 'sent' AND " MSG_VISIBLE("$2", "$3"),
              "iii", id, me, clock_now());
    if (upto && upto < last) last = upto;
    mark_read(r, id, last);
    if (!r->api) {
        reply_redirect(r, arena_printf(&r->arena, "/messagerie/fils/%lld", (long long)id));
        return;
    }
    store_int(s, &left, "SELECT count(*) FROM message m JOIN thread_participant tp"
                        " ON tp.thread_id = m.thread_id AND tp.person_id = $2"
                        " WHERE m.thread_id = $1 AND m.id > tp.last_read_message_id"
                        " AND m.author_id <> $2 AND m.state = 'sent' AND m.visible_at <= $3",
              "iii", id, me, clock_now());
    reply_json(r, 200, json_pack("{s:I,s:b,s:I}", "id", (json_int_t)id, "read", left == 0, "unread",
                                 (json_int_t)messages_unread(s, me)));
}

/* The actor's draft answer in thread into *draft (0: none); -1 on a store
 * error. */
static int answer_draft(struct store *s, int64_t thread, int64_t me, int64_t *draft)
{
    return store_int(s, draft, "SELECT id FROM message"
                               " WHERE thread_id = $1 AND author_id = $2 AND state = 'draft'",
                     "ii", thread, me);
}

/* Save an answer as a draft of this thread (one per person and thread). */
static void save_answer_draft(struct req *r, int64_t thread, const struct upload *const *files, size_t nfiles)
{
    struct store *s = store_thread();
    int64_t me = r->actor->person_id, now = clock_now(), draft = 0;
    const char *body = param(r, "body") ? param(r, "body") : "";
    if (store_begin(s) < 0) goto failed;
    /* Read again in the transaction, which messages_draft_room locks for
     * the actor: what the draft already holds counts. */
    if (answer_draft(s, thread, me, &draft) < 0) goto failed;
    int status = 0;
    const char *full = messages_draft_room(r, draft, 0, files, nfiles, &status);
    if (full) {
        store_rollback(s);
        reply_fail(r, status, full);
        return;
    }
    if (draft ? store_run(s, "UPDATE message SET body = $2, created_at = $3 WHERE id = $1", "iti", draft, body, now) < 0
              : store_int(s, &draft, "INSERT INTO message (thread_id, author_id, body, created_at, state) VALUES ($1, $2, $3, $4, 'draft')"
                                     " RETURNING id", "iiti", thread, me, body, now) != 1)
        goto failed;
    for (size_t f = 0; f < nfiles; f++)
        if (!files_attach(r, files[f], "message", draft)) goto failed;
    if (store_commit(s) < 0) goto failed;
    if (r->api) reply_json(r, 201, json_pack("{s:I}", "draft", (json_int_t)draft));
    else reply_redirect(r, arena_printf(&r->arena, "/messagerie/fils/%lld?enregistre=1#reponse", (long long)thread));
    return;
failed:
    store_rollback(s);
    reply_error(r, 503, tr(r, "err.unavailable"));
}

static void reply(struct req *r)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id"), me = r->actor->person_id;
    struct thread_info ti;
    if (!thread_of(r, id, &ti)) return;
    const struct upload *const *files;
    size_t nfiles;
    const char *bad = messages_uploads(r, &files, &nfiles);
    if (bad) {
        reply_fail(r, 400, bad);
        return;
    }
    if (param(r, "action") && !strcmp(param(r, "action"), "draft")) {
        save_answer_draft(r, id, files, nfiles);
        return;
    }
    if (!param(r, "body") || !*param(r, "body")) {
        reply_error(r, 400, tr(r, "messages.err.body"));
        return;
    }
    if (ti.broadcast_id == id && ti.created_by == me) {
        reply_error(r, 400, tr(r, "messages.broadcast_answers"));
        return;
    }
    if (!policy_messaging_open(s, r->actor, ti.establishment)) {
        reply_error(r, 403, tr(r, "messages.err.suspended"));
        return;
    }
    if (!may_answer(r, id)) {
        reply_error(r, 403, tr(r, "messages.err.answer_closed"));
        return;
    }
    const char *limit = messages_limit_reached(r, ti.establishment, false, 0);
    if (limit) {
        reply_error(r, 429, limit);
        return;
    }
    int64_t now = clock_now(), mid = 0, draft = 0;
    int64_t *others;
    size_t nothers = messages_ids(r, store_q(s, "SELECT person_id FROM thread_participant WHERE thread_id = $1 AND person_id <> $2", "ii", id, me),
                                  &others);
    int64_t visible = messages_delivery_time(r, ti.establishment, others, nothers, now);
    if (store_begin(s) < 0 ||
        answer_draft(s, id, me, &draft) < 0 ||
        store_int(s, &mid, "INSERT INTO message (thread_id, author_id, body, created_at, visible_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                  "iitii", id, me, param(r, "body"), now, visible) != 1)
        goto failed;
    for (size_t f = 0; f < nfiles; f++)
        if (!files_attach(r, files[f], "message", mid)) goto failed;
    if (draft && messages_draft_consume(r, draft, mid) < 0) goto failed;
    if (draft) {
        /* Review #2: the draft's files count with those sent with it. */
        int status = 0;
        const char *over = messages_files_over(r, mid, &status);
        if (over) {
            store_rollback(s);
            reply_fail(r, status, over);
            return;
        }
    }
    /* The thread's updates go to the database together (store_run_later):
     * an error fails the commit. */
    if (store_run_later(s, "UPDATE thread SET last_message_at = $2 WHERE id = $1", "ii", id, now)
            < 0 ||
        store_run_later(s, "UPDATE thread_participant SET last_read_message_id = $3, folder = 'inbox' WHERE thread_id = $1 AND person_id = $2",
                        "iii", id, me, mid) < 0 ||
        store_run_later(s, "UPDATE thread_participant SET folder = 'inbox' WHERE thread_id = $1 AND folder = 'archive'", "i", id) < 0 ||
        store_run_later(s, "UPDATE thread_participant SET first_in_at = $3 WHERE thread_id = $1 AND person_id <> $2 AND first_in_at IS NULL",
                        "iii", id, me, visible) < 0 ||
        messages_notify(r, messages_author_name(r), ti.establishment, id, mid, others, nothers, ti.subject, visible, true) < 0 ||
        store_commit(s) < 0)
        goto failed;
    audit(s, r, 0, "message.replied", arena_printf(&r->arena, "thread:%lld", (long long)id), "");
    if (r->api) reply_json(r, 201, json_pack("{s:I}", "id", (json_int_t)mid));
    else reply_redirect(r, arena_printf(&r->arena, "/messagerie/fils/%lld#m%lld", (long long)id, (long long)mid));
    return;
failed:
    store_rollback(s);
    reply_error(r, 503, tr(r, "err.unavailable"));
}

static void move(struct req *r)
{
    int64_t id = param_int(r, "id");
    if (!thread_of(r, id, NULL)) return;
    if (store_run(store_thread(), "UPDATE thread_participant SET folder = $3 WHERE thread_id = $1 AND person_id = $2", "iit", id,
                  r->actor->person_id, param(r, "dossier")) < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    reply_redirect(r, "/messagerie");
}

/* ---- JSON ----------------------------------------------------------------- */

static void api_threads(struct req *r)
{
    const char *folder = param(r, "dossier") ? param(r, "dossier") : "inbox";
    json_t *a = json_array();
    if (!strcmp(folder, "drafts")) {
        struct stmt *st = store_q(store_thread(), q_drafts, "ii", r->actor->person_id, (int64_t)MESSAGES_PAGE);
        while (st && stmt_step(st) == STORE_ROW)
            json_array_append_new(a, json_pack("{s:I,s:I,s:s,s:I,s:s,s:b}", "draft_id", (json_int_t)stmt_int(st, 0), "thread_id",
                                               (json_int_t)stmt_int(st, 4), "subject", stmt_text(st, 1), "saved_at",
                                               (json_int_t)stmt_int(st, 2), "preview", stmt_text(st, 3), "answer", stmt_int(st, 5) != 0));
        stmt_done(st);
    } else {
        struct thread_row *v;
        size_t n = thread_list(r, folder, &v);
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, json_pack("{s:I,s:s,s:I,s:s,s:s,s:b,s:b}", "id", (json_int_t)v[i].id, "subject", v[i].subject,
                                               "last_message_at", (json_int_t)v[i].last_at, "last_author", v[i].last_author, "preview",
                                               v[i].preview, "unread", v[i].unread, "held", v[i].held));
    }
    reply_json(r, 200, json_pack("{s:I,s:o}", "unread", (json_int_t)messages_unread(store_thread(), r->actor->person_id), "threads", a));
}

static void api_thread(struct req *r)
{
    int64_t id = param_int(r, "id");
    struct thread_info ti;
    if (!thread_of(r, id, &ti)) return;
    struct msg *v;
    size_t n = thread_messages(r, id, &v);
    json_t *msgs = json_array();
    int64_t last = 0;
    for (size_t i = 0; i < n; i++) {
        struct attachment_ref *f;
        size_t nf = files_list(store_thread(), &r->arena, "message", v[i].id, &f);
        json_t *files = json_array();
        for (size_t k = 0; k < nf; k++)
            json_array_append_new(files, json_pack("{s:I,s:s,s:s,s:I,s:s}", "id", (json_int_t)f[k].id, "name", f[k].name, "type", f[k].mime,
                                                   "size", (json_int_t)f[k].size, "url",
                                                   arena_printf(&r->arena, "/pieces-jointes/%lld/", (long long)f[k].id)));
        json_array_append_new(msgs, json_pack("{s:I,s:I,s:s,s:s,s:I,s:s,s:o}", "id", (json_int_t)v[i].id, "author_id", (json_int_t)v[i].author_id,
                                              "author", v[i].author, "body", v[i].body, "created_at", (json_int_t)v[i].at, "state", v[i].state,
                                              "attachments", files));
        if (!strcmp(v[i].state, "sent")) last = v[i].id;
    }
    bool open = opened_here(r);
    if (open) mark_read(r, id, last);
    reply_json(r, 200, json_pack("{s:I,s:s,s:s,s:o,s:b}", "id", (json_int_t)id, "subject",
                                 ti.subject, "kind", ti.kind, "messages", msgs, "marked_read",
                                 open && last));
}

#define ANSWER_PARAMS                                                                                      \
    {"id", P_ID, SRC_PATH, .required = true}, {"body", P_TEXT, SRC_BODY, .maxlen = MESSAGE_BODY_CHARS, .label = "messages.body"}, \
        {"action", P_ENUM, SRC_BODY, .choices = actions}, {0}
#define READ_PARAMS {"id", P_ID, SRC_PATH, .required = true}, {"jusqua", P_ID, SRC_BODY}, {0}

const struct route messages_routes[] = {
    {.method = M_GET, .path = "/messagerie", .handler = folder_page, .action = ACT_MESSAGE_WRITE,
     .params = (const struct param_spec[]){{"dossier", P_ENUM, SRC_QUERY, .choices = folders},
                                           {"supprime", P_BOOL, SRC_QUERY}, {0}}},
    {.method = M_GET, .path = "/messagerie/fils/{id}", .handler = thread_page, .action = ACT_MESSAGE_WRITE, .flags = ROUTE_GET_WRITES,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"signale", P_BOOL, SRC_QUERY},
                                           {"retenu", P_BOOL, SRC_QUERY}, {"enregistre", P_BOOL, SRC_QUERY}, {0}}},
    {.method = M_POST, .path = "/messagerie/fils/{id}/repondre", .handler = reply, .action = ACT_MESSAGE_WRITE,
     .params = (const struct param_spec[]){ANSWER_PARAMS}},
    {.method = M_POST, .path = "/messagerie/fils/{id}/lu", .handler = read_thread,
     .action = ACT_MESSAGE_WRITE,
     .params = (const struct param_spec[]){READ_PARAMS}},
    {.method = M_POST, .path = "/messagerie/fils/{id}/dossier", .handler = move, .action = ACT_MESSAGE_WRITE,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"dossier", P_ENUM, SRC_BODY, .required = true, .choices = moves}, {0}}},
    {.method = M_GET, .path = "/api/v1/threads", .handler = api_threads, .action = ACT_MESSAGE_WRITE, .flags = ROUTE_API,
     .params = (const struct param_spec[]){{"dossier", P_ENUM, SRC_QUERY, .choices = folders}, {0}}},
    {.method = M_GET, .path = "/api/v1/threads/{id}", .handler = api_thread, .action = ACT_MESSAGE_WRITE,
     .flags = ROUTE_API | ROUTE_GET_WRITES, .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_POST, .path = "/api/v1/threads/{id}/messages", .handler = reply, .action = ACT_MESSAGE_WRITE, .flags = ROUTE_API,
     .params = (const struct param_spec[]){ANSWER_PARAMS}},
    {.method = M_POST, .path = "/api/v1/threads/{id}/read", .handler = read_thread,
     .action = ACT_MESSAGE_WRITE, .flags = ROUTE_API,
     .params = (const struct param_spec[]){READ_PARAMS}},
    {0}};
