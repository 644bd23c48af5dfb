/* test_policy.c — who may do what (src/policy/policy.c), on a small world
 * built in a temporary database. R-GDPR: access only by profile and
 * habilitation; R-ID-1: one person, several roles and establishments.
 *
 * The world (today is 2026-03-10 in Europe/Paris):
 *
 *   territory T (1)                              territory T2 (2)
 *     école E1 (10): class D1 (101)                collège E3 (30): class F1 (301)
 *     collège E2 (20): classes C1 (201), C2 (202)
 *
 *   pupils   A (1001) in C1, B (1002) in C1, C (1003) in D1 (E1),
 *            G (1004) in F1 (E3), D (1005) left C1 on 2025-12-31
 *   parents  P (2001) of A and C (two establishments), Q (2002) of B
 *   teachers K (3001) teaches C1 in E2, no role in E1;
 *            K2 (3002) teaches only C2 in E2;
 *            K3 (3003) teacher in E2 now, teacher in E1 until 2025-07-04,
 *                      still listed as teaching D1 (E1) in `teaching`;
 *            K5 (3004) teaches F1 in E3
 *   staff    S (4001) CPE of E2;   head H (5001) of E2
 *   admins   M (6001) of T;        M2 (6002) of T2
 *   X (7001) head of E2 and admin of T, both ended 2025-12-31
 *   Y (7002) staff of E2 and admin of T, both starting 2026-09-01
 *   Z (7003) staff of E2 for exactly one day: today
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "testdb.h"

#include "core/clock.h"
#include "core/log.h"
#include "policy/policy.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    T1 = 1, T2 = 2,
    E1 = 10, E2 = 20, E3 = 30,
    D1 = 101, C1 = 201, C2 = 202, F1 = 301,
    PA = 1001, PB = 1002, PC = 1003, PG = 1004, PD = 1005,
    P = 2001, Q = 2002,
    K = 3001, K2 = 3002, K3 = 3003, K5 = 3004,
    S = 4001, H = 5001, M = 6001, M2 = 6002,
    X = 7001, Y = 7002, Z = 7003,
    NOBODY = 9999,
};

static const char world[] =
    "INSERT INTO territory (id, code, name) VALUES (1, 'T', 'Territoire'), (2, 'T2', 'Autre territoire');"
    "INSERT INTO establishment (id, territory_id, kind, uai, name, zone) VALUES"
    " (10, 1, 'ecole', '0000010A', 'École E1', 'C'),"
    " (20, 1, 'college', '0000020B', 'Collège E2', 'C'),"
    " (30, 2, 'college', '0000030C', 'Collège E3', 'A');"
    "INSERT INTO school_year (id, establishment_id, label, starts_on, ends_on) VALUES"
    " (11, 10, '2025-2026', '2025-09-01', '2026-07-04'),"
    " (21, 20, '2025-2026', '2025-09-01', '2026-07-04'),"
    " (31, 30, '2025-2026', '2025-09-01', '2026-07-04');"
    "INSERT INTO class (id, establishment_id, school_year_id, level_id, name) VALUES"
    " (101, 10, 11, (SELECT id FROM level WHERE code = 'CM1'), 'CM1 A'),"
    " (201, 20, 21, (SELECT id FROM level WHERE code = '5E'), '5e A'),"
    " (202, 20, 21, (SELECT id FROM level WHERE code = '5E'), '5e B'),"
    " (301, 30, 31, (SELECT id FROM level WHERE code = '5E'), '5e A');"
    "INSERT INTO subject (id, establishment_id, code, name) VALUES"
    " (12, 10, 'FR', 'Français'), (22, 20, 'MATH', 'Mathématiques'), (32, 30, 'HG', 'Histoire');"
    "INSERT INTO person (id, last_name, first_name, created_at) VALUES"
    " (1001, 'Eleve', 'A', 0), (1002, 'Eleve', 'B', 0), (1003, 'Eleve', 'C', 0), (1004, 'Eleve', 'G', 0),"
    " (1005, 'Eleve', 'D', 0), (2001, 'Parent', 'P', 0), (2002, 'Parent', 'Q', 0),"
    " (3001, 'Prof', 'K', 0), (3002, 'Prof', 'K2', 0), (3003, 'Prof', 'K3', 0), (3004, 'Prof', 'K5', 0),"
    " (4001, 'Cpe', 'S', 0), (5001, 'Principal', 'H', 0), (6001, 'Admin', 'M', 0), (6002, 'Admin', 'M2', 0),"
    " (7001, 'Ancien', 'X', 0), (7002, 'Futur', 'Y', 0), (7003, 'Jour', 'Z', 0);"
    "INSERT INTO account (person_id, login, state, created_at) VALUES"
    " (2001, 'parent.p', 'active', 0), (3001, 'prof.k', 'active', 0), (1001, 'eleve.a', 'active', 0);"
    "INSERT INTO role (person_id, profile, establishment_id, territory_id, title, starts_on, ends_on) VALUES"
    " (1001, 'pupil', 20, NULL, NULL, '2025-09-01', NULL),"
    " (1002, 'pupil', 20, NULL, NULL, '2025-09-01', NULL),"
    " (1003, 'pupil', 10, NULL, NULL, '2025-09-01', NULL),"
    " (1004, 'pupil', 30, NULL, NULL, '2025-09-01', NULL),"
    " (1005, 'pupil', 20, NULL, NULL, '2025-09-01', '2025-12-31'),"
    " (2001, 'parent', 20, NULL, NULL, '2025-09-01', NULL),"
    " (2001, 'parent', 10, NULL, NULL, '2025-09-01', NULL),"
    " (2002, 'parent', 20, NULL, NULL, '2025-09-01', NULL),"
    " (3001, 'teacher', 20, NULL, NULL, '2025-09-01', NULL),"
    " (3002, 'teacher', 20, NULL, NULL, '2025-09-01', NULL),"
    " (3003, 'teacher', 20, NULL, NULL, '2025-09-01', NULL),"
    " (3003, 'teacher', 10, NULL, NULL, '2024-09-01', '2025-07-04'),"
    " (3004, 'teacher', 30, NULL, NULL, '2025-09-01', NULL),"
    " (4001, 'staff', 20, NULL, 'CPE', '2025-09-01', NULL),"
    " (5001, 'head', 20, NULL, 'Principal', '2025-09-01', NULL),"
    " (6001, 'admin', NULL, 1, NULL, '2025-01-01', NULL),"
    " (6002, 'admin', NULL, 2, NULL, '2025-01-01', NULL),"
    " (7001, 'head', 20, NULL, NULL, '2024-09-01', '2025-12-31'),"
    " (7001, 'admin', NULL, 1, NULL, '2024-09-01', '2025-12-31'),"
    " (7002, 'staff', 20, NULL, NULL, '2026-09-01', NULL),"
    " (7002, 'admin', NULL, 1, NULL, '2026-09-01', NULL),"
    " (7003, 'staff', 20, NULL, NULL, '2026-03-10', '2026-03-10');"
    "INSERT INTO enrolment (pupil_id, class_id, starts_on, ends_on) VALUES"
    " (1001, 201, '2025-09-01', NULL), (1002, 201, '2025-09-01', NULL), (1003, 101, '2025-09-01', NULL),"
    " (1004, 301, '2025-09-01', NULL), (1005, 201, '2025-09-01', '2025-12-31');"
    "INSERT INTO guardianship (parent_id, pupil_id) VALUES (2001, 1001), (2001, 1003), (2002, 1002);"
    "INSERT INTO teaching (establishment_id, subject_id, teacher_id, class_id) VALUES"
    " (20, 22, 3001, 201), (20, 22, 3002, 202), (10, 12, 3003, 101), (30, 32, 3004, 301);";

static char db_path[64];
static struct store *st;
static struct arena ar;

static int group_setup(void **state)
{
    (void)state;
    log_set_quiet(1);
    clock_set_zone("Europe/Paris");
    int64_t now;
    if (!clock_parse("2026-03-10T10:00", &now)) return -1;
    clock_set(now);
    st = testdb_open(db_path, "/tmp/carnet-test-policy-XXXXXX");
    if (!st) return -1;
    if (store_migrate(st) < 0) return -1;
    if (store_exec_script(st, world) < 0) return -1;
    arena_init(&ar);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    arena_free(&ar);
    store_close(st);
    testdb_remove(db_path);
    return 0;
}

static struct actor *load(int64_t person)
{
    struct actor *a = policy_actor_load(st, &ar, person);
    if (!a) fail_msg("policy_actor_load(%lld) returned NULL", (long long)person);
    return a;
}

static bool may(const struct actor *a, int action, enum object_kind k, int64_t id)
{
    return policy_may(st, a, action, OBJECT(k, id));
}

#define SEES(a, person) may((a), ACT_PERSON_VIEW, OBJ_PERSON, (person))
#define SEES_CLASS(a, cls) may((a), ACT_CLASS_VIEW, OBJ_CLASS, (cls))

/* ---- loading actors ---------------------------------------------------- */

