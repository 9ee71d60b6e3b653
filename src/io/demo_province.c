/* demo_province: the province-scale demo 云岭省 for the benchmarks — many regions in three size
 * classes, hundreds of synthetic indicators made from a table of themes, three years of
 * monthly figures (all published) and a target for every (indicator, region, year), written
 * through the store's bulk insert in one transaction. Deterministic from the seed: a
 * splitmix64 stream per (purpose, item), so no figure depends on the order of the others. */
#include "io/demo.h"
#include "util/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROVINCE_CODE "yunling"
#define ACTOR "saima-demo"
#define NYEARS 3          /* the two full years before as_of's year, and as_of's year */
#define NCLASSES 3
#define NSYL 32           /* syllables of region names: 32 × 32 names */

_Static_assert(NSYL * NSYL >= DEMO_PROVINCE_MAX, "a distinct name for every region");

/* ---- catalogue ---- */

/* Two syllables make a region's name; the English is their pinyin. */
static const char *const syl_first[NSYL][2] = {
    { "安", "An" }, { "白", "Bai" }, { "宝", "Bao" }, { "长", "Chang" }, { "崇", "Chong" },
    { "大", "Da" }, { "东", "Dong" }, { "丰", "Feng" }, { "福", "Fu" }, { "高", "Gao" },
    { "广", "Guang" }, { "和", "He" }, { "华", "Hua" }, { "嘉", "Jia" }, { "金", "Jin" },
    { "靖", "Jing" }, { "乐", "Le" }, { "临", "Lin" }, { "龙", "Long" }, { "美", "Mei" },
    { "南", "Nan" }, { "宁", "Ning" }, { "平", "Ping" }, { "青", "Qing" }, { "瑞", "Rui" },
    { "石", "Shi" }, { "太", "Tai" }, { "文", "Wen" }, { "西", "Xi" }, { "新", "Xin" },
    { "永", "Yong" }, { "云", "Yun" },
};

static const char *const syl_second[NSYL][2] = {
    { "安", "an" }, { "川", "chuan" }, { "城", "cheng" }, { "德", "de" }, { "丰", "feng" },
    { "峰", "feng" }, { "海", "hai" }, { "河", "he" }, { "湖", "hu" }, { "江", "jiang" },
    { "林", "lin" }, { "陵", "ling" }, { "宁", "ning" }, { "平", "ping" }, { "浦", "pu" },
    { "泉", "quan" }, { "山", "shan" }, { "水", "shui" }, { "台", "tai" }, { "田", "tian" },
    { "溪", "xi" }, { "阳", "yang" }, { "源", "yuan" }, { "州", "zhou" }, { "兴", "xing" },
    { "原", "yuan" }, { "口", "kou" }, { "桥", "qiao" }, { "清", "qing" }, { "乡", "xiang" },
    { "昌", "chang" }, { "化", "hua" },
};

/* The size classes: group, name suffix of its regions, and their size against the middle. */
typedef struct class_spec {
    const char *code, *name, *name_en, *suffix, *suffix_en;
    double size_lo, size_hi;
} class_spec;

static const class_spec classes[NCLASSES] = {
    { "yl_class1", "一类县（市、区）", "Class 1 regions", "区", "District", 1.8, 3.2 },
    { "yl_class2", "二类县（市、区）", "Class 2 regions", "市", "City", 0.8, 1.3 },
    { "yl_class3", "三类县（市、区）", "Class 3 regions", "县", "County", 0.3, 0.6 },
};

/* A theme indicators are made from: what it measures and how its figures behave. mag is a
 * middle region's annual size (year-to-date and level), its level (ratio) or its typical
 * growth in % (growth); growth is % a year (points a year for a ratio); scaled: the size
 * grows with the region's. */
typedef struct theme {
    const char *name, *name_en, *measure;
    int value_kind, direction, category, precision, weight, scaled;
    double mag, growth;
} theme;

