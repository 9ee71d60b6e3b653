/* store_sqlite: the SQLite back end of the store (WAL, foreign keys, prepared statements,
 * schema migrations at open). The only file with SQL besides the schema. */
#include "store/store.h"
#include "store/store_sqlite.h"
#include "util/err.h"

#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Every statement the back end runs, prepared once on first use. */
#define STMT_TABLE(X)                                                                              \
    X(ST_UNIT_ID, "SELECT id FROM units WHERE code = ?1")                                          \
    X(ST_GROUP_ID, "SELECT id FROM groups WHERE code = ?1")                                        \
    X(ST_INDICATOR_ID, "SELECT id FROM indicators WHERE code = ?1")                                \
    X(ST_SCHEME_ID, "SELECT id FROM schemes WHERE code = ?1")                                      \
    X(ST_PERIOD_ID, "SELECT id FROM periods WHERE code = ?1")                                      \
    X(ST_UNIT_PUT,                                                                                 \
      "INSERT INTO units (code, name, name_en, kind, parent_id, is_self, sort_order)"              \
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (code) DO UPDATE SET"                       \
      " name = excluded.name, name_en = excluded.name_en, kind = excluded.kind,"                   \
      " parent_id = excluded.parent_id, is_self = excluded.is_self,"                               \
      " sort_order = excluded.sort_order")                                                         \
    X(ST_UNITS,                                                                                    \
      "SELECT u.id, u.code, u.name, u.name_en, u.kind, COALESCE(p.code, ''), u.is_self,"           \
      " u.sort_order FROM units u LEFT JOIN units p ON p.id = u.parent_id"                         \
      " ORDER BY u.sort_order, u.code")                                                            \
    X(ST_GROUP_PUT,                                                                                \
      "INSERT INTO groups (code, name, name_en, kind, description) VALUES (?1, ?2, ?3, ?4, ?5)"    \
      " ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,"        \
      " kind = excluded.kind, description = excluded.description")                                 \
    X(ST_GROUPS, "SELECT id, code, name, name_en, kind, description FROM groups ORDER BY id")      \
    X(ST_MEMBERS_CLEAR, "DELETE FROM group_members WHERE group_id = ?1")                           \
    X(ST_MEMBER_ADD,                                                                               \
      "INSERT INTO group_members (group_id, unit_id, sort_order) VALUES (?1, ?2, ?3)")             \
    X(ST_MEMBERS,                                                                                  \
      "SELECT u.id, u.code, u.name, u.name_en, u.kind, COALESCE(p.code, ''), u.is_self,"           \
      " u.sort_order FROM group_members m JOIN units u ON u.id = m.unit_id"                        \
      " LEFT JOIN units p ON p.id = u.parent_id WHERE m.group_id = ?1 ORDER BY m.sort_order")     \
    X(ST_INDICATOR_PUT,                                                                            \
      "INSERT INTO indicators (code, name, name_en, measure, definition, source, direction,"       \
      " value_kind, category, precision, weight, method, lead_unit_id, leader, is_bonus,"          \
      " is_veto, sort_order) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"      \
      " ?14, ?15, ?16, ?17) ON CONFLICT (code) DO UPDATE SET name = excluded.name,"                \
      " name_en = excluded.name_en, measure = excluded.measure,"                                   \
      " definition = excluded.definition, source = excluded.source,"                               \
      " direction = excluded.direction, value_kind = excluded.value_kind,"                         \
      " category = excluded.category, precision = excluded.precision, weight = excluded.weight,"   \
      " method = excluded.method, lead_unit_id = excluded.lead_unit_id,"                           \
      " leader = excluded.leader, is_bonus = excluded.is_bonus, is_veto = excluded.is_veto,"       \
      " sort_order = excluded.sort_order")                                                         \
    X(ST_COOP_CLEAR, "DELETE FROM indicator_coop WHERE indicator_id = ?1")                         \
    X(ST_COOP_ADD,                                                                                 \
      "INSERT INTO indicator_coop (indicator_id, unit_id, sort_order) VALUES (?1, ?2, ?3)")         \
    X(ST_INDICATORS,                                                                               \
      "SELECT i.id, i.code, i.name, i.name_en, i.measure, i.definition, i.source, i.direction,"    \
      " i.value_kind, i.category, i.precision, i.weight, i.method, COALESCE(l.code, ''),"          \
      " COALESCE((SELECT group_concat(code, ';') FROM (SELECT u.code FROM indicator_coop c"        \
      " JOIN units u ON u.id = c.unit_id WHERE c.indicator_id = i.id ORDER BY c.sort_order)),"     \
      " ''), i.leader, i.is_bonus, i.is_veto, i.sort_order FROM indicators i"                      \
      " LEFT JOIN units l ON l.id = i.lead_unit_id ORDER BY i.sort_order, i.code")                 \
    X(ST_SCHEME_PUT,                                                                               \
      "INSERT INTO schemes (code, name, name_en, group_id, period_kind, total_weight, grading,"     \
      " description, settings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"                         \
      " ON CONFLICT (code) DO UPDATE SET"                                                          \
      " name = excluded.name, name_en = excluded.name_en, group_id = excluded.group_id,"           \
      " period_kind = excluded.period_kind, total_weight = excluded.total_weight,"                 \
      " grading = excluded.grading, description = excluded.description,"                           \
      " settings = excluded.settings")                                                             \
    X(ST_SCHEMES,                                                                                  \
      "SELECT s.id, s.code, s.name, s.name_en, g.code, s.period_kind, s.total_weight, s.grading,"  \
      " s.description, s.settings FROM schemes s JOIN groups g ON g.id = s.group_id ORDER BY s.id") \
    X(ST_ITEMS_CLEAR, "DELETE FROM scheme_items WHERE scheme_id = ?1")                             \
    X(ST_ITEM_ADD,                                                                                 \
      "INSERT INTO scheme_items (scheme_id, indicator_id, weight, method, params, sort_order)"     \
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)")                                                          \
    X(ST_ITEMS,                                                                                    \
      "SELECT s.code, i.code, t.weight, t.method, t.params, t.sort_order FROM scheme_items t"      \
      " JOIN schemes s ON s.id = t.scheme_id JOIN indicators i ON i.id = t.indicator_id"           \
      " WHERE t.scheme_id = ?1 ORDER BY t.sort_order, i.code")                                     \
    X(ST_PERIOD_ADD, "INSERT INTO periods (code, kind, year, seq) VALUES (?1, ?2, ?3, ?4)")        \
    X(ST_PERIOD_LOCK, "UPDATE periods SET locked = ?2 WHERE id = ?1")                              \
    X(ST_PERIOD_LOCKED, "SELECT locked FROM periods WHERE id = ?1")                                \
    X(ST_PERIODS, "SELECT id, kind, year, seq, locked, deadline FROM periods")                     \
    X(ST_TARGET_PUT,                                                                               \
      "INSERT OR REPLACE INTO targets (indicator_id, unit_id, year, value, note)"                   \
      " VALUES (?1, ?2, ?3, ?4, ?5)")                                                              \
    X(ST_TARGETS,                                                                                  \
      "SELECT i.code, u.code, t.year, t.value, t.note FROM targets t"                              \
      " JOIN indicators i ON i.id = t.indicator_id JOIN units u ON u.id = t.unit_id"               \
      " WHERE ?1 = 0 OR t.year = ?1 ORDER BY t.year, i.sort_order, i.code, u.sort_order, u.code")  \
    X(ST_OBS_GET,                                                                                  \
      "SELECT value, state, note FROM observations"                                                \
      " WHERE indicator_id = ?1 AND period_id = ?2 AND unit_id = ?3")                              \
    X(ST_OBS_INSERT,                                                                               \
      "INSERT INTO observations (indicator_id, period_id, unit_id, value, state, note,"            \
      " entered_by, entered_at, revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)"              \
      " ON CONFLICT (indicator_id, period_id, unit_id) DO NOTHING")                                \
    X(ST_OBS_UPDATE,                                                                               \
      "UPDATE observations SET value = ?4, state = ?5, note = ?6, entered_by = ?7,"                \
      " entered_at = ?8, revision = revision + 1"                                                  \
      " WHERE indicator_id = ?1 AND period_id = ?2 AND unit_id = ?3")                              \
    X(ST_OBS_HISTORY,                                                                              \
      "SELECT value, state, note, entered_by, entered_at, revision FROM observation_revisions"     \
      " WHERE indicator_id = ?1 AND period_id = ?2 AND unit_id = ?3 UNION ALL"                     \
      " SELECT value, state, note, entered_by, entered_at, revision FROM observations"             \
      " WHERE indicator_id = ?1 AND period_id = ?2 AND unit_id = ?3 ORDER BY 6")                   \
    X(ST_OBS_COUNT, "SELECT count(*) FROM observations")                                           \
    X(ST_FLAG_ADD,                                                                                 \
      "INSERT INTO validation_flags (indicator_id, period_id, unit_id, rule, message, value,"      \
      " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")                                          \
    X(ST_FLAGS,                                                                                    \
      "SELECT f.id, i.code, u.code, p.code, f.rule, f.message, f.value, f.created_at, f.status"    \
      " FROM validation_flags f JOIN indicators i ON i.id = f.indicator_id"                        \
      " JOIN units u ON u.id = f.unit_id JOIN periods p ON p.id = f.period_id"                     \
      " WHERE ?1 = 0 OR f.status = 'open' ORDER BY f.id")                                          \
    X(ST_USER_PUT,                                                                                 \
      "INSERT INTO users (login, display_name, role, unit_id, password_hash, disabled,"            \
      " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (login) DO UPDATE SET"         \
      " display_name = excluded.display_name, role = excluded.role, unit_id = excluded.unit_id,"   \
      " password_hash = excluded.password_hash, disabled = excluded.disabled")                     \
    X(ST_USERS,                                                                                    \
      "SELECT s.id, s.login, s.display_name, s.role, COALESCE(u.code, ''), s.password_hash,"       \
      " s.disabled, s.created_at FROM users s LEFT JOIN units u ON u.id = s.unit_id"               \
      " ORDER BY s.login")                                                                         \
    X(ST_USER_GET,                                                                                 \
      "SELECT s.id, s.login, s.display_name, s.role, COALESCE(u.code, ''), s.password_hash,"       \
      " s.disabled, s.created_at FROM users s LEFT JOIN units u ON u.id = s.unit_id"               \
      " WHERE s.login = ?1")                                                                       \
    X(ST_AUDIT_ADD,                                                                                \
      "INSERT INTO audit_log (at, actor, action, entity, detail) VALUES (?1, ?2, ?3, ?4, ?5)")     \
    X(ST_AUDITS,                                                                                   \
      "SELECT id, at, actor, action, entity, detail FROM audit_log ORDER BY id DESC"               \
      " LIMIT CASE WHEN ?1 > 0 THEN ?1 ELSE -1 END")                                               \
    X(ST_CATEGORY_ID, "SELECT id FROM contest_categories WHERE code = ?1")                         \
    X(ST_CONTEST_ID, "SELECT id FROM contests WHERE code = ?1")                                    \
    X(ST_CATEGORY_PUT,                                                                             \
      "INSERT INTO contest_categories (code, name, name_en, sort_order) VALUES (?1, ?2, ?3, ?4)"   \
      " ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,"        \
      " sort_order = excluded.sort_order")                                                         \
    X(ST_CATEGORIES,                                                                               \
      "SELECT id, code, name, name_en, sort_order FROM contest_categories"                         \
      " ORDER BY sort_order, code")                                                                \
    X(ST_CONTEST_PUT,                                                                              \
      "INSERT INTO contests (code, name, group_id, category_id, period_id, scheme_id,"             \
      " engine_weight_bp, judge_weight_bp, drop_extremes, points, flag_tie_rule)"                  \
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (code) DO UPDATE SET"    \
      " name = excluded.name, group_id = excluded.group_id, category_id = excluded.category_id,"   \
      " period_id = excluded.period_id, scheme_id = excluded.scheme_id,"                           \
      " engine_weight_bp = excluded.engine_weight_bp, judge_weight_bp = excluded.judge_weight_bp," \
      " drop_extremes = excluded.drop_extremes, points = excluded.points,"                         \
      " flag_tie_rule = excluded.flag_tie_rule")                                                   \
    X(ST_CONTESTS,                                                                                 \
      "SELECT c.id, c.code, c.name, g.code, k.code, p.code, COALESCE(s.code, ''),"                 \
      " c.engine_weight_bp, c.judge_weight_bp, c.drop_extremes, c.points, c.flag_tie_rule"         \
      " FROM contests c JOIN groups g ON g.id = c.group_id"                                        \
      " JOIN contest_categories k ON k.id = c.category_id JOIN periods p ON p.id = c.period_id"    \
      " LEFT JOIN schemes s ON s.id = c.scheme_id WHERE ?1 = '' OR p.code = ?1"                    \
      " ORDER BY saima_period_ordinal(p.kind, p.year, p.seq), c.code")                             \
    X(ST_JUDGE_PUT,                                                                                \
      "INSERT OR REPLACE INTO judge_scores (contest_id, unit_id, judge, score)"                    \
      " VALUES (?1, ?2, ?3, ?4)")                                                                  \
    X(ST_JUDGE_SCORES,                                                                             \
      "SELECT c.code, u.code, j.judge, j.score FROM judge_scores j"                                \
      " JOIN contests c ON c.id = j.contest_id JOIN units u ON u.id = j.unit_id"                   \
      " WHERE j.contest_id = ?1 ORDER BY u.sort_order, u.code, j.judge")                           \
    X(ST_RESULTS_CLEAR, "DELETE FROM contest_results WHERE contest_id = ?1")                       \
    X(ST_RESULT_ADD,                                                                               \
      "INSERT INTO contest_results (contest_id, unit_id, engine_score, judge_score, score,"        \
      " has_engine, has_judges, rank, points, run_at)"                                             \
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")                                         \
    X(ST_RESULTS,                                                                                  \
      "SELECT c.code, u.code, r.engine_score, r.judge_score, r.score, r.has_engine,"               \
      " r.has_judges, r.rank, r.points, r.run_at FROM contest_results r"                           \
      " JOIN contests c ON c.id = r.contest_id JOIN units u ON u.id = r.unit_id"                   \
      " WHERE r.contest_id = ?1 ORDER BY r.rank <= 0, r.rank, u.sort_order, u.code")               \
    X(ST_HOLDERS_CLEAR, "DELETE FROM flag_holders WHERE group_id = ?1 AND period_id = ?2")         \
    X(ST_HOLDER_ADD,                                                                               \
      "INSERT INTO flag_holders (group_id, period_id, unit_id, decided_at)"                        \
      " VALUES (?1, ?2, ?3, ?4)")                                                                  \
    X(ST_HOLDERS,                                                                                  \
      "SELECT g.code, p.code, u.code, f.decided_at FROM flag_holders f"                            \
      " JOIN groups g ON g.id = f.group_id JOIN periods p ON p.id = f.period_id"                   \
      " JOIN units u ON u.id = f.unit_id WHERE ?1 IS NULL OR f.group_id = ?1"                      \
      " ORDER BY saima_period_ordinal(p.kind, p.year, p.seq), g.code, u.sort_order, u.code")       \
    X(ST_EVENT_ADD,                                                                                \
      "INSERT INTO events (date, unit_id, kind, category, points, evidence, entered_by,"           \
      " approved_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")                     \
    X(ST_EVENT_REVOKED, "SELECT revoked FROM events WHERE id = ?1")                                \
    X(ST_EVENT_REVOKE,                                                                             \
      "UPDATE events SET revoked = 1, revoked_reason = ?2, revoked_by = ?3,"                       \
      " revoked_at = ?4 WHERE id = ?1 AND revoked = 0")                                            \
    X(ST_EVENTS,                                                                                   \
      "SELECT e.id, e.date, u.code, e.kind, e.category, e.points, e.evidence, e.entered_by,"       \
      " e.approved_by, e.revoked, e.revoked_reason, e.revoked_by, e.revoked_at, e.created_at"      \
      " FROM events e JOIN units u ON u.id = e.unit_id WHERE e.date >= ?1 AND e.date < ?2"         \
      " ORDER BY e.date, e.id")                                                                    \
    X(ST_CAP_PUT,                                                                                  \
      "INSERT OR REPLACE INTO event_caps (category, year, max_bonus, max_deduction)"               \
      " VALUES (?1, ?2, ?3, ?4)")                                                                  \
    X(ST_CAPS,                                                                                     \
      "SELECT category, year, max_bonus, max_deduction FROM event_caps"                            \
      " WHERE ?1 = 0 OR year = ?1 ORDER BY year, category")                                        \
    X(ST_AWARD_PUT,                                                                                \
      "INSERT INTO awards (code, name, name_en, worst, source, source_code, group_id, rule)"       \
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (code) DO UPDATE SET"                  \
      " name = excluded.name, name_en = excluded.name_en, worst = excluded.worst,"                 \
      " source = excluded.source, source_code = excluded.source_code,"                             \
      " group_id = excluded.group_id, rule = excluded.rule")                                       \
    X(ST_AWARDS,                                                                                   \
      "SELECT a.id, a.code, a.name, a.name_en, a.worst, a.source, a.source_code, g.code,"          \
      " a.rule FROM awards a JOIN groups g ON g.id = a.group_id ORDER BY a.id")                    \
    X(ST_PERIOD_DEADLINE, "UPDATE periods SET deadline = ?2 WHERE id = ?1")                       \
    X(ST_SUB_GET,                                                                                  \
      "SELECT u.code, p.code, s.state, s.submitted_by, s.submitted_at, s.reviewed_by,"             \
      " s.reviewed_at, s.reason, s.updated_by, s.updated_at FROM submissions s"                    \
      " JOIN units u ON u.id = s.unit_id JOIN periods p ON p.id = s.period_id"                     \
      " WHERE s.period_id = ?1 AND s.unit_id = ?2")                                                \
    X(ST_SUBS,                                                                                     \
      "SELECT u.code, p.code, s.state, s.submitted_by, s.submitted_at, s.reviewed_by,"             \
      " s.reviewed_at, s.reason, s.updated_by, s.updated_at FROM submissions s"                    \
      " JOIN units u ON u.id = s.unit_id JOIN periods p ON p.id = s.period_id"                     \
      " WHERE ?1 IS NULL OR s.period_id = ?1"                                                      \
      " ORDER BY saima_period_ordinal(p.kind, p.year, p.seq), u.sort_order, u.code")               \
    X(ST_SUB_INSERT,                                                                               \
      "INSERT INTO submissions (period_id, unit_id, state, submitted_by, submitted_at,"           \
      " reviewed_by, reviewed_at, reason, updated_by, updated_at)"                                 \
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")                                         \
    X(ST_SUB_UPDATE,                                                                               \
      "UPDATE submissions SET state = ?3, submitted_by = ?4, submitted_at = ?5,"                   \
      " reviewed_by = ?6, reviewed_at = ?7, reason = ?8, updated_by = ?9, updated_at = ?10"        \
      " WHERE period_id = ?1 AND unit_id = ?2 AND state = ?11")                                    \
    X(ST_STEP_ADD,                                                                                 \
      "INSERT INTO submission_steps (period_id, unit_id, from_state, to_state, actor, at, reason)" \
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")                                                      \
    X(ST_STEPS,                                                                                    \
      "SELECT t.id, u.code, p.code, t.from_state, t.to_state, t.actor, t.at, t.reason"             \
      " FROM submission_steps t JOIN units u ON u.id = t.unit_id"                                  \
      " JOIN periods p ON p.id = t.period_id WHERE t.period_id = ?1 AND t.unit_id = ?2"            \
      " ORDER BY t.id")                                                                            \
    X(ST_SUB_APPROVED,                                                                             \
      "SELECT 1 FROM submissions WHERE period_id = ?1 AND unit_id = ?2 AND state = 'approved'")    \
    X(ST_SUB_ANY_APPROVED,                                                                         \
      "SELECT EXISTS (SELECT 1 FROM submissions WHERE period_id = ?1 AND state = 'approved')")     \
    X(ST_OBS_SET_STATE,                                                                            \
      "UPDATE observations SET state = ?3, revision = revision + 1"                                \
      " WHERE indicator_id IN (SELECT id FROM indicators) AND period_id = ?1 AND unit_id = ?2"     \
      " AND state <> ?3")

enum stmt_id {
#define STMT_ENUM(id, sql) id,
    STMT_TABLE(STMT_ENUM)
#undef STMT_ENUM
    ST_N
};

static const char *const stmt_sql[ST_N] = {
#define STMT_SQL(id, sql) sql,
    STMT_TABLE(STMT_SQL)
#undef STMT_SQL
};

typedef struct sq_store {
    store base;
    sqlite3 *db;
    sqlite3_stmt *stmts[ST_N];
    sqlite3_stmt *bulk_insert;    /* BULK_ROWS rows per statement */
    int in_tx;
    char tx_time[MODEL_TIME_MAX]; /* when the open transaction began: one import, one moment */
    /* Lock state of periods already checked in the open transaction: writes inside one
     * transaction see the locks as they were when it began (BEGIN IMMEDIATE holds the
     * write lock, so nobody else can change them meanwhile). */
    struct lock_cache { int64_t period_id; int locked, approved; } locks[64];
    int nlocks;
    int version;                  /* the schema version the database was migrated to */
} sq_store;

/* The first schema version with submissions (an older one is only opened by tests). */
#define SUBMISSIONS_VERSION 7

static sq_store *sq(store *s)
{
    return (sq_store *)s;
}

/* Turns the database's last error into an err code: constraint and lock messages of our
 * own triggers become ERR_LOCKED, uniqueness ERR_CONFLICT, the rest ERR_DB. */
static int sq_fail(sq_store *q, const char *what)
{
    const char *msg = sqlite3_errmsg(q->db);
    int code = sqlite3_extended_errcode(q->db);
    if (strncmp(msg, "saima:locked: ", 14) == 0)
        return err_set(ERR_LOCKED, "%s: %s", what, msg + 14);
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
        return err_set(ERR_CONFLICT, "%s: duplicate key (%s)", what, msg);
    if ((code & 0xff) == SQLITE_CONSTRAINT)
        return err_set(ERR_DATA, "%s: %s", what, msg);
    return err_set(ERR_DB, "%s: %s", what, msg);
}

/* Returns the prepared, reset statement id, or NULL with the error set. */
static sqlite3_stmt *stmt(sq_store *q, enum stmt_id id)
{
    if (!q->stmts[id]) {
        if (sqlite3_prepare_v3(q->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &q->stmts[id],
                               NULL) != SQLITE_OK) {
            sq_fail(q, "prepare");
            return NULL;
        }
    } else {
        sqlite3_reset(q->stmts[id]);
        sqlite3_clear_bindings(q->stmts[id]);
    }
    return q->stmts[id];
}

static void bind_text(sqlite3_stmt *st, int i, const char *text)
{
    sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
}

static void copy_col(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", t ? (const char *)t : "");
}

/* Reads an enumeration column stored by key; unknown keys read as 0. */
static int enum_col(sqlite3_stmt *st, int col, const model_enum *names, int n)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    int i = t ? model_enum_find(names, n, (const char *)t) : -1;
    return i < 0 ? 0 : i;
}

