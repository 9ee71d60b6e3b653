/* cmd_race: the race (SPEC §7) — `saima contest run|show`, `flags`, `awards`, `ledger`,
 * `events add|list|revoke`. Contests are scored by the engine (a scheme's score blended with
 * the judges'), ranked, turned into points; each group's quarter decides its red flag; the
 * year ledger adds quarters and events under caps. Every figure is the engine's. */
#include "cli/scope.h"
#include "engine/contest.h"
#include "util/err.h"
#include "util/num.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* ---- shared: a group's units and the quarter standings ---- */

static long member_index(const unit *members, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(members[i].code, code) == 0)
            return (long)i;
    }
    return -1;
}

/* A group's standing in a period: each unit's points from every contest, by category, and
 * the ranking of the totals. */
typedef struct standing {
    char group_code[MODEL_CODE_MAX];
    unit *members;
    size_t nunits;
    contest *contests;           /* the group's contests in the period */
    size_t ncontests;
    engine_points *points;       /* nunits × ncontests */
    engine_points *judge;        /* nunits: the judges' parts added up */
    engine_points *total;        /* nunits */
    engine_ranked *ranked;       /* nunits, ranked by total */
    int ran;                     /* every contest has results */
} standing;

static void standing_free(standing *st)
{
    free(st->members);
    free(st->contests);
    free(st->points);
    free(st->judge);
    free(st->total);
    free(st->ranked);
    memset(st, 0, sizeof *st);
}

/* Orders a group's contests by their categories' own order (the seeds' order), not by code. */
static void order_by_category(store *s, contest *cs, size_t n)
{
    contest_category *cats;
    size_t nc, k = 0;
    contest *sorted = malloc((n + 1) * sizeof *sorted);
    if (!sorted || store_categories(s, &cats, &nc) != 0) {
        free(sorted);
        return;
    }
    for (size_t c = 0; c < nc; c++) {
        for (size_t i = 0; i < n; i++) {
            if (strcmp(cs[i].category_code, cats[c].code) == 0)
                sorted[k++] = cs[i];
        }
    }
    for (size_t i = 0; i < n; i++) { /* a category the store does not list keeps its place last */
        int listed = 0;
        for (size_t c = 0; c < nc; c++)
            listed |= strcmp(cs[i].category_code, cats[c].code) == 0;
        if (!listed)
            sorted[k++] = cs[i];
    }
    memcpy(cs, sorted, n * sizeof *cs);
    free(sorted);
    free(cats);
}

/* Gathers the results of a group's contests in a period and ranks the totals. */
static int standing_load(store *s, const char *group_code, const contest *all, size_t nall, standing *st)
{
    engine_rank_ws ws = { 0 };
    double *tv = NULL;
    int rc;
    memset(st, 0, sizeof *st);
    snprintf(st->group_code, sizeof st->group_code, "%s", group_code);
    if ((rc = store_group_members(s, group_code, &st->members, &st->nunits)) != 0)
        return rc;
    st->contests = calloc(nall + 1, sizeof *st->contests);
    for (size_t i = 0; st->contests && i < nall; i++) {
        if (strcmp(all[i].group_code, group_code) == 0)
            st->contests[st->ncontests++] = all[i];
    }
    if (st->contests)
        order_by_category(s, st->contests, st->ncontests);
    st->points = calloc(st->nunits * st->ncontests + 1, sizeof *st->points);
    st->judge = calloc(st->nunits + 1, sizeof *st->judge);
    st->total = calloc(st->nunits + 1, sizeof *st->total);
    st->ranked = calloc(st->nunits + 1, sizeof *st->ranked);
    tv = calloc(st->nunits + 1, sizeof *tv);
    if (!st->contests || !st->points || !st->judge || !st->total || !st->ranked || !tv) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto done;
    }
    st->ran = st->ncontests > 0;
    for (size_t c = 0; rc == 0 && c < st->ncontests; c++) {
        contest_result *res;
        size_t nres;
        if ((rc = store_contest_results(s, st->contests[c].code, &res, &nres)) != 0)
            break;
        st->ran &= nres > 0;
        for (size_t k = 0; k < nres; k++) {
            long u = member_index(st->members, st->nunits, res[k].unit_code);
            engine_points jp = 0;
            if (u < 0)
                continue;
            st->points[(size_t)u * st->ncontests + c] = res[k].points;
            st->total[u] += res[k].points;
            if (res[k].has_judges && engine_points_from(res[k].judge_score, &jp) == 0)
                st->judge[u] += jp;
        }
        free(res);
    }
    for (size_t u = 0; rc == 0 && u < st->nunits; u++)
        tv[u] = (double)st->total[u]; /* exact: totals stay far below 2^53 */
    if (rc == 0)
        rc = engine_rank_group(tv, NULL, st->nunits, 1, ENGINE_PRECISION_EXACT, &ws, st->ranked, NULL);
done:
    engine_rank_ws_free(&ws);
    free(tv);
    if (rc != 0)
        standing_free(st);
    return rc;
}

/* The distinct groups of a list of contests, in order of first appearance. */
static size_t distinct_groups(const contest *c, size_t n, const char *only, char (*out)[MODEL_CODE_MAX])
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        if (only && strcmp(only, c[i].group_code) != 0)
            continue;
        for (size_t j = 0; j < k; j++)
            seen |= strcmp(out[j], c[i].group_code) == 0;
        if (!seen)
            snprintf(out[k++], MODEL_CODE_MAX, "%s", c[i].group_code);
    }
    return k;
}

static int parse_period(const cli_cmd *cmd, const char *text, period_key *key, char *code)
{
    if (!text)
        return cli_usage_error(cmd, "--period is required (e.g. 2026-Q3)");
    if (period_parse(text, key) != 0)
        return cli_usage_error(cmd, "--period: %s", err_msg());
    period_format(key, code, PERIOD_CODE_MAX);
    return 0;
}

/* ---- contest run ---- */

/* The scheme part of every member at the contest period's last month, by member index. */
static int scheme_parts(const cli_ctx *ctx, store *s, const contest *c, const unit *members, size_t n,
                        engine_points *part, unsigned char *has)
{
    period_key p, month;
    cli_scored r;
    int rc;
    memset(has, 0, n);
    if (!c->scheme_code[0] || c->engine_weight_bp == 0)
        return 0;
    if (period_parse(c->period_code, &p) != 0)
        return err_set(ERR_DATA, "contest '%s': bad period '%s'", c->code, c->period_code);
    month = (period_key){ PERIOD_MONTH, p.year, period_last_month(&p) };
    if ((rc = cli_score_scheme_at(ctx, s, c->scheme_code, &month, &r)) != 0)
        return rc;
    for (size_t u = 0; u < r.nunits; u++) {
        long m = member_index(members, n, r.an[0].sp.units[u].code);
        if (m >= 0) {
            part[m] = r.totals[u].total;
            has[m] = 1;
        }
    }
    cli_scored_free(&r);
    return 0;
}

