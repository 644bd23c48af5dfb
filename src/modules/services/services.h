/* services.h — the services catalogue (S-PORTAL, rec. 3): built-in Carnet
 * services and external links that a head (establishment) or a territory
 * admin (whole territory) adds without a developer. */
#ifndef CARNET_SERVICES_H
#define CARNET_SERVICES_H
#include "../../core/router.h"
#include "../../policy/policy.h"
#include <stdbool.h>
#include <stdint.h>

struct store;
struct req;

struct service_item {
    int64_t id;                 /* 0 for a built-in service */
    int64_t establishment_id;   /* the establishment it is shown for */
    const char *code;           /* built-in code, or NULL for a link */
    const char *title, *description, *url;
    bool territory_wide;
    unsigned profiles;          /* bit (1 << profile) of who sees it */
    bool available;             /* built-in services: delivered yet? */
    bool per_person;            /* built-in: one page for the person, not one per child */
};

/* Built-in services for a profile (static table). */
size_t services_builtin(enum profile p, const struct service_item *const **out);
/* The external links that apply to every establishment where person has a
 * role or a child: one query. Allocated in arena. */
size_t services_links_for_person(struct store *s, struct arena *a, int64_t person_id, struct service_item **out);
/* The same in two halves: asked ahead with a page's other reads (store_q_ahead), then read. */
struct stmt *services_links_ask(struct store *s, int64_t person_id);
size_t services_links_read(struct stmt *st, struct arena *a, struct service_item **out);
/* Render the services of establishment e for profile p as a list (shared
 * by every portal section); child: the pupil a parent's section is about. */
void services_render(struct req *r, enum profile p, int64_t establishment_id, int64_t child,
                     const struct service_item *links, size_t nlinks);
/* Parse "pupil,parent" into a profile bit set. */
unsigned services_profiles_parse(const char *list);

extern const struct route services_routes[];

#endif
