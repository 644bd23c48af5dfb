/* apply.c — the applier's life cycle and the structure of establishments:
 * establishments with their school year, classes, groups, subjects, MEF.
 * People are in apply_person.c. */
#include "apply_impl.h"
#include "defaults.h"
#include "nomenclature.h"
#include "../calendar/calendar.h"
#include "../core/clock.h"
#include "../core/log.h"
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void apply_warn(struct applier *a, char severity, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const struct imp_where *at = a->cur ? &a->cur->at : NULL;
    report_problem(a->rep, at ? at->file : NULL, at ? at->line : 0, at ? at->id : NULL, severity,
                   msg);
}

void apply_problem(struct applier *a, const struct imp_where *at, char severity,
                   const char *message)
{
    report_problem(a->rep, at->file, at->line, at->id, severity, message);
}

static int sink_record(void *ctx, const struct imp_record *r)
{
    return apply_record(ctx, r);
}

static void sink_problem(void *ctx, const struct imp_where *at, char severity, const char *m)
{
    apply_problem(ctx, at, severity, m);
}

struct imp_sink apply_sink(struct applier *a)
{
    return (struct imp_sink){a, sink_record, sink_problem};
}

int apply_key(struct applier *a, const char *kind, const char *key, int64_t id,
              const char *digest)
{
    char k[300];
    snprintf(k, sizeof k, "%s\t%s", kind, key);
    if (!digest) digest = "";
    struct keymap_entry *x = keymap_put(&a->key_row, k);
    if (x->key && x->flags && x->id == id && !strcmp(x->digest, digest)) return 0;
    x->flags = 1;
    x->id = id;
    snprintf(x->digest, sizeof x->digest, "%s", digest);
    return APPLY_RUN(a,
                     "INSERT INTO import_key (source, kind, ext_key, object_id, digest)"
                     " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source, kind, ext_key)"
                     " DO UPDATE SET object_id = excluded.object_id, digest = excluded.digest",
                     "tttit", a->o.source, kind, key, id, digest);
}

/* ---- establishments ---------------------------------------------------- */

static struct est_info *est_add(struct applier *a, int64_t id, const char *uai, const char *kind)
{
    a->est = arena_grow(&a->a, a->est, a->nest, &a->est_cap, sizeof *a->est);
    struct est_info *e = &a->est[a->nest++];
    *e = (struct est_info){.id = id};
    snprintf(e->uai, sizeof e->uai, "%s", uai);
    snprintf(e->kind, sizeof e->kind, "%s", kind);
    char k[24];
    snprintf(k, sizeof k, "%lld", (long long)id);
    keymap_put(&a->est_id, k)->id = (int64_t)a->nest;
    keymap_put(&a->est_key, uai)->id = (int64_t)a->nest;
    return e;
}

struct est_info *apply_est(struct applier *a, const char *k)
{
    struct keymap_entry *x = k ? keymap_get(&a->est_key, k) : NULL;
    return x ? &a->est[x->id - 1] : NULL;
}

struct est_info *apply_est_by_id(struct applier *a, int64_t id)
{
    char k[24];
    snprintf(k, sizeof k, "%lld", (long long)id);
    struct keymap_entry *x = keymap_get(&a->est_id, k);
    return x ? &a->est[x->id - 1] : NULL;
}

/* The territory new establishments go to: the option's, the only one, or
 * one made for the académie of the first establishment. 0 on error. */
static int64_t territory(struct applier *a, const char *academie)
{
    if (a->o.territory_id) return a->o.territory_id;
    int64_t id = 0;
    int rc = store_int(a->s, &id, "SELECT id FROM territory ORDER BY id LIMIT 1", "");
    if (rc < 0) return 0;
    if (rc == 0) {
        char name[120];
        snprintf(name, sizeof name, "Académie %s%s", academie && *academie ? "de " : "",
                 academie && *academie ? academie : "");
        if (APPLY_INSERT(a, &id, "INSERT INTO territory (code, name) VALUES ($1, $2) RETURNING id",
                         "tt", academie && *academie ? academie : "territoire",
                         academie && *academie ? name : "Territoire") != 1)
            return 0;
    }
    return a->o.territory_id = id;
}

