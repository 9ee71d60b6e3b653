/* analyze: everything SPEC §5 says about one indicator at one month for the units of one
 * group — rank, tier, movement, 标兵/追兵 gaps, gap to the reference, completion against the
 * target, time progress (linear and seasonal), 双过半, the year-end forecast with the rank it
 * predicts, and warnings with their level and reasons. Pure: a panel in, standings out. */
#ifndef SAIMA_ANALYZE_H
#define SAIMA_ANALYZE_H

#include "engine/rank.h"

#include <stddef.h>

/* One indicator's monthly values for the units of one group. Month t (0-based) is month
 * t % 12 + 1 of year first_year + t / 12. Year-to-date indicators hold cumulative values. */
typedef struct engine_panel {
    size_t nunits;
    size_t nmonths;
    int first_year;
    const double *value;                   /* nunits × nmonths: value[u * nmonths + t] */
    const unsigned char *present;          /* same shape; 0 = no value */
    const double *reference;               /* nmonths: the reference unit (参照), or NULL */
    const unsigned char *reference_present;
    const double *target;                  /* nunits: the target of the analysed year, or NULL */
    const unsigned char *target_present;
    int higher_better;
    int precision;                         /* decimals that decide ties */
    int value_kind;                        /* enum value_kind (model/model.h) */
} engine_panel;

/* Thresholds a scheme sets; engine_params_default gives the documented defaults. */
typedef struct engine_params {
    int first_tier_cut;          /* 第一方阵: ranked within this many places (default 3) */
    int warn_rank_fall;          /* warn when the rank fell by at least this many places (2) */
    double warn_behind_points;   /* warn when completion trails seasonal time progress by more
                                    than this many percentage points (5) */
    int level_of[16];            /* warning level of each enum engine_warning reason */
} engine_params;

/* Reasons for a warning (预警), as bits of engine_standing.warnings. */
enum engine_warning {
    WARN_BOTTOM_THREE = 0,   /* 后三 */
    WARN_RANK_FALL,          /* rank fell by ≥ warn_rank_fall since the previous month */
    WARN_BEHIND_TIME,        /* completion behind time progress */
    WARN_FORECAST_MISS,      /* forecast year-end value misses the target */
    WARN_NEGATIVE_GROWTH,    /* below the same month last year */
    WARN_MISSING,            /* no value this month */
    WARN_N
};

/* Warning levels, most severe last. */
enum engine_level { LEVEL_NONE = 0, LEVEL_BLUE, LEVEL_YELLOW, LEVEL_RED };

/* One unit at the analysed month. Doubles are NaN where they do not apply. */
typedef struct engine_standing {
    engine_ranked rank;
    int tier;                    /* enum engine_tier */
    int first_tier;
    int rank_prev, rank_last_year;   /* 0 when unknown */
    int move_prev, move_year;        /* places gained (进位 > 0, 退位 < 0); 0 when unknown */
    double gap_above;            /* |ours − 标兵|, of the values rounded to the precision */
    double pct_to_overtake;      /* % change of ours needed to pass the 标兵 at the precision */
    double lead_below;           /* |ours − 追兵|, at the precision */
    double gap_reference;        /* ours − the reference unit's value, at the precision */
    double growth;               /* % (points for growth and ratio kinds) vs same month last year */
    double completion;           /* % of the annual target */
    double time_linear;          /* % of the year gone: month / 12 */
    double time_seasonal;        /* % of last year's total reached by this month last year */
    int half_half;               /* 双过半: half the year gone and half the target done */
    double forecast;             /* year-end value */
    int forecast_rank;           /* rank of the forecast among all forecasts; 0 when none */
    unsigned warnings;           /* bits 1 << enum engine_warning */
    int level;                   /* enum engine_level: the most severe reason's */
} engine_standing;

/* The documented defaults of every threshold. */
engine_params engine_params_default(void);

/* Reads a scheme's settings over the defaults: "first_tier=5;rank_fall=1;behind=10;
 * level.forecast_miss=red" (levels none, blue, yellow, red; reasons as engine_warning_key
 * names). An empty text gives the defaults. Returns 0, or ERR_DATA naming the bad key. */
int engine_params_parse(const char *text, engine_params *out);

/* The English key of a warning reason ("forecast_miss") or level ("red"). */
const char *engine_warning_key(int reason);
const char *engine_level_key(int level);

/* Analyses month t of the panel for every unit into out[0..nunits). ws is the caller's
 * ranking workspace (NULL: a private one); params NULL means the defaults; NULL presence
 * arrays mean every entry is present. Returns 0, ERR_DATA for an impossible panel (t out of
 * range, a value too large for the precision), ERR_NOMEM. */
int engine_analyze(const engine_panel *p, size_t t, const engine_params *params, engine_rank_ws *ws,
                   engine_standing *out);

/* The year-end forecast of one unit from month t: for year-to-date values, the value
 * divided by the average share of the year's total reached by the same month in earlier
 * years (seasonal), or by t's month / 12 when no earlier full year exists (linear); for
 * other kinds, the latest value. NaN when the unit has no value at t. */
double engine_forecast(const engine_panel *p, size_t unit, size_t t);

/* How far year-end forecasts made at each month of one past year landed from that year's
 * actual December values: the mean absolute percentage error over the units with both, for
 * the seasonal forecast (engine_forecast) and for the plain linear one (value × 12 / month). */
typedef struct engine_backtest {
    double mape_seasonal[12];    /* NaN for a month with no unit to judge */
    double mape_linear[12];
    int n[12];                   /* units judged per month */
} engine_backtest;

/* Backtests the forecast on year `year` of a year-to-date panel (earlier years in the panel
 * feed the seasonal shares). Returns 0, or ERR_DATA when the panel is not year-to-date or
 * the year lies outside it. */
int engine_forecast_backtest(const engine_panel *p, int year, engine_backtest *out);

/* Pools one backtest into a running one (start from a zeroed struct), weighting each month's
 * errors by the units judged. */
void engine_backtest_add(engine_backtest *sum, const engine_backtest *one);

#endif
