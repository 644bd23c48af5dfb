/* recover.c — "mot de passe oublié" for an activated account: the person
 * gives their login or e-mail; if an activated account matches and has an
 * address, a single-use link valid PASSWORD_RESET_VALID_S is e-mailed
 * (only its hash is kept); the answer is the same whether anything matched
 * or not, and requests are throttled per login and per address. Following
 * the link sets a new password under the usual policy and signs every
 * device out. An account never activated needs its paper letter instead. */
#include "auth.h"
#include "internal.h"
#include "../notify/notify.h"
#include "../../core/audit.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/limits.h"
#include "../../core/page.h"
#include "../../core/router.h"
#include "../../core/secret.h"
#include "../../policy/policy.h"
#include "../../store/store.h"
#include <ctype.h>
#include <string.h>

static void ask_form(struct req *r, const char *error, const char *notice) {
    page_begin(r, tr(r, "recover.title"));
    out(r, "<section class=\"card narrow\"><h1>%h</h1><p class=\"lead\">%h</p>",
        tr(r, "recover.title"), tr(r, "recover.lead"));
    if (notice) out(r, "<p class=\"notice\" role=\"status\">%h</p>", notice);
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    out(r, "<form method=\"post\" action=\"/mot-de-passe-oublie\" class=\"stack\">");
    page_csrf_input(r);
    out(r,
        "<label for=\"login\">%h</label><input id=\"login\" name=\"login\""
        " autocomplete=\"username\""
        " autocapitalize=\"none\" spellcheck=\"false\" required maxlength=\"254\">"
        "<button type=\"submit\" class=\"primary\">%h</button></form>"
        "<p class=\"help\">%h <a href=\"/activer\">%h</a></p></section>",
        tr(r, "recover.login"), tr(r, "recover.submit"), tr(r, "recover.not_activated"),
        tr(r, "login.activate_link"));
    page_end(r);
}

static void ask_page(struct req *r) { ask_form(r, NULL, NULL); }

/* The activated account that login names (a login, or the e-mail of its
 * person), with the address to write to. 0 when none. */
static int64_t account_of(struct store *s, struct req *r, const char *login, int64_t *person,
                          const char **email) {
    char lower[256];
    size_t n = 0;
    for (; login[n] && n + 1 < sizeof lower; n++) lower[n] = (char)tolower((unsigned char)login[n]);
    lower[n] = 0;
    int64_t account = 0;
    struct stmt *st =
        store_q(s,
                "SELECT a.id, a.person_id, p.email FROM account a JOIN person p"
                " ON p.id = a.person_id WHERE a.state = 'active' AND p.email IS NOT NULL"
                " AND (a.login = $1 OR lower(p.email) = $1) ORDER BY a.id LIMIT 2",
                "t", lower);
    if (st && stmt_step(st) == STORE_ROW) {
        account = stmt_int(st, 0);
        *person = stmt_int(st, 1);
        *email = arena_strdup(&r->arena, stmt_text(st, 2));
        /* An address shared by two accounts names neither. */
        if (stmt_step(st) == STORE_ROW) account = 0;
    }
    stmt_done(st);
    return account;
}

static void ask_submit(struct req *r) {
    struct store *s = store_thread();
    const char *login = param(r, "login");
    int64_t wait = auth_throttled(s, r, "reset", login);
    if (wait) {
        r->status = 429;
        ask_form(r, auth_wait_message(r, wait), NULL);
        return;
    }
    /* Every request counts: the link is the scarce thing, not a failure. */
    auth_failed(s, r, "reset", login);
    int64_t person = 0;
    const char *email = NULL;
    int64_t account = account_of(s, r, login, &person, &email);
    if (account) {
        char *token = secret_token(&r->arena, 32), hash[65];
        secret_hash(token, hash);
        const char *link =
            arena_printf(&r->arena, "%s/mot-de-passe/nouveau?jeton=%s", auth_public_url(r), token);
        int64_t now = clock_now();
        if (store_begin(s) < 0
            || store_run(
                   s,
                   "UPDATE password_reset SET used_at = $2 WHERE account_id = $1 AND used_at IS"
                   " NULL",
                   "ii", account, now)
                   < 0
            || store_run(
                   s,
                   "INSERT INTO password_reset (account_id, token_hash, created_at, expires_at)"
                   " VALUES ($1, $2, $3, $4)",
                   "itii", account, hash, now, now + PASSWORD_RESET_VALID_S)
                   < 0
            || notify_mail_account(s, person, email, "password_reset", link) < 0
            || store_commit(s) < 0) {
            store_rollback(s);
            reply_error(r, 503, tr(r, "err.unavailable"));
            return;
        }
        notify_job_kick();
        audit(s, r, person, "password.reset_asked", "", "");
    }
    ask_form(r, NULL, tr(r, "recover.sent"));
}

/* The account of a live reset token, or 0. */
static int64_t reset_account(struct store *s, const char *token, int64_t *reset) {
    if (!token) return 0;
    char hash[65];
    secret_hash(token, hash);
    int64_t account = 0;
    struct stmt *st = store_q(s,
                              "SELECT id, account_id FROM password_reset WHERE token_hash = $1"
                              " AND used_at IS NULL AND expires_at > $2",
                              "ti", hash, clock_now());
    if (st && stmt_step(st) == STORE_ROW) {
        *reset = stmt_int(st, 0);
        account = stmt_int(st, 1);
    }
    stmt_done(st);
    return account;
}