/* Runs a statement that returns no rows. */
static int run(sq_store *q, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sq_fail(q, what);
    sqlite3_reset(st);
    return 0;
}

static int exec(sq_store *q, const char *sql, const char *what)
{
    char *msg = NULL;
    if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = err_set(ERR_DB, "%s: %s", what, msg ? msg : sqlite3_errmsg(q->db));
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

static void now_iso(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

/* The time recorded on a write: the transaction's start inside one, else now. */
static void write_time(const sq_store *q, char *buf, size_t size)
{
    if (q->in_tx)
        snprintf(buf, size, "%s", q->tx_time);
    else
        now_iso(buf, size);
}

/* Looks up the id of a code with one of the ST_*_ID statements; ERR_NOTFOUND names it. */
static int lookup_id(sq_store *q, enum stmt_id id, const char *code, const char *what, int64_t *out)
{
    sqlite3_stmt *st = stmt(q, id);
    int rc;
    if (!st)
        return ERR_DB;
    bind_text(st, 1, code);
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

/* Binds an optional reference: NULL when code is empty, else the id it names. */
static int bind_ref(sq_store *q, sqlite3_stmt *st, int i, enum stmt_id lookup, const char *code,
                    const char *what)
{
    int64_t id;
    int rc;
    if (code[0] == '\0') {
        sqlite3_bind_null(st, i);
        return 0;
    }
    if ((rc = lookup_id(q, lookup, code, what, &id)) != 0)
        return rc;
    sqlite3_bind_int64(st, i, id);
    return 0;
}

/* Steps st to the end, reading each row into a growing array of elem_size elements. */
static int collect(sq_store *q, sqlite3_stmt *st, size_t elem_size,
                   void (*read)(sqlite3_stmt *st, void *elem), void **out, size_t *n)
{
    size_t cap = 16, len = 0;
    char *items = calloc(cap, elem_size);
    int rc;
    if (!items)
        return err_set(ERR_NOMEM, "out of memory");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            char *bigger = realloc(items, cap * 2 * elem_size);
            if (!bigger) {
                free(items);
                sqlite3_reset(st);
                return err_set(ERR_NOMEM, "out of memory");
            }
            items = bigger;
            cap *= 2;
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

/* ---- lifecycle and transactions ---- */

static void sq_close(store *s)
{
    sq_store *q = sq(s);
    if (q->in_tx)
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    for (int i = 0; i < ST_N; i++)
        sqlite3_finalize(q->stmts[i]);
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

static int sq_data_version(store *s, long long *out)
{
    return pragma_int(sq(s), "PRAGMA data_version", "data version", out);
}

static int sq_begin(store *s)
{
    sq_store *q = sq(s);
    int rc;
    if (q->in_tx)
        return err_set(ERR_INTERNAL, "a transaction is already open");
    if ((rc = exec(q, "BEGIN IMMEDIATE", "begin")) == 0) {
        q->in_tx = 1;
        q->nlocks = 0;
        now_iso(q->tx_time, sizeof q->tx_time);
    }
    return rc;
}

static int sq_commit(store *s)
{
    sq_store *q = sq(s);
    int rc = exec(q, "COMMIT", "commit");
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
    return sqlite3_get_autocommit(q->db) ? 0 : exec(q, "ROLLBACK", "rollback");
}

/* ---- units and groups ---- */

static int sq_unit_put(store *s, const model_unit *u)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st = stmt(q, ST_UNIT_PUT);
    int rc;
    if (!st)
        return ERR_DB;
    bind_text(st, 1, u->code);
    bind_text(st, 2, u->name);
    bind_text(st, 3, u->name_en);
    bind_text(st, 4, model_unit_kinds[u->kind].key);
    if ((rc = bind_ref(q, st, 5, ST_UNIT_ID, u->parent_code, "parent unit")) != 0)
        return rc;
    sqlite3_bind_int(st, 6, u->is_self ? 1 : 0);
    sqlite3_bind_int(st, 7, u->sort_order);
    return run(q, st, "save unit");
}

static void read_unit(sqlite3_stmt *st, void *elem)
{
    model_unit *u = elem;
    u->id = sqlite3_column_int64(st, 0);
    copy_col(u->code, sizeof u->code, st, 1);
    copy_col(u->name, sizeof u->name, st, 2);
    copy_col(u->name_en, sizeof u->name_en, st, 3);
    u->kind = enum_col(st, 4, model_unit_kinds, UNIT_KIND_N);
    copy_col(u->parent_code, sizeof u->parent_code, st, 5);
    u->is_self = sqlite3_column_int(st, 6);
    u->sort_order = sqlite3_column_int(st, 7);
}

static int sq_units(store *s, model_unit **out, size_t *n)
{
    sqlite3_stmt *st = stmt(sq(s), ST_UNITS);
    return st ? collect(sq(s), st, sizeof **out, read_unit, (void **)out, n) : ERR_DB;
}

static int sq_group_put(store *s, const model_group *g)
{
    sqlite3_stmt *st = stmt(sq(s), ST_GROUP_PUT);
    if (!st)
        return ERR_DB;
    bind_text(st, 1, g->code);
    bind_text(st, 2, g->name);
    bind_text(st, 3, g->name_en);
    bind_text(st, 4, model_group_kinds[g->kind].key);
    bind_text(st, 5, g->description);
    return run(sq(s), st, "save group");
}

static int sq_group_set_members(store *s, const char *group_code,
                                const char (*unit_codes)[MODEL_CODE_MAX], size_t n)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t gid, uid;
    int rc;
    if ((rc = lookup_id(q, ST_GROUP_ID, group_code, "group", &gid)) != 0)
        return rc;
    if (!(st = stmt(q, ST_MEMBERS_CLEAR)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, gid);
    if ((rc = run(q, st, "clear group")) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if ((rc = lookup_id(q, ST_UNIT_ID, unit_codes[i], "unit", &uid)) != 0)
            return rc;
        if (!(st = stmt(q, ST_MEMBER_ADD)))
            return ERR_DB;
        sqlite3_bind_int64(st, 1, gid);
        sqlite3_bind_int64(st, 2, uid);
        sqlite3_bind_int64(st, 3, (int64_t)i);
        if ((rc = run(q, st, "add group member")) != 0)
            return rc;
    }
    return 0;
}

static void read_group(sqlite3_stmt *st, void *elem)
{
    model_group *g = elem;
    g->id = sqlite3_column_int64(st, 0);
    copy_col(g->code, sizeof g->code, st, 1);
    copy_col(g->name, sizeof g->name, st, 2);
    copy_col(g->name_en, sizeof g->name_en, st, 3);
    g->kind = enum_col(st, 4, model_group_kinds, GROUP_KIND_N);
    copy_col(g->description, sizeof g->description, st, 5);
}

static int sq_groups(store *s, model_group **out, size_t *n)
{
    sqlite3_stmt *st = stmt(sq(s), ST_GROUPS);
    return st ? collect(sq(s), st, sizeof **out, read_group, (void **)out, n) : ERR_DB;
}

static int sq_group_members(store *s, const char *group_code, model_unit **out, size_t *n)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t gid;
    int rc;
    if ((rc = lookup_id(q, ST_GROUP_ID, group_code, "group", &gid)) != 0)
        return rc;
    if (!(st = stmt(q, ST_MEMBERS)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, gid);
    return collect(q, st, sizeof **out, read_unit, (void **)out, n);
}

/* ---- indicators and schemes ---- */

/* Replaces the cooperating units of an indicator with the ';'-separated codes. */
static int set_coop_units(sq_store *q, int64_t iid, const char *codes)
{
    char buf[MODEL_TEXT_MAX], *save = NULL, *code;
    sqlite3_stmt *st = stmt(q, ST_COOP_CLEAR);
    int64_t uid;
    int rc, order = 0;
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, iid);
    if ((rc = run(q, st, "clear cooperating units")) != 0)
        return rc;
    snprintf(buf, sizeof buf, "%s", codes);
    for (code = strtok_r(buf, ";", &save); code; code = strtok_r(NULL, ";", &save)) {
        if ((rc = lookup_id(q, ST_UNIT_ID, code, "cooperating unit", &uid)) != 0)
            return rc;
        if (!(st = stmt(q, ST_COOP_ADD)))
            return ERR_DB;
        sqlite3_bind_int64(st, 1, iid);
        sqlite3_bind_int64(st, 2, uid);
        sqlite3_bind_int(st, 3, order++);
        if ((rc = run(q, st, "add cooperating unit")) != 0)
            return rc;
    }
    return 0;
}

static int sq_indicator_put(store *s, const model_indicator *ind)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st = stmt(q, ST_INDICATOR_PUT);
    int64_t iid;
    int rc;
    if (!st)
        return ERR_DB;
    bind_text(st, 1, ind->code);
    bind_text(st, 2, ind->name);
    bind_text(st, 3, ind->name_en);
    bind_text(st, 4, ind->measure);
    bind_text(st, 5, ind->definition);
    bind_text(st, 6, ind->source);
    bind_text(st, 7, model_directions[ind->direction].key);
    bind_text(st, 8, model_value_kinds[ind->value_kind].key);
    bind_text(st, 9, model_categories[ind->category].key);
    sqlite3_bind_int(st, 10, ind->precision);
    sqlite3_bind_double(st, 11, ind->weight);
    bind_text(st, 12, model_methods[ind->method].key);
    if ((rc = bind_ref(q, st, 13, ST_UNIT_ID, ind->lead_unit, "lead unit")) != 0)
        return rc;
    bind_text(st, 14, ind->leader);
    sqlite3_bind_int(st, 15, ind->is_bonus ? 1 : 0);
    sqlite3_bind_int(st, 16, ind->is_veto ? 1 : 0);
    sqlite3_bind_int(st, 17, ind->sort_order);
    if ((rc = run(q, st, "save indicator")) != 0)
        return rc;
    if ((rc = lookup_id(q, ST_INDICATOR_ID, ind->code, "indicator", &iid)) != 0)
        return rc;
    return set_coop_units(q, iid, ind->coop_units);
}

static void read_indicator(sqlite3_stmt *st, void *elem)
{
    model_indicator *ind = elem;
    ind->id = sqlite3_column_int64(st, 0);
    copy_col(ind->code, sizeof ind->code, st, 1);
    copy_col(ind->name, sizeof ind->name, st, 2);
    copy_col(ind->name_en, sizeof ind->name_en, st, 3);
    copy_col(ind->measure, sizeof ind->measure, st, 4);
    copy_col(ind->definition, sizeof ind->definition, st, 5);
    copy_col(ind->source, sizeof ind->source, st, 6);
    ind->direction = enum_col(st, 7, model_directions, DIR_N);
    ind->value_kind = enum_col(st, 8, model_value_kinds, VK_N);
    ind->category = enum_col(st, 9, model_categories, CAT_N);
    ind->precision = sqlite3_column_int(st, 10);
    ind->weight = sqlite3_column_double(st, 11);
    ind->method = enum_col(st, 12, model_methods, METHOD_N);
    copy_col(ind->lead_unit, sizeof ind->lead_unit, st, 13);
    copy_col(ind->coop_units, sizeof ind->coop_units, st, 14);
    copy_col(ind->leader, sizeof ind->leader, st, 15);
    ind->is_bonus = sqlite3_column_int(st, 16);
    ind->is_veto = sqlite3_column_int(st, 17);
    ind->sort_order = sqlite3_column_int(st, 18);
}

static int sq_indicators(store *s, model_indicator **out, size_t *n)
{
    sqlite3_stmt *st = stmt(sq(s), ST_INDICATORS);
    return st ? collect(sq(s), st, sizeof **out, read_indicator, (void **)out, n) : ERR_DB;
}

static int sq_scheme_put(store *s, const model_scheme *sc)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st = stmt(q, ST_SCHEME_PUT);
    int rc;
    if (!st)
        return ERR_DB;
    bind_text(st, 1, sc->code);
    bind_text(st, 2, sc->name);
    bind_text(st, 3, sc->name_en);
    if ((rc = bind_ref(q, st, 4, ST_GROUP_ID, sc->group_code, "group")) != 0)
        return rc;
    bind_text(st, 5, period_kind_name(sc->period_kind));
    sqlite3_bind_double(st, 6, sc->total_weight);
    bind_text(st, 7, sc->grading);
    bind_text(st, 8, sc->description);
    bind_text(st, 9, sc->settings);
    return run(q, st, "save scheme");
}

static int sq_scheme_set_items(store *s, const char *scheme_code, const model_scheme_item *items, size_t n)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t sid, iid;
    int rc;
    if ((rc = lookup_id(q, ST_SCHEME_ID, scheme_code, "scheme", &sid)) != 0)
        return rc;
    if (!(st = stmt(q, ST_ITEMS_CLEAR)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, sid);
    if ((rc = run(q, st, "clear scheme items")) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if ((rc = lookup_id(q, ST_INDICATOR_ID, items[i].indicator_code, "indicator", &iid)) != 0)
            return rc;
        if (!(st = stmt(q, ST_ITEM_ADD)))
            return ERR_DB;
        sqlite3_bind_int64(st, 1, sid);
        sqlite3_bind_int64(st, 2, iid);
        sqlite3_bind_double(st, 3, items[i].weight);
        bind_text(st, 4, model_methods[items[i].method].key);
        bind_text(st, 5, items[i].params);
        sqlite3_bind_int(st, 6, items[i].sort_order);
        if ((rc = run(q, st, "add scheme item")) != 0)
            return rc;
    }
    return 0;
}

static void read_scheme(sqlite3_stmt *st, void *elem)
{
    model_scheme *sc = elem;
    char kind[16];
    sc->id = sqlite3_column_int64(st, 0);
    copy_col(sc->code, sizeof sc->code, st, 1);
    copy_col(sc->name, sizeof sc->name, st, 2);
    copy_col(sc->name_en, sizeof sc->name_en, st, 3);
    copy_col(sc->group_code, sizeof sc->group_code, st, 4);
    copy_col(kind, sizeof kind, st, 5);
    if (period_kind_parse(kind, &sc->period_kind) != 0)
        sc->period_kind = PERIOD_MONTH;
    sc->total_weight = sqlite3_column_double(st, 6);
    copy_col(sc->grading, sizeof sc->grading, st, 7);
    copy_col(sc->description, sizeof sc->description, st, 8);
    copy_col(sc->settings, sizeof sc->settings, st, 9);
}

static int sq_schemes(store *s, model_scheme **out, size_t *n)
{
    sqlite3_stmt *st = stmt(sq(s), ST_SCHEMES);
    return st ? collect(sq(s), st, sizeof **out, read_scheme, (void **)out, n) : ERR_DB;
}

static void read_item(sqlite3_stmt *st, void *elem)
{
    model_scheme_item *it = elem;
    copy_col(it->scheme_code, sizeof it->scheme_code, st, 0);
    copy_col(it->indicator_code, sizeof it->indicator_code, st, 1);
    it->weight = sqlite3_column_double(st, 2);
    it->method = enum_col(st, 3, model_methods, METHOD_N);
    copy_col(it->params, sizeof it->params, st, 4);
    it->sort_order = sqlite3_column_int(st, 5);
}

static int sq_scheme_items(store *s, const char *scheme_code, model_scheme_item **out, size_t *n)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t sid;
    int rc;
    if ((rc = lookup_id(q, ST_SCHEME_ID, scheme_code, "scheme", &sid)) != 0)
        return rc;
    if (!(st = stmt(q, ST_ITEMS)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, sid);
    return collect(q, st, sizeof **out, read_item, (void **)out, n);
}

/* ---- periods and targets ---- */

static int sq_period_ensure(store *s, const period_key *key, int64_t *id)
{
    sq_store *q = sq(s);
    char code[PERIOD_CODE_MAX];
    sqlite3_stmt *st;
    int rc;
    period_format(key, code, sizeof code);
    rc = lookup_id(q, ST_PERIOD_ID, code, "period", id);
    if (rc != ERR_NOTFOUND)
        return rc;
    if (!(st = stmt(q, ST_PERIOD_ADD)))
        return ERR_DB;
    bind_text(st, 1, code);
    bind_text(st, 2, period_kind_name(key->kind));
    sqlite3_bind_int(st, 3, key->year);
    sqlite3_bind_int(st, 4, key->seq);
    if ((rc = run(q, st, "add period")) != 0)
        return rc;
    *id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

static int sq_period_set_locked(store *s, const period_key *key, int locked)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t id;
    int rc;
    if ((rc = sq_period_ensure(s, key, &id)) != 0)
        return rc;
    if (!(st = stmt(q, ST_PERIOD_LOCK)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, locked ? 1 : 0);
    q->nlocks = 0;
    return run(q, st, "lock period");
}

static void read_period(sqlite3_stmt *st, void *elem)
{
    model_period *p = elem;
    char kind[16];
    p->id = sqlite3_column_int64(st, 0);
    copy_col(kind, sizeof kind, st, 1);
    if (period_kind_parse(kind, &p->key.kind) != 0)
        p->key.kind = PERIOD_MONTH;
    p->key.year = sqlite3_column_int(st, 2);
    p->key.seq = sqlite3_column_int(st, 3);
    p->locked = sqlite3_column_int(st, 4);
    copy_col(p->deadline, sizeof p->deadline, st, 5);
    period_format(&p->key, p->code, sizeof p->code);
}

static int cmp_period(const void *a, const void *b)
{
    long x = period_ordinal(&((const model_period *)a)->key), y = period_ordinal(&((const model_period *)b)->key);
    return (x > y) - (x < y);
}

static int sq_periods(store *s, model_period **out, size_t *n)
{
    sqlite3_stmt *st = stmt(sq(s), ST_PERIODS);
    int rc;
    if (!st)
        return ERR_DB;
    if ((rc = collect(sq(s), st, sizeof **out, read_period, (void **)out, n)) == 0)
        qsort(*out, *n, sizeof **out, cmp_period);
    return rc;
}

static int sq_target_put(store *s, const model_target *t)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st = stmt(q, ST_TARGET_PUT);
    int rc;
    if (!st)
        return ERR_DB;
    if ((rc = bind_ref(q, st, 1, ST_INDICATOR_ID, t->indicator_code, "indicator")) != 0 ||
        (rc = bind_ref(q, st, 2, ST_UNIT_ID, t->unit_code, "unit")) != 0)
        return rc;
    sqlite3_bind_int(st, 3, t->year);
    sqlite3_bind_double(st, 4, t->value);
    bind_text(st, 5, t->note);
    return run(q, st, "save target");
}

static void read_target(sqlite3_stmt *st, void *elem)
{
    model_target *t = elem;
    copy_col(t->indicator_code, sizeof t->indicator_code, st, 0);
    copy_col(t->unit_code, sizeof t->unit_code, st, 1);
    t->year = sqlite3_column_int(st, 2);
    t->value = sqlite3_column_double(st, 3);
    copy_col(t->note, sizeof t->note, st, 4);
}

static int sq_targets(store *s, int year, model_target **out, size_t *n)
{
    sqlite3_stmt *st = stmt(sq(s), ST_TARGETS);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int(st, 1, year);
    return collect(sq(s), st, sizeof **out, read_target, (void **)out, n);
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
    bind_text(st, 5, model_obs_states[o->state].key);
    bind_text(st, 6, o->note);
    bind_text(st, 7, actor ? actor : "");
    bind_text(st, 8, now);
}

/* The existing row differs: published rows are locked, identical rows are left alone. */
static int update_existing(sq_store *q, const model_observation *o, const char *actor, const char *now,
                           int *outcome)
{
    sqlite3_stmt *st = stmt(q, ST_OBS_GET);
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
        *outcome = OBS_PUT_SAME;
        return 0;
    }
    if (published)
        return err_set(ERR_LOCKED, "the value is published and locked");
    if (!(st = stmt(q, ST_OBS_UPDATE)))
        return ERR_DB;
    bind_obs_write(st, o, actor, now);
    *outcome = OBS_PUT_CHANGED;
    return run(q, st, "save observation");
}

