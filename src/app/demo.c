/* demo: the demo city as one use case — into an empty database only, the city built (io's
 * generator with the entry workflow of app_demo_entry), its contests run quarter by quarter
 * so the red flag passes on, the demo's accounts created, and a summary of what it holds.
 * At province scale: io's province generator (everything published, no race) and the
 * office's and the leader's accounts. */
#include "app/app.h"
#include "io/demo.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#define NPROVINCE_ACCOUNTS 2 /* the office and the leader: the province has no entry workflow */

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
static int add_accounts(const app_ctx *q, const demo_opts *opts)
{
    app_account accounts[NACCOUNTS];
    int rc;
    if ((rc = pick_returned(q->s, opts)) != 0)
        return rc;
    for (size_t i = 0; i < NACCOUNTS; i++) {
        const demo_account *a = &demo_accounts[i];
        accounts[i] = (app_account){ a->login, a->name, a->role, a->unit, a->password };
    }
    return app_users_seed(q, accounts, NACCOUNTS);
}


/* The province's accounts: the first ones, bound to no unit. */
static int add_province_accounts(const app_ctx *q)
{
    app_account accounts[NPROVINCE_ACCOUNTS];
    for (size_t i = 0; i < NPROVINCE_ACCOUNTS; i++) {
        const demo_account *a = &demo_accounts[i];
        accounts[i] = (app_account){ a->login, a->name, a->role, a->unit, a->password };
    }
    return app_users_seed(q, accounts, NPROVINCE_ACCOUNTS);
}

static json_t *accounts_json(size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n && arr; i++) {
        const demo_account *a = &demo_accounts[i];
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o, s:s}", "login", a->login, "name",
                                             a->name, "role", model_roles[a->role].key, "unit",
                                             a->unit[0] ? json_string(a->unit) : json_null(),
                                             "password", a->password));
    }
    return arr;
}

/* What the database holds after the build. */
typedef struct demo_counts {
    size_t units, by_kind[UNIT_KIND_N], groups, indicators, schemes, periods, targets;
    int64_t observations;
    char self_name[MODEL_NAME_MAX], city_name[MODEL_NAME_MAX];
} demo_counts;

/* The demo goes only into an empty database, so it never mixes with real data. */
static int check_empty(const app_ctx *q, const char *where)
{
    model_unit *units = NULL;
    model_indicator *inds = NULL;
    size_t nu = 0, ni = 0;
    int64_t nobs = 0;
    int rc;
    if ((rc = store_units(q->s, &units, &nu)) != 0 || (rc = store_indicators(q->s, &inds, &ni)) != 0 ||
        (rc = store_observation_count(q->s, &nobs)) != 0)
        goto done;
    if (nu || ni || nobs)
        rc = err_set(ERR_CONFLICT,
                     APP_TR(q, "数据库 %s 已有数据（%zu 个单位，%zu 项指标，%lld 条观测值）；"
                                 "演示数据只写入空数据库，请用新的 --db 路径",
                            "database %s already holds data (%zu units, %zu indicators, "
                            "%lld observations); the demo only goes into an empty database, "
                            "use a new --db path"),
                     where, nu, ni, (long long)nobs);
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

/* The targets of every year, or (at province scale, where reading them all at once would take
 * hundreds of megabytes) of the generator's three years one by one. */
static int count_targets(store *s, const demo_opts *opts, size_t *n)
{
    model_target *targets = NULL;
    size_t k = 0;
    int rc;
    if (opts->scale != DEMO_SCALE_PROVINCE) {
        rc = store_targets(s, 0, &targets, n);
        free(targets);
        return rc;
    }
    *n = 0;
    for (int y = opts->as_of.year - 2; y <= opts->as_of.year; y++) {
        if ((rc = store_targets(s, y, &targets, &k)) != 0)
            return rc;
        free(targets);
        targets = NULL;
        *n += k;
    }
    return 0;
}

static int count_all(store *s, const demo_opts *opts, demo_counts *c)
{
    model_group *groups = NULL;
    model_indicator *inds = NULL;
    model_scheme *schemes = NULL;
    model_period *periods = NULL;
    int rc;
    memset(c, 0, sizeof *c);
    if ((rc = count_units(s, c)) == 0 && (rc = store_groups(s, &groups, &c->groups)) == 0 &&
        (rc = store_indicators(s, &inds, &c->indicators)) == 0 &&
        (rc = store_schemes(s, &schemes, &c->schemes)) == 0 &&
        (rc = store_periods(s, &periods, &c->periods)) == 0 &&
        (rc = count_targets(s, opts, &c->targets)) == 0)
        rc = store_observation_count(s, &c->observations);
    free(groups);
    free(inds);
    free(schemes);
    free(periods);
    return rc;
}

/* Runs the demo's contests quarter by quarter, so its flags pass from quarter to quarter. */
static int run_race(const app_ctx *q, const demo_opts *opts)
{
    period_key quarters[8];
    size_t nq = demo_race_quarters(&opts->as_of, quarters);
    size_t ran, ng;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < nq; i++)
        rc = app_contest_run(q, &quarters[i], NULL, &ran, &ng);
    return rc;
}

/* The summary of what the database holds, with the accounts. */
static json_t *summary_json(const demo_opts *opts, const demo_counts *c)
{
    char as_of[PERIOD_CODE_MAX];
    json_t *root = json_object(), *units = json_object();
    period_format(&opts->as_of, as_of, sizeof as_of);
    if (!root || !units) {
        json_decref(root);
        json_decref(units);
        return NULL;
    }
    json_object_set_new(units, "total", json_integer((json_int_t)c->units));
    for (int k = 0; k < UNIT_KIND_N; k++)
        json_object_set_new(units, model_unit_kinds[k].key,
                            json_integer((json_int_t)c->by_kind[k]));
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
    json_object_set_new(root, "accounts", accounts_json(opts->scale == DEMO_SCALE_PROVINCE
                                                            ? NPROVINCE_ACCOUNTS
                                                            : NACCOUNTS));
    return root;
}

int app_demo(const app_ctx *q, const demo_opts *opts, const char *where, json_t **out)
{
    demo_opts o = *opts;
    demo_counts counts;
    int rc;
    *out = NULL;
    o.entry = app_demo_entry;
    if ((rc = check_empty(q, where)) != 0)
        return rc;
    if (o.scale == DEMO_SCALE_PROVINCE) {
        if ((rc = demo_province_build(q->s, &o)) == 0)
            rc = add_province_accounts(q);
    } else if ((rc = demo_build(q->s, &o)) == 0 && (rc = run_race(q, &o)) == 0) {
        rc = add_accounts(q, &o);
    }
    if (rc != 0 || (rc = count_all(q->s, &o, &counts)) != 0)
        return rc;
    *out = summary_json(&o, &counts);
    return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}
