/* test_analyze: every rule of engine_analyze by hand-worked cases, a randomized cross-check of
 * ranks, gaps and forecast ranks against a slow reference, and the data-file cases in
 * tests/cases/analyze/NAME/{input,expected}.json (a new case needs no code). */
#include "support.h"
#include "engine/analyze.h"
#include "model/model.h"
#include "util/err.h"
#include "util/period.h"

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define MAXU 64
#define MAXM 60
#define EPS 1e-9

/* A panel with its storage; values start missing. */
typedef struct fixture {
    double value[MAXU * MAXM];
    unsigned char present[MAXU * MAXM];
    double reference[MAXM];
    unsigned char reference_present[MAXM];
    double target[MAXU];
    unsigned char target_present[MAXU];
    engine_panel p;
    engine_params params;
    engine_standing out[MAXU];
} fixture;

static fixture fx;

static void panel_init(size_t nunits, size_t nmonths, int higher, int precision, int kind)
{
    memset(&fx, 0, sizeof fx);
    fx.p.nunits = nunits;
    fx.p.nmonths = nmonths;
    fx.p.first_year = 2024;
    fx.p.value = fx.value;
    fx.p.present = fx.present;
    fx.p.reference = fx.reference;
    fx.p.reference_present = fx.reference_present;
    fx.p.target = fx.target;
    fx.p.target_present = fx.target_present;
    fx.p.higher_better = higher;
    fx.p.precision = precision;
    fx.p.value_kind = kind;
    fx.params = engine_params_default();
}

static void set_value(size_t u, size_t t, double v)
{
    fx.value[u * fx.p.nmonths + t] = v;
    fx.present[u * fx.p.nmonths + t] = !isnan(v);
}

/* Sets month t of every unit; NAN leaves a unit missing. */
static void set_month(size_t t, const double *v)
{
    for (size_t u = 0; u < fx.p.nunits; u++)
        set_value(u, t, v[u]);
}

/* Sets n months of unit u from month t0. */
static void set_series(size_t u, size_t t0, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        set_value(u, t0 + i, v[i]);
}

static void set_target(size_t u, double goal)
{
    fx.target[u] = goal;
    fx.target_present[u] = 1;
}

static void analyze(size_t t)
{
    engine_rank_ws ws = { 0 };
    int rc = engine_analyze(&fx.p, t, &fx.params, &ws, fx.out);
    engine_rank_ws_free(&ws);
    if (rc != 0)
        fail_msg("engine_analyze: %d %s", rc, err_msg());
}

static void expect_near(double got, double want, const char *what, size_t u)
{
    if (isnan(want) ? !isnan(got) : !(fabs(got - want) <= EPS * (1 + fabs(want))))
        fail_msg("unit %zu %s: %.12g, expected %.12g", u, what, got, want);
}

static void expect_ranks(const int *ranks)
{
    for (size_t u = 0; u < fx.p.nunits; u++) {
        if (fx.out[u].rank.rank != ranks[u])
            fail_msg("unit %zu: rank %d, expected %d", u, fx.out[u].rank.rank, ranks[u]);
    }
}

#define BIT(w) (1u << (w))

/* ---- ranks, tiers, gaps ---- */

static void test_ties_at_top_middle_bottom(void **state)
{
    /* 9 units at one decimal: 12.0 12.0 | 10.5 | 9.0 9.0 9.0 | 7.2 | 5.0 5.0 */
    const double v[] = { 12, 12, 10.5, 9, 9, 9, 7.2, 5, 5 };
    const int r[] = { 1, 1, 3, 4, 4, 4, 7, 8, 8 };
    (void)state;
    panel_init(9, 1, 1, 1, VK_LEVEL);
    set_month(0, v);
    analyze(0);
    expect_ranks(r);
    assert_int_equal(fx.out[0].tier, TIER_TOP);
    assert_int_equal(fx.out[2].tier, TIER_TOP);   /* two strictly better */
    assert_int_equal(fx.out[3].tier, TIER_MIDDLE); /* three better, three worse */
    assert_int_equal(fx.out[6].tier, TIER_BOTTOM); /* two worse */
    assert_int_equal(fx.out[8].tier, TIER_BOTTOM);
    assert_true(fx.out[2].first_tier);
    assert_false(fx.out[3].first_tier);
    /* the leaders have no 标兵; their 追兵 is 10.5, 1.5 behind */
    assert_true(isnan(fx.out[0].gap_above) && isnan(fx.out[1].pct_to_overtake));
    expect_near(fx.out[0].lead_below, 1.5, "lead_below", 0);
    /* 10.5 needs 12.1 to pass 12.0: (12.1 − 10.5) / 10.5 = 15.238095…% */
    expect_near(fx.out[2].gap_above, 1.5, "gap_above", 2);
    expect_near(fx.out[2].pct_to_overtake, 1.6 / 10.5 * 100, "pct", 2);
    /* 9.0 ×3 chase 10.5 (gap 1.5, needs 10.6: 17.7…%) and lead 7.2 by 1.8 */
    for (size_t u = 3; u < 6; u++) {
        expect_near(fx.out[u].gap_above, 1.5, "gap_above", u);
        expect_near(fx.out[u].pct_to_overtake, 1.6 / 9 * 100, "pct", u);
        expect_near(fx.out[u].lead_below, 1.8, "lead_below", u);
    }
    /* the last pair has nobody behind */
    assert_true(isnan(fx.out[7].lead_below));
    expect_near(fx.out[7].gap_above, 2.2, "gap_above", 7);
    /* bottom three fires for 7.2 and both 5.0 (red), not for the middle */
    assert_int_equal(fx.out[6].warnings, BIT(WARN_BOTTOM_THREE));
    assert_int_equal(fx.out[7].level, LEVEL_RED);
    assert_int_equal(fx.out[5].warnings, 0);
    assert_int_equal(fx.out[5].level, LEVEL_NONE);
}

static void test_precision_joins_a_tie_group(void **state)
{
    /* at two decimals 8.104 and 8.1 are one group worth 8.10; 8.2 chases nobody above */
    const double v[] = { 8.104, 8.1, 8.2, 7.996 };
    (void)state;
    panel_init(4, 1, 1, 2, VK_LEVEL);
    set_month(0, v);
    analyze(0);
    assert_int_equal(fx.out[0].rank.rank, 2);
    assert_int_equal(fx.out[1].rank.rank, 2);
    /* the gap is between published values, whichever unit stands for the group: 8.10 − 8.00 */
    expect_near(fx.out[3].gap_above, 0.1, "gap_above", 3);
    expect_near(fx.out[2].lead_below, 0.1, "lead_below", 2);
    /* 7.996 must reach 8.11: (8.11 − 7.996) / 7.996 */
    expect_near(fx.out[3].pct_to_overtake, (8.11 - 7.996) / 7.996 * 100, "pct", 3);
    /* 8.104 passes 8.2 at 8.21 */
    expect_near(fx.out[0].pct_to_overtake, (8.21 - 8.104) / 8.104 * 100, "pct", 0);
}

