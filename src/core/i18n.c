/* i18n.c — sorted key/text tables built from the embedded catalogues. */
#include "i18n.h"
#include "assets.h"
#include "http.h"
#include "log.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const i18n_languages[] = {"fr", "en", NULL};

struct entry { char *key, *text; };
struct catalogue { const char *lang; struct entry *e; size_t n; };

static struct catalogue cats[sizeof i18n_languages / sizeof i18n_languages[0]];
static char *copies[sizeof i18n_languages / sizeof i18n_languages[0]];

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

static int load(struct catalogue *c, const struct asset *a, char **keep)
{
    size_t cap = 256;
    c->e = calloc(cap, sizeof *c->e);
    char *copy = strndup((const char *)a->data, a->len);
    *keep = copy;
    if (!c->e || !copy) return -1;
    int lineno = 0;
    for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        while (*line == ' ') line++;
        if (!*line || *line == '#') continue;
        char *eq = strstr(line, " = ");
        if (!eq) {
            log_error("i18n_init", "%s line %d: expected 'key = text'", a->name, lineno);
            return -1;
        }
        *eq = 0;
        if (c->n == cap) {
            cap *= 2;
            struct entry *p = realloc(c->e, cap * sizeof *p);
            if (!p) return -1;
            c->e = p;
        }
        c->e[c->n].key = line;
        c->e[c->n].text = eq + 3;
        c->n++;
    }
    qsort(c->e, c->n, sizeof *c->e, cmp_entry);
    for (size_t i = 1; i < c->n; i++)
        if (!strcmp(c->e[i - 1].key, c->e[i].key)) {
            log_error("i18n_init", "%s: key %s given twice", a->name, c->e[i].key);
            return -1;
        }
    return 0; /* copy holds the texts until i18n_free() */
}

int i18n_init(void)
{
    for (size_t i = 0; i18n_languages[i]; i++) {
        char name[16];
        strcpy(name, i18n_languages[i]);
        strcat(name, ".cat");
        const struct asset *a = assets_find(assets_locale, assets_locale_count, name);
        cats[i].lang = i18n_languages[i];
        if (!a) {
            log_error("i18n_init", "missing catalogue %s", name);
            return -1;
        }
        if (load(&cats[i], a, &copies[i]) < 0) return -1;
    }
    return 0;
}

void i18n_free(void)
{
    for (size_t i = 0; i18n_languages[i]; i++) {
        free(cats[i].e);
        free(copies[i]);
        cats[i].e = NULL;
        cats[i].n = 0;
        copies[i] = NULL;
    }
}

static struct catalogue *find_cat(const char *lang)
{
    for (size_t i = 0; i18n_languages[i]; i++)
        if (lang && !strcmp(lang, i18n_languages[i])) return &cats[i];
    return &cats[0];
}

static const char *lookup(struct catalogue *c, const char *key)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int d = strcmp(key, c->e[mid].key);
        if (!d) return c->e[mid].text;
        if (d < 0) hi = mid;
        else lo = mid + 1;
    }
    return NULL;
}

const char *i18n_text(const char *lang, const char *key)
{
    const char *t = lookup(find_cat(lang), key);
    if (!t) t = lookup(&cats[0], key);
    return t ? t : key;
}

const char *tr(struct req *r, const char *key) { return i18n_text(r ? r->lang : "fr", key); }

const char *tr_fmt(struct req *r, const char *key, const char *a1, const char *a2)
{
    return i18n_fmt(&r->arena, r->lang, key, a1, a2);
}

const char *i18n_fmt(struct arena *a, const char *lang, const char *key, const char *a1, const char *a2)
{
    const char *t = i18n_text(lang, key);
    struct buf b;
    buf_init(&b);
    for (const char *p = t; *p; p++) {
        if (p[0] == '{' && (p[1] == '1' || p[1] == '2') && p[2] == '}') {
            buf_puts(&b, p[1] == '1' ? a1 : a2);
            p += 2;
        } else {
            buf_putc(&b, *p);
        }
    }
    char *s = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return s;
}

const char *i18n_negotiate(const char *cookie, const char *al)
{
    for (size_t i = 0; cookie && i18n_languages[i]; i++)
        if (!strcmp(cookie, i18n_languages[i])) return i18n_languages[i];
    /* First listed language we have (weights are in practice in order). */
    while (al && *al) {
        while (*al == ' ' || *al == ',') al++;
        for (size_t i = 0; i18n_languages[i]; i++) {
            size_t n = strlen(i18n_languages[i]);
            if (!strncasecmp(al, i18n_languages[i], n) && (al[n] == 0 || al[n] == '-' || al[n] == ';' || al[n] == ','))
                return i18n_languages[i];
        }
        al = strchr(al, ',');
    }
    return i18n_languages[0];
}

const char *i18n_language_name(const char *lang) { return i18n_text(lang, "lang.self"); }

size_t i18n_count(const char *lang) { return find_cat(lang)->n; }

const char *i18n_key_at(const char *lang, size_t i)
{
    struct catalogue *c = find_cat(lang);
    return i < c->n ? c->e[i].key : NULL;
}