static const theme themes[] = {
    { "地区生产总值", "Gross domestic product", "亿元", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 2, 5, 1, 300, 5.5 },
    { "规上工业增加值", "Value added of industry above designated size", "亿元", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 2, 4, 1, 100, 6.5 },
    { "固定资产投资", "Fixed-asset investment", "亿元", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 2, 4, 1, 200, 4.0 },
    { "社会消费品零售总额", "Total retail sales of consumer goods", "亿元", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 2, 3, 1, 120, 5.0 },
    { "一般公共预算收入", "General public budget revenue", "亿元", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 2, 4, 1, 25, 4.5 },
    { "税收收入", "Tax revenue", "亿元", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 2, 3, 1, 18, 4.0 },
    { "进出口总额", "Total imports and exports", "亿元", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 2, 2, 1, 40, 3.0 },
    { "实际使用外资", "Foreign capital actually used", "万美元", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 1, 2, 1, 5000, 2.0 },
    { "全体居民人均可支配收入", "Per-capita disposable income of all residents", "元", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 1, 3, 0, 35000, 5.5 },
    { "城镇居民人均可支配收入", "Per-capita disposable income of urban residents", "元", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 1, 2, 0, 45000, 4.8 },
    { "农村居民人均可支配收入", "Per-capita disposable income of rural residents", "元", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 1, 2, 0, 20000, 6.5 },
    { "农林牧渔业总产值", "Gross output of agriculture, forestry, animal husbandry and fishery", "亿元", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 2, 2, 1, 60, 3.5 },
    { "建筑业总产值", "Gross output of construction", "亿元", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 2, 2, 1, 90, 2.0 },
    { "规上服务业营业收入", "Revenue of services above designated size", "亿元", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 2, 2, 1, 70, 7.0 },
    { "商品房销售面积", "Floor area of commercial housing sold", "万平方米", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 2, 1, 1, 80, -6.0 },
    { "高新技术产业增加值", "Value added of high-tech industries", "亿元", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 2, 3, 1, 40, 9.0 },
    { "研究与试验发展经费支出", "Spending on research and development", "亿元", VK_YTD, DIR_HIGHER, CAT_KEY_WORK, 2, 3, 1, 6, 10.0 },
    { "城镇新增就业人数", "New urban jobs", "人", VK_YTD, DIR_HIGHER, CAT_NON_ECONOMIC, 1, 2, 1, 8000, 1.5 },
    { "旅游总收入", "Tourism revenue", "亿元", VK_YTD, DIR_HIGHER, CAT_ECONOMIC, 2, 1, 1, 50, 8.0 },
    { "招商引资到位资金", "Investment attracted and received", "亿元", VK_YTD, DIR_HIGHER, CAT_KEY_WORK, 2, 3, 1, 60, 6.0 },
    { "生产安全事故死亡人数", "Deaths in work-safety accidents", "人", VK_YTD, DIR_LOWER, CAT_NON_ECONOMIC, 1, 2, 1, 20, -5.0 },
    { "单位地区生产总值能耗", "Energy use per unit of GDP", "吨标准煤/万元", VK_LEVEL, DIR_LOWER, CAT_NON_ECONOMIC, 2, 2, 0, 0.45, -3.0 },
    { "细颗粒物（PM2.5）平均浓度", "Mean PM2.5 concentration", "微克/立方米", VK_LEVEL, DIR_LOWER, CAT_NON_ECONOMIC, 1, 2, 0, 32, -4.0 },
    { "市场主体数量", "Registered market entities", "万户", VK_LEVEL, DIR_HIGHER, CAT_ECONOMIC, 2, 1, 1, 6, 6.0 },
    { "常住人口", "Resident population", "万人", VK_LEVEL, DIR_HIGHER, CAT_NON_ECONOMIC, 2, 1, 1, 60, 0.3 },
    { "城镇调查失业率", "Surveyed urban unemployment rate", "%", VK_RATIO, DIR_LOWER, CAT_ECONOMIC, 1, 2, 0, 5.2, -0.1 },
    { "政府债务率", "Government debt ratio", "%", VK_RATIO, DIR_LOWER, CAT_KEY_WORK, 1, 2, 0, 110, -2.0 },
    { "研发经费投入强度", "R&D spending as a share of GDP", "%", VK_RATIO, DIR_HIGHER, CAT_KEY_WORK, 2, 2, 0, 2.4, 0.1 },
    { "常住人口城镇化率", "Urbanisation rate of the resident population", "%", VK_RATIO, DIR_HIGHER, CAT_NON_ECONOMIC, 1, 1, 0, 60, 1.0 },
    { "森林覆盖率", "Forest cover", "%", VK_RATIO, DIR_HIGHER, CAT_NON_ECONOMIC, 1, 1, 0, 45, 0.3 },
    { "地区生产总值增速", "Growth of gross domestic product", "%", VK_GROWTH, DIR_HIGHER, CAT_ECONOMIC, 1, 4, 0, 5.5, 0 },
    { "规上工业增加值增速", "Growth of industrial value added", "%", VK_GROWTH, DIR_HIGHER, CAT_ECONOMIC, 1, 3, 0, 6.5, 0 },
    { "固定资产投资增速", "Growth of fixed-asset investment", "%", VK_GROWTH, DIR_HIGHER, CAT_ECONOMIC, 1, 3, 0, 4.0, 0 },
    { "社会消费品零售总额增速", "Growth of retail sales of consumer goods", "%", VK_GROWTH, DIR_HIGHER, CAT_ECONOMIC, 1, 2, 0, 5.0, 0 },
};

