/* siecle.c — the SIECLE reader: the exports an establishment without an
 * AAF feed takes from SIECLE (BEE), turned into normalised records.
 *
 *   Nomenclature.xml               BEE_NOMENCLATURES: MEF and subjects;
 *   ElevesSansAdresses.xml,
 *   ElevesAvecAdresses.xml         BEE_ELEVES: the establishment (UAJ), its
 *                                  pupils, their divisions and groups;
 *   ResponsablesAvecAdresses.xml   BEE_RESPONSABLES: the relatives, their
 *                                  links to the pupils, their addresses;
 * read in this order (the relatives name the pupils, the pupils their MEF).
 *
 * A file's parts refer to one another (STRUCTURES come after ELEVES,
 * ADRESSES after PERSONNES), so a file is gathered whole — each element of
 * a collection with its leaves and the leaves of its sub-elements — and
 * then sent: a file that is cut or malformed sends nothing. Keys: the UAJ,
 * ELEVE_ID, PERSONNE_ID, CODE_MEF, CODE_MATIERE.
 *
 * Before parsing, the bytes are looked at (xml_sniff): a file that declares
 * a one-byte encoding (ISO-8859-15…) but is written in UTF-8 is read as
 * UTF-8 (and said); an encoding libxml2 does not know refuses the file. */
#include "csv.h"
#include "emit.h"
#include "keymap.h"
#include "nomenclature.h"
#include "reader.h"
#include "xml.h"
#include "../core/arena.h"
#include "../core/clock.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum siecle_type { SIECLE_NOMENCLATURE, SIECLE_PUPILS, SIECLE_RELATIVES };

/* ---- a file gathered ------------------------------------------------------- */

struct kv {
    const char *name, *value; /* value NULL when empty */
};

/* An element of a collection (ELEVE, PERSONNE…) or one of its sub-elements
 * (STRUCTURE, ADRESSE): its id attribute, line and leaves. */
struct ent {
    const char *name, *id;
    long line;
    struct kv *kv;
    size_t n, cap;
    struct ent *sub;
    size_t nsub, subcap;
};

struct ents {
    struct ent **v;
    size_t n, cap;
};

enum coll { C_ELEVES, C_STRUCTURES, C_ADRESSES, C_PERSONNES, C_RESPONSABLES, C_MEFS,
            C_MATIERES, C_COUNT };

/* Each collection of DONNEES: its element and that element's id attribute. */
static const struct { const char *coll, *item, *id; } colls[C_COUNT] = {
    [C_ELEVES] = {"ELEVES", "ELEVE", "ELEVE_ID"},
    [C_STRUCTURES] = {"STRUCTURES", "STRUCTURES_ELEVE", "ELEVE_ID"},
    [C_ADRESSES] = {"ADRESSES", "ADRESSE", "ADRESSE_ID"},
    [C_PERSONNES] = {"PERSONNES", "PERSONNE", "PERSONNE_ID"},
    [C_RESPONSABLES] = {"RESPONSABLES", "RESPONSABLE_ELEVE", "PERSONNE_ID"},
    [C_MEFS] = {"MEFS", "MEF", "CODE_MEF"},
    [C_MATIERES] = {"MATIERES", "MATIERE", "CODE_MATIERE"},
};

struct doc {
    const char *root;
    struct ent params; /* PARAMETRES */
    struct ents c[C_COUNT];
};

