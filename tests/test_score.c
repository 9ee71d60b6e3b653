/* test_score: every scoring rule by hand-worked cases, randomized cross-checks of the methods
 * against exact rational arithmetic and of totals, ranks and grades against a slow reference,
 * and the data-driven cases in tests/cases/score/NAME/{input,expected}.json. */
#include "engine/score.h"
#include "model/model.h"
#include "util/err.h"
#include "support.h"

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

/* ---- helpers ---- */

/* Point literals in the tests are exact decimals. */
#define pts test_points

static engine_method method(int meth, double weight, int higher, const char *params)
{
    engine_method m;
    int rc = engine_method_parse(meth, weight, higher, params, &m);
    if (rc != 0)
        fail_msg("params '%s': %s", params, err_msg());
    return m;
}

/* Expects params to be refused with a message that names `names`. */
static void refused(int meth, int higher, const char *params, const char *names)
{
    engine_method m;
    int rc = engine_method_parse(meth, 10, higher, params, &m);
    if (rc != ERR_DATA)
        fail_msg("params '%s': %d, expected ERR_DATA", params, rc);
    if (!strstr(err_msg(), names))
        fail_msg("params '%s': message '%s' does not name '%s'", params, err_msg(), names);
}

static engine_item_input at_rank(int rank)
{
    engine_item_input in = { .rank = rank };
    return in;
}

static engine_item_input valued(double value, double goal)
{
    engine_item_input in = { .rank = 1, .value = value, .present = 1, .target = goal, .has_target = 1 };
    return in;
}

static engine_item_input judged(double manual)
{
    engine_item_input in = { .manual = manual, .has_manual = 1 };
    return in;
}

/* Scores and checks the result against a decimal literal, and the explanation's result. */
static void expect_score(const engine_method *m, engine_item_input in, const engine_item_group *g,
                         const char *want, const char *formula)
{
    engine_points p = -1;
    engine_explain why;
    int rc = engine_score_item(m, &in, g, &p, &why);
    char got[32];
    if (rc != 0)
        fail_msg("score failed: %s", err_msg());
    engine_points_format(p, 4, got, sizeof got);
    if (p != pts(want))
        fail_msg("score %s, expected %s (%s)", got, want, why.formula);
    assert_int_equal(why.result, p);
    assert_int_equal(why.method, m->method);
    if (formula && strcmp(why.formula, formula) != 0)
        fail_msg("formula '%s', expected '%s'", why.formula, formula);
    /* without an explanation the score is the same */
    assert_int_equal(engine_score_item(m, &in, g, &p, NULL), 0);
    assert_int_equal(p, pts(want));
}

/* ---- points ---- */

static void test_points_and_format(void **state)
{
    engine_points p;
    char buf[32];
    (void)state;
    assert_int_equal(engine_points_from(13.5, &p), 0);
    assert_int_equal(p, 135000);
    assert_int_equal(engine_points_from(-0.00005, &p), 0);
    assert_int_equal(p, -1); /* half away from zero */
    assert_int_equal(engine_points_from(NAN, &p), ERR_DATA);
    assert_int_equal(engine_points_from(2e12, &p), ERR_DATA);
    engine_points_format(572500, 2, buf, sizeof buf);
    assert_string_equal(buf, "57.25");
    engine_points_format(-5, 3, buf, sizeof buf);
    assert_string_equal(buf, "-0.001");
    engine_points_format(125, 2, buf, sizeof buf);
    assert_string_equal(buf, "0.01");
    engine_points_format(150000, 0, buf, sizeof buf);
    assert_string_equal(buf, "15");
}

/* ---- parameters ---- */

static void test_parse_defaults(void **state)
{
    engine_method m;
    (void)state;
    m = method(METHOD_RANK, 15, 1, NULL);
    assert_int_equal(m.weight, 150000);
    assert_int_equal(m.step_bp, 500);
    assert_int_equal(m.floor_bp, 0);
    assert_int_equal(m.ntable, 0);
    m = method(METHOD_COMPLETION, 20, 1, "");
    assert_int_equal(m.floor_bp, 0);
    assert_int_equal(m.cap_bp, 10000);
    m = method(METHOD_EFFICACY, 10, 0, " ");
    assert_int_equal(m.base_bp, 6000);
    assert_int_equal(m.fixed_bounds, 0);
    assert_int_equal(m.higher_better, 0);
    m = method(METHOD_THRESHOLD, 5, 1, "");
    assert_int_equal(m.method, METHOD_THRESHOLD);
    m = method(METHOD_MANUAL, 5, 7, NULL);
    assert_int_equal(m.higher_better, 1);
}

static void test_parse_percentages_exactly(void **state)
{
    engine_method m;
    (void)state;
    m = method(METHOD_RANK, 15, 1, "step=2.5");
    assert_int_equal(m.step_bp, 250);
    m = method(METHOD_RANK, 15, 1, "  step = 2.55 % ;  floor= 40 ;");
    assert_int_equal(m.step_bp, 255);
    assert_int_equal(m.floor_bp, 4000);
    m = method(METHOD_RANK, 15, 1, "step=0.07;;");
    assert_int_equal(m.step_bp, 7);
    m = method(METHOD_RANK, 15, 1, "step=2.500");
    assert_int_equal(m.step_bp, 250); /* zeros past the second decimal change nothing */
    refused(METHOD_RANK, 1, "step=2.555", "step");
    refused(METHOD_RANK, 1, "step=abc", "step");
    refused(METHOD_RANK, 1, "step=-5", "step");
    refused(METHOD_RANK, 1, "step=5x", "step");
    refused(METHOD_RANK, 1, "step=.5", "step");
    refused(METHOD_RANK, 1, "step=5.", "step");
    refused(METHOD_RANK, 1, "step=", "step");
    refused(METHOD_RANK, 1, "step=101", "step");
    refused(METHOD_RANK, 1, "floor=100.01", "floor");
    refused(METHOD_COMPLETION, 1, "cap=1000.01", "cap");
    m = method(METHOD_COMPLETION, 15, 1, "cap=1000");
    assert_int_equal(m.cap_bp, 100000);
}

static void test_parse_table(void **state)
{
    char text[400];
    engine_method m;
    size_t n;
    (void)state;
    m = method(METHOD_RANK, 10, 1, "table=100, 90 ,80.5; floor=20");
    assert_int_equal(m.ntable, 3);
    assert_int_equal(m.table_bp[0], 10000);
    assert_int_equal(m.table_bp[1], 9000);
    assert_int_equal(m.table_bp[2], 8050);
    assert_int_equal(m.floor_bp, 2000);
    /* ENGINE_RANK_TABLE_MAX places are fine, one more is not */
    n = (size_t)snprintf(text, sizeof text, "table=100");
    for (int i = 1; i < ENGINE_RANK_TABLE_MAX; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, ",%d", 100 - i);
    m = method(METHOD_RANK, 10, 1, text);
    assert_int_equal(m.ntable, ENGINE_RANK_TABLE_MAX);
    assert_int_equal(m.table_bp[ENGINE_RANK_TABLE_MAX - 1], (100 - ENGINE_RANK_TABLE_MAX + 1) * 100);
    snprintf(text + n, sizeof text - n, ",1");
    refused(METHOD_RANK, 1, text, "table");
    refused(METHOD_RANK, 1, "table=100,,90", "table");
    refused(METHOD_RANK, 1, "table=100,90,", "table");
    refused(METHOD_RANK, 1, "table=90,95", "table");
    refused(METHOD_RANK, 1, "table=100,9o", "table");
    refused(METHOD_RANK, 1, "table=100,90;step=5", "step");
}

