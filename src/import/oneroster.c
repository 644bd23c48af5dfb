/* oneroster.c — the OneRoster reader: 1EdTech's OneRoster 1.1 and 1.2 CSV
 * packages (a folder, or a .zip read through orzip.c), turned into
 * normalised records (record.h).
 *
 * A package is one imp_file: its records depend on each other across its
 * files (a pupil's class is in enrollments.csv, the class's school in
 * classes.csv, the school in orgs.csv), so the whole package is loaded into
 * memory first — memory proportional to the roster's size, a few hundred
 * bytes per user and per enrolment, accepted here — then sent in the order
 * the applier needs: schools with their classes and groups, subjects,
 * pupils, staff, then relatives (who name their children).
 *
 * manifest.csv tells the version and, for each file, bulk, delta or
 * absent; a file it does not declare is reported and ignored. Keys: a
 * school its identifier when that is a UAI, else its sourcedId; a person
 * their sourcedId; a class its classCode (else its title). A scheduled
 * class whose code is a homeroom class's of the same school is that class
 * taught in a subject (how `carnet export oneroster` writes teachings);
 * any other scheduled class is a group. */
#include "csv.h"
#include "emit.h"
#include "keymap.h"
#include "nomenclature.h"
#include "orzip.h"
#include "reader.h"
#include "../core/arena.h"
#include "../core/clock.h"
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* The subject code of a teaching whose class names none. */
#define OR_SUBJECT "ONEROSTER"
#define OR_SUBJECT_NAME "Enseignement (OneRoster)"

/* ---- the files and their columns ----------------------------------------- */

enum or_file {
    F_ORGS, F_USERS, F_CLASSES, F_COURSES, F_ENROLLMENTS, F_SESSIONS, F_ROLES, F_DEMOGRAPHICS,
    F_LOADED, /* files above are read; those below are known and left aside */
    F_CATEGORIES = F_LOADED, F_CLASSRES, F_COURSERES, F_LINEITEMS, F_RESOURCES, F_RESULTS,
    F_PROFILES, F_USERRES, F_SCORESCALES, F_LISCALES, F_RESSCALES, F_LIOBJ, F_RESOBJ, F_NFILES
};

static const char *const file_names[F_NFILES] = {
    "orgs", "users", "classes", "courses", "enrollments", "academicSessions", "roles",
    "demographics", "categories", "classResources", "courseResources", "lineItems",
    "resources", "results", "userProfiles", "userResources", "scoreScales",
    "lineItemScoreScales", "resultScoreScales", "lineItemLearningObjectiveIds",
    "resultLearningObjectiveIds"};

enum or_mode { M_UNDECLARED, M_ABSENT, M_BULK, M_DELTA };

#define COMMON "sourcedId", "status", "dateLastModified"
static const char *const c_orgs[] = {COMMON, "name", "type", "identifier", "parentSourcedId",
                                     NULL};
static const char *const c_users[] = {
    COMMON, "enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName",
    "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds",
    "grades", "password", "userMasterIdentifier", "preferredGivenName", "preferredMiddleName",
    "preferredFamilyName", "primaryOrgSourcedId", "pronouns", NULL};
static const char *const c_classes[] = {COMMON, "title", "grades", "courseSourcedId",
                                        "classCode", "classType", "location", "schoolSourcedId",
                                        "termSourcedIds", "subjects", "subjectCodes", "periods",
                                        NULL};
static const char *const c_courses[] = {COMMON, "schoolYearSourcedId", "title", "courseCode",
                                        "grades", "orgSourcedId", "subjects", "subjectCodes",
                                        NULL};
static const char *const c_enrollments[] = {COMMON, "classSourcedId", "schoolSourcedId",
                                            "userSourcedId", "role", "primary", "beginDate",
                                            "endDate", NULL};
static const char *const c_sessions[] = {COMMON, "title", "type", "startDate", "endDate",
                                         "parentSourcedId", "schoolYear", NULL};
static const char *const c_roles[] = {COMMON, "userSourcedId", "roleType", "role", "beginDate",
                                      "endDate", "orgSourcedId", "userProfileSourcedId",
                                      "userProfile", NULL};
static const char *const c_demographics[] = {
    COMMON, "birthDate", "sex", "americanIndianOrAlaskaNative", "asian",
    "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white",
    "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode",
    "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus", NULL};
static const char *const *const file_cols[F_LOADED] = {
    c_orgs, c_users, c_classes, c_courses, c_enrollments, c_sessions, c_roles, c_demographics};
/* The columns without which a file is refused (1.2's users: no role). */
static const char *const r_orgs[] = {"sourcedId", "name", "type", NULL};
static const char *const r_users[] = {"sourcedId", "givenName", "familyName", NULL};
static const char *const r_classes[] = {"sourcedId", "title", "classType", "schoolSourcedId",
                                        NULL};
static const char *const r_courses[] = {"sourcedId", "title", NULL};
static const char *const r_enrollments[] = {"sourcedId", "classSourcedId", "userSourcedId",
                                            "role", NULL};
static const char *const r_roles[] = {"userSourcedId", "role", "orgSourcedId", NULL};
static const char *const r_none[] = {"sourcedId", NULL};
static const char *const *const file_required[F_LOADED] = {
    r_orgs, r_users, r_classes, r_courses, r_enrollments, r_none, r_roles, r_none};

/* ---- what the package holds, in memory ------------------------------------ */

struct org {
    const char *id, *name, *type, *key;
    long line;
    bool school;
};

struct course {
    const char *id, *title, *code, *subject_name;
};

struct klass {
    const char *id, *title, *code, *school, *course, *subject, *subject_name, *grades;
    long line;
    bool homeroom;
    bool as_class; /* scheduled, with a homeroom class's code: that class, in a subject */
    int org;       /* index in orgs, -1 when its school is not there */
};

struct enrol {
    int klass;     /* index in classes */
    const char *role;
    int next;      /* the user's next enrolment, -1 */
};

struct user {
    const char *id, *role, *given, *family, *identifier, *email, *phone, *orgs, *agents;
    const char *birth;
    long line;
    bool deleted, delta;
    int enrol;     /* first enrolment, -1 */
};

/* What enrollments.csv, roles.csv and demographics.csv say of a user. */
struct extra {
    const char *id, *role, *orgs, *birth;
    long line, enrol_line;
    int enrol;     /* first enrolment, -1 */
    bool used;     /* users.csv has that user */
};

