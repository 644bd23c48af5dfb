/* form.c — strict parsers: malformed input is refused, never guessed. */
#include "form.h"
#include "limits.h"
#include "text.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int form_decode(struct arena *a, const char *s, size_t n, bool plus, char **out, size_t *outlen)
{
    char *d = arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n) return -1;
            int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
            if (h < 0 || l < 0) return -1;
            d[k++] = (char)(h * 16 + l);
            i += 2;
        } else if (plus && s[i] == '+') {
            d[k++] = ' ';
        } else {
            d[k++] = s[i];
        }
    }
    d[k] = 0;
    *out = d;
    if (outlen) *outlen = k;
    return 0;
}

/* A field is acceptable: bounded, valid UTF-8, no NUL inside. */
static int check_field(const char *name, size_t nlen, const char *value, size_t vlen, const char **err)
{
    if (nlen == 0 || nlen > LIMIT_FIELD_NAME_BYTES || strlen(name) != nlen) { *err = "err.form.malformed"; return -1; }
    if (vlen > LIMIT_FIELD_VALUE_BYTES) { *err = "err.form.too_long"; return -1; }
    if (strlen(value) != vlen) { *err = "err.form.nul"; return -1; }
    if (!text_utf8_valid(name, nlen) || !text_utf8_valid(value, vlen)) { *err = "err.form.utf8"; return -1; }
    return 0;
}

int form_urlencoded(struct arena *a, const char *s, size_t n, struct kv *kv, size_t *nkv, const char **err)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '&') j++;
        if (j > i) {
            const char *eq = memchr(s + i, '=', j - i);
            size_t nl = eq ? (size_t)(eq - (s + i)) : j - i;
            char *name, *value;
            size_t nlen, vlen;
            if (form_decode(a, s + i, nl, true, &name, &nlen) < 0 ||
                form_decode(a, eq ? eq + 1 : "", eq ? (size_t)(s + j - eq - 1) : 0, true, &value, &vlen) < 0) {
                *err = "err.form.escape";
                return -1;
            }
            if (check_field(name, nlen, value, vlen, err) < 0) return -1;
            if (*nkv >= LIMIT_FIELDS) { *err = "err.form.too_many"; return -1; }
            kv[*nkv].name = name;
            kv[*nkv].value = value;
            kv[*nkv].len = vlen;
            (*nkv)++;
        }
        i = j + 1;
    }
    return 0;
}

/* Value of a parameter (e.g. boundary=, name=) inside a header value. */
static char *header_param(struct arena *a, const char *h, size_t hn, const char *pname)
{
    size_t pl = strlen(pname);
    for (size_t i = 0; i + pl < hn; i++) {
        if ((i == 0 || h[i - 1] == ';' || h[i - 1] == ' ' || h[i - 1] == '\t') &&
            !strncasecmp(h + i, pname, pl) && h[i + pl] == '=') {
            const char *v = h + i + pl + 1, *end = h + hn;
            if (v < end && *v == '"') {
                const char *q = memchr(v + 1, '"', (size_t)(end - v - 1));
                if (!q) return NULL;
                return arena_strndup(a, v + 1, (size_t)(q - v - 1));
            }
            const char *e = v;
            while (e < end && *e != ';' && *e != ' ' && *e != '\t' && *e != '\r') e++;
            return arena_strndup(a, v, (size_t)(e - v));
        }
    }
    return NULL;
}

static const char *memfind(const char *h, size_t hn, const char *n, size_t nn)
{
    if (nn == 0 || hn < nn) return NULL;
    for (const char *p = h; (p = memchr(p, n[0], hn - (size_t)(p - h) - nn + 1)); p++) {
        if (!memcmp(p, n, nn)) return p;
        if ((size_t)(p - h) + nn >= hn) break;
    }
    return NULL;
}

