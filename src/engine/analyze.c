/* analyze: one indicator at one month for the units of a group (SPEC §5): ranks of this month,
 * the month before and the same month last year; gaps; progress; forecast; warnings.
 * docs/analysis.md states every rule with its formula. */
#include "engine/analyze.h"

#include "engine/progress.h"
#include "model/model.h"
#include "util/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Percentages computed from decimal inputs carry rounding noise far below this many points;
 * threshold comparisons allow it, so a value exactly on an edge counts as on the edge. */
#define PCT_EPS 1e-9

/* Scratch columns: one month (or the forecasts) of every unit, ready to rank. */
typedef struct column {
    double *value;
    unsigned char *present;
    engine_ranked *ranked;
} column;

engine_params engine_params_default(void)
{
    engine_params p;
    memset(&p, 0, sizeof p);
    p.first_tier_cut = 3;
    p.warn_rank_fall = 2;
    p.warn_behind_points = 5.0;
    p.level_of[WARN_BOTTOM_THREE] = LEVEL_RED;
    p.level_of[WARN_RANK_FALL] = LEVEL_YELLOW;
    p.level_of[WARN_BEHIND_TIME] = LEVEL_YELLOW;
    p.level_of[WARN_FORECAST_MISS] = LEVEL_YELLOW;
    p.level_of[WARN_NEGATIVE_GROWTH] = LEVEL_BLUE;
    p.level_of[WARN_MISSING] = LEVEL_YELLOW;
    return p;
}

/* Nonzero when unit u has a value at month t. */
static int has_value(const engine_panel *p, size_t u, size_t t)
{
    size_t at = u * p->nmonths + t;
    return (!p->present || p->present[at]) && !isnan(p->value[at]);
}

/* The value of unit u at month t, NaN when it has none. */
static double value_at(const engine_panel *p, size_t u, size_t t)
{
    return has_value(p, u, t) ? p->value[u * p->nmonths + t] : NAN;
}

static double target_of(const engine_panel *p, size_t u)
{
    if (!p->target || (p->target_present && !p->target_present[u]))
        return NAN;
    return p->target[u];
}

static double reference_at(const engine_panel *p, size_t t)
{
    if (!p->reference || (p->reference_present && !p->reference_present[t]))
        return NAN;
    return p->reference[t];
}

static int direction_of(const engine_panel *p)
{
    return p->higher_better ? DIR_HIGHER : DIR_LOWER;
}

/* Month of the year, 1-12, of panel month t. */
static int month_of(size_t t)
{
    return (int)(t % 12) + 1;
}

static int column_alloc(column *c, size_t n)
{
    c->value = malloc(n * sizeof *c->value);
    c->present = malloc(n);
    c->ranked = malloc(n * sizeof *c->ranked);
    if (!c->value || !c->present || !c->ranked)
        return err_set(ERR_NOMEM, "out of memory analysing %zu units", n);
    return 0;
}

static void column_free(column *c)
{
    free(c->value);
    free(c->present);
    free(c->ranked);
}

/* Ranks c->value/present (already filled) into c->ranked. */
static int column_rank(const engine_panel *p, column *c, engine_rank_ws *ws)
{
    return engine_rank_group(c->value, c->present, p->nunits, p->higher_better, p->precision, ws,
                             c->ranked, NULL);
}

/* Ranks every unit at month t into c->ranked. */
static int rank_month(const engine_panel *p, size_t t, column *c, engine_rank_ws *ws)
{
    for (size_t u = 0; u < p->nunits; u++) {
        c->present[u] = (unsigned char)has_value(p, u, t);
        c->value[u] = c->present[u] ? p->value[u * p->nmonths + t] : 0.0;
    }
    return column_rank(p, c, ws);
}

/* |a − b| of the values as published at the declared precision. Inside a tie group the raw
 * values differ below the precision, so only the rounded value is the group's value. */
static double rounded_gap(double a, double b, int precision)
{
    return engine_round(fabs(engine_round(a, precision) - engine_round(b, precision)), precision);
}

