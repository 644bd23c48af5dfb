/* sts.c — the STS-web reader: sts_emp and emp_sts XML → normalised records.
 *
 * libxml2's reader streams the file: no document tree is built. What an
 * element means depends on its parent (CIVILITE is a nomenclature entry
 * under CIVILITES, a person's field under INDIVIDU), so each element is
 * dispatched on (parent, name) through one table, and the context of the
 * elements around it (the person, structure, service, course it is in) is
 * inherited level by level.
 *
 * The individuals come before the divisions whose services name them, so
 * a file's content is gathered in one arena (an establishment's staff and
 * courses: small) and its records are sent at the end of the document:
 * for sts_emp the establishment, its subjects, then one staff record per
 * individual; for emp_sts one slot per course. Nothing is sent from a file
 * that is malformed, has no header or names another establishment. */
#include "sts.h"
#include "xml.h"
#include "keymap.h"
#include "nomenclature.h"
#include "../calendar/calendar.h"
#include "../core/arena.h"
#include "../core/clock.h"
#include <ctype.h>
#include <libxml/xmlreader.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Elements deeper than this are read only as the text of their ancestors. */
#define STS_DEPTH 32
/* Parser options: no DTD loaded, no entity substituted, no network. */

/* A subject of NOMENCLATURES/MATIERES. */
struct subject_in {
    const char *code, *gestion, *court, *lng, *edition;
    long line;
};

/* A code and its label: a MEF, a civility of the nomenclature. */
struct pair_in {
    const char *code, *label;
};

/* An INDIVIDU of sts_emp. */
struct person_in {
    const char *id, *usage, *patro, *first, *birth, *sex, *civility, *function;
    const char *disc_code, *disc_label; /* the first of their DISCIPLINES */
    struct imp_list principal;          /* (division code) */
    long line;
};

/* A DIVISION (a class) or a GROUPE. */
struct structure_in {
    const char *code, *label, *mef;
    bool group;
    long line;
};

/* An ENSEIGNANT of a SERVICE: who teaches which subject to which
 * structure (index + 1 in structures; 0 when outside any). */
struct service_in {
    const char *teacher, *subject;
    int structure;
    long line;
};

/* A COURS of emp_sts (service: index + 1 in services). */
struct course_in {
    int service;
    const char *alternance, *day, *start, *length, *room, *klass, *group;
    long line;
};

/* An ALTERNANCE of emp_sts: the Mondays of the weeks it lists, no two
 * the same (dates that are not Mondays count from their week's Monday). */
struct alternance_in {
    const char *code;
    const char **mondays;
    size_t n, cap;
    long line;
};

/* The establishment as the header (PARAMETRES) gives it. */
struct header {
    const char *uai, *year, *academie, *sigle, *denom, *compl, *address, *postcode, *city;
    const char *phone;
    long line;
};

/* What the elements around the current one are: index + 1, 0 for none. */
struct ctx {
    int person, subject, mef, civ, structure, service, course, alternance;
    int disc; /* 1 in a person's first DISCIPLINE, 2 in another */
};

#define VEC(T, name) T *name; size_t n_##name, cap_##name
/* A new zeroed element at the end of rd's array name. */
#define PUSH(rd, name)                                                                             \
    ((rd)->name = arena_grow(&(rd)->a, (rd)->name, (rd)->n_##name, &(rd)->cap_##name,              \
                             sizeof *(rd)->name),                                                  \
     memset(&(rd)->name[(rd)->n_##name], 0, sizeof *(rd)->name), &(rd)->name[(rd)->n_##name++])

struct sts {
    const char *path;
    struct sts_name name;
    struct imp_sink *sink;
    struct arena a;     /* everything the file says, until its records are sent */
    char today[11];
    struct header h;
    VEC(struct subject_in, subjects);
    VEC(struct pair_in, mefs);
    VEC(struct pair_in, civs);
    VEC(struct person_in, people);
    VEC(struct structure_in, structures);
    VEC(struct service_in, services);
    VEC(struct course_in, courses);
    VEC(struct alternance_in, alternances);
    const char *names[STS_DEPTH]; /* the open elements, by depth */
    struct ctx ctx[STS_DEPTH];
    long line;                    /* of the element being read */
};

/* ---- problems, text ------------------------------------------------------ */

/* Report a problem at line of the file, of record id (or none), through the
 * sink (which copies the message). No allocation. */
static void problem(struct sts *rd, long line, const char *id, char severity, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));
static void problem(struct sts *rd, long line, const char *id, char severity, const char *fmt,
                    ...)
{
    va_list ap;
    va_start(ap, fmt);
    imp_vreport(rd->sink, rd->path, line, id, severity, fmt, ap);
    va_end(ap);
}

/* The copy of s without the blanks around it, in arena a; NULL for NULL or
 * blanks only (values are often padded with spaces). */
static const char *trimmed(struct arena *a, const char *s)
{
    if (!s) return NULL;
    while (*s && isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    return n ? arena_strndup(a, s, n) : NULL;
}

/* The current element's text, trimmed, in rd's arena; NULL when empty. */
static const char *text_of(struct sts *rd, xmlTextReaderPtr x)
{
    if (xmlTextReaderIsEmptyElement(x)) return NULL;
    xmlChar *s = xmlTextReaderReadString(x);
    const char *t = trimmed(&rd->a, (const char *)s);
    xmlFree(s);
    return t;
}

/* The current element's attribute name, trimmed, in rd's arena; NULL when
 * absent or blank. */
static const char *attr_of(struct sts *rd, xmlTextReaderPtr x, const char *name)
{
    xmlChar *s = xmlTextReaderGetAttribute(x, (const xmlChar *)name);
    const char *t = trimmed(&rd->a, (const char *)s);
    xmlFree(s);
    return t;
}

/* A date as YYYY-MM-DD or dd/mm/yyyy → YYYY-MM-DD into out[11]; false when
 * it is neither or the day does not exist. No allocation. */
static bool date_iso(const char *v, char out[11])
{
    int y, m, d;
    char end;
    if (!v) return false;
    if (sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3
        && sscanf(v, "%2d/%2d/%4d%c", &d, &m, &y, &end) != 3)
        return false;
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return calendar_valid_date(out);
}

/* ---- the header ---------------------------------------------------------- */

/* Whether s is a UAI: seven digits and a letter. No allocation. */
static bool is_uai(const char *s)
{
    if (!s || strlen(s) != 8 || !isalpha((unsigned char)s[7])) return false;
    for (int i = 0; i < 7; i++)
        if (!isdigit((unsigned char)s[i])) return false;
    return true;
}

/* PARAMETRES/UAJ: the establishment (CODE in sts_emp, the text in some
 * emp_sts), kept in rd's arena. An unreadable one, or another
 * establishment's than the file name's, is reported and stops the file (-1). */
static int on_uaj(struct sts *rd, xmlTextReaderPtr x)
{
    const char *uai = attr_of(rd, x, "CODE");
    if (!uai) uai = text_of(rd, x);
    if (!is_uai(uai)) {
        problem(rd, rd->line, NULL, 'E', "UAJ « %s » illisible (sept chiffres et une lettre "
                "attendus) : fichier refusé", uai ? uai : "");
        return -1;
    }
    char *u = arena_strdup(&rd->a, uai);
    u[7] = (char)toupper((unsigned char)u[7]);
    if (strcmp(u, rd->name.uai)) {
        problem(rd, rd->line, u, 'E', "l'UAJ du fichier (%s) n'est pas celui de son nom (%s) : "
                "fichier refusé (un fichier d'un autre établissement ?)", u, rd->name.uai);
        return -1;
    }
    rd->h.uai = u;
    rd->h.line = rd->line;
    return 0;
}

/* PARAMETRES/ANNEE_SCOLAIRE: the year the school year starts in (in rd's
 * arena). Another year than today's school year is reported; 0. */
static int on_year(struct sts *rd, xmlTextReaderPtr x)
{
    const char *y = attr_of(rd, x, "ANNEE");
    if (!y) y = text_of(rd, x);
    rd->h.year = y;
    char label[10];
    calendar_school_year_of(rd->today, label);
    if (y && atoi(y) != atoi(label))
        problem(rd, rd->line, NULL, 'W', "fichier de l'année scolaire %s-%d, importé dans "
                "l'année %s", y, atoi(y) + 1, label);
    return 0;
}

/* A field of PARAMETRES/UAJ (name, kind, address…) or UAJ/ACADEMIE/LIBELLE
 * into the header, in rd's arena; 0. */
static int on_uaj_field(struct sts *rd, xmlTextReaderPtr x)
{
    static const struct { const char *name; size_t off; } map[] = {
        {"SIGLE", offsetof(struct header, sigle)}, {"DENOM_PRINC", offsetof(struct header, denom)},
        {"DENOM_COMPL", offsetof(struct header, compl)},
        {"ADRESSE", offsetof(struct header, address)},
        {"CODE_POSTAL", offsetof(struct header, postcode)},
        {"COMMUNE", offsetof(struct header, city)},
        {"TELEPHONE", offsetof(struct header, phone)},
        {"LIBELLE", offsetof(struct header, academie)}};
    const char *name = (const char *)xmlTextReaderConstLocalName(x);
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].name, name)) {
            *(const char **)((char *)&rd->h + map[i].off) = text_of(rd, x);
            break;
        }
    return 0;
}

