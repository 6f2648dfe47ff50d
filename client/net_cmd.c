/* net_cmd.c — see net_cmd.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/report.h"
#include "net_cmd.h"
#include "net_util.h"

int gk_netcmd_open(gk_netcmd *s, const gk_net_flags *fl)
{
    char err[1024];
    gk_net_error nerr;
    memset(s, 0, sizeof *s);
    if (gk_net_config_load(&s->cfg, fl, /* need_token= */ true, err, sizeof err) < 0) {
        fprintf(stderr, "gongkai: %s\n", err);
        return GK_EXIT_USAGE;
    }
    s->net = gk_net_new(&s->cfg, &nerr);
    if (!s->net) {
        fprintf(stderr, "gongkai: %s\n", nerr.message);
        gk_net_config_free(&s->cfg);
        return GK_EXIT_NET;
    }
    return 0;
}

void gk_netcmd_close(gk_netcmd *s)
{
    gk_net_free(s->net);
    s->net = NULL;
    gk_net_config_free(&s->cfg);
}

int gk_netcmd_fail(const gk_net_error *err)
{
    return gk_netcmd_fail_for(NULL, err);
}

int gk_netcmd_fail_for(const char *what, const gk_net_error *err)
{
    /* the attempts belong to the Chinese sentence, before libcurl's detail */
    int lead = gk_net_error_lead(err);
    fprintf(stderr, "gongkai: %s%s%.*s", what ? what : "", what ? ": " : "", lead, err->message);
    if (err->attempts > 1)
        fprintf(stderr, "（已尝试 %d 次）", err->attempts);
    fprintf(stderr, "%s\n", err->message + lead);
    return err->kind == GK_NET_FAIL_HTTP && err->status == 404 ? 1 : GK_EXIT_NET;
}

int gk_netcmd_bad_option(char **argv, int optind_now)
{
    const char *arg = optind_now > 0 ? argv[optind_now - 1] : "";
    const char *eq = strchr(arg, '=');
    int n = eq ? (int)(eq - arg) : (int)strlen(arg);
    fprintf(stderr, "gongkai: 未知选项或选项缺少参数：%.*s（用 --help 查看用法）\n", n, arg);
    return GK_EXIT_USAGE;
}

int gk_netcmd_year(const char *s, int *year)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || errno || end == s || *end || v < GK_YEAR_MIN || v > GK_YEAR_MAX) {
        fprintf(stderr, "gongkai: 年度应为 %d 到 %d 之间的年份，如 --year 2020\n", GK_YEAR_MIN, GK_YEAR_MAX);
        return -1;
    }
    *year = (int)v;
    return 0;
}

bool gk_netcmd_code_ok(const char *code, const char *what)
{
    size_t n = code ? strlen(code) : 0;
    bool ok = n >= 1 && n <= 12;
    for (size_t i = 0; ok && i < n; i++)
        ok = code[i] >= '0' && code[i] <= '9';
    if (!ok)
        fprintf(stderr, "gongkai: %s“%s”应为 1 到 12 位数字的统计用区划代码，如 350481\n", what,
                code ? code : "");
    return ok;
}

json_t *gk_netcmd_get(gk_netcmd *s, const char *path, gk_net_error *err)
{
    char *full = gk_net_xasprintf("/api/v1%s", path);
    gk_net_request rq = {.method = "GET", .path = full, .auth = true};
    json_t *j = gk_net_call_json(s->net, &rq, NULL, err);
    free(full);
    return j;
}

const char *gk_jstr(const json_t *o, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : dflt;
}

long long gk_jint(const json_t *o, const char *key, long long dflt)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

const char *gk_status_label(const char *status)
{
    if (!status)
        return "";
    if (!strcmp(status, "ok"))
        return "无问题";
    if (!strcmp(status, "info"))
        return "仅有提示";
    if (!strcmp(status, "warnings"))
        return "有警告";
    if (!strcmp(status, "errors"))
        return "有错误";
    if (!strcmp(status, "missing"))
        return "未报送";
    return status;
}

int gk_netcmd_code_year(int argc, char **argv, int optind_now, const char *year_s,
                        const char *what, void (*usage)(FILE *), int *year)
{
    if (optind_now + 1 != argc || !year_s) {
        fprintf(stderr, "gongkai: 需要一个%s和 --year\n\n", what);
        usage(stderr);
        return GK_EXIT_USAGE;
    }
    if (!gk_netcmd_code_ok(argv[optind_now], what) || gk_netcmd_year(year_s, year) < 0)
        return GK_EXIT_USAGE;
    return 0;
}
