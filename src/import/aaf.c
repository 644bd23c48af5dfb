/* aaf.c — the AAF reader: ficAlimMENESR XML → normalised records.
 *
 * One request (addRequest, modifyRequest, deleteRequest) at a time is
 * gathered as (attribute name, values) pairs in an arena emptied after each,
 * then mapped to an imp_record by its category. libxml2's reader streams
 * the file: memory stays constant whatever its size. */
#include "aaf.h"
#include "reader.h"
#include "xml.h"
#include "../core/arena.h"
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One attribute of a request and its values (empty values dropped). */
struct attr {
    const char *name;
    const char **values;
    size_t n, cap;
};

enum request { REQ_ADD, REQ_MODIFY, REQ_DELETE };

struct raw {
    struct arena a;
    enum request req;
    long line;
    const char *category, *id;
    struct attr *attrs;
    size_t n, cap;
    crypto_generichash_state hash;
};

struct reader {
    const char *path;
    const struct aaf_name *name;
    struct imp_sink *sink;
    int records;
};

/* Report a problem of record raw (or of the file when raw is NULL). */
static void problem(struct reader *rd, const struct raw *raw, long line, char severity,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void problem(struct reader *rd, const struct raw *raw, long line, char severity,
                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    imp_vreport(rd->sink, rd->path, raw ? raw->line : line, raw ? raw->id : NULL, severity, fmt, ap);
    va_end(ap);
}

/* The trimmed copy of s in the arena. */
static const char *trimmed(struct arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) n--;
    return arena_strndup(a, s, n);
}

static struct attr *attr_add(struct raw *raw, const char *name)
{
    raw->attrs = arena_grow(&raw->a, raw->attrs, raw->n, &raw->cap, sizeof *raw->attrs);
    struct attr *at = &raw->attrs[raw->n++];
    *at = (struct attr){.name = arena_strdup(&raw->a, name)};
    return at;
}

static void value_add(struct raw *raw, struct attr *at, const char *v)
{
    if (!*v) return;
    at->values = arena_grow(&raw->a, at->values, at->n, &at->cap, sizeof *at->values);
    at->values[at->n++] = v;
}

static const struct attr *find(const struct raw *raw, const char *name)
{
    for (size_t i = 0; i < raw->n; i++)
        if (!strcmp(raw->attrs[i].name, name)) return &raw->attrs[i];
    return NULL;
}

/* The first value of the first of the named attributes that has one. */
static const char *first(const struct raw *raw, const char *name, const char *alt)
{
    const struct attr *at = find(raw, name);
    if (at && at->n) return at->values[0];
    at = alt ? find(raw, alt) : NULL;
    return at && at->n ? at->values[0] : NULL;
}

/* Split a `$` composite into at most max parts (missing ones NULL, empty
 * ones NULL too: composites are often truncated). Returns the parts found. */
static int split(struct arena *a, const char *v, const char **part, int max)
{
    int n = 0;
    for (int i = 0; i < max; i++) part[i] = NULL;
    while (v && n < max) {
        const char *d = strchr(v, '$');
        size_t len = d ? (size_t)(d - v) : strlen(v);
        if (n == max - 1) len = strlen(v); /* the last part keeps any further `$` */
        const char *p = trimmed(a, arena_strndup(a, v, len));
        part[n++] = *p ? p : NULL;
        v = d && n < max ? d + 1 : NULL;
    }
    return n;
}

static void list_add(struct arena *a, struct imp_list *l, const char *x, const char *y,
                     const char *z)
{
    l->v = arena_grow(a, l->v, l->n, &l->cap, sizeof *l->v);
    l->v[l->n++] = (struct imp_item){x, y, z};
}

