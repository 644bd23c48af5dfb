/* auth.c — sign-in, sign-out, sessions, throttling, activation. */
#include "auth.h"
#include "internal.h"
#include "../messages/reps.h"
#include "../../core/app.h"
#include "../../core/audit.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/limits.h"
#include "../../core/log.h"
#include "../../core/page.h"
#include "../../core/router.h"
#include "../../core/secret.h"
#include "../../core/text.h"
#include "../../policy/policy.h"
#include "../../store/store.h"
#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int auth_password_hash(const char *pw, char out[AUTH_HASH_BYTES])
{
    return crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

static const char *const common_passwords[] = {
    "motdepasse", "motdepasse1", "1234567890", "azertyuiop", "qwertyuiop", "0123456789", "azerty1234",
    "password123", "motdepasse123", "soleil1234", "bonjour1234", "123456789a", "carnetcarnet", NULL};

const char *auth_password_problem(const char *pw, const char *login)
{
    size_t n = text_utf8_len(pw);
    if (n < PASSWORD_MIN_CHARS) return "err.password.short";
    char lower[LIMIT_PASSWORD_BYTES + 1];
    snprintf(lower, sizeof lower, "%s", pw);
    for (char *c = lower; *c; c++) *c = (char)tolower((unsigned char)*c);
    for (size_t i = 0; common_passwords[i]; i++)
        if (!strcmp(lower, common_passwords[i])) return "err.password.common";
    if (login && *login && strlen(login) >= 3 && strstr(lower, login)) return "err.password.login";
    if (n < PASSWORD_PHRASE_CHARS) {
        int letters = 0, others = 0;
        for (const char *c = pw; *c; c++) {
            if (isalpha((unsigned char)*c) || ((unsigned char)*c & 0x80)) letters = 1;
            else others = 1;
        }
        if (!letters || !others) return "err.password.simple";
    }
    return NULL;
}

void auth_code_hash(const char *code, char out[65])
{
    /* Codes are compared without dashes or spaces, upper case. */
    char norm[64];
    size_t k = 0;
    for (const char *c = code; *c && k + 1 < sizeof norm; c++)
        if (isalnum((unsigned char)*c)) norm[k++] = (char)toupper((unsigned char)*c);
    norm[k] = 0;
    secret_hash(norm, out);
}

int auth_activation_issue(struct store *s, int64_t account_id, char code[15])
{
    static const char alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"; /* no 0/O, 1/I/L */
    char raw[ACTIVATION_CODE_CHARS + 1];
    for (int i = 0; i < ACTIVATION_CODE_CHARS; i++) raw[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    raw[ACTIVATION_CODE_CHARS] = 0;
    snprintf(code, 15, "%.4s-%.4s-%.4s", raw, raw + 4, raw + 8);
    char h[65];
    auth_code_hash(raw, h);
    return store_run(s, "UPDATE account SET activation_hash = $1, activation_expires_at = $2 WHERE id = $3",
                     "tii", h, clock_now() + ACTIVATION_VALID_S, account_id);
}

/* ---- Throttling (R-SEC) ------------------------------------------------ */

/* Seconds until key may try again, 0 when it may now. */
static int64_t throttle_wait(struct store *s, const char *key, int limit)
{
    struct stmt *st = store_q(s, "SELECT failures, window_start FROM throttle WHERE key = $1", "t", key);
    if (!st) return 0;
    int64_t wait = 0, now = clock_now();
    if (stmt_step(st) == STORE_ROW) {
        int64_t failures = stmt_int(st, 0), start = stmt_int(st, 1);
        if (start + THROTTLE_WINDOW_S > now && failures >= limit) wait = start + THROTTLE_WINDOW_S - now;
    }
    stmt_done(st);
    return wait;
}

static void throttle_fail(struct store *s, const char *key)
{
    int64_t now = clock_now();
    /* Counters of past windows are of no use: keep the table small. */
    store_run(s, "DELETE FROM throttle WHERE window_start <= $1", "i", now - THROTTLE_WINDOW_S);
    store_run(s,
              "INSERT INTO throttle (key, window_start, failures) VALUES ($1, $2, 1)"
              " ON CONFLICT (key) DO UPDATE SET"
              " failures = CASE WHEN throttle.window_start <= $3 THEN 1 ELSE throttle.failures + 1 END,"
              " window_start = CASE WHEN throttle.window_start <= $3 THEN $2 ELSE throttle.window_start END",
              "tii", key, now, now - THROTTLE_WINDOW_S);
}

static void throttle_clear(struct store *s, const char *key)
{
    store_run(s, "DELETE FROM throttle WHERE key = $1", "t", key);
}

/* 0 when this login and address may try; otherwise the seconds to wait. */
int64_t auth_throttled(struct store *s, struct req *r, const char *kind, const char *login)
{
    const char *kl = arena_printf(&r->arena, "%s:login:%s", kind, login);
    const char *ka = arena_printf(&r->arena, "%s:addr:%s", kind, r->remote_addr);
    int64_t a = throttle_wait(s, kl, THROTTLE_ACCOUNT_FAILURES), b = throttle_wait(s, ka, THROTTLE_ADDRESS_FAILURES);
    return a > b ? a : b;
}

void auth_failed(struct store *s, struct req *r, const char *kind, const char *login)
{
    throttle_fail(s, arena_printf(&r->arena, "%s:login:%s", kind, login));
    throttle_fail(s, arena_printf(&r->arena, "%s:addr:%s", kind, r->remote_addr));
}

const char *auth_public_url(struct req *r)
{
    const char *env = getenv("CARNET_PUBLIC_URL"), *host = req_header(r, "Host");
    char *u = env && *env ? arena_strdup(&r->arena, env)
                          : arena_printf(&r->arena, "%s://%s", r->tls ? "https" : "http",
                                         host ? host : "localhost");
    size_t n = strlen(u);
    while (n && u[n - 1] == '/') u[--n] = 0;
    return u;
}

const char *auth_wait_message(struct req *r, int64_t wait)
{
    char m[24];
    snprintf(m, sizeof m, "%lld", (long long)((wait + 59) / 60));
    return tr_fmt(r, "login.throttled", m, NULL);
}

/* ---- Sessions ----------------------------------------------------------- */

static int session_create(struct store *s, struct req *r, int64_t account_id)
{
    const char *tok = secret_token(&r->arena, SESSION_TOKEN_BYTES), *csrf = secret_token(&r->arena, 18);
    char h[65];
    secret_hash(tok, h);
    int64_t now = clock_now();
    /* Sessions over for a month are of no use (sign-ins stay in the audit). */
    store_run(s, "DELETE FROM session WHERE account_id = $1 AND expires_at < $2", "ii", account_id,
              now - SESSION_PURGE_AFTER_S);
    const char *ua = req_header(r, "User-Agent");
    char uab[200];
    snprintf(uab, sizeof uab, "%s", ua && text_utf8_valid(ua, strlen(ua)) ? ua : "");
    int64_t id = 0;
    if (store_int(s, &id,
                  "INSERT INTO session (token_hash, account_id, csrf, created_at, last_seen_at, expires_at, address,"
                  " user_agent) VALUES ($1, $2, $3, $4, $4, $5, $6, $7) RETURNING id",
                  "titiitt", h, account_id, csrf, now, now + SESSION_ABSOLUTE_S,
                  r->remote_addr, uab) != 1)
        return -1;
    resp_cookie(r, cookie_name(r, SESSION_COOKIE), tok, -1, true);
    r->session_id = id;
    r->csrf = csrf;
    return 0;
}

/* The session and its person's actor in one statement: a request signed in
 * costs one round trip to the database before its page (policy.h). */
static const char *const q_session =
    "WITH me AS (SELECT a.person_id AS id, s.id AS sid, s.csrf, s.last_seen_at, s.expires_at, a.state"
    " FROM session s JOIN account a ON a.id = s.account_id WHERE s.token_hash = $1 AND s.revoked_at IS NULL)"
    " SELECT '0', me.sid, me.last_seen_at, me.expires_at, me.id, me.csrf, me.state, NULL, NULL FROM me"
    " UNION ALL " POLICY_ACTOR_ROWS " ORDER BY 1, 2";

void auth_load_session(struct req *r)
{
    const char *tok = req_cookie(r, cookie_name(r, SESSION_COOKIE));
    if (!tok || strlen(tok) > 64) return;
    struct store *s = store_thread();
    if (!s) return;
    char h[65], today[11];
    secret_hash(tok, h);
    clock_today(today);
    struct stmt *st = store_q(s, q_session, "tt", h, today);
    if (!st) return;
    int64_t now = clock_now(), id = 0, person = 0, last = 0;
    bool ok = false;
    int row = stmt_step(st);
    if (row == STORE_ROW && stmt_text(st, 0) && !strcmp(stmt_text(st, 0), "0")) {
        id = stmt_int(st, 1);
        last = stmt_int(st, 2);
        int64_t expires = stmt_int(st, 3);
        person = stmt_int(st, 4);
        ok = !strcmp(stmt_text(st, 6), "active") && now < expires && now - last < SESSION_IDLE_S;
        if (ok) r->csrf = arena_strdup(&r->arena, stmt_text(st, 5));
        row = stmt_step(st);
    }
    struct actor *actor = ok ? policy_actor_read(st, &r->arena, person, row) : NULL;
    stmt_done(st);
    if (!ok) {
        r->session_expired = true;
        if (id) store_run(s, "UPDATE session SET revoked_at = $1 WHERE id = $2", "ii", now, id);
        r->csrf = NULL;
        return;
    }
    r->actor = actor;
    if (!r->actor) return;
    r->session_id = id;
    if (now - last >= SESSION_TOUCH_S)
        store_run(s, "UPDATE session SET last_seen_at = $1 WHERE id = $2", "ii", now, id);
}

static void session_end(struct store *s, struct req *r)
{
    if (r->session_id)
        store_run(s, "UPDATE session SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", "ii", clock_now(),
                  r->session_id);
    resp_cookie(r, cookie_name(r, SESSION_COOKIE), "", 0, true);
}

/* ---- Sign-in ------------------------------------------------------------ */

/* A local path to go back to after sign-in, or "/". */
static const char *local_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strncmp(next, "/connexion", 10) == 0)
        return "/";
    return next;
}

