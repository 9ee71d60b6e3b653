/* workload: loader of the benchmark's two CSV files into flat arrays. */
#include "io/workload.h"

#include "io/import_int.h"
#include "util/err.h"
#include "util/grow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A read-only mapping of a whole file. */
typedef struct mapped {
    const char *data;
    size_t len;
} mapped;

static int map_file(const char *path, mapped *m)
{
    struct stat st;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return err_set(ERR_IO, "%s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || st.st_size == 0) {
        close(fd);
        return err_set(ERR_DATA, "%s: empty or unreadable", path);
    }
    m->len = (size_t)st.st_size;
    m->data = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m->data == MAP_FAILED)
        return err_set(ERR_IO, "%s: %s", path, strerror(errno));
    madvise((void *)m->data, m->len, MADV_SEQUENTIAL);
    return 0;
}

static void unmap_file(mapped *m)
{
    if (m->data && m->data != MAP_FAILED)
        munmap((void *)m->data, m->len);
}

/* Grows an array of elem bytes to hold at least need elements. */
static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    void *p = grow_array(*arr, cap, need, elem, 64);
    if (!p)
        return err_set(ERR_NOMEM, "out of memory loading the workload");
    *arr = p;
    return 0;
}

/* A code table: code -> dense index, with the codes kept in order. */
typedef struct code_table {
    io__map map;
    char (*codes)[IO_WORKLOAD_CODE_MAX];
    size_t n, cap;
} code_table;

/* The index of the code in [s, s+len), adding it when new. */
static long code_index(code_table *t, const char *s, size_t len, const char *file, long line)
{
    char key[IO_WORKLOAD_CODE_MAX];
    long at;
    if (len == 0 || len >= sizeof key)
        return err_set(ERR_DATA, "%s:%ld: code empty or longer than %d bytes", file, line,
                       IO_WORKLOAD_CODE_MAX - 1);
    memcpy(key, s, len);
    key[len] = '\0';
    if ((at = io__map_get(&t->map, key)) >= 0)
        return at;
    if (grow((void **)&t->codes, &t->cap, t->n + 1, sizeof *t->codes) != 0 ||
        io__map_put(&t->map, key, (long)t->n) != 0)
        return ERR_NOMEM;
    memcpy(t->codes[t->n], key, len + 1);
    return (long)t->n++;
}

static const double pow10_exact[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
                                      1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18 };

/* Parses a plain decimal [-]digits[.digits] ending at a newline or the end. Exact: the digits
 * form an integer below 2^53 divided by an exact power of ten, which IEEE rounds correctly,
 * as strtod does; anything else goes to strtod. Returns the end, or NULL when not a number. */
static const char *parse_decimal(const char *p, const char *end, double *out)
{
    const char *start = p;
    uint64_t m = 0;
    int neg = 0, digits = 0, decimals = -1;
    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    for (; p < end && *p != '\n' && *p != '\r'; p++) {
        if (*p >= '0' && *p <= '9') {
            m = m * 10 + (uint64_t)(*p - '0');
            digits++;
            if (decimals >= 0)
                decimals++;
        } else if (*p == '.' && decimals < 0) {
            decimals = 0;
        } else {
            break;
        }
    }
    if (digits == 0 || (p < end && *p != '\n' && *p != '\r'))
        return NULL;
    if (digits <= 15 && decimals <= 18) {
        double v = (double)m / pow10_exact[decimals < 0 ? 0 : decimals];
        *out = neg ? -v : v;
    } else {
        char buf[64];
        size_t len = (size_t)(p - start);
        if (len >= sizeof buf)
            return NULL;
        memcpy(buf, start, len);
        buf[len] = '\0';
        *out = strtod(buf, NULL);
    }
    return p;
}

static const char *next_line(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl + 1 : end;
}