#define NTHEMES (sizeof themes / sizeof themes[0])

/* ---- a seeded generator: splitmix64, one stream per purpose and item ---- */

enum tag { TAG_REGION = 1, TAG_INDICATOR, TAG_SERIES, TAG_TARGET };

static uint64_t next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t stream(uint64_t seed, unsigned tag, unsigned a, unsigned b)
{
    uint64_t state = seed ^ (((uint64_t)tag << 48) | ((uint64_t)a << 24) | b) * 0xD1B54A32D192ED03ull;
    next(&state);
    return state;
}

static double uniform(uint64_t *state, double lo, double hi)
{
    return lo + (hi - lo) * ((double)(next(state) >> 11) * 0x1.0p-53);
}

/* ---- the shape ---- */

typedef struct region {
    char code[MODEL_CODE_MAX], name[MODEL_NAME_MAX], name_en[MODEL_NAME_MAX];
    int klass;
    double size;   /* against a middle region */
    double trend;  /* % a year */
    int64_t id;
} region;

typedef struct indicator {
    char code[MODEL_CODE_MAX];
    const theme *th;
    double mag, growth;
    int method;
    int64_t id;
} indicator;

typedef struct province {
    const demo_opts *opts;
    int nreg, nind, nmonths, first_year, self;
    int class_end[NCLASSES];   /* regions [class_end[c-1], class_end[c]) are of class c */
    region *regs;
    indicator *inds;
    int64_t period_id[NYEARS * 12];
} province;

static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

/* Three regions in ten are class 1, four in ten class 2, the rest class 3,
 * each class at least one; ours is in the middle of class 2. */
static void shape_classes(province *p)
{
    int n = p->nreg, a = n * 3 / 10, b = n * 7 / 10;
    if (a < 1)
        a = 1;
    if (b < a + 1)
        b = a + 1;
    p->class_end[0] = a;
    p->class_end[1] = b;
    p->class_end[2] = n;
    p->self = a + (b - a) / 2;
}

static void make_regions(province *p)
{
    int c = 0;
    for (int r = 0; r < p->nreg; r++) {
        region *g = &p->regs[r];
        uint64_t st = stream(p->opts->seed, TAG_REGION, (unsigned)r, 0);
        int a = r % NSYL, b = (r / NSYL + 5 * r + 3) % NSYL;
        while (r >= p->class_end[c])
            c++;
        g->klass = c;
        snprintf(g->code, sizeof g->code, "r%03d", r + 1);
        snprintf(g->name, sizeof g->name, "%s%s%s", syl_first[a][0], syl_second[b][0], classes[c].suffix);
        snprintf(g->name_en, sizeof g->name_en, "%s%s %s", syl_first[a][1], syl_second[b][1],
                 classes[c].suffix_en);
        g->size = uniform(&st, classes[c].size_lo, classes[c].size_hi);
        g->trend = uniform(&st, 2.0, 8.0);
    }
}

/* Indicator k is theme k mod the themes, its size and growth varied; one year-to-date
 * indicator in five that is higher-better is scored by completion of its target. */
static void make_indicators(province *p)
{
    for (int k = 0; k < p->nind; k++) {
        indicator *ind = &p->inds[k];
        uint64_t st = stream(p->opts->seed, TAG_INDICATOR, (unsigned)k, 0);
        ind->th = &themes[(size_t)k % NTHEMES];
        snprintf(ind->code, sizeof ind->code, "i%03d", k + 1);
        ind->mag = ind->th->mag * (ind->th->value_kind == VK_YTD || ind->th->value_kind == VK_LEVEL
                                       ? uniform(&st, 0.6, 1.4)
                                       : uniform(&st, 0.9, 1.1));
        ind->growth = ind->th->growth + uniform(&st, -1.5, 1.5) * (ind->th->value_kind == VK_RATIO ? 0.1 : 1);
        ind->method = ind->th->value_kind == VK_YTD && ind->th->direction == DIR_HIGHER && k % 5 == 4
                          ? METHOD_COMPLETION
                          : METHOD_RANK;
    }
}

