/* test_api_entry: the entry and approval endpoints against a real server on loopback, on the
 * demo city: who may do what (public 401, other unit and approval 403, CSRF 403), body checks
 * (400, 413, 405, 422), the whole workflow of one missing region through save, CSV upload,
 * submit, return, resubmit and approval (which the public then sees), the lock (423), and
 * the reminders (催报). */
#include "support.h"
#include "app/auth.h"
#include "http/server.h"
#include "io/demo.h"
#include "app/entry.h"
#include "store/store.h"
#include "util/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define PW "Entry-test-2026"

static test_demo g;
static char g_missing[MODEL_CODE_MAX];   /* a region with no submission in the demo's month */
static char g_returned[MODEL_CODE_MAX];  /* the region the demo's office returned */
static char g_period[PERIOD_CODE_MAX];
static char h_admin[512], h_leader[512], h_rep[512], h_self[512];

/* Finds the first missing region and the returned one of the demo's as-of month. */
static void find_units(store *s)
{
    app_entry_plan p;
    app_entry_status *st;
    assert_int_equal(app_entry_plan_load(s, g_period, &p), 0);
    assert_int_equal(app_entry_status_list(s, &p, "2026-11-01T00:00:00.000Z", &st), 0);
    for (size_t u = 0; u < p.nunits; u++) {
        if (p.units[u].kind != UNIT_REGION)
            continue;
        if (st[u].sub.state == SUB_MISSING && !g_missing[0])
            snprintf(g_missing, sizeof g_missing, "%s", p.units[u].code);
        if (st[u].sub.state == SUB_RETURNED)
            snprintf(g_returned, sizeof g_returned, "%s", p.units[u].code);
    }
    free(st);
    app_entry_plan_free(&p);
}

static int setup(void **state)
{
    store *s = NULL;
    int rc;

    (void)state;
    snprintf(g_period, sizeof g_period, "2026-10");
    if (test_demo_create(&g, "entry") != 0 || store_open(g.db, &s) != 0)
        return -1;
    find_units(s);
    rc = !g_missing[0] || !g_returned[0] || test_add_user(s, "office", ROLE_ADMIN, NULL, PW) != 0 ||
         test_add_user(s, "boss", ROLE_LEADER, NULL, PW) != 0 ||
         test_add_user(s, "rep", ROLE_REPORTER, g_missing, PW) != 0 ||
         test_add_user(s, "self", ROLE_REPORTER, "linjiang", PW) != 0;
    store_close(s);
    if (rc || test_demo_serve(&g, NULL) != 0)
        return -1;
    return test_login(g.port, "office", PW, h_admin, sizeof h_admin) ||
                   test_login(g.port, "boss", PW, h_leader, sizeof h_leader) ||
                   test_login(g.port, "rep", PW, h_rep, sizeof h_rep) ||
                   test_login(g.port, "self", PW, h_self, sizeof h_self)
               ? -1
               : 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_demo_remove(&g);
}

/* Sends method path with the signed-in headers (NULL: the public) and a JSON body (NULL:
 * none), expects status and returns the parsed reply. */
static json_t *call(const char *method, const char *path, const char *headers, const char *body,
                    int status)
{
    char extra[1024];
    test_resp r;
    json_t *j;
    snprintf(extra, sizeof extra, "%s%s", headers ? headers : "",
             body ? "Content-Type: application/json\r\n" : "");
    assert_int_equal(test_http_raw(g.port, method, path, extra, body, body ? strlen(body) : 0, &r), 0);
    if (r.status != status)
        fail_msg("%s %s: status %d, want %d: %s", method, path, r.status, status, r.body);
    j = json_loadb(r.body, r.body_len, 0, NULL);
    if (!j)
        fail_msg("%s %s: not JSON: %s", method, path, r.body);
    test_resp_free(&r);
    return j;
}

static void expect(const char *method, const char *path, const char *headers, const char *body,
                   int status)
{
    json_decref(call(method, path, headers, body, status));
}

static const char *message_of(json_t *j)
{
    return json_string_value(json_object_get(json_object_get(j, "error"), "message"));
}

static void path_of(char *buf, size_t size, const char *unit_code, const char *tail)
{
    snprintf(buf, size, "/api/submissions/%s/%s%s", unit_code, g_period, tail);
}

