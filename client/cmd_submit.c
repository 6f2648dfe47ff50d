/* cmd_submit.c — `gongkai submit FILE...` and `gongkai check --server FILE...`.
 *
 * Both send each report to gongkaid — submit to POST /api/v1/reports (a new
 * revision), check --server and submit --dry-run to POST /api/v1/check
 * (judged with history and the registry, stored nowhere) — and print the
 * findings as the offline `check` does.
 *
 * Each report gets one random Idempotency-Key before its first attempt and
 * keeps it through every retry: if the daemon stored the report but the
 * answer was lost (timeout, restart, proxy 502), the retry is recognised
 * and answered with the same revision instead of making a second one.
 *
 * A file that is not JSON or not a report at all is refused here, before
 * any network traffic; anything subtler (unknown format, entity …) is the
 * server's to judge, as it may know more formats than this client.
 *
 * Exit codes: 0 no report has errors; 1 some report has errors; 2 bad
 * arguments, or some file unreadable / not a report / refused by the server;
 * 3 the server could not be reached or refused us (401, 403, 5xx). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/exactjson.h"
#include "commands.h"
#include "net_cmd.h"
#include "net_util.h"
#include "print_findings.h"
#include "readfile.h"
#include "gongkai/report.h"

#define GK_SUBMIT_MAX_FILE (16u << 20)   /* matches what a report can be */

typedef struct submit_opts {
    bool dry_run;     /* POST /check instead of /reports */
    bool server_check;/* invoked as `check --server` */
    bool as_json;
} submit_opts;

static void usage(FILE *out, bool server_check)
{
    if (server_check)
        fputs("用法: gongkai check --server [选项] FILE...\n\n"
              "把年度报告 JSON 交给服务器检查（除离线检查的各项外，还检查与上一年度报告的衔接、\n"
              "报送时效和内容雷同），不保存。FILE 为 - 时读标准输入。\n\n"
              "  --json             以 JSON 输出服务器的检查结果\n",
              out);
    else
        fputs("用法: gongkai submit [选项] FILE...\n\n"
              "向服务器提交年度报告 JSON，逐份显示保存的版本号和检查结果。\n"
              "网络错误、超时或服务器暂时不可用（503）时自动重试；每份报告在重试中使用同一个\n"
              "幂等键（Idempotency-Key），重试不会产生重复的版本。FILE 为 - 时读标准输入。\n\n"
              "  --dry-run          只检查不保存（同 gongkai check --server）\n"
              "  --json             以 JSON 输出服务器的回答\n",
              out);
    fputs("  -h, --help         显示本帮助\n\n", out);
    gk_net_print_options(out);
    fputs("\n退出码: 0 所有报告均无错误；1 有报告存在错误；2 参数有误，或有文件无法读取、\n"
          "不是年度报告、被服务器拒收；3 无法连接服务器、令牌无效（401）、无权限（403）或服务器故障。\n",
          out);
}

/* What one file's attempt came to, for the exit code and whether to go on. */
typedef enum outcome { OUT_CLEAN = 0, OUT_FINDINGS = 1, OUT_REFUSED = 2, OUT_NET = 3 } outcome;

static const char *read_error(int e)
{
    switch (e) {
    case ENOENT: return "文件不存在";
    case EISDIR: return "这是一个目录，不是文件";
    case EACCES: return "没有读取权限";
    case EFBIG: return "文件过大（超过 16 MiB），不像是一份年度报告";
    default: return strerror(e);
    }
}

static void json_result(json_t *arr, const char *path, json_t *response, const char *code,
                        const char *message, long status)
{
    if (!arr) {
        json_decref(response);
        return;
    }
    if (response)
        json_array_append_new(arr, json_pack("{ssso}", "file", path, "response", response));
    else
        json_array_append_new(arr, json_pack("{sss{sssssI}}", "file", path, "error", "code", code,
                                             "message", message, "status", (json_int_t)status));
}

