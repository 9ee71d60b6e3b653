/* score: fixed-point points and the scoring methods. */
#include "engine/score.h"

#include "util/err.h"

#include <math.h>
#include <stdio.h>

#define POINTS_MAX 1e12

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
