/* compose.c — writing a new message: recipients by person or by list,
 * drafts, forwarding, the R-SEC limits and anomaly hold, and delivery. */
#include "internal.h"
#include "../files/files.h"
#include "../persons/persons.h"
#include "../../core/audit.h"
#include "../../core/clock.h"
#include "../../core/i18n.h"
#include "../../core/page.h"
#include "../../policy/policy.h"
#include "../../policy/scope_sql.h"
#include "../../policy/diffusion.h"
#include "../notify/notify.h"
#include "../portal/notice.h"
#include "../../calendar/calendar.h"
#include "../../store/store.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECIPIENT_SEARCH_MAX 20
#define CANDIDATE_ROWS 60

static const char *const actions[] = {"send", "draft", NULL};

/* ---- People ---------------------------------------------------------------- */

struct candidate {
    int64_t id;
    const char *name, *what;
};

/* People the actor would usually write to: the teachers of their (or their
 * children's) classes and the school-life staff and heads; for a search q,
 * the people of their establishments whose name matches. Only those the
 * communication policy allows are kept; `also` (a person preselected by a
 * link) is added when allowed. */
static size_t candidates(struct req *r, const char *q, int64_t also, struct candidate **out)
{
    struct store *s = store_thread();
    char today[11];
    clock_today(today);
    struct stmt *st;
    if (q && strlen(q) >= 2) {
        const char *like = arena_printf(&r->arena, "%%%s%%", q);
        st = store_q(s,
            "SELECT DISTINCT p.id, p.first_name, p.last_name, '' FROM person p WHERE (p.first_name || ' ' || p.last_name LIKE $3"
            " OR p.last_name || ' ' || p.first_name LIKE $3) AND p.id <> $1 AND (EXISTS (SELECT 1 FROM role r WHERE r.person_id = p.id"
            " AND r.establishment_id IN (SELECT establishment_id FROM role WHERE person_id = $1 AND establishment_id IS NOT NULL"
            " AND starts_on <= $2 AND (ends_on IS NULL OR ends_on >= $2)) AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2)))"
            " ORDER BY p.last_name, p.first_name LIMIT 60", "itt", r->actor->person_id, today, like);
    } else {
        st = store_q(s,
            "SELECT DISTINCT p.id, p.first_name, p.last_name, sb.name FROM enrolment en"
            " JOIN teaching t ON t.class_id = en.class_id JOIN person p ON p.id = t.teacher_id JOIN subject sb ON sb.id = t.subject_id"
            " WHERE (en.pupil_id = $1 OR en.pupil_id IN " SQL_CHILDREN_OF_1 ")"
            " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"
            " UNION SELECT p.id, p.first_name, p.last_name, coalesce(r.title, r.profile) FROM role r JOIN person p ON p.id = r.person_id"
            " WHERE r.profile IN ('staff', 'head') AND r.starts_on <= $2 AND (r.ends_on IS NULL OR r.ends_on >= $2)"
            " AND r.establishment_id IN (SELECT c.establishment_id FROM enrolment en JOIN class c ON c.id = en.class_id"
            " WHERE (en.pupil_id = $1 OR en.pupil_id IN " SQL_CHILDREN_OF_1 ")"
            " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2))"
            " ORDER BY 3, 2 LIMIT 60", "it", r->actor->person_id, today);
    }
    struct raw { int64_t id; const char *first, *last, *what; } raw[CANDIDATE_ROWS + 1];
    size_t nraw = 0;
    while (st && stmt_step(st) == STORE_ROW && nraw < CANDIDATE_ROWS) {
        raw[nraw].id = stmt_int(st, 0);
        raw[nraw].first = arena_strdup(&r->arena, stmt_text(st, 1));
        raw[nraw].last = arena_strdup(&r->arena, stmt_text(st, 2));
        raw[nraw].what = arena_strdup(&r->arena, stmt_text(st, 3));
        nraw++;
    }
    stmt_done(st);
    if (also) {
        const char *name = persons_name(r, also);
        if (*name) raw[nraw++] = (struct raw){also, name, "", ""};
    }
    int64_t people[CANDIDATE_ROWS + 1], est[CANDIDATE_ROWS + 1];
    for (size_t i = 0; i < nraw; i++) people[i] = raw[i].id;
    policy_message_filter(s, r->actor, people, nraw, est);
    size_t n = 0, cap = 0;
    struct candidate *v = NULL;
    for (size_t i = 0; i < nraw && n < RECIPIENT_SEARCH_MAX; i++) {
        bool seen = false;
        for (size_t k = 0; k < n; k++) seen |= v[k].id == raw[i].id;
        if (seen || !est[i]) continue;
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n++] = (struct candidate){raw[i].id, *raw[i].last ? arena_printf(&r->arena, "%s %s", raw[i].first, raw[i].last) : raw[i].first,
                                    raw[i].what};
    }
    *out = v;
    return n;
}

/* ---- Lists --------------------------------------------------------------- */

/* A list of recipients. Lists of families (pupils, parents) send one
 * private thread per member, so that nobody sees who else received it;
 * lists of staff make one shared thread. */
enum list_kind { L_CLASS_PARENTS, L_CLASS_PUPILS, L_CLASS_TEACHERS, L_GROUP_PUPILS, L_LEVEL_PARENTS, L_LEVEL_PUPILS, L_SCHOOL_LIFE, L_HEADS };

static const struct { const char *prefix, *label; bool families; } list_kinds[] = {
    [L_CLASS_PARENTS] = {"lp_", "messages.list_parents", true},   [L_CLASS_PUPILS] = {"lc_", "messages.list_pupils", true},
    [L_CLASS_TEACHERS] = {"lt_", "messages.list_teachers", false}, [L_GROUP_PUPILS] = {"lg_", "messages.list_pupils", true},
    [L_LEVEL_PARENTS] = {"lvp_", "messages.list_level_parents", true}, [L_LEVEL_PUPILS] = {"lvc_", "messages.list_level_pupils", true},
    [L_SCHOOL_LIFE] = {"ls_", "messages.list_school_life", false}, [L_HEADS] = {"lh_", "messages.list_heads", false},
};
#define NLIST_KINDS (sizeof list_kinds / sizeof list_kinds[0])

struct list {
    enum list_kind kind;
    int64_t id, level;        /* class, group or establishment; level for the level lists */
    const char *name;         /* the class, group, level or establishment */
    const char *section;      /* heading it is shown under */
};

/* The lists offered to the actor: a teacher's classes and groups; every
 * class, group and level of the establishments where they are school-life
 * staff or head; the teaching team of a family's classes; everyone's
 * school life and head. A list never widens the communication policy:
 * members it does not allow are left out when sending. */
