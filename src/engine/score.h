/* score: exact scores (SPEC §6). Points are integers of 1/ENGINE_POINT_SCALE point (0.0001),
 * so every sum is exact and no order of summation can change a total or the rank of a total.
 * Each method rounds its result half away from zero to that unit, once. Every score can say
 * how it was reached (engine_explain). */
#ifndef SAIMA_SCORE_H
#define SAIMA_SCORE_H

#include <stddef.h>
#include <stdint.h>

#define ENGINE_POINT_SCALE 10000
/* Basis points: a share of a weight in 1/10000 (500 = 5 %). */
#define ENGINE_BP_SCALE 10000
#define ENGINE_RANK_TABLE_MAX 32

typedef int64_t engine_points;

/* Converts a point value (a weight, a bonus) to units, rounding half away from zero.
 * Returns 0, or ERR_DATA when it is not finite or beyond ±1e12 points. */
int engine_points_from(double points, engine_points *out);

/* The points as a double, for display and JSON only (never for sums or ranks). */
double engine_points_to_double(engine_points p);

/* Writes p with `decimals` decimals (0-4), rounded half away from zero from the exact
 * integer: 572500 with 2 decimals is "57.25". buf holds at least 32 bytes. */
void engine_points_format(engine_points p, int decimals, char *buf, size_t size);

/* Writes p with only the decimals it needs ("13.5", "15", "0.0125"), as explanations show
 * points. buf holds at least 32 bytes. */
void engine_points_text(engine_points p, char *buf, size_t size);

/* Rank-based score with a step per place (位次赋分): weight × max(floor, 100 % − step ×
 * (rank − 1)), step and floor in basis points of the weight. Rank 0 (unranked) scores 0. */
engine_points engine_score_rank_step(engine_points weight, int step_bp, int floor_bp, int rank);

/* ---- scoring methods of a scheme item ---- */

/* A scheme item's method with its parameters, parsed from the scheme's text
 * ("step=5;floor=0", "table=100,95,90", "floor=0;cap=120", "base=60;satisfactory=100;unallowed=20",
 * ...; syntax and defaults in docs/scoring.md). */
typedef struct engine_method {
    int method;                      /* enum scoring_method (model/model.h) */
    engine_points weight;
    int higher_better;
    /* rank: a table of shares per place (table_bp[0] for 1st), else a step per place */
    int step_bp, floor_bp;
    int table_bp[ENGINE_RANK_TABLE_MAX];
    int ntable;
    /* completion: weight × clamp(actual / target, floor, cap) */
    int cap_bp;                      /* e.g. 12000 = 120 % */
    /* efficacy (功效系数法): base + (x − unallowed) / (satisfactory − unallowed) × (100 − base) */
    int base_bp;                     /* e.g. 6000: the worst scores 60 % of the weight */
    int fixed_bounds;                /* 1: satisfactory/unallowed below; 0: the group's best/worst */
    double satisfactory, unallowed;
} engine_method;

/* Parses method parameters for method (enum scoring_method) and weight. Unknown keys,
 * malformed numbers and missing required parameters are ERR_DATA with the key named. */
int engine_method_parse(int method, double weight, int higher_better, const char *params,
                        engine_method *out);

/* ---- the check of a scheme's items ---- */

/* How far the weights' sum may stand from the declared total: ENGINE_WEIGHT_TOLERANCE ×
 * max(1, |total|). Weights are written with at most a few decimals, so an honest sum differs
 * from its total only by binary rounding (about 1e-16 of the total per addition); one part in
 * a billion is far above that and far below the smallest real slip (0.0001, the scores' unit,
 * on a total of up to 1e5). Relative, because rounding grows with the total; at least the
 * tolerance itself, so totals near 0 are not held to nothing. */
#define ENGINE_WEIGHT_TOLERANCE 1e-9

/* The room the detail of a problem has (the parser's own explanation). */
#define ENGINE_SCHEME_DETAIL_MAX 256

/* One item of a scheme as the check sees it. */
typedef struct engine_scheme_item {
    int method;                /* enum scoring_method */
    double weight;
    int higher_better;         /* the indicator's direction */
    const char *params;        /* the method's parameters ("" or NULL for none) */
} engine_scheme_item;

/* What can be wrong with a scheme's items. */
enum engine_scheme_issue {
    ENGINE_SCHEME_BAD_METHOD = 1,  /* an item's method, weight or parameters are refused */
    ENGINE_SCHEME_WEIGHT_SUM,      /* the weights do not add up to the declared total */
};

/* One problem: its code decides; detail only explains it to a reader. */
typedef struct engine_scheme_problem {
    int code;                  /* enum engine_scheme_issue */
    long item;                 /* the item's index, -1 for the scheme as a whole */
    char detail[ENGINE_SCHEME_DETAIL_MAX]; /* engine_method_parse's detail; "" for the sum */
} engine_scheme_problem;

/* Whether sum stands within the tolerance of total (|sum − total| ≤ ENGINE_WEIGHT_TOLERANCE ×
 * max(1, |total|)); NaN never agrees. */
