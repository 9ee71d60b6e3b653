/* import_scheme: the import of schemes (one row per item, scheme fields agreeing across a
 * scheme's rows, item weights adding up to the total) and of annual targets. */
#include "io/import_int.h"
#include "engine/analyze.h"
#include "engine/score.h"

#include "util/err.h"
#include "util/num.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- schemes ---- */

enum { SC_SCHEME, SC_NAME, SC_GROUP, SC_PERIOD_KIND, SC_TOTAL, SC_GRADING, SC_INDICATOR,
       SC_WEIGHT, SC_METHOD, SC_PARAMS, SC_NAME_EN, SC_DESC, SC_SETTINGS, SC_N };

static const io__column scheme_cols[SC_N] = {
    { "scheme", "方案代码", 1 },
    { "scheme_name", "方案名称", 1 },
    { "group", "分组代码|分组", 1 },
    { "period_kind", "考核周期", 1 },
    { "total_weight", "总分值", 1 },
    { "grading", "等次规则", 0 },
    { "indicator", "指标代码|指标", 1 },
    { "weight", "分值", 1 },
    { "method", "赋分方法", 0 },
    { "params", "参数", 0 },
    { "scheme_name_en", "方案英文名称", 0 },
    { "description", "方案说明", 0 },
    { "settings", "预警设置", 0 },
};

typedef struct scheme_entry {
    model_scheme sc;
    long line;            /* its first row */
    int bad;              /* one of its rows was refused: its sum is not checked */
    size_t nitems;
} scheme_entry;

typedef struct item_row {
    model_scheme_item it;
    size_t scheme;        /* index of its scheme_entry */
    long line;
} item_row;

typedef struct schemes_kd {
    scheme_entry *schemes;
    size_t nschemes, scap;
    io__map codes;        /* scheme code -> entry */
    item_row *items;
    size_t nitems, icap;
    io__map keys;         /* "scheme\x1findicator" -> item */
    model_scheme_item *write_items; /* room for every item, used while writing */
} schemes_kd;

static int schemes_begin(io__ctx *c)
{
    int rc;
    if (!(c->kd = calloc(1, sizeof(schemes_kd))))
        return err_set(ERR_NOMEM, "out of memory");
    if ((rc = io__load_indicators(c)) != 0)
        return rc;
    return io__load_groups(c);
}

static int read_period_kind(io__ctx *c, csv_record *rec, int *out)
{
    const char *t = io__get(c, rec, SC_PERIOD_KIND);
    char lower[32];
    if (!t[0]) {
        io__error(c, SC_PERIOD_KIND, IO_EMPTY_FIELD, NULL, 0, NULL);
        return -1;
    }
    if (text_copy_lower(t, lower, sizeof lower) == 0 && period_kind_parse(lower, out) == 0)
        return 0;
    io__error(c, SC_PERIOD_KIND, IO_BAD_VALUE, t, 0, "month/月, quarter/季度, half/半年, year/年");
    return -1;
}

/* Reads the scheme fields of a row into sc; -1 when one is bad (recorded). */
static int read_scheme_fields(io__ctx *c, csv_record *rec, model_scheme *sc)
{
    int bad = 0;
    memset(sc, 0, sizeof *sc);
    bad |= io__text(c, rec, SC_SCHEME, sc->code, sizeof sc->code, 1);
    bad |= io__text(c, rec, SC_NAME, sc->name, sizeof sc->name, 1);
    bad |= io__text(c, rec, SC_GROUP, sc->group_code, sizeof sc->group_code, 1);
    bad |= read_period_kind(c, rec, &sc->period_kind);
    bad |= io__number(c, rec, SC_TOTAL, 0, 1, &sc->total_weight);
    bad |= io__text(c, rec, SC_GRADING, sc->grading, sizeof sc->grading, 0);
    bad |= io__text(c, rec, SC_NAME_EN, sc->name_en, sizeof sc->name_en, 0);
    bad |= io__text(c, rec, SC_DESC, sc->description, sizeof sc->description, 0);
    bad |= io__text(c, rec, SC_SETTINGS, sc->settings, sizeof sc->settings, 0);
    if (!bad) {
        engine_params p;
        engine_grading g;
        char names[8][ENGINE_GRADE_NAME_MAX];
        if (engine_params_parse(sc->settings, &p) != 0) {
            char why[256];
            snprintf(why, sizeof why, "%s", err_msg());
            io__error(c, SC_SETTINGS, IO_BAD_PARAMS, sc->settings, 0, why);
            bad = -1;
        }
        if (sc->grading[0] && engine_grading_parse(sc->grading, &g, names) != 0) {
            char why[256];
            snprintf(why, sizeof why, "%s", err_msg());
            io__error(c, SC_GRADING, IO_BAD_PARAMS, sc->grading, 0, why);
            bad = -1;
        }
    }
    if (sc->group_code[0] && io__map_get(&c->group_map, sc->group_code) < 0) {
        io__error(c, SC_GROUP, IO_UNKNOWN_GROUP, sc->group_code, 0, NULL);
        bad = -1;
    }
    return bad;
}

