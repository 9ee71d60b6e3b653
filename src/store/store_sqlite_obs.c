/* store_sqlite_obs: the SQLite back end of observations, targets and flags (store/obs.h):
 * writes one by one and in bulk under the period and approval locks, iteration, history. */
#include "store/store_sqlite_int.h"
#include "store/store_sqlite.h"
#include "util/grow.h"
#include "util/idmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_target_has[] =
    "SELECT 1 FROM targets WHERE indicator_id = ?1 AND unit_id = ?2 AND year = ?3";
static const char sql_target_put[] =
    "INSERT INTO targets AS o (indicator_id, unit_id, year, value, note)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (indicator_id, unit_id, year) DO UPDATE SET"
    " value = excluded.value, note = excluded.note"
    " WHERE (o.value, o.note) IS NOT (excluded.value, excluded.note)";
static const char sql_targets[] =
    "SELECT i.code, u.code, t.year, t.value, t.note FROM targets t"
    " JOIN indicators i ON i.id = t.indicator_id JOIN units u ON u.id = t.unit_id"
    " WHERE ?1 = 0 OR t.year = ?1 ORDER BY t.year, i.sort_order, i.code, u.sort_order, u.code";
static const char sql_obs_get[] =
    "SELECT value, state, note FROM observations"
    " WHERE indicator_id = ?1 AND period_id = ?2 AND unit_id = ?3";
static const char sql_obs_update[] =
    "UPDATE observations SET value = ?4, state = ?5, note = ?6, entered_by = ?7,"
    " entered_at = ?8, revision = revision + 1"
    " WHERE indicator_id = ?1 AND period_id = ?2 AND unit_id = ?3";
static const char sql_period_locked[] =
    "SELECT locked FROM periods WHERE id = ?1";
static const char sql_sub_any_approved[] =
    "SELECT EXISTS (SELECT 1 FROM submissions WHERE period_id = ?1 AND state = 'approved')";
static const char sql_sub_approved[] =
    "SELECT 1 FROM submissions WHERE period_id = ?1 AND unit_id = ?2 AND state = 'approved'";
static const char sql_obs_insert[] =
    "INSERT INTO observations (indicator_id, period_id, unit_id, value, state, note,"
    " entered_by, entered_at, revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)"
    " ON CONFLICT (indicator_id, period_id, unit_id) DO NOTHING";
static const char sql_obs_history[] =
    "SELECT value, state, note, entered_by, entered_at, revision FROM observation_revisions"
    " WHERE indicator_id = ?1 AND period_id = ?2 AND unit_id = ?3 UNION ALL"
    " SELECT value, state, note, entered_by, entered_at, revision FROM observations"
    " WHERE indicator_id = ?1 AND period_id = ?2 AND unit_id = ?3 ORDER BY 6";
/* Reads of one month seek the observations' key prefix (indicator_id, period_id): only the
 * month asked for is read (tests check the plan). */
static const char sql_month_id[] =
    "SELECT id FROM periods WHERE kind = 'month' AND year = ?1 AND seq = ?2";
static const char sql_month_values[] =
    "SELECT o.indicator_id, o.unit_id, o.value FROM observations o"
    " WHERE o.indicator_id = ?1 AND o.period_id = ?2 AND (?3 = 0 OR o.state = 'published')"
    " AND (?4 = '' OR (SELECT value_kind FROM indicators WHERE id = ?1) = ?4)";
/* Every indicator (of one value kind when ?4 names it): the same seek for each in turn. */
static const char sql_month_values_all[] =
    "SELECT o.indicator_id, o.unit_id, o.value FROM indicators i CROSS JOIN observations o"
    " WHERE ?1 = 0 AND (?4 = '' OR i.value_kind = ?4) AND o.indicator_id = i.id AND o.period_id = ?2"
    " AND (?3 = 0 OR o.state = 'published')";
static const char sql_indicator_targets[] =
    "SELECT indicator_id, unit_id, value FROM targets WHERE indicator_id = ?1 AND year = ?2";
/* Of every indicator: the covering index of a year (tests check the plan). */
static const char sql_indicator_targets_all[] =
    "SELECT indicator_id, unit_id, value FROM targets WHERE year = ?2 AND ?1 = 0";
