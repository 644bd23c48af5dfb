/* sts.h — reader of STS-web's two timetable exports (`carnet import sts`):
 *   sts_emp_<UAI>_<YYYY>.xml  STS-web → ENT (root STS_EDT): the
 *       establishment's divisions and groups, the subjects, the staff with
 *       their services (who teaches which subject to which structure);
 *   emp_sts_<UAI>_<YYYY>.xml  timetable software → STS-web (root EDT_STS):
 *       the weekly courses of each service, with their alternances (the
 *       weeks each course is held).
 * Streaming (libxml2's reader), no DTD, no entity, no network, as aaf.c.
 * The fields read are listed in docs/imports.md, "STS-web et emploi du
 * temps". */
#ifndef CARNET_IMPORT_STS_H
#define CARNET_IMPORT_STS_H
#include "reader.h"

enum sts_type { STS_EMP = 1, EMP_STS = 2 };

/* What a file's name tells. */
struct sts_name {
    enum sts_type type;
    char uai[9]; /* upper case */
    int year;    /* the calendar year the school year starts in */
};

/* Parse the base name of path (any case, any prefix before sts_emp_ or
 * emp_sts_) into *n. False when it is neither. No allocation. */
bool sts_name_parse(const char *path, struct sts_name *n);

extern const struct imp_reader sts_reader;

#endif
