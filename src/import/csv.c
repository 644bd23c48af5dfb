/* csv.c — the streaming CSV reader of the imports (see csv.h).
 *
 * Bytes come from a buffer (the file's, refilled, or the caller's memory)
 * one at a time through a small state machine; the field being read is
 * kept raw, then copied into the record converted to UTF-8 when it ends.
 * The delimiter is found on the header line before it is parsed, which is
 * why the file's buffer holds a whole line. */
#include "csv.h"
#include "../core/limits.h"
#include "../core/text.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes read from a file at a time: a whole header line fits. */
#define CSV_BUF_BYTES (LIMIT_CSV_LINE_BYTES + 8)
/* Room for a folded header name (longer names are compared on this much). */
#define CSV_FOLDED_BYTES 256

struct csv {
    FILE *f;
    const unsigned char *data; /* the bytes at hand: buf, or the caller's memory */
    size_t len, pos;
    unsigned char *buf;        /* the file's buffer (NULL for memory) */
    bool eof, ioerr, failed;
    int back;                  /* a byte read ahead and given back, or -1 */
    char delim;
    long line, rec_line;       /* the line being read; the current record's first */
    char *fld;                 /* the field being read, as in the file */
    size_t fld_len, fld_cap;
    char *out;                 /* the record: fields in UTF-8, each NUL-terminated */
    size_t out_len, out_cap;
    size_t off[LIMIT_CSV_COLUMNS]; /* field i at out + off[i] */
    size_t nfields;
    bool stray;
    char **names, **folded;    /* the header, trimmed; and folded for lookups */
    size_t ncols;
    unsigned long converted;
    char err[200];
};

/* Record why reading stops; returns -1. */
static int fail(struct csv *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct csv *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    c->failed = true;
    return -1;
}

/* realloc that never returns NULL (out of memory aborts, as the arena does). */
static void *grow(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) abort();
    return q;
}

/* Read the next block of the file into the buffer (nothing for memory). */
static void fill(struct csv *c)
{
    if (!c->f || c->eof) return;
    size_t n = fread(c->buf, 1, CSV_BUF_BYTES, c->f);
    if (n < CSV_BUF_BYTES) {
        c->eof = true;
        c->ioerr = ferror(c->f) != 0;
    }
    c->data = c->buf;
    c->len = n;
    c->pos = 0;
}

/* The next byte, or -1 at the end of the input (or on a read error). */
static int get(struct csv *c)
{
    if (c->back >= 0) {
        int b = c->back;
        c->back = -1;
        return b;
    }
    if (c->pos == c->len) fill(c);
    return c->pos < c->len ? c->data[c->pos++] : -1;
}

/* Append byte b to the field being read. 0 or -1 (too long). */
static int put(struct csv *c, int b)
{
    if (c->fld_len >= LIMIT_CSV_FIELD_BYTES)
        return fail(c, "ligne %ld : un champ dépasse %d octets", c->line, LIMIT_CSV_FIELD_BYTES);
    if (c->fld_len == c->fld_cap) {
        c->fld_cap = c->fld_cap ? 2 * c->fld_cap : 256;
        c->fld = grow(c->fld, c->fld_cap);
    }
    c->fld[c->fld_len++] = (char)b;
    return 0;
}

/* Append n bytes to the record. */
static void out_add(struct csv *c, const void *s, size_t n)
{
    if (!n) return;
    if (c->out_len + n > c->out_cap) {
        while (c->out_len + n > c->out_cap) c->out_cap = c->out_cap ? 2 * c->out_cap : 1024;
        c->out = grow(c->out, c->out_cap);
    }
    memcpy(c->out + c->out_len, s, n);
    c->out_len += n;
}

