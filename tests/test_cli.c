/* test_cli: the `saima` binary as a user runs it — documented exit codes (0 ok, 1 usage,
 * 2 bad data, 3 internal), help, and the shape of --json output. SAIMA_BIN names the binary. */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

typedef struct fixture {
    char dir[64];
    char db[96];
} fixture;

static const char *bin(void)
{
    const char *b = getenv("SAIMA_BIN");
    return b ? b : "build/asan/saima";
}

/* Runs `saima --db DB ARGS`, capturing stdout into out (may be NULL); returns the exit code. */
static int run(const fixture *f, char *out, size_t size, const char *args)
{
    char cmd[1024];
    FILE *p;
    size_t n = 0;
    int status;
    snprintf(cmd, sizeof cmd, "%s --db %s %s 2>%s/stderr", bin(), f->db, args, f->dir);
    if (!(p = popen(cmd, "r")))
        fail_msg("cannot run %s", cmd);
    if (out) {
        n = fread(out, 1, size - 1, p);
        out[n] = '\0';
    } else {
        char sink[4096];
        while (fread(sink, 1, sizeof sink, p) > 0)
            ;
    }
    status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void read_stderr(const fixture *f, char *buf, size_t size)
{
    char path[128];
    FILE *fp;
    size_t n;
    snprintf(path, sizeof path, "%s/stderr", f->dir);
    fp = fopen(path, "r");
    assert_non_null(fp);
    n = fread(buf, 1, size - 1, fp);
    buf[n] = '\0';
    fclose(fp);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/saima-cli-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static json_t *parse_json(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fail_msg("not JSON (%s): %.200s", e.text, text);
    return j;
}

static void test_usage_exit_codes(void **state)
{
    fixture *f = *state;
    char err[4096];
    assert_int_equal(run(f, NULL, 0, ""), 1);
    assert_int_equal(run(f, NULL, 0, "no-such-command"), 1);
    assert_int_equal(run(f, NULL, 0, "list"), 1);
    read_stderr(f, err, sizeof err);
    assert_non_null(strstr(err, "missing argument"));
    assert_int_equal(run(f, NULL, 0, "list units --bogus"), 1);
    read_stderr(f, err, sizeof err);
    assert_non_null(strstr(err, "--bogus"));
    assert_int_equal(run(f, NULL, 0, "list units --limit"), 1);
    assert_int_equal(run(f, NULL, 0, "list everything"), 1);
    assert_int_equal(run(f, NULL, 0, "--lang fr list units"), 1);
}

static void test_help(void **state)
{
    fixture *f = *state;
    char out[8192];
    assert_int_equal(run(f, out, sizeof out, "help"), 0);
    assert_non_null(strstr(out, "import"));
    assert_non_null(strstr(out, "demo"));
    assert_int_equal(run(f, out, sizeof out, "help list"), 0);
    assert_non_null(strstr(out, "--indicator"));
    assert_int_equal(run(f, out, sizeof out, "list --help"), 0);
    assert_non_null(strstr(out, "--year"));
    assert_int_equal(run(f, out, sizeof out, "--lang en help"), 0);
    assert_non_null(strstr(out, "exit codes"));
    assert_int_equal(run(f, NULL, 0, "help no-such-command"), 1);
}

static void test_internal_error_exit_code(void **state)
{
    fixture *f = *state;
    char cmd[256];
    int status;
    snprintf(cmd, sizeof cmd, "%s --db /nonexistent-dir/x/t.db init 2>/dev/null", bin());
    status = system(cmd);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 3);
    (void)f;
}

static void test_init_json(void **state)
{
    fixture *f = *state;
    char out[4096];
    json_t *j;
    assert_int_equal(run(f, out, sizeof out, "--json init"), 0);
    j = parse_json(out);
    assert_true(json_is_object(j));
    assert_true(json_integer_value(json_object_get(j, "schema_version")) >= 1);
    assert_string_equal(json_string_value(json_object_get(j, "db")), f->db);
    json_decref(j);
}

static void test_not_found_is_bad_data(void **state)
{
    fixture *f = *state;
    char err[4096];
    assert_int_equal(run(f, NULL, 0, "show unit R01"), 2); /* no database yet: not created */
    read_stderr(f, err, sizeof err);
    assert_non_null(strstr(err, f->db));
    assert_int_equal(access(f->db, F_OK), -1);
    assert_int_equal(run(f, NULL, 0, "init"), 0);
    assert_int_equal(run(f, NULL, 0, "show unit NOPE"), 2);
    read_stderr(f, err, sizeof err);
    assert_non_null(strstr(err, "NOPE"));
    assert_int_equal(run(f, NULL, 0, "show obs GDP R01 2025-13"), 2);
}

/* The demo database answers every list with JSON arrays of objects with the documented keys. */
static void test_demo_lists_json(void **state)
{
    fixture *f = *state;
    static char out[1 << 20];
    const char *const lists[][2] = {
        { "units", "code" },     { "groups", "kind" },   { "indicators", "direction" },
        { "schemes", "group" },  { "periods", "kind" },  { "targets", "value" },
    };
    json_t *j, *first;
    assert_int_equal(run(f, NULL, 0, "demo --as-of 2026-10"), 0);
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        char args[128];
        snprintf(args, sizeof args, "--json list %s", lists[i][0]);
        assert_int_equal(run(f, out, sizeof out, args), 0);
        j = parse_json(out);
        assert_true(json_is_array(j));
        assert_true(json_array_size(j) > 0);
        first = json_array_get(j, 0);
        if (!json_object_get(first, lists[i][1]))
            fail_msg("list %s: no key %s", lists[i][0], lists[i][1]);
        json_decref(j);
    }
    assert_int_equal(run(f, out, sizeof out, "--json list observations --limit 5"), 0);
    j = parse_json(out);
    assert_int_equal(json_array_size(j), 5);
    first = json_array_get(j, 0);
    assert_true(json_is_number(json_object_get(first, "value")));
    assert_true(json_is_string(json_object_get(first, "period")));
    assert_true(json_is_integer(json_object_get(first, "revision")));
    json_decref(j);
    /* a second demo into the same database is refused as bad data, not a crash */
    assert_int_equal(run(f, NULL, 0, "demo --as-of 2026-10"), 2);
    /* the table view of every list works too */
    assert_int_equal(run(f, out, sizeof out, "list indicators"), 0);
    assert_non_null(strstr(out, "地区生产总值"));
    assert_int_equal(run(f, out, sizeof out, "--lang en list indicators"), 0);
    assert_non_null(strstr(out, "indicator"));
    assert_int_equal(run(f, out, sizeof out, "report"), 0);
    assert_int_equal(run(f, out, sizeof out, "--json report"), 0);
    j = parse_json(out);
    assert_true(json_is_object(j) || json_is_array(j));
    json_decref(j);
}

