/* text: small helpers for the hand-written parsers and number texts of the engine and io. */
#ifndef SAIMA_TEXT_H
#define SAIMA_TEXT_H

#include <stddef.h>

/* Nonzero for a space or a tab, the only blanks our parameter texts allow. */
int text_is_space(char c);

/* Nonzero for an ASCII digit 0-9 (whatever the locale). */
int text_is_digit(char c);

/* Copies s[0..n) without surrounding spaces and tabs into out (size bytes, terminated).
 * Returns 0, or -1 when it does not fit (out is then untouched). */
int text_copy_trimmed(const char *s, size_t n, char *out, size_t size);

/* Copies s into out (size bytes, terminated) with ASCII letters in lower case, whatever the
 * locale, so that keys match in any case. Returns 0, or -1 when it does not fit. */
int text_copy_lower(const char *s, char *out, size_t size);

/* Drops the trailing zeros of a decimal text in place, and its point when nothing follows
 * ("13.5000" -> "13.5", "15.0000" -> "15"); a text without a point is left as it is. */
void text_trim_zeros(char *s);

#endif