/* ---- nomenclatures -------------------------------------------------------- */

/* NOMENCLATURES/MATIERES/MATIERE@CODE: a new subject in rd's arena, the
 * context of its fields; 0. */
static int on_subject(struct sts *rd, xmlTextReaderPtr x)
{
    struct subject_in *s = PUSH(rd, subjects);
    s->code = attr_of(rd, x, "CODE");
    s->line = rd->line;
    rd->ctx[xmlTextReaderDepth(x)].subject = (int)rd->n_subjects;
    return 0;
}

/* A subject's CODE_GESTION, LIBELLE_COURT, LIBELLE_LONG or LIBELLE_EDITION,
 * in rd's arena; 0. */
static int on_subject_field(struct sts *rd, xmlTextReaderPtr x)
{
    static const struct { const char *name; size_t off; } map[] = {
        {"CODE_GESTION", offsetof(struct subject_in, gestion)},
        {"LIBELLE_COURT", offsetof(struct subject_in, court)},
        {"LIBELLE_LONG", offsetof(struct subject_in, lng)},
        {"LIBELLE_EDITION", offsetof(struct subject_in, edition)}};
    int i = rd->ctx[xmlTextReaderDepth(x)].subject;
    const char *name = (const char *)xmlTextReaderConstLocalName(x);
    for (size_t k = 0; i && k < sizeof map / sizeof map[0]; k++)
        if (!strcmp(map[k].name, name))
            *(const char **)((char *)&rd->subjects[i - 1] + map[k].off) = text_of(rd, x);
    return 0;
}

/* NOMENCLATURES/MEFS/MEF@CODE: a new formation in rd's arena, the context
 * of its label; 0. */
static int on_mef(struct sts *rd, xmlTextReaderPtr x)
{
    PUSH(rd, mefs)->code = attr_of(rd, x, "CODE");
    rd->ctx[xmlTextReaderDepth(x)].mef = (int)rd->n_mefs;
    return 0;
}

/* NOMENCLATURES/CIVILITES/CIVILITE@CODE: a new civility in rd's arena, the
 * context of its label; 0. */
static int on_civ(struct sts *rd, xmlTextReaderPtr x)
{
    PUSH(rd, civs)->code = attr_of(rd, x, "CODE");
    rd->ctx[xmlTextReaderDepth(x)].civ = (int)rd->n_civs;
    return 0;
}

/* The label of a MEF or a civility (its first of LIBELLE_LONG, FORMATION,
 * LIBELLE_EDITION, LIBELLE_COURT), in rd's arena; 0. */
static int on_pair_label(struct sts *rd, xmlTextReaderPtr x)
{
    const struct ctx *c = &rd->ctx[xmlTextReaderDepth(x)];
    struct pair_in *p = c->mef ? &rd->mefs[c->mef - 1] : c->civ ? &rd->civs[c->civ - 1] : NULL;
    if (p && !p->label) p->label = text_of(rd, x);
    return 0;
}

/* ---- individuals ------------------------------------------------------------ */

/* INDIVIDUS/INDIVIDU@ID: a new person in rd's arena, the context of their
 * fields; 0. */
static int on_person(struct sts *rd, xmlTextReaderPtr x)
{
    struct person_in *p = PUSH(rd, people);
    p->id = attr_of(rd, x, "ID");
    p->line = rd->line;
    rd->ctx[xmlTextReaderDepth(x)].person = (int)rd->n_people;
    return 0;
}

/* A person's NOM_USAGE, NOM_PATRONYMIQUE, PRENOM, DATE_NAISSANCE, SEXE,
 * CIVILITE or FONCTION, in rd's arena; 0. */
