/* demo: the deterministic demo city 云州市 (12 districts and counties, ours 临江区), built
 * through the store API: units, groups, the 14 main economic indicators, schemes, periods,
 * targets and monthly cumulative observations. The default data behind `make run`. At
 * province scale (demo_province.c), a synthetic province of many regions and indicators for
 * the benchmarks. */
#ifndef SAIMA_DEMO_H
#define SAIMA_DEMO_H

#include "store/store.h"

#include <stdint.h>

#define DEMO_SEED_DEFAULT 2024u
#define DEMO_REGIONS 12      /* peer districts and counties, ours among them */
#define DEMO_TOWNS 10        /* towns and streets of our region */
#define DEMO_INDICATORS 14
#define DEMO_PROVINCE_REGIONS 130     /* the province's default shape */
#define DEMO_PROVINCE_INDICATORS 300
#define DEMO_PROVINCE_MIN_REGIONS 3   /* one per size class */
#define DEMO_PROVINCE_MAX 1000        /* most regions, and most indicators, of a province */

/* Which demo to build. */
enum demo_scale { DEMO_SCALE_CITY = 0, DEMO_SCALE_PROVINCE };

struct demo_opts;

/* Writes the demo's entry workflow inside demo_build's transaction: the use-case layer's
 * (app_demo_entry), given by the caller so that io calls no layer above it. */
typedef int (*demo_entry_fn)(store *s, const struct demo_opts *opts);

/* What to build: the same options always give the same data (no clock, no rand()). */
typedef struct demo_opts {
    period_key as_of;        /* last month with data, kind PERIOD_MONTH */
    uint64_t seed;
    demo_entry_fn entry;     /* the as_of month's entry workflow; NULL: none (all figures as
                                generated, no submissions) */
    int scale;               /* enum demo_scale; the city when 0 */
    int regions, indicators; /* the province's shape; 0: DEMO_PROVINCE_REGIONS / _INDICATORS */
} demo_opts;

/* Builds the demo city into s in one transaction (rolled back on any error): months of the
 * two full years before as_of's year and of as_of's year up to as_of, published before
 * as_of; in the as_of month most units approved (published by the entry workflow
 * opts->entry, app_demo_entry), a few submitted, one returned and at least one missing.
 * Returns 0, ERR_DATA for a bad as_of, or the store's error. */
int demo_build(store *s, const demo_opts *opts);

/* Writes the demo's race inside demo_build's transaction (demo_race.c): contest categories,
 * contests and judges' scores for every closed quarter of the year before as_of and of
 * as_of's year, events (one revoked, one veto), caps and awards. */
int demo_write_race(store *s, const demo_opts *opts);

/* Builds the province-scale demo 云岭省 into s in one transaction (rolled back on any error):
 * opts->regions regions in three size classes (a group of kind class each, and one peer group
 * of them all with one region marked as ours), opts->indicators indicators of mixed
 * directions and value kinds (mostly year-to-date), every month of the two full years before
 * as_of's year and of as_of's year up to as_of, all published, a target for every
 * (indicator, region, year), and one scheme over every indicator for the peer group.
 * Observations go in through the bulk insert. opts->entry is not used. Returns 0, ERR_DATA
 * for a bad as_of or shape, or the store's error. */
int demo_province_build(store *s, const demo_opts *opts);

/* The closed quarters the demo's contests cover, in order; returns how many (at most 8). */
size_t demo_race_quarters(const period_key *as_of, period_key *out);

/* ERR_DATA unless opts->as_of is a month whose year and the two before it are in range
 * (demo.c), for the generators of this module. */
int demo__check_as_of(const demo_opts *opts);

/* Writes a group and its members (demo.c), for the generators of this module. */
int demo__put_group(store *s, const char *code, const char *name, const char *name_en, int kind,
                    const char *description, const char (*members)[MODEL_CODE_MAX], size_t n);

#endif
