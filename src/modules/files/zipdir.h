/* zipdir.h — what a ZIP archive says it holds, from its central directory
 * alone (nothing is decompressed): the office documents people attach
 * (docx, xlsx, pptx, odt, ods, odp) are ZIP archives, and one of 1 MB may
 * expand to gigabytes in whoever opens it. No allocation, no library: a
 * pure function of the bytes, the target of tests/fuzz/fuzz_zip.c. */
#ifndef CARNET_MODULE_FILES_ZIPDIR_H
#define CARNET_MODULE_FILES_ZIPDIR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zipdir {
    uint64_t entries;      /* files and folders listed */
    uint64_t compressed;   /* their compressed sizes, added (saturating) */
    uint64_t expanded;     /* their uncompressed sizes, added (saturating) */
    uint64_t other_methods; /* entries neither stored nor deflated (bzip2, LZMA…) */
    bool zip64;            /* the ZIP64 end record or size fields were used */
};

/* Read the central directory of the archive data[0..len): its end record
 * (the last 22 bytes plus a comment, which must end the file), the ZIP64
 * end record when its locator is there or a field says so, then every
 * entry's header, each of whose local header (with the same method and,
 * unless a data descriptor follows, the same sizes) and compressed data
 * must lie inside the file before the directory. 0 with *out filled; -1 when the
 * bytes are not one well-formed single-disk archive (truncated, split,
 * fields out of bounds or disagreeing, a ZIP64 marker without its value,
 * a directory whose size or count does not match its entries). */
int zipdir_read(const unsigned char *data, size_t len, struct zipdir *out);

#endif
