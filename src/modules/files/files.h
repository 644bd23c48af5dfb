/* files.h — attachments of homework, class-log entries and absence
 * justifications: checked by content (libmagic), a safe name, stored once
 * per SHA-256 in the database (every node sees them, backups hold them),
 * downloaded only by those the policy lets see their owner. */
#ifndef CARNET_MODULE_FILES_H
#define CARNET_MODULE_FILES_H
#include "../../core/router.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct arena;

#define ATTACHMENT_MAX_BYTES (5 * 1024 * 1024)   /* per file: a phone photo of a certificate fits */

struct attachment_ref {
    int64_t id, size;
    const char *name, *mime;
};

/* The upload of a form field, or NULL when none (or an empty file input). */
const struct upload *files_upload(struct req *r, const char *field);

/* Every upload of a form field (a file input with "multiple"). */
size_t files_uploads(struct req *r, const char *field, const struct upload ***out);

/* Check an upload (size, type by content) without storing it: NULL when it
 * may be attached, else a translated message saying what is wrong. */
const char *files_check(struct req *r, const struct upload *u);

/* Check n uploads: each as files_check, at most max_files of them and
 * max_total bytes together. NULL when all may be attached. */
const char *files_check_all(struct req *r, const struct upload *const *v, size_t n, size_t max_files, size_t max_total);

/* Store a checked upload as an attachment of owner ("homework",
 * "log_entry", "attendance"), inside the caller's transaction. Returns
 * the attachment's id, or 0 on a store error. */
int64_t files_attach(struct req *r, const struct upload *u, const char *owner, int64_t owner_id);

/* Attach to (to_owner, to_id) the same files as (owner, from_id): the
 * content is stored once, only the attachment rows are new. 0 or -1. */
int files_copy(struct store *s, const char *owner, int64_t from_id, const char *to_owner, int64_t to_id);

/* Attachments of an owner; and the same rendered as a list of links. */
size_t files_list(struct store *s, struct arena *a, const char *owner, int64_t owner_id, struct attachment_ref **out);
/* How many attachments an owner has (-1 on a store error), and their bytes
 * together in *bytes: what its limits count. */
int64_t files_total(struct store *s, const char *owner, int64_t owner_id, int64_t *bytes);
void files_links(struct req *r, const char *owner, int64_t owner_id);
/* A size as people read it: "812 o", "35 Ko", "1.2 Mo", "10 Mo". */
const char *files_size_text(struct req *r, int64_t size);

/* The optional virus scan (clamd): whether it answers — known from the
 * last scan or try, asked again when that is older than a minute. probe
 * asks now (at start: the log then says once when there is no clamd, and
 * again only when that changes). */
bool files_antivirus_ok(void);
void files_antivirus_probe(void);

extern const struct route files_routes[];

#endif
