/* routes: the server's route table, the checks every request passes before a handler runs
 * (path, method, size, content type), and what handlers share: the request, the one error
 * object, ETags and the list envelope. Shared by server.c, routes.c and the API tests. */
#ifndef SAIMA_HTTP_ROUTES_H
#define SAIMA_HTTP_ROUTES_H

#include "store/store.h"

#include <jansson.h>
#include <stddef.h>

#define HTTP_MAX_PARAMS 4      /* {name} segments in one route path */
#define HTTP_PATH_MAX 1024     /* longer request paths are 404 */
#define HTTP_ETAG_SIZE 35      /* a quoted 32-digit hex hash and its NUL */
#define HTTP_ALLOW_SIZE 64     /* the text of an Allow header */
#define HTTP_PAGE_DEFAULT 100
#define HTTP_PAGE_MAX 1000

struct http_server;

/* One request as a handler sees it. Strings are borrowed for the request's lifetime. */
typedef struct http_req {
    const char *method;
    const char *path;
    const char *param[HTTP_MAX_PARAMS]; /* the {name} segments of the route, in order */
    int nparam;
    const char *body;                   /* NUL-terminated; "" when there is none */
    size_t body_len;
    int status;                         /* 200 unless the handler sets another success status */
    struct http_server *server;         /* NULL outside a server (unit tests of handlers) */
    void *conn;                         /* the MHD connection, for query arguments */
    char buf[HTTP_PATH_MAX];            /* storage of the params */
} http_req;

/* A handler returns 0 with *out set to the reply body (the dispatcher's), or an err code
 * with err_set detail: the dispatcher turns it into the error object and its status. */
typedef int (*http_handler)(http_req *req, json_t **out);

/* One route. min_role is the least privileged enum user_role allowed (ROLE_PUBLIC lets
 * everyone in); it is recorded now and enforced once sessions exist. */
typedef struct http_route {
    const char *method;        /* "GET", "POST", "PUT", "DELETE" */
    const char *path;          /* "/api/groups/{code}": a {name} matches one non-empty segment */
    http_handler handler;
    int min_role;
    size_t max_body;           /* bytes of request body allowed; 0 for none */
} http_route;

/* Saima's route table. */
extern const http_route http_routes[];
extern const size_t http_nroutes;

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

/* A query argument of the request (decoded), or NULL (server.c). */
const char *http_req_query(const http_req *req, const char *name);

/* This worker thread's store, opened on first use and closed when the server stops
 * (server.c). Returns 0 or the store's error; ERR_INTERNAL outside a server. */
int http_req_store(http_req *req, store **out);

#endif
