/* structure.c — an establishment's structure, for what the national
 * exports do not carry or got wrong (issue 15): the periods of the school
 * year (their names and dates), its classes (add one, with its level), and
 * a pupil's class (move them: the old enrolment ends the day before, the
 * new one starts today; their history stays). The head of the
 * establishment and the territory's admins, through the policy module;
 * every change audited. */
#include "structure.h"
#include "../../calendar/calendar.h"
#include "../../core/audit.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/limits.h"
#include "../../core/page.h"
#include "../../core/router.h"
#include "../../policy/policy.h"
#include "../../store/store.h"
#include <stdio.h>
#include <string.h>

/* The school year of today in establishment est (its id, label), or 0. */
static int64_t current_year(struct store *s, int64_t est, char label[16]) {
    char today[11];
    clock_today(today);
    int64_t id = 0;
    struct stmt *st = store_q(s,
                              "SELECT id, label FROM school_year WHERE establishment_id = $1"
                              " AND ends_on >= $2 ORDER BY starts_on LIMIT 1",
                              "it", est, today);
    if (st && stmt_step(st) == STORE_ROW) {
        id = stmt_int(st, 0);
        snprintf(label, 16, "%s", stmt_text(st, 1));
    }
    stmt_done(st);
    return id;
}

static void periods_part(struct req *r, struct store *s, int64_t est, int64_t year) {
    out(r, "<section class=\"card\"><h2>%h</h2><p>%h</p>", tr(r, "structure.periods"),
        tr(r, "structure.periods_lead"));
    struct stmt *st =
        store_q(s,
                "SELECT id, name, starts_on, ends_on FROM period WHERE school_year_id = $1"
                " ORDER BY ordinal",
                "i", year);
    while (st && stmt_step(st) == STORE_ROW) {
        int64_t id = stmt_int(st, 0);
        out(r, "<form method=\"post\" action=\"/etablissements/%I/periodes/%I\" class=\"row\">",
            est, id);
        page_csrf_input(r);
        out(r,
            "<label>%h <input name=\"name\" required maxlength=\"60\" value=\"%h\"></label>"
            "<label>%h <input name=\"starts_on\" type=\"date\" required value=\"%h\"></label>"
            "<label>%h <input name=\"ends_on\" type=\"date\" required value=\"%h\"></label>"
            "<button type=\"submit\">%h</button></form>",
            tr(r, "structure.period_name"), stmt_text(st, 1), tr(r, "structure.from"),
            stmt_text(st, 2), tr(r, "structure.to"), stmt_text(st, 3), tr(r, "structure.save"));
    }
    stmt_done(st);
    out(r, "</section>");
}

static void classes_part(struct req *r, struct store *s, int64_t est, int64_t year) {
    out(r,
        "<section class=\"card\"><h2>%h</h2><table class=\"list\"><thead><tr><th"
        " scope=\"col\">%h</th>"
        "<th scope=\"col\">%h</th><th scope=\"col\">%h</th></tr></thead><tbody>",
        tr(r, "structure.classes"), tr(r, "portal.class"), tr(r, "structure.level"),
        tr(r, "structure.pupils"));
    char today[11];
    clock_today(today);
    struct stmt *st =
        store_q(s,
                "SELECT c.id, c.name, l.name, (SELECT count(*) FROM enrolment en"
                " WHERE en.class_id = c.id AND en.starts_on <= $2 AND (en.ends_on IS NULL"
                " OR en.ends_on >= $2)) FROM class c JOIN level l ON l.id = c.level_id"
                " WHERE c.school_year_id = $1 ORDER BY l.ordinal, c.name",
                "it", year, today);
    while (st && stmt_step(st) == STORE_ROW)
        out(r, "<tr><td><a href=\"/classes/%I\">%h</a></td><td>%h</td><td>%I</td></tr>",
            stmt_int(st, 0), stmt_text(st, 1), stmt_text(st, 2), stmt_int(st, 3));
    stmt_done(st);
    out(r,
        "</tbody></table><h3>%h</h3><form method=\"post\" action=\"/etablissements/%I/classes\""
        " class=\"stack\">",
        tr(r, "structure.add_class"), est);
    page_csrf_input(r);
    out(r,
        "<label for=\"name\">%h</label><input id=\"name\" name=\"name\" required maxlength=\"40\">"
        "<label for=\"level\">%h</label><select id=\"level\" name=\"level\">",
        tr(r, "portal.class"), tr(r, "structure.level"));
    st = store_q(s, "SELECT id, name FROM level ORDER BY ordinal", "");
    while (st && stmt_step(st) == STORE_ROW)
        out(r, "<option value=\"%I\">%h</option>", stmt_int(st, 0), stmt_text(st, 1));
    stmt_done(st);
    out(r, "</select><button type=\"submit\">%h</button></form></section>",
        tr(r, "structure.add_class"));
}