static void test_actor_load_unknown_person_is_null(void **state)
{
    (void)state;
    assert_null(policy_actor_load(st, &ar, NOBODY));
}

static void test_r_id_1_parent_has_one_actor_with_roles_in_two_establishments(void **state)
{
    (void)state;
    struct actor *p = load(P);
    assert_int_equal(p->person_id, P);
    assert_string_equal(p->login, "parent.p");
    assert_true(p->account_id > 0);
    assert_int_equal(p->nroles, 2);
    assert_int_equal(p->profiles, 1u << PROFILE_PARENT);
    assert_int_equal(p->nchildren, 2);
    assert_int_equal(p->children[0], PA);
    assert_int_equal(p->children[1], PC);
    assert_true(policy_has_in(p, PROFILE_PARENT, E1));
    assert_true(policy_has_in(p, PROFILE_PARENT, E2));
    assert_false(policy_has_in(p, PROFILE_PARENT, E3));
    assert_false(policy_has_in(p, PROFILE_TEACHER, E2));
    assert_true(policy_has(p, PROFILE_PARENT));
    assert_false(policy_has(p, PROFILE_PUPIL));
    assert_false(policy_is_staff(p));
}

static void test_profiles_bits_and_has_in_for_staff(void **state)
{
    (void)state;
    struct actor *k = load(K);
    assert_int_equal(k->profiles, 1u << PROFILE_TEACHER);
    assert_true(policy_is_staff(k));
    assert_true(policy_has_in(k, PROFILE_TEACHER, E2));
    assert_false(policy_has_in(k, PROFILE_TEACHER, E1));
    assert_int_equal(k->ntaught, 1);
    assert_int_equal(k->taught_classes[0], C1);
    assert_int_equal(k->nchildren, 0);

    struct actor *s = load(S);
    assert_int_equal(s->profiles, 1u << PROFILE_STAFF);
    assert_string_equal(s->roles[0].title, "CPE");
    assert_int_equal(s->roles[0].establishment_id, E2);
    assert_int_equal(s->roles[0].territory_id, T1);
    assert_string_equal(s->roles[0].establishment_kind, "college");

    struct actor *m = load(M);
    assert_int_equal(m->profiles, 1u << PROFILE_ADMIN);
    assert_int_equal(m->nroles, 1);
    assert_int_equal(m->roles[0].establishment_id, 0);
    assert_int_equal(m->roles[0].territory_id, T1);
    assert_true(policy_is_staff(m));

    struct actor *a = load(PA);
    assert_int_equal(a->profiles, 1u << PROFILE_PUPIL);
    assert_false(policy_is_staff(a));
    assert_false(policy_has(NULL, PROFILE_PUPIL));
    assert_false(policy_has_in(NULL, PROFILE_PUPIL, E2));
    assert_false(policy_is_staff(NULL));
}

