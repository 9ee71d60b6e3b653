/* entry: the data-entry workflow over the store interface: the plan of who reports what,
 * each unit's status and lateness, and the transitions with their history and audit lines.
 * No SQL here: the rules are the same for every back end. */
#include "app/app.h"
#include "app/entry.h"
#include "util/err.h"
#include "util/num.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the plan ---- */

void app_entry_plan_free(app_entry_plan *p)
{
    if (!p)
        return;
    free(p->units);
    free(p->inds);
    free(p->owes);
    memset(p, 0, sizeof *p);
}

long app_entry_plan_unit(const app_entry_plan *p, const char *unit_code)
{
    for (size_t u = 0; u < p->nunits; u++) {
        if (strcmp(p->units[u].code, unit_code) == 0)
            return (long)u;
    }
    return -1;
}

long app_entry_plan_indicator(const app_entry_plan *p, const char *indicator_code)
{
    for (size_t i = 0; i < p->ninds; i++) {
        if (strcmp(p->inds[i].code, indicator_code) == 0)
            return (long)i;
    }
    return -1;
}

size_t app_entry_plan_expected(const app_entry_plan *p, size_t u)
{
    size_t n = 0;
    for (size_t i = 0; i < p->ninds; i++)
        n += p->owes[u * p->ninds + i];
    return n;
}

/* Marks the members of a scheme's group (in all_units order, index into owes by unit) as
 * owing the scheme's indicators. */
static int add_scheme(store *s, const model_scheme *sc, const model_unit *all, size_t nall,
                      const app_entry_plan *p, unsigned char *owes_all, unsigned char *reports)
{
    model_unit *members = NULL;
    model_scheme_item *items = NULL;
    size_t nm = 0, ni = 0;
    int rc;
    if ((rc = store_group_members(s, sc->group_code, &members, &nm)) != 0 ||
        (rc = store_scheme_items(s, sc->code, &items, &ni)) != 0)
        goto done;
    for (size_t m = 0; m < nm; m++) {
        for (size_t u = 0; u < nall; u++) {
            if (all[u].id != members[m].id)
                continue;
            reports[u] = 1;
            for (size_t k = 0; k < ni; k++) {
                long i = app_entry_plan_indicator(p, items[k].indicator_code);
                if (i >= 0)
                    owes_all[u * p->ninds + (size_t)i] = 1;
            }
        }
    }
done:
    free(members);
    free(items);
    return rc;
}

/* Keeps the reporting units of all (reports[u] set) and their rows of owes_all. */
static int keep_reporting(app_entry_plan *p, model_unit *all, size_t nall, const unsigned char *owes_all,
                          const unsigned char *reports)
{
    size_t n = 0;
    p->units = malloc((nall ? nall : 1) * sizeof *p->units);
    p->owes = calloc((nall ? nall : 1) * (p->ninds ? p->ninds : 1), 1);
    if (!p->units || !p->owes)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t u = 0; u < nall; u++) {
        if (!reports[u])
            continue;
        p->units[n] = all[u];
        if (p->ninds)
            memcpy(p->owes + n * p->ninds, owes_all + u * p->ninds, p->ninds);
        n++;
    }
    p->nunits = n;
    return 0;
}

static void find_deadline(store *s, app_entry_plan *p)
{
    model_period *ps = NULL;
    size_t n = 0;
    if (store_periods(s, &ps, &n) != 0) {
        err_clear();
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (period_equal(&ps[i].key, &p->period))
            snprintf(p->deadline, sizeof p->deadline, "%s", ps[i].deadline);
    }
    free(ps);
}

