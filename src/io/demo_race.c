/* demo_race: the race of the demo city — the six contest categories of the seeds, a contest
 * per race group, category and quarter (the whole year before as_of and this year's closed
 * quarters), five judges' scores per entry, events including one revoked and one veto, yearly
 * caps, and the 骏马奖 / 蜗牛奖. Deterministic from the seed; results come from running the
 * contests (saima contest run), not from here. */
#include "io/demo.h"

#include "util/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *code, *name, *name_en;
} categories[] = {
    { "economic", "经济指标", "Economic indicators" },
    { "projects", "重点项目", "Key projects" },
    { "funds", "争资引资", "Funds and investment attraction" },
    { "rural", "乡村建设", "Rural construction" },
    { "innovation", "创建创新", "Creation and innovation" },
    { "party", "基层党建", "Party building" },
};
#define NCATEGORIES (sizeof categories / sizeof categories[0])

static const char *const race_groups[] = { "lj_econ", "lj_other", "lj_towns" };
#define NGROUPS (sizeof race_groups / sizeof race_groups[0])
#define NJUDGES 5

/* splitmix64: the demo's own generator, so the data never depends on the C library. */
static uint64_t next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *state)
{
    return (double)(next(state) >> 11) / 9007199254740992.0;
}

static int put_categories(store *s)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < NCATEGORIES; i++) {
        model_contest_category c;
        memset(&c, 0, sizeof c);
        snprintf(c.code, sizeof c.code, "%s", categories[i].code);
        snprintf(c.name, sizeof c.name, "%s", categories[i].name);
        snprintf(c.name_en, sizeof c.name_en, "%s", categories[i].name_en);
        c.sort_order = (int)i;
        rc = store_category_put(s, &c, NULL);
    }
    return rc;
}

/* One contest and its judges' scores. A unit's judged quality is its own level (fixed for the
 * demo) plus the category's and the quarter's luck; judges differ by a few points and score
 * in halves, as score sheets do. */
static int put_contest(store *s, const char *group_code, size_t cat, const period_key *q,
                       const model_unit *members, size_t n, const double *level, uint64_t *rng)
{
    model_contest c;
    char qcode[PERIOD_CODE_MAX];
    int rc;
    memset(&c, 0, sizeof c);
    period_format(q, qcode, sizeof qcode);
    snprintf(c.code, sizeof c.code, "%s-%s-%s", group_code, categories[cat].code, qcode);
    snprintf(c.name, sizeof c.name, "%s", categories[cat].name);
    snprintf(c.group_code, sizeof c.group_code, "%s", group_code);
    snprintf(c.category_code, sizeof c.category_code, "%s", categories[cat].code);
    snprintf(c.period_code, sizeof c.period_code, "%s", qcode);
    if (cat == 0 && strcmp(group_code, "lj_towns") == 0) {
        /* the towns' economic contest: the scheme's indicator scores count 70 %, judges 30 % */
        snprintf(c.scheme_code, sizeof c.scheme_code, "lj_town_race");
        c.engine_weight_bp = 7000;
        c.judge_weight_bp = 3000;
    } else {
        c.judge_weight_bp = 10000;
    }
    c.drop_extremes = 1;
    snprintf(c.points, sizeof c.points, "top=3,2,1;bottom=-3,-2,-1");
    c.flag_tie_rule = FLAG_TIE_HOLDER;
    if ((rc = store_contest_put(s, &c, NULL)) != 0)
        return rc;
    for (size_t u = 0; rc == 0 && u < n; u++) {
        double quality = level[u] + (uniform(rng) - 0.5) * 14;
        for (int j = 0; rc == 0 && j < NJUDGES; j++) {
            model_judge_score js;
            double score = floor((quality + (uniform(rng) - 0.5) * 6) * 2 + 0.5) / 2;
            memset(&js, 0, sizeof js);
            snprintf(js.contest_code, sizeof js.contest_code, "%s", c.code);
            snprintf(js.unit_code, sizeof js.unit_code, "%s", members[u].code);
            snprintf(js.judge, sizeof js.judge, "评委%d", j + 1);
            js.score = score > 100 ? 100 : score;
            rc = store_judge_score_put(s, &js, NULL);
        }
    }
    return rc;
}

/* The closed quarters: all four of the year before as_of, and this year's up to as_of. */
size_t demo_race_quarters(const period_key *as_of, period_key *out)
{
    size_t n = 0;
    for (int q = 1; q <= 4; q++)
        out[n++] = (period_key){ PERIOD_QUARTER, as_of->year - 1, q };
    for (int q = 1; q * 3 <= as_of->seq; q++)
        out[n++] = (period_key){ PERIOD_QUARTER, as_of->year, q };
    return n;
}

static int put_contests(store *s, const demo_opts *opts)
{
    period_key quarters[8];
    size_t nq = demo_race_quarters(&opts->as_of, quarters);
    uint64_t rng = opts->seed ^ 0x5a11a5eedu;
    int rc = 0;
    for (size_t g = 0; rc == 0 && g < NGROUPS; g++) {
        model_unit *members;
        size_t n;
        double level[32];
        if ((rc = store_group_members(s, race_groups[g], &members, &n)) != 0)
            break;
        for (size_t u = 0; u < n && u < 32; u++)
            level[u] = 80 + uniform(&rng) * 8;
        for (size_t q = 0; rc == 0 && q < nq; q++) {
            for (size_t c = 0; rc == 0 && c < NCATEGORIES; c++)
                rc = put_contest(s, race_groups[g], c, &quarters[q], members, n < 32 ? n : 32, level, &rng);
        }
        free(members);
    }
    return rc;
}

