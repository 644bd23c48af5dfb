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
#include "zipdir.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <magic.h>
#include <netdb.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define ATTACHMENT_NAME_CHARS 100

/* What families and teachers attach: documents and photos. Each type as
 * libmagic detects it, with the extensions a name of that type may end
 * with (the first is given to a name that ends otherwise), and whether it
 * is a ZIP archive (office documents: their directory is checked). Anything
 * else — programs, scripts, archives, HTML — is refused whatever its name. */
static const struct file_type {
    const char *mime;
    const char *ext[4];
    bool zip;
} file_types[] = {
    {"application/pdf", {"pdf"}, false},
    {"image/jpeg", {"jpg", "jpeg"}, false},
    {"image/png", {"png"}, false},
    {"image/gif", {"gif"}, false},
    {"image/webp", {"webp"}, false},
    {"image/heic", {"heic", "heif"}, false},
    {"text/plain", {"txt", "csv", "md"}, false},
    {"application/vnd.oasis.opendocument.text", {"odt"}, true},
    {"application/vnd.oasis.opendocument.spreadsheet", {"ods"}, true},
    {"application/vnd.oasis.opendocument.presentation", {"odp"}, true},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", {"docx"}, true},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {"xlsx"}, true},
    {"application/vnd.openxmlformats-officedocument.presentationml.presentation", {"pptx"}, true},
    {"application/msword", {"doc"}, false},
    {"application/vnd.ms-excel", {"xls"}, false},
    {"audio/mpeg", {"mp3"}, false},
    {NULL, {NULL}, false},
};

static const struct file_type *file_type_of(const char *mime)
{
    for (const struct file_type *t = file_types; mime && t->mime; t++)
        if (!strcmp(t->mime, mime)) return t;
    return NULL;
}

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
#define CLAMD_PROBE_TIMEOUT_S 2
#define CLAMD_PROBE_EVERY_S 60.0   /* the settings page asks clamd again after this */
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

/* What is known of clamd: reached or not by the last try, and when; said
 * in the log once each time it changes (not at every upload). */
static pthread_mutex_t av_lock = PTHREAD_MUTEX_INITIALIZER;
static int av_state = -1;   /* -1 not tried yet, 0 unreachable, 1 answers */
static double av_when;

static void av_note(const char *addr, bool reached)
{
    pthread_mutex_lock(&av_lock);
    int was = av_state;
    av_state = reached;
    av_when = clock_elapsed();
    pthread_mutex_unlock(&av_lock);
    if (was == (int)reached) return;
    if (reached) {
        if (was == 0) log_info("files", "clamd at %s answers again: attachments are scanned", addr);
    } else if (*addr) {
        log_warn("files", "clamd at %s unreachable: attachments are not scanned for viruses"
                          " until it answers", addr);
    } else {
        log_warn("files", "no clamd (CARNET_CLAMD unset, no %s): attachments are not scanned"
                          " for viruses", CLAMD_DEFAULT_SOCKET);
    }
}

/* Timeouts are set before connect: on Linux the send timeout bounds
 * connect() too. */
static int clamd_connect(const char *addr, int timeout_s)
{
    struct timeval tv = {.tv_sec = timeout_s};
    int fd = -1;
    if (addr[0] == '/') {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(addr) >= sizeof sa.sun_path) return -1;
        strcpy(sa.sun_path, addr);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        }
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
            if (fd < 0) continue;
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
            if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
                close(fd);
                fd = -1;
            }
        }
        freeaddrinfo(res);
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

/* clamd's answer to a command sent: up to len - 1 bytes, NUL-terminated. */
static void clamd_reply(int fd, char *reply, size_t len)
{
    size_t got = 0;
    for (ssize_t k; got < len - 1 && (k = recv(fd, reply + got, len - 1 - got, 0)) > 0;)
        got += (size_t)k;
    reply[got] = 0;
}

/* Ask clamd whether it answers (zPING), and remember. */
static bool clamd_probe(void)
{
    const char *addr = clamd_address();
    bool ok = false;
    int fd = *addr ? clamd_connect(addr, CLAMD_PROBE_TIMEOUT_S) : -1;
    if (fd >= 0) {
        char reply[16] = "";
        if (send_all(fd, "zPING", 6)) clamd_reply(fd, reply, sizeof reply);
        close(fd);
        ok = !strcmp(reply, "PONG");
    }
    av_note(addr, ok);
    return ok;
}

void files_antivirus_probe(void) { (void)clamd_probe(); }

bool files_antivirus_ok(void)
{
    pthread_mutex_lock(&av_lock);
    int state = av_state;
    bool fresh = state >= 0 && clock_elapsed() - av_when < CLAMD_PROBE_EVERY_S;
    pthread_mutex_unlock(&av_lock);
    return fresh ? state == 1 : clamd_probe();
}

/* Scan with clamd's INSTREAM command. 1: infected (name in virus), 0: clean
 * or not scanned (no clamd, or it failed: logged — the scan is optional). */