/* One seek per indicator into the observations' key prefix (indicator_id, period_id). */
static const char sql_month_has_values[] =
    "SELECT EXISTS (SELECT 1 FROM periods p CROSS JOIN indicators i CROSS JOIN observations o"
    " WHERE p.kind = 'month' AND p.year = ?1 AND p.seq = ?2 AND o.indicator_id = i.id"
    " AND o.period_id = p.id AND (?3 = 0 OR o.state = 'published'))";
const char *const store_sqlite_keyed_reads[] = {
    sql_month_values, sql_month_values_all, sql_month_has_values, NULL,
};
const char *const store_sqlite_year_reads[] = { sql_indicator_targets, sql_indicator_targets_all, NULL };
static const char sql_obs_count[] =
    "SELECT count(*) FROM observations";
static const char sql_flag_add[] =
    "INSERT INTO validation_flags (indicator_id, period_id, unit_id, rule, message, value,"
    " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_flags[] =
    "SELECT f.id, i.code, u.code, p.code, f.rule, f.message, f.value, f.created_at, f.status"
    " FROM validation_flags f JOIN indicators i ON i.id = f.indicator_id"
    " JOIN units u ON u.id = f.unit_id JOIN periods p ON p.id = f.period_id"
    " WHERE ?1 = 0 OR f.status = 'open' ORDER BY f.id";

/* Whether the key bound at ?1 .. ?3 of has (a statement of sql_target_has) is on record. */
static int target_existed(sq_store *q, sqlite3_stmt *has, int *existed)
{
    int rc = sqlite3_step(has);
    sqlite3_reset(has);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(q, "read target");
    *existed = rc == SQLITE_ROW;
    return 0;
}

static int sq_target_put(store *s, const model_target *t, enum store_put_result *result)
{
    sq_store *q = sq(s);
    sqlite3_stmt *has = sq_stmt(q, sql_target_has), *st;
    int64_t iid, uid;
    int rc, existed = 0;
    if (!has)
        return ERR_DB;
    if ((rc = sq_lookup_id(q, sq_sql_indicator_id, t->indicator_code, "indicator", &iid)) != 0 ||
        (rc = sq_lookup_id(q, sq_sql_unit_id, t->unit_code, "unit", &uid)) != 0)
        return rc;
    sqlite3_bind_int64(has, 1, iid);
    sqlite3_bind_int64(has, 2, uid);
    sqlite3_bind_int(has, 3, t->year);
    if ((rc = target_existed(q, has, &existed)) != 0)
        return rc;
    if (!(st = sq_stmt(q, sql_target_put)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, iid);
    sqlite3_bind_int64(st, 2, uid);
    sqlite3_bind_int(st, 3, t->year);
    sqlite3_bind_double(st, 4, t->value);
    sq_bind_text(st, 5, t->note);
    return sq_run_put(q, st, existed, "save target", result);
}

static void read_target(sqlite3_stmt *st, void *elem)
{
    model_target *t = elem;
    sq_copy_col(t->indicator_code, sizeof t->indicator_code, st, 0);
    sq_copy_col(t->unit_code, sizeof t->unit_code, st, 1);
    t->year = sqlite3_column_int(st, 2);
    t->value = sqlite3_column_double(st, 3);
    sq_copy_col(t->note, sizeof t->note, st, 4);
}

static int sq_targets(store *s, int year, model_target **out, size_t *n)
{
    sqlite3_stmt *st = sq_stmt(sq(s), sql_targets);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int(st, 1, year);
    return sq_collect(sq(s), st, sizeof **out, read_target, (void **)out, n);
}

/* ---- observations ---- */

static void bind_obs_key(sqlite3_stmt *st, const model_observation *o)
{
    sqlite3_bind_int64(st, 1, o->indicator_id);
    sqlite3_bind_int64(st, 2, o->period_id);
    sqlite3_bind_int64(st, 3, o->unit_id);
}

/* Binds the key, value, state, note, actor and time of an observation write. */
static void bind_obs_write(sqlite3_stmt *st, const model_observation *o, const char *actor, const char *now)
{
    bind_obs_key(st, o);
    sqlite3_bind_double(st, 4, o->value);
    sq_bind_text(st, 5, model_obs_states[o->state].key);
    sq_bind_text(st, 6, o->note);
    sq_bind_text(st, 7, actor ? actor : "");
    sq_bind_text(st, 8, now);
}

/* The existing row differs: published rows are locked, identical rows are left alone. */
static int update_existing(sq_store *q, const model_observation *o, const char *actor, const char *now,
                           enum store_put_result *outcome)
{
    sqlite3_stmt *st = sq_stmt(q, sql_obs_get);
    int rc, same, published;
    if (!st)
        return ERR_DB;
    bind_obs_key(st, o);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? err_set(ERR_INTERNAL, "observation vanished during write")
                                 : sq_fail(q, "read observation");
    }
    const unsigned char *state = sqlite3_column_text(st, 1);
    const unsigned char *note = sqlite3_column_text(st, 2);
    same = sqlite3_column_double(st, 0) == o->value && state &&
           strcmp((const char *)state, model_obs_states[o->state].key) == 0 && note &&
           strcmp((const char *)note, o->note) == 0;
    published = state && strcmp((const char *)state, "published") == 0;
    sqlite3_reset(st);
    if (same) {
        *outcome = STORE_UNCHANGED;
        return 0;
    }
    if (published)
        return err_set(ERR_PUBLISHED, "the value is published and locked");
    if (!(st = sq_stmt(q, sql_obs_update)))
        return ERR_DB;
    bind_obs_write(st, o, actor, now);
    *outcome = STORE_CHANGED;
    return sq_run(q, st, "save observation");
}

