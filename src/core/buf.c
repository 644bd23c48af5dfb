/* buf.c — growable buffer and escaping printf. */
#include "buf.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b) { b->p = NULL; b->len = b->cap = 0; }

void buf_free(struct buf *b)
{
    free(b->p);
    buf_init(b);
}

void buf_reset(struct buf *b) { b->len = 0; }

static void grow(struct buf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + more + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) { fputs("buf: out of memory\n", stderr); abort(); }
    b->p = p;
    b->cap = cap;
}

void buf_put(struct buf *b, const void *s, size_t n)
{
    grow(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void buf_puts(struct buf *b, const char *s) { if (s) buf_put(b, s, strlen(s)); }

void buf_putc(struct buf *b, char c) { buf_put(b, &c, 1); }

const char *buf_cstr(struct buf *b)
{
    grow(b, 0);
    b->p[b->len] = 0;
    return b->p;
}

void buf_html(struct buf *b, const char *s)
{
    if (!s) return;
    const char *run = s;
    for (; *s; s++) {
        const char *rep;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        buf_put(b, run, (size_t)(s - run));
        buf_puts(b, rep);
        run = s + 1;
    }
    buf_put(b, run, (size_t)(s - run));
}

void buf_url(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!s) return;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            buf_putc(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_put(b, e, 3);
        }
    }
}

void buf_json(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (!s) return;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        case '<': buf_puts(b, "\\u003c"); break; /* never close a <script> */
        case '>': buf_puts(b, "\\u003e"); break;
        case '&': buf_puts(b, "\\u0026"); break;
        default:
            if (c < 0x20) {
                char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                buf_put(b, e, 6);
            } else {
                buf_putc(b, (char)c);
            }
        }
    }
}

void buf_vfmt(struct buf *b, const char *fmt, va_list ap)
{
    const char *run = fmt;
    char num[32];
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') continue;
        buf_put(b, run, (size_t)(f - run));
        f++;
        switch (*f) {
        case 'h': buf_html(b, va_arg(ap, const char *)); break;
        case 'u': buf_url(b, va_arg(ap, const char *)); break;
        case 'j': buf_json(b, va_arg(ap, const char *)); break;
        case 'R': buf_puts(b, va_arg(ap, const char *)); break;
        case 'd': snprintf(num, sizeof num, "%d", va_arg(ap, int)); buf_puts(b, num); break;
        case 'I': snprintf(num, sizeof num, "%" PRId64, va_arg(ap, int64_t)); buf_puts(b, num); break;
        case 'z': snprintf(num, sizeof num, "%zu", va_arg(ap, size_t)); buf_puts(b, num); break;
        case '%': buf_putc(b, '%'); break;
        default:
            /* tools/fmtcheck refuses this at build time; never reached. */
            fprintf(stderr, "buf_vfmt: bad conversion %%%c in \"%s\"\n", *f ? *f : '?', fmt);
            abort();
        }
        run = f + 1;
    }
    buf_puts(b, run);
}

void buf_fmt(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vfmt(b, fmt, ap);
    va_end(ap);
}