static int on_person_field(struct sts *rd, xmlTextReaderPtr x)
{
    static const struct { const char *name; size_t off; } map[] = {
        {"NOM_USAGE", offsetof(struct person_in, usage)},
        {"NOM_PATRONYMIQUE", offsetof(struct person_in, patro)},
        {"PRENOM", offsetof(struct person_in, first)},
        {"DATE_NAISSANCE", offsetof(struct person_in, birth)},
        {"SEXE", offsetof(struct person_in, sex)},
        {"CIVILITE", offsetof(struct person_in, civility)},
        {"FONCTION", offsetof(struct person_in, function)}};
    int i = rd->ctx[xmlTextReaderDepth(x)].person;
    const char *name = (const char *)xmlTextReaderConstLocalName(x);
    for (size_t k = 0; i && k < sizeof map / sizeof map[0]; k++)
        if (!strcmp(map[k].name, name))
            *(const char **)((char *)&rd->people[i - 1] + map[k].off) = text_of(rd, x);
    return 0;
}

/* PROFS_PRINC/PROF_PRINC/CODE_STRUCTURE: a division the person is principal
 * teacher of, added to their list in rd's arena; 0. */
static int on_principal(struct sts *rd, xmlTextReaderPtr x)
{
    int i = rd->ctx[xmlTextReaderDepth(x)].person;
    const char *code = text_of(rd, x);
    if (!i || !code) return 0;
    struct imp_list *l = &rd->people[i - 1].principal;
    l->v = arena_grow(&rd->a, l->v, l->n, &l->cap, sizeof *l->v);
    l->v[l->n++] = (struct imp_item){code, NULL, NULL};
    return 0;
}

/* DISCIPLINES/DISCIPLINE@CODE: the first one gives a teacher's post code
 * (in rd's arena); later ones are ignored; 0. */
static int on_discipline(struct sts *rd, xmlTextReaderPtr x)
{
    struct ctx *c = &rd->ctx[xmlTextReaderDepth(x)];
    if (!c->person) return 0;
    struct person_in *p = &rd->people[c->person - 1];
    c->disc = p->disc_code ? 2 : 1;
    if (c->disc == 1) p->disc_code = attr_of(rd, x, "CODE");
    return 0;
}

/* The LIBELLE_COURT of a person's first discipline: their title (in rd's
 * arena); 0. */
static int on_discipline_label(struct sts *rd, xmlTextReaderPtr x)
{
    const struct ctx *c = &rd->ctx[xmlTextReaderDepth(x)];
    if (c->person && c->disc == 1 && !rd->people[c->person - 1].disc_label)
        rd->people[c->person - 1].disc_label = text_of(rd, x);
    return 0;
}

/* ---- structures, services, courses ---------------------------------------- */

/* A DIVISION under DIVISIONS or a GROUPE under GROUPES — wherever these
 * are, so that groups nested in a division are groups too: a new structure
 * in rd's arena, the context of its services. One without CODE is
 * reported and ignored; 0. */
static int on_structure(struct sts *rd, xmlTextReaderPtr x)
{
    const char *name = (const char *)xmlTextReaderConstLocalName(x);
    struct structure_in *s = PUSH(rd, structures);
    s->code = attr_of(rd, x, "CODE");
    s->group = !strcmp(name, "GROUPE");
    s->line = rd->line;
    if (!s->code)
        problem(rd, rd->line, NULL, 'E', "élément %s sans CODE : ignoré", name);
    rd->ctx[xmlTextReaderDepth(x)].structure = s->code ? (int)rd->n_structures : 0;
    return 0;
}

/* A structure's LIBELLE_LONG, in rd's arena; 0. */
static int on_structure_label(struct sts *rd, xmlTextReaderPtr x)
{
    int i = rd->ctx[xmlTextReaderDepth(x)].structure;
    if (i && !rd->structures[i - 1].label) rd->structures[i - 1].label = text_of(rd, x);
    return 0;
}

/* MEFS_APPARTENANCE/…@CODE: a division's formation (it tells the level),
 * in rd's arena; 0. */
static int on_structure_mef(struct sts *rd, xmlTextReaderPtr x)
{
    int i = rd->ctx[xmlTextReaderDepth(x)].structure;
    if (i && !rd->structures[i - 1].mef) rd->structures[i - 1].mef = attr_of(rd, x, "CODE");
    return 0;
}

/* SERVICES/SERVICE@CODE_MATIERE: a service of the enclosing structure (a
 * new entry in rd's arena, its teachers to come), the context of its
 * ENSEIGNANTS. One without CODE_MATIERE is reported and ignored; 0. */
static int on_service(struct sts *rd, xmlTextReaderPtr x)
{
    struct ctx *c = &rd->ctx[xmlTextReaderDepth(x)];
    c->subject = 0;
    c->service = 0;
    const char *code = attr_of(rd, x, "CODE_MATIERE");
    if (!code) {
        problem(rd, rd->line, NULL, 'E', "SERVICE sans CODE_MATIERE : ignoré");
        return 0;
    }
    /* the subject's code goes to the teachers through a service with no teacher yet */
    struct service_in *s = PUSH(rd, services);
    s->subject = code;
    s->structure = c->structure;
    s->line = rd->line;
    c->service = (int)rd->n_services;
    return 0;
}

/* ENSEIGNANTS/ENSEIGNANT@ID: a teacher of the enclosing service (the
 * service's entry for the first, a copy in rd's arena for each other), the
 * context of their COURS. One without ID is reported and ignored; 0. */
static int on_teacher(struct sts *rd, xmlTextReaderPtr x)
{
    struct ctx *c = &rd->ctx[xmlTextReaderDepth(x)];
    if (!c->service) return 0;
    const char *id = attr_of(rd, x, "ID");
    if (!id) {
        problem(rd, rd->line, NULL, 'E', "ENSEIGNANT sans ID dans le service %s : ignoré",
                rd->services[c->service - 1].subject);
        c->service = 0;
        return 0;
    }
    /* the service's first teacher fills it, each other one has a copy */
    struct service_in *s = &rd->services[c->service - 1];
    if (s->teacher) {
        struct service_in copy = *s;
        s = PUSH(rd, services);
        *s = copy;
    }
    s->teacher = id;
    s->line = rd->line;
    c->service = (int)(s - rd->services) + 1;
    return 0;
}

/* COURS_RATTACHES/COURS: a new course of the enclosing teacher's service
 * in rd's arena, the context of its fields; 0. */
