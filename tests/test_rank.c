/* test_rank: the ranking rules by hand-worked cases, and a randomized cross-check of
 * engine_rank_group against a slow reference that counts strictly better values. */
#include "engine/rank.h"
#include "util/err.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define MAXN 6000

static engine_ranked out[MAXN];

static void rank_all(const double *v, const unsigned char *present, size_t n, int higher, int precision)
{
    engine_rank_ws ws = { 0 };
    size_t m;
    assert_int_equal(engine_rank_group(v, present, n, higher, precision, &ws, out, &m), 0);
    engine_rank_ws_free(&ws);
}

static void expect_ranks(const int *ranks, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (out[i].rank != ranks[i])
            fail_msg("unit %zu: rank %d, expected %d", i, out[i].rank, ranks[i]);
    }
}

static void test_ties_at_the_top(void **state)
{
    const double v[] = { 10, 10, 8, 7 };
    const int r[] = { 1, 1, 3, 4 };
    (void)state;
    rank_all(v, NULL, 4, 1, ENGINE_PRECISION_EXACT);
    expect_ranks(r, 4);
    assert_int_equal(out[0].ties, 2);
    assert_int_equal(out[0].above, -1);
    assert_int_equal(out[0].below, 2);
    assert_int_equal(out[2].above, 0); /* the tie group's first unit stands for it */
    assert_int_equal(out[3].worse, 0);
}

static void test_ties_in_the_middle_and_bottom(void **state)
{
    const double v[] = { 9, 8, 7, 7, 7, 5, 4, 4 };
    const int r[] = { 1, 2, 3, 3, 3, 6, 7, 7 };
    (void)state;
    rank_all(v, NULL, 8, 1, ENGINE_PRECISION_EXACT);
    expect_ranks(r, 8);
    assert_int_equal(out[5].above, 2);
    assert_int_equal(out[5].below, 6);
    /* 3 is 前三 for all three tied units: fewer than three are strictly better */
    assert_int_equal(engine_tier(&out[4]), TIER_TOP);
    assert_int_equal(engine_tier(&out[5]), TIER_BOTTOM); /* 2 strictly worse */
    assert_int_equal(engine_tier(&out[6]), TIER_BOTTOM);
    assert_int_equal(engine_tier(&out[1]), TIER_TOP);
}

static void test_tie_at_the_bottom_is_bottom_three(void **state)
{
    /* five units tie for last in a group of ten: all are 后三 although their rank is 6 */
    const double v[] = { 10, 9, 8, 7, 6, 1, 1, 1, 1, 1 };
    (void)state;
    rank_all(v, NULL, 10, 1, ENGINE_PRECISION_EXACT);
    for (int i = 5; i < 10; i++) {
        assert_int_equal(out[i].rank, 6);
        assert_int_equal(engine_tier(&out[i]), TIER_BOTTOM);
    }
    assert_int_equal(engine_tier(&out[3]), TIER_MIDDLE); /* rank 4, five strictly worse */
    assert_int_equal(engine_tier(&out[4]), TIER_MIDDLE);
}

static void test_all_equal(void **state)
{
    const double v[] = { 3, 3, 3, 3, 3 };
    (void)state;
    rank_all(v, NULL, 5, 0, ENGINE_PRECISION_EXACT);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(out[i].rank, 1);
        assert_int_equal(out[i].ties, 5);
        assert_int_equal(out[i].above, -1);
        assert_int_equal(out[i].below, -1);
        assert_int_equal(engine_tier(&out[i]), TIER_TOP);
    }
}

static void test_one_competitor(void **state)
{
    const double v[] = { 42 };
    (void)state;
    rank_all(v, NULL, 1, 1, 2);
    assert_int_equal(out[0].rank, 1);
    assert_int_equal(out[0].worse, 0);
    assert_int_equal(engine_tier(&out[0]), TIER_TOP);
    assert_true(engine_first_tier(&out[0], 3));
}

