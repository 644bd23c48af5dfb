/* onde.c — the ONDE reader: the écoles' CSV extractions of ONDE (BE1D),
 * turned into normalised records (record.h).
 *
 * Three files, told apart by their names, read in this order:
 *   CSVExtraction-eleves…csv       pupils, their level and class, their
 *                                  école; and, when the file has them, each
 *                                  pupil's responsables in blocks of columns
 *                                  ("Nom responsable", … repeated);
 *   CSVExtraction-enseignants…csv  teachers, their classes, the director;
 *   CSVExtraction-responsables…csv one row per responsable, their children
 *                                  in blocks of columns ("Nom enfant", …
 *                                  repeated, trailing blocks often omitted).
 * The pupils' file is read twice: first for the écoles and their classes
 * (an establishment record goes before its pupils), then for the pupils.
 * Relatives and teachers are gathered over the file (one may fill several
 * rows) and sent at its end; relatives carry their children, so that the
 * pupils exist when they come.
 *
 * ONDE has no ids for people. Keys, folded (upper-case ASCII, no accents):
 * a pupil "NOM|PRENOM|YYYY-MM-DD" (so that the responsables' file names its
 * children), a relative "NOM|PRENOM|" and the first of e-mail, mobile,
 * address and postcode, a teacher "NOM|PRENOM" (and "|" e-mail). Columns
 * are found by name (docs/imports.md, section ONDE, lists those accepted). */
#include "csv.h"
#include "emit.h"
#include "keymap.h"
#include "reader.h"
#include "../core/arena.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum onde_type { ONDE_PUPILS, ONDE_TEACHERS, ONDE_RELATIVES };

/* ---- the columns accepted, the documented name first ------------------- */

static const char *const N_UAI[] = {"UAI école", "UAI", "Code UAI", "UAI établissement", "RNE",
                                    "Code RNE", NULL};
static const char *const N_SCHOOL[] = {"Nom école", "École", "Dénomination école",
                                       "Nom établissement", "Appellation école", NULL};
static const char *const N_SCHOOL_CITY[] = {"Commune école", "Ville école", NULL};
static const char *const N_PUPIL_LAST[] = {"Nom élève", "Nom de famille élève", "Nom",
                                           "Nom de famille", NULL};
static const char *const N_PUPIL_USAGE[] = {"Nom d'usage élève", "Nom usage élève",
                                            "Nom d'usage", NULL};
static const char *const N_PUPIL_FIRST[] = {"Prénom élève", "Prénom", NULL};
static const char *const N_BIRTH[] = {"Date naissance", "Date de naissance",
                                      "Date naissance élève", "Date de naissance élève",
                                      "Né(e) le", NULL};
static const char *const N_SEX[] = {"Sexe", "Genre", NULL};
static const char *const N_INE[] = {"INE", "INE élève", "Identifiant national élève",
                                    "Numéro INE", NULL};
static const char *const N_LEVEL[] = {"Niveau", "Niveau élève", "Libellé niveau", NULL};
static const char *const N_CYCLE[] = {"Cycle", NULL};
static const char *const N_CLASS[] = {"Libellé classe", "Classe", "Nom classe",
                                      "Libellé de la classe", NULL};
static const char *const N_ADDRESS[] = {"Adresse", "Adresse élève", "Adresse responsable",
                                        "Ligne 1 adresse", NULL};
static const char *const N_ADDRESS2[] = {"Complément d'adresse", "Complément adresse",
                                         "Ligne 2 adresse", NULL};
static const char *const N_POSTCODE[] = {"Code postal", "CP", "Code postal élève",
                                         "Code postal responsable", NULL};
static const char *const N_CITY[] = {"Commune", "Ville", "Localité", "Commune élève",
                                     "Commune responsable", NULL};
/* A block of a responsable in the pupils' file starts with one of these. */
static const char *const N_RESP_ANCHOR[] = {"Nom responsable", "Nom du responsable",
                                            "Nom responsable légal", "Nom resp légal",
                                            "Nom resp", NULL};
static const char *const N_RESP_LAST[] = {"Nom responsable", "Nom du responsable",
                                          "Nom responsable légal", "Nom resp légal", "Nom resp",
                                          "Nom", "Nom de famille", NULL};
static const char *const N_RESP_FIRST[] = {"Prénom responsable", "Prénom du responsable",
                                           "Prénom responsable légal", "Prénom resp légal",
                                           "Prénom resp", "Prénom", NULL};
static const char *const N_CIVILITY[] = {"Civilité", "Civilité responsable", "Titre", NULL};
static const char *const N_RELATION[] = {"Lien", "Lien de parenté", "Lien avec l'élève",
                                         "Lien avec l'enfant", "Parenté", "Qualité", NULL};
static const char *const N_LEGAL[] = {"Autorité parentale", "Responsable légal", "Légal", NULL};
static const char *const N_FINANCIAL[] = {"Responsable financier", "Payeur", NULL};
static const char *const N_CONTACT[] = {"Contact", "Personne à contacter",
                                        "Destinataire courrier", NULL};
static const char *const N_EMAIL[] = {"Courriel", "Courriel responsable", "Email", "E-mail",
                                      "Mél", "Mail", "Adresse électronique", "Adresse mail",
                                      NULL};
static const char *const N_MOBILE[] = {"Téléphone portable", "Tél. portable", "Portable",
                                       "Mobile", "Téléphone mobile", NULL};
static const char *const N_HOME[] = {"Téléphone domicile", "Tél. domicile", "Téléphone",
                                     "Téléphone fixe", NULL};
static const char *const N_WORK[] = {"Téléphone travail", "Tél. travail",
                                     "Téléphone professionnel", NULL};
/* A block of a child in the responsables' file starts with one of these. */
static const char *const N_CHILD_LAST[] = {"Nom enfant", "Nom de l'enfant", "Nom élève", NULL};
static const char *const N_CHILD_FIRST[] = {"Prénom enfant", "Prénom de l'enfant",
                                            "Prénom élève", NULL};
static const char *const N_CHILD_BIRTH[] = {"Date naissance enfant", "Date de naissance enfant",
                                            "Date naissance élève", "Date de naissance élève",
                                            "Date naissance", "Date de naissance", NULL};