static void login_form(struct req *r, const char *error, const char *login, const char *notice)
{
    page_begin(r, tr(r, "login.title"));
    out(r, "<section class=\"card narrow\"><h1>%h</h1><p class=\"lead\">%h</p>", tr(r, "login.title"),
        tr(r, "login.lead"));
    if (notice) out(r, "<p class=\"notice\" role=\"status\">%h</p>", notice);
    if (error) out(r, "<p class=\"error\" role=\"alert\" id=\"login-error\">%h</p>", error);
    out(r, "<form method=\"post\" action=\"/connexion\" class=\"stack\">");
    page_csrf_input(r);
    out(r, "<input type=\"hidden\" name=\"suite\" value=\"%h\">", local_next(param(r, "suite")));
    out(r, "<label for=\"login\">%h</label><input id=\"login\" name=\"login\" autocomplete=\"username\" "
           "autocapitalize=\"none\" spellcheck=\"false\" required maxlength=\"64\" value=\"%h\"%R>",
        tr(r, "login.login"), login ? login : "", error ? " aria-describedby=\"login-error\"" : ""); /* RAW_OK: literal */
    out(r, "<label for=\"password\">%h</label><input id=\"password\" name=\"password\" type=\"password\" "
           "autocomplete=\"current-password\" required maxlength=\"256\">",
        tr(r, "login.password"));
    out(r, "<button type=\"submit\" class=\"primary\">%h</button></form>", tr(r, "login.submit"));
    out(r, "<p class=\"help\">%h <a href=\"/activer\">%h</a></p>", tr(r, "login.first_time"),
        tr(r, "login.activate_link"));
    out(r, "<p class=\"help\"><a href=\"/mot-de-passe-oublie\">%h</a></p></section>",
        tr(r, "recover.link"));
    page_end(r);
}

