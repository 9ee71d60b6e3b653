/* cmd_workload: `saima workload DATADIR OUTCSV` — the rank-score benchmark of
 * ../shared/bench/WORKLOAD.md computed with the engine: rank, score, tier and gap for every
 * (indicator, period), then totals and the overall rank, the RESULT line and the table. */
#include "cli/cli.h"
#include "engine/rank.h"
#include "engine/score.h"
#include "io/workload.h"
#include "util/err.h"
#include "util/num.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const cli_opt cmd_workload_opts[] = {
    { "--threads", "N", "threads for the ranking (default: the number of processors)" },
    { NULL, NULL, NULL },
};

/* The workload's score: weight × max(0, 1 − 0.05 × (rank − 1)), a 5 % step per place. */
#define STEP_BP 500

/* The values ordered by indicator: indicator i holds rows [off[i], off[i+1]). Input in the
 * workload's own order (grouped by indicator) is used as it is; any other order is sorted. */
typedef struct by_indicator {
    size_t nind, nper, nreg;
    size_t *off;
    const double *value;
    const uint32_t *reg, *per;
    double *own_value;          /* set when the input had to be reordered */
    uint32_t *own_reg, *own_per;
} by_indicator;

/* One thread's share of the indicators and its partial results. */
typedef struct worker {
    const io_workload *w;
    const by_indicator *bi;
    const engine_points *weight;
    size_t i_begin, i_end;
    engine_points *totals;      /* nper × nreg: a group's writes are contiguous */
    unsigned char *seen;        /* nper × nreg: the region has a value in the period */
    long long rank_sum, gap10, top, bottom;
    int rc;
    char err[256];
} worker;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void by_indicator_free(by_indicator *bi)
{
    free(bi->off);
    free(bi->own_value);
    free(bi->own_reg);
    free(bi->own_per);
}

/* Finds each indicator's rows, reordering the input only when it is not grouped. */
static int order_by_indicator(const io_workload *w, by_indicator *bi)
{
    int sorted = 1;
    size_t *pos;
    memset(bi, 0, sizeof *bi);
    bi->nind = w->nind;
    bi->nper = w->nper;
    bi->nreg = w->nreg;
    if (!(bi->off = calloc(w->nind + 1, sizeof *bi->off)))
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < w->n; k++) {
        bi->off[w->ind[k] + 1]++;
        sorted &= k == 0 || w->ind[k] >= w->ind[k - 1];
    }
    for (size_t i = 0; i < w->nind; i++)
        bi->off[i + 1] += bi->off[i];
    bi->value = w->value;
    bi->reg = w->reg;
    bi->per = w->per;
    if (sorted)
        return 0;
    pos = malloc((w->nind + 1) * sizeof *pos);
    bi->own_value = malloc(w->n * sizeof *bi->own_value);
    bi->own_reg = malloc(w->n * sizeof *bi->own_reg);
    bi->own_per = malloc(w->n * sizeof *bi->own_per);
    if (!pos || !bi->own_value || !bi->own_reg || !bi->own_per) {
        free(pos);
        by_indicator_free(bi);
        return err_set(ERR_NOMEM, "out of memory ordering %zu values", w->n);
    }
    memcpy(pos, bi->off, (w->nind + 1) * sizeof *pos);
    for (size_t k = 0; k < w->n; k++) {
        size_t at = pos[w->ind[k]]++;
        bi->own_value[at] = w->value[k];
        bi->own_reg[at] = w->reg[k];
        bi->own_per[at] = w->per[k];
    }
    free(pos);
    bi->value = bi->own_value;
    bi->reg = bi->own_reg;
    bi->per = bi->own_per;
    return 0;
}

/* A thread's buffers for one indicator's groups. */
typedef struct scratch {
    size_t cap;
    double *value;
    uint32_t *reg;
    engine_ranked *ranked;
    size_t *goff;               /* nper + 1 */
} scratch;

static int scratch_reserve(scratch *sc, size_t rows, size_t nper)
{
    if (!sc->goff && !(sc->goff = malloc((nper + 1) * sizeof *sc->goff)))
        return ERR_NOMEM;
    if (rows <= sc->cap)
        return 0;
    free(sc->value);
    free(sc->reg);
    free(sc->ranked);
    sc->value = malloc(rows * sizeof *sc->value);
    sc->reg = malloc(rows * sizeof *sc->reg);
    sc->ranked = malloc(rows * sizeof *sc->ranked);
    sc->cap = rows;
    return sc->value && sc->reg && sc->ranked ? 0 : ERR_NOMEM;
}

static void scratch_free(scratch *sc)
{
    free(sc->value);
    free(sc->reg);
    free(sc->ranked);
    free(sc->goff);
}

