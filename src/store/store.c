/* store: the back-end-neutral entry points; each forwards to the back end's ops. */
#include "store/store.h"

#include <string.h>

int store_schema_version(store *s, int *out) { return s->ops->schema_version(s, out); }
int store_data_version(store *s, long long *out) { return s->ops->data_version(s, out); }
int store_begin(store *s) { return s->ops->begin(s); }
int store_commit(store *s) { return s->ops->commit(s); }
int store_rollback(store *s) { return s->ops->rollback(s); }

void store_close(store *s)
{
    if (s)
        s->ops->close(s);
}

int store_unit_put(store *s, const model_unit *u) { return s->ops->unit_put(s, u); }
int store_units(store *s, model_unit **out, size_t *n) { return s->ops->units(s, out, n); }
int store_group_put(store *s, const model_group *g) { return s->ops->group_put(s, g); }

int store_group_set_members(store *s, const char *group_code, const char (*unit_codes)[MODEL_CODE_MAX],
                            size_t n)
{
    return s->ops->group_set_members(s, group_code, unit_codes, n);
}

int store_groups(store *s, model_group **out, size_t *n) { return s->ops->groups(s, out, n); }

int store_group_members(store *s, const char *group_code, model_unit **out, size_t *n)
{
    return s->ops->group_members(s, group_code, out, n);
}

int store_indicator_put(store *s, const model_indicator *ind) { return s->ops->indicator_put(s, ind); }
int store_indicators(store *s, model_indicator **out, size_t *n) { return s->ops->indicators(s, out, n); }
int store_scheme_put(store *s, const model_scheme *sc) { return s->ops->scheme_put(s, sc); }

int store_scheme_set_items(store *s, const char *scheme_code, const model_scheme_item *items, size_t n)
{
    return s->ops->scheme_set_items(s, scheme_code, items, n);
}

int store_schemes(store *s, model_scheme **out, size_t *n) { return s->ops->schemes(s, out, n); }

int store_scheme_items(store *s, const char *scheme_code, model_scheme_item **out, size_t *n)
{
    return s->ops->scheme_items(s, scheme_code, out, n);
}

int store_period_ensure(store *s, const period_key *key, int64_t *id)
{
    return s->ops->period_ensure(s, key, id);
}

int store_period_set_locked(store *s, const period_key *key, int locked)
{
    return s->ops->period_set_locked(s, key, locked);
}

int store_periods(store *s, model_period **out, size_t *n) { return s->ops->periods(s, out, n); }
int store_target_put(store *s, const model_target *t) { return s->ops->target_put(s, t); }
int store_targets(store *s, int year, model_target **out, size_t *n) { return s->ops->targets(s, year, out, n); }

int store_observation_put(store *s, const model_observation *obs, const char *actor, int *result)
{
    return s->ops->observation_put(s, obs, actor, result);
}

int store_observations_insert(store *s, const obs_new *rows, size_t n, const char *actor)
{
    return s->ops->observations_insert(s, rows, n, actor);
}

int store_observations_each(store *s, const obs_filter *f, store_obs_cb cb, void *ctx)
{
    return s->ops->observations_each(s, f, cb, ctx);
}

int store_observation_history(store *s, const char *indicator_code, const char *unit_code,
                              const char *period_code, model_observation **out, size_t *n)
{
    return s->ops->observation_history(s, indicator_code, unit_code, period_code, out, n);
}

int store_observation_count(store *s, int64_t *n) { return s->ops->observation_count(s, n); }

int store_flag_add(store *s, const model_observation *obs, const char *rule, const char *message)
{
    return s->ops->flag_add(s, obs, rule, message);
}

int store_flags(store *s, int open_only, model_obs_flag **out, size_t *n)
{
    return s->ops->flags(s, open_only, out, n);
}