static void test_all_equal(void **state)
{
    const double v[] = { 3, 3, 3, 3, 3 };
    (void)state;
    panel_init(5, 1, 1, 0, VK_LEVEL);
    set_month(0, v);
    analyze(0);
    for (size_t u = 0; u < 5; u++) {
        assert_int_equal(fx.out[u].rank.rank, 1);
        assert_int_equal(fx.out[u].tier, TIER_TOP);
        assert_true(isnan(fx.out[u].gap_above) && isnan(fx.out[u].lead_below));
        assert_int_equal(fx.out[u].warnings, 0);
        assert_int_equal(fx.out[u].forecast_rank, 1);
    }
}

static void test_one_competitor(void **state)
{
    const double s[] = { 10, 11 };
    (void)state;
    panel_init(1, 13, 1, 1, VK_LEVEL);
    set_series(0, 11, s, 2);
    analyze(12);
    assert_int_equal(fx.out[0].rank.rank, 1);
    assert_int_equal(fx.out[0].tier, TIER_TOP);
    assert_int_equal(fx.out[0].rank_prev, 1);
    assert_int_equal(fx.out[0].move_prev, 0);
    assert_int_equal(fx.out[0].rank_last_year, 0); /* no value in January last year */
    assert_true(isnan(fx.out[0].growth));
    assert_int_equal(fx.out[0].forecast_rank, 1);
    assert_int_equal(fx.out[0].warnings, 0);
}

static void test_all_missing(void **state)
{
    const double v[] = { NAN, NAN, NAN };
    (void)state;
    panel_init(3, 2, 1, 2, VK_YTD);
    set_month(0, v);
    set_month(1, v);
    set_target(0, 100);
    analyze(1);
    for (size_t u = 0; u < 3; u++) {
        assert_int_equal(fx.out[u].rank.rank, 0);
        assert_int_equal(fx.out[u].tier, TIER_NONE);
        assert_false(fx.out[u].first_tier);
        assert_true(isnan(fx.out[u].completion) && isnan(fx.out[u].forecast));
        assert_int_equal(fx.out[u].forecast_rank, 0);
        assert_int_equal(fx.out[u].warnings, BIT(WARN_MISSING));
        assert_int_equal(fx.out[u].level, LEVEL_YELLOW);
        /* time progress is a property of the month: February is 2/12 */
        expect_near(fx.out[u].time_linear, 2.0 / 12 * 100, "time_linear", u);
    }
}

static void test_missing_is_unranked_and_warned(void **state)
{
    const double m0[] = { 5, 6, 7, 8 }, m1[] = { 5, NAN, 7, 8 };
    (void)state;
    panel_init(4, 2, 1, 0, VK_LEVEL);
    set_month(0, m0);
    set_month(1, m1);
    analyze(1);
    assert_int_equal(fx.out[1].rank.rank, 0);
    assert_int_equal(fx.out[1].rank_prev, 3);
    assert_int_equal(fx.out[1].move_prev, 0); /* unknown, not a fall */
    assert_int_equal(fx.out[1].warnings, BIT(WARN_MISSING));
    /* 5 is third of the three ranked (前三 wins in so small a group); its rank went 4 → 3 */
    assert_int_equal(fx.out[0].rank.rank, 3);
    assert_int_equal(fx.out[0].tier, TIER_TOP);
    assert_int_equal(fx.out[0].move_prev, 1);
    assert_int_equal(fx.out[0].rank.above, 2);
    /* without present flags a NaN is missing; without target flags every target counts */
    fx.p.present = NULL;
    fx.p.target_present = NULL;
    fx.target[2] = 14;
    analyze(1);
    assert_int_equal(fx.out[1].rank.rank, 0);
    assert_int_equal(fx.out[1].warnings, BIT(WARN_MISSING));
    expect_near(fx.out[2].completion, 50, "completion", 2);
    assert_true(isnan(fx.out[0].completion)); /* target 0 */
}

static void test_lower_is_better(void **state)
{
    /* energy use per unit of GDP at two decimals: lowest first */
    const double last[] = { 0.50, 0.49, 0.61 }, now[] = { 0.52, 0.48, 0.61 };
    (void)state;
    panel_init(3, 13, 0, 2, VK_LEVEL);
    set_month(0, last);
    set_month(11, last);
    set_month(12, now);
    set_target(0, 0.51);
    set_target(1, 0.50);
    analyze(12);
    assert_int_equal(fx.out[1].rank.rank, 1);
    assert_int_equal(fx.out[0].rank.rank, 2);
    assert_int_equal(fx.out[0].rank.above, 1);
    /* 0.52 must fall to 0.47 to pass 0.48: (0.47 − 0.52) / 0.52 = −9.615…% */
    expect_near(fx.out[0].pct_to_overtake, -0.05 / 0.52 * 100, "pct", 0);
    expect_near(fx.out[0].gap_above, 0.04, "gap_above", 0);
    /* rising from 0.50 to 0.52 is +4 %, bad when lower is better */
    expect_near(fx.out[0].growth, 4.0, "growth", 0);
    assert_true(fx.out[0].warnings & BIT(WARN_NEGATIVE_GROWTH));
    assert_false(fx.out[1].warnings & BIT(WARN_NEGATIVE_GROWTH)); /* 0.49 → 0.48 */
    /* completion mirrors: 100 × (1 + (0.51 − 0.52) / 0.51) */
    expect_near(fx.out[0].completion, (1 + (0.51 - 0.52) / 0.51) * 100, "completion", 0);
    /* the forecast of a level is the latest value; 0.52 misses 0.51, 0.48 meets 0.50 */
    assert_true(fx.out[0].warnings & BIT(WARN_FORECAST_MISS));
    assert_false(fx.out[1].warnings & BIT(WARN_FORECAST_MISS));
    assert_int_equal(fx.out[1].forecast_rank, 1);
    assert_int_equal(fx.out[2].forecast_rank, 3);
}

static void test_reference_gap(void **state)
{
    const double v[] = { 523.37, 480.1 };
    (void)state;
    panel_init(2, 1, 1, 2, VK_LEVEL);
    set_month(0, v);
    fx.reference[0] = 491.2;
    fx.reference_present[0] = 1;
    analyze(0);
    expect_near(fx.out[0].gap_reference, 32.17, "gap_reference", 0);
    expect_near(fx.out[1].gap_reference, -11.1, "gap_reference", 1);
    fx.reference_present[0] = 0;
    analyze(0);
    assert_true(isnan(fx.out[0].gap_reference));
    fx.p.reference = NULL;
    analyze(0);
    assert_true(isnan(fx.out[0].gap_reference));
}

