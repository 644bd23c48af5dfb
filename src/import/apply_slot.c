/* apply_slot.c — the timetable of an import: IMP_SLOT records (STS-web's
 * emp_sts) → timetable_slot rows.
 *
 * A course belongs to a teaching (establishment, subject, teacher, class
 * or group), found open or made; its room is found by name or made; its
 * week is A, B or every week, from the school calendar when the record
 * lists the weeks it is held (rule below); it is valid within the school
 * year, or within the span of its weeks when that is shorter. A slot the
 * same as one the source made there before (teaching, day, times, week,
 * room) is kept as it is: the same file again writes nothing.
 *
 * At the end of a run that holds a complete timetable, the slots of the
 * source that no course named in an establishment the run placed courses
 * in are deleted when nothing refers to them (a lesson change, a roll
 * call, a log entry), else ended yesterday: their history stays. Slots
 * typed by hand (no source) are never touched. Slots made by a later
 * timetable of the same year start today, not at the rentrée: the past
 * weeks keep the lessons that were held.
 *
 * Week rule: each listed week (its Monday; past weeks were dropped by the
 * reader) is week A, week B or no school week in the establishment's
 * calendar (calendar_week_ab). Only A weeks → 'A'; only B weeks → 'B'; one
 * kind at least four times as many as the other → that kind (reported:
 * the few others are taken for a slip of the timetable's software); both
 * otherwise → every week. No school week at all → the course is not
 * placed (reported).
 *
 * The applier's key_row map also holds this file's memos, under prefixes
 * that no import kind uses: "slot-est\t", "slot\t", "slot-seen\t",
 * "slot-teach\t", "slot-room\t". */
#include "apply_impl.h"
#include "../calendar/calendar.h"
#include <stdio.h>
#include <string.h>

/* Flags of a "slot-est\t<establishment id>" memo (its digest holds the
 * school year's bounds, "YYYY-MM-DD YYYY-MM-DD"). */
enum { SLOT_EST_REPLACING = 1, SLOT_EST_PLACED = 2 };
/* Flags of a "slot\t<identity>" memo (id: the slot; digest: its valid_to). */
enum { SLOT_OPEN = 1, SLOT_SEEN = 2 };

/* What the run knows of an establishment's timetable. */
struct slot_est {
    char starts_on[11], ends_on[11]; /* the school year */
    bool replacing;                  /* the source made slots there this year already */
};

/* The memo key of establishment e's timetable into k. No allocation. */
static const char *est_memo(char *k, size_t cap, const struct est_info *e)
{
    snprintf(k, cap, "slot-est\t%lld", (long long)e->id);
    return k;
}

/* The memo key of a slot into k: what tells two slots apart for the
 * source. No allocation. */
static const char *slot_memo(char *k, size_t cap, int64_t teaching, int weekday,
                             const char *starts, const char *ends, char week, int64_t room)
{
    snprintf(k, cap, "slot\t%lld\t%d\t%s\t%s\t%c\t%lld", (long long)teaching, weekday, starts,
             ends, week ? week : '-', (long long)room);
    return k;
}

/* Note that slot id is named by a course of the run (a memo in key_row,
 * which copies its key). */
static void slot_seen(struct applier *a, int64_t id)
{
    char k[40];
    snprintf(k, sizeof k, "slot-seen\t%lld", (long long)id);
    keymap_put(&a->key_row, k)->flags = SLOT_SEEN;
}