struct reader {
    const char *path;
    struct imp_sink *sink;
    struct xml_in in;
    struct arena a;   /* the file gathered */
    struct arena rec; /* the record being sent */
    char today[11];
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

/* The value of e's first leaf named name that has one, or NULL. */
static const char *get(const struct ent *e, const char *name)
{
    for (size_t i = 0; e && i < e->n; i++)
        if (e->kv[i].value && !strcmp(e->kv[i].name, name)) return e->kv[i].value;
    return NULL;
}

/* e's sub-element named name, or NULL. */
static const struct ent *sub_of(const struct ent *e, const char *name)
{
    for (size_t i = 0; i < e->nsub; i++)
        if (!strcmp(e->sub[i].name, name)) return &e->sub[i];
    return NULL;
}

/* e's id: its attribute, else a leaf of that name. */
static const char *id_of(const struct ent *e, const char *name)
{
    return e->id ? e->id : get(e, name);
}

/* Add the leaf (name, value) to e, in a (an empty value kept as NULL). */
static void kv_add(struct arena *a, struct ent *e, const char *name, const char *value)
{
    e->kv = arena_grow(a, e->kv, e->n, &e->cap, sizeof *e->kv);
    e->kv[e->n++] = (struct kv){arena_strdup(a, name), value && *value ? value : NULL};
}

/* ---- the walk --------------------------------------------------------------- */

struct walk {
    bool params;     /* in PARAMETRES */
    int coll;        /* the DONNEES collection open (-1: none of ours) */
    struct ent *cur; /* its element open */
    size_t sub;      /* index + 1 of cur's sub-element open (0: none yet) */
    const char *child; /* the name of cur's child open */
};

/* The collection of DONNEES named name, or -1. */
static int coll_of(const char *name)
{
    for (int i = 0; i < C_COUNT; i++)
        if (!strcmp(colls[i].coll, name)) return i;
    return -1;
}

/* A new element of collection k, opened at the current node. */
static struct ent *ent_open(struct reader *rd, struct doc *doc, int k)
{
    struct ents *l = &doc->c[k];
    struct ent *e = arena_alloc(&rd->a, sizeof *e);
    e->name = colls[k].item;
    e->id = xml_attr(&rd->in, &rd->a, colls[k].id);
    e->line = xml_line(&rd->in);
    l->v = arena_grow(&rd->a, l->v, l->n, &l->cap, sizeof *l->v);
    l->v[l->n++] = e;
    return e;
}

/* A leaf at depth 5: into the sub-element of cur open (made at its first leaf). */
static void sub_leaf(struct reader *rd, struct walk *w, const char *name)
{
    struct ent *e = w->cur;
    if (!w->sub) {
        e->sub = arena_grow(&rd->a, e->sub, e->nsub, &e->subcap, sizeof *e->sub);
        e->sub[e->nsub++] = (struct ent){.name = w->child, .line = xml_line(&rd->in)};
        w->sub = e->nsub;
    }
    kv_add(&rd->a, &e->sub[w->sub - 1], name, xml_text(&rd->in, &rd->a));
}

/* An element opening at depth d. */
static void on_element(struct reader *rd, struct doc *doc, struct walk *w, int d)
{
    const char *name = xml_name(&rd->in);
    if (d <= 1) {
        if (d == 0) doc->root = arena_strdup(&rd->a, name);
        w->params = d == 1 && !strcmp(name, "PARAMETRES");
        if (w->params) doc->params.line = xml_line(&rd->in);
        w->coll = -1;
        w->cur = NULL;
        return;
    }
    if (w->params) {
        const char *v = xml_text(&rd->in, &rd->a), *code = xml_attr(&rd->in, &rd->a, "CODE");
        if (d == 2) kv_add(&rd->a, &doc->params, name, *v ? v : code);
        return;
    }
    if (d == 2) {
        w->coll = coll_of(name);
        w->cur = NULL;
    } else if (d == 3 && w->coll >= 0) {
        w->cur = strcmp(name, colls[w->coll].item) ? NULL : ent_open(rd, doc, w->coll);
    } else if (d == 4 && w->cur) {
        kv_add(&rd->a, w->cur, name, xml_text(&rd->in, &rd->a));
        w->child = w->cur->kv[w->cur->n - 1].name;
        w->sub = 0;
    } else if (d == 5 && w->cur) {
        sub_leaf(rd, w, name);
    }
}

/* Gather the file into doc. 0, or -1 when it is not well-formed (reported). */
static int walk(struct reader *rd, struct doc *doc)
{
    struct walk w = {.coll = -1};
    int rc;
    while ((rc = xml_next(&rd->in)) == 1)
        if (xml_type(&rd->in) == XML_READER_TYPE_ELEMENT)
            on_element(rd, doc, &w, xml_depth(&rd->in));
    if (rc == 0) return 0;
    problem(rd, rd->in.error_line, NULL, 'E', "%s", rd->in.error);
    return -1;
}

/* Whether an encoding name is one of several bytes per character. */
static bool multibyte(const char *enc)
{
    return !strncasecmp(enc, "UTF", 3) || !strncasecmp(enc, "UCS", 3);
}

/* Open the file, with the encoding its bytes call for. 0 or -1 (reported). */
static int open_xml(struct reader *rd)
{
    struct xml_sniff s;
    if (xml_sniff(rd->path, &s) < 0) {
        problem(rd, 0, NULL, 'E', "fichier illisible");
        return -1;
    }
    if (!s.known) {
        problem(rd, 1, NULL, 'E', "encodage « %s » inconnu : fichier refusé", s.declared);
        return -1;
    }
    const char *enc = NULL;
    if (s.declared[0] && !multibyte(s.declared) && s.non_ascii && s.utf8) {
        problem(rd, 1, NULL, 'W', "encodage déclaré %s%s mais contenu en UTF-8 : lu en UTF-8",
                s.declared, s.bom ? " (avec une marque d'ordre UTF-8)" : "");
        enc = "UTF-8";
    }
    if (xml_open(&rd->in, rd->path, enc) == 0) return 0;
    problem(rd, 0, NULL, 'E', "%s", rd->in.error);
    return -1;
}

/* Index entries of list l by their id (name): id → index + 1 in map. */
static void index_by(struct keymap *map, const struct ents *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++) {
        const char *id = id_of(l->v[i], name);
        if (id && !keymap_get(map, id)) keymap_put(map, id)->id = (int64_t)i + 1;
    }
}