/* The school year of the run for e, with three trimestres, made from the
 * school calendar of its zone. 0 (reported) when the calendar lacks. */
static int64_t school_year(struct applier *a, struct est_info *e, const char *zone)
{
    if (e->year_id) return e->year_id;
    struct stmt *st = store_q(a->s,
                              "SELECT min(CASE WHEN description LIKE 'Rentrée%' THEN starts_on END),"
                              " min(CASE WHEN description LIKE 'Vacances d''été%' THEN starts_on END)"
                              " FROM school_calendar WHERE zone = $1 AND school_year = $2",
                              "tt", zone, a->year_label);
    char start[11] = "", end[11] = "";
    if (!st) return 0;
    if (stmt_step(st) == STORE_ROW && stmt_text(st, 0) && stmt_text(st, 1)) {
        snprintf(start, sizeof start, "%s", stmt_text(st, 0));
        snprintf(end, sizeof end, "%s", stmt_text(st, 1));
    }
    stmt_done(st);
    if (!start[0]) {
        apply_warn(a, 'F', "le calendrier scolaire %s de la zone %s manque : importez-le d'abord"
                   " (carnet import-calendar, fichier calendrier-scolaire-%s.csv)",
                   a->year_label, zone, a->year_label);
        return 0;
    }
    if (APPLY_INSERT(a, &e->year_id,
                     "INSERT INTO school_year (establishment_id, label, starts_on, ends_on)"
                     " VALUES ($1, $2, $3, $4) RETURNING id",
                     "ittt", e->id, a->year_label, start, end) != 1)
        return 0;
    /* Trimestres: to the end of November, to the end of February, to the end. */
    char bounds[4][11], t2[16], t3[16];
    int y = atoi(start) % 10000;
    snprintf(t2, sizeof t2, "%04d-12-01", y);
    snprintf(t3, sizeof t3, "%04d-03-01", (y + 1) % 10000);
    snprintf(bounds[0], sizeof bounds[0], "%s", start);
    calendar_add_days(t2, -1, bounds[1]);
    calendar_add_days(t3, -1, bounds[2]);
    snprintf(bounds[3], sizeof bounds[3], "%s", end);
    static const char *const names[3] = {"1er trimestre", "2e trimestre", "3e trimestre"};
    const char *from[3] = {bounds[0], t2, t3};
    for (int p = 0; p < 3; p++)
        if (APPLY_RUN(a,
                      "INSERT INTO period (school_year_id, ordinal, name, starts_on, ends_on)"
                      " VALUES ($1, $2, $3, $4, $5)",
                      "iittt", e->year_id, (int64_t)(p + 1), names[p], from[p],
                      bounds[p + 1]) < 0)
            return 0;
    return e->year_id;
}

