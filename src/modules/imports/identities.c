/* identities.c — the territory admin's queue of doubtful identities (R-ID):
 * two records an import could not tell apart for sure (the same names and
 * nothing else in common), side by side with what each says, to merge
 * (the same human: one person, one account) or keep apart. Never decided
 * by Carnet itself. The merge is src/import/identity_merge.c. */
#include "imports.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/page.h"
#include "../../core/router.h"
#include "../../import/identity.h"
#include "../../policy/policy.h"
#include "../../store/store.h"
#include <stdio.h>
#include <string.h>

/* May the actor decide about the pair (person, candidate)? */
static bool may_decide(struct store *s, const struct actor *a, int64_t person, int64_t candidate) {
    return policy_may(s, a, ACT_IDENTITY_DECIDE, OBJECT(OBJ_PERSON, candidate))
           || policy_may(s, a, ACT_IDENTITY_DECIDE, OBJECT(OBJ_PERSON, person));
}

/* What Carnet knows of one person: names, birth, contacts, address, roles
 * and family links — what the admin needs to tell two humans apart. */
static void person_card(struct req *r, int64_t id, const char *heading) {
    struct store *s = store_thread();
    struct stmt *st =
        store_q(s,
                "SELECT p.first_name, p.last_name, p.birth_date, coalesce(p.school_email,"
                " p.email), coalesce(p.school_phone, p.phone), h.address, h.postcode,"
                " h.city, a.login, a.state FROM person p"
                " LEFT JOIN household h ON h.id = p.household_id"
                " LEFT JOIN account a ON a.person_id = p.id WHERE p.id = $1",
                "i", id);
    out(r, "<div class=\"card\"><h3>%h</h3>", heading);
    if (st && stmt_step(st) == STORE_ROW) {
        out(r, "<p><strong>%h %h</strong></p><dl>", stmt_text(st, 0), stmt_text(st, 1));
        const char *v;
        if ((v = stmt_text(st, 2))) out(r, "<dt>%h</dt><dd>%h</dd>", tr(r, "identity.birth"), v);
        if ((v = stmt_text(st, 3))) out(r, "<dt>%h</dt><dd>%h</dd>", tr(r, "identity.email"), v);
        if ((v = stmt_text(st, 4))) out(r, "<dt>%h</dt><dd>%h</dd>", tr(r, "identity.phone"), v);
        if ((v = stmt_text(st, 5)))
            out(r, "<dt>%h</dt><dd>%h %h %h</dd>", tr(r, "identity.address"), v, stmt_text(st, 6),
                stmt_text(st, 7));
        if ((v = stmt_text(st, 8)))
            out(r, "<dt>%h</dt><dd>%h (%h)</dd>", tr(r, "identity.account"), v,
                tr(r, !strcmp(stmt_text(st, 9), "pending") ? "identity.pending"
                                                           : "identity.activated"));
        out(r, "</dl>");
    }
    stmt_done(st);
    st = store_q(s,
                 "SELECT r.profile, e.name FROM role r JOIN establishment e"
                 " ON e.id = r.establishment_id WHERE r.person_id = $1 AND r.ends_on IS NULL"
                 " ORDER BY e.name, r.profile",
                 "i", id);
    out(r, "<ul>");
    while (st && stmt_step(st) == STORE_ROW) {
        char key[32];
        snprintf(key, sizeof key, "profile.%s", stmt_text(st, 0));
        out(r, "<li>%h — %h</li>", tr(r, key), stmt_text(st, 1));
    }
    stmt_done(st);
    st = store_q(s,
                 "SELECT c.first_name, c.last_name, 1 FROM guardianship g JOIN person c"
                 " ON c.id = g.pupil_id WHERE g.parent_id = $1 UNION ALL"
                 " SELECT p.first_name, p.last_name, 0 FROM guardianship g JOIN person p"
                 " ON p.id = g.parent_id WHERE g.pupil_id = $1",
                 "i", id);
    while (st && stmt_step(st) == STORE_ROW)
        out(r, "<li>%h %h %h</li>", tr(r, stmt_int(st, 2) ? "identity.child" : "identity.parent"),
            stmt_text(st, 0), stmt_text(st, 1));
    stmt_done(st);
    out(r, "</ul></div>");
}

