/* server: the libmicrohttpd glue — per-request state, body accumulation under the route's
 * limit, replies (JSON, ETag, 304, errors), kept results and the pool that computes them,
 * the access log, per-thread stores and the graceful stop. What a request may do is decided
 * in routes.c.
 *
 * Results of cacheable routes: a request's key is its visibility, path and query, escaped.
 * A kept reply (body and ETag, immutable, shared by reference) stays valid while the store's
 * counters of the concerns its route reads have not moved (store_changes) and no worker has
 * seen a change the counters do not describe (gen). A miss is never computed on the
 * libmicrohttpd threads: the connection is suspended and the computation queued for the
 * slow pool, so health, static files and kept replies keep answering; a miss of a key
 * already being computed waits for that computation (single flight); a full queue is 503
 * with Retry-After. */
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
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CACHE_SLOTS 512          /* replies kept, direct-mapped by a hash of their key */
#define CACHE_KEY_MAX 4096
#define QUERY_ARGS_MAX 32        /* query arguments of a cacheable route; more is 400 */
#define RETRY_SECONDS 2          /* Retry-After of a 503 */
/* The largest reply body built; a larger one is not sent (the connection is closed). */
#define REPLY_MAX (64 * 1024 * 1024)

/* A reply body with its ETag: immutable once made, shared by the cache and the replies
 * sending it, freed with its last reference. */
typedef struct kept {
    atomic_int refs;
    size_t len;
    char etag[HTTP_ETAG_SIZE];
    char data[];                /* len bytes and a NUL */
} kept;

/* What the data was when a result was computed: the server's generation and the store's
 * counters. */
typedef struct cache_view {
    unsigned long gen;
    long long n[STORE_NCONCERNS];
} cache_view;

/* One kept reply of a cacheable route, under its own lock. */
typedef struct cache_slot {
    pthread_mutex_t mu;
    char *key;
    kept *body;
    cache_view view;
} cache_slot;

struct conn_req;

/* One computation of the slow pool: the requests waiting for it, the first of which it runs. */
typedef struct flight {
    struct flight *next;       /* in the server's list of flights, queued or running */
    struct flight *queued;     /* in the queue, while waiting for a slow thread */
    char *key;                 /* NULL: not shared and not kept (no key, or no view) */
    cache_view view;           /* read before computing: the kept reply's stamp */
    struct conn_req *first, *last;
} flight;

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
    store_open_opts store_opts; /* how each thread opens its store */
    pthread_mutex_t mu;        /* guards stores and the idle signal */
    pthread_cond_t idle;       /* signalled when inflight drops to 0 while stopping */
    store **stores;
    size_t nstores, cap;
    atomic_int inflight;
    atomic_int stopping;
    atomic_ulong gen;          /* moved when a worker sees a change its store's counters miss */
    atomic_ulong writes;       /* moved when a request that may write (not GET or HEAD) ends */
    cache_slot *cache;         /* CACHE_SLOTS, or NULL */
    pthread_mutex_t fmu;       /* guards the flights, the queue and the pool's state */
    pthread_cond_t work;       /* signalled when a flight is queued or the pool stops */
    flight *flights;
    flight *qhead, *qtail;
    int nqueued, queue_max;
    pthread_t *slow;
    int nslow, pool_stop;
};

/* The store's count of unexplained changes as this thread's handle last read it. */
static __thread long long seen_other = -1;

/* How long a worker trusts its last look at the store's counters when this process has not
 * written since: a kept reply is then at most this old for a write made by another process
 * (the CLI), and looking costs a read transaction (file locks) per request. */
#define VIEW_TRUST_MS 20
static __thread cache_view trusted_view;
static __thread unsigned long trusted_writes;
static __thread struct timespec trusted_at;
static __thread int trusted;

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
    /* the query arguments, taken once on the libmicrohttpd thread for the slow pool */
    int nargs;                 /* -1 until taken */
    const char *arg_name[QUERY_ARGS_MAX], *arg_value[QUERY_ARGS_MAX];
    /* a request parked for the slow pool, and the answer it is resumed with */
    int parked, ready;
    struct conn_req *next_waiter;
    kept *answer;              /* the reply, or NULL with answer_rc and answer_msg */
    int answer_status, answer_rc;
    char answer_msg[512];
    const char *cache_state;   /* X-Cache: hit, miss or shared */
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

