/* cmd_report: `saima report` prints the latest figures of our region (the is_self unit):
 * cumulative value, same period last year, growth, annual target, completion, and how many
 * peer regions have reported the period. */
#include "cli/scope.h"
#include "engine/progress.h"
#include "util/err.h"
#include "util/period.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DASH "—"

/* cli_tr for format strings: a conditional of literals lets the compiler check both. */

const cli_opt cmd_report_opts[] = {
    { "--period", "YYYY-MM", "month to report (default: the latest month with our figures)" },
    { NULL, NULL, NULL },
};

/* One indicator's line; has_* say which numbers exist. */
typedef struct report_row {
    const model_indicator *ind;
    int has_value, has_last, has_target, has_yoy, has_completion;
    double value, last, goal, yoy, completion;
    int state, yoy_kind;
    size_t reported;           /* peer regions with a value this period */
    int rank, ranked, tier, move, has_move; /* our standing among the peers (the engine's) */
} report_row;

typedef struct report {
    model_unit self, city;           /* city.code is "" when unknown */
    period_key key, last_key;
    char code[PERIOD_CODE_MAX], last_code[PERIOD_CODE_MAX];
    model_indicator *inds;
    size_t ni;
    report_row *rows;
    char (*peers)[MODEL_CODE_MAX];
    int *peer_seen;
    size_t npeers, reported;
    int firsts[3], first_tier, bottom, ranked;  /* the leaders' summary */
} report;

static void report_free(report *r)
{
    free(r->inds);
    free(r->rows);
    free(r->peers);
    free(r->peer_seen);
}

/* Our region, and the unit it belongs to (the city), or else the reference unit. */
static int find_self(const cli_ctx *ctx, store *s, report *r)
{
    model_unit *units = NULL;
    size_t n = 0;
    int rc, found = 0;
    if ((rc = store_units(s, &units, &n)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (units[i].is_self && !found) {
            r->self = units[i];
            found = 1;
        }
    }
    for (size_t i = 0; found && i < n; i++) {
        int parent = r->self.parent_code[0] && strcmp(units[i].code, r->self.parent_code) == 0;
        if (parent || (!r->city.code[0] && units[i].kind == UNIT_REFERENCE))
            r->city = units[i];
    }
    free(units);
    if (!found)
        return err_set(ERR_NOTFOUND, "%s",
                       cli_tr(ctx, "没有标记为本区（is_self）的单位；可先运行 saima demo",
                              "no unit is marked as ours (is_self); try saima demo"));
    return 0;
}

static int contains(const model_unit *list, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i].code, code) == 0)
            return 1;
    }
    return 0;
}

static int set_peers(report *r, const model_unit *list, size_t n, int regions_only)
{
    size_t k = 0;
    r->peers = calloc(n ? n : 1, sizeof *r->peers);
    r->peer_seen = calloc(n ? n : 1, sizeof *r->peer_seen);
    if (!r->peers || !r->peer_seen)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!regions_only || list[i].kind == UNIT_REGION)
            snprintf(r->peers[k++], MODEL_CODE_MAX, "%s", list[i].code);
    }
    r->npeers = k;
    return 0;
}

/* The peers group holding our region; without one, every region. */
static int find_peers(store *s, report *r)
{
    model_group *groups = NULL;
    model_unit *members = NULL;
    size_t ng = 0, nm = 0;
    int rc;
    if ((rc = store_groups(s, &groups, &ng)) != 0)
        return rc;
    for (size_t i = 0; i < ng && rc == 0; i++) {
        if (groups[i].kind != GROUP_PEERS)
            continue;
        if ((rc = store_group_members(s, groups[i].code, &members, &nm)) == 0 &&
            contains(members, nm, r->self.code)) {
            rc = set_peers(r, members, nm, 0);
            free(members);
            free(groups);
            return rc;
        }
        free(members);
        members = NULL;
    }
    free(groups);
    if (rc == 0 && (rc = store_units(s, &members, &nm)) == 0)
        rc = set_peers(r, members, nm, 1);
    free(members);
    return rc;
}

