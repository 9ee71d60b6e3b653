/* cmd_report: `saima report` prints the latest figures of our region (app_report) as a table
 * or as JSON: cumulative value, same period last year, growth, annual target, completion,
 * rank among the peers, and how many peer regions have reported the period. */
#include "cli/scope.h"
#include "util/err.h"
#include "util/period.h"

#include <stdlib.h>
#include <string.h>

#define DASH "—"

const cli_opt cmd_report_opts[] = {
    { "--period", "YYYY-MM", "month to report (default: the latest month with our figures)" },
    { NULL, NULL, NULL },
};

/* ---- text ---- */

/* v with precision decimals and thousands separators ("12,345.68"); never "-0". */
static void fmt_number(double v, int precision, char *buf, size_t size)
{
    char tmp[64], out[96];
    const char *digits, *dot;
    size_t k = 0, intlen;
    int neg;
    snprintf(tmp, sizeof tmp, "%.*f", precision, v);
    neg = tmp[0] == '-' && strspn(tmp + 1, "0.") != strlen(tmp + 1);
    digits = tmp[0] == '-' ? tmp + 1 : tmp;
    dot = strchr(digits, '.');
    intlen = dot ? (size_t)(dot - digits) : strlen(digits);
    if (neg)
        out[k++] = '-';
    for (size_t i = 0; i < intlen && k + 2 < sizeof out; i++) {
        if (i > 0 && (intlen - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = '\0';
    snprintf(buf, size, "%s%s", out, dot ? dot : "");
}

static const char *measure_en(const char *measure)
{
    static const char *const map[][2] = {
        { "亿元", "100M CNY" }, { "万元", "10k CNY" }, { "元", "CNY" },
        { "万平方米", "10k m2" }, { "万人", "10k people" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(map[i][0], measure) == 0)
            return map[i][1];
    }
    return measure;
}

/* "2025年1-10月" (cumulative) or "2025年1月"; in English "Jan-Oct 2025". */
static void period_label(const cli_ctx *ctx, const period_key *p, char *buf, size_t size)
{
    static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    int m = p->seq >= 1 && p->seq <= 12 ? p->seq : 1;
    if (ctx->english && m == 1)
        snprintf(buf, size, "Jan %d", p->year);
    else if (ctx->english)
        snprintf(buf, size, "Jan-%s %d", mon[m - 1], p->year);
    else if (m == 1)
        snprintf(buf, size, "%d年1月", p->year);
    else
        snprintf(buf, size, "%d年1-%d月", p->year, m);
}

/* The number at key of obj, when it is one. */
static int num_at(json_t *obj, const char *key, double *v)
{
    json_t *x = json_object_get(obj, key);
    if (!json_is_number(x))
        return 0;
    *v = json_number_value(x);
    return 1;
}

/* The English name at obj's "name_en" when asked for and given, else its "name". */
static const char *name_of(const cli_ctx *ctx, json_t *obj)
{
    const char *en = cli_json_text(obj, "name_en");
    return ctx->english && en[0] ? en : cli_json_text(obj, "name");
}

static void fmt_yoy(const cli_ctx *ctx, json_t *row, char *buf, size_t size)
{
    char num[40];
    double yoy;
    if (!num_at(row, "yoy", &yoy)) {
        snprintf(buf, size, DASH);
        return;
    }
    fmt_number(yoy, 1, num, sizeof num);
    if (strcmp(cli_json_text(row, "yoy_unit"), "points") == 0)
        snprintf(buf, size, "%s%s", num, cli_tr(ctx, "个百分点", " pp"));
    else
        snprintf(buf, size, "%s%%", num);
}

/* "3/12 前三" (in English "3/12 top 3"): our rank among those ranked, with the tier. */
static void fmt_rank(const cli_ctx *ctx, json_t *row, char *buf, size_t size)
{
    int tier = model_enum_find(app_tier_names, 4, cli_json_text(row, "tier"));
    if (tier < 0)
        tier = TIER_NONE;
    snprintf(buf, size, "%lld/%lld %s", (long long)json_integer_value(json_object_get(row, "rank")),
             (long long)json_integer_value(json_object_get(row, "ranked")),
             ctx->english ? (tier == TIER_TOP ? "top 3" : tier == TIER_BOTTOM ? "bottom 3" : "")
                          : app_tier_names[tier].label_zh);
}

/* "↑2", "↓1", "持平", or a dash when last month had no rank. */
static void fmt_move(const cli_ctx *ctx, json_t *row, char *buf, size_t size)
{
    json_t *m = json_object_get(row, "move_prev");
    json_int_t move = json_integer_value(m);
    if (json_is_integer(m) && move)
        snprintf(buf, size, "%s%lld", move > 0 ? "↑" : "↓", (long long)(move > 0 ? move : -move));
    else
        snprintf(buf, size, "%s", json_is_integer(m) ? cli_tr(ctx, "持平", "=") : DASH);
}

/* The number at key with the given decimals (and suffix), else a dash. */
static const char *fmt_at(json_t *row, const char *key, int precision, const char *suffix, char *buf,
                          size_t size)
{
    double v;
    if (!num_at(row, key, &v))
        return DASH;
    fmt_number(v, precision, buf, size);
    strncat(buf, suffix, size - strlen(buf) - 1);
    return buf;
}

static int add_row(const cli_ctx *ctx, table *t, json_t *row)
{
    char value[64], last[64], goal[64], yoy[64], done[64], rank[32], move[32];
    int precision = (int)json_integer_value(json_object_get(row, "precision"));
    int ranked = json_is_integer(json_object_get(row, "rank"));
    const char *measure = cli_json_text(row, "measure");
    const char *cells[9];
    if (ranked) {
        fmt_rank(ctx, row, rank, sizeof rank);
        fmt_move(ctx, row, move, sizeof move);
    }
    fmt_yoy(ctx, row, yoy, sizeof yoy);
    cells[0] = name_of(ctx, row);
    cells[1] = ctx->english ? measure_en(measure) : measure;
    cells[2] = fmt_at(row, "value", precision, "", value, sizeof value);
    cells[3] = fmt_at(row, "last_year", precision, "", last, sizeof last);
    cells[4] = yoy;
    cells[5] = fmt_at(row, "target", precision, "", goal, sizeof goal);
    cells[6] = fmt_at(row, "completion", 1, "%", done, sizeof done);
    cells[7] = ranked ? rank : DASH;
    cells[8] = ranked ? move : DASH;
    return table_add(t, cells);
}

static int print_text(const cli_ctx *ctx, json_t *res)
{
    static const char *const zh[] = { "指标", "计量单位", "本期累计", "去年同期", "同比增长",
                                      "年度目标", "目标完成率", "全市排名", "较上月" };
    static const char *const en[] = { "Indicator", "Measure", "Year to date", "Last year",
                                      "YoY", "Annual target", "Completion", "Rank", "vs month" };
    json_t *self = json_object_get(res, "unit"), *city = json_object_get(res, "city");
    json_t *rows = json_object_get(res, "indicators"), *sm = json_object_get(res, "summary");
    const char *code = cli_json_text(res, "period");
    long long regions = json_integer_value(json_object_get(res, "regions"));
    long long reported = json_integer_value(json_object_get(res, "regions_reported"));
    char label[64];
    period_key key;
    table *t = table_new(9, ctx->english ? en : zh);
    int rc = 0;
    if (!t)
        return err_set(ERR_NOMEM, "out of memory");
    for (int c = 2; c < 9; c++)
        table_right(t, c);
    for (size_t i = 0; i < json_array_size(rows) && rc == 0; i++)
        rc = add_row(ctx, t, json_array_get(rows, i));
    if (rc == 0 && (rc = period_parse(code, &key)) == 0) {
        period_label(ctx, &key, label, sizeof label);
        if (ctx->english)
            printf("%s: main economic indicators, %s (year to date)\n", name_of(ctx, self), label);
        else
            printf("%s主要经济指标（%s）\n", name_of(ctx, self), label);
        printf(CLI_TR(ctx, "%s%s已报送 %lld/%lld 个区县（%s）\n\n", "%s%s%lld/%lld regions have reported %s\n\n"),
               name_of(ctx, city), json_is_object(city) ? " · " : "", reported, regions, code);
        if (json_integer_value(json_object_get(sm, "ranked")))
            printf(CLI_TR(ctx, "%lld 项指标排名中：%lld 项第一，%lld 项第二，%lld 项第三，%lld 项进入第一方阵，"
                               "%lld 项排名后三。\n\n",
                          "%lld indicators ranked: %lld first, %lld second, %lld third, %lld in the first tier, "
                          "%lld in the bottom three.\n\n"),
                   (long long)json_integer_value(json_object_get(sm, "ranked")),
                   (long long)json_integer_value(json_object_get(sm, "first")),
                   (long long)json_integer_value(json_object_get(sm, "second")),
                   (long long)json_integer_value(json_object_get(sm, "third")),
                   (long long)json_integer_value(json_object_get(sm, "first_tier")),
                   (long long)json_integer_value(json_object_get(sm, "bottom_three")));
        table_print(t, stdout);
        printf("\n%s\n", cli_tr(ctx, "注：累计值为年初至本月；比重类指标的同比为百分点变化；"
                                     "— 表示暂无数据。",
                                "Values are cumulative from January; ratios change in "
                                "percentage points; — means no data yet."));
    }
    table_free(t);
    return rc;
}

/* Checks --period here so that its usage errors read as they always did. */
static int check_period(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    const char *text = cli_opt_value(cmd, args, "--period");
    period_key key;
    if (!text)
        return 0;
    if (period_parse(text, &key) != 0)
        return cli_usage_error(cmd, CLI_TR(ctx, "--period 无效：%s", "--period: %s"), err_msg());
    if (key.kind != PERIOD_MONTH)
        return cli_usage_error(cmd, CLI_TR(ctx, "--period 应为月份（YYYY-MM），而不是“%s”",
                                           "--period takes a month (YYYY-MM), not '%s'"),
                               text);
    return 0;
}

int cmd_report(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    static const char *const api_only[] = { "published_only", NULL };
    json_t *res = NULL;
    int rc;
    if ((rc = check_period(ctx, cmd, args)) != 0 || (rc = cli_query(ctx, cmd, args, app_report, &res)) != 0)
        return rc;
    if (ctx->json)
        return cli_print_json(cli_json_strip(res, api_only));
    rc = print_text(ctx, res);
    json_decref(res);
    return rc;
}
