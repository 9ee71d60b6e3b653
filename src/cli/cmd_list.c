/* cmd_list: `saima list WHAT` and `saima show WHAT CODE...` — every entity as a table or JSON.
 * Rows come from app as JSON objects; the table view prints the same objects by column. */
#include "cli/scope.h"
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

/* What `list` knows: a name, its app kind (-1: observations) and its columns. */
static const struct {
    const char *name;
    int kind;
    const cli_column *cols;
    int ncols;
} lists[] = {
    { "units", APP_UNITS, unit_cols, CLI_NCOLS(unit_cols) },
    { "groups", APP_GROUPS, group_cols, CLI_NCOLS(group_cols) },
    { "indicators", APP_INDICATORS, indicator_cols, CLI_NCOLS(indicator_cols) },
    { "schemes", APP_SCHEMES, scheme_cols, CLI_NCOLS(scheme_cols) },
    { "periods", APP_PERIODS, period_cols, CLI_NCOLS(period_cols) },
    { "targets", APP_TARGETS, target_cols, CLI_NCOLS(target_cols) },
    { "flags", APP_FLAGS, flag_cols, CLI_NCOLS(flag_cols) },
    { "users", APP_USERS, user_cols, CLI_NCOLS(user_cols) },
    { "audit", APP_AUDIT, audit_cols, CLI_NCOLS(audit_cols) },
    { "observations", -1, obs_cols, CLI_NCOLS(obs_cols) },
    { "obs", -1, obs_cols, CLI_NCOLS(obs_cols) },
};

/* The rows of one list (lists[i]) from app into *rows. */
static int list_rows(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, size_t i,
                     size_t limit, int year, json_t **rows)
{
    app_list_opts o = { year, !cli_opt_set(cmd, args, "--all"), 0, 0, limit };
    app_obs_query f = {
        cli_opt_value(cmd, args, "--indicator"), cli_opt_value(cmd, args, "--unit"),
        cli_opt_value(cmd, args, "--period"), cli_opt_value(cmd, args, "--year"), 0, limit,
    };
    store *s;
    app_ctx q;
    int rc;
    if ((rc = cli_open_existing(ctx, &s)) != 0)
        return rc;
    q = cli_query_ctx(ctx, s);
    if (lists[i].kind < 0)
        rc = cli_query_error(cmd, app_observations(&q, &f, rows, NULL));
    else
        rc = app_list(&q, lists[i].kind, &o, rows, NULL);
    store_close(s);
    return rc;
}

int cmd_list(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    const char *what = args->pos[0], *v;
    long lim = 0, year = 0;
    size_t i, limit;
    json_t *rows = NULL;
    int rc;
    if ((v = cli_opt_value(cmd, args, "--limit")) && num_parse_int(v, 1, 100000000, &lim) != 0)
        return cli_usage_error(cmd, "--limit: %s", err_msg());
    if ((v = cli_opt_value(cmd, args, "--year")) &&
        num_parse_int(v, PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, &year) != 0)
        return cli_usage_error(cmd, "--year: %s", err_msg());
    for (i = 0; i < sizeof lists / sizeof lists[0] && strcmp(lists[i].name, what) != 0; i++)
        ;
    if (i == sizeof lists / sizeof lists[0])
        return cli_usage_error(cmd, "cannot list '%s' (units, groups, indicators, schemes, periods, "
                               "targets, observations, flags, users, audit)", what);
    limit = lim ? (size_t)lim : lists[i].kind == APP_AUDIT ? 50 : APP_ALL;
    if ((rc = list_rows(ctx, cmd, args, i, limit, (int)year, &rows)) != 0)
        return rc;
    return cli_emit_rows(ctx, rows, lists[i].cols, lists[i].ncols);
}

/* ---- show ---- */

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

/* Prints an entity (stolen) with its child rows under key (members, items): as one JSON
 * object, or as the object's fields followed by a table of the children. */
static int emit_with_children(const cli_ctx *ctx, json_t *obj, const char *key,
                              const cli_column *cols, int ncols)
{
    json_t *children;
    int rc;
    if (ctx->json)
        return cli_print_json(obj);
    children = json_incref(json_object_get(obj, key));
    json_object_del(obj, key);
    if ((rc = emit_object(ctx, obj)) != 0) {
        json_decref(children);
        return rc;
    }
    putchar('\n');
    return cli_emit_rows(ctx, children, cols, ncols);
}

/* What `show` knows: a name, its app kind (-1: an observation), the key and columns of its
 * children (NULL: none). */
static const struct {
    const char *name;
    int kind;
    const char *key;
    const cli_column *cols;
    int ncols;
} shows[] = {
    { "unit", APP_UNITS, NULL, NULL, 0 },
    { "indicator", APP_INDICATORS, NULL, NULL, 0 },
    { "group", APP_GROUPS, "members", unit_cols, CLI_NCOLS(unit_cols) },
    { "scheme", APP_SCHEMES, "items", item_cols, CLI_NCOLS(item_cols) },
    { "obs", -1, NULL, history_cols, CLI_NCOLS(history_cols) },
    { "observation", -1, NULL, history_cols, CLI_NCOLS(history_cols) },
};

int cmd_show(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    const char *what = args->pos[0];
    store *s;
    app_ctx q;
    json_t *obj = NULL;
    size_t i;
    int rc;
    for (i = 0; i < sizeof shows / sizeof shows[0] && strcmp(shows[i].name, what) != 0; i++)
        ;
    if (i == sizeof shows / sizeof shows[0])
        return cli_usage_error(cmd, "cannot show '%s' (unit, group, indicator, scheme, obs)", what);
    if (shows[i].kind < 0 && args->npos != 4)
        return cli_usage_error(cmd, "show obs INDICATOR UNIT PERIOD");
    if ((rc = cli_open_existing(ctx, &s)) != 0)
        return rc;
    q = cli_query_ctx(ctx, s);
    if (shows[i].kind < 0)
        rc = app_obs_history(&q, args->pos[1], args->pos[2], args->pos[3], &obj);
    else
        rc = app_show(&q, shows[i].kind, args->pos[1], &obj);
    store_close(s);
    if (rc != 0)
        return rc;
    if (shows[i].kind < 0)
        return cli_emit_rows(ctx, obj, shows[i].cols, shows[i].ncols);
    if (shows[i].key)
        return emit_with_children(ctx, obj, shows[i].key, shows[i].cols, shows[i].ncols);
    return emit_object(ctx, obj);
}
