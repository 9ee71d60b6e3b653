/* cmd_demo: `saima demo` builds the deterministic demo city (or, with --scale province, a
 * province of many regions and indicators for the benchmarks) into an empty database (one
 * use case, app_demo) and prints what it holds. */
#include "cli/scope.h"
#include "io/demo.h"
#include "util/err.h"
#include "util/num.h"
#include "util/period.h"
#include "util/table.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const cli_opt cmd_demo_opts[] = {
    { "--as-of", "YYYY-MM", "last month with data (default: the month before the current one)" },
    { "--seed", "N", "seed of the generator (default 2024); the same seed gives the same data" },
    { "--scale", "city|province", "city: the demo city (default); province: 130 regions in 3 size "
                                  "classes, 300 indicators, all published (for benchmarks)" },
    { "--regions", "N", "province: how many regions (3 to 1000, default 130)" },
    { "--indicators", "N", "province: how many indicators (1 to 1000, default 300)" },
    { NULL, NULL, NULL },
};

/* Monthly statistics are published in the following month: default to the month before now. */
static period_key default_as_of(void)
{
    time_t now = time(NULL);
    struct tm tm;
    period_key p = { PERIOD_MONTH, 2025, 1 };
    if (localtime_r(&now, &tm)) {
        p.year = tm.tm_year + 1900;
        p.seq = tm.tm_mon + 1;
        p = period_prev(&p);
    }
    return p;
}

/* --regions or --indicators: a count of the province's shape, stored in *out. */
static int parse_shape(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, const char *name,
                       long lo, int *out)
{
    const char *text = cli_opt_value(cmd, args, name);
    long n;
    if (!text)
        return 0;
    if (num_parse_int(text, lo, DEMO_PROVINCE_MAX, &n) != 0)
        return cli_usage_error(cmd, CLI_TR(ctx, "%s 无效：%s", "%s: %s"), name, err_msg());
    *out = (int)n;
    return 0;
}

/* --scale, and the province's shape, which only a province has. */
static int parse_scale(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, demo_opts *opts)
{
    const char *scale = cli_opt_value(cmd, args, "--scale");
    int rc;
    if (!scale || strcmp(scale, "city") == 0)
        opts->scale = DEMO_SCALE_CITY;
    else if (strcmp(scale, "province") == 0)
        opts->scale = DEMO_SCALE_PROVINCE;
    else
        return cli_usage_error(cmd, CLI_TR(ctx, "--scale 应为 city 或 province，而不是“%s”",
                                           "--scale takes city or province, not '%s'"),
                               scale);
    if (opts->scale != DEMO_SCALE_PROVINCE &&
        (cli_opt_set(cmd, args, "--regions") || cli_opt_set(cmd, args, "--indicators")))
        return cli_usage_error(cmd, CLI_TR(ctx, "--regions 和 --indicators 只用于 --scale province",
                                           "--regions and --indicators go with --scale province"));
    if ((rc = parse_shape(ctx, cmd, args, "--regions", DEMO_PROVINCE_MIN_REGIONS, &opts->regions)) != 0)
        return rc;
    return parse_shape(ctx, cmd, args, "--indicators", 1, &opts->indicators);
}

static int parse_opts(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, demo_opts *opts)
{
    const char *as_of = cli_opt_value(cmd, args, "--as-of");
    const char *seed = cli_opt_value(cmd, args, "--seed");
    long n;
    opts->as_of = default_as_of();
    opts->seed = DEMO_SEED_DEFAULT;
    if (as_of) {
        if (period_parse(as_of, &opts->as_of) != 0)
            return cli_usage_error(cmd, CLI_TR(ctx, "--as-of 无效：%s", "--as-of: %s"), err_msg());
        if (opts->as_of.kind != PERIOD_MONTH)
            return cli_usage_error(cmd, CLI_TR(ctx, "--as-of 应为月份（YYYY-MM），而不是“%s”",
                                               "--as-of takes a month (YYYY-MM), not '%s'"),
                                   as_of);
    }
    if (seed) {
        if (num_parse_int(seed, 0, LONG_MAX, &n) != 0)
            return cli_usage_error(cmd, CLI_TR(ctx, "--seed 无效：%s", "--seed: %s"), err_msg());
        opts->seed = (uint64_t)n;
    }
    return parse_scale(ctx, cmd, args, opts);
}

