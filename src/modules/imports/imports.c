/* imports.c — the imports from a page (issue 15): a territory admin drops
 * the territory's directory files, a head those of their own establishment
 * (refused for another UAI). The files are first checked — a dry run whose
 * report shows what would be created, changed and closed, with every
 * problem by file, line and record — and kept; "Appliquer" then runs the
 * same files for real, in one transaction, on whichever node. The reports
 * stay, as pages and as JSON. The run itself is src/import/import.c. */
#include "imports.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/limits.h"
#include "../../core/log.h"
#include "../../core/page.h"
#include "../../core/router.h"
#include "../../import/import.h"
#include "../../policy/policy.h"
#include "../../store/store.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The territory an admin acts for (their first admin role's), or 0. */
static int64_t admin_territory(const struct actor *a) {
    for (size_t i = 0; i < a->nroles; i++)
        if (a->roles[i].profile == PROFILE_ADMIN && !a->roles[i].establishment_id)
            return a->roles[i].territory_id;
    return 0;
}

/* The establishments where the actor is head, for the form's choice. */
static void establishment_choice(struct req *r) {
    bool any = false;
    for (size_t i = 0; i < r->actor->nroles; i++) {
        const struct role *ro = &r->actor->roles[i];
        if (ro->profile != PROFILE_HEAD || !ro->establishment_id) continue;
        if (!any)
            out(r,
                "<label for=\"etablissement\">%h</label><select id=\"etablissement\""
                " name=\"etablissement\">",
                tr(r, "imports.establishment"));
        any = true;
        out(r, "<option value=\"%I\">%h</option>", ro->establishment_id, ro->establishment_name);
    }
    if (any) out(r, "</select>");
}

static void history(struct req *r) {
    struct store *s = store_thread();
    struct stmt *st =
        store_q(s,
                "SELECT id, at, source, dry_run, applied, failed, coalesce(applied_as, 0)"
                " FROM import_run ORDER BY id DESC LIMIT 200",
                "");
    int n = 0;
    out(r, "<section class=\"card\"><h2>%h</h2><ul class=\"editable\">", tr(r, "imports.history"));
    while (st && stmt_step(st) == STORE_ROW && n < 30) {
        int64_t id = stmt_int(st, 0);
        if (!policy_may(s, r->actor, ACT_IMPORT_VIEW, OBJECT(OBJ_IMPORT, id))) continue;
        n++;
        const char *state = stmt_int(st, 5)   ? "imports.state_failed"
                            : stmt_int(st, 4) ? "imports.state_applied"
                            : stmt_int(st, 6) ? "imports.state_checked_applied"
                                              : "imports.state_checked";
        char when[17];
        clock_datetime(stmt_int(st, 1), when);
        out(r, "<li><a href=\"/imports/%I\">%h — %h</a> <span class=\"meta\">%h</span></li>", id,
            stmt_text(st, 2), when, tr(r, state));
    }
    stmt_done(st);
    out(r, "</ul>");
    if (!n) out(r, "<p>%h</p>", tr(r, "imports.none"));
    out(r, "</section>");
}

static void form_page(struct req *r, const char *error) {
    page_begin(r, tr(r, "imports.title"));
    out(r, "<h1>%h</h1><p class=\"lead\">%h</p>", tr(r, "imports.title"), tr(r, "imports.lead"));
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    out(r,
        "<section class=\"card\"><h2>%h</h2><form method=\"post\" action=\"/imports\""
        " enctype=\"multipart/form-data\" class=\"stack\">",
        tr(r, "imports.check"));
    page_csrf_input(r);
    out(r, "<label for=\"format\">%h</label><select id=\"format\" name=\"format\">",
        tr(r, "imports.format"));
    for (size_t i = 0; import_format_at(i); i++) {
        char key[40];
        snprintf(key, sizeof key, "imports.format_%s", import_format_at(i));
        out(r, "<option value=\"%h\">%h</option>", import_format_at(i), tr(r, key));
    }
    out(r, "</select>");
    establishment_choice(r);
    out(r,
        "<label for=\"fichier\">%h</label><input id=\"fichier\" name=\"fichier\" type=\"file\""
        " multiple required><p class=\"meta\">%h</p><button type=\"submit\" class=\"primary\">%h"
        "</button></form></section>",
        tr(r, "imports.files"), tr(r, "imports.files_help"), tr(r, "imports.check_button"));
    history(r);
    out(r, "<p><a href=\"/\">%h</a></p>", tr(r, "nav.back_home"));
    page_end(r);
}

static void index_page(struct req *r) { form_page(r, NULL); }

