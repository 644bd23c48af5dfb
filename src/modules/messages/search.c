/* search.c — search in the messagerie: the page of results, its JSON twin
 * and the search form. Who may find which message is the store's query
 * (store_message_search); this file shows what it returns. */
#include "search.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/limits.h"
#include "../../core/page.h"
#include "../../policy/policy.h"
#include "../../store/store.h"
#include <jansson.h>
#include <string.h>

struct hit {
    int64_t id, thread, at;
    const char *subject, *author, *excerpt, *folder;
};

/* A copy of an excerpt in the arena with every run of white space (the
 * body's line breaks) made one space; marks are kept when keep_marks, else
 * dropped (plain text for JSON). */
static const char *excerpt_copy(struct req *r, const char *s, bool keep_marks)
{
    char *o = arena_alloc(&r->arena, strlen(s ? s : "") + 1), *w = o;
    bool space = false;
    for (; s && *s; s++) {
        if (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t') {
            space = w > o;
            continue;
        }
        if (!keep_marks && (*s == STORE_MARK_START[0] || *s == STORE_MARK_END[0])) continue;
        if (space) *w++ = ' ';
        space = false;
        *w++ = *s;
    }
    *w = 0;
    return o;
}

/* The actor's messages matching q, newest first, in *out. Returns their
 * number, or -1 when the database failed. q must hold a word. */
static int search_run(struct req *r, const char *q, bool keep_marks, struct hit **out)
{
    struct stmt *st = store_message_search(store_thread(), r->actor->person_id, q, clock_now(), LIMIT_SEARCH_RESULTS);
    if (!st) return -1;
    struct hit *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = stmt_step(st)) == STORE_ROW) {
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n++] = (struct hit){stmt_int(st, STORE_SEARCH_MESSAGE_ID), stmt_int(st, STORE_SEARCH_THREAD_ID), stmt_int(st, STORE_SEARCH_CREATED_AT),
                              arena_strdup(&r->arena, stmt_text(st, STORE_SEARCH_SUBJECT)),
                              arena_printf(&r->arena, "%s %s", stmt_text(st, STORE_SEARCH_AUTHOR_FIRST), stmt_text(st, STORE_SEARCH_AUTHOR_LAST)),
                              excerpt_copy(r, stmt_text(st, STORE_SEARCH_EXCERPT), keep_marks),
                              arena_strdup(&r->arena, stmt_text(st, STORE_SEARCH_FOLDER))};
    }
    stmt_done(st);
    *out = v;
    return rc == STORE_ERR ? -1 : (int)n;
}

/* An excerpt with its matched words in <mark>: each piece of text is
 * escaped on its own, and only the literal tags are written raw. */
static void excerpt_html(struct req *r, const char *s)
{
    while (*s) {
        const char *open = strchr(s, STORE_MARK_START[0]);
        if (!open) {
            out(r, "%h", s);
            return;
        }
        out(r, "%h", arena_strndup(&r->arena, s, (size_t)(open - s)));
        const char *close = strchr(open + 1, STORE_MARK_END[0]);
        size_t len = close ? (size_t)(close - open - 1) : strlen(open + 1);
        out(r, "<mark>%h</mark>", arena_strndup(&r->arena, open + 1, len));
        s = open + 1 + len + (close ? 1 : 0);
    }
}

void messages_search_form(struct req *r, const char *q)
{
    out(r, "<form method=\"get\" action=\"/messagerie/recherche\" class=\"inline-form\" role=\"search\">"
           "<label for=\"message-search\">%h</label><input id=\"message-search\" type=\"search\" name=\"q\" value=\"%h\" "
           "maxlength=\"%d\" autocomplete=\"off\" enterkeyhint=\"search\"><button type=\"submit\">%h</button></form>",
        tr(r, "search.label"), q ? q : "", LIMIT_SEARCH_QUERY_CHARS, tr(r, "search.button"));
}

static void search_page(struct req *r)
{
    const char *q = param(r, "q");
    struct store_terms terms = {0};
    struct hit *v = NULL;
    int n = 0;
    if (q && store_search_terms(q, &terms)) {
        n = search_run(r, q, true, &v);
        if (n < 0) {
            reply_error(r, 503, tr(r, "err.unavailable"));
            return;
        }
    }
    page_begin(r, q && *q ? tr_fmt(r, "search.title_for", q, NULL) : tr(r, "search.title"));
    out(r, "<h1>%h</h1>", tr(r, "search.title"));
    messages_search_form(r, q);
    if (!q || !*q) out(r, "<p class=\"help\">%h</p>", tr(r, "search.help"));
    else if (!terms.n) out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr(r, "search.no_words"));
    else if (!n) out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr_fmt(r, "search.none", q, NULL));
    else {
        out(r, "<section class=\"card\" aria-labelledby=\"search-results\"><h2 id=\"search-results\">%h</h2>"
               "<ul class=\"plain editable threads\">",
            tr_fmt(r, "search.count", arena_printf(&r->arena, "%d", n), q));
        for (int i = 0; i < n; i++) {
            out(r, "<li><p><a href=\"/messagerie/fils/%I\">%h</a> <span class=\"meta\">— %h, %h", v[i].thread, v[i].subject, v[i].author,
                page_datetime(r, v[i].at));
            if (strcmp(v[i].folder, "inbox"))
                out(r, " · %h", tr_fmt(r, "search.in_folder", tr(r, arena_printf(&r->arena, "messages.folder.%s", v[i].folder)), NULL));
            out(r, "</span></p><p class=\"meta\">");
            excerpt_html(r, v[i].excerpt);
            out(r, "</p></li>");
        }
        out(r, "</ul>");
        if (n >= LIMIT_SEARCH_RESULTS)
            out(r, "<p class=\"help\">%h</p>", tr_fmt(r, "search.more", arena_printf(&r->arena, "%d", LIMIT_SEARCH_RESULTS), NULL));
        out(r, "</section>");
    }
    out(r, "<p><a href=\"/messagerie\">%h</a></p>", tr(r, "messages.back"));
    page_end(r);
}

static void api_search(struct req *r)
{
    const char *q = param(r, "q");
    struct store_terms terms;
    if (!store_search_terms(q, &terms)) {
        reply_error(r, 400, tr(r, "search.no_words"));
        return;
    }
    struct hit *v = NULL;
    int n = search_run(r, q, false, &v);
    if (n < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:I,s:I,s:s,s:s,s:I,s:s,s:s}", "message_id", (json_int_t)v[i].id, "thread_id",
                                           (json_int_t)v[i].thread, "subject", v[i].subject, "author", v[i].author, "created_at",
                                           (json_int_t)v[i].at, "excerpt", v[i].excerpt, "folder", v[i].folder));
    reply_json(r, 200, json_pack("{s:o}", "results", a));
}

const struct route messages_search_routes[] = {
    {.method = M_GET, .path = "/messagerie/recherche", .handler = search_page, .action = ACT_MESSAGE_WRITE,
     .params = (const struct param_spec[]){{"q", P_LINE, SRC_QUERY, .maxlen = LIMIT_SEARCH_QUERY_CHARS, .label = "search.query"}, {0}}},
    {.method = M_GET, .path = "/api/v1/messages/search", .handler = api_search, .action = ACT_MESSAGE_WRITE, .flags = ROUTE_API,
     .params = (const struct param_spec[]){
         {"q", P_LINE, SRC_QUERY, .required = true, .maxlen = LIMIT_SEARCH_QUERY_CHARS, .label = "search.query"}, {0}}},
    {0}};
