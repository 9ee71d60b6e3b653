/* analysis: the engine's analysis of a group at a month (SPEC §5) as JSON — rankings,
 * one unit's gaps with the leaders' summary, warnings, the forecast's backtest, and the
 * dashboard's heatmap, trend and movers. Every figure is the engine's. */
#include "app/app.h"

#include "util/err.h"
#include "util/grow.h"
#include "util/num.h"

#include <stdlib.h>
#include <string.h>

#define MOVERS_DEFAULT 10
#define MOVERS_MAX 1000
#define TREND_MONTHS 24

static int need_indicator(const app_params *p)
{
    if (!p->indicator || !p->indicator[0])
        return err_set(ERR_USAGE, "indicator is required (an indicator code such as gdp)");
    return 0;
}

/* The object every result of a scope starts from: group, period, published_only. */
static json_t *scope_result(const app_scope *sc)
{
    return json_pack("{s:o, s:s, s:b}", "group", app_group_json(sc), "period", sc->month_code,
                     "published_only", sc->published_only);
}

/* Sets key of obj to value (always consumed) unless rc already reports a failure; returns
 * rc, or ERR_NOMEM when obj or value is missing. */
static int put(int rc, json_t *obj, const char *key, json_t *value)
{
    if (rc == 0 && obj && value)
        return json_object_set_new(obj, key, value) == 0 ? 0 : err_set(ERR_NOMEM, "out of memory");
    json_decref(value);
    return rc ? rc : err_set(ERR_NOMEM, "out of memory");
}

/* Hands obj to *out, or frees it when rc reports a failure. */
static int finish(int rc, json_t *obj, json_t **out)
{
    if (rc == 0 && !obj)
        rc = err_set(ERR_NOMEM, "out of memory");
    if (rc != 0) {
        json_decref(obj);
        return rc;
    }
    *out = obj;
    return 0;
}

/* The scope's indicators (*inds, *n; only the one coded only when it is given) analysed
 * together into *an, reading the group's members once into m (the scope uses them until m is
 * freed). On success the caller frees all three with free_analyses; on an error nothing is
 * left to free. */
static int analyze_scope(app_scope *sc, const char *only, app_members *m, model_indicator **inds,
                         app_analysis **an, size_t *n)
{
    int rc;
    *inds = NULL;
    *an = NULL;
    *n = 0;
    memset(m, 0, sizeof *m);
    if ((rc = app_scope_indicators(sc, inds, n)) != 0)
        return rc;
    if (only) {
        size_t keep = 0;
        for (size_t i = 0; i < *n; i++) {
            if (strcmp((*inds)[i].code, only) == 0)
                (*inds)[keep++] = (*inds)[i];
        }
        *n = keep;
    }
    if ((rc = app_scope_share_members(sc, m)) == 0 && !(*an = calloc(*n ? *n : 1, sizeof **an)))
        rc = err_set(ERR_NOMEM, "out of memory");
    if (rc == 0 && (rc = app_analyze_many(sc, *inds, *n, *an)) == 0)
        return 0;
    free(*an);
    free(*inds);
    app_members_free(m);
    sc->members = NULL;
    *an = NULL;
    *inds = NULL;
    return rc;
}

static void free_analyses(app_scope *sc, app_members *m, model_indicator *inds, app_analysis *an, size_t n)
{
    for (size_t i = 0; an && i < n; i++)
        app_analysis_free(&an[i]);
    free(an);
    free(inds);
    app_members_free(m);
    sc->members = NULL;
}

/* ---- rankings ---- */