static void test_overtake_at_zero_negative_and_exact(void **state)
{
    const double v[] = { 4, 0, -10 };
    (void)state;
    panel_init(3, 1, 1, 0, VK_LEVEL);
    set_month(0, v);
    analyze(0);
    assert_true(isnan(fx.out[1].pct_to_overtake)); /* no % of zero */
    /* −10 needs 1 (above 0 at whole numbers): (1 − −10) / |−10| = +110 % */
    expect_near(fx.out[2].pct_to_overtake, 110, "pct", 2);
    fx.p.precision = ENGINE_PRECISION_EXACT;
    analyze(0);
    /* exactly, anything above 0 passes it: the % is the gap itself, +100 % */
    expect_near(fx.out[2].pct_to_overtake, 100, "pct", 2);
}

/* ---- movement ---- */

static void test_movement_across_a_year_boundary(void **state)
{
    /* Jan 2024, Dec 2024 and Jan 2025 (t = 0, 11, 12) */
    const double jan24[] = { 1, 2, 3, 4, 5 }, dec24[] = { 50, 40, 30, 20, 10 },
                 jan25[] = { 3, 5, 4, 1, 2 };
    (void)state;
    panel_init(5, 13, 1, 0, VK_YTD);
    set_month(0, jan24);
    set_month(11, dec24);
    set_month(12, jan25);
    analyze(12);
    /* ranks now 3 1 2 5 4; in December 1 2 3 4 5; a year ago 5 4 3 2 1 */
    assert_int_equal(fx.out[0].rank_prev, 1);
    assert_int_equal(fx.out[0].move_prev, -2);
    assert_int_equal(fx.out[0].rank_last_year, 5);
    assert_int_equal(fx.out[0].move_year, 2);
    assert_int_equal(fx.out[1].move_prev, 1);
    assert_int_equal(fx.out[1].move_year, 3);
    assert_int_equal(fx.out[3].move_prev, -1);
    assert_int_equal(fx.out[3].move_year, -3);
    /* a fall of 2 places warns (yellow), a fall of 1 does not */
    assert_true(fx.out[0].warnings & BIT(WARN_RANK_FALL));
    assert_false(fx.out[3].warnings & BIT(WARN_RANK_FALL));
    assert_false(fx.out[4].warnings & BIT(WARN_RANK_FALL)); /* 5 → 4 is a gain */
    /* t = 0 has no previous month at all */
    analyze(0);
    assert_int_equal(fx.out[0].rank_prev, 0);
    assert_int_equal(fx.out[0].rank_last_year, 0);
    assert_int_equal(fx.out[0].move_year, 0);
}

/* ---- progress ---- */

static void test_time_progress_seasonal_and_linear(void **state)
{
    /* YTD: last year June 40 of a December 100 → 40 %; linear June is 50 % */
    (void)state;
    panel_init(3, 18, 1, 1, VK_YTD);
    set_value(0, 5, 40);
    set_value(0, 11, 100);
    set_value(0, 17, 45);
    set_value(1, 11, 100); /* no June last year: linear */
    set_value(1, 17, 45);
    set_value(2, 5, 30);
    set_value(2, 11, 0); /* a zero December gives no share: linear */
    set_value(2, 17, 45);
    analyze(17);
    expect_near(fx.out[0].time_linear, 50, "time_linear", 0);
    expect_near(fx.out[0].time_seasonal, 40, "time_seasonal", 0);
    expect_near(fx.out[1].time_seasonal, 50, "time_seasonal", 1);
    expect_near(fx.out[2].time_seasonal, 50, "time_seasonal", 2);
    /* other kinds are always linear */
    fx.p.value_kind = VK_LEVEL;
    analyze(17);
    expect_near(fx.out[0].time_seasonal, 50, "time_seasonal", 0);
    /* the first year has no history: linear, e.g. March = 25 % */
    fx.p.value_kind = VK_YTD;
    analyze(2);
    expect_near(fx.out[0].time_seasonal, 25, "time_seasonal", 0);
}

static void test_growth_by_kind(void **state)
{
    (void)state;
    panel_init(2, 13, 1, 1, VK_YTD);
    set_value(0, 0, 80);
    set_value(0, 12, 100);
    set_value(1, 0, 0);
    set_value(1, 12, 5);
    analyze(12);
    expect_near(fx.out[0].growth, 25, "growth", 0); /* 100 / 80 − 1 */
    assert_true(isnan(fx.out[1].growth));           /* zero base */
    fx.p.value_kind = VK_RATIO;                     /* points: 100 − 80, 5 − 0 */
    analyze(12);
    expect_near(fx.out[0].growth, 20, "growth", 0);
    expect_near(fx.out[1].growth, 5, "growth", 1);
}

static void test_completion_zero_and_negative_targets(void **state)
{
    const double v[] = { 60, -5, -12, 30 };
    (void)state;
    panel_init(4, 6, 1, 0, VK_LEVEL);
    set_month(5, v);
    set_target(0, 0);   /* undefined */
    set_target(1, -10); /* a loss of 5 against a target loss of 10: 150 % */
    set_target(2, -10); /* a loss of 12: 80 % */
    /* unit 3 has no target */
    analyze(5);
    assert_true(isnan(fx.out[0].completion));
    expect_near(fx.out[1].completion, 150, "completion", 1);
    expect_near(fx.out[2].completion, 80, "completion", 2);
    assert_true(isnan(fx.out[3].completion));
    /* no completion: no 双过半, no behind-time; no target: no forecast miss */
    assert_false(fx.out[0].half_half);
    assert_false(fx.out[0].warnings & (BIT(WARN_BEHIND_TIME) | BIT(WARN_FORECAST_MISS)));
    assert_false(fx.out[3].warnings & BIT(WARN_FORECAST_MISS));
    /* −12 is worse than the target −10; −5 is better */
    assert_true(fx.out[2].warnings & BIT(WARN_FORECAST_MISS));
    assert_false(fx.out[1].warnings & BIT(WARN_FORECAST_MISS));
    assert_true(fx.out[1].half_half);
}

static void test_half_half_edges(void **state)
{
    /* June (t = 5) and May (t = 4), targets 200: 100 is exactly half, 99.9 is not */
    const double june[] = { 100, 99.9, 150 }, may[] = { 120, 120, 120 };
    (void)state;
    panel_init(3, 6, 1, 1, VK_YTD);
    set_month(5, june);
    set_month(4, may);
    for (size_t u = 0; u < 3; u++)
        set_target(u, 200);
    analyze(5);
    assert_true(fx.out[0].half_half);
    assert_false(fx.out[1].half_half);
    assert_true(fx.out[2].half_half);
    /* May: 60 % done but the year is not half gone */
    analyze(4);
    assert_false(fx.out[0].half_half);
    /* half of a target in awkward decimals is still half: 45.3 of 90.6 */
    set_target(0, 90.6);
    set_value(0, 5, 45.3);
    analyze(5);
    assert_true(fx.out[0].half_half);
}

/* ---- forecast ---- */

