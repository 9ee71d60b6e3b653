/* test_store_race: the race's storage (SPEC §6-7) through the SQLite store: round trips of
 * categories, contests, judges' scores, results, red flag holders, events, caps and awards;
 * unknown codes, the database's checks, events kept as history, migration from version 5,
 * gets by code and what each put did. */
#include "store/store.h"
#include "util/err.h"
#include "support.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#define SET(field, text) snprintf((field), sizeof(field), "%s", (text))
#define CLEAR(field) memset((field), 0, sizeof(field))

/* Each test works on a store of its own on a fresh temporary database. */
typedef test_db fixture;

static void put_unit(store *s, const char *code, const char *name, int kind, int sort_order)
{
    model_unit u;
    memset(&u, 0, sizeof u);
    SET(u.code, code);
    SET(u.name, name);
    u.kind = kind;
    u.sort_order = sort_order;
    assert_int_equal(store_unit_put(s, &u, NULL), 0);
}

static void put_group(store *s, const char *code, const char *name,
                      const char (*members)[MODEL_CODE_MAX], size_t n)
{
    model_group g;
    memset(&g, 0, sizeof g);
    SET(g.code, code);
    SET(g.name, name);
    g.kind = GROUP_RACE;
    assert_int_equal(store_group_put(s, &g, NULL), 0);
    assert_int_equal(store_group_set_members(s, code, members, n, NULL), 0);
}

static void put_category(store *s, const char *code, const char *name, int sort_order)
{
    model_contest_category c;
    memset(&c, 0, sizeof c);
    SET(c.code, code);
    SET(c.name, name);
    c.sort_order = sort_order;
    assert_int_equal(store_category_put(s, &c, NULL), 0);
}

/* Four units (D01..D03 in the economic group, D04 alone in another), one indicator and a
 * scheme over the economic group: what a version-5 database can hold. */
static void seed_base(store *s)
{
    const char econ[3][MODEL_CODE_MAX] = { "D01", "D02", "D03" }, other[1][MODEL_CODE_MAX] = { "D04" };
    model_indicator ind;
    model_scheme sc;
    put_unit(s, "D01", "发改局", UNIT_DEPARTMENT, 1);
    put_unit(s, "D02", "工信局", UNIT_DEPARTMENT, 2);
    put_unit(s, "D03", "商务局", UNIT_DEPARTMENT, 3);
    put_unit(s, "D04", "城投公司", UNIT_SOE, 4);
    put_group(s, "ECON", "经济部门组", econ, 3);
    put_group(s, "SOE", "国企组", other, 1);
    memset(&ind, 0, sizeof ind);
    SET(ind.code, "GDP");
    SET(ind.name, "地区生产总值");
    assert_int_equal(store_indicator_put(s, &ind, NULL), 0);
    memset(&sc, 0, sizeof sc);
    SET(sc.code, "RACE2025");
    SET(sc.name, "2025年赛马方案");
    SET(sc.group_code, "ECON");
    sc.period_kind = PERIOD_QUARTER;
    sc.total_weight = 100;
    assert_int_equal(store_scheme_put(s, &sc, NULL), 0);
}

/* The base and the contest categories ECO and PROJ. */
static void seed_race(store *s)
{
    seed_base(s);
    put_category(s, "ECO", "经济指标", 1);
    put_category(s, "PROJ", "重点项目", 2);
}

static model_contest make_contest(const char *code, const char *period_code)
{
    model_contest c;
    memset(&c, 0, sizeof c);
    SET(c.code, code);
    SET(c.name, "经济指标擂台赛");
    SET(c.group_code, "ECON");
    SET(c.category_code, "ECO");
    SET(c.period_code, period_code);
    SET(c.scheme_code, "RACE2025");
    SET(c.points, "top=3,2,1;bottom=-3,-2,-1");
    c.engine_weight_bp = 7000;
    c.judge_weight_bp = 3000;
    c.drop_extremes = 1;
    c.flag_tie_rule = FLAG_TIE_HOLDER;
    return c;
}

static int64_t unit_id(store *s, const char *code)
{
    model_unit *items;
    size_t n;
    int64_t id = -1;
    assert_int_equal(store_units(s, &items, &n), 0);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i].code, code) == 0)
            id = items[i].id;
    }
    free(items);
    assert_true(id > 0);
    return id;
}

static int64_t indicator_id(store *s, const char *code)
{
    model_indicator *items;
    size_t n;
    int64_t id = -1;
    assert_int_equal(store_indicators(s, &items, &n), 0);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i].code, code) == 0)
            id = items[i].id;
    }
    free(items);
    assert_true(id > 0);
    return id;
}

static size_t count_periods(store *s)
{
    model_period *ps;
    size_t n;
    assert_int_equal(store_periods(s, &ps, &n), 0);
    free(ps);
    return n;
}

static size_t count_contests(store *s)
{
    model_contest *cs;
    size_t n;
    assert_int_equal(store_contests(s, NULL, &cs, &n), 0);
    free(cs);
    return n;
}

