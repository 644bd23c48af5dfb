/* services.c — catalogue queries, the portal's service list, the editor. */
#include "services.h"
#include "../../core/audit.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/limits.h"
#include "../../core/page.h"
#include "../../core/router.h"
#include "../../policy/scope_sql.h"
#include "../../store/store.h"
#include <stdio.h>
#include <string.h>

#define P(x) (1u << PROFILE_##x)
#define FAMILY (P(PUPIL) | P(PARENT))
#define STAFF (P(TEACHER) | P(STAFF) | P(HEAD))

/* Every service of SPEC.md §3: those delivered are links, the others are
 * named as coming, never faked. */
static const struct service_item builtins[] = {
    {.code = "timetable", .title = "svc.timetable", .description = "svc.timetable.d", .profiles = FAMILY | STAFF,
     .url = "/emploi-du-temps", .available = true},
    {.code = "log", .title = "svc.log", .description = "svc.log.d", .profiles = FAMILY, .url = "/travail-a-faire",
     .available = true},
    {.code = "log", .title = "svc.log", .description = "svc.log.teacher", .profiles = P(TEACHER), .url = "/emploi-du-temps",
     .available = true},
    {.code = "log", .title = "svc.log", .description = "svc.log.staff",
     .profiles = P(STAFF) | P(HEAD), .url = "/cahier-de-textes/classes", .available = true},
    {.code = "grades", .title = "svc.grades", .description = "svc.grades.d", .profiles = FAMILY, .url = "/notes",
     .available = true},
    {.code = "grades", .title = "svc.grades", .description = "svc.grades.teacher", .profiles = P(TEACHER),
     .url = "/notes/enseignements", .available = true},
    {.code = "grades", .title = "svc.grades", .description = "svc.grades.staff",
     .profiles = P(STAFF) | P(HEAD), .url = "/notes/classes", .available = true},
    {.code = "attendance", .title = "svc.attendance", .description = "svc.attendance.d", .profiles = FAMILY, .url = "/absences",
     .available = true},
    {.code = "attendance", .title = "svc.attendance", .description = "svc.attendance.teacher", .profiles = P(TEACHER),
     .url = "/emploi-du-temps", .available = true},
    {.code = "attendance", .title = "svc.attendance", .description = "svc.attendance.staff", .profiles = P(STAFF) | P(HEAD),
     .url = "/vie-scolaire", .available = true},
    {.code = "messages", .title = "svc.messages", .description = "svc.messages.d", .profiles = FAMILY | STAFF, .url = "/messagerie",
     .available = true, .per_person = true},
    {.code = "news", .title = "svc.news", .description = "svc.news.d", .profiles = FAMILY | STAFF},
    {.code = "meetings", .title = "svc.meetings", .description = "svc.meetings.d", .profiles = P(PARENT) | P(TEACHER) | P(HEAD)},
    {.code = "documents", .title = "svc.documents", .description = "svc.documents.d", .profiles = FAMILY | STAFF},
    {.code = "conduct", .title = "svc.conduct", .description = "svc.conduct.d", .profiles = FAMILY | STAFF},
    {.code = "stats", .title = "svc.stats", .description = "svc.stats.d", .profiles = P(HEAD) | P(ADMIN)},
};

size_t services_builtin(enum profile p, const struct service_item *const **out)
{
    static __thread const struct service_item *list[sizeof builtins / sizeof builtins[0]];
    size_t n = 0;
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (builtins[i].profiles & (1u << p)) list[n++] = &builtins[i];
    *out = list;
    return n;
}

unsigned services_profiles_parse(const char *list)
{
    unsigned bits = 0;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", list ? list : "");
    char *save = NULL;
    for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        int p = policy_profile_parse(w);
        if (p >= 0) bits |= 1u << p;
    }
    return bits;
}

size_t services_links_for_person(struct store *s, struct arena *a, int64_t person_id, struct service_item **out)
{
    return services_links_read(services_links_ask(s, person_id), a, out);
}

struct stmt *services_links_ask(struct store *s, int64_t person_id)
{
    char today[11];
    clock_today(today);
    return store_q_ahead(s,
        "WITH est AS ("
        "  SELECT r.establishment_id AS id FROM role r WHERE r.person_id = $1 AND r.establishment_id IS NOT NULL"
        "   AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2)"
        "  UNION " SQL_FAMILY_ESTABLISHMENTS ")"
        " SELECT e.id, s.id, s.title, s.url, s.description, s.profiles, s.establishment_id IS NULL"
        " FROM est JOIN establishment e ON e.id = est.id JOIN service s ON s.enabled = 1 AND s.kind = 'link'"
        "  AND (s.establishment_id = e.id OR (s.establishment_id IS NULL AND s.territory_id = e.territory_id))"
        " ORDER BY e.id, s.position, s.id",
        "it", person_id, today);
}

