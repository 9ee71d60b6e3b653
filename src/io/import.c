/* import: the driver of every CSV import (header, row shape, one transaction, the report)
 * and the helpers the kinds share to read fields and record errors. */
#include "io/import_int.h"

#include "util/buf.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/num.h"
#include "util/period.h"
#include "util/text.h"

#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Returned by the record callback to stop reading after a bad header. */
#define IO__STOP 1
/* The longest error message or hint built, far above what its bounded parts can reach. */
#define IO_MESSAGE_MAX 8192

static const struct { const char *name; int kind; } kind_names[] = {
    { "units", IO_UNITS }, { "unit", IO_UNITS }, { "单位", IO_UNITS },
    { "groups", IO_GROUPS }, { "group", IO_GROUPS }, { "分组", IO_GROUPS },
    { "indicators", IO_INDICATORS }, { "indicator", IO_INDICATORS }, { "指标", IO_INDICATORS },
    { "schemes", IO_SCHEMES }, { "scheme", IO_SCHEMES }, { "方案", IO_SCHEMES },
    { "targets", IO_TARGETS }, { "target", IO_TARGETS }, { "目标", IO_TARGETS },
    { "observations", IO_OBSERVATIONS }, { "obs", IO_OBSERVATIONS }, { "数据", IO_OBSERVATIONS },
    { "categories", IO_CATEGORIES }, { "category", IO_CATEGORIES }, { "赛道", IO_CATEGORIES },
    { "比拼类别", IO_CATEGORIES },
    { "contests", IO_CONTESTS }, { "contest", IO_CONTESTS }, { "比拼", IO_CONTESTS },
    { "judges", IO_JUDGES }, { "judge", IO_JUDGES }, { "测评", IO_JUDGES }, { "评委打分", IO_JUDGES },
    { "awards", IO_AWARDS }, { "award", IO_AWARDS }, { "奖项", IO_AWARDS },
    { "caps", IO_CAPS }, { "cap", IO_CAPS }, { "封顶", IO_CAPS },
};

int io_kind_parse(const char *text, int *kind)
{
    for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++) {
        if (strcasecmp(text, kind_names[i].name) == 0) {
            *kind = kind_names[i].kind;
            return 0;
        }
    }
    return err_set(ERR_USAGE, "unknown kind '%s' (units, groups, indicators, schemes, targets, "
                              "observations, categories, contests, judges, awards or caps)", text);
}

const char *io_kind_name(int kind)
{
    const io__kind *k = io__kind_of(kind);
    return k ? k->key : "?";
}

const io__kind *io__kind_of(int kind)
{
    static const io__kind *const kinds[IO_KIND_ALL_N] = {
        &io__units_kind, &io__groups_kind, &io__indicators_kind, &io__schemes_kind,
        &io__targets_kind, &io__observations_kind, &io__categories_kind, &io__contests_kind,
        &io__judges_kind, &io__awards_kind, &io__caps_kind,
    };
    return kind >= 0 && kind < IO_KIND_ALL_N ? kinds[kind] : NULL;
}

static const char *const reason_keys[] = {
#define IO_REASON_KEY(name, key, zh, en) key,
    IO_REASON_TABLE(IO_REASON_KEY)
#undef IO_REASON_KEY
};
static const char *const reason_zh[] = {
#define IO_REASON_ZH(name, key, zh, en) zh,
    IO_REASON_TABLE(IO_REASON_ZH)
#undef IO_REASON_ZH
};
static const char *const reason_en[] = {
#define IO_REASON_EN(name, key, zh, en) en,
    IO_REASON_TABLE(IO_REASON_EN)
#undef IO_REASON_EN
};

const char *io_reason_key(int reason)
{
    return reason >= 0 && reason < IO_REASON_N ? reason_keys[reason] : "?";
}

const char *io_reason_text(int reason, int english)
{
    if (reason < 0 || reason >= IO_REASON_N)
        return "?";
    return english ? reason_en[reason] : reason_zh[reason];
}