int app_entry_plan_load(store *s, const char *period_text, app_entry_plan *out)
{
    model_scheme *schemes = NULL;
    model_unit *all = NULL;
    size_t ns = 0, nall = 0;
    unsigned char *owes_all = NULL, *reports = NULL;
    int rc;
    memset(out, 0, sizeof *out);
    if (!period_text || period_parse(period_text, &out->period) != 0)
        return err_set(ERR_USAGE, "'%s' is not a period (2026-10, 2026-Q3, 2026)",
                       period_text ? period_text : "");
    period_format(&out->period, out->period_code, sizeof out->period_code);
    if ((rc = store_indicators(s, &out->inds, &out->ninds)) != 0 ||
        (rc = store_units(s, &all, &nall)) != 0 || (rc = store_schemes(s, &schemes, &ns)) != 0)
        goto done;
    owes_all = calloc((nall ? nall : 1) * (out->ninds ? out->ninds : 1), 1);
    reports = calloc(nall ? nall : 1, 1);
    if (!owes_all || !reports) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < ns && rc == 0; k++) {
        if (schemes[k].period_kind == out->period.kind)
            rc = add_scheme(s, &schemes[k], all, nall, out, owes_all, reports);
    }
    if (rc == 0)
        rc = keep_reporting(out, all, nall, owes_all, reports);
    if (rc == 0)
        find_deadline(s, out);
done:
    free(schemes);
    free(all);
    free(owes_all);
    free(reports);
    if (rc != 0)
        app_entry_plan_free(out);
    return rc;
}

/* ---- times and lateness ---- */