static void test_parse_refusals(void **state)
{
    engine_method m;
    (void)state;
    refused(METHOD_RANK, 1, "stp=5", "stp");
    refused(METHOD_RANK, 1, "Step=5", "Step"); /* keys are case-sensitive */
    refused(METHOD_RANK, 1, "cap=120", "cap"); /* a key of another method */
    refused(METHOD_RANK, 1, "step=5;step=6", "step");
    refused(METHOD_RANK, 1, "step", "step");
    refused(METHOD_COMPLETION, 1, "floor=50;cap=40", "cap");
    refused(METHOD_EFFICACY, 1, "satisfactory=5;unallowed=5", "satisfactory");
    refused(METHOD_EFFICACY, 1, "satisfactory=100", "unallowed");
    refused(METHOD_EFFICACY, 1, "unallowed=20", "satisfactory");
    refused(METHOD_EFFICACY, 1, "satisfactory=20;unallowed=100", "satisfactory");
    refused(METHOD_EFFICACY, 0, "satisfactory=0.8;unallowed=0.4", "satisfactory");
    refused(METHOD_EFFICACY, 1, "satisfactory=x;unallowed=20", "satisfactory");
    refused(METHOD_EFFICACY, 1, "base=101", "base");
    refused(METHOD_THRESHOLD, 1, "target=5", "target");
    refused(METHOD_MANUAL, 1, "cap=5", "cap");
    assert_int_equal(engine_method_parse(METHOD_N, 10, 1, "", &m), ERR_DATA);
    assert_int_equal(engine_method_parse(-1, 10, 1, "", &m), ERR_DATA);
    assert_int_equal(engine_method_parse(METHOD_RANK, -1, 1, "", &m), ERR_DATA);
    assert_int_equal(engine_method_parse(METHOD_RANK, NAN, 1, "", &m), ERR_DATA);
    assert_int_equal(engine_method_parse(METHOD_RANK, 2e6, 1, "", &m), ERR_DATA);
    m = method(METHOD_EFFICACY, 10, 1, "base=50; satisfactory = 1,000 ; unallowed=20");
    assert_int_equal(m.fixed_bounds, 1);
    assert_true(m.satisfactory == 1000 && m.unallowed == 20);
    assert_int_equal(m.base_bp, 5000);
    m = method(METHOD_EFFICACY, 10, 0, "satisfactory=0.4;unallowed=0.8");
    assert_int_equal(m.fixed_bounds, 1);
}

/* ---- the methods ---- */

/* ---- the check of a scheme's items ---- */

/* A scheme to check: up to four items (weight, params) and the declared total, with the
 * problems expected: the item refused (-1: none) and whether the sum is off. */
typedef struct scheme_case {
    const char *name;
    double weight[4];
    const char *params[4];
    size_t n;
    double total;
    long bad_item;
    int sum_off;
} scheme_case;

static void test_scheme_check(void **state)
{
    /* the tolerance is 1e-9 × max(1, |total|): at total 0 it is exactly 1e-9, so a single
     * weight of 1e-9 stands exactly on the boundary and the next double is beyond it */
    const double at = ENGINE_WEIGHT_TOLERANCE, beyond = nextafter(ENGINE_WEIGHT_TOLERANCE, 1.0);
    const scheme_case cases[] = {
        { "adds up", { 60, 40 }, { "", "" }, 2, 100, -1, 0 },
        { "decimals rounding in binary", { 33.3, 33.3, 33.4 }, { "", "", "" }, 3, 100, -1, 0 },
        { "exactly the tolerance off", { at }, { "" }, 1, 0, -1, 0 },
        { "just beyond the tolerance", { beyond }, { "" }, 1, 0, -1, 1 },
        { "a slip of 0.0001", { 60, 39.9999 }, { "", "" }, 2, 100, -1, 1 },
        { "a large total", { 99999.9999, 0.0001 }, { "", "" }, 2, 100000, -1, 0 },
        { "no items", { 0 }, { "" }, 0, 0, -1, 0 },
        { "no items but a total", { 0 }, { "" }, 0, 10, -1, 1 },
        { "a refused parameter", { 50, 50 }, { "step=5", "bogus=1" }, 2, 100, 1, 0 },
        { "both", { 50, 40 }, { "bogus=1", "" }, 2, 100, 0, 1 },
    };
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const scheme_case *k = &cases[c];
        engine_scheme_item items[4];
        engine_scheme_problem pr[5];
        double sum = -1, want = 0;
        size_t n, expect = (k->bad_item >= 0) + (size_t)k->sum_off;
        for (size_t i = 0; i < k->n; i++) {
            items[i] = (engine_scheme_item){ METHOD_RANK, k->weight[i], 1, k->params[i] };
            want += k->weight[i];
        }
        n = engine_scheme_check(items, k->n, k->total, pr, &sum);
        if (n != expect)
            fail_msg("%s: %zu problems, expected %zu", k->name, n, expect);
        assert_true(sum == want);
        assert_string_equal(err_msg(), "");
        if (k->bad_item >= 0) {
            assert_int_equal(pr[0].code, ENGINE_SCHEME_BAD_METHOD);
            assert_int_equal(pr[0].item, k->bad_item);
            assert_non_null(strstr(pr[0].detail, "bogus"));
        }
        if (k->sum_off) {
            assert_int_equal(pr[n - 1].code, ENGINE_SCHEME_WEIGHT_SUM);
            assert_int_equal(pr[n - 1].item, -1);
        }
    }
    /* relative: at a total of 100 the room is 1e-7, on either side */
    assert_true(engine_weights_agree(100 + 0.9e-7, 100));
    assert_true(engine_weights_agree(100 - 0.9e-7, 100));
    assert_false(engine_weights_agree(100 + 1.1e-7, 100));
    assert_false(engine_weights_agree(100 - 1.1e-7, 100));
    assert_false(engine_weights_agree(NAN, 100));
}

static void test_rank_step(void **state)
{
    engine_method m = method(METHOD_RANK, 15, 1, "step=5");
    engine_method f = method(METHOD_RANK, 10, 1, "step=10;floor=50");
    engine_method d = method(METHOD_RANK, 7, 1, "step=2.5");
    (void)state;
    expect_score(&m, at_rank(1), NULL, "15", "15 × max(0%, 100% − 5% × (1 − 1)) = 15");
    expect_score(&m, at_rank(3), NULL, "13.5", "15 × max(0%, 100% − 5% × (3 − 1)) = 13.5");
    expect_score(&m, at_rank(21), NULL, "0", NULL);  /* 100 % − 100 % */
    expect_score(&m, at_rank(30), NULL, "0", NULL);  /* below zero: the floor, 0 */
    expect_score(&m, at_rank(0), NULL, "0", "no rank → 0");
    expect_score(&f, at_rank(5), NULL, "6", NULL);   /* 10 × 60 % */
    expect_score(&f, at_rank(8), NULL, "5", "10 × max(50%, 100% − 10% × (8 − 1)) = 5");
    expect_score(&d, at_rank(4), NULL, "6.475", "7 × max(0%, 100% − 2.5% × (4 − 1)) = 6.475");
}

static void test_rank_table(void **state)
{
    engine_method m = method(METHOD_RANK, 10, 1, "table=100,90,80.5;floor=20");
    engine_method nofloor = method(METHOD_RANK, 10, 1, "table=100,50");
    (void)state;
    expect_score(&m, at_rank(1), NULL, "10", "10 × table[1] = 10 × 100% = 10");
    expect_score(&m, at_rank(2), NULL, "9", NULL);
    expect_score(&m, at_rank(3), NULL, "8.05", "10 × table[3] = 10 × 80.5% = 8.05");
    expect_score(&m, at_rank(4), NULL, "2", "10 × floor (4 > 3 places) = 10 × 20% = 2");
    expect_score(&m, at_rank(0), NULL, "0", NULL);
    expect_score(&nofloor, at_rank(3), NULL, "0", NULL);
}

static void test_completion_higher(void **state)
{
    engine_method m = method(METHOD_COMPLETION, 15, 1, "");
    engine_method c = method(METHOD_COMPLETION, 15, 1, "floor=50;cap=120");
    engine_method one = method(METHOD_COMPLETION, 1, 1, "");
    engine_item_input none = valued(90, 100);
    (void)state;
    expect_score(&m, valued(57.25, 100), NULL, "8.5875", "15 × clamp(57.25 / 100, 0%, 100%) = 15 × 57.25% = 8.5875");
    expect_score(&m, valued(120, 100), NULL, "15", NULL);
    expect_score(&c, valued(120, 100), NULL, "18", "15 × clamp(120 / 100, 50%, 120%) = 15 × 120% = 18");
    expect_score(&c, valued(130, 100), NULL, "18", NULL);
    expect_score(&c, valued(10, 100), NULL, "7.5", NULL);
    expect_score(&m, valued(-10, 100), NULL, "0", NULL);
    /* 12.345 % of 1 point is 0.12345, a half unit: rounded up as written */
    expect_score(&one, valued(12.345, 100), NULL, "0.1235", NULL);
    expect_score(&one, valued(0.1, 3), NULL, "0.0333", NULL);
    expect_score(&one, valued(0.2, 3), NULL, "0.0667", NULL);
    none.present = 0;
    expect_score(&m, none, NULL, "0", "no value → 0");
}

