/* demo.h — the demo territory: a realistic, deterministic set of
 * establishments, classes, staff, pupils and families for `make demo`,
 * the tests and the benchmarks. */
#ifndef CARNET_DEMO_H
#define CARNET_DEMO_H

struct store;

/* The demo school lives in 2025-2026, whose school calendar is shipped in
 * data/: its clock starts on Tuesday 18 November 2025, 08:00 (Paris time).
 * `carnet demo` without --now generates the demo at this instant, and
 * `make demo` serves it from there (the Makefile reads it from here). A
 * machine whose clock is in a school year without its calendar would
 * otherwise get an empty year: no lessons, no class log, no marks. */
#define DEMO_NOW "2025-11-18T08:00"

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