static void test_profile_names_round_trip(void **state)
{
    (void)state;
    for (int p = 0; p < PROFILE_COUNT; p++) assert_int_equal(policy_profile_parse(policy_profile_name((enum profile)p)), p);
    assert_string_equal(policy_profile_name(PROFILE_HEAD), "head");
    assert_int_equal(policy_profile_parse("root"), -1);
    assert_int_equal(policy_profile_parse(NULL), -1);
    assert_int_equal(policy_profile_parse("Admin"), -1);
}

/* ---- anonymous --------------------------------------------------------- */

static void test_r_gdpr_anonymous_actor_gets_only_public(void **state)
{
    (void)state;
    assert_true(policy_may(st, NULL, ACT_PUBLIC, OBJECT_NONE));
    for (int act = ACT_SIGNED_IN; act < ACT_COUNT; act++) {
        if (policy_may(st, NULL, act, OBJECT_NONE)) fail_msg("anonymous may do action %d", act);
        assert_false(may(NULL, act, OBJ_PERSON, PA));
        assert_false(may(NULL, act, OBJ_CLASS, C1));
        assert_false(may(NULL, act, OBJ_ESTABLISHMENT, E2));
        assert_false(may(NULL, act, OBJ_TERRITORY, T1));
    }
    assert_false(policy_may(st, NULL, ACT_COUNT, OBJECT_NONE));
    assert_false(policy_may(st, NULL, -1, OBJECT_NONE));
}

static void test_unknown_action_is_refused_to_everyone(void **state)
{
    (void)state;
    struct actor *m = load(M);
    assert_false(policy_may(st, m, ACT_COUNT, OBJECT_NONE));
    assert_false(policy_may(st, m, ACT_COUNT + 10, OBJECT(OBJ_TERRITORY, T1)));
    assert_false(policy_may(st, m, -3, OBJECT_NONE));
}

/* ---- parents ----------------------------------------------------------- */

static void test_r_gdpr_parent_reads_their_children_in_both_establishments(void **state)
{
    (void)state;
    struct actor *p = load(P);
    assert_true(policy_may(st, p, ACT_SIGNED_IN, OBJECT_NONE));
    assert_true(policy_may(st, p, ACT_PERSON_VIEW, OBJECT_NONE));
    assert_true(SEES(p, P));   /* oneself */
    assert_true(SEES(p, PA));  /* child at the collège */
    assert_true(SEES(p, PC));  /* child at the école */
}

static void test_r_gdpr_parent_cannot_read_another_familys_child(void **state)
{
    (void)state;
    struct actor *p = load(P), *q = load(Q);
    assert_false(SEES(p, PB)); /* same class as P's child A */
    assert_false(SEES(p, PG)); /* another territory */
    assert_false(SEES(p, PD)); /* a former pupil of the same class */
    assert_false(SEES(q, PA));
    assert_false(SEES(q, PC));
    /* nor the other family's parent */
    assert_false(SEES(p, Q));
    assert_false(SEES(q, P));
}

static void test_r_gdpr_parent_sees_staff_of_their_childrens_establishments_only(void **state)
{
    (void)state;
    struct actor *p = load(P);
    assert_true(SEES(p, K));
    assert_true(SEES(p, S));
    assert_true(SEES(p, H));
    assert_false(SEES(p, K5)); /* teacher in E3, where P has no child */
}

static void test_r_gdpr_parent_cannot_open_staff_pages(void **state)
{
    (void)state;
    struct actor *p = load(P);
    assert_false(policy_may(st, p, ACT_CLASS_VIEW, OBJECT_NONE));
    assert_false(SEES_CLASS(p, C1)); /* their child's class list */
    assert_false(may(p, ACT_ESTABLISHMENT_VIEW, OBJ_ESTABLISHMENT, E2));
    assert_false(policy_may(st, p, ACT_SERVICES_EDIT, OBJECT_NONE));
    assert_false(policy_may(st, p, ACT_TERRITORY_MANAGE, OBJECT_NONE));
}

/* ---- pupils ------------------------------------------------------------ */

static void test_r_gdpr_pupil_cannot_open_staff_pages(void **state)
{
    (void)state;
    struct actor *a = load(PA);
    const int staff_actions[] = {ACT_CLASS_VIEW, ACT_ESTABLISHMENT_VIEW, ACT_SERVICES_EDIT, ACT_TERRITORY_MANAGE};
    for (size_t i = 0; i < sizeof staff_actions / sizeof staff_actions[0]; i++) {
        int act = staff_actions[i];
        if (policy_may(st, a, act, OBJECT_NONE)) fail_msg("pupil may do action %d with no object", act);
        assert_false(may(a, act, OBJ_CLASS, C1));           /* own class */
        assert_false(may(a, act, OBJ_ESTABLISHMENT, E2));   /* own school */
        assert_false(may(a, act, OBJ_TERRITORY, T1));
        assert_false(may(a, act, OBJ_CLASS, C2));
        assert_false(may(a, act, OBJ_ESTABLISHMENT, E1));
    }
}

