/* cmd_score: `saima score | explain | scheme show` — a scheme's scores, totals, overall rank
 * and grades at a month (SPEC §6), and how every rank and score was reached. The figures
 * are the engine's; this file reads the store, calls the engine and prints. */
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

void cli_scored_free(cli_scored *r)
{
    for (size_t i = 0; r->an && i < r->nitems; i++)
        cli_analysis_free(&r->an[i]);
    free(r->an);
    free(r->items);
    free(r->methods);
    free(r->scores);
    free(r->why);
    free(r->totals);
    if (!r->borrowed_store)
        store_close(r->sc.s);
    memset(r, 0, sizeof *r);
}

/* The scheme named, or the one of the scope's group, or the first. */
static int pick_scheme(store *s, const char *code, const char *group_code, scheme *out)
{
    scheme *all;
    size_t n;
    int rc = store_schemes(s, &all, &n), found = 0;
    for (size_t i = 0; rc == 0 && i < n && !found; i++) {
        if (code ? strcmp(all[i].code, code) == 0 : strcmp(all[i].group_code, group_code) == 0) {
            *out = all[i];
            found = 1;
        }
    }
    if (rc == 0 && !found && !code && n > 0) {
        *out = all[0];
        found = 1;
    }
    free(all);
    if (rc == 0 && !found)
        rc = code ? err_set(ERR_NOTFOUND, "unknown scheme code '%s'", code)
                  : err_set(ERR_NOTFOUND, "no schemes yet (saima import schemes, or saima demo)");
    return rc;
}

/* Scores every unit on one item from its analysis. */
static int score_item(cli_scored *r, size_t i)
{
    const cli_analysis *a = &r->an[i];
    size_t months = a->sp.p.nmonths, t = (size_t)a->t;
    double *v = malloc(r->nunits * sizeof *v);
    unsigned char *pres = malloc(r->nunits);
    engine_item_group g;
    int rc = 0;
    if (!v || !pres) {
        free(v);
        free(pres);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t u = 0; u < r->nunits; u++) {
        v[u] = a->sp.value[u * months + t];
        pres[u] = a->sp.present[u * months + t];
    }
    g = engine_item_group_of(v, pres, r->nunits, a->sp.p.higher_better);
    for (size_t u = 0; rc == 0 && u < r->nunits; u++) {
        engine_item_input in = { a->st[u].rank.rank, v[u], pres[u], a->sp.target[u],
                                 a->sp.target_present[u], 0, 0 };
        rc = engine_score_item(&r->methods[i], &in, &g, &r->scores[u * r->nitems + i],
                               &r->why[u * r->nitems + i]);
    }
    free(v);
    free(pres);
    return rc;
}

/* Totals the item scores with the year's events (bonuses, deductions, vetoes) under the
 * year's caps: SPEC §6's total = indicator scores + bonuses − deductions. */
static int add_events(cli_scored *r)
{
    event *evs = NULL;
    event_cap *caps = NULL;
    engine_event *ee = NULL;
    engine_cap *ec = NULL;
    size_t nev = 0, ncap = 0, ne = 0, nc = 0;
    int rc;
    if ((rc = store_events(r->sc.s, r->sc.month.year, &evs, &nev)) == 0 &&
        (rc = store_event_caps(r->sc.s, r->sc.month.year, &caps, &ncap)) == 0 &&
        (rc = cli_year_events(evs, nev, caps, ncap, r->an[0].sp.units, r->nunits, &ee, &ne, &ec, &nc)) == 0)
        rc = engine_totals(r->scores, r->nunits, r->nitems, ee, ne, ec, nc, r->totals);
    free(evs);
    free(caps);
    free(ee);
    free(ec);
    return rc;
}

