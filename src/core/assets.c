/* assets.c — lookup in the embedded tables. */
#include "assets.h"
#include <string.h>

const struct asset *assets_find(const struct asset *table, size_t n, const char *name)
{
    size_t lo = 0, hi = n;
    while (name && lo < hi) {
        size_t mid = (lo + hi) / 2;
        int d = strcmp(name, table[mid].name);
        if (!d) return &table[mid];
        if (d < 0) hi = mid;
        else lo = mid + 1;
    }
    return NULL;
}
