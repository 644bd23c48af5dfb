/* files.c — attachments: check, store, list, download. */
#include "files.h"
#include "../../core/audit.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/log.h"
#include "../../core/page.h"
#include "../../core/text.h"
#include "../../policy/policy.h"
#include "../../store/store.h"
#include <arpa/inet.h>
#include <magic.h>
#include <netdb.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define ATTACHMENT_NAME_CHARS 100

/* What families and teachers attach: documents and photos. Anything else —
 * programs, scripts, archives, HTML — is refused whatever its name. */
static const char *const allowed_types[] = {
    "application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "text/plain",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/msword", "application/vnd.ms-excel", "audio/mpeg", NULL};

/* libmagic handles are not shared between threads: one per thread. */
static pthread_key_t magic_key;
static pthread_once_t magic_once = PTHREAD_ONCE_INIT;

static void magic_free(void *m) { magic_close((magic_t)m); }
static void magic_key_make(void) { pthread_key_create(&magic_key, magic_free); }

static magic_t magic_thread(void)
{
    pthread_once(&magic_once, magic_key_make);
    magic_t m = pthread_getspecific(magic_key);
    if (m) return m;
    m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS);
    if (!m) return NULL;
    if (magic_load(m, NULL) < 0) {
        log_error("files", "libmagic: %s", magic_error(m));
        magic_close(m);
        return NULL;
    }
    pthread_setspecific(magic_key, m);
    return m;
}

static const char *safe_name(struct arena *a, const char *raw);

static bool upload_given(const struct upload *u, const char *field)
{
    return !strcmp(u->field, field) && (u->len || (u->filename && *u->filename));
}

const struct upload *files_upload(struct req *r, const char *field)
{
    for (size_t i = 0; i < r->nuploads; i++)
        if (upload_given(&r->uploads[i], field)) return &r->uploads[i];
    return NULL;
}

size_t files_uploads(struct req *r, const char *field, const struct upload ***out)
{
    const struct upload **v = arena_alloc(&r->arena, (r->nuploads + 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < r->nuploads; i++)
        if (upload_given(&r->uploads[i], field)) v[n++] = &r->uploads[i];
    *out = v;
    return n;
}

const char *files_check_all(struct req *r, const struct upload *const *v, size_t n, size_t max_files, size_t max_total)
{
    size_t total = 0;
    if (n > max_files)
        return tr_fmt(r, "files.err.too_many", arena_printf(&r->arena, "%zu", max_files), NULL);
    for (size_t i = 0; i < n; i++) {
        const char *bad = files_check(r, v[i]);
        if (bad) return n > 1 ? tr_fmt(r, "files.err.which", safe_name(&r->arena, v[i]->filename), bad) : bad;
        total += v[i]->len;
    }
    if (total > max_total)
        return tr_fmt(r, "files.err.total", arena_printf(&r->arena, "%zu", max_total / (1024 * 1024)), NULL);
    return NULL;
}

int files_copy(struct store *s, const char *owner, int64_t from_id, const char *to_owner, int64_t to_id)
{
    return store_run(s, "INSERT INTO attachment (owner, owner_id, name, mime, size, sha256, created_by, created_at)"
                        " SELECT $3, $4, name, mime, size, sha256, created_by, created_at FROM attachment WHERE owner = $1 AND owner_id = $2"
                        " ORDER BY id", "titi", owner, from_id, to_owner, to_id);
}

static const char *detected_type(const struct upload *u)
{
    magic_t m = magic_thread();
    return m ? magic_buffer(m, u->data, u->len) : NULL;
}

/* ---- Optional virus scan: clamd, when it runs --------------------------- */

#define CLAMD_DEFAULT_SOCKET "/run/clamav/clamd.ctl"
#define CLAMD_TIMEOUT_S 10
#define CLAMD_CHUNK (64 * 1024)

/* Where clamd listens: CARNET_CLAMD ("/path/to/socket" or "host:port"),
 * else Debian's socket when it exists; "" when there is no clamd. */
static const char *clamd_address(void)
{
    const char *env = getenv("CARNET_CLAMD");
    if (env) return env;
    struct stat st;
    return stat(CLAMD_DEFAULT_SOCKET, &st) == 0 ? CLAMD_DEFAULT_SOCKET : "";
}

static int clamd_connect(const char *addr)
{
    int fd = -1;
    if (addr[0] == '/') {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(addr) >= sizeof sa.sun_path) return -1;
        strcpy(sa.sun_path, addr);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
            close(fd);
            fd = -1;
        }
    } else {
        char host[256];
        const char *colon = strrchr(addr, ':');
        if (!colon || (size_t)(colon - addr) >= sizeof host) return -1;
        memcpy(host, addr, (size_t)(colon - addr));
        host[colon - addr] = 0;
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
        if (getaddrinfo(host, colon + 1, &hints, &res) != 0) return -1;
        for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
            fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
            if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
                close(fd);
                fd = -1;
            }
        }
        freeaddrinfo(res);
    }
    if (fd >= 0) {
        struct timeval tv = {.tv_sec = CLAMD_TIMEOUT_S};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    return fd;
}