static int clamd_scan(const struct upload *u, char *virus, size_t virus_len)
{
    const char *addr = clamd_address();
    int fd = *addr ? clamd_connect(addr, CLAMD_TIMEOUT_S) : -1;
    av_note(addr, fd >= 0);
    if (fd < 0) return 0;
    bool ok = send_all(fd, "zINSTREAM", 10);
    for (size_t off = 0; ok && off < u->len; off += CLAMD_CHUNK) {
        size_t n = u->len - off < CLAMD_CHUNK ? u->len - off : CLAMD_CHUNK;
        uint32_t be = htonl((uint32_t)n);
        ok = send_all(fd, &be, 4) && send_all(fd, u->data + off, n);
    }
    uint32_t end = 0;
    char reply[256] = "";
    if (ok && send_all(fd, &end, 4)) clamd_reply(fd, reply, sizeof reply);
    close(fd);
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

/* An office document is a ZIP archive: what its directory announces must
 * stay within the limits (a zip bomb expands to gigabytes in whoever opens
 * it: the recipient's office suite, the antivirus). NULL, or why not. */
static const char *zip_check(struct req *r, const struct upload *u)
{
    struct zipdir z;
    if (zipdir_read((const unsigned char *)u->data, u->len, &z) < 0) {
        log_warn("files", "upload refused: an office document whose ZIP directory is malformed"
                          " (%zu bytes)", u->len);
        return tr(r, "files.err.zip_malformed");
    }
    if (z.entries > UPLOAD_ZIP_MAX_ENTRIES || z.expanded > UPLOAD_ZIP_MAX_EXPANDED_BYTES ||
        z.expanded > (uint64_t)u->len * UPLOAD_ZIP_MAX_RATIO || z.other_methods) {
        log_warn("files", "upload refused: an office document of %zu bytes announces %llu entries"
                          " expanding to %llu bytes (%llu with an unusual compression)",
                 u->len, (unsigned long long)z.entries,
                 (unsigned long long)z.expanded, (unsigned long long)z.other_methods);
        return tr_fmt(r, "files.err.zip_bomb",
                      arena_printf(&r->arena, "%d", UPLOAD_ZIP_MAX_EXPANDED_BYTES / (1024 * 1024)),
                      arena_printf(&r->arena, "%d", UPLOAD_ZIP_MAX_RATIO));
    }
    return NULL;
}

const char *files_check(struct req *r, const struct upload *u)
{
    if (!u->len) return tr(r, "files.err.empty");
    if (u->len > ATTACHMENT_MAX_BYTES) return tr(r, "files.err.too_big");
    const struct file_type *type = file_type_of(detected_type(u));
    if (!type) return tr(r, "files.err.type");
    if (type->zip) {
        const char *bad = zip_check(r, u);
        if (bad) return bad;
    }
    char virus[160];
    if (clamd_scan(u, virus, sizeof virus)) {
        log_warn("files", "upload refused: clamd found %s", virus);
        return tr(r, "files.err.virus");
    }
    return NULL;
}

/* The extension of a name: what follows its last dot when that looks like
 * one (1 to 5 ASCII letters and digits, a letter among them), else NULL. */
static const char *name_extension(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name) return NULL;
    size_t n = strlen(dot + 1);
    bool letter = false;
    if (n < 1 || n > 5) return NULL;
    for (const char *p = dot + 1; *p; p++) {
        if (!isascii((unsigned char)*p) || !isalnum((unsigned char)*p)) return NULL;
        letter |= isalpha((unsigned char)*p) != 0;
    }
    return letter ? dot + 1 : NULL;
}

/* The name a file of type mime is stored and served under: raw made safe,
 * whose extension agrees with the type — kept when it is one of the type's
 * ("photo.JPEG"), else replaced by the type's own ("x.html" holding a PNG:
 * "x.png"), or added when there is none ("scan": "scan.pdf"; "CR 12.03":
 * "CR 12.03.pdf"). A browser saves a download under this name. */
static const char *stored_name(struct arena *a, const char *raw, const char *mime)
{
    const char *name = safe_name(a, raw);
    const struct file_type *t = file_type_of(mime);
    if (!t) return name;
    const char *ext = name_extension(name);
    for (size_t i = 0; ext && i < sizeof t->ext / sizeof *t->ext && t->ext[i]; i++)
        if (!strcasecmp(ext, t->ext[i])) return name;
    size_t keep = ext ? (size_t)(ext - 1 - name) : strlen(name);
    return arena_printf(a, "%.*s.%s", (int)keep, name, t->ext[0]);
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
                  "tittitii", owner, owner_id, stored_name(&r->arena, u->filename, type), type,
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
        /* The name agrees with the type (files stored before it was made to) */
        const char *mime = arena_strdup(a, stmt_text(st, 2));
        v[n++] = (struct attachment_ref){stmt_int(st, 0), stmt_int(st, 3),
                                         stored_name(a, stmt_text(st, 1), mime), mime};
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
        mime = arena_strdup(&r->arena, stmt_text(st, 3));
        /* agrees with the type, also for files stored before that was so */
        name = stored_name(&r->arena, stmt_text(st, 2), mime);
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
