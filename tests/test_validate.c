/* test_validate: each soft-validation rule firing and staying silent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/validate.h"
#include "model/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static validate_point month(long series, int year, int m, double value, long row)
{
    validate_point p = { series, { PERIOD_MONTH, year, m }, value, row };
    return p;
}

/* Runs the rules and returns the number of flags; *flags is the caller's. */
static size_t run(int kind, validate_point *pts, size_t n, const validate_opts *o,
                  validate_flag **flags)
{
    size_t nflags = 99;
    assert_int_equal(validate_points(kind, pts, n, o, flags, &nflags), 0);
    return nflags;
}

static void test_ytd_decrease_fires(void **state)
{
    validate_point pts[] = {
        month(1, 2025, 1, 10, -1),  /* stored */
        month(1, 2025, 2, 25, -1),  /* stored */
        month(1, 2025, 3, 24, 0),   /* lower than February: flagged */
        month(1, 2025, 4, 40, 1),   /* higher than March: fine */
    };
    validate_flag *f = NULL;
    (void)state;
    assert_int_equal(run(VK_YTD, pts, 4, NULL, &f), 1);
    assert_int_equal(f[0].row, 0);
    assert_int_equal(f[0].rule, VALIDATE_YTD_DECREASE);
    assert_true(f[0].value == 24 && f[0].reference == 25);
    assert_string_equal(validate_rule_key(f[0].rule), "ytd_decrease");
    free(f);
}

static void test_ytd_decrease_silent(void **state)
{
    validate_point pts[] = {
        month(1, 2024, 12, 500, -1),  /* December of last year */
        month(1, 2025, 1, 40, 0),     /* a new year starts low: fine */
        month(2, 2025, 1, 90, -1),    /* another unit, higher */
        month(1, 2025, 2, 80, 1),
        month(1, 2025, 4, 70, 2),     /* March missing: no previous month to compare */
    };
    validate_flag *f = NULL;
    (void)state;
    assert_int_equal(run(VK_YTD, pts, 5, NULL, &f), 0);
    assert_null(f);
    /* The same decrease is not a finding for a level indicator. */
    validate_point lv[] = { month(1, 2025, 2, 25, -1), month(1, 2025, 3, 24, 0) };
    assert_int_equal(run(VK_LEVEL, lv, 2, NULL, &f), 0);
    free(f);
}

static void test_ytd_file_value_replaces_stored(void **state)
{
    validate_point pts[] = {
        month(1, 2025, 2, 100, -1),  /* stored February, replaced by the file's */
        month(1, 2025, 2, 200, 0),
        month(1, 2025, 3, 150, 1),   /* lower than the new February */
    };
    validate_flag *f = NULL;
    (void)state;
    assert_int_equal(run(VK_YTD, pts, 3, NULL, &f), 1);
    assert_int_equal(f[0].row, 1);
    assert_true(f[0].reference == 200);
    free(f);
}

static void test_growth_range(void **state)
{
    validate_point pts[] = {
        month(1, 2025, 1, 5.5, 0), month(2, 2025, 1, -50, 1), month(3, 2025, 1, 100, 2),
        month(4, 2025, 1, 100.5, 3), month(5, 2025, 1, -50.1, 4), month(6, 2025, 1, 250, -1),
    };
    validate_opts o = validate_defaults();
    validate_flag *f = NULL;
    char msg[256];
    (void)state;
    assert_int_equal(run(VK_GROWTH, pts, 6, NULL, &f), 2);
    assert_int_equal(f[0].row, 3);
    assert_true(f[0].reference == 100);
    assert_int_equal(f[1].row, 4);
    assert_true(f[1].reference == -50);
    validate_message(&f[0], 0, msg, sizeof msg);
    assert_string_equal(msg, "增速 100.5% 高于合理上限 100%");
    validate_message(&f[1], 1, msg, sizeof msg);
    assert_string_equal(msg, "growth -50.1% is below the plausible minimum -50%");
    free(f);
    /* Narrower bounds from the options. */
    validate_point again[] = { month(1, 2025, 1, 5.5, 0), month(2, 2025, 1, -1, 1) };
    o.growth_min = 0;
    o.growth_max = 5;
    assert_int_equal(run(VK_GROWTH, again, 2, &o, &f), 2);
    free(f);
    /* Growth bounds do not apply to other kinds. */
    validate_point ratio[] = { month(1, 2025, 1, 250, 0) };
    assert_int_equal(run(VK_RATIO, ratio, 1, NULL, &f), 0);
    free(f);
}

