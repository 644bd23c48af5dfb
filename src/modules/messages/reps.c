/* reps.c — parent representatives (R-REPS): the head's designation page,
 * the parents' consent (home page card, account settings, JSON) and the
 * representatives' broadcast to consenting parents (counts only, never who). */
#include "reps.h"
#include "internal.h"
#include "messages.h"
#include "../files/files.h"
#include "../persons/persons.h"
#include "../../core/audit.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/page.h"
#include "../../core/text.h"
#include "../../policy/policy.h"
#include "../../store/store.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const done_kinds[] = {"designe", "retire", NULL};

/* ---- Facts ---------------------------------------------------------------- */

/* The establishment's current school year (the one whose dates contain
 * today): its id, and its label in *label (arena) when label is not NULL;
 * 0 when there is none. */
static int64_t current_year(struct req *r, int64_t est, const char **label)
{
    char today[11];
    clock_today(today);
    int64_t id = 0;
    struct stmt *st = store_q(store_thread(), "SELECT id, label FROM school_year WHERE establishment_id = $1 AND starts_on <= $2"
                                              " AND ends_on >= $2 ORDER BY starts_on DESC", "it", est, today);
    if (st && stmt_step(st) == STORE_ROW) {
        id = stmt_int(st, 0);
        if (label) *label = arena_strdup(&r->arena, stmt_text(st, 1));
    }
    stmt_done(st);
    return id;
}

/* The establishment's name (arena), "" when it does not exist. */
static const char *establishment_name(struct req *r, int64_t est)
{
    const char *name = "";
    struct stmt *st = store_q(store_thread(), "SELECT name FROM establishment WHERE id = $1", "i", est);
    if (st && stmt_step(st) == STORE_ROW) name = arena_strdup(&r->arena, stmt_text(st, 0));
    stmt_done(st);
    return name;
}

/* The consenting parents of est ($1) whose child is enrolled today ($3) in
 * a class of its current school year ($2), the actor ($4) left out: the
 * audience of a representative. Literal text, pasted into statements. */
#define SQL_AUDIENCE                                                                                              \
    " FROM rep_consent rc JOIN guardianship g ON g.parent_id = rc.parent_id"                                      \
    " JOIN enrolment en ON en.pupil_id = g.pupil_id AND en.starts_on <= $3 AND (en.ends_on IS NULL OR en.ends_on >= $3)" \
    " JOIN class c ON c.id = en.class_id AND c.establishment_id = $1 AND c.school_year_id = $2"                   \
    " WHERE rc.establishment_id = $1 AND rc.consented = 1 AND rc.parent_id <> $4"

/* Broadcasts of the actor (as a representative) in the last 24 hours. */
static int64_t broadcasts_today(struct req *r)
{
    int64_t n = 0;
    store_int(store_thread(), &n,
              "SELECT count(DISTINCT coalesce(broadcast_id, id)) FROM thread WHERE created_by = $1 AND kind = 'rep' AND created_at > $2",
              "ii", r->actor->person_id, clock_now() - 86400);
    return n;
}

/* ---- The head: designate and remove representatives ----------------------- */

