/* test_query: the shared query layer on the demo city — rankings checked against ranks worked
 * out here from the raw observations, the heatmap, trend and movers agreeing with the
 * rankings, the leaders' summary and the warnings' order, scores against explanations, what
 * published_only hides, bad options (ERR_USAGE) and unknown codes (ERR_NOTFOUND), events
 * recorded with their audit lines, and the reference reads: lists by window, entities with
 * their children, and which observations the public, a reporter and an admin see. */
#include "support.h"
#include "io/demo.h"
#include "app/app.h"
#include "util/err.h"

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

static test_db g_db;

static int setup(void **state)
{
    demo_opts d = { .as_of = { PERIOD_MONTH, 2026, 10 }, .seed = DEMO_SEED_DEFAULT,
                      .entry = app_demo_entry };
    (void)state;
    return test_db_open(&g_db) == 0 && demo_build(g_db.s, &d) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    test_db_close(&g_db);
    return 0;
}

static app_ctx ctx(int published_only)
{
    app_ctx q = { .s = g_db.s, .published_only = published_only, .actor = "tester" };
    return q;
}

/* Runs fn and returns its result, failing the test on an error. */
static json_t *must(int (*fn)(const app_ctx *, const app_params *, json_t **), int published_only,
                    const app_params *p)
{
    app_ctx q = ctx(published_only);
    json_t *out = NULL;
    int rc = fn(&q, p, &out);
    if (rc != 0)
        fail_msg("query failed: %d %s", rc, err_msg());
    assert_non_null(out);
    return out;
}

static json_t *row_of(json_t *rows, const char *key, const char *code)
{
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        if (strcmp(json_string_value(json_object_get(r, key)), code) == 0)
            return r;
    }
    fail_msg("no row with %s '%s'", key, code);
    return NULL;
}

/* ---- rankings against ranks counted by hand ---- */

typedef struct raw {
    char unit[32][MODEL_CODE_MAX];
    double value[32];
    size_t n;
} raw;

static int collect(const model_observation *o, void *arg)
{
    raw *r = arg;
    if (r->n < 32) {
        snprintf(r->unit[r->n], MODEL_CODE_MAX, "%s", o->unit_code);
        r->value[r->n++] = o->value;
    }
    return 0;
}

static void test_rankings_by_hand(void **state)
{
    app_params p = { NULL, NULL, "gdp", NULL, NULL, NULL, NULL };
    json_t *res = must(app_rankings, 0, &p), *rows = json_object_get(res, "rows"), *r;
    obs_filter f = store_filter_all();
    raw obs = { .n = 0 };
    size_t i, ranked = 0;
    long long last = 0;
    (void)state;
    assert_string_equal(json_string_value(json_object_get(json_object_get(res, "group"), "code")), "yz_peers");
    assert_string_equal(json_string_value(json_object_get(res, "period")), "2026-10");
    assert_false(json_is_true(json_object_get(res, "published_only")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(res, "indicator"), "direction")), "higher");
    assert_int_equal(json_array_size(rows), 12); /* every peer, the unranked last */
    /* the rank of each unit is 1 + the units with a strictly larger value (2 decimals) */
    snprintf(f.indicator_code, sizeof f.indicator_code, "gdp");
    snprintf(f.period_code, sizeof f.period_code, "2026-10");
    assert_int_equal(store_observations_each(g_db.s, &f, collect, &obs), 0);
    assert_true(obs.n > 3);
    for (size_t k = 0; k < obs.n; k++) {
        long long better = 0;
        for (size_t j = 0; j < obs.n; j++)
            better += round(obs.value[j] * 100) > round(obs.value[k] * 100);
        r = row_of(rows, "unit", obs.unit[k]);
        assert_int_equal(json_integer_value(json_object_get(r, "rank")), better + 1);
        assert_true(fabs(json_real_value(json_object_get(r, "value")) - obs.value[k]) < 1e-9);
    }
    json_array_foreach(rows, i, r) {
        json_t *rank = json_object_get(r, "rank");
        if (json_is_null(rank))
            continue;
        assert_true(json_integer_value(rank) >= last);
        last = json_integer_value(rank);
        ranked++;
    }
    assert_int_equal(ranked, obs.n);
    json_decref(res);
}

