/* store_sqlite_event: the SQLite back end of the race's events, their caps and the named
 * awards (store/race.h; the table is assembled in store_sqlite_race.c). */
#include "store/store_sqlite_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_event_add[] =
    "INSERT INTO events (date, unit_id, kind, category, points, evidence, entered_by,"
    " approved_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char sql_event_revoked[] =
    "SELECT revoked FROM events WHERE id = ?1";
static const char sql_event_revoke[] =
    "UPDATE events SET revoked = 1, revoked_reason = ?2, revoked_by = ?3,"
    " revoked_at = ?4 WHERE id = ?1 AND revoked = 0";
#define EVENT_SELECT                                                                          \
    "SELECT e.id, e.date, u.code, e.kind, e.category, e.points, e.evidence, e.entered_by,"   \
    " e.approved_by, e.revoked, e.revoked_reason, e.revoked_by, e.revoked_at, e.created_at"  \
    " FROM events e JOIN units u ON u.id = e.unit_id"
static const char sql_events[] =
    EVENT_SELECT " WHERE e.date >= ?1 AND e.date < ?2 ORDER BY e.date, e.id";
static const char sql_event_get[] = EVENT_SELECT " WHERE e.id = ?1";
static const char sql_cap_has[] = "SELECT 1 FROM event_caps WHERE category = ?1 AND year = ?2";
/* The upserts update only a row that differs, so that sqlite3_changes says whether it did. */
static const char sql_cap_put[] =
    "INSERT INTO event_caps AS o (category, year, max_bonus, max_deduction)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (category, year) DO UPDATE SET"
    " max_bonus = excluded.max_bonus, max_deduction = excluded.max_deduction"
    " WHERE (o.max_bonus, o.max_deduction) IS NOT (excluded.max_bonus, excluded.max_deduction)";
static const char sql_caps[] =
    "SELECT category, year, max_bonus, max_deduction FROM event_caps"
    " WHERE ?1 = 0 OR year = ?1 ORDER BY year, category";
static const char sql_award_put[] =
    "INSERT INTO awards AS o (code, name, name_en, worst, source, source_code, group_id, rule)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (code) DO UPDATE SET"
    " name = excluded.name, name_en = excluded.name_en, worst = excluded.worst,"
    " source = excluded.source, source_code = excluded.source_code,"
    " group_id = excluded.group_id, rule = excluded.rule WHERE (o.name, o.name_en, o.worst,"
    " o.source, o.source_code, o.group_id, o.rule) IS NOT (excluded.name, excluded.name_en,"
    " excluded.worst, excluded.source, excluded.source_code, excluded.group_id, excluded.rule)";
#define AWARD_SELECT                                                                          \
    "SELECT a.id, a.code, a.name, a.name_en, a.worst, a.source, a.source_code, g.code,"      \
    " a.rule FROM awards a JOIN groups g ON g.id = a.group_id"
static const char sql_awards[] = AWARD_SELECT " ORDER BY a.id";
static const char sql_award_get[] = AWARD_SELECT " WHERE a.code = ?1";
static const char sql_award_has[] = "SELECT 1 FROM awards WHERE code = ?1";

/* ---- the race: events, caps, awards ---- */

/* A new event is recorded as it happened: revocation is its own, later, step. */
int sq_event_add(store *s, const model_event *e, int64_t *id)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    char now[MODEL_TIME_MAX], owner[MODEL_CODE_MAX + 48], detail[128];
    int64_t uid;
    int rc, year, month, day;
    snprintf(owner, sizeof owner, "event of unit '%s' on %.15s", e->unit_code, e->date);
    if ((rc = sq_check_enum(e->kind, EVENT_KIND_N, "event kind", owner)) != 0)
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
    if ((rc = sq_require_id(q, sq_sql_unit_id, e->unit_code, "unit", owner, &uid)) != 0)
        return rc;
    if (!(st = sq_stmt(q, sql_event_add)))
        return ERR_DB;
    sq_write_time(q, now, sizeof now);
    sq_bind_text(st, 1, e->date);
    sqlite3_bind_int64(st, 2, uid);
    sq_bind_text(st, 3, model_event_kinds[e->kind].key);
    sq_bind_text(st, 4, e->category);
    sqlite3_bind_double(st, 5, e->points);
    sq_bind_text(st, 6, e->evidence);
    sq_bind_text(st, 7, e->entered_by);
    sq_bind_text(st, 8, e->approved_by);
    sq_bind_text(st, 9, now);
    if ((rc = sq_run(q, st, "save event")) != 0)
        return rc;
    if (id)
        *id = sqlite3_last_insert_rowid(q->db);
    return 0;
}


