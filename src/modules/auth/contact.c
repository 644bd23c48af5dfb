/* contact.c — a person's own e-mail and mobile number (issue 15: accounts
 * families can keep). A new e-mail counts once the person follows the link
 * sent to it (EMAIL_CONFIRM_VALID_S); the mobile number is theirs to set.
 * What the school's directory says stays apart (school_email,
 * school_phone): a re-import never overwrites what the person typed. */
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
#include "../../core/text.h"
#include "../../policy/policy.h"
#include "../../store/store.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

void auth_contact_settings(struct req *r) {
    struct store *s = store_thread();
    const char *email = NULL, *phone = NULL, *school = NULL, *pending = NULL;
    struct stmt *st = store_q(s,
                              "SELECT p.email, p.phone, p.school_email, (SELECT c.email FROM"
                              " email_change c WHERE c.person_id = p.id AND c.used_at IS NULL"
                              " AND c.expires_at > $2 ORDER BY c.id DESC LIMIT 1) FROM person p"
                              " WHERE p.id = $1",
                              "ii", r->actor->person_id, clock_now());
    if (st && stmt_step(st) == STORE_ROW) {
        email = arena_strdup(&r->arena, stmt_text(st, 0));
        phone = arena_strdup(&r->arena, stmt_text(st, 1));
        school = arena_strdup(&r->arena, stmt_text(st, 2));
        pending = arena_strdup(&r->arena, stmt_text(st, 3));
    }
    stmt_done(st);
    out(r, "<section class=\"card\"><h2 id=\"coordonnees\">%h</h2><p>%h</p>",
        tr(r, "contact.title"), tr(r, "contact.lead"));
    out(r, "<form method=\"post\" action=\"/compte/courriel\" class=\"stack\">");
    page_csrf_input(r);
    out(r,
        "<label for=\"email\">%h</label><input id=\"email\" name=\"email\" type=\"email\""
        " autocomplete=\"email\" maxlength=\"254\" required value=\"%h\">",
        tr(r, "contact.email"), email ? email : "");
    if (pending) out(r, "<p class=\"help\">%h</p>", tr_fmt(r, "contact.pending", pending, NULL));
    if (school && (!email || strcmp(school, email)))
        out(r, "<p class=\"help\">%h</p>", tr_fmt(r, "contact.school_copy", school, NULL));
    out(r, "<button type=\"submit\">%h</button></form>", tr(r, "contact.email_submit"));
    out(r, "<form method=\"post\" action=\"/compte/mobile\" class=\"stack\">");
    page_csrf_input(r);
    out(r,
        "<label for=\"mobile\">%h</label><input id=\"mobile\" name=\"mobile\" type=\"tel\""
        " autocomplete=\"tel\" maxlength=\"30\" value=\"%h\" aria-describedby=\"mobile-help\">"
        "<p class=\"help\" id=\"mobile-help\">%h</p><button type=\"submit\">%h</button></form>"
        "</section>",
        tr(r, "contact.mobile"), phone ? phone : "", tr(r, "contact.mobile_help"),
        tr(r, "contact.mobile_submit"));
}

/* A plain address: one '@', a dot after it, no blank or control, ≤ 254. */
static bool address_ok(const char *a) {
    const char *at = a ? strchr(a, '@') : NULL;
    if (!at || at == a || strchr(at + 1, '@') || !strchr(at + 1, '.') || strlen(a) > 254)
        return false;
    for (const char *c = a; *c; c++)
        if ((unsigned char)*c <= ' ' || strchr("<>()[],;:\\\"", *c)) return false;
    return at[strlen(at) - 1] != '.';
}

