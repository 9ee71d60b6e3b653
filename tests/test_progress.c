/* test_progress: growth and completion rates on hand-worked cases, incl. the undefined ones. */
#include "engine/progress.h"
#include "model/model.h"
#include "util/err.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define EPS 1e-9

static void test_growth_positive_base(void **state)
{
    double g = 0;
    (void)state;
    assert_int_equal(progress_growth(110, 100, &g), 0);
    assert_true(fabs(g - 10.0) < EPS);
    assert_int_equal(progress_growth(87.5, 100, &g), 0);
    assert_true(fabs(g + 12.5) < EPS);
    assert_int_equal(progress_growth(523.37, 491.2, &g), 0);
    assert_true(fabs(g - 6.5492671) < 1e-6);          /* 32.17 / 491.2 */
    assert_int_equal(progress_growth(0, 40, &g), 0);
    assert_true(fabs(g + 100.0) < EPS);
}

static void test_growth_negative_base(void **state)
{
    double g = 0;
    (void)state;
    /* A loss shrinking from -10 to -5 is an improvement: +50 %. */
    assert_int_equal(progress_growth(-5, -10, &g), 0);
    assert_true(fabs(g - 50.0) < EPS);
    /* A loss deepening from -10 to -15: -50 %. */
    assert_int_equal(progress_growth(-15, -10, &g), 0);
    assert_true(fabs(g + 50.0) < EPS);
    /* From -4 to +6: (6 - -4) / 4 = +250 %. */
    assert_int_equal(progress_growth(6, -4, &g), 0);
    assert_true(fabs(g - 250.0) < EPS);
}

static void test_growth_undefined(void **state)
{
    double g = 42;
    (void)state;
    assert_int_equal(progress_growth(5, 0, &g), ERR_DATA);
    assert_int_equal(progress_growth(0, 0, &g), ERR_DATA);
    assert_int_equal(progress_growth(NAN, 1, &g), ERR_DATA);
    assert_int_equal(progress_growth(1, INFINITY, &g), ERR_DATA);
    assert_int_equal(progress_growth(1e308, 1e-308, &g), ERR_DATA);
    assert_true(g == 42);                             /* untouched on error */
}

static void test_points_and_yoy(void **state)
{
    double v = 0;
    int kind = -1;
    (void)state;
    assert_int_equal(progress_points(58.4, 57.1, &v), 0);
    assert_true(fabs(v - 1.3) < 1e-9);
    assert_int_equal(progress_yoy(VK_RATIO, 58.4, 57.1, &v, &kind), 0);
    assert_int_equal(kind, PROGRESS_POINTS);
    assert_true(fabs(v - 1.3) < 1e-9);
    assert_int_equal(progress_yoy(VK_GROWTH, 4.5, 6.0, &v, &kind), 0);
    assert_int_equal(kind, PROGRESS_POINTS);
    assert_true(fabs(v + 1.5) < 1e-9);
    assert_int_equal(progress_yoy(VK_YTD, 120, 100, &v, &kind), 0);
    assert_int_equal(kind, PROGRESS_PERCENT);
    assert_true(fabs(v - 20.0) < EPS);
    assert_int_equal(progress_yoy(VK_LEVEL, 90, 100, &v, &kind), 0);
    assert_int_equal(kind, PROGRESS_PERCENT);
    assert_true(fabs(v + 10.0) < EPS);
    /* A ratio with a zero base is still a defined change in points. */
    assert_int_equal(progress_yoy(VK_RATIO, 3, 0, &v, &kind), 0);
    assert_true(fabs(v - 3.0) < EPS);
    assert_int_equal(progress_yoy(VK_YTD, 3, 0, &v, &kind), ERR_DATA);
}

static void test_completion_higher(void **state)
{
    double c = 0;
    (void)state;
    assert_int_equal(progress_completion(DIR_HIGHER, 80, 100, &c), 0);
    assert_true(fabs(c - 80.0) < EPS);
    assert_int_equal(progress_completion(DIR_HIGHER, 450.5, 420, &c), 0);
    assert_true(fabs(c - 107.261905) < 1e-6);        /* 450.5 / 420 */
    assert_int_equal(progress_completion(DIR_HIGHER, 0, 50, &c), 0);
    assert_true(fabs(c) < EPS);
    /* Negative target (a loss of at most 10): meeting it is 100 %, breaking even 200 %,
     * a loss of 20 is 0 %. */
    assert_int_equal(progress_completion(DIR_HIGHER, -10, -10, &c), 0);
    assert_true(fabs(c - 100.0) < EPS);
    assert_int_equal(progress_completion(DIR_HIGHER, 0, -10, &c), 0);
    assert_true(fabs(c - 200.0) < EPS);
    assert_int_equal(progress_completion(DIR_HIGHER, -20, -10, &c), 0);
    assert_true(fabs(c) < EPS);
}

static void test_completion_lower(void **state)
{
    double c = 0;
    (void)state;
    /* Energy use per unit of GDP, target 0.50: 0.45 beats it by 10 % -> 110 %. */
    assert_int_equal(progress_completion(DIR_LOWER, 0.45, 0.50, &c), 0);
    assert_true(fabs(c - 110.0) < 1e-9);
    assert_int_equal(progress_completion(DIR_LOWER, 0.60, 0.50, &c), 0);
    assert_true(fabs(c - 80.0) < 1e-9);
    assert_int_equal(progress_completion(DIR_LOWER, 0.50, 0.50, &c), 0);
    assert_true(fabs(c - 100.0) < EPS);
    /* Target: fall by 5 % (-5); falling by 6 % beats it: 1 + 1/5 -> 120 %. */
    assert_int_equal(progress_completion(DIR_LOWER, -6, -5, &c), 0);
    assert_true(fabs(c - 120.0) < EPS);
    assert_int_equal(progress_completion(DIR_LOWER, -4, -5, &c), 0);
    assert_true(fabs(c - 80.0) < EPS);
}

static void test_completion_undefined(void **state)
{
    double c = 7;
    (void)state;
    assert_int_equal(progress_completion(DIR_HIGHER, 10, 0, &c), ERR_DATA);
    assert_int_equal(progress_completion(DIR_LOWER, 0, 0, &c), ERR_DATA);
    assert_int_equal(progress_completion(DIR_HIGHER, NAN, 10, &c), ERR_DATA);
    assert_int_equal(progress_completion(DIR_HIGHER, 10, -INFINITY, &c), ERR_DATA);
    assert_int_equal(progress_completion(DIR_N, 10, 10, &c), ERR_DATA);
    assert_int_equal(progress_completion(-1, 10, 10, &c), ERR_DATA);
    assert_true(c == 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_growth_positive_base),
        cmocka_unit_test(test_growth_negative_base),
        cmocka_unit_test(test_growth_undefined),
        cmocka_unit_test(test_points_and_yoy),
        cmocka_unit_test(test_completion_higher),
        cmocka_unit_test(test_completion_lower),
        cmocka_unit_test(test_completion_undefined),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
