/* cmd_status.c — `gongkai status REGION --year Y`: who has reported.
 *
 * One aligned line per reporting unit — submitted or not, late, the current
 * revision and its error/warning/info counts — from /compliance, with the
 * coverage figures and the late units' first submission from /rollup (the
 * two together are what a city office checks before the deadline). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/exactjson.h"
#include "commands.h"
#include "net_cmd.h"
#include "net_util.h"
#include "print_table.h"
#include "gongkai/review.h"

static void usage(FILE *out)
{
    fputs("用法: gongkai status 地区代码 --year 年度 [选项]\n\n"
          "显示地区内各单位该年度报告的报送情况：是否已报、是否逾期、当前版本，\n"
          "服务器检查出的错误、警告和提示数，以及上级机关的审核状态。\n\n"
          "  -y, --year 年度     报告年度（必填）\n"
          "  --review 状态       只列出该审核状态的单位：pending（待审核）、returned（退回修改）、\n"
          "                      resubmitted（已重新提交）、accepted（已审核）\n"
          "  --json              原样输出服务器的 JSON（compliance 与 rollup 的 coverage）\n"
          "  -h, --help          显示本帮助\n\n",
          out);
    gk_net_print_options(out);
    fputs("\n退出码: 0 成功；1 地区不存在；2 参数有误；3 无法连接服务器或无权限。\n", out);
}

/* The late list's first submission time of a unit, or "". */
static const char *first_submitted(const json_t *coverage, const char *code)
{
    const json_t *late = json_object_get(coverage, "late");
    for (size_t i = 0; i < json_array_size(late); i++) {
        const json_t *e = json_array_get(late, i);
        if (!strcmp(gk_jstr(e, "code", ""), code))
            return gk_jstr(e, "first_submitted_at", "");
    }
    return "";
}

static const char *other_format(const json_t *rollup, const char *code)
{
    const json_t *of = json_object_get(rollup, "other_format");
    for (size_t i = 0; i < json_array_size(of); i++) {
        const json_t *e = json_array_get(of, i);
        if (!strcmp(gk_jstr(e, "code", ""), code))
            return gk_jstr(e, "format", "?");
    }
    return NULL;
}