static void test_show_group_and_history_json(void **state)
{
    fixture *f = *state;
    static char out[1 << 18];
    json_t *j, *groups;
    const char *gcode;
    char args[256];
    assert_int_equal(run(f, NULL, 0, "demo --as-of 2026-10"), 0);
    assert_int_equal(run(f, out, sizeof out, "--json list groups"), 0);
    groups = parse_json(out);
    gcode = json_string_value(json_object_get(json_array_get(groups, 0), "code"));
    snprintf(args, sizeof args, "--json show group %s", gcode);
    json_decref(groups);
    assert_int_equal(run(f, out, sizeof out, args), 0);
    j = parse_json(out);
    assert_true(json_is_array(json_object_get(j, "members")));
    assert_true(json_array_size(json_object_get(j, "members")) > 0);
    json_decref(j);
    assert_int_equal(run(f, out, sizeof out, "--json list observations --limit 1"), 0);
    j = parse_json(out);
    snprintf(args, sizeof args, "--json show obs %s %s %s",
             json_string_value(json_object_get(json_array_get(j, 0), "indicator")),
             json_string_value(json_object_get(json_array_get(j, 0), "unit")),
             json_string_value(json_object_get(json_array_get(j, 0), "period")));
    json_decref(j);
    assert_int_equal(run(f, out, sizeof out, args), 0);
    j = parse_json(out);
    assert_true(json_is_array(j));
    assert_true(json_array_size(j) >= 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 0), "revision")), 1);
    json_decref(j);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* The benchmark workload by hand: I1 (higher, weight 1): R1 5, R2 5, R3 3 -> ranks 1 1 3,
 * scores 1, 1, 0.9, gap 2 for R3. I2 (lower, weight 2): R1 2, R2 1, R3 missing -> ranks
 * 2 1, scores 1.9 2, gap 1 for R1. Totals R1 2.9, R2 3, R3 0.9. */
