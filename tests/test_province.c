/* test_province: a small province-shaped demo (`saima demo --scale province` with a few
 * regions and indicators) holds what its shape says — regions in three size classes, one
 * peer group with ours, mixed indicators, every month of three years published, a target per
 * (indicator, region, year), a sound scheme — is the same for the same seed, and the use
 * cases rank, map and score it. */
#include "app/app.h"
#include "io/demo.h"
#include "store/store.h"
#include "support.h"
#include "util/err.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#define NREG 9
#define NIND 40         /* more than the themes: every value kind and direction, and names (2) */
#define NMONTHS 34      /* 2023-01 to 2025-10 */
#define NYEARS 3

static demo_opts province_opts(uint64_t seed, int regions, int indicators)
{
    demo_opts o;
    memset(&o, 0, sizeof o);
    o.as_of = (period_key){ PERIOD_MONTH, 2025, 10 };
    o.seed = seed;
    o.scale = DEMO_SCALE_PROVINCE;
    o.regions = regions;
    o.indicators = indicators;
    return o;
}

/* The database the suite reads, built once through the use case, with its summary. */
typedef struct fixture {
    test_db db;
    json_t *summary;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    demo_opts o = province_opts(DEMO_SEED_DEFAULT, NREG, NIND);
    app_ctx q;
    assert_non_null(fx);
    assert_int_equal(test_db_open(&fx->db), 0);
    q = (app_ctx){ .s = fx->db.s, .actor = "tester" };
    if (app_demo(&q, &o, fx->db.path, &fx->summary) != 0)
        fail_msg("app_demo: %s", err_msg());
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    json_decref(fx->summary);
    test_db_close(&fx->db);
    free(fx);
    return 0;
}

