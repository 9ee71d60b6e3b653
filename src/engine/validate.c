/* validate: the soft-validation rules over sorted per-unit series of one indicator. */
#include "engine/validate.h"

#include "model/model.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/num.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const rule_keys[VALIDATE_RULE_N] = { "ytd_decrease", "growth_range", "outlier" };

const char *validate_rule_key(int rule)
{
    return rule >= 0 && rule < VALIDATE_RULE_N ? rule_keys[rule] : "?";
}

validate_opts validate_defaults(void)
{
    validate_opts o = { -50.0, 100.0, 3.5, 6, 36 };
    return o;
}

/* Orders by series, period kind and period; a point being checked after a stored one of
 * the same period, so that it wins when duplicates are dropped. */
static int cmp_point(const void *pa, const void *pb)
{
    const validate_point *a = pa, *b = pb;
    long oa, ob;
    if (a->series != b->series)
        return a->series < b->series ? -1 : 1;
    if (a->period.kind != b->period.kind)
        return a->period.kind < b->period.kind ? -1 : 1;
    oa = period_ordinal(&a->period);
    ob = period_ordinal(&b->period);
    if (oa != ob)
        return oa < ob ? -1 : 1;
    return (a->row >= 0) - (b->row >= 0);
}

static int same_slot(const validate_point *a, const validate_point *b)
{
    return a->series == b->series && period_equal(&a->period, &b->period);
}

/* Sorts and keeps one point per (series, period): the one being checked. Returns the count. */
static size_t sort_unique(validate_point *pts, size_t n)
{
    size_t w = 0;
    if (n == 0)
        return 0;
    qsort(pts, n, sizeof *pts, cmp_point);
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && same_slot(&pts[i], &pts[i + 1]))
            continue;
        pts[w++] = pts[i];
    }
    return w;
}

typedef struct flags {
    validate_flag *v;
    size_t n, cap;
} flags;

static int add_flag(flags *f, long row, int rule, double value, double reference, double score,
                    int yoy)
{
    validate_flag *v = grow_array(f->v, &f->cap, f->n + 1, sizeof *v, 16);
    if (!v)
        return err_set(ERR_NOMEM, "out of memory");
    f->v = v;
    f->v[f->n++] = (validate_flag){ row, rule, value, reference, score, yoy };
    return 0;
}

/* The index of the point with ordinal ord in pts[a, b), or -1. */
static long find_ordinal(const validate_point *pts, size_t a, size_t b, long ord)
{
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        long m = period_ordinal(&pts[mid].period);
        if (m == ord)
            return (long)mid;
        if (m < ord)
            a = mid + 1;
        else
            b = mid;
    }
    return -1;
}

/* The most recent earlier values of a run, kept both in arrival order (a ring) and sorted,
 * so that each step costs one insertion and one removal of O(max_history). */
typedef struct window {
    double sorted[VALIDATE_HISTORY_MAX];
    double ring[VALIDATE_HISTORY_MAX];
    int n, head, max;
} window;

