/* store_sqlite: the SQLite back end's core (WAL, foreign keys, migrations at open, the
 * transactions, waiting for another connection's write lock, the change counters) and the
 * helpers its concern files share. */
#include "store/store_sqlite.h"
#include "store/store_sqlite_int.h"
#include "util/grow.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
    if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
        return err_set(ERR_BUSY, "%s: another connection holds the database (%s)", what, msg);
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

/* Steps a bound existence query once: 1 for a row, 0 for none, -1 after an error. */
static int exists_step(sq_store *q, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sq_fail(q, "look up");
        return -1;
    }
    return rc == SQLITE_ROW;
}

int sq_exists(sq_store *q, const char *sql, const char *key)
{
    sqlite3_stmt *st = sq_stmt(q, sql);
    if (!st)
        return -1;
    sq_bind_text(st, 1, key);
    return exists_step(q, st);
}

int sq_exists_id(sq_store *q, const char *sql, int64_t id)
{
    sqlite3_stmt *st = sq_stmt(q, sql);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    return exists_step(q, st);
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
    int rc = sqlite3_exec(q->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        int busy = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
        rc = err_set(busy ? ERR_BUSY : ERR_DB, "%s: %s", what, msg ? msg : sqlite3_errmsg(q->db));
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

/* ---- what changed: a counter per concern ---- */

/* The counters: bookkeeping for caches, not data, so the table is made at open when missing
 * rather than by a numbered migration; a concern without a row has counted nothing yet. */
static const char sql_changes_table[] =
    "CREATE TABLE IF NOT EXISTS saima_changes (concern INTEGER PRIMARY KEY, n INTEGER NOT NULL)";
static const char sql_changes_bump[] =
    "INSERT INTO saima_changes (concern, n) VALUES (?1, 1) "
    "ON CONFLICT (concern) DO UPDATE SET n = n + 1";
static const char sql_changes_read[] = "SELECT concern, n FROM saima_changes";
static const char sql_data_version[] = "PRAGMA data_version";

/* Each table's concern (-1: none). Triggers are named after their table ("events_keep") and
 * write only tables of their table's concern. A table missing here counts as every concern. */
static const struct {
    const char *table;
    int concern;
} table_concerns[] = {
    { "units", STORE_REF },           { "groups", STORE_REF },
    { "group_members", STORE_REF },   { "indicators", STORE_REF },
    { "indicator_coop", STORE_REF },  { "schemes", STORE_REF },
    { "scheme_items", STORE_REF },    { "periods", STORE_REF },
    { "observations", STORE_OBS },    { "observation_revisions", STORE_OBS },
    { "targets", STORE_OBS },         { "validation_flags", STORE_OBS },
    { "submissions", STORE_FLOW },    { "submission_steps", STORE_FLOW },
    { "contest_categories", STORE_RACE }, { "contests", STORE_RACE },
    { "judge_scores", STORE_RACE },   { "contest_results", STORE_RACE },
    { "flag_holders", STORE_RACE },   { "events", STORE_RACE },
    { "event_caps", STORE_RACE },     { "awards", STORE_RACE },
    { "users", STORE_ACCT },          { "audit_log", STORE_ACCT },
    { "saima_changes", -1 },
};

/* The concern bits of the table named by the first len bytes of name; every concern when
 * the table is unknown. With prefix set, name is a trigger's: the longest table name that
 * starts it, followed by '_', decides. */
static unsigned table_mask(const char *name, size_t len, int prefix)
{
    size_t best = 0;
    int concern = -2;
    for (size_t i = 0; i < sizeof table_concerns / sizeof table_concerns[0]; i++) {
        size_t n = strlen(table_concerns[i].table);
        if (strncmp(name, table_concerns[i].table, n) != 0 || n < best)
            continue;
        if (prefix ? n < len && name[n] == '_' : n == len) {
            best = n;
            concern = table_concerns[i].concern;
        }
    }
    return concern == -2 ? STORE_CONCERNS_ALL : concern < 0 ? 0u : STORE_CONCERN(concern);
}

/* Copies the next word of SQL text (a name, bare or quoted) into word; returns what follows. */
static const char *next_word(const char *p, char *word, size_t size)
{
    size_t n = 0;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '"' || *p == '`' || *p == '[') {
        char close = *p == '[' ? ']' : *p;
        for (p++; *p && *p != close; p++) {
            if (n + 1 < size)
                word[n++] = *p;
        }
        if (*p)
            p++;
    } else {
        for (; isalnum((unsigned char)*p) || *p == '_'; p++) {
            if (n + 1 < size)
                word[n++] = *p;
        }
    }
    word[n] = '\0';
    return p;
}

/* The concerns a writing statement's SQL names as its target: the table after INSERT [OR x]
 * INTO, REPLACE INTO, UPDATE [OR x] or DELETE FROM; none for a transaction's bounds. Any
 * other text (a CTE, DDL, a pragma) counts as every concern. */
static unsigned written_concerns(const char *sql)
{
    char w[64];
    const char *p = next_word(sql, w, sizeof w);
    if (strcasecmp(w, "INSERT") == 0 || strcasecmp(w, "REPLACE") == 0) {
        p = next_word(p, w, sizeof w);
        if (strcasecmp(w, "OR") == 0) {
            p = next_word(p, w, sizeof w);
            p = next_word(p, w, sizeof w);
        }
        if (strcasecmp(w, "INTO") != 0)
            return STORE_CONCERNS_ALL;
    } else if (strcasecmp(w, "UPDATE") == 0) {
        const char *after = next_word(p, w, sizeof w);
        if (strcasecmp(w, "OR") == 0)
            p = next_word(after, w, sizeof w);
    } else if (strcasecmp(w, "DELETE") == 0) {
        p = next_word(p, w, sizeof w);
        if (strcasecmp(w, "FROM") != 0)
            return STORE_CONCERNS_ALL;
    } else if (strcasecmp(w, "BEGIN") == 0 || strcasecmp(w, "COMMIT") == 0 ||
               strcasecmp(w, "END") == 0 || strcasecmp(w, "ROLLBACK") == 0 ||
               strcasecmp(w, "SAVEPOINT") == 0 || strcasecmp(w, "RELEASE") == 0) {
        return 0; /* a transaction's bounds write nothing themselves */
    } else {
        return STORE_CONCERNS_ALL;
    }
    p = next_word(p, w, sizeof w);
    if (*p == '.')
        next_word(p + 1, w, sizeof w); /* schema.table */
    return w[0] ? table_mask(w, strlen(w), 0) : STORE_CONCERNS_ALL;
}

/* SQLite calls this as each statement (and each trigger it fires) starts: a statement that
 * writes marks its concerns, to be counted in its transaction (sq_commit) or, written
 * outside one, at this handle's next begin, changes() or close (count_pending). */
static int on_statement(unsigned type, void *ctx, void *stmt, void *text)
{
    static const char trigger[] = "-- TRIGGER ";
    sq_store *q = ctx;
    const char *sql = text;
    unsigned mask;
    (void)type;
    if (!sql || sqlite3_stmt_readonly(stmt))
        return 0;
    if (strncmp(sql, trigger, sizeof trigger - 1) == 0)
        mask = table_mask(sql + sizeof trigger - 1, strlen(sql + sizeof trigger - 1), 1);
    else
        mask = written_concerns(sql);
    if (q->in_tx)
        q->dirty |= mask;
    else
        q->pending |= mask;
    return 0;
}

/* Moves the counter of each concern in mask, in the open transaction or in one of its own. */
static int bump(sq_store *q, unsigned mask)
{
    for (int c = 0; c < STORE_NCONCERNS; c++) {
        sqlite3_stmt *st;
        int rc;
        if (!(mask & STORE_CONCERN(c)))
            continue;
        if (!(st = sq_stmt(q, sql_changes_bump)))
            return ERR_DB;
        sqlite3_bind_int(st, 1, c);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return sq_fail(q, "count changes");
    }
    return 0;
}

/* Counts the writes made outside a transaction (already committed, each on its own). Until
 * they are counted, another handle sees a commit that moved no counter: other. */
static int count_pending(sq_store *q)
{
    unsigned mask = q->pending;
    int rc;
    if (!mask)
        return 0;
    if ((rc = bump(q, mask)) == 0)
        q->pending &= ~mask;
    return rc;
}

/* One row per concern, missing rows as 0. */
static int read_counters(sq_store *q, long long n[STORE_NCONCERNS])
{
    sqlite3_stmt *st = sq_stmt(q, sql_changes_read);
    int rc;
    memset(n, 0, STORE_NCONCERNS * sizeof *n);
    if (!st)
        return ERR_DB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int c = sqlite3_column_int(st, 0);
        if (c >= 0 && c < STORE_NCONCERNS)
            n[c] = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_fail(q, "read changes");
}

/* PRAGMA data_version moves when another connection commits; the counters are read again
 * only then, or when this connection has written. Another connection's commit that moved
 * none of them (SQL from another program, or a saima write outside a transaction not yet
 * counted) moves other. This connection's own commits move them (counted in the
 * transaction, or here first when written outside one), so its own movement without theirs
 * is a write rolled back, unless some could not be counted. */
static int sq_changes(store *s, store_changes *out)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    long long dv, n[STORE_NCONCERNS];
    int rc;
    if (q->pending && !q->in_tx)
        count_pending(q);
    if (!(st = sq_stmt(q, sql_data_version)))
        return ERR_DB;
    rc = sqlite3_step(st);
    dv = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return sq_fail(q, "data version");
    if (dv != q->known_data_version || sqlite3_total_changes64(q->db) != q->known_total) {
        if ((rc = read_counters(q, n)) != 0)
            return rc;
        if (q->known_data_version != -1 && memcmp(n, q->known.n, sizeof n) == 0 &&
            (dv != q->known_data_version || q->pending))
            q->known.other++;
        memcpy(q->known.n, n, sizeof n);
        q->known_data_version = dv;
        q->known_total = sqlite3_total_changes64(q->db);
    }
    *out = q->known;
    return 0;
}

