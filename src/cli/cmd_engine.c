/* cmd_engine: `saima rank | gap | warn | forecast` — the engine's analysis of a group at a
 * month (SPEC §5) as tables or JSON. Reads through the store, computes only in the engine. */
#include "cli/cli.h"
#include "engine/analyze.h"
#include "store/panel.h"
#include "util/err.h"
#include "util/num.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ANALYSIS_OPTS                                                                              \
    { "--group", "CODE", "the competing group (default: the peer group of our region)" },          \
    { "--period", "YYYY-MM", "the month (default: the latest month on record)" }

const cli_opt cmd_rank_opts[] = {
    { "--indicator", "CODE", "the indicator to rank (required)" },
    ANALYSIS_OPTS,
    { NULL, NULL, NULL },
};
const cli_opt cmd_gap_opts[] = {
    { "--unit", "CODE", "the unit (default: our region)" }, ANALYSIS_OPTS, { NULL, NULL, NULL },
};
const cli_opt cmd_warn_opts[] = {
    { "--unit", "CODE", "only this unit" }, { "--indicator", "CODE", "only this indicator" },
    ANALYSIS_OPTS, { NULL, NULL, NULL },
};
const cli_opt cmd_forecast_opts[] = {
    { "--indicator", "CODE", "the indicator (required, except with --backtest)" },
    { "--backtest", NULL, "how far forecasts from each month of last year landed (error by month)" },
    ANALYSIS_OPTS,
    { NULL, NULL, NULL },
};

static const model_enum tier_names[] = {
    { "none", "—" }, { "top", "前三" }, { "middle", "中游" }, { "bottom", "后三" },
};
static const model_enum level_names[] = {
    { "none", "无" }, { "blue", "蓝色" }, { "yellow", "黄色" }, { "red", "红色" },
};
static const model_enum warning_names[WARN_N] = {
    { "bottom_three", "排名后三" }, { "rank_fall", "排名下降" }, { "behind_time", "落后时间进度" },
    { "forecast_miss", "预计完不成目标" }, { "negative_growth", "负增长" }, { "missing", "数据缺失" },
};

/* What every analysis command works on: a group, a month, the store. */
typedef struct scope {
    store *s;
    char group[MODEL_CODE_MAX];
    char group_name[MODEL_NAME_MAX];
    period_key month;
    char month_code[PERIOD_CODE_MAX];
} scope;

/* One indicator analysed at the scope's month. */
typedef struct analysis {
    store_panel sp;
    long t;
    engine_standing *st;
} analysis;

static void analysis_free(analysis *a)
{
    store_panel_free(&a->sp);
    free(a->st);
    memset(a, 0, sizeof *a);
}

/* The peer group (kind peers) that holds our own region, else the first group. */
static int default_group(store *s, char *out)
{
    group *gs;
    unit *members;
    size_t ng, nm;
    int rc = store_groups(s, &gs, &ng), found = 0;
    for (size_t i = 0; rc == 0 && i < ng && !found; i++) {
        if (gs[i].kind != GROUP_PEERS || store_group_members(s, gs[i].code, &members, &nm) != 0)
            continue;
        for (size_t j = 0; j < nm; j++)
            found |= members[j].is_self;
        if (found)
            snprintf(out, MODEL_CODE_MAX, "%s", gs[i].code);
        free(members);
    }
    if (rc == 0 && !found && ng > 0) {
        snprintf(out, MODEL_CODE_MAX, "%s", gs[0].code);
        found = 1;
    }
    free(gs);
    if (rc == 0 && !found)
        rc = err_set(ERR_NOTFOUND, "no groups yet (saima import groups, or saima demo)");
    return rc;
}

