/* test_import: CSV import and export against a fresh database per test: every error class
 * with its line and column, one file one transaction, locks, soft-validation flags, and
 * the import -> export -> import round trip of every kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "io/import.h"
#include "util/err.h"
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TODAY "2025-12-31"

/* Each test works on a store of its own on a fresh temporary database. */
typedef test_db fixture;

static int import_file(store *s, int kind, const char *name, io_report *rep)
{
    io_import_opts o = test_import_opts(TODAY);
    return io_import_file(s, kind, test_fixture_path(name), &o, rep);
}

static int import_text(store *s, int kind, const char *text, io_report *rep)
{
    io_import_opts o = test_import_opts(TODAY);
    return io_import_buffer(s, kind, "t.csv", text, strlen(text), &o, rep);
}

static const char *const fixture_files[IO_KIND_N] = {
    "units.csv", "groups.csv", "indicators.csv", "schemes.csv", "targets.csv", "observations.csv",
};

/* Imports the fixtures of the first n kinds (units first). */
static void load_fixtures(store *s, int n)
{
    io_report rep;
    for (int k = 0; k < n; k++) {
        int rc = import_file(s, k, fixture_files[k], &rep);
        if (rc != 0) {
            char msg[512];
            io_error_format(&rep, &rep.errors[0], 1, msg, sizeof msg);
            fail_msg("fixture %s: %s (%s)", fixture_files[k], msg, err_msg());
        }
    }
}

static void assert_error(const io_report *rep, size_t i, long line, const char *column, int reason)
{
    char msg[512];
    assert_true(i < rep->nerrors);
    io_error_format(rep, &rep->errors[i], 1, msg, sizeof msg);
    if (rep->errors[i].line != line || strcmp(rep->errors[i].column, column) != 0 ||
        rep->errors[i].reason != reason)
        fail_msg("error %zu: want line %ld column '%s' %s, got %s", i, line, column,
                 io_reason_key(reason), msg);
}

static int64_t obs_count(store *s)
{
    int64_t n = -1;
    assert_int_equal(store_observation_count(s, &n), 0);
    return n;
}

static size_t period_count(store *s)
{
    model_period *ps = NULL;
    size_t n = 0;
    assert_int_equal(store_periods(s, &ps, &n), 0);
    free(ps);
    return n;
}

/* The export of kind as text (the caller frees it). */
static char *export_text(store *s, int kind, int english)
{
    io_export_opts o;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    memset(&o, 0, sizeof o);
    o.english = english;
    o.no_bom = english;
    assert_non_null(f);
    assert_int_equal(io_export(s, kind, f, &o), 0);
    fclose(f);
    return buf;
}

/* ---- good files ---- */

static void test_fixtures_import(void **state)
{
    fixture *f = *state;
    static const size_t inserted[IO_KIND_N] = { 6, 2, 4, 2, 3, 7 };
    io_report rep;
    model_unit *us = NULL;
    model_indicator *is = NULL;
    model_observation *h = NULL;
    model_audit_entry *a = NULL;
    size_t n = 0;
    for (int k = 0; k < IO_KIND_N; k++) {
        assert_int_equal(import_file(f->s, k, fixture_files[k], &rep), 0);
        assert_int_equal(rep.inserted, inserted[k]);
        assert_int_equal(rep.nerrors_total, 0);
    }
    assert_int_equal(rep.rows, 7);
    assert_int_equal(obs_count(f->s), 7);
    /* T01 comes before its parent D01 in the file. */
    assert_int_equal(store_units(f->s, &us, &n), 0);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(us[i].code, "T01") == 0)
            assert_string_equal(us[i].parent_code, "D01");
        if (strcmp(us[i].code, "CITY") == 0)
            assert_int_equal(us[i].kind, UNIT_REFERENCE);
    }
    free(us);
    assert_int_equal(store_indicators(f->s, &is, &n), 0);
    assert_string_equal(is[0].code, "GDP");
    assert_string_equal(is[0].coop_units, "T01;D02");
    assert_string_equal(is[0].definition, "按当年价格计算,\n含第一、二、三产业");
    assert_int_equal(is[0].value_kind, VK_YTD);
    free(is);
    /* "2025年1-3月" is the cumulative value of March; "1,150" a number with a separator. */
    assert_int_equal(store_observation_history(f->s, "GDP", "D01", "2025-03", &h, &n), 0);
    assert_int_equal(n, 1);
    assert_true(h[0].value == 280.12);
    assert_string_equal(h[0].entered_by, "tester");
    free(h);
    assert_int_equal(store_observation_history(f->s, "INV", "D03", "2025-H1", &h, &n), 0);
    assert_true(h[0].value == 1150);
    assert_int_equal(h[0].state, OBS_DRAFT);
    assert_string_equal(h[0].note, "多行\n备注");
    free(h);
    assert_int_equal(store_audits(f->s, 1, &a, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].action, "import");
    assert_string_equal(a[0].entity, "observations");
    assert_string_equal(a[0].actor, "tester");
    free(a);
}

static void test_reimport_unchanged(void **state)
{
    fixture *f = *state;
    static const size_t entities[IO_KIND_N] = { 6, 2, 4, 2, 3, 7 };
    model_observation *h = NULL;
    io_report rep;
    size_t n;
    load_fixtures(f->s, IO_KIND_N);
    for (int k = 0; k < IO_KIND_N; k++) {
        assert_int_equal(import_file(f->s, k, fixture_files[k], &rep), 0);
        assert_int_equal(rep.unchanged, entities[k]);
        assert_int_equal(rep.inserted + rep.changed, 0);
    }
    assert_int_equal(store_observation_history(f->s, "GDP", "D02", "2025-01", &h, &n), 0);
    assert_int_equal(n, 1);
    free(h);
}