static void test_forecast_seasonal(void **state)
{
    /* June shares: 2024 40/100 = 0.4, 2025 60/120 = 0.5; mean 0.45; June 2026 at 90 → 200 */
    (void)state;
    panel_init(2, 30, 1, 2, VK_YTD);
    set_value(0, 5, 40);
    set_value(0, 11, 100);
    set_value(0, 17, 60);
    set_value(0, 23, 120);
    set_value(0, 29, 90);
    expect_near(engine_forecast(&fx.p, 0, 29), 200, "forecast", 0);
    /* a year without December is skipped: only 2025 counts, 90 / 0.5 = 180 */
    fx.present[0 * 30 + 11] = 0;
    expect_near(engine_forecast(&fx.p, 0, 29), 180, "forecast", 0);
    /* December itself: the share is 1, the forecast is the value */
    set_value(0, 11, 100);
    expect_near(engine_forecast(&fx.p, 0, 23), 120, "forecast", 0);
    /* no value now: NaN; out of range: NaN */
    assert_true(isnan(engine_forecast(&fx.p, 1, 29)));
    assert_true(isnan(engine_forecast(&fx.p, 2, 29)));
    assert_true(isnan(engine_forecast(&fx.p, 0, 30)));
}

static void test_forecast_linear_and_other_kinds(void **state)
{
    (void)state;
    panel_init(1, 18, 1, 2, VK_YTD);
    set_value(0, 3, 40); /* April of the first year: no earlier year, 40 × 12 / 4 */
    expect_near(engine_forecast(&fx.p, 0, 3), 120, "forecast", 0);
    set_value(0, 17, 90); /* June 2025, but 2024 has no June: linear 90 × 12 / 6 */
    set_value(0, 11, 100);
    expect_near(engine_forecast(&fx.p, 0, 17), 180, "forecast", 0);
    set_value(0, 5, 0); /* a zero share is no share: still linear */
    expect_near(engine_forecast(&fx.p, 0, 17), 180, "forecast", 0);
    fx.p.value_kind = VK_RATIO;
    expect_near(engine_forecast(&fx.p, 0, 17), 90, "forecast", 0);
    fx.p.value_kind = VK_LEVEL;
    expect_near(engine_forecast(&fx.p, 0, 3), 40, "forecast", 0);
}

static void test_forecast_rank_and_miss(void **state)
{
    /* March, first year, linear: 30 → 120, 20 → 80, 26 → 104, missing */
    const double v[] = { 30, 20, 26, NAN };
    (void)state;
    panel_init(4, 3, 1, 0, VK_YTD);
    set_month(2, v);
    set_target(0, 120);
    set_target(1, 100);
    set_target(2, 104.4); /* 104 is below 104.4 … */
    analyze(2);
    assert_int_equal(fx.out[0].forecast_rank, 1);
    assert_int_equal(fx.out[2].forecast_rank, 2);
    assert_int_equal(fx.out[1].forecast_rank, 3);
    assert_int_equal(fx.out[3].forecast_rank, 0);
    assert_false(fx.out[0].warnings & BIT(WARN_FORECAST_MISS)); /* meets 120 exactly */
    assert_true(fx.out[1].warnings & BIT(WARN_FORECAST_MISS));
    assert_int_equal(fx.out[1].level, LEVEL_YELLOW); /* a forecast miss alone is yellow */
    /* … but not at whole numbers, where 104.4 is published as 104, as the forecast is */
    assert_false(fx.out[2].warnings & BIT(WARN_FORECAST_MISS));
    fx.p.precision = 1; /* at one decimal 104.0 < 104.4 */
    analyze(2);
    assert_true(fx.out[2].warnings & BIT(WARN_FORECAST_MISS));
    assert_false(fx.out[0].warnings & BIT(WARN_FORECAST_MISS));
}

/* ---- warnings ---- */

static void test_behind_time_edge(void **state)
{
    /* YTD June with seasonal progress 40 %: 35 % done is exactly 5 points behind (no
     * warning), 34.9 % is more (yellow), 60 % is ahead */
    const double dec[] = { 100, 100, 100 }, jun_ly[] = { 40, 40, 40 }, jun[] = { 35, 34.9, 60 };
    (void)state;
    panel_init(3, 18, 1, 1, VK_YTD);
    set_month(5, jun_ly);
    set_month(11, dec);
    set_month(17, jun);
    for (size_t u = 0; u < 3; u++)
        set_target(u, 100);
    analyze(17);
    assert_false(fx.out[0].warnings & BIT(WARN_BEHIND_TIME));
    assert_true(fx.out[1].warnings & BIT(WARN_BEHIND_TIME));
    assert_false(fx.out[2].warnings & BIT(WARN_BEHIND_TIME));
    /* a stricter scheme: 3 points */
    fx.params.warn_behind_points = 3;
    analyze(17);
    assert_true(fx.out[0].warnings & BIT(WARN_BEHIND_TIME));
}

static void test_negative_growth_and_levels(void **state)
{
    /* five units, month t = 12 against t = 0; unit 4 also fell 3 places */
    const double ly[] = { 100, 100, 100, 100, 100 }, prev[] = { 10, 20, 30, 40, 50 },
                 now[] = { 101, 100, 99, 98, 97 };
    (void)state;
    panel_init(5, 13, 1, 0, VK_LEVEL);
    set_month(0, ly);
    set_month(11, prev);
    set_month(12, now);
    analyze(12);
    assert_false(fx.out[0].warnings & BIT(WARN_NEGATIVE_GROWTH));
    assert_false(fx.out[1].warnings & BIT(WARN_NEGATIVE_GROWTH)); /* zero growth */
    assert_true(fx.out[2].warnings & BIT(WARN_NEGATIVE_GROWTH));
    /* unit 2: rank 3 (前三), only negative growth: blue */
    assert_int_equal(fx.out[2].warnings, BIT(WARN_NEGATIVE_GROWTH));
    assert_int_equal(fx.out[2].level, LEVEL_BLUE);
    /* unit 4: 1st → 5th, last, shrinking: red beats yellow and blue */
    assert_int_equal(fx.out[4].warnings,
                     BIT(WARN_BOTTOM_THREE) | BIT(WARN_RANK_FALL) | BIT(WARN_NEGATIVE_GROWTH));
    assert_int_equal(fx.out[4].level, LEVEL_RED);
    /* a scheme that calls a rank fall red and bottom three blue */
    fx.params.level_of[WARN_BOTTOM_THREE] = LEVEL_BLUE;
    fx.params.level_of[WARN_NEGATIVE_GROWTH] = LEVEL_NONE;
    analyze(12);
    assert_int_equal(fx.out[4].level, LEVEL_YELLOW);
    assert_int_equal(fx.out[2].level, LEVEL_NONE);
    assert_int_equal(fx.out[2].warnings, BIT(WARN_NEGATIVE_GROWTH)); /* still reported */
    fx.params.warn_rank_fall = 5;
    analyze(12);
    assert_false(fx.out[4].warnings & BIT(WARN_RANK_FALL));
}