/* The latest month on record. */
static int latest_month(store *s, period_key *out)
{
    period *ps;
    size_t n;
    int rc = store_periods(s, &ps, &n), found = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (ps[i].key.kind == PERIOD_MONTH) {
            *out = ps[i].key;
            found = 1;
        }
    }
    free(ps);
    if (rc == 0 && !found)
        rc = err_set(ERR_NOTFOUND, "no monthly data yet");
    return rc;
}

/* The name of a group in the context's language, or ERR_NOTFOUND. */
static int group_name(const cli_ctx *ctx, store *s, const char *code, char *out, size_t size)
{
    group *gs;
    size_t n;
    int rc = store_groups(s, &gs, &n), found = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (strcmp(gs[i].code, code) == 0) {
            snprintf(out, size, "%s", ctx->english && gs[i].name_en[0] ? gs[i].name_en : gs[i].name);
            found = 1;
        }
    }
    free(gs);
    if (rc == 0 && !found)
        rc = err_set(ERR_NOTFOUND, "unknown group code '%s'", code);
    return rc;
}

/* Opens the store and settles the group and the month from the options or their defaults. */
static int open_scope(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, scope *sc)
{
    const char *group_opt = cli_opt_value(cmd, args, "--group");
    const char *month = cli_opt_value(cmd, args, "--period");
    int rc;
    memset(sc, 0, sizeof *sc);
    if (month && (period_parse(month, &sc->month) != 0 || sc->month.kind != PERIOD_MONTH))
        return cli_usage_error(cmd, "--period takes a month such as 2026-10, not '%s'", month);
    if ((rc = cli_open_existing(ctx, &sc->s)) != 0)
        return rc;
    if (group_opt)
        snprintf(sc->group, sizeof sc->group, "%s", group_opt);
    else
        rc = default_group(sc->s, sc->group);
    if (rc == 0 && !month)
        rc = latest_month(sc->s, &sc->month);
    if (rc == 0)
        rc = group_name(ctx, sc->s, sc->group, sc->group_name, sizeof sc->group_name);
    if (rc != 0) {
        store_close(sc->s);
        sc->s = NULL;
        return rc;
    }
    period_format(&sc->month, sc->month_code, sizeof sc->month_code);
    return 0;
}

static int analyze_one(const scope *sc, const char *indicator_code, analysis *a)
{
    engine_params params = engine_params_default();
    engine_rank_ws ws = { 0 };
    int rc;
    memset(a, 0, sizeof *a);
    if ((rc = store_panel_load(sc->s, sc->group, indicator_code, sc->month.year, &a->sp)) != 0)
        return rc;
    a->t = store_panel_month(&a->sp, &sc->month);
    if (!(a->st = calloc(a->sp.nunits ? a->sp.nunits : 1, sizeof *a->st)))
        rc = err_set(ERR_NOMEM, "out of memory");
    else
        rc = engine_analyze(&a->sp.p, (size_t)a->t, &params, &ws, a->st);
    engine_rank_ws_free(&ws);
    if (rc != 0)
        analysis_free(a);
    return rc;
}

/* The indicators of the group's scheme, else every indicator. */
static int scope_indicators(const scope *sc, indicator **out, size_t *n)
{
    scheme *schemes;
    scheme_item *items;
    size_t ns, ni, keep = 0;
    int rc = store_indicators(sc->s, out, n);
    if (rc != 0 || (rc = store_schemes(sc->s, &schemes, &ns)) != 0)
        return rc;
    for (size_t i = 0; i < ns; i++) {
        if (strcmp(schemes[i].group_code, sc->group) != 0 ||
            store_scheme_items(sc->s, schemes[i].code, &items, &ni) != 0)
            continue;
        for (size_t k = 0; k < *n; k++) {
            int in = 0;
            for (size_t j = 0; j < ni; j++)
                in |= strcmp(items[j].indicator_code, (*out)[k].code) == 0;
            if (in)
                (*out)[keep++] = (*out)[k];
        }
        *n = keep;
        free(items);
        break;
    }
    free(schemes);
    return 0;
}

/* ---- JSON of a standing ---- */

