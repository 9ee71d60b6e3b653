/* test_api_auth: sessions and roles on a real server over loopback — sign-in and its cookie,
 * the same refusal for a wrong password and an unknown login, the login throttle, CSRF on
 * every change, roles refused before the handler (401 public, 403 account), a disabled account
 * losing its session at once, a password change ending the old sessions, kept results that
 * follow the data, the session table and throttle as units, and the dashboard's static files
 * (types, CSP, ETag, nothing outside). */
#include "support.h"
#include "app/auth.h"
#include "http/routes.h"
#include "http/server.h"
#include "http/session.h"
#include "http/static.h"
#include "io/demo.h"
#include "store/store.h"
#include "util/err.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#define PASSWORD "Demo-pass-2026"

static test_demo g;
static char g_web[128];

static int port(void)
{
    return g.port;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* The demo with six accounts, and a small dashboard directory beside a file outside it. */
static int setup(void **state)
{
    static const struct {
        const char *login;
        int role;
        const char *unit;
    } accounts[] = {
        { "admin1", ROLE_ADMIN, NULL }, { "rep1", ROLE_REPORTER, "linjiang" },
        { "lead1", ROLE_LEADER, NULL }, { "gone1", ROLE_LEADER, NULL },
        { "pw1", ROLE_LEADER, NULL },   { "slow1", ROLE_LEADER, NULL },
    };
    store *s = NULL;
    char path[192];
    int rc;

    (void)state;
    if (test_demo_create(&g, "auth") != 0)
        return -1;
    snprintf(g_web, sizeof g_web, "%s/web", g.dir);
    snprintf(path, sizeof path, "%s/js", g_web);
    if (mkdir(g_web, 0700) != 0 || mkdir(path, 0700) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/index.html", g_web);
    rc = write_file(path, "<!doctype html><title>赛马</title>\n");
    snprintf(path, sizeof path, "%s/js/app.js", g_web);
    rc |= write_file(path, "export const x = 1;\n");
    snprintf(path, sizeof path, "%s/secret.txt", g.dir);
    rc |= write_file(path, "outside\n");
    if (rc != 0 || store_open(g.db, &s) != 0)
        return -1;
    for (size_t i = 0; rc == 0 && i < sizeof accounts / sizeof accounts[0]; i++)
        rc = test_add_user(s, accounts[i].login, accounts[i].role, accounts[i].unit, PASSWORD);
    store_close(s);
    return rc == 0 ? test_demo_serve(&g, g_web) : -1;
}

static int teardown(void **state)
{
    (void)state;
    return test_demo_remove(&g);
}

/* Sends a JSON body (NULL for none) with extra headers; returns the status and keeps the reply
 * in r. */
static int call(const char *method, const char *path, const char *extra, const char *body,
                test_resp *r)
{
    char head[1024];

    snprintf(head, sizeof head, "%s%s", body ? "Content-Type: application/json\r\n" : "",
             extra ? extra : "");
    assert_int_equal(test_http_raw(port(), method, path, head, body, body ? strlen(body) : 0, r), 0);
    return r->status;
}

/* The error code of a reply's error object. */
static void assert_code(const test_resp *r, int status, const char *code)
{
    json_t *j = json_loadb(r->body, r->body_len, 0, NULL);
    json_t *e = json_object_get(j, "error");

    if (r->status != status)
        fail_msg("status %d, want %d: %s", r->status, status, r->body);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "code")), code);
    json_decref(j);
}

/* The role /api/me reports for the given headers. */
static char *me_role(const char *extra)
{
    test_resp r;
    json_t *j;
    char *role;

    assert_int_equal(call("GET", "/api/me", extra, NULL, &r), 200);
    j = json_loadb(r.body, r.body_len, 0, NULL);
    role = strdup(json_string_value(json_object_get(json_object_get(j, "user"), "role")));
    json_decref(j);
    test_resp_free(&r);
    return role;
}

static void expect_role(const char *extra, const char *want)
{
    char *role = me_role(extra);
    assert_string_equal(role, want);
    free(role);
}