/* Queues resp (taken) of len body bytes with the JSON content type and the usual headers. */
static enum MHD_Result queue_reply(http_server *s, struct MHD_Connection *c, conn_req *r,
                                   int status, struct MHD_Response *resp, size_t len,
                                   const char *etag, const char *allow)
{
    enum MHD_Result ok;

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
    if (r->cache_state)
        MHD_add_response_header(resp, "X-Cache", r->cache_state);
    if (atomic_load(&s->stopping))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    r->status = status;
    r->bytes = status == MHD_HTTP_NOT_MODIFIED ? 0 : len;
    ok = MHD_queue_response(c, (unsigned int)status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* Queues body (malloc'd, taken) with the JSON content type and the usual headers. */
static enum MHD_Result send_body(http_server *s, struct MHD_Connection *c, conn_req *r,
                                 int status, char *body, size_t len, const char *etag,
                                 const char *allow)
{
    struct MHD_Response *resp;

    resp = MHD_create_response_from_buffer(len, body, body ? MHD_RESPMEM_MUST_FREE
                                                           : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    return queue_reply(s, c, r, status, resp, len, etag, allow);
}

/* A kept body of text (copied) with its ETag, one reference held; NULL when memory is short. */
static kept *kept_new(const char *text, size_t len)
{
    kept *k = malloc(sizeof *k + len + 1);

    if (!k)
        return NULL;
    atomic_init(&k->refs, 1);
    k->len = len;
    memcpy(k->data, text, len);
    k->data[len] = '\0';
    http_etag(k->data, len, k->etag);
    return k;
}

static kept *kept_ref(kept *k)
{
    atomic_fetch_add_explicit(&k->refs, 1, memory_order_relaxed);
    return k;
}

static void kept_unref(kept *k)
{
    if (k && atomic_fetch_sub_explicit(&k->refs, 1, memory_order_acq_rel) == 1)
        free(k);
}

/* libmicrohttpd's free callback of a reply sending a kept body: drops the reply's reference. */
static void kept_release(void *data)
{
    kept_unref((kept *)(void *)((char *)data - offsetof(kept, data)));
}

/* Sends a kept body (one reference taken) with its ETag, or 304 when the client has it; the
 * body is not copied. */
static enum MHD_Result send_kept(http_server *s, struct MHD_Connection *c, conn_req *r, int status,
                                 kept *k)
{
    struct MHD_Response *resp;
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    char etag[HTTP_ETAG_SIZE];

    memcpy(etag, k->etag, sizeof etag);
    if (status == MHD_HTTP_OK && inm && http_etag_match(inm, etag)) {
        kept_unref(k);
        return send_body(s, c, r, MHD_HTTP_NOT_MODIFIED, NULL, 0, etag, NULL);
    }
    resp = MHD_create_response_from_buffer_with_free_callback(k->len, k->data, kept_release);
    if (!resp) {
        kept_unref(k);
        return MHD_NO;
    }
    return queue_reply(s, c, r, status, resp, k->len, status == MHD_HTTP_OK ? etag : NULL, NULL);
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

/* Sends the error of code rc with its detail msg; 5xx details go to the log, not to the
 * client, and a 503 says when to come back. */
static enum MHD_Result send_failure(http_server *s, struct MHD_Connection *c, conn_req *r, int rc,
                                    const char *msg)
{
    int status = err_http_status(rc);

    if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        r->req.retry_after = RETRY_SECONDS;
    if (status >= 500) {
        if (s->log)
            fprintf(s->log, "error: %s %s: %s: %s\n", r->method, r->path, err_name(rc), msg);
        return send_error(s, c, r, status, err_name(rc), NULL);
    }
    return send_error(s, c, r, status, msg[0] ? msg : err_name(rc), NULL);
}

/* ---- kept results ---- */

/* Keeps one query argument of the request; the strings stay libmicrohttpd's, valid for the
 * request's lifetime. Stops (nargs past the limit) at too many. */
static enum MHD_Result take_arg(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
    conn_req *r = cls;

    (void)kind;
    if (r->nargs >= QUERY_ARGS_MAX) {
        r->nargs = QUERY_ARGS_MAX + 1;
        return MHD_NO;
    }
    r->arg_name[r->nargs] = k;
    r->arg_value[r->nargs] = v;
    r->nargs++;
    return MHD_YES;
}

/* Appends text to the key with every byte but letters, digits, "-._~" and, when slash is
 * set, "/" written %XX: an '&', '=' or '?' inside a name or value cannot pass for the key's
 * own. */
static void key_escaped(struct buf *key, const char *text, int slash)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~' || (slash && *p == '/')) {
            buf_add(key, (const char *)p, 1);
        } else {
            char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
            buf_add(key, e, 3);
        }
    }
}

/* The cache key of a request, into key (bounded): who-sees-what, the path and the query
 * arguments in the order sent, each escaped ("?a" and "?a=" differ too). Returns 0 when the
 * key does not fit (the request is then computed but not kept). */
static int cache_key(conn_req *r, struct buf *key)
{
    buf_printf(key, "%c ", http_req_sees_unpublished(&r->req) ? 'u' : 'p');
    key_escaped(key, r->path, 1);
    buf_add(key, "?", 1);
    for (int i = 0; i < r->nargs; i++) {
        buf_add(key, "&", 1);
        key_escaped(key, r->arg_name[i], 0);
        if (r->arg_value[i]) {
            buf_add(key, "=", 1);
            key_escaped(key, r->arg_value[i], 0);
        }
    }
    return buf_error(key) == 0;
}

static size_t key_slot(const char *key)
{
    size_t h = 5381;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = h * 33 + *p;
    return h % CACHE_SLOTS;
}

/* The concerns a route's kept replies depend on: those it declares, else all. */
static unsigned route_reads(const http_route *route)
{
    unsigned reads = HTTP_ROUTE_READS_OF(route->flags);
    return reads ? reads : STORE_CONCERNS_ALL;
}

/* What the data is now, as this thread's store sees it; the generation moves first when the
 * store saw a change its counters do not describe, and at a thread's first look (its store
 * cannot tell what changed before it was opened). Returns 0 or -1 (nothing is kept then). */
static int cache_view_now(http_server *s, http_req *req, cache_view *v)
{
    store *st;
    store_changes ch;
    unsigned long writes = atomic_load(&s->writes);
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    if (trusted && trusted_writes == writes &&
        (now.tv_sec - trusted_at.tv_sec) * 1000 + (now.tv_nsec - trusted_at.tv_nsec) / 1000000 < VIEW_TRUST_MS) {
        *v = trusted_view;
        v->gen = atomic_load(&s->gen);
        return 0;
    }
    trusted = 0;
    if (http_req_store(req, &st) != 0 || store_changes_read(st, &ch) != 0)
        return -1;
    if (ch.other != seen_other) {
        atomic_fetch_add(&s->gen, 1);
        seen_other = ch.other;
    }
    v->gen = atomic_load(&s->gen);
    memcpy(v->n, ch.n, sizeof v->n);
    trusted_view = *v;
    trusted_writes = writes;
    trusted_at = now;
    trusted = 1;
    return 0;
}

/* Nonzero when a reply stamped kept still holds at now for a route reading reads. */
static int view_holds(const cache_view *kept_at, const cache_view *now, unsigned reads)
{
    if (kept_at->gen != now->gen)
        return 0;
    for (int c = 0; c < STORE_NCONCERNS; c++) {
        if ((reads & STORE_CONCERN(c)) && kept_at->n[c] != now->n[c])
            return 0;
    }
    return 1;
}

/* The kept reply of key (a reference) when it still holds at now, or NULL. */
static kept *cache_get(http_server *s, const char *key, const cache_view *now, unsigned reads)
{
    cache_slot *slot = &s->cache[key_slot(key)];
    kept *k = NULL;

    pthread_mutex_lock(&slot->mu);
    if (slot->body && strcmp(slot->key, key) == 0 && view_holds(&slot->view, now, reads))
        k = kept_ref(slot->body);
    pthread_mutex_unlock(&slot->mu);
    return k;
}

/* Keeps a reply computed on the data of view (nothing when memory is short). */
static void cache_put(http_server *s, const char *key, const cache_view *view, kept *k)
{
    cache_slot *slot = &s->cache[key_slot(key)];
    char *copy = strdup(key);
    kept *old;

    if (!copy)
        return;
    pthread_mutex_lock(&slot->mu);
    old = slot->body;
    free(slot->key);
    slot->key = copy;
    slot->body = kept_ref(k);
    slot->view = *view;
    pthread_mutex_unlock(&slot->mu);
    kept_unref(old);
}

/* ---- the slow pool ---- */

/* Suspends the request until its flight answers. Called with fmu held, so that the flight
 * cannot resume it before it is suspended. */
static void park(conn_req *r)
{
    r->parked = 1;
    MHD_suspend_connection(r->req.conn);
}

/* Runs the flight's first request and makes its answer: *body (a reference) and *status,
 * or the error rc with its detail in msg. A 200 reply is kept when the flight has a key. */
static int compute(http_server *s, flight *f, kept **body, int *status, char *msg, size_t size)
{
    conn_req *r = f->first;
    json_t *out = NULL;
    char *text;
    size_t len = 0;
    int rc;

    *body = NULL;
    err_clear();
    r->req.status = MHD_HTTP_OK;
    rc = r->route->handler(&r->req, &out);
    if (rc == 0 && !out)
        rc = err_set(ERR_INTERNAL, "handler of %s %s gave no reply", r->method, r->path);
    if (rc != 0) {
        json_decref(out);
        snprintf(msg, size, "%s", err_msg());
        return rc;
    }
    *status = r->req.status;
    if (!(text = dump_json(out, &len)) || !(*body = kept_new(text, len))) {
        free(text);
        snprintf(msg, size, "cannot build the reply");
        return ERR_NOMEM;
    }
    free(text);
    if (f->key && *status == MHD_HTTP_OK)
        cache_put(s, f->key, &f->view, *body);
    return 0;
}

/* Takes the flight out of the list (fmu held). */
static void flight_unlink(http_server *s, flight *f)
{
    for (flight **p = &s->flights; *p; p = &(*p)->next) {
        if (*p == f) {
            *p = f->next;
            break;
        }
    }
}

/* Gives every request of the flight its answer and resumes it; frees the flight. */
static void flight_answer(http_server *s, flight *f, int rc, kept *body, int status, const char *msg)
{
    conn_req *r, *next;

    pthread_mutex_lock(&s->fmu);
    flight_unlink(s, f);
    pthread_mutex_unlock(&s->fmu);
    for (r = f->first; r; r = next) {
        next = r->next_waiter;
        r->answer = body ? kept_ref(body) : NULL;
        r->answer_status = status;
        r->answer_rc = rc;
        snprintf(r->answer_msg, sizeof r->answer_msg, "%s", msg);
        r->ready = 1;
        r->parked = 0;
        MHD_resume_connection(r->req.conn);
    }
    kept_unref(body);
    free(f->key);
    free(f);
}

/* A slow thread: computes queued flights until the pool stops; once it stops, what is still
 * queued is answered 503. */
static void *slow_main(void *arg)
{
    http_server *s = arg;
    char msg[512];

    pthread_mutex_lock(&s->fmu);
    for (;;) {
        flight *f;
        kept *body = NULL;
        int rc, status = MHD_HTTP_OK, stop;

        while (!s->qhead && !s->pool_stop)
            pthread_cond_wait(&s->work, &s->fmu);
        if (!(f = s->qhead))
            break;
        if (!(s->qhead = f->queued))
            s->qtail = NULL;
        s->nqueued--;
        stop = s->pool_stop;
        pthread_mutex_unlock(&s->fmu);
        if (stop) {
            rc = ERR_BUSY;
            snprintf(msg, sizeof msg, "the server is stopping");
        } else {
            rc = compute(s, f, &body, &status, msg, sizeof msg);
        }
        flight_answer(s, f, rc, body, status, msg);
        pthread_mutex_lock(&s->fmu);
    }
    pthread_mutex_unlock(&s->fmu);
    return NULL;
}

static int pool_start(http_server *s, int nslow)
{
    if (!(s->slow = calloc((size_t)nslow, sizeof *s->slow)))
        return err_set(ERR_NOMEM, "out of memory");
    for (; s->nslow < nslow; s->nslow++) {
        if (pthread_create(&s->slow[s->nslow], NULL, slow_main, s) != 0)
            return err_set(ERR_INTERNAL, "cannot start the server's threads");
    }
    return 0;
}

/* Stops the pool: computations under way finish, queued ones are answered 503. */
static void pool_stop(http_server *s)
{
    pthread_mutex_lock(&s->fmu);
    s->pool_stop = 1;
    pthread_cond_broadcast(&s->work);
    pthread_mutex_unlock(&s->fmu);
    for (int i = 0; i < s->nslow; i++)
        pthread_join(s->slow[i], NULL);
    s->nslow = 0;
}

/* Runs a cacheable route: the kept reply while it holds; else the request is parked and
 * joins the computation of its key under way, or queues a new one for the slow pool (503
 * when the queue is full). */
static enum MHD_Result run_pooled(http_server *s, struct MHD_Connection *c, conn_req *r)
{
    struct buf key;
    cache_view now;
    unsigned reads = route_reads(r->route);
    int keyed, viewed;
    kept *hit = NULL;
    flight *f;

    r->nargs = 0;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, take_arg, r);
    if (r->nargs > QUERY_ARGS_MAX)
        return send_error(s, c, r, 400, "too many query arguments", NULL);
    buf_init(&key, CACHE_KEY_MAX);
    keyed = cache_key(r, &key);
    viewed = cache_view_now(s, &r->req, &now) == 0;
    if (keyed && viewed && (hit = cache_get(s, buf_str(&key), &now, reads))) {
        buf_free(&key);
        r->cache_state = "hit";
        return send_kept(s, c, r, MHD_HTTP_OK, hit);
    }
    pthread_mutex_lock(&s->fmu);
    for (f = s->flights; keyed && viewed && f; f = f->next) {
        if (f->key && strcmp(f->key, buf_str(&key)) == 0) {
            f->last->next_waiter = r;
            f->last = r;
            r->cache_state = "shared";
            park(r);
            pthread_mutex_unlock(&s->fmu);
            buf_free(&key);
            return MHD_YES;
        }
    }
    if (s->nqueued >= s->queue_max || s->pool_stop || !(f = calloc(1, sizeof *f))) {
        pthread_mutex_unlock(&s->fmu);
        buf_free(&key);
        r->req.retry_after = RETRY_SECONDS;
        return send_error(s, c, r, MHD_HTTP_SERVICE_UNAVAILABLE,
                          "the server is busy computing other results; try again shortly", NULL);
    }
    f->key = keyed && viewed ? buf_take(&key, NULL) : NULL;
    f->view = now;
    f->first = f->last = r;
    f->next = s->flights;
    s->flights = f;
    if (s->qtail)
        s->qtail->queued = f;
    else
        s->qhead = f;
    s->qtail = f;
    s->nqueued++;
    r->cache_state = "miss";
    park(r);
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->fmu);
    buf_free(&key);
    return MHD_YES;
}