static void login_page(struct req *r)
{
    if (r->actor) {
        reply_redirect(r, local_next(param(r, "suite")));
        return;
    }
    const char *notice = NULL;
    if (r->session_expired) {
        notice = tr(r, "login.expired");
        resp_cookie(r, cookie_name(r, SESSION_COOKIE), "", 0, true);
    } else if (param_bool(r, "sortie")) {
        notice = tr(r, "login.signed_out");
    } else if (param_bool(r, "nouveau")) {
        notice = tr(r, "recover.done");
    }
    login_form(r, NULL, NULL, notice);
}

enum login_result { LOGIN_OK, LOGIN_BAD, LOGIN_THROTTLED, LOGIN_ERROR };

/* The hash checked when a login has no password to check against (unknown,
 * or not activated yet): the same work as a real check, made once. */
static char dummy_hash[AUTH_HASH_BYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void dummy_make(void) { auth_password_hash("carnet-dummy-password", dummy_hash); }

/* A login that is unknown, not activated yet, disabled, or with a wrong
 * password gets one answer (LOGIN_BAD) after the same work — a password
 * hash checked, a failure counted for the login and the address — so that
 * neither the answer, its time nor the throttle tells them apart (R-SEC).
 * A family with a letter learns what to do on the activation page. */
static enum login_result check_login(struct store *s, struct req *r, const char *login, const char *password,
                                     int64_t *account_id, int64_t *person_id, int64_t *wait)
{
    *wait = auth_throttled(s, r, "login", login);
    if (*wait) return LOGIN_THROTTLED;
    struct stmt *st = store_q(s, "SELECT id, person_id, password_hash, state FROM account WHERE login = $1", "t", login);
    if (!st) return LOGIN_ERROR;
    char hash[AUTH_HASH_BYTES] = "";
    char state[16] = "";
    if (stmt_step(st) == STORE_ROW) {
        *account_id = stmt_int(st, 0);
        *person_id = stmt_int(st, 1);
        snprintf(hash, sizeof hash, "%s", stmt_text(st, 2) ? stmt_text(st, 2) : "");
        snprintf(state, sizeof state, "%s", stmt_text(st, 3));
    }
    stmt_done(st);
    bool active = !strcmp(state, "active");
    pthread_once(&dummy_once, dummy_make);
    const char *against = active && hash[0] ? hash : dummy_hash;
    bool verified = crypto_pwhash_str_verify(against, password, strlen(password)) == 0;
    if (!active || !hash[0] || !verified) {
        auth_failed(s, r, "login", login);
        /* The audit, read by staff only, keeps why. */
        audit(s, r, *person_id, "login.failed", login, active ? "" : state);
        return LOGIN_BAD;
    }
    throttle_clear(s, arena_printf(&r->arena, "login:login:%s", login));
    return LOGIN_OK;
}

static void login_submit(struct req *r)
{
    struct store *s = store_thread();
    const char *login = param(r, "login"), *password = param(r, "password");
    int64_t account = 0, person = 0, wait = 0;
    enum login_result res = check_login(s, r, login, password, &account, &person, &wait);
    switch (res) {
    case LOGIN_OK:
        if (session_create(s, r, account) < 0) break;
        audit(s, r, person, "login", login, "");
        reply_redirect(r, local_next(param(r, "suite")));
        return;
    case LOGIN_THROTTLED:
        r->status = 429;
        resp_header(r, "Retry-After", arena_printf(&r->arena, "%lld", (long long)wait));
        login_form(r, auth_wait_message(r, wait), login, NULL);
        return;
    case LOGIN_BAD:
        r->status = 401;
        login_form(r, tr(r, "login.bad"), login, NULL);
        return;
    case LOGIN_ERROR:
        break;
    }
    reply_error(r, 503, tr(r, "err.unavailable"));
}

static void logout(struct req *r)
{
    struct store *s = store_thread();
    audit(s, r, 0, "logout", "", "");
    session_end(s, r);
    reply_redirect(r, "/connexion?sortie=1");
}

/* ---- Activation by one-time code --------------------------------------- */

static void activate_form(struct req *r, const char *error)
{
    page_begin(r, tr(r, "activate.title"));
    out(r, "<section class=\"card narrow\"><h1>%h</h1><p class=\"lead\">%h</p>", tr(r, "activate.title"),
        tr(r, "activate.lead"));
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    out(r, "<form method=\"post\" action=\"/activer\" class=\"stack\">");
    page_csrf_input(r);
    out(r, "<label for=\"login\">%h</label><input id=\"login\" name=\"login\" autocomplete=\"username\" "
           "autocapitalize=\"none\" required maxlength=\"64\" value=\"%h\">",
        tr(r, "login.login"), param(r, "login") ? param(r, "login") : "");
    out(r, "<label for=\"code\">%h</label><input id=\"code\" name=\"code\" autocomplete=\"one-time-code\" "
           "autocapitalize=\"characters\" required maxlength=\"20\" placeholder=\"ABCD-EFGH-JKMN\" "
           "aria-describedby=\"code-help\"><p class=\"help\" id=\"code-help\">%h</p>",
        tr(r, "activate.code"), tr(r, "activate.code_help"));
    out(r, "<label for=\"password\">%h</label><input id=\"password\" name=\"password\" type=\"password\" "
           "autocomplete=\"new-password\" required minlength=\"10\" maxlength=\"256\" aria-describedby=\"pw-help\">"
           "<p class=\"help\" id=\"pw-help\">%h</p>",
        tr(r, "activate.password"), tr(r, "password.rule"));
    out(r, "<label for=\"password2\">%h</label><input id=\"password2\" name=\"password2\" type=\"password\" "
           "autocomplete=\"new-password\" required maxlength=\"256\">",
        tr(r, "activate.password2"));
    out(r, "<button type=\"submit\" class=\"primary\">%h</button></form></section>", tr(r, "activate.submit"));
    page_end(r);
}

static void activate_page(struct req *r) { activate_form(r, NULL); }

static void activate_submit(struct req *r)
{
    struct store *s = store_thread();
    const char *login = param(r, "login"), *code = param(r, "code");
    const char *pw = param(r, "password"), *pw2 = param(r, "password2");
    int64_t wait = auth_throttled(s, r, "activate", login);
    if (wait) {
        r->status = 429;
        activate_form(r, auth_wait_message(r, wait));
        return;
    }
    char h[65];
    auth_code_hash(code, h);
    int64_t account = 0, person = 0, expires = 0;
    char stored[65] = "";
    struct stmt *st = store_q(s,
        "SELECT id, person_id, activation_hash, activation_expires_at FROM account WHERE login = $1 AND state = 'pending'",
        "t", login);
    if (!st) { reply_error(r, 503, tr(r, "err.unavailable")); return; }
    if (stmt_step(st) == STORE_ROW) {
        account = stmt_int(st, 0);
        person = stmt_int(st, 1);
        snprintf(stored, sizeof stored, "%s", stmt_text(st, 2) ? stmt_text(st, 2) : "");
        expires = stmt_int(st, 3);
    }
    stmt_done(st);
    if (!account || !stored[0] || !text_equal_ct(stored, h)) {
        auth_failed(s, r, "activate", login);
        r->status = 400;
        activate_form(r, tr(r, "activate.bad"));
        return;
    }
    if (expires < clock_now()) {
        r->status = 400;
        activate_form(r, tr(r, "activate.expired"));
        return;
    }
    if (strcmp(pw, pw2)) {
        r->status = 400;
        activate_form(r, tr(r, "err.password.mismatch"));
        return;
    }
    const char *problem = auth_password_problem(pw, login);
    if (problem) {
        r->status = 400;
        activate_form(r, tr(r, problem));
        return;
    }
    char hash[AUTH_HASH_BYTES];
    if (auth_password_hash(pw, hash) < 0) { reply_error(r, 503, tr(r, "err.unavailable")); return; }
    int64_t now = clock_now();
    if (store_begin(s) < 0) { reply_error(r, 503, tr(r, "err.unavailable")); return; }
    if (store_run(s,
                  "UPDATE account SET password_hash = $1, state = 'active', activation_hash = NULL,"
                  " activation_expires_at = NULL, activated_at = $2, password_changed_at = $2"
                  " WHERE id = $3 AND state = 'pending'",
                  "tii", hash, now, account) < 0 ||
        store_changes(s) != 1 || session_create(s, r, account) < 0) {
        store_rollback(s);
        reply_error(r, 409, tr(r, "activate.bad"));
        return;
    }
    store_commit(s);
    audit(s, r, person, "account.activated", login, "");
    reply_redirect(r, "/?bienvenue=1");
}

/* ---- My account: sessions, password ------------------------------------ */

static void account_page_render(struct req *r, const char *error, const char *notice)
{
    struct store *s = store_thread();
    const struct actor *a = r->actor;
    page_begin(r, tr(r, "account.title"));
    out(r, "<h1>%h</h1>", tr(r, "account.title"));
    if (notice) out(r, "<p class=\"notice\" role=\"status\">%h</p>", notice);
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    out(r, "<section class=\"card\"><h2>%h</h2><dl class=\"facts\"><dt>%h</dt><dd>%h %h</dd><dt>%h</dt><dd>%h</dd>",
        tr(r, "account.identity"), tr(r, "account.name"), a->first_name, a->last_name, tr(r, "login.login"), a->login);
    out(r, "<dt>%h</dt><dd><ul class=\"plain\">", tr(r, "account.roles"));
    for (size_t i = 0; i < a->nroles; i++) {
        char key[32];
        snprintf(key, sizeof key, "profile.%s", policy_profile_name(a->roles[i].profile));
        out(r, "<li>%h%R%h</li>", tr(r, key), a->roles[i].establishment_name ? " — " : "", /* RAW_OK: literal */
            a->roles[i].establishment_name ? a->roles[i].establishment_name : "");
    }
    out(r, "</ul></dd></dl></section>");
    auth_contact_settings(r);
    out(r, "<section class=\"card\"><h2>%h</h2><p>%h</p><p><a class=\"button\" href=\"/compte/notifications\">%h</a></p></section>",
        tr(r, "account.notifications"), tr(r, "account.notifications_lead"), tr(r, "account.notifications_open"));
    reps_consent_settings(r);

    out(r, "<section class=\"card\"><h2 id=\"sessions\">%h</h2><p>%h</p><ul class=\"sessions\">",
        tr(r, "account.sessions"), tr(r, "account.sessions_lead"));
    struct stmt *st = store_q(s,
        "SELECT id, created_at, last_seen_at, address, user_agent FROM session WHERE account_id = $1"
        " AND revoked_at IS NULL AND expires_at > $2 AND last_seen_at > $3 ORDER BY last_seen_at DESC",
        "iii", a->account_id, clock_now(), clock_now() - SESSION_IDLE_S);
    while (st && stmt_step(st) == STORE_ROW) {
        int64_t id = stmt_int(st, 0);
        const char *created = page_datetime(r, stmt_int(st, 1)), *seen = page_datetime(r, stmt_int(st, 2));
        out(r, "<li><p><strong>%h</strong>", stmt_text(st, 4)[0] ? stmt_text(st, 4) : tr(r, "account.unknown_device"));
        if (id == r->session_id) out(r, " <span class=\"badge\">%h</span>", tr(r, "account.this_device"));
        out(r, "</p><p class=\"meta\">%h %h · %h %h · %h</p>", tr(r, "account.since"), created,
            tr(r, "account.last_seen"), seen, stmt_text(st, 3));
        if (id != r->session_id) {
            out(r, "<form method=\"post\" action=\"/compte/sessions/%I/fin\">", id);
            page_csrf_input(r);
            out(r, "<button type=\"submit\">%h</button></form>", tr(r, "account.end_session"));
        }
        out(r, "</li>");
    }
    stmt_done(st);
    out(r, "</ul><form method=\"post\" action=\"/compte/sessions/fin\">");
    page_csrf_input(r);
    out(r, "<button type=\"submit\" class=\"danger\">%h</button></form></section>", tr(r, "account.end_all"));

    out(r, "<section class=\"card\"><h2>%h</h2><form method=\"post\" action=\"/compte/mot-de-passe\" class=\"stack\">",
        tr(r, "account.password"));
    page_csrf_input(r);
    out(r, "<label for=\"current\">%h</label><input id=\"current\" name=\"current\" type=\"password\" "
           "autocomplete=\"current-password\" required maxlength=\"256\">"
           "<label for=\"password\">%h</label><input id=\"password\" name=\"password\" type=\"password\" "
           "autocomplete=\"new-password\" required minlength=\"10\" maxlength=\"256\" aria-describedby=\"pw-help\">"
           "<p class=\"help\" id=\"pw-help\">%h</p>"
           "<label for=\"password2\">%h</label><input id=\"password2\" name=\"password2\" type=\"password\" "
           "autocomplete=\"new-password\" required maxlength=\"256\">"
           "<button type=\"submit\">%h</button></form></section>",
        tr(r, "account.current_password"), tr(r, "activate.password"), tr(r, "password.rule"),
        tr(r, "activate.password2"), tr(r, "account.change_password"));
    page_end(r);
}

static void account_page(struct req *r)
{
    account_page_render(r, NULL, param_bool(r, "courriel") ? tr(r, "contact.sent")
                                 : param_bool(r, "ok")     ? tr(r, "account.saved")
                                                           : NULL);
}

static void end_one(struct req *r)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id");
    store_run(s, "UPDATE session SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL", "iii",
              clock_now(), id, r->actor->account_id);
    if (store_changes(s) != 1) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    audit(s, r, 0, "session.ended", arena_printf(&r->arena, "session:%lld", (long long)id), "");
    reply_redirect(r, "/compte?ok=1#sessions");
}