static void test_completion_zero_and_negative_targets(void **state)
{
    engine_method c = method(METHOD_COMPLETION, 15, 1, "cap=120");
    engine_item_input no_target = valued(50, 0);
    (void)state;
    expect_score(&c, valued(50, 0), NULL, "0", "target = 0: completion undefined → 0");
    no_target.has_target = 0;
    expect_score(&c, no_target, NULL, "0", "no target → 0");
    no_target.has_target = 1;
    no_target.target = NAN;
    expect_score(&c, no_target, NULL, "0", "no target → 0");
    /* a loss of 10 planned, 5 made: 1 + (−5 − −10) / 10 = 150 %, capped at 120 % */
    expect_score(&c, valued(-5, -10), NULL, "18", "15 × clamp(1 + (-5 − -10) / |-10|, 0%, 120%) = 15 × 120% = 18");
    /* a loss of 15: 1 + (−15 − −10) / 10 = 50 % */
    expect_score(&c, valued(-15, -10), NULL, "7.5", NULL);
    /* reaching a negative target exactly is 100 % */
    expect_score(&c, valued(-10, -10), NULL, "15", NULL);
}

static void test_completion_lower_is_better(void **state)
{
    engine_method c = method(METHOD_COMPLETION, 10, 0, "cap=110");
    (void)state;
    /* energy per unit of GDP, target 0.5: 1 + (0.5 − 0.45) / 0.5 = 110 % */
    expect_score(&c, valued(0.45, 0.5), NULL, "11", "10 × clamp(1 + (0.5 − 0.45) / |0.5|, 0%, 110%) = 10 × 110% = 11");
    expect_score(&c, valued(0.4, 0.5), NULL, "11", NULL);   /* 120 %, capped */
    expect_score(&c, valued(0.5, 0.5), NULL, "10", NULL);
    expect_score(&c, valued(0.6, 0.5), NULL, "8", NULL);    /* 80 % */
    expect_score(&c, valued(1.2, 0.5), NULL, "0", NULL);    /* −40 %, floor 0 */
    /* a negative target, lower is better: −2 planned, −3 made: 1 + (−2 − −3) / 2 = 150 % */
    expect_score(&c, valued(-3, -2), NULL, "11", NULL);
    expect_score(&c, valued(-1.8, -2), NULL, "9", NULL);   /* 1 + (−2 + 1.8) / 2 = 90 % */
}

static void test_efficacy_fixed_bounds(void **state)
{
    engine_method m = method(METHOD_EFFICACY, 12, 1, "base=60;satisfactory=100;unallowed=20");
    engine_method low = method(METHOD_EFFICACY, 10, 0, "base=60;satisfactory=0.4;unallowed=0.8");
    engine_item_input missing = valued(50, 0);
    (void)state;
    expect_score(&m, valued(100, 0), NULL, "12", NULL);
    expect_score(&m, valued(60, 0), NULL, "9.6",
                 "12 × clamp(60% + (60 − 20) / (100 − 20) × 40%, 0%, 100%) = 12 × 80% = 9.6");
    expect_score(&m, valued(20, 0), NULL, "7.2", NULL);
    expect_score(&m, valued(0, 0), NULL, "6", NULL);        /* 60 % − 25 % × 40 % = 50 % */
    expect_score(&m, valued(130, 0), NULL, "12", NULL);     /* clamped at 100 % */
    expect_score(&m, valued(-200, 0), NULL, "0", NULL);     /* 60 % − 110 % clamped at 0 */
    expect_score(&low, valued(0.5, 0), NULL, "9", NULL);    /* 60 % + 0.75 × 40 % */
    expect_score(&low, valued(0.9, 0), NULL, "5", NULL);    /* 60 % − 0.25 × 40 % */
    missing.present = 0;
    expect_score(&m, missing, NULL, "0", "no value → 0");
}

static void test_efficacy_group_bounds(void **state)
{
    engine_method m = method(METHOD_EFFICACY, 15, 1, "");
    engine_method low = method(METHOD_EFFICACY, 10, 0, "base=60");
    engine_item_group g = { .best = 90, .worst = 50, .nranked = 4 };
    engine_item_group lg = { .best = 0.4, .worst = 0.8, .nranked = 4 };
    engine_points p;
    engine_item_input in = valued(70, 0);
    (void)state;
    expect_score(&m, valued(90, 0), &g, "15", NULL);
    expect_score(&m, valued(70, 0), &g, "12", "15 × clamp(60% + (70 − 50) / (90 − 50) × 40%, 0%, 100%) = 15 × 80% = 12");
    expect_score(&m, valued(50, 0), &g, "9", NULL);
    /* lower is better: the best is the lowest */
    expect_score(&low, valued(0.4, 0), &lg, "10", NULL);
    expect_score(&low, valued(0.5, 0), &lg, "9", NULL);
    expect_score(&low, valued(0.6, 0), &lg, "8", NULL);
    expect_score(&low, valued(0.8, 0), &lg, "6", NULL);
    /* group bounds need the group */
    assert_int_equal(engine_score_item(&m, &in, NULL, &p, NULL), ERR_DATA);
}

static void test_efficacy_all_equal_and_one_competitor(void **state)
{
    engine_method m = method(METHOD_EFFICACY, 15, 1, "base=60");
    engine_item_group all = { .best = 5, .worst = 5, .nranked = 6 };
    engine_item_group one = { .best = 42, .worst = 42, .nranked = 1 };
    engine_item_input missing = valued(5, 0);
    (void)state;
    expect_score(&m, valued(5, 0), &all, "15", "15 × 100% (best = worst = 5) = 15");
    expect_score(&m, valued(42, 0), &one, "15", NULL);
    missing.present = 0;
    expect_score(&m, missing, &all, "0", NULL);
}

static void test_threshold(void **state)
{
    engine_method hi = method(METHOD_THRESHOLD, 5, 1, "");
    engine_method lo = method(METHOD_THRESHOLD, 5, 0, "");
    engine_item_input no_target = valued(1, 0), missing = valued(1, 3);
    (void)state;
    expect_score(&hi, valued(80, 75), NULL, "5", "80 ≥ 75 → 5");
    expect_score(&hi, valued(75, 75), NULL, "5", NULL);
    expect_score(&hi, valued(74.99, 75), NULL, "0", "74.99 < 75 → 0");
    expect_score(&lo, valued(3, 3), NULL, "5", "3 ≤ 3 → 5");
    expect_score(&lo, valued(0, 3), NULL, "5", NULL);
    expect_score(&lo, valued(4, 3), NULL, "0", "4 > 3 → 0");
    expect_score(&lo, valued(0, 0), NULL, "5", NULL);       /* zero accidents against zero */
    no_target.has_target = 0;
    expect_score(&hi, no_target, NULL, "0", "no target → 0");
    missing.present = 0;
    expect_score(&lo, missing, NULL, "0", "no value → 0");
}

static void test_manual(void **state)
{
    engine_method m = method(METHOD_MANUAL, 15, 1, "");
    engine_item_input none = { 0 }, bad = judged(NAN);
    engine_points p;
    (void)state;
    expect_score(&m, judged(12.5), NULL, "12.5", "min(max(12.5, 0), 15) = 12.5");
    expect_score(&m, judged(17), NULL, "15", "min(max(17, 0), 15) = 15");
    expect_score(&m, judged(-3), NULL, "0", NULL);
    expect_score(&m, judged(14.99995), NULL, "15", NULL);
    expect_score(&m, none, NULL, "0", "no manual score → 0");
    /* the judges' score counts although the unit has no value and no rank */
    assert_int_equal(judged(3).present, 0);
    expect_score(&m, judged(3), NULL, "3", NULL);
    assert_int_equal(engine_score_item(&m, &bad, NULL, &p, NULL), ERR_DATA);
}