/* Sends the answer a parked request was resumed with. */
static enum MHD_Result send_answer(http_server *s, struct MHD_Connection *c, conn_req *r)
{
    kept *k = r->answer;

    r->ready = 0;
    r->answer = NULL;
    if (k)
        return send_kept(s, c, r, r->answer_status, k);
    return send_failure(s, c, r, r->answer_rc, r->answer_msg);
}

/* Runs the handler and sends its reply or its error. Details of 5xx errors go to the log,
 * not to the client. */
static enum MHD_Result run_handler(http_server *s, struct MHD_Connection *c, conn_req *r)
{
    json_t *out = NULL;
    int rc;

    r->req.body = buf_str(&r->body);
    r->req.body_len = buf_len(&r->body);
    r->req.status = MHD_HTTP_OK;
    if (s->cache && (r->route->flags & HTTP_ROUTE_CACHE) &&
        (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0))
        return run_pooled(s, c, r);
    err_clear();
    rc = r->route->handler(&r->req, &out);
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
        atomic_fetch_add(&s->writes, 1);
    if (rc == 0 && out)
        return send_json(s, c, r, r->req.status, out, NULL);
    json_decref(out);
    if (rc == 0)
        rc = err_set(ERR_INTERNAL, "handler of %s %s gave no reply", r->method, r->path);
    return send_failure(s, c, r, rc, err_msg());
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
    r->nargs = -1;
    *con_cls = r;
    atomic_fetch_add(&s->inflight, 1);

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
    if (r->ready)
        return send_answer(s, c, r);
    if (r->parked)
        return MHD_YES;
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
    kept_unref(r->answer);
    buf_free(&r->body);
    free(r);
    *con_cls = NULL;
    if (atomic_fetch_sub(&s->inflight, 1) == 1 && atomic_load(&s->stopping)) {
        pthread_mutex_lock(&s->mu);
        pthread_cond_broadcast(&s->idle);
        pthread_mutex_unlock(&s->mu);
    }
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
    /* a request of a server is the first member of its conn_req */
    const conn_req *r = (const conn_req *)(const void *)req;

