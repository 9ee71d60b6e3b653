/* store_sqlite_flow: the SQLite back end of the data-entry workflow (store/flow.h):
 * deadlines, submissions, their steps, the state changes of a unit's figures. */
#include "store/store_sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_period_deadline[] =
    "UPDATE periods SET deadline = ?2 WHERE id = ?1";
#define SUB_SELECT                                                                            \
    "SELECT u.code, p.code, s.state, s.submitted_by, s.submitted_at, s.reviewed_by,"         \
    " s.reviewed_at, s.reason, s.updated_by, s.updated_at FROM submissions s"                \
    " JOIN units u ON u.id = s.unit_id JOIN periods p ON p.id = s.period_id"
static const char sql_sub_get[] = SUB_SELECT " WHERE s.period_id = ?1 AND s.unit_id = ?2";
static const char sql_subs[] =
    SUB_SELECT " WHERE ?1 IS NULL OR s.period_id = ?1"
    " ORDER BY saima_period_ordinal(p.kind, p.year, p.seq), u.sort_order, u.code";
static const char sql_steps[] =
    "SELECT t.id, u.code, p.code, t.from_state, t.to_state, t.actor, t.at, t.reason"
    " FROM submission_steps t JOIN units u ON u.id = t.unit_id"
    " JOIN periods p ON p.id = t.period_id WHERE t.period_id = ?1 AND t.unit_id = ?2"
    " ORDER BY t.id";
static const char sql_sub_insert[] =
    "INSERT INTO submissions (period_id, unit_id, state, submitted_by, submitted_at,"
    " reviewed_by, reviewed_at, reason, updated_by, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char sql_sub_update[] =
    "UPDATE submissions SET state = ?3, submitted_by = ?4, submitted_at = ?5,"
    " reviewed_by = ?6, reviewed_at = ?7, reason = ?8, updated_by = ?9, updated_at = ?10"
    " WHERE period_id = ?1 AND unit_id = ?2 AND state = ?11";
static const char sql_step_add[] =
    "INSERT INTO submission_steps (period_id, unit_id, from_state, to_state, actor, at, reason)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_obs_set_state[] =
    "UPDATE observations SET state = ?3, revision = revision + 1"
    " WHERE indicator_id IN (SELECT id FROM indicators) AND period_id = ?1 AND unit_id = ?2"
    " AND state <> ?3";

/* ---- data entry: deadlines, submissions and their steps ---- */

static int sq_period_set_deadline(store *s, const period_key *key, const char *deadline)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t id;
    int rc, y, m, d;
    if (!deadline)
        deadline = "";
    char code[PERIOD_CODE_MAX];
    if (deadline[0] && period_parse_date(deadline, &y, &m, &d) != 0)
        return err_set(ERR_DATA, "deadline '%s' is not a date (YYYY-MM-DD)", deadline);
    /* Not created here: a period row is "on record", which moves the latest month. */
    period_format(key, code, sizeof code);
    if ((rc = sq_lookup_id(q, sq_sql_period_id, code, "period", &id)) != 0)
        return rc;
    if (!(st = sq_stmt(q, sql_period_deadline)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sq_bind_text(st, 2, deadline);
    return sq_run(q, st, "set deadline");
}

static void read_submission(sqlite3_stmt *st, void *elem)
{
    model_submission *b = elem;
    sq_copy_col(b->unit_code, sizeof b->unit_code, st, 0);
    sq_copy_col(b->period_code, sizeof b->period_code, st, 1);
    b->state = sq_enum_col(st, 2, model_sub_states, SUB_STATE_N);
    sq_copy_col(b->submitted_by, sizeof b->submitted_by, st, 3);
    sq_copy_col(b->submitted_at, sizeof b->submitted_at, st, 4);
    sq_copy_col(b->reviewed_by, sizeof b->reviewed_by, st, 5);
    sq_copy_col(b->reviewed_at, sizeof b->reviewed_at, st, 6);
    sq_copy_col(b->reason, sizeof b->reason, st, 7);
    sq_copy_col(b->updated_by, sizeof b->updated_by, st, 8);
    sq_copy_col(b->updated_at, sizeof b->updated_at, st, 9);
}

/* The ids of a unit and a period code: an unknown unit is ERR_NOTFOUND; a period without a
 * row gives *period_id 0 (nothing was ever written for it). */
static int sub_key(sq_store *q, const char *unit_code, const char *period_code, int64_t *unit_id,
                   int64_t *period_id)
{
    int rc = sq_lookup_id(q, sq_sql_unit_id, unit_code, "unit", unit_id);
    if (rc != 0)
        return rc;
    *period_id = 0;
    rc = sq_lookup_id(q, sq_sql_period_id, period_code, "period", period_id);
    if (rc == ERR_NOTFOUND) {
        err_clear();
        return 0;
    }
    return rc;
}

static int sq_submission_get(store *s, const char *unit_code, const char *period_code, model_submission *out)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t uid, pid;
    int rc;
    memset(out, 0, sizeof *out);
    snprintf(out->unit_code, sizeof out->unit_code, "%s", unit_code);
    snprintf(out->period_code, sizeof out->period_code, "%s", period_code);
    out->state = SUB_MISSING;
    if ((rc = sub_key(q, unit_code, period_code, &uid, &pid)) != 0 || pid == 0)
        return rc;
    if (!(st = sq_stmt(q, sql_sub_get)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, uid);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_submission(st, out);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_fail(q, "read submission");
}

static int sq_submissions(store *s, const char *period_code, model_submission **out, size_t *n)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t pid = 0;
    int rc;
    if (period_code && period_code[0]) {
        rc = sq_lookup_id(q, sq_sql_period_id, period_code, "period", &pid);
        if (rc == ERR_NOTFOUND) {
            err_clear();
            *out = NULL;
            *n = 0;
            return 0;
        }
        if (rc != 0)
            return rc;
    }
    if (!(st = sq_stmt(q, sql_subs)))
        return ERR_DB;
    if (pid)
        sqlite3_bind_int64(st, 1, pid);
    return sq_collect(q, st, sizeof **out, read_submission, (void **)out, n);
}