static void test_r_gdpr_pupil_sees_self_and_own_teachers_but_not_classmates(void **state)
{
    (void)state;
    struct actor *a = load(PA);
    assert_true(SEES(a, PA));
    assert_true(SEES(a, K));   /* staff of own establishment */
    assert_false(SEES(a, PB)); /* classmate */
    assert_false(SEES(a, Q));  /* classmate's parent */
    assert_false(SEES(a, PC));
    assert_false(SEES(a, K5));
}

/* ---- teachers ---------------------------------------------------------- */

static void test_r_gdpr_teacher_sees_pupils_and_families_of_the_classes_they_teach(void **state)
{
    (void)state;
    struct actor *k = load(K);
    assert_true(policy_may(st, k, ACT_CLASS_VIEW, OBJECT_NONE));
    assert_true(SEES_CLASS(k, C1));
    assert_true(SEES(k, PA));
    assert_true(SEES(k, PB));
    assert_true(SEES(k, P));   /* A's parent */
    assert_true(SEES(k, Q));   /* B's parent */
    assert_true(SEES(k, K2));  /* a colleague */
    assert_true(may(k, ACT_ESTABLISHMENT_VIEW, OBJ_ESTABLISHMENT, E2));
}

static void test_r_gdpr_teacher_does_not_see_other_classes_of_the_same_school(void **state)
{
    (void)state;
    struct actor *k = load(K), *k2 = load(K2);
    assert_false(SEES_CLASS(k, C2));
    assert_true(SEES_CLASS(k2, C2));
    assert_false(SEES_CLASS(k2, C1));
    assert_false(SEES(k2, PA));
    assert_false(SEES(k2, PB));
    assert_false(SEES(k2, Q));
    assert_false(SEES(k, PD)); /* left C1 on 2025-12-31 */
}

static void test_r_gdpr_teacher_cannot_act_where_no_role(void **state)
{
    (void)state;
    struct actor *k = load(K);
    assert_false(SEES_CLASS(k, D1));
    assert_false(may(k, ACT_ESTABLISHMENT_VIEW, OBJ_ESTABLISHMENT, E1));
    assert_false(may(k, ACT_SERVICES_EDIT, OBJ_ESTABLISHMENT, E1));
    assert_false(SEES(k, PC));
    assert_false(may(k, ACT_ESTABLISHMENT_VIEW, OBJ_ESTABLISHMENT, E3));
    assert_false(SEES_CLASS(k, F1));
    /* A teacher edits no services and manages no territory, even at home. */
    assert_false(policy_may(st, k, ACT_SERVICES_EDIT, OBJECT_NONE));
    assert_false(may(k, ACT_SERVICES_EDIT, OBJ_ESTABLISHMENT, E2));
    assert_false(policy_may(st, k, ACT_TERRITORY_MANAGE, OBJECT_NONE));
}

static void test_r_gdpr_teacher_cannot_act_where_role_has_ended_despite_old_teaching_rows(void **state)
{
    (void)state;
    /* K3 taught D1 in E1 until 2025-07-04 (the teaching row is still there)
     * and is a teacher in E2 today. Their E1 role is over: no E1 class list,
     * no E1 pupil, no E1 family. */
    struct actor *k3 = load(K3);
    assert_true(policy_has_in(k3, PROFILE_TEACHER, E2));
    assert_false(policy_has_in(k3, PROFILE_TEACHER, E1));
    assert_false(may(k3, ACT_ESTABLISHMENT_VIEW, OBJ_ESTABLISHMENT, E1));
    assert_false(SEES_CLASS(k3, D1));
    assert_false(SEES(k3, PC));
    assert_false(SEES(k3, P));
}

/* ---- school-life staff (CPE) and heads ---------------------------------- */

static void test_r_gdpr_cpe_sees_every_pupil_and_class_of_their_establishment_only(void **state)
{
    (void)state;
    struct actor *s = load(S);
    assert_true(SEES_CLASS(s, C1));
    assert_true(SEES_CLASS(s, C2));
    assert_true(SEES(s, PA));
    assert_true(SEES(s, PB));
    assert_true(SEES(s, P));
    assert_true(SEES(s, Q));
    assert_true(SEES(s, K));
    assert_true(may(s, ACT_ESTABLISHMENT_VIEW, OBJ_ESTABLISHMENT, E2));
    /* Not E1 (same territory) nor E3. */
    assert_false(SEES_CLASS(s, D1));
    assert_false(SEES_CLASS(s, F1));
    assert_false(SEES(s, PC));
    assert_false(SEES(s, PG));
    assert_false(may(s, ACT_ESTABLISHMENT_VIEW, OBJ_ESTABLISHMENT, E1));
    /* A CPE does not edit services nor manage the territory. */
    assert_false(may(s, ACT_SERVICES_EDIT, OBJ_ESTABLISHMENT, E2));
    assert_false(policy_may(st, s, ACT_SERVICES_EDIT, OBJECT_NONE));
    assert_false(policy_may(st, s, ACT_TERRITORY_MANAGE, OBJECT_NONE));
}

static void test_r_gdpr_head_edits_the_services_of_their_establishment_only(void **state)
{
    (void)state;
    struct actor *h = load(H);
    assert_true(policy_may(st, h, ACT_SERVICES_EDIT, OBJECT_NONE));
    assert_true(may(h, ACT_SERVICES_EDIT, OBJ_ESTABLISHMENT, E2));
    assert_false(may(h, ACT_SERVICES_EDIT, OBJ_ESTABLISHMENT, E1));
    assert_false(may(h, ACT_SERVICES_EDIT, OBJ_ESTABLISHMENT, E3));
    assert_false(may(h, ACT_SERVICES_EDIT, OBJ_TERRITORY, T1));
    assert_false(may(h, ACT_SERVICES_EDIT, OBJ_CLASS, C1));
    assert_false(policy_may(st, h, ACT_TERRITORY_MANAGE, OBJECT_NONE));
    assert_true(SEES_CLASS(h, C2));
    assert_false(SEES_CLASS(h, D1));
}

