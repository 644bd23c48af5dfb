/* export_oneroster.c — a OneRoster 1.1 bulk CSV package of the store (see
 * export_oneroster.h). Files: manifest.csv, orgs.csv (the territory as a
 * district, its establishments as schools), academicSessions.csv (each
 * school's current year and its periods), courses.csv (one per subject of
 * an establishment, and one "Classe" course per school for its homeroom
 * classes), classes.csv (homeroom: the classes; scheduled: the groups, and
 * one per teaching, its classCode the class's or group's code and its
 * subject the teaching's), users.csv, enrollments.csv (pupils in classes
 * and groups, teachers in their teachings), demographics.csv (birth
 * dates). sourcedIds are stable: "carnet-<thing>-<id>". Fields are quoted
 * as RFC 4180 says, lines end with CRLF. */
#include "import.h"
#include "export_oneroster.h"
#include "keymap.h"
#include "orzip.h"
#include "../core/arena.h"
#include "../core/clock.h"
#include "../core/log.h"
#include "../store/store.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { X_MANIFEST, X_ORGS, X_SESSIONS, X_COURSES, X_CLASSES, X_USERS, X_ENROLLMENTS,
       X_DEMOGRAPHICS, X_NFILES };
static const char *const x_names[X_NFILES] = {
    "manifest.csv", "orgs.csv", "academicSessions.csv", "courses.csv", "classes.csv",
    "users.csv", "enrollments.csv", "demographics.csv"};
static const char *const x_headers[X_NFILES] = {
    "propertyName,value",
    "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear",
    "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,"
    "subjects,subjectCodes",
    "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,"
    "schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods",
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,"
    "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password",
    "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,"
    "beginDate,endDate",
    "sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,"
    "blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,"
    "demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,"
    "stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus"};

/* The school year of an establishment that an export shows: the latest
 * one begun by $2 (a SQL fragment kept literal in each query). */
#define CUR_YEAR(est) "(SELECT y.id FROM school_year y WHERE y.establishment_id = " est \
                      " AND y.starts_on <= $2 ORDER BY y.starts_on DESC LIMIT 1)"
#define EST_WHERE "e.closed_on IS NULL AND ($1 = '' OR e.uai = $1)"

struct person {
    int64_t id;
    const char *role, *last, *first, *email, *phone, *ine, *login, *birth;
    char *orgs, *agents;
    int rank;      /* of role: the lower wins */
};

struct ex {
    struct store *s;
    const char *uai, *today;
    FILE *f[X_NFILES];
    struct arena a;
    struct person *people;
    size_t n, cap;
    struct keymap ix; /* person id → index + 1 */
};