/* The % change of ours that makes it strictly better than the 标兵 at the precision: reaching
 * the 标兵's rounded value plus (minus, lower-better) one unit of the last decimal, or the next
 * double beyond it when values are compared exactly. NaN when ours is 0. */
static double overtake_pct(const engine_panel *p, double ours, double above)
{
    double need, pct;
    if (p->precision == ENGINE_PRECISION_EXACT) {
        need = nextafter(above, p->higher_better ? INFINITY : -INFINITY);
    } else {
        double step = pow(10.0, -p->precision);
        need = engine_round(engine_round(above, p->precision) + (p->higher_better ? step : -step),
                            p->precision);
    }
    if (progress_growth(need, ours, &pct) != 0)
        return NAN;
    return pct;
}

/* Nonzero when a is worse than b in the indicator's direction at the declared precision. */
static int worse_than(const engine_panel *p, double a, double b)
{
    double x = engine_round(a, p->precision), y = engine_round(b, p->precision);
    return p->higher_better ? x < y : x > y;
}

/* Movement: places gained from an earlier rank (0 when either rank is unknown). */
static int movement(int old_rank, int new_rank)
{
    return old_rank > 0 && new_rank > 0 ? old_rank - new_rank : 0;
}

/* A standing with nothing known yet: no rank, every double NaN. */
static engine_standing standing_unknown(void)
{
    engine_standing s;
    memset(&s, 0, sizeof s);
    s.rank.above = s.rank.below = -1;
    s.gap_above = s.pct_to_overtake = s.lead_below = s.gap_reference = NAN;
    s.growth = s.completion = s.time_linear = s.time_seasonal = s.forecast = NAN;
    return s;
}

/* 标兵/追兵 gaps of unit u, ranked at month t, and the gap to the reference unit. */
static void set_gaps(const engine_panel *p, size_t u, size_t t, engine_standing *s)
{
    double ours = value_at(p, u, t), ref = reference_at(p, t);
    if (isnan(ours))
        return;
    if (s->rank.above >= 0) {
        double above = value_at(p, (size_t)s->rank.above, t);
        s->gap_above = rounded_gap(ours, above, p->precision);
        s->pct_to_overtake = overtake_pct(p, ours, above);
    }
    if (s->rank.below >= 0)
        s->lead_below = rounded_gap(ours, value_at(p, (size_t)s->rank.below, t), p->precision);
    if (!isnan(ref))
        s->gap_reference = engine_round(engine_round(ours, p->precision) - engine_round(ref, p->precision),
                                        p->precision);
}

/* Share of last year's December value reached by the same month last year, in %; the linear
 * share when that history is missing or the indicator is not year-to-date. */
static double seasonal_progress(const engine_panel *p, size_t u, size_t t, double linear)
{
    double then, dec, share;
    if (p->value_kind != VK_YTD || t < 12)
        return linear;
    then = value_at(p, u, t - 12);
    dec = value_at(p, u, t - (size_t)month_of(t));
    if (isnan(then) || isnan(dec) || dec == 0)
        return linear;
    share = then / dec * 100.0;
    return isfinite(share) ? share : linear;
}

/* Growth, completion, time progress, 双过半 and the forecast of unit u at month t. */
static void set_progress(const engine_panel *p, size_t u, size_t t, engine_standing *s)
{
    double ours = value_at(p, u, t), goal = target_of(p, u), v;
    int kind;
    s->time_linear = month_of(t) / 12.0 * 100.0;
    s->time_seasonal = seasonal_progress(p, u, t, s->time_linear);
    if (isnan(ours))
        return;
    if (t >= 12 && progress_yoy(p->value_kind, ours, value_at(p, u, t - 12), &v, &kind) == 0)
        s->growth = v;
    if (!isnan(goal) && progress_completion(direction_of(p), ours, goal, &v) == 0)
        s->completion = v;
    s->half_half = month_of(t) >= 6 && s->completion >= 50.0 - PCT_EPS;
    s->forecast = engine_forecast(p, u, t);
}