static bool differs(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

/* Update establishment e from r where they differ; the report says
 * changed or unchanged. 0 or -1. */
static int est_update(struct applier *a, struct est_info *e, const struct imp_record *r,
                      const char *kind)
{
    struct stmt *st = store_q(a->s,
                              "SELECT name, kind, city, academie, address, postcode, phone"
                              " FROM establishment WHERE id = $1", "i", e->id);
    if (!st) return -1;
    bool change = false;
    if (stmt_step(st) == STORE_ROW) {
        unsigned p = r->present;
        change = ((p & IMP_F_LABEL) && r->name && differs(r->name, stmt_text(st, 0)))
                 || ((p & IMP_F_LABEL) && kind && differs(kind, stmt_text(st, 1)))
                 || ((p & IMP_F_ADDRESS) && r->city && differs(r->city, stmt_text(st, 2)))
                 || ((p & IMP_F_LABEL) && r->academie && differs(r->academie, stmt_text(st, 3)))
                 || ((p & IMP_F_ADDRESS) && differs(r->address, stmt_text(st, 4)))
                 || ((p & IMP_F_ADDRESS) && differs(r->postcode, stmt_text(st, 5)));
    }
    stmt_done(st);
    report_count(a->rep, e->uai, REP_ESTABLISHMENT, change ? REP_CHANGED : REP_UNCHANGED);
    if (!change) return 0;
    return APPLY_RUN(a,
                     "UPDATE establishment SET name = coalesce($2, name), kind = coalesce($3, kind),"
                     " city = coalesce($4, city), academie = coalesce($5, academie),"
                     " address = coalesce($6, address), postcode = coalesce($7, postcode),"
                     " closed_on = NULL WHERE id = $1",
                     "ittttt" "t", e->id, r->name, kind, r->city, r->academie, r->address,
                     r->postcode);
}

static struct est_info *est_create(struct applier *a, const struct imp_record *r,
                                   const char *kind, const char *zone)
{
    if (!r->name) {
        apply_warn(a, 'E', "établissement sans nom (ENTStructureNomCourant) : ignoré");
        return NULL;
    }
    int64_t t = territory(a, r->academie), id = 0;
    if (!t || APPLY_INSERT(a, &id,
                           "INSERT INTO establishment (territory_id, kind, uai, name, city, zone,"
                           " tz, academie, address, postcode, phone)"
                           " VALUES ($1, $2, $3, $4, $5, $6, 'Europe/Paris', $7, $8, $9, $10)"
                           " RETURNING id",
                           "ittttttttt", t, kind, r->uai, r->name, r->city ? r->city : "", zone,
                           r->academie ? r->academie : "", r->address ? r->address : "",
                           r->postcode ? r->postcode : "", r->phone ? r->phone : "") != 1)
        return NULL;
    if (import_establishment_defaults(a->s, id, NULL, NULL) < 0) return NULL;
    a->rep->rows_written += IMPORT_DEFAULT_ROWS;
    report_count(a->rep, r->uai, REP_ESTABLISHMENT, REP_CREATED);
    return est_add(a, id, r->uai, kind);
}

static int est_record(struct applier *a, const struct imp_record *r)
{
    const char *uai = r->uai ? r->uai : r->key;
    if (a->o.only_uai && strcmp(uai, a->o.only_uai)) {
        apply_warn(a, 'F', "l'établissement %s n'est pas le vôtre (%s) : import refusé", uai,
                   a->o.only_uai);
        return 0;
    }
    struct est_info *e = apply_est(a, r->key);
    if (!e) e = apply_est(a, uai);
    if (r->op == IMP_DELETE) {
        if (!e) return 0;
        report_count(a->rep, e->uai, REP_ESTABLISHMENT, REP_CLOSED);
        return APPLY_RUN(a, "UPDATE establishment SET closed_on = $2 WHERE id = $1", "it", e->id,
                         a->today);
    }
    report_name(a->rep, uai, r->name);
    const char *zone = nomenclature_zone_of_uai(uai);
    const char *kind = r->kind_text ? nomenclature_establishment_kind(r->kind_text, r->name)
                                    : NULL;
    if (r->kind_text && !kind)
        apply_warn(a, 'W', "type d'établissement inconnu « %s »", r->kind_text);
    if (!e) {
        if (r->op == IMP_MODIFY) {
            apply_warn(a, 'E', "modification d'un établissement inconnu : ignorée");
            return 0;
        }
        if (!zone) {
            apply_warn(a, 'E', "UAI « %s » illisible : zone de vacances inconnue, ignoré", uai);
            return 0;
        }
        if (!kind) kind = nomenclature_establishment_kind(NULL, r->name);
        if (!kind) {
            apply_warn(a, 'E', "type d'établissement inconnu : ignoré");
            return 0;
        }
        if (!(e = est_create(a, r, kind, zone))) return a->rep->failed ? 0 : -1;
    } else if (est_update(a, e, r, kind) < 0) {
        return -1;
    }
    if (!zone) zone = "B";
    if (!school_year(a, e, zone)) return a->rep->failed ? 0 : -1;
    if (r->op == IMP_FULL) {
        struct keymap_entry *x = keymap_get(&a->est_key, uai);
        if (x) x->flags |= EST_COVERED;
    }
    for (size_t i = 0; (r->present & IMP_F_CLASSES) && i < r->classes.n; i++)
        if (!apply_class(a, e, r->classes.v[i].a, r->classes.v[i].b)) return -1;
    for (size_t i = 0; (r->present & IMP_F_GROUPS) && i < r->groups.n; i++)
        if (!apply_group(a, e, r->groups.v[i].a)) return -1;
    if (strcmp(r->key, uai) && !apply_est(a, r->key))
        keymap_put(&a->est_key, r->key)->id = (int64_t)(e - a->est) + 1;
    return apply_key(a, "establishment", r->key, e->id, r->digest);
}

/* ---- classes, groups, subjects, levels ------------------------------------ */

int64_t apply_level(struct applier *a, const char *mef, const char *text)
{
    struct keymap_entry *m = mef ? keymap_get(&a->mef, mef) : NULL;
    if (m && m->aux) return m->aux;
    const char *code = nomenclature_level(text);
    for (size_t i = 0; code && i < a->nlevels; i++)
        if (!strcmp(a->level_code[i], code)) return a->level_id[i];
    return 0;
}

int64_t apply_class(struct applier *a, struct est_info *e, const char *code, const char *label)
{
    char k[200];
    struct keymap_entry *x = keymap_get(&a->klass, keymap_key2(k, sizeof k, e->id, code));
    if (x) return x->id;
    if (!e->year_id) return 0;
    if (a->cur && a->cur->kind != IMP_ESTABLISHMENT)
        apply_warn(a, 'W', "classe %s absente de la liste des classes de %s : créée", code,
                   e->uai);
    int64_t level = apply_level(a, NULL, label ? label : code);
    if (!level) level = apply_level(a, NULL, code);
    if (!level) {
        const char *guess = !strcmp(e->kind, "ecole") ? "CP" : !strcmp(e->kind, "lycee") ? "2NDE"
                                                                                      : "6E";
        apply_warn(a, 'W', "niveau de la classe « %s » inconnu : %s supposé", code, guess);
        level = apply_level(a, NULL, guess);
    }
    int64_t id = 0;
    if (APPLY_INSERT(a, &id,
                     "INSERT INTO class (establishment_id, school_year_id, level_id, name, code)"
                     " VALUES ($1, $2, $3, $4, $4) RETURNING id",
                     "iiit", e->id, e->year_id, level, code) != 1)
        return 0;
    report_count(a->rep, e->uai, REP_CLASS, REP_CREATED);
    x = keymap_put(&a->klass, k);
    x->id = id;
    return id;
}

int64_t apply_group(struct applier *a, struct est_info *e, const char *code)
{
    char k[200];
    struct keymap_entry *x = keymap_get(&a->grp, keymap_key2(k, sizeof k, e->id, code));
    if (x) return x->id;
    if (!e->year_id) return 0;
    if (a->cur && a->cur->kind != IMP_ESTABLISHMENT)
        apply_warn(a, 'W', "groupe %s absent de la liste des groupes de %s : créé", code, e->uai);
    int64_t id = 0;
    if (APPLY_INSERT(a, &id,
                     "INSERT INTO grp (establishment_id, school_year_id, name, code)"
                     " VALUES ($1, $2, $3, $3) RETURNING id",
                     "iit", e->id, e->year_id, code) != 1)
        return 0;
    report_count(a->rep, e->uai, REP_GROUP, REP_CREATED);
    keymap_put(&a->grp, k)->id = id;
    return id;
}

int64_t apply_subject(struct applier *a, struct est_info *e, const char *code)
{
    char k[200];
    struct keymap_entry *x = keymap_get(&a->subject, keymap_key2(k, sizeof k, e->id, code));
    if (x) return x->id;
    const char *name = NULL;
    struct stmt *st = store_q(a->s, "SELECT name FROM subject_ref WHERE code = $1", "t", code);
    if (!st) return 0;
    if (stmt_step(st) == STORE_ROW) name = arena_strdup(&a->rec, stmt_text(st, 0));
    stmt_done(st);
    if (!name) {
        apply_warn(a, 'W', "matière %s absente de la nomenclature : nommée par son code", code);
        name = code;
    }
    int64_t id = 0;
    if (APPLY_INSERT(a, &id,
                     "INSERT INTO subject (establishment_id, code, name) VALUES ($1, $2, $3)"
                     " RETURNING id",
                     "itt", e->id, code, name) != 1)
        return 0;
    report_count(a->rep, e->uai, REP_SUBJECT, REP_CREATED);
    keymap_put(&a->subject, k)->id = id;
    return id;
}

static int subject_record(struct applier *a, const struct imp_record *r)
{
    if (r->op == IMP_DELETE) return 0;
    if (!r->name) {
        apply_warn(a, 'E', "matière sans libellé : ignorée");
        return 0;
    }
    struct keymap_entry *x = keymap_get(&a->subject_ref, r->key);
    if (x && !strcmp(x->digest, r->digest)) {
        report_count(a->rep, NULL, REP_SUBJECT, REP_UNCHANGED);
        return 0;
    }
    report_count(a->rep, NULL, REP_SUBJECT, x ? REP_CHANGED : REP_CREATED);
    x = keymap_put(&a->subject_ref, r->key);
    snprintf(x->digest, sizeof x->digest, "%s", r->digest);
    /* A new label reaches the establishments' subjects of that code. */
    if (APPLY_RUN(a,
                  "INSERT INTO subject_ref (code, name) VALUES ($1, $2)"
                  " ON CONFLICT (code) DO UPDATE SET name = excluded.name",
                  "tt", r->key, r->name) < 0
        || APPLY_RUN(a, "UPDATE subject SET name = $2 WHERE code = $1 AND name <> $2", "tt",
                     r->key, r->name) < 0)
        return -1;
    return apply_key(a, "subject", r->key, 0, r->digest);
}

static int mef_record(struct applier *a, const struct imp_record *r)
{
    if (r->op == IMP_DELETE) return 0;
    if (!r->name) {
        apply_warn(a, 'E', "formation (MEF) sans libellé : ignorée");
        return 0;
    }
    struct keymap_entry *x = keymap_get(&a->mef, r->key);
    if (x && !strcmp(x->digest, r->digest)) {
        report_count(a->rep, NULL, REP_MEF, REP_UNCHANGED);
        return 0;
    }
    int64_t level = apply_level(a, NULL, r->name);
    report_count(a->rep, NULL, REP_MEF, x ? REP_CHANGED : REP_CREATED);
    x = keymap_put(&a->mef, r->key);
    x->aux = level;
    snprintf(x->digest, sizeof x->digest, "%s", r->digest);
    if (APPLY_RUN(a,
                  "INSERT INTO mef (code, name, level_id) VALUES ($1, $2, $3)"
                  " ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
                  " level_id = excluded.level_id",
                  "ttN", r->key, r->name, level) < 0)
        return -1;
    return apply_key(a, "mef", r->key, 0, r->digest);
}

/* A record's digest as kept: of its content and of the school year it was
 * applied in, so that the same export in a new year fills the new year. */
static void year_digest(const struct applier *a, const char *digest, char out[33])
{
    unsigned char d[16];
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, sizeof d);
    crypto_generichash_update(&h, (const unsigned char *)digest, strlen(digest));
    crypto_generichash_update(&h, (const unsigned char *)a->year_label, strlen(a->year_label));
    crypto_generichash_final(&h, d, sizeof d);
    sodium_bin2hex(out, 33, d, sizeof d);
}