/* Prints one server answer (201/200 from /reports or 200 from /check). */
static outcome print_answer(const char *path, const json_t *a, const submit_opts *o,
                            long status, int attempts)
{
    gk_findings fs;
    char heading[1024];
    const char *st = gk_jstr(a, "status", "");
    gk_findings_init(&fs);
    if (gk_findings_from_json(&fs, json_object_get(a, "findings")) < 0)
        fprintf(stderr, "gongkai: %s: 服务器返回的检查结果格式不对，已忽略\n", path);
    if (o->dry_run || o->server_check)
        snprintf(heading, sizeof heading, "%s  （%s，%lld 年度，%s 年版格式）服务端检查，未保存：%s", path,
                 gk_jstr(a, "entity", "?"), gk_jint(a, "year", 0), gk_jstr(a, "format", "?"),
                 gk_status_label(st));
    else if (gk_jint(a, "revision", 0) > 0 && (status == 201 || json_is_true(json_object_get(a, "created"))))
        snprintf(heading, sizeof heading, "%s  → %s %lld 年度：已保存为第 %lld 版（%s 年版格式），检查结果：%s",
                 path, gk_jstr(a, "entity", "?"), gk_jint(a, "year", 0), gk_jint(a, "revision", 0),
                 gk_jstr(a, "format", "?"), gk_status_label(st));
    else if (attempts > 1)
        /* After a retry the server cannot tell us whether our own lost first
         * attempt stored it or it was there before: either way this is the
         * revision that holds the content, and there is no duplicate. */
        snprintf(heading, sizeof heading,
                 "%s  → %s %lld 年度：已确认保存为第 %lld 版（共尝试 %d 次，未产生重复版本），检查结果：%s",
                 path, gk_jstr(a, "entity", "?"), gk_jint(a, "year", 0), gk_jint(a, "revision", 0),
                 attempts, gk_status_label(st));
    else if (json_is_true(json_object_get(a, "replayed")))
        snprintf(heading, sizeof heading,
                 "%s  → %s %lld 年度：这次提交此前已被接收（同一 Idempotency-Key），保存为第 %lld 版，检查结果：%s",
                 path, gk_jstr(a, "entity", "?"), gk_jint(a, "year", 0), gk_jint(a, "revision", 0),
                 gk_status_label(st));
    else
        snprintf(heading, sizeof heading,
                 "%s  → %s %lld 年度：与已保存的第 %lld 版内容相同，未产生新版本，检查结果：%s", path,
                 gk_jstr(a, "entity", "?"), gk_jint(a, "year", 0), gk_jint(a, "revision", 0),
                 gk_status_label(st));
    gk_print_findings(stdout, heading, &fs);
    size_t errors = gk_findings_count(&fs, GK_SEV_ERROR);
    gk_findings_free(&fs);
    return errors || !strcmp(st, "errors") ? OUT_FINDINGS : OUT_CLEAN;
}

/* *fatal is set when the rest of the files cannot fare better (server
 * unreachable, token refused, server failing); a 403 concerns one entity. */
