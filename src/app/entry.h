/* entry: the data-entry workflow (docs/entry.md) over the store interface, for any back end.
 * Who reports what for a period, where each unit's submission stands (with lateness against
 * the period's deadline), and the transitions: save figures (draft), submit, approve (which
 * publishes the unit's figures and locks them) and return with a reason. Every transition
 * is kept in the submission's history and written to the audit log.
 *
 * The transitions run inside a transaction the caller opened (store_begin), so that a
 * change lands with its audit line or not at all; app_entry_in_tx does that for one call. */
#ifndef SAIMA_APP_ENTRY_H
#define SAIMA_APP_ENTRY_H

#include "io/import.h"
#include "store/store.h"

#include <stddef.h>

/* Who reports what for one period. A unit reports when it is a member of a group that a
 * scheme of the period's kind assesses (monthly schemes for a month); it owes the union of
 * the indicators of those schemes. */
typedef struct app_entry_plan {
    period_key period;
    char period_code[PERIOD_CODE_MAX];
    char deadline[MODEL_TIME_MAX];  /* the period's deadline "YYYY-MM-DD", "" when none */
    model_unit *units;                    /* the reporting units, in unit order */
    size_t nunits;
    model_indicator *inds;                /* every indicator, in indicator order */
    size_t ninds;
    unsigned char *owes;            /* owes[u * ninds + i]: unit u reports indicator i */
} app_entry_plan;

/* Loads the plan of a period (any form period_parse reads; ERR_USAGE when it is not one).
 * *out is the caller's, to release with app_entry_plan_free. */
int app_entry_plan_load(store *s, const char *period_text, app_entry_plan *out);
void app_entry_plan_free(app_entry_plan *p);
/* The index of a unit among the plan's reporting units, or -1. */
long app_entry_plan_unit(const app_entry_plan *p, const char *unit_code);
/* The index of an indicator in the plan, or -1. */
long app_entry_plan_indicator(const app_entry_plan *p, const char *indicator_code);
/* How many indicators reporting unit u owes. */
size_t app_entry_plan_expected(const app_entry_plan *p, size_t u);

/* Where one reporting unit stands. */
typedef struct app_entry_status {
    model_submission sub;                 /* state SUB_MISSING when there is none */
    int late;
    size_t filled, expected;        /* owed indicators with a value, and owed in all */
} app_entry_status;

/* The status of every reporting unit of the plan, in plan order (*out has p->nunits
 * elements, the caller's to free). now is an ISO 8601 UTC time (app_entry_now) and decides
 * whether a unit that has not submitted is late. */
int app_entry_status_list(store *s, const app_entry_plan *p, const char *now, app_entry_status **out);

/* Late: submitted (or approved) after the deadline, or not submitted and the deadline has
 * passed at now. The deadline day ends at 24:00 China Standard Time (16:00 UTC). No
 * deadline, never late. */
int app_entry_is_late(const char *deadline, const model_submission *sub, const char *now);

/* The current time as ISO 8601 UTC with milliseconds (buf of MODEL_TIME_MAX). */
void app_entry_now(char *buf, size_t size);

/* The time given when it is set and not empty, else the current time (app_entry_now): how a
 * caller's fixed clock (a change's time, a context's now) stands in for the real one. */
void app_entry_time(const char *given, char *buf, size_t size);

/* Reads "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[.fff]Z" into the ISO form app_entry_is_late
 * compares (a date alone is its 00:00 UTC). Returns 0 or ERR_USAGE. */
int app_entry_time_parse(const char *text, char *buf, size_t size);

/* One figure to save. */
typedef struct app_entry_value {
    const char *indicator_code;
    double value;
    const char *note;               /* NULL or "" for none */
} app_entry_value;

/* The submission a transition applies to, who makes it, when ("" or NULL: now) and why. */
typedef struct app_entry_change {
    const char *unit_code;
    const char *period_code;        /* canonical code, as in app_entry_plan.period_code */
    const char *actor;
    const char *at;
    const char *reason;             /* a return's reason; otherwise ignored */
} app_entry_change;

/* The period lock (SPEC §4), decided here and nowhere else: a unit's figures of a period may
 * be written unless the period is locked for every unit (LOCK_PERIOD) or the unit's
 * submission of it is approved (LOCK_APPROVED). *state receives enum lock_state; a period
 * not on record is open. The store's triggers and insert guard are a last line of defence
 * behind it, not the rule. */
int app_lock_state(store *s, const char *unit_code, const char *period_code, int *state);

/* The same as an answer: 0 when open, else ERR_LOCKED saying why. */
int app_lock_check(store *s, const char *unit_code, const char *period_code);

/* ERR_LOCKED when the submission is approved, ERR_CONFLICT while it awaits review
 * (submitted): figures can be saved only in the states missing, draft and returned. */
int app_entry_check_writable(store *s, const app_entry_change *c);

/* Saves figures of a reporting unit as drafts, all or none: each indicator must be one the
 * unit owes (ERR_DATA naming "values[i].indicator"), each value finite, each note short
 * enough. A missing submission becomes a draft; a returned one stays returned until it is
 * submitted again. The values are written as the importer writes a file's rows, inside the
 * caller's transaction: the lock rule is asked (ERR_LOCKED; a published value is
 * ERR_PUBLISHED) and soft validation runs once, its flags stored for review. *changed (may be
 * NULL) receives how many values were new or changed; rep (may be NULL) what the write did,
 * with the flags it raised. */
int app_entry_save(store *s, const app_entry_plan *p, const app_entry_change *c, const app_entry_value *v,
                   size_t n, size_t *changed, io_report *rep);

/* After figures were written another way (a CSV upload): a missing submission becomes a
 * draft, and the audit log records the change. */
int app_entry_touch(store *s, const app_entry_change *c, const char *what);

/* draft or returned -> submitted, when every owed indicator has a value (else ERR_DATA
 * naming the missing ones). The figures become submitted. */
int app_entry_submit(store *s, const app_entry_plan *p, const app_entry_change *c);

/* submitted -> approved: the unit's figures of the period become published and locked. */
int app_entry_approve(store *s, const app_entry_change *c);

/* submitted -> returned with a reason (ERR_DATA without one): the figures become drafts
 * again and may be corrected. */
int app_entry_return(store *s, const app_entry_change *c);

/* Runs fn(s, p, c) in its own transaction: committed when it returns 0, else rolled back
 * keeping the error's message. p may be NULL for functions that ignore it. */
int app_entry_in_tx(store *s, int (*fn)(store *s, const app_entry_plan *p, const app_entry_change *c),
                const app_entry_plan *p, const app_entry_change *c);

/* Adapters of app_entry_approve and app_entry_return for app_entry_in_tx. */
int app_entry_approve_fn(store *s, const app_entry_plan *p, const app_entry_change *c);
int app_entry_return_fn(store *s, const app_entry_plan *p, const app_entry_change *c);

#endif
