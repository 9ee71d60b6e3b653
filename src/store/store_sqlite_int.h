/* store_sqlite_int: what the SQLite back end's files share and nothing else may use (the
 * sq_ prefix): the handle, the statement cache, bind and copy helpers, sq_collect, sq_fail. */
#ifndef SAIMA_STORE_SQLITE_INT_H
#define SAIMA_STORE_SQLITE_INT_H

#include "store/store.h"
#include "util/err.h"

#include <sqlite3.h>

/* Prepared statements kept per handle, found by the address of their SQL text. */
#define SQ_STMT_SLOTS 256

/* The first schema version with submissions (an older one is only opened by tests). */
#define SQ_SUBMISSIONS_VERSION 7

/* A period's lock state as read in the open transaction. */
struct sq_lock { int64_t period_id; int locked, approved; };

typedef struct sq_store {
    store base;
    sqlite3 *db;
    struct sq_slot { const char *sql; sqlite3_stmt *st; } stmts[SQ_STMT_SLOTS];
    sqlite3_stmt *bulk_insert;    /* BULK_ROWS rows per statement (store_sqlite_obs.c) */
    int in_tx;
    int bulk;                     /* the open transaction is a bulk one: foreign keys are off */
    char tx_time[MODEL_TIME_MAX]; /* when the open transaction began: one import, one moment */
    /* Lock state of periods already checked in the open transaction: writes inside one
     * transaction see the locks as they were when it began (BEGIN IMMEDIATE holds the
     * write lock, so nobody else can change them meanwhile). */
    struct sq_lock locks[64];
    int nlocks;
    int version;                  /* the schema version the database was migrated to */
    long long counter;            /* the change counter last returned */
    long long seen_data_version;  /* PRAGMA data_version and total changes when it was */
    sqlite3_int64 seen_changes;
    unsigned dirty;               /* STORE_CONCERN bits written in the open transaction */
    unsigned pending;             /* bits written outside a transaction, not yet counted */
    store_changes known;          /* what changes() last returned */
    long long known_data_version; /* PRAGMA data_version and total changes when it was */
    sqlite3_int64 known_total;
} sq_store;

/* The operation tables of the concern files. */
extern const struct store_ref_ops sq_ref_ops;
extern const struct store_obs_ops sq_obs_ops;
extern const struct store_flow_ops sq_flow_ops;
extern const struct store_race_ops sq_race_ops;
extern const struct store_acct_ops sq_acct_ops;

/* Migration i (0-based) upgrades a database from user_version i to i + 1 (store_schema.c). */
extern const char *const store_sqlite_migrations[];
extern const int store_sqlite_migration_count;

/* The id lookups by code every concern uses. */
extern const char sq_sql_unit_id[], sq_sql_group_id[], sq_sql_indicator_id[], sq_sql_scheme_id[],
    sq_sql_period_id[], sq_sql_category_id[], sq_sql_contest_id[];

static inline sq_store *sq(store *s)
{
    return (sq_store *)s;
}

/* Turns the database's last error into an err code (our triggers' messages become
 * ERR_PUBLISHED or ERR_LOCKED, uniqueness ERR_CONFLICT, other constraints ERR_CONSTRAINT,
 * the rest ERR_DB) with what as context. */
int sq_fail(sq_store *q, const char *what);
/* The prepared, reset statement of sql (a string with static storage), or NULL with the
 * error set. */
sqlite3_stmt *sq_stmt(sq_store *q, const char *sql);
/* Runs a statement that returns no rows. */
int sq_run(sq_store *q, sqlite3_stmt *st, const char *what);
/* Runs an upsert whose update is skipped when the row is as given; existed says whether
 * its key was on record before. *result (may be NULL) receives what it did. */
int sq_run_put(sq_store *q, sqlite3_stmt *st, int existed, const char *what,
               enum store_put_result *result);
/* The statement of an upsert by code, with code bound at ?1, after *existed has been set
 * to whether exists_sql finds code; NULL with the error set when either fails. */
sqlite3_stmt *sq_put_stmt(sq_store *q, const char *exists_sql, const char *put_sql,
                          const char *code, int *existed);
