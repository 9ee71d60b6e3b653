/* test_api: the HTTP server on a demo database, over loopback with a tiny blocking client:
 * every route's shape, the dispatcher's 404/405/413/415, the error object, ETag and 304,
 * pagination, a graceful stop with a request in flight, and `saima serve` on SIGTERM. */
#include "support.h"
#include "http/routes.h"
#include "http/server.h"
#include "app/app.h"
#include "io/demo.h"
#include "store/store.h"
#include "util/err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

/* The demo database and the server on it, shared by the tests of the real routes. */
static char g_dir[64];
static char g_db[128];
static http_server *g_srv;

/* GETs path on the demo server, expects status, and returns the parsed body. */
static json_t *get_json(const char *path, int status)
{
    test_resp r;
    char ct[128];
    json_t *j;

    assert_int_equal(test_http_get(http_server_port(g_srv), path, NULL, &r), 0);
    if (r.status != status)
        fail_msg("GET %s: status %d, want %d: %s", path, r.status, status, r.body);
    assert_non_null(test_header(&r, "Content-Type", ct, sizeof ct));
    assert_string_equal(ct, "application/json; charset=utf-8");
    j = json_loadb(r.body, r.body_len, 0, NULL);
    if (!j)
        fail_msg("GET %s: not JSON: %s", path, r.body);
    test_resp_free(&r);
    return j;
}

/* Checks the one error shape and its status. */
static void assert_error(json_t *j, int status, const char *code)
{
    json_t *e = json_object_get(j, "error");
    assert_non_null(e);
    assert_int_equal(json_integer_value(json_object_get(e, "status")), status);
    assert_string_equal(json_string_value(json_object_get(e, "code")), code);
    assert_true(json_is_string(json_object_get(e, "message")));
    assert_true(strlen(json_string_value(json_object_get(e, "message"))) > 0);
}

/* Checks the list envelope and returns its items. */
static json_t *assert_page(json_t *j, size_t total, size_t limit, size_t offset)
{
    json_t *items = json_object_get(j, "items");
    size_t want = offset >= total ? 0 : (total - offset < limit ? total - offset : limit);

    assert_true(json_is_array(items));
    assert_int_equal(json_integer_value(json_object_get(j, "total")), total);
    assert_int_equal(json_integer_value(json_object_get(j, "limit")), limit);
    assert_int_equal(json_integer_value(json_object_get(j, "offset")), offset);
    assert_int_equal(json_array_size(items), want);
    return items;
}

/* ---- the demo server ---- */

static int setup_demo(void **state)
{
    store *s = NULL;
    demo_opts d = { .as_of = { PERIOD_MONTH, 2026, 10 }, .seed = DEMO_SEED_DEFAULT,
                      .entry = app_demo_entry };
    http_server_opts o;

    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/saima_test_api_XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    snprintf(g_db, sizeof g_db, "%s/demo.db", g_dir);
    if (store_open(g_db, &s) != 0 || demo_build(s, &d) != 0) {
        store_close(s);
        return -1;
    }
    store_close(s);
    memset(&o, 0, sizeof o);
    o.db_path = g_db;
    return http_server_start(&o, &g_srv) == 0 ? 0 : -1;
}

static int teardown_demo(void **state)
{
    char cmd[160];

    (void)state;
    http_server_stop(g_srv);
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Opens the demo database directly, to compare the API with the store. */
static store *direct(void)
{
    store *s = NULL;
    assert_int_equal(store_open(g_db, &s), 0);
    return s;
}

static void test_health(void **state)
{
    json_t *j = get_json("/api/health", 200);
    store *s = direct();
    int version = 0;

    (void)state;
    assert_int_equal(store_schema_version(s, &version), 0);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
    assert_int_equal(json_integer_value(json_object_get(j, "schema_version")), version);
    assert_true(version > 0);
    store_close(s);
    json_decref(j);
}

static void test_units(void **state)
{
    store *s = direct();
    model_unit *u = NULL;
    size_t n = 0;
    json_t *j = get_json("/api/units", 200), *items;

    (void)state;
    assert_int_equal(store_units(s, &u, &n), 0);
    assert_true(n > DEMO_REGIONS);
    items = assert_page(j, n, 100, 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "code")), u[0].code);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "name")), u[0].name);
    free(u);
    store_close(s);
    json_decref(j);
}

