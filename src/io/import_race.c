/* import_race: the import of the race's configuration — contest categories, contests (codes
 * resolved against the store, points tables checked by the engine), judges' scores of an
 * on-site evaluation (现场测评), named awards and the yearly caps of events. */
#include "io/import_int.h"

#include "engine/contest.h"
#include "util/err.h"
#include "util/num.h"
#include "util/period.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Reads a required code into dst and records reason when map does not hold it; -1 when bad. */
static int read_code(io__ctx *c, csv_record *rec, int col, char *dst, size_t size,
                     const io__map *map, int reason)
{
    if (io__text(c, rec, col, dst, size, 1) != 0)
        return -1;
    if (io__map_get(map, dst) < 0) {
        io__error(c, col, reason, dst, 0, NULL);
        return -1;
    }
    return 0;
}

/* Reads a number in [min, max] (max < min: no upper bound); -1 when bad (recorded). */
static int read_bounded(io__ctx *c, csv_record *rec, int col, double min, double max,
                        const char *allowed, double *out)
{
    if (io__number(c, rec, col, 0, 1, out) != 0)
        return -1;
    if (!isfinite(*out) || *out < min || (max >= min && *out > max)) {
        io__error(c, col, IO_OUT_OF_RANGE, io__get(c, rec, col), 0, allowed);
        return -1;
    }
    return 0;
}

/* ---- contest categories ---- */

enum { KC_CODE, KC_NAME, KC_NAME_EN, KC_SORT, KC_N };

static const io__column category_cols[KC_N] = {
    { "code", "类别代码|代码", 1 },
    { "name", "类别名称|名称", 1 },
    { "name_en", "英文名称", 0 },
    { "sort", "排序|排序号", 0 },
};

typedef struct category_row {
    model_contest_category k;
    long line;
} category_row;

typedef struct categories_kd {
    category_row *rows;
    size_t n, cap;
    io__map codes;        /* code -> row */
} categories_kd;

static long category_line(const void *kd, long i)
{
    return ((const categories_kd *)kd)->rows[i].line;
}

static int categories_begin(io__ctx *c)
{
    if (!(c->kd = calloc(1, sizeof(categories_kd))))
        return err_set(ERR_NOMEM, "out of memory");
    return 0;
}

static int categories_row(io__ctx *c, csv_record *rec)
{
    categories_kd *d = c->kd;
    category_row r;
    long sort = 0;
    int bad = 0;
    memset(&r, 0, sizeof r);
    r.line = c->line;
    bad |= io__text(c, rec, KC_CODE, r.k.code, sizeof r.k.code, 1);
    bad |= io__text(c, rec, KC_NAME, r.k.name, sizeof r.k.name, 1);
    bad |= io__text(c, rec, KC_NAME_EN, r.k.name_en, sizeof r.k.name_en, 0);
    bad |= io__int(c, rec, KC_SORT, INT_MIN, INT_MAX, 0, 0, &sort);
    r.k.sort_order = (int)sort;
    if (io__unique(c, &d->codes, KC_CODE, r.k.code, category_line) != 0 || bad)
        return 0;
    return io__keep((void **)&d->rows, &d->cap, &d->n, sizeof *d->rows, &r, &d->codes, r.k.code);
}

static int category_put(io__ctx *c, const void *row, enum store_put_result *result)
{
    return store_category_put(c->s, &((const category_row *)row)->k, result);
}

static int categories_write(io__ctx *c)
{
    categories_kd *d = c->kd;
    return io__write_counted(c, d->rows, d->n, sizeof *d->rows, category_put);
}

static void categories_release(io__ctx *c)
{
    categories_kd *d = c->kd;
    free(d->rows);
    io__map_free(&d->codes);
}

const io__kind io__categories_kind = {
    "categories", category_cols, KC_N, categories_begin, categories_row, NULL,
    categories_write, categories_release, 0,
};

/* ---- contests ---- */

enum { CC_CODE, CC_NAME, CC_GROUP, CC_CATEGORY, CC_PERIOD, CC_SCHEME, CC_SCHEME_WEIGHT,
       CC_JUDGE_WEIGHT, CC_DROP, CC_POINTS, CC_FLAG_TIE, CC_N };

