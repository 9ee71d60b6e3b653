/* cmd_score: `saima score | explain | scheme show` — a scheme's scores, totals, overall rank
 * and grades at a month (SPEC §6), and how every rank and score was reached. The results
 * come from src/app (the server's too); this file prints them. */
#include "cli/scope.h"
#include "engine/score.h"
#include "util/err.h"
#include "util/num.h"

#include <stdlib.h>
#include <string.h>

#define SCHEME_OPTS                                                                                \
    { "--scheme", "CODE", "the scheme (default: the scheme of our region's peer group)" },         \
    { "--period", "YYYY-MM", "the month (default: the latest month on record)" }

const cli_opt cmd_score_opts[] = { SCHEME_OPTS, { NULL, NULL, NULL } };
const cli_opt cmd_explain_opts[] = {
    SCHEME_OPTS,
    { "--unit", "CODE", "the unit (default: our region)" },
    { "--indicator", "CODE", "only this indicator" },
    { "--ledger", "YEAR", "explain the unit's race points in a year instead (contests, events, caps)" },
    { NULL, NULL, NULL },
};
const cli_opt cmd_scheme_opts[] = { { NULL, NULL, NULL } };

/* ---- score ---- */

static const cli_column score_cols[] = {
    CLI_COL("rank", "名次", "rank", 1),
    CLI_COL("name", "单位", "unit", 0),
    CLI_COL("items_text", "指标得分", "indicators", 1),
    CLI_COL("bonus_text", "加分", "bonus", 1),
    CLI_COL("deduction_text", "减分", "deduction", 1),
    CLI_COL("total_text", "总分", "total", 1),
    CLI_COL("grade", "等次", "grade", 0),
};

int cmd_score(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    static const char *const api_only[] = { "scheme_name", "group_name", "published_only", NULL };
    json_t *res, *rows;
    int rc;
    if ((rc = cli_query(ctx, cmd, args, app_scores, &res)) != 0)
        return rc;
    if (ctx->json)
        return cli_print_json(cli_json_strip(res, api_only));
    cli_print_heading(ctx, cli_json_text(res, "group_name"), cli_json_text(res, "period"),
                      cli_json_text(res, "scheme_name"));
    rows = json_incref(json_object_get(res, "units"));
    json_decref(res);
    return cli_emit_rows(ctx, rows, score_cols, CLI_NCOLS(score_cols));
}

/* ---- explain ---- */

static double num_at(json_t *o, const char *key)
{
    return json_number_value(json_object_get(o, key));
}

