/* routes: the one route table of the API, the dispatcher's checks (path 404, method 405,
 * size 413, content type 415), the error object, ETags, pagination, and the read-only
 * handlers of reference data, each one app call. */
#include "http/routes.h"
#include "app/app.h"
#include "util/err.h"
#include "util/num.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- matching and checks ---- */

/* Matches one route path against a request path, capturing {name} segments into req. */
static int path_match(const char *pattern, const char *path, http_req *req)
{
    size_t used = 0;

    req->nparam = 0;
    while (*pattern && *path) {
        const char *pe, *se;
        if (*pattern != '/' || *path != '/')
            return 0;
        pattern++;
        path++;
        pe = strchrnul(pattern, '/');
        se = strchrnul(path, '/');
        if (*pattern == '{') {
            size_t n = (size_t)(se - path);
            if (n == 0 || req->nparam >= HTTP_MAX_PARAMS || used + n + 1 > sizeof req->buf)
                return 0;
            memcpy(req->buf + used, path, n);
            req->buf[used + n] = '\0';
            req->param[req->nparam++] = req->buf + used;
            used += n + 1;
        } else if (pe - pattern != se - path || memcmp(pattern, path, (size_t)(pe - pattern)) != 0) {
            return 0;
        }
        pattern = pe;
        path = se;
    }
    return *pattern == '\0' && *path == '\0';
}

static int method_is(const char *route_method, const char *method)
{
    return strcmp(route_method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

static void allow_add(char allow[HTTP_ALLOW_SIZE], const char *method)
{
    size_t len = strlen(allow);
    if (strstr(allow, method))
        return;
    snprintf(allow + len, HTTP_ALLOW_SIZE - len, "%s%s", len ? ", " : "", method);
}

int http_route_match(const http_route *routes, size_t n, const char *method, const char *path,
                     http_req *req, const http_route **out, char allow[HTTP_ALLOW_SIZE])
{
    int path_known = 0;

    *out = NULL;
    allow[0] = '\0';
    req->method = method;
    req->path = path;
    for (size_t i = 0; i < n; i++) {
        if (!path_match(routes[i].path, path, req))
            continue;
        if (method_is(routes[i].method, method)) {
            *out = &routes[i];
            return 0;
        }
        path_known = 1;
        allow_add(allow, routes[i].method);
        if (strcmp(routes[i].method, "GET") == 0)
            allow_add(allow, "HEAD");
    }
    req->nparam = 0;
    return path_known ? 405 : 404;
}

/* Nonzero when a Content-Type value is application/json, with or without parameters. */
static int is_json_type(const char *ct)
{
    static const char json[] = "application/json";
    size_t n = sizeof json - 1;

    if (!ct)
        return 0;
    while (*ct == ' ')
        ct++;
    if (strncasecmp(ct, json, n) != 0)
        return 0;
    ct += n;
    while (*ct == ' ')
        ct++;
    return *ct == '\0' || *ct == ';';
}

int http_route_check_body(const http_route *r, const char *method, const char *content_type,
                          unsigned long long length)
{
    if (length > r->max_body)
        return 413;
    if ((strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
         strcmp(method, "PATCH") == 0) && !is_json_type(content_type))
        return 415;
    return 0;
}

/* ---- the error object ---- */

static const struct {
    int status;
    const char *code;
} status_codes[] = {
    { 400, "bad_request" },        { 401, "unauthorized" },
    { 403, "forbidden" },          { 404, "not_found" },
    { 405, "method_not_allowed" }, { 409, "conflict" },
    { 413, "payload_too_large" },  { 415, "unsupported_media_type" },
    { 422, "invalid_data" },       { 423, "locked" },
    { 429, "too_many_requests" },  { 503, "unavailable" },
};

const char *http_status_code(int status)
{
    for (size_t i = 0; i < sizeof status_codes / sizeof status_codes[0]; i++) {
        if (status_codes[i].status == status)
            return status_codes[i].code;
    }
    return status >= 500 ? "internal" : "bad_request";
}

json_t *http_error_json(int status, const char *message)
{
    return json_pack("{s:{s:s, s:i, s:s}}", "error", "code", http_status_code(status), "status",
                     status, "message", message ? message : "");
}

/* ---- ETags and pages ---- */

void http_etag(const char *body, size_t len, char out[HTTP_ETAG_SIZE])
{
    unsigned char hash[16];

    crypto_generichash(hash, sizeof hash, (const unsigned char *)body, len, NULL, 0);
    out[0] = '"';
    sodium_bin2hex(out + 1, HTTP_ETAG_SIZE - 2, hash, sizeof hash);
    out[HTTP_ETAG_SIZE - 2] = '"';
    out[HTTP_ETAG_SIZE - 1] = '\0';
}

int http_etag_match(const char *if_none_match, const char *etag)
{
    const char *p = if_none_match;
    size_t n = strlen(etag);

    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '*')
            return 1;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return 1;
        while (*p && *p != ',')
            p++;
    }
    return 0;
}

