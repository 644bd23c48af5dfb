/* aaf.h — reader of the AAF feed (Annuaire Académique Fédérateur): the
 * académie's `ficAlimMENESR` XML files, Complet or Delta, turned into
 * normalised records (record.h). Streaming (libxml2's reader): constant
 * memory whatever the size of the file. The XML declaration's encoding is
 * honoured; no DTD is loaded, no entity expanded, nothing read from the
 * network or from another file, ever. */
#ifndef CARNET_IMPORT_AAF_H
#define CARNET_IMPORT_AAF_H
#include "record.h"

/* The kind of records a file holds, from its name
 * (…_<Complet|Delta>_<YYYYMMDD>_<Type>_<NNNN>.xml, any prefix). */
struct aaf_name {
    enum imp_kind kind;
    bool delta;
    int date;  /* YYYYMMDD */
    int batch;
};
/* Parse the base name of path into *n. False when it does not follow the
 * naming: such a file is refused (whether it is a Complet or a Delta cannot
 * be told from its records). */
bool aaf_name_parse(const char *path, struct aaf_name *n);
/* Read every record of path and send it to sink, in file order. Records of
 * another kind than the file's (n->kind) are reported and skipped; an
 * addRequest is a FULL record in a Complet file, an ADD in a Delta.
 * Returns 0 when the whole file was read, -1 when it is not well-formed
 * XML, uses a forbidden construct (entity declarations) or the sink
 * stopped: the problem is then reported through the sink. */
int aaf_read(const char *path, const struct aaf_name *n, struct imp_sink *sink);

#endif
