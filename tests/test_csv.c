/* test_csv: the CSV reader's edge cases (BOM, tab, CRLF, quoted commas, quotes and newlines,
 * blank lines, the line where each record starts) and the writer's quoting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "io/csv.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_RECS 16

/* The records read, each as its line and its fields joined by '|'. */
typedef struct seen {
    size_t n;
    long line[MAX_RECS];
    char text[MAX_RECS][256];
    int stop_at;          /* return 7 from this record (1-based), 0 never */
} seen;

static int collect(csv_record *rec, void *arg)
{
    seen *s = arg;
    size_t len = 0;
    if (s->n >= MAX_RECS)
        return 99;
    s->line[s->n] = rec->line;
    s->text[s->n][0] = '\0';
    for (size_t i = 0; i < rec->nfields; i++)
        len += (size_t)snprintf(s->text[s->n] + len, sizeof s->text[0] - len, "%s%s", i ? "|" : "",
                                rec->fields[i]);
    s->n++;
    return s->stop_at && (int)s->n == s->stop_at ? 7 : 0;
}

static seen read_text(const char *text, csv_info *info)
{
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(csv_read_buffer(text, strlen(text), collect, &s, info), 0);
    return s;
}

static void test_plain(void **state)
{
    csv_info info;
    seen s = read_text("a,b,c\n1,2,3\n", &info);
    (void)state;
    assert_int_equal(s.n, 2);
    assert_string_equal(s.text[0], "a|b|c");
    assert_string_equal(s.text[1], "1|2|3");
    assert_int_equal(s.line[1], 2);
    assert_int_equal(info.delim, ',');
    assert_int_equal(info.bom, 0);
}

static void test_bom_and_chinese(void **state)
{
    csv_info info;
    seen s = read_text("\xEF\xBB\xBF指标代码,单位代码\nGDP,新城区\n", &info);
    (void)state;
    assert_int_equal(info.bom, 1);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.text[0], "指标代码|单位代码");
    assert_string_equal(s.text[1], "GDP|新城区");
}

static void test_tab_delimiter(void **state)
{
    csv_info info;
    seen s = read_text("a\tb\tc\n1,5\t\"x\ty\"\t3\n", &info);
    (void)state;
    assert_int_equal(info.delim, '\t');
    assert_string_equal(s.text[1], "1,5|x\ty|3");
}

static void test_crlf(void **state)
{
    seen s = read_text("a,b\r\n1,2\r\n\r\n3,4\r\n", NULL);
    (void)state;
    assert_int_equal(s.n, 3);
    assert_string_equal(s.text[1], "1|2");
    assert_string_equal(s.text[2], "3|4");
    assert_int_equal(s.line[2], 4);
}

static void test_quoted(void **state)
{
    const char *text = "code,note\n"
                       "A,\"one, two\"\n"
                       "B,\"say \"\"hi\"\"\"\n"
                       "C,\"first line\r\nsecond line\nthird\"\n"
                       "D,after\n";
    seen s = read_text(text, NULL);
    (void)state;
    assert_int_equal(s.n, 5);
    assert_string_equal(s.text[1], "A|one, two");
    assert_string_equal(s.text[2], "B|say \"hi\"");
    assert_string_equal(s.text[3], "C|first line\r\nsecond line\nthird");
    assert_int_equal(s.line[3], 4);
    /* The record after a field of three lines starts on line 7. */
    assert_int_equal(s.line[4], 7);
    assert_string_equal(s.text[4], "D|after");
}

static void test_quoted_first_field_spans_lines(void **state)
{
    seen s = read_text("h\n\"a\nb\",x\nnext\n", NULL);
    (void)state;
    assert_int_equal(s.n, 3);
    assert_int_equal(s.line[1], 2);
    assert_int_equal(s.line[2], 4);
}

static void test_blank_rows(void **state)
{
    seen s = read_text("\n\na,b\n\n  \n,,\n , \n1,2", NULL);
    (void)state;
    assert_int_equal(s.n, 2);
    assert_int_equal(s.line[0], 3);
    assert_string_equal(s.text[1], "1|2");
    assert_int_equal(s.line[1], 8);
}

static void test_unterminated_quote(void **state)
{
    const char *text = "a,b\n1,2\n3,\"never closed\n4,5\n";
    csv_info info;
    seen s;
    (void)state;
    memset(&s, 0, sizeof s);
    assert_int_equal(csv_read_buffer(text, strlen(text), collect, &s, &info), ERR_DATA);
    assert_int_equal(info.bad_line, 3);
    assert_int_equal(s.n, 2);
}

