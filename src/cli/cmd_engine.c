/* cmd_engine: `saima rank | gap | warn | forecast` — the engine's analysis of a group at a
 * month (SPEC §5) as tables or JSON. Reads through the store, computes only in the engine. */
#include "cli/scope.h"
#include "util/err.h"
#include "util/num.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    CLI_ENUM_COL("tier", "梯队", "tier", cli_tier_names, 4),
    CLI_COL("move_prev_text", "较上月", "vs last month", 1),
    CLI_COL("move_year_text", "较去年同期", "vs last year", 1),
    CLI_COL("gap_above_text", "与标兵差距", "gap to next", 1),
    CLI_COL("lead_below_text", "领先追兵", "lead on next", 1),
};

static int need_indicator(const cli_cmd *cmd, const cli_args *args, const char **out)
{
    if (!(*out = cli_opt_value(cmd, args, "--indicator")))
        return cli_usage_error(cmd, "--indicator CODE is required");
    return 0;
}

/* Every unit's standing on one indicator, in rank order, in the given columns. */
static int emit_ranked(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args,
                       const cli_column *cols, int ncols)
{
    const char *ind;
    cli_scope sc;
    cli_analysis a;
    size_t *order;
    int rc;
    if ((rc = need_indicator(cmd, args, &ind)) != 0 || (rc = cli_scope_open(ctx, cmd, args, &sc)) != 0)
        return rc;
    if ((rc = cli_analyze(&sc, ind, &a)) == 0) {
        if (!(order = cli_rank_order(&a))) {
            rc = err_set(ERR_NOMEM, "out of memory");
        } else {
            json_t *rows = json_array();
            for (size_t k = 0; k < a.sp.nunits; k++) {
                json_t *row = cli_standing_json(&a, order[k]);
                cli_add_display_texts(ctx, row, a.sp.ind.precision);
                json_array_append_new(rows, row);
            }
            free(order);
            cli_print_heading(ctx, &sc, a.sp.ind.name);
            rc = cli_emit_rows(ctx, rows, cols, ncols);
        }
        cli_analysis_free(&a);
    }
    store_close(sc.s);
    return rc;
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

/* The forecast's error on the year before the scope's month, pooled over the year-to-date
 * indicators (or the one named). */
static int forecast_backtest(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    const char *only = cli_opt_value(cmd, args, "--indicator");
    indicator *inds = NULL;
    size_t nind = 0;
    engine_backtest sum;
    json_t *rows;
    cli_scope sc;
    int rc, year;
    if ((rc = cli_scope_open(ctx, cmd, args, &sc)) != 0)
        return rc;
    year = sc.month.year - 1;
    memset(&sum, 0, sizeof sum);
    rc = cli_scope_indicators(&sc, &inds, &nind);
    for (size_t i = 0; rc == 0 && i < nind; i++) {
        store_panel sp;
        engine_backtest one;
        if ((only && strcmp(only, inds[i].code) != 0) || inds[i].value_kind != VK_YTD)
            continue;
        if ((rc = store_panel_load(sc.s, sc.group, inds[i].code, year, &sp)) != 0)
            break;
        if ((rc = engine_forecast_backtest(&sp.p, year, &one)) == 0)
            engine_backtest_add(&sum, &one);
        store_panel_free(&sp);
    }
    free(inds);
    rows = json_array();
    for (int m = 0; rc == 0 && m < 12; m++) {
        json_t *row = json_pack("{s:i, s:o, s:o, s:i}", "month", m + 1, "seasonal",
                                cli_num_or_null(sum.mape_seasonal[m], 2), "linear",
                                cli_num_or_null(sum.mape_linear[m], 2), "n", sum.n[m]);
        cli_add_fixed_text(row, "seasonal", 2);
        cli_add_fixed_text(row, "linear", 2);
        json_array_append_new(rows, row);
    }
    if (rc == 0 && !ctx->json)
        printf(CLI_TR(ctx, "%d 年逐月预测全年值的平均绝对百分比误差（%s）\n\n",
                      "Mean absolute %% error of year-end forecasts made in %d (%s)\n\n"),
               year, only ? only : cli_tr(ctx, "全部累计类指标", "all year-to-date indicators"));
    rc = rc ? rc : cli_emit_rows(ctx, rows, backtest_cols, CLI_NCOLS(backtest_cols));
    if (rc != 0 && json_array_size(rows) < 12)
        json_decref(rows);
    store_close(sc.s);
    return rc;
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

/* Counts of the summary leaders quote: 1st, 2nd, 3rd, first tier, bottom three. */
typedef struct summary {
    int n, first, second, third, first_tier, bottom;
} summary;

static void summary_add(summary *sm, const engine_standing *st)
{
    sm->n++;
    sm->first += st->rank.rank == 1;
    sm->second += st->rank.rank == 2;
    sm->third += st->rank.rank == 3;
    sm->first_tier += st->first_tier;
    sm->bottom += st->tier == TIER_BOTTOM;
}

static void print_summary_line(const cli_ctx *ctx, const char *unit_name, const summary *sm)
{
    printf(CLI_TR(ctx,
                  "%s %d 项指标中：%d 项第一，%d 项第二，%d 项第三，%d 项进入第一方阵，"
                  "%d 项排名后三。\n\n",
                  "%s, %d indicators: %d first, %d second, %d third, %d in the first tier, %d in "
                  "the bottom three.\n\n"),
           unit_name, sm->n, sm->first, sm->second, sm->third, sm->first_tier, sm->bottom);
}

int cmd_gap(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    char unit_code[MODEL_CODE_MAX], unit_name[MODEL_NAME_MAX] = "";
    const char *opt = cli_opt_value(cmd, args, "--unit");
    indicator *inds = NULL;
    size_t nind = 0;
    summary sm = { 0, 0, 0, 0, 0, 0 };
    json_t *rows = json_array();
    cli_scope sc;
    int rc;
    if ((rc = cli_scope_open(ctx, cmd, args, &sc)) != 0) {
        json_decref(rows);
        return rc;
    }
    if (opt)
        snprintf(unit_code, sizeof unit_code, "%s", opt);
    else
        rc = cli_our_unit(sc.s, sc.group, unit_code);
    if (rc == 0)
        rc = cli_scope_indicators(&sc, &inds, &nind);
    for (size_t i = 0; rc == 0 && i < nind; i++) {
        cli_analysis a;
        long u = -1;
        if ((rc = cli_analyze(&sc, inds[i].code, &a)) != 0)
            break;
        for (size_t k = 0; k < a.sp.nunits; k++) {
            if (strcmp(a.sp.units[k].code, unit_code) == 0)
                u = (long)k;
        }
        if (u < 0) {
            rc = err_set(ERR_NOTFOUND, "unit '%s' is not in group '%s'", unit_code, sc.group);
        } else {
            json_t *row = cli_standing_json(&a, (size_t)u);
            const engine_ranked *r = &a.st[u].rank;
            cli_add_display_texts(ctx, row, a.sp.ind.precision);
            snprintf(unit_name, sizeof unit_name, "%s", a.sp.units[u].name);
            json_object_set_new(row, "indicator_name", json_string(inds[i].name));
            json_object_set_new(row, "above_name",
                                json_string(r->above >= 0 ? a.sp.units[r->above].name : "—"));
            json_object_set_new(row, "below_name",
                                json_string(r->below >= 0 ? a.sp.units[r->below].name : "—"));
            json_array_append_new(rows, row);
            if (a.st[u].rank.rank > 0)
                summary_add(&sm, &a.st[u]);
        }
        cli_analysis_free(&a);
    }
    free(inds);
    if (rc == 0 && ctx->json) {
        json_t *root = json_pack("{s:s, s:s, s:s, s:{s:i, s:i, s:i, s:i, s:i, s:i}, s:o}", "unit",
                                 unit_code, "group", sc.group, "period", sc.month_code, "summary",
                                 "indicators", sm.n, "first", sm.first, "second", sm.second, "third",
                                 sm.third, "first_tier", sm.first_tier, "bottom_three", sm.bottom,
                                 "indicators", rows);
        rows = NULL;
        rc = cli_print_json(root);
    } else if (rc == 0) {
        cli_print_heading(ctx, &sc, unit_name);
        print_summary_line(ctx, unit_name, &sm);
        rc = cli_emit_rows(ctx, rows, gap_cols, CLI_NCOLS(gap_cols));
        rows = NULL;
    }
    json_decref(rows);
    store_close(sc.s);
    return rc;
}

/* ---- warn ---- */

static const cli_column warn_cols[] = {
    CLI_ENUM_COL("level", "级别", "level", cli_level_names, 4),
    CLI_COL("name", "单位", "unit", 0),
    CLI_COL("indicator_name", "指标", "indicator", 0),
    CLI_COL("rank", "名次", "rank", 1),
    CLI_COL("reasons", "原因", "reasons", 0),
};

static void reasons_text(const cli_ctx *ctx, unsigned bits, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int w = 0; w < WARN_N && n < size; w++) {
        if (bits & (1u << w))
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? (ctx->english ? ", " : "、") : "",
                                  ctx->english ? cli_warning_names[w].key : cli_warning_names[w].label_zh);
    }
}