/* The entry of l whose id is id (index made by index_by), or NULL. */
static const struct ent *by_id(const struct keymap *map, const struct ents *l, const char *id)
{
    struct keymap_entry *x = id ? keymap_get(map, id) : NULL;
    return x ? l->v[x->id - 1] : NULL;
}

/* ---- pieces of records ------------------------------------------------------- */

/* dd/mm/yyyy as YYYY-MM-DD in a, NULL when absent (*bad when unreadable). */
static const char *date_of(struct arena *a, const char *v, bool *bad)
{
    char iso[11];
    *bad = false;
    if (!v) return NULL;
    if (emit_date(v, iso)) return arena_strdup(a, iso);
    *bad = true;
    return NULL;
}

/* An address element's lines joined by line breaks into r, with postcode,
 * city, and the country when it is not France. */
static void address_into(struct arena *a, const struct ent *ad, struct imp_record *r)
{
    static const char *const lines[] = {"LIGNE1_ADRESSE", "LIGNE2_ADRESSE", "LIGNE3_ADRESSE",
                                        "LIGNE4_ADRESSE"};
    char *s = NULL;
    for (size_t i = 0; ad && i < sizeof lines / sizeof lines[0]; i++) {
        const char *l = get(ad, lines[i]);
        if (l) s = s ? arena_printf(a, "%s\n%s", s, l) : arena_strdup(a, l);
    }
    const char *country = get(ad, "LL_PAYS");
    if (country && strcasecmp(country, "FRANCE"))
        s = s ? arena_printf(a, "%s\n%s", s, country) : arena_strdup(a, country);
    r->address = s;
    r->postcode = get(ad, "CODE_POSTAL");
    r->city = get(ad, "LIBELLE_POSTAL");
    if (!r->city) r->city = get(ad, "LL_COMMUNE_INSEE");
}

/* The address of e: its own ADRESSE element, or the one its ADRESSE_ID names. */
static const struct ent *address_of(const struct ent *e, const struct keymap *map,
                                    const struct ents *addresses)
{
    const struct ent *ad = sub_of(e, "ADRESSE");
    return ad ? ad : by_id(map, addresses, get(e, "ADRESSE_ID"));
}

/* A family name: NOM_USAGE if there is one, else NOM_DE_FAMILLE. */
static const char *last_name(const struct ent *e)
{
    const char *n = get(e, "NOM_USAGE");
    return n ? n : get(e, "NOM_DE_FAMILLE");
}

/* ---- Nomenclature.xml ----------------------------------------------------------- */

/* Send a MEF or a subject of e (kind k). 0 or -1 when the sink stops. */
static int nomenclature_one(struct reader *rd, const struct ent *e, enum imp_kind k)
{
    const char *code = id_of(e, k == IMP_MEF ? "CODE_MEF" : "CODE_MATIERE");
    if (!code) {
        problem(rd, e->line, NULL, 'E', "%s sans code : ignorée", k == IMP_MEF ? "MEF" : "matière");
        return 0;
    }
    struct imp_record r = {.kind = k, .op = IMP_FULL, .key = code, .at = {rd->path, e->line, code},
                           .present = IMP_F_ALL, .name = get(e, "LIBELLE_LONG")};
    if (!r.name) r.name = get(e, "LIBELLE_EDITION");
    if (!r.name) r.name = get(e, k == IMP_MEF ? "FORMATION" : "LIBELLE_COURT");
    if (k == IMP_MEF) r.mef = get(e, "MEF_RATTACHEMENT");
    emit_digest(&r);
    return rd->sink->record(rd->sink->ctx, &r);
}