/* A values body for every item of a detail: previous month's value times 1.01. */
static char *values_body(json_t *detail)
{
    json_t *items = json_object_get(detail, "items"), *item, *vals = json_array(), *body;
    size_t i;
    char *text;
    json_array_foreach(items, i, item) {
        double prev = json_number_value(json_object_get(item, "previous"));
        json_array_append_new(vals, json_pack("{s:s, s:f, s:s}", "indicator",
                                              json_string_value(json_object_get(item, "indicator")),
                                              "value", prev * 1.01, "note", "快报"));
    }
    body = json_pack("{s:o}", "values", vals);
    text = json_dumps(body, JSON_REAL_PRECISION(10));
    json_decref(body);
    return text;
}

static size_t count_public_obs(const char *unit_code)
{
    char path[256];
    json_t *j;
    size_t n;
    snprintf(path, sizeof path, "/api/observations?unit=%s&period=%s", unit_code, g_period);
    j = call("GET", path, NULL, NULL, 200);
    n = (size_t)json_integer_value(json_object_get(j, "total"));
    json_decref(j);
    return n;
}

/* Who may do what, before anything changes. */
static void test_roles(void **state)
{
    char path[256], cookie_only[512];
    json_t *j;
    (void)state;
    expect("GET", "/api/submissions", NULL, NULL, 401);
    expect("GET", "/api/reminders", NULL, NULL, 401);
    path_of(path, sizeof path, g_missing, "");
    expect("GET", path, NULL, NULL, 401);
    /* a reporter lists only its own unit, and reads no other unit's */
    j = call("GET", "/api/submissions?period=2026-10", h_rep, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "unit")),
                        g_missing);
    assert_string_equal(json_string_value(json_object_get(j, "deadline")), "2026-11-10");
    json_decref(j);
    path_of(path, sizeof path, "linjiang", "");
    expect("GET", path, h_rep, NULL, 403);
    expect("GET", "/api/reminders", h_rep, NULL, 403);
    /* writes: another unit, approval, a leader */
    path_of(path, sizeof path, "linjiang", "/values");
    expect("PUT", path, h_rep, "{\"values\":[]}", 403);
    path_of(path, sizeof path, g_missing, "/approve");
    expect("POST", path, h_rep, "{}", 403);
    expect("POST", path, h_leader, "{}", 403);
    path_of(path, sizeof path, g_missing, "/values");
    expect("PUT", path, h_leader, "{\"values\":[]}", 403);
    expect("PUT", path, NULL, "{\"values\":[]}", 401);
    /* no CSRF token: the cookie alone is refused */
    snprintf(cookie_only, sizeof cookie_only, "%s", h_rep);
    *strstr(cookie_only, "X-CSRF-Token") = '\0';
    j = call("PUT", path, cookie_only, "{\"values\":[]}", 403);
    assert_non_null(strstr(message_of(j), "CSRF"));
    json_decref(j);
}

static void test_body_checks(void **state)
{
    char path[256], extra[600];
    test_resp r;
    json_t *j;
    (void)state;
    path_of(path, sizeof path, g_missing, "/values");
    expect("PUT", path, h_rep, "{\"values\": [", 400);
    expect("PUT", path, h_rep, "{\"vals\": []}", 400);
    j = call("PUT", path, h_rep, "{\"values\":[{\"indicator\":\"gdp\",\"value\":1},"
                                 "{\"indicator\":\"nope\",\"value\":2}]}", 422);
    assert_non_null(strstr(message_of(j), "values[1].indicator"));
    json_decref(j);
    j = call("PUT", path, h_rep, "{\"values\":[{\"indicator\":\"gdp\",\"value\":\"abc\"}]}", 422);
    assert_non_null(strstr(message_of(j), "values[0].value"));
    json_decref(j);
    /* an oversize body is refused before it is read */
    snprintf(extra, sizeof extra, "%sContent-Type: application/json\r\nContent-Length: 300000\r\n",
             h_rep);
    assert_int_equal(test_http_raw(g.port, "PUT", path, extra, NULL, 0, &r), 0);
    assert_int_equal(r.status, 413);
    test_resp_free(&r);
    expect("DELETE", path, h_rep, NULL, 405);
    path_of(path, sizeof path, g_missing, "/submit");
    expect("GET", path, h_rep, NULL, 405);
    /* nothing was saved by any of them */
    path_of(path, sizeof path, g_missing, "");
    j = call("GET", path, h_rep, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "missing");
    assert_int_equal(json_integer_value(json_object_get(j, "filled")), 0);
    json_decref(j);
}

