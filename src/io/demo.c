/* demo: the deterministic demo city 云州市: catalogue tables, a seeded generator of monthly
 * cumulative figures and annual targets, and their writing through the store in one transaction. */
#include "io/demo.h"
#include "util/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CITY_CODE "yunzhou"
#define SELF_CODE "linjiang"
#define ACTOR "saima-demo"
#define NYEARS 3             /* the two full years before as_of's year, and as_of's year */
#define NTI 5                /* indicators of the towns' race */
#define CITY DEMO_REGIONS    /* index of the city in the region arrays */

/* ---- catalogue ---- */

typedef struct unit_spec {
    const char *code, *name, *name_en;
    int kind;
} unit_spec;

static const unit_spec econ_units[] = {
    { "lj_fgj", "区发改局", "Development and Reform Bureau", UNIT_DEPARTMENT },
    { "lj_gxj", "区工信局", "Industry and Information Technology Bureau", UNIT_DEPARTMENT },
    { "lj_swj", "区商务局", "Commerce Bureau", UNIT_DEPARTMENT },
    { "lj_zjj", "区住建局", "Housing and Urban-Rural Development Bureau", UNIT_DEPARTMENT },
    { "lj_nyncj", "区农业农村局", "Agriculture and Rural Affairs Bureau", UNIT_DEPARTMENT },
    { "lj_kjj", "区科技局", "Science and Technology Bureau", UNIT_DEPARTMENT },
    { "lj_wglj", "区文广旅局", "Culture, Radio, Television and Tourism Bureau", UNIT_DEPARTMENT },
};

static const unit_spec other_units[] = {
    { "lj_czj", "区财政局", "Finance Bureau", UNIT_DEPARTMENT },
    { "lj_rsj", "区人社局", "Human Resources and Social Security Bureau", UNIT_DEPARTMENT },
    { "lj_zrzyj", "区自然资源局", "Natural Resources Bureau", UNIT_DEPARTMENT },
    { "lj_scjgj", "区市场监管局", "Market Regulation Bureau", UNIT_DEPARTMENT },
    { "lj_tjj", "区统计局", "Statistics Bureau", UNIT_DEPARTMENT },
    { "lj_ctjt", "区城投集团", "Urban Construction Investment Group", UNIT_SOE },
    { "lj_cyjt", "区产业投资集团", "Industrial Investment Group", UNIT_SOE },
};

#define NECON (sizeof econ_units / sizeof econ_units[0])
#define NOTHER (sizeof other_units / sizeof other_units[0])

/* A peer region: its size three years before as_of's year and its trend growth (% a year). */
typedef struct region_spec {
    const char *code, *name, *name_en;
    int county;
    double gdp;      /* 亿元 a year */
    double pop;      /* resident population, 万人 */
    double urban;    /* share of the population that is urban */
    double trend;
} region_spec;

static const region_spec regions[DEMO_REGIONS] = {
    { "yunzhong", "云中区", "Yunzhong District", 0, 690, 95, 0.95, 5.2 },
    { "donghu", "东湖区", "Donghu District", 0, 610, 82, 0.93, 6.3 },
    { SELF_CODE, "临江区", "Linjiang District", 0, 500, 70, 0.82, 7.0 },
    { "nanling", "南岭区", "Nanling District", 0, 420, 58, 0.80, 8.4 },
    { "beitang", "北塘区", "Beitang District", 0, 380, 54, 0.86, 2.4 },
    { "qingshan", "青山区", "Qingshan District", 0, 300, 47, 0.72, 6.0 },
    { "fengtai", "凤台县", "Fengtai County", 1, 330, 76, 0.56, 7.4 },
    { "baishi", "白石县", "Baishi County", 1, 215, 50, 0.48, 3.1 },
    { "anping", "安平县", "Anping County", 1, 255, 61, 0.52, 5.0 },
    { "qinghe", "清河县", "Qinghe County", 1, 285, 57, 0.57, 6.7 },
    { "meixi", "梅溪县", "Meixi County", 1, 225, 44, 0.50, 4.6 },
    { "shimen", "石门县", "Shimen County", 1, 205, 39, 0.47, 8.9 },
};

typedef struct town_spec {
    const char *code, *name, *name_en;
    int street;      /* 街道 (urban) rather than 镇 */
} town_spec;

static const town_spec towns[DEMO_TOWNS] = {
    { "lj_linjiang", "临江街道", "Linjiang Street", 1 },
    { "lj_binjiang", "滨江街道", "Binjiang Street", 1 },
    { "lj_chengnan", "城南街道", "Chengnan Street", 1 },
    { "lj_dongguan", "东关街道", "Dongguan Street", 1 },
    { "lj_qiaotou", "桥头镇", "Qiaotou Town", 0 },
    { "lj_baisha", "白沙镇", "Baisha Town", 0 },
    { "lj_xindian", "新店镇", "Xindian Town", 0 },
    { "lj_liulin", "柳林镇", "Liulin Town", 0 },
    { "lj_mafang", "马坊镇", "Mafang Town", 0 },
    { "lj_shiqiao", "石桥镇", "Shiqiao Town", 0 },
};

enum ind_index { I_GDP, I_IND_VA, I_RE_SALES, I_FAI, I_INC_ALL, I_INC_URBAN, I_INC_RURAL,
                 I_AGR_VA, I_AGR_OUT, I_IND_OUT, I_RETAIL, I_RETAIL_ABOVE, I_CONSTR, I_PRIVATE,
                 I_N };

