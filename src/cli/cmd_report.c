/* cmd_report: scaffolding replaced in this session by the real command. */
#include "cli/cli.h"
#include "util/err.h"

const cli_opt cmd_report_opts[] = { { NULL, NULL, NULL } };

int cmd_report(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    (void)ctx;
    (void)cmd;
    (void)args;
    return err_set(ERR_INTERNAL, "scaffolding");
}