static void test_login_cookie_and_me(void **state)
{
    test_resp r;
    char cookie[256], headers[512];
    json_t *j;

    (void)state;
    assert_int_equal(call("POST", "/api/login", NULL,
                          "{\"login\":\"admin1\",\"password\":\"" PASSWORD "\"}", &r), 200);
    assert_non_null(test_header(&r, "Set-Cookie", cookie, sizeof cookie));
    assert_non_null(strstr(cookie, HTTP_SESSION_COOKIE "="));
    assert_non_null(strstr(cookie, "HttpOnly"));
    assert_non_null(strstr(cookie, "SameSite=Strict"));
    assert_non_null(strstr(cookie, "Path=/"));
    j = json_loadb(r.body, r.body_len, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "user"), "role")), "admin");
    assert_int_equal(strlen(json_string_value(json_object_get(j, "csrf"))), APP_AUTH_TOKEN_SIZE - 1);
    json_decref(j);
    test_resp_free(&r);

    assert_int_equal(test_login(port(), "admin1", PASSWORD, headers, sizeof headers), 0);
    expect_role(headers, "admin");
    expect_role(NULL, "public");
    expect_role("Cookie: saima_session=not-a-real-token-at-all-but-forty-three-c\r\n", "public");
}

static void test_wrong_password_and_unknown_login(void **state)
{
    test_resp a, b;

    (void)state;
    assert_int_equal(call("POST", "/api/login", NULL,
                          "{\"login\":\"lead1\",\"password\":\"Wrong-pass-2026\"}", &a), 401);
    assert_int_equal(call("POST", "/api/login", NULL,
                          "{\"login\":\"nobody\",\"password\":\"Wrong-pass-2026\"}", &b), 401);
    assert_code(&a, 401, "unauthorized");
    assert_string_equal(a.body, b.body);
    test_resp_free(&a);
    test_resp_free(&b);
    assert_int_equal(call("POST", "/api/login", NULL, "{\"login\":\"lead1\"}", &a), 400);
    test_resp_free(&a);
    assert_int_equal(call("POST", "/api/login", NULL, "{\"login\":", &a), 400);
    assert_non_null(strstr(a.body, "bad JSON"));
    test_resp_free(&a);
    assert_int_equal(call("POST", "/api/login", NULL, "[1]", &a), 400);
    test_resp_free(&a);
}

static void test_throttle(void **state)
{
    test_resp r;
    char retry[16];

    (void)state;
    for (int i = 0; i < HTTP_LOGIN_FAILURES; i++) {
        assert_int_equal(call("POST", "/api/login", NULL,
                              "{\"login\":\"slow1\",\"password\":\"Wrong-pass-2026\"}", &r), 401);
        test_resp_free(&r);
    }
    /* now even the right password waits */
    assert_int_equal(call("POST", "/api/login", NULL,
                          "{\"login\":\"slow1\",\"password\":\"" PASSWORD "\"}", &r), 429);
    assert_code(&r, 429, "too_many_requests");
    assert_non_null(test_header(&r, "Retry-After", retry, sizeof retry));
    assert_true(atoi(retry) > 0 && atoi(retry) <= HTTP_LOGIN_WINDOW_SECONDS);
    test_resp_free(&r);
    /* another account from the same address is not locked by it */
    assert_int_equal(call("POST", "/api/login", NULL,
                          "{\"login\":\"lead1\",\"password\":\"" PASSWORD "\"}", &r), 200);
    test_resp_free(&r);
}

static void test_csrf_and_roles(void **state)
{
    test_resp r;
    char headers[512], cookie_only[512];
    char *nl;

    (void)state;
    assert_int_equal(test_login(port(), "lead1", PASSWORD, headers, sizeof headers), 0);
    snprintf(cookie_only, sizeof cookie_only, "%s", headers);
    nl = strstr(cookie_only, "\r\n");
    nl[2] = '\0';
    /* a change without the token, or with another, is refused and the session lives on */
    assert_int_equal(call("POST", "/api/logout", cookie_only, "{}", &r), 403);
    assert_code(&r, 403, "forbidden");
    assert_non_null(strstr(r.body, "CSRF"));
    test_resp_free(&r);
    {
        char wrong[600];
        snprintf(wrong, sizeof wrong, "%sX-CSRF-Token: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n",
                 cookie_only);
        assert_int_equal(call("POST", "/api/logout", wrong, "{}", &r), 403);
        test_resp_free(&r);
    }
    expect_role(headers, "leader");
    /* the public may not sign out or change a password: 401 before any handler */
    assert_int_equal(call("POST", "/api/logout", NULL, "{}", &r), 401);
    assert_code(&r, 401, "unauthorized");
    test_resp_free(&r);
    assert_int_equal(call("PUT", "/api/me/password", NULL, "{}", &r), 401);
    test_resp_free(&r);
    /* with the token the change goes through, and the session is over */
    assert_int_equal(call("POST", "/api/logout", headers, "{}", &r), 200);
    test_resp_free(&r);
    expect_role(headers, "public");
}

