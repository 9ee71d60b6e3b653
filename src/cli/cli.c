/* cli: helpers every command uses: options, language, store, JSON, usage errors. */
#include "cli/cli.h"
#include "util/err.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

static int opt_index(const cli_cmd *cmd, const char *name)
{
    for (int i = 0; cmd->opts && cmd->opts[i].name; i++) {
        if (strcmp(cmd->opts[i].name, name) == 0)
            return i;
    }
    return -1;
}

const char *cli_opt_value(const cli_cmd *cmd, const cli_args *args, const char *name)
{
    int i = opt_index(cmd, name);
    return i >= 0 ? args->value[i] : NULL;
}

int cli_opt_set(const cli_cmd *cmd, const cli_args *args, const char *name)
{
    int i = opt_index(cmd, name);
    return i >= 0 && args->set[i];
}

const char *cli_tr(const cli_ctx *ctx, const char *zh, const char *en)
{
    return ctx->english ? en : zh;
}

int cli_open_store(const cli_ctx *ctx, store **out)
{
    return store_open(ctx->db_path, out);
}

int cli_open_existing(const cli_ctx *ctx, store **out)
{
    if (access(ctx->db_path, F_OK) != 0)
        return err_set(ERR_NOTFOUND, "%s '%s' (saima init, saima demo)",
                       cli_tr(ctx, "数据库不存在", "no database at"), ctx->db_path);
    return store_open(ctx->db_path, out);
}

/* Reals are printed with 15 significant digits: every figure typed with up to 15 digits
 * reads back exactly, and sums print as 0.3, not 0.30000000000000004. CSV export is the
 * bit-exact path. */
int cli_print_json(json_t *value)
{
    int rc;
    if (!value)
        return err_set(ERR_NOMEM, "out of memory building JSON");
    rc = json_dumpf(value, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    json_decref(value);
    if (rc != 0 || fputc('\n', stdout) == EOF)
        return err_set(ERR_IO, "cannot write JSON to standard output");
    return 0;
}

int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(ERR_USAGE, "%s (saima help %s)", msg, cmd->name);
}
