/* grow: room in a growable array, by doubling, written once for every list the code builds. */
#ifndef SAIMA_GROW_H
#define SAIMA_GROW_H

#include <stddef.h>

/* Returns items (elem bytes each, *cap of them allocated) reallocated to hold at least need
 * elements, doubling *cap from first; items itself when it already does. NULL when memory
 * is short or the size overflows: items and *cap are then untouched and still the caller's. */
void *grow_array(void *items, size_t *cap, size_t need, size_t elem, size_t first);

#endif
