/* cmd_race: the race (SPEC §7) — `saima contest run|show`, `flags`, `awards`, `ledger`,
 * `events add|list|revoke`. The race is run and read through src/app (the server's too);
 * this file parses options and prints. */
#include "cli/scope.h"
#include "engine/score.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/num.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest list of an award's winners shown in the awards table. */
#define WINNERS_TEXT_MAX 65536

const cli_opt cmd_contest_opts[] = {
    { "--period", "PERIOD", "the period of the contests, e.g. 2026-Q3 (required)" },
    { "--group", "CODE", "only this group" },
    { NULL, NULL, NULL },
};
const cli_opt cmd_flags_opts[] = {
    { "--group", "CODE", "only this group" },
    { NULL, NULL, NULL },
};
const cli_opt cmd_awards_opts[] = {
    { "--period", "PERIOD", "the period, e.g. 2026-Q3 (required)" },
    { "--group", "CODE", "only this group" },
    { NULL, NULL, NULL },
};
const cli_opt cmd_ledger_opts[] = {
    { "--year", "YEAR", "the year (required)" },
    { "--group", "CODE", "only this group" },
    { NULL, NULL, NULL },
};
const cli_opt cmd_events_opts[] = {
    { "--unit", "CODE", "add: the unit; list: only this unit" },
    { "--kind", "KIND", "add: commendation, criticism, bonus, deduction or veto (表扬, 通报批评, 加分, 扣分, 一票否决)" },
    { "--points", "N", "add: points; a deduction or criticism may be given as a positive number" },
    { "--category", "CODE", "add: the category whose yearly cap applies (default: the kind)" },
    { "--date", "YYYY-MM-DD", "add: the date of the event (default: today)" },
    { "--evidence", "TEXT", "add: the document or fact it rests on (required)" },
    { "--approved-by", "NAME", "add: who approved it (required)" },
    { "--reason", "TEXT", "revoke: why (容错免责 …; required)" },
    { "--year", "YEAR", "list: only this year" },
    { NULL, NULL, NULL },
};


/* ---- contest run and show, awards ---- */

static int contest_run(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, store *s)
{
    const char *text = cli_opt_value(cmd, args, "--period");
    app_ctx q = cli_query_ctx(ctx, s);
    period_key p;
    char code[PERIOD_CODE_MAX];
    size_t ran, ng;
    int rc;
    if (!text)
        return cli_usage_error(cmd, "--period is required (e.g. 2026-Q3)");
    if (period_parse(text, &p) != 0)
        return cli_usage_error(cmd, "--period: %s", err_msg());
    period_format(&p, code, sizeof code);
    if ((rc = app_contest_run(&q, &p, cli_opt_value(cmd, args, "--group"), &ran, &ng)) != 0)
        return rc;
    if (!ctx->json)
        printf(CLI_TR(ctx, "已评出 %s 的 %zu 场比拼，%zu 个分组。\n\n", "%s: %zu contests run in %zu groups.\n\n"),
               code, ran, ng);
    return 0;
}

/* The name of a unit among a group's units (JSON rows with unit and name), else the code. */
static const char *unit_name(json_t *units, const char *code)
{
    size_t i;
    json_t *u;
    json_array_foreach(units, i, u) {
        if (strcmp(cli_json_text(u, "unit"), code) == 0)
            return cli_json_text(u, "name");
    }
    return code;
}

/* Points as the engine writes them, with 2 decimals. */
static void points_text(json_t *v, char *buf, size_t size)
{
    engine_points p = 0;
    engine_points_from(json_number_value(v), &p);
    engine_points_format(p, 2, buf, size);
}

