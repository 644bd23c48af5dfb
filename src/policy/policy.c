/* policy.c — authorisation rules. Each rule names the SPEC rule it serves. */
#include "policy.h"
#include "../core/clock.h"
#include "../core/log.h"
#include "../store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const profile_names[PROFILE_COUNT] = {
    "pupil", "parent", "teacher", "staff", "head", "admin", "guest"};

const char *policy_profile_name(enum profile p) { return p < PROFILE_COUNT ? profile_names[p] : "?"; }

int policy_profile_parse(const char *name)
{
    for (int i = 0; i < PROFILE_COUNT; i++)
        if (name && !strcmp(name, profile_names[i])) return i;
    return -1;
}

bool policy_has(const struct actor *a, enum profile p) { return a && (a->profiles & (1u << p)); }

bool policy_has_in(const struct actor *a, enum profile p, int64_t e)
{
    if (!a) return false;
    for (size_t i = 0; i < a->nroles; i++)
        if (a->roles[i].profile == p && a->roles[i].establishment_id == e) return true;
    return false;
}

bool policy_is_staff(const struct actor *a)
{
    return a && (a->profiles & ((1u << PROFILE_TEACHER) | (1u << PROFILE_STAFF) | (1u << PROFILE_HEAD) |
                                (1u << PROFILE_ADMIN)));
}

static bool admin_of_territory(const struct actor *a, int64_t territory)
{
    for (size_t i = 0; i < a->nroles; i++)
        if (a->roles[i].profile == PROFILE_ADMIN && a->roles[i].territory_id == territory) return true;
    return false;
}

static bool has_id(const int64_t *v, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == id) return true;
    return false;
}

/* School-life staff and heads see every pupil and family of their
 * establishment; a territory admin sees its establishments. */
static bool manages(const struct actor *a, int64_t establishment, int64_t territory)
{
    return policy_has_in(a, PROFILE_STAFF, establishment) || policy_has_in(a, PROFILE_HEAD, establishment) ||
           admin_of_territory(a, territory);
}

static int64_t territory_of(struct store *s, int64_t establishment)
{
    int64_t t = 0;
    store_int(s, &t, "SELECT territory_id FROM establishment WHERE id = $1", "i", establishment);
    return t;
}

/* Person pages: oneself; a guardian their children; a teacher the pupils
 * of the classes they teach and those pupils' guardians; school-life staff
 * and heads the pupils, families and staff of their establishment; anyone
 * with a role in or a child at an establishment its staff members. A parent
 * never sees another family's child, even at the same school. */
static bool may_view_person(struct store *s, const struct actor *a, int64_t target)
{
    if (target == a->person_id) return true;
    if (has_id(a->children, a->nchildren, target)) return true;
    char today[11];
    clock_today(today);

    /* The target as a pupil: their current classes. */
    static const char *const q_pupil =
        "SELECT c.id, c.establishment_id, e.territory_id FROM enrolment en"
        " JOIN class c ON c.id = en.class_id JOIN establishment e ON e.id = c.establishment_id"
        " WHERE en.pupil_id = $1 AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)";
    /* The target as a guardian: their children's current classes. */
    static const char *const q_guardian =
        "SELECT c.id, c.establishment_id, e.territory_id FROM guardianship g"
        " JOIN enrolment en ON en.pupil_id = g.pupil_id JOIN class c ON c.id = en.class_id"
        " JOIN establishment e ON e.id = c.establishment_id"
        " WHERE g.parent_id = $1 AND g.legal_responsibility = 1"
        " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)";
    const char *const qs[2] = {q_pupil, q_guardian};
    for (int k = 0; k < 2; k++) {
        struct stmt *st = store_q(s, qs[k], "it", target, today);
        if (!st) return false;
        bool ok = false;
        while (!ok && stmt_step(st) == STORE_ROW) {
            int64_t cls = stmt_int(st, 0), est = stmt_int(st, 1), ter = stmt_int(st, 2);
            ok = manages(a, est, ter) || has_id(a->taught_classes, a->ntaught, cls);
        }
        stmt_done(st);
        if (ok) return true;
    }
    /* The target as a staff member of an establishment. */
    struct stmt *st = store_q(s,
        "SELECT r.establishment_id, e.territory_id FROM role r JOIN establishment e ON e.id = r.establishment_id"
        " WHERE r.person_id = $1 AND r.profile IN ('teacher', 'staff', 'head')"
        " AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2)",
        "it", target, today);
    if (!st) return false;
    bool ok = false;
    while (!ok && stmt_step(st) == STORE_ROW) {
        int64_t est = stmt_int(st, 0), ter = stmt_int(st, 1);
        for (size_t i = 0; i < a->nroles && !ok; i++)
            ok = a->roles[i].establishment_id == est;
        ok = ok || admin_of_territory(a, ter);
        if (!ok && a->nchildren) {
            /* A parent sees the staff of their children's establishments. */
            for (size_t c = 0; c < a->nchildren && !ok; c++) {
                int64_t n = 0;
                store_int(s, &n,
                          "SELECT count(*) FROM enrolment en JOIN class c ON c.id = en.class_id"
                          " WHERE en.pupil_id = $1 AND c.establishment_id = $2"
                          " AND en.starts_on <= $3 AND (en.ends_on IS NULL OR en.ends_on >= $3)",
                          "iit", a->children[c], est, today);
                ok = n > 0;
            }
        }
    }
    stmt_done(st);
    return ok;
}

