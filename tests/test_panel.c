/* test_panel: the reads behind every analysis. The id map against a linear scan; the panel
 * of just the months an analysis reads (and the batch of many indicators read together) giving
 * exactly the standings of the panel of every month, the slow reference, on random groups
 * with gaps, unpublished figures, a reference unit and missing targets, and on the demo city;
 * and the store's reads using the observations' key (EXPLAIN QUERY PLAN). */
#include "support.h"
#include "app/app.h"
#include "io/demo.h"
#include "store/store_sqlite.h"
#include "util/err.h"
#include "util/idmap.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

/* ---- idmap ---- */

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static long linear_find(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (ids[i] == id)
            return (long)i;
    }
    return -1;
}

static void test_idmap_matches_a_scan(void **state)
{
    (void)state;
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(rng() % 300);
        int64_t ids[300];
        idmap m;
        for (size_t i = 0; i < n; i++)
            ids[i] = (int64_t)(rng() % 400) - 50; /* duplicates, negatives and zero */
        assert_int_equal(idmap_build(&m, ids, n), 0);
        for (int64_t id = -60; id < 360; id++)
            assert_int_equal(idmap_find(&m, id), linear_find(ids, n, id));
        idmap_free(&m);
    }
}

static void test_idmap_empty(void **state)
{
    idmap m;
    (void)state;
    memset(&m, 0, sizeof m);
    assert_int_equal(idmap_find(&m, 7), -1);
    assert_int_equal(idmap_build(&m, NULL, 0), 0);
    assert_int_equal(idmap_find(&m, 0), -1);
    idmap_free(&m);
    idmap_free(&m);
}

/* ---- reduced panels against the panel of every month ---- */

/* Two analyses give the same standings, bit for bit (NaN where the other has NaN). */
static void assert_same_standings(const app_analysis *a, const app_analysis *b, const char *what)
{
    assert_int_equal(a->sp.nunits, b->sp.nunits);
    assert_int_equal(a->t, b->t);
    for (size_t u = 0; u < a->sp.nunits; u++) {
        if (memcmp(&a->st[u], &b->st[u], sizeof a->st[u]) != 0)
            fail_msg("%s: unit %s differs (rank %d vs %d, forecast %g vs %g)", what, a->sp.units[u].code,
                     a->st[u].rank.rank, b->st[u].rank.rank, a->st[u].forecast, b->st[u].forecast);
        assert_int_equal(a->sp.target_present[u], b->sp.target_present[u]);
    }
}

/* Every indicator of the group at month: app_analyze and app_analyze_many against the
 * history panel. Returns how many analyses were compared. */
static int compare_at(store *s, const char *group, const period_key *month, int published_only)
{
    app_ctx q = { .s = s, .published_only = published_only };
    model_indicator *inds;
    app_analysis *many;
    app_members m;
    app_scope sc;
    size_t n;
    char what[128];
    assert_int_equal(app_scope_at(&q, group, month, &sc), 0);
    assert_int_equal(app_scope_indicators(&sc, &inds, &n), 0);
    assert_int_equal(app_scope_share_members(&sc, &m), 0);
    many = calloc(n + 1, sizeof *many);
    assert_non_null(many);
    assert_int_equal(app_analyze_many(&sc, inds, n, many), 0);
    for (size_t i = 0; i < n; i++) {
        app_analysis one, full;
        snprintf(what, sizeof what, "%s %s %04d-%02d%s", group, inds[i].code, month->year, month->seq,
                 published_only ? " published" : "");
        assert_int_equal(app_analyze(&sc, inds[i].code, &one), 0);
        assert_int_equal(app_analyze_history(&sc, inds[i].code, &full), 0);
        assert_same_standings(&one, &full, what);
        assert_same_standings(&many[i], &full, what);
        app_analysis_free(&one);
        app_analysis_free(&full);
        app_analysis_free(&many[i]);
    }
    free(many);
    free(inds);
    app_members_free(&m);
    return (int)n;
}

static void must_import(store *s, int kind, const char *text)
{
    io_import_opts o = test_import_opts("2026-12-01");
    io_report rep;
    if (io_import_buffer(s, kind, "random.csv", text, strlen(text), &o, &rep) != 0)
        fail_msg("import %d: %s", kind, err_msg());
}

