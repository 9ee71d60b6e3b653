/* model: the entities Saima keeps (SPEC §1-4) as plain C structs with fixed-size text,
 * and the names of their enumerations. No storage here: see store.h. */
#ifndef SAIMA_MODEL_H
#define SAIMA_MODEL_H

#include "util/period.h"

#include <stdint.h>

#define MODEL_CODE_MAX 64   /* codes: unit, group, indicator, scheme (bytes incl. NUL) */
#define MODEL_NAME_MAX 256  /* names, people */
#define MODEL_TEXT_MAX 1024 /* definitions, notes, parameters */
#define MODEL_TIME_MAX 32   /* ISO 8601 UTC timestamps */

enum unit_kind { UNIT_REGION = 0, UNIT_DEPARTMENT, UNIT_TOWN, UNIT_SOE, UNIT_REFERENCE, UNIT_KIND_N };
enum group_kind { GROUP_PEERS = 0, GROUP_RACE, GROUP_CLASS, GROUP_KIND_N };
enum direction { DIR_HIGHER = 0, DIR_LOWER, DIR_N };
enum value_kind { VK_LEVEL = 0, VK_YTD, VK_GROWTH, VK_RATIO, VK_N };
enum category { CAT_ECONOMIC = 0, CAT_NON_ECONOMIC, CAT_KEY_WORK, CAT_N };
enum obs_state { OBS_DRAFT = 0, OBS_SUBMITTED, OBS_APPROVED, OBS_PUBLISHED, OBS_STATE_N };
enum scoring_method { METHOD_RANK = 0, METHOD_COMPLETION, METHOD_EFFICACY, METHOD_THRESHOLD,
                      METHOD_MANUAL, METHOD_N };
enum user_role { ROLE_ADMIN = 0, ROLE_REPORTER, ROLE_LEADER, ROLE_PUBLIC, ROLE_N };
enum event_kind { EVENT_COMMENDATION = 0, EVENT_CRITICISM, EVENT_BONUS, EVENT_DEDUCTION, EVENT_VETO,
                  EVENT_KIND_N };
/* Where a unit's figures for a period stand in the entry workflow (填报 → 报送 → 审核);
 * SUB_MISSING is "no submission yet" and is never stored. */
enum sub_state { SUB_MISSING = 0, SUB_DRAFT, SUB_SUBMITTED, SUB_RETURNED, SUB_APPROVED, SUB_STATE_N };
/* Whether a unit's figures of a period may be written (the period lock, SPEC §4): open, locked
 * for every unit, or locked because the unit's submission of the period is approved. */
enum lock_state { LOCK_OPEN = 0, LOCK_PERIOD, LOCK_APPROVED };
/* Who holds the red flag when several units tie for first place. */
enum flag_tie_rule { FLAG_TIE_SHARED = 0, FLAG_TIE_HOLDER, FLAG_TIE_JUDGES, FLAG_TIE_NONE, FLAG_TIE_N };

/* An enumeration's names: stable English key (stored, exported) and Chinese label. */
typedef struct model_enum {
    const char *key;
    const char *label_zh;
} model_enum;

extern const model_enum model_unit_kinds[UNIT_KIND_N];
extern const model_enum model_group_kinds[GROUP_KIND_N];
extern const model_enum model_directions[DIR_N];
extern const model_enum model_value_kinds[VK_N];
extern const model_enum model_categories[CAT_N];
extern const model_enum model_obs_states[OBS_STATE_N];
extern const model_enum model_methods[METHOD_N];
extern const model_enum model_roles[ROLE_N];
extern const model_enum model_event_kinds[EVENT_KIND_N];
extern const model_enum model_flag_tie_rules[FLAG_TIE_N];
extern const model_enum model_sub_states[SUB_STATE_N];

/* Finds text among the keys or Chinese labels of an enumeration of n names.
 * Returns the index, or -1 when nothing matches. */
int model_enum_find(const model_enum *names, int n, const char *text);

/* A unit: a peer region, department, town, SOE or the reference region (参照物). */
typedef struct model_unit {
    int64_t id;
    char code[MODEL_CODE_MAX];
    char name[MODEL_NAME_MAX];
    char name_en[MODEL_NAME_MAX];
    int kind;                          /* enum unit_kind */
    char parent_code[MODEL_CODE_MAX];  /* "" when top level */
    int is_self;                       /* our own region */
    int sort_order;
} model_unit;

/* A group of units that compete with each other (peers, a race group, a size class). */
typedef struct model_group {
    int64_t id;
    char code[MODEL_CODE_MAX];
    char name[MODEL_NAME_MAX];
    char name_en[MODEL_NAME_MAX];
    int kind;                          /* enum group_kind */
    char description[MODEL_TEXT_MAX];
} model_group;

