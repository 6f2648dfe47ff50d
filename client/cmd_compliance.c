/* cmd_compliance.c — `gongkai compliance REGION --year Y`: the findings of
 * every reporting unit of a region, unit by unit, printed as `check` prints
 * them (shared printer, print_findings.h). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/exactjson.h"
#include "commands.h"
#include "net_cmd.h"
#include "net_util.h"
#include "print_findings.h"
#include "gongkai/review.h"

static void usage(FILE *out)
{
    fputs("用法: gongkai compliance 地区代码 --year 年度 [选项]\n\n"
          "逐个单位列出该年度报告的检查结果（错误、警告、提示），以及未报送的单位。\n\n"
          "  -y, --year 年度     报告年度（必填）\n"
          "  --problems          只列出未报送、有错误或有警告的单位\n"
          "  --review 状态       只列出该审核状态的单位：pending（待审核）、returned（退回修改）、\n"
          "                      resubmitted（已重新提交）、accepted（已审核）\n"
          "  --json              原样输出服务器的 JSON\n"
          "  -h, --help          显示本帮助\n\n",
          out);
    gk_net_print_options(out);
    fputs("\n退出码: 0 成功；1 地区不存在；2 参数有误；3 无法连接服务器或无权限。\n", out);
}

static void print_compliance(const json_t *a, bool problems_only)
{
    const json_t *region = json_object_get(a, "region"), *sum = json_object_get(a, "summary"),
                 *ents = json_object_get(a, "entities");
    printf("%s（%s）%lld 年度报告检查结果\n", gk_jstr(region, "name", "?"), gk_jstr(region, "code", "?"),
           gk_jint(a, "year", 0));
    printf("未报 %lld · 无问题 %lld · 有警告 %lld · 有错误 %lld\n", gk_jint(sum, "missing", 0),
           gk_jint(sum, "ok", 0), gk_jint(sum, "warnings", 0), gk_jint(sum, "errors", 0));
    /* the office's review of findings: dismissed ones no longer count above */
    if (gk_jint(sum, "dismissed_findings", 0) > 0 || gk_jint(sum, "confirmed_findings", 0) > 0)
        printf("审核确认 %lld 条问题 · 不予采纳 %lld 条（不计入上面的错误和警告）\n",
               gk_jint(sum, "confirmed_findings", 0), gk_jint(sum, "dismissed_findings", 0));
    if (json_is_string(json_object_get(a, "review_filter")))
        printf("只列出审核状态为“%s”的单位\n", gk_review_state_label(gk_jstr(a, "review_filter", "")));
    for (size_t i = 0; i < json_array_size(ents); i++) {
        const json_t *e = json_array_get(ents, i);
        const char *state = gk_jstr(e, "state", "");
        bool late = json_is_true(json_object_get(e, "late"));
        if (problems_only && (!strcmp(state, "ok") || !strcmp(state, "info")))
            continue;
        putchar('\n');
        if (!strcmp(state, "missing")) {
            printf("%s %s：未报送\n", gk_jstr(e, "code", "?"), gk_jstr(e, "name", ""));
            continue;
        }
        char heading[512];
        snprintf(heading, sizeof heading, "%s %s：第 %lld 版%s，%s", gk_jstr(e, "code", "?"),
                 gk_jstr(e, "name", ""), gk_jint(e, "revision", 0), late ? "（逾期报送）" : "",
                 gk_status_label(state));
        gk_findings fs;
        gk_findings_init(&fs);
        if (gk_findings_from_json(&fs, json_object_get(e, "findings")) < 0)
            fprintf(stderr, "gongkai: 服务器返回的 %s 检查结果格式不对\n", gk_jstr(e, "code", "?"));
        gk_print_findings(stdout, heading, &fs);
        gk_findings_free(&fs);
        gk_print_marks(stdout, json_object_get(e, "findings"));
    }
}

int gk_cmd_compliance(int argc, char **argv)
{
    static const struct option opts[] = {
        {"year", required_argument, NULL, 'y'},
        {"json", no_argument, NULL, 'j'},
        {"problems", no_argument, NULL, 'p'},
        {"review", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        GK_NET_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    gk_net_flags fl;
    gk_netcmd s;
    gk_net_error nerr;
    const char *year_s = NULL, *review = NULL;
    bool as_json = false, problems = false;
    int c, year, rc;
    char *region = NULL, *path = NULL;
    json_t *a = NULL;

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
        case 'j': as_json = true; break;
        case 'p': problems = true; break;
        case 'R': review = optarg; break;
        case 'h': usage(stdout); return 0;
        default: return gk_netcmd_bad_option(argv, optind);
        }
    }
    if ((rc = gk_netcmd_code_year(argc, argv, optind, year_s, "地区代码", usage, &year)) != 0)
        return rc;
    if (review != NULL && gk_review_state_label(review)[0] == '\0') {
        fprintf(stderr, "gongkai: --review 只能是 pending、returned、resubmitted 或 accepted\n");
        return GK_EXIT_USAGE;
    }
    if ((rc = gk_netcmd_open(&s, &fl)) != 0)
        return rc;
    region = gk_net_escape(argv[optind]);
    if (review != NULL) {   /* a known state, checked above: no escaping needed */
        path = gk_net_xasprintf("/regions/%s/compliance?year=%d&review=%s", region, year, review);
    } else {
        path = gk_net_xasprintf("/regions/%s/compliance?year=%d", region, year);
    }
    if (!(a = gk_netcmd_get(&s, path, &nerr))) {
        rc = gk_netcmd_fail(&nerr);
        goto out;
    }
    if (as_json) {
        char *o = gk_json_dumps_exact(a, JSON_INDENT(2));
        if (o)
            puts(o);
        free(o);
    } else {
        print_compliance(a, problems);
    }
out:
    json_decref(a);
    free(path);
    free(region);
    gk_netcmd_close(&s);
    return rc;
}
