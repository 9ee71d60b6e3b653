/* store/race: the race's operations (SPEC §6-7): contest categories, contests, judges'
 * scores, results, the red flag's holders, events and their caps, awards. */
#ifndef SAIMA_STORE_RACE_H
#define SAIMA_STORE_RACE_H

#include "store/store.h"

/* The race. Gets by code (or id) are ERR_NOTFOUND when nothing has it. */
struct store_race_ops {
    int version;                       /* STORE_RACE_OPS_VERSION */
    /* Writes a contest category by code. */
    int (*category_put)(store *s, const model_contest_category *c, enum store_put_result *result);
    /* Every category, by sort order then code. */
    int (*categories)(store *s, model_contest_category **out, size_t *n);
    /* One category by code. */
    int (*category_get)(store *s, const char *code, model_contest_category *out);
    /* Writes a contest by code; an unknown group, category or scheme is ERR_NOTFOUND, a
     * period that is not one ERR_DATA (its row is created when new). */
    int (*contest_put)(store *s, const model_contest *c, enum store_put_result *result);
    /* The contests of one period, or of every period when period_code is "" or NULL. */
    int (*contests)(store *s, const char *period_code, model_contest **out, size_t *n);
    /* One contest by code. */
    int (*contest_get)(store *s, const char *code, model_contest *out);
    /* Writes one judge's score of one unit by (contest, unit, judge). */
    int (*judge_score_put)(store *s, const model_judge_score *j, enum store_put_result *result);
    /* The judges' scores of a contest, by unit then judge. */
    int (*judge_scores)(store *s, const char *contest_code, model_judge_score **out, size_t *n);
    /* Replaces the results of a contest (a run); run_at is set by the store. */
    int (*contest_results_set)(store *s, const char *contest_code, const model_contest_result *r,
                               size_t n);
    /* The results of a contest, ranked ones first by rank. */
    int (*contest_results)(store *s, const char *contest_code, model_contest_result **out,
                           size_t *n);
    /* Sets the holders of a group's red flag for a period (replacing any; n = 0 for nobody). */
    int (*flag_set)(store *s, const char *group_code, const char *period_code,
                    const char (*unit_codes)[MODEL_CODE_MAX], size_t n);
    /* The flag's holders of one group (every group when "" or NULL), in period order. */
    int (*flags_held)(store *s, const char *group_code, model_flag_holder **out, size_t *n);
    /* Records an event; *id (may be NULL) receives its number. created_at is set by the store. */
    int (*event_add)(store *s, const model_event *e, int64_t *id);
    /* Revokes an event: it stays on record with the reason, who and when, and counts for
     * nothing. Revoking twice or an unknown id is ERR_CONFLICT / ERR_NOTFOUND. */
    int (*event_revoke)(store *s, int64_t id, const char *reason, const char *by);
    /* The events dated in a year (every year when 0), oldest first, revoked ones included. */
    int (*events)(store *s, int year, model_event **out, size_t *n);
    /* One event by id. */
    int (*event_get)(store *s, int64_t id, model_event *out);
    /* Writes the cap of an event category in a year by (category, year). */
    int (*event_cap_put)(store *s, const model_event_cap *c, enum store_put_result *result);
    /* The caps of a year (every year when 0), by year then category. */
    int (*event_caps)(store *s, int year, model_event_cap **out, size_t *n);
    /* Writes an award by code; its source code must name a contest category or indicator. */
    int (*award_put)(store *s, const model_award *a, enum store_put_result *result);
    /* Every award, in the order they were first written. */
    int (*awards)(store *s, model_award **out, size_t *n);
    /* One award by code. */
    int (*award_get)(store *s, const char *code, model_award *out);
};

#define STORE_RACE_OPS_VERSION 1

/* Forwards to the table above under the names callers use. */
static inline int store_category_put(store *s, const model_contest_category *c, enum store_put_result *r) { return s->race->category_put(s, c, r); }
static inline int store_categories(store *s, model_contest_category **out, size_t *n) { return s->race->categories(s, out, n); }
static inline int store_category_get(store *s, const char *code, model_contest_category *out) { return s->race->category_get(s, code, out); }
static inline int store_contest_put(store *s, const model_contest *c, enum store_put_result *r) { return s->race->contest_put(s, c, r); }
static inline int store_contests(store *s, const char *period_code, model_contest **out, size_t *n)
{
    return s->race->contests(s, period_code, out, n);
}
static inline int store_contest_get(store *s, const char *code, model_contest *out) { return s->race->contest_get(s, code, out); }
static inline int store_judge_score_put(store *s, const model_judge_score *j, enum store_put_result *r) { return s->race->judge_score_put(s, j, r); }
static inline int store_judge_scores(store *s, const char *contest_code, model_judge_score **out, size_t *n)
{
    return s->race->judge_scores(s, contest_code, out, n);
}
static inline int store_contest_results_set(store *s, const char *contest_code, const model_contest_result *r, size_t n)
{
    return s->race->contest_results_set(s, contest_code, r, n);
}
static inline int store_contest_results(store *s, const char *contest_code, model_contest_result **out, size_t *n)
{
    return s->race->contest_results(s, contest_code, out, n);
}
static inline int store_flag_set(store *s, const char *group_code, const char *period_code,
                                 const char (*unit_codes)[MODEL_CODE_MAX], size_t n)
{
    return s->race->flag_set(s, group_code, period_code, unit_codes, n);
}
static inline int store_flags_held(store *s, const char *group_code, model_flag_holder **out, size_t *n)
{
    return s->race->flags_held(s, group_code, out, n);
}
static inline int store_event_add(store *s, const model_event *e, int64_t *id) { return s->race->event_add(s, e, id); }
static inline int store_event_revoke(store *s, int64_t id, const char *reason, const char *by)
{
    return s->race->event_revoke(s, id, reason, by);
}
static inline int store_events(store *s, int year, model_event **out, size_t *n) { return s->race->events(s, year, out, n); }
static inline int store_event_get(store *s, int64_t id, model_event *out) { return s->race->event_get(s, id, out); }
static inline int store_event_cap_put(store *s, const model_event_cap *c, enum store_put_result *r) { return s->race->event_cap_put(s, c, r); }
static inline int store_event_caps(store *s, int year, model_event_cap **out, size_t *n)
{
    return s->race->event_caps(s, year, out, n);
}
static inline int store_award_put(store *s, const model_award *a, enum store_put_result *r) { return s->race->award_put(s, a, r); }
static inline int store_awards(store *s, model_award **out, size_t *n) { return s->race->awards(s, out, n); }
static inline int store_award_get(store *s, const char *code, model_award *out) { return s->race->award_get(s, code, out); }

#endif
