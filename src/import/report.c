/* report.c — the import report (see report.h). */
#include "report.h"
#include "../core/limits.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[REP_KIND_COUNT] = {
    "establishment", "class", "group", "subject", "mef", "pupil", "relative", "teacher",
    "staff", "function", "guardianship", "teaching", "enrolment", "account"};
static const char *const kind_labels[REP_KIND_COUNT] = {
    "établissements", "classes", "groupes", "matières", "formations (MEF)", "élèves",
    "responsables", "enseignants", "autres personnels", "rôles et fonctions",
    "liens de responsabilité",
    "enseignements", "inscriptions en classe", "comptes"};
static const char *const action_names[REP_ACTION_COUNT] = {"created", "changed", "closed",
                                                           "unchanged"};

void report_init(struct report *r, const char *source, bool dry_run)
{
    *r = (struct report){.source = source, .dry_run = dry_run};
    keymap_init(&r->est_index);
}

void report_free(struct report *r)
{
    for (size_t i = 0; i < r->nproblems; i++) {
        free(r->problems[i].file);
        free(r->problems[i].id);
        free(r->problems[i].message);
    }
    for (size_t i = 0; i < r->nfiles; i++) free(r->files[i]);
    free(r->files);
    free(r->problems);
    free(r->est);
    keymap_free(&r->est_index);
}

static struct rep_est *bucket(struct report *r, const char *uai)
{
    if (!uai) uai = "";
    struct keymap_entry *e = keymap_put(&r->est_index, uai);
    if (!e->id) {
        if (r->nest == r->est_cap) {
            r->est_cap = r->est_cap ? r->est_cap * 2 : 16;
            r->est = realloc(r->est, r->est_cap * sizeof *r->est);
            if (!r->est) abort();
        }
        struct rep_est *b = &r->est[r->nest++];
        memset(b, 0, sizeof *b);
        snprintf(b->key, sizeof b->key, "%s", uai);
        e->id = (int64_t)r->nest;
    }
    return &r->est[e->id - 1];
}

void report_count(struct report *r, const char *uai, enum rep_kind k, enum rep_action a)
{
    bucket(r, uai)->n[k][a]++;
}

void report_name(struct report *r, const char *uai, const char *name)
{
    snprintf(bucket(r, uai)->name, sizeof r->est->name, "%s", name ? name : "");
}

static char *dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

void report_problem(struct report *r, const char *file, long line, const char *id, char severity,
                    const char *message)
{
    if (severity == 'W') r->warnings++;
    else r->errors++;
    if (severity == 'F') r->failed = true;
    if (r->nproblems >= IMPORT_REPORT_PROBLEMS_MAX) {
        r->problems_dropped++;
        return;
    }
    if (r->nproblems == r->problems_cap) {
        r->problems_cap = r->problems_cap ? r->problems_cap * 2 : 64;
        r->problems = realloc(r->problems, r->problems_cap * sizeof *r->problems);
        if (!r->problems) abort();
    }
    r->problems[r->nproblems++] = (struct rep_problem){dup(file), dup(id), dup(message), line,
                                                       severity};
}

void report_file(struct report *r, const char *path)
{
    r->files = realloc(r->files, (r->nfiles + 1) * sizeof *r->files);
    if (!r->files) abort();
    r->files[r->nfiles++] = strdup(path);
}

static const char *base(const char *path)
{
    const char *b = path ? strrchr(path, '/') : NULL;
    return b ? b + 1 : path ? path : "";
}

/* Whether bucket b has anything but unchanged objects. */
static bool busy(const struct rep_est *b, bool with_unchanged)
{
    for (int k = 0; k < REP_KIND_COUNT; k++)
        for (int a = 0; a < REP_ACTION_COUNT; a++)
            if (b->n[k][a] && (with_unchanged || a != REP_UNCHANGED)) return true;
    return false;
}