static void test_changed_value(void **state)
{
    fixture *f = *state;
    model_observation *h = NULL;
    io_report rep;
    size_t n;
    load_fixtures(f->s, IO_KIND_N);
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, "indicator,unit,period,value\n"
                                                        "GDP,D02,2025-01,91\n"
                                                        "GDP,D02,2025-02,150\n", &rep), 0);
    assert_int_equal(rep.changed, 1);
    assert_int_equal(rep.inserted, 1);
    assert_int_equal(store_observation_history(f->s, "GDP", "D02", "2025-01", &h, &n), 0);
    assert_int_equal(n, 2);
    assert_true(h[0].value == 90 && h[1].value == 91);
    /* The file has no state column: the import's default state. */
    assert_int_equal(h[1].state, OBS_SUBMITTED);
    free(h);
}

static void test_state_option(void **state)
{
    fixture *f = *state;
    io_import_opts o = test_import_opts(TODAY);
    const char *text = "indicator,unit,period,value\nGDP,D02,2025-02,100\n";
    const char *with_state = "indicator,unit,period,value,状态\nGDP,D02,2025-03,120,已发布\n";
    model_observation *h = NULL;
    io_report rep;
    size_t n;
    load_fixtures(f->s, 3);
    o.state = OBS_APPROVED;
    assert_int_equal(io_import_buffer(f->s, IO_OBSERVATIONS, "a", text, strlen(text), &o, &rep), 0);
    assert_int_equal(io_import_buffer(f->s, IO_OBSERVATIONS, "b", with_state, strlen(with_state), &o,
                                      &rep), 0);
    assert_int_equal(store_observation_history(f->s, "GDP", "D02", "2025-02", &h, &n), 0);
    assert_int_equal(h[0].state, OBS_APPROVED);
    free(h);
    assert_int_equal(store_observation_history(f->s, "GDP", "D02", "2025-03", &h, &n), 0);
    assert_int_equal(h[0].state, OBS_PUBLISHED);
    free(h);
    o.today = "2025-02-30";
    assert_int_equal(io_import_buffer(f->s, IO_OBSERVATIONS, "c", text, strlen(text), &o, &rep),
                     ERR_USAGE);
}

/* import -> export -> import into a fresh database -> export: byte-identical, every kind,
 * with Chinese headers and a BOM, and with English headers. */
static void test_round_trip(void **state)
{
    fixture *f = *state;
    load_fixtures(f->s, IO_KIND_N);
    for (int english = 0; english <= 1; english++) {
        fixture g = { NULL, "" };
        assert_int_equal(test_db_open(&g), 0);
        for (int k = 0; k < IO_KIND_N; k++) {
            char *first = export_text(f->s, k, english), *second;
            io_report rep;
            int rc = import_text(g.s, k, first, &rep);
            if (rc != 0) {
                char msg[512];
                io_error_format(&rep, &rep.errors[0], 1, msg, sizeof msg);
                fail_msg("%s: %s", io_kind_name(k), msg);
            }
            second = export_text(g.s, k, english);
            assert_string_equal(first, second);
            assert_int_equal(rep.unchanged, 0);
            free(first);
            free(second);
        }
        test_db_close(&g);
    }
}

static void test_export_format(void **state)
{
    fixture *f = *state;
    io_export_opts o;
    char *buf = NULL;
    size_t len = 0;
    FILE *out;
    load_fixtures(f->s, IO_KIND_N);
    buf = export_text(f->s, IO_TARGETS, 0);
    assert_string_equal(buf, "\xEF\xBB\xBF指标代码,单位代码,年度,目标值,备注\r\n"
                             "GDP,D01,2025,1200.5,年度任务\r\n"
                             "GDP,D02,2025,980,\r\n"
                             "INV,D01,2025,300,\r\n");
    free(buf);
    memset(&o, 0, sizeof o);
    o.english = 1;
    o.no_bom = 1;
    o.indicator = "GDP";
    o.period = "2025年1-2月";
    out = open_memstream(&buf, &len);
    assert_int_equal(io_export(f->s, IO_OBSERVATIONS, out, &o), 0);
    fclose(out);
    assert_string_equal(buf, "indicator,unit,period,value,state,note\r\n"
                             "GDP,D01,2025-02,180.5,submitted,\r\n");
    free(buf);
    o.period = "not a period";
    out = open_memstream(&buf, &len);
    assert_int_equal(io_export(f->s, IO_OBSERVATIONS, out, &o), ERR_DATA);
    fclose(out);
    free(buf);
}

/* BOM, tab, CRLF, Chinese headers with stray spaces and case, a note over three lines,
 * blank lines: accepted, and a later error names its physical line. */