static int latest_month_cb(const model_observation *o, void *ctx)
{
    period_key *best = ctx, p;
    if (period_parse(o->period_code, &p) == 0 && p.kind == PERIOD_MONTH &&
        (best->year == 0 || period_ordinal(&p) > period_ordinal(best)))
        *best = p;
    return 0;
}

static int pick_period(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, store *s,
                       report *r)
{
    const char *text = cli_opt_value(cmd, args, "--period");
    obs_filter f = store_filter_all();
    int rc;
    if (text) {
        if (period_parse(text, &r->key) != 0)
            return cli_usage_error(cmd, CLI_TR(ctx, "--period 无效：%s", "--period: %s"), err_msg());
        if (r->key.kind != PERIOD_MONTH)
            return cli_usage_error(cmd, CLI_TR(ctx, "--period 应为月份（YYYY-MM），而不是“%s”",
                                               "--period takes a month (YYYY-MM), not '%s'"),
                                   text);
    } else {
        memset(&r->key, 0, sizeof r->key);
        snprintf(f.unit_code, sizeof f.unit_code, "%s", r->self.code);
        f.period_kind = PERIOD_MONTH;
        if ((rc = store_observations_each(s, &f, latest_month_cb, &r->key)) != 0)
            return rc;
        if (r->key.year == 0)
            return err_set(ERR_NOTFOUND, CLI_TR(ctx, "%s（%s）还没有月度数据",
                                                "%s (%s) has no monthly figures yet"),
                           r->self.name, r->self.code);
    }
    r->last_key = period_last_year(&r->key);
    period_format(&r->key, r->code, sizeof r->code);
    period_format(&r->last_key, r->last_code, sizeof r->last_code);
    return 0;
}

static report_row *row_of(report *r, const char *indicator_code)
{
    for (size_t i = 0; i < r->ni; i++) {
        if (strcmp(r->inds[i].code, indicator_code) == 0)
            return &r->rows[i];
    }
    return NULL;
}

static int peer_index(const report *r, const char *unit_code)
{
    for (size_t i = 0; i < r->npeers; i++) {
        if (strcmp(r->peers[i], unit_code) == 0)
            return (int)i;
    }
    return -1;
}

static int this_period_cb(const model_observation *o, void *ctx)
{
    report *r = ctx;
    report_row *row = row_of(r, o->indicator_code);
    int peer = peer_index(r, o->unit_code);
    if (!row)
        return 0;
    if (strcmp(o->unit_code, r->self.code) == 0) {
        row->has_value = 1;
        row->value = o->value;
        row->state = o->state;
    }
    if (peer >= 0) {
        row->reported++;
        r->peer_seen[peer] = 1;
    }
    return 0;
}

static int last_year_cb(const model_observation *o, void *ctx)
{
    report_row *row = row_of(ctx, o->indicator_code);
    if (row) {
        row->has_last = 1;
        row->last = o->value;
    }
    return 0;
}

