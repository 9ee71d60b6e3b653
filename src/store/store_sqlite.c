/* store_sqlite: the SQLite back end's core (WAL, foreign keys, migrations at open, the
 * transactions and the change counter) and the helpers its concern files share. */
#include "store/store_sqlite.h"
#include "store/store_sqlite_int.h"
#include "util/grow.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

const char sq_sql_unit_id[] = "SELECT id FROM units WHERE code = ?1";
const char sq_sql_group_id[] = "SELECT id FROM groups WHERE code = ?1";
const char sq_sql_indicator_id[] = "SELECT id FROM indicators WHERE code = ?1";
const char sq_sql_scheme_id[] = "SELECT id FROM schemes WHERE code = ?1";
const char sq_sql_period_id[] = "SELECT id FROM periods WHERE code = ?1";
const char sq_sql_category_id[] = "SELECT id FROM contest_categories WHERE code = ?1";
const char sq_sql_contest_id[] = "SELECT id FROM contests WHERE code = ?1";

/* Our triggers raise "saima:locked: <why>"; the one about a published value has its own code. */
#define TRIGGER_PREFIX "saima:locked: "
#define TRIGGER_PUBLISHED "saima:locked: the observation is published"

int sq_fail(sq_store *q, const char *what)
{
    const char *msg = sqlite3_errmsg(q->db);
    int code = sqlite3_extended_errcode(q->db);
    if (strncmp(msg, TRIGGER_PUBLISHED, strlen(TRIGGER_PUBLISHED)) == 0)
        return err_set(ERR_PUBLISHED, "%s: %s", what, msg + strlen(TRIGGER_PREFIX));
    if (strncmp(msg, TRIGGER_PREFIX, strlen(TRIGGER_PREFIX)) == 0)
        return err_set(ERR_LOCKED, "%s: %s", what, msg + strlen(TRIGGER_PREFIX));
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
        return err_set(ERR_CONFLICT, "%s: duplicate key (%s)", what, msg);
    if ((code & 0xff) == SQLITE_CONSTRAINT)
        return err_set(ERR_CONSTRAINT, "%s: %s", what, msg);
    return err_set(ERR_DB, "%s: %s", what, msg);
}

/* The slot of sql: its own, or the empty one where it goes; NULL when the cache is full. */
static struct sq_slot *stmt_slot(sq_store *q, const char *sql)
{
    size_t h = (size_t)(((uintptr_t)sql >> 3) * 2654435761u) % SQ_STMT_SLOTS;
    for (size_t i = 0; i < SQ_STMT_SLOTS; i++) {
        struct sq_slot *slot = &q->stmts[(h + i) % SQ_STMT_SLOTS];
        if (slot->sql == sql || !slot->sql)
            return slot;
    }
    return NULL;
}

sqlite3_stmt *sq_stmt(sq_store *q, const char *sql)
{
    struct sq_slot *slot = stmt_slot(q, sql);
    if (!slot) {
        err_set(ERR_INTERNAL, "prepare: more than %d statements", SQ_STMT_SLOTS);
        return NULL;
    }
    if (!slot->st) {
        if (sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->st, NULL) !=
            SQLITE_OK) {
            sq_fail(q, "prepare");
            return NULL;
        }
        slot->sql = sql;
    } else {
        sqlite3_reset(slot->st);
        sqlite3_clear_bindings(slot->st);
    }
    return slot->st;
}

void sq_bind_text(sqlite3_stmt *st, int i, const char *text)
{
    sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
}

void sq_copy_col(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", t ? (const char *)t : "");
}

int sq_enum_col(sqlite3_stmt *st, int col, const model_enum *names, int n)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    int i = t ? model_enum_find(names, n, (const char *)t) : -1;
    return i < 0 ? 0 : i;
}

int sq_run(sq_store *q, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sq_fail(q, what);
    sqlite3_reset(st);
    return 0;
}

int sq_run_put(sq_store *q, sqlite3_stmt *st, int existed, const char *what,
               enum store_put_result *result)
{
    int rc = sq_run(q, st, what);
    if (rc == 0 && result)
        *result = !existed                  ? STORE_INSERTED
                  : sqlite3_changes(q->db) ? STORE_CHANGED
                                           : STORE_UNCHANGED;
    return rc;
}

int sq_exists(sq_store *q, const char *sql, const char *key)
{
    sqlite3_stmt *st = sq_stmt(q, sql);
    int rc;
    if (!st)
        return -1;
    sq_bind_text(st, 1, key);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sq_fail(q, "look up");
        return -1;
    }
    return rc == SQLITE_ROW;
}

sqlite3_stmt *sq_put_stmt(sq_store *q, const char *exists_sql, const char *put_sql,
                          const char *code, int *existed)
{
    sqlite3_stmt *st;
    if ((*existed = sq_exists(q, exists_sql, code)) < 0 || !(st = sq_stmt(q, put_sql)))
        return NULL;
    sq_bind_text(st, 1, code);
    return st;
}