/* The missing region's reporter fills in, uploads, submits; the office returns, then
 * approves; the public sees the figures; later writes are locked. */
static void test_workflow(void **state)
{
    char path[256], csv_body[512];
    json_t *j, *detail, *hist;
    char *body;
    static const char *const states[] = { "draft", "submitted", "returned", "submitted", "approved" };
    static const char *const by[] = { "rep", "rep", "office", "rep", "office" };
    (void)state;
    assert_int_equal(count_public_obs(g_missing), 0);
    path_of(path, sizeof path, g_missing, "");
    detail = call("GET", path, h_rep, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(detail, "items")), DEMO_INDICATORS);
    assert_true(json_is_null(json_object_get(json_array_get(json_object_get(detail, "items"), 0), "value")));
    body = values_body(detail);
    json_decref(detail);
    path_of(path, sizeof path, g_missing, "/values");
    j = call("PUT", path, h_rep, body, 200);
    free(body);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "draft");
    assert_int_equal(json_integer_value(json_object_get(j, "filled")), DEMO_INDICATORS);
    assert_true(json_is_array(json_object_get(j, "warnings")));
    json_decref(j);
    /* a year-to-date value below last month's is saved, and flagged once, where it is written */
    j = call("PUT", path, h_rep, "{\"values\":[{\"indicator\":\"gdp\",\"value\":1}]}", 200);
    {
        json_t *w = json_object_get(j, "warnings"), *item;
        size_t k, ytd = 0;
        json_array_foreach(w, k, item) {
            if (strcmp(json_string_value(json_object_get(item, "rule")), "ytd_decrease") == 0 &&
                strcmp(json_string_value(json_object_get(item, "indicator")), "gdp") == 0 &&
                json_string_value(json_object_get(item, "message_en")))
                ytd++;
        }
        assert_int_equal(ytd, 1);
    }
    json_decref(j);
    /* the same value again changes nothing, so nothing new is flagged (precision warnings are
     * on the figures as they stand) */
    j = call("PUT", path, h_rep, "{\"values\":[{\"indicator\":\"gdp\",\"value\":1}]}", 200);
    {
        json_t *item;
        size_t k, flagged = 0;
        json_array_foreach(json_object_get(j, "warnings"), k, item) {
            flagged += strcmp(json_string_value(json_object_get(item, "rule")), "precision") != 0;
        }
        assert_int_equal(flagged, 0);
    }
    json_decref(j);
    /* a CSV upload: its own unit passes; another unit's row is named by line and column */
    path_of(path, sizeof path, g_missing, "/csv");
    snprintf(csv_body, sizeof csv_body,
             "{\"csv\":\"indicator,unit,period,value\\ngdp,%s,2026-10,1.5\\ngdp,linjiang,2026-10,2\\n\"}",
             g_missing);
    j = call("POST", path, h_rep, csv_body, 422);
    assert_non_null(strstr(message_of(j), "upload.csv:3: column 'unit'"));
    json_decref(j);
    snprintf(csv_body, sizeof csv_body, "{\"csv\":\"指标代码,单位代码,期间,数值\\ngdp,%s,2026-10,1234.5\\n\"}",
             g_missing);
    j = call("POST", path, h_rep, csv_body, 200);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "import"), "changed")), 1);
    assert_true(json_number_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "value")) == 1234.5);
    json_decref(j);
    /* submit; no changes while it awaits review */
    path_of(path, sizeof path, g_missing, "/submit");
    j = call("POST", path, h_rep, "{}", 200);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "submitted");
    assert_string_equal(json_string_value(json_object_get(j, "submitted_by")), "rep");
    json_decref(j);
    path_of(path, sizeof path, g_missing, "/values");
    expect("PUT", path, h_rep, "{\"values\":[{\"indicator\":\"gdp\",\"value\":1}]}", 409);
    /* a return needs a reason */
    path_of(path, sizeof path, g_missing, "/return");
    expect("POST", path, h_admin, "{}", 422);
    expect("POST", path, h_admin, "{\"reason\":\"\"}", 422);
    j = call("POST", path, h_admin, "{\"reason\":\"GDP 与上月差距过大，请核实\"}", 200);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "returned");
    assert_string_equal(json_string_value(json_object_get(j, "reason")), "GDP 与上月差距过大，请核实");
    json_decref(j);
    path_of(path, sizeof path, g_missing, "/values");
    j = call("PUT", path, h_rep, "{\"values\":[{\"indicator\":\"gdp\",\"value\":\"1,240.75\"}]}", 200);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "returned");
    json_decref(j);
    path_of(path, sizeof path, g_missing, "/submit");
    expect("POST", path, h_rep, "{}", 200);
    assert_int_equal(count_public_obs(g_missing), 0);
    path_of(path, sizeof path, g_missing, "/approve");
    j = call("POST", path, h_admin, "{}", 200);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "approved");
    assert_string_equal(json_string_value(json_object_get(j, "reviewed_by")), "office");
    hist = json_object_get(j, "history");
    assert_int_equal(json_array_size(hist), 5);
    for (size_t i = 0; i < 5; i++) {
        json_t *h = json_array_get(hist, i);
        assert_string_equal(json_string_value(json_object_get(h, "state")), states[i]);
        assert_string_equal(json_string_value(json_object_get(h, "by")), by[i]);
        assert_true(strlen(json_string_value(json_object_get(h, "at"))) >= 20);
    }
    json_decref(j);
    /* published: the public sees every figure, the corrected one too */
    assert_int_equal(count_public_obs(g_missing), DEMO_INDICATORS);
    /* locked: any later write */
    path_of(path, sizeof path, g_missing, "/values");
    expect("PUT", path, h_rep, "{\"values\":[{\"indicator\":\"gdp\",\"value\":1}]}", 423);
    expect("PUT", path, h_admin, "{\"values\":[{\"indicator\":\"gdp\",\"value\":1}]}", 423);
    path_of(path, sizeof path, g_missing, "/csv");
    expect("POST", path, h_rep, csv_body, 423);
    path_of(path, sizeof path, g_missing, "/approve");
    expect("POST", path, h_admin, "{}", 409);
    /* our district's figures were approved by the demo: locked too */
    path_of(path, sizeof path, "linjiang", "/values");
    expect("PUT", path, h_self, "{\"values\":[{\"indicator\":\"gdp\",\"value\":1}]}", 423);
}