/* dd/mm/yyyy → YYYY-MM-DD in the arena; NULL (reported) when malformed. */
static const char *date_iso(struct reader *rd, struct raw *raw, const char *v)
{
    int d, m, y;
    char end;
    if (!v) return NULL;
    if (sscanf(v, "%2d/%2d/%4d%c", &d, &m, &y, &end) == 3 && d >= 1 && d <= 31 && m >= 1
        && m <= 12 && y >= 1900 && y <= 2100)
        return arena_printf(&raw->a, "%04d-%02d-%02d", y, m, d);
    problem(rd, raw, 0, 'W', "date de naissance illisible « %s » (jj/mm/aaaa attendu) : ignorée",
            v);
    return NULL;
}

/* Which group of fields an attribute belongs to (for a modifyRequest). */
static unsigned field_of(const char *name)
{
    static const struct { const char *name; unsigned f; } map[] = {
        {"sn", IMP_F_NAME}, {"givenName", IMP_F_NAME}, {"ENTPersonNomPatro", IMP_F_NAME},
        {"personalTitle", IMP_F_NAME}, {"ENTPersonDateNaissance", IMP_F_BIRTH},
        {"mail", IMP_F_EMAIL}, {"mobile", IMP_F_PHONE}, {"telephoneNumber", IMP_F_PHONE},
        {"homePhone", IMP_F_PHONE}, {"ENTPersonAdresse", IMP_F_ADDRESS},
        {"ENTPersonCodePostal", IMP_F_ADDRESS}, {"ENTPersonVille", IMP_F_ADDRESS},
        {"street", IMP_F_ADDRESS}, {"postalCode", IMP_F_ADDRESS}, {"l", IMP_F_ADDRESS},
        {"ENTPersonStructRattach", IMP_F_ATTACH}, {"ENTEleveStructRattachId", IMP_F_ATTACH},
        {"ENTEleveClasses", IMP_F_CLASSES}, {"ENTStructureClasses", IMP_F_CLASSES},
        {"ENTEleveGroupes", IMP_F_GROUPS}, {"ENTStructureGroupes", IMP_F_GROUPS},
        {"ENTElevePersRelEleve", IMP_F_LINKS}, {"ENTPersonFonctions", IMP_F_FUNCTIONS},
        {"ENTAuxEnsClassesMatieres", IMP_F_TEACH}, {"ENTAuxEnsGroupesMatieres", IMP_F_TEACH},
        {"ENTEleveMEF", IMP_F_MEF}, {"ENTEleveNivFormation", IMP_F_MEF},
        {"ENTAuxEnsClassesPrincipal", IMP_F_PRINCIPAL}, {"ENTEleveINE", IMP_F_INE},
        {"ENTStructureNomCourant", IMP_F_LABEL}, {"ENTStructureTypeStruct", IMP_F_LABEL},
        {"ENTServAcAcademie", IMP_F_LABEL}, {"ENTLibelleMatiere", IMP_F_LABEL},
        {"ENTLibelleMef", IMP_F_LABEL}, {"ENTStructureUAI", IMP_F_LABEL},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].name, name)) return map[i].f;
    return 0;
}

/* A relation code of ENTElevePersRelEleve as Carnet names it. */
static const char *relation_of(const char *code)
{
    if (!code) return "other";
    int c = atoi(code);
    if (c == 10 || c == 1) return "mother";
    if (c == 20 || c == 2) return "father";
    if (c == 50 || c == 51 || c == 5) return "tutor";
    return "other";
}

static void map_establishment(struct raw *raw, struct imp_record *r)
{
    r->uai = first(raw, "ENTStructureUAI", "ENTEtablissementUAI");
    if (!r->uai) r->uai = r->key;
    r->name = first(raw, "ENTStructureNomCourant", NULL);
    r->kind_text = first(raw, "ENTStructureTypeStruct", NULL);
    r->academie = first(raw, "ENTServAcAcademie", NULL);
    r->address = first(raw, "street", NULL);
    r->postcode = first(raw, "postalCode", NULL);
    r->city = first(raw, "l", NULL);
    r->phone = first(raw, "telephoneNumber", NULL);
    const char *p[2];
    const struct attr *at = find(raw, "ENTStructureClasses");
    for (size_t i = 0; at && i < at->n; i++)
        if (split(&raw->a, at->values[i], p, 2) && p[0])
            list_add(&raw->a, &r->classes, p[0], p[1], NULL);
    at = find(raw, "ENTStructureGroupes");
    for (size_t i = 0; at && i < at->n; i++)
        if (split(&raw->a, at->values[i], p, 2) && p[0])
            list_add(&raw->a, &r->groups, p[0], p[1], NULL);
}

