/* num: numbers as clerks write them in spreadsheets, and numbers written back exactly. */
#ifndef SAIMA_NUM_H
#define SAIMA_NUM_H

#include <stddef.h>

#define NUM_TEXT_MAX 32

/* Parses a finite decimal number: optional sign, digits with optional thousands separators
 * in groups of three ("1,234.5"), optional fraction and exponent, an optional trailing '%'
 * (the value stays in percent), surrounding spaces ignored. Returns 0, or ERR_DATA with a
 * detail message giving the reason. */
int num_parse(const char *text, double *out);

/* Writes the shortest decimal text that reads back as exactly v (buf >= NUM_TEXT_MAX). */
void num_format(double v, char *buf, size_t size);

/* Parses a whole number in [min, max]. Returns 0 or ERR_DATA. */
int num_parse_int(const char *text, long min, long max, long *out);

/* Parses a yes/no flag: 1/0, yes/no, true/false, y/n, 是/否, empty = no. Returns 0 or ERR_DATA. */
int num_parse_bool(const char *text, int *out);

#endif
