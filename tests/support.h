/* support: what several test suites share — a store on a fresh temporary database, and the
 * walk over data-file cases (a directory per case holding input.json and expected.json). */
#ifndef SAIMA_TEST_SUPPORT_H
#define SAIMA_TEST_SUPPORT_H

#include "engine/score.h"
#include "store/store.h"

#include <jansson.h>

/* A store on a temporary database file, removed (with its WAL files) when closed. */
typedef struct test_db {
    store *s;
    char path[64];
} test_db;

/* Opens a store on a new temporary file. Returns 0 or -1. */
int test_db_open(test_db *db);

/* Removes a database file and its WAL and shared-memory files. */
void test_db_remove_files(const char *path);

/* Closes the store and removes its files; a closed or zeroed db is fine. */
void test_db_close(test_db *db);

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

#endif