/* Windows-1252's characters 0x80 … 0x9F (U+FFFD for the five it leaves
 * undefined); 0xA0 … 0xFF are Latin-1's, U+00A0 … U+00FF. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

/* Append code point cp (below U+10000) to the record in UTF-8. */
static void out_cp(struct csv *c, unsigned cp)
{
    char u[3];
    size_t n = 0;
    if (cp < 0x80) {
        u[n++] = (char)cp;
    } else if (cp < 0x800) {
        u[n++] = (char)(0xC0 | (cp >> 6));
        u[n++] = (char)(0x80 | (cp & 0x3F));
    } else {
        u[n++] = (char)(0xE0 | (cp >> 12));
        u[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[n++] = (char)(0x80 | (cp & 0x3F));
    }
    out_add(c, u, n);
}

/* End the field being read: into the record, in UTF-8. 0 or -1. */
static int end_field(struct csv *c)
{
    if (c->nfields >= LIMIT_CSV_COLUMNS)
        return fail(c, "ligne %ld : plus de %d champs", c->rec_line, LIMIT_CSV_COLUMNS);
    c->off[c->nfields++] = c->out_len;
    if (text_utf8_valid(c->fld, c->fld_len)) {
        out_add(c, c->fld, c->fld_len);
    } else {
        c->converted++;
        for (size_t i = 0; i < c->fld_len; i++) {
            unsigned char b = (unsigned char)c->fld[i];
            out_cp(c, b >= 0x80 && b < 0xA0 ? cp1252_high[b - 0x80] : b);
        }
    }
    out_add(c, "", 1);
    c->fld_len = 0;
    return 0;
}

/* A line ends at b (CR or LF): a CRLF is one line end. */
static void end_line(struct csv *c, int b)
{
    if (b == '\r') {
        int n = get(c);
        if (n >= 0 && n != '\n') c->back = n;
    }
    c->line++;
}

/* Where a field is: at its start (blanks only so far), in plain text, in
 * quoted text, or just after a quote inside quoted text. */
enum state { S_START, S_PLAIN, S_QUOTED, S_QUOTE };

/* One byte b of a field outside quotes (state *s). 1 when the record
 * ends, 0 to go on, -1 on error. */
static int plain_byte(struct csv *c, enum state *s, int b)
{
    if (b == c->delim) {
        *s = S_START;
        return end_field(c);
    }
    if (b == '\r' || b == '\n') {
        end_line(c, b);
        return end_field(c) < 0 ? -1 : 1;
    }
    if (b == '"' && *s == S_START) { /* blanks before an opening quote are dropped */
        c->fld_len = 0;
        *s = S_QUOTED;
        return 0;
    }
    bool blank = b == ' ' || b == '\t';
    if (*s == S_QUOTE && blank) return 0; /* blanks after a closing quote are dropped */
    if (*s == S_QUOTE) c->stray = true;    /* text after a closing quote: kept */
    if (!blank) *s = S_PLAIN;
    return put(c, b);
}

/* One byte b inside quotes. 0 or -1. */
static int quoted_byte(struct csv *c, enum state *s, int b)
{
    if (b == '"') {
        *s = S_QUOTE;
        return 0;
    }
    if (b == '\r' || b == '\n') {
        end_line(c, b);
        return put(c, '\n');
    }
    return put(c, b);
}

/* Read one record (whether blank or not). 1, 0 at the end, -1 on error. */
static int read_record(struct csv *c)
{
    c->nfields = c->out_len = c->fld_len = 0;
    c->stray = false;
    c->rec_line = c->line;
    enum state s = S_START;
    long quote_line = 0;
    size_t bytes = 0;
    int b, rc = 0;
    while ((b = get(c)) >= 0) {
        if (++bytes > LIMIT_CSV_LINE_BYTES)
            return fail(c, "ligne %ld : la ligne dépasse %d octets", c->rec_line,
                        LIMIT_CSV_LINE_BYTES);
        if (b == 0)
            return fail(c, "ligne %ld : octet nul : ce n'est pas un fichier texte", c->line);
        if (s == S_QUOTE && b == '"') { /* a doubled quote */
            s = S_QUOTED;
            rc = put(c, '"');
        } else if (s == S_QUOTED) {
            rc = quoted_byte(c, &s, b);
        } else {
            enum state was = s;
            rc = plain_byte(c, &s, b);
            if (s == S_QUOTED && was != S_QUOTED) quote_line = c->line;
        }
        if (rc != 0) return rc;
    }
    if (c->ioerr) return fail(c, "ligne %ld : erreur de lecture du fichier", c->line);
    if (s == S_QUOTED)
        return fail(c, "fin du fichier dans un champ entre guillemets ouvert ligne %ld "
                       "(fichier tronqué ?)", quote_line);
    if (!bytes) return 0;
    return end_field(c) < 0 ? -1 : 1;
}

/* Whether every field of the record is empty (an empty line, ";;;"). */
static bool blank(const struct csv *c)
{
    for (size_t i = 0; i < c->nfields; i++)
        if (c->out[c->off[i]]) return false;
    return true;
}

int csv_next(struct csv *c)
{
    if (c->failed) return -1;
    int rc;
    do rc = read_record(c);
    while (rc == 1 && blank(c));
    if (rc <= 0) c->nfields = 0;
    return rc;
}

/* Skip the BOM and the empty lines before the header; refuse UTF-16. */
static int skip_lead(struct csv *c)
{
    const unsigned char *d = c->data;
    if (c->len >= 2 && ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF)))
        return fail(c, "fichier en UTF-16 : enregistrez-le en CSV UTF-8 (ou CSV Windows)");
    if (c->len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) c->pos = 3;
    while (c->pos < c->len && (d[c->pos] == '\n' || d[c->pos] == '\r')) {
        if (d[c->pos] == '\n' || c->pos + 1 == c->len || d[c->pos + 1] != '\n') c->line++;
        c->pos++;
    }
    return 0;
}