static void test_csv_edge_cases(void **state)
{
    fixture *f = *state;
    const char *good = "\xEF\xBB\xBF 指标代码 \t单位代码\tPERIOD\t数值\t备注\r\n"
                       "GDP\tD02\t2025-02\t100\t\"第一行\r\n第二行, 含逗号\r\n\"\"引号\"\"\"\r\n"
                       "\r\n"
                       "GDP\tD02\t2025-03\t150\t\r\n";
    const char *bad = "indicator,unit,period,value,note\n"
                      "GDP,D02,2025-02,100,\"a\nb\nc\"\n"
                      "\n"
                      "GDP,D02,2025-03,x,\n";
    model_observation *h = NULL;
    io_report rep;
    size_t n;
    load_fixtures(f->s, 3);
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, good, &rep), 0);
    assert_int_equal(rep.rows, 2);
    assert_int_equal(store_observation_history(f->s, "GDP", "D02", "2025-02", &h, &n), 0);
    assert_string_equal(h[0].note, "第一行\r\n第二行, 含逗号\r\n\"引号\"");
    free(h);
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, bad, &rep), ERR_DATA);
    assert_int_equal(rep.nerrors, 1);
    assert_error(&rep, 0, 6, "value", IO_NOT_NUMBER);
}

/* ---- errors ---- */

static void test_observation_errors(void **state)
{
    fixture *f = *state;
    char text[4096], note[1100];
    int64_t before;
    size_t periods;
    io_report rep;
    load_fixtures(f->s, IO_KIND_N);
    before = obs_count(f->s);
    periods = period_count(f->s);
    memset(note, 'n', sizeof note - 1);
    note[sizeof note - 1] = '\0';
    snprintf(text, sizeof text,
             "indicator,unit,period,value,state,note\n"
             "GDP,D01,2025-04,12.3亿,,\n"         /* 2 */
             "GDPX,D01,2025-04,1,,\n"             /* 3 */
             "GDP,D09,2025-04,1,,\n"              /* 4 */
             "GDP,D01,2025-13,1,,\n"              /* 5 */
             "GDP,D01,2030-01,1,,\n"              /* 6 */
             "GDP,D01,Q5,1,,\n"                   /* 7 */
             "GDP,D02,2025-05,1,final,\n"         /* 8 */
             "GDP,D02,2025-06,1,,\n"              /* 9 */
             "GDP,D02,2025年6月,2,,\n"            /* 10 */
             "GDP,,2025-07,1,,\n"                 /* 11 */
             "GDP,D01,2025-08\n"                  /* 12 */
             "GDP,D01,2025-09,5,,%s\n"            /* 13 */
             "GDP,D01,2025-10,5,,,extra\n"        /* 14 */
             "GDP,D01,2025-11,,,\n"               /* 15 */
             "GDP,D01,2025-12,5,,\n",             /* 16: good */
             note);
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, text, &rep), ERR_DATA);
    assert_int_equal(rep.nerrors_total, 13);
    assert_error(&rep, 0, 2, "value", IO_NOT_NUMBER);
    assert_string_equal(rep.errors[0].detail, "12.3亿");
    assert_error(&rep, 1, 3, "indicator", IO_UNKNOWN_INDICATOR);
    assert_error(&rep, 2, 4, "unit", IO_UNKNOWN_UNIT);
    assert_error(&rep, 3, 5, "period", IO_PERIOD_RANGE);
    assert_string_equal(rep.errors[3].hint, "1..12");
    assert_error(&rep, 4, 6, "period", IO_PERIOD_RANGE);
    assert_string_equal(rep.errors[4].hint, TODAY);
    assert_error(&rep, 5, 7, "period", IO_BAD_PERIOD);
    assert_error(&rep, 6, 8, "state", IO_BAD_VALUE);
    assert_non_null(strstr(rep.errors[6].hint, "published/已发布"));
    assert_error(&rep, 7, 10, "", IO_DUPLICATE_KEY);
    assert_int_equal(rep.errors[7].ref_line, 9);
    assert_string_equal(rep.errors[7].detail, "GDP / D02 / 2025-06");
    assert_error(&rep, 8, 11, "unit", IO_EMPTY_FIELD);
    assert_error(&rep, 9, 12, "", IO_FIELD_COUNT);
    assert_error(&rep, 10, 13, "note", IO_TOO_LONG);
    assert_string_equal(rep.errors[10].hint, "1023");
    assert_error(&rep, 11, 14, "", IO_FIELD_COUNT);
    assert_error(&rep, 12, 15, "value", IO_EMPTY_FIELD);
    /* Nothing was written, not even the good row or a new period. */
    assert_int_equal(obs_count(f->s), before);
    assert_int_equal(period_count(f->s), periods);
    assert_int_equal(rep.inserted, 0);
}

static void test_header_errors(void **state)
{
    fixture *f = *state;
    io_report rep;
    char msg[512];
    load_fixtures(f->s, 3);
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, "\n指标代码,单位,期间,数量,单位代码\n"
                                                        "GDP,D01,2025-01,1,D01\n", &rep),
                     ERR_DATA);
    assert_int_equal(rep.nerrors, 3);
    assert_int_equal(rep.rows, 0);
    assert_error(&rep, 0, 2, "数量", IO_UNKNOWN_COLUMN);
    assert_error(&rep, 1, 2, "单位代码", IO_DUPLICATE_COLUMN);
    assert_string_equal(rep.errors[1].detail, "单位");
    assert_error(&rep, 2, 2, "", IO_MISSING_COLUMN);
    assert_string_equal(rep.errors[2].detail, "value");
    io_error_format(&rep, &rep.errors[2], 0, msg, sizeof msg);
    assert_string_equal(msg, "t.csv:2: 缺少必需的列 '数值' (value)");
    io_error_format(&rep, &rep.errors[0], 1, msg, sizeof msg);
    assert_string_equal(msg, "t.csv:2: column '数量': unknown column (accepted: indicator, unit, "
                             "period, value, state, note)");
    /* An unnamed column may stay empty but must not hold data. */
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, "indicator,unit,,period,value\n"
                                                        "GDP,D02,,2025-01,1\n"
                                                        "GDP,D02,x,2025-02,1\n", &rep), ERR_DATA);
    assert_int_equal(rep.nerrors, 1);
    assert_error(&rep, 0, 3, "#3", IO_UNKNOWN_COLUMN);
}

