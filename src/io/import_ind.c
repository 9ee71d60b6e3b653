/* import_ind: the import of indicators with every field of SPEC §3, lead and cooperating
 * units checked against the store. */
#include "io/import_int.h"

#include "util/err.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum { IC_CODE, IC_NAME, IC_MEASURE, IC_DIRECTION, IC_VALUE_KIND, IC_CATEGORY, IC_PRECISION,
       IC_WEIGHT, IC_METHOD, IC_LEAD, IC_COOP, IC_LEADER, IC_BONUS, IC_VETO, IC_DEFINITION,
       IC_SOURCE, IC_NAME_EN, IC_SORT, IC_N };

static const io__column ind_cols[IC_N] = {
    { "code", "指标代码|代码", 1 },
    { "name", "指标名称|名称", 1 },
    { "measure", "计量单位", 0 },
    { "direction", "方向|指标方向", 1 },
    { "value_kind", "数值类型", 1 },
    { "category", "类别|指标类别", 0 },
    { "precision", "小数位|小数位数", 0 },
    { "weight", "分值|权重", 0 },
    { "method", "赋分方法", 0 },
    { "lead_unit", "牵头单位", 0 },
    { "coop_units", "配合单位", 0 },
    { "leader", "分管领导", 0 },
    { "bonus", "加分指标|is_bonus", 0 },
    { "veto", "一票否决|is_veto", 0 },
    { "definition", "统计口径", 0 },
    { "source", "数据来源", 0 },
    { "name_en", "英文名称", 0 },
    { "sort", "排序|排序号", 0 },
};

typedef struct ind_row {
    model_indicator ind;
    long line;
} ind_row;

typedef struct inds_kd {
    ind_row *rows;
    size_t n, cap;
    io__map codes;
    io__map seen;         /* cooperating units of the row being read */
} inds_kd;

static long ind_line(const void *kd, long i)
{
    return ((const inds_kd *)kd)->rows[i].line;
}

static int inds_begin(io__ctx *c)
{
    int rc;
    if (!(c->kd = calloc(1, sizeof(inds_kd))))
        return err_set(ERR_NOMEM, "out of memory");
    if ((rc = io__load_units(c)) != 0)
        return rc;
    return io__load_indicators(c);
}

typedef struct coop_ctx {
    io__ctx *c;
    model_indicator *ind;
    size_t len;
    int bad;
} coop_ctx;

/* io__split_codes callback: checks one cooperating unit and appends it, ';'-joined. */
static int add_coop(const char *code, void *arg)
{
    coop_ctx *m = arg;
    inds_kd *d = m->c->kd;
    size_t n = strlen(code);
    if (io__map_get(&m->c->unit_map, code) < 0) {
        io__error(m->c, IC_COOP, IO_UNKNOWN_UNIT, code, 0, NULL);
        m->bad = -1;
        return 0;
    }
    if (io__map_get(&d->seen, code) >= 0) {
        io__error(m->c, IC_COOP, IO_DUPLICATE_KEY, code, m->c->line, NULL);
        m->bad = -1;
        return 0;
    }
    if (m->len + n + 2 > sizeof m->ind->coop_units) {
        char max[16];
        snprintf(max, sizeof max, "%zu", sizeof m->ind->coop_units - 1);
        io__error(m->c, IC_COOP, IO_TOO_LONG, code, 0, max);
        m->bad = -1;
        return 0;
    }
    if (m->len)
        m->ind->coop_units[m->len++] = ';';
    memcpy(m->ind->coop_units + m->len, code, n + 1);
    m->len += n;
    return io__map_put(&d->seen, code, 0);
}

static int inds_row(io__ctx *c, csv_record *rec)
{
    inds_kd *d = c->kd;
    ind_row r;
    model_indicator *ind = &r.ind;
    coop_ctx m = { c, ind, 0, 0 };
    long precision, sort;
    int bad = 0, rc;
    memset(&r, 0, sizeof r);
    r.line = c->line;
    bad |= io__text(c, rec, IC_CODE, ind->code, sizeof ind->code, 1);
    bad |= io__text(c, rec, IC_NAME, ind->name, sizeof ind->name, 1);
    bad |= io__text(c, rec, IC_MEASURE, ind->measure, sizeof ind->measure, 0);
    bad |= io__enum(c, rec, IC_DIRECTION, model_directions, DIR_N, 0, 1, &ind->direction);
    bad |= io__enum(c, rec, IC_VALUE_KIND, model_value_kinds, VK_N, 0, 1, &ind->value_kind);
    bad |= io__enum(c, rec, IC_CATEGORY, model_categories, CAT_N, CAT_ECONOMIC, 0, &ind->category);
    bad |= io__int(c, rec, IC_PRECISION, 0, 9, 2, 0, &precision);
    bad |= io__number(c, rec, IC_WEIGHT, 0, 0, &ind->weight);
    bad |= io__enum(c, rec, IC_METHOD, model_methods, METHOD_N, METHOD_RANK, 0, &ind->method);
    bad |= io__text(c, rec, IC_LEAD, ind->lead_unit, sizeof ind->lead_unit, 0);
    bad |= io__text(c, rec, IC_LEADER, ind->leader, sizeof ind->leader, 0);
    bad |= io__bool(c, rec, IC_BONUS, &ind->is_bonus);
    bad |= io__bool(c, rec, IC_VETO, &ind->is_veto);
    bad |= io__text(c, rec, IC_DEFINITION, ind->definition, sizeof ind->definition, 0);
    bad |= io__text(c, rec, IC_SOURCE, ind->source, sizeof ind->source, 0);
    bad |= io__text(c, rec, IC_NAME_EN, ind->name_en, sizeof ind->name_en, 0);
    bad |= io__int(c, rec, IC_SORT, INT_MIN, INT_MAX, 0, 0, &sort);
    ind->precision = (int)precision;
    ind->sort_order = (int)sort;
    if (ind->lead_unit[0] && io__map_get(&c->unit_map, ind->lead_unit) < 0) {
        io__error(c, IC_LEAD, IO_UNKNOWN_UNIT, ind->lead_unit, 0, NULL);
        bad = -1;
    }
    io__map_free(&d->seen);
    if ((rc = io__split_codes(io__get(c, rec, IC_COOP), add_coop, &m)) != 0)
        return rc;
    if (io__unique(c, &d->codes, IC_CODE, ind->code, ind_line) != 0 || bad || m.bad)
        return 0;
    return io__keep((void **)&d->rows, &d->cap, &d->n, sizeof *d->rows, &r, &d->codes, ind->code);
}

static int ind_put(io__ctx *c, const void *row, enum store_put_result *result)
{
    return store_indicator_put(c->s, &((const ind_row *)row)->ind, result);
}

static int inds_write(io__ctx *c)
{
    inds_kd *d = c->kd;
    return io__write_counted(c, d->rows, d->n, sizeof *d->rows, ind_put);
}

static void inds_release(io__ctx *c)
{
    inds_kd *d = c->kd;
    free(d->rows);
    io__map_free(&d->codes);
    io__map_free(&d->seen);
}

const io__kind io__indicators_kind = {
    "indicators", ind_cols, IC_N, inds_begin, inds_row, NULL, inds_write, inds_release, 0,
};