static void designation_render(struct req *r, const char *error)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, "id");
    const char *label = NULL, *q = param(r, "q"), *done = param(r, "fait");
    int64_t year = current_year(r, est, &label);
    page_begin(r, tr(r, "reps.title"));
    out(r, "<h1>%h</h1><p class=\"school\">%h", tr(r, "reps.title"), establishment_name(r, est));
    if (year) out(r, " · %h", tr_fmt(r, "reps.year", label, NULL));
    out(r, "</p><p class=\"lead\">%h</p>", tr(r, "reps.head_lead"));
    if (done) out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr(r, !strcmp(done, "designe") ? "reps.designated" : "reps.removed"));
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    if (!year) {
        out(r, "<p class=\"card\">%h</p>", tr(r, "reps.no_year"));
        page_end(r);
        return;
    }
    out(r, "<section class=\"card\" aria-labelledby=\"reps-now\"><h2 id=\"reps-now\">%h</h2>", tr(r, "reps.current"));
    struct stmt *st = store_q(s, "SELECT pr.person_id, p.first_name, p.last_name, pr.designated_at FROM parent_rep pr"
                                 " JOIN person p ON p.id = pr.person_id WHERE pr.establishment_id = $1 AND pr.school_year_id = $2"
                                 " ORDER BY p.last_name, p.first_name", "ii", est, year);
    int n = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        const char *name = arena_printf(&r->arena, "%s %s", stmt_text(st, 1), stmt_text(st, 2));
        if (!n++) out(r, "<ul class=\"plain editable\">");
        out(r, "<li><p><strong>%h</strong> <span class=\"meta\">%h</span></p>"
               "<form method=\"post\" action=\"/etablissements/%I/representants/retrait\" class=\"inline-form\">",
            name, tr_fmt(r, "reps.designated_on", page_date(r, stmt_int(st, 3)), NULL), est);
        page_csrf_input(r);
        out(r, "<input type=\"hidden\" name=\"personne\" value=\"%I\"><button type=\"submit\" class=\"danger\" aria-label=\"%h\">%h</button>"
               "</form></li>",
            stmt_int(st, 0), tr_fmt(r, "reps.remove_who", name, NULL), tr(r, "reps.remove"));
    }
    stmt_done(st);
    if (n) out(r, "</ul>");
    else out(r, "<p class=\"meta\">%h</p>", tr(r, "reps.none"));
    out(r, "</section>");

    out(r, "<section class=\"card\" aria-labelledby=\"reps-add\"><h2 id=\"reps-add\">%h</h2>"
           "<form method=\"get\" action=\"/etablissements/%I/representants\" class=\"inline-form\" role=\"search\">"
           "<label for=\"q\">%h</label><input id=\"q\" name=\"q\" value=\"%h\" minlength=\"2\" maxlength=\"60\" required "
           "autocomplete=\"off\" aria-describedby=\"q-help\"><button type=\"submit\">%h</button></form><p class=\"help\" id=\"q-help\">%h</p>",
        tr(r, "reps.designate"), est, tr(r, "reps.search"), q ? q : "", tr(r, "messages.search_button"), tr(r, "reps.search_help"));
    if (q && text_utf8_len(q) < REP_SEARCH_MIN_CHARS) {
        out(r, "<p class=\"meta\">%h</p>", tr(r, "reps.search_short"));
    } else if (q) {
        char today[11];
        clock_today(today);
        st = store_q(s,
            "SELECT DISTINCT p.id, p.first_name, p.last_name FROM person p JOIN guardianship g ON g.parent_id = p.id"
            " JOIN enrolment en ON en.pupil_id = g.pupil_id AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"
            " JOIN class c ON c.id = en.class_id WHERE c.establishment_id = $1"
            " AND (p.first_name || ' ' || p.last_name LIKE $3 OR p.last_name || ' ' || p.first_name LIKE $3)"
            " ORDER BY p.last_name, p.first_name, p.id LIMIT $4",
            "itti", est, today, arena_printf(&r->arena, "%%%s%%", q), (int64_t)REP_SEARCH_MAX);
        struct { int64_t id; const char *name; } found[REP_SEARCH_MAX];
        size_t nf = 0;
        while (st && stmt_step(st) == STORE_ROW && nf < REP_SEARCH_MAX) {
            found[nf].id = stmt_int(st, 0);
            found[nf++].name = arena_printf(&r->arena, "%s %s", stmt_text(st, 1), stmt_text(st, 2));
        }
        stmt_done(st);
        if (!nf) out(r, "<p class=\"meta\">%h</p>", tr(r, "reps.no_match"));
        else out(r, "<ul class=\"plain editable\">");
        for (size_t i = 0; i < nf; i++) {
            out(r, "<li><p><strong>%h</strong> <span class=\"meta\">", found[i].name);
            /* Their children here, so that the head tells namesakes apart. */
            st = store_q(s, "SELECT p.first_name, c.name FROM guardianship g JOIN person p ON p.id = g.pupil_id"
                            " JOIN enrolment en ON en.pupil_id = g.pupil_id AND en.starts_on <= $3 AND (en.ends_on IS NULL OR en.ends_on >= $3)"
                            " JOIN class c ON c.id = en.class_id WHERE g.parent_id = $1 AND c.establishment_id = $2 ORDER BY p.first_name",
                         "iit", found[i].id, est, today);
            int k = 0;
            while (st && stmt_step(st) == STORE_ROW)
                out(r, "%h", tr_fmt(r, k++ ? "reps.child_more" : "reps.child", stmt_text(st, 0), stmt_text(st, 1)));
            stmt_done(st);
            int64_t already = 0;
            store_int(s, &already, "SELECT count(*) FROM parent_rep WHERE establishment_id = $1 AND school_year_id = $2 AND person_id = $3",
                      "iii", est, year, found[i].id);
            out(r, "</span></p>");
            if (already) {
                out(r, "<p><span class=\"badge ext\">%h</span></p></li>", tr(r, "reps.already"));
                continue;
            }
            out(r, "<form method=\"post\" action=\"/etablissements/%I/representants\" class=\"inline-form\">", est);
            page_csrf_input(r);
            out(r, "<input type=\"hidden\" name=\"personne\" value=\"%I\"><button type=\"submit\" class=\"primary\" aria-label=\"%h\">%h</button>"
                   "</form></li>",
                found[i].id, tr_fmt(r, "reps.designate_who", found[i].name, NULL), tr(r, "reps.designate_button"));
        }
        if (nf) out(r, "</ul>");
    }
    out(r, "</section>");
    page_end(r);
}

