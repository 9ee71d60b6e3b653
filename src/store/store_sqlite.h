/* store_sqlite: shared between the SQLite back end's files only. */
#ifndef SAIMA_STORE_SQLITE_H
#define SAIMA_STORE_SQLITE_H

/* Migration i (0-based) upgrades a database from user_version i to i + 1. */
extern const char *const store_sqlite_migrations[];
extern const int store_sqlite_migration_count;

#endif
