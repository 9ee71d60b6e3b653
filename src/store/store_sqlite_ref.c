/* store_sqlite_ref: the SQLite back end of the reference data (store/ref.h): units, groups,
 * indicators, schemes, periods. */
#include "store/store_sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each upsert updates only a row that differs, so that sqlite3_changes says whether it did. */
static const char sql_unit_put[] =
    "INSERT INTO units AS o (code, name, name_en, kind, parent_id, is_self, sort_order)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (code) DO UPDATE SET"
    " name = excluded.name, name_en = excluded.name_en, kind = excluded.kind,"
    " parent_id = excluded.parent_id, is_self = excluded.is_self,"
    " sort_order = excluded.sort_order WHERE (o.name, o.name_en, o.kind, o.parent_id,"
    " o.is_self, o.sort_order) IS NOT (excluded.name, excluded.name_en, excluded.kind,"
    " excluded.parent_id, excluded.is_self, excluded.sort_order)";
#define UNIT_SELECT                                                                           \
    "SELECT u.id, u.code, u.name, u.name_en, u.kind, COALESCE(p.code, ''), u.is_self,"      \
    " u.sort_order FROM units u LEFT JOIN units p ON p.id = u.parent_id"
static const char sql_units[] = UNIT_SELECT " ORDER BY u.sort_order, u.code";
static const char sql_unit_get[] = UNIT_SELECT " WHERE u.code = ?1";
static const char sql_group_put[] =
    "INSERT INTO groups AS o (code, name, name_en, kind, description)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
    " name_en = excluded.name_en, kind = excluded.kind, description = excluded.description"
    " WHERE (o.name, o.name_en, o.kind, o.description) IS NOT"
    " (excluded.name, excluded.name_en, excluded.kind, excluded.description)";
#define GROUP_SELECT "SELECT id, code, name, name_en, kind, description FROM groups"
static const char sql_groups[] = GROUP_SELECT " ORDER BY id";
static const char sql_group_get[] = GROUP_SELECT " WHERE code = ?1";
static const char sql_members_clear[] = "DELETE FROM group_members WHERE group_id = ?1";
static const char sql_member_add[] =
    "INSERT INTO group_members (group_id, unit_id, sort_order) VALUES (?1, ?2, ?3)";
static const char sql_member_ids[] =
    "SELECT unit_id FROM group_members WHERE group_id = ?1 ORDER BY sort_order";
static const char sql_members[] =
    "SELECT u.id, u.code, u.name, u.name_en, u.kind, COALESCE(p.code, ''), u.is_self,"
    " u.sort_order FROM group_members m JOIN units u ON u.id = m.unit_id"
    " LEFT JOIN units p ON p.id = u.parent_id WHERE m.group_id = ?1 ORDER BY m.sort_order";
static const char sql_indicator_put[] =
    "INSERT INTO indicators AS o (code, name, name_en, measure, definition, source, direction,"
    " value_kind, category, precision, weight, method, lead_unit_id, leader, is_bonus,"
    " is_veto, sort_order) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
    " ?14, ?15, ?16, ?17) ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
    " name_en = excluded.name_en, measure = excluded.measure,"
    " definition = excluded.definition, source = excluded.source,"
    " direction = excluded.direction, value_kind = excluded.value_kind,"
    " category = excluded.category, precision = excluded.precision, weight = excluded.weight,"
    " method = excluded.method, lead_unit_id = excluded.lead_unit_id,"
    " leader = excluded.leader, is_bonus = excluded.is_bonus, is_veto = excluded.is_veto,"
    " sort_order = excluded.sort_order WHERE (o.name, o.name_en, o.measure, o.definition,"
    " o.source, o.direction, o.value_kind, o.category, o.precision, o.weight, o.method,"
    " o.lead_unit_id, o.leader, o.is_bonus, o.is_veto, o.sort_order) IS NOT (excluded.name,"
    " excluded.name_en, excluded.measure, excluded.definition, excluded.source,"
    " excluded.direction, excluded.value_kind, excluded.category, excluded.precision,"
    " excluded.weight, excluded.method, excluded.lead_unit_id, excluded.leader,"
    " excluded.is_bonus, excluded.is_veto, excluded.sort_order)";