/* School-life staff and heads of the class's establishment, admins of its
 * territory. */
static bool manages_class(struct store *s, const struct actor *a, int64_t cls)
{
    int64_t est = 0;
    if (store_int(s, &est, "SELECT establishment_id FROM class WHERE id = $1", "i", cls) != 1) return false;
    return manages(a, est, territory_of(s, est));
}

/* School life and heads of an establishment where the person has a role
 * today (pupil, parent, staff…), admins of its territory. */
static bool manages_person(struct store *s, const struct actor *a, int64_t person)
{
    char today[11];
    clock_today(today);
    struct stmt *st = store_q(s, "SELECT r.establishment_id, e.territory_id FROM role r"
                                 " JOIN establishment e ON e.id = r.establishment_id"
                                 " WHERE r.person_id = $1 AND r.starts_on <= $2"
                                 " AND (r.ends_on IS NULL OR r.ends_on >= $2)", "it", person, today);
    bool ok = false;
    while (!ok && st && stmt_step(st) == STORE_ROW) ok = manages(a, stmt_int(st, 0), stmt_int(st, 1));
    stmt_done(st);
    return ok;
}

/* Class lists: teachers of the class, school-life staff and heads of its
 * establishment, admins of its territory. Pupils and parents never. */
static bool may_view_class(struct store *s, const struct actor *a, int64_t cls)
{
    return has_id(a->taught_classes, a->ntaught, cls) || manages_class(s, a, cls);
}

struct teaching_facts {
    int64_t teacher, establishment, class_id, grp;
    bool open;                 /* not ended (an import ends the teachings a teacher left) */
};

static bool teaching_facts(struct store *s, int64_t id, struct teaching_facts *f)
{
    char today[11];
    clock_today(today);
    struct stmt *st = store_q(s, "SELECT teacher_id, establishment_id, coalesce(class_id, 0), coalesce(grp_id, 0),"
                                 " CASE WHEN ends_on IS NULL OR ends_on >= $2 THEN 1 ELSE 0 END"
                                 " FROM teaching WHERE id = $1", "it", id, today);
    bool found = st && stmt_step(st) == STORE_ROW;
    if (found)
        *f = (struct teaching_facts){stmt_int(st, 0), stmt_int(st, 1), stmt_int(st, 2), stmt_int(st, 3),
                                     stmt_int(st, 4) != 0};
    stmt_done(st);
    return found;
}

/* The enseignement's own teacher, while it and their role there are valid
 * (its history stays readable to school life and the head). */
static bool teaches(const struct actor *a, const struct teaching_facts *f)
{
    return f->open && f->teacher == a->person_id && policy_has_in(a, PROFILE_TEACHER, f->establishment);
}

/* A pupil of the enseignement (class or group), or one of its pupils'
 * guardians. */
static bool follows(struct store *s, const struct actor *a, int64_t teaching)
{
    char today[11];
    clock_today(today);
    int64_t n = 0;
    store_int(s, &n,
              "SELECT count(*) FROM teaching t WHERE t.id = $1 AND EXISTS (SELECT 1 FROM enrolment en"
              " LEFT JOIN guardianship g ON g.pupil_id = en.pupil_id AND g.legal_responsibility = 1"
              " WHERE (en.pupil_id = $2 OR g.parent_id = $2) AND en.starts_on <= $3 AND (en.ends_on IS NULL OR en.ends_on >= $3)"
              " AND (en.class_id = t.class_id OR en.pupil_id IN (SELECT pupil_id FROM group_member WHERE grp_id = t.grp_id)))",
              "iit", teaching, a->person_id, today);
    return n > 0;
}