/* ---- the numbers ---- */

static const double pow10_of[3] = { 1, 10, 100 };

static double round_to(double v, int precision)
{
    double f = pow10_of[precision < 0 ? 0 : precision > 2 ? 2 : precision];
    return round(v * f) / f;
}

/* One (region, indicator)'s months (as many as the province has) and its targets by year. */
typedef struct series {
    double v[NYEARS * 12];
    double target[NYEARS];
} series;

/* Year-to-date: the annual size grows by growth % (± 1.5) a year and is spread over the
 * months (later months a little heavier, ± 6 %), accumulated, so a year never decreases. */
static void gen_ytd(uint64_t *st, double base, double growth, int precision, int nmonths, series *s,
                    double *annual)
{
    double level = base;
    for (int y = 0; y < NYEARS; y++) {
        double cum = 0;
        level *= 1 + (growth + uniform(st, -1.5, 1.5)) / 100;
        annual[y] = level;
        for (int m = 0; m < 12 && y * 12 + m < nmonths; m++) {
            double share = (1 + 0.3 * (m - 5.5) / 5.5) / 12;
            cum += level * share * (1 + uniform(st, -0.06, 0.06));
            s->v[y * 12 + m] = round_to(cum, precision);
        }
    }
}

/* A level (a stock or an intensity) growing by growth % a year, ± 1 % a month. */
static void gen_level(uint64_t *st, double base, double growth, int precision, int nmonths, series *s)
{
    for (int i = 0; i < nmonths; i++) {
        double t = (i + 1) / 12.0;
        s->v[i] = round_to(base * pow(1 + growth / 100, t) * (1 + uniform(st, -0.01, 0.01)), precision);
    }
}

/* A percentage drifting by growth points a year (± 0.3), ± 0.3 points a month. */
static void gen_ratio(uint64_t *st, double level, double drift, int precision, int nmonths, series *s)
{
    for (int y = 0; y < NYEARS; y++) {
        level += drift + uniform(st, -0.3, 0.3);
        for (int m = 0; m < 12 && y * 12 + m < nmonths; m++)
            s->v[y * 12 + m] = round_to(fmax(0.1, level + uniform(st, -0.3, 0.3)), precision);
    }
}

/* A growth rate in %: the theme's, moved by the region's trend and a shock a year, ± 0.8 a
 * month. */
static void gen_growth(uint64_t *st, double typical, int precision, int nmonths, series *s)
{
    for (int y = 0; y < NYEARS; y++) {
        double year = typical + uniform(st, -1.5, 1.5);
        for (int m = 0; m < 12 && y * 12 + m < nmonths; m++)
            s->v[y * 12 + m] = round_to(year + uniform(st, -0.8, 0.8), precision);
    }
}

/* Each year's target from the year before (the base before the first): 5-8 % more of a
 * year-to-date or level figure (2-6 % less when lower is better), 0.3-1.5 points for a
 * ratio, the typical rate plus up to 1.5 points for a growth. */
static void gen_targets(uint64_t *st, const indicator *ind, double base, const double *annual,
                        const series *s, double typical, series *out)
{
    const theme *th = ind->th;
    int lower = th->direction == DIR_LOWER;
    for (int y = 0; y < NYEARS; y++) {
        double prev = y == 0 ? base : th->value_kind == VK_YTD ? annual[y - 1] : s->v[y * 12 - 1], t;
        if (th->value_kind == VK_RATIO)
            t = prev + (lower ? -1 : 1) * uniform(st, 0.3, 1.5);
        else if (th->value_kind == VK_GROWTH)
            t = typical + uniform(st, 0, 1.5);
        else
            t = lower ? prev * (1 - uniform(st, 2, 6) / 100) : prev * (1 + uniform(st, 5, 8) / 100);
        out->target[y] = round_to(th->value_kind == VK_RATIO ? fmax(0.1, t) : t, th->precision);
    }
}

/* Region r's figures of indicator k: a size from the indicator's and the region's (per-head
 * figures vary less), a growth from the indicator's and the region's trend. */
