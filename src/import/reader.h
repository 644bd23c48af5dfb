/* reader.h — what every format's reader offers the import run (import.c):
 * telling what a file holds (its kind of records, complete or delta, its
 * date and batch, so that files apply in the order records depend on) and
 * reading it into a sink. One reader per format: aaf.c, and next onde.c,
 * siecle.c, oneroster.c. */
#ifndef CARNET_IMPORT_READER_H
#define CARNET_IMPORT_READER_H
#include "record.h"

struct imp_file {
    char *path;
    enum imp_kind kind; /* the records it holds */
    int order;          /* files apply in this order at one date (the kind, unless the
                           format needs another: ONDE lists children on the relatives' side) */
    bool delta;         /* a delta (changes) rather than a complete export */
    int date;           /* YYYYMMDD when the name tells, else 0 */
    int batch;          /* the batch number of a split export */
    int type;           /* the reader's own tag for the file */
    unsigned complete;  /* kinds (bits 1 << imp_kind) a complete file holds besides kind
                           (a OneRoster package: pupils and staff) */
};

struct imp_reader {
    const char *format;  /* as `carnet import FORMAT` names it */
    /* Fill f (path set) from what the file is; false with the reason in
     * why when it is not a file of this format. */
    bool (*classify)(struct imp_file *f, char *why, size_t whylen);
    /* Send every record of f to sink. 0, or -1 when the file cannot be
     * read to its end (reported through the sink): the run stops. */
    int (*read)(const struct imp_file *f, struct imp_sink *sink);
    /* Formats whose files depend on each other (OneRoster): whether the
     * folder dir is one package, classified and read as one file; NULL
     * when every file of a folder stands alone. */
    bool (*package)(const char *dir);
};

extern const struct imp_reader aaf_reader;
extern const struct imp_reader onde_reader;
extern const struct imp_reader siecle_reader;
extern const struct imp_reader oneroster_reader;

#endif