static const char *const q_offer =
    /* classes: parents, pupils and teachers of the class; shown by level */
    "SELECT 'c', c.id, 0, c.name, e.name || ' — ' || l.name, l.ordinal, e.name FROM class c JOIN level l ON l.id = c.level_id"
    " JOIN establishment e ON e.id = c.establishment_id JOIN school_year y ON y.id = c.school_year_id AND y.starts_on <= $2 AND y.ends_on >= $2"
    " WHERE c.id IN (SELECT class_id FROM teaching WHERE teacher_id = $1) OR c.establishment_id IN (SELECT establishment_id FROM role"
    " WHERE person_id = $1 AND profile IN ('staff', 'head') AND starts_on <= $2 AND (ends_on IS NULL OR ends_on >= $2))"
    /* levels of the establishments run by the actor, with their classes */
    " UNION ALL SELECT DISTINCT 'l', c.establishment_id, l.id, l.name, e.name || ' — ' || l.name, l.ordinal, e.name FROM class c"
    " JOIN level l ON l.id = c.level_id JOIN establishment e ON e.id = c.establishment_id"
    " JOIN school_year y ON y.id = c.school_year_id AND y.starts_on <= $2 AND y.ends_on >= $2"
    " WHERE c.establishment_id IN (SELECT establishment_id FROM role WHERE person_id = $1 AND profile IN ('staff', 'head')"
    " AND starts_on <= $2 AND (ends_on IS NULL OR ends_on >= $2))"
    /* groups, with the establishment's own lists */
    " UNION ALL SELECT 'g', g.id, 0, g.name, e.name, -2, e.name FROM grp g JOIN establishment e ON e.id = g.establishment_id"
    " JOIN school_year y ON y.id = g.school_year_id AND y.starts_on <= $2 AND y.ends_on >= $2"
    " WHERE g.id IN (SELECT grp_id FROM teaching WHERE teacher_id = $1) OR g.establishment_id IN (SELECT establishment_id FROM role"
    " WHERE person_id = $1 AND profile IN ('staff', 'head') AND starts_on <= $2 AND (ends_on IS NULL OR ends_on >= $2))"
    /* a family: the teaching team of each (child's) class, named after the pupil */
    " UNION ALL SELECT 't', c.id, 0, p.first_name || ' (' || c.name || ')', e.name, -1, e.name FROM enrolment en JOIN class c ON c.id = en.class_id"
    " JOIN person p ON p.id = en.pupil_id JOIN establishment e ON e.id = c.establishment_id"
    " WHERE (en.pupil_id = $1 OR en.pupil_id IN " SQL_CHILDREN_OF_1 ")"
    " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"
    /* school life and head of every establishment of the actor */
    " UNION SELECT 'e', e.id, 0, e.name, e.name, -1, e.name FROM establishment e WHERE e.id IN (SELECT establishment_id FROM role WHERE person_id = $1"
    " AND establishment_id IS NOT NULL AND starts_on <= $2 AND (ends_on IS NULL OR ends_on >= $2)"
    " UNION SELECT c.establishment_id FROM enrolment en JOIN class c ON c.id = en.class_id"
    " WHERE (en.pupil_id = $1 OR en.pupil_id IN " SQL_CHILDREN_OF_1 ")"
    " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2))"
    " ORDER BY 7, 6, 1 DESC, 4";

static size_t lists_offered(struct req *r, struct list **out)
{
    char today[11];
    clock_today(today);
    struct stmt *st = store_q(store_thread(), q_offer, "it", r->actor->person_id, today);
    size_t n = 0, cap = 0;
    struct list *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        char what = stmt_text(st, 0)[0];
        int64_t id = stmt_int(st, 1), level = stmt_int(st, 2);
        const char *name = arena_strdup(&r->arena, stmt_text(st, 3)), *section = arena_strdup(&r->arena, stmt_text(st, 4));
        static const enum list_kind by_class[] = {L_CLASS_PARENTS, L_CLASS_PUPILS, L_CLASS_TEACHERS};
        static const enum list_kind by_level[] = {L_LEVEL_PARENTS, L_LEVEL_PUPILS};
        static const enum list_kind by_group[] = {L_GROUP_PUPILS};
        static const enum list_kind team[] = {L_CLASS_TEACHERS};
        static const enum list_kind by_est[] = {L_SCHOOL_LIFE, L_HEADS};
        const enum list_kind *k = what == 'c' ? by_class : what == 'l' ? by_level : what == 'g' ? by_group : what == 't' ? team : by_est;
        size_t nk = what == 'c' ? 3 : what == 'l' ? 2 : what == 'g' ? 1 : what == 't' ? 1 : 2;
        for (size_t i = 0; i < nk; i++) {
            v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
            v[n++] = (struct list){k[i], id, level, name, section};
        }
    }
    stmt_done(st);
    *out = v;
    return n;
}

static const char *list_field(struct req *r, const struct list *l)
{
    if (l->kind == L_LEVEL_PARENTS || l->kind == L_LEVEL_PUPILS)
        return arena_printf(&r->arena, "%s%lld_%lld", list_kinds[l->kind].prefix, (long long)l->id, (long long)l->level);
    return arena_printf(&r->arena, "%s%lld", list_kinds[l->kind].prefix, (long long)l->id);
}

static const char *list_label(struct req *r, const struct list *l)
{
    if (l->kind == L_CLASS_TEACHERS && !policy_is_staff(r->actor))
        return tr_fmt(r, "messages.list_team", l->name, NULL);   /* the teaching team of <pupil> (<class>) */
    return tr_fmt(r, list_kinds[l->kind].label, l->name, NULL);
}

/* Members of a list, today. */
static size_t list_members(struct req *r, const struct list *l, int64_t **out)
{
    char today[11];
    clock_today(today);
    struct store *s = store_thread();
    struct stmt *st = NULL;
    switch (l->kind) {
    case L_CLASS_PARENTS:
        st = store_q(s, "SELECT DISTINCT g.parent_id FROM enrolment en JOIN guardianship g ON g.pupil_id = en.pupil_id WHERE en.class_id = $1"
                        " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)"
                        " AND g.receives_mail = 1 AND g.legal_responsibility = 1", "it", l->id, today);
        break;
    case L_CLASS_PUPILS:
        st = store_q(s, "SELECT pupil_id FROM enrolment WHERE class_id = $1 AND starts_on <= $2 AND (ends_on IS NULL OR ends_on >= $2)",
                     "it", l->id, today);
        break;
    case L_CLASS_TEACHERS:
        st = store_q(s, "SELECT teacher_id FROM teaching WHERE class_id = $1 UNION SELECT t.teacher_id FROM teaching t"
                        " JOIN group_member gm ON gm.grp_id = t.grp_id JOIN enrolment en ON en.pupil_id = gm.pupil_id"
                        " WHERE en.class_id = $1 AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2)", "it", l->id, today);
        break;
    case L_GROUP_PUPILS:
        st = store_q(s, "SELECT pupil_id FROM group_member WHERE grp_id = $1", "i", l->id);
        break;
    case L_LEVEL_PARENTS:
        st = store_q(s, "SELECT DISTINCT g.parent_id FROM class c JOIN enrolment en ON en.class_id = c.id JOIN guardianship g ON g.pupil_id = en.pupil_id"
                        " JOIN school_year y ON y.id = c.school_year_id AND y.starts_on <= $3 AND y.ends_on >= $3"
                        " WHERE c.establishment_id = $1 AND c.level_id = $2 AND en.starts_on <= $3 AND (en.ends_on IS NULL OR en.ends_on >= $3)"
                        " AND g.receives_mail = 1 AND g.legal_responsibility = 1", "iit", l->id, l->level, today);
        break;
    case L_LEVEL_PUPILS:
        st = store_q(s, "SELECT en.pupil_id FROM class c JOIN enrolment en ON en.class_id = c.id"
                        " JOIN school_year y ON y.id = c.school_year_id AND y.starts_on <= $3 AND y.ends_on >= $3"
                        " WHERE c.establishment_id = $1 AND c.level_id = $2 AND en.starts_on <= $3 AND (en.ends_on IS NULL OR en.ends_on >= $3)",
                     "iit", l->id, l->level, today);
        break;
    case L_SCHOOL_LIFE:
    case L_HEADS:
        st = store_q(s, "SELECT DISTINCT person_id FROM role WHERE establishment_id = $1 AND profile = $2 AND starts_on <= $3"
                        " AND (ends_on IS NULL OR ends_on >= $3)", "itt", l->id, l->kind == L_HEADS ? "head" : "staff", today);
        break;
    }
    return messages_ids(r, st, out);
}

size_t messages_ids(struct req *r, struct stmt *st, int64_t **out)
{
    size_t n = 0, cap = 0;
    int64_t *v = NULL;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(&r->arena, v, n, &cap, sizeof *v);
        v[n++] = stmt_int(st, 0);
    }
    stmt_done(st);
    *out = v;
    return n;
}