size_t services_links_read(struct stmt *st, struct arena *a, struct service_item **out)
{
    size_t n = 0, cap = 0;
    struct service_item *v = arena_grow(a, NULL, 0, &cap, sizeof *v);
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(a, v, n, &cap, sizeof *v);
        v[n++] = (struct service_item){
            .establishment_id = stmt_int(st, 0), .id = stmt_int(st, 1), .title = arena_strdup(a, stmt_text(st, 2)),
            .url = arena_strdup(a, stmt_text(st, 3)), .description = arena_strdup(a, stmt_text(st, 4)),
            .profiles = services_profiles_parse(stmt_text(st, 5)), .territory_wide = stmt_int(st, 6) != 0,
            .available = true};
    }
    stmt_done(st);
    *out = v;
    return n;
}

void services_render(struct req *r, enum profile p, int64_t est, int64_t child, const struct service_item *links,
                     size_t nlinks)
{
    const struct service_item *const *bl;
    size_t nb = services_builtin(p, &bl);
    int n = 0;
    for (size_t i = 0; i < nlinks; i++) {
        if (links[i].establishment_id != est || !(links[i].profiles & (1u << p))) continue;
        if (!n++) out(r, "<ul class=\"services\">");
        if (!links[i].url || !*links[i].url) /* an entry without an address: named, not a link */
            out(r, "<li class=\"svc link\"><span class=\"svc-title\">%h</span>"
                   "<span class=\"svc-desc\">%h</span></li>",
                links[i].title, links[i].description);
        else
            out(r, "<li class=\"svc link\"><a href=\"%h\" rel=\"noopener\">"
                   "<span class=\"svc-title\">%h</span><span class=\"svc-desc\">%h</span>"
                   "<span class=\"badge ext\">%h</span></a></li>",
                links[i].url, links[i].title, links[i].description, tr(r, "svc.external"));
    }
    /* Built-in services of Carnet that are delivered: links. */
    for (size_t i = 0; i < nb; i++) {
        if (!bl[i]->available) continue;
        if (!n++) out(r, "<ul class=\"services\">");
        const char *url = bl[i]->url;
        if (p == PROFILE_PARENT && child && !bl[i]->per_person)
            url = arena_printf(&r->arena, "%s/eleves/%lld", bl[i]->url, (long long)child);
        out(r, "<li class=\"svc builtin\"><a href=\"%h\"><span class=\"svc-title\">%h</span>"
               "<span class=\"svc-desc\">%h</span></a></li>",
            url, tr(r, bl[i]->title), tr(r, bl[i]->description));
    }
    if (n) out(r, "</ul>");
    /* Built-in services not delivered yet: named, compactly, never faked. */
    out(r, "<p class=\"soon\"><span class=\"soon-label\">%h</span> ", tr(r, "svc.soon_list"));
    for (size_t i = 0; i < nb; i++)
        if (!bl[i]->available)
            out(r, "<span class=\"chip\" title=\"%h\">%h</span> ", tr(r, bl[i]->description), tr(r, bl[i]->title));
    out(r, "</p>");
}

/* ---- Editor: head (establishment) or territory admin ------------------- */

static const char *const profile_fields[] = {"p_pupil", "p_parent", "p_teacher", "p_staff", "p_head"};