static void print_status(const json_t *comp, const json_t *roll)
{
    const json_t *region = json_object_get(comp, "region"), *cov = json_object_get(roll, "coverage"),
                 *sum = json_object_get(comp, "summary"), *ents = json_object_get(comp, "entities");
    printf("%s（%s）%lld 年度政府信息公开工作年度报告报送情况\n", gk_jstr(region, "name", "?"),
           gk_jstr(region, "code", "?"), gk_jint(comp, "year", 0));
    printf("应报 %lld 个单位：已报 %lld（其中逾期 %lld），未报 %lld；检查结果：无问题 %lld，有警告 %lld，有错误 %lld\n\n",
           gk_jint(cov, "expected", (long long)json_array_size(ents)), gk_jint(cov, "submitted", 0),
           gk_jint(cov, "late_count", 0), gk_jint(cov, "missing_count", gk_jint(sum, "missing", 0)),
           gk_jint(sum, "ok", 0), gk_jint(sum, "warnings", 0), gk_jint(sum, "errors", 0));
    if (json_is_string(json_object_get(comp, "review_filter")))
        printf("只列出审核状态为“%s”的单位（检查结果的计数也只计这些单位）\n\n",
               gk_review_state_label(gk_jstr(comp, "review_filter", "")));

    gk_ptable *t = gk_ptable_new(10);
    gk_ptable_column(t, 0, "代码", GK_ALIGN_LEFT);
    gk_ptable_column(t, 1, "名称", GK_ALIGN_LEFT);
    gk_ptable_column(t, 2, "报送", GK_ALIGN_LEFT);
    gk_ptable_column(t, 3, "版本", GK_ALIGN_RIGHT);
    gk_ptable_column(t, 4, "检查结果", GK_ALIGN_LEFT);
    gk_ptable_column(t, 5, "错误", GK_ALIGN_RIGHT);
    gk_ptable_column(t, 6, "警告", GK_ALIGN_RIGHT);
    gk_ptable_column(t, 7, "提示", GK_ALIGN_RIGHT);
    gk_ptable_column(t, 8, "审核", GK_ALIGN_LEFT);
    gk_ptable_column(t, 9, "备注", GK_ALIGN_LEFT);
    for (size_t i = 0; i < json_array_size(ents); i++) {
        const json_t *e = json_array_get(ents, i);
        const char *code = gk_jstr(e, "code", "?"), *state = gk_jstr(e, "state", "");
        bool missing = !strcmp(state, "missing");
        bool late = json_is_true(json_object_get(e, "late"));
        const char *fmt = other_format(roll, code), *first = first_submitted(cov, code);
        char note[160] = "";
        gk_ptable_row(t);
        gk_ptable_cell(t, code);
        gk_ptable_cell(t, gk_jstr(e, "name", ""));
        gk_ptable_cell(t, missing ? "未报" : late ? "逾期报送" : "已报");
        if (missing) {
            gk_ptable_cell(t, "");
            gk_ptable_cell(t, "");
            gk_ptable_cell(t, "");
            gk_ptable_cell(t, "");
            gk_ptable_cell(t, "");
            gk_ptable_cell(t, "");
        } else {
            gk_ptable_cellf(t, "%lld", gk_jint(e, "revision", 0));
            gk_ptable_cell(t, gk_status_label(state));
            gk_ptable_cellf(t, "%lld", gk_jint(e, "errors", 0));
            gk_ptable_cellf(t, "%lld", gk_jint(e, "warnings", 0));
            gk_ptable_cellf(t, "%lld", gk_jint(e, "infos", 0));
            /* the office's review state (gongkai review) */
            gk_ptable_cell(t, gk_jstr(e, "review_label", ""));
        }
        if (fmt)
            snprintf(note, sizeof note, "用了 %s 年版格式，未计入汇总", fmt);
        else if (late && first[0])
            snprintf(note, sizeof note, "首次提交于 %.10s", first);
        gk_ptable_cell(t, note);
    }
    if (gk_ptable_rows(t))
        gk_ptable_print(t, stdout, "");
    else
        printf("（该地区下没有报送单位）\n");
    gk_ptable_free(t);
}

int gk_cmd_status(int argc, char **argv)
{
    static const struct option opts[] = {
        {"year", required_argument, NULL, 'y'},
        {"json", no_argument, NULL, 'j'},
        {"review", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        GK_NET_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    gk_net_flags fl;
    gk_netcmd s;
    gk_net_error nerr;
    const char *year_s = NULL, *review = NULL;
    bool as_json = false;
    int c, year, rc;
    char *region = NULL, *path = NULL;
    json_t *comp = NULL, *roll = NULL;

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
    if (!(comp = gk_netcmd_get(&s, path, &nerr))) {
        rc = gk_netcmd_fail(&nerr);
        goto out;
    }
    free(path);
    path = gk_net_xasprintf("/regions/%s/rollup?year=%d", region, year);
    if (!(roll = gk_netcmd_get(&s, path, &nerr))) {
        rc = gk_netcmd_fail(&nerr);
        goto out;
    }
    if (as_json) {
        json_t *both = json_pack("{sO?sOsO?}", "region", json_object_get(comp, "region"),
                                 "compliance", comp, "coverage", json_object_get(roll, "coverage"));
        char *o = both ? gk_json_dumps_exact(both, JSON_INDENT(2)) : NULL;
        if (o)
            puts(o);
        free(o);
        json_decref(both);
    } else {
        print_status(comp, roll);
    }
out:
    json_decref(comp);
    json_decref(roll);
    free(path);
    free(region);
    gk_netcmd_close(&s);
    return rc;
}
