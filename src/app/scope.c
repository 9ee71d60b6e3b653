/* scope: the group, month and analysis plumbing every engine result shares — the
 * default group and month, the scheme's thresholds, one indicator analysed on the figures the
 * reader may see, and the JSON of a standing. */
#include "app/app.h"

#include "util/err.h"
#include "util/num.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const model_enum app_tier_names[] = {
    { "none", "—" }, { "top", "前三" }, { "middle", "中游" }, { "bottom", "后三" },
};
const model_enum app_level_names[] = {
    { "none", "无" }, { "blue", "蓝色" }, { "yellow", "黄色" }, { "red", "红色" },
};
const model_enum app_warning_names[WARN_N] = {
    { "bottom_three", "排名后三" }, { "rank_fall", "排名下降" }, { "behind_time", "落后时间进度" },
    { "forecast_miss", "预计完不成目标" }, { "negative_growth", "负增长" }, { "missing", "数据缺失" },
};

void app_analysis_free(app_analysis *a)
{
    app_panel_free(&a->sp);
    free(a->st);
    memset(a, 0, sizeof *a);
}

int app_peer_group(store *s, char *out)
{
    model_group *gs;
    model_unit *members;
    size_t ng, nm;
    int rc = store_groups(s, &gs, &ng), found = 0;
    for (size_t i = 0; rc == 0 && i < ng && !found; i++) {
        if (gs[i].kind != GROUP_PEERS || store_group_members(s, gs[i].code, &members, &nm) != 0)
            continue;
        for (size_t j = 0; j < nm; j++)
            found |= members[j].is_self;
        if (found)
            snprintf(out, MODEL_CODE_MAX, "%s", gs[i].code);
        free(members);
    }
    if (rc == 0 && !found && ng > 0) {
        snprintf(out, MODEL_CODE_MAX, "%s", gs[0].code);
        found = 1;
    }
    free(gs);
    if (rc == 0 && !found)
        rc = err_set(ERR_NOTFOUND, "no groups yet (saima import groups, or saima demo)");
    return rc;
}

/* The latest month on record (with published_only, the latest holding a published figure). */
static int latest_month(store *s, int published_only, period_key *out)
{
    model_period *ps;
    size_t n;
    int rc = store_periods(s, &ps, &n), found = 0;
    for (size_t i = n; rc == 0 && i-- > 0 && !found;) {
        int has = 1;
        if (ps[i].key.kind != PERIOD_MONTH ||
            (published_only && (rc = store_month_has_values(s, &ps[i].key, 1, &has)) != 0) || !has)
            continue;
        *out = ps[i].key;
        found = 1;
    }
    free(ps);
    if (rc == 0 && !found)
        rc = err_set(ERR_NOTFOUND, published_only ? "no published monthly data yet" : "no monthly data yet");
    return rc;
}

/* The name of a group in the language asked for, or ERR_NOTFOUND. */
static int group_name(store *s, int english, const char *code, char *out, size_t size)
{
    model_group g;
    int rc = store_group_get(s, code, &g);
    if (rc == ERR_NOTFOUND)
        return err_set(ERR_NOTFOUND, "unknown group code '%s'", code);
    if (rc == 0)
        snprintf(out, size, "%s", english && g.name_en[0] ? g.name_en : g.name);
    return rc;
}

/* The warning thresholds of the group's scheme (its settings), else the defaults. */
static int group_params(store *s, const char *group_code, engine_params *out)
{
    model_scheme *all;
    size_t n;
    int rc = store_schemes(s, &all, &n);
    *out = engine_params_default();
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (strcmp(all[i].group_code, group_code) == 0) {
            if (engine_params_parse(all[i].settings, out) != 0) {
                char why[512];
                snprintf(why, sizeof why, "%s", err_msg());
                rc = err_set(ERR_DATA, "scheme '%s': %s", all[i].code, why);
            }
            break;
        }
    }
    free(all);
    return rc;
}

int app_scope_set_group(app_scope *sc, const char *group_code)
{
    int rc;
    sc->members = NULL;
    snprintf(sc->group, sizeof sc->group, "%s", group_code);
    if ((rc = group_name(sc->s, sc->english, sc->group, sc->group_name, sizeof sc->group_name)) != 0)
        return rc;
    return group_params(sc->s, sc->group, &sc->params);
}

