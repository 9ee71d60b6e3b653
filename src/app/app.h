/* app: the use-case layer the CLI and the server share for every read and write. Each function takes
 * a store, plain-text options and whether only published figures count, reads through the
 * store, computes in the engine, and returns one JSON value (the caller's) or an err code
 * with err_set detail: ERR_USAGE for a bad option (the message starts with the option's
 * name), ERR_NOTFOUND for an unknown code. No printing here. */
#ifndef SAIMA_APP_H
#define SAIMA_APP_H

#include "engine/analyze.h"
#include "engine/score.h"
#include "app/entry.h"
#include "app/panel.h"
#include "io/import.h"
#include "store/store.h"

#include <jansson.h>
#include <stdint.h>

/* Who asks and how: the store, what they may see, the language of translated texts. */
typedef struct app_ctx {
    store *s;
    int published_only;        /* nonzero: results from published figures only */
    int english;               /* translated texts in English (default Chinese) */
    int texts;                 /* add the "*_text" display strings tables show */
    const char *actor;         /* who is recorded as making a change ("" or NULL: nobody) */
    const char *actor_unit;    /* a reporter's unit: it acts on no other ("" or NULL: any) */
    const char *now;           /* the time lateness is judged at, ISO UTC ("" or NULL: the clock) */
} app_ctx;

/* Who is recorded as acting: ctx->actor, or "" for nobody. */
static inline const char *app_actor(const app_ctx *q)
{
    return q->actor ? q->actor : "";
}

/* The Chinese or the English of a text, as the ctx asks (a macro, so that a format string
 * given either way is still checked by the compiler). */
#define APP_TR(q, zh, en) ((q)->english ? (en) : (zh))

/* The options of a query as text, NULL (or "") when not given. */
typedef struct app_params {
    const char *group;         /* a group code (default: the peer group of our region) */
    const char *period;        /* a month "2026-10" (results), a quarter "2026-Q3" (contests) */
    const char *indicator;
    const char *unit;
    const char *scheme;
    const char *year;
    const char *limit;
} app_params;

extern const model_enum app_tier_names[4], app_level_names[4], app_warning_names[WARN_N];

/* ---- scope: a group and a month (scope.c) ---- */

/* What an analysis works on: a group, a month, the thresholds of the group's scheme. */
typedef struct app_scope {
    store *s;                  /* borrowed */
    int published_only, english;
    char group[MODEL_CODE_MAX];
    char group_name[MODEL_NAME_MAX];
    period_key month;
    char month_code[PERIOD_CODE_MAX];
    engine_params params;      /* the thresholds of the group's scheme, else the defaults */
    const app_members *members; /* the group's members read once for many analyses (borrowed,
                                   see app_scope_share_members), or NULL: each reads its own */
} app_scope;

/* One indicator analysed at the scope's month. */
typedef struct app_analysis {
    app_panel sp;
    long t;
    engine_standing *st;
} app_analysis;

/* Settles the group (group_code, else the peer group of our region) and the month (month_text, else
 * the latest month on record; with published_only the latest with a published figure).
 * ERR_USAGE for a period that is not a month, ERR_NOTFOUND for an unknown group. */
int app_scope_open(const app_ctx *q, const char *group_code, const char *month_text, app_scope *sc);

/* The same scope at a given month (no defaults looked up for it). */
int app_scope_at(const app_ctx *q, const char *group_code, const period_key *month, app_scope *sc);

/* Points the scope at another group (a scheme's). */
int app_scope_set_group(app_scope *sc, const char *group_code);

/* The indicators of the group's scheme, else every indicator; *out is the caller's. */
int app_scope_indicators(const app_scope *sc, model_indicator **out, size_t *n);

/* The peer group (kind peers) holding our own region, else the first group. */
int app_peer_group(store *s, char *out);

/* Our own unit in a group (is_self), or ERR_NOTFOUND asking for a unit. */
int app_our_unit(store *s, const char *group_code, char *out);

