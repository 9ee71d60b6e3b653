/* support: what several test suites share — a store on a fresh temporary database, and the
 * walk over data-file cases (a directory per case holding input.json and expected.json). */
#ifndef SAIMA_TEST_SUPPORT_H
#define SAIMA_TEST_SUPPORT_H

#include "engine/score.h"
#include "io/import.h"
#include "store/store.h"

#include <jansson.h>

/* A store on a temporary database file, removed (with its WAL files) when closed. */
typedef struct test_db {
    store *s;
    char path[64];
} test_db;

/* A new, unused path under /tmp (no file there yet) into path (size ≥ 23). Returns 0 or -1. */
int test_temp_path(char *path, size_t size);

/* The saima binary the CLI tests run: $SAIMA_BIN, else build/asan/saima. */
const char *test_saima_bin(void);

/* Runs `saima --db DB ARGS` and returns its exit code (-1 when it did not exit), stdout in out. */
int test_run_saima(const char *db, const char *args, char *out, size_t size);

/* Opens a store on a new temporary file. Returns 0 or -1. */
int test_db_open(test_db *db);

/* Removes a database file and its WAL and shared-memory files. */
void test_db_remove_files(const char *path);

/* Closes the store and removes its files; a closed or zeroed db is fine. */
void test_db_close(test_db *db);

/* The path of tests/REL, found next to this source file (a static buffer). */
const char *test_data_path(const char *rel);

/* The path of tests/fixtures/import/NAME (the same static buffer). */
const char *test_fixture_path(const char *name);

/* Points of a data case from a JSON decimal string (exact) or number; fails the test naming
 * the case and what otherwise. */
engine_points test_json_points(const char *case_name, json_t *v, const char *what);

/* Import options of a test: today's date fixed, the actor "tester". */
io_import_opts test_import_opts(const char *today);

/* cmocka group setup and teardown giving each test a test_db in *state. */
int test_db_setup(void **state);
int test_db_teardown(void **state);

/* Reads a decimal with at most 4 decimals ("13.5", "-0.0125") into point units, exactly.
 * Returns 0, or -1 when it is not such a number. */
int test_points_text(const char *text, engine_points *out);

/* The same, failing the test on a bad literal. */
engine_points test_points(const char *text);

/* Calls fn for every case directory under dir (in name order), with its parsed input.json
 * and expected.json; a file that does not parse fails the test naming it. Returns the number
 * of cases run. */
int test_cases_each(const char *dir, void (*fn)(const char *name, json_t *in, json_t *want, void *ctx),
                    void *ctx);

/* ---- a blocking HTTP/1.1 client for the API suites ---- */

/* One reply: the status, the header lines and the body (NUL-terminated). */
typedef struct test_resp {
    int status;
    char head[4096];           /* the header lines */
    char *body;
    size_t body_len;
} test_resp;

/* A connected TCP socket to 127.0.0.1:port, or -1 when nothing listens. */
int test_connect(int port);

/* Releases a reply's body and zeroes it. */
void test_resp_free(test_resp *r);

/* Sends one request to 127.0.0.1:port (extra: raw header lines, each ending in \r\n) with
 * Connection: close and reads the whole reply; a body gets its Content-Length unless extra
 * gives one. Returns 0 or -1. */
int test_http_raw(int port, const char *method, const char *path, const char *extra,
                  const char *body, size_t body_len, test_resp *r);
int test_http_get(int port, const char *path, const char *extra, test_resp *r);

/* The value of a reply header (case-insensitive name) copied into buf, or NULL. */
const char *test_header(const test_resp *r, const char *name, char *buf, size_t size);

/* Adds an account with password at libsodium's cheapest argon2id cost (a server rehashes it at
 * the first sign-in); unit_code may be NULL. Returns 0 or the store's error. */
int test_add_user(store *s, const char *login, int role, const char *unit_code, const char *password);

/* A demo database (as of 2026-10, the default seed) in a new temporary directory, and the
 * server on it. */
typedef struct test_demo {
    char dir[64];
    char db[128];
    struct http_server *srv;
    int port;
} test_demo;

/* Makes the directory and the demo database; tag names the directory. Returns 0 or -1. */
int test_demo_create(test_demo *t, const char *tag);

/* Starts the server on it (static_dir may be NULL). Returns 0 or -1. */
int test_demo_serve(test_demo *t, const char *static_dir);

/* Stops the server and removes the directory. Returns 0 or -1. */
int test_demo_remove(test_demo *t);

/* Signs in through POST /api/login and writes the header lines a signed-in request sends
 * ("Cookie: ...\r\nX-CSRF-Token: ...\r\n") to headers. Returns 0, the HTTP status of a
 * refusal, or -1. */
int test_login(int port, const char *login, const char *password, char *headers, size_t size);

/* Where the puts of TEST_PUT_IS and TEST_PUT_CYCLE write what they did. */
extern enum store_put_result test_put_result;

/* Checks that call (a put writing into &test_put_result) succeeds having done want. Needs
 * cmocka. */
#define TEST_PUT_IS(call, want)                                                                \
    do {                                                                                       \
        test_put_result = (enum store_put_result)-1;                                          \
        assert_int_equal((call), 0);                                                           \
        assert_int_equal(test_put_result, (want));                                             \
    } while (0)

/* Checks what a put does three times: it inserts, the same call again leaves the row
 * unchanged, and after the statement change it changes the row. */
#define TEST_PUT_CYCLE(call, change)                                                           \
    do {                                                                                       \
        TEST_PUT_IS(call, STORE_INSERTED);                                                     \
        TEST_PUT_IS(call, STORE_UNCHANGED);                                                    \
        change;                                                                                \
        TEST_PUT_IS(call, STORE_CHANGED);                                                      \
    } while (0)

#endif