/* ---- S-MESSAGES: who may start a thread with whom ----------------------- */

/* What a person is in an establishment, for the communication policy. */
struct membership {
    int64_t establishment;
    enum profile profile;     /* teacher, staff, head, pupil, parent */
    int64_t class_id;         /* pupil: their class; parent: their child's */
    int64_t pupil;            /* pupil: themselves; parent: the child */
};

#define MAX_MEMBERSHIPS 16

static size_t memberships(struct store *s, int64_t person, struct membership *m)
{
    char today[11];
    clock_today(today);
    size_t n = 0;
    struct stmt *st = store_q(s,
        "SELECT r.establishment_id, r.profile FROM role r WHERE r.person_id = $1 AND r.profile IN ('teacher', 'staff', 'head')"
        " AND r.establishment_id IS NOT NULL AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2)", "it", person, today);
    while (st && stmt_step(st) == STORE_ROW && n < MAX_MEMBERSHIPS)
        m[n++] = (struct membership){stmt_int(st, 0), (enum profile)policy_profile_parse(stmt_text(st, 1)), 0, 0};
    stmt_done(st);
    st = store_q(s,
        "SELECT c.establishment_id, c.id, en.pupil_id, 0 FROM enrolment en JOIN class c ON c.id = en.class_id WHERE en.pupil_id = $1"
        " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"
        " UNION ALL SELECT c.establishment_id, c.id, en.pupil_id, 1 FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id"
        " JOIN class c ON c.id = en.class_id WHERE g.parent_id = $1 AND g.legal_responsibility = 1"
        " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)",
        "it", person, today);
    while (st && stmt_step(st) == STORE_ROW && n < MAX_MEMBERSHIPS)
        m[n++] = (struct membership){stmt_int(st, 0), stmt_int(st, 3) ? PROFILE_PARENT : PROFILE_PUPIL, stmt_int(st, 1),
                                     stmt_int(st, 2)};
    stmt_done(st);
    return n;
}

/* Does teacher teach pupil (their class, or a group they are in)? */
static bool teaches_pupil(struct store *s, int64_t teacher, int64_t class_id, int64_t pupil)
{
    int64_t n = 0;
    char today[11];
    clock_today(today);
    store_int(s, &n, "SELECT count(*) FROM teaching WHERE teacher_id = $1 AND (class_id = $2"
                     " OR grp_id IN (SELECT grp_id FROM group_member WHERE pupil_id = $3))"
                     " AND (ends_on IS NULL OR ends_on >= $4)", "iiit", teacher, class_id, pupil, today);
    return n > 0;
}

/* The defaults: a pupil writes to their teachers and to school life and the
 * head; a parent to their children's teachers, school life and the head;
 * a teacher to the pupils they teach, those pupils' parents and the staff
 * of the establishment; school-life staff and heads to anyone of it. Never
 * a pupil or a parent to another pupil or another family. */
static bool default_rule(struct store *s, const struct membership *me, int64_t me_id, const struct membership *them, int64_t them_id)
{
    bool them_staff = them->profile == PROFILE_TEACHER || them->profile == PROFILE_STAFF || them->profile == PROFILE_HEAD;
    switch (me->profile) {
    case PROFILE_STAFF:
    case PROFILE_HEAD:
        return true;
    case PROFILE_TEACHER:
        if (them_staff) return true;
        return teaches_pupil(s, me_id, them->class_id, them->pupil);
    case PROFILE_PUPIL:
    case PROFILE_PARENT:
        if (them->profile == PROFILE_STAFF || them->profile == PROFILE_HEAD) return true;
        return them->profile == PROFILE_TEACHER && teaches_pupil(s, them_id, me->class_id, me->pupil);
    default:
        return false;
    }
}

bool policy_message_pair_exists(enum profile from, enum profile to)
{
    bool family_from = from == PROFILE_PUPIL || from == PROFILE_PARENT, family_to = to == PROFILE_PUPIL || to == PROFILE_PARENT;
    return from <= PROFILE_HEAD && to <= PROFILE_HEAD && !(family_from && family_to);
}