static void lists_fieldset(struct req *r, const struct list *v, size_t n, const char *checked)
{
    if (!n) return;
    out(r, "<fieldset><legend>%h</legend><p class=\"help\">%h</p>", tr(r, "messages.lists"), tr(r, "messages.lists_help"));
    const char *section = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!section || strcmp(section, v[i].section)) {
            if (section) out(r, "</details>");
            section = v[i].section;
            out(r, "<details%R><summary>%h</summary>", i ? "" : " open", section); /* RAW_OK: literal */
        }
        const char *field = list_field(r, &v[i]);
        bool on = checked && strstr(checked, arena_printf(&r->arena, ",%s,", field));
        out(r, "<label class=\"check\"><input type=\"checkbox\" name=\"%h\" value=\"1\"%R> %h</label>", field, on ? " checked" : "", /* RAW_OK: literal */
            list_label(r, &v[i]));
    }
    out(r, "</details></fieldset>");
}

/* ---- The compose page -------------------------------------------------------- */

static int64_t home_establishment(struct req *r);
static int64_t new_draft_of(struct req *r, int64_t *thread, bool *answer);

void messages_quiet_notice(struct req *r, int64_t est)
{
    if (est) diffusion_notice(r, diffusion_load(store_thread(), &r->arena, est), "messages.quiet_notice");
}

/* What the form starts with: a draft, a message to forward, an answer to
 * one author, or nothing. */
struct start {
    int64_t draft, forward, reply_to;
    const char *subject, *body, *checked;   /* checked: ",field,field," */
};

static struct start start_of(struct req *r)
{
    struct store *s = store_thread();
    struct start st0 = {.subject = param(r, "subject"), .body = param(r, "body"), .checked = ","};
    int64_t thread = 0;
    if ((st0.draft = new_draft_of(r, &thread, NULL))) {
        struct stmt *st = store_q(s, "SELECT t.subject, m.body, coalesce(m.draft_to, '') FROM message m JOIN thread t ON t.id = m.thread_id"
                                     " WHERE m.id = $1", "i", st0.draft);
        if (st && stmt_step(st) == STORE_ROW) {
            if (!st0.subject) st0.subject = arena_strdup(&r->arena, stmt_text(st, 0));
            if (!st0.body) st0.body = arena_strdup(&r->arena, stmt_text(st, 1));
            st0.checked = arena_printf(&r->arena, ",%s,", stmt_text(st, 2));
        }
        stmt_done(st);
    }
    int64_t quoted = param_int(r, "transferer") ? param_int(r, "transferer") : param_int(r, "repondre");
    if (quoted && messages_readable(r, quoted)) {
        struct stmt *st = store_q(s, "SELECT t.subject, m.body, p.first_name, p.last_name, m.created_at, m.author_id FROM message m"
                                     " JOIN thread t ON t.id = m.thread_id JOIN person p ON p.id = m.author_id WHERE m.id = $1", "i", quoted);
        if (st && stmt_step(st) == STORE_ROW) {
            bool fwd = param_int(r, "transferer") != 0;
            if (fwd) st0.forward = quoted;
            else st0.reply_to = stmt_int(st, 5);
            if (!st0.subject) st0.subject = arena_printf(&r->arena, "%s %s", fwd ? tr(r, "messages.fwd_prefix") : tr(r, "messages.re_prefix"),
                                                         stmt_text(st, 0));
            if (!st0.body && fwd) {
                /* The forwarded text, quoted line by line in Markdown. */
                struct buf b;
                buf_init(&b);
                buf_puts(&b, "\n\n");
                buf_puts(&b, tr_fmt(r, "messages.fwd_header",
                                                   arena_printf(&r->arena, "%s %s", stmt_text(st, 2), stmt_text(st, 3)),
                                                   page_datetime(r, stmt_int(st, 4))));
                buf_puts(&b, "\n\n> ");
                for (const char *p = stmt_text(st, 1); *p; p++) {
                    buf_put(&b, p, 1);
                    if (*p == '\n') buf_put(&b, "> ", 2);
                }
                st0.body = arena_strdup(&r->arena, buf_cstr(&b));
                buf_free(&b);
            }
        }
        stmt_done(st);
    }
    return st0;
}

static void compose_render(struct req *r, const char *error)
{
    const char *q = param(r, "q");
    struct start s0 = start_of(r);
    int64_t chosen = param_int(r, "a") ? param_int(r, "a") : s0.reply_to;
    struct candidate *v;
    size_t n = candidates(r, q, chosen, &v);
    struct list *lists;
    size_t nlists = lists_offered(r, &lists);
    const struct kv *to;
    size_t nto = param_prefixed(r, "to_", &to);
    page_begin(r, tr(r, "messages.compose"));
    out(r, "<h1>%h</h1>", tr(r, "messages.compose"));
    if (error) out(r, "<p class=\"error\" role=\"alert\">%h</p>", error);
    if (param_bool(r, "enregistre")) out(r, "<p class=\"notice\" role=\"status\">%h</p>", tr(r, "messages.draft_saved"));
    int64_t home = home_establishment(r);
    messages_quiet_notice(r, home);
    out(r, "<form method=\"get\" action=\"/messagerie/nouveau\" class=\"inline-form\" role=\"search\"><label for=\"q\">%h</label>"
           "<input id=\"q\" name=\"q\" value=\"%h\" maxlength=\"60\" autocomplete=\"off\">",
        tr(r, "messages.search"), q ? q : "");
    if (s0.draft) out(r, "<input type=\"hidden\" name=\"brouillon\" value=\"%I\">", s0.draft);
    out(r, "<button type=\"submit\">%h</button></form>", tr(r, "messages.search_button"));
    out(r, "<form method=\"post\" action=\"/messagerie/nouveau\" class=\"stack card\" enctype=\"multipart/form-data\">");
    page_csrf_input(r);
    if (s0.draft) out(r, "<input type=\"hidden\" name=\"brouillon\" value=\"%I\">", s0.draft);
    if (s0.forward) out(r, "<input type=\"hidden\" name=\"transferer\" value=\"%I\">", s0.forward);
    out(r, "<fieldset><legend>%h</legend>", tr(r, "messages.to"));
    if (!n) out(r, "<p class=\"meta\">%h</p>", tr(r, q ? "messages.no_match" : "messages.search_help"));
    for (size_t i = 0; i < n; i++) {
        const char *field = arena_printf(&r->arena, "to_%lld", (long long)v[i].id);
        bool on = v[i].id == chosen || strstr(s0.checked, arena_printf(&r->arena, ",%s,", field));
        for (size_t k = 0; k < nto && !on; k++) on = !strcmp(to[k].name, field) && !strcmp(to[k].value, "1");
        out(r, "<label class=\"check\"><input type=\"checkbox\" name=\"%h\" value=\"1\"%R> %h <span class=\"meta\">%h</span></label>", field,
            on ? " checked" : "", v[i].name, v[i].what); /* RAW_OK: literal */
    }
    out(r, "</fieldset>");
    lists_fieldset(r, lists, nlists, s0.checked);
    out(r, "<label for=\"subject\">%h</label><input id=\"subject\" name=\"subject\" maxlength=\"150\" value=\"%h\">"
           "<label for=\"body\">%h</label><textarea id=\"body\" name=\"body\" rows=\"8\" maxlength=\"10000\" aria-describedby=\"md-help\">%h</textarea>"
           "<p class=\"help\" id=\"md-help\">%h</p>",
        tr(r, "messages.subject"), s0.subject ? s0.subject : "", tr(r, "messages.body"), s0.body ? s0.body : "", tr(r, "log.markdown_help"));
    int64_t carried = s0.forward ? s0.forward : s0.draft;
    if (carried) {
        struct attachment_ref *f;
        size_t nf = files_list(store_thread(), &r->arena, "message", carried, &f);
        if (nf) {
            out(r, "<p class=\"meta\">%h</p><ul class=\"plain files\">", tr(r, "messages.carried_files"));
            for (size_t i = 0; i < nf; i++) out(r, "<li>%h</li>", f[i].name);
            out(r, "</ul>");
        }
    }
    if (home && policy_may(store_thread(), r->actor, ACT_MESSAGE_URGENT, OBJECT(OBJ_ESTABLISHMENT, home)))
        out(r, "<fieldset><legend>%h</legend><label class=\"check\"><input type=\"checkbox\" name=\"urgent\" value=\"1\"> %h</label>"
               "<label for=\"motif_urgence\">%h</label><input id=\"motif_urgence\" name=\"motif_urgence\" maxlength=\"200\"></fieldset>",
            tr(r, "messages.urgent"), tr(r, "messages.urgent_label"), tr(r, "messages.urgent_reason"));
    out(r, "<details><summary>%h</summary><label for=\"envoyer_le\">%h</label><input id=\"envoyer_le\" name=\"envoyer_le\" type=\"datetime-local\""
           " aria-describedby=\"schedule-help\"><p class=\"help\" id=\"schedule-help\">%h</p></details>",
        tr(r, "messages.schedule"), tr(r, "messages.schedule_at"), tr(r, "messages.schedule_help"));
    messages_form_end(r, tr(r, "messages.send"));
    page_end(r);
}