static void test_file_level_errors(void **state)
{
    fixture *f = *state;
    io_report rep;
    int64_t before;
    load_fixtures(f->s, 3);
    before = obs_count(f->s);
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, "\n\n", &rep), ERR_DATA);
    assert_error(&rep, 0, 1, "", IO_NO_HEADER);
    /* bytes that are neither UTF-8 nor GB18030 (GBK itself is read: test_gbk_file) */
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, "indicator,unit,period,value,note\n"
                                                        "GDP,D02,2025-01,1,\xFF\xFE\xFF\n", &rep),
                     ERR_DATA);
    assert_error(&rep, 0, 2, "note", IO_BAD_UTF8);
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, "indicator,unit,period,value,note\n"
                                                        "GDP,D02,2025-01,1,ok\n"
                                                        "GDP,D02,2025-02,1,\"open\n"
                                                        "GDP,D02,2025-03,1,x\n", &rep), ERR_DATA);
    assert_error(&rep, 0, 3, "", IO_BAD_CSV);
    assert_int_equal(obs_count(f->s), before);
    assert_int_equal(io_import_file(f->s, IO_OBSERVATIONS, "/nonexistent/x.csv", NULL, &rep),
                     ERR_NOTFOUND);
}

static void test_locked_period(void **state)
{
    fixture *f = *state;
    period_key march = { PERIOD_MONTH, 2025, 3 };
    io_report rep;
    load_fixtures(f->s, IO_KIND_N);
    assert_int_equal(store_period_set_locked(f->s, &march, 1), 0);
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, "indicator,unit,period,value\n"
                                                        "GDP,D01,2025-02,181\n"
                                                        "GDP,D01,2025-03,281\n"
                                                        "GDP,D02,2025年1-3月,100\n", &rep), ERR_DATA);
    assert_int_equal(rep.nerrors, 2);
    assert_error(&rep, 0, 3, "period", IO_LOCKED_PERIOD);
    assert_string_equal(rep.errors[0].detail, "2025-03");
    assert_error(&rep, 1, 4, "period", IO_LOCKED_PERIOD);
    /* The same value again is no change, so it is allowed. */
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, "indicator,unit,period,value,state\n"
                                                        "GDP,D01,2025-03,280.12,submitted\n", &rep),
                     0);
    assert_int_equal(rep.unchanged, 1);
}

static void test_published_value(void **state)
{
    fixture *f = *state;
    io_report rep;
    char msg[512];
    load_fixtures(f->s, IO_KIND_N);
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, "indicator,unit,period,value,state\n"
                                                        "ENERGY,D01,2024,0.5,published\n", &rep),
                     ERR_DATA);
    assert_error(&rep, 0, 2, "value", IO_PUBLISHED);
    io_error_format(&rep, &rep.errors[0], 0, msg, sizeof msg);
    assert_string_equal(msg, "t.csv:2: 列 'value': 数值已发布，不能修改 '0.5'（已发布的值为 0.321）");
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, "indicator,unit,period,value,state\n"
                                                        "ENERGY,D01,2024,0.321,published\n", &rep),
                     0);
}

static void test_first_twenty_errors(void **state)
{
    fixture *f = *state;
    char text[8192];
    size_t len;
    period_key jan = { PERIOD_MONTH, 2025, 1 };
    io_report rep;
    load_fixtures(f->s, IO_KIND_N);
    assert_int_equal(store_period_set_locked(f->s, &jan, 1), 0);
    /* Line 2 is refused late (a lock, found after reading), lines 3-32 while reading. */
    len = (size_t)snprintf(text, sizeof text, "indicator,unit,period,value\nGDP,D02,2025-01,5\n");
    for (int i = 0; i < 30; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "GDP,D02,2025-%02d,bad\n", 2 + i % 10);
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, text, &rep), ERR_DATA);
    assert_int_equal(rep.nerrors_total, 31);
    assert_int_equal(rep.nerrors, IO_MAX_ERRORS);
    assert_error(&rep, 0, 2, "period", IO_LOCKED_PERIOD);
    for (size_t i = 1; i < IO_MAX_ERRORS; i++)
        assert_error(&rep, i, (long)i + 2, "value", IO_NOT_NUMBER);
}

