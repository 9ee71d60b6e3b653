/* cmd_db: `saima init` — create the database or upgrade its schema. */
#include "cli/cli.h"
#include "util/err.h"

const cli_opt cmd_init_opts[] = { { NULL, NULL, NULL } };

int cmd_init(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    store *s;
    int rc, version = 0;
    (void)cmd;
    (void)args;
    if ((rc = cli_open_store(ctx, &s)) != 0)
        return rc;
    rc = store_schema_version(s, &version);
    store_close(s);
    if (rc != 0)
        return rc;
    if (ctx->json)
        return cli_print_json(json_pack("{s:s, s:i}", "db", ctx->db_path, "schema_version", version));
    printf("%s %s (%s %d)\n", cli_tr(ctx, "数据库已就绪:", "database ready:"), ctx->db_path,
           cli_tr(ctx, "结构版本", "schema version"), version);
    return 0;
}
