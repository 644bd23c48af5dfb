/* persons.c — person, class and establishment pages. */
#include "persons.h"
#include "../structure/structure.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/page.h"
#include "../../core/router.h"
#include "../../policy/policy.h"
#include "../../store/store.h"
#include <stdio.h>
#include <string.h>

static const char *profile_label(struct req *r, const char *profile)
{
    return tr(r, arena_printf(&r->arena, "profile.%s", profile));
}

static const char *kind_label(struct req *r, const char *kind)
{
    return tr(r, arena_printf(&r->arena, "kind.%s", kind ? kind : "none"));
}

static bool deny(struct req *r, int action, struct object o)
{
    if (policy_may(store_thread(), r->actor, action, o)) return false;
    /* The same answer whether the object exists or not: no probing. */
    reply_error(r, 403, tr(r, "err.forbidden"));
    return true;
}

/* For school life and the head: whether the person's account is activated,
 * and a new activation letter while it is not (no shell needed). */
static void account_part(struct req *r, struct store *s, int64_t id)
{
    if (id == r->actor->person_id || !policy_may(s, r->actor, ACT_ACCOUNTS_ISSUE, OBJECT(OBJ_PERSON, id)))
        return;
    struct stmt *st = store_q(s, "SELECT login, state FROM account WHERE person_id = $1", "i", id);
    if (st && stmt_step(st) == STORE_ROW) {
        bool pending = !strcmp(stmt_text(st, 1), "pending");
        out(r, "<p>%h <strong>%h</strong> — %h</p>", tr(r, "login.login"), stmt_text(st, 0),
            tr(r, pending ? "person.account_pending" : "person.account_active"));
        if (pending) {
            out(r, "<form method=\"post\" action=\"/personnes/%I/courrier\">", id);
            page_csrf_input(r);
            out(r, "<p class=\"help\">%h</p><button type=\"submit\">%h</button></form>",
                tr(r, "letters.warning"), tr(r, "person.new_letter"));
        }
    }
    stmt_done(st);
}