/* The acceptance case: 100,000 good rows and one bad one. */
static void test_large_file_one_bad_row(void **state)
{
    fixture *f = *state;
    static const char *const inds[] = { "GDP", "GDP_G", "ENERGY", "INV" };
    const long bad_line = 61234;
    size_t cap = 4 << 20, len = 0, periods;
    char *text = malloc(cap), *before_export, *after_export;
    int64_t before;
    long line = 1, rows = 0;
    io_report rep;
    load_fixtures(f->s, IO_KIND_N);
    /* 120 more units to have enough distinct keys. */
    len = (size_t)snprintf(text, cap, "code,name,kind\n");
    for (int u = 0; u < 120; u++)
        len += (size_t)snprintf(text + len, cap - len, "U%03d,单位%d,town\n", u, u);
    assert_int_equal(import_text(f->s, IO_UNITS, text, &rep), 0);
    before = obs_count(f->s);
    periods = period_count(f->s);
    before_export = export_text(f->s, IO_OBSERVATIONS, 0);
    len = (size_t)snprintf(text, cap, "indicator,unit,period,value\n");
    for (int i = 0; i < 4 && rows < 100000; i++) {
        for (int m = 0; m < 210 && rows < 100000; m++) {
            for (int u = 0; u < 120 && rows < 100000; u++) {
                if (++line == bad_line)
                    len += (size_t)snprintf(text + len, cap - len, "GDP,U001,2000-01,1O5.2\n");
                else
                    len += (size_t)snprintf(text + len, cap - len, "%s,U%03d,%d-%02d,%d.%d\n",
                                            inds[i], u, 2008 + m / 12, m % 12 + 1, 100 + u, m);
                rows += line != bad_line;
            }
        }
    }
    assert_true(len < cap);
    assert_int_equal(rows, 100000);
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, text, &rep), ERR_DATA);
    assert_int_equal(rep.rows, 100001);
    assert_int_equal(rep.nerrors_total, 1);
    assert_error(&rep, 0, bad_line, "value", IO_NOT_NUMBER);
    assert_string_equal(rep.errors[0].detail, "1O5.2");
    assert_int_equal(obs_count(f->s), before);
    assert_int_equal(period_count(f->s), periods);
    after_export = export_text(f->s, IO_OBSERVATIONS, 0);
    assert_string_equal(before_export, after_export);
    /* Corrected, the same file goes in whole. */
    memcpy(strstr(text, "1O5.2"), "105.2", 5);
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, text, &rep), 0);
    assert_int_equal(rep.inserted, 100001);
    assert_int_equal(obs_count(f->s), before + 100001);
    free(before_export);
    free(after_export);
    free(text);
}

static void test_unit_errors(void **state)
{
    fixture *f = *state;
    io_report rep;
    load_fixtures(f->s, 1);
    assert_int_equal(import_text(f->s, IO_UNITS, "code,name,kind,parent,sort\n"
                                                 "A1,甲,town,ZZ,1\n"          /* 2 unknown parent */
                                                 "A2,乙,town,A3,2\n"          /* 3 cycle */
                                                 "A3,丙,town,A2,3\n"          /* 4 cycle */
                                                 "A4,丁,village,,4\n"         /* 5 bad kind */
                                                 "A5,戊,town,,first\n"        /* 6 not a number */
                                                 "A6,己,town,,6\n"
                                                 "A6,庚,town,,7\n"            /* 8 duplicate */
                                                 "A7,辛,town,A7,\n",          /* 9 own parent */
                                 &rep), ERR_DATA);
    assert_int_equal(rep.nerrors_total, 7);
    assert_error(&rep, 0, 2, "parent", IO_UNKNOWN_UNIT);
    assert_error(&rep, 1, 3, "parent", IO_PARENT_CYCLE);
    assert_error(&rep, 2, 4, "parent", IO_PARENT_CYCLE);
    assert_error(&rep, 3, 5, "kind", IO_BAD_VALUE);
    assert_string_equal(rep.errors[3].hint, "region/区县, department/部门, town/镇办, soe/国企, "
                                            "reference/参照");
    assert_error(&rep, 4, 6, "sort", IO_NOT_NUMBER);
    assert_error(&rep, 5, 8, "code", IO_DUPLICATE_KEY);
    assert_int_equal(rep.errors[5].ref_line, 7);
    assert_error(&rep, 6, 9, "parent", IO_PARENT_CYCLE);
    /* A cycle through a stored unit: D01's parent is CITY, so CITY under FIN loops. */
    assert_int_equal(import_text(f->s, IO_UNITS, "code,name,kind,parent\nCITY,某市,reference,FIN\n",
                                 &rep), ERR_DATA);
    assert_error(&rep, 0, 2, "parent", IO_PARENT_CYCLE);
}

static void test_group_errors(void **state)
{
    fixture *f = *state;
    model_unit *ms = NULL;
    io_report rep;
    size_t n;
    load_fixtures(f->s, 2);
    assert_int_equal(import_text(f->s, IO_GROUPS, "分组代码,分组名称,类型,成员单位\n"
                                                  "G1,一组,race,D01、D09\n"
                                                  "G2,二组,race,\"D01，D02;D01\"\n"
                                                  "G3,三组,league,D01\n", &rep), ERR_DATA);
    assert_int_equal(rep.nerrors_total, 3);
    assert_error(&rep, 0, 2, "成员单位", IO_UNKNOWN_UNIT);
    assert_string_equal(rep.errors[0].detail, "D09");
    assert_error(&rep, 1, 3, "成员单位", IO_DUPLICATE_KEY);
    assert_error(&rep, 2, 4, "类型", IO_BAD_VALUE);
    /* Without a members column the members stay. */
    assert_int_equal(import_text(f->s, IO_GROUPS, "code,name,kind\nPEERS,兄弟区县,peers\n", &rep), 0);
    assert_int_equal(rep.changed, 1);
    assert_int_equal(store_group_members(f->s, "PEERS", &ms, &n), 0);
    assert_int_equal(n, 3);
    free(ms);
}