/* An indicator with every field of SPEC §3. */
typedef struct model_indicator {
    int64_t id;
    char code[MODEL_CODE_MAX];
    char name[MODEL_NAME_MAX];
    char name_en[MODEL_NAME_MAX];
    char measure[MODEL_CODE_MAX];      /* unit of measure: 亿元, %, 元 */
    char definition[MODEL_TEXT_MAX];   /* 统计口径 */
    char source[MODEL_TEXT_MAX];       /* 数据来源 */
    int direction;                     /* enum direction */
    int value_kind;                    /* enum value_kind */
    int category;                      /* enum category */
    int precision;                     /* decimals that count: equal after rounding = tie */
    double weight;                     /* default weight (分值) */
    int method;                        /* enum scoring_method, default */
    char lead_unit[MODEL_CODE_MAX];    /* 牵头单位 code, "" if none */
    char coop_units[MODEL_TEXT_MAX];   /* 配合单位 codes joined by ';' */
    char leader[MODEL_NAME_MAX];       /* 分管领导 */
    int is_bonus;                      /* 加分指标 */
    int is_veto;                       /* 一票否决 */
    int sort_order;
} model_indicator;

/* A scheme: who competes (a group) over which indicators with which weights. */
typedef struct model_scheme {
    int64_t id;
    char code[MODEL_CODE_MAX];
    char name[MODEL_NAME_MAX];
    char name_en[MODEL_NAME_MAX];
    char group_code[MODEL_CODE_MAX];
    int period_kind;                   /* enum period_kind */
    double total_weight;               /* declared total of item weights */
    char grading[MODEL_TEXT_MAX];      /* grade rule, e.g. "优秀>=90;良好>=80;一般>=60" */
    char settings[MODEL_TEXT_MAX];     /* warning thresholds, e.g. "first_tier=5;rank_fall=1" */
    char description[MODEL_TEXT_MAX];
} model_scheme;

/* One indicator of a scheme with its weight, method and method parameters. */
typedef struct model_scheme_item {
    char scheme_code[MODEL_CODE_MAX];
    char indicator_code[MODEL_CODE_MAX];
    double weight;
    int method;                        /* enum scoring_method */
    char params[MODEL_TEXT_MAX];       /* method parameters, "key=value;key=value" */
    int sort_order;
} model_scheme_item;

/* A period row: its key, canonical code, and whether it is locked for every unit. */
typedef struct model_period {
    int64_t id;
    period_key key;
    char code[PERIOD_CODE_MAX];
    int locked;
    char deadline[MODEL_TIME_MAX];     /* submission deadline, "" if none */
} model_period;

/* An annual target (目标值) of an indicator for a unit. */
typedef struct model_target {
    char indicator_code[MODEL_CODE_MAX];
    char unit_code[MODEL_CODE_MAX];
    int year;
    double value;
    char note[MODEL_TEXT_MAX];
} model_target;

/* An observation (indicator, unit, period) -> value, with its state and provenance.
 * Writers fill the ids; readers get ids and codes. */
typedef struct model_observation {
    int64_t indicator_id;
    int64_t unit_id;
    int64_t period_id;
    char indicator_code[MODEL_CODE_MAX];
    char unit_code[MODEL_CODE_MAX];
    char period_code[PERIOD_CODE_MAX];
    double value;
    int state;                         /* enum obs_state */
    char note[MODEL_TEXT_MAX];         /* source note */
    char entered_by[MODEL_NAME_MAX];
    char entered_at[MODEL_TIME_MAX];
    int revision;                      /* 1 for the first value, +1 for each change */
} model_observation;

/* A soft-validation flag: a value accepted but marked for review. */
typedef struct model_obs_flag {
    int64_t id;
    char indicator_code[MODEL_CODE_MAX];
    char unit_code[MODEL_CODE_MAX];
    char period_code[PERIOD_CODE_MAX];
    char rule[MODEL_CODE_MAX];         /* ytd_decrease, growth_range, outlier */
    char message[MODEL_TEXT_MAX];
    double value;
    char created_at[MODEL_TIME_MAX];
    char status[16];                   /* open, accepted, corrected */
} model_obs_flag;

/* A contest category (经济指标, 重点项目, 争资引资, 乡村建设, 创建创新, 基层党建, ...). */
typedef struct model_contest_category {
    int64_t id;
    char code[MODEL_CODE_MAX];
    char name[MODEL_NAME_MAX];
    char name_en[MODEL_NAME_MAX];
    int sort_order;
} model_contest_category;

/* A contest (赛马, 擂台赛): a group's race in one category over one period (a quarter by
 * default). An entry's score blends the engine's score under a scheme with the judges'. */
typedef struct model_contest {
    int64_t id;
    char code[MODEL_CODE_MAX];
    char name[MODEL_NAME_MAX];
    char group_code[MODEL_CODE_MAX];
    char category_code[MODEL_CODE_MAX];
    char period_code[PERIOD_CODE_MAX];
    char scheme_code[MODEL_CODE_MAX];  /* "" when judges alone score it */
    int engine_weight_bp;              /* share of the scheme's score, basis points */
    int judge_weight_bp;               /* share of the judges' score; the two add up to 10000 */
    int drop_extremes;                 /* judges: drop the highest and the lowest */
    char points[MODEL_TEXT_MAX];       /* rank -> points: "top=3,2,1;bottom=-3,-2,-1" */
    int flag_tie_rule;                 /* enum flag_tie_rule */
} model_contest;