static void test_workload_hand_worked(void **state)
{
    fixture *f = *state;
    char path[160], out[4096], args[400], table[512];
    FILE *fp;
    size_t n;
    snprintf(path, sizeof path, "%s/indicators.csv", f->dir);
    write_file(path, "code,direction,weight\nI1,higher,1\nI2,lower,2\n");
    snprintf(path, sizeof path, "%s/values.csv", f->dir);
    write_file(path, "indicator,region,period,value\nI1,R1,1,5.0\nI1,R2,1,5.0\nI1,R3,1,3.0\n"
                     "I2,R1,1,2.0\nI2,R2,1,1.0\n");
    for (int threads = 1; threads <= 2; threads++) {
        snprintf(args, sizeof args, "workload %s %s/out.csv --threads %d", f->dir, f->dir, threads);
        assert_int_equal(run(f, out, sizeof out, args), 0);
        assert_non_null(strstr(out, "rank_sum=8 gap_sum=3.0 top=5 bottom=0"));
        snprintf(path, sizeof path, "%s/out.csv", f->dir);
        fp = fopen(path, "r");
        assert_non_null(fp);
        n = fread(table, 1, sizeof table - 1, fp);
        table[n] = '\0';
        fclose(fp);
        assert_string_equal(table, "region,period,total,overall_rank\nR2,1,3.00,1\nR1,1,2.90,2\n"
                                   "R3,1,0.90,3\n");
    }
    snprintf(path, sizeof path, "%s/values.csv", f->dir);
    write_file(path, "indicator,region,period,value\nI9,R1,1,5.0\n");
    snprintf(args, sizeof args, "workload %s %s/out.csv", f->dir, f->dir);
    assert_int_equal(run(f, NULL, 0, args), 2);
}

/* A bad file is rejected with exit code 2, its lines named, and nothing written. */
static void test_import_rejects_bad_file(void **state)
{
    fixture *f = *state;
    char path[160], args[300], err[8192], before[256], after[256];
    static char out[1 << 16];
    assert_int_equal(run(f, NULL, 0, "demo --as-of 2026-10"), 0);
    assert_int_equal(run(f, before, sizeof before, "--json list observations --unit yunzhong --period 2026-10"), 0);
    snprintf(path, sizeof path, "%s/bad.csv", f->dir);
    write_file(path, "indicator,unit,period,value\ngdp,yunzhong,2026-10,999\ngdp,nowhere,2026-10,1\n"
                     "gdp,yunzhong,2026-10,5\n");
    snprintf(args, sizeof args, "--lang en import observations %s", path);
    assert_int_equal(run(f, out, sizeof out, args), 2);
    read_stderr(f, err, sizeof err);
    assert_non_null(strstr(err, "bad.csv:3"));
    assert_non_null(strstr(err, "nowhere"));
    assert_non_null(strstr(err, "bad.csv:4"));
    assert_non_null(strstr(err, "nothing was written"));
    assert_int_equal(run(f, after, sizeof after, "--json list observations --unit yunzhong --period 2026-10"), 0);
    assert_string_equal(before, after);
    snprintf(args, sizeof args, "--json import observations %s", path);
    assert_int_equal(run(f, out, sizeof out, args), 2);
    json_decref(parse_json(out));
    snprintf(args, sizeof args, "import observations %s/missing.csv", f->dir);
    assert_int_equal(run(f, NULL, 0, args), 2);
}

/* rank, gap, warn and forecast on the demo: JSON shapes, ranks in order, and the leaders'
 * summary of `gap` agreeing with what `rank` says indicator by indicator. */
