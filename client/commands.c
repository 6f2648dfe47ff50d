/* commands.c — the table of subcommands; add a line here (and a prototype in
 * commands.h) for a new one. */
#include <stddef.h>
#include "commands.h"

const gk_command gk_commands[] = {
    {"check", gk_cmd_check, "离线检查报告 JSON 文件（--json 输出机器可读结果）"},
    {"template", gk_cmd_template, "输出指定格式的空白报告（全部键，数值为 0）"},
    {NULL, NULL, NULL},
};