void app_entry_now(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    size_t n;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

void app_entry_time(const char *given, char *buf, size_t size)
{
    if (given && given[0])
        snprintf(buf, size, "%s", given);
    else
        app_entry_now(buf, size);
}

int app_entry_time_parse(const char *text, char *buf, size_t size)
{
    int y, m, d, hh = 0, mm = 0, ss = 0, n = 0;
    if (!text)
        return err_set(ERR_USAGE, "no time given");
    if (sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return err_set(ERR_USAGE, "'%s' is not a time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)", text);
    if (text[n] != '\0') {
        int k = 0;
        if (sscanf(text + n, "T%2d:%2d:%2d%n", &hh, &mm, &ss, &k) != 3 || hh > 23 || mm > 59 ||
            ss > 60 || strspn(text + n + k, ".0123456789") != strlen(text + n + k) - 1 ||
            text[strlen(text) - 1] != 'Z')
            return err_set(ERR_USAGE, "'%s' is not a time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)",
                           text);
    }
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.000Z", y, m, d, hh, mm, ss);
    return 0;
}

int app_entry_is_late(const char *deadline, const model_submission *sub, const char *now)
{
    char cutoff[MODEL_TIME_MAX];
    const char *when;
    if (!deadline || strlen(deadline) != 10)
        return 0;
    /* 24:00 China Standard Time (UTC+8, no summer time) of the deadline day. */
    snprintf(cutoff, sizeof cutoff, "%sT16:00:00", deadline);
    if (sub->state == SUB_SUBMITTED || sub->state == SUB_APPROVED)
        when = sub->submitted_at;
    else
        when = now;
    return when && strlen(when) >= 19 && strncmp(when, cutoff, 19) >= 0;
}

/* ---- status ---- */

typedef struct fill_ctx {
    const app_entry_plan *p;
    app_entry_status *st;
} fill_ctx;

static int count_filled(const model_observation *o, void *arg)
{
    fill_ctx *f = arg;
    long u = app_entry_plan_unit(f->p, o->unit_code), i;
    if (u < 0 || (i = app_entry_plan_indicator(f->p, o->indicator_code)) < 0)
        return 0;
    f->st[u].filled += f->p->owes[(size_t)u * f->p->ninds + (size_t)i];
    return 0;
}

int app_entry_status_list(store *s, const app_entry_plan *p, const char *now, app_entry_status **out)
{
    model_submission *subs = NULL;
    size_t ns = 0;
    obs_filter f = store_filter_all();
    fill_ctx fc;
    app_entry_status *st = calloc(p->nunits ? p->nunits : 1, sizeof *st);
    int rc;
    *out = NULL;
    if (!st)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t u = 0; u < p->nunits; u++) {
        snprintf(st[u].sub.unit_code, sizeof st[u].sub.unit_code, "%s", p->units[u].code);
        snprintf(st[u].sub.period_code, sizeof st[u].sub.period_code, "%s", p->period_code);
        st[u].expected = app_entry_plan_expected(p, u);
    }
    if ((rc = store_submissions(s, p->period_code, &subs, &ns)) != 0)
        goto done;
    for (size_t k = 0; k < ns; k++) {
        long u = app_entry_plan_unit(p, subs[k].unit_code);
        if (u >= 0)
            st[u].sub = subs[k];
    }
    snprintf(f.period_code, sizeof f.period_code, "%s", p->period_code);
    fc.p = p;
    fc.st = st;
    if ((rc = store_observations_each(s, &f, count_filled, &fc)) != 0)
        goto done;
    for (size_t u = 0; u < p->nunits; u++)
        st[u].late = app_entry_is_late(p->deadline, &st[u].sub, now);
done:
    free(subs);
    if (rc != 0)
        free(st);
    else
        *out = st;
    return rc;
}

/* ---- transitions ---- */

static int has_text(const char *text)
{
    for (; text && *text; text++) {
        if (*text != ' ' && *text != '\t' && *text != '\n' && *text != '\r')
            return 1;
    }
    return 0;
}

static int audit(store *s, const app_entry_change *c, const char *action, const char *extra)
{
    char detail[MODEL_TEXT_MAX];
    snprintf(detail, sizeof detail, "%s %s%s%.900s", c->unit_code, c->period_code,
             extra && extra[0] ? " " : "", extra ? extra : "");
    return store_audit_add(s, c->actor ? c->actor : "", action, "submissions", detail);
}

/* Moves the submission cur to state to, with the step's who, when and why. */
static int step_to(store *s, const model_submission *cur, int to, const app_entry_change *c,
                   const char *reason)
{
    model_submission next = *cur;
    model_submission_step step;
    const char *actor = c->actor ? c->actor : "";
    memset(&step, 0, sizeof step);
    app_entry_time(c->at, step.at, sizeof step.at);
    snprintf(step.by, sizeof step.by, "%s", actor);
    snprintf(step.reason, sizeof step.reason, "%s", reason ? reason : "");
    step.from_state = cur->state;
    step.to_state = to;
    next.state = to;
    snprintf(next.updated_by, sizeof next.updated_by, "%s", actor);
    snprintf(next.updated_at, sizeof next.updated_at, "%s", step.at);
    if (to == SUB_SUBMITTED) {
        snprintf(next.submitted_by, sizeof next.submitted_by, "%s", actor);
        snprintf(next.submitted_at, sizeof next.submitted_at, "%s", step.at);
        /* a new submission awaits a new review; the earlier one stays in the history */
        next.reviewed_by[0] = next.reviewed_at[0] = next.reason[0] = '\0';
    } else if (to == SUB_APPROVED || to == SUB_RETURNED) {
        snprintf(next.reviewed_by, sizeof next.reviewed_by, "%s", actor);
        snprintf(next.reviewed_at, sizeof next.reviewed_at, "%s", step.at);
        snprintf(next.reason, sizeof next.reason, "%s", reason ? reason : "");
    }
    return store_submission_write(s, &next, &step);
}

static int current(store *s, const app_entry_change *c, model_submission *out)
{
    if (!c->unit_code || !c->period_code)
        return err_set(ERR_USAGE, "a submission needs a unit and a period");
    return store_submission_get(s, c->unit_code, c->period_code, out);
}

int app_lock_state(store *s, const char *unit_code, const char *period_code, int *state)
{
    model_period p;
    model_submission b;
    int rc;
    *state = LOCK_OPEN;
    if ((rc = store_period_get_code(s, period_code, &p)) == ERR_NOTFOUND) {
        err_clear();
        return 0;
    }
    if (rc != 0)
        return rc;
    if (p.locked) {
        *state = LOCK_PERIOD;
        return 0;
    }
    if ((rc = store_submission_get(s, unit_code, period_code, &b)) != 0)
        return rc;
    if (b.state == SUB_APPROVED)
        *state = LOCK_APPROVED;
    return 0;
}

int app_lock_check(store *s, const char *unit_code, const char *period_code)
{
    int state, rc = app_lock_state(s, unit_code, period_code, &state);
    if (rc != 0)
        return rc;
    if (state == LOCK_PERIOD)
        return err_set(ERR_LOCKED, "%s: the period is locked", period_code);
    if (state == LOCK_APPROVED)
        return err_set(ERR_LOCKED, "%s %s: the figures are approved and locked", unit_code,
                       period_code);
    return 0;
}

/* Whether figures of the submission b may be saved: the lock rule, and not while it awaits
 * review. */
static int writable(store *s, const model_submission *b)
{
    int rc = app_lock_check(s, b->unit_code, b->period_code);
    if (rc != 0)
        return rc;
    if (b->state == SUB_SUBMITTED)
        return err_set(ERR_CONFLICT, "%s %s: the figures are submitted and await review; they "
                                     "can be changed once the office returns them",
                       b->unit_code, b->period_code);
    return 0;
}

int app_entry_check_writable(store *s, const app_entry_change *c)
{
    model_submission cur;
    int rc = current(s, c, &cur);
    return rc ? rc : writable(s, &cur);
}

int app_entry_touch(store *s, const app_entry_change *c, const char *what)
{
    model_submission cur;
    int rc;
    if ((rc = current(s, c, &cur)) != 0 || (rc = writable(s, &cur)) != 0)
        return rc;
    if (cur.state == SUB_MISSING && (rc = step_to(s, &cur, SUB_DRAFT, c, NULL)) != 0)
        return rc;
    return audit(s, c, "entry-save", what);
}

/* Checks one value to save against the plan: ERR_DATA names the item and the field. */
static int check_value(const app_entry_plan *p, long u, const app_entry_value *v, size_t k, size_t n,
                       const app_entry_value *all)
{
    long i;
    if (!v->indicator_code || !v->indicator_code[0])
        return err_set(ERR_DATA, "values[%zu].indicator: missing", k);
    i = app_entry_plan_indicator(p, v->indicator_code);
    if (i < 0)
        return err_set(ERR_DATA, "values[%zu].indicator: unknown indicator '%s'", k,
                       v->indicator_code);
    if (!p->owes[(size_t)u * p->ninds + (size_t)i])
        return err_set(ERR_DATA, "values[%zu].indicator: unit '%s' does not report '%s' for %s", k,
                       p->units[u].code, v->indicator_code, p->period_code);
    if (!isfinite(v->value))
        return err_set(ERR_DATA, "values[%zu].value: not a finite number", k);
    if (v->note && strlen(v->note) >= MODEL_TEXT_MAX)
        return err_set(ERR_DATA, "values[%zu].note: longer than %d bytes", k, MODEL_TEXT_MAX - 1);
    for (size_t j = 0; j < k && j < n; j++) {
        if (strcmp(all[j].indicator_code, v->indicator_code) == 0)
            return err_set(ERR_DATA, "values[%zu].indicator: '%s' is given twice (values[%zu])", k,
                           v->indicator_code, j);
    }
    return 0;
}

/* A refusal of the importer as the form's caller reads it: the first error, as values[i] and
 * the field, with the code of what refused it. */
static int form_refused(const io_report *rep)
{
    const io_error *e = &rep->errors[0];
    int code = e->reason == IO_LOCKED_PERIOD ? ERR_LOCKED
               : e->reason == IO_PUBLISHED   ? ERR_PUBLISHED
                                             : ERR_DATA;
    return err_set(code, "values[%ld].%s: %s%s%s", e->line - 2, e->column[0] ? e->column : "value",
                   io_reason_text(e->reason, 1), e->detail[0] ? " " : "", e->detail);
}

/* Writes the values as the importer writes a file's rows (the lock rule asked, soft
 * validation run and its flags stored), inside the caller's transaction. */
static int write_values(store *s, const app_entry_plan *p, const app_entry_change *c,
                        const app_entry_value *v, size_t n, io_report *rep)
{
    static const char *const header[] = { "indicator", "unit", "period", "value", "note" };
    io_import_opts o = IO_IMPORT_OPTS_INIT;
    const char **cells = calloc(n ? n * 5 : 1, sizeof *cells);
    char (*numbers)[NUM_TEXT_MAX] = calloc(n ? n : 1, sizeof *numbers);
    int rc;
    if (!cells || !numbers) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < n; k++) {
        num_format(v[k].value, numbers[k], sizeof numbers[k]);
        cells[k * 5] = v[k].indicator_code;
        cells[k * 5 + 1] = c->unit_code;
        cells[k * 5 + 2] = p->period_code;
        cells[k * 5 + 3] = numbers[k];
        cells[k * 5 + 4] = v[k].note ? v[k].note : "";
    }
    o.actor = c->actor ? c->actor : "";
    o.state = OBS_DRAFT;
    o.unit = c->unit_code;
    o.period = p->period_code;
    o.lock_of = app_lock_state;
    o.in_tx = 1;
    rc = io_import_cells(s, IO_OBSERVATIONS, "form", header, 5, cells, n, &o, rep);
    if (rc == ERR_DATA && rep->nerrors > 0)
        rc = form_refused(rep);
done:
    free(cells);
    free(numbers);
    return rc;
}