/* ---- the core: lifecycle, transactions, change counter ---- */

static void sq_close(store *s)
{
    sq_store *q = sq(s);
    if (q->in_tx)
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    else
        count_pending(q);
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
        /* writes made outside a transaction before this one are counted by its commit */
        q->in_tx = 1;
        q->dirty = 0;
        q->nlocks = 0;
        sq_now(q->tx_time, sizeof q->tx_time);
    }
    return rc;
}

/* Runs pragmas that change this connection's settings, not data: they count as no write. */
static int set_connection(sq_store *q, const char *sql, const char *what)
{
    unsigned pending = q->pending;
    int rc = sq_exec(q, sql, what);
    q->pending = pending;
    return rc;
}

/* Turns the database's foreign-key and CHECK constraints back on after a bulk transaction
 * ended (statements compiled without them are recompiled). */
static int end_bulk(sq_store *q)
{
    if (!q->bulk)
        return 0;
    q->bulk = 0;
    return set_connection(q, "PRAGMA foreign_keys = ON; PRAGMA ignore_check_constraints = OFF",
                          "end a bulk transaction");
}

static int sq_begin_bulk(store *s)
{
    sq_store *q = sq(s);
    int rc;
    if (q->in_tx)
        return err_set(ERR_INTERNAL, "a transaction is already open");
    /* foreign_keys can only change outside a transaction. The CHECK of an observation's state
     * builds a table of its four names for every row inserted; the store writes only those
     * names (sq_observations_insert checks each row's state). */
    if ((rc = set_connection(q, "PRAGMA foreign_keys = OFF; PRAGMA ignore_check_constraints = ON",
                             "begin a bulk transaction")) != 0)
        return rc;
    q->bulk = 1;
    if ((rc = sq_begin(s)) != 0)
        end_bulk(q);
    return rc;
}