bool policy_messaging_open(struct store *s, const struct actor *a, int64_t est)
{
    struct stmt *st = store_q(s, "SELECT key, value FROM establishment_setting WHERE establishment_id = $1"
                                 " AND key IN ('messages.suspended', 'messages.suspended_until')", "i", est);
    char suspended[64] = "";
    int64_t until = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        if (!strcmp(stmt_text(st, 0), "messages.suspended")) snprintf(suspended, sizeof suspended, ",%s,", stmt_text(st, 1));
        else until = strtoll(stmt_text(st, 1), NULL, 10);
    }
    stmt_done(st);
    /* A suspension may end by itself at the time the head chose. */
    if (!*suspended || strlen(suspended) <= 2 || (until && clock_now() >= until)) return true;
    for (size_t i = 0; i < a->nroles; i++) {
        const struct role *ro = &a->roles[i];
        if (ro->establishment_id != est) continue;
        char key[24];
        snprintf(key, sizeof key, ",%s,", policy_profile_name(ro->profile));
        if (strstr(suspended, key)) return false;
    }
    return true;
}

/* The establishment's overrides of the defaults, read once per check. */
struct rules {
    int64_t establishment;
    size_t n;
    struct { enum profile from, to; bool allowed; } v[32];
};

static bool rule_allows(struct store *s, struct rules *rc, int64_t est, enum profile from, enum profile to)
{
    if (rc->establishment != est) {
        rc->establishment = est;
        rc->n = 0;
        struct stmt *st = store_q(s, "SELECT from_profile, to_profile, allowed FROM communication_rule WHERE establishment_id = $1", "i", est);
        while (st && stmt_step(st) == STORE_ROW && rc->n < 32) {
            rc->v[rc->n].from = (enum profile)policy_profile_parse(stmt_text(st, 0));
            rc->v[rc->n].to = (enum profile)policy_profile_parse(stmt_text(st, 1));
            rc->v[rc->n++].allowed = stmt_int(st, 2) != 0;
        }
        stmt_done(st);
    }
    for (size_t i = 0; i < rc->n; i++)
        if (rc->v[i].from == from && rc->v[i].to == to) return rc->v[i].allowed;
    return true;
}

static int64_t message_check(struct store *s, const struct actor *a, const struct membership *me, size_t nme, struct rules *rc,
                             int64_t person)
{
    if (person == a->person_id) return 0;
    struct membership them[MAX_MEMBERSHIPS];
    size_t nthem = memberships(s, person, them);
    for (size_t i = 0; i < nme; i++)
        for (size_t k = 0; k < nthem; k++) {
            if (me[i].establishment != them[k].establishment) continue;
            if (!default_rule(s, &me[i], a->person_id, &them[k], person)) continue;
            /* The establishment may have closed this pair of profiles. */
            if (rule_allows(s, rc, me[i].establishment, me[i].profile, them[k].profile)) return me[i].establishment;
        }
    return 0;
}

/* SQL: is parent the guardian of a pupil enrolled in est on $3 (today)? */
#define GUARDIAN_IN(parent, est)                                                                                      \
    "EXISTS (SELECT 1 FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id JOIN class c ON c.id = en.class_id" \
    " WHERE g.parent_id = " parent " AND g.legal_responsibility = 1 AND c.establishment_id = " est                  \
    " AND en.starts_on <= $3 AND (en.ends_on IS NULL OR en.ends_on >= $3))"

bool policy_parent_in(struct store *s, int64_t person, int64_t est)
{
    char today[11];
    clock_today(today);
    int64_t n = 0;
    store_int(s, &n, "SELECT count(*) WHERE " GUARDIAN_IN("$1", "$2"), "iit", person, est, today);
    return n > 0;
}

bool policy_is_rep(struct store *s, int64_t person, int64_t est)
{
    char today[11];
    clock_today(today);
    int64_t n = 0;
    store_int(s, &n,
              "SELECT count(*) FROM parent_rep pr JOIN school_year sy ON sy.id = pr.school_year_id"
              " WHERE pr.person_id = $1 AND ($2 = 0 OR pr.establishment_id = $2) AND sy.starts_on <= $3 AND sy.ends_on >= $3"
              " AND " GUARDIAN_IN("pr.person_id", "pr.establishment_id"),
              "iit", person, est, today);
    return n > 0;
}

int64_t policy_message_establishment(struct store *s, const struct actor *a, int64_t person)
{
    int64_t est = 0;
    policy_message_filter(s, a, &person, 1, &est);
    return est;
}