static void structure_page_render(struct req *r, int64_t est, const char *error) {
    struct store *s = store_thread();
    char label[16] = "", name[200] = "";
    int64_t year = current_year(s, est, label);
    struct stmt *st = store_q(s, "SELECT name FROM establishment WHERE id = $1", "i", est);
    if (st && stmt_step(st) == STORE_ROW) snprintf(name, sizeof name, "%s", stmt_text(st, 0));
    stmt_done(st);
    page_begin(r, tr(r, "structure.title"));
    out(r, "<h1>%h</h1><p class=\"lead\">%h — %h</p>", tr(r, "structure.title"), name, label);
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    if (!year) {
        out(r, "<p>%h</p>", tr(r, "structure.no_year"));
    } else {
        periods_part(r, s, est, year);
        classes_part(r, s, est, year);
    }
    out(r, "<p><a href=\"/\">%h</a></p>", tr(r, "nav.back_home"));
    page_end(r);
}

static void structure_page(struct req *r) { structure_page_render(r, param_int(r, "id"), NULL); }

/* The answer to a refused change: the page again, with why, in 400. */
static void refuse(struct req *r, int64_t est, const char *key) {
    r->status = 400;
    structure_page_render(r, est, tr(r, key));
}

static void period_save(struct req *r) {
    struct store *s = store_thread();
    int64_t est = param_int(r, "id"), pid = param_int(r, "period");
    const char *name = param(r, "name"), *from = param(r, "starts_on"), *to = param(r, "ends_on");
    char label[16];
    int64_t year = current_year(s, est, label), ordinal = 0;
    if (!year
        || store_int(s, &ordinal,
                     "SELECT ordinal FROM period WHERE id = $1 AND school_year_id = $2", "ii", pid,
                     year)
               != 1) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    if (!calendar_valid_date(from) || !calendar_valid_date(to) || strcmp(from, to) > 0) {
        refuse(r, est, "structure.bad_dates");
        return;
    }
    /* Inside the school year, after the one before and before the next. */
    int64_t clash = 0;
    if (store_int(s, &clash,
                  "SELECT count(*) FROM school_year y WHERE y.id = $1 AND ($2 < y.starts_on OR $3 >"
                  " y.ends_on"
                  " OR EXISTS (SELECT 1 FROM period p WHERE p.school_year_id = y.id AND p.id <> $4"
                  " AND ((p.ordinal < $5 AND p.ends_on >= $2) OR (p.ordinal > $5 AND p.starts_on <="
                  " $3))))",
                  "ittii", year, from, to, pid, ordinal)
            != 1
        || clash) {
        refuse(r, est, "structure.overlap");
        return;
    }
    if (store_run(s, "UPDATE period SET name = $2, starts_on = $3, ends_on = $4 WHERE id = $1",
                  "itt"
                  "t",
                  pid, name, from, to)
        < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "period.changed", arena_printf(&r->arena, "period:%lld", (long long)pid),
          arena_printf(&r->arena, "%s %s..%s", name, from, to));
    reply_redirect(r, arena_printf(&r->arena, "/etablissements/%lld/structure", (long long)est));
}