static void scope_init(const app_ctx *q, app_scope *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->s = q->s;
    sc->published_only = q->published_only;
    sc->english = q->english;
}

/* The group code asked for, else the default one. */
static int pick_group(store *s, const char *group_code, char *out)
{
    if (group_code && group_code[0]) {
        if (strlen(group_code) >= MODEL_CODE_MAX)
            return err_set(ERR_NOTFOUND, "unknown group code '%.40s…'", group_code);
        snprintf(out, MODEL_CODE_MAX, "%s", group_code);
        return 0;
    }
    return app_peer_group(s, out);
}

int app_scope_at(const app_ctx *q, const char *group_code, const period_key *month, app_scope *sc)
{
    char code[MODEL_CODE_MAX];
    int rc;
    scope_init(q, sc);
    if ((rc = pick_group(sc->s, group_code, code)) != 0 || (rc = app_scope_set_group(sc, code)) != 0)
        return rc;
    sc->month = *month;
    period_format(&sc->month, sc->month_code, sizeof sc->month_code);
    return 0;
}

int app_scope_open(const app_ctx *q, const char *group_code, const char *month_text, app_scope *sc)
{
    char code[MODEL_CODE_MAX];
    int rc;
    scope_init(q, sc);
    if (month_text && month_text[0] &&
        (period_parse(month_text, &sc->month) != 0 || sc->month.kind != PERIOD_MONTH))
        return err_set(ERR_USAGE, "period takes a month such as 2026-10, not '%s'", month_text);
    if ((rc = pick_group(sc->s, group_code, code)) != 0)
        return rc;
    if (!(month_text && month_text[0]) && (rc = latest_month(sc->s, sc->published_only, &sc->month)) != 0)
        return rc;
    if ((rc = app_scope_set_group(sc, code)) != 0)
        return rc;
    period_format(&sc->month, sc->month_code, sizeof sc->month_code);
    return 0;
}

/* Analyses the loaded panel a->sp at the scope's month into a->st (ws reused). */
static int analyze_panel(const app_scope *sc, engine_rank_ws *ws, app_analysis *a)
{
    a->t = app_panel_month(&a->sp, &sc->month);
    if (!(a->st = calloc(a->sp.nunits ? a->sp.nunits : 1, sizeof *a->st)))
        return err_set(ERR_NOMEM, "out of memory");
    return engine_analyze(&a->sp.p, (size_t)a->t, &sc->params, ws, a->st);
}

/* Analyses one indicator on a panel of every month (history) or of the months the analysis
 * reads. */
static int analyze(const app_scope *sc, const char *indicator_code, int history, app_analysis *a)
{
    engine_rank_ws ws = { 0 };
    int rc;
    memset(a, 0, sizeof *a);
    rc = history ? app_panel_load_visible(sc->s, sc->group, indicator_code, sc->month.year,
                                          sc->published_only, &a->sp)
                 : app_panel_load_at(sc->s, sc->members, sc->group, indicator_code, &sc->month,
                                     sc->published_only, &a->sp);
    if (rc != 0)
        return rc;
    rc = analyze_panel(sc, &ws, a);
    engine_rank_ws_free(&ws);
    if (rc != 0)
        app_analysis_free(a);
    return rc;
}

int app_scope_share_members(app_scope *sc, app_members *m)
{
    int rc = app_members_load(sc->s, sc->group, m);
    if (rc == 0)
        sc->members = m;
    return rc;
}

int app_analyze(const app_scope *sc, const char *indicator_code, app_analysis *a)
{
    return analyze(sc, indicator_code, 0, a);
}

int app_analyze_many(const app_scope *sc, const model_indicator *inds, size_t n, app_analysis *out)
{
    app_panel *panels;
    engine_rank_ws ws = { 0 };
    int rc;
    memset(out, 0, n * sizeof *out);
    if (!sc->members)
        return err_set(ERR_INTERNAL, "app_analyze_many without the scope's members");
    if (!(panels = calloc(n ? n : 1, sizeof *panels)))
        return err_set(ERR_NOMEM, "out of memory");
    rc = app_panels_load_at(sc->s, sc->members, inds, n, &sc->month, sc->published_only, panels);
    for (size_t i = 0; i < n; i++) {
        app_analysis *a = &out[i];
        a->sp = panels[i];
        if (rc == 0)
            rc = analyze_panel(sc, &ws, a);
    }
    engine_rank_ws_free(&ws);
    free(panels);
    if (rc != 0) {
        for (size_t i = 0; i < n; i++)
            app_analysis_free(&out[i]);
    }
    return rc;
}

