/* arena.h — per-request memory pool: everything a request allocates comes
 * from here and is released at once when the request ends (h2o style). */
#ifndef CARNET_ARENA_H
#define CARNET_ARENA_H
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>

struct arena_block;
struct arena {
    struct arena_block *head;
    size_t used_total;
    uint64_t id;               /* unique per arena_init: tells requests apart in caches */
};

/* Initialise an empty arena; allocates nothing yet. */
void arena_init(struct arena *a);
/* Release every block of the arena; the arena can be reused after. */
void arena_free(struct arena *a);
/* Allocate n zeroed bytes, aligned for any type; aborts on out-of-memory. */
void *arena_alloc(struct arena *a, size_t n);
/* Room for one more element in an arena array of n elements of size elem
 * with capacity *cap: returns v, or a copy twice as large (updating *cap). */
void *arena_grow(struct arena *a, void *v, size_t n, size_t *cap, size_t elem);
/* Copy a string (or its first n bytes) into the arena, NUL-terminated. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* printf into the arena (plain printf conversions, no escaping: not for HTML). */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

#endif
