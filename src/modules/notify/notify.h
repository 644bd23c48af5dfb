/* notify.h — notifications (S-NOTIFY): the notification centre, per-person
 * preferences and personal quiet times, e-mail through SMTP with digests,
 * and the job that sends what the diffusion policy released.
 *
 * Every module that publishes something for people calls notify_add() in
 * the same transaction as the publication, with the moment the diffusion
 * policy gives (diffusion.h): the notification is data, shown and sent
 * from then on, once. */
#ifndef CARNET_NOTIFY_H
#define CARNET_NOTIFY_H
#include <stddef.h>
#include <stdint.h>

struct store;

/* What one publication tells its audience. */
struct notice {
    const char *service;     /* "messages", "homework", "log", "grades", "timetable", "attendance", "news" */
    const char *title;       /* one line of plain text ("Nouvelle note en Mathématiques : Contrôle n°3") */
    const char *url;         /* a path in Carnet, where the item is */
    const char *item;        /* what it is about, to find its notifications again: "homework:7",
                                "assessment:3" (pupils), "assessment:3:parents"…; may be NULL */
    int64_t establishment;   /* 0 when none */
    int64_t visible_at;      /* from when (R-DISCO) */
};

/* One notification per person in persons[0..n): inside the caller's
 * transaction. Returns 0, or -1 on a store error. */
int notify_add(struct store *s, const int64_t *persons, size_t n, const struct notice *nt);

/* The same for the legal guardians of pupil (one statement). */
int notify_guardians(struct store *s, int64_t pupil, const struct notice *nt);

#endif
