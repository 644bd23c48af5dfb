/* apply_person.c — people of an import: the person and their account,
 * their roles (dated), a pupil's class, groups and relatives, a staff
 * member's functions, teachings and principal classes; and, at the end of
 * a complete export, the roles of those it no longer lists are ended. */
#include "apply_impl.h"
#include "nomenclature.h"
#include "../core/clock.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOGIN_MAX 64

static const unsigned seen_flag[IMP_KIND_COUNT] = {
    [IMP_PUPIL] = SEEN_PUPIL, [IMP_RELATIVE] = SEEN_RELATIVE, [IMP_STAFF] = SEEN_STAFF};

/* ---- logins and accounts ---------------------------------------------- */

/* Lower-case ASCII of a name for a login: accents dropped, letters and
 * digits kept, anything else a hyphen (not doubled, not at the ends). */
static void login_part(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && n + 1 < cap;) {
        char c;
        p += nomenclature_ascii(p, &c);
        c = isalnum((unsigned char)c) ? (char)tolower((unsigned char)c) : 0;
        if (c) out[n++] = c;
        else if (n && out[n - 1] != '-') out[n++] = '-';
    }
    while (n && out[n - 1] == '-') n--;
    out[n] = 0;
}

/* A free login "first.last", "first.last2"… into out. */
static void login_make(struct applier *a, const char *first, const char *last, char *out)
{
    char f[24], l[32];
    login_part(first, f, sizeof f);
    login_part(last, l, sizeof l);
    snprintf(out, LOGIN_MAX, "%s%s%s", f, f[0] && l[0] ? "." : "", l[0] || f[0] ? l : "compte");
    size_t len = strlen(out);
    for (int n = 2; keymap_get(&a->logins, out); n++) snprintf(out + len, 12, "%d", n);
    keymap_put(&a->logins, out);
}

/* ---- households --------------------------------------------------------- */

/* The key of an address: upper case, runs of blanks as one space. */
static const char *address_key(struct applier *a, const char *address, const char *postcode,
                               const char *city)
{
    char *k = arena_printf(&a->rec, "%s\n%s\n%s", address ? address : "", postcode ? postcode : "",
                           city ? city : "");
    char *w = k;
    for (char *c = k; *c; c++) {
        if ((*c == ' ' || *c == '\t') && (w == k || w[-1] == ' ' || w[-1] == '\n')) continue;
        *w++ = (char)toupper((unsigned char)*c);
    }
    *w = 0;
    return k;
}

/* The household at r's address (people at one address share it); 0 when
 * r has no address. -1 on error. */
static int64_t household(struct applier *a, const struct imp_record *r)
{
    if (!r->address && !r->postcode && !r->city) return 0;
    const char *k = address_key(a, r->address, r->postcode, r->city);
    struct keymap_entry *x = keymap_get(&a->household, k);
    if (x) return x->id;
    int64_t id = 0;
    if (APPLY_INSERT(a, &id, "INSERT INTO household (address, postcode, city) VALUES ($1, $2, $3)"
                             " RETURNING id", "ttt", r->address ? r->address : "",
                     r->postcode ? r->postcode : "", r->city ? r->city : "") != 1)
        return -1;
    keymap_put(&a->household, k)->id = id;
    return id;
}

/* ---- the person row --------------------------------------------------- */

static const char *title_of(const struct imp_record *r)
{
    return r->civility;
}

static int64_t person_create(struct applier *a, const struct imp_record *r)
{
    int64_t id = 0, account = 0;
    const char *ine = r->kind == IMP_PUPIL ? r->ine : NULL;
    if (ine && keymap_get(&a->ine, ine)) {
        apply_warn(a, 'W', "INE %s déjà porté par un autre élève : non repris", ine);
        ine = NULL;
    }
    int64_t home = r->kind == IMP_STAFF ? 0 : household(a, r);
    char key[160];
    identity_fold(r->name, r->first_name, key, sizeof key);
    if (home < 0
        || APPLY_INSERT(a, &id,
                        "INSERT INTO person (last_name, first_name, birth_date, email, phone,"
                        " school_email, school_phone, ine, civility, household_id, match_key,"
                        " created_at) VALUES ($1, $2, $3, $4, $5, $4, $5, $6, $7, $8, $9, $10)"
                        " RETURNING id",
                        "tttttttNti", r->name, r->first_name ? r->first_name : "", r->birth_date,
                        r->email, r->phone, ine, title_of(r), home, key, a->now) != 1)
        return 0;
    if (ine) keymap_put(&a->ine, ine)->id = id;
    char login[LOGIN_MAX];
    login_make(a, r->first_name, r->name, login);
    if (APPLY_INSERT(a, &account,
                     "INSERT INTO account (person_id, login, state, created_at)"
                     " VALUES ($1, $2, 'pending', $3) RETURNING id",
                     "iti", id, login, a->now) != 1)
        return 0;
    report_count(a->rep, NULL, REP_ACCOUNT, REP_CREATED);
    return id;
}

/* Update the person's fields that r carries and that differ. The person's
 * own e-mail and mobile are replaced only while they are still the
 * school's copy (never typed by the person). *changed when anything did. */