static long long count_of(json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* The summary counts what the shape says. */
static void test_counts(void **state)
{
    fixture *fx = *state;
    json_t *o = fx->summary, *units = json_object_get(o, "units");
    int64_t nobs = 0;
    assert_int_equal(count_of(units, "total"), NREG + 1);
    assert_int_equal(count_of(units, "region"), NREG);
    assert_int_equal(count_of(units, "reference"), 1);
    assert_int_equal(count_of(o, "groups"), 4);
    assert_int_equal(count_of(o, "indicators"), NIND);
    assert_int_equal(count_of(o, "schemes"), 1);
    assert_int_equal(count_of(o, "periods"), NMONTHS);
    assert_int_equal(count_of(o, "targets"), NREG * NIND * NYEARS);
    assert_int_equal(count_of(o, "observations"), NREG * NIND * NMONTHS);
    assert_int_equal(json_array_size(json_object_get(o, "accounts")), 2);
    assert_string_equal(json_string_value(json_object_get(o, "city")), "云岭省");
    assert_int_equal(store_observation_count(fx->db.s, &nobs), 0);
    assert_int_equal(nobs, NREG * NIND * NMONTHS);
}

/* Three non-empty size classes that split the regions, and one peer group of them all. */
static void test_groups(void **state)
{
    fixture *fx = *state;
    model_group *groups = NULL;
    model_unit *units = NULL, *members = NULL;
    size_t ng = 0, nu = 0, nm = 0, in_classes = 0, classes = 0, peers = 0, selves = 0;
    char peer[MODEL_CODE_MAX];
    assert_int_equal(store_groups(fx->db.s, &groups, &ng), 0);
    for (size_t g = 0; g < ng; g++) {
        assert_int_equal(store_group_members(fx->db.s, groups[g].code, &members, &nm), 0);
        if (groups[g].kind == GROUP_CLASS) {
            assert_true(nm >= 1);
            in_classes += nm;
            classes++;
        } else {
            assert_int_equal(groups[g].kind, GROUP_PEERS);
            assert_int_equal(nm, NREG);
            peers++;
        }
        free(members);
    }
    free(groups);
    assert_int_equal(classes, 3);
    assert_int_equal(peers, 1);
    assert_int_equal(in_classes, NREG);
    assert_int_equal(store_units(fx->db.s, &units, &nu), 0);
    for (size_t u = 0; u < nu; u++)
        selves += units[u].is_self != 0;
    free(units);
    assert_int_equal(selves, 1);
    assert_int_equal(app_peer_group(fx->db.s, peer), 0);
    assert_string_equal(peer, "yl_peers");
}

/* Both directions, every value kind, precisions 1 and 2. */
static void test_indicators(void **state)
{
    fixture *fx = *state;
    model_indicator *inds = NULL;
    size_t n = 0, kinds[VK_N] = { 0 }, dirs[DIR_N] = { 0 };
    assert_int_equal(store_indicators(fx->db.s, &inds, &n), 0);
    assert_int_equal(n, NIND);
    for (size_t i = 0; i < n; i++) {
        kinds[inds[i].value_kind]++;
        dirs[inds[i].direction]++;
        assert_true(inds[i].precision == 1 || inds[i].precision == 2);
    }
    free(inds);
    for (int k = 0; k < VK_N; k++)
        assert_true(kinds[k] > 0);
    assert_true(kinds[VK_YTD] > n / 2);
    assert_true(dirs[DIR_HIGHER] > 0 && dirs[DIR_LOWER] > 0);
}

/* Every figure published; a year-to-date series never falls within a year. */
typedef struct walk {
    char key[2 * MODEL_CODE_MAX + 8];
    double last;
    int year, ytd[NIND + 1];
    size_t n, unpublished, falls;
} walk;

static int walk_obs(const model_observation *o, void *ctx)
{
    walk *w = ctx;
    char key[sizeof w->key];
    int k = atoi(o->indicator_code + 1), year = atoi(o->period_code);
    w->n++;
    w->unpublished += o->state != OBS_PUBLISHED;
    snprintf(key, sizeof key, "%s|%s", o->indicator_code, o->unit_code);
    if (k >= 1 && k <= NIND && w->ytd[k] && strcmp(key, w->key) == 0 && year == w->year &&
        o->value < w->last)
        w->falls++;
    snprintf(w->key, sizeof w->key, "%s", key);
    w->year = year;
    w->last = o->value;
    return 0;
}

static void test_series(void **state)
{
    fixture *fx = *state;
    obs_filter f = store_filter_all();
    model_indicator *inds = NULL;
    size_t n = 0;
    walk *w = calloc(1, sizeof *w);
    assert_non_null(w);
    assert_int_equal(store_indicators(fx->db.s, &inds, &n), 0);
    for (size_t i = 0; i < n; i++)
        w->ytd[atoi(inds[i].code + 1)] = inds[i].value_kind == VK_YTD;
    free(inds);
    /* rows come by indicator, period, unit: walk each unit's series on its own */
    f.period_kind = PERIOD_MONTH;
    for (int r = 1; r <= NREG; r++) {
        snprintf(f.unit_code, sizeof f.unit_code, "r%03d", r);
        w->key[0] = '\0';
        assert_int_equal(store_observations_each(fx->db.s, &f, walk_obs, w), 0);
    }
    assert_int_equal(w->n, NREG * NIND * NMONTHS);
    assert_int_equal(w->unpublished, 0);
    assert_int_equal(w->falls, 0);
    free(w);
}

/* The scheme covers every indicator and checks out (weights against the declared total). */
static void test_scheme(void **state)
{
    fixture *fx = *state;
    app_ctx q = { .s = fx->db.s };
    json_t *o = NULL;
    size_t problems = 99;
    assert_int_equal(app_scheme_show(&q, "yl_assess", &o, &problems), 0);
    assert_int_equal(problems, 0);
    assert_int_equal(json_array_size(json_object_get(o, "items")), NIND);
    json_decref(o);
}

/* Rankings, the heatmap and the scores work on it, as a published-only reader sees them. */
static void test_analysis(void **state)
{
    fixture *fx = *state;
    app_ctx q = { .s = fx->db.s, .published_only = 1 };
    app_params p;
    json_t *o = NULL, *rows, *cells;
    memset(&p, 0, sizeof p);
    p.indicator = "i001";
    if (app_rankings(&q, &p, &o) != 0)
        fail_msg("app_rankings: %s", err_msg());
    assert_string_equal(json_string_value(json_object_get(o, "period")), "2025-10");
    rows = json_object_get(o, "rows");
    assert_int_equal(json_array_size(rows), NREG);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "rank")), 1);
    json_decref(o);
    memset(&p, 0, sizeof p);
    p.period = "2024-06";
    if (app_heatmap(&q, &p, &o) != 0)
        fail_msg("app_heatmap: %s", err_msg());
    assert_int_equal(json_array_size(json_object_get(o, "units")), NREG);
    cells = json_object_get(json_object_get(o, "cells"), "rank");
    assert_int_equal(json_array_size(cells), NIND);
    for (size_t i = 0; i < NIND; i++)
        assert_int_equal(json_array_size(json_array_get(cells, i)), NREG);
    json_decref(o);
    memset(&p, 0, sizeof p);
    if (app_scores(&q, &p, &o) != 0)
        fail_msg("app_scores: %s", err_msg());
    assert_int_equal(json_array_size(json_object_get(o, "units")), NREG);
    json_decref(o);
}

/* ---- builds of their own ---- */

