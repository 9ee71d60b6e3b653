/* store: the one interface to Saima's storage. Callers see entities (model.h) and error
 * codes (err.h); a back end (SQLite today, PostgreSQL later) implements struct store_ops.
 * Lists are returned as arrays the caller owns and releases with free(). Text fields are
 * fixed-size: a longer value is refused with ERR_DATA, never cut. */
#ifndef SAIMA_STORE_H
#define SAIMA_STORE_H

#include "model/model.h"

#include <stddef.h>
#include <stdint.h>

typedef struct store store;

/* What a write of one observation did. */
enum obs_put_result { OBS_PUT_NEW = 0, OBS_PUT_CHANGED, OBS_PUT_SAME };

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

/* The operations of a back end. Each returns 0 or a negative err code with err_msg() set. */
struct store_ops {
    int version;
    void (*close)(store *s);
    int (*schema_version)(store *s, int *out);
    int (*data_version)(store *s, long long *out);
    int (*begin)(store *s);
    int (*commit)(store *s);
    int (*rollback)(store *s);

    int (*unit_put)(store *s, const model_unit *u);
    int (*units)(store *s, model_unit **out, size_t *n);
    int (*group_put)(store *s, const model_group *g);
    int (*group_set_members)(store *s, const char *group_code, const char (*unit_codes)[MODEL_CODE_MAX],
                             size_t n);
    int (*groups)(store *s, model_group **out, size_t *n);
    int (*group_members)(store *s, const char *group_code, model_unit **out, size_t *n);
    int (*indicator_put)(store *s, const model_indicator *ind);
    int (*indicators)(store *s, model_indicator **out, size_t *n);
    int (*scheme_put)(store *s, const model_scheme *sc);
    int (*scheme_set_items)(store *s, const char *scheme_code, const model_scheme_item *items, size_t n);
    int (*schemes)(store *s, model_scheme **out, size_t *n);
    int (*scheme_items)(store *s, const char *scheme_code, model_scheme_item **out, size_t *n);
    int (*period_ensure)(store *s, const period_key *key, int64_t *id);
    int (*period_set_locked)(store *s, const period_key *key, int locked);
    int (*periods)(store *s, model_period **out, size_t *n);
    int (*target_put)(store *s, const model_target *t);
    int (*targets)(store *s, int year, model_target **out, size_t *n);
    int (*observation_put)(store *s, const model_observation *obs, const char *actor, int *result);
    int (*observations_insert)(store *s, const obs_new *rows, size_t n, const char *actor);
    int (*observations_each)(store *s, const obs_filter *f, store_obs_cb cb, void *ctx);
    int (*observation_history)(store *s, const char *indicator_code, const char *unit_code,
                               const char *period_code, model_observation **out, size_t *n);
    int (*observation_count)(store *s, int64_t *n);
    int (*flag_add)(store *s, const model_observation *obs, const char *rule, const char *message);
    int (*flags)(store *s, int open_only, model_obs_flag **out, size_t *n);
    int (*user_put)(store *s, const model_user *u);
    int (*users)(store *s, model_user **out, size_t *n);
    int (*user_get)(store *s, const char *login, model_user *out);
    int (*audit_add)(store *s, const char *actor, const char *action, const char *entity,
                     const char *detail);
    int (*audits)(store *s, int limit, model_audit_entry **out, size_t *n);

    int (*category_put)(store *s, const model_contest_category *c);
    int (*categories)(store *s, model_contest_category **out, size_t *n);
    int (*contest_put)(store *s, const model_contest *c);
    int (*contests)(store *s, const char *period_code, model_contest **out, size_t *n);
    int (*judge_score_put)(store *s, const model_judge_score *j);
    int (*judge_scores)(store *s, const char *contest_code, model_judge_score **out, size_t *n);
    int (*contest_results_set)(store *s, const char *contest_code, const model_contest_result *r, size_t n);
    int (*contest_results)(store *s, const char *contest_code, model_contest_result **out, size_t *n);
    int (*flag_set)(store *s, const char *group_code, const char *period_code,
                    const char (*unit_codes)[MODEL_CODE_MAX], size_t n);
    int (*flags_held)(store *s, const char *group_code, model_flag_holder **out, size_t *n);
    int (*event_add)(store *s, const model_event *e, int64_t *id);
    int (*event_revoke)(store *s, int64_t id, const char *reason, const char *by);
    int (*events)(store *s, int year, model_event **out, size_t *n);
    int (*event_cap_put)(store *s, const model_event_cap *c);
    int (*event_caps)(store *s, int year, model_event_cap **out, size_t *n);
    int (*award_put)(store *s, const model_award *a);
    int (*awards)(store *s, model_award **out, size_t *n);