static bool send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w <= 0) return false;
        c += w;
        n -= (size_t)w;
    }
    return true;
}

/* Scan with clamd's INSTREAM command. 1: infected (name in virus), 0: clean
 * or not scanned (no clamd, or it failed: logged — the scan is optional). */
static int clamd_scan(const struct upload *u, char *virus, size_t virus_len)
{
    const char *addr = clamd_address();
    if (!*addr) return 0;
    int fd = clamd_connect(addr);
    if (fd < 0) {
        log_warn("files", "clamd at %s unreachable: file not scanned", addr);
        return 0;
    }
    bool ok = send_all(fd, "zINSTREAM", 10);
    for (size_t off = 0; ok && off < u->len; off += CLAMD_CHUNK) {
        size_t n = u->len - off < CLAMD_CHUNK ? u->len - off : CLAMD_CHUNK;
        uint32_t be = htonl((uint32_t)n);
        ok = send_all(fd, &be, 4) && send_all(fd, u->data + off, n);
    }
    uint32_t end = 0;
    char reply[256] = "";
    size_t got = 0;
    if (ok && send_all(fd, &end, 4))
        for (ssize_t k; got < sizeof reply - 1 && (k = recv(fd, reply + got, sizeof reply - 1 - got, 0)) > 0;) got += (size_t)k;
    close(fd);
    reply[got] = 0;
    /* "stream: OK", or "stream: NAME FOUND" */
    size_t len = strlen(reply);
    if (len > 6 && !strcmp(reply + len - 6, " FOUND")) {
        const char *name = strncmp(reply, "stream: ", 8) ? reply : reply + 8;
        snprintf(virus, virus_len, "%.*s", (int)(reply + len - 6 - name), name);
        return 1;
    }
    if (strncmp(reply, "stream: OK", 10)) log_warn("files", "clamd answered \"%s\": file not scanned", reply);
    return 0;
}

const char *files_check(struct req *r, const struct upload *u)
{
    if (!u->len) return tr(r, "files.err.empty");
    if (u->len > ATTACHMENT_MAX_BYTES) return tr(r, "files.err.too_big");
    const char *type = detected_type(u);
    bool allowed = false;
    for (size_t i = 0; type && allowed_types[i] && !allowed; i++) allowed = !strcmp(type, allowed_types[i]);
    if (!allowed) return tr(r, "files.err.type");
    char virus[160];
    if (clamd_scan(u, virus, sizeof virus)) {
        log_warn("files", "upload refused: clamd found %s", virus);
        return tr(r, "files.err.virus");
    }
    return NULL;
}

/* The file's own name, without any path, control or quoting character,
 * cut to a reasonable length; "piece-jointe" when nothing is left. */
static const char *safe_name(struct arena *a, const char *raw)
{
    const char *base = raw ? raw : "";
    for (const char *p = base; *p; p++)
        if (*p == '/' || *p == '\\') base = p + 1;
    char *s = arena_strdup(a, base);
    size_t chars = 0;
    char *w = s;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == ':' || *p == '*' || *p == '?' || *p == '|')
            continue;
        if ((*p & 0xC0) != 0x80 && ++chars > ATTACHMENT_NAME_CHARS) break;
        *w++ = (char)*p;
    }
    *w = 0;
    while (s[0] == '.' || s[0] == ' ') s++;   /* no hidden or blank-leading names */
    if (!*s || !text_utf8_valid(s, strlen(s))) return "piece-jointe";
    return s;
}