static void gen_series(const province *p, int r, int k, series *s)
{
    const region *g = &p->regs[r];
    const indicator *ind = &p->inds[k];
    const theme *th = ind->th;
    uint64_t st = stream(p->opts->seed, TAG_SERIES, (unsigned)r, (unsigned)k);
    uint64_t tt = stream(p->opts->seed, TAG_TARGET, (unsigned)r, (unsigned)k);
    double size = th->scaled ? g->size : 1 + 0.15 * (g->size - 1);
    double base = ind->mag * size * uniform(&st, 0.85, 1.15);
    double push = (g->trend - 5) * (th->direction == DIR_LOWER ? -0.3 : 1);
    double growth = ind->growth + push + uniform(&st, -2, 2), typical = ind->mag + 0.5 * (g->trend - 5);
    double annual[NYEARS] = { 0 };
    switch (th->value_kind) {
    case VK_YTD: gen_ytd(&st, base, growth, th->precision, p->nmonths, s, annual); break;
    case VK_LEVEL: gen_level(&st, base, growth, th->precision, p->nmonths, s); break;
    case VK_RATIO:
        base = ind->mag * uniform(&st, 0.8, 1.2);
        gen_ratio(&st, base, ind->growth + uniform(&st, -0.2, 0.2), th->precision, p->nmonths, s);
        break;
    default: gen_growth(&st, typical, th->precision, p->nmonths, s); break;
    }
    gen_targets(&tt, ind, base, annual, s, typical, s);
}

/* ---- writing ---- */

static int put_units(store *s, const province *p)
{
    model_unit u;
    int rc;
    memset(&u, 0, sizeof u);
    copy_text(u.code, sizeof u.code, PROVINCE_CODE);
    copy_text(u.name, sizeof u.name, "云岭省");
    copy_text(u.name_en, sizeof u.name_en, "Yunling Province");
    u.kind = UNIT_REFERENCE;
    u.sort_order = 10000;
    if ((rc = store_unit_put(s, &u, NULL)) != 0)
        return rc;
    for (int r = 0; r < p->nreg; r++) {
        const region *g = &p->regs[r];
        memset(&u, 0, sizeof u);
        copy_text(u.code, sizeof u.code, g->code);
        copy_text(u.name, sizeof u.name, g->name);
        copy_text(u.name_en, sizeof u.name_en, g->name_en);
        copy_text(u.parent_code, sizeof u.parent_code, PROVINCE_CODE);
        u.kind = UNIT_REGION;
        u.is_self = r == p->self;
        u.sort_order = r + 1;
        if ((rc = store_unit_put(s, &u, NULL)) != 0)
            return rc;
    }
    return 0;
}

/* The peer group of every region first (the default group of our region), then the classes. */
static int put_groups(store *s, const province *p)
{
    char (*codes)[MODEL_CODE_MAX] = calloc((size_t)p->nreg, sizeof *codes);
    int rc, from = 0;
    if (!codes)
        return err_set(ERR_NOMEM, "out of memory");
    for (int r = 0; r < p->nreg; r++)
        copy_text(codes[r], MODEL_CODE_MAX, p->regs[r].code);
    rc = demo__put_group(s, "yl_peers", "云岭省县（市、区）", "Yunling regions", GROUP_PEERS,
                   "省对县考核：云岭省对全部县（市、区）的高质量发展综合考核（演示数据）", codes,
                   (size_t)p->nreg);
    for (int c = 0; rc == 0 && c < NCLASSES; c++) {
        rc = demo__put_group(s, classes[c].code, classes[c].name, classes[c].name_en, GROUP_CLASS,
                       "按经济规模分类考核（演示数据）", codes + from, (size_t)(p->class_end[c] - from));
        from = p->class_end[c];
    }
    free(codes);
    return rc;
}

/* The k-th indicator's name: its theme's, numbered from the second round of themes on. */
static void indicator_names(const province *p, int k, model_indicator *out)
{
    const theme *th = p->inds[k].th;
    int round_no = k / (int)NTHEMES + 1;
    if (round_no == 1) {
        copy_text(out->name, sizeof out->name, th->name);
        copy_text(out->name_en, sizeof out->name_en, th->name_en);
    } else {
        snprintf(out->name, sizeof out->name, "%s（%d）", th->name, round_no);
        snprintf(out->name_en, sizeof out->name_en, "%s (%d)", th->name_en, round_no);
    }
}