    int (*period_set_deadline)(store *s, const period_key *key, const char *deadline);
    int (*submission_get)(store *s, const char *unit_code, const char *period_code, model_submission *out);
    int (*submissions)(store *s, const char *period_code, model_submission **out, size_t *n);
    int (*submission_steps)(store *s, const char *unit_code, const char *period_code,
                            model_submission_step **out, size_t *n);
    int (*submission_write)(store *s, const model_submission *next, const model_submission_step *step);
    int (*observations_set_state)(store *s, const char *unit_code, const char *period_code,
                                  int state, int *changed);
};

#define STORE_OPS_VERSION 1

/* Every back end's handle starts with its ops. */
struct store {
    const struct store_ops *ops;
};

/* Options for opening; zero means the default. */
typedef struct store_open_opts {
    int max_version;  /* migrate no further than this schema version (tests of old databases) */
} store_open_opts;

/* Opens (creating if needed) the SQLite database at path and migrates it to the latest
 * schema. *out is the caller's, to release with store_close. */
int store_open(const char *path, store **out);
int store_open_with(const char *path, const store_open_opts *opts, store **out);

/* The newest schema version this build knows. */
int store_latest_version(void);

/* Closes the store; NULL is allowed. An open transaction is rolled back. */
void store_close(store *s);

int store_schema_version(store *s, int *out);

/* A number that changes when another connection or process commits a change to the database
 * after this connection last looked (for caches of results; see docs/api.md). */
int store_data_version(store *s, long long *out);

/* One transaction at a time: everything between begin and commit lands together or not at all. */
int store_begin(store *s);
int store_commit(store *s);
int store_rollback(store *s);

/* Inserts or updates by code. A missing parent or member code is ERR_NOTFOUND. */
int store_unit_put(store *s, const model_unit *u);
int store_units(store *s, model_unit **out, size_t *n);
int store_group_put(store *s, const model_group *g);
/* Replaces the members of a group with the units given, in that order. */
int store_group_set_members(store *s, const char *group_code, const char (*unit_codes)[MODEL_CODE_MAX],
                            size_t n);
int store_groups(store *s, model_group **out, size_t *n);
int store_group_members(store *s, const char *group_code, model_unit **out, size_t *n);
int store_indicator_put(store *s, const model_indicator *ind);
int store_indicators(store *s, model_indicator **out, size_t *n);
int store_scheme_put(store *s, const model_scheme *sc);
/* Replaces the items of a scheme. */
int store_scheme_set_items(store *s, const char *scheme_code, const model_scheme_item *items, size_t n);
int store_schemes(store *s, model_scheme **out, size_t *n);
int store_scheme_items(store *s, const char *scheme_code, model_scheme_item **out, size_t *n);

/* Returns the id of a period, creating its row if it is new. */
int store_period_ensure(store *s, const period_key *key, int64_t *id);
/* Locks or unlocks a period for every unit; writes to a locked period fail with ERR_LOCKED. */
int store_period_set_locked(store *s, const period_key *key, int locked);
/* All periods, ordered by period_ordinal. */
int store_periods(store *s, model_period **out, size_t *n);

/* Inserts or replaces a target. */
int store_target_put(store *s, const model_target *t);
/* Targets of one year, or of every year when year is 0. */
int store_targets(store *s, int year, model_target **out, size_t *n);

/* Writes an observation (ids filled). A changed value, state or note keeps the earlier
 * version in the history and raises the revision; an identical one writes nothing.
 * A published observation, a locked period or a unit's period whose submission is approved
 * is ERR_LOCKED. result may be NULL. */
int store_observation_put(store *s, const model_observation *obs, const char *actor, int *result);
/* Inserts observations the caller knows to be new (checked in the same transaction), many
 * per statement: the fast path of a large import. An existing one is ERR_CONFLICT, a locked
 * period or an approved submission's unit and period ERR_LOCKED; rows in key order (indicator, period, unit) insert fastest. */
int store_observations_insert(store *s, const obs_new *rows, size_t n, const char *actor);
int store_observations_each(store *s, const obs_filter *f, store_obs_cb cb, void *ctx);
/* Every version of one observation, oldest first, the current one last. */
int store_observation_history(store *s, const char *indicator_code, const char *unit_code,
                              const char *period_code, model_observation **out, size_t *n);
int store_observation_count(store *s, int64_t *n);

/* Records a soft-validation flag on an observation (ids and value used). */
int store_flag_add(store *s, const model_observation *obs, const char *rule, const char *message);
int store_flags(store *s, int open_only, model_obs_flag **out, size_t *n);

