/* test_demo: the demo city is deterministic (same options, same data; another seed, other
 * values) and keeps its invariants: sizes, weights, periods, states, cumulative series,
 * targets, plausible magnitudes and a city equal to the sum of its districts. */
#include "support.h"
#include "app/app.h"
#include "io/demo.h"
#include "store/store.h"
#include "util/err.h"

#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#define AS_OF_YEAR 2025
#define AS_OF_MONTH 10
#define MAXU 64
#define MAXI 16
#define MAXP 64 /* 34 months and the 7 quarters of the race */

/* A growing text buffer for dumps. */
typedef struct dump {
    char *buf;
    size_t len, cap;
} dump;

static void dump_add(dump *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void dump_add(dump *d, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if (d->len + (size_t)n + 1 > d->cap) {
        d->cap = (d->len + (size_t)n + 1) * 2;
        d->buf = realloc(d->buf, d->cap);
        assert_non_null(d->buf);
    }
    va_start(ap, fmt);
    vsnprintf(d->buf + d->len, d->cap - d->len, fmt, ap);
    va_end(ap);
    d->len += (size_t)n;
}

/* One demo database in a temporary directory. */
typedef struct demo_db {
    char dir[64];
    char path[128];
    store *s;
} demo_db;

static void db_open(demo_db *db)
{
    snprintf(db->dir, sizeof db->dir, "/tmp/saima_test_demo_XXXXXX");
    assert_non_null(mkdtemp(db->dir));
    snprintf(db->path, sizeof db->path, "%s/demo.db", db->dir);
    assert_int_equal(store_open(db->path, &db->s), 0);
}

static void db_close(demo_db *db)
{
    char extra[160];
    store_close(db->s);
    db->s = NULL;
    unlink(db->path);
    snprintf(extra, sizeof extra, "%s-wal", db->path);
    unlink(extra);
    snprintf(extra, sizeof extra, "%s-shm", db->path);
    unlink(extra);
    rmdir(db->dir);
}

static demo_opts opts_of(int year, int month, uint64_t seed)
{
    demo_opts o;
    memset(&o, 0, sizeof o);
    o.as_of.kind = PERIOD_MONTH;
    o.as_of.year = year;
    o.as_of.seq = month;
    o.seed = seed;
    o.entry = app_demo_entry;
    return o;
}

static void db_build(demo_db *db, const demo_opts *o)
{
    db_open(db);
    if (demo_build(db->s, o) != 0)
        fail_msg("demo_build: %s", err_msg());
}

/* ---- the whole content as text, everything but timestamps ---- */

static void dump_catalogue(store *s, dump *d)
{
    model_unit *units = NULL, *members = NULL;
    model_group *groups = NULL;
    model_indicator *inds = NULL;
    model_scheme *schemes = NULL;
    model_scheme_item *items = NULL;
    model_period *periods = NULL;
    model_target *targets = NULL;
    size_t n = 0, m = 0;
    assert_int_equal(store_units(s, &units, &n), 0);
    for (size_t i = 0; i < n; i++)
        dump_add(d, "unit %lld|%s|%s|%s|%d|%s|%d|%d\n", (long long)units[i].id, units[i].code,
                 units[i].name, units[i].name_en, units[i].kind, units[i].parent_code,
                 units[i].is_self, units[i].sort_order);
    free(units);
    assert_int_equal(store_groups(s, &groups, &n), 0);
    for (size_t i = 0; i < n; i++) {
        dump_add(d, "group %s|%s|%s|%d|%s\n", groups[i].code, groups[i].name, groups[i].name_en,
                 groups[i].kind, groups[i].description);
        assert_int_equal(store_group_members(s, groups[i].code, &members, &m), 0);
        for (size_t j = 0; j < m; j++)
            dump_add(d, "  member %s\n", members[j].code);
        free(members);
    }
    free(groups);
    assert_int_equal(store_indicators(s, &inds, &n), 0);
    for (size_t i = 0; i < n; i++) {
        const model_indicator *x = &inds[i];
        dump_add(d, "ind %s|%s|%s|%s|%s|%s|%d|%d|%d|%d|%.17g|%d|%s|%s|%s|%d|%d|%d\n", x->code,
                 x->name, x->name_en, x->measure, x->definition, x->source, x->direction,
                 x->value_kind, x->category, x->precision, x->weight, x->method, x->lead_unit,
                 x->coop_units, x->leader, x->is_bonus, x->is_veto, x->sort_order);
    }
    free(inds);
    assert_int_equal(store_schemes(s, &schemes, &n), 0);
    for (size_t i = 0; i < n; i++) {
        const model_scheme *x = &schemes[i];
        dump_add(d, "scheme %s|%s|%s|%s|%d|%.17g|%s|%s\n", x->code, x->name, x->name_en,
                 x->group_code, x->period_kind, x->total_weight, x->grading, x->description);
        assert_int_equal(store_scheme_items(s, x->code, &items, &m), 0);
        for (size_t j = 0; j < m; j++)
            dump_add(d, "  item %s|%.17g|%d|%s|%d\n", items[j].indicator_code, items[j].weight,
                     items[j].method, items[j].params, items[j].sort_order);
        free(items);
    }
    free(schemes);
    assert_int_equal(store_periods(s, &periods, &n), 0);
    for (size_t i = 0; i < n; i++)
        dump_add(d, "period %s|%d|%s\n", periods[i].code, periods[i].locked, periods[i].deadline);
    free(periods);
    assert_int_equal(store_targets(s, 0, &targets, &n), 0);
    for (size_t i = 0; i < n; i++)
        dump_add(d, "target %s|%s|%d|%.17g|%s\n", targets[i].indicator_code, targets[i].unit_code,
                 targets[i].year, targets[i].value, targets[i].note);
    free(targets);
}

static int dump_obs(const model_observation *o, void *ctx)
{
    dump_add(ctx, "obs %s|%s|%s|%.17g|%d|%s|%s|%d\n", o->indicator_code, o->unit_code,
             o->period_code, o->value, o->state, o->note, o->entered_by, o->revision);
    return 0;
}

static int dump_values(const model_observation *o, void *ctx)
{
    dump_add(ctx, "%s|%s|%s|%.17g\n", o->indicator_code, o->unit_code, o->period_code, o->value);
    return 0;
}

static char *dump_all(store *s)
{
    dump d = { NULL, 0, 0 };
    obs_filter f = store_filter_all();
    dump_catalogue(s, &d);
    assert_int_equal(store_observations_each(s, &f, dump_obs, &d), 0);
    return d.buf;
}

static char *dump_obs_values(store *s)
{
    dump d = { NULL, 0, 0 };
    obs_filter f = store_filter_all();
    assert_int_equal(store_observations_each(s, &f, dump_values, &d), 0);
    return d.buf;
}

/* ---- the observations of one database as a cube (indicator, unit, month) ---- */

typedef struct cube {
    model_unit units[MAXU];
    model_indicator inds[MAXI];
    model_period periods[MAXP];
    size_t nu, ni, np;
    int present[MAXI][MAXU][MAXP];
    int state[MAXI][MAXU][MAXP];
    double value[MAXI][MAXU][MAXP];
} cube;

static size_t find_code(const char *code, const void *base, size_t n, size_t stride, size_t off)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp((const char *)base + i * stride + off, code) == 0)
            return i;
    }
    fail_msg("unknown code %s", code);
    return 0;
}

