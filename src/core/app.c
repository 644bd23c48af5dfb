/* app.c — the request pipeline and the request/response helpers. */
#include "app.h"
#include "metrics.h"
#include "clock.h"
#include "form.h"
#include "i18n.h"
#include "limits.h"
#include "log.h"
#include "page.h"
#include "router.h"
#include "secret.h"
#include "text.h"
#include "../policy/policy.h"
#include "../store/store.h"
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static struct app_hooks hooks;
static struct app_config config;

void app_init(const struct app_hooks *h, const struct app_config *c)
{
    hooks = *h;
    config = *c;
}

bool app_test_hooks(void) { return config.test_hooks; }

void req_init(struct req *r)
{
    memset(r, 0, sizeof *r);
    arena_init(&r->arena);
    buf_init(&r->out);
    r->status = 200;
    r->lang = "fr";
    r->remote_addr = "";
}

void req_free(struct req *r)
{
    buf_free(&r->out);
    arena_free(&r->arena);
}

const char *req_header(struct req *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (!strcasecmp(r->headers[i].name, name)) return r->headers[i].value;
    return NULL;
}

/* The headers a proxy adds on its way (RFC 7239 and the de facto ones). */
static const char *const forwarding_headers[] = {"Forwarded", "X-Forwarded-For", "X-Forwarded-Host",
                                                 "X-Forwarded-Proto", "X-Real-IP", "Via", NULL};

bool req_forwarded(struct req *r)
{
    for (size_t i = 0; forwarding_headers[i]; i++)
        if (req_header(r, forwarding_headers[i])) return true;
    return false;
}

/* Has the handler set this answer header already? */
static bool resp_has_header(const struct req *r, const char *name)
{
    for (size_t i = 0; i < r->nresp_headers; i++)
        if (!strcasecmp(r->resp_headers[i].name, name)) return true;
    return false;
}

const char *req_cookie(struct req *r, const char *name)
{
    for (size_t i = 0; i < r->ncookies; i++)
        if (!strcmp(r->cookies[i].name, name)) return r->cookies[i].value;
    return NULL;
}

const char *req_field(struct req *r, const char *name)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (!strcmp(r->fields[i].name, name)) return r->fields[i].value;
    return NULL;
}

const char *param(struct req *r, const char *name)
{
    for (size_t i = 0; i < r->nparams; i++)
        if (!strcmp(r->params[i].name, name)) return r->params[i].value;
    return NULL;
}

int64_t param_int(struct req *r, const char *name)
{
    const char *v = param(r, name);
    return v ? strtoll(v, NULL, 10) : 0;
}

bool param_bool(struct req *r, const char *name)
{
    const char *v = param(r, name);
    return v && !strcmp(v, "1");
}

void resp_header(struct req *r, const char *name, const char *value)
{
    if (r->nresp_headers < REQ_MAX_RESP_HEADERS)
        r->resp_headers[r->nresp_headers++] = (struct kv){.name = name, .value = value};
}

void resp_cookie(struct req *r, const char *name, const char *value, int64_t max_age, bool http_only)
{
    char age[48] = "";
    if (max_age >= 0) snprintf(age, sizeof age, "; Max-Age=%lld", (long long)max_age);
    resp_header(r, "Set-Cookie",
                arena_printf(&r->arena, "%s=%s; Path=/; SameSite=Lax%s%s%s", name, value, age,
                             http_only ? "; HttpOnly" : "", r->tls ? "; Secure" : ""));
}

void out(struct req *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vfmt(&r->out, fmt, ap);
    va_end(ap);
}

void reply_redirect(struct req *r, const char *location)
{
    /* Only local targets: an open redirect would help phishing. */
    if (!location || location[0] != '/' || location[1] == '/' || location[1] == '\\') location = "/";
    r->status = 303;
    buf_reset(&r->out);
    resp_header(r, "Location", arena_strdup(&r->arena, location));
}

static const char *status_code(int status)
{
    switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthenticated";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 413: return "payload_too_large";
    case 414: return "uri_too_long";
    case 415: return "unsupported_media_type";
    case 429: return "too_many_requests";
    case 503: return "unavailable";
    default: return "internal_error";
    }
}

/* jansson writes the document straight into the response buffer. */
static int json_to_buf(const char *data, size_t size, void *b)
{
    buf_put(b, data, size);
    return 0;
}

