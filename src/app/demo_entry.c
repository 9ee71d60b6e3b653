/* demo_entry: the entry workflow of the demo city, written inside demo_build's transaction
 * through the workflow's own use cases (app/entry.c); io/demo.c calls it through
 * demo_opts.entry.
 * Every month's deadline is the 10th of the month after it. In the as-of month the units
 * whose figures the demo marked approved went through draft -> submitted -> approved (so
 * their figures are published), those marked submitted await review, except one region
 * that the office returned with a reason; units without figures are missing. Two units
 * submitted after the deadline. Times are fixed, so the demo stays deterministic. */
#include "app/app.h"
#include "app/entry.h"
#include "io/demo.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFFICE "admin"
#define SELF_CODE "linjiang"
#define RETURN_REASON "规上工业增加值与规上工业总产值增速不匹配，请核实后重新报送"

/* The month after p. */
static period_key next_month(const period_key *p)
{
    period_key n = *p;
    if (++n.seq > 12) {
        n.seq = 1;
        n.year++;
    }
    return n;
}

/* Deadlines of every month on record: the 10th of the following month. */
static int set_deadlines(store *s)
{
    model_period *ps = NULL;
    size_t n = 0;
    char date[32];
    int rc;
    if ((rc = store_periods(s, &ps, &n)) != 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        period_key next;
        if (ps[i].key.kind != PERIOD_MONTH)
            continue;
        next = next_month(&ps[i].key);
        snprintf(date, sizeof date, "%04d-%02d-10", next.year % 10000, next.seq % 100);
        rc = store_period_set_deadline(s, &ps[i].key, date);
    }
    free(ps);
    return rc;
}

/* The state of a unit's first observation in the period, or -1 when it has none. */
static int first_state(const model_observation *o, void *arg)
{
    *(int *)arg = o->state;
    return 1;
}

static int unit_state(store *s, const char *unit_code, const char *period_code, int *state)
{
    obs_filter f = store_filter_all();
    int rc;
    *state = -1;
    snprintf(f.unit_code, sizeof f.unit_code, "%s", unit_code);
    snprintf(f.period_code, sizeof f.period_code, "%s", period_code);
    rc = store_observations_each(s, &f, first_state, state);
    return rc == 1 ? 0 : rc;
}

/* A fixed time in the month after the as-of month. */
static void stamp(const period_key *as_of, int day, int hour, char *buf, size_t size)
{
    period_key n = next_month(as_of);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:00.000Z", n.year % 10000, n.seq % 100, day % 100,
             hour % 24, (day * 7) % 60);
}

/* The demo's choices for the as-of month, by unit index in the plan. */
typedef struct demo_pick {
    int state;        /* the observations' state demo.c chose, -1 for none */
    int late;         /* submitted after the deadline */
    int returned;     /* the office returns it */
} demo_pick;

/* In plan order (regions first): the first approved unit other than ours and the first
 * unit awaiting review were late; the first region awaiting review is returned. */
static int pick(store *s, const app_entry_plan *p, demo_pick *picks)
{
    long late_approved = -1, late_waiting = -1, returned = -1;
    int rc;
    for (size_t u = 0; u < p->nunits; u++) {
        memset(&picks[u], 0, sizeof picks[u]);
        if ((rc = unit_state(s, p->units[u].code, p->period_code, &picks[u].state)) != 0)
            return rc;
        if (strcmp(p->units[u].code, SELF_CODE) == 0)
            continue;
        if (picks[u].state == OBS_APPROVED && late_approved < 0)
            late_approved = (long)u;
        else if (picks[u].state == OBS_SUBMITTED && p->units[u].kind == UNIT_REGION && returned < 0)
            returned = (long)u;
        else if (picks[u].state == OBS_SUBMITTED && late_waiting < 0)
            late_waiting = (long)u;
    }
    if (late_approved >= 0)
        picks[late_approved].late = 1;
    if (late_waiting >= 0)
        picks[late_waiting].late = 1;
    if (returned >= 0)
        picks[returned].returned = 1;
    return 0;
}

/* Walks one unit through the workflow as picked. */
static int walk(store *s, const app_entry_plan *p, size_t u, const demo_pick *pk)
{
    char at[MODEL_TIME_MAX];
    int day = pk->late ? 12 + (int)(u % 3) : 3 + (int)(u * 3 % 7);
    app_entry_change c = { p->units[u].code, p->period_code, p->units[u].code, at, NULL };
    int rc;
    stamp(&p->period, day, 1 + (int)(u % 8), at, sizeof at);
    if ((rc = app_entry_touch(s, &c, "demo")) != 0 || (rc = app_entry_submit(s, p, &c)) != 0)
        return rc;
    c.actor = OFFICE;
    stamp(&p->period, day + 1, 2 + (int)(u % 6), at, sizeof at);
    if (pk->state == OBS_APPROVED)
        return app_entry_approve(s, &c);
    if (pk->returned) {
        c.reason = RETURN_REASON;
        return app_entry_return(s, &c);
    }
    return 0;
}

int app_demo_entry(store *s, const demo_opts *opts)
{
    app_entry_plan p;
    demo_pick *picks = NULL;
    char code[PERIOD_CODE_MAX];
    int rc;
    if ((rc = set_deadlines(s)) != 0)
        return rc;
    period_format(&opts->as_of, code, sizeof code);
    if ((rc = app_entry_plan_load(s, code, &p)) != 0)
        return rc;
    if (!(picks = calloc(p.nunits ? p.nunits : 1, sizeof *picks))) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((rc = pick(s, &p, picks)) != 0)
        goto done;
    for (size_t u = 0; u < p.nunits && rc == 0; u++) {
        if (picks[u].state >= 0)
            rc = walk(s, &p, u, &picks[u]);
    }
done:
    free(picks);
    app_entry_plan_free(&p);
    return rc;
}
