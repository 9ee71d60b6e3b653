/* bigmem: calloc, with the whole huge pages inside a large block advised to be huge. A fresh
 * block (glibc maps a large one) then faults in 2 MiB at a time; a block reused from the heap
 * (the next request of a server, glibc having raised its mapping threshold) faults nothing. */
#include "util/bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define BIGMEM_HUGE ((uintptr_t)2 << 20)
#define BIGMEM_MIN ((size_t)4 << 20)

void *bigmem_alloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (p && size >= BIGMEM_MIN) {
        uintptr_t from = ((uintptr_t)p + BIGMEM_HUGE - 1) & ~(BIGMEM_HUGE - 1);
        uintptr_t to = ((uintptr_t)p + size) & ~(BIGMEM_HUGE - 1);
        /* advice only: without transparent huge pages the block works with small ones */
        if (to > from)
            (void)madvise((void *)from, to - from, MADV_HUGEPAGE);
    }
    return p;
}