static void editor(struct req *r, bool territory, int64_t id, const char *error)
{
    struct store *s = store_thread();
    const char *name = NULL;
    struct stmt *st = territory ? store_q(s, "SELECT name FROM territory WHERE id = $1", "i", id)
                                : store_q(s, "SELECT name FROM establishment WHERE id = $1", "i", id);
    if (st && stmt_step(st) == STORE_ROW) name = arena_strdup(&r->arena, stmt_text(st, 0));
    stmt_done(st);
    if (!name) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    const char *base = arena_printf(&r->arena, "/%s/%lld/services", territory ? "territoires" : "etablissements", (long long)id);
    page_begin(r, tr(r, "services.edit_title"));
    out(r, "<h1>%h</h1><p class=\"lead\">%h — %h</p>", tr(r, "services.edit_title"), name,
        tr(r, territory ? "services.edit_lead_territory" : "services.edit_lead"));
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    out(r, "<section class=\"card\"><h2>%h</h2>", tr(r, "services.links"));
    st = territory
        ? store_q(s, "SELECT id, title, url, description, profiles, enabled FROM service WHERE territory_id = $1"
                     " AND establishment_id IS NULL AND kind = 'link' ORDER BY position, id", "i", id)
        : store_q(s, "SELECT id, title, url, description, profiles, enabled FROM service WHERE establishment_id = $1"
                     " AND kind = 'link' ORDER BY position, id", "i", id);
    int n = 0;
    out(r, "<ul class=\"editable\">");
    while (st && stmt_step(st) == STORE_ROW) {
        n++;
        int64_t sid = stmt_int(st, 0);
        bool enabled = stmt_int(st, 5) != 0;
        out(r, "<li><p><strong>%h</strong>%R", stmt_text(st, 1), /* RAW_OK: literal */
            enabled ? "" : " <span class=\"badge\">—</span>");
        const char *url = stmt_text(st, 2);
        if (url && *url) out(r, "<br><a href=\"%h\">%h</a>", url, url);
        out(r, "</p><p class=\"meta\">%h</p><p class=\"meta\">", stmt_text(st, 3));
        unsigned bits = services_profiles_parse(stmt_text(st, 4));
        for (int p = 0; p <= PROFILE_HEAD; p++) {
            if (!(bits & (1u << p))) continue;
            char key[32];
            snprintf(key, sizeof key, "profile.%s", policy_profile_name((enum profile)p));
            out(r, "<span class=\"chip\">%h</span> ", tr(r, key));
        }
        out(r, "</p><div class=\"row\"><form method=\"post\" action=\"/services/%I/etat\">", sid);
        page_csrf_input(r);
        out(r, "<input type=\"hidden\" name=\"enabled\" value=\"%d\"><button type=\"submit\">%h</button></form>",
            enabled ? 0 : 1, tr(r, enabled ? "services.disable" : "services.enable"));
        out(r, "<form method=\"post\" action=\"/services/%I/supprimer\">", sid);
        page_csrf_input(r);
        out(r, "<button type=\"submit\" class=\"danger\">%h</button></form></div></li>", tr(r, "services.delete"));
    }
    stmt_done(st);
    out(r, "</ul>");
    if (!n) out(r, "<p>%h</p>", tr(r, "services.none"));
    out(r, "</section><section class=\"card\"><h2>%h</h2><form method=\"post\" action=\"%h\" class=\"stack\">",
        tr(r, "services.add"), base);
    page_csrf_input(r);
    out(r, "<label for=\"title\">%h</label><input id=\"title\" name=\"title\" required maxlength=\"120\">"
           "<label for=\"url\">%h</label><input id=\"url\" name=\"url\" type=\"url\" required maxlength=\"500\" "
           "placeholder=\"https://\">"
           "<label for=\"description\">%h</label><input id=\"description\" name=\"description\" maxlength=\"400\">"
           "<fieldset><legend>%h</legend>",
        tr(r, "services.title"), tr(r, "services.url"), tr(r, "services.description"), tr(r, "services.profiles"));
    for (int p = 0; p <= PROFILE_HEAD; p++) {
        char key[32];
        snprintf(key, sizeof key, "profile.%s", policy_profile_name((enum profile)p));
        out(r, "<label class=\"check\"><input type=\"checkbox\" name=\"%h\" value=\"1\" checked> %h</label>",
            profile_fields[p], tr(r, key));
    }
    out(r, "</fieldset><button type=\"submit\" class=\"primary\">%h</button></form></section>", tr(r, "services.add"));
    out(r, "<p><a href=\"/\">%h</a></p>", tr(r, "nav.back_home"));
    page_end(r);
}

static bool may_edit(struct req *r, bool territory, int64_t id)
{
    return policy_may(store_thread(), r->actor, ACT_SERVICES_EDIT,
                      OBJECT(territory ? OBJ_TERRITORY : OBJ_ESTABLISHMENT, id));
}

static void edit_page(struct req *r, bool territory)
{
    int64_t id = param_int(r, "id");
    if (!may_edit(r, territory, id)) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return;
    }
    editor(r, territory, id, NULL);
}

static void edit_establishment(struct req *r) { edit_page(r, false); }
static void edit_territory(struct req *r) { edit_page(r, true); }

