/* scaffolding replaced in this session */
#include "cli/cli.h"
#include "util/err.h"
const cli_opt cmd_list_opts[] = { { NULL, NULL, NULL } };
const cli_opt cmd_show_opts[] = { { NULL, NULL, NULL } };
int cmd_list(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args) { (void)ctx; (void)cmd; (void)args; return err_set(ERR_INTERNAL, "scaffolding"); }
int cmd_show(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args) { (void)ctx; (void)cmd; (void)args; return err_set(ERR_INTERNAL, "scaffolding"); }
