/* arena.c — bump allocator in linked blocks. */
#include "arena.h"
#include "limits.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

struct arena_block {
    struct arena_block *next;
    size_t cap, used;
    max_align_t data[];
};

static _Atomic uint64_t next_id = 1;

void arena_init(struct arena *a)
{
    a->head = NULL;
    a->used_total = 0;
    a->id = atomic_fetch_add(&next_id, 1);
}

/* Standard-size blocks are kept per thread for the next request instead of
 * going back to malloc (a request uses a few; threads serve many). */
#define ARENA_SPARE_BLOCKS 16
static __thread struct arena_block *spare;
static __thread int nspare;
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

/* At thread exit, give the spare blocks back. */
static void spare_release(void *unused)
{
    (void)unused;
    while (spare) {
        struct arena_block *n = spare->next;
        free(spare);
        spare = n;
    }
    nspare = 0;
}

static void spare_key_make(void) { pthread_key_create(&spare_key, spare_release); }

void arena_free(struct arena *a)
{
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *n = b->next;
        if (b->cap == ARENA_BLOCK_BYTES && nspare < ARENA_SPARE_BLOCKS) {
            if (!spare) {
                pthread_once(&spare_once, spare_key_make);
                pthread_setspecific(spare_key, &spare_key); /* any non-NULL value: run the destructor */
            }
            b->next = spare;
            spare = b;
            nspare++;
        } else {
            free(b);
        }
        b = n;
    }
    a->head = NULL;
    a->used_total = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    n = (n + align - 1) & ~(align - 1);
    if (n == 0) n = align;
    struct arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK_BYTES ? n : ARENA_BLOCK_BYTES;
        if (cap == ARENA_BLOCK_BYTES && spare) {
            b = spare;
            spare = b->next;
            nspare--;
        } else {
            b = malloc(sizeof(*b) + cap);
        }
        if (!b) { fputs("arena_alloc: out of memory\n", stderr); abort(); }
        b->cap = cap;
        b->used = 0;
        /* Big one-off blocks go behind the current one so it keeps serving. */
        if (a->head && n > ARENA_BLOCK_BYTES) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    a->used_total += n;
    memset(p, 0, n);
    return p;
}

void *arena_grow(struct arena *a, void *v, size_t n, size_t *cap, size_t elem)
{
    if (v && n < *cap) return v;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *w = arena_alloc(a, ncap * elem);
    if (v && n) memcpy(w, v, n * elem);
    *cap = ncap;
    return w;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0) return arena_strdup(a, "");
    char *d = arena_alloc(a, (size_t)n + 1);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    return d;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return s;
}