static int person_update(struct applier *a, int64_t id, const struct imp_record *r,
                         bool *changed)
{
    struct stmt *st = store_q(a->s,
                              "SELECT p.last_name, p.first_name, p.birth_date, p.school_email,"
                              " p.school_phone, p.ine, p.civility, h.address, h.postcode, h.city"
                              " FROM person p LEFT JOIN household h ON h.id = p.household_id"
                              " WHERE p.id = $1",
                              "i", id);
    if (!st) return -1;
    unsigned p = r->present, mask = 0;
    if (stmt_step(st) == STORE_ROW) {
#define DIFF(bit, val, col) ((p & (bit)) && strcmp((val) ? (val) : "", stmt_text(st, col) ? stmt_text(st, col) : ""))
        if (DIFF(IMP_F_NAME, r->name, 0) || DIFF(IMP_F_NAME, r->first_name, 1)
            || DIFF(IMP_F_NAME, r->civility, 6))
            mask |= IMP_F_NAME;
        if (DIFF(IMP_F_BIRTH, r->birth_date, 2)) mask |= IMP_F_BIRTH;
        if (r->kind != IMP_PUPIL && DIFF(IMP_F_EMAIL, r->email, 3)) mask |= IMP_F_EMAIL;
        if (r->kind == IMP_RELATIVE && DIFF(IMP_F_PHONE, r->phone, 4)) mask |= IMP_F_PHONE;
        if (r->kind == IMP_PUPIL && r->ine && DIFF(IMP_F_INE, r->ine, 5)) mask |= IMP_F_INE;
        if (r->kind != IMP_STAFF && (DIFF(IMP_F_ADDRESS, r->address, 7)
                                     || DIFF(IMP_F_ADDRESS, r->postcode, 8)
                                     || DIFF(IMP_F_ADDRESS, r->city, 9)))
            mask |= IMP_F_ADDRESS;
#undef DIFF
    }
    stmt_done(st);
    *changed = mask != 0;
    char key[160];
    identity_fold(r->name, r->first_name, key, sizeof key);
    if ((mask & IMP_F_NAME) && r->name
        && APPLY_RUN(a, "UPDATE person SET last_name = $2, first_name = $3, civility = $4,"
                        " match_key = $5 WHERE id = $1",
                     "itttt", id, r->name, r->first_name ? r->first_name : "", r->civility,
                     key) < 0)
        return -1;
    if (mask & IMP_F_ADDRESS) {
        int64_t home = household(a, r);
        if (home < 0 || APPLY_RUN(a, "UPDATE person SET household_id = $2 WHERE id = $1", "iN",
                                  id, home) < 0)
            return -1;
    }
    if ((mask & IMP_F_BIRTH)
        && APPLY_RUN(a, "UPDATE person SET birth_date = $2 WHERE id = $1", "it", id,
                     r->birth_date) < 0)
        return -1;
    if ((mask & IMP_F_EMAIL)
        && APPLY_RUN(a, "UPDATE person SET email = CASE WHEN email IS NULL"
                        " OR email = school_email THEN $2 ELSE email END, school_email = $2"
                        " WHERE id = $1", "it", id, r->email) < 0)
        return -1;
    if ((mask & IMP_F_PHONE)
        && APPLY_RUN(a, "UPDATE person SET phone = CASE WHEN phone IS NULL"
                        " OR phone = school_phone THEN $2 ELSE phone END, school_phone = $2"
                        " WHERE id = $1", "it", id, r->phone) < 0)
        return -1;
    if (mask & IMP_F_INE) {
        struct keymap_entry *x = keymap_get(&a->ine, r->ine);
        if (x && x->id != id) {
            apply_warn(a, 'W', "INE %s déjà porté par un autre élève : non repris", r->ine);
        } else if (APPLY_RUN(a, "UPDATE person SET ine = $2 WHERE id = $1", "it", id, r->ine) < 0) {
            return -1;
        } else {
            keymap_put(&a->ine, r->ine)->id = id;
        }
    }
    return 0;
}

/* ---- roles ------------------------------------------------------------ */

struct want_role {
    const char *profile;
    struct est_info *e;
    const char *title, *function;
    bool kept;
};

struct have_role {
    int64_t id, est;
    char profile[12], function[48];
};

/* The person's open roles that this source made. */
static size_t roles_of(struct applier *a, int64_t person, struct have_role **out)
{
    struct have_role *v = NULL;
    size_t n = 0, cap = 0;
    struct stmt *st = store_q(a->s,
                              "SELECT id, profile, coalesce(establishment_id, 0),"
                              " coalesce(function_code, '') FROM role WHERE person_id = $1"
                              " AND source = $2 AND (ends_on IS NULL OR ends_on >= $3)",
                              "itt", person, a->o.source, a->today);
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&a->rec, v, n, &cap, sizeof *v);
        v[n] = (struct have_role){.id = stmt_int(st, 0), .est = stmt_int(st, 2)};
        snprintf(v[n].profile, sizeof v[n].profile, "%s", stmt_text(st, 1));
        snprintf(v[n].function, sizeof v[n].function, "%s", stmt_text(st, 3));
        n++;
    }
    stmt_done(st);
    *out = v;
    return n;
}

/* Make the person's roles of this source be want[] — a role is one
 * profile in one establishment: new ones from today, those no longer
 * wanted ended yesterday (their history stays), a changed title or
 * function updated in place. With add_only, nothing is ended (a delta that
 * does not name the functions). */
static int roles_set(struct applier *a, int64_t person, bool fresh, struct want_role *want,
                     size_t nwant, bool add_only)
{
    struct have_role *have = NULL;
    size_t nhave = fresh ? 0 : roles_of(a, person, &have);
    for (size_t h = 0; h < nhave; h++) {
        struct want_role *w = NULL;
        for (size_t i = 0; i < nwant && !w; i++)
            if (!want[i].kept && want[i].e->id == have[h].est
                && !strcmp(want[i].profile, have[h].profile))
                w = &want[i];
        if (w) {
            w->kept = true;
            if (add_only || !w->function || !strcmp(w->function, have[h].function)) continue;
            report_count(a->rep, w->e->uai, REP_FUNCTION, REP_CHANGED);
            if (APPLY_RUN(a, "UPDATE role SET function_code = $2, title = $3 WHERE id = $1",
                          "itt", have[h].id, w->function, w->title) < 0)
                return -1;
            continue;
        }
        if (add_only) continue;
        struct est_info *e = apply_est_by_id(a, have[h].est);
        report_count(a->rep, e ? e->uai : NULL, REP_FUNCTION, REP_CLOSED);
        if (APPLY_RUN(a, "UPDATE role SET ends_on = $2 WHERE id = $1", "it", have[h].id,
                      a->yesterday) < 0)
            return -1;
    }
    for (size_t w = 0; w < nwant; w++) {
        if (want[w].kept) continue;
        report_count(a->rep, want[w].e->uai, REP_FUNCTION, REP_CREATED);
        if (APPLY_RUN(a,
                      "INSERT INTO role (person_id, profile, establishment_id, title, starts_on,"
                      " source, function_code) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                      "itittt" "t", person, want[w].profile, want[w].e->id, want[w].title,
                      a->today, a->o.source, want[w].function) < 0)
            return -1;
    }
    return 0;
}

