/* app.h — the request pipeline shared by the HTTP server and test-http:
 * parse, route, authenticate, authorise, check CSRF, validate, handle,
 * add security headers. */
#ifndef CARNET_APP_H
#define CARNET_APP_H
#include "http.h"

struct app_hooks {
    /* Look up the session cookie; set r->actor, r->session_id, r->csrf. */
    void (*load_session)(struct req *r);
};

struct app_config {
    bool test_hooks;          /* enable /__test/ routes (clock control) */
    bool trust_proxy;         /* believe X-Forwarded-Proto / X-Forwarded-For */
    bool access_log;          /* one structured line per request on stderr */
};

void app_init(const struct app_hooks *hooks, const struct app_config *cfg);
/* Start a request: arena, defaults. */
void req_init(struct req *r);
/* Release everything the request holds. */
void req_free(struct req *r);
/* Run the whole pipeline on a filled-in request; the answer is in r. */
void app_handle(struct req *r);
/* The cookies of a person's browser: the session, and before sign-in the
 * pre-session CSRF token (signed by the server, PRESESSION_VALID_S). */
#define SESSION_COOKIE "carnet_session"
#define PRESESSION_COOKIE "carnet_pre"
/* A cookie's name for this request: "__Host-" name under TLS, name on plain
 * HTTP (loopback, tests, demo). */
const char *cookie_name(struct req *r, const char *name);
/* The request's CSRF token, creating a pre-session one (and its cookie) if
 * nobody is signed in yet. */
const char *csrf_token(struct req *r);
/* True when the application was started with test hooks. */
bool app_test_hooks(void);

#endif
