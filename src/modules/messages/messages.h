/* messages.h — messagerie (S-MESSAGES): threads between people of an
 * establishment, each participant's folder and read state, replies, unread
 * counts; who may start a thread with whom is the communication policy of
 * the policy module (policy_message_establishment). */
#ifndef CARNET_MODULE_MESSAGES_H
#define CARNET_MODULE_MESSAGES_H
#include "../../core/router.h"
#include <stdint.h>

struct store;

#define MESSAGE_BODY_CHARS 10000
#define MESSAGE_SUBJECT_CHARS 150
#define MESSAGE_MAX_RECIPIENTS 50   /* per message picked by person */
#define MESSAGE_MAX_LIST_RECIPIENTS 400  /* a message to lists (the parents of a class…), staff only */

/* R-SEC sending limits (stolen accounts sent bomb threats at scale): for
 * pupils and parents, and for staff; exceeding them stops the account with a
 * clear message, and a pupil's or parent's attempt alerts school life. */
#define MESSAGE_FAMILY_RECIPIENTS 15       /* recipients of one message */
#define MESSAGE_FAMILY_PER_HOUR 20         /* messages (new or answers) per hour */
#define MESSAGE_FAMILY_THREADS_PER_DAY 20  /* new threads per day */
#define MESSAGE_STAFF_PER_HOUR 200
#define MESSAGE_STAFF_THREADS_PER_DAY 300

/* Threads of person with a message they have not read (inbox only). */
int64_t messages_unread(struct store *s, int64_t person);

/* School life's view of the accounts a sending limit stopped in the last
 * week (a section of its day page; nothing when there is none). */
void messages_alerts_part(struct req *r, int64_t establishment);

extern const struct route messages_routes[];

#endif
