/* internal.h — what auth.c shares with the other files of the auth module
 * (recover.c: "mot de passe oublié"; contact.c: a person's own e-mail and
 * mobile). Not for other modules. */
#ifndef CARNET_AUTH_INTERNAL_H
#define CARNET_AUTH_INTERNAL_H
#include <stdint.h>

struct req;
struct store;

/* 0 when this login and address may try `kind` again; else the seconds to
 * wait (THROTTLE_* of limits.h). */
int64_t auth_throttled(struct store *s, struct req *r, const char *kind, const char *login);
/* Count one more try of kind for this login and address. */
void auth_failed(struct store *s, struct req *r, const char *kind, const char *login);
/* "Too many tries: wait N minutes", translated. */
const char *auth_wait_message(struct req *r, int64_t wait);
/* Carnet's address for the links of e-mails: CARNET_PUBLIC_URL, else the
 * request's own (scheme and Host). No trailing slash; in the arena. */
const char *auth_public_url(struct req *r);

#endif
