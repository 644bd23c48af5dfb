/* notices.c — the demo's notifications (S-NOTIFY): what the last two weeks
 * of the demo school would have told each person, derived from the items
 * the demo wrote, each from the moment its audience could see it (R-DISCO,
 * R-GRADES). Those seen before the last day are read. Plain SQL over what
 * exists, so it stays fast at a département's scale. */
#include "notices.h"
#include "../calendar/calendar.h"
#include "../modules/attendance/attendance.h"
#include "../core/arena.h"
#include "../core/clock.h"
#include "../core/i18n.h"
#include "../core/log.h"
#include "../core/page.h"
#include "../store/store.h"
#include <stdbool.h>
#include <string.h>

#define NOTICES_DAYS 14          /* how far back the centre is filled */
#define NOTICES_HOMEWORK_DAYS 3  /* homework: the last three days (each tells a whole class and its parents) */
#define NOTICES_GRADES_DAYS 7    /* grades: the last week */
#define NOTICES_READ_AFTER 3600  /* a notification older than a day was read an hour after it came */

/* Absences and lateness: each legal guardian, titled as the roll call
 * titles them (attendance.c). */
static int attendance(struct store *s, int64_t from, int64_t read_before, int64_t now)
{
    struct arena a;
    arena_init(&a);
    struct stmt *st = store_q(s,
        "SELECT a.id, a.pupil_id, p.first_name, a.on_date, a.starts_at, a.kind, a.minutes, sb.name, a.establishment_id, a.created_at"
        " FROM attendance a JOIN person p ON p.id = a.pupil_id JOIN roll_call rc ON rc.id = a.roll_call_id"
        " JOIN teaching t ON t.id = rc.teaching_id JOIN subject sb ON sb.id = t.subject_id"
        " WHERE a.created_at > $1 AND a.created_at <= $2 ORDER BY a.id", "ii", from, now);
    struct row { int64_t id, pupil, est, at; const char *title; } *v = NULL;
    size_t n = 0, cap = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&a, v, n, &cap, sizeof *v);
        v[n++] = (struct row){stmt_int(st, 0), stmt_int(st, 1), stmt_int(st, 8), stmt_int(st, 9),
                              attendance_notice_title(&a, stmt_text(st, 2), stmt_text(st, 3), stmt_text(st, 4), stmt_text(st, 7),
                                                      !strcmp(stmt_text(st, 5), "late"), stmt_int(st, 6))};
    }
    int rc = st ? 0 : -1;
    stmt_done(st);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = store_run(s, "INSERT INTO notice_stage (person_id, service, title, url, item, establishment_id, created_at, visible_at, read_at)"
                          " SELECT parent_id, 'attendance', $2, '/absences/eleves/' || $1, $3, $4, $5, $5, CASE WHEN $5 < $6 THEN $5 + $7 END"
                          " FROM guardianship WHERE pupil_id = $1 AND legal_responsibility = 1",
                       "ittiiii", v[i].pupil, v[i].title, arena_printf(&a, "attendance:%lld", (long long)v[i].id), v[i].est, v[i].at,
                       read_before, (int64_t)NOTICES_READ_AFTER) < 0 ? -1 : 0;
    arena_free(&a);
    return rc;
}

/* One title per item, then its recipients in one statement each. */
struct item {
    int64_t id;
    const char *title;
};

static size_t items_of(struct store *s, struct arena *a, const char *sql, int64_t from, int64_t now, const char *key, struct item **out)
{
    struct stmt *st = store_q(s, sql, "ii", from, now);
    struct item *v = NULL;
    size_t n = 0, cap = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        const char *second = stmt_text(st, 2);
        v = arena_grow(a, v, n, &cap, sizeof *v);
        v[n++] = (struct item){stmt_int(st, 0), i18n_fmt(a, "fr", key, stmt_text(st, 1),
                                                         calendar_valid_date(second) ? page_day(a, "fr", second) : second)};
    }
    stmt_done(st);
    *out = v;
    return n;
}

/* For each item select gives (id, a word, a date or a word), titled by
 * key, the rows insert writes ($1 the item, $2 its title, $3 read_before,
 * $4 how long after it came it was read). */
static int fan_out(struct store *s, const char *select, const char *key, const char *insert, int64_t from, int64_t read_before,
                   int64_t now)
{
    struct arena a;
    arena_init(&a);
    struct item *v;
    size_t n = items_of(s, &a, select, from, now, key, &v);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = store_run(s, insert, "itii", v[i].id, v[i].title, read_before, (int64_t)NOTICES_READ_AFTER) < 0 ? -1 : 0;
    arena_free(&a);
    return rc;
}

/* Homework: each pupil of the class or group and each of their guardians
 * (with one child's page), from visible_from. */
static const char *const homework_select =
    "SELECT h.id, sb.name, h.due_on FROM homework h JOIN teaching t ON t.id = h.teaching_id"
    " JOIN subject sb ON sb.id = t.subject_id WHERE h.published_at > $1 AND h.published_at <= $2 ORDER BY h.id";