/* Six months of a ratio near 50, then a checked value. */
static size_t ratio_series(double last, int history, validate_flag **f)
{
    static const double hist[] = { 50, 51, 49, 50.5, 49.5, 50.2, 50.1 };
    validate_point pts[8];
    size_t n = 0;
    for (int i = 0; i < history; i++)
        pts[n++] = month(7, 2025, i + 1, hist[i], -1);
    pts[n++] = month(7, 2025, history + 1, last, 42);
    return run(VK_RATIO, pts, n, NULL, f);
}

static void test_outlier_raw(void **state)
{
    validate_flag *f = NULL;
    char msg[256];
    (void)state;
    assert_int_equal(ratio_series(80, 6, &f), 1);
    assert_int_equal(f[0].row, 42);
    assert_int_equal(f[0].rule, VALIDATE_OUTLIER);
    assert_false(f[0].yoy);
    /* median (50 + 50.2) / 2 = 50.1, MAD 0.5: z = 0.6745 * 29.9 / 0.5 */
    assert_true(fabs(f[0].reference - 50.1) < 1e-9);
    assert_true(fabs(f[0].score - 0.6745 * 29.9 / 0.5) < 1e-9);
    validate_message(&f[0], 1, msg, sizeof msg);
    assert_non_null(strstr(msg, "value 80 is far from the unit's own history (median 50.1"));
    free(f);
    /* A value inside the spread of the history is fine. */
    assert_int_equal(ratio_series(51, 6, &f), 0);
    free(f);
    /* Low too. */
    assert_int_equal(ratio_series(20, 6, &f), 1);
    assert_true(f[0].score < -3.5);
    free(f);
    /* Five earlier points are not enough. */
    assert_int_equal(ratio_series(80, 5, &f), 0);
    free(f);
}

static void test_outlier_mad_zero_skips(void **state)
{
    validate_point pts[8];
    validate_flag *f = NULL;
    (void)state;
    for (int i = 0; i < 7; i++)
        pts[i] = month(1, 2025, i + 1, 3, -1);
    pts[7] = month(1, 2025, 8, 900, 0);
    assert_int_equal(run(VK_GROWTH, pts, 8, NULL, &f), 1); /* growth_range only */
    assert_int_equal(f[0].rule, VALIDATE_GROWTH_RANGE);
    free(f);
}

/* A seasonal level series: December is four times the other months, the whole series
 * grows 5 % a year, with a little noise. Year-over-year ratios stay near 1.05, so December
 * is no outlier for a level indicator; compared raw (a ratio indicator) it would be. */
static size_t seasonal(validate_point *pts, double december)
{
    size_t n = 0;
    double scale = 1;
    for (int y = 2022; y <= 2025; y++, scale *= 1.05) {
        for (int m = 1; m <= 12; m++) {
            unsigned hash = (unsigned)(y * 12 + m) * 2654435761u;
            hash = (hash ^ (hash >> 16)) * 0x45d9f3bu;
            hash ^= hash >> 16;
            double noise = 1 + 0.01 * ((double)(hash % 1000) / 1000 - 0.5);
            double v = (m == 12 ? 400 : 100 + m) * scale * noise;
            if (y == 2025 && m == 12)
                v *= december;
            pts[n] = month(3, y, m, v, y == 2025 && m >= 11 ? (long)n : -1);
            n++;
        }
    }
    return n;
}

