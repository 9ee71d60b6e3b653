/* cli: helpers every command uses: options, language, store, JSON, usage errors. */
#include "cli/cli.h"
#include "util/err.h"
#include "util/num.h"

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
    store_open_opts o = { .must_exist = 1 };
    int rc = store_open_with(ctx->db_path, &o, out);
    if (rc == ERR_NOTFOUND)
        return err_set(ERR_NOTFOUND, "%s '%s' (saima init, saima demo)",
                       cli_tr(ctx, "数据库不存在", "no database at"), ctx->db_path);
    return rc;
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

void cli_cell_text(const cli_ctx *ctx, json_t *v, const model_enum *names, int nnames, char *buf,
                   size_t size)
{
    int i;
    if (names && !ctx->english && json_is_string(v) &&
        (i = model_enum_find(names, nnames, json_string_value(v))) >= 0)
        snprintf(buf, size, "%s", names[i].label_zh);
    else if (!v || json_is_null(v))
        snprintf(buf, size, "—");
    else if (json_is_string(v))
        snprintf(buf, size, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        num_format(json_real_value(v), buf, size);
    else if (json_is_boolean(v))
        snprintf(buf, size, "%s", json_is_true(v) ? cli_tr(ctx, "是", "yes") : "");
    else
        snprintf(buf, size, "?");
}

static int print_rows(const cli_ctx *ctx, json_t *rows, const cli_column *cols, int ncols)
{
    const char *headers[CLI_MAX_COLS] = { NULL };
    char cells[CLI_MAX_COLS][MODEL_TEXT_MAX];
    const char *cellp[CLI_MAX_COLS] = { NULL };
    table *t;
    size_t i;
    json_t *row;
    int rc = 0;
    if (ncols > CLI_MAX_COLS)
        return err_set(ERR_INTERNAL, "a table of %d columns is too wide", ncols);
    for (int c = 0; c < ncols; c++) {
        headers[c] = cli_tr(ctx, cols[c].zh, cols[c].en);
        cellp[c] = cells[c];
    }
    if (!(t = table_new(ncols, headers)))
        return err_set(ERR_NOMEM, "out of memory");
    for (int c = 0; c < ncols; c++) {
        if (cols[c].right)
            table_right(t, c);
    }
    json_array_foreach(rows, i, row) {
        for (int c = 0; c < ncols; c++)
            cli_cell_text(ctx, json_object_get(row, cols[c].key), cols[c].names, cols[c].nnames,
                          cells[c], sizeof cells[c]);
        if ((rc = table_add(t, cellp)) != 0)
            break;
    }
    if (rc == 0)
        table_print(t, stdout);
    table_free(t);
    return rc;
}

int cli_emit_rows(const cli_ctx *ctx, json_t *rows, const cli_column *cols, int ncols)
{
    int rc;
    if (!rows)
        return err_set(ERR_NOMEM, "out of memory building output");
    if (ctx->json)
        return cli_print_json(rows);
    rc = print_rows(ctx, rows, cols, ncols);
    json_decref(rows);
    return rc;
}