static const io__column contest_cols[CC_N] = {
    { "code", "比拼代码|代码", 1 },
    { "name", "比拼名称|名称", 1 },
    { "group", "分组代码|分组", 1 },
    { "category", "类别代码|类别", 1 },
    { "period", "期间", 1 },
    { "scheme", "方案代码|方案", 0 },
    { "scheme_weight", "方案权重", 0 },
    { "judge_weight", "测评权重", 0 },
    { "drop_extremes", "去掉最高最低分", 0 },
    { "points", "积分规则", 0 },
    { "flag_tie", "并列规则", 0 },
};

typedef struct contest_row {
    model_contest x;
    long line;
} contest_row;

typedef struct contests_kd {
    contest_row *rows;
    size_t n, cap;
    io__map codes;        /* code -> row */
    model_contest_category *cats;
    size_t ncats;
    io__map cat_map;
    model_scheme *schemes;
    size_t nschemes;
    io__map scheme_map;
} contests_kd;

static long contest_line(const void *kd, long i)
{
    return ((const contests_kd *)kd)->rows[i].line;
}

static int contests_begin(io__ctx *c)
{
    contests_kd *d = calloc(1, sizeof *d);
    int rc;
    if (!d)
        return err_set(ERR_NOMEM, "out of memory");
    c->kd = d;
    if ((rc = io__load_groups(c)) != 0 || (rc = store_categories(c->s, &d->cats, &d->ncats)) != 0 ||
        (rc = io__map_codes(&d->cat_map, d->cats, d->ncats, sizeof *d->cats,
                            offsetof(model_contest_category, code))) != 0 ||
        (rc = store_schemes(c->s, &d->schemes, &d->nschemes)) != 0)
        return rc;
    return io__map_codes(&d->scheme_map, d->schemes, d->nschemes, sizeof *d->schemes,
                         offsetof(model_scheme, code));
}

static int read_period(io__ctx *c, csv_record *rec, char *dst, size_t size)
{
    const char *t = io__get(c, rec, CC_PERIOD);
    period_key key;
    if (!t[0]) {
        io__error(c, CC_PERIOD, IO_EMPTY_FIELD, NULL, 0, NULL);
        return -1;
    }
    if (period_parse(t, &key) != 0) {
        io__error(c, CC_PERIOD, IO_BAD_PERIOD, t, 0, NULL);
        return -1;
    }
    period_format(&key, dst, size);
    return 0;
}

/* A weight in percent as basis points, or -1 when the field is empty; -2 when bad. */
static int read_percent(io__ctx *c, csv_record *rec, int col, int *bp)
{
    double v;
    *bp = -1;
    if (!io__get(c, rec, col)[0])
        return 0;
    if (read_bounded(c, rec, col, 0, 100, "0..100", &v) != 0)
        return -1;
    *bp = (int)lround(v * 100);
    return 0;
}

/* Sets the two weights: both left out, all to the scheme when there is one, else to the
 * judges; one left out, the rest of 100 %; both given, they must add up to 100 %. */
static int read_weights(io__ctx *c, csv_record *rec, model_contest *x)
{
    int sbp, jbp;
    if ((read_percent(c, rec, CC_SCHEME_WEIGHT, &sbp) | read_percent(c, rec, CC_JUDGE_WEIGHT, &jbp)))
        return -1;
    if (sbp < 0 && jbp < 0) {
        sbp = x->scheme_code[0] ? 10000 : 0;
        jbp = 10000 - sbp;
    } else if (sbp < 0) {
        sbp = 10000 - jbp;
    } else if (jbp < 0) {
        jbp = 10000 - sbp;
    } else if (sbp + jbp != 10000) {
        char sum[NUM_TEXT_MAX * 2 + 8], a[NUM_TEXT_MAX], b[NUM_TEXT_MAX];
        num_format(sbp / 100.0, a, sizeof a);
        num_format(jbp / 100.0, b, sizeof b);
        snprintf(sum, sizeof sum, "%s%% + %s%%", a, b);
        io__error(c, CC_JUDGE_WEIGHT, IO_WEIGHTS_100, sum, 0, NULL);
        return -1;
    }
    x->engine_weight_bp = sbp;
    x->judge_weight_bp = jbp;
    return 0;
}