/* The table of one group's quarter: the ranking with points by category. */
static int print_group_table(const cli_ctx *ctx, json_t *g)
{
    cli_column cols[CLI_MAX_COLS];
    int nc = 0;
    size_t i;
    json_t *u, *c, *rows = json_array();
    cols[nc++] = (cli_column)CLI_COL("rank", "名次", "rank", 1);
    cols[nc++] = (cli_column)CLI_COL("name", "单位", "unit", 0);
    json_array_foreach(json_object_get(g, "contests"), i, c) {
        if (nc >= CLI_MAX_COLS - 2)
            break;
        cols[nc++] = (cli_column){ cli_json_text(c, "category"), cli_json_text(c, "name"), cli_json_text(c, "name"),
                                   1, NULL, 0 };
    }
    cols[nc++] = (cli_column)CLI_COL("total_text", "合计", "total", 1);
    cols[nc++] = (cli_column)CLI_COL("flag_text", "红旗", "flag", 0);
    json_array_foreach(json_object_get(g, "units"), i, u) {
        json_t *row = json_deep_copy(u), *v;
        const char *key;
        json_object_foreach(json_object_get(u, "points"), key, v) {
            char text[32];
            points_text(v, text, sizeof text);
            json_object_set_new(row, key, json_string(text));
        }
        json_object_set_new(row, "flag_text", json_string(json_is_true(json_object_get(u, "flag")) ? "★" : ""));
        json_array_append_new(rows, row);
    }
    return cli_emit_rows(ctx, rows, cols, nc);
}

/* Prints one group's quarter: the ranking with points by category, the flag, the awards. */
static int print_group_show(const cli_ctx *ctx, json_t *g)
{
    json_t *units = json_object_get(g, "units"), *u, *a;
    size_t i;
    printf("%s（%s）\n\n", cli_json_text(g, "name"), cli_json_text(g, "period"));
    if (!json_is_true(json_object_get(g, "ran")))
        printf(CLI_TR(ctx, "（尚未评出：saima contest run --period %s）\n\n",
                      "(not run yet: saima contest run --period %s)\n\n"),
               cli_json_text(g, "period"));
    if (print_group_table(ctx, g) != 0)
        return ERR_NOMEM;
    printf("\n%s", cli_tr(ctx, "流动红旗：", "red flag: "));
    json_array_foreach(json_object_get(g, "flag"), i, u) {
        printf("%s%s", i ? "、" : "", unit_name(units, json_string_value(u)));
    }
    printf("%s\n", json_array_size(json_object_get(g, "flag")) ? "" : "—");
    json_array_foreach(json_object_get(g, "awards"), i, a) {
        size_t k;
        json_t *w;
        printf("%s：", cli_json_text(a, "name"));
        json_array_foreach(json_object_get(a, "winners"), k, w) {
            printf("%s%s", k ? "、" : "", unit_name(units, json_string_value(w)));
        }
        printf("%s%s%s%s\n", json_array_size(json_object_get(a, "winners")) ? "" : "—",
               cli_tr(ctx, "（", " ("), cli_json_text(a, "rule"), cli_tr(ctx, "）", ")"));
    }
    putchar('\n');
    return 0;
}

/* The awards of every group shown (a JSON array of groups with "awards") as one table. */
static int print_awards(const cli_ctx *ctx, json_t *groups)
{
    static const cli_column cols[] = {
        CLI_COL("group", "分组", "group", 0),
        CLI_COL("name", "奖项", "award", 0),
        CLI_COL("winners_text", "获奖单位", "winners", 0),
        CLI_COL("rule", "评选规则", "rule", 0),
    };
    json_t *rows = json_array(), *gj, *a, *code;
    size_t i, k, w;
    struct buf text;
    int rc;
    buf_init(&text, WINNERS_TEXT_MAX);
    json_array_foreach(groups, i, gj) {
        json_array_foreach(json_object_get(gj, "awards"), k, a) {
            buf_reset(&text);
            json_array_foreach(json_object_get(a, "winners"), w, code) {
                buf_printf(&text, "%s%s", w ? "、" : "", json_string_value(code));
            }
            if ((rc = buf_error(&text)) != 0) {
                json_decref(rows);
                buf_free(&text);
                return err_set(rc, "the winners of an award do not fit in %d bytes", WINNERS_TEXT_MAX);
            }
            json_array_append_new(rows, json_pack("{s:O, s:O, s:s, s:O}", "group", json_object_get(gj, "group"),
                                                  "name", json_object_get(a, "name"), "winners_text",
                                                  buf_len(&text) ? buf_str(&text) : "—", "rule",
                                                  json_object_get(a, "rule")));
        }
    }
    buf_free(&text);
    return cli_emit_rows(ctx, rows, cols, CLI_NCOLS(cols));
}