static const char *const N_TEACHER_LAST[] = {"Nom", "Nom enseignant", "Nom de famille",
                                             "Nom de famille enseignant", NULL};
static const char *const N_TEACHER_USAGE[] = {"Nom d'usage", "Nom d'usage enseignant", NULL};
static const char *const N_TEACHER_FIRST[] = {"Prénom", "Prénom enseignant", NULL};
static const char *const N_DIRECTOR[] = {"Directeur", "Directrice", "Directeur d'école",
                                         "Direction", NULL};
static const char *const N_FUNCTION[] = {"Fonction", "Fonction école", "Fonction dans l'école",
                                         "Emploi", NULL};

/* The national subject every teacher of an école teaches. */
#define ONDE_SUBJECT "POLY"
#define ONDE_SUBJECT_NAME "Enseignement polyvalent"

/* ---- the reader ---------------------------------------------------------- */

struct reader {
    const char *path;
    struct imp_sink *sink;
    struct csv *csv;
    struct arena a;   /* what is gathered over the file */
    struct arena rec; /* the current row's record */
    char file_uai[9]; /* a UAI in the file's name, or "" */
};

/* Report a problem at line (0: the file) of record id (or NULL). */
static void problem(struct reader *rd, long line, const char *id, char severity, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));
static void problem(struct reader *rd, long line, const char *id, char severity, const char *fmt,
                    ...)
{
    va_list ap;
    va_start(ap, fmt);
    imp_vreport(rd->sink, rd->path, line, id, severity, fmt, ap);
    va_end(ap);
}

/* The first column in [from, to) with one of names — exact names first,
 * then numbered ones ("Nom enfant 2") — or -1. */
static int col(const struct csv *c, const char *const *names, size_t from, size_t to)
{
    for (int numbered = 0; numbered < 2; numbered++)
        for (const char *const *n = names; *n; n++) {
            int i = csv_find(c, *n, from, to, numbered);
            if (i >= 0) return i;
        }
    return -1;
}

/* Field i of the current row, trimmed, copied into a; NULL when absent or
 * empty. */
static const char *val(struct reader *rd, struct arena *a, int i)
{
    const char *s = i >= 0 ? csv_field(rd->csv, (size_t)i) : NULL;
    if (!s) return NULL;
    while (*s == ' ' || *s == '\t' || *s == '\n') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n')) n--;
    return n ? arena_strndup(a, s, n) : NULL;
}

/* s folded as in keys (CSV_FOLD_KEY), in a. */
static const char *folded(struct arena *a, const char *s)
{
    char buf[256];
    csv_fold(s, buf, sizeof buf, CSV_FOLD_KEY);
    return arena_strdup(a, buf);
}

/* Whether a cell says yes (Oui, O, X, 1, Vrai…). */
static bool yes(const char *v)
{
    static const char *const words[] = {"OUI", "O", "X", "1", "VRAI", "Y", "YES", "TRUE"};
    char f[16];
    csv_fold(v, f, sizeof f, CSV_FOLD_NAME);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(f, words[i])) return true;
    return false;
}

/* Whether folded text f is word, or starts with word and a space. */
static bool word_is(const char *f, const char *word)
{
    size_t n = strlen(word);
    return !strncmp(f, word, n) && (!f[n] || f[n] == ' ');
}

/* A "Lien" as Carnet names the relation. */
static const char *relation_of(const char *text)
{
    char f[64];
    csv_fold(text, f, sizeof f, CSV_FOLD_KEY);
    if (word_is(f, "MERE")) return "mother";
    if (word_is(f, "PERE")) return "father";
    if (word_is(f, "TUTEUR") || word_is(f, "TUTRICE") || word_is(f, "TUTELLE")) return "tutor";
    return "other";
}

/* M. or Mme from a civility, else from the relation; NULL when neither tells. */
static const char *civility_of(const char *text, const char *relation)
{
    static const char *const mr[] = {"M", "MR", "MONSIEUR"};
    static const char *const mrs[] = {"MME", "MADAME", "MLLE", "MELLE", "MADEMOISELLE"};
    char f[16];
    csv_fold(text, f, sizeof f, CSV_FOLD_NAME);
    for (size_t i = 0; text && i < sizeof mr / sizeof mr[0]; i++)
        if (!strcmp(f, mr[i])) return "M.";
    for (size_t i = 0; text && i < sizeof mrs / sizeof mrs[0]; i++)
        if (!strcmp(f, mrs[i])) return "Mme";
    if (relation && !strcmp(relation, "mother")) return "Mme";
    if (relation && !strcmp(relation, "father")) return "M.";
    return NULL;
}

/* A pupil's civility from their sex (M, F, G, 1, 2, Masculin…). */
static const char *sex_civility(const char *sex)
{
    char f[16];
    csv_fold(sex, f, sizeof f, CSV_FOLD_NAME);
    if (!sex) return NULL;
    if (f[0] == 'M' || f[0] == 'G' || f[0] == 'H' || !strcmp(f, "1")) return "M.";
    if (f[0] == 'F' || !strcmp(f, "2")) return "Mme";
    return NULL;
}

/* The digits of a phone number, in a (NULL when none). */
static const char *digits(struct arena *a, const char *s)
{
    if (!s) return NULL;
    char *d = arena_strdup(a, s), *w = d;
    for (const char *p = s; *p; p++)
        if (*p >= '0' && *p <= '9') *w++ = *p;
    *w = 0;
    return *d ? d : NULL;
}

/* Address lines joined by a line break (as AAF's `$` lines), in a. */
static const char *address_of(struct arena *a, const char *line1, const char *line2)
{
    if (!line2) return line1;
    return line1 ? arena_printf(a, "%s\n%s", line1, line2) : line2;
}

/* The warnings of the current row as a CSV record (extra fields, quotes). */
static void row_checks(struct reader *rd)
{
    size_t n = csv_fields(rd->csv), cols = csv_columns(rd->csv);
    long line = csv_line(rd->csv);
    if (n > cols)
        problem(rd, line, NULL, 'W', "%zu champ(s) de plus que les %zu colonnes de l'en-tête : "
                "ignoré(s)", n - cols, cols);
    if (csv_stray_quote(rd->csv))
        problem(rd, line, NULL, 'W', "guillemet mal placé : le champ est lu tel quel");
}

