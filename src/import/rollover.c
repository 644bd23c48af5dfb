/* rollover.c — the new school year (issue 15): close the year that ended
 * and open the next one in every establishment (or one).
 *
 * Closing keeps everything readable: classes, marks, absences and logs stay
 * with their year; what ends is dated — the enrolments in the closed
 * year's classes and its teachings end on its last day, so a pupil is in
 * one class at a time and a teacher keeps only this year's classes. The
 * next year (from the school calendar of each establishment's zone, which
 * must be loaded first: the report names the file) gets its trimestres;
 * its classes, enrolments and teachings come from the new year's imports,
 * whose complete exports end the roles of those who left. */
#include "rollover.h"
#include "../calendar/calendar.h"
#include "../core/clock.h"
#include "../store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct est {
    int64_t id;
    char uai[16], zone[16];
    int64_t closing; /* the school year that ended, or 0 */
    char closing_end[11];
    bool has_next;
};

/* The label after "2026-2027". */
static void next_label(const char *label, char out[16]) {
    int y = atoi(label) % 10000;
    snprintf(out, 16, "%04d-%04d", (y + 1) % 10000, (y + 2) % 10000);
}

/* The rentrée and the summer holidays of year in zone; false when the
 * calendar lacks them. */
static bool year_bounds(struct store *s, const char *zone, const char *year, char start[11],
                        char end[11]) {
    struct stmt *st =
        store_q(s,
                "SELECT min(CASE WHEN description LIKE 'Rentrée%' THEN starts_on END),"
                " min(CASE WHEN description LIKE 'Vacances d''été%' THEN starts_on END)"
                " FROM school_calendar WHERE zone = $1 AND school_year = $2",
                "tt", zone, year);
    bool ok = st && stmt_step(st) == STORE_ROW && stmt_text(st, 0) && stmt_text(st, 1);
    if (ok) {
        snprintf(start, 11, "%s", stmt_text(st, 0));
        snprintf(end, 11, "%s", stmt_text(st, 1));
    }
    stmt_done(st);
    return ok;
}

static int open_year(struct store *s, const struct est *e, const char *label, const char *start,
                     const char *end) {
    int64_t year = 0;
    if (store_int(s, &year,
                  "INSERT INTO school_year (establishment_id, label, starts_on, ends_on)"
                  " VALUES ($1, $2, $3, $4) RETURNING id",
                  "ittt", e->id, label, start, end)
        != 1)
        return -1;
    int y = atoi(start) % 10000;
    char t2[16], t3[16], e1[11], e2[11];
    snprintf(t2, sizeof t2, "%04d-12-01", y);
    snprintf(t3, sizeof t3, "%04d-03-01", (y + 1) % 10000);
    calendar_add_days(t2, -1, e1);
    calendar_add_days(t3, -1, e2);
    const char *from[3] = {start, t2, t3}, *to[3] = {e1, e2, end};
    static const char *const names[3] = {"1er trimestre", "2e trimestre", "3e trimestre"};
    for (int p = 0; p < 3; p++)
        if (store_run(s,
                      "INSERT INTO period (school_year_id, ordinal, name, starts_on, ends_on)"
                      " VALUES ($1, $2, $3, $4, $5)",
                      "iittt", year, (int64_t)(p + 1), names[p], from[p], to[p])
            < 0)
            return -1;
    return 0;
}

/* End what the closed year held: enrolments in its classes, its teachings
 * (and their weekly lessons), on its last day. Counts into r. */
