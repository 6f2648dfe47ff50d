/* cmd_history.c — `gongkai history ENTITY --year Y` (the revisions of one
 * report) and `gongkai show ENTITY --year Y [--revision N]` (one revision:
 * who sent it when, its findings and its tables in the printed layout). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/exactjson.h"
#include "commands.h"
#include "net_cmd.h"
#include "net_util.h"
#include "print_findings.h"
#include "print_layout.h"
#include "print_table.h"
#include "gongkai/report.h"

static void usage_history(FILE *out)
{
    fputs("用法: gongkai history 单位代码 --year 年度 [选项]\n\n"
          "列出单位该年度报告的全部版本：提交时间、提交者、检查结果和内容摘要。\n\n"
          "  -y, --year 年度     报告年度（必填）\n"
          "  --json              原样输出服务器的 JSON\n"
          "  -h, --help          显示本帮助\n\n",
          out);
    gk_net_print_options(out);
    fputs("\n退出码: 0 成功；1 没有该单位该年度的报告；2 参数有误；3 无法连接服务器或无权限。\n", out);
}

static void usage_show(FILE *out)
{
    fputs("用法: gongkai show 单位代码 --year 年度 [--revision 版本] [选项]\n\n"
          "显示单位该年度报告的一个版本（默认当前版本）：提交信息、检查结果和三张表。\n\n"
          "  -y, --year 年度       报告年度（必填）\n"
          "  -r, --revision 版本   指定版本号（见 gongkai history）\n"
          "  --report              只输出报告本身的 JSON（可编辑后重新提交）\n"
          "  --json                原样输出服务器的 JSON\n"
          "  --wide                表格行标题用格式原文的完整名称\n"
          "  -h, --help            显示本帮助\n\n",
          out);
    gk_net_print_options(out);
    fputs("\n退出码: 0 成功；1 没有该报告或该版本；2 参数有误；3 无法连接服务器或无权限。\n", out);
}

typedef struct args {
    const char *year_s, *revision_s;
    bool as_json, report_only, wide;
    int year;
    long revision;
    gk_net_flags fl;
} args;

/* Parses the shared shape "CODE --year Y [...]"; returns -1 to go on, else
 * the exit code. */
static int parse(int argc, char **argv, args *a, bool show)
{
    static const struct option opts[] = {
        {"year", required_argument, NULL, 'y'},
        {"revision", required_argument, NULL, 'r'},
        {"json", no_argument, NULL, 'j'},
        {"report", no_argument, NULL, 'R'},
        {"wide", no_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},
        GK_NET_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    int c;
    memset(a, 0, sizeof *a);
    gk_net_flags_init(&a->fl);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, show ? "hy:r:" : "hy:", opts, NULL)) != -1) {
        int r = gk_net_flags_option(&a->fl, c, optarg);
        if (r < 0)
            return GK_EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'y': a->year_s = optarg; break;
        case 'j': a->as_json = true; break;
        case 'r': if (!show) return gk_netcmd_bad_option(argv, optind); a->revision_s = optarg; break;
        case 'R': if (!show) return gk_netcmd_bad_option(argv, optind); a->report_only = true; break;
        case 'w': if (!show) return gk_netcmd_bad_option(argv, optind); a->wide = true; break;
        case 'h': show ? usage_show(stdout) : usage_history(stdout); return 0;
        default: return gk_netcmd_bad_option(argv, optind);
        }
    }
    int rc = gk_netcmd_code_year(argc, argv, optind, a->year_s, "单位代码",
                                 show ? usage_show : usage_history, &a->year);
    if (rc != 0)
        return rc;
    if (a->revision_s) {
        char *end;
        errno = 0;
        a->revision = strtol(a->revision_s, &end, 10);
        if (errno || end == a->revision_s || *end || a->revision < 1 || a->revision > 1000000) {
            fprintf(stderr, "gongkai: --revision 应为正整数版本号\n");
            return GK_EXIT_USAGE;
        }
    }
    if (a->as_json && a->report_only) {
        fprintf(stderr, "gongkai: --json 和 --report 只能选一个\n");
        return GK_EXIT_USAGE;
    }
    return -1;
}

