/* i18n.h — message catalogues (the .cat files of locale/, embedded). French is the
 * default; a language is added by adding a catalogue. Catalogue lines are
 * "key = text"; "{1}", "{2}" in a text are replaced by arguments. */
#ifndef CARNET_I18N_H
#define CARNET_I18N_H
#include <stddef.h>
struct req;

/* Load every embedded catalogue (start-up). Returns 0, or -1 if malformed. */
int i18n_init(void);
/* Release the catalogues (at exit). */
void i18n_free(void);
/* The text of key in lang (falls back to French, then to the key itself).
 * The string is static; nothing allocates. */
const char *i18n_text(const char *lang, const char *key);
/* Shorthand for the request's language. */
const char *tr(struct req *r, const char *key);
/* Text with {1} and {2} replaced (allocated in the request's arena). */
const char *tr_fmt(struct req *r, const char *key, const char *a1, const char *a2);
/* The same in a given language, allocated in a (e.g. a notification's title,
 * written in the establishment's language whoever publishes). */
struct arena;
const char *i18n_fmt(struct arena *a, const char *lang, const char *key, const char *a1, const char *a2);
/* Best language for an Accept-Language header (or a cookie value). */
const char *i18n_negotiate(const char *cookie, const char *accept_language);
/* Available languages, NULL-terminated, and a language's own name. */
extern const char *const i18n_languages[];
const char *i18n_language_name(const char *lang);
/* Number of keys of lang; for completeness tests. */
size_t i18n_count(const char *lang);
/* The i-th key of lang's catalogue (sorted), or NULL. */
const char *i18n_key_at(const char *lang, size_t i);

#endif
