/* contest: the race (SPEC §7) — judges' scores (现场测评), an entry's blended score, rank to
 * points (front places add, last places deduct), the rotating red flag (流动红旗) with its tie
 * rule, named awards for the best and the worst, and records (连冠, best-ever rank). Pure:
 * arrays in, results out, exact points (engine/score.h). The year ledger is engine_totals
 * over the quarters' points and the year's events. */
#ifndef SAIMA_CONTEST_H
#define SAIMA_CONTEST_H

#include "engine/rank.h"
#include "engine/score.h"

#include <stddef.h>

#define ENGINE_POINTS_TABLE_MAX 16

/* Rank to points: top[0] for 1st place, top[1] for 2nd, ...; bottom[0] for the last place,
 * bottom[1] for the one before, ...; every other place scores 0. */
typedef struct engine_points_table {
    int ntop, nbottom;
    engine_points top[ENGINE_POINTS_TABLE_MAX];
    engine_points bottom[ENGINE_POINTS_TABLE_MAX];
} engine_points_table;

/* Parses "top=3,2,1;bottom=-3,-2,-1" (points, decimals allowed; either part may be left out).
 * Returns 0, or ERR_DATA naming the bad part (unknown key, not a number, too many places, top
 * points not decreasing, bottom points not increasing from the last place). */
int engine_points_table_parse(const char *text, engine_points_table *out);

/* The points of a ranked unit. Ties share: units tied for a place all get that place's
 * points (1, 1 → both 1st place's), and units tied at the bottom all get the last place's.
 * In a group too small for both lists, the top list wins. Unranked units get 0. */
engine_points engine_contest_points(const engine_points_table *t, const engine_ranked *r);

/* The judges' score of one unit: the mean of n scores in points, after dropping one highest
 * and one lowest when drop_extremes is set and n ≥ 3; rounded once to a point unit. why may
 * be NULL. Returns 0, or ERR_DATA when n is 0, a score is not finite or beyond ±1e12 points,
 * or the sum is too large to total. */
int engine_judges_score(const double *scores, size_t n, int drop_extremes, engine_points *out,
                        engine_explain *why);

/* An entry's score: the scheme's part and the judges' part blended by weights in basis
 * points (adding up to 10000). When one part is missing the other counts alone, at full
 * weight; neither gives 0 with *has set to 0. */
engine_points engine_contest_score(engine_points scheme_part, int has_scheme, engine_points judge_part,
                                   int has_judges, int scheme_bp, int judge_bp, int *has);

/* Who takes the red flag among n ranked units: rank 1 (one unit, or the tied ones by
 * tie_rule, enum flag_tie_rule in model/model.h): SHARED — every tied unit holds it; HOLDER —
 * the previous holder (index, or -1) keeps it when it is among the tied, else shared; JUDGES
 * — the tied unit(s) with the highest judge score (judge may be NULL: then shared; a unit
 * without one is INT64_MIN); NONE — nobody holds it this period. winner[i] is set to 1 for
 * each holder and 0 for the rest. Returns the count, or ERR_DATA for an unknown rule. */
int engine_flag_winners(const engine_ranked *r, size_t n, int tie_rule, int previous_holder,
                        const engine_points *judge, unsigned char *winner);

/* Named awards: the best (rank 1) or the worst (last place: no unit strictly worse) of the
 * ranked units, ties all winning. winner[i] is set to 1 for each. Returns the count. */
int engine_award_winners(const engine_ranked *r, size_t n, int worst, unsigned char *winner);

/* Records of one unit over periods in order (rank 0 = not ranked that period): the current
 * streak of first places (连冠) and the longest, the current streak of top-grade years (连优)
 * given grades (0 = top band, -1 none; may be NULL), and the best rank ever (0 if never). */
typedef struct engine_record {
    int streak_first, longest_first;
    int streak_top_grade, longest_top_grade;
    int best_rank;
} engine_record;

void engine_records(const int *ranks, const int *grades, size_t n, engine_record *out);

#endif
