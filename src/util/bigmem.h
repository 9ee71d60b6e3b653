/* bigmem: zeroed memory for large short-lived arrays. A size spanning several huge pages is an
 * anonymous mapping the kernel is asked to back with huge pages (a few page faults instead of
 * one per 4 KiB page: a province's panels are 13 MB per request); a smaller one is calloc's. */
#ifndef SAIMA_BIGMEM_H
#define SAIMA_BIGMEM_H

#include <stddef.h>

/* size zeroed bytes, or NULL when memory is short. Release with bigmem_free and the same size. */
void *bigmem_alloc(size_t size);

/* Releases what bigmem_alloc(size) gave; NULL is fine. */
void bigmem_free(void *p, size_t size);

#endif