static void read_step(sqlite3_stmt *st, void *elem)
{
    model_submission_step *t = elem;
    t->id = sqlite3_column_int64(st, 0);
    sq_copy_col(t->unit_code, sizeof t->unit_code, st, 1);
    sq_copy_col(t->period_code, sizeof t->period_code, st, 2);
    t->from_state = sq_enum_col(st, 3, model_sub_states, SUB_STATE_N);
    t->to_state = sq_enum_col(st, 4, model_sub_states, SUB_STATE_N);
    sq_copy_col(t->by, sizeof t->by, st, 5);
    sq_copy_col(t->at, sizeof t->at, st, 6);
    sq_copy_col(t->reason, sizeof t->reason, st, 7);
}

static int sq_submission_steps(store *s, const char *unit_code, const char *period_code,
                               model_submission_step **out, size_t *n)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t uid, pid;
    int rc;
    *out = NULL;
    *n = 0;
    if ((rc = sub_key(q, unit_code, period_code, &uid, &pid)) != 0 || pid == 0)
        return rc;
    if (!(st = sq_stmt(q, sql_steps)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, uid);
    return sq_collect(q, st, sizeof **out, read_step, (void **)out, n);
}

/* Binds the row of a submission write: ids, state and the text columns (?1 .. ?10). */
static void bind_submission(sqlite3_stmt *st, int64_t pid, int64_t uid, const model_submission *b)
{
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, uid);
    sq_bind_text(st, 3, model_sub_states[b->state].key);
    sq_bind_text(st, 4, b->submitted_by);
    sq_bind_text(st, 5, b->submitted_at);
    sq_bind_text(st, 6, b->reviewed_by);
    sq_bind_text(st, 7, b->reviewed_at);
    sq_bind_text(st, 8, b->reason);
    sq_bind_text(st, 9, b->updated_by);
    sq_bind_text(st, 10, b->updated_at);
}

static int check_step(const model_submission *next, const model_submission_step *step)
{
    if (step->from_state < 0 || step->from_state >= SUB_STATE_N || step->to_state <= SUB_MISSING ||
        step->to_state >= SUB_STATE_N || next->state != step->to_state)
        return err_set(ERR_DATA, "submission %s/%s: not a transition", next->unit_code,
                       next->period_code);
    if (!sq_has_text(step->by) || !sq_has_text(step->at) || !sq_has_text(next->updated_at))
        return err_set(ERR_DATA, "submission %s/%s: a transition needs who and when",
                       next->unit_code, next->period_code);
    return 0;
}

static int sq_submission_write(store *s, const model_submission *next, const model_submission_step *step)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t uid, pid;
    period_key key;
    int rc;
    if ((rc = check_step(next, step)) != 0)
        return rc;
    if (period_parse(next->period_code, &key) != 0)
        return err_set(ERR_DATA, "submission of '%s': period '%s' is not a period", next->unit_code,
                       next->period_code);
    if ((rc = sq_lookup_id(q, sq_sql_unit_id, next->unit_code, "unit", &uid)) != 0 ||
        (rc = store_period_ensure(s, &key, &pid)) != 0)
        return rc;
    if (!(st = sq_stmt(q, step->from_state == SUB_MISSING ? sql_sub_insert : sql_sub_update)))
        return ERR_DB;
    bind_submission(st, pid, uid, next);
    if (step->from_state != SUB_MISSING)
        sq_bind_text(st, 11, model_sub_states[step->from_state].key);
    if ((rc = sq_run(q, st, "save submission")) != 0)
        return rc;
    if (sqlite3_changes(q->db) != 1)
        return err_set(ERR_CONFLICT, "submission %s/%s is no longer %s", next->unit_code,
                       next->period_code, model_sub_states[step->from_state].key);
    q->nlocks = 0; /* an approval changes what may be written */
    if (!(st = sq_stmt(q, sql_step_add)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, uid);
    sq_bind_text(st, 3, model_sub_states[step->from_state].key);
    sq_bind_text(st, 4, model_sub_states[step->to_state].key);
    sq_bind_text(st, 5, step->by);
    sq_bind_text(st, 6, step->at);
    sq_bind_text(st, 7, step->reason);
    return sq_run(q, st, "save submission step");
}

static int sq_observations_set_state(store *s, const char *unit_code, const char *period_code,
                                     int state, int *changed)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t uid, pid;
    int rc;
    if (changed)
        *changed = 0;
    if (state < 0 || state >= OBS_STATE_N)
        return err_set(ERR_DATA, "unknown observation state %d", state);
    if ((rc = sub_key(q, unit_code, period_code, &uid, &pid)) != 0 || pid == 0)
        return rc;
    if (!(st = sq_stmt(q, sql_obs_set_state)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, uid);
    sq_bind_text(st, 3, model_obs_states[state].key);
    if ((rc = sq_run(q, st, "set observation states")) != 0)
        return rc;
    if (changed)
        *changed = sqlite3_changes(q->db);
    return 0;
}

const struct store_flow_ops sq_flow_ops = {
    .version = STORE_FLOW_OPS_VERSION,
    .period_set_deadline = sq_period_set_deadline,
    .submission_get = sq_submission_get,
    .submissions = sq_submissions,
    .submission_steps = sq_submission_steps,
    .submission_write = sq_submission_write,
    .observations_set_state = sq_observations_set_state,
};