int64_t files_attach(struct req *r, const struct upload *u, const char *owner, int64_t owner_id)
{
    struct store *s = store_thread();
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    crypto_hash_sha256(h, (const unsigned char *)u->data, u->len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    const char *type = detected_type(u);
    if (!type) return 0;
    type = arena_strdup(&r->arena, type);
    if (store_run(s, "INSERT INTO file_blob (sha256, size, data) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING", "tib", hex,
                  (int64_t)u->len, u->data, u->len) < 0)
        return 0;
    int64_t id = 0;
    if (store_int(s, &id,
                  "INSERT INTO attachment (owner, owner_id, name, mime, size, sha256, created_by, created_at)"
                  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                  "tittitii", owner, owner_id, safe_name(&r->arena, u->filename), type,
                  (int64_t)u->len, hex, r->actor->person_id, clock_now()) != 1)
        return 0;
    return id;
}

size_t files_list(struct store *s, struct arena *a, const char *owner, int64_t owner_id, struct attachment_ref **out)
{
    struct stmt *st = store_q(s, "SELECT id, name, mime, size FROM attachment WHERE owner = $1 AND owner_id = $2 ORDER BY id", "ti",
                              owner, owner_id);
    size_t n = 0, cap = 0;
    struct attachment_ref *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(a, v, n, &cap, sizeof *v);
        v[n++] = (struct attachment_ref){stmt_int(st, 0), stmt_int(st, 3), arena_strdup(a, stmt_text(st, 1)),
                                         arena_strdup(a, stmt_text(st, 2))};
    }
    stmt_done(st);
    *out = v;
    return n;
}

int64_t files_total(struct store *s, const char *owner, int64_t owner_id, int64_t *bytes)
{
    struct stmt *st = store_q(s, "SELECT count(*), CAST(coalesce(sum(size), 0) AS BIGINT)"
                                 " FROM attachment WHERE owner = $1 AND owner_id = $2",
                              "ti", owner, owner_id);
    int64_t n = -1;
    *bytes = 0;
    if (st && stmt_step(st) == STORE_ROW) {
        n = stmt_int(st, 0);
        *bytes = stmt_int(st, 1);
    }
    stmt_done(st);
    return n;
}

/* Images a browser decodes safely (never SVG, which is a document with
 * scripts) may be shown in the page; everything else is a download. */
static bool inline_image(const char *mime)
{
    return !strcmp(mime, "image/jpeg") || !strcmp(mime, "image/png") || !strcmp(mime, "image/gif") || !strcmp(mime, "image/webp");
}

const char *files_size_text(struct req *r, int64_t size)
{
    const int64_t kb = 1024, mb = 1024 * 1024;
    struct arena *a = &r->arena;
    if (size < kb) return tr_fmt(r, "files.bytes", arena_printf(a, "%lld", (long long)size), NULL);
    if (size < mb)
        return tr_fmt(r, "files.kb", arena_printf(a, "%lld", (long long)((size + kb - 1) / kb)),
                      NULL);
    if (size % mb == 0)
        return tr_fmt(r, "files.mb", arena_printf(a, "%lld", (long long)(size / mb)), NULL);
    return tr_fmt(r, "files.mb", arena_printf(a, "%.1f", (double)size / mb), NULL);
}

void files_links(struct req *r, const char *owner, int64_t owner_id)
{
    struct attachment_ref *v;
    size_t n = files_list(store_thread(), &r->arena, owner, owner_id, &v);
    if (!n) return;
    out(r, "<ul class=\"plain files\">");
    for (size_t i = 0; i < n; i++) {
        out(r, "<li>");
        if (inline_image(v[i].mime))
            out(r, "<img class=\"attached\" src=\"/pieces-jointes/%I/%u?vue=1\" alt=\"%h\" loading=\"lazy\">", v[i].id, v[i].name,
                v[i].name);
        out(r, "<a href=\"/pieces-jointes/%I/%u\" download>%h</a> <span class=\"meta\">%h</span></li>", v[i].id, v[i].name, v[i].name,
            files_size_text(r, v[i].size));
    }
    out(r, "</ul>");
}