/* A number, or null when it is not one; rounded to decimals for display data. */
static json_t *num_or_null(double v, int decimals)
{
    return isfinite(v) ? json_real(engine_round(v, decimals)) : json_null();
}

static json_t *int_or_null(int v, int known)
{
    return known ? json_integer(v) : json_null();
}

static json_t *warnings_json(unsigned bits)
{
    json_t *arr = json_array();
    for (int w = 0; w < WARN_N; w++) {
        if (bits & (1u << w))
            json_array_append_new(arr, json_string(warning_names[w].key));
    }
    return arr;
}

static json_t *code_or_null(const store_panel *sp, int index)
{
    return index >= 0 ? json_string(sp->units[index].code) : json_null();
}

static json_t *standing_json(const analysis *a, size_t u)
{
    const store_panel *sp = &a->sp;
    const engine_standing *st = &a->st[u];
    size_t cell = u * sp->p.nmonths + (size_t)a->t;
    int prec = sp->ind.precision;
    json_t *o = json_object();
    json_object_set_new(o, "indicator", json_string(sp->ind.code));
    json_object_set_new(o, "unit", json_string(sp->units[u].code));
    json_object_set_new(o, "name", json_string(sp->units[u].name));
    json_object_set_new(o, "value", sp->present[cell] ? json_real(sp->value[cell]) : json_null());
    json_object_set_new(o, "rank", int_or_null(st->rank.rank, st->rank.rank > 0));
    json_object_set_new(o, "ties", json_integer(st->rank.ties));
    json_object_set_new(o, "tier", json_string(tier_names[st->tier].key));
    json_object_set_new(o, "first_tier", json_boolean(st->first_tier));
    json_object_set_new(o, "rank_prev", int_or_null(st->rank_prev, st->rank_prev > 0));
    json_object_set_new(o, "move_prev",
                        int_or_null(st->move_prev, st->rank_prev > 0 && st->rank.rank > 0));
    json_object_set_new(o, "rank_last_year", int_or_null(st->rank_last_year, st->rank_last_year > 0));
    json_object_set_new(o, "move_year",
                        int_or_null(st->move_year, st->rank_last_year > 0 && st->rank.rank > 0));
    json_object_set_new(o, "above", code_or_null(sp, st->rank.above));
    json_object_set_new(o, "gap_above", num_or_null(st->gap_above, prec));
    json_object_set_new(o, "pct_to_overtake", num_or_null(st->pct_to_overtake, 2));
    json_object_set_new(o, "below", code_or_null(sp, st->rank.below));
    json_object_set_new(o, "lead_below", num_or_null(st->lead_below, prec));
    json_object_set_new(o, "gap_reference", num_or_null(st->gap_reference, prec));
    json_object_set_new(o, "growth", num_or_null(st->growth, 2));
    json_object_set_new(o, "target", sp->target_present[u] ? json_real(sp->target[u]) : json_null());
    json_object_set_new(o, "completion", num_or_null(st->completion, 2));
    json_object_set_new(o, "time_linear", num_or_null(st->time_linear, 2));
    json_object_set_new(o, "time_seasonal", num_or_null(st->time_seasonal, 2));
    json_object_set_new(o, "half_half", json_boolean(st->half_half));
    json_object_set_new(o, "forecast", num_or_null(st->forecast, prec));
    json_object_set_new(o, "forecast_rank", int_or_null(st->forecast_rank, st->forecast_rank > 0));
    json_object_set_new(o, "warnings", warnings_json(st->warnings));
    json_object_set_new(o, "level", json_string(level_names[st->level].key));
    return o;
}