static void compose_page(struct req *r)
{
    /* A draft answer is picked up in its thread's answer box. */
    int64_t thread = 0;
    bool answer = false;
    new_draft_of(r, &thread, &answer);
    if (answer) {
        reply_redirect(r, arena_printf(&r->arena, "/messagerie/fils/%lld#reponse",
                                       (long long)thread));
        return;
    }
    compose_render(r, NULL);
}

void messages_form_end(struct req *r, const char *send_label)
{
    out(r, "<label for=\"piece\">%h</label><input id=\"piece\" type=\"file\" name=\"piece\" multiple aria-describedby=\"piece-help\">"
           "<p class=\"help\" id=\"piece-help\">%h</p><p class=\"row\"><button type=\"submit\" name=\"action\" value=\"send\" class=\"primary\">%h</button>"
           " <button type=\"submit\" name=\"action\" value=\"draft\">%h</button></p></form>",
        tr(r, "messages.attachments"),
        tr_fmt(r, "messages.attachments_help", arena_printf(&r->arena, "%d", MESSAGE_ATTACHMENTS_MAX),
               arena_printf(&r->arena, "%d", MESSAGE_ATTACHMENTS_MAX_BYTES / (1024 * 1024))),
        send_label, tr(r, "messages.save_draft"));
}

static void fail(struct req *r, int status, const char *msg)
{
    if (r->api) {
        reply_error(r, status, msg);
        return;
    }
    r->status = status;
    compose_render(r, msg);
}

/* ---- Limits and the anomaly rule (R-SEC) ------------------------------------ */

const char *messages_limit_reached(struct req *r, int64_t est, bool new_thread, size_t n)
{
    struct store *s = store_thread();
    bool staff = policy_is_staff(r->actor);
    int64_t now = clock_now(), last_hour = 0, today = 0;
    const char *reason = NULL, *msg = NULL;
    store_int(s, &last_hour, "SELECT count(DISTINCT coalesce(t.broadcast_id, -m.id)) FROM message m JOIN thread t ON t.id = m.thread_id"
                             " WHERE m.author_id = $1 AND m.created_at > $2 AND m.state <> 'draft'", "ii", r->actor->person_id, now - 3600);
    if (new_thread)
        store_int(s, &today, "SELECT count(*) FROM thread WHERE created_by = $1 AND created_at > $2"
                             " AND (broadcast_id IS NULL OR broadcast_id = id) AND EXISTS (SELECT 1 FROM message WHERE thread_id = thread.id"
                             " AND state <> 'draft')", "ii", r->actor->person_id, now - 86400);
    if (!staff && n > MESSAGE_FAMILY_RECIPIENTS) {
        reason = "recipients";
        msg = tr_fmt(r, "messages.err.limit_recipients", arena_printf(&r->arena, "%d", MESSAGE_FAMILY_RECIPIENTS), NULL);
    } else if (last_hour >= (staff ? MESSAGE_STAFF_PER_HOUR : MESSAGE_FAMILY_PER_HOUR)) {
        reason = "per_hour";
        msg = tr(r, "messages.err.limit_hour");
    } else if (new_thread && today >= (staff ? MESSAGE_STAFF_THREADS_PER_DAY : MESSAGE_FAMILY_THREADS_PER_DAY)) {
        reason = "threads_per_day";
        msg = tr(r, "messages.err.limit_day");
    }
    if (!reason) return NULL;
    audit(s, r, 0, "message.limit", arena_printf(&r->arena, "person:%lld", (long long)r->actor->person_id), reason);
    if (!staff && est)
        store_run(s, "INSERT INTO message_alert (establishment_id, person_id, reason, created_at) VALUES ($1, $2, $3, $4)", "iiti", est,
                  r->actor->person_id, reason, now);
    return msg;
}

/* Why d should be held for the head's review, or NULL: see the anomaly
 * rule in messages.h. */
static const char *anomaly(struct req *r, const struct delivery *d)
{
    struct store *s = store_thread();
    int64_t open = 0, recent = 0;
    store_int(s, &open, "SELECT count(*) FROM message_hold WHERE person_id = $1 AND state = 'open'", "i", r->actor->person_id);
    if (open) return "open_hold";
    store_int(s, &recent, "SELECT count(DISTINCT tp.person_id) FROM thread t JOIN thread_participant tp ON tp.thread_id = t.id"
                          " WHERE t.created_by = $1 AND t.created_at > $2 AND tp.person_id <> $1"
                          " AND EXISTS (SELECT 1 FROM message WHERE thread_id = t.id AND state <> 'draft')",
              "ii", r->actor->person_id, clock_now() - MESSAGE_ANOMALY_WINDOW_S);
    int64_t threshold = policy_is_staff(r->actor) ? MESSAGE_ANOMALY_STAFF : MESSAGE_ANOMALY_FAMILY;
    return recent + (int64_t)d->n > threshold ? "recipients" : NULL;
}

/* ---- Delivery --------------------------------------------------------------- */

int64_t messages_delivery_time(struct req *r, int64_t est, const int64_t *to, size_t n, int64_t t)
{
    struct store *s = store_thread();
    const struct diffusion *d = diffusion_load(s, &r->arena, est);
    char today[11];
    clock_today(today);
    static const char *const q_staff = "SELECT count(*) FROM role WHERE person_id = $1 AND establishment_id = $2"
                                       " AND profile IN ('teacher', 'staff', 'head') AND starts_on <= $3 AND (ends_on IS NULL OR ends_on >= $3)";
    /* Between staff, when the establishment allows it: at once. */
    bool staff = d->staff_exempt && n > 0;
    int64_t k = 0;
    staff = staff && store_int(s, &k, q_staff, "iit", r->actor->person_id, est, today) == 1 && k > 0;
    for (size_t i = 0; staff && i < n; i++) staff = store_int(s, &k, q_staff, "iit", to[i], est, today) == 1 && k > 0;
    return staff ? t : diffusion_release_at(d, t);
}

int64_t messages_release_at(struct req *r, int64_t est, int64_t t)
{
    return diffusion_release_at(diffusion_load(store_thread(), &r->arena, est), t);
}

/* Messages still waiting in est: their moment again from when they were
 * written, under d (between staff at once when d exempts them). */