/* Write field v (NULL: empty) quoted as RFC 4180 asks when it must be. */
static void field(FILE *f, const char *v)
{
    if (!v) return;
    if (!strpbrk(v, ",\"\r\n") && v[0] != ' ' && (!*v || v[strlen(v) - 1] != ' ')) {
        fputs(v, f);
        return;
    }
    fputc('"', f);
    for (const char *p = v; *p; p++) {
        if (*p == '"') fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

/* Write a record of n fields (NULL: empty), ended by CRLF. */
static void row(FILE *f, size_t n, ...)
{
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        if (i) fputc(',', f);
        field(f, va_arg(ap, const char *));
    }
    va_end(ap);
    fputs("\r\n", f);
}

/* "carnet-<what>-<id>" in x's arena. */
static const char *sid(struct ex *x, const char *what, int64_t id)
{
    return arena_printf(&x->a, "carnet-%s-%lld", what, (long long)id);
}

/* The orgs: the territories of the establishments, as districts, and the
 * establishments as schools. 0 or -1. */
static int orgs_write(struct ex *x)
{
    struct stmt *st = store_q(x->s, "SELECT DISTINCT t.id, t.name FROM territory t"
                                    " JOIN establishment e ON e.territory_id = t.id"
                                    " WHERE " EST_WHERE " ORDER BY t.id", "t", x->uai);
    while (st && stmt_step(st) == STORE_ROW)
        row(x->f[X_ORGS], 7, sid(x, "territory", stmt_int(st, 0)), NULL, NULL,
            stmt_text(st, 1), "district", NULL, NULL);
    stmt_done(st);
    if (!st) return -1;
    st = store_q(x->s, "SELECT e.id, e.name, e.uai, e.territory_id FROM establishment e"
                       " WHERE " EST_WHERE " ORDER BY e.id", "t", x->uai);
    while (st && stmt_step(st) == STORE_ROW)
        row(x->f[X_ORGS], 7, sid(x, "est", stmt_int(st, 0)), NULL, NULL, stmt_text(st, 1),
            "school", stmt_text(st, 2), sid(x, "territory", stmt_int(st, 3)));
    stmt_done(st);
    return st ? 0 : -1;
}

/* Each school's current year and its periods. 0 or -1. */
static int sessions_write(struct ex *x)
{
    struct stmt *st = store_q(x->s, "SELECT y.id, y.label, y.starts_on, y.ends_on"
                                    " FROM establishment e JOIN school_year y"
                                    " ON y.id = " CUR_YEAR("e.id") " WHERE " EST_WHERE
                                    " ORDER BY y.id", "tt", x->uai, x->today);
    while (st && stmt_step(st) == STORE_ROW) {
        const char *label = stmt_text(st, 1);
        row(x->f[X_SESSIONS], 9, sid(x, "year", stmt_int(st, 0)), NULL, NULL, label,
            "schoolYear", stmt_text(st, 2), stmt_text(st, 3), NULL,
            strlen(label) >= 9 ? label + 5 : label);
    }
    stmt_done(st);
    if (!st) return -1;
    st = store_q(x->s, "SELECT p.id, p.name, p.starts_on, p.ends_on, y.id, y.label"
                       " FROM establishment e JOIN school_year y ON y.id = " CUR_YEAR("e.id")
                       " JOIN period p ON p.school_year_id = y.id WHERE " EST_WHERE
                       " ORDER BY p.id", "tt", x->uai, x->today);
    while (st && stmt_step(st) == STORE_ROW) {
        const char *label = stmt_text(st, 5);
        row(x->f[X_SESSIONS], 9, sid(x, "period", stmt_int(st, 0)), NULL, NULL,
            stmt_text(st, 1), "term", stmt_text(st, 2), stmt_text(st, 3),
            sid(x, "year", stmt_int(st, 4)), strlen(label) >= 9 ? label + 5 : label);
    }
    stmt_done(st);
    return st ? 0 : -1;
}

/* One course per subject, one "Classe" course per school. 0 or -1. */
static int courses_write(struct ex *x)
{
    struct stmt *st = store_q(x->s, "SELECT e.id, " CUR_YEAR("e.id") " FROM establishment e"
                                    " WHERE " EST_WHERE " ORDER BY e.id", "tt", x->uai,
                              x->today);
    while (st && stmt_step(st) == STORE_ROW)
        row(x->f[X_COURSES], 10, sid(x, "homeroom", stmt_int(st, 0)), NULL, NULL,
            stmt_is_null(st, 1) ? NULL : sid(x, "year", stmt_int(st, 1)), "Classe", NULL, NULL,
            sid(x, "est", stmt_int(st, 0)), NULL, NULL);
    stmt_done(st);
    if (!st) return -1;
    st = store_q(x->s, "SELECT s.id, s.code, s.name, e.id, " CUR_YEAR("e.id")
                       " FROM subject s JOIN establishment e ON e.id = s.establishment_id"
                       " WHERE " EST_WHERE " ORDER BY s.id", "tt", x->uai, x->today);
    while (st && stmt_step(st) == STORE_ROW)
        row(x->f[X_COURSES], 10, sid(x, "subject", stmt_int(st, 0)), NULL, NULL,
            stmt_is_null(st, 4) ? NULL : sid(x, "year", stmt_int(st, 4)), stmt_text(st, 2),
            stmt_text(st, 1), NULL, sid(x, "est", stmt_int(st, 3)), stmt_text(st, 2),
            stmt_text(st, 1));
    stmt_done(st);
    return st ? 0 : -1;
}

/* Homeroom classes, groups and teachings as classes. 0 or -1. */
static int classes_write(struct ex *x)
{
    FILE *f = x->f[X_CLASSES];
    struct stmt *st = store_q(x->s, "SELECT c.id, c.name, coalesce(c.code, c.name), e.id,"
                                    " c.school_year_id, l.code FROM class c"
                                    " JOIN establishment e ON e.id = c.establishment_id"
                                    " JOIN level l ON l.id = c.level_id WHERE " EST_WHERE
                                    " AND c.school_year_id = " CUR_YEAR("e.id")
                                    " ORDER BY c.id", "tt", x->uai, x->today);
    while (st && stmt_step(st) == STORE_ROW)
        row(f, 14, sid(x, "class", stmt_int(st, 0)), NULL, NULL, stmt_text(st, 1),
            stmt_text(st, 5), sid(x, "homeroom", stmt_int(st, 3)), stmt_text(st, 2), "homeroom",
            NULL, sid(x, "est", stmt_int(st, 3)), sid(x, "year", stmt_int(st, 4)), NULL, NULL,
            NULL);
    stmt_done(st);
    if (!st) return -1;
    st = store_q(x->s, "SELECT g.id, g.name, coalesce(g.code, g.name), e.id, g.school_year_id"
                       " FROM grp g JOIN establishment e ON e.id = g.establishment_id"
                       " WHERE " EST_WHERE " AND g.school_year_id = " CUR_YEAR("e.id")
                       " ORDER BY g.id", "tt", x->uai, x->today);
    while (st && stmt_step(st) == STORE_ROW)
        row(f, 14, sid(x, "group", stmt_int(st, 0)), NULL, NULL, stmt_text(st, 1), NULL,
            sid(x, "homeroom", stmt_int(st, 3)), stmt_text(st, 2), "scheduled", NULL,
            sid(x, "est", stmt_int(st, 3)), sid(x, "year", stmt_int(st, 4)), NULL, NULL, NULL);
    stmt_done(st);
    if (!st) return -1;
    st = store_q(x->s, "SELECT t.id, coalesce(c.name, g.name), coalesce(c.code, c.name, g.code,"
                       " g.name), e.id, coalesce(c.school_year_id, g.school_year_id), s.id,"
                       " s.code, s.name FROM teaching t"
                       " JOIN establishment e ON e.id = t.establishment_id"
                       " JOIN subject s ON s.id = t.subject_id"
                       " LEFT JOIN class c ON c.id = t.class_id LEFT JOIN grp g ON g.id = t.grp_id"
                       " WHERE " EST_WHERE " AND (t.ends_on IS NULL OR t.ends_on >= $2)"
                       " AND coalesce(c.school_year_id, g.school_year_id) = " CUR_YEAR("e.id")
                       " ORDER BY t.id", "tt", x->uai, x->today);
    while (st && stmt_step(st) == STORE_ROW)
        row(f, 14, sid(x, "teaching", stmt_int(st, 0)), NULL, NULL,
            arena_printf(&x->a, "%s — %s", stmt_text(st, 1), stmt_text(st, 7)), NULL,
            sid(x, "subject", stmt_int(st, 5)), stmt_text(st, 2), "scheduled", NULL,
            sid(x, "est", stmt_int(st, 3)), sid(x, "year", stmt_int(st, 4)), stmt_text(st, 7),
            stmt_text(st, 6), NULL);
    stmt_done(st);
    return st ? 0 : -1;
}

/* Append ",item" (or "item") to the comma-separated list *l, in a. */
static void list_add(struct arena *a, char **l, const char *item)
{
    *l = *l ? arena_printf(a, "%s,%s", *l, item) : arena_strdup(a, item);
}

/* The OneRoster role of a profile and its rank (a person has one role:
 * the first of pupil, teacher, head, staff, parent). */
static const char *role_of(const char *profile, int *rank)
{
    static const char *const profiles[] = {"pupil", "teacher", "head", "staff", "parent"};
    static const char *const roles[] = {"student", "teacher", "administrator", "aide", "parent"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(profile, profiles[i])) {
            *rank = i;
            return roles[i];
        }
    *rank = 9;
    return NULL;
}

/* The people with a valid role in the exported establishments, their
 * schools and best role, into x->people. 0 or -1. */
static int people_load(struct ex *x)
{
    struct stmt *st = store_q(
        x->s, "SELECT p.id, r.profile, e.id, p.last_name, p.first_name, p.email, p.phone, p.ine,"
              " (SELECT a.login FROM account a WHERE a.person_id = p.id), p.birth_date"
              " FROM role r JOIN person p ON p.id = r.person_id"
              " JOIN establishment e ON e.id = r.establishment_id WHERE " EST_WHERE
              " AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2)"
              " ORDER BY p.id, e.id", "tt", x->uai, x->today);
    while (st && stmt_step(st) == STORE_ROW) {
        int rank;
        const char *role = role_of(stmt_text(st, 1), &rank);
        if (!role) continue;
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)stmt_int(st, 0));
        struct keymap_entry *k = keymap_put(&x->ix, key);
        if (!k->id) {
            x->people = arena_grow(&x->a, x->people, x->n, &x->cap, sizeof *x->people);
            struct person *p = &x->people[x->n];
            *p = (struct person){.id = stmt_int(st, 0), .rank = 99};
            const char **to[] = {&p->last, &p->first, &p->email, &p->phone, &p->ine, &p->login,
                                 &p->birth};
            for (int i = 0; i < 7; i++)
                *to[i] = stmt_is_null(st, 3 + i) ? NULL : arena_strdup(&x->a, stmt_text(st, 3 + i));
            k->id = (int64_t)++x->n;
        }
        struct person *p = &x->people[k->id - 1];
        const char *org = sid(x, "est", stmt_int(st, 2));
        if (!p->orgs || !strstr(p->orgs, org)) list_add(&x->a, &p->orgs, org);
        if (rank < p->rank) p->rank = rank, p->role = role;
    }
    stmt_done(st);
    return st ? 0 : -1;
}

