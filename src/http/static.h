/* static: the dashboard's files, read once when the server starts and served from memory with
 * their content type and ETag. Only files found under the directory at start are ever served,
 * so no request path can reach outside it. */
#ifndef SAIMA_HTTP_STATIC_H
#define SAIMA_HTTP_STATIC_H

#include "http/routes.h"

#include <stddef.h>

#define HTTP_STATIC_MAX_FILES 512
#define HTTP_STATIC_MAX_BYTES (64u << 20)   /* all files together */

typedef struct http_static_file {
    char *path;                 /* the request path: "/index.html", "/js/app.js" */
    char *data;
    size_t len;
    const char *type;           /* its Content-Type */
    char etag[HTTP_ETAG_SIZE];
} http_static_file;

typedef struct http_static http_static;

/* Reads every regular file under dir (following no symbolic links out of it). *out is the
 * caller's, released with http_static_free. Returns 0, ERR_NOTFOUND when dir is missing,
 * ERR_DATA when there are more files or bytes than the limits, ERR_IO or ERR_NOMEM. */
int http_static_load(const char *dir, http_static **out);
void http_static_free(http_static *st);

/* The file of a request path ("/" is "/index.html"; a query string is ignored), or NULL. */
const http_static_file *http_static_find(const http_static *st, const char *path);

/* The Content-Type of a file name by its extension ("application/octet-stream" otherwise). */
const char *http_static_type(const char *name);

#endif
