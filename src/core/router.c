/* router.c — route matching and parameter validation. */
#include "router.h"
#include "i18n.h"
#include "limits.h"
#include "text.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TABLES 32
static const struct route *tables[MAX_TABLES];
static size_t ntables;

void router_add(const struct route *table)
{
    if (ntables < MAX_TABLES) tables[ntables++] = table;
}

size_t router_count(void)
{
    size_t n = 0;
    for (size_t t = 0; t < ntables; t++)
        for (const struct route *rt = tables[t]; rt->path; rt++) n++;
    return n;
}

const struct route *router_at(size_t i)
{
    for (size_t t = 0; t < ntables; t++)
        for (const struct route *rt = tables[t]; rt->path; rt++)
            if (!i--) return rt;
    return NULL;
}

size_t router_index(const struct route *route)
{
    size_t base = 0;
    for (size_t t = 0; t < ntables; t++) {
        size_t n = 0;
        while (tables[t][n].path) n++;
        if (route >= tables[t] && route < tables[t] + n) return base + (size_t)(route - tables[t]);
        base += n;
    }
    return base;
}

/* Does pattern match the request's segments? Fills path params if so. */
static bool match_path(struct req *r, const char *pattern, struct kv *pp, size_t *npp)
{
    size_t seg = 0;
    const char *p = pattern;
    *npp = 0;
    if (*p == '/') p++;
    if (!*p) return r->nsegments == 0;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (seg >= r->nsegments) return false;
        if (p[0] == '{') {
            if (*npp < LIMIT_PATH_SEGMENTS) {
                pp[*npp].name = arena_strndup(&r->arena, p + 1, len - 2);
                pp[*npp].value = r->segments[seg];
                pp[*npp].len = strlen(r->segments[seg]);
                (*npp)++;
            }
        } else if (strlen(r->segments[seg]) != len || strncmp(r->segments[seg], p, len)) {
            return false;
        }
        seg++;
        p += len;
        if (*p == '/') p++;
    }
    return seg == r->nsegments;
}

int router_match(struct req *r, char *allow, size_t allowlen)
{
    struct kv pp[LIMIT_PATH_SEGMENTS];
    size_t npp;
    unsigned methods = 0;
    allow[0] = 0;
    for (size_t t = 0; t < ntables; t++) {
        for (const struct route *rt = tables[t]; rt->path; rt++) {
            if (!match_path(r, rt->path, pp, &npp)) continue;
            unsigned m = rt->method | ((rt->method & M_GET) ? M_HEAD : 0);
            if (m & r->method) {
                r->route = rt;
                r->npath_params = npp;
                r->path_params = arena_alloc(&r->arena, (npp + 1) * sizeof(struct kv));
                memcpy(r->path_params, pp, npp * sizeof(struct kv));
                return 0;
            }
            methods |= m;
        }
    }
    if (!methods) return 404;
    static const struct { unsigned m; const char *name; } names[] = {
        {M_GET, "GET"}, {M_HEAD, "HEAD"}, {M_POST, "POST"}, {M_PUT, "PUT"}, {M_DELETE, "DELETE"}, {M_PATCH, "PATCH"}};
    size_t len = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(methods & names[i].m)) continue;
        size_t n = strlen(names[i].name);
        if (len + n + 3 >= allowlen) break;
        if (len) { memcpy(allow + len, ", ", 2); len += 2; }
        memcpy(allow + len, names[i].name, n);
        len += n;
        allow[len] = 0;
    }
    return 405;
}

static const char *find_src(struct req *r, const struct param_spec *ps)
{
    if (ps->src == SRC_PATH) {
        for (size_t i = 0; i < r->npath_params; i++)
            if (!strcmp(r->path_params[i].name, ps->name)) return r->path_params[i].value;
        return NULL;
    }
    /* The app appends query fields first, then body fields. */
    size_t from = ps->src == SRC_BODY ? r->nquery_fields : 0;
    size_t to = ps->src == SRC_QUERY ? r->nquery_fields : r->nfields;
    for (size_t i = from; i < to; i++)
        if (!strcmp(r->fields[i].name, ps->name)) return r->fields[i].value;
    return NULL;
}

static bool all_chars(const char *s, const char *extra)
{
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr(extra, *s)) return false;
    return true;
}