/* Analyses and scores every item of r->sch at r->sc's month, totals and grades. */
static int score_opened(const cli_ctx *ctx, cli_scored *r)
{
    int rc;
    if ((rc = cli_scope_set_group(ctx, &r->sc, r->sch.group_code)) != 0 ||
        (rc = store_scheme_items(r->sc.s, r->sch.code, &r->items, &r->nitems)) != 0)
        goto fail;
    if (r->nitems == 0) {
        rc = err_set(ERR_DATA, "scheme '%s' has no indicators", r->sch.code);
        goto fail;
    }
    r->an = calloc(r->nitems, sizeof *r->an);
    r->methods = calloc(r->nitems, sizeof *r->methods);
    if (!r->an || !r->methods) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < r->nitems; i++) {
        if ((rc = cli_analyze(&r->sc, r->items[i].indicator_code, &r->an[i])) != 0)
            goto fail;
        if ((rc = engine_method_parse(r->items[i].method, r->items[i].weight,
                                      r->an[i].sp.p.higher_better, r->items[i].params,
                                      &r->methods[i])) != 0) {
            char why[512];
            snprintf(why, sizeof why, "%s", err_msg());
            rc = err_set(rc, "scheme '%s', indicator '%s': %s", r->sch.code,
                         r->items[i].indicator_code, why);
            goto fail;
        }
    }
    r->nunits = r->an[0].sp.nunits;
    r->scores = calloc(r->nunits * r->nitems + 1, sizeof *r->scores);
    r->why = calloc(r->nunits * r->nitems + 1, sizeof *r->why);
    r->totals = calloc(r->nunits + 1, sizeof *r->totals);
    if (!r->scores || !r->why || !r->totals) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < r->nitems; i++) {
        if ((rc = score_item(r, i)) != 0)
            goto fail;
    }
    if ((rc = add_events(r)) != 0)
        goto fail;
    if (r->sch.grading[0]) {
        if ((rc = engine_grading_parse(r->sch.grading, &r->grading, r->grade_names)) != 0 ||
            (rc = engine_grade(&r->grading, r->totals, r->nunits)) != 0)
            goto fail;
        r->has_grading = 1;
    }
    return 0;
fail:
    cli_scored_free(r);
    return rc;
}

/* Opens the scope from the options, picks the scheme (--scheme or the group's) and scores. */
static int score_scheme(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, cli_scored *r)
{
    int rc;
    memset(r, 0, sizeof *r);
    if ((rc = cli_scope_open(ctx, cmd, args, &r->sc)) != 0)
        return rc;
    if ((rc = pick_scheme(r->sc.s, cli_opt_value(cmd, args, "--scheme"), r->sc.group, &r->sch)) != 0) {
        cli_scored_free(r);
        return rc;
    }
    return score_opened(ctx, r);
}

int cli_score_scheme_at(const cli_ctx *ctx, store *s, const char *scheme_code, const period_key *month,
                        cli_scored *r)
{
    int rc;
    memset(r, 0, sizeof *r);
    r->sc.s = s;
    r->borrowed_store = 1;
    r->sc.month = *month;
    period_format(month, r->sc.month_code, sizeof r->sc.month_code);
    if ((rc = pick_scheme(s, scheme_code, "", &r->sch)) != 0) {
        cli_scored_free(r);
        return rc;
    }
    return score_opened(ctx, r);
}

static json_t *points_json(engine_points p)
{
    return json_real(engine_points_to_double(p));
}

static const char *grade_name(const cli_scored *r, int grade)
{
    return r->has_grading && grade >= 0 ? r->grade_names[grade] : NULL;
}

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

static int cmp_total_rank(const void *a, const void *b, void *arg)
{
    const engine_total *t = arg;
    int x = t[*(const size_t *)a].rank, y = t[*(const size_t *)b].rank;
    return (x > y) - (x < y);
}

static json_t *unit_score_json(const cli_ctx *ctx, const cli_scored *r, size_t u)
{
    const engine_total *t = &r->totals[u];
    const char *grade = grade_name(r, t->grade);
    json_t *items = json_array(), *o;
    char text[32];
    for (size_t i = 0; i < r->nitems; i++)
        json_array_append_new(items, json_pack("{s:s, s:o, s:o}", "indicator",
                                               r->items[i].indicator_code, "score",
                                               points_json(r->scores[u * r->nitems + i]), "rank",
                                               r->an[i].st[u].rank.rank
                                                   ? json_integer(r->an[i].st[u].rank.rank)
                                                   : json_null()));
    o = json_pack("{s:s, s:s, s:i, s:o, s:o, s:o, s:o, s:b, s:s?, s:o}", "unit",
                  r->an[0].sp.units[u].code, "name", r->an[0].sp.units[u].name, "rank", t->rank,
                  "items_total", points_json(t->items), "bonus", points_json(t->bonus), "deduction",
                  points_json(t->deduction), "total", points_json(t->total), "veto", t->veto, "grade",
                  grade, "items", items);
    if (o && !ctx->json) {
        static const char *const keys[] = { "items", "bonus", "deduction", "total" };
        const engine_points vals[] = { t->items, t->bonus, t->deduction, t->total };
        for (size_t k = 0; k < 4; k++) {
            char key[32];
            engine_points_format(vals[k], 2, text, sizeof text);
            snprintf(key, sizeof key, "%s_text", keys[k]);
            json_object_set_new(o, key, json_string(text));
        }
    }
    return o;
}

