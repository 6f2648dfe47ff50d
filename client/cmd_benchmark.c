/* cmd_benchmark.c — `gongkai benchmark REGION --year Y [--cell PATH]
 * [--trend]`: a cell compared among the units of one level below a region
 * (GET /api/v1/regions/{code}/benchmark): the quartiles the office compares a
 * unit with, each unit's value and percentile rank, the peer.outlier
 * findings; every cell at once without --cell; with --trend the cell over the
 * years (…/trend). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "gongkai/exactjson.h"
#include "net_cmd.h"
#include "net_util.h"
#include "print_table.h"

static void usage(FILE *out)
{
    fputs("用法: gongkai benchmark 地区代码 --year 年度 [--cell 单元格] [选项]\n\n"
          "比较地区内同级单位某一单元格的数值：单位数、最小值、P25、中位数、P75、最大值，\n"
          "以及各单位的数值和百分位（未填写或不适用的单位另列，不参与比较），\n"
          "并列出远高于同级单位的数值（peer.outlier，提示）。不给 --cell 时列出全部单元格。\n\n"
          "  -y, --year 年度     报告年度（必填；--trend 时为趋势的最后一年）\n"
          "  -c, --cell 单元格   如 tables.active.rules.new_made（件数或金额）\n"
          "  --level 级别        township（乡级，默认）或 county（县级）\n"
          "  --kind 类别         只比较一类乡级单位：town（镇）、township（乡）、subdistrict（街道）\n"
          "  --trend             该单元格逐年的趋势（需 --cell）\n"
          "  --years 年数        趋势的年数（1–10，默认 5）\n"
          "  --json              原样输出服务器的 JSON\n"
          "  -h, --help          显示本帮助\n\n",
          out);
    gk_net_print_options(out);
    fputs("\n退出码: 0 成功；1 地区不存在；2 参数有误；3 无法连接服务器、无权限或服务器拒绝。\n", out);
}

static const char *num(const json_t *v, char *buf, size_t len)
{
    if (gk_json_exact_text(v))
        snprintf(buf, len, "%s", gk_json_exact_text(v));
    else if (json_is_integer(v))
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
    else if (json_is_string(v))
        snprintf(buf, len, "%s", json_string_value(v));
    else
        snprintf(buf, len, "—");
    return buf;
}

static void print_outliers(const json_t *out)
{
    for (size_t i = 0; i < json_array_size(out); i++)
        printf("提示 [peer.outlier] %s\n", gk_jstr(json_array_get(out, i), "message", ""));
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
        gk_ptable_cell(t, num(json_object_get(u, "value"), x[0], 40));
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
    print_outliers(json_object_get(b, "outliers"));
}

/* Every cell: one line each. */
static void print_all_cells(const json_t *b)
{
    char x[5][40];
    printf("%s %lld 年度（%s 年版格式）：%lld 个单位的全部单元格\n\n", gk_jstr(b, "region", "?"),
           gk_jint(b, "year", 0), gk_jstr(b, "format", "?"), gk_jint(b, "reports", 0));
    const json_t *cells = json_object_get(b, "cells");
    gk_ptable *t = gk_ptable_new(8);
    const char *heads[] = {"单元格", "单位数", "最小", "P25", "中位数", "P75", "最大", "异常"};
    for (int i = 0; i < 8; i++)
        gk_ptable_column(t, (size_t)i, heads[i], i == 0 ? GK_ALIGN_LEFT : GK_ALIGN_RIGHT);
    for (size_t i = 0; i < json_array_size(cells); i++) {
        const json_t *c = json_array_get(cells, i);
        gk_ptable_row(t);
        gk_ptable_cell(t, gk_jstr(c, "cell", "?"));
        gk_ptable_cellf(t, "%lld", gk_jint(c, "count", 0));
        const char *keys[] = {"min", "p25", "p50", "p75", "max"};
        for (int k = 0; k < 5; k++)
            gk_ptable_cell(t, num(json_object_get(c, keys[k]), x[k], 40));
        gk_ptable_cellf(t, "%zu", json_array_size(json_object_get(c, "outliers")));
    }
    gk_ptable_print(t, stdout, "");
    gk_ptable_free(t);
    for (size_t i = 0; i < json_array_size(cells); i++)
        print_outliers(json_object_get(json_array_get(cells, i), "outliers"));
}