/* The person of id among those exported, or NULL. */
static struct person *person_of(struct ex *x, int64_t id)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)id);
    struct keymap_entry *k = keymap_get(&x->ix, key);
    return k ? &x->people[k->id - 1] : NULL;
}

/* Guardianships between exported people: agentSourcedIds on both sides,
 * the parent's role told by the first link (tutor: guardian; no parental
 * authority: relative). 0 or -1. */
static int agents_load(struct ex *x)
{
    struct stmt *st = store_q(x->s, "SELECT parent_id, pupil_id, relation, legal_responsibility"
                                    " FROM guardianship ORDER BY id", "");
    while (st && stmt_step(st) == STORE_ROW) {
        struct person *parent = person_of(x, stmt_int(st, 0));
        struct person *child = person_of(x, stmt_int(st, 1));
        if (!parent || !child || parent->rank != 4 || child->rank != 0) continue;
        if (!parent->agents)
            parent->role = !strcmp(stmt_text(st, 2), "tutor") ? "guardian"
                           : stmt_int(st, 3) ? "parent" : "relative";
        list_add(&x->a, &parent->agents, sid(x, "person", child->id));
        list_add(&x->a, &child->agents, sid(x, "person", parent->id));
    }
    stmt_done(st);
    return st ? 0 : -1;
}