/* One judge's score of one unit in a contest (现场测评), in points out of 100. */
typedef struct model_judge_score {
    char contest_code[MODEL_CODE_MAX];
    char unit_code[MODEL_CODE_MAX];
    char judge[MODEL_NAME_MAX];
    double score;
} model_judge_score;

/* A unit's result in a contest as last run: scores in points, rank, and points won or lost
 * (in 1/10000 point). */
typedef struct model_contest_result {
    char contest_code[MODEL_CODE_MAX];
    char unit_code[MODEL_CODE_MAX];
    double engine_score, judge_score, score;
    int has_engine, has_judges;
    int rank;
    int64_t points;
    char run_at[MODEL_TIME_MAX];
} model_contest_result;

/* A holder of a group's rotating red flag (流动红旗) for a period; ties may share it. */
typedef struct model_flag_holder {
    char group_code[MODEL_CODE_MAX];
    char period_code[PERIOD_CODE_MAX];
    char unit_code[MODEL_CODE_MAX];
    char decided_at[MODEL_TIME_MAX];
} model_flag_holder;

/* A commendation, criticism, bonus, deduction or veto incident (一事一嘉奖、一事一通报). */
typedef struct model_event {
    int64_t id;
    char date[16];                     /* YYYY-MM-DD */
    char unit_code[MODEL_CODE_MAX];
    int kind;                          /* enum event_kind */
    char category[MODEL_CODE_MAX];     /* caps are per category and year */
    double points;                     /* > 0 adds, < 0 takes away; 0 for a veto */
    char evidence[MODEL_TEXT_MAX];
    char entered_by[MODEL_NAME_MAX];
    char approved_by[MODEL_NAME_MAX];
    int revoked;
    char revoked_reason[MODEL_TEXT_MAX]; /* e.g. 容错免责 and why */
    char revoked_by[MODEL_NAME_MAX];
    char revoked_at[MODEL_TIME_MAX];
    char created_at[MODEL_TIME_MAX];
} model_event;

/* The most a unit may gain and lose from events of one category in one year (0 = no cap). */
typedef struct model_event_cap {
    char category[MODEL_CODE_MAX];
    int year;
    double max_bonus, max_deduction;
} model_event_cap;

/* A named award (骏马奖 / 蜗牛奖 / user-defined): the best or the worst of a group by a
 * contest category or an indicator; the rule text is stored and shown as written. */
typedef struct model_award {
    int64_t id;
    char code[MODEL_CODE_MAX];
    char name[MODEL_NAME_MAX];
    char name_en[MODEL_NAME_MAX];
    int worst;                         /* 0: best, 1: worst */
    char source[16];                   /* "contest" or "indicator" */
    char source_code[MODEL_CODE_MAX];  /* the category code or the indicator code */
    char group_code[MODEL_CODE_MAX];
    char rule[MODEL_TEXT_MAX];
} model_award;

/* An account (used by the server in a later issue). */
typedef struct model_user {
    int64_t id;
    char login[MODEL_CODE_MAX];
    char display_name[MODEL_NAME_MAX];
    int role;                          /* enum user_role */
    char unit_code[MODEL_CODE_MAX];    /* required for reporters */
    char password_hash[MODEL_NAME_MAX];
    int disabled;
    char created_at[MODEL_TIME_MAX];
} model_user;

/* A unit's submission of its figures for one period (docs/entry.md). An approved one locks
 * the unit's figures of that period. Times are ISO 8601 UTC, "" when not yet. */
typedef struct model_submission {
    char unit_code[MODEL_CODE_MAX];
    char period_code[PERIOD_CODE_MAX];
    int state;                         /* enum sub_state */
    char submitted_by[MODEL_NAME_MAX];
    char submitted_at[MODEL_TIME_MAX];
    char reviewed_by[MODEL_NAME_MAX];  /* who approved or returned it */
    char reviewed_at[MODEL_TIME_MAX];
    char reason[MODEL_TEXT_MAX];       /* why it was returned; "" otherwise */
    char updated_by[MODEL_NAME_MAX];   /* the last change of any kind */
    char updated_at[MODEL_TIME_MAX];
} model_submission;

/* One transition of a submission, kept for ever: who moved it from which state to which,
 * when, and why (a return's reason). */
typedef struct model_submission_step {
    int64_t id;
    char unit_code[MODEL_CODE_MAX];
    char period_code[PERIOD_CODE_MAX];
    int from_state, to_state;          /* enum sub_state */
    char by[MODEL_NAME_MAX];
    char at[MODEL_TIME_MAX];
    char reason[MODEL_TEXT_MAX];
} model_submission_step;

/* One line of the audit log. */
typedef struct model_audit_entry {
    int64_t id;
    char at[MODEL_TIME_MAX];
    char actor[MODEL_NAME_MAX];
    char action[MODEL_CODE_MAX];
    char entity[MODEL_CODE_MAX];
    char detail[MODEL_TEXT_MAX];
} model_audit_entry;

#endif