int sq_event_revoke(store *s, int64_t id, const char *reason, const char *by)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    char now[MODEL_TIME_MAX];
    int rc, revoked;
    if (!sq_has_text(reason))
        return err_set(ERR_DATA, "event %lld: a revocation needs a reason", (long long)id);
    if (!sq_has_text(by))
        return err_set(ERR_DATA, "event %lld: a revocation needs who revokes it", (long long)id);
    if (!(st = sq_stmt(q, sql_event_revoked)))
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
    if (!(st = sq_stmt(q, sql_event_revoke)))
        return ERR_DB;
    sq_write_time(q, now, sizeof now);
    sqlite3_bind_int64(st, 1, id);
    sq_bind_text(st, 2, reason);
    sq_bind_text(st, 3, by);
    sq_bind_text(st, 4, now);
    if ((rc = sq_run(q, st, "revoke event")) != 0)
        return rc;
    return sqlite3_changes(q->db) == 1
               ? 0
               : err_set(ERR_CONFLICT, "event %lld is already revoked", (long long)id);
}

static void read_event(sqlite3_stmt *st, void *elem)
{
    model_event *e = elem;
    e->id = sqlite3_column_int64(st, 0);
    sq_copy_col(e->date, sizeof e->date, st, 1);
    sq_copy_col(e->unit_code, sizeof e->unit_code, st, 2);
    e->kind = sq_enum_col(st, 3, model_event_kinds, EVENT_KIND_N);
    sq_copy_col(e->category, sizeof e->category, st, 4);
    e->points = sqlite3_column_double(st, 5);
    sq_copy_col(e->evidence, sizeof e->evidence, st, 6);
    sq_copy_col(e->entered_by, sizeof e->entered_by, st, 7);
    sq_copy_col(e->approved_by, sizeof e->approved_by, st, 8);
    e->revoked = sqlite3_column_int(st, 9);
    sq_copy_col(e->revoked_reason, sizeof e->revoked_reason, st, 10);
    sq_copy_col(e->revoked_by, sizeof e->revoked_by, st, 11);
    sq_copy_col(e->revoked_at, sizeof e->revoked_at, st, 12);
    sq_copy_col(e->created_at, sizeof e->created_at, st, 13);
}

/* A year is a range of dates, so the index on date serves it; every date is digits and
 * dashes, so "" and "~" bound them all. */
int sq_events(store *s, int year, model_event **out, size_t *n)
{
    sqlite3_stmt *st = sq_stmt(sq(s), sql_events);
    char from[24] = "", to[24] = "~";
    if (!st)
        return ERR_DB;
    if (year) {
        snprintf(from, sizeof from, "%04d-01-01", year);
        snprintf(to, sizeof to, "%04d-01-01", year + 1);
    }
    sq_bind_text(st, 1, from);
    sq_bind_text(st, 2, to);
    return sq_collect(sq(s), st, sizeof **out, read_event, (void **)out, n);
}

