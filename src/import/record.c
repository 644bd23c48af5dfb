/* record.c — names of the kinds of normalised records (record.h). */
#include "record.h"
#include <stdio.h>

const char *imp_kind_name(enum imp_kind k)
{
    static const char *const names[IMP_KIND_COUNT] = {
        "établissement", "matière", "formation (MEF)", "responsable", "élève", "personnel",
        "cours de l'emploi du temps"};
    return k < IMP_KIND_COUNT ? names[k] : "?";
}

void imp_vreport(struct imp_sink *sink, const char *file, long line, const char *id,
                 char severity, const char *fmt, va_list ap)
{
    char msg[400];
    vsnprintf(msg, sizeof msg, fmt, ap);
    struct imp_where at = {file, line, id};
    sink->problem(sink->ctx, &at, severity, msg);
}

void imp_report(struct imp_sink *sink, const char *file, long line, const char *id, char severity,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    imp_vreport(sink, file, line, id, severity, fmt, ap);
    va_end(ap);
}
