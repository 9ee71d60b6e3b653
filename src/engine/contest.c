/* contest: the race's pure rules — points tables, judges' scores, blending, the red flag,
 * awards and records (rules in docs/race.md). */
#include "engine/contest.h"

#include "model/model.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/num.h"
#include "util/text.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_TEXT_MAX 1024
/* The largest judge's score, in points, as engine_points_from allows. */
#define SCORE_MAX 1e12
/* An exact sum keeps a unit's fraction in 1/10^18 of a unit: 22 decimals of a point. */
#define FRAC_SCALE INT64_C(1000000000000000000)
#define FRAC_DIGITS 18
/* Sums of whole units stay below this, far from int64 overflow. */
#define UNITS_LIMIT (INT64_MAX / 4)
/* A formula lists the scores one by one while it stays this short. */
#define LIST_TEXT_MAX 180

/* ---- points tables ---- */

/* Copies text into buf with the full-width ；，＝ written as ; , =. -1 when it does not fit. */
static int ascii_separators(const char *text, char *buf, size_t size)
{
    static const char *const wide[] = { "；", "，", "＝" };
    static const char narrow[] = { ';', ',', '=' };
    size_t n = 0;
    while (*text) {
        size_t k, len = 1;
        char c = *text;
        for (k = 0; k < sizeof narrow; k++) {
            if (strncmp(text, wide[k], strlen(wide[k])) == 0) {
                c = narrow[k];
                len = strlen(wide[k]);
                break;
            }
        }
        if (n + 1 >= size)
            return -1;
        buf[n++] = c;
        text += len;
    }
    buf[n] = '\0';
    return 0;
}

/* Parses one amount of points: a plain decimal ("3", "-1.5", "+0.25") with at most four
 * non-zero decimals, so it is exact in point units. */
static int parse_amount(const char *part, int place, const char *text, engine_points *out)
{
    const char *p = text;
    int ndigits = 0, nfrac = 0;
    if (*p == '+' || *p == '-')
        p++;
    for (; text_is_digit(*p); p++)
        ndigits++;
    if (*p == '.') {
        for (p++; text_is_digit(*p); p++, nfrac++) {
            if (nfrac >= 4 && *p != '0')
                return err_set(ERR_DATA, "points: %s: place %d: '%s' has more than 4 decimals", part, place,
                               text);
        }
        if (nfrac == 0)
            ndigits = 0;
    }
    if (ndigits == 0 || *p != '\0')
        return err_set(ERR_DATA, "points: %s: place %d: '%s' is not a number", part, place, text);
    if (engine_points_from(strtod(text, NULL), out) != 0)
        return err_set(ERR_DATA, "points: %s: place %d: '%s' is out of range", part, place, text);
    return 0;
}

/* Parses "3,2,1" into list[0..*count): top lists must not increase, bottom lists (last place
 * first) must not decrease. */
static int parse_list(const char *part, const char *text, int bottom, engine_points *list, int *count)
{
    const char *p = text;
    *count = 0;
    if (*text == '\0')
        return err_set(ERR_DATA, "points: %s has no points", part);
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char item[64];
        engine_points *v = &list[*count];
        int rc;
        if (*count == ENGINE_POINTS_TABLE_MAX)
            return err_set(ERR_DATA, "points: %s: more than %d places", part, ENGINE_POINTS_TABLE_MAX);
        if (text_copy_trimmed(p, n, item, sizeof item) != 0 || item[0] == '\0')
            return err_set(ERR_DATA, "points: %s: place %d has no number", part, *count + 1);
        if ((rc = parse_amount(part, *count + 1, item, v)) != 0)
            return rc;
        if (*count > 0 && !bottom && *v > v[-1])
            return err_set(ERR_DATA, "points: top: place %d (%s) scores more than place %d", *count + 1, item,
                           *count);
        if (*count > 0 && bottom && *v < v[-1])
            return err_set(ERR_DATA,
                           "points: bottom: entry %d (%s) is below entry %d; bottom lists the last place "
                           "first, its deductions must not grow",
                           *count + 1, item, *count);
        (*count)++;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

/* Parses one "key=list" segment, marking top (1) or bottom (2) in *seen. */
static int parse_part(const char *seg, size_t n, engine_points_table *t, unsigned *seen)
{
    char key[32], value[TABLE_TEXT_MAX];
    const char *eq = memchr(seg, '=', n);
    int bottom;
    if (!eq)
        return err_set(ERR_DATA, "points: '%.*s' is not top=... or bottom=...", (int)n, seg);
    if (text_copy_trimmed(seg, (size_t)(eq - seg), key, sizeof key) != 0 ||
        (strcmp(key, "top") != 0 && strcmp(key, "bottom") != 0))
        return err_set(ERR_DATA, "points: unknown key '%.*s' (top or bottom)", (int)(eq - seg), seg);
    bottom = strcmp(key, "bottom") == 0;
    if (*seen & (bottom ? 2u : 1u))
        return err_set(ERR_DATA, "points: %s given twice", key);
    *seen |= bottom ? 2u : 1u;
    if (text_copy_trimmed(eq + 1, n - (size_t)(eq - seg) - 1, value, sizeof value) != 0)
        return err_set(ERR_DATA, "points: %s: too long", key);
    return bottom ? parse_list(key, value, 1, t->bottom, &t->nbottom)
                  : parse_list(key, value, 0, t->top, &t->ntop);
}

int engine_points_table_parse(const char *text, engine_points_table *out)
{
    engine_points_table t;
    char buf[TABLE_TEXT_MAX];
    const char *p = buf;
    unsigned seen = 0;
    int rc;
    memset(&t, 0, sizeof t);
    if (ascii_separators(text ? text : "", buf, sizeof buf) != 0)
        return err_set(ERR_DATA, "points: the table is too long");
    for (;;) {
        const char *semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p), i;
        for (i = 0; i < n && text_is_space(p[i]); i++)
            ;
        if (i < n && (rc = parse_part(p, n, &t, &seen)) != 0)
            return rc;
        if (!semi)
            break;
        p = semi + 1;
    }
    *out = t;
    return 0;
}