/* Who may download: whoever may see the item it is attached to. */
static bool may_download(struct req *r, const char *owner, int64_t owner_id)
{
    struct store *s = store_thread();
    int64_t id = 0;
    if (!strcmp(owner, "homework") || !strcmp(owner, "log_entry")) {
        /* R-DISCO: families only once the item is visible to them; staff at once. */
        int64_t visible = 0;
        struct stmt *st = store_q(s, !strcmp(owner, "homework") ? "SELECT teaching_id, visible_from FROM homework WHERE id = $1"
                                                                : "SELECT teaching_id, visible_from FROM log_entry WHERE id = $1", "i", owner_id);
        if (st && stmt_step(st) == STORE_ROW) {
            id = stmt_int(st, 0);
            visible = stmt_int(st, 1);
        }
        stmt_done(st);
        return id && (visible <= clock_now() || policy_is_staff(r->actor)) &&
               policy_may(s, r->actor, ACT_TEACHING_VIEW, OBJECT(OBJ_TEACHING, id));
    }
    if (!strcmp(owner, "message")) {
        /* Only the thread's participants, once the message is visible to
         * them (its author: always). */
        return store_int(s, &id, "SELECT count(*) FROM message m JOIN thread_participant tp ON tp.thread_id = m.thread_id"
                                 " WHERE m.id = $1 AND tp.person_id = $2 AND (m.author_id = $2 OR (m.state = 'sent' AND m.visible_at <= $3))",
                         "iii", owner_id, r->actor->person_id, clock_now()) == 1 && id > 0;
    }
    if (!strcmp(owner, "attendance")) {
        if (store_int(s, &id, "SELECT pupil_id FROM attendance WHERE id = $1", "i", owner_id) != 1) return false;
        return policy_may(s, r->actor, ACT_PUPIL_RECORD, OBJECT(OBJ_PERSON, id));
    }
    return false;
}

static void download(struct req *r)
{
    struct store *s = store_thread();
    int64_t id = param_int(r, "id");
    const char *owner = NULL, *name = NULL, *mime = NULL, *sha = NULL;
    int64_t owner_id = 0;
    struct stmt *st = store_q(s, "SELECT owner, owner_id, name, mime, sha256 FROM attachment WHERE id = $1", "i", id);
    if (st && stmt_step(st) == STORE_ROW) {
        owner = arena_strdup(&r->arena, stmt_text(st, 0));
        owner_id = stmt_int(st, 1);
        name = arena_strdup(&r->arena, stmt_text(st, 2));
        mime = arena_strdup(&r->arena, stmt_text(st, 3));
        sha = arena_strdup(&r->arena, stmt_text(st, 4));
    }
    stmt_done(st);
    if (!owner) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    if (!may_download(r, owner, owner_id)) {
        reply_error(r, 403, tr(r, "err.forbidden"));
        return;
    }
    st = store_q(s, "SELECT data FROM file_blob WHERE sha256 = $1", "t", sha);
    if (!st || stmt_step(st) != STORE_ROW) {
        stmt_done(st);
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    size_t len = 0;
    const void *data = stmt_blob(st, 0, &len);
    buf_reset(&r->out);
    buf_put(&r->out, data, len);
    stmt_done(st);
    r->status = 200;
    r->content_type = mime;
    /* A download, never rendered in our origin, except a safe image asked
     * for by the page (?vue=1); the name in RFC 5987 form. */
    struct buf b;
    buf_init(&b);
    buf_fmt(&b, "%h; filename*=UTF-8''%u", param_bool(r, "vue") && inline_image(mime) ? "inline" : "attachment", name);
    resp_header(r, "Content-Disposition", arena_strdup(&r->arena, buf_cstr(&b)));
    buf_free(&b);
    resp_header(r, "Content-Security-Policy", "sandbox; default-src 'none'");
}

const struct route files_routes[] = {
    {.method = M_GET, .path = "/pieces-jointes/{id}/{name}", .handler = download, .action = ACT_SIGNED_IN,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {"vue", P_BOOL, SRC_QUERY}, {0}}},
    {0}};