static void add(struct req *r, bool territory)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id");
    if (!may_edit(r, territory, id)) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return;
    }
    char profiles[80] = "";
    for (int p = 0; p <= PROFILE_HEAD; p++) {
        if (!param_bool(r, profile_fields[p])) continue;
        if (profiles[0]) strcat(profiles, ",");
        strcat(profiles, policy_profile_name((enum profile)p));
    }
    if (!profiles[0]) {
        r->status = 400;
        editor(r, territory, id, tr(r, "services.no_profile"));
        return;
    }
    int64_t territory_id = id;
    if (!territory && store_int(s, &territory_id, "SELECT territory_id FROM establishment WHERE id = $1", "i", id) != 1) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    int64_t sid = 0;
    if (store_int(s, &sid,
                  "INSERT INTO service (territory_id, establishment_id, kind, title, url, description, profiles,"
                  " position, created_by, created_at) VALUES ($1, $2, 'link', $3, $4, $5, $6, 100, $7, $8) RETURNING id",
                  "iNttttii", territory_id, territory ? (int64_t)0 : id, param(r, "title"), param(r, "url"),
                  param(r, "description") ? param(r, "description") : "", profiles, r->actor->person_id,
                  clock_now()) != 1) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "service.added", arena_printf(&r->arena, "service:%lld", (long long)sid), param(r, "url"));
    reply_redirect(r, arena_printf(&r->arena, "/%s/%lld/services", territory ? "territoires" : "etablissements", (long long)id));
}

static void add_establishment(struct req *r) { add(r, false); }
static void add_territory(struct req *r) { add(r, true); }

/* The catalogue a service row belongs to, checked by the policy module. */
static bool owner(struct req *r, int64_t sid, bool *territory, int64_t *id)
{
    struct store *s = store_thread();
    struct stmt *st = store_q(s, "SELECT territory_id, establishment_id FROM service WHERE id = $1 AND kind = 'link'", "i", sid);
    bool found = false;
    if (st && stmt_step(st) == STORE_ROW) {
        found = true;
        *territory = stmt_is_null(st, 1);
        *id = *territory ? stmt_int(st, 0) : stmt_int(st, 1);
    }
    stmt_done(st);
    if (!found) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return false;
    }
    if (!may_edit(r, *territory, *id)) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return false;
    }
    return true;
}

static void remove_link(struct req *r)
{
    bool territory;
    int64_t id, sid = param_int(r, "id");
    if (!owner(r, sid, &territory, &id)) return;
    struct store *s = store_thread();
    store_run(s, "DELETE FROM service WHERE id = $1", "i", sid);
    audit(s, r, 0, "service.deleted", arena_printf(&r->arena, "service:%lld", (long long)sid), "");
    reply_redirect(r, arena_printf(&r->arena, "/%s/%lld/services", territory ? "territoires" : "etablissements", (long long)id));
}

static void toggle_link(struct req *r)
{
    bool territory;
    int64_t id, sid = param_int(r, "id");
    if (!owner(r, sid, &territory, &id)) return;
    struct store *s = store_thread();
    store_run(s, "UPDATE service SET enabled = $1 WHERE id = $2", "ii", (int64_t)param_bool(r, "enabled"), sid);
    audit(s, r, 0, param_bool(r, "enabled") ? "service.enabled" : "service.disabled",
          arena_printf(&r->arena, "service:%lld", (long long)sid), "");
    reply_redirect(r, arena_printf(&r->arena, "/%s/%lld/services", territory ? "territoires" : "etablissements", (long long)id));
}

#define LINK_PARAMS                                                                                             \
    {"id", P_ID, SRC_PATH, .required = true},                                                                   \
    {"title", P_LINE, SRC_BODY, .required = true, .maxlen = LIMIT_TITLE_BYTES, .label = "services.title"},      \
    {"url", P_URL, SRC_BODY, .required = true, .maxlen = LIMIT_SERVICE_URL_BYTES, .label = "services.url"},     \
    {"description", P_LINE, SRC_BODY, .maxlen = LIMIT_DESCRIPTION_BYTES, .label = "services.description"},      \
    {"p_pupil", P_BOOL, SRC_BODY}, {"p_parent", P_BOOL, SRC_BODY}, {"p_teacher", P_BOOL, SRC_BODY},             \
    {"p_staff", P_BOOL, SRC_BODY}, {"p_head", P_BOOL, SRC_BODY}, {0}

const struct route services_routes[] = {
    {.method = M_GET, .path = "/etablissements/{id}/services", .handler = edit_establishment, .action = ACT_SERVICES_EDIT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_POST, .path = "/etablissements/{id}/services", .handler = add_establishment, .action = ACT_SERVICES_EDIT,
     .params = (const struct param_spec[]){LINK_PARAMS}},
    {.method = M_GET, .path = "/territoires/{id}/services", .handler = edit_territory, .action = ACT_SERVICES_EDIT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_POST, .path = "/territoires/{id}/services", .handler = add_territory, .action = ACT_SERVICES_EDIT,
     .params = (const struct param_spec[]){LINK_PARAMS}},
    {.method = M_POST, .path = "/services/{id}/supprimer", .handler = remove_link, .action = ACT_SERVICES_EDIT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_POST, .path = "/services/{id}/etat", .handler = toggle_link, .action = ACT_SERVICES_EDIT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"enabled", P_BOOL, SRC_BODY}, {0}}},
    {0}};