/* A plain file name: letters, digits, '.', '-', '_' and not starting with '.'. */
static bool plain_name(const char *n) {
    if (!n || !*n || *n == '.' || strlen(n) > 200) return false;
    for (const char *c = n; *c; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *c))
            return false;
    return true;
}

/* Who the run is for: the establishment chosen (its UAI into uai) or the
 * admin's territory. False (answered) when the actor may not. */
static bool scope(struct req *r, struct import_request *q, char *uai, size_t cap) {
    struct store *s = store_thread();
    int64_t est = param_int(r, "etablissement");
    if (est) {
        if (!policy_may(s, r->actor, ACT_IMPORT_RUN, OBJECT(OBJ_ESTABLISHMENT, est))) {
            reply_error(r, 403, tr(r, "imports.not_yours"));
            return false;
        }
        struct stmt *st =
            store_q(s, "SELECT uai, territory_id FROM establishment WHERE id = $1", "i", est);
        bool found = st && stmt_step(st) == STORE_ROW;
        if (found) {
            snprintf(uai, cap, "%s", stmt_text(st, 0));
            q->territory_id = stmt_int(st, 1);
        }
        stmt_done(st);
        if (!found) {
            reply_error(r, 404, tr(r, "err.not_found"));
            return false;
        }
        q->establishment_id = est;
        /* A head's files may name their establishment only; an admin's too
         * when they chose one. */
        q->only_uai = uai;
        return true;
    }
    int64_t t = admin_territory(r->actor);
    if (!t || !policy_may(s, r->actor, ACT_IMPORT_RUN, OBJECT(OBJ_TERRITORY, t))) {
        reply_error(r, 403, tr(r, "imports.choose_establishment"));
        return false;
    }
    q->territory_id = t;
    return true;
}

/* Write the uploads into a new directory (its path into dir); their number
 * or -1 (answered). */
static int uploads_to_dir(struct req *r, char *dir, size_t cap) {
    int n = 0;
    for (size_t i = 0; i < r->nuploads; i++)
        if (!strcmp(r->uploads[i].field, "fichier") && r->uploads[i].len) n++;
    if (!n) {
        r->status = 400;
        form_page(r, tr(r, "imports.no_file"));
        return -1;
    }
    if (import_tempdir(dir, cap, "upload") < 0) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return -1;
    }
    for (size_t i = 0; i < r->nuploads; i++) {
        const struct upload *u = &r->uploads[i];
        if (strcmp(u->field, "fichier") || !u->len) continue;
        if (!plain_name(u->filename)) {
            import_unstage_clean(dir);
            r->status = 400;
            form_page(r, tr_fmt(r, "imports.bad_name", u->filename ? u->filename : "", NULL));
            return -1;
        }
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, u->filename);
        FILE *f = fopen(path, "wbx");
        bool ok = f && fwrite(u->data, 1, u->len, f) == u->len;
        if (f) fclose(f);
        if (!ok) {
            import_unstage_clean(dir);
            r->status = 400;
            form_page(r, tr_fmt(r, "imports.bad_name", u->filename, NULL));
            return -1;
        }
    }
    return n;
}

/* POST /imports: check the files (a dry run) and keep them. */
static void check(struct req *r) {
    struct store *s = store_thread();
    const char *format = param(r, "format");
    if (!import_format_known(format)) {
        r->status = 400;
        form_page(r, tr(r, "imports.bad_format"));
        return;
    }
    char uai[16] = "", dir[4096];
    struct import_request q = {.format = format, .dry_run = true, .person_id = r->actor->person_id};
    if (!scope(r, &q, uai, sizeof uai) || uploads_to_dir(r, dir, sizeof dir) < 0) return;
    const char *paths[1] = {dir};
    q.paths = paths;
    q.npaths = 1;
    struct report rep;
    report_init(&rep, format, true);
    import_run(s, &q, &rep);
    report_free(&rep);
    if (q.run_id && !rep.failed) {
        for (size_t i = 0; i < r->nuploads; i++) {
            const struct upload *u = &r->uploads[i];
            if (!strcmp(u->field, "fichier") && u->len
                && import_stage(s, q.run_id, u->filename, u->data, u->len) < 0)
                log_error("imports_check", "run %lld: a file could not be kept",
                          (long long)q.run_id);
        }
    }
    import_unstage_clean(dir);
    if (!q.run_id) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    reply_redirect(r, arena_printf(&r->arena, "/imports/%lld", (long long)q.run_id));
}

/* ---- a run's report ---------------------------------------------------------- */

static const char *const kinds[] = {"establishment", "class",    "group",     "subject", "mef",
                                    "pupil",         "relative", "teacher",   "staff",   "function",
                                    "guardianship",  "teaching", "enrolment", "account", NULL};