    if (!req->conn)
        return NULL;
    if (r->nargs < 0) /* not taken: on the libmicrohttpd thread, which may ask it */
        return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
    for (int i = 0; i < r->nargs; i++) {
        if (strcmp(r->arg_name[i], name) == 0)
            return r->arg_value[i];
    }
    return NULL;
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
    if ((rc = store_open_with(s->db_path, &s->store_opts, &st)) != 0)
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
    pool_stop(s);
    free(s->slow);
    for (size_t i = 0; i < s->nstores; i++)
        store_close(s->stores[i]);
    free(s->stores);
    pthread_key_delete(s->key);
    http_sessions_free(s->sessions);
    http_static_free(s->files);
    free(s->own_routes);
    for (size_t i = 0; s->cache && i < CACHE_SLOTS; i++) {
        free(s->cache[i].key);
        kept_unref(s->cache[i].body);
        pthread_mutex_destroy(&s->cache[i].mu);
    }
    free(s->cache);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->work);
    pthread_mutex_destroy(&s->fmu);
    free(s->db_path);
    free(s);
}

/* Starts the daemon: epoll when this libmicrohttpd has it, else select; ITC so that
 * MHD_quiesce_daemon works for the graceful stop; suspending, so that computations wait
 * for the slow pool off its threads. */