/* The integer at key of obj (0 when absent). */
static long long count_of(json_t *obj, const char *key)
{
    return (long long)json_integer_value(json_object_get(obj, key));
}

static void print_accounts(const cli_ctx *ctx, json_t *accounts)
{
    const char *headers[4] = { cli_tr(ctx, "登录名", "login"), cli_tr(ctx, "角色", "role"),
                               cli_tr(ctx, "单位", "unit"), cli_tr(ctx, "密码", "password") };
    table *t = table_new(4, headers);
    json_t *a;
    size_t i;
    if (!t)
        return;
    json_array_foreach(accounts, i, a) {
        int role = model_enum_find(model_roles, ROLE_N, cli_json_text(a, "role"));
        const char *unit = json_string_value(json_object_get(a, "unit"));
        const char *row[4] = { cli_json_text(a, "login"),
                               role < 0 ? "" : cli_tr(ctx, model_roles[role].label_zh, model_roles[role].key),
                               unit ? unit : "—", cli_json_text(a, "password") };
        if (table_add(t, row) != 0)
            break;
    }
    printf("%s\n", cli_tr(ctx, "演示账号（仅用于演示）：", "demo accounts (for the demo only):"));
    table_print(t, stdout);
    table_free(t);
}

static void print_text(const cli_ctx *ctx, json_t *o)
{
    json_t *units = json_object_get(o, "units");
    printf(CLI_TR(ctx, "演示数据已写入 %s：%s，本区 %s，截至 %s，种子 %llu\n",
                  "demo data written to %s: %s, ours %s, as of %s, seed %llu\n"),
           ctx->db_path, cli_json_text(o, "city"), cli_json_text(o, "self"), cli_json_text(o, "as_of"),
           (unsigned long long)count_of(o, "seed"));
    printf(CLI_TR(ctx, "  单位    %lld（区县 %lld，参照 %lld，部门 %lld，国企 %lld，镇街 %lld）\n",
                  "  units         %lld (regions %lld, reference %lld, departments %lld, SOEs %lld, "
                  "towns %lld)\n"),
           count_of(units, "total"), count_of(units, model_unit_kinds[UNIT_REGION].key),
           count_of(units, model_unit_kinds[UNIT_REFERENCE].key),
           count_of(units, model_unit_kinds[UNIT_DEPARTMENT].key),
           count_of(units, model_unit_kinds[UNIT_SOE].key), count_of(units, model_unit_kinds[UNIT_TOWN].key));
    printf(CLI_TR(ctx, "  分组    %lld\n  指标    %lld\n  方案    %lld\n  期间    %lld 个月\n",
                  "  groups        %lld\n  indicators    %lld\n  schemes       %lld\n"
                  "  periods       %lld months\n"),
           count_of(o, "groups"), count_of(o, "indicators"), count_of(o, "schemes"), count_of(o, "periods"));
    printf(CLI_TR(ctx, "  目标值  %lld\n  观测值  %lld\n", "  targets       %lld\n  observations  %lld\n"),
           count_of(o, "targets"), count_of(o, "observations"));
    print_accounts(ctx, json_object_get(o, "accounts"));
    printf("%s\n", cli_tr(ctx, "下一步：saima report", "next: saima report"));
}

int cmd_demo(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    store *s = NULL;
    demo_opts opts;
    app_ctx q;
    json_t *o = NULL, *root;
    int rc;
    memset(&opts, 0, sizeof opts);
    if ((rc = parse_opts(ctx, cmd, args, &opts)) != 0)
        return rc;
    if ((rc = cli_open_store(ctx, &s)) != 0)
        goto done;
    q = cli_query_ctx(ctx, s);
    if ((rc = app_demo(&q, &opts, ctx->db_path, &o)) != 0)
        goto done;
    if (ctx->json) {
        /* the database first, then the summary, as it always printed */
        root = json_pack("{s:s}", "db", ctx->db_path);
        if (root)
            json_object_update(root, o);
        rc = cli_print_json(root);
    } else {
        print_text(ctx, o);
    }
done:
    json_decref(o);
    store_close(s);
    return rc;
}