static void test_groups(void **state)
{
    store *s = direct();
    model_group *g = NULL;
    model_unit *m = NULL;
    size_t n = 0, nm = 0;
    char path[256];
    json_t *j = get_json("/api/groups", 200), *one, *members;

    (void)state;
    assert_int_equal(store_groups(s, &g, &n), 0);
    assert_true(n > 0);
    assert_page(j, n, 100, 0);
    assert_int_equal(store_group_members(s, g[0].code, &m, &nm), 0);
    assert_true(nm > 0);
    snprintf(path, sizeof path, "/api/groups/%s", g[0].code);
    one = get_json(path, 200);
    assert_string_equal(json_string_value(json_object_get(one, "code")), g[0].code);
    members = json_object_get(one, "members");
    assert_int_equal(json_array_size(members), nm);
    assert_string_equal(json_string_value(json_object_get(json_array_get(members, nm - 1), "code")),
                        m[nm - 1].code);
    json_decref(one);
    assert_error(one = get_json("/api/groups/no_such_group", 404), 404, "not_found");
    assert_non_null(strstr(json_string_value(json_object_get(json_object_get(one, "error"), "message")),
                           "no_such_group"));
    json_decref(one);
    free(g);
    free(m);
    store_close(s);
    json_decref(j);
}

static void test_indicators(void **state)
{
    char path[256];
    json_t *j = get_json("/api/indicators", 200), *items, *one;
    const char *code;

    (void)state;
    items = assert_page(j, DEMO_INDICATORS, 100, 0);
    code = json_string_value(json_object_get(json_array_get(items, 3), "code"));
    assert_non_null(code);
    snprintf(path, sizeof path, "/api/indicators/%s", code);
    one = get_json(path, 200);
    assert_true(json_equal(one, json_array_get(items, 3)));
    json_decref(one);
    assert_error(one = get_json("/api/indicators/nope", 404), 404, "not_found");
    json_decref(one);
    json_decref(j);
}

static void test_schemes_periods(void **state)
{
    store *s = direct();
    model_scheme *sc = NULL;
    model_scheme_item *it = NULL;
    model_period *p = NULL;
    size_t ns = 0, ni = 0, np = 0;
    json_t *j = get_json("/api/schemes", 200), *items;

    (void)state;
    assert_int_equal(store_schemes(s, &sc, &ns), 0);
    assert_int_equal(store_scheme_items(s, sc[0].code, &it, &ni), 0);
    assert_true(ns > 0 && ni > 0);
    items = assert_page(j, ns, 100, 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "code")), sc[0].code);
    assert_int_equal(json_array_size(json_object_get(json_array_get(items, 0), "items")), ni);
    json_decref(j);
    assert_int_equal(store_periods(s, &p, &np), 0);
    j = get_json("/api/periods?limit=1000", 200);
    items = assert_page(j, np, 1000, 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, np - 1), "code")),
                        p[np - 1].code);
    json_decref(j);
    free(sc);
    free(it);
    free(p);
    store_close(s);
}

static int count_obs(const model_observation *o, void *ctx)
{
    (void)o;
    (*(size_t *)ctx)++;
    return 0;
}

