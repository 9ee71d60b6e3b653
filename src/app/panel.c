/* panel: assembles an engine panel from store reads (no SQL here). */
#include "app/panel.h"

#include "util/bigmem.h"
#include "util/err.h"
#include "util/idmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void app_members_free(app_members *m)
{
    free(m->units);
    idmap_free(&m->ids);
    memset(m, 0, sizeof *m);
}

/* The arrays of one or many panels in one zeroed allocation, counted by the panels using it. */
struct app_panel_block {
    size_t refs;
};

/* n rounded up to a multiple of 8, so that the next array stays 8-byte aligned. */
static size_t round8(size_t n)
{
    return (n + 7) / 8 * 8;
}

/* Bytes one panel of nunits units takes in a block: its doubles, then its flags. */
static size_t panel_bytes(size_t nunits)
{
    size_t units = nunits ? nunits : 1, cells = units * APP_PANEL_MONTHS;
    return (cells + APP_PANEL_MONTHS + units) * sizeof(double) + round8(cells) + round8(APP_PANEL_MONTHS) +
           round8(units);
}

/* A block for n panels of nunits units, its count at n; NULL when memory is short. */
static struct app_panel_block *block_new(size_t n, size_t nunits)
{
    struct app_panel_block *b = bigmem_alloc(sizeof *b + n * panel_bytes(nunits));
    if (b)
        b->refs = n;
    return b;
}

static void block_unref(struct app_panel_block *b)
{
    if (b && --b->refs == 0)
        free(b);
}

/* Points the panel's arrays at the i-th panel's part of its block: the doubles first, then
 * the flags. */
static void place_arrays(app_panel *sp, size_t i)
{
    size_t units = sp->nunits ? sp->nunits : 1, cells = units * APP_PANEL_MONTHS;
    void *part = (unsigned char *)(sp->block + 1) + i * panel_bytes(sp->nunits);
    double *d = part;
    unsigned char *flags;
    sp->value = d;
    sp->ref = d + cells;
    sp->target = sp->ref + APP_PANEL_MONTHS;
    flags = (unsigned char *)(sp->target + units);
    sp->present = flags;
    sp->ref_present = flags + round8(cells);
    sp->target_present = sp->ref_present + round8(APP_PANEL_MONTHS);
}

void app_panel_free(app_panel *sp)
{
    if (sp->own) {
        app_members_free(sp->own);
        free(sp->own);
    }
    block_unref(sp->block);
    memset(sp, 0, sizeof *sp);
}

long app_panel_month(const app_panel *sp, const period_key *month)
{
    long t;
    if (month->kind != PERIOD_MONTH)
        return -1;
    t = (long)(month->year - sp->p.first_year) * 12 + month->seq - 1;
    return t >= 0 && (size_t)t < sp->p.nmonths ? t : -1;
}

static int find_indicator(store *s, const char *code, model_indicator *out)
{
    int rc = store_indicator_get(s, code, out);
    return rc == ERR_NOTFOUND ? err_set(ERR_NOTFOUND, "unknown indicator code '%s'", code) : rc;
}

/* The members' common parent, when every member has it and it is a reference unit. */
static int find_reference(store *s, const app_members *m, model_unit *out)
{
    model_unit parent;
    if (m->n == 0 || !m->units[0].parent_code[0])
        return 0;
    for (size_t i = 1; i < m->n; i++) {
        if (strcmp(m->units[i].parent_code, m->units[0].parent_code) != 0)
            return 0;
    }
    if (store_unit_get(s, m->units[0].parent_code, &parent) != 0 || parent.kind != UNIT_REFERENCE) {
        err_clear();
        return 0;
    }
    *out = parent;
    return 1;
}

int app_members_load(store *s, const char *group_code, app_members *out)
{
    int64_t *ids;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = store_group_members(s, group_code, &out->units, &out->n)) != 0)
        return rc;
    out->has_reference = find_reference(s, out, &out->reference);
    if (!(ids = malloc((out->n ? out->n : 1) * sizeof *ids))) {
        app_members_free(out);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t u = 0; u < out->n; u++)
        ids[u] = out->units[u].id;
    rc = idmap_build(&out->ids, ids, out->n);
    free(ids);
    if (rc != 0)
        app_members_free(out);
    return rc;
}