static int put_indicators(store *s, const province *p)
{
    static const char *const definitions[VK_N] = {
        "演示用合成数据：报告期末水平。", "演示用合成数据：年初至本月累计。",
        "演示用合成数据：同比增速（%）。", "演示用合成数据：比率（%）。",
    };
    model_indicator ind;
    int rc;
    for (int k = 0; k < p->nind; k++) {
        const indicator *x = &p->inds[k];
        memset(&ind, 0, sizeof ind);
        copy_text(ind.code, sizeof ind.code, x->code);
        indicator_names(p, k, &ind);
        copy_text(ind.measure, sizeof ind.measure, x->th->measure);
        copy_text(ind.definition, sizeof ind.definition, definitions[x->th->value_kind]);
        copy_text(ind.source, sizeof ind.source, "云岭省统计局（演示）");
        ind.direction = x->th->direction;
        ind.value_kind = x->th->value_kind;
        ind.category = x->th->category;
        ind.precision = x->th->precision;
        ind.weight = x->th->weight;
        ind.method = x->method;
        ind.sort_order = k + 1;
        if ((rc = store_indicator_put(s, &ind, NULL)) != 0)
            return rc;
    }
    return 0;
}

/* One monthly scheme over every indicator for the peer group; its declared total is the sum
 * of the (whole-number) weights, its grades at 90, 80 and 60 % of it. */
static int put_scheme(store *s, const province *p)
{
    model_scheme_item *items = calloc((size_t)p->nind, sizeof *items);
    model_scheme sc;
    int rc;
    if (!items)
        return err_set(ERR_NOMEM, "out of memory");
    memset(&sc, 0, sizeof sc);
    copy_text(sc.code, sizeof sc.code, "yl_assess");
    copy_text(sc.name, sizeof sc.name, "云岭省县域高质量发展综合考核");
    copy_text(sc.name_en, sizeof sc.name_en, "Yunling assessment of regions");
    copy_text(sc.group_code, sizeof sc.group_code, "yl_peers");
    snprintf(sc.description, sizeof sc.description, "省考：%d项指标，按月排位赋分（演示数据）", p->nind);
    sc.period_kind = PERIOD_MONTH;
    for (int k = 0; k < p->nind; k++) {
        model_scheme_item *it = &items[k];
        copy_text(it->scheme_code, sizeof it->scheme_code, sc.code);
        copy_text(it->indicator_code, sizeof it->indicator_code, p->inds[k].code);
        it->weight = p->inds[k].th->weight;
        it->method = p->inds[k].method;
        it->sort_order = k + 1;
        sc.total_weight += it->weight;
    }
    /* the city's grades, 90, 80 and 60 in a hundred, at this total's scale */
    snprintf(sc.grading, sizeof sc.grading, "优秀>=%.0f;良好>=%.0f;一般>=%.0f", sc.total_weight * 0.9,
             sc.total_weight * 0.8, sc.total_weight * 0.6);
    if ((rc = store_scheme_put(s, &sc, NULL)) == 0)
        rc = store_scheme_set_items(s, sc.code, items, (size_t)p->nind, NULL);
    free(items);
    return rc;
}

static int ensure_periods(store *s, province *p)
{
    int rc;
    for (int i = 0; i < p->nmonths; i++) {
        period_key key = { PERIOD_MONTH, p->first_year + i / 12, i % 12 + 1 };
        if ((rc = store_period_ensure(s, &key, &p->period_id[i])) != 0)
            return rc;
    }
    return 0;
}

/* Reads back the ids the store gave the regions and indicators, in their code order. */
static int load_ids(store *s, province *p)
{
    model_unit *units = NULL;
    model_indicator *list = NULL;
    size_t nu = 0, ni = 0;
    int rc, found = 0;
    if ((rc = store_units(s, &units, &nu)) != 0 || (rc = store_indicators(s, &list, &ni)) != 0)
        goto done;
    for (size_t i = 0; i < nu; i++) {
        int r = units[i].code[0] == 'r' ? atoi(units[i].code + 1) - 1 : -1;
        if (r >= 0 && r < p->nreg && strcmp(units[i].code, p->regs[r].code) == 0) {
            p->regs[r].id = units[i].id;
            found++;
        }
    }
    for (size_t i = 0; i < ni; i++) {
        int k = list[i].code[0] == 'i' ? atoi(list[i].code + 1) - 1 : -1;
        if (k >= 0 && k < p->nind && strcmp(list[i].code, p->inds[k].code) == 0) {
            p->inds[k].id = list[i].id;
            found++;
        }
    }
    if (found != p->nreg + p->nind)
        rc = err_set(ERR_INTERNAL, "demo: %d of %d regions and indicators were saved", found,
                     p->nreg + p->nind);
done:
    free(units);
    free(list);
    return rc;
}

