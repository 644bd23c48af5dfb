/* page.c — layout, static files, language choice and test hooks. */
#include "page.h"
#include "app.h"
#include "assets.h"
#include "clock.h"
#include "i18n.h"
#include "router.h"
#include "../calendar/calendar.h"
#include "../policy/policy.h"
#include <cmark.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct page_hooks hooks;

void page_ahead(struct req *r)
{
    if (hooks.nav_ahead) hooks.nav_ahead(r);
}

void page_set_hooks(const struct page_hooks *h) { hooks = *h; }

const char *page_asset(struct req *r, const char *name)
{
    const struct asset *a = assets_find(assets_static, assets_static_count, name);
    struct buf b;
    buf_init(&b);
    buf_fmt(&b, "/static/%u?v=%u", name, a ? a->etag : "0");
    const char *s = arena_strdup(&r->arena, buf_cstr(&b));
    buf_free(&b);
    return s;
}

/* "mai" of a "YYYY-MM…" string, in lang. */
static const char *month_name(const char *lang, const char *d)
{
    char key[16];
    snprintf(key, sizeof key, "month.%d", atoi(d + 5));
    return i18n_text(lang, key);
}

/* "9 mai" ("1er mai") of a "YYYY-MM-DD…" string, in lang. */
static const char *day_month(struct arena *a, const char *lang, const char *d)
{
    int day = atoi(d + 8);
    const char *n = day == 1 ? i18n_text(lang, "date.first_day") : arena_printf(a, "%d", day);
    return arena_printf(a, "%s %s", n, month_name(lang, d));
}

const char *page_date(struct req *r, int64_t t)
{
    char d[11];
    clock_date(t, d);
    return arena_printf(&r->arena, "%s %.4s", day_month(&r->arena, r->lang, d), d);
}

const char *page_day(struct arena *a, const char *lang, const char *date)
{
    char wd[24];
    snprintf(wd, sizeof wd, "moment.weekday.%d", calendar_weekday(date));
    return arena_printf(a, "%s %s", i18n_text(lang, wd), day_month(a, lang, date));
}

const char *page_month(struct arena *a, const char *lang, const char *month)
{
    if (!month || strlen(month) < 7) return month ? month : "";
    return arena_printf(a, "%s %.4s", month_name(lang, month), month);
}

const char *page_moment(struct req *r, int64_t t, const char *tz)
{
    char dt[17], day[11];
    clock_datetime_in(t, tz, dt);
    snprintf(day, sizeof day, "%.10s", dt);
    return tr_fmt(r, "date.at", page_day(&r->arena, r->lang, day), dt + 11);
}

const char *page_datetime(struct req *r, int64_t t)
{
    char dt[17];
    clock_datetime(t, dt);
    return tr_fmt(r, "date.at", page_date(r, t), dt + 11);
}

void page_markdown(struct req *r, const char *md)
{
    if (!md || !*md) return;
    char *html = cmark_markdown_to_html(md, strlen(md), CMARK_OPT_SAFE | CMARK_OPT_HARDBREAKS);
    out(r, "<div class=\"md\">%R</div>", html ? html : ""); /* RAW_OK: cmark CMARK_OPT_SAFE output */
    free(html);
}

void page_csrf_input(struct req *r)
{
    out(r, "<input type=\"hidden\" name=\"csrf\" value=\"%h\">", csrf_token(r));
}