/* Memos (in key_row) of the source's slots open today in e. 0 or -1. */
static int slot_load_open(struct applier *a, const struct est_info *e)
{
    struct stmt *st = store_q(a->s,
                              "SELECT s.id, s.teaching_id, s.weekday, s.starts_at, s.ends_at,"
                              " s.week, coalesce(s.room_id, 0), s.valid_to FROM timetable_slot s"
                              " JOIN teaching t ON t.id = s.teaching_id"
                              " WHERE t.establishment_id = $1 AND s.source = $2"
                              " AND s.valid_to >= $3",
                              "itt", e->id, a->o.source, a->today);
    char k[160];
    while (st && stmt_step(st) == STORE_ROW) {
        slot_memo(k, sizeof k, stmt_int(st, 1), (int)stmt_int(st, 2), stmt_text(st, 3),
                  stmt_text(st, 4), stmt_text(st, 5)[0], stmt_int(st, 6));
        struct keymap_entry *x = keymap_put(&a->key_row, k);
        x->id = stmt_int(st, 0);
        x->flags = SLOT_OPEN;
        snprintf(x->digest, sizeof x->digest, "%s", stmt_text(st, 7));
    }
    stmt_done(st);
    return st ? 0 : -1;
}

/* Read e's school year and slots into *out and memos, once per run. 0, or
 * -1 on a store error. */
static int slot_est_load(struct applier *a, const struct est_info *e, struct slot_est *out)
{
    char k[40];
    struct keymap_entry *x = keymap_get(&a->key_row, est_memo(k, sizeof k, e));
    if (x) {
        sscanf(x->digest, "%10s %10s", out->starts_on, out->ends_on);
        out->replacing = x->flags & SLOT_EST_REPLACING;
        return 0;
    }
    struct stmt *st = store_q(a->s, "SELECT starts_on, ends_on FROM school_year WHERE id = $1",
                              "i", e->year_id);
    if (!st || stmt_step(st) != STORE_ROW) {
        stmt_done(st);
        return -1;
    }
    snprintf(out->starts_on, sizeof out->starts_on, "%s", stmt_text(st, 0));
    snprintf(out->ends_on, sizeof out->ends_on, "%s", stmt_text(st, 1));
    stmt_done(st);
    int64_t n = 0;
    if (store_int(a->s, &n, "SELECT count(*) FROM timetable_slot s JOIN teaching t"
                            " ON t.id = s.teaching_id WHERE t.establishment_id = $1"
                            " AND s.source = $2 AND s.valid_to >= $3",
                  "itt", e->id, a->o.source, out->starts_on) < 0
        || slot_load_open(a, e) < 0)
        return -1;
    out->replacing = n > 0;
    x = keymap_put(&a->key_row, k);
    x->flags = out->replacing ? SLOT_EST_REPLACING : 0;
    snprintf(x->digest, sizeof x->digest, "%s %s", out->starts_on, out->ends_on);
    return 0;
}

/* The establishment of the course with its school year, or NULL (reported:
 * unknown, no school year, or not the head's own). No allocation. */
static struct est_info *slot_establishment(struct applier *a, const struct imp_slot *s)
{
    if (a->o.only_uai && strcmp(s->establishment, a->o.only_uai)) {
        apply_warn(a, 'F', "l'établissement %s n'est pas le vôtre (%s) : import refusé",
                   s->establishment, a->o.only_uai);
        return NULL;
    }
    struct est_info *e = apply_est(a, s->establishment);
    if (!e)
        apply_warn(a, 'E', "établissement %s inconnu : importez d'abord son fichier sts_emp ;"
                   " cours ignoré", s->establishment);
    else if (!e->year_id)
        apply_warn(a, 'E', "pas d'année scolaire %s pour %s : importez d'abord son fichier"
                   " sts_emp ; cours ignoré", a->year_label, e->uai);
    return e && e->year_id ? e : NULL;
}

/* The teacher's person (a key of the source), or 0 (reported). No
 * allocation. */
static int64_t slot_teacher(struct applier *a, const struct imp_slot *s)
{
    struct keymap_entry *x = keymap_get(&a->person, s->teacher);
    if (x && x->id) return x->id;
    apply_warn(a, 'E', "enseignant %s absent de sts_emp (ni dans ce fichier ni dans un import"
               " précédent) : cours ignoré", s->teacher);
    return 0;
}

/* Make the teaching a course shows and sts_emp did not list (reported,
 * counted). Its id, or -1 on a store error. */
