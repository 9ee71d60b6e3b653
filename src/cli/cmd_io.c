/* cmd_io: `saima import KIND FILE` (one file, one transaction, errors by line and column)
 * and `saima export KIND [FILE]` (the same CSV formats back). */
#include "cli/scope.h"
#include "io/import.h"
#include "util/err.h"
#include "util/num.h"

#include <stdlib.h>
#include <string.h>

const cli_opt cmd_import_opts[] = {
    { "--state", "S", "state of imported observations: draft, submitted (default), approved, "
                      "published (a 'state' column overrides it)" },
    { "--today", "YYYY-MM-DD", "the date periods may not end after (default: today)" },
    { NULL, NULL, NULL },
};

const cli_opt cmd_export_opts[] = {
    { "--indicator", "CODE", "observations, targets: only this indicator" },
    { "--unit", "CODE", "observations, targets: only this unit" },
    { "--period", "P", "observations: only this period (2025-09, 2025-Q3, 2025年1-9月...)" },
    { "--year", "Y", "observations, targets: only this year" },
    { "--no-bom", NULL, "leave out the UTF-8 byte order mark (Excel needs it to read Chinese)" },
    { NULL, NULL, NULL },
};

static int parse_kind(const cli_cmd *cmd, const char *text, int *kind)
{
    if (io_kind_parse(text, kind) != 0)
        return cli_usage_error(cmd, "unknown kind '%s' (units, groups, indicators, schemes, "
                                    "targets, observations, categories, contests, judges, awards, "
                                    "caps)", text);
    return 0;
}

static json_t *report_json(const io_report *rep, int english)
{
    json_t *errors = json_array(), *root;
    char msg[1024];
    for (size_t i = 0; errors && i < rep->nerrors; i++) {
        const io_error *e = &rep->errors[i];
        io_error_format(rep, e, english, msg, sizeof msg);
        json_array_append_new(errors, json_pack("{s:I, s:s, s:s, s:s, s:s}", "line",
                                                (json_int_t)e->line, "column", e->column, "reason",
                                                io_reason_key(e->reason), "value", e->detail,
                                                "message", msg));
    }
    root = json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "kind",
                     io_kind_name(rep->kind), "file", rep->file, "ok", rep->nerrors_total == 0,
                     "rows", (json_int_t)rep->rows, "inserted", (json_int_t)rep->inserted, "changed",
                     (json_int_t)rep->changed, "unchanged", (json_int_t)rep->unchanged, "flagged",
                     (json_int_t)rep->flagged, "errors_total", (json_int_t)rep->nerrors_total,
                     "errors", errors);
    if (root)
        json_object_set_new(root, "encoding", json_string(rep->encoding[0] ? rep->encoding : "UTF-8"));
    return root;
}

static void print_summary(const cli_ctx *ctx, const io_report *rep)
{
    if (ctx->english)
        printf("imported %s (%s): %zu rows, %zu inserted, %zu changed, %zu unchanged, "
               "%zu flagged for review\n", rep->file, io_kind_name(rep->kind), rep->rows,
               rep->inserted, rep->changed, rep->unchanged, rep->flagged);
    else
        printf("已导入 %s（%s）：共 %zu 行，新增 %zu，修改 %zu，未变 %zu，待核查标记 %zu\n",
               rep->file, io_kind_name(rep->kind), rep->rows, rep->inserted, rep->changed,
               rep->unchanged, rep->flagged);
    if (rep->encoding[0])
        printf(CLI_TR(ctx, "（文件为 %s 编码，已按此读取；建议在Excel中另存为“CSV UTF-8”）\n",
                      "(the file was in %s and was read as such; Excel's \"CSV UTF-8\" avoids this)\n"),
               rep->encoding);
    if (rep->flagged > 0)
        printf("%s\n", cli_tr(ctx, "（saima list flags 查看待核查的数值）",
                              "(saima list flags shows the values to review)"));
}