static int fill_cube(const model_observation *o, void *ctx)
{
    cube *c = ctx;
    size_t i = find_code(o->indicator_code, c->inds, c->ni, sizeof c->inds[0],
                         offsetof(model_indicator, code));
    size_t u = find_code(o->unit_code, c->units, c->nu, sizeof c->units[0], offsetof(model_unit, code));
    size_t p = find_code(o->period_code, c->periods, c->np, sizeof c->periods[0],
                         offsetof(model_period, code));
    assert_false(c->present[i][u][p]);
    c->present[i][u][p] = 1;
    c->state[i][u][p] = o->state;
    c->value[i][u][p] = o->value;
    return 0;
}

static cube *load_cube(store *s)
{
    cube *c = calloc(1, sizeof *c);
    model_unit *units = NULL;
    model_indicator *inds = NULL;
    model_period *periods = NULL;
    size_t np_all = 0;
    obs_filter f = store_filter_all();
    assert_non_null(c);
    assert_int_equal(store_units(s, &units, &c->nu), 0);
    assert_int_equal(store_indicators(s, &inds, &c->ni), 0);
    assert_int_equal(store_periods(s, &periods, &np_all), 0);
    assert_true(c->nu <= MAXU && c->ni <= MAXI && np_all <= MAXP);
    memcpy(c->units, units, c->nu * sizeof *units);
    memcpy(c->inds, inds, c->ni * sizeof *inds);
    /* observations are monthly; the race's quarters are periods too, but not of this cube */
    for (size_t p = 0; p < np_all; p++) {
        if (periods[p].key.kind == PERIOD_MONTH)
            c->periods[c->np++] = periods[p];
    }
    free(units);
    free(inds);
    free(periods);
    assert_int_equal(store_observations_each(s, &f, fill_cube, c), 0);
    return c;
}

