/* export_oneroster.h — `carnet export oneroster`: what the store holds now
 * (valid roles, open enrolments and teachings of the current school year)
 * of the territory or of one establishment, as a OneRoster 1.1 bulk CSV
 * package (folder or zip) that another system — or Carnet — can read. */
#ifndef CARNET_IMPORT_EXPORT_ONEROSTER_H
#define CARNET_IMPORT_EXPORT_ONEROSTER_H
#include <stddef.h>

struct store;

/* Write the package into directory dir (made when missing) for the
 * establishment of UAI uai (NULL: every open establishment), at today
 * (YYYY-MM-DD). 0, or -1 with the reason in err. */
int export_oneroster(struct store *s, const char *uai, const char *today, const char *dir,
                     char *err, size_t errlen);

/* `carnet export oneroster --db DB [--establishment UAI] [--now T] --to DIR|FILE.zip`
 * (argv[1] is "export"). Returns the process's exit status. */
int export_command(int argc, char **argv);

#endif