/* ---- territory admins --------------------------------------------------- */

static void test_r_gdpr_admin_edits_services_of_their_territory_only(void **state)
{
    (void)state;
    struct actor *m = load(M);
    assert_true(policy_may(st, m, ACT_SERVICES_EDIT, OBJECT_NONE));
    assert_true(may(m, ACT_SERVICES_EDIT, OBJ_ESTABLISHMENT, E1));
    assert_true(may(m, ACT_SERVICES_EDIT, OBJ_ESTABLISHMENT, E2));
    assert_true(may(m, ACT_SERVICES_EDIT, OBJ_TERRITORY, T1));
    assert_false(may(m, ACT_SERVICES_EDIT, OBJ_ESTABLISHMENT, E3));
    assert_false(may(m, ACT_SERVICES_EDIT, OBJ_TERRITORY, T2));
    assert_false(may(m, ACT_SERVICES_EDIT, OBJ_ESTABLISHMENT, 999)); /* no such establishment */

    struct actor *m2 = load(M2);
    assert_true(may(m2, ACT_SERVICES_EDIT, OBJ_ESTABLISHMENT, E3));
    assert_true(may(m2, ACT_SERVICES_EDIT, OBJ_TERRITORY, T2));
    assert_false(may(m2, ACT_SERVICES_EDIT, OBJ_ESTABLISHMENT, E1));
    assert_false(may(m2, ACT_SERVICES_EDIT, OBJ_ESTABLISHMENT, E2));
    assert_false(may(m2, ACT_SERVICES_EDIT, OBJ_TERRITORY, T1));
}

static void test_r_gdpr_admin_manages_their_territory_only(void **state)
{
    (void)state;
    struct actor *m = load(M), *m2 = load(M2);
    assert_true(policy_may(st, m, ACT_TERRITORY_MANAGE, OBJECT_NONE));
    assert_true(may(m, ACT_TERRITORY_MANAGE, OBJ_TERRITORY, T1));
    assert_false(may(m, ACT_TERRITORY_MANAGE, OBJ_TERRITORY, T2));
    assert_false(may(m, ACT_TERRITORY_MANAGE, OBJ_ESTABLISHMENT, E1));
    assert_true(may(m2, ACT_TERRITORY_MANAGE, OBJ_TERRITORY, T2));
    assert_false(may(m2, ACT_TERRITORY_MANAGE, OBJ_TERRITORY, T1));
    /* Views follow the territory. */
    assert_true(may(m, ACT_ESTABLISHMENT_VIEW, OBJ_ESTABLISHMENT, E1));
    assert_false(may(m, ACT_ESTABLISHMENT_VIEW, OBJ_ESTABLISHMENT, E3));
    assert_true(SEES_CLASS(m, D1));
    assert_true(SEES_CLASS(m, C1));
    assert_false(SEES_CLASS(m, F1));
    assert_true(SEES(m, PC));
    assert_false(SEES(m, PG));
    assert_true(SEES(m2, PG));
    assert_false(SEES(m2, PA));
}

/* ---- role validity ------------------------------------------------------ */

static void expect_no_power(const struct actor *a)
{
    assert_int_equal(a->nroles, 0);
    assert_int_equal(a->profiles, 0);
    assert_false(policy_is_staff(a));
    for (int act = ACT_CLASS_VIEW; act < ACT_COUNT; act++) {
        if (policy_may(st, a, act, OBJECT_NONE)) fail_msg("action %d allowed with no valid role", act);
        assert_false(may(a, act, OBJ_CLASS, C1));
        assert_false(may(a, act, OBJ_ESTABLISHMENT, E2));
        assert_false(may(a, act, OBJ_TERRITORY, T1));
    }
    assert_false(SEES(a, PA));
    assert_false(SEES(a, P));
}

static void test_r_gdpr_expired_role_gives_nothing(void **state)
{
    (void)state;
    expect_no_power(load(X));
}

static void test_r_gdpr_future_role_gives_nothing(void **state)
{
    (void)state;
    expect_no_power(load(Y));
}

static void test_expired_pupil_role_is_not_loaded(void **state)
{
    (void)state;
    struct actor *d = load(PD);
    assert_int_equal(d->nroles, 0);
    assert_false(policy_has(d, PROFILE_PUPIL));
}

static void test_role_is_valid_on_its_first_and_last_day(void **state)
{
    (void)state;
    struct actor *z = load(Z);
    assert_int_equal(z->nroles, 1);
    assert_true(policy_has_in(z, PROFILE_STAFF, E2));
    assert_true(SEES_CLASS(z, C1));
}

static void test_roles_follow_the_clock(void **state)
{
    (void)state;
    int64_t t, saved = clock_now();
    /* On 2026-09-01 Y's roles begin and Z's has ended. */
    assert_true(clock_parse("2026-09-01T08:00", &t));
    clock_set(t);
    struct actor *y = load(Y), *z = load(Z);
    clock_set(saved);
    assert_true(policy_has_in(y, PROFILE_STAFF, E2));
    assert_true(policy_has(y, PROFILE_ADMIN));
    assert_int_equal(z->nroles, 0);
    /* Back to today: Y has nothing again. */
    assert_int_equal(load(Y)->nroles, 0);
}

/* ---- grades and attendance ---------------------------------------------- */

enum { TEACH_K = 1, TEACH_K2 = 2, TEACH_K3 = 3, TEACH_K5 = 4 };

