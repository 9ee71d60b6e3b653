/* import: CSV import and export of units, groups, indicators, schemes, targets and
 * observations, and of the race's configuration: contest categories, contests, judges'
 * scores, awards and event caps. One file is one transaction: a single bad row rejects the whole file, the
 * report names file, line, column and reason of the first IO_MAX_ERRORS errors, and the
 * database is left exactly as it was. Headers may be English keys or Chinese names. */
#ifndef SAIMA_IMPORT_H
#define SAIMA_IMPORT_H

#include "engine/validate.h"
#include "store/store.h"

#include <stddef.h>
#include <stdio.h>

/* IO_KIND_N counts the assessment's kinds (units .. observations); the race's kinds follow
 * them, and IO_KIND_ALL_N counts every kind. */
enum io_kind { IO_UNITS = 0, IO_GROUPS, IO_INDICATORS, IO_SCHEMES, IO_TARGETS, IO_OBSERVATIONS,
               IO_KIND_N, IO_CATEGORIES = IO_KIND_N, IO_CONTESTS, IO_JUDGES, IO_AWARDS, IO_CAPS,
               IO_KIND_ALL_N };

/* Parses a kind: units|单位, groups|分组, indicators|指标, schemes|方案, targets|目标,
 * observations|obs|数据, categories|赛道|比拼类别, contests|比拼, judges|测评|评委打分,
 * awards|奖项, caps|封顶. Returns 0 or ERR_USAGE. */
int io_kind_parse(const char *text, int *kind);

/* The English key of a kind ("observations"). */
const char *io_kind_name(int kind);

/* Why a row was refused: X(name, key, Chinese text, English text). */
#define IO_REASON_TABLE(X)                                                                         \
    X(IO_BAD_UTF8, "bad_utf8", "不是有效的UTF-8文本（请在Excel中另存为“CSV UTF-8”）",            \
      "not valid UTF-8 (in Excel, save as 'CSV UTF-8')")                                          \
    X(IO_BAD_CSV, "bad_csv", "CSV格式错误：引号不成对", "malformed CSV: unbalanced quotes")   \
    X(IO_NO_HEADER, "no_header", "文件为空，没有表头", "the file is empty: no header")            \
    X(IO_MISSING_COLUMN, "missing_column", "缺少必需的列", "required column missing")            \
    X(IO_UNKNOWN_COLUMN, "unknown_column", "无法识别的列", "unknown column")                     \
    X(IO_DUPLICATE_COLUMN, "duplicate_column", "列重复", "duplicate column")                     \
    X(IO_FIELD_COUNT, "field_count", "字段个数与表头不符", "wrong number of fields")              \
    X(IO_EMPTY_FIELD, "empty_field", "必填项为空", "required field is empty")                   \
    X(IO_NOT_NUMBER, "not_number", "不是数字", "not a number")                                   \
    X(IO_UNKNOWN_UNIT, "unknown_unit", "未知的单位代码", "unknown unit code")                    \
    X(IO_UNKNOWN_INDICATOR, "unknown_indicator", "未知的指标代码", "unknown indicator code")     \
    X(IO_UNKNOWN_GROUP, "unknown_group", "未知的分组代码", "unknown group code")                 \
    X(IO_BAD_VALUE, "bad_value", "无效的取值", "not an accepted value")                          \
    X(IO_DUPLICATE_KEY, "duplicate_key", "重复", "duplicate key")                                \
    X(IO_BAD_PERIOD, "bad_period", "无法识别的期间", "not a period")                             \
    X(IO_PERIOD_RANGE, "period_range", "期间超出范围", "period out of range")                    \
    X(IO_LOCKED_PERIOD, "locked_period", "期间已锁定，不能修改", "the period is locked")         \
    X(IO_PUBLISHED, "published", "数值已发布，不能修改", "the value is published and locked")    \
    X(IO_TOO_LONG, "too_long", "内容过长", "too long")                                           \
    X(IO_INCONSISTENT, "inconsistent", "与同一方案的前面行不一致",                               \
      "differs from an earlier row of the same scheme")                                          \
    X(IO_WEIGHT_SUM, "weight_sum", "各指标分值之和不等于总分值",                                 \
      "the item weights do not add up to the total weight")                                      \
    X(IO_PARENT_CYCLE, "parent_cycle", "上级单位形成循环", "the parent units form a cycle")     \
    X(IO_BAD_PARAMS, "bad_params", "赋分方法参数有误", "the method's parameters are wrong")    \
    X(IO_UNKNOWN_CATEGORY, "unknown_category", "未知的类别代码", "unknown contest category code") \
    X(IO_UNKNOWN_SCHEME, "unknown_scheme", "未知的方案代码", "unknown scheme code")              \
    X(IO_UNKNOWN_CONTEST, "unknown_contest", "未知的比拼代码", "unknown contest code")           \
    X(IO_NOT_MEMBER, "not_member", "单位不是该比拼分组的成员",                                   \
      "the unit is not a member of the contest's group")                                        \
    X(IO_OUT_OF_RANGE, "out_of_range", "数值超出允许范围", "the number is out of range")        \
    X(IO_WEIGHTS_100, "weights_100", "方案权重与测评权重之和不等于100%",                         \
      "the scheme and judge weights do not add up to 100%")

enum io_reason {
#define IO_REASON_ENUM(name, key, zh, en) name,
    IO_REASON_TABLE(IO_REASON_ENUM)
#undef IO_REASON_ENUM
    IO_REASON_N
};