static outcome submit_one(gk_netcmd *s, const char *path, const submit_opts *o, json_t *jout,
                          bool *fatal)
{
    size_t len = 0;
    char key[33];
    char *text = NULL;
    json_t *answer = NULL;
    gk_net_error nerr;
    gk_error perr;
    long status = 0;
    outcome rc = OUT_REFUSED;

    text = gk_read_file(path, GK_SUBMIT_MAX_FILE, &len);
    if (!text) {
        const char *why = read_error(errno);
        fprintf(stderr, "gongkai: %s: 无法读取：%s\n", path, why);
        json_result(jout, path, NULL, "unreadable", why, 0);
        goto out;
    }
    /* Refuse here only what no server version would take: not JSON, or not
     * a report-shaped object at all. */
    {
        gk_report *r = gk_report_parse(text, len, NULL, &perr);
        if (!r && (!strcmp(perr.code, "invalid_json") || !strcmp(perr.code, "not_a_report"))) {
            fprintf(stderr, "gongkai: %s: 不是年度报告 JSON：%s\n", path, perr.message);
            json_result(jout, path, NULL, perr.code, perr.message, 0);
            goto out;
        }
        gk_report_free(r);
    }
    if (gk_net_random_hex(key, sizeof key) < 0) {
        fprintf(stderr, "gongkai: 系统无法提供随机数，不能生成幂等键\n");
        rc = OUT_NET;
        *fatal = true;
        goto out;
    }
    gk_net_request rq = {
        .method = "POST",
        .path = (o->dry_run || o->server_check) ? "/api/v1/check" : "/api/v1/reports",
        .body = text,
        .body_len = len,
        .content_type = "application/json",
        .idempotency_key = (o->dry_run || o->server_check) ? NULL : key,
        .auth = true,
    };
    answer = gk_net_call_json(s->net, &rq, &status, &nerr);
    if (!answer) {
        bool refused = nerr.kind == GK_NET_FAIL_HTTP &&
                       (nerr.status == 400 || nerr.status == 413 || nerr.status == 415 ||
                        nerr.status == 422);
        if (refused) {
            fprintf(stderr, "gongkai: %s: 服务器拒收，未保存：%s\n", path, nerr.message);
        } else {
            char what[600];
            snprintf(what, sizeof what, "%s: 未提交", path);
            gk_netcmd_fail_for(what, &nerr);
            *fatal = !(nerr.kind == GK_NET_FAIL_HTTP && nerr.status == 403);
        }
        json_result(jout, path, NULL, nerr.code[0] ? nerr.code : "network", nerr.message, nerr.status);
        rc = refused ? OUT_REFUSED : OUT_NET;
        goto out;
    }
    if (jout) {
        const char *st = gk_jstr(answer, "status", "");
        rc = !strcmp(st, "errors") ? OUT_FINDINGS : OUT_CLEAN;
        json_result(jout, path, answer, NULL, NULL, status);
        answer = NULL;
    } else {
        rc = print_answer(path, answer, o, status, nerr.attempts);
    }
out:
    json_decref(answer);
    free(text);
    return rc;
}

static int run(int argc, char **argv, submit_opts *o)
{
    static const struct option opts[] = {
        {"dry-run", no_argument, NULL, 'n'},
        {"server", no_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        GK_NET_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    gk_net_flags fl;
    gk_netcmd s;
    json_t *jout = NULL;
    int c, worst = 0, rc;

    gk_net_flags_init(&fl);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int r = gk_net_flags_option(&fl, c, optarg);
        if (r < 0)
            return GK_EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'n': o->dry_run = true; break;
        case 's': o->server_check = true; break;
        case 'j': o->as_json = true; break;
        case 'h': usage(stdout, o->server_check); return 0;
        default: return gk_netcmd_bad_option(argv, optind);
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "gongkai: 请给出至少一个报告文件\n\n");
        usage(stderr, o->server_check);
        return GK_EXIT_USAGE;
    }
    if ((rc = gk_netcmd_open(&s, &fl)) != 0)
        return rc;
    if (o->as_json)
        jout = json_array();
    for (int i = optind; i < argc; i++) {
        bool fatal = false;
        outcome oc = submit_one(&s, argv[i], o, jout, &fatal);
        worst = (int)oc > worst ? (int)oc : worst;
        if (fatal && i + 1 < argc) {
            /* The server is unreachable or rejects the token: the rest
             * would fail the same way, each after its own retries. */
            fprintf(stderr, "gongkai: 其余 %d 个文件未提交\n", argc - i - 1);
            break;
        }
        if (!o->as_json && i + 1 < argc)
            putchar('\n');
    }
    if (jout) {
        char *out = gk_json_dumps_exact(jout, JSON_INDENT(2) | GK_JSON_REAL_FLAGS);
        if (out)
            puts(out);
        free(out);
        json_decref(jout);
    }
    gk_netcmd_close(&s);
    return worst;
}

int gk_cmd_submit(int argc, char **argv)
{
    submit_opts o = {0};
    return run(argc, argv, &o);
}

int gk_cmd_check_server(int argc, char **argv)
{
    submit_opts o = {.server_check = true};
    return run(argc, argv, &o);
}
