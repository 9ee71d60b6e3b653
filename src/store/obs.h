/* store/obs: the observations' and targets' operations: writes one by one and in bulk,
 * iteration, revision history, soft-validation flags. */
#ifndef SAIMA_STORE_OBS_H
#define SAIMA_STORE_OBS_H

#include "store/store.h"

/* Which observations to read; empty codes and 0 mean "any". Rows come ordered by
 * indicator, period, unit (each (indicator, period) group together). */
typedef struct obs_filter {
    char indicator_code[MODEL_CODE_MAX];
    char unit_code[MODEL_CODE_MAX];
    char period_code[PERIOD_CODE_MAX];
    int year;
    int period_kind;                   /* -1 for any kind */
    int published_only;                /* nonzero: only published values (what the public sees) */
} obs_filter;

/* A new observation for a bulk insert: ids, value, state and a borrowed note. */
typedef struct obs_new {
    int64_t indicator_id, period_id, unit_id;
    double value;
    int state;                         /* enum obs_state */
    const char *note;                  /* "" for none */
} obs_new;

/* Called once per observation; a nonzero return stops the iteration and is returned. */
typedef int (*store_obs_cb)(const model_observation *obs, void *ctx);

/* One stored value as a panel reads it: no codes, no text (a target has month 0). */
typedef struct obs_cell {
    int64_t indicator_id, unit_id;
    int year, month;
    double value;
} obs_cell;

/* Called once per cell; a nonzero return stops the iteration and is returned. The cell
 * readers reuse one prepared statement: the callback must not call the same reader. */
typedef int (*store_cell_cb)(const obs_cell *cell, void *ctx);

/* Observations, targets and flags. */
struct store_obs_ops {
    int version;                       /* STORE_OBS_OPS_VERSION */
    /* Writes a target by (indicator, unit, year). */
    int (*target_put)(store *s, const model_target *t, enum store_put_result *result);
    /* The targets of one year, or of every year when year is 0. */
    int (*targets)(store *s, int year, model_target **out, size_t *n);
    /* Writes an observation (ids filled). A changed value, state or note keeps the earlier
     * version in the history and raises the revision; an identical one writes nothing.
     * A published observation is ERR_PUBLISHED; a locked period, or a unit's period whose
     * submission is approved, ERR_LOCKED. */
    int (*observation_put)(store *s, const model_observation *obs, const char *actor,
                           enum store_put_result *result);
    /* Inserts observations the caller knows to be new (checked in the same transaction),
     * many per statement: the fast path of a large import (in a bulk transaction, the ids
     * are checked here, not by the database's foreign keys). The back end may reorder rows to
     * write them in the order it stores fastest. An existing one is ERR_CONFLICT, a locked
     * period or an approved submission's unit and period ERR_LOCKED. */
    int (*observations_insert)(store *s, obs_new *rows, size_t n, const char *actor);
    /* Calls cb for every observation f matches, in the filter's order; cb may use the store. */
    int (*observations_each)(store *s, const obs_filter *f, store_obs_cb cb, void *ctx);
    /* The values of one indicator (of every indicator when indicator_id is 0) in one month
     * (kind month), every unit, published ones only when published_only, of indicators of
     * value kind value_kind only unless it is -1: a keyed read of just that month. */
    int (*month_values)(store *s, int64_t indicator_id, int value_kind, const period_key *month,
                        int published_only, store_cell_cb cb, void *ctx);
    /* The targets of one indicator (every indicator when indicator_id is 0) in one year,
     * every unit (cells of month 0). */
    int (*indicator_targets)(store *s, int64_t indicator_id, int year, store_cell_cb cb, void *ctx);
    /* Whether any indicator has a value for the month (a published one when published_only):
     * *has is set to 1 or 0. */
    int (*month_has_values)(store *s, const period_key *month, int published_only, int *has);
    /* Every version of one observation, oldest first, the current one last. */
    int (*observation_history)(store *s, const char *indicator_code, const char *unit_code,
                               const char *period_code, model_observation **out, size_t *n);
    /* How many observations are stored. */
    int (*observation_count)(store *s, int64_t *n);
    /* Records a soft-validation flag on an observation (ids and value used). */
    int (*flag_add)(store *s, const model_observation *obs, const char *rule, const char *message);
    /* The flags, oldest first; only the open ones when open_only. */
    int (*flags)(store *s, int open_only, model_obs_flag **out, size_t *n);
};

#define STORE_OBS_OPS_VERSION 2

/* An obs_filter that matches everything. */
obs_filter store_filter_all(void);

/* Forwards to the table above under the names callers use. */
static inline int store_target_put(store *s, const model_target *t, enum store_put_result *r) { return s->obs->target_put(s, t, r); }
static inline int store_targets(store *s, int year, model_target **out, size_t *n) { return s->obs->targets(s, year, out, n); }
static inline int store_observation_put(store *s, const model_observation *obs, const char *actor,
                                        enum store_put_result *r)
{
    return s->obs->observation_put(s, obs, actor, r);
}
static inline int store_observations_insert(store *s, obs_new *rows, size_t n, const char *actor)
{
    return s->obs->observations_insert(s, rows, n, actor);
}
static inline int store_observations_each(store *s, const obs_filter *f, store_obs_cb cb, void *ctx)
{
    return s->obs->observations_each(s, f, cb, ctx);
}
static inline int store_month_values(store *s, int64_t indicator_id, int value_kind, const period_key *month,
                                     int published_only, store_cell_cb cb, void *ctx)
{
    return s->obs->month_values(s, indicator_id, value_kind, month, published_only, cb, ctx);
}
static inline int store_indicator_targets(store *s, int64_t indicator_id, int year, store_cell_cb cb, void *ctx)
{
    return s->obs->indicator_targets(s, indicator_id, year, cb, ctx);
}
static inline int store_month_has_values(store *s, const period_key *month, int published_only, int *has)
{
    return s->obs->month_has_values(s, month, published_only, has);
}
static inline int store_observation_history(store *s, const char *indicator_code, const char *unit_code,
                                            const char *period_code, model_observation **out, size_t *n)
{
    return s->obs->observation_history(s, indicator_code, unit_code, period_code, out, n);
}
static inline int store_observation_count(store *s, int64_t *n) { return s->obs->observation_count(s, n); }
static inline int store_flag_add(store *s, const model_observation *obs, const char *rule, const char *message)
{
    return s->obs->flag_add(s, obs, rule, message);
}
static inline int store_flags(store *s, int open_only, model_obs_flag **out, size_t *n)
{
    return s->obs->flags(s, open_only, out, n);
}

#endif
