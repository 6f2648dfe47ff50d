/* cmd_render.c — `gongkai render FILE.json --html|--docx [-o OUT]`: the report
 * in the national layout, ready to publish (lib/render).  A township fills
 * in its data once, checks it, and publishes exactly what was checked: the
 * file imports back to the same JSON (tests/render).
 *
 * FILE may be a report, the daemon's answer for a report ({"report": …}), or
 * a rollup answer (GET /regions/{code}/rollup): a rollup gives the county's
 * draft whole-area report. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/exactjson.h"
#include "commands.h"
#include "readfile.h"
#include "render.h"
#ifdef GK_HAVE_IMPORT
#include "import.h"
#include "regions_default.h"
#endif

#define GK_RENDER_MAX_FILE (16u << 20)

static void usage(FILE *out)
{
    fputs("用法: gongkai render FILE.json (--html | --docx) [-o 文件] [--name 名称]\n\n"
          "按国家规定的年度报告格式输出可发布的报告：标题、六个部分依次排列，\n"
          "三张表按印制表样合并表头；“/”为不适用，空白为未填写，金额按原样保留小数。\n"
          "FILE 为报告 JSON（或服务器返回的报告、汇总 JSON；汇总生成全区域报告的汇总稿），\n"
          "为 - 时读标准输入。\n\n"
          "  --html          输出 HTML 网页（UTF-8，可直接发布或打印）\n"
          "  --docx          输出 Word 文档（.docx），必须同时给 -o\n"
          "  -o 文件         写入文件（HTML 不给时写到标准输出）\n"
          "  --name 名称     标题和落款中的单位名称（不给时按随程序安装的地区列表查找）\n"
          "  -h, --help      显示本帮助\n\n"
          "退出码: 0 成功；1 文件无法读写；2 参数有误或不是报告。\n",
          out);
}

#ifdef GK_HAVE_IMPORT
/* The entity's name from the shipped registry: a township with its county
 * (永安市贡川镇), so the title names it unambiguously. */
static char *registry_name(const char *code)
{
    char path[4096];
    if (!gk_default_regions(path, sizeof path))
        return NULL;
    size_t len = 0;
    char *data = gk_read_file(path, 64u << 20, &len);
    if (!data)
        return NULL;
    gk_region_list rl;
    gk_region_list_init(&rl);
    char why[320], *name = NULL;
    if (gk_region_list_load(&rl, data, len, why, sizeof why) == 0) {
        const gk_region *me = NULL, *parent = NULL;
        for (size_t i = 0; i < rl.n; i++)
            if (!strcmp(rl.items[i].code, code))
                me = &rl.items[i];
        if (me && strlen(me->code) > 6)
            for (size_t i = 0; i < rl.n; i++)
                if (!strcmp(rl.items[i].code, me->parent))
                    parent = &rl.items[i];
        if (me) {
            size_t n = strlen(me->name) + (parent ? strlen(parent->name) : 0) + 1;
            name = malloc(n);
            if (name)
                snprintf(name, n, "%s%s", parent ? parent->name : "", me->name);
        }
    }
    gk_region_list_free(&rl);
    free(data);
    return name;
}
#endif

static int write_out(const char *path, const char *data, size_t len)
{
    FILE *out = path ? fopen(path, "wb") : stdout;
    if (!out || fwrite(data, 1, len, out) != len || (path && fclose(out) != 0)) {
        fprintf(stderr, "gongkai: %s: 无法写入：%s\n", path ? path : "标准输出", strerror(errno));
        return 1;
    }
    if (!path)
        fflush(stdout);
    return 0;
}

int gk_cmd_render(int argc, char **argv)
{
    static const struct option opts[] = {
        {"html", no_argument, NULL, 'H'},         {"docx", no_argument, NULL, 'D'},
        {"output", required_argument, NULL, 'o'}, {"name", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    int kind = 0, c;
    const char *out_path = NULL, *name_opt = NULL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'H': case 'D':
            if (kind && kind != c) {
                fprintf(stderr, "gongkai: --html 和 --docx 只能选一个\n");
                return 2;
            }
            kind = c;
            break;
        case 'o': out_path = optarg; break;
        case 'n': name_opt = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind + 1 != argc || !kind) {
        if (!kind)
            fprintf(stderr, "gongkai: 请指定 --html 或 --docx\n");
        usage(stderr);
        return 2;
    }
    if (kind == 'D' && !out_path) {
        fprintf(stderr, "gongkai: --docx 需要 -o 文件（Word 文档不写到终端）\n");
        return 2;
    }
    const char *path = argv[optind];
    size_t len = 0;
    char *text = gk_read_file(path, GK_RENDER_MAX_FILE, &len);
    if (!text) {
        fprintf(stderr, "gongkai: %s: 无法读取：%s\n", path,
                errno == EFBIG ? "文件过大" : strerror(errno));
        return 1;
    }
    int rc = 2;
    char *name = NULL, *out = NULL;
    gk_report *rep = NULL;
    gk_rdoc *doc = NULL;
    json_error_t jerr;
    /* exact decimals: an amount never passes through a double */
    json_t *root = gk_json_loadb_exact(text, len, 0, &jerr);
    if (!json_is_object(root)) {
        fprintf(stderr, "gongkai: %s: 不是 JSON（第 %d 行第 %d 列：%s）\n", path, jerr.line,
                jerr.column, jerr.text);
        goto done;
    }
    if (json_object_get(root, "rollup")) {
        char why[320];
        doc = gk_render_rollup(root, name_opt, why, sizeof why);
        if (!doc) {
            fprintf(stderr, "gongkai: %s: %s\n", path, why);
            goto done;
        }
    } else {
        /* the report itself, or the daemon's answer with it under "report";
         * parsed from the text, so decimals stay exact */
        const char *rt = text;
        size_t rl = len;
        char *inner = NULL;
        if (json_is_object(json_object_get(root, "report"))) {
            inner = gk_json_dumps_exact(json_object_get(root, "report"), JSON_COMPACT);
            rt = inner;
            rl = inner ? strlen(inner) : 0;
        }
        gk_error err;
        rep = rt ? gk_report_parse(rt, rl, NULL, &err) : NULL;
        free(inner);
        if (!rep) {
            fprintf(stderr, "gongkai: %s: 不是年度报告：%s（%s）\n", path,
                    rt ? err.message : "内存不足", rt ? err.code : "internal");
            goto done;
        }
        if (name_opt)
            name = strdup(name_opt);
#ifdef GK_HAVE_IMPORT
        else
            name = registry_name(rep->entity);
#endif
        doc = gk_render_report(rep, name);
    }
    size_t n = 0;
    char why[320] = "";
    out = kind == 'H' ? gk_rdoc_html(doc, &n) : gk_rdoc_docx(doc, &n, why, sizeof why);
    if (!out) {
        fprintf(stderr, "gongkai: 无法生成文档：%s\n", why[0] ? why : "内存不足");
        rc = 1;
        goto done;
    }
    rc = write_out(out_path, out, n);
done:
    free(out);
    gk_rdoc_free(doc);
    gk_report_free(rep);
    free(name);
    json_decref(root);
    free(text);
    return rc;
}