/* ---- pupils ------------------------------------------------------------ */

/* The pupil's establishment: that of their first class, else attachment. */
static struct est_info *pupil_est(struct applier *a, const struct imp_record *r)
{
    for (size_t i = 0; i < r->classes.n; i++) {
        struct est_info *e = apply_est(a, r->classes.v[i].a);
        if (e) return e;
    }
    return apply_est(a, r->attach);
}

static int enrol(struct applier *a, int64_t pupil, bool fresh, struct est_info *e,
                 int64_t klass, const char *mef)
{
    bool have = false;
    if (!fresh) {
        struct stmt *st = store_q(a->s,
                                  "SELECT en.id, en.class_id, en.ends_on, en.source"
                                  " FROM enrolment en JOIN class c ON c.id = en.class_id"
                                  " WHERE en.pupil_id = $1 AND c.school_year_id IN"
                                  " (SELECT id FROM school_year WHERE label = $2)",
                                  "it", pupil, a->year_label);
        struct { int64_t id, klass; bool open, ours; } *v = NULL;
        size_t n = 0, cap = 0;
        while (st && stmt_step(st) == STORE_ROW) {
            v = arena_grow(&a->rec, v, n, &cap, sizeof *v);
            const char *ends = stmt_text(st, 2), *src = stmt_text(st, 3);
            v[n].id = stmt_int(st, 0);
            v[n].klass = stmt_int(st, 1);
            v[n].open = !ends || strcmp(ends, a->today) >= 0;
            v[n].ours = src && !strcmp(src, a->o.source);
            n++;
        }
        stmt_done(st);
        if (!st) return -1;
        for (size_t i = 0; i < n; i++) {
            if (v[i].klass == klass) {
                have = true;
                if (!v[i].open
                    && APPLY_RUN(a, "UPDATE enrolment SET ends_on = NULL WHERE id = $1", "i",
                                 v[i].id) < 0)
                    return -1;
                if (!v[i].open) report_count(a->rep, e->uai, REP_ENROLMENT, REP_CHANGED);
            } else if (v[i].open && v[i].ours) {
                report_count(a->rep, e->uai, REP_ENROLMENT, REP_CLOSED);
                if (APPLY_RUN(a, "UPDATE enrolment SET ends_on = $2 WHERE id = $1", "it",
                              v[i].id, a->yesterday) < 0)
                    return -1;
            }
        }
    }
    if (have || !klass) return 0;
    report_count(a->rep, e->uai, REP_ENROLMENT, REP_CREATED);
    return APPLY_RUN(a,
                     "INSERT INTO enrolment (pupil_id, class_id, starts_on, source, mef_code)"
                     " VALUES ($1, $2, $3, $4, $5)",
                     "iittt", pupil, klass, a->today, a->o.source, mef);
}

static int pupil_groups(struct applier *a, int64_t pupil, bool fresh, const struct imp_record *r)
{
    int64_t want[64];
    size_t nwant = 0;
    for (size_t i = 0; i < r->groups.n && nwant < 64; i++) {
        struct est_info *e = apply_est(a, r->groups.v[i].a);
        if (!e) continue;
        int64_t g = apply_group(a, e, r->groups.v[i].b);
        if (!g) return -1;
        want[nwant++] = g;
    }
    if (!fresh) {
        struct stmt *st = store_q(a->s,
                                  "SELECT gm.grp_id FROM group_member gm JOIN grp g"
                                  " ON g.id = gm.grp_id JOIN school_year y"
                                  " ON y.id = g.school_year_id WHERE gm.pupil_id = $1"
                                  " AND y.label = $2 AND g.code IS NOT NULL",
                                  "it", pupil, a->year_label);
        int64_t have[64];
        size_t nhave = 0;
        while (st && stmt_step(st) == STORE_ROW && nhave < 64) have[nhave++] = stmt_int(st, 0);
        stmt_done(st);
        if (!st) return -1;
        for (size_t h = 0; h < nhave; h++) {
            bool keep = false;
            for (size_t w = 0; w < nwant; w++)
                if (want[w] == have[h]) {
                    keep = true;
                    want[w] = 0;
                }
            if (!keep && APPLY_RUN(a, "DELETE FROM group_member WHERE grp_id = $1 AND"
                                      " pupil_id = $2", "ii", have[h], pupil) < 0)
                return -1;
        }
    }
    for (size_t w = 0; w < nwant; w++)
        if (want[w] && APPLY_RUN(a, "INSERT INTO group_member (grp_id, pupil_id) VALUES ($1, $2)"
                                    " ON CONFLICT DO NOTHING", "ii", want[w], pupil) < 0)
            return -1;
    return 0;
}

/* An open parent role of this source for person in e, made if missing. */
static int parent_role(struct applier *a, int64_t person, struct est_info *e)
{
    char k[64];
    snprintf(k, sizeof k, "parent\t%lld\t%lld", (long long)person, (long long)e->id);
    if (keymap_get(&a->key_row, k)) return 0;
    keymap_put(&a->key_row, k);
    int64_t n = 0;
    if (store_int(a->s, &n,
                  "SELECT count(*) FROM role WHERE person_id = $1 AND profile = 'parent'"
                  " AND establishment_id = $2 AND (ends_on IS NULL OR ends_on >= $3)",
                  "iit", person, e->id, a->today) < 0)
        return -1;
    if (n) return 0;
    report_count(a->rep, e->uai, REP_FUNCTION, REP_CREATED);
    return APPLY_RUN(a,
                     "INSERT INTO role (person_id, profile, establishment_id, starts_on, source)"
                     " VALUES ($1, 'parent', $2, $3, $4)",
                     "iitt", person, e->id, a->today, a->o.source);
}

