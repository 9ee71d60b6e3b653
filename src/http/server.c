/* server: the libmicrohttpd glue — per-request state, body accumulation under the route's
 * limit, replies (JSON, ETag, 304, errors), the access log, per-thread stores and the
 * graceful stop. What a request may do is decided in routes.c. */
#include "http/server.h"
#include "app/app.h"
#include "app/auth.h"
#include "http/routes.h"
#include "http/session.h"
#include "http/static.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/grow.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CACHE_SLOTS 512          /* replies kept, direct-mapped by a hash of their key */
#define CACHE_KEY_MAX 1200
/* The largest reply body built; a larger one is not sent (the connection is closed). */
#define REPLY_MAX (64 * 1024 * 1024)

/* One kept reply of a cacheable route, valid while the server's generation is gen. */
typedef struct cache_slot {
    char key[CACHE_KEY_MAX];
    char *body;
    size_t len;
    unsigned long gen;
} cache_slot;

struct http_server {
    struct MHD_Daemon *daemon;
    char *db_path;
    FILE *log;
    const http_route *routes;
    size_t nroutes;
    http_route *own_routes;    /* the joined table of every module, when not given one */
    http_sessions *sessions;
    http_static *files;        /* the dashboard, or NULL */
    int port;
    pthread_key_t key;         /* this thread's store */
    pthread_mutex_t mu;        /* guards what follows */
    pthread_cond_t idle;       /* signalled when inflight drops */
    store **stores;
    size_t nstores, cap;
    int inflight;
    int stopping;
    unsigned long gen;         /* bumped whenever the database may have changed */
    cache_slot *cache;         /* CACHE_SLOTS, or NULL */
};

/* The store's change counter as this thread's handle last read it. */
static __thread long long seen_version = -1;

/* The state of one request across the access handler's calls. */
typedef struct conn_req {
    http_req req;
    const http_route *route;
    char method[16];
    char path[HTTP_PATH_MAX];
    char ip[INET6_ADDRSTRLEN];
    struct buf body;           /* bounded by the route's max_body; failed when it was more */
    int status;                /* what was sent, for the log */
    size_t bytes;
    struct timespec t0;
    char token[APP_AUTH_TOKEN_SIZE + 4]; /* the session cookie's value */
    int is_static;             /* a dashboard file, not an API route */
} conn_req;

static long long elapsed_us(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (long long)(t1.tv_sec - t0->tv_sec) * 1000000 + (t1.tv_nsec - t0->tv_nsec) / 1000;
}

static void client_ip(struct MHD_Connection *c, char *buf, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    snprintf(buf, size, "-");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
                  (socklen_t)size);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
                  (socklen_t)size);
}