static const char sql_coop_clear[] = "DELETE FROM indicator_coop WHERE indicator_id = ?1";
static const char sql_coop_add[] =
    "INSERT INTO indicator_coop (indicator_id, unit_id, sort_order) VALUES (?1, ?2, ?3)";
static const char sql_coop_ids[] =
    "SELECT unit_id FROM indicator_coop WHERE indicator_id = ?1 ORDER BY sort_order";
#define INDICATOR_SELECT                                                                      \
    "SELECT i.id, i.code, i.name, i.name_en, i.measure, i.definition, i.source, i.direction," \
    " i.value_kind, i.category, i.precision, i.weight, i.method, COALESCE(l.code, ''),"      \
    " COALESCE((SELECT group_concat(code, ';') FROM (SELECT u.code FROM indicator_coop c"    \
    " JOIN units u ON u.id = c.unit_id WHERE c.indicator_id = i.id ORDER BY c.sort_order)),"  \
    " ''), i.leader, i.is_bonus, i.is_veto, i.sort_order FROM indicators i"                  \
    " LEFT JOIN units l ON l.id = i.lead_unit_id"
static const char sql_indicators[] = INDICATOR_SELECT " ORDER BY i.sort_order, i.code";
static const char sql_indicator_get[] = INDICATOR_SELECT " WHERE i.code = ?1";
static const char sql_scheme_put[] =
    "INSERT INTO schemes AS o (code, name, name_en, group_id, period_kind, total_weight,"
    " grading, description, settings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    " ON CONFLICT (code) DO UPDATE SET"
    " name = excluded.name, name_en = excluded.name_en, group_id = excluded.group_id,"
    " period_kind = excluded.period_kind, total_weight = excluded.total_weight,"
    " grading = excluded.grading, description = excluded.description,"
    " settings = excluded.settings WHERE (o.name, o.name_en, o.group_id, o.period_kind,"
    " o.total_weight, o.grading, o.description, o.settings) IS NOT (excluded.name,"
    " excluded.name_en, excluded.group_id, excluded.period_kind, excluded.total_weight,"
    " excluded.grading, excluded.description, excluded.settings)";
#define SCHEME_SELECT                                                                         \
    "SELECT s.id, s.code, s.name, s.name_en, g.code, s.period_kind, s.total_weight, s.grading," \
    " s.description, s.settings FROM schemes s JOIN groups g ON g.id = s.group_id"
static const char sql_schemes[] = SCHEME_SELECT " ORDER BY s.id";
static const char sql_scheme_get[] = SCHEME_SELECT " WHERE s.code = ?1";
static const char sql_items_clear[] = "DELETE FROM scheme_items WHERE scheme_id = ?1";
static const char sql_item_add[] =
    "INSERT INTO scheme_items (scheme_id, indicator_id, weight, method, params, sort_order)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_items_count[] = "SELECT count(*) FROM scheme_items WHERE scheme_id = ?1";
static const char sql_item_has[] =
    "SELECT 1 FROM scheme_items WHERE scheme_id = ?1 AND indicator_id = ?2 AND weight = ?3"
    " AND method = ?4 AND params = ?5 AND sort_order = ?6";
static const char sql_items[] =
    "SELECT s.code, i.code, t.weight, t.method, t.params, t.sort_order FROM scheme_items t"
    " JOIN schemes s ON s.id = t.scheme_id JOIN indicators i ON i.id = t.indicator_id"
    " WHERE t.scheme_id = ?1 ORDER BY t.sort_order, i.code";
static const char sql_period_add[] =
    "INSERT INTO periods (code, kind, year, seq) VALUES (?1, ?2, ?3, ?4)";