/* ---- heatmap, trend and movers agree with the rankings ---- */

/* The heatmap's value of one field at (indicator i, unit u). */
static json_t *heat_at(json_t *cells, const char *field, size_t i, size_t u)
{
    return json_array_get(json_array_get(json_object_get(cells, field), i), u);
}

static void test_heatmap_matches_rankings(void **state)
{
    static const char *const fields[] = { "rank", "ties", "tier", "value", "move_prev" };
    app_params p = { NULL, NULL, NULL, NULL, NULL, NULL, NULL };
    json_t *heat = must(app_heatmap, 0, &p), *units = json_object_get(heat, "units");
    json_t *inds = json_object_get(heat, "indicators"), *cells = json_object_get(heat, "cells");
    size_t u, i, self = 0, gdp = 0, nself = 0;
    json_t *x;
    (void)state;
    assert_int_equal(json_array_size(units), 12);
    assert_int_equal(json_object_size(cells), 5);
    for (size_t k = 0; k < 5; k++)
        assert_int_equal(json_array_size(json_object_get(cells, fields[k])), json_array_size(inds));
    json_array_foreach(units, u, x) {
        if (json_is_true(json_object_get(x, "is_self"))) {
            self = u;
            nself++;
        }
    }
    assert_int_equal(nself, 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(units, self), "code")), "linjiang");
    json_array_foreach(inds, i, x) {
        if (strcmp(json_string_value(json_object_get(x, "code")), "gdp") == 0)
            gdp = i;
        for (size_t k = 0; k < 5; k++)
            assert_int_equal(json_array_size(json_array_get(json_object_get(cells, fields[k]), i)), 12);
    }
    /* every indicator: each cell is the rank row of that unit, every field null when unranked */
    json_array_foreach(inds, i, x) {
        app_params rp = { NULL, NULL, json_string_value(json_object_get(x, "code")), NULL, NULL, NULL, NULL };
        json_t *rank = must(app_rankings, 0, &rp), *member;
        json_array_foreach(units, u, member) {
            json_t *row = row_of(json_object_get(rank, "rows"), "unit", json_string_value(json_object_get(member, "code")));
            int ranked = !json_is_null(json_object_get(row, "rank"));
            for (size_t k = 0; k < 5; k++) {
                json_t *cell = heat_at(cells, fields[k], i, u);
                assert_non_null(cell);
                if (!ranked)
                    assert_true(json_is_null(cell));
                else
                    assert_true(json_equal(cell, json_object_get(row, fields[k])));
            }
        }
        json_decref(rank);
    }
    assert_true(json_is_integer(heat_at(cells, "rank", gdp, self)));
    json_decref(heat);
}

static void test_trend_ends_at_rankings(void **state)
{
    app_params p = { NULL, "2026-06", "gdp", NULL, NULL, NULL, NULL };
    json_t *trend = must(app_trend, 0, &p), *rank = must(app_rankings, 0, &p);
    json_t *months = json_object_get(trend, "months"), *last, *row;
    (void)state;
    assert_string_equal(json_string_value(json_object_get(json_object_get(trend, "unit"), "code")), "linjiang");
    assert_int_equal(json_array_size(months), 24);
    assert_string_equal(json_string_value(json_object_get(json_array_get(months, 0), "period")), "2024-07");
    last = json_array_get(months, 23);
    assert_string_equal(json_string_value(json_object_get(last, "period")), "2026-06");
    row = row_of(json_object_get(rank, "rows"), "unit", "linjiang");
    assert_true(json_equal(json_object_get(last, "value"), json_object_get(row, "value")));
    assert_true(json_equal(json_object_get(last, "rank"), json_object_get(row, "rank")));
    assert_true(json_equal(json_object_get(last, "target"), json_object_get(row, "target")));
    /* a month of last year carries last year's target, not this year's */
    assert_false(json_equal(json_object_get(json_array_get(months, 11), "target"), json_object_get(row, "target")));
    /* the month before: its rank is the rankings' rank_prev */
    assert_true(json_equal(json_object_get(json_array_get(months, 22), "rank"), json_object_get(row, "rank_prev")));
    json_decref(trend);
    json_decref(rank);
}

