/* session: the server's signed-in sessions and its login throttle, kept in memory and safe to
 * use from every worker thread. A session is found by its secret token (only a hash of it is
 * kept) and carries the login it belongs to and its CSRF token; a restart signs everyone out.
 * The throttle counts failed logins per client address and per login name. */
#ifndef SAIMA_HTTP_SESSION_H
#define SAIMA_HTTP_SESSION_H

#include "app/auth.h"
#include "model/model.h"

#include <time.h>

#define HTTP_SESSION_IDLE_SECONDS (8 * 3600)   /* a session unused this long ends */
#define HTTP_SESSION_MAX_SECONDS (24 * 3600)   /* and none lasts longer than this */
#define HTTP_SESSION_MAX 10000                 /* live sessions; the oldest goes first */
#define HTTP_LOGIN_FAILURES 5                  /* failed logins allowed per name or address */
#define HTTP_LOGIN_WINDOW_SECONDS (15 * 60)    /* within this window, then refused as long */

typedef struct http_sessions http_sessions;

/* Creates an empty table (*out is the caller's, released with http_sessions_free). Returns 0
 * or ERR_NOMEM. */
int http_sessions_new(http_sessions **out);
void http_sessions_free(http_sessions *t);

/* Starts a session for login at now; writes its token and CSRF token. Returns 0 or an err
 * code (ERR_INTERNAL when randomness fails). */
int http_session_create(http_sessions *t, const char *login, time_t now,
                        char token[APP_AUTH_TOKEN_SIZE], char csrf[APP_AUTH_TOKEN_SIZE]);

/* Finds the live session of token at now and marks it used; writes its login and CSRF token.
 * Returns 0 or ERR_AUTH when there is none (unknown, idle too long or too old). */
int http_session_find(http_sessions *t, const char *token, time_t now,
                      char login[MODEL_CODE_MAX], char csrf[APP_AUTH_TOKEN_SIZE]);

/* Ends the session of token (nothing when there is none). */
void http_session_end(http_sessions *t, const char *token);

/* Ends every session of login (after its password changes or it is disabled). */
void http_session_end_login(http_sessions *t, const char *login);

/* Whether a login attempt from address for login may go ahead at now. Returns 0, or ERR_LIMIT
 * with *retry_after the seconds to wait. */
int http_login_check(http_sessions *t, const char *address, const char *login, time_t now,
                     int *retry_after);

/* Records a failed attempt, or a success (which forgets the login's failures). */
void http_login_failed(http_sessions *t, const char *address, const char *login, time_t now);
void http_login_succeeded(http_sessions *t, const char *login);

#endif
