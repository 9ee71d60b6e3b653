/* store_sqlite_race: the SQLite back end of contest categories, contests, judges' scores,
 * results and the red flag's holders (store/race.h). */
#include "store/store_sqlite_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each upsert updates only a row that differs, so that sqlite3_changes says whether it did. */
static const char sql_category_put[] =
    "INSERT INTO contest_categories AS o (code, name, name_en, sort_order)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
    " name_en = excluded.name_en, sort_order = excluded.sort_order"
    " WHERE (o.name, o.name_en, o.sort_order) IS NOT"
    " (excluded.name, excluded.name_en, excluded.sort_order)";
#define CATEGORY_SELECT "SELECT id, code, name, name_en, sort_order FROM contest_categories"
static const char sql_categories[] = CATEGORY_SELECT " ORDER BY sort_order, code";
static const char sql_category_get[] = CATEGORY_SELECT " WHERE code = ?1";
static const char sql_contest_put[] =
    "INSERT INTO contests AS o (code, name, group_id, category_id, period_id, scheme_id,"
    " engine_weight_bp, judge_weight_bp, drop_extremes, points, flag_tie_rule)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (code) DO UPDATE SET"
    " name = excluded.name, group_id = excluded.group_id, category_id = excluded.category_id,"
    " period_id = excluded.period_id, scheme_id = excluded.scheme_id,"
    " engine_weight_bp = excluded.engine_weight_bp, judge_weight_bp = excluded.judge_weight_bp,"
    " drop_extremes = excluded.drop_extremes, points = excluded.points,"
    " flag_tie_rule = excluded.flag_tie_rule WHERE (o.name, o.group_id, o.category_id,"
    " o.period_id, o.scheme_id, o.engine_weight_bp, o.judge_weight_bp, o.drop_extremes,"
    " o.points, o.flag_tie_rule) IS NOT (excluded.name, excluded.group_id,"
    " excluded.category_id, excluded.period_id, excluded.scheme_id, excluded.engine_weight_bp,"
    " excluded.judge_weight_bp, excluded.drop_extremes, excluded.points,"
    " excluded.flag_tie_rule)";
#define CONTEST_SELECT                                                                        \
    "SELECT c.id, c.code, c.name, g.code, k.code, p.code, COALESCE(s.code, ''),"            \
    " c.engine_weight_bp, c.judge_weight_bp, c.drop_extremes, c.points, c.flag_tie_rule"    \
    " FROM contests c JOIN groups g ON g.id = c.group_id"                                   \
    " JOIN contest_categories k ON k.id = c.category_id JOIN periods p ON p.id = c.period_id" \
    " LEFT JOIN schemes s ON s.id = c.scheme_id"
static const char sql_contests[] =
    CONTEST_SELECT " WHERE ?1 = '' OR p.code = ?1"
    " ORDER BY saima_period_ordinal(p.kind, p.year, p.seq), c.code";
static const char sql_contest_get[] = CONTEST_SELECT " WHERE c.code = ?1";
static const char sql_judge_has[] =
    "SELECT 1 FROM judge_scores WHERE contest_id = ?1 AND unit_id = ?2 AND judge = ?3";
static const char sql_judge_put[] =
    "INSERT INTO judge_scores AS o (contest_id, unit_id, judge, score) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (contest_id, unit_id, judge) DO UPDATE SET score = excluded.score"
    " WHERE o.score IS NOT excluded.score";
static const char sql_judge_scores[] =
    "SELECT c.code, u.code, j.judge, j.score FROM judge_scores j"
    " JOIN contests c ON c.id = j.contest_id JOIN units u ON u.id = j.unit_id"
    " WHERE j.contest_id = ?1 ORDER BY u.sort_order, u.code, j.judge";
static const char sql_result_add[] =
    "INSERT INTO contest_results (contest_id, unit_id, engine_score, judge_score, score,"
    " has_engine, has_judges, rank, points, run_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char sql_results_clear[] =
    "DELETE FROM contest_results WHERE contest_id = ?1";
static const char sql_results[] =
    "SELECT c.code, u.code, r.engine_score, r.judge_score, r.score, r.has_engine,"
    " r.has_judges, r.rank, r.points, r.run_at FROM contest_results r"
    " JOIN contests c ON c.id = r.contest_id JOIN units u ON u.id = r.unit_id"
    " WHERE r.contest_id = ?1 ORDER BY r.rank <= 0, r.rank, u.sort_order, u.code";