int app_rankings(const app_ctx *q, const app_params *p, json_t **out)
{
    app_scope sc;
    app_analysis a;
    size_t *order;
    json_t *res = NULL, *rows;
    int rc;
    if ((rc = need_indicator(p)) != 0 || (rc = app_scope_open(q, p->group, p->period, &sc)) != 0 ||
        (rc = app_analyze(&sc, p->indicator, &a)) != 0)
        return rc;
    if (!(order = app_rank_order(&a))) {
        app_analysis_free(&a);
        return err_set(ERR_NOMEM, "out of memory");
    }
    rows = json_array();
    for (size_t k = 0; rows && k < a.sp.nunits; k++) {
        json_t *row = app_standing_json(&a, order[k]);
        if (q->texts)
            app_add_display_texts(q->english, row, a.sp.ind.precision);
        json_array_append_new(rows, row);
    }
    free(order);
    res = scope_result(&sc);
    rc = put(0, res, "indicator", app_indicator_json(&a.sp.ind));
    rc = put(rc, res, "rows", rows);
    app_analysis_free(&a);
    return finish(rc, res, out);
}

/* ---- gaps: one unit across the indicators, with the leaders' summary ---- */

void app_summary_add(app_summary *sm, const engine_standing *st)
{
    sm->n++;
    sm->first += st->rank.rank == 1;
    sm->second += st->rank.rank == 2;
    sm->third += st->rank.rank == 3;
    sm->first_tier += st->first_tier;
    sm->bottom += st->tier == TIER_BOTTOM;
}

json_t *app_summary_json(const app_summary *sm, const char *count_key)
{
    return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", count_key, sm->n, "first", sm->first, "second",
                     sm->second, "third", sm->third, "first_tier", sm->first_tier, "bottom_three", sm->bottom);
}

static long unit_at(const app_panel *sp, const char *code)
{
    for (size_t k = 0; k < sp->nunits; k++) {
        if (strcmp(sp->units[k].code, code) == 0)
            return (long)k;
    }
    return -1;
}

/* The gap row of unit u on one indicator. */
static json_t *gap_row(const app_ctx *q, const app_analysis *a, const model_indicator *ind, size_t u)
{
    json_t *row = app_standing_json(a, u);
    const engine_ranked *r = &a->st[u].rank;
    if (q->texts)
        app_add_display_texts(q->english, row, a->sp.ind.precision);
    json_object_set_new(row, "indicator_name", json_string(ind->name));
    json_object_set_new(row, "above_name", json_string(r->above >= 0 ? a->sp.units[r->above].name : "—"));
    json_object_set_new(row, "below_name", json_string(r->below >= 0 ? a->sp.units[r->below].name : "—"));
    return row;
}

/* The unit asked for, else ours in the scope's group. */
static int pick_unit(const app_scope *sc, const char *unit_opt, char *out)
{
    if (unit_opt && unit_opt[0]) {
        snprintf(out, MODEL_CODE_MAX, "%s", unit_opt);
        return 0;
    }
    return app_our_unit(sc->s, sc->group, out);
}

int app_gaps(const app_ctx *q, const app_params *p, json_t **out)
{
    char unit_code[MODEL_CODE_MAX], unit_name[MODEL_NAME_MAX] = "";
    model_indicator *inds;
    app_analysis *an;
    app_members m;
    size_t nind;
    app_summary sm = { 0, 0, 0, 0, 0, 0 };
    json_t *rows, *res;
    app_scope sc;
    long u = -1;
    int rc;
    if ((rc = app_scope_open(q, p->group, p->period, &sc)) != 0 ||
        (rc = pick_unit(&sc, p->unit, unit_code)) != 0 || (rc = analyze_scope(&sc, NULL, &m, &inds, &an, &nind)) != 0)
        return rc;
    rows = json_array();
    if (nind > 0 && (u = unit_at(&an[0].sp, unit_code)) < 0)
        rc = err_set(ERR_NOTFOUND, "unit '%s' is not in group '%s'", unit_code, sc.group);
    for (size_t i = 0; rc == 0 && i < nind; i++) {
        snprintf(unit_name, sizeof unit_name, "%s", m.units[u].name);
        json_array_append_new(rows, gap_row(q, &an[i], &inds[i], (size_t)u));
        if (an[i].st[u].rank.rank > 0)
            app_summary_add(&sm, &an[i].st[u]);
    }
    free_analyses(&sc, &m, inds, an, nind);
    if (rc != 0) {
        json_decref(rows);
        return rc;
    }
    res = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o}", "unit", unit_code, "unit_name", unit_name,
                    "group", sc.group, "group_name", sc.group_name, "period", sc.month_code, "published_only",
                    sc.published_only, "summary", app_summary_json(&sm, "indicators"), "indicators", rows);
    return finish(0, res, out);
}