int sq_event_cap_put(store *s, const model_event_cap *c, enum store_put_result *result)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int rc;
    if (c->category[0] == '\0')
        return err_set(ERR_DATA, "event cap of %d: no category", c->year);
    if (!(st = sq_stmt(q, sql_cap_has)))
        return ERR_DB;
    sq_bind_text(st, 1, c->category);
    sqlite3_bind_int(st, 2, c->year);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(q, "read event cap");
    if (!(st = sq_stmt(q, sql_cap_put)))
        return ERR_DB;
    sq_bind_text(st, 1, c->category);
    sqlite3_bind_int(st, 2, c->year);
    sqlite3_bind_double(st, 3, c->max_bonus);
    sqlite3_bind_double(st, 4, c->max_deduction);
    return sq_run_put(q, st, rc == SQLITE_ROW, "save event cap", result);
}

static void read_cap(sqlite3_stmt *st, void *elem)
{
    model_event_cap *c = elem;
    sq_copy_col(c->category, sizeof c->category, st, 0);
    c->year = sqlite3_column_int(st, 1);
    c->max_bonus = sqlite3_column_double(st, 2);
    c->max_deduction = sqlite3_column_double(st, 3);
}

int sq_event_caps(store *s, int year, model_event_cap **out, size_t *n)
{
    sqlite3_stmt *st = sq_stmt(sq(s), sql_caps);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int(st, 1, year);
    return sq_collect(sq(s), st, sizeof **out, read_cap, (void **)out, n);
}

/* The source code must name an existing contest category or indicator; it is kept as
 * written, the code being the stable name of either. */
int sq_award_put(store *s, const model_award *a, enum store_put_result *result)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    char owner[MODEL_CODE_MAX + 16];
    int64_t gid, sid;
    int rc, existed = sq_exists(q, sql_award_has, a->code);
    if (existed < 0)
        return ERR_DB;
    snprintf(owner, sizeof owner, "award '%s'", a->code);
    if (strcmp(a->source, "contest") == 0)
        rc = sq_require_id(q, sq_sql_category_id, a->source_code, "contest category", owner, &sid);
    else if (strcmp(a->source, "indicator") == 0)
        rc = sq_require_id(q, sq_sql_indicator_id, a->source_code, "indicator", owner, &sid);
    else
        rc = err_set(ERR_DATA, "%s: unknown source '%s' (contest or indicator)", owner, a->source);
    if (rc != 0 || (rc = sq_require_id(q, sq_sql_group_id, a->group_code, "group", owner, &gid)) != 0)
        return rc;
    if (!(st = sq_stmt(q, sql_award_put)))
        return ERR_DB;
    sq_bind_text(st, 1, a->code);
    sq_bind_text(st, 2, a->name);
    sq_bind_text(st, 3, a->name_en);
    sqlite3_bind_int(st, 4, a->worst ? 1 : 0);
    sq_bind_text(st, 5, a->source);
    sq_bind_text(st, 6, a->source_code);
    sqlite3_bind_int64(st, 7, gid);
    sq_bind_text(st, 8, a->rule);
    return sq_run_put(q, st, existed, "save award", result);
}

static void read_award(sqlite3_stmt *st, void *elem)
{
    model_award *a = elem;
    a->id = sqlite3_column_int64(st, 0);
    sq_copy_col(a->code, sizeof a->code, st, 1);
    sq_copy_col(a->name, sizeof a->name, st, 2);
    sq_copy_col(a->name_en, sizeof a->name_en, st, 3);
    a->worst = sqlite3_column_int(st, 4);
    sq_copy_col(a->source, sizeof a->source, st, 5);
    sq_copy_col(a->source_code, sizeof a->source_code, st, 6);
    sq_copy_col(a->group_code, sizeof a->group_code, st, 7);
    sq_copy_col(a->rule, sizeof a->rule, st, 8);
}

SQ_LIST_AND_GET(, sq_awards, sq_award, model_award, sql_awards, sql_award_get, read_award, "award")

int sq_event_get(store *s, int64_t id, model_event *out)
{
    sqlite3_stmt *st = sq_stmt(sq(s), sql_event_get);
    char key[24];
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    snprintf(key, sizeof key, "%lld", (long long)id);
    return sq_get_one(sq(s), st, read_event, out, sizeof *out, "event", key);
}
