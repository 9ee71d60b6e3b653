/* test_api_load: the server under load, against real servers on loopback on the demo city —
 * kept results keyed with escaped query arguments, dropped by the writes that concern them
 * only (the server's own, another store handle's, another program's), a key computed once
 * while requests for it wait (single flight), health answering while slow results compute,
 * a full queue of computations answered 503 with Retry-After, and a write that meets another
 * connection's write lock waiting for it, then answering 503 (never 500), a sign-in too. */
#include "support.h"
#include "app/app.h"
#include "app/entry.h"
#include "http/routes.h"
#include "http/server.h"
#include "store/store.h"
#include "util/err.h"

#include <jansson.h>
#include <pthread.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#define PW "Load-test-2026"
#define BUSY_MS 400

static test_demo g;
static char g_missing[MODEL_CODE_MAX]; /* a region with no submission in the demo's month */
static char h_admin[512];

/* ---- helpers ---- */

static long ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* GETs path on port and returns the status; the X-Cache header into cache ("" without). */
static int get_cache(int port, const char *path, const char *headers, char *cache, size_t size)
{
    test_resp r;
    int status;

    assert_int_equal(test_http_get(port, path, headers, &r), 0);
    status = r.status;
    if (!test_header(&r, "X-Cache", cache, size))
        cache[0] = '\0';
    test_resp_free(&r);
    return status;
}

/* Asserts that GET path answers 200 with X-Cache want. */
static void expect_cache(const char *path, const char *want)
{
    char cache[16];

    assert_int_equal(get_cache(g.port, path, NULL, cache, sizeof cache), 200);
    if (strcmp(cache, want) != 0)
        fail_msg("GET %s: X-Cache %s, want %s", path, cache, want);
}

/* Sends method path as the admin with a JSON body; returns the status, Retry-After into
 * retry (0 without). */
static int write_as_admin(const char *method, const char *path, const char *body, int *retry)
{
    char extra[1024], value[16];
    test_resp r;
    int status;

    snprintf(extra, sizeof extra, "%sContent-Type: application/json\r\n", h_admin);
    assert_int_equal(test_http_raw(g.port, method, path, extra, body, strlen(body), &r), 0);
    status = r.status;
    *retry = test_header(&r, "Retry-After", value, sizeof value) ? atoi(value) : 0;
    if (status != 200 && status != 201 && status != 503)
        fail_msg("%s %s: status %d: %s", method, path, status, r.body);
    test_resp_free(&r);
    return status;
}

/* The first region with no submission in the demo's month. */
static void find_missing(store *s)
{
    app_entry_plan p;
    app_entry_status *st;

    assert_int_equal(app_entry_plan_load(s, "2026-10", &p), 0);
    assert_int_equal(app_entry_status_list(s, &p, "2026-11-01T00:00:00.000Z", &st), 0);
    for (size_t u = 0; u < p.nunits && !g_missing[0]; u++) {
        if (p.units[u].kind == UNIT_REGION && st[u].sub.state == SUB_MISSING)
            snprintf(g_missing, sizeof g_missing, "%s", p.units[u].code);
    }
    free(st);
    app_entry_plan_free(&p);
}

static int setup(void **state)
{
    http_server_opts o;
    store *s = NULL;
    int rc;

    (void)state;
    if (test_demo_create(&g, "load") != 0 || store_open(g.db, &s) != 0)
        return -1;
    find_missing(s);
    rc = !g_missing[0] || test_add_user(s, "admin1", ROLE_ADMIN, NULL, PW) != 0;
    store_close(s);
    if (rc)
        return -1;
    memset(&o, 0, sizeof o);
    o.db_path = g.db;
    o.threads = 1; /* a thread's first look at the store drops what is kept: one, for hits */
    o.busy_ms = BUSY_MS;
    if (http_server_start(&o, &g.srv) != 0)
        return -1;
    g.port = http_server_port(g.srv);
    return test_login(g.port, "admin1", PW, h_admin, sizeof h_admin) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return test_demo_remove(&g);
}

