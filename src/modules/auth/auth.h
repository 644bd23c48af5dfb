/* auth.h — identity: passwords, sessions, login throttling, activation by
 * one-time code, the account page. (R-ID-1: one account per person.) */
#ifndef CARNET_AUTH_H
#define CARNET_AUTH_H
#include "../../core/router.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sodium.h>

struct req;
struct store;

#define AUTH_HASH_BYTES crypto_pwhash_STRBYTES

/* Hash a password with argon2id (libsodium). 0, or -1 out of memory. */
int auth_password_hash(const char *password, char out[AUTH_HASH_BYTES]);
/* Password policy a parent can satisfy: NULL when acceptable, otherwise the
 * message key of what is wrong. */
const char *auth_password_problem(const char *password, const char *login);
/* New one-time activation code for a pending account (format ABCD-EFGH-JKMN,
 * written into code[15]); its hash and expiry are stored. 0 or -1. */
int auth_activation_issue(struct store *s, int64_t account_id, char code[15]);
/* Hash of an activation code as stored (hex into out[65]). */
void auth_code_hash(const char *code, char out[65]);
/* The app hook: read the session cookie, fill r->actor. */
void auth_load_session(struct req *r);

extern const struct route auth_routes[];
/* "Mot de passe oublié" (recover.c). */
extern const struct route auth_recover_routes[];
/* A person's own e-mail and mobile (contact.c): the section of /compte. */
extern const struct route auth_contact_routes[];
void auth_contact_settings(struct req *r);

#endif
