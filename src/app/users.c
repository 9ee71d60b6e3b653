/* users: accounts and their passwords — the login and password rules, argon2id hashing, the
 * store write and its audit line in one transaction — for `saima user`, the demo's accounts
 * and anything else that manages accounts. Hashes never leave this file's functions. */
#include "app/app.h"
#include "app/auth.h"

#include "util/err.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(APP_PASSWORD_BUF == APP_AUTH_PASSWORD_MAX_BYTES + 2,
               "a password line holds the policy's bytes, a newline and the NUL");
_Static_assert(APP_AUTH_HASH_SIZE <= sizeof(((model_user *)0)->password_hash),
               "a hash fits user.password_hash");

int app_user_check_login(const char *login)
{
    size_t n = strlen(login);
    if (n == 0 || n >= MODEL_CODE_MAX)
        return err_set(ERR_USAGE, "login must be 1 to %d bytes", MODEL_CODE_MAX - 1);
    for (const char *p = login; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c == 0x7F)
            return err_set(ERR_USAGE, "login '%s' must not contain spaces or control characters", login);
    }
    return 0;
}

void app_password_wipe(void *buf, size_t size)
{
    sodium_memzero(buf, size);
}

/* The stored account with its hash; ERR_NOTFOUND naming the login. */
static int find(const app_ctx *q, const char *login, model_user *out)
{
    int rc = store_user_get(q->s, login, out);
    if (rc == ERR_NOTFOUND)
        return err_set(ERR_NOTFOUND, "%s '%s'", APP_TR(q, "无此用户", "no user"), login);
    return rc;
}

int app_user_get(const app_ctx *q, const char *login, model_user *out)
{
    int rc = find(q, login, out);
    app_password_wipe(out->password_hash, sizeof out->password_hash);
    return rc;
}

/* Checks password against the policy for u's login and hashes it into u. */
static int set_password(model_user *u, const char *password)
{
    int rc;
    if ((rc = app_auth_check_password(u->login, password)) != 0)
        return rc;
    return app_auth_hash(password, u->password_hash);
}

/* Saves u and its audit line (never a secret in it) inside the caller's transaction. */
static int put_audited(const app_ctx *q, const model_user *u, const char *action)
{
    char detail[MODEL_TEXT_MAX];
    int rc;
    snprintf(detail, sizeof detail, "%s role=%s unit=%s disabled=%d", u->login, model_roles[u->role].key,
             u->unit_code, u->disabled);
    if ((rc = store_user_put(q->s, u, NULL)) != 0)
        return rc;
    return store_audit_add(q->s, app_actor(q), action, "users", detail);
}

/* Runs put_audited in a transaction of its own, then reads the account back without its hash. */
static int save(const app_ctx *q, const model_user *u, const char *action, model_user *out)
{
    int rc;
    if ((rc = store_begin(q->s)) != 0 || (rc = app_tx_end(q->s, put_audited(q, u, action))) != 0)
        return rc;
    return app_user_get(q, u->login, out);
}

/* ERR_CONFLICT when login already has an account. */
static int refuse_existing(const app_ctx *q, const char *login)
{
    model_user old;
    if (store_user_get(q->s, login, &old) == 0) {
        app_password_wipe(old.password_hash, sizeof old.password_hash);
        return err_set(ERR_CONFLICT, "%s '%s' (saima user passwd)", APP_TR(q, "用户已存在", "user already exists"),
                       login);
    }
    err_clear();
    return 0;
}

/* The rules of an account's role: a known role, and a reporter bound to a unit on record
 * (other roles may name one too; it must exist). */
static int check_role(const app_ctx *q, const model_user *u)
{
    model_unit unit;
    int rc;
    if (u->role < 0 || u->role >= ROLE_N)
        return err_set(ERR_DATA, "user '%s': unknown role %d", u->login, u->role);
    if (u->role == ROLE_REPORTER && u->unit_code[0] == '\0')
        return err_set(ERR_DATA, "user '%s': a reporter must be bound to a unit", u->login);
    if (u->unit_code[0] && (rc = store_unit_get(q->s, u->unit_code, &unit)) != 0)
        return rc == ERR_NOTFOUND ? err_set(ERR_NOTFOUND, "unknown unit code '%s'", u->unit_code) : rc;
    return 0;
}

int app_user_check_new(const app_ctx *q, const model_user *u)
{
    int rc;
    if ((rc = app_user_check_login(u->login)) != 0 || (rc = refuse_existing(q, u->login)) != 0)
        return rc;
    return check_role(q, u);
}

int app_user_add(const app_ctx *q, const model_user *u, const char *password, model_user *out)
{
    model_user nu = *u;
    int rc;
    nu.disabled = 0;
    if ((rc = app_user_check_new(q, &nu)) == 0 && (rc = set_password(&nu, password)) == 0)
        rc = save(q, &nu, "user_add", out);
    app_password_wipe(nu.password_hash, sizeof nu.password_hash);
    return rc;
}

int app_user_passwd(const app_ctx *q, const char *login, const char *password, model_user *out)
{
    model_user u;
    int rc;
    if ((rc = find(q, login, &u)) == 0 && (rc = set_password(&u, password)) == 0)
        rc = save(q, &u, "user_passwd", out);
    app_password_wipe(u.password_hash, sizeof u.password_hash);
    return rc;
}

