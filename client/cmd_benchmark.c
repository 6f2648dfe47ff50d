/* cmd_benchmark.c — `gongkai benchmark REGION --year Y --cell PATH`: one
 * cell compared among the township-level units below a region (GET
 * /api/v1/regions/{code}/benchmark): the quartiles the office compares a
 * unit with, and each unit's value and percentile rank. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "net_cmd.h"
#include "net_util.h"
#include "print_table.h"

static void usage(FILE *out)
{
    fputs("用法: gongkai benchmark 地区代码 --year 年度 --cell 单元格 [选项]\n\n"
          "比较地区内各乡级单位某一单元格的数值：单位数、最小值、P25、中位数、P75、最大值，\n"
          "以及各单位的数值和百分位（未填写或不适用的单位另列，不参与比较）。\n\n"
          "  -y, --year 年度     报告年度（必填）\n"
          "  -c, --cell 单元格   如 tables.active.rules.new_made（必填；暂不支持金额单元格）\n"
          "  --json              原样输出服务器的 JSON\n"
          "  -h, --help          显示本帮助\n\n",
          out);
    gk_net_print_options(out);
    fputs("\n退出码: 0 成功；1 地区不存在；2 参数有误；3 无法连接服务器、无权限或服务器拒绝。\n", out);
}

static const char *num(const json_t *v, char *buf, size_t len)
{
    if (json_is_integer(v))
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
    else if (json_is_string(v))
        snprintf(buf, len, "%s", json_string_value(v));
    else
        snprintf(buf, len, "—");
    return buf;
}

static void print_benchmark(const json_t *b)
{
    char x[5][40];
    printf("%s %lld 年度 %s：参与比较 %lld 个单位\n", gk_jstr(b, "region", "?"), gk_jint(b, "year", 0),
           gk_jstr(b, "cell", "?"), gk_jint(b, "count", 0));
    printf("最小 %s  P25 %s  中位数 %s  P75 %s  最大 %s\n\n", num(json_object_get(b, "min"), x[0], 40),
           num(json_object_get(b, "p25"), x[1], 40), num(json_object_get(b, "p50"), x[2], 40),
           num(json_object_get(b, "p75"), x[3], 40), num(json_object_get(b, "max"), x[4], 40));
    const json_t *units = json_object_get(b, "units"), *apart = json_object_get(b, "not_counted");
    gk_ptable *t = gk_ptable_new(4);
    gk_ptable_column(t, 0, "代码", GK_ALIGN_LEFT);
    gk_ptable_column(t, 1, "名称", GK_ALIGN_LEFT);
    gk_ptable_column(t, 2, "数值", GK_ALIGN_RIGHT);
    gk_ptable_column(t, 3, "百分位", GK_ALIGN_RIGHT);
    for (size_t i = 0; i < json_array_size(units); i++) {
        const json_t *u = json_array_get(units, i);
        gk_ptable_row(t);
        gk_ptable_cell(t, gk_jstr(u, "code", "?"));
        gk_ptable_cell(t, gk_jstr(u, "name", ""));
        gk_ptable_cellf(t, "%lld", gk_jint(u, "value", 0));
        gk_ptable_cell(t, gk_jstr(u, "percentile_rank", ""));
    }
    for (size_t i = 0; i < json_array_size(apart); i++) {
        const json_t *u = json_array_get(apart, i);
        gk_ptable_row(t);
        gk_ptable_cell(t, gk_jstr(u, "code", "?"));
        gk_ptable_cell(t, gk_jstr(u, "name", ""));
        gk_ptable_cell(t, !strcmp(gk_jstr(u, "state", ""), "not_applicable") ? "不适用" : "未填写");
        gk_ptable_cell(t, "");
    }
    if (gk_ptable_rows(t))
        gk_ptable_print(t, stdout, "");
    else
        printf("（该地区下没有可比较的报告）\n");
    gk_ptable_free(t);
}

int gk_cmd_benchmark(int argc, char **argv)
{
    static const struct option opts[] = {
        {"year", required_argument, NULL, 'y'},
        {"cell", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        GK_NET_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    gk_net_flags fl;
    gk_netcmd s;
    gk_net_error nerr;
    const char *year_s = NULL, *cell = NULL;
    bool as_json = false;
    int c, year, rc;

    gk_net_flags_init(&fl);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hy:c:", opts, NULL)) != -1) {
        int r = gk_net_flags_option(&fl, c, optarg);
        if (r < 0)
            return GK_EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'y': year_s = optarg; break;
        case 'c': cell = optarg; break;
        case 'j': as_json = true; break;
        case 'h': usage(stdout); return 0;
        default: return gk_netcmd_bad_option(argv, optind);
        }
    }
    if ((rc = gk_netcmd_code_year(argc, argv, optind, year_s, "地区代码", usage, &year)) != 0)
        return rc;
    if (cell == NULL || cell[0] == '\0') {
        fprintf(stderr, "gongkai: 缺少 --cell（如 tables.active.rules.new_made）\n");
        return GK_EXIT_USAGE;
    }
    if ((rc = gk_netcmd_open(&s, &fl)) != 0)
        return rc;
    char *region = gk_net_escape(argv[optind]), *ecell = gk_net_escape(cell);
    char *path = gk_net_xasprintf("/regions/%s/benchmark?year=%d&cell=%s", region, year, ecell);
    json_t *b = gk_netcmd_get(&s, path, &nerr);
    if (b == NULL) {
        rc = gk_netcmd_fail(&nerr);
    } else if (as_json) {
        char *o = json_dumps(b, JSON_INDENT(2));
        if (o)
            puts(o);
        free(o);
    } else {
        print_benchmark(b);
    }
    json_decref(b);
    free(path);
    free(ecell);
    free(region);
    gk_netcmd_close(&s);
    return rc;
}