static long long abs_ll(long long v)
{
    return v < 0 ? -v : v;
}

static void test_movers_sorted(void **state)
{
    app_params p = { NULL, NULL, NULL, NULL, NULL, NULL, "1000" };
    json_t *res = must(app_movers, 0, &p), *rows = json_object_get(res, "rows"), *r;
    long long prev = -1;
    size_t i;
    (void)state;
    assert_true(json_array_size(rows) > 1);
    json_array_foreach(rows, i, r) {
        long long m = json_integer_value(json_object_get(r, "move_prev"));
        app_params rp = { NULL, NULL, json_string_value(json_object_get(r, "indicator")), NULL, NULL, NULL, NULL };
        json_t *rank = must(app_rankings, 0, &rp);
        json_t *row = row_of(json_object_get(rank, "rows"), "unit", json_string_value(json_object_get(r, "unit")));
        assert_true(m != 0);
        assert_true(prev < 0 || abs_ll(m) <= prev);
        prev = abs_ll(m);
        assert_true(json_equal(json_object_get(row, "move_prev"), json_object_get(r, "move_prev")));
        assert_int_equal(json_integer_value(json_object_get(r, "rank_prev")) - m,
                         json_integer_value(json_object_get(r, "rank")));
        json_decref(rank);
    }
    json_decref(res);
    p.limit = "3";
    res = must(app_movers, 0, &p);
    assert_int_equal(json_array_size(json_object_get(res, "rows")), 3);
    json_decref(res);
}

/* ---- gaps, warnings, scores ---- */

static void test_gaps_summary(void **state)
{
    app_params p = { NULL, NULL, NULL, NULL, NULL, NULL, NULL };
    json_t *res = must(app_gaps, 0, &p), *rows = json_object_get(res, "indicators"), *r;
    json_t *sm = json_object_get(res, "summary");
    int first = 0, ranked = 0;
    size_t i;
    (void)state;
    assert_string_equal(json_string_value(json_object_get(res, "unit")), "linjiang");
    json_array_foreach(rows, i, r) {
        json_t *rank = json_object_get(r, "rank");
        ranked += json_is_integer(rank);
        first += json_is_integer(rank) && json_integer_value(rank) == 1;
        assert_string_equal(json_string_value(json_object_get(r, "unit")), "linjiang");
    }
    assert_int_equal(json_integer_value(json_object_get(sm, "indicators")), ranked);
    assert_int_equal(json_integer_value(json_object_get(sm, "first")), first);
    json_decref(res);
}

static void test_warnings_most_severe_first(void **state)
{
    static const char *const order[] = { "none", "blue", "yellow", "red" };
    app_params p = { NULL, NULL, NULL, NULL, NULL, NULL, NULL };
    json_t *res = must(app_warnings, 0, &p), *r;
    int prev = 4;
    size_t i;
    (void)state;
    assert_true(json_array_size(json_object_get(res, "rows")) > 0);
    json_array_foreach(json_object_get(res, "rows"), i, r) {
        int level = 0;
        for (int k = 0; k < 4; k++)
            level = strcmp(order[k], json_string_value(json_object_get(r, "level"))) == 0 ? k : level;
        assert_true(level > 0 && level <= prev);
        prev = level;
        assert_true(json_array_size(json_object_get(r, "warnings")) > 0);
        assert_true(strlen(json_string_value(json_object_get(r, "reasons"))) > 0);
    }
    json_decref(res);
}