static const char sql_holder_add[] =
    "INSERT INTO flag_holders (group_id, period_id, unit_id, decided_at)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char sql_holders_clear[] =
    "DELETE FROM flag_holders WHERE group_id = ?1 AND period_id = ?2";
static const char sql_holders[] =
    "SELECT g.code, p.code, u.code, f.decided_at FROM flag_holders f"
    " JOIN groups g ON g.id = f.group_id JOIN periods p ON p.id = f.period_id"
    " JOIN units u ON u.id = f.unit_id WHERE ?1 IS NULL OR f.group_id = ?1"
    " ORDER BY saima_period_ordinal(p.kind, p.year, p.seq), g.code, u.sort_order, u.code";

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
    return store_period_ensure(&q->base, &key, id);
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
        if ((rc = sq_require_id(q, sq_sql_unit_id, code, "unit", owner, &(*ids)[i])) != 0) {
            free(*ids);
            *ids = NULL;
            return rc;
        }
    }
    return 0;
}

static int sq_category_put(store *s, const model_contest_category *c, enum store_put_result *result)
{
    int existed;
    sqlite3_stmt *st = sq_put_stmt(sq(s), sq_sql_category_id, sql_category_put, c->code, &existed);
    if (!st)
        return ERR_DB;
    sq_bind_text(st, 2, c->name);
    sq_bind_text(st, 3, c->name_en);
    sqlite3_bind_int(st, 4, c->sort_order);
    return sq_run_put(sq(s), st, existed, "save contest category", result);
}

static void read_category(sqlite3_stmt *st, void *elem)
{
    model_contest_category *c = elem;
    c->id = sqlite3_column_int64(st, 0);
    sq_copy_col(c->code, sizeof c->code, st, 1);
    sq_copy_col(c->name, sizeof c->name, st, 2);
    sq_copy_col(c->name_en, sizeof c->name_en, st, 3);
    c->sort_order = sqlite3_column_int(st, 4);
}

SQ_LIST_AND_GET(static, sq_categories, sq_category, model_contest_category, sql_categories, sql_category_get, read_category, "contest category")

/* Every reference is resolved before the period row is ensured, so an unknown code leaves
 * no trace; the weights are the database's to check (contest_weights_add_up). */
static int sq_contest_put(store *s, const model_contest *c, enum store_put_result *result)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t gid, kid, pid, sid = 0;
    char owner[MODEL_CODE_MAX + 16];
    int rc, existed = sq_exists(q, sq_sql_contest_id, c->code);
    if (existed < 0)
        return ERR_DB;
    snprintf(owner, sizeof owner, "contest '%s'", c->code);
    if ((rc = sq_check_enum(c->flag_tie_rule, FLAG_TIE_N, "flag tie rule", owner)) != 0 ||
        (rc = sq_require_id(q, sq_sql_group_id, c->group_code, "group", owner, &gid)) != 0 ||
        (rc = sq_require_id(q, sq_sql_category_id, c->category_code, "category", owner, &kid)) != 0)
        return rc;
    if (c->scheme_code[0] && (rc = sq_lookup_id(q, sq_sql_scheme_id, c->scheme_code, "scheme", &sid)) != 0)
        return rc;
    if ((rc = ensure_period_code(q, c->period_code, owner, &pid)) != 0)
        return rc;
    if (!(st = sq_stmt(q, sql_contest_put)))
        return ERR_DB;
    sq_bind_text(st, 1, c->code);
    sq_bind_text(st, 2, c->name);
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
    sq_bind_text(st, 10, c->points);
    sq_bind_text(st, 11, model_flag_tie_rules[c->flag_tie_rule].key);
    return sq_run_put(q, st, existed, "save contest", result);
}

static void read_contest(sqlite3_stmt *st, void *elem)
{
    model_contest *c = elem;
    c->id = sqlite3_column_int64(st, 0);
    sq_copy_col(c->code, sizeof c->code, st, 1);
    sq_copy_col(c->name, sizeof c->name, st, 2);
    sq_copy_col(c->group_code, sizeof c->group_code, st, 3);
    sq_copy_col(c->category_code, sizeof c->category_code, st, 4);
    sq_copy_col(c->period_code, sizeof c->period_code, st, 5);
    sq_copy_col(c->scheme_code, sizeof c->scheme_code, st, 6);
    c->engine_weight_bp = sqlite3_column_int(st, 7);
    c->judge_weight_bp = sqlite3_column_int(st, 8);
    c->drop_extremes = sqlite3_column_int(st, 9);
    sq_copy_col(c->points, sizeof c->points, st, 10);
    c->flag_tie_rule = sq_enum_col(st, 11, model_flag_tie_rules, FLAG_TIE_N);
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
    if (!(st = sq_stmt(q, sql_contests)))
        return ERR_DB;
    sq_bind_text(st, 1, code);
    return sq_collect(q, st, sizeof **out, read_contest, (void **)out, n);
}

