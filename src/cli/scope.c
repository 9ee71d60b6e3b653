/* scope: the CLI's glue to src/app — options in, a query's JSON out. */
#include "cli/scope.h"

#include "util/err.h"

#include <string.h>

app_ctx cli_query_ctx(const cli_ctx *ctx, store *s)
{
    app_ctx q = { .s = s, .english = ctx->english, .texts = !ctx->json, .actor = ctx->actor };
    return q;
}

app_params cli_query_params(const cli_cmd *cmd, const cli_args *args)
{
    app_params p = {
        cli_opt_value(cmd, args, "--group"),  cli_opt_value(cmd, args, "--period"),
        cli_opt_value(cmd, args, "--indicator"), cli_opt_value(cmd, args, "--unit"),
        cli_opt_value(cmd, args, "--scheme"), cli_opt_value(cmd, args, "--year"),
        NULL,
    };
    return p;
}

int cli_query_error(const cli_cmd *cmd, int rc)
{
    char msg[512];
    if (rc != ERR_USAGE)
        return rc;
    snprintf(msg, sizeof msg, "%s", err_msg());
    return cli_usage_error(cmd, "--%s", msg);
}

int cli_query(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, cli_query_fn fn, json_t **out)
{
    app_params p = cli_query_params(cmd, args);
    app_ctx q;
    store *s;
    int rc;
    if ((rc = cli_open_existing(ctx, &s)) != 0)
        return rc;
    q = cli_query_ctx(ctx, s);
    rc = cli_query_error(cmd, fn(&q, &p, out));
    store_close(s);
    return rc;
}

void cli_print_heading(const cli_ctx *ctx, const char *group_name, const char *month_code, const char *what)
{
    if (!ctx->json)
        printf(CLI_TR(ctx, "%s（%s，%s）\n\n", "%s (%s, %s)\n\n"), what, group_name, month_code);
}

const char *cli_json_text(json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    return v ? v : "";
}

json_t *cli_json_strip(json_t *obj, const char *const *keys)
{
    for (size_t k = 0; keys[k]; k++)
        json_object_del(obj, keys[k]);
    return obj;
}
