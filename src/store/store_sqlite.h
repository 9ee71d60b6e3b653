/* store_sqlite: the SQLite back end's entry, for store.c's dispatch of URIs only. */
#ifndef SAIMA_STORE_SQLITE_H
#define SAIMA_STORE_SQLITE_H

#include "store/store.h"

/* Opens (creating if needed) the SQLite database at path and migrates it (to
 * opts->max_version when given). *out is the caller's, to release with store_close. */
int store_sqlite_open(const char *path, const store_open_opts *opts, store **out);

/* The reads every analysis runs, for the tests that check their query plans: each must seek
 * the observations' or the targets' primary key, never scan those tables. NULL-terminated. */
extern const char *const store_sqlite_keyed_reads[];

/* The newest schema version of the SQLite back end. */
int store_sqlite_latest_version(void);

#endif
