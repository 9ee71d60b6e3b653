/* test_api_engine: the engine's results over HTTP on a demo database, against a real server
 * on loopback — every route answers 200 with its documented keys, bad options are 400 and
 * unknown codes 404, the public is served published figures only and an admin everything, the
 * API's rankings are the query layer's, and events are recorded and revoked by admins only
 * (CSRF checked, reporters refused, the public asked to sign in). */
#include "support.h"
#include "app/auth.h"
#include "http/routes.h"
#include "http/server.h"
#include "io/demo.h"
#include "app/app.h"
#include "store/store.h"
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

#define PASSWORD "Demo-pass-2026"

static test_demo g;

static int port(void)
{
    return g.port;
}

/* Runs the demo's race for every closed quarter, as `saima demo` does. */
static int run_race(store *s, const demo_opts *d)
{
    period_key quarters[8];
    size_t nq = demo_race_quarters(&d->as_of, quarters), ran, ng;
    app_ctx q = { .s = s, .actor = "tester" };
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < nq; i++)
        rc = app_contest_run(&q, &quarters[i], NULL, &ran, &ng);
    return rc;
}

static int setup(void **state)
{
    store *s = NULL;
    demo_opts d = { .as_of = { PERIOD_MONTH, 2026, 10 }, .seed = DEMO_SEED_DEFAULT,
                      .entry = app_demo_entry };
    int rc;

    (void)state;
    if (test_demo_create(&g, "engine") != 0 || store_open(g.db, &s) != 0)
        return -1;
    rc = test_add_user(s, "admin1", ROLE_ADMIN, NULL, PASSWORD) != 0 ||
         test_add_user(s, "rep1", ROLE_REPORTER, "linjiang", PASSWORD) != 0 ||
         test_add_user(s, "lead1", ROLE_LEADER, NULL, PASSWORD) != 0 || run_race(s, &d) != 0;
    store_close(s);
    return rc ? -1 : test_demo_serve(&g, NULL);
}

static int teardown(void **state)
{
    (void)state;
    return test_demo_remove(&g);
}

/* GETs path (as the session in headers, or the public), expects status, returns the body. */
static json_t *get_as(const char *headers, const char *path, int status)
{
    test_resp r;
    json_t *j;

    assert_int_equal(test_http_get(port(), path, headers, &r), 0);
    if (r.status != status)
        fail_msg("GET %s: status %d, want %d: %s", path, r.status, status, r.body);
    j = json_loadb(r.body, r.body_len, 0, NULL);
    if (!j)
        fail_msg("GET %s: not JSON: %s", path, r.body);
    test_resp_free(&r);
    return j;
}

/* POSTs a JSON body; returns the status and the body in *out (when out is not NULL). */
static int post_as(const char *headers, const char *path, const char *body, json_t **out)
{
    char extra[512];
    test_resp r;
    int status;

    snprintf(extra, sizeof extra, "Content-Type: application/json\r\n%s", headers ? headers : "");
    assert_int_equal(test_http_raw(port(), "POST", path, extra, body, strlen(body), &r), 0);
    status = r.status;
    if (out)
        assert_non_null(*out = json_loadb(r.body, r.body_len, 0, NULL));
    test_resp_free(&r);
    return status;
}

static void assert_keys(json_t *j, const char *const *keys, const char *path)
{
    for (size_t k = 0; keys[k]; k++) {
        if (!json_object_get(j, keys[k]))
            fail_msg("%s: no key '%s'", path, keys[k]);
    }
}

static void assert_error(json_t *j, int status)
{
    json_t *e = json_object_get(j, "error");
    assert_non_null(e);
    assert_int_equal(json_integer_value(json_object_get(e, "status")), status);
    assert_true(strlen(json_string_value(json_object_get(e, "message"))) > 0);
}

/* ---- every route, its keys ---- */

typedef struct route_case {
    const char *path;
    const char *keys[10];
} route_case;

static const route_case routes[] = {
    { "/api/rankings?indicator=gdp", { "group", "period", "indicator", "published_only", "rows", NULL } },
    { "/api/heatmap", { "group", "period", "published_only", "units", "indicators", "cells", NULL } },
    { "/api/trend?indicator=gdp", { "indicator", "unit", "group", "published_only", "months", NULL } },
    { "/api/gaps", { "unit", "group", "period", "summary", "indicators", "published_only", NULL } },
    { "/api/report", { "unit", "city", "period", "regions", "indicators", "summary", "published_only", NULL } },
    { "/api/warnings", { "group", "period", "published_only", "rows", NULL } },
    { "/api/movers?limit=5", { "group", "period", "published_only", "rows", NULL } },
    { "/api/flags", { "published_only", "history", "tally", "records", NULL } },
    { "/api/contests?period=2026-Q3", { "period", "published_only", "groups", NULL } },
    { "/api/scores", { "scheme", "group", "period", "published_only", "units", NULL } },
    { "/api/explain", { "unit", "scheme", "period", "items", "total", "rank", "published_only", NULL } },
    { "/api/explain?unit=lj_baisha&ledger=2026", { "unit", "year", "contests", "events", "total", NULL } },
    { "/api/forecasts?indicator=gdp", { "group", "period", "indicator", "published_only", "rows", NULL } },
    { "/api/forecasts/backtest", { "group", "period", "year", "published_only", "rows", NULL } },
    { "/api/awards?period=2026-Q3", { "period", "published_only", "groups", NULL } },
    { "/api/ledger?year=2026", { "year", "published_only", "groups", NULL } },
    { "/api/events?year=2026", { "items", "total", "limit", "offset", NULL } },
};