/* The person's fields common to the three categories. */
static void map_person(struct reader *rd, struct raw *raw, struct imp_record *r)
{
    r->name = first(raw, "sn", "ENTPersonNomPatro");
    r->first_name = first(raw, "givenName", NULL);
    r->civility = first(raw, "personalTitle", NULL);
    r->birth_date = date_iso(rd, raw, first(raw, "ENTPersonDateNaissance", NULL));
    r->postcode = first(raw, "ENTPersonCodePostal", NULL);
    r->city = first(raw, "ENTPersonVille", NULL);
    r->attach = first(raw, "ENTPersonStructRattach", "ENTEleveStructRattachId");
    const struct attr *at = find(raw, "ENTPersonAdresse");
    if (at && at->n) {
        /* address lines are `$`-separated: one line each, joined by ", " */
        char *s = arena_strdup(&raw->a, at->values[0]);
        for (char *c = s; *c; c++)
            if (*c == '$') *c = '\n';
        r->address = s;
    }
}

/* Split "est$code" values of attribute name into list l. */
static void pairs(struct raw *raw, const char *name, struct imp_list *l, int parts)
{
    const struct attr *at = find(raw, name);
    const char *p[3];
    for (size_t i = 0; at && i < at->n; i++)
        if (split(&raw->a, at->values[i], p, parts) >= 2 && p[0] && p[1])
            list_add(&raw->a, l, p[0], p[1], parts > 2 ? p[2] : NULL);
}

static void map_pupil(struct reader *rd, struct raw *raw, struct imp_record *r)
{
    map_person(rd, raw, r);
    r->ine = first(raw, "ENTEleveINE", NULL);
    r->mef = first(raw, "ENTEleveMEF", NULL);
    r->level = first(raw, "ENTEleveNivFormation", "ENTEleveLibelleMEF");
    pairs(raw, "ENTEleveClasses", &r->classes, 2);
    pairs(raw, "ENTEleveGroupes", &r->groups, 2);
    const struct attr *at = find(raw, "ENTElevePersRelEleve");
    for (size_t i = 0; at && i < at->n; i++) {
        const char *p[6];
        split(&raw->a, at->values[i], p, 6);
        if (!p[0]) continue;
        if (r->key && !strcmp(p[0], r->key)) {
            problem(rd, raw, 0, 'W', "lien vers l'élève lui-même (%s) : ignoré", p[0]);
            continue;
        }
        r->links = arena_grow(&raw->a, r->links, r->nlinks, &r->links_cap, sizeof *r->links);
        r->links[r->nlinks++] = (struct imp_link){
            .relative = p[0], .relation = relation_of(p[1]),
            .financial = p[2] && !strcmp(p[2], "1"),
            .legal = p[3] && (!strcmp(p[3], "1") || !strcmp(p[3], "2")),
            .contact = p[4] && !strcmp(p[4], "1")};
    }
}

static void map_relative(struct reader *rd, struct raw *raw, struct imp_record *r)
{
    map_person(rd, raw, r);
    r->email = first(raw, "mail", NULL);
    r->phone = first(raw, "mobile", "telephoneNumber");
    if (!r->phone) r->phone = first(raw, "homePhone", NULL);
}