static void person_page(struct req *r)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id");
    if (deny(r, ACT_PERSON_VIEW, OBJECT(OBJ_PERSON, id))) return;
    char today[11];
    clock_today(today);
    struct stmt *st = store_q(s, "SELECT first_name, last_name, birth_date, email, phone FROM person WHERE id = $1", "i", id);
    if (!st || stmt_step(st) != STORE_ROW) {
        stmt_done(st);
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    const char *first = arena_strdup(&r->arena, stmt_text(st, 0)), *last = arena_strdup(&r->arena, stmt_text(st, 1));
    const char *email = arena_strdup(&r->arena, stmt_text(st, 3)), *phone = arena_strdup(&r->arena, stmt_text(st, 4));
    stmt_done(st);
    /* Contact details: oneself, and the staff who manage the family. */
    bool staff_view = policy_is_staff(r->actor) && id != r->actor->person_id;
    page_begin(r, arena_printf(&r->arena, "%s %s", first, last));
    out(r, "<h1>%h %h</h1>", first, last);

    out(r, "<section class=\"card\"><h2>%h</h2><ul class=\"plain\">", tr(r, "person.roles"));
    st = store_q(s,
        "SELECT r.profile, e.name, e.kind, r.title FROM role r LEFT JOIN establishment e ON e.id = r.establishment_id"
        " WHERE r.person_id = $1 AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2) ORDER BY r.id",
        "it", id, today);
    while (st && stmt_step(st) == STORE_ROW) {
        out(r, "<li>%h", profile_label(r, stmt_text(st, 0)));
        if (stmt_text(st, 3)) out(r, " (%h)", stmt_text(st, 3));
        if (stmt_text(st, 1)) out(r, " — %h %h", kind_label(r, stmt_text(st, 2)), stmt_text(st, 1));
        out(r, "</li>");
    }
    stmt_done(st);
    out(r, "</ul>");
    if (staff_view || id == r->actor->person_id) {
        out(r, "<dl class=\"facts\">");
        if (email && *email) out(r, "<dt>%h</dt><dd><a href=\"mailto:%h\">%h</a></dd>", tr(r, "person.email"), email, email);
        if (phone && *phone) out(r, "<dt>%h</dt><dd>%h</dd>", tr(r, "person.phone"), phone);
        out(r, "</dl>");
    }
    account_part(r, s, id);
    out(r, "</section>");

    /* As a pupil: class, teaching team, and (for staff) the family. */
    st = store_q(s,
        "SELECT c.id, c.name, e.name, e.kind FROM enrolment en JOIN class c ON c.id = en.class_id"
        " JOIN establishment e ON e.id = c.establishment_id WHERE en.pupil_id = $1"
        " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)", "it", id, today);
    int64_t class_id = 0;
    if (st && stmt_step(st) == STORE_ROW) {
        class_id = stmt_int(st, 0);
        out(r, "<section class=\"card\"><h2>%h</h2><p>%h <strong>%h</strong> — %h %h</p>", tr(r, "person.schooling"),
            tr(r, "portal.class"), stmt_text(st, 1), kind_label(r, stmt_text(st, 3)), stmt_text(st, 2));
    }
    stmt_done(st);
    if (class_id) structure_move_form(r, id, class_id);
    if (class_id) structure_guardians_form(r, id);
    if (class_id) {
        /* The pupil's record: grades and absences (same policy as the pages). */
        if (policy_may(s, r->actor, ACT_PUPIL_RECORD, OBJECT(OBJ_PERSON, id)))
            out(r, "<p class=\"row\"><a class=\"button\" href=\"/notes/eleves/%I\">%h</a> "
                   "<a class=\"button\" href=\"/absences/eleves/%I\">%h</a> "
                   "<a class=\"button\" href=\"/emploi-du-temps/eleves/%I\">%h</a> "
                   "<a class=\"button\" href=\"/cahier-de-textes/eleves/%I\">%h</a> "
                   "<a class=\"button\" href=\"/travail-a-faire/eleves/%I\">%h</a></p>",
                id, tr(r, "grades.title"), id, tr(r, "attendance.title"),
                id, tr(r, "timetable.title"), id, tr(r, "log.title"),
                id, tr(r, "log.homework_title"));
        out(r, "<h3>%h</h3><ul class=\"plain\">", tr(r, "person.team"));
        st = store_q(s,
            "SELECT sb.name, p.id, p.first_name, p.last_name FROM teaching t JOIN subject sb ON sb.id = t.subject_id"
            " JOIN person p ON p.id = t.teacher_id WHERE t.class_id = $1"
            " AND (t.ends_on IS NULL OR t.ends_on >= $2) ORDER BY sb.name", "it", class_id, today);
        while (st && stmt_step(st) == STORE_ROW)
            out(r, "<li>%h — <a href=\"/personnes/%I\">%h %h</a></li>", stmt_text(st, 0), stmt_int(st, 1),
                stmt_text(st, 2), stmt_text(st, 3));
        stmt_done(st);
        out(r, "</ul>");
        if (staff_view) {
            out(r, "<h3>%h</h3><ul class=\"plain\">", tr(r, "person.guardians"));
            st = store_q(s,
                "SELECT p.id, p.first_name, p.last_name, g.relation, g.legal_responsibility, g.lives_with, h.city"
                " FROM guardianship g JOIN person p ON p.id = g.parent_id LEFT JOIN household h ON h.id = p.household_id"
                " WHERE g.pupil_id = $1 ORDER BY p.id", "i", id);
            while (st && stmt_step(st) == STORE_ROW) {
                out(r, "<li><a href=\"/personnes/%I\">%h %h</a> — %h", stmt_int(st, 0), stmt_text(st, 1),
                    stmt_text(st, 2), tr(r, arena_printf(&r->arena, "relation.%s", stmt_text(st, 3))));
                if (stmt_int(st, 4)) out(r, " · %h", tr(r, "person.legal"));
                if (!stmt_int(st, 5)) out(r, " · %h %h", tr(r, "person.lives_elsewhere"), stmt_text(st, 6) ? stmt_text(st, 6) : "");
                out(r, "</li>");
            }
            stmt_done(st);
            out(r, "</ul>");
        }
        out(r, "</section>");
    }
    out(r, "<p><a href=\"/\">%h</a></p>", tr(r, "nav.back_home"));
    page_end(r);
}

