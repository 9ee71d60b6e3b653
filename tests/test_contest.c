/* test_contest: the race's rules by hand-worked cases (points tables, shared points at the top
 * and the bottom, judges' scores, blending, the red flag under each tie rule, awards, records),
 * randomized checks of judges' means and of the year ledger against slow references, and the
 * data-driven cases in tests/cases/contest/NAME/{input,expected}.json. */
#include "engine/contest.h"
#include "engine/rank.h"
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

static engine_points_table table(const char *text)
{
    engine_points_table t;
    if (engine_points_table_parse(text, &t) != 0)
        fail_msg("points table '%s': %s", text, err_msg());
    return t;
}

/* Expects the table refused with a message naming `names`. */
static void table_refused(const char *text, const char *names)
{
    engine_points_table t;
    int rc = engine_points_table_parse(text, &t);
    if (rc != ERR_DATA)
        fail_msg("points table '%s': %d, expected ERR_DATA", text, rc);
    if (!strstr(err_msg(), names))
        fail_msg("points table '%s': message '%s' does not name '%s'", text, err_msg(), names);
}

/* Ranks values (higher is better, compared exactly); present may be NULL. */
static void rank_values(const double *v, const unsigned char *present, size_t n, engine_ranked *out)
{
    engine_rank_ws ws = { 0 };
    assert_int_equal(engine_rank_group(v, present, n, 1, ENGINE_PRECISION_EXACT, &ws, out, NULL), 0);
    engine_rank_ws_free(&ws);
}

/* The points of each ranked unit under a table, checked against decimal literals. */
static void expect_points(const char *text, const double *v, const unsigned char *present, size_t n,
                          const char *const *want)
{
    engine_points_table t = table(text);
    engine_ranked r[16];
    assert_true(n <= 16);
    rank_values(v, present, n, r);
    for (size_t i = 0; i < n; i++) {
        engine_points got = engine_contest_points(&t, &r[i]);
        if (got != pts(want[i]))
            fail_msg("'%s', unit %zu (rank %d, %d worse): %lld units, expected %s", text, i, r[i].rank, r[i].worse,
                     (long long)got, want[i]);
    }
}

static void expect_judges(const double *s, size_t n, int drop, const char *want, const char *formula)
{
    engine_points p = -1, q = -2;
    engine_explain why;
    char got[32];
    if (engine_judges_score(s, n, drop, &p, &why) != 0)
        fail_msg("judges: %s", err_msg());
    engine_points_format(p, 4, got, sizeof got);
    if (p != pts(want))
        fail_msg("judges' score %s, expected %s (%s)", got, want, why.formula);
    assert_int_equal(why.result, p);
    assert_int_equal(why.method, METHOD_MANUAL);
    if (formula && strcmp(why.formula, formula) != 0)
        fail_msg("formula '%s', expected '%s'", why.formula, formula);
    assert_int_equal(engine_judges_score(s, n, drop, &q, NULL), 0);
    assert_int_equal(q, p);
}

static double input_of(const engine_explain *why, const char *name)
{
    for (int i = 0; i < why->ninputs; i++)
        if (strcmp(why->input_name[i], name) == 0)
            return why->input[i];
    fail_msg("no input '%s' in the explanation", name);
    return NAN;
}

static int has_input(const engine_explain *why, const char *name)
{
    for (int i = 0; i < why->ninputs; i++)
        if (strcmp(why->input_name[i], name) == 0)
            return 1;
    return 0;
}

/* Checks winner[] against a string of '0'/'1' per unit. */
static void expect_winners(const unsigned char *winner, size_t n, const char *want, const char *what)
{
    assert_int_equal(strlen(want), n);
    for (size_t i = 0; i < n; i++)
        if (winner[i] != (want[i] == '1'))
            fail_msg("%s: unit %zu is %s, expected %s", what, i, winner[i] ? "a winner" : "not a winner",
                     want[i] == '1' ? "a winner" : "not");
}

/* ---- points tables ---- */

static void test_table_parse(void **state)
{
    engine_points_table t;
    (void)state;
    t = table("top=3,2,1;bottom=-3,-2,-1");
    assert_int_equal(t.ntop, 3);
    assert_int_equal(t.nbottom, 3);
    assert_true(t.top[0] == 30000 && t.top[1] == 20000 && t.top[2] == 10000);
    assert_true(t.bottom[0] == -30000 && t.bottom[1] == -20000 && t.bottom[2] == -10000);
    t = table("  top = 5 , 3.5 ,3 ; ");
    assert_int_equal(t.ntop, 3);
    assert_int_equal(t.nbottom, 0);
    assert_int_equal(t.top[1], 35000);
    t = table("bottom=-2");
    assert_int_equal(t.ntop, 0);
    assert_int_equal(t.nbottom, 1);
    assert_int_equal(t.bottom[0], -20000);
    t = table("bottom=-2.5,-1; top=+1.0001,0.0001");
    assert_true(t.ntop == 2 && t.top[0] == 10001 && t.top[1] == 1);
    assert_true(t.nbottom == 2 && t.bottom[0] == -25000 && t.bottom[1] == -10000);
    t = table("top＝3，2；bottom＝-1");
    assert_true(t.ntop == 2 && t.top[1] == 20000 && t.nbottom == 1 && t.bottom[0] == -10000);
    t = table("top=2,2,1;bottom=-1,-1");
    assert_true(t.ntop == 3 && t.nbottom == 2); /* equal neighbours are allowed */
    t = table("top=1.50000");
    assert_int_equal(t.top[0], 15000); /* zeros past the fourth decimal change nothing */
    t = table("");
    assert_true(t.ntop == 0 && t.nbottom == 0);
    t = table(" ; ");
    assert_true(t.ntop == 0 && t.nbottom == 0);
    assert_int_equal(engine_points_table_parse(NULL, &t), 0);
    assert_true(t.ntop == 0 && t.nbottom == 0);
}