/* The judges' part of every member, by member index. */
static int judge_parts(store *s, const contest *c, const unit *members, size_t n, engine_points *part,
                       unsigned char *has)
{
    judge_score *js;
    size_t nj;
    double *buf;
    int rc = store_judge_scores(s, c->code, &js, &nj);
    memset(has, 0, n);
    if (rc != 0)
        return rc;
    if (!(buf = malloc((nj + 1) * sizeof *buf))) {
        free(js);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t u = 0; rc == 0 && u < n; u++) {
        size_t k = 0;
        for (size_t j = 0; j < nj; j++) {
            if (strcmp(js[j].unit_code, members[u].code) == 0)
                buf[k++] = js[j].score;
        }
        if (k > 0 && (rc = engine_judges_score(buf, k, c->drop_extremes, &part[u], NULL)) == 0)
            has[u] = 1;
    }
    free(buf);
    free(js);
    return rc;
}

/* Scores, ranks and awards points in one contest, and stores its results. */
static int run_contest(const cli_ctx *ctx, store *s, const contest *c)
{
    unit *members = NULL;
    size_t n = 0;
    engine_points *sp = NULL, *jp = NULL, *score = NULL;
    unsigned char *has_s = NULL, *has_j = NULL, *present = NULL;
    double *sv = NULL;
    engine_ranked *ranked = NULL;
    contest_result *res = NULL;
    engine_points_table points_table;
    engine_rank_ws ws = { 0 };
    int rc;
    if ((rc = engine_points_table_parse(c->points, &points_table)) != 0 ||
        (rc = store_group_members(s, c->group_code, &members, &n)) != 0)
        return rc;
    sp = calloc(n + 1, sizeof *sp);
    jp = calloc(n + 1, sizeof *jp);
    score = calloc(n + 1, sizeof *score);
    has_s = calloc(n + 1, 1);
    has_j = calloc(n + 1, 1);
    present = calloc(n + 1, 1);
    sv = calloc(n + 1, sizeof *sv);
    ranked = calloc(n + 1, sizeof *ranked);
    res = calloc(n + 1, sizeof *res);
    if (!sp || !jp || !score || !has_s || !has_j || !present || !sv || !ranked || !res) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((rc = scheme_parts(ctx, s, c, members, n, sp, has_s)) != 0 ||
        (rc = judge_parts(s, c, members, n, jp, has_j)) != 0)
        goto done;
    for (size_t u = 0; u < n; u++) {
        int has;
        score[u] = engine_contest_score(sp[u], has_s[u], jp[u], has_j[u], c->engine_weight_bp,
                                        c->judge_weight_bp, &has);
        present[u] = (unsigned char)has;
        sv[u] = (double)score[u];
    }
    if ((rc = engine_rank_group(sv, present, n, 1, ENGINE_PRECISION_EXACT, &ws, ranked, NULL)) != 0)
        goto done;
    for (size_t u = 0; u < n; u++) {
        contest_result *r = &res[u];
        snprintf(r->contest_code, sizeof r->contest_code, "%s", c->code);
        snprintf(r->unit_code, sizeof r->unit_code, "%s", members[u].code);
        r->engine_score = engine_points_to_double(sp[u]);
        r->judge_score = engine_points_to_double(jp[u]);
        r->score = engine_points_to_double(score[u]);
        r->has_engine = has_s[u];
        r->has_judges = has_j[u];
        r->rank = ranked[u].rank;
        r->points = engine_contest_points(&points_table, &ranked[u]);
    }
    rc = store_contest_results_set(s, c->code, res, n);
done:
    engine_rank_ws_free(&ws);
    free(members);
    free(sp);
    free(jp);
    free(score);
    free(has_s);
    free(has_j);
    free(present);
    free(sv);
    free(ranked);
    free(res);
    return rc;
}

/* The previous period's holder of a group's flag, as a member index, or -1. */
static long previous_holder(store *s, const standing *st, const period_key *p)
{
    period_key prev = period_prev(p);
    char code[PERIOD_CODE_MAX];
    flag_holder *fh;
    size_t n;
    long at = -1;
    period_format(&prev, code, sizeof code);
    if (store_flags_held(s, st->group_code, &fh, &n) != 0)
        return -1;
    for (size_t i = 0; i < n && at < 0; i++) {
        if (strcmp(fh[i].period_code, code) == 0)
            at = member_index(st->members, st->nunits, fh[i].unit_code);
    }
    free(fh);
    return at;
}

/* Decides and stores a group's red flag for the period from its standing. */
static int decide_flag(store *s, const standing *st, const period_key *p, const char *period_code)
{
    unsigned char *winner = calloc(st->nunits + 1, 1);
    char (*codes)[MODEL_CODE_MAX] = calloc(st->nunits + 1, sizeof *codes);
    size_t k = 0;
    int rc;
    if (!winner || !codes) {
        free(winner);
        free(codes);
        return err_set(ERR_NOMEM, "out of memory");
    }
    if ((rc = engine_flag_winners(st->ranked, st->nunits, st->ncontests ? st->contests[0].flag_tie_rule : 0,
                                  (int)previous_holder(s, st, p), st->judge, winner)) < 0) {
        free(winner);
        free(codes);
        return rc;
    }
    for (size_t u = 0; u < st->nunits; u++) {
        if (winner[u])
            snprintf(codes[k++], MODEL_CODE_MAX, "%s", st->members[u].code);
    }
    rc = store_flag_set(s, st->group_code, period_code, (const char(*)[MODEL_CODE_MAX])codes, k);
    free(winner);
    free(codes);
    return rc;
}

/* Runs the contests of a period (of one group when only is set) in one transaction and
 * decides each group's flag; *ran and *ngroups count what was done. */
static int run_period(const cli_ctx *ctx, store *s, const period_key *p, const char *code, const char *only,
                      size_t *ran, size_t *ngroups)
{
    char (*groups)[MODEL_CODE_MAX] = NULL;
    contest *cs = NULL;
    size_t n = 0, ng;
    int rc;
    *ran = *ngroups = 0;
    if ((rc = store_contests(s, code, &cs, &n)) != 0)
        return rc;
    if (!(groups = calloc(n + 1, sizeof *groups))) {
        free(cs);
        return err_set(ERR_NOMEM, "out of memory");
    }
    ng = distinct_groups(cs, n, only, groups);
    if (ng == 0) {
        rc = err_set(ERR_NOTFOUND, "no contests for %s%s%s", code, only ? " in group " : "", only ? only : "");
        goto done;
    }
    if ((rc = store_begin(s)) != 0)
        goto done;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (only && strcmp(only, cs[i].group_code) != 0)
            continue;
        rc = run_contest(ctx, s, &cs[i]);
        (*ran)++;
    }
    for (size_t g = 0; rc == 0 && g < ng; g++) {
        standing st;
        if ((rc = standing_load(s, groups[g], cs, n, &st)) != 0)
            break;
        rc = decide_flag(s, &st, p, code);
        standing_free(&st);
    }
    if (rc == 0)
        rc = store_audit_add(s, ctx->actor ? ctx->actor : "", "contest_run", "contests", code);
    if (rc == 0)
        rc = store_commit(s);
    else
        store_rollback(s);
    *ngroups = ng;