/* A yes/no of one period read by a one-row query (no row is no). */
static int period_flag(sq_store *q, const char *sql, int64_t period_id, int *out, const char *what)
{
    sqlite3_stmt *st = sq_stmt(q, sql);
    int rc;
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, period_id);
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_fail(q, what);
}

/* Reads a period's lock state: locked for every unit, and whether any unit's submission
 * for it is approved. Inside a transaction the answer is cached for the transaction. */
static int period_lock_state(sq_store *q, int64_t period_id, struct sq_lock *out)
{
    int rc;
    for (int i = 0; i < q->nlocks; i++) {
        if (q->locks[i].period_id == period_id) {
            *out = q->locks[i];
            return 0;
        }
    }
    out->period_id = period_id;
    out->approved = 0;
    if ((rc = period_flag(q, sql_period_locked, period_id, &out->locked, "read period")) != 0 ||
        (q->version >= SQ_SUBMISSIONS_VERSION &&
         (rc = period_flag(q, sql_sub_any_approved, period_id, &out->approved, "read submissions")) != 0))
        return rc;
    if (q->in_tx && q->nlocks < (int)(sizeof q->locks / sizeof q->locks[0]))
        q->locks[q->nlocks++] = *out;
    return 0;
}

/* ERR_LOCKED when the unit's submission for the period is approved. */
static int check_unit_open(sq_store *q, int64_t period_id, int64_t unit_id)
{
    sqlite3_stmt *st = sq_stmt(q, sql_sub_approved);
    int rc;
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, period_id);
    sqlite3_bind_int64(st, 2, unit_id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return err_set(ERR_LOCKED, "save observation: the unit's figures for the period are "
                                   "approved and locked");
    return rc == SQLITE_DONE ? 0 : sq_fail(q, "read submission");
}

/* ERR_LOCKED when the observation's period is locked for every unit, or the unit's figures
 * for it are approved. */
static int check_period_open(sq_store *q, int64_t period_id, int64_t unit_id)
{
    struct sq_lock lc;
    int rc;
    if ((rc = period_lock_state(q, period_id, &lc)) != 0)
        return rc;
    if (lc.locked)
        return err_set(ERR_LOCKED, "save observation: the period is locked");
    return lc.approved ? check_unit_open(q, period_id, unit_id) : 0;
}

static int sq_observation_put(store *s, const model_observation *o, const char *actor,
                              enum store_put_result *result)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st = sq_stmt(q, sql_obs_insert);
    char now[MODEL_TIME_MAX];
    int rc;
    enum store_put_result outcome = STORE_INSERTED;
    if (!st)
        return ERR_DB;
    if ((rc = check_period_open(q, o->period_id, o->unit_id)) != 0)
        return rc;
    sq_write_time(q, now, sizeof now);
    /* New values, the bulk of any import, take one statement; existing ones are compared. */
    bind_obs_write(st, o, actor, now);
    if ((rc = sq_run(q, st, "save observation")) != 0)
        return rc;
    if (sqlite3_changes(q->db) == 0 && (rc = update_existing(q, o, actor, now, &outcome)) != 0)
        return rc;
    if (result)
        *result = outcome;
    return 0;
}

/* Rows per statement of a bulk insert: the cost of a statement is shared by this many. */
#define BULK_ROWS 64
#define BULK_PARAMS 6 /* indicator, period, unit, value, state, note; then actor and time */