static void test_missing_values_are_unranked(void **state)
{
    const double v[] = { 5, NAN, 7, 1, 3 };
    const unsigned char present[] = { 1, 1, 1, 0, 1 };
    const int r[] = { 2, 0, 1, 0, 3 };
    size_t m;
    engine_rank_ws ws = { 0 };
    (void)state;
    assert_int_equal(engine_rank_group(v, present, 5, 1, 1, &ws, out, &m), 0);
    engine_rank_ws_free(&ws);
    assert_int_equal(m, 3);
    expect_ranks(r, 5);
    assert_int_equal(engine_tier(&out[1]), TIER_NONE);
    assert_int_equal(out[3].ties, 0);
    assert_false(engine_first_tier(&out[3], 5));
    /* the unit ranked last among three is 后三 and nobody is ranked behind the missing */
    assert_int_equal(out[4].worse, 0);
}

static void test_all_missing(void **state)
{
    const double v[] = { 1, 2 };
    const unsigned char present[] = { 0, 0 };
    size_t m = 99;
    engine_rank_ws ws = { 0 };
    (void)state;
    assert_int_equal(engine_rank_group(v, present, 2, 1, 2, &ws, out, &m), 0);
    engine_rank_ws_free(&ws);
    assert_int_equal(m, 0);
    assert_int_equal(out[0].rank, 0);
    assert_int_equal(out[1].rank, 0);
    /* an empty group is fine too */
    assert_int_equal(engine_rank_group(v, present, 0, 1, 2, &ws, out, &m), 0);
    assert_int_equal(m, 0);
    engine_rank_ws_free(&ws);
}

static void test_lower_is_better(void **state)
{
    /* energy use per unit of GDP: the lowest is first */
    const double v[] = { 0.52, 0.48, 0.61, 0.48 };
    const int r[] = { 3, 1, 4, 1 };
    (void)state;
    rank_all(v, NULL, 4, 0, 2);
    expect_ranks(r, 4);
    assert_int_equal(out[0].above, 1);
    assert_int_equal(out[0].below, 2);
}

static void test_precision_makes_ties(void **state)
{
    /* at two decimals 8.104 and 8.1 are both 8.10; 8.105 is 8.11 (half away from zero, as
     * written, though its double is a hair below) and ties with 8.11 */
    const double v[] = { 8.104, 8.1, 8.105, 8.11, -0.005, -0.01 };
    const int r[] = { 3, 3, 1, 1, 5, 5 };
    (void)state;
    rank_all(v, NULL, 6, 1, 2);
    expect_ranks(r, 6);
    /* exactly, they are all different */
    rank_all(v, NULL, 6, 1, ENGINE_PRECISION_EXACT);
    for (int i = 0; i < 6; i++)
        assert_int_equal(out[i].ties, 1);
    assert_true(engine_round(1.005, 2) == 1.01);
    assert_true(engine_round(-2.5, 0) == -3);
    assert_true(engine_round(2.4999, 0) == 2);
}

static void test_negative_and_zero(void **state)
{
    const double v[] = { -3.5, 0.0, -0.0, 2 };
    const int r[] = { 4, 2, 2, 1 };
    (void)state;
    rank_all(v, NULL, 4, 1, ENGINE_PRECISION_EXACT);
    expect_ranks(r, 4);
}

static void test_too_large_for_precision(void **state)
{
    const double v[] = { 1e12, 1 };
    engine_rank_ws ws = { 0 };
    (void)state;
    assert_int_equal(engine_rank_group(v, NULL, 2, 1, 9, &ws, out, NULL), ERR_DATA);
    assert_int_equal(engine_rank_group(v, NULL, 2, 1, 3, &ws, out, NULL), 0);
    assert_int_equal(engine_rank_group(v, NULL, 2, 1, 12, &ws, out, NULL), ERR_DATA);
    engine_rank_ws_free(&ws);
}

/* ---- randomized cross-check against the definition ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t next_rand(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* The slow reference: compare rounded values pairwise. */
static int ref_cmp(double a, double b, int higher, int precision)
{
    double x = engine_round(a, precision), y = engine_round(b, precision);
    if (x == y)
        return 0;
    return ((x > y) == (higher != 0)) ? -1 : 1; /* -1: a is better */
}