static int is_additive(const model_indicator *ind)
{
    return strcmp(ind->measure, "亿元") == 0 || strcmp(ind->measure, "万平方米") == 0;
}

/* ---- shared fixtures: two builds with the same options, one with another seed ---- */

typedef struct fixture {
    demo_db a, b, other;
    demo_opts opts;
    cube *cube;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->opts = opts_of(AS_OF_YEAR, AS_OF_MONTH, DEMO_SEED_DEFAULT);
    db_build(&fx->a, &fx->opts);
    db_build(&fx->b, &fx->opts);
    demo_opts other = opts_of(AS_OF_YEAR, AS_OF_MONTH, DEMO_SEED_DEFAULT + 1);
    db_build(&fx->other, &other);
    fx->cube = load_cube(fx->a.s);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    db_close(&fx->a);
    db_close(&fx->b);
    db_close(&fx->other);
    free(fx->cube);
    free(fx);
    return 0;
}

static void test_same_options_same_data(void **state)
{
    fixture *fx = *state;
    char *a = dump_all(fx->a.s), *b = dump_all(fx->b.s);
    assert_true(strlen(a) > 100000);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static void test_other_seed_other_values(void **state)
{
    fixture *fx = *state;
    char *a = dump_obs_values(fx->a.s), *o = dump_obs_values(fx->other.s);
    size_t lines = 0, differ = 0;
    const char *p = a, *q = o;
    assert_string_not_equal(a, o);
    /* Not one value here and there: most lines differ. */
    while (*p && *q) {
        const char *pe = strchr(p, '\n'), *qe = strchr(q, '\n');
        assert_non_null(pe);
        assert_non_null(qe);
        lines++;
        differ += (pe - p != qe - q) || memcmp(p, q, (size_t)(pe - p)) != 0;
        p = pe + 1;
        q = qe + 1;
    }
    assert_true(lines > 1000);
    assert_true(differ > lines / 2);
    free(a);
    free(o);
}

static void test_units_and_indicators(void **state)
{
    fixture *fx = *state;
    const cube *c = fx->cube;
    size_t kinds[UNIT_KIND_N] = { 0 }, selves = 0;
    double weights = 0;
    for (size_t u = 0; u < c->nu; u++) {
        kinds[c->units[u].kind]++;
        if (c->units[u].is_self) {
            selves++;
            assert_int_equal(c->units[u].kind, UNIT_REGION);
        }
    }
    assert_int_equal(kinds[UNIT_REGION], DEMO_REGIONS);
    assert_int_equal(kinds[UNIT_REFERENCE], 1);
    assert_int_equal(kinds[UNIT_TOWN], DEMO_TOWNS);
    assert_int_equal(kinds[UNIT_DEPARTMENT] + kinds[UNIT_SOE], 14);
    assert_true(kinds[UNIT_SOE] >= 1);
    assert_int_equal(selves, 1);
    assert_int_equal(c->ni, DEMO_INDICATORS);
    for (size_t i = 0; i < c->ni; i++) {
        const model_indicator *ind = &c->inds[i];
        weights += ind->weight;
        assert_true(ind->name[0] && ind->name_en[0] && ind->measure[0] && ind->definition[0] &&
                    ind->source[0] && ind->lead_unit[0] && ind->coop_units[0] && ind->leader[0]);
        assert_int_equal(ind->direction, DIR_HIGHER);
        assert_int_equal(ind->category, CAT_ECONOMIC);
        assert_int_equal(ind->value_kind, strcmp(ind->measure, "%") == 0 ? VK_RATIO : VK_YTD);
    }
    assert_true(fabs(weights - 100.0) < 1e-9);
}

static size_t member_count(store *s, const char *code, int want_kind, const char *parent)
{
    model_unit *m = NULL;
    size_t n = 0;
    assert_int_equal(store_group_members(s, code, &m, &n), 0);
    for (size_t i = 0; i < n; i++) {
        if (want_kind >= 0)
            assert_int_equal(m[i].kind, want_kind);
        if (parent)
            assert_string_equal(m[i].parent_code, parent);
    }
    free(m);
    return n;
}

static void test_groups_and_schemes(void **state)
{
    fixture *fx = *state;
    store *s = fx->a.s;
    model_group *groups = NULL;
    model_scheme *schemes = NULL;
    model_scheme_item *items = NULL;
    size_t ng = 0, ns = 0, ni = 0, peers = 0, race[3], nrace = 0;
    const char *self = NULL;
    for (size_t u = 0; u < fx->cube->nu; u++) {
        if (fx->cube->units[u].is_self)
            self = fx->cube->units[u].code;
    }
    assert_non_null(self);
    assert_int_equal(store_groups(s, &groups, &ng), 0);
    for (size_t i = 0; i < ng; i++) {
        if (groups[i].kind == GROUP_PEERS) {
            peers++;
            assert_int_equal(member_count(s, groups[i].code, UNIT_REGION, NULL), DEMO_REGIONS);
        } else if (groups[i].kind == GROUP_RACE) {
            assert_true(nrace < 3);
            race[nrace++] = member_count(s, groups[i].code, -1, self);
        }
    }
    assert_int_equal(peers, 1);
    assert_int_equal(nrace, 3);
    assert_int_equal(race[0], 7);
    assert_int_equal(race[1], 7);
    assert_int_equal(race[2], DEMO_TOWNS);
    free(groups);
    assert_int_equal(store_schemes(s, &schemes, &ns), 0);
    assert_int_equal(ns, 2);
    for (size_t i = 0; i < ns; i++) {
        double total = 0;
        assert_int_equal(store_scheme_items(s, schemes[i].code, &items, &ni), 0);
        assert_true(ni == DEMO_INDICATORS || (ni >= 4 && ni <= 5));
        for (size_t j = 0; j < ni; j++)
            total += items[j].weight;
        assert_true(fabs(total - 100.0) < 1e-9);
        assert_true(fabs(schemes[i].total_weight - 100.0) < 1e-9);
        free(items);
    }
    free(schemes);
}

static void test_periods_and_states(void **state)
{
    fixture *fx = *state;
    const cube *c = fx->cube;
    size_t last = c->np - 1, regions_missing = 0, towns_missing = 0, submitted = 0;
    int self_present = 0;
    assert_int_equal(c->np, 24 + AS_OF_MONTH);
    for (size_t p = 0; p < c->np; p++)
        assert_int_equal(c->periods[p].key.kind, PERIOD_MONTH);
    assert_int_equal(c->periods[0].key.year, AS_OF_YEAR - 2);
    assert_int_equal(c->periods[0].key.seq, 1);
    assert_int_equal(c->periods[last].key.year, AS_OF_YEAR);
    assert_int_equal(c->periods[last].key.seq, AS_OF_MONTH);
    for (size_t u = 0; u < c->nu; u++) {
        int any = 0;
        for (size_t i = 0; i < c->ni; i++) {
            for (size_t p = 0; p < last; p++) {
                if (c->present[i][u][p])
                    assert_int_equal(c->state[i][u][p], OBS_PUBLISHED);
            }
            if (c->present[i][u][last]) {
                any = 1;
                /* approved (published), awaiting review, or returned (draft again) */
                assert_true(c->state[i][u][last] == OBS_PUBLISHED ||
                            c->state[i][u][last] == OBS_SUBMITTED ||
                            c->state[i][u][last] == OBS_DRAFT);
                submitted += c->state[i][u][last] == OBS_SUBMITTED;
            }
        }
        if (c->units[u].kind == UNIT_REGION && c->units[u].is_self)
            self_present = any;
        regions_missing += c->units[u].kind == UNIT_REGION && !any;
        towns_missing += c->units[u].kind == UNIT_TOWN && !any;
    }
    assert_true(regions_missing >= 1 && regions_missing < DEMO_REGIONS / 2);
    assert_true(towns_missing >= 1 && towns_missing < DEMO_TOWNS / 2);
    assert_true(submitted > 0);
    assert_true(self_present);
}

/* Every region and the city have every indicator for every full month; towns 4-5 indicators. */
static void test_complete_series(void **state)
{
    const cube *c = ((fixture *)*state)->cube;
    for (size_t u = 0; u < c->nu; u++) {
        int kind = c->units[u].kind;
        size_t with_data = 0;
        for (size_t i = 0; i < c->ni; i++) {
            size_t months = 0;
            for (size_t p = 0; p + 1 < c->np; p++)
                months += (size_t)c->present[i][u][p];
            if (kind == UNIT_REGION || kind == UNIT_REFERENCE)
                assert_int_equal(months, c->np - 1);
            else if (kind == UNIT_TOWN)
                assert_true(months == 0 || months == c->np - 1);
            else
                assert_int_equal(months, 0);
            with_data += months > 0;
        }
        if (kind == UNIT_TOWN)
            assert_true(with_data >= 4 && with_data <= 5);
    }
}

static void test_ytd_non_decreasing(void **state)
{
    const cube *c = ((fixture *)*state)->cube;
    size_t checked = 0;
    for (size_t i = 0; i < c->ni; i++) {
        if (c->inds[i].value_kind != VK_YTD)
            continue;
        for (size_t u = 0; u < c->nu; u++) {
            for (size_t p = 1; p < c->np; p++) {
                if (!c->present[i][u][p] || !c->present[i][u][p - 1] ||
                    c->periods[p].key.year != c->periods[p - 1].key.year)
                    continue;
                if (c->value[i][u][p] < c->value[i][u][p - 1])
                    fail_msg("%s %s %s: %g < %g", c->inds[i].code, c->units[u].code,
                             c->periods[p].code, c->value[i][u][p], c->value[i][u][p - 1]);
                checked++;
            }
        }
    }
    assert_true(checked > 5000);
}

static void test_targets(void **state)
{
    fixture *fx = *state;
    const cube *c = fx->cube;
    for (int year = AS_OF_YEAR - 2; year <= AS_OF_YEAR; year++) {
        model_target *t = NULL;
        size_t n = 0, ok = 0;
        assert_int_equal(store_targets(fx->a.s, year, &t, &n), 0);
        for (size_t u = 0; u < c->nu; u++) {
            if (c->units[u].kind != UNIT_REGION)
                continue;
            for (size_t i = 0; i < c->ni; i++) {
                for (size_t k = 0; k < n; k++) {
                    if (strcmp(t[k].unit_code, c->units[u].code) == 0 &&
                        strcmp(t[k].indicator_code, c->inds[i].code) == 0) {
                        assert_true(t[k].value > 0);
                        ok++;
                        break;
                    }
                }
            }
        }
        assert_int_equal(ok, DEMO_REGIONS * DEMO_INDICATORS);
        free(t);
    }
}

/* The last December value of unit u on indicator i (the last full year's annual value). */
static double last_annual(const cube *c, size_t i, size_t u)
{
    for (size_t p = c->np; p-- > 0;) {
        if (c->periods[p].key.seq == 12)
            return c->value[i][u][p];
    }
    return NAN;
}

/* Plausible magnitudes of a district's or county's annual value, and positive months. */
static void test_plausible_ranges(void **state)
{
    static const struct { const char *measure; int kind; double lo, hi; } ranges[] = {
        { "亿元", VK_YTD, 0.5, 4000 }, { "万平方米", VK_YTD, 5, 500 },
        { "元", VK_YTD, 12000, 90000 }, { "%", VK_RATIO, 30, 85 },
    };
    const cube *c = ((fixture *)*state)->cube;
    for (size_t i = 0; i < c->ni; i++) {
        double lo = -1, hi = -1;
        for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
            if (strcmp(ranges[r].measure, c->inds[i].measure) == 0) {
                assert_int_equal(c->inds[i].value_kind, ranges[r].kind);
                lo = ranges[r].lo;
                hi = ranges[r].hi;
            }
        }
        assert_true(lo > 0);
        for (size_t u = 0; u < c->nu; u++) {
            double annual;
            if (c->units[u].kind != UNIT_REGION)
                continue;
            annual = last_annual(c, i, u);
            if (annual < lo || annual > hi)
                fail_msg("%s %s: annual %g outside [%g, %g]", c->inds[i].code, c->units[u].code,
                         annual, lo, hi);
            for (size_t p = 0; p < c->np; p++) {
                if (c->present[i][u][p])
                    assert_true(c->value[i][u][p] > 0 && c->value[i][u][p] <= hi * 1.2);
            }
        }
        if (strcmp(c->inds[i].code, "gdp") == 0) {
            for (size_t u = 0; u < c->nu; u++) {
                if (c->units[u].kind == UNIT_REGION) {
                    double gdp = last_annual(c, i, u);
                    assert_true(gdp >= 150 && gdp <= 1000);
                }
            }
        }
    }
}

