/* cmd_supervision.c — `gongkai supervision REGION --year Y [--xlsx FILE |
 * --docx FILE | --html FILE | --json]`: the supervision list (通报) of a
 * region — units not reported, reported late, and every finding the office
 * confirmed — printed for people, or the server's workbook, Word document or
 * printable page saved to a file as it came (GET /api/v1/regions/{code}/supervision). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "net_cmd.h"
#include "net_util.h"

static void usage(FILE *out)
{
    fputs("用法: gongkai supervision 地区代码 --year 年度 [--xlsx 文件 | --docx 文件 | --html 文件 | --json] [选项]\n\n"
          "地区年度报告情况通报：未报送的单位、逾期报送的单位，以及经上级机关审核确认须整改的问题\n"
          "（逐个单位列出问题、所在单元格和审核意见；不予采纳的问题不列入）。\n\n"
          "  -y, --year 年度     报告年度（必填）\n"
          "  --xlsx 文件         保存为 Excel 工作簿（概况、未报送、逾期报送、确认问题四个工作表）\n"
          "  --docx 文件         保存为 Word 文档（可修改、盖章后印发）\n"
          "  --html 文件         保存为可打印的网页（A4 版式，用浏览器打开后打印）\n"
          "  --json              原样输出服务器的 JSON\n"
          "  -h, --help          显示本帮助\n\n",
          out);
    gk_net_print_options(out);
    fputs("\n退出码: 0 成功；1 地区不存在；2 参数有误；3 无法连接服务器、无权限或无法写文件。\n", out);
}

static void print_units(const char *title, const json_t *units, bool with_time)
{
    printf("\n%s（%zu 个）\n", title, json_array_size(units));
    if (json_array_size(units) == 0)
        printf("  无\n");
    for (size_t i = 0; i < json_array_size(units); i++) {
        const json_t *u = json_array_get(units, i);
        printf("  %zu. %s %s", i + 1, gk_jstr(u, "code", "?"), gk_jstr(u, "name", ""));
        if (with_time)
            printf("（首次提交于 %s）", gk_jstr(u, "first_submitted_at", ""));
        putchar('\n');
    }
}

static void print_list(const json_t *m)
{
    const json_t *region = json_object_get(m, "region"), *sum = json_object_get(m, "summary");
    printf("%s（%s）%lld 年度政府信息公开工作年度报告报送与审核情况通报\n", gk_jstr(region, "name", "?"),
           gk_jstr(region, "code", "?"), gk_jint(m, "year", 0));
    if (json_is_string(json_object_get(m, "deadline")))
        printf("报送截止日期：%s\n", gk_jstr(m, "deadline", ""));
    printf("应报送 %lld 个单位，已报送 %lld 个（其中逾期 %lld 个），未报送 %lld 个；经审核确认的问题 %lld 条，涉及 %lld 个单位\n",
           gk_jint(sum, "expected", 0), gk_jint(sum, "reported", 0), gk_jint(sum, "late", 0),
           gk_jint(sum, "missing", 0), gk_jint(sum, "confirmed_findings", 0), gk_jint(sum, "units_with_confirmed", 0));
    print_units("一、未报送的单位", json_object_get(m, "missing"), false);
    print_units("二、逾期报送的单位", json_object_get(m, "late"), true);
    const json_t *units = json_object_get(m, "confirmed");
    printf("\n三、经审核确认须整改的问题（%lld 条）\n", gk_jint(sum, "confirmed_findings", 0));
    if (json_array_size(units) == 0)
        printf("  无\n");
    for (size_t i = 0; i < json_array_size(units); i++) {
        const json_t *u = json_array_get(units, i), *fs = json_object_get(u, "findings");
        printf("  %s %s（第 %lld 版）\n", gk_jstr(u, "code", "?"), gk_jstr(u, "name", ""), gk_jint(u, "revision", 0));
        for (size_t k = 0; k < json_array_size(fs); k++) {
            const json_t *f = json_array_get(fs, k);
            const char *cell = gk_jstr(f, "cell", ""), *reason = gk_jstr(f, "reason", "");
            printf("    %zu. %s：%s", k + 1, cell[0] ? cell : gk_jstr(f, "path", "")[0] ? gk_jstr(f, "path", "") : "整份报告",
                   gk_jstr(f, "message", ""));
            if (reason[0])
                printf("（审核意见：%s）", reason);
            putchar('\n');
        }
    }
}

/* GETs the list in format fmt and writes the body to file as it came. */
static int save(gk_netcmd *s, const char *path, const char *file)
{
    gk_net_request rq = {.method = "GET", .path = path, .auth = true};
    gk_net_response rs = {0};
    gk_net_error err = {0};
    if (gk_net_send(s->net, &rq, &rs, &err) != 0)
        return gk_netcmd_fail(&err);
    if (rs.status >= 300) {
        gk_net_describe_http(&s->cfg, &rs, &err);
        gk_net_response_free(&rs);
        return gk_netcmd_fail(&err);
    }
    FILE *f = fopen(file, "wb");
    bool ok = f != NULL && fwrite(rs.body, 1, rs.len, f) == rs.len;
    if (f != NULL && fclose(f) != 0)
        ok = false;
    gk_net_response_free(&rs);
    if (!ok) {
        fprintf(stderr, "gongkai: 无法写入 %s\n", file);
        return GK_EXIT_NET;
    }
    printf("通报已保存到 %s\n", file);
    return 0;
}

int gk_cmd_supervision(int argc, char **argv)
{
    static const struct option opts[] = {
        {"year", required_argument, NULL, 'y'},
        {"xlsx", required_argument, NULL, 'x'},
        {"html", required_argument, NULL, 'H'},
        {"docx", required_argument, NULL, 'D'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        GK_NET_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    gk_net_flags fl;
    gk_netcmd s;
    gk_net_error nerr;
    const char *year_s = NULL, *xlsx = NULL, *html = NULL, *docx = NULL;
    bool as_json = false;
    int c, year, rc;

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
        case 'x': xlsx = optarg; break;
        case 'H': html = optarg; break;
        case 'D': docx = optarg; break;
        case 'j': as_json = true; break;
        case 'h': usage(stdout); return 0;
        default: return gk_netcmd_bad_option(argv, optind);
        }
    }
    if ((rc = gk_netcmd_code_year(argc, argv, optind, year_s, "地区代码", usage, &year)) != 0)
        return rc;
    if ((xlsx != NULL) + (html != NULL) + (docx != NULL) + as_json > 1) {
        fprintf(stderr, "gongkai: --xlsx、--docx、--html、--json 只能选一个\n");
        return GK_EXIT_USAGE;
    }
    if ((rc = gk_netcmd_open(&s, &fl)) != 0)
        return rc;
    char *region = gk_net_escape(argv[optind]);
    char *path = gk_net_xasprintf("/api/v1/regions/%s/supervision?year=%d%s", region, year,
                                  xlsx ? "&format=xlsx" : html ? "&format=html" : docx ? "&format=docx" : "");
    if (xlsx != NULL || html != NULL || docx != NULL) {
        rc = save(&s, path, xlsx ? xlsx : html ? html : docx);
    } else {
        json_t *m = gk_netcmd_get(&s, path + 7, &nerr);
        if (m == NULL) {
            rc = gk_netcmd_fail(&nerr);
        } else if (as_json) {
            char *o = json_dumps(m, JSON_INDENT(2));
            if (o)
                puts(o);
            free(o);
        } else {
            print_list(m);
        }
        json_decref(m);
    }
    free(path);
    free(region);
    gk_netcmd_close(&s);
    return rc;
}
