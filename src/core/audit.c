/* audit.c — one row per audited act. */
#include "audit.h"
#include "clock.h"
#include "http.h"
#include "../policy/policy.h"
#include "../store/store.h"

void audit(struct store *s, struct req *r, int64_t person_id, const char *action, const char *object,
           const char *detail)
{
    if (!person_id && r && r->actor) person_id = r->actor->person_id;
    store_run(s, "INSERT INTO audit (at, person_id, action, object, detail, address) VALUES ($1, $2, $3, $4, $5, $6)",
              "iitttt", clock_now(), person_id, action, object ? object : "", detail ? detail : "",
              r && r->remote_addr ? r->remote_addr : "");
}