static void test_explain_inputs(void **state)
{
    engine_method m = method(METHOD_EFFICACY, 15, 1, "");
    engine_item_group g = { .best = 90, .worst = 50, .nranked = 3 };
    engine_item_input in = valued(70, 0);
    engine_explain why;
    engine_points p;
    (void)state;
    assert_int_equal(engine_score_item(&m, &in, &g, &p, &why), 0);
    assert_int_equal(why.ninputs, 4);
    assert_string_equal(why.input_name[0], "weight");
    assert_true(why.input[0] == 15);
    assert_string_equal(why.input_name[1], "value");
    assert_true(why.input[1] == 70);
    assert_string_equal(why.input_name[2], "best");
    assert_true(why.input[2] == 90);
    assert_string_equal(why.input_name[3], "worst");
    assert_true(why.input[3] == 50);
    assert_int_equal(why.result, 120000);
    m = method(METHOD_RANK, 15, 1, "");
    in = at_rank(2);
    assert_int_equal(engine_score_item(&m, &in, NULL, &p, &why), 0);
    assert_int_equal(why.ninputs, 2);
    assert_string_equal(why.input_name[1], "rank");
    assert_true(why.input[1] == 2);
    m.method = METHOD_N;
    assert_int_equal(engine_score_item(&m, &in, NULL, &p, &why), ERR_DATA);
}

/* ---- totals ---- */

static void test_totals_caps_and_revoked(void **state)
{
    /* two units, two items each; category 0 capped at +3 / −2, category 1 uncapped,
     * category 2 caps deductions only (a bonus cap of 0 means no cap) */
    const engine_points items[] = { pts("40"), pts("30.5"), pts("35"), pts("35") };
    const engine_cap caps[] = { { 0, pts("3"), pts("2") }, { 2, 0, pts("1") } };
    const engine_event ev[] = {
        { 0, 0, pts("2"), 0, 0 },  { 0, 0, pts("2"), 0, 0 },   /* 4 of bonus, capped at 3 */
        { 0, 0, pts("-1.5"), 0, 0 }, { 0, 0, pts("-1"), 0, 0 }, /* 2.5 of deduction, capped at 2 */
        { 0, 1, pts("5"), 0, 0 },                               /* uncapped */
        { 0, 0, pts("-9"), 0, 1 },                              /* revoked (容错免责): nothing */
        { 1, 0, pts("2.5"), 0, 0 },                             /* below the cap */
        { 1, 2, pts("4"), 0, 0 }, { 1, 2, pts("-0.75"), 0, 0 }, { 1, 2, pts("-0.75"), 0, 0 },
        { 1, 0, pts("7"), 1, 1 },                               /* revoked veto and bonus */
    };
    engine_total t[2];
    (void)state;
    assert_int_equal(engine_totals(items, 2, 2, ev, sizeof ev / sizeof ev[0], caps, 2, t), 0);
    assert_int_equal(t[0].items, pts("70.5"));
    assert_int_equal(t[0].bonus, pts("8"));      /* 3 capped + 5 */
    assert_int_equal(t[0].deduction, pts("2"));
    assert_int_equal(t[0].total, pts("76.5"));
    assert_int_equal(t[1].items, pts("70"));
    assert_int_equal(t[1].bonus, pts("6.5"));    /* 2.5 + 4 */
    assert_int_equal(t[1].deduction, pts("1"));  /* 1.5 capped at 1 */
    assert_int_equal(t[1].total, pts("75.5"));
    assert_int_equal(t[1].veto, 0);
    assert_int_equal(t[0].rank, 1);
    assert_int_equal(t[1].rank, 2);
    assert_int_equal(t[0].grade, -1);
    /* the caps are per unit: unit 1 reaching its cap leaves unit 0's untouched */
}

static void test_totals_veto_ties_and_errors(void **state)
{
    const engine_points items[] = { pts("90"), pts("80"), pts("85"), pts("85") };
    const engine_event ev[] = { { 0, 1, pts("-5"), 1, 0 }, { 2, 1, 0, 1, 1 } };
    const engine_event bad[] = { { 4, 0, pts("1"), 0, 1 } };
    const engine_cap neg[] = { { 0, pts("-1"), 0 } };
    const engine_cap twice[] = { { 0, pts("1"), 0 }, { 0, pts("2"), 0 } };
    engine_total t[4];
    (void)state;
    assert_int_equal(engine_totals(items, 4, 1, ev, 2, NULL, 0, t), 0);
    assert_int_equal(t[0].veto, 1);
    assert_int_equal(t[0].total, pts("85")); /* the veto event's points count too */
    assert_int_equal(t[2].veto, 0);          /* revoked */
    assert_int_equal(t[0].rank, 1);
    assert_int_equal(t[2].rank, 1);
    assert_int_equal(t[3].rank, 1);
    assert_int_equal(t[1].rank, 4);
    /* one competitor */
    assert_int_equal(engine_totals(items, 1, 1, NULL, 0, NULL, 0, t), 0);
    assert_int_equal(t[0].rank, 1);
    assert_int_equal(t[0].total, pts("90"));
    /* no items at all: events alone */
    assert_int_equal(engine_totals(NULL, 2, 0, ev, 1, NULL, 0, t), 0);
    assert_int_equal(t[0].total, pts("-5"));
    assert_int_equal(t[1].total, 0);
    assert_int_equal(t[1].rank, 1);
    assert_int_equal(engine_totals(NULL, 0, 0, NULL, 0, NULL, 0, t), 0);
    /* an event's unit out of range, even a revoked one; caps that make no sense */
    assert_int_equal(engine_totals(items, 4, 1, bad, 1, NULL, 0, t), ERR_DATA);
    assert_int_equal(engine_totals(items, 4, 1, NULL, 0, neg, 1, t), ERR_DATA);
    assert_int_equal(engine_totals(items, 4, 1, NULL, 0, twice, 2, t), ERR_DATA);
}

static void test_totals_refuse_inexact_sums(void **state)
{
    const engine_points items[] = { (engine_points)1 << 52, (engine_points)1 << 52 };
    const engine_points fine[] = { ((engine_points)1 << 52) - 1, (engine_points)1 << 52 };
    engine_total t[1];
    (void)state;
    assert_int_equal(engine_totals(fine, 1, 2, NULL, 0, NULL, 0, t), 0);
    assert_int_equal(t[0].total, ((engine_points)1 << 53) - 1);
    assert_int_equal(engine_totals(items, 1, 2, NULL, 0, NULL, 0, t), 0); /* exactly 2^53 */
    {
        const engine_points over[] = { (engine_points)1 << 52, ((engine_points)1 << 52) + 1 };
        const engine_event huge[] = { { 0, 0, INT64_MIN, 0, 0 } };
        assert_int_equal(engine_totals(over, 1, 2, NULL, 0, NULL, 0, t), ERR_DATA);
        assert_int_equal(engine_totals(fine, 1, 1, huge, 1, NULL, 0, t), ERR_DATA);
    }
}

/* ---- grades ---- */

static engine_total total_of(const char *points, int rank, int veto)
{
    engine_total t = { .total = pts(points), .rank = rank, .veto = veto, .grade = 7 };
    return t;
}

static engine_grading bands4(int quota)
{
    engine_grading g = { 4, { pts("90"), pts("80"), pts("60"), pts("0") }, quota };
    return g;
}

static void test_grade_band_edges(void **state)
{
    engine_total t[7] = { total_of("90", 1, 0), total_of("89.9999", 2, 0), total_of("80", 3, 0),
                          total_of("79.9999", 4, 0), total_of("60", 5, 0), total_of("0", 6, 0),
                          total_of("-0.0001", 7, 0) };
    engine_grading g = bands4(0);
    (void)state;
    assert_int_equal(engine_grade(&g, t, 7), 0);
    assert_int_equal(t[0].grade, 0);
    assert_int_equal(t[1].grade, 1);
    assert_int_equal(t[2].grade, 1);
    assert_int_equal(t[3].grade, 2);
    assert_int_equal(t[4].grade, 2);
    assert_int_equal(t[5].grade, 3);
    assert_int_equal(t[6].grade, -1); /* below every band */
}