/* Send the MEF, then the subjects. 0 or -1 when the sink stops. */
static int nomenclature_send(struct reader *rd, const struct doc *doc)
{
    for (size_t i = 0; i < doc->c[C_MEFS].n; i++)
        if (nomenclature_one(rd, doc->c[C_MEFS].v[i], IMP_MEF) < 0) return -1;
    for (size_t i = 0; i < doc->c[C_MATIERES].n; i++)
        if (nomenclature_one(rd, doc->c[C_MATIERES].v[i], IMP_SUBJECT) < 0) return -1;
    return 0;
}

/* ---- ElevesSansAdresses.xml / ElevesAvecAdresses.xml ----------------------------- */

/* The indexes of an Eleves file. */
struct pupil_ix {
    const char *uaj;
    struct keymap structures, addresses, ines;
};

/* Whether a structure code names the pseudo-class of pupils who left. */
static bool pseudo_class(const char *code)
{
    static const char *const words[] = {"SORTANT", "SORTI", "INACTIF", "RADIE", "DEPART"};
    char f[64];
    csv_fold(code, f, sizeof f, CSV_FOLD_NAME);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strstr(f, words[i])) return true;
    return false;
}

/* The level a MEF code's first three digits tell (collège, voie générale
 * et technologique), or NULL. */
static const char *mef_level(const char *mef)
{
    static const struct { const char *prefix, *level; } map[] = {
        {"100", "6E"}, {"101", "5E"}, {"102", "4E"}, {"103", "3E"},
        {"200", "2NDE"}, {"201", "1ERE"}, {"202", "TLE"}};
    for (size_t i = 0; mef && i < sizeof map / sizeof map[0]; i++)
        if (!strncmp(mef, map[i].prefix, 3)) return map[i].level;
    return NULL;
}

/* A structure code of an establishment and the level of its pupils. */
struct code {
    const char *code, *level;
};

struct codes {
    struct code *v;
    size_t n, cap;
};

/* Add code to l; its level is the first its pupils' MEF tell. */
static void code_add(struct arena *a, struct codes *l, const char *code, const char *level)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].code, code)) {
            if (!l->v[i].level) l->v[i].level = level;
            return;
        }
    l->v = arena_grow(a, l->v, l->n, &l->cap, sizeof *l->v);
    l->v[l->n++] = (struct code){code, level};
}

/* qsort order of structure codes. */
static int code_order(const void *x, const void *y)
{
    return strcmp(((const struct code *)x)->code, ((const struct code *)y)->code);
}

/* The divisions and groups of the file (sorted, so that the record does
 * not change with the order of the pupils), pseudo-classes reported. */
static void structures_of(struct reader *rd, const struct doc *doc, struct codes *classes,
                          struct codes *groups)
{
    struct keymap mefs;
    keymap_init(&mefs);
    index_by(&mefs, &doc->c[C_ELEVES], "ELEVE_ID");
    for (size_t i = 0; i < doc->c[C_STRUCTURES].n; i++) {
        const struct ent *s = doc->c[C_STRUCTURES].v[i];
        const struct ent *pupil = by_id(&mefs, &doc->c[C_ELEVES], id_of(s, "ELEVE_ID"));
        const char *level = mef_level(get(pupil, "CODE_MEF"));
        for (size_t k = 0; k < s->nsub; k++) {
            const char *code = get(&s->sub[k], "CODE_STRUCTURE");
            const char *type = get(&s->sub[k], "TYPE_STRUCTURE");
            if (!code || !type || pseudo_class(code)) continue;
            if (!strcmp(type, "D")) code_add(&rd->a, classes, code, level);
            else if (!strcmp(type, "G")) code_add(&rd->a, groups, code, NULL);
        }
    }
    keymap_free(&mefs);
    qsort(classes->v, classes->n, sizeof *classes->v, code_order);
    qsort(groups->v, groups->n, sizeof *groups->v, code_order);
}

/* The establishment's name (DENOM_PRINC and DENOM_COMPL, or a name element
 * of PARAMETRES), in a; NULL when the file gives none. */
