/* main: the saima program — the one dispatch table of every command, the CLI's and the
 * server's, run by the CLI's dispatcher. The only place that sees both src/cli and src/http. */
#include "cli/cli.h"
#include "saima/serve.h"

#include <stddef.h>

static const cli_cmd commands[] = {
    { "init", cmd_init, "Create or upgrade the database", "创建或升级数据库", "", cmd_init_opts, 0, 0 },
    { "demo", cmd_demo, "Build the demo city, or a province with --scale province (deterministic)",
      "生成演示城市数据（--scale province：全省规模）", "", cmd_demo_opts, 0, 0 },
    { "import", cmd_import, "Import a CSV file (one file, one transaction)",
      "导入CSV文件（整文件原子导入）", "KIND FILE", cmd_import_opts, 2, 2 },
    { "export", cmd_export, "Export data as CSV", "导出CSV", "KIND [FILE]", cmd_export_opts, 1, 2 },
    { "list", cmd_list, "List units, groups, indicators, schemes, periods, targets, "
      "observations, flags, users or the audit log", "列出数据", "WHAT", cmd_list_opts, 1, 1 },
    { "show", cmd_show, "Show one unit, group, indicator, scheme or observation with its history",
      "查看单项详情", "WHAT CODE...", cmd_show_opts, 2, 4 },
    { "report", cmd_report, "Print the latest figures of our region", "打印本区最新指标报告", "",
      cmd_report_opts, 0, 0 },
    { "rank", cmd_rank, "Rank the group on one indicator: tier, movement, gaps",
      "指标排名：梯队、进退位、标兵追兵", "", cmd_rank_opts, 0, 0 },
    { "gap", cmd_gap, "One unit against the one ahead and the one behind, on every indicator",
      "标兵追兵：本单位各项指标的差距", "", cmd_gap_opts, 0, 0 },
    { "warn", cmd_warn, "Warnings: bottom three, falling ranks, behind time, forecast misses",
      "预警：后三、退位、落后时间进度、预计完不成", "", cmd_warn_opts, 0, 0 },
    { "forecast", cmd_forecast, "Year-end forecast of every unit and its predicted rank",
      "年末预测及预计名次", "", cmd_forecast_opts, 0, 0 },
    { "score", cmd_score, "Scores, totals, overall rank and grades under a scheme",
      "按考核方案赋分：总分、总排名、等次", "", cmd_score_opts, 0, 0 },
    { "explain", cmd_explain, "How a unit's ranks and scores were reached, with the formulas",
      "解释排名与得分的计算过程", "", cmd_explain_opts, 0, 0 },
    { "scheme", cmd_scheme, "Show a scheme with its checks (weights, methods, parameters)",
      "查看考核方案及校验结果", "show CODE", cmd_scheme_opts, 2, 2 },
    { "contest", cmd_contest, "Run or show a period's contests: ranking, points, red flag, awards",
      "赛马比拼：评出或查看本期排名、积分、流动红旗、奖项", "run|show", cmd_contest_opts, 1, 1 },
    { "flags", cmd_flags, "Red flag holders by period, and flags per unit and year",
      "流动红旗持有记录与获旗次数", "", cmd_flags_opts, 0, 0 },
    { "awards", cmd_awards, "Named awards of a period and their winners", "本期奖项及获奖单位", "",
      cmd_awards_opts, 0, 0 },
    { "ledger", cmd_ledger, "The year's points: quarters, bonuses, deductions, veto, total",
      "年度积分台账：季度积分、加减分、一票否决、年度总分", "", cmd_ledger_opts, 0, 0 },
    { "events", cmd_events, "Commendations, criticisms, bonuses, deductions and vetoes",
      "表扬、通报、加分、扣分与一票否决事项", "add|list|revoke [ID]", cmd_events_opts, 1, 2 },
    { "user", cmd_user,
      "Accounts and roles; passwords come from the terminal or stdin, never from arguments "
      "(ps and shell history would show them)",
      "账号与角色；密码从终端或标准输入读取，不经命令行参数（进程列表和命令历史可见）",
      "add|passwd|list|disable|enable [LOGIN]", cmd_user_opts, 1, 2 },
    { "submissions", cmd_submissions, "Data entry: submissions, approval, returns, reminders", "数据报送：审核、退回、催报", "list|show|approve|return|remind|deadline [UNIT]", cmd_submissions_opts, 1, 2 },
    { "serve", cmd_serve, "Run the HTTP server until SIGINT or SIGTERM",
      "运行Web服务（SIGINT或SIGTERM停止）", "", cmd_serve_opts, 0, 0 },
    { "workload", cmd_workload, "Run the rank-score benchmark workload on DATADIR, write OUTCSV",
      "运行排名赋分基准负载", "DATADIR OUTCSV", cmd_workload_opts, 2, 2 },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

int main(int argc, char **argv)
{
    return cli_main(argc, argv, commands, NCOMMANDS);
}