int messages_reschedule(struct store *s, struct arena *a, const struct diffusion *d, int64_t now)
{
    char today[11];
    clock_today(today);
    struct stmt *st = store_q(s,
        "SELECT m.id, m.thread_id, m.created_at, m.visible_at, NOT EXISTS (SELECT 1 FROM thread_participant tp WHERE tp.thread_id = m.thread_id"
        " AND NOT EXISTS (SELECT 1 FROM role ro WHERE ro.person_id = tp.person_id AND ro.establishment_id = $1"
        " AND ro.profile IN ('teacher', 'staff', 'head') AND ro.starts_on <= $3 AND (ro.ends_on IS NULL OR ro.ends_on >= $3)))"
        " FROM message m JOIN thread t ON t.id = m.thread_id WHERE t.establishment_id = $1 AND m.state = 'sent' AND m.visible_at > $2",
        "iit", d->establishment, now, today);
    struct row { int64_t id, thread, at, old; bool staff; } *v = NULL;
    size_t n = 0, cap = 0;
    while (st && stmt_step(st) == STORE_ROW) {
        v = arena_grow(a, v, n, &cap, sizeof *v);
        v[n++] = (struct row){stmt_int(st, 0), stmt_int(st, 1), stmt_int(st, 2), stmt_int(st, 3), stmt_int(st, 4) != 0};
    }
    stmt_done(st);
    int changed = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t t = v[i].staff && d->staff_exempt ? v[i].at : diffusion_release_at(d, v[i].at);
        if (t == v[i].old) continue;
        if (store_run(s, "UPDATE message SET visible_at = $2 WHERE id = $1", "ii", v[i].id, t) < 0 ||
            store_run(s, "UPDATE thread_participant SET first_in_at = $3 WHERE thread_id = $1 AND first_in_at = $2", "iii", v[i].thread,
                      v[i].old, t) < 0 ||
            store_run(s, "UPDATE notification SET visible_at = $2 WHERE item = $1", "ti", arena_printf(a, "message:%lld", (long long)v[i].id),
                      t) < 0)
            return -1;
        changed++;
    }
    return changed;
}

const char *messages_author_name(struct req *r)
{
    return arena_printf(&r->arena, "%s %s", r->actor->first_name, r->actor->last_name);
}

int messages_notify(struct req *r, const char *who, int64_t est, int64_t thread, int64_t msg, const int64_t *to, size_t n,
                    const char *subject, int64_t visible, bool answer)
{
    struct notice nt = {.service = "messages",
                        .title = i18n_fmt(&r->arena, "fr", answer ? "notify.message_answer" : "notify.message_new", who, subject),
                        .url = arena_printf(&r->arena, "/messagerie/fils/%lld", (long long)thread),
                        .item = arena_printf(&r->arena, "message:%lld", (long long)msg), .establishment = est, .visible_at = visible};
    return notify_add(store_thread(), to, n, &nt);
}

int64_t messages_deliver(struct req *r, const struct delivery *d, bool *held)
{
    struct store *s = store_thread();
    int64_t me = r->actor->person_id, now = clock_now(), first = 0, first_msg = 0;
    const char *hold = d->anomaly_rule ? anomaly(r, d) : NULL;
    *held = hold != NULL;
    int64_t visible = hold ? 0 : d->urgent ? now : messages_delivery_time(r, d->establishment, d->to, d->n, d->not_before > now ? d->not_before : now);
    const char *who = messages_author_name(r);
    if (store_begin(s) < 0) goto failed;
    size_t nthreads = d->private_each ? d->n : 1;
    for (size_t g = 0; g < nthreads; g++) {
        int64_t thread = 0, msg = 0;
        if (store_int(s, &thread, "INSERT INTO thread (establishment_id, subject, created_by, created_at, last_message_at, broadcast_id, kind)"
                                  " VALUES ($1, $2, $3, $4, $4, $5, $6) RETURNING id", "itiiNt", d->establishment, d->subject, me, now,
                      first, d->kind ? d->kind : "private") != 1)
            goto failed;
        if (d->private_each && !first && store_run(s, "UPDATE thread SET broadcast_id = id WHERE id = $1", "i", thread) < 0) goto failed;
        if (!first) first = thread;
        if (store_int(s, &msg, "INSERT INTO message (thread_id, author_id, body, created_at, state, visible_at) VALUES ($1, $2, $3, $4, $5, $6)"
                               " RETURNING id", "iititN", thread, me, d->body, now, hold ? "held" : "sent", visible) != 1 ||
            store_run(s, "INSERT INTO thread_participant (thread_id, person_id, joined_at, last_read_message_id) VALUES ($1, $2, $3, $4)",
                      "iiii", thread, me, now, msg) < 0)
            goto failed;
        size_t from = d->private_each ? g : 0, to = d->private_each ? g + 1 : d->n;
        for (size_t i = from; i < to; i++)
            if (store_run(s, "INSERT INTO thread_participant (thread_id, person_id, joined_at, first_in_at) VALUES ($1, $2, $3, $4)", "iiiN",
                          thread, d->to[i], now, visible) < 0)
                goto failed;
        /* A held message notifies nobody until the head releases it. */
        if (!hold && messages_notify(r, who, d->establishment, thread, msg, d->to + from, to - from, d->subject, visible, false) < 0) goto failed;
        if (!first_msg) {
            first_msg = msg;
            for (size_t f = 0; f < d->nfiles; f++)
                if (!files_attach(r, d->files[f], "message", msg)) goto failed;
            if (d->copy_files_of && files_copy(s, "message", d->copy_files_of, "message", msg) < 0) goto failed;
            if (d->draft && messages_draft_consume(r, d->draft, msg) < 0) goto failed;
            /* Review #2: what it carries counts with what is sent with it
             * (the uploads alone were checked before). */
            if (d->copy_files_of || d->draft) {
                int status = 0;
                const char *over = messages_files_over(r, msg, &status);
                if (over) {
                    if (status == 413 && d->refused) *d->refused = over;
                    goto failed;
                }
            }
        } else if ((d->nfiles || d->copy_files_of || d->draft) && files_copy(s, "message", first_msg, "message", msg) < 0) {
            goto failed;
        }
    }
    if (hold && store_run(s, "INSERT INTO message_hold (establishment_id, person_id, thread_id, recipients, reason, created_at)"
                             " VALUES ($1, $2, $3, $4, $5, $6)", "iiiiti", d->establishment, me, first, (int64_t)d->n, hold, now) < 0)
        goto failed;
    if (hold && !policy_is_staff(r->actor) &&
        store_run(s, "INSERT INTO message_alert (establishment_id, person_id, reason, created_at) VALUES ($1, $2, 'held', $3)", "iii",
                  d->establishment, me, now) < 0)
        goto failed;
    if (store_commit(s) < 0) goto failed;
    if (d->urgent && !hold)
        audit(s, r, 0, "message.urgent", arena_printf(&r->arena, "thread:%lld", (long long)first), d->urgent);
    audit(s, r, 0, hold ? "message.held" : d->private_each ? "message.broadcast" : "message.sent",
          arena_printf(&r->arena, "thread:%lld", (long long)first),
          arena_printf(&r->arena, "%zu recipient(s)%s%s", d->n, hold ? ", anomaly: " : "", hold ? hold : ""));
    return first;
failed:
    store_rollback(s);
    return 0;
}

/* ---- Drafts ----------------------------------------------------------------- */

int64_t messages_draft_of(struct req *r, int64_t draft, int64_t *thread)
{
    int64_t t = 0;
    if (!draft || store_int(store_thread(), &t, "SELECT thread_id FROM message WHERE id = $1 AND author_id = $2 AND state = 'draft'", "ii",
                            draft, r->actor->person_id) != 1)
        return 0;
    if (thread) *thread = t;
    return draft;
}

/* Review #1: the actor's draft of a new message named by "brouillon": one
 * whose thread holds nothing but it, so that its subject is its own. A
 * draft answer in a thread (the thread holds other messages: someone
 * else's subject) is not one: 0, *answer set and *thread its thread; it is
 * picked up, saved and sent from the thread's answer box. */
static int64_t new_draft_of(struct req *r, int64_t *thread, bool *answer)
{
    int64_t t = 0, others = 0;
    int64_t draft = messages_draft_of(r, param_int(r, "brouillon"), &t);
    if (answer) *answer = false;
    if (!draft) return 0;
    if (thread) *thread = t;
    if (store_int(store_thread(), &others,
                  "SELECT count(*) FROM message WHERE thread_id = $1 AND id <> $2", "ii", t,
                  draft) == 1 &&
        !others)
        return draft;
    if (answer) *answer = true;
    return 0;
}

/* Inside a transaction: the draft goes, its attachments to message (or
 * with it when 0), its thread too when it held nothing else. */