static void test_indicator_errors(void **state)
{
    fixture *f = *state;
    io_report rep;
    load_fixtures(f->s, 1);
    assert_int_equal(import_text(f->s, IO_INDICATORS,
                                 "code,name,direction,value_kind,precision,lead_unit,coop_units,veto,"
                                 "weight\n"
                                 "X1,甲,higher,level,12,,,,\n"
                                 "X2,乙,up,level,,,,,\n"
                                 "X3,丙,lower,ratio,,NOPE,,,\n"
                                 "X4,丁,lower,ratio,,,D01;NOPE,,\n"
                                 "X5,戊,lower,ratio,,,,maybe,\n"
                                 "X6,己,lower,,,,,,\n"
                                 "X7,庚,lower,growth,,,,,ten\n", &rep), ERR_DATA);
    assert_int_equal(rep.nerrors_total, 7);
    assert_error(&rep, 0, 2, "precision", IO_NOT_NUMBER);
    assert_string_equal(rep.errors[0].hint, "0..9");
    assert_error(&rep, 1, 3, "direction", IO_BAD_VALUE);
    assert_error(&rep, 2, 4, "lead_unit", IO_UNKNOWN_UNIT);
    assert_error(&rep, 3, 5, "coop_units", IO_UNKNOWN_UNIT);
    assert_string_equal(rep.errors[3].detail, "NOPE");
    assert_error(&rep, 4, 6, "veto", IO_BAD_VALUE);
    assert_error(&rep, 5, 7, "value_kind", IO_EMPTY_FIELD);
    assert_error(&rep, 6, 8, "weight", IO_NOT_NUMBER);
}

static void test_scheme_errors(void **state)
{
    fixture *f = *state;
    const char *head = "scheme,scheme_name,group,period_kind,total_weight,indicator,weight,method\n";
    char text[2048];
    model_scheme_item *items = NULL;
    io_report rep;
    size_t n;
    load_fixtures(f->s, 3);
    snprintf(text, sizeof text, "%s"
             "S1,一,PEERS,month,100,GDP,60,rank\n"        /* 2: weights add up to 90 */
             "S1,一,PEERS,month,100,INV,30,completion\n"  /* 3 */
             "S2,二,PEERS,month,20,GDP,10,rank\n"         /* 4 */
             "S2,二改,PEERS,quarter,20,INV,10,rank\n"     /* 5: name and period kind differ */
             "S3,三,NOGROUP,month,10,GDP,10,rank\n"       /* 6 */
             "S4,四,PEERS,weekly,10,NOIND,10,guess\n"     /* 7 */
             "S5,五,PEERS,month,10,GDP,5,rank\n"          /* 8 */
             "S5,五,PEERS,month,10,GDP,5,rank\n",         /* 9: same indicator twice */
             head);
    assert_int_equal(import_text(f->s, IO_SCHEMES, text, &rep), ERR_DATA);
    assert_int_equal(rep.nerrors_total, 8);
    assert_error(&rep, 0, 2, "total_weight", IO_WEIGHT_SUM);
    assert_string_equal(rep.errors[0].detail, "90");
    assert_string_equal(rep.errors[0].hint, "100");
    assert_error(&rep, 1, 5, "scheme_name", IO_INCONSISTENT);
    assert_int_equal(rep.errors[1].ref_line, 4);
    assert_string_equal(rep.errors[1].hint, "二");
    assert_error(&rep, 2, 5, "period_kind", IO_INCONSISTENT);
    assert_error(&rep, 3, 6, "group", IO_UNKNOWN_GROUP);
    assert_error(&rep, 4, 7, "period_kind", IO_BAD_VALUE);
    assert_error(&rep, 5, 7, "indicator", IO_UNKNOWN_INDICATOR);
    assert_error(&rep, 6, 7, "method", IO_BAD_VALUE);
    assert_error(&rep, 7, 9, "indicator", IO_DUPLICATE_KEY);
    assert_int_equal(rep.errors[7].ref_line, 8);
    /* A method left empty is the indicator's own (INV: completion). */
    snprintf(text, sizeof text, "%sS6,六,PEERS,季度,10,INV,10,\n", head);
    assert_int_equal(import_text(f->s, IO_SCHEMES, text, &rep), 0);
    assert_int_equal(store_scheme_items(f->s, "S6", &items, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(items[0].method, METHOD_COMPLETION);
    free(items);
    /* The engine judges the parameters: an unknown key, efficacy with one bound only. */
    snprintf(text, sizeof text,
             "scheme,scheme_name,group,period_kind,total_weight,indicator,weight,method,params\n"
             "S7,七,PEERS,month,20,GDP,10,rank,stride=5\n"
             "S7,七,PEERS,month,20,INV,10,efficacy,satisfactory=100\n"
             "S8,八,PEERS,month,10,GDP,10,rank,step=2.5;floor=40\n");
    assert_int_equal(import_text(f->s, IO_SCHEMES, text, &rep), ERR_DATA);
    assert_int_equal(rep.nerrors_total, 2);
    assert_error(&rep, 0, 2, "params", IO_BAD_PARAMS);
    assert_non_null(strstr(rep.errors[0].hint, "stride"));
    assert_error(&rep, 1, 3, "params", IO_BAD_PARAMS);
    assert_non_null(strstr(rep.errors[1].hint, "unallowed"));
    /* a scheme's warning settings and grade rule are checked as well */
    snprintf(text, sizeof text,
             "scheme,scheme_name,group,period_kind,total_weight,indicator,weight,settings,grading\n"
             "S9,九,PEERS,month,10,GDP,10,first_tier=five,优秀>=90\n"
             "S10,十,PEERS,month,10,GDP,10,first_tier=5,良好>=80;优秀>=90\n"
             "S11,十一,PEERS,month,10,GDP,10,first_tier=5;level.missing=red,优秀>=90;较差\n");
    assert_int_equal(import_text(f->s, IO_SCHEMES, text, &rep), ERR_DATA);
    assert_int_equal(rep.nerrors_total, 2);
    assert_error(&rep, 0, 2, "settings", IO_BAD_PARAMS);
    assert_error(&rep, 1, 3, "grading", IO_BAD_PARAMS);
}

/* A duplicate is found whichever way the importer keeps the keys it has read: a table per
 * period for a store of few indicators and units, a hash map for a store of many (40 × 40
 * pairs for a file of a few rows). */
static void test_duplicates_in_a_large_store(void **state)
{
    fixture *f = *state;
    io_report rep;
    char *units = malloc(4096), *inds = malloc(4096);
    size_t nu = 0, ni = 0;
    assert_non_null(units);
    assert_non_null(inds);
    nu += (size_t)snprintf(units + nu, 4096 - nu, "code,name,kind\n");
    ni += (size_t)snprintf(inds + ni, 4096 - ni, "code,name,direction,value_kind\n");
    for (int k = 0; k < 40; k++) {
        nu += (size_t)snprintf(units + nu, 4096 - nu, "U%02d,单位%d,region\n", k, k);
        ni += (size_t)snprintf(inds + ni, 4096 - ni, "I%02d,指标%d,higher,level\n", k, k);
    }
    assert_int_equal(import_text(f->s, IO_UNITS, units, &rep), 0);
    assert_int_equal(import_text(f->s, IO_INDICATORS, inds, &rep), 0);
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, "indicator,unit,period,value\n"
                                                        "I01,U02,2025-06,1\n"
                                                        "I39,U39,2025-06,2\n"
                                                        "I01,U02,2025年6月,3\n", &rep), ERR_DATA);
    assert_int_equal(rep.nerrors_total, 1);
    assert_error(&rep, 0, 4, "", IO_DUPLICATE_KEY);
    assert_int_equal(rep.errors[0].ref_line, 2);
    assert_string_equal(rep.errors[0].detail, "I01 / U02 / 2025-06");
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, "indicator,unit,period,value\n"
                                                        "I01,U02,2025-06,1\n"
                                                        "I39,U39,2025-06,2\n", &rep), 0);
    assert_int_equal(rep.inserted, 2);
    free(units);
    free(inds);
}