/* Open path's CSV into rd->csv. 0, or -1 (reported). */
static int open_csv(struct reader *rd)
{
    char err[256];
    rd->csv = csv_open_file(rd->path, err, sizeof err);
    if (rd->csv) return 0;
    problem(rd, 0, NULL, 'E', "%s", err);
    return -1;
}

/* Report why reading stopped (csv_next gave -1); returns -1. */
static int read_failed(struct reader *rd)
{
    problem(rd, csv_line(rd->csv), NULL, 'E', "%s : fichier refusé", csv_error(rd->csv));
    return -1;
}

/* Say once that fields were converted from Windows-1252. */
static void encoding_note(struct reader *rd)
{
    unsigned long n = csv_converted(rd->csv);
    if (n)
        problem(rd, 0, NULL, 'W', "%lu champ(s) en Windows-1252 / Latin-1 (pas en UTF-8) : "
                "convertis", n);
}

/* A required column: its index, or -1 reported (the file is refused). */
static int need(struct reader *rd, int i, const char *const *names)
{
    if (i < 0)
        problem(rd, 1, NULL, 'E', "colonne « %s » absente de l'en-tête : fichier refusé",
                names[0]);
    return i;
}

/* The UAI of the current row (column uai, else the file name's), upper
 * case, in a; NULL when neither gives one. */
static const char *row_uai(struct reader *rd, struct arena *a, int uai)
{
    const char *v = val(rd, a, uai);
    if (!v) return rd->file_uai[0] ? arena_strdup(a, rd->file_uai) : NULL;
    char *u = arena_strdup(a, v);
    for (char *p = u; *p; p++)
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
    return u;
}

/* ---- relatives, gathered over a file ------------------------------------- */

struct rel {
    const char *last, *first, *civility, *email, *mobile, *phone, *address, *postcode, *city;
    const char *names;   /* "NOM|PRENOM" folded */
    long line, homonym;  /* the first line; that of a namesake kept apart (0: none) */
    struct imp_record r; /* children gathered in r.children */
};

struct rels {
    struct rel **v;
    size_t n, cap;
};

/* The columns of a relative in [from, to). */
struct rel_cols {
    int last, first, civility, relation, legal, financial, contact, email, mobile, home, work;
    int address, address2, postcode, city;
};

/* Find the columns of a relative in [from, to) into rc. No allocation. */
static void rel_cols_find(const struct csv *c, struct rel_cols *rc, size_t from, size_t to)
{
    *rc = (struct rel_cols){
        col(c, N_RESP_LAST, from, to), col(c, N_RESP_FIRST, from, to),
        col(c, N_CIVILITY, from, to), col(c, N_RELATION, from, to), col(c, N_LEGAL, from, to),
        col(c, N_FINANCIAL, from, to), col(c, N_CONTACT, from, to), col(c, N_EMAIL, from, to),
        col(c, N_MOBILE, from, to), col(c, N_HOME, from, to), col(c, N_WORK, from, to),
        col(c, N_ADDRESS, from, to), col(c, N_ADDRESS2, from, to), col(c, N_POSTCODE, from, to),
        col(c, N_CITY, from, to)};
}

/* A relative's link to child key from the row's cells: relation, legal,
 * financial and contact columns (those of the child's block win). */
static struct imp_link link_of(struct reader *rd, const struct rel_cols *rc,
                               const struct rel_cols *child, const char *key)
{
    struct arena *a = &rd->a;
    const char *rel = child ? val(rd, a, child->relation) : NULL;
    const char *legal = child ? val(rd, a, child->legal) : NULL;
    if (!rel) rel = val(rd, a, rc->relation);
    if (!legal) legal = val(rd, a, rc->legal);
    const char *fin = val(rd, a, rc->financial), *contact = val(rd, a, rc->contact);
    struct imp_link l = {.pupil = key, .relation = relation_of(rel)};
    /* Without a legal column, the parents and tutors listed are the legal ones. */
    l.legal = legal ? yes(legal) : !rel || strcmp(l.relation, "other");
    l.financial = fin && yes(fin);
    l.contact = contact ? yes(contact) : true;
    return l;
}

/* The relative of the current row's columns rc, in rd->a (NULL: no name). */
static struct rel *rel_read(struct reader *rd, const struct rel_cols *rc)
{
    struct arena *a = &rd->a;
    const char *last = val(rd, a, rc->last);
    if (!last) return NULL;
    struct rel *p = arena_alloc(a, sizeof *p);
    p->last = last;
    p->first = val(rd, a, rc->first);
    p->civility = val(rd, a, rc->civility);
    p->email = val(rd, a, rc->email);
    p->mobile = val(rd, a, rc->mobile);
    p->phone = val(rd, a, rc->home);
    if (!p->phone) p->phone = val(rd, a, rc->work);
    p->address = address_of(a, val(rd, a, rc->address), val(rd, a, rc->address2));
    p->postcode = val(rd, a, rc->postcode);
    p->city = val(rd, a, rc->city);
    p->names = arena_printf(a, "%s|%s", folded(a, p->last), folded(a, p->first));
    p->line = csv_line(rd->csv);
    return p;
}

/* Whether a and b are both there and equal but for case. */
static bool same_ci(const char *a, const char *b)
{
    return a && b && !strcasecmp(a, b);
}

/* Whether x and y are surely one person: the same e-mail, mobile, or
 * address and postcode (or one of them has none of the three). */
static bool rel_same(struct arena *a, const struct rel *x, const struct rel *y)
{
    const char *mx = digits(a, x->mobile), *my = digits(a, y->mobile);
    bool idx = x->email || mx || x->address, idy = y->email || my || y->address;
    if (!idx || !idy) return true;
    return same_ci(x->email, y->email) || (mx && my && !strcmp(mx, my))
           || (x->address && same_ci(folded(a, x->address), folded(a, y->address ? y->address : ""))
               && same_ci(x->postcode ? x->postcode : "", y->postcode ? y->postcode : ""));
}