/* ---- warnings ---- */

static void reasons_text(int english, unsigned bits, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int w = 0; w < WARN_N && n < size; w++) {
        if (bits & (1u << w))
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? (english ? ", " : "、") : "",
                                  english ? app_warning_names[w].key : app_warning_names[w].label_zh);
    }
}

static int cmp_by_level(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "level_n"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "level_n"));
    return (y > x) - (y < x);
}

/* A growing list of JSON rows. */
typedef struct row_list {
    json_t **row;
    size_t n, cap;
} row_list;

static int row_list_add(row_list *l, json_t *row)
{
    if (!row)
        return err_set(ERR_NOMEM, "out of memory");
    if (l->n == l->cap) {
        json_t **bigger = grow_array(l->row, &l->cap, l->n + 1, sizeof *l->row, 64);
        if (!bigger) {
            json_decref(row);
            return err_set(ERR_NOMEM, "out of memory");
        }
        l->row = bigger;
    }
    l->row[l->n++] = row;
    return 0;
}

/* Moves the rows into a JSON array (deleting the helper key drop) and frees the list. */
static json_t *row_list_take(row_list *l, const char *drop)
{
    json_t *rows = json_array();
    for (size_t k = 0; k < l->n; k++) {
        json_object_del(l->row[k], drop);
        json_array_append_new(rows, l->row[k]);
    }
    free(l->row);
    memset(l, 0, sizeof *l);
    return rows;
}

static void row_list_free(row_list *l)
{
    for (size_t k = 0; k < l->n; k++)
        json_decref(l->row[k]);
    free(l->row);
    memset(l, 0, sizeof *l);
}

/* The warned units of one analysis (only_unit when given) into l. */
static int warned_rows(const app_ctx *q, const app_analysis *a, const model_indicator *ind, const char *only_unit,
                       row_list *l)
{
    int rc = 0;
    for (size_t u = 0; u < a->sp.nunits && rc == 0; u++) {
        char text[256];
        json_t *row;
        if (a->st[u].level == LEVEL_NONE || (only_unit && strcmp(only_unit, a->sp.units[u].code) != 0))
            continue;
        row = app_standing_json(a, u);
        if (q->texts)
            app_add_display_texts(q->english, row, a->sp.ind.precision);
        reasons_text(q->english, a->st[u].warnings, text, sizeof text);
        json_object_set_new(row, "indicator_name", json_string(ind->name));
        json_object_set_new(row, "reasons", json_string(text));
        json_object_set_new(row, "level_n", json_integer(a->st[u].level));
        rc = row_list_add(l, row);
    }
    return rc;
}

/* What collect_rows gathers from each indicator's analysis. */
enum row_kind { ROWS_WARNED, ROWS_MOVED };

static int collect_rows(const app_ctx *q, app_scope *sc, enum row_kind kind, const char *only_ind,
                        const char *only_unit, row_list *found);

int app_warnings(const app_ctx *q, const app_params *p, json_t **out)
{
    const char *only_unit = p->unit && p->unit[0] ? p->unit : NULL;
    const char *only_ind = p->indicator && p->indicator[0] ? p->indicator : NULL;
    row_list found = { NULL, 0, 0 };
    app_scope sc;
    json_t *res;
    int rc;
    if ((rc = app_scope_open(q, p->group, p->period, &sc)) != 0 ||
        (rc = collect_rows(q, &sc, ROWS_WARNED, only_ind, only_unit, &found)) != 0)
        return rc;
    if (found.n)
        qsort(found.row, found.n, sizeof *found.row, cmp_by_level);
    res = scope_result(&sc);
    rc = put(0, res, "rows", row_list_take(&found, "level_n"));
    return finish(rc, res, out);
}