/* 催报: the returned region is among the missing; late ones carry their submission time. */
static void test_reminders(void **state)
{
    json_t *j, *list, *item, *missing, *late;
    size_t i, found_returned = 0, found_done = 0, nlate_listed = 0;
    (void)state;
    j = call("GET", "/api/reminders?period=2026-10", h_leader, NULL, 200);
    list = call("GET", "/api/submissions?period=2026-10", h_admin, NULL, 200);
    missing = json_object_get(j, "missing");
    late = json_object_get(j, "late");
    assert_string_equal(json_string_value(json_object_get(j, "deadline")), "2026-11-10");
    json_array_foreach(missing, i, item) {
        const char *code = json_string_value(json_object_get(item, "unit"));
        found_returned += strcmp(code, g_returned) == 0;
        found_done += strcmp(code, g_missing) == 0;
        assert_string_not_equal(json_string_value(json_object_get(item, "state")), "submitted");
    }
    assert_int_equal(found_returned, 1);
    assert_int_equal(found_done, 0); /* approved now */
    /* the late list is exactly the units the list marks late */
    json_array_foreach(json_object_get(list, "items"), i, item) {
        const char *st = json_string_value(json_object_get(item, "state"));
        const char *at = json_string_value(json_object_get(item, "submitted_at"));
        if (!json_is_true(json_object_get(item, "late")))
            continue;
        nlate_listed++;
        if (strcmp(st, "submitted") == 0 || strcmp(st, "approved") == 0)
            assert_true(strcmp(at, "2026-11-10T16:00:00") >= 0);
    }
    assert_int_equal(json_array_size(late), nlate_listed);
    assert_true(nlate_listed >= 2); /* the demo has two late submissions, whatever the clock */
    json_decref(list);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_body_checks),
        cmocka_unit_test(test_workflow),
        cmocka_unit_test(test_reminders),
    };
    return cmocka_run_group_tests_name("api entry", tests, setup, teardown);
}
