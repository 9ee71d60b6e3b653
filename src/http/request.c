/* request: what a handler may ask of its request without the connection — its body as JSON,
 * whether its caller sees unpublished figures, and its use-case context. */
#include "http/request.h"
#include "app/app.h"
#include "util/err.h"

#include <string.h>

int http_req_sees_unpublished(const http_req *req)
{
    return req->who.role == ROLE_ADMIN || req->who.role == ROLE_LEADER;
}

int http_req_json(const http_req *req, json_t **out)
{
    json_error_t e;

    *out = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!*out)
        return err_set(ERR_USAGE, "bad JSON at line %d, column %d: %s", e.line, e.column, e.text);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return err_set(ERR_USAGE, "the request body must be a JSON object");
    }
    return 0;
}

int http_req_app_ctx(http_req *req, app_ctx *q)
{
    const char *lang = http_req_query(req, "lang");
    int rc;
    memset(q, 0, sizeof *q);
    if ((rc = http_req_store(req, &q->s)) != 0)
        return rc;
    if (lang && strcmp(lang, "en") != 0 && strcmp(lang, "zh") != 0)
        return err_set(ERR_USAGE, "lang takes zh or en, not '%s'", lang);
    q->english = lang && strcmp(lang, "en") == 0;
    q->published_only = !http_req_sees_unpublished(req);
    q->actor = req->who.login;
    if (req->who.role == ROLE_REPORTER)
        q->actor_unit = req->who.unit_code;
    return 0;
}
