/* portal.h — the home page of each profile (S-PORTAL) and /api/v1/me.
 * The portal is the one aggregator: it reads other modules only through the
 * query functions of their headers. */
#ifndef CARNET_PORTAL_H
#define CARNET_PORTAL_H
#include "../../core/router.h"
#include <stddef.h>
#include <stdint.h>

struct store;
struct arena;

/* A pupil as the portal shows them: identity, current class, establishment. */
struct pupil_card {
    int64_t id;
    const char *first_name, *last_name;
    int64_t class_id;
    const char *class_name;
    int64_t establishment_id;
    const char *establishment_name, *establishment_kind, *establishment_uai, *establishment_city;
};

/* The children of a parent (or, with self = 1, the pupil themselves), with
 * their current class and establishment: one query whatever their number.
 * Allocated in arena. */
size_t portal_pupils(struct store *s, struct arena *a, int64_t person_id, int self, struct pupil_card **out);
/* The same in two halves: asked ahead with a page's other reads (store_q_ahead), then read. */
struct stmt *portal_pupils_ask(struct store *s, int64_t person_id, int self);
size_t portal_pupils_read(struct stmt *st, struct arena *a, struct pupil_card **out);

extern const struct route portal_routes[];

#endif