done:
    free(groups);
    free(cs);
    return rc;
}

int cli_contest_run_period(const cli_ctx *ctx, store *s, const period_key *p)
{
    char code[PERIOD_CODE_MAX];
    size_t ran, ng;
    period_format(p, code, sizeof code);
    return run_period(ctx, s, p, code, NULL, &ran, &ng);
}

static int contest_run(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, store *s)
{
    period_key p;
    char code[PERIOD_CODE_MAX];
    size_t ran, ng;
    int rc;
    if ((rc = parse_period(cmd, cli_opt_value(cmd, args, "--period"), &p, code)) != 0 ||
        (rc = run_period(ctx, s, &p, code, cli_opt_value(cmd, args, "--group"), &ran, &ng)) != 0)
        return rc;
    if (!ctx->json)
        printf(CLI_TR(ctx, "已评出 %s 的 %zu 场比拼，%zu 个分组。\n\n", "%s: %zu contests run in %zu groups.\n\n"),
               code, ran, ng);
    return 0;
}

/* ---- contest show and awards ---- */

static int flag_holders_of(store *s, const char *group_code, const char *period_code, const standing *st,
                           unsigned char *flag)
{
    flag_holder *fh;
    size_t n;
    int rc = store_flags_held(s, group_code, &fh, &n);
    memset(flag, 0, st->nunits);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        long u;
        if (strcmp(fh[i].period_code, period_code) == 0 &&
            (u = member_index(st->members, st->nunits, fh[i].unit_code)) >= 0)
            flag[u] = 1;
    }
    free(fh);
    return rc;
}

/* The winners of one award in a period, as a JSON array of unit codes, from the group's
 * contest of the award's category (awards by indicator rank the indicator at the period's
 * last month). */
static json_t *award_winners(const cli_ctx *ctx, store *s, const award *a, const standing *st,
                             const period_key *p)
{
    json_t *codes = json_array();
    unsigned char *win = calloc(st->nunits + 1, 1);
    engine_ranked *ranked = calloc(st->nunits + 1, sizeof *ranked);
    int found = 0;
    if (!win || !ranked)
        goto done;
    if (strcmp(a->source, "contest") == 0) {
        for (size_t c = 0; c < st->ncontests && !found; c++) {
            contest_result *res;
            size_t nres;
            if (strcmp(st->contests[c].category_code, a->source_code) != 0 ||
                store_contest_results(s, st->contests[c].code, &res, &nres) != 0)
                continue;
            for (size_t k = 0; k < nres; k++) {
                long u = member_index(st->members, st->nunits, res[k].unit_code);
                if (u >= 0) {
                    ranked[u].rank = res[k].rank;
                    found = 1;
                }
            }
            free(res);
        }
        /* worst = nobody strictly worse among the ranked */
        for (size_t u = 0; u < st->nunits; u++) {
            ranked[u].worse = 0;
            for (size_t v = 0; v < st->nunits; v++)
                ranked[u].worse += ranked[u].rank && ranked[v].rank > ranked[u].rank;
        }
    } else {
        cli_scope sc;
        cli_analysis an;
        memset(&sc, 0, sizeof sc);
        sc.s = s;
        sc.month = (period_key){ PERIOD_MONTH, p->year, period_last_month(p) };
        if (cli_scope_set_group(ctx, &sc, st->group_code) == 0 && cli_analyze(&sc, a->source_code, &an) == 0) {
            for (size_t u = 0; u < an.sp.nunits; u++) {
                long m = member_index(st->members, st->nunits, an.sp.units[u].code);
                if (m >= 0)
                    ranked[m] = an.st[u].rank;
            }
            found = 1;
            cli_analysis_free(&an);
        }
    }
    if (found)
        engine_award_winners(ranked, st->nunits, a->worst, win);
    for (size_t u = 0; found && u < st->nunits; u++) {
        if (win[u])
            json_array_append_new(codes, json_string(st->members[u].code));
    }
done:
    free(win);
    free(ranked);
    return codes;
}

static json_t *awards_json(const cli_ctx *ctx, store *s, const standing *st, const period_key *p)
{
    award *as;
    size_t n;
    json_t *arr = json_array();
    if (store_awards(s, &as, &n) != 0)
        return arr;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(as[i].group_code, st->group_code) != 0)
            continue;
        json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:s, s:o}", "code", as[i].code, "name",
                                             ctx->english && as[i].name_en[0] ? as[i].name_en : as[i].name,
                                             "worst", as[i].worst, "rule", as[i].rule, "winners",
                                             award_winners(ctx, s, &as[i], st, p)));
    }
    free(as);
    return arr;
}

static const char *unit_name(const standing *st, const char *code)
{
    long u = member_index(st->members, st->nunits, code);
    return u >= 0 ? st->members[u].name : code;
}

/* Members in rank order, the unranked last, ties in member order. */
static int cmp_standing_rank(const void *a, const void *b, void *arg)
{
    const engine_ranked *r = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int rx = r[x].rank ? r[x].rank : INT32_MAX, ry = r[y].rank ? r[y].rank : INT32_MAX;
    if (rx != ry)
        return rx < ry ? -1 : 1;
    return (x > y) - (x < y);
}

static json_t *group_show_json(const cli_ctx *ctx, store *s, const standing *st, const period_key *p,
                               const char *period_code)
{
    unsigned char *flag = calloc(st->nunits + 1, 1);
    json_t *units = json_array(), *holders = json_array(), *g;
    group *gs;
    size_t ng;
    const char *gname = st->group_code;
    size_t *order = malloc((st->nunits + 1) * sizeof *order);
    if (flag)
        flag_holders_of(s, st->group_code, period_code, st, flag);
    for (size_t u = 0; order && u < st->nunits; u++)
        order[u] = u;
    if (order)
        qsort_r(order, st->nunits, sizeof *order, cmp_standing_rank, st->ranked);
    for (size_t k = 0; order && k < st->nunits; k++) {
        size_t u = order[k];
        json_t *by = json_object();
        char text[32];
        for (size_t c = 0; c < st->ncontests; c++)
            json_object_set_new(by, st->contests[c].category_code,
                                json_real(engine_points_to_double(st->points[u * st->ncontests + c])));
        engine_points_format(st->total[u], 2, text, sizeof text);
        json_array_append_new(units, json_pack("{s:s, s:s, s:i, s:o, s:o, s:s, s:b}", "unit",
                                               st->members[u].code, "name", st->members[u].name, "rank",
                                               st->ranked[u].rank, "points", by, "total",
                                               json_real(engine_points_to_double(st->total[u])),
                                               "total_text", text, "flag", flag && flag[u]));
        if (flag && flag[u])
            json_array_append_new(holders, json_string(st->members[u].code));
    }
    free(order);
    free(flag);
    if (store_groups(s, &gs, &ng) == 0) {
        for (size_t i = 0; i < ng; i++) {
            if (strcmp(gs[i].code, st->group_code) == 0) {
                g = json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:o}", "group", st->group_code, "name",
                              ctx->english && gs[i].name_en[0] ? gs[i].name_en : gs[i].name, "period",
                              period_code, "ran", st->ran, "units", units, "flag", holders, "awards",
                              awards_json(ctx, s, st, p));
                free(gs);
                return g;
            }
        }
        free(gs);
    }
    return json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:o}", "group", st->group_code, "name", gname, "period",
                     period_code, "ran", st->ran, "units", units, "flag", holders, "awards",
                     awards_json(ctx, s, st, p));
}