static void test_category_round_trip(void **state)
{
    fixture *f = *state;
    model_contest_category a, b, *items;
    size_t n;
    memset(&a, 0, sizeof a);
    SET(a.code, "PARTY");
    SET(a.name, "基层党建");
    SET(a.name_en, "Party building");
    a.sort_order = 6;
    memset(&b, 0, sizeof b);
    SET(b.code, "RURAL");
    SET(b.name, "乡村建设");
    b.sort_order = 4;
    assert_int_equal(store_category_put(f->s, &a, NULL), 0);
    assert_int_equal(store_category_put(f->s, &b, NULL), 0);
    SET(b.name_en, "Rural construction"); /* an update by code keeps one row */
    assert_int_equal(store_category_put(f->s, &b, NULL), 0);
    assert_int_equal(store_categories(f->s, &items, &n), 0);
    assert_int_equal(n, 2);
    b.id = items[0].id; /* sort order 4 before 6 */
    a.id = items[1].id;
    assert_true(a.id > 0 && b.id > 0 && a.id != b.id);
    assert_memory_equal(&items[0], &b, sizeof b);
    assert_memory_equal(&items[1], &a, sizeof a);
    free(items);
}

static void test_contest_round_trip(void **state)
{
    fixture *f = *state;
    model_contest c = make_contest("ECO-Q3", "2025-Q3"), judges_only = make_contest("PROJ-Q3", "2025-Q3");
    model_contest *items;
    size_t n;
    seed_race(f->s);
    assert_int_equal(store_contest_put(f->s, &c, NULL), 0);
    SET(judges_only.category_code, "PROJ");
    CLEAR(judges_only.scheme_code);
    CLEAR(judges_only.points);
    judges_only.engine_weight_bp = 0;
    judges_only.judge_weight_bp = 10000;
    judges_only.drop_extremes = 0;
    judges_only.flag_tie_rule = FLAG_TIE_NONE;
    assert_int_equal(store_contest_put(f->s, &judges_only, NULL), 0);
    SET(c.name, "经济指标季度擂台赛"); /* an update by code keeps one row */
    assert_int_equal(store_contest_put(f->s, &c, NULL), 0);
    assert_int_equal(store_contests(f->s, "", &items, &n), 0);
    assert_int_equal(n, 2);
    c.id = items[0].id;
    judges_only.id = items[1].id;
    assert_memory_equal(&items[0], &c, sizeof c);
    assert_memory_equal(&items[1], &judges_only, sizeof judges_only);
    free(items);
    /* the period row was ensured by the write */
    assert_int_equal(count_periods(f->s), 1);
}

/* Listed by period (end, then length), then code, whatever the order of the codes; a period
 * in any accepted form filters. */
