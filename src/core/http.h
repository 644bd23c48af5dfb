/* http.h — a request as handlers see it, and the ways to answer it.
 *
 * The request is independent of libmicrohttpd: http_mhd.c fills it from a
 * socket, testhttp.c from a file. Everything it points to lives in its arena,
 * freed in one place when the request ends; handlers never call free(). */
#ifndef CARNET_HTTP_H
#define CARNET_HTTP_H
#include "arena.h"
#include "buf.h"
#include <stdbool.h>
#include <stdint.h>

enum method { M_GET = 1, M_HEAD = 2, M_POST = 4, M_PUT = 8, M_DELETE = 16, M_PATCH = 32, M_OTHER = 64 };

struct kv {
    const char *name;
    const char *value;
    size_t len;
};

struct upload {
    const char *field, *filename, *content_type;
    const char *data;
    size_t len;
};

struct route;
struct actor;

#define REQ_MAX_RESP_HEADERS 16

struct req {
    struct arena arena;
    struct stmt *nav_ahead;       /* the page's navigation, asked ahead (page_ahead) */
    /* What came in. */
    enum method method;
    const char *method_name;
    const char *target;           /* raw request target: path?query */
    const char *path;             /* raw path, before '?' */
    const char *query;            /* raw query, or NULL */
    struct kv *headers;
    size_t nheaders;
    const char *body;
    size_t body_len;
    const char *remote_addr;
    bool tls;                     /* reached us over TLS (X-Forwarded-Proto from a trusted proxy) */
    /* Parsed by the app before routing. */
    char **segments;              /* percent-decoded path segments */
    size_t nsegments;
    struct kv *cookies;
    size_t ncookies;
    struct kv *fields;            /* query, form, multipart or JSON fields (raw, unvalidated) */
    size_t nfields;
    size_t nquery_fields;         /* the first nquery_fields came from the query string */
    struct upload *uploads;
    size_t nuploads;
    bool json_body;
    /* Routing and identity. */
    const struct route *route;
    struct kv *path_params;       /* {name} segments of the matched route */
    size_t npath_params;
    struct kv *params;            /* declared parameters, validated; nothing else reaches handlers */
    size_t nparams;
    struct actor *actor;          /* NULL when nobody is signed in */
    int64_t session_id;
    bool session_expired;         /* a session cookie came but its session is over */
    const char *csrf;             /* the session's (or pre-session's) CSRF token */
    const char *lang;             /* "fr", "en" */
    char nonce[32];               /* CSP nonce of this response */
    bool api;                     /* answer errors in JSON */
    /* The answer. */
    int status;
    const char *content_type;
    struct buf out;
    struct kv resp_headers[REQ_MAX_RESP_HEADERS];
    size_t nresp_headers;
};

/* Header value by case-insensitive name, or NULL. */
const char *req_header(struct req *r, const char *name);
/* Did the request come through a proxy (any forwarding header: Forwarded, X-Forwarded-*…)? */
bool req_forwarded(struct req *r);
/* Cookie value by name, or NULL. */
const char *req_cookie(struct req *r, const char *name);
/* Raw field (before validation) — for the app and router only. */
const char *req_field(struct req *r, const char *name);

/* Validated parameter declared by the route, or NULL when absent. */
const char *param(struct req *r, const char *name);
/* Declared P_ID / P_INT parameter; 0 when absent. */
int64_t param_int(struct req *r, const char *name);
/* Declared P_BOOL parameter. */
bool param_bool(struct req *r, const char *name);

/* Add a response header (name and value must outlive the request). */
void resp_header(struct req *r, const char *name, const char *value);
/* Add a Set-Cookie header. max_age < 0: session cookie; 0: delete it. */
void resp_cookie(struct req *r, const char *name, const char *value, int64_t max_age, bool http_only);
/* Write to the response body through the escaping printf (see buf.h). */
void out(struct req *r, const char *fmt, ...);
/* 303 See Other to a local URL. */
void reply_redirect(struct req *r, const char *location);
/* The one way errors leave: a page or a JSON error, with a clear message. */
void reply_error(struct req *r, int status, const char *message);
/* Start a JSON answer written with out() and %j (for the hottest documents). */
void reply_json_begin(struct req *r, int status);
/* Answer with a JSON document (takes the reference of j). */
struct json_t;
void reply_json(struct req *r, int status, struct json_t *j);

#endif
