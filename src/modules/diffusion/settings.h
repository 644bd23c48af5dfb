/* settings.h — the head's page of the diffusion policy (R-DISCO, R-GRADES):
 * /etablissements/{id}/diffusion. */
#ifndef CARNET_DIFFUSION_SETTINGS_H
#define CARNET_DIFFUSION_SETTINGS_H
#include "../../core/router.h"

extern const struct route diffusion_routes[];

#endif