/* How an indicator's numbers are made. */
enum gen_kind {
    GEN_ROOT,        /* GDP: from the region's size */
    GEN_SHARE,       /* a share of a parent indicator's size */
    GEN_INC_URBAN,   /* urban income from GDP per head */
    GEN_INC_RURAL,   /* rural income from GDP per head */
    GEN_INC_ALL,     /* population-weighted mix of urban and rural income */
    GEN_RATIO        /* a percentage drifting by points a year */
};

/* How the city's value is made from the regions'. */
enum agg_kind { AGG_SUM, AGG_POP, AGG_POP_URBAN, AGG_POP_RURAL, AGG_GDP };

enum season { S_GDP, S_IND, S_RE, S_FAI, S_INC, S_AGR, S_RETAIL, S_CONSTR, S_N };

/* Monthly shares of the annual total (normalised when used): low in January and February,
 * high in December; investment and construction strongly back-loaded. */
static const double season_raw[S_N][12] = {
    { 6.0, 6.0, 8.5, 8.0, 8.2, 9.2, 8.0, 8.0, 9.2, 8.5, 8.8, 11.6 },
    { 6.5, 6.0, 8.6, 8.2, 8.4, 8.9, 8.1, 8.1, 8.8, 8.5, 8.9, 10.0 },
    { 5.0, 4.0, 9.0, 7.0, 8.0, 12.0, 6.0, 6.0, 10.0, 8.0, 9.0, 16.0 },
    { 2.5, 3.5, 7.0, 7.0, 8.0, 11.0, 8.0, 8.5, 10.0, 9.0, 10.5, 15.0 },
    { 7.5, 7.0, 8.2, 8.2, 8.3, 8.6, 8.2, 8.2, 8.6, 8.3, 8.4, 10.5 },
    { 4.0, 4.0, 6.0, 7.0, 9.0, 12.0, 8.0, 8.0, 12.0, 12.0, 9.0, 9.0 },
    { 7.5, 7.0, 8.0, 8.0, 8.6, 8.6, 7.8, 8.0, 8.6, 9.0, 9.2, 9.7 },
    { 3.0, 3.5, 7.5, 8.0, 8.5, 10.0, 8.0, 8.5, 10.0, 9.5, 10.0, 13.5 },
};

/* An indicator: catalogue fields, then how its numbers are generated. Growth in % a year is
 * tw * region trend + off +- jit (points a year for the ratio); size is parent's size times
 * [rlo, rhi], times county_mult in a county. */
typedef struct ind_spec {
    const char *code, *name, *name_en, *measure, *definition, *source;
    int value_kind, precision;
    double weight;
    const char *lead, *coop, *leader;
    int gen, parent, season, agg;
    double rlo, rhi, county_mult, tw, off, jit;
} ind_spec;