static void email_submit(struct req *r) {
    struct store *s = store_thread();
    const char *email = param(r, "email");
    if (!address_ok(email)) {
        reply_error(r, 400, tr(r, "contact.bad_email"));
        return;
    }
    int64_t wait = auth_throttled(s, r, "email", r->actor->login);
    if (wait) {
        reply_error(r, 429, auth_wait_message(r, wait));
        return;
    }
    auth_failed(s, r, "email", r->actor->login);
    char *token = secret_token(&r->arena, 32), hash[65];
    secret_hash(token, hash);
    const char *link =
        arena_printf(&r->arena, "%s/compte/courriel/confirmer?jeton=%s", auth_public_url(r), token);
    int64_t now = clock_now();
    if (store_begin(s) < 0
        || store_run(
               s, "UPDATE email_change SET used_at = $2 WHERE person_id = $1 AND used_at IS NULL",
               "ii", r->actor->person_id, now)
               < 0
        || store_run(
               s,
               "INSERT INTO email_change (person_id, email, token_hash, created_at, expires_at)"
               " VALUES ($1, $2, $3, $4, $5)",
               "ittii", r->actor->person_id, email, hash, now, now + EMAIL_CONFIRM_VALID_S)
               < 0
        || notify_mail_account(s, r->actor->person_id, email, "email_confirm", link) < 0
        || store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    notify_job_kick();
    reply_redirect(r, "/compte?courriel=1#coordonnees");
}

static void email_confirm(struct req *r) {
    struct store *s = store_thread();
    const char *token = param(r, "jeton");
    char hash[65];
    secret_hash(token ? token : "", hash);
    int64_t id = 0, person = 0, now = clock_now();
    const char *email = NULL;
    struct stmt *st = store_q(s,
                              "SELECT id, person_id, email FROM email_change WHERE token_hash = $1"
                              " AND used_at IS NULL AND expires_at > $2",
                              "ti", hash, now);
    if (token && st && stmt_step(st) == STORE_ROW) {
        id = stmt_int(st, 0);
        person = stmt_int(st, 1);
        email = arena_strdup(&r->arena, stmt_text(st, 2));
    }
    stmt_done(st);
    if (!id || store_begin(s) < 0) {
        reply_error(r, 400, tr(r, "contact.gone"));
        return;
    }
    if (store_run(s, "UPDATE email_change SET used_at = $2 WHERE id = $1 AND used_at IS NULL", "ii",
                  id, now)
            < 0
        || store_changes(s) != 1
        || store_run(s, "UPDATE person SET email = $2 WHERE id = $1", "it", person, email) < 0
        || store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 400, tr(r, "contact.gone"));
        return;
    }
    audit(s, r, person, "contact.email_confirmed", "", "");
    page_begin(r, tr(r, "contact.confirmed_title"));
    out(r,
        "<section class=\"card narrow\"><h1>%h</h1><p class=\"notice\" role=\"status\">%h</p>"
        "<p><a href=\"/\">%h</a></p></section>",
        tr(r, "contact.confirmed_title"), tr_fmt(r, "contact.confirmed", email, NULL),
        tr(r, "nav.back_home"));
    page_end(r);
}

/* A mobile number as people type it: digits, spaces, dots, dashes, a
 * leading '+'; 10 digits from 0, or 8 to 15 after '+'. Written in out as
 * typed, blanks tidied; "" clears it. False when it is not a number. */
static bool mobile_ok(const char *v, char *out, size_t cap) {
    size_t digits = 0, n = 0;
    bool plus = v[0] == '+';
    for (const char *c = v; *c && n + 1 < cap; c++) {
        if (isdigit((unsigned char)*c))
            digits++, out[n++] = *c;
        else if (*c == '+' && c == v)
            out[n++] = *c;
        else if (*c == ' ' || *c == '.' || *c == '-') {
            if (n && out[n - 1] != ' ') out[n++] = ' ';
        } else {
            return false;
        }
    }
    while (n && out[n - 1] == ' ') n--;
    out[n] = 0;
    return !n || (plus ? digits >= 8 && digits <= 15 : digits == 10 && v[0] == '0');
}

static void mobile_submit(struct req *r) {
    struct store *s = store_thread();
    const char *v = param(r, "mobile");
    char tidy[40];
    if (!mobile_ok(v ? v : "", tidy, sizeof tidy)) {
        reply_error(r, 400, tr(r, "contact.bad_mobile"));
        return;
    }
    if (store_run(s, "UPDATE person SET phone = $2 WHERE id = $1", "it", r->actor->person_id,
                  tidy[0] ? tidy : NULL)
        < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "contact.mobile_changed", "", "");
    reply_redirect(r, "/compte?ok=1#coordonnees");
}

const struct route auth_contact_routes[] = {
    {.method = M_POST,
     .path = "/compte/courriel",
     .handler = email_submit,
     .action = ACT_SIGNED_IN,
     .params = (const struct param_spec[]){{"email", P_LINE, SRC_BODY, .required = true,
                                            .maxlen = 254, .label = "contact.email"},
                                           {0}}},
    {.method = M_GET,
     .path = "/compte/courriel/confirmer",
     .handler = email_confirm,
     .action = ACT_PUBLIC,
     .flags = ROUTE_GET_WRITES,
     .params = (const struct param_spec[]){{"jeton", P_TOKEN, SRC_QUERY, .maxlen = 64}, {0}}},
    {.method = M_POST,
     .path = "/compte/mobile",
     .handler = mobile_submit,
     .action = ACT_SIGNED_IN,
     .params =
         (const struct param_spec[]){
             {"mobile", P_LINE, SRC_BODY, .maxlen = 30, .label = "contact.mobile"}, {0}}},
    {0}};
