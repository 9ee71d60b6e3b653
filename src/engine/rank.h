/* rank: standard competition ranking of one (indicator, period) group, the tiers built on it
 * (前三 / 中游 / 后三, 第一方阵) and the neighbours that give the gaps (标兵 / 追兵).
 * Pure: arrays in, results out; the caller owns a workspace so a thread can rank millions of
 * groups without allocating, and several threads can rank at once. */
#ifndef SAIMA_RANK_H
#define SAIMA_RANK_H

#include <stddef.h>
#include <stdint.h>

/* Precision that means "compare the values exactly, bit for bit". */
#define ENGINE_PRECISION_EXACT (-1)
/* The largest declared precision (decimals) a tie can be judged at. */
#define ENGINE_PRECISION_MAX 9

enum engine_tier { TIER_NONE = 0, TIER_TOP, TIER_MIDDLE, TIER_BOTTOM };

/* The standing of one unit in its group. */
typedef struct engine_ranked {
    int rank;   /* 1-based; ties share the best place and the next place is skipped (1, 1, 3);
                   0 when the value is missing (unranked, never last) */
    int ties;   /* units sharing this rank, itself included; 0 when missing */
    int worse;  /* units strictly worse; 0 when missing */
    int above;  /* index of a unit in the nearest strictly better tie group (标兵), or -1 */
    int below;  /* index of a unit in the nearest strictly worse tie group (追兵), or -1 */
} engine_ranked;

/* Scratch space for ranking; zero-initialise, reuse across groups, release with
 * engine_rank_ws_free. Not shared between threads. */
typedef struct engine_rank_ws {
    uint64_t *key, *key_tmp;
    uint32_t *idx, *idx_tmp;
    size_t cap;
    uint32_t *count; /* counting-sort buckets, count_cap of them */
    size_t count_cap;
} engine_rank_ws;

/* Groups whose keys span fewer values than this, and fewer than eight per value ranked, are
 * counting-sorted in one pass (a small group is not worth clearing 256 KiB of buckets). */
#define ENGINE_RANK_BUCKETS 65536

/* Releases a workspace's memory (the struct itself is the caller's); NULL is allowed. */
void engine_rank_ws_free(engine_rank_ws *ws);

/* Ranks n values. present[i] == 0 (or a NaN value) marks a missing value; present may be NULL
 * when all are present. higher_better selects the direction. Values equal after rounding
 * half away from zero to `precision` decimals tie; ENGINE_PRECISION_EXACT compares exactly.
 * Fills out[0..n-1] and, when nranked is not NULL, the number ranked.
 * Returns 0, ERR_DATA when a value is too large for the precision, ERR_NOMEM. */
int engine_rank_group(const double *value, const unsigned char *present, size_t n, int higher_better,
                      int precision, engine_rank_ws *ws, engine_ranked *out, size_t *nranked);

/* The tier of a ranked unit: 前三 when fewer than three units are strictly better, else 后三
 * when fewer than three are strictly worse (a tie at the bottom is 后三), else 中游.
 * TIER_NONE for a missing value. Top wins when a small group makes both true. */
int engine_tier(const engine_ranked *r);

/* Nonzero when the unit is in the first tier (第一方阵): ranked within the first `cut` places. */
int engine_first_tier(const engine_ranked *r, int cut);

/* The value rounded to a declared precision (half away from zero), as ties are judged. */
double engine_round(double value, int precision);

#endif