/* Some regions grow, some shrink year over year in the as_of month (warnings will exist). */
static void test_growth_mix(void **state)
{
    const cube *c = ((fixture *)*state)->cube;
    size_t last = c->np - 1, up = 0, down = 0;
    for (size_t i = 0; i < c->ni; i++) {
        for (size_t u = 0; u < c->nu; u++) {
            if (c->units[u].kind != UNIT_REGION || !c->present[i][u][last])
                continue;
            assert_true(c->present[i][u][last - 12]);
            if (c->value[i][u][last] > c->value[i][u][last - 12])
                up++;
            else
                down++;
        }
    }
    assert_true(up > down);
    assert_true(down >= 3);
}

/* Investment is back-loaded: January's cumulative well below a twelfth of the year, and
 * December's own month above it. */
static void test_seasonality(void **state)
{
    const cube *c = ((fixture *)*state)->cube;
    size_t fai = find_code("fai", c->inds, c->ni, sizeof c->inds[0], offsetof(model_indicator, code));
    for (size_t u = 0; u < c->nu; u++) {
        if (c->units[u].kind != UNIT_REGION)
            continue;
        for (size_t p = 0; p + 12 <= 24; p += 12) {
            double jan = c->value[fai][u][p], nov = c->value[fai][u][p + 10];
            double dec = c->value[fai][u][p + 11];
            assert_int_equal(c->periods[p].key.seq, 1);
            assert_true(jan < dec / 24);
            assert_true(dec - nov > dec / 12);
        }
    }
}