/* The delimiter of the header line: the candidate seen most often outside
 * quotes in the buffered bytes up to the first line end (; when none). */
static char find_delimiter(const struct csv *c)
{
    static const char cand[4] = {';', ',', '\t', '|'};
    size_t count[4] = {0};
    bool quoted = false;
    for (size_t i = c->pos; i < c->len; i++) {
        unsigned char b = c->data[i];
        if (b == '"') quoted = !quoted;
        if (quoted) continue;
        if (b == '\n' || b == '\r') break;
        for (int k = 0; k < 4; k++) count[k] += b == (unsigned char)cand[k];
    }
    int best = 0;
    for (int k = 1; k < 4; k++)
        if (count[k] > count[best]) best = k;
    return cand[best];
}

/* s trimmed of spaces, tabs and no-break spaces, allocated. */
static char *trim_copy(const char *s)
{
    size_t n = strlen(s);
    while (*s == ' ' || *s == '\t' || (n >= 2 && (unsigned char)s[0] == 0xC2
                                        && (unsigned char)s[1] == 0xA0)) {
        size_t k = *s == ' ' || *s == '\t' ? 1 : 2;
        s += k;
        n -= k;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'
                 || (n >= 2 && (unsigned char)s[n - 2] == 0xC2 && (unsigned char)s[n - 1] == 0xA0)))
        n -= s[n - 1] == ' ' || s[n - 1] == '\t' ? 1 : 2;
    char *t = grow(NULL, n + 1);
    memcpy(t, s, n);
    t[n] = 0;
    return t;
}

/* Read the header line into names. 0 or -1. */
static int read_header(struct csv *c)
{
    if (skip_lead(c) < 0) return -1;
    c->delim = find_delimiter(c);
    int rc = csv_next(c);
    if (rc < 0) return -1;
    if (rc == 0) return fail(c, "fichier vide : la ligne d'en-tête manque");
    c->ncols = c->nfields;
    c->names = grow(NULL, c->ncols * sizeof *c->names);
    c->folded = grow(NULL, c->ncols * sizeof *c->folded);
    for (size_t i = 0; i < c->ncols; i++) {
        c->names[i] = trim_copy(c->out + c->off[i]);
        c->folded[i] = grow(NULL, CSV_FOLDED_BYTES);
        csv_fold(c->names[i], c->folded[i], CSV_FOLDED_BYTES, CSV_FOLD_NAME);
    }
    return 0;
}

/* A reader with nothing read yet. */
static struct csv *csv_new(void)
{
    struct csv *c = grow(NULL, sizeof *c);
    memset(c, 0, sizeof *c);
    c->back = -1;
    c->line = 1;
    return c;
}

/* Read the header of c; NULL (c freed) with the reason in err. */
static struct csv *opened(struct csv *c, char *err, size_t errlen)
{
    if (read_header(c) == 0) return c;
    snprintf(err, errlen, "%s", c->err);
    csv_close(c);
    return NULL;
}

struct csv *csv_open_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "fichier illisible");
        return NULL;
    }
    struct csv *c = csv_new();
    c->f = f;
    c->buf = grow(NULL, CSV_BUF_BYTES);
    fill(c);
    if (c->ioerr) {
        snprintf(err, errlen, "fichier illisible");
        csv_close(c);
        return NULL;
    }
    return opened(c, err, errlen);
}

struct csv *csv_open_mem(const void *data, size_t len, char *err, size_t errlen)
{
    struct csv *c = csv_new();
    c->data = data;
    c->len = data ? len : 0;
    c->eof = true;
    return opened(c, err, errlen);
}

void csv_close(struct csv *c)
{
    if (!c) return;
    if (c->f) fclose(c->f);
    for (size_t i = 0; i < c->ncols; i++) {
        free(c->names[i]);
        free(c->folded[i]);
    }
    free(c->names);
    free(c->folded);
    free(c->buf);
    free(c->fld);
    free(c->out);
    free(c);
}

