/* identity_merge.c — the territory admin's decision on a doubtful pair of
 * identity_review (R-ID): merge the person an import made into the one
 * already there, or keep them apart.
 *
 * A merge moves what the directory says — roles, enrolments, groups,
 * teachings, guardianships (either side), principal classes, source keys —
 * fills what the older record lacks (birth date, INE, contacts, household),
 * and removes the newer person with its account. It is refused when that
 * account was activated or the person already has a history of their own
 * (anything else referring to them: the database's foreign keys tell), so
 * that nobody's messages, marks or absences are ever moved or lost. */
#include "identity.h"
#include "../core/clock.h"
#include "../store/store.h"
#include <stdio.h>
#include <string.h>

/* Re-point rows of table.column from `from` to `into`, dropping first those
 * of `from` that would repeat a row of `into` (same other key columns). */
static int move(struct store *s, const char *drop, const char *update, int64_t from, int64_t into)
{
    if (drop && store_run(s, drop, "ii", from, into) < 0) return -1;
    return store_run(s, update, "ii", from, into);
}

static int move_directory(struct store *s, int64_t from, int64_t into)
{
    return move(s, "DELETE FROM role WHERE person_id = $1 AND EXISTS (SELECT 1 FROM role o"
                   " WHERE o.person_id = $2 AND o.profile = role.profile AND"
                   " coalesce(o.establishment_id, 0) = coalesce(role.establishment_id, 0)"
                   " AND o.ends_on IS NULL AND role.ends_on IS NULL)",
                "UPDATE role SET person_id = $2 WHERE person_id = $1", from, into) < 0
        || move(s, "DELETE FROM enrolment WHERE pupil_id = $1 AND class_id IN"
                   " (SELECT class_id FROM enrolment WHERE pupil_id = $2)",
                "UPDATE enrolment SET pupil_id = $2 WHERE pupil_id = $1", from, into) < 0
        || move(s, "DELETE FROM group_member WHERE pupil_id = $1 AND grp_id IN"
                   " (SELECT grp_id FROM group_member WHERE pupil_id = $2)",
                "UPDATE group_member SET pupil_id = $2 WHERE pupil_id = $1", from, into) < 0
        || move(s, NULL, "UPDATE teaching SET teacher_id = $2 WHERE teacher_id = $1", from,
                into) < 0
        || move(s, "DELETE FROM guardianship WHERE parent_id = $1 AND pupil_id IN"
                   " (SELECT pupil_id FROM guardianship WHERE parent_id = $2)",
                "UPDATE guardianship SET parent_id = $2 WHERE parent_id = $1", from, into) < 0
        || move(s, "DELETE FROM guardianship WHERE pupil_id = $1 AND parent_id IN"
                   " (SELECT parent_id FROM guardianship WHERE pupil_id = $2)",
                "UPDATE guardianship SET pupil_id = $2 WHERE pupil_id = $1", from, into) < 0
        || move(s, "DELETE FROM class_principal WHERE teacher_id = $1 AND class_id IN"
                   " (SELECT class_id FROM class_principal WHERE teacher_id = $2)",
                "UPDATE class_principal SET teacher_id = $2 WHERE teacher_id = $1", from,
                into) < 0
        || move(s, NULL, "UPDATE import_key SET object_id = $2 WHERE kind = 'person'"
                         " AND object_id = $1", from, into) < 0
        ? -1 : 0;
}

/* Fill what into lacks from from. */
static int fill(struct store *s, int64_t from, int64_t into)
{
    return store_run(s,
                     "UPDATE person SET birth_date = coalesce(birth_date, (SELECT birth_date"
                     " FROM person WHERE id = $1)), ine = coalesce(ine, (SELECT ine FROM person"
                     " WHERE id = $1)), email = coalesce(email, (SELECT email FROM person"
                     " WHERE id = $1)), phone = coalesce(phone, (SELECT phone FROM person"
                     " WHERE id = $1)), school_email = coalesce(school_email, (SELECT"
                     " school_email FROM person WHERE id = $1)), school_phone ="
                     " coalesce(school_phone, (SELECT school_phone FROM person WHERE id = $1)),"
                     " household_id = coalesce(household_id, (SELECT household_id FROM person"
                     " WHERE id = $1)) WHERE id = $2",
                     "ii", from, into);
}

int identity_decide(struct store *s, int64_t review, bool merge, int64_t by, char *why,
                    size_t whylen)
{
    snprintf(why, whylen, "%s", "");
    if (store_begin(s) < 0) return -1;
    int64_t from = 0, into = 0;
    char state[12] = "";
    struct stmt *st = store_q(s, "SELECT person_id, candidate_id, state FROM identity_review"
                                 " WHERE id = $1", "i", review);
    if (st && stmt_step(st) == STORE_ROW) {
        from = stmt_int(st, 0);
        into = stmt_int(st, 1);
        snprintf(state, sizeof state, "%s", stmt_text(st, 2));
    }
    stmt_done(st);
    if (!from || strcmp(state, "open")) {
        store_rollback(s);
        snprintf(why, whylen, "%s", "identity.decided");
        return -1;
    }
    int64_t now = clock_now(), active = 0;
    if (!merge) {
        int rc = store_run(s, "UPDATE identity_review SET state = 'kept', decided_by = $2,"
                              " decided_at = $3 WHERE id = $1", "iii", review, by, now);
        return rc < 0 || store_commit(s) < 0 ? (store_rollback(s), -1) : 0;
    }
    if (store_int(s, &active, "SELECT count(*) FROM account WHERE person_id = $1"
                              " AND state <> 'pending'", "i", from) < 0 || active) {
        store_rollback(s);
        snprintf(why, whylen, "%s", "identity.active");
        return -1;
    }
    char detail[64];
    snprintf(detail, sizeof detail, "person:%lld into person:%lld", (long long)from,
             (long long)into);
    /* The decision row keeps the reason; it names the person that stays. */
    if (move_directory(s, from, into) < 0 || fill(s, from, into) < 0
        || store_run(s, "DELETE FROM identity_review WHERE id <> $1 AND (person_id = $2"
                        " OR candidate_id = $2)", "ii", review, from) < 0
        || store_run(s, "UPDATE identity_review SET state = 'merged', person_id = $2,"
                        " decided_by = $3, decided_at = $4 WHERE id = $1",
                     "iiii", review, into, by, now) < 0
        || store_run(s, "DELETE FROM account WHERE person_id = $1", "i", from) < 0
        || store_run(s, "DELETE FROM person WHERE id = $1", "i", from) < 0
        || store_run(s, "INSERT INTO audit (at, person_id, action, object, detail)"
                        " VALUES ($1, $2, 'identity.merged', $3, $4)",
                     "iitt", now, by, "identity_review", detail) < 0
        || store_commit(s) < 0) {
        store_rollback(s);
        snprintf(why, whylen, "%s", "identity.history");
        return -1;
    }
    return 0;
}
