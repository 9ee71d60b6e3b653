/* import_units: the import of units (parents written before children, cycles refused) and
 * of groups with their members. */
#include "io/import_int.h"

#include "util/err.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- units ---- */

enum { UC_CODE, UC_NAME, UC_KIND, UC_PARENT, UC_NAME_EN, UC_IS_SELF, UC_SORT, UC_N };

static const io__column unit_cols[UC_N] = {
    { "code", "单位代码|代码", 1 },
    { "name", "单位名称|名称", 1 },
    { "kind", "类型|单位类型", 1 },
    { "parent", "上级单位|上级单位代码", 0 },
    { "name_en", "英文名称", 0 },
    { "is_self", "本区|是否本区", 0 },
    { "sort", "排序|排序号", 0 },
};

typedef struct unit_row {
    model_unit u;
    long line;
    int depth;            /* ancestors in the file: parents are written first */
} unit_row;

typedef struct units_kd {
    unit_row *rows;
    size_t n, cap;
    io__map codes;        /* code -> row */
} units_kd;

static int units_begin(io__ctx *c)
{
    if (!(c->kd = calloc(1, sizeof(units_kd))))
        return err_set(ERR_NOMEM, "out of memory");
    return io__load_units(c);
}

static long unit_line(const void *kd, long i)
{
    return ((const units_kd *)kd)->rows[i].line;
}

static int units_row(io__ctx *c, csv_record *rec)
{
    units_kd *d = c->kd;
    unit_row r;
    long sort = 0;
    int bad = 0;
    memset(&r, 0, sizeof r);
    r.line = c->line;
    bad |= io__text(c, rec, UC_CODE, r.u.code, sizeof r.u.code, 1);
    bad |= io__text(c, rec, UC_NAME, r.u.name, sizeof r.u.name, 1);
    bad |= io__enum(c, rec, UC_KIND, model_unit_kinds, UNIT_KIND_N, 0, 1, &r.u.kind);
    bad |= io__text(c, rec, UC_PARENT, r.u.parent_code, sizeof r.u.parent_code, 0);
    bad |= io__text(c, rec, UC_NAME_EN, r.u.name_en, sizeof r.u.name_en, 0);
    bad |= io__bool(c, rec, UC_IS_SELF, &r.u.is_self);
    bad |= io__int(c, rec, UC_SORT, INT_MIN, INT_MAX, 0, 0, &sort);
    r.u.sort_order = (int)sort;
    if (io__unique(c, &d->codes, UC_CODE, r.u.code, unit_line) != 0)
        return 0;
    if (bad)
        return 0;
    return io__keep((void **)&d->rows, &d->cap, &d->n, sizeof *d->rows, &r, &d->codes, r.u.code);
}

/* The parent of code: from the file when the file has the unit, else from the store. */
static const char *parent_of(io__ctx *c, const char *code)
{
    units_kd *d = c->kd;
    long i = io__map_get(&d->codes, code);
    if (i >= 0)
        return d->rows[i].u.parent_code;
    i = io__map_get(&c->unit_map, code);
    return i >= 0 ? c->units[i].parent_code : "";
}

/* Checks every parent exists and no chain of parents loops; sets the depths. */
static int units_check(io__ctx *c)
{
    units_kd *d = c->kd;
    size_t limit = d->n + c->nunits + 1;
    for (size_t i = 0; i < d->n; i++) {
        unit_row *r = &d->rows[i];
        const char *p = r->u.parent_code;
        size_t steps = 0;
        if (!p[0])
            continue;
        if (io__map_get(&d->codes, p) < 0 && io__map_get(&c->unit_map, p) < 0) {
            io__error_at(c, r->line, UC_PARENT, IO_UNKNOWN_UNIT, p, 0, NULL);
            continue;
        }
        for (; p[0] && strcmp(p, r->u.code) != 0 && steps < limit; p = parent_of(c, p)) {
            steps++;
            if (io__map_get(&d->codes, p) >= 0)
                r->depth++;
        }
        if (p[0])
            io__error_at(c, r->line, UC_PARENT, IO_PARENT_CYCLE, r->u.parent_code, 0, NULL);
    }
    return 0;
}