/* The points table as written, checked by the engine; -1 when bad (recorded). */
static int read_points(io__ctx *c, csv_record *rec, model_contest *x)
{
    engine_points_table t;
    char why[256];
    if (io__text(c, rec, CC_POINTS, x->points, sizeof x->points, 0) != 0)
        return -1;
    if (engine_points_table_parse(x->points, &t) == 0)
        return 0;
    snprintf(why, sizeof why, "%s", err_msg());
    io__error(c, CC_POINTS, IO_BAD_PARAMS, x->points, 0, why);
    return -1;
}

static int contests_row(io__ctx *c, csv_record *rec)
{
    contests_kd *d = c->kd;
    contest_row r;
    int bad = 0;
    memset(&r, 0, sizeof r);
    r.line = c->line;
    bad |= io__text(c, rec, CC_CODE, r.x.code, sizeof r.x.code, 1);
    bad |= io__text(c, rec, CC_NAME, r.x.name, sizeof r.x.name, 1);
    bad |= read_code(c, rec, CC_GROUP, r.x.group_code, sizeof r.x.group_code, &c->group_map,
                     IO_UNKNOWN_GROUP);
    bad |= read_code(c, rec, CC_CATEGORY, r.x.category_code, sizeof r.x.category_code, &d->cat_map,
                     IO_UNKNOWN_CATEGORY);
    bad |= read_period(c, rec, r.x.period_code, sizeof r.x.period_code);
    if (io__get(c, rec, CC_SCHEME)[0])
        bad |= read_code(c, rec, CC_SCHEME, r.x.scheme_code, sizeof r.x.scheme_code,
                         &d->scheme_map, IO_UNKNOWN_SCHEME);
    bad |= read_weights(c, rec, &r.x);
    r.x.drop_extremes = 1;
    if (io__get(c, rec, CC_DROP)[0])
        bad |= io__bool(c, rec, CC_DROP, &r.x.drop_extremes);
    bad |= read_points(c, rec, &r.x);
    bad |= io__enum(c, rec, CC_FLAG_TIE, model_flag_tie_rules, FLAG_TIE_N, FLAG_TIE_SHARED, 0,
                    &r.x.flag_tie_rule);
    if (io__unique(c, &d->codes, CC_CODE, r.x.code, contest_line) != 0 || bad)
        return 0;
    return io__keep((void **)&d->rows, &d->cap, &d->n, sizeof *d->rows, &r, &d->codes, r.x.code);
}

static int contest_put(io__ctx *c, const void *row, enum store_put_result *result)
{
    return store_contest_put(c->s, &((const contest_row *)row)->x, result);
}

static int contests_write(io__ctx *c)
{
    contests_kd *d = c->kd;
    return io__write_counted(c, d->rows, d->n, sizeof *d->rows, contest_put);
}

static void contests_release(io__ctx *c)
{
    contests_kd *d = c->kd;
    free(d->rows);
    free(d->cats);
    free(d->schemes);
    io__map_free(&d->codes);
    io__map_free(&d->cat_map);
    io__map_free(&d->scheme_map);
}

const io__kind io__contests_kind = {
    "contests", contest_cols, CC_N, contests_begin, contests_row, NULL, contests_write,
    contests_release, 0,
};

/* ---- judges' scores ---- */

enum { JC_CONTEST, JC_UNIT, JC_JUDGE, JC_SCORE, JC_N };

static const io__column judge_cols[JC_N] = {
    { "contest", "比拼代码|比拼", 1 },
    { "unit", "单位代码|单位", 1 },
    { "judge", "评委", 1 },
    { "score", "得分|分数", 1 },
};

typedef struct judge_row {
    model_judge_score j;
    long line;
} judge_row;

typedef struct judges_kd {
    judge_row *rows;
    size_t n, cap;
    io__map keys;         /* "contest\x1funit\x1fjudge" -> row */
    model_contest *contests;
    size_t ncontests;
    io__map contest_map;
    io__map groups_read;  /* group code -> 0 once its members are in members */
    io__map members;      /* "group\x1funit" -> 0 */
} judges_kd;