static void end_all(struct req *r)
{
    struct store *s = store_thread();
    store_run(s, "UPDATE session SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL", "ii", clock_now(),
              r->actor->account_id);
    audit(s, r, 0, "session.ended_all", "", "");
    resp_cookie(r, cookie_name(r, SESSION_COOKIE), "", 0, true);
    reply_redirect(r, "/connexion?sortie=1");
}

static void change_password(struct req *r)
{
    struct store *s = store_thread();
    const char *cur = param(r, "current"), *pw = param(r, "password"), *pw2 = param(r, "password2");
    char hash[AUTH_HASH_BYTES] = "";
    struct stmt *st = store_q(s, "SELECT password_hash FROM account WHERE id = $1", "i", r->actor->account_id);
    if (st && stmt_step(st) == STORE_ROW && stmt_text(st, 0)) snprintf(hash, sizeof hash, "%s", stmt_text(st, 0));
    stmt_done(st);
    if (!hash[0] || crypto_pwhash_str_verify(hash, cur, strlen(cur)) != 0) {
        r->status = 400;
        account_page_render(r, tr(r, "account.bad_current"), NULL);
        return;
    }
    const char *problem = strcmp(pw, pw2) ? "err.password.mismatch" : auth_password_problem(pw, r->actor->login);
    if (problem) {
        r->status = 400;
        account_page_render(r, tr(r, problem), NULL);
        return;
    }
    if (auth_password_hash(pw, hash) < 0) { reply_error(r, 503, tr(r, "err.unavailable")); return; }
    int64_t now = clock_now();
    store_run(s, "UPDATE account SET password_hash = $1, password_changed_at = $2 WHERE id = $3", "tii", hash, now,
              r->actor->account_id);
    /* Other devices are signed out: a changed password is often a stolen one. */
    store_run(s, "UPDATE session SET revoked_at = $1 WHERE account_id = $2 AND id <> $3 AND revoked_at IS NULL", "iii",
              now, r->actor->account_id, r->session_id);
    audit(s, r, 0, "password.changed", "", "");
    reply_redirect(r, "/compte?ok=1");
}