static const char sql_period_lock[] = "UPDATE periods SET locked = ?2 WHERE id = ?1";
#define PERIOD_SELECT "SELECT id, kind, year, seq, locked, deadline FROM periods"
static const char sql_periods[] = PERIOD_SELECT;
static const char sql_period_get[] = PERIOD_SELECT " WHERE code = ?1";

/* ---- units and groups ---- */

static int sq_unit_put(store *s, const model_unit *u, enum store_put_result *result)
{
    sq_store *q = sq(s);
    int rc, existed;
    sqlite3_stmt *st = sq_put_stmt(q, sq_sql_unit_id, sql_unit_put, u->code, &existed);
    if (!st)
        return ERR_DB;
    sq_bind_text(st, 2, u->name);
    sq_bind_text(st, 3, u->name_en);
    sq_bind_text(st, 4, model_unit_kinds[u->kind].key);
    if ((rc = sq_bind_ref(q, st, 5, sq_sql_unit_id, u->parent_code, "parent unit")) != 0)
        return rc;
    sqlite3_bind_int(st, 6, u->is_self ? 1 : 0);
    sqlite3_bind_int(st, 7, u->sort_order);
    return sq_run_put(q, st, existed, "save unit", result);
}

static void read_unit(sqlite3_stmt *st, void *elem)
{
    model_unit *u = elem;
    u->id = sqlite3_column_int64(st, 0);
    sq_copy_col(u->code, sizeof u->code, st, 1);
    sq_copy_col(u->name, sizeof u->name, st, 2);
    sq_copy_col(u->name_en, sizeof u->name_en, st, 3);
    u->kind = sq_enum_col(st, 4, model_unit_kinds, UNIT_KIND_N);
    sq_copy_col(u->parent_code, sizeof u->parent_code, st, 5);
    u->is_self = sqlite3_column_int(st, 6);
    u->sort_order = sqlite3_column_int(st, 7);
}

SQ_LIST_AND_GET(static, sq_units, sq_unit, model_unit, sql_units, sql_unit_get, read_unit, "unit")

static int sq_group_put(store *s, const model_group *g, enum store_put_result *result)
{
    int existed;
    sqlite3_stmt *st = sq_put_stmt(sq(s), sq_sql_group_id, sql_group_put, g->code, &existed);
    if (!st)
        return ERR_DB;
    sq_bind_text(st, 2, g->name);
    sq_bind_text(st, 3, g->name_en);
    sq_bind_text(st, 4, model_group_kinds[g->kind].key);
    sq_bind_text(st, 5, g->description);
    return sq_run_put(sq(s), st, existed, "save group", result);
}

static void read_id(sqlite3_stmt *st, void *elem)
{
    *(int64_t *)elem = sqlite3_column_int64(st, 0);
}

/* Replaces an owner's ordered list of units (a group's members, an indicator's cooperating
 * units) unless it is already ids[0..n): list_sql reads it, clear_sql empties it, add_sql
 * adds (owner, unit, position). */
static int set_unit_list(sq_store *q, const char *const sql[3], int64_t owner, const int64_t *ids,
                         size_t n, enum store_put_result *result)
{
    sqlite3_stmt *st = sq_stmt(q, sql[0]);
    int64_t *old = NULL;
    size_t nold = 0;
    int rc, same;
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, owner);
    if ((rc = sq_collect(q, st, sizeof *old, read_id, (void **)&old, &nold)) != 0)
        return rc;
    same = nold == n && (n == 0 || memcmp(old, ids, n * sizeof *ids) == 0);
    free(old);
    if (result)
        *result = same ? STORE_UNCHANGED : STORE_CHANGED;
    if (same)
        return 0;
    if (!(st = sq_stmt(q, sql[1])))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, owner);
    if ((rc = sq_run(q, st, "clear list of units")) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (!(st = sq_stmt(q, sql[2])))
            return ERR_DB;
        sqlite3_bind_int64(st, 1, owner);
        sqlite3_bind_int64(st, 2, ids[i]);
        sqlite3_bind_int64(st, 3, (int64_t)i);
        if ((rc = sq_run(q, st, "add to list of units")) != 0)
            return rc;
    }
    return 0;
}