static void test_stray_quote(void **state)
{
    const char *text = "a,b\n1,\"x\ny\"\n2,ab\"c\n3,4\n";
    csv_info info;
    seen s;
    (void)state;
    memset(&s, 0, sizeof s);
    assert_int_equal(csv_read_buffer(text, strlen(text), collect, &s, &info), ERR_DATA);
    assert_int_equal(info.bad_line, 4);
    assert_int_equal(s.n, 2);
}

static void test_callback_stops(void **state)
{
    const char *text = "a\nb\nc\nd\n";
    seen s;
    (void)state;
    memset(&s, 0, sizeof s);
    s.stop_at = 2;
    assert_int_equal(csv_read_buffer(text, strlen(text), collect, &s, NULL), 7);
    assert_int_equal(s.n, 2);
}

/* Counts records and notes the lines of two marked ones. */
typedef struct counter {
    long n, last_line, end_line;
} counter;

static int count(csv_record *rec, void *arg)
{
    counter *c = arg;
    c->n++;
    if (strcmp(rec->fields[0], "last") == 0) {
        c->last_line = rec->line;
        if (strcmp(rec->fields[1], "multi\nline") != 0)
            return 5;
    }
    if (strcmp(rec->fields[0], "end") == 0)
        c->end_line = rec->line;
    return 0;
}

/* A file larger than the read buffer, with a quoted newline near the end. */
static void test_file_chunks(void **state)
{
    char path[] = "/tmp/saima_csv_XXXXXX";
    int fd = mkstemp(path);
    counter c = { 0, 0, 0 };
    FILE *f;
    long rows;
    (void)state;
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("k,v\n", f);
    for (rows = 0; rows < 30000; rows++)
        fprintf(f, "%ld,\"text\n%ld\"\n", rows, rows);
    fputs("last,\"multi\nline\"\nend,1\n", f);
    fclose(f);
    assert_int_equal(csv_read_file(path, count, &c, NULL), 0);
    assert_int_equal(c.n, rows + 3);
    /* Header on line 1, then two lines per row. */
    assert_int_equal(c.last_line, 2 * rows + 2);
    assert_int_equal(c.end_line, 2 * rows + 4);
    unlink(path);
    assert_int_equal(csv_read_file(path, count, &c, NULL), ERR_NOTFOUND); /* the user must fix the path */
}

static void test_utf8(void **state)
{
    (void)state;
    assert_true(csv_utf8_valid("abc", 3));
    assert_true(csv_utf8_valid("地区生产总值", strlen("地区生产总值")));
    assert_true(csv_utf8_valid("\xF0\x9F\x98\x80", 4));
    assert_false(csv_utf8_valid("\xB5\xD8\xC7\xF8", 4));      /* 地区 in GBK */
    assert_false(csv_utf8_valid("\xC0\xAF", 2));              /* overlong '/' */
    assert_false(csv_utf8_valid("\xED\xA0\x80", 3));          /* a surrogate */
    assert_false(csv_utf8_valid("\xE5\x9C", 2));              /* cut short */
    assert_false(csv_utf8_valid("a\0b", 3));                  /* NUL */
    assert_false(csv_utf8_valid("\xFF\xFE" "a", 3));          /* UTF-16 BOM */
}

static void test_write_and_read_back(void **state)
{
    const char *fields[] = { "plain", "a,b", "say \"hi\"", "two\nlines", " padded ", "", "中文" };
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    seen s;
    (void)state;
    assert_non_null(f);
    assert_int_equal(csv_write_bom(f), 0);
    assert_int_equal(csv_write_row(f, fields, 7, ','), 0);
    assert_int_equal(csv_write_row(f, fields, 1, ','), 0);
    fclose(f);
    assert_string_equal(buf, "\xEF\xBB\xBFplain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" padded \",,"
                             "中文\r\nplain\r\n");
    memset(&s, 0, sizeof s);
    assert_int_equal(csv_read_buffer(buf, len, collect, &s, NULL), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.text[0], "plain|a,b|say \"hi\"|two\nlines| padded ||中文");
    assert_int_equal(s.line[1], 3);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_bom_and_chinese),
        cmocka_unit_test(test_tab_delimiter),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_quoted),
        cmocka_unit_test(test_quoted_first_field_spans_lines),
        cmocka_unit_test(test_blank_rows),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_stray_quote),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_file_chunks),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_write_and_read_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
