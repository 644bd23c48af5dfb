/* text.h — checks on text coming from outside. No allocation. */
#ifndef CARNET_TEXT_H
#define CARNET_TEXT_H
#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
bool text_utf8_valid(const char *s, size_t n);
/* Number of code points in a valid UTF-8 string. */
size_t text_utf8_len(const char *s);
/* True when s holds a control character other than tab, CR and LF
 * (or any control character when multiline is false). */
bool text_has_control(const char *s, bool multiline);
/* Constant-time comparison of two NUL-terminated strings. */
bool text_equal_ct(const char *a, const char *b);
/* Trim ASCII spaces and tabs at both ends, in place; returns s. */
char *text_trim(char *s);

#endif
