/* routes: the one route table of the API, the dispatcher's checks (path 404, method 405,
 * size 413, content type 415), the error object, ETags, pagination, and the read-only
 * handlers over the store. */
#include "http/routes.h"
#include "io/json.h"
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
    { 429, "too_many_requests" },
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

typedef json_t *(*to_json_fn)(const void *item);

static json_t *unit_any(const void *p) { return io_json_unit(p); }
static json_t *group_any(const void *p) { return io_json_group(p); }
static json_t *indicator_any(const void *p) { return io_json_indicator(p); }
static json_t *period_any(const void *p) { return io_json_period(p); }
static json_t *item_any(const void *p) { return io_json_scheme_item(p); }

/* The JSON array of n items, each made by fn; NULL when out of memory. */
static json_t *array_of(const void *items, size_t n, size_t size, to_json_fn fn)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr && i < n; i++) {
        if (json_array_append_new(arr, fn((const char *)items + i * size)) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

/* The page of a whole list the request asks for, in the envelope; frees nothing. */
static int page_of(http_req *req, const void *items, size_t n, size_t size, to_json_fn fn,
                   json_t **out)
{
    size_t lim, off, from, count;
    int rc = http_page_parse(http_req_query(req, "limit"), http_req_query(req, "offset"), &lim, &off);

    if (rc)
        return rc;
    from = off < n ? off : n;
    count = n - from < lim ? n - from : lim;
    *out = http_page_json(array_of((const char *)items + from * size, count, size, fn), n, lim, off);
    return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}

static int h_health(http_req *req, json_t **out)
{
    store *s;
    int version = 0, rc;

    if ((rc = http_req_store(req, &s)) != 0 || (rc = store_schema_version(s, &version)) != 0)
        return rc;
    *out = json_pack("{s:s, s:i}", "status", "ok", "schema_version", version);
    return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}

/* One handler body for the plain lists: fetch everything, send the page asked for. */
#define LIST_HANDLER(fname, type, fetch, fn)                                        \
    static int fname(http_req *req, json_t **out)                                   \
    {                                                                               \
        store *s;                                                                   \
        type *items = NULL;                                                         \
        size_t n = 0;                                                               \
        int rc;                                                                     \
        if ((rc = http_req_store(req, &s)) == 0 && (rc = fetch(s, &items, &n)) == 0) \
            rc = page_of(req, items, n, sizeof *items, fn, out);                    \
        free(items);                                                                \
        return rc;                                                                  \
    }

LIST_HANDLER(h_units, model_unit, store_units, unit_any)
LIST_HANDLER(h_groups, model_group, store_groups, group_any)
LIST_HANDLER(h_indicators, model_indicator, store_indicators, indicator_any)
LIST_HANDLER(h_periods, model_period, store_periods, period_any)

/* A scheme with its items. */
static json_t *scheme_full(store *s, const model_scheme *sc, int *rc)
{
    model_scheme_item *items = NULL;
    size_t n = 0;
    json_t *o = NULL;

    if ((*rc = store_scheme_items(s, sc->code, &items, &n)) == 0) {
        o = io_json_scheme(sc);
        if (!o || json_object_set_new(o, "items", array_of(items, n, sizeof *items, item_any)) != 0) {
            json_decref(o);
            o = NULL;
            *rc = err_set(ERR_NOMEM, "out of memory");
        }
    }
    free(items);
    return o;
}

static int h_schemes(http_req *req, json_t **out)
{
    store *s;
    model_scheme *list = NULL;
    size_t n = 0, lim, off;
    json_t *arr = NULL;
    int rc;

    if ((rc = http_page_parse(http_req_query(req, "limit"), http_req_query(req, "offset"), &lim,
                              &off)) != 0 ||
        (rc = http_req_store(req, &s)) != 0 || (rc = store_schemes(s, &list, &n)) != 0)
        goto done;
    if (!(arr = json_array())) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = off; i < n && i - off < lim && rc == 0; i++)
        json_array_append_new(arr, scheme_full(s, &list[i], &rc));
    if (rc == 0) {
        *out = http_page_json(arr, n, lim, off);
        arr = NULL;
        rc = *out ? 0 : err_set(ERR_NOMEM, "out of memory");
    }
done:
    json_decref(arr);
    free(list);
    return rc;
}

static int h_group(http_req *req, json_t **out)
{
    store *s;
    model_group *groups = NULL;
    model_unit *members = NULL;
    size_t ng = 0, nm = 0, i;
    int rc;

    if ((rc = http_req_store(req, &s)) != 0 || (rc = store_groups(s, &groups, &ng)) != 0)
        goto done;
    for (i = 0; i < ng && strcmp(groups[i].code, req->param[0]) != 0; i++)
        ;
    if (i == ng) {
        rc = err_set(ERR_NOTFOUND, "no group with code '%s'", req->param[0]);
        goto done;
    }
    if ((rc = store_group_members(s, groups[i].code, &members, &nm)) != 0)
        goto done;
    *out = io_json_group(&groups[i]);
    if (!*out || json_object_set_new(*out, "members",
                                     array_of(members, nm, sizeof *members, unit_any)) != 0) {
        json_decref(*out);
        *out = NULL;
        rc = err_set(ERR_NOMEM, "out of memory");
    }
done:
    free(groups);
    free(members);
    return rc;
}

static int h_indicator(http_req *req, json_t **out)
{
    store *s;
    model_indicator *list = NULL;
    size_t n = 0, i;
    int rc;

    if ((rc = http_req_store(req, &s)) != 0 || (rc = store_indicators(s, &list, &n)) != 0)
        goto done;
    for (i = 0; i < n && strcmp(list[i].code, req->param[0]) != 0; i++)
        ;
    if (i == n)
        rc = err_set(ERR_NOTFOUND, "no indicator with code '%s'", req->param[0]);
    else if (!(*out = io_json_indicator(&list[i])))
        rc = err_set(ERR_NOMEM, "out of memory");
done:
    free(list);
    return rc;
}

/* Collects one page of observations while counting them all. */
typedef struct obs_page {
    json_t *items;
    size_t seen, limit, offset;
    const char *own_unit;      /* a reporter's unit: its unpublished rows are shown too */
} obs_page;

static int obs_collect(const model_observation *o, void *ctx)
{
    obs_page *p = ctx;

    if (p->own_unit && o->state != OBS_PUBLISHED && strcmp(o->unit_code, p->own_unit) != 0)
        return 0;
    if (p->seen >= p->offset && p->seen - p->offset < p->limit &&
        json_array_append_new(p->items, io_json_observation(o)) != 0)
        return err_set(ERR_NOMEM, "out of memory");
    p->seen++;
    return 0;
}

/* Copies a query argument into a filter field; too long is ERR_USAGE. */
static int filter_text(http_req *req, const char *name, char *dst, size_t size)
{
    const char *v = http_req_query(req, name);

    if (!v || !v[0])
        return 0;
    if (strlen(v) >= size)
        return err_set(ERR_USAGE, "%s is too long", name);
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

/* Builds the observation filter of ?indicator, ?unit, ?period (any form period_parse reads)
 * and ?year. */
static int obs_filter_of(http_req *req, obs_filter *f)
{
    const char *pq = http_req_query(req, "period"), *year = http_req_query(req, "year");
    period_key key;
    long y;
    int rc;

    *f = store_filter_all();
    if ((rc = filter_text(req, "indicator", f->indicator_code, sizeof f->indicator_code)) != 0 ||
        (rc = filter_text(req, "unit", f->unit_code, sizeof f->unit_code)) != 0)
        return rc;
    if (pq && pq[0]) {
        if (period_parse(pq, &key) != 0)
            return err_set(ERR_USAGE, "period '%s' is not a period (2026-10, 2026-Q3, 2026)", pq);
        period_format(&key, f->period_code, sizeof f->period_code);
    }
    if (year && year[0]) {
        if (num_parse_int(year, PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, &y) != 0)
            return err_set(ERR_USAGE, "year '%s' is not a year", year);
        f->year = (int)y;
    }
    return 0;
}

static int h_observations(http_req *req, json_t **out)
{
    store *s;
    obs_filter f;
    obs_page p = { NULL, 0, 0, 0, NULL };
    int rc;

    if ((rc = http_page_parse(http_req_query(req, "limit"), http_req_query(req, "offset"),
                              &p.limit, &p.offset)) != 0 ||
        (rc = obs_filter_of(req, &f)) != 0 || (rc = http_req_store(req, &s)) != 0)
        return rc;
    if (req->who.role == ROLE_REPORTER)
        p.own_unit = req->who.unit_code;
    else if (!http_req_sees_unpublished(req))
        f.published_only = 1;
    if (!(p.items = json_array()))
        return err_set(ERR_NOMEM, "out of memory");
    if ((rc = store_observations_each(s, &f, obs_collect, &p)) != 0) {
        json_decref(p.items);
        return rc;
    }
    *out = http_page_json(p.items, p.seen, p.limit, p.offset);
    return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
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