int http_page_parse(const char *limit, const char *offset, size_t *lim, size_t *off)
{
    long v;

    *lim = HTTP_PAGE_DEFAULT;
    *off = 0;
    if (limit) {
        if (num_parse_int(limit, 0, 1000000000L, &v) != 0)
            return err_set(ERR_USAGE, "limit must be a whole number, 0 or more (pages hold at most %d)",
                           HTTP_PAGE_MAX);
        *lim = v > HTTP_PAGE_MAX ? HTTP_PAGE_MAX : (size_t)v;
    }
    if (offset) {
        if (num_parse_int(offset, 0, 1000000000L, &v) != 0)
            return err_set(ERR_USAGE, "offset must be a whole number, 0 or more");
        *off = (size_t)v;
    }
    return 0;
}

json_t *http_page_json(json_t *items, size_t total, size_t limit, size_t offset)
{
    if (!items)
        return NULL;
    return json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total, "limit",
                     (json_int_t)limit, "offset", (json_int_t)offset);
}

/* ---- handlers ---- */

static int h_health(http_req *req, json_t **out)
{
    store *s;
    int version = 0, rc;

    if ((rc = http_req_store(req, &s)) != 0 || (rc = store_schema_version(s, &version)) != 0)
        return rc;
    *out = json_pack("{s:s, s:i}", "status", "ok", "schema_version", version);
    return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}

/* Sends items (stolen) as the page [offset, offset + limit) of total rows. */
static int page_reply(json_t *items, size_t total, size_t limit, size_t offset, json_t **out)
{
    *out = http_page_json(items, total, limit, offset);
    return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}

/* One handler body for the plain lists: the page the request asks for of app's list of kind
 * (schemes with their items when children). */
static int list_page(http_req *req, int kind, int children, json_t **out)
{
    app_list_opts o = { 0, 0, children, 0, 0 };
    app_ctx q;
    json_t *items = NULL;
    size_t total = 0;
    int rc;

    if ((rc = http_page_parse(http_req_query(req, "limit"), http_req_query(req, "offset"), &o.limit,
                              &o.offset)) != 0 ||
        (rc = http_req_app_ctx(req, &q)) != 0 || (rc = app_list(&q, kind, &o, &items, &total)) != 0)
        return rc;
    return page_reply(items, total, o.limit, o.offset, out);
}

static int h_units(http_req *req, json_t **out) { return list_page(req, APP_UNITS, 0, out); }
static int h_groups(http_req *req, json_t **out) { return list_page(req, APP_GROUPS, 0, out); }
static int h_indicators(http_req *req, json_t **out) { return list_page(req, APP_INDICATORS, 0, out); }
static int h_periods(http_req *req, json_t **out) { return list_page(req, APP_PERIODS, 0, out); }
static int h_schemes(http_req *req, json_t **out) { return list_page(req, APP_SCHEMES, 1, out); }

/* One entity of kind by the {code} of the path, with its children. */
static int show_one(http_req *req, int kind, json_t **out)
{
    app_ctx q;
    int rc;

    if ((rc = http_req_app_ctx(req, &q)) != 0)
        return rc;
    return app_show(&q, kind, req->param[0], out);
}

static int h_group(http_req *req, json_t **out) { return show_one(req, APP_GROUPS, out); }
static int h_indicator(http_req *req, json_t **out) { return show_one(req, APP_INDICATORS, out); }

/* The page of observations the request asks for (?indicator, ?unit, ?period, ?year), of those
 * the principal may see (app_observations decides). */
static int h_observations(http_req *req, json_t **out)
{
    app_obs_query f = { http_req_query(req, "indicator"), http_req_query(req, "unit"),
                        http_req_query(req, "period"), http_req_query(req, "year"), 0, 0 };
    app_ctx q;
    json_t *items = NULL;
    size_t total = 0;
    int rc;

    if ((rc = http_page_parse(http_req_query(req, "limit"), http_req_query(req, "offset"), &f.limit,
                              &f.offset)) != 0 ||
        (rc = http_req_app_ctx(req, &q)) != 0 || (rc = app_observations(&q, &f, &items, &total)) != 0)
        return rc;
    return page_reply(items, total, f.limit, f.offset, out);
}

/* ---- the table ---- */

#define READ(path, fn) { "GET", path, fn, HTTP_ROLES_ALL, 0, 0 }

const http_route http_routes[] = {
    READ("/api/health", h_health),
    READ("/api/units", h_units),
    READ("/api/groups", h_groups),
    READ("/api/groups/{code}", h_group),
    READ("/api/indicators", h_indicators),
    READ("/api/indicators/{code}", h_indicator),
    READ("/api/schemes", h_schemes),
    READ("/api/periods", h_periods),
    READ("/api/observations", h_observations),
};

const size_t http_nroutes = sizeof http_routes / sizeof http_routes[0];

const http_route_set http_route_sets[] = {
    { http_routes, &http_nroutes },
    { http_routes_auth, &http_nroutes_auth },
    { http_routes_entry, &http_nroutes_entry },
    { http_routes_engine, &http_nroutes_engine },
};

const size_t http_nroute_sets = sizeof http_route_sets / sizeof http_route_sets[0];

int http_routes_all(http_route **out, size_t *n)
{
    size_t total = 0, k = 0;

    for (size_t i = 0; i < http_nroute_sets; i++)
        total += *http_route_sets[i].n;
    if (!(*out = malloc(total * sizeof **out)))
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < http_nroute_sets; i++) {
        memcpy(*out + k, http_route_sets[i].routes, *http_route_sets[i].n * sizeof **out);
        k += *http_route_sets[i].n;
    }
    *n = total;
    return 0;
}
