/* cmd_check.c — `gongkai check FILE...`: judges reports offline.
 *
 * Exit codes (documented in --help and docs/gongkai.1): 0 no errors, 1 some
 * report has errors, 2 some file cannot be read as a report.  With --server
 * the judgement is asked of the daemon instead (it also sees history and the
 * region registry); that path lives with the network commands. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/exactjson.h"
#include "commands.h"
#include "print_findings.h"
#include "readfile.h"
#include "gongkai/rules.h"

#define GK_CHECK_MAX_FILE (16u << 20)

/* Provided by the network commands when they are built in. */
__attribute__((weak)) int gk_cmd_check_server(int argc, char **argv);

static void usage(FILE *out)
{
    fprintf(out,
            "用法: gongkai check [--json] FILE...\n"
            "      gongkai check --server [--url URL] FILE...\n\n"
            "离线按报告格式检查年度报告 JSON（结构、数值与表内勾稽关系）。\n"
            "FILE 为 - 时读标准输入。\n\n"
            "  --json     以 JSON 输出检查结果\n"
            "  --server   交由服务端检查（还会检查跨年度、时效等规则）\n\n"
            "退出码: 0 无错误；1 有报告存在错误；2 有文件无法作为报告读取。\n");
}

/* Judges one file; returns its exit code and appends to json_out if given. */
static int check_one(const char *path, json_t *json_out)
{
    size_t len = 0;
    char *text = gk_read_file(path, GK_CHECK_MAX_FILE, &len);
    if (!text) {
        const char *why = errno == ENOENT ? "文件不存在" : errno == EFBIG ? "文件过大" : strerror(errno);
        fprintf(stderr, "gongkai: %s: 无法读取：%s\n", path, why);
        if (json_out)
            json_array_append_new(json_out, json_pack("{sss{ssss}}", "file", path, "error", "code",
                                                      "unreadable", "message", why));
        return 2;
    }
    gk_findings fs;
    gk_findings_init(&fs);
    gk_error err;
    gk_report *r = gk_judge_text(text, len, NULL, &fs, &err);
    free(text);
    if (!r) {
        fprintf(stderr, "gongkai: %s: %s\n", path, err.message);
        if (json_out)
            json_array_append_new(
                json_out, json_pack("{sss{sssssssisi}}", "file", path, "error", "code", err.code,
                                    "message", err.message, "path", err.path, "line", err.line,
                                    "column", err.column));
        gk_findings_free(&fs);
        return 2;
    }
    size_t errors = gk_findings_count(&fs, GK_SEV_ERROR);
    const char *status = errors ? "errors"
                         : gk_findings_count(&fs, GK_SEV_WARNING) ? "warnings"
                         : fs.n ? "info" : "ok";
    if (json_out) {
        json_array_append_new(json_out,
                              json_pack("{sssssissssso}", "file", path, "entity", r->entity, "year",
                                        r->year, "format", r->format->version, "status", status,
                                        "findings", gk_findings_to_json(&fs)));
    } else {
        char heading[512];
        snprintf(heading, sizeof heading, "%s  （%s，%d 年度，%s 年版格式）", path, r->entity,
                 r->year, r->format->version);
        gk_print_findings(stdout, heading, &fs);
    }
    gk_report_free(r);
    gk_findings_free(&fs);
    return errors ? 1 : 0;
}

int gk_cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"server", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--server")) {
            if (gk_cmd_check_server)
                return gk_cmd_check_server(argc, argv);
            fprintf(stderr, "gongkai: 本版本未包含服务端检查（--server）\n");
            return 2;
        }
    bool as_json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'j') {
            as_json = true;
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    json_t *out = as_json ? json_array() : NULL;
    int worst = 0;
    for (int i = optind; i < argc; i++) {
        int rc = check_one(argv[i], out);
        worst = rc > worst ? rc : worst;
        if (!as_json && i + 1 < argc)
            putchar('\n');
    }
    if (out) {
        char *s = gk_json_dumps_exact(out, JSON_INDENT(2) | GK_JSON_REAL_FLAGS);
        puts(s);
        free(s);
        json_decref(out);
    }
    return worst;
}
