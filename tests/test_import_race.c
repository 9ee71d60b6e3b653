/* test_import_race: CSV import and export of the race's configuration — contest categories,
 * contests, judges' scores, awards and event caps — against a fresh database per test: the
 * fixtures, the import -> export -> import -> export round trip, and every error. */
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
#define NRACE (IO_KIND_ALL_N - IO_CATEGORIES)

/* Each test works on a store of its own on a fresh temporary database. */
typedef test_db fixture;

static int import_text(store *s, int kind, const char *text, io_report *rep)
{
    io_import_opts o = test_import_opts(TODAY);
    return io_import_buffer(s, kind, "t.csv", text, strlen(text), &o, rep);
}

/* The kinds the race refers to, then the race's own, in the order they must be loaded. */
static const struct { int kind; const char *file; size_t count; } files[] = {
    { IO_UNITS, "units.csv", 6 },
    { IO_GROUPS, "groups.csv", 2 },
    { IO_INDICATORS, "indicators.csv", 4 },
    { IO_SCHEMES, "schemes.csv", 2 },
    { IO_CATEGORIES, "categories.csv", 3 },
    { IO_CONTESTS, "contests.csv", 4 },
    { IO_JUDGES, "judges.csv", 6 },
    { IO_AWARDS, "awards.csv", 3 },
    { IO_CAPS, "caps.csv", 3 },
};
#define NBASE 4
#define NFILES (sizeof files / sizeof files[0])

static void fail_report(const char *what, const io_report *rep)
{
    char msg[512] = "";
    if (rep->nerrors)
        io_error_format(rep, &rep->errors[0], 1, msg, sizeof msg);
    fail_msg("%s: %s (%s)", what, msg, err_msg());
}

/* Imports the first n fixture files. */
static void load_fixtures(store *s, size_t n)
{
    io_import_opts o = test_import_opts(TODAY);
    io_report rep;
    for (size_t i = 0; i < n; i++) {
        if (io_import_file(s, files[i].kind, test_fixture_path(files[i].file), &o, &rep) != 0)
            fail_report(files[i].file, &rep);
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

static const model_contest *find_contest(const model_contest *cs, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(cs[i].code, code) == 0)
            return &cs[i];
    }
    fail_msg("no contest %s", code);
    return NULL;
}

static size_t contest_count(store *s)
{
    model_contest *cs = NULL;
    size_t n = 0;
    assert_int_equal(store_contests(s, "", &cs, &n), 0);
    free(cs);
    return n;
}

/* ---- good files ---- */