/* The show of a period: each group's table, or with --json the array of groups (without the
 * contests list the API adds). */
static int contest_show(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, store *s, int awards_only)
{
    static const char *const api_only[] = { "contests", NULL };
    app_ctx q = cli_query_ctx(ctx, s);
    app_params p = cli_query_params(cmd, args);
    cli_query_fn fn = awards_only ? app_awards : app_contests;
    json_t *res = NULL, *groups, *g;
    size_t i;
    int rc;
    if ((rc = cli_query_error(cmd, fn(&q, &p, &res))) != 0)
        return rc;
    groups = json_incref(json_object_get(res, "groups"));
    json_decref(res);
    json_array_foreach(groups, i, g) {
        if (!ctx->json && !awards_only && (rc = print_group_show(ctx, g)) != 0)
            break;
        cli_json_strip(g, api_only);
    }
    if (rc == 0 && ctx->json)
        return cli_print_json(groups);
    if (rc == 0 && awards_only)
        rc = print_awards(ctx, groups);
    json_decref(groups);
    return rc;
}

int cmd_contest(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    store *s;
    int rc;
    if (strcmp(args->pos[0], "run") != 0 && strcmp(args->pos[0], "show") != 0)
        return cli_usage_error(cmd, "saima contest run|show --period PERIOD");
    if ((rc = cli_open_existing(ctx, &s)) != 0)
        return rc;
    /* a run is followed by what it decided, as a table or as JSON */
    if (strcmp(args->pos[0], "run") == 0)
        rc = contest_run(ctx, cmd, args, s);
    if (rc == 0)
        rc = contest_show(ctx, cmd, args, s, 0);
    store_close(s);
    return rc;
}

int cmd_awards(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    store *s;
    int rc;
    if ((rc = cli_open_existing(ctx, &s)) != 0)
        return rc;
    rc = contest_show(ctx, cmd, args, s, 1);
    store_close(s);
    return rc;
}

/* ---- flags ---- */

int cmd_flags(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    static const cli_column history_cols[] = {
        CLI_COL("period", "期间", "period", 0),
        CLI_COL("group", "分组", "group", 0),
        CLI_COL("name", "单位", "unit", 0),
        CLI_COL("change_text", "变化", "change", 0),
    };
    static const cli_column tally_cols[] = {
        CLI_COL("name", "单位", "unit", 0),
        CLI_COL("year", "年度", "year", 1),
        CLI_COL("flags", "获旗次数", "flags", 1),
    };
    static const cli_column record_cols[] = {
        CLI_COL("group", "分组", "group", 0),
        CLI_COL("name", "单位", "unit", 0),
        CLI_COL("firsts", "季度第一", "firsts", 1),
        CLI_COL("streak", "当前连冠", "current run", 1),
        CLI_COL("longest", "最长连冠", "longest run", 1),
        CLI_COL("best_rank", "历史最好名次", "best rank", 1),
        CLI_COL("flags", "获旗总数", "flags", 1),
    };
    static const char *const api_only[] = { "published_only", NULL };
    json_t *res;
    int rc;
    if ((rc = cli_query(ctx, cmd, args, app_flags, &res)) != 0)
        return rc;
    if (ctx->json)
        return cli_print_json(cli_json_strip(res, api_only));
    printf("%s\n\n", cli_tr(ctx, "流动红旗", "Red flag"));
    if ((rc = cli_emit_rows(ctx, json_incref(json_object_get(res, "history")), history_cols,
                            CLI_NCOLS(history_cols))) == 0) {
        putchar('\n');
        rc = cli_emit_rows(ctx, json_incref(json_object_get(res, "tally")), tally_cols, CLI_NCOLS(tally_cols));
    }
    if (rc == 0) {
        printf("\n%s\n\n", cli_tr(ctx, "纪录", "Records"));
        rc = cli_emit_rows(ctx, json_incref(json_object_get(res, "records")), record_cols, CLI_NCOLS(record_cols));
    }
    json_decref(res);
    return rc;
}

/* ---- ledger: the year's quarters and events ---- */

