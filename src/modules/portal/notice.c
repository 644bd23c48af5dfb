/* notice.c — the diffusion policy on pages (see notice.h). */
#include "notice.h"
#include "../../core/clock.h"
#include "../../core/http.h"
#include "../../core/i18n.h"
#include "../../core/page.h"
#include <stdio.h>
#include <stdlib.h>

void diffusion_notice(struct req *r, const struct diffusion *d, const char *key)
{
    int64_t now = clock_now(), at = diffusion_release_at(d, now);
    if (at != now) out(r, "<p class=\"notice\" role=\"note\">%h</p>", tr_fmt(r, key, page_moment(r, at, d->tz), NULL));
}

void diffusion_badge(struct req *r, const struct diffusion *d, int64_t visible_from)
{
    if (visible_from > clock_now())
        out(r, " <span class=\"badge scheduled\">%h</span>", tr_fmt(r, "diffusion.scheduled", page_moment(r, visible_from, d->tz), NULL));
}

const char *diffusion_title(struct req *r, const char *key, const char *what, const char *date)
{
    return i18n_fmt(&r->arena, "fr", key, what, page_day(&r->arena, "fr", date));
}
