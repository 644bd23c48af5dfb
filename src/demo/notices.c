/* notices.c — the demo's notifications (S-NOTIFY): what the last two weeks
 * of the demo school would have told each person, derived from the items
 * the demo wrote, each from the moment its audience could see it (R-DISCO,
 * R-GRADES). Those seen before the last day are read. Plain SQL over what
 * exists, so it stays fast at a département's scale. */
#include "notices.h"
#include "../core/arena.h"
#include "../core/i18n.h"
#include "../core/page.h"
#include "../store/store.h"
#include <stdbool.h>
#include <string.h>

#define NOTICES_DAYS 14          /* how far back the centre is filled */
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
        const char *when = arena_printf(&a, "%s %s", page_day(&a, "fr", stmt_text(st, 3)), stmt_text(st, 4));
        bool late = !strcmp(stmt_text(st, 5), "late");
        v = arena_grow(&a, v, n, &cap, sizeof *v);
        v[n++] = (struct row){stmt_int(st, 0), stmt_int(st, 1), stmt_int(st, 8), stmt_int(st, 9),
            late ? i18n_fmt(&a, "fr", "notify.late", stmt_text(st, 2), arena_printf(&a, "%lld min, %s, %s", (long long)stmt_int(st, 6), when,
                                                                                      stmt_text(st, 7)))
                 : i18n_fmt(&a, "fr", "notify.absence", stmt_text(st, 2), arena_printf(&a, "%s, %s", when, stmt_text(st, 7)))};
    }
    int rc = st ? 0 : -1;
    stmt_done(st);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = store_run(s, "INSERT INTO notification (person_id, service, title, url, item, establishment_id, created_at, visible_at, read_at)"
                          " SELECT parent_id, 'attendance', $2, '/absences/eleves/' || $1, $3, $4, $5, $5, CASE WHEN $5 < $6 THEN $5 + $7 END"
                          " FROM guardianship WHERE pupil_id = $1 AND legal_responsibility = 1",
                       "ittiiii", v[i].pupil, v[i].title, arena_printf(&a, "attendance:%lld", (long long)v[i].id), v[i].est, v[i].at,
                       read_before, (int64_t)NOTICES_READ_AFTER) < 0 ? -1 : 0;
    arena_free(&a);
    return rc;
}

int demo_notices(struct store *s, int64_t now)
{
    int64_t from = now - NOTICES_DAYS * 86400, read_before = now - 86400;
    if (attendance(s, from, read_before, now) < 0) return -1;
    /* Messages: each participant but the author; answers say so. */
    return store_run(s,
        "INSERT INTO notification (person_id, service, title, url, item, establishment_id, created_at, visible_at, read_at)"
        " SELECT tp.person_id, 'messages', replace(replace(CASE WHEN m.id = (SELECT min(id) FROM message WHERE thread_id = t.id)"
        " THEN $1 ELSE $2 END, '{1}', p.first_name || ' ' || p.last_name), '{2}', t.subject), '/messagerie/fils/' || t.id,"
        " 'message:' || m.id, t.establishment_id, m.created_at, m.visible_at,"
        " CASE WHEN m.visible_at < $4 THEN m.visible_at + $5 END"
        " FROM message m JOIN thread t ON t.id = m.thread_id JOIN person p ON p.id = m.author_id"
        " JOIN thread_participant tp ON tp.thread_id = t.id AND tp.person_id <> m.author_id"
        " WHERE m.state = 'sent' AND m.created_at > $3 AND m.created_at <= $6",
        "ttiiii", i18n_text("fr", "notify.message_new"), i18n_text("fr", "notify.message_answer"), from, read_before,
        (int64_t)NOTICES_READ_AFTER, now);
}