/* The establishment where pupil is enrolled today (any source), or NULL. */
static struct est_info *child_est(struct applier *a, int64_t pupil)
{
    int64_t est = 0;
    if (store_int(a->s, &est,
                  "SELECT establishment_id FROM role WHERE person_id = $1 AND profile = 'pupil'"
                  " AND starts_on <= $2 AND (ends_on IS NULL OR ends_on >= $2)"
                  " ORDER BY id DESC LIMIT 1", "it", pupil, a->today) != 1)
        return NULL;
    return apply_est_by_id(a, est);
}

/* Make the guardianships of this source on one side be exactly links[]:
 * self is the pupil (its links name relatives) or, when !self_pupil, the
 * relative (its children name pupils). e: the pupil's establishment, when
 * self is the pupil. A legal guardian gets a parent role where the child
 * is enrolled. */
static int links_set(struct applier *a, int64_t self, bool self_pupil, bool fresh,
                     const struct imp_link *links, size_t n, struct est_info *e)
{
    struct have { int64_t id, other; char relation[12]; int legal, pays, mail; bool kept; };
    struct have *have = NULL;
    size_t nhave = 0, cap = 0;
    if (!fresh) {
        struct stmt *st = self_pupil
            ? store_q(a->s, "SELECT id, parent_id, relation, legal_responsibility, pays,"
                            " receives_mail FROM guardianship WHERE pupil_id = $1"
                            " AND source = $2", "it", self, a->o.source)
            : store_q(a->s, "SELECT id, pupil_id, relation, legal_responsibility, pays,"
                            " receives_mail FROM guardianship WHERE parent_id = $1"
                            " AND source = $2", "it", self, a->o.source);
        while (st && stmt_step(st) == STORE_ROW) {
            have = arena_grow(&a->rec, have, nhave, &cap, sizeof *have);
            have[nhave] = (struct have){stmt_int(st, 0), stmt_int(st, 1), "", (int)stmt_int(st, 3),
                                        (int)stmt_int(st, 4), (int)stmt_int(st, 5), false};
            snprintf(have[nhave].relation, sizeof have[nhave].relation, "%s", stmt_text(st, 2));
            nhave++;
        }
        stmt_done(st);
        if (!st) return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const struct imp_link *l = &links[i];
        const char *key = self_pupil ? l->relative : l->pupil;
        struct keymap_entry *x = key ? keymap_get(&a->person, key) : NULL;
        if (!x || !x->id) {
            apply_warn(a, 'W', "%s %s absent de l'export : lien non créé",
                       self_pupil ? "responsable" : "élève", key ? key : "?");
            continue;
        }
        int64_t parent = self_pupil ? x->id : self, pupil = self_pupil ? self : x->id;
        struct est_info *where = self_pupil ? e : child_est(a, pupil);
        const char *uai = where ? where->uai : NULL;
        struct have *h = NULL;
        for (size_t j = 0; j < nhave && !h; j++)
            if (have[j].other == x->id) h = &have[j];
        if (h) {
            h->kept = true;
            if (!strcmp(h->relation, l->relation) && h->legal == l->legal
                && h->pays == l->financial && h->mail == l->contact) {
                report_count(a->rep, uai, REP_GUARDIANSHIP, REP_UNCHANGED);
            } else {
                report_count(a->rep, uai, REP_GUARDIANSHIP, REP_CHANGED);
                if (APPLY_RUN(a, "UPDATE guardianship SET relation = $2,"
                                 " legal_responsibility = $3, pays = $4, receives_mail = $5,"
                                 " contact = $5 WHERE id = $1",
                              "itiii", h->id, l->relation, (int64_t)l->legal,
                              (int64_t)l->financial, (int64_t)l->contact) < 0)
                    return -1;
            }
        } else {
            report_count(a->rep, uai, REP_GUARDIANSHIP, REP_CREATED);
            /* lives_with: the relative and the pupil share a household */
            if (APPLY_RUN(a, "INSERT INTO guardianship (parent_id, pupil_id, relation,"
                             " legal_responsibility, pays, receives_mail, contact, source,"
                             " lives_with) SELECT $1, $2, $3, $4, $5, $6, $6, $7,"
                             " CASE WHEN p.household_id = c.household_id THEN 1 ELSE 0 END"
                             " FROM person p, person c WHERE p.id = $1 AND c.id = $2"
                             " ON CONFLICT (parent_id, pupil_id) DO UPDATE SET"
                             " relation = excluded.relation, source = excluded.source,"
                             " legal_responsibility = excluded.legal_responsibility",
                          "iitiiit", parent, pupil, l->relation, (int64_t)l->legal,
                          (int64_t)l->financial, (int64_t)l->contact, a->o.source) < 0)
                return -1;
        }
        /* Only a legal guardian gets the parent's access to the pupil's school life. */
        if (where && l->legal && parent_role(a, parent, where) < 0) return -1;
    }
    for (size_t j = 0; j < nhave; j++) {
        if (have[j].kept) continue;
        report_count(a->rep, e ? e->uai : NULL, REP_GUARDIANSHIP, REP_CLOSED);
        if (APPLY_RUN(a, "DELETE FROM guardianship WHERE id = $1", "i", have[j].id) < 0)
            return -1;
    }
    return 0;
}