static void map_staff(struct reader *rd, struct raw *raw, struct imp_record *r)
{
    map_person(rd, raw, r);
    r->email = first(raw, "mail", NULL);
    const struct attr *at = find(raw, "ENTPersonFonctions");
    for (size_t i = 0; at && i < at->n; i++) {
        const char *p[5];
        split(&raw->a, at->values[i], p, 5);
        if (!p[0] || !p[1]) {
            problem(rd, raw, 0, 'W', "fonction incomplète « %s » : ignorée", at->values[i]);
            continue;
        }
        r->functions = arena_grow(&raw->a, r->functions, r->nfunctions, &r->functions_cap,
                                  sizeof *r->functions);
        r->functions[r->nfunctions++] =
            (struct imp_function){.establishment = p[0], .type = p[1], .code = p[3],
                                  .label = p[4] ? p[4] : p[2]};
    }
    pairs(raw, "ENTAuxEnsClassesMatieres", &r->teach_classes, 3);
    pairs(raw, "ENTAuxEnsGroupesMatieres", &r->teach_groups, 3);
    pairs(raw, "ENTAuxEnsClassesPrincipal", &r->principal, 2);
}

static bool kind_of_category(const char *c, enum imp_kind *k)
{
    static const struct { const char *name; enum imp_kind kind; } map[] = {
        {"Eleve", IMP_PUPIL}, {"PersRelEleve", IMP_RELATIVE}, {"PersEducNat", IMP_STAFF},
        {"EtabEducNat", IMP_ESTABLISHMENT}, {"MatEducNat", IMP_SUBJECT},
        {"MatiereEducNat", IMP_SUBJECT}, {"MefEducNat", IMP_MEF}};
    for (size_t i = 0; c && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].name, c)) {
            *k = map[i].kind;
            return true;
        }
    return false;
}

/* Map the gathered request and send it. 0, or -1 when the sink stops. */
static int emit(struct reader *rd, struct raw *raw)
{
    enum imp_kind kind;
    if (!kind_of_category(raw->category, &kind)) {
        problem(rd, raw, 0, 'E', "catégorie inconnue « %s » : enregistrement ignoré",
                raw->category ? raw->category : "");
        return 0;
    }
    if (kind != rd->name->kind) {
        problem(rd, raw, 0, 'E', "enregistrement %s dans un fichier %s : ignoré",
                imp_kind_name(kind), imp_kind_name(rd->name->kind));
        return 0;
    }
    struct imp_record r = {.kind = kind, .at = {rd->path, raw->line, raw->id}};
    static const char *const key_attr[IMP_KIND_COUNT] = {
        [IMP_ESTABLISHMENT] = "ENTStructureJointure", [IMP_SUBJECT] = "ENTMatJointure",
        [IMP_MEF] = "ENTMefJointure", [IMP_RELATIVE] = "ENTPersonJointure",
        [IMP_PUPIL] = "ENTPersonJointure", [IMP_STAFF] = "ENTPersonJointure"};
    r.key = raw->id ? raw->id : first(raw, key_attr[kind], NULL);
    if (!r.key && kind == IMP_ESTABLISHMENT) r.key = first(raw, "ENTStructureUAI", NULL);
    if (!r.key) {
        problem(rd, raw, 0, 'E', "enregistrement sans identifiant : ignoré");
        return 0;
    }
    r.at.id = r.key;
    if (raw->req == REQ_MODIFY) {
        r.op = IMP_MODIFY;
        for (size_t i = 0; i < raw->n; i++) r.present |= field_of(raw->attrs[i].name);
    } else {
        r.op = raw->req == REQ_DELETE ? IMP_DELETE : rd->name->delta ? IMP_ADD : IMP_FULL;
        r.present = raw->req == REQ_DELETE ? 0 : IMP_F_ALL;
    }
    if (r.op == IMP_FULL || r.op == IMP_ADD) {
        unsigned char d[16];
        crypto_generichash_final(&raw->hash, d, sizeof d);
        sodium_bin2hex(r.digest, sizeof r.digest, d, sizeof d);
    }
    switch (kind) {
    case IMP_ESTABLISHMENT: map_establishment(raw, &r); break;
    case IMP_SUBJECT: r.name = first(raw, "ENTLibelleMatiere", NULL); break;
    case IMP_MEF:
        r.name = first(raw, "ENTLibelleMef", NULL);
        r.mef = first(raw, "ENTMEFRattach", NULL);
        break;
    case IMP_PUPIL: map_pupil(rd, raw, &r); break;
    case IMP_RELATIVE: map_relative(rd, raw, &r); break;
    case IMP_STAFF: map_staff(rd, raw, &r); break;
    case IMP_SLOT:
    case IMP_KIND_COUNT: break;
    }
    rd->records++;
    return rd->sink->record(rd->sink->ctx, &r);
}