/* ---- Activation letters (paper, per class) ---------------------------- */

/* Pending accounts of a class: its pupils and their guardians, one row per
 * account and child, an account's rows together (a parent of twins has two). */
static const char *const q_pending =
    "SELECT a.id, p.first_name, p.last_name, a.login, 'pupil', 0, '', '' FROM enrolment en"
    " JOIN person p ON p.id = en.pupil_id JOIN account a ON a.person_id = p.id"
    " WHERE en.class_id = $1 AND a.state = 'pending' AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"
    " UNION ALL"
    " SELECT a.id, p.first_name, p.last_name, a.login, 'parent', c.id, c.first_name, c.last_name"
    " FROM enrolment en JOIN guardianship g ON g.pupil_id = en.pupil_id JOIN person p ON p.id = g.parent_id"
    " JOIN person c ON c.id = en.pupil_id JOIN account a ON a.person_id = p.id"
    " WHERE en.class_id = $1 AND a.state = 'pending' AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"
    " ORDER BY 3, 2, 1, 7, 6";

/* One letter per pending account, whatever the number of its children in
 * the class: one code per account, so no letter undoes another. */
struct letter {
    int64_t id;
    const char *first, *last, *login;
    const char **children; /* the parent's children in this class, "First Last" */
    size_t nchildren, cap;
    char code[15];
};