int apply_record(struct applier *a, const struct imp_record *given)
{
    struct imp_record yr = *given;
    if (yr.digest[0]) year_digest(a, given->digest, yr.digest);
    const struct imp_record *r = &yr;
    arena_free(&a->rec);
    arena_init(&a->rec);
    a->cur = r;
    a->rep->records++;
    int rc;
    switch (r->kind) {
    case IMP_ESTABLISHMENT: rc = est_record(a, r); break;
    case IMP_SUBJECT: rc = subject_record(a, r); break;
    case IMP_MEF: rc = mef_record(a, r); break;
    case IMP_SLOT: rc = apply_slot_record(a, r); break;
    default: rc = apply_person_record(a, r); break;
    }
    a->cur = NULL;
    if (rc < 0 && !a->rep->failed)
        report_problem(a->rep, r->at.file, r->at.line, r->at.id, 'F',
                       "la base a refusé l'écriture : import arrêté");
    return rc < 0 || a->rep->failed ? -1 : 0;
}

/* ---- life cycle ---------------------------------------------------------------- */

static int load_structures(struct applier *a)
{
    struct stmt *st = store_q(a->s, "SELECT id, code FROM level ORDER BY ordinal", "");
    while (st && stmt_step(st) == STORE_ROW && a->nlevels < 16) {
        a->level_id[a->nlevels] = stmt_int(st, 0);
        a->level_code[a->nlevels++] = arena_strdup(&a->a, stmt_text(st, 1));
    }
    stmt_done(st);
    st = store_q(a->s,
                 "SELECT e.id, e.uai, e.kind, y.id FROM establishment e"
                 " LEFT JOIN school_year y ON y.establishment_id = e.id AND y.label = $1",
                 "t", a->year_label);
    while (st && stmt_step(st) == STORE_ROW)
        est_add(a, stmt_int(st, 0), stmt_text(st, 1), stmt_text(st, 2))->year_id = stmt_int(st, 3);
    stmt_done(st);
    st = store_q(a->s, "SELECT ext_key, object_id FROM import_key WHERE source = $1"
                       " AND kind = 'establishment'", "t", a->o.source);
    while (st && stmt_step(st) == STORE_ROW) {
        struct est_info *e = apply_est_by_id(a, stmt_int(st, 1));
        if (e) keymap_put(&a->est_key, stmt_text(st, 0))->id = (int64_t)(e - a->est) + 1;
    }
    stmt_done(st);
    char k[200];
    st = store_q(a->s, "SELECT c.id, c.establishment_id, coalesce(c.code, c.name) FROM class c"
                       " JOIN school_year y ON y.id = c.school_year_id WHERE y.label = $1",
                 "t", a->year_label);
    while (st && stmt_step(st) == STORE_ROW)
        keymap_put(&a->klass, keymap_key2(k, sizeof k, stmt_int(st, 1), stmt_text(st, 2)))->id =
            stmt_int(st, 0);
    stmt_done(st);
    st = store_q(a->s, "SELECT g.id, g.establishment_id, coalesce(g.code, g.name) FROM grp g"
                       " JOIN school_year y ON y.id = g.school_year_id WHERE y.label = $1",
                 "t", a->year_label);
    while (st && stmt_step(st) == STORE_ROW)
        keymap_put(&a->grp, keymap_key2(k, sizeof k, stmt_int(st, 1), stmt_text(st, 2)))->id =
            stmt_int(st, 0);
    stmt_done(st);
    st = store_q(a->s, "SELECT id, establishment_id, code FROM subject", "");
    while (st && stmt_step(st) == STORE_ROW)
        keymap_put(&a->subject, keymap_key2(k, sizeof k, stmt_int(st, 1), stmt_text(st, 2)))->id =
            stmt_int(st, 0);
    stmt_done(st);
    st = store_q(a->s, "SELECT m.code, m.level_id, coalesce(k.digest, '') FROM mef m"
                       " LEFT JOIN import_key k ON k.source = $1 AND k.kind = 'mef'"
                       " AND k.ext_key = m.code", "t", a->o.source);
    while (st && stmt_step(st) == STORE_ROW) {
        struct keymap_entry *x = keymap_put(&a->mef, stmt_text(st, 0));
        x->aux = stmt_int(st, 1);
        snprintf(x->digest, sizeof x->digest, "%s", stmt_text(st, 2));
    }
    stmt_done(st);
    st = store_q(a->s, "SELECT r.code, coalesce(k.digest, '') FROM subject_ref r"
                       " LEFT JOIN import_key k ON k.source = $1 AND k.kind = 'subject'"
                       " AND k.ext_key = r.code", "t", a->o.source);
    while (st && stmt_step(st) == STORE_ROW)
        snprintf(keymap_put(&a->subject_ref, stmt_text(st, 0))->digest, 33, "%s",
                 stmt_text(st, 1));
    stmt_done(st);
    st = store_q(a->s, "SELECT kind, ext_key, object_id, digest FROM import_key"
                       " WHERE source = $1 AND kind <> 'person'", "t", a->o.source);
    while (st && stmt_step(st) == STORE_ROW) {
        snprintf(k, sizeof k, "%s\t%s", stmt_text(st, 0), stmt_text(st, 1));
        struct keymap_entry *x = keymap_put(&a->key_row, k);
        x->flags = 1;
        x->id = stmt_int(st, 2);
        snprintf(x->digest, sizeof x->digest, "%s", stmt_text(st, 3));
    }
    stmt_done(st);
    return st ? 0 : -1;
}