static void test_grade_veto_on_the_top_scorer(void **state)
{
    engine_total t[3] = { total_of("99", 1, 1), total_of("95", 2, 0), total_of("70", 3, 1) };
    engine_grading g = bands4(0), one = { 1, { pts("90") }, 0 };
    (void)state;
    assert_int_equal(engine_grade(&g, t, 3), 0);
    assert_int_equal(t[0].grade, 1); /* 优秀 barred: the best band below */
    assert_int_equal(t[1].grade, 0);
    assert_int_equal(t[2].grade, 2); /* a veto changes nothing below band 0 */
    assert_int_equal(engine_grade(&one, t, 3), 0);
    assert_int_equal(t[0].grade, -1); /* only one band: none */
    assert_int_equal(t[1].grade, 0);
}

static void test_grade_quota_tie_at_the_cut(void **state)
{
    engine_total t[6] = { total_of("98", 1, 0), total_of("95", 2, 0), total_of("92", 3, 0),
                          total_of("92", 3, 0), total_of("91", 5, 0), total_of("70", 6, 0) };
    engine_grading g3 = bands4(3), g4 = bands4(4), g2 = bands4(2), g9 = bands4(9);
    (void)state;
    /* quota 3: four units are ranked within 3 (1, 2, 3, 3); the tie at the cut stays out */
    assert_int_equal(engine_grade(&g3, t, 6), 0);
    assert_int_equal(t[0].grade, 0);
    assert_int_equal(t[1].grade, 0);
    assert_int_equal(t[2].grade, 1);
    assert_int_equal(t[3].grade, 1);
    assert_int_equal(t[4].grade, 1);
    assert_int_equal(t[5].grade, 2);
    /* quota 4: the tie fits */
    assert_int_equal(engine_grade(&g4, t, 6), 0);
    assert_int_equal(t[2].grade, 0);
    assert_int_equal(t[3].grade, 0);
    assert_int_equal(t[4].grade, 1); /* rank 5 > 4 */
    /* quota 2: rank 3 is outside anyway */
    assert_int_equal(engine_grade(&g2, t, 6), 0);
    assert_int_equal(t[1].grade, 0);
    assert_int_equal(t[2].grade, 1);
    /* a quota larger than the field changes nothing */
    assert_int_equal(engine_grade(&g9, t, 6), 0);
    assert_int_equal(t[4].grade, 0);
    assert_int_equal(t[5].grade, 2);
}

static void test_grade_quota_with_veto(void **state)
{
    /* a vetoed unit in the tie does not count: 98, 95, 92 (veto), 92 fit a quota of 3 */
    engine_total t[4] = { total_of("98", 1, 0), total_of("95", 2, 0), total_of("92", 3, 1), total_of("92", 3, 0) };
    /* a tie for first crossing a quota of 1 leaves band 0 empty */
    engine_total u[3] = { total_of("95", 1, 0), total_of("95", 1, 0), total_of("91", 3, 0) };
    /* a vetoed first place does not pass its place on: rank 3 stays outside a quota of 2 */
    engine_total v[3] = { total_of("99", 1, 1), total_of("95", 2, 0), total_of("93", 3, 0) };
    engine_grading g3 = bands4(3), g1 = bands4(1), g2 = bands4(2);
    (void)state;
    assert_int_equal(engine_grade(&g3, t, 4), 0);
    assert_int_equal(t[2].grade, 1);
    assert_int_equal(t[3].grade, 0);
    assert_int_equal(engine_grade(&g1, u, 3), 0);
    assert_int_equal(u[0].grade, 1);
    assert_int_equal(u[1].grade, 1);
    assert_int_equal(u[2].grade, 1);
    assert_int_equal(engine_grade(&g2, v, 3), 0);
    assert_int_equal(v[0].grade, 1);
    assert_int_equal(v[1].grade, 0);
    assert_int_equal(v[2].grade, 1);
}

static void test_grade_refusals(void **state)
{
    engine_total t[1] = { total_of("50", 1, 0) };
    engine_grading up = { 2, { pts("60"), pts("70") }, 0 };
    engine_grading same = { 2, { pts("60"), pts("60") }, 0 };
    engine_grading none = { 0, { 0 }, 0 };
    engine_grading many = { 9, { 0 }, 0 };
    engine_grading neg = bands4(-1);
    (void)state;
    assert_int_equal(engine_grade(&up, t, 1), ERR_DATA);
    assert_int_equal(engine_grade(&same, t, 1), ERR_DATA);
    assert_int_equal(engine_grade(&none, t, 1), ERR_DATA);
    assert_int_equal(engine_grade(&many, t, 1), ERR_DATA);
    assert_int_equal(engine_grade(&neg, t, 1), ERR_DATA);
}

/* ---- streaks ---- */

static void test_streaks(void **state)
{
    const int five[] = { 2, 1, 1, 1, 1, 1 };
    const int broken[] = { 1, 1, 1, 0, 1 };
    const int ended[] = { 1, 1, 1, 2 };
    const int two_runs[] = { 1, 1, 3, 1, 1, 1, 1 };
    int cur = -1, longest = -1;
    (void)state;
    engine_streak(five, 6, &cur, &longest);
    assert_int_equal(cur, 5); /* 五连冠 */
    assert_int_equal(longest, 5);
    engine_streak(broken, 5, &cur, &longest);
    assert_int_equal(cur, 1); /* no rank breaks the run */
    assert_int_equal(longest, 3);
    engine_streak(ended, 4, &cur, &longest);
    assert_int_equal(cur, 0);
    assert_int_equal(longest, 3);
    engine_streak(two_runs, 7, &cur, &longest);
    assert_int_equal(cur, 4);
    assert_int_equal(longest, 4);
    engine_streak(NULL, 0, &cur, &longest);
    assert_int_equal(cur, 0);
    assert_int_equal(longest, 0);
}

/* ---- randomized cross-checks ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static int64_t rand_in(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next_rand() % (uint64_t)(hi - lo + 1));
}

/* num / den rounded half away from zero, den > 0, by long division of magnitudes. */
static int64_t ratio_round(int64_t num, int64_t den)
{
    int64_t mag = num < 0 ? -num : num, q = mag / den, r = mag % den;
    if (2 * r >= den)
        q++;
    return num < 0 ? -q : q;
}

/* Completion of integers in hundredths (A / 100 made against T / 100), exactly: the rate is
 * (A − T + |T|) / |T| when higher is better, (T − A + |T|) / |T| when lower is. */
static engine_points ref_completion(engine_points wu, int higher, int64_t a, int64_t t, int floor_bp, int cap_bp)
{
    int64_t den = t < 0 ? -t : t, num = higher ? a - t + den : t - a + den;
    if (num * ENGINE_BP_SCALE <= (int64_t)floor_bp * den)
        return ratio_round(wu * floor_bp, ENGINE_BP_SCALE);
    if (num * ENGINE_BP_SCALE >= (int64_t)cap_bp * den)
        return ratio_round(wu * cap_bp, ENGINE_BP_SCALE);
    return ratio_round(wu * num, den);
}

/* Efficacy of integers in hundredths, exactly: share = (b·(S−U) + (X−U)·(100−b)) / (100·(S−U))
 * with the base b in whole percent, clamped to [0, 1]. */
static engine_points ref_efficacy(engine_points wu, int64_t base_pct, int64_t x, int64_t s, int64_t u)
{
    int64_t num = base_pct * (s - u) + (x - u) * (100 - base_pct), den = 100 * (s - u);
    if (den < 0) {
        num = -num;
        den = -den;
    }
    if (num <= 0)
        return 0;
    if (num >= den)
        return wu;
    return ratio_round(wu * num, den);
}

