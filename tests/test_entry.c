/* test_entry: the data-entry workflow on the store (app/entry.h): who reports what, every
 * transition with who and when, the lock of an approved submission through the store and
 * through the CSV import, the entry upload's restrictions, and lateness with a fixed "now". */
#include "support.h"
#include "io/import.h"
#include "app/app.h"
#include "app/entry.h"
#include "util/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define P "2026-10"
#define T1 "2026-11-02T01:00:00.000Z"
#define T2 "2026-11-03T02:00:00.000Z"
#define T3 "2026-11-04T03:00:00.000Z"
#define T4 "2026-11-05T04:00:00.000Z"
#define T5 "2026-11-06T05:00:00.000Z"
#define T6 "2026-11-07T06:00:00.000Z"

static void put_unit(store *s, const char *code, int kind, int order)
{
    model_unit u;
    memset(&u, 0, sizeof u);
    snprintf(u.code, sizeof u.code, "%s", code);
    snprintf(u.name, sizeof u.name, "单位%s", code);
    u.kind = kind;
    u.sort_order = order;
    assert_int_equal(store_unit_put(s, &u, NULL), 0);
}

static void put_indicator(store *s, const char *code, int order)
{
    model_indicator i;
    memset(&i, 0, sizeof i);
    snprintf(i.code, sizeof i.code, "%s", code);
    snprintf(i.name, sizeof i.name, "指标%s", code);
    i.value_kind = VK_YTD;
    i.precision = 2;
    i.sort_order = order;
    assert_int_equal(store_indicator_put(s, &i, NULL), 0);
}

static void put_scheme(store *s, const char *code, const char *group_code, int kind,
                       const char *const *inds, size_t n)
{
    model_scheme sc;
    model_scheme_item items[4];
    memset(&sc, 0, sizeof sc);
    snprintf(sc.code, sizeof sc.code, "%s", code);
    snprintf(sc.name, sizeof sc.name, "方案%s", code);
    snprintf(sc.group_code, sizeof sc.group_code, "%s", group_code);
    sc.period_kind = kind;
    sc.total_weight = (double)n;
    assert_int_equal(store_scheme_put(s, &sc, NULL), 0);
    memset(items, 0, sizeof items);
    for (size_t i = 0; i < n; i++) {
        snprintf(items[i].scheme_code, sizeof items[i].scheme_code, "%s", code);
        snprintf(items[i].indicator_code, sizeof items[i].indicator_code, "%s", inds[i]);
        items[i].weight = 1;
        items[i].sort_order = (int)i;
    }
    assert_int_equal(store_scheme_set_items(s, code, items, n, NULL), 0);
}

static void put_group(store *s, const char *code, const char (*members)[MODEL_CODE_MAX], size_t n)
{
    model_group g;
    memset(&g, 0, sizeof g);
    snprintf(g.code, sizeof g.code, "%s", code);
    snprintf(g.name, sizeof g.name, "分组%s", code);
    g.kind = GROUP_PEERS;
    assert_int_equal(store_group_put(s, &g, NULL), 0);
    assert_int_equal(store_group_set_members(s, code, members, n, NULL), 0);
}

/* R01, R02 report GDP and FAI monthly (group G, scheme S); T01 reports GDP quarterly only;
 * REF is in no group; X is an indicator nobody owes. 2026-10's deadline is 2026-11-10. */
