/* test_util: period codes in every accepted form, period arithmetic, the number parsing and
 * exact formatting that CSV import and export rely on, and the bounded buffer. */
#include "util/buf.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/num.h"
#include "util/period.h"
#include "util/table.h"
#include "util/text.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void assert_period(const char *text, const char *canonical)
{
    period_key p;
    char buf[PERIOD_CODE_MAX];
    if (period_parse(text, &p) != 0)
        fail_msg("'%s' did not parse: %s", text, err_msg());
    period_format(&p, buf, sizeof buf);
    if (strcmp(buf, canonical) != 0)
        fail_msg("'%s' parsed as %s, expected %s", text, buf, canonical);
}

static void assert_not_period(const char *text, const char *reason)
{
    period_key p;
    if (period_parse(text, &p) != ERR_DATA)
        fail_msg("'%s' should not parse", text);
    if (!strstr(err_msg(), reason))
        fail_msg("'%s': message '%s' lacks '%s'", text, err_msg(), reason);
}

static void test_period_forms(void **state)
{
    (void)state;
    assert_period("2025-09", "2025-09");
    assert_period("2025-9", "2025-09");
    assert_period("202509", "2025-09");
    assert_period("2025/09", "2025-09");
    assert_period("2025.9", "2025-09");
    assert_period("2025年9月", "2025-09");
    assert_period("2025年1-9月", "2025-09");
    assert_period("2025年1—9月", "2025-09");
    assert_period("2025年1至12月", "2025-12");
    assert_period("2025-Q3", "2025-Q3");
    assert_period("2025Q1", "2025-Q1");
    assert_period("2025q4", "2025-Q4");
    assert_period("2025年三季度", "2025-Q3");
    assert_period("2025年第2季度", "2025-Q2");
    assert_period("2025年4季度", "2025-Q4");
    assert_period("2025-H1", "2025-H1");
    assert_period("2025H2", "2025-H2");
    assert_period("2025年上半年", "2025-H1");
    assert_period("2025年下半年", "2025-H2");
    assert_period("2025", "2025");
    assert_period("2025年", "2025");
    assert_period("2025年度", "2025");
}

static void test_period_errors(void **state)
{
    (void)state;
    assert_not_period("2025-13", "out of range");
    assert_not_period("2025-00", "out of range");
    assert_not_period("2025-Q5", "out of range");
    assert_not_period("2025-H3", "out of range");
    assert_not_period("1900-01", "out of range");
    assert_not_period("2025年2-9月", "not a period"); /* a range must start in January */
    assert_not_period("25-09", "not a period");
    assert_not_period("September", "not a period");
    assert_not_period("", "not a period");
    assert_not_period("2025-09x", "not a period");
    assert_not_period("2025年9", "not a period");
}

static void test_period_arithmetic(void **state)
{
    period_key jan = { PERIOD_MONTH, 2025, 1 }, q1 = { PERIOD_QUARTER, 2025, 1 };
    period_key mar = { PERIOD_MONTH, 2025, 3 }, y = { PERIOD_YEAR, 2025, 1 };
    period_key p;
    (void)state;
    p = period_prev(&jan);
    assert_int_equal(p.year, 2024);
    assert_int_equal(p.seq, 12);
    p = period_prev(&q1);
    assert_int_equal(p.kind, PERIOD_QUARTER);
    assert_int_equal(p.seq, 4);
    p = period_last_year(&mar);
    assert_int_equal(p.year, 2024);
    assert_int_equal(p.seq, 3);
    assert_int_equal(period_last_month(&q1), 3);
    assert_int_equal(period_last_month(&y), 12);
    assert_true(period_ordinal(&mar) < period_ordinal(&q1)); /* same end: month before quarter */
    assert_true(period_ordinal(&jan) < period_ordinal(&mar));
    assert_true(period_ordinal(&q1) < period_ordinal(&y));
    assert_true(period_equal(&jan, &jan));
    assert_false(period_equal(&mar, &q1));
}

static void test_period_kinds(void **state)
{
    int kind;
    (void)state;
    assert_int_equal(period_kind_parse("quarter", &kind), 0);
    assert_int_equal(kind, PERIOD_QUARTER);
    assert_int_equal(period_kind_parse("半年", &kind), 0);
    assert_int_equal(kind, PERIOD_HALF);
    assert_int_equal(period_kind_parse("week", &kind), ERR_DATA);
    assert_string_equal(period_kind_name(PERIOD_YEAR), "year");
}

