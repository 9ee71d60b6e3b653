/* cmd_demo: `saima demo` builds the deterministic demo city into an empty database and
 * prints what it holds. */
#include "cli/scope.h"
#include "io/demo.h"
#include "util/err.h"
#include "util/num.h"
#include "util/period.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* cli_tr for format strings: a conditional of literals lets the compiler check both. */

const cli_opt cmd_demo_opts[] = {
    { "--as-of", "YYYY-MM", "last month with data (default: the month before the current one)" },
    { "--seed", "N", "seed of the generator (default 2024); the same seed gives the same data" },
    { NULL, NULL, NULL },
};

/* The demo's accounts, with fixed passwords so that `make run` can show them: the office, a
 * leader, our district's reporter and the reporter of the region whose figures the office
 * returned (so that correcting and resubmitting can be tried; 东湖区's when none was).
 * Never use them outside the demo. */
typedef struct demo_account {
    char login[MODEL_CODE_MAX], name[MODEL_NAME_MAX];
    int role;
    char unit[MODEL_CODE_MAX], password[MODEL_NAME_MAX];
} demo_account;

static demo_account demo_accounts[] = {
    { "admin", "考核办", ROLE_ADMIN, "", "saima-admin-2026" },
    { "leader", "区领导", ROLE_LEADER, "", "saima-leader-2026" },
    { "linjiang", "临江区填报员", ROLE_REPORTER, "linjiang", "saima-linjiang-2026" },
    { "donghu", "东湖区填报员", ROLE_REPORTER, "donghu", "saima-donghu-2026" },
};

#define NACCOUNTS (sizeof demo_accounts / sizeof demo_accounts[0])

/* Binds the last account to the region whose submission of the as-of month was returned. */
static int pick_returned(store *s, const demo_opts *opts)
{
    demo_account *a = &demo_accounts[NACCOUNTS - 1];
    model_submission *subs = NULL;
    model_unit *units = NULL;
    size_t ns = 0, nu = 0;
    char code[PERIOD_CODE_MAX];
    int rc;
    period_format(&opts->as_of, code, sizeof code);
    if ((rc = store_submissions(s, code, &subs, &ns)) != 0 || (rc = store_units(s, &units, &nu)) != 0)
        goto done;
    for (size_t i = 0; i < ns; i++) {
        for (size_t u = 0; u < nu && subs[i].state == SUB_RETURNED; u++) {
            if (strcmp(units[u].code, subs[i].unit_code) != 0 || units[u].kind != UNIT_REGION)
                continue;
            snprintf(a->login, sizeof a->login, "%s", units[u].code);
            snprintf(a->unit, sizeof a->unit, "%s", units[u].code);
            snprintf(a->name, sizeof a->name, "%.200s填报员", units[u].name);
            snprintf(a->password, sizeof a->password, "saima-%.40s-2026", units[u].code);
        }
    }
done:
    free(subs);
    free(units);
    return rc;
}

/* Writes the demo's accounts (argon2id hashes) and their audit lines in one transaction. */
static int add_accounts(const cli_ctx *ctx, store *s, const demo_opts *opts)
{
    app_account accounts[NACCOUNTS];
    app_ctx q = cli_query_ctx(ctx, s);
    int rc;
    if ((rc = pick_returned(s, opts)) != 0)
        return rc;
    for (size_t i = 0; i < NACCOUNTS; i++) {
        const demo_account *a = &demo_accounts[i];
        accounts[i] = (app_account){ a->login, a->name, a->role, a->unit, a->password };
    }
    return app_users_seed(&q, accounts, NACCOUNTS);
}

static json_t *accounts_json(void)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < NACCOUNTS && arr; i++) {
        const demo_account *a = &demo_accounts[i];
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o, s:s}", "login", a->login, "name",
                                             a->name, "role", model_roles[a->role].key, "unit",
                                             a->unit[0] ? json_string(a->unit) : json_null(),
                                             "password", a->password));
    }
    return arr;
}