static const ind_spec inds[I_N] = {
    { "gdp", "地区生产总值", "Gross domestic product", "亿元",
      "本地区所有常住单位在一定时期内生产活动的最终成果，按现价计算，年初至本月累计。",
      "云州市统计局", VK_YTD, 2, 15, "lj_fgj", "lj_tjj;lj_gxj;lj_swj;lj_zjj;lj_nyncj", "张副区长",
      GEN_ROOT, -1, S_GDP, AGG_SUM, 1, 1, 1, 1, 0, 0.8 },
    { "ind_va", "规上工业增加值", "Value added of industry above designated size", "亿元",
      "年主营业务收入2000万元及以上工业法人单位的工业增加值，年初至本月累计。",
      "云州市统计局", VK_YTD, 2, 10, "lj_gxj", "lj_tjj;lj_fgj", "李副区长",
      GEN_SHARE, I_GDP, S_IND, AGG_SUM, 0.22, 0.42, 1, 1, 1.0, 2.0 },
    { "re_sales", "商品房销售面积", "Floor area of commercial housing sold", "万平方米",
      "房地产开发企业在报告期内出售商品房屋的合同面积，年初至本月累计。",
      "云州市统计局（房地产开发统计）", VK_YTD, 2, 5, "lj_zjj", "lj_zrzyj;lj_tjj", "王副区长",
      GEN_SHARE, I_GDP, S_RE, AGG_SUM, 0.18, 0.32, 1, 1, -9.0, 6.0 },
    { "fai", "固定资产投资", "Fixed-asset investment", "亿元",
      "计划总投资500万元及以上项目和房地产开发完成的投资额，年初至本月累计。",
      "云州市统计局（投资统计）", VK_YTD, 2, 10, "lj_fgj", "lj_zjj;lj_gxj;lj_zrzyj;lj_ctjt",
      "张副区长", GEN_SHARE, I_GDP, S_FAI, AGG_SUM, 0.50, 0.85, 1, 1, -1.0, 4.0 },
    { "inc_all", "全体居民人均可支配收入", "Per-capita disposable income of all residents", "元",
      "住户调查口径，全体常住居民可用于最终消费和储蓄的收入，年初至本月累计。",
      "国家统计局云州调查队", VK_YTD, 0, 6, "lj_fgj", "lj_rsj;lj_nyncj;lj_tjj", "张副区长",
      GEN_INC_ALL, -1, S_INC, AGG_POP, 1, 1, 1, 0, 0, 0 },
    { "inc_urban", "城镇居民人均可支配收入", "Per-capita disposable income of urban residents",
      "元", "住户调查口径，城镇常住居民人均可支配收入，年初至本月累计。",
      "国家统计局云州调查队", VK_YTD, 0, 5, "lj_rsj", "lj_fgj;lj_tjj", "刘副区长",
      GEN_INC_URBAN, -1, S_INC, AGG_POP_URBAN, 1, 1, 1, 0.2, 3.8, 0.8 },
    { "inc_rural", "农村居民人均可支配收入", "Per-capita disposable income of rural residents",
      "元", "住户调查口径，农村常住居民人均可支配收入，年初至本月累计。",
      "国家统计局云州调查队", VK_YTD, 0, 5, "lj_nyncj", "lj_rsj;lj_tjj", "陈副区长",
      GEN_INC_RURAL, -1, S_INC, AGG_POP_RURAL, 1, 1, 1, 0.2, 5.2, 0.8 },
    { "agr_va", "农林牧渔业增加值",
      "Value added of agriculture, forestry, animal husbandry and fishery", "亿元",
      "农林牧渔业及其专业和辅助性活动的增加值，年初至本月累计。", "云州市统计局", VK_YTD, 2, 6,
      "lj_nyncj", "lj_tjj", "陈副区长", GEN_SHARE, I_GDP, S_AGR, AGG_SUM, 0.012, 0.035, 4.0, 0,
      3.5, 1.5 },
    { "agr_out", "农林牧渔业总产值",
      "Gross output of agriculture, forestry, animal husbandry and fishery", "亿元",
      "以货币表现的农林牧渔业全部产品和服务的总量，年初至本月累计。", "云州市统计局", VK_YTD, 2,
      4, "lj_nyncj", "lj_tjj", "陈副区长", GEN_SHARE, I_AGR_VA, S_AGR, AGG_SUM, 1.6, 1.9, 1, 0,
      3.8, 1.5 },
    { "ind_out", "规上工业总产值", "Gross output of industry above designated size", "亿元",
      "规模以上工业企业在报告期内生产的工业产品总量，按现价计算，年初至本月累计。",
      "云州市统计局", VK_YTD, 2, 8, "lj_gxj", "lj_tjj;lj_kjj", "李副区长",
      GEN_SHARE, I_IND_VA, S_IND, AGG_SUM, 3.4, 4.2, 1, 1, 1.5, 2.0 },
    { "retail", "社会消费品零售总额", "Total retail sales of consumer goods", "亿元",
      "企业（单位、个体户）通过交易售给个人和社会集团的非生产、非经营用实物商品和餐饮收入，"
      "年初至本月累计。",
      "云州市统计局", VK_YTD, 2, 8, "lj_swj", "lj_tjj;lj_wglj;lj_scjgj", "赵副区长",
      GEN_SHARE, I_GDP, S_RETAIL, AGG_SUM, 0.32, 0.45, 1, 0.6, 1.5, 1.5 },
    { "retail_above", "限额以上消费品零售额", "Retail sales of consumer goods above quota", "亿元",
      "限额以上批发零售业和住宿餐饮业法人企业的消费品零售额，年初至本月累计。",
      "云州市统计局", VK_YTD, 2, 5, "lj_swj", "lj_tjj;lj_scjgj", "赵副区长",
      GEN_SHARE, I_RETAIL, S_RETAIL, AGG_SUM, 0.42, 0.60, 1, 0.6, 2.0, 2.0 },
    { "constr_out", "建筑业总产值", "Gross output of construction", "亿元",
      "资质等级以上建筑业企业完成的以货币表现的建筑业生产总量，年初至本月累计。",
      "云州市统计局", VK_YTD, 2, 6, "lj_zjj", "lj_tjj;lj_ctjt", "王副区长",
      GEN_SHARE, I_GDP, S_CONSTR, AGG_SUM, 0.15, 0.45, 1, 1, -2.0, 4.0 },
    { "private_share", "非公经济增加值占GDP比重", "Non-public economy share of GDP", "%",
      "非公有制经济增加值占地区生产总值的比重，年初至本月累计口径。",
      "云州市统计局、区市场监管局", VK_RATIO, 1, 7, "lj_scjgj", "lj_fgj;lj_tjj;lj_gxj",
      "张副区长", GEN_RATIO, -1, S_GDP, AGG_GDP, 48, 66, 1, 0, 0.6, 0.6 },
};

_Static_assert(I_N == DEMO_INDICATORS, "the demo has the 14 main economic indicators");

/* Regions that do worse than their trend on one indicator, so warnings exist. */
typedef struct growth_tweak {
    const char *code;
    int ind;
    double growth;
} growth_tweak;

static const growth_tweak tweaks[] = {
    { "beitang", I_IND_VA, -4.0 },  { "beitang", I_IND_OUT, -5.0 },
    { "beitang", I_PRIVATE, -0.5 }, { "baishi", I_FAI, -7.0 },
    { "baishi", I_RE_SALES, -18.0 }, { SELF_CODE, I_RE_SALES, -11.0 },
    { SELF_CODE, I_FAI, 2.5 },      { "meixi", I_RETAIL, 0.5 },
    { "lj_liulin", I_IND_OUT, -8.0 }, { "lj_dongguan", I_RETAIL, -3.0 },
};

/* The towns' race: indicators, weights, what share of the region's size the towns cover,
 * and the range of a street's and a town's relative size on each. */
static const int town_inds[NTI] = { I_FAI, I_IND_OUT, I_RETAIL, I_AGR_OUT, I_RE_SALES };
static const double town_weights[NTI] = { 30, 25, 20, 15, 10 };
static const double town_cover[NTI] = { 0.70, 0.85, 0.85, 0.90, 0.85 };
static const double town_size[2][NTI][2] = {
    { { 0.6, 1.4 }, { 0.8, 2.0 }, { 0.3, 0.8 }, { 0.8, 1.6 }, { 0.2, 0.6 } },     /* towns */
    { { 0.6, 1.4 }, { 0.2, 0.8 }, { 1.2, 2.2 }, { 0.01, 0.05 }, { 1.0, 2.0 } },   /* streets */
};