int cmd_score(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    cli_scored r;
    size_t *order;
    json_t *rows;
    int rc;
    if ((rc = score_scheme(ctx, cmd, args, &r)) != 0)
        return rc;
    if (!(order = malloc((r.nunits + 1) * sizeof *order))) {
        cli_scored_free(&r);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t u = 0; u < r.nunits; u++)
        order[u] = u;
    qsort_r(order, r.nunits, sizeof *order, cmp_total_rank, r.totals);
    rows = json_array();
    for (size_t k = 0; k < r.nunits; k++)
        json_array_append_new(rows, unit_score_json(ctx, &r, order[k]));
    free(order);
    if (ctx->json) {
        rc = cli_print_json(json_pack("{s:s, s:s, s:s, s:o}", "scheme", r.sch.code, "group",
                                      r.sc.group, "period", r.sc.month_code, "units", rows));
    } else {
        cli_print_heading(ctx, &r.sc, r.sch.name);
        rc = cli_emit_rows(ctx, rows, score_cols, CLI_NCOLS(score_cols));
    }
    cli_scored_free(&r);
    return rc;
}

/* ---- explain ---- */

static long unit_index(const cli_scored *r, const char *code)
{
    for (size_t u = 0; u < r->nunits; u++) {
        if (strcmp(r->an[0].sp.units[u].code, code) == 0)
            return (long)u;
    }
    return -1;
}

static json_t *inputs_json(const engine_explain *why)
{
    json_t *o = json_object();
    for (int k = 0; k < why->ninputs && k < 8; k++)
        json_object_set_new(o, why->input_name[k], json_real(why->input[k]));
    return o;
}

static json_t *item_explain_json(const cli_scored *r, size_t i, size_t u)
{
    const cli_analysis *a = &r->an[i];
    const engine_ranked *rk = &a->st[u].rank;
    const engine_explain *why = &r->why[u * r->nitems + i];
    size_t cell = u * a->sp.p.nmonths + (size_t)a->t;
    return json_pack("{s:s, s:s, s:s, s:o, s:i, s:o, s:i, s:i, s:i, s:s, s:o, s:s, s:o}",
                     "indicator", a->sp.ind.code, "name", a->sp.ind.name, "measure", a->sp.ind.measure,
                     "value", a->sp.present[cell] ? json_real(a->sp.value[cell]) : json_null(),
                     "precision", a->sp.ind.precision, "rank", rk->rank ? json_integer(rk->rank) : json_null(),
                     "better", rk->rank ? rk->rank - 1 : 0, "ties", rk->ties, "ranked",
                     rk->rank ? rk->rank - 1 + rk->ties + rk->worse : 0, "method",
                     model_methods[why->method].key, "inputs", inputs_json(why), "formula",
                     why->formula, "score", points_json(why->result));
}

