/* secret.h — random tokens (sessions, CSRF, calendar feeds) and the hash
 * under which a token is stored (the store never holds a usable token). */
#ifndef CARNET_SECRET_H
#define CARNET_SECRET_H
#include "arena.h"
#include <stddef.h>

/* A new random token of bytes random bytes, base64url without padding,
 * allocated in arena. */
char *secret_token(struct arena *a, size_t bytes);
/* The hex BLAKE2b-256 of s, as stored for a token; no allocation. */
void secret_hash(const char *s, char out[65]);

#endif