/* The city: the sum of its districts for additive indicators, between them for the others. */
static void test_city_is_aggregate(void **state)
{
    const cube *c = ((fixture *)*state)->cube;
    size_t city = c->nu, checked = 0;
    for (size_t u = 0; u < c->nu; u++) {
        if (c->units[u].kind == UNIT_REFERENCE)
            city = u;
    }
    assert_true(city < c->nu);
    for (size_t i = 0; i < c->ni; i++) {
        double tol = pow(10.0, -c->inds[i].precision) * 1.0001;
        for (size_t p = 0; p < c->np; p++) {
            double sum = 0, lo = INFINITY, hi = -INFINITY;
            size_t n = 0;
            if (!c->present[i][city][p])
                continue;
            for (size_t u = 0; u < c->nu; u++) {
                if (c->units[u].kind != UNIT_REGION || !c->present[i][u][p])
                    continue;
                sum += c->value[i][u][p];
                lo = fmin(lo, c->value[i][u][p]);
                hi = fmax(hi, c->value[i][u][p]);
                n++;
            }
            assert_int_equal(n, DEMO_REGIONS);
            if (is_additive(&c->inds[i]))
                assert_true(fabs(c->value[i][city][p] - sum) <= tol);
            else
                assert_true(c->value[i][city][p] >= lo - tol && c->value[i][city][p] <= hi + tol);
            checked++;
        }
    }
    assert_true(checked >= (size_t)DEMO_INDICATORS * 24);
}