/* Reads the scope's group members once into m and lets every later analysis of the scope use
 * them (m must outlive those analyses; free it with app_members_free). */
int app_scope_share_members(app_scope *sc, app_members *m);

/* Loads (visible figures only when the scope says so) and analyses one indicator; release
 * with app_analysis_free. The panel holds only the months the analysis reads
 * (app_panel_load_at); the values of the scope's month are always there. */
int app_analyze(const app_scope *sc, const char *indicator_code, app_analysis *a);

/* Analyses n indicators of the scope together: their panels read at once (one store read per
 * run of months, app_panels_load_at), each analysed as app_analyze does. Needs the scope's
 * shared members (app_scope_share_members). out has n analyses; release each with
 * app_analysis_free (on an error they are released already). */
int app_analyze_many(const app_scope *sc, const model_indicator *inds, size_t n, app_analysis *out);

/* The same with every month of the panel's years loaded (for a trend over many months). */
int app_analyze_history(const app_scope *sc, const char *indicator_code, app_analysis *a);
void app_analysis_free(app_analysis *a);

/* The units of an analysis in rank order, the unranked last (the caller frees it). */
size_t *app_rank_order(const app_analysis *a);

/* A unit's standing as JSON: numbers as numbers (rounded for display), null when none. */
json_t *app_standing_json(const app_analysis *a, size_t u);

/* {"code","name"} of the scope's group. */
json_t *app_group_json(const app_scope *sc);

/* {"code","name","unit","direction","precision"} of an indicator. */
json_t *app_indicator_json(const model_indicator *ind);

/* A finite number rounded to decimals, or null. */
json_t *app_num_or_null(double v, int decimals);

/* Adds key_text: the number at key with a fixed count of decimals, for tables. */
void app_add_fixed_text(json_t *row, const char *key, int decimals);

/* Adds the table texts of a standing's numbers and movements ("↑2", "持平"). */
void app_add_display_texts(int english, json_t *row, int precision);

/* Parses a year option (name for the message); ERR_USAGE when it is not a year. */
int app_parse_year(const char *name, const char *text, int *year);

/* ---- analysis results (analysis.c) ---- */

/* Every unit's standing on params->indicator (required), rank order:
 * {"group":{code,name},"period","indicator":{...},"published_only","rows":[...]}. */
int app_rankings(const app_ctx *q, const app_params *p, json_t **out);

/* The counts leaders quote (N 项第一 …) over a unit's ranked standings: how many, 1st, 2nd,
 * 3rd, in the first tier, in the bottom three. */
typedef struct app_summary {
    int n, first, second, third, first_tier, bottom;
} app_summary;

/* Counts one ranked standing (rank > 0) into sm. */
void app_summary_add(app_summary *sm, const engine_standing *st);

/* {count_key: n, "first", "second", "third", "first_tier", "bottom_three"}. */
json_t *app_summary_json(const app_summary *sm, const char *count_key);

/* One unit (params->unit, else ours) across the group's indicators, with the leaders'
 * summary: {"unit","unit_name","group","group_name","period","published_only","summary",
 * "indicators":[...]}. */
int app_gaps(const app_ctx *q, const app_params *p, json_t **out);

/* The latest figures of our region (the is_self unit) at params->period (a month, else the
 * latest with figures of ours): value, last year, growth, target, completion, peers reported,
 * our rank among the peer group and the leaders' summary: {"unit","city","period",
 * "last_year_period","regions","regions_reported","indicators":[...],"summary",
 * "published_only"}. */
int app_report(const app_ctx *q, const app_params *p, json_t **out);

/* Every warning of the group (only params->unit / params->indicator when given), the most
 * severe first: {"group":{...},"period","published_only","rows":[...]}. */
int app_warnings(const app_ctx *q, const app_params *p, json_t **out);

/* How far last year's forecasts landed, by month, over the year-to-date indicators (or
 * params->indicator): {"group":{...},"period","year","indicator","published_only","rows"}. */
