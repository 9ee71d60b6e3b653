/* rank: competition ranking by sort keys. Values become order-preserving 64-bit keys (exact
 * bits, or the integer of the value at the declared precision), sorted with a counting sort
 * when their span is small and an LSD radix sort otherwise; both are stable, so ties keep
 * input order and results are deterministic. */
#include "engine/rank.h"

#include "util/err.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double pow10_table[ENGINE_PRECISION_MAX + 1] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
};

#define SIGN_BIT (UINT64_C(1) << 63)
/* Scaled values stay below 2^53 so that every integer is exact in a double. */
#define SCALED_MAX 9007199254740991.0

void engine_rank_ws_free(engine_rank_ws *ws)
{
    if (!ws)
        return;
    free(ws->key);
    free(ws->key_tmp);
    free(ws->idx);
    free(ws->idx_tmp);
    free(ws->count);
    memset(ws, 0, sizeof *ws);
}

static int ws_reserve(engine_rank_ws *ws, size_t n)
{
    size_t cap;
    if (n <= ws->cap)
        return 0;
    cap = ws->cap ? ws->cap : 64;
    while (cap < n)
        cap *= 2;
    engine_rank_ws_free(ws);
    ws->key = malloc(cap * sizeof *ws->key);
    ws->key_tmp = malloc(cap * sizeof *ws->key_tmp);
    ws->idx = malloc(cap * sizeof *ws->idx);
    ws->idx_tmp = malloc(cap * sizeof *ws->idx_tmp);
    ws->count_cap = cap * 8 < ENGINE_RANK_BUCKETS ? cap * 8 : ENGINE_RANK_BUCKETS;
    ws->count = malloc((ws->count_cap + 1) * sizeof *ws->count);
    if (!ws->key || !ws->key_tmp || !ws->idx || !ws->idx_tmp || !ws->count) {
        engine_rank_ws_free(ws);
        return err_set(ERR_NOMEM, "out of memory ranking %zu values", n);
    }
    ws->cap = cap;
    return 0;
}

/* Rounds scaled to an integer, half away from zero, where "half" is judged as the decimal
 * the value was written as: 1.005 at two decimals is 1.01, although its double is a hair
 * below 1.005. */
static double round_scaled(double scaled)
{
    double f = floor(scaled), frac = scaled - f;
    if (fabs(frac - 0.5) <= 8 * DBL_EPSILON * fabs(scaled))
        return scaled < 0 ? f : f + 1;
    return floor(scaled + 0.5);
}

double engine_round(double value, int precision)
{
    if (precision < 0 || precision > ENGINE_PRECISION_MAX || !isfinite(value))
        return value;
    return round_scaled(value * pow10_table[precision]) / pow10_table[precision];
}

/* An ascending key for value (smaller key = better), or an error for an unrankable value. */
static int value_key(double v, int higher_better, int precision, uint64_t *key)
{
    uint64_t k;
    if (precision < 0) {
        uint64_t bits;
        if (v == 0)
            v = 0; /* -0 ties with 0 */
        memcpy(&bits, &v, sizeof bits);
        k = (bits & SIGN_BIT) ? ~bits : bits | SIGN_BIT;
    } else {
        double scaled = v * pow10_table[precision];
        if (!(fabs(scaled) <= SCALED_MAX))
            return err_set(ERR_DATA, "value %g is too large to compare at %d decimals", v, precision);
        k = (uint64_t)(int64_t)round_scaled(scaled) ^ SIGN_BIT;
    }
    *key = higher_better ? ~k : k;
    return 0;
}