void reply_json_begin(struct req *r, int status)
{
    r->status = status;
    r->content_type = "application/json; charset=utf-8";
    buf_reset(&r->out);
}

void reply_json(struct req *r, int status, json_t *j)
{
    r->status = status;
    r->content_type = "application/json; charset=utf-8";
    buf_reset(&r->out);
    json_dump_callback(j, json_to_buf, &r->out, JSON_COMPACT);
    json_decref(j);
}

void reply_error(struct req *r, int status, const char *message)
{
    if (!message) message = tr(r, "err.internal");
    if (r->api) {
        reply_json(r, status, json_pack("{s:{s:i,s:s,s:s}}", "error", "status", status, "code",
                                        status_code(status), "message", message));
        return;
    }
    r->status = status;
    r->content_type = NULL;
    buf_reset(&r->out);
    char key[24];
    snprintf(key, sizeof key, "err.title.%d", status);
    page_begin(r, tr(r, key));
    out(r, "<section class=\"card error\" role=\"alert\"><h1>%h</h1><p>%h</p>", tr(r, key), message);
    if (status == 401 || (status == 403 && !r->actor))
        out(r, "<p><a class=\"button\" href=\"/connexion\">%h</a></p>", tr(r, "login.submit"));
    else
        out(r, "<p><a href=\"/\">%h</a></p>", tr(r, "nav.back_home"));
    out(r, "</section>");
    page_end(r);
}

const char *cookie_name(struct req *r, const char *name)
{
    /* "__Host-": the browser takes it only with Secure, Path=/ and no
     * Domain (as resp_cookie sets it under TLS), so neither a sibling
     * subdomain nor a plain-http answer can plant or overwrite it. */
    return r->tls ? arena_printf(&r->arena, "__Host-%s", name) : name;
}

/* The pre-session token the browser holds, if this server issued it less
 * than valid_s ago; NULL otherwise (a value the client made up is ignored). */
static const char *presession_token(struct req *r, int64_t valid_s)
{
    const char *pre = req_cookie(r, cookie_name(r, PRESESSION_COOKIE));
    return pre && secret_signed_token_ok(pre, clock_now(), valid_s) ? pre : NULL;
}

const char *csrf_token(struct req *r)
{
    if (r->csrf) return r->csrf;
    r->csrf = secret_signed_token(&r->arena, clock_now());
    resp_cookie(r, cookie_name(r, PRESESSION_COOKIE), r->csrf, -1, true);
    return r->csrf;
}

/* Split and percent-decode the path. 0, or a message key. */
static const char *parse_target(struct req *r)
{
    const char *t = r->target;
    if (!t || t[0] != '/') return "err.path";
    const char *q = strchr(t, '?');
    r->path = q ? arena_strndup(&r->arena, t, (size_t)(q - t)) : arena_strdup(&r->arena, t);
    r->query = q ? arena_strdup(&r->arena, q + 1) : NULL;
    r->segments = arena_alloc(&r->arena, (LIMIT_PATH_SEGMENTS + 1) * sizeof(char *));
    const char *p = r->path + 1;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0) { /* "//" or a trailing slash */
            if (!e) break;
            return "err.path";
        }
        if (r->nsegments >= LIMIT_PATH_SEGMENTS) return "err.path";
        char *seg;
        size_t sl;
        if (form_decode(&r->arena, p, len, false, &seg, &sl) < 0) return "err.path";
        if (strlen(seg) != sl || !text_utf8_valid(seg, sl) || text_has_control(seg, false)) return "err.path";
        if (!strcmp(seg, ".") || !strcmp(seg, "..") || strchr(seg, '/') || strchr(seg, '\\')) return "err.path";
        r->segments[r->nsegments++] = seg;
        p += len;
        if (*p == '/') p++;
    }
    return NULL;
}