static void seed(store *s)
{
    static const char regions[2][MODEL_CODE_MAX] = { "R01", "R02" };
    static const char towns[1][MODEL_CODE_MAX] = { "T01" };
    static const char *const monthly[] = { "GDP", "FAI" };
    static const char *const quarterly[] = { "GDP" };
    period_key p = { PERIOD_MONTH, 2026, 10 };
    put_unit(s, "R02", UNIT_REGION, 2);
    put_unit(s, "R01", UNIT_REGION, 1);
    put_unit(s, "T01", UNIT_TOWN, 3);
    put_unit(s, "REF", UNIT_REFERENCE, 4);
    put_indicator(s, "GDP", 1);
    put_indicator(s, "FAI", 2);
    put_indicator(s, "X", 3);
    put_group(s, "G", regions, 2);
    put_group(s, "TG", towns, 1);
    put_scheme(s, "S", "G", PERIOD_MONTH, monthly, 2);
    put_scheme(s, "SQ", "TG", PERIOD_QUARTER, quarterly, 1);
    int64_t pid;
    /* a deadline needs its period on record, and a date */
    assert_int_equal(store_period_set_deadline(s, &p, "2026-11-10"), ERR_NOTFOUND);
    assert_int_equal(store_period_ensure(s, &p, &pid), 0);
    assert_int_equal(store_period_set_deadline(s, &p, "2026-11-31"), ERR_DATA);
    assert_int_equal(store_period_set_deadline(s, &p, "2026-11-10"), 0);
}

static int setup(void **state)
{
    test_db *db;
    if (test_db_setup(state) != 0)
        return -1;
    db = *state;
    seed(db->s);
    return 0;
}

static app_entry_plan plan_of(store *s, const char *pcode)
{
    app_entry_plan p;
    assert_int_equal(app_entry_plan_load(s, pcode, &p), 0);
    return p;
}

static int save(store *s, const app_entry_plan *p, const char *unit_code, const char *ind, double v,
                const char *actor, const char *at)
{
    app_entry_value val = { ind, v, "快报" };
    app_entry_change c = { unit_code, P, actor, at, NULL };
    int rc;
    assert_int_equal(store_begin(s), 0);
    if ((rc = app_entry_save(s, p, &c, &val, 1, NULL, NULL)) == 0)
        assert_int_equal(store_commit(s), 0);
    else
        store_rollback(s);
    return rc;
}

/* Runs one transition in a transaction of its own. */
static int step(store *s, const app_entry_plan *p, int (*fn)(store *, const app_entry_plan *, const app_entry_change *),
                const char *unit_code, const char *actor, const char *at, const char *reason)
{
    app_entry_change c = { unit_code, P, actor, at, reason };
    return app_entry_in_tx(s, fn, p, &c);
}

static model_submission get(store *s, const char *unit_code)
{
    model_submission b;
    assert_int_equal(store_submission_get(s, unit_code, P, &b), 0);
    return b;
}

/* The state of one stored observation. */
static int obs_state(store *s, const char *ind, const char *unit_code)
{
    model_observation *h;
    size_t n;
    int state;
    assert_int_equal(store_observation_history(s, ind, unit_code, P, &h, &n), 0);
    assert_true(n > 0);
    state = h[n - 1].state;
    free(h);
    return state;
}

static void test_plan(void **state)
{
    store *s = ((test_db *)*state)->s;
    app_entry_plan p = plan_of(s, "2026年10月");
    assert_string_equal(p.period_code, P);
    assert_string_equal(p.deadline, "2026-11-10");
    assert_int_equal(p.nunits, 2); /* T01's scheme is quarterly, REF is in no group */
    assert_string_equal(p.units[0].code, "R01"); /* unit order, not insertion order */
    assert_string_equal(p.units[1].code, "R02");
    assert_int_equal(app_entry_plan_expected(&p, 0), 2);
    assert_true(p.owes[0 * p.ninds + (size_t)app_entry_plan_indicator(&p, "GDP")]);
    assert_true(p.owes[0 * p.ninds + (size_t)app_entry_plan_indicator(&p, "FAI")]);
    assert_false(p.owes[0 * p.ninds + (size_t)app_entry_plan_indicator(&p, "X")]);
    assert_int_equal(app_entry_plan_unit(&p, "T01"), -1);
    app_entry_plan_free(&p);
    p = plan_of(s, "2026-Q3");
    assert_int_equal(p.nunits, 1);
    assert_string_equal(p.units[0].code, "T01");
    assert_int_equal(app_entry_plan_expected(&p, 0), 1);
    assert_string_equal(p.deadline, "");
    app_entry_plan_free(&p);
    assert_int_equal(app_entry_plan_load(s, "not-a-period", &p), ERR_USAGE);
}