static const char *const members_sql[3] = { sql_member_ids, sql_members_clear, sql_member_add };

static int sq_group_set_members(store *s, const char *group_code,
                                const char (*unit_codes)[MODEL_CODE_MAX], size_t n,
                                enum store_put_result *result)
{
    sq_store *q = sq(s);
    int64_t gid, *ids = malloc((n ? n : 1) * sizeof *ids);
    int rc;
    if (!ids)
        return err_set(ERR_NOMEM, "out of memory");
    rc = sq_lookup_id(q, sq_sql_group_id, group_code, "group", &gid);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = sq_lookup_id(q, sq_sql_unit_id, unit_codes[i], "unit", &ids[i]);
    if (rc == 0)
        rc = set_unit_list(q, members_sql, gid, ids, n, result);
    free(ids);
    return rc;
}

static void read_group(sqlite3_stmt *st, void *elem)
{
    model_group *g = elem;
    g->id = sqlite3_column_int64(st, 0);
    sq_copy_col(g->code, sizeof g->code, st, 1);
    sq_copy_col(g->name, sizeof g->name, st, 2);
    sq_copy_col(g->name_en, sizeof g->name_en, st, 3);
    g->kind = sq_enum_col(st, 4, model_group_kinds, GROUP_KIND_N);
    sq_copy_col(g->description, sizeof g->description, st, 5);
}

SQ_LIST_AND_GET(static, sq_groups, sq_group, model_group, sql_groups, sql_group_get, read_group, "group")

/* Reads every row list_sql finds for the id (at ?1) of the code the lookup sq_sql_*_id
 * resolves: the parts of one owner (a group's members, a scheme's items). */