/* Prints one group's quarter: the ranking with points by category, the flag, the awards. */
static int print_group_show(const cli_ctx *ctx, const standing *st, json_t *g)
{
    cli_column cols[CLI_MAX_COLS];
    int nc = 0;
    size_t i;
    json_t *u, *rows = json_array(), *a;
    cols[nc++] = (cli_column)CLI_COL("rank", "名次", "rank", 1);
    cols[nc++] = (cli_column)CLI_COL("name", "单位", "unit", 0);
    for (size_t c = 0; c < st->ncontests && nc < CLI_MAX_COLS - 3; c++)
        cols[nc++] = (cli_column){ st->contests[c].category_code, st->contests[c].name,
                                   st->contests[c].name, 1, NULL, 0 };
    cols[nc++] = (cli_column)CLI_COL("total_text", "合计", "total", 1);
    cols[nc++] = (cli_column)CLI_COL("flag_text", "红旗", "flag", 0);
    printf("%s（%s）\n\n", json_string_value(json_object_get(g, "name")),
           json_string_value(json_object_get(g, "period")));
    if (!json_is_true(json_object_get(g, "ran")))
        printf(CLI_TR(ctx, "（尚未评出：saima contest run --period %s）\n\n",
                      "(not run yet: saima contest run --period %s)\n\n"),
               json_string_value(json_object_get(g, "period")));
    json_array_foreach(json_object_get(g, "units"), i, u) {
        json_t *row = json_deep_copy(u);
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(u, "points"), key, v) {
            char text[32];
            engine_points p = 0;
            engine_points_from(json_real_value(v), &p);
            engine_points_format(p, 2, text, sizeof text);
            json_object_set_new(row, key, json_string(text));
        }
        json_object_set_new(row, "flag_text", json_string(json_is_true(json_object_get(u, "flag")) ? "★" : ""));
        json_array_append_new(rows, row);
    }
    if (cli_emit_rows(ctx, rows, cols, nc) != 0)
        return ERR_NOMEM;
    printf("\n%s", cli_tr(ctx, "流动红旗：", "red flag: "));
    json_array_foreach(json_object_get(g, "flag"), i, u) {
        printf("%s%s", i ? "、" : "", unit_name(st, json_string_value(u)));
    }
    printf("%s\n", json_array_size(json_object_get(g, "flag")) ? "" : "—");
    json_array_foreach(json_object_get(g, "awards"), i, a) {
        size_t k;
        json_t *w;
        printf("%s：", json_string_value(json_object_get(a, "name")));
        json_array_foreach(json_object_get(a, "winners"), k, w) {
            printf("%s%s", k ? "、" : "", unit_name(st, json_string_value(w)));
        }
        printf("%s%s%s%s\n", json_array_size(json_object_get(a, "winners")) ? "" : "—",
               cli_tr(ctx, "（", " ("), json_string_value(json_object_get(a, "rule")), cli_tr(ctx, "）", ")"));
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
    json_array_foreach(groups, i, gj) {
        json_array_foreach(json_object_get(gj, "awards"), k, a) {
            char text[512] = "";
            size_t len = 0;
            json_array_foreach(json_object_get(a, "winners"), w, code) {
                len += (size_t)snprintf(text + len, len < sizeof text ? sizeof text - len : 0, "%s%s",
                                        w ? "、" : "", json_string_value(code));
            }
            json_array_append_new(rows, json_pack("{s:O, s:O, s:s, s:O}", "group", json_object_get(gj, "group"),
                                                  "name", json_object_get(a, "name"), "winners_text",
                                                  len ? text : "—", "rule", json_object_get(a, "rule")));
        }
    }
    return cli_emit_rows(ctx, rows, cols, CLI_NCOLS(cols));
}

static int contest_show(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, store *s,
                        int awards_only)
{
    const char *only = cli_opt_value(cmd, args, "--group");
    period_key p;
    char code[PERIOD_CODE_MAX], (*groups)[MODEL_CODE_MAX] = NULL;
    contest *cs = NULL;
    size_t n = 0, ng;
    json_t *out;
    int rc;
    if ((rc = parse_period(cmd, cli_opt_value(cmd, args, "--period"), &p, code)) != 0 ||
        (rc = store_contests(s, code, &cs, &n)) != 0)
        return rc;
    if (!(groups = calloc(n + 1, sizeof *groups))) {
        free(cs);
        return err_set(ERR_NOMEM, "out of memory");
    }
    ng = distinct_groups(cs, n, only, groups);
    out = json_array();
    if (ng == 0)
        rc = err_set(ERR_NOTFOUND, "no contests for %s", code);
    for (size_t g = 0; rc == 0 && g < ng; g++) {
        standing st;
        json_t *gj;
        if ((rc = standing_load(s, groups[g], cs, n, &st)) != 0)
            break;
        gj = group_show_json(ctx, s, &st, &p, code);
        if (!ctx->json && !awards_only)
            rc = print_group_show(ctx, &st, gj);
        if (awards_only)
            json_array_append_new(out, json_pack("{s:s, s:s, s:O}", "group", groups[g], "period", code,
                                                 "awards", json_object_get(gj, "awards")));
        else
            json_array_append(out, gj);
        json_decref(gj);
        standing_free(&st);
    }
    if (rc == 0 && ctx->json) {
        rc = cli_print_json(out);
        out = NULL;
    } else if (rc == 0 && awards_only) {
        rc = print_awards(ctx, out);
    }
    json_decref(out);
    free(groups);
    free(cs);
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

/* ---- flags: holder history, changes, and flags per unit and year ---- */

static const char *name_of(const unit *all, size_t n, const char *code)
{
    long i = member_index(all, n, code);
    return i >= 0 ? all[i].name : code;
}

/* Whether unit held the group's flag in the period before p. */
static int held_before(const flag_holder *fh, size_t n, const char *group_code, const char *period_code,
                       const char *unit_code)
{
    period_key p, prev;
    char code[PERIOD_CODE_MAX];
    if (period_parse(period_code, &p) != 0)
        return 0;
    prev = period_prev(&p);
    period_format(&prev, code, sizeof code);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(fh[i].group_code, group_code) == 0 && strcmp(fh[i].period_code, code) == 0 &&
            strcmp(fh[i].unit_code, unit_code) == 0)
            return 1;
    }
    return 0;
}