/* Where a cell read from the store goes: the panels of a batch by indicator id, and their
 * members by unit id. */
typedef struct panel_fill {
    app_panel *sp;
    size_t n;
    idmap panels;                /* indicator id → index in sp */
    const idmap *members;
} panel_fill;

static app_panel *panel_of(const panel_fill *f, int64_t indicator_id)
{
    long i;
    if (f->n == 1)
        return f->sp[0].ind.id == indicator_id ? &f->sp[0] : NULL;
    i = idmap_find(&f->panels, indicator_id);
    return i >= 0 ? &f->sp[i] : NULL;
}

static int take_month(const obs_cell *c, void *ctx)
{
    panel_fill *f = ctx;
    app_panel *sp = panel_of(f, c->indicator_id);
    long t, u;
    if (!sp)
        return 0;
    t = (long)(c->year - sp->p.first_year) * 12 + c->month - 1;
    if (t < 0 || (size_t)t >= sp->p.nmonths)
        return 0;
    if (sp->has_reference && c->unit_id == sp->reference.id) {
        sp->ref[t] = c->value;
        sp->ref_present[t] = 1;
    } else if ((u = idmap_find(f->members, c->unit_id)) >= 0) {
        sp->value[(size_t)u * sp->p.nmonths + (size_t)t] = c->value;
        sp->present[(size_t)u * sp->p.nmonths + (size_t)t] = 1;
    }
    return 0;
}

static int take_target(const obs_cell *c, void *ctx)
{
    panel_fill *f = ctx;
    app_panel *sp = panel_of(f, c->indicator_id);
    long u;
    if (sp && (u = idmap_find(f->members, c->unit_id)) >= 0) {
        sp->target[u] = c->value;
        sp->target_present[u] = 1;
    }
    return 0;
}

/* What a panel month is read for: every indicator, or year-to-date ones only (the seasonal
 * share of earlier years, engine/analyze.c). */
enum { NEED_NONE = 0, NEED_ALL, NEED_YTD };

/* Reads into the n panels (one year, one set of members) the months flagged in need and the
 * targets of the year: one read per month for a whole batch. */
static int fill_panels(store *s, app_panel *sp, size_t n, const app_members *m, const unsigned char *need,
                       int published_only)
{
    panel_fill f = { sp, n, { NULL, NULL, 0 }, &m->ids };
    int64_t id = n == 1 ? sp[0].ind.id : 0, *ids = malloc((n ? n : 1) * sizeof *ids);
    int first_year = sp[0].p.first_year, rc;
    if (!ids)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        ids[i] = sp[i].ind.id;
    rc = idmap_build(&f.panels, ids, n);
    free(ids);
    for (size_t t = 0; rc == 0 && t < APP_PANEL_MONTHS; t++) {
        period_key month = { PERIOD_MONTH, first_year + (int)(t / 12), (int)(t % 12) + 1 };
        int kind = need[t] == NEED_YTD ? VK_YTD : -1;
        if (!need[t] || (n == 1 && kind >= 0 && sp[0].ind.value_kind != kind))
            continue;
        rc = store_month_values(s, id, kind, &month, published_only, take_month, &f);
    }
    if (rc == 0)
        rc = store_indicator_targets(s, id, sp[0].year, take_target, &f);
    idmap_free(&f.panels);
    return rc;
}

/* Sets up an empty panel of ind for m's units in year (the members are borrowed) in the i-th
 * part of block b, which the panel then holds one count of. */
static void panel_init(const model_indicator *ind, const app_members *m, int year, struct app_panel_block *b,
                       size_t i, app_panel *out)
{
    out->year = year;
    out->ind = *ind;
    out->units = m->units;
    out->nunits = m->n;
    out->reference = m->reference;
    out->has_reference = m->has_reference;
    out->block = b;
    place_arrays(out, i);
    out->p = (engine_panel){
        .nunits = out->nunits, .nmonths = APP_PANEL_MONTHS, .first_year = year - APP_PANEL_HISTORY_YEARS,
        .value = out->value, .present = out->present,
        .reference = out->has_reference ? out->ref : NULL,
        .reference_present = out->has_reference ? out->ref_present : NULL,
        .target = out->target, .target_present = out->target_present,
        .higher_better = ind->direction == DIR_HIGHER, .precision = ind->precision,
        .value_kind = ind->value_kind,
    };
}