static int draft_remove(struct store *s, int64_t draft, int64_t thread, int64_t message)
{
    int64_t others = 0;
    if ((message ? store_run(s, "UPDATE attachment SET owner_id = $2"
                                " WHERE owner = 'message' AND owner_id = $1", "ii", draft, message)
                 : store_run(s, "DELETE FROM attachment WHERE owner = 'message' AND owner_id = $1",
                             "i", draft)) < 0 ||
        store_run(s, "DELETE FROM message WHERE id = $1", "i", draft) < 0 ||
        store_int(s, &others, "SELECT count(*) FROM message WHERE thread_id = $1", "i", thread) < 0)
        return -1;
    if (!others && (store_run(s, "DELETE FROM thread_participant WHERE thread_id = $1", "i", thread) < 0 ||
                    store_run(s, "DELETE FROM thread WHERE id = $1", "i", thread) < 0))
        return -1;
    return 0;
}

int messages_draft_consume(struct req *r, int64_t draft, int64_t message)
{
    int64_t thread = 0;
    if (!messages_draft_of(r, draft, &thread)) return 0;
    return draft_remove(store_thread(), draft, thread, message);
}

/* "3 pièces jointes et 1.2 Mo en tout": n files of `bytes` together. */
static const char *files_amount(struct req *r, int64_t n, int64_t bytes)
{
    return tr_fmt(r, "messages.files_amount", arena_printf(&r->arena, "%lld", (long long)n),
                  files_size_text(r, bytes));
}

static const char *over_message_limits(struct req *r, const char *key, int64_t n, int64_t bytes)
{
    if (n <= MESSAGE_ATTACHMENTS_MAX && bytes <= MESSAGE_ATTACHMENTS_MAX_BYTES) return NULL;
    return tr_fmt(r, key, files_amount(r, MESSAGE_ATTACHMENTS_MAX, MESSAGE_ATTACHMENTS_MAX_BYTES),
                  files_amount(r, n, bytes));
}

const char *messages_files_over(struct req *r, int64_t m, int *status)
{
    int64_t bytes = 0, n = files_total(store_thread(), "message", m, &bytes);
    *status = n < 0 ? 503 : 413;
    return n < 0 ? tr(r, "err.unavailable")
                 : over_message_limits(r, "messages.err.message_files", n, bytes);
}

/* How many drafts person has and their attachments' bytes together, after
 * taking the person's row lock on PostgreSQL (writers take turns on SQLite):
 * two saves of theirs count one after the other. -1 on a store error. */
static int64_t drafts_held(struct store *s, int64_t person, int64_t *kept)
{
    int64_t lock = 0, drafts = -1;
    if (store_locks_rows(s) &&
        store_int(s, &lock, "SELECT id FROM person WHERE id = $1 FOR UPDATE", "i", person) != 1)
        return -1;
    struct stmt *st = store_q(s, "SELECT (SELECT count(*) FROM message"
                                 " WHERE author_id = $1 AND state = 'draft'),"
                                 " (SELECT CAST(coalesce(sum(a.size), 0) AS BIGINT) FROM message m"
                                 " JOIN attachment a ON a.owner = 'message' AND a.owner_id = m.id"
                                 " WHERE m.author_id = $1 AND m.state = 'draft')",
                              "i", person);
    if (st && stmt_step(st) == STORE_ROW) {
        drafts = stmt_int(st, 0);
        *kept = stmt_int(st, 1);
    }
    stmt_done(st);
    return drafts;
}

const char *messages_draft_room(struct req *r, int64_t draft, int64_t carried,
                                const struct upload *const *files, size_t nfiles, int *status)
{
    struct store *s = store_thread();
    int64_t up = 0, n = 0, bytes = 0, kept = 0;
    for (size_t i = 0; i < nfiles; i++) up += (int64_t)files[i]->len;
    int64_t drafts = drafts_held(s, r->actor->person_id, &kept);
    if (drafts >= 0 && (draft || carried) &&
        (n = files_total(s, "message", draft ? draft : carried, &bytes)) < 0)
        drafts = -1;
    if (drafts < 0) {
        *status = 503;
        return tr(r, "err.unavailable");
    }
    *status = 413;
    /* What the draft would hold in all: checked when files come to it (a
     * draft saved before these limits keeps its text editable). */
    int64_t adding = up + (draft ? 0 : bytes);
    const char *over = nfiles || !draft ? over_message_limits(r, "messages.err.draft_files",
                                                              n + (int64_t)nfiles, bytes + up)
                                        : NULL;
    if (over) return over;
    if (!draft && drafts >= MESSAGE_DRAFTS_MAX) {
        *status = 409;
        return tr_fmt(r, "messages.err.drafts_count",
                      arena_printf(&r->arena, "%d", MESSAGE_DRAFTS_MAX), NULL);
    }
    if (adding && kept + adding > MESSAGE_DRAFTS_MAX_BYTES)
        return tr_fmt(r, "messages.err.drafts_storage",
                      files_size_text(r, MESSAGE_DRAFTS_MAX_BYTES),
                      files_size_text(r, kept + adding));
    return NULL;
}

/* The establishment a draft of a new message belongs to before it has a
 * recipient: the first of the actor's (or their children's). */
static int64_t home_establishment(struct req *r)
{
    char today[11];
    clock_today(today);
    int64_t est = 0;
    store_int(store_thread(), &est,
              "SELECT establishment_id FROM role WHERE person_id = $1 AND establishment_id IS NOT NULL AND starts_on <= $2"
              " AND (ends_on IS NULL OR ends_on >= $2) UNION ALL SELECT c.establishment_id FROM enrolment en JOIN class c ON c.id = en.class_id"
              " WHERE (en.pupil_id = $1 OR en.pupil_id IN " SQL_CHILDREN_OF_1 ")"
              " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2) LIMIT 1", "it", r->actor->person_id, today);
    return est;
}

/* Save the form as a draft: new, or draft (a draft of a new message, in
 * thread, from new_draft_of), the one it was opened from. */
static void save_draft(struct req *r, int64_t est, const char *checked,
                       const struct upload *const *files, size_t nfiles, int64_t draft,
                       int64_t thread)
{
    struct store *s = store_thread();
    int64_t me = r->actor->person_id, now = clock_now();
    const char *subject = param(r, "subject") ? param(r, "subject") : "", *body = param(r, "body") ? param(r, "body") : "";
    if (!est) est = home_establishment(r);
    if (!est) {
        fail(r, 400, tr(r, "messages.err.no_recipient"));
        return;
    }
    int64_t forward = param_int(r, "transferer");
    int64_t carried = !draft && forward && messages_readable(r, forward) ? forward : 0;
    if (store_begin(s) < 0) goto failed;
    int status = 0;
    const char *full = messages_draft_room(r, draft, carried, files, nfiles, &status);
    if (full) {
        store_rollback(s);
        if (status == 503) reply_error(r, 503, full);
        else fail(r, status, full);
        return;
    }
    if (draft) {
        /* The subject is the draft's own only while its thread holds
         * nothing else (new_draft_of said so; said again here). */
        if (store_run(s, "UPDATE thread SET subject = $2 WHERE id = $1 AND NOT EXISTS"
                         " (SELECT 1 FROM message WHERE thread_id = $1 AND id <> $3)",
                      "iti", thread, subject, draft) < 0 ||
            store_run(s, "UPDATE message SET body = $2, draft_to = $3, created_at = $4 WHERE id = $1", "itti", draft, body, checked, now) < 0)
            goto failed;
    } else {
        if (store_int(s, &thread, "INSERT INTO thread (establishment_id, subject, created_by, created_at, last_message_at)"
                                  " VALUES ($1, $2, $3, $4, $4) RETURNING id", "itii", est, subject, me, now) != 1 ||
            store_int(s, &draft, "INSERT INTO message (thread_id, author_id, body, created_at, state, draft_to)"
                                 " VALUES ($1, $2, $3, $4, 'draft', $5) RETURNING id", "iitit", thread, me, body, now, checked) != 1 ||
            store_run(s, "INSERT INTO thread_participant (thread_id, person_id, joined_at) VALUES ($1, $2, $3)", "iii", thread, me, now) < 0)
            goto failed;
        if (carried && files_copy(s, "message", carried, "message", draft) < 0) goto failed;
    }
    for (size_t f = 0; f < nfiles; f++)
        if (!files_attach(r, files[f], "message", draft)) goto failed;
    if (store_commit(s) < 0) goto failed;
    if (r->api) reply_json(r, 201, json_pack("{s:I,s:b}", "draft", (json_int_t)draft, "held", 0));
    else reply_redirect(r, arena_printf(&r->arena, "/messagerie/nouveau?brouillon=%lld&enregistre=1", (long long)draft));
    return;
failed:
    store_rollback(s);
    reply_error(r, 503, tr(r, "err.unavailable"));
}