/* Copies src into dst, cut at a character boundary when it does not fit. */
static void copy_cut(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* ---- error messages ---- */

/* The accepted column names of a kind, in one language. */
static void add_columns(struct buf *b, const io__kind *k, int english)
{
    for (int i = 0; k && i < k->ncols; i++) {
        const char *zh = k->cols[i].names_zh;
        int zlen = (int)strcspn(zh, "|");
        if (english)
            buf_printf(b, "%s%s", i ? ", " : "", k->cols[i].key);
        else
            buf_printf(b, "%s%.*s", i ? "、" : "", zlen, zh);
    }
}

/* The display name of a column key: its first Chinese name, or the key in English. */
static void add_column_name(struct buf *b, const io__kind *k, const char *key, int english)
{
    for (int i = 0; k && !english && i < k->ncols; i++) {
        if (strcmp(k->cols[i].key, key) == 0) {
            buf_printf(b, "'%.*s' (%s)", (int)strcspn(k->cols[i].names_zh, "|"),
                   k->cols[i].names_zh, key);
            return;
        }
    }
    buf_printf(b, "'%s'", key);
}

/* What follows the reason: the earlier line, accepted values, the expected number. */
static void add_extra(struct buf *b, const io_report *rep, const io_error *e, int en)
{
    const char *h = e->hint;
    switch (e->reason) {
    case IO_DUPLICATE_KEY:
        if (e->ref_line)
            buf_printf(b, en ? " (first on line %ld)" : "（首次出现在第 %ld 行）",
                   e->ref_line);
        break;
    case IO_INCONSISTENT:
        buf_printf(b, en ? " (line %ld has '%s')" : "（第 %ld 行为 '%s'）", e->ref_line, h);
        break;
    case IO_UNKNOWN_COLUMN:
        buf_add_str(b, en ? " (accepted: " : "（可用的列：");
        add_columns(b, io__kind_of(rep->kind), en);
        buf_add_str(b, en ? ")" : "）");
        break;
    case IO_BAD_VALUE:
        buf_printf(b, en ? " (accepted: %s)" : "（可选值：%s）", h);
        break;
    case IO_BAD_PERIOD:
        buf_add_str(b, en ? " (e.g. 2025-09, 2025-Q3, 2025-H1, 2025, 2025年1-9月)"
                           : "（例如 2025-09、2025-Q3、2025-H1、2025、2025年1-9月）");
        break;
    case IO_PERIOD_RANGE:
        if (h[0] >= '0' && h[0] <= '9' && strchr(h, '-') && !strstr(h, ".."))
            buf_printf(b, en ? " (ends after today, %s)" : "（晚于今天 %s）", h);
        else if (h[0])
            buf_printf(b, en ? " (allowed: %s)" : "（允许范围 %s）", h);
        break;
    case IO_NOT_NUMBER:
        if (h[0])
            buf_printf(b, en ? " (a whole number in %s)" : "（应为 %s 之间的整数）", h);
        break;
    case IO_FIELD_COUNT:
        buf_printf(b, en ? " (the header has %s)" : "（表头有 %s 列）", h);
        break;
    case IO_TOO_LONG:
        buf_printf(b, en ? " (at most %s bytes)" : "（最多 %s 字节）", h);
        break;
    case IO_WEIGHT_SUM:
        buf_printf(b, en ? " (total weight %s)" : "（总分值为 %s）", h);
        break;
    case IO_BAD_PARAMS:
        buf_printf(b, en ? " (%s; see docs/scoring.md)" : "（%s；参见 docs/scoring.md）", h);
        break;
    case IO_NOT_MEMBER:
        buf_printf(b, en ? " (group %s)" : "（分组 %s）", h);
        break;
    case IO_OUT_OF_RANGE:
        buf_printf(b, en ? " (allowed: %s)" : "（允许范围 %s）", h);
        break;
    case IO_PUBLISHED:
        buf_printf(b, en ? " (published value %s)" : "（已发布的值为 %s）", h);
        break;
    default:
        if (h[0])
            buf_printf(b, " (%s)", h);
        break;
    }
}

void io_error_format(const io_report *rep, const io_error *e, int english, char *buf, size_t size)
{
    struct buf b;
    if (size == 0)
        return;
    buf_init(&b, IO_MESSAGE_MAX);
    buf_printf(&b, "%s:%ld: ", rep->file, e->line);
    if (e->column[0])
        buf_printf(&b, english ? "column '%s': " : "列 '%s': ", e->column);
    buf_add_str(&b, io_reason_text(e->reason, english));
    if (e->reason == IO_MISSING_COLUMN) {
        buf_add_str(&b, " ");
        add_column_name(&b, io__kind_of(rep->kind), e->detail, english);
    } else if (e->detail[0]) {
        buf_printf(&b, " '%s'", e->detail);
    }
    add_extra(&b, rep, e, english);
    copy_cut(buf, size, buf_str(&b));
    buf_free(&b);
}

/* ---- recording errors ---- */

static void add_error(io__ctx *c, long line, const char *column, int reason, const char *detail,
                      long ref_line, const char *hint)
{
    io_report *rep = c->rep;
    size_t at = rep->nerrors;
    io_error *e;
    rep->nerrors_total++;
    /* Keep the first errors by line: insert after every error on the same or an earlier line. */
    while (at > 0 && rep->errors[at - 1].line > line)
        at--;
    if (at >= IO_MAX_ERRORS)
        return;
    if (rep->nerrors == IO_MAX_ERRORS)
        rep->nerrors--;
    memmove(&rep->errors[at + 1], &rep->errors[at], (rep->nerrors - at) * sizeof rep->errors[0]);
    rep->nerrors++;
    e = &rep->errors[at];
    memset(e, 0, sizeof *e);
    e->line = line;
    e->reason = reason;
    e->ref_line = ref_line;
    copy_cut(e->column, sizeof e->column, column ? column : "");
    copy_cut(e->detail, sizeof e->detail, detail ? detail : "");
    copy_cut(e->hint, sizeof e->hint, hint ? hint : "");
}

void io__error_at(io__ctx *c, long line, int col, int reason, const char *detail, long ref_line,
                  const char *hint)
{
    add_error(c, line, col >= 0 && col < IO__MAX_COLS ? c->hdr[col] : "", reason, detail, ref_line,
              hint);
}

void io__error(io__ctx *c, int col, int reason, const char *detail, long ref_line, const char *hint)
{
    io__error_at(c, c->line, col, reason, detail, ref_line, hint);
}

/* ---- fields ---- */

/* Trims ASCII white space, the ideographic space and the no-break space at both ends. */
static char *trim(char *s)
{
    size_t n;
    for (;;) {
        if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
            s++;
        else if (strncmp(s, "\xE3\x80\x80", 3) == 0)
            s += 3;
        else if (strncmp(s, "\xC2\xA0", 2) == 0)
            s += 2;
        else
            break;
    }
    n = strlen(s);
    for (;;) {
        if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
            n--;
        else if (n >= 3 && strncmp(s + n - 3, "\xE3\x80\x80", 3) == 0)
            n -= 3;
        else if (n >= 2 && strncmp(s + n - 2, "\xC2\xA0", 2) == 0)
            n -= 2;
        else
            break;
    }
    s[n] = '\0';
    return s;
}

const char *io__get(io__ctx *c, csv_record *rec, int col)
{
    int f = col >= 0 && col < IO__MAX_COLS ? c->col_field[col] : -1;
    if (f < 0 || (size_t)f >= rec->nfields)
        return "";
    return trim(rec->fields[f]);
}

int io__text(io__ctx *c, csv_record *rec, int col, char *dst, size_t size, int required)
{
    const char *t = io__get(c, rec, col);
    size_t n = strlen(t);
    if (required && n == 0) {
        io__error(c, col, IO_EMPTY_FIELD, NULL, 0, NULL);
        return -1;
    }
    if (n >= size) {
        char max[24];
        snprintf(max, sizeof max, "%zu", size - 1);
        io__error(c, col, IO_TOO_LONG, t, 0, max);
        return -1;
    }
    memcpy(dst, t, n + 1);
    return 0;
}

int io__number(io__ctx *c, csv_record *rec, int col, double dflt, int required, double *out)
{
    const char *t = io__get(c, rec, col);
    if (t[0] == '\0') {
        if (required) {
            io__error(c, col, IO_EMPTY_FIELD, NULL, 0, NULL);
            return -1;
        }
        *out = dflt;
        return 0;
    }
    if (num_parse(t, out) != 0) {
        io__error(c, col, IO_NOT_NUMBER, t, 0, NULL);
        return -1;
    }
    return 0;
}

int io__int(io__ctx *c, csv_record *rec, int col, long min, long max, long dflt, int required,
            long *out)
{
    const char *t = io__get(c, rec, col);
    if (t[0] == '\0') {
        if (required) {
            io__error(c, col, IO_EMPTY_FIELD, NULL, 0, NULL);
            return -1;
        }
        *out = dflt;
        return 0;
    }
    if (num_parse_int(t, min, max, out) != 0) {
        char range[64];
        snprintf(range, sizeof range, "%ld..%ld", min, max);
        io__error(c, col, IO_NOT_NUMBER, t, 0, range);
        return -1;
    }
    return 0;
}

int io__bool(io__ctx *c, csv_record *rec, int col, int *out)
{
    const char *t = io__get(c, rec, col);
    char lower[16];
    if (text_copy_lower(t, lower, sizeof lower) == 0 && num_parse_bool(lower, out) == 0)
        return 0;
    io__error(c, col, IO_BAD_VALUE, t, 0, "1/0, 是/否, yes/no");
    return -1;
}

int io__enum(io__ctx *c, csv_record *rec, int col, const model_enum *names, int n, int dflt,
             int required, int *out)
{
    const char *t = io__get(c, rec, col);
    struct buf hint;
    if (t[0] == '\0' && !required) {
        *out = dflt;
        return 0;
    }
    for (int i = 0; t[0] && i < n; i++) {
        if (strcasecmp(t, names[i].key) == 0 || strcmp(t, names[i].label_zh) == 0) {
            *out = i;
            return 0;
        }
    }
    if (t[0] == '\0') {
        io__error(c, col, IO_EMPTY_FIELD, NULL, 0, NULL);
        return -1;
    }
    buf_init(&hint, IO_MESSAGE_MAX);
    for (int i = 0; i < n; i++)
        buf_printf(&hint, "%s%s/%s", i ? ", " : "", names[i].key, names[i].label_zh);
    io__error(c, col, IO_BAD_VALUE, t, 0, buf_str(&hint));
    buf_free(&hint);
    return -1;
}

int io__split_codes(const char *text, int (*fn)(const char *code, void *arg), void *arg)
{
    static const char *const seps[] = { ";", ",", "、", "，", "；" };
    char code[MODEL_TEXT_MAX];
    const char *s = text;
    while (*s) {
        size_t n = 0, seplen = 0, keep;
        int rc;
        for (; s[n]; n++) {
            for (size_t i = 0; i < sizeof seps / sizeof seps[0] && !seplen; i++) {
                if (strncmp(s + n, seps[i], strlen(seps[i])) == 0)
                    seplen = strlen(seps[i]);
            }
            if (seplen)
                break;
        }
        keep = n < sizeof code ? n : sizeof code - 1;
        memcpy(code, s, keep);
        code[keep] = '\0';
        if (trim(code)[0] && (rc = fn(trim(code), arg)) != 0)
            return rc;
        s += n + seplen;
    }
    return 0;
}

int io__name_matches(const char *text, const char *key, const char *names)
{
    size_t len = strlen(text);
    if (strcasecmp(text, key) == 0)
        return 1;
    while (*names) {
        size_t n = strcspn(names, "|");
        if (n == len && strncasecmp(names, text, n) == 0)
            return 1;
        names += n + (names[n] == '|');
    }
    return 0;
}

/* ---- reference lists ---- */

int io__map_codes(io__map *m, const void *items, size_t n, size_t elem, size_t code_off)
{
    int rc;
    for (size_t i = 0; i < n; i++) {
        if ((rc = io__map_put(m, (const char *)items + i * elem + code_off, (long)i)) != 0)
            return rc;
    }
    return 0;
}

int io__load_units(io__ctx *c)
{
    int rc;
    if (c->units)
        return 0;
    if ((rc = store_units(c->s, &c->units, &c->nunits)) != 0)
        return rc;
    return io__map_codes(&c->unit_map, c->units, c->nunits, sizeof *c->units, offsetof(model_unit, code));
}

int io__load_indicators(io__ctx *c)
{
    int rc;
    if (c->inds)
        return 0;
    if ((rc = store_indicators(c->s, &c->inds, &c->ninds)) != 0)
        return rc;
    return io__map_codes(&c->ind_map, c->inds, c->ninds, sizeof *c->inds, offsetof(model_indicator, code));
}

int io__load_groups(io__ctx *c)
{
    int rc;
    if (c->groups)
        return 0;
    if ((rc = store_groups(c->s, &c->groups, &c->ngroups)) != 0)
        return rc;
    return io__map_codes(&c->group_map, c->groups, c->ngroups, sizeof *c->groups, offsetof(model_group, code));
}

int io__grow(void **p, size_t *cap, size_t n, size_t elem)
{
    void *bigger = grow_array(*p, cap, n + 1, elem, 16);
    if (!bigger)
        return err_set(ERR_NOMEM, "out of memory");
    *p = bigger;
    return 0;
}

int io__keep(void **rows, size_t *cap, size_t *n, size_t elem, const void *row, io__map *keys,
             const char *key)
{
    int rc;
    if ((rc = io__grow(rows, cap, *n, elem)) != 0 || (rc = io__map_put(keys, key, (long)*n)) != 0)
        return rc;
    memcpy((char *)*rows + *n * elem, row, elem);
    (*n)++;
    return 0;
}

int io__unique(io__ctx *c, const io__map *seen, int col, const char *code,
               long (*line_of)(const void *kd, long index))
{
    long prev = code[0] ? io__map_get(seen, code) : -1;
    if (prev < 0)
        return 0;
    io__error(c, col, IO_DUPLICATE_KEY, code, line_of(c->kd, prev), NULL);
    return -1;
}

void io__count(io__ctx *c, enum store_put_result outcome)
{
    if (outcome == STORE_INSERTED)
        c->rep->inserted++;
    else if (outcome == STORE_CHANGED)
        c->rep->changed++;
    else
        c->rep->unchanged++;
}

int io__write_counted(io__ctx *c, const void *rows, size_t n, size_t stride,
                      int (*put)(io__ctx *c, const void *row, enum store_put_result *result))
{
    enum store_put_result result;
    int rc;
    for (size_t i = 0; i < n; i++) {
        if ((rc = put(c, (const char *)rows + i * stride, &result)) != 0)
            return rc;
        io__count(c, result);
    }
    return 0;
}

/* ---- header and rows ---- */

static int find_column(const io__kind *k, const char *name)
{
    for (int i = 0; i < k->ncols; i++) {
        if (io__name_matches(name, k->cols[i].key, k->cols[i].names_zh))
            return i;
    }
    return -1;
}

static int read_header(io__ctx *c, csv_record *rec)
{
    c->have_header = 1;
    c->nheader = rec->nfields;
    if (!(c->field_col = malloc(rec->nfields * sizeof *c->field_col)))
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < rec->nfields; i++) {
        const char *name;
        int col;
        c->field_col[i] = -1;
        if (!csv_utf8_valid(rec->fields[i], rec->lens[i])) {
            add_error(c, rec->line, "", IO_BAD_UTF8, NULL, 0, NULL);
            c->header_bad = 1;
            return IO__STOP; /* the columns cannot be known; one error says it all */
        }
        if (!*(name = trim(rec->fields[i])))
            continue;
        if ((col = find_column(c->k, name)) < 0) {
            add_error(c, rec->line, name, IO_UNKNOWN_COLUMN, NULL, 0, NULL);
            c->header_bad = 1;
        } else if (c->col_field[col] >= 0) {
            add_error(c, rec->line, name, IO_DUPLICATE_COLUMN, c->hdr[col], 0, NULL);
            c->header_bad = 1;
        } else {
            c->col_field[col] = (int)i;
            c->field_col[i] = col;
            copy_cut(c->hdr[col], sizeof c->hdr[col], name);
        }
    }
    for (int col = 0; col < c->k->ncols; col++) {
        if (c->k->cols[col].required && c->col_field[col] < 0) {
            add_error(c, rec->line, "", IO_MISSING_COLUMN, c->k->cols[col].key, 0, NULL);
            c->header_bad = 1;
        }
    }
    return c->header_bad ? IO__STOP : 0;
}

