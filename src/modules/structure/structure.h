/* structure.h — an establishment's structure corrected by hand: periods,
 * classes, a pupil's class (what the exports do not carry). */
#ifndef CARNET_STRUCTURE_H
#define CARNET_STRUCTURE_H
#include "../../core/router.h"
#include <stdint.h>

struct req;

extern const struct route structure_routes[];
/* On a pupil's page: "move to another class", for those the policy allows
 * (nothing otherwise). class_id: the pupil's class today. */
void structure_move_form(struct req *r, int64_t pupil, int64_t class_id);

/* On a pupil's page: their guardians, with legal responsibility given or
 * withdrawn and the link removed, for those the policy allows. */
void structure_guardians_form(struct req *r, int64_t pupil);

#endif