static int collect_of(sq_store *q, const char *lookup, const char *code, const char *what,
                      const char *list_sql, size_t elem_size, void (*read)(sqlite3_stmt *, void *),
                      void **out, size_t *n)
{
    sqlite3_stmt *st;
    int64_t id;
    int rc;
    if ((rc = sq_lookup_id(q, lookup, code, what, &id)) != 0)
        return rc;
    if (!(st = sq_stmt(q, list_sql)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    return sq_collect(q, st, elem_size, read, out, n);
}

static int sq_group_members(store *s, const char *group_code, model_unit **out, size_t *n)
{
    return collect_of(sq(s), sq_sql_group_id, group_code, "group", sql_members, sizeof **out,
                      read_unit, (void **)out, n);
}

/* ---- indicators and schemes ---- */

static const char *const coop_sql[3] = { sql_coop_ids, sql_coop_clear, sql_coop_add };

/* Replaces the cooperating units of an indicator with the ';'-separated codes. */
static int set_coop_units(sq_store *q, int64_t iid, const char *codes, enum store_put_result *result)
{
    char buf[MODEL_TEXT_MAX], *save = NULL, *code;
    int64_t ids[MODEL_TEXT_MAX / 2];
    size_t n = 0;
    int rc;
    snprintf(buf, sizeof buf, "%s", codes);
    for (code = strtok_r(buf, ";", &save); code; code = strtok_r(NULL, ";", &save)) {
        if ((rc = sq_lookup_id(q, sq_sql_unit_id, code, "cooperating unit", &ids[n++])) != 0)
            return rc;
    }
    return set_unit_list(q, coop_sql, iid, ids, n, result);
}

static int sq_indicator_put(store *s, const model_indicator *ind, enum store_put_result *result)
{
    sq_store *q = sq(s);
    int existed;
    sqlite3_stmt *st = sq_put_stmt(q, sq_sql_indicator_id, sql_indicator_put, ind->code, &existed);
    enum store_put_result row, coop;
    int64_t iid;
    int rc;
    if (!st)
        return ERR_DB;
    sq_bind_text(st, 2, ind->name);
    sq_bind_text(st, 3, ind->name_en);
    sq_bind_text(st, 4, ind->measure);
    sq_bind_text(st, 5, ind->definition);
    sq_bind_text(st, 6, ind->source);
    sq_bind_text(st, 7, model_directions[ind->direction].key);
    sq_bind_text(st, 8, model_value_kinds[ind->value_kind].key);
    sq_bind_text(st, 9, model_categories[ind->category].key);
    sqlite3_bind_int(st, 10, ind->precision);
    sqlite3_bind_double(st, 11, ind->weight);
    sq_bind_text(st, 12, model_methods[ind->method].key);
    if ((rc = sq_bind_ref(q, st, 13, sq_sql_unit_id, ind->lead_unit, "lead unit")) != 0)
        return rc;
    sq_bind_text(st, 14, ind->leader);
    sqlite3_bind_int(st, 15, ind->is_bonus ? 1 : 0);
    sqlite3_bind_int(st, 16, ind->is_veto ? 1 : 0);
    sqlite3_bind_int(st, 17, ind->sort_order);
    if ((rc = sq_run_put(q, st, existed, "save indicator", &row)) != 0 ||
        (rc = sq_lookup_id(q, sq_sql_indicator_id, ind->code, "indicator", &iid)) != 0 ||
        (rc = set_coop_units(q, iid, ind->coop_units, &coop)) != 0)
        return rc;
    if (result)
        *result = store_put_combined(row, coop);
    return 0;
}

static void read_indicator(sqlite3_stmt *st, void *elem)
{
    model_indicator *ind = elem;
    ind->id = sqlite3_column_int64(st, 0);
    sq_copy_col(ind->code, sizeof ind->code, st, 1);
    sq_copy_col(ind->name, sizeof ind->name, st, 2);
    sq_copy_col(ind->name_en, sizeof ind->name_en, st, 3);
    sq_copy_col(ind->measure, sizeof ind->measure, st, 4);
    sq_copy_col(ind->definition, sizeof ind->definition, st, 5);
    sq_copy_col(ind->source, sizeof ind->source, st, 6);
    ind->direction = sq_enum_col(st, 7, model_directions, DIR_N);
    ind->value_kind = sq_enum_col(st, 8, model_value_kinds, VK_N);
    ind->category = sq_enum_col(st, 9, model_categories, CAT_N);
    ind->precision = sqlite3_column_int(st, 10);
    ind->weight = sqlite3_column_double(st, 11);
    ind->method = sq_enum_col(st, 12, model_methods, METHOD_N);
    sq_copy_col(ind->lead_unit, sizeof ind->lead_unit, st, 13);
    sq_copy_col(ind->coop_units, sizeof ind->coop_units, st, 14);
    sq_copy_col(ind->leader, sizeof ind->leader, st, 15);
    ind->is_bonus = sqlite3_column_int(st, 16);
    ind->is_veto = sqlite3_column_int(st, 17);
    ind->sort_order = sqlite3_column_int(st, 18);
}

SQ_LIST_AND_GET(static, sq_indicators, sq_indicator, model_indicator, sql_indicators, sql_indicator_get, read_indicator, "indicator")

static int sq_scheme_put(store *s, const model_scheme *sc, enum store_put_result *result)
{
    sq_store *q = sq(s);
    int rc, existed;
    sqlite3_stmt *st = sq_put_stmt(q, sq_sql_scheme_id, sql_scheme_put, sc->code, &existed);
    if (!st)
        return ERR_DB;
    sq_bind_text(st, 2, sc->name);
    sq_bind_text(st, 3, sc->name_en);
    if ((rc = sq_bind_ref(q, st, 4, sq_sql_group_id, sc->group_code, "group")) != 0)
        return rc;
    sq_bind_text(st, 5, period_kind_name(sc->period_kind));
    sqlite3_bind_double(st, 6, sc->total_weight);
    sq_bind_text(st, 7, sc->grading);
    sq_bind_text(st, 8, sc->description);
    sq_bind_text(st, 9, sc->settings);
    return sq_run_put(q, st, existed, "save scheme", result);
}

/* Binds an item's row (?1 .. ?6): scheme, indicator, weight, method, parameters, order. */
static void bind_item(sqlite3_stmt *st, int64_t sid, int64_t iid, const model_scheme_item *it)
{
    sqlite3_bind_int64(st, 1, sid);
    sqlite3_bind_int64(st, 2, iid);
    sqlite3_bind_double(st, 3, it->weight);
    sq_bind_text(st, 4, model_methods[it->method].key);
    sq_bind_text(st, 5, it->params);
    sqlite3_bind_int(st, 6, it->sort_order);
}

/* Whether the stored items of scheme sid are exactly items (one row per indicator). */
static int items_same(sq_store *q, int64_t sid, const model_scheme_item *items, const int64_t *iids,
                      size_t n, int *same)
{
    sqlite3_stmt *st = sq_stmt(q, sql_items_count);
    int rc;
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, sid);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW)
        return sq_fail(q, "count scheme items");
    *same = sqlite3_column_int64(st, 0) == (int64_t)n;
    sqlite3_reset(st);
    for (size_t i = 0; *same && i < n; i++) {
        if (!(st = sq_stmt(q, sql_item_has)))
            return ERR_DB;
        bind_item(st, sid, iids[i], &items[i]);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return sq_fail(q, "read scheme items");
        *same = rc == SQLITE_ROW;
    }
    return 0;
}