/* Inserts or updates an account by login. */
int store_user_put(store *s, const model_user *u);
int store_users(store *s, model_user **out, size_t *n);
/* One account by login, or ERR_NOTFOUND. */
int store_user_get(store *s, const char *login, model_user *out);

int store_audit_add(store *s, const char *actor, const char *action, const char *entity,
                    const char *detail);
/* The newest entries first, at most limit (0 for all). */
int store_audits(store *s, int limit, model_audit_entry **out, size_t *n);

/* ---- the race (SPEC §6-7) ---- */

/* Inserts or updates a contest category by code. */
int store_category_put(store *s, const model_contest_category *c);
int store_categories(store *s, model_contest_category **out, size_t *n);
/* Inserts or updates a contest by code; unknown group, category, scheme or a period that is
 * not a month, quarter, half or year is ERR_NOTFOUND / ERR_DATA. */
int store_contest_put(store *s, const model_contest *c);
/* The contests of one period, or of every period when period_code is "" or NULL. */
int store_contests(store *s, const char *period_code, model_contest **out, size_t *n);
/* Inserts or replaces one judge's score of one unit. */
int store_judge_score_put(store *s, const model_judge_score *j);
int store_judge_scores(store *s, const char *contest_code, model_judge_score **out, size_t *n);
/* Replaces the results of a contest (a run); run_at is set by the store. */
int store_contest_results_set(store *s, const char *contest_code, const model_contest_result *r, size_t n);
int store_contest_results(store *s, const char *contest_code, model_contest_result **out, size_t *n);
/* Sets the holders of a group's red flag for a period (replacing any; n = 0 for nobody). */
int store_flag_set(store *s, const char *group_code, const char *period_code,
                   const char (*unit_codes)[MODEL_CODE_MAX], size_t n);
/* The flag's holders of one group (every group when "" or NULL), in period order. */
int store_flags_held(store *s, const char *group_code, model_flag_holder **out, size_t *n);
/* Records an event; *id receives its number. created_at is set by the store. */
int store_event_add(store *s, const model_event *e, int64_t *id);
/* Revokes an event: it stays on record with the reason, who and when, and counts for
 * nothing. Revoking twice or an unknown id is ERR_CONFLICT / ERR_NOTFOUND. */
int store_event_revoke(store *s, int64_t id, const char *reason, const char *by);
/* The events dated in a year (every year when 0), oldest first, revoked ones included. */
int store_events(store *s, int year, model_event **out, size_t *n);
int store_event_cap_put(store *s, const model_event_cap *c);
int store_event_caps(store *s, int year, model_event_cap **out, size_t *n);
int store_award_put(store *s, const model_award *a);
int store_awards(store *s, model_award **out, size_t *n);

/* ---- data entry (docs/entry.md; the workflow's rules are in store/entry.h) ---- */

/* Sets a period's submission deadline, "YYYY-MM-DD" (the last day figures are on time, in
 * China Standard Time), or "" for none. A date that is not one is ERR_DATA; a period not on
 * record is ERR_NOTFOUND (it is not created: that would move the latest month on record). */
int store_period_set_deadline(store *s, const period_key *key, const char *deadline);
/* The submission of a unit for a period; state SUB_MISSING (codes filled, the rest empty)
 * when there is none. An unknown unit is ERR_NOTFOUND. */
int store_submission_get(store *s, const char *unit_code, const char *period_code, model_submission *out);
/* The submissions of one period ("" or NULL: every period), by period then unit order. */
int store_submissions(store *s, const char *period_code, model_submission **out, size_t *n);
/* The transitions of one submission, oldest first. */
int store_submission_steps(store *s, const char *unit_code, const char *period_code,
                           model_submission_step **out, size_t *n);
/* Writes a transition: next is the submission as it becomes (its state is step->to_state),
 * step says from which state, who, when and why, and is kept in the history. A step from
 * SUB_MISSING inserts (ERR_CONFLICT when one exists); any other step is applied only if the
 * submission is still in step->from_state (else ERR_CONFLICT). Transitions the workflow does
 * not allow are refused by the database (ERR_LOCKED). Both times must be given. */
int store_submission_write(store *s, const model_submission *next, const model_submission_step *step);
/* Sets the state of every observation of a unit in a period (each change keeps the earlier
 * version); *changed (may be NULL) receives how many changed. ERR_LOCKED when the period is
 * locked or the unit's figures are approved. */
int store_observations_set_state(store *s, const char *unit_code, const char *period_code,
                                 int state, int *changed);

/* An obs_filter that matches everything. */
obs_filter store_filter_all(void);

#endif