static const char *est_name(struct arena *a, const struct ent *params)
{
    const char *p = get(params, "DENOM_PRINC"), *c = get(params, "DENOM_COMPL");
    if (p) return c ? arena_printf(a, "%s %s", p, c) : p;
    static const char *const names[] = {"NOM_UAJ", "LIBELLE_UAJ", "NOM_ETABLISSEMENT",
                                        "DENOMINATION"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if ((p = get(params, names[i]))) return p;
    return NULL;
}

/* The kind the pupils' MEF tell: COLLEGE when most start with 1, LYCEE
 * when most start with 2; NULL when none tells. */
static const char *kind_by_mef(const struct doc *doc)
{
    size_t one = 0, two = 0;
    for (size_t i = 0; i < doc->c[C_ELEVES].n; i++) {
        const char *m = get(doc->c[C_ELEVES].v[i], "CODE_MEF");
        one += m && m[0] == '1';
        two += m && m[0] == '2';
    }
    return one + two == 0 ? NULL : one >= two ? "COLLEGE" : "LYCEE";
}

/* The name and kind of the establishment into r (assumptions reported). */
static void est_label(struct reader *rd, const struct doc *doc, struct imp_record *r)
{
    long line = doc->params.line;
    r->name = est_name(&rd->a, &doc->params);
    if (r->name && nomenclature_establishment_kind(NULL, r->name)) return; /* "COLLEGE …" */
    r->kind_text = kind_by_mef(doc);
    if (!r->name) { /* a name for a new establishment; a known one keeps its own */
        r->name = arena_printf(&rd->a, "Établissement %s", r->uai);
        r->present &= ~(unsigned)IMP_F_LABEL;
        problem(rd, line, r->key, 'W', "nom de l'établissement absent de PARAMETRES : « %s » "
                "supposé", r->name);
    }
    if (r->kind_text)
        problem(rd, line, r->key, 'W', "type d'établissement déduit des formations des élèves : "
                "%s", !strcmp(r->kind_text, "COLLEGE") ? "collège" : "lycée");
}

/* Send the establishment of the UAJ with its divisions and groups. */
static int est_send(struct reader *rd, const struct doc *doc, const struct pupil_ix *ix)
{
    struct codes classes = {0}, groups = {0};
    structures_of(rd, doc, &classes, &groups);
    struct imp_record r = {.kind = IMP_ESTABLISHMENT, .op = IMP_FULL, .key = ix->uaj,
                           .at = {rd->path, doc->params.line, ix->uaj}, .present = IMP_F_ALL,
                           .uai = ix->uaj};
    est_label(rd, doc, &r);
    for (size_t i = 0; i < classes.n; i++)
        emit_item(&rd->a, &r.classes, classes.v[i].code, classes.v[i].level, NULL);
    for (size_t i = 0; i < groups.n; i++)
        emit_item(&rd->a, &r.groups, groups.v[i].code, NULL, NULL);
    emit_digest(&r);
    return rd->sink->record(rd->sink->ctx, &r);
}

/* Whether pupil e left before today (reported: not sent). */
static bool pupil_left(struct reader *rd, const struct ent *e, const char *id)
{
    const char *v = get(e, "DATE_SORTIE");
    bool bad;
    const char *out = date_of(&rd->rec, v, &bad);
    if (bad)
        problem(rd, e->line, id, 'W', "date de sortie illisible « %s » : élève supposé présent", v);
    if (!out || strcmp(out, rd->today) >= 0) return false;
    problem(rd, e->line, id, 'W', "élève sorti le %s : non importé", v);
    return true;
}

/* The identity of pupil e into r. False (reported) when it has no name. */
static bool pupil_identity(struct reader *rd, const struct ent *e, struct imp_record *r)
{
    const char *id = r->key, *birth = get(e, "DATE_NAISS"), *sex = get(e, "CODE_SEXE");
    r->name = last_name(e);
    r->first_name = get(e, "PRENOM");
    if (!r->name) {
        problem(rd, e->line, id, 'E', "élève sans nom (NOM_DE_FAMILLE) : ignoré");
        return false;
    }
    if (!r->first_name) problem(rd, e->line, id, 'W', "élève sans prénom (PRENOM)");
    bool bad;
    r->birth_date = date_of(&rd->rec, birth, &bad);
    if (!birth) problem(rd, e->line, id, 'W', "date de naissance absente (DATE_NAISS)");
    if (bad)
        problem(rd, e->line, id, 'W', "date de naissance illisible « %s » (jj/mm/aaaa attendu) :"
                " ignorée", birth);
    r->civility = sex && !strcmp(sex, "1") ? "M." : sex && !strcmp(sex, "2") ? "Mme" : NULL;
    if (!sex) problem(rd, e->line, id, 'W', "sexe absent (CODE_SEXE)");
    else if (!r->civility)
        problem(rd, e->line, id, 'W', "code sexe « %s » inconnu (1 ou 2 attendu)", sex);
    return true;
}

/* The INE of pupil e into r, unless another pupil of the file has it. */
static void pupil_ine(struct reader *rd, const struct ent *e, struct imp_record *r,
                      struct keymap *ines)
{
    const char *ine = get(e, "ID_NATIONAL");
    if (!ine) {
        problem(rd, e->line, r->key, 'W', "INE absent (ID_NATIONAL)");
        return;
    }
    struct keymap_entry *x = keymap_get(ines, ine);
    if (x) {
        problem(rd, e->line, r->key, 'W', "INE %s déjà porté par l'élève de la ligne %lld : "
                "non repris", ine, (long long)x->id);
        return;
    }
    keymap_put(ines, ine)->id = e->line;
    r->ine = ine;
}

/* The divisions and groups of pupil e into r. False (reported) when its
 * only division is the pseudo-class of pupils who left. */
static bool pupil_structures(struct reader *rd, const struct doc *doc, struct pupil_ix *ix,
                             const struct ent *e, struct imp_record *r)
{
    const struct ent *s = by_id(&ix->structures, &doc->c[C_STRUCTURES], r->key);
    const char *pseudo = NULL;
    for (size_t k = 0; s && k < s->nsub; k++) {
        const char *code = get(&s->sub[k], "CODE_STRUCTURE");
        const char *type = get(&s->sub[k], "TYPE_STRUCTURE");
        if (!code) continue;
        if (pseudo_class(code)) {
            pseudo = code;
            problem(rd, e->line, r->key, 'W', "structure « %s » : pseudo-classe des élèves "
                    "sortis ou inactifs, ignorée", code);
        } else if (type && !strcmp(type, "D")) {
            emit_item(&rd->rec, &r->classes, ix->uaj, code, NULL);
        } else if (type && !strcmp(type, "G")) {
            emit_item(&rd->rec, &r->groups, ix->uaj, code, NULL);
        } else {
            problem(rd, e->line, r->key, 'W', "structure « %s » de type « %s » inconnu (D ou G "
                    "attendu) : ignorée", code, type ? type : "");
        }
    }
    if (!pseudo || r->classes.n) return true;
    problem(rd, e->line, r->key, 'W', "élève de la seule pseudo-classe « %s » : non importé",
            pseudo);
    return false;
}

/* Send pupil e. 0, or -1 when the sink stops. */
static int pupil_send(struct reader *rd, const struct doc *doc, struct pupil_ix *ix,
                      const struct ent *e)
{
    arena_free(&rd->rec);
    arena_init(&rd->rec);
    const char *id = id_of(e, "ELEVE_ID");
    if (!id) {
        problem(rd, e->line, NULL, 'E', "élève sans ELEVE_ID : ignoré");
        return 0;
    }
    struct imp_record r = {.kind = IMP_PUPIL, .op = IMP_FULL, .key = id,
                           .at = {rd->path, e->line, id}, .present = IMP_F_ALL & ~IMP_F_LINKS,
                           .attach = ix->uaj, .mef = get(e, "CODE_MEF")};
    r.level = mef_level(r.mef);
    if (pupil_left(rd, e, id) || !pupil_identity(rd, e, &r)
        || !pupil_structures(rd, doc, ix, e, &r))
        return 0;
    pupil_ine(rd, e, &r, &ix->ines);
    address_into(&rd->rec, address_of(e, &ix->addresses, &doc->c[C_ADRESSES]), &r);
    emit_digest(&r);
    return rd->sink->record(rd->sink->ctx, &r);
}

/* Send the establishment, then its pupils. 0, or -1 when the file has
 * no UAJ (reported) or the sink stops. */
static int pupils_send(struct reader *rd, const struct doc *doc)
{
    struct pupil_ix ix = {.uaj = get(&doc->params, "UAJ")};
    if (!ix.uaj) {
        problem(rd, doc->params.line, NULL, 'E', "PARAMETRES/UAJ absent : l'établissement ne peut "
                "être connu, fichier refusé");
        return -1;
    }
    keymap_init(&ix.structures);
    keymap_init(&ix.addresses);
    keymap_init(&ix.ines);
    index_by(&ix.structures, &doc->c[C_STRUCTURES], "ELEVE_ID");
    index_by(&ix.addresses, &doc->c[C_ADRESSES], "ADRESSE_ID");
    int rc = est_send(rd, doc, &ix);
    for (size_t i = 0; rc == 0 && i < doc->c[C_ELEVES].n; i++)
        rc = pupil_send(rd, doc, &ix, doc->c[C_ELEVES].v[i]);
    keymap_free(&ix.structures);
    keymap_free(&ix.addresses);
    keymap_free(&ix.ines);
    return rc;
}

/* ---- ResponsablesAvecAdresses.xml -------------------------------------------------- */

/* A relation code (CODE_PARENTE) as Carnet names it. */
static const char *relation_of(const char *code)
{
    int c = code ? atoi(code) : 0;
    return c == 10 ? "mother" : c == 20 ? "father" : c == 50 || c == 51 ? "tutor" : "other";
}

/* M. or Mme from LC_CIVILITE (M., MR, MME, MLLE…), else NULL. */
static const char *civility_of(const char *v)
{
    char f[16];
    csv_fold(v, f, sizeof f, CSV_FOLD_NAME);
    if (!v) return NULL;
    if (!strcmp(f, "M") || !strcmp(f, "MR") || !strcmp(f, "MONSIEUR")) return "M.";
    if (!strncmp(f, "MME", 3) || !strncmp(f, "MLLE", 4) || !strcmp(f, "MADAME")) return "Mme";
    return NULL;
}

/* The links of each person (by index in PERSONNES) from RESPONSABLE_ELEVE. */
struct linkset {
    struct imp_link *v;
    size_t n, cap;
};

static struct linkset *links_of(struct reader *rd, const struct doc *doc,
                                const struct keymap *persons)
{
    const struct ents *pl = &doc->c[C_PERSONNES], *rl = &doc->c[C_RESPONSABLES];
    struct linkset *ls = arena_alloc(&rd->a, (pl->n + 1) * sizeof *ls);
    for (size_t i = 0; i < rl->n; i++) {
        const struct ent *e = rl->v[i];
        const char *pupil = get(e, "ELEVE_ID"), *person = id_of(e, "PERSONNE_ID");
        struct keymap_entry *x = person ? keymap_get(persons, person) : NULL;
        if (!pupil || !x) {
            if (pupil)
                problem(rd, e->line, person, 'W', "PERSONNE_ID « %s » absent des PERSONNES : "
                        "lien ignoré", person ? person : "");
            else
                problem(rd, e->line, person, 'W', "lien sans ELEVE_ID : ignoré");
            continue;
        }
        const char *legal = get(e, "RESP_LEGAL"), *fin = get(e, "RESP_FINANCIER");
        const char *contact = get(e, "PERS_CONTACT");
        struct linkset *s = &ls[x->id - 1];
        s->v = arena_grow(&rd->a, s->v, s->n, &s->cap, sizeof *s->v);
        s->v[s->n++] = (struct imp_link){
            .pupil = pupil, .relation = relation_of(get(e, "CODE_PARENTE")),
            .legal = legal && (!strcmp(legal, "1") || !strcmp(legal, "2")),
            .financial = fin && !strcmp(fin, "1"), .contact = contact && !strcmp(contact, "1")};
    }
    return ls;
}

/* Send person e with its children ls. 0, or -1 when the sink stops. */
static int relative_send(struct reader *rd, const struct doc *doc, const struct keymap *addresses,
                         const struct ent *e, const struct linkset *ls)
{
    arena_free(&rd->rec);
    arena_init(&rd->rec);
    const char *id = id_of(e, "PERSONNE_ID");
    if (!id || !last_name(e)) {
        problem(rd, e->line, id, 'E', "responsable sans %s : ignoré",
                id ? "nom (NOM_DE_FAMILLE)" : "PERSONNE_ID");
        return 0;
    }
    if (!ls->n) {
        problem(rd, e->line, id, 'W', "responsable d'aucun élève : ignoré");
        return 0;
    }
    struct imp_record r = {.kind = IMP_RELATIVE, .op = IMP_FULL, .key = id,
                           .at = {rd->path, e->line, id}, .present = IMP_F_ALL,
                           .name = last_name(e), .first_name = get(e, "PRENOM"),
                           .civility = civility_of(get(e, "LC_CIVILITE")), .email = get(e, "MEL"),
                           .phone = get(e, "TEL_PORTABLE")};
    if (!r.phone) r.phone = get(e, "TEL_PERSONNEL");
    if (!r.phone) r.phone = get(e, "TEL_PROFESSIONNEL");
    address_into(&rd->rec, address_of(e, addresses, &doc->c[C_ADRESSES]), &r);
    for (size_t i = 0; i < ls->n; i++) emit_child(&rd->rec, &r, &ls->v[i]);
    emit_digest(&r);
    return rd->sink->record(rd->sink->ctx, &r);
}

/* Send the relatives with their children. 0 or -1 when the sink stops. */
static int relatives_send(struct reader *rd, const struct doc *doc)
{
    struct keymap persons, addresses;
    keymap_init(&persons);
    keymap_init(&addresses);
    index_by(&persons, &doc->c[C_PERSONNES], "PERSONNE_ID");
    index_by(&addresses, &doc->c[C_ADRESSES], "ADRESSE_ID");
    struct linkset *ls = links_of(rd, doc, &persons);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < doc->c[C_PERSONNES].n; i++)
        rc = relative_send(rd, doc, &addresses, doc->c[C_PERSONNES].v[i], &ls[i]);
    keymap_free(&persons);
    keymap_free(&addresses);
    return rc;
}