/* The stable key of a reason ("not_number"), for JSON. */
const char *io_reason_key(int reason);

/* The message of a reason in Chinese, or in English when english is nonzero. */
const char *io_reason_text(int reason, int english);

#define IO_MAX_ERRORS 20

#define IO_MAX_FLAGS 64

/* One soft-validation flag an import raised and stored: the row's line and indicator, and
 * the engine's finding (its message in either language: validate_message). */
typedef struct io_flag {
    long line;
    char indicator_code[MODEL_CODE_MAX];
    validate_flag f;
} io_flag;

/* One refused row. */
typedef struct io_error {
    long line;            /* physical line where the record starts (1-based) */
    char column[64];      /* the column's header as written in the file, "" for the whole row */
    int reason;           /* enum io_reason */
    char detail[256];     /* the offending text, "" if none */
    long ref_line;        /* the earlier line of a duplicate or inconsistency, 0 if none */
    char hint[256];       /* language-neutral extra: accepted values, the expected number */
} io_error;

/* What an import did, or why it refused the file. Entities are counted once: a scheme of
 * five item rows is one scheme. */
typedef struct io_report {
    int kind;             /* enum io_kind */
    char file[256];       /* the name errors are reported under */
    size_t rows;          /* data rows read (not the header, not blank lines) */
    size_t inserted, changed, unchanged;
    size_t flagged;       /* soft-validation flags written (observations only) */
    size_t nflags;        /* those kept in flags[], the first IO_MAX_FLAGS found */
    io_flag flags[IO_MAX_FLAGS];
    size_t nerrors_total; /* every error found */
    size_t nerrors;       /* those kept in errors[], the first by line */
    io_error errors[IO_MAX_ERRORS];
    char encoding[16];    /* "GB18030" when the file was not UTF-8 and was converted, else "" */
} io_report;

/* Writes one error as "FILE:LINE: column 'COL': reason 'detail' (hint)" in Chinese, or in
 * English when english is nonzero. */
void io_error_format(const io_report *rep, const io_error *e, int english, char *buf, size_t size);

/* The period-lock rule an import asks (app_lock_state): *state receives enum lock_state for
 * a unit's figures of a period. Returns 0 or an error. */
typedef int (*io_lock_fn)(store *s, const char *unit_code, const char *period_code, int *state);

/* How to import. NULL options mean IO_IMPORT_OPTS_INIT. */
typedef struct io_import_opts {
    const char *actor;    /* who is recorded as entering the data (audit, observations) */
    int state;            /* enum obs_state of imported observations, unless a state column */
    const char *today;    /* "YYYY-MM-DD": periods ending after it are out of range; NULL = clock */
    const char *unit;     /* observations: only this unit's rows (an entry upload), or NULL */
    const char *period;   /* observations: only this period's rows (canonical code), or NULL;
                             with unit or period set, a state column must say opts.state */
    io_lock_fn lock_of;   /* observations: the lock rule, asked once per (unit, period) of the
                             file; NULL leaves it to the store's last-line guard (an error, not
                             a row's) */
    int in_tx;            /* the caller runs the transaction and its audit line: the import
                             neither begins, commits nor rolls back, and on a refusal the
                             caller must roll back */
} io_import_opts;

#define IO_IMPORT_OPTS_INIT { "import", OBS_SUBMITTED, NULL, NULL, NULL, NULL, 0 }

/* Imports one CSV file of kind in one transaction (the store must not be in one). Returns
 * 0 when everything was written (and an audit entry recorded), ERR_DATA when the file was
 * refused (rep holds the errors), ERR_USAGE for bad options, ERR_IO, ERR_DB or ERR_NOMEM
 * otherwise. On any nonzero return nothing at all was written. rep is always filled. */
int io_import_file(store *s, int kind, const char *path, const io_import_opts *opts,
                   io_report *rep);

/* The same for CSV text in memory; name is what errors are reported under. */
int io_import_buffer(store *s, int kind, const char *name, const char *data, size_t len,
                     const io_import_opts *opts, io_report *rep);

/* The same for rows already split into cells (a form's values): header holds ncols column
 * names as a file's header would, cells nrows × ncols texts; row r is reported as line r + 2. */
int io_import_cells(store *s, int kind, const char *name, const char *const *header, size_t ncols,
                    const char *const *cells, size_t nrows, const io_import_opts *opts,
                    io_report *rep);

/* How to export. Zero is the default: Chinese headers with a UTF-8 BOM, everything. */
typedef struct io_export_opts {
    int english;          /* English column keys instead of Chinese headers */
    int no_bom;           /* leave out the byte order mark Excel needs to read UTF-8 */
    const char *indicator; /* observations, targets: only this indicator code (NULL = all) */
    const char *unit;      /* observations, targets: only this unit code */
    const char *period;    /* observations: only this period, in any form period_parse reads */
    int year;              /* observations, targets: only this year (0 = all) */
} io_export_opts;

/* Writes every row of kind as CSV in the column order of the import, with canonical codes
 * and exact numbers, so that importing the output reproduces the data. Returns 0, ERR_DATA
 * for a bad period filter, ERR_IO, ERR_DB or ERR_NOMEM. opts may be NULL. */
int io_export(store *s, int kind, FILE *out, const io_export_opts *opts);

#endif