/* Delete one of the actor's drafts (of a new message or of an answer)
 * with its attachments: room again under the limits of their drafts. */
static void draft_delete(struct req *r)
{
    struct store *s = store_thread();
    int64_t thread = 0, draft = messages_draft_of(r, param_int(r, "id"), &thread);
    if (!draft) {
        reply_error(r, 404, tr(r, "err.not_found"));
        return;
    }
    if (store_begin(s) < 0 || draft_remove(s, draft, thread, 0) < 0 || store_commit(s) < 0) {
        store_rollback(s);
        reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    if (r->api)
        reply_json(r, 200, json_pack("{s:I,s:b}", "draft", (json_int_t)draft, "deleted", 1));
    else reply_redirect(r, "/messagerie?dossier=drafts&supprime=1");
}

/* ---- Sending ---------------------------------------------------------------- */

const char *messages_uploads(struct req *r, const struct upload *const **files, size_t *n)
{
    const struct upload **v;
    *n = files_uploads(r, "piece", &v);
    *files = v;
    return *n ? files_check_all(r, v, *n, MESSAGE_ATTACHMENTS_MAX, MESSAGE_ATTACHMENTS_MAX_BYTES) : NULL;
}

/* Remember a recipient field for a draft: "to_12,lp_3". */
static void list_note(struct buf *b, const char *field)
{
    if (b->len) buf_putc(b, ',');
    buf_puts(b, field);
}

static bool has_id(const int64_t *v, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == id) return true;
    return false;
}

/* Who a message goes to: the people picked (each allowed, or 403 naming
 * them) and the members of the lists picked (each list offered to the
 * actor, members the policy does not allow left out). Reads only. 0, or
 * the HTTP status with out->error. */
struct resolved {
    int64_t *ids, establishment;
    size_t n;
    bool private_each;
    const char *checked;   /* the fields picked, for a draft */
    const char *error;
};

static int resolve(struct req *r, bool draft, struct resolved *out)
{
    struct store *s = store_thread();
    const struct kv *to;
    size_t nto = param_prefixed(r, "to_", &to);
    size_t idcap = nto + 1, n = 0;
    int64_t *ids = arena_alloc(&r->arena, idcap * sizeof *ids), est = 0;
    struct buf checked;
    buf_init(&checked);
    for (size_t i = 0; i < nto; i++) {
        if (strcmp(to[i].value, "1")) continue;
        int64_t id = strtoll(to[i].name + 3, NULL, 10);
        if (has_id(ids, n, id)) continue;
        if (n == MESSAGE_MAX_RECIPIENTS) {
            buf_free(&checked);
            out->error = tr_fmt(r, "messages.err.too_many", arena_printf(&r->arena, "%d", MESSAGE_MAX_RECIPIENTS), NULL);
            return 400;
        }
        ids[n++] = id;
        list_note(&checked, to[i].name);
    }
    int64_t *ests = arena_alloc(&r->arena, (n + 1) * sizeof *ests);
    policy_message_filter(s, r->actor, ids, n, ests);
    for (size_t i = 0; i < n; i++) {
        if (!ests[i]) {
            const char *who = persons_name(r, ids[i]);
            buf_free(&checked);
            out->error = *who ? tr_fmt(r, "messages.err.not_allowed", who, NULL) : tr(r, "messages.err.unknown");
            return 403;
        }
        if (!est) est = ests[i];
    }
    /* Lists: each must be one offered to the actor; members the policy
     * does not allow are left out. */
    struct list *offered;
    size_t noffered = lists_offered(r, &offered);
    bool private_each = false;
    for (size_t k = 0; k < NLIST_KINDS; k++) {
        const struct kv *f;
        size_t nf = param_prefixed(r, list_kinds[k].prefix, &f);
        for (size_t i = 0; i < nf; i++) {
            if (strcmp(f[i].value, "1")) continue;
            const struct list *l = NULL;
            for (size_t o = 0; o < noffered && !l; o++)
                if (offered[o].kind == k && !strcmp(list_field(r, &offered[o]), f[i].name)) l = &offered[o];
            if (!l) {
                buf_free(&checked);
                out->error = tr(r, "messages.err.list");
                return 403;
            }
            list_note(&checked, f[i].name);
            if (draft) continue;
            private_each |= list_kinds[k].families;
            int64_t *members;
            size_t nm = list_members(r, l, &members), fresh = 0;
            for (size_t m = 0; m < nm; m++)
                if (members[m] != r->actor->person_id && !has_id(ids, n, members[m]) && !has_id(members, fresh, members[m]))
                    members[fresh++] = members[m];
            if (n + fresh > MESSAGE_MAX_LIST_RECIPIENTS) {
                buf_free(&checked);
                out->error = tr_fmt(r, "messages.err.too_many", arena_printf(&r->arena, "%d", MESSAGE_MAX_LIST_RECIPIENTS), NULL);
                return 400;
            }
            int64_t *mests = arena_alloc(&r->arena, (fresh + 1) * sizeof *mests);
            policy_message_filter(s, r->actor, members, fresh, mests);
            for (size_t m = 0; m < fresh; m++) {
                if (!mests[m]) continue;
                if (!est) est = mests[m];
                ids = arena_grow(&r->arena, ids, n, &idcap, sizeof *ids);
                ids[n++] = members[m];
            }
        }
    }
    out->ids = ids;
    out->n = n;
    out->establishment = est;
    out->private_each = private_each;
    out->checked = arena_strdup(&r->arena, buf_cstr(&checked));
    buf_free(&checked);
    return 0;
}


/* The author's chosen delivery time ("envoyer_le", local time of the
 * establishment), if any: false after replying 400 when it is unreadable,
 * past, too far ahead, or combined with "urgent". */
static bool scheduled_at(struct req *r, int64_t est, const char *urgent, int64_t *out)
{
    const char *v = param(r, "envoyer_le");
    *out = 0;
    if (!v || !*v) return true;
    const struct diffusion *d = diffusion_load(store_thread(), &r->arena, est);
    char date[11];
    int64_t now = clock_now(), t = 0;
    int minute = strlen(v) > 11 && v[10] == 'T' ? clock_minutes(v + 11) : -1;
    if (minute >= 0) {
        snprintf(date, sizeof date, "%.10s", v);
        t = diffusion_local(d, date, minute);
    }
    const char *err = !t ? "messages.err.schedule" : urgent ? "messages.err.schedule_urgent" : t <= now ? "messages.err.schedule_past"
                    : t > now + MESSAGE_SCHEDULE_MAX_DAYS * 86400 ? "messages.err.schedule_far" : NULL;
    if (err) {
        fail(r, 400, tr_fmt(r, err, arena_printf(&r->arena, "%d", MESSAGE_SCHEDULE_MAX_DAYS), NULL));
        return false;
    }
    *out = t;
    return true;
}