static void counts_table(struct req *r, json_t *counts) {
    out(r,
        "<table class=\"counts\"><thead><tr><th scope=\"col\">%h</th><th scope=\"col\">%h</th>"
        "<th scope=\"col\"><abbr title=\"%h\">%h</abbr></th><th scope=\"col\">%h</th>"
        "<th scope=\"col\"><abbr title=\"%h\">%h</abbr></th></tr></thead><tbody>",
        tr(r, "imports.kind"), tr(r, "imports.created"), tr(r, "imports.changed"),
        tr(r, "imports.changed_short"), tr(r, "imports.closed"), tr(r, "imports.unchanged"),
        tr(r, "imports.unchanged_short"));
    for (int k = 0; kinds[k]; k++) {
        json_t *c = json_object_get(counts, kinds[k]);
        if (!c) continue;
        char key[40];
        snprintf(key, sizeof key, "imports.kind_%s", kinds[k]);
        out(r, "<tr><th scope=\"row\">%h</th><td>%I</td><td>%I</td><td>%I</td><td>%I</td></tr>",
            tr(r, key), (int64_t)json_integer_value(json_object_get(c, "created")),
            (int64_t)json_integer_value(json_object_get(c, "changed")),
            (int64_t)json_integer_value(json_object_get(c, "closed")),
            (int64_t)json_integer_value(json_object_get(c, "unchanged")));
    }
    out(r, "</tbody></table>");
}

static void problems_list(struct req *r, json_t *probs, json_int_t more) {
    size_t n = json_array_size(probs);
    if (!n) return;
    out(r, "<section class=\"card\"><h2>%h (%z)</h2><ul class=\"problems\">",
        tr(r, "imports.problems"), n);
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(probs, i);
        const char *sev = json_string_value(json_object_get(p, "severity"));
        const char *rec = json_string_value(json_object_get(p, "record"));
        char key[40];
        snprintf(key, sizeof key, "imports.severity_%s", sev ? sev : "error");
        out(r, "<li><strong>%h</strong> %h:%I", tr(r, key),
            json_string_value(json_object_get(p, "file")),
            (int64_t)json_integer_value(json_object_get(p, "line")));
        if (rec) out(r, " (%h %h)", tr(r, "imports.record"), rec);
        out(r, " — %h</li>", json_string_value(json_object_get(p, "message")));
    }
    out(r, "</ul>");
    if (more) out(r, "<p>%h</p>", tr(r, "imports.more_problems"));
    out(r, "</section>");
}

struct run {
    int64_t id, at;
    bool dry_run, applied, failed;
    int64_t applied_as, establishment;
    const char *source;
    json_t *report;
};

static bool run_load(struct req *r, int64_t id, struct run *run) {
    struct stmt *st =
        store_q(store_thread(),
                "SELECT at, source, dry_run, applied, failed, coalesce(applied_as, 0),"
                " coalesce(establishment_id, 0), report FROM import_run WHERE id = $1",
                "i", id);
    bool found = st && stmt_step(st) == STORE_ROW;
    if (found) {
        *run = (struct run){id,
                            stmt_int(st, 0),
                            stmt_int(st, 2) != 0,
                            stmt_int(st, 3) != 0,
                            stmt_int(st, 4) != 0,
                            stmt_int(st, 5),
                            stmt_int(st, 6),
                            arena_strdup(&r->arena, stmt_text(st, 1)),
                            json_loads(stmt_text(st, 7), 0, NULL)};
    }
    stmt_done(st);
    if (!found) reply_error(r, 404, tr(r, "err.not_found"));
    return found && run->report;
}

static void report_page(struct req *r) {
    struct run run;
    if (!run_load(r, param_int(r, "id"), &run)) return;
    page_begin(r, tr(r, "imports.report_title"));
    char when[17];
    clock_datetime(run.at, when);
    out(r, "<h1>%h</h1><p class=\"lead\">%h — %h</p>", tr(r, "imports.report_title"), run.source,
        when);
    const char *state = run.failed       ? "imports.lead_failed"
                        : run.applied    ? "imports.lead_applied"
                        : run.applied_as ? "imports.lead_checked_applied"
                                         : "imports.lead_checked";
    out(r, "<p class=\"%h\" role=\"status\">%h</p>", run.failed ? "error" : "notice", tr(r, state));
    json_t *ests = json_object_get(run.report, "establishments");
    for (size_t i = 0; i < json_array_size(ests); i++) {
        json_t *e = json_array_get(ests, i);
        const char *uai = json_string_value(json_object_get(e, "uai"));
        out(r, "<section class=\"card\"><h2>%h%h%h</h2>", uai ? uai : tr(r, "imports.national"),
            uai ? " — " : "", json_string_value(json_object_get(e, "name")));
        counts_table(r, json_object_get(e, "counts"));
        out(r, "</section>");
    }
    problems_list(r, json_object_get(run.report, "problems"),
                  json_integer_value(json_object_get(run.report, "problems_not_listed")));
    out(r, "<p><a href=\"/imports/%I/rapport.json\" download>%h</a></p>", run.id,
        tr(r, "imports.download"));
    if (run.dry_run && !run.failed && !run.applied_as) {
        out(r, "<form method=\"post\" action=\"/imports/%I/appliquer\">", run.id);
        page_csrf_input(r);
        out(r, "<button type=\"submit\" class=\"primary\">%h</button></form>",
            tr(r, "imports.apply"));
    }
    if (run.applied_as)
        out(r, "<p><a href=\"/imports/%I\">%h</a></p>", run.applied_as,
            tr(r, "imports.see_applied"));
    out(r, "<p><a href=\"/imports\">%h</a></p>", tr(r, "imports.back"));
    page_end(r);
    json_decref(run.report);
}