static void test_randomized_methods_against_exact_fractions(void **state)
{
    char params[128];
    (void)state;
    for (int iter = 0; iter < 20000; iter++) {
        int higher = (int)rand_in(0, 1);
        int64_t w = rand_in(1, 10000);              /* weight in hundredths of a point */
        engine_points wu = w * 100, got, want;
        engine_method m;
        engine_item_input in = { .rank = 1, .present = 1, .has_target = 1 };
        engine_item_group g = { 0 };
        int kind = (int)rand_in(0, 2);
        if (kind == 0) {
            int floor_bp = (int)rand_in(0, 100) * (int)rand_in(0, 1) * 50;
            int cap_bp = 10000 + (int)rand_in(0, 50) * 100 * (int)rand_in(0, 1);
            int64_t t = rand_in(-200000, 200000), a = rand_in(-300000, 300000);
            if (t == 0)
                t = 1;
            snprintf(params, sizeof params, "floor=%d.%02d;cap=%d.%02d", floor_bp / 100, floor_bp % 100,
                     cap_bp / 100, cap_bp % 100);
            assert_int_equal(engine_method_parse(METHOD_COMPLETION, (double)w / 100, higher, params, &m), 0);
            in.value = (double)a / 100;
            in.target = (double)t / 100;
            want = ref_completion(wu, higher, a, t, floor_bp, cap_bp);
        } else {
            int64_t base = rand_in(0, 100), s = rand_in(-50000, 50000), u = s + rand_in(1, 1000);
            int64_t x = rand_in(u - 2000, u + 2000);
            if (kind == 2) { /* fixed bounds */
                int64_t best = higher ? u : s, worst = higher ? s : u;
                snprintf(params, sizeof params, "base=%d;satisfactory=%.2f;unallowed=%.2f", (int)base,
                         (double)best / 100, (double)worst / 100);
                assert_int_equal(engine_method_parse(METHOD_EFFICACY, (double)w / 100, higher, params, &m), 0);
                want = ref_efficacy(wu, base, x, best, worst);
            } else { /* the group's best and worst */
                snprintf(params, sizeof params, "base=%d", (int)base);
                assert_int_equal(engine_method_parse(METHOD_EFFICACY, (double)w / 100, higher, params, &m), 0);
                g.best = (double)(higher ? u : s) / 100;
                g.worst = (double)(higher ? s : u) / 100;
                g.nranked = 2;
                want = ref_efficacy(wu, base, x, higher ? u : s, higher ? s : u);
            }
            in.value = (double)x / 100;
        }
        assert_int_equal(engine_score_item(&m, &in, &g, &got, NULL), 0);
        if (got != want)
            fail_msg("iteration %d (%s, %s, weight %.2f, value %.17g, target %.17g, group %g..%g): %lld, "
                     "expected %lld",
                     iter, params, higher ? "higher" : "lower", (double)w / 100, in.value, in.target, g.worst,
                     g.best, (long long)got, (long long)want);
    }
}

static void test_randomized_rank_method(void **state)
{
    char params[512];
    (void)state;
    for (int iter = 0; iter < 3000; iter++) {
        int64_t w = rand_in(0, 100000);
        int rank = (int)rand_in(0, 40), floor_pct = (int)rand_in(0, 30), ntable = (int)rand_in(0, 8);
        int table[8] = { 0 }, share;
        size_t n;
        engine_method m;
        engine_item_input in = at_rank(rank);
        engine_points got, want;
        n = (size_t)snprintf(params, sizeof params, "floor=%d", floor_pct);
        if (ntable > 0) {
            n += (size_t)snprintf(params + n, sizeof params - n, ";table=");
            for (int i = 0; i < ntable; i++) {
                table[i] = i == 0 ? (int)rand_in(floor_pct, 100) * 100 : table[i - 1] - (int)rand_in(0, 300);
                if (table[i] < 0)
                    table[i] = 0;
                n += (size_t)snprintf(params + n, sizeof params - n, "%s%d.%02d", i ? "," : "", table[i] / 100,
                                      table[i] % 100);
            }
            share = rank <= 0 ? 0 : rank <= ntable ? table[rank - 1] : floor_pct * 100;
        } else {
            int step = (int)rand_in(0, 1000);
            snprintf(params + n, sizeof params - n, ";step=%d.%02d", step / 100, step % 100);
            share = 10000;
            for (int r = 1; r < rank; r++)
                share -= step;
            if (share < floor_pct * 100)
                share = floor_pct * 100;
            if (rank <= 0)
                share = 0;
        }
        assert_int_equal(engine_method_parse(METHOD_RANK, (double)w / 100, 1, params, &m), 0);
        want = ratio_round(w * 100 * share, ENGINE_BP_SCALE);
        assert_int_equal(engine_score_item(&m, &in, NULL, &got, NULL), 0);
        if (got != want)
            fail_msg("'%s' weight %.2f rank %d: %lld, expected %lld", params, (double)w / 100, rank,
                     (long long)got, (long long)want);
    }
}

#define RMAX_UNITS 40
#define RMAX_ITEMS 6
#define RMAX_EVENTS 60
#define RMAX_CATS 5

/* The reference total of one unit: items summed from the last, then per category the
 * events of the unit in a shuffled order, each sign capped on its own. */
static void ref_total(size_t u, const engine_points *items, size_t nitems, const engine_event *ev,
                      const size_t *order, size_t nev, const engine_cap *caps, size_t ncaps, engine_total *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = nitems; i-- > 0;)
        t->items += items[u * nitems + i];
    for (int cat = 0; cat < RMAX_CATS; cat++) {
        engine_points plus = 0, minus = 0, cap_plus = 0, cap_minus = 0;
        for (size_t k = 0; k < nev; k++) {
            const engine_event *e = &ev[order[k]];
            if (e->unit != u || e->category != cat || e->revoked)
                continue;
            if (e->points > 0)
                plus += e->points;
            else
                minus -= e->points;
            t->veto |= e->veto;
        }
        for (size_t c = ncaps; c-- > 0;)
            if (caps[c].category == cat) {
                cap_plus = caps[c].max_bonus;
                cap_minus = caps[c].max_deduction;
            }
        t->bonus += cap_plus > 0 && plus > cap_plus ? cap_plus : plus;
        t->deduction += cap_minus > 0 && minus > cap_minus ? cap_minus : minus;
    }
    t->total = t->bonus - t->deduction + t->items;
}

/* The reference grade: the lowest index whose bound the total reaches, found from the worst
 * band up; band 0 barred by a veto; then the quota by ranks. */
static void ref_grades(const engine_grading *g, engine_total *t, size_t n)
{
    int eligible[RMAX_UNITS] = { 0 }, count = 0, worst_rank = 0;
    for (size_t u = 0; u < n; u++) {
        int band = -1;
        for (int b = g->nbands - 1; b >= 0; b--)
            if (t[u].total >= g->min[b])
                band = b;
        if (band == 0 && t[u].veto)
            band = g->nbands > 1 ? 1 : -1;
        t[u].grade = band;
        if (band == 0 && g->quota > 0 && t[u].rank <= g->quota) {
            eligible[u] = 1;
            count++;
            if (t[u].rank > worst_rank)
                worst_rank = t[u].rank;
        }
    }
    if (g->quota == 0)
        return;
    for (size_t u = 0; u < n; u++)
        if (t[u].grade == 0 && (!eligible[u] || (count > g->quota && t[u].rank == worst_rank)))
            t[u].grade = g->nbands > 1 ? 1 : -1;
}

static void random_grading(const engine_total *t, size_t n, engine_grading *g)
{
    g->nbands = (int)rand_in(1, 4);
    g->quota = rand_in(0, 3) == 0 ? 0 : (int)rand_in(1, (int64_t)n + 1);
    /* bounds taken from the totals themselves, so units land exactly on edges */
    for (int b = 0; b < g->nbands; b++) {
        engine_points edge = rand_in(0, 2) ? t[rand_in(0, (int64_t)n - 1)].total : rand_in(-100000, 1000000);
        g->min[b] = b > 0 && edge >= g->min[b - 1] ? g->min[b - 1] - rand_in(1, 50000) : edge;
    }
}

