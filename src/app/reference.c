/* reference: the reads of reference data (lists, one entity with its children, observations
 * under the visibility rule, exports) that the CLI and the server share. */
#include "app/app.h"
#include "io/json.h"
#include "util/err.h"
#include "util/num.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef json_t *(*to_json_fn)(const void *item);

/* Adapters so one array walk serves every entity. */
static json_t *unit_any(const void *p) { return io_json_unit(p); }
static json_t *group_any(const void *p) { return io_json_group(p); }
static json_t *indicator_any(const void *p) { return io_json_indicator(p); }
static json_t *scheme_any(const void *p) { return io_json_scheme(p); }
static json_t *item_any(const void *p) { return io_json_scheme_item(p); }
static json_t *period_any(const void *p) { return io_json_period(p); }
static json_t *target_any(const void *p) { return io_json_target(p); }
static json_t *flag_any(const void *p) { return io_json_flag(p); }
static json_t *user_any(const void *p) { return io_json_user(p); }
static json_t *audit_any(const void *p) { return io_json_audit(p); }
static json_t *obs_any(const void *p) { return io_json_observation(p); }

/* The JSON array of items [from, from + count) of an array of elem_size bytes, each made by
 * fn, into *out (the caller's). */
static int array_of(const void *items, size_t from, size_t count, size_t elem_size, to_json_fn fn,
                    json_t **out)
{
    json_t *arr = json_array();

    for (size_t i = from; arr && i < from + count; i++) {
        if (json_array_append_new(arr, fn((const char *)items + i * elem_size)) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    *out = arr;
    return arr ? 0 : err_set(ERR_NOMEM, "out of memory");
}

/* How many of n rows a window starting at offset holds, at most limit; *from is its start. */
static size_t window(size_t n, size_t offset, size_t limit, size_t *from)
{
    *from = offset < n ? offset : n;
    return n - *from < limit ? n - *from : limit;
}

/* The store's ERR_NOTFOUND for a code, named for people. */
static int unknown(int rc, const char *what, const char *code)
{
    return rc == ERR_NOTFOUND ? err_set(ERR_NOTFOUND, "unknown %s code '%s'", what, code) : rc;
}

/* The children of a group (its members) or of a scheme (its items) as a JSON array. */
static int children_of(store *s, int kind, const char *code, json_t **out)
{
    model_unit *members = NULL;
    model_scheme_item *items = NULL;
    size_t n = 0;
    int rc;

    if (kind == APP_GROUPS) {
        if ((rc = store_group_members(s, code, &members, &n)) == 0)
            rc = array_of(members, 0, n, sizeof *members, unit_any, out);
    } else if ((rc = store_scheme_items(s, code, &items, &n)) == 0) {
        rc = array_of(items, 0, n, sizeof *items, item_any, out);
    }
    free(members);
    free(items);
    return rc;
}

/* Sets each scheme's "items" (its scheme items) in arr, whose objects are the schemes. */
static int add_scheme_items(store *s, const model_scheme *list, json_t *arr)
{
    json_t *items = NULL;
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < json_array_size(arr); i++) {
        if ((rc = children_of(s, APP_SCHEMES, list[i].code, &items)) == 0 &&
            json_object_set_new(json_array_get(arr, i), "items", items) != 0)
            rc = err_set(ERR_NOMEM, "out of memory");
    }
    return rc;
}

/* How many of the latest audit lines a window needs: offset + limit, at most INT_MAX. */
static int audit_rows(const app_list_opts *o)
{
    if (o->offset >= (size_t)INT_MAX || o->limit >= (size_t)INT_MAX - o->offset)
        return INT_MAX;
    return (int)(o->offset + o->limit);
}

int app_list(const app_ctx *q, int kind, const app_list_opts *o, json_t **out, size_t *total)
{
    void *items = NULL;
    size_t n = 0, size = 0, from = 0, count;
    to_json_fn fn = NULL;
    int rc;

    *out = NULL;
    switch (kind) {
#define FETCH(k, type, call, conv)                                                                  \
    case k: {                                                                                      \
        type *a = NULL;                                                                            \
        rc = (call);                                                                               \
        items = a;                                                                                 \
        size = sizeof *a;                                                                          \
        fn = conv;                                                                                 \
        break;                                                                                     \
    }
        FETCH(APP_UNITS, model_unit, store_units(q->s, &a, &n), unit_any)
        FETCH(APP_GROUPS, model_group, store_groups(q->s, &a, &n), group_any)
        FETCH(APP_INDICATORS, model_indicator, store_indicators(q->s, &a, &n), indicator_any)
        FETCH(APP_SCHEMES, model_scheme, store_schemes(q->s, &a, &n), scheme_any)
        FETCH(APP_PERIODS, model_period, store_periods(q->s, &a, &n), period_any)
        FETCH(APP_TARGETS, model_target, store_targets(q->s, o->year, &a, &n), target_any)
        FETCH(APP_FLAGS, model_obs_flag, store_flags(q->s, o->open_only, &a, &n), flag_any)
        FETCH(APP_USERS, model_user, store_users(q->s, &a, &n), user_any)
        FETCH(APP_AUDIT, model_audit_entry, store_audits(q->s, audit_rows(o), &a, &n), audit_any)
#undef FETCH
    default:
        return err_set(ERR_USAGE, "no list of kind %d", kind);
    }
    if (rc == 0) {
        count = window(n, o->offset, o->limit, &from);
        rc = array_of(items, from, count, size, fn, out);
    }
    if (rc == 0 && kind == APP_SCHEMES && o->children)
        rc = add_scheme_items(q->s, (const model_scheme *)items + from, *out);
    if (rc == 0 && total)
        *total = n;
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    free(items);
    return rc;
}

/* Adapters so one table serves every entity fetched by its code. */
static int unit_get(store *s, const char *code, void *out) { return store_unit_get(s, code, out); }
static int group_get(store *s, const char *code, void *out) { return store_group_get(s, code, out); }
static int indicator_get(store *s, const char *code, void *out) { return store_indicator_get(s, code, out); }
static int scheme_get(store *s, const char *code, void *out) { return store_scheme_get(s, code, out); }

/* What app_show shows: each kind's fetch by code, JSON, name and the key of its children. */
static const struct {
    int kind;
    int (*get)(store *s, const char *code, void *out);
    to_json_fn json;
    const char *what, *children;
} shown[] = {
    { APP_UNITS, unit_get, unit_any, "unit", NULL },
    { APP_GROUPS, group_get, group_any, "group", "members" },
    { APP_INDICATORS, indicator_get, indicator_any, "indicator", NULL },
    { APP_SCHEMES, scheme_get, scheme_any, "scheme", "items" },
};

int app_show(const app_ctx *q, int kind, const char *code, json_t **out)
{
    union {
        model_unit u;
        model_group g;
        model_indicator ind;
        model_scheme sc;
    } e;
    json_t *obj = NULL, *children = NULL;
    size_t i;
    int rc;

    *out = NULL;
    for (i = 0; i < sizeof shown / sizeof shown[0] && shown[i].kind != kind; i++)
        ;
    if (i == sizeof shown / sizeof shown[0])
        return err_set(ERR_USAGE, "no entity of kind %d to show", kind);
    if ((rc = unknown(shown[i].get(q->s, code, &e), shown[i].what, code)) != 0)
        return rc;
    if (!(obj = shown[i].json(&e)))
        return err_set(ERR_NOMEM, "out of memory");
    if (shown[i].children && (rc = children_of(q->s, kind, code, &children)) == 0 &&
        json_object_set_new(obj, shown[i].children, children) != 0)
        rc = err_set(ERR_NOMEM, "out of memory");
    if (rc != 0) {
        json_decref(obj);
        return rc;
    }
    *out = obj;
    return 0;
}

int app_obs_history(const app_ctx *q, const char *indicator, const char *unit, const char *period,
                    json_t **out)
{
    model_observation *hist = NULL;
    size_t n = 0;
    period_key key;
    char code[PERIOD_CODE_MAX];
    int rc;

    *out = NULL;
    if (period_parse(period, &key) != 0)
        return err_set(ERR_DATA, "%s", err_msg());
    period_format(&key, code, sizeof code);
    if ((rc = store_observation_history(q->s, indicator, unit, code, &hist, &n)) == 0) {
        if (n == 0)
            rc = err_set(ERR_NOTFOUND, "no value for %s / %s / %s", indicator, unit, code);
        else
            rc = array_of(hist, 0, n, sizeof *hist, obs_any, out);
    }
    free(hist);
    return rc;
}

/* Copies a text filter into a field of the store's filter; too long is ERR_USAGE. */
static int filter_text(const char *name, const char *v, char *dst, size_t size)
{
    if (!v || !v[0])
        return 0;
    if (strlen(v) >= size)
        return err_set(ERR_USAGE, "%s is too long", name);
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

/* The store's filter of a query: codes as given, a period in any form period_parse reads, a
 * year; ERR_USAGE naming what does not parse. */
static int obs_filter_of(const app_obs_query *f, obs_filter *out)
{
    period_key key;
    long y;
    int rc;

    *out = store_filter_all();
    if ((rc = filter_text("indicator", f->indicator, out->indicator_code, sizeof out->indicator_code)) != 0 ||
        (rc = filter_text("unit", f->unit, out->unit_code, sizeof out->unit_code)) != 0)
        return rc;
    if (f->period && f->period[0]) {
        if (period_parse(f->period, &key) != 0)
            return err_set(ERR_USAGE, "period '%s' is not a period (2026-10, 2026-Q3, 2026)", f->period);
        period_format(&key, out->period_code, sizeof out->period_code);
    }
    if (f->year && f->year[0]) {
        if (num_parse_int(f->year, PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, &y) != 0)
            return err_set(ERR_USAGE, "year '%s' is not a year", f->year);
        out->year = (int)y;
    }
    return 0;
}

/* Collects one window of the visible observations while counting them all. */
typedef struct obs_page {
    json_t *items;
    size_t seen, limit, offset;
    int count_all;             /* go on counting past the window */
    const char *own_unit;      /* a reporter's unit: its unpublished rows are visible too */
} obs_page;

static int obs_collect(const model_observation *o, void *ctx)
{
    obs_page *p = ctx;

    if (p->own_unit && o->state != OBS_PUBLISHED && strcmp(o->unit_code, p->own_unit) != 0)
        return 0;
    if (!p->count_all && p->seen >= p->offset && p->seen - p->offset >= p->limit)
        return 1;
    if (p->seen >= p->offset && p->seen - p->offset < p->limit &&
        json_array_append_new(p->items, io_json_observation(o)) != 0)
        return err_set(ERR_NOMEM, "out of memory");
    p->seen++;
    return 0;
}

int app_observations(const app_ctx *q, const app_obs_query *f, json_t **out, size_t *total)
{
    obs_filter flt;
    obs_page p = { NULL, 0, f->limit, f->offset, total != NULL, NULL };
    int rc;

    *out = NULL;
    if ((rc = obs_filter_of(f, &flt)) != 0)
        return rc;
    if (q->actor_unit && q->actor_unit[0])
        p.own_unit = q->actor_unit;
    else if (q->published_only)
        flt.published_only = 1;
    if (!(p.items = json_array()))
        return err_set(ERR_NOMEM, "out of memory");
    rc = store_observations_each(q->s, &flt, obs_collect, &p);
    if (rc < 0) {
        json_decref(p.items);
        return rc;
    }
    *out = p.items;
    if (total)
        *total = p.seen;
    return 0;
}

int app_export(const app_ctx *q, int kind, FILE *out, const io_export_opts *o)
{
    return io_export(q->s, kind, out, o);
}