/* Fill what x lacks from y (the first row's values stay). */
static void rel_merge(struct reader *rd, struct rel *x, const struct rel *y)
{
    if (x->address && y->address && !same_ci(x->address, y->address))
        problem(rd, y->line, NULL, 'W', "%s %s : adresse différente de celle de la ligne %ld "
                "(même courriel ou portable) : celle de la ligne %ld est gardée", x->last,
                x->first ? x->first : "", x->line, x->line);
    const char **to[] = {&x->first, &x->civility, &x->email, &x->mobile, &x->phone, &x->address,
                         &x->postcode, &x->city};
    const char *const from[] = {y->first, y->civility, y->email, y->mobile, y->phone,
                                y->address, y->postcode, y->city};
    for (size_t i = 0; i < sizeof from / sizeof from[0]; i++)
        if (!*to[i]) *to[i] = from[i];
}

/* Add the relative p of a row with its children links[n]: merged into the
 * one already gathered that is surely the same person, else kept apart
 * (a namesake is noted, to be reported). */
static void rels_add(struct reader *rd, struct rels *rs, struct rel *p,
                     const struct imp_link *links, size_t n)
{
    struct rel *x = NULL;
    long homonym = 0;
    for (size_t i = 0; i < rs->n && !x; i++) {
        if (strcmp(rs->v[i]->names, p->names)) continue;
        if (rel_same(&rd->rec, rs->v[i], p)) x = rs->v[i];
        else if (!homonym) homonym = rs->v[i]->line;
    }
    if (x) {
        rel_merge(rd, x, p);
    } else {
        x = p;
        x->homonym = homonym;
        rs->v = arena_grow(&rd->a, rs->v, rs->n, &rs->cap, sizeof *rs->v);
        rs->v[rs->n++] = x;
    }
    for (size_t i = 0; i < n; i++) emit_child(&rd->a, &x->r, &links[i]);
}

/* The key of relative p ("NOM|PRENOM|" and the first of e-mail, mobile,
 * address and postcode), made unique in keys. In rd->a. */
static const char *rel_key(struct reader *rd, const struct rel *p, struct keymap *keys)
{
    struct arena *a = &rd->a;
    const char *id = p->email ? folded(a, p->email) : p->mobile ? digits(a, p->mobile) : NULL;
    if (!id && p->address)
        id = folded(a, arena_printf(a, "%s %s", p->address, p->postcode ? p->postcode : ""));
    const char *key = arena_printf(a, "%s|%s", p->names, id ? id : "");
    for (int n = 2; keymap_get(keys, key); n++) key = arena_printf(a, "%s|%s|%d", p->names,
                                                                     id ? id : "", n);
    keymap_put(keys, key);
    return key;
}

/* Send every relative gathered. 0, or -1 when the sink stops. */
static int rels_send(struct reader *rd, struct rels *rs)
{
    struct keymap keys;
    keymap_init(&keys);
    int rc = 0;
    for (size_t i = 0; i < rs->n && rc == 0; i++) {
        struct rel *p = rs->v[i];
        struct imp_record *r = &p->r;
        r->kind = IMP_RELATIVE;
        r->op = IMP_FULL;
        r->present = IMP_F_ALL;
        r->key = rel_key(rd, p, &keys);
        r->at = (struct imp_where){rd->path, p->line, r->key};
        r->name = p->last;
        r->first_name = p->first;
        r->civility = civility_of(p->civility, r->nchildren ? r->children[0].relation : NULL);
        r->email = p->email;
        r->phone = p->mobile ? p->mobile : p->phone;
        r->address = p->address;
        r->postcode = p->postcode;
        r->city = p->city;
        emit_digest(r);
        if (p->homonym)
            problem(rd, p->line, r->key, 'W', "mêmes nom et prénom que le responsable de la "
                    "ligne %ld mais d'autres coordonnées (lignes %ld et %ld) : deux fiches, "
                    "à rapprocher si c'est la même personne", p->homonym, p->homonym, p->line);
        rc = rd->sink->record(rd->sink->ctx, r);
    }
    keymap_free(&keys);
    return rc;
}

/* ---- the pupils' file ------------------------------------------------------ */

struct pupil_cols {
    int uai, school, school_city, last, usage, first, birth, sex, ine, level, cycle, klass;
    int address, address2, postcode, city;
    size_t nblocks;             /* responsables' blocks after the pupil's columns */
    struct rel_cols *blocks;
};

/* The columns of the pupils' file: the pupil's before the first block of
 * a responsable, then each block up to the next. */
static void pupil_cols_find(struct reader *rd, struct pupil_cols *pc)
{
    const struct csv *c = rd->csv;
    size_t cols = csv_columns(c), *start = arena_alloc(&rd->a, (cols + 1) * sizeof *start);
    size_t nb = 0;
    for (size_t i = 0; i < cols; i++)
        for (const char *const *n = N_RESP_ANCHOR; *n; n++)
            if (csv_same_name(csv_name(c, i), *n, true)) {
                start[nb++] = i;
                break;
            }
    size_t to = nb ? start[0] : cols;
    *pc = (struct pupil_cols){
        col(c, N_UAI, 0, to), col(c, N_SCHOOL, 0, to), col(c, N_SCHOOL_CITY, 0, to),
        col(c, N_PUPIL_LAST, 0, to), col(c, N_PUPIL_USAGE, 0, to), col(c, N_PUPIL_FIRST, 0, to),
        col(c, N_BIRTH, 0, to), col(c, N_SEX, 0, to), col(c, N_INE, 0, to),
        col(c, N_LEVEL, 0, to), col(c, N_CYCLE, 0, to), col(c, N_CLASS, 0, to),
        col(c, N_ADDRESS, 0, to), col(c, N_ADDRESS2, 0, to), col(c, N_POSTCODE, 0, to),
        col(c, N_CITY, 0, to), nb, arena_alloc(&rd->a, (nb + 1) * sizeof *pc->blocks)};
    for (size_t b = 0; b < nb; b++) {
        rel_cols_find(c, &pc->blocks[b], start[b], b + 1 < nb ? start[b + 1] : cols);
        pc->blocks[b].last = (int)start[b];
    }
}

/* Whether the pupils' file has what it needs (reported when not). */
static bool pupil_cols_ok(struct reader *rd, const struct pupil_cols *pc)
{
    if (pc->uai < 0 && !rd->file_uai[0]) {
        problem(rd, 1, NULL, 'E', "ni colonne « UAI école » ni UAI dans le nom du fichier : "
                "fichier refusé");
        return false;
    }
    return need(rd, pc->last, N_PUPIL_LAST) >= 0 && need(rd, pc->first, N_PUPIL_FIRST) >= 0
           && need(rd, pc->birth, N_BIRTH) >= 0 && need(rd, pc->klass, N_CLASS) >= 0;
}