static void test_observations(void **state)
{
    store *s = direct();
    obs_filter f = store_filter_all();
    size_t n = 0;
    json_t *all, *page, *items, *e;

    (void)state;
    size_t every = 0;

    snprintf(f.indicator_code, sizeof f.indicator_code, "gdp");
    f.year = 2026;
    assert_int_equal(store_observations_each(s, &f, count_obs, &every), 0);
    /* the public is shown published figures only; the demo's last month is partly unpublished */
    f.published_only = 1;
    assert_int_equal(store_observations_each(s, &f, count_obs, &n), 0);
    assert_true(n > 20);
    assert_true(every > n);
    all = get_json("/api/observations?indicator=gdp&year=2026&limit=1000", 200);
    assert_page(all, n, 1000, 0);
    page = get_json("/api/observations?indicator=gdp&year=2026&limit=5&offset=7", 200);
    items = assert_page(page, n, 5, 7);
    for (size_t i = 0; i < 5; i++)
        assert_true(json_equal(json_array_get(items, i), json_array_get(json_object_get(all, "items"), i + 7)));
    json_decref(page);
    page = get_json("/api/observations?indicator=gdp&year=2026&offset=100000", 200);
    assert_page(page, n, 100, 100000);
    json_decref(page);
    /* one period in its Chinese form, one unit */
    page = get_json("/api/observations?indicator=gdp&period=2026%E5%B9%B49%E6%9C%88&unit=linjiang", 200);
    items = assert_page(page, 1, 100, 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "period")), "2026-09");
    json_decref(page);
    /* the limit is capped; bad numbers are 400 */
    page = get_json("/api/observations?limit=5000", 200);
    for (size_t i = 0; i < json_array_size(json_object_get(page, "items")); i++)
        assert_string_equal(json_string_value(json_object_get(
            json_array_get(json_object_get(page, "items"), i), "state")), "published");
    assert_int_equal(json_integer_value(json_object_get(page, "limit")), HTTP_PAGE_MAX);
    assert_int_equal(json_array_size(json_object_get(page, "items")), HTTP_PAGE_MAX);
    json_decref(page);
    assert_error(e = get_json("/api/observations?limit=abc", 400), 400, "bad_request");
    json_decref(e);
    assert_error(e = get_json("/api/units?offset=-1", 400), 400, "bad_request");
    json_decref(e);
    assert_error(e = get_json("/api/observations?period=nope", 400), 400, "bad_request");
    json_decref(e);
    json_decref(all);
    store_close(s);
}

