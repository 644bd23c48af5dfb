/* fuzz_form.c — libFuzzer target for the parsers of what clients send
 * (src/core/form.c): form_urlencoded, form_multipart, form_cookies,
 * form_json. See README.md in this directory.
 *
 * Each input is fed to every parser. Length-based parsers get an exact-size
 * heap copy (no terminator), so ASan catches any read past the end; string
 * parsers get a NUL-terminated copy. For multipart, the first line of the
 * input (up to '\n') is the Content-Type and the rest the body. */
#include "core/form.h"
#include "core/limits.h"
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_fields(const struct kv *kv, size_t n)
{
    assert(n <= LIMIT_FIELDS);
    for (size_t i = 0; i < n; i++) {
        /* Every accepted field: a name, no NUL inside the value. */
        assert(kv[i].name && kv[i].name[0]);
        assert(kv[i].value && strlen(kv[i].value) == kv[i].len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > LIMIT_BODY_BYTES) return 0;
    char *exact = malloc(size ? size : 1);
    char *cstr = malloc(size + 1);
    if (!exact || !cstr) abort();
    memcpy(exact, data, size);
    memcpy(cstr, data, size);
    cstr[size] = 0;

    struct arena a;
    arena_init(&a);
    static struct kv kv[LIMIT_FIELDS];
    static struct upload up[LIMIT_MULTIPART_PARTS];
    size_t nkv, nup;
    const char *err;

    nkv = 0;
    err = NULL;
    if (form_urlencoded(&a, exact, size, kv, &nkv, &err) == 0) check_fields(kv, nkv);
    else assert(err);

    nkv = 0;
    err = NULL;
    if (form_json(&a, exact, size, kv, &nkv, &err) == 0) check_fields(kv, nkv);
    else assert(err);

    nkv = 0;
    form_cookies(&a, cstr, kv, &nkv);
    assert(nkv <= LIMIT_COOKIES);

    /* multipart: "content-type\nbody", or a fixed boundary when no newline. */
    const char *nl = memchr(exact, '\n', size);
    const char *ctype = "multipart/form-data; boundary=B";
    const char *body = exact;
    size_t blen = size;
    char *ct = NULL;
    if (nl) {
        ct = strndup(exact, (size_t)(nl - exact));
        if (!ct) abort();
        ctype = ct;
        body = nl + 1;
        blen = size - (size_t)(nl + 1 - exact);
    }
    nkv = nup = 0;
    err = NULL;
    if (form_multipart(&a, ctype, body, blen, kv, &nkv, up, &nup, &err) == 0) {
        check_fields(kv, nkv);
        assert(nup <= LIMIT_MULTIPART_PARTS);
        for (size_t i = 0; i < nup; i++) {
            /* Upload data lies inside the body. */
            assert(up[i].data >= body && up[i].data + up[i].len <= body + blen);
            assert(up[i].field && up[i].filename && up[i].content_type);
        }
    } else {
        assert(err);
    }
    free(ct);

    arena_free(&a);
    free(exact);
    free(cstr);
    return 0;
}