/* Ranks one (indicator, period) group and accumulates checksums and totals. */
static int rank_group(worker *wk, engine_rank_ws *ws, size_t ind, size_t per, const double *v,
                      const uint32_t *reg, size_t m, engine_ranked *ranked)
{
    engine_points *totals = wk->totals + per * wk->bi->nreg;
    unsigned char *seen = wk->seen + per * wk->bi->nreg;
    int rc = engine_rank_group(v, NULL, m, wk->w->ind_higher[ind], ENGINE_PRECISION_EXACT, ws, ranked,
                               NULL);
    if (rc != 0)
        return rc;
    for (size_t j = 0; j < m; j++) {
        const engine_ranked *r = &ranked[j];
        wk->rank_sum += r->rank;
        if (r->rank <= 3)
            wk->top++;
        else if ((size_t)r->rank + 3 > m)
            wk->bottom++;
        if (r->above >= 0)
            wk->gap10 += llround(fabs(v[j] - v[r->above]) * 10);
        totals[reg[j]] += engine_score_rank_step(wk->weight[ind], STEP_BP, 0, r->rank);
        seen[reg[j]] = 1;
    }
    return 0;
}

/* Groups each of the worker's indicators by period in cache-sized buffers, then ranks. */
static void *work(void *arg)
{
    worker *wk = arg;
    const by_indicator *bi = wk->bi;
    engine_rank_ws ws = { 0 };
    scratch sc = { 0, NULL, NULL, NULL, NULL };
    for (size_t i = wk->i_begin; i < wk->i_end && wk->rc == 0; i++) {
        size_t a = bi->off[i], rows = bi->off[i + 1] - a;
        if (scratch_reserve(&sc, rows, bi->nper) != 0) {
            wk->rc = ERR_NOMEM;
            break;
        }
        memset(sc.goff, 0, (bi->nper + 1) * sizeof *sc.goff);
        for (size_t k = a; k < a + rows; k++)
            sc.goff[bi->per[k] + 1]++;
        for (size_t p = 0; p < bi->nper; p++)
            sc.goff[p + 1] += sc.goff[p];
        for (size_t k = a; k < a + rows; k++) {
            size_t at = sc.goff[bi->per[k]]++;
            sc.value[at] = bi->value[k];
            sc.reg[at] = bi->reg[k];
        }
        for (size_t p = 0, start = 0; p < bi->nper && wk->rc == 0; start = sc.goff[p], p++) {
            wk->rc = rank_group(wk, &ws, i, p, sc.value + start, sc.reg + start, sc.goff[p] - start,
                                sc.ranked);
            if (wk->rc != 0)
                snprintf(wk->err, sizeof wk->err, "%s", err_msg());
        }
    }
    scratch_free(&sc);
    engine_rank_ws_free(&ws);
    return NULL;
}

