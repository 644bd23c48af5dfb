/* testhttp.c — serve one request read from a stream, without a socket
 * (Fossil's test-http): for tests, fuzzing and debugging a page. */
#include "testhttp.h"
#include "app.h"
#include "limits.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *reason(int s)
{
    switch (s) {
    case 200: return "OK";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    default: return "Status";
    }
}

int testhttp_run(FILE *in, FILE *outf, const char *remote_addr)
{
    struct req r;
    req_init(&r);
    r.remote_addr = remote_addr ? remote_addr : "127.0.0.1";
    char line[LIMIT_URL_BYTES + 64];
    int rc = 0;
    if (!fgets(line, sizeof line, in)) { rc = -1; goto out; }
    char method[16], target[LIMIT_URL_BYTES + 8];
    if (sscanf(line, "%15s %2055s", method, target) != 2) { rc = -1; goto out; }
    r.method_name = arena_strdup(&r.arena, method);
    static const struct { const char *n; enum method m; } ms[] = {
        {"GET", M_GET}, {"HEAD", M_HEAD}, {"POST", M_POST}, {"PUT", M_PUT}, {"DELETE", M_DELETE}, {"PATCH", M_PATCH}};
    r.method = M_OTHER;
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
        if (!strcmp(method, ms[i].n)) r.method = ms[i].m;
    r.target = arena_strdup(&r.arena, target);
    size_t cap = 32;
    r.headers = arena_alloc(&r.arena, cap * sizeof *r.headers);
    size_t clen = 0;
    while (fgets(line, sizeof line, in)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (!n) break;
        char *colon = strchr(line, ':');
        if (!colon || r.nheaders == cap) continue;
        *colon = 0;
        const char *v = colon + 1;
        while (*v == ' ') v++;
        r.headers[r.nheaders++] = (struct kv){arena_strdup(&r.arena, line), arena_strdup(&r.arena, v), strlen(v)};
        if (!strcasecmp(line, "Content-Length")) clen = strtoul(v, NULL, 10);
    }
    if (clen > LIMIT_BODY_BYTES) {
        reply_error(&r, 413, "too large");
    } else {
        char *body = arena_alloc(&r.arena, clen + 1);
        r.body = body;
        r.body_len = fread(body, 1, clen, in);
        app_handle(&r);
    }
    fprintf(outf, "HTTP/1.1 %d %s\r\n", r.status, reason(r.status));
    if (r.content_type) fprintf(outf, "Content-Type: %s\r\n", r.content_type);
    for (size_t i = 0; i < r.nresp_headers; i++)
        fprintf(outf, "%s: %s\r\n", r.resp_headers[i].name, r.resp_headers[i].value);
    fprintf(outf, "Content-Length: %zu\r\n\r\n", r.out.len);
    if (r.out.len) fwrite(r.out.p, 1, r.out.len, outf);
out:
    req_free(&r);
    return rc;
}
