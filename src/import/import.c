/* import.c — a run of an importer (see import.h) and `carnet import`. */
#include "import.h"
#include "reader.h"
#include "apply.h"
#include "sts.h"
#include "../calendar/calendar.h"
#include "../core/assets.h"
#include "../core/clock.h"
#include "../core/limits.h"
#include "../core/log.h"
#include "../store/store.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct imp_reader *const readers[] = {&aaf_reader, &onde_reader, &siecle_reader,
                                                   &sts_reader, &oneroster_reader};

bool import_format_known(const char *format)
{
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++)
        if (!strcmp(readers[i]->format, format)) return true;
    return false;
}

const char *import_format_at(size_t i)
{
    return i < sizeof readers / sizeof readers[0] ? readers[i]->format : NULL;
}

static const struct imp_reader *reader_of(const char *format)
{
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++)
        if (!strcmp(readers[i]->format, format)) return readers[i];
    return NULL;
}

static int file_order(const void *x, const void *y)
{
    const struct imp_file *a = x, *b = y;
    /* Date order; at one date the Complet before the Delta; then the kind
     * order records depend on (establishments first: never alphabetical);
     * then the batch number. */
    if (a->date != b->date) return a->date < b->date ? -1 : 1;
    if (a->delta != b->delta) return a->delta ? 1 : -1;
    if (a->order != b->order) return a->order < b->order ? -1 : 1;
    return (a->batch > b->batch) - (a->batch < b->batch);
}

/* Add path (a file, or every file of a directory) to files. -1 on a
 * problem (reported as fatal). */
static int collect(const struct imp_reader *rd, struct report *rep, const char *path,
                   struct imp_file **files, size_t *n)
{
    struct stat sb;
    if (stat(path, &sb) < 0) {
        report_problem(rep, path, 0, NULL, 'F', "fichier introuvable");
        return -1;
    }
    if (S_ISDIR(sb.st_mode) && !(rd->package && rd->package(path))) {
        struct dirent **list;
        int k = scandir(path, &list, NULL, alphasort);
        if (k < 0) {
            report_problem(rep, path, 0, NULL, 'F', "dossier illisible");
            return -1;
        }
        int rc = 0;
        for (int i = 0; i < k; i++) {
            if (!rc && list[i]->d_name[0] != '.') {
                char sub[4096];
                snprintf(sub, sizeof sub, "%s/%s", path, list[i]->d_name);
                rc = collect(rd, rep, sub, files, n);
            }
            free(list[i]);
        }
        free(list);
        return rc;
    }
    if (*n >= IMPORT_MAX_FILES) {
        report_problem(rep, path, 0, NULL, 'F', "trop de fichiers pour un seul import");
        return -1;
    }
    struct imp_file f = {.path = strdup(path)};
    char why[300];
    if (!f.path) abort();
    if (!rd->classify(&f, why, sizeof why)) {
        report_problem(rep, path, 0, NULL, 'F', why);
        free(f.path);
        return -1;
    }
    *files = realloc(*files, (*n + 1) * sizeof **files);
    if (!*files) abort();
    (*files)[(*n)++] = f;
    return 0;
}

/* The school calendar of the run's school year, from the shipped data when
 * it is not in the store yet (its own transaction: reference data). */
static void calendar_ensure(struct store *s, struct report *rep)
{
    char today[11], label[10], name[64];
    clock_today(today);
    calendar_school_year_of(today, label);
    int64_t n = 0;
    if (store_int(s, &n, "SELECT count(*) FROM school_calendar WHERE school_year = $1", "t",
                  label) < 0 || n)
        return;
    snprintf(name, sizeof name, "calendrier-scolaire-%s.csv", label);
    const struct asset *c = assets_find(assets_data, assets_data_count, name);
    char err[256];
    if (c && calendar_import_csv(s, (const char *)c->data, c->len, err, sizeof err) < 0)
        report_problem(rep, name, 0, NULL, 'W', err);
}