static long long int_at(json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* Points as the engine writes them, with decimals decimals. */
static void points_text(json_t *v, int decimals, char *buf, size_t size)
{
    engine_points p = 0;
    engine_points_from(json_number_value(v), &p);
    engine_points_format(p, decimals, buf, size);
}

static void print_item_explain(const cli_ctx *ctx, json_t *it)
{
    const char *method = cli_json_text(it, "method"), *params = cli_json_text(it, "params");
    int m = model_enum_find(model_methods, METHOD_N, method), prec = (int)int_at(it, "precision");
    char pts[32];
    points_text(json_object_get(it, "score"), 4, pts, sizeof pts);
    printf("%s\n", cli_json_text(it, "name"));
    if (json_is_null(json_object_get(it, "value")))
        printf(CLI_TR(ctx, "  数值：暂无，不参与排名\n", "  value: none, not ranked\n"));
    else
        printf(CLI_TR(ctx, "  数值：%.*f %s（按 %d 位小数比较）\n  名次：第 %lld 名 = 1 + 严格优于本单位的 %lld 个单位；"
                           "并列 %lld 个；参与排名 %lld 个\n",
                      "  value: %.*f %s (compared at %d decimals)\n  rank: %lld = 1 + the %lld units "
                      "strictly better; %lld share it; %lld ranked\n"),
               prec, num_at(it, "value"), cli_json_text(it, "measure"), prec, int_at(it, "rank"),
               int_at(it, "better"), int_at(it, "ties"), int_at(it, "ranked"));
    printf(CLI_TR(ctx, "  赋分：%s（%s）\n  算式：%s\n  得分：%s\n\n", "  method: %s (%s)\n  formula: %s\n  score: %s\n\n"),
           ctx->english || m < 0 ? method : model_methods[m].label_zh,
           params[0] ? params : cli_tr(ctx, "默认参数", "default parameters"), cli_json_text(it, "formula"), pts);
}

static void print_explain_total(const cli_ctx *ctx, json_t *res)
{
    const char *grade = json_string_value(json_object_get(res, "grade"));
    char items[32], bonus[32], deduction[32], total[32];
    points_text(json_object_get(res, "items_total"), 4, items, sizeof items);
    points_text(json_object_get(res, "bonus"), 4, bonus, sizeof bonus);
    points_text(json_object_get(res, "deduction"), 4, deduction, sizeof deduction);
    points_text(json_object_get(res, "total"), 4, total, sizeof total);
    printf(CLI_TR(ctx, "总分：指标得分 %s + 加分 %s − 减分 %s = %s，第 %lld 名（%lld 个单位）",
                  "total: indicators %s + bonus %s − deductions %s = %s, rank %lld of %lld"),
           items, bonus, deduction, total, int_at(res, "rank"), int_at(res, "units"));
    if (grade)
        printf(CLI_TR(ctx, "，等次：%s（%s）", ", grade: %s (%s)"), grade, cli_json_text(res, "grading"));
    printf("%s\n", json_is_true(json_object_get(res, "veto"))
                       ? cli_tr(ctx, "；一票否决，不得评为第一等次", "; vetoed: barred from the top grade")
                       : "");
}

static int explain_ledger(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    const char *unit_opt = cli_opt_value(cmd, args, "--unit");
    long year;
    store *s;
    int rc;
    if (!unit_opt || num_parse_int(cli_opt_value(cmd, args, "--ledger"), PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, &year) != 0)
        return cli_usage_error(cmd, "explain --ledger YEAR --unit CODE");
    if ((rc = cli_open_existing(ctx, &s)) != 0)
        return rc;
    rc = cli_explain_ledger(ctx, s, unit_opt, (int)year);
    store_close(s);
    return rc;
}

int cmd_explain(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    static const char *const api_only[] = { "unit_name", "scheme_name", "grading", "published_only", "units", NULL };
    static const char *const item_api_only[] = { "params", NULL };
    json_t *res, *it;
    size_t i;
    int rc;
    if (cli_opt_set(cmd, args, "--ledger"))
        return explain_ledger(ctx, cmd, args);
    if ((rc = cli_query(ctx, cmd, args, app_explain, &res)) != 0)
        return rc;
    if (ctx->json) {
        json_array_foreach(json_object_get(res, "items"), i, it) {
            cli_json_strip(it, item_api_only);
        }
        return cli_print_json(cli_json_strip(res, api_only));
    }
    printf("%s · %s · %s\n\n", cli_json_text(res, "unit_name"), cli_json_text(res, "scheme_name"),
           cli_json_text(res, "period"));
    json_array_foreach(json_object_get(res, "items"), i, it) {
        print_item_explain(ctx, it);
    }
    if (!cli_opt_value(cmd, args, "--indicator"))
        print_explain_total(ctx, res);
    json_decref(res);
    return 0;
}

/* ---- scheme show ---- */

static const cli_column check_cols[] = {
    CLI_COL("indicator", "指标", "indicator", 0),
    CLI_COL("weight", "分值", "weight", 1),
    CLI_ENUM_COL("method", "赋分方法", "method", model_methods, METHOD_N),
    CLI_COL("params", "参数", "parameters", 0),
    CLI_COL("check", "检查", "check", 0),
};

int cmd_scheme(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    store *s;
    app_ctx q;
    json_t *res = NULL;
    size_t problems = 0;
    int rc;
    if (strcmp(args->pos[0], "show") != 0 || args->npos != 2)
        return cli_usage_error(cmd, "saima scheme show CODE");
    if ((rc = cli_open_existing(ctx, &s)) != 0)
        return rc;
    q = cli_query_ctx(ctx, s);
    rc = app_scheme_show(&q, args->pos[1], &res, &problems);
    store_close(s);
    if (rc != 0)
        return rc;
    if (ctx->json) {
        rc = cli_print_json(json_incref(res));
    } else {
        const char *grading = cli_json_text(res, "grading"), *settings = cli_json_text(res, "settings");
        char total[NUM_TEXT_MAX], got[NUM_TEXT_MAX];
        num_format(json_real_value(json_object_get(res, "total_weight")), total, sizeof total);
        num_format(json_real_value(json_object_get(res, "weights_sum")), got, sizeof got);
        printf("%s  %s\n", cli_json_text(res, "code"), cli_json_text(res, "name"));
        printf(CLI_TR(ctx, "分组 %s · 周期 %s · 总分值 %s（各项合计 %s）\n等次 %s（%s）\n"
                           "预警设置 %s（%s）\n\n",
                      "group %s · period %s · total %s (items add up to %s)\ngrades %s (%s)\n"
                      "warning settings %s (%s)\n\n"),
               cli_json_text(res, "group"), cli_json_text(res, "period_kind"), total, got,
               grading[0] ? grading : "—", cli_json_text(res, "grading_check"),
               settings[0] ? settings : cli_tr(ctx, "默认", "defaults"), cli_json_text(res, "settings_check"));
        rc = cli_emit_rows(ctx, json_incref(json_object_get(res, "items")), check_cols, CLI_NCOLS(check_cols));
    }
    if (rc == 0 && problems)
        rc = err_set(ERR_DATA, "scheme '%s' does not check out", cli_json_text(res, "code"));
    json_decref(res);
    return rc;
}
