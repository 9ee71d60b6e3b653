/* score: exact scores. Points are integers of 1/ENGINE_POINT_SCALE point (0.0001), so every
 * sum is exact and no order of summation can change a total or the rank of a total. Each
 * method rounds its result half away from zero to that unit, once. */
#ifndef SAIMA_SCORE_H
#define SAIMA_SCORE_H

#include <stddef.h>
#include <stdint.h>

#define ENGINE_POINT_SCALE 10000
/* Basis points: a share of a weight in 1/10000 (500 = 5 %). */
#define ENGINE_BP_SCALE 10000

typedef int64_t engine_points;

/* Converts a point value (a weight, a bonus) to units, rounding half away from zero.
 * Returns 0, or ERR_DATA when it is not finite or beyond ±1e12 points. */
int engine_points_from(double points, engine_points *out);

/* The points as a double, for display and JSON only (never for sums or ranks). */
double engine_points_to_double(engine_points p);

/* Writes p with `decimals` decimals (0-4), rounded half away from zero from the exact
 * integer: 572500 with 2 decimals is "57.25". buf holds at least 32 bytes. */
void engine_points_format(engine_points p, int decimals, char *buf, size_t size);

/* Rank-based score with a step per place (位次赋分): weight × max(floor, 100 % − step ×
 * (rank − 1)), step and floor in basis points of the weight. Rank 0 (unranked) scores 0. */
engine_points engine_score_rank_step(engine_points weight, int step_bp, int floor_bp, int rank);

#endif