static int load_indicators(const char *dir, io_workload *w, code_table *t)
{
    char path[4096];
    mapped f = { NULL, 0 };
    size_t cap_h = 0, cap_w = 0;
    long line = 1;
    int rc;
    snprintf(path, sizeof path, "%s/indicators.csv", dir);
    if ((rc = map_file(path, &f)) != 0)
        return rc;
    for (const char *p = next_line(f.data, f.data + f.len), *end = f.data + f.len; p < end;
         p = next_line(p, end)) {
        const char *c1 = memchr(p, ',', (size_t)(end - p)), *c2;
        long idx;
        line++;
        if (*p == '\n')
            continue;
        if (!c1 || !(c2 = memchr(c1 + 1, ',', (size_t)(end - c1 - 1)))) {
            rc = err_set(ERR_DATA, "%s:%ld: expected code,direction,weight", path, line);
            break;
        }
        if ((idx = code_index(t, p, (size_t)(c1 - p), path, line)) < 0) {
            rc = (int)idx;
            break;
        }
        if ((rc = grow((void **)&w->ind_higher, &cap_h, t->n, 1)) != 0 ||
            (rc = grow((void **)&w->ind_weight, &cap_w, t->n, sizeof *w->ind_weight)) != 0)
            break;
        if (strncmp(c1 + 1, "higher,", 7) != 0 && strncmp(c1 + 1, "lower,", 6) != 0) {
            rc = err_set(ERR_DATA, "%s:%ld: direction must be higher or lower", path, line);
            break;
        }
        w->ind_higher[idx] = c1[1] == 'h';
        w->ind_weight[idx] = atoi(c2 + 1);
    }
    unmap_file(&f);
    w->ind_code = t->codes;
    w->nind = t->n;
    return rc;
}

/* Makes room for at least need values in the four value arrays. */
static int reserve_values(io_workload *w, size_t *cap, size_t need)
{
    size_t c = *cap;
    uint32_t *a, *b, *d;
    double *e;
    if (need <= *cap)
        return 0;
    while (c < need)
        c = c ? c * 2 : 1 << 16;
    if ((a = realloc(w->ind, c * sizeof *a)))
        w->ind = a;
    if ((b = realloc(w->reg, c * sizeof *b)))
        w->reg = b;
    if ((d = realloc(w->per, c * sizeof *d)))
        w->per = d;
    if ((e = realloc(w->value, c * sizeof *e)))
        w->value = e;
    if (!a || !b || !d || !e)
        return err_set(ERR_NOMEM, "out of memory loading the workload");
    *cap = c;
    return 0;
}

/* Appends one value row. */
static int push_value(io_workload *w, size_t *cap, uint32_t ind, uint32_t reg, uint32_t per, double v)
{
    int rc;
    if (w->n == *cap && (rc = reserve_values(w, cap, w->n + 1)) != 0)
        return rc;
    w->ind[w->n] = ind;
    w->reg[w->n] = reg;
    w->per[w->n] = per;
    w->value[w->n++] = v;
    return 0;
}

/* The dense index of a period number, adding it when new. */
static long period_index(io_workload *w, io__keymap *m, size_t *cap, long label)
{
    long old, rc = io__keymap_add(m, (uint64_t)label + 1, (long)w->nper, &old);
    if (rc == 1)
        return old;
    if (rc != 0 || grow((void **)&w->per_label, cap, w->nper + 1, sizeof *w->per_label) != 0)
        return ERR_NOMEM;
    w->per_label[w->nper] = label;
    return (long)w->nper++;
}

/* The index of a known code in [s, s+len), or -1. */
static long code_lookup(const code_table *t, const char *s, size_t len)
{
    char key[IO_WORKLOAD_CODE_MAX];
    if (len >= sizeof key)
        return -1;
    memcpy(key, s, len);
    key[len] = '\0';
    return io__map_get(&t->map, key);
}