/* Display-only texts a table shows where JSON keeps numbers: "↑2", "↓1", "持平". */
static void add_move_text(const cli_ctx *ctx, json_t *row, const char *key)
{
    json_t *v = json_object_get(row, key);
    char buf[32], text_key[64];
    if (!json_is_integer(v))
        return;
    if (json_integer_value(v) > 0)
        snprintf(buf, sizeof buf, "↑%lld", (long long)json_integer_value(v));
    else if (json_integer_value(v) < 0)
        snprintf(buf, sizeof buf, "↓%lld", -(long long)json_integer_value(v));
    else
        snprintf(buf, sizeof buf, "%s", cli_tr(ctx, "持平", "="));
    snprintf(text_key, sizeof text_key, "%s_text", key);
    json_object_set_new(row, text_key, json_string(buf));
}

/* A number shown with a fixed count of decimals ("128.60"), as key_text. */
static void add_fixed_text(json_t *row, const char *key, int decimals)
{
    json_t *v = json_object_get(row, key);
    char buf[64], text_key[64];
    if (!json_is_number(v))
        return;
    snprintf(buf, sizeof buf, "%.*f", decimals, json_number_value(v));
    snprintf(text_key, sizeof text_key, "%s_text", key);
    json_object_set_new(row, text_key, json_string(buf));
}

/* Adds the texts of every number and movement a table may show. */
static void add_display_texts(const cli_ctx *ctx, json_t *row, int precision)
{
    static const char *const at_precision[] = { "value", "gap_above", "lead_below", "gap_reference",
                                                "target", "forecast" };
    static const char *const percents[] = { "pct_to_overtake", "growth", "completion", "time_linear",
                                            "time_seasonal" };
    if (ctx->json)
        return;
    for (size_t i = 0; i < sizeof at_precision / sizeof at_precision[0]; i++)
        add_fixed_text(row, at_precision[i], precision);
    for (size_t i = 0; i < sizeof percents / sizeof percents[0]; i++)
        add_fixed_text(row, percents[i], 1);
    add_move_text(ctx, row, "move_prev");
    add_move_text(ctx, row, "move_year");
}

/* Units in rank order, the unranked last. */
static int cmp_by_rank(const void *a, const void *b, void *arg)
{
    const engine_standing *st = arg;
    int x = st[*(const size_t *)a].rank.rank, y = st[*(const size_t *)b].rank.rank;
    if ((x == 0) != (y == 0))
        return x == 0 ? 1 : -1;
    return (x > y) - (x < y);
}

static size_t *rank_order(const analysis *a)
{
    size_t *order = malloc((a->sp.nunits ? a->sp.nunits : 1) * sizeof *order);
    if (!order)
        return NULL;
    for (size_t u = 0; u < a->sp.nunits; u++)
        order[u] = u;
    qsort_r(order, a->sp.nunits, sizeof *order, cmp_by_rank, a->st);
    return order;
}

static void print_heading(const cli_ctx *ctx, const scope *sc, const char *what)
{
    if (!ctx->json)
        printf(CLI_TR(ctx, "%s（%s，%s）\n\n", "%s (%s, %s)\n\n"), what, sc->group_name,
               sc->month_code);
}

/* ---- rank ---- */