engine_points engine_contest_points(const engine_points_table *t, const engine_ranked *r)
{
    int ntop = t->ntop < ENGINE_POINTS_TABLE_MAX ? t->ntop : ENGINE_POINTS_TABLE_MAX;
    int nbottom = t->nbottom < ENGINE_POINTS_TABLE_MAX ? t->nbottom : ENGINE_POINTS_TABLE_MAX;
    if (r->rank <= 0)
        return 0;
    if (r->rank <= ntop)
        return t->top[r->rank - 1];
    if (r->worse >= 0 && r->worse < nbottom)
        return t->bottom[r->worse];
    return 0;
}

/* ---- exact sums of judges' scores ---- */

/* A number of point units, exactly: units + frac / 10^18, with 0 ≤ frac < 10^18. */
typedef struct exact_units {
    int64_t units, frac;
} exact_units;

/* The shortest decimal digits that read back as v (as the judge typed it): v is
 * 0.d1d2d3... × 10^(*point), with the digits in digits[0..return). v must be finite. */
static int shortest_digits(double v, char *digits, int *point)
{
    char buf[48], *p = buf;
    int prec, n = 0;
    for (prec = 0; prec < 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (*p == '-')
        p++;
    for (; *p != 'e'; p++)
        if (text_is_digit(*p))
            digits[n++] = *p;
    *point = atoi(p + 1) + 1;
    return n;
}

/* The value of v in point units, read as written: exact to 22 decimals of a point, so exact
 * for every score of 0.000001 or more (later digits of smaller ones are dropped). */
static exact_units exact_of(double v)
{
    char digits[24];
    int point, n = shortest_digits(v, digits, &point), whole = point + 4;
    exact_units e = { 0, 0 };
    for (int i = 0; i < whole; i++)
        e.units = e.units * 10 + (i < n ? digits[i] - '0' : 0);
    for (int j = 0; j < FRAC_DIGITS; j++) {
        int i = whole + j;
        e.frac = e.frac * 10 + (i >= 0 && i < n ? digits[i] - '0' : 0);
    }
    if (v < 0) {
        e.units = -e.units - (e.frac > 0);
        e.frac = e.frac > 0 ? FRAC_SCALE - e.frac : 0;
    }
    return e;
}

static int exact_add(exact_units *sum, exact_units x)
{
    if (x.units > 0 ? sum->units > UNITS_LIMIT - x.units : sum->units < -UNITS_LIMIT - x.units)
        return err_set(ERR_DATA, "judges: the sum of the scores is too large");
    sum->units += x.units;
    sum->frac += x.frac;
    if (sum->frac >= FRAC_SCALE) {
        sum->frac -= FRAC_SCALE;
        sum->units++;
    }
    return 0;
}

/* e / k rounded half away from zero to a unit; *rounded says whether it was not exact. */
static engine_points exact_mean(exact_units e, int64_t k, int *rounded)
{
    int64_t q = e.units / k, r = e.units % k, twice = 2 * e.frac, carry = twice >= FRAC_SCALE;
    int64_t rest = twice - (carry ? FRAC_SCALE : 0);
    if (r < 0) {
        q--;
        r += k;
    }
    /* the mean is q + (r + frac / 10^18) / k; compare twice the fraction with k */
    *rounded = r != 0 || e.frac != 0;
    if (2 * r + carry > k || (2 * r + carry == k && rest > 0))
        return q + 1;
    if (2 * r + carry == k && rest == 0)
        return q >= 0 ? q + 1 : q;
    return q;
}

/* Writes an exact number of units in points with every decimal it needs ("2250.5"). */
static void exact_format(exact_units e, char *buf, size_t size)
{
    int neg = e.units < 0;
    int64_t units = neg ? -e.units - (e.frac > 0) : e.units;
    int64_t frac = neg && e.frac > 0 ? FRAC_SCALE - e.frac : e.frac;
    snprintf(buf, size, "%s%lld.%04lld%018lld", neg ? "-" : "", (long long)(units / ENGINE_POINT_SCALE),
             (long long)(units % ENGINE_POINT_SCALE), (long long)frac);
    text_trim_zeros(buf);
}

/* ---- judges' scores ---- */

static void explain_input(engine_explain *why, const char *name, double value)
{
    if (why->ninputs >= (int)(sizeof why->input / sizeof why->input[0]))
        return;
    why->input_name[why->ninputs] = name;
    why->input[why->ninputs++] = value;
}

/* Appends " op v" to a formula, a negative v in parentheses ("− (-5)"); op NULL starts it. */
static void add_term(struct buf *b, const char *op, double v)
{
    char t[NUM_TEXT_MAX];
    num_format(v, t, sizeof t);
    if (!op)
        buf_add_str(b, t);
    else
        buf_printf(b, v < 0 ? " %s (%s)" : " %s %s", op, t);
}

/* The scores of a formula: each one, "92 + 88 + 90", or their exact sum when there are too
 * many to list. Dropped extremes follow as "− 95 − 70". */
static void text_scores(const double *scores, size_t n, long hi, long lo, exact_units sum, struct buf *b)
{
    for (size_t i = 0; i < n && buf_len(b) < LIST_TEXT_MAX; i++)
        add_term(b, i ? "+" : NULL, scores[i]);
    if (buf_len(b) >= LIST_TEXT_MAX) {
        char t[48];
        buf_reset(b);
        exact_format(sum, t, sizeof t);
        buf_printf(b, "sum of %zu scores %s", n, t);
    }
    if (hi >= 0) {
        add_term(b, "−", scores[hi]);
        add_term(b, "−", scores[lo]);
    }
}

/* The judges' explanation: inputs, "(92 + 88 + 90) / 3 = 90", and why nothing was dropped.
 * The formula stays empty in the (never seen) case that it does not fit or memory runs out. */
static void explain_judges(const double *scores, size_t n, int drop, long hi, long lo, exact_units all,
                           int64_t k, int rounded, engine_points p, engine_explain *why)
{
    struct buf list, formula;
    char res[32];
    memset(why, 0, sizeof *why);
    why->method = METHOD_MANUAL;
    why->result = p;
    explain_input(why, "judges", (double)n);
    explain_input(why, "counted", (double)k);
    if (hi >= 0) {
        explain_input(why, "highest", scores[hi]);
        explain_input(why, "lowest", scores[lo]);
    }
    buf_init(&list, LIST_TEXT_MAX + 64);
    buf_init(&formula, sizeof why->formula - 1);
    text_scores(scores, n, hi, lo, all, &list);
    engine_points_text(p, res, sizeof res);
    if (buf_error(&list) == 0)
        buf_printf(&formula, "(%s) / %lld %s %s", buf_str(&list), (long long)k, rounded ? "≈" : "=",
                   res);
    if (drop && hi < 0)
        buf_add_str(&formula, " (fewer than 3 scores: none dropped)");
    memcpy(why->formula, buf_str(&formula), buf_len(&formula) + 1);
    buf_free(&list);
    buf_free(&formula);
}

/* The index of the highest score and of the lowest other one. */
static void extremes(const double *scores, size_t n, long *hi, long *lo)
{
    size_t h = 0, l = n > 1 ? 1 : 0;
    for (size_t i = 1; i < n; i++)
        if (scores[i] > scores[h])
            h = i;
    if (l == h)
        l = 0;
    for (size_t i = 0; i < n; i++)
        if (i != h && scores[i] < scores[l])
            l = i;
    *hi = (long)h;
    *lo = (long)l;
}

int engine_judges_score(const double *scores, size_t n, int drop_extremes, engine_points *out,
                        engine_explain *why)
{
    exact_units all = { 0, 0 }, counted;
    long hi = -1, lo = -1;
    int64_t k = (int64_t)n;
    int rounded, rc;
    engine_points p;
    if (n == 0)
        return err_set(ERR_DATA, "judges: no scores");
    if (n > (size_t)INT32_MAX)
        return err_set(ERR_DATA, "judges: too many scores (%zu)", n);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(scores[i]) || fabs(scores[i]) > SCORE_MAX)
            return err_set(ERR_DATA, "judges: score %zu (%g) is not a number of points within ±%g", i + 1,
                           scores[i], SCORE_MAX);
        if ((rc = exact_add(&all, exact_of(scores[i]))) != 0)
            return rc;
    }
    counted = all;
    if (drop_extremes && n >= 3) {
        extremes(scores, n, &hi, &lo);
        if ((rc = exact_add(&counted, exact_of(-scores[hi]))) != 0 ||
            (rc = exact_add(&counted, exact_of(-scores[lo]))) != 0)
            return rc;
        k -= 2;
    }
    p = exact_mean(counted, k, &rounded);
    if (why)
        explain_judges(scores, n, drop_extremes, hi, lo, all, k, rounded, p, why);
    *out = p;
    return 0;
}

