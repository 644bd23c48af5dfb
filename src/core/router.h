/* router.h — static route tables with declared, validated parameters.
 *
 * Each module exports a table of routes ending with an empty entry:
 *
 *   const struct route portal_routes[] = {
 *       { .method = M_GET, .path = "/personnes/{id}", .handler = persons_page,
 *         .action = ACT_PERSON_VIEW,
 *         .params = (const struct param_spec[]){
 *             { "id", P_ID, SRC_PATH, .required = true }, {0} } },
 *       {0}
 *   };
 *
 * Before the handler runs the router has: matched method and path (404/405),
 * asked the policy module whether the actor may perform .action at all
 * (login redirect / 401 / 403), checked CSRF on state-changing methods, and
 * validated every declared parameter (400); undeclared fields are dropped. */
#ifndef CARNET_ROUTER_H
#define CARNET_ROUTER_H
#include "http.h"
#include <stdbool.h>
#include <stddef.h>

enum ptype {
    P_ID,        /* positive integer id */
    P_INT,       /* integer, within [min, max] */
    P_LINE,      /* one line of text, trimmed */
    P_TEXT,      /* several lines of text */
    P_LOGIN,     /* login: a-z 0-9 . _ - */
    P_PASSWORD,  /* any characters, not trimmed */
    P_URL,       /* absolute https:// (or http://) URL */
    P_BOOL,      /* checkbox: present and "1"/"on"/"true" */
    P_TOKEN,     /* opaque token: A-Z a-z 0-9 - _ */
    P_CODE,      /* activation code: letters and digits, spaces and dashes ignored */
    P_ENUM,      /* one of .choices (NULL-terminated) */
    P_LIST       /* comma-separated words of .choices */
};

enum psrc { SRC_ANY = 0, SRC_PATH, SRC_QUERY, SRC_BODY };

struct param_spec {
    const char *name;
    enum ptype type;
    enum psrc src;
    bool required;
    unsigned maxlen;           /* in characters; 0: the type's default */
    int64_t min, max;          /* P_INT bounds (both 0: any) */
    const char *const *choices;
    const char *label;         /* message key naming the field for errors */
    bool prefix;               /* name is a prefix: every field named name + digits and '_'
                                  (e.g. "note_123" for pupil 123) is validated as this type */
};

enum route_flags {
    ROUTE_API = 1,             /* JSON errors, JSON CSRF rules */
    ROUTE_ANON_FORM = 2,       /* form used before sign-in: pre-session CSRF token */
    ROUTE_GET_WRITES = 4,      /* a GET that records something (read state): no read snapshot */
};

struct route {
    unsigned method;           /* M_GET | M_HEAD … */
    const char *path;          /* literal segments and {name} */
    void (*handler)(struct req *r);
    int action;                /* enum policy_action required for the route */
    const struct param_spec *params;
    unsigned flags;
    int object;                /* enum object_kind that the {id} path parameter names: the
                                  policy is asked about that object before the handler (0: none) */
    const char *denied;        /* message key of that 403 (default err.forbidden) */
};

/* Register a module's table (at start-up, before serving). */
void router_add(const struct route *table);
/* Every registered route in order: how many, the i-th (NULL past the
 * end), and the position of one of them (router_count() when unknown). */
size_t router_count(void);
const struct route *router_at(size_t i);
size_t router_index(const struct route *route);
/* Find the route for r (sets r->route and path parameters). Returns 0,
 * 404 when no path matches, 405 when the path matches for other methods
 * (and fills allow with the methods, e.g. "GET, POST"). */
int router_match(struct req *r, char *allow, size_t allowlen);
/* Validate declared parameters into r->params. On failure writes a clear,
 * translated message into *msg and returns false. */
bool router_validate(struct req *r, const char **msg);
/* The declared parameters whose name starts with prefix (see .prefix), in
 * the order they came; *out points into r->params. */
size_t param_prefixed(struct req *r, const char *prefix, const struct kv **out);

#endif