static const cli_column rank_cols[] = {
    CLI_COL("rank", "名次", "rank", 1),
    CLI_COL("name", "单位", "unit", 0),
    CLI_COL("value_text", "数值", "value", 1),
    CLI_ENUM_COL("tier", "梯队", "tier", tier_names, 4),
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
    scope sc;
    analysis a;
    size_t *order;
    int rc;
    if ((rc = need_indicator(cmd, args, &ind)) != 0 || (rc = open_scope(ctx, cmd, args, &sc)) != 0)
        return rc;
    if ((rc = analyze_one(&sc, ind, &a)) == 0) {
        if (!(order = rank_order(&a))) {
            rc = err_set(ERR_NOMEM, "out of memory");
        } else {
            json_t *rows = json_array();
            for (size_t k = 0; k < a.sp.nunits; k++) {
                json_t *row = standing_json(&a, order[k]);
                add_display_texts(ctx, row, a.sp.ind.precision);
                json_array_append_new(rows, row);
            }
            free(order);
            print_heading(ctx, &sc, a.sp.ind.name);
            rc = cli_emit_rows(ctx, rows, cols, ncols);
        }
        analysis_free(&a);
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
    scope sc;
    int rc, year;
    if ((rc = open_scope(ctx, cmd, args, &sc)) != 0)
        return rc;
    year = sc.month.year - 1;
    memset(&sum, 0, sizeof sum);
    rc = scope_indicators(&sc, &inds, &nind);
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
                                num_or_null(sum.mape_seasonal[m], 2), "linear",
                                num_or_null(sum.mape_linear[m], 2), "n", sum.n[m]);
        add_fixed_text(row, "seasonal", 2);
        add_fixed_text(row, "linear", 2);
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

static int our_unit(store *s, const char *group_code, char *out)
{
    unit *members;
    size_t n;
    int rc = store_group_members(s, group_code, &members, &n), found = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (members[i].is_self) {
            snprintf(out, MODEL_CODE_MAX, "%s", members[i].code);
            found = 1;
        }
    }
    free(members);
    if (rc == 0 && !found)
        rc = err_set(ERR_NOTFOUND, "group '%s' has no unit marked as ours: use --unit", group_code);
    return rc;
}

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
    scope sc;
    int rc;
    if ((rc = open_scope(ctx, cmd, args, &sc)) != 0) {
        json_decref(rows);
        return rc;
    }
    if (opt)
        snprintf(unit_code, sizeof unit_code, "%s", opt);
    else
        rc = our_unit(sc.s, sc.group, unit_code);
    if (rc == 0)
        rc = scope_indicators(&sc, &inds, &nind);
    for (size_t i = 0; rc == 0 && i < nind; i++) {
        analysis a;
        long u = -1;
        if ((rc = analyze_one(&sc, inds[i].code, &a)) != 0)
            break;
        for (size_t k = 0; k < a.sp.nunits; k++) {
            if (strcmp(a.sp.units[k].code, unit_code) == 0)
                u = (long)k;
        }
        if (u < 0) {
            rc = err_set(ERR_NOTFOUND, "unit '%s' is not in group '%s'", unit_code, sc.group);
        } else {
            json_t *row = standing_json(&a, (size_t)u);
            const engine_ranked *r = &a.st[u].rank;
            add_display_texts(ctx, row, a.sp.ind.precision);
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
        analysis_free(&a);
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
        print_heading(ctx, &sc, unit_name);
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
    CLI_ENUM_COL("level", "级别", "level", level_names, 4),
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
                                  ctx->english ? warning_names[w].key : warning_names[w].label_zh);
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
    scope sc;
    int rc;
    if ((rc = open_scope(ctx, cmd, args, &sc)) != 0)
        return rc;
    rc = scope_indicators(&sc, &inds, &nind);
    for (size_t i = 0; rc == 0 && i < nind; i++) {
        analysis a;
        if (only_ind && strcmp(only_ind, inds[i].code) != 0)
            continue;
        if ((rc = analyze_one(&sc, inds[i].code, &a)) != 0)
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
            row = standing_json(&a, u);
            add_display_texts(ctx, row, a.sp.ind.precision);
            reasons_text(ctx, a.st[u].warnings, text, sizeof text);
            json_object_set_new(row, "indicator_name", json_string(inds[i].name));
            json_object_set_new(row, "reasons", json_string(text));
            json_object_set_new(row, "level_n", json_integer(a.st[u].level));
            found[nrows++] = row;
        }
        analysis_free(&a);
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
        print_heading(ctx, &sc, cli_tr(ctx, "预警", "Warnings"));
        rc = cli_emit_rows(ctx, rows, warn_cols, CLI_NCOLS(warn_cols));
    } else {
        json_decref(rows);
    }
    store_close(sc.s);
    return rc;
}
