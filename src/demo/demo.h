/* demo.h — the demo territory: a realistic, deterministic set of
 * establishments, classes, staff, pupils and families for `make demo`,
 * the tests and the benchmarks. */
#ifndef CARNET_DEMO_H
#define CARNET_DEMO_H

struct store;

/* What demo_generate created, for the command to print. */
struct demo_summary {
    long establishments, classes, pupils, parents, teachers, accounts;
    long threads, messages;  /* messaging, the hand-written conversations of the demo family aside */
    char sample_login[64]; /* a pending parent account of the small demo… */
    char sample_code[15];  /* …and its one-time activation code */
};

/* Fill an empty, migrated database with a realistic demo territory.
 * scale 1 = small demo (one école, one collège); scale N > 1 = a
 * département of N sectors (one collège and three écoles each).
 * Deterministic for a given scale (own seeded PRNG; only the activation
 * codes and the password salt are random). One transaction: all or
 * nothing. Returns 0, or -1 (logged). */
int demo_generate(struct store *s, int scale, struct demo_summary *out);

#endif
