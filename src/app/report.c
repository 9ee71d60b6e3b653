/* report: the latest figures of our region (the is_self unit) as `saima report` shows them —
 * cumulative value, same period last year, growth, annual target, completion, how many peer
 * regions reported, our standing among the peer group and the leaders' summary. */
#include "app/app.h"

#include "engine/progress.h"
#include "util/err.h"
#include "util/period.h"

#include <stdlib.h>
#include <string.h>

/* One indicator's line; has_* say which numbers exist. */
typedef struct report_row {
    const model_indicator *ind;
    int has_value, has_last, has_target, has_yoy, has_completion;
    double value, last, goal, yoy, completion;
    int state, yoy_kind;
    size_t reported;           /* peer regions with a value this period */
    int rank, ranked, tier, move, has_move; /* our standing among the peers (the engine's) */
} report_row;

typedef struct report {
    const app_ctx *q;
    model_unit self, city;     /* city.code is "" when unknown */
    period_key key, last_key;
    char code[PERIOD_CODE_MAX], last_code[PERIOD_CODE_MAX];
    model_indicator *inds;
    size_t ni;
    report_row *rows;
    model_unit *peers;         /* the regions that count as peers */
    int *peer_seen;
    size_t npeers, reported;
    app_summary sm;            /* the leaders' summary */
} report;

static void report_free(report *r)
{
    free(r->inds);
    free(r->rows);
    free(r->peers);
    free(r->peer_seen);
}

/* Our region, and the unit it belongs to (the city), or else the reference unit. */
static int find_self(report *r)
{
    model_unit *units = NULL;
    size_t n = 0;
    int rc, found = 0;
    if ((rc = store_units(r->q->s, &units, &n)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (units[i].is_self && !found) {
            r->self = units[i];
            found = 1;
        }
    }
    for (size_t i = 0; found && i < n; i++) {
        int parent = r->self.parent_code[0] && strcmp(units[i].code, r->self.parent_code) == 0;
        if (parent || (!r->city.code[0] && units[i].kind == UNIT_REFERENCE))
            r->city = units[i];
    }
    free(units);
    if (!found)
        return err_set(ERR_NOTFOUND, "%s", APP_TR(r->q, "没有标记为本区（is_self）的单位；可先运行 saima demo",
                                              "no unit is marked as ours (is_self); try saima demo"));
    return 0;
}

/* Takes list (the report owns it now) and keeps the units that count as peers: every one,
 * or the regions only. */
static int set_peers(report *r, model_unit *list, size_t n, int regions_only)
{
    size_t k = 0;
    r->peers = list;
    if (!(r->peer_seen = calloc(n ? n : 1, sizeof *r->peer_seen)))
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!regions_only || list[i].kind == UNIT_REGION)
            list[k++] = list[i];
    }
    r->npeers = k;
    return 0;
}

/* The members of the peer group (app_peer_group) when it holds our region; else every region. */
static int find_peers(report *r)
{
    char group[MODEL_CODE_MAX];
    model_unit *list = NULL;
    size_t n = 0;
    int rc, holds = 0;
    if (app_peer_group(r->q->s, group) == 0 && store_group_members(r->q->s, group, &list, &n) == 0) {
        for (size_t i = 0; i < n; i++)
            holds |= strcmp(list[i].code, r->self.code) == 0;
        if (holds)
            return set_peers(r, list, n, 0);
        free(list);
    }
    err_clear();
    if ((rc = store_units(r->q->s, &list, &n)) != 0)
        return rc;
    return set_peers(r, list, n, 1);
}

static int latest_month_cb(const model_observation *o, void *ctx)
{
    period_key *best = ctx, p;
    if (period_parse(o->period_code, &p) == 0 && p.kind == PERIOD_MONTH &&
        (best->year == 0 || period_ordinal(&p) > period_ordinal(best)))
        *best = p;
    return 0;
}

static obs_filter visible(const report *r)
{
    obs_filter f = store_filter_all();
    f.published_only = r->q->published_only;
    return f;
}