/* Every transition: who and when land on the submission and in its history. */
static void test_transitions(void **state)
{
    store *s = ((test_db *)*state)->s;
    app_entry_plan p = plan_of(s, P);
    model_submission b;
    model_submission_step *h;
    model_audit_entry *a;
    size_t n;
    static const int from[] = { SUB_MISSING, SUB_DRAFT, SUB_SUBMITTED, SUB_RETURNED, SUB_SUBMITTED };
    static const int to[] = { SUB_DRAFT, SUB_SUBMITTED, SUB_RETURNED, SUB_SUBMITTED, SUB_APPROVED };
    static const char *const by[] = { "clerk", "clerk", "office", "clerk", "office" };
    static const char *const at[] = { T1, T2, T3, T5, T6 };

    assert_int_equal(get(s, "R01").state, SUB_MISSING);
    /* nothing to submit, and nothing to review, yet */
    assert_int_equal(step(s, &p, app_entry_submit, "R01", "clerk", T1, NULL), ERR_CONFLICT);
    assert_int_equal(step(s, &p, app_entry_approve_fn, "R01", "office", T1, NULL), ERR_CONFLICT);
    assert_int_equal(save(s, &p, "R01", "GDP", 100.5, "clerk", T1), 0);
    b = get(s, "R01");
    assert_int_equal(b.state, SUB_DRAFT);
    assert_string_equal(b.updated_by, "clerk");
    assert_string_equal(b.updated_at, T1);
    assert_int_equal(obs_state(s, "GDP", "R01"), OBS_DRAFT);
    /* an owed indicator without a value: named */
    assert_int_equal(step(s, &p, app_entry_submit, "R01", "clerk", T2, NULL), ERR_DATA);
    assert_non_null(strstr(err_msg(), "FAI"));
    assert_int_equal(save(s, &p, "R01", "FAI", 50, "clerk", T2), 0);
    assert_int_equal(step(s, &p, app_entry_submit, "R01", "clerk", T2, NULL), 0);
    b = get(s, "R01");
    assert_int_equal(b.state, SUB_SUBMITTED);
    assert_string_equal(b.submitted_by, "clerk");
    assert_string_equal(b.submitted_at, T2);
    assert_int_equal(obs_state(s, "FAI", "R01"), OBS_SUBMITTED);
    /* awaiting review: no saving, no second submission */
    assert_int_equal(save(s, &p, "R01", "GDP", 101, "clerk", T3), ERR_CONFLICT);
    assert_int_equal(step(s, &p, app_entry_submit, "R01", "clerk", T3, NULL), ERR_CONFLICT);
    /* a return needs a reason */
    assert_int_equal(step(s, &p, app_entry_return_fn, "R01", "office", T3, NULL), ERR_DATA);
    assert_int_equal(step(s, &p, app_entry_return_fn, "R01", "office", T3, "  "), ERR_DATA);
    assert_int_equal(step(s, &p, app_entry_return_fn, "R01", "office", T3, "GDP 口径有误"), 0);
    b = get(s, "R01");
    assert_int_equal(b.state, SUB_RETURNED);
    assert_string_equal(b.reviewed_by, "office");
    assert_string_equal(b.reviewed_at, T3);
    assert_string_equal(b.reason, "GDP 口径有误");
    assert_int_equal(obs_state(s, "GDP", "R01"), OBS_DRAFT);
    /* returned: editable, and stays returned until submitted again */
    assert_int_equal(save(s, &p, "R01", "GDP", 101.25, "clerk", T4), 0);
    assert_int_equal(get(s, "R01").state, SUB_RETURNED);
    assert_int_equal(step(s, &p, app_entry_submit, "R01", "clerk", T5, NULL), 0);
    b = get(s, "R01");
    assert_string_equal(b.reason, "");
    assert_string_equal(b.submitted_at, T5);
    assert_int_equal(step(s, &p, app_entry_approve_fn, "R01", "office", T6, NULL), 0);
    b = get(s, "R01");
    assert_int_equal(b.state, SUB_APPROVED);
    assert_string_equal(b.reviewed_by, "office");
    assert_string_equal(b.reviewed_at, T6);
    assert_int_equal(obs_state(s, "GDP", "R01"), OBS_PUBLISHED);
    assert_int_equal(obs_state(s, "FAI", "R01"), OBS_PUBLISHED);
    assert_int_equal(step(s, &p, app_entry_approve_fn, "R01", "office", T6, NULL), ERR_CONFLICT);
    assert_int_equal(step(s, &p, app_entry_return_fn, "R01", "office", T6, "late"), ERR_CONFLICT);
    /* the history, oldest first */
    assert_int_equal(store_submission_steps(s, "R01", P, &h, &n), 0);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(h[i].from_state, from[i]);
        assert_int_equal(h[i].to_state, to[i]);
        assert_string_equal(h[i].by, by[i]);
        assert_string_equal(h[i].at, at[i]);
    }
    assert_string_equal(h[2].reason, "GDP 口径有误");
    assert_string_equal(h[4].reason, "");
    free(h);
    /* and the audit log, newest first */
    assert_int_equal(store_audits(s, 1, &a, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].action, "entry-approve");
    assert_string_equal(a[0].actor, "office");
    assert_string_equal(a[0].detail, "R01 2026-10");
    free(a);
    app_entry_plan_free(&p);
}