/* The école levels in order, and how ONDE may write them. */
static const char *const level_order[] = {"PS", "MS", "GS", "CP", "CE1", "CE2", "CM1", "CM2"};
static const struct { const char *text, *code; } level_words[] = {
    {"TPS", "PS"}, {"TOUTEPETITESECTION", "PS"}, {"PETITESECTION", "PS"},
    {"MOYENNESECTION", "MS"}, {"GRANDESECTION", "GS"}};

/* The rank of a level text in level_order, or -1. */
static int level_rank(const char *text)
{
    char f[32];
    csv_fold(text, f, sizeof f, CSV_FOLD_NAME);
    const char *code = f;
    for (size_t i = 0; i < sizeof level_words / sizeof level_words[0]; i++)
        if (!strcmp(f, level_words[i].text)) code = level_words[i].code;
    for (size_t i = 0; i < sizeof level_order / sizeof level_order[0]; i++)
        if (!strcmp(code, level_order[i])) return (int)i;
    return -1;
}

struct klass {
    const char *label;
    int rank; /* the lowest level of its pupils, -1 unknown */
};

struct school {
    const char *uai, *name, *city;
    long line;
    struct klass *classes;
    size_t n, cap;
};

struct schools {
    struct school *v;
    size_t n, cap;
};

/* The école of uai, added at line when new. */
static struct school *school_of(struct reader *rd, struct schools *ss, const char *uai, long line)
{
    for (size_t i = 0; i < ss->n; i++)
        if (!strcmp(ss->v[i].uai, uai)) return &ss->v[i];
    ss->v = arena_grow(&rd->a, ss->v, ss->n, &ss->cap, sizeof *ss->v);
    ss->v[ss->n] = (struct school){.uai = uai, .line = line};
    return &ss->v[ss->n++];
}

/* Note class label at school s with a pupil of level rank. */
static void school_class(struct reader *rd, struct school *s, const char *label, int rank)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->classes[i].label, label)) {
            struct klass *k = &s->classes[i];
            if (rank >= 0 && (k->rank < 0 || rank < k->rank)) k->rank = rank;
            return;
        }
    s->classes = arena_grow(&rd->a, s->classes, s->n, &s->cap, sizeof *s->classes);
    s->classes[s->n++] = (struct klass){label, rank};
}

/* First pass: the écoles of the pupils' file and their classes. 0 or -1. */
static int schools_read(struct reader *rd, const struct pupil_cols *pc, struct schools *ss)
{
    int rc;
    while ((rc = csv_next(rd->csv)) == 1) {
        const char *uai = row_uai(rd, &rd->a, pc->uai);
        if (!uai) continue;
        struct school *s = school_of(rd, ss, uai, csv_line(rd->csv));
        if (!s->name) s->name = val(rd, &rd->a, pc->school);
        if (!s->city) s->city = val(rd, &rd->a, pc->school_city);
        const char *label = val(rd, &rd->a, pc->klass);
        if (label) school_class(rd, s, label, level_rank(val(rd, &rd->a, pc->level)));
    }
    return rc < 0 ? read_failed(rd) : 0;
}

/* qsort order of classes: by label. */
static int klass_order(const void *x, const void *y)
{
    return strcmp(((const struct klass *)x)->label, ((const struct klass *)y)->label);
}

/* Send the écoles, each with its classes (in label order, so that the
 * record does not change with the order of the rows). 0 or -1. */
static int schools_send(struct reader *rd, struct schools *ss)
{
    for (size_t i = 0; i < ss->n; i++) {
        struct school *s = &ss->v[i];
        struct imp_record r = {.kind = IMP_ESTABLISHMENT, .op = IMP_FULL, .key = s->uai,
                               .at = {rd->path, s->line, s->uai}, .present = IMP_F_ALL,
                               .uai = s->uai, .kind_text = "ECOLE", .name = s->name,
                               .city = s->city};
        if (!r.name) { /* a name for a new école; a known one keeps its own */
            r.name = arena_printf(&rd->a, "École %s", s->uai);
            r.present &= ~(unsigned)IMP_F_LABEL;
            problem(rd, s->line, s->uai, 'W', "nom de l'école absent : « %s » supposé", r.name);
        }
        qsort(s->classes, s->n, sizeof *s->classes, klass_order);
        for (size_t k = 0; k < s->n; k++) {
            int rank = s->classes[k].rank;
            emit_item(&rd->a, &r.classes, s->classes[k].label, rank >= 0 ? level_order[rank]
                                                                         : NULL, NULL);
        }
        emit_digest(&r);
        if (rd->sink->record(rd->sink->ctx, &r) < 0) return -1;
    }
    return 0;
}

/* Gather the responsables of the current row (blocks of the pupils' file)
 * with their link to the pupil key. */
static void pupil_rels(struct reader *rd, const struct pupil_cols *pc, struct rels *rs,
                       const char *key)
{
    for (size_t b = 0; b < pc->nblocks; b++) {
        struct rel *p = rel_read(rd, &pc->blocks[b]);
        if (!p) continue;
        struct imp_link l = link_of(rd, &pc->blocks[b], NULL, arena_strdup(&rd->a, key));
        rels_add(rd, rs, p, &l, 1);
    }
}

/* The pupil of the current row into r (in rd->rec). False (reported) when
 * the row names no pupil that can be keyed. */
