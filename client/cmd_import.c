/* cmd_import.c — `gongkai import FILE`: a published report (text copied from
 * Word or a web page, or the portal's HTML) to the JSON contract.
 *
 * The work is in lib/import (gk_import_*); this is options, files and the
 * report on stderr of everything that could not be placed.  Exit codes are
 * the importer's: 0 all placed, 3 imported with unplaced parts, 2 not a
 * report (or its year/entity/format cannot be found), 1 a file could not be
 * read or written. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"

#ifdef GK_HAVE_IMPORT
#include "import.h"
#include "print_findings.h"
#include "readfile.h"
#include "regions_default.h"
#include "gongkai/rules.h"

#define GK_IMPORT_MAX_FILE (16u << 20)
#define GK_REGIONS_MAX_FILE (64u << 20)

static void usage(FILE *out)
{
    char versions[128];
    gk_format_versions(" 或 ", versions, sizeof versions);
    fprintf(out,
            "用法: gongkai import FILE [--entity CODE] [--regions FILE] [--year Y]\n"
            "                          [--format F] [--html | --text] [-o OUT.json] [--check]\n\n"
            "把已发布的年度报告（Word 文档 .docx、Excel 工作簿 .xlsx、从 Word 或网页复制的文本、或网页 HTML）转换为报告 JSON。\n"
            "FILE 为 - 时读标准输入。JSON 写到标准输出（或 -o 指定的文件），\n"
            "无法放入的内容和说明写到标准错误。\n\n"
            "  --entity CODE   填报单位的区划代码（不给时从标题和地区列表查找）\n"
            "  --regions FILE  地区列表：CSV（代码,名称,上级代码）或 pcas-code.json；\n"
            "                  不给时使用随程序安装的 " GK_REGIONS_FILE "\n"
            "  --year Y        报告年度（不给时从标题或统计期限读取）\n"
            "  --format F      报告格式 %s（不给时按表头和年度确定）\n"
            "  --html, --text  指定输入类型（默认按内容判断；.docx/.xlsx 按 zip 包识别）\n"
            "  -o OUT.json     写入文件而不是标准输出\n"
            "  --check         导入后按规则检查，结果写到标准错误\n\n"
            "退出码: 0 全部放入；3 已导入但有内容未能放入；2 不是年度报告\n"
            "        （或无法确定年度、单位、格式）；1 文件无法读写。\n",
            versions);
}

static void print_items(const char *what, const gk_import_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        char where[160];
        gk_import_item_where(&l->items[i], where, sizeof where);
        if (l->items[i].text[0])
            fprintf(stderr, "%s：%s：“%s”：%s\n", what, where, l->items[i].text,
                    l->items[i].reason);
        else
            fprintf(stderr, "%s：%s：%s\n", what, where, l->items[i].reason);
    }
}

static int load_regions(const char *path, gk_region_list *rl)
{
    size_t len = 0;
    char *data = gk_read_file(path, GK_REGIONS_MAX_FILE, &len);
    if (!data) {
        fprintf(stderr, "gongkai: %s: 无法读取：%s\n", path, strerror(errno));
        return 1;
    }
    char why[320];
    int rc = gk_region_list_load(rl, data, len, why, sizeof why) == 0 ? 0 : 2;
    if (rc)
        fprintf(stderr, "gongkai: %s: %s\n", path, why);
    free(data);
    return rc;
}

/* The region registry when neither --entity nor --regions is given, the
 * first readable of: the installed copy (CMAKE_INSTALL_FULL_DATADIR), one
 * relative to this binary (an installed tree moved elsewhere), the source
 * tree the binary was built from (tests/data).  Local files only: the
 * importer makes no network calls.  Returns the path in buf, or NULL. */
const char *gk_default_regions(char *buf, size_t len)
{
    if (access(GK_REGIONS_INSTALLED, R_OK) == 0)
        return snprintf(buf, len, "%s", GK_REGIONS_INSTALLED) < (int)len ? buf : NULL;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            if (snprintf(buf, len, "%s/%s", exe, GK_REGIONS_BIN_RELATIVE) < (int)len &&
                access(buf, R_OK) == 0)
                return buf;
        }
    }
    if (access(GK_REGIONS_SOURCE, R_OK) == 0)
        return snprintf(buf, len, "%s", GK_REGIONS_SOURCE) < (int)len ? buf : NULL;
    return NULL;
}