/* ---- blending ---- */

static int64_t clamp_bp(int bp)
{
    return bp < 0 ? 0 : bp > ENGINE_BP_SCALE ? ENGINE_BP_SCALE : bp;
}

/* (a × x + b × y) / 10000 rounded once, half away from zero, without overflow for x, y in
 * [0, 10000]: each part is split into whole multiples of 10000 and a remainder. */
static engine_points blend(engine_points a, int64_t x, engine_points b, int64_t y)
{
    const int64_t d = ENGINE_BP_SCALE;
    int64_t q = (a / d) * x + (b / d) * y, r = (a % d) * x + (b % d) * y;
    q += r / d;
    r %= d;
    if (r < 0) {
        q--;
        r += d;
    }
    /* the blend is q + r / d with 0 ≤ r < d */
    if (2 * r > d || (2 * r == d && q >= 0))
        return q + 1;
    return q;
}

engine_points engine_contest_score(engine_points scheme_part, int has_scheme, engine_points judge_part,
                                   int has_judges, int scheme_bp, int judge_bp, int *has)
{
    if (has)
        *has = has_scheme || has_judges;
    if (has_scheme && has_judges)
        return blend(scheme_part, clamp_bp(scheme_bp), judge_part, clamp_bp(judge_bp));
    if (has_scheme)
        return scheme_part;
    if (has_judges)
        return judge_part;
    return 0;
}