/* Appends printf-style text to a growing buffer. */
static void add(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    int n;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        assert_true(n >= 0);
        if ((size_t)n < *cap - *len)
            break;
        *cap = *cap * 2 + (size_t)n;
        *buf = realloc(*buf, *cap);
        assert_non_null(*buf);
    }
    *len += (size_t)n;
}

/* A random group: units under a reference parent (sometimes), indicators of every kind and
 * direction, 2024-01..2026-11 with gaps, some values unpublished, some targets missing. */
static void build_random(store *s, int round)
{
    size_t cap = 1 << 16, len = 0;
    char *csv = malloc(cap);
    int nunits = 2 + (int)(rng() % 12), ninds = 1 + (int)(rng() % 5), with_ref = (int)(rng() % 2);
    static const char *const kinds[] = { "level", "ytd", "growth", "ratio" };
    assert_non_null(csv);
    add(&csv, &len, &cap, "code,name,kind,parent\n%s", with_ref ? "REF,参照,reference,\n" : "");
    for (int u = 0; u < nunits; u++)
        add(&csv, &len, &cap, "U%d,单位%d,region,%s\n", u, u, with_ref ? "REF" : "");
    must_import(s, IO_UNITS, csv);
    len = 0;
    add(&csv, &len, &cap, "code,name,kind,members\ng%d,组,peers,", round);
    for (int u = 0; u < nunits; u++)
        add(&csv, &len, &cap, "%sU%d", u ? ";" : "", u);
    add(&csv, &len, &cap, "\n");
    must_import(s, IO_GROUPS, csv);
    len = 0;
    add(&csv, &len, &cap, "code,name,direction,value_kind,precision\n");
    for (int i = 0; i < ninds; i++)
        add(&csv, &len, &cap, "I%d_%d,指标%d,%s,%s,%d\n", round, i, i, rng() % 2 ? "higher" : "lower",
            kinds[rng() % 4], (int)(rng() % 3));
    must_import(s, IO_INDICATORS, csv);
    len = 0;
    add(&csv, &len, &cap, "indicator,unit,year,value\n");
    for (int i = 0; i < ninds; i++) {
        for (int u = 0; u < nunits; u++) {
            for (int y = 2024; y <= 2026; y++) {
                if (rng() % 4)
                    add(&csv, &len, &cap, "I%d_%d,U%d,%d,%d\n", round, i, u, y, 50 + (int)(rng() % 200));
            }
        }
    }
    must_import(s, IO_TARGETS, csv);
    len = 0;
    add(&csv, &len, &cap, "indicator,unit,period,value,state\n");
    for (int i = 0; i < ninds; i++) {
        for (int u = -1; u < nunits; u++) {
            if (u < 0 && !with_ref)
                continue;
            for (int t = 0; t < 35; t++) {
                if (rng() % 6 == 0)
                    continue; /* a gap */
                add(&csv, &len, &cap, "I%d_%d,%s%d,%d-%02d,%d.%d,%s\n", round, i, u < 0 ? "REF" : "U",
                    u < 0 ? 0 : u, 2024 + t / 12, t % 12 + 1, (int)(rng() % 40) * (t % 12 + 1),
                    (int)(rng() % 10), rng() % 5 ? "published" : "submitted");
            }
        }
    }
    /* the reference's code is REF, not REF0 */
    for (char *p = strstr(csv, ",REF0,"); p; p = strstr(p, ",REF0,"))
        memmove(p + 4, p + 5, strlen(p + 5) + 1);
    must_import(s, IO_OBSERVATIONS, csv);
    free(csv);
}

static void test_reduced_panels_match_history_on_random_groups(void **state)
{
    int compared = 0;
    (void)state;
    for (int round = 0; round < 12; round++) {
        test_db db;
        char group[16];
        assert_int_equal(test_db_open(&db), 0);
        build_random(db.s, round);
        snprintf(group, sizeof group, "g%d", round);
        for (int t = 12; t < 35; t += 1 + (int)(rng() % 3)) {
            period_key month = { PERIOD_MONTH, 2024 + t / 12, t % 12 + 1 };
            compared += compare_at(db.s, group, &month, 0);
            compared += compare_at(db.s, group, &month, 1);
        }
        test_db_close(&db);
    }
    assert_true(compared > 100);
}

