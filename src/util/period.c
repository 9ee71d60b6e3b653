/* period: parsing and formatting of period codes, and period arithmetic. */
#include "util/period.h"

#include "util/err.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = { "month", "quarter", "half", "year" };

const char *period_kind_name(int kind)
{
    return (kind >= PERIOD_MONTH && kind <= PERIOD_YEAR) ? kind_names[kind] : "?";
}

int period_kind_parse(const char *text, int *kind)
{
    static const struct { const char *name; int kind; } names[] = {
        { "month", PERIOD_MONTH }, { "月", PERIOD_MONTH }, { "月度", PERIOD_MONTH },
        { "quarter", PERIOD_QUARTER }, { "季", PERIOD_QUARTER }, { "季度", PERIOD_QUARTER },
        { "half", PERIOD_HALF }, { "半年", PERIOD_HALF }, { "half-year", PERIOD_HALF },
        { "year", PERIOD_YEAR }, { "年", PERIOD_YEAR }, { "年度", PERIOD_YEAR },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(text, names[i].name) == 0) {
            *kind = names[i].kind;
            return 0;
        }
    }
    return err_set(ERR_DATA, "unknown period kind '%s' (month, quarter, half or year)", text);
}

/* Reads an unsigned decimal number of at most max_digits; returns chars consumed (0 if none). */
static int read_uint(const char *s, int max_digits, int *out)
{
    int n = 0, v = 0;
    while (n < max_digits && s[n] >= '0' && s[n] <= '9')
        v = v * 10 + (s[n++] - '0');
    *out = v;
    return n;
}

