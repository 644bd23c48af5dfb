/* keymap.c — string-keyed open-addressing hash map (see keymap.h). */
#include "keymap.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void keymap_init(struct keymap *m)
{
    *m = (struct keymap){0};
    arena_init(&m->a);
}

void keymap_free(struct keymap *m)
{
    free(m->v);
    arena_free(&m->a);
    *m = (struct keymap){0};
}

/* FNV-1a. */
static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static struct keymap_entry *slot(struct keymap_entry *v, size_t cap, const char *key)
{
    size_t i = (size_t)hash(key) & (cap - 1);
    while (v[i].key && strcmp(v[i].key, key)) i = (i + 1) & (cap - 1);
    return &v[i];
}

struct keymap_entry *keymap_get(const struct keymap *m, const char *key)
{
    if (!m->cap) return NULL;
    struct keymap_entry *e = slot(m->v, m->cap, key);
    return e->key ? e : NULL;
}

static void grow(struct keymap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    struct keymap_entry *v = calloc(cap, sizeof *v);
    if (!v) abort();
    for (size_t i = 0; i < m->cap; i++)
        if (m->v[i].key) *slot(v, cap, m->v[i].key) = m->v[i];
    free(m->v);
    m->v = v;
    m->cap = cap;
}

struct keymap_entry *keymap_put(struct keymap *m, const char *key)
{
    if ((m->n + 1) * 4 > m->cap * 3) grow(m);
    struct keymap_entry *e = slot(m->v, m->cap, key);
    if (!e->key) {
        e->key = arena_strdup(&m->a, key);
        m->n++;
    }
    return e;
}

const char *keymap_key2(char *buf, size_t cap, int64_t a, const char *b)
{
    snprintf(buf, cap, "%lld\t%s", (long long)a, b ? b : "");
    return buf;
}