/* Binds a judge's score's key (?1 .. ?3): contest, unit, judge. */
static void bind_judge_key(sqlite3_stmt *st, int64_t cid, int64_t uid, const char *judge)
{
    sqlite3_bind_int64(st, 1, cid);
    sqlite3_bind_int64(st, 2, uid);
    sq_bind_text(st, 3, judge);
}

static int sq_judge_score_put(store *s, const model_judge_score *j, enum store_put_result *result)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t cid, uid;
    char owner[MODEL_CODE_MAX + 32];
    int rc, existed;
    snprintf(owner, sizeof owner, "judge score of contest '%s'", j->contest_code);
    if ((rc = sq_require_id(q, sq_sql_contest_id, j->contest_code, "contest", owner, &cid)) != 0 ||
        (rc = sq_require_id(q, sq_sql_unit_id, j->unit_code, "unit", owner, &uid)) != 0)
        return rc;
    if (j->judge[0] == '\0')
        return err_set(ERR_DATA, "%s: no judge", owner);
    if (!isfinite(j->score))
        return err_set(ERR_DATA, "%s: the score is not a number", owner);
    if (!(st = sq_stmt(q, sql_judge_has)))
        return ERR_DB;
    bind_judge_key(st, cid, uid, j->judge);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(q, "read judge score");
    existed = rc == SQLITE_ROW;
    if (!(st = sq_stmt(q, sql_judge_put)))
        return ERR_DB;
    bind_judge_key(st, cid, uid, j->judge);
    sqlite3_bind_double(st, 4, j->score);
    return sq_run_put(q, st, existed, "save judge score", result);
}

static void read_judge_score(sqlite3_stmt *st, void *elem)
{
    model_judge_score *j = elem;
    sq_copy_col(j->contest_code, sizeof j->contest_code, st, 0);
    sq_copy_col(j->unit_code, sizeof j->unit_code, st, 1);
    sq_copy_col(j->judge, sizeof j->judge, st, 2);
    j->score = sqlite3_column_double(st, 3);
}

static int sq_judge_scores(store *s, const char *contest_code, model_judge_score **out, size_t *n)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t cid;
    int rc;
    if ((rc = sq_require_id(q, sq_sql_contest_id, contest_code, "contest", "judge scores", &cid)) != 0)
        return rc;
    if (!(st = sq_stmt(q, sql_judge_scores)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, cid);
    return sq_collect(q, st, sizeof **out, read_judge_score, (void **)out, n);
}