/* ---- a seeded generator: splitmix64, one stream per purpose and item ---- */

typedef struct rng {
    uint64_t state;
} rng;

enum rng_tag { TAG_REGION = 1, TAG_SERIES, TAG_TARGET, TAG_STATES, TAG_TOWN_SIZE, TAG_TOWN };

static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A stream of its own for (tag, a, b), so adding draws to one item shifts no other. */
static rng rng_stream(uint64_t seed, unsigned tag, unsigned a, unsigned b)
{
    rng r = { seed ^ (((uint64_t)tag << 48) | ((uint64_t)a << 24) | b) * 0xD1B54A32D192ED03ull };
    rng_next(&r);
    return r;
}

static double rng_range(rng *r, double lo, double hi)
{
    return lo + (hi - lo) * ((double)(rng_next(r) >> 11) * 0x1.0p-53);
}

/* ---- the numbers ---- */

/* Monthly values (cumulative, or levels for a ratio) of three years and their annual targets. */
typedef struct series {
    double v[NYEARS][12];
    double target[NYEARS];
} series;

typedef struct demo_city {
    const demo_opts *opts;
    double base[DEMO_REGIONS][I_N];      /* annual size the year before the first */
    double growth[DEMO_REGIONS][I_N];
    series reg[DEMO_REGIONS + 1][I_N];   /* the regions, then the city */
    series town[DEMO_TOWNS][NTI];
    int reg_state[DEMO_REGIONS + 1];     /* state in the as_of month, -1 when missing */
    int town_state[DEMO_TOWNS];
    int64_t reg_id[DEMO_REGIONS + 1], town_id[DEMO_TOWNS], ind_id[I_N];
    int64_t period_id[NYEARS][12];
} demo_city;

static double round_to(double v, int precision)
{
    double f = pow(10.0, precision);
    return round(v * f) / f;
}

static double tweak_for(const char *code, int ind, double growth)
{
    for (size_t i = 0; i < sizeof tweaks / sizeof tweaks[0]; i++) {
        if (strcmp(tweaks[i].code, code) == 0 && tweaks[i].ind == ind)
            return tweaks[i].growth;
    }
    return growth;
}

/* Cumulative values: the annual level grows from base by growth % a year (+- year_jit),
 * is spread over the months by the season with monthly noise, accumulated and rounded,
 * so each year's series never decreases. */
static void gen_ytd(rng *r, double base, double growth, double year_jit, double month_jit,
                    int season, int precision, series *out)
{
    double total = 0, level = base;
    for (int m = 0; m < 12; m++)
        total += season_raw[season][m];
    for (int y = 0; y < NYEARS; y++) {
        double cum = 0;
        level *= 1 + (growth + rng_range(r, -year_jit, year_jit)) / 100;
        for (int m = 0; m < 12; m++) {
            double share = season_raw[season][m] / total;
            cum += level * share * (1 + rng_range(r, -month_jit, month_jit));
            out->v[y][m] = round_to(cum, precision);
        }
    }
}

/* A percentage that drifts by growth points a year, with monthly noise. */
static void gen_ratio(rng *r, double level, double drift, int precision, series *out)
{
    for (int y = 0; y < NYEARS; y++) {
        level += drift + rng_range(r, -0.3, 0.3);
        for (int m = 0; m < 12; m++)
            out->v[y][m] = round_to(level + rng_range(r, -0.4, 0.4), precision);
    }
}

/* Each year's target: last year's annual value plus 5-8 % (plus 0.5-2 points for a ratio);
 * the first year's from base, the year before. */
static void gen_targets(rng *r, double base, int value_kind, int precision, series *s)
{
    for (int y = 0; y < NYEARS; y++) {
        double prev = y == 0 ? base : s->v[y - 1][11];
        double t = value_kind == VK_RATIO ? prev + rng_range(r, 0.5, 2.0)
                                          : prev * (1 + rng_range(r, 5.0, 8.0) / 100);
        s->target[y] = round_to(t, precision);
    }
}

/* The size of region r on indicator k the year before the first (parents come first). */
static double region_base(const demo_city *c, int r, int k, rng *g, double gdp)
{
    const ind_spec *sp = &inds[k];
    double per_head = gdp / regions[r].pop * 1e4, u = regions[r].urban;
    switch (sp->gen) {
    case GEN_ROOT: return gdp;
    case GEN_SHARE:
        return c->base[r][sp->parent] * rng_range(g, sp->rlo, sp->rhi) *
               (regions[r].county ? sp->county_mult : 1);
    case GEN_INC_URBAN: return (30000 + 0.25 * per_head) * rng_range(g, 0.95, 1.05);
    case GEN_INC_RURAL: return (12000 + 0.12 * per_head) * rng_range(g, 0.95, 1.05);
    case GEN_INC_ALL: return u * c->base[r][I_INC_URBAN] + (1 - u) * c->base[r][I_INC_RURAL];
    default: return rng_range(g, sp->rlo, sp->rhi);
    }
}

/* All income is the population-weighted mix of urban and rural income, month by month. */
static void mix_incomes(demo_city *c, int r)
{
    double u = regions[r].urban;
    series *all = &c->reg[r][I_INC_ALL];
    for (int y = 0; y < NYEARS; y++) {
        for (int m = 0; m < 12; m++)
            all->v[y][m] = round_to(u * c->reg[r][I_INC_URBAN].v[y][m] +
                                        (1 - u) * c->reg[r][I_INC_RURAL].v[y][m], 0);
    }
}