static void test_every_route(void **state)
{
    char admin[256];

    (void)state;
    assert_int_equal(test_login(port(), "admin1", PASSWORD, admin, sizeof admin), 0);
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        json_t *pub = get_as(NULL, routes[i].path, 200), *adm = get_as(admin, routes[i].path, 200);
        assert_keys(pub, routes[i].keys, routes[i].path);
        assert_keys(adm, routes[i].keys, routes[i].path);
        if (json_object_get(pub, "published_only")) {
            assert_true(json_is_true(json_object_get(pub, "published_only")));
            assert_true(json_is_false(json_object_get(adm, "published_only")));
        }
        json_decref(pub);
        json_decref(adm);
    }
}

/* The row fields the contract lists for /api/rankings. */
static void test_rankings_rows(void **state)
{
    static const char *const fields[] = { "indicator", "unit", "name", "value", "rank", "ties", "tier",
                                          "first_tier", "rank_prev", "move_prev", "rank_last_year",
                                          "move_year", "above", "gap_above", "pct_to_overtake", "below",
                                          "lead_below", "gap_reference", "growth", "target", "completion",
                                          "time_linear", "time_seasonal", "half_half", "forecast",
                                          "forecast_rank", "warnings", "level", NULL };
    json_t *j = get_as(NULL, "/api/rankings?indicator=gdp&period=2026-06&group=yz_peers", 200), *row;
    size_t i;

    (void)state;
    assert_string_equal(json_string_value(json_object_get(j, "period")), "2026-06");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "indicator"), "direction")), "higher");
    assert_int_equal(json_array_size(json_object_get(j, "rows")), 12);
    json_array_foreach(json_object_get(j, "rows"), i, row) {
        assert_keys(row, fields, "rankings row");
    }
    json_decref(j);
}

/* The public's rankings are the query layer's with published_only, the admin's without. */
static void test_visibility(void **state)
{
    char admin[256], lead[256], rep[256];
    app_params p = { NULL, "2026-10", "gdp", NULL, NULL, NULL, NULL };
    store *s = NULL;
    json_t *want_pub = NULL, *want_all = NULL, *got;

    (void)state;
    assert_int_equal(store_open(g.db, &s), 0);
    {
        app_ctx q = { .s = s, .published_only = 1 };
        assert_int_equal(app_rankings(&q, &p, &want_pub), 0);
        q.published_only = 0;
        assert_int_equal(app_rankings(&q, &p, &want_all), 0);
    }
    store_close(s);
    /* the demo's latest month has figures not yet published */
    assert_false(json_equal(json_object_get(want_pub, "rows"), json_object_get(want_all, "rows")));
    assert_int_equal(test_login(port(), "admin1", PASSWORD, admin, sizeof admin), 0);
    assert_int_equal(test_login(port(), "lead1", PASSWORD, lead, sizeof lead), 0);
    assert_int_equal(test_login(port(), "rep1", PASSWORD, rep, sizeof rep), 0);
    got = get_as(NULL, "/api/rankings?indicator=gdp&period=2026-10", 200);
    assert_true(json_equal(got, want_pub));
    json_decref(got);
    got = get_as(rep, "/api/rankings?indicator=gdp&period=2026-10", 200);
    assert_true(json_equal(got, want_pub));
    json_decref(got);
    got = get_as(lead, "/api/rankings?indicator=gdp&period=2026-10", 200);
    assert_true(json_equal(got, want_all));
    json_decref(got);
    got = get_as(admin, "/api/rankings?indicator=gdp&period=2026-10", 200);
    assert_true(json_equal(got, want_all));
    json_decref(got);
    json_decref(want_pub);
    json_decref(want_all);
}

/* ---- 400 and 404 ---- */