static struct letter *pending_letters(struct store *s, struct req *r, int64_t cls,
                                      const char *today, size_t *n)
{
    struct letter *v = NULL;
    size_t cap = 0;
    *n = 0;
    struct stmt *st = store_q(s, q_pending, "it", cls, today);
    while (st && stmt_step(st) == STORE_ROW) {
        int64_t id = stmt_int(st, 0);
        if (!*n || v[*n - 1].id != id) {
            v = arena_grow(&r->arena, v, *n, &cap, sizeof *v);
            v[*n] = (struct letter){.id = id, .first = arena_strdup(&r->arena, stmt_text(st, 1)),
                                    .last = arena_strdup(&r->arena, stmt_text(st, 2)),
                                    .login = arena_strdup(&r->arena, stmt_text(st, 3))};
            (*n)++;
        }
        struct letter *l = &v[*n - 1];
        if (!strcmp(stmt_text(st, 4), "parent")) {
            l->children =
                arena_grow(&r->arena, l->children, l->nchildren, &l->cap, sizeof *l->children);
            l->children[l->nchildren++] =
                arena_printf(&r->arena, "%s %s", stmt_text(st, 6), stmt_text(st, 7));
        }
    }
    stmt_done(st);
    return v;
}

/* "Responsable de A", "… de A et B", "… de A, B et C"; NULL for a pupil's letter. */
static const char *letter_children(struct req *r, const struct letter *l)
{
    if (!l->nchildren) return NULL;
    const char *list = l->children[0], *conj = tr(r, "letters.and");
    for (size_t i = 1; i < l->nchildren; i++)
        list = i + 1 < l->nchildren ? arena_printf(&r->arena, "%s, %s", list, l->children[i])
                                    : arena_printf(&r->arena, "%s %s %s", list, conj, l->children[i]);
    return tr_fmt(r, "letters.for_parent", list, NULL);
}

static bool letters_allowed(struct req *r, int64_t cls, const char **class_name, const char **est_name)
{
    struct store *s = store_thread();
    if (!policy_may(s, r->actor, ACT_ACCOUNTS_ISSUE, OBJECT(OBJ_CLASS, cls))) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return false;
    }
    struct stmt *st = store_q(s, "SELECT c.name, e.name FROM class c JOIN establishment e ON e.id = c.establishment_id"
                                 " WHERE c.id = $1", "i", cls);
    bool found = st && stmt_step(st) == STORE_ROW;
    if (found) {
        *class_name = arena_strdup(&r->arena, stmt_text(st, 0));
        *est_name = arena_strdup(&r->arena, stmt_text(st, 1));
    }
    stmt_done(st);
    if (!found) reply_error(r, 404, tr(r, "err.not_found"));
    return found;
}

/* One printable activation letter: where it comes from (or NULL), the
 * person, the children it names (or NULL), the code, its end, the address. */