/* Brings R01 to approved with GDP 100 and FAI 50. */
static void approve_r01(store *s, const app_entry_plan *p)
{
    assert_int_equal(save(s, p, "R01", "GDP", 100, "clerk", T1), 0);
    assert_int_equal(save(s, p, "R01", "FAI", 50, "clerk", T1), 0);
    assert_int_equal(step(s, p, app_entry_submit, "R01", "clerk", T2, NULL), 0);
    assert_int_equal(step(s, p, app_entry_approve_fn, "R01", "office", T3, NULL), 0);
}

static model_observation obs_of(store *s, const app_entry_plan *p, const char *ind, const char *unit_code,
                          double v)
{
    model_observation o;
    int64_t pid;
    memset(&o, 0, sizeof o);
    assert_int_equal(store_period_ensure(s, &p->period, &pid), 0);
    o.indicator_id = p->inds[app_entry_plan_indicator(p, ind)].id;
    o.unit_id = p->units[app_entry_plan_unit(p, unit_code)].id;
    o.period_id = pid;
    o.value = v;
    o.state = OBS_DRAFT;
    return o;
}

/* An approved submission refuses every write of the unit's figures for the period. */
static void test_lock_store(void **state)
{
    store *s = ((test_db *)*state)->s;
    app_entry_plan p = plan_of(s, P);
    model_observation o;
    obs_new fresh;
    model_submission next;
    model_submission_step st;
    approve_r01(s, &p);
    /* a changed value, a new indicator, a bulk insert, a state change: all locked */
    o = obs_of(s, &p, "GDP", "R01", 99);
    assert_int_equal(store_observation_put(s, &o, "x", NULL), ERR_LOCKED);
    o = obs_of(s, &p, "X", "R01", 1);
    assert_int_equal(store_observation_put(s, &o, "x", NULL), ERR_LOCKED);
    assert_non_null(strstr(err_msg(), "approved"));
    fresh = (obs_new){ o.indicator_id, o.period_id, o.unit_id, 1, OBS_DRAFT, "" };
    assert_int_equal(store_observations_insert(s, &fresh, 1, "x"), ERR_LOCKED);
    assert_int_equal(store_observations_set_state(s, "R01", P, OBS_DRAFT, NULL), ERR_LOCKED);
    assert_int_equal(save(s, &p, "R01", "GDP", 99, "clerk", T4), ERR_LOCKED);
    /* the database refuses to move an approved submission anywhere */
    next = get(s, "R01");
    next.state = SUB_RETURNED;
    memset(&st, 0, sizeof st);
    st.from_state = SUB_APPROVED;
    st.to_state = SUB_RETURNED;
    snprintf(st.by, sizeof st.by, "x");
    snprintf(st.at, sizeof st.at, T4);
    assert_int_equal(store_submission_write(s, &next, &st), ERR_LOCKED);
    /* another unit of the same period is open */
    o = obs_of(s, &p, "X", "R02", 1);
    assert_int_equal(store_observation_put(s, &o, "x", NULL), 0);
    /* inside one transaction, an approval locks at once */
    assert_int_equal(store_begin(s), 0);
    {
        app_entry_value v[2] = { { "GDP", 80, NULL }, { "FAI", 40, NULL } };
        app_entry_change c = { "R02", P, "clerk", T1, NULL };
        assert_int_equal(app_entry_save(s, &p, &c, v, 2, NULL, NULL), 0);
        assert_int_equal(app_entry_submit(s, &p, &c), 0);
        c.actor = "office";
        assert_int_equal(app_entry_approve(s, &c), 0);
    }
    o = obs_of(s, &p, "X", "R02", 2);
    assert_int_equal(store_observation_put(s, &o, "x", NULL), ERR_LOCKED);
    assert_int_equal(store_commit(s), 0);
    app_entry_plan_free(&p);
}