static void test_analysis_commands(void **state)
{
    fixture *f = *state;
    static char out[1 << 18];
    char args[256];
    json_t *gap, *rows, *row, *rank_rows;
    size_t i, j;
    int firsts = 0, seconds = 0, bottoms = 0;
    assert_int_equal(run(f, NULL, 0, "demo --as-of 2026-10"), 0);
    assert_int_equal(run(f, NULL, 0, "rank"), 1); /* --indicator is required */
    assert_int_equal(run(f, NULL, 0, "rank --indicator nope"), 2);
    assert_int_equal(run(f, NULL, 0, "rank --indicator gdp --period 2026-Q3"), 1);
    assert_int_equal(run(f, out, sizeof out, "--json gap --period 2026-09"), 0);
    gap = parse_json(out);
    rows = json_object_get(gap, "indicators");
    assert_int_equal(json_array_size(rows), 14);
    json_array_foreach(rows, i, row) {
        const char *ind = json_string_value(json_object_get(row, "indicator"));
        int ours = (int)json_integer_value(json_object_get(row, "rank")), prev = 0;
        snprintf(args, sizeof args, "--json rank --indicator %s --period 2026-09", ind);
        assert_int_equal(run(f, out, sizeof out, args), 0);
        rank_rows = parse_json(out);
        assert_int_equal(json_array_size(rank_rows), 12);
        for (j = 0; j < json_array_size(rank_rows); j++) {
            json_t *r = json_array_get(rank_rows, j);
            int rank = (int)json_integer_value(json_object_get(r, "rank"));
            if (json_is_null(json_object_get(r, "rank")))
                continue;
            assert_true(rank >= prev); /* listed in rank order */
            prev = rank;
            if (strcmp(json_string_value(json_object_get(r, "unit")), "linjiang") == 0)
                assert_int_equal(rank, ours);
        }
        json_decref(rank_rows);
        firsts += ours == 1;
        seconds += ours == 2;
        bottoms += strcmp(json_string_value(json_object_get(row, "tier")), "bottom") == 0;
    }
    assert_int_equal(json_integer_value(json_object_get(json_object_get(gap, "summary"), "first")), firsts);
    {
        /* the report of `make run` tells the same ranks as gap */
        json_t *rep, *row2;
        size_t k;
        assert_int_equal(run(f, out, sizeof out, "--json report --period 2026-09"), 0);
        rep = parse_json(out);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(rep, "summary"), "second")), seconds);
        json_array_foreach(json_object_get(rep, "indicators"), k, row2) {
            json_t *g2 = json_array_get(rows, k);
            assert_string_equal(json_string_value(json_object_get(row2, "code")),
                                json_string_value(json_object_get(g2, "indicator")));
            assert_int_equal(json_integer_value(json_object_get(row2, "rank")),
                             json_integer_value(json_object_get(g2, "rank")));
        }
        json_decref(rep);
    }
    assert_int_equal(json_integer_value(json_object_get(json_object_get(gap, "summary"), "second")),
                     seconds);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(gap, "summary"), "bottom_three")),
                     bottoms);
    json_decref(gap);
    assert_int_equal(run(f, out, sizeof out, "--json warn"), 0);
    rows = parse_json(out);
    assert_true(json_array_size(rows) > 0);
    assert_true(json_is_array(json_object_get(json_array_get(rows, 0), "warnings")));
    json_decref(rows);
    assert_int_equal(run(f, out, sizeof out, "--json forecast --indicator fai"), 0);
    rows = parse_json(out);
    assert_true(json_is_number(json_object_get(json_array_get(rows, 0), "forecast")));
    json_decref(rows);
    assert_int_equal(run(f, out, sizeof out, "--json forecast --backtest"), 0);
    rows = parse_json(out);
    assert_int_equal(json_array_size(rows), 12);
    row = json_array_get(rows, 0);
    assert_true(json_integer_value(json_object_get(row, "n")) > 0);
    assert_true(json_real_value(json_object_get(row, "seasonal")) <
                json_real_value(json_object_get(row, "linear")));
    json_decref(rows);
    assert_int_equal(run(f, out, sizeof out, "rank --indicator gdp"), 0);
    assert_non_null(strstr(out, "云中区"));
    assert_int_equal(run(f, out, sizeof out, "--lang en gap"), 0);
    assert_non_null(strstr(out, "indicators:"));
}

/* score, explain and scheme show on the demo: each total is the sum of its item scores, the
 * ranks follow the totals, and explain tells the same total for our region. */