static void letter_render(struct req *r, const char *where, const struct letter *l, const char *children,
                          const char *until, const char *url)
{
    out(r, "<article class=\"letter card\">");
    if (where) out(r, "<p class=\"meta\">%h</p>", where);
    out(r, "<h2>%h %h</h2>", l->first, l->last);
    if (children) out(r, "<p>%h</p>", children);
    out(r, "<p>%h</p><dl class=\"facts\"><dt>%h</dt><dd><strong>%h</strong></dd><dt>%h</dt>"
           "<dd><strong class=\"code\">%h</strong>"
           " <span class=\"meta\">%h</span></dd><dt>%h</dt><dd>%h</dd></dl><ol><li>%h</li><li>%h</li><li>%h</li></ol>"
           "<p class=\"meta\">%h</p></article>",
        tr(r, "letters.intro"), tr(r, "login.login"), l->login, tr(r, "activate.code"), l->code,
        tr_fmt(r, "letters.until", until, NULL), tr(r, "letters.address"), url, tr(r, "letters.step1"),
        tr(r, "letters.step2"), tr(r, "password.rule"), tr(r, "letters.keep"));
}

static void letters_page(struct req *r)
{
    int64_t cls = param_int(r, "id");
    const char *cname, *ename;
    if (!letters_allowed(r, cls, &cname, &ename)) return;
    char today[11];
    clock_today(today);
    size_t n = 0;
    struct letter *v = pending_letters(store_thread(), r, cls, today, &n);
    page_begin(r, tr(r, "letters.title"));
    out(r, "<h1>%h</h1><p class=\"lead\">%h %h — %h</p><section class=\"card\"><p>%h</p><ul class=\"plain\">",
        tr(r, "letters.title"), tr(r, "portal.class"), cname, ename, tr(r, "letters.lead"));
    for (size_t i = 0; i < n; i++) {
        out(r, "<li>%h %h", v[i].first, v[i].last);
        const char *children = letter_children(r, &v[i]);
        if (children) out(r, " — %h", children);
        out(r, " <span class=\"meta\">(%h)</span></li>", v[i].login);
    }
    out(r, "</ul>");
    if (!n) {
        out(r, "<p>%h</p></section>", tr(r, "letters.none"));
    } else {
        char nb[24];
        snprintf(nb, sizeof nb, "%zu", n);
        out(r, "<form method=\"post\" action=\"/classes/%I/courriers\">", cls);
        page_csrf_input(r);
        out(r, "<p class=\"help\">%h</p><button type=\"submit\" class=\"primary\">%h</button></form></section>",
            tr(r, "letters.warning"), tr_fmt(r, "letters.generate", nb, NULL));
    }
    page_end(r);
}