static int load_targets(store *s, report *r)
{
    model_target *t = NULL;
    size_t n = 0;
    int rc;
    if ((rc = store_targets(s, r->key.year, &t, &n)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        report_row *row = row_of(r, t[i].indicator_code);
        if (row && strcmp(t[i].unit_code, r->self.code) == 0) {
            row->has_target = 1;
            row->goal = t[i].value;
        }
    }
    free(t);
    return 0;
}

/* Growth and completion come from the engine; undefined ones stay missing. */
static void compute_rows(report *r)
{
    for (size_t i = 0; i < r->ni; i++) {
        report_row *row = &r->rows[i];
        row->has_yoy = row->has_value && row->has_last &&
                       progress_yoy(row->ind->value_kind, row->value, row->last, &row->yoy,
                                    &row->yoy_kind) == 0;
        row->has_completion = row->has_value && row->has_target &&
                              progress_completion(row->ind->direction, row->value, row->goal,
                                                  &row->completion) == 0;
    }
    r->reported = 0;
    for (size_t i = 0; i < r->npeers; i++)
        r->reported += (size_t)r->peer_seen[i];
    err_clear();
}

/* Our rank, tier and movement on every indicator among the peer group, from the engine, and
 * the summary leaders quote (N 项第一 …). A store without a peer group leaves them out. */
static int load_ranks(const cli_ctx *ctx, store *s, report *r)
{
    app_ctx q = cli_query_ctx(ctx, s);
    app_scope sc;
    int rc;
    if (app_scope_at(&q, NULL, &r->key, &sc) != 0) {
        err_clear();
        return 0;
    }
    for (size_t i = 0; i < r->ni; i++) {
        app_analysis a;
        report_row *row = &r->rows[i];
        if ((rc = app_analyze(&sc, row->ind->code, &a)) != 0)
            return rc;
        for (size_t u = 0; u < a.sp.nunits; u++) {
            const engine_standing *st = &a.st[u];
            if (strcmp(a.sp.units[u].code, r->self.code) != 0 || st->rank.rank == 0)
                continue;
            row->rank = st->rank.rank;
            row->ranked = st->rank.rank - 1 + st->rank.ties + st->rank.worse;
            row->tier = st->tier;
            row->has_move = st->rank_prev > 0;
            row->move = st->move_prev;
            r->ranked++;
            if (st->rank.rank <= 3)
                r->firsts[st->rank.rank - 1]++;
            r->first_tier += st->first_tier;
            r->bottom += st->tier == TIER_BOTTOM;
        }
        app_analysis_free(&a);
    }
    return 0;
}

static int load_report(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args, store *s,
                       report *r)
{
    obs_filter f = store_filter_all();
    int rc;
    if ((rc = find_self(ctx, s, r)) != 0 || (rc = find_peers(s, r)) != 0 ||
        (rc = pick_period(ctx, cmd, args, s, r)) != 0 ||
        (rc = store_indicators(s, &r->inds, &r->ni)) != 0)
        return rc;
    if (!(r->rows = calloc(r->ni ? r->ni : 1, sizeof *r->rows)))
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < r->ni; i++)
        r->rows[i].ind = &r->inds[i];
    snprintf(f.period_code, sizeof f.period_code, "%s", r->code);
    if ((rc = store_observations_each(s, &f, this_period_cb, r)) != 0)
        return rc;
    snprintf(f.period_code, sizeof f.period_code, "%s", r->last_code);
    snprintf(f.unit_code, sizeof f.unit_code, "%s", r->self.code);
    if ((rc = store_observations_each(s, &f, last_year_cb, r)) != 0 ||
        (rc = load_targets(s, r)) != 0)
        return rc;
    compute_rows(r);
    return load_ranks(ctx, s, r);
}

/* ---- text ---- */

