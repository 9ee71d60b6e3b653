/* serve: `saima serve`, the HTTP server as a command of the program (serve.c). */
#ifndef SAIMA_SERVE_H
#define SAIMA_SERVE_H

#include "cli/cli.h"

/* Runs the server on the context's database until SIGINT or SIGTERM, then stops gracefully;
 * usage errors name the option. */
int cmd_serve(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);

/* The options of serve: --port, --bind, --threads, --web. */
extern const cli_opt cmd_serve_opts[];

#endif
