/* cmd_entry: `saima submissions list|show|approve|return|remind|deadline` — the assessment
 * office's side of data entry from the terminal (docs/entry.md): who has submitted, one
 * submission with its figures and history, approving (publishes and locks) or returning with
 * a reason, the 催报 list of missing and late units, and a period's deadline. Every answer
 * comes from the use-case layer (app/submissions.c), the API's too; this file prints it. */
#include "cli/scope.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cli_opt cmd_submissions_opts[] = {
    { "--period", "PERIOD", "the period (default: the latest month on record)" },
    { "--reason", "TEXT", "return: why the figures go back to the unit (required)" },
    { "--date", "YYYY-MM-DD", "deadline: the last day figures are on time (\"\" for none)" },
    { "--now", "TIME", "judge lateness at this time, YYYY-MM-DD[THH:MM:SSZ] (default: now)" },
    { NULL, NULL, NULL },
};

#define USAGE "saima submissions list|show|approve|return|remind|deadline [UNIT]"

static const cli_column list_cols[] = {
    CLI_COL("unit", "单位代码", "unit", 0),
    CLI_COL("name", "单位", "name", 0),
    CLI_ENUM_COL("state", "状态", "state", model_sub_states, SUB_STATE_N),
    CLI_COL("late", "逾期", "late", 0),
    CLI_COL("filled", "已填", "filled", 1),
    CLI_COL("expected", "应填", "expected", 1),
    CLI_COL("submitted_at", "报送时间", "submitted at", 0),
    CLI_COL("reviewed_by", "审核人", "reviewed by", 0),
    CLI_COL("reason", "退回原因", "reason", 0),
};

static const cli_column item_cols[] = {
    CLI_COL("indicator", "指标代码", "indicator", 0),
    CLI_COL("name", "指标", "name", 0),
    CLI_COL("unit", "计量单位", "unit", 0),
    CLI_COL("value", "本期", "value", 1),
    CLI_COL("previous", "上期", "previous", 1),
    CLI_COL("note", "备注", "note", 0),
};

static const cli_column history_cols[] = {
    CLI_COL("at", "时间", "at", 0),
    CLI_COL("by", "操作人", "by", 0),
    CLI_ENUM_COL("from", "原状态", "from", model_sub_states, SUB_STATE_N),
    CLI_ENUM_COL("state", "新状态", "to", model_sub_states, SUB_STATE_N),
    CLI_COL("reason", "原因", "reason", 0),
};

static const cli_column missing_cols[] = {
    CLI_COL("unit", "单位代码", "unit", 0),
    CLI_COL("name", "单位", "name", 0),
    CLI_ENUM_COL("state", "状态", "state", model_sub_states, SUB_STATE_N),
};

static const cli_column late_cols[] = {
    CLI_COL("unit", "单位代码", "unit", 0),
    CLI_COL("name", "单位", "name", 0),
    CLI_ENUM_COL("state", "状态", "state", model_sub_states, SUB_STATE_N),
    CLI_COL("submitted_at", "报送时间", "submitted at", 0),
};

/* The period of --period (canonical) or the latest month; "now" of --now ("" for the clock). */
static int settle(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, store *s,
                  char *pcode, size_t psize, char *now, size_t nsize)
{
    const char *p = cli_opt_value(cmd, args, "--period"), *n = cli_opt_value(cmd, args, "--now");
    period_key key;
    int rc;
    if (p && period_parse(p, &key) != 0)
        return cli_usage_error(cmd, CLI_TR(ctx, "--period 无效：%s", "--period: %s"), err_msg());
    if ((rc = app_period_or_latest(s, p, pcode, psize)) != 0)
        return rc;
    now[0] = '\0';
    if (n && app_entry_time_parse(n, now, nsize) != 0)
        return cli_usage_error(cmd, CLI_TR(ctx, "--now 无效：%s", "--now: %s"), err_msg());
    return 0;
}

static const char *text_of(json_t *o, const char *key)
{
    const char *t = json_string_value(json_object_get(o, key));
    return t ? t : "—";
}

static void print_head(const cli_ctx *ctx, json_t *o)
{
    printf(CLI_TR(ctx, "期间 %s，报送截止 %s\n", "period %s, deadline %s\n"), text_of(o, "period"),
           text_of(o, "deadline"));
}

static int list(const cli_ctx *ctx, const app_ctx *q, const char *pcode)
{
    json_t *o;
    int rc;
    if ((rc = app_submissions_list(q, pcode, &o)) != 0)
        return rc;
    if (ctx->json)
        return cli_print_json(o);
    print_head(ctx, o);
    rc = cli_emit_rows(ctx, json_incref(json_object_get(o, "items")), list_cols, CLI_NCOLS(list_cols));
    json_decref(o);
    return rc;
}

static int show(const cli_ctx *ctx, const app_ctx *q, const char *unit_code, const char *pcode)
{
    json_t *o, *state;
    char label[MODEL_TEXT_MAX];
    int rc;
    if ((rc = app_submission_show(q, unit_code, pcode, &o)) != 0)
        return rc;
    if (ctx->json)
        return cli_print_json(o);
    state = json_object_get(o, "state");
    cli_cell_text(ctx, state, model_sub_states, SUB_STATE_N, label, sizeof label);
    printf("%s（%s）  ", text_of(o, "name"), text_of(o, "unit"));
    print_head(ctx, o);
    printf(CLI_TR(ctx, "状态 %s%s；报送 %s %s；审核 %s %s\n", "state %s%s; submitted by %s at %s; "
                                                         "reviewed by %s at %s\n"),
           label, json_is_true(json_object_get(o, "late")) ? cli_tr(ctx, "（逾期）", " (late)") : "",
           text_of(o, "submitted_by"), text_of(o, "submitted_at"), text_of(o, "reviewed_by"),
           text_of(o, "reviewed_at"));
    if (json_is_string(json_object_get(o, "reason")))
        printf(CLI_TR(ctx, "退回原因：%s\n", "returned because: %s\n"), text_of(o, "reason"));
    if ((rc = cli_emit_rows(ctx, json_incref(json_object_get(o, "items")), item_cols,
                            CLI_NCOLS(item_cols))) == 0) {
        printf("%s\n", cli_tr(ctx, "流转记录", "history"));
        rc = cli_emit_rows(ctx, json_incref(json_object_get(o, "history")), history_cols,
                           CLI_NCOLS(history_cols));
    }
    json_decref(o);
    return rc;
}