static int cmp_depth(const void *pa, const void *pb)
{
    const unit_row *a = pa, *b = pb;
    if (a->depth != b->depth)
        return a->depth < b->depth ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

static int unit_put(io__ctx *c, const void *row, enum store_put_result *result)
{
    return store_unit_put(c->s, &((const unit_row *)row)->u, result);
}

static int units_write(io__ctx *c)
{
    units_kd *d = c->kd;
    qsort(d->rows, d->n, sizeof *d->rows, cmp_depth);
    return io__write_counted(c, d->rows, d->n, sizeof *d->rows, unit_put);
}

static void units_release(io__ctx *c)
{
    units_kd *d = c->kd;
    free(d->rows);
    io__map_free(&d->codes);
}

const io__kind io__units_kind = {
    "units", unit_cols, UC_N, units_begin, units_row, units_check, units_write, units_release, 0,
};

/* ---- groups ---- */

enum { GC_CODE, GC_NAME, GC_KIND, GC_MEMBERS, GC_NAME_EN, GC_DESC, GC_N };

static const io__column group_cols[GC_N] = {
    { "code", "分组代码|代码", 1 },
    { "name", "分组名称|名称", 1 },
    { "kind", "类型|分组类型", 1 },
    { "members", "成员单位|成员", 0 },
    { "name_en", "英文名称", 0 },
    { "description", "说明|描述", 0 },
};

typedef struct group_row {
    model_group g;
    long line;
    char (*members)[MODEL_CODE_MAX];
    size_t nmembers, mcap;
} group_row;

typedef struct groups_kd {
    group_row *rows;
    size_t n, cap;
    io__map codes;
    io__map seen;         /* the members of the row being read */
} groups_kd;

static long group_line(const void *kd, long i)
{
    return ((const groups_kd *)kd)->rows[i].line;
}

static int groups_begin(io__ctx *c)
{
    int rc;
    if (!(c->kd = calloc(1, sizeof(groups_kd))))
        return err_set(ERR_NOMEM, "out of memory");
    if ((rc = io__load_units(c)) != 0)
        return rc;
    return io__load_groups(c);
}

typedef struct member_ctx {
    io__ctx *c;
    group_row *row;
    int bad;
} member_ctx;

/* io__split_codes callback: checks one member code and keeps it. */
static int add_member(const char *code, void *arg)
{
    member_ctx *m = arg;
    groups_kd *d = m->c->kd;
    group_row *r = m->row;
    int rc;
    if (strlen(code) >= MODEL_CODE_MAX || io__map_get(&m->c->unit_map, code) < 0) {
        io__error(m->c, GC_MEMBERS, IO_UNKNOWN_UNIT, code, 0, NULL);
        m->bad = -1;
        return 0;
    }
    if (io__map_get(&d->seen, code) >= 0) {
        io__error(m->c, GC_MEMBERS, IO_DUPLICATE_KEY, code, m->c->line, NULL);
        m->bad = -1;
        return 0;
    }
    if ((rc = io__map_put(&d->seen, code, 0)) != 0 ||
        (rc = io__grow((void **)&r->members, &r->mcap, r->nmembers, sizeof *r->members)) != 0)
        return rc;
    snprintf(r->members[r->nmembers++], MODEL_CODE_MAX, "%s", code);
    return 0;
}

static int groups_row(io__ctx *c, csv_record *rec)
{
    groups_kd *d = c->kd;
    group_row r;
    member_ctx m = { c, &r, 0 };
    int bad = 0, rc;
    memset(&r, 0, sizeof r);
    r.line = c->line;
    bad |= io__text(c, rec, GC_CODE, r.g.code, sizeof r.g.code, 1);
    bad |= io__text(c, rec, GC_NAME, r.g.name, sizeof r.g.name, 1);
    bad |= io__enum(c, rec, GC_KIND, model_group_kinds, GROUP_KIND_N, 0, 1, &r.g.kind);
    bad |= io__text(c, rec, GC_NAME_EN, r.g.name_en, sizeof r.g.name_en, 0);
    bad |= io__text(c, rec, GC_DESC, r.g.description, sizeof r.g.description, 0);
    io__map_free(&d->seen);
    if ((rc = io__split_codes(io__get(c, rec, GC_MEMBERS), add_member, &m)) != 0) {
        free(r.members);
        return rc;
    }
    if (io__unique(c, &d->codes, GC_CODE, r.g.code, group_line) != 0)
        bad = -1;
    if (bad || m.bad) {
        free(r.members);
        return 0;
    }
    if ((rc = io__keep((void **)&d->rows, &d->cap, &d->n, sizeof *d->rows, &r, &d->codes, r.g.code)) != 0)
        free(r.members);
    return rc;
}

/* Writes a group, and its members when the file has that column (without it the
 * memberships stay as they are). */
static int group_put(io__ctx *c, const void *row, enum store_put_result *result)
{
    const group_row *r = row;
    enum store_put_result members = STORE_UNCHANGED;
    int rc;
    if ((rc = store_group_put(c->s, &r->g, result)) != 0)
        return rc;
    if (c->col_field[GC_MEMBERS] >= 0 &&
        (rc = store_group_set_members(c->s, r->g.code, (const char (*)[MODEL_CODE_MAX])r->members,
                                      r->nmembers, &members)) != 0)
        return rc;
    *result = store_put_combined(*result, members);
    return 0;
}

static int groups_write(io__ctx *c)
{
    groups_kd *d = c->kd;
    return io__write_counted(c, d->rows, d->n, sizeof *d->rows, group_put);
}

static void groups_release(io__ctx *c)
{
    groups_kd *d = c->kd;
    for (size_t i = 0; i < d->n; i++)
        free(d->rows[i].members);
    free(d->rows);
    io__map_free(&d->codes);
    io__map_free(&d->seen);
}

const io__kind io__groups_kind = {
    "groups", group_cols, GC_N, groups_begin, groups_row, NULL, groups_write,
    groups_release, 0,
};