static void designation_page(struct req *r) { designation_render(r, NULL); }

static void designation_fail(struct req *r, int status, const char *msg)
{
    r->status = status;
    designation_render(r, msg);
}

static void designate(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, "id"), person = param_int(r, "personne"), n = 0;
    int64_t year = current_year(r, est, NULL);
    const char *name = persons_name(r, person);
    if (!year) {
        designation_fail(r, 409, tr(r, "reps.no_year"));
        return;
    }
    if (!*name) {
        designation_fail(r, 404, tr(r, "reps.err.unknown"));
        return;
    }
    if (!policy_parent_in(s, person, est)) {
        designation_fail(r, 400, tr_fmt(r, "reps.err.not_parent", name, NULL));
        return;
    }
    store_int(s, &n, "SELECT count(*) FROM parent_rep WHERE establishment_id = $1 AND school_year_id = $2 AND person_id = $3", "iii", est,
              year, person);
    if (n) {
        designation_fail(r, 409, tr_fmt(r, "reps.err.already", name, NULL));
        return;
    }
    if (store_run(s, "INSERT INTO parent_rep (establishment_id, school_year_id, person_id, designated_by, designated_at)"
                     " VALUES ($1, $2, $3, $4, $5)", "iiiii", est, year, person, r->actor->person_id, clock_now()) < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "rep.designated", arena_printf(&r->arena, "establishment:%lld", (long long)est),
          arena_printf(&r->arena, "person:%lld year:%lld", (long long)person, (long long)year));
    reply_redirect(r, arena_printf(&r->arena, "/etablissements/%lld/representants?fait=designe", (long long)est));
}

static void undesignate(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, "id"), person = param_int(r, "personne");
    int64_t year = current_year(r, est, NULL);
    if (!year) {
        designation_fail(r, 409, tr(r, "reps.no_year"));
        return;
    }
    if (store_run(s, "DELETE FROM parent_rep WHERE establishment_id = $1 AND school_year_id = $2 AND person_id = $3", "iii", est, year,
                  person) < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    if (store_changes(s) != 1) {
        designation_fail(r, 404, tr(r, "reps.err.not_rep"));
        return;
    }
    audit(s, r, 0, "rep.removed", arena_printf(&r->arena, "establishment:%lld", (long long)est),
          arena_printf(&r->arena, "person:%lld year:%lld", (long long)person, (long long)year));
    reply_redirect(r, arena_printf(&r->arena, "/etablissements/%lld/representants?fait=retire", (long long)est));
}

/* ---- Parents: consent ------------------------------------------------------ */

struct consent {
    int64_t establishment, changed_at;
    const char *name;
    bool answered, consented;
};

/* The establishments of the actor's children today, with the actor's
 * answer for each. Allocated in the arena. */
static size_t consents(struct req *r, struct consent **out)
{
    char today[11];
    clock_today(today);
    struct stmt *st = store_q(store_thread(),
        "SELECT DISTINCT e.id, e.name, rc.consented, rc.changed_at FROM guardianship g"
        " JOIN enrolment en ON en.pupil_id = g.pupil_id AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"
        " JOIN class c ON c.id = en.class_id JOIN establishment e ON e.id = c.establishment_id"
        " LEFT JOIN rep_consent rc ON rc.parent_id = g.parent_id AND rc.establishment_id = e.id"
        " WHERE g.parent_id = $1 ORDER BY e.name, e.id", "it", r->actor->person_id, today);
    size_t n = 0, cap = 0;
    struct consent *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n++] = (struct consent){.establishment = stmt_int(st, 0), .name = arena_strdup(&r->arena, stmt_text(st, 1)),
                                  .answered = !stmt_is_null(st, 2), .consented = stmt_int(st, 2) != 0, .changed_at = stmt_int(st, 3)};
    }
    stmt_done(st);
    *out = v;
    return n;
}

