/* scope: what the CLI's engine commands share on top of src/app — the group and period
 * options, the query context of a command (everything visible, texts for tables unless
 * --json), running one query on the command's database, and the heading above a table. */
#ifndef SAIMA_CLI_SCOPE_H
#define SAIMA_CLI_SCOPE_H

#include "cli/cli.h"
#include "app/app.h"

/* The options every analysis command takes. */
#define CLI_SCOPE_OPTS                                                                             \
    { "--group", "CODE", "the competing group (default: the peer group of our region)" },          \
    { "--period", "YYYY-MM", "the month (default: the latest month on record)" }

/* The query context of a command on store s: every figure (the CLI reads the database
 * directly), the command's language, table texts unless --json, --user as the actor. */
app_ctx cli_query_ctx(const cli_ctx *ctx, store *s);

/* The query options of a command's parsed arguments (--group, --period, --indicator, ...). */
app_params cli_query_params(const cli_cmd *cmd, const cli_args *args);

/* A query's usage error as the CLI reports it ("--period takes ...", with the help hint);
 * other codes pass through. */
int cli_query_error(const cli_cmd *cmd, int rc);

/* A query function of src/app over the command's options. */
typedef int (*cli_query_fn)(const app_ctx *q, const app_params *p, json_t **out);

/* Opens the database (it must exist), runs fn with the command's options, closes it. *out is
 * the caller's. */
int cli_query(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, cli_query_fn fn, json_t **out);

/* Prints "WHAT（group name，month）" above a table (nothing with --json). */
void cli_print_heading(const cli_ctx *ctx, const char *group_name, const char *month_code, const char *what);

/* The string at key of obj ("" when absent). */
const char *cli_json_text(json_t *obj, const char *key);

/* Deletes the keys (NULL-terminated) the API adds from obj, so that --json prints what it
 * always printed. Returns obj. */
json_t *cli_json_strip(json_t *obj, const char *const *keys);

#endif