/* The warning reasons of unit u at month t, from its filled standing. */
static unsigned warnings_of(const engine_panel *p, const engine_params *params, size_t u, size_t t,
                            const engine_standing *s)
{
    unsigned w = 0;
    double goal = target_of(p, u);
    if (!has_value(p, u, t))
        return 1u << WARN_MISSING;
    if (s->tier == TIER_BOTTOM)
        w |= 1u << WARN_BOTTOM_THREE;
    if (s->move_prev < 0 && -s->move_prev >= params->warn_rank_fall)
        w |= 1u << WARN_RANK_FALL;
    if (s->completion < s->time_seasonal - params->warn_behind_points - PCT_EPS)
        w |= 1u << WARN_BEHIND_TIME;
    if (!isnan(s->forecast) && !isnan(goal) && worse_than(p, s->forecast, goal))
        w |= 1u << WARN_FORECAST_MISS;
    if (p->higher_better ? s->growth < 0 : s->growth > 0)
        w |= 1u << WARN_NEGATIVE_GROWTH;
    return w;
}

/* The most severe level among the reasons set in w. */
static int level_of(const engine_params *params, unsigned w)
{
    int level = LEVEL_NONE;
    for (int r = 0; r < WARN_N; r++) {
        if ((w & 1u << r) && params->level_of[r] > level)
            level = params->level_of[r];
    }
    return level;
}

static int check_panel(const engine_panel *p, size_t t, const engine_standing *out)
{
    if (!p || (p->nunits && (!p->value || !out)))
        return err_set(ERR_DATA, "no panel to analyse");
    if (t >= p->nmonths)
        return err_set(ERR_DATA, "month %zu is outside the panel's %zu months", t, p->nmonths);
    if (p->precision < ENGINE_PRECISION_EXACT || p->precision > ENGINE_PRECISION_MAX)
        return err_set(ERR_DATA, "precision %d is outside %d..%d decimals", p->precision,
                       ENGINE_PRECISION_EXACT, ENGINE_PRECISION_MAX);
    return 0;
}

/* Ranks month t into out[].rank, tier and first tier; then t−1 and t−12 for the movement. */
static int analyze_ranks(const engine_panel *p, size_t t, const engine_params *params, column *c,
                         engine_rank_ws *ws, engine_standing *out)
{
    int rc;
    if ((rc = rank_month(p, t, c, ws)) != 0)
        return rc;
    for (size_t u = 0; u < p->nunits; u++) {
        out[u].rank = c->ranked[u];
        out[u].tier = engine_tier(&out[u].rank);
        out[u].first_tier = engine_first_tier(&out[u].rank, params->first_tier_cut);
    }
    if (t >= 1) {
        if ((rc = rank_month(p, t - 1, c, ws)) != 0)
            return rc;
        for (size_t u = 0; u < p->nunits; u++) {
            out[u].rank_prev = c->ranked[u].rank;
            out[u].move_prev = movement(out[u].rank_prev, out[u].rank.rank);
        }
    }
    if (t >= 12) {
        if ((rc = rank_month(p, t - 12, c, ws)) != 0)
            return rc;
        for (size_t u = 0; u < p->nunits; u++) {
            out[u].rank_last_year = c->ranked[u].rank;
            out[u].move_year = movement(out[u].rank_last_year, out[u].rank.rank);
        }
    }
    return 0;
}

/* Ranks the forecasts of the units that have one into out[].forecast_rank, at the declared
 * precision. A forecast can be far larger than any value entered (a tiny seasonal share); when
 * one is too large for the precision, the forecasts are compared exactly rather than failing
 * the whole analysis over a prediction. */