static void test_not_found_and_method(void **state)
{
    test_resp r;
    char allow[64];
    json_t *j;

    (void)state;
    assert_error(j = get_json("/api/nothing", 404), 404, "not_found");
    json_decref(j);
    assert_error(j = get_json("/", 404), 404, "not_found");
    json_decref(j);
    assert_error(j = get_json("/api/units/", 404), 404, "not_found");
    json_decref(j);
    assert_int_equal(test_http_raw(http_server_port(g_srv), "DELETE", "/api/units", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 405);
    assert_non_null(test_header(&r, "Allow", allow, sizeof allow));
    assert_string_equal(allow, "GET, HEAD");
    j = json_loads(r.body, 0, NULL);
    assert_error(j, 405, "method_not_allowed");
    json_decref(j);
    test_resp_free(&r);
}

static void test_etag(void **state)
{
    int port = http_server_port(g_srv);
    test_resp a, b, c;
    char ea[64], eb[64], hdr[128];

    (void)state;
    assert_int_equal(test_http_get(port, "/api/indicators", NULL, &a), 0);
    assert_int_equal(test_http_get(port, "/api/indicators", NULL, &b), 0);
    assert_non_null(test_header(&a, "ETag", ea, sizeof ea));
    assert_non_null(test_header(&b, "ETag", eb, sizeof eb));
    assert_string_equal(ea, eb);
    assert_int_equal(strlen(ea), HTTP_ETAG_SIZE - 1);
    assert_int_equal(ea[0], '"');
    snprintf(hdr, sizeof hdr, "If-None-Match: %s\r\n", ea);
    assert_int_equal(test_http_get(port, "/api/indicators", hdr, &c), 0);
    assert_int_equal(c.status, 304);
    assert_int_equal(c.body_len, 0);
    test_resp_free(&c);
    snprintf(hdr, sizeof hdr, "If-None-Match: \"other\", W/%s\r\n", ea);
    assert_int_equal(test_http_get(port, "/api/indicators", hdr, &c), 0);
    assert_int_equal(c.status, 304);
    test_resp_free(&c);
    assert_int_equal(test_http_get(port, "/api/indicators", "If-None-Match: \"other\"\r\n", &c), 0);
    assert_int_equal(c.status, 200);
    assert_int_equal(c.body_len, a.body_len);
    test_resp_free(&c);
    /* another body, another tag */
    assert_int_equal(test_http_get(port, "/api/indicators?limit=1", NULL, &c), 0);
    assert_non_null(test_header(&c, "ETag", eb, sizeof eb));
    assert_string_not_equal(ea, eb);
    test_resp_free(&a);
    test_resp_free(&b);
    test_resp_free(&c);
}

/* ---- a route table of the test's own: body checks, errors, a slow handler ---- */

static pthread_mutex_t slow_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slow_cv = PTHREAD_COND_INITIALIZER;
static int slow_entered;

static int h_echo(http_req *req, json_t **out)
{
    *out = json_pack("{s:I, s:s?}", "bytes", (json_int_t)req->body_len, "id",
                     req->nparam ? req->param[0] : NULL);
    return 0;
}

static int h_fail(http_req *req, json_t **out)
{
    (void)req;
    (void)out;
    return err_set(ERR_DB, "secret SQL detail");
}

static int h_conflict(http_req *req, json_t **out)
{
    (void)out;
    return err_set(ERR_CONFLICT, "item %s changed meanwhile", req->param[0]);
}

/* Tells the test it has started, then takes its time. */
static int h_slow(http_req *req, json_t **out)
{
    struct timespec pause = { 0, 400 * 1000 * 1000 };
    (void)req;
    pthread_mutex_lock(&slow_mu);
    slow_entered = 1;
    pthread_cond_broadcast(&slow_cv);
    pthread_mutex_unlock(&slow_mu);
    nanosleep(&pause, NULL);
    *out = json_pack("{s:s}", "slow", "done");
    return 0;
}

static const http_route test_routes[] = {
    { "POST", "/echo", h_echo, HTTP_ROLES_ALL, 16, HTTP_ROUTE_NO_CSRF },
    { "PUT", "/items/{id}", h_echo, HTTP_ROLES_ALL, 64, HTTP_ROUTE_NO_CSRF },
    { "GET", "/items/{id}", h_echo, HTTP_ROLES_ALL, 0, 0 },
    { "DELETE", "/items/{id}", h_conflict, HTTP_ROLES_ALL, 0, HTTP_ROUTE_NO_CSRF },
    { "GET", "/fail", h_fail, HTTP_ROLES_ALL, 0, 0 },
    { "GET", "/slow", h_slow, HTTP_ROLES_ALL, 0, 0 },
};

static http_server *start_test_server(FILE *log)
{
    http_server_opts o;
    http_server *s = NULL;

    memset(&o, 0, sizeof o);
    o.db_path = g_db;
    o.threads = 3;
    o.access_log = log;
    o.routes = test_routes;
    o.nroutes = sizeof test_routes / sizeof test_routes[0];
    assert_int_equal(http_server_start(&o, &s), 0);
    assert_true(http_server_port(s) > 0);
    return s;
}

/* Sends body with content type ct to method path; returns the status and checks the error
 * code when it is not 200. */
static int send_body(int port, const char *method, const char *path, const char *ct,
                     const char *body, const char *code)
{
    char extra[256];
    test_resp r;
    int status;
    json_t *j;

    snprintf(extra, sizeof extra, "%s%s%sContent-Length: %zu\r\n", ct ? "Content-Type: " : "",
             ct ? ct : "", ct ? "\r\n" : "", strlen(body));
    assert_int_equal(test_http_raw(port, method, path, extra, body, strlen(body), &r), 0);
    status = r.status;
    j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    if (code)
        assert_error(j, status, code);
    else
        assert_int_equal(json_integer_value(json_object_get(j, "bytes")), strlen(body));
    json_decref(j);
    test_resp_free(&r);
    return status;
}

static void test_dispatch_checks(void **state)
{
    http_server *s = start_test_server(NULL);
    int port = http_server_port(s);
    test_resp r;
    json_t *j;
    char allow[64];

    (void)state;
    assert_int_equal(send_body(port, "POST", "/echo", "application/json", "{\"a\":1}", NULL), 200);
    assert_int_equal(send_body(port, "POST", "/echo", "Application/JSON; charset=utf-8", "{}", NULL), 200);
    assert_int_equal(send_body(port, "POST", "/echo", "application/json", "[1,2,3,4,5,6,7]", NULL), 200);
    assert_int_equal(send_body(port, "POST", "/echo", "application/json", "[1,2,3,4,5,6,7,8]",
                               "payload_too_large"), 413);
    assert_int_equal(send_body(port, "POST", "/echo", "text/plain", "{}", "unsupported_media_type"), 415);
    assert_int_equal(send_body(port, "POST", "/echo", "application/jsonx", "{}", "unsupported_media_type"), 415);
    assert_int_equal(send_body(port, "POST", "/echo", NULL, "{}", "unsupported_media_type"), 415);
    assert_int_equal(send_body(port, "PUT", "/items/42", "text/csv", "a,b", "unsupported_media_type"), 415);
    /* size is checked before type: an oversize body of the wrong type is 413 */
    assert_int_equal(send_body(port, "POST", "/echo", "text/plain", "01234567890123456789",
                               "payload_too_large"), 413);
    /* a huge announced body is refused before it is sent */
    assert_int_equal(test_http_raw(port, "POST", "/echo",
                              "Content-Type: application/json\r\nContent-Length: 100000000\r\n", NULL, 0, &r), 0);
    assert_int_equal(r.status, 413);
    test_resp_free(&r);
    /* a chunked body without a length is counted as it comes */
    assert_int_equal(test_http_raw(port, "POST", "/echo",
                              "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
                              "a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n", 36, &r), 0);
    assert_int_equal(r.status, 413);
    test_resp_free(&r);
    /* a body on a GET route, which takes none */
    assert_int_equal(send_body(port, "GET", "/items/7", NULL, "x", "payload_too_large"), 413);
    /* params reach the handler; errors carry their status */
    assert_int_equal(test_http_get(port, "/items/%E4%B8%B4%E6%B1%9F", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "id")), "临江");
    json_decref(j);
    test_resp_free(&r);
    assert_int_equal(test_http_raw(port, "DELETE", "/items/9", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 409);
    j = json_loads(r.body, 0, NULL);
    assert_error(j, 409, "conflict");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "message")),
                        "item 9 changed meanwhile");
    json_decref(j);
    test_resp_free(&r);
    assert_int_equal(test_http_raw(port, "PATCH", "/items/9", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 405);
    assert_string_equal(test_header(&r, "Allow", allow, sizeof allow), "PUT, GET, HEAD, DELETE");
    test_resp_free(&r);
    /* internal errors keep their detail to the log */
    assert_int_equal(test_http_get(port, "/fail", NULL, &r), 0);
    assert_int_equal(r.status, 500);
    assert_null(strstr(r.body, "secret"));
    j = json_loads(r.body, 0, NULL);
    assert_error(j, 500, "internal");
    json_decref(j);
    test_resp_free(&r);
    http_server_stop(s);
}

