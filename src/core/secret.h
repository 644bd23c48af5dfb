/* secret.h — random tokens (sessions, CSRF, calendar feeds), the hash
 * under which a token is stored (the store never holds a usable token), and
 * the tokens the server signs with its own key (pre-session CSRF). */
#ifndef CARNET_SECRET_H
#define CARNET_SECRET_H
#include "arena.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* A new random token of bytes random bytes, base64url without padding,
 * allocated in arena. */
char *secret_token(struct arena *a, size_t bytes);
/* The hex BLAKE2b-256 of s, as stored for a token; no allocation. */
void secret_hash(const char *s, char out[65]);

/* Read the server's signing key from the store (table server_key), making
 * it first if no node has yet: every node signs and checks with the same
 * key. Call once at start-up, before serving. 0, or -1 (nothing signed by
 * this process will then verify). */
int secret_load_key(struct store *s);
/* A new signed token issued at now: base64url of a random nonce, the time
 * and their HMAC-SHA-512-256 under the server key. Allocated in arena. */
char *secret_signed_token(struct arena *a, int64_t now);
/* True when tok is a token secret_signed_token made (MAC checked in constant
 * time) less than valid_s seconds from now. */
bool secret_signed_token_ok(const char *tok, int64_t now, int64_t valid_s);

#endif