int app_backtest(const app_ctx *q, const app_params *p, json_t **out);

/* Every member's rank on every indicator of the group: {"group","period","published_only",
 * "units":[...],"indicators":[...],"cells":[[cell|null per unit] per indicator]}. */
int app_heatmap(const app_ctx *q, const app_params *p, json_t **out);

/* One unit's value, rank and target over the 24 months up to the period, oldest first. */
int app_trend(const app_ctx *q, const app_params *p, json_t **out);

/* The biggest movements in rank since last month, |move| descending then indicator order,
 * at most params->limit (default 10): {"group","period","published_only","rows":[...]}. */
int app_movers(const app_ctx *q, const app_params *p, json_t **out);

/* ---- scores (score.c) ---- */

/* A scheme scored at a month. */
typedef struct app_scored {
    app_scope sc;
    model_scheme sch;
    model_scheme_item *items;
    size_t nitems, nunits;
    app_members members;         /* the scheme group's, shared by the analyses */
    app_analysis *an;          /* per item */
    engine_method *methods;      /* per item */
    engine_points *scores;       /* nunits × nitems */
    engine_explain *why;         /* nunits × nitems, or NULL when not asked for */
    engine_total *totals;        /* per unit */
    engine_grading grading;
    char grade_names[8][ENGINE_GRADE_NAME_MAX];
    int has_grading;
} app_scored;

/* The scheme named (code), else the group's, else the first; ERR_NOTFOUND when unknown. */
int app_pick_scheme(store *s, const char *code, const char *group_code, model_scheme *out);

/* Maps a year's events and caps (store records) to the engine's, for the members of a group:
 * events of other units are left out, categories become indexes. *out_ev and *out_cap are the
 * caller's to free. */
int app_year_events(const model_event *evs, size_t nev, const model_event_cap *caps, size_t ncap,
                      const model_unit *members, size_t nunits, engine_event **out_ev, size_t *nout_ev,
                      engine_cap **out_cap, size_t *nout_cap);

/* Scores a scheme (code, else the first) at a month; release with app_scored_free. */
int app_score_scheme_at(const app_ctx *q, const char *scheme_code, const period_key *month,
                          app_scored *r);

/* Scores params->scheme (else the scheme of the default group) at params->period; with
 * explained, keeps how every score was reached (r->why), else r->why is NULL. */
int app_score_open(const app_ctx *q, const app_params *p, int explained, app_scored *r);
void app_scored_free(app_scored *r);

/* A scheme's scores, totals, rank and grades: {"scheme","scheme_name","group","group_name",
 * "period","published_only","units":[...]} (units in rank order). */
int app_scores(const app_ctx *q, const app_params *p, json_t **out);

/* How one unit's (params->unit, else ours) points were reached, item by item (only
 * params->indicator when given): {"unit","unit_name","scheme","scheme_name","grading",
 * "period","published_only","units","items":[...],"items_total","bonus","deduction",
 * "total","rank","veto","grade"}; each item also carries "params" (the method's). */
int app_explain(const app_ctx *q, const app_params *p, json_t **out);

/* A scheme (code, else the first) with its checks: each item's method and parameters, the
 * weights' sum against the total (engine_scheme_check), the grading and the settings:
 * {"code","name","group","period_kind","total_weight","weights_sum","grading","grading_check",
 * "settings","settings_check","items":[{indicator,weight,method,params,check}]}; *problems
 * counts what does not check out (0: the scheme is sound). ERR_NOTFOUND for an unknown code. */
int app_scheme_show(const app_ctx *q, const char *code, json_t **out, size_t *problems);

/* ---- the race (race.c) ---- */

/* Runs the contests of a period (of group only when set) in one transaction and decides each
 * group's red flag; *ran and *ngroups count what was done. Audited as ctx->actor. */
int app_contest_run(const app_ctx *q, const period_key *p, const char *only, size_t *ran,
                      size_t *ngroups);

