/* emit.c — pieces of records shared by the readers (see emit.h). */
#include "emit.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Whether two optional strings are equal (NULL equals only NULL). */
static bool same(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

void emit_item(struct arena *a, struct imp_list *l, const char *x, const char *y, const char *z)
{
    for (size_t i = 0; i < l->n; i++)
        if (same(l->v[i].a, x) && same(l->v[i].b, y)) return;
    l->v = arena_grow(a, l->v, l->n, &l->cap, sizeof *l->v);
    l->v[l->n++] = (struct imp_item){x, y, z};
}

void emit_child(struct arena *a, struct imp_record *r, const struct imp_link *l)
{
    for (size_t i = 0; i < r->nchildren; i++)
        if (same(r->children[i].pupil, l->pupil)) return;
    r->children = arena_grow(a, r->children, r->nchildren, &r->children_cap, sizeof *r->children);
    r->children[r->nchildren++] = *l;
}

void emit_function(struct arena *a, struct imp_record *r, const struct imp_function *f)
{
    for (size_t i = 0; i < r->nfunctions; i++)
        if (same(r->functions[i].establishment, f->establishment)
            && same(r->functions[i].type, f->type))
            return;
    r->functions = arena_grow(a, r->functions, r->nfunctions, &r->functions_cap,
                              sizeof *r->functions);
    r->functions[r->nfunctions++] = *f;
}

/* Whether y-m-d is a day of the calendar (1900 … 2100). */
static bool real_day(int y, int m, int d)
{
    static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > days[m - 1]) return false;
    return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

/* The number of 1 to max digits at *s, *s moved past them; -1 if none. */
static int number(const char **s, int max)
{
    int v = 0, n = 0;
    while (n < max && **s >= '0' && **s <= '9') v = v * 10 + (*(*s)++ - '0'), n++;
    return n ? v : -1;
}

bool emit_date(const char *s, char out[11])
{
    if (!s) return false;
    while (*s == ' ') s++;
    const char *p = s;
    int a = number(&p, 4);
    size_t alen = (size_t)(p - s);
    char sep = *p;
    if (a < 0 || (sep != '/' && sep != '-' && sep != '.')) return false;
    p++;
    int b = number(&p, 2);
    if (b < 0 || *p != sep) return false;
    const char *q = ++p;
    bool iso = alen == 4; /* yyyy-mm-dd; else d/m/yyyy */
    int c = number(&p, iso ? 2 : 4);
    if (c < 0 || (!iso && (alen > 2 || p - q != 4))) return false;
    while (*p == ' ') p++;
    if (*p) return false;
    int y = iso ? a : c, d = iso ? c : a;
    if (!real_day(y, b, d)) return false;
    snprintf(out, 11, "%04d-%02d-%02d", y % 10000, b % 100, d % 100);
    return true;
}

/* ---- the digest --------------------------------------------------------- */

/* Hash s, told apart from NULL and from what follows it. */
static void h_str(crypto_generichash_state *h, const char *s)
{
    unsigned char tag = s ? 1 : 0;
    crypto_generichash_update(h, &tag, 1);
    if (s) crypto_generichash_update(h, (const unsigned char *)s, strlen(s) + 1);
}

/* Hash a number. */
static void h_int(crypto_generichash_state *h, long long v)
{
    char b[24];
    snprintf(b, sizeof b, "%lld", v);
    h_str(h, b);
}

/* Hash a list, its length first. */
static void h_list(crypto_generichash_state *h, const struct imp_list *l)
{
    h_int(h, (long long)l->n);
    for (size_t i = 0; i < l->n; i++) {
        h_str(h, l->v[i].a);
        h_str(h, l->v[i].b);
        h_str(h, l->v[i].c);
    }
}

/* Hash links, their number first. */
static void h_links(crypto_generichash_state *h, const struct imp_link *v, size_t n)
{
    h_int(h, (long long)n);
    for (size_t i = 0; i < n; i++) {
        h_str(h, v[i].relative);
        h_str(h, v[i].pupil);
        h_str(h, v[i].relation);
        h_int(h, v[i].legal * 4 + v[i].financial * 2 + v[i].contact);
    }
}

void emit_digest(struct imp_record *r)
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 16);
    h_int(&h, r->kind);
    h_int(&h, r->op);
    h_int(&h, r->present);
    const char *const fields[] = {
        r->key, r->uai, r->kind_text, r->academie, r->name, r->first_name, r->birth_date,
        r->civility, r->ine, r->email, r->phone, r->address, r->postcode, r->city, r->attach,
        r->mef, r->level};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) h_str(&h, fields[i]);
    const struct imp_list *lists[] = {&r->classes, &r->groups, &r->teach_classes,
                                      &r->teach_groups, &r->principal};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) h_list(&h, lists[i]);
    h_links(&h, r->links, r->nlinks);
    h_links(&h, r->children, r->nchildren);
    h_int(&h, (long long)r->nfunctions);
    for (size_t i = 0; i < r->nfunctions; i++) {
        h_str(&h, r->functions[i].establishment);
        h_str(&h, r->functions[i].type);
        h_str(&h, r->functions[i].code);
        h_str(&h, r->functions[i].label);
    }
    unsigned char d[16];
    crypto_generichash_final(&h, d, sizeof d);
    sodium_bin2hex(r->digest, sizeof r->digest, d, sizeof d);
}
