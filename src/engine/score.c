/* score: fixed-point points, the five scoring methods with their explanations, totals under
 * caps, grades with a quota, and streaks (rules in docs/scoring.md). */
#include "engine/score.h"

#include "engine/progress.h"
#include "engine/rank.h"
#include "model/model.h"
#include "util/err.h"
#include "util/num.h"
#include "util/text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POINTS_MAX 1e12
/* The largest weight, in points: weight × a share in basis points stays far inside int64. */
#define WEIGHT_MAX 1e6
/* Totals are ranked as doubles; below 2^53 units every total is exact in a double. */
#define TOTAL_MAX ((engine_points)1 << 53)
#define PCT_100 ENGINE_BP_SCALE
/* The largest completion cap: 1000 %. */
#define CAP_MAX_BP (10 * ENGINE_BP_SCALE)
#define PARAM_TEXT_MAX 1024

/* a × b / d rounded half away from zero, for d > 0 and |a × b| within 2^63. */
static int64_t mul_div_round(int64_t a, int64_t b, int64_t d)
{
    int64_t prod = a * b, q = prod / d, r = prod % d;
    if (r != 0 && (r < 0 ? -r : r) * 2 >= d)
        q += prod < 0 ? -1 : 1;
    return q;
}

int engine_points_from(double points, engine_points *out)
{
    double scaled;
    if (!isfinite(points) || fabs(points) > POINTS_MAX)
        return err_set(ERR_DATA, "points %g out of range (±%g)", points, POINTS_MAX);
    scaled = points * ENGINE_POINT_SCALE;
    *out = (engine_points)(scaled < 0 ? ceil(scaled - 0.5) : floor(scaled + 0.5));
    return 0;
}

double engine_points_to_double(engine_points p)
{
    return (double)p / ENGINE_POINT_SCALE;
}

void engine_points_format(engine_points p, int decimals, char *buf, size_t size)
{
    static const int64_t div[] = { 10000, 1000, 100, 10, 1 };
    int64_t q, whole, frac;
    if (decimals < 0)
        decimals = 0;
    if (decimals > 4)
        decimals = 4;
    q = mul_div_round(p, 1, div[decimals]);
    whole = (q < 0 ? -q : q) / (ENGINE_POINT_SCALE / div[decimals]);
    frac = (q < 0 ? -q : q) % (ENGINE_POINT_SCALE / div[decimals]);
    if (decimals == 0)
        snprintf(buf, size, "%s%lld", q < 0 ? "-" : "", (long long)whole);
    else
        snprintf(buf, size, "%s%lld.%0*lld", q < 0 ? "-" : "", (long long)whole, decimals,
                 (long long)frac);
}

engine_points engine_score_rank_step(engine_points weight, int step_bp, int floor_bp, int rank)
{
    int64_t share;
    if (rank <= 0)
        return 0;
    share = (int64_t)ENGINE_BP_SCALE - (int64_t)step_bp * (rank - 1);
    if (share < floor_bp)
        share = floor_bp;
    return mul_div_round(weight, share, ENGINE_BP_SCALE);
}

/* ---- parameters ---- */

enum param_key { KEY_STEP, KEY_FLOOR, KEY_TABLE, KEY_CAP, KEY_BASE, KEY_SATISFACTORY, KEY_UNALLOWED, KEY_N };

#define METHOD_BIT(method) (1u << (method))

/* Each key and the methods that accept it. */
static const struct {
    const char *name;
    unsigned methods;
} param_keys[KEY_N] = {
    [KEY_STEP] = { "step", METHOD_BIT(METHOD_RANK) },
    [KEY_FLOOR] = { "floor", METHOD_BIT(METHOD_RANK) | METHOD_BIT(METHOD_COMPLETION) },
    [KEY_TABLE] = { "table", METHOD_BIT(METHOD_RANK) },
    [KEY_CAP] = { "cap", METHOD_BIT(METHOD_COMPLETION) },
    [KEY_BASE] = { "base", METHOD_BIT(METHOD_EFFICACY) },
    [KEY_SATISFACTORY] = { "satisfactory", METHOD_BIT(METHOD_EFFICACY) },
    [KEY_UNALLOWED] = { "unallowed", METHOD_BIT(METHOD_EFFICACY) },
};

/* Parses a percentage ("5", "2.5", "12.25 %") into basis points in [0, max_bp]. A third
 * decimal that is not zero would not be exact in basis points and is refused. */