static void assert_number(const char *text, double expected)
{
    double v;
    if (num_parse(text, &v) != 0)
        fail_msg("'%s' did not parse: %s", text, err_msg());
    if (v != expected)
        fail_msg("'%s' parsed as %.17g, expected %.17g", text, v, expected);
}

static void assert_not_number(const char *text)
{
    double v;
    if (num_parse(text, &v) != ERR_DATA)
        fail_msg("'%s' should not parse", text);
}

static void test_dates(void **state)
{
    int y, m, d;
    (void)state;
    assert_int_equal(period_parse_date("2025-03-31", &y, &m, &d), 0);
    assert_true(y == 2025 && m == 3 && d == 31);
    assert_int_equal(period_parse_date("2024-02-29", &y, &m, &d), 0);
    assert_int_equal(period_parse_date("2025-02-29", &y, &m, &d), ERR_DATA);
    assert_int_equal(period_parse_date("2025-04-31", &y, &m, &d), ERR_DATA);
    assert_int_equal(period_parse_date("2025-13-01", &y, &m, &d), ERR_DATA);
    assert_int_equal(period_parse_date("2025-1-01", &y, &m, &d), ERR_DATA);
    assert_int_equal(period_parse_date("2025/01/01", &y, &m, &d), ERR_DATA);
}

static void test_numbers(void **state)
{
    (void)state;
    assert_number("12.5", 12.5);
    assert_number(" -3 ", -3);
    assert_number("+7", 7);
    assert_number("1,234.5", 1234.5);
    assert_number("12,345,678", 12345678);
    assert_number("8.2%", 8.2);
    assert_number("1e3", 1000);
    assert_number("0", 0);
    assert_not_number("");
    assert_not_number("  ");
    assert_not_number("12.3亿");
    assert_not_number("abc");
    assert_not_number("1,23");
    assert_not_number("12,3456");
    assert_not_number("1234,567");
    assert_not_number("0x10");
    assert_not_number("nan");
    assert_not_number("inf");
    assert_not_number("1e999");
    assert_not_number("1.2.3");
}

static void test_number_round_trip(void **state)
{
    const double values[] = { 0.1, 1.0 / 3, 412.57, -0.0001, 123456789.123, 1e-300, 5e307, 2.5,
                              10, 1e17, 123456789012345678.0, 1.5e-9, 7e-10 };
    char buf[NUM_TEXT_MAX];
    double back;
    (void)state;
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        num_format(values[i], buf, sizeof buf);
        assert_int_equal(num_parse(buf, &back), 0);
        assert_true(back == values[i]);
    }
    num_format(0.1, buf, sizeof buf);
    assert_string_equal(buf, "0.1"); /* shortest, not 0.10000000000000001 */
    num_format(412.57, buf, sizeof buf);
    assert_string_equal(buf, "412.57");
    num_format(10, buf, sizeof buf);
    assert_string_equal(buf, "10"); /* not 1e+01 */
    num_format(100, buf, sizeof buf);
    assert_string_equal(buf, "100");
    num_format(-2500000, buf, sizeof buf);
    assert_string_equal(buf, "-2500000");
    num_format(0.0001, buf, sizeof buf);
    assert_string_equal(buf, "0.0001");
    num_format(1e-300, buf, sizeof buf);
    assert_string_equal(buf, "1e-300");
}

