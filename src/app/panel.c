/* panel: assembles an engine panel from store reads (no SQL here). */
#include "app/panel.h"

#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void app_panel_free(app_panel *sp)
{
    free(sp->units);
    free(sp->value);
    free(sp->present);
    free(sp->ref);
    free(sp->ref_present);
    free(sp->target);
    free(sp->target_present);
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
static int find_reference(store *s, const app_panel *sp, model_unit *out)
{
    model_unit parent;
    if (sp->nunits == 0 || !sp->units[0].parent_code[0])
        return 0;
    for (size_t i = 1; i < sp->nunits; i++) {
        if (strcmp(sp->units[i].parent_code, sp->units[0].parent_code) != 0)
            return 0;
    }
    if (store_unit_get(s, sp->units[0].parent_code, &parent) != 0 || parent.kind != UNIT_REFERENCE) {
        err_clear();
        return 0;
    }
    *out = parent;
    return 1;
}

/* The member index of a unit code, or -1. Groups are small: a scan is enough. */
static long member_index(const app_panel *sp, const char *code)
{
    for (size_t i = 0; i < sp->nunits; i++) {
        if (strcmp(sp->units[i].code, code) == 0)
            return (long)i;
    }
    return -1;
}

static int take_observation(const model_observation *o, void *ctx)
{
    app_panel *sp = ctx;
    period_key key;
    long t, u;
    if (period_parse(o->period_code, &key) != 0 || (t = app_panel_month(sp, &key)) < 0)
        return 0;
    if (sp->has_reference && strcmp(o->unit_code, sp->reference.code) == 0) {
        sp->ref[t] = o->value;
        sp->ref_present[t] = 1;
    } else if ((u = member_index(sp, o->unit_code)) >= 0) {
        sp->value[(size_t)u * sp->p.nmonths + (size_t)t] = o->value;
        sp->present[(size_t)u * sp->p.nmonths + (size_t)t] = 1;
    }
    return 0;
}

static int load_targets(store *s, app_panel *sp)
{
    model_target *ts;
    size_t n;
    int rc = store_targets(s, sp->year, &ts, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        long u;
        if (strcmp(ts[i].indicator_code, sp->ind.code) != 0 || (u = member_index(sp, ts[i].unit_code)) < 0)
            continue;
        sp->target[u] = ts[i].value;
        sp->target_present[u] = 1;
    }
    free(ts);
    return rc;
}

int app_panel_load(store *s, const char *group_code, const char *indicator_code, int year,
                     app_panel *out)
{
    return app_panel_load_visible(s, group_code, indicator_code, year, 0, out);
}

int app_panel_load_visible(store *s, const char *group_code, const char *indicator_code,
                             int year, int published_only, app_panel *out)
{
    size_t months = (APP_PANEL_HISTORY_YEARS + 1) * 12, cells;
    obs_filter f = store_filter_all();
    int rc;
    memset(out, 0, sizeof *out);
    out->year = year;
    if ((rc = find_indicator(s, indicator_code, &out->ind)) != 0 ||
        (rc = store_group_members(s, group_code, &out->units, &out->nunits)) != 0)
        goto fail;
    out->has_reference = find_reference(s, out, &out->reference);
    cells = (out->nunits ? out->nunits : 1) * months;
    out->value = calloc(cells, sizeof *out->value);
    out->present = calloc(cells, 1);
    out->ref = calloc(months, sizeof *out->ref);
    out->ref_present = calloc(months, 1);
    out->target = calloc(out->nunits ? out->nunits : 1, sizeof *out->target);
    out->target_present = calloc(out->nunits ? out->nunits : 1, 1);
    if (!out->value || !out->present || !out->ref || !out->ref_present || !out->target ||
        !out->target_present) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto fail;
    }
    out->p = (engine_panel){
        .nunits = out->nunits, .nmonths = months, .first_year = year - APP_PANEL_HISTORY_YEARS,
        .value = out->value, .present = out->present,
        .reference = out->has_reference ? out->ref : NULL,
        .reference_present = out->has_reference ? out->ref_present : NULL,
        .target = out->target, .target_present = out->target_present,
        .higher_better = out->ind.direction == DIR_HIGHER, .precision = out->ind.precision,
        .value_kind = out->ind.value_kind,
    };
    snprintf(f.indicator_code, sizeof f.indicator_code, "%s", indicator_code);
    f.period_kind = PERIOD_MONTH;
    f.published_only = published_only;
    for (int y = year - APP_PANEL_HISTORY_YEARS; rc == 0 && y <= year; y++) {
        f.year = y;
        rc = store_observations_each(s, &f, take_observation, out);
    }
    if (rc == 0)
        rc = load_targets(s, out);
    if (rc == 0)
        return 0;
fail:
    app_panel_free(out);
    return rc;
}