static void test_scores_and_explain(void **state)
{
    app_params p = { NULL, NULL, NULL, NULL, NULL, NULL, NULL };
    json_t *scores = must(app_scores, 0, &p), *ex = must(app_explain, 0, &p), *row, *it;
    double sum = 0;
    size_t i;
    (void)state;
    row = row_of(json_object_get(scores, "units"), "unit", "linjiang");
    assert_true(json_equal(json_object_get(row, "total"), json_object_get(ex, "total")));
    assert_true(json_equal(json_object_get(row, "rank"), json_object_get(ex, "rank")));
    json_array_foreach(json_object_get(ex, "items"), i, it) {
        sum += json_real_value(json_object_get(it, "score"));
    }
    assert_true(fabs(sum - json_real_value(json_object_get(ex, "items_total"))) < 1e-6);
    json_decref(scores);
    json_decref(ex);
}

/* ---- what published_only hides ---- */

static int64_t id_of_unit(const char *code)
{
    model_unit *us;
    size_t n;
    int64_t id = 0;
    assert_int_equal(store_units(g_db.s, &us, &n), 0);
    for (size_t i = 0; i < n; i++)
        id = strcmp(us[i].code, code) == 0 ? us[i].id : id;
    free(us);
    return id;
}

static int64_t id_of_indicator(const char *code)
{
    model_indicator *is;
    size_t n;
    int64_t id = 0;
    assert_int_equal(store_indicators(g_db.s, &is, &n), 0);
    for (size_t i = 0; i < n; i++)
        id = strcmp(is[i].code, code) == 0 ? is[i].id : id;
    free(is);
    return id;
}

static void test_published_only(void **state)
{
    app_params p = { NULL, "2026-10", "gdp", NULL, NULL, NULL, NULL };
    json_t *all = must(app_rankings, 0, &p), *pub, *r;
    period_key oct = { PERIOD_MONTH, 2026, 10 };
    char code[MODEL_CODE_MAX] = "";
    model_observation o;
    size_t i, hidden = 0, shown = 0;
    (void)state;
    /* a unit without a figure gets a draft far above everyone */
    json_array_foreach(json_object_get(all, "rows"), i, r) {
        if (!code[0] && json_is_null(json_object_get(r, "value")))
            snprintf(code, sizeof code, "%s", json_string_value(json_object_get(r, "unit")));
    }
    json_decref(all);
    assert_true(code[0] != '\0');
    memset(&o, 0, sizeof o);
    o.unit_id = id_of_unit(code);
    o.indicator_id = id_of_indicator("gdp");
    assert_int_equal(store_period_ensure(g_db.s, &oct, &o.period_id), 0);
    o.value = 99999.99;
    o.state = OBS_DRAFT;
    assert_int_equal(store_observation_put(g_db.s, &o, "tester", NULL), 0);
    all = must(app_rankings, 0, &p);
    pub = must(app_rankings, 1, &p);
    assert_true(json_is_true(json_object_get(pub, "published_only")));
    /* everyone may see it: first; the public may not: unranked */
    r = row_of(json_object_get(all, "rows"), "unit", code);
    assert_int_equal(json_integer_value(json_object_get(r, "rank")), 1);
    assert_true(fabs(json_real_value(json_object_get(r, "value")) - 99999.99) < 1e-9);
    r = row_of(json_object_get(pub, "rows"), "unit", code);
    assert_true(json_is_null(json_object_get(r, "value")));
    assert_true(json_is_null(json_object_get(r, "rank")));
    /* the published rows are the published figures only: every other unpublished one is gone too */
    json_array_foreach(json_object_get(pub, "rows"), i, r) {
        json_t *v = json_object_get(r, "value");
        json_t *w = json_object_get(row_of(json_object_get(all, "rows"), "unit",
                                           json_string_value(json_object_get(r, "unit"))), "value");
        if (json_is_null(v))
            hidden += !json_is_null(w);
        else
            shown += json_equal(v, w);
    }
    assert_true(hidden >= 1);
    assert_true(shown >= 1);
    json_decref(all);
    json_decref(pub);
}

/* ---- bad options and unknown codes ---- */