static bool validate_one(struct req *r, const struct param_spec *ps, const char *raw, const char **value,
                         const char **msg)
{
    const char *label = tr(r, ps->label ? ps->label : ps->name);
    unsigned maxlen = ps->maxlen;
    char *v = arena_strdup(&r->arena, raw);
    switch (ps->type) {
    case P_ID:
    case P_INT: {
        char *end = NULL;
        if (!*v || strlen(v) > 20 || !(isdigit((unsigned char)v[0]) || (v[0] == '-' && isdigit((unsigned char)v[1]))))
            goto bad;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (*end || errno == ERANGE) goto bad;
        if (ps->type == P_ID && n <= 0) goto bad;
        if ((ps->min || ps->max) && (n < ps->min || n > ps->max)) goto bad;
        break;
    }
    case P_LINE:
    case P_LOGIN:
    case P_URL:
    case P_TOKEN:
    case P_ENUM:
    case P_LIST:
        text_trim(v);
        if (text_has_control(v, false)) goto bad;
        if (ps->type == P_LOGIN) {
            for (char *c = v; *c; c++) *c = (char)tolower((unsigned char)*c);
            if (!all_chars(v, "._-")) goto bad;
        }
        if (ps->type == P_TOKEN && !all_chars(v, "-_")) goto bad;
        if (ps->type == P_URL) {
            if (strncmp(v, "https://", 8) && strncmp(v, "http://", 7)) goto bad;
            const char *host = strstr(v, "://") + 3;
            if (!*host || *host == '/' || strchr(v, ' ') || strchr(v, '"') || strchr(v, '<')) goto bad;
            if (!maxlen) maxlen = LIMIT_SERVICE_URL_BYTES;
        }
        if (ps->type == P_ENUM || ps->type == P_LIST) {
            char *copy = arena_strdup(&r->arena, v), *save = NULL;
            for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                bool found = false;
                for (size_t i = 0; ps->choices && ps->choices[i]; i++)
                    if (!strcmp(w, ps->choices[i])) found = true;
                if (!found) goto bad;
                if (ps->type == P_ENUM && strcmp(w, v)) goto bad;
            }
        }
        break;
    case P_TEXT:
        if (text_has_control(v, true)) goto bad;
        break;
    case P_PASSWORD:
        if (text_has_control(v, false)) goto bad;
        if (!maxlen) maxlen = LIMIT_PASSWORD_BYTES;
        break;
    case P_BOOL:
        if (!*v || !strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "off")) v = arena_strdup(&r->arena, "0");
        else if (!strcmp(v, "1") || !strcmp(v, "on") || !strcmp(v, "true")) v = arena_strdup(&r->arena, "1");
        else goto bad;
        break;
    case P_CODE: {
        char *w = v;
        for (char *c = v; *c; c++) {
            if (*c == ' ' || *c == '-') continue;
            if (!isalnum((unsigned char)*c)) goto bad;
            *w++ = (char)toupper((unsigned char)*c);
        }
        *w = 0;
        break;
    }
    }
    if (!maxlen) maxlen = ps->type == P_TEXT ? 10000 : LIMIT_NAME_BYTES;
    if (text_utf8_len(v) > maxlen) {
        char n[16];
        snprintf(n, sizeof n, "%u", maxlen);
        *msg = tr_fmt(r, "err.param.too_long", label, n);
        return false;
    }
    if (ps->required && !*v) {
        *msg = tr_fmt(r, "err.param.missing", label, NULL);
        return false;
    }
    *value = v;
    return true;
bad:
    *msg = tr_fmt(r, "err.param.invalid", label, NULL);
    return false;
}

/* Every field named prefix + [0-9_]+ from the spec's source. */
static bool validate_prefixed(struct req *r, const struct param_spec *p, const char **msg)
{
    size_t pl = strlen(p->name);
    size_t from = p->src == SRC_BODY ? r->nquery_fields : 0;
    size_t to = p->src == SRC_QUERY ? r->nquery_fields : r->nfields;
    for (size_t i = from; i < to; i++) {
        const char *name = r->fields[i].name;
        if (strncmp(name, p->name, pl) || !name[pl] || !all_chars(name + pl, "_")) continue;
        bool digits = true;
        for (const char *c = name + pl; *c; c++)
            if (!isdigit((unsigned char)*c) && *c != '_') digits = false;
        if (!digits) continue;
        /* An empty cell is kept (as ""): on a whole-class sheet it clears
         * what was there. */
        const char *v = "";
        if (*r->fields[i].value && !validate_one(r, p, r->fields[i].value, &v, msg)) return false;
        r->params[r->nparams++] = (struct kv){.name = name, .value = v, .len = strlen(v)};
    }
    return true;
}

size_t param_prefixed(struct req *r, const char *prefix, const struct kv **out)
{
    size_t pl = strlen(prefix), first = r->nparams, n = 0;
    for (size_t i = 0; i < r->nparams; i++) {
        if (strncmp(r->params[i].name, prefix, pl)) continue;
        if (!n++) first = i;
    }
    *out = r->params + first;
    return n;
}

bool router_validate(struct req *r, const char **msg)
{
    const struct param_spec *ps = r->route ? r->route->params : NULL;
    size_t n = 0;
    for (const struct param_spec *p = ps; p && p->name; p++) n++;
    r->params = arena_alloc(&r->arena, (n + r->nfields + 1) * sizeof *r->params);
    r->nparams = 0;
    for (const struct param_spec *p = ps; p && p->name; p++) {
        if (p->prefix) {
            if (!validate_prefixed(r, p, msg)) return false;
            continue;
        }
        const char *raw = find_src(r, p);
        if (!raw) {
            if (p->required) {
                *msg = tr_fmt(r, "err.param.missing", tr(r, p->label ? p->label : p->name), NULL);
                return false;
            }
            continue;
        }
        /* An optional field left empty (an unselected <select>, a blank
         * input) is absent, whatever its type. */
        if (!p->required && !*raw) continue;
        const char *v;
        if (!validate_one(r, p, raw, &v, msg)) return false;
        r->params[r->nparams++] = (struct kv){.name = p->name, .value = v, .len = strlen(v)};
    }
    return true;
}
