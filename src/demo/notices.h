/* notices.h — the demo's notification centre contents (see notices.c). */
#ifndef CARNET_DEMO_NOTICES_H
#define CARNET_DEMO_NOTICES_H
#include <stdint.h>

struct store;

/* Notifications for what the demo published in the two weeks before now.
 * Inside the demo's transaction. Returns 0, or -1. */
int demo_notices(struct store *s, int64_t now);

#endif