/* ---- the forecast's backtest ---- */

int app_backtest(const app_ctx *q, const app_params *p, json_t **out)
{
    const char *only = p->indicator && p->indicator[0] ? p->indicator : NULL;
    model_indicator *inds = NULL;
    size_t nind = 0;
    engine_backtest sum;
    json_t *rows, *res;
    app_scope sc;
    int rc, year;
    if ((rc = app_scope_open(q, p->group, p->period, &sc)) != 0)
        return rc;
    year = sc.month.year - 1;
    memset(&sum, 0, sizeof sum);
    rc = app_scope_indicators(&sc, &inds, &nind);
    for (size_t i = 0; rc == 0 && i < nind; i++) {
        app_panel sp;
        engine_backtest one;
        if ((only && strcmp(only, inds[i].code) != 0) || inds[i].value_kind != VK_YTD)
            continue;
        if ((rc = app_panel_load_visible(sc.s, sc.group, inds[i].code, year, sc.published_only, &sp)) != 0)
            break;
        if ((rc = engine_forecast_backtest(&sp.p, year, &one)) == 0)
            engine_backtest_add(&sum, &one);
        app_panel_free(&sp);
    }
    free(inds);
    if (rc != 0)
        return rc;
    rows = json_array();
    for (int m = 0; m < 12; m++) {
        json_t *row = json_pack("{s:i, s:o, s:o, s:i}", "month", m + 1, "seasonal",
                                app_num_or_null(sum.mape_seasonal[m], 2), "linear",
                                app_num_or_null(sum.mape_linear[m], 2), "n", sum.n[m]);
        app_add_fixed_text(row, "seasonal", 2);
        app_add_fixed_text(row, "linear", 2);
        json_array_append_new(rows, row);
    }
    res = scope_result(&sc);
    rc = put(0, res, "year", json_integer(year));
    rc = put(rc, res, "indicator", only ? json_string(only) : json_null());
    rc = put(rc, res, "rows", rows);
    return finish(rc, res, out);
}

/* ---- heatmap: every member's rank on every indicator ---- */

/* The heatmap's grid: one matrix (indicators × units) per field of a cell, null where the unit
 * is unranked. A province's map has 39,000 cells: five arrays of numbers serialise in a third
 * of the time (and bytes) of as many objects. */
enum { HEAT_RANK, HEAT_TIES, HEAT_TIER, HEAT_VALUE, HEAT_MOVE, HEAT_FIELDS };
static const char *const heat_fields[HEAT_FIELDS] = { "rank", "ties", "tier", "value", "move_prev" };

/* The JSON values a heatmap repeats, made once per map and shared by reference: the integers
 * −n..n (ranks, ties, moves of n units) and the tier names. */
typedef struct heat_pool {
    json_t **ints;               /* 2n + 1 integers, ints[n + k] is k */
    long n;
    json_t *tiers[4];
} heat_pool;

static int heat_pool_init(heat_pool *hp, size_t nunits)
{
    memset(hp, 0, sizeof *hp);
    hp->n = (long)nunits;
    if (!(hp->ints = calloc((size_t)(2 * hp->n + 1), sizeof *hp->ints)))
        return err_set(ERR_NOMEM, "out of memory");
    for (long k = -hp->n; k <= hp->n; k++) {
        if (!(hp->ints[hp->n + k] = json_integer(k)))
            return err_set(ERR_NOMEM, "out of memory");
    }
    for (int t = 0; t < 4; t++) {
        if (!(hp->tiers[t] = json_string_nocheck(app_tier_names[t].key)))
            return err_set(ERR_NOMEM, "out of memory");
    }
    return 0;
}