static void test_table_limits(void **state)
{
    char text[256];
    size_t n = 0;
    engine_points_table t;
    (void)state;
    n += (size_t)snprintf(text + n, sizeof text - n, "top=");
    for (int i = 0; i < ENGINE_POINTS_TABLE_MAX; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s%d", i ? "," : "", 100 - i);
    t = table(text);
    assert_int_equal(t.ntop, ENGINE_POINTS_TABLE_MAX);
    assert_int_equal(t.top[ENGINE_POINTS_TABLE_MAX - 1], (100 - ENGINE_POINTS_TABLE_MAX + 1) * 10000);
    snprintf(text + n, sizeof text - n, ",1");
    table_refused(text, "points: top: more than");
    n = (size_t)snprintf(text, sizeof text, "bottom=");
    for (int i = 0; i <= ENGINE_POINTS_TABLE_MAX; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s%d", i ? "," : "", i - 20);
    table_refused(text, "points: bottom: more than");
}

static void test_table_refusals(void **state)
{
    (void)state;
    table_refused("top=3,2,1;middle=1", "unknown key 'middle'");
    table_refused("Top=3", "unknown key 'Top'");
    table_refused("top=3,x", "points: top");
    table_refused("bottom=-1,abc", "points: bottom");
    table_refused("top=1,2", "points: top");
    table_refused("bottom=-1,-2", "points: bottom");
    table_refused("top=1;top=2", "points: top");
    table_refused("top=1.00001", "points: top");
    table_refused("top=", "points: top");
    table_refused("bottom=", "points: bottom");
    table_refused("top=3,,1", "points: top");
    table_refused("top=3,2,", "points: top");
    table_refused("top", "'top' is not");
    table_refused("bottom=1e3", "points: bottom");
    table_refused("top=inf", "points: top");
    table_refused("top=0x10", "points: top");
    table_refused("top=.5", "points: top");
    table_refused("top=5.", "points: top");
    table_refused("top=1 2", "points: top");
    table_refused("top=2000000000000", "points: top");
}

/* ---- rank to points ---- */

static void test_points_ties_share_top_and_bottom(void **state)
{
    /* ranks 1, 1, 3, 4, 5, 6, 6; strictly worse: 5, 5, 4, 3, 2, 0, 0 */
    const double v[] = { 10, 10, 8, 5, 3, 1, 1 };
    const char *const want[] = { "3", "3", "1", "0", "-1", "-3", "-3" };
    /* a tie across the end of the top list: 2nd place's points for all three */
    const double v2[] = { 10, 9, 9, 9, 1 };
    const char *const want2[] = { "3", "2", "2", "2", "-3" };
    /* a tie before the last place takes the bottom entry of its count of units below */
    const double v3[] = { 10, 9, 8, 7, 5, 5, 1 };
    const char *const want3[] = { "3", "2", "1", "0", "-2", "-2", "-3" };
    (void)state;
    expect_points("top=3,2,1;bottom=-3,-2,-1", v, NULL, 7, want);
    expect_points("top=3,2,1;bottom=-3", v2, NULL, 5, want2);
    expect_points("top=3,2,1;bottom=-3,-2,-1", v3, NULL, 7, want3);
}

static void test_points_small_group_top_wins(void **state)
{
    const double three[] = { 9, 5, 1 };
    const char *const want3[] = { "3", "2", "1" };
    const double four[] = { 9, 5, 3, 1 };
    const char *const want4[] = { "3", "2", "1", "-3" };
    const double five[] = { 9, 7, 5, 3, 1 };
    const char *const want5[] = { "3", "2", "1", "-2", "-3" };
    const double tied_middle[] = { 9, 5, 5, 1 };
    const char *const want_tm[] = { "3", "2", "2", "-3" };
    const double all_tied[] = { 5, 5, 5 };
    const char *const want_at[] = { "3", "3", "3" };
    const double one[] = { 7 };
    const char *const want1[] = { "3" };
    (void)state;
    expect_points("top=3,2,1;bottom=-3,-2,-1", three, NULL, 3, want3);
    expect_points("top=3,2,1;bottom=-3,-2,-1", four, NULL, 4, want4);
    expect_points("top=3,2,1;bottom=-3,-2", five, NULL, 5, want5);
    expect_points("top=3,2;bottom=-3,-2", tied_middle, NULL, 4, want_tm);
    expect_points("top=3,2,1;bottom=-3,-2,-1", all_tied, NULL, 3, want_at);
    expect_points("top=3;bottom=-3", one, NULL, 1, want1);
}

static void test_points_unranked_and_empty_lists(void **state)
{
    const double v[] = { 9, 5, 1, 0 };
    const unsigned char present[] = { 1, 1, 1, 0 };
    const char *const want[] = { "2", "0", "-2", "0" }; /* the missing unit is never last */
    const char *const none[] = { "0", "0", "0", "0" };
    const char *const bottom_only[] = { "0", "-1", "-2", "0" };
    engine_ranked unranked = { 0, 0, 0, -1, -1 };
    engine_points_table t = table("top=3;bottom=-3");
    (void)state;
    expect_points("top=2;bottom=-2", v, present, 4, want);
    expect_points("", v, present, 4, none);
    expect_points("bottom=-2,-1", v, present, 4, bottom_only);
    assert_int_equal(engine_contest_points(&t, &unranked), 0);
}

/* ---- judges' scores ---- */

static void test_judges_mean(void **state)
{
    const double s[] = { 92, 88, 90 };
    const double third[] = { 92, 88, 91 };
    const double one[] = { 77.5 };
    engine_explain why;
    engine_points p;
    (void)state;
    expect_judges(s, 3, 0, "90", "(92 + 88 + 90) / 3 = 90");
    expect_judges(third, 3, 0, "90.3333", "(92 + 88 + 91) / 3 ≈ 90.3333");
    expect_judges(one, 1, 0, "77.5", "(77.5) / 1 = 77.5");
    assert_int_equal(engine_judges_score(s, 3, 0, &p, &why), 0);
    assert_int_equal((int)input_of(&why, "judges"), 3);
    assert_int_equal((int)input_of(&why, "counted"), 3);
    assert_false(has_input(&why, "highest"));
}

static void test_judges_drop_extremes(void **state)
{
    const double s[] = { 95, 92, 88, 90, 70 };
    const double repeated[] = { 90, 80, 90, 80, 90 };
    const double equal[] = { 85, 85, 85 };
    const double neg[] = { -5, 10, 0.5 };
    engine_explain why;
    engine_points p;
    (void)state;
    expect_judges(s, 5, 1, "90", "(95 + 92 + 88 + 90 + 70 − 95 − 70) / 3 = 90");
    expect_judges(s, 5, 0, "87", "(95 + 92 + 88 + 90 + 70) / 5 = 87");
    /* exactly one highest and one lowest go, not every copy of them: (90 + 80 + 90) / 3 */
    expect_judges(repeated, 5, 1, "86.6667", "(90 + 80 + 90 + 80 + 90 − 90 − 80) / 3 ≈ 86.6667");
    expect_judges(equal, 3, 1, "85", "(85 + 85 + 85 − 85 − 85) / 1 = 85");
    expect_judges(neg, 3, 1, "0.5", "(-5 + 10 + 0.5 − 10 − (-5)) / 1 = 0.5");
    assert_int_equal(engine_judges_score(s, 5, 1, &p, &why), 0);
    assert_int_equal((int)input_of(&why, "judges"), 5);
    assert_int_equal((int)input_of(&why, "counted"), 3);
    assert_true(input_of(&why, "highest") == 95 && input_of(&why, "lowest") == 70);
}

static void test_judges_too_few_to_drop(void **state)
{
    const double two[] = { 92, 88 };
    const double one[] = { 60 };
    engine_explain why;
    engine_points p;
    (void)state;
    expect_judges(two, 2, 1, "90", "(92 + 88) / 2 = 90 (fewer than 3 scores: none dropped)");
    expect_judges(one, 1, 1, "60", "(60) / 1 = 60 (fewer than 3 scores: none dropped)");
    expect_judges(two, 2, 0, "90", "(92 + 88) / 2 = 90");
    assert_int_equal(engine_judges_score(two, 2, 1, &p, &why), 0);
    assert_int_equal((int)input_of(&why, "counted"), 2);
    assert_false(has_input(&why, "lowest"));
}

static void test_judges_as_written(void **state)
{
    /* exact halves as written; summed and divided as doubles, h and i fall a hair short */
    const double a[] = { 90.0001, 90.0002 }; /* 90.00015 → 90.0002 */
    const double h[] = { 92.14977, 88.93113 }; /* 90.54045 → 90.5405 */
    const double i[] = { 0.00015 };
    const double b[] = { 90.00005 };
    const double c[] = { -1.00005, -1.00005, -1.00005 };
    const double d[] = { 0.1, 0.2 };
    const double e[] = { 0.00004999, 0.00005001 }; /* mean 0.00005: half a unit */
    const double f[] = { 0.00004999, 0.00005 };    /* mean 0.000049995: below the half */
    const double g[] = { 1e12, -1e12, 0.00005 };
    (void)state;
    expect_judges(a, 2, 0, "90.0002", "(90.0001 + 90.0002) / 2 ≈ 90.0002");
    expect_judges(b, 1, 0, "90.0001", "(90.00005) / 1 ≈ 90.0001");
    expect_judges(c, 3, 0, "-1.0001", NULL);
    expect_judges(d, 2, 0, "0.15", "(0.1 + 0.2) / 2 = 0.15");
    expect_judges(e, 2, 0, "0.0001", NULL);
    expect_judges(f, 2, 0, "0", NULL);
    expect_judges(g, 3, 1, "0.0001", NULL);
    expect_judges(h, 2, 0, "90.5405", "(92.14977 + 88.93113) / 2 ≈ 90.5405");
    expect_judges(i, 1, 0, "0.0002", "(0.00015) / 1 ≈ 0.0002");
}

static void test_judges_refusals(void **state)
{
    const double nan_score[] = { 90, NAN, 80 };
    const double inf_score[] = { INFINITY };
    const double huge[] = { 2e12 };
    const double s[] = { 90 };
    engine_points p = 42;
    (void)state;
    assert_int_equal(engine_judges_score(s, 0, 0, &p, NULL), ERR_DATA);
    assert_int_equal(engine_judges_score(nan_score, 3, 1, &p, NULL), ERR_DATA);
    assert_non_null(strstr(err_msg(), "score 2"));
    assert_int_equal(engine_judges_score(inf_score, 1, 0, &p, NULL), ERR_DATA);
    assert_int_equal(engine_judges_score(huge, 1, 0, &p, NULL), ERR_DATA);
    assert_int_equal(p, 42); /* untouched on a refusal */
}

static void test_judges_long_formula(void **state)
{
    double s[60];
    engine_explain why;
    engine_points p;
    (void)state;
    for (int i = 0; i < 60; i++)
        s[i] = 80 + (i % 7) + 0.125;
    assert_int_equal(engine_judges_score(s, 60, 1, &p, &why), 0);
    /* too many to list: the exact sum stands in for them */
    assert_string_equal(why.formula, "(sum of 60 scores 4981.5 − 86.125 − 80.125) / 58 ≈ 83.0216");
    assert_int_equal(p, pts("83.0216")); /* 4815.25 / 58 = 83.02155… */
}

/* ---- blending ---- */

static void test_blend(void **state)
{
    int has = -1;
    const engine_points big = (engine_points)1 << 53;
    (void)state;
    assert_int_equal(engine_contest_score(pts("80"), 1, pts("90"), 1, 6000, 4000, &has), pts("84"));
    assert_int_equal(has, 1);
    /* one rounding: each half is 0.5 unit, rounding them apart would give 2 */
    assert_int_equal(engine_contest_score(1, 1, 1, 1, 5000, 5000, &has), 1);
    assert_int_equal(engine_contest_score(1, 1, 0, 1, 5000, 5000, &has), 1);   /* 0.5 → 1 */
    assert_int_equal(engine_contest_score(-1, 1, 0, 1, 5000, 5000, &has), -1); /* −0.5 → −1 */
    assert_int_equal(engine_contest_score(1, 1, 2, 1, 3333, 6667, &has), 2);   /* 1.6667 */
    assert_int_equal(engine_contest_score(-3, 1, 2, 1, 3333, 6667, NULL), 0);  /* 0.3335 */
    assert_int_equal(engine_contest_score(pts("-7"), 1, pts("3"), 1, 2500, 7500, NULL), pts("0.5"));
    assert_int_equal(engine_contest_score(big, 1, big - 2, 1, 5000, 5000, NULL), big - 1);
    assert_int_equal(engine_contest_score(pts("80"), 1, pts("90"), 1, 10000, 0, NULL), pts("80"));
    assert_int_equal(engine_contest_score(pts("80"), 1, pts("90"), 1, 0, 10000, NULL), pts("90"));
}

static void test_blend_one_part_missing(void **state)
{
    int has = -1;
    (void)state;
    assert_int_equal(engine_contest_score(pts("80"), 1, pts("90"), 0, 6000, 4000, &has), pts("80"));
    assert_int_equal(has, 1);
    has = -1;
    assert_int_equal(engine_contest_score(pts("80"), 0, pts("90"), 1, 6000, 4000, &has), pts("90"));
    assert_int_equal(has, 1);
    assert_int_equal(engine_contest_score(pts("80"), 0, pts("90"), 0, 6000, 4000, &has), 0);
    assert_int_equal(has, 0);
    assert_int_equal(engine_contest_score(pts("80"), 0, pts("90"), 0, 6000, 4000, NULL), 0);
}

/* ---- the red flag ---- */

/* Four units, three tied first (A, B, C), D fourth. */
static void three_tied(engine_ranked *r)
{
    const double v[] = { 10, 10, 10, 5 };
    rank_values(v, NULL, 4, r);
}

static void expect_flag(const engine_ranked *r, size_t n, int rule, int holder, const engine_points *judge,
                        int count, const char *want, const char *what)
{
    unsigned char winner[8];
    memset(winner, 1, sizeof winner); /* stale marks must be cleared */
    if (engine_flag_winners(r, n, rule, holder, judge, winner) != count)
        fail_msg("%s: not %d holders", what, count);
    expect_winners(winner, n, want, what);
}

static void test_flag_shared(void **state)
{
    engine_ranked r[4];
    (void)state;
    three_tied(r);
    expect_flag(r, 4, FLAG_TIE_SHARED, -1, NULL, 3, "1110", "shared");
    expect_flag(r, 4, FLAG_TIE_SHARED, 1, NULL, 3, "1110", "shared, holder ignored");
}

static void test_flag_holder(void **state)
{
    engine_ranked r[4];
    (void)state;
    three_tied(r);
    expect_flag(r, 4, FLAG_TIE_HOLDER, 1, NULL, 1, "0100", "holder among the tied keeps it");
    expect_flag(r, 4, FLAG_TIE_HOLDER, 2, NULL, 1, "0010", "holder among the tied keeps it");
    expect_flag(r, 4, FLAG_TIE_HOLDER, 3, NULL, 3, "1110", "holder not among the tied: shared");
    expect_flag(r, 4, FLAG_TIE_HOLDER, -1, NULL, 3, "1110", "no holder: shared");
    expect_flag(r, 4, FLAG_TIE_HOLDER, 9, NULL, 3, "1110", "holder out of range: shared");
}

static void test_flag_judges(void **state)
{
    engine_ranked r[4];
    const engine_points breaks[] = { pts("80"), pts("95"), pts("90"), pts("100") };
    const engine_points two_best[] = { pts("80"), pts("90"), pts("90"), pts("100") };
    const engine_points all_equal[] = { pts("90"), pts("90"), pts("90"), pts("10") };
    const engine_points unjudged[] = { INT64_MIN, pts("70"), INT64_MIN, pts("99") };
    (void)state;
    three_tied(r);
    /* D's 100 does not count: only the tied units compare their judges' scores */
    expect_flag(r, 4, FLAG_TIE_JUDGES, -1, breaks, 1, "0100", "judges break the tie");
    expect_flag(r, 4, FLAG_TIE_JUDGES, -1, two_best, 2, "0110", "judges narrow the tie");
    expect_flag(r, 4, FLAG_TIE_JUDGES, -1, all_equal, 3, "1110", "judges do not break the tie");
    expect_flag(r, 4, FLAG_TIE_JUDGES, -1, unjudged, 1, "0100", "a unit without judges loses");
    expect_flag(r, 4, FLAG_TIE_JUDGES, 0, NULL, 3, "1110", "no judges' scores: shared");
}

static void test_flag_none_and_single_winner(void **state)
{
    engine_ranked r[4], solo[3], nobody[2];
    const double v[] = { 9, 10, 10 };
    const double w[] = { 0, 0 };
    const unsigned char absent[] = { 0, 0 };
    const engine_points judge[] = { pts("100"), pts("1"), pts("1") };
    const double clear[] = { 10, 9, 9 };
    unsigned char winner[4];
    (void)state;
    three_tied(r);
    expect_flag(r, 4, FLAG_TIE_NONE, 0, NULL, 0, "0000", "none: nobody holds a tied flag");
    rank_values(clear, NULL, 3, solo);
    /* one unit first: it holds the flag whatever the tie rule */
    for (int rule = 0; rule < FLAG_TIE_N; rule++)
        expect_flag(solo, 3, rule, 1, judge, 1, "100", "a clear winner");
    rank_values(v, NULL, 3, solo);
    expect_flag(solo, 3, FLAG_TIE_JUDGES, -1, judge, 2, "011", "a judge score outside the tie");
    rank_values(w, absent, 2, nobody);
    expect_flag(nobody, 2, FLAG_TIE_SHARED, -1, NULL, 0, "00", "nobody ranked");
    assert_int_equal(engine_flag_winners(r, 0, FLAG_TIE_SHARED, -1, NULL, winner), 0);
    memset(winner, 1, sizeof winner);
    assert_int_equal(engine_flag_winners(r, 4, FLAG_TIE_N, -1, NULL, winner), ERR_DATA);
    expect_winners(winner, 4, "0000", "unknown tie rule");
}

/* ---- awards ---- */

static void test_awards_ties_at_the_cut(void **state)
{
    const double v[] = { 10, 10, 7, 3, 3, 0 };
    const unsigned char present[] = { 1, 1, 1, 1, 1, 0 };
    const double one[] = { 42 };
    engine_ranked r[6];
    unsigned char winner[6];
    (void)state;
    rank_values(v, present, 6, r);
    assert_int_equal(engine_award_winners(r, 6, 0, winner), 2);
    expect_winners(winner, 6, "110000", "best, tied");
    assert_int_equal(engine_award_winners(r, 6, 1, winner), 2);
    expect_winners(winner, 6, "000110", "worst, tied; the unranked unit is never worst");
    rank_values(v, present, 3, r);
    assert_int_equal(engine_award_winners(r, 3, 1, winner), 1);
    expect_winners(winner, 3, "001", "worst, alone");
    rank_values(one, NULL, 1, r);
    assert_int_equal(engine_award_winners(r, 1, 0, winner), 1);
    assert_int_equal(engine_award_winners(r, 1, 1, winner), 1); /* a group of one: both */
    rank_values(v, present + 5, 1, r);
    assert_int_equal(engine_award_winners(r, 1, 0, winner), 0);
    assert_int_equal(engine_award_winners(r, 1, 1, winner), 0);
}

/* ---- records ---- */

static void test_records(void **state)
{
    const int ranks[] = { 1, 1, 1, 1, 2, 1, 1 };
    const int grades[] = { 0, 0, 0, 1, 0, 0, -1 };
    const int later[] = { 3, 0, 2, 5 };
    const int tops[] = { 1, 0, 0, 0 };
    const int never[] = { 0, 0 };
    const int unranked_last[] = { 4, 2, 0 };
    engine_record rec;
    (void)state;
    engine_records(ranks, grades, 7, &rec);
    assert_int_equal(rec.streak_first, 2);
    assert_int_equal(rec.longest_first, 4);
    assert_int_equal(rec.streak_top_grade, 0);
    assert_int_equal(rec.longest_top_grade, 3);
    assert_int_equal(rec.best_rank, 1);
    engine_records(later, tops, 4, &rec);
    assert_int_equal(rec.streak_first, 0);
    assert_int_equal(rec.longest_first, 0);
    assert_int_equal(rec.streak_top_grade, 3); /* 三连优 */
    assert_int_equal(rec.longest_top_grade, 3);
    assert_int_equal(rec.best_rank, 2);
    engine_records(unranked_last, NULL, 3, &rec);
    assert_int_equal(rec.best_rank, 2); /* a period without a rank is not a best rank */
    engine_records(never, NULL, 2, &rec);
    assert_int_equal(rec.best_rank, 0);
    assert_int_equal(rec.streak_top_grade, 0);
    assert_int_equal(rec.longest_top_grade, 0);
    engine_records(NULL, NULL, 0, &rec);
    assert_int_equal(rec.streak_first + rec.longest_first + rec.best_rank, 0);
}

/* ---- randomized checks ---- */

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

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

/* num / den rounded half away from zero, den > 0. */
static int64_t ratio_round(int64_t num, int64_t den)
{
    int64_t mag = num < 0 ? -num : num, q = mag / den, r = mag % den;
    if (2 * r >= den)
        q++;
    return num < 0 ? -q : q;
}

/* Judges typing up to five decimals: the exact mean of the integers m / 10^5, with one
 * highest and one lowest left out by value, is sum / (10 k) point units. */
static void test_randomized_judges_against_integers(void **state)
{
    (void)state;
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = (size_t)rand_in(1, 12);
        int drop = (int)rand_in(0, 1), coarse = (int)rand_in(0, 1);
        int64_t m[12], sum = 0, hi = INT64_MIN, lo = INT64_MAX, k = (int64_t)n;
        double s[12];
        engine_points got, want;
        for (size_t i = 0; i < n; i++) {
            m[i] = coarse ? rand_in(0, 200) * 50000 + rand_in(-1, 1) * 5 : rand_in(-10000000000, 10000000000);
            s[i] = (double)m[i] / 100000;
            sum += m[i];
            hi = m[i] > hi ? m[i] : hi;
            lo = m[i] < lo ? m[i] : lo;
        }
        if (drop && n >= 3) {
            sum -= hi + lo;
            k -= 2;
        }
        want = ratio_round(sum, 10 * k);
        assert_int_equal(engine_judges_score(s, n, drop, &got, NULL), 0);
        if (got != want)
            fail_msg("iteration %d: %zu scores (drop %d), first %.17g: %lld, expected %lld", iter, n, drop, s[0],
                     (long long)got, (long long)want);
    }
}

#define LMAX_UNITS 20
#define LMAX_CONTESTS 3
#define LMAX_EVENTS 40
#define LMAX_CATS 4
#define QUARTERS 4

/* A random table: top non-increasing, bottom (last place first) non-decreasing. */
static void random_table(engine_points_table *t)
{
    memset(t, 0, sizeof *t);
    t->ntop = (int)rand_in(0, 5);
    t->nbottom = (int)rand_in(0, 5);
    for (int i = 0; i < t->ntop; i++)
        t->top[i] = i == 0 ? rand_in(0, 100000) : t->top[i - 1] - rand_in(0, 20000);
    for (int i = 0; i < t->nbottom; i++)
        t->bottom[i] = i == 0 ? -rand_in(0, 100000) : t->bottom[i - 1] + rand_in(0, 20000);
}

/* The points of unit u from the definitions: rank = 1 + units strictly better, worse = units
 * strictly worse, top first, then the bottom list; missing values score nothing. */
static engine_points ref_points(const engine_points_table *t, const double *v, const unsigned char *present,
                                size_t n, size_t u)
{
    int better = 0, worse = 0;
    if (!present[u])
        return 0;
    for (size_t i = 0; i < n; i++) {
        better += present[i] && v[i] > v[u];
        worse += present[i] && v[i] < v[u];
    }
    if (better < t->ntop)
        return t->top[better];
    return worse < t->nbottom ? t->bottom[worse] : 0;
}

/* The expected year: each quarter's points from every contest, and per category the unit's
 * bonuses and deductions of events not revoked, each side capped on its own. */
static void ref_year(size_t u, const engine_points *quarter, const engine_event *ev, size_t nev,
                     const engine_cap *caps, size_t ncaps, engine_total *t)
{
    memset(t, 0, sizeof *t);
    for (int q = 0; q < QUARTERS; q++)
        t->items += quarter[u * QUARTERS + (size_t)q];
    for (int cat = 0; cat < LMAX_CATS; cat++) {
        engine_points plus = 0, minus = 0, cap_plus = 0, cap_minus = 0;
        for (size_t e = 0; e < nev; e++) {
            if (ev[e].unit != u || ev[e].category != cat || ev[e].revoked)
                continue;
            if (ev[e].points > 0)
                plus += ev[e].points;
            else
                minus -= ev[e].points;
        }
        for (size_t c = 0; c < ncaps; c++)
            if (caps[c].category == cat) {
                cap_plus = caps[c].max_bonus;
                cap_minus = caps[c].max_deduction;
            }
        t->bonus += cap_plus > 0 && plus > cap_plus ? cap_plus : plus;
        t->deduction += cap_minus > 0 && minus > cap_minus ? cap_minus : minus;
    }
    t->total = t->items + t->bonus - t->deduction;
}

/* One quarter: every contest ranks the units and adds its points into quarter[u][q]. */
static void random_quarter(size_t n, int q, engine_points *quarter, engine_points *want_quarter)
{
    int ncontests = (int)rand_in(1, LMAX_CONTESTS);
    for (int c = 0; c < ncontests; c++) {
        double v[LMAX_UNITS];
        unsigned char present[LMAX_UNITS];
        engine_ranked r[LMAX_UNITS];
        engine_points_table t;
        int coarse = (int)rand_in(0, 1);
        random_table(&t);
        for (size_t u = 0; u < n; u++) {
            v[u] = coarse ? (double)rand_in(0, 4) : (double)rand_in(0, 1000000) / 100;
            present[u] = rand_in(0, 9) > 0;
        }
        rank_values(v, present, n, r);
        for (size_t u = 0; u < n; u++) {
            quarter[u * QUARTERS + (size_t)q] += engine_contest_points(&t, &r[u]);
            want_quarter[u * QUARTERS + (size_t)q] += ref_points(&t, v, present, n, u);
        }
    }
}

static void test_randomized_year_ledger(void **state)
{
    (void)state;
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = (size_t)rand_in(1, LMAX_UNITS), nev = (size_t)rand_in(0, LMAX_EVENTS), ncaps = 0;
        engine_points quarter[LMAX_UNITS * QUARTERS] = { 0 }, want_quarter[LMAX_UNITS * QUARTERS] = { 0 };
        engine_event ev[LMAX_EVENTS];
        engine_cap caps[LMAX_CATS];
        engine_total got[LMAX_UNITS], want;
        for (int q = 0; q < QUARTERS; q++)
            random_quarter(n, q, quarter, want_quarter);
        for (int cat = 0; cat < LMAX_CATS; cat++)
            if (rand_in(0, 2) > 0) {
                caps[ncaps].category = cat;
                caps[ncaps].max_bonus = rand_in(0, 1) ? rand_in(0, 5) * 10000 : 0;
                caps[ncaps++].max_deduction = rand_in(0, 1) ? rand_in(0, 5) * 10000 : 0;
            }
        for (size_t e = 0; e < nev; e++) {
            ev[e].unit = (size_t)rand_in(0, (int64_t)n - 1);
            ev[e].category = (int)rand_in(0, LMAX_CATS - 1);
            ev[e].points = rand_in(-3, 3) * rand_in(1, 20000);
            ev[e].veto = 0;
            ev[e].revoked = rand_in(0, 5) == 0;
        }
        assert_int_equal(engine_totals(quarter, n, QUARTERS, ev, nev, caps, ncaps, got), 0);
        for (size_t u = 0; u < n; u++) {
            int better = 0;
            ref_year(u, want_quarter, ev, nev, caps, ncaps, &want);
            for (size_t v = 0; v < n; v++) {
                engine_total other;
                ref_year(v, want_quarter, ev, nev, caps, ncaps, &other);
                better += other.total > want.total;
            }
            if (got[u].items != want.items || got[u].bonus != want.bonus || got[u].deduction != want.deduction ||
                got[u].total != want.total || got[u].rank != better + 1)
                fail_msg("iteration %d unit %zu: year %lld (quarters %lld +%lld −%lld) rank %d, expected %lld "
                         "(quarters %lld +%lld −%lld) rank %d",
                         iter, u, (long long)got[u].total, (long long)got[u].items, (long long)got[u].bonus,
                         (long long)got[u].deduction, got[u].rank, (long long)want.total, (long long)want.items,
                         (long long)want.bonus, (long long)want.deduction, better + 1);
        }
    }
}

