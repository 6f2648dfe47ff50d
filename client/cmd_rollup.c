/* cmd_rollup.c — `gongkai rollup REGION --year Y [--json | --csv]`: the sums
 * of a region's reports in the printed table layout (labels from the format
 * registry, CJK-aligned), or the server's JSON or CSV as they come. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/exactjson.h"
#include "commands.h"
#include "net_cmd.h"
#include "net_util.h"
#include "print_layout.h"
#include "rollup_xlsx.h"
#include "render.h"

static void usage(FILE *out)
{
    fputs("用法: gongkai rollup 地区代码 --year 年度 [--json | --csv | --xlsx -o 文件 | --docx -o 文件] [选项]\n\n"
          "显示地区（含全部下级单位）该年度报告的汇总表，按报告格式的表样和中文栏目排列。\n"
          "每格注明有几份报告填写了数字，不把“不适用”和空白当作 0。\n\n"
          "  -y, --year 年度     报告年度（必填）\n"
          "  --json              原样输出服务器的 JSON\n"
          "  --csv               输出 CSV（带 BOM 的 UTF-8，可直接用 Excel 打开）\n"
          "  --xlsx -o 文件      写出 Excel 工作簿：每张表一个工作表（印制表样），金额带小数，\n"
          "                      并非每份报告都填了数字的格子带批注；另有报送情况表、\n"
          "                      检查结果表（每条检查结果一行）\n"
          "  --docx -o 文件      写出 Word 文档：按国家格式排版的全区域年度报告汇总稿\n"
          "                      （表格为汇总数，文字部分待填写）\n"
          "  --wide              行标题用格式原文的完整名称\n"
          "  -h, --help          显示本帮助\n\n",
          out);
    gk_net_print_options(out);
    fputs("\n退出码: 0 成功；1 地区不存在；2 参数有误；3 无法连接服务器或无权限。\n", out);
}

static void print_header(const json_t *a)
{
    const json_t *region = json_object_get(a, "region"), *ru = json_object_get(a, "rollup"),
                 *cov = json_object_get(a, "coverage");
    printf("%s（%s）%lld 年度政府信息公开工作年度报告汇总 · %s 年版格式 · %lld 份报告\n",
           gk_jstr(region, "name", "?"), gk_jstr(region, "code", "?"), gk_jint(a, "year", 0),
           gk_jstr(a, "format", gk_jstr(ru, "format", "?")), gk_jint(ru, "reports", 0));
    if (cov)
        printf("应报 %lld · 已报 %lld · 逾期 %lld · 未报 %lld\n", gk_jint(cov, "expected", 0),
               gk_jint(cov, "submitted", 0), gk_jint(cov, "late_count", 0),
               gk_jint(cov, "missing_count", 0));
    const json_t *other = json_object_get(a, "other_format");
    if (json_array_size(other)) {
        printf("未计入汇总（使用了其他格式）：");
        for (size_t i = 0; i < json_array_size(other); i++) {
            const json_t *e = json_array_get(other, i);
            printf("%s%s（%s，%s 年版）", i ? "、" : "", gk_jstr(e, "name", "?"),
                   gk_jstr(e, "code", "?"), gk_jstr(e, "format", "?"));
        }
        putchar('\n');
    }
    putchar('\n');
}

/* The county's draft whole-area report from the rollup (lib/render). */
static int write_docx(const json_t *a, const char *out_path)
{
    char why[320] = "";
    gk_rdoc *doc = gk_render_rollup(a, NULL, why, sizeof why);
    size_t n = 0;
    char *bytes = doc ? gk_rdoc_docx(doc, &n, why, sizeof why) : NULL;
    gk_rdoc_free(doc);
    FILE *f = bytes ? fopen(out_path, "wb") : NULL;
    bool ok = f && fwrite(bytes, 1, n, f) == n;
    if (f && fclose(f) != 0)
        ok = false;
    free(bytes);
    if (!ok) {
        fprintf(stderr, "gongkai: %s: %s\n", out_path, why[0] ? why : "无法写入");
        return 1;
    }
    fprintf(stderr, "已写出 %s\n", out_path);
    return 0;
}

