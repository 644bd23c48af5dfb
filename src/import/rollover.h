/* rollover.h — the new school year: close the year that ended (its
 * enrolments and teachings end on its last day, all of it stays readable)
 * and open the next one from the school calendar. */
#ifndef CARNET_IMPORT_ROLLOVER_H
#define CARNET_IMPORT_ROLLOVER_H
#include <stdbool.h>
#include <stdint.h>

struct store;

struct rollover_report {
    char closing[16], next[16];   /* "2026-2027", "2027-2028" */
    int64_t establishments, years_opened, enrolments_ended, teachings_ended;
    bool applied;
    char why[300];                /* why it was refused (French) */
};

/* For establishment (0: every open one), at the clock's date, which must be
 * after the closing year's classes. One transaction: rolled back for a dry
 * run or when refused (the reason in r->why). 0 when done or, dry, doable. */
int rollover_run(struct store *s, int64_t establishment, bool dry_run, struct rollover_report *r);

#endif
