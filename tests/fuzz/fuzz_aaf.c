/* fuzz_aaf.c — the AAF reader (src/import/aaf.c) on any bytes: the file a
 * territory admin drops may be anything. Besides crashes and leaks: every
 * record it sends has a key and a kind of the file's, every problem names
 * the file, and the same bytes read twice give the same records. */
#include "import/aaf.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len);

struct tally {
    unsigned long records, problems, digest_sum;
};

static int on_record(void *ctx, const struct imp_record *r)
{
    struct tally *t = ctx;
    assert(r->key && *r->key);
    assert(r->kind == IMP_PUPIL);
    assert(r->at.file && r->at.line >= 0);
    for (size_t i = 0; i < r->classes.n; i++) assert(r->classes.v[i].a && r->classes.v[i].b);
    for (size_t i = 0; i < r->nlinks; i++) assert(r->links[i].relative && r->links[i].relation);
    t->records++;
    for (const char *d = r->digest; *d; d++) t->digest_sum += (unsigned char)*d;
    return 0;
}

static void on_problem(void *ctx, const struct imp_where *at, char severity, const char *m)
{
    struct tally *t = ctx;
    assert(at->file && m && (severity == 'E' || severity == 'W'));
    t->problems++;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
    char path[] = "/tmp/fuzz_aaf_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 0;
    if (write(fd, data, len) != (ssize_t)len) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    struct aaf_name n = {.kind = IMP_PUPIL};
    struct tally a = {0}, b = {0};
    struct imp_sink sa = {&a, on_record, on_problem}, sb = {&b, on_record, on_problem};
    int ra = aaf_read(path, &n, &sa), rb = aaf_read(path, &n, &sb);
    assert(ra == rb && a.records == b.records && a.digest_sum == b.digest_sum);
    unlink(path);
    return 0;
}
