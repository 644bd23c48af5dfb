/* notice.h — how the diffusion policy (R-DISCO, src/policy/diffusion.h)
 * shows on pages: the reminder of the right to disconnect on a form used in
 * a quiet period, the "scheduled" badge of an item its author and the staff
 * see before families do, and the moments as people read them ("mercredi
 * 11 mars à 07:00"), in the establishment's time zone. Any module that
 * publishes for families may use it (class log, homework, timetable
 * changes; messages can). Everything is allocated in the request's arena. */
#ifndef CARNET_PORTAL_NOTICE_H
#define CARNET_PORTAL_NOTICE_H
#include "../../policy/diffusion.h"
#include <stdint.h>

struct req;

/* While now is inside one of d's quiet periods: a reminder of the right to
 * disconnect, the text of catalogue key with {1} the moment what is written
 * now reaches its audience. Nothing outside quiet periods. */
void diffusion_notice(struct req *r, const struct diffusion *d, const char *key);

/* On an item families see from visible_from: the badge "Programmé : visible
 * par les familles mercredi 11 mars à 07:00" while it is held; nothing once
 * families see it. */
void diffusion_badge(struct req *r, const struct diffusion *d, int64_t visible_from);

/* The title of a notification, in French (the establishment's language,
 * notify.h) whatever the author's: catalogue key with {1} what and {2} the
 * day of date ("jeudi 12 mars"). */
const char *diffusion_title(struct req *r, const char *key, const char *what, const char *date);

#endif