static void test_route_match(void **state)
{
    http_req req;
    const http_route *route;
    char allow[HTTP_ALLOW_SIZE];
    size_t n = sizeof test_routes / sizeof test_routes[0];

    (void)state;
    assert_int_equal(http_route_match(test_routes, n, "PUT", "/items/abc", &req, &route, allow), 0);
    assert_ptr_equal(route, &test_routes[1]);
    assert_int_equal(req.nparam, 1);
    assert_string_equal(req.param[0], "abc");
    assert_int_equal(http_route_match(test_routes, n, "HEAD", "/items/abc", &req, &route, allow), 0);
    assert_ptr_equal(route, &test_routes[2]);
    assert_int_equal(http_route_match(test_routes, n, "GET", "/items/", &req, &route, allow), 404);
    assert_int_equal(http_route_match(test_routes, n, "GET", "/items/a/b", &req, &route, allow), 404);
    assert_int_equal(http_route_match(test_routes, n, "GET", "/echo", &req, &route, allow), 405);
    assert_string_equal(allow, "POST");
    assert_null(route);
    assert_int_equal(http_route_match(http_routes, http_nroutes, "GET", "/api/groups/g1", &req,
                                      &route, allow), 0);
    assert_string_equal(req.param[0], "g1");
    assert_int_equal(route->roles, HTTP_ROLES_ALL);
}

