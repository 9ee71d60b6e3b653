/* session: sessions and the login throttle in memory, each table behind one mutex. Sessions
 * are looked up by a BLAKE2b hash of the token compared in constant time, so neither the
 * table nor its timing gives a token away. */
#include "http/session.h"
#include "util/err.h"
#include "util/grow.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HASH_BYTES 32
#define THROTTLE_MAX 4096            /* tracked names and addresses before old ones are dropped */
#define ADDRESS_FACTOR 4             /* an address (an office behind one NAT) may fail more */

typedef struct session {
    unsigned char hash[HASH_BYTES];
    char login[MODEL_CODE_MAX];
    char csrf[APP_AUTH_TOKEN_SIZE];
    time_t created, used;
} session;

typedef struct throttle {
    char key[MODEL_NAME_MAX + 8];    /* "a:" address or "l:" login */
    int failures;
    time_t first, locked_until;
} throttle;

struct http_sessions {
    pthread_mutex_t mu;
    session *s;
    size_t n, cap;
    throttle *t;
    size_t nt, capt;
};

int http_sessions_new(http_sessions **out)
{
    http_sessions *t = calloc(1, sizeof *t);

    *out = NULL;
    if (!t || app_auth_init() != 0) {
        free(t);
        return err_set(ERR_NOMEM, "out of memory");
    }
    pthread_mutex_init(&t->mu, NULL);
    *out = t;
    return 0;
}