static void test_params_default_and_first_tier_cut(void **state)
{
    const double v[] = { 9, 8, 7, 6, 5, 4, 3 };
    engine_params d = engine_params_default();
    (void)state;
    assert_int_equal(d.first_tier_cut, 3);
    assert_int_equal(d.warn_rank_fall, 2);
    assert_true(d.warn_behind_points == 5);
    assert_int_equal(d.level_of[WARN_BOTTOM_THREE], LEVEL_RED);
    assert_int_equal(d.level_of[WARN_FORECAST_MISS], LEVEL_YELLOW);
    assert_int_equal(d.level_of[WARN_RANK_FALL], LEVEL_YELLOW);
    assert_int_equal(d.level_of[WARN_BEHIND_TIME], LEVEL_YELLOW);
    assert_int_equal(d.level_of[WARN_NEGATIVE_GROWTH], LEVEL_BLUE);
    assert_int_equal(d.level_of[WARN_MISSING], LEVEL_YELLOW);
    panel_init(7, 1, 1, 0, VK_LEVEL);
    set_month(0, v);
    analyze(0);
    assert_true(fx.out[2].first_tier);
    assert_false(fx.out[3].first_tier);
    fx.params.first_tier_cut = 5;
    analyze(0);
    assert_true(fx.out[4].first_tier);
    assert_false(fx.out[5].first_tier);
    /* NULL params are the defaults, a NULL workspace is allowed */
    assert_int_equal(engine_analyze(&fx.p, 0, NULL, NULL, fx.out), 0);
    assert_false(fx.out[3].first_tier);
}

static void test_bad_panels(void **state)
{
    const double v[] = { 1e12, 1 };
    (void)state;
    panel_init(2, 3, 1, 2, VK_LEVEL);
    set_month(0, v);
    assert_int_equal(engine_analyze(&fx.p, 3, NULL, NULL, fx.out), ERR_DATA);
    fx.p.precision = 9; /* 1e12 × 1e9 is beyond exact doubles */
    assert_int_equal(engine_analyze(&fx.p, 0, NULL, NULL, fx.out), ERR_DATA);
    /* … also when the too-large value is in the previous month */
    assert_int_equal(engine_analyze(&fx.p, 1, NULL, NULL, fx.out), ERR_DATA);
    fx.p.precision = 12;
    assert_int_equal(engine_analyze(&fx.p, 2, NULL, NULL, fx.out), ERR_DATA);
    fx.p.precision = 2;
    assert_int_equal(engine_analyze(NULL, 0, NULL, NULL, fx.out), ERR_DATA);
    fx.p.nunits = 0; /* an empty group is nothing to do */
    assert_int_equal(engine_analyze(&fx.p, 0, NULL, NULL, NULL), 0);
}

/* ---- randomized cross-check against a slow reference ---- */

static uint64_t rng_state = 0x2545f4914f6cdd1du;

