/* notify.c — notifications (see notify.h): notify_add, the notification
 * centre (/notifications), its JSON and the page header's unread count.
 *
 * A person sees their own notifications only, from visible_at on (R-DISCO:
 * what is held is neither shown nor counted), those of the services they
 * keep in their centre (preferences); another person's is "not found". */
#include "internal.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/page.h"
#include "../../policy/policy.h"
#include "../../store/store.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>

const char *const notify_services[] = {"messages", "homework", "log", "grades", "timetable", "attendance", "news", NULL};
const char *const notify_channels[] = {"centre", "email", NULL};

int notify_add(struct store *s, const int64_t *persons, size_t n, const struct notice *nt)
{
    int64_t now = clock_now();
    for (size_t i = 0; i < n; i++)
        if (store_run_later(s, "INSERT INTO notification (person_id, service, title, url, item, establishment_id, created_at, visible_at)"
                         " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", "ittttNii", persons[i], nt->service, nt->title, nt->url, nt->item,
                      nt->establishment, now, nt->visible_at > now ? nt->visible_at : now) < 0)
            return -1;
    return 0;
}

int notify_guardians(struct store *s, int64_t pupil, const struct notice *nt)
{
    int64_t now = clock_now();
    return store_run(s, "INSERT INTO notification (person_id, service, title, url, item, establishment_id, created_at, visible_at)"
                        " SELECT parent_id, $2, $3, $4, $5, $6, $7, $8 FROM guardianship WHERE pupil_id = $1 AND legal_responsibility = 1",
                     "ittttNii", pupil, nt->service, nt->title, nt->url, nt->item, nt->establishment, now,
                     nt->visible_at > now ? nt->visible_at : now) < 0 ? -1 : 0;
}

int64_t notify_unread(struct store *s, int64_t person)
{
    int64_t n = 0;
    store_int(s, &n, "SELECT count(*) FROM notification WHERE person_id = $1 AND visible_at <= $2 AND read_at IS NULL"
                     " AND service NOT IN " NOTIFY_CENTRE_OFF("$1"), "ii", person, clock_now());
    return n;
}

/* The same, counting no further than NOTIFY_BADGE_MAX: every page shows it,
 * and a year of unread notifications must not cost a year of index. */
static struct stmt *unread_badge_ask(struct store *s, int64_t person)
{
    return store_q_ahead(s, "SELECT count(*) FROM (SELECT 1 FROM notification WHERE person_id = $1 AND visible_at <= $2 AND read_at IS NULL"
                            " AND service NOT IN " NOTIFY_CENTRE_OFF("$1") " LIMIT $3) x",
                         "iii", person, clock_now(), (int64_t)NOTIFY_BADGE_MAX);
}

void notify_nav_ahead(struct req *r)
{
    if (r->actor) r->nav_ahead = unread_badge_ask(store_thread(), r->actor->person_id);
}

/* "3 notifications non lues", "1 notification non lue", "Aucune…". */
static const char *unread_text(struct req *r, int64_t n)
{
    return n == 1 ? tr(r, "notify.unread_one")
                  : tr_fmt(r, n ? "notify.unread_many" : "notify.unread_none", arena_printf(&r->arena, "%lld", (long long)n), NULL);
}

void notify_nav(struct req *r)
{
    if (!r->actor) return;
    /* Asked ahead with the page's first reads, or now. */
    struct stmt *st = r->nav_ahead ? r->nav_ahead : unread_badge_ask(store_thread(), r->actor->person_id);
    r->nav_ahead = NULL;
    int64_t n = st && stmt_step(st) == STORE_ROW ? stmt_int(st, 0) : 0;
    stmt_done(st);
    const char *shown = n >= NOTIFY_BADGE_MAX ? arena_printf(&r->arena, "%d+", NOTIFY_BADGE_MAX - 1) : arena_printf(&r->arena, "%lld", (long long)n);
    out(r, "<a href=\"/notifications\" class=\"notif\"><span aria-hidden=\"true\">%h", tr(r, "notify.title"));
    if (n) out(r, " <span class=\"badge\">%h</span>", shown);
    out(r, "</span><span class=\"sr\">%h</span></a>", n >= NOTIFY_BADGE_MAX ? tr_fmt(r, "notify.unread_many", shown, NULL) : unread_text(r, n));
}