/* users.csv and demographics.csv. */
static void users_write(struct ex *x)
{
    for (size_t i = 0; i < x->n; i++) {
        const struct person *p = &x->people[i];
        const char *id = sid(x, "person", p->id);
        row(x->f[X_USERS], 18, id, NULL, NULL, "true", p->orgs, p->role,
            p->login ? p->login : id, NULL, p->first, p->last, NULL, p->ine, p->email, NULL,
            p->phone, p->agents, NULL, NULL);
        if (p->birth)
            row(x->f[X_DEMOGRAPHICS], 16, id, NULL, NULL, p->birth, NULL, NULL, NULL, NULL, NULL,
                NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    }
}

/* Pupils in their classes and groups, teachers in their teachings. 0 or -1. */
static int enrollments_write(struct ex *x)
{
    FILE *f = x->f[X_ENROLLMENTS];
    struct stmt *st = store_q(x->s, "SELECT n.id, n.pupil_id, c.id, e.id, n.starts_on"
                                    " FROM enrolment n JOIN class c ON c.id = n.class_id"
                                    " JOIN establishment e ON e.id = c.establishment_id"
                                    " WHERE " EST_WHERE " AND c.school_year_id = "
                                    CUR_YEAR("e.id") " AND n.starts_on <= $2"
                                    " AND (n.ends_on IS NULL OR n.ends_on >= $2) ORDER BY n.id",
                              "tt", x->uai, x->today);
    while (st && stmt_step(st) == STORE_ROW)
        if (person_of(x, stmt_int(st, 1)))
            row(f, 10, sid(x, "enrolment", stmt_int(st, 0)), NULL, NULL,
                sid(x, "class", stmt_int(st, 2)), sid(x, "est", stmt_int(st, 3)),
                sid(x, "person", stmt_int(st, 1)), "student", "true", stmt_text(st, 4), NULL);
    stmt_done(st);
    if (!st) return -1;
    st = store_q(x->s, "SELECT m.grp_id, m.pupil_id, e.id FROM group_member m"
                       " JOIN grp g ON g.id = m.grp_id"
                       " JOIN establishment e ON e.id = g.establishment_id WHERE " EST_WHERE
                       " AND g.school_year_id = " CUR_YEAR("e.id") " ORDER BY m.grp_id, m.pupil_id",
                 "tt", x->uai, x->today);
    while (st && stmt_step(st) == STORE_ROW)
        if (person_of(x, stmt_int(st, 1)))
            row(f, 10, arena_printf(&x->a, "carnet-member-%lld-%lld", (long long)stmt_int(st, 0),
                                    (long long)stmt_int(st, 1)), NULL, NULL,
                sid(x, "group", stmt_int(st, 0)), sid(x, "est", stmt_int(st, 2)),
                sid(x, "person", stmt_int(st, 1)), "student", "false", NULL, NULL);
    stmt_done(st);
    if (!st) return -1;
    st = store_q(x->s, "SELECT t.id, t.teacher_id, e.id FROM teaching t"
                       " JOIN establishment e ON e.id = t.establishment_id"
                       " LEFT JOIN class c ON c.id = t.class_id LEFT JOIN grp g ON g.id = t.grp_id"
                       " WHERE " EST_WHERE " AND (t.ends_on IS NULL OR t.ends_on >= $2)"
                       " AND coalesce(c.school_year_id, g.school_year_id) = " CUR_YEAR("e.id")
                       " ORDER BY t.id", "tt", x->uai, x->today);
    while (st && stmt_step(st) == STORE_ROW)
        if (person_of(x, stmt_int(st, 1)))
            row(f, 10, arena_printf(&x->a, "carnet-teacher-%lld", (long long)stmt_int(st, 0)),
                NULL, NULL, sid(x, "teaching", stmt_int(st, 0)), sid(x, "est", stmt_int(st, 2)),
                sid(x, "person", stmt_int(st, 1)), "teacher", "true", NULL, NULL);
    stmt_done(st);
    return st ? 0 : -1;
}

/* manifest.csv: version 1.1, the files written bulk, the others absent. */
static void manifest_write(struct ex *x)
{
    static const char *const absent[] = {"categories", "classResources", "courseResources",
                                         "lineItems", "resources", "results"};
    FILE *f = x->f[X_MANIFEST];
    row(f, 2, "manifest.version", "1.0");
    row(f, 2, "oneroster.version", "1.1");
    for (int i = X_ORGS; i < X_NFILES; i++) {
        size_t n = strlen(x_names[i]) - 4;
        row(f, 2, arena_printf(&x->a, "file.%.*s", (int)n, x_names[i]), "bulk");
    }
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        row(f, 2, arena_printf(&x->a, "file.%s", absent[i]), "absent");
    row(f, 2, "source.systemName", "Carnet");
    row(f, 2, "source.systemCode", "carnet");
}

/* Open the package's files in dir, each with its header. 0 or -1. */
static int files_open(struct ex *x, const char *dir, char *err, size_t errlen)
{
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    for (int i = 0; i < X_NFILES; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, x_names[i]);
        if (!(x->f[i] = fopen(path, "w"))) {
            snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
            return -1;
        }
        fprintf(x->f[i], "%s\r\n", x_headers[i]);
    }
    return 0;
}

