/* idmap: open addressing with linear probing at a load of at most one half. */
#include "util/idmap.h"

#include "util/err.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(const idmap *m, int64_t id)
{
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 17) & m->mask;
}

int idmap_build(idmap *m, const int64_t *ids, size_t n)
{
    size_t cap = 16;
    memset(m, 0, sizeof *m);
    while (cap < 2 * n)
        cap *= 2;
    m->keys = malloc(cap * sizeof *m->keys);
    m->pos = malloc(cap * sizeof *m->pos);
    if (!m->keys || !m->pos) {
        idmap_free(m);
        return err_set(ERR_NOMEM, "out of memory");
    }
    m->mask = cap - 1;
    for (size_t i = 0; i < cap; i++)
        m->pos[i] = -1;
    for (size_t i = 0; i < n; i++) {
        size_t k = slot_of(m, ids[i]);
        while (m->pos[k] >= 0 && m->keys[k] != ids[i])
            k = (k + 1) & m->mask;
        if (m->pos[k] < 0) {
            m->keys[k] = ids[i];
            m->pos[k] = (long)i;
        }
    }
    return 0;
}

long idmap_find(const idmap *m, int64_t id)
{
    if (!m->pos)
        return -1;
    for (size_t k = slot_of(m, id);; k = (k + 1) & m->mask) {
        if (m->pos[k] < 0)
            return -1;
        if (m->keys[k] == id)
            return m->pos[k];
    }
}

void idmap_free(idmap *m)
{
    free(m->keys);
    free(m->pos);
    memset(m, 0, sizeof *m);
}