/* ---- the files ------------------------------------------------------------------- */

/* The root element each type of file starts with. */
static const char *const roots[] = {"BEE_NOMENCLATURES", "BEE_ELEVES", "BEE_RESPONSABLES"};

/* Send the records of the file gathered in doc, after checking its root.
 * 0 or -1 (reported). */
static int siecle_send(struct reader *rd, const struct doc *doc, int type)
{
    const char *root = doc->root ? doc->root : "";
    if (strncmp(root, roots[type], strlen(roots[type]) - (type == SIECLE_NOMENCLATURE))) {
        problem(rd, 1, NULL, 'E', "élément racine « %s » : un tel fichier SIECLE commence par %s",
                root, roots[type]);
        return -1;
    }
    return type == SIECLE_NOMENCLATURE ? nomenclature_send(rd, doc)
           : type == SIECLE_PUPILS     ? pupils_send(rd, doc)
                                       : relatives_send(rd, doc);
}

/* Read a SIECLE file into sink (imp_reader.read): gathered, then sent.
 * Its arenas are freed before it returns. */
static int siecle_read(const struct imp_file *f, struct imp_sink *sink)
{
    struct reader rd = {.path = f->path, .sink = sink};
    struct doc doc = {0};
    clock_today(rd.today);
    arena_init(&rd.a);
    arena_init(&rd.rec);
    int rc = open_xml(&rd);
    if (rc == 0) {
        rc = walk(&rd, &doc);
        xml_close(&rd.in);
    }
    if (rc == 0) rc = siecle_send(&rd, &doc, f->type);
    arena_free(&rd.a);
    arena_free(&rd.rec);
    return rc;
}

