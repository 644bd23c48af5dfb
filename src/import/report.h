/* report.h — what an import would do or did: per establishment, the
 * number of objects of each kind created, changed and closed, and every
 * problem with its file, line and record id. Printed as text for a person
 * and as JSON (jansson) for a program. */
#ifndef CARNET_IMPORT_REPORT_H
#define CARNET_IMPORT_REPORT_H
#include "keymap.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum rep_kind {
    REP_ESTABLISHMENT, REP_CLASS, REP_GROUP, REP_SUBJECT, REP_MEF, REP_PUPIL, REP_RELATIVE,
    REP_TEACHER, REP_STAFF, REP_FUNCTION, REP_GUARDIANSHIP, REP_TEACHING, REP_ENROLMENT,
    REP_ACCOUNT, REP_KIND_COUNT
};
enum rep_action { REP_CREATED, REP_CHANGED, REP_CLOSED, REP_UNCHANGED, REP_ACTION_COUNT };

struct rep_est {
    char key[32];   /* the establishment's UAI; "" for what belongs to no establishment */
    char name[96];
    int64_t n[REP_KIND_COUNT][REP_ACTION_COUNT];
};

struct rep_problem {
    char *file, *id, *message;
    long line;
    char severity; /* 'E' not applied, 'W' applied with an assumption, 'F' the run stopped */
};

struct report {
    const char *source;
    bool dry_run, applied, failed;
    int64_t records, rows_written;
    struct rep_est *est;
    size_t nest, est_cap;
    struct keymap est_index;     /* UAI → index + 1 in est */
    struct rep_problem *problems;
    size_t nproblems, problems_cap, problems_dropped;
    int64_t errors, warnings;
    char **files;
    size_t nfiles;
};

void report_init(struct report *r, const char *source, bool dry_run);
void report_free(struct report *r);
/* Count one action on an object of kind in the establishment uai (NULL or
 * "": none). */
void report_count(struct report *r, const char *uai, enum rep_kind k, enum rep_action a);
/* The name shown for establishment uai. */
void report_name(struct report *r, const char *uai, const char *name);
/* Record a problem (copied). Beyond REPORT_PROBLEMS_MAX only counted. */
void report_problem(struct report *r, const char *file, long line, const char *id, char severity,
                    const char *message);
void report_file(struct report *r, const char *path);
/* The report for a person (French). */
void report_print(const struct report *r, FILE *f);
/* The report as JSON text (allocated: free it). */
char *report_json(const struct report *r);

#endif