int cmd_ledger(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    static const cli_column cols[] = {
        CLI_COL("rank", "名次", "rank", 1),
        CLI_COL("name", "单位", "unit", 0),
        CLI_COL("q1", "一季度", "Q1", 1),
        CLI_COL("q2", "二季度", "Q2", 1),
        CLI_COL("q3", "三季度", "Q3", 1),
        CLI_COL("q4", "四季度", "Q4", 1),
        CLI_COL("bonus_text", "加分", "bonus", 1),
        CLI_COL("deduction_text", "减分", "deduction", 1),
        CLI_COL("total_text", "年度总分", "year total", 1),
        CLI_COL("veto_text", "一票否决", "veto", 0),
    };
    json_t *res, *groups, *g;
    size_t i;
    int rc;
    if (!cli_opt_value(cmd, args, "--year"))
        return cli_usage_error(cmd, "--year YEAR is required");
    if ((rc = cli_query(ctx, cmd, args, app_ledger, &res)) != 0)
        return rc;
    groups = json_incref(json_object_get(res, "groups"));
    json_decref(res);
    if (ctx->json)
        return cli_print_json(groups);
    json_array_foreach(groups, i, g) {
        printf(CLI_TR(ctx, "%s · %lld 年度积分台账\n\n", "%s · %lld ledger\n\n"), cli_json_text(g, "group"),
               (long long)json_integer_value(json_object_get(g, "year")));
        if ((rc = cli_emit_rows(ctx, json_incref(json_object_get(g, "units")), cols, CLI_NCOLS(cols))) != 0)
            break;
        putchar('\n');
    }
    json_decref(groups);
    return rc;
}

/* ---- events ---- */

static int events_add(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, store *s)
{
    app_ctx q = cli_query_ctx(ctx, s);
    app_event_in in = {
        cli_opt_value(cmd, args, "--unit"),     cli_opt_value(cmd, args, "--kind"),
        cli_opt_value(cmd, args, "--points"),   cli_opt_value(cmd, args, "--category"),
        cli_opt_value(cmd, args, "--date"),     cli_opt_value(cmd, args, "--evidence"),
        cli_opt_value(cmd, args, "--approved-by"),
    };
    int64_t id;
    int rc;
    if (!in.unit || !in.kind || !in.evidence || !in.approved_by)
        return cli_usage_error(cmd, "events add needs --unit, --kind, --evidence and --approved-by");
    if ((rc = cli_query_error(cmd, app_event_add(&q, &in, &id))) != 0)
        return rc;
    if (ctx->json)
        return cli_print_json(json_pack("{s:I}", "id", (json_int_t)id));
    printf(CLI_TR(ctx, "已登记第 %lld 号事项\n", "recorded event %lld\n"), (long long)id);
    return 0;
}

static int events_list(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, store *s)
{
    static const cli_column cols[] = {
        CLI_COL("id", "编号", "id", 1),
        CLI_COL("date", "日期", "date", 0),
        CLI_COL("unit", "单位", "unit", 0),
        CLI_ENUM_COL("kind", "类型", "kind", model_event_kinds, EVENT_KIND_N),
        CLI_COL("category", "类别", "category", 0),
        CLI_COL("points", "分值", "points", 1),
        CLI_COL("evidence", "依据", "evidence", 0),
        CLI_COL("approved_by", "审批", "approved by", 0),
        CLI_COL("status", "状态", "status", 0),
    };
    const char *y = cli_opt_value(cmd, args, "--year");
    app_ctx q = cli_query_ctx(ctx, s);
    json_t *rows;
    long year = 0;
    int rc;
    if (y && num_parse_int(y, PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, &year) != 0)
        return cli_usage_error(cmd, "--year: %s", err_msg());
    if ((rc = app_events_list(&q, cli_opt_value(cmd, args, "--unit"), (int)year, &rows)) != 0)
        return rc;
    return cli_emit_rows(ctx, rows, cols, CLI_NCOLS(cols));
}