static int add_value(const model_observation *o, void *ctx)
{
    double *sum = ctx;
    sum[0] += o->value;
    sum[1] += o->value * (double)(o->indicator_id * 31 + o->unit_id * 7 + o->period_id);
    return 0;
}

/* The sums of one build's values (plain and weighted by position) and of its targets. */
static void build_sums(const demo_opts *o, double sums[3])
{
    test_db db;
    obs_filter f = store_filter_all();
    model_target *t = NULL;
    size_t n = 0;
    memset(sums, 0, 3 * sizeof *sums);
    assert_int_equal(test_db_open(&db), 0);
    if (demo_province_build(db.s, o) != 0)
        fail_msg("demo_province_build: %s", err_msg());
    assert_int_equal(store_observations_each(db.s, &f, add_value, sums), 0);
    assert_int_equal(store_targets(db.s, 0, &t, &n), 0);
    for (size_t i = 0; i < n; i++)
        sums[2] += t[i].value * (double)(i + 1);
    free(t);
    test_db_close(&db);
}

static void test_deterministic(void **state)
{
    demo_opts o = province_opts(7, NREG, 6), other = province_opts(8, NREG, 6);
    double a[3], b[3], c[3];
    (void)state;
    build_sums(&o, a);
    build_sums(&o, b);
    build_sums(&other, c);
    assert_true(a[0] > 0);
    assert_memory_equal(a, b, sizeof a);
    assert_true(a[0] != c[0] && a[1] != c[1] && a[2] != c[2]);
}

/* A shape out of range is refused and nothing is written. */
static void test_refusals(void **state)
{
    test_db db;
    demo_opts o;
    model_unit *units = NULL;
    size_t nu = 99;
    (void)state;
    assert_int_equal(test_db_open(&db), 0);
    o = province_opts(1, DEMO_PROVINCE_MIN_REGIONS - 1, 6);
    assert_int_equal(demo_province_build(db.s, &o), ERR_DATA);
    o = province_opts(1, DEMO_PROVINCE_MAX + 1, 6);
    assert_int_equal(demo_province_build(db.s, &o), ERR_DATA);
    o = province_opts(1, NREG, DEMO_PROVINCE_MAX + 1);
    assert_int_equal(demo_province_build(db.s, &o), ERR_DATA);
    o = province_opts(1, NREG, 6);
    o.as_of.kind = PERIOD_QUARTER;
    assert_int_equal(demo_province_build(db.s, &o), ERR_DATA);
    /* a locked month fails the bulk insert half way: all is rolled back */
    o = province_opts(1, NREG, 6);
    assert_int_equal(store_period_set_locked(db.s, &o.as_of, 1), 0);
    assert_int_equal(demo_province_build(db.s, &o), ERR_LOCKED);
    assert_int_equal(store_units(db.s, &units, &nu), 0);
    assert_int_equal(nu, 0);
    free(units);
    test_db_close(&db);
}

/* ---- `saima demo --scale province` (SAIMA_BIN names the binary) ---- */


static void test_cli(void **state)
{
    static char out[1 << 14];
    char path[64];
    json_t *o;
    (void)state;
    if (access(test_saima_bin(), X_OK) != 0)
        skip();
    assert_int_equal(test_temp_path(path, sizeof path), 0);
    assert_int_equal(test_run_saima(path, "demo --regions 9", out, sizeof out), 1);
    assert_int_equal(test_run_saima(path, "demo --scale town", out, sizeof out), 1);
    assert_int_equal(test_run_saima(path, "demo --scale province --regions 2", out, sizeof out), 1);
    assert_int_equal(test_run_saima(path, "demo --scale province --indicators 0", out, sizeof out), 1);
    assert_int_equal(test_run_saima(path, "--json demo --scale province --regions 9 --indicators 6 "
                                     "--as-of 2025-10",
                               out, sizeof out),
                     0);
    assert_non_null(o = json_loads(out, 0, NULL));
    assert_int_equal(count_of(o, "observations"), 9 * 6 * NMONTHS);
    assert_int_equal(count_of(o, "targets"), 9 * 6 * NYEARS);
    json_decref(o);
    assert_int_equal(test_run_saima(path, "--lang en demo --scale province", out, sizeof out), 2);
    test_db_remove_files(path);
}

int main(void)
{
    const struct CMUnitTest built[] = {
        cmocka_unit_test(test_counts),     cmocka_unit_test(test_groups),
        cmocka_unit_test(test_indicators), cmocka_unit_test(test_series),
        cmocka_unit_test(test_scheme),     cmocka_unit_test(test_analysis),
    };
    const struct CMUnitTest alone[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_cli),
    };
    int failed = cmocka_run_group_tests_name("province demo", built, setup, teardown);
    return failed + cmocka_run_group_tests_name("province options", alone, NULL, NULL);
}
