/* identity.c — one human across sources (R-ID): before an import makes a
 * person for a key its source has never given, it looks for that human
 * among the people no record of this source names yet.
 *
 * Sure (the key is linked to that person, no new account):
 *   - a pupil's INE already known;
 *   - the same folded last and first names and, besides, the same birth
 *     date, or the same e-mail, or the same mobile number, or the same
 *     address.
 * Doubtful (a new person is made and the pair waits in identity_review for
 * the territory admin to merge or keep apart): the same names and nothing
 * else in common, or several sure candidates.
 * Never the same human: two different birth dates, or two different INE. */
#include "apply_impl.h"
#include "nomenclature.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

void identity_fold(const char *last, const char *first, char *out, size_t cap)
{
    size_t n = 0;
    for (int part = 0; part < 2; part++) {
        const unsigned char *p = (const unsigned char *)(part ? first : last);
        if (part && n + 1 < cap) out[n++] = '|';
        bool space = true;
        while (p && *p && n + 2 < cap) {
            char c;
            bool other = *p >= 0x80 && *p != 0xC3 && *p != 0xC5;
            p += nomenclature_ascii(p, &c);
            if (other) continue; /* another multi-byte letter: its bytes are dropped */
            if (c && isalnum((unsigned char)c)) {
                out[n++] = c;
                space = false;
            } else if (!space) {
                out[n++] = ' ';
                space = true;
            }
        }
        while (n && out[n - 1] == ' ') n--;
    }
    out[n] = 0;
}

/* Digits of a phone number, the French +33 / 0033 prefix as 0. */
static void digits(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; s && *s && n + 1 < cap; s++)
        if (isdigit((unsigned char)*s)) out[n++] = *s;
    out[n] = 0;
    if (!strncmp(out, "0033", 4)) memmove(out + 1, out + 4, strlen(out + 4) + 1), out[0] = '0';
    else if (!strncmp(out, "33", 2) && strlen(out) == 11) memmove(out + 1, out + 2, 10), out[0] = '0';
}

static bool same_text(const char *a, const char *b)
{
    return a && b && *a && *b && !strcasecmp(a, b);
}

static bool same_phone(const char *a, const char *b)
{
    char x[32], y[32];
    digits(a, x, sizeof x);
    digits(b, y, sizeof y);
    return strlen(x) >= 9 && !strcmp(x, y);
}

/* Whether person id has a key of the run's source (then it is not another
 * record's human: the source tells its people apart). */
static bool keyed(struct applier *a, int64_t id)
{
    int64_t n = 0;
    return store_int(a->s, &n, "SELECT count(*) FROM import_key WHERE source = $1"
                               " AND kind = 'person' AND object_id = $2", "ti", a->o.source,
                     id) == 1 && n;
}

int64_t identity_match(struct applier *a, const struct imp_record *r, int64_t *doubt,
                       char *why, size_t whylen)
{
    *doubt = 0;
    if (!a->unkeyed) return 0;
    struct keymap_entry *x = r->kind == IMP_PUPIL && r->ine ? keymap_get(&a->ine, r->ine) : NULL;
    if (x && x->id && !keyed(a, x->id)) {
        snprintf(why, whylen, "même INE");
        return x->id;
    }
    char key[160];
    identity_fold(r->name, r->first_name, key, sizeof key);
    struct stmt *st = store_q(a->s,
                              "SELECT p.id, p.birth_date, p.school_email, p.email, p.school_phone,"
                              " p.phone, h.address, h.postcode, p.ine FROM person p"
                              " LEFT JOIN household h ON h.id = p.household_id"
                              " WHERE p.match_key = $1 AND NOT EXISTS (SELECT 1 FROM import_key k"
                              " WHERE k.source = $2 AND k.kind = 'person' AND k.object_id = p.id)"
                              " ORDER BY p.id LIMIT 10", "tt", key, a->o.source);
    int64_t sure = 0;
    int nsure = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        const char *birth = stmt_text(st, 1), *ine = stmt_text(st, 8);
        if (birth && r->birth_date && strcmp(birth, r->birth_date)) continue;
        if (ine && r->ine && strcmp(ine, r->ine)) continue;
        const char *reason = birth && r->birth_date ? "mêmes nom, prénom et date de naissance"
            : same_text(r->email, stmt_text(st, 2)) || same_text(r->email, stmt_text(st, 3))
                ? "mêmes nom, prénom et courriel"
            : same_phone(r->phone, stmt_text(st, 4)) || same_phone(r->phone, stmt_text(st, 5))
                ? "mêmes nom, prénom et téléphone"
            : r->address && same_text(r->address, stmt_text(st, 6))
                      && same_text(r->postcode, stmt_text(st, 7))
                ? "mêmes nom, prénom et adresse" : NULL;
        if (reason && !nsure++) {
            sure = stmt_int(st, 0);
            snprintf(why, whylen, "%s", reason);
        } else if (!reason && !*doubt) {
            *doubt = stmt_int(st, 0);
        }
    }
    stmt_done(st);
    if (nsure == 1) {
        *doubt = 0;
        return sure;
    }
    if (nsure > 1) {
        *doubt = sure;
        snprintf(why, whylen, "plusieurs personnes portent ces nom et prénom");
    } else if (*doubt) {
        snprintf(why, whylen, "mêmes nom et prénom, rien d'autre en commun");
    }
    return 0;
}

int identity_queue(struct applier *a, const struct imp_record *r, int64_t person,
                   int64_t candidate, const char *why)
{
    apply_warn(a, 'W', "peut-être la même personne que la fiche %lld (%s) : à examiner",
               (long long)candidate, why);
    return APPLY_RUN(a, "INSERT INTO identity_review (source, ext_key, person_id, candidate_id,"
                        " reason, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
                        " ON CONFLICT DO NOTHING",
                     "ttiiti", a->o.source, r->key, person, candidate, why, a->now);
}

int identity_load(struct applier *a)
{
    int64_t n = 0;
    if (store_int(a->s, &n, "SELECT count(*) FROM person p WHERE NOT EXISTS (SELECT 1"
                            " FROM import_key k WHERE k.source = $1 AND k.kind = 'person'"
                            " AND k.object_id = p.id)", "t", a->o.source) < 0)
        return -1;
    a->unkeyed = n > 0;
    /* People made before matching existed (the demo's): their folded names. */
    struct stmt *st = store_q(a->s, "SELECT id, last_name, first_name FROM person"
                                    " WHERE match_key IS NULL", "");
    struct fold { int64_t id; char key[160]; } *v = NULL;
    size_t nv = 0, cap = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&a->rec, v, nv, &cap, sizeof *v);
        v[nv].id = stmt_int(st, 0);
        identity_fold(stmt_text(st, 1), stmt_text(st, 2), v[nv].key, sizeof v[nv].key);
        nv++;
    }
    stmt_done(st);
    if (!st) return -1;
    for (size_t i = 0; i < nv; i++)
        if (store_run_later(a->s, "UPDATE person SET match_key = $2 WHERE id = $1", "it",
                            v[i].id, v[i].key) < 0)
            return -1;
    return 0;
}