static int add_result(sq_store *q, int64_t cid, int64_t uid, const model_contest_result *r,
                      const char *now)
{
    sqlite3_stmt *st = sq_stmt(q, sql_result_add);
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
    sq_bind_text(st, 10, now);
    return sq_run(q, st, "save contest result");
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
    if ((rc = sq_require_id(q, sq_sql_contest_id, contest_code, "contest", owner, &cid)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (r[i].contest_code[0] && strcmp(r[i].contest_code, contest_code) != 0)
            return err_set(ERR_DATA, "%s: row %zu is of contest '%s'", owner, i + 1,
                           r[i].contest_code);
    }
    if ((rc = resolve_units(q, n ? r[0].unit_code : NULL, sizeof *r, n, owner, &uids)) != 0)
        return rc;
    if (!(st = sq_stmt(q, sql_results_clear))) {
        rc = ERR_DB;
        goto done;
    }
    sqlite3_bind_int64(st, 1, cid);
    if ((rc = sq_run(q, st, "clear contest results")) != 0)
        goto done;
    sq_write_time(q, now, sizeof now);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = add_result(q, cid, uids[i], &r[i], now);
done:
    free(uids);
    return rc;
}

static void read_result(sqlite3_stmt *st, void *elem)
{
    model_contest_result *r = elem;
    sq_copy_col(r->contest_code, sizeof r->contest_code, st, 0);
    sq_copy_col(r->unit_code, sizeof r->unit_code, st, 1);
    r->engine_score = sqlite3_column_double(st, 2);
    r->judge_score = sqlite3_column_double(st, 3);
    r->score = sqlite3_column_double(st, 4);
    r->has_engine = sqlite3_column_int(st, 5);
    r->has_judges = sqlite3_column_int(st, 6);
    r->rank = sqlite3_column_int(st, 7);
    r->points = sqlite3_column_int64(st, 8);
    sq_copy_col(r->run_at, sizeof r->run_at, st, 9);
}

static int sq_contest_results(store *s, const char *contest_code, model_contest_result **out, size_t *n)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t cid;
    int rc;
    if ((rc = sq_require_id(q, sq_sql_contest_id, contest_code, "contest", "contest results", &cid)) != 0)
        return rc;
    if (!(st = sq_stmt(q, sql_results)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, cid);
    return sq_collect(q, st, sizeof **out, read_result, (void **)out, n);
}

static int add_holder(sq_store *q, int64_t gid, int64_t pid, int64_t uid, const char *now)
{
    sqlite3_stmt *st = sq_stmt(q, sql_holder_add);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, gid);
    sqlite3_bind_int64(st, 2, pid);
    sqlite3_bind_int64(st, 3, uid);
    sq_bind_text(st, 4, now);
    return sq_run(q, st, "save flag holder");
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
    if ((rc = sq_require_id(q, sq_sql_group_id, group_code, "group", owner, &gid)) != 0)
        return rc;
    if ((rc = resolve_units(q, n ? unit_codes[0] : NULL, sizeof unit_codes[0], n, owner, &uids)) != 0)
        return rc;
    if ((rc = ensure_period_code(q, period_code, owner, &pid)) != 0)
        goto done;
    if (!(st = sq_stmt(q, sql_holders_clear))) {
        rc = ERR_DB;
        goto done;
    }
    sqlite3_bind_int64(st, 1, gid);
    sqlite3_bind_int64(st, 2, pid);
    if ((rc = sq_run(q, st, "clear flag holders")) != 0)
        goto done;
    sq_write_time(q, now, sizeof now);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = add_holder(q, gid, pid, uids[i], now);
done:
    free(uids);
    return rc;
}

static void read_holder(sqlite3_stmt *st, void *elem)
{
    model_flag_holder *h = elem;
    sq_copy_col(h->group_code, sizeof h->group_code, st, 0);
    sq_copy_col(h->period_code, sizeof h->period_code, st, 1);
    sq_copy_col(h->unit_code, sizeof h->unit_code, st, 2);
    sq_copy_col(h->decided_at, sizeof h->decided_at, st, 3);
}

static int sq_flags_held(store *s, const char *group_code, model_flag_holder **out, size_t *n)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t gid = 0;
    int rc, all = !group_code || group_code[0] == '\0';
    if (!all && (rc = sq_lookup_id(q, sq_sql_group_id, group_code, "group", &gid)) != 0)
        return rc;
    if (!(st = sq_stmt(q, sql_holders)))
        return ERR_DB;
    if (!all)
        sqlite3_bind_int64(st, 1, gid); /* left NULL: every group */
    return sq_collect(q, st, sizeof **out, read_holder, (void **)out, n);
}

static int sq_contest_get(store *s, const char *code, model_contest *out)
{
    return sq_get_code(sq(s), sql_contest_get, code, read_contest, out, sizeof *out, "contest");
}

const struct store_race_ops sq_race_ops = {
    .version = STORE_RACE_OPS_VERSION,
    .category_put = sq_category_put,
    .categories = sq_categories,
    .category_get = sq_category_get,
    .contest_put = sq_contest_put,
    .contests = sq_contests,
    .contest_get = sq_contest_get,
    .judge_score_put = sq_judge_score_put,
    .judge_scores = sq_judge_scores,
    .contest_results_set = sq_contest_results_set,
    .contest_results = sq_contest_results,
    .flag_set = sq_flag_set,
    .flags_held = sq_flags_held,
    .event_add = sq_event_add,
    .event_revoke = sq_event_revoke,
    .events = sq_events,
    .event_get = sq_event_get,
    .event_cap_put = sq_event_cap_put,
    .event_caps = sq_event_caps,
    .award_put = sq_award_put,
    .awards = sq_awards,
    .award_get = sq_award_get,
};
