/* support: what several test suites share — a store on a fresh temporary database, and the
 * walk over data-file cases (a directory per case holding input.json and expected.json). */
#ifndef SAIMA_TEST_SUPPORT_H
#define SAIMA_TEST_SUPPORT_H

#include "store/store.h"

#include <jansson.h>

/* A store on a temporary database file, removed (with its WAL files) when closed. */
typedef struct test_db {
    store *s;
    char path[64];
} test_db;

/* Opens a store on a new temporary file. Returns 0 or -1. */
int test_db_open(test_db *db);

/* Closes the store and removes its files; a closed or zeroed db is fine. */
void test_db_close(test_db *db);

/* Calls fn for every case directory under dir (in name order), with its parsed input.json
 * and expected.json; a file that does not parse fails the test naming it. Returns the number
 * of cases run. */
int test_cases_each(const char *dir, void (*fn)(const char *name, json_t *in, json_t *want, void *ctx),
                    void *ctx);

#endif