int sq_exec(sq_store *q, const char *sql, const char *what)
{
    char *msg = NULL;
    if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = err_set(ERR_DB, "%s: %s", what, msg ? msg : sqlite3_errmsg(q->db));
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

void sq_now(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

void sq_write_time(const sq_store *q, char *buf, size_t size)
{
    if (q->in_tx)
        snprintf(buf, size, "%s", q->tx_time);
    else
        sq_now(buf, size);
}

int sq_lookup_id(sq_store *q, const char *sql, const char *code, const char *what, int64_t *out)
{
    sqlite3_stmt *st = sq_stmt(q, sql);
    int rc;
    if (!st)
        return ERR_DB;
    sq_bind_text(st, 1, code);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return 0;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_fail(q, what);
    return err_set(ERR_NOTFOUND, "unknown %s code '%s'", what, code);
}

int sq_bind_ref(sq_store *q, sqlite3_stmt *st, int i, const char *lookup, const char *code,
                const char *what)
{
    int64_t id;
    int rc;
    if (code[0] == '\0') {
        sqlite3_bind_null(st, i);
        return 0;
    }
    if ((rc = sq_lookup_id(q, lookup, code, what, &id)) != 0)
        return rc;
    sqlite3_bind_int64(st, i, id);
    return 0;
}

int sq_require_id(sq_store *q, const char *lookup, const char *code, const char *what,
                  const char *owner, int64_t *out)
{
    if (!code || code[0] == '\0')
        return err_set(ERR_DATA, "%s: no %s code", owner, what);
    return sq_lookup_id(q, lookup, code, what, out);
}

int sq_check_enum(int value, int n, const char *what, const char *owner)
{
    if (value < 0 || value >= n)
        return err_set(ERR_DATA, "%s: unknown %s %d", owner, what, value);
    return 0;
}

int sq_has_text(const char *text)
{
    for (; text && *text; text++) {
        if (*text != ' ' && *text != '\t' && *text != '\n' && *text != '\r')
            return 1;
    }
    return 0;
}

int sq_collect(sq_store *q, sqlite3_stmt *st, size_t elem_size,
               void (*read)(sqlite3_stmt *st, void *elem), void **out, size_t *n)
{
    size_t cap = 16, len = 0;
    char *items = calloc(cap, elem_size);
    int rc;
    if (!items)
        return err_set(ERR_NOMEM, "out of memory");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            char *bigger = grow_array(items, &cap, len + 1, elem_size, 16);
            if (!bigger) {
                free(items);
                sqlite3_reset(st);
                return err_set(ERR_NOMEM, "out of memory");
            }
            items = bigger;
        }
        memset(items + len * elem_size, 0, elem_size);
        read(st, items + len * elem_size);
        len++;
    }
    if (rc != SQLITE_DONE) {
        free(items);
        return sq_fail(q, "read");
    }
    sqlite3_reset(st);
    *out = items;
    *n = len;
    return 0;
}

int sq_get_one(sq_store *q, sqlite3_stmt *st, void (*read)(sqlite3_stmt *st, void *elem),
               void *out, size_t size, const char *what, const char *key)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, size);
        read(st, out);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? err_set(ERR_NOTFOUND, "unknown %s '%s'", what, key)
                             : sq_fail(q, what);
}

int sq_get_code(sq_store *q, const char *sql, const char *code,
                void (*read)(sqlite3_stmt *st, void *elem), void *out, size_t size,
                const char *what)
{
    sqlite3_stmt *st = sq_stmt(q, sql);
    if (!st)
        return ERR_DB;
    sq_bind_text(st, 1, code);
    return sq_get_one(q, st, read, out, size, what, code);
}

/* ---- the core: lifecycle, transactions, change counter ---- */

static void sq_close(store *s)
{
    sq_store *q = sq(s);
    if (q->in_tx)
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    for (int i = 0; i < SQ_STMT_SLOTS; i++)
        sqlite3_finalize(q->stmts[i].st);
    sqlite3_finalize(q->bulk_insert);
    sqlite3_close(q->db);
    free(q);
}

/* The integer a PRAGMA returns (0 when it returns no row). */
static int pragma_int(sq_store *q, const char *sql, const char *what, long long *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sq_fail(q, what);
    *out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return 0;
}

static int sq_schema_version(store *s, int *out)
{
    long long v = 0;
    int rc = pragma_int(sq(s), "PRAGMA user_version", "schema version", &v);
    *out = (int)v;
    return rc;
}

/* PRAGMA data_version moves when another connection commits; this connection's own writes
 * move its total of changed rows. Either moving moves the counter (a rolled-back write
 * moves it too: a needless miss of a cache, never a stale hit). */
static int sq_change_counter(store *s, long long *out)
{
    sq_store *q = sq(s);
    long long dv;
    sqlite3_int64 changes = sqlite3_total_changes64(q->db);
    int rc = pragma_int(q, "PRAGMA data_version", "change counter", &dv);
    if (rc != 0)
        return rc;
    if (dv != q->seen_data_version || changes != q->seen_changes)
        q->counter++;
    q->seen_data_version = dv;
    q->seen_changes = changes;
    *out = q->counter;
    return 0;
}

