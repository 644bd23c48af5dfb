/* metrics.c — request counters, latency histogram, /metrics and /healthz
 * (see metrics.h). Counters are atomics: no lock on the request path. */
#include "metrics.h"
#include "app.h"
#include "assets.h"
#include "clock.h"
#include "i18n.h"
#include "../policy/policy.h"
#include "../store/store.h"
#include <jansson.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double metrics_buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 0};
#define NBUCKETS (sizeof metrics_buckets / sizeof *metrics_buckets) /* the last: +Inf */

/* The statuses counted one by one; others are counted as "other". */
static const int statuses[] = {200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405, 409, 413, 414, 415, 429, 500, 503};
#define NSTATUS (sizeof statuses / sizeof *statuses + 1)

static size_t nroutes;                 /* + 1: requests that matched no route */
static _Atomic uint64_t *requests;     /* [(nroutes + 1) * NSTATUS] */
static _Atomic uint64_t buckets[NBUCKETS], total_us;

void metrics_init(void)
{
    if (requests) return;   /* once: the routes are registered at start-up */
    nroutes = router_count();
    requests = calloc((nroutes + 1) * NSTATUS, sizeof *requests);
}

static size_t status_slot(int status)
{
    for (size_t i = 0; i + 1 < NSTATUS; i++)
        if (statuses[i] == status) return i;
    return NSTATUS - 1;
}

void metrics_record(const struct route *rt, int status, double seconds)
{
    if (!requests) return;
    size_t r = rt ? router_index(rt) : nroutes;
    if (r > nroutes) r = nroutes;
    atomic_fetch_add_explicit(&requests[r * NSTATUS + status_slot(status)], 1, memory_order_relaxed);
    size_t b = 0;
    while (b + 1 < NBUCKETS && seconds > metrics_buckets[b]) b++;
    atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&total_us, (uint64_t)(seconds * 1e6), memory_order_relaxed);
}

/* May this request read the metrics? */
static bool allowed(struct req *r)
{
    const char *token = getenv("CARNET_METRICS_TOKEN"), *auth = req_header(r, "Authorization");
    if (token && *token) {
        size_t n = strlen(token);
        return auth && !strncmp(auth, "Bearer ", 7) && strlen(auth + 7) == n && sodium_memcmp(auth + 7, token, n) == 0;
    }
    const char *a = r->remote_addr ? r->remote_addr : "";
    /* A proxy on this machine forwards the public's requests from loopback. */
    if (req_forwarded(r)) return false;
    return (!strcmp(a, "127.0.0.1") || !strcmp(a, "::1") || !strncmp(a, "::ffff:127.", 11));
}

static const char *route_label(size_t i)
{
    const struct route *rt = i < nroutes ? router_at(i) : NULL;
    return rt ? rt->path : "(none)";
}

static void metrics_page(struct req *r)
{
    if (!allowed(r)) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    r->status = 200;
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    out(r, "# HELP carnet_http_requests_total Requests answered, by route pattern and status.\n"
           "# TYPE carnet_http_requests_total counter\n");
    for (size_t i = 0; requests && i <= nroutes; i++)
        for (size_t k = 0; k < NSTATUS; k++) {
            uint64_t n = atomic_load_explicit(&requests[i * NSTATUS + k], memory_order_relaxed);
            if (!n) continue;
            out(r, "carnet_http_requests_total{route=\"%h\",status=\"%h\"} %I\n", route_label(i),
                k + 1 < NSTATUS ? arena_printf(&r->arena, "%d", statuses[k]) : "other", (int64_t)n);
        }
    out(r, "# HELP carnet_http_request_duration_seconds Time from the request's arrival to its answer.\n"
           "# TYPE carnet_http_request_duration_seconds histogram\n");
    uint64_t cumulative = 0;
    for (size_t b = 0; b < NBUCKETS; b++) {
        cumulative += atomic_load_explicit(&buckets[b], memory_order_relaxed);
        out(r, "carnet_http_request_duration_seconds_bucket{le=\"%h\"} %I\n",
            b + 1 < NBUCKETS ? arena_printf(&r->arena, "%g", metrics_buckets[b]) : "+Inf", (int64_t)cumulative);
    }
    out(r, "carnet_http_request_duration_seconds_sum %h\ncarnet_http_request_duration_seconds_count %I\n",
        arena_printf(&r->arena, "%.6f", (double)atomic_load(&total_us) / 1e6), (int64_t)cumulative);
    /* The queues, read now. */
    struct store *s = store_thread();
    int64_t queued = 0, sending = 0, failed = 0, due = 0, now = clock_now();
    if (s) {
        store_int(s, &queued, "SELECT count(*) FROM mail_outbox WHERE state = 'queued'", NULL);
        store_int(s, &sending, "SELECT count(*) FROM mail_outbox WHERE state = 'sending'", NULL);
        store_int(s, &failed, "SELECT count(*) FROM mail_outbox WHERE state = 'failed'", NULL);
        store_int(s, &due, "SELECT count(*) FROM notification WHERE mail_done = 0 AND visible_at <= $1", "i", now);
    }
    out(r, "# HELP carnet_mail_outbox E-mails of the outbox, by state.\n# TYPE carnet_mail_outbox gauge\n"
           "carnet_mail_outbox{state=\"queued\"} %I\ncarnet_mail_outbox{state=\"sending\"} %I\ncarnet_mail_outbox{state=\"failed\"} %I\n"
           "# HELP carnet_notifications_due Notifications visible whose e-mail is not decided yet.\n"
           "# TYPE carnet_notifications_due gauge\ncarnet_notifications_due %I\n",
        queued, sending, failed, due);
}

/* For load balancers: 200 when the database answers and is migrated to
 * this binary's schema, else 503; never cached. */
static void healthz(struct req *r)
{
    struct store *s = store_thread();
    int64_t applied = -1;
    bool db = s && store_int(s, &applied, "SELECT count(*) FROM schema_migration", NULL) == 1;
    bool migrated = db && applied >= (int64_t)assets_sql_count;
    reply_json(r, migrated ? 200 : 503,
               json_pack("{s:s,s:s,s:I,s:I}", "status", migrated ? "ok" : "unavailable", "database", !db ? "unreachable" : migrated ? "ok" : "not migrated",
                         "migrations", (json_int_t)applied, "expected", (json_int_t)assets_sql_count));
}

const struct route metrics_routes[] = {
    {.method = M_GET, .path = "/metrics", .handler = metrics_page, .action = ACT_PUBLIC},
    {.method = M_GET, .path = "/healthz", .handler = healthz, .action = ACT_PUBLIC, .flags = ROUTE_API},
    {0}};