/* Whether unit holds the group's flag in the period after p (so it did not lose it). */
static int held_in(const flag_holder *fh, size_t n, const char *group_code, const char *period_code,
                   const char *unit_code)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(fh[i].group_code, group_code) == 0 && strcmp(fh[i].period_code, period_code) == 0 &&
            strcmp(fh[i].unit_code, unit_code) == 0)
            return 1;
    }
    return 0;
}

/* The flag's history: each holder as won or kept, and each holder of the period before that
 * no longer holds it as lost. */
static json_t *flag_history(const cli_ctx *ctx, const flag_holder *fh, size_t n, const unit *units, size_t nu)
{
    json_t *history = json_array();
    for (size_t i = 0; i < n; i++) {
        int kept = held_before(fh, n, fh[i].group_code, fh[i].period_code, fh[i].unit_code);
        period_key p, prev;
        char prev_code[PERIOD_CODE_MAX];
        json_array_append_new(history, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "period", fh[i].period_code,
                                                 "group", fh[i].group_code, "unit", fh[i].unit_code, "name",
                                                 name_of(units, nu, fh[i].unit_code), "change",
                                                 kept ? "kept" : "won", "change_text",
                                                 kept ? cli_tr(ctx, "卫冕", "kept") : cli_tr(ctx, "夺旗", "won")));
        if (i + 1 < n && strcmp(fh[i + 1].period_code, fh[i].period_code) == 0 &&
            strcmp(fh[i + 1].group_code, fh[i].group_code) == 0)
            continue; /* the losers are listed once per group and period, after its last holder */
        if (period_parse(fh[i].period_code, &p) != 0)
            continue;
        prev = period_prev(&p);
        period_format(&prev, prev_code, sizeof prev_code);
        for (size_t j = 0; j < n; j++) {
            if (strcmp(fh[j].group_code, fh[i].group_code) != 0 || strcmp(fh[j].period_code, prev_code) != 0 ||
                held_in(fh, n, fh[i].group_code, fh[i].period_code, fh[j].unit_code))
                continue;
            json_array_append_new(history, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "period",
                                                     fh[i].period_code, "group", fh[i].group_code, "unit",
                                                     fh[j].unit_code, "name", name_of(units, nu, fh[j].unit_code),
                                                     "change", "lost", "change_text",
                                                     cli_tr(ctx, "失旗", "lost")));
        }
    }
    return history;
}

/* Records of every unit of the groups shown: quarters won (first place), the current and the
 * longest run of first places (连冠), the best rank ever, and flags held. */
static int flag_records(store *s, const char *only, const flag_holder *fh, size_t nfh, json_t *records)
{
    contest *cs = NULL, *in_period = NULL;
    size_t ncs = 0, ng;
    char (*groups)[MODEL_CODE_MAX] = NULL;
    int rc;
    if ((rc = store_contests(s, "", &cs, &ncs)) != 0)
        return rc;
    groups = calloc(ncs + 1, sizeof *groups);
    in_period = calloc(ncs + 1, sizeof *in_period);
    if (!groups || !in_period) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto done;
    }
    ng = distinct_groups(cs, ncs, only, groups);
    for (size_t g = 0; rc == 0 && g < ng; g++) {
        unit *members = NULL;
        size_t nm = 0, np = 0;
        const char *last_period = "";
        int *ranks = NULL;
        if ((rc = store_group_members(s, groups[g], &members, &nm)) != 0)
            break;
        ranks = calloc(nm * (ncs + 1) + 1, sizeof *ranks);
        /* contests come ordered by period: walk the group's periods in order */
        for (size_t c = 0; ranks && rc == 0 && c < ncs; c++) {
            size_t k = 0;
            standing st;
            if (strcmp(cs[c].group_code, groups[g]) != 0 || strcmp(cs[c].period_code, last_period) == 0)
                continue;
            last_period = cs[c].period_code;
            for (size_t d = c; d < ncs && strcmp(cs[d].period_code, cs[c].period_code) == 0; d++)
                in_period[k++] = cs[d];
            if ((rc = standing_load(s, groups[g], in_period, k, &st)) != 0)
                break;
            for (size_t u = 0; u < nm && u < st.nunits; u++)
                ranks[u * (ncs + 1) + np] = st.ranked[u].rank;
            standing_free(&st);
            np++;
        }
        for (size_t u = 0; ranks && rc == 0 && u < nm; u++) {
            engine_record rec;
            int won = 0, flags = 0;
            engine_records(&ranks[u * (ncs + 1)], NULL, np, &rec);
            for (size_t k = 0; k < np; k++)
                won += ranks[u * (ncs + 1) + k] == 1;
            for (size_t i = 0; i < nfh; i++)
                flags += strcmp(fh[i].group_code, groups[g]) == 0 && strcmp(fh[i].unit_code, members[u].code) == 0;
            json_array_append_new(records, json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i}", "group",
                                                     groups[g], "unit", members[u].code, "name", members[u].name,
                                                     "firsts", won, "streak", rec.streak_first, "longest",
                                                     rec.longest_first, "best_rank", rec.best_rank, "flags",
                                                     flags));
        }
        if (!ranks && rc == 0)
            rc = err_set(ERR_NOMEM, "out of memory");
        free(ranks);
        free(members);
    }
done:
    free(groups);
    free(in_period);
    free(cs);
    return rc;
}

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
    const char *only = cli_opt_value(cmd, args, "--group");
    flag_holder *fh = NULL;
    unit *units = NULL;
    size_t n = 0, nu = 0;
    json_t *history = NULL, *tally = json_array(), *records = json_array();
    store *s;
    int rc;
    if ((rc = cli_open_existing(ctx, &s)) != 0) {
        json_decref(tally);
        json_decref(records);
        return rc;
    }
    if ((rc = store_flags_held(s, only ? only : "", &fh, &n)) == 0 && (rc = store_units(s, &units, &nu)) == 0)
        history = flag_history(ctx, fh, n, units, nu);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        period_key p;
        int year = period_parse(fh[i].period_code, &p) == 0 ? p.year : 0, found = 0;
        size_t k;
        json_t *t;
        json_array_foreach(tally, k, t) {
            if (strcmp(json_string_value(json_object_get(t, "unit")), fh[i].unit_code) == 0 &&
                json_integer_value(json_object_get(t, "year")) == year) {
                json_object_set_new(t, "flags", json_integer(json_integer_value(json_object_get(t, "flags")) + 1));
                found = 1;
            }
        }
        if (!found)
            json_array_append_new(tally, json_pack("{s:s, s:s, s:i, s:i}", "unit", fh[i].unit_code, "name",
                                                   name_of(units, nu, fh[i].unit_code), "year", year, "flags", 1));
    }
    if (rc == 0)
        rc = flag_records(s, only, fh, n, records);
    free(fh);
    free(units);
    store_close(s);
    if (rc != 0) {
        json_decref(history);
        json_decref(tally);
        json_decref(records);
        return rc;
    }
    if (ctx->json)
        return cli_print_json(json_pack("{s:o, s:o, s:o}", "history", history, "tally", tally, "records", records));
    printf("%s\n\n", cli_tr(ctx, "流动红旗", "Red flag"));
    if ((rc = cli_emit_rows(ctx, history, history_cols, CLI_NCOLS(history_cols))) == 0) {
        putchar('\n');
        rc = cli_emit_rows(ctx, tally, tally_cols, CLI_NCOLS(tally_cols));
        tally = NULL;
    }
    if (rc == 0) {
        printf("\n%s\n\n", cli_tr(ctx, "纪录", "Records"));
        rc = cli_emit_rows(ctx, records, record_cols, CLI_NCOLS(record_cols));
        records = NULL;
    }
    json_decref(tally);
    json_decref(records);
    return rc;
}