static int64_t teaching_create(struct applier *a, struct est_info *e, const struct imp_slot *s,
                               int64_t subject, int64_t teacher, int64_t klass, int64_t grp)
{
    apply_warn(a, 'W', "enseignement %s en %s absent des services de sts_emp : créé", s->subject,
               s->group ? s->group : s->klass);
    report_count(a->rep, e->uai, REP_TEACHING, REP_CREATED);
    int64_t id = 0;
    if (APPLY_INSERT(a, &id,
                     "INSERT INTO teaching (establishment_id, subject_id, teacher_id, class_id,"
                     " grp_id, source) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                     "iiiNNt", e->id, subject, teacher, klass, grp, a->o.source) != 1)
        return -1;
    return id;
}

/* The open teaching of the course (any source), made when none; its class
 * or group and subject made when sts_emp did not declare them (reported).
 * Memoised in key_row. Its id, or -1 on a store error. */
static int64_t slot_teaching(struct applier *a, struct est_info *e, const struct imp_slot *s,
                             int64_t teacher)
{
    char k[200];
    if (!keymap_get(&a->subject, keymap_key2(k, sizeof k, e->id, s->subject)))
        apply_warn(a, 'W', "matière %s d'aucun service de sts_emp : créée", s->subject);
    int64_t subject = apply_subject(a, e, s->subject);
    int64_t where = s->group ? apply_group(a, e, s->group) : apply_class(a, e, s->klass, NULL);
    if (!subject || !where) return -1;
    int64_t klass = s->group ? 0 : where, grp = s->group ? where : 0, id = 0;
    snprintf(k, sizeof k, "slot-teach\t%lld\t%lld\t%lld\t%lld\t%lld", (long long)e->id,
             (long long)subject, (long long)teacher, (long long)klass, (long long)grp);
    struct keymap_entry *x = keymap_get(&a->key_row, k);
    if (x) return x->id;
    int rc = store_int(a->s, &id,
                       "SELECT id FROM teaching WHERE establishment_id = $1 AND subject_id = $2"
                       " AND teacher_id = $3 AND coalesce(class_id, 0) = $4"
                       " AND coalesce(grp_id, 0) = $5 AND (ends_on IS NULL OR ends_on >= $6)"
                       " ORDER BY id LIMIT 1",
                       "iiiiit", e->id, subject, teacher, klass, grp, a->today);
    if (rc < 0) return -1;
    if (rc == 0 && (id = teaching_create(a, e, s, subject, teacher, klass, grp)) < 0) return -1;
    keymap_put(&a->key_row, k)->id = id;
    return id;
}

/* The room called name in e, made when Carnet has none (reported);
 * memoised in key_row. Its id, 0 for no room, -1 on a store error. */
static int64_t slot_room(struct applier *a, struct est_info *e, const char *name)
{
    if (!name || !*name) return 0;
    char k[200];
    snprintf(k, sizeof k, "slot-room\t%lld\t%s", (long long)e->id, name);
    struct keymap_entry *x = keymap_get(&a->key_row, k);
    if (x) return x->id;
    int64_t id = 0;
    int rc = store_int(a->s, &id, "SELECT id FROM room WHERE establishment_id = $1 AND name = $2",
                       "it", e->id, name);
    if (rc < 0) return -1;
    if (rc == 0) {
        apply_warn(a, 'W', "salle « %s » inconnue de Carnet : créée", name);
        if (APPLY_INSERT(a, &id, "INSERT INTO room (establishment_id, name) VALUES ($1, $2)"
                                 " RETURNING id", "it", e->id, name) != 1)
            return -1;
    }
    keymap_put(&a->key_row, k)->id = id;
    return id;
}

/* The week of the course by the rule above into *week; false (reported)
 * when none of its weeks is a school week: the course is not placed. The
 * calendar is loaded once per run in the applier's arena. */
static bool slot_week(struct applier *a, struct est_info *e, const struct imp_slot *s, char *week)
{
    *week = s->week;
    if (!s->nweeks) return true;
    const struct school_calendar *c = calendar_load(a->s, &a->a, e->id);
    int na = 0, nb = 0;
    for (size_t i = 0; i < s->nweeks; i++) {
        char ab = calendar_week_ab(c, s->weeks[i]);
        na += ab == 'A';
        nb += ab == 'B';
    }
    if (!na && !nb) {
        apply_warn(a, 'E', "aucune des %zu semaines de son alternance n'est une semaine de classe"
                   " du calendrier scolaire %s : cours ignoré", s->nweeks, a->year_label);
        return false;
    }
    int most = na > nb ? na : nb, few = na > nb ? nb : na;
    *week = !nb ? 'A' : !na ? 'B' : most >= 4 * few ? (na > nb ? 'A' : 'B') : 0;
    if (few && *week)
        apply_warn(a, 'W', "alternance de %d semaines %c et %d semaine(s) %c : cours placé en"
                   " semaine %c", most, *week, few, *week == 'A' ? 'B' : 'A', *week);
    return true;
}

/* The course's validity within the school year into from and to; false
 * (reported) when they do not meet. No allocation. */
static bool slot_bounds(struct applier *a, const struct slot_est *y, const struct imp_slot *s,
                        char from[11], char to[11])
{
    const char *f = s->valid_from, *t = s->valid_to;
    snprintf(from, 11, "%s", f && strcmp(f, y->starts_on) > 0 ? f : y->starts_on);
    snprintf(to, 11, "%s", t && strcmp(t, y->ends_on) < 0 ? t : y->ends_on);
    if (strcmp(from, to) <= 0) return true;
    apply_warn(a, 'W', "cours hors de l'année scolaire %s (semaines du %s au %s) : ignoré",
               a->year_label, f ? f : "?", t ? t : "?");
    return false;
}

/* The course's slot: kept when the source made it already (its end moved
 * if need be), else made (from today when replacing a timetable). Memos
 * in key_row. 0 or -1. */
static int slot_write(struct applier *a, const struct slot_est *y, int64_t teaching,
                      const struct imp_slot *s, char week, int64_t room, char from[11],
                      const char *to)
{
    char k[160];
    slot_memo(k, sizeof k, teaching, s->weekday, s->starts_at, s->ends_at, week, room);
    struct keymap_entry *x = keymap_get(&a->key_row, k);
    if (x && (x->flags & SLOT_OPEN)) {
        if (x->flags & SLOT_SEEN) return 0; /* the same course twice is one slot */
        x->flags |= SLOT_SEEN;
        int64_t id = x->id;
        bool same = !strcmp(x->digest, to);
        snprintf(x->digest, sizeof x->digest, "%s", to);
        slot_seen(a, id);
        return same ? 0 : APPLY_RUN(a, "UPDATE timetable_slot SET valid_to = $2 WHERE id = $1"
                                       " AND valid_from <= $2", "it", id, to);
    }
    if (y->replacing && strcmp(from, a->today) < 0) snprintf(from, 11, "%s", a->today);
    if (strcmp(from, to) > 0) return 0; /* its last week is before today */
    const char wk[2] = {week, 0};
    int64_t id = 0;
    if (APPLY_INSERT(a, &id,
                     "INSERT INTO timetable_slot (teaching_id, weekday, starts_at, ends_at,"
                     " room_id, week, valid_from, valid_to, source)"
                     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                     "iittNttt" "t", teaching, (int64_t)s->weekday, s->starts_at, s->ends_at,
                     room, wk, from, to, a->o.source) != 1)
        return -1;
    x = keymap_put(&a->key_row, k);
    x->id = id;
    x->flags = SLOT_OPEN | SLOT_SEEN;
    snprintf(x->digest, sizeof x->digest, "%s", to);
    slot_seen(a, id);
    return 0;
}

/* See apply_impl.h: one course → its slot. 0 (applied, or skipped and
 * reported), -1 on a store error. */
int apply_slot_record(struct applier *a, const struct imp_record *r)
{
    const struct imp_slot *s = &r->slot;
    struct est_info *e = slot_establishment(a, s);
    struct slot_est y;
    if (!e) return 0;
    if (slot_est_load(a, e, &y) < 0) return -1;
    int64_t teacher = slot_teacher(a, s);
    if (!teacher) return 0;
    int64_t teaching = slot_teaching(a, e, s, teacher);
    char week, from[11], to[11];
    if (teaching < 0) return -1;
    if (!slot_week(a, e, s, &week) || !slot_bounds(a, &y, s, from, to)) return 0;
    int64_t room = slot_room(a, e, s->room);
    if (room < 0 || slot_write(a, &y, teaching, s, week, room, from, to) < 0) return -1;
    char k[40];
    keymap_put(&a->key_row, est_memo(k, sizeof k, e))->flags |= SLOT_EST_PLACED;
    return 0;
}

/* ---- end of run: the slots a complete timetable no longer lists ---------- */

/* A slot of the source no course named: deleted when nothing refers to it
 * (lesson_change, roll_call, log_entry), else ended yesterday (one that had
 * not begun keeps its first day: a slot ends on or after it starts). 0 or
 * -1. */
static int slot_end(struct applier *a, int64_t id, const char *from)
{
    int64_t refs = 0;
    if (store_int(a->s, &refs,
                  "SELECT (SELECT count(*) FROM lesson_change WHERE slot_id = $1)"
                  " + (SELECT count(*) FROM roll_call WHERE slot_id = $1)"
                  " + (SELECT count(*) FROM log_entry WHERE slot_id = $1)",
                  "i", id) < 0)
        return -1;
    if (!refs) return APPLY_RUN(a, "DELETE FROM timetable_slot WHERE id = $1", "i", id);
    const char *end = strcmp(from, a->yesterday) > 0 ? from : a->yesterday;
    return APPLY_RUN(a, "UPDATE timetable_slot SET valid_to = $2 WHERE id = $1", "it", id, end);
}

/* End the source's open slots in e that no course of the run named; their
 * list in the applier's record arena (emptied first). 0 or -1. */
static int slot_close(struct applier *a, const struct est_info *e)
{
    struct gone { int64_t id; char from[11]; } *v = NULL;
    size_t n = 0, cap = 0;
    arena_free(&a->rec);
    arena_init(&a->rec);
    struct stmt *st = store_q(a->s,
                              "SELECT s.id, s.valid_from FROM timetable_slot s"
                              " JOIN teaching t ON t.id = s.teaching_id"
                              " WHERE t.establishment_id = $1 AND s.source = $2"
                              " AND s.valid_to >= $3 ORDER BY s.id",
                              "itt", e->id, a->o.source, a->today);
    while (st && stmt_step(st) == STORE_ROW) {
        char k[40];
        snprintf(k, sizeof k, "slot-seen\t%lld", (long long)stmt_int(st, 0));
        if (keymap_get(&a->key_row, k)) continue;
        v = arena_grow(&a->rec, v, n, &cap, sizeof *v);
        v[n].id = stmt_int(st, 0);
        snprintf(v[n++].from, sizeof v->from, "%s", stmt_text(st, 1));
    }
    stmt_done(st);
    if (!st) return -1;
    for (size_t i = 0; i < n; i++)
        if (slot_end(a, v[i].id, v[i].from) < 0) return -1;
    return 0;
}

/* See apply_impl.h: after a run holding a complete timetable, close in each
 * establishment it placed courses in. 0 or -1. */
int apply_slot_end(struct applier *a)
{
    if (a->rep->failed) return -1;
    if (!(a->complete & (1u << IMP_SLOT))) return 0;
    for (size_t i = 0; i < a->nest; i++) {
        char k[40];
        struct keymap_entry *x = keymap_get(&a->key_row, est_memo(k, sizeof k, &a->est[i]));
        if (x && (x->flags & SLOT_EST_PLACED) && slot_close(a, &a->est[i]) < 0) return -1;
    }
    return 0;
}
