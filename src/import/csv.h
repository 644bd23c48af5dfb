/* csv.h — a streaming reader of the CSV files imports are given (ONDE's
 * extractions, OneRoster…), as spreadsheets and old exporters write them:
 *
 *   - RFC 4180 quoting: a quoted field may hold the delimiter, doubled
 *     quotes and line breaks (a CRLF inside one is read as LF);
 *   - the delimiter is found on the header line, among ; , TAB and |
 *     (the one seen most often outside quotes; ; when none is);
 *   - a UTF-8 BOM is skipped; each field whose bytes are valid UTF-8 is
 *     kept, any other is read as Windows-1252 (Latin-1's superset) and
 *     converted to UTF-8; a UTF-16 file is refused with a clear message;
 *   - lines end with CRLF, LF or CR; empty lines, and lines of delimiters
 *     only, are skipped;
 *   - header names are trimmed and may repeat; a column is found by index,
 *     by name and occurrence, or by name within a range of columns, names
 *     compared without case, accents, spaces, underscores or punctuation;
 *   - ragged rows: a field missing at the end of a record reads as NULL,
 *     fields beyond the header's are counted for the caller to report;
 *   - each record knows the physical line it starts on;
 *   - the limits of src/core/limits.h (LIMIT_CSV_*) stop the reading with
 *     a message naming the line.
 *
 * Memory: one record at a time (and the header), whatever the file's size.
 * Messages are in French: they reach the import's report as they are. */
#ifndef CARNET_IMPORT_CSV_H
#define CARNET_IMPORT_CSV_H
#include <stdbool.h>
#include <stddef.h>

struct csv;

/* Open the file at path and read its header. NULL on failure, with the
 * reason in err. Allocates: csv_close frees. */
struct csv *csv_open_file(const char *path, char *err, size_t errlen);
/* The same on len bytes at data (not copied: they must outlive the csv). */
struct csv *csv_open_mem(const void *data, size_t len, char *err, size_t errlen);
/* Free c and close its file (c may be NULL). */
void csv_close(struct csv *c);

/* Read the next record: 1 when there is one, 0 at the end of the file,
 * -1 when the file cannot be read further (csv_error says why). The
 * previous record's fields are no longer valid. No allocation beyond the
 * reader's buffers. */
int csv_next(struct csv *c);
/* Why reading stopped ("" when it did not), with the line. */
const char *csv_error(const struct csv *c);

/* The header: its number of columns and the trimmed name of column i. */
size_t csv_columns(const struct csv *c);
const char *csv_name(const struct csv *c, size_t i);
/* The delimiter found. */
char csv_delimiter(const struct csv *c);

/* The current record: its number of fields (possibly more or fewer than
 * the header's), field i (NULL when the record stops before), and the
 * physical line it starts on (1 for the header). */
size_t csv_fields(const struct csv *c);
const char *csv_field(const struct csv *c, size_t i);
long csv_line(const struct csv *c);
/* Whether a field of the current record had a quote in the middle of its
 * text after a closing quote ("ab"cd): it was kept as it was read. */
bool csv_stray_quote(const struct csv *c);
/* How many fields of the file so far were converted from Windows-1252. */
unsigned long csv_converted(const struct csv *c);

/* The index of the nth (0 the first) column named name, or -1. */
int csv_index(const struct csv *c, const char *name, unsigned nth);
/* The index of the first column named name in [from, to), or -1. With
 * numbered, a name followed by a number also matches ("Nom enfant 2"). */
int csv_find(const struct csv *c, const char *name, size_t from, size_t to, bool numbered);
/* Field named name (nth occurrence) of the current record, or NULL. */
const char *csv_get(const struct csv *c, const char *name, unsigned nth);

/* Whether the header name and name are the same once folded (see
 * CSV_FOLD_NAME); numbered as for csv_find. No allocation. */
bool csv_same_name(const char *header, const char *name, bool numbered);

/* Folding UTF-8 text to upper-case ASCII, accents removed (Latin-1
 * letters, Œ, Æ, ß, Ÿ): CSV_FOLD_NAME drops everything that is not a
 * letter or a digit ("Date de naissance" → "DATEDENAISSANCE");
 * CSV_FOLD_KEY turns each run of other characters into one space, none at
 * the ends ("N'Diaye-Lê" → "N DIAYE LE"). Writes at most cap bytes with
 * the NUL (cap ≥ 1); returns the length written. No allocation. */
enum csv_fold { CSV_FOLD_NAME, CSV_FOLD_KEY };
size_t csv_fold(const char *s, char *out, size_t cap, enum csv_fold mode);

#endif