/* The first index of s[0, n) holding a value >= x. */
static int lower_bound(const double *s, int n, double x)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (s[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void window_push(window *w, double x)
{
    int at;
    if (w->max <= 0)
        return;
    if (w->n == w->max) {
        double old = w->ring[w->head];
        at = lower_bound(w->sorted, w->n, old);
        memmove(&w->sorted[at], &w->sorted[at + 1], (size_t)(w->n - at - 1) * sizeof(double));
        w->n--;
        w->ring[w->head] = x;
        w->head = (w->head + 1) % w->max;
    } else {
        w->ring[(w->head + w->n) % w->max] = x;
    }
    at = lower_bound(w->sorted, w->n, x);
    memmove(&w->sorted[at + 1], &w->sorted[at], (size_t)(w->n - at) * sizeof(double));
    w->sorted[at] = x;
    w->n++;
}

static double window_median(const window *w)
{
    const double *s = w->sorted;
    return w->n % 2 ? s[w->n / 2] : (s[w->n / 2 - 1] + s[w->n / 2]) / 2;
}

/* The median absolute deviation from med: the deviations grow outwards from med in the
 * sorted window, so walking two pointers yields them in order. */
static double window_mad(const window *w, double med)
{
    const double *s = w->sorted;
    int r = lower_bound(s, w->n, med), l = r - 1, want = w->n / 2;
    double d = 0, prev = 0;
    for (int k = 0; k <= want; k++) {
        double dl = l >= 0 ? med - s[l] : INFINITY, dr = r < w->n ? s[r] - med : INFINITY;
        prev = d;
        if (dl <= dr) {
            d = dl;
            l--;
        } else {
            d = dr;
            r++;
        }
    }
    return w->n % 2 ? d : (prev + d) / 2;
}

/* The outlier rule for point i against the window of its earlier values. */
static int check_outlier(const validate_point *p, double x, const window *w,
                         const validate_opts *o, int yoy, flags *out)
{
    double med, mad, z;
    if (isnan(x) || w->n < o->min_history)
        return 0;
    med = window_median(w);
    if ((mad = window_mad(w, med)) == 0)
        return 0;
    z = 0.6745 * (x - med) / mad;
    if (fabs(z) <= o->z_max)
        return 0;
    return add_flag(out, p->row, VALIDATE_OUTLIER, x, med, z, yoy);
}

/* The compared quantity of each point of the run [a, b): the value, or for ytd and level
 * indicators the ratio to the same period last year (NaN when there is none). */
static void compare_values(int yoy, const validate_point *pts, double *x, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++) {
        x[i] = pts[i].value;
        if (yoy) {
            period_key ly = period_last_year(&pts[i].period);
            long j = find_ordinal(pts, a, i, period_ordinal(&ly));
            x[i] = j >= 0 && pts[j].value != 0 ? pts[i].value / pts[j].value : NAN;
        }
    }
}

/* Every rule over one run: the points of one series and period kind, ordered by period. */
static int check_run(int value_kind, const validate_point *pts, double *x, size_t a, size_t b,
                     const validate_opts *o, flags *out)
{
    int yoy = value_kind == VK_YTD || value_kind == VK_LEVEL, rc;
    window w;
    w.n = w.head = 0;
    w.max = o->max_history;
    compare_values(yoy, pts, x, a, b);
    for (size_t i = a; i < b; i++) {
        const validate_point *p = &pts[i];
        if (p->row >= 0) {
            if (value_kind == VK_YTD && i > a) {
                period_key prev = period_prev(&p->period);
                if (prev.year == p->period.year && period_equal(&prev, &pts[i - 1].period) &&
                    p->value < pts[i - 1].value &&
                    (rc = add_flag(out, p->row, VALIDATE_YTD_DECREASE, p->value,
                                   pts[i - 1].value, 0, 0)) != 0)
                    return rc;
            }
            if (value_kind == VK_GROWTH && (p->value < o->growth_min || p->value > o->growth_max) &&
                (rc = add_flag(out, p->row, VALIDATE_GROWTH_RANGE, p->value,
                               p->value < o->growth_min ? o->growth_min : o->growth_max, 0, 0)) != 0)
                return rc;
            if ((rc = check_outlier(p, x[i], &w, o, yoy, out)) != 0)
                return rc;
        }
        if (!isnan(x[i]))
            window_push(&w, x[i]);
    }
    return 0;
}

static int cmp_flag(const void *pa, const void *pb)
{
    const validate_flag *a = pa, *b = pb;
    if (a->row != b->row)
        return a->row < b->row ? -1 : 1;
    return (a->rule > b->rule) - (a->rule < b->rule);
}

int validate_points(int value_kind, validate_point *pts, size_t n, const validate_opts *opts,
                    validate_flag **out, size_t *nout)
{
    validate_opts o = opts ? *opts : validate_defaults();
    flags f = { NULL, 0, 0 };
    double *x;
    size_t a = 0;
    int rc = 0;
    *out = NULL;
    *nout = 0;
    if (o.max_history > VALIDATE_HISTORY_MAX)
        o.max_history = VALIDATE_HISTORY_MAX;
    if (o.max_history < 0)
        o.max_history = 0;
    if ((n = sort_unique(pts, n)) == 0)
        return 0;
    if (!(x = malloc(n * sizeof *x)))
        return err_set(ERR_NOMEM, "out of memory");
    while (a < n && rc == 0) {
        size_t b = a + 1;
        while (b < n && pts[b].series == pts[a].series && pts[b].period.kind == pts[a].period.kind)
            b++;
        rc = check_run(value_kind, pts, x, a, b, &o, &f);
        a = b;
    }
    free(x);
    if (rc != 0) {
        free(f.v);
        return rc;
    }
    if (f.n > 1)
        qsort(f.v, f.n, sizeof *f.v, cmp_flag);
    *out = f.v;
    *nout = f.n;
    return 0;
}

void validate_message(const validate_flag *f, int english, char *buf, size_t size)
{
    char v[NUM_TEXT_MAX], r[NUM_TEXT_MAX];
    num_format(f->value, v, sizeof v);
    num_format(f->reference, r, sizeof r);
    switch (f->rule) {
    case VALIDATE_YTD_DECREASE:
        snprintf(buf, size, english ? "year-to-date value %s is lower than the previous period's %s"
                                    : "累计值 %s 低于上期累计值 %s", v, r);
        break;
    case VALIDATE_GROWTH_RANGE:
        if (f->value > f->reference)
            snprintf(buf, size, english ? "growth %s%% is above the plausible maximum %s%%"
                                        : "增速 %s%% 高于合理上限 %s%%", v, r);
        else
            snprintf(buf, size, english ? "growth %s%% is below the plausible minimum %s%%"
                                        : "增速 %s%% 低于合理下限 %s%%", v, r);
        break;
    case VALIDATE_OUTLIER:
        if (f->yoy)
            snprintf(buf, size, english ? "year-over-year ratio %.3f is far from the unit's own "
                                          "history (median %.3f, robust z %.1f)"
                                        : "同比比值 %.3f 明显偏离本单位历史（中位数 %.3f，稳健z值 %.1f）",
                     f->value, f->reference, f->score);
        else
            snprintf(buf, size, english ? "value %s is far from the unit's own history (median %s, "
                                          "robust z %.1f)"
                                        : "数值 %s 明显偏离本单位历史（中位数 %s，稳健z值 %.1f）",
                     v, r, f->score);
        break;
    default:
        snprintf(buf, size, "?");
        break;
    }
}