static void class_add(struct req *r) {
    struct store *s = store_thread();
    int64_t est = param_int(r, "id"), level = param_int(r, "level"), id = 0, known = 0;
    char label[16];
    int64_t year = current_year(s, est, label);
    if (!year || store_int(s, &known, "SELECT count(*) FROM level WHERE id = $1", "i", level) != 1
        || !known) {
        refuse(r, est, "structure.bad_level");
        return;
    }
    if (store_int(s, &known, "SELECT count(*) FROM class WHERE school_year_id = $1 AND name = $2",
                  "it", year, param(r, "name"))
            != 1
        || known) {
        refuse(r, est, "structure.class_exists");
        return;
    }
    if (store_int(s, &id,
                  "INSERT INTO class (establishment_id, school_year_id, level_id, name, code)"
                  " VALUES ($1, $2, $3, $4, $4) RETURNING id",
                  "iiit", est, year, level, param(r, "name"))
        != 1) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, 0, "class.created", arena_printf(&r->arena, "class:%lld", (long long)id),
          param(r, "name"));
    reply_redirect(r, arena_printf(&r->arena, "/etablissements/%lld/structure", (long long)est));
}

/* POST /personnes/{id}/classe: move a pupil to another class of the same
 * establishment and year. */
static void pupil_move(struct req *r) {
    struct store *s = store_thread();
    int64_t pupil = param_int(r, "id"), to = param_int(r, "classe"), from = 0, en = 0;
    char today[11], yesterday[11];
    clock_today(today);
    calendar_add_days(today, -1, yesterday);
    struct stmt *st =
        store_q(s,
                "SELECT en.id, en.class_id FROM enrolment en JOIN class c ON c.id = en.class_id"
                " JOIN class t ON t.id = $2 AND t.school_year_id = c.school_year_id"
                " AND t.establishment_id = c.establishment_id"
                " WHERE en.pupil_id = $1 AND en.starts_on <= $3"
                " AND (en.ends_on IS NULL OR en.ends_on >= $3)",
                "iit", pupil, to, today);
    if (st && stmt_step(st) == STORE_ROW) en = stmt_int(st, 0), from = stmt_int(st, 1);
    stmt_done(st);
    if (!en) {
        reply_error(r, 400, tr(r, "structure.bad_class"));
        return;
    }
    if (from == to) {
        reply_redirect(r, arena_printf(&r->arena, "/personnes/%lld", (long long)pupil));
        return;
    }
    if (store_begin(s) < 0
        || store_run(s, "UPDATE enrolment SET ends_on = $2 WHERE id = $1", "it", en, yesterday) < 0
        || store_run(s,
                     "INSERT INTO enrolment (pupil_id, class_id, starts_on) VALUES ($1, $2, $3)"
                     " ON CONFLICT (pupil_id, class_id) DO UPDATE SET ends_on = NULL",
                     "iit", pupil, to, today)
               < 0
        || store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, pupil, "pupil.moved", arena_printf(&r->arena, "class:%lld", (long long)to),
          arena_printf(&r->arena, "from class:%lld", (long long)from));
    reply_redirect(r, arena_printf(&r->arena, "/personnes/%lld", (long long)pupil));
}

void structure_move_form(struct req *r, int64_t pupil, int64_t class_id) {
    struct store *s = store_thread();
    if (!policy_may(s, r->actor, ACT_STRUCTURE_EDIT, OBJECT(OBJ_PERSON, pupil))) return;
    out(r, "<form method=\"post\" action=\"/personnes/%I/classe\" class=\"row\">", pupil);
    page_csrf_input(r);
    out(r, "<label for=\"classe\">%h</label><select id=\"classe\" name=\"classe\">",
        tr(r, "structure.move_to"));
    struct stmt *st =
        store_q(s,
                "SELECT o.id, o.name FROM class c JOIN class o ON o.school_year_id ="
                " c.school_year_id AND o.establishment_id = c.establishment_id"
                " JOIN level l ON l.id = o.level_id WHERE c.id = $1 ORDER BY l.ordinal, o.name",
                "i", class_id);
    while (st && stmt_step(st) == STORE_ROW)
        out(r, "<option value=\"%I\"%R>%h</option>", stmt_int(st, 0),
            stmt_int(st, 0) == class_id ? " selected" : "", stmt_text(st, 1)); /* RAW_OK: literal */
    stmt_done(st);
    out(r, "</select><button type=\"submit\">%h</button></form>", tr(r, "structure.move"));
}

