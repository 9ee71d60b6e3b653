/* api_engine: the engine's results over HTTP (docs/api.md, "Engine results") — rankings,
 * heatmap, trend, gaps, our region's report, warnings, movers, forecasts, scores,
 * explanations, and the race's contests, flags, awards, ledger and events. Every result comes
 * from src/app, computed from published figures only unless the caller may see unpublished
 * ones (admins, leaders); recording and revoking events is for admins and is audited under
 * their login. */
#include "http/routes.h"
#include "app/app.h"
#include "util/err.h"
#include "util/num.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENT_BODY_MAX 8192

typedef int (*app_result_fn)(const app_ctx *q, const app_params *p, json_t **out);

static app_params params_of(const http_req *req)
{
    app_params p = {
        http_req_query(req, "group"), http_req_query(req, "period"), http_req_query(req, "indicator"),
        http_req_query(req, "unit"),  http_req_query(req, "scheme"), http_req_query(req, "year"),
        http_req_query(req, "limit"),
    };
    return p;
}

/* Runs one query over the request's options. */
static int run(http_req *req, app_result_fn fn, json_t **out)
{
    app_ctx q;
    app_params p = params_of(req);
    int rc = http_req_app_ctx(req, &q);
    return rc ? rc : fn(&q, &p, out);
}

#define QUERY_HANDLER(name, fn)                        \
    static int name(http_req *req, json_t **out)       \
    {                                                  \
        return run(req, fn, out);                      \
    }

QUERY_HANDLER(h_rankings, app_rankings)
QUERY_HANDLER(h_heatmap, app_heatmap)
QUERY_HANDLER(h_trend, app_trend)
QUERY_HANDLER(h_gaps, app_gaps)
QUERY_HANDLER(h_report, app_report)
QUERY_HANDLER(h_warnings, app_warnings)
QUERY_HANDLER(h_movers, app_movers)
QUERY_HANDLER(h_forecasts, app_rankings)
QUERY_HANDLER(h_backtest, app_backtest)
QUERY_HANDLER(h_scores, app_scores)
QUERY_HANDLER(h_contests, app_contests)
QUERY_HANDLER(h_awards, app_awards)
QUERY_HANDLER(h_flags, app_flags)
QUERY_HANDLER(h_ledger, app_ledger)

/* /api/explain: a scheme's points of a unit, or with ?ledger=YEAR its race points. */
static int h_explain(http_req *req, json_t **out)
{
    const char *ledger = http_req_query(req, "ledger");
    app_ctx q;
    app_params p = params_of(req);
    int rc, year;
    if ((rc = http_req_app_ctx(req, &q)) != 0)
        return rc;
    if (!ledger)
        return app_explain(&q, &p, out);
    if ((rc = app_parse_year("ledger", ledger, &year)) != 0)
        return rc;
    if (!p.unit || !p.unit[0])
        return err_set(ERR_USAGE, "unit is required with ledger");
    return app_explain_ledger(&q, p.unit, year, out);
}

/* GET /api/events[?unit=&year=]: the events in the list envelope. */
static int h_events(http_req *req, json_t **out)
{
    const char *unit_code = http_req_query(req, "unit"), *y = http_req_query(req, "year");
    app_ctx q;
    json_t *all = NULL, *page;
    size_t lim, off, n;
    int rc, year = 0;
    if ((rc = http_page_parse(http_req_query(req, "limit"), http_req_query(req, "offset"), &lim, &off)) != 0 ||
        (rc = http_req_app_ctx(req, &q)) != 0 || (y && (rc = app_parse_year("year", y, &year)) != 0) ||
        (rc = app_events_list(&q, unit_code, year, &all)) != 0)
        return rc;
    n = json_array_size(all);
    if (!(page = json_array())) {
        json_decref(all);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t i = off; i < n && i - off < lim; i++)
        json_array_append(page, json_array_get(all, i));
    json_decref(all);
    *out = http_page_json(page, n, lim, off);
    return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}

/* A text field of the body: a string, or a number written as text into buf; NULL when absent.
 * Another JSON type is ERR_USAGE naming the field. */
