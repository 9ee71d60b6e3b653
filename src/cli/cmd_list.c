/* cmd_list: `saima list WHAT` and `saima show WHAT CODE...` — every entity as a table or JSON.
 * Rows are built once as JSON objects; the table view prints the same objects by column. */
#include "cli/cli.h"
#include "io/json.h"
#include "util/err.h"
#include "util/num.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

const cli_opt cmd_list_opts[] = {
    { "--indicator", "CODE", "observations/targets: only this indicator" },
    { "--unit", "CODE", "observations: only this unit" },
    { "--period", "PERIOD", "observations: only this period (e.g. 2025-09)" },
    { "--year", "YEAR", "observations/targets: only this year" },
    { "--all", NULL, "flags: include reviewed flags, not only open ones" },
    { "--limit", "N", "print at most N rows (default: all; audit: 50)" },
    { NULL, NULL, NULL },
};

const cli_opt cmd_show_opts[] = { { NULL, NULL, NULL } };

/* Appends each of n elements of an array of elem_size bytes, converted by fn, to arr. */
static int append_all(json_t *arr, const void *items, size_t n, size_t elem_size,
                      json_t *(*fn)(const void *), size_t limit)
{
    for (size_t i = 0; i < n && (limit == 0 || i < limit); i++) {
        if (json_array_append_new(arr, fn((const char *)items + i * elem_size)) != 0)
            return err_set(ERR_NOMEM, "out of memory building output");
    }
    return 0;
}

/* Adapters so one append_all serves every entity. */
static json_t *unit_any(const void *p) { return io_json_unit(p); }
static json_t *group_any(const void *p) { return io_json_group(p); }
static json_t *indicator_any(const void *p) { return io_json_indicator(p); }
static json_t *scheme_any(const void *p) { return io_json_scheme(p); }
static json_t *item_any(const void *p) { return io_json_scheme_item(p); }
static json_t *period_any(const void *p) { return io_json_period(p); }
static json_t *target_any(const void *p) { return io_json_target(p); }
static json_t *obs_any(const void *p) { return io_json_observation(p); }
static json_t *flag_any(const void *p) { return io_json_flag(p); }
static json_t *user_any(const void *p) { return io_json_user(p); }
static json_t *audit_any(const void *p) { return io_json_audit(p); }

static const cli_column unit_cols[] = {
    CLI_COL("code", "代码", "code", 0),
    CLI_COL("name", "名称", "name", 0),
    CLI_ENUM_COL("kind", "类型", "kind", model_unit_kinds, UNIT_KIND_N),
    CLI_COL("parent", "上级", "parent", 0),
    CLI_COL("is_self", "本区", "ours", 0),
};
static const cli_column group_cols[] = {
    CLI_COL("code", "代码", "code", 0),
    CLI_COL("name", "名称", "name", 0),
    CLI_ENUM_COL("kind", "类型", "kind", model_group_kinds, GROUP_KIND_N),
    CLI_COL("description", "说明", "description", 0),
};
static const cli_column indicator_cols[] = {
    CLI_COL("code", "代码", "code", 0),
    CLI_COL("name", "指标", "indicator", 0),
    CLI_COL("measure", "计量单位", "measure", 0),
    CLI_ENUM_COL("direction", "方向", "direction", model_directions, DIR_N),
    CLI_ENUM_COL("value_kind", "数值类型", "kind", model_value_kinds, VK_N),
    CLI_COL("weight", "分值", "weight", 1),
    CLI_COL("lead_unit", "牵头单位", "lead unit", 0),
};
static const cli_column scheme_cols[] = {
    CLI_COL("code", "代码", "code", 0),
    CLI_COL("name", "方案", "scheme", 0),
    CLI_COL("group", "分组", "group", 0),
    CLI_COL("period_kind", "周期", "period", 0),
    CLI_COL("total_weight", "总分值", "total", 1),
};
static const cli_column item_cols[] = {
    CLI_COL("indicator", "指标", "indicator", 0),
    CLI_COL("weight", "分值", "weight", 1),
    CLI_ENUM_COL("method", "赋分方法", "method", model_methods, METHOD_N),
    CLI_COL("params", "参数", "parameters", 0),
};
static const cli_column period_cols[] = {
    CLI_COL("code", "期间", "period", 0),
    CLI_COL("kind", "类型", "kind", 0),
    CLI_COL("locked", "锁定", "locked", 0),
    CLI_COL("deadline", "报送截止", "deadline", 0),
};
static const cli_column target_cols[] = {
    CLI_COL("indicator", "指标", "indicator", 0),
    CLI_COL("unit", "单位", "unit", 0),
    CLI_COL("year", "年度", "year", 1),
    CLI_COL("value", "目标值", "target", 1),
    CLI_COL("note", "备注", "note", 0),
};
static const cli_column obs_cols[] = {
    CLI_COL("indicator", "指标", "indicator", 0),
    CLI_COL("unit", "单位", "unit", 0),
    CLI_COL("period", "期间", "period", 0),
    CLI_COL("value", "数值", "value", 1),
    CLI_ENUM_COL("state", "状态", "state", model_obs_states, OBS_STATE_N),
    CLI_COL("revision", "版本", "rev", 1),
};
static const cli_column history_cols[] = {
    CLI_COL("revision", "版本", "rev", 1),
    CLI_COL("value", "数值", "value", 1),
    CLI_ENUM_COL("state", "状态", "state", model_obs_states, OBS_STATE_N),
    CLI_COL("entered_by", "录入人", "entered by", 0),
    CLI_COL("entered_at", "录入时间", "entered at", 0),
    CLI_COL("note", "备注", "note", 0),
};
static const cli_column flag_cols[] = {
    CLI_COL("id", "编号", "id", 1),
    CLI_COL("indicator", "指标", "indicator", 0),
    CLI_COL("unit", "单位", "unit", 0),
    CLI_COL("period", "期间", "period", 0),
    CLI_COL("rule", "规则", "rule", 0),
    CLI_COL("message", "说明", "message", 0),
    CLI_COL("status", "状态", "status", 0),
};
static const cli_column user_cols[] = {
    CLI_COL("login", "账号", "login", 0),
    CLI_COL("name", "姓名", "name", 0),
    CLI_ENUM_COL("role", "角色", "role", model_roles, ROLE_N),
    CLI_COL("unit", "单位", "unit", 0),
    CLI_COL("disabled", "停用", "disabled", 0),
};
static const cli_column audit_cols[] = {
    CLI_COL("at", "时间", "at", 0),
    CLI_COL("actor", "操作人", "actor", 0),
    CLI_COL("action", "操作", "action", 0),
    CLI_COL("entity", "对象", "entity", 0),
    CLI_COL("detail", "详情", "detail", 0),
};