/* The contests of params->period (a quarter; required) by group (params->group only):
 * {"period","published_only","groups":[{group,name,period,ran,units,flag,awards,contests}]}. */
int app_contests(const app_ctx *q, const app_params *p, json_t **out);

/* The awards of params->period (required) by group: {"period","published_only",
 * "groups":[{group,period,awards}]}. */
int app_awards(const app_ctx *q, const app_params *p, json_t **out);

/* The red flag's history, flags per unit and year, and records (params->group only):
 * {"published_only","history","tally","records"}. */
int app_flags(const app_ctx *q, const app_params *p, json_t **out);

/* The year ledger (params->year required) by group: {"year","published_only",
 * "groups":[{group,year,units}]}. */
int app_ledger(const app_ctx *q, const app_params *p, json_t **out);

/* A unit's race points in a year: each contest, each event, the caps and the total:
 * {"unit","name","year","contests","events","contests_total","bonus","deduction","total",
 * "veto","rank","published_only"}. */
int app_explain_ledger(const app_ctx *q, const char *unit_code, int year, json_t **out);

/* ---- events (events.c) ---- */

/* An event to record, as text (NULL when not given). */
typedef struct app_event_in {
    const char *unit, *kind, *points, *category, *date, *evidence, *approved_by;
} app_event_in;

/* 0 when code names a unit, else ERR_NOTFOUND naming it. */
int app_check_unit(store *s, const char *code);

/* The events of a year (0: every year), of one unit when given (ERR_NOTFOUND for an unknown
 * one), as a JSON array. */
int app_events_list(const app_ctx *q, const char *unit_code, int year, json_t **out);

/* Checks and records an event (entered by ctx->actor), audited, in one transaction. */
int app_event_add(const app_ctx *q, const app_event_in *in, int64_t *id);

/* Revokes an event (kept on record with the reason), audited, in one transaction. */
int app_event_revoke(const app_ctx *q, int64_t id, const char *reason);

/* ---- imports (imports.c) ---- */

/* Imports one CSV file of kind (io_kind) in one transaction, recorded as ctx->actor, with the
 * period lock asked for every (unit, period) of a file of observations; opts (may be NULL)
 * say the rest. Returns what io_import_file returns; rep is always filled. */
int app_import_file(const app_ctx *q, int kind, const char *path, const io_import_opts *opts,
                    io_report *rep);

/* The same for CSV text in memory; name is what errors are reported under. */
int app_import_buffer(const app_ctx *q, int kind, const char *name, const char *data, size_t len,
                      const io_import_opts *opts, io_report *rep);

/* ---- reference data (reference.c) ---- */

/* The kinds app_list lists; the first four are also what app_show shows. */
enum app_kind {
    APP_UNITS, APP_GROUPS, APP_INDICATORS, APP_SCHEMES, APP_PERIODS, APP_TARGETS, APP_FLAGS,
    APP_USERS, APP_AUDIT
};

/* Every row of a list: an app_list_opts.limit or app_obs_query.limit without a bound. */
#define APP_ALL SIZE_MAX

/* What part of a list to give; zero is every year, every flag, no children, no rows. */
typedef struct app_list_opts {
    int year;                  /* targets: of this year only (0: every year) */
    int open_only;             /* flags: the open ones only */
    int children;              /* schemes: each with its "items" */
    size_t offset;             /* the first row given */
    size_t limit;              /* at most this many rows (APP_ALL: every one; audit: the latest) */
} app_list_opts;

/* The rows [offset, offset + limit) of a kind (enum app_kind) as a JSON array in io/json.c's
 * shapes, in the store's order, into *out; *total (may be NULL) counts every row there is.
 * ERR_USAGE for a kind that has no list. */
int app_list(const app_ctx *q, int kind, const app_list_opts *o, json_t **out, size_t *total);

/* One unit, group (with "members"), indicator or scheme (with "items") by its code, as JSON
 * into *out; ERR_NOTFOUND naming an unknown code. */
int app_show(const app_ctx *q, int kind, const char *code, json_t **out);