/* ---- data-driven cases: tests/cases/contest/NAME/{input,expected}.json ---- */

#define CASE_UNITS 32

typedef struct race_case {
    const char *name;
    json_t *in, *want;
    size_t n;
    const char *unit[CASE_UNITS];
    engine_points scheme[CASE_UNITS], judges[CASE_UNITS], score[CASE_UNITS], points[CASE_UNITS];
    unsigned char has_scheme[CASE_UNITS], has_judges[CASE_UNITS], has[CASE_UNITS];
    unsigned char flag[CASE_UNITS], best[CASE_UNITS], worst[CASE_UNITS];
    engine_explain why[CASE_UNITS];
    engine_ranked ranked[CASE_UNITS];
    int nflag;
} race_case;

static long unit_index(const race_case *c, const char *name)
{
    for (size_t u = 0; u < c->n; u++)
        if (name && strcmp(c->unit[u], name) == 0)
            return (long)u;
    fail_msg("case %s: unknown unit '%s'", c->name, name ? name : "(none)");
    return -1;
}

/* Reads one unit: its scheme part and its judges' part (scored by the engine). */
static void read_unit(race_case *c, size_t u, json_t *j, int drop)
{
    json_t *part = json_object_get(j, "scheme"), *judges = json_object_get(j, "judges");
    c->unit[u] = json_string_value(json_object_get(j, "name"));
    if (!c->unit[u])
        fail_msg("case %s: unit %zu has no name", c->name, u);
    if (part && !json_is_null(part)) {
        c->scheme[u] = test_json_points(c->name, part, "scheme");
        c->has_scheme[u] = 1;
    }
    if (json_array_size(judges) > 0) {
        double s[64];
        size_t k = json_array_size(judges);
        assert_true(k <= 64);
        for (size_t i = 0; i < k; i++) {
            if (!json_is_number(json_array_get(judges, i)))
                fail_msg("case %s, unit %s: a judge's score is a number", c->name, c->unit[u]);
            s[i] = json_number_value(json_array_get(judges, i));
        }
        if (engine_judges_score(s, k, drop, &c->judges[u], &c->why[u]) != 0)
            fail_msg("case %s, unit %s: %s", c->name, c->unit[u], err_msg());
        c->has_judges[u] = 1;
    }
}