static void test_randomized_totals_ranks_grades(void **state)
{
    (void)state;
    for (int iter = 0; iter < 3000; iter++) {
        size_t n = (size_t)rand_in(1, RMAX_UNITS), nitems = (size_t)rand_in(0, RMAX_ITEMS);
        size_t nev = (size_t)rand_in(0, RMAX_EVENTS), ncaps = 0, order[RMAX_EVENTS];
        engine_points items[RMAX_UNITS * RMAX_ITEMS];
        engine_event ev[RMAX_EVENTS];
        engine_cap caps[RMAX_CATS];
        engine_total got[RMAX_UNITS], want[RMAX_UNITS];
        engine_grading g;
        int coarse = (int)rand_in(0, 1);
        for (size_t i = 0; i < n * nitems; i++)
            items[i] = coarse ? rand_in(0, 8) * 25000 : rand_in(0, 200000);
        for (int cat = 0; cat < RMAX_CATS; cat++)
            if (rand_in(0, 2) > 0) { /* the others are uncapped */
                caps[ncaps].category = cat;
                caps[ncaps].max_bonus = rand_in(0, 1) ? rand_in(0, 4) * 10000 : 0;
                caps[ncaps++].max_deduction = rand_in(0, 1) ? rand_in(0, 4) * 10000 : 0;
            }
        for (size_t e = 0; e < nev; e++) {
            ev[e].unit = (size_t)rand_in(0, (int64_t)n - 1);
            ev[e].category = (int)rand_in(0, RMAX_CATS - 1);
            ev[e].points = rand_in(-4, 4) * (coarse ? 5000 : rand_in(1, 9999));
            ev[e].veto = rand_in(0, 15) == 0;
            ev[e].revoked = rand_in(0, 6) == 0;
            order[e] = e;
        }
        for (size_t e = nev; e > 1; e--) { /* shuffle the reference's order of events */
            size_t j = (size_t)rand_in(0, (int64_t)e - 1), tmp = order[e - 1];
            order[e - 1] = order[j];
            order[j] = tmp;
        }
        assert_int_equal(engine_totals(items, n, nitems, ev, nev, caps, ncaps, got), 0);
        for (size_t u = 0; u < n; u++)
            ref_total(u, items, nitems, ev, order, nev, caps, ncaps, &want[u]);
        for (size_t u = 0; u < n; u++) {
            int better = 0;
            for (size_t v = 0; v < n; v++)
                better += want[v].total > want[u].total;
            want[u].rank = better + 1;
            if (got[u].items != want[u].items || got[u].bonus != want[u].bonus ||
                got[u].deduction != want[u].deduction || got[u].total != want[u].total ||
                got[u].veto != want[u].veto || got[u].rank != want[u].rank || got[u].grade != -1)
                fail_msg("iteration %d unit %zu: total %lld (+%lld −%lld) rank %d veto %d, expected %lld "
                         "(+%lld −%lld) rank %d veto %d",
                         iter, u, (long long)got[u].total, (long long)got[u].bonus, (long long)got[u].deduction,
                         got[u].rank, got[u].veto, (long long)want[u].total, (long long)want[u].bonus,
                         (long long)want[u].deduction, want[u].rank, want[u].veto);
        }
        random_grading(want, n, &g);
        assert_int_equal(engine_grade(&g, got, n), 0);
        ref_grades(&g, want, n);
        for (size_t u = 0; u < n; u++)
            if (got[u].grade != want[u].grade)
                fail_msg("iteration %d unit %zu (total %lld rank %d veto %d, quota %d): grade %d, expected %d",
                         iter, u, (long long)want[u].total, want[u].rank, want[u].veto, g.quota, got[u].grade,
                         want[u].grade);
    }
}

/* ---- data-driven cases: tests/cases/score/NAME/{input,expected}.json ---- */

#define CASE_UNITS 64

typedef struct score_case {
    const char *name;
    json_t *in, *want;
    size_t n;
    const char *unit[CASE_UNITS];
    engine_item_input input[CASE_UNITS];
    engine_points score[CASE_UNITS];
    engine_explain why[CASE_UNITS];
    engine_event ev[CASE_UNITS];
    size_t nev;
    engine_cap caps[8];
    size_t ncaps;
    engine_grading grading;
    const char *band_name[8];
    int graded;
    engine_total total[CASE_UNITS];
} score_case;

static size_t unit_index(const score_case *c, const char *name)
{
    for (size_t u = 0; u < c->n; u++)
        if (name && strcmp(c->unit[u], name) == 0)
            return u;
    fail_msg("case %s: unknown unit '%s'", c->name, name ? name : "(none)");
    return 0;
}

static int category_of(const score_case *c, json_t *v)
{
    int cat;
    if (!json_is_integer(v) && !json_is_string(v))
        fail_msg("case %s: a category is a key or a number", c->name);
    cat = json_is_integer(v) ? (int)json_integer_value(v)
                                 : model_enum_find(model_categories, CAT_N, json_string_value(v));
    if (!json_is_integer(v) && cat < 0)
        fail_msg("case %s: unknown category", c->name);
    return cat;
}

static void read_units(score_case *c)
{
    json_t *units = json_object_get(c->in, "units");
    size_t i;
    assert_true(json_is_array(units));
    c->n = json_array_size(units);
    assert_true(c->n <= CASE_UNITS);
    for (i = 0; i < c->n; i++) {
        json_t *u = json_array_get(units, i), *v;
        engine_item_input *in = &c->input[i];
        c->unit[i] = json_string_value(json_object_get(u, "name"));
        if (!c->unit[i])
            fail_msg("case %s: unit %zu has no name", c->name, i);
        in->rank = (int)json_integer_value(json_object_get(u, "rank"));
        if ((v = json_object_get(u, "value")) && !json_is_null(v)) {
            in->present = 1;
            in->value = json_number_value(v);
        }
        if ((v = json_object_get(u, "target")) && !json_is_null(v)) {
            in->has_target = 1;
            in->target = json_number_value(v);
        }
        if ((v = json_object_get(u, "manual")) && !json_is_null(v)) {
            in->has_manual = 1;
            in->manual = json_number_value(v);
        }
    }
}

static void read_events_and_caps(score_case *c)
{
    json_t *list = json_object_get(c->in, "events");
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *e = json_array_get(list, i);
        engine_event *ev;
        assert_true(c->nev < CASE_UNITS);
        ev = &c->ev[c->nev++];
        ev->unit = unit_index(c, json_string_value(json_object_get(e, "unit")));
        ev->category = category_of(c, json_object_get(e, "category"));
        ev->points = json_object_get(e, "points") ? test_json_points(c->name, json_object_get(e, "points"), "points") : 0;
        ev->veto = json_is_true(json_object_get(e, "veto"));
        ev->revoked = json_is_true(json_object_get(e, "revoked"));
    }
    list = json_object_get(c->in, "caps");
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *e = json_array_get(list, i);
        engine_cap *cap;
        assert_true(c->ncaps < 8);
        cap = &c->caps[c->ncaps++];
        cap->category = category_of(c, json_object_get(e, "category"));
        cap->max_bonus = json_object_get(e, "max_bonus") ? test_json_points(c->name, json_object_get(e, "max_bonus"), "max_bonus") : 0;
        cap->max_deduction =
            json_object_get(e, "max_deduction") ? test_json_points(c->name, json_object_get(e, "max_deduction"), "max_deduction") : 0;
    }
}

static void read_grading(score_case *c)
{
    json_t *gr = json_object_get(c->in, "grading"), *bands = json_object_get(gr, "bands");
    if (!gr)
        return;
    c->graded = 1;
    c->grading.nbands = (int)json_array_size(bands);
    assert_true(c->grading.nbands >= 1 && c->grading.nbands <= 8);
    c->grading.quota = (int)json_integer_value(json_object_get(gr, "quota"));
    for (size_t i = 0; i < json_array_size(bands); i++) {
        json_t *b = json_array_get(bands, i);
        c->band_name[i] = json_string_value(json_object_get(b, "name"));
        c->grading.min[i] = test_json_points(c->name, json_object_get(b, "min"), "band min");
    }
}

/* The group's best and worst present values, for efficacy with group bounds. */
static engine_item_group group_of(const score_case *c, int higher)
{
    engine_item_group g = { 0 };
    for (size_t u = 0; u < c->n; u++) {
        double v = c->input[u].value;
        if (!c->input[u].present)
            continue;
        if (g.nranked++ == 0 || (higher ? v > g.best : v < g.best))
            g.best = v;
        if (g.nranked == 1 || (higher ? v < g.worst : v > g.worst))
            g.worst = v;
    }
    return g;
}