static void heat_pool_free(heat_pool *hp)
{
    for (long k = 0; hp->ints && k <= 2 * hp->n; k++)
        json_decref(hp->ints[k]);
    for (int t = 0; t < 4; t++)
        json_decref(hp->tiers[t]);
    free(hp->ints);
    memset(hp, 0, sizeof *hp);
}

/* A shared integer of the pool (a new one outside −n..n, which a standing never gives). */
static json_t *heat_int(const heat_pool *hp, long v)
{
    return v >= -hp->n && v <= hp->n ? json_incref(hp->ints[hp->n + v]) : json_integer(v);
}

/* Appends indicator a's line of every matrix of grid. */
static void heat_line(const heat_pool *hp, const app_analysis *a, json_t *const *grid)
{
    json_t *line[HEAT_FIELDS];
    for (int k = 0; k < HEAT_FIELDS; k++)
        line[k] = json_array();
    for (size_t u = 0; u < a->sp.nunits; u++) {
        const engine_standing *st = &a->st[u];
        size_t cell = u * a->sp.p.nmonths + (size_t)a->t;
        int ranked = st->rank.rank > 0;
        json_array_append_new(line[HEAT_RANK], ranked ? heat_int(hp, st->rank.rank) : json_null());
        json_array_append_new(line[HEAT_TIES], ranked ? heat_int(hp, st->rank.ties) : json_null());
        json_array_append_new(line[HEAT_TIER], ranked ? json_incref(hp->tiers[st->tier]) : json_null());
        json_array_append_new(line[HEAT_VALUE],
                              ranked && a->sp.present[cell] ? json_real(a->sp.value[cell]) : json_null());
        json_array_append_new(line[HEAT_MOVE], ranked && st->rank_prev > 0 ? heat_int(hp, st->move_prev) : json_null());
    }
    for (int k = 0; k < HEAT_FIELDS; k++)
        json_array_append_new(grid[k], line[k]);
}

static json_t *heat_units(const model_unit *m, size_t n)
{
    json_t *arr = json_array();
    for (size_t u = 0; u < n; u++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "code", m[u].code, "name", m[u].name,
                                             "is_self", m[u].is_self));
    return arr;
}

int app_heatmap(const app_ctx *q, const app_params *p, json_t **out)
{
    model_indicator *inds;
    app_analysis *an;
    app_members m;
    size_t nind;
    json_t *res = NULL, *ind_arr, *cells, *grid[HEAT_FIELDS];
    heat_pool hp;
    app_scope sc;
    int rc;
    if ((rc = app_scope_open(q, p->group, p->period, &sc)) != 0 ||
        (rc = analyze_scope(&sc, NULL, &m, &inds, &an, &nind)) != 0)
        return rc;
    if ((rc = heat_pool_init(&hp, m.n)) != 0) {
        heat_pool_free(&hp);
        free_analyses(&sc, &m, inds, an, nind);
        return rc;
    }
    ind_arr = json_array();
    cells = json_object();
    for (int k = 0; k < HEAT_FIELDS; k++) {
        grid[k] = json_array();
        json_object_set_new(cells, heat_fields[k], grid[k]);
    }
    for (size_t i = 0; i < nind; i++) {
        heat_line(&hp, &an[i], grid);
        json_array_append_new(ind_arr, json_pack("{s:s, s:s, s:s, s:s}", "code", inds[i].code, "name",
                                                 inds[i].name, "unit", inds[i].measure, "direction",
                                                 model_directions[inds[i].direction].key));
    }
    res = scope_result(&sc);
    rc = put(rc, res, "units", heat_units(m.units, m.n));
    rc = put(rc, res, "indicators", ind_arr);
    rc = put(rc, res, "cells", cells);
    heat_pool_free(&hp);
    free_analyses(&sc, &m, inds, an, nind);
    return finish(rc, res, out);
}