/* Checks the number of fields, their encoding and the unnamed columns; -1 when bad. */
static int check_shape(io__ctx *c, csv_record *rec)
{
    char num[32];
    int bad = 0;
    if (rec->nfields < c->nheader) {
        snprintf(num, sizeof num, "%zu", rec->nfields);
        char want[32];
        snprintf(want, sizeof want, "%zu", c->nheader);
        io__error(c, -1, IO_FIELD_COUNT, num, 0, want);
        return -1;
    }
    for (size_t i = 0; i < rec->nfields; i++) {
        int col = i < c->nheader ? c->field_col[i] : -1;
        if (!csv_utf8_valid(rec->fields[i], rec->lens[i])) {
            io__error(c, col, IO_BAD_UTF8, NULL, 0, NULL);
            return -1; /* one error for the line: its other fields are not worth reading */
        } else if (col < 0 && *trim(rec->fields[i])) {
            char want[32];
            snprintf(num, sizeof num, "%zu", rec->nfields);
            snprintf(want, sizeof want, "%zu", c->nheader);
            if (i >= c->nheader)
                io__error(c, -1, IO_FIELD_COUNT, num, 0, want);
            else {
                snprintf(num, sizeof num, "#%zu", i + 1);
                add_error(c, c->line, num, IO_UNKNOWN_COLUMN, rec->fields[i], 0, NULL);
            }
            return -1;
        }
    }
    return bad;
}