void http_sessions_free(http_sessions *t)
{
    if (!t)
        return;
    sodium_memzero(t->s, t->cap * sizeof *t->s);
    free(t->s);
    free(t->t);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

static void token_hash(const char *token, unsigned char hash[HASH_BYTES])
{
    crypto_generichash(hash, HASH_BYTES, (const unsigned char *)token, strlen(token), NULL, 0);
}

static int session_live(const session *s, time_t now)
{
    return now - s->used < HTTP_SESSION_IDLE_SECONDS && now - s->created < HTTP_SESSION_MAX_SECONDS;
}

/* Removes session i (order does not matter). Called with the mutex held. */
static void session_drop(http_sessions *t, size_t i)
{
    t->s[i] = t->s[--t->n];
    sodium_memzero(&t->s[t->n], sizeof t->s[t->n]);
}

/* Makes room for one more session: drops dead ones, then the least recently used. */
static int session_room(http_sessions *t, time_t now)
{
    for (size_t i = t->n; i-- > 0;) {
        if (!session_live(&t->s[i], now))
            session_drop(t, i);
    }
    if (t->n >= HTTP_SESSION_MAX) {
        size_t oldest = 0;
        for (size_t i = 1; i < t->n; i++) {
            if (t->s[i].used < t->s[oldest].used)
                oldest = i;
        }
        session_drop(t, oldest);
    }
    session *grown = grow_array(t->s, &t->cap, t->n + 1, sizeof *grown, 64);
    if (!grown)
        return err_set(ERR_NOMEM, "out of memory");
    t->s = grown;
    return 0;
}

int http_session_create(http_sessions *t, const char *login, time_t now,
                        char token[APP_AUTH_TOKEN_SIZE], char csrf[APP_AUTH_TOKEN_SIZE])
{
    session s;
    int rc;

    memset(&s, 0, sizeof s);
    if ((rc = app_auth_token(token, APP_AUTH_TOKEN_SIZE)) != 0 ||
        (rc = app_auth_token(csrf, APP_AUTH_TOKEN_SIZE)) != 0)
        return rc;
    token_hash(token, s.hash);
    snprintf(s.login, sizeof s.login, "%s", login);
    memcpy(s.csrf, csrf, APP_AUTH_TOKEN_SIZE);
    s.created = s.used = now;
    pthread_mutex_lock(&t->mu);
    if ((rc = session_room(t, now)) == 0)
        t->s[t->n++] = s;
    pthread_mutex_unlock(&t->mu);
    sodium_memzero(&s, sizeof s);
    return rc;
}

/* The index of the session with this hash, or -1. Called with the mutex held. */
static long session_index(const http_sessions *t, const unsigned char hash[HASH_BYTES])
{
    long found = -1;

    for (size_t i = 0; i < t->n; i++) {
        if (sodium_memcmp(t->s[i].hash, hash, HASH_BYTES) == 0)
            found = (long)i;
    }
    return found;
}

int http_session_find(http_sessions *t, const char *token, time_t now,
                      char login[MODEL_CODE_MAX], char csrf[APP_AUTH_TOKEN_SIZE])
{
    unsigned char hash[HASH_BYTES];
    long i;
    int rc = ERR_AUTH;

    if (!token || strlen(token) != APP_AUTH_TOKEN_SIZE - 1)
        return ERR_AUTH;
    token_hash(token, hash);
    pthread_mutex_lock(&t->mu);
    if ((i = session_index(t, hash)) >= 0) {
        if (session_live(&t->s[i], now)) {
            t->s[i].used = now;
            memcpy(login, t->s[i].login, MODEL_CODE_MAX);
            memcpy(csrf, t->s[i].csrf, APP_AUTH_TOKEN_SIZE);
            rc = 0;
        } else {
            session_drop(t, (size_t)i);
        }
    }
    pthread_mutex_unlock(&t->mu);
    return rc;
}

void http_session_end(http_sessions *t, const char *token)
{
    unsigned char hash[HASH_BYTES];
    long i;

    if (!token)
        return;
    token_hash(token, hash);
    pthread_mutex_lock(&t->mu);
    if ((i = session_index(t, hash)) >= 0)
        session_drop(t, (size_t)i);
    pthread_mutex_unlock(&t->mu);
}

void http_session_end_login(http_sessions *t, const char *login)
{
    pthread_mutex_lock(&t->mu);
    for (size_t i = t->n; i-- > 0;) {
        if (strcmp(t->s[i].login, login) == 0)
            session_drop(t, i);
    }
    pthread_mutex_unlock(&t->mu);
}

/* ---- the login throttle ---- */

static void throttle_key(char *out, size_t size, char kind, const char *text)
{
    snprintf(out, size, "%c:%s", kind, text ? text : "");
}

/* The entry of key, added when missing and add is set; NULL otherwise or when full. Called
 * with the mutex held. */
static throttle *throttle_get(http_sessions *t, const char *key, time_t now, int add)
{
    throttle *grown;
    for (size_t i = 0; i < t->nt; i++) {
        if (strcmp(t->t[i].key, key) == 0)
            return &t->t[i];
    }
    if (!add)
        return NULL;
    if (t->nt >= THROTTLE_MAX) {
        for (size_t i = t->nt; i-- > 0;) {
            if (now - t->t[i].first >= HTTP_LOGIN_WINDOW_SECONDS && t->t[i].locked_until <= now)
                t->t[i] = t->t[--t->nt];
        }
        if (t->nt >= THROTTLE_MAX)
            t->t[0] = t->t[--t->nt];
    }
    if (!(grown = grow_array(t->t, &t->capt, t->nt + 1, sizeof *grown, 64)))
        return NULL;
    t->t = grown;
    memset(&t->t[t->nt], 0, sizeof t->t[t->nt]);
    snprintf(t->t[t->nt].key, sizeof t->t[t->nt].key, "%s", key);
    t->t[t->nt].first = now;
    return &t->t[t->nt++];
}

/* Seconds an entry stays locked, or 0. */
static int locked_for(const throttle *e, time_t now)
{
    return e && e->locked_until > now ? (int)(e->locked_until - now) : 0;
}

int http_login_check(http_sessions *t, const char *address, const char *login, time_t now,
                     int *retry_after)
{
    char ka[sizeof ((throttle *)0)->key], kl[sizeof ka];
    int wait;

    throttle_key(ka, sizeof ka, 'a', address);
    throttle_key(kl, sizeof kl, 'l', login);
    pthread_mutex_lock(&t->mu);
    wait = locked_for(throttle_get(t, ka, now, 0), now);
    if (locked_for(throttle_get(t, kl, now, 0), now) > wait)
        wait = locked_for(throttle_get(t, kl, now, 0), now);
    pthread_mutex_unlock(&t->mu);
    *retry_after = wait;
    return wait ? err_set(ERR_LIMIT, "too many failed sign-ins; try again in %d minutes",
                          (wait + 59) / 60)
                : 0;
}

/* Counts one failure on an entry and locks it at its limit. */
static void fail_once(throttle *e, int limit, time_t now)
{
    if (!e)
        return;
    if (now - e->first >= HTTP_LOGIN_WINDOW_SECONDS) {
        e->failures = 0;
        e->first = now;
    }
    if (++e->failures >= limit)
        e->locked_until = now + HTTP_LOGIN_WINDOW_SECONDS;
}

void http_login_failed(http_sessions *t, const char *address, const char *login, time_t now)
{
    char ka[sizeof ((throttle *)0)->key], kl[sizeof ka];

    throttle_key(ka, sizeof ka, 'a', address);
    throttle_key(kl, sizeof kl, 'l', login);
    pthread_mutex_lock(&t->mu);
    fail_once(throttle_get(t, ka, now, 1), HTTP_LOGIN_FAILURES * ADDRESS_FACTOR, now);
    fail_once(throttle_get(t, kl, now, 1), HTTP_LOGIN_FAILURES, now);
    pthread_mutex_unlock(&t->mu);
}

void http_login_succeeded(http_sessions *t, const char *login)
{
    char kl[sizeof ((throttle *)0)->key];
    throttle *e;

    throttle_key(kl, sizeof kl, 'l', login);
    pthread_mutex_lock(&t->mu);
    if ((e = throttle_get(t, kl, 0, 0)) && e->locked_until == 0)
        e->failures = 0;
    pthread_mutex_unlock(&t->mu);
}
