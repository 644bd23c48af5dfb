/* scope_sql.h — SQL fragments naming whose enseignements a page is about,
 * shared by the services that show a pupil's lessons, log and homework.
 * Each is a derived table x(pupil, teaching) for $1 (the pupil, or the
 * guardian) with enrolments valid between $2 and $3 (dates). Literal text
 * only: it is pasted into statement literals at compile time. */
#ifndef CARNET_SCOPE_SQL_H
#define CARNET_SCOPE_SQL_H

/* The enseignements of pupil $1: those of their classes and groups. */
#define SQL_PUPIL_TEACHINGS                                                                                      \
    "(SELECT en.pupil_id AS pupil, t2.id AS teaching FROM enrolment en JOIN teaching t2 ON t2.class_id = en.class_id" \
    " WHERE en.pupil_id = $1 AND en.starts_on <= $3 AND (en.ends_on IS NULL OR en.ends_on >= $2)"               \
    " UNION SELECT gm.pupil_id, t3.id FROM group_member gm JOIN teaching t3 ON t3.grp_id = gm.grp_id"            \
    " WHERE gm.pupil_id = $1) x"

/* The enseignements of every child of guardian $1, with the child. */
#define SQL_GUARDIAN_TEACHINGS                                                                                   \
    "(SELECT en.pupil_id AS pupil, t2.id AS teaching FROM guardianship gd JOIN enrolment en"                     \
    " ON en.pupil_id = gd.pupil_id AND en.starts_on <= $3 AND (en.ends_on IS NULL OR en.ends_on >= $2)"          \
    " JOIN teaching t2 ON t2.class_id = en.class_id WHERE gd.parent_id = $1 AND gd.legal_responsibility = 1"    \
    " UNION SELECT gm.pupil_id, t3.id FROM guardianship gd JOIN group_member gm ON gm.pupil_id = gd.pupil_id"    \
    " JOIN teaching t3 ON t3.grp_id = gm.grp_id WHERE gd.parent_id = $1 AND gd.legal_responsibility = 1) x"

/* The establishments where the classes of person $1's children (a
 * guardian) or of person $1 (a pupil) are on date $2: the schools whose
 * calendars and services a family's pages show. */
#define SQL_FAMILY_ESTABLISHMENTS                                                                                \
    "SELECT c.establishment_id FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id"                \
    " JOIN class c ON c.id = en.class_id WHERE g.parent_id = $1 AND g.legal_responsibility = 1"                 \
    " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"                                       \
    " UNION SELECT c.establishment_id FROM enrolment en JOIN class c ON c.id = en.class_id"                      \
    " WHERE en.pupil_id = $1 AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"

/* The children of guardian $1: only those they are legally responsible
 * for (a contact without parental authority is a parent of nobody). */
#define SQL_CHILDREN_OF_1 "(SELECT pupil_id FROM guardianship WHERE parent_id = $1 AND legal_responsibility = 1)"

#endif
