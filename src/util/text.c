/* text: blanks, digits, trimming, lower case and decimal zeros, written once for every parser. */
#include "util/text.h"

#include <string.h>

int text_is_space(char c)
{
    return c == ' ' || c == '\t';
}

int text_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int text_copy_trimmed(const char *s, size_t n, char *out, size_t size)
{
    while (n > 0 && text_is_space(*s)) {
        s++;
        n--;
    }
    while (n > 0 && text_is_space(s[n - 1]))
        n--;
    if (n >= size)
        return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

int text_copy_lower(const char *s, char *out, size_t size)
{
    size_t n = strlen(s);
    if (n >= size)
        return -1;
    for (size_t i = 0; i <= n; i++)
        out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
    return 0;
}

void text_trim_zeros(char *s)
{
    size_t n = strlen(s);
    if (!strchr(s, '.'))
        return;
    while (n > 0 && s[n - 1] == '0')
        s[--n] = '\0';
    if (n > 0 && s[n - 1] == '.')
        s[--n] = '\0';
}
