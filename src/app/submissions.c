/* submissions: the use cases of data entry and approval (docs/entry.md), the same for the
 * CLI (`saima submissions`) and the server (/api/submissions): who has submitted, one
 * submission with its figures and history, saving figures by form or CSV, submit, approve
 * and return, 催报, deadlines, and the soft-validation warnings on a unit's figures. Each
 * answers with the JSON both callers print or send. The workflow's transitions are in
 * app/entry.c; a reporter (ctx->actor_unit) acts on its own unit only. */
#include "app/app.h"
#include "app/entry.h"
#include "engine/validate.h"
#include "io/import.h"
#include "util/err.h"
#include "util/num.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON of submissions ---- */

static json_t *text_or_null(const char *text)
{
    return text && text[0] ? json_string(text) : json_null();
}

static json_t *status_json(const model_unit *u, const app_entry_status *st)
{
    const model_submission *b = &st->sub;
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "unit", json_string(u->code));
    json_object_set_new(o, "name", json_string(u->name));
    json_object_set_new(o, "state", json_string(model_sub_states[b->state].key));
    json_object_set_new(o, "late", json_boolean(st->late));
    json_object_set_new(o, "submitted_by", text_or_null(b->submitted_by));
    json_object_set_new(o, "submitted_at", text_or_null(b->submitted_at));
    json_object_set_new(o, "reviewed_by", text_or_null(b->reviewed_by));
    json_object_set_new(o, "reviewed_at", text_or_null(b->reviewed_at));
    json_object_set_new(o, "reason", text_or_null(b->reason));
    json_object_set_new(o, "filled", json_integer((json_int_t)st->filled));
    json_object_set_new(o, "expected", json_integer((json_int_t)st->expected));
    return o;
}

int app_latest_month(store *s, char *buf, size_t size)
{
    model_period *ps = NULL;
    size_t n = 0;
    int rc, found = 0;
    if ((rc = store_periods(s, &ps, &n)) != 0)
        return rc;
    for (size_t i = n; i-- > 0 && !found;) {
        if (ps[i].key.kind == PERIOD_MONTH) {
            snprintf(buf, size, "%s", ps[i].code);
            found = 1;
        }
    }
    free(ps);
    return found ? 0 : err_set(ERR_NOTFOUND, "no month on record");
}

/* Loads the plan and the statuses of a period. */
static int load_status(store *s, const char *pcode, const char *now, app_entry_plan *p,
                       app_entry_status **st)
{
    int rc = app_entry_plan_load(s, pcode, p);
    if (rc == 0 && (rc = app_entry_status_list(s, p, now, st)) != 0)
        app_entry_plan_free(p);
    return rc;
}

static json_t *period_head(const app_entry_plan *p)
{
    json_t *o = json_object();
    if (o) {
        json_object_set_new(o, "period", json_string(p->period_code));
        json_object_set_new(o, "deadline", text_or_null(p->deadline));
    }
    return o;
}

static int list_json(store *s, const char *pcode, const char *only_unit, const char *now,
                     json_t **out)
{
    app_entry_plan p;
    app_entry_status *st = NULL;
    json_t *items;
    int rc;
    if ((rc = load_status(s, pcode, now, &p, &st)) != 0)
        return rc;
    *out = period_head(&p);
    items = json_array();
    for (size_t u = 0; u < p.nunits && items; u++) {
        if (!only_unit || strcmp(only_unit, p.units[u].code) == 0)
            json_array_append_new(items, status_json(&p.units[u], &st[u]));
    }
    if (!*out || !items || json_object_set_new(*out, "items", items) != 0) {
        json_decref(*out);
        *out = NULL;
        rc = err_set(ERR_NOMEM, "out of memory");
    }
    free(st);
    app_entry_plan_free(&p);
    return rc;
}

static json_t *history_json(store *s, const char *unit_code, const char *pcode, int *rc)
{
    model_submission_step *steps = NULL;
    size_t n = 0;
    json_t *arr = json_array();
    if (!arr) {
        *rc = err_set(ERR_NOMEM, "out of memory");
        return NULL;
    }
    if ((*rc = store_submission_steps(s, unit_code, pcode, &steps, &n)) != 0) {
        json_decref(arr);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:o}", "state",
                                             model_sub_states[steps[i].to_state].key, "from",
                                             model_sub_states[steps[i].from_state].key, "by",
                                             steps[i].by, "at", steps[i].at, "reason",
                                             text_or_null(steps[i].reason)));
    free(steps);
    return arr;
}

