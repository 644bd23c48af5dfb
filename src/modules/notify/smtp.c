/* smtp.c — one SMTP connection through libcurl (see internal.h). The easy
 * handle is kept for a whole run: libcurl keeps its connection open between
 * transfers, so thousands of e-mails go over one session (MAIL FROM, RCPT
 * TO, DATA each) instead of one connection each. STARTTLS is used when the
 * server offers it; smtps:// URLs are TLS from the start. */
#include "internal.h"
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMTP_CONNECT_TIMEOUT_S 10
#define SMTP_TIMEOUT_S         60    /* one e-mail, from the first byte to the server's answer */

struct smtp {
    CURL *curl;
    char from[260];
    char error[CURL_ERROR_SIZE];
};

struct smtp_body {
    const char *p;
    size_t left;
};

static size_t reader(char *dst, size_t size, size_t n, void *arg)
{
    struct smtp_body *u = arg;
    size_t k = size * n < u->left ? size * n : u->left;
    memcpy(dst, u->p, k);
    u->p += k;
    u->left -= k;
    return k;
}

struct smtp *smtp_open(const char *url, const char *from_addr)
{
    struct smtp *c = calloc(1, sizeof *c);
    if (!c || !(c->curl = curl_easy_init())) {
        free(c);
        return NULL;
    }
    snprintf(c->from, sizeof c->from, "<%s>", from_addr);
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    curl_easy_setopt(c->curl, CURLOPT_MAIL_FROM, c->from);
    curl_easy_setopt(c->curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c->curl, CURLOPT_READFUNCTION, reader);
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, (long)SMTP_CONNECT_TIMEOUT_S);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, (long)SMTP_TIMEOUT_S);
    curl_easy_setopt(c->curl, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->error);
    return c;
}

enum smtp_result smtp_send(struct smtp *c, const char *rcpt, const char *data, size_t len, char *err, size_t errlen)
{
    char to[300];
    snprintf(to, sizeof to, "<%s>", rcpt);
    struct curl_slist *rcpts = curl_slist_append(NULL, to);
    struct smtp_body u = {data, len};
    c->error[0] = 0;
    curl_easy_setopt(c->curl, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(c->curl, CURLOPT_READDATA, &u);
    curl_easy_setopt(c->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    CURLcode res = rcpts ? curl_easy_perform(c->curl) : CURLE_OUT_OF_MEMORY;
    curl_easy_setopt(c->curl, CURLOPT_MAIL_RCPT, NULL);
    curl_slist_free_all(rcpts);
    if (res == CURLE_OK) return SMTP_SENT;
    long code = 0;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &code);
    snprintf(err, errlen, "%s (%ld)", c->error[0] ? c->error : curl_easy_strerror(res), code);
    /* A refused login, or 421 (the server closes the session): as if it
     * were down, for every e-mail. */
    if (res == CURLE_LOGIN_DENIED) return SMTP_DOWN;
    if (code >= 500 && code < 600) return SMTP_REFUSED;
    if (code >= 400 && code < 500 && code != 421) return SMTP_RETRY;
    return SMTP_DOWN;
}

void smtp_close(struct smtp *c)
{
    if (!c) return;
    curl_easy_cleanup(c->curl);
    free(c);
}
