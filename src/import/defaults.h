/* defaults.h — what every new establishment starts with, however it came
 * (an import, the demo): the skills of the socle commun and the motifs
 * d'absence, which its staff can then change. */
#ifndef CARNET_IMPORT_DEFAULTS_H
#define CARNET_IMPORT_DEFAULTS_H
#include <stdint.h>

struct store;

#define IMPORT_SKILL_COMPONENTS 8  /* components of the socle commun, D1.1 … D5 */
#define IMPORT_SKILLS_PER_COMPONENT 3
#define IMPORT_REASONS 6           /* motifs d'absence */
#define IMPORT_DEFAULT_ROWS (IMPORT_SKILL_COMPONENTS * IMPORT_SKILLS_PER_COMPONENT + IMPORT_REASONS)

/* Insert establishment est's skills and absence reasons; their ids into
 * skill_ids (IMPORT_SKILL_COMPONENTS × IMPORT_SKILLS_PER_COMPONENT, in
 * order) and reason_ids (IMPORT_REASONS) when not NULL. 0 or -1. */
int import_establishment_defaults(struct store *s, int64_t est, int64_t *skill_ids,
                                  int64_t *reason_ids);

#endif
