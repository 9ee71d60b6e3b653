/* api_auth: signing in and out, who am I, and changing one's own password. Sessions live in
 * the server (session.c); the cookie is HttpOnly and SameSite=Strict, and the CSRF token a
 * page must send back with every change is given in the body of login and /api/me. */
#include "app/app.h"
#include "app/auth.h"
#include "http/routes.h"
#include "http/session.h"
#include "io/json.h"
#include "util/err.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define LOGIN_BODY_MAX 4096

/* The principal and the CSRF token, as the page needs them. */
static json_t *me_json(const http_req *req, const char *csrf)
{
    const http_principal *w = &req->who;

    if (w->role == ROLE_PUBLIC)
        return json_pack("{s:{s:s}, s:n}", "user", "role", model_roles[ROLE_PUBLIC].key, "csrf");
    return json_pack("{s:{s:s, s:s, s:s, s:s?}, s:s}", "user", "login", w->login, "name",
                     w->display_name, "role", model_roles[w->role].key, "unit",
                     w->unit_code[0] ? w->unit_code : NULL, "csrf", csrf);
}

/* A text field of a JSON body, or NULL when missing or not a string. */
static const char *body_text(json_t *body, const char *key)
{
    return json_string_value(json_object_get(body, key));
}

static void session_cookie(http_req *req, const char *token, int max_age)
{
    char cookie[HTTP_COOKIE_MAX];

    snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d",
             HTTP_SESSION_COOKIE, token, max_age);
    http_req_set_cookie(req, cookie);
}

/* Opens a session for u and sets the reply's cookie and principal. */
static int open_session(http_req *req, const model_user *u, json_t **out)
{
    char token[APP_AUTH_TOKEN_SIZE], csrf[APP_AUTH_TOKEN_SIZE];
    int rc;

    if ((rc = http_session_create(http_req_sessions(req), u->login, time(NULL), token, csrf)) != 0)
        return rc;
    session_cookie(req, token, HTTP_SESSION_MAX_SECONDS);
    req->who.role = u->role;
    snprintf(req->who.login, sizeof req->who.login, "%s", u->login);
    snprintf(req->who.display_name, sizeof req->who.display_name, "%s", u->display_name);
    snprintf(req->who.unit_code, sizeof req->who.unit_code, "%s", u->unit_code);
    *out = me_json(req, csrf);
    return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}

static int h_login(http_req *req, json_t **out)
{
    json_t *body = NULL;
    const char *login, *password;
    http_sessions *t = http_req_sessions(req);
    app_ctx q;
    model_user u;
    int rc;
    time_t now = time(NULL);

    if (!t)
        return err_set(ERR_INTERNAL, "no sessions outside a server");
    if ((rc = http_req_json(req, &body)) != 0)
        return rc;
    login = body_text(body, "login");
    password = body_text(body, "password");
    if (!login || !password || !login[0] || !password[0]) {
        rc = err_set(ERR_USAGE, "login and password are required");
        goto done;
    }
    if ((rc = http_login_check(t, req->client_ip, login, now, &req->retry_after)) != 0 ||
        (rc = http_req_app_ctx(req, &q)) != 0)
        goto done;
    if ((rc = app_sign_in(&q, login, password, req->client_ip, &u)) != 0) {
        if (rc == ERR_AUTH)
            http_login_failed(t, req->client_ip, login, now);
        goto done;
    }
    http_login_succeeded(t, login);
    rc = open_session(req, &u, out);
done:
    json_decref(body);
    return rc;
}

static int h_logout(http_req *req, json_t **out)
{
    http_sessions *t = http_req_sessions(req);

    if (t && req->session_token)
        http_session_end(t, req->session_token);
    session_cookie(req, "", 0);
    req->who.role = ROLE_PUBLIC;
    *out = json_pack("{s:b}", "signed_out", 1);
    return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}

static int h_me(http_req *req, json_t **out)
{
    *out = me_json(req, req->csrf);
    return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}

/* Changes the signed-in account's own password; every session of the account ends and a new
 * one is opened for this browser. */
static int h_password(http_req *req, json_t **out)
{
    json_t *body = NULL;
    const char *current, *next;
    http_sessions *t = http_req_sessions(req);
    app_ctx q;
    model_user u;
    int rc;
    time_t now = time(NULL);

    if ((rc = http_req_json(req, &body)) != 0)
        return rc;
    current = body_text(body, "current");
    next = body_text(body, "new");
    if (!current || !next) {
        rc = err_set(ERR_USAGE, "current and new passwords are required");
        goto done;
    }
    if ((rc = http_login_check(t, req->client_ip, req->who.login, now, &req->retry_after)) != 0 ||
        (rc = http_req_app_ctx(req, &q)) != 0)
        goto done;
    if ((rc = app_password_change(&q, req->who.login, current, next, &u)) != 0) {
        if (rc == ERR_DENIED)
            http_login_failed(t, req->client_ip, req->who.login, now);
        goto done;
    }
    http_session_end_login(t, u.login);
    rc = open_session(req, &u, out);
done:
    json_decref(body);
    return rc;
}

const http_route http_routes_auth[] = {
    { "POST", "/api/login", h_login, HTTP_ROLES_ALL, LOGIN_BODY_MAX, HTTP_ROUTE_NO_CSRF },
    { "POST", "/api/logout", h_logout, HTTP_ROLES_SIGNED_IN, LOGIN_BODY_MAX, 0 },
    { "GET", "/api/me", h_me, HTTP_ROLES_ALL, 0, 0 },
    { "PUT", "/api/me/password", h_password, HTTP_ROLES_SIGNED_IN, LOGIN_BODY_MAX, 0 },
};

const size_t http_nroutes_auth = sizeof http_routes_auth / sizeof http_routes_auth[0];