int gk_cmd_rollup(int argc, char **argv)
{
    static const struct option opts[] = {
        {"year", required_argument, NULL, 'y'},
        {"json", no_argument, NULL, 'j'},
        {"csv", no_argument, NULL, 'c'},
        {"xlsx", no_argument, NULL, 'x'},
        {"docx", no_argument, NULL, 'D'},
        {"output", required_argument, NULL, 'o'},
        {"wide", no_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},
        GK_NET_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    gk_net_flags fl;
    gk_netcmd s;
    gk_net_error nerr;
    const char *year_s = NULL;
    bool as_json = false, as_csv = false, wide = false, as_xlsx = false, as_docx = false;
    const char *out_path = NULL;
    int c, year, rc;
    char *region = NULL, *path = NULL;
    json_t *a = NULL;

    gk_net_flags_init(&fl);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hy:o:", opts, NULL)) != -1) {
        int r = gk_net_flags_option(&fl, c, optarg);
        if (r < 0)
            return GK_EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'y': year_s = optarg; break;
        case 'j': as_json = true; break;
        case 'c': as_csv = true; break;
        case 'x': as_xlsx = true; break;
        case 'D': as_docx = true; break;
        case 'o': out_path = optarg; break;
        case 'w': wide = true; break;
        case 'h': usage(stdout); return 0;
        default: return gk_netcmd_bad_option(argv, optind);
        }
    }
    if ((rc = gk_netcmd_code_year(argc, argv, optind, year_s, "地区代码", usage, &year)) != 0)
        return rc;
    if (as_json && as_csv) {
        fprintf(stderr, "gongkai: --json 和 --csv 只能选一个\n");
        return GK_EXIT_USAGE;
    }
    if (as_xlsx && (as_json || as_csv)) {
        fprintf(stderr, "gongkai: --xlsx 不能与 --json 或 --csv 同时使用\n");
        return GK_EXIT_USAGE;
    }
    if (as_docx && (as_xlsx || as_json || as_csv)) {
        fprintf(stderr, "gongkai: --docx 不能与 --xlsx、--json 或 --csv 同时使用\n");
        return GK_EXIT_USAGE;
    }
    if (as_docx && !out_path) {
        fprintf(stderr, "gongkai: --docx 需要 -o 文件\n");
        return GK_EXIT_USAGE;
    }
    if (!as_docx && as_xlsx != (out_path != NULL)) {
        fprintf(stderr, "gongkai: --xlsx 需要 -o 文件（工作簿不写到终端），-o 只用于 --xlsx\n");
        return GK_EXIT_USAGE;
    }
    if ((rc = gk_netcmd_open(&s, &fl)) != 0)
        return rc;
    region = gk_net_escape(argv[optind]);
    path = gk_net_xasprintf("/api/v1/regions/%s/rollup?year=%d%s", region, year,
                            as_csv ? "&format=csv" : "");
    if (as_csv) {
        /* CSV is passed through byte for byte (BOM included). */
        gk_net_request rq = {.method = "GET", .path = path, .auth = true};
        gk_net_response rs;
        if (gk_net_send(s.net, &rq, &rs, &nerr) < 0) {
            rc = gk_netcmd_fail(&nerr);
            goto out;
        }
        if (rs.status != 200) {
            gk_net_describe_http(&s.cfg, &rs, &nerr);
            rc = gk_netcmd_fail(&nerr);
        } else if (fwrite(rs.body, 1, rs.len, stdout) != rs.len) {
            fprintf(stderr, "gongkai: 写出失败\n");
            rc = GK_EXIT_NET;
        }
        gk_net_response_free(&rs);
        goto out;
    }
    free(path);
    path = gk_net_xasprintf("/regions/%s/rollup?year=%d", region, year);
    a = gk_netcmd_get(&s, path, &nerr);
    if (!a) {
        rc = gk_netcmd_fail(&nerr);
        goto out;
    }
    if (as_xlsx) {
        char why[512];
        char *cpath = gk_net_xasprintf("/regions/%s/compliance?year=%d", region, year);
        json_t *comp = gk_netcmd_get(&s, cpath, &nerr);
        free(cpath);
        if (!comp) {
            rc = gk_netcmd_fail(&nerr);
            goto out;
        }
        int wr = gk_rollup_write_xlsx_with(a, comp, out_path, why, sizeof why);
        json_decref(comp);
        if (wr != 0) {
            fprintf(stderr, "gongkai: %s\n", why);
            rc = GK_EXIT_USAGE;
        } else {
            fprintf(stderr, "已写出 %s\n", out_path);
        }
    } else if (as_docx) {
        rc = write_docx(a, out_path);
    } else if (as_json) {
        char *out = gk_json_dumps_exact(a, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
        if (out)
            puts(out);
        free(out);
    } else {
        print_header(a);
        gk_print_rollup(stdout, json_object_get(a, "rollup"), wide);
    }
out:
    json_decref(a);
    free(path);
    free(region);
    gk_netcmd_close(&s);
    return rc;
}