/* Reads a period's lock state: locked for every unit, and whether any unit's submission
 * for it is approved. Inside a transaction the answer is cached for the transaction. */
static int period_lock_state(sq_store *q, int64_t period_id, struct lock_cache *out)
{
    sqlite3_stmt *st;
    int rc;
    for (int i = 0; i < q->nlocks; i++) {
        if (q->locks[i].period_id == period_id) {
            *out = q->locks[i];
            return 0;
        }
    }
    out->period_id = period_id;
    if (!(st = stmt(q, ST_PERIOD_LOCKED)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, period_id);
    rc = sqlite3_step(st);
    out->locked = rc == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(q, "read period");
    out->approved = 0;
    if (q->version < SUBMISSIONS_VERSION)
        goto keep;
    if (!(st = stmt(q, ST_SUB_ANY_APPROVED)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, period_id);
    rc = sqlite3_step(st);
    out->approved = rc == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return sq_fail(q, "read submissions");
keep:
    if (q->in_tx && q->nlocks < (int)(sizeof q->locks / sizeof q->locks[0]))
        q->locks[q->nlocks++] = *out;
    return 0;
}

/* ERR_LOCKED when the unit's submission for the period is approved. */
static int check_unit_open(sq_store *q, int64_t period_id, int64_t unit_id)
{
    sqlite3_stmt *st = stmt(q, ST_SUB_APPROVED);
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
    struct lock_cache lc;
    int rc;
    if ((rc = period_lock_state(q, period_id, &lc)) != 0)
        return rc;
    if (lc.locked)
        return err_set(ERR_LOCKED, "save observation: the period is locked");
    return lc.approved ? check_unit_open(q, period_id, unit_id) : 0;
}

static int sq_observation_put(store *s, const model_observation *o, const char *actor, int *result)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st = stmt(q, ST_OBS_INSERT);
    char now[MODEL_TIME_MAX];
    int rc, outcome = OBS_PUT_NEW;
    if (!st)
        return ERR_DB;
    if ((rc = check_period_open(q, o->period_id, o->unit_id)) != 0)
        return rc;
    write_time(q, now, sizeof now);
    /* New values, the bulk of any import, take one statement; existing ones are compared. */
    bind_obs_write(st, o, actor, now);
    if ((rc = run(q, st, "save observation")) != 0)
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
        bind_text(st, b + 5, model_obs_states[rows[r].state].key);
        bind_text(st, b + 6, rows[r].note ? rows[r].note : "");
    }
    bind_text(st, (int)n * BULK_PARAMS + 1, actor ? actor : "");
    bind_text(st, (int)n * BULK_PARAMS + 2, now);
    return run(q, st, "insert observations");
}

