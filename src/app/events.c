/* events: the events ledger (SPEC §6) — listing, recording and revoking bonuses,
 * deductions, commendations, criticisms and vetoes. A change and its audit line go in one
 * transaction; a revoked event stays on record with its reason. */
#include "app/app.h"

#include "util/err.h"
#include "util/num.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int app_events_list(const app_ctx *q, const char *unit_code, int year, json_t **out)
{
    model_event *evs;
    size_t n;
    json_t *rows;
    int rc;
    if (unit_code && !unit_code[0])
        unit_code = NULL;
    if ((unit_code && (rc = app_check_unit(q->s, unit_code)) != 0) ||
        (rc = store_events(q->s, year, &evs, &n)) != 0)
        return rc;
    rows = json_array();
    for (size_t i = 0; rows && i < n; i++) {
        char status[MODEL_TEXT_MAX + 64];
        if (unit_code && strcmp(unit_code, evs[i].unit_code) != 0)
            continue;
        if (evs[i].revoked)
            snprintf(status, sizeof status, "%s%s", q->english ? "revoked: " : "已撤销：", evs[i].revoked_reason);
        else
            snprintf(status, sizeof status, "%s", q->english ? "in force" : "有效");
        json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:s, s:s, s:f, s:s, s:s, s:s, s:b, s:s, s:s}",
                                              "id", (json_int_t)evs[i].id, "date", evs[i].date, "unit",
                                              evs[i].unit_code, "kind", model_event_kinds[evs[i].kind].key,
                                              "category", evs[i].category, "points", evs[i].points, "evidence",
                                              evs[i].evidence, "entered_by", evs[i].entered_by, "approved_by",
                                              evs[i].approved_by, "revoked", evs[i].revoked, "revoked_reason",
                                              evs[i].revoked_reason, "status", status));
    }
    free(evs);
    *out = rows;
    return rows ? 0 : err_set(ERR_NOMEM, "out of memory");
}

static void today(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(buf, size, "%Y-%m-%d", &tm);
}

/* Copies text into a field of size bytes; too long is ERR_USAGE naming the field. */
static int copy_field(const char *name, const char *text, char *dst, size_t size)
{
    if (strlen(text) >= size)
        return err_set(ERR_USAGE, "%s is too long (at most %zu bytes)", name, size - 1);
    memcpy(dst, text, strlen(text) + 1);
    return 0;
}

/* The kind and points of an event: deductions and criticisms take points away whatever the
 * sign typed, a veto takes none, the others add. */
static int event_points(const app_event_in *in, model_event *e)
{
    int k;
    if ((k = model_enum_find(model_event_kinds, EVENT_KIND_N, in->kind)) < 0)
        return err_set(ERR_USAGE, "kind: commendation, criticism, bonus, deduction or veto, not '%s'", in->kind);
    e->kind = k;
    if (in->points && in->points[0] && num_parse(in->points, &e->points) != 0) {
        char why[256];
        snprintf(why, sizeof why, "%s", err_msg());
        return err_set(ERR_USAGE, "points: %s", why);
    }
    if (!(in->points && in->points[0]) && k != EVENT_VETO)
        return err_set(ERR_USAGE, "points is required for a %s", model_event_kinds[k].key);
    if (k == EVENT_DEDUCTION || k == EVENT_CRITICISM)
        e->points = e->points > 0 ? -e->points : e->points;
    else if (k == EVENT_VETO)
        e->points = 0;
    else if (e->points < 0)
        return err_set(ERR_USAGE, "a %s adds points: give a positive number", model_event_kinds[k].key);
    return 0;
}

/* Fills an event from the text fields, checking each. */
static int event_of(const app_ctx *q, const app_event_in *in, model_event *e)
{
    int rc;
    memset(e, 0, sizeof *e);
    if (!in->unit || !in->unit[0] || !in->kind || !in->kind[0] || !in->evidence || !in->evidence[0] ||
        !in->approved_by || !in->approved_by[0])
        return err_set(ERR_USAGE, "unit, kind, evidence and approved_by are required");
    if ((rc = event_points(in, e)) != 0)
        return rc;
    if (in->date && in->date[0]) {
        int y, m, d;
        if (period_parse_date(in->date, &y, &m, &d) != 0) {
            char why[256];
            snprintf(why, sizeof why, "%s", err_msg());
            return err_set(ERR_USAGE, "date: %s", why);
        }
        rc = copy_field("date", in->date, e->date, sizeof e->date);
    } else {
        today(e->date, sizeof e->date);
    }
    if (rc == 0)
        rc = copy_field("unit", in->unit, e->unit_code, sizeof e->unit_code);
    if (rc == 0)
        rc = copy_field("category", in->category && in->category[0] ? in->category : model_event_kinds[e->kind].key,
                        e->category, sizeof e->category);
    if (rc == 0)
        rc = copy_field("evidence", in->evidence, e->evidence, sizeof e->evidence);
    if (rc == 0)
        rc = copy_field("approved_by", in->approved_by, e->approved_by, sizeof e->approved_by);
    if (rc == 0)
        rc = copy_field("entered_by", app_actor(q), e->entered_by, sizeof e->entered_by);
    return rc;
}

int app_check_unit(store *s, const char *code)
{
    model_unit u;
    int rc = store_unit_get(s, code, &u);
    return rc == ERR_NOTFOUND ? err_set(ERR_NOTFOUND, "unknown unit code '%s'", code) : rc;
}

int app_event_add(const app_ctx *q, const app_event_in *in, int64_t *id)
{
    model_event e;
    int rc;
    if ((rc = event_of(q, in, &e)) != 0 || (rc = app_check_unit(q->s, e.unit_code)) != 0 ||
        (rc = store_begin(q->s)) != 0)
        return rc;
    if ((rc = store_event_add(q->s, &e, id)) == 0)
        rc = store_audit_add(q->s, e.entered_by, "event_add", "events", e.evidence);
    return app_tx_end(q->s, rc);
}

int app_event_revoke(const app_ctx *q, int64_t id, const char *reason)
{
    int rc;
    if (!reason || !reason[0])
        return err_set(ERR_USAGE, "reason is required: a revoked event keeps why");
    if (!app_actor(q)[0])
        return err_set(ERR_USAGE, "a revocation needs who revokes it (--user)");
    if ((rc = store_begin(q->s)) != 0)
        return rc;
    if ((rc = store_event_revoke(q->s, id, reason, app_actor(q))) == 0)
        rc = store_audit_add(q->s, app_actor(q), "event_revoke", "events", reason);
    return app_tx_end(q->s, rc);
}
