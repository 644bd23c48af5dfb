/* notices.c — the demo's notifications (S-NOTIFY): what the last two weeks
 * of the demo school would have told each person, derived from the items
 * the demo wrote, each from the moment its audience could see it (R-DISCO,
 * R-GRADES). Those seen before the last day are read. Plain SQL over what
 * exists, so it stays fast at a département's scale. */
#include "notices.h"
#include "../core/i18n.h"
#include "../store/store.h"

#define NOTICES_DAYS 14          /* how far back the centre is filled */
#define NOTICES_READ_AFTER 3600  /* a notification older than a day was read an hour after it came */

int demo_notices(struct store *s, int64_t now)
{
    int64_t from = now - NOTICES_DAYS * 86400, read_before = now - 86400;
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