int export_oneroster(struct store *s, const char *uai, const char *today, const char *dir,
                     char *err, size_t errlen)
{
    struct ex x = {.s = s, .uai = uai ? uai : "", .today = today};
    arena_init(&x.a);
    keymap_init(&x.ix);
    int rc = files_open(&x, dir, err, errlen);
    if (rc == 0) {
        manifest_write(&x);
        rc = orgs_write(&x) < 0 || sessions_write(&x) < 0 || courses_write(&x) < 0
                     || classes_write(&x) < 0 || people_load(&x) < 0 || agents_load(&x) < 0
                 ? -1 : 0;
        if (rc == 0) users_write(&x);
        if (rc == 0) rc = enrollments_write(&x);
        if (rc < 0) snprintf(err, errlen, "the database could not be read");
    }
    for (int i = 0; i < X_NFILES; i++)
        if (x.f[i] && fclose(x.f[i]) != 0 && rc == 0) {
            snprintf(err, errlen, "cannot write %s", x_names[i]);
            rc = -1;
        }
    keymap_free(&x.ix);
    arena_free(&x.a);
    return rc;
}

/* Usage of `carnet export`; returns 2. */
static int export_usage(void)
{
    fputs("usage: carnet export oneroster --db DB [--establishment UAI] [--now T]"
          " --to DIR|FILE.zip\n", stderr);
    return 2;
}

