/* imports: a CSV file or text imported as one use case — the CLI's `saima import` and the
 * server's entry upload both come here, so the rules an import obeys are given in one place:
 * who is recorded as entering the data, and the period lock (app_lock_state) asked for every
 * (unit, period) a file of observations touches. io reads, checks and writes the rows in one
 * transaction; nothing is written when anything is refused. */
#include "app/app.h"
#include "app/entry.h"

/* The options an import runs with: the caller's, with the actor and the lock rule set. */
static io_import_opts opts_of(const app_ctx *q, const io_import_opts *given)
{
    io_import_opts o = IO_IMPORT_OPTS_INIT;
    if (given)
        o = *given;
    if (q->actor && q->actor[0])
        o.actor = q->actor;
    o.lock_of = app_lock_state;
    return o;
}

int app_import_file(const app_ctx *q, int kind, const char *path, const io_import_opts *opts,
                    io_report *rep)
{
    io_import_opts o = opts_of(q, opts);
    return io_import_file(q->s, kind, path, &o, rep);
}

int app_import_buffer(const app_ctx *q, int kind, const char *name, const char *data, size_t len,
                      const io_import_opts *opts, io_report *rep)
{
    io_import_opts o = opts_of(q, opts);
    return io_import_buffer(q->s, kind, name, data, len, &o, rep);
}