static bool pupil_read(struct reader *rd, const struct pupil_cols *pc, struct imp_record *r)
{
    struct arena *a = &rd->rec;
    long line = csv_line(rd->csv);
    const char *last = val(rd, a, pc->last), *first = val(rd, a, pc->first);
    const char *birth = val(rd, a, pc->birth), *uai = row_uai(rd, a, pc->uai);
    char iso[11];
    if (!last || !first) {
        problem(rd, line, NULL, 'E', "nom ou prénom de l'élève absent : ligne ignorée");
        return false;
    }
    const char *names = arena_printf(a, "%s|%s", folded(a, last), folded(a, first));
    if (!emit_date(birth, iso)) {
        problem(rd, line, names, 'E', "%s %s : date de naissance %s « %s » (jj/mm/aaaa attendu) :"
                " élève ignoré", last, first, birth ? "illisible" : "absente", birth ? birth : "");
        return false;
    }
    const char *key = arena_printf(a, "%s|%s", names, iso);
    if (!uai) {
        problem(rd, line, key, 'E', "UAI de l'école absent : élève ignoré");
        return false;
    }
    const char *usage = val(rd, a, pc->usage), *klass = val(rd, a, pc->klass);
    *r = (struct imp_record){.kind = IMP_PUPIL, .op = IMP_FULL, .key = key,
                             .at = {rd->path, line, key}, .present = IMP_F_ALL & ~IMP_F_LINKS,
                             .name = usage ? usage : last, .first_name = first,
                             .birth_date = arena_strdup(a, iso),
                             .civility = sex_civility(val(rd, a, pc->sex)),
                             .ine = val(rd, a, pc->ine), .level = val(rd, a, pc->level),
                             .attach = uai, .postcode = val(rd, a, pc->postcode),
                             .city = val(rd, a, pc->city)};
    r->address = address_of(a, val(rd, a, pc->address), val(rd, a, pc->address2));
    if (klass) emit_item(a, &r->classes, uai, klass, NULL);
    const char *cycle = val(rd, a, pc->cycle);
    if (!r->level && pc->level >= 0)
        problem(rd, line, key, 'W', "niveau absent%s%s%s : celui de la classe est supposé",
                cycle ? " (cycle " : "", cycle ? cycle : "", cycle ? ")" : "");
    return true;
}

/* Second pass, one row: its pupil sent (the first time the pupil is met),
 * its responsables gathered. 0, or -1 when the sink stops. */
static int pupil_row(struct reader *rd, const struct pupil_cols *pc, struct rels *rs,
                     struct keymap *seen)
{
    arena_free(&rd->rec);
    arena_init(&rd->rec);
    row_checks(rd);
    struct imp_record r;
    if (!pupil_read(rd, pc, &r)) return 0;
    emit_digest(&r);
    pupil_rels(rd, pc, rs, r.key);
    struct keymap_entry *x = keymap_get(seen, r.key);
    if (x) {
        if (strcmp(x->digest, r.digest))
            problem(rd, r.at.line, r.key, 'W', "élève déjà lu ligne %lld, avec d'autres données :"
                    " cette ligne ne compte que pour ses responsables", (long long)x->id);
        return 0;
    }
    x = keymap_put(seen, r.key);
    x->id = r.at.line;
    snprintf(x->digest, sizeof x->digest, "%s", r.digest);
    return rd->sink->record(rd->sink->ctx, &r);
}

/* The pupils' file: écoles, pupils, then the responsables it lists. */
static int pupils_read(struct reader *rd)
{
    struct pupil_cols pc;
    struct schools ss = {0};
    if (open_csv(rd) < 0) return -1;
    pupil_cols_find(rd, &pc);
    if (!pupil_cols_ok(rd, &pc) || schools_read(rd, &pc, &ss) < 0 || schools_send(rd, &ss) < 0)
        return -1;
    csv_close(rd->csv);
    if (open_csv(rd) < 0) return -1;
    struct rels rs = {0};
    struct keymap seen;
    keymap_init(&seen);
    int rc;
    while ((rc = csv_next(rd->csv)) == 1)
        if (pupil_row(rd, &pc, &rs, &seen) < 0) break;
    keymap_free(&seen);
    if (rc < 0) return read_failed(rd);
    if (rc == 1) return -1;
    encoding_note(rd);
    return rels_send(rd, &rs);
}

/* ---- the responsables' file ------------------------------------------------- */

struct child_block {
    int last, first, birth;
    struct rel_cols cols; /* relation, legal… of the block */
};

struct relative_cols {
    struct rel_cols rel;
    size_t nchildren;
    struct child_block *children;
};

/* The columns of the responsables' file: the relative's before the first
 * child's block, then each child's block up to the next. */
static void relative_cols_find(struct reader *rd, struct relative_cols *rc)
{
    const struct csv *c = rd->csv;
    size_t cols = csv_columns(c), *start = arena_alloc(&rd->a, (cols + 1) * sizeof *start);
    size_t nb = 0;
    for (size_t i = 0; i < cols; i++)
        for (const char *const *n = N_CHILD_LAST; *n; n++)
            if (csv_same_name(csv_name(c, i), *n, true)) {
                start[nb++] = i;
                break;
            }
    rel_cols_find(c, &rc->rel, 0, nb ? start[0] : cols);
    rc->nchildren = nb;
    rc->children = arena_alloc(&rd->a, (nb + 1) * sizeof *rc->children);
    for (size_t b = 0; b < nb; b++) {
        size_t from = start[b], to = b + 1 < nb ? start[b + 1] : cols;
        struct child_block *k = &rc->children[b];
        k->last = (int)from;
        k->first = col(c, N_CHILD_FIRST, from, to);
        k->birth = col(c, N_CHILD_BIRTH, from, to);
        rel_cols_find(c, &k->cols, from, to);
    }
}

/* The key of the child of block k on the current row, in rd->a; NULL when
 * the block is empty (a ragged row) or incomplete (reported). */
static const char *child_key(struct reader *rd, const struct child_block *k, size_t n)
{
    struct arena *a = &rd->rec;
    const char *last = val(rd, a, k->last), *first = val(rd, a, k->first);
    const char *birth = val(rd, a, k->birth);
    char iso[11];
    if (!last && !first && !birth) return NULL;
    if (!last || !first || !emit_date(birth, iso)) {
        problem(rd, csv_line(rd->csv), NULL, 'W', "enfant n° %zu (%s %s) : nom, prénom ou date de "
                "naissance (jj/mm/aaaa) manquant ou illisible « %s » : lien ignoré", n,
                last ? last : "?", first ? first : "?", birth ? birth : "");
        return NULL;
    }
    return arena_printf(&rd->a, "%s|%s|%s", folded(a, last), folded(a, first), iso);
}