/* The hidden fields and the button(s) of a consent form. */
static void consent_form(struct req *r, int64_t est, bool yes, bool no)
{
    out(r, "<form method=\"post\" action=\"/compte/representants\" class=\"inline-form\">");
    page_csrf_input(r);
    out(r, "<input type=\"hidden\" name=\"establishment\" value=\"%I\">", est);
    if (yes) out(r, "<button type=\"submit\" name=\"consent\" value=\"1\" class=\"primary\">%h</button> ", tr(r, "reps.yes"));
    if (no) out(r, "<button type=\"submit\" name=\"consent\" value=\"0\">%h</button>", tr(r, "reps.no"));
    out(r, "</form>");
}

void reps_consent_card(struct req *r)
{
    struct store *s = store_thread();
    if (!policy_may(s, r->actor, ACT_REP_CONSENT, OBJECT_NONE)) return;
    struct consent *v;
    size_t n = consents(r, &v);
    for (size_t i = 0; i < n; i++) {
        if (v[i].answered) continue;
        out(r, "<section class=\"card consent\" aria-labelledby=\"rep-q-%I\"><h2 id=\"rep-q-%I\">%h</h2><p>%h</p><p class=\"help\">%h</p>",
            v[i].establishment, v[i].establishment, tr_fmt(r, "reps.question", v[i].name, NULL), tr(r, "reps.question_privacy"),
            tr(r, "reps.question_change"));
        consent_form(r, v[i].establishment, true, true);
        out(r, "</section>");
    }
    if (!policy_may(s, r->actor, ACT_REP_BROADCAST, OBJECT_NONE)) return;
    out(r, "<section class=\"card\"><h2>%h</h2><p>%h</p><p class=\"row\"><a class=\"button primary\" href=\"/messagerie/representants\">%h</a></p>"
           "</section>", tr(r, "reps.you_are_rep"), tr(r, "reps.you_are_rep_lead"), tr(r, "reps.compose_link"));
}

void reps_consent_settings(struct req *r)
{
    if (!policy_may(store_thread(), r->actor, ACT_REP_CONSENT, OBJECT_NONE)) return;
    struct consent *v;
    size_t n = consents(r, &v);
    if (!n) return;
    out(r, "<section class=\"card\" aria-labelledby=\"representants\"><h2 id=\"representants\">%h</h2><p>%h</p><ul class=\"plain editable\">",
        tr(r, "reps.settings"), tr(r, "reps.question_privacy"));
    for (size_t i = 0; i < n; i++) {
        const char *state = !v[i].answered ? tr(r, "reps.state_none")
                            : tr_fmt(r, v[i].consented ? "reps.state_yes" : "reps.state_no", page_date(r, v[i].changed_at), NULL);
        out(r, "<li><p><strong>%h</strong></p><p>%h</p>", v[i].name, state);
        if (!v[i].answered) consent_form(r, v[i].establishment, true, true);
        else consent_form(r, v[i].establishment, !v[i].consented, v[i].consented);
        out(r, "</li>");
    }
    out(r, "</ul></section>");
}

static json_t *consent_json(const struct consent *c)
{
    return json_pack("{s:{s:I,s:s},s:b,s:b,s:o}", "establishment", "id", (json_int_t)c->establishment, "name", c->name, "answered",
                     c->answered, "consented", c->consented, "changed_at",
                     c->answered ? json_integer((json_int_t)c->changed_at) : json_null());
}

static void api_consents(struct req *r)
{
    struct consent *v;
    size_t n = consents(r, &v);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, consent_json(&v[i]));
    reply_json(r, 200, json_pack("{s:o}", "consents", a));
}

static void consent_save(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, "establishment"), was = -1, now = clock_now();
    bool yes = param_bool(r, "consent");
    if (!policy_may(s, r->actor, ACT_REP_CONSENT, OBJECT(OBJ_ESTABLISHMENT, est))) {
        reply_error(r, 403, tr(r, "reps.err.not_your_establishment"));
        return;
    }
    store_int(s, &was, "SELECT consented FROM rep_consent WHERE parent_id = $1 AND establishment_id = $2", "ii", r->actor->person_id, est);
    /* The same answer again keeps the date it was first given. */
    if (was != (int64_t)yes) {
        if (store_run(s, "INSERT INTO rep_consent (parent_id, establishment_id, consented, changed_at) VALUES ($1, $2, $3, $4)"
                         " ON CONFLICT (parent_id, establishment_id) DO UPDATE SET consented = $3, changed_at = $4",
                      "iiii", r->actor->person_id, est, (int64_t)yes, now) < 0) {
            reply_error(r, 503, tr(r, "err.unavailable"));
            return;
        }
        audit(s, r, 0, "rep.consent", arena_printf(&r->arena, "establishment:%lld", (long long)est), yes ? "yes" : "no");
    }
    if (!r->api) {
        reply_redirect(r, "/compte?ok=1#representants");
        return;
    }
    struct consent *v;
    size_t n = consents(r, &v);
    for (size_t i = 0; i < n; i++)
        if (v[i].establishment == est) {
            reply_json(r, 200, consent_json(&v[i]));
            return;
        }
    reply_error(r, 404, tr(r, "err.not_found"));
}