static void report_json_page(struct req *r) {
    struct run run;
    if (!run_load(r, param_int(r, "id"), &run)) return;
    resp_header(
        r, "Content-Disposition",
        arena_printf(&r->arena, "attachment; filename=\"import-%lld.json\"", (long long)run.id));
    reply_json(r, 200, run.report);
}

/* POST /imports/{id}/appliquer: the checked files, for real. */
static void apply_run(struct req *r) {
    struct store *s = store_thread();
    struct run run;
    if (!run_load(r, param_int(r, "id"), &run)) return;
    json_decref(run.report);
    struct object scope_obj = run.establishment ? OBJECT(OBJ_ESTABLISHMENT, run.establishment)
                                                : OBJECT(OBJ_TERRITORY, admin_territory(r->actor));
    if (!policy_may(s, r->actor, ACT_IMPORT_RUN, scope_obj)) {
        reply_error(r, 403, tr(r, "imports.not_yours"));
        return;
    }
    if (!run.dry_run || run.failed || run.applied_as) {
        reply_error(r, 409, tr(r, "imports.not_appliable"));
        return;
    }
    char dir[4096], uai[16] = "";
    int n = import_unstage(s, run.id, dir, sizeof dir);
    if (n <= 0) {
        if (n == 0) import_unstage_clean(dir);
        reply_error(r, 409, tr(r, "imports.files_gone"));
        return;
    }
    struct import_request q = {.format = run.source,
                               .person_id = r->actor->person_id,
                               .establishment_id = run.establishment};
    if (run.establishment) {
        struct stmt *st = store_q(s, "SELECT uai, territory_id FROM establishment WHERE id = $1",
                                  "i", run.establishment);
        if (st && stmt_step(st) == STORE_ROW) {
            snprintf(uai, sizeof uai, "%s", stmt_text(st, 0));
            q.territory_id = stmt_int(st, 1);
        }
        stmt_done(st);
        q.only_uai = uai;
    } else {
        q.territory_id = admin_territory(r->actor);
    }
    const char *paths[1] = {dir};
    q.paths = paths;
    q.npaths = 1;
    struct report rep;
    report_init(&rep, run.source, false);
    import_run(s, &q, &rep);
    report_free(&rep);
    import_unstage_clean(dir);
    if (!q.run_id) {
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    store_run(s, "UPDATE import_run SET applied_as = $2 WHERE id = $1", "ii", run.id, q.run_id);
    if (!rep.failed) import_unstage_done(s, run.id);
    reply_redirect(r, arena_printf(&r->arena, "/imports/%lld", (long long)q.run_id));
}

static const char *const formats[] = {"aaf", "onde", "siecle", "sts", "oneroster", NULL};

const struct route imports_routes[] = {
    {.method = M_GET, .path = "/imports", .handler = index_page, .action = ACT_IMPORT_RUN},
    {.method = M_POST,
     .path = "/imports",
     .handler = check,
     .action = ACT_IMPORT_RUN,
     .params = (const struct param_spec[]){{"format", P_ENUM, SRC_BODY, .required = true,
                                            .choices = formats, .label = "imports.format"},
                                           {"etablissement", P_ID, SRC_BODY},
                                           {0}}},
    {.method = M_GET,
     .path = "/imports/{id}",
     .handler = report_page,
     .action = ACT_IMPORT_VIEW,
     .object = OBJ_IMPORT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_GET,
     .path = "/imports/{id}/rapport.json",
     .handler = report_json_page,
     .action = ACT_IMPORT_VIEW,
     .object = OBJ_IMPORT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_POST,
     .path = "/imports/{id}/appliquer",
     .handler = apply_run,
     .action = ACT_IMPORT_VIEW,
     .object = OBJ_IMPORT,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {0}};