static void test_contests_by_period(void **state)
{
    fixture *f = *state;
    static const struct { const char *code, *period; } rows[] = {
        { "A-Q3", "2025-Q3" }, { "B-SEP", "2025-09" }, { "C-Q2", "2025q2" },
        { "D-2024", "2024" },  { "E-Q3", "2025-Q3" },
    };
    static const char *const order[] = { "D-2024", "C-Q2", "B-SEP", "A-Q3", "E-Q3" };
    model_contest c, *items;
    size_t n;
    seed_race(f->s);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        c = make_contest(rows[i].code, rows[i].period);
        if (store_contest_put(f->s, &c, NULL) != 0)
            fail_msg("%s: %s", rows[i].code, err_msg());
    }
    assert_int_equal(store_contests(f->s, NULL, &items, &n), 0);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(items[i].code, order[i]);
    assert_string_equal(items[1].period_code, "2025-Q2"); /* stored in canonical form */
    free(items);
    assert_int_equal(store_contests(f->s, "2025年三季度", &items, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(items[0].code, "A-Q3");
    assert_string_equal(items[1].code, "E-Q3");
    free(items);
    assert_int_equal(store_contests(f->s, "2026-Q1", &items, &n), 0);
    assert_int_equal(n, 0);
    free(items);
    assert_int_equal(store_contests(f->s, "2025-Q7", &items, &n), ERR_DATA);
}

static void assert_contest_refused(store *s, const model_contest *c, int code, const char *needle)
{
    assert_int_equal(store_contest_put(s, c, NULL), code);
    assert_non_null(strstr(err_msg(), needle));
}

static void test_contest_refusals(void **state)
{
    fixture *f = *state;
    model_contest c;
    seed_race(f->s);
    c = make_contest("X", "2025-Q3");
    SET(c.group_code, "NOGROUP");
    assert_contest_refused(f->s, &c, ERR_NOTFOUND, "NOGROUP");
    c = make_contest("X", "2025-Q3");
    SET(c.category_code, "NOCAT");
    assert_contest_refused(f->s, &c, ERR_NOTFOUND, "NOCAT");
    c = make_contest("X", "2025-Q3");
    SET(c.scheme_code, "NOSCHEME");
    assert_contest_refused(f->s, &c, ERR_NOTFOUND, "NOSCHEME");
    /* an unknown reference leaves no period row behind */
    assert_int_equal(count_periods(f->s), 0);
    c = make_contest("X", "2025-Q5");
    assert_contest_refused(f->s, &c, ERR_DATA, "2025-Q5");
    c = make_contest("X", "");
    assert_contest_refused(f->s, &c, ERR_DATA, "period");
    c = make_contest("X", "2025-Q3");
    c.flag_tie_rule = FLAG_TIE_N;
    assert_contest_refused(f->s, &c, ERR_DATA, "tie rule");
    /* the weights: the database's checks */
    c = make_contest("X", "2025-Q3");
    c.judge_weight_bp = 2000;
    assert_contest_refused(f->s, &c, ERR_CONSTRAINT, "contest_weights_add_up");
    c.engine_weight_bp = 12000;
    c.judge_weight_bp = -2000;
    assert_contest_refused(f->s, &c, ERR_CONSTRAINT, "CHECK");
    c = make_contest("X", "2025-Q3");
    SET(c.scheme_code, ""); /* the engine's share needs a scheme */
    assert_contest_refused(f->s, &c, ERR_CONSTRAINT, "contest_engine_needs_scheme");
    assert_int_equal(count_contests(f->s), 0);
    c = make_contest("X", "2025-Q3");
    assert_int_equal(store_contest_put(f->s, &c, NULL), 0);
    assert_int_equal(count_contests(f->s), 1);
}

static model_judge_score make_judge(const char *unit_code, const char *judge, double score)
{
    model_judge_score j;
    memset(&j, 0, sizeof j);
    SET(j.contest_code, "ECO-Q3");
    SET(j.unit_code, unit_code);
    SET(j.judge, judge);
    j.score = score;
    return j;
}

static void test_judge_scores(void **state)
{
    fixture *f = *state;
    model_contest c = make_contest("ECO-Q3", "2025-Q3");
    model_judge_score rows[4], *items;
    size_t n;
    seed_race(f->s);
    assert_int_equal(store_contest_put(f->s, &c, NULL), 0);
    rows[0] = make_judge("D02", "评委2", 88.5);
    rows[1] = make_judge("D01", "评委1", 91.25);
    rows[2] = make_judge("D02", "评委1", 79);
    rows[3] = make_judge("D01", "评委2", 60);
    for (int i = 0; i < 4; i++)
        assert_int_equal(store_judge_score_put(f->s, &rows[i], NULL), 0);
    rows[3].score = 86.75; /* the same key replaces */
    assert_int_equal(store_judge_score_put(f->s, &rows[3], NULL), 0);
    assert_int_equal(store_judge_scores(f->s, "ECO-Q3", &items, &n), 0);
    assert_int_equal(n, 4);
    /* by unit (sort order), then judge */
    assert_memory_equal(&items[0], &rows[1], sizeof rows[1]);
    assert_memory_equal(&items[1], &rows[3], sizeof rows[3]);
    assert_memory_equal(&items[2], &rows[2], sizeof rows[2]);
    assert_memory_equal(&items[3], &rows[0], sizeof rows[0]);
    assert_true(items[1].score == 86.75);
    free(items);

    rows[0] = make_judge("NOUNIT", "评委1", 80);
    assert_int_equal(store_judge_score_put(f->s, &rows[0], NULL), ERR_NOTFOUND);
    assert_non_null(strstr(err_msg(), "NOUNIT"));
    rows[0] = make_judge("D01", "评委1", 80);
    SET(rows[0].contest_code, "NOCONTEST");
    assert_int_equal(store_judge_score_put(f->s, &rows[0], NULL), ERR_NOTFOUND);
    assert_non_null(strstr(err_msg(), "NOCONTEST"));
    assert_int_equal(store_judge_scores(f->s, "NOCONTEST", &items, &n), ERR_NOTFOUND);
    rows[0] = make_judge("D01", "", 80);
    assert_int_equal(store_judge_score_put(f->s, &rows[0], NULL), ERR_DATA);
    rows[0] = make_judge("D01", "评委3", NAN);
    assert_int_equal(store_judge_score_put(f->s, &rows[0], NULL), ERR_DATA);
    assert_int_equal(store_judge_scores(f->s, "ECO-Q3", &items, &n), 0);
    assert_int_equal(n, 4);
    free(items);
}

static model_contest_result make_result(const char *unit_code, double score, int rank, int64_t points)
{
    model_contest_result r;
    memset(&r, 0, sizeof r);
    SET(r.contest_code, "ECO-Q3");
    SET(r.unit_code, unit_code);
    r.engine_score = score + 1.5;
    r.judge_score = score - 2.25;
    r.score = score;
    r.has_engine = 1;
    r.has_judges = rank != 2;
    r.rank = rank;
    r.points = points;
    return r;
}

static void test_results_replace(void **state)
{
    fixture *f = *state;
    model_contest c = make_contest("ECO-Q3", "2025-Q3");
    model_contest_result run1[3], run2[2], bad[2], *items;
    size_t n;
    seed_race(f->s);
    assert_int_equal(store_contest_put(f->s, &c, NULL), 0);
    run1[0] = make_result("D03", 0, 0, 0);           /* unranked: listed last */
    run1[1] = make_result("D02", 92.5, 1, 30000);
    run1[2] = make_result("D01", 81.0625, 2, -30000);
    assert_int_equal(store_begin(f->s), 0);
    assert_int_equal(store_contest_results_set(f->s, "ECO-Q3", run1, 3), 0);
    assert_int_equal(store_commit(f->s), 0);
    assert_int_equal(store_contest_results(f->s, "ECO-Q3", &items, &n), 0);
    assert_int_equal(n, 3);
    assert_true(items[0].run_at[0] != '\0');
    assert_string_equal(items[1].run_at, items[0].run_at); /* one run, one moment */
    assert_string_equal(items[2].run_at, items[0].run_at);
    SET(run1[0].run_at, items[0].run_at);
    SET(run1[1].run_at, items[0].run_at);
    SET(run1[2].run_at, items[0].run_at);
    assert_memory_equal(&items[0], &run1[1], sizeof run1[1]);
    assert_memory_equal(&items[1], &run1[2], sizeof run1[2]);
    assert_memory_equal(&items[2], &run1[0], sizeof run1[0]);
    free(items);

    /* an unknown unit or another contest's row changes nothing */
    bad[0] = make_result("D01", 50, 1, 0);
    bad[1] = make_result("NOUNIT", 40, 2, 0);
    assert_int_equal(store_contest_results_set(f->s, "ECO-Q3", bad, 2), ERR_NOTFOUND);
    assert_non_null(strstr(err_msg(), "NOUNIT"));
    bad[1] = make_result("D02", 40, 2, 0);
    SET(bad[1].contest_code, "OTHER");
    assert_int_equal(store_contest_results_set(f->s, "ECO-Q3", bad, 2), ERR_DATA);
    assert_int_equal(store_contest_results_set(f->s, "NOCONTEST", bad, 1), ERR_NOTFOUND);
    assert_int_equal(store_contest_results(f->s, "ECO-Q3", &items, &n), 0);
    assert_int_equal(n, 3);
    free(items);

    /* a new run replaces every result; a row may leave its contest code empty */
    run2[0] = make_result("D01", 77, 1, 10000);
    run2[1] = make_result("D03", 70, 2, 0);
    SET(run2[1].contest_code, "");
    assert_int_equal(store_contest_results_set(f->s, "ECO-Q3", run2, 2), 0);
    assert_int_equal(store_contest_results(f->s, "ECO-Q3", &items, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(items[0].unit_code, "D01");
    assert_true(items[0].score == 77);
    assert_int_equal(items[0].points, 10000);
    assert_string_equal(items[1].unit_code, "D03");
    assert_string_equal(items[1].contest_code, "ECO-Q3");
    assert_int_equal(items[1].has_judges, 0);
    free(items);
    assert_int_equal(store_contest_results_set(f->s, "ECO-Q3", NULL, 0), 0);
    assert_int_equal(store_contest_results(f->s, "ECO-Q3", &items, &n), 0);
    assert_int_equal(n, 0);
    free(items);
}

static void test_flag_holders(void **state)
{
    fixture *f = *state;
    const char both[2][MODEL_CODE_MAX] = { "D02", "D01" }, one[1][MODEL_CODE_MAX] = { "D03" };
    const char first[1][MODEL_CODE_MAX] = { "D01" }, soe[1][MODEL_CODE_MAX] = { "D04" };
    const char unknown[2][MODEL_CODE_MAX] = { "D01", "NOUNIT" };
    model_flag_holder *items;
    size_t n;
    seed_race(f->s);
    assert_int_equal(store_flag_set(f->s, "ECON", "2025-Q3", both, 2), 0);
    assert_int_equal(store_flags_held(f->s, "ECON", &items, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(items[0].unit_code, "D01"); /* ties share it, listed by unit */
    assert_string_equal(items[1].unit_code, "D02");
    assert_string_equal(items[0].group_code, "ECON");
    assert_string_equal(items[0].period_code, "2025-Q3");
    assert_true(items[0].decided_at[0] != '\0');
    free(items);
    /* replacing (group, period) drops the earlier holders; another period is its own */
    assert_int_equal(store_flag_set(f->s, "ECON", "2025年三季度", one, 1), 0);
    assert_int_equal(store_flag_set(f->s, "ECON", "2025-Q2", first, 1), 0);
    assert_int_equal(store_flag_set(f->s, "SOE", "2025-Q1", soe, 1), 0);
    assert_int_equal(store_flags_held(f->s, "ECON", &items, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(items[0].period_code, "2025-Q2"); /* by period, not by writing order */
    assert_string_equal(items[0].unit_code, "D01");
    assert_string_equal(items[1].period_code, "2025-Q3");
    assert_string_equal(items[1].unit_code, "D03");
    free(items);
    assert_int_equal(store_flags_held(f->s, NULL, &items, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(items[0].group_code, "SOE");
    assert_string_equal(items[0].period_code, "2025-Q1");
    free(items);

    /* refusals change nothing */
    assert_int_equal(store_flag_set(f->s, "ECON", "2025-Q3", unknown, 2), ERR_NOTFOUND);
    assert_non_null(strstr(err_msg(), "NOUNIT"));
    assert_int_equal(store_flag_set(f->s, "NOGROUP", "2025-Q3", one, 1), ERR_NOTFOUND);
    assert_non_null(strstr(err_msg(), "NOGROUP"));
    assert_int_equal(store_flag_set(f->s, "ECON", "Q3", one, 1), ERR_DATA);
    assert_int_equal(store_flags_held(f->s, "NOGROUP", &items, &n), ERR_NOTFOUND);
    assert_int_equal(store_flags_held(f->s, "", &items, &n), 0);
    assert_int_equal(n, 3);
    free(items);
    /* nobody holds it (n = 0) */
    assert_int_equal(store_flag_set(f->s, "ECON", "2025-Q3", NULL, 0), 0);
    assert_int_equal(store_flags_held(f->s, "ECON", &items, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(items[0].period_code, "2025-Q2");
    free(items);
}

static model_event make_event(const char *date, const char *unit_code, int kind, double points)
{
    model_event e;
    memset(&e, 0, sizeof e);
    SET(e.date, date);
    SET(e.unit_code, unit_code);
    SET(e.category, "honour");
    SET(e.evidence, "国务院办公厅通报表扬");
    SET(e.entered_by, "clerk");
    SET(e.approved_by, "主任");
    e.kind = kind;
    e.points = points;
    return e;
}

static void test_event_round_trip(void **state)
{
    fixture *f = *state;
    model_event e = make_event("2025-05-20", "D02", EVENT_BONUS, 1.5), v, *items;
    int64_t id, vid;
    size_t n;
    seed_race(f->s);
    assert_int_equal(store_event_add(f->s, &e, &id), 0);
    v = make_event("2025-03-01", "D01", EVENT_VETO, 0);
    CLEAR(v.category);
    CLEAR(v.evidence);
    assert_int_equal(store_event_add(f->s, &v, &vid), 0);
    assert_true(vid != id);
    assert_int_equal(store_events(f->s, 0, &items, &n), 0);
    assert_int_equal(n, 2);
    assert_true(items[1].created_at[0] != '\0');
    e.id = id;
    SET(e.created_at, items[1].created_at);
    assert_memory_equal(&items[1], &e, sizeof e);
    v.id = vid;
    SET(v.created_at, items[0].created_at);
    assert_memory_equal(&items[0], &v, sizeof v);
    free(items);

    e = make_event("2025-05-20", "NOUNIT", EVENT_DEDUCTION, -1);
    assert_int_equal(store_event_add(f->s, &e, &id), ERR_NOTFOUND);
    assert_non_null(strstr(err_msg(), "NOUNIT"));
    e = make_event("2025-02-29", "D01", EVENT_DEDUCTION, -1);
    assert_int_equal(store_event_add(f->s, &e, &id), ERR_DATA);
    assert_non_null(strstr(err_msg(), "2025-02-29"));
    e = make_event("2025-5-20", "D01", EVENT_DEDUCTION, -1);
    assert_int_equal(store_event_add(f->s, &e, &id), ERR_DATA);
    e = make_event("2025-05-20", "D01", EVENT_KIND_N, -1);
    assert_int_equal(store_event_add(f->s, &e, &id), ERR_DATA);
    e = make_event("2025-05-20", "D01", EVENT_DEDUCTION, -1);
    e.revoked = 1;
    assert_int_equal(store_event_add(f->s, &e, &id), ERR_DATA);
    e = make_event("2025-05-20", "D01", EVENT_DEDUCTION, NAN);
    assert_int_equal(store_event_add(f->s, &e, &id), ERR_DATA);
    assert_int_equal(store_events(f->s, 0, &items, &n), 0);
    assert_int_equal(n, 2);
    free(items);
}

/* Runs sql on a second connection to the same database; returns SQLite's result code and
 * copies its message. */
static int raw_exec(const char *path, const char *sql, char *msg, size_t size)
{
    sqlite3 *db;
    char *err = NULL;
    int rc;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    snprintf(msg, size, "%s", err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
    return rc;
}

static void test_event_revoke(void **state)
{
    fixture *f = *state;
    model_event e = make_event("2025-06-01", "D03", EVENT_DEDUCTION, -2), kept, *items;
    int64_t id, other;
    size_t n;
    char sql[256], msg[256];
    seed_race(f->s);
    assert_int_equal(store_event_add(f->s, &e, &id), 0);
    assert_int_equal(store_event_add(f->s, &e, &other), 0);
    assert_int_equal(store_event_revoke(f->s, id, "", "主任"), ERR_DATA);
    assert_int_equal(store_event_revoke(f->s, id, "  ", "主任"), ERR_DATA);
    assert_int_equal(store_event_revoke(f->s, id, "容错免责：先行先试", ""), ERR_DATA);
    assert_int_equal(store_event_revoke(f->s, id + 100, "容错免责", "主任"), ERR_NOTFOUND);
    assert_int_equal(store_event_revoke(f->s, id, "容错免责：先行先试", "主任"), 0);
    assert_int_equal(store_events(f->s, 2025, &items, &n), 0);
    assert_int_equal(n, 2);
    kept = items[0];
    free(items);
    assert_int_equal(kept.id, id);
    assert_int_equal(kept.revoked, 1);
    assert_string_equal(kept.revoked_reason, "容错免责：先行先试");
    assert_string_equal(kept.revoked_by, "主任");
    assert_true(kept.revoked_at[0] != '\0');
    assert_true(kept.points == -2); /* the history is kept */
    assert_string_equal(kept.evidence, e.evidence);

    /* a second revocation is a conflict and changes nothing */
    assert_int_equal(store_event_revoke(f->s, id, "另一个理由", "他人"), ERR_CONFLICT);
    assert_int_equal(store_events(f->s, 2025, &items, &n), 0);
    assert_memory_equal(&items[0], &kept, sizeof kept);
    assert_int_equal(items[1].revoked, 0);
    free(items);

    /* the database itself refuses any other edit, an un-revocation, an edit smuggled into a
     * revocation, and a delete */
    snprintf(sql, sizeof sql, "UPDATE events SET points = 9 WHERE id = %lld", (long long)id);
    assert_int_equal(raw_exec(f->path, sql, msg, sizeof msg), SQLITE_CONSTRAINT);
    assert_non_null(strstr(msg, "saima:locked: "));
    snprintf(sql, sizeof sql, "UPDATE events SET revoked = 0 WHERE id = %lld", (long long)id);
    assert_int_equal(raw_exec(f->path, sql, msg, sizeof msg), SQLITE_CONSTRAINT);
    snprintf(sql, sizeof sql,
             "UPDATE events SET revoked = 1, revoked_reason = 'r', revoked_by = 'b',"
             " revoked_at = 't', points = 0 WHERE id = %lld",
             (long long)other);
    assert_int_equal(raw_exec(f->path, sql, msg, sizeof msg), SQLITE_CONSTRAINT);
    snprintf(sql, sizeof sql, "UPDATE events SET revoked = 1 WHERE id = %lld", (long long)other);
    assert_int_equal(raw_exec(f->path, sql, msg, sizeof msg), SQLITE_CONSTRAINT); /* no reason */
    assert_int_equal(raw_exec(f->path, "DELETE FROM events", msg, sizeof msg), SQLITE_CONSTRAINT);
    assert_non_null(strstr(msg, "saima:locked: "));
    assert_int_equal(store_events(f->s, 0, &items, &n), 0);
    assert_int_equal(n, 2);
    assert_memory_equal(&items[0], &kept, sizeof kept);
    assert_int_equal(items[1].revoked, 0);
    assert_true(items[1].points == -2);
    free(items);
}

static void test_events_by_year(void **state)
{
    fixture *f = *state;
    static const char *const dates[] = { "2025-12-31", "2024-12-31", "2026-01-01", "2025-01-01",
                                         "2025-06-30" };
    model_event e, *items;
    int64_t id;
    size_t n;
    seed_race(f->s);
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        e = make_event(dates[i], "D01", EVENT_COMMENDATION, 0);
        assert_int_equal(store_event_add(f->s, &e, &id), 0);
        if (i == 4)
            assert_int_equal(store_event_revoke(f->s, id, "撤销", "主任"), 0);
    }
    assert_int_equal(store_events(f->s, 2025, &items, &n), 0);
    assert_int_equal(n, 3); /* revoked ones included, oldest first */
    assert_string_equal(items[0].date, "2025-01-01");
    assert_string_equal(items[1].date, "2025-06-30");
    assert_int_equal(items[1].revoked, 1);
    assert_string_equal(items[2].date, "2025-12-31");
    free(items);
    assert_int_equal(store_events(f->s, 2024, &items, &n), 0);
    assert_int_equal(n, 1);
    free(items);
    assert_int_equal(store_events(f->s, 2027, &items, &n), 0);
    assert_int_equal(n, 0);
    free(items);
    assert_int_equal(store_events(f->s, 0, &items, &n), 0);
    assert_int_equal(n, 5);
    assert_string_equal(items[0].date, "2024-12-31");
    assert_string_equal(items[4].date, "2026-01-01");
    free(items);
}

static model_event_cap make_cap(const char *category, int year, double bonus, double deduction)
{
    model_event_cap c;
    memset(&c, 0, sizeof c);
    SET(c.category, category);
    c.year = year;
    c.max_bonus = bonus;
    c.max_deduction = deduction;
    return c;
}

static void test_event_caps(void **state)
{
    fixture *f = *state;
    model_event_cap a = make_cap("media", 2025, 0, 3), b = make_cap("honour", 2025, 5, 0);
    model_event_cap old = make_cap("honour", 2024, 4, 0), bad, *items;
    size_t n;
    assert_int_equal(store_event_cap_put(f->s, &a, NULL), 0);
    assert_int_equal(store_event_cap_put(f->s, &b, NULL), 0);
    assert_int_equal(store_event_cap_put(f->s, &old, NULL), 0);
    b.max_bonus = 6.5; /* the same key replaces */
    assert_int_equal(store_event_cap_put(f->s, &b, NULL), 0);
    assert_int_equal(store_event_caps(f->s, 2025, &items, &n), 0);
    assert_int_equal(n, 2);
    assert_memory_equal(&items[0], &b, sizeof b); /* by category */
    assert_memory_equal(&items[1], &a, sizeof a);
    free(items);
    assert_int_equal(store_event_caps(f->s, 0, &items, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(&items[0], &old, sizeof old); /* by year first */
    free(items);
    bad = make_cap("media", 2025, -1, 0);
    assert_int_equal(store_event_cap_put(f->s, &bad, NULL), ERR_CONSTRAINT);
    bad = make_cap("media", 2025, 0, -3); /* a magnitude, never negative */
    assert_int_equal(store_event_cap_put(f->s, &bad, NULL), ERR_CONSTRAINT);
    bad = make_cap("", 2025, 1, 1);
    assert_int_equal(store_event_cap_put(f->s, &bad, NULL), ERR_DATA);
    assert_int_equal(store_event_caps(f->s, 2025, &items, &n), 0);
    assert_memory_equal(&items[1], &a, sizeof a);
    free(items);
}

static model_award make_award(const char *code, const char *source, const char *source_code, int worst)
{
    model_award a;
    memset(&a, 0, sizeof a);
    SET(a.code, code);
    SET(a.name, worst ? "蜗牛奖" : "骏马奖");
    SET(a.name_en, worst ? "Snail award" : "Steed award");
    SET(a.source, source);
    SET(a.source_code, source_code);
    SET(a.group_code, "ECON");
    SET(a.rule, "季度排名第一");
    a.worst = worst;
    return a;
}

static void test_awards(void **state)
{
    fixture *f = *state;
    model_award best = make_award("STEED", "contest", "ECO", 0);
    model_award worst = make_award("SNAIL", "indicator", "GDP", 1);
    model_award bad, *items;
    size_t n;
    seed_race(f->s);
    assert_int_equal(store_award_put(f->s, &best, NULL), 0);
    assert_int_equal(store_award_put(f->s, &worst, NULL), 0);
    SET(best.rule, "季度综合排名第一"); /* an update by code keeps one row */
    SET(best.group_code, "SOE");
    assert_int_equal(store_award_put(f->s, &best, NULL), 0);
    assert_int_equal(store_awards(f->s, &items, &n), 0);
    assert_int_equal(n, 2);
    best.id = items[0].id;
    worst.id = items[1].id;
    assert_memory_equal(&items[0], &best, sizeof best);
    assert_memory_equal(&items[1], &worst, sizeof worst);
    free(items);

    bad = make_award("X", "contest", "GDP", 0); /* a category code is needed, not an indicator's */
    assert_int_equal(store_award_put(f->s, &bad, NULL), ERR_NOTFOUND);
    assert_non_null(strstr(err_msg(), "GDP"));
    bad = make_award("X", "indicator", "NOIND", 0);
    assert_int_equal(store_award_put(f->s, &bad, NULL), ERR_NOTFOUND);
    assert_non_null(strstr(err_msg(), "NOIND"));
    bad = make_award("X", "contest", "ECO", 0);
    SET(bad.group_code, "NOGROUP");
    assert_int_equal(store_award_put(f->s, &bad, NULL), ERR_NOTFOUND);
    assert_non_null(strstr(err_msg(), "NOGROUP"));
    bad = make_award("X", "unit", "D01", 0);
    assert_int_equal(store_award_put(f->s, &bad, NULL), ERR_DATA);
    assert_int_equal(store_awards(f->s, &items, &n), 0);
    assert_int_equal(n, 2);
    free(items);
}

/* Categories, contests and awards come back by code, events by id; unknown ones are
 * ERR_NOTFOUND. */
static void test_race_get_by_code(void **state)
{
    fixture *f = *state;
    model_contest c = make_contest("ECO-Q3", "2025Q3"), gc;
    model_award a = make_award("STEED", "contest", "ECO", 0), ga;
    model_event e = make_event("2025-05-20", "D02", EVENT_BONUS, 1.5), ge;
    model_contest_category k;
    int64_t id;
    seed_race(f->s);
    assert_int_equal(store_contest_put(f->s, &c, NULL), 0);
    assert_int_equal(store_award_put(f->s, &a, NULL), 0);
    assert_int_equal(store_event_add(f->s, &e, &id), 0);
    assert_int_equal(store_category_get(f->s, "PROJ", &k), 0);
    assert_int_equal(store_contest_get(f->s, "ECO-Q3", &gc), 0);
    assert_int_equal(store_award_get(f->s, "STEED", &ga), 0);
    assert_int_equal(store_event_get(f->s, id, &ge), 0);
    assert_true(k.sort_order == 2 && strcmp(k.name, "重点项目") == 0);
    assert_true(gc.engine_weight_bp == 7000 && strcmp(gc.scheme_code, "RACE2025") == 0);
    assert_string_equal(gc.period_code, "2025-Q3");
    a.id = ga.id;
    assert_memory_equal(&ga, &a, sizeof a);
    assert_true(ge.id == id && ge.points == 1.5 && strcmp(ge.unit_code, "D02") == 0);
    assert_int_equal(store_category_get(f->s, "NOPE", &k), ERR_NOTFOUND);
    assert_int_equal(store_contest_get(f->s, "NOPE", &gc), ERR_NOTFOUND);
    assert_int_equal(store_award_get(f->s, "NOPE", &ga), ERR_NOTFOUND);
    assert_int_equal(store_event_get(f->s, id + 100, &ge), ERR_NOTFOUND);
}

/* Each put of the race's configuration says what it did. */
static void test_race_put_results(void **state)
{
    fixture *f = *state;
    model_contest_category k;
    model_contest c = make_contest("ECO-Q3", "2025-Q3");
    model_judge_score j = make_judge("D01", "张评委", 90);
    model_event_cap cap = make_cap("media", 2025, 0, 3);
    model_award a = make_award("SNAIL", "indicator", "GDP", 1);
    seed_race(f->s);
    memset(&k, 0, sizeof k);
    SET(k.code, "GREEN");
    SET(k.name, "生态环保");
    TEST_PUT_CYCLE(store_category_put(f->s, &k, &test_put_result), k.sort_order = 5);
    TEST_PUT_IS(store_contest_put(f->s, &c, &test_put_result), STORE_INSERTED);
    SET(c.period_code, "2025q3"); /* the same period in another form */
    TEST_PUT_IS(store_contest_put(f->s, &c, &test_put_result), STORE_UNCHANGED);
    c.drop_extremes = 0;
    TEST_PUT_IS(store_contest_put(f->s, &c, &test_put_result), STORE_CHANGED);
    TEST_PUT_CYCLE(store_judge_score_put(f->s, &j, &test_put_result), j.score = 91.5);
    TEST_PUT_CYCLE(store_event_cap_put(f->s, &cap, &test_put_result), cap.max_bonus = 1);
    TEST_PUT_CYCLE(store_award_put(f->s, &a, &test_put_result), SET(a.rule, "连续两季度末位"));
}

/* A database made by schema version 5 upgrades to the latest without losing anything, and
 * the race's tables work over its old rows. */
static void test_migration_from_version_5(void **state)
{
    fixture *f = *state;
    store_open_opts v5 = { .max_version = 5 };
    store *old;
    int version;
    int64_t pid;
    period_key sep = { PERIOD_MONTH, 2025, 9 };
    model_observation o, *hist;
    model_scheme *schemes;
    model_unit *members;
    model_contest c, *cs;
    size_t n;

    store_close(f->s);
    test_db_remove_files(f->path);
    assert_int_equal(store_open_with(f->path, &v5, &old), 0);
    assert_int_equal(store_schema_version(old, &version), 0);
    assert_int_equal(version, 5);
    seed_base(old);
    assert_int_equal(store_period_ensure(old, &sep, &pid), 0);
    assert_int_equal(store_schemes(old, &schemes, &n), 0);
    assert_int_equal(n, 1);
    SET(schemes[0].settings, "first_tier=5");
    assert_int_equal(store_scheme_put(old, &schemes[0], NULL), 0);
    free(schemes);
    memset(&o, 0, sizeof o);
    o.period_id = pid;
    o.value = 10;
    o.state = OBS_SUBMITTED;
    o.indicator_id = indicator_id(old, "GDP");
    o.unit_id = unit_id(old, "D01");
    assert_int_equal(store_observation_put(old, &o, "clerk", NULL), 0);
    o.value = 12;
    assert_int_equal(store_observation_put(old, &o, "clerk", NULL), 0);
    store_close(old);

    assert_int_equal(store_open(f->path, &f->s), 0);
    assert_int_equal(store_schema_version(f->s, &version), 0);
    assert_int_equal(version, store_latest_version());
    assert_true(version >= 6);
    assert_int_equal(store_observation_history(f->s, "GDP", "D01", "2025-09", &hist, &n), 0);
    assert_int_equal(n, 2);
    assert_true(hist[0].value == 10);
    assert_true(hist[1].value == 12);
    free(hist);
    assert_int_equal(store_schemes(f->s, &schemes, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(schemes[0].settings, "first_tier=5");
    free(schemes);
    assert_int_equal(store_group_members(f->s, "ECON", &members, &n), 0);
    assert_int_equal(n, 3);
    free(members);
    assert_int_equal(store_contests(f->s, NULL, &cs, &n), 0);
    assert_int_equal(n, 0);
    free(cs);
    put_category(f->s, "ECO", "经济指标", 1);
    c = make_contest("ECO-Q3", "2025-Q3");
    assert_int_equal(store_contest_put(f->s, &c, NULL), 0);
    assert_int_equal(store_contests(f->s, "2025-Q3", &cs, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(cs[0].scheme_code, "RACE2025");
    free(cs);
    /* opening again is a no-op */
    store_close(f->s);
    assert_int_equal(store_open(f->path, &f->s), 0);
    assert_int_equal(store_schema_version(f->s, &version), 0);
    assert_int_equal(version, store_latest_version());
    assert_int_equal(count_contests(f->s), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_category_round_trip, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_contest_round_trip, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_contests_by_period, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_contest_refusals, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_judge_scores, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_results_replace, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_flag_holders, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_event_round_trip, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_event_revoke, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_events_by_year, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_event_caps, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_awards, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_migration_from_version_5, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_race_get_by_code, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_race_put_results, test_db_setup, test_db_teardown),
    };
    return cmocka_run_group_tests_name("store_race", tests, NULL, NULL);
}