/* ---- ledger: the year's quarters and events ---- */

/* The index of a category in a growing list of names, adding it when new. */
static int category_index(char (*names)[MODEL_CODE_MAX], size_t *n, size_t cap, const char *name)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(names[i], name) == 0)
            return (int)i;
    }
    if (*n >= cap)
        return -1;
    snprintf(names[*n], MODEL_CODE_MAX, "%s", name);
    return (int)(*n)++;
}

/* The year ledger of one group: each member's quarters, capped events and total. */
typedef struct ledger {
    unit *members;
    size_t nunits;
    engine_points *quarters;     /* nunits × 4 */
    engine_total *totals;
} ledger;

static void ledger_free(ledger *l)
{
    free(l->members);
    free(l->quarters);
    free(l->totals);
    memset(l, 0, sizeof *l);
}

int cli_year_events(const event *evs, size_t nev, const event_cap *caps, size_t ncap, const unit *members,
                    size_t nunits, engine_event **out_ev, size_t *nout_ev, engine_cap **out_cap,
                    size_t *nout_cap)
{
    char (*cats)[MODEL_CODE_MAX] = calloc(nev + ncap + 1, sizeof *cats);
    engine_event *ee = calloc(nev + 1, sizeof *ee);
    engine_cap *ec = calloc(ncap + 1, sizeof *ec);
    size_t ncat = 0, ne = 0, nc = 0;
    int rc = 0;
    if (!cats || !ee || !ec)
        rc = err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < nev; i++) {
        long u = member_index(members, nunits, evs[i].unit_code);
        if (u < 0)
            continue;
        ee[ne].unit = (size_t)u;
        ee[ne].category = category_index(cats, &ncat, nev + ncap, evs[i].category);
        ee[ne].veto = evs[i].kind == EVENT_VETO;
        ee[ne].revoked = evs[i].revoked;
        if ((rc = engine_points_from(evs[i].points, &ee[ne].points)) != 0)
            break;
        ne++;
    }
    for (size_t i = 0; rc == 0 && i < ncap; i++) {
        ec[nc].category = category_index(cats, &ncat, nev + ncap, caps[i].category);
        if ((rc = engine_points_from(caps[i].max_bonus, &ec[nc].max_bonus)) != 0 ||
            (rc = engine_points_from(caps[i].max_deduction, &ec[nc].max_deduction)) != 0)
            break;
        nc++;
    }
    free(cats);
    if (rc != 0) {
        free(ee);
        free(ec);
        return rc;
    }
    *out_ev = ee;
    *nout_ev = ne;
    *out_cap = ec;
    *nout_cap = nc;
    return 0;
}

static int ledger_build(store *s, const char *group_code, int year, const contest *cs, size_t ncs,
                        const event *evs, size_t nev, const event_cap *caps, size_t ncap, ledger *l)
{
    engine_event *ee = NULL;
    engine_cap *ec = NULL;
    size_t ne = 0, nc = 0;
    int rc;
    memset(l, 0, sizeof *l);
    if ((rc = store_group_members(s, group_code, &l->members, &l->nunits)) != 0)
        goto done;
    l->quarters = calloc(l->nunits * 4 + 1, sizeof *l->quarters);
    l->totals = calloc(l->nunits + 1, sizeof *l->totals);
    if (!l->quarters || !l->totals) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t c = 0; rc == 0 && c < ncs; c++) {
        period_key p;
        contest_result *res;
        size_t nres;
        if (strcmp(cs[c].group_code, group_code) != 0 || period_parse(cs[c].period_code, &p) != 0 ||
            p.year != year)
            continue;
        if ((rc = store_contest_results(s, cs[c].code, &res, &nres)) != 0)
            break;
        for (size_t k = 0; k < nres; k++) {
            long u = member_index(l->members, l->nunits, res[k].unit_code);
            if (u >= 0)
                l->quarters[(size_t)u * 4 + (size_t)(period_last_month(&p) - 1) / 3] += res[k].points;
        }
        free(res);
    }
    if (rc == 0 && (rc = cli_year_events(evs, nev, caps, ncap, l->members, l->nunits, &ee, &ne, &ec, &nc)) == 0)
        rc = engine_totals(l->quarters, l->nunits, 4, ee, ne, ec, nc, l->totals);
done:
    free(ee);
    free(ec);
    if (rc != 0)
        ledger_free(l);
    return rc;
}