/* Runs the contest as `saima contest run` would: blend, rank, points, flag, awards. */
static void run_contest(race_case *c, const engine_points_table *t)
{
    json_t *w = json_object_get(c->in, "weights"), *holder = json_object_get(c->in, "previous_holder");
    const char *rule = json_string_value(json_object_get(c->in, "tie_rule"));
    int tie = rule ? model_enum_find(model_flag_tie_rules, FLAG_TIE_N, rule) : FLAG_TIE_SHARED;
    int sbp = (int)json_integer_value(json_object_get(w, "scheme"));
    int jbp = (int)json_integer_value(json_object_get(w, "judges"));
    engine_points judge_or_none[CASE_UNITS];
    double v[CASE_UNITS];
    if (tie < 0)
        fail_msg("case %s: unknown tie rule '%s'", c->name, rule);
    for (size_t u = 0; u < c->n; u++) {
        int has;
        if (c->has_scheme[u] && c->has_judges[u] && !w)
            fail_msg("case %s: units with both parts need \"weights\"", c->name);
        c->score[u] = engine_contest_score(c->scheme[u], c->has_scheme[u], c->judges[u], c->has_judges[u], sbp,
                                           jbp, &has);
        c->has[u] = (unsigned char)has;
        v[u] = (double)c->score[u];
        judge_or_none[u] = c->has_judges[u] ? c->judges[u] : INT64_MIN;
    }
    rank_values(v, c->has, c->n, c->ranked);
    for (size_t u = 0; u < c->n; u++)
        c->points[u] = engine_contest_points(t, &c->ranked[u]);
    c->nflag = engine_flag_winners(c->ranked, c->n, tie,
                                   holder ? (int)unit_index(c, json_string_value(holder)) : -1, judge_or_none,
                                   c->flag);
    engine_award_winners(c->ranked, c->n, 0, c->best);
    engine_award_winners(c->ranked, c->n, 1, c->worst);
}