static void gen_indicator(demo_city *c, int r, int k, double gdp, double trend)
{
    const ind_spec *sp = &inds[k];
    uint64_t seed = c->opts->seed;
    rng g = rng_stream(seed, TAG_SERIES, (unsigned)r, (unsigned)k);
    rng t = rng_stream(seed, TAG_TARGET, (unsigned)r, (unsigned)k);
    series *s = &c->reg[r][k];
    double growth;
    c->base[r][k] = region_base(c, r, k, &g, gdp);
    growth = sp->tw * trend + sp->off + rng_range(&g, -sp->jit, sp->jit);
    growth = tweak_for(regions[r].code, k, growth);
    c->growth[r][k] = growth;
    if (sp->gen == GEN_INC_ALL)
        mix_incomes(c, r);
    else if (sp->gen == GEN_RATIO)
        gen_ratio(&g, c->base[r][k], growth, sp->precision, s);
    else if (sp->gen == GEN_INC_URBAN || sp->gen == GEN_INC_RURAL)
        gen_ytd(&g, c->base[r][k], growth, 0.5, 0.02, sp->season, sp->precision, s);
    else
        gen_ytd(&g, c->base[r][k], growth, 1.5, 0.06, sp->season, sp->precision, s);
    gen_targets(&t, c->base[r][k], sp->value_kind, sp->precision, s);
}

/* One region: its size and trend vary with the seed; all income comes after its parts. */
static void gen_region(demo_city *c, int r)
{
    rng g = rng_stream(c->opts->seed, TAG_REGION, (unsigned)r, 0);
    double gdp = regions[r].gdp * rng_range(&g, 0.95, 1.05);
    double trend = regions[r].trend + rng_range(&g, -0.8, 0.8);
    for (int k = 0; k < I_N; k++) {
        if (inds[k].gen != GEN_INC_ALL)
            gen_indicator(c, r, k, gdp, trend);
    }
    gen_indicator(c, r, I_INC_ALL, gdp, trend);
}

/* A region's weight in the city's value of an aggregate kind; month -1 weighs targets. */
static double city_weight(const demo_city *c, int agg, int r, int y, int m)
{
    double pop = regions[r].pop, u = regions[r].urban;
    switch (agg) {
    case AGG_POP: return pop;
    case AGG_POP_URBAN: return pop * u;
    case AGG_POP_RURAL: return pop * (1 - u);
    case AGG_GDP: return m < 0 ? c->reg[r][I_GDP].target[y] : c->reg[r][I_GDP].v[y][m];
    default: return 1;
    }
}

/* The city's value from the regions' rounded values: a sum, or a weighted mean. */
static double city_value(const demo_city *c, int k, int y, int m)
{
    double sum = 0, wsum = 0;
    for (int r = 0; r < DEMO_REGIONS; r++) {
        double w = city_weight(c, inds[k].agg, r, y, m);
        sum += w * (m < 0 ? c->reg[r][k].target[y] : c->reg[r][k].v[y][m]);
        wsum += w;
    }
    return round_to(inds[k].agg == AGG_SUM ? sum : sum / wsum, inds[k].precision);
}

static void gen_city(demo_city *c)
{
    for (int k = 0; k < I_N; k++) {
        for (int y = 0; y < NYEARS; y++) {
            for (int m = 0; m < 12; m++)
                c->reg[CITY][k].v[y][m] = city_value(c, k, y, m);
            c->reg[CITY][k].target[y] = city_value(c, k, y, -1);
        }
    }
}

static int self_index(void)
{
    for (int r = 0; r < DEMO_REGIONS; r++) {
        if (strcmp(regions[r].code, SELF_CODE) == 0)
            return r;
    }
    return 0;
}

/* The towns share most of our region's size by street/town profile and grow around its rate. */
static void gen_towns(demo_city *c)
{
    int self = self_index();
    double size[DEMO_TOWNS][NTI], total[NTI] = { 0 };
    for (int t = 0; t < DEMO_TOWNS; t++) {
        rng g = rng_stream(c->opts->seed, TAG_TOWN_SIZE, (unsigned)t, 0);
        for (int j = 0; j < NTI; j++) {
            const double *range = town_size[towns[t].street][j];
            size[t][j] = rng_range(&g, range[0], range[1]);
            total[j] += size[t][j];
        }
    }
    for (int t = 0; t < DEMO_TOWNS; t++) {
        for (int j = 0; j < NTI; j++) {
            int k = town_inds[j];
            rng g = rng_stream(c->opts->seed, TAG_TOWN, (unsigned)t, (unsigned)j);
            double base = c->base[self][k] * town_cover[j] * size[t][j] / total[j];
            double growth = c->growth[self][k] + rng_range(&g, -4.0, 4.0);
            growth = tweak_for(towns[t].code, k, growth);
            gen_ytd(&g, base, growth, 2.0, 0.08, inds[k].season, inds[k].precision, &c->town[t][j]);
            gen_targets(&g, base, inds[k].value_kind, inds[k].precision, &c->town[t][j]);
        }
    }
}

/* Shuffles 0..n-1 except skip (-1 for none) into order; returns how many were placed. */
static int shuffle(rng *g, int n, int skip, int *order)
{
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (i != skip)
            order[m++] = i;
    }
    for (int i = m - 1; i > 0; i--) {
        int j = (int)(rng_next(g) % (uint64_t)(i + 1)), tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
    return m;
}