/* The period lock, decided in one place: open, a unit's approved figures, a locked period. */
static void test_lock_rule(void **state)
{
    store *s = ((test_db *)*state)->s;
    app_entry_plan p = plan_of(s, P);
    int lock = -1;
    assert_int_equal(app_lock_state(s, "R01", P, &lock), 0);
    assert_int_equal(lock, LOCK_OPEN);
    assert_int_equal(app_lock_state(s, "R01", "2031-01", &lock), 0); /* not on record: open */
    assert_int_equal(lock, LOCK_OPEN);
    approve_r01(s, &p);
    assert_int_equal(app_lock_state(s, "R01", P, &lock), 0);
    assert_int_equal(lock, LOCK_APPROVED);
    assert_int_equal(app_lock_check(s, "R01", P), ERR_LOCKED);
    assert_int_equal(app_lock_state(s, "R02", P, &lock), 0);
    assert_int_equal(lock, LOCK_OPEN);
    assert_int_equal(app_lock_check(s, "R02", P), 0);
    assert_int_equal(store_period_set_locked(s, &p.period, 1), 0);
    assert_int_equal(app_lock_state(s, "R02", P, &lock), 0);
    assert_int_equal(lock, LOCK_PERIOD);
    assert_int_equal(app_lock_check(s, "R02", P), ERR_LOCKED);
    /* the entry workflow asks the same rule: R02 cannot save into the locked period */
    assert_int_equal(save(s, &p, "R02", "GDP", 1, "clerk", T4), ERR_LOCKED);
    app_entry_plan_free(&p);
}

/* Imports csv as the use-case layer does (with the period lock), recorded as the tester. */
static int import_text(store *s, const char *csv, const io_import_opts *o, io_report *rep)
{
    app_ctx q = { .s = s, .actor = "tester" };
    return app_import_buffer(&q, IO_OBSERVATIONS, "t.csv", csv, strlen(csv), o, rep);
}

/* The CSV import refuses rows of an approved unit and period, naming line and column. */
static void test_lock_import(void **state)
{
    store *s = ((test_db *)*state)->s;
    app_entry_plan p = plan_of(s, P);
    io_import_opts o = IO_IMPORT_OPTS_INIT;
    io_report rep;
    int64_t before, after;
    o.today = "2026-11-20";
    approve_r01(s, &p);
    assert_int_equal(store_observation_count(s, &before), 0);
    assert_int_equal(import_text(s, "indicator,unit,period,value\nGDP,R02,2026-10,1\n"
                                    "X,R01,2026-10,5\nGDP,R01,2026-10,100.5\n", &o, &rep),
                     ERR_DATA);
    assert_int_equal(rep.nerrors_total, 2);
    assert_int_equal(rep.errors[0].line, 3);
    assert_int_equal(rep.errors[0].reason, IO_LOCKED_PERIOD);
    assert_string_equal(rep.errors[0].column, "period");
    assert_int_equal(rep.errors[1].line, 4); /* a changed value: already published */
    assert_int_equal(rep.errors[1].reason, IO_PUBLISHED);
    assert_string_equal(rep.errors[1].column, "value");
    assert_int_equal(store_observation_count(s, &after), 0);
    assert_int_equal(after, before); /* the R02 row was not written either */
    /* unchanged rows pass (nothing to write) */
    assert_int_equal(import_text(s, "indicator,unit,period,value,state,note\nGDP,R01,2026-10,100,published,快报\n",
                                 &o, &rep), 0);
    assert_int_equal(rep.unchanged, 1);
    app_entry_plan_free(&p);
}