int gk_cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"entity", required_argument, NULL, 'e'}, {"regions", required_argument, NULL, 'r'},
        {"year", required_argument, NULL, 'y'},   {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'}, {"check", no_argument, NULL, 'c'},
        {"html", no_argument, NULL, 'H'},         {"text", no_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    gk_import_options opt = {0};
    const char *regions_path = NULL, *out_path = NULL;
    bool check = false;
    int kind = 0;   /* 0 auto, 'H' html, 'T' text */
    int c, rc = 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'e': opt.entity = optarg; break;
        case 'r': regions_path = optarg; break;
        case 'y': {
            char *end;
            long y = strtol(optarg, &end, 10);
            if (*end || y < 1990 || y > 2100) {
                fprintf(stderr, "gongkai: --year “%s” 不是年度\n", optarg);
                return 2;
            }
            opt.year = (int)y;
            break;
        }
        case 'f': opt.format = optarg; break;
        case 'o': out_path = optarg; break;
        case 'c': check = true; break;
        case 'H': case 'T': kind = c; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind + 1 != argc) {
        usage(stderr);
        return 2;
    }
    const char *path = argv[optind];
    gk_region_list regions;
    gk_region_list_init(&regions);
    gk_import_result res;
    gk_import_result_init(&res);
    char *data = NULL, *json = NULL;
    FILE *out = NULL;
    char fallback[PATH_MAX + 64];
    if (!regions_path && !opt.entity) {
        regions_path = gk_default_regions(fallback, sizeof fallback);
        if (regions_path)
            fprintf(stderr, "说明：未给 --entity 或 --regions，按地区列表 %s 查找填报单位\n",
                    regions_path);
    }
    if (regions_path) {
        rc = load_regions(regions_path, &regions);
        if (rc)
            goto done;
        opt.regions = &regions;
    }
    size_t len = 0;
    data = gk_read_file(path, GK_IMPORT_MAX_FILE, &len);
    if (!data) {
        fprintf(stderr, "gongkai: %s: 无法读取：%s\n", path,
                errno == EFBIG ? "文件过大" : strerror(errno));
        rc = 1;
        goto done;
    }
    if (kind == 'H')
        gk_import_html(data, len, &opt, &res);
    else if (kind == 'T')
        gk_import_text(data, len, &opt, &res);
    else
        gk_import_auto(data, len, &opt, &res);
    if (res.status == GK_IMPORT_NOT_REPORT) {
        fprintf(stderr, "gongkai: %s: %s（%s）\n", path, res.error_message, res.error_code);
        rc = 2;
        goto done;
    }
    print_items("说明", &res.notes);
    print_items("未放入", &res.unplaced);
    json = gk_report_dump(res.report, true);
    out = out_path ? fopen(out_path, "w") : stdout;
    if (!out || fputs(json, out) < 0 || fputc('\n', out) == EOF ||
        (out_path && fclose(out) != 0)) {
        fprintf(stderr, "gongkai: %s: 无法写入：%s\n", out_path ? out_path : "标准输出",
                strerror(errno));
        out = NULL;
        rc = 1;
        goto done;
    }
    out = NULL;
    if (check) {
        gk_findings fs;
        gk_findings_init(&fs);
        gk_rules_check(res.report, NULL, &fs);
        char heading[512];
        snprintf(heading, sizeof heading, "%s  （%s，%d 年度，%s 年版格式）", path,
                 res.report->entity, res.report->year, res.report->format->version);
        gk_print_findings(stderr, heading, &fs);
        gk_findings_free(&fs);
    }
    if (res.unplaced.n)
        fprintf(stderr, "gongkai: %s: 已导入，但有 %zu 处内容未能放入（见上）\n", path,
                res.unplaced.n);
    rc = (int)res.status;
done:
    free(json);
    free(data);
    gk_import_result_free(&res);
    gk_region_list_free(&regions);
    return rc;
}

#else

int gk_cmd_import(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "gongkai: 本版本未包含导入功能（需要 libxml2）\n");
    return 2;
}

#endif
