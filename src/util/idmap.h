/* idmap: a fixed set of 64-bit ids mapped to their positions, found by hashing (open
 * addressing, linear probing). Built once, read many times: the unit of a stored row to its
 * place in a panel without scanning. */
#ifndef SAIMA_IDMAP_H
#define SAIMA_IDMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct idmap {
    int64_t *keys;
    long *pos;
    size_t mask;                 /* capacity − 1 (a power of two), 0 when empty */
} idmap;

/* Builds the map of ids[i] → i for n ids (a later duplicate keeps the first position).
 * *m is zeroed first. Returns 0 or ERR_NOMEM; free with idmap_free. */
int idmap_build(idmap *m, const int64_t *ids, size_t n);

/* The position of id, or -1 when it is not in the map. */
long idmap_find(const idmap *m, int64_t id);

/* Releases the map; a zeroed map is fine. */
void idmap_free(idmap *m);

#endif
