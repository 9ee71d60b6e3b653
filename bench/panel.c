/* panel: what a heatmap and a scheme's scores cost in the use-case layer (store reads, engine,
 * JSON text as the server sends it) beside what the engine alone needs for the same panels
 * (the same analyses and scores on panels already in memory). The issue-10 target: the use
 * case within 10× the engine.
 *   build/bench_panel DB [RUNS] [--values]
 * prints a markdown table of medians in milliseconds, or with --values one line of them:
 * heatmap use case, heatmap engine, scores use case, scores engine. */
#include "app/app.h"
#include "store/store.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS_MAX 99

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef int (*use_case_fn)(const app_ctx *q, const app_params *p, json_t **out);

/* One run of a use case, its result dumped as the server dumps a reply body; returns ms or
 * -1. */
static double time_use_case(const app_ctx *q, use_case_fn fn, size_t *bytes)
{
    app_params p;
    json_t *res;
    char *text;
    double t0 = now_ms();
    memset(&p, 0, sizeof p);
    if (fn(q, &p, &res) != 0)
        return -1;
    text = json_dumps(res, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(res);
    *bytes = text ? strlen(text) : 0;
    free(text);
    return now_ms() - t0;
}

/* The engine's part of a scheme's scores: every item analysed and scored (without the
 * explanations, which the scores do not show), the totals. */
static double time_engine_scores(app_scored *r)
{
    engine_rank_ws ws = { 0 };
    double *v = malloc((r->nunits + 1) * sizeof *v), t0 = now_ms();
    unsigned char *pres = malloc(r->nunits + 1);
    int rc = v && pres ? 0 : ERR_NOMEM;
    for (size_t i = 0; rc == 0 && i < r->nitems; i++) {
        app_analysis *a = &r->an[i];
        size_t months = a->sp.p.nmonths, t = (size_t)a->t;
        engine_item_group g;
        rc = engine_analyze(&a->sp.p, t, &r->sc.params, &ws, a->st);
        for (size_t u = 0; u < r->nunits; u++) {
            v[u] = a->sp.value[u * months + t];
            pres[u] = a->sp.present[u * months + t];
        }
        g = engine_item_group_of(v, pres, r->nunits, a->sp.p.higher_better);
        for (size_t u = 0; rc == 0 && u < r->nunits; u++) {
            engine_item_input in = { a->st[u].rank.rank, v[u], pres[u], a->sp.target[u],
                                     a->sp.target_present[u], 0, 0 };
            rc = engine_score_item(&r->methods[i], &in, &g, &r->scores[u * r->nitems + i], NULL);
        }
    }
    if (rc == 0)
        rc = engine_totals(r->scores, r->nunits, r->nitems, NULL, 0, NULL, 0, r->totals);
    if (rc == 0 && r->has_grading)
        rc = engine_grade(&r->grading, r->totals, r->nunits);
    engine_rank_ws_free(&ws);
    free(v);
    free(pres);
    return rc == 0 ? now_ms() - t0 : -1;
}

/* The engine's part of a heatmap: every indicator of the scope analysed at its month. */
static double time_engine_heatmap(const app_scope *sc, app_analysis *an, size_t n)
{
    engine_rank_ws ws = { 0 };
    double t0 = now_ms();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = engine_analyze(&an[i].sp.p, (size_t)an[i].t, &sc->params, &ws, an[i].st);
    engine_rank_ws_free(&ws);
    return rc == 0 ? now_ms() - t0 : -1;
}

/* Loads every analysis of the default scope (untimed), then times the engine over them. */
static int engine_heatmap_runs(const app_ctx *q, int runs, double *ms, double *load_ms, size_t *nind_out,
                               size_t *nunits)
{
    app_scope sc;
    app_members m;
    model_indicator *inds = NULL;
    size_t nind = 0;
    app_analysis *an;
    double t0;
    int rc;
    if ((rc = app_scope_open(q, NULL, NULL, &sc)) != 0 || (rc = app_scope_indicators(&sc, &inds, &nind)) != 0)
        return rc;
    if (!(an = calloc(nind + 1, sizeof *an)) || (rc = app_scope_share_members(&sc, &m)) != 0) {
        free(an);
        free(inds);
        return rc ? rc : ERR_NOMEM;
    }
    t0 = now_ms();
    for (size_t i = 0; rc == 0 && i < nind; i++)
        rc = app_analyze(&sc, inds[i].code, &an[i]);
    *load_ms = now_ms() - t0;
    for (int k = 0; rc == 0 && k < runs; k++)
        rc = (ms[k] = time_engine_heatmap(&sc, an, nind)) < 0 ? ERR_DATA : 0;
    *nind_out = nind;
    *nunits = nind ? an[0].sp.nunits : 0;
    for (size_t i = 0; i < nind; i++)
        app_analysis_free(&an[i]);
    app_members_free(&m);
    free(an);
    free(inds);
    return rc;
}

static int engine_score_runs(const app_ctx *q, int runs, double *ms)
{
    app_params p;
    app_scored r;
    int rc;
    memset(&p, 0, sizeof p);
    if ((rc = app_score_open(q, &p, 0, &r)) != 0)
        return rc;
    for (int k = 0; rc == 0 && k < runs; k++)
        rc = (ms[k] = time_engine_scores(&r)) < 0 ? ERR_DATA : 0;
    app_scored_free(&r);
    return rc;
}

static int use_case_runs(const app_ctx *q, use_case_fn fn, int runs, double *ms, size_t *bytes)
{
    for (int k = 0; k < runs; k++) {
        if ((ms[k] = time_use_case(q, fn, bytes)) < 0)
            return ERR_DATA;
    }
    return 0;
}

int main(int argc, char **argv)
{
    double use[RUNS_MAX], eng[RUNS_MAX], use_s[RUNS_MAX], eng_s[RUNS_MAX], u, e, us, es;
    size_t bytes = 0, bytes_s = 0, nind = 0, nunits = 0;
    double load = 0;
    int runs = argc > 2 ? atoi(argv[2]) : 3, rc;
    store *s;
    app_ctx q;
    if (argc < 2 || runs < 1 || runs > RUNS_MAX) {
        fprintf(stderr, "usage: bench_panel DB [RUNS 1..%d] [--values]\n", RUNS_MAX);
        return 2;
    }
    if (store_open(argv[1], &s) != 0) {
        fprintf(stderr, "bench_panel: %s\n", err_msg());
        return 1;
    }
    memset(&q, 0, sizeof q);
    q.s = s;
    rc = use_case_runs(&q, app_heatmap, runs, use, &bytes);
    if (rc == 0)
        rc = engine_heatmap_runs(&q, runs, eng, &load, &nind, &nunits);
    if (rc == 0)
        rc = use_case_runs(&q, app_scores, runs, use_s, &bytes_s);
    if (rc == 0)
        rc = engine_score_runs(&q, runs, eng_s);
    if (rc != 0) {
        fprintf(stderr, "bench_panel: %s\n", err_msg());
        store_close(s);
        return 1;
    }
    u = median(use, runs);
    e = median(eng, runs);
    us = median(use_s, runs);
    es = median(eng_s, runs);
    if (argc > 3 && strcmp(argv[3], "--values") == 0) {
        printf("%.1f %.1f %.1f %.1f\n", u, e, us, es);
        store_close(s);
        return 0;
    }
    printf("## use case vs engine on %s: %zu units × %zu indicators, median of %d (ms)\n", argv[1], nunits,
           nind, runs);
    printf("| question | use case (reads, engine, JSON text) | engine alone | ratio | reply bytes |\n");
    printf("|---|---:|---:|---:|---:|\n");
    printf("| heatmap | %.1f | %.1f | %.1f× | %zu |\n", u, e, e > 0 ? u / e : 0, bytes);
    printf("| scores | %.1f | %.1f | %.1f× | %zu |\n", us, es, es > 0 ? us / es : 0, bytes_s);
    printf("(the heatmap's analyses alone, store reads and engine, no JSON: %.1f ms once)\n", load);
    store_close(s);
    return 0;
}
