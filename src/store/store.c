/* store: the back-end-neutral entry points: opening by URI (the one place a back end is
 * chosen) and the few operations built from a table's operations. */
#include "store/store.h"
#include "store/store_sqlite.h"
#include "util/err.h"

#include <ctype.h>
#include <string.h>
#include <unistd.h>

/* The length of uri's "scheme://" prefix (letters, digits, '+', '-', '.'), or 0. */
static size_t scheme_len(const char *uri)
{
    size_t n = 0;
    if (!isalpha((unsigned char)uri[0]))
        return 0;
    while (isalnum((unsigned char)uri[n]) || uri[n] == '+' || uri[n] == '-' || uri[n] == '.')
        n++;
    return strncmp(uri + n, "://", 3) == 0 ? n + 3 : 0;
}

int store_open_with(const char *uri, const store_open_opts *opts, store **out)
{
    size_t n;
    if (!uri || !uri[0])
        return err_set(ERR_USAGE, "no database given");
    if (strncmp(uri, "sqlite:", 7) == 0)
        return store_sqlite_open(uri + 7, opts, out);
    if (strncmp(uri, "postgres://", 11) == 0 || strncmp(uri, "postgresql://", 13) == 0)
        return err_set(ERR_USAGE, "the PostgreSQL back end is not built yet");
    if ((n = scheme_len(uri)) > 0)
        return err_set(ERR_USAGE, "unknown kind of store '%.*s' (sqlite:path or a path)",
                       (int)(n - 3), uri);
    return store_sqlite_open(uri, opts, out);
}

int store_open(const char *uri, store **out)
{
    return store_open_with(uri, NULL, out);
}

long store_cache_budget_kib(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    long long kib = pages > 0 && page > 0 ? (long long)pages * page / 1024 / 8 : 0;
    if (kib > 256 * 1024 || kib <= 0)
        kib = 256 * 1024;
    return kib < 2048 ? 2048 : (long)kib;
}

int store_latest_version(void)
{
    return store_sqlite_latest_version();
}

int store_period_get_code(store *s, const char *code, model_period *out)
{
    period_key key;
    int rc = period_parse(code, &key);
    return rc != 0 ? rc : store_period_get(s, &key, out);
}

obs_filter store_filter_all(void)
{
    obs_filter f;
    memset(&f, 0, sizeof f);
    f.period_kind = -1;
    return f;
}