/* The values of one unit in one pcode, by indicator index of the plan. */
typedef struct values_ctx {
    const app_entry_plan *p;
    model_observation *obs;           /* one per indicator; has[i] says whether it is set */
    unsigned char *has;
} values_ctx;

static int keep_value(const model_observation *o, void *arg)
{
    values_ctx *v = arg;
    long i = app_entry_plan_indicator(v->p, o->indicator_code);
    if (i >= 0) {
        v->obs[i] = *o;
        v->has[i] = 1;
    }
    return 0;
}

static int read_values(store *s, const app_entry_plan *p, const char *unit_code, const char *pcode,
                       values_ctx *v)
{
    obs_filter f = store_filter_all();
    v->p = p;
    v->obs = calloc(p->ninds ? p->ninds : 1, sizeof *v->obs);
    v->has = calloc(p->ninds ? p->ninds : 1, 1);
    if (!v->obs || !v->has)
        return err_set(ERR_NOMEM, "out of memory");
    snprintf(f.unit_code, sizeof f.unit_code, "%s", unit_code);
    snprintf(f.period_code, sizeof f.period_code, "%s", pcode);
    return store_observations_each(s, &f, keep_value, v);
}

static void values_free(values_ctx *v)
{
    free(v->obs);
    free(v->has);
}

static json_t *items_json(store *s, const app_entry_plan *p, long u, int *rc)
{
    values_ctx now = { 0 }, prev = { 0 };
    period_key pk = period_prev(&p->period);
    char prev_code[PERIOD_CODE_MAX];
    json_t *arr = json_array();
    period_format(&pk, prev_code, sizeof prev_code);
    if (!arr)
        *rc = err_set(ERR_NOMEM, "out of memory");
    else if ((*rc = read_values(s, p, p->units[u].code, p->period_code, &now)) == 0)
        *rc = read_values(s, p, p->units[u].code, prev_code, &prev);
    for (size_t i = 0; *rc == 0 && i < p->ninds; i++) {
        const model_indicator *ind = &p->inds[i];
        if (!p->owes[(size_t)u * p->ninds + i])
            continue;
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:i, s:o, s:o, s:o, s:o}",
                                             "indicator", ind->code, "name", ind->name, "unit",
                                             ind->measure, "precision", ind->precision, "value",
                                             now.has[i] ? json_real(now.obs[i].value) : json_null(),
                                             "previous",
                                             prev.has[i] ? json_real(prev.obs[i].value) : json_null(),
                                             "note", text_or_null(now.has[i] ? now.obs[i].note : ""),
                                             "obs_state",
                                             now.has[i] ? json_string(model_obs_states[now.obs[i].state].key)
                                                        : json_null()));
    }
    values_free(&now);
    values_free(&prev);
    if (*rc != 0) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

static int detail_json(store *s, const char *unit_code, const char *pcode, const char *now,
                       json_t **out)
{
    app_entry_plan p;
    app_entry_status *st = NULL;
    json_t *o = NULL, *history, *items;
    long u;
    int rc;
    *out = NULL;
    if ((rc = load_status(s, pcode, now, &p, &st)) != 0)
        return rc;
    if ((u = app_entry_plan_unit(&p, unit_code)) < 0) {
        rc = err_set(ERR_NOTFOUND, "unit '%s' reports no figures for %s", unit_code, p.period_code);
        goto done;
    }
    o = status_json(&p.units[u], &st[u]);
    history = history_json(s, unit_code, p.period_code, &rc);
    items = rc == 0 ? items_json(s, &p, u, &rc) : NULL;
    if (rc != 0 || !o) {
        json_decref(history);
        json_decref(items);
        rc = rc ? rc : err_set(ERR_NOMEM, "out of memory");
        goto done;
    }
    json_object_set_new(o, "period", json_string(p.period_code));
    json_object_set_new(o, "deadline", text_or_null(p.deadline));
    json_object_set_new(o, "history", history);
    json_object_set_new(o, "items", items);
    *out = o;
    o = NULL;
done:
    json_decref(o);
    free(st);
    app_entry_plan_free(&p);
    return rc;
}

