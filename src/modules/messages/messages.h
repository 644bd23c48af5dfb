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

/* Threads of person with a message they have not read (inbox only). */
int64_t messages_unread(struct store *s, int64_t person);

extern const struct route messages_routes[];

#endif