/* Prepares an INSERT of rows rows: VALUES (?1..?6), (?7..?12), ..., the actor and the time
 * as the last two parameters. */
static int prepare_bulk(sq_store *q, size_t rows, sqlite3_stmt **out)
{
    size_t cap = 256 + rows * 64, n;
    char *sql = malloc(cap);
    int a = (int)rows * BULK_PARAMS + 1, rc;
    if (!sql)
        return err_set(ERR_NOMEM, "out of memory");
    n = (size_t)snprintf(sql, cap, "INSERT INTO observations (indicator_id, period_id, unit_id, value,"
                                   " state, note, entered_by, entered_at, revision) VALUES ");
    for (size_t r = 0; r < rows; r++) {
        int b = (int)r * BULK_PARAMS;
        n += (size_t)snprintf(sql + n, cap - n, "%s(?%d, ?%d, ?%d, ?%d, ?%d, ?%d, ?%d, ?%d, 1)",
                              r ? ", " : "", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, a, a + 1);
    }
    rc = sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) == SQLITE_OK
             ? 0
             : sq_fail(q, "prepare bulk insert");
    free(sql);
    return rc;
}

/* Inserts rows[0..n) with one statement prepared for exactly n rows. */
static int insert_batch(sq_store *q, sqlite3_stmt *st, const obs_new *rows, size_t n,
                        const char *actor, const char *now)
{
    for (size_t r = 0; r < n; r++) {
        int b = (int)r * BULK_PARAMS;
        sqlite3_bind_int64(st, b + 1, rows[r].indicator_id);
        sqlite3_bind_int64(st, b + 2, rows[r].period_id);
        sqlite3_bind_int64(st, b + 3, rows[r].unit_id);
        sqlite3_bind_double(st, b + 4, rows[r].value);
        sq_bind_text(st, b + 5, model_obs_states[rows[r].state].key);
        sq_bind_text(st, b + 6, rows[r].note ? rows[r].note : "");
    }
    sq_bind_text(st, (int)n * BULK_PARAMS + 1, actor ? actor : "");
    sq_bind_text(st, (int)n * BULK_PARAMS + 2, now);
    return sq_run(q, st, "insert observations");
}

/* The table's key order (indicator, period, unit) of two rows given by index: rows inserted
 * in it append to the B-tree instead of landing at random places. */
static int cmp_key_order(const void *a, const void *b, void *arg)
{
    const obs_new *rows = arg, *x = &rows[*(const size_t *)a], *y = &rows[*(const size_t *)b];
    int64_t kx[3] = { x->indicator_id, x->period_id, x->unit_id };
    int64_t ky[3] = { y->indicator_id, y->period_id, y->unit_id };
    for (int k = 0; k < 3; k++) {
        if (kx[k] != ky[k])
            return kx[k] < ky[k] ? -1 : 1;
    }
    return 0;
}

static int bits_of(uint64_t v)
{
    return v ? 64 - __builtin_clzll(v) : 0;
}

#define RADIX_BITS 11
#define RADIX_BUCKETS (1u << RADIX_BITS)

/* Sorts order[0..n) by the rows' keys packed into 64 bits (indicator, period, unit, each as
 * wide as its largest id): a stable LSD radix sort, a few passes over sequential memory.
 * Returns 1 when the ids do not pack (a negative one, or more than 64 bits in all), 0 when
 * sorted, or ERR_NOMEM. */
