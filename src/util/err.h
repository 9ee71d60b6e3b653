/* err: Saima's one table of error codes, their messages and exit codes, plus a per-thread
 * detail message set where an error is found and printed once, at the edge. */
#ifndef SAIMA_ERR_H
#define SAIMA_ERR_H

/* X(name, value, exit code, HTTP status, message) */
#define ERR_TABLE(X)                                                   \
    X(ERR_OK,        0, 0, 200, "ok")                                  \
    X(ERR_USAGE,    -1, 1, 400, "usage error")                         \
    X(ERR_DATA,     -2, 2, 422, "bad data")                            \
    X(ERR_NOTFOUND, -3, 2, 404, "not found")                           \
    X(ERR_CONFLICT, -4, 2, 409, "conflict")                            \
    X(ERR_LOCKED,   -5, 2, 423, "locked")                              \
    X(ERR_IO,       -6, 3, 500, "input/output error")                  \
    X(ERR_DB,       -7, 3, 500, "database error")                      \
    X(ERR_NOMEM,    -8, 3, 500, "out of memory")                       \
    X(ERR_INTERNAL, -9, 3, 500, "internal error")                      \
    X(ERR_AUTH,    -10, 1, 401, "sign-in required")                    \
    X(ERR_DENIED,  -11, 1, 403, "not allowed")                         \
    X(ERR_LIMIT,   -12, 1, 429, "too many attempts")                   \
    X(ERR_PUBLISHED, -13, 2, 423, "published and locked")              \
    X(ERR_CONSTRAINT, -14, 2, 422, "constraint violated")              \
    X(ERR_TOOBIG,  -15, 2, 413, "too large")                           \
    X(ERR_BUSY,    -16, 3, 503, "busy, try again")

enum err_code {
#define ERR_ENUM(name, value, exit_code, http, msg) name = value,
    ERR_TABLE(ERR_ENUM)
#undef ERR_ENUM
};

/* Records a detail message for this thread and returns code, so callers can
 * write `return err_set(ERR_DATA, "line %d: ...", n);`. */
int err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last detail message set on this thread ("" if none). */
const char *err_msg(void);

/* Forgets the detail message of this thread. */
void err_clear(void);

/* The generic message of a code ("bad data"). */
const char *err_name(int code);

/* The process exit code for an error code: 0 ok, 1 usage, 2 bad data, 3 internal. */
int err_exit_code(int code);

/* The HTTP status for an error code. */
int err_http_status(int code);

#endif