static int parse_pct(const char *key, const char *text, int max_bp, int *out)
{
    const char *p = text;
    long long whole = 0;
    int frac = 0, nfrac = 0;
    if (!text_is_digit(*p))
        return err_set(ERR_DATA, "params: %s: '%s' is not a percentage", key, text);
    for (; text_is_digit(*p); p++) {
        whole = whole * 10 + (*p - '0');
        if (whole > max_bp / 100)
            return err_set(ERR_DATA, "params: %s: %s%% is above %d%%", key, text, max_bp / 100);
    }
    if (*p == '.') {
        if (!text_is_digit(*++p))
            return err_set(ERR_DATA, "params: %s: '%s' is not a percentage", key, text);
        for (; text_is_digit(*p); p++, nfrac++) {
            if (nfrac >= 2 && *p != '0')
                return err_set(ERR_DATA, "params: %s: '%s' has more than 2 decimals of a percent",
                               key, text);
            if (nfrac < 2)
                frac = frac * 10 + (*p - '0');
        }
    }
    if (nfrac == 1)
        frac *= 10;
    while (text_is_space(*p))
        p++;
    if (*p == '%')
        p++;
    while (text_is_space(*p))
        p++;
    if (*p != '\0')
        return err_set(ERR_DATA, "params: %s: '%s' is not a percentage", key, text);
    if (whole * 100 + frac > max_bp)
        return err_set(ERR_DATA, "params: %s: %s%% is above %d%%", key, text, max_bp / 100);
    *out = (int)(whole * 100 + frac);
    return 0;
}

/* Parses "100,95,90": shares per place, first place first, none greater than the one before. */
static int parse_table(const char *text, engine_method *m)
{
    const char *p = text;
    m->ntable = 0;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char item[64];
        int rc;
        if (m->ntable == ENGINE_RANK_TABLE_MAX)
            return err_set(ERR_DATA, "params: table: more than %d places", ENGINE_RANK_TABLE_MAX);
        if (text_copy_trimmed(p, n, item, sizeof item) != 0 || item[0] == '\0')
            return err_set(ERR_DATA, "params: table: place %d is not a percentage", m->ntable + 1);
        if ((rc = parse_pct("table", item, PCT_100, &m->table_bp[m->ntable])) != 0)
            return rc;
        if (m->ntable > 0 && m->table_bp[m->ntable] > m->table_bp[m->ntable - 1])
            return err_set(ERR_DATA, "params: table: place %d (%s) scores more than place %d",
                           m->ntable + 1, item, m->ntable);
        m->ntable++;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

/* Parses a value bound of the efficacy method. */
static int parse_bound(const char *key, const char *text, double *out)
{
    char detail[256];
    if (num_parse(text, out) == 0)
        return 0;
    snprintf(detail, sizeof detail, "%s", err_msg());
    return err_set(ERR_DATA, "params: %s: %s", key, detail);
}

static int apply_param(engine_method *m, int key, const char *value)
{
    switch (key) {
    case KEY_STEP:
        return parse_pct("step", value, PCT_100, &m->step_bp);
    case KEY_FLOOR:
        return parse_pct("floor", value, PCT_100, &m->floor_bp);
    case KEY_TABLE:
        return parse_table(value, m);
    case KEY_CAP:
        return parse_pct("cap", value, CAP_MAX_BP, &m->cap_bp);
    case KEY_BASE:
        return parse_pct("base", value, PCT_100, &m->base_bp);
    case KEY_SATISFACTORY:
        return parse_bound("satisfactory", value, &m->satisfactory);
    default:
        return parse_bound("unallowed", value, &m->unallowed);
    }
}

/* Parses one "key=value" segment into m, marking the key in *seen. */
static int parse_segment(engine_method *m, const char *seg, size_t n, unsigned *seen)
{
    char key[32], value[PARAM_TEXT_MAX];
    const char *eq = memchr(seg, '=', n);
    int k;
    if (!eq)
        return err_set(ERR_DATA, "params: '%.*s' is not key=value", (int)n, seg);
    if (text_copy_trimmed(seg, (size_t)(eq - seg), key, sizeof key) != 0)
        return err_set(ERR_DATA, "params: unknown key '%.*s'", (int)(eq - seg), seg);
    if (text_copy_trimmed(eq + 1, n - (size_t)(eq - seg) - 1, value, sizeof value) != 0)
        return err_set(ERR_DATA, "params: %s: value too long", key);
    for (k = 0; k < KEY_N; k++)
        if (strcmp(key, param_keys[k].name) == 0)
            break;
    if (k == KEY_N || !(param_keys[k].methods & METHOD_BIT(m->method)))
        return err_set(ERR_DATA, "params: unknown key '%s' for method %s", key,
                       model_methods[m->method].key);
    if (*seen & (1u << k))
        return err_set(ERR_DATA, "params: %s given twice", key);
    *seen |= 1u << k;
    if (value[0] == '\0')
        return err_set(ERR_DATA, "params: %s has no value", key);
    return apply_param(m, k, value);
}

/* Checks the rules that join two parameters. */
static int check_params(engine_method *m, unsigned seen)
{
    unsigned bounds = seen & ((1u << KEY_SATISFACTORY) | (1u << KEY_UNALLOWED));
    if ((seen & (1u << KEY_TABLE)) && (seen & (1u << KEY_STEP)))
        return err_set(ERR_DATA, "params: table and step exclude each other");
    if (m->method == METHOD_COMPLETION && m->cap_bp < m->floor_bp)
        return err_set(ERR_DATA, "params: cap %d.%02d%% is below floor %d.%02d%%", m->cap_bp / 100,
                       m->cap_bp % 100, m->floor_bp / 100, m->floor_bp % 100);
    if (bounds == (1u << KEY_SATISFACTORY))
        return err_set(ERR_DATA, "params: satisfactory needs unallowed");
    if (bounds == (1u << KEY_UNALLOWED))
        return err_set(ERR_DATA, "params: unallowed needs satisfactory");
    if (!bounds)
        return 0;
    if (m->satisfactory == m->unallowed)
        return err_set(ERR_DATA, "params: satisfactory equals unallowed (%g)", m->satisfactory);
    if ((m->satisfactory > m->unallowed) != (m->higher_better != 0))
        return err_set(ERR_DATA, "params: satisfactory %g must be %s than unallowed %g", m->satisfactory,
                       m->higher_better ? "higher" : "lower", m->unallowed);
    m->fixed_bounds = 1;
    return 0;
}

int engine_method_parse(int method, double weight, int higher_better, const char *params,
                        engine_method *out)
{
    engine_method m;
    unsigned seen = 0;
    const char *p = params ? params : "";
    int rc;
    memset(&m, 0, sizeof m);
    if (method < 0 || method >= METHOD_N)
        return err_set(ERR_DATA, "unknown scoring method %d", method);
    if (!(weight >= 0 && weight <= WEIGHT_MAX))
        return err_set(ERR_DATA, "weight %g out of range (0 to %g)", weight, WEIGHT_MAX);
    if ((rc = engine_points_from(weight, &m.weight)) != 0)
        return rc;
    m.method = method;
    m.higher_better = higher_better != 0;
    m.step_bp = 500;
    m.cap_bp = PCT_100;
    m.base_bp = 6000;
    for (;;) {
        const char *semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p), i;
        for (i = 0; i < n && text_is_space(p[i]); i++)
            ;
        if (i < n && (rc = parse_segment(&m, p, n, &seen)) != 0)
            return rc;
        if (!semi)
            break;
        p = semi + 1;
    }
    if ((rc = check_params(&m, seen)) != 0)
        return rc;
    *out = m;
    return 0;
}