/* One indicator: every region's months through one bulk insert, then its targets. */
static int write_indicator(store *s, const province *p, int k, series *ss, obs_new *rows)
{
    model_target t;
    size_t n = 0;
    int rc;
    for (int r = 0; r < p->nreg; r++)
        gen_series(p, r, k, &ss[r]);
    for (int i = 0; i < p->nmonths; i++) {
        for (int r = 0; r < p->nreg; r++)
            rows[n++] = (obs_new){ p->inds[k].id, p->period_id[i], p->regs[r].id, ss[r].v[i],
                                   OBS_PUBLISHED, "" };
    }
    if ((rc = store_observations_insert(s, rows, n, ACTOR)) != 0)
        return rc;
    memset(&t, 0, sizeof t);
    copy_text(t.indicator_code, sizeof t.indicator_code, p->inds[k].code);
    copy_text(t.note, sizeof t.note, "省下达年度目标");
    for (int r = 0; r < p->nreg; r++) {
        copy_text(t.unit_code, sizeof t.unit_code, p->regs[r].code);
        for (int y = 0; y < NYEARS; y++) {
            t.year = p->first_year + y;
            t.value = ss[r].target[y];
            if ((rc = store_target_put(s, &t, NULL)) != 0)
                return rc;
        }
    }
    return 0;
}

static int write_all(store *s, province *p)
{
    series *ss = calloc((size_t)p->nreg, sizeof *ss);
    obs_new *rows = calloc((size_t)p->nreg * (size_t)p->nmonths, sizeof *rows);
    int rc;
    if (!ss || !rows)
        rc = err_set(ERR_NOMEM, "out of memory");
    else if ((rc = put_units(s, p)) == 0 && (rc = put_groups(s, p)) == 0 &&
             (rc = put_indicators(s, p)) == 0 && (rc = put_scheme(s, p)) == 0 &&
             (rc = ensure_periods(s, p)) == 0 && (rc = load_ids(s, p)) == 0) {
        for (int k = 0; rc == 0 && k < p->nind; k++)
            rc = write_indicator(s, p, k, ss, rows);
    }
    free(ss);
    free(rows);
    return rc;
}

static int check_opts(const demo_opts *opts, int nreg, int nind)
{
    int rc = demo__check_as_of(opts);
    if (rc != 0)
        return rc;
    if (nreg < DEMO_PROVINCE_MIN_REGIONS || nreg > DEMO_PROVINCE_MAX)
        return err_set(ERR_DATA, "a province has %d to %d regions, not %d", DEMO_PROVINCE_MIN_REGIONS,
                       DEMO_PROVINCE_MAX, nreg);
    if (nind < 1 || nind > DEMO_PROVINCE_MAX)
        return err_set(ERR_DATA, "a province has 1 to %d indicators, not %d", DEMO_PROVINCE_MAX, nind);
    return 0;
}

int demo_province_build(store *s, const demo_opts *opts)
{
    province p;
    int rc;
    memset(&p, 0, sizeof p);
    p.nreg = opts && opts->regions ? opts->regions : DEMO_PROVINCE_REGIONS;
    p.nind = opts && opts->indicators ? opts->indicators : DEMO_PROVINCE_INDICATORS;
    if ((rc = check_opts(opts, p.nreg, p.nind)) != 0)
        return rc;
    p.opts = opts;
    p.first_year = opts->as_of.year - (NYEARS - 1);
    p.nmonths = (NYEARS - 1) * 12 + opts->as_of.seq;
    p.regs = calloc((size_t)p.nreg, sizeof *p.regs);
    p.inds = calloc((size_t)p.nind, sizeof *p.inds);
    if (!p.regs || !p.inds) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto done;
    }
    shape_classes(&p);
    make_regions(&p);
    make_indicators(&p);
    if ((rc = store_begin(s)) != 0)
        goto done;
    if ((rc = write_all(s, &p)) != 0 || (rc = store_commit(s)) != 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", err_msg());
        store_rollback(s);
        err_set(rc, "demo: %s", msg);
    }
done:
    free(p.regs);
    free(p.inds);
    return rc;
}