static int rank_forecasts(const engine_panel *p, column *c, engine_rank_ws *ws, engine_standing *out)
{
    int rc;
    for (size_t u = 0; u < p->nunits; u++) {
        c->present[u] = (unsigned char)isfinite(out[u].forecast);
        c->value[u] = c->present[u] ? out[u].forecast : 0.0;
    }
    rc = column_rank(p, c, ws);
    if (rc == ERR_DATA)
        rc = engine_rank_group(c->value, c->present, p->nunits, p->higher_better, ENGINE_PRECISION_EXACT,
                               ws, c->ranked, NULL);
    if (rc != 0)
        return rc;
    for (size_t u = 0; u < p->nunits; u++)
        out[u].forecast_rank = c->ranked[u].rank;
    return 0;
}

int engine_analyze(const engine_panel *p, size_t t, const engine_params *params, engine_rank_ws *ws,
                   engine_standing *out)
{
    engine_params defaults = engine_params_default();
    engine_rank_ws own = { 0 };
    column c = { 0 };
    int rc;
    if ((rc = check_panel(p, t, out)) != 0 || p->nunits == 0)
        return rc;
    if (!params)
        params = &defaults;
    if (!ws)
        ws = &own;
    if ((rc = column_alloc(&c, p->nunits)) != 0)
        goto done;
    for (size_t u = 0; u < p->nunits; u++)
        out[u] = standing_unknown();
    if ((rc = analyze_ranks(p, t, params, &c, ws, out)) != 0)
        goto done;
    for (size_t u = 0; u < p->nunits; u++) {
        set_gaps(p, u, t, &out[u]);
        set_progress(p, u, t, &out[u]);
    }
    if ((rc = rank_forecasts(p, &c, ws, out)) != 0)
        goto done;
    for (size_t u = 0; u < p->nunits; u++) {
        out[u].warnings = warnings_of(p, params, u, t, &out[u]);
        out[u].level = level_of(params, out[u].warnings);
    }
done:
    column_free(&c);
    engine_rank_ws_free(&own);
    return rc;
}

/* The mean over earlier years of the panel of (value at t's month / value at December), over
 * the years that have both with a nonzero December; NaN when none has, or the mean is not a
 * positive share. */
static double mean_share(const engine_panel *p, size_t u, size_t t)
{
    double sum = 0, share;
    int n = 0;
    for (size_t y = 0; y < t / 12; y++) {
        double at = value_at(p, u, y * 12 + t % 12), dec = value_at(p, u, y * 12 + 11);
        if (isnan(at) || isnan(dec) || dec == 0 || !isfinite(at / dec))
            continue;
        sum += at / dec;
        n++;
    }
    share = n ? sum / n : NAN;
    return share > 0 && isfinite(share) ? share : NAN;
}

double engine_forecast(const engine_panel *p, size_t u, size_t t)
{
    double v, share, f;
    if (!p || !p->value || u >= p->nunits || t >= p->nmonths || !has_value(p, u, t))
        return NAN;
    v = value_at(p, u, t);
    if (p->value_kind != VK_YTD)
        return v;
    share = mean_share(p, u, t);
    f = isnan(share) ? v * 12.0 / month_of(t) : v / share;
    return isfinite(f) ? f : NAN;
}

int engine_forecast_backtest(const engine_panel *p, int year, engine_backtest *out)
{
    size_t first = (size_t)(year - p->first_year) * 12, december = first + 11;
    if (p->value_kind != VK_YTD)
        return err_set(ERR_DATA, "a forecast backtest needs year-to-date values");
    if (year < p->first_year || december >= p->nmonths)
        return err_set(ERR_DATA, "year %d is outside the panel", year);
    for (int m = 0; m < 12; m++) {
        double sum_s = 0, sum_l = 0;
        int n = 0;
        for (size_t u = 0; u < p->nunits; u++) {
            double actual, seasonal, linear;
            if (!has_value(p, u, first + (size_t)m) || !has_value(p, u, december))
                continue;
            actual = value_at(p, u, december);
            seasonal = engine_forecast(p, u, first + (size_t)m);
            linear = value_at(p, u, first + (size_t)m) * 12.0 / (m + 1);
            if (actual == 0 || !isfinite(seasonal))
                continue;
            sum_s += fabs(seasonal - actual) / fabs(actual) * 100;
            sum_l += fabs(linear - actual) / fabs(actual) * 100;
            n++;
        }
        out->n[m] = n;
        out->mape_seasonal[m] = n ? sum_s / n : NAN;
        out->mape_linear[m] = n ? sum_l / n : NAN;
    }
    return 0;
}