/* A January as-of: 25 months, and the as_of month still has a missing region. */
static void test_january_as_of(void **state)
{
    demo_db db = { "", "", NULL };
    demo_opts o = opts_of(2024, 1, 7);
    model_period *periods = NULL;
    size_t n = 0;
    (void)state;
    db_build(&db, &o);
    size_t months = 0, quarters = 0, last_month = 0;
    assert_int_equal(store_periods(db.s, &periods, &n), 0);
    for (size_t p = 0; p < n; p++) {
        if (periods[p].key.kind == PERIOD_MONTH) {
            months++;
            last_month = p;
        }
        quarters += periods[p].key.kind == PERIOD_QUARTER;
    }
    assert_int_equal(months, 25);
    assert_int_equal(quarters, 4); /* the race covers 2023's four quarters, none of 2024 yet */
    assert_int_equal(periods[last_month].key.year, 2024);
    assert_int_equal(periods[last_month].key.seq, 1);
    free(periods);
    db_close(&db);
}

/* Bad options are refused; an error while writing leaves nothing behind. */
static void test_refusals_and_rollback(void **state)
{
    demo_db db = { "", "", NULL };
    demo_opts o = opts_of(2025, 10, 1);
    model_unit *units = NULL;
    int64_t nobs = -1;
    size_t nu = 99;
    (void)state;
    db_open(&db);
    o.as_of.kind = PERIOD_QUARTER;
    o.as_of.seq = 3;
    assert_int_equal(demo_build(db.s, &o), ERR_DATA);
    o = opts_of(2025, 13, 1);
    assert_int_equal(demo_build(db.s, &o), ERR_DATA);
    o = opts_of(PERIOD_YEAR_MIN, 5, 1);
    assert_int_equal(demo_build(db.s, &o), ERR_DATA);
    /* A locked as_of month makes the writes fail half way: all is rolled back. */
    o = opts_of(2025, 10, 1);
    assert_int_equal(store_period_set_locked(db.s, &o.as_of, 1), 0);
    assert_int_equal(demo_build(db.s, &o), ERR_LOCKED);
    assert_int_equal(store_units(db.s, &units, &nu), 0);
    assert_int_equal(nu, 0);
    free(units);
    assert_int_equal(store_observation_count(db.s, &nobs), 0);
    assert_int_equal(nobs, 0);
    db_close(&db);
}