static uint64_t next_rand(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* -1 when a is better than b at the precision, 0 when they tie, 1 when worse. */
static int ref_cmp(double a, double b, int higher, int precision)
{
    double x = engine_round(a, precision), y = engine_round(b, precision);
    if (x == y)
        return 0;
    return ((x > y) == (higher != 0)) ? -1 : 1;
}

static int ref_has(size_t u, size_t t)
{
    return fx.present[u * fx.p.nmonths + t];
}

static double ref_val(size_t u, size_t t)
{
    return fx.value[u * fx.p.nmonths + t];
}

/* Rank by counting strictly better units; 0 when missing. */
static int ref_rank_of(const double *v, const unsigned char *has, size_t u)
{
    int better = 0;
    if (!has[u])
        return 0;
    for (size_t j = 0; j < fx.p.nunits; j++)
        better += has[j] && ref_cmp(v[j], v[u], fx.p.higher_better, fx.p.precision) < 0;
    return better + 1;
}

static int ref_rank(size_t u, size_t t)
{
    double v[MAXU] = { 0 };
    unsigned char has[MAXU] = { 0 };
    for (size_t j = 0; j < fx.p.nunits; j++) {
        has[j] = (unsigned char)ref_has(j, t);
        v[j] = ref_val(j, t);
    }
    return ref_rank_of(v, has, u);
}

/* The published value of the nearest strictly better (dir −1) or worse (dir 1) unit. */
static double ref_neighbour(size_t u, size_t t, int dir)
{
    double best = NAN;
    int found = 0;
    for (size_t j = 0; j < fx.p.nunits; j++) {
        double r;
        if (!ref_has(j, t) ||
            ref_cmp(ref_val(j, t), ref_val(u, t), fx.p.higher_better, fx.p.precision) != dir)
            continue;
        r = engine_round(ref_val(j, t), fx.p.precision);
        if (!found || ref_cmp(r, best, fx.p.higher_better, fx.p.precision) == -dir)
            best = r;
        found = 1;
    }
    return best;
}

/* The forecast as the definition says, summing shares year by year. */
static double ref_forecast(size_t u, size_t t)
{
    double sum = 0, v = ref_val(u, t);
    int n = 0;
    if (!ref_has(u, t))
        return NAN;
    if (fx.p.value_kind != VK_YTD)
        return v;
    for (size_t y = 0; y * 12 + 11 < t; y++) {
        size_t at = y * 12 + t % 12, dec = y * 12 + 11;
        if (ref_has(u, at) && ref_has(u, dec) && ref_val(u, dec) != 0) {
            sum += ref_val(u, at) / ref_val(u, dec);
            n++;
        }
    }
    if (n > 0 && sum / n > 0)
        return v / (sum / n);
    return v * 12 / (double)(t % 12 + 1);
}

static void fill_random_panel(void)
{
    size_t n = 1 + next_rand() % 30, months = 1 + next_rand() % 40;
    int style = (int)(next_rand() % 3), levels = 2 + (int)(next_rand() % 8);
    panel_init(n, months, (int)(next_rand() % 2), (int)(next_rand() % 4) - 1,
               next_rand() % 2 ? VK_YTD : VK_LEVEL);
    for (size_t u = 0; u < n; u++) {
        for (size_t t = 0; t < months; t++) {
            double v;
            if (style == 0)
                v = (double)(next_rand() % (uint64_t)levels) + 1;
            else if (style == 1)
                v = 50 + (double)(next_rand() % 2000) / 1000.0;
            else
                v = ((double)(next_rand() >> 11) / 9007199254740992.0 - 0.3) * 1e4;
            set_value(u, t, next_rand() % 8 ? v : NAN);
        }
    }
}

static void check_neighbours(size_t u, size_t t)
{
    const engine_standing *s = &fx.out[u];
    double ours = ref_val(u, t), above = ref_neighbour(u, t, -1), below = ref_neighbour(u, t, 1);
    double mine = engine_round(ours, fx.p.precision);
    if (isnan(above)) {
        assert_true(isnan(s->gap_above) && isnan(s->pct_to_overtake));
    } else {
        double step = fx.p.precision < 0 ? 0 : pow(10, -fx.p.precision);
        double need = above + (fx.p.higher_better ? step : -step), pct = (need - ours) / fabs(ours) * 100;
        assert_true(fabs(s->gap_above - fabs(above - mine)) < 1e-6);
        if (ours == 0)
            assert_true(isnan(s->pct_to_overtake));
        else
            assert_true(fabs(s->pct_to_overtake - pct) < 1e-6 * (1 + fabs(pct)));
    }
    if (isnan(below))
        assert_true(isnan(s->lead_below));
    else
        assert_true(fabs(s->lead_below - fabs(mine - below)) < 1e-6);
}

static void check_forecast_ranks(size_t t)
{
    double f[MAXU] = { 0 };
    unsigned char has[MAXU] = { 0 };
    for (size_t u = 0; u < fx.p.nunits; u++) {
        f[u] = ref_forecast(u, t);
        has[u] = !isnan(f[u]);
        if (has[u] != !isnan(fx.out[u].forecast) ||
            (has[u] && !(fabs(fx.out[u].forecast - f[u]) <= 1e-9 * (1 + fabs(f[u])))))
            fail_msg("unit %zu forecast %.12g, reference %.12g", u, fx.out[u].forecast, f[u]);
    }
    for (size_t u = 0; u < fx.p.nunits; u++) {
        int r = ref_rank_of(f, has, u);
        if (fx.out[u].forecast_rank != r)
            fail_msg("unit %zu forecast rank %d, reference %d", u, fx.out[u].forecast_rank, r);
    }
}

static void test_randomized_against_reference(void **state)
{
    (void)state;
    for (int round = 0; round < 2000; round++) {
        size_t t;
        fill_random_panel();
        t = next_rand() % fx.p.nmonths;
        analyze(t);
        for (size_t u = 0; u < fx.p.nunits; u++) {
            const engine_standing *s = &fx.out[u];
            int r = ref_rank(u, t), rp = t >= 1 ? ref_rank(u, t - 1) : 0;
            int ry = t >= 12 ? ref_rank(u, t - 12) : 0;
            if (s->rank.rank != r || s->rank_prev != rp || s->rank_last_year != ry)
                fail_msg("round %d unit %zu: ranks %d %d %d, reference %d %d %d", round, u, s->rank.rank,
                         s->rank_prev, s->rank_last_year, r, rp, ry);
            assert_int_equal(s->move_prev, r && rp ? rp - r : 0);
            assert_int_equal(s->move_year, r && ry ? ry - r : 0);
            assert_int_equal(s->first_tier, r > 0 && r <= 3);
            assert_int_equal(!!(s->warnings & BIT(WARN_MISSING)), r == 0);
            if (r)
                check_neighbours(u, t);
        }
        check_forecast_ranks(t);
    }
}

/* ---- data-file cases: tests/cases/analyze/NAME/{input,expected}.json ---- */

static const char *const tier_names[] = { "none", "top", "middle", "bottom" };
static const char *const level_names[] = { "none", "blue", "yellow", "red" };
static const char *const warning_names[WARN_N] = {
    "bottom_three", "rank_fall", "behind_time", "forecast_miss", "negative_growth", "missing",
};

/* A loaded case (its panel is built in fx): the JSON, the unit codes in order, the month. */
typedef struct data_case {
    const char *name;
    json_t *input, *expected;
    const char *codes[MAXU];
    size_t t;
    int failures;
} data_case;

static void case_fail(data_case *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void case_fail(data_case *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "case %s: ", c->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    c->failures++;
}

static int name_index(const char *const *names, int n, const char *text)
{
    for (int i = 0; i < n; i++) {
        if (text && strcmp(names[i], text) == 0)
            return i;
    }
    return -1;
}

static long unit_index(const data_case *c, const char *code)
{
    for (size_t u = 0; u < fx.p.nunits; u++) {
        if (strcmp(c->codes[u], code) == 0)
            return (long)u;
    }
    return -1;
}

/* Reads a number or null (NaN) into *out; returns 0 or -1 for anything else. */
static int number_or_null(const json_t *j, double *out)
{
    if (json_is_null(j)) {
        *out = NAN;
        return 0;
    }
    if (!json_is_number(j))
        return -1;
    *out = json_number_value(j);
    return 0;
}

/* Nonzero when every key of obj is one of the NULL-terminated names. */
static int only_keys(const json_t *obj, const char *const *names)
{
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val) {
        size_t i;
        for (i = 0; names[i] && strcmp(names[i], key) != 0; i++)
            ;
        if (!names[i])
            return 0;
    }
    return 1;
}

/* Fills row t of a month series (values or the reference) from a JSON array of numbers/nulls. */
static int series_at(const json_t *row, size_t t, double *v)
{
    *v = NAN;
    if (t >= json_array_size(row))
        return 0;
    return number_or_null(json_array_get(row, t), v);
}

/* "units": the codes in order (order decides which unit stands for a tie group);
 * "values": per code, monthly values from January of first_year, null when missing. */
static int load_values(data_case *c, const json_t *units, const json_t *values)
{
    size_t months = 0;
    if (!json_is_array(units) || json_array_size(units) > MAXU ||
        json_object_size(values) != json_array_size(units))
        return -1;
    for (size_t u = 0; u < json_array_size(units); u++) {
        const json_t *row;
        c->codes[u] = json_string_value(json_array_get(units, u));
        row = c->codes[u] ? json_object_get(values, c->codes[u]) : NULL;
        if (!json_is_array(row) || json_array_size(row) > MAXM)
            return -1;
        if (json_array_size(row) > months)
            months = json_array_size(row);
    }
    fx.p.nunits = json_array_size(units);
    fx.p.nmonths = months;
    for (size_t u = 0; u < fx.p.nunits; u++) {
        const json_t *row = json_object_get(values, c->codes[u]);
        for (size_t t = 0; t < months; t++) {
            double v;
            if (series_at(row, t, &v) != 0)
                return -1;
            set_value(u, t, v);
        }
    }
    return 0;
}

static int load_reference_and_targets(data_case *c, const json_t *in)
{
    const json_t *ref = json_object_get(in, "reference"), *targets = json_object_get(in, "targets");
    const char *code;
    json_t *goal;
    if (!ref)
        fx.p.reference = NULL;
    else if (!json_is_array(ref))
        return -1;
    for (size_t t = 0; ref && t < fx.p.nmonths; t++) {
        if (series_at(ref, t, &fx.reference[t]) != 0)
            return -1;
        fx.reference_present[t] = !isnan(fx.reference[t]);
    }
    if (targets && !json_is_object(targets))
        return -1;
    json_object_foreach((json_t *)targets, code, goal) {
        long u = unit_index(c, code);
        double v;
        if (u < 0 || number_or_null(goal, &v) != 0)
            return -1;
        if (!isnan(v))
            set_target((size_t)u, v);
    }
    return 0;
}

static int load_params(const json_t *j)
{
    static const char *const keys[] = { "first_tier_cut", "warn_rank_fall", "warn_behind_points", "levels",
                                        NULL };
    const json_t *levels = json_object_get(j, "levels");
    const char *key;
    json_t *val;
    if (j && (!json_is_object(j) || !only_keys(j, keys)))
        return -1;
    if (json_object_get(j, "first_tier_cut"))
        fx.params.first_tier_cut = (int)json_integer_value(json_object_get(j, "first_tier_cut"));
    if (json_object_get(j, "warn_rank_fall"))
        fx.params.warn_rank_fall = (int)json_integer_value(json_object_get(j, "warn_rank_fall"));
    if (json_object_get(j, "warn_behind_points"))
        fx.params.warn_behind_points = json_number_value(json_object_get(j, "warn_behind_points"));
    json_object_foreach((json_t *)levels, key, val) {
        int w = name_index(warning_names, WARN_N, key);
        int l = name_index(level_names, 4, json_string_value(val));
        if (w < 0 || l < 0)
            return -1;
        fx.params.level_of[w] = l;
    }
    return 0;
}

/* precision: a number of decimals or "exact". */
static int load_precision(const json_t *prec, int *out)
{
    if (json_is_integer(prec)) {
        *out = (int)json_integer_value(prec);
        return 0;
    }
    *out = ENGINE_PRECISION_EXACT;
    return json_is_string(prec) && strcmp(json_string_value(prec), "exact") == 0 ? 0 : -1;
}

/* Builds the panel of a case from input.json; returns -1 for a malformed file. */
static int load_input(data_case *c)
{
    static const char *const keys[] = { "why", "units", "first_year", "direction", "precision", "value_kind",
                                        "month", "values", "reference", "targets", "params", NULL };
    const json_t *in = c->input;
    const char *month_text = json_string_value(json_object_get(in, "month"));
    const char *dir_text = json_string_value(json_object_get(in, "direction"));
    const char *kind_text = json_string_value(json_object_get(in, "value_kind"));
    int dir = dir_text ? model_enum_find(model_directions, DIR_N, dir_text) : -1;
    int kind = kind_text ? model_enum_find(model_value_kinds, VK_N, kind_text) : -1;
    int year = (int)json_integer_value(json_object_get(in, "first_year")), precision;
    period_key month;
    if (!only_keys(in, keys) || dir < 0 || kind < 0 || year == 0 || !month_text ||
        load_precision(json_object_get(in, "precision"), &precision) != 0 ||
        period_parse(month_text, &month) != 0 || month.kind != PERIOD_MONTH || month.year < year)
        return -1;
    panel_init(0, 0, dir == DIR_HIGHER, precision, kind);
    fx.p.first_year = year;
    if (load_values(c, json_object_get(in, "units"), json_object_get(in, "values")) != 0 ||
        load_reference_and_targets(c, in) != 0 || load_params(json_object_get(in, "params")) != 0)
        return -1;
    c->t = (size_t)(month.year - year) * 12 + (size_t)month.seq - 1;
    return 0;
}

static void check_int(data_case *c, const char *code, const char *field, const json_t *want, int got)
{
    int ok = json_is_boolean(want) ? got == json_is_true(want)
                                   : json_is_integer(want) && json_integer_value(want) == got;
    if (!ok)
        case_fail(c, "unit %s %s: got %d", code, field, got);
}

static void check_number(data_case *c, const char *code, const char *field, const json_t *want, double got)
{
    double w;
    if (number_or_null(want, &w) != 0)
        case_fail(c, "unit %s %s: expected a number or null", code, field);
    else if (isnan(w) ? !isnan(got) : !(fabs(got - w) < 1e-6))
        case_fail(c, "unit %s %s: got %.9g, expected %.9g", code, field, got, w);
}

static void check_name(data_case *c, const char *code, const char *field, const json_t *want, const char *got)
{
    if (!json_is_string(want) || strcmp(json_string_value(want), got) != 0)
        case_fail(c, "unit %s %s: got %s", code, field, got);
}

static void check_neighbour(data_case *c, const char *code, const char *field, const json_t *want, int got)
{
    int ok = json_is_null(want) ? got == -1
                                : got >= 0 && json_is_string(want) &&
                                      strcmp(c->codes[got], json_string_value(want)) == 0;
    if (!ok)
        case_fail(c, "unit %s %s: got %s", code, field, got < 0 ? "null" : c->codes[got]);
}

static void check_warnings(data_case *c, const char *code, const json_t *want, unsigned got)
{
    unsigned w = 0;
    size_t i;
    json_t *name;
    json_array_foreach(want, i, name) {
        int r = name_index(warning_names, WARN_N, json_string_value(name));
        if (r < 0)
            case_fail(c, "unit %s: unknown warning %s", code, json_string_value(name));
        else
            w |= 1u << r;
    }
    if (!json_is_array(want) || w != got)
        case_fail(c, "unit %s warnings: got bits %#x, expected %#x", code, got, w);
}

/* Compares one field of one unit; an unknown field is a failure, so a typo cannot pass. */
static void check_field(data_case *c, const char *code, const engine_standing *s, const char *f,
                        const json_t *w)
{
    const struct { const char *name; double value; } numbers[] = {
        { "gap_above", s->gap_above }, { "pct_to_overtake", s->pct_to_overtake },
        { "lead_below", s->lead_below },
        { "gap_reference", s->gap_reference }, { "growth", s->growth }, { "completion", s->completion },
        { "time_linear", s->time_linear }, { "time_seasonal", s->time_seasonal }, { "forecast", s->forecast },
    };
    const struct { const char *name; int value; } ints[] = {
        { "rank", s->rank.rank }, { "ties", s->rank.ties }, { "worse", s->rank.worse },
        { "first_tier", s->first_tier }, { "rank_prev", s->rank_prev },
        { "rank_last_year", s->rank_last_year },
        { "move_prev", s->move_prev }, { "move_year", s->move_year }, { "half_half", s->half_half },
        { "forecast_rank", s->forecast_rank },
    };
    for (size_t i = 0; i < sizeof numbers / sizeof *numbers; i++) {
        if (strcmp(f, numbers[i].name) == 0)
            return check_number(c, code, f, w, numbers[i].value);
    }
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        if (strcmp(f, ints[i].name) == 0)
            return check_int(c, code, f, w, ints[i].value);
    }
    if (strcmp(f, "tier") == 0)
        check_name(c, code, f, w, tier_names[s->tier]);
    else if (strcmp(f, "level") == 0)
        check_name(c, code, f, w, level_names[s->level]);
    else if (strcmp(f, "above") == 0)
        check_neighbour(c, code, f, w, s->rank.above);
    else if (strcmp(f, "below") == 0)
        check_neighbour(c, code, f, w, s->rank.below);
    else if (strcmp(f, "warnings") == 0)
        check_warnings(c, code, w, s->warnings);
    else if (strcmp(f, "why") != 0)
        case_fail(c, "unit %s: unknown field %s", code, f);
}