static int pupil_apply(struct applier *a, const struct imp_record *r, int64_t id, bool fresh)
{
    struct est_info *e = pupil_est(a, r);
    unsigned p = r->present;
    if (!e && (p & (IMP_F_CLASSES | IMP_F_ATTACH))) {
        apply_warn(a, 'E', "établissement de l'élève absent de l'export : élève sans classe");
    }
    if (e && (p & (IMP_F_CLASSES | IMP_F_ATTACH))) {
        struct want_role w = {.profile = "pupil", .e = e};
        if (roles_set(a, id, fresh, &w, 1, false) < 0) return -1;
        const char *code = NULL;
        for (size_t i = 0; i < r->classes.n && !code; i++)
            if (apply_est(a, r->classes.v[i].a) == e) code = r->classes.v[i].b;
        int64_t klass = code ? apply_class(a, e, code, r->level) : 0;
        if (code && !klass) return -1;
        if (!code) apply_warn(a, 'W', "élève sans classe dans %s", e->uai);
        if (enrol(a, id, fresh, e, klass, r->mef) < 0) return -1;
    }
    if ((p & IMP_F_GROUPS) && pupil_groups(a, id, fresh, r) < 0) return -1;
    if ((p & IMP_F_LINKS) && links_set(a, id, true, fresh, r->links, r->nlinks, e) < 0)
        return -1;
    return 0;
}

/* ---- staff ------------------------------------------------------------- */

/* Carnet's profile for an AAF function type, and the title shown. */
static const char *staff_profile(const char *type, const char **title)
{
    static const struct { const char *type, *profile, *title; } map[] = {
        {"ENS", "teacher", NULL}, {"DIR", "head", "Personnel de direction"},
        {"EDU", "staff", "Conseiller principal d'éducation"},
        {"SUR", "staff", "Assistant d'éducation"}, {"DOC", "staff", "Professeur documentaliste"},
        {"ADF", "staff", "Personnel administratif"}, {"MDS", "staff", "Personnel médico-social"},
        {"ORI", "staff", "Psychologue de l'Éducation nationale"},
        {"LAB", "staff", "Personnel de laboratoire"}, {"CTR", "staff", "Contractuel"},
        {"AES", "staff", "Accompagnant d'élève en situation de handicap"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].type, type)) {
            *title = map[i].title;
            return map[i].profile;
        }
    *title = "Personnel";
    return "staff";
}

/* A label in sentence case ("MATHEMATIQUES" → "Mathematiques"), in rec. */
static const char *sentence(struct applier *a, const char *s)
{
    if (!s) return NULL;
    char *t = arena_strdup(&a->rec, s);
    for (char *c = t + 1; *c; c++) *c = (char)tolower((unsigned char)*c);
    return t;
}

static int staff_roles(struct applier *a, const struct imp_record *r, int64_t id, bool fresh)
{
    struct want_role want[32];
    size_t n = 0;
    for (size_t i = 0; i < r->nfunctions && n < 32; i++) {
        const struct imp_function *f = &r->functions[i];
        struct est_info *e = apply_est(a, f->establishment);
        if (!e) {
            apply_warn(a, 'W', "fonction %s dans l'établissement %s, absent de l'export : ignorée",
                       f->type, f->establishment);
            continue;
        }
        const char *title, *profile = staff_profile(f->type, &title);
        if (!strcmp(f->type, "ENS")) title = sentence(a, f->label);
        const char *code = arena_printf(&a->rec, "%s$%s", f->type, f->code ? f->code : "");
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++)
            dup = want[j].e == e && !strcmp(want[j].profile, profile);
        if (!dup) want[n++] = (struct want_role){profile, e, title, code, false};
    }
    /* Teaching in an establishment gives the teacher's role there. */
    for (int pass = 0; pass < 2; pass++) {
        const struct imp_list *l = pass ? &r->teach_groups : &r->teach_classes;
        for (size_t i = 0; i < l->n && n < 32; i++) {
            struct est_info *e = apply_est(a, l->v[i].a);
            bool has = false;
            for (size_t j = 0; j < n && !has; j++)
                has = want[j].e == e && !strcmp(want[j].profile, "teacher");
            if (e && !has) want[n++] = (struct want_role){"teacher", e, NULL, NULL, false};
        }
    }
    if (!n && (r->present & IMP_F_FUNCTIONS))
        apply_warn(a, 'W', "aucune fonction dans un établissement de l'export");
    return roles_set(a, id, fresh, want, n, !(r->present & IMP_F_FUNCTIONS));
}

static int staff_teach(struct applier *a, const struct imp_record *r, int64_t id, bool fresh)
{
    struct have { int64_t id, est, subject, klass, grp; bool open, kept; } *have = NULL;
    size_t nhave = 0, cap = 0;
    if (!fresh) {
        struct stmt *st = store_q(a->s,
                                  "SELECT id, establishment_id, subject_id, coalesce(class_id, 0),"
                                  " coalesce(grp_id, 0), ends_on FROM teaching"
                                  " WHERE teacher_id = $1 AND source = $2", "it", id, a->o.source);
        while (st && stmt_step(st) == STORE_ROW) {
            have = arena_grow(&a->rec, have, nhave, &cap, sizeof *have);
            const char *ends = stmt_text(st, 5);
            have[nhave++] = (struct have){stmt_int(st, 0), stmt_int(st, 1), stmt_int(st, 2),
                                          stmt_int(st, 3), stmt_int(st, 4),
                                          !ends || strcmp(ends, a->today) >= 0, false};
        }
        stmt_done(st);
        if (!st) return -1;
    }
    for (int pass = 0; pass < 2; pass++) {
        const struct imp_list *l = pass ? &r->teach_groups : &r->teach_classes;
        for (size_t i = 0; i < l->n; i++) {
            struct est_info *e = apply_est(a, l->v[i].a);
            if (!e || !l->v[i].c) continue;
            int64_t where = pass ? apply_group(a, e, l->v[i].b) : apply_class(a, e, l->v[i].b,
                                                                              NULL);
            int64_t subject = apply_subject(a, e, l->v[i].c);
            if (!where || !subject) return -1;
            struct have *h = NULL;
            for (size_t j = 0; j < nhave && !h; j++)
                if (have[j].est == e->id && have[j].subject == subject
                    && (pass ? have[j].grp : have[j].klass) == where)
                    h = &have[j];
            if (h) {
                if (h->kept) continue;
                h->kept = true;
                report_count(a->rep, e->uai, REP_TEACHING, h->open ? REP_UNCHANGED : REP_CHANGED);
                if (!h->open && APPLY_RUN(a, "UPDATE teaching SET ends_on = NULL WHERE id = $1",
                                          "i", h->id) < 0)
                    return -1;
                continue;
            }
            report_count(a->rep, e->uai, REP_TEACHING, REP_CREATED);
            if (APPLY_RUN(a, "INSERT INTO teaching (establishment_id, subject_id, teacher_id,"
                             " class_id, grp_id, source) VALUES ($1, $2, $3, $4, $5, $6)",
                          "iiiNNt", e->id, subject, id, pass ? 0 : where, pass ? where : 0,
                          a->o.source) < 0)
                return -1;
            /* the same assignment twice in the record is one teaching */
            have = arena_grow(&a->rec, have, nhave, &cap, sizeof *have);
            have[nhave++] = (struct have){0, e->id, subject, pass ? 0 : where, pass ? where : 0,
                                          true, true};
        }
    }
    for (size_t j = 0; j < nhave; j++) {
        if (have[j].kept || !have[j].open || !have[j].id) continue;
        struct est_info *e = apply_est_by_id(a, have[j].est);
        report_count(a->rep, e ? e->uai : NULL, REP_TEACHING, REP_CLOSED);
        if (APPLY_RUN(a, "UPDATE teaching SET ends_on = $2 WHERE id = $1", "it", have[j].id,
                      a->yesterday) < 0
            || APPLY_RUN(a, "UPDATE timetable_slot SET valid_to = $2 WHERE teaching_id = $1"
                            " AND valid_to > $2 AND valid_from <= $2", "it", have[j].id,
                         a->yesterday) < 0)
            return -1;
    }
    return 0;
}