/* Every version of one observation (period in any form period_parse reads), oldest first, as
 * a JSON array; ERR_DATA for a period that does not parse, ERR_NOTFOUND when there is none. */
int app_obs_history(const app_ctx *q, const char *indicator, const char *unit, const char *period,
                    json_t **out);

/* Which observations to read: text filters, NULL or "" for any, and a window. */
typedef struct app_obs_query {
    const char *indicator, *unit;
    const char *period;        /* any form period_parse reads: 2026-10, 2026-Q3, 2026年1-9月 */
    const char *year;
    size_t offset, limit;      /* the rows given: [offset, offset + limit) of the visible ones */
} app_obs_query;

/* The observations a query matches that the ctx may see, as a JSON array in the store's order:
 * with actor_unit (a reporter) the published ones and its own unit's, else with
 * published_only the published ones, else all. *total (may be NULL) counts every visible row;
 * without it the read stops at the window's end. ERR_USAGE naming a filter that does not parse. */
int app_observations(const app_ctx *q, const app_obs_query *f, json_t **out, size_t *total);

/* Writes the CSV export of a kind (io_kind) to out, in the import's format (io_export). */
int app_export(const app_ctx *q, int kind, FILE *out, const io_export_opts *o);

/* ---- the demo city (demo.c, demo_entry.c) ---- */

struct demo_opts;

/* Builds the demo city into an empty database (ERR_CONFLICT naming where, when it holds any
 * unit, indicator or observation): the generator's data with the entry workflow, the contests
 * of every closed quarter in order, and the demo's accounts. With opts->scale
 * DEMO_SCALE_PROVINCE, the province (demo_province_build) and the office's and the leader's
 * accounts instead. *out is the summary:
 * {"city","self","as_of","seed","units":{"total",kind...},"groups","indicators","schemes",
 * "periods","targets","observations","accounts":[{login,name,role,unit,password}]}, "city"
 * being the reference unit (the province at province scale). */
int app_demo(const app_ctx *q, const struct demo_opts *opts, const char *where, json_t **out);

/* The demo's entry workflow, for demo_opts.entry: monthly deadlines (the 10th of the next
 * month) and, in the as_of month, approved, submitted, returned, late and missing
 * submissions, each through the workflow's transitions. */
int app_demo_entry(store *s, const struct demo_opts *opts);

/* ---- transactions (tx.c) ---- */

/* Ends the transaction a use case opened: commits when rc is 0, else rolls back keeping rc
 * and its detail message. Returns rc, or the commit's error. */
int app_tx_end(store *s, int rc);

/* ---- data entry and approval (submissions.c, docs/entry.md) ---- */

/* The latest month on record as a period code, ERR_NOTFOUND when there is none. */
int app_latest_month(store *s, char *buf, size_t size);

/* The canonical code of a period given as text, or the latest month when text is NULL or "";
 * ERR_USAGE when it is not a period. */
int app_period_or_latest(store *s, const char *text, char *buf, size_t size);

/* {"period","deadline","items":[...]}: every reporting unit's submission of the period (NULL:
 * the latest month), or only the actor's unit's for a reporter. */
int app_submissions_list(const app_ctx *q, const char *period, json_t **out);

/* One submission with its history and its items (owed indicators with value, the previous
 * period's value and note). ERR_NOTFOUND when the unit does not report for the period,
 * ERR_DENIED when a reporter asks for another unit. */
int app_submission_show(const app_ctx *q, const char *unit_code, const char *period, json_t **out);

/* Saves figures as drafts (all or none, one transaction) and answers with the submission and
 * its soft-validation "warnings". */
int app_submission_save(const app_ctx *q, const char *unit_code, const char *period,
                        const app_entry_value *v, size_t n, json_t **out);

/* Saves the figures of a CSV in the import format, restricted to the unit and period, as
 * drafts; answers with the submission, its warnings and the import's counts ("import"). A
 * refused file is ERR_DATA naming the first errors by line and column. */