void page_begin(struct req *r, const char *title)
{
    out(r, "<!doctype html><html lang=\"%h\" dir=\"%h\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           "<title>%h — Carnet</title><link rel=\"stylesheet\" href=\"%h\">"
           "<link rel=\"icon\" href=\"%h\"></head><body>",
        r->lang, tr(r, "lang.dir"), title, page_asset(r, "carnet.css"), page_asset(r, "carnet.svg"));
    out(r, "<a class=\"skip\" href=\"#main\">%h</a><header class=\"top\"><a class=\"brand\" href=\"/\">"
           "<img src=\"%h\" alt=\"\" width=\"28\" height=\"28\"> Carnet</a>",
        tr(r, "nav.skip"), page_asset(r, "carnet.svg"));
    if (r->actor) {
        out(r, "<nav aria-label=\"%h\">", tr(r, "nav.account_menu"));
        if (hooks.nav) hooks.nav(r);
        out(r, "<a href=\"/compte\" class=\"who\">%h %h</a><form method=\"post\" action=\"/deconnexion\" class=\"inline\">",
            r->actor->first_name, r->actor->last_name);
        page_csrf_input(r);
        out(r, "<button type=\"submit\" class=\"link\">%h</button></form></nav>", tr(r, "nav.logout"));
    }
    out(r, "</header><main id=\"main\">");
}

void page_end(struct req *r)
{
    out(r, "</main><footer class=\"foot\"><form method=\"post\" action=\"/langue\" class=\"lang\">");
    page_csrf_input(r);
    out(r, "<label for=\"lang\">%h</label> <select id=\"lang\" name=\"lang\">", tr(r, "nav.language"));
    for (size_t i = 0; i18n_languages[i]; i++)
        out(r, "<option value=\"%h\"%R>%h</option>", i18n_languages[i],
            strcmp(i18n_languages[i], r->lang) ? "" : " selected", /* RAW_OK: literal attribute */
            i18n_language_name(i18n_languages[i]));
    out(r, "</select> <input type=\"hidden\" name=\"suite\" value=\"%h\"><button type=\"submit\">%h</button>"
           "</form><p>%h</p></footer></body></html>",
        r->path ? r->path : "/", tr(r, "nav.change"), tr(r, "footer.note"));
}

static void static_file(struct req *r)
{
    const char *name = param(r, "name");
    const struct asset *a = assets_find(assets_static, assets_static_count, name);
    if (!a) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    const char *inm = req_header(r, "If-None-Match");
    const char *etag = arena_printf(&r->arena, "\"%s\"", a->etag);
    resp_header(r, "ETag", etag);
    resp_header(r, "Cache-Control", "public, max-age=31536000, immutable");
    if (inm && !strcmp(inm, etag)) {
        r->status = 304;
        return;
    }
    r->content_type = a->mime;
    buf_put(&r->out, a->data, a->len);
}

static void language(struct req *r)
{
    resp_cookie(r, "lang", param(r, "lang"), 365 * 24 * 3600, false);
    const char *next = param(r, "suite");
    reply_redirect(r, next ? next : "/");
}

/* Test hook (only with --test-hooks): move the clock. */
static void test_clock(struct req *r)
{
    if (!app_test_hooks()) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    int64_t t;
    if (!clock_parse(param(r, "now"), &t)) {
        reply_error(r, 400, tr_fmt(r, "err.param.invalid", "now", NULL));
        return;
    }
    clock_set(t);
    if (hooks.clock_moved) hooks.clock_moved();
    reply_json(r, 200, json_pack("{s:I}", "now", (json_int_t)clock_now()));
}

const struct route core_routes[] = {
    {.method = M_GET, .path = "/static/{name}", .handler = static_file, .action = ACT_PUBLIC,
     .params = (const struct param_spec[]){{"name", P_LINE, SRC_PATH, .required = true, .maxlen = 64},
                                           {"v", P_TOKEN, SRC_QUERY, .maxlen = 64}, {0}}},
    {.method = M_POST, .path = "/langue", .handler = language, .action = ACT_PUBLIC, .flags = ROUTE_ANON_FORM,
     .params = (const struct param_spec[]){{"lang", P_ENUM, SRC_BODY, .required = true, .choices = i18n_languages},
                                           {"suite", P_LINE, SRC_BODY, .maxlen = 500}, {0}}},
    {.method = M_POST, .path = "/__test/clock", .handler = test_clock, .action = ACT_PUBLIC, .flags = ROUTE_API,
     .params = (const struct param_spec[]){{"now", P_LINE, SRC_ANY, .required = true, .maxlen = 40}, {0}}},
    {0}};
