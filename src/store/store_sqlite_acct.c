/* store_sqlite_acct: the SQLite back end of accounts and the audit log (store/acct.h). */
#include "store/store_sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_user_put[] =
    "INSERT INTO users AS o (login, display_name, role, unit_id, password_hash, disabled,"
    " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (login) DO UPDATE SET"
    " display_name = excluded.display_name, role = excluded.role, unit_id = excluded.unit_id,"
    " password_hash = excluded.password_hash, disabled = excluded.disabled"
    " WHERE (o.display_name, o.role, o.unit_id, o.password_hash, o.disabled) IS NOT"
    " (excluded.display_name, excluded.role, excluded.unit_id, excluded.password_hash,"
    " excluded.disabled)";
static const char sql_user_has[] = "SELECT 1 FROM users WHERE login = ?1";
#define USER_SELECT                                                                           \
    "SELECT s.id, s.login, s.display_name, s.role, COALESCE(u.code, ''), s.password_hash,"   \
    " s.disabled, s.created_at FROM users s LEFT JOIN units u ON u.id = s.unit_id"
static const char sql_users[] = USER_SELECT " ORDER BY s.login";
static const char sql_user_get[] = USER_SELECT " WHERE s.login = ?1";
static const char sql_audit_add[] =
    "INSERT INTO audit_log (at, actor, action, entity, detail) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_audits[] =
    "SELECT id, at, actor, action, entity, detail FROM audit_log ORDER BY id DESC"
    " LIMIT CASE WHEN ?1 > 0 THEN ?1 ELSE -1 END";

static int sq_user_put(store *s, const model_user *u, enum store_put_result *result)
{
    sq_store *q = sq(s);
    int rc, existed;
    sqlite3_stmt *st = sq_put_stmt(q, sql_user_has, sql_user_put, u->login, &existed);
    char now[MODEL_TIME_MAX];
    if (!st)
        return ERR_DB;
    sq_now(now, sizeof now);
    sq_bind_text(st, 2, u->display_name);
    sq_bind_text(st, 3, model_roles[u->role].key);
    if ((rc = sq_bind_ref(q, st, 4, sq_sql_unit_id, u->unit_code, "unit")) != 0)
        return rc;
    sq_bind_text(st, 5, u->password_hash);
    sqlite3_bind_int(st, 6, u->disabled ? 1 : 0);
    sq_bind_text(st, 7, u->created_at[0] ? u->created_at : now);
    return sq_run_put(q, st, existed, "save user", result);
}

static void read_user(sqlite3_stmt *st, void *elem)
{
    model_user *u = elem;
    u->id = sqlite3_column_int64(st, 0);
    sq_copy_col(u->login, sizeof u->login, st, 1);
    sq_copy_col(u->display_name, sizeof u->display_name, st, 2);
    u->role = sq_enum_col(st, 3, model_roles, ROLE_N);
    sq_copy_col(u->unit_code, sizeof u->unit_code, st, 4);
    sq_copy_col(u->password_hash, sizeof u->password_hash, st, 5);
    u->disabled = sqlite3_column_int(st, 6);
    sq_copy_col(u->created_at, sizeof u->created_at, st, 7);
}

SQ_LIST_AND_GET(static, sq_users, sq_user, model_user, sql_users, sql_user_get, read_user, "login")

static int sq_audit_add(store *s, const char *actor, const char *action, const char *entity,
                        const char *detail)
{
    sqlite3_stmt *st = sq_stmt(sq(s), sql_audit_add);
    char now[MODEL_TIME_MAX];
    if (!st)
        return ERR_DB;
    sq_write_time(sq(s), now, sizeof now);
    sq_bind_text(st, 1, now);
    sq_bind_text(st, 2, actor);
    sq_bind_text(st, 3, action);
    sq_bind_text(st, 4, entity);
    sq_bind_text(st, 5, detail);
    return sq_run(sq(s), st, "write audit log");
}

static void read_audit(sqlite3_stmt *st, void *elem)
{
    model_audit_entry *a = elem;
    a->id = sqlite3_column_int64(st, 0);
    sq_copy_col(a->at, sizeof a->at, st, 1);
    sq_copy_col(a->actor, sizeof a->actor, st, 2);
    sq_copy_col(a->action, sizeof a->action, st, 3);
    sq_copy_col(a->entity, sizeof a->entity, st, 4);
    sq_copy_col(a->detail, sizeof a->detail, st, 5);
}

static int sq_audits(store *s, int limit, model_audit_entry **out, size_t *n)
{
    sqlite3_stmt *st = sq_stmt(sq(s), sql_audits);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int(st, 1, limit);
    return sq_collect(sq(s), st, sizeof **out, read_audit, (void **)out, n);
}

const struct store_acct_ops sq_acct_ops = {
    .version = STORE_ACCT_OPS_VERSION,
    .user_put = sq_user_put,
    .users = sq_users,
    .user_get = sq_user_get,
    .audit_add = sq_audit_add,
    .audits = sq_audits,
};