/* A field every expected unit must give. */
static json_t *field(const race_case *c, json_t *w, const char *key)
{
    json_t *v = json_object_get(w, key);
    if (!v)
        fail_msg("case %s: expected unit %s has no \"%s\"", c->name,
                 json_string_value(json_object_get(w, "name")), key);
    return v;
}

static void check_flag_field(const race_case *c, json_t *w, const char *key, const unsigned char *got, size_t u)
{
    if (json_is_true(field(c, w, key)) != (got[u] != 0))
        fail_msg("case %s, unit %s: %s is %s", c->name, c->unit[u], key, got[u] ? "true" : "false");
}

/* Nonzero when an expected score (points, or null for none) differs from what was computed. */
static int differs(const race_case *c, json_t *want, int has, engine_points got)
{
    if (json_is_null(want))
        return has;
    return !has || test_json_points(c->name, want, "a score") != got;
}

static void check_unit(const race_case *c, json_t *w)
{
    size_t u = (size_t)unit_index(c, json_string_value(json_object_get(w, "name")));
    json_t *score = field(c, w, "score"), *judges = json_object_get(w, "judges");
    json_t *formula = json_object_get(w, "formula");
    char got[32];
    if (judges && differs(c, judges, c->has_judges[u], c->judges[u])) {
        engine_points_format(c->judges[u], 4, got, sizeof got);
        fail_msg("case %s, unit %s: judges' score %s (%s)", c->name, c->unit[u], c->has_judges[u] ? got : "none",
                 c->why[u].formula);
    }
    if (differs(c, score, c->has[u], c->score[u])) {
        engine_points_format(c->score[u], 4, got, sizeof got);
        fail_msg("case %s, unit %s: score %s", c->name, c->unit[u], c->has[u] ? got : "none");
    }
    if (c->ranked[u].rank != (int)json_integer_value(field(c, w, "rank")))
        fail_msg("case %s, unit %s: rank %d", c->name, c->unit[u], c->ranked[u].rank);
    if (c->points[u] != test_json_points(c->name, field(c, w, "points"), "points")) {
        engine_points_format(c->points[u], 4, got, sizeof got);
        fail_msg("case %s, unit %s: points %s", c->name, c->unit[u], got);
    }
    check_flag_field(c, w, "flag", c->flag, u);
    check_flag_field(c, w, "best", c->best, u);
    check_flag_field(c, w, "worst", c->worst, u);
    if (formula && strcmp(json_string_value(formula), c->why[u].formula) != 0)
        fail_msg("case %s, unit %s: formula '%s', expected '%s'", c->name, c->unit[u], c->why[u].formula,
                 json_string_value(formula));
}

