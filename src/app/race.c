/* race: the race (SPEC §7) as JSON — contests scored by the engine (a scheme's score
 * blended with the judges'), ranked and turned into points; each group's quarter decides its
 * red flag; awards; the year ledger adds quarters and events under caps. Every figure is the
 * engine's; running a period is the only change made here. */
#include "app/app.h"

#include "engine/contest.h"
#include "util/err.h"
#include "util/num.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared: a group's units and the quarter standings ---- */

static long member_index(const model_unit *members, size_t n, const char *code)
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
    model_unit *members;
    size_t nunits;
    model_contest *contests;           /* the group's contests in the period */
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
static void order_by_category(store *s, model_contest *cs, size_t n)
{
    model_contest_category *cats;
    size_t nc, k = 0;
    model_contest *sorted = malloc((n + 1) * sizeof *sorted);
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
static int standing_load(store *s, const char *group_code, const model_contest *all, size_t nall, standing *st)
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
        model_contest_result *res;
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
static size_t distinct_groups(const model_contest *c, size_t n, const char *only, char (*out)[MODEL_CODE_MAX])
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

/* ---- contest run ---- */

/* The scheme part of every member at the contest period's last month, by member index. */
static int scheme_parts(const app_ctx *q, const model_contest *c, const model_unit *members, size_t n,
                        engine_points *part, unsigned char *has)
{
    period_key p, month;
    app_scored r;
    int rc;
    memset(has, 0, n);
    if (!c->scheme_code[0] || c->engine_weight_bp == 0)
        return 0;
    if (period_parse(c->period_code, &p) != 0)
        return err_set(ERR_DATA, "contest '%s': bad period '%s'", c->code, c->period_code);
    month = (period_key){ PERIOD_MONTH, p.year, period_last_month(&p) };
    if ((rc = app_score_scheme_at(q, c->scheme_code, &month, &r)) != 0)
        return rc;
    for (size_t u = 0; u < r.nunits; u++) {
        long m = member_index(members, n, r.an[0].sp.units[u].code);
        if (m >= 0) {
            part[m] = r.totals[u].total;
            has[m] = 1;
        }
    }
    app_scored_free(&r);
    return 0;
}

/* The judges' part of every member, by member index. */
static int judge_parts(store *s, const model_contest *c, const model_unit *members, size_t n, engine_points *part,
                       unsigned char *has)
{
    model_judge_score *js;
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
static int run_contest(const app_ctx *q, store *s, const model_contest *c)
{
    model_unit *members = NULL;
    size_t n = 0;
    engine_points *sp = NULL, *jp = NULL, *score = NULL;
    unsigned char *has_s = NULL, *has_j = NULL, *present = NULL;
    double *sv = NULL;
    engine_ranked *ranked = NULL;
    model_contest_result *res = NULL;
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
    if ((rc = scheme_parts(q, c, members, n, sp, has_s)) != 0 ||
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
        model_contest_result *r = &res[u];
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
    model_flag_holder *fh;
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
int app_contest_run(const app_ctx *q, const period_key *p, const char *only, size_t *ran, size_t *ngroups)
{
    store *s = q->s;
    char code[PERIOD_CODE_MAX], (*groups)[MODEL_CODE_MAX] = NULL;
    model_contest *cs = NULL;
    size_t n = 0, ng;
    int rc;
    *ran = *ngroups = 0;
    if (only && !only[0])
        only = NULL;
    period_format(p, code, sizeof code);
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
        rc = run_contest(q, s, &cs[i]);
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
        rc = store_audit_add(s, app_actor(q), "contest_run", "contests", code);
    rc = app_tx_end(s, rc);
    *ngroups = ng;
done:
    free(groups);
    free(cs);
    return rc;
}

/* ---- contest show and awards ---- */

static int flag_holders_of(store *s, const char *group_code, const char *period_code, const standing *st,
                           unsigned char *flag)
{
    model_flag_holder *fh;
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
static json_t *award_winners(const app_ctx *q, store *s, const model_award *a, const standing *st,
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
            model_contest_result *res;
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
        app_scope sc;
        app_analysis an;
        period_key month = { PERIOD_MONTH, p->year, period_last_month(p) };
        if (app_scope_at(q, st->group_code, &month, &sc) == 0 && app_analyze(&sc, a->source_code, &an) == 0) {
            for (size_t u = 0; u < an.sp.nunits; u++) {
                long m = member_index(st->members, st->nunits, an.sp.units[u].code);
                if (m >= 0)
                    ranked[m] = an.st[u].rank;
            }
            found = 1;
            app_analysis_free(&an);
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

static json_t *awards_json(const app_ctx *q, store *s, const standing *st, const period_key *p)
{
    model_award *as;
    size_t n;
    json_t *arr = json_array();
    if (store_awards(s, &as, &n) != 0)
        return arr;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(as[i].group_code, st->group_code) != 0)
            continue;
        json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:s, s:o}", "code", as[i].code, "name",
                                             q->english && as[i].name_en[0] ? as[i].name_en : as[i].name,
                                             "worst", as[i].worst, "rule", as[i].rule, "winners",
                                             award_winners(q, s, &as[i], st, p)));
    }
    free(as);
    return arr;
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

/* The group's contests of the period, in category order: code, name, category. */
static json_t *contests_json(const standing *st)
{
    json_t *arr = json_array();
    for (size_t c = 0; c < st->ncontests; c++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "code", st->contests[c].code, "name",
                                             st->contests[c].name, "category", st->contests[c].category_code));
    return arr;
}

static json_t *group_show_json(const app_ctx *q, store *s, const standing *st, const period_key *p,
                               const char *period_code)
{
    unsigned char *flag = calloc(st->nunits + 1, 1);
    json_t *units = json_array(), *holders = json_array();
    model_group g;
    char gname[MODEL_NAME_MAX];
    size_t *order = malloc((st->nunits + 1) * sizeof *order);
    snprintf(gname, sizeof gname, "%s", st->group_code);
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
    if (store_group_get(s, st->group_code, &g) == 0)
        snprintf(gname, sizeof gname, "%s", q->english && g.name_en[0] ? g.name_en : g.name);
    else
        err_clear();
    return json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:o, s:o}", "group", st->group_code, "name", gname, "period",
                     period_code, "ran", st->ran, "units", units, "flag", holders, "awards",
                     awards_json(q, s, st, p), "contests", contests_json(st));
}

