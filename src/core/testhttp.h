/* testhttp.h — one request from a stream, answered on another. */
#ifndef CARNET_TESTHTTP_H
#define CARNET_TESTHTTP_H
#include <stdio.h>
/* Read an HTTP request from in, run it, write the response to out.
 * Returns 0, or -1 when the request line is unreadable. */
int testhttp_run(FILE *in, FILE *out, const char *remote_addr);
#endif
