/* form.h — parsers for what clients send: query strings and urlencoded
 * forms, multipart bodies, cookies, JSON objects. Everything they return is
 * allocated in the given arena. On failure they return -1 and set *err to a
 * message key (see locale/) that says what is wrong. Fuzzed in tests/fuzz. */
#ifndef CARNET_FORM_H
#define CARNET_FORM_H
#include "arena.h"
#include "http.h"
#include <stddef.h>

/* Percent-decode s[0..n) ('+' as space when plus is true). -1 on a bad escape. */
int form_decode(struct arena *a, const char *s, size_t n, bool plus, char **out, size_t *outlen);
/* name=value&… → fields appended to *kv (capacity LIMIT_FIELDS). */
int form_urlencoded(struct arena *a, const char *s, size_t n, struct kv *kv, size_t *nkv, const char **err);
/* multipart/form-data with the boundary of content_type. */
int form_multipart(struct arena *a, const char *content_type, const char *body, size_t n, struct kv *kv,
                   size_t *nkv, struct upload *up, size_t *nup, const char **err);
/* Cookie header → name/value pairs (capacity LIMIT_COOKIES; extra ones ignored). */
void form_cookies(struct arena *a, const char *header, struct kv *kv, size_t *nkv);
/* A JSON object's scalar members → fields. */
int form_json(struct arena *a, const char *body, size_t n, struct kv *kv, size_t *nkv, const char **err);

#endif
