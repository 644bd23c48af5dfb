/* orzip.h — the OneRoster zip archives (libzip): a package read by
 * `carnet import oneroster` is checked before a byte is inflated (names,
 * number of entries, announced sizes and their ratio to the archive's,
 * under the IMPORT_ZIP_* limits of src/core/limits.h), then extracted into
 * a private temporary directory (mode 0700) that the caller removes with
 * orzip_remove; `carnet export oneroster` writes its folder as a zip. */
#ifndef CARNET_IMPORT_ORZIP_H
#define CARNET_IMPORT_ORZIP_H
#include <stdbool.h>
#include <stddef.h>

/* Whether path names a zip archive (by its name: "….zip", any case). */
bool orzip_is_zip(const char *path);
/* Check the archive at path and extract its files (by their base names)
 * into a new directory under $TMPDIR or /tmp, its path into dir. 0, or -1
 * with the reason in err (French) and nothing left on disk. */
int orzip_extract(const char *path, char *dir, size_t dirlen, char *err, size_t errlen);
/* Remove directory dir made by orzip_extract (or any directory of plain
 * files) with its files. No allocation. */
void orzip_remove(const char *dir);
/* Write the files names[0..n) of directory dir into a new zip at path
 * (replaced if there). 0, or -1 with err. */
int orzip_write(const char *path, const char *dir, const char *const *names, size_t n,
                char *err, size_t errlen);

#endif