struct pkg {
    const char *label;      /* the folder or zip, as given */
    char dir[4096];         /* where its CSV files are */
    bool tmp;               /* dir is an extracted zip's: removed at the end */
    char version[16];
    enum or_mode mode[F_NFILES];
    struct imp_sink *sink;
    struct arena a;   /* the package's content */
    struct arena rec; /* the record being sent */
    struct org *orgs;
    size_t norgs, orgs_cap;
    struct course *courses;
    size_t ncourses, courses_cap;
    struct klass *classes;
    size_t nclasses, classes_cap;
    struct enrol *enrols;
    size_t nenrols, enrols_cap;
    struct user *users;
    size_t nusers, users_cap;
    struct extra *extras;
    size_t nextras, extras_cap;
    struct keymap org_ix, course_ix, class_ix, user_ix, extra_ix;
    char today[11];
};

/* One CSV file being read: the columns of its spec found in the header. */
struct ofile {
    struct pkg *p;
    enum or_file f;
    const char *name;       /* "folder/users.csv", as reports show it */
    struct csv *csv;
    int col[32];            /* index of each spec column, -1 */
    bool delta;
};

/* Report a problem at file (NULL: the package) and line of record id. */
static void problem(struct pkg *p, const char *file, long line, const char *id, char severity,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void problem(struct pkg *p, const char *file, long line, const char *id, char severity,
                    const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct imp_where at = {file ? file : p->label, line, id};
    p->sink->problem(p->sink->ctx, &at, severity, msg);
}

/* Field named name of the current row of o, trimmed, in the package's
 * arena; NULL when the column is not there or the field is empty. */
static const char *get(struct ofile *o, const char *name)
{
    const char *const *cols = file_cols[o->f];
    for (size_t i = 0; cols[i]; i++) {
        if (strcmp(cols[i], name)) continue;
        const char *s = o->col[i] >= 0 ? csv_field(o->csv, (size_t)o->col[i]) : NULL;
        if (!s) return NULL;
        while (*s == ' ' || *s == '\t') s++;
        size_t n = strlen(s);
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n')) n--;
        return n ? arena_strndup(&o->p->a, s, n) : NULL;
    }
    return NULL;
}

/* Whether s is an ISO 8601 date, or date and time (YYYY-MM-DD[Thh:mm[:ss[.f]]][Z|±hh:mm]).
 * No allocation. */
static bool iso8601(const char *s)
{
    char day[11];
    if (strlen(s) < 10 || s[4] != '-' || s[7] != '-') return false;
    memcpy(day, s, 10);
    day[10] = 0;
    if (!emit_date(day, day)) return false;
    const char *t = s + 10;
    if (!*t) return true;
    if (*t != 'T' && *t != ' ') return false;
    t++;
    int n = 0;
    while ((*t >= '0' && *t <= '9') || *t == ':' || *t == '.') t++, n++;
    if (n < 5) return false;
    if (*t == 'Z') t++;
    else if (*t == '+' || *t == '-') {
        t++;
        while ((*t >= '0' && *t <= '9') || *t == ':') t++;
    }
    return !*t;
}

/* The status and date of the current row: true when the row is to be
 * kept (not tobedeleted), *deleted set; reported when the date is not
 * ISO 8601 or, in a delta, missing. */
static bool row_status(struct ofile *o, const char *id, bool *deleted)
{
    const char *status = get(o, "status"), *date = get(o, "dateLastModified");
    long line = csv_line(o->csv);
    *deleted = status && !strcasecmp(status, "tobedeleted");
    if (status && !*deleted && strcasecmp(status, "active"))
        problem(o->p, o->name, line, id, 'W', "statut « %s » inconnu : « active » supposé",
                status);
    if (date && !iso8601(date))
        problem(o->p, o->name, line, id, 'W', "date de modification « %s » pas en ISO 8601 "
                "(AAAA-MM-JJThh:mm:ssZ) : ignorée", date);
    else if (!date && o->delta)
        problem(o->p, o->name, line, id, 'W', "date de modification absente d'un fichier delta");
    if (*deleted && !o->delta) {
        problem(o->p, o->name, line, id, 'W', "« tobedeleted » dans un fichier complet (bulk) :"
                " ligne ignorée");
        return false;
    }
    return true;
}

/* Open file f of the package if the manifest says it is there: its header
 * checked (empty or unknown names reported and ignored, a required column
 * missing refuses the file). 1 open, 0 absent, -1 refused (reported). */
static int ofile_open(struct pkg *p, enum or_file f, struct ofile *o)
{
    *o = (struct ofile){.p = p, .f = f, .delta = p->mode[f] == M_DELTA};
    if (p->mode[f] != M_BULK && p->mode[f] != M_DELTA) return 0;
    char path[4200], err[256];
    snprintf(path, sizeof path, "%s/%s.csv", p->dir, file_names[f]);
    o->name = arena_printf(&p->a, "%s/%s.csv", p->label, file_names[f]);
    struct stat sb;
    if (stat(path, &sb) < 0) {
        problem(p, o->name, 0, NULL, 'E', "fichier déclaré « %s » dans manifest.csv mais "
                "absent", p->mode[f] == M_BULK ? "bulk" : "delta");
        return 0;
    }
    if (!(o->csv = csv_open_file(path, err, sizeof err))) {
        problem(p, o->name, 0, NULL, 'E', "%s : fichier refusé", err);
        return -1;
    }
    const char *const *cols = file_cols[f];
    for (size_t i = 0; cols[i]; i++) o->col[i] = csv_index(o->csv, cols[i], 0);
    for (size_t i = 0; i < csv_columns(o->csv); i++) {
        const char *h = csv_name(o->csv, i);
        bool known = !strncasecmp(h, "metadata.", 9);
        for (size_t k = 0; cols[k] && !known; k++) known = csv_same_name(h, cols[k], false);
        if (!*h)
            problem(p, o->name, 1, NULL, 'W', "colonne n° %zu sans nom : ignorée", i + 1);
        else if (!known)
            problem(p, o->name, 1, NULL, 'W', "colonne « %s » inconnue de OneRoster (faute de "
                    "frappe ?) : ignorée", h);
    }
    for (const char *const *r = file_required[f]; *r; r++)
        if (csv_index(o->csv, *r, 0) < 0) {
            problem(p, o->name, 1, NULL, 'E', "colonne « %s » absente de l'en-tête : fichier "
                    "refusé", *r);
            csv_close(o->csv);
            o->csv = NULL;
            return -1;
        }
    return 1;
}

/* Read every row of o through row(), then close it. 0, or -1 (reported)
 * when the file cannot be read to its end. */
static int ofile_rows(struct ofile *o, void (*row)(struct ofile *o))
{
    int rc;
    while ((rc = csv_next(o->csv)) == 1) {
        if (csv_fields(o->csv) > csv_columns(o->csv))
            problem(o->p, o->name, csv_line(o->csv), NULL, 'W', "%zu champ(s) de plus que "
                    "l'en-tête : ignoré(s)", csv_fields(o->csv) - csv_columns(o->csv));
        row(o);
    }
    if (rc < 0)
        problem(o->p, o->name, csv_line(o->csv), NULL, 'E', "%s : fichier refusé",
                csv_error(o->csv));
    csv_close(o->csv);
    o->csv = NULL;
    return rc < 0 ? -1 : 0;
}

/* Open and read file f with row(). 0 (also when absent) or -1. */
static int load(struct pkg *p, enum or_file f, void (*row)(struct ofile *o))
{
    struct ofile o;
    int rc = ofile_open(p, f, &o);
    return rc <= 0 ? rc : ofile_rows(&o, row);
}

/* The first element of a comma-separated list, in the arena (NULL if none). */
static const char *first_of(struct arena *a, const char *list)
{
    if (!list) return NULL;
    size_t n = strcspn(list, ",");
    while (n && list[n - 1] == ' ') n--;
    return n ? arena_strndup(a, list, n) : NULL;
}

/* Call each(x, ctx) for every element of a comma-separated list (trimmed,
 * in arena a). */
static void each_of(struct arena *a, const char *list, void (*each)(const char *, void *),
                    void *ctx)
{
    for (const char *s = list; s && *s;) {
        while (*s == ' ' || *s == ',') s++;
        size_t n = strcspn(s, ",");
        size_t m = n;
        while (m && s[m - 1] == ' ') m--;
        if (m) each(arena_strndup(a, s, m), ctx);
        s += n;
    }
}

/* ---- loading the files ----------------------------------------------------- */

/* Whether s is a UAI: 7 digits and a letter. */
static bool is_uai(const char *s)
{
    if (!s || strlen(s) != 8) return false;
    for (int i = 0; i < 7; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return (s[7] >= 'A' && s[7] <= 'Z') || (s[7] >= 'a' && s[7] <= 'z');
}

/* Whether s is an INE: 11 letters or digits, 9 digits first, a letter last. */
static bool is_ine(const char *s)
{
    if (!s || strlen(s) != 11) return false;
    for (int i = 0; i < 11; i++) {
        bool digit = s[i] >= '0' && s[i] <= '9';
        bool letter = (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z');
        if ((i < 9 && !digit) || (i == 10 && !letter) || (!digit && !letter)) return false;
    }
    return true;
}

/* The key of an index: index + 1 (0 means absent). */
static int ix(struct keymap *m, const char *id)
{
    struct keymap_entry *x = id ? keymap_get(m, id) : NULL;
    return x ? (int)x->id - 1 : -1;
}

/* Whether id is already in m; reported as a duplicate when it is. */
static bool duplicate(struct ofile *o, struct keymap *m, const char *id)
{
    if (ix(m, id) < 0) return false;
    problem(o->p, o->name, csv_line(o->csv), id, 'W', "sourcedId en double : ligne ignorée");
    return true;
}

/* One row of orgs.csv. */
static void org_row(struct ofile *o)
{
    struct pkg *p = o->p;
    const char *id = get(o, "sourcedId"), *identifier = get(o, "identifier");
    bool deleted;
    if (!id || !row_status(o, id, &deleted) || deleted || duplicate(o, &p->org_ix, id)) return;
    const char *type = get(o, "type");
    char *key = arena_strdup(&p->a, is_uai(identifier) ? identifier : id);
    if (is_uai(key)) key[7] = (char)(key[7] & ~0x20);
    p->orgs = arena_grow(&p->a, p->orgs, p->norgs, &p->orgs_cap, sizeof *p->orgs);
    p->orgs[p->norgs] = (struct org){id, get(o, "name"), type, key, csv_line(o->csv),
                                     type && !strcasecmp(type, "school")};
    keymap_put(&p->org_ix, id)->id = (int64_t)++p->norgs;
}

/* One row of courses.csv. */
static void course_row(struct ofile *o)
{
    struct pkg *p = o->p;
    const char *id = get(o, "sourcedId");
    bool deleted;
    if (!id || !row_status(o, id, &deleted) || deleted || duplicate(o, &p->course_ix, id)) return;
    const char *code = first_of(&p->a, get(o, "subjectCodes"));
    if (!code) code = get(o, "courseCode");
    const char *org = get(o, "orgSourcedId");
    if (org && ix(&p->org_ix, org) < 0)
        problem(p, o->name, csv_line(o->csv), id, 'W', "organisation « %s » absente de orgs.csv",
                org);
    p->courses = arena_grow(&p->a, p->courses, p->ncourses, &p->courses_cap, sizeof *p->courses);
    p->courses[p->ncourses] = (struct course){id, get(o, "title"), code,
                                              first_of(&p->a, get(o, "subjects"))};
    keymap_put(&p->course_ix, id)->id = (int64_t)++p->ncourses;
}

/* One row of classes.csv. */
static void class_row(struct ofile *o)
{
    struct pkg *p = o->p;
    const char *id = get(o, "sourcedId");
    long line = csv_line(o->csv);
    bool deleted;
    if (!id || !row_status(o, id, &deleted) || deleted || duplicate(o, &p->class_ix, id)) return;
    struct klass k = {.id = id, .title = get(o, "title"), .code = get(o, "classCode"),
                      .school = get(o, "schoolSourcedId"), .course = get(o, "courseSourcedId"),
                      .grades = get(o, "grades"), .line = line};
    const char *type = get(o, "classType");
    k.homeroom = type && !strcasecmp(type, "homeroom");
    if (type && !k.homeroom && strcasecmp(type, "scheduled"))
        problem(p, o->name, line, id, 'W', "classType « %s » inconnu : « scheduled » supposé",
                type);
    if (!k.code) k.code = k.title;
    k.org = ix(&p->org_ix, k.school);
    if (k.org < 0 || !p->orgs[k.org].school) {
        problem(p, o->name, line, id, 'W', "école « %s » absente de orgs.csv : classe ignorée",
                k.school ? k.school : "");
        return;
    }
    if (!k.code) {
        problem(p, o->name, line, id, 'W', "classe sans titre ni classCode : ignorée");
        return;
    }
    int c = ix(&p->course_ix, k.course);
    if (k.course && c < 0)
        problem(p, o->name, line, id, 'W', "cours « %s » absent de courses.csv", k.course);
    k.subject = first_of(&p->a, get(o, "subjectCodes"));
    k.subject_name = first_of(&p->a, get(o, "subjects"));
    if (!k.subject && c >= 0) {
        k.subject = p->courses[c].code;
        k.subject_name = p->courses[c].subject_name;
    }
    if (k.subject && !k.subject_name && c >= 0) k.subject_name = p->courses[c].title;
    p->classes = arena_grow(&p->a, p->classes, p->nclasses, &p->classes_cap, sizeof *p->classes);
    p->classes[p->nclasses] = k;
    keymap_put(&p->class_ix, id)->id = (int64_t)++p->nclasses;
}

/* Mark the scheduled classes that carry a homeroom class's code at the same
 * school (a class taught in a subject). No allocation beyond keys. */
static void classes_link(struct pkg *p)
{
    struct keymap home;
    keymap_init(&home);
    char k[300];
    for (size_t i = 0; i < p->nclasses; i++)
        if (p->classes[i].homeroom)
            keymap_put(&home, keymap_key2(k, sizeof k, p->classes[i].org, p->classes[i].code));
    for (size_t i = 0; i < p->nclasses; i++)
        if (!p->classes[i].homeroom)
            p->classes[i].as_class =
                keymap_get(&home, keymap_key2(k, sizeof k, p->classes[i].org,
                                              p->classes[i].code)) != NULL;
    keymap_free(&home);
}

/* Whether a date field of the current row is past (an ended enrolment or
 * role); a date that is not ISO 8601 is reported and ignored. */
static bool ended(struct ofile *o, const char *id)
{
    const char *end = get(o, "endDate"), *begin = get(o, "beginDate");
    const char *const dates[] = {begin, end};
    for (int i = 0; i < 2; i++)
        if (dates[i] && !iso8601(dates[i]))
            problem(o->p, o->name, csv_line(o->csv), id, 'W', "date « %s » pas en ISO 8601 "
                    "(AAAA-MM-JJ) : ignorée", dates[i]);
    return end && iso8601(end) && strncmp(end, o->p->today, 10) < 0;
}

/* What other files say of the user of sourcedId id (enrolments, roles,
 * birth date), added when new. */
static struct extra *extra_of(struct pkg *p, const char *id, long line)
{
    int i = ix(&p->extra_ix, id);
    if (i >= 0) return &p->extras[i];
    p->extras = arena_grow(&p->a, p->extras, p->nextras, &p->extras_cap, sizeof *p->extras);
    p->extras[p->nextras] = (struct extra){.id = arena_strdup(&p->a, id), .line = line,
                                           .enrol = -1};
    keymap_put(&p->extra_ix, id)->id = (int64_t)++p->nextras;
    return &p->extras[p->nextras - 1];
}

/* One row of enrollments.csv (users are linked to theirs later). */
static void enrol_row(struct ofile *o)
{
    struct pkg *p = o->p;
    const char *id = get(o, "sourcedId"), *klass = get(o, "classSourcedId");
    const char *user = get(o, "userSourcedId"), *role = get(o, "role");
    long line = csv_line(o->csv);
    bool deleted;
    if (!row_status(o, id, &deleted) || deleted || ended(o, id)) return;
    int k = ix(&p->class_ix, klass);
    if (k < 0) {
        problem(p, o->name, line, id, 'W', "classe « %s » absente de classes.csv : inscription "
                "ignorée", klass ? klass : "");
        return;
    }
    if (!user || !role) {
        problem(p, o->name, line, id, 'W', "inscription sans utilisateur ou sans rôle : ignorée");
        return;
    }
    struct extra *x = extra_of(p, user, line);
    if (!x->enrol_line) x->enrol_line = line;
    p->enrols = arena_grow(&p->a, p->enrols, p->nenrols, &p->enrols_cap, sizeof *p->enrols);
    p->enrols[p->nenrols] = (struct enrol){k, role, x->enrol};
    x->enrol = (int)p->nenrols++;
}

/* One row of roles.csv (1.2): the user's role and organisations, the
 * primary role first. */
static void role_row(struct ofile *o)
{
    struct pkg *p = o->p;
    const char *id = get(o, "sourcedId"), *user = get(o, "userSourcedId");
    const char *role = get(o, "role"), *org = get(o, "orgSourcedId"), *type = get(o, "roleType");
    bool deleted;
    if (!user || !role || !row_status(o, id, &deleted) || deleted || ended(o, id)) return;
    if (org && ix(&p->org_ix, org) < 0)
        problem(p, o->name, csv_line(o->csv), id, 'W', "organisation « %s » absente de orgs.csv",
                org);
    struct extra *x = extra_of(p, user, csv_line(o->csv));
    bool primary = !type || !strcasecmp(type, "primary");
    if (!x->role || primary) x->role = role;
    if (org)
        x->orgs = !x->orgs ? org : primary ? arena_printf(&p->a, "%s,%s", org, x->orgs)
                                           : arena_printf(&p->a, "%s,%s", x->orgs, org);
}

/* One row of demographics.csv: the birth date of a user. */
static void demo_row(struct ofile *o)
{
    const char *id = get(o, "sourcedId"), *birth = get(o, "birthDate");
    char iso[11];
    bool deleted;
    if (!id || !birth || !row_status(o, id, &deleted) || deleted) return;
    if (!emit_date(birth, iso)) {
        problem(o->p, o->name, csv_line(o->csv), id, 'W', "date de naissance « %s » illisible : "
                "ignorée", birth);
        return;
    }
    extra_of(o->p, id, csv_line(o->csv))->birth = arena_strdup(&o->p->a, iso);
}

/* One row of users.csv. */
static void user_row(struct ofile *o)
{
    struct pkg *p = o->p;
    const char *id = get(o, "sourcedId");
    bool deleted;
    if (!id || !row_status(o, id, &deleted) || duplicate(o, &p->user_ix, id)) return;
    struct user u = {.id = id, .role = get(o, "role"), .given = get(o, "givenName"),
                     .family = get(o, "familyName"), .identifier = get(o, "identifier"),
                     .email = get(o, "email"), .phone = get(o, "phone"),
                     .orgs = get(o, "orgSourcedIds"), .agents = get(o, "agentSourcedIds"),
                     .line = csv_line(o->csv), .deleted = deleted, .delta = o->delta,
                     .enrol = -1};
    if (!u.phone) u.phone = get(o, "sms");
    if (!u.orgs) u.orgs = get(o, "primaryOrgSourcedId");
    int e = ix(&p->extra_ix, id);
    if (e >= 0) {
        struct extra *x = &p->extras[e];
        x->used = true;
        if (x->role) u.role = x->role;
        if (x->orgs) u.orgs = x->orgs;
        u.birth = x->birth;
        u.enrol = x->enrol;
    }
    if (!u.role && !u.deleted) {
        problem(p, o->name, u.line, id, 'W', "utilisateur sans rôle (ni colonne role ni "
                "roles.csv) : ignoré");
        return;
    }
    p->users = arena_grow(&p->a, p->users, p->nusers, &p->users_cap, sizeof *p->users);
    p->users[p->nusers] = u;
    keymap_put(&p->user_ix, id)->id = (int64_t)++p->nusers;
}

/* Report the enrolments that name a user users.csv does not have. */
static void enrols_orphans(struct pkg *p)
{
    const char *file = arena_printf(&p->a, "%s/enrollments.csv", p->label);
    for (size_t i = 0; i < p->nextras; i++)
        if (!p->extras[i].used && p->extras[i].enrol_line)
            problem(p, file, p->extras[i].enrol_line, p->extras[i].id, 'W', "utilisateur « %s » "
                    "absent de users.csv : inscription(s) ignorée(s)", p->extras[i].id);
}

/* ---- manifest.csv ---------------------------------------------------------- */

/* The file of a manifest's "file.NAME" or a directory entry "NAME.csv"
 * (any case), or -1. */
static int file_of(const char *name, size_t len)
{
    for (int i = 0; i < F_NFILES; i++)
        if (strlen(file_names[i]) == len && !strncasecmp(file_names[i], name, len)) return i;
    return -1;
}

/* One row of manifest.csv into p (problems reported when p->sink is set). */
static void manifest_row(struct pkg *p, const char *file, struct csv *c, int name_col,
                         int value_col, bool *empty)
{
    const char *name = csv_field(c, (size_t)name_col);
    const char *value = value_col >= 0 ? csv_field(c, (size_t)value_col) : NULL;
    long line = csv_line(c);
    if (!name) return;
    if (!strcasecmp(name, "oneroster.version")) {
        snprintf(p->version, sizeof p->version, "%s", value ? value : "");
        return;
    }
    if (strncasecmp(name, "file.", 5)) return;
    int f = file_of(name + 5, strlen(name + 5));
    if (f < 0) {
        if (p->sink) problem(p, file, line, name, 'W', "fichier « %s » inconnu de OneRoster : "
                             "ignoré", name + 5);
        return;
    }
    if (!value || !*value) {
        empty[f] = true;
        return;
    }
    p->mode[f] = !strcasecmp(value, "bulk") ? M_BULK : !strcasecmp(value, "delta") ? M_DELTA
                 : M_ABSENT;
    if (p->sink && strcasecmp(value, "bulk") && strcasecmp(value, "delta")
        && strcasecmp(value, "absent"))
        problem(p, file, line, name, 'W', "valeur « %s » inconnue (bulk, delta ou absent) : "
                "« absent » supposé", value);
}

/* Whether file f of the package is in its folder. */
static bool has_file(const struct pkg *p, int f)
{
    char path[4200];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s.csv", p->dir, file_names[f]);
    return stat(path, &sb) == 0;
}

/* Read p->dir/manifest.csv into p->version and p->mode (an empty value:
 * bulk when the file is there, else absent). 0, or -1 with why. Problems
 * are reported when p->sink is set. */
static int manifest_read(struct pkg *p, char *why, size_t whylen)
{
    char path[4200], err[256];
    snprintf(path, sizeof path, "%s/manifest.csv", p->dir);
    struct csv *c = csv_open_file(path, err, sizeof err);
    if (!c) {
        snprintf(why, whylen, "manifest.csv illisible ou absent (%s) : pas un paquet OneRoster",
                 err);
        return -1;
    }
    int name_col = csv_index(c, "propertyName", 0), value_col = csv_index(c, "value", 0);
    if (name_col < 0) {
        snprintf(why, whylen, "manifest.csv sans colonne propertyName : pas un paquet OneRoster");
        csv_close(c);
        return -1;
    }
    const char *file = p->sink ? arena_printf(&p->a, "%s/manifest.csv", p->label) : NULL;
    bool empty[F_NFILES] = {0};
    int rc;
    while ((rc = csv_next(c)) == 1) manifest_row(p, file, c, name_col, value_col, empty);
    if (rc < 0) snprintf(why, whylen, "manifest.csv : %s", csv_error(c));
    csv_close(c);
    for (int f = 0; f < F_NFILES; f++) {
        if (!empty[f]) continue;
        p->mode[f] = has_file(p, f) ? M_BULK : M_ABSENT;
        if (p->sink && p->mode[f] == M_BULK)
            problem(p, file, 0, NULL, 'W', "file.%s sans valeur : « bulk » supposé (le fichier "
                    "est là)", file_names[f]);
    }
    if (p->sink && !p->version[0])
        problem(p, file, 0, NULL, 'W', "oneroster.version absent ou vide : 1.1 supposée");
    else if (p->sink && strcmp(p->version, "1.1") && strcmp(p->version, "1.2")
             && strcmp(p->version, "1.0"))
        problem(p, file, 0, NULL, 'W', "oneroster.version « %s » inconnue : lu comme 1.1",
                p->version);
    return rc < 0 ? -1 : 0;
}

/* Report the files of the folder that the manifest does not declare, or
 * declares absent: they are ignored. */
static void files_undeclared(struct pkg *p)
{
    DIR *d = opendir(p->dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        const char *n = e->d_name;
        size_t len = strlen(n);
        if (n[0] == '.' || !strcasecmp(n, "manifest.csv")) continue;
        int f = len > 4 && !strcasecmp(n + len - 4, ".csv") ? file_of(n, len - 4) : -1;
        const char *file = arena_printf(&p->a, "%s/%s", p->label, n);
        if (f < 0 || p->mode[f] == M_UNDECLARED)
            problem(p, file, 0, NULL, 'W', "fichier non déclaré dans manifest.csv : ignoré");
        else if (p->mode[f] == M_ABSENT)
            problem(p, file, 0, NULL, 'W', "fichier déclaré « absent » dans manifest.csv : "
                    "ignoré");
        else if (f >= F_LOADED)
            problem(p, file, 0, NULL, 'W', "fichier non repris par Carnet : ignoré");
    }
    if (d) closedir(d);
}

/* ---- the records ----------------------------------------------------------- */

/* A new record of kind for the package's line of file (its arena reset). */
static struct imp_record rec_new(struct pkg *p, enum imp_kind kind, const char *file, long line,
                                 const char *key, bool delta)
{
    arena_free(&p->rec);
    arena_init(&p->rec);
    return (struct imp_record){.kind = kind, .op = delta ? IMP_ADD : IMP_FULL, .key = key,
                               .at = {file, line, key}, .present = IMP_F_ALL};
}

/* Send r (its digest computed). 0, or -1 when the sink stops the run. */
static int send(struct pkg *p, struct imp_record *r)
{
    emit_digest(r);
    return p->sink->record(p->sink->ctx, r);
}

/* A class of a school, to sort by code. */
struct coded {
    const char *code;
    const struct klass *k;
};

/* qsort order of coded classes: by code. */
static int by_code(const void *x, const void *y)
{
    return strcmp(((const struct coded *)x)->code, ((const struct coded *)y)->code);
}

/* The school org of index o with its classes and groups (by code, so that
 * the record does not change with the rows' order). 0 or -1. */
static int school_send(struct pkg *p, const char *file, int o)
{
    struct org *g = &p->orgs[o];
    struct imp_record r = rec_new(p, IMP_ESTABLISHMENT, file, g->line, g->key,
                                  p->mode[F_ORGS] == M_DELTA);
    r.uai = g->key;
    r.name = g->name;
    if (!nomenclature_establishment_kind(NULL, g->name)) {
        r.kind_text = "COLLEGE";
        problem(p, file, g->line, g->id, 'W', "« %s » : le nom ne dit pas le type (école, "
                "collège, lycée) : collège supposé", g->name ? g->name : g->id);
    }
    struct coded *v = arena_alloc(&p->rec, (p->nclasses + 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < p->nclasses; i++)
        if (p->classes[i].org == o) v[n++] = (struct coded){p->classes[i].code, &p->classes[i]};
    qsort(v, n, sizeof *v, by_code);
    for (size_t i = 0; i < n; i++) {
        const struct klass *k = v[i].k;
        if (k->homeroom) emit_item(&p->rec, &r.classes, k->code, k->title, NULL);
        else if (!k->as_class) emit_item(&p->rec, &r.groups, k->code, k->title, NULL);
    }
    return send(p, &r);
}

/* The schools of orgs.csv (other kinds of orgs: districts… are skipped). */
static int schools_send(struct pkg *p)
{
    const char *file = arena_printf(&p->a, "%s/orgs.csv", p->label);
    for (size_t i = 0; i < p->norgs; i++)
        if (p->orgs[i].school && school_send(p, file, (int)i) < 0) return -1;
    return 0;
}

/* Send one subject (code, name) unless seen already. 0 or -1. */
static int subject_send(struct pkg *p, struct keymap *seen, const char *file, const char *code,
                        const char *name)
{
    if (!code || keymap_get(seen, code)) return 0;
    keymap_put(seen, code);
    struct imp_record r = rec_new(p, IMP_SUBJECT, file, 0, code, false);
    r.name = name ? name : code;
    return send(p, &r);
}

/* The subjects of courses and classes that have a code, and the default
 * subject when a teacher's class has none. 0 or -1. */
static int subjects_send(struct pkg *p)
{
    struct keymap seen;
    keymap_init(&seen);
    int rc = 0;
    const char *courses = arena_printf(&p->a, "%s/courses.csv", p->label);
    const char *classes = arena_printf(&p->a, "%s/classes.csv", p->label);
    for (size_t i = 0; i < p->ncourses && !rc; i++)
        rc = subject_send(p, &seen, courses, p->courses[i].code,
                          p->courses[i].subject_name ? p->courses[i].subject_name
                                                     : p->courses[i].title);
    for (size_t i = 0; i < p->nclasses && !rc; i++)
        rc = subject_send(p, &seen, classes, p->classes[i].subject, p->classes[i].subject_name);
    bool bare = false;
    for (size_t i = 0; i < p->nenrols && !bare; i++)
        bare = !strcasecmp(p->enrols[i].role, "teacher") && !p->classes[p->enrols[i].klass].subject;
    if (!rc && bare) rc = subject_send(p, &seen, classes, OR_SUBJECT, OR_SUBJECT_NAME);
    keymap_free(&seen);
    return rc;
}

/* What kind of record a role makes, or IMP_KIND_COUNT for none. */
static enum imp_kind kind_of(const char *role)
{
    if (!role) return IMP_KIND_COUNT;
    if (!strcasecmp(role, "student")) return IMP_PUPIL;
    if (!strcasecmp(role, "teacher") || !strcasecmp(role, "administrator")
        || !strcasecmp(role, "aide") || !strcasecmp(role, "proctor"))
        return IMP_STAFF;
    if (!strcasecmp(role, "parent") || !strcasecmp(role, "guardian")
        || !strcasecmp(role, "relative"))
        return IMP_RELATIVE;
    return IMP_KIND_COUNT;
}

struct orgs_ctx {
    struct pkg *p;
    const struct user *u;
    const char *file;
    const char *first; /* the key of the first school */
    struct imp_record *r;
    const char *type;  /* a staff member's function type, or NULL */
};

/* One of a user's orgSourcedIds: its school noted (and a staff member's
 * function there); reported when orgs.csv lacks it. */
static void user_org(const char *id, void *ctx)
{
    struct orgs_ctx *c = ctx;
    int o = ix(&c->p->org_ix, id);
    if (o < 0) {
        if (c->p->mode[F_ORGS] != M_DELTA)
            problem(c->p, c->file, c->u->line, c->u->id, 'W', "organisation « %s » absente de "
                    "orgs.csv", id);
        return;
    }
    if (!c->p->orgs[o].school) return;
    if (!c->first) c->first = c->p->orgs[o].key;
    if (c->type) {
        bool ens = !strcmp(c->type, "ENS"), dir = !strcmp(c->type, "DIR");
        emit_function(&c->p->rec, c->r, &(struct imp_function){
            c->p->orgs[o].key, c->type, ens ? NULL : c->type,
            ens ? NULL : dir ? "Direction" : "Vie scolaire"});
    }
}

/* A user's enrolments of role into r: classes and groups (as_teacher:
 * teachings with the class's subject). Whether there was any. */
static bool user_classes(struct pkg *p, const struct user *u, struct imp_record *r,
                         bool as_teacher, const char **first_school)
{
    bool any = false;
    for (int e = u->enrol; e >= 0; e = p->enrols[e].next) {
        const struct enrol *n = &p->enrols[e];
        const struct klass *k = &p->classes[n->klass];
        const char *est = p->orgs[k->org].key;
        if (strcasecmp(n->role, as_teacher ? "teacher" : "student")) continue;
        any = true;
        if (!*first_school) *first_school = est;
        bool klass = k->homeroom || k->as_class;
        if (as_teacher) {
            const char *subject = k->subject ? k->subject : OR_SUBJECT;
            emit_item(&p->rec, klass ? &r->teach_classes : &r->teach_groups, est, k->code,
                      subject);
            emit_function(&p->rec, r, &(struct imp_function){est, "ENS", NULL, NULL});
        } else if (k->homeroom) {
            emit_item(&p->rec, &r->classes, est, k->code, NULL);
        } else if (!k->as_class) {
            emit_item(&p->rec, &r->groups, est, k->code, NULL);
        }
    }
    return any;
}

/* The function type of a staff role. */
static const char *staff_type(const char *role)
{
    return !strcasecmp(role, "teacher") ? "ENS" : !strcasecmp(role, "administrator") ? "DIR"
                                                                                     : "EDU";
}

/* The pupil or staff member u into a record sent. 0 or -1. */
static int person_send(struct pkg *p, const char *file, const struct user *u, enum imp_kind kind)
{
    struct imp_record r = rec_new(p, kind, file, u->line, u->id, u->delta);
    if (u->deleted) {
        r.op = IMP_DELETE;
        r.present = 0;
        return send(p, &r);
    }
    r.name = u->family;
    r.first_name = u->given;
    r.birth_date = u->birth;
    r.email = u->email;
    r.phone = u->phone;
    if (kind == IMP_PUPIL && is_ine(u->identifier)) r.ine = u->identifier;
    struct orgs_ctx c = {p, u, file, NULL, &r, kind == IMP_STAFF ? staff_type(u->role) : NULL};
    each_of(&p->rec, u->orgs, user_org, &c);
    bool teacher = c.type && !strcmp(c.type, "ENS");
    bool any = user_classes(p, u, &r, teacher, &c.first);
    r.attach = c.first;
    if (kind == IMP_PUPIL) r.present &= ~(unsigned)IMP_F_LINKS; /* links: the relatives' side */
    if (!r.attach)
        problem(p, file, u->line, u->id, 'W', "ni école dans orgSourcedIds ni classe : "
                "rattaché à aucun établissement");
    if (u->delta && !any) { /* a delta that says nothing of their classes: leave them */
        r.op = IMP_MODIFY;
        r.present = IMP_F_NAME | IMP_F_BIRTH | IMP_F_EMAIL | IMP_F_PHONE | IMP_F_INE
                    | IMP_F_ATTACH;
    }
    return send(p, &r);
}

/* Send every user of kind (pupils, then staff). 0 or -1. */
static int people_send(struct pkg *p, enum imp_kind kind)
{
    const char *file = arena_printf(&p->a, "%s/users.csv", p->label);
    for (size_t i = 0; i < p->nusers; i++) {
        const struct user *u = &p->users[i];
        if (kind_of(u->role) == kind && person_send(p, file, u, kind) < 0) return -1;
    }
    return 0;
}

/* ---- relatives --------------------------------------------------------------- */

struct pair {
    int child;  /* index in users */
    int next;   /* the relative's next pair, -1 */
};

struct agents_ctx {
    struct pkg *p;
    const char *file;
    int self;            /* index in users of the row */
    struct keymap *heads; /* relative sourcedId → first pair + 1 */
    struct pair **pairs;
    size_t *n, *cap;
    struct imp_record *r; /* on a relative's row: its record */
};

/* A relative's children: (child's index) from their own agentSourcedIds. */
static void relative_agent(const char *id, void *ctx)
{
    struct agents_ctx *c = ctx;
    int u = ix(&c->p->user_ix, id);
    const struct user *self = &c->p->users[c->self];
    if (u < 0 || kind_of(c->p->users[u].role) != IMP_PUPIL) {
        if (u < 0 && c->p->mode[F_USERS] == M_DELTA) return;
        problem(c->p, c->file, self->line, self->id, 'W', "élève « %s » (agentSourcedIds) %s : "
                "lien non créé", id, u < 0 ? "absent de users.csv" : "n'est pas un élève");
        return;
    }
    bool legal = strcasecmp(self->role, "relative") != 0;
    struct imp_link l = {.pupil = c->p->users[u].id,
                         .relation = !strcasecmp(self->role, "guardian") ? "tutor" : "other",
                         .legal = legal, .financial = legal, .contact = true};
    emit_child(&c->p->rec, c->r, &l);
}

/* A student's agentSourcedIds: each relative named gets that child. */
static void student_agent(const char *id, void *ctx)
{
    struct agents_ctx *c = ctx;
    int u = ix(&c->p->user_ix, id);
    const struct user *self = &c->p->users[c->self];
    if (u < 0 || kind_of(c->p->users[u].role) != IMP_RELATIVE) {
        if (u < 0 && c->p->mode[F_USERS] == M_DELTA) return;
        problem(c->p, c->file, self->line, self->id, 'W', "responsable « %s » (agentSourcedIds) "
                "%s : lien non créé", id, u < 0 ? "absent de users.csv" : "n'est pas un parent");
        return;
    }
    struct keymap_entry *x = keymap_put(c->heads, id);
    *c->pairs = arena_grow(&c->p->a, *c->pairs, *c->n, c->cap, sizeof **c->pairs);
    (*c->pairs)[*c->n] = (struct pair){c->self, (int)x->id - 1};
    x->id = (int64_t)++*c->n;
}

/* Send the relatives with their children, named on either side. 0 or -1. */
static int relatives_send(struct pkg *p)
{
    const char *file = arena_printf(&p->a, "%s/users.csv", p->label);
    struct keymap heads;
    keymap_init(&heads);
    struct pair *pairs = NULL;
    size_t n = 0, cap = 0;
    struct agents_ctx c = {p, file, 0, &heads, &pairs, &n, &cap, NULL};
    for (size_t i = 0; i < p->nusers; i++)
        if (kind_of(p->users[i].role) == IMP_PUPIL && !p->users[i].deleted) {
            c.self = (int)i;
            each_of(&p->a, p->users[i].agents, student_agent, &c);
        }
    int rc = 0;
    for (size_t i = 0; i < p->nusers && !rc; i++) {
        const struct user *u = &p->users[i];
        if (kind_of(u->role) != IMP_RELATIVE) continue;
        struct imp_record r = rec_new(p, IMP_RELATIVE, file, u->line, u->id, u->delta);
        if (u->deleted) {
            r.op = IMP_DELETE;
            r.present = 0;
            rc = send(p, &r);
            continue;
        }
        r.name = u->family;
        r.first_name = u->given;
        r.email = u->email;
        r.phone = u->phone;
        c.self = (int)i;
        c.r = &r;
        each_of(&p->rec, u->agents, relative_agent, &c);
        for (int k = ix(&heads, u->id); k >= 0; k = pairs[k].next) {
            const char *agents = p->users[pairs[k].child].id;
            relative_agent(agents, &c);
        }
        if (!r.nchildren && !u->delta) {
            problem(p, file, u->line, u->id, 'W', "responsable sans enfant dans l'export : "
                    "ignoré");
            continue;
        }
        if (!r.nchildren) r.present &= ~(unsigned)IMP_F_LINKS;
        rc = send(p, &r);
    }
    keymap_free(&heads);
    return rc;
}

/* ---- the package -------------------------------------------------------------- */

/* Open the package at path: a folder as it is, a zip extracted into a
 * private temporary folder (p->tmp). 0, or -1 with why. */
static int pkg_open(struct pkg *p, const char *path, char *why, size_t whylen)
{
    p->label = path;
    arena_init(&p->a);
    arena_init(&p->rec);
    clock_today(p->today);
    if (!orzip_is_zip(path)) {
        snprintf(p->dir, sizeof p->dir, "%s", path);
        return 0;
    }
    if (orzip_extract(path, p->dir, sizeof p->dir, why, whylen) < 0) return -1;
    p->tmp = true;
    return 0;
}

/* Free what p holds and remove its temporary folder. */
static void pkg_close(struct pkg *p)
{
    if (p->tmp) orzip_remove(p->dir);
    struct keymap *maps[] = {&p->org_ix, &p->course_ix, &p->class_ix, &p->user_ix, &p->extra_ix};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) keymap_free(maps[i]);
    arena_free(&p->a);
    arena_free(&p->rec);
}

/* Whether dir is a OneRoster folder (it has a manifest.csv). */
static bool oneroster_package(const char *dir)
{
    char path[4200];
    struct stat sb;
    snprintf(path, sizeof path, "%s/manifest.csv", dir);
    return stat(path, &sb) == 0;
}

/* Tell a OneRoster package (imp_reader.classify): a folder with a
 * manifest.csv, that manifest itself (the folder is taken), or a zip,
 * checked and its manifest read. No allocation kept. */
static bool oneroster_classify(struct imp_file *f, char *why, size_t whylen)
{
    size_t n = strlen(f->path);
    if (n >= 12 && !strcasecmp(f->path + n - 12, "manifest.csv"))
        f->path[n > 12 ? n - 13 : 0] = 0;
    if (!f->path[0]) snprintf(f->path, n + 1, ".");
    struct stat sb;
    if (!orzip_is_zip(f->path) && (stat(f->path, &sb) < 0 || !S_ISDIR(sb.st_mode))) {
        snprintf(why, whylen, "ni dossier OneRoster (avec manifest.csv) ni archive .zip");
        return false;
    }
    struct pkg p = {0};
    int rc = pkg_open(&p, f->path, why, whylen);
    if (rc == 0) rc = manifest_read(&p, why, whylen);
    bool users_bulk = p.mode[F_USERS] == M_BULK;
    bool any_bulk = false;
    for (int i = 0; i < F_LOADED; i++) any_bulk = any_bulk || p.mode[i] == M_BULK;
    pkg_close(&p);
    if (rc < 0) return false;
    f->kind = IMP_ESTABLISHMENT; /* what is complete: f->complete */
    f->complete = users_bulk ? (1u << IMP_PUPIL) | (1u << IMP_STAFF) : 0;
    f->delta = !any_bulk;
    f->order = 0;
    f->date = 0;
    f->batch = 0;
    f->type = 0;
    return true;
}

/* Load every file the applier needs, in the order they refer to each
 * other. 0, or -1 when a file is refused (reported). */
static int pkg_load(struct pkg *p)
{
    static const struct { enum or_file f; void (*row)(struct ofile *); } order[] = {
        {F_ORGS, org_row}, {F_COURSES, course_row}, {F_CLASSES, class_row},
        {F_ENROLLMENTS, enrol_row}, {F_ROLES, role_row}, {F_DEMOGRAPHICS, demo_row},
        {F_USERS, user_row}};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (load(p, order[i].f, order[i].row) < 0) return -1;
        if (order[i].f == F_CLASSES) classes_link(p);
    }
    enrols_orphans(p);
    return 0;
}

/* Read a OneRoster package into sink (imp_reader.read): schools, subjects,
 * pupils, staff, relatives. Its memory and temporary folder are freed
 * before it returns. */
static int oneroster_read(const struct imp_file *f, struct imp_sink *sink)
{
    struct pkg p = {.sink = sink};
    char why[400];
    int rc = pkg_open(&p, f->path, why, sizeof why);
    if (rc < 0) problem(&p, NULL, 0, NULL, 'E', "%s", why);
    if (rc == 0 && (rc = manifest_read(&p, why, sizeof why)) < 0)
        problem(&p, NULL, 0, NULL, 'E', "%s", why);
    if (rc == 0) {
        files_undeclared(&p);
        rc = pkg_load(&p);
    }
    if (rc == 0) rc = schools_send(&p);
    if (rc == 0) rc = subjects_send(&p);
    if (rc == 0) rc = people_send(&p, IMP_PUPIL);
    if (rc == 0) rc = people_send(&p, IMP_STAFF);
    if (rc == 0) rc = relatives_send(&p);
    pkg_close(&p);
    return rc;
}

const struct imp_reader oneroster_reader = {"oneroster", oneroster_classify, oneroster_read,
                                            oneroster_package};
