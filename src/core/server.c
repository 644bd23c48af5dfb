/* server.c — libmicrohttpd 0.9.75 adapter: fills a struct req, runs the
 * app pipeline, sends the answer. Thread pool with epoll; one arena per
 * request, released in the completion callback. */
#include "server.h"
#include "app.h"
#include "i18n.h"
#include "limits.h"
#include "log.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* Requests between their first byte and their answer being sent. */
static _Atomic int in_flight;

struct conn {
    struct req r;
    struct buf body;
    bool too_big;
    bool started;
};

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    struct conn *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    req_init(&k->r);
    buf_init(&k->body);
    k->r.target = arena_strdup(&k->r.arena, uri);
    atomic_fetch_add(&in_flight, 1);
    return k;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)c;
    (void)code;
    struct conn *k = *con_cls;
    if (!k) return;
    atomic_fetch_sub(&in_flight, 1);
    buf_free(&k->body);
    req_free(&k->r);
    free(k);
    *con_cls = NULL;
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct req *r = cls;
    if (r->nheaders % 16 == 0) {
        struct kv *n = arena_alloc(&r->arena, (r->nheaders + 16) * sizeof *n);
        if (r->nheaders) memcpy(n, r->headers, r->nheaders * sizeof *n);
        r->headers = n;
    }
    r->headers[r->nheaders++] = (struct kv){.name = key, .value = value ? value : "", .len = value ? strlen(value) : 0};
    return MHD_YES;
}

static enum method parse_method(const char *m)
{
    static const struct { const char *name; enum method m; } t[] = {
        {"GET", M_GET}, {"HEAD", M_HEAD}, {"POST", M_POST}, {"PUT", M_PUT}, {"DELETE", M_DELETE}, {"PATCH", M_PATCH}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(m, t[i].name)) return t[i].m;
    return M_OTHER;
}

static enum MHD_Result send_req(struct MHD_Connection *c, struct req *r)
{
    size_t len = r->out.len;
    char *body = r->out.p;
    buf_init(&r->out); /* MHD now owns the bytes */
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, body ? body : (char *)"", body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    if (r->content_type && r->status != 304) MHD_add_response_header(resp, "Content-Type", r->content_type);
    for (size_t i = 0; i < r->nresp_headers; i++)
        MHD_add_response_header(resp, r->resp_headers[i].name, r->resp_headers[i].value);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)url;
    (void)version;
    struct conn *k = *con_cls;
    if (!k) return MHD_NO;
    struct req *r = &k->r;
    if (!k->started) {
        k->started = true;
        r->method_name = arena_strdup(&r->arena, method);
        r->method = parse_method(method);
        MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header, r);
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && ci->client_addr) {
            char ip[INET6_ADDRSTRLEN] = "";
            if (ci->client_addr->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, ip, sizeof ip);
            else if (ci->client_addr->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, ip, sizeof ip);
            r->remote_addr = arena_strdup(&r->arena, ip);
        }
        const char *cl = req_header(r, "Content-Length");
        unsigned long long announced = cl ? strtoull(cl, NULL, 10) : 0;
        /* Too big but not absurd: read and drop it, then answer 413, so that
         * the client is still listening when the answer comes. */
        if (announced > LIMIT_BODY_BYTES) k->too_big = true;
        if (announced > LIMIT_DISCARD_BYTES) {
            r->lang = i18n_negotiate(NULL, req_header(r, "Accept-Language"));
            r->api = r->target && !strncmp(r->target, "/api/", 5);
            reply_error(r, 413, tr(r, "err.too_large"));
            resp_header(r, "Connection", "close");
            return send_req(c, r);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (k->body.len + *upload_size > LIMIT_BODY_BYTES) k->too_big = true;
        if (!k->too_big) buf_put(&k->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (k->too_big) {
        r->api = r->target && !strncmp(r->target, "/api/", 5);
        reply_error(r, 413, tr(r, "err.too_large"));
        return send_req(c, r);
    }
    r->body = k->body.p ? k->body.p : "";
    r->body_len = k->body.len;
    app_handle(r);
    return send_req(c, r);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    log_warn("libmicrohttpd", "%s", msg);
}

int server_run(const struct server_options *opt)
{
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)opt->port);
    if (inet_pton(AF_INET, opt->address ? opt->address : "127.0.0.1", &sa.sin_addr) != 1) {
        log_error("server_run", "bad listen address %s", opt->address);
        return -1;
    }
    int threads = opt->threads;
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 2;
    }
    if (threads > LIMIT_THREADS_MAX) threads = LIMIT_THREADS_MAX;

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* worker threads inherit the mask */

    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_TURBO | MHD_USE_ITC, 0, NULL, NULL,
        handler, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)LIMIT_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)LIMIT_CONNECTION_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)LIMIT_HEADER_POOL_BYTES,
        MHD_OPTION_URI_LOG_CALLBACK, uri_logger, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
        MHD_OPTION_END);
    if (!d) {
        log_error("server_run", "cannot listen on %s:%d", opt->address, opt->port);
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    int port = di ? di->port : opt->port;
    if (opt->port_file) {
        FILE *f = fopen(opt->port_file, "w");
        if (f) {
            fprintf(f, "%d\n", port);
            fclose(f);
        }
    }
    log_info("server_run", "listening on http://%s:%d with %d threads", opt->address, port, threads);

    int sig = 0;
    sigwait(&set, &sig);
    log_info("server_run", "signal %d: stopping, finishing requests in flight", sig);
    MHD_socket ls = MHD_quiesce_daemon(d);
    if (ls != MHD_INVALID_SOCKET) close(ls);
    for (int i = 0; i < 100 && atomic_load(&in_flight) > 0; i++) { /* up to 5 s for requests in flight */
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(d);
    log_info("server_run", "stopped");
    return 0;
}