struct applier *apply_begin(struct store *s, struct report *rep, const struct apply_options *o)
{
    struct applier *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->s = s;
    a->rep = rep;
    a->o = *o;
    a->now = clock_now();
    clock_today(a->today);
    calendar_add_days(a->today, -1, a->yesterday);
    calendar_school_year_of(a->today, a->year_label);
    /* In the summer, once the next year is open (carnet new-year), the
     * imports fill it. */
    char next[16];
    snprintf(next, sizeof next, "%04d-%04d", (atoi(a->year_label) + 1) % 10000,
             (atoi(a->year_label) + 2) % 10000);
    int64_t opened = 0;
    if (store_int(s, &opened, "SELECT count(*) FROM school_year WHERE label = $1 AND starts_on > $2",
                  "tt", next, a->today) == 1 && opened)
        snprintf(a->year_label, sizeof a->year_label, "%s", next);
    arena_init(&a->a);
    arena_init(&a->rec);
    struct keymap *maps[] = {&a->est_key, &a->est_id, &a->klass, &a->grp, &a->subject,
                             &a->subject_ref, &a->mef, &a->person, &a->ine, &a->logins,
                             &a->key_row, &a->household};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) keymap_init(maps[i]);
    if (load_structures(a) < 0 || apply_person_load(a) < 0 || identity_load(a) < 0) {
        report_problem(rep, NULL, 0, NULL, 'F', "lecture de la base impossible");
        apply_free(a);
        return NULL;
    }
    return a;
}

void apply_complete(struct applier *a, enum imp_kind k)
{
    a->complete |= 1u << k;
}

int apply_end(struct applier *a)
{
    if (apply_slot_end(a) < 0) return -1;
    if (a->rep->failed) return -1;
    return apply_person_close(a);
}

void apply_free(struct applier *a)
{
    if (!a) return;
    struct keymap *maps[] = {&a->est_key, &a->est_id, &a->klass, &a->grp, &a->subject,
                             &a->subject_ref, &a->mef, &a->person, &a->ine, &a->logins,
                             &a->key_row, &a->household};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) keymap_free(maps[i]);
    arena_free(&a->a);
    arena_free(&a->rec);
    free(a);
}
