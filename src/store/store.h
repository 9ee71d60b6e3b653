/* store: the one interface to Saima's storage, one small operation table per concern.
 * Callers see entities (model/model.h) and error codes (util/err.h); a back end (SQLite
 * today, PostgreSQL later) fills every table. Lists are returned as arrays the caller owns
 * and releases with free(). Text fields are fixed-size: a longer value is refused with
 * ERR_DATA, never cut. Every operation returns 0 or a negative err code with err_msg() set. */
#ifndef SAIMA_STORE_H
#define SAIMA_STORE_H

#include "model/model.h"

#include <stddef.h>
#include <stdint.h>

typedef struct store store;

/* What a put did: added a row, changed a stored one, or found it already as given (and
 * wrote nothing that matters). Every put takes an optional (NULL) out-parameter of it. */
enum store_put_result { STORE_INSERTED = 0, STORE_CHANGED, STORE_UNCHANGED };

/* What a put of a row and of its parts (members, items) did together: the row's result,
 * unless the row was unchanged and its parts were not. */
static inline enum store_put_result store_put_combined(enum store_put_result row,
                                                       enum store_put_result parts)
{
    return row == STORE_UNCHANGED ? parts : row;
}

/* The concerns whose writes are counted apart, so that a cache of results drops only what a
 * write can have changed (bits of a mask: STORE_CONCERN(c)). */
enum store_concern {
    STORE_REF = 0,   /* units, groups, indicators, schemes, periods */
    STORE_OBS,       /* observations, their revisions, targets, validation flags */
    STORE_FLOW,      /* submissions and their steps */
    STORE_RACE,      /* contests, judges, red flags, events, caps, awards */
    STORE_ACCT,      /* users and the audit log */
    STORE_NCONCERNS
};
#define STORE_CONCERN(c) (1u << (c))
#define STORE_CONCERNS_ALL ((1u << STORE_NCONCERNS) - 1u)

/* What has changed, as one handle sees it. n[c] is kept in the database and moved in the same
 * transaction as every write of concern c through any store (another process's included), so
 * equal values read by any two handles mean no such write was committed in between. other
 * is this handle's own count of commits it saw that moved none of n (a program writing SQL
 * straight into the file, a write rolled back): a cache drops everything when it moves. */
typedef struct store_changes {
    long long n[STORE_NCONCERNS];
    long long other;
} store_changes;

/* The core: the handle's life, transactions and what callers cache on. */
struct store_core_ops {
    int version;                       /* STORE_CORE_OPS_VERSION */
    /* Closes the handle; an open transaction is rolled back. */
    void (*close)(store *s);
    /* One transaction at a time: everything between begin and commit lands together or
     * not at all. begin inside a transaction is ERR_INTERNAL. */
    int (*begin)(store *s);
    /* The same for a bulk import: the database's own per-row checks (foreign keys, CHECK
     * constraints) are off until the transaction ends, and observations_insert checks what
     * it is given itself: the ids once per distinct id (ERR_CONSTRAINT naming one that does
     * not exist), every row's state. */
    int (*begin_bulk)(store *s);
    int (*commit)(store *s);
    /* Rolls back the open transaction; without one it does nothing. */
    int (*rollback)(store *s);
    /* The schema version the database has. */
    int (*schema_version)(store *s, int *out);
    /* A change counter: a number that differs whenever any connection (this one included)
     * has committed a change since this handle last read it. Only equality means anything:
     * equal numbers mean nothing was committed in between (for caches of results). */
    int (*change_counter)(store *s, long long *out);
    /* What has changed, by concern (struct store_changes): read before computing a result
     * that is kept, and again to decide whether the kept result still holds. */
    int (*changes)(store *s, store_changes *out);
};

#define STORE_CORE_OPS_VERSION 3

/* A handle: every back end's handle starts with this, a table per concern. */
struct store {
    const struct store_core_ops *core;
    const struct store_ref_ops *ref;   /* store/ref.h: units, groups, indicators, schemes, periods */
    const struct store_obs_ops *obs;   /* store/obs.h: observations, targets, flags */
    const struct store_flow_ops *flow; /* store/flow.h: deadlines, submissions, steps */
    const struct store_race_ops *race; /* store/race.h: contests, judges, flags, events, awards */
    const struct store_acct_ops *acct; /* store/acct.h: users and the audit log */
};

/* Options for opening; zero means the default. */
typedef struct store_open_opts {
    int max_version;  /* migrate no further than this schema version (tests of old databases) */
    int must_exist;   /* ERR_NOTFOUND when there is no database yet: nothing is created */
    int busy_ms;      /* how long a write waits for another connection's write lock before
                       * ERR_BUSY; default STORE_BUSY_MS_DEFAULT */
    long cache_kib;   /* this connection's page cache; default store_cache_budget_kib() */
} store_open_opts;

#define STORE_BUSY_MS_DEFAULT 5000

/* The page cache this machine allows a process: an eighth of physical memory, at most
 * 256 MiB, at least 2 MiB (in KiB). A process with several connections divides it. */
long store_cache_budget_kib(void);

/* Opens the store a URI names and migrates it to the latest schema: "sqlite:path" or a bare
 * path is a SQLite database (created if needed); "postgres://..." and "postgresql://..."
 * are ERR_USAGE until that back end is built; any other "scheme://" is ERR_USAGE. *out is
 * the caller's, to release with store_close. */
int store_open(const char *uri, store **out);
int store_open_with(const char *uri, const store_open_opts *opts, store **out);

/* The newest schema version this build knows. */
int store_latest_version(void);

/* Forwards to the core table under the names callers use; store_close accepts NULL. */
static inline void store_close(store *s)
{
    if (s)
        s->core->close(s);
}
static inline int store_begin(store *s) { return s->core->begin(s); }
static inline int store_begin_bulk(store *s) { return s->core->begin_bulk(s); }
static inline int store_commit(store *s) { return s->core->commit(s); }
static inline int store_rollback(store *s) { return s->core->rollback(s); }
static inline int store_schema_version(store *s, int *out) { return s->core->schema_version(s, out); }
static inline int store_change_counter(store *s, long long *out) { return s->core->change_counter(s, out); }
static inline int store_changes_read(store *s, store_changes *out) { return s->core->changes(s, out); }

#include "store/acct.h"
#include "store/flow.h"
#include "store/obs.h"
#include "store/race.h"
#include "store/ref.h"

#endif