/* The month asked for, else the latest month with figures of ours. */
static int pick_period(report *r, const char *text)
{
    obs_filter f = visible(r);
    int rc;
    if (text && text[0]) {
        if (period_parse(text, &r->key) != 0 || r->key.kind != PERIOD_MONTH)
            return err_set(ERR_USAGE, "period takes a month such as 2026-10, not '%s'", text);
    } else {
        snprintf(f.unit_code, sizeof f.unit_code, "%s", r->self.code);
        f.period_kind = PERIOD_MONTH;
        if ((rc = store_observations_each(r->q->s, &f, latest_month_cb, &r->key)) != 0)
            return rc;
        if (r->key.year == 0)
            return err_set(ERR_NOTFOUND, r->q->english ? "%s (%s) has no monthly figures yet"
                                                       : "%s（%s）还没有月度数据",
                           r->self.name, r->self.code);
    }
    r->last_key = period_last_year(&r->key);
    period_format(&r->key, r->code, sizeof r->code);
    period_format(&r->last_key, r->last_code, sizeof r->last_code);
    return 0;
}

static report_row *row_of(report *r, const char *indicator_code)
{
    for (size_t i = 0; i < r->ni; i++) {
        if (strcmp(r->inds[i].code, indicator_code) == 0)
            return &r->rows[i];
    }
    return NULL;
}

static int peer_index(const report *r, const char *unit_code)
{
    for (size_t i = 0; i < r->npeers; i++) {
        if (strcmp(r->peers[i].code, unit_code) == 0)
            return (int)i;
    }
    return -1;
}

static int this_period_cb(const model_observation *o, void *ctx)
{
    report *r = ctx;
    report_row *row = row_of(r, o->indicator_code);
    int peer = peer_index(r, o->unit_code);
    if (!row)
        return 0;
    if (strcmp(o->unit_code, r->self.code) == 0) {
        row->has_value = 1;
        row->value = o->value;
        row->state = o->state;
    }
    if (peer >= 0) {
        row->reported++;
        r->peer_seen[peer] = 1;
    }
    return 0;
}

static int last_year_cb(const model_observation *o, void *ctx)
{
    report_row *row = row_of(ctx, o->indicator_code);
    if (row) {
        row->has_last = 1;
        row->last = o->value;
    }
    return 0;
}

static int load_targets(report *r)
{
    model_target *t = NULL;
    size_t n = 0;
    int rc;
    if ((rc = store_targets(r->q->s, r->key.year, &t, &n)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        report_row *row = row_of(r, t[i].indicator_code);
        if (row && strcmp(t[i].unit_code, r->self.code) == 0) {
            row->has_target = 1;
            row->goal = t[i].value;
        }
    }
    free(t);
    return 0;
}

/* Growth and completion come from the engine; undefined ones stay missing. */
static void compute_rows(report *r)
{
    for (size_t i = 0; i < r->ni; i++) {
        report_row *row = &r->rows[i];
        row->has_yoy = row->has_value && row->has_last &&
                       progress_yoy(row->ind->value_kind, row->value, row->last, &row->yoy,
                                    &row->yoy_kind) == 0;
        row->has_completion = row->has_value && row->has_target &&
                              progress_completion(row->ind->direction, row->value, row->goal,
                                                  &row->completion) == 0;
    }
    r->reported = 0;
    for (size_t i = 0; i < r->npeers; i++)
        r->reported += (size_t)r->peer_seen[i];
    err_clear();
}

/* Our rank, tier and movement on every indicator in the default scope's group at the month,
 * and the leaders' summary. A store without groups leaves them out. */
static int load_ranks(report *r)
{
    app_scope sc;
    app_members m;
    int rc = 0;
    if (app_scope_at(r->q, NULL, &r->key, &sc) != 0) {
        err_clear();
        return 0;
    }
    if ((rc = app_scope_share_members(&sc, &m)) != 0)
        return rc;
    for (size_t i = 0; i < r->ni; i++) {
        app_analysis a;
        report_row *row = &r->rows[i];
        if ((rc = app_analyze(&sc, row->ind->code, &a)) != 0)
            break;
        for (size_t u = 0; u < a.sp.nunits; u++) {
            const engine_standing *st = &a.st[u];
            if (strcmp(a.sp.units[u].code, r->self.code) != 0 || st->rank.rank == 0)
                continue;
            row->rank = st->rank.rank;
            row->ranked = st->rank.rank - 1 + st->rank.ties + st->rank.worse;
            row->tier = st->tier;
            row->has_move = st->rank_prev > 0;
            row->move = st->move_prev;
            app_summary_add(&r->sm, st);
        }
        app_analysis_free(&a);
    }
    app_members_free(&m);
    return rc;
}

static int load_report(report *r, const char *period_text)
{
    obs_filter f = visible(r);
    int rc;
    if ((rc = find_self(r)) != 0 || (rc = find_peers(r)) != 0 || (rc = pick_period(r, period_text)) != 0 ||
        (rc = store_indicators(r->q->s, &r->inds, &r->ni)) != 0)
        return rc;
    if (!(r->rows = calloc(r->ni ? r->ni : 1, sizeof *r->rows)))
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < r->ni; i++)
        r->rows[i].ind = &r->inds[i];
    snprintf(f.period_code, sizeof f.period_code, "%s", r->code);
    if ((rc = store_observations_each(r->q->s, &f, this_period_cb, r)) != 0)
        return rc;
    snprintf(f.period_code, sizeof f.period_code, "%s", r->last_code);
    snprintf(f.unit_code, sizeof f.unit_code, "%s", r->self.code);
    if ((rc = store_observations_each(r->q->s, &f, last_year_cb, r)) != 0 || (rc = load_targets(r)) != 0)
        return rc;
    compute_rows(r);
    return load_ranks(r);
}