/* The events of the two years: commendations and bonuses for honours won, deductions and
 * criticisms for failures named in notices, one of them revoked under the fault-tolerance
 * rules (容错免责), and one veto incident. */
static int put_events(store *s, const demo_opts *opts)
{
    static const struct {
        int year_offset;
        const char *date, *unit, *category, *evidence;
        int kind;
        double points;
        const char *revoke_reason;
    } evs[] = {
        { -1, "-03-18", "lj_fgj", "honour", "获评省级营商环境创新示范（省字号）", EVENT_BONUS, 2, NULL },
        { -1, "-05-09", "lj_qiaotou", "honour", "承办全市乡村振兴现场观摩会", EVENT_BONUS, 1.5, NULL },
        { -1, "-06-21", "lj_swj", "notice", "市级督查通报：外资到位进度滞后", EVENT_CRITICISM, -1, NULL },
        { -1, "-08-15", "lj_ctjt", "safety", "在建项目发生较大安全生产事故", EVENT_VETO, 0, NULL },
        { -1, "-09-30", "lj_mafang", "notice", "媒体曝光：人居环境整治不力", EVENT_DEDUCTION, -2,
          "容错免责：问题系历史遗留，已按期整改销号，经区考核委员会审议免责" },
        { -1, "-11-12", "lj_kjj", "honour", "获批国家级科技企业孵化器（国字号）", EVENT_BONUS, 3, NULL },
        { -1, "-12-05", "lj_fgj", "honour", "创新做法被省发改委推广", EVENT_BONUS, 2, NULL },
        { -1, "-12-20", "lj_fgj", "honour", "获评全省重大项目建设先进集体", EVENT_BONUS, 2, NULL },
        { 0, "-02-26", "lj_binjiang", "honour", "一事一嘉奖：签约亿元以上项目3个", EVENT_COMMENDATION, 1, NULL },
        { 0, "-04-16", "lj_zjj", "notice", "市级督查通报：保障房建设进度滞后", EVENT_DEDUCTION, -1, NULL },
        { 0, "-07-08", "lj_shiqiao", "notice", "挂牌督办事项逾期未整改", EVENT_DEDUCTION, -2, NULL },
        { 0, "-09-12", "lj_cyjt", "honour", "入选省级产业投资基金示范", EVENT_BONUS, 1, NULL },
    };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof evs / sizeof evs[0]; i++) {
        model_event e;
        int64_t id;
        int year = opts->as_of.year + evs[i].year_offset;
        memset(&e, 0, sizeof e);
        snprintf(e.date, sizeof e.date, "%04d%s", year, evs[i].date);
        if (evs[i].year_offset == 0 && atoi(evs[i].date + 1) > opts->as_of.seq)
            continue; /* nothing after as_of */
        snprintf(e.unit_code, sizeof e.unit_code, "%s", evs[i].unit);
        snprintf(e.category, sizeof e.category, "%s", evs[i].category);
        snprintf(e.evidence, sizeof e.evidence, "%s", evs[i].evidence);
        snprintf(e.entered_by, sizeof e.entered_by, "考核办");
        snprintf(e.approved_by, sizeof e.approved_by, "区考核委员会");
        e.kind = evs[i].kind;
        e.points = evs[i].points;
        if ((rc = store_event_add(s, &e, &id)) == 0 && evs[i].revoke_reason)
            rc = store_event_revoke(s, id, evs[i].revoke_reason, "区考核委员会");
    }
    for (int y = opts->as_of.year - 1; rc == 0 && y <= opts->as_of.year; y++) {
        model_event_cap honour = { "honour", y, 5, 0 }, notice = { "notice", y, 0, 3 };
        if ((rc = store_event_cap_put(s, &honour, NULL)) == 0)
            rc = store_event_cap_put(s, &notice, NULL);
    }
    return rc;
}

static int put_awards(store *s)
{
    int rc = 0;
    for (size_t g = 0; rc == 0 && g < NGROUPS; g++) {
        model_award best, worst;
        memset(&best, 0, sizeof best);
        snprintf(best.code, sizeof best.code, "junma-%s", race_groups[g]);
        snprintf(best.name, sizeof best.name, "骏马奖");
        snprintf(best.name_en, sizeof best.name_en, "Steed award");
        snprintf(best.source, sizeof best.source, "contest");
        snprintf(best.source_code, sizeof best.source_code, "economic");
        snprintf(best.group_code, sizeof best.group_code, "%s", race_groups[g]);
        snprintf(best.rule, sizeof best.rule, "季度经济指标比拼第一名，并列同奖");
        worst = best;
        snprintf(worst.code, sizeof worst.code, "woniu-%s", race_groups[g]);
        snprintf(worst.name, sizeof worst.name, "蜗牛奖");
        snprintf(worst.name_en, sizeof worst.name_en, "Snail award");
        snprintf(worst.rule, sizeof worst.rule, "季度经济指标比拼末位，并列同奖");
        worst.worst = 1;
        if ((rc = store_award_put(s, &best, NULL)) == 0)
            rc = store_award_put(s, &worst, NULL);
    }
    return rc;
}

int demo_write_race(store *s, const demo_opts *opts)
{
    int rc;
    if ((rc = put_categories(s)) != 0 || (rc = put_contests(s, opts)) != 0 ||
        (rc = put_events(s, opts)) != 0)
        return rc;
    return put_awards(s);
}
