/* apply_impl.h — the applier's state, shared by apply.c (structures:
 * establishments, classes, groups, subjects, MEF, school years) and
 * apply_person.c (people, accounts, roles, enrolments, guardianships,
 * teachings). Not for other modules. */
#ifndef CARNET_IMPORT_APPLY_IMPL_H
#define CARNET_IMPORT_APPLY_IMPL_H
#include "apply.h"
#include "keymap.h"
#include "../core/arena.h"
#include "../store/store.h"

/* Flags of a person entry: which kinds of complete export listed them. */
enum { SEEN_PUPIL = 1, SEEN_RELATIVE = 2, SEEN_STAFF = 4 };
/* Flags of an establishment entry. */
enum { EST_COVERED = 1 };

struct est_info {
    int64_t id, year_id;
    char uai[16];
    char kind[8];
};

struct applier {
    struct store *s;
    struct report *rep;
    struct apply_options o;
    char today[11], yesterday[11], year_label[16];
    int64_t now;
    unsigned complete;        /* bit (1 << imp_kind) of the complete exports in the run */
    struct arena a;           /* lives as long as the applier */
    struct arena rec;         /* emptied after each record */
    struct est_info *est;     /* establishments met, by index */
    size_t nest, est_cap;
    struct keymap est_key;    /* source key → index + 1 in est */
    struct keymap est_id;     /* "id" → index + 1 in est */
    struct keymap klass;      /* "establishment id\tcode" → class id (current year) */
    struct keymap grp;        /* "establishment id\tcode" → group id (current year) */
    struct keymap subject;    /* "establishment id\tcode" → subject id */
    struct keymap subject_ref;/* national code → 1; flags 1 when its name is known */
    struct keymap mef;        /* MEF code → level id (aux) */
    struct keymap person;     /* source key → person id, digest, SEEN_* flags */
    struct keymap ine;        /* INE → person id */
    struct keymap logins;     /* every login in use */
    struct keymap key_row;    /* "kind\tkey" of import_key rows that exist */
    struct keymap household;  /* "address\npostcode\ncity", folded → household id */
    int64_t level_id[16];     /* by level index (level_code) */
    const char *level_code[16];
    size_t nlevels;
    const struct imp_record *cur; /* the record being applied (for problems) */
    bool unkeyed;             /* some person has no key of this source: match identities */
};

/* Count a write in the report and run it (see store_run_later). */
#define APPLY_RUN(a, ...) ((a)->rep->rows_written++, store_run_later((a)->s, __VA_ARGS__))
/* Count a write and run an INSERT … RETURNING id. 1 when done. */
#define APPLY_INSERT(a, id, ...) ((a)->rep->rows_written++, store_int((a)->s, (id), __VA_ARGS__))

/* A problem of the current record. */
void apply_warn(struct applier *a, char severity, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The establishment of source key k (NULL when unknown). */
struct est_info *apply_est(struct applier *a, const char *k);
struct est_info *apply_est_by_id(struct applier *a, int64_t id);
/* The class or group of code in establishment e, created (with a warning)
 * when the export uses it without declaring it. 0 on error. */
int64_t apply_class(struct applier *a, struct est_info *e, const char *code, const char *level);
int64_t apply_group(struct applier *a, struct est_info *e, const char *code);
/* The subject of national code in establishment e, made from the
 * national name when first taught there. 0 on error. */
int64_t apply_subject(struct applier *a, struct est_info *e, const char *code);
/* The level id of a MEF code or a level text ("4EME", "CM1"); 0 if none. */
int64_t apply_level(struct applier *a, const char *mef, const char *text);
/* Record the source key of an object (insert or update its digest). */
int apply_key(struct applier *a, const char *kind, const char *key, int64_t id,
              const char *digest);

/* identity.c — one human across sources (R-ID). */
/* "LAST|FIRST" folded (upper-case ASCII, no accents or punctuation). */
void identity_fold(const char *last, const char *first, char *out, size_t cap);
/* The person already there that r's new key surely names (0: none); a
 * doubtful candidate in *doubt; the reason in why. */
int64_t identity_match(struct applier *a, const struct imp_record *r, int64_t *doubt,
                       char *why, size_t whylen);
/* Queue the pair (person just made for r, candidate) for the admin. */
int identity_queue(struct applier *a, const struct imp_record *r, int64_t person,
                   int64_t candidate, const char *why);
/* At the start of a run: whether matching is needed; folded names backfilled. */
int identity_load(struct applier *a);

/* apply_person.c */
int apply_person_record(struct applier *a, const struct imp_record *r);
int apply_person_close(struct applier *a);
int apply_person_load(struct applier *a);

/* apply_slot.c — the timetable (IMP_SLOT): one record, 0 or -1; at the end
 * of a run, the slots a complete timetable no longer lists, 0 or -1. */
int apply_slot_record(struct applier *a, const struct imp_record *r);
int apply_slot_end(struct applier *a);

#endif