static json_t *ledger_rows(const cli_ctx *ctx, const ledger *l)
{
    json_t *rows = json_array();
    for (int r = 0; r <= (int)l->nunits; r++) {
        for (size_t u = 0; u < l->nunits; u++) {
            const engine_total *t = &l->totals[u];
            json_t *q, *row;
            if (t->rank != r)
                continue;
            q = json_array();
            for (int k = 0; k < 4; k++)
                json_array_append_new(q, json_real(engine_points_to_double(l->quarters[u * 4 + (size_t)k])));
            row = json_pack("{s:s, s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:b}", "unit", l->members[u].code, "name",
                            l->members[u].name, "rank", t->rank, "quarters", q, "contests",
                            json_real(engine_points_to_double(t->items)), "bonus",
                            json_real(engine_points_to_double(t->bonus)), "deduction",
                            json_real(engine_points_to_double(t->deduction)), "total",
                            json_real(engine_points_to_double(t->total)), "veto", t->veto);
            if (!ctx->json) {
                static const char *const keys[] = { "q1", "q2", "q3", "q4" };
                char text[32];
                for (int k = 0; k < 4; k++) {
                    engine_points_format(l->quarters[u * 4 + (size_t)k], 2, text, sizeof text);
                    json_object_set_new(row, keys[k], json_string(text));
                }
                engine_points_format(t->bonus, 2, text, sizeof text);
                json_object_set_new(row, "bonus_text", json_string(text));
                engine_points_format(t->deduction, 2, text, sizeof text);
                json_object_set_new(row, "deduction_text", json_string(text));
                engine_points_format(t->total, 2, text, sizeof text);
                json_object_set_new(row, "total_text", json_string(text));
                json_object_set_new(row, "veto_text", json_string(t->veto ? cli_tr(ctx, "否决", "veto") : ""));
            }
            json_array_append_new(rows, row);
        }
    }
    return rows;
}

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
    const char *only = cli_opt_value(cmd, args, "--group"), *y = cli_opt_value(cmd, args, "--year");
    char (*groups)[MODEL_CODE_MAX] = NULL;
    contest *cs = NULL;
    event *evs = NULL;
    event_cap *caps = NULL;
    size_t ncs = 0, nev = 0, ncap = 0, ng = 0;
    json_t *out = json_array();
    long year;
    store *s;
    int rc;
    if (!y || num_parse_int(y, PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, &year) != 0) {
        json_decref(out);
        return cli_usage_error(cmd, "--year YEAR is required");
    }
    if ((rc = cli_open_existing(ctx, &s)) != 0) {
        json_decref(out);
        return rc;
    }
    if ((rc = store_contests(s, "", &cs, &ncs)) == 0 && (rc = store_events(s, (int)year, &evs, &nev)) == 0 &&
        (rc = store_event_caps(s, (int)year, &caps, &ncap)) == 0) {
        if (!(groups = calloc(ncs + 1, sizeof *groups)))
            rc = err_set(ERR_NOMEM, "out of memory");
        else
            ng = distinct_groups(cs, ncs, only, groups);
    }
    for (size_t g = 0; rc == 0 && g < ng; g++) {
        ledger l;
        json_t *rows;
        if ((rc = ledger_build(s, groups[g], (int)year, cs, ncs, evs, nev, caps, ncap, &l)) != 0)
            break;
        rows = ledger_rows(ctx, &l);
        if (ctx->json) {
            json_array_append_new(out, json_pack("{s:s, s:i, s:o}", "group", groups[g], "year", (int)year,
                                                 "units", rows));
        } else {
            printf(CLI_TR(ctx, "%s · %ld 年度积分台账\n\n", "%s · %ld ledger\n\n"), groups[g], year);
            rc = cli_emit_rows(ctx, rows, cols, CLI_NCOLS(cols));
            putchar('\n');
        }
        ledger_free(&l);
    }
    if (rc == 0 && ng == 0 && !only)
        rc = err_set(ERR_NOTFOUND, "no contests in %ld", year);
    if (rc == 0 && ctx->json) {
        rc = cli_print_json(out);
        out = NULL;
    }
    json_decref(out);
    free(groups);
    free(cs);
    free(evs);
    free(caps);
    store_close(s);
    return rc;
}

/* ---- events ---- */

static void today(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(buf, size, "%Y-%m-%d", &tm);
}

static int events_add(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, store *s)
{
    const char *unit_code = cli_opt_value(cmd, args, "--unit"), *kind = cli_opt_value(cmd, args, "--kind");
    const char *pts = cli_opt_value(cmd, args, "--points"), *cat = cli_opt_value(cmd, args, "--category");
    const char *date = cli_opt_value(cmd, args, "--date"), *evidence = cli_opt_value(cmd, args, "--evidence");
    const char *approved = cli_opt_value(cmd, args, "--approved-by");
    event e;
    int64_t id;
    int k, rc;
    memset(&e, 0, sizeof e);
    if (!unit_code || !kind || !evidence || !approved)
        return cli_usage_error(cmd, "events add needs --unit, --kind, --evidence and --approved-by");
    if ((k = model_enum_find(model_event_kinds, EVENT_KIND_N, kind)) < 0)
        return cli_usage_error(cmd, "--kind: commendation, criticism, bonus, deduction or veto, not '%s'", kind);
    e.kind = k;
    if (pts && num_parse(pts, &e.points) != 0)
        return cli_usage_error(cmd, "--points: %s", err_msg());
    if (!pts && k != EVENT_VETO)
        return cli_usage_error(cmd, "--points is required for a %s", model_event_kinds[k].key);
    /* deductions and criticisms take points away whatever the sign typed; a veto takes none */
    if (k == EVENT_DEDUCTION || k == EVENT_CRITICISM)
        e.points = e.points > 0 ? -e.points : e.points;
    else if (k == EVENT_VETO)
        e.points = 0;
    else if (e.points < 0)
        return cli_usage_error(cmd, "a %s adds points: give a positive number", model_event_kinds[k].key);
    if (date) {
        int y, m, d;
        if (period_parse_date(date, &y, &m, &d) != 0)
            return cli_usage_error(cmd, "--date: %s", err_msg());
        snprintf(e.date, sizeof e.date, "%s", date);
    } else {
        today(e.date, sizeof e.date);
    }
    snprintf(e.unit_code, sizeof e.unit_code, "%s", unit_code);
    snprintf(e.category, sizeof e.category, "%s", cat ? cat : model_event_kinds[k].key);
    snprintf(e.evidence, sizeof e.evidence, "%s", evidence);
    snprintf(e.approved_by, sizeof e.approved_by, "%s", approved);
    snprintf(e.entered_by, sizeof e.entered_by, "%s", ctx->actor ? ctx->actor : "");
    if ((rc = store_begin(s)) != 0)
        return rc;
    if ((rc = store_event_add(s, &e, &id)) == 0)
        rc = store_audit_add(s, e.entered_by, "event_add", "events", e.evidence);
    if (rc == 0)
        rc = store_commit(s);
    else
        store_rollback(s);
    if (rc == 0) {
        if (ctx->json)
            return cli_print_json(json_pack("{s:I}", "id", (json_int_t)id));
        printf(CLI_TR(ctx, "已登记第 %lld 号事项\n", "recorded event %lld\n"), (long long)id);
    }
    return rc;
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
    const char *y = cli_opt_value(cmd, args, "--year"), *only = cli_opt_value(cmd, args, "--unit");
    event *evs;
    size_t n;
    long year = 0;
    json_t *rows;
    int rc;
    if (y && num_parse_int(y, PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, &year) != 0)
        return cli_usage_error(cmd, "--year: %s", err_msg());
    if ((rc = store_events(s, (int)year, &evs, &n)) != 0)
        return rc;
    rows = json_array();
    for (size_t i = 0; i < n; i++) {
        char status[MODEL_TEXT_MAX + 64];
        if (only && strcmp(only, evs[i].unit_code) != 0)
            continue;
        if (evs[i].revoked)
            snprintf(status, sizeof status, "%s%s", cli_tr(ctx, "已撤销：", "revoked: "), evs[i].revoked_reason);
        else
            snprintf(status, sizeof status, "%s", cli_tr(ctx, "有效", "in force"));
        json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:s, s:s, s:f, s:s, s:s, s:s, s:b, s:s, s:s}",
                                              "id", (json_int_t)evs[i].id, "date", evs[i].date, "unit",
                                              evs[i].unit_code, "kind", model_event_kinds[evs[i].kind].key,
                                              "category", evs[i].category, "points", evs[i].points, "evidence",
                                              evs[i].evidence, "entered_by", evs[i].entered_by, "approved_by",
                                              evs[i].approved_by, "revoked", evs[i].revoked, "revoked_reason",
                                              evs[i].revoked_reason, "status", status));
    }
    free(evs);
    return cli_emit_rows(ctx, rows, cols, CLI_NCOLS(cols));
}

