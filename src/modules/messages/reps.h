/* reps.h — parent representatives (R-REPS): the head designates the elected
 * parent representatives of an establishment for the current school year;
 * each parent gives or withdraws, at any time, consent to receive their
 * messages (no answer: not consented); a representative writes to the
 * consenting parents of the establishment, of a level or of a class, one
 * private thread per parent, and only ever sees how many will receive it.
 * Who may do each of these is the policy module's decision
 * (ACT_REP_DESIGNATE, ACT_REP_BROADCAST, ACT_REP_CONSENT). */
#ifndef CARNET_MODULE_REPS_H
#define CARNET_MODULE_REPS_H
#include "../../core/router.h"

#define REP_BROADCASTS_PER_DAY 3      /* broadcasts per representative in 24 hours (429 beyond) */
#define REP_MAX_RECIPIENTS 5000       /* parents reached by one broadcast (a large lycée fits) */
#define REP_SEARCH_MIN_CHARS 2        /* the head's search of parents by name */
#define REP_SEARCH_MAX 20             /* parents listed per search */
#define REP_SCOPE_CHARS 32            /* "establishment", "level:<id>", "class:<id>" */

/* The parent's part of the home page: for each establishment of their
 * children where they have not answered yet, the question "receive the
 * representatives' messages?" with Yes / No buttons; for a current
 * representative, a card with the link to write to the parents. Prints
 * nothing for anyone else. Allocates in the request's arena. */
void reps_consent_card(struct req *r);

/* The section of the account page ("Mon compte"): per establishment of the
 * parent's children, the current answer and its date, and a button to
 * change it. Nothing for a person who is not a parent. */
void reps_consent_settings(struct req *r);

/* A link button (an inline <a>, preceded by a space) to write to the
 * parents as a representative, when the actor is a current representative
 * somewhere; nothing otherwise. */
void reps_compose_link(struct req *r);

extern const struct route reps_routes[];

#endif
