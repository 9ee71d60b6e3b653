/* store/flow: the data-entry workflow's operations: deadlines, submissions, their steps and
 * the state changes of a unit's figures (docs/entry.md; the rules are in app/entry.h). */
#ifndef SAIMA_STORE_FLOW_H
#define SAIMA_STORE_FLOW_H

#include "store/store.h"

/* The workflow. */
struct store_flow_ops {
    int version;                       /* STORE_FLOW_OPS_VERSION */
    /* Sets a period's submission deadline, "YYYY-MM-DD" (the last day figures are on time,
     * in China Standard Time), or "" for none. A date that is not one is ERR_DATA; a period
     * not on record is ERR_NOTFOUND (it is not created: that would move the latest month on
     * record). */
    int (*period_set_deadline)(store *s, const period_key *key, const char *deadline);
    /* The submission of a unit for a period; state SUB_MISSING (codes filled, the rest
     * empty) when there is none. An unknown unit is ERR_NOTFOUND. */
    int (*submission_get)(store *s, const char *unit_code, const char *period_code,
                          model_submission *out);
    /* The submissions of one period ("" or NULL: every period), by period then unit order. */
    int (*submissions)(store *s, const char *period_code, model_submission **out, size_t *n);
    /* The transitions of one submission, oldest first. */
    int (*submission_steps)(store *s, const char *unit_code, const char *period_code,
                            model_submission_step **out, size_t *n);
    /* Writes a transition: next is the submission as it becomes (its state is
     * step->to_state), step says from which state, who, when and why, and is kept in the
     * history. A step from SUB_MISSING inserts (ERR_CONFLICT when one exists); any other
     * step is applied only if the submission is still in step->from_state (else
     * ERR_CONFLICT). Transitions the workflow does not allow are refused by the database
     * (ERR_LOCKED). Both times must be given. */
    int (*submission_write)(store *s, const model_submission *next,
                            const model_submission_step *step);
    /* Sets the state of every observation of a unit in a period (each change keeps the
     * earlier version); *changed (may be NULL) receives how many changed. ERR_LOCKED when
     * the period is locked or the unit's figures are approved. */
    int (*observations_set_state)(store *s, const char *unit_code, const char *period_code,
                                  int state, int *changed);
};

#define STORE_FLOW_OPS_VERSION 1

/* Forwards to the table above under the names callers use. */
static inline int store_period_set_deadline(store *s, const period_key *key, const char *deadline)
{
    return s->flow->period_set_deadline(s, key, deadline);
}
static inline int store_submission_get(store *s, const char *unit_code, const char *period_code,
                                       model_submission *out)
{
    return s->flow->submission_get(s, unit_code, period_code, out);
}
static inline int store_submissions(store *s, const char *period_code, model_submission **out, size_t *n)
{
    return s->flow->submissions(s, period_code, out, n);
}
static inline int store_submission_steps(store *s, const char *unit_code, const char *period_code,
                                         model_submission_step **out, size_t *n)
{
    return s->flow->submission_steps(s, unit_code, period_code, out, n);
}
static inline int store_submission_write(store *s, const model_submission *next, const model_submission_step *step)
{
    return s->flow->submission_write(s, next, step);
}
static inline int store_observations_set_state(store *s, const char *unit_code, const char *period_code,
                                               int state, int *changed)
{
    return s->flow->observations_set_state(s, unit_code, period_code, state, changed);
}

#endif