static void print_item_explain(const cli_ctx *ctx, const cli_scored *r, size_t i, size_t u)
{
    const cli_analysis *a = &r->an[i];
    const engine_ranked *rk = &a->st[u].rank;
    const engine_explain *why = &r->why[u * r->nitems + i];
    size_t cell = u * a->sp.p.nmonths + (size_t)a->t;
    char pts[32];
    engine_points_format(why->result, 4, pts, sizeof pts);
    printf("%s\n", a->sp.ind.name);
    if (!a->sp.present[cell])
        printf(CLI_TR(ctx, "  数值：暂无，不参与排名\n", "  value: none, not ranked\n"));
    else
        printf(CLI_TR(ctx, "  数值：%.*f %s（按 %d 位小数比较）\n  名次：第 %d 名 = 1 + 严格优于本单位的 %d 个单位；"
                           "并列 %d 个；参与排名 %d 个\n",
                      "  value: %.*f %s (compared at %d decimals)\n  rank: %d = 1 + the %d units "
                      "strictly better; %d share it; %d ranked\n"),
               a->sp.ind.precision, a->sp.value[cell], a->sp.ind.measure, a->sp.ind.precision,
               rk->rank, rk->rank - 1, rk->ties, rk->rank - 1 + rk->ties + rk->worse);
    printf(CLI_TR(ctx, "  赋分：%s（%s）\n  算式：%s\n  得分：%s\n\n", "  method: %s (%s)\n  formula: %s\n  score: %s\n\n"),
           ctx->english ? model_methods[why->method].key : model_methods[why->method].label_zh,
           r->items[i].params[0] ? r->items[i].params : cli_tr(ctx, "默认参数", "default parameters"),
           why->formula, pts);
}

int cmd_explain(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    const char *only = cli_opt_value(cmd, args, "--indicator"), *unit_opt = cli_opt_value(cmd, args, "--unit");
    char code[MODEL_CODE_MAX];
    cli_scored r;
    long u;
    int rc, shown = 0;
    if (cli_opt_set(cmd, args, "--ledger")) {
        long year;
        store *s;
        if (!unit_opt || num_parse_int(cli_opt_value(cmd, args, "--ledger"), PERIOD_YEAR_MIN, PERIOD_YEAR_MAX,
                                       &year) != 0)
            return cli_usage_error(cmd, "explain --ledger YEAR --unit CODE");
        if ((rc = cli_open_existing(ctx, &s)) != 0)
            return rc;
        rc = cli_explain_ledger(ctx, s, unit_opt, (int)year);
        store_close(s);
        return rc;
    }
    if ((rc = score_scheme(ctx, cmd, args, &r)) != 0)
        return rc;
    if (unit_opt)
        snprintf(code, sizeof code, "%s", unit_opt);
    else if ((rc = cli_our_unit(r.sc.s, r.sc.group, code)) != 0)
        goto done;
    if ((u = unit_index(&r, code)) < 0) {
        rc = err_set(ERR_NOTFOUND, "unit '%s' is not in group '%s'", code, r.sc.group);
        goto done;
    }
    if (ctx->json) {
        json_t *items = json_array();
        const engine_total *t = &r.totals[u];
        for (size_t i = 0; i < r.nitems; i++) {
            if (!only || strcmp(only, r.items[i].indicator_code) == 0)
                json_array_append_new(items, item_explain_json(&r, i, (size_t)u));
        }
        rc = cli_print_json(json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:i, s:b, s:s?}",
                                      "unit", code, "scheme", r.sch.code, "period", r.sc.month_code,
                                      "items", items, "items_total", points_json(t->items), "bonus",
                                      points_json(t->bonus), "deduction", points_json(t->deduction),
                                      "total", points_json(t->total), "rank", t->rank, "veto", t->veto,
                                      "grade", grade_name(&r, t->grade)));
        goto done;
    }
    printf("%s · %s · %s\n\n", r.an[0].sp.units[u].name, r.sch.name, r.sc.month_code);
    for (size_t i = 0; i < r.nitems; i++) {
        if (!only || strcmp(only, r.items[i].indicator_code) == 0) {
            print_item_explain(ctx, &r, i, (size_t)u);
            shown++;
        }
    }
    if (only && !shown) {
        rc = err_set(ERR_NOTFOUND, "indicator '%s' is not in scheme '%s'", only, r.sch.code);
        goto done;
    }
    if (!only) {
        const engine_total *t = &r.totals[u];
        char items[32], bonus[32], deduction[32], total[32];
        engine_points_format(t->items, 4, items, sizeof items);
        engine_points_format(t->bonus, 4, bonus, sizeof bonus);
        engine_points_format(t->deduction, 4, deduction, sizeof deduction);
        engine_points_format(t->total, 4, total, sizeof total);
        printf(CLI_TR(ctx, "总分：指标得分 %s + 加分 %s − 减分 %s = %s，第 %d 名（%zu 个单位）",
                      "total: indicators %s + bonus %s − deductions %s = %s, rank %d of %zu"),
               items, bonus, deduction, total, t->rank, r.nunits);
        if (grade_name(&r, t->grade))
            printf(CLI_TR(ctx, "，等次：%s（%s）", ", grade: %s (%s)"), grade_name(&r, t->grade),
                   r.sch.grading);
        printf("%s\n", t->veto ? cli_tr(ctx, "；一票否决，不得评为第一等次", "; vetoed: barred from the top grade") : "");
    }