/* ---- the red flag and awards ---- */

/* Keeps, among the marked units, those with the highest judge score; returns their count. */
static int keep_best_judged(const engine_points *judge, size_t n, unsigned char *winner)
{
    engine_points best = INT64_MIN;
    int count = 0;
    for (size_t i = 0; i < n; i++)
        if (winner[i] && judge[i] > best)
            best = judge[i];
    for (size_t i = 0; i < n; i++) {
        winner[i] = winner[i] && judge[i] == best;
        count += winner[i];
    }
    return count;
}

int engine_flag_winners(const engine_ranked *r, size_t n, int tie_rule, int previous_holder,
                        const engine_points *judge, unsigned char *winner)
{
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        winner[i] = r[i].rank == 1;
        count += winner[i];
    }
    if (tie_rule < 0 || tie_rule >= FLAG_TIE_N) {
        if (n > 0)
            memset(winner, 0, n);
        return err_set(ERR_DATA, "flag: unknown tie rule %d", tie_rule);
    }
    if (count <= 1 || tie_rule == FLAG_TIE_SHARED)
        return count;
    if (tie_rule == FLAG_TIE_HOLDER) {
        if (previous_holder < 0 || (size_t)previous_holder >= n || !winner[previous_holder])
            return count;
        memset(winner, 0, n);
        winner[previous_holder] = 1;
        return 1;
    }
    if (tie_rule == FLAG_TIE_JUDGES)
        return judge ? keep_best_judged(judge, n, winner) : count;
    memset(winner, 0, n);
    return 0;
}

int engine_award_winners(const engine_ranked *r, size_t n, int worst, unsigned char *winner)
{
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        winner[i] = r[i].rank > 0 && (worst ? r[i].worse == 0 : r[i].rank == 1);
        count += winner[i];
    }
    return count;
}

/* ---- records ---- */

/* The current run of v[i] == match ending at the last period, and the longest run. */
static void runs(const int *v, size_t n, int match, int *current, int *longest)
{
    int run = 0, best = 0;
    for (size_t i = 0; v && i < n; i++) {
        run = v[i] == match ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    *current = run;
    *longest = best;
}

void engine_records(const int *ranks, const int *grades, size_t n, engine_record *out)
{
    memset(out, 0, sizeof *out);
    runs(ranks, n, 1, &out->streak_first, &out->longest_first);
    runs(grades, n, 0, &out->streak_top_grade, &out->longest_top_grade);
    for (size_t i = 0; ranks && i < n; i++)
        if (ranks[i] > 0 && (out->best_rank == 0 || ranks[i] < out->best_rank))
            out->best_rank = ranks[i];
}
