/* grow: the one doubling policy of growable arrays, with the overflow checks in one place. */
#include "util/grow.h"

#include <stdint.h>
#include <stdlib.h>

void *grow_array(void *items, size_t *cap, size_t need, size_t elem, size_t first)
{
    size_t n = *cap ? *cap : first ? first : 1;
    void *grown;
    if (need <= *cap)
        return items;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return NULL;
        n *= 2;
    }
    if (elem && n > SIZE_MAX / elem)
        return NULL;
    if (!(grown = realloc(items, n * elem)))
        return NULL;
    *cap = n;
    return grown;
}