static void test_int_and_bool(void **state)
{
    long v;
    int b;
    (void)state;
    assert_int_equal(num_parse_int("2025", 1949, 2200, &v), 0);
    assert_int_equal(v, 2025);
    assert_int_equal(num_parse_int("1800", 1949, 2200, &v), ERR_DATA);
    assert_int_equal(num_parse_int("20x5", 1949, 2200, &v), ERR_DATA);
    assert_int_equal(num_parse_bool("是", &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(num_parse_bool("", &b), 0);
    assert_int_equal(b, 0);
    assert_int_equal(num_parse_bool("maybe", &b), ERR_DATA);
}

static void test_error_table(void **state)
{
    (void)state;
    assert_int_equal(err_exit_code(0), 0);
    assert_int_equal(err_exit_code(ERR_USAGE), 1);
    assert_int_equal(err_exit_code(ERR_DATA), 2);
    assert_int_equal(err_exit_code(ERR_LOCKED), 2);
    assert_int_equal(err_exit_code(ERR_DB), 3);
    assert_int_equal(err_http_status(ERR_NOTFOUND), 404);
    assert_string_equal(err_name(ERR_DATA), "bad data");
    assert_int_equal(err_set(ERR_DATA, "line %d", 17), ERR_DATA);
    assert_string_equal(err_msg(), "line 17");
    err_clear();
    assert_string_equal(err_msg(), "");
}

static void test_buf_within_limit(void **state)
{
    struct buf b;
    (void)state;
    buf_init(&b, 10);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(buf_add(&b, "abc", 3), 0);
    assert_int_equal(buf_add_str(&b, "de"), 0);
    assert_int_equal(buf_add(&b, "", 0), 0);
    assert_string_equal(buf_str(&b), "abcde");
    assert_int_equal(buf_add_str(&b, "fghij"), 0); /* exactly the limit */
    assert_int_equal(buf_len(&b), 10);
    assert_string_equal(buf_str(&b), "abcdefghij");
    assert_int_equal(buf_error(&b), 0);
    buf_free(&b);
    assert_int_equal(buf_len(&b), 0);
    assert_string_equal(buf_str(&b), "");
}

static void test_buf_over_limit(void **state)
{
    struct buf b;
    (void)state;
    buf_init(&b, 8);
    assert_int_equal(buf_add_str(&b, "12345"), 0);
    assert_int_equal(buf_add_str(&b, "6789"), ERR_TOOBIG);
    assert_null(b.bytes); /* the contents are freed at once */
    assert_int_equal(buf_len(&b), 0);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(buf_error(&b), ERR_TOOBIG);
    /* every later append fails the same way, even one that would fit */
    assert_int_equal(buf_add_str(&b, "x"), ERR_TOOBIG);
    assert_int_equal(buf_printf(&b, "%d", 1), ERR_TOOBIG);
    assert_int_equal(buf_len(&b), 0);
    assert_null(buf_take(&b, NULL));
    buf_reset(&b);
    assert_int_equal(buf_error(&b), 0);
    assert_int_equal(buf_add_str(&b, "x"), 0);
    assert_string_equal(buf_str(&b), "x");
    assert_int_equal(buf_printf(&b, "%s", "too long"), ERR_TOOBIG);
    assert_null(b.bytes);
    buf_free(&b);
}

static void test_buf_printf(void **state)
{
    struct buf b;
    char big[300];
    (void)state;
    buf_init(&b, 1000);
    assert_int_equal(buf_printf(&b, "%s:%ld: ", "units.csv", 17L), 0);
    assert_int_equal(buf_printf(&b, "%.*s|%05.1f", 3, "列名", 3.5), 0);
    assert_string_equal(buf_str(&b), "units.csv:17: 列|003.5");
    /* a formatted text longer than the first allocation grows the buffer */
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buf_reset(&b);
    assert_int_equal(buf_printf(&b, "<%s>", big), 0);
    assert_int_equal(buf_len(&b), 301);
    assert_int_equal(buf_str(&b)[300], '>');
    assert_int_equal(buf_printf(&b, "%s%s%s%s", big, big, big, big), ERR_TOOBIG);
    assert_int_equal(buf_len(&b), 0);
    buf_free(&b);
}

static void test_buf_take_reset_free(void **state)
{
    struct buf b;
    size_t len = 99;
    char *text;
    (void)state;
    buf_init(&b, 64);
    text = buf_take(&b, &len); /* nothing added yet: an owned "" */
    assert_non_null(text);
    assert_string_equal(text, "");
    assert_int_equal(len, 0);
    free(text);
    assert_int_equal(buf_add_str(&b, "kept"), 0);
    text = buf_take(&b, &len);
    assert_string_equal(text, "kept");
    assert_int_equal(len, 4);
    assert_int_equal(buf_len(&b), 0); /* the buffer is empty and usable again */
    assert_int_equal(buf_add_str(&b, "next"), 0);
    assert_string_equal(buf_str(&b), "next");
    assert_string_equal(text, "kept");
    free(text);
    buf_reset(&b);
    assert_int_equal(buf_len(&b), 0);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(buf_add_str(&b, "again"), 0);
    assert_string_equal(buf_str(&b), "again");
    buf_free(&b);
    buf_free(&b);
    buf_free(NULL);
    assert_int_equal(err_http_status(ERR_TOOBIG), 413);
    assert_int_equal(err_exit_code(ERR_TOOBIG), 2);
}

static void test_grow_array(void **state)
{
    size_t cap = 0;
    int *a = NULL, *b;
    (void)state;
    a = grow_array(a, &cap, 1, sizeof *a, 4);
    assert_non_null(a);
    assert_int_equal(cap, 4);
    a[3] = 7;
    assert_ptr_equal(grow_array(a, &cap, 4, sizeof *a, 4), a); /* already room */
    b = grow_array(a, &cap, 9, sizeof *a, 4);
    assert_non_null(b);
    assert_int_equal(cap, 16);
    assert_int_equal(b[3], 7);
    a = b;
    /* an overflowing size fails and leaves the array and its capacity alone */
    assert_null(grow_array(a, &cap, (size_t)-1 / 2, sizeof *a, 4));
    assert_int_equal(cap, 16);
    assert_int_equal(a[3], 7);
    free(a);
}

/* Lower case touches ASCII letters only and refuses a text that does not fit. */
static void test_text_copy_lower(void **state)
{
    char out[8];
    (void)state;
    assert_int_equal(text_copy_lower("YeS", out, sizeof out), 0);
    assert_string_equal(out, "yes");
    assert_int_equal(text_copy_lower("月Q1", out, sizeof out), 0);
    assert_string_equal(out, "月q1");
    assert_int_equal(text_copy_lower("1234567", out, sizeof out), 0);
    assert_int_equal(text_copy_lower("12345678", out, sizeof out), -1);
}

static void test_text_width(void **state)
{
    (void)state;
    assert_int_equal(table_text_width("GDP"), 3);
    assert_int_equal(table_text_width("地区生产总值"), 12);
    assert_int_equal(table_text_width("亿元 %"), 6);
    assert_int_equal(table_text_width("ＡＢ"), 4); /* full-width Latin letters */
    assert_int_equal(table_text_width(""), 0);
}

/* Each column starts at the same display column on every line, whatever the script. */
static void test_table_alignment(void **state)
{
    const char *headers[] = { "指标", "value", "单位" };
    const char *rows[][3] = { { "地区生产总值", "482.93", "亿元" }, { "GDP", "5", "%" },
                              { "规上工业增加值增速", "-1.2", "万平方米" } };
    char *buf = NULL, *line, *save = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    table *t = table_new(3, headers);
    int lines = 0, value_end = -1;
    (void)state;
    assert_non_null(t);
    table_right(t, 1);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(table_add(t, rows[i]), 0);
    table_print(t, out);
    table_free(t);
    fclose(out);
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char prefix[256];
        const char *third = NULL;
        if (strncmp(line, "─", 3) == 0)
            continue;
        /* the value column is right-aligned: it ends where the third column's gap begins */
        for (const char *p = line; *p; p++) {
            if (p[0] == ' ' && p[1] == ' ' && p[2] != ' ' && p > line && p[-1] != ' ')
                third = p;
        }
        assert_non_null(third);
        snprintf(prefix, sizeof prefix, "%.*s", (int)(third - line), line);
        if (value_end < 0)
            value_end = table_text_width(prefix);
        assert_int_equal(table_text_width(prefix), value_end);
        lines++;
    }
    assert_int_equal(lines, 4);
    free(buf);
    table_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_forms),     cmocka_unit_test(test_period_errors),
        cmocka_unit_test(test_period_arithmetic), cmocka_unit_test(test_period_kinds),
        cmocka_unit_test(test_dates),            cmocka_unit_test(test_numbers),          cmocka_unit_test(test_number_round_trip),
        cmocka_unit_test(test_int_and_bool),     cmocka_unit_test(test_error_table),
        cmocka_unit_test(test_text_width),       cmocka_unit_test(test_text_copy_lower),
        cmocka_unit_test(test_table_alignment),
        cmocka_unit_test(test_buf_within_limit),  cmocka_unit_test(test_buf_over_limit),
        cmocka_unit_test(test_buf_printf),        cmocka_unit_test(test_buf_take_reset_free),
        cmocka_unit_test(test_grow_array),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