static int on_course(struct sts *rd, xmlTextReaderPtr x)
{
    struct ctx *c = &rd->ctx[xmlTextReaderDepth(x)];
    struct course_in *k = PUSH(rd, courses);
    k->service = c->service;
    k->line = rd->line;
    c->course = (int)rd->n_courses;
    return 0;
}

/* A course's CODE_ALTERNANCE, JOUR, HEURE_DEBUT, DUREE, room (CODE_SALLE or
 * SALLE) or own division or group (text or CODE attribute), in rd's arena;
 * 0. */
static int on_course_field(struct sts *rd, xmlTextReaderPtr x)
{
    static const struct { const char *name; size_t off; } map[] = {
        {"CODE_ALTERNANCE", offsetof(struct course_in, alternance)},
        {"JOUR", offsetof(struct course_in, day)},
        {"HEURE_DEBUT", offsetof(struct course_in, start)},
        {"DUREE", offsetof(struct course_in, length)},
        {"CODE_SALLE", offsetof(struct course_in, room)},
        {"SALLE", offsetof(struct course_in, room)},
        {"CODE_DIVISION", offsetof(struct course_in, klass)},
        {"DIVISION", offsetof(struct course_in, klass)},
        {"CODE_GROUPE", offsetof(struct course_in, group)},
        {"GROUPE", offsetof(struct course_in, group)}};
    int i = rd->ctx[xmlTextReaderDepth(x)].course;
    const char *name = (const char *)xmlTextReaderConstLocalName(x);
    for (size_t k = 0; i && k < sizeof map / sizeof map[0]; k++)
        if (!strcmp(map[k].name, name)) {
            const char *v = attr_of(rd, x, "CODE");
            *(const char **)((char *)&rd->courses[i - 1] + map[k].off) = v ? v : text_of(rd, x);
        }
    return 0;
}

/* ---- alternances ---------------------------------------------------------- */

/* ALTERNANCES/ALTERNANCE@CODE: a new set of weeks in rd's arena, the
 * context of its dates; 0. */
static int on_alternance(struct sts *rd, xmlTextReaderPtr x)
{
    struct alternance_in *al = PUSH(rd, alternances);
    al->code = attr_of(rd, x, "CODE");
    al->line = rd->line;
    rd->ctx[xmlTextReaderDepth(x)].alternance = (int)rd->n_alternances;
    return 0;
}

/* Add the Monday of date's week to al's weeks (once), in rd's arena. */
static void week_add(struct sts *rd, struct alternance_in *al, const char *date)
{
    char monday[11];
    calendar_monday(date, monday);
    for (size_t i = 0; i < al->n; i++)
        if (!strcmp(al->mondays[i], monday)) return;
    al->mondays = arena_grow(&rd->a, al->mondays, al->n, &al->cap, sizeof *al->mondays);
    al->mondays[al->n++] = arena_strdup(&rd->a, monday);
}

/* An element inside an ALTERNANCE: a week when its text (or its DATE
 * attribute) is a date — SEMAINES/DATE_DEBUT_SEMAINE, SEMAINE/DATE… A
 * container whose text is its only child's date adds the same week. An
 * unreadable …DATE… is reported. Strings in rd's arena; 0. */
static int on_alternance_field(struct sts *rd, xmlTextReaderPtr x)
{
    struct alternance_in *al = &rd->alternances[rd->ctx[xmlTextReaderDepth(x)].alternance - 1];
    const char *name = (const char *)xmlTextReaderConstLocalName(x);
    if (!strncmp(name, "LIBELLE", 7)) return 0;
    const char *v = attr_of(rd, x, "DATE");
    if (!v) v = text_of(rd, x);
    char iso[11];
    if (date_iso(v, iso)) week_add(rd, al, iso);
    else if (v && strstr(name, "DATE") && !strchr(v, '\n'))
        problem(rd, rd->line, al->code, 'W', "date de semaine illisible « %s » dans l'alternance "
                "%s : ignorée", v, al->code ? al->code : "");
    return 0;
}

/* ---- dispatch ---------------------------------------------------------------- */

typedef int (*handler)(struct sts *rd, xmlTextReaderPtr x);

/* What an element is, by its parent's name and its own ("*": any). */
static const struct rule {
    const char *parent, *name;
    handler fn;
} rules[] = {
    {"PARAMETRES", "UAJ", on_uaj},
    {"PARAMETRES", "ANNEE_SCOLAIRE", on_year},
    {"UAJ", "*", on_uaj_field},
    {"ACADEMIE", "LIBELLE", on_uaj_field},
    {"MATIERES", "MATIERE", on_subject},
    {"MATIERE", "*", on_subject_field},
    {"MEFS", "MEF", on_mef},
    {"CIVILITES", "CIVILITE", on_civ},
    {"INDIVIDUS", "INDIVIDU", on_person},
    {"INDIVIDU", "*", on_person_field},
    {"PROF_PRINC", "CODE_STRUCTURE", on_principal},
    {"DISCIPLINES", "DISCIPLINE", on_discipline},
    {"DISCIPLINE", "LIBELLE_COURT", on_discipline_label},
    {"DIVISIONS", "DIVISION", on_structure},
    {"GROUPES", "GROUPE", on_structure},
    {"DIVISION", "LIBELLE_LONG", on_structure_label},
    {"GROUPE", "LIBELLE_LONG", on_structure_label},
    {"MEFS_APPARTENANCE", "*", on_structure_mef},
    {"SERVICES", "SERVICE", on_service},
    {"ENSEIGNANTS", "ENSEIGNANT", on_teacher},
    {"COURS_RATTACHES", "COURS", on_course},
    {"COURS", "*", on_course_field},
    {"ALTERNANCES", "ALTERNANCE", on_alternance},
};

/* Whether name is one of the labels of MEF and CIVILITE entries. No
 * allocation. */
static bool is_label(const char *name)
{
    return !strcmp(name, "LIBELLE_LONG") || !strcmp(name, "FORMATION")
           || !strcmp(name, "LIBELLE_EDITION") || !strcmp(name, "LIBELLE_COURT");
}

/* The root element: the one the file's name announces (STS_EDT for
 * sts_emp, EDT_STS for emp_sts); else reported, -1. No allocation. */
