/* request: one request as a handler sees it — who asks, the route's parameters, the body —
 * and what a handler may ask of it. The server (server.c) fills the request and provides the
 * accessors that need the connection (query arguments, the worker's store, sessions,
 * cookies); request.c the ones that need only the request. */
#ifndef SAIMA_HTTP_REQUEST_H
#define SAIMA_HTTP_REQUEST_H

#include "model/model.h"
#include "store/store.h"

#include <jansson.h>
#include <stddef.h>

#define HTTP_MAX_PARAMS 4      /* {name} segments in one route path */
#define HTTP_PATH_MAX 1024     /* longer request paths are 404 */
#define HTTP_COOKIE_MAX 256    /* one Set-Cookie header value */

struct http_server;

/* Who is asking: the signed-in account behind the request's session, or the public. */
typedef struct http_principal {
    int role;                           /* enum user_role; ROLE_PUBLIC when not signed in */
    char login[MODEL_CODE_MAX];         /* "" for the public */
    char display_name[MODEL_NAME_MAX];
    char unit_code[MODEL_CODE_MAX];     /* a reporter's unit, else "" */
} http_principal;

/* One request as a handler sees it. Strings are borrowed for the request's lifetime. */
typedef struct http_req {
    const char *method;
    const char *path;
    const char *param[HTTP_MAX_PARAMS]; /* the {name} segments of the route, in order */
    int nparam;
    const char *body;                   /* NUL-terminated; "" when there is none */
    size_t body_len;
    int status;                         /* 200 unless the handler sets another success status */
    http_principal who;                 /* set by the server before the handler runs */
    const char *client_ip;              /* the peer's address as text */
    const char *session_token;          /* the session cookie sent, or NULL */
    char csrf[48];                      /* the session's CSRF token, "" without a session */
    char set_cookie[2][HTTP_COOKIE_MAX]; /* Set-Cookie values of the reply */
    int nset_cookie;
    int retry_after;                    /* seconds for a Retry-After header, 0 for none */
    struct http_server *server;         /* NULL outside a server (unit tests of handlers) */
    void *conn;                         /* the MHD connection, for query arguments */
    char buf[HTTP_PATH_MAX];            /* storage of the params */
} http_req;

/* A query argument of the request (decoded), or NULL (server.c). */
const char *http_req_query(const http_req *req, const char *name);

/* Nonzero when the request may see unpublished figures (admins and leaders) (request.c). */
int http_req_sees_unpublished(const http_req *req);

/* Reads the request body as a JSON object (request.c). Returns 0, or ERR_USAGE naming the line and column
 * of bad JSON, or a body that is not an object (*out is the caller's). */
int http_req_json(const http_req *req, json_t **out);

struct http_sessions;

/* The server's sessions and login throttle (server.c); NULL outside a server. */
struct http_sessions *http_req_sessions(const http_req *req);

/* Adds a Set-Cookie header value to the reply; more than two are ignored. */
void http_req_set_cookie(http_req *req, const char *value);

/* This worker thread's store, opened on first use and closed when the server stops
 * (server.c). Returns 0 or the store's error; ERR_INTERNAL outside a server. */
int http_req_store(http_req *req, store **out);

struct app_ctx;

/* The use-case context of a request (request.c): its store, what its caller may see, who
 * acts (a reporter on its own unit only), and ?lang=zh|en. Returns 0, ERR_USAGE for another lang, or the store's error. */
int http_req_app_ctx(http_req *req, struct app_ctx *q);

#endif
