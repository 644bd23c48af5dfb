/* notice.c — the diffusion policy on pages (see notice.h). */
#include "notice.h"
#include "../../calendar/calendar.h"
#include "../../core/clock.h"
#include "../../core/http.h"
#include "../../core/i18n.h"
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>

const char *diffusion_day(struct req *r, const char *date)
{
    char wd[24], month[16];
    snprintf(wd, sizeof wd, "diffusion.day.%d", calendar_weekday(date));
    snprintf(month, sizeof month, "month.%d", atoi(date + 5));
    int day = atoi(date + 8);
    return arena_printf(&r->arena, "%s %s %s", tr(r, wd),
                        day == 1 ? tr(r, "date.first_day") : arena_printf(&r->arena, "%d", day), tr(r, month));
}

const char *diffusion_moment(struct req *r, const struct diffusion *d, int64_t t)
{
    icaltimezone *z = icaltimezone_get_builtin_timezone(d->tz);
    if (!z) z = icaltimezone_get_builtin_timezone("Europe/Paris");
    struct icaltimetype lt = icaltime_from_timet_with_zone((time_t)t, 0, z);
    char date[16], hm[16];
    snprintf(date, sizeof date, "%04d-%02d-%02d", lt.year, lt.month, lt.day);
    snprintf(hm, sizeof hm, "%02d:%02d", lt.hour, lt.minute);
    return tr_fmt(r, "date.at", diffusion_day(r, date), hm);
}

void diffusion_notice(struct req *r, const struct diffusion *d, const char *key)
{
    int64_t now = clock_now(), at = diffusion_release_at(d, now);
    if (at != now) out(r, "<p class=\"notice\" role=\"note\">%h</p>", tr_fmt(r, key, diffusion_moment(r, d, at), NULL));
}

void diffusion_badge(struct req *r, const struct diffusion *d, int64_t visible_from)
{
    if (visible_from > clock_now())
        out(r, " <span class=\"badge scheduled\">%h</span>", tr_fmt(r, "diffusion.scheduled", diffusion_moment(r, d, visible_from), NULL));
}

const char *diffusion_title(struct req *r, const char *key, const char *what, const char *date)
{
    const char *lang = r->lang;
    r->lang = "fr";
    const char *t = tr_fmt(r, key, what, diffusion_day(r, date));
    r->lang = lang;
    return t;
}
