/* incremental: the latency of a change. One observation changes (a committed write) and only
 * its (indicator, month) group is read back and re-ranked; beside it, the time to rank every
 * group of the database from scratch, which is what a system with an "analytics job" redoes.
 *   build/bench_incremental DB [CHANGES]     prints medians and p99 in microseconds */
#include "engine/rank.h"
#include "store/store.h"
#include "util/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct group_buf {
    double *value;
    size_t n, cap;
} group_buf;

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int take(const model_observation *o, void *ctx)
{
    group_buf *g = ctx;
    if (g->n == g->cap) {
        double *bigger = realloc(g->value, (g->cap = g->cap ? g->cap * 2 : 256) * sizeof *bigger);
        if (!bigger)
            return ERR_NOMEM;
        g->value = bigger;
    }
    g->value[g->n++] = o->value;
    return 0;
}

/* Reads one (indicator, period) group and ranks it. */
static int rerank(store *s, const char *ind, const char *per, group_buf *g, engine_rank_ws *ws,
                  engine_ranked **ranked, size_t *cap)
{
    obs_filter f = store_filter_all();
    int rc;
    snprintf(f.indicator_code, sizeof f.indicator_code, "%s", ind);
    snprintf(f.period_code, sizeof f.period_code, "%s", per);
    g->n = 0;
    if ((rc = store_observations_each(s, &f, take, g)) != 0)
        return rc;
    if (g->n > *cap) {
        free(*ranked);
        *cap = g->n;
        if (!(*ranked = malloc(*cap * sizeof **ranked)))
            return ERR_NOMEM;
    }
    return engine_rank_group(g->value, NULL, g->n, 1, 2, ws, *ranked, NULL);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Every observation, so the benchmark can pick changes and know every group. */
typedef struct all_obs {
    model_observation *o;
    size_t n, cap;
} all_obs;

static int keep(const model_observation *o, void *ctx)
{
    all_obs *a = ctx;
    if (a->n == a->cap) {
        model_observation *bigger = realloc(a->o, (a->cap = a->cap ? a->cap * 2 : 1024) * sizeof *bigger);
        if (!bigger)
            return ERR_NOMEM;
        a->o = bigger;
    }
    a->o[a->n++] = *o;
    return 0;
}

int main(int argc, char **argv)
{
    store *s;
    all_obs all = { NULL, 0, 0 };
    obs_filter f = store_filter_all();
    group_buf g = { NULL, 0, 0 };
    engine_rank_ws ws = { 0 };
    engine_ranked *ranked = NULL;
    size_t cap = 0, changes = argc > 2 ? (size_t)atol(argv[2]) : 200, groups = 0, nopen = 0;
    double *lat, t0, full;
    int rc;
    if (argc < 2) {
        fprintf(stderr, "usage: %s DB [CHANGES]\n", argv[0]);
        return 1;
    }
    if (store_open(argv[1], &s) != 0 || store_observations_each(s, &f, keep, &all) != 0 || all.n == 0) {
        fprintf(stderr, "bench: %s: %s\n", argv[1], err_msg());
        return 1;
    }
    /* the full recompute: every group read and ranked */
    t0 = now_us();
    for (size_t i = 0; i < all.n; i++) {
        if (i > 0 && strcmp(all.o[i].indicator_code, all.o[i - 1].indicator_code) == 0 &&
            strcmp(all.o[i].period_code, all.o[i - 1].period_code) == 0)
            continue;
        if ((rc = rerank(s, all.o[i].indicator_code, all.o[i].period_code, &g, &ws, &ranked, &cap)) != 0)
            return 1;
        groups++;
    }
    full = now_us() - t0;
    /* changes go to values not yet published: the write path refuses published ones */
    for (size_t i = 0; i < all.n; i++) {
        if (all.o[i].state != OBS_PUBLISHED)
            all.o[nopen++] = all.o[i];
    }
    if (nopen == 0) {
        fprintf(stderr, "bench: every value of %s is published; nothing can change\n", argv[1]);
        return 1;
    }
    lat = malloc(changes * sizeof *lat);
    srand(7);
    for (size_t k = 0; lat && k < changes; k++) {
        model_observation *o = &all.o[(size_t)rand() % nopen];
        o->value = floor(o->value * 1.01 * 100 + 0.5) / 100 + 0.01;
        t0 = now_us();
        if (store_begin(s) != 0 || store_observation_put(s, o, "bench", NULL) != 0 ||
            store_commit(s) != 0 ||
            rerank(s, o->indicator_code, o->period_code, &g, &ws, &ranked, &cap) != 0) {
            store_rollback(s);
            lat[k] = -1;
            continue;
        }
        lat[k] = now_us() - t0;
    }
    qsort(lat, changes, sizeof *lat, cmp_double);
    {
        size_t first = 0;
        while (first < changes && lat[first] < 0)
            first++;
        if (first == changes) {
            fprintf(stderr, "bench: no change could be written (all values published?)\n");
            return 1;
        }
        printf("| %s | %zu observations, %zu groups, %zu per group | change + re-rank its group: "
               "median %.0f µs, p99 %.0f µs (%zu changes) | full recompute of every group: %.0f ms |\n",
               argv[1], all.n, groups, all.n / (groups ? groups : 1),
               lat[first + (changes - first) / 2], lat[first + (size_t)((changes - first - 1) * 0.99)],
               changes - first, full / 1000);
    }
    free(lat);
    free(all.o);
    free(g.value);
    free(ranked);
    engine_rank_ws_free(&ws);
    store_close(s);
    return 0;
}