/* One row of the responsables' file, gathered. */
static void relative_row(struct reader *rd, const struct relative_cols *rc, struct rels *rs)
{
    arena_free(&rd->rec);
    arena_init(&rd->rec);
    row_checks(rd);
    struct rel *p = rel_read(rd, &rc->rel);
    if (!p) {
        problem(rd, csv_line(rd->csv), NULL, 'E', "nom du responsable absent : ligne ignorée");
        return;
    }
    struct imp_link *links = arena_alloc(&rd->a, (rc->nchildren + 1) * sizeof *links);
    size_t n = 0;
    for (size_t b = 0; b < rc->nchildren; b++) {
        const char *key = child_key(rd, &rc->children[b], b + 1);
        if (key) links[n++] = link_of(rd, &rc->rel, &rc->children[b].cols, key);
    }
    if (!n) {
        problem(rd, p->line, NULL, 'W', "%s %s : aucun enfant lisible sur la ligne : ignorée",
                p->last, p->first ? p->first : "");
        return;
    }
    rels_add(rd, rs, p, links, n);
}

/* The responsables' file: rows gathered, relatives sent at the end. 0 or
 * -1 (reported). Allocates in rd->a. */
static int relatives_read(struct reader *rd)
{
    struct relative_cols rc;
    if (open_csv(rd) < 0) return -1;
    relative_cols_find(rd, &rc);
    if (need(rd, rc.rel.last, N_RESP_LAST) < 0) return -1;
    if (!rc.nchildren) {
        problem(rd, 1, NULL, 'E', "aucune colonne « %s » : les enfants des responsables ne "
                "peuvent être lus, fichier refusé", N_CHILD_LAST[0]);
        return -1;
    }
    struct rels rs = {0};
    int rc2;
    while ((rc2 = csv_next(rd->csv)) == 1) relative_row(rd, &rc, &rs);
    if (rc2 < 0) return read_failed(rd);
    encoding_note(rd);
    return rels_send(rd, &rs);
}

/* ---- the teachers' file ----------------------------------------------------- */

struct teacher_cols {
    int uai, last, usage, first, civility, birth, email, director, function;
    size_t nclasses;
    int *classes; /* every class column ("Classe", "Classe 2"…) */
};

/* Find the columns of the teachers' file, every class column among them
 * (in rd->a). */
static void teacher_cols_find(struct reader *rd, struct teacher_cols *tc)
{
    const struct csv *c = rd->csv;
    size_t cols = csv_columns(c);
    *tc = (struct teacher_cols){
        col(c, N_UAI, 0, cols), col(c, N_TEACHER_LAST, 0, cols),
        col(c, N_TEACHER_USAGE, 0, cols), col(c, N_TEACHER_FIRST, 0, cols),
        col(c, N_CIVILITY, 0, cols), col(c, N_BIRTH, 0, cols), col(c, N_EMAIL, 0, cols),
        col(c, N_DIRECTOR, 0, cols), col(c, N_FUNCTION, 0, cols), 0,
        arena_alloc(&rd->a, (cols + 1) * sizeof *tc->classes)};
    for (size_t i = 0; i < cols; i++)
        for (const char *const *n = N_CLASS; *n; n++)
            if (csv_same_name(csv_name(c, i), *n, true)) {
                tc->classes[tc->nclasses++] = (int)i;
                break;
            }
}

struct teachers {
    struct imp_record **v;
    size_t n, cap;
    struct keymap keys; /* key → index + 1 in v */
};

/* The teacher of key, added (from the row's identity) when new. */
static struct imp_record *teacher_of(struct reader *rd, struct teachers *ts, const char *key,
                                     const char *uai)
{
    struct keymap_entry *x = keymap_get(&ts->keys, key);
    if (x) return ts->v[x->id - 1];
    struct imp_record *r = arena_alloc(&rd->a, sizeof *r);
    *r = (struct imp_record){.kind = IMP_STAFF, .op = IMP_FULL, .key = key,
                             .at = {rd->path, csv_line(rd->csv), key}, .present = IMP_F_ALL,
                             .attach = uai};
    ts->v = arena_grow(&rd->a, ts->v, ts->n, &ts->cap, sizeof *ts->v);
    ts->v[ts->n++] = r;
    keymap_put(&ts->keys, key)->id = (int64_t)ts->n;
    return r;
}

/* What the row's function and director cells say: *director, *teaches. */
static void teacher_function(struct reader *rd, const struct teacher_cols *tc, bool *director,
                             bool *teaches)
{
    const char *d = val(rd, &rd->rec, tc->director), *f = val(rd, &rd->rec, tc->function);
    char t[64];
    csv_fold(f, t, sizeof t, CSV_FOLD_KEY);
    *director = (d && yes(d)) || (f && strstr(t, "DIRECT"));
    *teaches = f && (strstr(t, "ENSEIGN") || strstr(t, "ADJOINT") || strstr(t, "TITULAIRE")
                     || strstr(t, "PROFESSEUR") || strstr(t, "MAITRE") || strstr(t, "CHARGE"));
}

/* The identity of the current row into r when r is new (first row). */
static void teacher_identity(struct reader *rd, const struct teacher_cols *tc,
                             struct imp_record *r, const char *last, const char *first)
{
    struct arena *a = &rd->a;
    if (r->name) return;
    const char *usage = val(rd, a, tc->usage), *birth = val(rd, a, tc->birth);
    char iso[11];
    r->name = usage ? usage : arena_strdup(a, last);
    r->first_name = arena_strdup(a, first);
    r->civility = civility_of(val(rd, a, tc->civility), NULL);
    r->email = val(rd, a, tc->email);
    if (birth && emit_date(birth, iso)) r->birth_date = arena_strdup(a, iso);
    else if (birth)
        problem(rd, r->at.line, r->key, 'W', "date de naissance illisible « %s » : ignorée", birth);
}