/* Records an inconsistency when a scheme field of this row differs from the first row. */
static int agree(io__ctx *c, int col, long first, const char *was, const char *now)
{
    if (strcmp(was, now) == 0)
        return 0;
    io__error(c, col, IO_INCONSISTENT, now, first, was);
    return -1;
}

static int check_agrees(io__ctx *c, const scheme_entry *e, const model_scheme *sc)
{
    const model_scheme *a = &e->sc;
    char x[NUM_TEXT_MAX], y[NUM_TEXT_MAX];
    int bad = 0;
    num_format(a->total_weight, x, sizeof x);
    num_format(sc->total_weight, y, sizeof y);
    bad |= agree(c, SC_NAME, e->line, a->name, sc->name);
    bad |= agree(c, SC_GROUP, e->line, a->group_code, sc->group_code);
    bad |= agree(c, SC_PERIOD_KIND, e->line, period_kind_name(a->period_kind),
                 period_kind_name(sc->period_kind));
    bad |= agree(c, SC_TOTAL, e->line, x, y);
    bad |= agree(c, SC_GRADING, e->line, a->grading, sc->grading);
    bad |= agree(c, SC_NAME_EN, e->line, a->name_en, sc->name_en);
    bad |= agree(c, SC_DESC, e->line, a->description, sc->description);
    bad |= agree(c, SC_SETTINGS, e->line, a->settings, sc->settings);
    return bad;
}

/* Reads the item fields of a row; the method defaults to the indicator's. */
static int read_item(io__ctx *c, csv_record *rec, model_scheme_item *it)
{
    long ind = -1;
    int bad = 0;
    memset(it, 0, sizeof *it);
    bad |= io__text(c, rec, SC_INDICATOR, it->indicator_code, sizeof it->indicator_code, 1);
    if (!bad && (ind = io__map_get(&c->ind_map, it->indicator_code)) < 0) {
        io__error(c, SC_INDICATOR, IO_UNKNOWN_INDICATOR, it->indicator_code, 0, NULL);
        bad = -1;
    }
    bad |= io__number(c, rec, SC_WEIGHT, 0, 1, &it->weight);
    bad |= io__enum(c, rec, SC_METHOD, model_methods, METHOD_N, ind >= 0 ? c->inds[ind].method : 0,
                    0, &it->method);
    bad |= io__text(c, rec, SC_PARAMS, it->params, sizeof it->params, 0);
    if (!bad && ind >= 0) {
        /* the engine is the judge of a method's parameters: unknown keys, missing bounds, ... */
        engine_method m;
        if (engine_method_parse(it->method, it->weight, c->inds[ind].direction == DIR_HIGHER,
                                it->params, &m) != 0) {
            char why[256];
            snprintf(why, sizeof why, "%s", err_msg());
            io__error(c, SC_PARAMS, IO_BAD_PARAMS, it->params[0] ? it->params : "—", 0, why);
            bad = -1;
        }
    }
    return bad;
}

