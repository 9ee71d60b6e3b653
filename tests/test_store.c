/* test_store: round trips of every entity through the SQLite store, the revision history,
 * locks, transactions, migration of a version-1 database to the latest schema, gets by code,
 * put results, opening by URI, the change counter and the distinct error codes. */
#include "store/store.h"
#include "util/err.h"
#include "support.h"

#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* Each test works on a store of its own on a fresh temporary database. */
typedef test_db fixture;

static model_unit make_unit(const char *code, const char *name, int kind, const char *parent)
{
    model_unit u;
    memset(&u, 0, sizeof u);
    snprintf(u.code, sizeof u.code, "%s", code);
    snprintf(u.name, sizeof u.name, "%s", name);
    snprintf(u.parent_code, sizeof u.parent_code, "%s", parent);
    u.kind = kind;
    return u;
}

static model_indicator make_indicator(const char *code, const char *name)
{
    model_indicator ind;
    memset(&ind, 0, sizeof ind);
    snprintf(ind.code, sizeof ind.code, "%s", code);
    snprintf(ind.name, sizeof ind.name, "%s", name);
    snprintf(ind.measure, sizeof ind.measure, "亿元");
    ind.direction = DIR_HIGHER;
    ind.value_kind = VK_YTD;
    ind.precision = 2;
    ind.weight = 10;
    return ind;
}

/* Two regions, a town under the first, one indicator, and the month 2025-09. */
static void seed_basic(store *s, int64_t *period_id)
{
    model_unit a = make_unit("R01", "青山区", UNIT_REGION, ""), b = make_unit("R02", "临江区", UNIT_REGION, "");
    model_unit t = make_unit("T01", "东关街道", UNIT_TOWN, "R01");
    model_indicator gdp = make_indicator("GDP", "地区生产总值");
    period_key k = { PERIOD_MONTH, 2025, 9 };
    a.is_self = 1;
    assert_int_equal(store_unit_put(s, &a, NULL), 0);
    assert_int_equal(store_unit_put(s, &b, NULL), 0);
    assert_int_equal(store_unit_put(s, &t, NULL), 0);
    assert_int_equal(store_indicator_put(s, &gdp, NULL), 0);
    assert_int_equal(store_period_ensure(s, &k, period_id), 0);
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
    return id;
}

static model_observation make_obs(store *s, const char *ind, const char *u, int64_t pid, double v, int state)
{
    model_observation o;
    memset(&o, 0, sizeof o);
    o.indicator_id = indicator_id(s, ind);
    o.unit_id = unit_id(s, u);
    o.period_id = pid;
    o.value = v;
    o.state = state;
    return o;
}

