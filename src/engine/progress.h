/* progress: year-over-year growth and completion against a target, as pure arithmetic that
 * refuses the undefined cases (zero base or target, non-finite input) instead of giving inf/nan. */
#ifndef SAIMA_PROGRESS_H
#define SAIMA_PROGRESS_H

/* How a year-over-year change is expressed. */
enum progress_yoy_kind {
    PROGRESS_PERCENT = 0,  /* growth in % of last year's value (同比增长 %) */
    PROGRESS_POINTS        /* difference in percentage points (百分点), for ratios and rates */
};

/* Growth of current over base in percent: (current - base) / |base| * 100, so a loss that
 * shrinks (-10 to -5) is +50 %. Returns 0, or ERR_DATA when base is 0 or a value is not finite. */
int progress_growth(double current, double base, double *out_pct);

/* The change current - base (percentage points when both are percentages).
 * Returns 0, or ERR_DATA when a value is not finite. */
int progress_points(double current, double base, double *out);

/* The year-over-year change an indicator of value_kind (enum value_kind) is read by:
 * percentage points for ratios and growth rates, growth % for levels and cumulative values.
 * *kind receives enum progress_yoy_kind. Returns 0 or ERR_DATA as the helpers above. */
int progress_yoy(int value_kind, double current, double base, double *out, int *kind);

/* Completion of a target in percent for an indicator of direction (enum direction):
 * 100 * (1 + (actual - goal) / |goal|) when higher is better, and the mirror
 * 100 * (1 + (goal - actual) / |goal|) when lower is better. For a positive goal
 * and higher-is-better this is actual / goal * 100; reaching the goal is 100 % whatever
 * its sign. Returns 0, or ERR_DATA when goal is 0, a value is not finite or direction
 * is unknown. */
int progress_completion(int direction, double actual, double goal, double *out_pct);

#endif