/* ---- a pupil's guardians ------------------------------------------------ */

void structure_guardians_form(struct req *r, int64_t pupil) {
    struct store *s = store_thread();
    if (!policy_may(s, r->actor, ACT_STRUCTURE_EDIT, OBJECT(OBJ_PERSON, pupil))) return;
    struct stmt *st = store_q(s,
                              "SELECT p.id, p.first_name, p.last_name, g.legal_responsibility"
                              " FROM guardianship g JOIN person p ON p.id = g.parent_id"
                              " WHERE g.pupil_id = $1 ORDER BY p.last_name, p.first_name",
                              "i", pupil);
    out(r, "<h3>%h</h3><p class=\"help\">%h</p><ul class=\"editable\">",
        tr(r, "structure.guardians"), tr(r, "structure.guardians_lead"));
    while (st && stmt_step(st) == STORE_ROW) {
        int64_t parent = stmt_int(st, 0);
        bool legal = stmt_int(st, 3) != 0;
        out(r, "<li><p>%h %h — %h</p><div class=\"row\">", stmt_text(st, 1), stmt_text(st, 2),
            tr(r, legal ? "structure.legal" : "structure.not_legal"));
        out(r, "<form method=\"post\" action=\"/personnes/%I/responsables/%I\">", pupil, parent);
        page_csrf_input(r);
        out(r,
            "<input type=\"hidden\" name=\"action\" value=\"%h\"><button type=\"submit\">%h"
            "</button></form>",
            legal ? "simple" : "legal",
            tr(r, legal ? "structure.make_simple" : "structure.make_legal"));
        out(r, "<form method=\"post\" action=\"/personnes/%I/responsables/%I\">", pupil, parent);
        page_csrf_input(r);
        out(r,
            "<input type=\"hidden\" name=\"action\" value=\"retirer\"><button type=\"submit\""
            " class=\"danger\">%h</button></form></div></li>",
            tr(r, "structure.remove_guardian"));
    }
    stmt_done(st);
    out(r, "</ul>");
}

/* The parent's access follows their legal links: a parent role in each
 * establishment where a child they are legally responsible for is
 * enrolled today, none elsewhere (ended the day before). 0 or -1. */
static int parent_roles_follow(struct store *s, int64_t parent) {
    char today[11], yesterday[11];
    clock_today(today);
    calendar_add_days(today, -1, yesterday);
    if (store_run(s,
                  "UPDATE role SET ends_on = $3 WHERE person_id = $1 AND profile = 'parent'"
                  " AND (ends_on IS NULL OR ends_on >= $2) AND establishment_id NOT IN"
                  " (SELECT c.establishment_id FROM guardianship g JOIN enrolment en"
                  " ON en.pupil_id = g.pupil_id JOIN class c ON c.id = en.class_id"
                  " WHERE g.parent_id = $1 AND g.legal_responsibility = 1"
                  " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2))",
                  "itt", parent, today, yesterday)
        < 0)
        return -1;
    return store_run(s,
                     "INSERT INTO role (person_id, profile, establishment_id, starts_on)"
                     " SELECT DISTINCT $1, 'parent', c.establishment_id, $2 FROM guardianship g"
                     " JOIN enrolment en ON en.pupil_id = g.pupil_id JOIN class c"
                     " ON c.id = en.class_id WHERE g.parent_id = $1 AND g.legal_responsibility = 1"
                     " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"
                     " AND NOT EXISTS (SELECT 1 FROM role r WHERE r.person_id = $1"
                     " AND r.profile = 'parent' AND r.establishment_id = c.establishment_id"
                     " AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2))",
                     "it", parent, today);
}

