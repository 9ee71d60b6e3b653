/* validate: soft validation of observations (DHIS2-style rules). It never refuses a value;
 * it flags values for a person to review. Pure: arrays in, flags out, no I/O, no store.
 *
 * The rules, each checked only on the points being imported (row >= 0), against those
 * points and the stored values of the same indicator together (a point being imported
 * replaces the stored value of the same unit and period):
 *
 *   ytd_decrease  value kind ytd (cumulative year to date): a value lower than the same
 *                 unit's value of the previous period of the same kind in the same year
 *                 ("1-3月" below "1-2月"). A later stored value that is lower than an
 *                 imported one is not flagged here.
 *   growth_range  value kind growth (a rate in percent): a value outside
 *                 [growth_min, growth_max], by default [-50, 100].
 *   outlier       a value far from the unit's own history: robust z-score
 *                 0.6745 * (x - median) / MAD beyond z_max (3.5) in absolute value, where
 *                 median and MAD (median absolute deviation) are taken over the unit's
 *                 most recent earlier points of the same period kind (at most max_history,
 *                 at least min_history = 6 or the rule stays silent; MAD 0 also skips).
 *                 For ytd and level indicators x is the year-over-year ratio
 *                 value / value of the same period last year (points without a nonzero
 *                 last-year value have no x), so that seasonality does not trigger it; for
 *                 growth and ratio indicators x is the value itself.
 *
 * Cost: one sort of the points, O(n log n), then O(max_history log max_history) per point. */
#ifndef SAIMA_VALIDATE_H
#define SAIMA_VALIDATE_H

#include "util/period.h"

#include <stddef.h>

enum validate_rule { VALIDATE_YTD_DECREASE = 0, VALIDATE_GROWTH_RANGE, VALIDATE_OUTLIER,
                     VALIDATE_RULE_N };

#define VALIDATE_HISTORY_MAX 120

/* The thresholds of the rules. */
typedef struct validate_opts {
    double growth_min;    /* percent, default -50 */
    double growth_max;    /* percent, default 100 */
    double z_max;         /* default 3.5 */
    int min_history;      /* earlier points the outlier rule needs, default 6 */
    int max_history;      /* most recent earlier points it uses, default 36, at most
                             VALIDATE_HISTORY_MAX */
} validate_opts;

/* The defaults above. */
validate_opts validate_defaults(void);

/* One value of one indicator. */
typedef struct validate_point {
    long series;          /* the unit: points of different series are never compared */
    period_key period;
    double value;
    long row;             /* the caller's index of a value being checked, or -1 for a stored one */
} validate_point;

/* One finding on a point being checked. */
typedef struct validate_flag {
    long row;             /* the point's row */
    int rule;             /* enum validate_rule */
    double value;         /* the value checked; for a year-over-year outlier the ratio */
    double reference;     /* ytd_decrease: the previous value; growth_range: the bound
                             crossed; outlier: the median of the history */
    double score;         /* outlier: the robust z-score; otherwise 0 */
    int yoy;              /* outlier: value and reference are year-over-year ratios */
} validate_flag;

/* Checks the points of one indicator of value kind (enum value_kind). pts is sorted and
 * rearranged in place. *out (the caller's, free() it; NULL when none) receives the flags
 * ordered by row then rule. Returns 0 or ERR_NOMEM. opts may be NULL for the defaults. */
int validate_points(int value_kind, validate_point *pts, size_t n, const validate_opts *opts,
                    validate_flag **out, size_t *nout);

/* The stable key of a rule ("ytd_decrease"), as stored with a flag. */
const char *validate_rule_key(int rule);

/* A sentence for a person saying why the value was flagged, in Chinese, or in English
 * when english is nonzero. */
void validate_message(const validate_flag *f, int english, char *buf, size_t size);

#endif