/* The trend: one line per year. */
static void print_trend(const json_t *b)
{
    char x[5][40];
    printf("%s %s 逐年趋势\n\n", gk_jstr(b, "region", "?"), gk_jstr(b, "cell", "?"));
    const json_t *years = json_object_get(b, "years");
    gk_ptable *t = gk_ptable_new(7);
    const char *heads[] = {"年度", "本单位", "单位数", "合计", "最小", "中位数", "最大"};
    for (int i = 0; i < 7; i++)
        gk_ptable_column(t, (size_t)i, heads[i], GK_ALIGN_RIGHT);
    for (size_t i = 0; i < json_array_size(years); i++) {
        const json_t *y = json_array_get(years, i), *own = json_object_get(y, "own"),
                     *p = json_object_get(y, "peers");
        gk_ptable_row(t);
        gk_ptable_cellf(t, "%lld", gk_jint(y, "year", 0));
        if (!json_is_true(json_object_get(y, "in_format"))) {
            gk_ptable_cellf(t, "（%s 年版格式无此单元格）", gk_jstr(y, "format", "?"));
            continue;
        }
        const char *st = gk_jstr(own, "state", "");
        gk_ptable_cell(t, !strcmp(st, "number")           ? num(json_object_get(own, "value"), x[0], 40)
                          : !strcmp(st, "not_applicable") ? "不适用"
                          : !strcmp(st, "blank")          ? "未填写"
                                                          : "—");
        gk_ptable_cellf(t, "%lld", gk_jint(p, "count", 0));
        gk_ptable_cell(t, num(json_object_get(p, "sum"), x[1], 40));
        gk_ptable_cell(t, num(json_object_get(p, "min"), x[2], 40));
        gk_ptable_cell(t, num(json_object_get(p, "p50"), x[3], 40));
        gk_ptable_cell(t, num(json_object_get(p, "max"), x[4], 40));
    }
    gk_ptable_print(t, stdout, "");
    gk_ptable_free(t);
}

int gk_cmd_benchmark(int argc, char **argv)
{
    static const struct option opts[] = {
        {"year", required_argument, NULL, 'y'},
        {"cell", required_argument, NULL, 'c'},
        {"level", required_argument, NULL, 'L'},
        {"kind", required_argument, NULL, 'K'},
        {"trend", no_argument, NULL, 'T'},
        {"years", required_argument, NULL, 'N'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        GK_NET_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    gk_net_flags fl;
    gk_netcmd s;
    gk_net_error nerr;
    const char *year_s = NULL, *cell = NULL, *level = NULL, *kind = NULL, *years = NULL;
    bool as_json = false, trend = false;
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
        case 'L': level = optarg; break;
        case 'K': kind = optarg; break;
        case 'T': trend = true; break;
        case 'N': years = optarg; break;
        case 'j': as_json = true; break;
        case 'h': usage(stdout); return 0;
        default: return gk_netcmd_bad_option(argv, optind);
        }
    }
    if ((rc = gk_netcmd_code_year(argc, argv, optind, year_s, "地区代码", usage, &year)) != 0)
        return rc;
    if (cell != NULL && cell[0] == '\0')
        cell = NULL;
    if (trend && cell == NULL) {
        fprintf(stderr, "gongkai: --trend 需要 --cell（如 tables.active.rules.new_made）\n");
        return GK_EXIT_USAGE;
    }
    if (years != NULL && !trend) {
        fprintf(stderr, "gongkai: --years 只与 --trend 一起使用\n");
        return GK_EXIT_USAGE;
    }
    if ((rc = gk_netcmd_open(&s, &fl)) != 0)
        return rc;
    /* the options go to the server as given: it answers a bad one with a
     * clear 422 (invalid_level, invalid_kind, invalid_years) */
    char *region = gk_net_escape(argv[optind]), *ecell = gk_net_escape(cell ? cell : "");
    char *elevel = gk_net_escape(level ? level : ""), *ekind = gk_net_escape(kind ? kind : "");
    char *eyears = gk_net_escape(years ? years : "5");
    char *path = trend ? gk_net_xasprintf("/regions/%s/trend?year=%d&cell=%s&years=%s%s%s%s%s", region, year, ecell,
                                          eyears, level ? "&level=" : "", elevel, kind ? "&kind=" : "", ekind)
                       : gk_net_xasprintf("/regions/%s/benchmark?year=%d%s%s%s%s%s%s", region, year,
                                          cell ? "&cell=" : "", ecell, level ? "&level=" : "", elevel,
                                          kind ? "&kind=" : "", ekind);
    json_t *b = gk_netcmd_get(&s, path, &nerr);
    if (b == NULL) {
        rc = gk_netcmd_fail(&nerr);
    } else if (as_json) {
        char *o = gk_json_dumps_exact(b, JSON_INDENT(2));
        if (o)
            puts(o);
        free(o);
    } else if (trend) {
        print_trend(b);
    } else if (cell == NULL) {
        print_all_cells(b);
    } else {
        print_benchmark(b);
    }
    json_decref(b);
    free(path);
    free(ecell);
    free(elevel);
    free(ekind);
    free(eyears);
    free(region);
    gk_netcmd_close(&s);
    return rc;
}
