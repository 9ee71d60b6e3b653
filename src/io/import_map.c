/* import_map: the two open-addressing hash maps an import builds once (codes -> index,
 * packed keys -> row), so each row costs a few probes and no allocation. */
#include "io/import_int.h"

#include "util/err.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static uint64_t hash_key(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    return k ^ (k >> 33);
}

/* The slot of key: where it is, or the empty slot where it would go. */
static size_t map_find(const io__map *m, const char *key, uint64_t h)
{
    size_t mask = m->cap - 1, i = h & mask;
    while (m->slots[i]) {
        const struct io__map_entry *e = &m->entries[m->slots[i] - 1];
        if (e->hash == h && strcmp(m->keys + e->key, key) == 0)
            break;
        i = (i + 1) & mask;
    }
    return i;
}

static int map_rehash(io__map *m, size_t cap)
{
    uint32_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return err_set(ERR_NOMEM, "out of memory");
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    for (size_t j = 0; j < m->n; j++) {
        size_t i = m->entries[j].hash & (cap - 1);
        while (slots[i])
            i = (i + 1) & (cap - 1);
        slots[i] = (uint32_t)(j + 1);
    }
    return 0;
}

int io__map_put(io__map *m, const char *key, long value)
{
    uint64_t h = hash_text(key);
    size_t i, len = strlen(key) + 1;
    if ((m->n + 1) * 2 > m->cap && map_rehash(m, m->cap ? m->cap * 2 : 64) != 0)
        return ERR_NOMEM;
    i = map_find(m, key, h);
    if (m->slots[i]) {
        m->entries[m->slots[i] - 1].value = value;
        return 0;
    }
    if (m->n == m->ecap) {
        size_t ecap = m->ecap ? m->ecap * 2 : 32;
        void *bigger = realloc(m->entries, ecap * sizeof *m->entries);
        if (!bigger)
            return err_set(ERR_NOMEM, "out of memory");
        m->entries = bigger;
        m->ecap = ecap;
    }
    if (m->klen + len > m->kcap) {
        size_t kcap = m->kcap ? m->kcap : 1024;
        char *bigger;
        while (kcap < m->klen + len)
            kcap *= 2;
        if (!(bigger = realloc(m->keys, kcap)))
            return err_set(ERR_NOMEM, "out of memory");
        m->keys = bigger;
        m->kcap = kcap;
    }
    memcpy(m->keys + m->klen, key, len);
    m->entries[m->n].hash = h;
    m->entries[m->n].key = m->klen;
    m->entries[m->n].value = value;
    m->klen += len;
    m->slots[i] = (uint32_t)++m->n;
    return 0;
}

long io__map_get(const io__map *m, const char *key)
{
    size_t i;
    if (m->n == 0)
        return -1;
    i = map_find(m, key, hash_text(key));
    return m->slots[i] ? m->entries[m->slots[i] - 1].value : -1;
}

void io__map_free(io__map *m)
{
    free(m->slots);
    free(m->entries);
    free(m->keys);
    memset(m, 0, sizeof *m);
}

static int keymap_rehash(io__keymap *m, size_t cap)
{
    struct io__keyslot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < m->cap; j++) {
        size_t i;
        if (!m->slots[j].key)
            continue;
        i = hash_key(m->slots[j].key) & (cap - 1);
        while (slots[i].key)
            i = (i + 1) & (cap - 1);
        slots[i] = m->slots[j];
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

int io__keymap_add(io__keymap *m, uint64_t key, long value, long *old)
{
    size_t i;
    if ((m->n + 1) * 2 > m->cap && keymap_rehash(m, m->cap ? m->cap * 2 : 1024) != 0)
        return ERR_NOMEM;
    for (i = hash_key(key) & (m->cap - 1); m->slots[i].key; i = (i + 1) & (m->cap - 1)) {
        if (m->slots[i].key == key) {
            *old = m->slots[i].value;
            return 1;
        }
    }
    m->slots[i].key = key;
    m->slots[i].value = value;
    m->n++;
    return 0;
}

int io__keymap_reserve(io__keymap *m, size_t n)
{
    size_t cap = m->cap ? m->cap : 1024;
    while (cap < 2 * n + 2)
        cap *= 2;
    return cap > m->cap ? keymap_rehash(m, cap) : 0;
}

long io__keymap_get(const io__keymap *m, uint64_t key)
{
    if (m->n == 0)
        return -1;
    for (size_t i = hash_key(key) & (m->cap - 1); m->slots[i].key; i = (i + 1) & (m->cap - 1)) {
        if (m->slots[i].key == key)
            return m->slots[i].value;
    }
    return -1;
}

void io__keymap_free(io__keymap *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}