/* ---- Representatives: write to the consenting parents ---------------------- */

/* A scope of a broadcast: the whole establishment (level = cls = 0), a
 * level or a class of its current school year. */
struct scope {
    int64_t level, cls;
};

/* Parse and check "establishment", "level:<id>", "class:<id>" against the
 * classes of est in year. */
static bool scope_parse(struct store *s, const char *v, int64_t est, int64_t year, struct scope *sc)
{
    *sc = (struct scope){0, 0};
    if (!v) return false;
    if (!strcmp(v, "establishment")) return true;
    const char *num = !strncmp(v, "level:", 6) ? v + 6 : !strncmp(v, "class:", 6) ? v + 6 : NULL;
    if (!num || *num < '1' || *num > '9') return false;
    char *end = NULL;
    long long id = strtoll(num, &end, 10);
    if (*end || id <= 0) return false;
    int64_t n = 0;
    if (v[0] == 'l') {
        sc->level = id;
        store_int(s, &n, "SELECT count(*) FROM class WHERE establishment_id = $1 AND school_year_id = $2 AND level_id = $3", "iii", est, year,
                  sc->level);
    } else {
        sc->cls = id;
        store_int(s, &n, "SELECT count(*) FROM class WHERE id = $1 AND establishment_id = $2 AND school_year_id = $3", "iii", sc->cls, est,
                  year);
    }
    return n > 0;
}

/* The parents a broadcast to sc reaches (arena), at most REP_MAX_RECIPIENTS + 1. */
static size_t audience(struct req *r, int64_t est, int64_t year, const struct scope *sc, int64_t **out)
{
    char today[11];
    clock_today(today);
    struct stmt *st = store_q(store_thread(), "SELECT DISTINCT g.parent_id" SQL_AUDIENCE
                                              " AND ($5 = 0 OR c.level_id = $5) AND ($6 = 0 OR c.id = $6) ORDER BY 1 LIMIT $7",
                              "iitiiii", est, year, today, r->actor->person_id, sc->level, sc->cls, (int64_t)REP_MAX_RECIPIENTS + 1);
    return messages_ids(r, st, out);
}

/* The establishments where the actor is a representative today. */
static size_t rep_establishments(struct req *r, int64_t **ids, const char ***names)
{
    char today[11];
    clock_today(today);
    struct store *s = store_thread();
    struct stmt *st = store_q(s, "SELECT e.id, e.name FROM parent_rep pr JOIN school_year sy ON sy.id = pr.school_year_id"
                                 " JOIN establishment e ON e.id = pr.establishment_id WHERE pr.person_id = $1"
                                 " AND sy.starts_on <= $2 AND sy.ends_on >= $2 ORDER BY e.name, e.id", "it", r->actor->person_id, today);
    size_t n = 0, cap = 0, ncap = 0;
    int64_t *v = NULL;
    const char **nm = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        nm = arena_grow(&r->arena, nm, n, &ncap, sizeof *nm);
        v[n] = stmt_int(st, 0);
        nm[n++] = arena_strdup(&r->arena, stmt_text(st, 1));
    }
    stmt_done(st);
    /* Still a parent there (the policy's word). */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (policy_may(s, r->actor, ACT_REP_BROADCAST, OBJECT(OBJ_ESTABLISHMENT, v[i]))) {
            v[k] = v[i];
            nm[k++] = nm[i];
        }
    *ids = v;
    *names = nm;
    return k;
}

void reps_compose_link(struct req *r)
{
    if (!r->actor || !policy_may(store_thread(), r->actor, ACT_REP_BROADCAST, OBJECT_NONE)) return;
    out(r, " <a class=\"button\" href=\"/messagerie/representants\">%h</a>", tr(r, "reps.compose_link"));
}