done:
    cli_scored_free(&r);
    return rc;
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
    scheme sc;
    scheme_item *items = NULL;
    indicator *inds = NULL;
    size_t n = 0, nind = 0;
    double sum = 0;
    json_t *rows;
    char settings_check[256] = "ok", grading_check[256] = "ok";
    int rc, problems = 0;
    if (strcmp(args->pos[0], "show") != 0 || args->npos != 2)
        return cli_usage_error(cmd, "saima scheme show CODE");
    if ((rc = cli_open_existing(ctx, &s)) != 0)
        return rc;
    if ((rc = pick_scheme(s, args->pos[1], "", &sc)) != 0 ||
        (rc = store_scheme_items(s, sc.code, &items, &n)) != 0 || (rc = store_indicators(s, &inds, &nind)) != 0)
        goto done;
    rows = json_array();
    for (size_t i = 0; i < n; i++) {
        engine_method m;
        int higher = 1;
        for (size_t k = 0; k < nind; k++) {
            if (strcmp(inds[k].code, items[i].indicator_code) == 0)
                higher = inds[k].direction == DIR_HIGHER;
        }
        int bad = engine_method_parse(items[i].method, items[i].weight, higher, items[i].params, &m);
        sum += items[i].weight;
        problems += bad != 0;
        /* json_pack copies the message before anything else can set another */
        json_array_append_new(rows, json_pack("{s:s, s:f, s:s, s:s, s:s}", "indicator",
                                              items[i].indicator_code, "weight", items[i].weight,
                                              "method", model_methods[items[i].method].key, "params",
                                              items[i].params, "check", bad ? err_msg() : "ok"));
    }
    {
        engine_params params;
        engine_grading grading;
        char names[8][ENGINE_GRADE_NAME_MAX];
        if (engine_params_parse(sc.settings, &params) != 0) {
            problems++;
            snprintf(settings_check, sizeof settings_check, "%s", err_msg());
        }
        if (sc.grading[0] && engine_grading_parse(sc.grading, &grading, names) != 0) {
            problems++;
            snprintf(grading_check, sizeof grading_check, "%s", err_msg());
        }
    }
    if (ctx->json) {
        rc = cli_print_json(json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:s, s:s, s:s, s:s, s:o}", "code",
                                      sc.code, "name", sc.name, "group", sc.group_code, "period_kind",
                                      period_kind_name(sc.period_kind), "total_weight", sc.total_weight,
                                      "weights_sum", sum, "grading", sc.grading, "grading_check",
                                      grading_check, "settings", sc.settings, "settings_check",
                                      settings_check, "items", rows));
    } else {
        char total[NUM_TEXT_MAX], got[NUM_TEXT_MAX];
        num_format(sc.total_weight, total, sizeof total);
        num_format(sum, got, sizeof got);
        printf("%s  %s\n", sc.code, sc.name);
        printf(CLI_TR(ctx, "分组 %s · 周期 %s · 总分值 %s（各项合计 %s）\n等次 %s（%s）\n"
                           "预警设置 %s（%s）\n\n",
                      "group %s · period %s · total %s (items add up to %s)\ngrades %s (%s)\n"
                      "warning settings %s (%s)\n\n"),
               sc.group_code, period_kind_name(sc.period_kind), total, got,
               sc.grading[0] ? sc.grading : "—", grading_check,
               sc.settings[0] ? sc.settings : cli_tr(ctx, "默认", "defaults"), settings_check);
        rc = cli_emit_rows(ctx, rows, check_cols, CLI_NCOLS(check_cols));
    }
    if (rc == 0 && (problems || sum - sc.total_weight > 1e-9 || sc.total_weight - sum > 1e-9))
        rc = err_set(ERR_DATA, "scheme '%s' does not check out", sc.code);
done:
    free(items);
    free(inds);
    store_close(s);
    return rc;
}