/* Queues body (malloc'd, taken) with the JSON content type and the usual headers. */
static enum MHD_Result send_body(http_server *s, struct MHD_Connection *c, conn_req *r,
                                 int status, char *body, size_t len, const char *etag,
                                 const char *allow)
{
    struct MHD_Response *resp;
    enum MHD_Result ok;
    int stopping;

    resp = MHD_create_response_from_buffer(len, body, body ? MHD_RESPMEM_MUST_FREE
                                                           : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    if (status != MHD_HTTP_NOT_MODIFIED)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    for (int i = 0; i < r->req.nset_cookie; i++)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->req.set_cookie[i]);
    if (r->req.retry_after > 0) {
        char secs[16];
        snprintf(secs, sizeof secs, "%d", r->req.retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, secs);
    }
    if (etag) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    }
    if (allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    pthread_mutex_lock(&s->mu);
    stopping = s->stopping;
    pthread_mutex_unlock(&s->mu);
    if (stopping)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    r->status = status;
    r->bytes = status == MHD_HTTP_NOT_MODIFIED ? 0 : len;
    ok = MHD_queue_response(c, (unsigned int)status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* Adds a piece of serialised JSON to the buf in data, as json_dump_callback asks. */
static int add_json(const char *text, size_t n, void *data)
{
    return buf_add(data, text, n) == 0 ? 0 : -1;
}

/* Serialises value (taken) compactly with a final newline; reals with 15 significant digits,
 * as the CLI prints them, so 37.98 stays 37.98. NULL when it is over REPLY_MAX or memory is
 * short. */
static char *dump_json(json_t *value, size_t *len)
{
    struct buf text;
    char *out = NULL;

    buf_init(&text, REPLY_MAX);
    if (value && json_dump_callback(value, add_json, &text, JSON_COMPACT | JSON_REAL_PRECISION(15)) == 0 &&
        buf_add(&text, "\n", 1) == 0)
        out = buf_take(&text, len);
    json_decref(value);
    buf_free(&text);
    return out;
}

/* Sends serialised JSON text (taken) with ETag and 304 handling. */
static enum MHD_Result send_text(http_server *s, struct MHD_Connection *c, conn_req *r,
                                 char *text, size_t len)
{
    char etag[HTTP_ETAG_SIZE];
    const char *inm;

    http_etag(text, len, etag);
    inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (inm && http_etag_match(inm, etag)) {
        free(text);
        return send_body(s, c, r, MHD_HTTP_NOT_MODIFIED, NULL, 0, etag, NULL);
    }
    return send_body(s, c, r, MHD_HTTP_OK, text, len, etag, NULL);
}

static enum MHD_Result send_json(http_server *s, struct MHD_Connection *c, conn_req *r,
                                 int status, json_t *value, const char *allow)
{
    size_t len = 0;
    char *text = dump_json(value, &len);

    if (!text)
        return MHD_NO;
    if (status != MHD_HTTP_OK || strcmp(r->method, "GET") != 0)
        return send_body(s, c, r, status, text, len, NULL, allow);
    return send_text(s, c, r, text, len);
}

static enum MHD_Result send_error(http_server *s, struct MHD_Connection *c, conn_req *r,
                                  int status, const char *message, const char *allow)
{
    return send_json(s, c, r, status, http_error_json(status, message), allow);
}

/* The message of a status the dispatcher decides itself. */
static const char *check_message(int status)
{
    switch (status) {
    case 404: return "no such resource";
    case 405: return "method not allowed on this resource";
    case 413: return "request body too large";
    case 415: return "request body must be application/json";
    default: return "bad request";
    }
}

/* Appends one query argument to the key (a struct buf) being built. */
static enum MHD_Result key_arg(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
    (void)kind;
    buf_printf(cls, "&%s=%s", k, v ? v : "");
    return MHD_YES;
}

/* The cache key of a request, into key (bounded to fit a slot): who-sees-what, the path and
 * the query arguments in the order sent. Returns 0 when the key does not fit (the request is
 * then not cached). */
static int cache_key(struct MHD_Connection *c, conn_req *r, struct buf *key)
{
    buf_printf(key, "%c %s?", http_req_sees_unpublished(&r->req) ? 'u' : 'p', r->path);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, key_arg, key);
    return buf_error(key) == 0;
}

static size_t key_slot(const char *key)
{
    size_t h = 5381;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = h * 33 + *p;
    return h % CACHE_SLOTS;
}

/* The current generation, bumped first when the store's change counter moved since this
 * thread's handle last read it (a change was committed). */
static unsigned long cache_generation(http_server *s, http_req *req)
{
    store *st;
    long long v;
    unsigned long gen;

    if (http_req_store(req, &st) != 0 || store_change_counter(st, &v) != 0)
        v = -2;
    pthread_mutex_lock(&s->mu);
    if (v != seen_version || v == -2)
        s->gen++;
    seen_version = v;
    gen = s->gen;
    pthread_mutex_unlock(&s->mu);
    return gen;
}

/* A copy of the kept reply of key at gen, or NULL. */
static char *cache_get(http_server *s, const char *key, unsigned long gen, size_t *len)
{
    cache_slot *slot = &s->cache[key_slot(key)];
    char *copy = NULL;

    pthread_mutex_lock(&s->mu);
    if (slot->body && slot->gen == gen && strcmp(slot->key, key) == 0 &&
        (copy = malloc(slot->len + 1))) {
        memcpy(copy, slot->body, slot->len + 1);
        *len = slot->len;
    }
    pthread_mutex_unlock(&s->mu);
    return copy;
}

/* Keeps a copy of a reply made at gen (nothing when memory is short). */
static void cache_put(http_server *s, const char *key, unsigned long gen, const char *body, size_t len)
{
    cache_slot *slot = &s->cache[key_slot(key)];
    char *copy = malloc(len + 1);

    if (!copy)
        return;
    memcpy(copy, body, len + 1);
    pthread_mutex_lock(&s->mu);
    free(slot->body);
    snprintf(slot->key, sizeof slot->key, "%s", key);
    slot->body = copy;
    slot->len = len;
    slot->gen = gen;
    pthread_mutex_unlock(&s->mu);
}

/* Runs a cacheable route: the kept reply while the data has not changed, else the handler's
 * reply, kept for the next caller. Returns 1 with *sent set when it answered, 0 when the
 * request must take the ordinary way (a key too long, or the handler failed: errors are
 * not kept). */
static int run_cached(http_server *s, struct MHD_Connection *c, conn_req *r, enum MHD_Result *sent)
{
    struct buf key;
    unsigned long gen;
    json_t *out = NULL;
    char *text;
    size_t len = 0;
    int answered = 0;

    buf_init(&key, CACHE_KEY_MAX - 2);
    if (!cache_key(c, r, &key))
        goto done;
    gen = cache_generation(s, &r->req);
    if (!(text = cache_get(s, buf_str(&key), gen, &len))) {
        err_clear();
        if (r->route->handler(&r->req, &out) != 0 || !out || r->req.status != MHD_HTTP_OK) {
            json_decref(out);
            r->req.status = MHD_HTTP_OK;
            goto done;
        }
        if (!(text = dump_json(out, &len)))
            goto done;
        cache_put(s, buf_str(&key), gen, text, len);
    }
    *sent = send_text(s, c, r, text, len);
    answered = 1;
done:
    buf_free(&key);
    return answered;
}

/* Runs the handler and sends its reply or its error. Details of 5xx errors go to the log,
 * not to the client. */
static enum MHD_Result run_handler(http_server *s, struct MHD_Connection *c, conn_req *r)
{
    enum MHD_Result sent;
    json_t *out = NULL;
    int rc, status;

    r->req.body = buf_str(&r->body);
    r->req.body_len = buf_len(&r->body);
    r->req.status = MHD_HTTP_OK;
    if (s->cache && (r->route->flags & HTTP_ROUTE_CACHE) &&
        (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0) &&
        run_cached(s, c, r, &sent))
        return sent;
    err_clear();
    rc = r->route->handler(&r->req, &out);
    if (rc == 0 && out && strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        pthread_mutex_lock(&s->mu);
        s->gen++;
        pthread_mutex_unlock(&s->mu);
    }
    if (rc == 0 && out)
        return send_json(s, c, r, r->req.status, out, NULL);
    json_decref(out);
    if (rc == 0)
        rc = err_set(ERR_INTERNAL, "handler of %s %s gave no reply", r->method, r->path);
    status = err_http_status(rc);
    if (status >= 500) {
        if (s->log)
            fprintf(s->log, "error: %s %s: %s: %s\n", r->method, r->path, err_name(rc), err_msg());
        return send_error(s, c, r, status, err_name(rc), NULL);
    }
    return send_error(s, c, r, status, err_msg()[0] ? err_msg() : err_name(rc), NULL);
}

/* The value of one cookie in a Cookie header, copied to out (empty when absent). */
static void cookie_value(const char *header, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    const char *p = header;

    out[0] = '\0';
    while (p && *p) {
        while (*p == ' ' || *p == ';')
            p++;
        if (strncmp(p, name, n) == 0 && p[n] == '=') {
            size_t len = strcspn(p + n + 1, ";");
            if (len < size)
                snprintf(out, size, "%.*s", (int)len, p + n + 1);
            return;
        }
        p = strchr(p, ';');
    }
}

/* Sets the request's principal from its session cookie: the account is read again, so a
 * disabled account or a changed role takes effect at once. */
static void identify(http_server *s, struct MHD_Connection *c, conn_req *r)
{
    const char *cookies = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
    char login[MODEL_CODE_MAX];
    store *st;
    model_user u;

    r->req.who.role = ROLE_PUBLIC;
    cookie_value(cookies, HTTP_SESSION_COOKIE, r->token, sizeof r->token);
    if (!r->token[0])
        return;
    r->req.session_token = r->token;
    if (http_session_find(s->sessions, r->token, time(NULL), login, r->req.csrf) != 0 ||
        http_req_store(&r->req, &st) != 0 || app_account_active(st, login, &u) != 0) {
        r->req.csrf[0] = '\0';
        return;
    }
    r->req.who.role = u.role;
    snprintf(r->req.who.login, sizeof r->req.who.login, "%s", u.login);
    snprintf(r->req.who.display_name, sizeof r->req.who.display_name, "%s", u.display_name);
    snprintf(r->req.who.unit_code, sizeof r->req.who.unit_code, "%s", u.unit_code);
}

/* Decides whether the principal may make this request: its role must be among the route's,
 * and a state-changing request must carry the session's CSRF token. Returns 0 or a status. */
static int admit(http_server *s, struct MHD_Connection *c, conn_req *r)
{
    const char *sent;
    int changes = strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0;

    identify(s, c, r);
    if (!(r->route->roles & HTTP_ROLE(r->req.who.role))) {
        if (r->req.who.role == ROLE_PUBLIC) {
            err_set(ERR_AUTH, "sign in first");
            return 401;
        }
        err_set(ERR_DENIED, "the role %s may not do this", model_roles[r->req.who.role].key);
        return 403;
    }
    if (!changes || (r->route->flags & HTTP_ROUTE_NO_CSRF))
        return 0;
    sent = MHD_lookup_connection_value(c, MHD_HEADER_KIND, HTTP_CSRF_HEADER);
    if (!r->req.csrf[0] || !sent || strlen(sent) != strlen(r->req.csrf) ||
        sodium_memcmp(sent, r->req.csrf, strlen(sent)) != 0) {
        err_set(ERR_DENIED, "missing or wrong CSRF token (header %s)", HTTP_CSRF_HEADER);
        return 403;
    }
    return 0;
}

/* Sends a dashboard file from memory, or 404; 304 when the client has it. */
static enum MHD_Result send_static(http_server *s, struct MHD_Connection *c, conn_req *r,
                                   const char *url)
{
    const http_static_file *f = http_static_find(s->files, url);
    struct MHD_Response *resp;
    const char *inm;
    int status = MHD_HTTP_OK;
    enum MHD_Result ok;

    if (!f)
        return send_error(s, c, r, 404, check_message(404), NULL);
    inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (inm && http_etag_match(inm, f->etag))
        status = MHD_HTTP_NOT_MODIFIED;
    resp = MHD_create_response_from_buffer(status == MHD_HTTP_OK ? f->len : 0, f->data,
                                           MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    if (status == MHD_HTTP_OK)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, f->type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, f->etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; style-src 'self' "
                            "'unsafe-inline'; frame-ancestors 'none'; form-action 'self'");
    r->status = status;
    r->bytes = status == MHD_HTTP_OK ? f->len : 0;
    ok = MHD_queue_response(c, (unsigned int)status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* The first call of a request: path, method and the announced size and type are checked
 * before any body is read. */
static enum MHD_Result begin_request(http_server *s, struct MHD_Connection *c, const char *url,
                                     const char *method, void **con_cls)
{
    conn_req *r = calloc(1, sizeof *r);
    char allow[HTTP_ALLOW_SIZE] = "";
    const char *cl, *ct;
    unsigned long long length = 0;
    int status;

    if (!r)
        return MHD_NO;
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    snprintf(r->method, sizeof r->method, "%s", method);
    snprintf(r->path, sizeof r->path, "%s", url);
    client_ip(c, r->ip, sizeof r->ip);
    *con_cls = r;
    pthread_mutex_lock(&s->mu);
    s->inflight++;
    pthread_mutex_unlock(&s->mu);

    status = strlen(url) >= sizeof r->path ? 404
             : http_route_match(s->routes, s->nroutes, r->method, r->path, &r->req, &r->route, allow);
    buf_init(&r->body, r->route ? r->route->max_body : 0);
    if (status == 0) {
        cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        if (cl)
            length = strtoull(cl, NULL, 10);
        status = http_route_check_body(r->route, r->method, ct, length);
    }
    if (status == 404 && r->route == NULL && s->files && strncmp(url, "/api/", 5) != 0 &&
        (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)) {
        /* answered on the next call: a reply queued before the request is read closes the
         * connection */
        r->is_static = 1;
        return MHD_YES;
    }
    if (status)
        return send_error(s, c, r, status, check_message(status), status == 405 ? allow : NULL);
    r->req.server = s;
    r->req.conn = c;
    r->req.client_ip = r->ip;
    if ((status = admit(s, c, r)) != 0)
        return send_error(s, c, r, status, err_msg(), NULL);
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    http_server *s = cls;
    conn_req *r = *con_cls;

    (void)version;
    if (!r)
        return begin_request(s, c, url, method, con_cls);
    if (*upload_data_size) {
        /* kept up to the route's limit; beyond it (or when memory is short) the body is
         * dropped, the rest is read and dropped too, and the request is answered 413 */
        buf_add(&r->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->is_static)
        return send_static(s, c, r, r->path);
    if (buf_error(&r->body))
        return send_error(s, c, r, 413, check_message(413), NULL);
    return run_handler(s, c, r);
}

static void log_request(http_server *s, const conn_req *r)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(s->log, "%s %s %s %s %d %zu %lldus\n", when, r->ip, r->method, r->path, r->status,
            r->bytes, elapsed_us(&r->t0));
    fflush(s->log);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_server *s = cls;
    conn_req *r = *con_cls;

    (void)c;
    (void)toe;
    if (!r)
        return;
    if (s->log)
        log_request(s, r);
    buf_free(&r->body);
    free(r);
    *con_cls = NULL;
    pthread_mutex_lock(&s->mu);
    s->inflight--;
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->mu);
}

struct http_sessions *http_req_sessions(const http_req *req)
{
    return req->server ? req->server->sessions : NULL;
}

void http_req_set_cookie(http_req *req, const char *value)
{
    if (req->nset_cookie < 2)
        snprintf(req->set_cookie[req->nset_cookie++], HTTP_COOKIE_MAX, "%s", value);
}

const char *http_req_query(const http_req *req, const char *name)
{
    if (!req->conn)
        return NULL;
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

int http_req_store(http_req *req, store **out)
{
    http_server *s = req->server;
    store *st, **grown;
    int rc;

    *out = NULL;
    if (!s)
        return err_set(ERR_INTERNAL, "no server behind this request");
    if ((st = pthread_getspecific(s->key))) {
        *out = st;
        return 0;
    }
    if ((rc = store_open(s->db_path, &st)) != 0)
        return rc;
    pthread_mutex_lock(&s->mu);
    if (!(grown = grow_array(s->stores, &s->cap, s->nstores + 1, sizeof *grown, 8))) {
        pthread_mutex_unlock(&s->mu);
        store_close(st);
        return err_set(ERR_NOMEM, "out of memory");
    }
    s->stores = grown;
    s->stores[s->nstores++] = st;
    pthread_mutex_unlock(&s->mu);
    pthread_setspecific(s->key, st);
    *out = st;
    return 0;
}

/* Opens the database once on the starting thread, so a missing or unreadable file is an
 * error of start rather than of every request, and the schema is migrated before workers
 * open it concurrently. */
static int check_database(const char *path)
{
    store *st = NULL;
    int rc, version = 0;

    if (access(path, R_OK) != 0)
        return err_set(ERR_NOTFOUND, "database %s does not exist or cannot be read", path);
    if ((rc = store_open(path, &st)) == 0)
        rc = store_schema_version(st, &version);
    store_close(st);
    return rc;
}

/* Fills addr for bind and port; returns the address size, or 0 when bind is not an address. */
static socklen_t make_addr(const char *bind, int port, struct sockaddr_storage *addr, int *v6)
{
    struct sockaddr_in *a4 = (struct sockaddr_in *)(void *)addr;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)(void *)addr;

    memset(addr, 0, sizeof *addr);
    *v6 = 0;
    if (inet_pton(AF_INET, bind, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        return sizeof *a4;
    }
    if (inet_pton(AF_INET6, bind, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *v6 = 1;
        return sizeof *a6;
    }
    return 0;
}

static void server_free(http_server *s)
{
    for (size_t i = 0; i < s->nstores; i++)
        store_close(s->stores[i]);
    free(s->stores);
    pthread_key_delete(s->key);
    http_sessions_free(s->sessions);
    http_static_free(s->files);
    free(s->own_routes);
    for (size_t i = 0; s->cache && i < CACHE_SLOTS; i++)
        free(s->cache[i].body);
    free(s->cache);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->mu);
    free(s->db_path);
    free(s);
}

/* Starts the daemon: epoll when this libmicrohttpd has it, else select; ITC so that
 * MHD_quiesce_daemon works for the graceful stop. */
static int start_daemon(http_server *s, const http_server_opts *o, const char *bind)
{
    struct sockaddr_storage addr;
    int v6;
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC;
    const union MHD_DaemonInfo *info;

    if (!make_addr(bind, o->port, &addr, &v6))
        return err_set(ERR_USAGE, "bind address '%s' is not an IPv4 or IPv6 address", bind);
    if (v6)
        flags |= MHD_USE_IPv6;
    if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
        flags |= MHD_USE_EPOLL;
    s->daemon = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, s,
                                 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                 MHD_OPTION_THREAD_POOL_SIZE,
                                 (unsigned int)(o->threads ? o->threads : HTTP_SERVER_THREADS_DEFAULT),
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
                                 MHD_OPTION_END);
    if (!s->daemon)
        return err_set(ERR_IO, "cannot listen on %s port %d: %s", bind, o->port,
                       errno ? strerror(errno) : "libmicrohttpd refused to start");
    info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : o->port;
    return 0;
}

int http_server_start(const http_server_opts *o, http_server **out)
{
    http_server *s;
    const char *bind = o->bind && o->bind[0] ? o->bind : "127.0.0.1";
    int rc;

    *out = NULL;
    if (!o->db_path || !o->db_path[0])
        return err_set(ERR_USAGE, "the server needs a database");
    if (o->port < 0 || o->port > 65535)
        return err_set(ERR_USAGE, "port %d is not between 0 and 65535", o->port);
    if (o->threads < 0 || o->threads > HTTP_SERVER_THREADS_MAX)
        return err_set(ERR_USAGE, "threads must be between 1 and %d", HTTP_SERVER_THREADS_MAX);
    if ((rc = app_auth_init()) != 0 || (rc = check_database(o->db_path)) != 0)
        return rc;
    rc = 0;
    if (!(s = calloc(1, sizeof *s)))
        return err_set(ERR_NOMEM, "out of memory");
    if (!(s->db_path = strdup(o->db_path)) || pthread_key_create(&s->key, NULL) != 0) {
        free(s->db_path);
        free(s);
        return err_set(ERR_NOMEM, "out of memory");
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->idle, NULL);
    s->log = o->access_log;
    s->routes = o->routes;
    s->nroutes = o->nroutes;
    if (!o->routes && (rc = http_routes_all(&s->own_routes, &s->nroutes)) == 0)
        s->routes = s->own_routes;
    if (rc == 0)
        rc = http_sessions_new(&s->sessions);
    if (rc == 0 && !(s->cache = calloc(CACHE_SLOTS, sizeof *s->cache)))
        rc = err_set(ERR_NOMEM, "out of memory");
    if (rc == 0 && o->static_dir)
        rc = http_static_load(o->static_dir, &s->files);
    errno = 0;
    if (rc != 0 || (rc = start_daemon(s, o, bind)) != 0) {
        server_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* Waits until no request is in flight or the drain time is over. */
static void drain(http_server *s)
{
    struct timespec deadline;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += HTTP_SERVER_DRAIN_SECONDS;
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    while (s->inflight > 0) {
        if (pthread_cond_timedwait(&s->idle, &s->mu, &deadline) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&s->mu);
}

void http_server_stop(http_server *s)
{
    MHD_socket fd;

    if (!s)
        return;
    fd = MHD_quiesce_daemon(s->daemon);
    drain(s);
    MHD_stop_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    server_free(s);
}

int http_server_port(const http_server *s)
{
    return s ? s->port : 0;
}