static void test_s_grades_only_the_teacher_of_the_enseignement_marks(void **state)
{
    (void)state;
    struct actor *k = load(K), *k2 = load(K2), *k3 = load(K3), *s = load(S), *h = load(H), *p = load(P), *pa = load(PA);
    assert_true(may(k, ACT_GRADES_WRITE, OBJ_TEACHING, TEACH_K));
    assert_false(may(k, ACT_GRADES_WRITE, OBJ_TEACHING, TEACH_K2));
    assert_false(may(k2, ACT_GRADES_WRITE, OBJ_TEACHING, TEACH_K));
    assert_false(may(k3, ACT_GRADES_WRITE, OBJ_TEACHING, TEACH_K3)); /* role there has ended */
    assert_false(may(s, ACT_GRADES_WRITE, OBJ_TEACHING, TEACH_K));
    assert_false(may(h, ACT_GRADES_WRITE, OBJ_TEACHING, TEACH_K));
    assert_false(may(p, ACT_GRADES_WRITE, OBJECT_NONE.kind, 0));
    assert_false(may(pa, ACT_GRADES_WRITE, OBJ_TEACHING, TEACH_K));
}

static void test_s_grades_pupil_record_seen_by_pupil_family_teachers_and_school_life(void **state)
{
    (void)state;
    struct actor *pa = load(PA), *p = load(P), *q = load(Q), *k = load(K), *k5 = load(K5), *s = load(S);
    assert_true(may(pa, ACT_PUPIL_RECORD, OBJ_PERSON, PA));
    assert_false(may(pa, ACT_PUPIL_RECORD, OBJ_PERSON, PB));
    assert_true(may(p, ACT_PUPIL_RECORD, OBJ_PERSON, PA));
    assert_false(may(p, ACT_PUPIL_RECORD, OBJ_PERSON, PB));
    assert_false(may(q, ACT_PUPIL_RECORD, OBJ_PERSON, PA));
    assert_true(may(k, ACT_PUPIL_RECORD, OBJ_PERSON, PA));
    assert_false(may(k, ACT_PUPIL_RECORD, OBJ_PERSON, PC));   /* a pupil of another school */
    assert_false(may(k5, ACT_PUPIL_RECORD, OBJ_PERSON, PA));
    assert_true(may(s, ACT_PUPIL_RECORD, OBJ_PERSON, PB));
}

static void test_s_attendance_roll_call_by_the_teacher_or_school_life(void **state)
{
    (void)state;
    struct actor *k = load(K), *k5 = load(K5), *s = load(S), *h = load(H), *p = load(P);
    assert_true(may(k, ACT_ROLL_CALL, OBJ_TEACHING, TEACH_K));
    assert_false(may(k, ACT_ROLL_CALL, OBJ_TEACHING, TEACH_K2));
    assert_false(may(k5, ACT_ROLL_CALL, OBJ_TEACHING, TEACH_K));
    assert_true(may(s, ACT_ROLL_CALL, OBJ_TEACHING, TEACH_K2));
    assert_true(may(h, ACT_ROLL_CALL, OBJ_TEACHING, TEACH_K));
    assert_false(may(s, ACT_ROLL_CALL, OBJ_TEACHING, TEACH_K5));
    assert_false(policy_may(st, p, ACT_ROLL_CALL, OBJECT_NONE));
}

static void test_s_attendance_managed_by_school_life_of_the_establishment(void **state)
{
    (void)state;
    struct actor *s = load(S), *h = load(H), *k = load(K), *m = load(M), *m2 = load(M2), *p = load(P);
    assert_true(may(s, ACT_ATTENDANCE_MANAGE, OBJ_ESTABLISHMENT, E2));
    assert_false(may(s, ACT_ATTENDANCE_MANAGE, OBJ_ESTABLISHMENT, E1));
    assert_true(may(h, ACT_ATTENDANCE_MANAGE, OBJ_ESTABLISHMENT, E2));
    assert_false(may(k, ACT_ATTENDANCE_MANAGE, OBJ_ESTABLISHMENT, E2));
    assert_true(may(m, ACT_ATTENDANCE_MANAGE, OBJ_ESTABLISHMENT, E2));
    assert_false(may(m2, ACT_ATTENDANCE_MANAGE, OBJ_ESTABLISHMENT, E2));
    assert_false(policy_may(st, p, ACT_ATTENDANCE_MANAGE, OBJECT_NONE));
}

static void test_s_attendance_only_a_legal_guardian_justifies(void **state)
{
    (void)state;
    struct actor *p = load(P), *q = load(Q), *pa = load(PA), *s = load(S);
    assert_true(may(p, ACT_ABSENCE_JUSTIFY, OBJ_PERSON, PA));
    assert_false(may(p, ACT_ABSENCE_JUSTIFY, OBJ_PERSON, PB)); /* another family's child */
    assert_true(may(q, ACT_ABSENCE_JUSTIFY, OBJ_PERSON, PB));
    assert_false(may(pa, ACT_ABSENCE_JUSTIFY, OBJ_PERSON, PA));
    assert_false(may(s, ACT_ABSENCE_JUSTIFY, OBJ_PERSON, PA));
    /* A guardian without legal responsibility sees, but does not justify. */
    assert_int_equal(store_run(st, "UPDATE guardianship SET legal_responsibility = 0 WHERE parent_id = $1 AND pupil_id = $2", "ii",
                               (int64_t)Q, (int64_t)PB), 0);
    assert_false(may(q, ACT_ABSENCE_JUSTIFY, OBJ_PERSON, PB));
    assert_true(may(q, ACT_PUPIL_RECORD, OBJ_PERSON, PB));
    assert_int_equal(store_run(st, "UPDATE guardianship SET legal_responsibility = 1 WHERE parent_id = $1 AND pupil_id = $2", "ii",
                               (int64_t)Q, (int64_t)PB), 0);
}