/* ---- flags: holder history, changes, and flags per unit and year ---- */

static const char *name_of(const model_unit *all, size_t n, const char *code)
{
    long i = member_index(all, n, code);
    return i >= 0 ? all[i].name : code;
}

/* Whether unit held the group's flag in the period before p. */
static int held_before(const model_flag_holder *fh, size_t n, const char *group_code, const char *period_code,
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
static int held_in(const model_flag_holder *fh, size_t n, const char *group_code, const char *period_code,
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
static json_t *flag_history(const app_ctx *q, const model_flag_holder *fh, size_t n, const model_unit *units, size_t nu)
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
                                                 kept ? APP_TR(q, "卫冕", "kept") : APP_TR(q, "夺旗", "won")));
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
                                                     APP_TR(q, "失旗", "lost")));
        }
    }
    return history;
}

/* Records of every unit of the groups shown: quarters won (first place), the current and the
 * longest run of first places (连冠), the best rank ever, and flags held. */
static int flag_records(store *s, const char *only, const model_flag_holder *fh, size_t nfh, json_t *records)
{
    model_contest *cs = NULL, *in_period = NULL;
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
        model_unit *members = NULL;
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

/* ---- ledger: the year's quarters and events ---- */

typedef struct ledger {
    model_unit *members;
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

static int ledger_build(store *s, const char *group_code, int year, const model_contest *cs, size_t ncs,
                        const model_event *evs, size_t nev, const model_event_cap *caps, size_t ncap, ledger *l)
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
        model_contest_result *res;
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
    if (rc == 0 && (rc = app_year_events(evs, nev, caps, ncap, l->members, l->nunits, &ee, &ne, &ec, &nc)) == 0)
        rc = engine_totals(l->quarters, l->nunits, 4, ee, ne, ec, nc, l->totals);
done:
    free(ee);
    free(ec);
    if (rc != 0)
        ledger_free(l);
    return rc;
}

static json_t *ledger_rows(const app_ctx *q, const ledger *l)
{
    json_t *rows = json_array();
    for (int r = 0; r <= (int)l->nunits; r++) {
        for (size_t u = 0; u < l->nunits; u++) {
            const engine_total *t = &l->totals[u];
            json_t *quarters, *row;
            if (t->rank != r)
                continue;
            quarters = json_array();
            for (int k = 0; k < 4; k++)
                json_array_append_new(quarters, json_real(engine_points_to_double(l->quarters[u * 4 + (size_t)k])));
            row = json_pack("{s:s, s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:b}", "unit", l->members[u].code, "name",
                            l->members[u].name, "rank", t->rank, "quarters", quarters, "contests",
                            json_real(engine_points_to_double(t->items)), "bonus",
                            json_real(engine_points_to_double(t->bonus)), "deduction",
                            json_real(engine_points_to_double(t->deduction)), "total",
                            json_real(engine_points_to_double(t->total)), "veto", t->veto);
            if (q->texts) {
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
                json_object_set_new(row, "veto_text", json_string(t->veto ? APP_TR(q, "否决", "veto") : ""));
            }
            json_array_append_new(rows, row);
        }
    }
    return rows;
}



/* The period option of a contest query: required, any period form. */
static int contest_period(const app_params *p, period_key *key, char *code)
{
    if (!p->period || !p->period[0])
        return err_set(ERR_USAGE, "period is required (a quarter such as 2026-Q3)");
    if (period_parse(p->period, key) != 0)
        return err_set(ERR_USAGE, "period '%s' is not a period (2026-Q3, 2026-10, 2026)", p->period);
    period_format(key, code, PERIOD_CODE_MAX);
    return 0;
}

/* Every group's show of a period (awards only when awards_only) as a JSON array. */
static int show_groups(const app_ctx *q, const app_params *p, int awards_only, char *code, json_t **out)
{
    const char *only = p->group && p->group[0] ? p->group : NULL;
    period_key key;
    char (*groups)[MODEL_CODE_MAX] = NULL;
    model_contest *cs = NULL;
    size_t n = 0, ng;
    json_t *arr;
    int rc;
    if ((rc = contest_period(p, &key, code)) != 0 || (rc = store_contests(q->s, code, &cs, &n)) != 0)
        return rc;
    if (!(groups = calloc(n + 1, sizeof *groups)) || !(arr = json_array())) {
        free(groups);
        free(cs);
        return err_set(ERR_NOMEM, "out of memory");
    }
    ng = distinct_groups(cs, n, only, groups);
    if (ng == 0)
        rc = err_set(ERR_NOTFOUND, "no contests for %s%s%s", code, only ? " in group " : "", only ? only : "");
    for (size_t g = 0; rc == 0 && g < ng; g++) {
        standing st;
        json_t *gj;
        if ((rc = standing_load(q->s, groups[g], cs, n, &st)) != 0)
            break;
        gj = group_show_json(q, q->s, &st, &key, code);
        if (awards_only)
            json_array_append_new(arr, json_pack("{s:s, s:s, s:O}", "group", groups[g], "period", code, "awards",
                                                 json_object_get(gj, "awards")));
        else
            json_array_append(arr, gj);
        json_decref(gj);
        standing_free(&st);
    }
    free(groups);
    free(cs);
    if (rc != 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

/* Wraps a JSON array of groups: {"<key>": value, "published_only", "groups"}. */
static int wrap_groups(const app_ctx *q, const char *key, json_t *value, json_t *groups, json_t **out)
{
    *out = json_pack("{s:o, s:b, s:o}", key, value, "published_only", q->published_only, "groups", groups);
    return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}

int app_contests(const app_ctx *q, const app_params *p, json_t **out)
{
    char code[PERIOD_CODE_MAX];
    json_t *groups;
    int rc = show_groups(q, p, 0, code, &groups);
    return rc ? rc : wrap_groups(q, "period", json_string(code), groups, out);
}

int app_awards(const app_ctx *q, const app_params *p, json_t **out)
{
    char code[PERIOD_CODE_MAX];
    json_t *groups;
    int rc = show_groups(q, p, 1, code, &groups);
    return rc ? rc : wrap_groups(q, "period", json_string(code), groups, out);
}

/* ERR_NOTFOUND unless code (when given) names a group. */
static int check_group(store *s, const char *code)
{
    model_group g;
    int rc;
    if (!code)
        return 0;
    rc = store_group_get(s, code, &g);
    return rc == ERR_NOTFOUND ? err_set(ERR_NOTFOUND, "unknown group code '%s'", code) : rc;
}

/* How many flags each unit held each year, from the holders. */
static json_t *flag_tally(const model_flag_holder *fh, size_t n, const model_unit *units, size_t nu)
{
    json_t *tally = json_array();
    for (size_t i = 0; i < n; i++) {
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
    return tally;
}

int app_flags(const app_ctx *q, const app_params *p, json_t **out)
{
    const char *only = p->group && p->group[0] ? p->group : NULL;
    model_flag_holder *fh = NULL;
    model_unit *units = NULL;
    size_t n = 0, nu = 0;
    json_t *history = NULL, *tally = NULL, *records = json_array();
    int rc;
    if ((rc = check_group(q->s, only)) != 0) {
        json_decref(records);
        return rc;
    }
    if ((rc = store_flags_held(q->s, only ? only : "", &fh, &n)) == 0 && (rc = store_units(q->s, &units, &nu)) == 0) {
        history = flag_history(q, fh, n, units, nu);
        tally = flag_tally(fh, n, units, nu);
        rc = flag_records(q->s, only, fh, n, records);
    }
    free(fh);
    free(units);
    if (rc == 0)
        *out = json_pack("{s:b, s:o, s:o, s:o}", "published_only", q->published_only, "history", history, "tally",
                         tally, "records", records);
    else {
        json_decref(history);
        json_decref(tally);
        json_decref(records);
    }
    return rc ? rc : *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}

int app_ledger(const app_ctx *q, const app_params *p, json_t **out)
{
    const char *only = p->group && p->group[0] ? p->group : NULL;
    char (*groups)[MODEL_CODE_MAX] = NULL;
    model_contest *cs = NULL;
    model_event *evs = NULL;
    model_event_cap *caps = NULL;
    size_t ncs = 0, nev = 0, ncap = 0, ng = 0;
    json_t *arr = json_array();
    int rc, year = 0;
    if (!p->year || !p->year[0])
        rc = err_set(ERR_USAGE, "year is required (such as 2026)");
    else if ((rc = app_parse_year("year", p->year, &year)) == 0)
        rc = check_group(q->s, only);
    if (rc == 0 && (rc = store_contests(q->s, "", &cs, &ncs)) == 0 && (rc = store_events(q->s, year, &evs, &nev)) == 0 &&
        (rc = store_event_caps(q->s, year, &caps, &ncap)) == 0) {
        if (!(groups = calloc(ncs + 1, sizeof *groups)))
            rc = err_set(ERR_NOMEM, "out of memory");
        else
            ng = distinct_groups(cs, ncs, only, groups);
    }
    for (size_t g = 0; rc == 0 && g < ng; g++) {
        ledger l;
        if ((rc = ledger_build(q->s, groups[g], year, cs, ncs, evs, nev, caps, ncap, &l)) != 0)
            break;
        json_array_append_new(arr, json_pack("{s:s, s:i, s:o}", "group", groups[g], "year", year, "units",
                                             ledger_rows(q, &l)));
        ledger_free(&l);
    }
    if (rc == 0 && ng == 0 && !only)
        rc = err_set(ERR_NOTFOUND, "no contests in %d", year);
    free(groups);
    free(cs);
    free(evs);
    free(caps);
    if (rc != 0) {
        json_decref(arr);
        return rc;
    }
    return wrap_groups(q, "year", json_integer(year), arr, out);
}

/* ---- explain a unit's points: every contest, every event, the caps ---- */

static json_t *unit_events_json(const model_event *evs, size_t nev, const char *unit_code)
{
    json_t *events = json_array();
    for (size_t i = 0; i < nev; i++) {
        if (strcmp(evs[i].unit_code, unit_code) == 0)
            json_array_append_new(events, json_pack("{s:I, s:s, s:s, s:s, s:f, s:b, s:s, s:s}", "id",
                                                    (json_int_t)evs[i].id, "date", evs[i].date, "kind",
                                                    model_event_kinds[evs[i].kind].key, "category",
                                                    evs[i].category, "points", evs[i].points, "revoked",
                                                    evs[i].revoked, "evidence", evs[i].evidence,
                                                    "revoked_reason", evs[i].revoked_reason));
    }
    return events;
}

int app_explain_ledger(const app_ctx *q, const char *unit_code, int year, json_t **out)
{
    store *s = q->s;
    model_contest *cs = NULL;
    model_event *evs = NULL;
    model_event_cap *caps = NULL;
    size_t ncs = 0, nev = 0, ncap = 0;
    json_t *contests = json_array();
    ledger l;
    long u = -1;
    int rc;
    memset(&l, 0, sizeof l);
    if ((rc = store_contests(s, "", &cs, &ncs)) != 0 || (rc = store_events(s, year, &evs, &nev)) != 0 ||
        (rc = store_event_caps(s, year, &caps, &ncap)) != 0)
        goto done;
    for (size_t c = 0; rc == 0 && c < ncs; c++) {
        period_key p;
        model_contest_result *res;
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
    if (rc == 0 && u < 0)
        rc = err_set(ERR_NOTFOUND, "unit '%s' has no contest results in %d", unit_code, year);
    if (rc == 0) {
        const engine_total *t = &l.totals[u];
        *out = json_pack("{s:s, s:s, s:i, s:o, s:o, s:f, s:f, s:f, s:f, s:b, s:i, s:b}", "unit", unit_code,
                         "name", l.members[u].name, "year", year, "contests", contests, "events",
                         unit_events_json(evs, nev, unit_code), "contests_total", engine_points_to_double(t->items),
                         "bonus", engine_points_to_double(t->bonus), "deduction",
                         engine_points_to_double(t->deduction), "total", engine_points_to_double(t->total), "veto",
                         t->veto, "rank", t->rank, "published_only", q->published_only);
        contests = NULL;
        rc = *out ? 0 : err_set(ERR_NOMEM, "out of memory");
    }
done:
    json_decref(contests);
    ledger_free(&l);
    free(cs);
    free(evs);
    free(caps);
    return rc;
}