static int start_daemon(http_server *s, const http_server_opts *o, const char *bind)
{
    struct sockaddr_storage addr;
    int v6;
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
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
    int rc, nslow;

    *out = NULL;
    if (!o->db_path || !o->db_path[0])
        return err_set(ERR_USAGE, "the server needs a database");
    if (o->port < 0 || o->port > 65535)
        return err_set(ERR_USAGE, "port %d is not between 0 and 65535", o->port);
    if (o->threads < 0 || o->threads > HTTP_SERVER_THREADS_MAX)
        return err_set(ERR_USAGE, "threads must be between 1 and %d", HTTP_SERVER_THREADS_MAX);
    if (o->slow_threads < 0 || o->slow_threads > HTTP_SERVER_THREADS_MAX)
        return err_set(ERR_USAGE, "slow threads must be between 1 and %d", HTTP_SERVER_THREADS_MAX);
    if (o->slow_queue < 0 || o->busy_ms < 0)
        return err_set(ERR_USAGE, "the queue and the busy time cannot be negative");
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
    pthread_mutex_init(&s->fmu, NULL);
    pthread_cond_init(&s->work, NULL);
    nslow = o->slow_threads ? o->slow_threads : HTTP_SERVER_SLOW_DEFAULT;
    s->queue_max = o->slow_queue ? o->slow_queue : HTTP_SERVER_QUEUE_DEFAULT;
    /* every thread has a store: the machine's page cache budget is shared among them */
    s->store_opts.busy_ms = o->busy_ms;
    s->store_opts.cache_kib = store_cache_budget_kib() /
                              ((o->threads ? o->threads : HTTP_SERVER_THREADS_DEFAULT) + nslow);
    s->log = o->access_log;
    s->routes = o->routes;
    s->nroutes = o->nroutes;
    if (!o->routes && (rc = http_routes_all(&s->own_routes, &s->nroutes)) == 0)
        s->routes = s->own_routes;
    if (rc == 0)
        rc = http_sessions_new(&s->sessions);
    if (rc == 0 && !(s->cache = calloc(CACHE_SLOTS, sizeof *s->cache)))
        rc = err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < CACHE_SLOTS; i++)
        pthread_mutex_init(&s->cache[i].mu, NULL);
    if (rc == 0)
        rc = pool_start(s, nslow);
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
    atomic_store(&s->stopping, 1);
    while (atomic_load(&s->inflight) > 0) {
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
    pool_stop(s); /* every parked request is resumed before the daemon stops */
    MHD_stop_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    server_free(s);
}

int http_server_port(const http_server *s)
{
    return s ? s->port : 0;
}