/* Tell a SIECLE file by its name (imp_reader.classify). No allocation. */
static bool siecle_classify(struct imp_file *f, char *why, size_t whylen)
{
    const char *base = strrchr(f->path, '/');
    base = base ? base + 1 : f->path;
    size_t n = strlen(base);
    char fold[256];
    csv_fold(base, fold, sizeof fold, CSV_FOLD_NAME);
    int type = strstr(fold, "NOMENCLATURE")  ? SIECLE_NOMENCLATURE
               : strstr(fold, "RESPONSABLE") ? SIECLE_RELATIVES
               : strstr(fold, "ELEVE")       ? SIECLE_PUPILS
                                             : -1;
    if (n < 4 || strcasecmp(base + n - 4, ".xml") || type < 0) {
        snprintf(why, whylen, "nom de fichier SIECLE non reconnu (Nomenclature.xml, "
                 "ElevesSansAdresses.xml, ElevesAvecAdresses.xml ou ResponsablesAvecAdresses.xml"
                 " attendu)");
        return false;
    }
    static const enum imp_kind kinds[] = {IMP_MEF, IMP_PUPIL, IMP_RELATIVE};
    *f = (struct imp_file){.path = f->path, .kind = kinds[type], .order = type, .type = type};
    return true;
}

const struct imp_reader siecle_reader = {"siecle", siecle_classify, siecle_read};