static void new_form(struct req *r, const char *token, const char *error) {
    page_begin(r, tr(r, "recover.new_title"));
    out(r, "<section class=\"card narrow\"><h1>%h</h1>", tr(r, "recover.new_title"));
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    out(r, "<form method=\"post\" action=\"/mot-de-passe/nouveau\" class=\"stack\">");
    page_csrf_input(r);
    out(r,
        "<input type=\"hidden\" name=\"jeton\" value=\"%h\">"
        "<label for=\"password\">%h</label><input id=\"password\" name=\"password\""
        " type=\"password\""
        " autocomplete=\"new-password\" required minlength=\"10\" maxlength=\"256\""
        " aria-describedby=\"pw-help\"><p class=\"help\" id=\"pw-help\">%h</p>"
        "<label for=\"password2\">%h</label><input id=\"password2\" name=\"password2\""
        " type=\"password\""
        " autocomplete=\"new-password\" required maxlength=\"256\">"
        "<button type=\"submit\" class=\"primary\">%h</button></form></section>",
        token, tr(r, "activate.password"), tr(r, "password.rule"), tr(r, "activate.password2"),
        tr(r, "recover.new_submit"));
    page_end(r);
}

static void gone(struct req *r) {
    r->status = 400;
    ask_form(r, tr(r, "recover.gone"), NULL);
}

static void new_page(struct req *r) {
    int64_t reset = 0;
    if (!reset_account(store_thread(), param(r, "jeton"), &reset)) {
        gone(r);
        return;
    }
    new_form(r, param(r, "jeton"), NULL);
}

static void new_submit(struct req *r) {
    struct store *s = store_thread();
    const char *token = param(r, "jeton"), *pw = param(r, "password"), *pw2 = param(r, "password2");
    int64_t reset = 0, account = reset_account(s, token, &reset), person = 0;
    if (!account) {
        gone(r);
        return;
    }
    char login[80] = "";
    struct stmt *st =
        store_q(s, "SELECT login, person_id FROM account WHERE id = $1", "i", account);
    if (st && stmt_step(st) == STORE_ROW) {
        snprintf(login, sizeof login, "%s", stmt_text(st, 0));
        person = stmt_int(st, 1);
    }
    stmt_done(st);
    const char *problem =
        strcmp(pw, pw2) ? "err.password.mismatch" : auth_password_problem(pw, login);
    if (problem) {
        r->status = 400;
        new_form(r, token, tr(r, problem));
        return;
    }
    char hash[AUTH_HASH_BYTES];
    int64_t now = clock_now();
    if (auth_password_hash(pw, hash) < 0 || store_begin(s) < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    /* Used once: the UPDATE that marks it is the one that counts. */
    if (store_run(s, "UPDATE password_reset SET used_at = $2 WHERE id = $1 AND used_at IS NULL",
                  "ii", reset, now)
            < 0
        || store_changes(s) != 1
        || store_run(
               s, "UPDATE account SET password_hash = $1, password_changed_at = $2 WHERE id = $3",
               "tii", hash, now, account)
               < 0
        || store_run(
               s, "UPDATE session SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
               "ii", now, account)
               < 0
        || store_commit(s) < 0) {
        store_rollback(s);
        gone(r);
        return;
    }
    audit(s, r, person, "password.reset", "", "");
    reply_redirect(r, "/connexion?nouveau=1");
}

const struct route auth_recover_routes[] = {
    {.method = M_GET,
     .path = "/mot-de-passe-oublie",
     .handler = ask_page,
     .action = ACT_PUBLIC,
     .flags = ROUTE_ANON_FORM},
    {.method = M_POST,
     .path = "/mot-de-passe-oublie",
     .handler = ask_submit,
     .action = ACT_PUBLIC,
     .flags = ROUTE_ANON_FORM,
     .params = (const struct param_spec[]){{"login", P_LINE, SRC_BODY, .required = true,
                                            .maxlen = 254, .label = "recover.login"},
                                           {0}}},
    {.method = M_GET,
     .path = "/mot-de-passe/nouveau",
     .handler = new_page,
     .action = ACT_PUBLIC,
     .flags = ROUTE_ANON_FORM,
     .params = (const struct param_spec[]){{"jeton", P_TOKEN, SRC_QUERY, .maxlen = 64}, {0}}},
    {.method = M_POST,
     .path = "/mot-de-passe/nouveau",
     .handler = new_submit,
     .action = ACT_PUBLIC,
     .flags = ROUTE_ANON_FORM,
     .params =
         (const struct param_spec[]){
             {"jeton", P_TOKEN, SRC_BODY, .required = true, .maxlen = 64},
             {"password", P_PASSWORD, SRC_BODY, .required = true, .label = "activate.password"},
             {"password2", P_PASSWORD, SRC_BODY, .required = true, .label = "activate.password2"},
             {0}}},
    {0}};