static void test_reduced_panels_match_history_on_the_demo(void **state)
{
    demo_opts d = { .as_of = { PERIOD_MONTH, 2026, 10 }, .seed = DEMO_SEED_DEFAULT, .entry = app_demo_entry };
    test_db db;
    char group[MODEL_CODE_MAX];
    (void)state;
    assert_int_equal(test_db_open(&db), 0);
    assert_int_equal(demo_build(db.s, &d), 0);
    assert_int_equal(app_peer_group(db.s, group), 0);
    for (int m = 1; m <= 10; m++) {
        period_key month = { PERIOD_MONTH, 2026, m };
        assert_true(compare_at(db.s, group, &month, m % 2) > 10);
    }
    test_db_close(&db);
}

/* ---- the access paths ---- */

/* The plan of sql (bound parameters unknown) as one line of its details. */
static void plan_of(sqlite3 *db, const char *sql, char *out, size_t size)
{
    sqlite3_stmt *st;
    char q[1024];
    size_t n = 0;
    snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", sql);
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW && n < size)
        n += (size_t)snprintf(out + n, size - n, "%s | ", (const char *)sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
}

static void test_reads_seek_the_observations_key(void **state)
{
    demo_opts d = { .as_of = { PERIOD_MONTH, 2026, 10 }, .seed = DEMO_SEED_DEFAULT };
    test_db db;
    sqlite3 *raw;
    char plan[1024];
    (void)state;
    assert_int_equal(test_db_open(&db), 0);
    assert_int_equal(demo_build(db.s, &d), 0);
    assert_int_equal(sqlite3_open_v2(db.path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    for (const char *const *sql = store_sqlite_keyed_reads; *sql; sql++) {
        plan_of(raw, *sql, plan, sizeof plan);
        if (!strstr(plan, "USING PRIMARY KEY (indicator_id=? AND period_id=?)") || strstr(plan, "SCAN o"))
            fail_msg("%s\nhas the plan %s", *sql, plan);
    }
    for (const char *const *sql = store_sqlite_year_reads; *sql; sql++) {
        plan_of(raw, *sql, plan, sizeof plan);
        if (!strstr(plan, "USING COVERING INDEX targets_by_year (year=?"))
            fail_msg("%s\nhas the plan %s", *sql, plan);
    }
    sqlite3_close(raw);
    test_db_close(&db);
}

/* The latest month with a published figure, found by keyed reads, is the one a scan finds. */
static void test_latest_published_month(void **state)
{
    demo_opts d = { .as_of = { PERIOD_MONTH, 2026, 10 }, .seed = DEMO_SEED_DEFAULT, .entry = app_demo_entry };
    app_ctx pub = { 0 }, all = { 0 };
    app_scope a, b;
    test_db db;
    int has;
    (void)state;
    assert_int_equal(test_db_open(&db), 0);
    assert_int_equal(demo_build(db.s, &d), 0);
    pub.s = all.s = db.s;
    pub.published_only = 1;
    assert_int_equal(app_scope_open(&all, NULL, NULL, &a), 0);
    assert_int_equal(app_scope_open(&pub, NULL, NULL, &b), 0);
    assert_string_equal(a.month_code, "2026-10");
    /* the demo publishes October for most units: October is the latest published month */
    assert_int_equal(store_month_has_values(db.s, &b.month, 1, &has), 0);
    assert_int_equal(has, 1);
    {
        period_key nov = { PERIOD_MONTH, 2026, 11 };
        assert_int_equal(store_month_has_values(db.s, &nov, 0, &has), 0);
        assert_int_equal(has, 0);
    }
    test_db_close(&db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idmap_matches_a_scan),
        cmocka_unit_test(test_idmap_empty),
        cmocka_unit_test(test_reduced_panels_match_history_on_random_groups),
        cmocka_unit_test(test_reduced_panels_match_history_on_the_demo),
        cmocka_unit_test(test_reads_seek_the_observations_key),
        cmocka_unit_test(test_latest_published_month),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
