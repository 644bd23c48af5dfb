/* page.h — the HTML frame shared by every page: head, header bar with the
 * signed-in person and sign-out, main landmark, footer with language. */
#ifndef CARNET_PAGE_H
#define CARNET_PAGE_H
#include "http.h"
#include "router.h"

/* Open the document and <main>. title is plain text (escaped here). */
void page_begin(struct req *r, const char *title);
/* Close <main> and the document. */
void page_end(struct req *r);
/* The hidden CSRF input every POST form carries. */
void page_csrf_input(struct req *r);
/* URL of an embedded static file with its cache-busting version. */
const char *page_asset(struct req *r, const char *name);
/* A date ("9 mai 2026") or date and time ("9 mai 2026 à 21:00") in the
 * request's language and the default time zone; allocated in the arena. */
const char *page_date(struct req *r, int64_t t);
const char *page_datetime(struct req *r, int64_t t);
/* When something will happen, in an establishment's time zone tz (NULL:
 * the default): "lundi 16 mars à 07:00". */
const char *page_moment(struct req *r, int64_t t, const char *tz);
/* A day in a language, for a line of text: "lundi 9 mars" ("YYYY-MM-DD"). */
const char *page_day(struct arena *a, const char *lang, const char *date);
/* A month in a language: "novembre 2025", "November 2025" (of a
 * "YYYY-MM…" string: a month or a date). Dates and months shown to a
 * person are always written in words, with page_date, page_day and this. */
const char *page_month(struct arena *a, const char *lang, const char *month);
/* Markdown written by a person, rendered through cmark's safe mode (raw
 * HTML and javascript: links dropped) in a <div class="md">. */
void page_markdown(struct req *r, const char *md);
/* What service modules add to the frame, set once at start-up (the core
 * knows no service module): nav writes links into the header's navigation
 * of a signed-in person (the notifications and their unread count);
 * clock_moved runs after the test hook moved the clock, so that the jobs
 * that depend on time catch up at once (the notification e-mails). */
struct page_hooks {
    void (*nav)(struct req *r);
    /* Ask ahead (store_q_ahead) what nav will read, at the start of a page
     * read in one snapshot: it then travels with the page's first reads. */
    void (*nav_ahead)(struct req *r);
    void (*clock_moved)(void);
};
void page_set_hooks(const struct page_hooks *h);
/* A page read in one snapshot begins (app.c): the hooks ask ahead. */
void page_ahead(struct req *r);
/* Core routes: static files, language choice, test hooks. */
extern const struct route core_routes[];

#endif