/* ---- kept results ---- */

/* An '&' and '=' inside a value are not the key's own: the escaped form of a two-argument
 * query is another key, and here an unknown indicator. */
static void test_key_escaped(void **state)
{
    char cache[16];

    (void)state;
    expect_cache("/api/rankings?indicator=gdp&period=2026-09", "miss");
    expect_cache("/api/rankings?indicator=gdp&period=2026-09", "hit");
    assert_int_equal(get_cache(g.port, "/api/rankings?indicator=gdp%26period%3D2026-09", NULL, cache,
                               sizeof cache), 404);
    /* "?a" and "?a=" are two keys as well */
    expect_cache("/api/rankings?indicator=gdp&unit", "miss");
    assert_int_equal(get_cache(g.port, "/api/rankings?indicator=gdp&unit=", NULL, cache, sizeof cache),
                     200);
    assert_string_equal(cache, "miss");
}

/* A write drops the kept results of the routes reading its concern, and no others. */
static void test_invalidation(void **state)
{
    static const char event[] = "{\"unit\":\"lj_baisha\",\"kind\":\"bonus\",\"points\":1,"
                                "\"date\":\"2026-05-02\",\"evidence\":\"通报 9 号\","
                                "\"approved_by\":\"区考核委员会\"}";
    const char *rank = "/api/rankings?indicator=gdp", *scores = "/api/scores";
    char path[128], cache[16];
    int retry;
    store *cli;
    model_target *t;
    size_t n;
    sqlite3 *raw;

    (void)state;
    expect_cache(rank, "miss");
    expect_cache(rank, "hit");
    expect_cache(scores, "miss");
    expect_cache(scores, "hit");
    /* an event (and its audit line): the scores read events, the ranking does not */
    assert_int_equal(write_as_admin("POST", "/api/events", event, &retry), 201);
    expect_cache(rank, "hit");
    expect_cache(scores, "miss");
    /* a figure saved through the server */
    snprintf(path, sizeof path, "/api/submissions/%s/2026-10/values", g_missing);
    assert_int_equal(write_as_admin("PUT", path, "{\"values\":[{\"indicator\":\"gdp\",\"value\":1}]}",
                                    &retry), 200);
    expect_cache(rank, "miss");
    expect_cache(rank, "hit");
    /* a target written by another store handle, as the CLI would */
    assert_int_equal(store_open(g.db, &cli), 0);
    assert_int_equal(store_targets(cli, 2026, &t, &n), 0);
    assert_true(n > 0);
    t[0].value += 1;
    assert_int_equal(store_begin(cli), 0);
    assert_int_equal(store_target_put(cli, &t[0], NULL), 0);
    assert_int_equal(store_commit(cli), 0);
    free(t);
    store_close(cli);
    /* a worker trusts its last look at the counters for up to 20 ms (server.c VIEW_TRUST_MS)
     * when this process has not written: another process's write shows after that */
    usleep(60 * 1000);
    expect_cache(rank, "miss");
    expect_cache(rank, "hit");
    /* SQL from another program: the server cannot tell what changed, so everything goes */
    assert_int_equal(sqlite3_open(g.db, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, "UPDATE units SET name_en = 'Baisha' WHERE code = 'lj_baisha'",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    usleep(60 * 1000);
    assert_int_equal(get_cache(g.port, rank, NULL, cache, sizeof cache), 200);
    assert_string_equal(cache, "miss");
}

/* ---- a write meeting another connection's write lock ---- */

typedef struct unlock_later {
    sqlite3 *db;
    int after_ms;
} unlock_later;

static void *unlock_main(void *arg)
{
    unlock_later *u = arg;
    struct timespec pause = { u->after_ms / 1000, (long)(u->after_ms % 1000) * 1000000L };

    nanosleep(&pause, NULL);
    sqlite3_exec(u->db, "ROLLBACK", NULL, NULL, NULL);
    return NULL;
}

/* Held longer than the busy time: 503 with Retry-After, for a figure and for a sign-in (whose
 * audit line cannot be written); released within it: the write waits and goes through. */
static void test_foreign_write_lock(void **state)
{
    char path[128], login[512];
    unlock_later u = { NULL, BUSY_MS / 4 };
    struct timespec t0;
    pthread_t th;
    int retry = 0;

    (void)state;
    snprintf(path, sizeof path, "/api/submissions/%s/2026-10/values", g_missing);
    assert_int_equal(sqlite3_open(g.db, &u.db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(u.db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(write_as_admin("PUT", path, "{\"values\":[{\"indicator\":\"gdp\",\"value\":2}]}",
                                    &retry), 503);
    assert_true(ms_since(&t0) >= BUSY_MS - 50);
    assert_true(retry > 0);
    assert_int_equal(test_login(g.port, "admin1", PW, login, sizeof login), 503);
    /* released while the write waits */
    assert_int_equal(pthread_create(&th, NULL, unlock_main, &u), 0);
    assert_int_equal(write_as_admin("PUT", path, "{\"values\":[{\"indicator\":\"gdp\",\"value\":3}]}",
                                    &retry), 200);
    pthread_join(th, NULL);
    sqlite3_close(u.db);
    assert_int_equal(test_login(g.port, "admin1", PW, login, sizeof login), 0);
}

/* ---- the slow pool, on a route table of the test's own ---- */

static pthread_mutex_t slow_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slow_cv = PTHREAD_COND_INITIALIZER;
static int slow_running;     /* handlers under way */
static atomic_int slow_calls;
static int slow_ms;

/* A result that takes slow_ms to compute (and no CPU): tells the test it runs. */
static int h_slow(http_req *req, json_t **out)
{
    struct timespec pause = { slow_ms / 1000, (long)(slow_ms % 1000) * 1000000L };

    atomic_fetch_add(&slow_calls, 1);
    pthread_mutex_lock(&slow_mu);
    slow_running++;
    pthread_cond_broadcast(&slow_cv);
    pthread_mutex_unlock(&slow_mu);
    nanosleep(&pause, NULL);
    pthread_mutex_lock(&slow_mu);
    slow_running--;
    pthread_mutex_unlock(&slow_mu);
    *out = json_pack("{s:s}", "id", req->param[0]);
    return *out ? 0 : ERR_NOMEM;
}

/* Waits until n slow handlers run; fails after 10 s. */
static void wait_running(int n)
{
    struct timespec deadline;
    int rc = 0;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&slow_mu);
    while (slow_running < n && rc == 0)
        rc = pthread_cond_timedwait(&slow_cv, &slow_mu, &deadline);
    pthread_mutex_unlock(&slow_mu);
    if (rc != 0)
        fail_msg("%d slow handlers did not start", n);
}

/* A server on the demo with Saima's routes and /slow/{id}, one request thread, two slow
 * threads and a queue of queue; *routes is the caller's to free after stopping it. */
static http_server *start_slow_server(int queue, http_route **routes)
{
    static const http_route slow = { "GET", "/slow/{id}", h_slow, HTTP_ROLES_ALL, 0, HTTP_ROUTE_CACHE };
    http_server_opts o;
    http_server *s = NULL;
    size_t n;

    assert_int_equal(http_routes_all(routes, &n), 0);
    assert_non_null(*routes = realloc(*routes, (n + 1) * sizeof **routes));
    (*routes)[n] = slow;
    memset(&o, 0, sizeof o);
    o.db_path = g.db;
    o.threads = 1; /* one request thread: it must never wait for the computations */
    o.slow_threads = 2;
    o.slow_queue = queue;
    o.routes = *routes;
    o.nroutes = n + 1;
    assert_int_equal(http_server_start(&o, &s), 0);
    return s;
}

typedef struct get_job {
    int port;
    const char *path;
    int status;
    char cache[16];
    char body[64];
    int retry;                 /* Retry-After, 0 without */
} get_job;

static void *get_main(void *arg)
{
    get_job *j = arg;
    test_resp r;

    if (test_http_get(j->port, j->path, NULL, &r) == 0) {
        j->status = r.status;
        char retry[16];
        if (!test_header(&r, "X-Cache", j->cache, sizeof j->cache))
            j->cache[0] = '\0';
        j->retry = test_header(&r, "Retry-After", retry, sizeof retry) ? atoi(retry) : 0;
        snprintf(j->body, sizeof j->body, "%s", r.body);
        test_resp_free(&r);
    }
    return NULL;
}

/* Two requests for one key while it computes: one computation, both answered with it; the
 * next is a hit. */
static void test_single_flight(void **state)
{
    http_route *routes = NULL;
    http_server *s = start_slow_server(0, &routes);
    get_job a = { http_server_port(s), "/slow/a", 0, "", "", 0 }, b = a;
    pthread_t ta, tb;
    char cache[16];

    (void)state;
    slow_ms = 300;
    atomic_store(&slow_calls, 0);
    assert_int_equal(pthread_create(&ta, NULL, get_main, &a), 0);
    wait_running(1);
    assert_int_equal(pthread_create(&tb, NULL, get_main, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_int_equal(a.status, 200);
    assert_int_equal(b.status, 200);
    assert_string_equal(a.body, b.body);
    assert_string_equal(a.cache, "miss");
    assert_string_equal(b.cache, "shared");
    assert_int_equal(atomic_load(&slow_calls), 1);
    assert_int_equal(get_cache(a.port, "/slow/a", NULL, cache, sizeof cache), 200);
    assert_string_equal(cache, "hit");
    assert_int_equal(atomic_load(&slow_calls), 1);
    http_server_stop(s);
    free(routes);
}

/* While both slow threads compute, health and kept results answer at once; another
 * computation waits in the queue, and one more than the queue holds is 503 with
 * Retry-After. */
static void test_slow_bounded(void **state)
{
    http_route *routes = NULL;
    http_server *s = start_slow_server(1, &routes);
    int port = http_server_port(s);
    get_job jobs[4] = { { port, "/slow/b", 0, "", "", 0 }, { port, "/slow/c", 0, "", "", 0 },
                        { port, "/slow/d", 0, "", "", 0 }, { port, "/slow/e", 0, "", "", 0 } };
    pthread_t th[4];
    struct timespec t0;
    test_resp r;
    char cache[16];
    long ms;

    (void)state;
    slow_ms = 1500;
    assert_int_equal(get_cache(port, "/api/rankings?indicator=gdp", NULL, cache, sizeof cache), 200);
    /* one at a time: the queue holds one flight until a slow thread takes it */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, get_main, &jobs[i]), 0);
        wait_running(i + 1);
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(test_http_get(port, "/api/health", NULL, &r), 0);
    ms = ms_since(&t0);
    assert_int_equal(r.status, 200);
    test_resp_free(&r);
    if (ms > 100)
        fail_msg("health took %ld ms while two results computed", ms);
    assert_int_equal(get_cache(port, "/api/rankings?indicator=gdp", NULL, cache, sizeof cache), 200);
    assert_string_equal(cache, "hit");
    /* of two more, one waits in the queue and the other finds it full */
    for (int i = 2; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, get_main, &jobs[i]), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(jobs[0].status, 200);
    assert_int_equal(jobs[1].status, 200);
    assert_int_equal(jobs[2].status + jobs[3].status, 200 + 503);
    assert_true(jobs[jobs[2].status == 503 ? 2 : 3].retry > 0);
    http_server_stop(s);
    free(routes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_escaped),
        cmocka_unit_test(test_invalidation),
        cmocka_unit_test(test_foreign_write_lock),
        cmocka_unit_test(test_single_flight),
        cmocka_unit_test(test_slow_bounded),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