/* ---- list ---- */

struct obs_collect {
    json_t *rows;
    size_t limit;
};

static int collect_obs(const model_observation *o, void *ctx)
{
    struct obs_collect *c = ctx;
    if (c->limit && json_array_size(c->rows) >= c->limit)
        return 1;
    return json_array_append_new(c->rows, io_json_observation(o)) == 0 ? 0 : err_set(ERR_NOMEM, "out of memory");
}

static int list_observations(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, store *s,
                             size_t limit)
{
    obs_filter f = store_filter_all();
    const char *v;
    struct obs_collect c = { json_array(), limit };
    long year;
    int rc;
    if ((v = cli_opt_value(cmd, args, "--indicator")))
        snprintf(f.indicator_code, sizeof f.indicator_code, "%s", v);
    if ((v = cli_opt_value(cmd, args, "--unit")))
        snprintf(f.unit_code, sizeof f.unit_code, "%s", v);
    if ((v = cli_opt_value(cmd, args, "--period"))) {
        period_key key;
        if (period_parse(v, &key) != 0)
            return cli_usage_error(cmd, "--period: %s", err_msg());
        period_format(&key, f.period_code, sizeof f.period_code);
    }
    if ((v = cli_opt_value(cmd, args, "--year"))) {
        if (num_parse_int(v, PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, &year) != 0)
            return cli_usage_error(cmd, "--year: %s", err_msg());
        f.year = (int)year;
    }
    rc = store_observations_each(s, &f, collect_obs, &c);
    if (rc < 0) {
        json_decref(c.rows);
        return rc;
    }
    return cli_emit_rows(ctx, c.rows, obs_cols, CLI_NCOLS(obs_cols));
}

/* Lists one kind of entity held in an array: fetch, convert, emit. */
#define LIST_ARRAY(type, fetch_call, conv, cols)                                                    \
    do {                                                                                           \
        type *items = NULL;                                                                        \
        size_t n = 0;                                                                              \
        json_t *rows = json_array();                                                               \
        if ((rc = (fetch_call)) == 0)                                                              \
            rc = append_all(rows, items, n, sizeof *items, conv, limit);                           \
        free(items);                                                                               \
        if (rc != 0) {                                                                             \
            json_decref(rows);                                                                     \
            break;                                                                                 \
        }                                                                                          \
        rc = cli_emit_rows(ctx, rows, cols, CLI_NCOLS(cols));                                                   \
    } while (0)

static int known_list(const char *what)
{
    static const char *const kinds[] = { "units", "groups", "indicators", "schemes", "periods",
                                         "targets", "flags", "users", "audit", "observations", "obs" };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(kinds[i], what) == 0)
            return 1;
    }
    return 0;
}

