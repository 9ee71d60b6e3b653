/* store/ref: the reference data's operations: units, groups and their members, indicators,
 * schemes and their items, periods. */
#ifndef SAIMA_STORE_REF_H
#define SAIMA_STORE_REF_H

#include "store/store.h"

/* Reference data. Puts insert or update by code; a code a row refers to (parent, member,
 * lead or cooperating unit, group, indicator) that is not on record is ERR_NOTFOUND. Gets
 * by code are ERR_NOTFOUND when nothing has the code. */
struct store_ref_ops {
    int version;                       /* STORE_REF_OPS_VERSION */
    /* Writes a unit by code. */
    int (*unit_put)(store *s, const model_unit *u, enum store_put_result *result);
    /* Every unit, by sort order then code. */
    int (*units)(store *s, model_unit **out, size_t *n);
    /* One unit by code. */
    int (*unit_get)(store *s, const char *code, model_unit *out);
    /* Writes a group by code (its members are left as they are). */
    int (*group_put)(store *s, const model_group *g, enum store_put_result *result);
    /* Replaces the members of a group with the units given, in that order; STORE_UNCHANGED
     * when they were already those, in that order. */
    int (*group_set_members)(store *s, const char *group_code,
                             const char (*unit_codes)[MODEL_CODE_MAX], size_t n,
                             enum store_put_result *result);
    /* Every group, in the order they were first written. */
    int (*groups)(store *s, model_group **out, size_t *n);
    /* The members of a group, in their order. */
    int (*group_members)(store *s, const char *group_code, model_unit **out, size_t *n);
    /* One group by code. */
    int (*group_get)(store *s, const char *code, model_group *out);
    /* Writes an indicator by code, its cooperating units (codes joined by ';') included. */
    int (*indicator_put)(store *s, const model_indicator *ind, enum store_put_result *result);
    /* Every indicator, by sort order then code. */
    int (*indicators)(store *s, model_indicator **out, size_t *n);
    /* One indicator by code. */
    int (*indicator_get)(store *s, const char *code, model_indicator *out);
    /* Writes a scheme by code (its items are left as they are). */
    int (*scheme_put)(store *s, const model_scheme *sc, enum store_put_result *result);
    /* Replaces the items of a scheme; STORE_UNCHANGED when they were already those. */
    int (*scheme_set_items)(store *s, const char *scheme_code, const model_scheme_item *items,
                            size_t n, enum store_put_result *result);
    /* Every scheme, in the order they were first written. */
    int (*schemes)(store *s, model_scheme **out, size_t *n);
    /* The items of a scheme, by sort order then indicator code. */
    int (*scheme_items)(store *s, const char *scheme_code, model_scheme_item **out, size_t *n);
    /* One scheme by code. */
    int (*scheme_get)(store *s, const char *code, model_scheme *out);
    /* The id of a period, creating its row if it is new. */
    int (*period_ensure)(store *s, const period_key *key, int64_t *id);
    /* Locks or unlocks a period for every unit (creating its row); writes of observations
     * to a locked period fail with ERR_LOCKED. */
    int (*period_set_locked)(store *s, const period_key *key, int locked);
    /* Every period on record, by period_ordinal. */
    int (*periods)(store *s, model_period **out, size_t *n);
    /* One period on record by key. */
    int (*period_get)(store *s, const period_key *key, model_period *out);
};

#define STORE_REF_OPS_VERSION 1

/* One period on record by its code in any form period_parse accepts: a text that is not a
 * period is ERR_DATA, a period not on record ERR_NOTFOUND. */
int store_period_get_code(store *s, const char *code, model_period *out);

/* Forwards to the table above under the names callers use. */
static inline int store_unit_put(store *s, const model_unit *u, enum store_put_result *r) { return s->ref->unit_put(s, u, r); }
static inline int store_units(store *s, model_unit **out, size_t *n) { return s->ref->units(s, out, n); }
static inline int store_unit_get(store *s, const char *code, model_unit *out) { return s->ref->unit_get(s, code, out); }
static inline int store_group_put(store *s, const model_group *g, enum store_put_result *r) { return s->ref->group_put(s, g, r); }
static inline int store_group_set_members(store *s, const char *group_code, const char (*unit_codes)[MODEL_CODE_MAX],
                                          size_t n, enum store_put_result *r)
{
    return s->ref->group_set_members(s, group_code, unit_codes, n, r);
}
static inline int store_groups(store *s, model_group **out, size_t *n) { return s->ref->groups(s, out, n); }
static inline int store_group_members(store *s, const char *group_code, model_unit **out, size_t *n)
{
    return s->ref->group_members(s, group_code, out, n);
}
static inline int store_group_get(store *s, const char *code, model_group *out) { return s->ref->group_get(s, code, out); }
static inline int store_indicator_put(store *s, const model_indicator *ind, enum store_put_result *r) { return s->ref->indicator_put(s, ind, r); }
static inline int store_indicators(store *s, model_indicator **out, size_t *n) { return s->ref->indicators(s, out, n); }
static inline int store_indicator_get(store *s, const char *code, model_indicator *out) { return s->ref->indicator_get(s, code, out); }
static inline int store_scheme_put(store *s, const model_scheme *sc, enum store_put_result *r) { return s->ref->scheme_put(s, sc, r); }
static inline int store_scheme_set_items(store *s, const char *scheme_code, const model_scheme_item *items, size_t n,
                                         enum store_put_result *r)
{
    return s->ref->scheme_set_items(s, scheme_code, items, n, r);
}
static inline int store_schemes(store *s, model_scheme **out, size_t *n) { return s->ref->schemes(s, out, n); }
static inline int store_scheme_items(store *s, const char *scheme_code, model_scheme_item **out, size_t *n)
{
    return s->ref->scheme_items(s, scheme_code, out, n);
}
static inline int store_scheme_get(store *s, const char *code, model_scheme *out) { return s->ref->scheme_get(s, code, out); }
static inline int store_period_ensure(store *s, const period_key *key, int64_t *id) { return s->ref->period_ensure(s, key, id); }
static inline int store_period_set_locked(store *s, const period_key *key, int locked) { return s->ref->period_set_locked(s, key, locked); }
static inline int store_periods(store *s, model_period **out, size_t *n) { return s->ref->periods(s, out, n); }
static inline int store_period_get(store *s, const period_key *key, model_period *out) { return s->ref->period_get(s, key, out); }

#endif