static void test_target_errors(void **state)
{
    fixture *f = *state;
    io_report rep;
    load_fixtures(f->s, 3);
    assert_int_equal(import_text(f->s, IO_TARGETS, "indicator,unit,year,value\n"
                                                   "GDP,D01,2025,100\n"
                                                   "GDP,D01,2025,110\n"
                                                   "GDP,D01,1800,1\n"
                                                   "NOPE,D01,2025,1\n"
                                                   "GDP,D01,2026,一百\n", &rep), ERR_DATA);
    assert_int_equal(rep.nerrors_total, 4);
    assert_error(&rep, 0, 3, "", IO_DUPLICATE_KEY);
    assert_int_equal(rep.errors[0].ref_line, 2);
    assert_string_equal(rep.errors[0].detail, "GDP / D01 / 2025");
    assert_error(&rep, 1, 4, "year", IO_NOT_NUMBER);
    assert_error(&rep, 2, 5, "indicator", IO_UNKNOWN_INDICATOR);
    assert_error(&rep, 3, 6, "value", IO_NOT_NUMBER);
}

/* ---- soft validation ---- */

static size_t count_flags(store *s, const char *rule)
{
    model_obs_flag *fl = NULL;
    size_t n = 0, hits = 0;
    assert_int_equal(store_flags(s, 0, &fl, &n), 0);
    for (size_t i = 0; i < n; i++)
        hits += strcmp(fl[i].rule, rule) == 0;
    free(fl);
    return hits;
}

static void test_soft_validation(void **state)
{
    fixture *f = *state;
    const char *text = "indicator,unit,period,value\n"
                       "GDP,D02,2025-02,80\n"       /* ytd below January's stored 90 */
                       "GDP,D02,2025-03,120\n"
                       "GDP_G,D01,2025-04,150\n"    /* growth above 100 % */
                       "GDP_G,D02,2025-04,7.5\n";
    char hist[1024];
    size_t len;
    io_report rep;
    load_fixtures(f->s, IO_KIND_N);
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, text, &rep), 0);
    assert_int_equal(rep.flagged, 2);
    assert_int_equal(count_flags(f->s, "ytd_decrease"), 1);
    assert_int_equal(count_flags(f->s, "growth_range"), 1);
    /* Unchanged rows are not flagged again. */
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, text, &rep), 0);
    assert_int_equal(rep.flagged, 0);
    assert_int_equal(rep.unchanged, 4);
    /* An outlier against the unit's own history of a ratio indicator. */
    len = (size_t)snprintf(hist, sizeof hist, "indicator,unit,period,value\n");
    for (int m = 1; m <= 8; m++)
        len += (size_t)snprintf(hist + len, sizeof hist - len, "ENERGY,D02,2023-%02d,0.3%d\n", m,
                                m % 4);
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, hist, &rep), 0);
    assert_int_equal(rep.flagged, 0);
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, "indicator,unit,period,value\n"
                                                        "ENERGY,D02,2023-09,0.32\n"
                                                        "ENERGY,D02,2023-10,3.1\n", &rep), 0);
    assert_int_equal(rep.flagged, 1);
    assert_int_equal(count_flags(f->s, "outlier"), 1);
    /* A rejected file leaves no flags. */
    assert_int_equal(import_text(f->s, IO_OBSERVATIONS, "indicator,unit,period,value\n"
                                                        "GDP_G,D02,2025-05,999\n"
                                                        "GDP_G,D02,2025-06,x\n", &rep), ERR_DATA);
    assert_int_equal(count_flags(f->s, "growth_range"), 1);
}

