/* secret.c — libsodium randomness and hashing for tokens. */
#include "secret.h"
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