static void print_errors(const cli_ctx *ctx, const io_report *rep)
{
    char msg[1024];
    for (size_t i = 0; i < rep->nerrors; i++) {
        io_error_format(rep, &rep->errors[i], ctx->english, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
    }
    if (rep->nerrors_total > rep->nerrors)
        fprintf(stderr, ctx->english ? "... and %zu more\n" : "……另有 %zu 处错误\n",
                rep->nerrors_total - rep->nerrors);
}

int cmd_import(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    io_import_opts opts = IO_IMPORT_OPTS_INIT;
    const char *state = cli_opt_value(cmd, args, "--state");
    app_ctx q;
    io_report *rep;
    store *s = NULL;
    int kind, rc;
    if ((rc = parse_kind(cmd, args->pos[0], &kind)) != 0)
        return rc;
    if (state && (opts.state = model_enum_find(model_obs_states, OBS_STATE_N, state)) < 0)
        return cli_usage_error(cmd, "unknown state '%s' (draft, submitted, approved, published)",
                               state);
    opts.today = cli_opt_value(cmd, args, "--today");
    opts.actor = ctx->actor;
    if (!(rep = malloc(sizeof *rep)))
        return err_set(ERR_NOMEM, "out of memory");
    if ((rc = cli_open_store(ctx, &s)) != 0)
        goto done;
    q = cli_query_ctx(ctx, s);
    rc = app_import_file(&q, kind, args->pos[1], &opts, rep);
    if (rc == ERR_USAGE)
        rc = cli_usage_error(cmd, "%s", err_msg());
    if (rc != 0 && rc != ERR_DATA)
        goto done;
    if (rc == ERR_DATA && rep->nerrors_total == 0)
        goto done;
    if (ctx->json) {
        int jrc = cli_print_json(report_json(rep, ctx->english));
        if (rc == 0)
            rc = jrc;
    } else if (rc == 0) {
        print_summary(ctx, rep);
    } else {
        print_errors(ctx, rep);
    }
    if (rc == ERR_DATA)
        rc = err_set(ERR_DATA, ctx->english ? "%zu errors, nothing was written"
                                            : "共 %zu 处错误，未写入任何数据", rep->nerrors_total);
done:
    store_close(s);
    free(rep);
    return rc;
}

/* Writes the export to path, or to standard output when path is NULL or "-". */
static int export_to(const app_ctx *q, int kind, const char *path, const io_export_opts *opts)
{
    FILE *out = stdout;
    int rc;
    if (path && strcmp(path, "-") != 0 && !(out = fopen(path, "wb")))
        return err_set(ERR_IO, "cannot create '%s'", path);
    rc = app_export(q, kind, out, opts);
    if (out != stdout && fclose(out) != 0 && rc == 0)
        rc = err_set(ERR_IO, "cannot write '%s'", path);
    if (rc != 0 && out != stdout)
        remove(path);
    return rc;
}

int cmd_export(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    io_export_opts opts;
    const char *year = cli_opt_value(cmd, args, "--year");
    store *s = NULL;
    app_ctx q;
    long y = 0;
    int kind, rc;
    if ((rc = parse_kind(cmd, args->pos[0], &kind)) != 0)
        return rc;
    memset(&opts, 0, sizeof opts);
    opts.english = ctx->english;
    opts.no_bom = cli_opt_set(cmd, args, "--no-bom");
    opts.indicator = cli_opt_value(cmd, args, "--indicator");
    opts.unit = cli_opt_value(cmd, args, "--unit");
    opts.period = cli_opt_value(cmd, args, "--period");
    if (year && num_parse_int(year, PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, &y) != 0)
        return cli_usage_error(cmd, "--year: %s", err_msg());
    opts.year = (int)y;
    if (kind != IO_OBSERVATIONS && kind != IO_TARGETS &&
        (opts.indicator || opts.unit || opts.period || year))
        return cli_usage_error(cmd, "--indicator, --unit, --period and --year filter only "
                                    "observations and targets");
    if (kind == IO_TARGETS && opts.period)
        return cli_usage_error(cmd, "--period filters only observations (use --year for targets)");
    if ((rc = cli_open_store(ctx, &s)) != 0)
        return rc;
    q = cli_query_ctx(ctx, s);
    rc = export_to(&q, kind, args->npos > 1 ? args->pos[1] : NULL, &opts);
    store_close(s);
    return rc;
}