/* Chinese numerals 一..四 used for quarters. */
static int read_cn_digit(const char *s, int *out)
{
    static const char *const digits[] = { "一", "二", "三", "四" };
    for (int i = 0; i < 4; i++) {
        size_t len = strlen(digits[i]);
        if (strncmp(s, digits[i], len) == 0) {
            *out = i + 1;
            return (int)len;
        }
    }
    return 0;
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Nonzero when a part of p (its year, else its month, quarter or half) is out of range;
 * *lo..*hi is then that part's allowed range. */
static int range_of_bad_part(const period_key *p, int *lo, int *hi)
{
    static const int max_seq[] = { 12, 4, 2, 1 };
    if (p->year < PERIOD_YEAR_MIN || p->year > PERIOD_YEAR_MAX) {
        *lo = PERIOD_YEAR_MIN;
        *hi = PERIOD_YEAR_MAX;
        return 1;
    }
    if (p->seq < 1 || p->seq > max_seq[p->kind]) {
        *lo = 1;
        *hi = max_seq[p->kind];
        return 1;
    }
    return 0;
}

static int check_range(const period_key *p, const char *text)
{
    int lo, hi;
    if (!range_of_bad_part(p, &lo, &hi))
        return 0;
    if (p->year < PERIOD_YEAR_MIN || p->year > PERIOD_YEAR_MAX)
        return err_set(ERR_DATA, "period '%s' out of range: year %d not in %d..%d", text,
                       p->year, lo, hi);
    return err_set(ERR_DATA, "period '%s' out of range: %s %d not in %d..%d", text,
                   period_kind_name(p->kind), p->seq, lo, hi);
}

/* The part after the year in a Chinese form: 9月, 1-9月, 第3季度, 三季度, 上半年, (empty), 度. */
static int parse_cn_tail(const char *s, period_key *p)
{
    int a = 0, b = 0, n;
    if (*s == '\0' || strcmp(s, "度") == 0 || strcmp(s, "全年") == 0) {
        p->kind = PERIOD_YEAR;
        p->seq = 1;
        return 0;
    }
    if (strcmp(s, "上半年") == 0 || strcmp(s, "下半年") == 0) {
        p->kind = PERIOD_HALF;
        p->seq = starts(s, "上") ? 1 : 2;
        return 0;
    }
    if (starts(s, "第"))
        s += strlen("第");
    if ((n = read_uint(s, 2, &a)) == 0)
        n = read_cn_digit(s, &a);
    if (n == 0)
        return -1;
    s += n;
    if (strcmp(s, "季度") == 0 || strcmp(s, "季") == 0) {
        p->kind = PERIOD_QUARTER;
        p->seq = a;
        return 0;
    }
    if (strcmp(s, "月") == 0) {
        p->kind = PERIOD_MONTH;
        p->seq = a;
        return 0;
    }
    /* 1-9月, 1—9月, 1~9月: cumulative from January; only a range starting at 1 is a period. */
    if (*s == '-' || *s == '~')
        s++;
    else if (starts(s, "—") || starts(s, "－") || starts(s, "至"))
        s += 3;
    else
        return -1;
    if ((n = read_uint(s, 2, &b)) == 0 || strcmp(s + n, "月") != 0 || a != 1)
        return -1;
    p->kind = PERIOD_MONTH;
    p->seq = b;
    return 0;
}

/* Reads the form of a period without checking its range; 0 or ERR_DATA. */
static int parse_form(const char *text, period_key *out)
{
    period_key p = { PERIOD_YEAR, 0, 1 };
    const char *s = text;
    int n, v;

    while (*s == ' ')
        s++;
    if ((n = read_uint(s, 4, &p.year)) != 4)
        return err_set(ERR_DATA, "not a period: '%s' (expected e.g. 2025-09, 2025-Q3, 2025-H1, 2025)",
                       text);
    s += n;
    if (starts(s, "年")) {
        if (parse_cn_tail(s + strlen("年"), &p) != 0)
            return err_set(ERR_DATA, "not a period: '%s'", text);
    } else if (*s == '\0') {
        p.kind = PERIOD_YEAR;
    } else if ((s[0] == '-' || s[0] == '/' || s[0] == '.') && s[1] >= '0' && s[1] <= '9') {
        if ((n = read_uint(s + 1, 2, &v)) == 0 || s[1 + n] != '\0')
            return err_set(ERR_DATA, "not a period: '%s'", text);
        p.kind = PERIOD_MONTH;
        p.seq = v;
    } else if (s[0] >= '0' && s[0] <= '9') {
        if (read_uint(s, 2, &v) != 2 || s[2] != '\0')
            return err_set(ERR_DATA, "not a period: '%s'", text);
        p.kind = PERIOD_MONTH;
        p.seq = v;
    } else {
        if (*s == '-')
            s++;
        if ((*s != 'Q' && *s != 'q' && *s != 'H' && *s != 'h') || read_uint(s + 1, 1, &v) != 1 ||
            s[2] != '\0')
            return err_set(ERR_DATA, "not a period: '%s'", text);
        p.kind = (*s == 'Q' || *s == 'q') ? PERIOD_QUARTER : PERIOD_HALF;
        p.seq = v;
    }
    *out = p;
    return 0;
}

int period_parse(const char *text, period_key *out)
{
    period_key p;
    int rc = parse_form(text, &p);
    if (rc != 0 || (rc = check_range(&p, text)) != 0)
        return rc;
    *out = p;
    return 0;
}

int period_out_of_range(const char *text, int *lo, int *hi)
{
    period_key p;
    return parse_form(text, &p) == 0 && range_of_bad_part(&p, lo, hi);
}

void period_format(const period_key *p, char *buf, size_t size)
{
    switch (p->kind) {
    case PERIOD_MONTH: snprintf(buf, size, "%04d-%02d", p->year, p->seq); break;
    case PERIOD_QUARTER: snprintf(buf, size, "%04d-Q%d", p->year, p->seq); break;
    case PERIOD_HALF: snprintf(buf, size, "%04d-H%d", p->year, p->seq); break;
    default: snprintf(buf, size, "%04d", p->year); break;
    }
}

int period_last_month(const period_key *p)
{
    static const int months_per_seq[] = { 1, 3, 6, 12 };
    return p->seq * months_per_seq[p->kind];
}

long period_ordinal(const period_key *p)
{
    return ((long)p->year * 12 + period_last_month(p)) * 4 + p->kind;
}

period_key period_prev(const period_key *p)
{
    static const int seqs_per_year[] = { 12, 4, 2, 1 };
    period_key q = *p;
    if (--q.seq < 1) {
        q.year--;
        q.seq = seqs_per_year[q.kind];
    }
    return q;
}

period_key period_last_year(const period_key *p)
{
    period_key q = *p;
    q.year--;
    return q;
}

int period_parse_date(const char *text, int *year, int *month, int *day)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y, m, d, leap;
    if (strlen(text) != 10 || text[4] != '-' || text[7] != '-' || read_uint(text, 4, &y) != 4 ||
        read_uint(text + 5, 2, &m) != 2 || read_uint(text + 8, 2, &d) != 2)
        return err_set(ERR_DATA, "not a date: '%s' (expected YYYY-MM-DD)", text);
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < PERIOD_YEAR_MIN || y > PERIOD_YEAR_MAX || m < 1 || m > 12 || d < 1 ||
        d > days[m - 1] + (m == 2 && leap))
        return err_set(ERR_DATA, "no such day: '%s'", text);
    *year = y;
    *month = m;
    *day = d;
    return 0;
}

int period_equal(const period_key *a, const period_key *b)
{
    return a->kind == b->kind && a->year == b->year && a->seq == b->seq;
}
