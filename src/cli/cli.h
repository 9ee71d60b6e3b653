/* cli: what every `saima` command shares: the command and option tables, parsed arguments,
 * global options (--db, --json, --lang, --user), bilingual text and output helpers. */
#ifndef SAIMA_CLI_H
#define SAIMA_CLI_H

#include "store/store.h"
#include "util/table.h"

#include <jansson.h>
#include <stdio.h>

#define CLI_MAX_OPTS 16
#define CLI_MAX_POS 8

/* One option of a command: "--year" with a value (metavar set) or a flag (metavar NULL). */
typedef struct cli_opt {
    const char *name;
    const char *metavar;
    const char *help;
} cli_opt;

/* Global settings, from the options every command accepts. */
typedef struct cli_ctx {
    const char *db_path;   /* --db PATH, default ./saima.db */
    int json;              /* --json: data as JSON on stdout */
    int english;           /* --lang en or SAIMA_LANG=en */
    const char *actor;     /* --user NAME: who is recorded as entering data */
} cli_ctx;

/* The parsed arguments of one command: value[i] belongs to the command's opts[i]. */
typedef struct cli_args {
    const char *value[CLI_MAX_OPTS];
    int set[CLI_MAX_OPTS];
    const char *pos[CLI_MAX_POS];
    int npos;
} cli_args;

struct cli_cmd;
typedef int (*cli_run_fn)(const cli_ctx *ctx, const struct cli_cmd *cmd, const cli_args *args);

/* A command: the run function returns an err code (0 ok), mapped to the exit code at the edge. */
typedef struct cli_cmd {
    const char *name;
    cli_run_fn run;
    const char *summary;       /* one line, English */
    const char *summary_zh;    /* one line, Chinese */
    const char *usage;         /* positional arguments, e.g. "KIND FILE" */
    const cli_opt *opts;       /* terminated by { NULL } */
    int min_pos, max_pos;
} cli_cmd;

/* The CLI's commands, each a line of the program's dispatch table (src/saima/main.c). */
int cmd_init(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_demo(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_import(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_export(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_list(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_show(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_report(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_workload(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_rank(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_gap(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_warn(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_forecast(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_score(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_explain(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_scheme(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_contest(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_flags(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_awards(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_ledger(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_events(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_user(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args);
int cmd_submissions(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args); /* cmd_entry.c */
extern const cli_opt cmd_submissions_opts[];

extern const cli_opt cmd_init_opts[], cmd_demo_opts[], cmd_import_opts[], cmd_export_opts[],
    cmd_list_opts[], cmd_show_opts[], cmd_report_opts[], cmd_workload_opts[], cmd_rank_opts[],
    cmd_gap_opts[], cmd_warn_opts[], cmd_forecast_opts[], cmd_score_opts[], cmd_explain_opts[],
    cmd_scheme_opts[], cmd_contest_opts[], cmd_flags_opts[], cmd_awards_opts[], cmd_ledger_opts[],
    cmd_events_opts[], cmd_user_opts[];

/* Runs the program: reads the global options (--db, --json, --lang, --user and their
 * environment defaults), prints help, parses the command's arguments against its option
 * table, runs it from commands (n of them, in the order help lists them), prints the error
 * detail once, and returns the exit code (0 ok, 1 usage, 2 bad data, 3 internal). */
int cli_main(int argc, char **argv, const cli_cmd *commands, size_t n);

/* The value of option name ("--year"), or NULL when it was not given. */
const char *cli_opt_value(const cli_cmd *cmd, const cli_args *args, const char *name);
/* Nonzero when flag or option name was given. */
int cli_opt_set(const cli_cmd *cmd, const cli_args *args, const char *name);


/* Explains a unit's points in a year: each contest's rank and points, each event, the caps
 * and the total (cmd_race.c); `saima explain --ledger YEAR`. */
int cli_explain_ledger(const cli_ctx *ctx, store *s, const char *unit_code, int year);

/* Picks the text of the context's language. */
const char *cli_tr(const cli_ctx *ctx, const char *zh, const char *en);

/* The same for printf formats: both are literals, so the compiler still checks the arguments. */
#define CLI_TR(ctx, zh, en) ((ctx)->english ? (en) : (zh))

/* Opens the context's database, creating it if needed; prints nothing. */
int cli_open_store(const cli_ctx *ctx, store **out);

/* Opens the context's database for a command that only reads it: a missing file is
 * ERR_NOTFOUND (with a hint), never a new empty database. */
int cli_open_existing(const cli_ctx *ctx, store **out);

/* Prints a JSON value (stolen) to stdout, indented, with a final newline. Returns 0 or ERR_IO. */
int cli_print_json(json_t *value);

/* Reports a usage error for cmd and returns ERR_USAGE. */
int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One column of a table view of JSON rows: the key, the headers in both languages,
 * right-alignment, and for enumeration keys the names shown by label in Chinese. */
typedef struct cli_column {
    const char *key;
    const char *zh;
    const char *en;
    int right;
    const model_enum *names;
    int nnames;
} cli_column;

#define CLI_COL(key, zh, en, right) { key, zh, en, right, NULL, 0 }
#define CLI_ENUM_COL(key, zh, en, names, n) { key, zh, en, 0, names, n }
#define CLI_NCOLS(a) ((int)(sizeof a / sizeof a[0]))
#define CLI_MAX_COLS 16

/* The table text of a JSON value ("—" for null); an enumeration key becomes its Chinese
 * label when names is given and the language is Chinese. */
void cli_cell_text(const cli_ctx *ctx, json_t *v, const model_enum *names, int nnames, char *buf,
                   size_t size);

/* Prints rows (a JSON array of objects, stolen) as JSON with --json, else as an aligned
 * table of the given columns (at most CLI_MAX_COLS). */
int cli_emit_rows(const cli_ctx *ctx, json_t *rows, const cli_column *cols, int ncols);

#endif