/* One row of the teachers' file, gathered into ts. */
static void teacher_row(struct reader *rd, const struct teacher_cols *tc, struct teachers *ts)
{
    arena_free(&rd->rec);
    arena_init(&rd->rec);
    row_checks(rd);
    long line = csv_line(rd->csv);
    const char *last = val(rd, &rd->rec, tc->last), *first = val(rd, &rd->rec, tc->first);
    if (!last) last = val(rd, &rd->rec, tc->usage);
    if (!last || !first) {
        problem(rd, line, NULL, 'E', "nom ou prénom de l'enseignant absent : ligne ignorée");
        return;
    }
    const char *uai = row_uai(rd, &rd->a, tc->uai), *email = val(rd, &rd->rec, tc->email);
    const char *key = arena_printf(&rd->a, "%s|%s%s%s", folded(&rd->rec, last),
                                   folded(&rd->rec, first), email ? "|" : "",
                                   email ? folded(&rd->rec, email) : "");
    if (!uai) {
        problem(rd, line, key, 'E', "UAI de l'école absent : enseignant ignoré");
        return;
    }
    struct imp_record *r = teacher_of(rd, ts, key, uai);
    teacher_identity(rd, tc, r, last, first);
    bool director, teaches;
    teacher_function(rd, tc, &director, &teaches);
    for (size_t i = 0; i < tc->nclasses; i++) {
        const char *k = val(rd, &rd->a, tc->classes[i]);
        if (k) emit_item(&rd->a, &r->teach_classes, uai, k, ONDE_SUBJECT);
        teaches = teaches || k;
    }
    if (teaches)
        emit_function(&rd->a, r, &(struct imp_function){uai, "ENS", ONDE_SUBJECT,
                                                        ONDE_SUBJECT_NAME});
    if (director)
        emit_function(&rd->a, r, &(struct imp_function){uai, "DIR", "DIR", "Direction d'école"});
}

/* Send the subject every teacher teaches, then the teachers. 0 or -1. */
static int teachers_send(struct reader *rd, struct teachers *ts)
{
    struct imp_record s = {.kind = IMP_SUBJECT, .op = IMP_FULL, .key = ONDE_SUBJECT,
                           .at = {rd->path, 1, ONDE_SUBJECT}, .present = IMP_F_ALL,
                           .name = ONDE_SUBJECT_NAME};
    emit_digest(&s);
    if (ts->n && rd->sink->record(rd->sink->ctx, &s) < 0) return -1;
    for (size_t i = 0; i < ts->n; i++) {
        struct imp_record *r = ts->v[i];
        if (!r->nfunctions) {
            problem(rd, r->at.line, r->key, 'W', "ni classe ni fonction : enseignant supposé");
            emit_function(&rd->a, r, &(struct imp_function){r->attach, "ENS", ONDE_SUBJECT,
                                                            ONDE_SUBJECT_NAME});
        }
        emit_digest(r);
        if (rd->sink->record(rd->sink->ctx, r) < 0) return -1;
    }
    return 0;
}

/* The teachers' file: rows gathered by teacher, sent at the end. 0 or -1
 * (reported). Allocates in rd->a. */
static int teachers_read(struct reader *rd)
{
    struct teacher_cols tc;
    if (open_csv(rd) < 0) return -1;
    teacher_cols_find(rd, &tc);
    if (tc.uai < 0 && !rd->file_uai[0]) {
        problem(rd, 1, NULL, 'E', "ni colonne « UAI école » ni UAI dans le nom du fichier : "
                "fichier refusé");
        return -1;
    }
    if (need(rd, tc.last < 0 ? tc.usage : tc.last, N_TEACHER_LAST) < 0
        || need(rd, tc.first, N_TEACHER_FIRST) < 0)
        return -1;
    struct teachers ts = {0};
    keymap_init(&ts.keys);
    int rc;
    while ((rc = csv_next(rd->csv)) == 1) teacher_row(rd, &tc, &ts);
    rc = rc < 0 ? read_failed(rd) : (encoding_note(rd), teachers_send(rd, &ts));
    keymap_free(&ts.keys);
    return rc;
}

/* ---- the files -------------------------------------------------------------- */

/* Whether c is an ASCII letter or digit. */
static bool alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A UAI (7 digits and a letter, alone) in a file's base name, into uai
 * (upper case), or "". */
static void uai_in_name(const char *base, char uai[9])
{
    uai[0] = 0;
    for (const char *p = base; *p; p++) {
        int d = 0;
        while (d < 7 && p[d] >= '0' && p[d] <= '9') d++;
        if ((p > base && alnum(p[-1])) || d != 7 || !alnum(p[7]) || (p[7] >= '0' && p[7] <= '9')
            || alnum(p[8]))
            continue;
        memcpy(uai, p, 8);
        if (uai[7] >= 'a') uai[7] = (char)(uai[7] - 'a' + 'A');
        uai[8] = 0;
        return;
    }
}

/* The file name of path, without its directories. */
static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* Tell an ONDE file by its name (imp_reader.classify). No allocation. */
static bool onde_classify(struct imp_file *f, char *why, size_t whylen)
{
    const char *base = base_name(f->path);
    size_t n = strlen(base);
    char fold[256];
    csv_fold(base, fold, sizeof fold, CSV_FOLD_NAME);
    int type = strstr(fold, "RESPONSABLE")                              ? ONDE_RELATIVES
               : strstr(fold, "ENSEIGNANT") || strstr(fold, "PROFESSEUR") ? ONDE_TEACHERS
               : strstr(fold, "ELEVE")                                   ? ONDE_PUPILS
                                                                         : -1;
    if (n < 4 || strcasecmp(base + n - 4, ".csv") || type < 0) {
        snprintf(why, whylen, "nom de fichier ONDE non reconnu (CSVExtraction-eleves….csv, "
                 "CSVExtraction-enseignants….csv ou CSVExtraction-responsables….csv attendu)");
        return false;
    }
    static const enum imp_kind kinds[] = {IMP_PUPIL, IMP_STAFF, IMP_RELATIVE};
    f->type = type;
    f->kind = kinds[type];
    f->order = type; /* pupils (and écoles), teachers, then the responsables naming pupils */
    f->delta = false;
    f->date = 0;
    f->batch = 0;
    return true;
}

/* Read an ONDE file into sink (imp_reader.read). Its arenas are freed
 * before it returns. */
static int onde_read(const struct imp_file *f, struct imp_sink *sink)
{
    struct reader rd = {.path = f->path, .sink = sink};
    uai_in_name(base_name(f->path), rd.file_uai);
    arena_init(&rd.a);
    arena_init(&rd.rec);
    int rc = f->type == ONDE_PUPILS    ? pupils_read(&rd)
             : f->type == ONDE_TEACHERS ? teachers_read(&rd)
                                        : relatives_read(&rd);
    csv_close(rd.csv);
    arena_free(&rd.a);
    arena_free(&rd.rec);
    return rc;
}

const struct imp_reader onde_reader = {"onde", onde_classify, onde_read};