/* In the as_of month: one or two units missing, two or three submitted, the rest approved.
 * Ours has approved figures; the city's come only when every region has reported. */
static void pick_states(demo_city *c)
{
    rng g = rng_stream(c->opts->seed, TAG_STATES, 0, 0);
    int order[DEMO_REGIONS], n, missing, submitted;
    for (int r = 0; r < DEMO_REGIONS; r++)
        c->reg_state[r] = OBS_APPROVED;
    c->reg_state[CITY] = -1;
    n = shuffle(&g, DEMO_REGIONS, self_index(), order);
    missing = 1 + (int)(rng_next(&g) % 2);
    submitted = 2 + (int)(rng_next(&g) % 2);
    for (int i = 0; i < n && i < missing + submitted; i++)
        c->reg_state[order[i]] = i < missing ? -1 : OBS_SUBMITTED;
    for (int t = 0; t < DEMO_TOWNS; t++)
        c->town_state[t] = OBS_APPROVED;
    n = shuffle(&g, DEMO_TOWNS, -1, order);
    missing = 1 + (int)(rng_next(&g) % 2);
    for (int i = 0; i < n && i < missing + 2; i++)
        c->town_state[order[i]] = i < missing ? -1 : OBS_SUBMITTED;
}

static void gen_all(demo_city *c)
{
    for (int r = 0; r < DEMO_REGIONS; r++)
        gen_region(c, r);
    gen_city(c);
    gen_towns(c);
    pick_states(c);
}

/* ---- writing ---- */

static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

static int put_unit(store *s, const char *code, const char *name, const char *name_en, int kind,
                    const char *parent, int is_self, int sort_order)
{
    model_unit u;
    memset(&u, 0, sizeof u);
    copy_text(u.code, sizeof u.code, code);
    copy_text(u.name, sizeof u.name, name);
    copy_text(u.name_en, sizeof u.name_en, name_en);
    copy_text(u.parent_code, sizeof u.parent_code, parent);
    u.kind = kind;
    u.is_self = is_self;
    u.sort_order = sort_order;
    return store_unit_put(s, &u, NULL);
}

static int put_unit_list(store *s, const unit_spec *list, size_t n, int first_order)
{
    int rc;
    for (size_t i = 0; i < n; i++) {
        if ((rc = put_unit(s, list[i].code, list[i].name, list[i].name_en, list[i].kind, SELF_CODE,
                           0, first_order + (int)i)) != 0)
            return rc;
    }
    return 0;
}

/* The city first (the regions' parent), then the regions, departments, SOEs and towns. */
static int put_units(store *s)
{
    int rc;
    if ((rc = put_unit(s, CITY_CODE, "云州市", "Yunzhou City", UNIT_REFERENCE, "", 0, 100)) != 0)
        return rc;
    for (int r = 0; r < DEMO_REGIONS; r++) {
        if ((rc = put_unit(s, regions[r].code, regions[r].name, regions[r].name_en, UNIT_REGION,
                           CITY_CODE, strcmp(regions[r].code, SELF_CODE) == 0, r + 1)) != 0)
            return rc;
    }
    if ((rc = put_unit_list(s, econ_units, NECON, 201)) != 0 ||
        (rc = put_unit_list(s, other_units, NOTHER, 211)) != 0)
        return rc;
    for (int t = 0; t < DEMO_TOWNS; t++) {
        if ((rc = put_unit(s, towns[t].code, towns[t].name, towns[t].name_en, UNIT_TOWN, SELF_CODE,
                           0, 301 + t)) != 0)
            return rc;
    }
    return 0;
}

int demo__put_group(store *s, const char *code, const char *name, const char *name_en, int kind,
                    const char *description, const char (*members)[MODEL_CODE_MAX], size_t n)
{
    model_group g;
    int rc;
    memset(&g, 0, sizeof g);
    copy_text(g.code, sizeof g.code, code);
    copy_text(g.name, sizeof g.name, name);
    copy_text(g.name_en, sizeof g.name_en, name_en);
    copy_text(g.description, sizeof g.description, description);
    g.kind = kind;
    if ((rc = store_group_put(s, &g, NULL)) != 0)
        return rc;
    return store_group_set_members(s, code, members, n, NULL);
}

static size_t spec_codes(const unit_spec *list, size_t n, char (*out)[MODEL_CODE_MAX])
{
    for (size_t i = 0; i < n; i++)
        copy_text(out[i], MODEL_CODE_MAX, list[i].code);
    return n;
}

static int put_groups(store *s)
{
    char codes[DEMO_REGIONS][MODEL_CODE_MAX];
    size_t n;
    int rc;
    for (int r = 0; r < DEMO_REGIONS; r++)
        copy_text(codes[r], MODEL_CODE_MAX, regions[r].code);
    if ((rc = demo__put_group(s, "yz_peers", "云州市区县", "Yunzhou districts and counties", GROUP_PEERS,
                        "市对区考核：云州市对12个区县的高质量发展综合考核（市考）", codes,
                        DEMO_REGIONS)) != 0)
        return rc;
    n = spec_codes(econ_units, NECON, codes);
    if ((rc = demo__put_group(s, "lj_econ", "经济部门", "Economic departments", GROUP_RACE,
                        "临江区赛马比拼：经济部门组", codes, n)) != 0)
        return rc;
    n = spec_codes(other_units, NOTHER, codes);
    if ((rc = demo__put_group(s, "lj_other", "其他部门和区属国企", "Other departments and district SOEs",
                        GROUP_RACE, "临江区赛马比拼：其他部门和区属国企组", codes, n)) != 0)
        return rc;
    for (int t = 0; t < DEMO_TOWNS; t++)
        copy_text(codes[t], MODEL_CODE_MAX, towns[t].code);
    return demo__put_group(s, "lj_towns", "镇街", "Towns and streets", GROUP_RACE,
                     "临江区赛马比拼：镇街组（6镇4街道）", codes, DEMO_TOWNS);
}