static void run_case(race_case *c)
{
    json_t *why = json_object_get(c->want, "why"), *err = json_object_get(c->want, "error");
    json_t *units = json_object_get(c->in, "units"), *want_units = json_object_get(c->want, "units");
    engine_points_table t;
    int rc;
    if (!(json_is_string(why) && json_string_length(why) > 0) && !(json_is_array(why) && json_array_size(why) > 0))
        fail_msg("case %s: expected.json must say why in a \"why\" field", c->name);
    rc = engine_points_table_parse(json_string_value(json_object_get(c->in, "points")), &t);
    if (err) {
        if (rc != ERR_DATA || !strstr(err_msg(), json_string_value(err)))
            fail_msg("case %s: expected the points refused naming '%s' (rc %d, '%s')", c->name,
                     json_string_value(err), rc, err_msg());
        return;
    }
    if (rc != 0)
        fail_msg("case %s: %s", c->name, err_msg());
    c->n = json_array_size(units);
    assert_true(c->n > 0 && c->n <= CASE_UNITS);
    for (size_t u = 0; u < c->n; u++)
        read_unit(c, u, json_array_get(units, u), json_is_true(json_object_get(c->in, "drop_extremes")));
    run_contest(c, &t);
    if (json_array_size(want_units) != c->n)
        fail_msg("case %s: expected.json must list every unit", c->name);
    for (size_t i = 0; i < c->n; i++)
        check_unit(c, json_array_get(want_units, i));
    if (json_object_get(c->want, "flags") && c->nflag != (int)json_integer_value(json_object_get(c->want, "flags")))
        fail_msg("case %s: %d flag holders", c->name, c->nflag);
}