static void check_against_reference(const double *v, const unsigned char *present, size_t n, int higher,
                                    int precision)
{
    rank_all(v, present, n, higher, precision);
    for (size_t i = 0; i < n; i++) {
        int better = 0, equal = 0, worse = 0;
        if (!present[i]) {
            assert_int_equal(out[i].rank, 0);
            continue;
        }
        for (size_t j = 0; j < n; j++) {
            if (!present[j])
                continue;
            int c = ref_cmp(v[j], v[i], higher, precision);
            better += c < 0;
            equal += c == 0;
            worse += c > 0;
        }
        if (out[i].rank != better + 1 || out[i].ties != equal || out[i].worse != worse)
            fail_msg("n=%zu unit %zu: rank %d ties %d worse %d, reference %d %d %d", n, i, out[i].rank,
                     out[i].ties, out[i].worse, better + 1, equal, worse);
        /* 标兵: strictly better, and nothing lies strictly between it and us */
        if (better == 0) {
            assert_int_equal(out[i].above, -1);
        } else {
            int a = out[i].above;
            assert_true(a >= 0 && present[a]);
            assert_int_equal(ref_cmp(v[a], v[i], higher, precision), -1);
            for (size_t j = 0; j < n; j++) {
                if (present[j] && ref_cmp(v[j], v[i], higher, precision) < 0)
                    assert_true(ref_cmp(v[j], v[a], higher, precision) <= 0);
            }
        }
        if (worse == 0) {
            assert_int_equal(out[i].below, -1);
        } else {
            int b = out[i].below;
            assert_true(b >= 0 && present[b]);
            assert_int_equal(ref_cmp(v[b], v[i], higher, precision), 1);
            for (size_t j = 0; j < n; j++) {
                if (present[j] && ref_cmp(v[j], v[i], higher, precision) > 0)
                    assert_true(ref_cmp(v[j], v[b], higher, precision) >= 0);
            }
        }
    }
}

static void test_randomized_against_reference(void **state)
{
    static double v[MAXN];
    static unsigned char present[MAXN];
    (void)state;
    for (int round = 0; round < 3000; round++) {
        size_t n = 1 + next_rand() % 40;
        int higher = (int)(next_rand() % 2), precision = (int)(next_rand() % 5) - 1;
        int levels = 1 + (int)(next_rand() % 12), style = (int)(next_rand() % 3);
        for (size_t i = 0; i < n; i++) {
            present[i] = next_rand() % 10 != 0;
            if (style == 0) /* few levels: many ties */
                v[i] = (double)(next_rand() % (uint64_t)levels) / 10.0 - 0.3;
            else if (style == 1) /* near-ties that only rounding separates or joins */
                v[i] = 100 + (double)(next_rand() % 2000) / 1000.0;
            else /* wide doubles */
                v[i] = ((double)(next_rand() >> 11) / 9007199254740992.0 - 0.5) * 1e6;
        }
        check_against_reference(v, present, n, higher, precision);
    }
}

/* Large groups take the radix path (wide keys) and the counting path (narrow keys). */
static void test_large_groups(void **state)
{
    static double v[MAXN];
    static unsigned char present[MAXN];
    (void)state;
    for (int round = 0; round < 4; round++) {
        size_t n = 2000 + next_rand() % 3000;
        for (size_t i = 0; i < n; i++) {
            present[i] = 1;
            v[i] = round < 2 ? (double)(next_rand() % 1000) / 10.0
                             : ((double)(next_rand() >> 11) / 9007199254740992.0) * 1e9;
        }
        check_against_reference(v, present, n, round % 2, round < 2 ? 1 : ENGINE_PRECISION_EXACT);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ties_at_the_top),
        cmocka_unit_test(test_ties_in_the_middle_and_bottom),
        cmocka_unit_test(test_tie_at_the_bottom_is_bottom_three),
        cmocka_unit_test(test_all_equal),
        cmocka_unit_test(test_one_competitor),
        cmocka_unit_test(test_missing_values_are_unranked),
        cmocka_unit_test(test_all_missing),
        cmocka_unit_test(test_lower_is_better),
        cmocka_unit_test(test_precision_makes_ties),
        cmocka_unit_test(test_negative_and_zero),
        cmocka_unit_test(test_too_large_for_precision),
        cmocka_unit_test(test_randomized_against_reference),
        cmocka_unit_test(test_large_groups),
    };
    return cmocka_run_group_tests_name("rank", tests, NULL, NULL);
}
