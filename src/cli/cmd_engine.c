/* cmd_engine: `saima rank | gap | warn | forecast` — the engine's analysis of a group at a
 * month (SPEC §5) as tables or JSON. The results come from src/app (the server's too);
 * this file only prints them. */
#include "cli/scope.h"
#include "util/err.h"

#include <stdio.h>

const cli_opt cmd_rank_opts[] = {
    { "--indicator", "CODE", "the indicator to rank (required)" },
    CLI_SCOPE_OPTS,
    { NULL, NULL, NULL },
};
const cli_opt cmd_gap_opts[] = {
    { "--unit", "CODE", "the unit (default: our region)" }, CLI_SCOPE_OPTS, { NULL, NULL, NULL },
};
const cli_opt cmd_warn_opts[] = {
    { "--unit", "CODE", "only this unit" }, { "--indicator", "CODE", "only this indicator" },
    CLI_SCOPE_OPTS, { NULL, NULL, NULL },
};
const cli_opt cmd_forecast_opts[] = {
    { "--indicator", "CODE", "the indicator (required, except with --backtest)" },
    { "--backtest", NULL, "how far forecasts from each month of last year landed (error by month)" },
    CLI_SCOPE_OPTS,
    { NULL, NULL, NULL },
};

/* ---- rank ---- */

static const cli_column rank_cols[] = {
    CLI_COL("rank", "名次", "rank", 1),
    CLI_COL("name", "单位", "unit", 0),
    CLI_COL("value_text", "数值", "value", 1),
    CLI_ENUM_COL("tier", "梯队", "tier", app_tier_names, 4),
    CLI_COL("move_prev_text", "较上月", "vs last month", 1),
    CLI_COL("move_year_text", "较去年同期", "vs last year", 1),
    CLI_COL("gap_above_text", "与标兵差距", "gap to next", 1),
    CLI_COL("lead_below_text", "领先追兵", "lead on next", 1),
};

/* Prints the rows of a result under its heading (WHAT from key/name when what is NULL). */
static int emit_result(const cli_ctx *ctx, json_t *res, const char *what, const cli_column *cols, int ncols)
{
    json_t *rows = json_incref(json_object_get(res, "rows"));
    if (!what)
        what = cli_json_text(json_object_get(res, "indicator"), "name");
    cli_print_heading(ctx, cli_json_text(json_object_get(res, "group"), "name"), cli_json_text(res, "period"),
                      what);
    json_decref(res);
    return cli_emit_rows(ctx, rows, cols, ncols);
}

/* Every unit's standing on one indicator, in rank order, in the given columns. */
static int emit_ranked(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args,
                       const cli_column *cols, int ncols)
{
    json_t *res;
    int rc;
    if ((rc = cli_query(ctx, cmd, args, app_rankings, &res)) != 0)
        return rc;
    return emit_result(ctx, res, NULL, cols, ncols);
}

int cmd_rank(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    return emit_ranked(ctx, cmd, args, rank_cols, CLI_NCOLS(rank_cols));
}

/* ---- forecast ---- */

static const cli_column forecast_cols[] = {
    CLI_COL("name", "单位", "unit", 0),
    CLI_COL("value_text", "本期累计", "to date", 1),
    CLI_COL("rank", "当前名次", "rank now", 1),
    CLI_COL("forecast_text", "预计全年", "year-end forecast", 1),
    CLI_COL("forecast_rank", "预计名次", "forecast rank", 1),
    CLI_COL("target_text", "年度目标", "target", 1),
    CLI_COL("completion_text", "目标完成率%", "completion %", 1),
};

static const cli_column backtest_cols[] = {
    CLI_COL("month", "预测月份", "forecast from", 1),
    CLI_COL("seasonal_text", "季节比例法误差%", "seasonal error %", 1),
    CLI_COL("linear_text", "线性外推误差%", "linear error %", 1),
    CLI_COL("n", "样本数", "cases", 1),
};

/* The forecast's error on the year before the month, pooled over the year-to-date
 * indicators (or the one named). */
