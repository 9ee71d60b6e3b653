/* dispatch: runs `saima <command>` over the program's command table — global options, help,
 * argument parsing, exit codes (0 ok, 1 usage, 2 bad data, 3 internal). */
#include "cli/cli.h"
#include "util/err.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const global_help[][2] = {
    { "--db PATH", "database: a file, or sqlite:FILE (default ./saima.db, or $SAIMA_DB)" },
    { "--json", "print data as JSON" },
    { "--lang zh|en", "language of messages and tables (default zh, or $SAIMA_LANG)" },
    { "--user NAME", "who is recorded as entering data (default $USER)" },
};

static const cli_cmd *find_command(const cli_cmd *commands, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    }
    return NULL;
}

static void print_overview(const cli_ctx *ctx, const cli_cmd *commands, size_t n, FILE *out)
{
    fprintf(out, "%s\n\n", cli_tr(ctx, "用法: saima [全局选项] 命令 [参数]",
                                  "usage: saima [global options] COMMAND [ARGS]"));
    fprintf(out, "%s\n", cli_tr(ctx, "命令:", "commands:"));
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name,
                cli_tr(ctx, commands[i].summary_zh, commands[i].summary));
    fprintf(out, "\n%s\n", cli_tr(ctx, "全局选项:", "global options:"));
    for (size_t i = 0; i < sizeof global_help / sizeof global_help[0]; i++)
        fprintf(out, "  %-14s %s\n", global_help[i][0], global_help[i][1]);
    fprintf(out, "\n%s\n", cli_tr(ctx, "退出码: 0 成功, 1 用法错误, 2 数据错误, 3 内部错误。"
                                       "  saima help 命令 查看详情。",
                                  "exit codes: 0 ok, 1 usage, 2 bad data, 3 internal."
                                  "  saima help COMMAND for details."));
}

static void print_command_help(const cli_ctx *ctx, const cli_cmd *cmd, FILE *out)
{
    fprintf(out, "%s: saima %s%s%s\n", cli_tr(ctx, "用法", "usage"), cmd->name,
            cmd->opts && cmd->opts[0].name ? " [options]" : "", "");
    if (cmd->usage[0])
        fprintf(out, "       saima %s %s\n", cmd->name, cmd->usage);
    fprintf(out, "\n%s\n", cli_tr(ctx, cmd->summary_zh, cmd->summary));
    if (cmd->opts && cmd->opts[0].name) {
        fprintf(out, "\n%s\n", cli_tr(ctx, "选项:", "options:"));
        for (const cli_opt *o = cmd->opts; o->name; o++) {
            char left[64];
            snprintf(left, sizeof left, "%s%s%s", o->name, o->metavar ? " " : "",
                     o->metavar ? o->metavar : "");
            fprintf(out, "  %-22s %s\n", left, o->help);
        }
    }
}

/* Splits argv into the command's options and positionals; unknown options are usage errors. */
static int parse_args(const cli_cmd *cmd, int argc, char **argv, cli_args *args)
{
    memset(args, 0, sizeof *args);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] == '-' && a[2]) {
            int k = -1;
            for (int j = 0; cmd->opts && cmd->opts[j].name; j++) {
                if (strcmp(cmd->opts[j].name, a) == 0)
                    k = j;
            }
            if (k < 0)
                return cli_usage_error(cmd, "unknown option %s", a);
            args->set[k] = 1;
            if (cmd->opts[k].metavar) {
                if (i + 1 >= argc)
                    return cli_usage_error(cmd, "option %s needs a value (%s)", a,
                                           cmd->opts[k].metavar);
                args->value[k] = argv[++i];
            }
        } else {
            if (args->npos >= CLI_MAX_POS || args->npos >= cmd->max_pos)
                return cli_usage_error(cmd, "unexpected argument '%s'", a);
            args->pos[args->npos++] = a;
        }
    }
    if (args->npos < cmd->min_pos)
        return cli_usage_error(cmd, "missing argument: %s", cmd->usage);
    return 0;
}

/* Removes the global options from argv wherever they stand; returns the new argc or -1. */
static int take_globals(int argc, char **argv, cli_ctx *ctx)
{
    int n = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int takes_value = strcmp(a, "--db") == 0 || strcmp(a, "--lang") == 0 ||
                          strcmp(a, "--user") == 0;
        if (takes_value) {
            if (i + 1 >= argc) {
                fprintf(stderr, "saima: option %s needs a value\n", a);
                return -1;
            }
            const char *v = argv[++i];
            if (strcmp(a, "--db") == 0)
                ctx->db_path = v;
            else if (strcmp(a, "--user") == 0)
                ctx->actor = v;
            else if (strcmp(v, "en") == 0 || strcmp(v, "zh") == 0)
                ctx->english = strcmp(v, "en") == 0;
            else {
                fprintf(stderr, "saima: --lang takes zh or en, not '%s'\n", v);
                return -1;
            }
        } else if (strcmp(a, "--json") == 0) {
            ctx->json = 1;
        } else {
            argv[n++] = argv[i];
        }
    }
    return n;
}

int cli_main(int argc, char **argv, const cli_cmd *commands, size_t ncommands)
{
    cli_ctx ctx = { "saima.db", 0, 0, NULL };
    const char *env_lang = getenv("SAIMA_LANG");
    const cli_cmd *cmd;
    cli_args args;
    int rc;

    if (getenv("SAIMA_DB"))
        ctx.db_path = getenv("SAIMA_DB");
    ctx.english = env_lang && strncmp(env_lang, "en", 2) == 0;
    ctx.actor = getenv("USER") ? getenv("USER") : "cli";
    if ((argc = take_globals(argc - 1, argv + 1, &ctx)) < 0)
        return 1;
    argv++;
    if (argc == 0 || strcmp(argv[0], "help") == 0 || strcmp(argv[0], "--help") == 0 ||
        strcmp(argv[0], "-h") == 0) {
        if (argc >= 2 && argv[0][0] == 'h') {
            if (!(cmd = find_command(commands, ncommands, argv[1]))) {
                fprintf(stderr, "saima: unknown command '%s'\n", argv[1]);
                return 1;
            }
            print_command_help(&ctx, cmd, stdout);
            return 0;
        }
        print_overview(&ctx, commands, ncommands, argc == 0 ? stderr : stdout);
        return argc == 0 ? 1 : 0;
    }
    if (!(cmd = find_command(commands, ncommands, argv[0]))) {
        fprintf(stderr, "saima: %s '%s' (saima help)\n", cli_tr(&ctx, "未知命令", "unknown command"),
                argv[0]);
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_command_help(&ctx, cmd, stdout);
            return 0;
        }
    }
    if ((rc = parse_args(cmd, argc - 1, argv + 1, &args)) == 0)
        rc = cmd->run(&ctx, cmd, &args);
    if (rc != 0 && err_msg()[0])
        fprintf(stderr, "saima %s: %s\n", cmd->name, err_msg());
    return err_exit_code(rc);
}