static void dump(const json_t *j)
{
    char *o = gk_json_dumps_exact(j, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    if (o)
        puts(o);
    free(o);
}

static void print_revisions(const json_t *a)
{
    const json_t *revs = json_object_get(a, "revisions");
    printf("%s %lld 年度报告，共 %zu 个版本\n\n", gk_jstr(a, "entity", "?"), gk_jint(a, "year", 0),
           json_array_size(revs));
    gk_ptable *t = gk_ptable_new(8);
    gk_ptable_column(t, 0, "版本", GK_ALIGN_RIGHT);
    gk_ptable_column(t, 1, "提交时间", GK_ALIGN_LEFT);
    gk_ptable_column(t, 2, "提交者", GK_ALIGN_LEFT);
    gk_ptable_column(t, 3, "检查结果", GK_ALIGN_LEFT);
    gk_ptable_column(t, 4, "错误", GK_ALIGN_RIGHT);
    gk_ptable_column(t, 5, "警告", GK_ALIGN_RIGHT);
    gk_ptable_column(t, 6, "提示", GK_ALIGN_RIGHT);
    gk_ptable_column(t, 7, "内容摘要", GK_ALIGN_LEFT);
    for (size_t i = 0; i < json_array_size(revs); i++) {
        const json_t *r = json_array_get(revs, i);
        const json_t *by = json_object_get(r, "submitted_by");
        gk_ptable_row(t);
        gk_ptable_cellf(t, "%lld", gk_jint(r, "revision", 0));
        gk_ptable_cell(t, gk_jstr(r, "submitted_at", ""));
        if (json_is_integer(by))
            gk_ptable_cellf(t, "%lld", (long long)json_integer_value(by));
        else
            gk_ptable_cell(t, json_is_string(by) ? json_string_value(by) : "");
        gk_ptable_cell(t, gk_status_label(gk_jstr(r, "status", "")));
        gk_ptable_cellf(t, "%lld", gk_jint(r, "errors", 0));
        gk_ptable_cellf(t, "%lld", gk_jint(r, "warnings", 0));
        gk_ptable_cellf(t, "%lld", gk_jint(r, "infos", 0));
        gk_ptable_cellf(t, "%.12s", gk_jstr(r, "content_hash", ""));
    }
    gk_ptable_print(t, stdout, "");
    gk_ptable_free(t);
}

/* Under the revisions, the office's review (GET …/review): the state, the
 * last comment and each transition — the township reads here why its report
 * was returned.  Left out (with a note) when it cannot be read. */
static void print_review_trail(const json_t *v)
{
    printf("\n审核状态：%s", gk_jstr(v, "state_label", "?"));
    if (json_is_integer(json_object_get(v, "revision")))
        printf("（针对第 %lld 版）", gk_jint(v, "revision", 0));
    putchar('\n');
    const char *comment = gk_jstr(v, "comment", "");
    if (comment[0])
        printf("审核意见：%s\n", comment);
    static const struct {
        const char *action, *label;
    } names[] = {{"return", "退回修改"}, {"accept", "审核通过"}, {"reopen", "重新开启"}, {"resubmit", "重新提交"}};
    const json_t *h = json_object_get(v, "history");
    for (size_t i = 0; i < json_array_size(h); i++) {
        const json_t *e = json_array_get(h, i);
        const char *a = gk_jstr(e, "action", "?"), *label = a;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            if (!strcmp(names[k].action, a))
                label = names[k].label;
        const char *c = gk_jstr(e, "comment", "");
        printf("  %s  %s  第 %lld 版%s%s\n", gk_jstr(e, "at", ""), label, gk_jint(e, "revision", 0), c[0] ? "  " : "", c);
    }
}

static void print_show(const json_t *a, bool wide)
{
    const json_t *by = json_object_get(a, "submitted_by"), *report = json_object_get(a, "report");
    char bybuf[64];
    if (json_is_integer(by))
        snprintf(bybuf, sizeof bybuf, "%lld", (long long)json_integer_value(by));
    else
        snprintf(bybuf, sizeof bybuf, "%.60s", json_is_string(by) ? json_string_value(by) : "?");
    printf("%s %lld 年度报告 · 第 %lld 版 · %s 年版格式\n", gk_jstr(a, "entity", "?"),
           gk_jint(a, "year", 0), gk_jint(a, "revision", 0), gk_jstr(a, "format", "?"));
    printf("提交时间 %s · 提交者 %s · 内容摘要 %.12s\n", gk_jstr(a, "submitted_at", "?"), bybuf,
           gk_jstr(a, "content_hash", ""));
    if (json_is_string(json_object_get(report, "published_at")))
        printf("发布日期 %s\n", gk_jstr(report, "published_at", ""));
    putchar('\n');

    gk_findings fs;
    gk_findings_init(&fs);
    if (gk_findings_from_json(&fs, json_object_get(a, "findings")) < 0)
        fprintf(stderr, "gongkai: 服务器返回的检查结果格式不对\n");
    char heading[128];
    snprintf(heading, sizeof heading, "检查结果：%s", gk_status_label(gk_jstr(a, "status", "")));
    gk_print_findings(stdout, heading, &fs);
    gk_findings_free(&fs);
    gk_print_marks(stdout, json_object_get(a, "findings"));   /* the office's review of them */

    const gk_format *f = gk_format_find(gk_jstr(a, "format", ""));
    if (f && json_is_object(report)) {
        putchar('\n');
        gk_print_report_tables(stdout, f, report, wide);
    }
}

static int run(int argc, char **argv, bool show)
{
    args a;
    gk_netcmd s;
    gk_net_error nerr;
    json_t *answer = NULL;
    char *entity = NULL, *path = NULL;
    int rc = parse(argc, argv, &a, show);
    if (rc >= 0)
        return rc;
    if ((rc = gk_netcmd_open(&s, &a.fl)) != 0)
        return rc;
    entity = gk_net_escape(argv[optind]);
    if (!show)
        path = gk_net_xasprintf("/reports/%s/%d/revisions", entity, a.year);
    else if (a.revision_s)
        path = gk_net_xasprintf("/reports/%s/%d?revision=%ld", entity, a.year, a.revision);
    else
        path = gk_net_xasprintf("/reports/%s/%d", entity, a.year);
    if (!(answer = gk_netcmd_get(&s, path, &nerr))) {
        rc = gk_netcmd_fail(&nerr);
        goto out;
    }
    if (a.as_json)
        dump(answer);
    else if (a.report_only)
        dump(json_object_get(answer, "report"));
    else if (show)
        print_show(answer, a.wide);
    else {
        print_revisions(answer);
        free(path);
        path = gk_net_xasprintf("/reports/%s/%d/review", entity, a.year);
        json_t *v = gk_netcmd_get(&s, path, &nerr);
        if (v != NULL)
            print_review_trail(v);
        else
            fprintf(stderr, "gongkai: 无法读取审核状态：%s\n", nerr.message);
        json_decref(v);
    }
out:
    json_decref(answer);
    free(path);
    free(entity);
    gk_netcmd_close(&s);
    return rc;
}

int gk_cmd_history(int argc, char **argv)
{
    return run(argc, argv, false);
}

int gk_cmd_show(int argc, char **argv)
{
    return run(argc, argv, true);
}