static void letters_generate(struct req *r)
{
    struct store *s = store_thread();
    int64_t cls = param_int(r, "id");
    const char *cname, *ename;
    if (!letters_allowed(r, cls, &cname, &ename)) return;
    char today[11];
    clock_today(today);
    const char *host = req_header(r, "Host");
    const char *url = arena_printf(&r->arena, "%s://%s/activer", r->tls ? "https" : "http", host ? host : "");
    const char *until = page_date(r, clock_now() + ACTIVATION_VALID_S);
    if (store_begin(s) < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    size_t n = 0;
    struct letter *v = pending_letters(s, r, cls, today, &n);
    for (size_t i = 0; i < n; i++) {
        if (auth_activation_issue(s, v[i].id, v[i].code) < 0) {
            store_rollback(s);
            reply_error(r, 503, tr(r, "err.unavailable"));
            return;
        }
    }
    char count[24];
    snprintf(count, sizeof count, "%zu", n);
    audit(s, r, 0, "activation.letters", arena_printf(&r->arena, "class:%lld", (long long)cls), count);
    if (store_commit(s) < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    page_begin(r, tr(r, "letters.title"));
    out(r, "<div class=\"no-print\"><h1>%h</h1><p class=\"notice\" role=\"status\">%h</p></div>",
        tr(r, "letters.title"),
        tr_fmt(r, "letters.done", count, NULL));
    const char *where = arena_printf(&r->arena, "%s — %s %s", ename, tr(r, "portal.class"), cname);
    for (size_t i = 0; i < n; i++)
        letter_render(r, where, &v[i], letter_children(r, &v[i]), until, url);
    page_end(r);
}

/* POST /personnes/{id}/courrier: one new activation letter for a person
 * whose account waits (lost letter, new parent), from their page. */
static void person_letter(struct req *r)
{
    struct store *s = store_thread();
    int64_t person = param_int(r, "id");
    struct letter l = {0};
    struct stmt *st = store_q(s, "SELECT a.id, a.login, p.first_name, p.last_name FROM account a"
                                 " JOIN person p ON p.id = a.person_id WHERE a.person_id = $1"
                                 " AND a.state = 'pending'", "i", person);
    if (st && stmt_step(st) == STORE_ROW)
        l = (struct letter){.id = stmt_int(st, 0), .login = arena_strdup(&r->arena, stmt_text(st, 1)),
                            .first = arena_strdup(&r->arena, stmt_text(st, 2)),
                            .last = arena_strdup(&r->arena, stmt_text(st, 3))};
    stmt_done(st);
    if (!l.id) {
        reply_error(r, 409, tr(r, "letters.not_pending"));
        return;
    }
    const char *host = req_header(r, "Host");
    const char *url = arena_printf(&r->arena, "%s://%s/activer", r->tls ? "https" : "http", host ? host : "");
    if (store_begin(s) < 0 || auth_activation_issue(s, l.id, l.code) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, person, "activation.letter", arena_printf(&r->arena, "person:%lld", (long long)person), l.login);
    if (store_commit(s) < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    page_begin(r, tr(r, "letters.title"));
    out(r, "<div class=\"no-print\"><h1>%h</h1><p class=\"notice\" role=\"status\">%h</p></div>",
        tr(r, "letters.title"),
        tr_fmt(r, "letters.done", "1", NULL));
    letter_render(r, NULL, &l, NULL, page_date(r, clock_now() + ACTIVATION_VALID_S), url);
    out(r, "<p class=\"no-print\"><a href=\"/personnes/%I\">%h</a></p>", person, tr(r, "letters.back_person"));
    page_end(r);
}

/* ---- JSON API ----------------------------------------------------------- */

static void api_login(struct req *r)
{
    struct store *s = store_thread();
    const char *login = param(r, "login"), *password = param(r, "password");
    int64_t account = 0, person = 0, wait = 0;
    switch (check_login(s, r, login, password, &account, &person, &wait)) {
    case LOGIN_OK:
        if (session_create(s, r, account) < 0) break;
        audit(s, r, person, "login", login, "api");
        reply_json(r, 200, json_pack("{s:I,s:s}", "person_id", (json_int_t)person, "csrf_token", r->csrf));
        return;
    case LOGIN_THROTTLED:
        resp_header(r, "Retry-After", arena_printf(&r->arena, "%lld", (long long)wait));
        reply_error(r, 429, auth_wait_message(r, wait));
        return;
    case LOGIN_BAD:
        reply_error(r, 401, tr(r, "login.bad"));
        return;
    case LOGIN_ERROR:
        break;
    }
    reply_error(r, 503, tr(r, "err.unavailable"));
}

static void api_logout(struct req *r)
{
    struct store *s = store_thread();
    audit(s, r, 0, "logout", "", "api");
    session_end(s, r);
    reply_json(r, 200, json_pack("{s:b}", "signed_out", 1));
}

const struct route auth_routes[] = {
    {.method = M_GET, .path = "/connexion", .handler = login_page, .action = ACT_PUBLIC,
     .params = (const struct param_spec[]){{"suite", P_LINE, SRC_QUERY, .maxlen = 500},
                                           {"sortie", P_BOOL, SRC_QUERY}, {"nouveau", P_BOOL, SRC_QUERY}, {0}}},
    {.method = M_POST, .path = "/connexion", .handler = login_submit, .action = ACT_PUBLIC, .flags = ROUTE_ANON_FORM,
     .params = (const struct param_spec[]){
         {"login", P_LOGIN, SRC_BODY, .required = true, .maxlen = LIMIT_LOGIN_BYTES, .label = "login.login"},
         {"password", P_PASSWORD, SRC_BODY, .required = true, .label = "login.password"},
         {"suite", P_LINE, SRC_BODY, .maxlen = 500}, {0}}},
    {.method = M_POST, .path = "/deconnexion", .handler = logout, .action = ACT_SIGNED_IN},
    {.method = M_GET, .path = "/activer", .handler = activate_page, .action = ACT_PUBLIC,
     .params = (const struct param_spec[]){{"login", P_LOGIN, SRC_QUERY, .maxlen = LIMIT_LOGIN_BYTES}, {0}}},
    {.method = M_POST, .path = "/activer", .handler = activate_submit, .action = ACT_PUBLIC, .flags = ROUTE_ANON_FORM,
     .params = (const struct param_spec[]){
         {"login", P_LOGIN, SRC_BODY, .required = true, .maxlen = LIMIT_LOGIN_BYTES, .label = "login.login"},
         {"code", P_CODE, SRC_BODY, .required = true, .maxlen = 20, .label = "activate.code"},
         {"password", P_PASSWORD, SRC_BODY, .required = true, .label = "activate.password"},
         {"password2", P_PASSWORD, SRC_BODY, .required = true, .label = "activate.password2"}, {0}}},
    {.method = M_GET, .path = "/compte", .handler = account_page, .action = ACT_SIGNED_IN,
     .params = (const struct param_spec[]){{"ok", P_BOOL, SRC_QUERY}, {"courriel", P_BOOL, SRC_QUERY}, {0}}},
    {.method = M_POST, .path = "/compte/sessions/{id}/fin", .handler = end_one, .action = ACT_SIGNED_IN,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_POST, .path = "/compte/sessions/fin", .handler = end_all, .action = ACT_SIGNED_IN},
    {.method = M_POST, .path = "/compte/mot-de-passe", .handler = change_password, .action = ACT_SIGNED_IN,
     .params = (const struct param_spec[]){
         {"current", P_PASSWORD, SRC_BODY, .required = true, .label = "account.current_password"},
         {"password", P_PASSWORD, SRC_BODY, .required = true, .label = "activate.password"},
         {"password2", P_PASSWORD, SRC_BODY, .required = true, .label = "activate.password2"}, {0}}},
    {.method = M_GET, .path = "/classes/{id}/courriers", .handler = letters_page, .action = ACT_ACCOUNTS_ISSUE,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_POST, .path = "/personnes/{id}/courrier", .handler = person_letter, .action = ACT_ACCOUNTS_ISSUE,
     .object = OBJ_PERSON, .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_POST, .path = "/classes/{id}/courriers", .handler = letters_generate, .action = ACT_ACCOUNTS_ISSUE,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_POST, .path = "/api/v1/session", .handler = api_login, .action = ACT_PUBLIC, .flags = ROUTE_API,
     .params = (const struct param_spec[]){
         {"login", P_LOGIN, SRC_BODY, .required = true, .maxlen = LIMIT_LOGIN_BYTES},
         {"password", P_PASSWORD, SRC_BODY, .required = true}, {0}}},
    {.method = M_DELETE, .path = "/api/v1/session", .handler = api_logout, .action = ACT_SIGNED_IN, .flags = ROUTE_API},
    {0}};