static int judges_begin(io__ctx *c)
{
    judges_kd *d = calloc(1, sizeof *d);
    int rc;
    if (!d)
        return err_set(ERR_NOMEM, "out of memory");
    c->kd = d;
    if ((rc = io__load_units(c)) != 0 ||
        (rc = store_contests(c->s, "", &d->contests, &d->ncontests)) != 0)
        return rc;
    return io__map_codes(&d->contest_map, d->contests, d->ncontests, sizeof *d->contests,
                         offsetof(model_contest, code));
}

static void judge_key(const model_judge_score *j, char *buf, size_t size)
{
    snprintf(buf, size, "%s\x1f%s\x1f%s", j->contest_code, j->unit_code, j->judge);
}

/* Loads the members of a group into d->members (once). */
static int load_members(io__ctx *c, const char *group_code)
{
    judges_kd *d = c->kd;
    char key[2 * MODEL_CODE_MAX + 2];
    model_unit *us = NULL;
    size_t n = 0;
    int rc;
    if (io__map_get(&d->groups_read, group_code) >= 0)
        return 0;
    if ((rc = store_group_members(c->s, group_code, &us, &n)) != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        snprintf(key, sizeof key, "%s\x1f%s", group_code, us[i].code);
        rc = io__map_put(&d->members, key, 0);
    }
    free(us);
    return rc ? rc : io__map_put(&d->groups_read, group_code, 0);
}

/* Checks the unit exists and belongs to the group of contest x (NULL when unknown). */
static int check_unit(io__ctx *c, const model_contest *x, const char *unit_code, int *bad)
{
    judges_kd *d = c->kd;
    char key[2 * MODEL_CODE_MAX + 2];
    int rc;
    if (io__map_get(&c->unit_map, unit_code) < 0) {
        io__error(c, JC_UNIT, IO_UNKNOWN_UNIT, unit_code, 0, NULL);
        *bad = -1;
        return 0;
    }
    if (!x)
        return 0;
    if ((rc = load_members(c, x->group_code)) != 0)
        return rc;
    snprintf(key, sizeof key, "%s\x1f%s", x->group_code, unit_code);
    if (io__map_get(&d->members, key) < 0) {
        io__error(c, JC_UNIT, IO_NOT_MEMBER, unit_code, 0, x->group_code);
        *bad = -1;
    }
    return 0;
}

static int judges_row(io__ctx *c, csv_record *rec)
{
    judges_kd *d = c->kd;
    judge_row r;
    char key[2 * MODEL_CODE_MAX + MODEL_NAME_MAX + 2];
    const model_contest *x = NULL;
    long prev;
    int bad = 0, rc;
    memset(&r, 0, sizeof r);
    r.line = c->line;
    if (read_code(c, rec, JC_CONTEST, r.j.contest_code, sizeof r.j.contest_code, &d->contest_map,
                  IO_UNKNOWN_CONTEST) == 0)
        x = &d->contests[io__map_get(&d->contest_map, r.j.contest_code)];
    else
        bad = -1;
    if (io__text(c, rec, JC_UNIT, r.j.unit_code, sizeof r.j.unit_code, 1) != 0)
        bad = -1;
    else if ((rc = check_unit(c, x, r.j.unit_code, &bad)) != 0)
        return rc;
    bad |= io__text(c, rec, JC_JUDGE, r.j.judge, sizeof r.j.judge, 1);
    bad |= read_bounded(c, rec, JC_SCORE, 0, 100, "0..100", &r.j.score);
    if (bad)
        return 0;
    judge_key(&r.j, key, sizeof key);
    if ((prev = io__map_get(&d->keys, key)) >= 0) {
        char what[2 * MODEL_CODE_MAX + MODEL_NAME_MAX + 8];
        snprintf(what, sizeof what, "%s / %s / %s", r.j.contest_code, r.j.unit_code, r.j.judge);
        io__error(c, -1, IO_DUPLICATE_KEY, what, d->rows[prev].line, NULL);
        return 0;
    }
    return io__keep((void **)&d->rows, &d->cap, &d->n, sizeof *d->rows, &r, &d->keys, key);
}