static int put_indicators(store *s)
{
    model_indicator ind;
    int rc;
    for (int k = 0; k < I_N; k++) {
        const ind_spec *sp = &inds[k];
        memset(&ind, 0, sizeof ind);
        copy_text(ind.code, sizeof ind.code, sp->code);
        copy_text(ind.name, sizeof ind.name, sp->name);
        copy_text(ind.name_en, sizeof ind.name_en, sp->name_en);
        copy_text(ind.measure, sizeof ind.measure, sp->measure);
        copy_text(ind.definition, sizeof ind.definition, sp->definition);
        copy_text(ind.source, sizeof ind.source, sp->source);
        copy_text(ind.lead_unit, sizeof ind.lead_unit, sp->lead);
        copy_text(ind.coop_units, sizeof ind.coop_units, sp->coop);
        copy_text(ind.leader, sizeof ind.leader, sp->leader);
        ind.direction = DIR_HIGHER;
        ind.value_kind = sp->value_kind;
        ind.category = CAT_ECONOMIC;
        ind.precision = sp->precision;
        ind.weight = sp->weight;
        ind.method = METHOD_RANK;
        ind.sort_order = k + 1;
        if ((rc = store_indicator_put(s, &ind, NULL)) != 0)
            return rc;
    }
    return 0;
}

static void set_item(model_scheme_item *it, const char *scheme_code, int k, double weight, int order)
{
    memset(it, 0, sizeof *it);
    copy_text(it->scheme_code, sizeof it->scheme_code, scheme_code);
    copy_text(it->indicator_code, sizeof it->indicator_code, inds[k].code);
    it->weight = weight;
    it->method = METHOD_RANK;
    it->sort_order = order;
}

/* A monthly scheme whose declared total is the sum of its items' weights (100 here). */
static int put_scheme(store *s, const char *code, const char *name, const char *name_en,
                      const char *group_code, const char *description, const model_scheme_item *items,
                      size_t n)
{
    model_scheme sc;
    int rc;
    memset(&sc, 0, sizeof sc);
    copy_text(sc.code, sizeof sc.code, code);
    copy_text(sc.name, sizeof sc.name, name);
    copy_text(sc.name_en, sizeof sc.name_en, name_en);
    copy_text(sc.group_code, sizeof sc.group_code, group_code);
    copy_text(sc.grading, sizeof sc.grading, "优秀>=90;良好>=80;一般>=60");
    copy_text(sc.description, sizeof sc.description, description);
    sc.period_kind = PERIOD_MONTH;
    for (size_t i = 0; i < n; i++)
        sc.total_weight += items[i].weight;
    if ((rc = store_scheme_put(s, &sc, NULL)) != 0)
        return rc;
    return store_scheme_set_items(s, code, items, n, NULL);
}

static int put_schemes(store *s)
{
    model_scheme_item items[I_N];
    int rc;
    for (int k = 0; k < I_N; k++)
        set_item(&items[k], "yz_assess", k, inds[k].weight, k + 1);
    if ((rc = put_scheme(s, "yz_assess", "云州市区县高质量发展综合考核",
                         "Yunzhou assessment of districts and counties", "yz_peers",
                         "市考：14项主要经济指标，按月排位赋分", items, I_N)) != 0)
        return rc;
    for (int j = 0; j < NTI; j++)
        set_item(&items[j], "lj_town_race", town_inds[j], town_weights[j], j + 1);
    return put_scheme(s, "lj_town_race", "临江区镇街经济指标赛马", "Linjiang towns' economic race",
                      "lj_towns", "赛马比拼：镇街主要经济指标，按月排位，季度算总账", items, NTI);
}

static int months_in_year(const demo_city *c, int y)
{
    return y < NYEARS - 1 ? 12 : c->opts->as_of.seq;
}

static int ensure_periods(store *s, demo_city *c)
{
    int rc;
    for (int y = 0; y < NYEARS; y++) {
        for (int m = 0; m < months_in_year(c, y); m++) {
            period_key key = { PERIOD_MONTH, c->opts->as_of.year - (NYEARS - 1) + y, m + 1 };
            if ((rc = store_period_ensure(s, &key, &c->period_id[y][m])) != 0)
                return rc;
        }
    }
    return 0;
}

static int find_unit_id(const model_unit *list, size_t n, const char *code, int64_t *id)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i].code, code) == 0) {
            *id = list[i].id;
            return 0;
        }
    }
    return err_set(ERR_INTERNAL, "unit '%s' was not saved", code);
}

