/* identity.h — one human across sources (R-ID): the territory admin's
 * decisions on the doubtful pairs an import queued in identity_review. */
#ifndef CARNET_IMPORT_IDENTITY_H
#define CARNET_IMPORT_IDENTITY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* Decide review row `review` (no transaction open): merge its person (made
 * by the import) into its candidate (already there), or keep them apart.
 * 0 when done; -1 with a message key in why: "identity.decided" (no such
 * open pair), "identity.active" (the imported person's account was
 * activated), "identity.history" (the person already has a history of
 * their own, or the database refused: nothing changed). */
int identity_decide(struct store *s, int64_t review, bool merge, int64_t by, char *why,
                    size_t whylen);

#endif