int engine_weights_agree(double sum, double total)
{
    return fabs(sum - total) <= ENGINE_WEIGHT_TOLERANCE * fmax(1.0, fabs(total));
}

size_t engine_scheme_check(const engine_scheme_item *items, size_t n, double total,
                           engine_scheme_problem *out, double *sum)
{
    double added = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        engine_method m;
        added += items[i].weight;
        if (engine_method_parse(items[i].method, items[i].weight, items[i].higher_better, items[i].params,
                                &m) == 0)
            continue;
        out[k] = (engine_scheme_problem){ ENGINE_SCHEME_BAD_METHOD, (long)i, "" };
        snprintf(out[k++].detail, ENGINE_SCHEME_DETAIL_MAX, "%s", err_msg());
    }
    if (!engine_weights_agree(added, total))
        out[k++] = (engine_scheme_problem){ ENGINE_SCHEME_WEIGHT_SUM, -1, "" };
    if (sum)
        *sum = added;
    err_clear();
    return k;
}

/* ---- explanations ---- */

void engine_points_text(engine_points p, char *buf, size_t size)
{
    engine_points_format(p, 4, buf, size);
    text_trim_zeros(buf);
}

/* Writes a share given in basis points as a percentage ("5%", "2.5%"). */
static void text_bp(long double bp, char *buf, size_t size)
{
    snprintf(buf, size, "%.4Lf", bp / 100);
    text_trim_zeros(buf);
    if (strcmp(buf, "-0") == 0)
        snprintf(buf, size, "0");
    snprintf(buf + strlen(buf), size - strlen(buf), "%%");
}

static void explain_input(engine_explain *why, const char *name, double value)
{
    if (!why || why->ninputs >= (int)(sizeof why->input / sizeof why->input[0]))
        return;
    why->input_name[why->ninputs] = name;
    why->input[why->ninputs++] = value;
}