static void rep_index(struct req *r)
{
    int64_t *ids;
    const char **names;
    size_t n = rep_establishments(r, &ids, &names);
    if (n == 1) {
        reply_redirect(r, arena_printf(&r->arena, "/messagerie/representants/%lld", (long long)ids[0]));
        return;
    }
    page_begin(r, tr(r, "reps.compose"));
    out(r, "<h1>%h</h1><ul class=\"plain editable\">", tr(r, "reps.compose"));
    for (size_t i = 0; i < n; i++) out(r, "<li><a href=\"/messagerie/representants/%I\">%h</a></li>", ids[i], names[i]);
    out(r, "</ul><p><a href=\"/messagerie\">%h</a></p>", tr(r, "messages.back"));
    page_end(r);
}

/* Number of consenting parents per class and per level (id → count). */
struct tally {
    int64_t id, n;
};

static size_t tallies(struct req *r, int64_t est, int64_t year, bool by_level, struct tally **out)
{
    char today[11];
    clock_today(today);
    struct stmt *st = by_level ? store_q(store_thread(), "SELECT c.level_id, count(DISTINCT g.parent_id)" SQL_AUDIENCE " GROUP BY c.level_id",
                                         "iiti", est, year, today, r->actor->person_id)
                               : store_q(store_thread(), "SELECT c.id, count(DISTINCT g.parent_id)" SQL_AUDIENCE " GROUP BY c.id",
                                         "iiti", est, year, today, r->actor->person_id);
    size_t n = 0, cap = 0;
    struct tally *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n++] = (struct tally){stmt_int(st, 0), stmt_int(st, 1)};
    }
    stmt_done(st);
    *out = v;
    return n;
}

static int64_t tally_of(const struct tally *v, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].id == id) return v[i].n;
    return 0;
}

static const char *parents_count(struct req *r, int64_t n)
{
    return tr_fmt(r, n == 1 ? "reps.count_one" : "reps.count", arena_printf(&r->arena, "%lld", (long long)n), NULL);
}

static void scope_radio(struct req *r, const char *value, const char *label, int64_t n, const char *chosen)
{
    out(r, "<label class=\"check\"><input type=\"radio\" name=\"scope\" value=\"%h\" required%R> %h <span class=\"meta\">— %h</span></label>",
        value, chosen && !strcmp(chosen, value) ? " checked" : "", label, parents_count(r, n)); /* RAW_OK: literal */
}

static void compose_render(struct req *r, int64_t est, const char *error)
{
    struct store *s = store_thread();
    int64_t year = current_year(r, est, NULL);
    const char *chosen = param(r, "scope");
    char today[11];
    clock_today(today);
    page_begin(r, tr(r, "reps.compose"));
    out(r, "<h1>%h</h1><p class=\"school\">%h</p><p class=\"lead\">%h</p>", tr(r, "reps.compose"), establishment_name(r, est),
        tr(r, "reps.compose_lead"));
    if (param_int(r, "envoye"))
        out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr_fmt(r, "reps.sent", parents_count(r, param_int(r, "envoye")), NULL));
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    out(r, "<p class=\"meta\">%h</p>", tr_fmt(r, "reps.today", arena_printf(&r->arena, "%lld", (long long)broadcasts_today(r)),
                                              arena_printf(&r->arena, "%d", REP_BROADCASTS_PER_DAY)));
    struct tally *levels, *classes;
    size_t nlevels = tallies(r, est, year, true, &levels), nclasses = tallies(r, est, year, false, &classes);
    int64_t total = 0;
    store_int(s, &total, "SELECT count(DISTINCT g.parent_id)" SQL_AUDIENCE, "iiti", est, year, today, r->actor->person_id);
    out(r, "<form method=\"post\" action=\"/messagerie/representants/%I\" class=\"stack card\" enctype=\"multipart/form-data\">", est);
    page_csrf_input(r);
    out(r, "<fieldset><legend>%h</legend><p class=\"help\">%h</p>", tr(r, "messages.to"), tr(r, "reps.counts_help"));
    scope_radio(r, "establishment", tr(r, "reps.scope_establishment"), total, chosen);
    struct stmt *st = store_q(s, "SELECT DISTINCT l.id, l.name, l.ordinal FROM class c JOIN level l ON l.id = c.level_id"
                                 " WHERE c.establishment_id = $1 AND c.school_year_id = $2 ORDER BY l.ordinal", "ii", est, year);
    int k = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        if (!k++) out(r, "<fieldset><legend>%h</legend>", tr(r, "reps.scope_levels"));
        scope_radio(r, arena_printf(&r->arena, "level:%lld", (long long)stmt_int(st, 0)),
                    tr_fmt(r, "reps.scope_level", stmt_text(st, 1), NULL), tally_of(levels, nlevels, stmt_int(st, 0)), chosen);
    }
    stmt_done(st);
    if (k) out(r, "</fieldset>");
    st = store_q(s, "SELECT c.id, c.name FROM class c JOIN level l ON l.id = c.level_id WHERE c.establishment_id = $1"
                    " AND c.school_year_id = $2 ORDER BY l.ordinal, c.name", "ii", est, year);
    k = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        if (!k++) out(r, "<fieldset><legend>%h</legend>", tr(r, "reps.scope_classes"));
        scope_radio(r, arena_printf(&r->arena, "class:%lld", (long long)stmt_int(st, 0)),
                    tr_fmt(r, "reps.scope_class", stmt_text(st, 1), NULL), tally_of(classes, nclasses, stmt_int(st, 0)), chosen);
    }
    stmt_done(st);
    if (k) out(r, "</fieldset>");
    out(r, "</fieldset><label for=\"subject\">%h</label><input id=\"subject\" name=\"subject\" required maxlength=\"%d\" value=\"%h\">"
           "<label for=\"body\">%h</label><textarea id=\"body\" name=\"body\" rows=\"8\" required maxlength=\"%d\" "
           "aria-describedby=\"md-help\">%h</textarea><p class=\"help\" id=\"md-help\">%h</p>"
           "<label for=\"piece\">%h</label><input id=\"piece\" type=\"file\" name=\"piece\" multiple aria-describedby=\"piece-help\">"
           "<p class=\"help\" id=\"piece-help\">%h</p><button type=\"submit\" class=\"primary\">%h</button></form>",
        tr(r, "messages.subject"), MESSAGE_SUBJECT_CHARS, param(r, "subject") ? param(r, "subject") : "", tr(r, "messages.body"),
        MESSAGE_BODY_CHARS, param(r, "body") ? param(r, "body") : "", tr(r, "log.markdown_help"), tr(r, "log.attachment"),
        tr_fmt(r, "reps.attachments_help", arena_printf(&r->arena, "%d", MESSAGE_ATTACHMENTS_MAX),
               arena_printf(&r->arena, "%d", MESSAGE_ATTACHMENTS_MAX_BYTES / (1024 * 1024))),
        tr(r, "reps.send"));
    out(r, "<p><a href=\"/messagerie\">%h</a></p>", tr(r, "messages.back"));
    page_end(r);
}

