/* persons.h — the directory: person pages, class lists, establishment
 * overview. Every page asks the policy module about its object first. */
#ifndef CARNET_PERSONS_H
#define CARNET_PERSONS_H
#include "../../core/router.h"
extern const struct route persons_routes[];
#endif