static int on_record(csv_record *rec, void *arg)
{
    io__ctx *c = arg;
    c->line = rec->line;
    if (!c->have_header)
        return read_header(c, rec);
    c->rep->rows++;
    if (check_shape(c, rec) != 0)
        return 0;
    return c->k->row(c, rec);
}

/* ---- the driver ---- */

static int days_in_month(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int io__period_end(const period_key *p)
{
    int m = period_last_month(p);
    return p->year * 10000 + m * 100 + days_in_month(p->year, m);
}

/* Reads "YYYY-MM-DD" as yyyymmdd, or today's local date when text is NULL. */
static int parse_today(const char *text, int *out)
{
    int y, m, d, n = 0;
    if (!text) {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        *out = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
        return 0;
    }
    if (sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || text[n] != '\0' || y < 1000 ||
        m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return err_set(ERR_USAGE, "not a date: '%s' (expected YYYY-MM-DD)", text);
    *out = y * 10000 + m * 100 + d;
    return 0;
}

static void ctx_free(io__ctx *c)
{
    if (c->kd) {
        c->k->release(c);
        free(c->kd);
        c->kd = NULL;
    }
    free(c->field_col);
    free(c->units);
    free(c->inds);
    free(c->groups);
    io__map_free(&c->unit_map);
    io__map_free(&c->ind_map);
    io__map_free(&c->group_map);
}

/* Where an import's records come from: CSV text, or a header and rows already split into
 * cells (the values of a form). */
typedef struct source {
    const char *data;
    size_t len;
    const char *const *header; /* ncols names; NULL for CSV text */
    size_t ncols;
    const char *const *cells;  /* nrows × ncols */
    size_t nrows;
} source;

/* Hands one record of cells to on_record as the CSV reader would: mutable copies. */
static int feed_record(io__ctx *c, long line, const char *const *cells, size_t n)
{
    char **fields = calloc(n ? n : 1, sizeof *fields);
    size_t *lens = calloc(n ? n : 1, sizeof *lens);
    csv_record rec = { line, n, fields, lens };
    int rc = 0;
    for (size_t i = 0; fields && lens && i < n; i++) {
        lens[i] = strlen(cells[i] ? cells[i] : "");
        if (!(fields[i] = strdup(cells[i] ? cells[i] : "")))
            break;
    }
    if (!fields || !lens || (n && !fields[n - 1]))
        rc = err_set(ERR_NOMEM, "out of memory");
    else
        rc = on_record(&rec, c);
    for (size_t i = 0; fields && i < n; i++)
        free(fields[i]);
    free(fields);
    free(lens);
    return rc;
}

/* Reads the source's records: the header as line 1, row r as line r + 2. */
static int read_source(io__ctx *c, const source *src, csv_info *info)
{
    int rc;
    memset(info, 0, sizeof *info);
    if (!src->header)
        return csv_read_buffer(src->data, src->len, on_record, c, info);
    rc = feed_record(c, 1, src->header, src->ncols);
    for (size_t r = 0; rc == 0 && r < src->nrows; r++)
        rc = feed_record(c, (long)r + 2, src->cells + r * src->ncols, src->ncols);
    return rc;
}

/* At most how many records src holds: its rows, or the lines of its text (a record spans one
 * line or more), so that a kind can size its tables once. */
static size_t rows_bound(const source *src)
{
    size_t n = 1;
    if (!src->data)
        return src->nrows;
    for (const char *p = src->data, *end = src->data + src->len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        n++;
    return n;
}

/* Reads, checks and (when nothing was refused) writes; the caller commits or rolls back. */
static int import_steps(io__ctx *c, const source *src)
{
    csv_info info;
    int rc;
    c->rows_hint = rows_bound(src);
    if ((rc = c->k->begin(c)) != 0)
        return rc;
    rc = read_source(c, src, &info);
    if (rc == ERR_DATA && info.bad_line > 0) {
        add_error(c, info.bad_line, "", IO_BAD_CSV, NULL, 0, NULL);
        rc = 0;
    }
    if (rc == IO__STOP)
        rc = 0;
    if (rc != 0)
        return rc;
    if (!c->have_header) {
        add_error(c, 1, "", IO_NO_HEADER, NULL, 0, NULL);
        return 0;
    }
    if (c->header_bad)
        return 0;
    if ((c->k->check && (rc = c->k->check(c)) != 0) || c->rep->nerrors_total > 0)
        return rc;
    return c->k->write(c);
}

static int audit(io__ctx *c)
{
    io_report *r = c->rep;
    char detail[512];
    snprintf(detail, sizeof detail, "file=%s rows=%zu inserted=%zu changed=%zu unchanged=%zu "
                                    "flagged=%zu", r->file, r->rows, r->inserted, r->changed,
             r->unchanged, r->flagged);
    return store_audit_add(c->s, c->opts.actor ? c->opts.actor : "", "import", c->k->key, detail);
}

/* Rolls back, keeping the detail message of the error that caused it. */
static void rollback(store *s, int rc)
{
    char detail[1024];
    copy_cut(detail, sizeof detail, err_msg());
    store_rollback(s);
    err_set(rc, "%s", detail);
}

static int import_run(store *s, int kind, const char *name, const source *src,
                      const io_import_opts *opts, io_report *rep, const char *encoding)
{
    static const io_import_opts defaults = IO_IMPORT_OPTS_INIT;
    io__ctx c;
    int rc;
    memset(rep, 0, sizeof *rep);
    rep->kind = kind;
    copy_cut(rep->encoding, sizeof rep->encoding, encoding);
    copy_cut(rep->file, sizeof rep->file, name ? name : "-");
    memset(&c, 0, sizeof c);
    c.s = s;
    c.rep = rep;
    c.opts = opts ? *opts : defaults;
    for (int i = 0; i < IO__MAX_COLS; i++)
        c.col_field[i] = -1;
    if (!(c.k = io__kind_of(kind)))
        return err_set(ERR_USAGE, "unknown import kind %d", kind);
    if (c.opts.state < 0 || c.opts.state >= OBS_STATE_N)
        return err_set(ERR_USAGE, "unknown observation state %d", c.opts.state);
    if ((rc = parse_today(c.opts.today, &c.today)) != 0)
        return rc;
    if (!c.opts.in_tx && (rc = c.k->bulk ? store_begin_bulk(s) : store_begin(s)) != 0)
        return rc;
    rc = import_steps(&c, src);
    if (rc == 0 && rep->nerrors_total == 0 && !c.opts.in_tx)
        rc = audit(&c);
    if (rc == 0 && rep->nerrors_total > 0)
        rc = err_set(ERR_DATA, "%s: %zu errors, nothing was written", rep->file,
                     rep->nerrors_total);
    if (rc == 0 && !c.opts.in_tx)
        rc = store_commit(s);
    if (rc != 0) {
        if (!c.opts.in_tx)
            rollback(s, rc);
        rep->inserted = rep->changed = rep->unchanged = rep->flagged = rep->nflags = 0;
    }
    ctx_free(&c);
    return rc;
}

/* Imports data that is UTF-8, or GB18030 as Chinese Excel saves "CSV": a buffer that is not
 * UTF-8 but decodes cleanly as GB18030 is converted, and the report says so. Anything else
 * goes through as it is and is refused line by line. */
static int import_decoded(store *s, int kind, const char *name, const char *data, size_t len,
                          const io_import_opts *opts, io_report *rep)
{
    char *utf8 = NULL;
    size_t utf8_len = 0;
    int rc;
    if (csv_utf8_valid(data, len) || csv_decode_gb18030(data, len, &utf8, &utf8_len) != 0 ||
        !csv_utf8_valid(utf8, utf8_len)) {
        free(utf8);
        err_clear();
        return import_run(s, kind, name, &(source){ data, len, NULL, 0, NULL, 0 }, opts, rep, "");
    }
    rc = import_run(s, kind, name, &(source){ utf8, utf8_len, NULL, 0, NULL, 0 }, opts, rep,
                    "GB18030");
    free(utf8);
    return rc;
}

int io_import_file(store *s, int kind, const char *path, const io_import_opts *opts,
                   io_report *rep)
{
    char *data;
    size_t len;
    int rc;
    memset(rep, 0, sizeof *rep);
    rep->kind = kind;
    copy_cut(rep->file, sizeof rep->file, path);
    if ((rc = csv_slurp(path, &data, &len)) != 0)
        return rc;
    rc = import_decoded(s, kind, path, data, len, opts, rep);
    free(data);
    return rc;
}

int io_import_buffer(store *s, int kind, const char *name, const char *data, size_t len,
                     const io_import_opts *opts, io_report *rep)
{
    return import_decoded(s, kind, name, data, len, opts, rep);
}

int io_import_cells(store *s, int kind, const char *name, const char *const *header, size_t ncols,
                    const char *const *cells, size_t nrows, const io_import_opts *opts,
                    io_report *rep)
{
    source src = { NULL, 0, header, ncols, cells, nrows };
    return import_run(s, kind, name, &src, opts, rep, "");
}