int app_analyze_history(const app_scope *sc, const char *indicator_code, app_analysis *a)
{
    return analyze(sc, indicator_code, 1, a);
}

int app_scope_indicators(const app_scope *sc, model_indicator **out, size_t *n)
{
    model_scheme *schemes;
    model_scheme_item *items;
    size_t ns, ni, keep = 0;
    int rc = store_indicators(sc->s, out, n);
    if (rc != 0 || (rc = store_schemes(sc->s, &schemes, &ns)) != 0)
        return rc;
    for (size_t i = 0; i < ns; i++) {
        if (strcmp(schemes[i].group_code, sc->group) != 0 ||
            store_scheme_items(sc->s, schemes[i].code, &items, &ni) != 0)
            continue;
        for (size_t k = 0; k < *n; k++) {
            int in = 0;
            for (size_t j = 0; j < ni; j++)
                in |= strcmp(items[j].indicator_code, (*out)[k].code) == 0;
            if (in)
                (*out)[keep++] = (*out)[k];
        }
        *n = keep;
        free(items);
        break;
    }
    free(schemes);
    return 0;
}

int app_our_unit(store *s, const char *group_code, char *out)
{
    model_unit *members;
    size_t n;
    int rc = store_group_members(s, group_code, &members, &n), found = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (members[i].is_self) {
            snprintf(out, MODEL_CODE_MAX, "%s", members[i].code);
            found = 1;
        }
    }
    free(members);
    if (rc == 0 && !found)
        rc = err_set(ERR_NOTFOUND, "group '%s' has no unit marked as ours: use --unit", group_code);
    return rc;
}

int app_parse_year(const char *name, const char *text, int *year)
{
    long y;
    if (!text || num_parse_int(text, PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, &y) != 0)
        return err_set(ERR_USAGE, "%s takes a year such as 2026, not '%s'", name, text ? text : "");
    *year = (int)y;
    return 0;
}

/* ---- JSON of a standing ---- */

json_t *app_num_or_null(double v, int decimals)
{
    return isfinite(v) ? json_real(engine_round(v, decimals)) : json_null();
}

static json_t *int_or_null(int v, int known)
{
    return known ? json_integer(v) : json_null();
}

static json_t *warnings_json(unsigned bits)
{
    json_t *arr = json_array();
    for (int w = 0; w < WARN_N; w++) {
        if (bits & (1u << w))
            json_array_append_new(arr, json_string(app_warning_names[w].key));
    }
    return arr;
}

static json_t *code_or_null(const app_panel *sp, int index)
{
    return index >= 0 ? json_string(sp->units[index].code) : json_null();
}

json_t *app_standing_json(const app_analysis *a, size_t u)
{
    const app_panel *sp = &a->sp;
    const engine_standing *st = &a->st[u];
    size_t cell = u * sp->p.nmonths + (size_t)a->t;
    int prec = sp->ind.precision;
    json_t *o = json_object();
    json_object_set_new(o, "indicator", json_string(sp->ind.code));
    json_object_set_new(o, "unit", json_string(sp->units[u].code));
    json_object_set_new(o, "name", json_string(sp->units[u].name));
    json_object_set_new(o, "value", sp->present[cell] ? json_real(sp->value[cell]) : json_null());
    json_object_set_new(o, "rank", int_or_null(st->rank.rank, st->rank.rank > 0));
    json_object_set_new(o, "ties", json_integer(st->rank.ties));
    json_object_set_new(o, "tier", json_string(app_tier_names[st->tier].key));
    json_object_set_new(o, "first_tier", json_boolean(st->first_tier));
    json_object_set_new(o, "rank_prev", int_or_null(st->rank_prev, st->rank_prev > 0));
    json_object_set_new(o, "move_prev",
                        int_or_null(st->move_prev, st->rank_prev > 0 && st->rank.rank > 0));
    json_object_set_new(o, "rank_last_year", int_or_null(st->rank_last_year, st->rank_last_year > 0));
    json_object_set_new(o, "move_year",
                        int_or_null(st->move_year, st->rank_last_year > 0 && st->rank.rank > 0));
    json_object_set_new(o, "above", code_or_null(sp, st->rank.above));
    json_object_set_new(o, "gap_above", app_num_or_null(st->gap_above, prec));
    json_object_set_new(o, "pct_to_overtake", app_num_or_null(st->pct_to_overtake, 2));
    json_object_set_new(o, "below", code_or_null(sp, st->rank.below));
    json_object_set_new(o, "lead_below", app_num_or_null(st->lead_below, prec));
    json_object_set_new(o, "gap_reference", app_num_or_null(st->gap_reference, prec));
    json_object_set_new(o, "growth", app_num_or_null(st->growth, 2));
    json_object_set_new(o, "target", sp->target_present[u] ? json_real(sp->target[u]) : json_null());
    json_object_set_new(o, "completion", app_num_or_null(st->completion, 2));
    json_object_set_new(o, "time_linear", app_num_or_null(st->time_linear, 2));
    json_object_set_new(o, "time_seasonal", app_num_or_null(st->time_seasonal, 2));
    json_object_set_new(o, "half_half", json_boolean(st->half_half));
    json_object_set_new(o, "forecast", app_num_or_null(st->forecast, prec));
    json_object_set_new(o, "forecast_rank", int_or_null(st->forecast_rank, st->forecast_rank > 0));
    json_object_set_new(o, "warnings", warnings_json(st->warnings));
    json_object_set_new(o, "level", json_string(app_level_names[st->level].key));
    return o;
}