/* Sorts ws->key/idx[0..m) by key; stable. */
static void sort_keys(engine_rank_ws *ws, size_t m)
{
    uint64_t lo = UINT64_MAX, hi = 0, range;
    if (m < 2)
        return;
    for (size_t i = 0; i < m; i++) {
        if (ws->key[i] < lo)
            lo = ws->key[i];
        if (ws->key[i] > hi)
            hi = ws->key[i];
    }
    range = hi - lo;
    if (range == 0)
        return;
    if (range < ws->count_cap) {
        uint32_t *count = ws->count, sum = 0;
        memset(count, 0, (range + 2) * sizeof *count);
        for (size_t i = 0; i < m; i++)
            count[ws->key[i] - lo + 1]++;
        for (uint64_t b = 0; b <= range; b++) {
            sum += count[b + 1];
            count[b + 1] = sum;
        }
        for (size_t i = 0; i < m; i++) {
            uint32_t at = count[ws->key[i] - lo]++;
            ws->key_tmp[at] = ws->key[i];
            ws->idx_tmp[at] = ws->idx[i];
        }
    } else {
        int bits = 64 - __builtin_clzll(range);
        for (int shift = 0; shift < bits; shift += 8) {
            uint32_t count[257] = { 0 };
            uint64_t *ksrc = shift == 0 ? ws->key : ws->key_tmp;
            uint32_t *isrc = shift == 0 ? ws->idx : ws->idx_tmp;
            uint64_t *kdst = shift == 0 ? ws->key_tmp : ws->key;
            uint32_t *idst = shift == 0 ? ws->idx_tmp : ws->idx;
            for (size_t i = 0; i < m; i++)
                count[((ksrc[i] - lo) >> shift & 0xff) + 1]++;
            for (int b = 0; b < 256; b++)
                count[b + 1] += count[b];
            for (size_t i = 0; i < m; i++) {
                uint32_t at = count[(ksrc[i] - lo) >> shift & 0xff]++;
                kdst[at] = ksrc[i];
                idst[at] = isrc[i];
            }
            /* Keep the sorted data in key_tmp/idx_tmp after every pass. */
            if (shift != 0) {
                memcpy(ws->key_tmp, kdst, m * sizeof *kdst);
                memcpy(ws->idx_tmp, idst, m * sizeof *idst);
            }
        }
    }
    memcpy(ws->key, ws->key_tmp, m * sizeof *ws->key);
    memcpy(ws->idx, ws->idx_tmp, m * sizeof *ws->idx);
}

int engine_rank_group(const double *value, const unsigned char *present, size_t n, int higher_better,
                      int precision, engine_rank_ws *ws, engine_ranked *out, size_t *nranked)
{
    size_t m = 0, start, end;
    int rc, prev_first = -1;
    if (precision > ENGINE_PRECISION_MAX)
        return err_set(ERR_DATA, "precision %d is above the maximum of %d decimals", precision,
                       ENGINE_PRECISION_MAX);
    if (n > UINT32_MAX)
        return err_set(ERR_DATA, "a group of %zu values is too large to rank", n);
    if ((rc = ws_reserve(ws, n)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        static const engine_ranked missing = { 0, 0, 0, -1, -1 };
        if ((present && !present[i]) || isnan(value[i])) {
            out[i] = missing;
            continue;
        }
        if ((rc = value_key(value[i], higher_better, precision, &ws->key[m])) != 0)
            return rc;
        ws->idx[m++] = (uint32_t)i;
    }
    sort_keys(ws, m);
    for (start = 0; start < m; start = end) {
        int next_first;
        for (end = start + 1; end < m && ws->key[end] == ws->key[start]; end++)
            ;
        next_first = end < m ? (int)ws->idx[end] : -1;
        for (size_t j = start; j < end; j++) {
            engine_ranked *r = &out[ws->idx[j]];
            r->rank = (int)start + 1;
            r->ties = (int)(end - start);
            r->worse = (int)(m - end);
            r->above = prev_first;
            r->below = next_first;
        }
        prev_first = (int)ws->idx[start];
    }
    if (nranked)
        *nranked = m;
    return 0;
}

int engine_tier(const engine_ranked *r)
{
    if (r->rank == 0)
        return TIER_NONE;
    if (r->rank - 1 < 3)
        return TIER_TOP;
    if (r->worse < 3)
        return TIER_BOTTOM;
    return TIER_MIDDLE;
}

int engine_first_tier(const engine_ranked *r, int cut)
{
    return r->rank > 0 && r->rank <= cut;
}