static int load_values(const char *dir, io_workload *w, const code_table *inds)
{
    char path[4096];
    mapped f = { NULL, 0 };
    code_table regs = { { 0 }, NULL, 0, 0 };
    io__keymap pers = { NULL, 0, 0 };
    size_t cap = 0, cap_per = 0;
    const char *last_ind = NULL, *last_reg = NULL;
    size_t last_ind_len = 0, last_reg_len = 0;
    long ind = -1, reg = -1, per_label = -1, per = -1, line = 1;
    int rc = 0;
    snprintf(path, sizeof path, "%s/values.csv", dir);
    if ((rc = map_file(path, &f)) != 0)
        return rc;
    /* A row takes at least 8 bytes ("I,R,1,0\n"); the usual 16 leaves one doubling at most. */
    if ((rc = reserve_values(w, &cap, f.len / 16 + 1024)) != 0)
        goto done;
    for (const char *p = next_line(f.data, f.data + f.len), *end = f.data + f.len; p < end;) {
        const char *c1, *c2, *c3, *q;
        long label = 0;
        double v;
        line++;
        if (*p == '\n') {
            p++;
            continue;
        }
        c1 = memchr(p, ',', (size_t)(end - p));
        c2 = c1 ? memchr(c1 + 1, ',', (size_t)(end - c1 - 1)) : NULL;
        c3 = c2 ? memchr(c2 + 1, ',', (size_t)(end - c2 - 1)) : NULL;
        if (!c3) {
            rc = err_set(ERR_DATA, "%s:%ld: expected indicator,region,period,value", path, line);
            goto done;
        }
        /* Rows come grouped by indicator and region: most rows repeat the last codes. */
        if (!(last_ind && (size_t)(c1 - p) == last_ind_len && memcmp(p, last_ind, last_ind_len) == 0)) {
            ind = code_lookup(inds, p, (size_t)(c1 - p));
            if (ind < 0) {
                rc = err_set(ERR_DATA, "%s:%ld: unknown indicator '%.*s'", path, line, (int)(c1 - p), p);
                goto done;
            }
            last_ind = p;
            last_ind_len = (size_t)(c1 - p);
        }
        if (!(last_reg && (size_t)(c2 - c1 - 1) == last_reg_len &&
              memcmp(c1 + 1, last_reg, last_reg_len) == 0)) {
            if ((reg = code_index(&regs, c1 + 1, (size_t)(c2 - c1 - 1), path, line)) < 0) {
                rc = (int)reg;
                goto done;
            }
            last_reg = c1 + 1;
            last_reg_len = (size_t)(c2 - c1 - 1);
        }
        for (q = c2 + 1; q < c3 && *q >= '0' && *q <= '9'; q++)
            label = label * 10 + (*q - '0');
        if (q != c3 || q == c2 + 1) {
            rc = err_set(ERR_DATA, "%s:%ld: period is not a whole number", path, line);
            goto done;
        }
        if (label != per_label) {
            if ((per = period_index(w, &pers, &cap_per, label)) < 0) {
                rc = (int)per;
                goto done;
            }
            per_label = label;
        }
        if (!(q = parse_decimal(c3 + 1, end, &v))) {
            rc = err_set(ERR_DATA, "%s:%ld: value is not a number", path, line);
            goto done;
        }
        if ((rc = push_value(w, &cap, (uint32_t)ind, (uint32_t)reg, (uint32_t)per, v)) != 0)
            goto done;
        p = next_line(q, end);
    }
done:
    unmap_file(&f);
    io__map_free(&regs.map);
    io__keymap_free(&pers);
    w->reg_code = regs.codes;
    w->nreg = regs.n;
    return rc;
}

int io_workload_load(const char *dir, io_workload *w)
{
    code_table inds = { { 0 }, NULL, 0, 0 };
    int rc;
    memset(w, 0, sizeof *w);
    rc = load_indicators(dir, w, &inds);
    if (rc == 0)
        rc = load_values(dir, w, &inds);
    io__map_free(&inds.map);
    if (rc != 0)
        io_workload_free(w);
    return rc;
}

void io_workload_free(io_workload *w)
{
    free(w->ind_code);
    free(w->ind_higher);
    free(w->ind_weight);
    free(w->reg_code);
    free(w->per_label);
    free(w->ind);
    free(w->reg);
    free(w->per);
    free(w->value);
    memset(w, 0, sizeof *w);
}