static void hash_str(struct raw *raw, const char *s)
{
    crypto_generichash_update(&raw->hash, (const unsigned char *)s, strlen(s) + 1);
}

static void raw_start(struct raw *raw, enum request req, long line)
{
    arena_free(&raw->a);
    arena_init(&raw->a);
    raw->req = req;
    raw->line = line;
    raw->category = raw->id = NULL;
    raw->attrs = NULL;
    raw->n = raw->cap = 0;
    crypto_generichash_init(&raw->hash, NULL, 0, 16);
    hash_str(raw, req == REQ_ADD ? "add" : req == REQ_MODIFY ? "modify" : "delete");
}

struct walk {
    struct raw raw;
    bool in_request;
    int section; /* 0 none, 1 operational, 2 identifier, 3 attributes / modifications */
    struct attr *cur;
    const char *cur_name;
};

/* An element opening at depth d. 0 to go on, -1 to stop reading. */
static int on_element(struct reader *rd, const struct xml_in *x, struct walk *w, int d)
{
    const char *name = xml_name(x);
    long line = xml_line(x);
    if (d == 0) {
        if (strcmp(name, "ficAlimMENESR")) {
            problem(rd, NULL, line, 'E', "élément racine « %s » : un fichier AAF commence par "
                    "ficAlimMENESR", name);
            return -1;
        }
        return 0;
    }
    if (d == 1) {
        w->in_request = true;
        if (!strcmp(name, "addRequest")) raw_start(&w->raw, REQ_ADD, line);
        else if (!strcmp(name, "modifyRequest")) raw_start(&w->raw, REQ_MODIFY, line);
        else if (!strcmp(name, "deleteRequest")) raw_start(&w->raw, REQ_DELETE, line);
        else {
            w->in_request = false;
            problem(rd, NULL, line, 'W', "élément inconnu « %s » : ignoré", name);
        }
        return 0;
    }
    if (!w->in_request) return 0;
    struct raw *raw = &w->raw;
    if (d == 2) {
        w->section = !strcmp(name, "operationalAttributes") ? 1
                     : !strcmp(name, "identifier")          ? 2
                     : (!strcmp(name, "attributes") || !strcmp(name, "modifications")) ? 3
                                                                                      : 0;
        return 0;
    }
    if (d == 3) {
        w->cur = NULL;
        w->cur_name = NULL;
        if (w->section == 2 && !strcmp(name, "id")) {
            const char *id = xml_text(x, &raw->a);
            raw->id = *id ? id : NULL;
            return 0;
        }
        const char *an = xml_attr(x, &raw->a, "name");
        if (an && w->section == 1) w->cur_name = an;
        if (an && w->section == 3) {
            const char *op = xml_attr(x, &raw->a, "operation");
            if (op && strcmp(op, "replace"))
                problem(rd, raw, 0, 'W', "opération « %s » sur %s traitée comme replace", op,
                        an);
            w->cur = attr_add(raw, an);
            hash_str(raw, an);
        }
        return 0;
    }
    if (d == 4 && !strcmp(name, "value")) {
        const char *v = xml_text(x, &raw->a);
        if (w->section == 1 && w->cur_name && strncmp(w->cur_name, "categorie", 9) == 0)
            raw->category = v;
        if (w->section == 3 && w->cur) {
            value_add(raw, w->cur, v);
            hash_str(raw, v);
        }
    }
    return 0;
}