static int schemes_row(io__ctx *c, csv_record *rec)
{
    schemes_kd *d = c->kd;
    model_scheme sc;
    item_row r;
    char key[2 * MODEL_CODE_MAX + 2];
    long e, prev;
    int bad, rc;
    bad = read_scheme_fields(c, rec, &sc);
    bad |= read_item(c, rec, &r.it);
    if (!sc.code[0])
        return 0;
    if ((e = io__map_get(&d->codes, sc.code)) < 0) {
        if ((rc = io__grow((void **)&d->schemes, &d->scap, d->nschemes, sizeof *d->schemes)) != 0 ||
            (rc = io__map_put(&d->codes, sc.code, (long)d->nschemes)) != 0)
            return rc;
        e = (long)d->nschemes++;
        d->schemes[e] = (scheme_entry){ sc, c->line, bad != 0, 0 };
    } else if (!d->schemes[e].bad && !bad) {
        bad = check_agrees(c, &d->schemes[e], &sc);
    }
    snprintf(key, sizeof key, "%s\x1f%s", sc.code, r.it.indicator_code);
    if (r.it.indicator_code[0] && (prev = io__map_get(&d->keys, key)) >= 0) {
        io__error(c, SC_INDICATOR, IO_DUPLICATE_KEY, r.it.indicator_code, d->items[prev].line,
                  NULL);
        bad = -1;
    }
    if (bad) {
        d->schemes[e].bad = 1;
        return 0;
    }
    snprintf(r.it.scheme_code, sizeof r.it.scheme_code, "%s", sc.code);
    r.it.sort_order = (int)d->schemes[e].nitems++;
    r.scheme = (size_t)e;
    r.line = c->line;
    if ((rc = io__grow((void **)&d->items, &d->icap, d->nitems, sizeof *d->items)) != 0 ||
        (rc = io__map_put(&d->keys, key, (long)d->nitems)) != 0)
        return rc;
    d->items[d->nitems++] = r;
    return 0;
}

/* Checks each scheme's items with the engine (engine_scheme_check): its rows' methods were
 * judged row by row, so what remains to report here is a sum of weights off the total. */
static int schemes_check(io__ctx *c)
{
    schemes_kd *d = c->kd;
    engine_scheme_item *in = malloc((d->nitems + 1) * sizeof *in);
    engine_scheme_problem *pr = malloc((d->nitems + 1) * sizeof *pr);
    if (!in || !pr) {
        free(in);
        free(pr);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t e = 0; e < d->nschemes; e++) {
        const scheme_entry *s = &d->schemes[e];
        char sum_text[32], total_text[NUM_TEXT_MAX];
        double sum = 0;
        size_t n = 0, npr;
        if (s->bad)
            continue;
        for (size_t i = 0; i < d->nitems; i++) {
            const model_scheme_item *it = &d->items[i].it;
            long ind = io__map_get(&c->ind_map, it->indicator_code);
            if (d->items[i].scheme == e)
                in[n++] = (engine_scheme_item){ it->method, it->weight,
                                                ind < 0 || c->inds[ind].direction == DIR_HIGHER, it->params };
        }
        npr = engine_scheme_check(in, n, s->sc.total_weight, pr, &sum);
        for (size_t k = 0; k < npr; k++) {
            if (pr[k].code != ENGINE_SCHEME_WEIGHT_SUM)
                continue;
            snprintf(sum_text, sizeof sum_text, "%.10g", sum);
            num_format(s->sc.total_weight, total_text, sizeof total_text);
            io__error_at(c, s->line, SC_TOTAL, IO_WEIGHT_SUM, sum_text, 0, total_text);
        }
    }
    free(in);
    free(pr);
    return 0;
}

/* Writes a scheme and replaces its items with the file's. */
static int scheme_put(io__ctx *c, const void *row, enum store_put_result *result)
{
    schemes_kd *d = c->kd;
    const scheme_entry *e = row;
    size_t ix = (size_t)(e - d->schemes), n = 0;
    enum store_put_result items;
    int rc;
    for (size_t i = 0; i < d->nitems; i++) {
        if (d->items[i].scheme == ix)
            d->write_items[n++] = d->items[i].it;
    }
    if ((rc = store_scheme_put(c->s, &e->sc, result)) != 0 ||
        (rc = store_scheme_set_items(c->s, e->sc.code, d->write_items, n, &items)) != 0)
        return rc;
    *result = store_put_combined(*result, items);
    return 0;
}

static int schemes_write(io__ctx *c)
{
    schemes_kd *d = c->kd;
    if (!(d->write_items = malloc((d->nitems + 1) * sizeof *d->write_items)))
        return err_set(ERR_NOMEM, "out of memory");
    return io__write_counted(c, d->schemes, d->nschemes, sizeof *d->schemes, scheme_put);
}

