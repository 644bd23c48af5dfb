/* keymap.h — a string-keyed hash map for the importers: a source key (a
 * jointure, a UAI, "establishment\tclass code") → the id of what it names,
 * the digest of the record last applied and flags. Open addressing; keys
 * are copied into the map's own arena. Grows as needed; keymap_free frees. */
#ifndef CARNET_IMPORT_KEYMAP_H
#define CARNET_IMPORT_KEYMAP_H
#include "../core/arena.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct keymap_entry {
    const char *key; /* NULL: a free slot */
    int64_t id;
    int64_t aux;     /* a second id (an establishment, a level…) */
    unsigned flags;
    char digest[33];
};

struct keymap {
    struct keymap_entry *v;
    size_t n, cap;
    struct arena a;
};

void keymap_init(struct keymap *m);
void keymap_free(struct keymap *m);
/* The entry of key, or NULL. */
struct keymap_entry *keymap_get(const struct keymap *m, const char *key);
/* The entry of key, added (id 0, no flags, empty digest) when absent. The
 * pointer is valid until the next keymap_put. */
struct keymap_entry *keymap_put(struct keymap *m, const char *key);
/* "a\tb" into buf (cap bytes): the key of something within something else. */
const char *keymap_key2(char *buf, size_t cap, int64_t a, const char *b);

#endif
