/* bigmem: zeroed memory for large short-lived arrays. A block of several huge pages is asked to
 * be backed by them where it is fresh (a few page faults instead of one per 4 KiB page: a
 * province's panels are 13 MB per request), and is reused from the heap where it is not. */
#ifndef SAIMA_BIGMEM_H
#define SAIMA_BIGMEM_H

#include <stddef.h>

/* size zeroed bytes, or NULL when memory is short. Release with free(). */
void *bigmem_alloc(size_t size);

#endif