/* Sets up one panel in a block of its own. */
static int panel_alloc_one(const model_indicator *ind, const app_members *m, int year, app_panel *out)
{
    struct app_panel_block *b = block_new(1, m->n);
    if (!b)
        return err_set(ERR_NOMEM, "out of memory");
    panel_init(ind, m, year, b, 0, out);
    return 0;
}

/* Reads the group's members into sp->own for a panel of its own; *use points at them. */
static int load_own_members(store *s, const char *group_code, app_panel *sp, const app_members **use)
{
    int rc;
    if (!(sp->own = calloc(1, sizeof *sp->own)))
        return err_set(ERR_NOMEM, "out of memory");
    if ((rc = app_members_load(s, group_code, sp->own)) == 0)
        *use = sp->own;
    return rc;
}

/* Loads the panel of year, reading the months flagged in need (APP_PANEL_MONTHS flags). */
static int panel_load(store *s, const app_members *m, const char *group_code, const char *indicator_code,
                      int year, int published_only, const unsigned char *need, app_panel *out)
{
    model_indicator ind;
    const app_members *use = m;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = find_indicator(s, indicator_code, &ind)) != 0)
        return rc;
    if (!use && (rc = load_own_members(s, group_code, out, &use)) != 0) {
        app_panel_free(out);
        return rc;
    }
    if ((rc = panel_alloc_one(&ind, use, year, out)) == 0 &&
        (rc = fill_panels(s, out, 1, use, need, published_only)) == 0)
        return 0;
    app_panel_free(out);
    return rc;
}

/* The months an analysis at month reads, as flags of a panel ending in month's year: the
 * month, the one before and the same month last year for every indicator (rank, movement,
 * growth); the same month and December of each earlier year for year-to-date ones (the
 * seasonal time progress and forecast). */
static void months_of_analysis(const period_key *month, unsigned char *need)
{
    size_t at = (size_t)month->seq - 1, t = APP_PANEL_HISTORY_YEARS * 12 + at;
    memset(need, NEED_NONE, APP_PANEL_MONTHS);
    for (size_t y = 0; y < APP_PANEL_HISTORY_YEARS; y++) {
        need[y * 12 + at] = NEED_YTD;
        need[y * 12 + 11] = NEED_YTD;
    }
    need[t] = NEED_ALL;
    need[t - 1] = NEED_ALL;
    need[t - 12] = NEED_ALL;
}

int app_panel_load_visible(store *s, const char *group_code, const char *indicator_code,
                           int year, int published_only, app_panel *out)
{
    unsigned char need[APP_PANEL_MONTHS];
    memset(need, NEED_ALL, sizeof need);
    return panel_load(s, NULL, group_code, indicator_code, year, published_only, need, out);
}

int app_panel_load_at(store *s, const app_members *m, const char *group_code, const char *indicator_code,
                      const period_key *month, int published_only, app_panel *out)
{
    unsigned char need[APP_PANEL_MONTHS];
    months_of_analysis(month, need);
    return panel_load(s, m, group_code, indicator_code, month->year, published_only, need, out);
}

int app_panels_load_at(store *s, const app_members *m, const model_indicator *inds, size_t n,
                       const period_key *month, int published_only, app_panel *out)
{
    unsigned char need[APP_PANEL_MONTHS];
    struct app_panel_block *b;
    int rc;
    memset(out, 0, n * sizeof *out);
    if (n == 0)
        return 0;
    months_of_analysis(month, need);
    if (!(b = block_new(n, m->n)))
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        panel_init(&inds[i], m, month->year, b, i, &out[i]);
    rc = fill_panels(s, out, n, m, need, published_only);
    if (rc != 0) {
        for (size_t i = 0; i < n; i++)
            app_panel_free(&out[i]);
    }
    return rc;
}
