/* num: number parsing and exact formatting. */
#include "util/num.h"

#include "util/err.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies text without spaces and valid thousands separators into out; -1 if the
 * separators are not in groups of three or the text is too long. */
static int strip_grouping(const char *s, char *out, size_t size)
{
    size_t n = 0;
    int digits_since_sep = -1, int_digits = 0, in_int = 1;
    while (*s == ' ' || *s == '\t')
        s++;
    for (; *s; s++) {
        if (*s == ',') {
            if (!in_int || int_digits == 0 || (digits_since_sep >= 0 && digits_since_sep != 3) ||
                (digits_since_sep < 0 && int_digits > 3))
                return -1;
            digits_since_sep = 0;
            continue;
        }
        if (*s >= '0' && *s <= '9') {
            if (in_int) {
                int_digits++;
                if (digits_since_sep >= 0)
                    digits_since_sep++;
            }
        } else if (*s != '+' && *s != '-') {
            if (in_int && digits_since_sep >= 0 && digits_since_sep != 3)
                return -1;
            in_int = 0;
        }
        if (n + 1 >= size)
            return -1;
        out[n++] = *s;
    }
    if (in_int && digits_since_sep >= 0 && digits_since_sep != 3)
        return -1;
    while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
        n--;
    out[n] = '\0';
    return 0;
}

int num_parse(const char *text, double *out)
{
    char buf[64], *end;
    double v;
    size_t len;

    if (strip_grouping(text, buf, sizeof buf) != 0)
        return err_set(ERR_DATA, "not a number: '%s'", text);
    len = strlen(buf);
    if (len == 0)
        return err_set(ERR_DATA, "empty value (leave the row out when there is no figure)");
    if (buf[len - 1] == '%')
        buf[--len] = '\0';
    /* strtod also accepts hex, inf and nan; only plain decimals are figures. */
    for (size_t i = 0; i < len; i++) {
        if (!strchr("0123456789+-.eE", buf[i]))
            return err_set(ERR_DATA, "not a number: '%s'", text);
    }
    errno = 0;
    v = strtod(buf, &end);
    if (end == buf || *end != '\0')
        return err_set(ERR_DATA, "not a number: '%s'", text);
    if (errno == ERANGE || !isfinite(v))
        return err_set(ERR_DATA, "number out of range: '%s'", text);
    *out = v;
    return 0;
}

/* The decimal exponent of a %g text ("1e+01" -> 1), or 0 when it has none. */
static int g_exponent(const char *text)
{
    const char *e = strchr(text, 'e');
    return e ? atoi(e + 1) : 0;
}

void num_format(double v, char *buf, size_t size)
{
    if (v == 0) {
        snprintf(buf, size, "0");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) != v)
            continue;
        /* Spreadsheet figures read better as 10 and 0.0001 than as 1e+01 and 1e-04. */
        if (strchr(buf, 'e')) {
            int exp = g_exponent(buf), decimals = prec - 1 - exp;
            if (exp >= -9 && exp <= 17)
                snprintf(buf, size, "%.*f", decimals > 0 ? decimals : 0, v);
        }
        return;
    }
}

int num_parse_int(const char *text, long min, long max, long *out)
{
    char *end;
    long v;
    while (*text == ' ')
        text++;
    errno = 0;
    v = strtol(text, &end, 10);
    while (*end == ' ')
        end++;
    if (end == text || *end != '\0' || errno == ERANGE)
        return err_set(ERR_DATA, "not a whole number: '%s'", text);
    if (v < min || v > max)
        return err_set(ERR_DATA, "%ld out of range %ld..%ld", v, min, max);
    *out = v;
    return 0;
}

int num_parse_bool(const char *text, int *out)
{
    static const char *const yes[] = { "1", "yes", "true", "y", "是", "Y", "YES", "TRUE", "√" };
    static const char *const no[] = { "", "0", "no", "false", "n", "否", "N", "NO", "FALSE" };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcmp(text, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        if (strcmp(text, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return err_set(ERR_DATA, "not yes/no: '%s'", text);
}