static int radix_key_order(const obs_new *rows, size_t n, size_t *order)
{
    uint64_t max_i = 0, max_p = 0, max_u = 0, *key, *key_tmp;
    size_t *order_tmp;
    int bi, bp, bu;
    for (size_t r = 0; r < n; r++) {
        if (rows[r].indicator_id < 0 || rows[r].period_id < 0 || rows[r].unit_id < 0)
            return 1;
        max_i |= (uint64_t)rows[r].indicator_id;
        max_p |= (uint64_t)rows[r].period_id;
        max_u |= (uint64_t)rows[r].unit_id;
    }
    bi = bits_of(max_i), bp = bits_of(max_p), bu = bits_of(max_u);
    if (bi + bp + bu > 64)
        return 1;
    key = malloc((n ? n : 1) * sizeof *key);
    key_tmp = malloc((n ? n : 1) * sizeof *key_tmp);
    order_tmp = malloc((n ? n : 1) * sizeof *order_tmp);
    if (!key || !key_tmp || !order_tmp) {
        free(key);
        free(key_tmp);
        free(order_tmp);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t r = 0; r < n; r++) {
        uint64_t k = (uint64_t)rows[r].unit_id;
        if (bp)
            k |= (uint64_t)rows[r].period_id << bu;
        if (bi)
            k |= (uint64_t)rows[r].indicator_id << (bp + bu);
        key[r] = k;
        order[r] = r;
    }
    for (int shift = 0; shift < bi + bp + bu; shift += RADIX_BITS) {
        size_t count[RADIX_BUCKETS + 1] = { 0 };
        for (size_t r = 0; r < n; r++)
            count[((key[r] >> shift) & (RADIX_BUCKETS - 1)) + 1]++;
        for (size_t b = 0; b < RADIX_BUCKETS; b++)
            count[b + 1] += count[b];
        for (size_t r = 0; r < n; r++) {
            size_t at = count[(key[r] >> shift) & (RADIX_BUCKETS - 1)]++;
            key_tmp[at] = key[r];
            order_tmp[at] = order[r];
        }
        memcpy(key, key_tmp, n * sizeof *key);
        memcpy(order, order_tmp, n * sizeof *order);
    }
    free(key);
    free(key_tmp);
    free(order_tmp);
    return 0;
}

/* Puts rows in key order: indexes are sorted (radix, else qsort), then the rows moved once
 * each along the permutation's cycles. */
static int sort_key_order(obs_new *rows, size_t n)
{
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    int rc;
    if (!order)
        return err_set(ERR_NOMEM, "out of memory");
    if ((rc = radix_key_order(rows, n, order)) == 1) {
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        qsort_r(order, n, sizeof *order, cmp_key_order, rows);
        rc = 0;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        obs_new held;
        size_t j = i, k;
        if (order[i] == i)
            continue;
        held = rows[i];
        while ((k = order[j]) != i) {
            rows[j] = rows[k];
            order[j] = j;
            j = k;
        }
        rows[j] = held;
        order[j] = j;
    }
    free(order);
    return rc;
}

static const char sql_indicator_exists[] = "SELECT 1 FROM indicators WHERE id = ?1";
static const char sql_period_exists[] = "SELECT 1 FROM periods WHERE id = ?1";
static const char sql_unit_ids[] = "SELECT id FROM units";

/* The ids of every unit, for checking many rows' units at once. */
static int unit_ids(sq_store *q, idmap *out)
{
    sqlite3_stmt *st = sq_stmt(q, sql_unit_ids);
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int rc;
    if (!st)
        return ERR_DB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t *bigger = n < cap ? ids : grow_array(ids, &cap, n + 1, sizeof *ids, 256);
        if (!bigger) {
            sqlite3_reset(st);
            free(ids);
            return err_set(ERR_NOMEM, "out of memory");
        }
        ids = bigger;
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    rc = rc == SQLITE_DONE ? idmap_build(out, ids, n) : sq_fail(q, "read unit ids");
    free(ids);
    return rc;
}

/* In a bulk transaction the database checks no foreign keys: the rows' indicators, periods
 * and units must exist, each distinct one looked up once (rows are in key order). */
static int check_references(sq_store *q, const obs_new *rows, size_t n)
{
    idmap units;
    int rc = unit_ids(q, &units), ok = 1;
    for (size_t r = 0; rc == 0 && ok && r < n; r++) {
        const obs_new *o = &rows[r];
        int new_ind = r == 0 || o->indicator_id != rows[r - 1].indicator_id;
        if (new_ind && (ok = sq_exists_id(q, sql_indicator_exists, o->indicator_id)) <= 0)
            rc = ok < 0 ? ERR_DB : err_set(ERR_CONSTRAINT, "save observation: no indicator with id %lld",
                                           (long long)o->indicator_id);
        else if ((new_ind || o->period_id != rows[r - 1].period_id) &&
                 (ok = sq_exists_id(q, sql_period_exists, o->period_id)) <= 0)
            rc = ok < 0 ? ERR_DB : err_set(ERR_CONSTRAINT, "save observation: no period with id %lld",
                                           (long long)o->period_id);
        else if (idmap_find(&units, o->unit_id) < 0)
            rc = err_set(ERR_CONSTRAINT, "save observation: no unit with id %lld", (long long)o->unit_id);
    }
    idmap_free(&units);
    return rc;
}