int app_entry_save(store *s, const app_entry_plan *p, const app_entry_change *c, const app_entry_value *v,
               size_t n, size_t *changed, io_report *rep)
{
    model_submission cur;
    io_report *own = NULL;
    char what[64];
    long u = app_entry_plan_unit(p, c->unit_code ? c->unit_code : "");
    size_t nchanged;
    int rc;
    if (u < 0)
        return err_set(ERR_NOTFOUND, "unit '%s' reports no figures for %s",
                       c->unit_code ? c->unit_code : "", p->period_code);
    for (size_t k = 0; k < n; k++) {
        if ((rc = check_value(p, u, &v[k], k, n, v)) != 0)
            return rc;
    }
    if ((rc = current(s, c, &cur)) != 0 || (rc = writable(s, &cur)) != 0)
        return rc;
    if (!rep && !(rep = own = malloc(sizeof *own)))
        return err_set(ERR_NOMEM, "out of memory");
    rc = write_values(s, p, c, v, n, rep);
    nchanged = rep->inserted + rep->changed;
    free(own);
    if (rc != 0)
        return rc;
    if (changed)
        *changed = nchanged;
    snprintf(what, sizeof what, "values=%zu changed=%zu", n, nchanged);
    if (cur.state == SUB_MISSING && (rc = step_to(s, &cur, SUB_DRAFT, c, NULL)) != 0)
        return rc;
    return audit(s, c, "entry-save", what);
}