int form_multipart(struct arena *a, const char *ctype, const char *body, size_t n, struct kv *kv, size_t *nkv,
                   struct upload *up, size_t *nup, const char **err)
{
    *err = "err.form.multipart";
    char *boundary = header_param(a, ctype, strlen(ctype), "boundary");
    if (!boundary || !*boundary || strlen(boundary) > 70) return -1;
    char *delim = arena_printf(a, "--%s", boundary);
    size_t dl = strlen(delim);
    /* The body starts with the first delimiter. */
    if (n < dl || memcmp(body, delim, dl)) return -1;
    const char *p = body + dl, *end = body + n;
    size_t parts = 0;
    for (;;) {
        if (end - p >= 2 && p[0] == '-' && p[1] == '-') return 0; /* closing delimiter */
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n') return -1;
        p += 2;
        if (++parts > LIMIT_MULTIPART_PARTS) { *err = "err.form.too_many"; return -1; }
        /* Part headers up to an empty line. */
        const char *hend = memfind(p, (size_t)(end - p), "\r\n\r\n", 4);
        if (!hend) return -1;
        char *name = NULL, *filename = NULL, *ptype = NULL;
        const char *h = p;
        while (h < hend + 2) {
            const char *eol = memfind(h, (size_t)(hend + 2 - h), "\r\n", 2);
            if (!eol) return -1;
            size_t hl = (size_t)(eol - h);
            if (hl > 20 && !strncasecmp(h, "Content-Disposition:", 20)) {
                name = header_param(a, h + 20, hl - 20, "name");
                filename = header_param(a, h + 20, hl - 20, "filename");
            } else if (hl > 13 && !strncasecmp(h, "Content-Type:", 13)) {
                const char *v = h + 13;
                while (*v == ' ') v++;
                ptype = arena_strndup(a, v, (size_t)(eol - v));
            }
            h = eol + 2;
        }
        if (!name || !*name) return -1;
        const char *data = hend + 4;
        char *sep = arena_printf(a, "\r\n%s", delim);
        const char *next = memfind(data, (size_t)(end - data), sep, dl + 2);
        if (!next) return -1;
        size_t vlen = (size_t)(next - data);
        if (filename) {
            if (*nup >= LIMIT_MULTIPART_PARTS) { *err = "err.form.too_many"; return -1; }
            if (!text_utf8_valid(filename, strlen(filename)) || !text_utf8_valid(name, strlen(name))) {
                *err = "err.form.utf8";
                return -1;
            }
            up[*nup] = (struct upload){.field = name, .filename = filename,
                                       .content_type = ptype ? ptype : "application/octet-stream",
                                       .data = data, .len = vlen};
            (*nup)++;
        } else {
            char *value = arena_strndup(a, data, vlen);
            if (check_field(name, strlen(name), value, vlen, err) < 0) return -1;
            if (*nkv >= LIMIT_FIELDS) { *err = "err.form.too_many"; return -1; }
            kv[*nkv] = (struct kv){.name = name, .value = value, .len = vlen};
            (*nkv)++;
        }
        p = next + 2 + dl;
        *err = "err.form.multipart";
    }
}

void form_cookies(struct arena *a, const char *h, struct kv *kv, size_t *nkv)
{
    while (h && *h && *nkv < LIMIT_COOKIES) {
        while (*h == ' ' || *h == ';') h++;
        const char *e = strchr(h, ';');
        size_t len = e ? (size_t)(e - h) : strlen(h);
        const char *eq = memchr(h, '=', len);
        if (eq && eq > h) {
            const char *v = eq + 1;
            size_t vl = (size_t)(h + len - v);
            if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') { v++; vl -= 2; }
            kv[*nkv].name = arena_strndup(a, h, (size_t)(eq - h));
            kv[*nkv].value = arena_strndup(a, v, vl);
            kv[*nkv].len = vl;
            (*nkv)++;
        }
        if (!e) break;
        h = e + 1;
    }
}

int form_json(struct arena *a, const char *body, size_t n, struct kv *kv, size_t *nkv, const char **err)
{
    json_error_t je;
    if (!text_utf8_valid(body, n)) { *err = "err.form.utf8"; return -1; }
    json_t *j = json_loadb(body, n, JSON_REJECT_DUPLICATES, &je);
    if (!j) { *err = "err.json.malformed"; return -1; }
    if (!json_is_object(j)) { json_decref(j); *err = "err.json.object"; return -1; }
    const char *key;
    json_t *v;
    int rc = 0;
    json_object_foreach(j, key, v) {
        char num[32];
        const char *s = NULL;
        size_t sl = 0;
        if (json_is_string(v)) { s = json_string_value(v); sl = json_string_length(v); }
        else if (json_is_integer(v)) { snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); s = num; sl = strlen(s); }
        else if (json_is_true(v)) { s = "1"; sl = 1; }
        else if (json_is_false(v)) { s = "0"; sl = 1; }
        else continue; /* nested values are not parameters */
        if (check_field(key, strlen(key), s, sl, err) < 0) { rc = -1; break; }
        if (*nkv >= LIMIT_FIELDS) { *err = "err.form.too_many"; rc = -1; break; }
        kv[*nkv] = (struct kv){.name = arena_strdup(a, key), .value = arena_strndup(a, s, sl), .len = sl};
        (*nkv)++;
    }
    json_decref(j);
    return rc;
}