static void class_page(struct req *r)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id");
    if (deny(r, ACT_CLASS_VIEW, OBJECT(OBJ_CLASS, id))) return;
    char today[11];
    clock_today(today);
    struct stmt *st = store_q(s,
        "SELECT c.name, e.id, e.name, l.name FROM class c JOIN establishment e ON e.id = c.establishment_id"
        " JOIN level l ON l.id = c.level_id WHERE c.id = $1", "i", id);
    if (!st || stmt_step(st) != STORE_ROW) {
        stmt_done(st);
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    const char *name = arena_strdup(&r->arena, stmt_text(st, 0)), *ename = arena_strdup(&r->arena, stmt_text(st, 2));
    const char *level = arena_strdup(&r->arena, stmt_text(st, 3));
    int64_t e = stmt_int(st, 1);
    stmt_done(st);
    page_begin(r, arena_printf(&r->arena, "%s %s", tr(r, "portal.class"), name));
    out(r, "<h1>%h %h</h1><p class=\"lead\">%h — <a href=\"/etablissements/%I\">%h</a></p>", tr(r, "portal.class"), name,
        level, e, ename);
    out(r, "<p class=\"row\"><a class=\"button\" href=\"/emploi-du-temps/classes/%I\">%h</a>", id, tr(r, "timetable.title"));
    if (policy_may(s, r->actor, ACT_ACCOUNTS_ISSUE, OBJECT(OBJ_CLASS, id)))
        out(r, " <a class=\"button\" href=\"/classes/%I/courriers\">%h</a>", id, tr(r, "portal.letters"));
    out(r, "</p>");
    out(r, "<section class=\"card\"><h2>%h</h2><ul class=\"plain\">", tr(r, "person.team"));
    st = store_q(s,
        "SELECT sb.name, p.id, p.first_name, p.last_name FROM teaching t JOIN subject sb ON sb.id = t.subject_id"
        " JOIN person p ON p.id = t.teacher_id WHERE t.class_id = $1"
        " AND (t.ends_on IS NULL OR t.ends_on >= $2) ORDER BY sb.name", "it", id, today);
    while (st && stmt_step(st) == STORE_ROW)
        out(r, "<li>%h — <a href=\"/personnes/%I\">%h %h</a></li>", stmt_text(st, 0), stmt_int(st, 1), stmt_text(st, 2),
            stmt_text(st, 3));
    stmt_done(st);
    out(r, "</ul></section><section class=\"card\"><h2>%h</h2><ol class=\"pupils\">", tr(r, "class.pupils"));
    st = store_q(s,
        "SELECT p.id, p.last_name, p.first_name FROM enrolment en JOIN person p ON p.id = en.pupil_id"
        " WHERE en.class_id = $1 AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"
        " ORDER BY p.last_name, p.first_name", "it", id, today);
    while (st && stmt_step(st) == STORE_ROW)
        out(r, "<li><a href=\"/personnes/%I\">%h %h</a></li>", stmt_int(st, 0), stmt_text(st, 1), stmt_text(st, 2));
    stmt_done(st);
    out(r, "</ol></section>");
    page_end(r);
}