/* Reads back the ids the store gave the units and indicators just written. */
static int load_ids(store *s, demo_city *c)
{
    model_unit *units = NULL;
    model_indicator *list = NULL;
    size_t nu = 0, ni = 0;
    int rc;
    if ((rc = store_units(s, &units, &nu)) != 0)
        goto done;
    for (int r = 0; r < DEMO_REGIONS && rc == 0; r++)
        rc = find_unit_id(units, nu, regions[r].code, &c->reg_id[r]);
    for (int t = 0; t < DEMO_TOWNS && rc == 0; t++)
        rc = find_unit_id(units, nu, towns[t].code, &c->town_id[t]);
    if (rc != 0 || (rc = find_unit_id(units, nu, CITY_CODE, &c->reg_id[CITY])) != 0 ||
        (rc = store_indicators(s, &list, &ni)) != 0)
        goto done;
    for (int k = 0; k < I_N; k++) {
        c->ind_id[k] = 0;
        for (size_t i = 0; i < ni; i++) {
            if (strcmp(list[i].code, inds[k].code) == 0)
                c->ind_id[k] = list[i].id;
        }
        if (!c->ind_id[k]) {
            rc = err_set(ERR_INTERNAL, "indicator '%s' was not saved", inds[k].code);
            goto done;
        }
    }
done:
    free(units);
    free(list);
    return rc;
}

/* Writes one series of a unit: published before as_of, state (or nothing when -1) in as_of. */
static int write_series(store *s, const demo_city *c, int64_t unit_id, int64_t ind_id,
                        const series *sr, int state, const char *note_published,
                        const char *note_fresh)
{
    model_observation o;
    int rc;
    memset(&o, 0, sizeof o);
    o.unit_id = unit_id;
    o.indicator_id = ind_id;
    for (int y = 0; y < NYEARS; y++) {
        for (int m = 0; m < months_in_year(c, y); m++) {
            int fresh = y == NYEARS - 1 && m == months_in_year(c, y) - 1;
            if (fresh && state < 0)
                continue;
            o.period_id = c->period_id[y][m];
            o.value = sr->v[y][m];
            o.state = fresh ? state : OBS_PUBLISHED;
            copy_text(o.note, sizeof o.note, fresh ? note_fresh : note_published);
            if ((rc = store_observation_put(s, &o, ACTOR, NULL)) != 0)
                return rc;
        }
    }
    return 0;
}

static int write_targets(store *s, const demo_city *c, const char *unit_code, int k,
                         const series *sr, const char *note)
{
    model_target t;
    int rc;
    memset(&t, 0, sizeof t);
    copy_text(t.indicator_code, sizeof t.indicator_code, inds[k].code);
    copy_text(t.unit_code, sizeof t.unit_code, unit_code);
    copy_text(t.note, sizeof t.note, note);
    for (int y = 0; y < NYEARS; y++) {
        t.year = c->opts->as_of.year - (NYEARS - 1) + y;
        t.value = sr->target[y];
        if ((rc = store_target_put(s, &t, NULL)) != 0)
            return rc;
    }
    return 0;
}

static int write_regions(store *s, const demo_city *c)
{
    int rc;
    for (int r = 0; r <= CITY; r++) {
        const char *code = r == CITY ? CITY_CODE : regions[r].code;
        for (int k = 0; k < I_N; k++) {
            if ((rc = write_series(s, c, c->reg_id[r], c->ind_id[k], &c->reg[r][k], c->reg_state[r],
                                   "市统计局反馈数", "区县快报数")) != 0 ||
                (rc = write_targets(s, c, code, k, &c->reg[r][k],
                                    r == CITY ? "全市年度目标" : "市下达年度目标")) != 0)
                return rc;
        }
    }
    return 0;
}

static int write_towns(store *s, const demo_city *c)
{
    int rc;
    for (int t = 0; t < DEMO_TOWNS; t++) {
        for (int j = 0; j < NTI; j++) {
            int k = town_inds[j];
            if ((rc = write_series(s, c, c->town_id[t], c->ind_id[k], &c->town[t][j],
                                   c->town_state[t], "区统计局核定数", "镇街快报数")) != 0 ||
                (rc = write_targets(s, c, towns[t].code, k, &c->town[t][j], "区下达年度目标")) != 0)
                return rc;
        }
    }
    return 0;
}

int demo__check_as_of(const demo_opts *opts)
{
    if (!opts || opts->as_of.kind != PERIOD_MONTH)
        return err_set(ERR_DATA, "the demo's as-of period must be a month");
    if (opts->as_of.seq < 1 || opts->as_of.seq > 12 ||
        opts->as_of.year - (NYEARS - 1) < PERIOD_YEAR_MIN || opts->as_of.year > PERIOD_YEAR_MAX)
        return err_set(ERR_DATA, "as-of month %04d-%02d is out of range", opts->as_of.year,
                       opts->as_of.seq);
    return 0;
}

static int write_all(store *s, demo_city *c)
{
    int rc;
    if ((rc = put_units(s)) != 0 || (rc = put_groups(s)) != 0 || (rc = put_indicators(s)) != 0 ||
        (rc = put_schemes(s)) != 0 || (rc = ensure_periods(s, c)) != 0 ||
        (rc = load_ids(s, c)) != 0 || (rc = write_regions(s, c)) != 0 ||
        (rc = write_towns(s, c)) != 0)
        return rc;
    if (c->opts->entry && (rc = c->opts->entry(s, c->opts)) != 0)
        return rc;
    return demo_write_race(s, c->opts);
}

int demo_build(store *s, const demo_opts *opts)
{
    demo_city *c;
    int rc;
    if ((rc = demo__check_as_of(opts)) != 0)
        return rc;
    if (!(c = calloc(1, sizeof *c)))
        return err_set(ERR_NOMEM, "out of memory");
    c->opts = opts;
    gen_all(c);
    if ((rc = store_begin(s)) != 0)
        goto done;
    if ((rc = write_all(s, c)) != 0 || (rc = store_commit(s)) != 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", err_msg());
        store_rollback(s);
        err_set(rc, "demo: %s", msg);
    }
done:
    free(c);
    return rc;
}