static void print_accounts(const cli_ctx *ctx)
{
    const char *headers[4] = { cli_tr(ctx, "登录名", "login"), cli_tr(ctx, "角色", "role"),
                               cli_tr(ctx, "单位", "unit"), cli_tr(ctx, "密码", "password") };
    table *t = table_new(4, headers);
    if (!t)
        return;
    for (size_t i = 0; i < NACCOUNTS; i++) {
        const demo_account *a = &demo_accounts[i];
        const char *row[4] = { a->login, cli_tr(ctx, model_roles[a->role].label_zh,
                                                model_roles[a->role].key),
                               a->unit[0] ? a->unit : "—", a->password };
        if (table_add(t, row) != 0)
            break;
    }
    printf("%s\n", cli_tr(ctx, "演示账号（仅用于演示）：", "demo accounts (for the demo only):"));
    table_print(t, stdout);
    table_free(t);
}

/* What the database holds after the build. */
typedef struct demo_counts {
    size_t units, by_kind[UNIT_KIND_N], groups, indicators, schemes, periods, targets;
    int64_t observations;
    char self_name[MODEL_NAME_MAX], city_name[MODEL_NAME_MAX];
} demo_counts;

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

static int parse_opts(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, demo_opts *opts)
{
    const char *as_of = cli_opt_value(cmd, args, "--as-of");
    const char *seed = cli_opt_value(cmd, args, "--seed");
    long n;
    opts->as_of = default_as_of();
    opts->seed = DEMO_SEED_DEFAULT;
    opts->entry = app_demo_entry;
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
    return 0;
}

/* The demo goes only into an empty database, so it never mixes with real data. */
static int check_empty(const cli_ctx *ctx, store *s)
{
    model_unit *units = NULL;
    model_indicator *inds = NULL;
    size_t nu = 0, ni = 0;
    int64_t nobs = 0;
    int rc;
    if ((rc = store_units(s, &units, &nu)) != 0 || (rc = store_indicators(s, &inds, &ni)) != 0 ||
        (rc = store_observation_count(s, &nobs)) != 0)
        goto done;
    if (nu || ni || nobs)
        rc = err_set(ERR_CONFLICT,
                     CLI_TR(ctx, "数据库 %s 已有数据（%zu 个单位，%zu 项指标，%lld 条观测值）；"
                                 "演示数据只写入空数据库，请用新的 --db 路径",
                            "database %s already holds data (%zu units, %zu indicators, "
                            "%lld observations); the demo only goes into an empty database, "
                            "use a new --db path"),
                     ctx->db_path, nu, ni, (long long)nobs);
done:
    free(units);
    free(inds);
    return rc;
}

static int count_units(store *s, demo_counts *c)
{
    model_unit *units = NULL;
    size_t n = 0;
    int rc;
    if ((rc = store_units(s, &units, &n)) != 0)
        return rc;
    c->units = n;
    for (size_t i = 0; i < n; i++) {
        const model_unit *u = &units[i];
        if (u->kind >= 0 && u->kind < UNIT_KIND_N)
            c->by_kind[u->kind]++;
        if (u->is_self)
            snprintf(c->self_name, sizeof c->self_name, "%s", u->name);
        if (u->kind == UNIT_REFERENCE)
            snprintf(c->city_name, sizeof c->city_name, "%s", u->name);
    }
    free(units);
    return 0;
}

static int count_all(store *s, demo_counts *c)
{
    model_group *groups = NULL;
    model_indicator *inds = NULL;
    model_scheme *schemes = NULL;
    model_period *periods = NULL;
    model_target *targets = NULL;
    int rc;
    memset(c, 0, sizeof *c);
    if ((rc = count_units(s, c)) == 0 && (rc = store_groups(s, &groups, &c->groups)) == 0 &&
        (rc = store_indicators(s, &inds, &c->indicators)) == 0 &&
        (rc = store_schemes(s, &schemes, &c->schemes)) == 0 &&
        (rc = store_periods(s, &periods, &c->periods)) == 0 &&
        (rc = store_targets(s, 0, &targets, &c->targets)) == 0)
        rc = store_observation_count(s, &c->observations);
    free(groups);
    free(inds);
    free(schemes);
    free(periods);
    free(targets);
    return rc;
}

