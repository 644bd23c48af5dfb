/* imports.h — the imports from a page: check the ministry's exports (a dry
 * run and its report), then apply them; the reports of past runs. */
#ifndef CARNET_IMPORTS_H
#define CARNET_IMPORTS_H
#include "../../core/router.h"

extern const struct route imports_routes[];
/* The doubtful identities an import queued, for the territory admin (R-ID). */
extern const struct route identities_routes[];

#endif