static int on_root(struct sts *rd, const char *name)
{
    const char *want = rd->name.type == STS_EMP ? "STS_EDT" : "EDT_STS";
    if (!strcmp(name, want)) return 0;
    problem(rd, rd->line, NULL, 'E', "élément racine « %s » : un fichier %s commence par %s "
            "(sts_emp et emp_sts, STS_EDT et EDT_STS se ressemblent)", name,
            rd->name.type == STS_EMP ? "sts_emp" : "emp_sts", want);
    return -1;
}

/* Report that the header lacks (before element seen, or in the whole file
 * when seen is NULL); -1: the file is refused. No allocation. */
static int header_missing(struct sts *rd, const char *seen)
{
    problem(rd, rd->line, NULL, 'E', "en-tête PARAMETRES/UAJ absent%s%s : l'établissement du "
            "fichier ne peut être su, fichier refusé", seen ? " avant " : "", seen ? seen : "");
    return -1;
}

/* The line of the current node (the parser's may be further on). No
 * allocation. */
static long line_of(xmlTextReaderPtr x)
{
    xmlNodePtr n = xmlTextReaderCurrentNode(x);
    long line = n ? xmlGetLineNo(n) : -1;
    return line > 0 ? line : xmlTextReaderGetParserLineNumber(x);
}

/* An element opening at depth d: its context inherited from its parent,
 * then the rule of (parent, name) applied. 0 to go on, -1 to stop reading. */
static int on_element(struct sts *rd, xmlTextReaderPtr x, int d)
{
    const char *name = (const char *)xmlTextReaderConstLocalName(x);
    rd->line = line_of(x);
    if (d >= STS_DEPTH) return 0;
    rd->names[d] = name;
    rd->ctx[d] = d ? rd->ctx[d - 1] : (struct ctx){0};
    if (d == 0) return on_root(rd, name);
    if (d == 1 && strcmp(name, "PARAMETRES") && !rd->h.uai) return header_missing(rd, name);
    const char *parent = rd->names[d - 1];
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (!strcmp(rules[i].parent, parent)
            && (rules[i].name[0] == '*' || !strcmp(rules[i].name, name)))
            return rules[i].fn(rd, x);
    const struct ctx *c = &rd->ctx[d];
    if ((c->mef || c->civ) && is_label(name) && (!strcmp(parent, "MEF")
                                                 || !strcmp(parent, "CIVILITE")))
        return on_pair_label(rd, x);
    if (c->alternance) return on_alternance_field(rd, x);
    return 0;
}

/* ---- records ------------------------------------------------------------------- */

/* Add s (NULL as "") and its terminator to the digest h. No allocation. */
static void hash_str(crypto_generichash_state *h, const char *s)
{
    if (!s) s = "";
    crypto_generichash_update(h, (const unsigned char *)s, strlen(s) + 1);
}

/* Add every item of l, then a separator, to the digest h. No allocation. */
static void hash_list(crypto_generichash_state *h, const struct imp_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        hash_str(h, l->v[i].a);
        hash_str(h, l->v[i].b);
        hash_str(h, l->v[i].c);
    }
    hash_str(h, "|");
}

/* The digest h in hex into digest[33]. No allocation. */
static void hash_end(crypto_generichash_state *h, char digest[33])
{
    unsigned char d[16];
    crypto_generichash_final(h, d, sizeof d);
    sodium_bin2hex(digest, 33, d, sizeof d);
}

/* Append (x, y, z) to l in arena a, unless l has it already. */
static void list_add(struct arena *a, struct imp_list *l, const char *x, const char *y,
                     const char *z)
{
    for (size_t i = 0; i < l->n; i++) /* the same item twice is one */
        if (!strcmp(l->v[i].a, x) && !strcmp(l->v[i].b ? l->v[i].b : "", y ? y : "")
            && !strcmp(l->v[i].c ? l->v[i].c : "", z ? z : ""))
            return;
    l->v = arena_grow(a, l->v, l->n, &l->cap, sizeof *l->v);
    l->v[l->n++] = (struct imp_item){x, y, z};
}

/* The label of the MEF of code, or NULL. No allocation. */
static const char *mef_label(const struct sts *rd, const char *code)
{
    for (size_t i = 0; code && i < rd->n_mefs; i++)
        if (rd->mefs[i].code && !strcmp(rd->mefs[i].code, code)) return rd->mefs[i].label;
    return NULL;
}

/* What tells a division's level: its label when it does ("6EME A"), else
 * its formation's label ("6EME"), else its label or NULL. No allocation. */
static const char *level_hint(const struct sts *rd, const struct structure_in *s)
{
    if (s->label && nomenclature_level(s->label)) return s->label;
    const char *m = mef_label(rd, s->mef);
    return m && nomenclature_level(m) ? m : s->label;
}

/* The kind of establishment its divisions' levels tell ("COLLEGE",
 * "LYCEE", "ECOLE"), or NULL. No allocation. */
static const char *kind_of_divisions(const struct sts *rd)
{
    for (size_t i = 0; i < rd->n_structures; i++) {
        const struct structure_in *s = &rd->structures[i];
        const char *l = s->group ? NULL : nomenclature_level(level_hint(rd, s));
        if (!l) l = s->group ? NULL : nomenclature_level(s->code);
        if (!l) continue;
        if (strchr("6543", l[0]) && !strcmp(l + 1, "E")) return "COLLEGE";
        if (!strcmp(l, "2NDE") || !strcmp(l, "1ERE") || !strcmp(l, "TLE")) return "LYCEE";
        return "ECOLE";
    }
    return NULL;
}

/* The establishment's name from the header (in arena a when joined), or
 * « Établissement UAI » (reported). */
static const char *est_name(struct sts *rd, struct arena *a)
{
    const struct header *h = &rd->h;
    if (h->denom && h->compl) return arena_printf(a, "%s %s", h->denom, h->compl);
    if (h->denom || h->compl) return h->denom ? h->denom : h->compl;
    problem(rd, h->line, h->uai, 'W', "nom de l'établissement absent de l'en-tête "
            "(UAJ/DENOM_PRINC, DENOM_COMPL) : « Établissement %s » en attendant", h->uai);
    return arena_printf(a, "Établissement %s", h->uai);
}

/* Send the establishment (key: its UAI) with its divisions and groups; its
 * lists in arena a. The sink's answer: 0 or -1. */
