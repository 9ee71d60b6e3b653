/* routes: the server's route table, the checks every request passes before a handler runs
 * (path, method, size, content type), and what handlers share: the request, the one error
 * object, ETags and the list envelope. Shared by server.c, routes.c and the API tests; the
 * request a handler sees is in request.h. */
#ifndef SAIMA_HTTP_ROUTES_H
#define SAIMA_HTTP_ROUTES_H

#include "http/request.h"

#include <jansson.h>
#include <stddef.h>

#define HTTP_ETAG_SIZE 35      /* a quoted 32-digit hex hash and its NUL */
#define HTTP_ALLOW_SIZE 64     /* the text of an Allow header */
#define HTTP_PAGE_DEFAULT 100
#define HTTP_PAGE_MAX 1000
#define HTTP_SESSION_COOKIE "saima_session"
#define HTTP_CSRF_HEADER "X-CSRF-Token"

/* Role sets of a route: a bit per enum user_role. */
#define HTTP_ROLE(r) (1u << (r))
#define HTTP_ROLES_ALL 0xFu
#define HTTP_ROLES_SIGNED_IN (HTTP_ROLE(ROLE_ADMIN) | HTTP_ROLE(ROLE_REPORTER) | HTTP_ROLE(ROLE_LEADER))
#define HTTP_ROLES_STAFF (HTTP_ROLE(ROLE_ADMIN) | HTTP_ROLE(ROLE_LEADER))

/* Route flags. */
#define HTTP_ROUTE_NO_CSRF 1u   /* a state-changing route taken before a session exists (login) */
#define HTTP_ROUTE_CACHE 2u     /* a GET whose reply depends only on the data, the URL and whether
                                 * the caller sees unpublished figures: computed off the request
                                 * threads, and kept until what it reads changes */
/* The store concerns (STORE_CONCERN bits) a cacheable route reads, in its flags: its kept
 * reply holds while their counters stay. A route that declares none reads all of them. */
#define HTTP_ROUTE_READS(mask) ((unsigned)(mask) << 8)
#define HTTP_ROUTE_READS_OF(flags) ((flags) >> 8)

/* A handler returns 0 with *out set to the reply body (the dispatcher's), or an err code
 * with err_set detail: the dispatcher turns it into the error object and its status. */
typedef int (*http_handler)(http_req *req, json_t **out);

/* One route. The server refuses a request whose principal's role is not in roles (401 for
 * the public, 403 for an account) and a state-changing request (not GET or HEAD) without the
 * session's CSRF token, unless flags has HTTP_ROUTE_NO_CSRF. Finer rules (a reporter's own
 * unit) are the handler's. */
typedef struct http_route {
    const char *method;        /* "GET", "POST", "PUT", "DELETE" */
    const char *path;          /* "/api/groups/{code}": a {name} matches one non-empty segment */
    http_handler handler;
    unsigned roles;            /* HTTP_ROLE bits of who may call it */
    size_t max_body;           /* bytes of request body allowed; 0 for none */
    unsigned flags;            /* HTTP_ROUTE_ bits */
} http_route;

/* A route table of one module of the API. */
typedef struct http_route_set {
    const http_route *routes;
    const size_t *n;
} http_route_set;

/* The modules' tables making up Saima's API (routes.c lists them), and each module's table. */
extern const http_route_set http_route_sets[];
extern const size_t http_nroute_sets;
extern const http_route http_routes[];        /* routes.c: reference data */
extern const size_t http_nroutes;
extern const http_route http_routes_auth[];   /* api_auth.c: sessions and accounts */
extern const size_t http_nroutes_auth;
extern const http_route http_routes_entry[];  /* api_entry.c: data entry and approval */
extern const size_t http_nroutes_entry;
extern const http_route http_routes_engine[]; /* api_engine.c: the engine's results */
extern const size_t http_nroutes_engine;

/* Copies every set's routes into one table (*out is the caller's to free). Returns 0 or
 * ERR_NOMEM. */
int http_routes_all(http_route **out, size_t *n);

/* Finds the route of method and path among n routes and fills req's method, path and
 * params. Returns 0, 404 when no route has this path, or 405 when routes have the path but
 * not the method; then allow receives their methods ("GET, HEAD"). HEAD matches GET. */
int http_route_match(const http_route *routes, size_t n, const char *method, const char *path,
                     http_req *req, const http_route **out, char allow[HTTP_ALLOW_SIZE]);

/* Checks a request body against its route: returns 0, 413 when length exceeds max_body, or
 * 415 when a POST, PUT or PATCH does not say Content-Type application/json. */
int http_route_check_body(const http_route *r, const char *method, const char *content_type,
                          unsigned long long length);

/* The error code text of an HTTP status ("not_found" for 404, "internal" for any 5xx). */
const char *http_status_code(int status);

/* The one error object: {"error": {"code": ..., "status": ..., "message": ...}}. */
json_t *http_error_json(int status, const char *message);

/* The quoted hex ETag of a body (BLAKE2b, 128 bits). */
void http_etag(const char *body, size_t len, char out[HTTP_ETAG_SIZE]);

/* Nonzero when an If-None-Match header value names etag (or is "*"); weak tags count. */
int http_etag_match(const char *if_none_match, const char *etag);

/* Parses ?limit (default HTTP_PAGE_DEFAULT, larger than HTTP_PAGE_MAX is cut to it) and
 * ?offset (default 0); NULL means absent. Returns 0 or ERR_USAGE. */
int http_page_parse(const char *limit, const char *offset, size_t *lim, size_t *off);

/* The list envelope {"items": items, "total", "limit", "offset"}; steals items. */
json_t *http_page_json(json_t *items, size_t total, size_t limit, size_t offset);

#endif