int engine_weights_agree(double sum, double total);

/* Checks a scheme's items: each method with its weight and parameters (engine_method_parse)
 * and the weights' sum against total (engine_weights_agree). Writes the problems, in item
 * order with the sum last, to out (room for n + 1), the weights' sum to *sum (when not NULL),
 * and returns how many there are (0: the scheme checks out). Leaves no error detail set. */
size_t engine_scheme_check(const engine_scheme_item *items, size_t n, double total,
                           engine_scheme_problem *out, double *sum);

/* What a unit brings to one item: its rank and value, its target, a manual score. */
typedef struct engine_item_input {
    int rank;                        /* 0 when unranked */
    double value;
    int present;
    double target;
    int has_target;
    double manual;                   /* judges' score in points (评议) */
    int has_manual;
} engine_item_input;

/* The group's best and worst values of an item, for efficacy scoring. */
typedef struct engine_item_group {
    double best, worst;
    int nranked;
} engine_item_group;

/* How a score was reached: the method, the inputs by name, the formula with the numbers
 * filled in (language-neutral arithmetic), and the result. */
typedef struct engine_explain {
    int method;
    int ninputs;
    const char *input_name[8];       /* static strings: "rank", "value", "target", ... */
    double input[8];
    char formula[320];               /* "15 × max(0 %, 100 % − 5 % × (3 − 1)) = 13.5" */
    engine_points result;
} engine_explain;

/* The best and worst of the present values of an item, in its direction, for efficacy
 * scoring with the group's own bounds. */
engine_item_group engine_item_group_of(const double *value, const unsigned char *present, size_t n,
                                       int higher_better);

/* Scores one unit on one item. why may be NULL. g is needed by efficacy without fixed bounds.
 * Returns 0, or ERR_DATA (unknown method, weight out of range, no group for efficacy). */
int engine_score_item(const engine_method *m, const engine_item_input *in, const engine_item_group *g,
                      engine_points *out, engine_explain *why);

/* ---- events, totals, grades ---- */

/* An adjustment (SPEC §6): a bonus (points > 0) or deduction (points < 0) of a category,
 * or a veto incident. Revoked events (容错免责) count for nothing but stay on record. */
typedef struct engine_event {
    size_t unit;
    int category;
    engine_points points;
    int veto;
    int revoked;
} engine_event;

/* Per-category caps on a unit's bonuses and deductions in a year (0 = no cap). */
typedef struct engine_cap {
    int category;
    engine_points max_bonus;         /* ≥ 0 */
    engine_points max_deduction;     /* ≥ 0, a magnitude */
} engine_cap;

/* A unit's total: item scores + capped bonuses − capped deductions. */
typedef struct engine_total {
    engine_points items, bonus, deduction, total;
    int veto;
    int rank;                        /* competition rank of total among the units */
    int grade;                       /* index into the grade bands, best first; -1 none */
} engine_total;

/* Adds item scores (nunits × nitems, row per unit) and events under the caps into
 * out[0..nunits), then ranks the totals. Returns 0, ERR_DATA (an event's unit out of
 * range, a negative or repeated cap, a sum beyond ±2^53 units) or ERR_NOMEM. */
int engine_totals(const engine_points *item_scores, size_t nunits, size_t nitems,
                  const engine_event *events, size_t nevents, const engine_cap *caps, size_t ncaps,
                  engine_total *out);

/* Grade rules: bands best first, each with its lower bound (inclusive: a total exactly on a
 * band's edge gets that band), and optionally a quota on the first band (优秀 for at most
 * `quota` units). A veto bars the first band whatever the total. */
typedef struct engine_grading {
    int nbands;
    engine_points min[8];            /* lower bounds, best band first, decreasing */
    int quota;                       /* units allowed in band 0 (优秀), 0 = no quota */
} engine_grading;

#define ENGINE_GRADE_NAME_MAX 32

/* Parses a scheme's grade rule: bands best first separated by ';', each "NAME>=POINTS" (a
 * lower bound, inclusive), the last may be a bare "NAME" taking every lower total, and an
 * optional "quota=N" (or 名额=N) limiting band 0. "优秀>=90;良好>=80;一般>=60;较差;quota=3".
 * names receives the band names. Returns 0, or ERR_DATA naming the bad part. */
int engine_grading_parse(const char *text, engine_grading *g,
                         char names[][ENGINE_GRADE_NAME_MAX]);

/* Assigns grades to totals[0..n) in place. With a quota, band 0 goes to units ranked within
 * the quota; a tie that would cross the quota keeps the tied units out. Returns 0 or
 * ERR_DATA (not 1 to 8 bands, bands not decreasing, a negative quota). */
int engine_grade(const engine_grading *g, engine_total *totals, size_t n);

/* The current streak of first places (连冠) ending at the last of ranks[0..n) (0 = no rank),
 * and the longest streak. */
void engine_streak(const int *ranks, size_t n, int *current, int *longest);

#endif