static int staff_principal(struct applier *a, const struct imp_record *r, int64_t id, bool fresh)
{
    int64_t want[32], have[32];
    size_t nwant = 0, nhave = 0;
    for (size_t i = 0; i < r->principal.n && nwant < 32; i++) {
        struct est_info *e = apply_est(a, r->principal.v[i].a);
        if (!e) continue;
        int64_t k = apply_class(a, e, r->principal.v[i].b, NULL);
        if (!k) return -1;
        want[nwant++] = k;
    }
    if (!fresh) {
        struct stmt *st = store_q(a->s, "SELECT class_id FROM class_principal WHERE teacher_id = $1"
                                        " AND source = $2", "it", id, a->o.source);
        while (st && stmt_step(st) == STORE_ROW && nhave < 32) have[nhave++] = stmt_int(st, 0);
        stmt_done(st);
        if (!st) return -1;
    }
    for (size_t h = 0; h < nhave; h++) {
        bool keep = false;
        for (size_t w = 0; w < nwant; w++)
            if (want[w] == have[h]) keep = true, want[w] = 0;
        if (!keep && APPLY_RUN(a, "DELETE FROM class_principal WHERE class_id = $1"
                                  " AND teacher_id = $2", "ii", have[h], id) < 0)
            return -1;
    }
    for (size_t w = 0; w < nwant; w++)
        if (want[w] && APPLY_RUN(a, "INSERT INTO class_principal (class_id, teacher_id, source)"
                                    " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                 "iit", want[w], id, a->o.source) < 0)
            return -1;
    return 0;
}

static int staff_apply(struct applier *a, const struct imp_record *r, int64_t id, bool fresh)
{
    unsigned p = r->present;
    if ((p & (IMP_F_FUNCTIONS | IMP_F_TEACH)) && staff_roles(a, r, id, fresh) < 0) return -1;
    if ((p & IMP_F_TEACH) && staff_teach(a, r, id, fresh) < 0) return -1;
    if ((p & IMP_F_PRINCIPAL) && staff_principal(a, r, id, fresh) < 0) return -1;
    return 0;
}

/* ---- a person's record ------------------------------------------------------ */

/* Mark the establishments a complete record names as covered by the run. */
static void cover(struct applier *a, const struct imp_record *r)
{
    if (r->op != IMP_FULL) return;
    struct est_info *e = r->kind == IMP_PUPIL ? pupil_est(a, r) : NULL;
    for (size_t i = 0; r->kind == IMP_STAFF && i < r->nfunctions; i++)
        if ((e = apply_est(a, r->functions[i].establishment)))
            keymap_put(&a->est_key, e->uai)->flags |= EST_COVERED;
    if (e) keymap_put(&a->est_key, e->uai)->flags |= EST_COVERED;
}

/* End what a person who left has of this source: roles, enrolments,
 * teachings (ended yesterday); a relative's guardianships go. */
static int person_leave(struct applier *a, int64_t id, enum imp_kind k, int64_t est)
{
    const char *today = a->today;
    if (k == IMP_RELATIVE)
        return APPLY_RUN(a, "DELETE FROM guardianship WHERE parent_id = $1 AND source = $2",
                         "it", id, a->o.source) < 0
                   || APPLY_RUN(a, "UPDATE role SET ends_on = $2 WHERE person_id = $1"
                                   " AND profile = 'parent' AND source = $3"
                                   " AND (ends_on IS NULL OR ends_on >= $4)",
                                "itt" "t", id, a->yesterday, a->o.source, today) < 0
                   ? -1 : 0;
    bool pupil = k == IMP_PUPIL;
    if (APPLY_RUN(a, "UPDATE role SET ends_on = $2 WHERE person_id = $1 AND source = $3"
                     " AND ($5 = 0 OR establishment_id = $5) AND (ends_on IS NULL OR ends_on >= $4)"
                     " AND profile IN ($6, $7, $8)",
                  "ittt" "ittt", id, a->yesterday, a->o.source, today, est,
                  pupil ? "pupil" : "teacher", pupil ? "pupil" : "staff",
                  pupil ? "pupil" : "head") < 0)
        return -1;
    if (k == IMP_PUPIL)
        return APPLY_RUN(a, "UPDATE enrolment SET ends_on = $2 WHERE pupil_id = $1"
                            " AND source = $3 AND (ends_on IS NULL OR ends_on >= $4)"
                            " AND ($5 = 0 OR class_id IN (SELECT id FROM class"
                            " WHERE establishment_id = $5))",
                         "ittt" "i", id, a->yesterday, a->o.source, today, est);
    /* Their weekly lessons end with their teachings. */
    if (APPLY_RUN(a, "UPDATE timetable_slot SET valid_to = $2 WHERE valid_to > $2"
                     " AND valid_from <= $2 AND teaching_id IN (SELECT id FROM teaching"
                     " WHERE teacher_id = $1 AND source = $3 AND (ends_on IS NULL OR ends_on >= $4)"
                     " AND ($5 = 0 OR establishment_id = $5))",
                  "ittt" "i", id, a->yesterday, a->o.source, today, est) < 0)
        return -1;
    return APPLY_RUN(a, "UPDATE teaching SET ends_on = $2 WHERE teacher_id = $1 AND source = $3"
                        " AND (ends_on IS NULL OR ends_on >= $4)"
                        " AND ($5 = 0 OR establishment_id = $5)",
                     "ittt" "i", id, a->yesterday, a->o.source, today, est);
}

static int close_parents(struct applier *a, struct est_info *e);

/* A delta's deleteRequest: the person leaves every establishment where
 * this source gave them a role (the parents of a pupil who has no other
 * child there lose their role there too). */
static int person_delete(struct applier *a, const struct imp_record *r, struct keymap_entry *x,
                         enum rep_kind rk)
{
    int64_t est[16];
    size_t n = 0;
    struct stmt *st = store_q(a->s, "SELECT DISTINCT establishment_id FROM role"
                                    " WHERE person_id = $1 AND source = $2"
                                    " AND establishment_id IS NOT NULL"
                                    " AND (ends_on IS NULL OR ends_on >= $3)",
                              "itt", x->id, a->o.source, a->today);
    while (st && stmt_step(st) == STORE_ROW && n < 16) est[n++] = stmt_int(st, 0);
    stmt_done(st);
    if (!st) return -1;
    if (!n) return 0; /* gone already: a delta applied again */
    struct est_info *first = apply_est_by_id(a, est[0]);
    report_count(a->rep, first ? first->uai : NULL, rk, REP_CLOSED);
    x->digest[0] = 0;
    if (person_leave(a, x->id, r->kind, 0) < 0 || apply_key(a, "person", r->key, x->id, "") < 0)
        return -1;
    for (size_t i = 0; r->kind == IMP_PUPIL && i < n; i++) {
        struct est_info *e = apply_est_by_id(a, est[i]);
        if (e && close_parents(a, e) < 0) return -1;
    }
    return 0;
}

static enum rep_kind rep_kind_of(const struct imp_record *r)
{
    if (r->kind == IMP_PUPIL) return REP_PUPIL;
    if (r->kind == IMP_RELATIVE) return REP_RELATIVE;
    for (size_t i = 0; i < r->nfunctions; i++)
        if (!strcmp(r->functions[i].type, "ENS")) return REP_TEACHER;
    return r->teach_classes.n || r->teach_groups.n ? REP_TEACHER : REP_STAFF;
}

/* The UAI a person's counts go under. */
static const char *rep_uai(struct applier *a, const struct imp_record *r)
{
    struct est_info *e = r->kind == IMP_PUPIL ? pupil_est(a, r) : apply_est(a, r->attach);
    if (!e && r->nfunctions) e = apply_est(a, r->functions[0].establishment);
    return e ? e->uai : NULL;
}

int apply_person_record(struct applier *a, const struct imp_record *r)
{
    struct keymap_entry *x = keymap_get(&a->person, r->key);
    int64_t id = x ? x->id : 0;
    const char *uai = rep_uai(a, r);
    enum rep_kind rk = rep_kind_of(r);
    if (a->o.only_uai && uai && strcmp(uai, a->o.only_uai)) {
        apply_warn(a, 'F', "personne d'un autre établissement (%s) : import refusé", uai);
        return 0;
    }
    if (r->op == IMP_DELETE) return id ? person_delete(a, r, x, rk) : 0;
    cover(a, r);
    if (x && r->op != IMP_MODIFY && r->digest[0] && !strcmp(x->digest, r->digest)) {
        x->flags |= seen_flag[r->kind];
        report_count(a->rep, uai, rk, REP_UNCHANGED);
        return 0;
    }
    if (!id && r->op == IMP_MODIFY) {
        apply_warn(a, 'E', "modification d'une personne inconnue : ignorée");
        return 0;
    }
    if (!id && (!r->name || !*r->name)) {
        apply_warn(a, 'E', "personne sans nom : ignorée");
        return 0;
    }
    bool fresh = !id, changed = false;
    int64_t doubt = 0;
    char why[120] = "";
    if (fresh && (id = identity_match(a, r, &doubt, why, sizeof why))) {
        fresh = false; /* the same human, known from another source */
        apply_warn(a, 'W', "rattaché à la personne %lld déjà connue (%s)", (long long)id, why);
    }
    int64_t written = a->rep->rows_written;
    if (fresh && !(id = person_create(a, r))) return -1;
    if (doubt && identity_queue(a, r, id, doubt, why) < 0) return -1;
    if (!fresh && person_update(a, id, r, &changed) < 0) return -1;
    size_t problems = a->rep->nproblems + a->rep->problems_dropped;
    int rc = r->kind == IMP_PUPIL ? pupil_apply(a, r, id, fresh)
             : r->kind == IMP_STAFF ? staff_apply(a, r, id, fresh)
             : (r->present & IMP_F_LINKS) && r->nchildren
                 ? links_set(a, id, false, fresh, r->children, r->nchildren, NULL) : 0;
    if (rc < 0) return -1;
    /* A record with a problem is applied again next time (a missing
     * relative may have come since); one without is skipped while unchanged. */
    bool clean = a->rep->nproblems + a->rep->problems_dropped == problems;
    const char *digest = r->op == IMP_MODIFY || !clean ? "" : r->digest;
    x = keymap_put(&a->person, r->key);
    bool same = x->id == id && !strcmp(x->digest, digest);
    x->id = id;
    x->flags |= seen_flag[r->kind];
    snprintf(x->digest, sizeof x->digest, "%s", digest);
    /* Changed: their own fields, or their class, groups, relatives, roles… */
    changed = changed || a->rep->rows_written > written;
    report_count(a->rep, uai, rk, fresh ? REP_CREATED : changed ? REP_CHANGED : REP_UNCHANGED);
    return same ? 0 : apply_key(a, "person", r->key, id, digest);
}

/* ---- end of run: who a complete export no longer lists ---------------------- */

static int close_kind(struct applier *a, struct est_info *e, enum imp_kind k)
{
    bool pupil = k == IMP_PUPIL;
    struct stmt *st = store_q(a->s,
                              "SELECT DISTINCT r.person_id, (SELECT k.ext_key FROM import_key k"
                              " WHERE k.kind = 'person' AND k.object_id = r.person_id"
                              " AND k.source = r.source) FROM role r WHERE r.source = $1"
                              " AND r.establishment_id = $2 AND (r.ends_on IS NULL"
                              " OR r.ends_on >= $3)"
                              " AND r.profile IN ($4, $5, $6)",
                              "tit" "ttt", a->o.source, e->id, a->today,
                              pupil ? "pupil" : "teacher", pupil ? "pupil" : "staff",
                              pupil ? "pupil" : "head");
    int64_t *gone = NULL;
    size_t n = 0, cap = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        const char *key = stmt_text(st, 1);
        struct keymap_entry *x = key ? keymap_get(&a->person, key) : NULL;
        if (!key || (x && (x->flags & seen_flag[k]))) continue;
        gone = arena_grow(&a->rec, gone, n, &cap, sizeof *gone);
        gone[n++] = stmt_int(st, 0);
    }
    stmt_done(st);
    if (!st) return -1;
    for (size_t i = 0; i < n; i++) {
        report_count(a->rep, e->uai, k == IMP_PUPIL ? REP_PUPIL : REP_STAFF, REP_CLOSED);
        if (person_leave(a, gone[i], k, e->id) < 0) return -1;
    }
    return 0;
}

/* End the parent roles of this source in e of those with no pupil there. */
static int close_parents(struct applier *a, struct est_info *e)
{
    int64_t before = 0;
    if (store_int(a->s, &before,
                  "SELECT count(*) FROM role p WHERE p.source = $1 AND p.profile = 'parent'"
                  " AND p.establishment_id = $2 AND (p.ends_on IS NULL OR p.ends_on >= $3)"
                  " AND p.person_id NOT IN (SELECT g.parent_id FROM role c JOIN guardianship g"
                  " ON g.pupil_id = c.person_id WHERE c.profile = 'pupil'"
                  " AND c.establishment_id = $2 AND (c.ends_on IS NULL OR c.ends_on >= $3))",
                  "tit", a->o.source, e->id, a->today) < 0)
        return -1;
    if (!before) return 0;
    for (int64_t i = 0; i < before; i++) report_count(a->rep, e->uai, REP_RELATIVE, REP_CLOSED);
    return APPLY_RUN(a,
                     "UPDATE role SET ends_on = $4 WHERE source = $1 AND profile = 'parent'"
                     " AND establishment_id = $2 AND (ends_on IS NULL OR ends_on >= $3)"
                     " AND person_id NOT IN (SELECT g.parent_id FROM role c JOIN guardianship g"
                     " ON g.pupil_id = c.person_id WHERE c.profile = 'pupil'"
                     " AND c.establishment_id = $2 AND (c.ends_on IS NULL OR c.ends_on >= $3))",
                     "titt", a->o.source, e->id, a->today, a->yesterday);
}

int apply_person_close(struct applier *a)
{
    for (size_t i = 0; i < a->nest; i++) {
        struct est_info *e = &a->est[i];
        struct keymap_entry *x = keymap_get(&a->est_key, e->uai);
        if (!x || !(x->flags & EST_COVERED)) continue;
        arena_free(&a->rec);
        arena_init(&a->rec);
        if ((a->complete & (1u << IMP_PUPIL)) && close_kind(a, e, IMP_PUPIL) < 0) return -1;
        if ((a->complete & (1u << IMP_STAFF)) && close_kind(a, e, IMP_STAFF) < 0) return -1;
        if (close_parents(a, e) < 0) return -1;
    }
    return 0;
}

int apply_person_load(struct applier *a)
{
    struct stmt *st = store_q(a->s, "SELECT ext_key, object_id, digest FROM import_key"
                                    " WHERE source = $1 AND kind = 'person'", "t", a->o.source);
    while (st && stmt_step(st) == STORE_ROW) {
        struct keymap_entry *x = keymap_put(&a->person, stmt_text(st, 0));
        x->id = stmt_int(st, 1);
        snprintf(x->digest, sizeof x->digest, "%s", stmt_text(st, 2));
    }
    stmt_done(st);
    if (!st) return -1;
    st = store_q(a->s, "SELECT id, ine FROM person WHERE ine IS NOT NULL", "");
    while (st && stmt_step(st) == STORE_ROW) keymap_put(&a->ine, stmt_text(st, 1))->id =
        stmt_int(st, 0);
    stmt_done(st);
    if (!st) return -1;
    st = store_q(a->s, "SELECT id, address, postcode, city FROM household", "");
    while (st && stmt_step(st) == STORE_ROW)
        keymap_put(&a->household, address_key(a, stmt_text(st, 1), stmt_text(st, 2),
                                               stmt_text(st, 3)))->id = stmt_int(st, 0);
    stmt_done(st);
    if (!st) return -1;
    st = store_q(a->s, "SELECT login FROM account", "");
    while (st && stmt_step(st) == STORE_ROW) keymap_put(&a->logins, stmt_text(st, 0));
    stmt_done(st);
    return st ? 0 : -1;
}