static int sq_observations_insert(store *s, obs_new *rows, size_t n, const char *actor)
{
    sq_store *q = sq(s);
    char now[MODEL_TIME_MAX];
    struct sq_lock lc = { -1, 0, 0 };
    size_t done = 0;
    int rc = sort_key_order(rows, n);
    if (rc != 0 || (q->bulk && (rc = check_references(q, rows, n)) != 0))
        return rc;
    for (size_t r = 0; r < n; r++) {
        if (rows[r].period_id != lc.period_id) {
            if ((rc = period_lock_state(q, rows[r].period_id, &lc)) != 0)
                return rc;
            if (lc.locked)
                return err_set(ERR_LOCKED, "save observation: the period is locked");
        }
        /* Units are checked one by one only in a period with approved submissions. */
        if (lc.approved && (rc = check_unit_open(q, rows[r].period_id, rows[r].unit_id)) != 0)
            return rc;
        if (rows[r].state < 0 || rows[r].state >= OBS_STATE_N)
            return err_set(ERR_DATA, "unknown observation state %d", rows[r].state);
    }
    if (!q->bulk_insert && n >= BULK_ROWS && (rc = prepare_bulk(q, BULK_ROWS, &q->bulk_insert)) != 0)
        return rc;
    sq_write_time(q, now, sizeof now);
    for (; rc == 0 && n - done >= BULK_ROWS; done += BULK_ROWS) {
        sqlite3_reset(q->bulk_insert);
        rc = insert_batch(q, q->bulk_insert, rows + done, BULK_ROWS, actor, now);
    }
    if (rc == 0 && done < n) {
        sqlite3_stmt *tail;
        if ((rc = prepare_bulk(q, n - done, &tail)) != 0)
            return rc;
        rc = insert_batch(q, tail, rows + done, n - done, actor, now);
        sqlite3_finalize(tail);
    }
    return rc;
}

static void read_obs_row(sqlite3_stmt *st, model_observation *o)
{
    o->indicator_id = sqlite3_column_int64(st, 0);
    o->unit_id = sqlite3_column_int64(st, 1);
    o->period_id = sqlite3_column_int64(st, 2);
    sq_copy_col(o->indicator_code, sizeof o->indicator_code, st, 3);
    sq_copy_col(o->unit_code, sizeof o->unit_code, st, 4);
    sq_copy_col(o->period_code, sizeof o->period_code, st, 5);
    o->value = sqlite3_column_double(st, 6);
    o->state = sq_enum_col(st, 7, model_obs_states, OBS_STATE_N);
    sq_copy_col(o->note, sizeof o->note, st, 8);
    sq_copy_col(o->entered_by, sizeof o->entered_by, st, 9);
    sq_copy_col(o->entered_at, sizeof o->entered_at, st, 10);
    o->revision = sqlite3_column_int(st, 11);
}

/* The read of observations for a filter: only the conditions that are set, written so that
 * the primary key (indicator, period, unit) narrows the scan. */
static void obs_each_sql(const obs_filter *f, char *sql, size_t size)
{
    size_t n = (size_t)snprintf(sql, size, "%s",
        "SELECT o.indicator_id, o.unit_id, o.period_id, i.code, u.code, p.code, o.value, o.state,"
        " o.note, o.entered_by, o.entered_at, o.revision FROM observations o"
        " JOIN indicators i ON i.id = o.indicator_id JOIN periods p ON p.id = o.period_id"
        " JOIN units u ON u.id = o.unit_id WHERE 1");
    if (f->indicator_code[0])
        n += (size_t)snprintf(sql + n, size - n,
                              " AND o.indicator_id = (SELECT id FROM indicators WHERE code = ?1)");
    if (f->unit_code[0])
        n += (size_t)snprintf(sql + n, size - n,
                              " AND o.unit_id = (SELECT id FROM units WHERE code = ?2)");
    if (f->period_code[0])
        n += (size_t)snprintf(sql + n, size - n,
                              " AND o.period_id = (SELECT id FROM periods WHERE code = ?3)");
    if (f->year)
        n += (size_t)snprintf(sql + n, size - n, " AND p.year = ?4");
    if (f->period_kind >= 0)
        n += (size_t)snprintf(sql + n, size - n, " AND p.kind = ?5");
    if (f->published_only)
        n += (size_t)snprintf(sql + n, size - n, " AND o.state = 'published'");
    snprintf(sql + n, size - n,
             " ORDER BY i.sort_order, i.code, p.year, p.kind, p.seq, u.sort_order, u.code");
}

