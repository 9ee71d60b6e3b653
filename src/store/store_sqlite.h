/* store_sqlite: the SQLite back end's entry, for store.c's dispatch of URIs only. */
#ifndef SAIMA_STORE_SQLITE_H
#define SAIMA_STORE_SQLITE_H

#include "store/store.h"

/* Opens (creating if needed) the SQLite database at path and migrates it (to
 * opts->max_version when given). *out is the caller's, to release with store_close. */
int store_sqlite_open(const char *path, const store_open_opts *opts, store **out);

/* The newest schema version of the SQLite back end. */
int store_sqlite_latest_version(void);

#endif
