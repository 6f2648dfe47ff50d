/* commands.c — the table of subcommands; add a line here (and a prototype in
 * commands.h) for a new one. */
#include <stddef.h>
#include "commands.h"

const gk_command gk_commands[] = {
    {"check", gk_cmd_check, "离线检查报告 JSON 文件（--json 输出机器可读结果）"},
    {"template", gk_cmd_template, "输出指定格式的空白报告（全部键，数值为 0）"},
    {"submit", gk_cmd_submit, "向服务器提交报告（--dry-run 只检查不保存）"},
    {"status", gk_cmd_status, "地区各单位的报送情况：已报、逾期、未报及问题数"},
    {"rollup", gk_cmd_rollup, "地区报告汇总表（--json / --csv 输出原始数据）"},
    {"compliance", gk_cmd_compliance, "地区各单位报告的检查结果"},
    {"history", gk_cmd_history, "单位某年度报告的全部版本"},
    {"show", gk_cmd_show, "显示单位某年度报告的一个版本"},
    {"benchmark", gk_cmd_benchmark, "地区内各单位某一单元格的同级比较：四分位数与百分位"},
    {"review", gk_cmd_review, "报告的审核：查看状态与记录，退回修改、审核通过、重新开启"},
    {"supervision", gk_cmd_supervision, "地区年度报告情况通报：未报、逾期、经审核确认的问题（--xlsx / --html 保存文件）"},
    {"import", gk_cmd_import, "把已发布的年度报告（文本或 HTML）转换为报告 JSON"},
    {"render", gk_cmd_render, "按国家格式输出可发布的报告（--html 网页 / --docx Word 文档）"},
    {NULL, NULL, NULL},
};