/* Marks the plan's indicators that have a value. */
typedef struct have_ctx {
    const app_entry_plan *p;
    unsigned char *have;
} have_ctx;

static int mark_have(const model_observation *o, void *arg)
{
    have_ctx *h = arg;
    long i = app_entry_plan_indicator(h->p, o->indicator_code);
    if (i >= 0)
        h->have[i] = 1;
    return 0;
}

/* Writes the codes of unit u's owed indicators without a value, joined by ", ", to buf;
 * *nmissing receives how many. */
static int missing_values(store *s, const app_entry_plan *p, long u, char *buf, size_t size,
                          size_t *nmissing)
{
    obs_filter f = store_filter_all();
    have_ctx h = { p, calloc(p->ninds ? p->ninds : 1, 1) };
    size_t len = 0;
    int rc;
    *nmissing = 0;
    buf[0] = '\0';
    if (!h.have)
        return err_set(ERR_NOMEM, "out of memory");
    snprintf(f.unit_code, sizeof f.unit_code, "%s", p->units[u].code);
    snprintf(f.period_code, sizeof f.period_code, "%s", p->period_code);
    if ((rc = store_observations_each(s, &f, mark_have, &h)) == 0) {
        for (size_t i = 0; i < p->ninds; i++) {
            if (!p->owes[(size_t)u * p->ninds + i] || h.have[i])
                continue;
            (*nmissing)++;
            if (len < size)
                len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
                                        p->inds[i].code);
        }
    }
    free(h.have);
    return rc;
}