void report_print(const struct report *r, FILE *f)
{
    fprintf(f, "Import %s%s : %lld enregistrements lus dans %zu fichier(s)\n", r->source,
            r->dry_run ? " (essai : rien n'est écrit)" : "", (long long)r->records, r->nfiles);
    for (size_t i = 0; i < r->nest; i++) {
        const struct rep_est *b = &r->est[i];
        if (!busy(b, true)) continue;
        fprintf(f, "\n%s%s%s\n", b->key[0] ? b->key : "Nomenclatures et responsables",
                b->name[0] ? " — " : "", b->name);
        for (int k = 0; k < REP_KIND_COUNT; k++) {
            const int64_t *n = b->n[k];
            if (!n[0] && !n[1] && !n[2] && !n[3]) continue;
            /* Padded by characters, not bytes: labels have accents. */
            int width = 0;
            for (const char *c = kind_labels[k]; *c; c++) width += (*c & 0xC0) != 0x80;
            fprintf(f, "  %s%*s créés %6lld  modifiés %6lld  clos %6lld  inchangés %6lld\n",
                    kind_labels[k], width < 26 ? 26 - width : 0, "", (long long)n[0],
                    (long long)n[1], (long long)n[2], (long long)n[3]);
        }
    }
    if (r->nproblems) fprintf(f, "\nProblèmes (%lld erreurs, %lld avertissements)\n",
                              (long long)r->errors, (long long)r->warnings);
    for (size_t i = 0; i < r->nproblems; i++) {
        const struct rep_problem *p = &r->problems[i];
        fprintf(f, "  %s %s:%ld%s%s : %s\n",
                p->severity == 'W' ? "avertissement" : p->severity == 'F' ? "ARRÊT" : "erreur",
                base(p->file), p->line, p->id ? " enregistrement " : "", p->id ? p->id : "",
                p->message);
    }
    if (r->problems_dropped)
        fprintf(f, "  … et %zu autres problèmes (voir le rapport JSON)\n", r->problems_dropped);
    fprintf(f, "\n%s — %lld lignes écrites\n",
            r->failed    ? "Import arrêté : la base est restée telle qu'elle était"
            : r->applied ? "Import appliqué"
                         : "Essai terminé : rien n'a été écrit",
            (long long)r->rows_written);
}

static json_t *counts_json(const struct rep_est *b)
{
    json_t *o = json_object();
    for (int k = 0; k < REP_KIND_COUNT; k++) {
        const int64_t *n = b->n[k];
        if (!n[0] && !n[1] && !n[2] && !n[3]) continue;
        json_t *c = json_object();
        for (int a = 0; a < REP_ACTION_COUNT; a++)
            json_object_set_new(c, action_names[a], json_integer(n[a]));
        json_object_set_new(o, kind_names[k], c);
    }
    return o;
}

char *report_json(const struct report *r)
{
    json_t *root = json_object(), *ests = json_array(), *probs = json_array();
    json_t *files = json_array();
    struct rep_est sum = {0};
    for (size_t i = 0; i < r->nest; i++) {
        const struct rep_est *b = &r->est[i];
        for (int k = 0; k < REP_KIND_COUNT; k++)
            for (int a = 0; a < REP_ACTION_COUNT; a++) sum.n[k][a] += b->n[k][a];
        if (!busy(b, true)) continue;
        json_t *e = json_object();
        json_object_set_new(e, "uai", b->key[0] ? json_string(b->key) : json_null());
        json_object_set_new(e, "name", json_string(b->name));
        json_object_set_new(e, "counts", counts_json(b));
        json_array_append_new(ests, e);
    }
    for (size_t i = 0; i < r->nproblems; i++) {
        const struct rep_problem *p = &r->problems[i];
        json_t *o = json_object();
        json_object_set_new(o, "severity", json_string(p->severity == 'W'   ? "warning"
                                                       : p->severity == 'F' ? "fatal"
                                                                            : "error"));
        json_object_set_new(o, "file", json_string(base(p->file)));
        json_object_set_new(o, "line", json_integer(p->line));
        json_object_set_new(o, "record", p->id ? json_string(p->id) : json_null());
        json_object_set_new(o, "message", json_string(p->message));
        json_array_append_new(probs, o);
    }
    for (size_t i = 0; i < r->nfiles; i++)
        json_array_append_new(files, json_string(base(r->files[i])));
    json_object_set_new(root, "source", json_string(r->source));
    json_object_set_new(root, "dry_run", json_boolean(r->dry_run));
    json_object_set_new(root, "applied", json_boolean(r->applied));
    json_object_set_new(root, "failed", json_boolean(r->failed));
    json_object_set_new(root, "records", json_integer(r->records));
    json_object_set_new(root, "rows_written", json_integer(r->rows_written));
    json_object_set_new(root, "files", files);
    json_object_set_new(root, "totals", counts_json(&sum));
    json_object_set_new(root, "establishments", ests);
    json_object_set_new(root, "errors", json_integer(r->errors));
    json_object_set_new(root, "warnings", json_integer(r->warnings));
    json_object_set_new(root, "problems", probs);
    json_object_set_new(root, "problems_not_listed", json_integer((json_int_t)r->problems_dropped));
    char *s = json_dumps(root, JSON_INDENT(1));
    json_decref(root);
    return s;
}