/* ---- The centre ------------------------------------------------------------ */

struct notif {
    int64_t id, visible_at;
    const char *service, *title, *url;
    bool unread;
};

/* The page-th page (from 1) of the actor's visible notifications, newest
 * first; *more when there are older ones. */
static size_t notif_list(struct req *r, int64_t page, struct notif **out, bool *more)
{
    struct stmt *st = store_q(store_thread(),
        "SELECT id, service, title, url, visible_at, read_at IS NULL FROM notification WHERE person_id = $1 AND visible_at <= $2"
        " AND service NOT IN " NOTIFY_CENTRE_OFF("$1") " ORDER BY visible_at DESC, id DESC LIMIT $3 OFFSET $4",
        "iiii", r->actor->person_id, clock_now(), (int64_t)NOTIFY_PAGE + 1, (page - 1) * NOTIFY_PAGE);
    struct notif *v = NULL;
    size_t n = 0, cap = 0;
    *more = false;
    while (st && stmt_step(st) == STORE_ROW) {
        if (n == NOTIFY_PAGE) {
            *more = true;
            break;
        }
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n++] = (struct notif){stmt_int(st, 0), stmt_int(st, 4), arena_strdup(&r->arena, stmt_text(st, 1)),
                                arena_strdup(&r->arena, stmt_text(st, 2)), arena_strdup(&r->arena, stmt_text(st, 3)), stmt_int(st, 5) != 0};
    }
    stmt_done(st);
    *out = v;
    return n;
}

static const char *service_label(struct req *r, const char *service)
{
    return tr(r, arena_printf(&r->arena, "notify.service.%s", service));
}

static void centre_item(struct req *r, const struct notif *x)
{
    out(r, "<li%R><p><a href=\"/notifications/%I\">%R%h%R</a></p><p class=\"meta\">%h — %h", /* RAW_OK: literal tags */
        x->unread ? " class=\"unread\"" : "", x->id, x->unread ? "<strong>" : "", x->title, /* RAW_OK: literal tags */
        x->unread ? "</strong>" : "", service_label(r, x->service), page_datetime(r, x->visible_at)); /* RAW_OK: literal tags */
    if (!x->unread) {
        out(r, "</p></li>");
        return;
    }
    out(r, " <span class=\"badge\">%h</span></p><form method=\"post\" action=\"/notifications/%I/lu\" class=\"inline-form\">",
        tr(r, "notify.unread_badge"), x->id);
    page_csrf_input(r);
    out(r, "<button type=\"submit\" class=\"link\">%h<span class=\"sr\"> — %h</span></button></form></li>", tr(r, "notify.mark_read"),
        x->title);
}

static void centre_page(struct req *r)
{
    int64_t page = param_int(r, "page") ? param_int(r, "page") : 1;
    struct notif *v;
    bool more;
    size_t n = notif_list(r, page, &v, &more);
    int64_t unread = notify_unread(store_thread(), r->actor->person_id);
    page_begin(r, tr(r, "notify.title"));
    out(r, "<h1>%h</h1><p class=\"lead\">%h</p><p class=\"row\">", tr(r, "notify.title"), unread_text(r, unread));
    if (unread) {
        out(r, "<form method=\"post\" action=\"/notifications/tout-lu\" class=\"inline-form\">");
        page_csrf_input(r);
        out(r, "<button type=\"submit\">%h</button></form> ", tr(r, "notify.mark_all"));
    }
    out(r, "<a href=\"/compte/notifications\">%h</a></p><section class=\"card\">", tr(r, "notify.prefs_link"));
    if (!n) out(r, "<p class=\"meta\">%h</p>", tr(r, "notify.empty"));
    else out(r, "<ul class=\"plain editable notifications\">");
    for (size_t i = 0; i < n; i++) centre_item(r, &v[i]);
    if (n) out(r, "</ul>");
    out(r, "</section><p class=\"row\">");
    if (page > 1) out(r, "<a href=\"/notifications?page=%I\">%h</a> ", page - 1, tr(r, "notify.newer"));
    if (more) out(r, "<a href=\"/notifications?page=%I\">%h</a>", page + 1, tr(r, "notify.older"));
    out(r, "</p>");
    page_end(r);
}

/* Mark the actor's notification id read (when visible); its url in *url
 * (arena). False when it is not theirs or not visible yet: not found. */