int cmd_list(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    const char *what = args->pos[0], *v;
    store *s;
    long lim = 0, year = 0;
    size_t limit;
    int rc;
    if ((v = cli_opt_value(cmd, args, "--limit")) && num_parse_int(v, 1, 100000000, &lim) != 0)
        return cli_usage_error(cmd, "--limit: %s", err_msg());
    if ((v = cli_opt_value(cmd, args, "--year")) &&
        num_parse_int(v, PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, &year) != 0)
        return cli_usage_error(cmd, "--year: %s", err_msg());
    limit = (size_t)lim;
    if (!known_list(what))
        return cli_usage_error(cmd, "cannot list '%s' (units, groups, indicators, schemes, periods, "
                               "targets, observations, flags, users, audit)", what);
    if ((rc = cli_open_existing(ctx, &s)) != 0)
        return rc;
    if (strcmp(what, "units") == 0)
        LIST_ARRAY(model_unit, store_units(s, &items, &n), unit_any, unit_cols);
    else if (strcmp(what, "groups") == 0)
        LIST_ARRAY(model_group, store_groups(s, &items, &n), group_any, group_cols);
    else if (strcmp(what, "indicators") == 0)
        LIST_ARRAY(model_indicator, store_indicators(s, &items, &n), indicator_any, indicator_cols);
    else if (strcmp(what, "schemes") == 0)
        LIST_ARRAY(model_scheme, store_schemes(s, &items, &n), scheme_any, scheme_cols);
    else if (strcmp(what, "periods") == 0)
        LIST_ARRAY(model_period, store_periods(s, &items, &n), period_any, period_cols);
    else if (strcmp(what, "targets") == 0)
        LIST_ARRAY(model_target, store_targets(s, (int)year, &items, &n), target_any, target_cols);
    else if (strcmp(what, "flags") == 0)
        LIST_ARRAY(model_obs_flag, store_flags(s, !cli_opt_set(cmd, args, "--all"), &items, &n), flag_any,
                   flag_cols);
    else if (strcmp(what, "users") == 0)
        LIST_ARRAY(model_user, store_users(s, &items, &n), user_any, user_cols);
    else if (strcmp(what, "audit") == 0)
        LIST_ARRAY(model_audit_entry, store_audits(s, limit ? (int)limit : 50, &items, &n), audit_any,
                   audit_cols);
    else
        rc = list_observations(ctx, cmd, args, s, limit);
    store_close(s);
    return rc;
}

/* ---- show ---- */

/* Finds the element whose code (at offset code_off) is code, in an array from the store. */
static const void *find_code(const void *items, size_t n, size_t elem_size, size_t code_off,
                             const char *code)
{
    for (size_t i = 0; i < n; i++) {
        const char *elem = (const char *)items + i * elem_size;
        if (strcmp(elem + code_off, code) == 0)
            return elem;
    }
    return NULL;
}

/* Prints one object (stolen) as "key  value" lines, or as JSON. */
static int emit_object(const cli_ctx *ctx, json_t *obj)
{
    const char *key;
    json_t *v;
    char text[MODEL_TEXT_MAX];
    if (ctx->json)
        return cli_print_json(obj);
    if (!obj)
        return err_set(ERR_NOMEM, "out of memory building output");
    json_object_foreach(obj, key, v) {
        cli_cell_text(ctx, v, NULL, 0, text, sizeof text);
        printf("%-12s %s\n", key, text);
    }
    json_decref(obj);
    return 0;
}

static int show_unit(const cli_ctx *ctx, store *s, const char *code)
{
    model_unit *items = NULL;
    size_t n = 0;
    int rc = store_units(s, &items, &n);
    const model_unit *u = rc == 0 ? find_code(items, n, sizeof *items, offsetof(model_unit, code), code) : NULL;
    if (rc == 0)
        rc = u ? emit_object(ctx, io_json_unit(u)) : err_set(ERR_NOTFOUND, "unknown unit code '%s'", code);
    free(items);
    return rc;
}

static int show_indicator(const cli_ctx *ctx, store *s, const char *code)
{
    model_indicator *items = NULL;
    size_t n = 0;
    int rc = store_indicators(s, &items, &n);
    const model_indicator *ind =
        rc == 0 ? find_code(items, n, sizeof *items, offsetof(model_indicator, code), code) : NULL;
    if (rc == 0)
        rc = ind ? emit_object(ctx, io_json_indicator(ind))
                 : err_set(ERR_NOTFOUND, "unknown indicator code '%s'", code);
    free(items);
    return rc;
}