static int events_revoke(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, store *s)
{
    const char *reason = cli_opt_value(cmd, args, "--reason");
    app_ctx q = cli_query_ctx(ctx, s);
    long id;
    int rc;
    if (args->npos != 2 || num_parse_int(args->pos[1], 1, 2147483647L, &id) != 0)
        return cli_usage_error(cmd, "saima events revoke ID --reason TEXT");
    if ((rc = cli_query_error(cmd, app_event_revoke(&q, id, reason))) == 0 && !ctx->json)
        printf(CLI_TR(ctx, "已撤销第 %ld 号事项（记录保留）\n", "event %ld revoked (kept on record)\n"), id);
    return rc;
}

int cmd_events(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    const char *sub = args->pos[0];
    store *s;
    int rc;
    if (strcmp(sub, "add") != 0 && strcmp(sub, "list") != 0 && strcmp(sub, "revoke") != 0)
        return cli_usage_error(cmd, "saima events add|list|revoke");
    if ((rc = cli_open_existing(ctx, &s)) != 0)
        return rc;
    if (strcmp(sub, "add") == 0)
        rc = events_add(ctx, cmd, args, s);
    else if (strcmp(sub, "list") == 0)
        rc = events_list(ctx, cmd, args, s);
    else
        rc = events_revoke(ctx, cmd, args, s);
    store_close(s);
    return rc;
}

/* ---- explain a unit's points: every contest, every event, the caps ---- */

static void print_ledger_explain(const cli_ctx *ctx, json_t *res)
{
    size_t i;
    json_t *x;
    char text[32];
    printf(CLI_TR(ctx, "%s · %lld 年度积分\n\n比拼：\n", "%s · %lld points\n\ncontests:\n"), cli_json_text(res, "name"),
           (long long)json_integer_value(json_object_get(res, "year")));
    json_array_foreach(json_object_get(res, "contests"), i, x) {
        printf(CLI_TR(ctx, "  %s  %s  得分 %.2f，第 %lld 名 → %+.2f 分\n", "  %s  %-10s score %.2f, rank %lld -> %+.2f\n"),
               cli_json_text(x, "period"), cli_json_text(x, "name"), json_real_value(json_object_get(x, "score")),
               (long long)json_integer_value(json_object_get(x, "rank")), json_real_value(json_object_get(x, "points")));
    }
    printf("%s", cli_tr(ctx, "事项：\n", "events:\n"));
    json_array_foreach(json_object_get(res, "events"), i, x) {
        printf("  #%lld %s %s %s %+.2f %s%s\n", (long long)json_integer_value(json_object_get(x, "id")),
               cli_json_text(x, "date"), cli_json_text(x, "kind"), cli_json_text(x, "category"),
               json_real_value(json_object_get(x, "points")), cli_json_text(x, "evidence"),
               json_is_true(json_object_get(x, "revoked")) ? cli_tr(ctx, "（已撤销，不计分）", " (revoked: not counted)")
                                                           : "");
    }
    points_text(json_object_get(res, "total"), text, sizeof text);
    printf(CLI_TR(ctx, "\n年度总分 = 比拼 %.2f + 加分 %.2f（封顶后）− 减分 %.2f（封顶后）= %s，组内第 %lld 名%s\n",
                  "\nyear total = contests %.2f + bonus %.2f (capped) - deductions %.2f (capped) = %s, rank %lld%s\n"),
           json_real_value(json_object_get(res, "contests_total")), json_real_value(json_object_get(res, "bonus")),
           json_real_value(json_object_get(res, "deduction")), text,
           (long long)json_integer_value(json_object_get(res, "rank")),
           json_is_true(json_object_get(res, "veto")) ? cli_tr(ctx, "；一票否决，不得评优", "; vetoed: barred from the top grade")
                                                      : "");
}

int cli_explain_ledger(const cli_ctx *ctx, store *s, const char *unit_code, int year)
{
    static const char *const api_only[] = { "name", "published_only", NULL };
    app_ctx q = cli_query_ctx(ctx, s);
    json_t *res;
    int rc;
    if ((rc = app_explain_ledger(&q, unit_code, year, &res)) != 0)
        return rc;
    if (ctx->json)
        return cli_print_json(cli_json_strip(res, api_only));
    print_ledger_explain(ctx, res);
    json_decref(res);
    return 0;
}
