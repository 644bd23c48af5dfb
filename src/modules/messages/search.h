/* search.h — search in the messagerie (S-MESSAGES): the messages a person
 * may read that hold every word they typed, accents and case ignored, as a
 * page (/messagerie/recherche) and in JSON (/api/v1/messages/search). The
 * query itself is the store's (store_message_search): each database driver
 * answers it with its own full-text index. */
#ifndef CARNET_MODULE_MESSAGES_SEARCH_H
#define CARNET_MODULE_MESSAGES_SEARCH_H
#include "../../core/router.h"

/* A small GET form (role="search", labelled) to /messagerie/recherche, with
 * q (may be NULL) as its value; for the folder page and the results page. */
void messages_search_form(struct req *r, const char *q);

extern const struct route messages_search_routes[];

#endif