/* Nonzero when the single-row query sql, given key at ?1, finds a row; -1 on error. */
int sq_exists(sq_store *q, const char *sql, const char *key);
/* The same with an id at ?1. */
int sq_exists_id(sq_store *q, const char *sql, int64_t id);
/* Runs SQL text without rows (several statements allowed). */
int sq_exec(sq_store *q, const char *sql, const char *what);
/* Binds text that outlives the statement's step. */
void sq_bind_text(sqlite3_stmt *st, int i, const char *text);
/* Copies a text column into dst ("" for NULL). */
void sq_copy_col(char *dst, size_t size, sqlite3_stmt *st, int col);
/* Reads an enumeration column stored by key; unknown keys read as 0. */
int sq_enum_col(sqlite3_stmt *st, int col, const model_enum *names, int n);
/* Now as ISO 8601 UTC with milliseconds. */
void sq_now(char *buf, size_t size);
/* The time recorded on a write: the transaction's start inside one, else now. */
void sq_write_time(const sq_store *q, char *buf, size_t size);
/* The id of a code with one of the sq_sql_*_id lookups; ERR_NOTFOUND names what. */
int sq_lookup_id(sq_store *q, const char *sql, const char *code, const char *what, int64_t *out);
/* Binds an optional reference: NULL when code is empty, else the id it names. */
int sq_bind_ref(sq_store *q, sqlite3_stmt *st, int i, const char *lookup, const char *code,
                const char *what);
/* The id of a code the write cannot do without: empty is ERR_DATA, unknown ERR_NOTFOUND. */
int sq_require_id(sq_store *q, const char *lookup, const char *code, const char *what,
                  const char *owner, int64_t *out);
/* ERR_DATA unless 0 <= value < n: an enumeration the caller filled. */
int sq_check_enum(int value, int n, const char *what, const char *owner);
/* Nonzero when text has something besides spaces. */
int sq_has_text(const char *text);
/* Steps st to the end, reading each row into a growing array of elem_size elements. */
int sq_collect(sq_store *q, sqlite3_stmt *st, size_t elem_size,
               void (*read)(sqlite3_stmt *st, void *elem), void **out, size_t *n);
/* Steps st (bound, expected to give at most one row) and reads its row into out; no row
 * is ERR_NOTFOUND naming what and key. */
int sq_get_one(sq_store *q, sqlite3_stmt *st, void (*read)(sqlite3_stmt *st, void *elem),
               void *out, size_t size, const char *what, const char *key);
/* The same for the query sql with code bound at ?1. */
int sq_get_code(sq_store *q, const char *sql, const char *code,
                void (*read)(sqlite3_stmt *st, void *elem), void *out, size_t size,
                const char *what);

/* Defines the two reads of an entity with a code: plural(s, out, n), every row list_sql
 * reads, and one##_get(s, code, out), the row get_sql finds for a code at ?1 (ERR_NOTFOUND
 * naming what when none); read fills one entity from a row. linkage is static or empty. */
#define SQ_LIST_AND_GET(linkage, plural, one, type, list_sql, get_sql, read, what)              \
    linkage int plural(store *s, type **out, size_t *n)                                         \
    {                                                                                           \
        sqlite3_stmt *st = sq_stmt(sq(s), list_sql);                                            \
        return st ? sq_collect(sq(s), st, sizeof **out, read, (void **)out, n) : ERR_DB;        \
    }                                                                                           \
    linkage int one##_get(store *s, const char *code, type *out)                                \
    {                                                                                           \
        return sq_get_code(sq(s), get_sql, code, read, out, sizeof *out, what);                 \
    }

/* The events', caps' and awards' part of sq_race_ops (store_sqlite_event.c). */
int sq_event_add(store *s, const model_event *e, int64_t *id);
int sq_event_revoke(store *s, int64_t id, const char *reason, const char *by);
int sq_events(store *s, int year, model_event **out, size_t *n);
int sq_event_get(store *s, int64_t id, model_event *out);
int sq_event_cap_put(store *s, const model_event_cap *c, enum store_put_result *result);
int sq_event_caps(store *s, int year, model_event_cap **out, size_t *n);
int sq_award_put(store *s, const model_award *a, enum store_put_result *result);
int sq_awards(store *s, model_award **out, size_t *n);
int sq_award_get(store *s, const char *code, model_award *out);

#endif
