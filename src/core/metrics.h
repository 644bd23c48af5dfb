/* metrics.h — what the server counts for operations (issue 6, part 4):
 * requests by route and status, a latency histogram, and the queues read
 * from the store at scrape time; served in Prometheus' text format at
 * /metrics, with /healthz for load balancers. */
#ifndef CARNET_METRICS_H
#define CARNET_METRICS_H
#include "router.h"

/* Size the counters for the routes registered so far (after every
 * router_add, before serving). */
void metrics_init(void);
/* One request answered: its route (NULL: none matched), status and duration. */
void metrics_record(const struct route *rt, int status, double seconds);
/* The latency buckets' upper bounds, in seconds (for the text and tests). */
extern const double metrics_buckets[];

/* /metrics and /healthz. /metrics answers when the request carries
 * "Authorization: Bearer $CARNET_METRICS_TOKEN", or, without a token set,
 * when it comes straight from loopback (not through a proxy); 404 otherwise. */
extern const struct route metrics_routes[];

#endif