static int remind(const cli_ctx *ctx, const app_ctx *q, const char *pcode)
{
    json_t *o, *missing, *late;
    int rc;
    if ((rc = app_reminders(q, pcode, &o)) != 0)
        return rc;
    if (ctx->json)
        return cli_print_json(o);
    missing = json_object_get(o, "missing");
    late = json_object_get(o, "late");
    print_head(ctx, o);
    printf(CLI_TR(ctx, "未报送或待重报：%zu 个单位\n", "not submitted: %zu units\n"),
           json_array_size(missing));
    if ((rc = cli_emit_rows(ctx, json_incref(missing), missing_cols, CLI_NCOLS(missing_cols))) == 0) {
        printf(CLI_TR(ctx, "逾期：%zu 个单位\n", "late: %zu units\n"), json_array_size(late));
        rc = cli_emit_rows(ctx, json_incref(late), late_cols, CLI_NCOLS(late_cols));
    }
    json_decref(o);
    return rc;
}

/* Approves or returns one unit's submission, then prints it. */
static int review(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, const app_ctx *q,
                  const char *unit_code, const char *pcode, int approve)
{
    const char *reason = cli_opt_value(cmd, args, "--reason");
    json_t *o;
    int rc;
    if (!approve && !reason)
        return cli_usage_error(cmd, "%s", cli_tr(ctx, "退回需要 --reason 说明原因",
                                                 "return needs --reason"));
    if ((rc = app_submission_move(q, approve ? SUB_APPROVED : SUB_RETURNED, unit_code, pcode, reason,
                                  &o)) != 0)
        return rc;
    if (ctx->json)
        return cli_print_json(o);
    json_decref(o);
    if (approve)
        printf(CLI_TR(ctx, "已审核：%s %s，数据已发布并锁定\n",
                      "approved: %s %s; the figures are published and locked\n"),
               unit_code, pcode);
    else
        printf(CLI_TR(ctx, "已退回：%s %s，原因：%s\n", "returned: %s %s, because: %s\n"),
               unit_code, pcode, reason);
    return 0;
}

static int deadline(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, const app_ctx *q,
                    const char *pcode)
{
    const char *date = cli_opt_value(cmd, args, "--date");
    int rc;
    if (!date)
        return cli_usage_error(cmd, "%s", cli_tr(ctx, "deadline 需要 --date YYYY-MM-DD",
                                                 "deadline needs --date YYYY-MM-DD"));
    if ((rc = app_deadline_set(q, pcode, date)) != 0)
        return rc;
    if (ctx->json)
        return cli_print_json(json_pack("{s:s, s:s}", "period", pcode, "deadline", date));
    printf(CLI_TR(ctx, "%s 的报送截止日期：%s\n", "deadline of %s: %s\n"), pcode,
           date[0] ? date : "—");
    return 0;
}

/* Checks the positional arguments: UNIT for show, approve and return, none otherwise. */
static int check_args(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, int *with_unit)
{
    static const char *const subs[] = { "list", "show", "approve", "return", "remind", "deadline" };
    const char *sub = args->pos[0];
    int known = 0;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        known |= strcmp(sub, subs[i]) == 0;
    if (!known)
        return cli_usage_error(cmd, USAGE);
    *with_unit = strcmp(sub, "show") == 0 || strcmp(sub, "approve") == 0 || strcmp(sub, "return") == 0;
    if (*with_unit && args->npos != 2)
        return cli_usage_error(cmd, CLI_TR(ctx, "saima submissions %s 需要单位代码 UNIT",
                                           "saima submissions %s needs a UNIT"),
                               sub);
    if (!*with_unit && args->npos != 1)
        return cli_usage_error(cmd, CLI_TR(ctx, "saima submissions %s 不接受单位代码",
                                           "saima submissions %s takes no UNIT"),
                               sub);
    return 0;
}

int cmd_submissions(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    const char *sub = args->pos[0];
    char pcode[PERIOD_CODE_MAX], now[MODEL_TIME_MAX];
    store *s = NULL;
    app_ctx q;
    int rc, with_unit;
    if ((rc = check_args(ctx, cmd, args, &with_unit)) != 0 || (rc = cli_open_existing(ctx, &s)) != 0 ||
        (rc = settle(ctx, cmd, args, s, pcode, sizeof pcode, now, sizeof now)) != 0)
        goto done;
    q = cli_query_ctx(ctx, s);
    q.now = now;
    if (strcmp(sub, "list") == 0)
        rc = list(ctx, &q, pcode);
    else if (strcmp(sub, "show") == 0)
        rc = show(ctx, &q, args->pos[1], pcode);
    else if (strcmp(sub, "remind") == 0)
        rc = remind(ctx, &q, pcode);
    else if (strcmp(sub, "deadline") == 0)
        rc = deadline(ctx, cmd, args, &q, pcode);
    else
        rc = review(ctx, cmd, args, &q, args->pos[1], pcode, strcmp(sub, "approve") == 0);
done:
    store_close(s);
    return rc;
}