static void check_case(data_case *c)
{
    const json_t *units = json_object_get(c->expected, "units");
    const char *code, *field;
    json_t *fields, *want;
    if (json_object_size(units) == 0)
        case_fail(c, "expected.json asserts no unit");
    json_object_foreach((json_t *)units, code, fields) {
        long u = unit_index(c, code);
        if (u < 0) {
            case_fail(c, "unknown unit %s", code);
            continue;
        }
        json_object_foreach(fields, field, want) {
            check_field(c, code, &fx.out[u], field, want);
        }
    }
}

static const char *const expected_keys[] = { "why", "error", "units", NULL };

static int run_case(const char *dir, const char *name)
{
    char path[1024];
    json_error_t jerr;
    data_case c = { .name = name };
    int rc;
    snprintf(path, sizeof path, "%s/%s/input.json", dir, name);
    c.input = json_load_file(path, 0, &jerr);
    snprintf(path, sizeof path, "%s/%s/expected.json", dir, name);
    c.expected = json_load_file(path, 0, &jerr);
    if (!c.input || !c.expected || load_input(&c) != 0) {
        case_fail(&c, "cannot load the case (%s)", jerr.text);
    } else {
        engine_rank_ws ws = { 0 };
        rc = engine_analyze(&fx.p, c.t, &fx.params, &ws, fx.out);
        engine_rank_ws_free(&ws);
        if (!json_is_string(json_object_get(c.expected, "why")) || !only_keys(c.expected, expected_keys))
            case_fail(&c, "expected.json needs a \"why\" and no keys but why, error, units");
        if (json_object_get(c.expected, "error")) {
            if (rc != ERR_DATA)
                case_fail(&c, "expected ERR_DATA, got %d", rc);
        } else if (rc != 0) {
            case_fail(&c, "engine_analyze: %d %s", rc, err_msg());
        } else {
            check_case(&c);
        }
    }
    json_decref(c.input);
    json_decref(c.expected);
    return c.failures;
}

