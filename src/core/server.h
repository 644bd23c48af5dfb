/* server.h — the libmicrohttpd adapter: the only file that knows MHD. */
#ifndef CARNET_SERVER_H
#define CARNET_SERVER_H
#include <stdint.h>

struct server_options {
    const char *address;   /* listen address, e.g. "127.0.0.1" */
    int port;              /* 0: any free port */
    int threads;           /* worker threads (0: one per core) */
    const char *port_file; /* if set, write the bound port here once listening */
};

/* Serve until SIGTERM or SIGINT, then stop accepting, let requests in
 * flight finish (bounded wait) and return 0. -1 if the server cannot start. */
int server_run(const struct server_options *opt);

#endif