static int sq_observations_insert(store *s, const obs_new *rows, size_t n, const char *actor)
{
    sq_store *q = sq(s);
    char now[MODEL_TIME_MAX];
    struct lock_cache lc = { -1, 0, 0 };
    size_t done = 0;
    int rc = 0;
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
    write_time(q, now, sizeof now);
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
    copy_col(o->indicator_code, sizeof o->indicator_code, st, 3);
    copy_col(o->unit_code, sizeof o->unit_code, st, 4);
    copy_col(o->period_code, sizeof o->period_code, st, 5);
    o->value = sqlite3_column_double(st, 6);
    o->state = enum_col(st, 7, model_obs_states, OBS_STATE_N);
    copy_col(o->note, sizeof o->note, st, 8);
    copy_col(o->entered_by, sizeof o->entered_by, st, 9);
    copy_col(o->entered_at, sizeof o->entered_at, st, 10);
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
    bind_text(st, 1, f->indicator_code);
    bind_text(st, 2, f->unit_code);
    bind_text(st, 3, f->period_code);
    sqlite3_bind_int(st, 4, f->year);
    bind_text(st, 5, f->period_kind >= 0 ? period_kind_name(f->period_kind) : "");
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

static int sq_observation_history(store *s, const char *indicator_code, const char *unit_code,
                                  const char *period_code, model_observation **out, size_t *n)
{
    sq_store *q = sq(s);
    model_observation key;
    sqlite3_stmt *st;
    int rc;
    memset(&key, 0, sizeof key);
    if ((rc = lookup_id(q, ST_INDICATOR_ID, indicator_code, "indicator", &key.indicator_id)) != 0 ||
        (rc = lookup_id(q, ST_UNIT_ID, unit_code, "unit", &key.unit_id)) != 0 ||
        (rc = lookup_id(q, ST_PERIOD_ID, period_code, "period", &key.period_id)) != 0)
        return rc;
    if (!(st = stmt(q, ST_OBS_HISTORY)))
        return ERR_DB;
    bind_obs_key(st, &key);
    *out = NULL;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        model_observation *bigger = realloc(*out, (*n + 1) * sizeof **out);
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
        o->state = enum_col(st, 1, model_obs_states, OBS_STATE_N);
        copy_col(o->note, sizeof o->note, st, 2);
        copy_col(o->entered_by, sizeof o->entered_by, st, 3);
        copy_col(o->entered_at, sizeof o->entered_at, st, 4);
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
    sqlite3_stmt *st = stmt(sq(s), ST_OBS_COUNT);
    if (!st)
        return ERR_DB;
    if (sqlite3_step(st) != SQLITE_ROW)
        return sq_fail(sq(s), "count observations");
    *n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

/* ---- flags, users, audit ---- */

static int sq_flag_add(store *s, const model_observation *o, const char *rule, const char *message)
{
    sqlite3_stmt *st = stmt(sq(s), ST_FLAG_ADD);
    char now[MODEL_TIME_MAX];
    if (!st)
        return ERR_DB;
    write_time(sq(s), now, sizeof now);
    bind_obs_key(st, o);
    bind_text(st, 4, rule);
    bind_text(st, 5, message);
    sqlite3_bind_double(st, 6, o->value);
    bind_text(st, 7, now);
    return run(sq(s), st, "save flag");
}

static void read_flag(sqlite3_stmt *st, void *elem)
{
    model_obs_flag *f = elem;
    f->id = sqlite3_column_int64(st, 0);
    copy_col(f->indicator_code, sizeof f->indicator_code, st, 1);
    copy_col(f->unit_code, sizeof f->unit_code, st, 2);
    copy_col(f->period_code, sizeof f->period_code, st, 3);
    copy_col(f->rule, sizeof f->rule, st, 4);
    copy_col(f->message, sizeof f->message, st, 5);
    f->value = sqlite3_column_double(st, 6);
    copy_col(f->created_at, sizeof f->created_at, st, 7);
    copy_col(f->status, sizeof f->status, st, 8);
}

static int sq_flags(store *s, int open_only, model_obs_flag **out, size_t *n)
{
    sqlite3_stmt *st = stmt(sq(s), ST_FLAGS);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int(st, 1, open_only ? 1 : 0);
    return collect(sq(s), st, sizeof **out, read_flag, (void **)out, n);
}

static int sq_user_put(store *s, const model_user *u)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st = stmt(q, ST_USER_PUT);
    char now[MODEL_TIME_MAX];
    int rc;
    if (!st)
        return ERR_DB;
    if (u->role == ROLE_REPORTER && u->unit_code[0] == '\0')
        return err_set(ERR_DATA, "user '%s': a reporter must be bound to a unit", u->login);
    now_iso(now, sizeof now);
    bind_text(st, 1, u->login);
    bind_text(st, 2, u->display_name);
    bind_text(st, 3, model_roles[u->role].key);
    if ((rc = bind_ref(q, st, 4, ST_UNIT_ID, u->unit_code, "unit")) != 0)
        return rc;
    bind_text(st, 5, u->password_hash);
    sqlite3_bind_int(st, 6, u->disabled ? 1 : 0);
    bind_text(st, 7, u->created_at[0] ? u->created_at : now);
    return run(q, st, "save user");
}

static void read_user(sqlite3_stmt *st, void *elem)
{
    model_user *u = elem;
    u->id = sqlite3_column_int64(st, 0);
    copy_col(u->login, sizeof u->login, st, 1);
    copy_col(u->display_name, sizeof u->display_name, st, 2);
    u->role = enum_col(st, 3, model_roles, ROLE_N);
    copy_col(u->unit_code, sizeof u->unit_code, st, 4);
    copy_col(u->password_hash, sizeof u->password_hash, st, 5);
    u->disabled = sqlite3_column_int(st, 6);
    copy_col(u->created_at, sizeof u->created_at, st, 7);
}

static int sq_users(store *s, model_user **out, size_t *n)
{
    sqlite3_stmt *st = stmt(sq(s), ST_USERS);
    return st ? collect(sq(s), st, sizeof **out, read_user, (void **)out, n) : ERR_DB;
}

static int sq_user_get(store *s, const char *login, model_user *out)
{
    sqlite3_stmt *st = stmt(sq(s), ST_USER_GET);
    int rc;
    if (!st)
        return ERR_DB;
    bind_text(st, 1, login);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        read_user(st, out);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? err_set(ERR_NOTFOUND, "unknown login '%s'", login) : sq_fail(sq(s), "read user");
}

static int sq_audit_add(store *s, const char *actor, const char *action, const char *entity,
                        const char *detail)
{
    sqlite3_stmt *st = stmt(sq(s), ST_AUDIT_ADD);
    char now[MODEL_TIME_MAX];
    if (!st)
        return ERR_DB;
    write_time(sq(s), now, sizeof now);
    bind_text(st, 1, now);
    bind_text(st, 2, actor);
    bind_text(st, 3, action);
    bind_text(st, 4, entity);
    bind_text(st, 5, detail);
    return run(sq(s), st, "write audit log");
}

static void read_audit(sqlite3_stmt *st, void *elem)
{
    model_audit_entry *a = elem;
    a->id = sqlite3_column_int64(st, 0);
    copy_col(a->at, sizeof a->at, st, 1);
    copy_col(a->actor, sizeof a->actor, st, 2);
    copy_col(a->action, sizeof a->action, st, 3);
    copy_col(a->entity, sizeof a->entity, st, 4);
    copy_col(a->detail, sizeof a->detail, st, 5);
}

static int sq_audits(store *s, int limit, model_audit_entry **out, size_t *n)
{
    sqlite3_stmt *st = stmt(sq(s), ST_AUDITS);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int(st, 1, limit);
    return collect(sq(s), st, sizeof **out, read_audit, (void **)out, n);
}

/* ---- the race: categories, contests, judges, results, flags ---- */

/* The id of a code the write cannot do without: empty is ERR_DATA, unknown ERR_NOTFOUND. */
static int require_id(sq_store *q, enum stmt_id lookup, const char *code, const char *what,
                      const char *owner, int64_t *out)
{
    if (!code || code[0] == '\0')
        return err_set(ERR_DATA, "%s: no %s code", owner, what);
    return lookup_id(q, lookup, code, what, out);
}

/* ERR_DATA unless 0 <= value < n: an enumeration the caller filled. */
static int check_enum(int value, int n, const char *what, const char *owner)
{
    if (value < 0 || value >= n)
        return err_set(ERR_DATA, "%s: unknown %s %d", owner, what, value);
    return 0;
}

/* Parses a period code in any accepted form into its key; ERR_DATA names the owner. */
static int parse_period(const char *code, const char *owner, period_key *key)
{
    char detail[256];
    if (!code || code[0] == '\0')
        return err_set(ERR_DATA, "%s: no period", owner);
    if (period_parse(code, key) == 0)
        return 0;
    snprintf(detail, sizeof detail, "%s", err_msg());
    return err_set(ERR_DATA, "%s: %s", owner, detail);
}

/* The id of the period a code names, creating its row if it is new. */
static int ensure_period_code(sq_store *q, const char *code, const char *owner, int64_t *id)
{
    period_key key;
    int rc;
    if ((rc = parse_period(code, owner, &key)) != 0)
        return rc;
    return sq_period_ensure(&q->base, &key, id);
}

/* Resolves n unit codes, the first at first and each stride bytes after the one before, to
 * ids before anything is written, so an unknown code changes nothing. *ids is the caller's
 * to free (NULL when n is 0). */
static int resolve_units(sq_store *q, const char *first, size_t stride, size_t n, const char *owner,
                         int64_t **ids)
{
    int rc;
    *ids = NULL;
    if (n == 0)
        return 0;
    if (!(*ids = malloc(n * sizeof **ids)))
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *code = first + i * stride;
        if ((rc = require_id(q, ST_UNIT_ID, code, "unit", owner, &(*ids)[i])) != 0) {
            free(*ids);
            *ids = NULL;
            return rc;
        }
    }
    return 0;
}