/* Counts the transaction's writes (and any pending from before it) in it, then commits. */
static int sq_commit(store *s)
{
    sq_store *q = sq(s);
    unsigned mask = q->dirty | q->pending;
    int rc = mask ? bump(q, mask) : 0;
    if (rc == 0)
        rc = sq_exec(q, "COMMIT", "commit");
    q->nlocks = 0;
    if (rc == 0) {
        q->in_tx = 0;
        q->dirty = 0;
        q->pending &= ~mask;
        rc = end_bulk(q);
    }
    return rc;
}

static int sq_rollback(store *s)
{
    sq_store *q = sq(s);
    int rc;
    q->in_tx = 0;
    q->nlocks = 0;
    q->dirty = 0;
    rc = sqlite3_get_autocommit(q->db) ? 0 : sq_exec(q, "ROLLBACK", "rollback");
    return end_bulk(q) == 0 ? rc : ERR_DB;
}

static const struct store_core_ops sq_core_ops = {
    .version = STORE_CORE_OPS_VERSION,
    .close = sq_close,
    .begin = sq_begin,
    .begin_bulk = sq_begin_bulk,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .schema_version = sq_schema_version,
    .change_counter = sq_change_counter,
    .changes = sq_changes,
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

/* Makes the counters' table when missing: only a database no saima has written since this
 * version takes the write lock for it. */
static int ensure_changes_table(sq_store *q)
{
    sqlite3_stmt *st;
    int rc;
    if (sqlite3_prepare_v2(q->db, "SELECT 1 FROM sqlite_master WHERE name = 'saima_changes'", -1,
                           &st, NULL) != SQLITE_OK)
        return sq_fail(q, "open");
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    return sq_exec(q, sql_changes_table, "open");
}

int store_sqlite_latest_version(void)
{
    return store_sqlite_migration_count;
}

int store_sqlite_open(const char *path, const store_open_opts *opts, store **out)
{
    /* Reads map the database file (mmap_size): pages come from the operating system's file
     * cache, shared by every connection of every process, not copied into each connection's
     * page cache; a one-shot command reading a province's panels is a quarter faster. */
    static const char pragmas[] = "PRAGMA page_size = 16384;"
                                  "PRAGMA journal_mode = WAL;"
                                  "PRAGMA synchronous = FULL;"
                                  "PRAGMA foreign_keys = ON;"
                                  "PRAGMA temp_store = MEMORY;"
                                  "PRAGMA mmap_size = 4294967296;";
    char cache[64];
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    int goal = store_sqlite_migration_count, rc;
    sq_store *q = calloc(1, sizeof *q);
    pthread_once(&once, configure_sqlite);
    if (!q)
        return err_set(ERR_NOMEM, "out of memory");
    q->base = (store){ &sq_core_ops, &sq_ref_ops, &sq_obs_ops, &sq_flow_ops, &sq_race_ops, &sq_acct_ops };
    q->seen_data_version = -1;
    q->known_data_version = -1;
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
    /* SQLite's busy handler: a write meeting another connection's write lock retries, sleeping
     * a little longer each time, for at most busy_ms; then ERR_BUSY (sq_fail). */
    sqlite3_busy_timeout(q->db, opts && opts->busy_ms > 0 ? opts->busy_ms : STORE_BUSY_MS_DEFAULT);
    snprintf(cache, sizeof cache, "PRAGMA cache_size = -%ld;",
             opts && opts->cache_kib > 0 ? opts->cache_kib : store_cache_budget_kib());
    if (sqlite3_create_function(q->db, "saima_period_ordinal", 3,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_period_ordinal, NULL,
                                NULL) != SQLITE_OK) {
        rc = sq_fail(q, "open");
        goto fail;
    }
    if ((rc = sq_exec(q, pragmas, "open")) != 0 || (rc = sq_exec(q, cache, "open")) != 0 ||
        (rc = migrate(q, goal)) != 0 || (rc = ensure_changes_table(q)) != 0 ||
        (rc = sq_schema_version(&q->base, &q->version)) != 0) {
        char detail[512];
        snprintf(detail, sizeof detail, "%s", err_msg());
        err_set(rc, "database '%s': %s", path, detail);
        goto fail;
    }
    sqlite3_trace_v2(q->db, SQLITE_TRACE_STMT, on_statement, q);
    *out = &q->base;
    return 0;
fail:
    sqlite3_close(q->db);
    free(q);
    return rc;
}