int app_submission_upload(const app_ctx *q, const char *unit_code, const char *period,
                          const char *csv, size_t len, json_t **out);

/* Moves a submission to SUB_SUBMITTED, SUB_APPROVED (publishes and locks) or SUB_RETURNED
 * (reason required) in one transaction, and answers with the submission as it now is. */
int app_submission_move(const app_ctx *q, int to, const char *unit_code, const char *period,
                        const char *reason, json_t **out);

/* 催报: {"period","deadline","missing":[...],"late":[...]}. */
int app_reminders(const app_ctx *q, const char *period, json_t **out);

/* Sets a period's deadline ("YYYY-MM-DD", "" for none), audited, in one transaction. */
int app_deadline_set(const app_ctx *q, const char *period, const char *date);

/* ---- accounts (users.c) ---- */

/* A password line as read from a terminal or stdin: the policy's 1024 bytes, the newline and
 * the NUL. */
#define APP_PASSWORD_BUF 1026

/* 0 when login is 1..63 printable bytes without spaces (logins appear in logs and the audit),
 * else ERR_USAGE saying why. */
int app_user_check_login(const char *login);

/* Wipes a buffer that held a password, so the clear text does not linger in memory. */
void app_password_wipe(void *buf, size_t size);

/* The account login into *out, its hash blanked; ERR_NOTFOUND naming the login. */
int app_user_get(const app_ctx *q, const char *login, model_user *out);

/* Judges a new account before anyone types its password: its login, ERR_CONFLICT when the
 * login has an account, ERR_DATA for a reporter without a unit, ERR_NOTFOUND for a unit not
 * on record (nothing is written). */
int app_user_check_new(const app_ctx *q, const model_user *u);

/* Adds the account u (login, display name, role, unit) with password, checked against the
 * policy and hashed with argon2id, and its audit line (ctx->actor) in one transaction; *out is
 * the stored account, hash blanked. */
int app_user_add(const app_ctx *q, const model_user *u, const char *password, model_user *out);

/* Gives login a new password (policy, hash, audit, one transaction); *out as stored, hash
 * blanked. ERR_NOTFOUND for an unknown login. */
int app_user_passwd(const app_ctx *q, const char *login, const char *password, model_user *out);

/* Disables (nonzero) or enables login, audited, in one transaction; *out as stored. */
int app_user_set_disabled(const app_ctx *q, const char *login, int disabled, model_user *out);

/* Every account with its hash blanked; *out is the caller's to free. */
int app_users_list(const app_ctx *q, model_user **out, size_t *n);

/* An account to create with its password in clear (the demo's). */
typedef struct app_account {
    const char *login, *name;
    int role;                  /* enum role */
    const char *unit;          /* "" for none */
    const char *password;
} app_account;

/* Creates accounts (policy-checked, hashed) with an audit line each, in one transaction. */
int app_users_seed(const app_ctx *q, const app_account *a, size_t n);

/* Checks a login's password (the same ERR_AUTH, and the same time, for an unknown login, a
 * wrong password and a disabled account), stores a fresh hash when the stored one uses old
 * parameters, and audits the attempt with from (the client's address). An attempt whose
 * audit line cannot be written fails with the store's error (ERR_BUSY when the database is
 * busy), right password or not. *out is the account, hash blanked. */
int app_sign_in(const app_ctx *q, const char *login, const char *password, const char *from,
                model_user *out);

/* Changes login's own password: ERR_DENIED when current is wrong, ERR_DATA when next breaks
 * the policy; the new hash and its audit line land together. *out is the account, hash
 * blanked. */
int app_password_change(const app_ctx *q, const char *login, const char *current, const char *next,
                        model_user *out);

/* The account behind a session: login's account when it exists and is not disabled (hash
 * blanked), else ERR_AUTH. Read on every request, so disabling an account or changing its
 * role takes effect at once. */
int app_account_active(store *s, const char *login, model_user *out);

#endif