/* Prints a parent object with its child rows (members, items): one JSON object with the
 * children under key, or the object's fields followed by a table of the children. Steals both. */
static int emit_with_children(const cli_ctx *ctx, json_t *obj, const char *key, json_t *children,
                              const cli_column *cols, int ncols)
{
    int rc;
    if (ctx->json) {
        json_object_set_new(obj, key, children);
        return cli_print_json(obj);
    }
    rc = emit_object(ctx, obj);
    if (rc != 0) {
        json_decref(children);
        return rc;
    }
    putchar('\n');
    return cli_emit_rows(ctx, children, cols, ncols);
}

static int show_group(const cli_ctx *ctx, store *s, const char *code)
{
    model_group *items = NULL;
    model_unit *members = NULL;
    size_t n = 0, nm = 0;
    int rc = store_groups(s, &items, &n);
    const model_group *g = rc == 0 ? find_code(items, n, sizeof *items, offsetof(model_group, code), code) : NULL;
    json_t *arr = json_array();
    if (rc == 0 && !g)
        rc = err_set(ERR_NOTFOUND, "unknown group code '%s'", code);
    if (rc == 0 && (rc = store_group_members(s, code, &members, &nm)) == 0 &&
        (rc = append_all(arr, members, nm, sizeof *members, unit_any, 0)) == 0) {
        rc = emit_with_children(ctx, io_json_group(g), "members", arr, unit_cols, CLI_NCOLS(unit_cols));
        arr = NULL;
    }
    json_decref(arr);
    free(members);
    free(items);
    return rc;
}

static int show_scheme(const cli_ctx *ctx, store *s, const char *code)
{
    model_scheme *items = NULL;
    model_scheme_item *its = NULL;
    size_t n = 0, ni = 0;
    int rc = store_schemes(s, &items, &n);
    const model_scheme *sc = rc == 0 ? find_code(items, n, sizeof *items, offsetof(model_scheme, code), code) : NULL;
    json_t *arr = json_array();
    if (rc == 0 && !sc)
        rc = err_set(ERR_NOTFOUND, "unknown scheme code '%s'", code);
    if (rc == 0 && (rc = store_scheme_items(s, code, &its, &ni)) == 0 &&
        (rc = append_all(arr, its, ni, sizeof *its, item_any, 0)) == 0) {
        rc = emit_with_children(ctx, io_json_scheme(sc), "items", arr, item_cols, CLI_NCOLS(item_cols));
        arr = NULL;
    }
    json_decref(arr);
    free(its);
    free(items);
    return rc;
}

static int show_observation(const cli_ctx *ctx, const cli_cmd *cmd, store *s, const cli_args *args)
{
    model_observation *hist = NULL;
    size_t n = 0;
    period_key key;
    char code[PERIOD_CODE_MAX];
    json_t *rows;
    int rc;
    if (args->npos != 4)
        return cli_usage_error(cmd, "show obs INDICATOR UNIT PERIOD");
    if (period_parse(args->pos[3], &key) != 0)
        return err_set(ERR_DATA, "%s", err_msg());
    period_format(&key, code, sizeof code);
    if ((rc = store_observation_history(s, args->pos[1], args->pos[2], code, &hist, &n)) != 0)
        return rc;
    if (n == 0) {
        free(hist);
        return err_set(ERR_NOTFOUND, "no value for %s / %s / %s", args->pos[1], args->pos[2], code);
    }
    rows = json_array();
    rc = append_all(rows, hist, n, sizeof *hist, obs_any, 0);
    free(hist);
    if (rc != 0) {
        json_decref(rows);
        return rc;
    }
    return cli_emit_rows(ctx, rows, history_cols, CLI_NCOLS(history_cols));
}

int cmd_show(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    const char *what = args->pos[0];
    static const char *const kinds[] = { "unit", "indicator", "group", "scheme", "obs", "observation" };
    store *s;
    int rc, known = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        known |= strcmp(kinds[i], what) == 0;
    if (!known)
        return cli_usage_error(cmd, "cannot show '%s' (unit, group, indicator, scheme, obs)", what);
    if ((rc = cli_open_existing(ctx, &s)) != 0)
        return rc;
    if (strcmp(what, "unit") == 0)
        rc = show_unit(ctx, s, args->pos[1]);
    else if (strcmp(what, "indicator") == 0)
        rc = show_indicator(ctx, s, args->pos[1]);
    else if (strcmp(what, "group") == 0)
        rc = show_group(ctx, s, args->pos[1]);
    else if (strcmp(what, "scheme") == 0)
        rc = show_scheme(ctx, s, args->pos[1]);
    else
        rc = show_observation(ctx, cmd, s, args);
    store_close(s);
    return rc;
}