static void establishment_page(struct req *r)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id");
    if (deny(r, ACT_ESTABLISHMENT_VIEW, OBJECT(OBJ_ESTABLISHMENT, id))) return;
    char today[11];
    clock_today(today);
    struct stmt *st = store_q(s, "SELECT name, kind, uai, city, zone, tz FROM establishment WHERE id = $1", "i", id);
    if (!st || stmt_step(st) != STORE_ROW) {
        stmt_done(st);
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    const char *name = arena_strdup(&r->arena, stmt_text(st, 0));
    page_begin(r, name);
    out(r, "<h1>%h</h1><dl class=\"facts card\"><dt>%h</dt><dd>%h</dd><dt>%h</dt><dd>%h</dd><dt>%h</dt><dd>%h</dd>"
           "<dt>%h</dt><dd>%h</dd><dt>%h</dt><dd>%h</dd></dl>",
        name, tr(r, "establishment.kind"), kind_label(r, stmt_text(st, 1)), tr(r, "portal.uai"), stmt_text(st, 2),
        tr(r, "establishment.city"), stmt_text(st, 3), tr(r, "establishment.zone"), stmt_text(st, 4),
        tr(r, "establishment.tz"), stmt_text(st, 5));
    stmt_done(st);
    out(r, "<p class=\"row\">");
    if (policy_may(s, r->actor, ACT_SERVICES_EDIT, OBJECT(OBJ_ESTABLISHMENT, id)))
        out(r, "<a class=\"button\" href=\"/etablissements/%I/services\">%h</a> ", id, tr(r, "portal.edit_services"));
    if (policy_may(s, r->actor, ACT_ESTABLISHMENT_SETTINGS, OBJECT(OBJ_ESTABLISHMENT, id)))
        out(r, "<a class=\"button\" href=\"/etablissements/%I/cahier-de-textes\">%h</a> "
               "<a class=\"button\" href=\"/etablissements/%I/diffusion\">%h</a> "
               "<a class=\"button\" href=\"/etablissements/%I/messagerie\">%h</a> ",
            id, tr(r, "log.settings_title"), id, tr(r, "portal.diffusion_settings"),
            id, tr(r, "portal.messages_settings"));
    if (policy_may(s, r->actor, ACT_MODERATE, OBJECT(OBJ_ESTABLISHMENT, id)))
        out(r, "<a class=\"button\" href=\"/etablissements/%I/moderation\">%h</a> ", id,
            tr(r, "messages.moderation"));
    if (policy_may(s, r->actor, ACT_REP_DESIGNATE, OBJECT(OBJ_ESTABLISHMENT, id)))
        out(r, "<a class=\"button\" href=\"/etablissements/%I/representants\">%h</a> ", id,
            tr(r, "portal.reps"));
    if (policy_may(s, r->actor, ACT_ATTENDANCE_MANAGE, OBJECT(OBJ_ESTABLISHMENT, id)))
        out(r, "<a class=\"button\" href=\"/vie-scolaire?etablissement=%I\">%h</a> "
               "<a class=\"button\" href=\"/etablissements/%I/motifs\">%h</a>",
            id, tr(r, "attendance.school_life"), id, tr(r, "attendance.reasons_title"));
    out(r, "</p>");
    out(r, "<section class=\"card\"><h2>%h</h2><table class=\"list\"><thead><tr><th scope=\"col\">%h</th>"
           "<th scope=\"col\">%h</th></tr></thead><tbody>",
        tr(r, "portal.classes"), tr(r, "portal.class"), tr(r, "class.pupils"));
    st = store_q(s,
        "SELECT c.id, c.name, count(en.id) FROM class c JOIN level l ON l.id = c.level_id"
        " LEFT JOIN enrolment en ON en.class_id = c.id AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"
        " WHERE c.establishment_id = $1 GROUP BY c.id, c.name, l.ordinal ORDER BY l.ordinal, c.name", "it", id, today);
    while (st && stmt_step(st) == STORE_ROW) {
        int64_t cid = stmt_int(st, 0);
        if (policy_may(s, r->actor, ACT_CLASS_VIEW, OBJECT(OBJ_CLASS, cid)))
            out(r, "<tr><td><a href=\"/classes/%I\">%h</a></td><td>%I</td></tr>", cid, stmt_text(st, 1), stmt_int(st, 2));
        else
            out(r, "<tr><td>%h</td><td>%I</td></tr>", stmt_text(st, 1), stmt_int(st, 2));
    }
    stmt_done(st);
    out(r, "</tbody></table></section><section class=\"card\"><h2>%h</h2><ul class=\"plain\">", tr(r, "establishment.staff"));
    st = store_q(s,
        "SELECT p.id, p.first_name, p.last_name, r.profile, r.title FROM role r JOIN person p ON p.id = r.person_id"
        " WHERE r.establishment_id = $1 AND r.profile IN ('head', 'staff', 'teacher')"
        " AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2)"
        " ORDER BY CASE r.profile WHEN 'head' THEN 0 WHEN 'staff' THEN 1 ELSE 2 END, p.last_name", "it", id, today);
    while (st && stmt_step(st) == STORE_ROW) {
        out(r, "<li><a href=\"/personnes/%I\">%h %h</a> — %h", stmt_int(st, 0), stmt_text(st, 1), stmt_text(st, 2),
            profile_label(r, stmt_text(st, 3)));
        if (stmt_text(st, 4)) out(r, " (%h)", stmt_text(st, 4));
        out(r, "</li>");
    }
    stmt_done(st);
    out(r, "</ul></section>");
    page_end(r);
}

