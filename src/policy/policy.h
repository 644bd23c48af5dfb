/* policy.h — the single place that decides who may do what.
 *
 * Handlers never decide access themselves: the router asks policy_may() for
 * the route's action with no object (may this person ever do this?), then
 * the handler asks again with the object it is about to show or change.
 * Rules depend on profile, establishment, role validity dates (today, from
 * the clock) and guardianship. */
#ifndef CARNET_POLICY_H
#define CARNET_POLICY_H
#include "../core/arena.h"
#include "diffusion.h"
struct stmt;
#include <stdbool.h>
#include <stdint.h>

struct store;

enum profile {
    PROFILE_PUPIL, PROFILE_PARENT, PROFILE_TEACHER, PROFILE_STAFF, PROFILE_HEAD,
    PROFILE_ADMIN, PROFILE_GUEST, PROFILE_COUNT
};

struct role {
    int64_t id;
    enum profile profile;
    int64_t establishment_id;  /* 0 for a territory role */
    int64_t territory_id;      /* the establishment's territory, or the role's */
    const char *establishment_name;
    const char *establishment_kind;
    const char *title;
};

struct actor {
    int64_t person_id, account_id;
    const char *first_name, *last_name, *login;
    struct role *roles;        /* valid today */
    size_t nroles;
    unsigned profiles;         /* bit (1 << profile) for each valid role */
    int64_t *children;         /* pupils this person is a guardian of */
    size_t nchildren;
    int64_t *taught_classes;   /* classes this person teaches (directly or through a group) */
    size_t ntaught;
};

enum policy_action {
    ACT_PUBLIC = 0,            /* anyone, signed in or not */
    ACT_SIGNED_IN,             /* any signed-in person: portal, own account */
    ACT_PERSON_VIEW,           /* object: person */
    ACT_CLASS_VIEW,            /* object: class — the class list is a staff page */
    ACT_ESTABLISHMENT_VIEW,    /* object: establishment — staff overview */
    ACT_SERVICES_EDIT,         /* object: establishment — its services catalogue */
    ACT_TERRITORY_MANAGE,      /* object: territory — establishments, territory links */
    ACT_ACCOUNTS_ISSUE,        /* object: class — print activation letters for its families */
    ACT_TEACHER_TIMETABLE,     /* object: person — a teacher's whole timetable */
    ACT_ROOM_VIEW,             /* object: room — its timetable */
    ACT_TIMETABLE_EDIT,        /* object: establishment — one-off changes (cancel, replace, room…) */
    ACT_LESSON_EXAM,           /* object: teaching — schedule an exam or an extra lesson */
    ACT_LOG_WRITE,             /* object: teaching — fill its class log and set homework */
    ACT_ESTABLISHMENT_SETTINGS,/* object: establishment — settings such as refusing late homework */
    ACT_TEACHING_VIEW,         /* object: teaching — its log, homework and their attachments */
    ACT_GRADES_WRITE,          /* object: teaching — create assessments, enter marks and skills */
    ACT_PUPIL_RECORD,          /* object: person — a pupil's grades, skills and absences */
    ACT_ROLL_CALL,             /* object: teaching — take the roll call of its lessons */
    ACT_ATTENDANCE_MANAGE,     /* object: establishment — day's roll calls, justifications, alerts, reasons */
    ACT_ABSENCE_JUSTIFY,       /* object: person — justify a pupil's absences (legal guardian) */
    ACT_MESSAGE_WRITE,         /* object: person — start a thread with them (communication policy) */
    ACT_MODERATE,              /* object: establishment — the queue of reported messages */
    ACT_MESSAGE_URGENT,        /* object: establishment — R-DISCO: deliver at once in a quiet period (its head only) */
    ACT_REP_DESIGNATE,         /* object: establishment — designate its parent representatives (R-REPS) */
    ACT_REP_BROADCAST,         /* object: establishment — a representative writes to its consenting parents */
    ACT_REP_CONSENT,           /* object: establishment — a parent answers "receive the representatives' messages?" */
    ACT_IMPORT_RUN,            /* object: establishment (a head's own files) or territory (its feeds) — imports */
    ACT_IMPORT_VIEW,           /* object: import run — its report */
    ACT_IDENTITY_DECIDE,       /* object: person — merge or keep apart a doubtful pair (R-ID) */
    ACT_STRUCTURE_EDIT,        /* object: establishment (periods, classes) or person (move a pupil) */
    ACT_COUNT
};

enum object_kind { OBJ_NONE, OBJ_PERSON, OBJ_CLASS, OBJ_ESTABLISHMENT, OBJ_TERRITORY, OBJ_ROOM, OBJ_TEACHING,
                   OBJ_IMPORT };

struct object {
    enum object_kind kind;
    int64_t id;
};

#define OBJECT_NONE ((struct object){OBJ_NONE, 0})
#define OBJECT(k, i) ((struct object){(k), (i)})

/* May actor (NULL: nobody signed in) perform action on obj? With OBJ_NONE:
 * may they perform it on anything at all (route-level check). Reads the
 * store for facts about the object; allocates nothing. */
bool policy_may(struct store *s, const struct actor *a, int action, struct object obj);