/* Walk the file; 0 when read to its end, -1 otherwise (reported). */
static int walk(struct reader *rd, struct xml_in *x)
{
    struct walk w = {0};
    arena_init(&w.raw.a);
    int rc, out = 0;
    while ((rc = xml_next(x)) == 1) {
        int type = xml_type(x), d = xml_depth(x);
        if (type == XML_READER_TYPE_ELEMENT && on_element(rd, x, &w, d) < 0) {
            out = -1;
            break;
        }
        if (type == XML_READER_TYPE_END_ELEMENT && d == 1 && w.in_request) {
            w.in_request = false;
            if (emit(rd, &w.raw) < 0) {
                out = -1;
                break;
            }
        }
    }
    if (out == 0 && rc < 0) {
        problem(rd, NULL, x->error_line, 'E', "%s", x->error);
        out = -1;
    }
    arena_free(&w.raw.a);
    return out;
}

int aaf_read(const char *path, const struct aaf_name *n, struct imp_sink *sink)
{
    struct reader rd = {.path = path, .name = n, .sink = sink};
    struct xml_in x;
    if (xml_open(&x, path, NULL) < 0) {
        problem(&rd, NULL, 0, 'E', "%s", x.error);
        return -1;
    }
    int rc = walk(&rd, &x);
    xml_close(&x);
    return rc;
}

/* The kind named by an AAF file type. */
static bool kind_of_type(const char *t, size_t len, enum imp_kind *k)
{
    static const struct { const char *name; enum imp_kind kind; } map[] = {
        {"EtabEducNat", IMP_ESTABLISHMENT}, {"MatiereEducNat", IMP_SUBJECT},
        {"MefEducNat", IMP_MEF}, {"PersRelEleve", IMP_RELATIVE}, {"Eleve", IMP_PUPIL},
        {"PersEducNat", IMP_STAFF}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i].name) == len && !memcmp(map[i].name, t, len)) {
            *k = map[i].kind;
            return true;
        }
    return false;
}

bool aaf_name_parse(const char *path, struct aaf_name *n)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (const char *p = base; (p = strchr(p, '_')); p++) {
        bool delta = !strncmp(p, "_Delta_", 7);
        if (!delta && strncmp(p, "_Complet_", 9)) continue;
        const char *q = p + (delta ? 7 : 9);
        int date = 0, i = 0;
        for (; i < 8 && q[i] >= '0' && q[i] <= '9'; i++) date = date * 10 + (q[i] - '0');
        if (i != 8 || q[8] != '_') continue;
        const char *t = q + 9, *u = strchr(t, '_');
        enum imp_kind kind;
        if (!u || !kind_of_type(t, (size_t)(u - t), &kind)) continue;
        char *end;
        long batch = strtol(u + 1, &end, 10);
        if (end == u + 1 || strcasecmp(end, ".xml")) continue;
        *n = (struct aaf_name){kind, delta, date, (int)batch};
        return true;
    }
    return false;
}

static bool aaf_classify(struct imp_file *f, char *why, size_t whylen)
{
    struct aaf_name n;
    if (!aaf_name_parse(f->path, &n)) {
        snprintf(why, whylen, "nom de fichier AAF non reconnu (…_Complet_AAAAMMJJ_Type_NNNN.xml"
                 " ou …_Delta_…) : le type et la nature du fichier ne peuvent être devinés");
        return false;
    }
    f->kind = n.kind;
    f->order = (int)n.kind;
    f->delta = n.delta;
    f->date = n.date;
    f->batch = n.batch;
    return true;
}

static int aaf_read_file(const struct imp_file *f, struct imp_sink *sink)
{
    struct aaf_name n = {f->kind, f->delta, f->date, f->batch};
    return aaf_read(f->path, &n, sink);
}

const struct imp_reader aaf_reader = {"aaf", aaf_classify, aaf_read_file};