static int forecast_backtest(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    json_t *res, *rows;
    int rc;
    if ((rc = cli_query(ctx, cmd, args, app_backtest, &res)) != 0)
        return rc;
    if (!ctx->json) {
        const char *only = json_string_value(json_object_get(res, "indicator"));
        printf(CLI_TR(ctx, "%d 年逐月预测全年值的平均绝对百分比误差（%s）\n\n",
                      "Mean absolute %% error of year-end forecasts made in %d (%s)\n\n"),
               (int)json_integer_value(json_object_get(res, "year")),
               only ? only : cli_tr(ctx, "全部累计类指标", "all year-to-date indicators"));
    }
    rows = json_incref(json_object_get(res, "rows"));
    json_decref(res);
    return cli_emit_rows(ctx, rows, backtest_cols, CLI_NCOLS(backtest_cols));
}

int cmd_forecast(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    if (cli_opt_set(cmd, args, "--backtest"))
        return forecast_backtest(ctx, cmd, args);
    return emit_ranked(ctx, cmd, args, forecast_cols, CLI_NCOLS(forecast_cols));
}

/* ---- gap: one unit across the indicators, with the leaders' summary ---- */

static const cli_column gap_cols[] = {
    CLI_COL("indicator_name", "指标", "indicator", 0),
    CLI_COL("rank", "名次", "rank", 1),
    CLI_COL("above_name", "标兵", "next above", 0),
    CLI_COL("gap_above_text", "差距", "gap", 1),
    CLI_COL("pct_to_overtake_text", "需增长%", "growth to pass %", 1),
    CLI_COL("below_name", "追兵", "next below", 0),
    CLI_COL("lead_below_text", "领先", "lead", 1),
    CLI_COL("gap_reference_text", "与参照差距", "vs reference", 1),
};

static int summary_count(json_t *res, const char *key)
{
    return (int)json_integer_value(json_object_get(json_object_get(res, "summary"), key));
}

static void print_summary_line(const cli_ctx *ctx, json_t *res)
{
    printf(CLI_TR(ctx,
                  "%s %d 项指标中：%d 项第一，%d 项第二，%d 项第三，%d 项进入第一方阵，"
                  "%d 项排名后三。\n\n",
                  "%s, %d indicators: %d first, %d second, %d third, %d in the first tier, %d in "
                  "the bottom three.\n\n"),
           cli_json_text(res, "unit_name"), summary_count(res, "indicators"), summary_count(res, "first"),
           summary_count(res, "second"), summary_count(res, "third"), summary_count(res, "first_tier"),
           summary_count(res, "bottom_three"));
}

int cmd_gap(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    static const char *const api_only[] = { "unit_name", "group_name", "published_only", NULL };
    json_t *res, *rows;
    int rc;
    if ((rc = cli_query(ctx, cmd, args, app_gaps, &res)) != 0)
        return rc;
    if (ctx->json)
        return cli_print_json(cli_json_strip(res, api_only));
    cli_print_heading(ctx, cli_json_text(res, "group_name"), cli_json_text(res, "period"),
                      cli_json_text(res, "unit_name"));
    print_summary_line(ctx, res);
    rows = json_incref(json_object_get(res, "indicators"));
    json_decref(res);
    return cli_emit_rows(ctx, rows, gap_cols, CLI_NCOLS(gap_cols));
}

/* ---- warn ---- */

static const cli_column warn_cols[] = {
    CLI_ENUM_COL("level", "级别", "level", app_level_names, 4),
    CLI_COL("name", "单位", "unit", 0),
    CLI_COL("indicator_name", "指标", "indicator", 0),
    CLI_COL("rank", "名次", "rank", 1),
    CLI_COL("reasons", "原因", "reasons", 0),
};

int cmd_warn(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    json_t *res;
    int rc;
    if ((rc = cli_query(ctx, cmd, args, app_warnings, &res)) != 0)
        return rc;
    return emit_result(ctx, res, cli_tr(ctx, "预警", "Warnings"), warn_cols, CLI_NCOLS(warn_cols));
}
