/* model: names of the enumerations, in the order of their enums. */
#include "model/model.h"

#include <string.h>

const model_enum model_unit_kinds[UNIT_KIND_N] = {
    { "region", "区县" }, { "department", "部门" }, { "town", "镇办" },
    { "soe", "国企" }, { "reference", "参照" },
};
const model_enum model_group_kinds[GROUP_KIND_N] = {
    { "peers", "兄弟区县" }, { "race", "赛马分组" }, { "class", "分档" },
};
const model_enum model_directions[DIR_N] = { { "higher", "越高越好" }, { "lower", "越低越好" } };
const model_enum model_value_kinds[VK_N] = {
    { "level", "水平值" }, { "ytd", "累计值" }, { "growth", "增速" }, { "ratio", "比重" },
};
const model_enum model_categories[CAT_N] = {
    { "economic", "经济指标" }, { "non_economic", "非经济指标" }, { "key_work", "重点工作" },
};
const model_enum model_obs_states[OBS_STATE_N] = {
    { "draft", "草稿" }, { "submitted", "已报送" }, { "approved", "已审核" }, { "published", "已发布" },
};
const model_enum model_methods[METHOD_N] = {
    { "rank", "位次赋分" }, { "completion", "完成率" }, { "efficacy", "功效系数" },
    { "threshold", "达标得分" }, { "manual", "评议" },
};
const model_enum model_roles[ROLE_N] = {
    { "admin", "考核办" }, { "reporter", "填报员" }, { "leader", "领导" }, { "public", "公开" },
};

const model_enum model_event_kinds[EVENT_KIND_N] = {
    { "commendation", "表扬" }, { "criticism", "通报批评" }, { "bonus", "加分" },
    { "deduction", "扣分" }, { "veto", "一票否决" },
};
const model_enum model_flag_tie_rules[FLAG_TIE_N] = {
    { "shared", "并列共享" }, { "holder", "原持有者优先" }, { "judges", "测评分高者" },
    { "none", "空缺" },
};
const model_enum model_sub_states[SUB_STATE_N] = {
    { "missing", "未报送" }, { "draft", "填报中" }, { "submitted", "待审核" },
    { "returned", "已退回" }, { "approved", "已审核" },
};

int model_enum_find(const model_enum *names, int n, const char *text)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i].key, text) == 0 || strcmp(names[i].label_zh, text) == 0)
            return i;
    }
    return -1;
}