/* Runs the workers over equal shares of the indicators and folds their results into sum. */
static int rank_all(const io_workload *w, const by_indicator *bi, const engine_points *weight,
                    int nthreads, worker *sum)
{
    size_t cells = bi->nreg * bi->nper;
    worker *wk = calloc((size_t)nthreads, sizeof *wk);
    pthread_t *tid = calloc((size_t)nthreads, sizeof *tid);
    int rc = 0;
    if (!wk || !tid) {
        free(wk);
        free(tid);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (int t = 0; t < nthreads && rc == 0; t++) {
        wk[t].w = w;
        wk[t].bi = bi;
        wk[t].weight = weight;
        wk[t].i_begin = bi->nind * (size_t)t / (size_t)nthreads;
        wk[t].i_end = bi->nind * (size_t)(t + 1) / (size_t)nthreads;
        wk[t].totals = calloc(cells, sizeof *wk[t].totals);
        wk[t].seen = calloc(cells, 1);
        if (!wk[t].totals || !wk[t].seen)
            rc = err_set(ERR_NOMEM, "out of memory");
    }
    int started = 1;
    for (; started < nthreads && rc == 0; started++) {
        if (pthread_create(&tid[started], NULL, work, &wk[started]) != 0) {
            rc = err_set(ERR_INTERNAL, "cannot start a thread");
            break;
        }
    }
    if (rc == 0)
        work(&wk[0]);
    for (int t = 1; t < started; t++)
        pthread_join(tid[t], NULL);
    for (int t = 0; t < nthreads && rc == 0; t++) {
        if (wk[t].rc != 0)
            rc = err_set(wk[t].rc, "%s", wk[t].err[0] ? wk[t].err : "ranking failed");
    }
    if (rc == 0) {
        *sum = wk[0];
        for (int t = 1; t < nthreads; t++) {
            sum->rank_sum += wk[t].rank_sum;
            sum->gap10 += wk[t].gap10;
            sum->top += wk[t].top;
            sum->bottom += wk[t].bottom;
            for (size_t c = 0; c < cells; c++) {
                sum->totals[c] += wk[t].totals[c];
                sum->seen[c] |= wk[t].seen[c];
            }
        }
        wk[0].totals = NULL;
        wk[0].seen = NULL;
    }
    for (int t = 0; t < nthreads; t++) {
        free(wk[t].totals);
        free(wk[t].seen);
    }
    free(wk);
    free(tid);
    return rc;
}

/* One line of the result table. */
typedef struct out_row {
    uint32_t reg;
    int rank;
    engine_points total;
} out_row;

static int cmp_row(const void *a, const void *b, void *arg)
{
    const out_row *x = a, *y = b;
    const io_workload *w = arg;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return strcmp(w->reg_code[x->reg], w->reg_code[y->reg]);
}

static int cmp_period(const void *a, const void *b, void *arg)
{
    const io_workload *w = arg;
    long x = w->per_label[*(const size_t *)a], y = w->per_label[*(const size_t *)b];
    return (x > y) - (x < y);
}

/* Ranks the totals of each period and writes region,period,total,overall_rank sorted by
 * period, overall rank and region. */
static int write_table(const io_workload *w, const worker *sum, const char *path)
{
    size_t nper = w->nper, nreg = w->nreg, *order = malloc(nper * sizeof *order);
    out_row *rows = malloc(nreg * sizeof *rows);
    double *tv = malloc(nreg * sizeof *tv);
    engine_ranked *ranked = malloc(nreg * sizeof *ranked);
    engine_rank_ws ws = { 0 };
    FILE *out = fopen(path, "w");
    int rc = 0;
    char total[32];
    if (!out)
        rc = err_set(ERR_IO, "cannot write %s", path);
    else if (!order || !rows || !tv || !ranked)
        rc = err_set(ERR_NOMEM, "out of memory");
    if (rc == 0) {
        for (size_t p = 0; p < nper; p++)
            order[p] = p;
        qsort_r(order, nper, sizeof *order, cmp_period, (void *)w);
        fputs("region,period,total,overall_rank\n", out);
    }
    for (size_t i = 0; rc == 0 && i < nper; i++) {
        size_t p = order[i], m = 0;
        for (size_t r = 0; r < nreg; r++) {
            if (!sum->seen[p * nreg + r])
                continue;
            rows[m].reg = (uint32_t)r;
            rows[m].total = sum->totals[p * nreg + r];
            tv[m++] = (double)sum->totals[p * nreg + r]; /* exact: totals stay below 2^53 */
        }
        if ((rc = engine_rank_group(tv, NULL, m, 1, ENGINE_PRECISION_EXACT, &ws, ranked, NULL)) != 0)
            break;
        for (size_t k = 0; k < m; k++)
            rows[k].rank = ranked[k].rank;
        qsort_r(rows, m, sizeof *rows, cmp_row, (void *)w);
        for (size_t k = 0; k < m; k++) {
            engine_points_format(rows[k].total, 2, total, sizeof total);
            fprintf(out, "%s,%ld,%s,%d\n", w->reg_code[rows[k].reg], w->per_label[p], total, rows[k].rank);
        }
    }
    if (out && fclose(out) != 0 && rc == 0)
        rc = err_set(ERR_IO, "cannot write %s", path);
    engine_rank_ws_free(&ws);
    free(order);
    free(rows);
    free(tv);
    free(ranked);
    return rc;
}

int cmd_workload(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    io_workload w;
    by_indicator bi;
    worker sum;
    engine_points *weight = NULL;
    const char *v = cli_opt_value(cmd, args, "--threads");
    long nthreads = sysconf(_SC_NPROCESSORS_ONLN);
    double t0 = now(), t1, t_group = 0, t_rank = 0;
    int rc;
    (void)ctx;
    if (v && num_parse_int(v, 1, 64, &nthreads) != 0)
        return cli_usage_error(cmd, "--threads: %s", err_msg());
    if (nthreads < 1)
        nthreads = 1;
    if ((rc = io_workload_load(args->pos[0], &w)) != 0)
        return rc;
    t1 = now();
    memset(&sum, 0, sizeof sum);
    if (!(weight = malloc((w.nind ? w.nind : 1) * sizeof *weight)))
        rc = err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < w.nind; i++)
        rc = engine_points_from(w.ind_weight[i], &weight[i]);
    if (rc == 0 && (rc = order_by_indicator(&w, &bi)) == 0) {
        t_group = now();
        if ((rc = rank_all(&w, &bi, weight, (int)nthreads, &sum)) == 0) {
            t_rank = now();
            rc = write_table(&w, &sum, args->pos[1]);
        }
        by_indicator_free(&bi);
    }
    if (rc == 0)
        printf("SAIMA n=%zu groups=%zu threads=%ld group_s=%.3f rank_s=%.3f table_s=%.3f\n", w.n,
               w.nind * w.nper, nthreads, t_group - t1, t_rank - t_group, now() - t_rank);
    if (rc == 0)
        printf("RESULT load=%.3f compute=%.3f rank_sum=%lld gap_sum=%lld.%lld top=%lld bottom=%lld\n",
               t1 - t0, now() - t1, sum.rank_sum, sum.gap10 / 10, sum.gap10 % 10, sum.top, sum.bottom);
    free(sum.totals);
    free(sum.seen);
    free(weight);
    io_workload_free(&w);
    return rc;
}
