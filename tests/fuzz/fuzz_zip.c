/* fuzz_zip.c — zipdir_read (src/modules/files/zipdir.c), the central
 * directory of the office documents people attach, read without
 * decompressing. Besides crashes and reads out of bounds (the input is an
 * exact-size heap copy): an archive accepted lists no more entries than its
 * directory can hold, reads the same twice, and a refused one reports
 * nothing. */
#include "modules/files/zipdir.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
    unsigned char *copy = malloc(len ? len : 1);
    if (!copy) return 0;
    memcpy(copy, data, len);
    struct zipdir z, again;
    int rc = zipdir_read(copy, len, &z);
    if (rc == 0) {
        assert(z.entries <= len / 46);  /* each a central header of 46 bytes at least */
        assert(z.other_methods <= z.entries);
        assert(zipdir_read(copy, len, &again) == 0 && !memcmp(&z, &again, sizeof z));
    } else {
        assert(rc == -1 && z.entries == 0 && z.expanded == 0);
    }
    free(copy);
    return 0;
}