static void schemes_release(io__ctx *c)
{
    schemes_kd *d = c->kd;
    free(d->schemes);
    free(d->write_items);
    free(d->items);
    io__map_free(&d->codes);
    io__map_free(&d->keys);
}

const io__kind io__schemes_kind = {
    "schemes", scheme_cols, SC_N, schemes_begin, schemes_row, schemes_check, schemes_write,
    schemes_release, 0,
};

/* ---- targets ---- */

enum { TC_INDICATOR, TC_UNIT, TC_YEAR, TC_VALUE, TC_NOTE, TC_N };

static const io__column target_cols[TC_N] = {
    { "indicator", "指标代码|指标", 1 },
    { "unit", "单位代码|单位", 1 },
    { "year", "年度|年份", 1 },
    { "value", "目标值", 1 },
    { "note", "备注|说明", 0 },
};

typedef struct target_row {
    model_target t;
    long line;
} target_row;

typedef struct targets_kd {
    target_row *rows;
    size_t n, cap;
    io__map keys;         /* "indicator\x1funit\x1fyear" -> row */
} targets_kd;

static void target_key(const model_target *t, char *buf, size_t size)
{
    snprintf(buf, size, "%s\x1f%s\x1f%d", t->indicator_code, t->unit_code, t->year);
}

static int targets_begin(io__ctx *c)
{
    targets_kd *d = calloc(1, sizeof *d);
    int rc;
    if (!d)
        return err_set(ERR_NOMEM, "out of memory");
    c->kd = d;
    if ((rc = io__load_units(c)) != 0)
        return rc;
    return io__load_indicators(c);
}

static int targets_row(io__ctx *c, csv_record *rec)
{
    targets_kd *d = c->kd;
    target_row r;
    char key[2 * MODEL_CODE_MAX + 16];
    long year, prev;
    int bad = 0;
    memset(&r, 0, sizeof r);
    r.line = c->line;
    if (io__text(c, rec, TC_INDICATOR, r.t.indicator_code, sizeof r.t.indicator_code, 1) == 0 &&
        io__map_get(&c->ind_map, r.t.indicator_code) < 0) {
        io__error(c, TC_INDICATOR, IO_UNKNOWN_INDICATOR, r.t.indicator_code, 0, NULL);
        bad = -1;
    } else if (!r.t.indicator_code[0]) {
        bad = -1;
    }
    if (io__text(c, rec, TC_UNIT, r.t.unit_code, sizeof r.t.unit_code, 1) == 0 &&
        io__map_get(&c->unit_map, r.t.unit_code) < 0) {
        io__error(c, TC_UNIT, IO_UNKNOWN_UNIT, r.t.unit_code, 0, NULL);
        bad = -1;
    } else if (!r.t.unit_code[0]) {
        bad = -1;
    }
    bad |= io__int(c, rec, TC_YEAR, PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, 0, 1, &year);
    bad |= io__number(c, rec, TC_VALUE, 0, 1, &r.t.value);
    bad |= io__text(c, rec, TC_NOTE, r.t.note, sizeof r.t.note, 0);
    if (bad)
        return 0;
    r.t.year = (int)year;
    target_key(&r.t, key, sizeof key);
    if ((prev = io__map_get(&d->keys, key)) >= 0) {
        char what[2 * MODEL_CODE_MAX + 24];
        snprintf(what, sizeof what, "%s / %s / %d", r.t.indicator_code, r.t.unit_code, r.t.year);
        io__error(c, -1, IO_DUPLICATE_KEY, what, d->rows[prev].line, NULL);
        return 0;
    }
    return io__keep((void **)&d->rows, &d->cap, &d->n, sizeof *d->rows, &r, &d->keys, key);
}

static int target_put(io__ctx *c, const void *row, enum store_put_result *result)
{
    return store_target_put(c->s, &((const target_row *)row)->t, result);
}

static int targets_write(io__ctx *c)
{
    targets_kd *d = c->kd;
    return io__write_counted(c, d->rows, d->n, sizeof *d->rows, target_put);
}

static void targets_release(io__ctx *c)
{
    targets_kd *d = c->kd;
    free(d->rows);
    io__map_free(&d->keys);
}

const io__kind io__targets_kind = {
    "targets", target_cols, TC_N, targets_begin, targets_row, NULL, targets_write,
    targets_release, 0,
};
