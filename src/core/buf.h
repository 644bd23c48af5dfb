/* buf.h — a growable byte buffer and the escaping printf used for all HTML.
 *
 * buf_fmt() conversions (checked at build time by tools/fmtcheck):
 *   %h   const char *  HTML-escaped text (safe in element content and quoted attributes)
 *   %u   const char *  percent-encoded URL component
 *   %j   const char *  escaped for the inside of a JSON / JavaScript string
 *   %d   int           %I  int64_t       %z  size_t
 *   %R   const char *  raw, already-safe HTML: the marked exception; the line
 *                      must carry a RAW_OK comment saying why it is safe
 *   %%   a percent sign
 * A NULL string prints as nothing. There is deliberately no %s. */
#ifndef CARNET_BUF_H
#define CARNET_BUF_H
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

struct buf {
    char *p;
    size_t len, cap;
};

/* Start empty; allocates on first write (malloc; buf_free releases). */
void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_put(struct buf *b, const void *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
/* Return the contents NUL-terminated (the buffer keeps ownership). */
const char *buf_cstr(struct buf *b);

void buf_html(struct buf *b, const char *s);
void buf_url(struct buf *b, const char *s);
void buf_json(struct buf *b, const char *s);

/* The escaping printf described above. Formats must be string literals. */
void buf_fmt(struct buf *b, const char *fmt, ...);
void buf_vfmt(struct buf *b, const char *fmt, va_list ap);

#endif