static int sq_category_put(store *s, const model_contest_category *c)
{
    sqlite3_stmt *st = stmt(sq(s), ST_CATEGORY_PUT);
    if (!st)
        return ERR_DB;
    bind_text(st, 1, c->code);
    bind_text(st, 2, c->name);
    bind_text(st, 3, c->name_en);
    sqlite3_bind_int(st, 4, c->sort_order);
    return run(sq(s), st, "save contest category");
}

static void read_category(sqlite3_stmt *st, void *elem)
{
    model_contest_category *c = elem;
    c->id = sqlite3_column_int64(st, 0);
    copy_col(c->code, sizeof c->code, st, 1);
    copy_col(c->name, sizeof c->name, st, 2);
    copy_col(c->name_en, sizeof c->name_en, st, 3);
    c->sort_order = sqlite3_column_int(st, 4);
}

static int sq_categories(store *s, model_contest_category **out, size_t *n)
{
    sqlite3_stmt *st = stmt(sq(s), ST_CATEGORIES);
    return st ? collect(sq(s), st, sizeof **out, read_category, (void **)out, n) : ERR_DB;
}

/* Every reference is resolved before the period row is ensured, so an unknown code leaves
 * no trace; the weights are the database's to check (contest_weights_add_up). */
static int sq_contest_put(store *s, const model_contest *c)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t gid, kid, pid, sid = 0;
    char owner[MODEL_CODE_MAX + 16];
    int rc;
    snprintf(owner, sizeof owner, "contest '%s'", c->code);
    if ((rc = check_enum(c->flag_tie_rule, FLAG_TIE_N, "flag tie rule", owner)) != 0 ||
        (rc = require_id(q, ST_GROUP_ID, c->group_code, "group", owner, &gid)) != 0 ||
        (rc = require_id(q, ST_CATEGORY_ID, c->category_code, "category", owner, &kid)) != 0)
        return rc;
    if (c->scheme_code[0] && (rc = lookup_id(q, ST_SCHEME_ID, c->scheme_code, "scheme", &sid)) != 0)
        return rc;
    if ((rc = ensure_period_code(q, c->period_code, owner, &pid)) != 0)
        return rc;
    if (!(st = stmt(q, ST_CONTEST_PUT)))
        return ERR_DB;
    bind_text(st, 1, c->code);
    bind_text(st, 2, c->name);
    sqlite3_bind_int64(st, 3, gid);
    sqlite3_bind_int64(st, 4, kid);
    sqlite3_bind_int64(st, 5, pid);
    if (sid)
        sqlite3_bind_int64(st, 6, sid);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_int(st, 7, c->engine_weight_bp);
    sqlite3_bind_int(st, 8, c->judge_weight_bp);
    sqlite3_bind_int(st, 9, c->drop_extremes ? 1 : 0);
    bind_text(st, 10, c->points);
    bind_text(st, 11, model_flag_tie_rules[c->flag_tie_rule].key);
    return run(q, st, "save contest");
}

