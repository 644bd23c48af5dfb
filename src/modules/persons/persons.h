/* persons.h — the directory: person pages, class lists, establishment
 * overview. Every page asks the policy module about its object first. */
#ifndef CARNET_PERSONS_H
#define CARNET_PERSONS_H
#include "../../core/router.h"
#include <stdint.h>

/* "First Last" of a person, allocated in the request's arena; "" when the
 * person does not exist. The one lookup every module uses for a name. */
const char *persons_name(struct req *r, int64_t id);

extern const struct route persons_routes[];
#endif