static int send_establishment(struct sts *rd, struct arena *a)
{
    const struct header *h = &rd->h;
    struct imp_record r = {.kind = IMP_ESTABLISHMENT, .op = IMP_FULL, .present = IMP_F_ALL,
                           .at = {rd->path, h->line, h->uai}, .key = h->uai, .uai = h->uai};
    r.name = est_name(rd, a);
    r.kind_text = h->sigle ? h->sigle : h->denom ? h->denom : kind_of_divisions(rd);
    r.academie = h->academie;
    r.address = h->address;
    r.postcode = h->postcode;
    r.city = h->city;
    r.phone = h->phone;
    for (size_t i = 0; i < rd->n_structures; i++) {
        const struct structure_in *s = &rd->structures[i];
        if (!s->code) continue;
        list_add(a, s->group ? &r.groups : &r.classes, s->code,
                 s->group ? s->label : level_hint(rd, s), NULL);
    }
    crypto_generichash_state hs;
    crypto_generichash_init(&hs, NULL, 0, 16);
    const char *f[] = {"establishment", r.uai, r.name, r.kind_text, r.academie, r.address,
                       r.postcode, r.city, r.phone};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) hash_str(&hs, f[i]);
    hash_list(&hs, &r.classes);
    hash_list(&hs, &r.groups);
    hash_end(&hs, r.digest);
    return rd->sink->record(rd->sink->ctx, &r);
}

/* Send one subject of the nomenclature (key: its national code); one
 * without CODE is reported. No allocation. 0, or -1 when the sink stops. */
static int send_subject(struct sts *rd, const struct subject_in *s)
{
    if (!s->code) {
        problem(rd, s->line, NULL, 'E', "MATIERE sans CODE : ignorée");
        return 0;
    }
    struct imp_record r = {.kind = IMP_SUBJECT, .op = IMP_FULL, .present = IMP_F_ALL,
                           .at = {rd->path, s->line, s->code}, .key = s->code};
    r.name = s->edition ? s->edition : s->lng ? s->lng : s->court ? s->court : s->gestion;
    crypto_generichash_state hs;
    crypto_generichash_init(&hs, NULL, 0, 16);
    hash_str(&hs, "subject");
    hash_str(&hs, r.key);
    hash_str(&hs, r.name);
    hash_end(&hs, r.digest);
    return rd->sink->record(rd->sink->ctx, &r);
}

/* A civility as Carnet shows it: the nomenclature's label of the code, else
 * M. or Mme from the code (1, 2 or 3) or the sex (1 or 2); NULL when none
 * tells. No allocation. */
static const char *civility_of(const struct sts *rd, const struct person_in *p)
{
    const char *c = p->civility;
    for (size_t i = 0; c && i < rd->n_civs; i++)
        if (rd->civs[i].code && !strcmp(rd->civs[i].code, c) && rd->civs[i].label)
            return rd->civs[i].label;
    if (c && !isdigit((unsigned char)c[0])) return c;
    int code = c ? atoi(c) : p->sex ? atoi(p->sex) + 10 : 0;
    return code == 1 || code == 11 ? "M." : code == 2 || code == 3 || code == 12 ? "Mme" : NULL;
}

/* Fill r's teachings, (establishment, structure, subject), from every
 * service that names person (index in people); lists in arena a. */
static void person_teach(struct sts *rd, struct arena *a, size_t person, struct imp_record *r)
{
    for (size_t i = 0; i < rd->n_services; i++) {
        const struct service_in *s = &rd->services[i];
        if (!s->teacher || !s->structure || strcmp(s->teacher, rd->people[person].id)) continue;
        const struct structure_in *st = &rd->structures[s->structure - 1];
        list_add(a, st->group ? &r->teach_groups : &r->teach_classes, rd->h.uai, st->code,
                 s->subject);
    }
}

/* The digest of every field of staff record r into r->digest. No
 * allocation. */
static void staff_digest(struct imp_record *r)
{
    crypto_generichash_state hs;
    crypto_generichash_init(&hs, NULL, 0, 16);
    const char *f[] = {"staff", r->key, r->name, r->first_name, r->birth_date, r->civility,
                       r->attach};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) hash_str(&hs, f[i]);
    for (size_t i = 0; i < r->nfunctions; i++) {
        hash_str(&hs, r->functions[i].type);
        hash_str(&hs, r->functions[i].code);
        hash_str(&hs, r->functions[i].label);
    }
    hash_list(&hs, &r->teach_classes);
    hash_list(&hs, &r->teach_groups);
    hash_list(&hs, &r->principal);
    hash_end(&hs, r->digest);
}

/* Send one individual (key: INDIVIDU@ID) with their function, teachings and
 * principal classes; lists in arena a. 0, or -1 when the sink stops. */
static int send_person(struct sts *rd, struct arena *a, size_t i)
{
    const struct person_in *p = &rd->people[i];
    if (!p->id) {
        problem(rd, p->line, NULL, 'E', "INDIVIDU sans ID : ignoré");
        return 0;
    }
    struct imp_record r = {.kind = IMP_STAFF, .op = IMP_FULL, .present = IMP_F_ALL,
                           .at = {rd->path, p->line, p->id}, .key = p->id};
    r.name = p->usage ? p->usage : p->patro;
    r.first_name = p->first;
    r.civility = civility_of(rd, p);
    r.attach = rd->h.uai;
    char iso[11];
    if (date_iso(p->birth, iso)) r.birth_date = arena_strdup(a, iso);
    else if (p->birth)
        problem(rd, p->line, p->id, 'W', "date de naissance illisible « %s » (aaaa-mm-jj ou "
                "jj/mm/aaaa attendu) : ignorée", p->birth);
    if (p->function) {
        r.functions = arena_alloc(a, sizeof *r.functions);
        r.functions[r.nfunctions++] = (struct imp_function){rd->h.uai, p->function,
                                                            p->disc_code, p->disc_label};
    }
    person_teach(rd, a, i, &r);
    for (size_t k = 0; k < p->principal.n; k++)
        list_add(a, &r.principal, rd->h.uai, p->principal.v[k].a, NULL);
    staff_digest(&r);
    return rd->sink->record(rd->sink->ctx, &r);
}

/* Report the services naming someone who is no INDIVIDU of the file
 * (people: id → index + 1). No allocation. */
static void check_teachers(struct sts *rd, const struct keymap *people)
{
    for (size_t i = 0; i < rd->n_services; i++) {
        const struct service_in *s = &rd->services[i];
        if (!s->teacher || keymap_get(people, s->teacher)) continue;
        const char *where = s->structure ? rd->structures[s->structure - 1].code : "?";
        problem(rd, s->line, s->teacher, 'W', "enseignant %s du service %s de %s absent des "
                "individus du fichier : ignoré", s->teacher, s->subject, where);
    }
}