static int reminders_json(store *s, const char *pcode, const char *now, json_t **out)
{
    app_entry_plan p;
    app_entry_status *st = NULL;
    json_t *missing, *late;
    int rc;
    if ((rc = load_status(s, pcode, now, &p, &st)) != 0)
        return rc;
    *out = period_head(&p);
    missing = json_array();
    late = json_array();
    for (size_t u = 0; u < p.nunits && missing && late; u++) {
        const model_submission *b = &st[u].sub;
        if (b->state == SUB_MISSING || b->state == SUB_DRAFT || b->state == SUB_RETURNED)
            json_array_append_new(missing, json_pack("{s:s, s:s, s:s}", "unit", p.units[u].code,
                                                     "name", p.units[u].name, "state",
                                                     model_sub_states[b->state].key));
        if (st[u].late)
            json_array_append_new(late, json_pack("{s:s, s:s, s:o, s:s}", "unit", p.units[u].code,
                                                  "name", p.units[u].name, "submitted_at",
                                                  text_or_null(b->state == SUB_SUBMITTED ||
                                                                       b->state == SUB_APPROVED
                                                                   ? b->submitted_at
                                                                   : ""),
                                                  "state", model_sub_states[b->state].key));
    }
    if (!*out || !missing || !late || json_object_set_new(*out, "missing", missing) != 0 ||
        json_object_set_new(*out, "late", late) != 0) {
        json_decref(*out);
        *out = NULL;
        rc = err_set(ERR_NOMEM, "out of memory");
    }
    free(st);
    app_entry_plan_free(&p);
    return rc;
}

/* ---- warnings ---- */

/* Decimals of the shortest text of v ("482.934" has 3, "1e-05" has 5). */
static int decimals_of(double v)
{
    char text[NUM_TEXT_MAX], *dot, *e;
    int n = 0;
    num_format(v, text, sizeof text);
    e = strpbrk(text, "eE");
    dot = strchr(text, '.');
    if (dot)
        n = (int)((e ? e : text + strlen(text)) - dot - 1);
    if (e)
        n -= atoi(e + 1);
    return n > 0 ? n : 0;
}

static int add_warning(json_t *arr, const char *indicator_code, const char *rule, const char *zh,
                       const char *en)
{
    if (json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "indicator", indicator_code,
                                             "rule", rule, "message", zh, "message_en", en)) != 0)
        return err_set(ERR_NOMEM, "out of memory");
    return 0;
}

/* The soft-validation flags the write raised (rep), in both languages. */
static int add_flags(json_t *arr, const io_report *rep)
{
    char zh[MODEL_TEXT_MAX], en[MODEL_TEXT_MAX];
    int rc = 0;
    for (size_t k = 0; rep && rc == 0 && k < rep->nflags; k++) {
        validate_message(&rep->flags[k].f, 0, zh, sizeof zh);
        validate_message(&rep->flags[k].f, 1, en, sizeof en);
        rc = add_warning(arr, rep->flags[k].indicator_code, validate_rule_key(rep->flags[k].f.rule),
                         zh, en);
    }
    return rc;
}

/* The warnings on a unit's figures of a period after a write: values with more decimals than
 * their indicator's precision, and the soft-validation flags the write raised (validation
 * runs once, where figures are written: io/import_obs.c). */