static void test_disabled_account_loses_session(void **state)
{
    char headers[512];
    store *s = NULL;
    model_user u;

    (void)state;
    assert_int_equal(test_login(port(), "gone1", PASSWORD, headers, sizeof headers), 0);
    expect_role(headers, "leader");
    assert_int_equal(store_open(g.db, &s), 0);
    assert_int_equal(store_user_get(s, "gone1", &u), 0);
    u.disabled = 1;
    assert_int_equal(store_user_put(s, &u, NULL), 0);
    store_close(s);
    expect_role(headers, "public");
    assert_int_equal(test_login(port(), "gone1", PASSWORD, headers, sizeof headers), 401);
}

static void test_password_change_ends_sessions(void **state)
{
    char first[512], second[512];
    test_resp r;
    json_t *j;

    (void)state;
    assert_int_equal(test_login(port(), "pw1", PASSWORD, first, sizeof first), 0);
    assert_int_equal(test_login(port(), "pw1", PASSWORD, second, sizeof second), 0);
    /* a weak new password and a wrong current one are refused */
    assert_int_equal(call("PUT", "/api/me/password", first,
                          "{\"current\":\"" PASSWORD "\",\"new\":\"12345678901\"}", &r), 422);
    test_resp_free(&r);
    assert_int_equal(call("PUT", "/api/me/password", first,
                          "{\"current\":\"Not-the-pass-1\",\"new\":\"Fresh-pass-2027\"}", &r), 403);
    test_resp_free(&r);
    assert_int_equal(call("PUT", "/api/me/password", first,
                          "{\"current\":\"" PASSWORD "\",\"new\":\"Fresh-pass-2027\"}", &r), 200);
    j = json_loadb(r.body, r.body_len, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "user"), "login")), "pw1");
    json_decref(j);
    test_resp_free(&r);
    expect_role(first, "public");
    expect_role(second, "public");
    assert_int_equal(test_login(port(), "pw1", PASSWORD, first, sizeof first), 401);
    assert_int_equal(test_login(port(), "pw1", "Fresh-pass-2027", first, sizeof first), 0);
    expect_role(first, "leader");
}