/* ---- `saima demo` and `saima report` end to end (SAIMA_BIN names the binary) ---- */


/* The value of an observation read through the store, or NAN when there is none. */
static double stored_value(store *s, const char *ind, const char *unit_code, const char *per)
{
    model_observation *h = NULL;
    size_t n = 0;
    double v = NAN;
    assert_int_equal(store_observation_history(s, ind, unit_code, per, &h, &n), 0);
    if (n > 0)
        v = h[n - 1].value;
    free(h);
    return v;
}

static size_t regions_with_data(const cube *c, size_t p)
{
    size_t n = 0;
    for (size_t u = 0; u < c->nu; u++) {
        int any = 0;
        for (size_t i = 0; i < c->ni; i++)
            any |= c->present[i][u][p];
        n += c->units[u].kind == UNIT_REGION && any;
    }
    return n;
}

static void check_report_json(store *s, const cube *c, const char *json, const char *per,
                              const char *last_per, size_t p)
{
    json_error_t jerr;
    json_t *root = json_loads(json, 0, &jerr), *rows;
    const char *self;
    if (!root)
        fail_msg("report JSON: %s", jerr.text);
    self = json_string_value(json_object_get(json_object_get(root, "unit"), "code"));
    assert_non_null(self);
    assert_string_equal(json_string_value(json_object_get(root, "period")), per);
    assert_int_equal(json_integer_value(json_object_get(root, "regions")), DEMO_REGIONS);
    assert_int_equal(json_integer_value(json_object_get(root, "regions_reported")),
                     regions_with_data(c, p));
    rows = json_object_get(root, "indicators");
    assert_int_equal(json_array_size(rows), DEMO_INDICATORS);
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i);
        const char *code = json_string_value(json_object_get(row, "code"));
        double v = stored_value(s, code, self, per), last = stored_value(s, code, self, last_per);
        double yoy = json_real_value(json_object_get(row, "yoy"));
        const char *how = json_string_value(json_object_get(row, "yoy_unit"));
        assert_true(fabs(json_real_value(json_object_get(row, "value")) - v) < 1e-9);
        assert_true(fabs(json_real_value(json_object_get(row, "last_year")) - last) < 1e-9);
        if (strcmp(how, "points") == 0)
            assert_true(fabs(yoy - (v - last)) < 1e-9);
        else
            assert_true(fabs(yoy - (v - last) / last * 100) < 1e-9);
        assert_true(json_real_value(json_object_get(row, "completion")) > 0);
        assert_false(json_is_null(json_object_get(row, "target")));
    }
    json_decref(root);
}