/* Send every record of a sts_emp in the order they depend on: the
 * establishment, the subjects, the people (a small arena per person,
 * freed here). 0, or -1 when the sink stops. */
static int send_sts_emp(struct sts *rd)
{
    struct arena a;
    struct keymap people;
    arena_init(&a);
    keymap_init(&people);
    for (size_t i = 0; i < rd->n_people; i++)
        if (rd->people[i].id) keymap_put(&people, rd->people[i].id)->id = (int64_t)i + 1;
    check_teachers(rd, &people);
    int rc = send_establishment(rd, &a);
    for (size_t i = 0; rc == 0 && i < rd->n_subjects; i++) rc = send_subject(rd, &rd->subjects[i]);
    for (size_t i = 0; rc == 0 && i < rd->n_people; i++) {
        arena_free(&a);
        arena_init(&a);
        rc = send_person(rd, &a, i);
    }
    keymap_free(&people);
    arena_free(&a);
    return rc;
}

/* ---- emp_sts: courses ------------------------------------------------------- */

/* "hhmm" (also "hmm", "hh:mm", "hhhmm") → minutes; -1 when unreadable. No
 * allocation. */
static int minutes_of(const char *v)
{
    int h = -1, m = -1, n = 0;
    char end;
    if (!v) return -1;
    if (sscanf(v, "%d%*[:hH]%d%c", &h, &m, &end) == 2) return h >= 0 && m >= 0 && m < 60
                                                                 ? h * 60 + m : -1;
    size_t len = strlen(v);
    if (len < 3 || len > 4 || strspn(v, "0123456789") != len) return -1;
    n = atoi(v);
    return n % 100 < 60 ? n / 100 * 60 + n % 100 : -1;
}

/* The alternance of code, or NULL. No allocation. */
static const struct alternance_in *alternance_of(const struct sts *rd, const char *code)
{
    for (size_t i = 0; code && i < rd->n_alternances; i++)
        if (rd->alternances[i].code && !strcmp(rd->alternances[i].code, code))
            return &rd->alternances[i];
    return NULL;
}

/* Whether an earlier course named the same undeclared alternance (it is
 * reported once). No allocation. */
static bool reported_before(const struct sts *rd, const struct course_in *k)
{
    for (const struct course_in *o = rd->courses; o < k; o++)
        if (!strcmp(o->alternance ? o->alternance : "", k->alternance ? k->alternance : "")
            && !alternance_of(rd, o->alternance))
            return true;
    return false;
}

/* Set the weeks of r's slot from the course's alternance: the Mondays of
 * its weeks not yet past, and its span (first Monday to last Sunday, all
 * weeks counted: the same file gives the same span whatever the day), in
 * arena a. An undeclared alternance is reported (every week). False when
 * every week is past: the course is over. */
static bool slot_weeks(struct sts *rd, struct arena *a, const struct course_in *k,
                       struct imp_record *r, const char *id)
{
    const struct alternance_in *al = alternance_of(rd, k->alternance);
    if (!al || !al->n) {
        if (!al && !reported_before(rd, k))
            problem(rd, k->line, id, 'W', "alternance « %s » non déclarée dans ALTERNANCES : "
                    "cours placé chaque semaine", k->alternance ? k->alternance : "");
        return true;
    }
    const char **future = arena_alloc(a, al->n * sizeof *future);
    const char *first = al->mondays[0], *last = al->mondays[0];
    for (size_t i = 0; i < al->n; i++) {
        char sunday[11];
        calendar_add_days(al->mondays[i], 6, sunday);
        if (strcmp(sunday, rd->today) >= 0) future[r->slot.nweeks++] = al->mondays[i];
        if (strcmp(al->mondays[i], first) < 0) first = al->mondays[i];
        if (strcmp(al->mondays[i], last) > 0) last = al->mondays[i];
    }
    if (!r->slot.nweeks) return false;
    r->slot.weeks = future;
    r->slot.valid_from = first;
    char *end = arena_alloc(a, 11);
    calendar_add_days(last, 6, end);
    r->slot.valid_to = end;
    return true;
}

/* The day and times of a course into r's slot; false (reported) when
 * unreadable or past midnight. No allocation. */
static bool slot_times(struct sts *rd, const struct course_in *k, struct imp_record *r,
                       const char *id)
{
    int day = k->day && strspn(k->day, "0123456789") == strlen(k->day) ? atoi(k->day) : 0;
    int start = minutes_of(k->start), length = minutes_of(k->length);
    if (day < 1 || day > 6) {
        problem(rd, k->line, id, 'E', "JOUR « %s » illisible (1 à 6 attendu) : cours ignoré",
                k->day ? k->day : "");
        return false;
    }
    if (start < 0 || length <= 0 || start + length > 24 * 60) {
        problem(rd, k->line, id, 'E', "horaire illisible (HEURE_DEBUT « %s », DUREE « %s », hhmm "
                "attendus) : cours ignoré", k->start ? k->start : "", k->length ? k->length : "");
        return false;
    }
    unsigned from = (unsigned)start, to = (unsigned)(start + length);
    r->slot.weekday = day;
    snprintf(r->slot.starts_at, sizeof r->slot.starts_at, "%02u:%02u", from / 60 % 25, from % 60);
    snprintf(r->slot.ends_at, sizeof r->slot.ends_at, "%02u:%02u", to / 60 % 25, to % 60);
    return true;
}

/* The digest of every field of slot record r into r->digest. No allocation. */
static void slot_digest(struct imp_record *r)
{
    const struct imp_slot *s = &r->slot;
    char n[32];
    crypto_generichash_state hs;
    crypto_generichash_init(&hs, NULL, 0, 16);
    snprintf(n, sizeof n, "%d", s->weekday);
    const char *f[] = {"slot", s->establishment, s->teacher, s->klass, s->group, s->subject, n,
                       s->starts_at, s->ends_at, s->room, s->valid_from, s->valid_to};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) hash_str(&hs, f[i]);
    for (size_t i = 0; i < s->nweeks; i++) hash_str(&hs, s->weeks[i]);
    hash_end(&hs, r->digest);
}

/* Send one course as a slot record (id: structure/subject/teacher, in arena
 * a); one outside a teacher's service of a structure, or unreadable, is
 * reported and skipped. 0, or -1 when the sink stops. */
