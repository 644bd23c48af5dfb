/* secret.c — libsodium randomness, hashing and MACs for tokens. */
#include "secret.h"
#include "clock.h"
#include "limits.h"
#include "log.h"
#include "../store/store.h"
#include <sodium.h>
#include <string.h>

char *secret_token(struct arena *a, size_t bytes)
{
    unsigned char raw[64];
    if (bytes > sizeof raw) bytes = sizeof raw;
    randombytes_buf(raw, bytes);
    size_t len = sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(a, len);
    sodium_bin2base64(out, len, raw, bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

void secret_hash(const char *s, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char d[32];
    crypto_generichash(d, sizeof d, (const unsigned char *)s, strlen(s), NULL, 0);
    for (size_t i = 0; i < sizeof d; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[64] = 0;
}

/* ---- Tokens signed with the server key ---------------------------------- */

/* Written once at start-up, before any request thread exists; read only. */
static unsigned char server_key[crypto_auth_KEYBYTES];
static bool server_key_loaded;

int secret_load_key(struct store *s)
{
    unsigned char fresh[crypto_auth_KEYBYTES];
    char hex[2 * crypto_auth_KEYBYTES + 1];
    crypto_auth_keygen(fresh);
    sodium_bin2hex(hex, sizeof hex, fresh, sizeof fresh);
    sodium_memzero(fresh, sizeof fresh);
    /* Two nodes starting at once: the first insert wins, both read it. */
    int rc = store_run(s,
                       "INSERT INTO server_key (name, secret, created_at)"
                       " VALUES ('presession', $1, $2) ON CONFLICT (name) DO NOTHING",
                       "ti", hex, clock_now());
    sodium_memzero(hex, sizeof hex);
    struct stmt *st =
        rc < 0 ? NULL : store_q(s, "SELECT secret FROM server_key WHERE name = 'presession'", NULL);
    size_t n = 0;
    const char *stored = st && stmt_step(st) == STORE_ROW ? stmt_text(st, 0) : NULL;
    bool ok = stored &&
              sodium_hex2bin(server_key, sizeof server_key, stored, strlen(stored), NULL, &n,
                             NULL) == 0 &&
              n == sizeof server_key;
    stmt_done(st);
    if (!ok) {
        sodium_memzero(server_key, sizeof server_key);
        log_error("secret", "the server key cannot be read or made: %s", store_error(s));
        return -1;
    }
    server_key_loaded = true;
    return 0;
}

/* nonce ‖ issued at (8 bytes, big-endian) ‖ MAC of both */
#define SIGNED_BODY_BYTES (PRESESSION_NONCE_BYTES + 8)
#define SIGNED_BYTES (SIGNED_BODY_BYTES + crypto_auth_BYTES)
#define SIGNED_B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

char *secret_signed_token(struct arena *a, int64_t now)
{
    unsigned char raw[SIGNED_BYTES];
    randombytes_buf(raw, PRESESSION_NONCE_BYTES);
    uint64_t t = (uint64_t)now;
    for (int i = 0; i < 8; i++)
        raw[PRESESSION_NONCE_BYTES + i] = (unsigned char)(t >> (56 - 8 * i));
    crypto_auth(raw + SIGNED_BODY_BYTES, raw, SIGNED_BODY_BYTES, server_key);
    size_t len = sodium_base64_ENCODED_LEN(SIGNED_BYTES, SIGNED_B64);
    char *out = arena_alloc(a, len);
    sodium_bin2base64(out, len, raw, SIGNED_BYTES, SIGNED_B64);
    return out;
}

bool secret_signed_token_ok(const char *tok, int64_t now, int64_t valid_s)
{
    if (!server_key_loaded || !tok) return false;
    size_t len = strlen(tok);
    if (len != sodium_base64_ENCODED_LEN(SIGNED_BYTES, SIGNED_B64) - 1) return false;
    unsigned char raw[SIGNED_BYTES];
    size_t n = 0;
    const char *end = NULL;
    if (sodium_base642bin(raw, sizeof raw, tok, len, NULL, &n, &end, SIGNED_B64) != 0 ||
        n != sizeof raw || end != tok + len)
        return false;
    if (crypto_auth_verify(raw + SIGNED_BODY_BYTES, raw, SIGNED_BODY_BYTES, server_key) != 0)
        return false;
    uint64_t t = 0;
    for (int i = 0; i < 8; i++) t = (t << 8) | raw[PRESESSION_NONCE_BYTES + i];
    int64_t issued = (int64_t)t;
    /* Issued by this server, so never far ahead of its clock: a node whose
     * clock runs a little ahead, or a clock set back in tests, is tolerated
     * within the same bound. */
    return now - issued < valid_s && issued - now < valid_s;
}
