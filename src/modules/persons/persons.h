/* persons.h — the directory: person pages, class lists, establishment
 * overview. Every page asks the policy module about its object first. */
#ifndef CARNET_PERSONS_H
#define CARNET_PERSONS_H
#include "../../core/router.h"
#include <stdint.h>

/* "First Last" of a person, allocated in the request's arena; "" when the
 * person does not exist. The one lookup every module uses for a name. */
const char *persons_name(struct req *r, int64_t id);

/* The way of school staff to the pages of a pupil (S-PORTAL: every page a
 * profile may open is reachable from its portal): with class_id 0, the
 * classes the actor may see (ACT_CLASS_VIEW: those of the establishments
 * where they are school-life staff or head, the classes they teach), each
 * a link to base/classes/{id}; with a class, its pupils, each a link to
 * base/eleves/{id} (base: "/notes", "/cahier-de-textes"). A whole page
 * titled title; extra, when not NULL, adds what belongs under an
 * establishment's heading (a link to its settings). */
void persons_pupil_index(struct req *r, const char *base, const char *title, int64_t class_id,
                         void (*extra)(struct req *r, int64_t establishment));

extern const struct route persons_routes[];
#endif