static int print_json(const cli_ctx *ctx, const demo_opts *opts, const demo_counts *c)
{
    char as_of[PERIOD_CODE_MAX];
    json_t *root = json_object(), *units = json_object();
    period_format(&opts->as_of, as_of, sizeof as_of);
    if (!root || !units) {
        json_decref(root);
        json_decref(units);
        return err_set(ERR_NOMEM, "out of memory building JSON");
    }
    json_object_set_new(units, "total", json_integer((json_int_t)c->units));
    for (int k = 0; k < UNIT_KIND_N; k++)
        json_object_set_new(units, model_unit_kinds[k].key,
                            json_integer((json_int_t)c->by_kind[k]));
    json_object_set_new(root, "db", json_string(ctx->db_path));
    json_object_set_new(root, "city", json_string(c->city_name));
    json_object_set_new(root, "self", json_string(c->self_name));
    json_object_set_new(root, "as_of", json_string(as_of));
    json_object_set_new(root, "seed", json_integer((json_int_t)opts->seed));
    json_object_set_new(root, "units", units);
    json_object_set_new(root, "groups", json_integer((json_int_t)c->groups));
    json_object_set_new(root, "indicators", json_integer((json_int_t)c->indicators));
    json_object_set_new(root, "schemes", json_integer((json_int_t)c->schemes));
    json_object_set_new(root, "periods", json_integer((json_int_t)c->periods));
    json_object_set_new(root, "targets", json_integer((json_int_t)c->targets));
    json_object_set_new(root, "observations", json_integer((json_int_t)c->observations));
    json_object_set_new(root, "accounts", accounts_json());
    return cli_print_json(root);
}

static void print_text(const cli_ctx *ctx, const demo_opts *opts, const demo_counts *c)
{
    char as_of[PERIOD_CODE_MAX];
    period_format(&opts->as_of, as_of, sizeof as_of);
    printf(CLI_TR(ctx, "演示数据已写入 %s：%s，本区 %s，截至 %s，种子 %llu\n",
                  "demo data written to %s: %s, ours %s, as of %s, seed %llu\n"),
           ctx->db_path, c->city_name, c->self_name, as_of, (unsigned long long)opts->seed);
    printf(CLI_TR(ctx, "  单位    %zu（区县 %zu，参照 %zu，部门 %zu，国企 %zu，镇街 %zu）\n",
                  "  units         %zu (regions %zu, reference %zu, departments %zu, SOEs %zu, "
                  "towns %zu)\n"),
           c->units, c->by_kind[UNIT_REGION], c->by_kind[UNIT_REFERENCE],
           c->by_kind[UNIT_DEPARTMENT], c->by_kind[UNIT_SOE], c->by_kind[UNIT_TOWN]);
    printf(CLI_TR(ctx, "  分组    %zu\n  指标    %zu\n  方案    %zu\n  期间    %zu 个月\n",
                  "  groups        %zu\n  indicators    %zu\n  schemes       %zu\n"
                  "  periods       %zu months\n"),
           c->groups, c->indicators, c->schemes, c->periods);
    printf(CLI_TR(ctx, "  目标值  %zu\n  观测值  %lld\n", "  targets       %zu\n  observations  %lld\n"),
           c->targets, (long long)c->observations);
    print_accounts(ctx);
    printf("%s\n", cli_tr(ctx, "下一步：saima report", "next: saima report"));
}

/* Runs the demo's contests quarter by quarter, so its flags pass from quarter to quarter. */
static int run_race(const cli_ctx *ctx, store *s, const demo_opts *opts)
{
    period_key quarters[8];
    size_t nq = demo_race_quarters(&opts->as_of, quarters);
    int rc = 0;
    for (size_t q = 0; rc == 0 && q < nq; q++)
        rc = cli_contest_run_period(ctx, s, &quarters[q]);
    return rc;
}

int cmd_demo(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    store *s = NULL;
    demo_opts opts;
    demo_counts counts;
    int rc;
    if ((rc = parse_opts(ctx, cmd, args, &opts)) != 0)
        return rc;
    if ((rc = cli_open_store(ctx, &s)) != 0 || (rc = check_empty(ctx, s)) != 0 ||
        (rc = demo_build(s, &opts)) != 0 || (rc = run_race(ctx, s, &opts)) != 0 ||
        (rc = add_accounts(ctx, s, &opts)) != 0 ||
        (rc = count_all(s, &counts)) != 0)
        goto done;
    if (ctx->json)
        rc = print_json(ctx, &opts, &counts);
    else
        print_text(ctx, &opts, &counts);
done:
    store_close(s);
    return rc;
}