static int sq_scheme_set_items(store *s, const char *scheme_code, const model_scheme_item *items,
                               size_t n, enum store_put_result *result)
{
    sq_store *q = sq(s);
    sqlite3_stmt *st;
    int64_t sid, *iids = malloc((n ? n : 1) * sizeof *iids);
    int rc, same = 0;
    if (!iids)
        return err_set(ERR_NOMEM, "out of memory");
    rc = sq_lookup_id(q, sq_sql_scheme_id, scheme_code, "scheme", &sid);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = sq_lookup_id(q, sq_sql_indicator_id, items[i].indicator_code, "indicator", &iids[i]);
    if (rc != 0 || (rc = items_same(q, sid, items, iids, n, &same)) != 0 || same)
        goto done;
    if (!(st = sq_stmt(q, sql_items_clear))) {
        rc = ERR_DB;
        goto done;
    }
    sqlite3_bind_int64(st, 1, sid);
    rc = sq_run(q, st, "clear scheme items");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!(st = sq_stmt(q, sql_item_add))) {
            rc = ERR_DB;
            break;
        }
        bind_item(st, sid, iids[i], &items[i]);
        rc = sq_run(q, st, "add scheme item");
    }
done:
    free(iids);
    if (rc == 0 && result)
        *result = same ? STORE_UNCHANGED : STORE_CHANGED;
    return rc;
}

static void read_scheme(sqlite3_stmt *st, void *elem)
{
    model_scheme *sc = elem;
    char kind[16];
    sc->id = sqlite3_column_int64(st, 0);
    sq_copy_col(sc->code, sizeof sc->code, st, 1);
    sq_copy_col(sc->name, sizeof sc->name, st, 2);
    sq_copy_col(sc->name_en, sizeof sc->name_en, st, 3);
    sq_copy_col(sc->group_code, sizeof sc->group_code, st, 4);
    sq_copy_col(kind, sizeof kind, st, 5);
    if (period_kind_parse(kind, &sc->period_kind) != 0)
        sc->period_kind = PERIOD_MONTH;
    sc->total_weight = sqlite3_column_double(st, 6);
    sq_copy_col(sc->grading, sizeof sc->grading, st, 7);
    sq_copy_col(sc->description, sizeof sc->description, st, 8);
    sq_copy_col(sc->settings, sizeof sc->settings, st, 9);
}

SQ_LIST_AND_GET(static, sq_schemes, sq_scheme, model_scheme, sql_schemes, sql_scheme_get, read_scheme, "scheme")