size_t policy_message_filter(struct store *s, const struct actor *a, const int64_t *people, size_t n, int64_t *est)
{
    if (!a) {
        memset(est, 0, n * sizeof *est);
        return 0;
    }
    struct membership me[MAX_MEMBERSHIPS];
    struct rules rc = {0};
    size_t nme = memberships(s, a->person_id, me), allowed = 0;
    for (size_t i = 0; i < n; i++) allowed += (est[i] = message_check(s, a, me, nme, &rc, people[i])) != 0;
    return allowed;
}

bool policy_may(struct store *s, const struct actor *a, int action, struct object obj)
{
    if (action == ACT_PUBLIC) return true;
    if (!a) return false;
    switch ((enum policy_action)action) {
    case ACT_PUBLIC:
        return true;
    case ACT_SIGNED_IN:
        return true;
    case ACT_PERSON_VIEW:
        if (obj.kind == OBJ_NONE) return true;
        return obj.kind == OBJ_PERSON && may_view_person(s, a, obj.id);
    case ACT_CLASS_VIEW:
        if (obj.kind == OBJ_NONE) return policy_is_staff(a);
        return obj.kind == OBJ_CLASS && may_view_class(s, a, obj.id);
    case ACT_ESTABLISHMENT_VIEW:
        if (obj.kind == OBJ_NONE) return policy_is_staff(a);
        if (obj.kind != OBJ_ESTABLISHMENT) return false;
        for (size_t i = 0; i < a->nroles; i++)
            if (a->roles[i].establishment_id == obj.id && a->roles[i].profile >= PROFILE_TEACHER &&
                a->roles[i].profile <= PROFILE_HEAD)
                return true;
        return admin_of_territory(a, territory_of(s, obj.id));
    case ACT_SERVICES_EDIT:
        if (obj.kind == OBJ_NONE) return policy_has(a, PROFILE_HEAD) || policy_has(a, PROFILE_ADMIN);
        if (obj.kind == OBJ_ESTABLISHMENT)
            return policy_has_in(a, PROFILE_HEAD, obj.id) || admin_of_territory(a, territory_of(s, obj.id));
        if (obj.kind == OBJ_TERRITORY) return admin_of_territory(a, obj.id);
        return false;
    case ACT_TERRITORY_MANAGE:
        if (obj.kind == OBJ_NONE) return policy_has(a, PROFILE_ADMIN);
        return obj.kind == OBJ_TERRITORY && admin_of_territory(a, obj.id);
    case ACT_ACCOUNTS_ISSUE:
        /* Handing accounts to families is the school office's job: school
         * life and heads of the establishment, admins of the territory. */
        if (obj.kind == OBJ_NONE)
            return policy_has(a, PROFILE_STAFF) || policy_has(a, PROFILE_HEAD) || policy_has(a, PROFILE_ADMIN);
        if (obj.kind == OBJ_PERSON) return manages_person(s, a, obj.id);
        return obj.kind == OBJ_CLASS && manages_class(s, a, obj.id);
    case ACT_TEACHER_TIMETABLE: {
        /* A teacher's own week; school-life staff and heads of an
         * establishment where they teach; admins of its territory. */
        if (obj.kind == OBJ_NONE) return policy_is_staff(a);
        if (obj.kind != OBJ_PERSON) return false;
        if (obj.id == a->person_id) return policy_has(a, PROFILE_TEACHER);
        char today[11];
        clock_today(today);
        struct stmt *st = store_q(s,
            "SELECT r.establishment_id, e.territory_id FROM role r JOIN establishment e ON e.id = r.establishment_id"
            " WHERE r.person_id = $1 AND r.profile = 'teacher' AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2)",
            "it", obj.id, today);
        bool ok = false;
        while (!ok && st && stmt_step(st) == STORE_ROW) ok = manages(a, stmt_int(st, 0), stmt_int(st, 1));
        stmt_done(st);
        return ok;
    }
    case ACT_ROOM_VIEW:
    case ACT_TIMETABLE_EDIT: {
        /* Rooms are seen by the staff of their establishment; changes are
         * made by school-life staff and heads. */
        if (obj.kind == OBJ_NONE) return action == ACT_ROOM_VIEW ? policy_is_staff(a)
                                                                 : policy_has(a, PROFILE_STAFF) || policy_has(a, PROFILE_HEAD) || policy_has(a, PROFILE_ADMIN);
        int64_t est = obj.id;
        if (obj.kind == OBJ_ROOM) {
            if (store_int(s, &est, "SELECT establishment_id FROM room WHERE id = $1", "i", obj.id) != 1) return false;
        } else if (obj.kind != OBJ_ESTABLISHMENT) {
            return false;
        }
        if (manages(a, est, territory_of(s, est))) return true;
        return action == ACT_ROOM_VIEW && policy_has_in(a, PROFILE_TEACHER, est);
    }
    case ACT_LESSON_EXAM:
    case ACT_ROLL_CALL: {
        /* Exams, extra lessons and roll calls (S-ATTENDANCE): the teacher of
         * the enseignement; school-life staff and heads of the establishment
         * stand in when the teacher cannot. */
        struct teaching_facts f;
        if (obj.kind == OBJ_NONE) return policy_is_staff(a);
        if (obj.kind != OBJ_TEACHING || !teaching_facts(s, obj.id, &f)) return false;
        return teaches(a, &f) || manages(a, f.establishment, territory_of(s, f.establishment));
    }
    case ACT_LOG_WRITE:
    case ACT_GRADES_WRITE: {
        /* Class log and marks (S-LOG, S-GRADES): only the teacher of the
         * enseignement, while their role is valid. */
        struct teaching_facts f;
        if (obj.kind == OBJ_NONE) return policy_has(a, PROFILE_TEACHER);
        return obj.kind == OBJ_TEACHING && teaching_facts(s, obj.id, &f) && teaches(a, &f);
    }
    case ACT_ESTABLISHMENT_SETTINGS:
        if (obj.kind == OBJ_NONE) return policy_has(a, PROFILE_HEAD) || policy_has(a, PROFILE_ADMIN);
        return obj.kind == OBJ_ESTABLISHMENT &&
               (policy_has_in(a, PROFILE_HEAD, obj.id) || admin_of_territory(a, territory_of(s, obj.id)));
    case ACT_TEACHING_VIEW: {
        /* Its teacher, its pupils and their guardians, the establishment's
         * school-life staff and heads. */
        struct teaching_facts f;
        if (obj.kind == OBJ_NONE) return a->nroles > 0;
        if (obj.kind != OBJ_TEACHING || !teaching_facts(s, obj.id, &f)) return false;
        return teaches(a, &f) || manages(a, f.establishment, territory_of(s, f.establishment)) || follows(s, a, obj.id);
    }
    case ACT_PUPIL_RECORD:
        /* Grades, skills and absences: the pupil, their guardians, the
         * teachers of their classes, school-life staff and heads. */
        if (obj.kind == OBJ_NONE) return a->nroles > 0;
        return obj.kind == OBJ_PERSON && may_view_person(s, a, obj.id);
    case ACT_ATTENDANCE_MANAGE:
        if (obj.kind == OBJ_NONE)
            return policy_has(a, PROFILE_STAFF) || policy_has(a, PROFILE_HEAD) || policy_has(a, PROFILE_ADMIN);
        return obj.kind == OBJ_ESTABLISHMENT && manages(a, obj.id, territory_of(s, obj.id));
    case ACT_ABSENCE_JUSTIFY: {
        /* S-ATTENDANCE: a guardian with legal responsibility for the pupil. */
        if (obj.kind == OBJ_NONE) return policy_has(a, PROFILE_PARENT);
        if (obj.kind != OBJ_PERSON || !has_id(a->children, a->nchildren, obj.id)) return false;
        int64_t legal = 0;
        store_int(s, &legal, "SELECT legal_responsibility FROM guardianship WHERE parent_id = $1 AND pupil_id = $2", "ii",
                  a->person_id, obj.id);
        return legal != 0;
    }
    case ACT_MODERATE:
        /* R-SEC: the head of the establishment (and the territory's admins). */
        if (obj.kind == OBJ_NONE) return policy_has(a, PROFILE_HEAD) || policy_has(a, PROFILE_ADMIN);
        return obj.kind == OBJ_ESTABLISHMENT &&
               (policy_has_in(a, PROFILE_HEAD, obj.id) || admin_of_territory(a, territory_of(s, obj.id)));
    case ACT_MESSAGE_URGENT:
        /* R-DISCO: only the head of the establishment may break a quiet period. */
        return obj.kind == OBJ_ESTABLISHMENT && policy_has_in(a, PROFILE_HEAD, obj.id);
    case ACT_REP_DESIGNATE:
        /* R-REPS: the head of the establishment (and the territory's admins). */
        if (obj.kind == OBJ_NONE) return policy_has(a, PROFILE_HEAD) || policy_has(a, PROFILE_ADMIN);
        return obj.kind == OBJ_ESTABLISHMENT &&
               (policy_has_in(a, PROFILE_HEAD, obj.id) || admin_of_territory(a, territory_of(s, obj.id)));
    case ACT_REP_BROADCAST:
        /* R-REPS: a representative designated for the current school year who
         * is still the parent of a pupil enrolled there. */
        if (!policy_has(a, PROFILE_PARENT)) return false;
        if (obj.kind == OBJ_NONE) return policy_is_rep(s, a->person_id, 0);
        return obj.kind == OBJ_ESTABLISHMENT && obj.id > 0 && policy_is_rep(s, a->person_id, obj.id);
    case ACT_REP_CONSENT:
        /* R-REPS: each parent answers for the establishments of their children. */
        if (!policy_has(a, PROFILE_PARENT)) return false;
        if (obj.kind == OBJ_NONE) return true;
        return obj.kind == OBJ_ESTABLISHMENT && policy_parent_in(s, a->person_id, obj.id);
    case ACT_MESSAGE_WRITE:
        if (obj.kind == OBJ_NONE)
            return a->profiles & ((1u << PROFILE_PUPIL) | (1u << PROFILE_PARENT) | (1u << PROFILE_TEACHER) | (1u << PROFILE_STAFF) |
                                  (1u << PROFILE_HEAD));
        return obj.kind == OBJ_PERSON && policy_message_establishment(s, a, obj.id) != 0;
    case ACT_IMPORT_RUN:
        /* The directory feeds of a territory are its admins'; a head loads
         * the files of their own establishment only. */
        if (obj.kind == OBJ_NONE) return policy_has(a, PROFILE_HEAD) || policy_has(a, PROFILE_ADMIN);
        if (obj.kind == OBJ_TERRITORY) return admin_of_territory(a, obj.id);
        return obj.kind == OBJ_ESTABLISHMENT &&
               (policy_has_in(a, PROFILE_HEAD, obj.id) || admin_of_territory(a, territory_of(s, obj.id)));
    case ACT_IMPORT_VIEW: {
        /* A run's report: who ran it, the admins of the territory, the
         * heads of the establishment it was for. */
        if (obj.kind == OBJ_NONE) return policy_has(a, PROFILE_HEAD) || policy_has(a, PROFILE_ADMIN);
        if (obj.kind != OBJ_IMPORT) return false;
        int64_t by = 0, est = 0, terr = 0;
        struct stmt *st = store_q(s, "SELECT coalesce(person_id, 0), coalesce(establishment_id, 0),"
                                     " coalesce(territory_id, 0) FROM import_run WHERE id = $1",
                                  "i", obj.id);
        bool found = st && stmt_step(st) == STORE_ROW;
        if (found) by = stmt_int(st, 0), est = stmt_int(st, 1), terr = stmt_int(st, 2);
        stmt_done(st);
        if (!found) return false;
        if (by == a->person_id) return true;
        if (est) return policy_has_in(a, PROFILE_HEAD, est) || admin_of_territory(a, territory_of(s, est));
        return terr && admin_of_territory(a, terr);
    }
    case ACT_IDENTITY_DECIDE: {
        /* R-ID: the admins of a territory where the person has a role. */
        if (!policy_has(a, PROFILE_ADMIN)) return false;
        if (obj.kind == OBJ_NONE) return true;
        if (obj.kind != OBJ_PERSON) return false;
        struct stmt *st = store_q(s, "SELECT DISTINCT e.territory_id FROM role r JOIN establishment e"
                                     " ON e.id = r.establishment_id WHERE r.person_id = $1",
                                  "i", obj.id);
        bool ok = false;
        while (!ok && st && stmt_step(st) == STORE_ROW) ok = admin_of_territory(a, stmt_int(st, 0));
        stmt_done(st);
        return ok;
    }
    case ACT_STRUCTURE_EDIT: {
        /* What the exports do not carry, corrected by the head of the
         * establishment or an admin of its territory: periods, classes,
         * and the class of one of its pupils. */
        if (obj.kind == OBJ_NONE) return policy_has(a, PROFILE_HEAD) || policy_has(a, PROFILE_ADMIN);
        if (obj.kind == OBJ_ESTABLISHMENT)
            return policy_has_in(a, PROFILE_HEAD, obj.id) || admin_of_territory(a, territory_of(s, obj.id));
        if (obj.kind != OBJ_PERSON) return false;
        char today[11];
        clock_today(today);
        struct stmt *st = store_q(s, "SELECT r.establishment_id, e.territory_id FROM role r JOIN establishment e"
                                     " ON e.id = r.establishment_id WHERE r.person_id = $1 AND r.profile = 'pupil'"
                                     " AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2)",
                                  "it", obj.id, today);
        bool ok = false;
        while (!ok && st && stmt_step(st) == STORE_ROW)
            ok = policy_has_in(a, PROFILE_HEAD, stmt_int(st, 0)) || admin_of_territory(a, stmt_int(st, 1));
        stmt_done(st);
        return ok;
    }
    case ACT_COUNT:
        break;
    }
    return false;
}