/* Expects what the case's expected.json says about unit u. */
static void check_unit(const score_case *c, json_t *w)
{
    size_t u = unit_index(c, json_string_value(json_object_get(w, "name")));
    json_t *grade = json_object_get(w, "grade"), *formula = json_object_get(w, "formula"), *veto;
    const engine_total *t = &c->total[u];
    char got[32];
    engine_points_format(c->score[u], 4, got, sizeof got);
    if (c->score[u] != test_json_points(c->name, json_object_get(w, "score"), "score"))
        fail_msg("case %s, unit %s: score %s, expected %s (%s)", c->name, c->unit[u], got,
                 json_string_value(json_object_get(w, "score")), c->why[u].formula);
    engine_points_format(t->total, 4, got, sizeof got);
    if (t->total != test_json_points(c->name, json_object_get(w, "total"), "total"))
        fail_msg("case %s, unit %s: total %s, expected %s", c->name, c->unit[u], got,
                 json_string_value(json_object_get(w, "total")));
    if (t->rank != (int)json_integer_value(json_object_get(w, "rank")))
        fail_msg("case %s, unit %s: rank %d, expected %d", c->name, c->unit[u], t->rank,
                 (int)json_integer_value(json_object_get(w, "rank")));
    if ((veto = json_object_get(w, "veto")) && json_is_true(veto) != t->veto)
        fail_msg("case %s, unit %s: veto %d", c->name, c->unit[u], t->veto);
    if (formula && strcmp(json_string_value(formula), c->why[u].formula) != 0)
        fail_msg("case %s, unit %s: formula '%s', expected '%s'", c->name, c->unit[u], c->why[u].formula,
                 json_string_value(formula));
    if (!c->graded || !grade || json_is_null(grade)) {
        if (t->grade != -1)
            fail_msg("case %s, unit %s: grade %s, expected none", c->name, c->unit[u],
                     c->graded ? c->band_name[t->grade] : "(not graded)");
        return;
    }
    if (t->grade < 0 || strcmp(c->band_name[t->grade], json_string_value(grade)) != 0)
        fail_msg("case %s, unit %s: grade %s, expected %s", c->name, c->unit[u],
                 t->grade < 0 ? "none" : c->band_name[t->grade], json_string_value(grade));
}

/* Parses the case's method; returns 1 when the case expects the parameters refused. */
static int case_method(score_case *c, engine_method *m)
{
    json_t *err = json_object_get(c->want, "error");
    const char *meth = json_string_value(json_object_get(c->in, "method"));
    const char *dir = json_string_value(json_object_get(c->in, "direction"));
    int mi = meth ? model_enum_find(model_methods, METHOD_N, meth) : -1;
    int higher = dir ? model_enum_find(model_directions, DIR_N, dir) == DIR_HIGHER : 1;
    int rc;
    if (mi < 0)
        fail_msg("case %s: unknown method '%s'", c->name, meth ? meth : "(none)");
    rc = engine_method_parse(mi, json_number_value(json_object_get(c->in, "weight")), higher,
                             json_string_value(json_object_get(c->in, "params")), m);
    if (err) {
        if (rc != ERR_DATA || !strstr(err_msg(), json_string_value(err)))
            fail_msg("case %s: expected the parameters refused naming '%s' (rc %d, '%s')", c->name,
                     json_string_value(err), rc, err_msg());
        return 1;
    }
    if (rc != 0)
        fail_msg("case %s: %s", c->name, err_msg());
    return 0;
}

static void run_case(score_case *c)
{
    engine_method m;
    engine_item_group g;
    json_t *why = json_object_get(c->want, "why"), *units = json_object_get(c->want, "units");
    if (!(json_is_string(why) && json_string_length(why) > 0) && !(json_is_array(why) && json_array_size(why) > 0))
        fail_msg("case %s: expected.json must say why in a \"why\" field", c->name);
    if (case_method(c, &m))
        return;
    read_units(c);
    read_events_and_caps(c);
    read_grading(c);
    g = group_of(c, m.higher_better);
    for (size_t u = 0; u < c->n; u++)
        if (engine_score_item(&m, &c->input[u], &g, &c->score[u], &c->why[u]) != 0)
            fail_msg("case %s, unit %s: %s", c->name, c->unit[u], err_msg());
    if (engine_totals(c->score, c->n, 1, c->ev, c->nev, c->caps, c->ncaps, c->total) != 0)
        fail_msg("case %s: totals: %s", c->name, err_msg());
    if (c->graded && engine_grade(&c->grading, c->total, c->n) != 0)
        fail_msg("case %s: grades: %s", c->name, err_msg());
    if (json_array_size(units) != c->n)
        fail_msg("case %s: expected.json must list every unit", c->name);
    for (size_t i = 0; i < c->n; i++)
        check_unit(c, json_array_get(units, i));
}

/* One case directory: run it as the hand-worked expectation says. */
static void one_case(const char *name, json_t *in, json_t *want, void *ctx)
{
    score_case *c = calloc(1, sizeof *c);
    (void)ctx;
    assert_non_null(c);
    c->name = name;
    c->in = in;
    c->want = want;
    run_case(c);
    free(c);
}

static void test_data_cases(void **state)
{
    (void)state;
    assert_true(test_cases_each(test_data_path("cases/score"), one_case, NULL) >= 6);
}

static void test_grading_parse(void **state)
{
    engine_grading g;
    char names[8][ENGINE_GRADE_NAME_MAX];
    (void)state;
    assert_int_equal(engine_grading_parse("优秀>=90；良好>=80;一般>=60;较差;quota=3", &g, names), 0);
    assert_int_equal(g.nbands, 4);
    assert_string_equal(names[0], "优秀");
    assert_string_equal(names[1], "良好");
    assert_string_equal(names[3], "较差");
    assert_true(g.min[0] == 900000 && g.min[2] == 600000 && g.min[3] == INT64_MIN);
    assert_int_equal(g.quota, 3);
    assert_int_equal(engine_grading_parse("优秀>=90;名额=2", &g, names), 0);
    assert_int_equal(g.quota, 2);
    assert_int_equal(engine_grading_parse("优秀>=80;良好>=90", &g, names), ERR_DATA); /* not decreasing */
    assert_int_equal(engine_grading_parse("较差;优秀>=90", &g, names), ERR_DATA); /* after the catch-all */
    assert_int_equal(engine_grading_parse("优秀>=九十", &g, names), ERR_DATA);
    assert_int_equal(engine_grading_parse("", &g, names), ERR_DATA);
    assert_int_equal(engine_grading_parse("quota=x;优秀>=1", &g, names), ERR_DATA);
}

static void test_item_group_of(void **state)
{
    const double v[] = { 3, 9, NAN, 1, 7 };
    const unsigned char present[] = { 1, 1, 1, 0, 1 };
    engine_item_group g;
    (void)state;
    g = engine_item_group_of(v, present, 5, 1);
    assert_int_equal(g.nranked, 3);
    assert_true(g.best == 9 && g.worst == 3);
    g = engine_item_group_of(v, present, 5, 0);
    assert_true(g.best == 3 && g.worst == 9);
    g = engine_item_group_of(v, NULL, 0, 1);
    assert_int_equal(g.nranked, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grading_parse),
        cmocka_unit_test(test_item_group_of),
        cmocka_unit_test(test_points_and_format),
        cmocka_unit_test(test_parse_defaults),
        cmocka_unit_test(test_parse_percentages_exactly),
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_parse_refusals),
        cmocka_unit_test(test_scheme_check),
        cmocka_unit_test(test_rank_step),
        cmocka_unit_test(test_rank_table),
        cmocka_unit_test(test_completion_higher),
        cmocka_unit_test(test_completion_zero_and_negative_targets),
        cmocka_unit_test(test_completion_lower_is_better),
        cmocka_unit_test(test_efficacy_fixed_bounds),
        cmocka_unit_test(test_efficacy_group_bounds),
        cmocka_unit_test(test_efficacy_all_equal_and_one_competitor),
        cmocka_unit_test(test_threshold),
        cmocka_unit_test(test_manual),
        cmocka_unit_test(test_explain_inputs),
        cmocka_unit_test(test_totals_caps_and_revoked),
        cmocka_unit_test(test_totals_veto_ties_and_errors),
        cmocka_unit_test(test_totals_refuse_inexact_sums),
        cmocka_unit_test(test_grade_band_edges),
        cmocka_unit_test(test_grade_veto_on_the_top_scorer),
        cmocka_unit_test(test_grade_quota_tie_at_the_cut),
        cmocka_unit_test(test_grade_quota_with_veto),
        cmocka_unit_test(test_grade_refusals),
        cmocka_unit_test(test_streaks),
        cmocka_unit_test(test_randomized_methods_against_exact_fractions),
        cmocka_unit_test(test_randomized_rank_method),
        cmocka_unit_test(test_randomized_totals_ranks_grades),
        cmocka_unit_test(test_data_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