static int cmp_by_level(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "level_n"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "level_n"));
    return (y > x) - (y < x);
}

int cmd_warn(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    const char *only_unit = cli_opt_value(cmd, args, "--unit");
    const char *only_ind = cli_opt_value(cmd, args, "--indicator");
    indicator *inds = NULL;
    size_t nind = 0, nrows = 0, cap = 0;
    json_t **found = NULL, *rows;
    cli_scope sc;
    int rc;
    if ((rc = cli_scope_open(ctx, cmd, args, &sc)) != 0)
        return rc;
    rc = cli_scope_indicators(&sc, &inds, &nind);
    for (size_t i = 0; rc == 0 && i < nind; i++) {
        cli_analysis a;
        if (only_ind && strcmp(only_ind, inds[i].code) != 0)
            continue;
        if ((rc = cli_analyze(&sc, inds[i].code, &a)) != 0)
            break;
        for (size_t u = 0; u < a.sp.nunits && rc == 0; u++) {
            char text[256];
            json_t *row;
            if (a.st[u].level == LEVEL_NONE ||
                (only_unit && strcmp(only_unit, a.sp.units[u].code) != 0))
                continue;
            if (nrows == cap) {
                json_t **bigger = realloc(found, (cap = cap ? cap * 2 : 64) * sizeof *found);
                if (!bigger) {
                    rc = err_set(ERR_NOMEM, "out of memory");
                    break;
                }
                found = bigger;
            }
            row = cli_standing_json(&a, u);
            cli_add_display_texts(ctx, row, a.sp.ind.precision);
            reasons_text(ctx, a.st[u].warnings, text, sizeof text);
            json_object_set_new(row, "indicator_name", json_string(inds[i].name));
            json_object_set_new(row, "reasons", json_string(text));
            json_object_set_new(row, "level_n", json_integer(a.st[u].level));
            found[nrows++] = row;
        }
        cli_analysis_free(&a);
    }
    free(inds);
    qsort(found, nrows, sizeof *found, cmp_by_level);
    rows = json_array();
    for (size_t k = 0; k < nrows; k++) {
        json_object_del(found[k], "level_n");
        json_array_append_new(rows, found[k]);
    }
    free(found);
    if (rc == 0) {
        cli_print_heading(ctx, &sc, cli_tr(ctx, "预警", "Warnings"));
        rc = cli_emit_rows(ctx, rows, warn_cols, CLI_NCOLS(warn_cols));
    } else {
        json_decref(rows);
    }
    store_close(sc.s);
    return rc;
}
