/* record.h — the normalised records that every reader (AAF, ONDE, SIECLE,
 * STS-web, OneRoster) emits and the one applier (apply.c) consumes.
 *
 * Readers know nothing of the store: they turn their files into these
 * records, each with the file, line and source id it came from, and name
 * every problem through the sink. The applier knows nothing of formats.
 * A record's strings live in the reader's arena until the next record. */
#ifndef CARNET_IMPORT_RECORD_H
#define CARNET_IMPORT_RECORD_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a record asks. FULL: the whole record, as in a complete export (an
 * attribute absent is empty). ADD, MODIFY, DELETE: a delta's requests; a
 * MODIFY carries only the groups of fields named in `present`. */
enum imp_op { IMP_FULL, IMP_ADD, IMP_MODIFY, IMP_DELETE };

enum imp_kind {
    IMP_ESTABLISHMENT, /* an école, a collège or a lycée with its classes and groups */
    IMP_SUBJECT,       /* a national subject (matière) */
    IMP_MEF,           /* a formation of the national nomenclature */
    IMP_RELATIVE,      /* a pupil's relative (parent, tutor) */
    IMP_PUPIL,         /* a pupil with their class, groups and relatives */
    IMP_STAFF,         /* a member of staff with functions and teachings */
    IMP_SLOT,          /* a weekly lesson of the timetable */
    IMP_KIND_COUNT
};

/* Where a record or a problem comes from. */
struct imp_where {
    const char *file;
    long line;
    const char *id; /* the source's id of the record, or NULL */
};

/* Groups of fields a MODIFY replaces (FULL and ADD: all). */
enum imp_field {
    IMP_F_NAME = 1 << 0,      /* last and first names, civility */
    IMP_F_BIRTH = 1 << 1,
    IMP_F_EMAIL = 1 << 2,
    IMP_F_PHONE = 1 << 3,
    IMP_F_ADDRESS = 1 << 4,   /* address, postcode, city */
    IMP_F_ATTACH = 1 << 5,    /* the establishment a person is attached to */
    IMP_F_CLASSES = 1 << 6,   /* a pupil's classes, an establishment's classes */
    IMP_F_GROUPS = 1 << 7,    /* a pupil's groups, an establishment's groups */
    IMP_F_LINKS = 1 << 8,     /* a pupil's relatives */
    IMP_F_FUNCTIONS = 1 << 9, /* a staff member's functions */
    IMP_F_TEACH = 1 << 10,    /* a teacher's classes and groups with their subjects */
    IMP_F_MEF = 1 << 11,
    IMP_F_PRINCIPAL = 1 << 12,/* the classes a teacher is principal teacher of */
    IMP_F_INE = 1 << 13,
    IMP_F_LABEL = 1 << 14,    /* an establishment's or a subject's name, kind, académie */
    IMP_F_ALL = (1 << 15) - 1
};

/* An element of a list: up to three parts, as in the `$` composites
 * (establishment key, class code, subject code; code and label…). */
struct imp_item {
    const char *a, *b, *c;
};

struct imp_list {
    struct imp_item *v;
    size_t n, cap;
};

/* A pupil's relative: who, how, with which responsibilities. On a pupil's
 * record (links), relative is the relative's key; on a relative's record
 * (children: formats that list the children on the relative's side, such
 * as ONDE), pupil is the child's key. */
struct imp_link {
    const char *relative; /* the relative's source key */
    const char *pupil;    /* the pupil's source key (a relative's children) */
    const char *relation; /* 'mother', 'father', 'tutor', 'other' */
    bool legal;           /* holds parental authority (responsable légal) */
    bool financial, contact;
};

/* A staff member's function in an establishment. */
struct imp_function {
    const char *establishment; /* source key of the establishment */
    const char *type;          /* ENS, DIR, EDU, DOC, SUR, ADF… */
    const char *code, *label;  /* the discipline or post, e.g. E0030 / CPE */
};

/* A weekly lesson (IMP_SLOT): who teaches what to whom, when. */
struct imp_slot {
    const char *establishment; /* source key of the establishment */
    const char *teacher;       /* source key of the teacher */
    const char *klass, *group; /* the class or the group code (one of them) */
    const char *subject;       /* national subject code */
    int weekday;               /* ISO: 1 = Monday … 6 = Saturday */
    char starts_at[6], ends_at[6]; /* 'HH:MM', local */
    char week;                 /* 0 every week, 'A' or 'B' */
    const char *room;          /* or NULL */
    const char *valid_from, *valid_to; /* YYYY-MM-DD, or NULL: the whole school year */
    /* The Mondays (YYYY-MM-DD) of the weeks it is held, past ones dropped,
     * when the format lists them (STS-web's alternances): the applier then
     * sets week from the school calendar, which readers do not know. */
    const char *const *weeks;
    size_t nweeks;
};

struct imp_record {
    enum imp_kind kind;
    enum imp_op op;
    struct imp_where at;
    const char *key;     /* the stable key: ENTPersonJointure, UAI, subject or MEF code */
    unsigned present;    /* enum imp_field bits */
    char digest[33];     /* of the record's content (hex), "" for a MODIFY or DELETE */

    /* establishment */
    const char *uai, *kind_text, *academie;
    /* establishment, subject, MEF: name; person: last name */
    const char *name;
    /* person */
    const char *first_name, *birth_date /* YYYY-MM-DD */, *civility, *ine;
    const char *email, *phone, *address, *postcode, *city;
    const char *attach;  /* source key of the establishment of attachment */
    const char *mef;     /* pupil's MEF code; MEF: its level code (6E, 2NDE…) */
    const char *level;   /* pupil's level hint (ENTEleveNivFormation) */

    /* establishment: classes and groups as (code, label);
     * pupil: classes and groups as (establishment, code);
     * staff: teach as (establishment, class or group code, subject code),
     * principal as (establishment, class code). */
    struct imp_list classes, groups, teach_classes, teach_groups, principal;
    struct imp_link *links;
    size_t nlinks, links_cap;
    struct imp_function *functions;
    size_t nfunctions, functions_cap;
    struct imp_link *children; /* a relative's children (pupil set in each) */
    size_t nchildren, children_cap;
    struct imp_slot slot;      /* IMP_SLOT */
};

/* Where a reader sends what it read. record returns 0 to go on, -1 to stop
 * the run (the applier failed: the transaction will be rolled back). */
struct imp_sink {
    void *ctx;
    int (*record)(void *ctx, const struct imp_record *r);
    /* A problem with the input: severity 'E' (the record or part of it is
     * not applied) or 'W' (applied with an assumption). */
    void (*problem)(void *ctx, const struct imp_where *at, char severity, const char *message);
};

/* Send a problem of file (line 0: the file itself) and record id (or
 * NULL) to sink, the message made with printf's format. No allocation
 * beyond the sink's copy. */
void imp_report(struct imp_sink *sink, const char *file, long line, const char *id, char severity,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void imp_vreport(struct imp_sink *sink, const char *file, long line, const char *id,
                 char severity, const char *fmt, va_list ap);

/* Kind names as in the report and import_key ('person' for the three). */
const char *imp_kind_name(enum imp_kind k);

#endif