/* Query and body fields, before routing. 0 or an HTTP status with *msg. */
static int parse_fields(struct req *r, const char **msg)
{
    /* Room for every field a body may carry, or for the query's only (a
     * GET does not pay for a whole class's mark sheet). */
    size_t cap = LIMIT_FIELDS;
    if (!r->body_len) {
        cap = 1;
        for (const char *q = r->query; q && *q; q++) cap += *q == '&';
        if (cap > LIMIT_FIELDS) cap = LIMIT_FIELDS;
    }
    r->fields = arena_alloc(&r->arena, (cap + 1) * sizeof *r->fields);
    r->uploads = arena_alloc(&r->arena, (LIMIT_MULTIPART_PARTS + 1) * sizeof *r->uploads);
    const char *key = NULL;
    if (r->query && form_urlencoded(&r->arena, r->query, strlen(r->query), r->fields, &r->nfields, &key) < 0) {
        *msg = tr(r, key);
        return 400;
    }
    r->nquery_fields = r->nfields;
    if (!r->body_len) return 0;
    const char *ct = req_header(r, "Content-Type");
    if (!ct) ct = "";
    if (!strncasecmp(ct, "application/x-www-form-urlencoded", 33)) {
        if (form_urlencoded(&r->arena, r->body, r->body_len, r->fields, &r->nfields, &key) < 0) {
            *msg = tr(r, key);
            return 400;
        }
    } else if (!strncasecmp(ct, "multipart/form-data", 19)) {
        if (form_multipart(&r->arena, ct, r->body, r->body_len, r->fields, &r->nfields, r->uploads, &r->nuploads,
                           &key) < 0) {
            *msg = tr(r, key);
            return 400;
        }
    } else if (!strncasecmp(ct, "application/json", 16)) {
        r->json_body = true;
        if (form_json(&r->arena, r->body, r->body_len, r->fields, &r->nfields, &key) < 0) {
            *msg = tr(r, key);
            return 400;
        }
    } else {
        *msg = tr(r, "err.content_type");
        return 415;
    }
    return 0;
}

/* Cross-site request forgery: every state-changing request must prove it
 * comes from our own pages (token) or from a script that had to pass CORS. */
static bool csrf_ok(struct req *r)
{
    const char *origin = req_header(r, "Origin"), *host = req_header(r, "Host");
    if (origin && !strcmp(origin, "null")) {
        /* An opaque origin (a sandboxed frame, a data: page) is nobody's
         * own page: refused before sign-in, where no session token could
         * tell our forms from another site's. */
        if (!r->actor) return false;
    } else if (origin) {
        const char *o = strstr(origin, "://");
        if (!host || !o || strcmp(o + 3, host)) return false;
    }
    if (r->actor) {
        const char *t = req_field(r, "csrf");
        if (!t) t = req_header(r, "X-CSRF-Token");
        return t && r->csrf && text_equal_ct(t, r->csrf);
    }
    if (r->route->flags & ROUTE_API) return r->json_body; /* JSON cannot be sent cross-site without CORS */
    /* Double submit of a token the server signed: a cookie a client or
     * another site chose does not verify. */
    const char *pre = presession_token(r, PRESESSION_VALID_S), *t = req_field(r, "csrf");
    return pre && t && text_equal_ct(t, pre);
}

static void security_headers(struct req *r)
{
    bool html = !r->content_type || !strncmp(r->content_type, "text/html", 9);
    if (html && r->status != 303) {
        resp_header(r, "Content-Security-Policy",
                    arena_printf(&r->arena,
                                 "default-src 'none'; script-src 'self' 'nonce-%s'; style-src 'self'; "
                                 "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                                 "frame-ancestors 'none'; base-uri 'none'",
                                 r->nonce));
    }
    resp_header(r, "X-Content-Type-Options", "nosniff");
    resp_header(r, "X-Frame-Options", "DENY");
    resp_header(r, "Referrer-Policy", "same-origin");
    resp_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    resp_header(r, "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()");
    if (r->tls) resp_header(r, "Strict-Transport-Security", "max-age=31536000");
    /* Nothing is kept by a cache unless its handler says so (the static files). */
    if (!resp_has_header(r, "Cache-Control")) resp_header(r, "Cache-Control", "no-store");
    if (!r->content_type) r->content_type = "text/html; charset=utf-8";
}