/* ---- JSON ---- */

static json_t *num_or_null(int has, double v)
{
    return has ? json_real(v) : json_null();
}

static json_t *unit_json(const model_unit *u)
{
    if (!u->code[0])
        return json_null();
    return json_pack("{s:s, s:s, s:s}", "code", u->code, "name", u->name, "name_en", u->name_en);
}

static json_t *row_json(const report_row *row)
{
    const model_indicator *ind = row->ind;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:i}", "code", ind->code, "name", ind->name,
                          "name_en", ind->name_en, "measure", ind->measure, "precision",
                          ind->precision);
    if (!o)
        return NULL;
    json_object_set_new(o, "value", num_or_null(row->has_value, row->value));
    json_object_set_new(o, "state", row->has_value ? json_string(model_obs_states[row->state].key)
                                                   : json_null());
    json_object_set_new(o, "last_year", num_or_null(row->has_last, row->last));
    json_object_set_new(o, "yoy", num_or_null(row->has_yoy, row->yoy));
    json_object_set_new(o, "yoy_unit", !row->has_yoy ? json_null()
                                       : json_string(row->yoy_kind == PROGRESS_POINTS ? "points"
                                                                                      : "percent"));
    json_object_set_new(o, "target", num_or_null(row->has_target, row->goal));
    json_object_set_new(o, "completion", num_or_null(row->has_completion, row->completion));
    json_object_set_new(o, "reported", json_integer((json_int_t)row->reported));
    json_object_set_new(o, "rank", row->rank ? json_integer(row->rank) : json_null());
    json_object_set_new(o, "ranked", json_integer(row->ranked));
    json_object_set_new(o, "tier", json_string(app_tier_names[row->tier].key));
    json_object_set_new(o, "move_prev", row->rank && row->has_move ? json_integer(row->move) : json_null());
    return o;
}

static json_t *report_json(const report *r)
{
    json_t *root = json_object(), *rows = json_array();
    if (!root || !rows) {
        json_decref(root);
        json_decref(rows);
        return NULL;
    }
    json_object_set_new(root, "unit", unit_json(&r->self));
    json_object_set_new(root, "city", unit_json(&r->city));
    json_object_set_new(root, "period", json_string(r->code));
    json_object_set_new(root, "last_year_period", json_string(r->last_code));
    json_object_set_new(root, "regions", json_integer((json_int_t)r->npeers));
    json_object_set_new(root, "regions_reported", json_integer((json_int_t)r->reported));
    for (size_t i = 0; i < r->ni; i++)
        json_array_append_new(rows, row_json(&r->rows[i]));
    json_object_set_new(root, "indicators", rows);
    json_object_set_new(root, "summary", app_summary_json(&r->sm, "ranked"));
    json_object_set_new(root, "published_only", json_boolean(r->q->published_only));
    return root;
}

int app_report(const app_ctx *q, const app_params *p, json_t **out)
{
    report r;
    int rc;
    memset(&r, 0, sizeof r);
    r.q = q;
    if ((rc = load_report(&r, p->period)) == 0 && !(*out = report_json(&r)))
        rc = err_set(ERR_NOMEM, "out of memory building JSON");
    report_free(&r);
    return rc;
}