static bool mark_read(struct req *r, int64_t id, const char **url)
{
    struct store *s = store_thread();
    struct stmt *st = store_q(s, "SELECT url FROM notification WHERE id = $1 AND person_id = $2 AND visible_at <= $3", "iii", id,
                              r->actor->person_id, clock_now());
    bool found = st && stmt_step(st) == STORE_ROW;
    if (found && url) *url = arena_strdup(&r->arena, stmt_text(st, 0));
    stmt_done(st);
    if (found)
        store_run(s, "UPDATE notification SET read_at = $2 WHERE id = $1 AND read_at IS NULL", "ii", id, clock_now());
    return found;
}

/* Following a notification: marked read, then to its item. */
static void open_one(struct req *r)
{
    const char *url = NULL;
    if (!mark_read(r, param_int(r, "id"), &url)) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    reply_redirect(r, url && url[0] == '/' && url[1] != '/' ? url : "/notifications");
}

static int64_t mark_all(struct req *r)
{
    struct store *s = store_thread();
    store_run(s, "UPDATE notification SET read_at = $2 WHERE person_id = $1 AND visible_at <= $2 AND read_at IS NULL", "ii",
              r->actor->person_id, clock_now());
    return store_changes(s);
}

static void read_one(struct req *r)
{
    int64_t id = param_int(r, "id");
    if (!mark_read(r, id, NULL)) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    if (r->api)
        reply_json(r, 200, json_pack("{s:I,s:b,s:I}", "id", (json_int_t)id, "read", 1, "unread",
                                     (json_int_t)notify_unread(store_thread(), r->actor->person_id)));
    else
        reply_redirect(r, "/notifications");
}

static void read_all(struct req *r)
{
    int64_t n = mark_all(r);
    if (r->api) reply_json(r, 200, json_pack("{s:I,s:I}", "marked", (json_int_t)n, "unread", (json_int_t)0));
    else reply_redirect(r, "/notifications");
}

static void api_list(struct req *r)
{
    int64_t page = param_int(r, "page") ? param_int(r, "page") : 1;
    struct notif *v;
    bool more;
    size_t n = notif_list(r, page, &v, &more);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:I,s:s,s:s,s:s,s:I,s:b}", "id", (json_int_t)v[i].id, "service", v[i].service, "title",
                                           v[i].title, "url", v[i].url, "visible_at", (json_int_t)v[i].visible_at, "read", !v[i].unread));
    reply_json(r, 200, json_pack("{s:I,s:o,s:b}", "unread", (json_int_t)notify_unread(store_thread(), r->actor->person_id),
                                 "notifications", a, "more", more));
}

#define ID_PARAM {"id", P_ID, SRC_PATH, .required = true}
#define PAGE_PARAM {"page", P_INT, SRC_QUERY, .min = 1, .max = 10000}

const struct route notify_routes[] = {
    {.method = M_GET, .path = "/notifications", .handler = centre_page, .action = ACT_SIGNED_IN,
     .params = (const struct param_spec[]){PAGE_PARAM, {0}}},
    {.method = M_GET, .path = "/notifications/{id}", .handler = open_one, .action = ACT_SIGNED_IN, .flags = ROUTE_GET_WRITES,
     .params = (const struct param_spec[]){ID_PARAM, {0}}},
    {.method = M_POST, .path = "/notifications/{id}/lu", .handler = read_one, .action = ACT_SIGNED_IN,
     .params = (const struct param_spec[]){ID_PARAM, {0}}},
    {.method = M_POST, .path = "/notifications/tout-lu", .handler = read_all, .action = ACT_SIGNED_IN},
    {.method = M_GET, .path = "/api/v1/notifications", .handler = api_list, .action = ACT_SIGNED_IN, .flags = ROUTE_API,
     .params = (const struct param_spec[]){PAGE_PARAM, {0}}},
    {.method = M_POST, .path = "/api/v1/notifications/{id}/read", .handler = read_one, .action = ACT_SIGNED_IN, .flags = ROUTE_API,
     .params = (const struct param_spec[]){ID_PARAM, {0}}},
    {.method = M_POST, .path = "/api/v1/notifications/read-all", .handler = read_all, .action = ACT_SIGNED_IN, .flags = ROUTE_API},
    {0}};
