/* store_search.c — full-text search of messages, the part every driver
 * shares: a person's search text split into words, and the call to the
 * driver's own query (store_search_sqlite.c for SQLite). */
#include "store_impl.h"
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at s (1…4) and its code point in
 * *cp, or 0 when the bytes are not one (no overlongs, no surrogates). */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t n = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (!n) return 0;
    uint32_t c = s[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0; /* also stops at the NUL */
        c = c << 6 | (s[i] & 0x3F);
    }
    if ((n == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) || (n == 4 && (c < 0x10000 || c > 0x10FFFF))) return 0;
    *cp = c;
    return n;
}

/* Does code point c belong to a word? ASCII letters and digits do; beyond
 * ASCII every character does but the punctuation, spaces and symbols a
 * person is likely to type (« » — ’ … € emoji…), which the index's tokenizer
 * ignores too. */
static bool word_char(uint32_t c)
{
    if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (c <= 0xBF) /* controls, no-break space, ¡ « » ° § … but ª ² ³ µ ¹ º ¼ ½ ¾ */
        return c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9 || c == 0xBA || (c >= 0xBC && c <= 0xBE);
    if (c == 0xD7 || c == 0xF7) return false;                  /* × ÷ */
    if (c >= 0x2000 && c <= 0x2BFF) return false;              /* spaces, dashes, quotes, …, €, arrows, symbols */
    if (c >= 0x3000 && c <= 0x303F) return false;              /* CJK punctuation */
    if (c >= 0xFE00 && c <= 0xFE0F) return false;              /* variation selectors */
    if (c >= 0xFE30 && c <= 0xFE6F) return false;              /* compatibility and small forms */
    if (c >= 0xFF00 && c <= 0xFF0F) return false;              /* fullwidth punctuation */
    if (c == 0xFEFF || c == 0xFFFD) return false;              /* byte-order mark, replacement character */
    if (c >= 0x1F000 && c <= 0x1FAFF) return false;            /* emoji and pictographs */
    return true;
}

static bool apostrophe(uint32_t c) { return c == '\'' || c == 0x2019 || c == 0x02BC; }

size_t store_search_terms(const char *text, struct store_terms *t)
{
    memset(t, 0, sizeof *t);
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    while (*p && t->n < LIMIT_SEARCH_TERMS) {
        uint32_t c = 0;
        size_t k = utf8_next(p, &c);
        if (!k || !word_char(c)) { /* a separator, or a byte of invalid UTF-8 */
            p += k ? k : 1;
            continue;
        }
        /* A word: copy it whole, or up to the limit at a character boundary. */
        struct store_term *w = &t->term[t->n];
        size_t len = 0, chars = 0;
        bool ascii_letters = true, cut = false;
        while (*p) {
            k = utf8_next(p, &c);
            if (!k || !word_char(c)) break;
            if (len + k > LIMIT_SEARCH_TERM_BYTES) cut = true;
            if (!cut) {
                memcpy(w->text + len, p, k);
                len += k;
                chars++;
                ascii_letters &= c < 0x80 && !(c >= '0' && c <= '9');
            }
            p += k;
        }
        w->text[len] = 0;
        w->prefix = cut;
        /* French elision: "l'", "d'", "qu'" before a word carry nothing. */
        uint32_t next = 0, after = 0;
        size_t ka = *p ? utf8_next(p, &next) : 0;
        if (!cut && ascii_letters && chars <= 2 && ka && apostrophe(next) && utf8_next(p + ka, &after) && word_char(after)) {
            memset(w, 0, sizeof *w);
            continue;
        }
        t->n++;
    }
    if (t->n) t->term[t->n - 1].prefix = true;
    return t->n;
}

struct stmt *store_message_search(struct store *s, int64_t person, const char *terms, int64_t now, int limit)
{
    struct store_terms t;
    if (!store_search_terms(terms, &t)) return NULL;
    if (limit < 1 || limit > LIMIT_SEARCH_RESULTS) limit = LIMIT_SEARCH_RESULTS;
    return s->drv->message_search(s, person, &t, now, limit);
}