static const char *const homework_insert =
    "WITH pupils(id) AS (SELECT en.pupil_id FROM homework h JOIN teaching t ON t.id = h.teaching_id"
    " JOIN enrolment en ON en.class_id = t.class_id WHERE h.id = $1"
    " UNION SELECT gm.pupil_id FROM homework h JOIN teaching t ON t.id = h.teaching_id JOIN group_member gm ON gm.grp_id = t.grp_id"
    " WHERE h.id = $1), who(person, child) AS (SELECT id, id FROM pupils UNION ALL"
    " SELECT g.parent_id, min(g.pupil_id) FROM pupils p CROSS JOIN guardianship g WHERE g.pupil_id = p.id GROUP BY g.parent_id)"
    " INSERT INTO notice_stage (person_id, service, title, url, item, establishment_id, created_at, visible_at, read_at)"
    " SELECT w.person, 'homework', $2, CASE WHEN w.person = w.child THEN '/travail-a-faire' ELSE '/travail-a-faire/eleves/' || w.child END,"
    " 'homework:' || h.id, t.establishment_id, h.published_at, h.visible_from, CASE WHEN h.visible_from < $3 THEN h.visible_from + $4 END"
    " FROM who w, homework h JOIN teaching t ON t.id = h.teaching_id WHERE h.id = $1";

/* Grades: each pupil with a mark from its visible_at, each guardian from
 * its parents_at (R-GRADES). */
static const char *const grades_select =
    "SELECT a.id, sb.name, a.title FROM assessment a JOIN teaching t ON t.id = a.teaching_id"
    " JOIN subject sb ON sb.id = t.subject_id WHERE a.scale > 0 AND a.published_at > $1 AND a.published_at <= $2 ORDER BY a.id";
static const char *const grades_insert =
    "INSERT INTO notice_stage (person_id, service, title, url, item, establishment_id, created_at, visible_at, read_at)"
    " SELECT m.pupil_id, 'grades', $2, '/notes', 'assessment:' || a.id, t.establishment_id, a.published_at, m.visible_at,"
    " CASE WHEN m.visible_at < $3 THEN m.visible_at + $4 END FROM mark m JOIN assessment a ON a.id = m.assessment_id"
    " JOIN teaching t ON t.id = a.teaching_id WHERE a.id = $1 UNION ALL"
    " SELECT g.parent_id, 'grades', $2, '/notes/eleves/' || m.pupil_id, 'assessment:' || a.id || ':parents', t.establishment_id,"
    " a.published_at, m.parents_at, CASE WHEN m.parents_at < $3 THEN m.parents_at + $4 END FROM mark m"
    " JOIN assessment a ON a.id = m.assessment_id JOIN teaching t ON t.id = a.teaching_id JOIN guardianship g ON g.pupil_id = m.pupil_id"
    " WHERE a.id = $1";

int demo_notices(struct store *s, int64_t now)
{
    int64_t from = now - NOTICES_DAYS * 86400, read_before = now - 86400;
    double t0 = clock_elapsed();
    /* Written to an unindexed table first, then moved in person order:
     * the notification indexes then grow in order instead of at random. */
    if (store_run(s, "CREATE TEMP TABLE notice_stage (person_id BIGINT, service TEXT, title TEXT, url TEXT, item TEXT,"
                     " establishment_id BIGINT, created_at BIGINT, visible_at BIGINT, read_at BIGINT)", NULL) < 0)
        return -1;
    if (attendance(s, from, read_before, now) < 0 ||
        fan_out(s, homework_select, "log.notify.homework", homework_insert, now - NOTICES_HOMEWORK_DAYS * 86400, read_before, now) < 0 ||
        fan_out(s, grades_select, "grades.notice_mark", grades_insert, now - NOTICES_GRADES_DAYS * 86400, read_before, now) < 0)
        return -1;
    /* Messages: each participant but the author; answers say so. */
    if (store_run(s,
        "INSERT INTO notice_stage (person_id, service, title, url, item, establishment_id, created_at, visible_at, read_at)"
        " SELECT tp.person_id, 'messages', replace(replace(CASE WHEN m.id = (SELECT min(id) FROM message WHERE thread_id = t.id)"
        " THEN $1 ELSE $2 END, '{1}', p.first_name || ' ' || p.last_name), '{2}', t.subject), '/messagerie/fils/' || t.id,"
        " 'message:' || m.id, t.establishment_id, m.created_at, m.visible_at,"
        " CASE WHEN m.visible_at < $4 THEN m.visible_at + $5 END"
        " FROM message m JOIN thread t ON t.id = m.thread_id JOIN person p ON p.id = m.author_id"
        " JOIN thread_participant tp ON tp.thread_id = t.id AND tp.person_id <> m.author_id"
        " WHERE m.state = 'sent' AND m.created_at > $3 AND m.created_at <= $6",
        "ttiiii", i18n_text("fr", "notify.message_new"), i18n_text("fr", "notify.message_answer"), from, read_before,
        (int64_t)NOTICES_READ_AFTER, now) < 0)
        return -1;
    /* What families could already see is history: no e-mail for it. What
     * is still held goes by e-mail when it is released, as it would. */
    int rc = store_run(s, "INSERT INTO notification (person_id, service, title, url, item, establishment_id, created_at, visible_at,"
                          " read_at, mail_done) SELECT person_id, service, title, url, item, establishment_id, created_at, visible_at,"
                          " read_at, CASE WHEN visible_at <= $1 THEN 1 ELSE 0 END FROM notice_stage ORDER BY person_id, visible_at", "i", now) < 0 ||
             store_run(s, "DROP TABLE notice_stage", NULL) < 0 ? -1 : 0;
    log_info("demo_notices", "notifications in %.1f s", clock_elapsed() - t0);
    return rc;
}
