/* audit.h — the audit trail (R-GDPR, R-SEC): who did what, when, from where. */
#ifndef CARNET_AUDIT_H
#define CARNET_AUDIT_H
#include <stdint.h>
struct req;
struct store;
/* Record an act by the request's actor (or by person_id when not yet signed
 * in, 0 for unknown). Never fails the request: errors are logged. */
void audit(struct store *s, struct req *r, int64_t person_id, const char *action, const char *object,
           const char *detail);
#endif