static int close_year(struct store *s, const struct est *e, struct rollover_report *r) {
    char last[11];
    calendar_add_days(e->closing_end, -1, last);
    int64_t n = 0;
    if (store_int(s, &n,
                  "SELECT count(*) FROM enrolment WHERE class_id IN (SELECT id FROM class"
                  " WHERE school_year_id = $1) AND (ends_on IS NULL OR ends_on > $2)",
                  "it", e->closing, last)
        < 0)
        return -1;
    r->enrolments_ended += n;
    if (store_int(s, &n,
                  "SELECT count(*) FROM teaching WHERE (class_id IN (SELECT id FROM class"
                  " WHERE school_year_id = $1) OR grp_id IN (SELECT id FROM grp"
                  " WHERE school_year_id = $1)) AND (ends_on IS NULL OR ends_on > $2)",
                  "it", e->closing, last)
        < 0)
        return -1;
    r->teachings_ended += n;
    return store_run(s,
                     "UPDATE enrolment SET ends_on = $2 WHERE class_id IN (SELECT id FROM class"
                     " WHERE school_year_id = $1) AND (ends_on IS NULL OR ends_on > $2)",
                     "it", e->closing, last)
                       < 0
                   || store_run(
                          s,
                          "UPDATE timetable_slot SET valid_to = $2 WHERE valid_to > $2"
                          " AND valid_from <= $2 AND teaching_id IN (SELECT id FROM teaching"
                          " WHERE class_id IN (SELECT id FROM class WHERE school_year_id = $1)"
                          " OR grp_id IN (SELECT id FROM grp WHERE school_year_id = $1))",
                          "it", e->closing, last)
                          < 0
                   || store_run(s,
                                "UPDATE teaching SET ends_on = $2 WHERE (class_id IN (SELECT id"
                                " FROM class WHERE school_year_id = $1) OR grp_id IN (SELECT id"
                                " FROM grp WHERE school_year_id = $1))"
                                " AND (ends_on IS NULL OR ends_on > $2)",
                                "it", e->closing, last)
                          < 0
               ? -1
               : 0;
}

int rollover_run(struct store *s, int64_t establishment, bool dry_run, struct rollover_report *r) {
    memset(r, 0, sizeof *r);
    char today[11];
    clock_today(today);
    calendar_school_year_of(today, r->closing);
    /* In the summer the year that closes is today's school year (September
     * to August); from September, a late rollover closes the one before. */
    if (atoi(today + 5) >= 9) {
        char prev[16];
        snprintf(prev, sizeof prev, "%04d-%04d", (atoi(r->closing) + 9999) % 10000,
                 atoi(r->closing) % 10000);
        snprintf(r->closing, sizeof r->closing, "%s", prev);
    }
    next_label(r->closing, r->next);
    if (store_begin(s) < 0) return -1;
    struct est *v = NULL;
    size_t n = 0;
    struct stmt *st =
        store_q(s,
                "SELECT e.id, e.uai, e.zone, coalesce(y.id, 0), coalesce(y.ends_on, ''),"
                " (SELECT count(*) FROM school_year n WHERE n.establishment_id = e.id"
                " AND n.label = $2) FROM establishment e LEFT JOIN school_year y"
                " ON y.establishment_id = e.id AND y.label = $1"
                " WHERE ($3 = 0 OR e.id = $3) AND e.closed_on IS NULL ORDER BY e.uai",
                "tti", r->closing, r->next, establishment);
    while (st && stmt_step(st) == STORE_ROW) {
        v = realloc(v, (n + 1) * sizeof *v);
        if (!v) abort();
        struct est *e = &v[n++];
        *e = (struct est){
            .id = stmt_int(st, 0), .closing = stmt_int(st, 3), .has_next = stmt_int(st, 5) > 0};
        snprintf(e->uai, sizeof e->uai, "%s", stmt_text(st, 1));
        snprintf(e->zone, sizeof e->zone, "%s", stmt_text(st, 2));
        snprintf(e->closing_end, sizeof e->closing_end, "%s", stmt_text(st, 4));
    }
    stmt_done(st);
    int rc = st ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct est *e = &v[i];
        if (e->closing && strcmp(today, e->closing_end) < 0) {
            snprintf(r->why, sizeof r->why,
                     "l'année %s de %s n'est pas finie (vacances d'été le %s)", r->closing, e->uai,
                     e->closing_end);
            rc = -1;
            break;
        }
        char start[11], end[11];
        if (!e->has_next && !year_bounds(s, e->zone, r->next, start, end)) {
            snprintf(r->why, sizeof r->why,
                     "le calendrier scolaire %s de la zone %s manque : importez-le d'abord"
                     " (carnet import-calendar, fichier calendrier-scolaire-%s.csv du jeu de"
                     " données « fr-en-calendrier-scolaire »)",
                     r->next, e->zone, r->next);
            rc = -1;
            break;
        }
        if (e->closing && close_year(s, e, r) < 0) rc = -1;
        if (rc == 0 && !e->has_next) {
            rc = open_year(s, e, r->next, start, end);
            r->years_opened++;
        }
        r->establishments++;
    }
    free(v);
    if (rc == 0 && !dry_run && store_commit(s) == 0) {
        r->applied = true;
        return 0;
    }
    store_rollback(s);
    return rc == 0 && dry_run ? 0 : -1;
}
