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
};

/* Run the import into s (no transaction open). The report is filled in
 * rep (report_init done by the caller). 0 when it was applied or, for a
 * dry run, would be; -1 when it stopped (nothing written). */
int import_run(struct store *s, const struct import_request *q, struct report *rep);

/* `carnet import FORMAT --db DB [--dry-run] [--report-json FILE] [--now T] PATH…`
 * (argv[1] is "import"). Returns the process's exit status. */
int import_command(int argc, char **argv);

#endif