/* A class's pupils of today, each a link to base/eleves/{id}. */
static void pupil_index_class(struct req *r, const char *base, const char *title, int64_t class_id)
{
    struct store *s = store_thread();
    char today[11];
    clock_today(today);
    const char *name = NULL;
    struct stmt *st = store_q(s, "SELECT name FROM class WHERE id = $1", "i", class_id);
    if (st && stmt_step(st) == STORE_ROW) name = arena_strdup(&r->arena, stmt_text(st, 0));
    stmt_done(st);
    if (!name) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    page_begin(r, arena_printf(&r->arena, "%s — %s %s", title, tr(r, "portal.class"), name));
    out(r, "<h1>%h</h1><p class=\"lead\">%h <strong>%h</strong></p>"
           "<section class=\"card\"><h2>%h</h2><ol class=\"pupils\">",
        title, tr(r, "portal.class"), name, tr(r, "class.pupils"));
    st = store_q(s,
        "SELECT p.id, p.last_name, p.first_name FROM enrolment en"
        " JOIN person p ON p.id = en.pupil_id WHERE en.class_id = $1 AND en.starts_on <= $2"
        " AND (en.ends_on IS NULL OR en.ends_on >= $2) ORDER BY p.last_name, p.first_name",
        "it", class_id, today);
    while (st && stmt_step(st) == STORE_ROW)
        out(r, "<li><a href=\"%h/eleves/%I\">%h %h</a></li>", base, stmt_int(st, 0),
            stmt_text(st, 1), stmt_text(st, 2));
    stmt_done(st);
    out(r, "</ol></section><p><a href=\"%h/classes\">%h</a></p>", base, tr(r, "class.index_back"));
    page_end(r);
}

/* The classes the actor may see, by establishment, each a link to
 * base/classes/{id}. */
static void pupil_index_classes(struct req *r, const char *base, const char *title,
                                void (*extra)(struct req *r, int64_t establishment))
{
    struct store *s = store_thread();
    char today[11];
    clock_today(today);
    page_begin(r, title);
    out(r, "<h1>%h</h1><p class=\"lead\">%h</p>", title, tr(r, "class.index_lead"));
    struct stmt *st = store_q(s,
        "SELECT c.id, c.name, e.id, e.name FROM class c"
        " JOIN establishment e ON e.id = c.establishment_id JOIN level l ON l.id = c.level_id"
        " WHERE c.establishment_id IN (SELECT ro.establishment_id FROM role ro"
        "  WHERE ro.person_id = $1 AND ro.profile IN ('staff', 'head') AND ro.starts_on <= $2"
        "  AND (ro.ends_on IS NULL OR ro.ends_on >= $2))"
        " OR c.id IN (SELECT t.class_id FROM teaching t WHERE t.teacher_id = $1)"
        " ORDER BY e.name, e.id, l.ordinal, c.name", "it", r->actor->person_id, today);
    struct row { int64_t id, est; const char *name, *est_name; } *v = NULL;
    size_t n = 0, cap = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n++] = (struct row){stmt_int(st, 0), stmt_int(st, 2),
                              arena_strdup(&r->arena, stmt_text(st, 1)),
                              arena_strdup(&r->arena, stmt_text(st, 3))};
    }
    stmt_done(st);
    int64_t est = 0;
    for (size_t i = 0; i < n; i++) {
        if (!policy_may(s, r->actor, ACT_CLASS_VIEW, OBJECT(OBJ_CLASS, v[i].id))) continue;
        if (v[i].est != est) {
            if (est) out(r, "</ul></section>");
            est = v[i].est;
            out(r, "<section class=\"card\"><h2>%h</h2>", v[i].est_name);
            if (extra) extra(r, est);
            out(r, "<ul class=\"chips\">");
        }
        out(r, "<li><a class=\"chip\" href=\"%h/classes/%I\">%h</a></li>", base, v[i].id,
            v[i].name);
    }
    if (est) out(r, "</ul></section>");
    else out(r, "<p class=\"card\">%h</p>", tr(r, "class.index_none"));
    page_end(r);
}

void persons_pupil_index(struct req *r, const char *base, const char *title, int64_t class_id,
                         void (*extra)(struct req *r, int64_t establishment))
{
    if (class_id) pupil_index_class(r, base, title, class_id);
    else pupil_index_classes(r, base, title, extra);
}

const char *persons_name(struct req *r, int64_t id)
{
    struct stmt *st = store_q(store_thread(), "SELECT first_name, last_name FROM person WHERE id = $1", "i", id);
    const char *n = st && stmt_step(st) == STORE_ROW ? arena_printf(&r->arena, "%s %s", stmt_text(st, 0), stmt_text(st, 1)) : "";
    stmt_done(st);
    return n;
}

const struct route persons_routes[] = {
    {.method = M_GET, .path = "/personnes/{id}", .handler = person_page, .action = ACT_PERSON_VIEW,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_GET, .path = "/classes/{id}", .handler = class_page, .action = ACT_CLASS_VIEW,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_GET, .path = "/etablissements/{id}", .handler = establishment_page, .action = ACT_ESTABLISHMENT_VIEW,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {0}};