/* Load the actor for a person, with roles valid today, children and taught
 * classes. Allocates in arena. NULL when the person does not exist. */
struct actor *policy_actor_load(struct store *s, struct arena *arena, int64_t person_id);

/* An actor is read in one statement (one round trip to the database): rows
 * (kind, n1, n2, n3, n4, t1, t2, t3, t4), kind '1' the person and account,
 * '2' each role valid on $2 (text date), '3' each child, '4' each taught
 * class, of the person whose id is in the CTE me(id) that the statement
 * defines before; ordered by 1, 2. A caller may add rows of kind '0' of its
 * own (the session, in auth.c) with the same columns. */
#define POLICY_ACTOR_ROWS                                                                                         \
    "SELECT '1' AS kind, coalesce(a.id, 0) AS n1, 0 AS n2, 0 AS n3, 0 AS n4, p.first_name AS t1,"                 \
    " p.last_name AS t2, a.login AS t3, NULL AS t4"                                                               \
    " FROM me JOIN person p ON p.id = me.id LEFT JOIN account a ON a.person_id = p.id"                             \
    " UNION ALL SELECT '2', r.id, coalesce(r.establishment_id, 0), coalesce(e.territory_id, r.territory_id), 0,"   \
    " r.profile, e.name, e.kind, r.title FROM me JOIN role r ON r.person_id = me.id"                              \
    " LEFT JOIN establishment e ON e.id = r.establishment_id"                                                     \
    " WHERE r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2)"                                         \
    " UNION ALL SELECT '3', g.pupil_id, 0, 0, 0, NULL, NULL, NULL, NULL FROM me JOIN guardianship g ON g.parent_id = me.id" \
    " AND g.legal_responsibility = 1"                                                                            \
    " UNION ALL SELECT '4', x.class_id, 0, 0, 0, NULL, NULL, NULL, NULL FROM ("                                  \
    " SELECT t.class_id FROM me JOIN teaching t ON t.teacher_id = me.id JOIN role r ON r.person_id = t.teacher_id" \
    " AND r.establishment_id = t.establishment_id AND r.profile = 'teacher'"                                      \
    " AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2) WHERE t.class_id IS NOT NULL"              \
    " AND (t.ends_on IS NULL OR t.ends_on >= $2)"                                                               \
    " UNION SELECT en.class_id FROM me JOIN teaching t ON t.teacher_id = me.id JOIN role r ON r.person_id = t.teacher_id" \
    " AND r.establishment_id = t.establishment_id AND r.profile = 'teacher'"                                      \
    " AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2)"                                           \
    " JOIN group_member gm ON gm.grp_id = t.grp_id JOIN enrolment en ON en.pupil_id = gm.pupil_id"                 \
    " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"                                         \
    " WHERE t.ends_on IS NULL OR t.ends_on >= $2) x"
/* Read the actor of person_id from such a statement, row being the result
 * of its first step (or of the step after the caller's own rows): NULL
 * when the person does not exist or on error. Allocates in arena. */
struct actor *policy_actor_read(struct stmt *st, struct arena *arena, int64_t person_id, int row);

/* The establishment in which actor may write to person (communication
 * policy of S-MESSAGES), or 0 when they may not. */
int64_t policy_message_establishment(struct store *s, const struct actor *a, int64_t person);
/* The same for n people at once (a list): est[i] is the establishment in
 * which the actor may write to people[i], or 0. Returns how many may. */
size_t policy_message_filter(struct store *s, const struct actor *a, const int64_t *people, size_t n, int64_t *est);

/* The establishment's kill switch (R-SEC): false when it has suspended
 * messaging for one of the actor's profiles there. */
bool policy_messaging_open(struct store *s, const struct actor *a, int64_t establishment);

/* R-REPS: is person a parent representative of establishment for its
 * current school year (the one whose dates contain today), and still the
 * guardian of a pupil enrolled there today? establishment 0: of any. */
bool policy_is_rep(struct store *s, int64_t person, int64_t establishment);

/* The pairs of profiles the communication policy knows (a pupil or a parent
 * never writes to another pupil or family): for the head's editor. */
bool policy_message_pair_exists(enum profile from, enum profile to);

/* Profile name as stored ("pupil"…), and back (-1 when unknown). */
const char *policy_profile_name(enum profile p);
int policy_profile_parse(const char *name);
/* True when the actor holds profile p (in any establishment). */
bool policy_has(const struct actor *a, enum profile p);
/* True when the actor holds profile p in establishment e. */
bool policy_has_in(const struct actor *a, enum profile p, int64_t establishment_id);
/* True for teacher, staff, head, admin. */
bool policy_is_staff(const struct actor *a);
/* Is person the guardian of a pupil enrolled in establishment est today
 * (R-REPS: who may be designated, who may consent)? */
bool policy_parent_in(struct store *s, int64_t person, int64_t est);

/* R-GRADES: as whom does the actor see pupil's grades? Themself (the
 * pupil), a guardian (parents, even when also staff), or staff. The caller
 * has checked ACT_PUPIL_RECORD. */
enum grades_audience policy_grades_audience(const struct actor *a, int64_t pupil);

#endif