static int sq_observations_each(store *s, const obs_filter *f, store_obs_cb cb, void *ctx)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    model_observation *o;
    char sql[1024];
    int rc, stop = 0;
    /* A private statement: the callback may call the store again. */
    obs_each_sql(f, sql, sizeof sql);
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sq_fail(q, "prepare");
    if (!(o = malloc(sizeof *o))) {
        sqlite3_finalize(st);
        return err_set(ERR_NOMEM, "out of memory");
    }
    /* Binding a parameter the text lacks is refused (SQLITE_RANGE) and changes nothing. */
    sq_bind_text(st, 1, f->indicator_code);
    sq_bind_text(st, 2, f->unit_code);
    sq_bind_text(st, 3, f->period_code);
    sqlite3_bind_int(st, 4, f->year);
    sq_bind_text(st, 5, f->period_kind >= 0 ? period_kind_name(f->period_kind) : "");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_obs_row(st, o);
        if ((stop = cb(o, ctx)) != 0)
            break;
    }
    if (!stop && rc != SQLITE_DONE)
        stop = sq_fail(q, "read observations");
    sqlite3_finalize(st);
    free(o);
    return stop;
}

/* Steps st to its end, handing each row to cb as a cell read by read (c holds what every row
 * shares). */
static int each_cell(sq_store *q, sqlite3_stmt *st, void (*read)(sqlite3_stmt *, obs_cell *), obs_cell c,
                     store_cell_cb cb, void *ctx)
{
    int rc, stop = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read(st, &c);
        if ((stop = cb(&c, ctx)) != 0)
            break;
    }
    if (!stop && rc != SQLITE_DONE)
        stop = sq_fail(q, "read values");
    sqlite3_reset(st);
    return stop;
}

static void read_month_cell(sqlite3_stmt *st, obs_cell *c)
{
    c->indicator_id = sqlite3_column_int64(st, 0);
    c->unit_id = sqlite3_column_int64(st, 1);
    c->value = sqlite3_column_double(st, 2);
}

static void read_target_cell(sqlite3_stmt *st, obs_cell *c)
{
    c->indicator_id = sqlite3_column_int64(st, 0);
    c->unit_id = sqlite3_column_int64(st, 1);
    c->value = sqlite3_column_double(st, 2);
}

static int sq_month_values(store *s, int64_t indicator_id, int value_kind, const period_key *month,
                           int published_only, store_cell_cb cb, void *ctx)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st = sq_stmt(q, sql_month_id);
    obs_cell shared = { 0, 0, month->year, month->seq, 0 };
    sqlite3_int64 period_id;
    int rc;
    if (!st)
        return ERR_DB;
    sqlite3_bind_int(st, 1, month->year);
    sqlite3_bind_int(st, 2, month->seq);
    rc = sqlite3_step(st);
    period_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? 0 : sq_fail(q, "look up a month");
    if (!(st = sq_stmt(q, indicator_id ? sql_month_values : sql_month_values_all)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, indicator_id);
    sqlite3_bind_int64(st, 2, period_id);
    sqlite3_bind_int(st, 3, published_only != 0);
    sq_bind_text(st, 4, value_kind >= 0 && value_kind < VK_N ? model_value_kinds[value_kind].key : "");
    return each_cell(q, st, read_month_cell, shared, cb, ctx);
}

static int sq_indicator_targets(store *s, int64_t indicator_id, int year, store_cell_cb cb, void *ctx)
{
    sqlite3_stmt *st = sq_stmt(sq(s), indicator_id ? sql_indicator_targets : sql_indicator_targets_all);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, indicator_id);
    sqlite3_bind_int(st, 2, year);
    return each_cell(sq(s), st, read_target_cell, (obs_cell){ 0, 0, year, 0, 0 }, cb, ctx);
}

static int sq_month_has_values(store *s, const period_key *month, int published_only, int *has)
{
    sqlite3_stmt *st = sq_stmt(sq(s), sql_month_has_values);
    int rc;
    if (!st)
        return ERR_DB;
    sqlite3_bind_int(st, 1, month->year);
    sqlite3_bind_int(st, 2, month->seq);
    sqlite3_bind_int(st, 3, published_only != 0);
    rc = sqlite3_step(st);
    *has = rc == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : sq_fail(sq(s), "look up a month");
}