static int run_files(const struct imp_reader *rd, struct applier *a, struct report *rep,
                     struct imp_file *f, size_t n)
{
    struct imp_sink sink = apply_sink(a);
    for (size_t i = 0; i < n; i++) {
        if (!f[i].delta) apply_complete(a, f[i].kind);
        for (int k = 0; !f[i].delta && k < IMP_KIND_COUNT; k++)
            if (f[i].complete & (1u << k)) apply_complete(a, (enum imp_kind)k);
        report_file(rep, f[i].path);
    }
    for (size_t i = 0; i < n && !rep->failed; i++) {
        if (rd->read(&f[i], &sink) < 0 && !rep->failed)
            report_problem(rep, f[i].path, 0, NULL, 'F',
                           "lecture du fichier arrêtée : rien n'est appliqué");
    }
    return rep->failed ? -1 : apply_end(a);
}

/* "import_run:ID" into buf. */
static const char *run_object(int64_t id, char *buf, size_t cap)
{
    snprintf(buf, cap, "import_run:%lld", (long long)id);
    return buf;
}

static void run_record(struct store *s, struct import_request *q, struct report *rep)
{
    char *json = report_json(rep), object[40];
    if (store_begin(s) == 0) {
        store_int(s, &q->run_id,
                  "INSERT INTO import_run (at, source, person_id, establishment_id, territory_id,"
                  " dry_run, applied, failed, report) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                  " RETURNING id",
                  "itNNNiiit", clock_now(), q->format, q->person_id, q->establishment_id,
                  q->territory_id, (int64_t)q->dry_run, (int64_t)rep->applied,
                  (int64_t)rep->failed, json ? json : "{}");
        if (rep->applied)
            store_run(s, "INSERT INTO audit (at, person_id, action, object, detail)"
                         " VALUES ($1, $2, 'import.applied', $3, $4)",
                      "iNtt", clock_now(), q->person_id,
                      run_object(q->run_id, object, sizeof object), q->format);
        store_commit(s);
    }
    free(json);
}

int import_run(struct store *s, struct import_request *q, struct report *rep)
{
    const struct imp_reader *rd = reader_of(q->format);
    struct imp_file *files = NULL;
    size_t n = 0;
    if (!rd) report_problem(rep, NULL, 0, NULL, 'F', "format d'import inconnu");
    for (size_t i = 0; rd && i < q->npaths; i++)
        if (collect(rd, rep, q->paths[i], &files, &n) < 0) break;
    if (!rep->failed && !n) report_problem(rep, NULL, 0, NULL, 'F', "aucun fichier à importer");
    if (!rep->failed) {
        qsort(files, n, sizeof *files, file_order);
        calendar_ensure(s, rep);
        if (store_begin(s) < 0) {
            report_problem(rep, NULL, 0, NULL, 'F', "base indisponible");
        } else {
            struct apply_options o = {.source = q->format, .territory_id = q->territory_id,
                                      .only_uai = q->only_uai};
            struct applier *a = apply_begin(s, rep, &o);
            int rc = a ? run_files(rd, a, rep, files, n) : -1;
            apply_free(a);
            if (rc < 0 || rep->failed || q->dry_run) {
                store_rollback(s);
            } else if (store_commit(s) < 0) {
                report_problem(rep, NULL, 0, NULL, 'F', "la base a refusé l'écriture");
            } else {
                rep->applied = true;
            }
        }
    }
    for (size_t i = 0; i < n; i++) free(files[i].path);
    free(files);
    if (rep->failed) rep->rows_written = 0;
    run_record(s, q, rep);
    return rep->failed ? -1 : 0;
}

static int usage(void)
{
    fputs("usage: carnet import aaf|onde|siecle|sts|oneroster --db DB [--dry-run]"
          " [--report-json FILE]"
          " [--now T] [--establishment UAI] [--quiet] PATH…\n"
          "  aaf     the académie's ficAlimMENESR files (…_Complet_… or …_Delta_…)\n"
          "  onde    the écoles' CSVExtraction files (pupils, responsables, teachers)\n"
          "  siecle  an establishment's ElevesAvecAdresses, ResponsablesAvecAdresses, Nomenclature\n"
          "  sts     STS-web's sts_emp_<UAI>_<YYYY>.xml (staff, services) and the timetable's\n"
          "          emp_sts_<UAI>_<YYYY>.xml (weekly courses, replacing those it made before)\n"
          "  oneroster  a OneRoster 1.1 or 1.2 CSV package (a folder or a .zip with manifest.csv)\n"
          "  --establishment UAI  refuse records of any other establishment (a head's files)\n",
          stderr);
    return 2;
}