static int send_course(struct sts *rd, struct arena *a, const struct course_in *k)
{
    const struct service_in *sv = k->service ? &rd->services[k->service - 1] : NULL;
    const struct structure_in *st = sv && sv->structure ? &rd->structures[sv->structure - 1]
                                                        : NULL;
    const char *klass = k->klass, *group = k->group;
    if (!klass && !group && st) *(st->group ? &group : &klass) = st->code;
    if (!sv || !sv->teacher || (!klass && !group)) {
        problem(rd, k->line, NULL, 'E', "COURS hors d'un service d'enseignant d'une division ou "
                "d'un groupe : ignoré");
        return 0;
    }
    const char *id = arena_printf(a, "%s/%s/%s", group ? group : klass, sv->subject, sv->teacher);
    struct imp_record r = {.kind = IMP_SLOT, .op = IMP_FULL, .present = IMP_F_ALL,
                           .at = {rd->path, k->line, id}, .key = id};
    r.slot = (struct imp_slot){.establishment = rd->h.uai, .teacher = sv->teacher,
                               .klass = group ? NULL : klass, .group = group,
                               .subject = sv->subject, .room = k->room};
    if (!slot_times(rd, k, &r, id)) return 0;
    if (!slot_weeks(rd, a, k, &r, id)) return 0; /* its weeks are all past */
    slot_digest(&r);
    return rd->sink->record(rd->sink->ctx, &r);
}

/* Report the alternances with no readable week and those whose every week
 * is past (their courses are not placed). No allocation. */
static void check_alternances(struct sts *rd)
{
    for (size_t i = 0; i < rd->n_alternances; i++) {
        const struct alternance_in *al = &rd->alternances[i];
        size_t future = 0;
        for (size_t w = 0; w < al->n; w++) {
            char sunday[11];
            calendar_add_days(al->mondays[w], 6, sunday);
            future += strcmp(sunday, rd->today) >= 0;
        }
        if (!al->n)
            problem(rd, al->line, al->code, 'W', "alternance %s sans semaine lisible : ses cours "
                    "sont placés chaque semaine", al->code ? al->code : "");
        else if (!future)
            problem(rd, al->line, al->code, 'W', "toutes les semaines de l'alternance %s sont "
                    "passées : ses cours ne sont pas repris", al->code ? al->code : "");
    }
}

/* Send a slot record per course of an emp_sts (a small arena per course,
 * freed here). 0, or -1 when the sink stops. */
static int send_emp_sts(struct sts *rd)
{
    check_alternances(rd);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < rd->n_courses; i++) {
        struct arena a;
        arena_init(&a);
        rc = send_course(rd, &a, &rd->courses[i]);
        arena_free(&a);
    }
    return rc;
}

/* ---- the file ----------------------------------------------------------------- */

/* Walk the file to its end through the importers' safe reader (xml.c),
 * gathering what it says in rd's arena. 0 when read whole with its header,
 * -1 otherwise (reported). */
static int walk(struct sts *rd, struct xml_in *in)
{
    int rc;
    while ((rc = xml_next(in)) == 1)
        if (xml_type(in) == XML_READER_TYPE_ELEMENT && on_element(rd, in->x, xml_depth(in)) < 0)
            return -1;
    if (rc < 0) {
        problem(rd, in->error_line, NULL, 'E', "%s", in->error);
        return -1;
    }
    if (!rd->names[0]) {
        problem(rd, 0, NULL, 'E', "fichier vide : fichier refusé");
        return -1;
    }
    return rd->h.uai ? 0 : header_missing(rd, NULL);
}

/* The reader's read: walk f, then send its records. rd and its arena are
 * allocated here and freed before returning. 0, or -1 when the file cannot
 * be read or the sink stops (reported). */
static int sts_read(const struct imp_file *f, struct imp_sink *sink)
{
    struct sts *rd = calloc(1, sizeof *rd);
    if (!rd) abort();
    rd->path = f->path;
    rd->sink = sink;
    sts_name_parse(f->path, &rd->name);
    clock_today(rd->today);
    arena_init(&rd->a);
    int rc = -1;
    struct xml_in in;
    if (xml_open(&in, f->path, NULL) < 0) {
        problem(rd, 0, NULL, 'E', "%s", in.error[0] ? in.error : "fichier illisible");
    } else {
        rc = walk(rd, &in);
    }
    xml_close(&in);
    if (rc == 0) rc = rd->name.type == STS_EMP ? send_sts_emp(rd) : send_emp_sts(rd);
    arena_free(&rd->a);
    free(rd);
    return rc;
}

/* ---- names ---------------------------------------------------------------------- */

/* The rest of a name after sts_emp_ or emp_sts_, <UAI>_<YYYY>.xml (any
 * case), into n. No allocation. */
static bool name_rest(const char *p, struct sts_name *n)
{
    if (strlen(p) != 17 || p[8] != '_' || strcasecmp(p + 13, ".xml")) return false;
    char uai[9];
    memcpy(uai, p, 8);
    uai[8] = 0;
    uai[7] = (char)toupper((unsigned char)uai[7]);
    if (!is_uai(uai) || strspn(p + 9, "0123456789") < 4) return false;
    memcpy(n->uai, uai, sizeof uai);
    n->year = atoi(p + 9);
    return true;
}

/* See sts.h: the first sts_emp_ or emp_sts_ of the base name followed by
 * <UAI>_<YYYY>.xml. No allocation. */
bool sts_name_parse(const char *path, struct sts_name *n)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (const char *p = base; *p; p++) {
        enum sts_type t = !strncasecmp(p, "sts_emp_", 8) ? STS_EMP
                          : !strncasecmp(p, "emp_sts_", 8) ? EMP_STS : 0;
        if (t && name_rest(p + 8, n)) {
            n->type = t;
            return true;
        }
    }
    return false;
}

/* The reader's classify: sts_emp (staff records, a complete list) before
 * emp_sts (slots) of a year, year by year. No allocation. */
static bool sts_classify(struct imp_file *f, char *why, size_t whylen)
{
    struct sts_name n;
    if (!sts_name_parse(f->path, &n)) {
        snprintf(why, whylen, "nom de fichier STS-web non reconnu (sts_emp_<UAI>_<AAAA>.xml ou "
                 "emp_sts_<UAI>_<AAAA>.xml) : ce qu'il contient ne peut être deviné");
        return false;
    }
    f->kind = n.type == STS_EMP ? IMP_STAFF : IMP_SLOT;
    f->order = n.type == STS_EMP ? 0 : 1;
    f->delta = false;
    f->date = n.year * 10000;
    f->batch = 0;
    f->type = (int)n.type;
    return true;
}

const struct imp_reader sts_reader = {"sts", sts_classify, sts_read};
