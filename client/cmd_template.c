/* cmd_template.c — `gongkai template`: a complete blank report to fill in,
 * as JSON, or (--xlsx -o FILE) as the Excel fill-in workbook that `gongkai
 * import` reads back by its defined names (lib/workbook/template.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "gongkai/report.h"
#include "gongkai/workbook.h"
#include "regions_file.h"

static void usage(FILE *out)
{
    fprintf(out,
            "用法: gongkai template --year Y --entity CODE [--format F] [--xlsx -o FILE]\n\n"
            "输出一份完整的空白报告 JSON：全部表格的全部键，数值为 0，正文为空。\n"
            "--xlsx -o FILE：改为写出 Excel 填报模板（按印制表样，只有填写格可编辑并带校验），\n"
            "填好后用 gongkai import FILE 读回为报告 JSON（空格为空白，“/”或“不适用”为不适用）。\n"
            "不写 --format 时按年度选用规定格式（2020 年及以前为 2019 年版，之后为 2021 年版）。\n");
}

int gk_cmd_template(int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"year", required_argument, NULL, 'y'},
        {"entity", required_argument, NULL, 'e'},
        {"xlsx", no_argument, NULL, 'x'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *version = NULL, *entity = NULL, *out = NULL;
    bool xlsx = false;
    long year = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:y:e:o:h", opts, NULL)) != -1) {
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
        case 'x':
            xlsx = true;
            break;
        case 'o':
            out = optarg;
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
    if (xlsx != (out != NULL)) {
        fprintf(stderr, "gongkai: --xlsx 需要 -o 文件（工作簿不写到终端），-o 只用于 --xlsx\n");
        return 2;
    }
    if (xlsx) {
        char why[512], name[256];
        /* The title names the entity as a report's author line does, when
         * the shipped registry knows the code. */
        bool named = gk_region_title_name(entity, name, sizeof name) == 0;
        if (gk_workbook_template(f, (int)year, entity, named ? name : NULL, out, why, sizeof why) != 0) {
            fprintf(stderr, "gongkai: %s\n", why);
            return 2;
        }
        fprintf(stderr, "已写出 %s（%s 年版格式，%ld 年度，填报单位 %s%s%s）\n", out, f->version, year,
                named ? name : "", named ? " " : "", entity);
        return 0;
    }
    gk_report *r = gk_report_template(f, (int)year, entity);
    char *s = gk_report_dump(r, true);
    puts(s);
    free(s);
    gk_report_free(r);
    return 0;
}