/* ---- names and messages ---- */

static void test_names(void **state)
{
    int kind = -1;
    (void)state;
    assert_int_equal(io_kind_parse("数据", &kind), 0);
    assert_int_equal(kind, IO_OBSERVATIONS);
    assert_int_equal(io_kind_parse("obs", &kind), 0);
    assert_int_equal(kind, IO_OBSERVATIONS);
    assert_int_equal(io_kind_parse("Units", &kind), 0);
    assert_int_equal(kind, IO_UNITS);
    assert_int_equal(io_kind_parse("方案", &kind), 0);
    assert_int_equal(kind, IO_SCHEMES);
    assert_int_equal(io_kind_parse("projects", &kind), ERR_USAGE);
    assert_string_equal(io_kind_name(IO_TARGETS), "targets");
    assert_string_equal(io_reason_text(IO_NOT_NUMBER, 0), "不是数字");
    assert_string_equal(io_reason_text(IO_NOT_NUMBER, 1), "not a number");
    assert_string_equal(io_reason_key(IO_DUPLICATE_KEY), "duplicate_key");
}

static void test_error_format(void **state)
{
    io_report rep;
    io_error *e = &rep.errors[0];
    char msg[512];
    (void)state;
    memset(&rep, 0, sizeof rep);
    rep.kind = IO_OBSERVATIONS;
    snprintf(rep.file, sizeof rep.file, "obs.csv");
    e->line = 17;
    e->reason = IO_NOT_NUMBER;
    snprintf(e->column, sizeof e->column, "value");
    snprintf(e->detail, sizeof e->detail, "12.3亿");
    io_error_format(&rep, e, 1, msg, sizeof msg);
    assert_string_equal(msg, "obs.csv:17: column 'value': not a number '12.3亿'");
    io_error_format(&rep, e, 0, msg, sizeof msg);
    assert_string_equal(msg, "obs.csv:17: 列 'value': 不是数字 '12.3亿'");
    e->reason = IO_DUPLICATE_KEY;
    e->column[0] = '\0';
    e->ref_line = 9;
    snprintf(e->detail, sizeof e->detail, "GDP / D01 / 2025-01");
    io_error_format(&rep, e, 0, msg, sizeof msg);
    assert_string_equal(msg, "obs.csv:17: 重复 'GDP / D01 / 2025-01'（首次出现在第 9 行）");
    io_error_format(&rep, e, 1, msg, 20);
    assert_string_equal(msg, "obs.csv:17: duplica");
}

/* Chinese Excel saves "CSV" in GBK: such a file is read as GB18030 and the report says so;
 * bytes that are neither UTF-8 nor GB18030 get one error for their line. */
static void test_gbk_file(void **state)
{
    fixture *f = *state;
    /* "code,name,kind\nR01,青山区,region\n" with 青山区 in GBK */
    static const char gbk[] = "code,name,kind\nR01,\xc7\xe0\xc9\xbd\xc7\xf8,region\n";
    static const char junk[] = "code,name,kind\nR01,\xff\xff\xff,region\nR02,\xff,region\n";
    io_report rep;
    model_unit *units;
    size_t n;
    assert_int_equal(io_import_buffer(f->s, IO_UNITS, "gbk.csv", gbk, sizeof gbk - 1, NULL, &rep), 0);
    assert_string_equal(rep.encoding, "GB18030");
    assert_int_equal(store_units(f->s, &units, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(units[0].name, "青山区");
    free(units);
    assert_int_equal(io_import_buffer(f->s, IO_UNITS, "junk.csv", junk, sizeof junk - 1, NULL, &rep),
                     ERR_DATA);
    assert_string_equal(rep.encoding, "");
    assert_int_equal(rep.nerrors_total, 2); /* one per line, not one per field */
    assert_int_equal(rep.errors[0].line, 2);
    assert_int_equal(rep.errors[0].reason, IO_BAD_UTF8);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_db_setup, test_db_teardown)
    const struct CMUnitTest tests[] = {
        T(test_fixtures_import),
        T(test_reimport_unchanged),
        T(test_changed_value),
        T(test_state_option),
        T(test_round_trip),
        T(test_export_format),
        T(test_csv_edge_cases),
        T(test_observation_errors),
        T(test_header_errors),
        T(test_file_level_errors),
        T(test_locked_period),
        T(test_published_value),
        T(test_first_twenty_errors),
        T(test_large_file_one_bad_row),
        T(test_unit_errors),
        T(test_group_errors),
        T(test_indicator_errors),
        T(test_scheme_errors),
        T(test_duplicates_in_a_large_store),
        T(test_target_errors),
        T(test_soft_validation),
        T(test_gbk_file),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_error_format),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