static int sq_begin(store *s)
{
    sq_store *q = sq(s);
    int rc;
    if (q->in_tx)
        return err_set(ERR_INTERNAL, "a transaction is already open");
    if ((rc = sq_exec(q, "BEGIN IMMEDIATE", "begin")) == 0) {
        q->in_tx = 1;
        q->nlocks = 0;
        sq_now(q->tx_time, sizeof q->tx_time);
    }
    return rc;
}

static int sq_commit(store *s)
{
    sq_store *q = sq(s);
    int rc = sq_exec(q, "COMMIT", "commit");
    q->nlocks = 0;
    if (rc == 0)
        q->in_tx = 0;
    return rc;
}

static int sq_rollback(store *s)
{
    sq_store *q = sq(s);
    q->in_tx = 0;
    q->nlocks = 0;
    return sqlite3_get_autocommit(q->db) ? 0 : sq_exec(q, "ROLLBACK", "rollback");
}

static const struct store_core_ops sq_core_ops = {
    .version = STORE_CORE_OPS_VERSION,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .schema_version = sq_schema_version,
    .change_counter = sq_change_counter,
};

/* ---- opening and migration ---- */

/* Applies migrations from the current version up to goal, each in its own transaction. */
static int migrate(sq_store *q, int goal)
{
    int version, rc;
    char pragma[64];
    if ((rc = sq_schema_version(&q->base, &version)) != 0)
        return rc;
    if (version > store_sqlite_migration_count)
        return err_set(ERR_DB, "the database has schema version %d, newer than this saima (%d)",
                       version, store_sqlite_migration_count);
    for (int v = version; v < goal; v++) {
        if ((rc = sq_exec(q, "BEGIN IMMEDIATE", "migrate")) != 0)
            return rc;
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if ((rc = sq_exec(q, store_sqlite_migrations[v], "migrate")) != 0 ||
            (rc = sq_exec(q, pragma, "migrate")) != 0 || (rc = sq_exec(q, "COMMIT", "migrate")) != 0) {
            char detail[512];
            snprintf(detail, sizeof detail, "%s", err_msg());
            sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
            return err_set(rc, "migration to schema version %d failed: %s", v + 1, detail);
        }
    }
    return 0;
}

/* saima_period_ordinal(kind, year, seq): period_ordinal for SQL, so that lists can be
 * ordered by period in the query (NULL for a kind that is not one). */
static void sql_period_ordinal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const unsigned char *kind = sqlite3_value_text(argv[0]);
    period_key key;
    (void)argc;
    if (!kind || period_kind_parse((const char *)kind, &key.kind) != 0) {
        sqlite3_result_null(ctx);
        return;
    }
    key.year = sqlite3_value_int(argv[1]);
    key.seq = sqlite3_value_int(argv[2]);
    sqlite3_result_int64(ctx, period_ordinal(&key));
}

/* Process-wide SQLite settings, applied once before the first connection: no memory
 * statistics (they take a global mutex on every allocation). */
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_sqlite_latest_version(void)
{
    return store_sqlite_migration_count;
}

int store_sqlite_open(const char *path, const store_open_opts *opts, store **out)
{
    static const char pragmas[] = "PRAGMA journal_mode = WAL;"
                                  "PRAGMA synchronous = FULL;"
                                  "PRAGMA foreign_keys = ON;"
                                  "PRAGMA temp_store = MEMORY;"
                                  "PRAGMA cache_size = -262144;";
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    int goal = store_sqlite_migration_count, rc;
    sq_store *q = calloc(1, sizeof *q);
    pthread_once(&once, configure_sqlite);
    if (!q)
        return err_set(ERR_NOMEM, "out of memory");
    q->base = (store){ &sq_core_ops, &sq_ref_ops, &sq_obs_ops, &sq_flow_ops, &sq_race_ops, &sq_acct_ops };
    q->seen_data_version = -1;
    if (opts && opts->max_version > 0 && opts->max_version < goal)
        goal = opts->max_version;
    /* A store handle belongs to one thread at a time, so the connection needs no mutex. */
    if (opts && opts->must_exist && access(path, F_OK) != 0) {
        free(q);
        return err_set(ERR_NOTFOUND, "no database at '%s'", path);
    }
    if (sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = err_set(ERR_IO, "cannot open database '%s': %s", path,
                     q->db ? sqlite3_errmsg(q->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(q->db, 5000);
    if (sqlite3_create_function(q->db, "saima_period_ordinal", 3,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_period_ordinal, NULL,
                                NULL) != SQLITE_OK) {
        rc = sq_fail(q, "open");
        goto fail;
    }
    if ((rc = sq_exec(q, pragmas, "open")) != 0 || (rc = migrate(q, goal)) != 0 ||
        (rc = sq_schema_version(&q->base, &q->version)) != 0) {
        char detail[512];
        snprintf(detail, sizeof detail, "%s", err_msg());
        err_set(rc, "database '%s': %s", path, detail);
        goto fail;
    }
    *out = &q->base;
    return 0;
fail:
    sqlite3_close(q->db);
    free(q);
    return rc;
}
