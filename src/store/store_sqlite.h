/* store_sqlite: the SQLite back end's entry, for store.c's dispatch of URIs only. */
#ifndef SAIMA_STORE_SQLITE_H
#define SAIMA_STORE_SQLITE_H

#include "store/store.h"

/* Opens (creating if needed) the SQLite database at path and migrates it (to
 * opts->max_version when given). *out is the caller's, to release with store_close. */
int store_sqlite_open(const char *path, const store_open_opts *opts, store **out);

/* The reads of months every analysis runs, for the tests that check their query plans: each
 * must seek the observations' primary key, never scan the table. NULL-terminated. */
extern const char *const store_sqlite_keyed_reads[];
/* The reads of one year's targets (of one indicator or of every one): each must seek the
 * year's covering index (targets_by_year). NULL-terminated. */
extern const char *const store_sqlite_year_reads[];

/* The newest schema version of the SQLite back end. */
int store_sqlite_latest_version(void);

#endif