/* An entry upload takes only its unit's rows of its period, in the workflow's state. */
static void test_import_restricted(void **state)
{
    store *s = ((test_db *)*state)->s;
    io_import_opts o = IO_IMPORT_OPTS_INIT;
    io_report rep;
    char line[512];
    o.today = "2026-11-20";
    o.state = OBS_DRAFT;
    o.unit = "R02";
    o.period = P;
    assert_int_equal(import_text(s, "指标代码,单位代码,期间,数值,状态\nGDP,R02,2026年10月,1,\n"
                                    "GDP,R01,2026-10,2,\nFAI,R02,2026-09,3,\nFAI,R02,2026-10,4,published\n",
                                 &o, &rep),
                     ERR_DATA);
    assert_int_equal(rep.nerrors_total, 3);
    assert_int_equal(rep.errors[0].line, 3);
    assert_string_equal(rep.errors[0].column, "单位代码");
    assert_int_equal(rep.errors[0].reason, IO_BAD_VALUE);
    assert_string_equal(rep.errors[0].detail, "R01");
    assert_int_equal(rep.errors[1].line, 4);
    assert_string_equal(rep.errors[1].column, "期间");
    assert_int_equal(rep.errors[2].line, 5);
    assert_string_equal(rep.errors[2].column, "状态");
    io_error_format(&rep, &rep.errors[0], 1, line, sizeof line);
    assert_string_equal(line, "t.csv:3: column '单位代码': not an accepted value 'R01' (accepted: R02)");
    assert_int_equal(import_text(s, "indicator,unit,period,value\nGDP,R02,2026-10,1\n", &o, &rep), 0);
    assert_int_equal(rep.inserted, 1);
    assert_int_equal(obs_state(s, "GDP", "R02"), OBS_DRAFT);
}

static model_submission sub_at(int state, const char *submitted_at)
{
    model_submission b;
    memset(&b, 0, sizeof b);
    b.state = state;
    snprintf(b.submitted_at, sizeof b.submitted_at, "%s", submitted_at);
    return b;
}

/* The deadline day ends at 24:00 Beijing time, 16:00 UTC. */
static void test_late_rules(void **state)
{
    model_submission b;
    (void)state;
    b = sub_at(SUB_SUBMITTED, "2026-11-10T15:59:59.999Z");
    assert_false(app_entry_is_late("2026-11-10", &b, "2026-12-01T00:00:00.000Z"));
    b = sub_at(SUB_SUBMITTED, "2026-11-10T16:00:00.000Z");
    assert_true(app_entry_is_late("2026-11-10", &b, "2026-11-10T16:00:00.000Z"));
    b = sub_at(SUB_APPROVED, "2026-11-12T08:00:00.000Z");
    assert_true(app_entry_is_late("2026-11-10", &b, "2026-11-01T00:00:00.000Z"));
    b = sub_at(SUB_MISSING, "");
    assert_false(app_entry_is_late("2026-11-10", &b, "2026-11-10T15:00:00.000Z"));
    assert_true(app_entry_is_late("2026-11-10", &b, "2026-11-11T00:00:00.000Z"));
    /* returned: judged by now, whatever its earlier submission */
    b = sub_at(SUB_RETURNED, "2026-11-01T00:00:00.000Z");
    assert_true(app_entry_is_late("2026-11-10", &b, "2026-11-20T00:00:00.000Z"));
    assert_false(app_entry_is_late("", &b, "2030-01-01T00:00:00.000Z"));
}