static void send(struct req *r)
{
    struct store *s = store_thread();
    bool draft = param(r, "action") && !strcmp(param(r, "action"), "draft");
    /* Review #1: a draft answer in a thread is not a new message (it would
     * rename someone else's thread): saved and sent from its thread. */
    int64_t draft_thread = 0;
    bool answer = false;
    int64_t picked = new_draft_of(r, &draft_thread, &answer);
    if (answer) {
        fail(r, 409, tr(r, "messages.err.draft_answer"));
        return;
    }
    /* The recipients are read in one snapshot: one lock for the whole
     * lookup rather than one per query (a class list is hundreds). */
    struct resolved rc = {0};
    bool snapshot = store_begin_read(s) == 0;
    int status = resolve(r, draft, &rc);
    if (snapshot) store_end_read(s);
    if (status) {
        fail(r, status, rc.error);
        return;
    }
    int64_t *ids = rc.ids, est = rc.establishment;
    size_t n = rc.n;
    bool private_each = rc.private_each;
    const char *checked_s = rc.checked;
    const struct upload *const *files;
    size_t nfiles;
    const char *bad = messages_uploads(r, &files, &nfiles);
    if (bad) {
        fail(r, 400, bad);
        return;
    }
    if (draft) {
        save_draft(r, est, checked_s, files, nfiles, picked, draft_thread);
        return;
    }
    const char *subject = param(r, "subject"), *body = param(r, "body");
    if (!subject || !*subject || !body || !*body) {
        fail(r, 400, tr(r, !subject || !*subject ? "messages.err.subject" : "messages.err.body"));
        return;
    }
    if (!n) {
        fail(r, 400, tr(r, "messages.err.no_recipient"));
        return;
    }
    if (!policy_messaging_open(s, r->actor, est)) {
        audit(s, r, 0, "message.suspended", arena_printf(&r->arena, "establishment:%lld", (long long)est), "");
        fail(r, 403, tr(r, "messages.err.suspended"));
        return;
    }
    const char *limit = messages_limit_reached(r, est, true, n);
    if (limit) {
        fail(r, 429, limit);
        return;
    }
    int64_t forward = param_int(r, "transferer");
    if (forward && !messages_readable(r, forward)) {
        fail(r, 403, tr(r, "messages.err.not_participant"));
        return;
    }
    const char *urgent = NULL;
    if (param_bool(r, "urgent")) {
        if (!policy_may(s, r->actor, ACT_MESSAGE_URGENT, OBJECT(OBJ_ESTABLISHMENT, est))) {
            fail(r, 403, tr(r, "messages.err.urgent_head"));
            return;
        }
        urgent = param(r, "motif_urgence");
        if (!urgent || !*urgent) {
            fail(r, 400, tr(r, "messages.err.urgent_reason"));
            return;
        }
    }
    int64_t not_before = 0;
    if (!scheduled_at(r, est, urgent, &not_before)) return;
    const char *refused = NULL;
    struct delivery d = {.establishment = est, .to = ids, .n = n, .private_each = private_each && n > 1, .kind = "private", .urgent = urgent,
                         .not_before = not_before,
                         .subject = subject, .body = body, .files = files, .nfiles = nfiles, .copy_files_of = forward,
                         .draft = picked, .anomaly_rule = true, .refused = &refused};
    bool held = false;
    int64_t thread = messages_deliver(r, &d, &held);
    if (!thread) {
        if (refused) fail(r, 413, refused);
        else reply_error(r, 503, tr(r, "err.unavailable"));
        return;
    }
    if (r->api) reply_json(r, 201, json_pack("{s:I,s:i,s:b}", "id", (json_int_t)thread, "recipients", (int)n, "held", held));
    else reply_redirect(r, arena_printf(&r->arena, "/messagerie/fils/%lld%s", (long long)thread, held ? "?retenu=1" : ""));
}

/* The JSON of the compose page: who the actor may write to (by name with
 * q), and the lists offered, each with the form field that picks it. */
static void api_recipients(struct req *r)
{
    struct candidate *v;
    size_t n = candidates(r, param(r, "q"), 0, &v);
    struct list *lists;
    size_t nlists = lists_offered(r, &lists);
    json_t *people = json_array(), *jl = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(people, json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)v[i].id, "name", v[i].name, "what", v[i].what, "field",
                                                arena_printf(&r->arena, "to_%lld", (long long)v[i].id)));
    for (size_t i = 0; i < nlists; i++)
        json_array_append_new(jl, json_pack("{s:s,s:s,s:s,s:b}", "field", list_field(r, &lists[i]), "label", list_label(r, &lists[i]),
                                            "section", lists[i].section, "private_each", list_kinds[lists[i].kind].families));
    reply_json(r, 200, json_pack("{s:o,s:o}", "people", people, "lists", jl));
}

#define SEND_PARAMS                                                                                                         \
    {"to_", P_BOOL, SRC_BODY, .prefix = true, .label = "messages.to"},                                                      \
        {"lp_", P_BOOL, SRC_BODY, .prefix = true, .label = "messages.lists"},                                                \
        {"lc_", P_BOOL, SRC_BODY, .prefix = true, .label = "messages.lists"},                                                \
        {"lt_", P_BOOL, SRC_BODY, .prefix = true, .label = "messages.lists"},                                                \
        {"lg_", P_BOOL, SRC_BODY, .prefix = true, .label = "messages.lists"},                                                \
        {"lvp_", P_BOOL, SRC_BODY, .prefix = true, .label = "messages.lists"},                                               \
        {"lvc_", P_BOOL, SRC_BODY, .prefix = true, .label = "messages.lists"},                                               \
        {"ls_", P_BOOL, SRC_BODY, .prefix = true, .label = "messages.lists"},                                                \
        {"lh_", P_BOOL, SRC_BODY, .prefix = true, .label = "messages.lists"},                                                \
        {"subject", P_LINE, SRC_BODY, .maxlen = MESSAGE_SUBJECT_CHARS, .label = "messages.subject"},                         \
        {"body", P_TEXT, SRC_BODY, .maxlen = MESSAGE_BODY_CHARS, .label = "messages.body"},                                  \
        {"action", P_ENUM, SRC_BODY, .choices = actions}, {"brouillon", P_ID, SRC_BODY}, {"transferer", P_ID, SRC_BODY},           \
        {"urgent", P_BOOL, SRC_BODY}, {"motif_urgence", P_LINE, SRC_BODY, .maxlen = 200, .label = "messages.urgent_reason"},              \
        {"envoyer_le", P_LINE, SRC_BODY, .maxlen = 19, .label = "messages.schedule_at"}, {0}

const struct route messages_compose_routes[] = {
    {.method = M_GET, .path = "/messagerie/nouveau", .handler = compose_page, .action = ACT_MESSAGE_WRITE,
     .params = (const struct param_spec[]){{"q", P_LINE, SRC_QUERY, .maxlen = 60}, {"a", P_ID, SRC_QUERY}, {"brouillon", P_ID, SRC_QUERY},
                                           {"transferer", P_ID, SRC_QUERY}, {"repondre", P_ID, SRC_QUERY}, {"enregistre", P_BOOL, SRC_QUERY},
                                           {0}}},
    {.method = M_POST, .path = "/messagerie/nouveau", .handler = send, .action = ACT_MESSAGE_WRITE,
     .params = (const struct param_spec[]){SEND_PARAMS}},
    {.method = M_GET, .path = "/api/v1/recipients", .handler = api_recipients, .action = ACT_MESSAGE_WRITE, .flags = ROUTE_API,
     .params = (const struct param_spec[]){{"q", P_LINE, SRC_QUERY, .maxlen = 60}, {0}}},
    {.method = M_POST, .path = "/api/v1/threads", .handler = send, .action = ACT_MESSAGE_WRITE, .flags = ROUTE_API,
     .params = (const struct param_spec[]){SEND_PARAMS}},
    {.method = M_POST, .path = "/messagerie/brouillons/{id}/supprimer", .handler = draft_delete,
     .action = ACT_MESSAGE_WRITE,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {.method = M_DELETE, .path = "/api/v1/drafts/{id}", .handler = draft_delete,
     .action = ACT_MESSAGE_WRITE, .flags = ROUTE_API,
     .params = (const struct param_spec[]){{"id", P_ID, SRC_PATH, .required = true}, {0}}},
    {0}};