int app_entry_submit(store *s, const app_entry_plan *p, const app_entry_change *c)
{
    model_submission cur;
    char missing[512];
    size_t nmissing;
    long u = app_entry_plan_unit(p, c->unit_code ? c->unit_code : "");
    int rc;
    if (u < 0)
        return err_set(ERR_NOTFOUND, "unit '%s' reports no figures for %s",
                       c->unit_code ? c->unit_code : "", p->period_code);
    if ((rc = current(s, c, &cur)) != 0 || (rc = writable(s, &cur)) != 0)
        return rc;
    if (cur.state == SUB_MISSING)
        return err_set(ERR_CONFLICT, "%s %s: nothing has been filled in yet", c->unit_code,
                       c->period_code);
    if ((rc = missing_values(s, p, u, missing, sizeof missing, &nmissing)) != 0)
        return rc;
    if (nmissing > 0)
        return err_set(ERR_DATA, "%s %s: %zu indicators have no value yet: %s", c->unit_code,
                       c->period_code, nmissing, missing);
    if ((rc = store_observations_set_state(s, c->unit_code, c->period_code, OBS_SUBMITTED,
                                           NULL)) != 0 ||
        (rc = step_to(s, &cur, SUB_SUBMITTED, c, NULL)) != 0)
        return rc;
    return audit(s, c, "entry-submit", NULL);
}

/* The submission must be awaiting review. */
static int reviewable(const model_submission *b)
{
    if (b->state == SUB_SUBMITTED)
        return 0;
    if (b->state == SUB_APPROVED)
        return err_set(ERR_CONFLICT, "%s %s: already approved", b->unit_code, b->period_code);
    return err_set(ERR_CONFLICT, "%s %s: not submitted (it is %s)", b->unit_code, b->period_code,
                   model_sub_states[b->state].key);
}

int app_entry_approve(store *s, const app_entry_change *c)
{
    model_submission cur;
    int rc;
    if ((rc = current(s, c, &cur)) != 0 || (rc = reviewable(&cur)) != 0)
        return rc;
    /* Published first, while the submission is not yet the lock that refuses any change. */
    if ((rc = store_observations_set_state(s, c->unit_code, c->period_code, OBS_PUBLISHED,
                                           NULL)) != 0 ||
        (rc = step_to(s, &cur, SUB_APPROVED, c, NULL)) != 0)
        return rc;
    return audit(s, c, "entry-approve", NULL);
}

int app_entry_return(store *s, const app_entry_change *c)
{
    model_submission cur;
    int rc;
    if (!has_text(c->reason))
        return err_set(ERR_DATA, "reason: a return needs a reason");
    if (strlen(c->reason) >= MODEL_TEXT_MAX)
        return err_set(ERR_DATA, "reason: longer than %d bytes", MODEL_TEXT_MAX - 1);
    if ((rc = current(s, c, &cur)) != 0 || (rc = reviewable(&cur)) != 0)
        return rc;
    if ((rc = store_observations_set_state(s, c->unit_code, c->period_code, OBS_DRAFT, NULL)) != 0 ||
        (rc = step_to(s, &cur, SUB_RETURNED, c, c->reason)) != 0)
        return rc;
    return audit(s, c, "entry-return", c->reason);
}

int app_entry_approve_fn(store *s, const app_entry_plan *p, const app_entry_change *c)
{
    (void)p;
    return app_entry_approve(s, c);
}

int app_entry_return_fn(store *s, const app_entry_plan *p, const app_entry_change *c)
{
    (void)p;
    return app_entry_return(s, c);
}

int app_entry_in_tx(store *s, int (*fn)(store *s, const app_entry_plan *p, const app_entry_change *c),
                const app_entry_plan *p, const app_entry_change *c)
{
    int rc = store_begin(s);
    return rc ? rc : app_tx_end(s, fn(s, p, c));
}