static void test_time_parse(void **state)
{
    char buf[MODEL_TIME_MAX];
    (void)state;
    assert_int_equal(app_entry_time_parse("2026-11-11", buf, sizeof buf), 0);
    assert_string_equal(buf, "2026-11-11T00:00:00.000Z");
    assert_int_equal(app_entry_time_parse("2026-11-11T16:05:09Z", buf, sizeof buf), 0);
    assert_string_equal(buf, "2026-11-11T16:05:09.000Z");
    assert_int_equal(app_entry_time_parse("2026-11-11T16:05:09.123Z", buf, sizeof buf), 0);
    assert_int_equal(app_entry_time_parse("2026-13-01", buf, sizeof buf), ERR_USAGE);
    assert_int_equal(app_entry_time_parse("2026-11-11 16:05", buf, sizeof buf), ERR_USAGE);
    assert_int_equal(app_entry_time_parse("yesterday", buf, sizeof buf), ERR_USAGE);
}

/* The status list with a fixed now: R01 submitted on time, R02 filled one of two and missing
 * the deadline; after the deadline only R02 is late. */
static void test_status_list(void **state)
{
    store *s = ((test_db *)*state)->s;
    app_entry_plan p = plan_of(s, P);
    app_entry_status *st;
    assert_int_equal(save(s, &p, "R01", "GDP", 100, "clerk", T1), 0);
    assert_int_equal(save(s, &p, "R01", "FAI", 50, "clerk", T1), 0);
    assert_int_equal(step(s, &p, app_entry_submit, "R01", "clerk", "2026-11-10T15:00:00.000Z", NULL), 0);
    assert_int_equal(save(s, &p, "R02", "GDP", 80, "clerk2", T1), 0);
    assert_int_equal(app_entry_status_list(s, &p, "2026-11-10T12:00:00.000Z", &st), 0);
    assert_int_equal(st[0].sub.state, SUB_SUBMITTED);
    assert_int_equal(st[0].filled, 2);
    assert_int_equal(st[0].expected, 2);
    assert_false(st[0].late);
    assert_int_equal(st[1].sub.state, SUB_DRAFT);
    assert_int_equal(st[1].filled, 1);
    assert_false(st[1].late);
    free(st);
    assert_int_equal(app_entry_status_list(s, &p, "2026-11-10T16:00:00.000Z", &st), 0);
    assert_false(st[0].late);
    assert_true(st[1].late);
    free(st);
    app_entry_plan_free(&p);
}

/* Saving checks each item: owed indicator, no duplicates, finite numbers; all or nothing. */
static void test_save_checks(void **state)
{
    store *s = ((test_db *)*state)->s;
    app_entry_plan p = plan_of(s, P);
    app_entry_change c = { "R01", P, "clerk", T1, NULL };
    app_entry_value bad_ind[2] = { { "GDP", 1, NULL }, { "X", 2, NULL } };
    app_entry_value twice[2] = { { "GDP", 1, NULL }, { "GDP", 2, NULL } };
    app_entry_value unknown[1] = { { "NOPE", 1, NULL } };
    int64_t n;
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(app_entry_save(s, &p, &c, bad_ind, 2, NULL, NULL), ERR_DATA);
    assert_non_null(strstr(err_msg(), "values[1].indicator"));
    assert_int_equal(app_entry_save(s, &p, &c, twice, 2, NULL, NULL), ERR_DATA);
    assert_non_null(strstr(err_msg(), "values[1].indicator"));
    assert_int_equal(app_entry_save(s, &p, &c, unknown, 1, NULL, NULL), ERR_DATA);
    c.unit_code = "T01";
    assert_int_equal(app_entry_save(s, &p, &c, unknown, 1, NULL, NULL), ERR_NOTFOUND);
    assert_int_equal(store_commit(s), 0);
    assert_int_equal(store_observation_count(s, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(get(s, "R01").state, SUB_MISSING);
    app_entry_plan_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plan, setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_transitions, setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_lock_store, setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_lock_rule, setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_lock_import, setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_import_restricted, setup, test_db_teardown),
        cmocka_unit_test(test_late_rules),
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test_setup_teardown(test_status_list, setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_save_checks, setup, test_db_teardown),
    };
    return cmocka_run_group_tests_name("entry", tests, NULL, NULL);
}