static int judge_put(io__ctx *c, const void *row, enum store_put_result *result)
{
    return store_judge_score_put(c->s, &((const judge_row *)row)->j, result);
}

static int judges_write(io__ctx *c)
{
    judges_kd *d = c->kd;
    return io__write_counted(c, d->rows, d->n, sizeof *d->rows, judge_put);
}

static void judges_release(io__ctx *c)
{
    judges_kd *d = c->kd;
    free(d->rows);
    free(d->contests);
    io__map_free(&d->keys);
    io__map_free(&d->contest_map);
    io__map_free(&d->groups_read);
    io__map_free(&d->members);
}

const io__kind io__judges_kind = {
    "judges", judge_cols, JC_N, judges_begin, judges_row, NULL, judges_write, judges_release, 0,
};

/* ---- awards ---- */

enum { AC_CODE, AC_NAME, AC_NAME_EN, AC_KIND, AC_SOURCE, AC_SOURCE_CODE, AC_GROUP, AC_RULE, AC_N };

static const io__column award_cols[AC_N] = {
    { "code", "奖项代码|代码", 1 },
    { "name", "奖项名称|名称", 1 },
    { "name_en", "英文名称", 0 },
    { "kind", "类型", 1 },
    { "source", "依据", 1 },
    { "source_code", "依据代码", 1 },
    { "group", "分组代码|分组", 1 },
    { "rule", "评选规则", 0 },
};

const model_enum io__award_kinds[2] = { { "best", "最佳" }, { "worst", "最差" } };
const model_enum io__award_sources[2] = { { "contest", "比拼" }, { "indicator", "指标" } };

typedef struct award_row {
    model_award a;
    long line;
} award_row;

typedef struct awards_kd {
    award_row *rows;
    size_t n, cap;
    io__map codes;
    model_contest_category *cats;
    size_t ncats;
    io__map cat_map;
} awards_kd;

static long award_line(const void *kd, long i)
{
    return ((const awards_kd *)kd)->rows[i].line;
}

static int awards_begin(io__ctx *c)
{
    awards_kd *d = calloc(1, sizeof *d);
    int rc;
    if (!d)
        return err_set(ERR_NOMEM, "out of memory");
    c->kd = d;
    if ((rc = io__load_groups(c)) != 0 || (rc = io__load_indicators(c)) != 0 ||
        (rc = store_categories(c->s, &d->cats, &d->ncats)) != 0)
        return rc;
    return io__map_codes(&d->cat_map, d->cats, d->ncats, sizeof *d->cats,
                         offsetof(model_contest_category, code));
}

static int awards_row(io__ctx *c, csv_record *rec)
{
    awards_kd *d = c->kd;
    award_row r;
    int bad = 0, source = -1;
    memset(&r, 0, sizeof r);
    r.line = c->line;
    bad |= io__text(c, rec, AC_CODE, r.a.code, sizeof r.a.code, 1);
    bad |= io__text(c, rec, AC_NAME, r.a.name, sizeof r.a.name, 1);
    bad |= io__text(c, rec, AC_NAME_EN, r.a.name_en, sizeof r.a.name_en, 0);
    bad |= io__enum(c, rec, AC_KIND, io__award_kinds, 2, 0, 1, &r.a.worst);
    if (io__enum(c, rec, AC_SOURCE, io__award_sources, 2, 0, 1, &source) == 0) {
        snprintf(r.a.source, sizeof r.a.source, "%s", io__award_sources[source].key);
        bad |= read_code(c, rec, AC_SOURCE_CODE, r.a.source_code, sizeof r.a.source_code,
                         source == 0 ? &d->cat_map : &c->ind_map,
                         source == 0 ? IO_UNKNOWN_CATEGORY : IO_UNKNOWN_INDICATOR);
    } else {
        bad = -1;
        io__text(c, rec, AC_SOURCE_CODE, r.a.source_code, sizeof r.a.source_code, 1);
    }
    bad |= read_code(c, rec, AC_GROUP, r.a.group_code, sizeof r.a.group_code, &c->group_map,
                     IO_UNKNOWN_GROUP);
    bad |= io__text(c, rec, AC_RULE, r.a.rule, sizeof r.a.rule, 0);
    if (io__unique(c, &d->codes, AC_CODE, r.a.code, award_line) != 0 || bad)
        return 0;
    return io__keep((void **)&d->rows, &d->cap, &d->n, sizeof *d->rows, &r, &d->codes, r.a.code);
}