json_t *app_group_json(const app_scope *sc)
{
    return json_pack("{s:s, s:s}", "code", sc->group, "name", sc->group_name);
}

json_t *app_indicator_json(const model_indicator *ind)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:i}", "code", ind->code, "name", ind->name, "unit",
                     ind->measure, "direction", model_directions[ind->direction].key, "precision",
                     ind->precision);
}

/* Display-only texts a table shows where JSON keeps numbers: "↑2", "↓1", "持平". */
static void add_move_text(int english, json_t *row, const char *key)
{
    json_t *v = json_object_get(row, key);
    char buf[32], text_key[64];
    if (!json_is_integer(v))
        return;
    if (json_integer_value(v) > 0)
        snprintf(buf, sizeof buf, "↑%lld", (long long)json_integer_value(v));
    else if (json_integer_value(v) < 0)
        snprintf(buf, sizeof buf, "↓%lld", -(long long)json_integer_value(v));
    else
        snprintf(buf, sizeof buf, "%s", english ? "=" : "持平");
    snprintf(text_key, sizeof text_key, "%s_text", key);
    json_object_set_new(row, text_key, json_string(buf));
}

void app_add_fixed_text(json_t *row, const char *key, int decimals)
{
    json_t *v = json_object_get(row, key);
    char buf[64], text_key[64];
    if (!json_is_number(v))
        return;
    snprintf(buf, sizeof buf, "%.*f", decimals, json_number_value(v));
    snprintf(text_key, sizeof text_key, "%s_text", key);
    json_object_set_new(row, text_key, json_string(buf));
}

void app_add_display_texts(int english, json_t *row, int precision)
{
    static const char *const at_precision[] = { "value", "gap_above", "lead_below", "gap_reference",
                                                "target", "forecast" };
    static const char *const percents[] = { "pct_to_overtake", "growth", "completion", "time_linear",
                                            "time_seasonal" };
    for (size_t i = 0; i < sizeof at_precision / sizeof at_precision[0]; i++)
        app_add_fixed_text(row, at_precision[i], precision);
    for (size_t i = 0; i < sizeof percents / sizeof percents[0]; i++)
        app_add_fixed_text(row, percents[i], 1);
    add_move_text(english, row, "move_prev");
    add_move_text(english, row, "move_year");
}

/* Units in rank order, the unranked last. */
static int cmp_by_rank(const void *a, const void *b, void *arg)
{
    const engine_standing *st = arg;
    int x = st[*(const size_t *)a].rank.rank, y = st[*(const size_t *)b].rank.rank;
    if ((x == 0) != (y == 0))
        return x == 0 ? 1 : -1;
    return (x > y) - (x < y);
}

size_t *app_rank_order(const app_analysis *a)
{
    size_t *order = malloc((a->sp.nunits ? a->sp.nunits : 1) * sizeof *order);
    if (!order)
        return NULL;
    for (size_t u = 0; u < a->sp.nunits; u++)
        order[u] = u;
    qsort_r(order, a->sp.nunits, sizeof *order, cmp_by_rank, a->st);
    return order;
}