static void compose_page(struct req *r) { compose_render(r, param_int(r, "id"), NULL); }

static void broadcast_fail(struct req *r, int64_t est, int status, const char *msg)
{
    if (r->api) {
        reply_error(r, status, msg);
        return;
    }
    r->status = status;
    compose_render(r, est, msg);
}

static void broadcast(struct req *r)
{
    struct store *s = store_thread();
    int64_t est = param_int(r, r->api ? "establishment" : "id");
    /* The page's route names its establishment in the path (the pipeline
     * asked the policy); the JSON one in the body: ask here. */
    if (r->api && !policy_may(s, r->actor, ACT_REP_BROADCAST, OBJECT(OBJ_ESTABLISHMENT, est))) {
        reply_error(r, 403, tr(r, "reps.err.not_rep_here"));
        return;
    }
    int64_t year = current_year(r, est, NULL);
    const char *scope_text = param(r, "scope");
    struct scope sc;
    if (!year || !scope_parse(s, scope_text, est, year, &sc)) {
        broadcast_fail(r, est, 400, tr(r, "reps.err.scope"));
        return;
    }
    int64_t *to;
    size_t n = audience(r, est, year, &sc, &to);
    if (!n) {
        broadcast_fail(r, est, 400, tr(r, "reps.err.nobody"));
        return;
    }
    if (n > REP_MAX_RECIPIENTS) {
        broadcast_fail(r, est, 400, tr_fmt(r, "messages.err.too_many", arena_printf(&r->arena, "%d", REP_MAX_RECIPIENTS), NULL));
        return;
    }
    const struct upload *const *files;
    size_t nfiles;
    const char *bad = messages_uploads(r, &files, &nfiles);
    if (bad) {
        broadcast_fail(r, est, 400, bad);
        return;
    }
    if (!policy_messaging_open(s, r->actor, est)) {
        audit(s, r, 0, "message.suspended", arena_printf(&r->arena, "establishment:%lld", (long long)est), "rep broadcast");
        broadcast_fail(r, est, 403, tr(r, "messages.err.suspended"));
        return;
    }
    if (broadcasts_today(r) >= REP_BROADCASTS_PER_DAY) {
        audit(s, r, 0, "message.limit", arena_printf(&r->arena, "person:%lld", (long long)r->actor->person_id), "rep_broadcasts_per_day");
        broadcast_fail(r, est, 429, tr_fmt(r, "reps.err.limit", arena_printf(&r->arena, "%d", REP_BROADCASTS_PER_DAY), NULL));
        return;
    }
    bool held = false;
    int64_t thread = messages_deliver(r, &(struct delivery){.establishment = est, .to = to, .n = n, .private_each = true, .kind = "rep",
                                                            .subject = param(r, "subject"), .body = param(r, "body"),
                                                            .files = files, .nfiles = nfiles,
                                                            .anomaly_rule = false},
                                      &held);
    if (!thread) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "rep.broadcast", arena_printf(&r->arena, "thread:%lld", (long long)thread),
          arena_printf(&r->arena, "establishment:%lld scope:%s %zu recipient(s)", (long long)est, scope_text, n));
    if (r->api) reply_json(r, 201, json_pack("{s:I,s:I}", "thread", (json_int_t)thread, "recipients", (json_int_t)n));
    else reply_redirect(r, arena_printf(&r->arena, "/messagerie/representants/%lld?envoye=%zu", (long long)est, n));
}