int app_user_set_disabled(const app_ctx *q, const char *login, int disabled, model_user *out)
{
    model_user u;
    int rc;
    if ((rc = find(q, login, &u)) == 0) {
        u.disabled = disabled != 0;
        rc = save(q, &u, disabled ? "user_disable" : "user_enable", out);
    }
    app_password_wipe(u.password_hash, sizeof u.password_hash);
    return rc;
}

int app_users_list(const app_ctx *q, model_user **out, size_t *n)
{
    int rc = store_users(q->s, out, n);
    for (size_t i = 0; rc == 0 && i < *n; i++)
        app_password_wipe((*out)[i].password_hash, sizeof (*out)[i].password_hash);
    return rc;
}

int app_users_seed(const app_ctx *q, const app_account *a, size_t n)
{
    model_user *u = calloc(n ? n : 1, sizeof *u);
    int rc = u ? 0 : err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        snprintf(u[i].login, sizeof u[i].login, "%s", a[i].login);
        snprintf(u[i].display_name, sizeof u[i].display_name, "%s", a[i].name);
        snprintf(u[i].unit_code, sizeof u[i].unit_code, "%s", a[i].unit);
        u[i].role = a[i].role;
        rc = set_password(&u[i], a[i].password);
    }
    if (rc == 0 && (rc = store_begin(q->s)) == 0) {
        for (size_t i = 0; rc == 0 && i < n; i++) {
            if ((rc = store_user_put(q->s, &u[i], NULL)) == 0)
                rc = store_audit_add(q->s, app_actor(q), "user-add", "users", u[i].login);
        }
        rc = app_tx_end(q->s, rc);
    }
    if (u)
        app_password_wipe(u, n * sizeof *u);
    free(u);
    return rc;
}

/* ---- signing in ---- */

/* A hash to check passwords of unknown logins against, so that a wrong login costs as much
 * time as a wrong password. */
static char dummy_hash[APP_AUTH_HASH_SIZE];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
    if (app_auth_hash("saima-no-such-account", dummy_hash) != 0)
        dummy_hash[0] = '\0';
}

/* Checks a login and password against the store; the same answer for every failure. */
static int check_password(store *s, const char *login, const char *password, model_user *u, int *rehash)
{
    int found = store_user_get(s, login, u) == 0;

    pthread_once(&dummy_once, make_dummy_hash);
    if (app_auth_verify(found ? u->password_hash : dummy_hash, password, rehash) != 0 || !found ||
        u->disabled || !u->password_hash[0])
        return err_set(ERR_AUTH, "wrong login or password");
    return 0;
}

/* Stores a fresh hash of password for u and the audit line of why (by u itself) in one
 * transaction. */
static int save_password(store *s, model_user *u, const char *password, const char *action)
{
    int rc;

    if ((rc = app_auth_hash(password, u->password_hash)) != 0 || (rc = store_begin(s)) != 0)
        return rc;
    if ((rc = store_user_put(s, u, NULL)) == 0)
        rc = store_audit_add(s, u->login, action, "users", u->login);
    return app_tx_end(s, rc);
}

int app_account_active(store *s, const char *login, model_user *out)
{
    int rc = store_user_get(s, login, out);
    app_password_wipe(out->password_hash, sizeof out->password_hash);
    if (rc == ERR_NOTFOUND || (rc == 0 && out->disabled))
        return err_set(ERR_AUTH, "no active account '%s'", login);
    return rc;
}

/* Writes one audit line of a sign-in in a transaction of its own. */
static int audit_sign_in(store *s, const char *login, const char *action, const char *from)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    return app_tx_end(s, store_audit_add(s, login, action, "users", from ? from : ""));
}

/* Every attempt leaves its audit line: when the line cannot be written (the database busy
 * past its wait), the sign-in fails with that error, whether the password was right or not,
 * so the answer tells nothing about the password. */
int app_sign_in(const app_ctx *q, const char *login, const char *password, const char *from,
                model_user *out)
{
    int rc, rehash = 0;
    if (check_password(q->s, login, password, out, &rehash) != 0) {
        app_password_wipe(out->password_hash, sizeof out->password_hash);
        if ((rc = audit_sign_in(q->s, login, "login-failed", from)) != 0)
            return rc;
        return err_set(ERR_AUTH, "wrong login or password");
    }
    rc = rehash ? save_password(q->s, out, password, "rehash") : 0;
    if (rc == 0)
        rc = audit_sign_in(q->s, out->login, "login", from);
    app_password_wipe(out->password_hash, sizeof out->password_hash);
    return rc;
}

int app_password_change(const app_ctx *q, const char *login, const char *current, const char *next,
                        model_user *out)
{
    int rc, rehash = 0;
    if (check_password(q->s, login, current, out, &rehash) != 0)
        rc = err_set(ERR_DENIED, "the current password is wrong");
    else if ((rc = app_auth_check_password(out->login, next)) == 0)
        rc = save_password(q->s, out, next, "passwd");
    app_password_wipe(out->password_hash, sizeof out->password_hash);
    return rc;
}
