/* scope: what the engine commands share — the group and month a command looks at, one
 * indicator analysed for that group and month, and the JSON and table texts of a standing.
 * Data comes through the store; every figure is the engine's. */
#ifndef SAIMA_CLI_SCOPE_H
#define SAIMA_CLI_SCOPE_H

#include "cli/cli.h"
#include "engine/analyze.h"
#include "store/panel.h"

/* The options every analysis command takes. */
#define CLI_SCOPE_OPTS                                                                             \
    { "--group", "CODE", "the competing group (default: the peer group of our region)" },          \
    { "--period", "YYYY-MM", "the month (default: the latest month on record)" }

/* What every analysis command works on: a group, a month, the store. */
typedef struct cli_scope {
    store *s;
    char group[MODEL_CODE_MAX];
    char group_name[MODEL_NAME_MAX];
    period_key month;
    char month_code[PERIOD_CODE_MAX];
    engine_params params;      /* the thresholds of the group's scheme, else the defaults */
} cli_scope;

/* One indicator analysed at the scope's month. */
typedef struct cli_analysis {
    store_panel sp;
    long t;
    engine_standing *st;
} cli_analysis;

extern const model_enum cli_tier_names[4], cli_level_names[4], cli_warning_names[WARN_N];

/* Opens the store and settles the group (--group or the peer group of our region) and the
 * month (--period or the latest on record). sc->s is the caller's to close. */
int cli_scope_open(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, cli_scope *sc);

/* Points the scope at another group (a scheme's). */
int cli_scope_set_group(const cli_ctx *ctx, cli_scope *sc, const char *group_code);

/* The indicators of the group's scheme, else every indicator; *out is the caller's. */
int cli_scope_indicators(const cli_scope *sc, indicator **out, size_t *n);

/* The peer group (kind peers) holding our own region, else the first group. */
int cli_peer_group(store *s, char *out);

/* Our own unit in a group (is_self), or ERR_NOTFOUND asking for --unit. */
int cli_our_unit(store *s, const char *group_code, char *out);

/* Loads and analyses one indicator for the scope; release with cli_analysis_free. */
int cli_analyze(const cli_scope *sc, const char *indicator_code, cli_analysis *a);
void cli_analysis_free(cli_analysis *a);

/* The units of an analysis in rank order, the unranked last (the caller frees it). */
size_t *cli_rank_order(const cli_analysis *a);

/* A unit's standing as JSON: numbers as numbers (rounded for display), null when none. */
json_t *cli_standing_json(const cli_analysis *a, size_t u);

/* A finite number rounded to decimals, or null. */
json_t *cli_num_or_null(double v, int decimals);

/* Adds key_text: the number at key with a fixed count of decimals, for tables. */
void cli_add_fixed_text(json_t *row, const char *key, int decimals);

/* Adds the table texts of a standing's numbers and movements (nothing with --json). */
void cli_add_display_texts(const cli_ctx *ctx, json_t *row, int precision);

/* Prints "WHAT（group name，month）" above a table (nothing with --json). */
void cli_print_heading(const cli_ctx *ctx, const cli_scope *sc, const char *what);

#include "engine/score.h"

/* A scheme scored at the scope's month. */
typedef struct cli_scored {
    cli_scope sc;
    scheme sch;
    scheme_item *items;
    size_t nitems, nunits;
    cli_analysis *an;            /* per item */
    engine_method *methods;      /* per item */
    engine_points *scores;       /* nunits × nitems */
    engine_explain *why;         /* nunits × nitems */
    engine_total *totals;        /* per unit */
    engine_grading grading;
    char grade_names[8][ENGINE_GRADE_NAME_MAX];
    int has_grading;
    int borrowed_store;          /* the store is the caller's: not closed by cli_scored_free */
} cli_scored;

/* Maps a year's events and caps (store records) to the engine's, for the members of a group:
 * events of other units are left out, categories become indexes. *out_ev and *out_cap are the
 * caller's to free. */
int cli_year_events(const event *evs, size_t nev, const event_cap *caps, size_t ncap, const unit *members,
                    size_t nunits, engine_event **out_ev, size_t *nout_ev, engine_cap **out_cap,
                    size_t *nout_cap);

/* Scores a scheme at a month on a store the caller keeps open; release with cli_scored_free. */
int cli_score_scheme_at(const cli_ctx *ctx, store *s, const char *scheme_code, const period_key *month,
                        cli_scored *r);
void cli_scored_free(cli_scored *r);

#endif