static int warnings_json(store *s, const char *unit_code, const char *pcode, const io_report *rep,
                         json_t **out)
{
    app_entry_plan p;
    values_ctx v = { 0 };
    char zh[MODEL_TEXT_MAX], en[MODEL_TEXT_MAX];
    long u;
    int rc;
    *out = NULL;
    if ((rc = app_entry_plan_load(s, pcode, &p)) != 0)
        return rc;
    if ((u = app_entry_plan_unit(&p, unit_code)) < 0 || !(*out = json_array())) {
        app_entry_plan_free(&p);
        return u < 0 ? 0 : err_set(ERR_NOMEM, "out of memory");
    }
    rc = read_values(s, &p, unit_code, p.period_code, &v);
    for (size_t i = 0; rc == 0 && i < p.ninds; i++) {
        const model_indicator *ind = &p.inds[i];
        int d;
        if (!v.has[i] || !p.owes[(size_t)u * p.ninds + i])
            continue;
        if ((d = decimals_of(v.obs[i].value)) > ind->precision) {
            snprintf(zh, sizeof zh, "%s 有 %d 位小数，超过规定的 %d 位；排名按四舍五入后的数值比较",
                     ind->name, d, ind->precision);
            snprintf(en, sizeof en, "%s has %d decimals, more than its precision of %d; ranks "
                                    "compare the rounded values", ind->code, d, ind->precision);
            rc = add_warning(*out, ind->code, "precision", zh, en);
        }
    }
    if (rc == 0)
        rc = add_flags(*out, rep);
    values_free(&v);
    app_entry_plan_free(&p);
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- use cases ---- */

/* A reporter acts only on its own unit. */
static int check_actor_unit(const app_ctx *q, const char *unit_code)
{
    if (q->actor_unit && q->actor_unit[0] && strcmp(q->actor_unit, unit_code) != 0)
        return err_set(ERR_DENIED, "a reporter of '%s' may not act on unit '%s'", q->actor_unit,
                       unit_code);
    return 0;
}

int app_period_or_latest(store *s, const char *text, char *buf, size_t size)
{
    period_key key;
    if (!text || !text[0])
        return app_latest_month(s, buf, size);
    if (period_parse(text, &key) != 0)
        return err_set(ERR_USAGE, "'%s' is not a period (2026-10, 2026-Q3, 2026)", text);
    period_format(&key, buf, size);
    return 0;
}

/* The canonical period and the unit check of a use case on one unit's submission. */
static int target_of(const app_ctx *q, const char *unit_code, const char *period, char *pcode,
                     size_t size)
{
    int rc = check_actor_unit(q, unit_code);
    return rc ? rc : app_period_or_latest(q->s, period, pcode, size);
}

/* The canonical period (or the latest month) and the time lateness is judged at. */
static int period_and_now(const app_ctx *q, const char *period, char pcode[PERIOD_CODE_MAX],
                          char now[MODEL_TIME_MAX])
{
    int rc = app_period_or_latest(q->s, period, pcode, PERIOD_CODE_MAX);
    if (rc == 0)
        app_entry_time(q->now, now, MODEL_TIME_MAX);
    return rc;
}

int app_submissions_list(const app_ctx *q, const char *period, json_t **out)
{
    char pcode[PERIOD_CODE_MAX], now[MODEL_TIME_MAX];
    int rc;
    *out = NULL;
    if ((rc = period_and_now(q, period, pcode, now)) != 0)
        return rc;
    return list_json(q->s, pcode, q->actor_unit && q->actor_unit[0] ? q->actor_unit : NULL, now, out);
}

int app_submission_show(const app_ctx *q, const char *unit_code, const char *period, json_t **out)
{
    char pcode[PERIOD_CODE_MAX], now[MODEL_TIME_MAX];
    int rc;
    *out = NULL;
    if ((rc = target_of(q, unit_code, period, pcode, sizeof pcode)) != 0)
        return rc;
    app_entry_time(q->now, now, sizeof now);
    return detail_json(q->s, unit_code, pcode, now, out);
}

/* The submission as it now is, with the warnings of the write rep reports (when given) and
 * the import's counts (when extra is given). */
static int answer(const app_ctx *q, const char *unit_code, const char *pcode,
                  const io_report *rep, json_t *extra, json_t **out)
{
    char now[MODEL_TIME_MAX];
    json_t *warnings = NULL;
    int rc;
    app_entry_time(q->now, now, sizeof now);
    if ((rc = detail_json(q->s, unit_code, pcode, now, out)) == 0 && rep &&
        (rc = warnings_json(q->s, unit_code, pcode, rep, &warnings)) == 0)
        json_object_set_new(*out, "warnings", warnings);
    if (rc == 0 && extra)
        json_object_set(*out, "import", extra);
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* Runs fn(s, p, c), or saves the values v (what the write did in rep), on one reporting
 * unit's submission in one transaction. */
static int run_change(const app_ctx *q, const char *unit_code, const char *pcode,
                      const char *reason, const app_entry_value *v, size_t n, io_report *rep,
                      int (*fn)(store *s, const app_entry_plan *p, const app_entry_change *c))
{
    app_entry_plan p;
    app_entry_change c = { unit_code, NULL, app_actor(q), NULL, reason };
    int rc;
    if ((rc = app_entry_plan_load(q->s, pcode, &p)) != 0)
        return rc;
    c.period_code = p.period_code;
    if (app_entry_plan_unit(&p, unit_code) < 0)
        rc = err_set(ERR_NOTFOUND, "unit '%s' reports no figures for %s", unit_code, p.period_code);
    else if ((rc = store_begin(q->s)) == 0)
        rc = app_tx_end(q->s, v ? app_entry_save(q->s, &p, &c, v, n, NULL, rep) : fn(q->s, &p, &c));
    app_entry_plan_free(&p);
    return rc;
}

int app_submission_save(const app_ctx *q, const char *unit_code, const char *period,
                        const app_entry_value *v, size_t n, json_t **out)
{
    char pcode[PERIOD_CODE_MAX];
    io_report *rep = calloc(1, sizeof *rep);
    int rc;
    *out = NULL;
    if (!rep)
        rc = err_set(ERR_NOMEM, "out of memory");
    else if ((rc = target_of(q, unit_code, period, pcode, sizeof pcode)) == 0 &&
             (rc = run_change(q, unit_code, pcode, NULL, v, n, rep, NULL)) == 0)
        rc = answer(q, unit_code, pcode, rep, NULL, out);
    free(rep);
    return rc;
}

/* The refusal of an upload: the first errors by line and column, in English. */
static int upload_refused(const io_report *rep)
{
    char msg[2048], line[512];
    size_t len = 0;
    msg[0] = '\0';
    for (size_t i = 0; i < rep->nerrors && len < sizeof msg - 1; i++) {
        io_error_format(rep, &rep->errors[i], 1, line, sizeof line);
        len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s", i ? "; " : "", line);
    }
    return err_set(ERR_DATA, "%zu errors, nothing was saved: %s", rep->nerrors_total, msg);
}

int app_submission_upload(const app_ctx *q, const char *unit_code, const char *period,
                          const char *csv, size_t len, json_t **out)
{
    char pcode[PERIOD_CODE_MAX];
    app_entry_change c = { unit_code, NULL, app_actor(q), NULL, NULL };
    io_import_opts opts = IO_IMPORT_OPTS_INIT;
    io_report *rep = NULL;
    json_t *counts = NULL;
    int rc;
    *out = NULL;
    if ((rc = target_of(q, unit_code, period, pcode, sizeof pcode)) != 0)
        return rc;
    c.period_code = pcode;
    /* The unit must report for the period. */
    if ((rc = detail_json(q->s, unit_code, pcode, "", &counts)) != 0)
        goto done;
    json_decref(counts);
    counts = NULL;
    if (!(rep = calloc(1, sizeof *rep))) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto done;
    }
    opts.state = OBS_DRAFT;
    opts.unit = unit_code;
    opts.period = pcode;
    opts.in_tx = 1;
    /* One transaction: the figures open to changes, written, and the submission a draft. */
    if ((rc = store_begin(q->s)) != 0)
        goto done;
    if ((rc = app_entry_check_writable(q->s, &c)) == 0 &&
        (rc = app_import_buffer(q, IO_OBSERVATIONS, "upload.csv", csv, len, &opts, rep)) == ERR_DATA &&
        rep->nerrors > 0)
        rc = upload_refused(rep);
    if (rc == 0)
        rc = app_entry_touch(q->s, &c, "csv");
    if ((rc = app_tx_end(q->s, rc)) != 0)
        goto done;
    counts = json_pack("{s:I, s:I, s:I, s:I}", "rows", (json_int_t)rep->rows, "inserted",
                       (json_int_t)rep->inserted, "changed", (json_int_t)rep->changed,
                       "unchanged", (json_int_t)rep->unchanged);
    rc = answer(q, unit_code, pcode, rep, counts, out);
done:
    free(rep);
    json_decref(counts);
    return rc;
}

int app_submission_move(const app_ctx *q, int to, const char *unit_code, const char *period,
                        const char *reason, json_t **out)
{
    char pcode[PERIOD_CODE_MAX];
    int (*fn)(store *, const app_entry_plan *, const app_entry_change *) =
        to == SUB_SUBMITTED ? app_entry_submit
        : to == SUB_APPROVED ? app_entry_approve_fn
        : to == SUB_RETURNED ? app_entry_return_fn
                             : NULL;
    int rc;
    *out = NULL;
    if (!fn)
        return err_set(ERR_USAGE, "no transition to %s", model_sub_states[to].key);
    if ((rc = target_of(q, unit_code, period, pcode, sizeof pcode)) != 0 ||
        (rc = run_change(q, unit_code, pcode, reason, NULL, 0, NULL, fn)) != 0)
        return rc;
    return answer(q, unit_code, pcode, NULL, NULL, out);
}

int app_reminders(const app_ctx *q, const char *period, json_t **out)
{
    char pcode[PERIOD_CODE_MAX], now[MODEL_TIME_MAX];
    int rc;
    *out = NULL;
    if ((rc = period_and_now(q, period, pcode, now)) != 0)
        return rc;
    return reminders_json(q->s, pcode, now, out);
}

int app_deadline_set(const app_ctx *q, const char *period, const char *date)
{
    period_key key;
    char pcode[PERIOD_CODE_MAX], detail[64];
    int rc;
    if ((rc = app_period_or_latest(q->s, period, pcode, sizeof pcode)) != 0)
        return rc;
    period_parse(pcode, &key);
    snprintf(detail, sizeof detail, "%s deadline=%.16s", pcode, date);
    if ((rc = store_begin(q->s)) != 0)
        return rc;
    if ((rc = store_period_set_deadline(q->s, &key, date)) == 0)
        rc = store_audit_add(q->s, app_actor(q), "entry-deadline", "periods", detail);
    return app_tx_end(q->s, rc);
}
