/* api_entry: data entry and approval over HTTP (docs/entry.md). Reporters save and submit
 * their own unit's figures (a form or a CSV in the import format), the office approves or
 * returns them with a reason, and staff see who is missing or late (催报). Each handler reads
 * the request and makes one call into the use-case layer (app/submissions.c), where the
 * rules are. */
#include "http/routes.h"
#include "app/app.h"
#include "util/err.h"
#include "util/num.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VALUES_BODY_MAX (256 * 1024)
#define CSV_BODY_MAX (4 * 1024 * 1024)
#define SMALL_BODY_MAX 16384
#define VALUES_MAX 1000

/* ---- handlers ---- */

static int h_list(http_req *req, json_t **out)
{
    app_ctx q;
    int rc = http_req_app_ctx(req, &q);
    return rc ? rc : app_submissions_list(&q, http_req_query(req, "period"), out);
}

static int h_detail(http_req *req, json_t **out)
{
    app_ctx q;
    int rc = http_req_app_ctx(req, &q);
    return rc ? rc : app_submission_show(&q, req->param[0], req->param[1], out);
}

/* Reads "values" of a PUT body into v (strings borrowed from body); ERR_USAGE for the shape,
 * ERR_DATA naming the item and field. */
static int read_values_body(json_t *body, app_entry_value *v, size_t *n)
{
    json_t *arr = json_object_get(body, "values"), *item;
    size_t k;
    if (!json_is_array(arr))
        return err_set(ERR_USAGE, "values: an array of {indicator, value, note} is required");
    if (json_array_size(arr) > VALUES_MAX)
        return err_set(ERR_USAGE, "values: at most %d items", VALUES_MAX);
    json_array_foreach(arr, k, item) {
        json_t *val = json_object_get(item, "value"), *note = json_object_get(item, "note");
        if (!json_is_object(item))
            return err_set(ERR_DATA, "values[%zu]: not an object", k);
        v[k].indicator_code = json_string_value(json_object_get(item, "indicator"));
        if (!v[k].indicator_code)
            return err_set(ERR_DATA, "values[%zu].indicator: a code is required", k);
        if (json_is_number(val))
            v[k].value = json_number_value(val);
        else if (!json_is_string(val) || num_parse(json_string_value(val), &v[k].value) != 0)
            return err_set(ERR_DATA, "values[%zu].value: not a number", k);
        if (note && !json_is_null(note) && !json_is_string(note))
            return err_set(ERR_DATA, "values[%zu].note: not text", k);
        v[k].note = json_string_value(note);
    }
    *n = json_array_size(arr);
    return 0;
}

static int h_values(http_req *req, json_t **out)
{
    app_ctx q;
    json_t *body = NULL;
    app_entry_value *v = NULL;
    size_t n = 0;
    int rc;
    if ((rc = http_req_app_ctx(req, &q)) != 0 || (rc = http_req_json(req, &body)) != 0)
        goto done;
    if (!(v = calloc(VALUES_MAX, sizeof *v)))
        rc = err_set(ERR_NOMEM, "out of memory");
    else if ((rc = read_values_body(body, v, &n)) == 0)
        rc = app_submission_save(&q, req->param[0], req->param[1], v, n, out);
done:
    free(v);
    json_decref(body);
    return rc;
}

static int h_csv(http_req *req, json_t **out)
{
    app_ctx q;
    json_t *body = NULL;
    const char *csv;
    int rc;
    if ((rc = http_req_app_ctx(req, &q)) != 0 || (rc = http_req_json(req, &body)) != 0)
        goto done;
    if (!(csv = json_string_value(json_object_get(body, "csv"))))
        rc = err_set(ERR_USAGE, "csv: the CSV text is required");
    else
        rc = app_submission_upload(&q, req->param[0], req->param[1], csv, strlen(csv), out);
done:
    json_decref(body);
    return rc;
}

/* A transition: body must be a JSON object; reason is read for a return. */
static int transition(http_req *req, json_t **out, int to)
{
    app_ctx q;
    json_t *body = NULL;
    int rc;
    if ((rc = http_req_app_ctx(req, &q)) == 0 && (rc = http_req_json(req, &body)) == 0)
        rc = app_submission_move(&q, to, req->param[0], req->param[1],
                                 json_string_value(json_object_get(body, "reason")), out);
    json_decref(body);
    return rc;
}

static int h_submit(http_req *req, json_t **out)
{
    return transition(req, out, SUB_SUBMITTED);
}

static int h_approve(http_req *req, json_t **out)
{
    return transition(req, out, SUB_APPROVED);
}

static int h_return(http_req *req, json_t **out)
{
    return transition(req, out, SUB_RETURNED);
}

static int h_reminders(http_req *req, json_t **out)
{
    app_ctx q;
    int rc = http_req_app_ctx(req, &q);
    return rc ? rc : app_reminders(&q, http_req_query(req, "period"), out);
}

/* ---- the table ---- */

#define WRITERS (HTTP_ROLE(ROLE_ADMIN) | HTTP_ROLE(ROLE_REPORTER))
#define OFFICE HTTP_ROLE(ROLE_ADMIN)
#define ONE "/api/submissions/{unit}/{period}"

const http_route http_routes_entry[] = {
    { "GET", "/api/submissions", h_list, HTTP_ROLES_SIGNED_IN, 0, 0 },
    { "GET", ONE, h_detail, HTTP_ROLES_SIGNED_IN, 0, 0 },
    { "PUT", ONE "/values", h_values, WRITERS, VALUES_BODY_MAX, 0 },
    { "POST", ONE "/csv", h_csv, WRITERS, CSV_BODY_MAX, 0 },
    { "POST", ONE "/submit", h_submit, WRITERS, SMALL_BODY_MAX, 0 },
    { "POST", ONE "/approve", h_approve, OFFICE, SMALL_BODY_MAX, 0 },
    { "POST", ONE "/return", h_return, OFFICE, SMALL_BODY_MAX, 0 },
    { "GET", "/api/reminders", h_reminders, HTTP_ROLES_STAFF, 0, 0 },
};

const size_t http_nroutes_entry = sizeof http_routes_entry / sizeof http_routes_entry[0];