static void test_outlier_yoy_ignores_seasonality(void **state)
{
    validate_point pts[48];
    validate_flag *f = NULL;
    size_t n;
    (void)state;
    n = seasonal(pts, 1);
    assert_int_equal(run(VK_LEVEL, pts, n, NULL, &f), 0);
    free(f);
    n = seasonal(pts, 1);
    assert_int_equal(run(VK_RATIO, pts, n, NULL, &f), 1);
    assert_false(f[0].yoy);
    free(f);
    /* December at half its usual level is flagged, as a year-over-year ratio. */
    n = seasonal(pts, 0.5);
    assert_int_equal(run(VK_YTD, pts, n, NULL, &f), 1);
    assert_int_equal(f[0].row, 47);
    assert_int_equal(f[0].rule, VALIDATE_OUTLIER);
    assert_true(f[0].yoy);
    assert_true(fabs(f[0].value - 0.525) < 0.01);
    free(f);
}

static void test_outlier_series_apart(void **state)
{
    validate_point pts[8];
    validate_flag *f = NULL;
    (void)state;
    /* Unit 1 has the history near 50; unit 2 reports 80 with no history of its own. */
    for (int i = 0; i < 7; i++)
        pts[i] = month(1, 2025, i + 1, 50 + (i % 3), -1);
    pts[7] = month(2, 2025, 8, 80, 0);
    assert_int_equal(run(VK_RATIO, pts, 8, NULL, &f), 0);
    free(f);
}

static void test_outlier_window(void **state)
{
    validate_point pts[80];
    validate_opts o = validate_defaults();
    validate_flag *f = NULL;
    size_t n = 0;
    (void)state;
    /* 40 old months near 10, then the last 36 near 100. */
    for (int i = 0; i < 76; i++)
        pts[n++] = month(1, 2020 + i / 12, i % 12 + 1, (i < 40 ? 10 : 100) + (i % 3), -1);
    pts[n++] = month(1, 2026, 5, 11, 0);
    /* The default window holds only the recent months: 11 is far from them. */
    assert_int_equal(run(VK_RATIO, pts, n, &o, &f), 1);
    free(f);
    /* A window over the whole history has its median among the old values: 11 fits. */
    o.max_history = VALIDATE_HISTORY_MAX;
    assert_int_equal(run(VK_RATIO, pts, n, &o, &f), 0);
    free(f);
}

/* A large input: planted outliers are found, nothing else, in O(n log n). */
static void test_many_points(void **state)
{
    const size_t units = 500, months = 400;
    validate_point *pts = malloc(units * months * sizeof *pts);
    validate_flag *f = NULL;
    size_t n = 0, planted = 0;
    (void)state;
    assert_non_null(pts);
    for (size_t u = 0; u < units; u++) {
        for (size_t m = 0; m < months; m++) {
            double v = 40 + (double)((u * 7 + m * 13) % 5);
            if (m >= 50 && (u * months + m) % 997 == 0) {
                v = 400;
                planted++;
            }
            pts[n] = month((long)u, 1990 + (int)(m / 12), (int)(m % 12) + 1, v, (long)n);
            n++;
        }
    }
    assert_int_equal(run(VK_RATIO, pts, n, NULL, &f), planted);
    for (size_t i = 1; i < planted; i++)
        assert_true(f[i - 1].row < f[i].row);
    free(f);
    free(pts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ytd_decrease_fires),
        cmocka_unit_test(test_ytd_decrease_silent),
        cmocka_unit_test(test_ytd_file_value_replaces_stored),
        cmocka_unit_test(test_growth_range),
        cmocka_unit_test(test_outlier_raw),
        cmocka_unit_test(test_outlier_mad_zero_skips),
        cmocka_unit_test(test_outlier_yoy_ignores_seasonality),
        cmocka_unit_test(test_outlier_series_apart),
        cmocka_unit_test(test_outlier_window),
        cmocka_unit_test(test_many_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