void app_handle(struct req *r)
{
    double t0 = clock_elapsed();
    unsigned char raw[12];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(r->nonce, sizeof r->nonce, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);

    r->cookies = arena_alloc(&r->arena, (LIMIT_COOKIES + 1) * sizeof *r->cookies);
    form_cookies(&r->arena, req_header(r, "Cookie"), r->cookies, &r->ncookies);
    r->lang = i18n_negotiate(req_cookie(r, "lang"), req_header(r, "Accept-Language"));
    if (config.trust_proxy) {
        const char *proto = req_header(r, "X-Forwarded-Proto");
        r->tls = proto && !strcasecmp(proto, "https");
        const char *fwd = req_header(r, "X-Forwarded-For");
        if (fwd) {
            const char *last = strrchr(fwd, ',');
            r->remote_addr = arena_strdup(&r->arena, last ? last + 1 + (last[1] == ' ') : fwd);
        }
    }
    r->api = r->target && !strncmp(r->target, "/api/", 5);

    if (r->target && strlen(r->target) > LIMIT_URL_BYTES) {
        reply_error(r, 414, tr(r, "err.uri_too_long"));
        goto done;
    }
    const char *perr = parse_target(r);
    if (perr) {
        reply_error(r, 400, tr(r, perr));
        goto done;
    }
    char allow[64];
    int st = router_match(r, allow, sizeof allow);
    if (st == 404) {
        reply_error(r, 404, tr(r, "err.not_found"));
        goto done;
    }
    if (st == 405) {
        resp_header(r, "Allow", arena_strdup(&r->arena, allow));
        reply_error(r, 405, tr(r, "err.method"));
        goto done;
    }
    r->api = (r->route->flags & ROUTE_API) != 0;
    const char *msg = NULL;
    if ((st = parse_fields(r, &msg))) {
        reply_error(r, st, msg);
        goto done;
    }
    struct store *s = NULL;
    if (r->route->action != ACT_PUBLIC || req_cookie(r, cookie_name(r, SESSION_COOKIE))) {
        s = store_thread();
        store_recover(s);
        if (!s) {
            reply_error(r, 503, tr(r, "err.unavailable"));
            goto done;
        }
        if (hooks.load_session) hooks.load_session(r);
    }
    /* A form served gets a token with at least half its life left: an older
     * one is still accepted (csrf_ok), but the page gets a new one. */
    if (!r->actor && !r->csrf) r->csrf = presession_token(r, PRESESSION_VALID_S / 2);
    if (!policy_may(s, r->actor, r->route->action, OBJECT_NONE)) {
        if (!r->actor) {
            if (r->api) {
                reply_error(r, 401, tr(r, "err.signin_needed"));
            } else {
                struct buf b;
                buf_init(&b);
                buf_fmt(&b, "/connexion?suite=%u", r->target);
                reply_redirect(r, arena_strdup(&r->arena, buf_cstr(&b)));
                buf_free(&b);
            }
        } else {
            reply_error(r, 403, tr(r, "err.forbidden"));
        }
        goto done;
    }
    if (!(r->method & (M_GET | M_HEAD)) && !csrf_ok(r)) {
        reply_error(r, 403, tr(r, "err.csrf"));
        goto done;
    }
    if (!router_validate(r, &msg)) {
        reply_error(r, 400, msg);
        goto done;
    }
    /* A page is read in one snapshot: consistent, and one lock instead of
     * one per query. GET never writes (the session touch came before),
     * except the routes that say so (a thread opened is marked read). */
    bool snapshot = s && (r->method & (M_GET | M_HEAD)) && !(r->route->flags & ROUTE_GET_WRITES) && store_begin_read(s) == 0;
    if (snapshot && r->actor && !r->api) page_ahead(r);
    if (r->route->object &&
        !policy_may(s, r->actor, r->route->action, OBJECT((enum object_kind)r->route->object, param_int(r, "id"))))
        reply_error(r, 403, tr(r, r->route->denied ? r->route->denied : "err.forbidden"));
    else
        r->route->handler(r);
    if (snapshot) store_end_read(s);
    if (s && !store_end_request(s))
        log_error("app", "%s %s left a transaction open: ended", r->method_name, r->path);
    /* A transaction misused (a nested begin: logged by the store, which
     * refused it): with the test hooks, a failed request that no test
     * can miss. */
    if (s && store_take_misuse(s) && config.test_hooks) {
        log_error("app", "%s %s misused a transaction (see above): answered 500 (--test-hooks)",
                  r->method_name, r->path);
        reply_error(r, 500, tr(r, "err.internal"));
    }
done:
    security_headers(r);
    double spent = clock_elapsed() - t0;
    metrics_record(r->route, r->status ? r->status : 200, spent);
    if (config.access_log) log_access(r->method_name, r->route ? r->route->path : NULL, r->status ? r->status : 200, spent * 1000.0);
}