static void expect(int (*fn)(const app_ctx *, const app_params *, json_t **), app_params p, int code,
                   const char *words)
{
    app_ctx q = ctx(1);
    json_t *out = NULL;
    int rc = fn(&q, &p, &out);
    if (rc != code)
        fail_msg("got %d (%s), want %d", rc, err_msg(), code);
    assert_null(out);
    if (!strstr(err_msg(), words))
        fail_msg("message '%s' does not say '%s'", err_msg(), words);
}

static void test_errors(void **state)
{
    (void)state;
    expect(app_rankings, (app_params){ NULL, NULL, NULL, NULL, NULL, NULL, NULL }, ERR_USAGE, "indicator");
    expect(app_rankings, (app_params){ NULL, "2026-Q3", "gdp", NULL, NULL, NULL, NULL }, ERR_USAGE, "period");
    expect(app_rankings, (app_params){ NULL, "soon", "gdp", NULL, NULL, NULL, NULL }, ERR_USAGE, "period");
    expect(app_rankings, (app_params){ NULL, NULL, "nope", NULL, NULL, NULL, NULL }, ERR_NOTFOUND, "nope");
    expect(app_heatmap, (app_params){ "nope", NULL, NULL, NULL, NULL, NULL, NULL }, ERR_NOTFOUND, "nope");
    expect(app_trend, (app_params){ NULL, NULL, "gdp", "nope", NULL, NULL, NULL }, ERR_NOTFOUND, "nope");
    expect(app_movers, (app_params){ NULL, NULL, NULL, NULL, NULL, NULL, "0" }, ERR_USAGE, "limit");
    expect(app_movers, (app_params){ NULL, NULL, NULL, NULL, NULL, NULL, "ten" }, ERR_USAGE, "limit");
    expect(app_gaps, (app_params){ NULL, NULL, NULL, "nope", NULL, NULL, NULL }, ERR_NOTFOUND, "nope");
    expect(app_scores, (app_params){ NULL, NULL, NULL, NULL, "nope", NULL, NULL }, ERR_NOTFOUND, "nope");
    expect(app_explain, (app_params){ NULL, NULL, "nope", NULL, NULL, NULL, NULL }, ERR_NOTFOUND, "nope");
    expect(app_contests, (app_params){ NULL, NULL, NULL, NULL, NULL, NULL, NULL }, ERR_USAGE, "period");
    expect(app_contests, (app_params){ NULL, "2030-Q1", NULL, NULL, NULL, NULL, NULL }, ERR_NOTFOUND, "2030-Q1");
    expect(app_ledger, (app_params){ NULL, NULL, NULL, NULL, NULL, "twenty", NULL }, ERR_USAGE, "year");
    expect(app_flags, (app_params){ "nope", NULL, NULL, NULL, NULL, NULL, NULL }, ERR_NOTFOUND, "nope");
}

/* ---- events: recorded and revoked with their audit lines ---- */

static int audited(const char *action, const char *detail)
{
    model_audit_entry *a;
    size_t n;
    int found = 0;
    assert_int_equal(store_audits(g_db.s, 20, &a, &n), 0);
    for (size_t i = 0; i < n; i++)
        found |= strcmp(a[i].action, action) == 0 && strcmp(a[i].actor, "tester") == 0 &&
                 strcmp(a[i].detail, detail) == 0;
    free(a);
    return found;
}