/* Export into to: a folder, or a zip written from a temporary folder. */
static int export_to(struct store *s, const char *uai, const char *to, char *err, size_t errlen)
{
    char today[11];
    clock_today(today);
    if (!orzip_is_zip(to)) return export_oneroster(s, uai, today, to, err, errlen);
    char dir[4096];
    if (import_tempdir(dir, sizeof dir, "export") < 0) {
        snprintf(err, errlen, "cannot create a temporary directory");
        return -1;
    }
    int rc = export_oneroster(s, uai, today, dir, err, errlen);
    if (rc == 0) rc = orzip_write(to, dir, x_names, X_NFILES, err, errlen);
    orzip_remove(dir);
    return rc;
}

int export_command(int argc, char **argv)
{
    if (argc < 3 || strcmp(argv[2], "oneroster")) return export_usage();
    const char *db = getenv("CARNET_DB"), *uai = NULL, *to = NULL;
    for (int i = 3; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--db") && v) db = argv[++i];
        else if (!strcmp(argv[i], "--establishment") && v) uai = argv[++i];
        else if (!strcmp(argv[i], "--to") && v) to = argv[++i];
        else if (!strcmp(argv[i], "--quiet")) log_set_quiet(1);
        else if (!strcmp(argv[i], "--now") && v) {
            int64_t t;
            if (!clock_parse(argv[++i], &t)) return export_usage();
            clock_set(t);
        } else return export_usage();
    }
    if (!db || !to) return export_usage();
    char err[300];
    struct store *s = store_open(db, err, sizeof err);
    int rc = s ? store_migrate(s) : -1;
    if (s && rc < 0) snprintf(err, sizeof err, "migration failed");
    if (rc >= 0) rc = export_to(s, uai, to, err, sizeof err);
    if (rc < 0) fprintf(stderr, "carnet: %s\n", err);
    store_close(s);
    return rc < 0 ? 1 : 0;
}