static int award_put(io__ctx *c, const void *row, enum store_put_result *result)
{
    return store_award_put(c->s, &((const award_row *)row)->a, result);
}

static int awards_write(io__ctx *c)
{
    awards_kd *d = c->kd;
    return io__write_counted(c, d->rows, d->n, sizeof *d->rows, award_put);
}

static void awards_release(io__ctx *c)
{
    awards_kd *d = c->kd;
    free(d->rows);
    free(d->cats);
    io__map_free(&d->codes);
    io__map_free(&d->cat_map);
}

const io__kind io__awards_kind = {
    "awards", award_cols, AC_N, awards_begin, awards_row, NULL, awards_write, awards_release, 0,
};

/* ---- event caps ---- */

enum { EC_CATEGORY, EC_YEAR, EC_MAX_BONUS, EC_MAX_DEDUCTION, EC_N };

static const io__column cap_cols[EC_N] = {
    { "category", "事项类别|类别", 1 },
    { "year", "年度|年份", 1 },
    { "max_bonus", "加分上限", 1 },
    { "max_deduction", "减分上限", 1 },
};

typedef struct cap_row {
    model_event_cap e;
    long line;
} cap_row;

typedef struct caps_kd {
    cap_row *rows;
    size_t n, cap;
    io__map keys;         /* "category\x1fyear" -> row */
} caps_kd;

static void cap_key(const model_event_cap *e, char *buf, size_t size)
{
    snprintf(buf, size, "%s\x1f%d", e->category, e->year);
}

static int caps_begin(io__ctx *c)
{
    if (!(c->kd = calloc(1, sizeof(caps_kd))))
        return err_set(ERR_NOMEM, "out of memory");
    return 0;
}

static int caps_row(io__ctx *c, csv_record *rec)
{
    caps_kd *d = c->kd;
    cap_row r;
    char key[MODEL_CODE_MAX + 16];
    long year = 0, prev;
    int bad = 0;
    memset(&r, 0, sizeof r);
    r.line = c->line;
    bad |= io__text(c, rec, EC_CATEGORY, r.e.category, sizeof r.e.category, 1);
    bad |= io__int(c, rec, EC_YEAR, PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, 0, 1, &year);
    bad |= read_bounded(c, rec, EC_MAX_BONUS, 0, -1, ">= 0", &r.e.max_bonus);
    bad |= read_bounded(c, rec, EC_MAX_DEDUCTION, 0, -1, ">= 0", &r.e.max_deduction);
    if (bad)
        return 0;
    r.e.year = (int)year;
    cap_key(&r.e, key, sizeof key);
    if ((prev = io__map_get(&d->keys, key)) >= 0) {
        char what[MODEL_CODE_MAX + 24];
        snprintf(what, sizeof what, "%s / %d", r.e.category, r.e.year);
        io__error(c, -1, IO_DUPLICATE_KEY, what, d->rows[prev].line, NULL);
        return 0;
    }
    return io__keep((void **)&d->rows, &d->cap, &d->n, sizeof *d->rows, &r, &d->keys, key);
}

static int cap_put(io__ctx *c, const void *row, enum store_put_result *result)
{
    return store_event_cap_put(c->s, &((const cap_row *)row)->e, result);
}

static int caps_write(io__ctx *c)
{
    caps_kd *d = c->kd;
    return io__write_counted(c, d->rows, d->n, sizeof *d->rows, cap_put);
}

static void caps_release(io__ctx *c)
{
    caps_kd *d = c->kd;
    free(d->rows);
    io__map_free(&d->keys);
}

const io__kind io__caps_kind = {
    "caps", cap_cols, EC_N, caps_begin, caps_row, NULL, caps_write, caps_release, 0,
};
