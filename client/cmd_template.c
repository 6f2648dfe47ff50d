/* cmd_template.c — `gongkai template`: a complete blank report to fill in. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "gongkai/report.h"

static void usage(FILE *out)
{
    fprintf(out,
            "用法: gongkai template --year Y --entity CODE [--format F]\n\n"
            "输出一份完整的空白报告 JSON：全部表格的全部键，数值为 0，正文为空。\n"
            "不写 --format 时按年度选用规定格式（2020 年及以前为 2019 年版，之后为 2021 年版）。\n");
}

int gk_cmd_template(int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"year", required_argument, NULL, 'y'},
        {"entity", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *version = NULL, *entity = NULL;
    long year = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:y:e:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            version = optarg;
            break;
        case 'y':
            year = strtol(optarg, NULL, 10);
            break;
        case 'e':
            entity = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (year < GK_YEAR_MIN || year > GK_YEAR_MAX || !entity || optind < argc) {
        usage(stderr);
        return 2;
    }
    const gk_format *f = version ? gk_format_find(version) : gk_format_for_year((int)year);
    if (!f) {
        fprintf(stderr, "gongkai: 未知的报告格式 %s（已知：", version ? version : "?");
        for (size_t i = 0; i < gk_format_count(); i++)
            fprintf(stderr, "%s%s", i ? "、" : "", gk_format_at(i)->version);
        fprintf(stderr, "）\n");
        return 2;
    }
    gk_report *r = gk_report_template(f, (int)year, entity);
    char *s = gk_report_dump(r, true);
    puts(s);
    free(s);
    gk_report_free(r);
    return 0;
}
