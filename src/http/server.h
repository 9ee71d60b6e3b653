/* server: Saima's HTTP server on libmicrohttpd — request threads and a slow pool for results
 * not kept yet, each thread with its own store connection, the route table of routes.c, kept
 * results, an access log and a graceful stop. */
#ifndef SAIMA_HTTP_SERVER_H
#define SAIMA_HTTP_SERVER_H

#include <stddef.h>
#include <stdio.h>

struct http_route;

typedef struct http_server http_server;

#define HTTP_SERVER_THREADS_DEFAULT 2
#define HTTP_SERVER_THREADS_MAX 64
#define HTTP_SERVER_SLOW_DEFAULT 2     /* results computed at once, off the request threads */
#define HTTP_SERVER_QUEUE_DEFAULT 128  /* computations waiting for one; more is 503 */
#define HTTP_SERVER_DRAIN_SECONDS 10 /* the longest a stop waits for requests in flight */

/* How to start; zero or NULL fields take the defaults. */
typedef struct http_server_opts {
    const char *db_path;       /* required: an existing Saima database */
    const char *bind;          /* IPv4 or IPv6 address, default 127.0.0.1 */
    int port;                  /* 0 picks a free port: read it with http_server_port */
    int threads;               /* request threads, default HTTP_SERVER_THREADS_DEFAULT */
    int slow_threads;          /* the slow pool computing results that are not kept yet,
                                * default HTTP_SERVER_SLOW_DEFAULT */
    int slow_queue;            /* computations that may wait for it, default
                                * HTTP_SERVER_QUEUE_DEFAULT; past it a request is 503 */
    int busy_ms;               /* how long a write waits for another process's write lock
                                * before 503; default the store's */
    FILE *access_log;          /* one line per request, or NULL for none */
    const char *static_dir;    /* the dashboard's files, or NULL to serve only the API */
    const struct http_route *routes; /* a route table instead of Saima's (tests) */
    size_t nroutes;
} http_server_opts;

/* Starts a server listening on the address; *out is the caller's, to release with
 * http_server_stop. Returns 0, ERR_USAGE for bad options, ERR_NOTFOUND when the database
 * does not exist, the store's error when it cannot be opened, or ERR_IO when the address
 * cannot be bound. */
int http_server_start(const http_server_opts *o, http_server **out);

/* Stops accepting connections, lets requests in flight finish (at most
 * HTTP_SERVER_DRAIN_SECONDS), then stops the workers and closes their stores. NULL is
 * allowed. */
void http_server_stop(http_server *s);

/* The port the server listens on (the one chosen when opts.port was 0). */
int http_server_port(const http_server *s);

#endif