/* v with precision decimals and thousands separators ("12,345.68"); never "-0". */
static void fmt_number(double v, int precision, char *buf, size_t size)
{
    char tmp[64], out[96];
    const char *digits, *dot;
    size_t k = 0, intlen;
    int neg;
    snprintf(tmp, sizeof tmp, "%.*f", precision, v);
    neg = tmp[0] == '-' && strspn(tmp + 1, "0.") != strlen(tmp + 1);
    digits = tmp[0] == '-' ? tmp + 1 : tmp;
    dot = strchr(digits, '.');
    intlen = dot ? (size_t)(dot - digits) : strlen(digits);
    if (neg)
        out[k++] = '-';
    for (size_t i = 0; i < intlen && k + 2 < sizeof out; i++) {
        if (i > 0 && (intlen - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = '\0';
    snprintf(buf, size, "%s%s", out, dot ? dot : "");
}

static const char *measure_en(const char *measure)
{
    static const char *const map[][2] = {
        { "亿元", "100M CNY" }, { "万元", "10k CNY" }, { "元", "CNY" },
        { "万平方米", "10k m2" }, { "万人", "10k people" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(map[i][0], measure) == 0)
            return map[i][1];
    }
    return measure;
}

/* "2025年1-10月" (cumulative) or "2025年1月"; in English "Jan-Oct 2025". */
static void period_label(const cli_ctx *ctx, const period_key *p, char *buf, size_t size)
{
    static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    int m = p->seq >= 1 && p->seq <= 12 ? p->seq : 1;
    if (ctx->english && m == 1)
        snprintf(buf, size, "Jan %d", p->year);
    else if (ctx->english)
        snprintf(buf, size, "Jan-%s %d", mon[m - 1], p->year);
    else if (m == 1)
        snprintf(buf, size, "%d年1月", p->year);
    else
        snprintf(buf, size, "%d年1-%d月", p->year, m);
}

static void fmt_yoy(const cli_ctx *ctx, const report_row *row, char *buf, size_t size)
{
    char num[40];
    if (!row->has_yoy) {
        snprintf(buf, size, DASH);
        return;
    }
    fmt_number(row->yoy, 1, num, sizeof num);
    if (row->yoy_kind == PROGRESS_POINTS)
        snprintf(buf, size, "%s%s", num, cli_tr(ctx, "个百分点", " pp"));
    else
        snprintf(buf, size, "%s%%", num);
}

static int add_row(const cli_ctx *ctx, table *t, const report_row *row)
{
    char value[64], last[64], goal[64], yoy[64], done[64], rank[32], move[32];
    const model_indicator *ind = row->ind;
    const char *cells[9];
    if (row->rank)
        snprintf(rank, sizeof rank, "%d/%d %s", row->rank, row->ranked,
                 ctx->english ? (row->tier == TIER_TOP ? "top 3" : row->tier == TIER_BOTTOM ? "bottom 3" : "")
                              : app_tier_names[row->tier].label_zh);
    if (row->has_move && row->move)
        snprintf(move, sizeof move, "%s%d", row->move > 0 ? "↑" : "↓", row->move > 0 ? row->move : -row->move);
    else
        snprintf(move, sizeof move, "%s", row->has_move ? cli_tr(ctx, "持平", "=") : DASH);
    if (row->has_value)
        fmt_number(row->value, ind->precision, value, sizeof value);
    if (row->has_last)
        fmt_number(row->last, ind->precision, last, sizeof last);
    if (row->has_target)
        fmt_number(row->goal, ind->precision, goal, sizeof goal);
    if (row->has_completion) {
        fmt_number(row->completion, 1, done, sizeof done);
        strcat(done, "%");
    }
    fmt_yoy(ctx, row, yoy, sizeof yoy);
    cells[0] = ctx->english && ind->name_en[0] ? ind->name_en : ind->name;
    cells[1] = ctx->english ? measure_en(ind->measure) : ind->measure;
    cells[2] = row->has_value ? value : DASH;
    cells[3] = row->has_last ? last : DASH;
    cells[4] = yoy;
    cells[5] = row->has_target ? goal : DASH;
    cells[6] = row->has_completion ? done : DASH;
    cells[7] = row->rank ? rank : DASH;
    cells[8] = row->rank ? move : DASH;
    return table_add(t, cells);
}

static int print_text(const cli_ctx *ctx, const report *r)
{
    static const char *const zh[] = { "指标", "计量单位", "本期累计", "去年同期", "同比增长",
                                      "年度目标", "目标完成率", "全市排名", "较上月" };
    static const char *const en[] = { "Indicator", "Measure", "Year to date", "Last year",
                                      "YoY", "Annual target", "Completion", "Rank", "vs month" };
    char label[64];
    table *t = table_new(9, ctx->english ? en : zh);
    int rc = 0;
    if (!t)
        return err_set(ERR_NOMEM, "out of memory");
    for (int c = 2; c < 9; c++)
        table_right(t, c);
    for (size_t i = 0; i < r->ni && rc == 0; i++)
        rc = add_row(ctx, t, &r->rows[i]);
    if (rc == 0) {
        period_label(ctx, &r->key, label, sizeof label);
        if (ctx->english)
            printf("%s: main economic indicators, %s (year to date)\n", r->self.name_en[0] ?
                   r->self.name_en : r->self.name, label);
        else
            printf("%s主要经济指标（%s）\n", r->self.name, label);
        if (ctx->english)
            printf("%s%s%zu/%zu regions have reported %s\n\n",
                   r->city.name_en[0] ? r->city.name_en : r->city.name,
                   r->city.code[0] ? " · " : "",
                   r->reported, r->npeers, r->code);
        else
            printf("%s%s已报送 %zu/%zu 个区县（%s）\n\n", r->city.name, r->city.code[0] ? " · " : "",
                   r->reported, r->npeers, r->code);
        if (r->ranked)
            printf(CLI_TR(ctx, "%d 项指标排名中：%d 项第一，%d 项第二，%d 项第三，%d 项进入第一方阵，"
                               "%d 项排名后三。\n\n",
                          "%d indicators ranked: %d first, %d second, %d third, %d in the first tier, "
                          "%d in the bottom three.\n\n"),
                   r->ranked, r->firsts[0], r->firsts[1], r->firsts[2], r->first_tier, r->bottom);
        table_print(t, stdout);
        printf("\n%s\n", cli_tr(ctx, "注：累计值为年初至本月；比重类指标的同比为百分点变化；"
                                     "— 表示暂无数据。",
                                "Values are cumulative from January; ratios change in "
                                "percentage points; — means no data yet."));
    }
    table_free(t);
    return rc;
}

/* ---- JSON ---- */

static json_t *num_or_null(int has, double v)
{
    return has ? json_real(v) : json_null();
}

static json_t *unit_json(const model_unit *u)
{
    if (!u->code[0])
        return json_null();
    return json_pack("{s:s, s:s, s:s}", "code", u->code, "name", u->name, "name_en", u->name_en);
}

static json_t *row_json(const report_row *row)
{
    const model_indicator *ind = row->ind;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:i}", "code", ind->code, "name", ind->name,
                          "name_en", ind->name_en, "measure", ind->measure, "precision",
                          ind->precision);
    if (!o)
        return NULL;
    json_object_set_new(o, "value", num_or_null(row->has_value, row->value));
    json_object_set_new(o, "state", row->has_value ? json_string(model_obs_states[row->state].key)
                                                   : json_null());
    json_object_set_new(o, "last_year", num_or_null(row->has_last, row->last));
    json_object_set_new(o, "yoy", num_or_null(row->has_yoy, row->yoy));
    json_object_set_new(o, "yoy_unit", !row->has_yoy ? json_null()
                                       : json_string(row->yoy_kind == PROGRESS_POINTS ? "points"
                                                                                      : "percent"));
    json_object_set_new(o, "target", num_or_null(row->has_target, row->goal));
    json_object_set_new(o, "completion", num_or_null(row->has_completion, row->completion));
    json_object_set_new(o, "reported", json_integer((json_int_t)row->reported));
    json_object_set_new(o, "rank", row->rank ? json_integer(row->rank) : json_null());
    json_object_set_new(o, "ranked", json_integer(row->ranked));
    json_object_set_new(o, "tier", json_string(app_tier_names[row->tier].key));
    json_object_set_new(o, "move_prev", row->rank && row->has_move ? json_integer(row->move) : json_null());
    return o;
}

static int print_json(const report *r)
{
    json_t *root = json_object(), *rows = json_array();
    if (!root || !rows) {
        json_decref(root);
        json_decref(rows);
        return err_set(ERR_NOMEM, "out of memory building JSON");
    }
    json_object_set_new(root, "unit", unit_json(&r->self));
    json_object_set_new(root, "city", unit_json(&r->city));
    json_object_set_new(root, "period", json_string(r->code));
    json_object_set_new(root, "last_year_period", json_string(r->last_code));
    json_object_set_new(root, "regions", json_integer((json_int_t)r->npeers));
    json_object_set_new(root, "regions_reported", json_integer((json_int_t)r->reported));
    for (size_t i = 0; i < r->ni; i++)
        json_array_append_new(rows, row_json(&r->rows[i]));
    json_object_set_new(root, "indicators", rows);
    json_object_set_new(root, "summary",
                        json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "ranked", r->ranked, "first", r->firsts[0],
                                  "second", r->firsts[1], "third", r->firsts[2], "first_tier",
                                  r->first_tier, "bottom_three", r->bottom));
    return cli_print_json(root);
}

int cmd_report(const cli_ctx *ctx, const cli_cmd *cmd, const cli_args *args)
{
    store *s = NULL;
    report r;
    int rc;
    memset(&r, 0, sizeof r);
    if ((rc = cli_open_existing(ctx, &s)) != 0 || (rc = load_report(ctx, cmd, args, s, &r)) != 0)
        goto done;
    rc = ctx->json ? print_json(&r) : print_text(ctx, &r);
done:
    report_free(&r);
    store_close(s);
    return rc;
}