const char *csv_error(const struct csv *c)
{
    return c->err;
}

size_t csv_columns(const struct csv *c)
{
    return c->ncols;
}

const char *csv_name(const struct csv *c, size_t i)
{
    return i < c->ncols ? c->names[i] : NULL;
}

char csv_delimiter(const struct csv *c)
{
    return c->delim;
}

size_t csv_fields(const struct csv *c)
{
    return c->nfields;
}

const char *csv_field(const struct csv *c, size_t i)
{
    return i < c->nfields ? c->out + c->off[i] : NULL;
}

long csv_line(const struct csv *c)
{
    return c->rec_line;
}

bool csv_stray_quote(const struct csv *c)
{
    return c->stray;
}

unsigned long csv_converted(const struct csv *c)
{
    return c->converted;
}

/* Whether folded header h is folded name n, or (numbered) n and digits. */
static bool folded_same(const char *h, const char *n, bool numbered)
{
    size_t k = strlen(n);
    if (strncmp(h, n, k)) return false;
    if (!h[k]) return true;
    if (!numbered || !k || (n[k - 1] >= '0' && n[k - 1] <= '9')) return false;
    for (h += k; *h; h++)
        if (*h < '0' || *h > '9') return false;
    return true;
}

bool csv_same_name(const char *header, const char *name, bool numbered)
{
    char h[CSV_FOLDED_BYTES], n[CSV_FOLDED_BYTES];
    csv_fold(header, h, sizeof h, CSV_FOLD_NAME);
    csv_fold(name, n, sizeof n, CSV_FOLD_NAME);
    return folded_same(h, n, numbered);
}

int csv_find(const struct csv *c, const char *name, size_t from, size_t to, bool numbered)
{
    char n[CSV_FOLDED_BYTES];
    csv_fold(name, n, sizeof n, CSV_FOLD_NAME);
    for (size_t i = from; i < to && i < c->ncols; i++)
        if (folded_same(c->folded[i], n, numbered)) return (int)i;
    return -1;
}

int csv_index(const struct csv *c, const char *name, unsigned nth)
{
    int i = -1;
    for (unsigned k = 0; k <= nth; k++)
        if ((i = csv_find(c, name, (size_t)(i + 1), c->ncols, false)) < 0) return -1;
    return i;
}

const char *csv_get(const struct csv *c, const char *name, unsigned nth)
{
    int i = csv_index(c, name, nth);
    return i < 0 ? NULL : csv_field(c, (size_t)i);
}

/* ---- folding -------------------------------------------------------------- */

/* U+00C0 … U+00FF without their accents ("" for × and ÷). */
static const char *const latin1_base[64] = {
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    "D", "N", "O", "O", "O", "O", "O", "", "O", "U", "U", "U", "U", "Y", "TH", "SS",
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    "D", "N", "O", "O", "O", "O", "O", "", "O", "U", "U", "U", "U", "Y", "TH", "Y"};

/* The ASCII letters of the character at p ("" when none) and its length
 * in bytes in *len. */
static const char *base_of(const unsigned char *p, size_t *len, char one[2])
{
    *len = 1;
    if (*p < 0x80) {
        bool digit = *p >= '0' && *p <= '9', lower = *p >= 'a' && *p <= 'z';
        one[0] = lower ? (char)(*p - 'a' + 'A') : digit || (*p >= 'A' && *p <= 'Z') ? (char)*p : 0;
        one[1] = 0;
        return one;
    }
    while ((p[*len] & 0xC0) == 0x80) (*len)++;
    if (*len != 2) return "";
    if (p[0] == 0xC3) return latin1_base[p[1] - 0x80];
    if (p[0] == 0xC5) {
        switch (p[1]) {
        case 0x92: case 0x93: return "OE";
        case 0xA0: case 0xA1: return "S";
        case 0xB8: return "Y";
        case 0xBD: case 0xBE: return "Z";
        default: return "";
        }
    }
    return "";
}

size_t csv_fold(const char *s, char *out, size_t cap, enum csv_fold mode)
{
    size_t n = 0;
    bool gap = false;
    char one[2];
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
        size_t len;
        const char *b = base_of(p, &len, one);
        p += len;
        if (!*b) {
            gap = true;
            continue;
        }
        size_t k = strlen(b), sp = mode == CSV_FOLD_KEY && gap && n;
        if (n + sp + k + 1 > cap) break;
        if (sp) out[n++] = ' ';
        memcpy(out + n, b, k);
        n += k;
        gap = false;
    }
    if (cap) out[n] = 0;
    return n;
}