static int events_revoke(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, store *s)
{
    const char *reason = cli_opt_value(cmd, args, "--reason");
    long id;
    int rc;
    if (args->npos != 2 || num_parse_int(args->pos[1], 1, 2147483647L, &id) != 0)
        return cli_usage_error(cmd, "saima events revoke ID --reason TEXT");
    if (!reason || !*reason)
        return cli_usage_error(cmd, "--reason is required: a revoked event keeps why");
    if ((rc = store_begin(s)) != 0)
        return rc;
    if ((rc = store_event_revoke(s, id, reason, ctx->actor ? ctx->actor : "")) == 0)
        rc = store_audit_add(s, ctx->actor ? ctx->actor : "", "event_revoke", "events", reason);
    if (rc == 0)
        rc = store_commit(s);
    else
        store_rollback(s);
    if (rc == 0 && !ctx->json)
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

int cli_explain_ledger(const cli_ctx *ctx, store *s, const char *unit_code, int year)
{
    contest *cs = NULL;
    event *evs = NULL;
    event_cap *caps = NULL;
    size_t ncs = 0, nev = 0, ncap = 0;
    json_t *contests = json_array(), *events = json_array();
    ledger l;
    long u = -1;
    char text[32];
    int rc;
    memset(&l, 0, sizeof l);
    if ((rc = store_contests(s, "", &cs, &ncs)) != 0 || (rc = store_events(s, year, &evs, &nev)) != 0 ||
        (rc = store_event_caps(s, year, &caps, &ncap)) != 0)
        goto done;
    for (size_t c = 0; rc == 0 && c < ncs; c++) {
        period_key p;
        contest_result *res;
        size_t nres;
        if (period_parse(cs[c].period_code, &p) != 0 || p.year != year ||
            (rc = store_contest_results(s, cs[c].code, &res, &nres)) != 0)
            continue;
        for (size_t k = 0; k < nres; k++) {
            if (strcmp(res[k].unit_code, unit_code) != 0)
                continue;
            if (u < 0 && (rc = ledger_build(s, cs[c].group_code, year, cs, ncs, evs, nev, caps, ncap, &l)) == 0)
                u = member_index(l.members, l.nunits, unit_code);
            json_array_append_new(contests, json_pack("{s:s, s:s, s:s, s:s, s:f, s:i, s:f}", "contest",
                                                      cs[c].code, "name", cs[c].name, "period",
                                                      cs[c].period_code, "category",
                                                      cs[c].category_code, "score", res[k].score, "rank",
                                                      res[k].rank, "points",
                                                      engine_points_to_double(res[k].points)));
        }
        free(res);
    }
    for (size_t i = 0; i < nev; i++) {
        if (strcmp(evs[i].unit_code, unit_code) == 0)
            json_array_append_new(events, json_pack("{s:I, s:s, s:s, s:s, s:f, s:b, s:s, s:s}", "id",
                                                    (json_int_t)evs[i].id, "date", evs[i].date, "kind",
                                                    model_event_kinds[evs[i].kind].key, "category",
                                                    evs[i].category, "points", evs[i].points, "revoked",
                                                    evs[i].revoked, "evidence", evs[i].evidence,
                                                    "revoked_reason", evs[i].revoked_reason));
    }
    if (rc == 0 && u < 0)
        rc = err_set(ERR_NOTFOUND, "unit '%s' has no contest results in %d", unit_code, year);
    if (rc != 0)
        goto done;
    if (ctx->json) {
        const engine_total *t = &l.totals[u];
        rc = cli_print_json(json_pack("{s:s, s:i, s:o, s:o, s:f, s:f, s:f, s:f, s:b, s:i}", "unit", unit_code,
                                      "year", year, "contests", contests, "events", events, "contests_total",
                                      engine_points_to_double(t->items), "bonus",
                                      engine_points_to_double(t->bonus), "deduction",
                                      engine_points_to_double(t->deduction), "total",
                                      engine_points_to_double(t->total), "veto", t->veto, "rank", t->rank));
        contests = events = NULL;
        goto done;
    }
    {
        size_t i;
        json_t *x;
        const engine_total *t = &l.totals[u];
        printf(CLI_TR(ctx, "%s · %d 年度积分\n\n比拼：\n", "%s · %d points\n\ncontests:\n"),
               l.members[u].name, year);
        json_array_foreach(contests, i, x) {
            printf(CLI_TR(ctx, "  %s  %s  得分 %.2f，第 %lld 名 → %+.2f 分\n",
                          "  %s  %-10s score %.2f, rank %lld -> %+.2f\n"),
                   json_string_value(json_object_get(x, "period")),
                   json_string_value(json_object_get(x, "name")),
                   json_real_value(json_object_get(x, "score")),
                   (long long)json_integer_value(json_object_get(x, "rank")),
                   json_real_value(json_object_get(x, "points")));
        }
        printf("%s", cli_tr(ctx, "事项：\n", "events:\n"));
        json_array_foreach(events, i, x) {
            printf("  #%lld %s %s %s %+.2f %s%s\n", (long long)json_integer_value(json_object_get(x, "id")),
                   json_string_value(json_object_get(x, "date")), json_string_value(json_object_get(x, "kind")),
                   json_string_value(json_object_get(x, "category")), json_real_value(json_object_get(x, "points")),
                   json_string_value(json_object_get(x, "evidence")),
                   json_is_true(json_object_get(x, "revoked")) ? cli_tr(ctx, "（已撤销，不计分）", " (revoked: not counted)")
                                                               : "");
        }
        engine_points_format(t->total, 2, text, sizeof text);
        printf(CLI_TR(ctx, "\n年度总分 = 比拼 %.2f + 加分 %.2f（封顶后）− 减分 %.2f（封顶后）= %s，组内第 %d 名%s\n",
                      "\nyear total = contests %.2f + bonus %.2f (capped) - deductions %.2f (capped) = %s, rank %d%s\n"),
               engine_points_to_double(t->items), engine_points_to_double(t->bonus),
               engine_points_to_double(t->deduction), text, t->rank,
               t->veto ? cli_tr(ctx, "；一票否决，不得评优", "; vetoed: barred from the top grade") : "");
    }
done:
    json_decref(contests);
    json_decref(events);
    ledger_free(&l);
    free(cs);
    free(evs);
    free(caps);
    return rc;
}