static int sq_observation_history(store *s, const char *indicator_code, const char *unit_code,
                                  const char *period_code, model_observation **out, size_t *n)
{
    sq_store *q = sq(s);
    model_observation key;
    sqlite3_stmt *st;
    int rc;
    memset(&key, 0, sizeof key);
    if ((rc = sq_lookup_id(q, sq_sql_indicator_id, indicator_code, "indicator", &key.indicator_id)) != 0 ||
        (rc = sq_lookup_id(q, sq_sql_unit_id, unit_code, "unit", &key.unit_id)) != 0 ||
        (rc = sq_lookup_id(q, sq_sql_period_id, period_code, "period", &key.period_id)) != 0)
        return rc;
    if (!(st = sq_stmt(q, sql_obs_history)))
        return ERR_DB;
    bind_obs_key(st, &key);
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        model_observation *bigger = grow_array(*out, &cap, *n + 1, sizeof **out, 8);
        if (!bigger) {
            sqlite3_reset(st);
            free(*out);
            *out = NULL;
            return err_set(ERR_NOMEM, "out of memory");
        }
        *out = bigger;
        model_observation *o = &(*out)[(*n)++];
        *o = key;
        snprintf(o->indicator_code, sizeof o->indicator_code, "%s", indicator_code);
        snprintf(o->unit_code, sizeof o->unit_code, "%s", unit_code);
        snprintf(o->period_code, sizeof o->period_code, "%s", period_code);
        o->value = sqlite3_column_double(st, 0);
        o->state = sq_enum_col(st, 1, model_obs_states, OBS_STATE_N);
        sq_copy_col(o->note, sizeof o->note, st, 2);
        sq_copy_col(o->entered_by, sizeof o->entered_by, st, 3);
        sq_copy_col(o->entered_at, sizeof o->entered_at, st, 4);
        o->revision = sqlite3_column_int(st, 5);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        return sq_fail(q, "read history");
    }
    return 0;
}

static int sq_observation_count(store *s, int64_t *n)
{
    sqlite3_stmt *st = sq_stmt(sq(s), sql_obs_count);
    if (!st)
        return ERR_DB;
    if (sqlite3_step(st) != SQLITE_ROW)
        return sq_fail(sq(s), "count observations");
    *n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

static int sq_flag_add(store *s, const model_observation *o, const char *rule, const char *message)
{
    sqlite3_stmt *st = sq_stmt(sq(s), sql_flag_add);
    char now[MODEL_TIME_MAX];
    if (!st)
        return ERR_DB;
    sq_write_time(sq(s), now, sizeof now);
    bind_obs_key(st, o);
    sq_bind_text(st, 4, rule);
    sq_bind_text(st, 5, message);
    sqlite3_bind_double(st, 6, o->value);
    sq_bind_text(st, 7, now);
    return sq_run(sq(s), st, "save flag");
}

static void read_flag(sqlite3_stmt *st, void *elem)
{
    model_obs_flag *f = elem;
    f->id = sqlite3_column_int64(st, 0);
    sq_copy_col(f->indicator_code, sizeof f->indicator_code, st, 1);
    sq_copy_col(f->unit_code, sizeof f->unit_code, st, 2);
    sq_copy_col(f->period_code, sizeof f->period_code, st, 3);
    sq_copy_col(f->rule, sizeof f->rule, st, 4);
    sq_copy_col(f->message, sizeof f->message, st, 5);
    f->value = sqlite3_column_double(st, 6);
    sq_copy_col(f->created_at, sizeof f->created_at, st, 7);
    sq_copy_col(f->status, sizeof f->status, st, 8);
}

static int sq_flags(store *s, int open_only, model_obs_flag **out, size_t *n)
{
    sqlite3_stmt *st = sq_stmt(sq(s), sql_flags);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int(st, 1, open_only ? 1 : 0);
    return sq_collect(sq(s), st, sizeof **out, read_flag, (void **)out, n);
}

const struct store_obs_ops sq_obs_ops = {
    .version = STORE_OBS_OPS_VERSION,
    .target_put = sq_target_put,
    .targets = sq_targets,
    .observation_put = sq_observation_put,
    .observations_insert = sq_observations_insert,
    .observations_each = sq_observations_each,
    .month_values = sq_month_values,
    .indicator_targets = sq_indicator_targets,
    .month_has_values = sq_month_has_values,
    .observation_history = sq_observation_history,
    .observation_count = sq_observation_count,
    .flag_add = sq_flag_add,
    .flags = sq_flags,
};