static int body_field(json_t *body, const char *key, char *buf, size_t size, const char **out)
{
    json_t *v = json_object_get(body, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_string(v)) {
        *out = json_string_value(v);
        return 0;
    }
    if (json_is_number(v) && size >= NUM_TEXT_MAX) {
        num_format(json_number_value(v), buf, size);
        *out = buf;
        return 0;
    }
    return err_set(ERR_USAGE, "%s must be a string%s", key, size >= NUM_TEXT_MAX ? " or a number" : "");
}

/* POST /api/events: records an event (admin), audited under the admin's login. */
static int h_event_add(http_req *req, json_t **out)
{
    static const char *const keys[] = { "unit", "kind", "points", "category", "date", "evidence", "approved_by" };
    const char *text[7];
    char points[NUM_TEXT_MAX];
    json_t *body = NULL;
    app_ctx q;
    app_event_in in;
    int64_t id;
    int rc;
    if ((rc = http_req_app_ctx(req, &q)) != 0 || (rc = http_req_json(req, &body)) != 0)
        return rc;
    for (size_t k = 0; rc == 0 && k < 7; k++)
        rc = body_field(body, keys[k], points, k == 2 ? sizeof points : 0, &text[k]);
    if (rc == 0) {
        in = (app_event_in){ text[0], text[1], text[2], text[3], text[4], text[5], text[6] };
        rc = app_event_add(&q, &in, &id);
    }
    json_decref(body);
    if (rc != 0)
        return rc;
    req->status = 201;
    *out = json_pack("{s:I}", "id", (json_int_t)id);
    return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}

/* POST /api/events/{id}/revoke {"reason"}: revokes an event (admin), kept on record. */
static int h_event_revoke(http_req *req, json_t **out)
{
    json_t *body = NULL;
    app_ctx q;
    long id;
    int rc;
    if (num_parse_int(req->param[0], 1, 2147483647L, &id) != 0)
        return err_set(ERR_NOTFOUND, "no event '%s'", req->param[0]);
    if ((rc = http_req_app_ctx(req, &q)) != 0 || (rc = http_req_json(req, &body)) != 0)
        return rc;
    if (json_object_get(body, "reason") && !json_is_string(json_object_get(body, "reason")))
        rc = err_set(ERR_USAGE, "reason must be a string");
    else
        rc = app_event_revoke(&q, id, json_string_value(json_object_get(body, "reason")));
    json_decref(body);
    if (rc != 0)
        return rc;
    *out = json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1);
    return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}

/* A result route and the store concerns it reads: the analyses read reference data and
 * figures; scores and the race read events and contests too. */
#define RESULT(path, fn, reads) { "GET", path, fn, HTTP_ROLES_ALL, 0, HTTP_ROUTE_CACHE | HTTP_ROUTE_READS(reads) }
#define FIGURES (STORE_CONCERN(STORE_REF) | STORE_CONCERN(STORE_OBS))
#define RACE (FIGURES | STORE_CONCERN(STORE_RACE))

const http_route http_routes_engine[] = {
    RESULT("/api/rankings", h_rankings, FIGURES),
    RESULT("/api/heatmap", h_heatmap, FIGURES),
    RESULT("/api/trend", h_trend, FIGURES),
    RESULT("/api/gaps", h_gaps, FIGURES),
    RESULT("/api/report", h_report, FIGURES),
    RESULT("/api/warnings", h_warnings, FIGURES),
    RESULT("/api/movers", h_movers, FIGURES),
    RESULT("/api/forecasts", h_forecasts, FIGURES),
    RESULT("/api/forecasts/backtest", h_backtest, FIGURES),
    RESULT("/api/scores", h_scores, RACE),
    RESULT("/api/explain", h_explain, RACE),
    RESULT("/api/contests", h_contests, RACE),
    RESULT("/api/flags", h_flags, RACE),
    RESULT("/api/awards", h_awards, RACE),
    RESULT("/api/ledger", h_ledger, RACE),
    RESULT("/api/events", h_events, RACE),
    { "POST", "/api/events", h_event_add, HTTP_ROLE(ROLE_ADMIN), EVENT_BODY_MAX, 0 },
    { "POST", "/api/events/{id}/revoke", h_event_revoke, HTTP_ROLE(ROLE_ADMIN), EVENT_BODY_MAX, 0 },
};

const size_t http_nroutes_engine = sizeof http_routes_engine / sizeof http_routes_engine[0];