static void test_fixtures_import(void **state)
{
    fixture *f = *state;
    io_import_opts o = test_import_opts(TODAY);
    model_contest *cs = NULL;
    model_judge_score *js = NULL;
    model_award *as = NULL;
    model_event_cap *es = NULL;
    model_contest_category *ks = NULL;
    const model_contest *c;
    io_report rep;
    size_t n = 0;
    load_fixtures(f->s, NBASE);
    for (size_t i = NBASE; i < NFILES; i++) {
        if (io_import_file(f->s, files[i].kind, test_fixture_path(files[i].file), &o, &rep) != 0)
            fail_report(files[i].file, &rep);
        assert_int_equal(rep.inserted, files[i].count);
    }
    assert_int_equal(store_categories(f->s, &ks, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(ks[1].name_en, "Key projects, major");
    free(ks);
    assert_int_equal(store_contests(f->s, "", &cs, &n), 0);
    assert_int_equal(n, 4);
    /* "2025年三季度" is stored as its canonical code; weights in basis points. */
    c = find_contest(cs, n, "C25Q3_ECON");
    assert_string_equal(c->period_code, "2025-Q3");
    assert_int_equal(c->engine_weight_bp, 7000);
    assert_int_equal(c->judge_weight_bp, 3000);
    assert_int_equal(c->drop_extremes, 1);
    assert_string_equal(c->points, "top=3,2,1;bottom=-1");
    assert_int_equal(c->flag_tie_rule, FLAG_TIE_SHARED);
    /* No scheme and no weights: the judges alone; 否 keeps the extremes. */
    c = find_contest(cs, n, "C25Q3_PARTY");
    assert_string_equal(c->scheme_code, "");
    assert_int_equal(c->engine_weight_bp, 0);
    assert_int_equal(c->judge_weight_bp, 10000);
    assert_int_equal(c->drop_extremes, 0);
    assert_int_equal(c->flag_tie_rule, FLAG_TIE_JUDGES);
    /* One weight given: the other is the rest; an empty drop_extremes means yes. */
    c = find_contest(cs, n, "C25Q3_TOWN");
    assert_int_equal(c->engine_weight_bp, 6000);
    assert_int_equal(c->judge_weight_bp, 4000);
    assert_int_equal(c->drop_extremes, 1);
    assert_int_equal(c->flag_tie_rule, FLAG_TIE_HOLDER);
    c = find_contest(cs, n, "C25_09");
    assert_string_equal(c->period_code, "2025-09");
    assert_int_equal(c->engine_weight_bp, 8750);
    assert_int_equal(c->judge_weight_bp, 1250);
    assert_int_equal(c->flag_tie_rule, FLAG_TIE_NONE);
    free(cs);
    assert_int_equal(store_judge_scores(f->s, "C25Q3_TOWN", &js, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(js[0].judge, "赵六, 组长");
    assert_true(js[0].score == 100);
    free(js);
    assert_int_equal(store_judge_scores(f->s, "C25Q3_ECON", &js, &n), 0);
    assert_int_equal(n, 3);
    free(js);
    assert_int_equal(store_awards(f->s, &as, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(as[0].worst, 0);
    assert_string_equal(as[0].source, "contest");
    assert_int_equal(as[1].worst, 1);
    assert_string_equal(as[2].source, "indicator");
    assert_string_equal(as[2].source_code, "GDP");
    assert_string_equal(as[0].rule, "季度经济赛马第一名，并列共享");
    free(as);
    assert_int_equal(store_event_caps(f->s, 2026, &es, &n), 0);
    assert_int_equal(n, 1);
    assert_true(es[0].max_bonus == 6.5 && es[0].max_deduction == 4);
    free(es);
}

static void test_reimport_unchanged(void **state)
{
    fixture *f = *state;
    io_import_opts o = test_import_opts(TODAY);
    io_report rep;
    load_fixtures(f->s, NFILES);
    for (size_t i = NBASE; i < NFILES; i++) {
        if (io_import_file(f->s, files[i].kind, test_fixture_path(files[i].file), &o, &rep) != 0)
            fail_report(files[i].file, &rep);
        assert_int_equal(rep.unchanged, files[i].count);
        assert_int_equal(rep.inserted + rep.changed, 0);
    }
}

static void test_changed(void **state)
{
    fixture *f = *state;
    model_contest *cs = NULL;
    model_judge_score *js = NULL;
    io_report rep;
    size_t n;
    load_fixtures(f->s, NFILES);
    assert_int_equal(import_text(f->s, IO_CONTESTS, "code,name,group,category,period,flag_tie\n"
                                                    "C25Q3_PARTY,基层党建擂台赛,PEERS,PARTY,2025-Q3,空缺\n",
                                 &rep), 0);
    assert_int_equal(rep.changed, 1);
    assert_int_equal(store_contests(f->s, "2025-Q3", &cs, &n), 0);
    assert_int_equal(find_contest(cs, n, "C25Q3_PARTY")->flag_tie_rule, FLAG_TIE_NONE);
    /* drop_extremes left out means yes: the fixture's 否 is replaced. */
    assert_int_equal(find_contest(cs, n, "C25Q3_PARTY")->drop_extremes, 1);
    free(cs);
    assert_int_equal(import_text(f->s, IO_JUDGES, "contest,unit,judge,score\n"
                                                  "C25Q3_ECON,D01,张三,93\n"
                                                  "C25Q3_ECON,D03,张三,70\n"
                                                  "C25Q3_ECON,D02,张三,88\n", &rep), 0);
    assert_int_equal(rep.changed, 1);
    assert_int_equal(rep.inserted, 1);
    assert_int_equal(rep.unchanged, 1);
    assert_int_equal(store_judge_scores(f->s, "C25Q3_ECON", &js, &n), 0);
    assert_int_equal(n, 4);
    free(js);
}

/* import -> export -> import into a fresh database -> export: byte-identical for every race
 * kind, with Chinese headers and a BOM, and with English headers. */
static void test_round_trip(void **state)
{
    fixture *f = *state;
    load_fixtures(f->s, NFILES);
    for (int english = 0; english <= 1; english++) {
        fixture g = { NULL, "" };
        assert_int_equal(test_db_open(&g), 0);
        load_fixtures(g.s, NBASE);
        for (size_t i = NBASE; i < NFILES; i++) {
            char *first = export_text(f->s, files[i].kind, english), *second;
            io_report rep;
            if (import_text(g.s, files[i].kind, first, &rep) != 0)
                fail_report(io_kind_name(files[i].kind), &rep);
            assert_int_equal(rep.inserted, files[i].count);
            second = export_text(g.s, files[i].kind, english);
            assert_string_equal(first, second);
            free(first);
            free(second);
        }
        test_db_close(&g);
    }
}

static void test_export_format(void **state)
{
    fixture *f = *state;
    char *text;
    load_fixtures(f->s, NFILES);
    text = export_text(f->s, IO_CONTESTS, 1);
    assert_non_null(strstr(text, "code,name,group,category,period,scheme,scheme_weight,"
                                 "judge_weight,drop_extremes,points,flag_tie\r\n"));
    assert_non_null(strstr(text, "C25Q3_ECON,2025年三季度经济赛马,PEERS,ECON,2025-Q3,CITY2025,70,30,1,"
                                 "\"top=3,2,1;bottom=-1\",shared\r\n"));
    assert_non_null(strstr(text, "C25_09,九月经济赛马,PEERS,ECON,2025-09,CITY2025,87.5,12.5,1,,none\r\n"));
    free(text);
    text = export_text(f->s, IO_AWARDS, 0);
    assert_non_null(strstr(text, "奖项代码,奖项名称,英文名称,类型,依据,依据代码,分组代码,评选规则\r\n"));
    assert_non_null(strstr(text, "WONIU,蜗牛奖,,worst,contest,ECON,PEERS,末位\r\n"));
    free(text);
    text = export_text(f->s, IO_CAPS, 1);
    /* by year, then category in code-point order */
    assert_string_equal(text, "category,year,max_bonus,max_deduction\r\n争资引资,2025,5,3\r\n"
                              "表扬,2025,2,0\r\n争资引资,2026,6.5,4\r\n");
    free(text);
}

/* ---- errors ---- */

static void test_category_errors(void **state)
{
    fixture *f = *state;
    model_contest_category *ks = NULL;
    io_report rep;
    size_t n = 0;
    assert_int_equal(import_text(f->s, IO_CATEGORIES, "代码,名称,排序\n"
                                                      "ECON,经济,1\n"
                                                      "PROJ,,2\n"
                                                      "ECON,又一个,x\n", &rep), ERR_DATA);
    assert_int_equal(rep.nerrors_total, 3);
    assert_error(&rep, 0, 3, "名称", IO_EMPTY_FIELD);
    assert_error(&rep, 1, 4, "排序", IO_NOT_NUMBER);
    assert_error(&rep, 2, 4, "代码", IO_DUPLICATE_KEY);
    assert_int_equal(rep.errors[2].ref_line, 2);
    assert_int_equal(store_categories(f->s, &ks, &n), 0);
    assert_int_equal(n, 0);
    free(ks);
}

static void test_contest_errors(void **state)
{
    fixture *f = *state;
    static const char text[] =
        "code,name,group,category,period,scheme,scheme_weight,judge_weight,drop_extremes,points,"
        "flag_tie\n"
        "OK1,好的,PEERS,ECON,2025-Q4,,,,,,\n"                            /* 2: fine */
        "X1,甲,NOGROUP,ECON,2025-Q3,,,,,,\n"                              /* 3 */
        "X2,乙,PEERS,NOCAT,2025-Q3,,,,,,\n"                               /* 4 */
        "X3,丙,PEERS,ECON,2025-Q3,NOSCHEME,,,,,\n"                        /* 5 */
        "X4,丁,PEERS,ECON,2025-Q3,CITY2025,60,30,,,\n"                    /* 6 */
        "X5,戊,PEERS,ECON,2025-Q3,,,,,\"top=1,2\",\n"                     /* 7 */
        "X6,己,PEERS,ECON,2025-Q3,,,,,,coin\n"                            /* 8 */
        "X7,庚,PEERS,ECON,2025-13,,,,,,\n"                                /* 9 */
        "X8,辛,PEERS,ECON,2025-Q3,,120,,,,\n"                             /* 10 */
        "X9,壬,PEERS,ECON,2025-Q3,,,,maybe,,\n"                           /* 11 */
        "OK1,重复,PEERS,ECON,2025-Q4,,,,,,\n"                             /* 12 */
        "X10,癸,PEERS,ECON,2025-Q3,,,,,top=3;bogus=1,\n";                 /* 13 */
    char msg[512];
    io_report rep;
    load_fixtures(f->s, NBASE + 1);
    assert_int_equal(import_text(f->s, IO_CONTESTS, text, &rep), ERR_DATA);
    assert_int_equal(rep.nerrors_total, 11);
    assert_error(&rep, 0, 3, "group", IO_UNKNOWN_GROUP);
    assert_error(&rep, 1, 4, "category", IO_UNKNOWN_CATEGORY);
    assert_error(&rep, 2, 5, "scheme", IO_UNKNOWN_SCHEME);
    assert_error(&rep, 3, 6, "judge_weight", IO_WEIGHTS_100);
    assert_string_equal(rep.errors[3].detail, "60% + 30%");
    assert_error(&rep, 4, 7, "points", IO_BAD_PARAMS);
    /* the engine's own message says why */
    assert_true(rep.errors[4].hint[0] != '\0');
    assert_error(&rep, 5, 8, "flag_tie", IO_BAD_VALUE);
    assert_non_null(strstr(rep.errors[5].hint, "judges"));
    assert_error(&rep, 6, 9, "period", IO_BAD_PERIOD);
    assert_error(&rep, 7, 10, "scheme_weight", IO_OUT_OF_RANGE);
    assert_error(&rep, 8, 11, "drop_extremes", IO_BAD_VALUE);
    assert_error(&rep, 9, 12, "code", IO_DUPLICATE_KEY);
    assert_int_equal(rep.errors[9].ref_line, 2);
    assert_error(&rep, 10, 13, "points", IO_BAD_PARAMS);
    io_error_format(&rep, &rep.errors[3], 1, msg, sizeof msg);
    assert_string_equal(msg, "t.csv:6: column 'judge_weight': the scheme and judge weights do not "
                             "add up to 100% '60% + 30%'");
    assert_int_equal(contest_count(f->s), 0);
}

static void test_judge_errors(void **state)
{
    fixture *f = *state;
    static const char text[] = "比拼代码,单位代码,评委,得分\n"
                               "C25Q3_ECON,D03,张三,80\n"       /* 2: fine */
                               "NOPE,D01,张三,80\n"             /* 3 */
                               "C25Q3_ECON,ZZZ,张三,80\n"       /* 4 */
                               "C25Q3_ECON,T01,张三,80\n"       /* 5: not in PEERS */
                               "C25Q3_ECON,D02,张三,100.5\n"    /* 6 */
                               "C25Q3_ECON,D02,李四,-1\n"       /* 7 */
                               "C25Q3_ECON,D02,李四,abc\n"      /* 8 */
                               "C25Q3_ECON,D02,,80\n"           /* 9 */
                               "C25Q3_ECON,D03,张三,81\n";      /* 10: twice */
    model_judge_score *js = NULL;
    char msg[512];
    io_report rep;
    size_t n = 0;
    load_fixtures(f->s, NBASE + 2);
    assert_int_equal(import_text(f->s, IO_JUDGES, text, &rep), ERR_DATA);
    assert_int_equal(rep.nerrors_total, 8);
    assert_error(&rep, 0, 3, "比拼代码", IO_UNKNOWN_CONTEST);
    assert_error(&rep, 1, 4, "单位代码", IO_UNKNOWN_UNIT);
    assert_error(&rep, 2, 5, "单位代码", IO_NOT_MEMBER);
    assert_string_equal(rep.errors[2].detail, "T01");
    assert_string_equal(rep.errors[2].hint, "PEERS");
    io_error_format(&rep, &rep.errors[2], 0, msg, sizeof msg);
    assert_string_equal(msg, "t.csv:5: 列 '单位代码': 单位不是该比拼分组的成员 'T01'（分组 PEERS）");
    assert_error(&rep, 3, 6, "得分", IO_OUT_OF_RANGE);
    assert_string_equal(rep.errors[3].hint, "0..100");
    assert_error(&rep, 4, 7, "得分", IO_OUT_OF_RANGE);
    assert_error(&rep, 5, 8, "得分", IO_NOT_NUMBER);
    assert_error(&rep, 6, 9, "评委", IO_EMPTY_FIELD);
    assert_error(&rep, 7, 10, "", IO_DUPLICATE_KEY);
    assert_int_equal(rep.errors[7].ref_line, 2);
    io_error_format(&rep, &rep.errors[7], 1, msg, sizeof msg);
    assert_string_equal(msg, "t.csv:10: duplicate key 'C25Q3_ECON / D03 / 张三' (first on line 2)");
    assert_int_equal(store_judge_scores(f->s, "C25Q3_ECON", &js, &n), 0);
    assert_int_equal(n, 0);
    free(js);
}

static void test_award_errors(void **state)
{
    fixture *f = *state;
    static const char text[] = "code,name,kind,source,source_code,group\n"
                               "A1,甲,best,contest,ECON,PEERS\n"        /* 2: fine */
                               "A2,乙,best,contest,GDP,PEERS\n"         /* 3: not a category */
                               "A3,丙,最差,指标,ECON,PEERS\n"           /* 4: not an indicator */
                               "A4,丁,best,指标,GDP,NOGROUP\n"          /* 5 */
                               "A5,戊,middle,contest,ECON,PEERS\n"      /* 6 */
                               "A6,己,best,unit,D01,PEERS\n"            /* 7 */
                               "A1,庚,best,contest,ECON,PEERS\n";       /* 8 */
    model_award *as = NULL;
    io_report rep;
    size_t n = 0;
    load_fixtures(f->s, NBASE + 1);
    assert_int_equal(import_text(f->s, IO_AWARDS, text, &rep), ERR_DATA);
    assert_int_equal(rep.nerrors_total, 6);
    assert_error(&rep, 0, 3, "source_code", IO_UNKNOWN_CATEGORY);
    assert_error(&rep, 1, 4, "source_code", IO_UNKNOWN_INDICATOR);
    assert_error(&rep, 2, 5, "group", IO_UNKNOWN_GROUP);
    assert_error(&rep, 3, 6, "kind", IO_BAD_VALUE);
    assert_error(&rep, 4, 7, "source", IO_BAD_VALUE);
    assert_error(&rep, 5, 8, "code", IO_DUPLICATE_KEY);
    assert_int_equal(store_awards(f->s, &as, &n), 0);
    assert_int_equal(n, 0);
    free(as);
}

static void test_cap_errors(void **state)
{
    fixture *f = *state;
    static const char text[] = "事项类别,年度,加分上限,减分上限\n"
                               "争资引资,2025,5,3\n"      /* 2: fine */
                               "表扬,2025,-1,0\n"         /* 3 */
                               "表扬,2026,1,-0.5\n"       /* 4 */
                               "表扬,1800,1,1\n"          /* 5 */
                               ",2025,1,1\n"              /* 6 */
                               "争资引资,2025,6,3\n";     /* 7: twice */
    model_event_cap *es = NULL;
    io_report rep;
    size_t n = 0;
    assert_int_equal(import_text(f->s, IO_CAPS, text, &rep), ERR_DATA);
    assert_int_equal(rep.nerrors_total, 5);
    assert_error(&rep, 0, 3, "加分上限", IO_OUT_OF_RANGE);
    assert_string_equal(rep.errors[0].hint, ">= 0");
    assert_error(&rep, 1, 4, "减分上限", IO_OUT_OF_RANGE);
    assert_error(&rep, 2, 5, "年度", IO_NOT_NUMBER);
    assert_error(&rep, 3, 6, "事项类别", IO_EMPTY_FIELD);
    assert_error(&rep, 4, 7, "", IO_DUPLICATE_KEY);
    assert_int_equal(rep.errors[4].ref_line, 2);
    assert_int_equal(store_event_caps(f->s, 0, &es, &n), 0);
    assert_int_equal(n, 0);
    free(es);
}

/* Required columns are required: a judges file without scores is refused by its header. */
static void test_missing_columns(void **state)
{
    fixture *f = *state;
    io_report rep;
    load_fixtures(f->s, NBASE + 2);
    assert_int_equal(import_text(f->s, IO_JUDGES, "contest,unit,judge\nC25Q3_ECON,D01,张三\n", &rep),
                     ERR_DATA);
    assert_error(&rep, 0, 1, "", IO_MISSING_COLUMN);
    assert_string_equal(rep.errors[0].detail, "score");
    assert_int_equal(import_text(f->s, IO_CONTESTS, "code,name,group,category\nX,x,PEERS,ECON\n",
                                 &rep), ERR_DATA);
    assert_error(&rep, 0, 1, "", IO_MISSING_COLUMN);
    assert_string_equal(rep.errors[0].detail, "period");
}

static void test_names(void **state)
{
    static const struct { const char *name; int kind; const char *key; } names[] = {
        { "categories", IO_CATEGORIES, "categories" }, { "赛道", IO_CATEGORIES, "categories" },
        { "比拼类别", IO_CATEGORIES, "categories" },   { "Contests", IO_CONTESTS, "contests" },
        { "比拼", IO_CONTESTS, "contests" },           { "judges", IO_JUDGES, "judges" },
        { "测评", IO_JUDGES, "judges" },               { "评委打分", IO_JUDGES, "judges" },
        { "awards", IO_AWARDS, "awards" },             { "奖项", IO_AWARDS, "awards" },
        { "caps", IO_CAPS, "caps" },                   { "封顶", IO_CAPS, "caps" },
    };
    int kind = -1;
    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        kind = -1;
        assert_int_equal(io_kind_parse(names[i].name, &kind), 0);
        assert_int_equal(kind, names[i].kind);
        assert_string_equal(io_kind_name(kind), names[i].key);
    }
    assert_int_equal(io_kind_parse("奖牌", &kind), ERR_USAGE);
    assert_int_equal(NRACE, 5);
    assert_string_equal(io_reason_key(IO_NOT_MEMBER), "not_member");
    assert_string_equal(io_reason_key(IO_WEIGHTS_100), "weights_100");
    assert_string_equal(io_reason_text(IO_UNKNOWN_CONTEST, 0), "未知的比拼代码");
    assert_string_equal(io_reason_text(IO_OUT_OF_RANGE, 1), "the number is out of range");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_db_setup, test_db_teardown)
    const struct CMUnitTest tests[] = {
        T(test_fixtures_import),
        T(test_reimport_unchanged),
        T(test_changed),
        T(test_round_trip),
        T(test_export_format),
        T(test_category_errors),
        T(test_contest_errors),
        T(test_judge_errors),
        T(test_award_errors),
        T(test_cap_errors),
        T(test_missing_columns),
        cmocka_unit_test(test_names),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