static void test_s_log_lesson_attachments_follow_the_enseignement(void **state)
{
    (void)state;
    struct actor *pa = load(PA), *pc = load(PC), *p = load(P), *q = load(Q), *k = load(K), *k2 = load(K2), *s = load(S);
    assert_true(may(pa, ACT_TEACHING_VIEW, OBJ_TEACHING, TEACH_K));
    assert_false(may(pc, ACT_TEACHING_VIEW, OBJ_TEACHING, TEACH_K));   /* not in that class */
    assert_true(may(p, ACT_TEACHING_VIEW, OBJ_TEACHING, TEACH_K));
    assert_true(may(q, ACT_TEACHING_VIEW, OBJ_TEACHING, TEACH_K));    /* PB is in 5e A too */
    assert_false(may(q, ACT_TEACHING_VIEW, OBJ_TEACHING, TEACH_K3));  /* no child in CM1 A */
    assert_true(may(k, ACT_TEACHING_VIEW, OBJ_TEACHING, TEACH_K));
    assert_false(may(k2, ACT_TEACHING_VIEW, OBJ_TEACHING, TEACH_K));
    assert_true(may(s, ACT_TEACHING_VIEW, OBJ_TEACHING, TEACH_K2));
}

/* ---- R-REPS: parent representatives ------------------------------------ */

static void test_r_reps_head_designates_representatives_of_their_establishment_only(void **state)
{
    (void)state;
    struct actor *h = load(H), *m = load(M), *m2 = load(M2), *s = load(S), *p = load(P), *k = load(K);
    assert_true(policy_may(st, h, ACT_REP_DESIGNATE, OBJECT_NONE));
    assert_true(may(h, ACT_REP_DESIGNATE, OBJ_ESTABLISHMENT, E2));
    assert_false(may(h, ACT_REP_DESIGNATE, OBJ_ESTABLISHMENT, E1));
    assert_false(may(h, ACT_REP_DESIGNATE, OBJ_ESTABLISHMENT, E3));
    assert_false(may(h, ACT_REP_DESIGNATE, OBJ_CLASS, C1));
    assert_true(may(m, ACT_REP_DESIGNATE, OBJ_ESTABLISHMENT, E1));
    assert_true(may(m, ACT_REP_DESIGNATE, OBJ_ESTABLISHMENT, E2));
    assert_false(may(m, ACT_REP_DESIGNATE, OBJ_ESTABLISHMENT, E3));
    assert_true(may(m2, ACT_REP_DESIGNATE, OBJ_ESTABLISHMENT, E3));
    assert_false(may(m2, ACT_REP_DESIGNATE, OBJ_ESTABLISHMENT, E2));
    /* School life, teachers and parents never designate. */
    assert_false(policy_may(st, s, ACT_REP_DESIGNATE, OBJECT_NONE));
    assert_false(may(s, ACT_REP_DESIGNATE, OBJ_ESTABLISHMENT, E2));
    assert_false(may(k, ACT_REP_DESIGNATE, OBJ_ESTABLISHMENT, E2));
    assert_false(policy_may(st, p, ACT_REP_DESIGNATE, OBJECT_NONE));
    assert_false(may(p, ACT_REP_DESIGNATE, OBJ_ESTABLISHMENT, E2));
}

static void test_r_reps_broadcast_needs_this_years_designation_and_a_child_still_enrolled(void **state)
{
    (void)state;
    struct actor *p = load(P), *q = load(Q), *h = load(H);
    /* Not designated: nothing. */
    assert_false(policy_may(st, p, ACT_REP_BROADCAST, OBJECT_NONE));
    assert_false(may(p, ACT_REP_BROADCAST, OBJ_ESTABLISHMENT, E2));
    /* Designated for E2's current year: E2 only. */
    assert_int_equal(store_run(st, "INSERT INTO parent_rep (establishment_id, school_year_id, person_id, designated_by, designated_at)"
                                   " VALUES (20, 21, $1, $2, 0)", "ii", (int64_t)P, (int64_t)H), 0);
    assert_true(policy_may(st, p, ACT_REP_BROADCAST, OBJECT_NONE));
    assert_true(may(p, ACT_REP_BROADCAST, OBJ_ESTABLISHMENT, E2));
    assert_false(may(p, ACT_REP_BROADCAST, OBJ_ESTABLISHMENT, E1));   /* a child there, but not designated there */
    assert_false(may(p, ACT_REP_BROADCAST, OBJ_ESTABLISHMENT, E3));
    assert_false(may(p, ACT_REP_BROADCAST, OBJ_CLASS, C1));
    assert_false(may(q, ACT_REP_BROADCAST, OBJ_ESTABLISHMENT, E2));   /* another parent of the same class */
    assert_false(may(p, ACT_MODERATE, OBJ_ESTABLISHMENT, E2));        /* a representative is no staff */
    /* Last year's designation gives nothing this year. */
    assert_int_equal(store_run(st, "INSERT INTO school_year (id, establishment_id, label, starts_on, ends_on)"
                                   " VALUES (22, 20, '2024-2025', '2024-09-01', '2025-07-04')", NULL), 0);
    assert_int_equal(store_run(st, "INSERT INTO parent_rep (establishment_id, school_year_id, person_id, designated_by, designated_at)"
                                   " VALUES (20, 22, $1, $2, 0)", "ii", (int64_t)Q, (int64_t)H), 0);
    assert_false(policy_may(st, q, ACT_REP_BROADCAST, OBJECT_NONE));
    assert_false(may(q, ACT_REP_BROADCAST, OBJ_ESTABLISHMENT, E2));
    /* A representative whose child has left the establishment is no longer one. */
    assert_int_equal(store_run(st, "UPDATE enrolment SET ends_on = '2026-03-01' WHERE pupil_id = $1", "i", (int64_t)PA), 0);
    assert_false(may(p, ACT_REP_BROADCAST, OBJ_ESTABLISHMENT, E2));
    assert_false(policy_may(st, p, ACT_REP_BROADCAST, OBJECT_NONE));
    assert_int_equal(store_run(st, "UPDATE enrolment SET ends_on = NULL WHERE pupil_id = $1", "i", (int64_t)PA), 0);
    assert_true(may(p, ACT_REP_BROADCAST, OBJ_ESTABLISHMENT, E2));
    /* A row for someone who is not a parent gives nothing. */
    assert_int_equal(store_run(st, "INSERT INTO parent_rep (establishment_id, school_year_id, person_id, designated_by, designated_at)"
                                   " VALUES (20, 21, $1, $1, 0)", "i", (int64_t)H), 0);
    assert_false(may(h, ACT_REP_BROADCAST, OBJ_ESTABLISHMENT, E2));
    assert_int_equal(store_run(st, "DELETE FROM parent_rep", NULL), 0);
    assert_int_equal(store_run(st, "DELETE FROM school_year WHERE id = 22", NULL), 0);
    assert_false(may(p, ACT_REP_BROADCAST, OBJ_ESTABLISHMENT, E2));
}