void engine_backtest_add(engine_backtest *sum, const engine_backtest *one)
{
    for (int m = 0; m < 12; m++) {
        int n = sum->n[m] + one->n[m];
        if (one->n[m] == 0)
            continue;
        sum->mape_seasonal[m] = ((sum->n[m] ? sum->mape_seasonal[m] * sum->n[m] : 0) +
                                 one->mape_seasonal[m] * one->n[m]) / n;
        sum->mape_linear[m] = ((sum->n[m] ? sum->mape_linear[m] * sum->n[m] : 0) +
                               one->mape_linear[m] * one->n[m]) / n;
        sum->n[m] = n;
    }
}

static const char *const warning_keys[WARN_N] = {
    "bottom_three", "rank_fall", "behind_time", "forecast_miss", "negative_growth", "missing",
};
static const char *const level_keys[] = { "none", "blue", "yellow", "red" };

const char *engine_warning_key(int reason)
{
    return reason >= 0 && reason < WARN_N ? warning_keys[reason] : "?";
}

const char *engine_level_key(int level)
{
    return level >= LEVEL_NONE && level <= LEVEL_RED ? level_keys[level] : "?";
}

/* One "key=value" of a scheme's settings. */
static int params_part(const char *key, const char *value, engine_params *p)
{
    char *end;
    if (strncmp(key, "level.", 6) == 0) {
        for (int w = 0; w < WARN_N; w++) {
            if (strcmp(key + 6, warning_keys[w]) != 0)
                continue;
            for (int l = LEVEL_NONE; l <= LEVEL_RED; l++) {
                if (strcmp(value, level_keys[l]) == 0) {
                    p->level_of[w] = l;
                    return 0;
                }
            }
            return err_set(ERR_DATA, "settings: %s must be none, blue, yellow or red", key);
        }
        return err_set(ERR_DATA, "settings: unknown warning '%s'", key + 6);
    }
    if (strcmp(key, "first_tier") == 0 || strcmp(key, "rank_fall") == 0) {
        long v = strtol(value, &end, 10);
        if (end == value || *end || v < 1 || v > 1000)
            return err_set(ERR_DATA, "settings: %s needs a whole number of places (1-1000)", key);
        *(key[0] == 'f' ? &p->first_tier_cut : &p->warn_rank_fall) = (int)v;
        return 0;
    }
    if (strcmp(key, "behind") == 0) {
        double v = strtod(value, &end);
        if (end == value || *end || !(v >= 0 && v <= 100))
            return err_set(ERR_DATA, "settings: behind needs percentage points (0-100)");
        p->warn_behind_points = v;
        return 0;
    }
    return err_set(ERR_DATA, "settings: unknown key '%s' (first_tier, rank_fall, behind, level.REASON)",
                   key);
}

int engine_params_parse(const char *text, engine_params *out)
{
    char buf[1024], *save = NULL, *part;
    engine_params p = engine_params_default();
    int rc;
    if (strlen(text) >= sizeof buf)
        return err_set(ERR_DATA, "settings: too long");
    snprintf(buf, sizeof buf, "%s", text);
    for (part = strtok_r(buf, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
        char *eq;
        while (*part == ' ')
            part++;
        if (!*part)
            continue;
        if (!(eq = strchr(part, '=')))
            return err_set(ERR_DATA, "settings: '%s' is not key=value", part);
        *eq = '\0';
        if ((rc = params_part(part, eq + 1, &p)) != 0)
            return rc;
    }
    *out = p;
    return 0;
}
