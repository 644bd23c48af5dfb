/* emit.h — what the ONDE and SIECLE readers share to build the records
 * they send (record.h): list items, a relative's children, a staff
 * member's functions, dates, and the digest of a record's content, by
 * which the applier skips a record unchanged since the last run. */
#ifndef CARNET_IMPORT_EMIT_H
#define CARNET_IMPORT_EMIT_H
#include "record.h"
#include "../core/arena.h"

/* Append (x, y, z) to l, in arena a (an item already there is not added
 * twice: same x and y). */
void emit_item(struct arena *a, struct imp_list *l, const char *x, const char *y, const char *z);
/* Append the child l to r->children unless r has that pupil already. */
void emit_child(struct arena *a, struct imp_record *r, const struct imp_link *l);
/* Append the function f to r->functions unless r has that type in that
 * establishment already. */
void emit_function(struct arena *a, struct imp_record *r, const struct imp_function *f);
/* A date written dd/mm/yyyy (d/m/yyyy, with - or . also) or yyyy-mm-dd,
 * as YYYY-MM-DD in out; false when s is not a real day of 1900 … 2100.
 * No allocation. */
bool emit_date(const char *s, char out[11]);
/* Fill r->digest from r's content: its kind, operation, key, every field
 * and every list in order. No allocation. */
void emit_digest(struct imp_record *r);

#endif
