/* orzip.c — OneRoster zip archives read and written with libzip (see
 * orzip.h). Nothing is trusted from the archive: names that climb out
 * ("../", "/…", "C:", "\") are refused, sizes are checked as announced and
 * again as inflated, files are created with O_EXCL | O_NOFOLLOW. */
#include "import.h"
#include "orzip.h"
#include "../core/limits.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

bool orzip_is_zip(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && !strcasecmp(path + n - 4, ".zip");
}

/* Whether an entry's name may be extracted: relative, no ".." part, no
 * backslash or drive letter, no control character. No allocation. */
static bool name_safe(const char *name)
{
    if (!*name || name[0] == '/' || strchr(name, '\\') || (name[0] && name[1] == ':'))
        return false;
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p < 0x20) return false;
    for (const char *p = name; p;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.') return false;
        p = slash ? slash + 1 : NULL;
    }
    return true;
}

/* The base name of an entry (after its last slash). */
static const char *entry_base(const char *name)
{
    const char *s = strrchr(name, '/');
    return s ? s + 1 : name;
}

/* Check every entry of za against the limits (announced sizes; the
 * archive is size bytes long). 0, or -1 with err. No allocation. */
static int check_entries(zip_t *za, long long size, char *err, size_t errlen)
{
    zip_int64_t n = zip_get_num_entries(za, 0);
    if (n < 0 || n > IMPORT_ZIP_MAX_ENTRIES) {
        snprintf(err, errlen, "archive de %lld fichiers (au plus %d) : refusée", (long long)n,
                 IMPORT_ZIP_MAX_ENTRIES);
        return -1;
    }
    long long total = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        zip_stat_t st;
        if (zip_stat_index(za, (zip_uint64_t)i, 0, &st) < 0 || !(st.valid & ZIP_STAT_NAME)) {
            snprintf(err, errlen, "entrée n° %lld illisible : archive refusée",
                     (long long)i + 1);
            return -1;
        }
        if (!name_safe(st.name)) {
            snprintf(err, errlen, "chemin « %s » hors de l'archive (../, absolu) : archive "
                     "refusée", st.name);
            return -1;
        }
        if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
            snprintf(err, errlen, "« %s » est chiffré : archive refusée", st.name);
            return -1;
        }
        if ((st.valid & ZIP_STAT_COMP_METHOD) && !zip_compression_method_supported(st.comp_method,
                                                                                   0)) {
            snprintf(err, errlen, "« %s » : méthode de compression inconnue : archive refusée",
                     st.name);
            return -1;
        }
        long long sz = (st.valid & ZIP_STAT_SIZE) ? (long long)st.size : 0;
        if (sz > IMPORT_ZIP_MAX_ENTRY_BYTES || sz < 0) {
            snprintf(err, errlen, "« %s » annonce une taille de %lld octets (au plus %lld) : "
                     "archive refusée", st.name, sz, (long long)IMPORT_ZIP_MAX_ENTRY_BYTES);
            return -1;
        }
        total += sz;
    }
    if (total > IMPORT_ZIP_MAX_EXPANDED_BYTES
        || (size > 0 && total / size > UPLOAD_ZIP_MAX_RATIO && total > 1024 * 1024)) {
        snprintf(err, errlen, "l'archive annonce %lld octets une fois décompressée pour %lld "
                 "(rapport ou taille au-delà des limites) : refusée", total, size);
        return -1;
    }
    return 0;
}

/* Inflate entry i of za into a new file at path, refusing more bytes than
 * announced (want). 0, or -1 with err. */
static int extract_one(zip_t *za, zip_uint64_t i, const char *name, long long want,
                       const char *path, char *err, size_t errlen)
{
    zip_file_t *zf = zip_fopen_index(za, i, 0);
    int fd = zf ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600) : -1;
    long long got = 0;
    int rc = zf && fd >= 0 ? 0 : -1;
    char buf[65536];
    while (rc == 0) {
        zip_int64_t k = zip_fread(zf, buf, sizeof buf);
        if (k < 0) rc = -1;
        if (k <= 0) break;
        got += k;
        if (got > want || write(fd, buf, (size_t)k) != (ssize_t)k) rc = -1;
    }
    if (rc < 0)
        snprintf(err, errlen, "« %s » : %s : archive refusée", name,
                 got > want ? "plus d'octets que la taille annoncée"
                 : fd < 0 && zf ? "nom en double ou fichier impossible à créer"
                                : "données illisibles (archive abîmée)");
    if (fd >= 0) close(fd);
    if (zf) zip_fclose(zf);
    return rc;
}

/* Extract every file entry of za into dir (directories skipped). 0 or -1. */
static int extract_all(zip_t *za, const char *dir, char *err, size_t errlen)
{
    zip_int64_t n = zip_get_num_entries(za, 0);
    for (zip_int64_t i = 0; i < n; i++) {
        zip_stat_t st;
        if (zip_stat_index(za, (zip_uint64_t)i, 0, &st) < 0) return -1;
        const char *base = entry_base(st.name);
        if (!*base) continue; /* a folder */
        if (base[0] == '.') continue; /* __MACOSX/._x, .DS_Store */
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, base);
        if (extract_one(za, (zip_uint64_t)i, st.name, (long long)st.size, path, err, errlen) < 0)
            return -1;
    }
    return 0;
}

int orzip_extract(const char *path, char *dir, size_t dirlen, char *err, size_t errlen)
{
    int ze = 0;
    struct stat sb;
    zip_t *za = stat(path, &sb) == 0 ? zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
    if (!za) {
        snprintf(err, errlen, "archive zip illisible ou abîmée : refusée");
        return -1;
    }
    int rc = check_entries(za, (long long)sb.st_size, err, errlen);
    if (rc == 0 && import_tempdir(dir, dirlen, "oneroster") < 0) {
        snprintf(err, errlen, "dossier temporaire impossible à créer");
        rc = -1;
        dir[0] = 0;
    } else if (rc == 0 && extract_all(za, dir, err, errlen) < 0) {
        orzip_remove(dir);
        rc = -1;
    }
    zip_discard(za);
    return rc;
}

void orzip_remove(const char *dir)
{
    if (!dir || !*dir) return;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d) closedir(d);
    rmdir(dir);
}

int orzip_write(const char *path, const char *dir, const char *const *names, size_t n,
                char *err, size_t errlen)
{
    int ze = 0;
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
    if (!za) {
        snprintf(err, errlen, "cannot create %s", path);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char full[4200];
        snprintf(full, sizeof full, "%s/%s", dir, names[i]);
        zip_source_t *src = zip_source_file(za, full, 0, -1);
        if (!src || zip_file_add(za, names[i], src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) < 0) {
            if (src) zip_source_free(src);
            snprintf(err, errlen, "cannot add %s to %s", names[i], path);
            zip_discard(za);
            return -1;
        }
    }
    if (zip_close(za) < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, zip_strerror(za));
        zip_discard(za);
        return -1;
    }
    return 0;
}