int store_user_put(store *s, const model_user *u) { return s->ops->user_put(s, u); }
int store_users(store *s, model_user **out, size_t *n) { return s->ops->users(s, out, n); }
int store_user_get(store *s, const char *login, model_user *out) { return s->ops->user_get(s, login, out); }

int store_audit_add(store *s, const char *actor, const char *action, const char *entity,
                    const char *detail)
{
    return s->ops->audit_add(s, actor, action, entity, detail);
}

int store_audits(store *s, int limit, model_audit_entry **out, size_t *n)
{
    return s->ops->audits(s, limit, out, n);
}

int store_category_put(store *s, const model_contest_category *c) { return s->ops->category_put(s, c); }

int store_categories(store *s, model_contest_category **out, size_t *n)
{
    return s->ops->categories(s, out, n);
}

int store_contest_put(store *s, const model_contest *c) { return s->ops->contest_put(s, c); }

int store_contests(store *s, const char *period_code, model_contest **out, size_t *n)
{
    return s->ops->contests(s, period_code, out, n);
}

int store_judge_score_put(store *s, const model_judge_score *j) { return s->ops->judge_score_put(s, j); }

int store_judge_scores(store *s, const char *contest_code, model_judge_score **out, size_t *n)
{
    return s->ops->judge_scores(s, contest_code, out, n);
}

int store_contest_results_set(store *s, const char *contest_code, const model_contest_result *r, size_t n)
{
    return s->ops->contest_results_set(s, contest_code, r, n);
}

int store_contest_results(store *s, const char *contest_code, model_contest_result **out, size_t *n)
{
    return s->ops->contest_results(s, contest_code, out, n);
}

int store_flag_set(store *s, const char *group_code, const char *period_code,
                   const char (*unit_codes)[MODEL_CODE_MAX], size_t n)
{
    return s->ops->flag_set(s, group_code, period_code, unit_codes, n);
}

int store_flags_held(store *s, const char *group_code, model_flag_holder **out, size_t *n)
{
    return s->ops->flags_held(s, group_code, out, n);
}

int store_event_add(store *s, const model_event *e, int64_t *id) { return s->ops->event_add(s, e, id); }

int store_event_revoke(store *s, int64_t id, const char *reason, const char *by)
{
    return s->ops->event_revoke(s, id, reason, by);
}

int store_events(store *s, int year, model_event **out, size_t *n)
{
    return s->ops->events(s, year, out, n);
}

int store_event_cap_put(store *s, const model_event_cap *c) { return s->ops->event_cap_put(s, c); }

int store_event_caps(store *s, int year, model_event_cap **out, size_t *n)
{
    return s->ops->event_caps(s, year, out, n);
}

int store_award_put(store *s, const model_award *a) { return s->ops->award_put(s, a); }
int store_awards(store *s, model_award **out, size_t *n) { return s->ops->awards(s, out, n); }

obs_filter store_filter_all(void)
{
    obs_filter f;
    memset(&f, 0, sizeof f);
    f.period_kind = -1;
    return f;
}

int store_period_set_deadline(store *s, const period_key *key, const char *deadline)
{
    return s->ops->period_set_deadline(s, key, deadline);
}

int store_submission_get(store *s, const char *unit_code, const char *period_code, model_submission *out)
{
    return s->ops->submission_get(s, unit_code, period_code, out);
}

int store_submissions(store *s, const char *period_code, model_submission **out, size_t *n)
{
    return s->ops->submissions(s, period_code, out, n);
}

int store_submission_steps(store *s, const char *unit_code, const char *period_code,
                           model_submission_step **out, size_t *n)
{
    return s->ops->submission_steps(s, unit_code, period_code, out, n);
}

int store_submission_write(store *s, const model_submission *next, const model_submission_step *step)
{
    return s->ops->submission_write(s, next, step);
}

int store_observations_set_state(store *s, const char *unit_code, const char *period_code,
                                 int state, int *changed)
{
    return s->ops->observations_set_state(s, unit_code, period_code, state, changed);
}