static void read_contest(sqlite3_stmt *st, void *elem)
{
    model_contest *c = elem;
    c->id = sqlite3_column_int64(st, 0);
    copy_col(c->code, sizeof c->code, st, 1);
    copy_col(c->name, sizeof c->name, st, 2);
    copy_col(c->group_code, sizeof c->group_code, st, 3);
    copy_col(c->category_code, sizeof c->category_code, st, 4);
    copy_col(c->period_code, sizeof c->period_code, st, 5);
    copy_col(c->scheme_code, sizeof c->scheme_code, st, 6);
    c->engine_weight_bp = sqlite3_column_int(st, 7);
    c->judge_weight_bp = sqlite3_column_int(st, 8);
    c->drop_extremes = sqlite3_column_int(st, 9);
    copy_col(c->points, sizeof c->points, st, 10);
    c->flag_tie_rule = enum_col(st, 11, model_flag_tie_rules, FLAG_TIE_N);
}

/* A period given in any accepted form filters by its canonical code; a period without a
 * row simply has no contests. */
static int sq_contests(store *s, const char *period_code, model_contest **out, size_t *n)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    char code[PERIOD_CODE_MAX] = "";
    period_key key;
    int rc;
    if (period_code && period_code[0]) {
        if ((rc = parse_period(period_code, "contests", &key)) != 0)
            return rc;
        period_format(&key, code, sizeof code);
    }
    if (!(st = stmt(q, ST_CONTESTS)))
        return ERR_DB;
    bind_text(st, 1, code);
    return collect(q, st, sizeof **out, read_contest, (void **)out, n);
}

static int sq_judge_score_put(store *s, const model_judge_score *j)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t cid, uid;
    char owner[MODEL_CODE_MAX + 32];
    int rc;
    snprintf(owner, sizeof owner, "judge score of contest '%s'", j->contest_code);
    if ((rc = require_id(q, ST_CONTEST_ID, j->contest_code, "contest", owner, &cid)) != 0 ||
        (rc = require_id(q, ST_UNIT_ID, j->unit_code, "unit", owner, &uid)) != 0)
        return rc;
    if (j->judge[0] == '\0')
        return err_set(ERR_DATA, "%s: no judge", owner);
    if (!isfinite(j->score))
        return err_set(ERR_DATA, "%s: the score is not a number", owner);
    if (!(st = stmt(q, ST_JUDGE_PUT)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, cid);
    sqlite3_bind_int64(st, 2, uid);
    bind_text(st, 3, j->judge);
    sqlite3_bind_double(st, 4, j->score);
    return run(q, st, "save judge score");
}

static void read_judge_score(sqlite3_stmt *st, void *elem)
{
    model_judge_score *j = elem;
    copy_col(j->contest_code, sizeof j->contest_code, st, 0);
    copy_col(j->unit_code, sizeof j->unit_code, st, 1);
    copy_col(j->judge, sizeof j->judge, st, 2);
    j->score = sqlite3_column_double(st, 3);
}

static int sq_judge_scores(store *s, const char *contest_code, model_judge_score **out, size_t *n)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t cid;
    int rc;
    if ((rc = require_id(q, ST_CONTEST_ID, contest_code, "contest", "judge scores", &cid)) != 0)
        return rc;
    if (!(st = stmt(q, ST_JUDGE_SCORES)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, cid);
    return collect(q, st, sizeof **out, read_judge_score, (void **)out, n);
}

static int add_result(sq_store *q, int64_t cid, int64_t uid, const model_contest_result *r,
                      const char *now)
{
    sqlite3_stmt *st = stmt(q, ST_RESULT_ADD);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, cid);
    sqlite3_bind_int64(st, 2, uid);
    sqlite3_bind_double(st, 3, r->engine_score);
    sqlite3_bind_double(st, 4, r->judge_score);
    sqlite3_bind_double(st, 5, r->score);
    sqlite3_bind_int(st, 6, r->has_engine ? 1 : 0);
    sqlite3_bind_int(st, 7, r->has_judges ? 1 : 0);
    sqlite3_bind_int(st, 8, r->rank);
    sqlite3_bind_int64(st, 9, r->points);
    bind_text(st, 10, now);
    return run(q, st, "save contest result");
}

/* The results belong to the contest named; a row naming another contest is refused. Every
 * code is checked before the old results go, so a bad row changes nothing. */
static int sq_contest_results_set(store *s, const char *contest_code, const model_contest_result *r,
                                  size_t n)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    char now[MODEL_TIME_MAX], owner[MODEL_CODE_MAX + 32];
    int64_t cid, *uids = NULL;
    int rc;
    snprintf(owner, sizeof owner, "results of contest '%s'", contest_code ? contest_code : "");
    if ((rc = require_id(q, ST_CONTEST_ID, contest_code, "contest", owner, &cid)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (r[i].contest_code[0] && strcmp(r[i].contest_code, contest_code) != 0)
            return err_set(ERR_DATA, "%s: row %zu is of contest '%s'", owner, i + 1,
                           r[i].contest_code);
    }
    if ((rc = resolve_units(q, n ? r[0].unit_code : NULL, sizeof *r, n, owner, &uids)) != 0)
        return rc;
    if (!(st = stmt(q, ST_RESULTS_CLEAR))) {
        rc = ERR_DB;
        goto done;
    }
    sqlite3_bind_int64(st, 1, cid);
    if ((rc = run(q, st, "clear contest results")) != 0)
        goto done;
    write_time(q, now, sizeof now);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = add_result(q, cid, uids[i], &r[i], now);
done:
    free(uids);
    return rc;
}