static void explain_formula(engine_explain *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void explain_formula(engine_explain *why, const char *fmt, ...)
{
    va_list ap;
    if (!why)
        return;
    va_start(ap, fmt);
    vsnprintf(why->formula, sizeof why->formula, fmt, ap);
    va_end(ap);
}

/* Finishes a score: stores it and, with an explanation, its result. */
static int done_score(engine_points p, engine_points *out, engine_explain *why)
{
    *out = p;
    if (why)
        why->result = p;
    return 0;
}

/* A zero score for a missing input; reason says which ("no value"). */
static int score_nothing(const char *reason, engine_points *out, engine_explain *why)
{
    explain_formula(why, "%s → 0", reason);
    return done_score(0, out, why);
}

/* ---- the methods ---- */

/* Rounds v, in point units, to a unit, half away from zero. A v that agrees with a half to
 * 12 significant digits (of the larger of v and the weight) counts as that half: the inputs
 * are decimals read into doubles, and 12.345 % of 1 point is 0.1235 as written, although
 * the double of 12.345 is a hair below it. */
static engine_points round_units(long double v, engine_points weight)
{
    long double f = floorl(v), scale = fabsl(v) > (long double)weight ? fabsl(v) : (long double)weight;
    if (scale < 1)
        scale = 1;
    if (fabsl(v - f - 0.5L) <= scale * 1e-12L)
        return (engine_points)(v < 0 ? f : f + 1);
    return (engine_points)floorl(v + 0.5L);
}

static int has_value(const engine_item_input *in)
{
    return in->present && isfinite(in->value);
}

static int has_target(const engine_item_input *in)
{
    return in->has_target && isfinite(in->target);
}

/* Records the value and the target as inputs. Returns 1, having scored nothing and said why,
 * when either is missing, as the methods that compare the two need both. */
static int lacks_value_or_target(const engine_item_input *in, engine_points *out, engine_explain *why)
{
    explain_input(why, "value", in->value);
    explain_input(why, "target", in->target);
    if (!has_value(in) || !has_target(in)) {
        score_nothing(has_value(in) ? "no target" : "no value", out, why);
        return 1;
    }
    return 0;
}

/* Each method computes its points first and writes the explanation's texts only when why is
 * given: a scheme's scores (no explanations) format nothing. */
static int score_rank(const engine_method *m, const engine_item_input *in, engine_points *out,
                      engine_explain *why)
{
    char w[32], share[32], res[32];
    engine_points p;
    int bp;
    explain_input(why, "rank", in->rank);
    if (in->rank <= 0)
        return score_nothing("no rank", out, why);
    engine_points_text(m->weight, w, sizeof w);
    if (m->ntable == 0) {
        char step[32], floor_text[32];
        p = engine_score_rank_step(m->weight, m->step_bp, m->floor_bp, in->rank);
        if (!why)
            return done_score(p, out, why);
        engine_points_text(p, res, sizeof res);
        text_bp(m->step_bp, step, sizeof step);
        text_bp(m->floor_bp, floor_text, sizeof floor_text);
        explain_formula(why, "%s × max(%s, 100%% − %s × (%d − 1)) = %s", w, floor_text, step, in->rank, res);
        return done_score(p, out, why);
    }
    bp = in->rank <= m->ntable ? m->table_bp[in->rank - 1] : m->floor_bp;
    p = mul_div_round(m->weight, bp, ENGINE_BP_SCALE);
    if (!why)
        return done_score(p, out, why);
    engine_points_text(p, res, sizeof res);
    text_bp(bp, share, sizeof share);
    if (in->rank <= m->ntable)
        explain_formula(why, "%s × table[%d] = %s × %s = %s", w, in->rank, w, share, res);
    else
        explain_formula(why, "%s × floor (%d > %d places) = %s × %s = %s", w, in->rank, m->ntable, w,
                        share, res);
    return done_score(p, out, why);
}

/* The completion rate as a formula over the numbers: "57.25 / 100", "1 + (100 − 80) / |100|". */
static void text_rate(const engine_method *m, double actual, double goal, char *buf, size_t size)
{
    char a[NUM_TEXT_MAX], t[NUM_TEXT_MAX];
    num_format(actual, a, sizeof a);
    num_format(goal, t, sizeof t);
    if (m->higher_better && goal > 0)
        snprintf(buf, size, "%s / %s", a, t);
    else if (m->higher_better)
        snprintf(buf, size, "1 + (%s − %s) / |%s|", a, t, t);
    else
        snprintf(buf, size, "1 + (%s − %s) / |%s|", t, a, t);
}

static int score_completion(const engine_method *m, const engine_item_input *in, engine_points *out,
                            engine_explain *why)
{
    char w[32], rate[128], lo[32], hi[32], share[32], res[32];
    double pct;
    long double bp;
    engine_points p;
    int rc;
    if (lacks_value_or_target(in, out, why))
        return 0;
    if (in->target == 0)
        return score_nothing("target = 0: completion undefined", out, why);
    if ((rc = progress_completion(m->higher_better ? DIR_HIGHER : DIR_LOWER, in->value, in->target,
                                  &pct)) != 0)
        return rc;
    bp = (long double)pct * 100;
    if (bp < m->floor_bp)
        bp = m->floor_bp;
    if (bp > m->cap_bp)
        bp = m->cap_bp;
    p = round_units((long double)m->weight * bp / ENGINE_BP_SCALE, m->weight);
    if (!why)
        return done_score(p, out, why);
    engine_points_text(m->weight, w, sizeof w);
    text_rate(m, in->value, in->target, rate, sizeof rate);
    text_bp(m->floor_bp, lo, sizeof lo);
    text_bp(m->cap_bp, hi, sizeof hi);
    text_bp(bp, share, sizeof share);
    engine_points_text(p, res, sizeof res);
    explain_formula(why, "%s × clamp(%s, %s, %s) = %s × %s = %s", w, rate, lo, hi, w, share, res);
    return done_score(p, out, why);
}

static int score_efficacy(const engine_method *m, const engine_item_input *in, const engine_item_group *g,
                          engine_points *out, engine_explain *why)
{
    char w[32], x[NUM_TEXT_MAX], s[NUM_TEXT_MAX], u[NUM_TEXT_MAX], base[32], rest[32], share[32], res[32];
    double sat, unal;
    long double bp;
    engine_points p;
    if (!m->fixed_bounds && !g)
        return err_set(ERR_DATA, "efficacy scoring with group bounds needs the group's best and worst");
    sat = m->fixed_bounds ? m->satisfactory : g->best;
    unal = m->fixed_bounds ? m->unallowed : g->worst;
    explain_input(why, "value", in->value);
    explain_input(why, m->fixed_bounds ? "satisfactory" : "best", sat);
    explain_input(why, m->fixed_bounds ? "unallowed" : "worst", unal);
    if (!has_value(in))
        return score_nothing("no value", out, why);
    if (!isfinite(sat) || !isfinite(unal))
        return err_set(ERR_DATA, "efficacy bounds are not finite numbers");
    engine_points_text(m->weight, w, sizeof w);
    num_format(sat, s, sizeof s);
    if (sat == unal) {
        if (m->fixed_bounds)
            return err_set(ERR_DATA, "efficacy: satisfactory equals unallowed (%g)", sat);
        explain_formula(why, "%s × 100%% (best = worst = %s) = %s", w, s, w);
        return done_score(m->weight, out, why);
    }
    bp = m->base_bp + ((long double)in->value - unal) / ((long double)sat - unal) * (ENGINE_BP_SCALE - m->base_bp);
    if (bp < 0)
        bp = 0;
    if (bp > ENGINE_BP_SCALE)
        bp = ENGINE_BP_SCALE;
    p = round_units((long double)m->weight * bp / ENGINE_BP_SCALE, m->weight);
    if (!why)
        return done_score(p, out, why);
    num_format(in->value, x, sizeof x);
    num_format(unal, u, sizeof u);
    text_bp(m->base_bp, base, sizeof base);
    text_bp(ENGINE_BP_SCALE - m->base_bp, rest, sizeof rest);
    text_bp(bp, share, sizeof share);
    engine_points_text(p, res, sizeof res);
    explain_formula(why, "%s × clamp(%s + (%s − %s) / (%s − %s) × %s, 0%%, 100%%) = %s × %s = %s", w, base, x,
                    u, s, u, rest, w, share, res);
    return done_score(p, out, why);
}

static int score_threshold(const engine_method *m, const engine_item_input *in, engine_points *out,
                           engine_explain *why)
{
    char x[NUM_TEXT_MAX], t[NUM_TEXT_MAX], res[32];
    int met;
    if (lacks_value_or_target(in, out, why))
        return 0;
    met = m->higher_better ? in->value >= in->target : in->value <= in->target;
    if (!why)
        return done_score(met ? m->weight : 0, out, why);
    num_format(in->value, x, sizeof x);
    num_format(in->target, t, sizeof t);
    engine_points_text(met ? m->weight : 0, res, sizeof res);
    explain_formula(why, "%s %s %s → %s", x, m->higher_better ? (met ? "≥" : "<") : (met ? "≤" : ">"), t, res);
    return done_score(met ? m->weight : 0, out, why);
}

static int score_manual(const engine_method *m, const engine_item_input *in, engine_points *out,
                        engine_explain *why)
{
    char given[NUM_TEXT_MAX], w[32], res[32];
    engine_points p;
    int rc;
    explain_input(why, "manual", in->manual);
    if (!in->has_manual)
        return score_nothing("no manual score", out, why);
    if ((rc = engine_points_from(in->manual, &p)) != 0)
        return rc;
    if (p < 0)
        p = 0;
    if (p > m->weight)
        p = m->weight;
    num_format(in->manual, given, sizeof given);
    engine_points_text(m->weight, w, sizeof w);
    engine_points_text(p, res, sizeof res);
    explain_formula(why, "min(max(%s, 0), %s) = %s", given, w, res);
    return done_score(p, out, why);
}

int engine_score_item(const engine_method *m, const engine_item_input *in, const engine_item_group *g,
                      engine_points *out, engine_explain *why)
{
    if (m->method < 0 || m->method >= METHOD_N)
        return err_set(ERR_DATA, "unknown scoring method %d", m->method);
    if (m->weight < 0 || m->weight > (engine_points)(WEIGHT_MAX * ENGINE_POINT_SCALE))
        return err_set(ERR_DATA, "weight out of range (0 to %g)", WEIGHT_MAX);
    if (why) {
        memset(why, 0, sizeof *why);
        why->method = m->method;
        explain_input(why, "weight", engine_points_to_double(m->weight));
    }
    switch (m->method) {
    case METHOD_RANK:
        return score_rank(m, in, out, why);
    case METHOD_COMPLETION:
        return score_completion(m, in, out, why);
    case METHOD_EFFICACY:
        return score_efficacy(m, in, g, out, why);
    case METHOD_THRESHOLD:
        return score_threshold(m, in, out, why);
    default:
        return score_manual(m, in, out, why);
    }
}

/* ---- totals ---- */

/* Adds x to *sum, refusing magnitudes that a double could not rank exactly. */
static int add_points(engine_points *sum, engine_points x)
{
    if (x > TOTAL_MAX || x < -TOTAL_MAX || *sum + x > TOTAL_MAX || *sum + x < -TOTAL_MAX)
        return err_set(ERR_DATA, "points beyond ±2^53 units cannot be totalled exactly");
    *sum += x;
    return 0;
}

/* The index of the cap entry of category, or -1 when the category is uncapped. */
static long cap_index(const engine_cap *caps, size_t ncaps, int category)
{
    for (size_t c = 0; c < ncaps; c++)
        if (caps[c].category == category)
            return (long)c;
    return -1;
}

static int check_inputs(size_t nunits, const engine_event *events, size_t nevents, const engine_cap *caps,
                        size_t ncaps)
{
    for (size_t e = 0; e < nevents; e++)
        if (events[e].unit >= nunits)
            return err_set(ERR_DATA, "event %zu: unit %zu out of range (%zu units)", e, events[e].unit,
                           nunits);
    for (size_t e = 0; e < nevents; e++)
        if (events[e].points > TOTAL_MAX || events[e].points < -TOTAL_MAX)
            return err_set(ERR_DATA, "event %zu: points beyond ±2^53 units", e);
    for (size_t c = 0; c < ncaps; c++) {
        if (caps[c].max_bonus < 0 || caps[c].max_deduction < 0)
            return err_set(ERR_DATA, "cap of category %d: a cap is a magnitude, not negative",
                           caps[c].category);
        if (cap_index(caps, c, caps[c].category) >= 0)
            return err_set(ERR_DATA, "category %d has two caps", caps[c].category);
    }
    return 0;
}

static int sum_items(const engine_points *item_scores, size_t nunits, size_t nitems, engine_total *out)
{
    int rc;
    for (size_t u = 0; u < nunits; u++) {
        memset(&out[u], 0, sizeof out[u]);
        out[u].grade = -1;
        for (size_t i = 0; i < nitems; i++)
            if ((rc = add_points(&out[u].items, item_scores[u * nitems + i])) != 0)
                return rc;
    }
    return 0;
}

/* Where an event's amount adds up: straight into the unit's bonus or deduction when that
 * side of its category is uncapped, else into acc (per unit and cap entry: bonus, deduction)
 * to be capped once every event is in. */
static engine_points *event_sum(const engine_event *ev, const engine_cap *caps, size_t ncaps,
                                engine_points *acc, engine_total *t)
{
    long c = cap_index(caps, ncaps, ev->category);
    int bonus = ev->points > 0;
    engine_points cap = c < 0 ? 0 : bonus ? caps[c].max_bonus : caps[c].max_deduction;
    if (cap == 0)
        return bonus ? &t->bonus : &t->deduction;
    return &acc[(ev->unit * ncaps + (size_t)c) * 2 + (bonus ? 0 : 1)];
}

/* Adds the events that are not revoked: their veto and their points. */
static int add_events(const engine_event *events, size_t nevents, const engine_cap *caps, size_t ncaps,
                      engine_points *acc, engine_total *out)
{
    int rc;
    for (size_t e = 0; e < nevents; e++) {
        const engine_event *ev = &events[e];
        engine_total *t = &out[ev->unit];
        if (ev->revoked)
            continue;
        if (ev->veto)
            t->veto = 1;
        if (ev->points != 0 &&
            (rc = add_points(event_sum(ev, caps, ncaps, acc, t), ev->points > 0 ? ev->points : -ev->points)) != 0)
            return rc;
    }
    return 0;
}

/* Adds each unit's capped amounts and computes the totals. */
static int finish_totals(const engine_cap *caps, size_t ncaps, const engine_points *acc, size_t nunits,
                         engine_total *out)
{
    int rc;
    for (size_t u = 0; u < nunits; u++) {
        engine_total *t = &out[u];
        for (size_t c = 0; c < ncaps; c++) {
            const engine_points *a = &acc[(u * ncaps + c) * 2];
            if ((rc = add_points(&t->bonus, a[0] < caps[c].max_bonus ? a[0] : caps[c].max_bonus)) != 0 ||
                (rc = add_points(&t->deduction, a[1] < caps[c].max_deduction ? a[1] : caps[c].max_deduction)) != 0)
                return rc;
        }
        t->total = t->items;
        if ((rc = add_points(&t->total, t->bonus)) != 0 || (rc = add_points(&t->total, -t->deduction)) != 0)
            return rc;
    }
    return 0;
}

/* Ranks the totals: higher is better, compared exactly (every total is exact as a double). */
static int rank_totals(engine_total *out, size_t nunits)
{
    double *v = malloc(nunits * sizeof *v);
    engine_ranked *r = malloc(nunits * sizeof *r);
    engine_rank_ws ws = { 0 };
    int rc = 0;
    if (!v || !r) {
        rc = err_set(ERR_NOMEM, "out of memory ranking %zu totals", nunits);
        goto done;
    }
    for (size_t u = 0; u < nunits; u++)
        v[u] = (double)out[u].total;
    if ((rc = engine_rank_group(v, NULL, nunits, 1, ENGINE_PRECISION_EXACT, &ws, r, NULL)) != 0)
        goto done;
    for (size_t u = 0; u < nunits; u++)
        out[u].rank = r[u].rank;
done:
    engine_rank_ws_free(&ws);
    free(v);
    free(r);
    return rc;
}

int engine_totals(const engine_points *item_scores, size_t nunits, size_t nitems,
                  const engine_event *events, size_t nevents, const engine_cap *caps, size_t ncaps,
                  engine_total *out)
{
    engine_points *acc = NULL;
    int rc;
    if (nunits == 0)
        return check_inputs(nunits, events, nevents, caps, ncaps);
    if ((rc = check_inputs(nunits, events, nevents, caps, ncaps)) != 0 ||
        (rc = sum_items(item_scores, nunits, nitems, out)) != 0)
        return rc;
    if (ncaps > 0) {
        if (nunits > SIZE_MAX / 2 / ncaps || !(acc = calloc(nunits * ncaps * 2, sizeof *acc)))
            return err_set(ERR_NOMEM, "out of memory adding events of %zu units", nunits);
    }
    if ((rc = add_events(events, nevents, caps, ncaps, acc, out)) == 0 &&
        (rc = finish_totals(caps, ncaps, acc, nunits, out)) == 0)
        rc = rank_totals(out, nunits);
    free(acc);
    return rc;
}

/* ---- grades and streaks ---- */

static int check_grading(const engine_grading *g)
{
    int maxbands = (int)(sizeof g->min / sizeof g->min[0]);
    if (g->nbands < 1 || g->nbands > maxbands)
        return err_set(ERR_DATA, "grading: %d bands (1 to %d)", g->nbands, maxbands);
    for (int b = 1; b < g->nbands; b++)
        if (g->min[b] >= g->min[b - 1])
            return err_set(ERR_DATA, "grading: band %d's lower bound is not below band %d's", b + 1, b);
    if (g->quota < 0)
        return err_set(ERR_DATA, "grading: negative quota %d", g->quota);
    return 0;
}

/* The best band whose lower bound total reaches, or -1. */
static int band_of(const engine_grading *g, engine_points total)
{
    for (int b = 0; b < g->nbands; b++)
        if (total >= g->min[b])
            return b;
    return -1;
}

/* Keeps a unit out of band 0: its total reaches band 1's bound, which is lower. */
static void keep_out_of_first(const engine_grading *g, engine_total *t)
{
    t->grade = g->nbands > 1 ? 1 : -1;
}

/* Band 0 only within the quota's ranks, and never for more than quota units: when the tie
 * group at the cut would overfill it, the whole group is kept out. */
static void apply_quota(const engine_grading *g, engine_total *totals, size_t n)
{
    size_t in_first = 0;
    engine_points cut = 0;
    for (size_t i = 0; i < n; i++) {
        engine_total *t = &totals[i];
        if (t->grade != 0)
            continue;
        if (t->rank <= 0 || t->rank > g->quota) {
            keep_out_of_first(g, t);
            continue;
        }
        if (in_first++ == 0 || t->total < cut)
            cut = t->total;
    }
    if (in_first <= (size_t)g->quota)
        return;
    for (size_t i = 0; i < n; i++)
        if (totals[i].grade == 0 && totals[i].total == cut)
            keep_out_of_first(g, &totals[i]);
}

int engine_grade(const engine_grading *g, engine_total *totals, size_t n)
{
    int rc;
    if ((rc = check_grading(g)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        totals[i].grade = band_of(g, totals[i].total);
        if (totals[i].grade == 0 && totals[i].veto)
            keep_out_of_first(g, &totals[i]);
    }
    if (g->quota > 0)
        apply_quota(g, totals, n);
    return 0;
}

void engine_streak(const int *ranks, size_t n, int *current, int *longest)
{
    int run = 0, best = 0;
    for (size_t i = 0; i < n; i++) {
        run = ranks[i] == 1 ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    *current = run;
    *longest = best;
}

engine_item_group engine_item_group_of(const double *value, const unsigned char *present, size_t n,
                                       int higher_better)
{
    engine_item_group g = { 0, 0, 0 };
    for (size_t i = 0; i < n; i++) {
        double v = value[i];
        if ((present && !present[i]) || isnan(v))
            continue;
        if (g.nranked == 0 || (higher_better ? v > g.best : v < g.best))
            g.best = v;
        if (g.nranked == 0 || (higher_better ? v < g.worst : v > g.worst))
            g.worst = v;
        g.nranked++;
    }
    return g;
}

/* One part of a grade rule: "NAME>=POINTS", "NAME", or "quota=N". */
static int grading_part(const char *part, engine_grading *g, char names[][ENGINE_GRADE_NAME_MAX],
                        int *open_ended)
{
    const char *ge = strstr(part, ">=");
    size_t name_len = ge ? (size_t)(ge - part) : strlen(part);
    char *end;
    if (strncmp(part, "quota=", 6) == 0 || strncmp(part, "名额=", strlen("名额=")) == 0) {
        long q = strtol(strchr(part, '=') + 1, &end, 10);
        if (*end || q < 0)
            return err_set(ERR_DATA, "grading: bad quota '%s'", part);
        g->quota = (int)q;
        return 0;
    }
    if (*open_ended)
        return err_set(ERR_DATA, "grading: '%s' follows a band without a lower bound", part);
    if (g->nbands >= 8)
        return err_set(ERR_DATA, "grading: more than 8 bands");
    if (name_len == 0 || name_len >= ENGINE_GRADE_NAME_MAX)
        return err_set(ERR_DATA, "grading: a band needs a name of at most %d bytes ('%s')",
                       ENGINE_GRADE_NAME_MAX - 1, part);
    memcpy(names[g->nbands], part, name_len);
    names[g->nbands][name_len] = '\0';
    if (ge) {
        double bound = strtod(ge + 2, &end);
        if (end == ge + 2 || *end || engine_points_from(bound, &g->min[g->nbands]) != 0)
            return err_set(ERR_DATA, "grading: bad lower bound in '%s'", part);
    } else {
        g->min[g->nbands] = INT64_MIN;
        *open_ended = 1;
    }
    g->nbands++;
    return 0;
}

int engine_grading_parse(const char *text, engine_grading *g, char names[][ENGINE_GRADE_NAME_MAX])
{
    char buf[1024], *save = NULL, *part;
    size_t n = 0;
    int open_ended = 0, rc;
    memset(g, 0, sizeof *g);
    if (strlen(text) >= sizeof buf)
        return err_set(ERR_DATA, "grading: the rule is too long");
    /* the full-width ； is a separator too; strtok must only see the ASCII one */
    for (const char *p = text; *p; p++) {
        if (strncmp(p, "；", strlen("；")) == 0) {
            buf[n++] = ';';
            p += strlen("；") - 1;
        } else {
            buf[n++] = *p;
        }
    }
    buf[n] = '\0';
    for (part = strtok_r(buf, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
        while (*part == ' ')
            part++;
        if (*part && (rc = grading_part(part, g, names, &open_ended)) != 0)
            return rc;
    }
    if (g->nbands == 0)
        return err_set(ERR_DATA, "grading: no bands in '%s'", text);
    return check_grading(g);
}