int import_stage(struct store *s, int64_t run_id, const char *name, const void *data,
                 size_t len)
{
    return store_run(s, "INSERT INTO import_file (run_id, name, data, created_at)"
                        " VALUES ($1, $2, $3, $4)", "itbi", run_id, name, data, len, clock_now());
}

int import_tempdir(char *out, size_t cap, const char *what)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(out, cap, "%s/carnet-%s-......", tmp && *tmp ? tmp : "/tmp", what);
    if (n < 6 || (size_t)n >= cap) return -1;
    memset(out + n - 6, 'X', 6); /* mkdtemp's template */
    if (mkdtemp(out)) return 0;
    out[0] = 0;
    return -1;
}

int import_unstage(struct store *s, int64_t run_id, char *out, size_t outlen)
{
    if (import_tempdir(out, outlen, "import") < 0) return -1;
    struct stmt *st = store_q(s, "SELECT name, data FROM import_file WHERE run_id = $1 ORDER BY id",
                              "i", run_id);
    int n = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        const char *name = stmt_text(st, 0);
        size_t len = 0;
        const void *data = stmt_blob(st, 1, &len);
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", out, name);
        FILE *f = strchr(name, '/') || name[0] == '.' ? NULL : fopen(path, "wb");
        if (!f || fwrite(data, 1, len, f) != len) n = -1;
        if (f) fclose(f);
        if (n < 0) break;
        n++;
    }
    stmt_done(st);
    if (!st) n = -1;
    return n;
}

void import_unstage_done(struct store *s, int64_t run_id)
{
    store_run(s, "DELETE FROM import_file WHERE run_id = $1 OR created_at < $2", "ii", run_id,
              clock_now() - 86400);
}

void import_unstage_clean(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d) closedir(d);
    rmdir(dir);
}

int import_command(int argc, char **argv)
{
    if (argc < 3) return usage();
    const char *db = getenv("CARNET_DB"), *json = NULL;
    struct import_request q = {.format = argv[2]};
    const char **paths = calloc((size_t)argc, sizeof *paths);
    if (!paths) return 1;
    for (int i = 3; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--dry-run")) q.dry_run = true;
        else if (!strcmp(argv[i], "--quiet")) log_set_quiet(1);
        else if (!strcmp(argv[i], "--db") && v) db = argv[++i];
        else if (!strcmp(argv[i], "--report-json") && v) json = argv[++i];
        else if (!strcmp(argv[i], "--establishment") && v) q.only_uai = argv[++i];
        else if (!strcmp(argv[i], "--now") && v) {
            int64_t t;
            if (!clock_parse(v, &t)) {
                free(paths);
                fprintf(stderr, "carnet: --now wants a date and time like 2026-09-10T08:00\n");
                return 2;
            }
            clock_set(t);
            i++;
        } else if (argv[i][0] == '-') {
            free(paths);
            fprintf(stderr, "carnet: unknown option %s\n", argv[i]);
            return usage();
        } else paths[q.npaths++] = argv[i];
    }
    q.paths = paths;
    if (!db || !q.npaths) {
        free(paths);
        return usage();
    }
    char err[256];
    struct store *s = store_open(db, err, sizeof err);
    if (!s || store_migrate(s) < 0) {
        fprintf(stderr, "carnet: %s\n", s ? "migration failed" : err);
        store_close(s);
        free(paths);
        return 1;
    }
    struct report rep;
    report_init(&rep, q.format, q.dry_run);
    int rc = import_run(s, &q, &rep);
    report_print(&rep, stdout);
    if (json) {
        char *text = report_json(&rep);
        FILE *f = fopen(json, "w");
        if (!f || !text || fputs(text, f) < 0) rc = -1;
        if (f) fclose(f);
        free(text);
    }
    report_free(&rep);
    store_close(s);
    free(paths);
    return rc < 0 ? 1 : 0;
}
