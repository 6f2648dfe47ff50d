/* cmd_review_mark.c — `gongkai review mark ENTITY --year Y --code CODE
 * [--path PATH] (--confirm | --dismiss 理由)`: the office's mark on one
 * finding (POST/GET /api/v1/reports/{entity}/{year}/findings/marks).
 * Without --confirm/--dismiss it lists the marks in force and the history
 * (superseded, or whose finding is gone), so a township sees which of its
 * findings the office confirmed. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "net_cmd.h"
#include "net_util.h"
#include "print_table.h"

static void usage(FILE *out)
{
    fputs("用法: gongkai review mark 单位代码 --year 年度 [--code 代码 [--path 路径] (--confirm | --dismiss 理由)]\n\n"
          "审核报告的单条检查结果：确认（须整改）或不予采纳（须写明理由）。\n"
          "不带 --confirm/--dismiss 时列出生效的标记和历史标记。\n\n"
          "  -y, --year 年度          报告年度（必填）\n"
          "  --code 代码              检查结果的代码，如 requests.row_total\n"
          "  --path 路径              检查结果的单元格路径（见 gongkai show 或 compliance 的输出；整份报告的问题不填）\n"
          "  --confirm                确认：该问题须整改，列入通报\n"
          "  --dismiss 理由           不予采纳，理由必填\n"
          "  --json                   原样输出服务器的 JSON\n"
          "  -h, --help               显示本帮助\n\n",
          out);
    gk_net_print_options(out);
    fputs("\n只有上级机关的审阅（viewer）或管理（admin）令牌可以标记；乡镇不能审核自己的报告。\n"
          "\n退出码: 0 成功；1 没有该报告；2 参数有误；3 无法连接服务器、无权限或当前检查结果中没有该问题。\n",
          out);
}

static void print_list(const char *title, const json_t *marks)
{
    printf("%s（%zu 条）\n", title, json_array_size(marks));
    if (json_array_size(marks) == 0)
        return;
    static const struct {
        const char *state, *label;
    } states[] = {{"active", "生效"}, {"superseded", "已被新标记取代"}, {"finding_gone", "问题已不存在"}};
    gk_ptable *t = gk_ptable_new(7);
    gk_ptable_column(t, 0, "时间", GK_ALIGN_LEFT);
    gk_ptable_column(t, 1, "标记", GK_ALIGN_LEFT);
    gk_ptable_column(t, 2, "代码", GK_ALIGN_LEFT);
    gk_ptable_column(t, 3, "路径", GK_ALIGN_LEFT);
    gk_ptable_column(t, 4, "版本", GK_ALIGN_RIGHT);
    gk_ptable_column(t, 5, "状态", GK_ALIGN_LEFT);
    gk_ptable_column(t, 6, "理由", GK_ALIGN_LEFT);
    for (size_t i = 0; i < json_array_size(marks); i++) {
        const json_t *m = json_array_get(marks, i);
        const char *st = gk_jstr(m, "state", ""), *label = st;
        for (size_t k = 0; k < sizeof states / sizeof states[0]; k++)
            if (!strcmp(states[k].state, st))
                label = states[k].label;
        gk_ptable_row(t);
        gk_ptable_cell(t, gk_jstr(m, "at", ""));
        gk_ptable_cell(t, gk_jstr(m, "label", ""));
        gk_ptable_cell(t, gk_jstr(m, "code", ""));
        gk_ptable_cell(t, gk_jstr(m, "path", ""));
        gk_ptable_cellf(t, "%lld", gk_jint(m, "revision", 0));
        gk_ptable_cell(t, label);
        gk_ptable_cell(t, gk_jstr(m, "reason", ""));
    }
    gk_ptable_print(t, stdout, "");
    gk_ptable_free(t);
}

int gk_cmd_review_mark(int argc, char **argv)
{
    static const struct option opts[] = {
        {"year", required_argument, NULL, 'y'},
        {"code", required_argument, NULL, 'c'},
        {"path", required_argument, NULL, 'p'},
        {"confirm", no_argument, NULL, 'C'},
        {"dismiss", required_argument, NULL, 'D'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        GK_NET_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    gk_net_flags fl;
    gk_netcmd s;
    gk_net_error nerr;
    const char *year_s = NULL, *code = NULL, *fpath = "", *mark = NULL, *reason = NULL;
    bool as_json = false;
    int c, year, rc, marks = 0;

    gk_net_flags_init(&fl);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hy:", opts, NULL)) != -1) {
        int r = gk_net_flags_option(&fl, c, optarg);
        if (r < 0)
            return GK_EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'y': year_s = optarg; break;
        case 'c': code = optarg; break;
        case 'p': fpath = optarg; break;
        case 'C': mark = "confirmed"; marks++; break;
        case 'D': mark = "dismissed"; reason = optarg; marks++; break;
        case 'j': as_json = true; break;
        case 'h': usage(stdout); return 0;
        default: return gk_netcmd_bad_option(argv, optind);
        }
    }
    if ((rc = gk_netcmd_code_year(argc, argv, optind, year_s, "单位代码", usage, &year)) != 0)
        return rc;
    if (marks > 1) {
        fprintf(stderr, "gongkai: --confirm 和 --dismiss 只能选一个\n");
        return GK_EXIT_USAGE;
    }
    if (mark != NULL && (code == NULL || code[0] == '\0')) {
        fprintf(stderr, "gongkai: 标记检查结果须用 --code 指明问题代码\n");
        return GK_EXIT_USAGE;
    }
    if (mark == NULL && code != NULL) {
        fprintf(stderr, "gongkai: 请用 --confirm 或 --dismiss 理由 指明标记\n");
        return GK_EXIT_USAGE;
    }
    if (reason != NULL && strspn(reason, " \t\r\n") == strlen(reason)) {
        fprintf(stderr, "gongkai: 不予采纳须写明理由\n");
        return GK_EXIT_USAGE;
    }
    if ((rc = gk_netcmd_open(&s, &fl)) != 0)
        return rc;
    char *entity = gk_net_escape(argv[optind]);
    char *path = gk_net_xasprintf("/api/v1/reports/%s/%d/findings/marks", entity, year);
    json_t *v = NULL;
    if (mark == NULL) {
        v = gk_netcmd_get(&s, path + 7, &nerr);
    } else {
        json_t *b = json_pack("{s:s,s:s,s:s}", "code", code, "path", fpath, "mark", mark);
        if (b != NULL && reason != NULL)
            json_object_set_new(b, "reason", json_string(reason));
        char *text = b ? json_dumps(b, JSON_COMPACT) : NULL;
        json_decref(b);
        if (text == NULL) {
            fprintf(stderr, "gongkai: 代码、路径或理由不是有效的 UTF-8 文字\n");
            rc = GK_EXIT_USAGE;
            goto out;
        }
        gk_net_request rq = {.method = "POST", .path = path, .body = text, .body_len = strlen(text),
                             .content_type = "application/json", .auth = true};
        v = gk_net_call_json(s.net, &rq, NULL, &nerr);
        free(text);
    }
    if (v == NULL) {
        rc = gk_netcmd_fail(&nerr);
        goto out;
    }
    if (as_json) {
        char *o = json_dumps(v, JSON_INDENT(2));
        if (o)
            puts(o);
        free(o);
    } else {
        printf("%s %lld 年度报告（当前第 %lld 版）的检查结果审核标记\n", gk_jstr(v, "entity", "?"),
               gk_jint(v, "year", 0), gk_jint(v, "current_revision", 0));
        print_list("生效的标记", json_object_get(v, "active"));
        print_list("历史标记", json_object_get(v, "history"));
    }
out:
    json_decref(v);
    free(path);
    free(entity);
    gk_netcmd_close(&s);
    return rc;
}
