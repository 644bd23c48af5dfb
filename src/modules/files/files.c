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
#include <magic.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

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

const char *files_check(struct req *r, const struct upload *u)
{
    if (!u->len) return tr(r, "files.err.empty");
    if (u->len > ATTACHMENT_MAX_BYTES) return tr(r, "files.err.too_big");
    const char *type = detected_type(u);
    for (size_t i = 0; type && allowed_types[i]; i++)
        if (!strcmp(type, allowed_types[i])) return NULL;
    return tr(r, "files.err.type");
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

/* Images a browser decodes safely (never SVG, which is a document with
 * scripts) may be shown in the page; everything else is a download. */
static bool inline_image(const char *mime)
{
    return !strcmp(mime, "image/jpeg") || !strcmp(mime, "image/png") || !strcmp(mime, "image/gif") || !strcmp(mime, "image/webp");
}

static const char *size_text(struct req *r, int64_t size)
{
    if (size < 1024) return tr_fmt(r, "files.bytes", arena_printf(&r->arena, "%lld", (long long)size), NULL);
    if (size < 1024 * 1024) return tr_fmt(r, "files.kb", arena_printf(&r->arena, "%lld", (long long)(size + 1023) / 1024), NULL);
    return tr_fmt(r, "files.mb", arena_printf(&r->arena, "%.1f", size / (1024.0 * 1024.0)), NULL);
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
            size_text(r, v[i].size));
    }
    out(r, "</ul>");
}

/* Who may download: whoever may see the item it is attached to. */
static bool may_download(struct req *r, const char *owner, int64_t owner_id)
{
    struct store *s = store_thread();
    int64_t id = 0;
    if (!strcmp(owner, "homework")) {
        if (store_int(s, &id, "SELECT teaching_id FROM homework WHERE id = $1", "i", owner_id) != 1) return false;
        return policy_may(s, r->actor, ACT_TEACHING_VIEW, OBJECT(OBJ_TEACHING, id));
    }
    if (!strcmp(owner, "log_entry")) {
        if (store_int(s, &id, "SELECT teaching_id FROM log_entry WHERE id = $1", "i", owner_id) != 1) return false;
        return policy_may(s, r->actor, ACT_TEACHING_VIEW, OBJECT(OBJ_TEACHING, id));
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