/* One case directory: run it as the hand-worked expectation says. */
static void one_case(const char *name, json_t *in, json_t *want, void *ctx)
{
    race_case *c = calloc(1, sizeof *c);
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
    assert_true(test_cases_each(test_data_path("cases/contest"), one_case, NULL) >= 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_parse),
        cmocka_unit_test(test_table_limits),
        cmocka_unit_test(test_table_refusals),
        cmocka_unit_test(test_points_ties_share_top_and_bottom),
        cmocka_unit_test(test_points_small_group_top_wins),
        cmocka_unit_test(test_points_unranked_and_empty_lists),
        cmocka_unit_test(test_judges_mean),
        cmocka_unit_test(test_judges_drop_extremes),
        cmocka_unit_test(test_judges_too_few_to_drop),
        cmocka_unit_test(test_judges_as_written),
        cmocka_unit_test(test_judges_refusals),
        cmocka_unit_test(test_judges_long_formula),
        cmocka_unit_test(test_blend),
        cmocka_unit_test(test_blend_one_part_missing),
        cmocka_unit_test(test_flag_shared),
        cmocka_unit_test(test_flag_holder),
        cmocka_unit_test(test_flag_judges),
        cmocka_unit_test(test_flag_none_and_single_winner),
        cmocka_unit_test(test_awards_ties_at_the_cut),
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_randomized_judges_against_integers),
        cmocka_unit_test(test_randomized_year_ledger),
        cmocka_unit_test(test_data_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