static void test_r_reps_parents_answer_for_the_establishments_of_their_children(void **state)
{
    (void)state;
    struct actor *p = load(P), *q = load(Q), *h = load(H), *a = load(PA);
    assert_true(policy_may(st, p, ACT_REP_CONSENT, OBJECT_NONE));
    assert_true(may(p, ACT_REP_CONSENT, OBJ_ESTABLISHMENT, E1));
    assert_true(may(p, ACT_REP_CONSENT, OBJ_ESTABLISHMENT, E2));
    assert_false(may(p, ACT_REP_CONSENT, OBJ_ESTABLISHMENT, E3));
    assert_true(may(q, ACT_REP_CONSENT, OBJ_ESTABLISHMENT, E2));
    assert_false(may(q, ACT_REP_CONSENT, OBJ_ESTABLISHMENT, E1));
    assert_false(policy_may(st, h, ACT_REP_CONSENT, OBJECT_NONE));
    assert_false(may(h, ACT_REP_CONSENT, OBJ_ESTABLISHMENT, E2));
    assert_false(policy_may(st, a, ACT_REP_CONSENT, OBJECT_NONE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_actor_load_unknown_person_is_null),
        cmocka_unit_test(test_r_id_1_parent_has_one_actor_with_roles_in_two_establishments),
        cmocka_unit_test(test_profiles_bits_and_has_in_for_staff),
        cmocka_unit_test(test_profile_names_round_trip),
        cmocka_unit_test(test_r_gdpr_anonymous_actor_gets_only_public),
        cmocka_unit_test(test_unknown_action_is_refused_to_everyone),
        cmocka_unit_test(test_r_gdpr_parent_reads_their_children_in_both_establishments),
        cmocka_unit_test(test_r_gdpr_parent_cannot_read_another_familys_child),
        cmocka_unit_test(test_r_gdpr_parent_sees_staff_of_their_childrens_establishments_only),
        cmocka_unit_test(test_r_gdpr_parent_cannot_open_staff_pages),
        cmocka_unit_test(test_r_gdpr_pupil_cannot_open_staff_pages),
        cmocka_unit_test(test_r_gdpr_pupil_sees_self_and_own_teachers_but_not_classmates),
        cmocka_unit_test(test_r_gdpr_teacher_sees_pupils_and_families_of_the_classes_they_teach),
        cmocka_unit_test(test_r_gdpr_teacher_does_not_see_other_classes_of_the_same_school),
        cmocka_unit_test(test_r_gdpr_teacher_cannot_act_where_no_role),
        cmocka_unit_test(test_r_gdpr_teacher_cannot_act_where_role_has_ended_despite_old_teaching_rows),
        cmocka_unit_test(test_r_gdpr_cpe_sees_every_pupil_and_class_of_their_establishment_only),
        cmocka_unit_test(test_r_gdpr_head_edits_the_services_of_their_establishment_only),
        cmocka_unit_test(test_r_gdpr_admin_edits_services_of_their_territory_only),
        cmocka_unit_test(test_r_gdpr_admin_manages_their_territory_only),
        cmocka_unit_test(test_r_gdpr_expired_role_gives_nothing),
        cmocka_unit_test(test_r_gdpr_future_role_gives_nothing),
        cmocka_unit_test(test_expired_pupil_role_is_not_loaded),
        cmocka_unit_test(test_role_is_valid_on_its_first_and_last_day),
        cmocka_unit_test(test_roles_follow_the_clock),
        cmocka_unit_test(test_s_grades_only_the_teacher_of_the_enseignement_marks),
        cmocka_unit_test(test_s_grades_pupil_record_seen_by_pupil_family_teachers_and_school_life),
        cmocka_unit_test(test_s_attendance_roll_call_by_the_teacher_or_school_life),
        cmocka_unit_test(test_s_attendance_managed_by_school_life_of_the_establishment),
        cmocka_unit_test(test_s_attendance_only_a_legal_guardian_justifies),
        cmocka_unit_test(test_s_log_lesson_attachments_follow_the_enseignement),
        cmocka_unit_test(test_r_reps_head_designates_representatives_of_their_establishment_only),
        cmocka_unit_test(test_r_reps_broadcast_needs_this_years_designation_and_a_child_still_enrolled),
        cmocka_unit_test(test_r_reps_parents_answer_for_the_establishments_of_their_children),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