/* The rows of an actor (policy.h, POLICY_ACTOR_ROWS): one query for the
 * person, the roles valid on $2, the children and the taught classes. */
#define ACTOR_BY_ID "WITH me AS (SELECT $1 AS id) "
static const char *const q_actor = ACTOR_BY_ID POLICY_ACTOR_ROWS " ORDER BY 1, 2";

struct actor *policy_actor_read(struct stmt *st, struct arena *ar, int64_t person_id, int row)
{
    struct actor *a = NULL;
    size_t cap = 0, ccap = 0, tcap = 0;
    for (; row == STORE_ROW; row = stmt_step(st)) {
        const char *kind = stmt_text(st, 0);
        if (!kind) continue;
        if (kind[0] == '1' && !a) {
            a = arena_alloc(ar, sizeof *a);
            a->person_id = person_id;
            a->account_id = stmt_int(st, 1);
            a->first_name = arena_strdup(ar, stmt_text(st, 5));
            a->last_name = arena_strdup(ar, stmt_text(st, 6));
            a->login = arena_strdup(ar, stmt_text(st, 7));
            a->roles = arena_grow(ar, NULL, 0, &cap, sizeof *a->roles);
        } else if (kind[0] == '2' && a) {
            int p = policy_profile_parse(stmt_text(st, 5));
            if (p < 0) continue;
            a->roles = arena_grow(ar, a->roles, a->nroles, &cap, sizeof *a->roles);
            struct role *r = &a->roles[a->nroles++];
            r->id = stmt_int(st, 1);
            r->profile = (enum profile)p;
            r->establishment_id = stmt_int(st, 2);
            r->territory_id = stmt_int(st, 3);
            r->establishment_name = arena_strdup(ar, stmt_text(st, 6));
            r->establishment_kind = arena_strdup(ar, stmt_text(st, 7));
            r->title = arena_strdup(ar, stmt_text(st, 8));
            a->profiles |= 1u << p;
        } else if (kind[0] == '3' && a) {
            a->children = arena_grow(ar, a->children, a->nchildren, &ccap, sizeof(int64_t));
            a->children[a->nchildren++] = stmt_int(st, 1);
        } else if (kind[0] == '4' && a) {
            a->taught_classes = arena_grow(ar, a->taught_classes, a->ntaught, &tcap, sizeof(int64_t));
            a->taught_classes[a->ntaught++] = stmt_int(st, 1);
        }
    }
    if (row == STORE_ERR) return NULL;
    /* A guardianship counts while the person is a parent today, and only a
     * legal one (a contact without parental authority sees nothing). */
    if (a && !(a->profiles & (1u << PROFILE_PARENT))) a->nchildren = 0;
    return a;
}

struct actor *policy_actor_load(struct store *s, struct arena *ar, int64_t person_id)
{
    char today[11];
    clock_today(today);
    struct stmt *st = store_q(s, q_actor, "it", person_id, today);
    if (!st) return NULL;
    struct actor *a = policy_actor_read(st, ar, person_id, stmt_step(st));
    stmt_done(st);
    return a;
}

enum grades_audience policy_grades_audience(const struct actor *a, int64_t pupil)
{
    if (a->person_id == pupil) return AUDIENCE_PUPIL;
    for (size_t i = 0; i < a->nchildren; i++)
        if (a->children[i] == pupil) return AUDIENCE_PARENTS;
    return AUDIENCE_STAFF;
}