static void read_result(sqlite3_stmt *st, void *elem)
{
    model_contest_result *r = elem;
    copy_col(r->contest_code, sizeof r->contest_code, st, 0);
    copy_col(r->unit_code, sizeof r->unit_code, st, 1);
    r->engine_score = sqlite3_column_double(st, 2);
    r->judge_score = sqlite3_column_double(st, 3);
    r->score = sqlite3_column_double(st, 4);
    r->has_engine = sqlite3_column_int(st, 5);
    r->has_judges = sqlite3_column_int(st, 6);
    r->rank = sqlite3_column_int(st, 7);
    r->points = sqlite3_column_int64(st, 8);
    copy_col(r->run_at, sizeof r->run_at, st, 9);
}

static int sq_contest_results(store *s, const char *contest_code, model_contest_result **out, size_t *n)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t cid;
    int rc;
    if ((rc = require_id(q, ST_CONTEST_ID, contest_code, "contest", "contest results", &cid)) != 0)
        return rc;
    if (!(st = stmt(q, ST_RESULTS)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, cid);
    return collect(q, st, sizeof **out, read_result, (void **)out, n);
}

static int add_holder(sq_store *q, int64_t gid, int64_t pid, int64_t uid, const char *now)
{
    sqlite3_stmt *st = stmt(q, ST_HOLDER_ADD);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, gid);
    sqlite3_bind_int64(st, 2, pid);
    sqlite3_bind_int64(st, 3, uid);
    bind_text(st, 4, now);
    return run(q, st, "save flag holder");
}

static int sq_flag_set(store *s, const char *group_code, const char *period_code,
                       const char (*unit_codes)[MODEL_CODE_MAX], size_t n)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    char now[MODEL_TIME_MAX], owner[MODEL_CODE_MAX + 32];
    int64_t gid, pid, *uids = NULL;
    int rc;
    snprintf(owner, sizeof owner, "red flag of group '%s'", group_code ? group_code : "");
    if ((rc = require_id(q, ST_GROUP_ID, group_code, "group", owner, &gid)) != 0)
        return rc;
    if ((rc = resolve_units(q, n ? unit_codes[0] : NULL, sizeof unit_codes[0], n, owner, &uids)) != 0)
        return rc;
    if ((rc = ensure_period_code(q, period_code, owner, &pid)) != 0)
        goto done;
    if (!(st = stmt(q, ST_HOLDERS_CLEAR))) {
        rc = ERR_DB;
        goto done;
    }
    sqlite3_bind_int64(st, 1, gid);
    sqlite3_bind_int64(st, 2, pid);
    if ((rc = run(q, st, "clear flag holders")) != 0)
        goto done;
    write_time(q, now, sizeof now);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = add_holder(q, gid, pid, uids[i], now);
done:
    free(uids);
    return rc;
}

static void read_holder(sqlite3_stmt *st, void *elem)
{
    model_flag_holder *h = elem;
    copy_col(h->group_code, sizeof h->group_code, st, 0);
    copy_col(h->period_code, sizeof h->period_code, st, 1);
    copy_col(h->unit_code, sizeof h->unit_code, st, 2);
    copy_col(h->decided_at, sizeof h->decided_at, st, 3);
}

static int sq_flags_held(store *s, const char *group_code, model_flag_holder **out, size_t *n)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t gid = 0;
    int rc, all = !group_code || group_code[0] == '\0';
    if (!all && (rc = lookup_id(q, ST_GROUP_ID, group_code, "group", &gid)) != 0)
        return rc;
    if (!(st = stmt(q, ST_HOLDERS)))
        return ERR_DB;
    if (!all)
        sqlite3_bind_int64(st, 1, gid); /* left NULL: every group */
    return collect(q, st, sizeof **out, read_holder, (void **)out, n);
}

/* ---- the race: events, caps, awards ---- */

/* A new event is recorded as it happened: revocation is its own, later, step. */
static int sq_event_add(store *s, const model_event *e, int64_t *id)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    char now[MODEL_TIME_MAX], owner[MODEL_CODE_MAX + 48], detail[128];
    int64_t uid;
    int rc, year, month, day;
    snprintf(owner, sizeof owner, "event of unit '%s' on %.15s", e->unit_code, e->date);
    if ((rc = check_enum(e->kind, EVENT_KIND_N, "event kind", owner)) != 0)
        return rc;
    if (period_parse_date(e->date, &year, &month, &day) != 0) {
        snprintf(detail, sizeof detail, "%s", err_msg());
        return err_set(ERR_DATA, "event of unit '%s': %s", e->unit_code, detail);
    }
    if (!isfinite(e->points))
        return err_set(ERR_DATA, "%s: the points are not a number", owner);
    if (e->revoked)
        return err_set(ERR_DATA, "%s: a new event cannot be revoked already: add, then revoke",
                       owner);
    if ((rc = require_id(q, ST_UNIT_ID, e->unit_code, "unit", owner, &uid)) != 0)
        return rc;
    if (!(st = stmt(q, ST_EVENT_ADD)))
        return ERR_DB;
    write_time(q, now, sizeof now);
    bind_text(st, 1, e->date);
    sqlite3_bind_int64(st, 2, uid);
    bind_text(st, 3, model_event_kinds[e->kind].key);
    bind_text(st, 4, e->category);
    sqlite3_bind_double(st, 5, e->points);
    bind_text(st, 6, e->evidence);
    bind_text(st, 7, e->entered_by);
    bind_text(st, 8, e->approved_by);
    bind_text(st, 9, now);
    if ((rc = run(q, st, "save event")) != 0)
        return rc;
    if (id)
        *id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

/* Nonzero when text has something besides spaces. */
static int has_text(const char *text)
{
    for (; text && *text; text++) {
        if (*text != ' ' && *text != '\t' && *text != '\n' && *text != '\r')
            return 1;
    }
    return 0;
}

static int sq_event_revoke(store *s, int64_t id, const char *reason, const char *by)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    char now[MODEL_TIME_MAX];
    int rc, revoked;
    if (!has_text(reason))
        return err_set(ERR_DATA, "event %lld: a revocation needs a reason", (long long)id);
    if (!has_text(by))
        return err_set(ERR_DATA, "event %lld: a revocation needs who revokes it", (long long)id);
    if (!(st = stmt(q, ST_EVENT_REVOKED)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    revoked = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return err_set(ERR_NOTFOUND, "no event %lld", (long long)id);
    if (rc != SQLITE_ROW)
        return sq_fail(q, "read event");
    if (revoked)
        return err_set(ERR_CONFLICT, "event %lld is already revoked", (long long)id);
    if (!(st = stmt(q, ST_EVENT_REVOKE)))
        return ERR_DB;
    write_time(q, now, sizeof now);
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, reason);
    bind_text(st, 3, by);
    bind_text(st, 4, now);
    if ((rc = run(q, st, "revoke event")) != 0)
        return rc;
    return sqlite3_changes(q->db) == 1
               ? 0
               : err_set(ERR_CONFLICT, "event %lld is already revoked", (long long)id);
}

static void read_event(sqlite3_stmt *st, void *elem)
{
    model_event *e = elem;
    e->id = sqlite3_column_int64(st, 0);
    copy_col(e->date, sizeof e->date, st, 1);
    copy_col(e->unit_code, sizeof e->unit_code, st, 2);
    e->kind = enum_col(st, 3, model_event_kinds, EVENT_KIND_N);
    copy_col(e->category, sizeof e->category, st, 4);
    e->points = sqlite3_column_double(st, 5);
    copy_col(e->evidence, sizeof e->evidence, st, 6);
    copy_col(e->entered_by, sizeof e->entered_by, st, 7);
    copy_col(e->approved_by, sizeof e->approved_by, st, 8);
    e->revoked = sqlite3_column_int(st, 9);
    copy_col(e->revoked_reason, sizeof e->revoked_reason, st, 10);
    copy_col(e->revoked_by, sizeof e->revoked_by, st, 11);
    copy_col(e->revoked_at, sizeof e->revoked_at, st, 12);
    copy_col(e->created_at, sizeof e->created_at, st, 13);
}

/* A year is a range of dates, so the index on date serves it; every date is digits and
 * dashes, so "" and "~" bound them all. */
static int sq_events(store *s, int year, model_event **out, size_t *n)
{
    sqlite3_stmt *st = stmt(sq(s), ST_EVENTS);
    char from[24] = "", to[24] = "~";
    if (!st)
        return ERR_DB;
    if (year) {
        snprintf(from, sizeof from, "%04d-01-01", year);
        snprintf(to, sizeof to, "%04d-01-01", year + 1);
    }
    bind_text(st, 1, from);
    bind_text(st, 2, to);
    return collect(sq(s), st, sizeof **out, read_event, (void **)out, n);
}

static int sq_event_cap_put(store *s, const model_event_cap *c)
{
    sqlite3_stmt *st;
    if (c->category[0] == '\0')
        return err_set(ERR_DATA, "event cap of %d: no category", c->year);
    if (!(st = stmt(sq(s), ST_CAP_PUT)))
        return ERR_DB;
    bind_text(st, 1, c->category);
    sqlite3_bind_int(st, 2, c->year);
    sqlite3_bind_double(st, 3, c->max_bonus);
    sqlite3_bind_double(st, 4, c->max_deduction);
    return run(sq(s), st, "save event cap");
}

static void read_cap(sqlite3_stmt *st, void *elem)
{
    model_event_cap *c = elem;
    copy_col(c->category, sizeof c->category, st, 0);
    c->year = sqlite3_column_int(st, 1);
    c->max_bonus = sqlite3_column_double(st, 2);
    c->max_deduction = sqlite3_column_double(st, 3);
}

static int sq_event_caps(store *s, int year, model_event_cap **out, size_t *n)
{
    sqlite3_stmt *st = stmt(sq(s), ST_CAPS);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int(st, 1, year);
    return collect(sq(s), st, sizeof **out, read_cap, (void **)out, n);
}

/* The source code must name an existing contest category or indicator; it is kept as
 * written, the code being the stable name of either. */