static void test_cli_demo_and_report(void **state)
{
    static char out[1 << 16];
    demo_db db = { "", "", NULL };
    cube *c;
    (void)state;
    if (access(test_saima_bin(), X_OK) != 0)
        skip();
    db_open(&db);
    store_close(db.s);
    assert_int_equal(test_run_saima(db.path, "--json demo --as-of 2025-10 --seed 11", out, sizeof out),
                     0);
    assert_non_null(strstr(out, "\"observations\""));
    assert_int_equal(test_run_saima(db.path, "demo --as-of 2025-10", out, sizeof out), 2);
    assert_int_equal(test_run_saima(db.path, "report --period 2025-Q3", out, sizeof out), 1);
    assert_int_equal(store_open(db.path, &db.s), 0);
    c = load_cube(db.s);
    assert_int_equal(test_run_saima(db.path, "--json report", out, sizeof out), 0);
    check_report_json(db.s, c, out, "2025-10", "2024-10", c->np - 1);
    assert_int_equal(test_run_saima(db.path, "--json report --period 2025-09", out, sizeof out), 0);
    check_report_json(db.s, c, out, "2025-09", "2024-09", c->np - 2);
    assert_int_equal(test_run_saima(db.path, "report", out, sizeof out), 0);
    assert_non_null(strstr(out, "2025年1-10月"));
    assert_non_null(strstr(out, "目标完成率"));
    assert_int_equal(test_run_saima(db.path, "--lang en report --period 2024-12", out, sizeof out), 0);
    assert_non_null(strstr(out, "Jan-Dec 2024"));
    assert_non_null(strstr(out, "12/12"));
    free(c);
    db_close(&db);
}

int main(void)
{
    const struct CMUnitTest built[] = {
        cmocka_unit_test(test_same_options_same_data),
        cmocka_unit_test(test_other_seed_other_values),
        cmocka_unit_test(test_units_and_indicators),
        cmocka_unit_test(test_groups_and_schemes),
        cmocka_unit_test(test_periods_and_states),
        cmocka_unit_test(test_complete_series),
        cmocka_unit_test(test_ytd_non_decreasing),
        cmocka_unit_test(test_targets),
        cmocka_unit_test(test_plausible_ranges),
        cmocka_unit_test(test_growth_mix),
        cmocka_unit_test(test_seasonality),
        cmocka_unit_test(test_city_is_aggregate),
    };
    const struct CMUnitTest alone[] = {
        cmocka_unit_test(test_january_as_of),
        cmocka_unit_test(test_refusals_and_rollback),
        cmocka_unit_test(test_cli_demo_and_report),
    };
    int failed = cmocka_run_group_tests_name("demo city", built, setup, teardown);
    return failed + cmocka_run_group_tests_name("demo options", alone, NULL, NULL);
}