/* ---- trend: one unit's value, rank and target month by month ---- */

/* Finds the target of one unit among an indicator's targets of a year. */
typedef struct target_find {
    int64_t unit_id;
    double value;
    int found;
} target_find;

static int take_target(const obs_cell *c, void *ctx)
{
    target_find *f = ctx;
    if (c->unit_id != f->unit_id)
        return 0;
    f->value = c->value;
    f->found = 1;
    return 1;
}

/* The target of an indicator for a unit in a year, as JSON (null when none). */
static json_t *target_of(store *s, const model_indicator *ind, const model_unit *unit, int year)
{
    target_find f = { unit->id, 0, 0 };
    if (store_indicator_targets(s, ind->id, year, take_target, &f) < 0 || !f.found) {
        err_clear();
        return json_null();
    }
    return json_real(f.value);
}

/* The months of the trend: rank of every month among the members, value and the target. */
static int trend_months(const app_scope *sc, const app_analysis *a, size_t u, json_t *months)
{
    const engine_panel *pn = &a->sp.p;
    size_t n = a->sp.nunits, nm = pn->nmonths;
    double *v = calloc(n + 1, sizeof *v);
    unsigned char *pres = calloc(n + 1, 1);
    engine_ranked *ranked = calloc(n + 1, sizeof *ranked);
    engine_rank_ws ws = { 0 };
    json_t *targets[2];
    int rc = 0;
    if (!v || !pres || !ranked)
        rc = err_set(ERR_NOMEM, "out of memory");
    targets[0] = target_of(sc->s, &a->sp.ind, &a->sp.units[u], sc->month.year - 1);
    targets[1] = target_of(sc->s, &a->sp.ind, &a->sp.units[u], sc->month.year);
    for (long t = a->t - TREND_MONTHS + 1; rc == 0 && t <= a->t; t++) {
        period_key m = { PERIOD_MONTH, pn->first_year + (int)(t / 12), (int)(t % 12) + 1 };
        char code[PERIOD_CODE_MAX];
        if (t < 0)
            continue;
        for (size_t k = 0; k < n; k++) {
            v[k] = pn->value[k * nm + (size_t)t];
            pres[k] = pn->present[k * nm + (size_t)t];
        }
        if ((rc = engine_rank_group(v, pres, n, pn->higher_better, pn->precision, &ws, ranked, NULL)) != 0)
            break;
        period_format(&m, code, sizeof code);
        json_array_append_new(months, json_pack("{s:s, s:o, s:o, s:O}", "period", code, "value",
                                                pres[u] ? json_real(v[u]) : json_null(), "rank",
                                                ranked[u].rank ? json_integer(ranked[u].rank) : json_null(),
                                                "target", targets[m.year == sc->month.year]));
    }
    json_decref(targets[0]);
    json_decref(targets[1]);
    engine_rank_ws_free(&ws);
    free(v);
    free(pres);
    free(ranked);
    return rc;
}

int app_trend(const app_ctx *q, const app_params *p, json_t **out)
{
    char unit_code[MODEL_CODE_MAX];
    app_scope sc;
    app_analysis a;
    json_t *res = NULL, *months;
    long u;
    int rc;
    if ((rc = need_indicator(p)) != 0 || (rc = app_scope_open(q, p->group, p->period, &sc)) != 0 ||
        (rc = pick_unit(&sc, p->unit, unit_code)) != 0 || (rc = app_analyze_history(&sc, p->indicator, &a)) != 0)
        return rc;
    if ((u = unit_at(&a.sp, unit_code)) < 0)
        rc = err_set(ERR_NOTFOUND, "unit '%s' is not in group '%s'", unit_code, sc.group);
    else if (!(months = json_array()))
        rc = err_set(ERR_NOMEM, "out of memory");
    else if ((rc = trend_months(&sc, &a, (size_t)u, months)) != 0)
        json_decref(months);
    else
        res = json_pack("{s:o, s:{s:s, s:s}, s:o, s:s, s:b, s:o}", "indicator", app_indicator_json(&a.sp.ind),
                        "unit", "code", a.sp.units[u].code, "name", a.sp.units[u].name, "group",
                        app_group_json(&sc), "period", sc.month_code, "published_only", sc.published_only,
                        "months", months);
    app_analysis_free(&a);
    return finish(rc, res, out);
}

