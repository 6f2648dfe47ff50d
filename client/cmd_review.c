/* cmd_review.c — `gongkai review ENTITY --year Y [--return 意见 | --accept |
 * --reopen 原因] [--revision N]`: the office's review of one report
 * (POST/GET /api/v1/reports/{entity}/{year}/review).  Without an action it
 * shows the state, the office's last comment and the whole history — what
 * a township looks at after its report was returned. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "net_cmd.h"
#include "net_util.h"
#include "print_table.h"

static void usage(FILE *out)
{
    fputs("用法: gongkai review 单位代码 --year 年度 [操作] [选项]\n\n"
          "查看或办理单位该年度报告的审核：不带操作时显示审核状态、审核意见和全部审核记录。\n\n"
          "  -y, --year 年度          报告年度（必填）\n"
          "  --return 意见            退回修改，意见写明需要修改的内容（必填）\n"
          "  --accept                 审核通过（报告随即锁定，不能再提交新版本）\n"
          "  --reopen 原因            重新开启已审核的报告（原因必填）\n"
          "  --comment 文字           审核通过时附带的意见（可选）\n"
          "  -r, --revision 版本      只在当前版本仍是该版本时办理（防止审核未看过的版本）\n"
          "  --json                   原样输出服务器的 JSON\n"
          "  -h, --help               显示本帮助\n\n"
          "标记单条检查结果（确认 / 不予采纳）：gongkai review mark --help\n\n",
          out);
    gk_net_print_options(out);
    fputs("\n只有上级机关的审阅（viewer）或管理（admin）令牌可以办理审核。\n"
          "\n退出码: 0 成功；1 没有该报告；2 参数有误；3 无法连接服务器、无权限或状态不允许该操作。\n",
          out);
}

static void print_review(const json_t *v)
{
    printf("%s %lld 年度报告审核状态：%s（当前第 %lld 版", gk_jstr(v, "entity", "?"), gk_jint(v, "year", 0),
           gk_jstr(v, "state_label", "?"), gk_jint(v, "current_revision", 0));
    if (json_is_integer(json_object_get(v, "revision")))
        printf("，审核针对第 %lld 版", gk_jint(v, "revision", 0));
    printf("）\n");
    if (json_is_true(json_object_get(v, "locked")))
        printf("已审核通过并锁定：须由上级机关重新开启后才能提交新版本。\n");
    const char *comment = gk_jstr(v, "comment", "");
    if (comment[0])
        printf("审核意见：%s\n", comment);
    const json_t *h = json_object_get(v, "history");
    if (json_array_size(h) == 0) {
        printf("（尚无审核记录）\n");
        return;
    }
    static const struct {
        const char *action, *label;
    } names[] = {{"return", "退回修改"}, {"accept", "审核通过"}, {"reopen", "重新开启"}, {"resubmit", "重新提交"}};
    printf("\n");
    gk_ptable *t = gk_ptable_new(5);
    gk_ptable_column(t, 0, "时间", GK_ALIGN_LEFT);
    gk_ptable_column(t, 1, "操作", GK_ALIGN_LEFT);
    gk_ptable_column(t, 2, "版本", GK_ALIGN_RIGHT);
    gk_ptable_column(t, 3, "令牌", GK_ALIGN_RIGHT);
    gk_ptable_column(t, 4, "意见", GK_ALIGN_LEFT);
    for (size_t i = 0; i < json_array_size(h); i++) {
        const json_t *e = json_array_get(h, i);
        const char *a = gk_jstr(e, "action", "?"), *label = a;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            if (!strcmp(names[k].action, a))
                label = names[k].label;
        gk_ptable_row(t);
        gk_ptable_cell(t, gk_jstr(e, "at", ""));
        gk_ptable_cell(t, label);
        gk_ptable_cellf(t, "%lld", gk_jint(e, "revision", 0));
        gk_ptable_cellf(t, "%lld", gk_jint(e, "by", 0));
        gk_ptable_cell(t, gk_jstr(e, "comment", ""));
    }
    gk_ptable_print(t, stdout, "");
    gk_ptable_free(t);
}

int gk_cmd_review(int argc, char **argv)
{
    static const struct option opts[] = {
        {"year", required_argument, NULL, 'y'},
        {"return", required_argument, NULL, 'T'},
        {"accept", no_argument, NULL, 'A'},
        {"reopen", required_argument, NULL, 'O'},
        {"comment", required_argument, NULL, 'C'},
        {"revision", required_argument, NULL, 'r'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        GK_NET_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    gk_net_flags fl;
    gk_netcmd s;
    gk_net_error nerr;
    const char *year_s = NULL, *action = NULL, *comment = NULL, *revision_s = NULL, *accept_comment = NULL;
    bool as_json = false;
    int c, year, rc, actions = 0;
    long revision = 0;

    if (argc > 1 && strcmp(argv[1], "mark") == 0)   /* `gongkai review mark …` */
        return gk_cmd_review_mark(argc - 1, argv + 1);
    gk_net_flags_init(&fl);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hy:r:", opts, NULL)) != -1) {
        int r = gk_net_flags_option(&fl, c, optarg);
        if (r < 0)
            return GK_EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'y': year_s = optarg; break;
        case 'T': action = "return"; comment = optarg; actions++; break;
        case 'A': action = "accept"; actions++; break;
        case 'O': action = "reopen"; comment = optarg; actions++; break;
        case 'C': accept_comment = optarg; break;
        case 'r': revision_s = optarg; break;
        case 'j': as_json = true; break;
        case 'h': usage(stdout); return 0;
        default: return gk_netcmd_bad_option(argv, optind);
        }
    }
    if ((rc = gk_netcmd_code_year(argc, argv, optind, year_s, "单位代码", usage, &year)) != 0)
        return rc;
    if (action && !strcmp(action, "accept"))
        comment = accept_comment;
    if (actions > 1) {
        fprintf(stderr, "gongkai: --return、--accept、--reopen 只能选一个\n");
        return GK_EXIT_USAGE;
    }
    if (revision_s != NULL) {
        char *end = NULL;
        revision = strtol(revision_s, &end, 10);
        if (end == revision_s || *end != '\0' || revision < 1 || revision > 1000000000) {
            fprintf(stderr, "gongkai: --revision 应为正整数版本号\n");
            return GK_EXIT_USAGE;
        }
    }
    if (action && strcmp(action, "accept") && strspn(comment, " \t\r\n") == strlen(comment)) {
        fprintf(stderr, "gongkai: %s\n", !strcmp(action, "return") ? "退回修改须写明需要修改的内容" : "重新开启须写明原因");
        return GK_EXIT_USAGE;
    }
    if ((rc = gk_netcmd_open(&s, &fl)) != 0)
        return rc;
    char *entity = gk_net_escape(argv[optind]);
    char *path = gk_net_xasprintf("/api/v1/reports/%s/%d/review", entity, year);
    json_t *v = NULL;
    if (action == NULL) {
        v = gk_netcmd_get(&s, path + 7, &nerr);
    } else {
        json_t *b = json_pack("{s:s}", "action", action);
        if (comment)
            json_object_set_new(b, "comment", json_string(comment));
        if (revision > 0)
            json_object_set_new(b, "revision", json_integer(revision));
        char *text = b ? json_dumps(b, JSON_COMPACT) : NULL;
        json_decref(b);
        if (text == NULL) {
            fprintf(stderr, "gongkai: 审核意见不是有效的 UTF-8 文字\n");
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
        print_review(v);
    }
out:
    json_decref(v);
    free(path);
    free(entity);
    gk_netcmd_close(&s);
    return rc;
}