/* ---- Routes ----------------------------------------------------------------- */

#define BROADCAST_PARAMS                                                                                                  \
    {"scope", P_LINE, SRC_BODY, .required = true, .maxlen = REP_SCOPE_CHARS, .label = "messages.to"},                     \
        {"subject", P_LINE, SRC_BODY, .required = true, .maxlen = MESSAGE_SUBJECT_CHARS, .label = "messages.subject"},     \
        {"body", P_TEXT, SRC_BODY, .required = true, .maxlen = MESSAGE_BODY_CHARS, .label = "messages.body"}

const struct route reps_routes[] = {
    {.method = M_GET, .path = "/etablissements/{id}/representants", .handler = designation_page, .action = ACT_REP_DESIGNATE,
     .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"q", P_LINE, SRC_QUERY, .maxlen = 60},
                                           {"fait", P_ENUM, SRC_QUERY, .choices = done_kinds}, {0}}},
    {.method = M_POST, .path = "/etablissements/{id}/representants", .handler = designate, .action = ACT_REP_DESIGNATE,
     .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"personne", P_ID, SRC_BODY, .required = true, .label = "reps.person"}, {0}}},
    {.method = M_POST, .path = "/etablissements/{id}/representants/retrait", .handler = undesignate, .action = ACT_REP_DESIGNATE,
     .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"personne", P_ID, SRC_BODY, .required = true, .label = "reps.person"}, {0}}},
    {.method = M_POST, .path = "/compte/representants", .handler = consent_save, .action = ACT_REP_CONSENT,
     .params = (const struct param_spec[]){{"establishment", P_ID, SRC_BODY, .required = true, .label = "reps.establishment"},
                                           {"consent", P_BOOL, SRC_BODY, .required = true, .label = "reps.consent"}, {0}}},
    {.method = M_GET, .path = "/api/v1/rep-consent", .handler = api_consents, .action = ACT_REP_CONSENT, .flags = ROUTE_API},
    {.method = M_POST | M_PUT, .path = "/api/v1/rep-consent", .handler = consent_save, .action = ACT_REP_CONSENT, .flags = ROUTE_API,
     .params = (const struct param_spec[]){{"establishment", P_ID, SRC_BODY, .required = true, .label = "reps.establishment"},
                                           {"consent", P_BOOL, SRC_BODY, .required = true, .label = "reps.consent"}, {0}}},
    {.method = M_GET, .path = "/messagerie/representants", .handler = rep_index, .action = ACT_REP_BROADCAST},
    {.method = M_GET, .path = "/messagerie/representants/{id}", .handler = compose_page, .action = ACT_REP_BROADCAST,
     .object = OBJ_ESTABLISHMENT, .denied = "reps.err.not_rep_here",
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"envoye", P_INT, SRC_QUERY, .min = 1,
                                           .max = REP_MAX_RECIPIENTS}, {0}}},
    {.method = M_POST, .path = "/messagerie/representants/{id}", .handler = broadcast, .action = ACT_REP_BROADCAST,
     .object = OBJ_ESTABLISHMENT, .denied = "reps.err.not_rep_here",
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, BROADCAST_PARAMS, {0}}},
    {.method = M_POST, .path = "/api/v1/rep-broadcasts", .handler = broadcast, .action = ACT_REP_BROADCAST, .flags = ROUTE_API,
     .params = (const struct param_spec[]){{"establishment", P_ID, SRC_BODY, .required = true, .label = "reps.establishment"},
                                           BROADCAST_PARAMS, {0}}},
    {0}};