static void read_item(sqlite3_stmt *st, void *elem)
{
    model_scheme_item *it = elem;
    sq_copy_col(it->scheme_code, sizeof it->scheme_code, st, 0);
    sq_copy_col(it->indicator_code, sizeof it->indicator_code, st, 1);
    it->weight = sqlite3_column_double(st, 2);
    it->method = sq_enum_col(st, 3, model_methods, METHOD_N);
    sq_copy_col(it->params, sizeof it->params, st, 4);
    it->sort_order = sqlite3_column_int(st, 5);
}

static int sq_scheme_items(store *s, const char *scheme_code, model_scheme_item **out, size_t *n)
{
    return collect_of(sq(s), sq_sql_scheme_id, scheme_code, "scheme", sql_items, sizeof **out,
                      read_item, (void **)out, n);
}

/* ---- periods ---- */

static int sq_period_ensure(store *s, const period_key *key, int64_t *id)
{
    sq_store *q = sq(s);
    char code[PERIOD_CODE_MAX];
    sqlite3_stmt *st;
    int rc;
    period_format(key, code, sizeof code);
    rc = sq_lookup_id(q, sq_sql_period_id, code, "period", id);
    if (rc != ERR_NOTFOUND)
        return rc;
    if (!(st = sq_stmt(q, sql_period_add)))
        return ERR_DB;
    sq_bind_text(st, 1, code);
    sq_bind_text(st, 2, period_kind_name(key->kind));
    sqlite3_bind_int(st, 3, key->year);
    sqlite3_bind_int(st, 4, key->seq);
    if ((rc = sq_run(q, st, "add period")) != 0)
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
    if (!(st = sq_stmt(q, sql_period_lock)))
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, locked ? 1 : 0);
    q->nlocks = 0;
    return sq_run(q, st, "lock period");
}

static void read_period(sqlite3_stmt *st, void *elem)
{
    model_period *p = elem;
    char kind[16];
    p->id = sqlite3_column_int64(st, 0);
    sq_copy_col(kind, sizeof kind, st, 1);
    if (period_kind_parse(kind, &p->key.kind) != 0)
        p->key.kind = PERIOD_MONTH;
    p->key.year = sqlite3_column_int(st, 2);
    p->key.seq = sqlite3_column_int(st, 3);
    p->locked = sqlite3_column_int(st, 4);
    sq_copy_col(p->deadline, sizeof p->deadline, st, 5);
    period_format(&p->key, p->code, sizeof p->code);
}

static int cmp_period(const void *a, const void *b)
{
    long x = period_ordinal(&((const model_period *)a)->key), y = period_ordinal(&((const model_period *)b)->key);
    return (x > y) - (x < y);
}

static int sq_periods(store *s, model_period **out, size_t *n)
{
    sqlite3_stmt *st = sq_stmt(sq(s), sql_periods);
    int rc;
    if (!st)
        return ERR_DB;
    if ((rc = sq_collect(sq(s), st, sizeof **out, read_period, (void **)out, n)) == 0)
        qsort(*out, *n, sizeof **out, cmp_period);
    return rc;
}

static int sq_period_get(store *s, const period_key *key, model_period *out)
{
    char code[PERIOD_CODE_MAX];
    period_format(key, code, sizeof code);
    return sq_get_code(sq(s), sql_period_get, code, read_period, out, sizeof *out, "period");
}

const struct store_ref_ops sq_ref_ops = {
    .version = STORE_REF_OPS_VERSION,
    .unit_put = sq_unit_put,
    .units = sq_units,
    .unit_get = sq_unit_get,
    .group_put = sq_group_put,
    .group_set_members = sq_group_set_members,
    .groups = sq_groups,
    .group_members = sq_group_members,
    .group_get = sq_group_get,
    .indicator_put = sq_indicator_put,
    .indicators = sq_indicators,
    .indicator_get = sq_indicator_get,
    .scheme_put = sq_scheme_put,
    .scheme_set_items = sq_scheme_set_items,
    .schemes = sq_schemes,
    .scheme_items = sq_scheme_items,
    .scheme_get = sq_scheme_get,
    .period_ensure = sq_period_ensure,
    .period_set_locked = sq_period_set_locked,
    .periods = sq_periods,
    .period_get = sq_period_get,
};