static void test_events(void **state)
{
    app_ctx q = ctx(0);
    app_event_in in = { "lj_baisha", "扣分", "1.5", NULL, "2026-05-02", "通报 7 号", "区考核委员会" };
    app_event_in bad = in;
    json_t *list, *e;
    int64_t id = 0;
    (void)state;
    assert_int_equal(app_event_add(&q, &in, &id), 0);
    assert_true(id > 0);
    assert_true(audited("event_add", "通报 7 号"));
    assert_int_equal(app_events_list(&q, "lj_baisha", 2026, &list), 0);
    e = json_array_get(list, json_array_size(list) - 1);
    assert_int_equal(json_integer_value(json_object_get(e, "id")), id);
    assert_true(json_real_value(json_object_get(e, "points")) == -1.5); /* a deduction takes away */
    assert_string_equal(json_string_value(json_object_get(e, "kind")), "deduction");
    assert_string_equal(json_string_value(json_object_get(e, "entered_by")), "tester");
    json_decref(list);
    bad.kind = "bogus";
    assert_int_equal(app_event_add(&q, &bad, &id), ERR_USAGE);
    bad = in;
    bad.unit = "nope";
    assert_int_equal(app_event_add(&q, &bad, &id), ERR_NOTFOUND);
    assert_int_equal(app_event_revoke(&q, id, ""), ERR_USAGE);
    assert_int_equal(app_event_revoke(&q, id, "容错免责"), 0);
    assert_true(audited("event_revoke", "容错免责"));
    assert_int_equal(app_event_revoke(&q, id, "again"), ERR_CONFLICT);
}

/* ---- reference reads (app/reference.c) ---- */

/* What the store holds for 2026-10: every row, the published ones, and per unit the others. */
typedef struct obs_tally {
    size_t all, published;
    char units[64][MODEL_CODE_MAX];
    size_t unpublished[64], nunits;
} obs_tally;

static int tally_obs(const model_observation *o, void *arg)
{
    obs_tally *t = arg;
    size_t u;
    t->all++;
    if (o->state == OBS_PUBLISHED) {
        t->published++;
        return 0;
    }
    for (u = 0; u < t->nunits && strcmp(t->units[u], o->unit_code) != 0; u++)
        ;
    if (u == t->nunits && t->nunits < 64)
        snprintf(t->units[t->nunits++], MODEL_CODE_MAX, "%s", o->unit_code);
    if (u < t->nunits)
        t->unpublished[u]++;
    return 0;
}

/* app_observations as the ctx q sees them, checking that the total is what the rows say. */
static json_t *visible(const app_ctx *q, size_t *total)
{
    app_obs_query f = { NULL, NULL, "2026-10", NULL, 0, APP_ALL };
    json_t *rows = NULL;
    assert_int_equal(app_observations(q, &f, &rows, total), 0);
    assert_int_equal(json_array_size(rows), *total);
    return rows;
}

static void test_observations_visibility(void **state)
{
    obs_filter f = store_filter_all();
    obs_tally t;
    app_ctx admin = ctx(0), public = ctx(1), reporter = ctx(1);
    app_obs_query win = { NULL, NULL, "2026年10月", NULL, 3, 4 };
    json_t *rows, *r;
    size_t total, i, own_seen = 0;
    (void)state;
    memset(&t, 0, sizeof t);
    snprintf(f.period_code, sizeof f.period_code, "2026-10");
    assert_int_equal(store_observations_each(g_db.s, &f, tally_obs, &t), 0);
    assert_true(t.nunits >= 2);            /* the demo's October has drafts of several units */
    assert_true(t.published > 0 && t.published < t.all);

    rows = visible(&admin, &total);
    assert_int_equal(total, t.all);
    json_decref(rows);

    rows = visible(&public, &total);
    assert_int_equal(total, t.published);
    json_array_foreach(rows, i, r) {
        assert_string_equal(json_string_value(json_object_get(r, "state")), "published");
    }
    json_decref(rows);

    reporter.actor_unit = t.units[0];
    rows = visible(&reporter, &total);
    assert_int_equal(total, t.published + t.unpublished[0]);
    json_array_foreach(rows, i, r) {
        if (strcmp(json_string_value(json_object_get(r, "state")), "published") != 0) {
            assert_string_equal(json_string_value(json_object_get(r, "unit")), t.units[0]);
            own_seen++;
        }
    }
    assert_int_equal(own_seen, t.unpublished[0]);
    json_decref(rows);

    assert_int_equal(app_observations(&admin, &win, &rows, &total), 0);
    assert_int_equal(total, t.all);
    assert_int_equal(json_array_size(rows), 4);
    json_decref(rows);
    win.period = "not a period";
    assert_int_equal(app_observations(&admin, &win, &rows, NULL), ERR_USAGE);
    assert_null(rows);
}

