/* record.c — names of the kinds of normalised records (record.h). */
#include "record.h"

const char *imp_kind_name(enum imp_kind k)
{
    static const char *const names[IMP_KIND_COUNT] = {
        "établissement", "matière", "formation (MEF)", "responsable", "élève", "personnel",
        "cours de l'emploi du temps"};
    return k < IMP_KIND_COUNT ? names[k] : "?";
}