static void test_static_files(void **state)
{
    test_resp r;
    char v[512], etag[64];

    (void)state;
    assert_int_equal(test_http_get(port(), "/", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "<!doctype html><title>赛马</title>\n");
    assert_string_equal(test_header(&r, "Content-Type", v, sizeof v), "text/html; charset=utf-8");
    assert_non_null(test_header(&r, "Content-Security-Policy", v, sizeof v));
    assert_non_null(strstr(v, "default-src 'self'"));
    assert_non_null(strstr(v, "frame-ancestors 'none'"));
    assert_non_null(test_header(&r, "ETag", etag, sizeof etag));
    test_resp_free(&r);
    snprintf(v, sizeof v, "If-None-Match: %s\r\n", etag);
    assert_int_equal(test_http_get(port(), "/index.html", v, &r), 0);
    assert_int_equal(r.status, 304);
    assert_int_equal(r.body_len, 0);
    test_resp_free(&r);
    assert_int_equal(test_http_get(port(), "/js/app.js?v=2", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(test_header(&r, "Content-Type", v, sizeof v), "text/javascript; charset=utf-8");
    test_resp_free(&r);
    /* nothing outside the directory, whatever the path says */
    assert_int_equal(test_http_get(port(), "/../secret.txt", NULL, &r), 0);
    assert_int_equal(r.status, 404);
    test_resp_free(&r);
    assert_int_equal(test_http_get(port(), "/js/../../secret.txt", NULL, &r), 0);
    assert_int_equal(r.status, 404);
    test_resp_free(&r);
    assert_int_equal(test_http_get(port(), "/%2e%2e/secret.txt", NULL, &r), 0);
    assert_int_equal(r.status, 404);
    test_resp_free(&r);
    /* API paths stay the API's: an unknown one is the JSON 404 */
    assert_int_equal(test_http_get(port(), "/api/nothing", NULL, &r), 0);
    assert_code(&r, 404, "not_found");
    test_resp_free(&r);
}

/* The rank of a unit in a rankings reply (0 when unranked or absent). */
static int rank_of(const char *body, const char *unit_code)
{
    json_t *j = json_loads(body, 0, NULL), *rows = json_object_get(j, "rows"), *row;
    size_t i;
    int rank = 0;

    json_array_foreach(rows, i, row) {
        if (strcmp(json_string_value(json_object_get(row, "unit")), unit_code) == 0)
            rank = (int)json_integer_value(json_object_get(row, "rank"));
    }
    json_decref(j);
    return rank;
}

/* Results are kept until the data changes, whoever changes it: another process writing to the
 * database is seen at the next request. */
static void test_results_follow_the_data(void **state)
{
    const char *path = "/api/rankings?indicator=gdp&period=2026-10";
    char headers[512], etag[64], inm[640];
    period_key oct = { PERIOD_MONTH, 2026, 10 };
    model_observation o;
    test_resp r;
    store *s = NULL;
    model_unit *units;
    model_indicator *inds;
    size_t n;
    enum store_put_result result;

    (void)state;
    assert_int_equal(test_login(port(), "lead1", PASSWORD, headers, sizeof headers), 0);
    assert_int_equal(call("GET", path, headers, NULL, &r), 200);
    assert_int_equal(rank_of(r.body, "qinghe"), 0);
    assert_non_null(test_header(&r, "ETag", etag, sizeof etag));
    test_resp_free(&r);
    assert_int_equal(call("GET", path, headers, NULL, &r), 200);
    assert_int_equal(rank_of(r.body, "qinghe"), 0);
    test_resp_free(&r);
    /* a draft figure written straight to the database, as `saima import` would */
    memset(&o, 0, sizeof o);
    o.value = 9999;
    o.state = OBS_DRAFT;
    assert_int_equal(store_open(g.db, &s), 0);
    assert_int_equal(store_units(s, &units, &n), 0);
    for (size_t i = 0; i < n; i++)
        o.unit_id = strcmp(units[i].code, "qinghe") == 0 ? units[i].id : o.unit_id;
    free(units);
    assert_int_equal(store_indicators(s, &inds, &n), 0);
    for (size_t i = 0; i < n; i++)
        o.indicator_id = strcmp(inds[i].code, "gdp") == 0 ? inds[i].id : o.indicator_id;
    free(inds);
    assert_int_equal(store_period_ensure(s, &oct, &o.period_id), 0);
    if (store_observation_put(s, &o, "test", &result) != 0)
        fail_msg("%s", err_msg());
    store_close(s);
    /* another process's write shows within 20 ms (VIEW_TRUST_MS, http/server.c) */
    usleep(60 * 1000);
    snprintf(inm, sizeof inm, "%sIf-None-Match: %s\r\n", headers, etag);
    assert_int_equal(call("GET", path, inm, NULL, &r), 200);
    assert_int_equal(rank_of(r.body, "qinghe"), 1);
    test_resp_free(&r);
    /* the public, seeing published figures only, is kept apart and unchanged */
    assert_int_equal(call("GET", path, NULL, NULL, &r), 200);
    assert_int_equal(rank_of(r.body, "qinghe"), 0);
    test_resp_free(&r);
}

/* ---- the tables as units ---- */

static void test_session_table(void **state)
{
    http_sessions *t;
    char token[APP_AUTH_TOKEN_SIZE], csrf[APP_AUTH_TOKEN_SIZE], login[MODEL_CODE_MAX],
        got[APP_AUTH_TOKEN_SIZE], other[APP_AUTH_TOKEN_SIZE];
    time_t t0 = 1000000;

    (void)state;
    assert_int_equal(http_sessions_new(&t), 0);
    assert_int_equal(http_session_create(t, "alice", t0, token, csrf), 0);
    assert_int_equal(http_session_find(t, token, t0 + 10, login, got), 0);
    assert_string_equal(login, "alice");
    assert_string_equal(got, csrf);
    /* idle just under the limit keeps it; the limit itself ends it */
    assert_int_equal(http_session_find(t, token, t0 + 10 + HTTP_SESSION_IDLE_SECONDS - 1, login, got), 0);
    assert_int_equal(http_session_find(t, token, t0 + 10 + 2 * HTTP_SESSION_IDLE_SECONDS, login, got),
                     ERR_AUTH);
    /* in use all day, a session still ends at its maximum age */
    assert_int_equal(http_session_create(t, "bob", t0, token, csrf), 0);
    for (time_t now = t0; now < t0 + HTTP_SESSION_MAX_SECONDS; now += 3600)
        assert_int_equal(http_session_find(t, token, now, login, got), 0);
    assert_int_equal(http_session_find(t, token, t0 + HTTP_SESSION_MAX_SECONDS, login, got), ERR_AUTH);
    /* ending by token and by login */
    assert_int_equal(http_session_create(t, "carol", t0, token, csrf), 0);
    assert_int_equal(http_session_create(t, "carol", t0, other, csrf), 0);
    http_session_end(t, token);
    assert_int_equal(http_session_find(t, token, t0, login, got), ERR_AUTH);
    assert_int_equal(http_session_find(t, other, t0, login, got), 0);
    http_session_end_login(t, "carol");
    assert_int_equal(http_session_find(t, other, t0, login, got), ERR_AUTH);
    assert_int_equal(http_session_find(t, "short", t0, login, got), ERR_AUTH);
    assert_int_equal(http_session_find(t, NULL, t0, login, got), ERR_AUTH);
    http_sessions_free(t);
}

static void test_throttle_table(void **state)
{
    http_sessions *t;
    int wait = 0;
    time_t t0 = 5000000;

    (void)state;
    assert_int_equal(http_sessions_new(&t), 0);
    for (int i = 0; i < HTTP_LOGIN_FAILURES - 1; i++)
        http_login_failed(t, "10.0.0.1", "dave", t0);
    assert_int_equal(http_login_check(t, "10.0.0.1", "dave", t0, &wait), 0);
    http_login_failed(t, "10.0.0.1", "dave", t0 + 60);
    assert_int_equal(http_login_check(t, "10.0.0.2", "dave", t0 + 60, &wait), ERR_LIMIT);
    assert_int_equal(wait, HTTP_LOGIN_WINDOW_SECONDS);
    assert_int_equal(http_login_check(t, "10.0.0.1", "erin", t0 + 60, &wait), 0);
    assert_int_equal(http_login_check(t, "10.0.0.1", "dave", t0 + 60 + HTTP_LOGIN_WINDOW_SECONDS, &wait), 0);
    /* failures spread wider than the window never lock */
    for (int i = 0; i < 3 * HTTP_LOGIN_FAILURES; i++)
        http_login_failed(t, "10.0.0.9", "frank", t0 + (time_t)i * HTTP_LOGIN_WINDOW_SECONDS / 2);
    assert_int_equal(http_login_check(t, "10.0.0.8", "frank", t0 + 3 * HTTP_LOGIN_FAILURES *
                                      HTTP_LOGIN_WINDOW_SECONDS / 2, &wait), 0);
    /* an address failing on many logins is stopped too */
    for (int i = 0; i < 4 * HTTP_LOGIN_FAILURES; i++) {
        char name[16];
        snprintf(name, sizeof name, "u%d", i);
        http_login_failed(t, "10.0.0.7", name, t0);
    }
    assert_int_equal(http_login_check(t, "10.0.0.7", "newname", t0, &wait), ERR_LIMIT);
    /* success forgets a login's failures below the limit */
    http_login_failed(t, "10.0.0.3", "gina", t0);
    http_login_succeeded(t, "gina");
    for (int i = 0; i < HTTP_LOGIN_FAILURES - 1; i++)
        http_login_failed(t, "10.0.0.3", "gina", t0);
    assert_int_equal(http_login_check(t, "10.0.0.4", "gina", t0, &wait), 0);
    http_sessions_free(t);
}

static void test_static_table(void **state)
{
    http_static *st = NULL;

    (void)state;
    assert_int_equal(http_static_load(g_web, &st), 0);
    assert_non_null(http_static_find(st, "/"));
    assert_string_equal(http_static_find(st, "/")->path, "/index.html");
    assert_non_null(http_static_find(st, "/js/app.js#x"));
    assert_null(http_static_find(st, "/js"));
    assert_null(http_static_find(st, ""));
    assert_string_equal(http_static_type("a.css"), "text/css; charset=utf-8");
    assert_string_equal(http_static_type("a.weird"), "application/octet-stream");
    http_static_free(st);
    assert_int_equal(http_static_load("/nonexistent-saima-dir", &st), ERR_NOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_cookie_and_me),
        cmocka_unit_test(test_wrong_password_and_unknown_login),
        cmocka_unit_test(test_throttle),
        cmocka_unit_test(test_csrf_and_roles),
        cmocka_unit_test(test_disabled_account_loses_session),
        cmocka_unit_test(test_password_change_ends_sessions),
        cmocka_unit_test(test_static_files),
        cmocka_unit_test(test_results_follow_the_data),
        cmocka_unit_test(test_session_table),
        cmocka_unit_test(test_throttle_table),
        cmocka_unit_test(test_static_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