static void test_unit_round_trip(void **state)
{
    fixture *f = *state;
    model_unit u = make_unit("R01", "青山区", UNIT_REGION, ""), *items;
    model_unit t = make_unit("T01", "东关街道", UNIT_TOWN, "R01");
    size_t n;
    snprintf(u.name_en, sizeof u.name_en, "Qingshan District");
    u.is_self = 1;
    u.sort_order = 3;
    assert_int_equal(store_unit_put(f->s, &u, NULL), 0);
    assert_int_equal(store_unit_put(f->s, &t, NULL), 0);
    /* An update by code changes the row instead of adding one. */
    snprintf(u.name, sizeof u.name, "青山新区");
    assert_int_equal(store_unit_put(f->s, &u, NULL), 0);
    assert_int_equal(store_units(f->s, &items, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(items[0].code, "T01"); /* sort order 0 before 3 */
    assert_string_equal(items[0].parent_code, "R01");
    assert_int_equal(items[0].kind, UNIT_TOWN);
    assert_string_equal(items[1].name, "青山新区");
    assert_string_equal(items[1].name_en, "Qingshan District");
    assert_int_equal(items[1].is_self, 1);
    assert_int_equal(items[1].sort_order, 3);
    free(items);
}

static void test_unit_unknown_parent(void **state)
{
    fixture *f = *state;
    model_unit t = make_unit("T01", "东关街道", UNIT_TOWN, "NOPE");
    assert_int_equal(store_unit_put(f->s, &t, NULL), ERR_NOTFOUND);
    assert_non_null(strstr(err_msg(), "NOPE"));
}

static void test_group_members_round_trip(void **state)
{
    fixture *f = *state;
    int64_t pid;
    model_group g, *gs;
    model_unit *members;
    size_t n;
    const char codes[2][MODEL_CODE_MAX] = { "R02", "R01" };
    seed_basic(f->s, &pid);
    memset(&g, 0, sizeof g);
    snprintf(g.code, sizeof g.code, "PEERS");
    snprintf(g.name, sizeof g.name, "市对区考核");
    snprintf(g.description, sizeof g.description, "12 区县");
    g.kind = GROUP_PEERS;
    assert_int_equal(store_group_put(f->s, &g, NULL), 0);
    assert_int_equal(store_group_set_members(f->s, "PEERS", codes, 2, NULL), 0);
    assert_int_equal(store_groups(f->s, &gs, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(gs[0].name, "市对区考核");
    assert_string_equal(gs[0].description, "12 区县");
    assert_int_equal(gs[0].kind, GROUP_PEERS);
    free(gs);
    assert_int_equal(store_group_members(f->s, "PEERS", &members, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(members[0].code, "R02"); /* the order given is kept */
    assert_string_equal(members[1].code, "R01");
    free(members);
    /* Replacing the members drops the old ones. */
    assert_int_equal(store_group_set_members(f->s, "PEERS", codes + 1, 1, NULL), 0);
    assert_int_equal(store_group_members(f->s, "PEERS", &members, &n), 0);
    assert_int_equal(n, 1);
    free(members);
    assert_int_equal(store_group_set_members(f->s, "PEERS", (const char(*)[MODEL_CODE_MAX]) "XX", 1, NULL),
                     ERR_NOTFOUND);
}

static void test_indicator_round_trip(void **state)
{
    fixture *f = *state;
    int64_t pid;
    model_indicator ind, *items;
    size_t n;
    seed_basic(f->s, &pid);
    ind = make_indicator("ENERGY", "单位GDP能耗");
    snprintf(ind.name_en, sizeof ind.name_en, "Energy per unit of GDP");
    snprintf(ind.measure, sizeof ind.measure, "吨标煤/万元");
    snprintf(ind.definition, sizeof ind.definition, "能源消费总量/地区生产总值");
    snprintf(ind.source, sizeof ind.source, "区统计局");
    snprintf(ind.lead_unit, sizeof ind.lead_unit, "R01");
    snprintf(ind.coop_units, sizeof ind.coop_units, "R02;T01");
    snprintf(ind.leader, sizeof ind.leader, "王副区长");
    ind.direction = DIR_LOWER;
    ind.value_kind = VK_RATIO;
    ind.category = CAT_NON_ECONOMIC;
    ind.precision = 4;
    ind.weight = 2.5;
    ind.method = METHOD_EFFICACY;
    ind.is_bonus = 1;
    ind.is_veto = 1;
    ind.sort_order = 9;
    assert_int_equal(store_indicator_put(f->s, &ind, NULL), 0);
    assert_int_equal(store_indicators(f->s, &items, &n), 0);
    assert_int_equal(n, 2);
    ind.id = items[1].id;
    assert_memory_equal(&items[1], &ind, sizeof ind);
    free(items);
    snprintf(ind.coop_units, sizeof ind.coop_units, "NOPE");
    assert_int_equal(store_indicator_put(f->s, &ind, NULL), ERR_NOTFOUND);
}

static void test_scheme_round_trip(void **state)
{
    fixture *f = *state;
    int64_t pid;
    model_group g;
    model_scheme sc, *schemes;
    model_scheme_item it, *items;
    size_t n;
    seed_basic(f->s, &pid);
    memset(&g, 0, sizeof g);
    snprintf(g.code, sizeof g.code, "PEERS");
    snprintf(g.name, sizeof g.name, "兄弟区县");
    assert_int_equal(store_group_put(f->s, &g, NULL), 0);
    memset(&sc, 0, sizeof sc);
    snprintf(sc.code, sizeof sc.code, "CITY2025");
    snprintf(sc.name, sizeof sc.name, "市对区考核方案");
    snprintf(sc.group_code, sizeof sc.group_code, "PEERS");
    snprintf(sc.grading, sizeof sc.grading, "优秀>=90;良好>=80");
    sc.period_kind = PERIOD_QUARTER;
    sc.total_weight = 100;
    assert_int_equal(store_scheme_put(f->s, &sc, NULL), 0);
    memset(&it, 0, sizeof it);
    snprintf(it.scheme_code, sizeof it.scheme_code, "CITY2025");
    snprintf(it.indicator_code, sizeof it.indicator_code, "GDP");
    snprintf(it.params, sizeof it.params, "step=5");
    it.weight = 100;
    it.method = METHOD_RANK;
    assert_int_equal(store_scheme_set_items(f->s, "CITY2025", &it, 1, NULL), 0);
    assert_int_equal(store_schemes(f->s, &schemes, &n), 0);
    assert_int_equal(n, 1);
    sc.id = schemes[0].id;
    assert_memory_equal(&schemes[0], &sc, sizeof sc);
    free(schemes);
    assert_int_equal(store_scheme_items(f->s, "CITY2025", &items, &n), 0);
    assert_int_equal(n, 1);
    assert_memory_equal(&items[0], &it, sizeof it);
    free(items);
    snprintf(sc.group_code, sizeof sc.group_code, "NOPE");
    assert_int_equal(store_scheme_put(f->s, &sc, NULL), ERR_NOTFOUND);
}

static void test_periods_and_targets(void **state)
{
    fixture *f = *state;
    int64_t pid, again, qid;
    period_key q = { PERIOD_QUARTER, 2025, 3 }, y = { PERIOD_YEAR, 2024, 1 };
    model_period *ps;
    model_target t, *ts;
    size_t n;
    seed_basic(f->s, &pid);
    assert_int_equal(store_period_ensure(f->s, &q, &qid), 0);
    assert_int_equal(store_period_ensure(f->s, &y, &again), 0);
    assert_int_equal(store_period_ensure(f->s, &q, &again), 0);
    assert_int_equal(again, qid); /* ensuring twice gives the same row */
    assert_int_equal(store_periods(f->s, &ps, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(ps[0].code, "2024"); /* ordered by end, then length */
    assert_string_equal(ps[1].code, "2025-09");
    assert_string_equal(ps[2].code, "2025-Q3");
    free(ps);
    memset(&t, 0, sizeof t);
    snprintf(t.indicator_code, sizeof t.indicator_code, "GDP");
    snprintf(t.unit_code, sizeof t.unit_code, "R01");
    snprintf(t.note, sizeof t.note, "年初目标");
    t.year = 2025;
    t.value = 612.5;
    assert_int_equal(store_target_put(f->s, &t, NULL), 0);
    t.value = 640; /* replacing keeps one row */
    assert_int_equal(store_target_put(f->s, &t, NULL), 0);
    assert_int_equal(store_targets(f->s, 2025, &ts, &n), 0);
    assert_int_equal(n, 1);
    assert_memory_equal(&ts[0], &t, sizeof t);
    free(ts);
    assert_int_equal(store_targets(f->s, 2024, &ts, &n), 0);
    assert_int_equal(n, 0);
    free(ts);
}

struct obs_rows {
    model_observation rows[8];
    int n;
};

static int keep_obs(const model_observation *o, void *ctx)
{
    struct obs_rows *r = ctx;
    if (r->n < 8)
        r->rows[r->n++] = *o;
    return 0;
}

static void test_observation_history(void **state)
{
    fixture *f = *state;
    int64_t pid, count;
    model_observation o, *hist;
    size_t n;
    enum store_put_result result;
    struct obs_rows rows = { .n = 0 };
    obs_filter all = store_filter_all();
    seed_basic(f->s, &pid);
    o = make_obs(f->s, "GDP", "R01", pid, 412.5, OBS_SUBMITTED);
    snprintf(o.note, sizeof o.note, "统计快报");
    assert_int_equal(store_observation_put(f->s, &o, "clerk1", &result), 0);
    assert_int_equal(result, STORE_INSERTED);
    assert_int_equal(store_observation_put(f->s, &o, "clerk1", &result), 0);
    assert_int_equal(result, STORE_UNCHANGED);
    o.value = 413.25;
    assert_int_equal(store_observation_put(f->s, &o, "clerk2", &result), 0);
    assert_int_equal(result, STORE_CHANGED);
    o.state = OBS_APPROVED;
    assert_int_equal(store_observation_put(f->s, &o, "office", &result), 0);
    assert_int_equal(result, STORE_CHANGED);

    assert_int_equal(store_observation_history(f->s, "GDP", "R01", "2025-09", &hist, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(hist[0].revision, 1);
    assert_true(hist[0].value == 412.5);
    assert_string_equal(hist[0].entered_by, "clerk1");
    assert_int_equal(hist[0].state, OBS_SUBMITTED);
    assert_true(hist[1].value == 413.25);
    assert_string_equal(hist[1].entered_by, "clerk2");
    assert_int_equal(hist[2].revision, 3);
    assert_int_equal(hist[2].state, OBS_APPROVED);
    assert_string_equal(hist[2].note, "统计快报");
    assert_true(hist[2].entered_at[0] != '\0');
    free(hist);

    assert_int_equal(store_observation_count(f->s, &count), 0);
    assert_int_equal(count, 1);
    assert_int_equal(store_observations_each(f->s, &all, keep_obs, &rows), 0);
    assert_int_equal(rows.n, 1);
    assert_string_equal(rows.rows[0].indicator_code, "GDP");
    assert_string_equal(rows.rows[0].unit_code, "R01");
    assert_string_equal(rows.rows[0].period_code, "2025-09");
    assert_int_equal(rows.rows[0].revision, 3);
}

static void test_observation_filter(void **state)
{
    fixture *f = *state;
    int64_t pid, qid;
    period_key q = { PERIOD_QUARTER, 2025, 3 };
    model_observation o;
    obs_filter flt = store_filter_all();
    struct obs_rows rows = { .n = 0 };
    seed_basic(f->s, &pid);
    assert_int_equal(store_period_ensure(f->s, &q, &qid), 0);
    o = make_obs(f->s, "GDP", "R01", pid, 1, OBS_SUBMITTED);
    assert_int_equal(store_observation_put(f->s, &o, "t", NULL), 0);
    o = make_obs(f->s, "GDP", "R02", pid, 2, OBS_SUBMITTED);
    assert_int_equal(store_observation_put(f->s, &o, "t", NULL), 0);
    o = make_obs(f->s, "GDP", "R02", qid, 3, OBS_SUBMITTED);
    assert_int_equal(store_observation_put(f->s, &o, "t", NULL), 0);
    snprintf(flt.unit_code, sizeof flt.unit_code, "R02");
    assert_int_equal(store_observations_each(f->s, &flt, keep_obs, &rows), 0);
    assert_int_equal(rows.n, 2);
    rows.n = 0;
    flt.period_kind = PERIOD_QUARTER;
    assert_int_equal(store_observations_each(f->s, &flt, keep_obs, &rows), 0);
    assert_int_equal(rows.n, 1);
    assert_true(rows.rows[0].value == 3);
    rows.n = 0;
    flt = store_filter_all();
    flt.year = 2024;
    assert_int_equal(store_observations_each(f->s, &flt, keep_obs, &rows), 0);
    assert_int_equal(rows.n, 0);
}

static void test_published_is_locked(void **state)
{
    fixture *f = *state;
    int64_t pid;
    model_observation o, *hist;
    size_t n;
    seed_basic(f->s, &pid);
    o = make_obs(f->s, "GDP", "R01", pid, 100, OBS_PUBLISHED);
    assert_int_equal(store_observation_put(f->s, &o, "office", NULL), 0);
    o.value = 101;
    assert_int_equal(store_observation_put(f->s, &o, "clerk", NULL), ERR_PUBLISHED);
    assert_int_equal(store_observation_history(f->s, "GDP", "R01", "2025-09", &hist, &n), 0);
    assert_int_equal(n, 1);
    assert_true(hist[0].value == 100);
    free(hist);
}

static void test_locked_period(void **state)
{
    fixture *f = *state;
    int64_t pid;
    period_key k = { PERIOD_MONTH, 2025, 9 };
    model_observation o;
    seed_basic(f->s, &pid);
    o = make_obs(f->s, "GDP", "R01", pid, 100, OBS_SUBMITTED);
    assert_int_equal(store_observation_put(f->s, &o, "clerk", NULL), 0);
    assert_int_equal(store_period_set_locked(f->s, &k, 1), 0);
    o.value = 7;
    assert_int_equal(store_observation_put(f->s, &o, "clerk", NULL), ERR_LOCKED);
    o = make_obs(f->s, "GDP", "R02", pid, 100, OBS_SUBMITTED);
    assert_int_equal(store_observation_put(f->s, &o, "clerk", NULL), ERR_LOCKED);
    assert_int_equal(store_period_set_locked(f->s, &k, 0), 0);
    assert_int_equal(store_observation_put(f->s, &o, "clerk", NULL), 0);
}

static void test_rollback_writes_nothing(void **state)
{
    fixture *f = *state;
    int64_t pid, count, qid;
    period_key q = { PERIOD_MONTH, 2025, 10 };
    model_observation o;
    model_period *ps;
    size_t n;
    seed_basic(f->s, &pid);
    assert_int_equal(store_begin(f->s), 0);
    assert_int_equal(store_begin(f->s), ERR_INTERNAL); /* one transaction at a time */
    assert_int_equal(store_period_ensure(f->s, &q, &qid), 0);
    o = make_obs(f->s, "GDP", "R01", qid, 5, OBS_SUBMITTED);
    assert_int_equal(store_observation_put(f->s, &o, "clerk", NULL), 0);
    assert_int_equal(store_rollback(f->s), 0);
    assert_int_equal(store_observation_count(f->s, &count), 0);
    assert_int_equal(count, 0);
    assert_int_equal(store_periods(f->s, &ps, &n), 0);
    assert_int_equal(n, 1);
    free(ps);
    assert_int_equal(store_begin(f->s), 0);
    o.period_id = pid;
    assert_int_equal(store_observation_put(f->s, &o, "clerk", NULL), 0);
    assert_int_equal(store_commit(f->s), 0);
    assert_int_equal(store_observation_count(f->s, &count), 0);
    assert_int_equal(count, 1);
}

/* The bulk path: full batches and a tail, the same history as one-by-one writes, and the
 * refusals of an existing row and of a locked period. */
static void test_bulk_insert(void **state)
{
    fixture *f = *state;
    int64_t pid, count;
    period_key k2 = { PERIOD_MONTH, 2025, 10 };
    obs_new rows[150];
    model_observation *hist;
    size_t n;
    char code[MODEL_CODE_MAX];
    seed_basic(f->s, &pid);
    for (int i = 0; i < 150; i++) {
        model_unit u;
        snprintf(code, sizeof code, "X%03d", i);
        u = make_unit(code, "区", UNIT_REGION, "");
        assert_int_equal(store_unit_put(f->s, &u, NULL), 0);
        rows[i].indicator_id = indicator_id(f->s, "GDP");
        rows[i].period_id = pid;
        rows[i].unit_id = unit_id(f->s, code);
        rows[i].value = i * 1.5;
        rows[i].state = OBS_SUBMITTED;
        rows[i].note = i == 149 ? "最后" : "";
    }
    /* out of key order (the store puts them in its own), each row must keep its value */
    for (int i = 0; i < 75; i++) {
        obs_new t = rows[i];
        rows[i] = rows[149 - i];
        rows[149 - i] = t;
    }
    for (int i = 0; i + 7 < 150; i += 7) {
        obs_new t = rows[i];
        rows[i] = rows[i + 3];
        rows[i + 3] = t;
    }
    assert_int_equal(store_begin(f->s), 0);
    assert_int_equal(store_observations_insert(f->s, rows, 150, "bulk"), 0);
    assert_int_equal(store_commit(f->s), 0);
    assert_int_equal(store_observation_count(f->s, &count), 0);
    assert_int_equal(count, 150);
    for (int i = 0; i < 150; i += 11) {
        snprintf(code, sizeof code, "X%03d", i);
        assert_int_equal(store_observation_history(f->s, "GDP", code, "2025-09", &hist, &n), 0);
        assert_int_equal(n, 1);
        assert_true(hist[0].value == i * 1.5);
        free(hist);
    }
    assert_int_equal(store_observation_history(f->s, "GDP", "X149", "2025-09", &hist, &n), 0);
    assert_int_equal(n, 1);
    assert_true(hist[0].value == 149 * 1.5);
    assert_string_equal(hist[0].note, "最后");
    assert_string_equal(hist[0].entered_by, "bulk");
    assert_int_equal(hist[0].revision, 1);
    free(hist);
    /* an existing row is a conflict, and the transaction leaves nothing behind */
    assert_int_equal(store_begin(f->s), 0);
    assert_int_equal(store_observations_insert(f->s, rows + 100, 1, "bulk"), ERR_CONFLICT);
    assert_int_equal(store_rollback(f->s), 0);
    /* a locked period refuses the whole write */
    assert_int_equal(store_period_ensure(f->s, &k2, &pid), 0);
    assert_int_equal(store_period_set_locked(f->s, &k2, 1), 0);
    for (int i = 0; i < 150; i++)
        rows[i].period_id = pid;
    assert_int_equal(store_observations_insert(f->s, rows, 150, "bulk"), ERR_LOCKED);
    assert_int_equal(store_period_set_locked(f->s, &k2, 0), 0);
    assert_int_equal(store_observation_count(f->s, &count), 0);
    assert_int_equal(count, 150);
}

/* A bulk transaction: the database checks no foreign keys, so the store refuses rows naming
 * an indicator, period or unit that does not exist, writes good ones, and turns the checks
 * back on when the transaction ends (committed or rolled back). */
static void test_bulk_transaction_checks_references(void **state)
{
    fixture *f = *state;
    int64_t pid, count;
    obs_new rows[3];
    struct { int field; int64_t bad; } cases[] = { { 0, 987654 }, { 1, 987654 }, { 2, 987654 } };
    seed_basic(f->s, &pid);
    for (int i = 0; i < 3; i++) {
        rows[i] = (obs_new){ indicator_id(f->s, "GDP"), pid, unit_id(f->s, i == 0 ? "R01" : i == 1 ? "R02" : "T01"),
                             10.0 + i, OBS_SUBMITTED, "" };
    }
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        obs_new bad[3];
        memcpy(bad, rows, sizeof bad);
        if (cases[c].field == 0)
            bad[1].indicator_id = cases[c].bad;
        else if (cases[c].field == 1)
            bad[1].period_id = cases[c].bad;
        else
            bad[1].unit_id = cases[c].bad;
        assert_int_equal(store_begin_bulk(f->s), 0);
        assert_int_equal(store_observations_insert(f->s, bad, 3, "bulk"), ERR_CONSTRAINT);
        assert_int_equal(store_rollback(f->s), 0);
        /* the database's own checks are on again: a plain transaction is refused too */
        assert_int_equal(store_begin(f->s), 0);
        assert_int_equal(store_observations_insert(f->s, bad, 3, "plain"), ERR_CONSTRAINT);
        assert_int_equal(store_rollback(f->s), 0);
    }
    assert_int_equal(store_observation_count(f->s, &count), 0);
    assert_int_equal(count, 0);
    assert_int_equal(store_begin_bulk(f->s), 0);
    assert_int_equal(store_observations_insert(f->s, rows, 3, "bulk"), 0);
    assert_int_equal(store_commit(f->s), 0);
    assert_int_equal(store_observation_count(f->s, &count), 0);
    assert_int_equal(count, 3);
    /* after the commit as after a rollback */
    rows[0].period_id = 987654;
    assert_int_equal(store_begin(f->s), 0);
    assert_int_equal(store_observations_insert(f->s, rows, 1, "plain"), ERR_CONSTRAINT);
    assert_int_equal(store_rollback(f->s), 0);
    /* one transaction at a time */
    assert_int_equal(store_begin(f->s), 0);
    assert_int_equal(store_begin_bulk(f->s), ERR_INTERNAL);
    assert_int_equal(store_rollback(f->s), 0);
}

static void test_flags_users_audit(void **state)
{
    fixture *f = *state;
    int64_t pid;
    model_observation o;
    model_obs_flag *flags;
    model_user u, *users;
    model_audit_entry *log;
    size_t n;
    seed_basic(f->s, &pid);
    o = make_obs(f->s, "GDP", "R01", pid, 5, OBS_SUBMITTED);
    assert_int_equal(store_observation_put(f->s, &o, "clerk", NULL), 0);
    assert_int_equal(store_flag_add(f->s, &o, "outlier", "far from history"), 0);
    assert_int_equal(store_flags(f->s, 1, &flags, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(flags[0].rule, "outlier");
    assert_string_equal(flags[0].unit_code, "R01");
    assert_string_equal(flags[0].period_code, "2025-09");
    assert_string_equal(flags[0].status, "open");
    assert_true(flags[0].value == 5);
    free(flags);

    memset(&u, 0, sizeof u);
    snprintf(u.login, sizeof u.login, "clerk1");
    snprintf(u.display_name, sizeof u.display_name, "李填报");
    u.role = ROLE_REPORTER;
    /* a reporter needs a unit: the use-case layer's rule (app_user_check_new), and the
     * database's CHECK behind it */
    assert_int_equal(store_user_put(f->s, &u, NULL), ERR_CONSTRAINT);
    snprintf(u.unit_code, sizeof u.unit_code, "R01");
    assert_int_equal(store_user_put(f->s, &u, NULL), 0);
    assert_int_equal(store_users(f->s, &users, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(users[0].unit_code, "R01");
    assert_int_equal(users[0].role, ROLE_REPORTER);
    {
        model_user one;
        assert_int_equal(store_user_get(f->s, "clerk1", &one), 0);
        assert_memory_equal(&one, &users[0], sizeof one);
        assert_int_equal(store_user_get(f->s, "nobody", &one), ERR_NOTFOUND);
    }
    free(users);

    assert_int_equal(store_audit_add(f->s, "office", "import", "observations", "a.csv: 3 rows"), 0);
    assert_int_equal(store_audit_add(f->s, "office", "import", "targets", "b.csv: 1 row"), 0);
    assert_int_equal(store_audits(f->s, 1, &log, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(log[0].entity, "targets"); /* newest first */
    free(log);
}

/* A database made by schema version 1 upgrades to the latest without losing anything. */
static void test_migration_from_version_1(void **state)
{
    fixture *f = *state;
    store_open_opts v1 = { .max_version = 1 };
    store *old;
    int64_t pid;
    int version;
    model_observation o, *hist;
    size_t n;
    model_period *ps;
    model_user u, *users;

    store_close(f->s);
    test_db_remove_files(f->path);
    assert_int_equal(store_open_with(f->path, &v1, &old), 0);
    assert_int_equal(store_schema_version(old, &version), 0);
    assert_int_equal(version, 1);
    seed_basic(old, &pid);
    o = make_obs(old, "GDP", "R01", pid, 10, OBS_SUBMITTED);
    assert_int_equal(store_observation_put(old, &o, "clerk", NULL), 0);
    o.value = 11;
    assert_int_equal(store_observation_put(old, &o, "clerk", NULL), 0);
    store_close(old);

    assert_int_equal(store_open(f->path, &f->s), 0);
    assert_int_equal(store_schema_version(f->s, &version), 0);
    assert_int_equal(version, store_latest_version());
    assert_true(version > 1);
    assert_int_equal(store_observation_history(f->s, "GDP", "R01", "2025-09", &hist, &n), 0);
    assert_int_equal(n, 2);
    assert_true(hist[0].value == 10);
    assert_true(hist[1].value == 11);
    free(hist);
    assert_int_equal(store_periods(f->s, &ps, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(ps[0].deadline, ""); /* the column added by version 2 */
    free(ps);
    memset(&u, 0, sizeof u);
    snprintf(u.login, sizeof u.login, "admin");
    u.role = ROLE_ADMIN;
    assert_int_equal(store_user_put(f->s, &u, NULL), 0); /* tables of later versions exist */
    assert_int_equal(store_users(f->s, &users, &n), 0);
    assert_int_equal(n, 1);
    free(users);
    /* Opening again is a no-op. */
    store_close(f->s);
    assert_int_equal(store_open(f->path, &f->s), 0);
    assert_int_equal(store_schema_version(f->s, &version), 0);
    assert_int_equal(version, store_latest_version());
}

static void test_unopenable_path(void **state)
{
    store *s = NULL;
    (void)state;
    assert_int_equal(store_open("/nonexistent-dir/x/saima.db", &s), ERR_IO);
    assert_non_null(strstr(err_msg(), "/nonexistent-dir/x/saima.db"));
    store_close(NULL);
}

/* Every reference entity comes back by its code, and an unknown code is ERR_NOTFOUND. */
static void test_get_by_code(void **state)
{
    fixture *f = *state;
    const char members[1][MODEL_CODE_MAX] = { "R01" };
    period_key k = { PERIOD_MONTH, 2025, 9 }, absent = { PERIOD_MONTH, 2025, 10 };
    model_unit u;
    model_group g;
    model_indicator ind;
    model_scheme sc;
    model_period p;
    model_user user;
    int64_t pid;
    memset(&g, 0, sizeof g);
    seed_basic(f->s, &pid);
    snprintf(g.name, sizeof g.name, "兄弟区县");
    snprintf(g.code, sizeof g.code, "PEERS");
    assert_int_equal(store_group_put(f->s, &g, NULL), 0);
    assert_int_equal(store_group_set_members(f->s, "PEERS", members, 1, NULL), 0);
    memset(&sc, 0, sizeof sc);
    snprintf(sc.code, sizeof sc.code, "CITY");
    snprintf(sc.group_code, sizeof sc.group_code, "PEERS");
    sc.period_kind = PERIOD_QUARTER;
    assert_int_equal(store_scheme_put(f->s, &sc, NULL), 0);

    assert_int_equal(store_unit_get(f->s, "T01", &u), 0);
    assert_true(u.id == unit_id(f->s, "T01") && strcmp(u.parent_code, "R01") == 0);
    assert_int_equal(store_group_get(f->s, "PEERS", &g), 0);
    assert_int_equal(store_indicator_get(f->s, "GDP", &ind), 0);
    assert_int_equal(store_scheme_get(f->s, "CITY", &sc), 0);
    assert_string_equal(g.name, "兄弟区县");
    assert_true(ind.precision == 2 && strcmp(ind.name, "地区生产总值") == 0);
    assert_true(sc.period_kind == PERIOD_QUARTER && strcmp(sc.group_code, "PEERS") == 0);
    assert_int_equal(store_unit_get(f->s, "R99", &u), ERR_NOTFOUND);
    assert_non_null(strstr(err_msg(), "R99"));
    assert_int_equal(store_group_get(f->s, "NOPE", &g), ERR_NOTFOUND);
    assert_int_equal(store_indicator_get(f->s, "NOPE", &ind), ERR_NOTFOUND);
    assert_int_equal(store_scheme_get(f->s, "NOPE", &sc), ERR_NOTFOUND);
    assert_int_equal(store_period_get(f->s, &k, &p), 0);
    assert_true(p.id == pid);
    assert_string_equal(p.code, "2025-09");
    assert_int_equal(store_period_get(f->s, &absent, &p), ERR_NOTFOUND);
    assert_int_equal(store_period_get_code(f->s, "2025年9月", &p), 0); /* any accepted form */
    assert_true(p.id == pid);
    assert_int_equal(store_period_get_code(f->s, "2025-10", &p), ERR_NOTFOUND);
    assert_int_equal(store_period_get_code(f->s, "someday", &p), ERR_DATA);
    memset(&user, 0, sizeof user);
    snprintf(user.login, sizeof user.login, "admin");
    user.role = ROLE_ADMIN;
    assert_int_equal(store_user_put(f->s, &user, NULL), 0);
    assert_int_equal(store_user_get(f->s, "admin", &user), 0);
    assert_int_equal(user.role, ROLE_ADMIN);
    assert_int_equal(store_user_get(f->s, "nobody", &user), ERR_NOTFOUND);
}

/* Each put of reference data, targets, observations and users says what it did. */
static void test_put_results(void **state)
{
    fixture *f = *state;
    const char two[2][MODEL_CODE_MAX] = { "R01", "R02" };
    model_unit u = make_unit("R03", "东湖区", UNIT_REGION, "");
    model_indicator ind = make_indicator("FAI", "固定资产投资");
    model_group g;
    model_scheme sc;
    model_scheme_item it;
    model_target t;
    model_observation o;
    model_user user;
    int64_t pid;
    seed_basic(f->s, &pid);
    TEST_PUT_CYCLE(store_unit_put(f->s, &u, &test_put_result),
                   snprintf(u.parent_code, sizeof u.parent_code, "R01"));

    memset(&g, 0, sizeof g);
    snprintf(g.code, sizeof g.code, "PEERS");
    TEST_PUT_CYCLE(store_group_put(f->s, &g, &test_put_result), g.kind = GROUP_KIND_N - 1);
    TEST_PUT_IS(store_group_set_members(f->s, "PEERS", two, 2, &test_put_result), STORE_CHANGED);
    TEST_PUT_IS(store_group_set_members(f->s, "PEERS", two, 2, &test_put_result), STORE_UNCHANGED);
    TEST_PUT_IS(store_group_set_members(f->s, "PEERS", two + 1, 1, &test_put_result), STORE_CHANGED);

    /* only the cooperating units change */
    TEST_PUT_CYCLE(store_indicator_put(f->s, &ind, &test_put_result),
                   snprintf(ind.coop_units, sizeof ind.coop_units, "R02;R01"));
    TEST_PUT_IS(store_indicator_put(f->s, &ind, &test_put_result), STORE_UNCHANGED);
    ind.weight = 3;
    TEST_PUT_IS(store_indicator_put(f->s, &ind, &test_put_result), STORE_CHANGED);

    memset(&sc, 0, sizeof sc);
    snprintf(sc.code, sizeof sc.code, "CITY");
    snprintf(sc.group_code, sizeof sc.group_code, "PEERS");
    TEST_PUT_CYCLE(store_scheme_put(f->s, &sc, &test_put_result),
                   snprintf(sc.settings, sizeof sc.settings, "first_tier=5"));
    memset(&it, 0, sizeof it);
    snprintf(it.indicator_code, sizeof it.indicator_code, "GDP");
    it.weight = 100;
    TEST_PUT_IS(store_scheme_set_items(f->s, "CITY", &it, 1, &test_put_result), STORE_CHANGED);
    TEST_PUT_IS(store_scheme_set_items(f->s, "CITY", &it, 1, &test_put_result), STORE_UNCHANGED);
    snprintf(it.params, sizeof it.params, "step=5");
    TEST_PUT_IS(store_scheme_set_items(f->s, "CITY", &it, 1, &test_put_result), STORE_CHANGED);

    memset(&t, 0, sizeof t);
    snprintf(t.indicator_code, sizeof t.indicator_code, "GDP");
    snprintf(t.unit_code, sizeof t.unit_code, "R01");
    t.year = 2025;
    t.value = 8;
    TEST_PUT_CYCLE(store_target_put(f->s, &t, &test_put_result),
                   snprintf(t.note, sizeof t.note, "年初目标"));

    o = make_obs(f->s, "GDP", "R01", pid, 100, OBS_DRAFT);
    TEST_PUT_CYCLE(store_observation_put(f->s, &o, "clerk", &test_put_result), o.value = 101);

    memset(&user, 0, sizeof user);
    snprintf(user.login, sizeof user.login, "lead");
    user.role = ROLE_LEADER;
    TEST_PUT_CYCLE(store_user_put(f->s, &user, &test_put_result), user.disabled = 1);
}

/* A published value and a locked period are refused with codes of their own. */
static void test_published_and_locked_codes(void **state)
{
    fixture *f = *state;
    period_key k = { PERIOD_MONTH, 2025, 9 };
    model_observation pub, draft;
    int64_t pid;
    seed_basic(f->s, &pid);
    pub = make_obs(f->s, "GDP", "R01", pid, 100, OBS_PUBLISHED);
    draft = make_obs(f->s, "GDP", "R02", pid, 50, OBS_DRAFT);
    assert_int_equal(store_observation_put(f->s, &pub, "office", NULL), 0);
    assert_int_equal(store_observation_put(f->s, &draft, "clerk", NULL), 0);
    pub.value = 99;
    assert_int_equal(store_observation_put(f->s, &pub, "clerk", NULL), ERR_PUBLISHED);
    draft.value = 51;
    assert_int_equal(store_observation_put(f->s, &draft, "clerk", NULL), 0);
    assert_int_equal(store_period_set_locked(f->s, &k, 1), 0);
    draft.value = 52;
    assert_int_equal(store_observation_put(f->s, &draft, "clerk", NULL), ERR_LOCKED);
    assert_int_not_equal(ERR_PUBLISHED, ERR_LOCKED);
    assert_int_equal(err_http_status(ERR_PUBLISHED), 423);
    assert_int_equal(err_exit_code(ERR_PUBLISHED), 2);
    assert_int_equal(err_http_status(ERR_CONSTRAINT), 422);
    assert_int_equal(err_exit_code(ERR_CONSTRAINT), 2);
}

/* sqlite:path and a bare path open the same database; PostgreSQL is refused for now. */
static void test_open_uri(void **state)
{
    fixture *f = *state;
    char uri[sizeof f->path + 8];
    store *other = NULL;
    model_unit u;
    int64_t pid;
    seed_basic(f->s, &pid);
    snprintf(uri, sizeof uri, "sqlite:%s", f->path);
    assert_int_equal(store_open(uri, &other), 0);
    assert_int_equal(store_unit_get(other, "R01", &u), 0); /* the same file */
    store_close(other);
    other = NULL;
    assert_int_equal(store_open("postgres://saima@localhost/saima", &other), ERR_USAGE);
    assert_non_null(strstr(err_msg(), "PostgreSQL"));
    assert_int_equal(store_open("postgresql://localhost/saima", &other), ERR_USAGE);
    assert_int_equal(store_open("mysql://localhost/saima", &other), ERR_USAGE);
    assert_int_equal(store_open("", &other), ERR_USAGE);
    assert_null(other);
    /* opening one that must exist creates nothing when it does not */
    {
        store_open_opts o = { .must_exist = 1 };
        char missing[sizeof f->path + 16], missing_uri[sizeof missing + 8];
        snprintf(missing, sizeof missing, "%s.missing", f->path);
        snprintf(missing_uri, sizeof missing_uri, "sqlite:%s", missing);
        assert_int_equal(store_open_with(missing_uri, &o, &other), ERR_NOTFOUND);
        assert_int_equal(access(missing, F_OK), -1);
        assert_int_equal(store_open_with(f->path, &o, &other), 0);
        store_close(other);
    }
}

/* The change counter moves when another connection commits, and when this one writes;
 * it stays while nothing is committed. */
static void test_change_counter(void **state)
{
    fixture *f = *state;
    model_unit u = make_unit("R09", "新区", UNIT_REGION, "");
    store *other;
    long long a, b, c;
    assert_int_equal(store_open(f->path, &other), 0);
    assert_int_equal(store_change_counter(f->s, &a), 0);
    assert_int_equal(store_change_counter(f->s, &b), 0);
    assert_true(a == b);
    assert_int_equal(store_begin(other), 0);
    assert_int_equal(store_unit_put(other, &u, NULL), 0);
    assert_int_equal(store_change_counter(f->s, &b), 0);
    assert_true(a == b); /* not committed yet */
    assert_int_equal(store_commit(other), 0);
    assert_int_equal(store_change_counter(f->s, &b), 0);
    assert_true(a != b);
    snprintf(u.name, sizeof u.name, "东新区");
    assert_int_equal(store_unit_put(f->s, &u, NULL), 0);
    assert_int_equal(store_change_counter(f->s, &c), 0);
    assert_true(c != b);
    store_close(other);
}

/* Runs SQL on a connection of the test's own, as a program other than saima would. */
static void raw_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* Each concern's counter moves with a committed write of that concern only, from this handle
 * or another, in a transaction or outside one; a rollback moves none; SQL from another
 * program moves other. */
static void test_changes_by_concern(void **state)
{
    fixture *f = *state;
    model_unit u = make_unit("R09", "新区", UNIT_REGION, "");
    model_user user;
    store *other;
    sqlite3 *raw;
    store_changes a, b;
    assert_int_equal(store_open(f->path, &other), 0);
    assert_int_equal(store_changes_read(f->s, &a), 0);
    assert_int_equal(store_changes_read(f->s, &b), 0);
    assert_memory_equal(&a, &b, sizeof a);
    /* another handle's transaction: reference data only */
    assert_int_equal(store_begin(other), 0);
    assert_int_equal(store_unit_put(other, &u, NULL), 0);
    assert_int_equal(store_changes_read(f->s, &b), 0);
    assert_memory_equal(&a, &b, sizeof a); /* not committed yet */
    assert_int_equal(store_commit(other), 0);
    assert_int_equal(store_changes_read(f->s, &b), 0);
    assert_true(b.n[STORE_REF] > a.n[STORE_REF]);
    for (int c = STORE_OBS; c < STORE_NCONCERNS; c++)
        assert_true(b.n[c] == a.n[c]);
    assert_true(b.other == a.other);
    /* a write outside a transaction is seen as other until its handle counts it (at its next
     * begin, changes() or close) */
    a = b;
    snprintf(u.name, sizeof u.name, "东新区");
    assert_int_equal(store_unit_put(other, &u, NULL), 0);
    assert_int_equal(store_changes_read(f->s, &b), 0);
    assert_true(b.other > a.other);
    a = b;
    assert_int_equal(store_changes_read(other, &b), 0);
    assert_int_equal(store_changes_read(f->s, &b), 0);
    assert_true(b.n[STORE_REF] > a.n[STORE_REF] && b.other == a.other);
    /* a rollback counts nothing, here or there */
    a = b;
    assert_int_equal(store_begin(f->s), 0);
    snprintf(u.name, sizeof u.name, "西新区");
    assert_int_equal(store_unit_put(f->s, &u, NULL), 0);
    assert_int_equal(store_rollback(f->s), 0);
    assert_int_equal(store_changes_read(f->s, &b), 0);
    assert_memory_equal(&a, &b, sizeof a);
    /* this handle's own write of an account */
    memset(&user, 0, sizeof user);
    snprintf(user.login, sizeof user.login, "clerk");
    snprintf(user.display_name, sizeof user.display_name, "clerk");
    user.role = ROLE_ADMIN;
    assert_int_equal(store_begin(f->s), 0);
    assert_int_equal(store_user_put(f->s, &user, NULL), 0);
    assert_int_equal(store_commit(f->s), 0);
    assert_int_equal(store_changes_read(f->s, &b), 0);
    assert_true(b.n[STORE_ACCT] > a.n[STORE_ACCT] && b.n[STORE_REF] == a.n[STORE_REF]);
    assert_true(b.other == a.other);
    /* SQL from another program moves no counter: other moves */
    a = b;
    assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
    raw_exec(raw, "UPDATE units SET name = '北新区' WHERE code = 'R09'");
    assert_int_equal(store_changes_read(f->s, &b), 0);
    assert_true(b.other > a.other);
    assert_memory_equal(a.n, b.n, sizeof a.n);
    sqlite3_close(raw);
    store_close(other);
}

/* A write meeting another connection's write lock waits for it up to the busy time, then is
 * ERR_BUSY (not ERR_DB); once the lock is gone it goes through. */
static void test_busy(void **state)
{
    fixture *f = *state;
    store_open_opts o = { .busy_ms = 100 };
    model_unit u = make_unit("R08", "北区", UNIT_REGION, "");
    struct timespec t0, t1;
    store *waits;
    sqlite3 *raw;
    long ms;
    assert_int_equal(store_open_with(f->path, &o, &waits), 0);
    assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
    raw_exec(raw, "BEGIN IMMEDIATE");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(store_begin(waits), ERR_BUSY);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= 90);
    assert_int_equal(store_unit_put(waits, &u, NULL), ERR_BUSY);
    raw_exec(raw, "ROLLBACK");
    assert_int_equal(store_begin(waits), 0);
    assert_int_equal(store_unit_put(waits, &u, NULL), 0);
    assert_int_equal(store_commit(waits), 0);
    sqlite3_close(raw);
    store_close(waits);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unit_round_trip, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_unit_unknown_parent, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_group_members_round_trip, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_indicator_round_trip, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_scheme_round_trip, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_periods_and_targets, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_observation_history, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_observation_filter, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_published_is_locked, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_locked_period, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_rollback_writes_nothing, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_bulk_insert, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_bulk_transaction_checks_references, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_flags_users_audit, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_migration_from_version_1, test_db_setup, test_db_teardown),
        cmocka_unit_test(test_unopenable_path),
        cmocka_unit_test_setup_teardown(test_get_by_code, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_put_results, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_published_and_locked_codes, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_open_uri, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_change_counter, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_changes_by_concern, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_busy, test_db_setup, test_db_teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