/* ---- movers: the biggest movements since last month ---- */

static long abs_move(json_t *row)
{
    json_int_t m = json_integer_value(json_object_get(row, "move_prev"));
    return (long)(m < 0 ? -m : m);
}

/* |move| descending, then the order found (indicator order, then rank order). */
static int cmp_movers(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    long mx = abs_move(x), my = abs_move(y);
    json_int_t ox = json_integer_value(json_object_get(x, "order_n"));
    json_int_t oy = json_integer_value(json_object_get(y, "order_n"));
    if (mx != my)
        return mx > my ? -1 : 1;
    return (ox > oy) - (ox < oy);
}

static int moved_rows(const app_analysis *a, const model_indicator *ind, row_list *l)
{
    size_t *order = app_rank_order(a);
    int rc = order ? 0 : err_set(ERR_NOMEM, "out of memory");
    for (size_t k = 0; rc == 0 && k < a->sp.nunits; k++) {
        const engine_standing *st = &a->st[order[k]];
        if (st->rank.rank <= 0 || st->rank_prev <= 0 || st->move_prev == 0)
            continue;
        rc = row_list_add(l, json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:I}", "indicator", ind->code,
                                       "indicator_name", ind->name, "unit", a->sp.units[order[k]].code, "name",
                                       a->sp.units[order[k]].name, "rank", st->rank.rank, "rank_prev",
                                       st->rank_prev, "move_prev", st->move_prev, "order_n",
                                       (json_int_t)l->n));
    }
    free(order);
    return rc;
}

/* Analyses each indicator of the scope (only only_ind when it is set) and adds to found its
 * warned rows (of only_unit when set) or its moved rows: the one loop behind warnings and
 * movers. On an error found is freed and the error returned. */
static int collect_rows(const app_ctx *q, app_scope *sc, enum row_kind kind, const char *only_ind,
                        const char *only_unit, row_list *found)
{
    model_indicator *inds;
    app_analysis *an;
    app_members m;
    size_t nind;
    int rc = analyze_scope(sc, only_ind, &m, &inds, &an, &nind);
    for (size_t i = 0; rc == 0 && i < nind; i++) {
        rc = kind == ROWS_WARNED ? warned_rows(q, &an[i], &inds[i], only_unit, found)
                                 : moved_rows(&an[i], &inds[i], found);
    }
    if (an)
        free_analyses(sc, &m, inds, an, nind);
    if (rc != 0)
        row_list_free(found);
    return rc;
}

int app_movers(const app_ctx *q, const app_params *p, json_t **out)
{
    long limit = MOVERS_DEFAULT;
    row_list found = { NULL, 0, 0 };
    app_scope sc;
    json_t *res, *rows;
    int rc;
    if (p->limit && p->limit[0] && num_parse_int(p->limit, 1, MOVERS_MAX, &limit) != 0)
        return err_set(ERR_USAGE, "limit takes a number from 1 to %d, not '%s'", MOVERS_MAX, p->limit);
    if ((rc = app_scope_open(q, p->group, p->period, &sc)) != 0 ||
        (rc = collect_rows(q, &sc, ROWS_MOVED, NULL, NULL, &found)) != 0)
        return rc;
    if (found.n)
        qsort(found.row, found.n, sizeof *found.row, cmp_movers);
    while (found.n > (size_t)limit)
        json_decref(found.row[--found.n]);
    rows = row_list_take(&found, "order_n");
    res = scope_result(&sc);
    rc = put(0, res, "rows", rows);
    return finish(rc, res, out);
}