static int sq_award_put(store *s, const model_award *a)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    char owner[MODEL_CODE_MAX + 16];
    int64_t gid, sid;
    int rc;
    snprintf(owner, sizeof owner, "award '%s'", a->code);
    if (strcmp(a->source, "contest") == 0)
        rc = require_id(q, ST_CATEGORY_ID, a->source_code, "contest category", owner, &sid);
    else if (strcmp(a->source, "indicator") == 0)
        rc = require_id(q, ST_INDICATOR_ID, a->source_code, "indicator", owner, &sid);
    else
        rc = err_set(ERR_DATA, "%s: unknown source '%s' (contest or indicator)", owner, a->source);
    if (rc != 0 || (rc = require_id(q, ST_GROUP_ID, a->group_code, "group", owner, &gid)) != 0)
        return rc;
    if (!(st = stmt(q, ST_AWARD_PUT)))
        return ERR_DB;
    bind_text(st, 1, a->code);
    bind_text(st, 2, a->name);
    bind_text(st, 3, a->name_en);
    sqlite3_bind_int(st, 4, a->worst ? 1 : 0);
    bind_text(st, 5, a->source);
    bind_text(st, 6, a->source_code);
    sqlite3_bind_int64(st, 7, gid);
    bind_text(st, 8, a->rule);
    return run(q, st, "save award");
}

static void read_award(sqlite3_stmt *st, void *elem)
{
    model_award *a = elem;
    a->id = sqlite3_column_int64(st, 0);
    copy_col(a->code, sizeof a->code, st, 1);
    copy_col(a->name, sizeof a->name, st, 2);
    copy_col(a->name_en, sizeof a->name_en, st, 3);
    a->worst = sqlite3_column_int(st, 4);
    copy_col(a->source, sizeof a->source, st, 5);
    copy_col(a->source_code, sizeof a->source_code, st, 6);
    copy_col(a->group_code, sizeof a->group_code, st, 7);
    copy_col(a->rule, sizeof a->rule, st, 8);
}

static int sq_awards(store *s, model_award **out, size_t *n)
{
    sqlite3_stmt *st = stmt(sq(s), ST_AWARDS);
    return st ? collect(sq(s), st, sizeof **out, read_award, (void **)out, n) : ERR_DB;
}

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
    if ((rc = lookup_id(q, ST_PERIOD_ID, code, "period", &id)) != 0)
        return rc;
    if (!(st = stmt(q, ST_PERIOD_DEADLINE)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, deadline);
    return run(q, st, "set deadline");
}

static void read_submission(sqlite3_stmt *st, void *elem)
{
    model_submission *b = elem;
    copy_col(b->unit_code, sizeof b->unit_code, st, 0);
    copy_col(b->period_code, sizeof b->period_code, st, 1);
    b->state = enum_col(st, 2, model_sub_states, SUB_STATE_N);
    copy_col(b->submitted_by, sizeof b->submitted_by, st, 3);
    copy_col(b->submitted_at, sizeof b->submitted_at, st, 4);
    copy_col(b->reviewed_by, sizeof b->reviewed_by, st, 5);
    copy_col(b->reviewed_at, sizeof b->reviewed_at, st, 6);
    copy_col(b->reason, sizeof b->reason, st, 7);
    copy_col(b->updated_by, sizeof b->updated_by, st, 8);
    copy_col(b->updated_at, sizeof b->updated_at, st, 9);
}

/* The ids of a unit and a period code: an unknown unit is ERR_NOTFOUND; a period without a
 * row gives *period_id 0 (nothing was ever written for it). */
static int sub_key(sq_store *q, const char *unit_code, const char *period_code, int64_t *unit_id,
                   int64_t *period_id)
{
    int rc = lookup_id(q, ST_UNIT_ID, unit_code, "unit", unit_id);
    if (rc != 0)
        return rc;
    *period_id = 0;
    rc = lookup_id(q, ST_PERIOD_ID, period_code, "period", period_id);
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
    if (!(st = stmt(q, ST_SUB_GET)))
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
        rc = lookup_id(q, ST_PERIOD_ID, period_code, "period", &pid);
        if (rc == ERR_NOTFOUND) {
            err_clear();
            *out = NULL;
            *n = 0;
            return 0;
        }
        if (rc != 0)
            return rc;
    }
    if (!(st = stmt(q, ST_SUBS)))
        return ERR_DB;
    if (pid)
        sqlite3_bind_int64(st, 1, pid);
    return collect(q, st, sizeof **out, read_submission, (void **)out, n);
}

static void read_step(sqlite3_stmt *st, void *elem)
{
    model_submission_step *t = elem;
    t->id = sqlite3_column_int64(st, 0);
    copy_col(t->unit_code, sizeof t->unit_code, st, 1);
    copy_col(t->period_code, sizeof t->period_code, st, 2);
    t->from_state = enum_col(st, 3, model_sub_states, SUB_STATE_N);
    t->to_state = enum_col(st, 4, model_sub_states, SUB_STATE_N);
    copy_col(t->by, sizeof t->by, st, 5);
    copy_col(t->at, sizeof t->at, st, 6);
    copy_col(t->reason, sizeof t->reason, st, 7);
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
    if (!(st = stmt(q, ST_STEPS)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, uid);
    return collect(q, st, sizeof **out, read_step, (void **)out, n);
}

/* Binds the row of a submission write: ids, state and the text columns (?1 .. ?10). */
static void bind_submission(sqlite3_stmt *st, int64_t pid, int64_t uid, const model_submission *b)
{
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, uid);
    bind_text(st, 3, model_sub_states[b->state].key);
    bind_text(st, 4, b->submitted_by);
    bind_text(st, 5, b->submitted_at);
    bind_text(st, 6, b->reviewed_by);
    bind_text(st, 7, b->reviewed_at);
    bind_text(st, 8, b->reason);
    bind_text(st, 9, b->updated_by);
    bind_text(st, 10, b->updated_at);
}

static int check_step(const model_submission *next, const model_submission_step *step)
{
    if (step->from_state < 0 || step->from_state >= SUB_STATE_N || step->to_state <= SUB_MISSING ||
        step->to_state >= SUB_STATE_N || next->state != step->to_state)
        return err_set(ERR_DATA, "submission %s/%s: not a transition", next->unit_code,
                       next->period_code);
    if (!has_text(step->by) || !has_text(step->at) || !has_text(next->updated_at))
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
    if ((rc = lookup_id(q, ST_UNIT_ID, next->unit_code, "unit", &uid)) != 0 ||
        (rc = sq_period_ensure(s, &key, &pid)) != 0)
        return rc;
    if (!(st = stmt(q, step->from_state == SUB_MISSING ? ST_SUB_INSERT : ST_SUB_UPDATE)))
        return ERR_DB;
    bind_submission(st, pid, uid, next);
    if (step->from_state != SUB_MISSING)
        bind_text(st, 11, model_sub_states[step->from_state].key);
    if ((rc = run(q, st, "save submission")) != 0)
        return rc;
    if (sqlite3_changes(q->db) != 1)
        return err_set(ERR_CONFLICT, "submission %s/%s is no longer %s", next->unit_code,
                       next->period_code, model_sub_states[step->from_state].key);
    q->nlocks = 0; /* an approval changes what may be written */
    if (!(st = stmt(q, ST_STEP_ADD)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, uid);
    bind_text(st, 3, model_sub_states[step->from_state].key);
    bind_text(st, 4, model_sub_states[step->to_state].key);
    bind_text(st, 5, step->by);
    bind_text(st, 6, step->at);
    bind_text(st, 7, step->reason);
    return run(q, st, "save submission step");
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
    if (!(st = stmt(q, ST_OBS_SET_STATE)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, uid);
    bind_text(st, 3, model_obs_states[state].key);
    if ((rc = run(q, st, "set observation states")) != 0)
        return rc;
    if (changed)
        *changed = sqlite3_changes(q->db);
    return 0;
}

static const struct store_ops sqlite_ops = {
    .version = STORE_OPS_VERSION,
    .close = sq_close,
    .schema_version = sq_schema_version,
    .data_version = sq_data_version,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .unit_put = sq_unit_put,
    .units = sq_units,
    .group_put = sq_group_put,
    .group_set_members = sq_group_set_members,
    .groups = sq_groups,
    .group_members = sq_group_members,
    .indicator_put = sq_indicator_put,
    .indicators = sq_indicators,
    .scheme_put = sq_scheme_put,
    .scheme_set_items = sq_scheme_set_items,
    .schemes = sq_schemes,
    .scheme_items = sq_scheme_items,
    .period_ensure = sq_period_ensure,
    .period_set_locked = sq_period_set_locked,
    .periods = sq_periods,
    .target_put = sq_target_put,
    .targets = sq_targets,
    .observation_put = sq_observation_put,
    .observations_insert = sq_observations_insert,
    .observations_each = sq_observations_each,
    .observation_history = sq_observation_history,
    .observation_count = sq_observation_count,
    .flag_add = sq_flag_add,
    .flags = sq_flags,
    .user_put = sq_user_put,
    .users = sq_users,
    .user_get = sq_user_get,
    .audit_add = sq_audit_add,
    .audits = sq_audits,
    .category_put = sq_category_put,
    .categories = sq_categories,
    .contest_put = sq_contest_put,
    .contests = sq_contests,
    .judge_score_put = sq_judge_score_put,
    .judge_scores = sq_judge_scores,
    .contest_results_set = sq_contest_results_set,
    .contest_results = sq_contest_results,
    .flag_set = sq_flag_set,
    .flags_held = sq_flags_held,
    .event_add = sq_event_add,
    .event_revoke = sq_event_revoke,
    .events = sq_events,
    .event_cap_put = sq_event_cap_put,
    .event_caps = sq_event_caps,
    .award_put = sq_award_put,
    .awards = sq_awards,
    .period_set_deadline = sq_period_set_deadline,
    .submission_get = sq_submission_get,
    .submissions = sq_submissions,
    .submission_steps = sq_submission_steps,
    .submission_write = sq_submission_write,
    .observations_set_state = sq_observations_set_state,
};

/* ---- opening and migration ---- */

/* Applies migrations from the current version up to target, each in its own transaction. */
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
        if ((rc = exec(q, "BEGIN IMMEDIATE", "migrate")) != 0)
            return rc;
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if ((rc = exec(q, store_sqlite_migrations[v], "migrate")) != 0 ||
            (rc = exec(q, pragma, "migrate")) != 0 || (rc = exec(q, "COMMIT", "migrate")) != 0) {
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

int store_latest_version(void)
{
    return store_sqlite_migration_count;
}

int store_open_with(const char *path, const store_open_opts *opts, store **out)
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
    q->base.ops = &sqlite_ops;
    if (opts && opts->max_version > 0 && opts->max_version < goal)
        goal = opts->max_version;
    /* A store handle belongs to one thread at a time, so the connection needs no mutex. */
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
    if ((rc = exec(q, pragmas, "open")) != 0 || (rc = migrate(q, goal)) != 0 ||
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

int store_open(const char *path, store **out)
{
    return store_open_with(path, NULL, out);
}