static void test_score_commands(void **state)
{
    fixture *f = *state;
    static char out[1 << 18];
    json_t *score, *units, *u, *ex;
    size_t i, j;
    double ours = -1;
    assert_int_equal(run(f, NULL, 0, "demo --as-of 2026-10"), 0);
    assert_int_equal(run(f, out, sizeof out, "--json score --period 2026-09"), 0);
    score = parse_json(out);
    units = json_object_get(score, "units");
    assert_int_equal(json_array_size(units), 12);
    json_array_foreach(units, i, u) {
        double sum = 0, total = json_real_value(json_object_get(u, "total"));
        json_t *item;
        /* one score and one rank per indicator, in the order of the reply's indicators */
        assert_int_equal(json_array_size(json_object_get(u, "scores")),
                         json_array_size(json_object_get(score, "indicators")));
        assert_int_equal(json_array_size(json_object_get(u, "ranks")),
                         json_array_size(json_object_get(score, "indicators")));
        assert_true(json_array_size(json_object_get(score, "indicators")) > 0);
        json_array_foreach(json_object_get(u, "scores"), j, item)
            sum += json_real_value(item);
        assert_true(fabs(sum - total) < 1e-6);
        if (i > 0) {
            json_t *prev = json_array_get(units, i - 1);
            assert_true(json_real_value(json_object_get(prev, "total")) >= total);
            assert_true(json_integer_value(json_object_get(prev, "rank")) <=
                        json_integer_value(json_object_get(u, "rank")));
        }
        if (strcmp(json_string_value(json_object_get(u, "unit")), "linjiang") == 0)
            ours = total;
    }
    json_decref(score);
    assert_int_equal(run(f, out, sizeof out, "--json explain --period 2026-09"), 0);
    ex = parse_json(out);
    assert_true(fabs(json_real_value(json_object_get(ex, "total")) - ours) < 1e-9);
    assert_int_equal(json_array_size(json_object_get(ex, "items")), 14);
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(json_object_get(ex, "items"), 0),
                                                             "formula")), "×"));
    json_decref(ex);
    assert_int_equal(run(f, out, sizeof out, "explain --period 2026-09 --indicator gdp"), 0);
    assert_non_null(strstr(out, "算式"));
    assert_int_equal(run(f, NULL, 0, "explain --indicator nope"), 2);
    assert_int_equal(run(f, NULL, 0, "explain --unit nope"), 2);
    assert_int_equal(run(f, NULL, 0, "score --scheme nope"), 2);
    assert_int_equal(run(f, out, sizeof out, "scheme show yz_assess"), 0);
    assert_non_null(strstr(out, "ok"));
    assert_int_equal(run(f, NULL, 0, "scheme show nope"), 2);
    {
        /* events reach the scheme's totals: a veto bars 优秀 whatever the total, a bonus adds */
        json_t *after;
        double yz_before = -1, yz_after = -1, lj_after = -1;
        const char *yz_grade = NULL;
        assert_int_equal(run(f, out, sizeof out, "--json score --period 2026-09"), 0);
        score = parse_json(out);
        json_array_foreach(json_object_get(score, "units"), i, u) {
            if (strcmp(json_string_value(json_object_get(u, "unit")), "yunzhong") == 0) {
                yz_before = json_real_value(json_object_get(u, "total"));
                assert_string_equal(json_string_value(json_object_get(u, "grade")), "优秀");
            }
        }
        json_decref(score);
        assert_int_equal(run(f, NULL, 0, "events add --unit yunzhong --kind veto --date 2026-05-01 "
                                         "--evidence 重大安全事故 --approved-by 市考核委"), 0);
        assert_int_equal(run(f, NULL, 0, "events add --unit linjiang --kind bonus --points 2 "
                                         "--date 2026-06-01 --evidence 国字号荣誉 --approved-by 市考核委"), 0);
        assert_int_equal(run(f, out, sizeof out, "--json score --period 2026-09"), 0);
        after = parse_json(out);
        json_array_foreach(json_object_get(after, "units"), i, u) {
            const char *code = json_string_value(json_object_get(u, "unit"));
            if (strcmp(code, "yunzhong") == 0) {
                yz_after = json_real_value(json_object_get(u, "total"));
                yz_grade = json_string_value(json_object_get(u, "grade"));
                assert_true(json_is_true(json_object_get(u, "veto")));
                assert_non_null(yz_grade);
                assert_string_not_equal(yz_grade, "优秀");
            }
            if (strcmp(code, "linjiang") == 0)
                lj_after = json_real_value(json_object_get(u, "total"));
        }
        assert_true(yz_after == yz_before);
        assert_true(fabs(lj_after - ours - 2) < 1e-9);
        json_decref(after);
    }
    {
        /* the scheme's settings drive the analysis: a first tier of five places */
        char path[160], args[300];
        static char csv[1 << 16];
        json_t *before, *after;
        FILE *fp;
        size_t n;
        char *line, *save = NULL;
        assert_int_equal(run(f, out, sizeof out, "--json gap --period 2026-09"), 0);
        before = parse_json(out);
        assert_int_equal(run(f, csv, sizeof csv, "--lang en export schemes --no-bom"), 0);
        snprintf(path, sizeof path, "%s/schemes.csv", f->dir);
        fp = fopen(path, "w");
        assert_non_null(fp);
        for (line = strtok_r(csv, "\r\n", &save), n = 0; line; line = strtok_r(NULL, "\r\n", &save), n++)
            fprintf(fp, "%s%s\n", line, n > 0 && strncmp(line, "yz_assess,", 10) == 0 ? "first_tier=5" : "");
        fclose(fp);
        snprintf(args, sizeof args, "import schemes %s", path);
        assert_int_equal(run(f, NULL, 0, args), 0);
        assert_int_equal(run(f, out, sizeof out, "--json gap --period 2026-09"), 0);
        after = parse_json(out);
        assert_true(json_integer_value(json_object_get(json_object_get(after, "summary"), "first_tier")) >
                    json_integer_value(json_object_get(json_object_get(before, "summary"), "first_tier")));
        json_decref(before);
        json_decref(after);
    }
    assert_int_equal(run(f, NULL, 0, "scheme list"), 1);
}