/* POST /personnes/{id}/responsables/{parent}: legal responsibility given
 * or withdrawn, or the link removed (a separated parent's court decision,
 * an import's mistake). */
static void guardian_change(struct req *r) {
    struct store *s = store_thread();
    int64_t pupil = param_int(r, "id"), parent = param_int(r, "parent"), link = 0;
    const char *action = param(r, "action");
    if (store_int(s, &link, "SELECT id FROM guardianship WHERE pupil_id = $1 AND parent_id = $2",
                  "ii", pupil, parent)
        != 1) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    int rc = store_begin(s);
    if (rc == 0 && !strcmp(action, "retirer"))
        rc = store_run(s, "DELETE FROM guardianship WHERE id = $1", "i", link);
    else if (rc == 0)
        rc = store_run(s, "UPDATE guardianship SET legal_responsibility = $2 WHERE id = $1", "ii",
                       link, (int64_t)!strcmp(action, "legal"));
    if (rc < 0 || parent_roles_follow(s, parent) < 0 || store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    audit(s, r, pupil, "guardianship.changed",
          arena_printf(&r->arena, "person:%lld", (long long)parent), action);
    reply_redirect(r, arena_printf(&r->arena, "/personnes/%lld", (long long)pupil));
}

static const char *const guardian_actions[] = {"legal", "simple", "retirer", NULL};

#define EST_ID                                                                                     \
    { "id", P_ID, SRC_PATH, .required = true }
const struct route structure_routes[] = {
    {.method = M_GET,
     .path = "/etablissements/{id}/structure",
     .handler = structure_page,
     .action = ACT_STRUCTURE_EDIT,
     .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){EST_ID, {0}}},
    {.method = M_POST,
     .path = "/etablissements/{id}/periodes/{period}",
     .handler = period_save,
     .action = ACT_STRUCTURE_EDIT,
     .object = OBJ_ESTABLISHMENT,
     .params = (const struct param_spec[]){EST_ID,
                                           {"period", P_ID, SRC_PATH, .required = true},
                                           {"name", P_LINE, SRC_BODY, .required = true,
                                            .maxlen = 60, .label = "structure.period_name"},
                                           {"starts_on", P_LINE, SRC_BODY, .required = true,
                                            .maxlen = 10, .label = "structure.from"},
                                           {"ends_on", P_LINE, SRC_BODY, .required = true,
                                            .maxlen = 10, .label = "structure.to"},
                                           {0}}},
    {.method = M_POST,
     .path = "/etablissements/{id}/classes",
     .handler = class_add,
     .action = ACT_STRUCTURE_EDIT,
     .object = OBJ_ESTABLISHMENT,
     .params =
         (const struct param_spec[]){
             EST_ID,
             {"name", P_LINE, SRC_BODY, .required = true, .maxlen = 40, .label = "portal.class"},
             {"level", P_ID, SRC_BODY, .required = true, .label = "structure.level"},
             {0}}},
    {.method = M_POST,
     .path = "/personnes/{id}/classe",
     .handler = pupil_move,
     .action = ACT_STRUCTURE_EDIT,
     .object = OBJ_PERSON,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"classe", P_ID, SRC_BODY, .required = true,
                                            .label = "structure.move_to"},
                                           {0}}},
    {.method = M_POST,
     .path = "/personnes/{id}/responsables/{parent}",
     .handler = guardian_change,
     .action = ACT_STRUCTURE_EDIT,
     .object = OBJ_PERSON,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true},
                                           {"parent", P_ID, SRC_PATH, .required = true},
                                           {"action", P_ENUM, SRC_BODY, .required = true,
                                            .choices = guardian_actions},
                                           {0}}},
    {0}};
