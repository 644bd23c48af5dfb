/* apply.h — the one applier of every importer: it matches normalised
 * records (record.h) to what the store holds — source keys first —,
 * counts what it creates, changes and closes in the report, and writes it.
 * The caller holds the transaction: one per run, rolled back for a dry run
 * or on failure, so that nothing is ever half-applied. */
#ifndef CARNET_IMPORT_APPLY_H
#define CARNET_IMPORT_APPLY_H
#include "record.h"
#include "report.h"
#include <stdbool.h>
#include <stdint.h>

struct store;
struct applier;

struct apply_options {
    const char *source;       /* 'aaf', 'onde'… : the key space of the records */
    int64_t territory_id;     /* where new establishments go (0: the only territory) */
    const char *only_uai;     /* a head's run: records of another establishment refused */
};

/* Load what the store knows of the source (keys, logins, classes of the
 * current school year) inside the caller's transaction. NULL (reported in
 * rep) on error. */
struct applier *apply_begin(struct store *s, struct report *rep, const struct apply_options *o);
/* Declare that the run holds a complete export of records of kind k: at
 * apply_end, the roles that such an export no longer lists are ended. */
void apply_complete(struct applier *a, enum imp_kind k);
/* Apply one record. 0, or -1 when the store failed (the run must stop). */
int apply_record(struct applier *a, const struct imp_record *r);
/* Report a problem of a record (sink function). */
void apply_problem(struct applier *a, const struct imp_where *at, char severity,
                   const char *message);
/* End the run: close what complete exports no longer list. 0 or -1. */
int apply_end(struct applier *a);
void apply_free(struct applier *a);

/* A sink that sends records to applier a. */
struct imp_sink apply_sink(struct applier *a);

#endif
