/* import.h — a run of an importer: the files of one format, put in the
 * order their records depend on, read by the format's reader into the one
 * applier, in one transaction (rolled back for a dry run or on any fatal
 * problem), its report kept in import_run. Used by `carnet import` and by
 * the administration pages. */
#ifndef CARNET_IMPORT_IMPORT_H
#define CARNET_IMPORT_IMPORT_H
#include "report.h"
#include <stdbool.h>
#include <stdint.h>

struct store;

struct import_request {
    const char *format;          /* "aaf" (more to come: onde, siecle, sts, oneroster) */
    const char *const *paths;    /* files, or directories whose files are taken */
    size_t npaths;
    bool dry_run;
    int64_t person_id;           /* who runs it (0: the command line) */
    const char *only_uai;        /* a head's run: refused for another establishment */
    int64_t territory_id;        /* where new establishments go (0: the only one) */
    int64_t establishment_id;    /* the establishment a head's run is for (kept with the run) */
    int64_t run_id;              /* out: the import_run row that records this run */
};

/* Run the import into s (no transaction open). The report is filled in
 * rep (report_init done by the caller). 0 when it was applied or, for a
 * dry run, would be; -1 when it stopped (nothing written). */
int import_run(struct store *s, struct import_request *q, struct report *rep);

/* Whether format names a reader ("aaf", …). */
bool import_format_known(const char *format);
/* The formats, for a page's choice: the i-th, NULL past the end. */
const char *import_format_at(size_t i);

/* Keep a file of a checked run (a page's upload) so that any node can
 * apply the run later. name must be a plain file name. 0 or -1. */
int import_stage(struct store *s, int64_t run_id, const char *name, const void *data,
                 size_t len);
/* A new private directory $TMPDIR/carnet-<what>-?????? (mkdtemp), its path
 * into out. 0, or -1 (out then holds no directory). */
int import_tempdir(char *out, size_t cap, const char *what);
/* Write the files of run_id into a new temporary directory (its path into
 * out); their number, or -1. */
int import_unstage(struct store *s, int64_t run_id, char *out, size_t outlen);
/* Forget the staged files of run_id and those older than a day. */
void import_unstage_done(struct store *s, int64_t run_id);
/* Remove a directory made by import_unstage, with its files. */
void import_unstage_clean(const char *dir);

/* `carnet import FORMAT --db DB [--dry-run] [--report-json FILE] [--now T] PATH…`
 * (argv[1] is "import"). Returns the process's exit status. */
int import_command(int argc, char **argv);

#endif
