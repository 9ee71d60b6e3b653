/* store/acct: the accounts' and the audit log's operations. */
#ifndef SAIMA_STORE_ACCT_H
#define SAIMA_STORE_ACCT_H

#include "store/store.h"

/* Accounts and audit. */
struct store_acct_ops {
    int version;                       /* STORE_ACCT_OPS_VERSION */
    /* Writes an account by login; a reporter without a unit is ERR_DATA. */
    int (*user_put)(store *s, const model_user *u, enum store_put_result *result);
    /* Every account, by login. */
    int (*users)(store *s, model_user **out, size_t *n);
    /* One account by login, or ERR_NOTFOUND. */
    int (*user_get)(store *s, const char *login, model_user *out);
    /* Appends an entry to the audit log, stamped with the write time. */
    int (*audit_add)(store *s, const char *actor, const char *action, const char *entity,
                     const char *detail);
    /* The newest entries first, at most limit (0 for all). */
    int (*audits)(store *s, int limit, model_audit_entry **out, size_t *n);
};

#define STORE_ACCT_OPS_VERSION 1

/* Forwards to the table above under the names callers use. */
static inline int store_user_put(store *s, const model_user *u, enum store_put_result *r) { return s->acct->user_put(s, u, r); }
static inline int store_users(store *s, model_user **out, size_t *n) { return s->acct->users(s, out, n); }
static inline int store_user_get(store *s, const char *login, model_user *out) { return s->acct->user_get(s, login, out); }
static inline int store_audit_add(store *s, const char *actor, const char *action, const char *entity,
                                  const char *detail)
{
    return s->acct->audit_add(s, actor, action, entity, detail);
}
static inline int store_audits(store *s, int limit, model_audit_entry **out, size_t *n)
{
    return s->acct->audits(s, limit, out, n);
}

#endif
