/* bigmem: mmap with MADV_HUGEPAGE from 4 MiB, calloc below. */
#include "util/bigmem.h"

#include <stdlib.h>
#include <sys/mman.h>

#define BIGMEM_MIN ((size_t)4 << 20)

void *bigmem_alloc(size_t size)
{
    void *p;
    if (size < BIGMEM_MIN)
        return calloc(1, size ? size : 1);
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    /* advice only: without transparent huge pages the mapping works with small ones */
    (void)madvise(p, size, MADV_HUGEPAGE);
    return p;
}

void bigmem_free(void *p, size_t size)
{
    if (!p)
        return;
    if (size < BIGMEM_MIN)
        free(p);
    else
        munmap(p, size);
}