static void test_bad_params_and_unknown_codes(void **state)
{
    static const struct {
        const char *path;
        int status;
        const char *names;
    } cases[] = {
        { "/api/rankings", 400, "indicator" },
        { "/api/rankings?indicator=gdp&period=2026-13", 400, "period" },
        { "/api/rankings?indicator=gdp&lang=fr", 400, "lang" },
        { "/api/trend", 400, "indicator" },
        { "/api/movers?limit=0", 400, "limit" },
        { "/api/movers?limit=x", 400, "limit" },
        { "/api/heatmap?period=Q3", 400, "period" },
        { "/api/contests", 400, "period" },
        { "/api/awards", 400, "period" },
        { "/api/ledger", 400, "year" },
        { "/api/ledger?year=abc", 400, "year" },
        { "/api/events?year=abc", 400, "year" },
        { "/api/explain?ledger=2026", 400, "unit" },
        { "/api/rankings?indicator=nope", 404, "nope" },
        { "/api/rankings?indicator=gdp&group=nope", 404, "nope" },
        { "/api/heatmap?group=nope", 404, "nope" },
        { "/api/trend?indicator=gdp&unit=nope", 404, "nope" },
        { "/api/gaps?unit=nope", 404, "nope" },
        { "/api/warnings?group=nope", 404, "nope" },
        { "/api/scores?scheme=nope", 404, "nope" },
        { "/api/explain?unit=nope", 404, "nope" },
        { "/api/flags?group=nope", 404, "nope" },
        { "/api/contests?period=2030-Q1", 404, "2030-Q1" },
        { "/api/events?unit=nope", 404, "nope" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *j = get_as(NULL, cases[i].path, cases[i].status);
        assert_error(j, cases[i].status);
        if (!strstr(json_string_value(json_object_get(json_object_get(j, "error"), "message")), cases[i].names))
            fail_msg("%s: the message does not name '%s'", cases[i].path, cases[i].names);
        json_decref(j);
    }
}

/* ---- events ---- */

#define EVENT_BODY                                                                                 \
    "{\"unit\":\"lj_baisha\",\"kind\":\"deduction\",\"points\":1.5,\"date\":\"2026-05-02\","      \
    "\"evidence\":\"通报 7 号\",\"approved_by\":\"区考核委员会\"}"

static void test_events_write(void **state)
{
    char admin[256], rep[256], cookie_only[256], path[64];
    json_t *j, *list, *e;
    json_int_t id;
    size_t i;
    int found = 0;

    (void)state;
    assert_int_equal(test_login(port(), "admin1", PASSWORD, admin, sizeof admin), 0);
    assert_int_equal(test_login(port(), "rep1", PASSWORD, rep, sizeof rep), 0);
    snprintf(cookie_only, sizeof cookie_only, "%.*s\r\n", (int)(strstr(admin, "\r\n") - admin), admin);
    assert_int_equal(post_as(NULL, "/api/events", EVENT_BODY, NULL), 401);
    assert_int_equal(post_as(cookie_only, "/api/events", EVENT_BODY, NULL), 403);
    assert_int_equal(post_as(rep, "/api/events", EVENT_BODY, NULL), 403);
    assert_int_equal(post_as(admin, "/api/events", "{\"unit\":\"lj_baisha\",\"kind\":\"bogus\",\"points\":1,"
                                                   "\"evidence\":\"x\",\"approved_by\":\"y\"}", &j), 400);
    assert_error(j, 400);
    json_decref(j);
    assert_int_equal(post_as(admin, "/api/events", "{\"unit\":\"nope\",\"kind\":\"bonus\",\"points\":1,"
                                                   "\"evidence\":\"x\",\"approved_by\":\"y\"}", &j), 404);
    json_decref(j);
    assert_int_equal(post_as(admin, "/api/events", EVENT_BODY, &j), 201);
    id = json_integer_value(json_object_get(j, "id"));
    assert_true(id > 0);
    json_decref(j);
    list = get_as(NULL, "/api/events?unit=lj_baisha&year=2026", 200);
    json_array_foreach(json_object_get(list, "items"), i, e) {
        if (json_integer_value(json_object_get(e, "id")) == id) {
            found = 1;
            assert_true(json_real_value(json_object_get(e, "points")) == -1.5);
            assert_string_equal(json_string_value(json_object_get(e, "entered_by")), "admin1");
        }
    }
    assert_true(found);
    json_decref(list);
    snprintf(path, sizeof path, "/api/events/%lld/revoke", (long long)id);
    assert_int_equal(post_as(rep, path, "{\"reason\":\"容错免责\"}", NULL), 403);
    assert_int_equal(post_as(admin, path, "{}", NULL), 400);
    assert_int_equal(post_as(admin, path, "{\"reason\":\"容错免责\"}", NULL), 200);
    assert_int_equal(post_as(admin, path, "{\"reason\":\"again\"}", NULL), 409);
    assert_int_equal(post_as(admin, "/api/events/99999/revoke", "{\"reason\":\"x\"}", NULL), 404);
    list = get_as(NULL, "/api/events?unit=lj_baisha&year=2026", 200);
    json_array_foreach(json_object_get(list, "items"), i, e) {
        if (json_integer_value(json_object_get(e, "id")) == id)
            assert_true(json_is_true(json_object_get(e, "revoked")));
    }
    json_decref(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route),
        cmocka_unit_test(test_rankings_rows),
        cmocka_unit_test(test_visibility),
        cmocka_unit_test(test_bad_params_and_unknown_codes),
        cmocka_unit_test(test_events_write),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