static void test_data_cases(void **state)
{
    const char *dir = test_data_path("cases/analyze");
    DIR *d = opendir(dir);
    struct dirent *e;
    int ncases = 0, failures = 0;
    (void)state;
    if (!d)
        fail_msg("cannot open %s", dir);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        failures += run_case(dir, e->d_name);
        ncases++;
    }
    closedir(d);
    if (failures)
        fail_msg("%d failures in %d data cases", failures, ncases);
    assert_true(ncases >= 6);
}

/* One unit, two years. Year one reaches 25 of its 100 in January: a share of 0.25. Year two
 * has 50 in January and ends at 200, so the seasonal forecast from January (50 / 0.25) is
 * exact and the linear one (50 × 12 = 600) is 200 % off. */
static void test_forecast_backtest(void **state)
{
    double v[24];
    engine_panel p;
    engine_backtest bt;
    (void)state;
    for (int t = 0; t < 24; t++)
        v[t] = t < 12 ? 25 + t * 75.0 / 11 : 50 + (t - 12) * 150.0 / 11;
    memset(&p, 0, sizeof p);
    p.nunits = 1;
    p.nmonths = 24;
    p.first_year = 2024;
    p.value = v;
    p.higher_better = 1;
    p.precision = 2;
    p.value_kind = VK_YTD;
    assert_int_equal(engine_forecast_backtest(&p, 2025, &bt), 0);
    assert_int_equal(bt.n[0], 1);
    assert_true(fabs(bt.mape_seasonal[0]) < 1e-9);
    assert_true(fabs(bt.mape_linear[0] - 200) < 1e-9);
    assert_true(fabs(bt.mape_seasonal[11]) < 1e-9); /* December forecasts itself */
    {
        engine_backtest sum, twice;
        memset(&sum, 0, sizeof sum);
        engine_backtest_add(&sum, &bt);
        twice = bt;
        twice.mape_linear[0] = 100;
        twice.n[0] = 3;
        engine_backtest_add(&sum, &twice); /* (200 × 1 + 100 × 3) / 4 */
        assert_int_equal(sum.n[0], 4);
        assert_true(fabs(sum.mape_linear[0] - 125) < 1e-9);
    }
    assert_int_equal(engine_forecast_backtest(&p, 2026, &bt), ERR_DATA);
    p.value_kind = VK_LEVEL;
    assert_int_equal(engine_forecast_backtest(&p, 2025, &bt), ERR_DATA);
}

static void test_params_parse(void **state)
{
    engine_params p, d = engine_params_default();
    (void)state;
    assert_int_equal(engine_params_parse("", &p), 0);
    assert_memory_equal(&p, &d, sizeof p);
    assert_int_equal(engine_params_parse("first_tier=5; rank_fall=1;behind=10;level.forecast_miss=red", &p),
                     0);
    assert_int_equal(p.first_tier_cut, 5);
    assert_int_equal(p.warn_rank_fall, 1);
    assert_true(p.warn_behind_points == 10);
    assert_int_equal(p.level_of[WARN_FORECAST_MISS], LEVEL_RED);
    assert_int_equal(p.level_of[WARN_BOTTOM_THREE], d.level_of[WARN_BOTTOM_THREE]);
    assert_int_equal(engine_params_parse("first_tier=0", &p), ERR_DATA);
    assert_int_equal(engine_params_parse("first_tier=x", &p), ERR_DATA);
    assert_int_equal(engine_params_parse("behind=-1", &p), ERR_DATA);
    assert_int_equal(engine_params_parse("level.forecast_miss=purple", &p), ERR_DATA);
    assert_int_equal(engine_params_parse("level.rain=red", &p), ERR_DATA);
    assert_int_equal(engine_params_parse("cut=3", &p), ERR_DATA);
    assert_non_null(strstr(err_msg(), "cut"));
    assert_int_equal(engine_params_parse("first_tier", &p), ERR_DATA);
    assert_string_equal(engine_warning_key(WARN_FORECAST_MISS), "forecast_miss");
    assert_string_equal(engine_level_key(LEVEL_RED), "red");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params_parse),
        cmocka_unit_test(test_forecast_backtest),
        cmocka_unit_test(test_ties_at_top_middle_bottom),
        cmocka_unit_test(test_precision_joins_a_tie_group),
        cmocka_unit_test(test_all_equal),
        cmocka_unit_test(test_one_competitor),
        cmocka_unit_test(test_all_missing),
        cmocka_unit_test(test_missing_is_unranked_and_warned),
        cmocka_unit_test(test_lower_is_better),
        cmocka_unit_test(test_reference_gap),
        cmocka_unit_test(test_overtake_at_zero_negative_and_exact),
        cmocka_unit_test(test_movement_across_a_year_boundary),
        cmocka_unit_test(test_time_progress_seasonal_and_linear),
        cmocka_unit_test(test_growth_by_kind),
        cmocka_unit_test(test_completion_zero_and_negative_targets),
        cmocka_unit_test(test_half_half_edges),
        cmocka_unit_test(test_forecast_seasonal),
        cmocka_unit_test(test_forecast_linear_and_other_kinds),
        cmocka_unit_test(test_forecast_rank_and_miss),
        cmocka_unit_test(test_behind_time_edge),
        cmocka_unit_test(test_negative_growth_and_levels),
        cmocka_unit_test(test_params_default_and_first_tier_cut),
        cmocka_unit_test(test_bad_panels),
        cmocka_unit_test(test_randomized_against_reference),
        cmocka_unit_test(test_data_cases),
    };
    return cmocka_run_group_tests_name("analyze", tests, NULL, NULL);
}