static void queue_page(struct req *r, const char *error) {
    struct store *s = store_thread();
    page_begin(r, tr(r, "identity.title"));
    out(r, "<h1>%h</h1><p class=\"lead\">%h</p>", tr(r, "identity.title"), tr(r, "identity.lead"));
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    struct stmt *st = store_q(s,
                              "SELECT id, person_id, candidate_id, reason, source FROM"
                              " identity_review WHERE state = 'open' ORDER BY id LIMIT 200",
                              "");
    struct pair {
        int64_t id, person, candidate;
        const char *reason, *source;
    } v[200];
    size_t n = 0;
    while (st && stmt_step(st) == STORE_ROW && n < 200) {
        v[n] = (struct pair){stmt_int(st, 0), stmt_int(st, 1), stmt_int(st, 2),
                             arena_strdup(&r->arena, stmt_text(st, 3)),
                             arena_strdup(&r->arena, stmt_text(st, 4))};
        n++;
    }
    stmt_done(st);
    int shown = 0;
    for (size_t i = 0; i < n; i++) {
        if (!may_decide(s, r->actor, v[i].person, v[i].candidate)) continue;
        shown++;
        out(r, "<section class=\"card\"><h2>%h</h2><p>%h</p>",
            tr_fmt(r, "identity.pair", v[i].source, NULL), v[i].reason);
        person_card(r, v[i].candidate, tr(r, "identity.existing"));
        person_card(r, v[i].person, tr(r, "identity.imported"));
        out(r, "<div class=\"row\"><form method=\"post\" action=\"/identites/%I/fusionner\">",
            v[i].id);
        page_csrf_input(r);
        out(r,
            "<button type=\"submit\" class=\"primary\">%h</button></form>"
            "<form method=\"post\" action=\"/identites/%I/separer\">",
            tr(r, "identity.merge"), v[i].id);
        page_csrf_input(r);
        out(r, "<button type=\"submit\">%h</button></form></div></section>",
            tr(r, "identity.keep"));
    }
    if (!shown) out(r, "<p>%h</p>", tr(r, "identity.none"));
    out(r, "<p><a href=\"/\">%h</a></p>", tr(r, "nav.back_home"));
    page_end(r);
}

static void queue(struct req *r) { queue_page(r, NULL); }

static void decide(struct req *r, bool merge) {
    struct store *s = store_thread();
    int64_t id = param_int(r, "id"), person = 0, candidate = 0;
    struct stmt *st =
        store_q(s, "SELECT person_id, candidate_id FROM identity_review WHERE id = $1", "i", id);
    if (st && stmt_step(st) == STORE_ROW) person = stmt_int(st, 0), candidate = stmt_int(st, 1);
    stmt_done(st);
    if (!person) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    if (!may_decide(s, r->actor, person, candidate)) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return;
    }
    char why[40];
    if (identity_decide(s, id, merge, r->actor->person_id, why, sizeof why) < 0) {
        r->status = !strcmp(why, "identity.decided") ? 409 : 422;
        queue_page(r, tr(r, why[0] ? why : "err.unavailable"));
        return;
    }
    reply_redirect(r, "/identites");
}

static void merge(struct req *r) { decide(r, true); }
static void keep(struct req *r) { decide(r, false); }

const struct route identities_routes[] = {
    {.method = M_GET, .path = "/identites", .handler = queue, .action = ACT_IDENTITY_DECIDE},
    {.method = M_POST,
     .path = "/identites/{id}/fusionner",
     .handler = merge,
     .action = ACT_IDENTITY_DECIDE,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_POST,
     .path = "/identites/{id}/separer",
     .handler = keep,
     .action = ACT_IDENTITY_DECIDE,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {0}};