static void test_reference_list(void **state)
{
    app_ctx q = ctx(0);
    app_list_opts o = { 0, 0, 0, 2, 3 };
    model_unit *units = NULL;
    size_t n = 0, total = 0, i;
    json_t *rows = NULL, *r;
    (void)state;
    assert_int_equal(store_units(g_db.s, &units, &n), 0);
    assert_true(n > 5);
    assert_int_equal(app_list(&q, APP_UNITS, &o, &rows, &total), 0);
    assert_int_equal(total, n);
    assert_int_equal(json_array_size(rows), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "code")), units[2].code);
    json_decref(rows);
    free(units);

    o.offset = 0;
    o.limit = APP_ALL;
    o.children = 1;
    assert_int_equal(app_list(&q, APP_SCHEMES, &o, &rows, &total), 0);
    assert_true(total > 0);
    json_array_foreach(rows, i, r) {
        assert_true(json_array_size(json_object_get(r, "items")) > 0);
    }
    json_decref(rows);
    assert_int_equal(app_list(&q, 99, &o, &rows, NULL), ERR_USAGE);
    assert_null(rows);
}

static void test_reference_show(void **state)
{
    app_ctx q = ctx(0);
    char peers[MODEL_CODE_MAX];
    model_unit *members = NULL;
    size_t n = 0;
    json_t *obj = NULL;
    (void)state;
    assert_int_equal(app_peer_group(g_db.s, peers), 0);
    assert_int_equal(store_group_members(g_db.s, peers, &members, &n), 0);
    assert_int_equal(app_show(&q, APP_GROUPS, peers, &obj), 0);
    assert_string_equal(json_string_value(json_object_get(obj, "code")), peers);
    assert_int_equal(json_array_size(json_object_get(obj, "members")), n);
    json_decref(obj);
    free(members);

    assert_int_equal(app_show(&q, APP_SCHEMES, "yz_assess", &obj), 0);
    assert_true(json_array_size(json_object_get(obj, "items")) > 0);
    json_decref(obj);
    assert_int_equal(app_show(&q, APP_INDICATORS, "gdp", &obj), 0);
    assert_string_equal(json_string_value(json_object_get(obj, "code")), "gdp");
    json_decref(obj);

    assert_int_equal(app_show(&q, APP_UNITS, "no_such_unit", &obj), ERR_NOTFOUND);
    assert_null(obj);
    assert_int_equal(app_show(&q, APP_GROUPS, "no_such_group", &obj), ERR_NOTFOUND);
    assert_int_equal(app_show(&q, APP_SCHEMES, "no_such_scheme", &obj), ERR_NOTFOUND);
    assert_int_equal(app_show(&q, APP_INDICATORS, "no_such_indicator", &obj), ERR_NOTFOUND);
    assert_int_equal(app_show(&q, APP_PERIODS, "2026-10", &obj), ERR_USAGE);

    assert_int_equal(app_obs_history(&q, "gdp", "linjiang", "2026-10", &obj), 0);
    assert_true(json_array_size(obj) >= 1);
    json_decref(obj);
    assert_int_equal(app_obs_history(&q, "gdp", "linjiang", "1990-01", &obj), ERR_NOTFOUND);
    assert_null(obj);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rankings_by_hand),
        cmocka_unit_test(test_heatmap_matches_rankings),
        cmocka_unit_test(test_trend_ends_at_rankings),
        cmocka_unit_test(test_movers_sorted),
        cmocka_unit_test(test_gaps_summary),
        cmocka_unit_test(test_warnings_most_severe_first),
        cmocka_unit_test(test_scores_and_explain),
        cmocka_unit_test(test_published_only),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_observations_visibility),
        cmocka_unit_test(test_reference_list),
        cmocka_unit_test(test_reference_show),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