/* The client side of the in-flight request. */
static void *slow_client(void *arg)
{
    test_resp *r = arg;
    if (test_http_get(*(int *)r->head, "/slow", NULL, r) != 0)
        r->status = -1;
    return NULL;
}

static void test_graceful_stop(void **state)
{
    char log[4096] = "";
    FILE *lf = fmemopen(log, sizeof log, "w");
    http_server *s = start_test_server(lf);
    int port = http_server_port(s), fd;
    pthread_t t;
    test_resp r;
    json_t *j;

    (void)state;
    memset(&r, 0, sizeof r);
    memcpy(r.head, &port, sizeof port);
    slow_entered = 0;
    assert_int_equal(pthread_create(&t, NULL, slow_client, &r), 0);
    pthread_mutex_lock(&slow_mu);
    while (!slow_entered)
        pthread_cond_wait(&slow_cv, &slow_mu);
    pthread_mutex_unlock(&slow_mu);
    http_server_stop(s);
    pthread_join(t, NULL);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "slow")), "done");
    json_decref(j);
    test_resp_free(&r);
    fd = test_connect(port);
    assert_true(fd < 0);
    fclose(lf);
    assert_non_null(strstr(log, " 127.0.0.1 GET /slow 200 16 "));
}

/* ---- saima serve ---- */

static void test_serve_sigterm(void **state)
{
    const char *bin = getenv("SAIMA_BIN") ? getenv("SAIMA_BIN") : "build/asan/saima";
    char line[256] = "", errpath[160], log[8192];
    const char *url;
    int out[2], status, port = 0;
    pid_t pid;
    FILE *fp;
    test_resp r;
    size_t n;

    (void)state;
    snprintf(errpath, sizeof errpath, "%s/serve.err", g_dir);
    assert_int_equal(pipe(out), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *e = freopen(errpath, "w", stderr);
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        if (e)
            execl(bin, bin, "--db", g_db, "serve", "--port", "0", "--threads", "3", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    fp = fdopen(out[0], "r");
    assert_non_null(fp);
    assert_non_null(fgets(line, sizeof line, fp));
    url = strstr(line, "http://127.0.0.1:");
    assert_non_null(url);
    port = atoi(url + strlen("http://127.0.0.1:"));
    assert_true(port > 0);
    assert_int_equal(test_http_get(port, "/api/health", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    test_resp_free(&r);
    assert_int_equal(kill(pid, SIGTERM), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    fclose(fp);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(test_connect(port) < 0);
    fp = fopen(errpath, "r");
    assert_non_null(fp);
    n = fread(log, 1, sizeof log - 1, fp);
    log[n] = '\0';
    fclose(fp);
    assert_non_null(strstr(log, " 127.0.0.1 GET /api/health 200 "));
}

static void test_start_errors(void **state)
{
    http_server_opts o;
    http_server *s = NULL;
    char missing[160];

    (void)state;
    memset(&o, 0, sizeof o);
    assert_int_equal(http_server_start(&o, &s), ERR_USAGE);
    snprintf(missing, sizeof missing, "%s/missing.db", g_dir);
    o.db_path = missing;
    assert_int_equal(http_server_start(&o, &s), ERR_NOTFOUND);
    assert_int_equal(access(missing, F_OK), -1);
    o.db_path = g_db;
    o.bind = "not-an-address";
    assert_int_equal(http_server_start(&o, &s), ERR_USAGE);
    o.bind = NULL;
    o.port = http_server_port(g_srv);
    assert_int_equal(http_server_start(&o, &s), ERR_IO);
    assert_null(s);
    http_server_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_indicators),
        cmocka_unit_test(test_schemes_periods),
        cmocka_unit_test(test_observations),
        cmocka_unit_test(test_not_found_and_method),
        cmocka_unit_test(test_etag),
        cmocka_unit_test(test_route_match),
        cmocka_unit_test(test_dispatch_checks),
        cmocka_unit_test(test_graceful_stop),
        cmocka_unit_test(test_start_errors),
        cmocka_unit_test(test_serve_sigterm),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, setup_demo, teardown_demo);
}