/* The race on the demo: each group's quarter with points, flag and awards; the ledger adds
 * up (every year total = its quarters + capped bonuses − capped deductions, and the quarters
 * are the contests' points); the veto and the revoked event of the demo show; events. */
static void test_race_commands(void **state)
{
    fixture *f = *state;
    static char out[1 << 20];
    json_t *show, *g, *u, *ledger, *ex;
    size_t i, j;
    char args[512];
    int flags = 0, vetoed = 0;
    assert_int_equal(run(f, NULL, 0, "demo --as-of 2026-10"), 0);
    assert_int_equal(run(f, out, sizeof out, "--json contest show --period 2026-Q3"), 0);
    show = parse_json(out);
    assert_int_equal(json_array_size(show), 3);
    json_array_foreach(show, i, g) {
        assert_true(json_is_true(json_object_get(g, "ran")));
        assert_true(json_array_size(json_object_get(g, "flag")) >= 1);
        flags += (int)json_array_size(json_object_get(g, "flag"));
        assert_int_equal(json_array_size(json_object_get(g, "awards")), 2);
        json_array_foreach(json_object_get(g, "units"), j, u) {
            /* the flag goes to rank 1 */
            if (json_is_true(json_object_get(u, "flag")))
                assert_int_equal(json_integer_value(json_object_get(u, "rank")), 1);
        }
    }
    assert_true(flags >= 3);
    json_decref(show);
    assert_int_equal(run(f, out, sizeof out, "--json contest run --period 2026-Q3 --group lj_towns"), 0);
    show = parse_json(out); /* a run answers with what it decided */
    assert_int_equal(json_array_size(show), 1);
    assert_true(json_array_size(json_object_get(json_array_get(show, 0), "flag")) >= 1);
    json_decref(show);
    assert_int_equal(run(f, out, sizeof out, "contest show --period 2026-Q3"), 0);
    assert_non_null(strstr(out, "流动红旗"));
    assert_non_null(strstr(out, "骏马奖"));
    assert_int_equal(run(f, out, sizeof out, "--json ledger --year 2025"), 0);
    ledger = parse_json(out);
    assert_int_equal(json_array_size(ledger), 3);
    json_array_foreach(ledger, i, g) {
        json_array_foreach(json_object_get(g, "units"), j, u) {
            double q = 0, total = json_real_value(json_object_get(u, "total"));
            size_t k;
            json_t *x;
            json_array_foreach(json_object_get(u, "quarters"), k, x)
                q += json_real_value(x);
            assert_true(fabs(q - json_real_value(json_object_get(u, "contests"))) < 1e-9);
            assert_true(fabs(q + json_real_value(json_object_get(u, "bonus")) -
                             json_real_value(json_object_get(u, "deduction")) - total) < 1e-9);
            if (json_is_true(json_object_get(u, "veto"))) {
                vetoed++;
                assert_string_equal(json_string_value(json_object_get(u, "unit")), "lj_ctjt");
            }
            /* the revoked deduction of 马坊镇 counts for nothing */
            if (strcmp(json_string_value(json_object_get(u, "unit")), "lj_mafang") == 0)
                assert_true(json_real_value(json_object_get(u, "deduction")) == 0);
            /* 发改局's honours (2 + 2 + 2) are capped at 5 */
            if (strcmp(json_string_value(json_object_get(u, "unit")), "lj_fgj") == 0)
                assert_true(fabs(json_real_value(json_object_get(u, "bonus")) - 5) < 1e-9);
        }
    }
    assert_int_equal(vetoed, 1);
    json_decref(ledger);
    /* the quarters are exactly the contests' points: explain one unit and add them up */
    assert_int_equal(run(f, out, sizeof out, "--json explain --ledger 2025 --unit lj_qiaotou"), 0);
    ex = parse_json(out);
    {
        double sum = 0;
        json_array_foreach(json_object_get(ex, "contests"), i, u)
            sum += json_real_value(json_object_get(u, "points"));
        assert_true(fabs(sum - json_real_value(json_object_get(ex, "contests_total"))) < 1e-9);
        assert_int_equal(json_array_size(json_object_get(ex, "contests")), 24); /* 4 quarters × 6 */
    }
    json_decref(ex);
    assert_int_equal(run(f, out, sizeof out, "--json flags"), 0);
    ex = parse_json(out);
    assert_true(json_array_size(json_object_get(ex, "history")) >= 7 * 3);
    {
        /* every quarter has a first place in each group, held flags match the history, and a
         * flag that changes hands is lost by someone */
        int firsts = 0, held = 0, won_or_kept = 0, lost = 0;
        json_array_foreach(json_object_get(ex, "records"), i, u) {
            firsts += (int)json_integer_value(json_object_get(u, "firsts"));
            held += (int)json_integer_value(json_object_get(u, "flags"));
            assert_true(json_integer_value(json_object_get(u, "longest")) >=
                        json_integer_value(json_object_get(u, "streak")));
        }
        json_array_foreach(json_object_get(ex, "history"), i, u) {
            const char *change = json_string_value(json_object_get(u, "change"));
            won_or_kept += strcmp(change, "lost") != 0;
            lost += strcmp(change, "lost") == 0;
        }
        assert_true(firsts >= 7 * 3);
        assert_int_equal(held, won_or_kept);
        assert_true(lost > 0);
    }
    json_decref(ex);
    assert_int_equal(run(f, out, sizeof out, "awards --period 2026-Q3"), 0);
    assert_non_null(strstr(out, "蜗牛奖"));
    /* events: add, list, revoke once, not twice */
    assert_int_equal(run(f, NULL, 0, "events add --unit lj_baisha --kind bogus --points 1 --evidence x "
                                     "--approved-by y"), 1);
    assert_int_equal(run(f, out, sizeof out, "--json events add --unit lj_baisha --kind 扣分 --points 1.5 "
                                             "--category notice --date 2026-10-09 --evidence 通报 "
                                             "--approved-by 考核委"), 0);
    ex = parse_json(out);
    snprintf(args, sizeof args, "events revoke %lld --reason 容错免责", (long long)json_integer_value(json_object_get(ex, "id")));
    json_decref(ex);
    assert_int_equal(run(f, out, sizeof out, "--json events list --year 2026 --unit lj_baisha"), 0);
    ex = parse_json(out);
    assert_int_equal(json_array_size(ex), 1);
    assert_true(json_real_value(json_object_get(json_array_get(ex, 0), "points")) == -1.5);
    json_decref(ex);
    assert_int_equal(run(f, NULL, 0, args), 0);
    assert_int_equal(run(f, NULL, 0, args), 2);
    assert_int_equal(run(f, out, sizeof out, "events list --year 2026"), 0);
    assert_non_null(strstr(out, "已撤销"));
    assert_int_equal(run(f, NULL, 0, "events revoke 1"), 1); /* a reason is required */
    assert_int_equal(run(f, NULL, 0, "contest show --period 2030-Q1"), 2);
    assert_int_equal(run(f, NULL, 0, "contest show"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_usage_exit_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help, setup, teardown),
        cmocka_unit_test_setup_teardown(test_internal_error_exit_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found_is_bad_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_demo_lists_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_show_group_and_history_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workload_hand_worked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_rejects_bad_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analysis_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_score_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_race_commands, setup, teardown),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
