/* test_client_unit.c — the client's network side without a server: URL and
 * loopback rules, config file parsing and precedence, the refusal of
 * group/other-readable secret files, the token never leaking into messages,
 * the retry policy, and the CJK-aligned table printer.  Failures to connect
 * are real (a loopback port with no listener), not mocked. */
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <unistd.h>
#include "net_config.h"
#include "net_http.h"
#include "net_util.h"
#include "print_layout.h"
#include "print_findings.h"
#include "print_table.h"

static char tmpdir[64];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gk-client-unit-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    unsetenv("GONGKAI_URL");
    unsetenv("GONGKAI_TOKEN");
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", tmpdir, 1);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static char *write_file(const char *name, const char *text, mode_t mode)
{
    char *path = gk_net_xasprintf("%s/%s", tmpdir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    ck_assert_int_eq(chmod(path, mode), 0);
    return path;
}

/* ---- URLs ---- */

static char *norm(const char *url, bool insecure, char *err)
{
    return gk_net_url_normalise(url, insecure, err, 512);
}

START_TEST(url_https_is_kept_and_trailing_slash_dropped)
{
    char err[512];
    char *u = norm("https://gongkai.example.gov.cn/", false, err);
    ck_assert_str_eq(u, "https://gongkai.example.gov.cn");
    free(u);
    u = norm("https://gk.example:8443/prefix/", false, err);
    ck_assert_str_eq(u, "https://gk.example:8443/prefix");
    free(u);
}
END_TEST

START_TEST(url_plain_http_only_to_loopback)
{
    char err[512];
    const char *ok[] = {"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9/", "http://127.3.2.1"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        char *u = norm(ok[i], false, err);
        ck_assert_msg(u != NULL, "%s refused: %s", ok[i], err);
        free(u);
    }
    ck_assert_ptr_null(norm("http://gongkai.example.gov.cn", false, err));
    ck_assert_ptr_nonnull(strstr(err, "--insecure-http"));
    ck_assert_ptr_null(norm("http://10.0.0.1:8080", false, err));
    ck_assert_ptr_null(norm("http://128.0.0.1", false, err));
    char *u = norm("http://10.0.0.1:8080", true, err);
    ck_assert_str_eq(u, "http://10.0.0.1:8080");
    free(u);
}
END_TEST

START_TEST(url_refuses_other_schemes_credentials_and_queries)
{
    char err[512];
    ck_assert_ptr_null(norm("ftp://127.0.0.1/", false, err));
    ck_assert_ptr_null(norm("https://user:s3cr3t@gk.example", false, err));
    ck_assert_ptr_null(strstr(err, "s3cr3t"));
    ck_assert_ptr_null(norm("https://gk.example/?a=b", false, err));
    ck_assert_ptr_null(norm("not a url", false, err));
}
END_TEST

START_TEST(loopback_hosts)
{
    ck_assert(gk_net_host_is_loopback("localhost"));
    ck_assert(gk_net_host_is_loopback("LOCALHOST"));
    ck_assert(gk_net_host_is_loopback("127.0.0.1"));
    ck_assert(gk_net_host_is_loopback("[::1]"));
    ck_assert(gk_net_host_is_loopback("::1"));
    ck_assert(!gk_net_host_is_loopback("localhost.example.com"));
    ck_assert(!gk_net_host_is_loopback("192.168.1.1"));
    ck_assert(!gk_net_host_is_loopback("[::2]"));
    ck_assert(gk_net_url_is_loopback("http://127.0.0.2:8080"));
    ck_assert(gk_net_url_is_loopback("http://[::1]:8080/prefix"));
    ck_assert(gk_net_url_is_loopback("https://localhost"));
    ck_assert(!gk_net_url_is_loopback("https://gk.example"));
    ck_assert(!gk_net_url_is_loopback("not a url"));
}
END_TEST

/* ---- secret files and the config ---- */

START_TEST(private_file_refused_when_group_or_other_can_read)
{
    char err[512];
    char *p = write_file("cfg", "url = https://x\n", 0644);
    ck_assert_ptr_null(gk_net_read_private(p, "配置文件", 4096, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "0644"));
    ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
    ck_assert_int_eq(chmod(p, 0640), 0);
    ck_assert_ptr_null(gk_net_read_private(p, "配置文件", 4096, err, sizeof err));
    ck_assert_int_eq(chmod(p, 0602), 0);   /* writable by others: could be redirected */
    ck_assert_ptr_null(gk_net_read_private(p, "配置文件", 4096, err, sizeof err));
    ck_assert_int_eq(chmod(p, 0600), 0);
    char *t = gk_net_read_private(p, "配置文件", 4096, err, sizeof err);
    ck_assert_str_eq(t, "url = https://x\n");
    free(t);
    free(p);
}
END_TEST

START_TEST(private_file_missing_and_directory)
{
    char err[512];
    char *p = gk_net_xasprintf("%s/none", tmpdir);
    ck_assert_ptr_null(gk_net_read_private(p, "令牌文件", 4096, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "文件不存在"));
    ck_assert_ptr_null(gk_net_read_private(tmpdir, "令牌文件", 4096, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "目录"));
    free(p);
}
END_TEST

START_TEST(config_parse_keys_comments_and_errors)
{
    char err[512];
    gk_net_file_config fc;
    ck_assert_int_eq(gk_net_config_parse("# gongkai\n\nurl = https://a.example\n  token=abc  \n"
                                         "cacert = /etc/ca.pem\ntimeout = 7\nretries = 0\n",
                                         "cfg", &fc, err, sizeof err), 0);
    ck_assert_str_eq(fc.url, "https://a.example");
    ck_assert_str_eq(fc.token, "abc");
    ck_assert_str_eq(fc.cacert, "/etc/ca.pem");
    ck_assert_int_eq(fc.timeout_s, 7);
    ck_assert_int_eq(fc.retries, 0);
    gk_net_file_config_free(&fc);

    ck_assert_int_eq(gk_net_config_parse("url = https://a\n\nurll = x\n", "cfg", &fc, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "第 3 行"));
    ck_assert_int_eq(gk_net_config_parse("timeout = soon\n", "cfg", &fc, err, sizeof err), -1);
    ck_assert_int_eq(gk_net_config_parse("just words\n", "cfg", &fc, err, sizeof err), -1);
    ck_assert_int_eq(gk_net_config_parse("token =\n", "cfg", &fc, err, sizeof err), -1);
}
END_TEST

START_TEST(config_precedence_flags_env_file)
{
    char err[512];
    gk_net_config cfg;
    gk_net_flags fl;
    char *dir = gk_net_xasprintf("%s/.config/gongkai", tmpdir);
    char *cmd = gk_net_xasprintf("mkdir -p '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    char *cfgpath = write_file(".config/gongkai/config",
                               "url = https://file.example\ntoken = filetoken\nretries = 2\n", 0600);

    gk_net_flags_init(&fl);
    ck_assert_int_eq(gk_net_config_load(&cfg, &fl, true, err, sizeof err), 0);
    ck_assert_str_eq(cfg.url, "https://file.example");
    ck_assert_str_eq(cfg.token, "filetoken");
    ck_assert_int_eq(cfg.retries, 2);
    ck_assert_int_eq(cfg.timeout_s, GK_NET_DEFAULT_TIMEOUT_S);
    gk_net_config_free(&cfg);

    setenv("GONGKAI_URL", "https://env.example", 1);
    setenv("GONGKAI_TOKEN", "envtoken", 1);
    ck_assert_int_eq(gk_net_config_load(&cfg, &fl, true, err, sizeof err), 0);
    ck_assert_str_eq(cfg.url, "https://env.example");
    ck_assert_str_eq(cfg.token, "envtoken");
    ck_assert_str_eq(cfg.token_origin, "环境变量 GONGKAI_TOKEN");
    gk_net_config_free(&cfg);

    char *tf = write_file("tok", "flagtoken\n", 0600);
    fl.url = "https://flag.example";
    fl.token_file = tf;
    fl.retries = 0;
    ck_assert_int_eq(gk_net_config_load(&cfg, &fl, true, err, sizeof err), 0);
    ck_assert_str_eq(cfg.url, "https://flag.example");
    ck_assert_str_eq(cfg.token, "flagtoken");   /* newline stripped */
    ck_assert_int_eq(cfg.retries, 0);
    gk_net_config_free(&cfg);

    /* A world-readable config is refused even when env has what we need,
     * as ssh refuses a readable key: the leak is what matters. */
    ck_assert_int_eq(chmod(cfgpath, 0644), 0);
    ck_assert_int_eq(gk_net_config_load(&cfg, &fl, true, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
    ck_assert_ptr_null(strstr(err, "filetoken"));

    /* So is a readable token file. */
    ck_assert_int_eq(chmod(cfgpath, 0600), 0);
    ck_assert_int_eq(chmod(tf, 0604), 0);
    ck_assert_int_eq(gk_net_config_load(&cfg, &fl, true, err, sizeof err), -1);
    ck_assert_ptr_null(strstr(err, "flagtoken"));
    free(tf);
    free(cfgpath);
    free(cmd);
    free(dir);
}
END_TEST

START_TEST(config_missing_url_or_token)
{
    char err[512];
    gk_net_config cfg;
    gk_net_flags fl;
    gk_net_flags_init(&fl);
    ck_assert_int_eq(gk_net_config_load(&cfg, &fl, true, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "GONGKAI_URL"));
    setenv("GONGKAI_URL", "http://127.0.0.1:9", 1);
    ck_assert_int_eq(gk_net_config_load(&cfg, &fl, true, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "GONGKAI_TOKEN"));
    ck_assert_int_eq(gk_net_config_load(&cfg, &fl, false, err, sizeof err), 0);
    ck_assert_ptr_null(cfg.token);
    gk_net_config_free(&cfg);
    /* An explicit --config that does not exist is an error, not silence. */
    fl.config = "/nonexistent/gongkai.conf";
    ck_assert_int_eq(gk_net_config_load(&cfg, &fl, false, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "文件不存在"));
}
END_TEST

START_TEST(token_with_bad_characters_is_refused_without_echo)
{
    char err[512];
    gk_net_config cfg;
    gk_net_flags fl;
    gk_net_flags_init(&fl);
    setenv("GONGKAI_URL", "http://127.0.0.1:9", 1);
    setenv("GONGKAI_TOKEN", "sekrit\r\nX-Evil: 1", 1);
    ck_assert_int_eq(gk_net_config_load(&cfg, &fl, true, err, sizeof err), -1);
    ck_assert_ptr_null(strstr(err, "sekrit"));
    ck_assert_ptr_nonnull(strstr(err, "GONGKAI_TOKEN"));
}
END_TEST

START_TEST(token_flag_on_command_line_is_refused)
{
    gk_net_flags fl;
    gk_net_flags_init(&fl);
    ck_assert_int_eq(gk_net_flags_option(&fl, GK_NET_OPT_TOKEN, "abc"), -1);
    ck_assert_int_eq(gk_net_flags_option(&fl, GK_NET_OPT_RETRIES, "21"), -1);
    ck_assert_int_eq(gk_net_flags_option(&fl, GK_NET_OPT_TIMEOUT, "0"), -1);
    ck_assert_int_eq(gk_net_flags_option(&fl, GK_NET_OPT_TIMEOUT, "5"), 1);
    ck_assert_int_eq(fl.timeout_s, 5);
    ck_assert_int_eq(gk_net_flags_option(&fl, 'y', "2020"), 0);
}
END_TEST

/* ---- retry policy ---- */

START_TEST(backoff_doubles_caps_and_honours_retry_after)
{
    ck_assert_int_eq(gk_net_backoff_ms(500, 8000, 1, -1, 0.0), 250);
    ck_assert_int_eq(gk_net_backoff_ms(500, 8000, 1, -1, 0.999), 499);
    ck_assert_int_eq(gk_net_backoff_ms(500, 8000, 2, -1, 0.0), 500);
    ck_assert_int_eq(gk_net_backoff_ms(500, 8000, 3, -1, 0.0), 1000);
    ck_assert_int_eq(gk_net_backoff_ms(500, 8000, 10, -1, 0.0), 4000);
    ck_assert_int_le(gk_net_backoff_ms(500, 8000, 30, -1, 0.999), 8000);
    ck_assert_int_eq(gk_net_backoff_ms(500, 8000, 1, 3, 0.0), 3000);
    ck_assert_int_eq(gk_net_backoff_ms(500, 8000, 1, 3600, 0.0), GK_NET_RETRY_AFTER_MAX_S * 1000);
    ck_assert_int_eq(gk_net_backoff_ms(500, 8000, 5, 1, 0.0), 4000);   /* ours is longer */
}
END_TEST

START_TEST(what_is_retried)
{
    gk_net_error e = {0};
    gk_net_response r = {0};
    e.kind = GK_NET_FAIL_CONNECT;
    ck_assert(gk_net_retryable(&e, NULL));
    e.kind = GK_NET_FAIL_TIMEOUT;
    ck_assert(gk_net_retryable(&e, NULL));
    e.kind = GK_NET_FAIL_DROPPED;
    ck_assert(gk_net_retryable(&e, NULL));
    e.kind = GK_NET_FAIL_TLS_VERIFY;
    ck_assert(!gk_net_retryable(&e, NULL));
    e.kind = GK_NET_FAIL_RESOLVE;
    ck_assert(!gk_net_retryable(&e, NULL));
    e.kind = GK_NET_OK;
    long yes[] = {502, 503, 504}, no[] = {200, 201, 400, 401, 403, 404, 422, 500};
    for (size_t i = 0; i < 3; i++) {
        r.status = yes[i];
        ck_assert(gk_net_retryable(&e, &r));
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        r.status = no[i];
        ck_assert(!gk_net_retryable(&e, &r));
    }
}
END_TEST

/* A loopback port that refuses: bind without listen, so nobody else can
 * take it while we use it.  On 127.0.0.1, or on another 127.x address. */
static int refusing_port_at(uint32_t addr, int *fd_out)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(addr)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *fd_out = fd;
    return ntohs(a.sin_port);
}

static int refusing_port(int *fd_out) { return refusing_port_at(INADDR_LOOPBACK, fd_out); }

/* A client configuration for http://host:port with a token that must never
 * show; free with gk_net_config_free. */
static void test_config(gk_net_config *cfg, const char *host, int port, long timeout_s)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->url = gk_net_xasprintf("http://%s:%d", host, port);
    cfg->token = gk_net_xstrdup("tok-never-shown");
    cfg->token_origin = gk_net_xstrdup("测试");
    cfg->timeout_s = timeout_s;
    cfg->connect_timeout_s = timeout_s;
}

START_TEST(connection_refused_is_retried_then_reported)
{
    int fd, port = refusing_port(&fd);
    gk_net_config cfg;
    gk_net_error err;
    gk_net_response rs;
    test_config(&cfg, "127.0.0.1", port, 5);
    cfg.retries = 2;
    cfg.retry_base_ms = 20;
    cfg.retry_cap_ms = 40;
    gk_net *n = gk_net_new(&cfg, &err);
    ck_assert_ptr_nonnull(n);
    gk_net_set_quiet(n, true);
    gk_net_request rq = {.method = "GET", .path = "/healthz", .auth = true};
    ck_assert_int_eq(gk_net_send(n, &rq, &rs, &err), -1);
    ck_assert_int_eq(err.kind, GK_NET_FAIL_CONNECT);
    ck_assert_int_eq(err.attempts, 3);
    /* the Chinese sentence first, libcurl's English after its label */
    ck_assert_ptr_eq(strstr(err.message, "无法连接服务器"), err.message);
    const char *detail = strstr(err.message, GK_NET_DETAIL_LABEL);
    ck_assert_ptr_nonnull(detail);
    ck_assert_int_eq(gk_net_error_lead(&err), (int)(detail - err.message));
    ck_assert_ptr_null(memchr(err.message, '(', (size_t)(detail - err.message)));
    ck_assert_ptr_nonnull(strstr(detail, "onnect"));
    ck_assert_ptr_null(strstr(err.message, "tok-never-shown"));
    gk_net_free(n);
    gk_net_config_free(&cfg);
    close(fd);
}
END_TEST

/* Every 127.x is loopback, where plain http is allowed: none may go through
 * an http_proxy from the environment, which would see the token in clear.
 * The "proxy" here listens and records; the server's port refuses. */
START_TEST(loopback_never_via_proxy)
{
    struct sockaddr_in pa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof pa;
    int proxy = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(proxy, 0);
    ck_assert_int_eq(bind(proxy, (struct sockaddr *)&pa, sizeof pa), 0);
    ck_assert_int_eq(listen(proxy, 4), 0);
    ck_assert_int_eq(getsockname(proxy, (struct sockaddr *)&pa, &len), 0);
    int fd, port = refusing_port_at(INADDR_LOOPBACK + 1, &fd); /* 127.0.0.2 */

    char *proxy_url = gk_net_xasprintf("http://127.0.0.1:%d", ntohs(pa.sin_port));
    const char *vars[] = {"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"};
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(setenv(vars[i], proxy_url, 1), 0);
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");

    gk_net_config cfg;
    gk_net_error err;
    gk_net_response rs;
    test_config(&cfg, "127.0.0.2", port, 2);
    gk_net *n = gk_net_new(&cfg, &err);
    ck_assert_ptr_nonnull(n);
    gk_net_set_quiet(n, true);
    gk_net_request rq = {.method = "GET", .path = "/healthz", .auth = true};
    int rc = gk_net_send_once(n, &rq, &rs, &err);
    for (size_t i = 0; i < 4; i++)
        unsetenv(vars[i]);
    ck_assert_int_eq(rc, -1);
    ck_assert_int_eq(err.kind, GK_NET_FAIL_CONNECT); /* refused by 127.0.0.2 itself */
    struct pollfd p = {.fd = proxy, .events = POLLIN};
    ck_assert_msg(poll(&p, 1, 0) == 0, "the request went to the proxy");
    gk_net_free(n);
    gk_net_config_free(&cfg);
    free(proxy_url);
    close(fd);
    close(proxy);
}
END_TEST

/* ---- messages for HTTP errors ---- */

START_TEST(http_errors_in_chinese_without_token)
{
    gk_net_config cfg = {0};
    gk_net_error err;
    cfg.url = "https://gk.example";
    cfg.token = "tok-never-shown";
    cfg.token_origin = "环境变量 GONGKAI_TOKEN";
    char b401[] = "{\"error\":{\"code\":\"unauthorized\",\"message\":\"令牌无效\",\"path\":\"\"}}";
    gk_net_response r = {.status = 401, .body = b401, .len = sizeof b401 - 1};
    gk_net_describe_http(&cfg, &r, &err);
    ck_assert_str_eq(err.code, "unauthorized");
    ck_assert_ptr_nonnull(strstr(err.message, "401"));
    ck_assert_ptr_nonnull(strstr(err.message, "环境变量 GONGKAI_TOKEN"));
    ck_assert_ptr_null(strstr(err.message, "tok-never-shown"));

    char b403[] = "{\"error\":{\"code\":\"forbidden\",\"message\":\"令牌无权访问 350481102\",\"path\":\"\"}}";
    r = (gk_net_response){.status = 403, .body = b403, .len = sizeof b403 - 1};
    gk_net_describe_http(&cfg, &r, &err);
    ck_assert_ptr_nonnull(strstr(err.message, "无权"));
    ck_assert_ptr_nonnull(strstr(err.message, "350481102"));

    char b503[] = "{\"error\":{\"code\":\"db_unavailable\",\"message\":\"数据库不可用\",\"path\":\"\"}}";
    r = (gk_net_response){.status = 503, .body = b503, .len = sizeof b503 - 1};
    gk_net_describe_http(&cfg, &r, &err);
    ck_assert_ptr_nonnull(strstr(err.message, "数据库"));

    char html[] = "<html>400 The plain HTTP request was sent to HTTPS port</html>";
    r = (gk_net_response){.status = 400, .body = html, .len = sizeof html - 1};
    gk_net_describe_http(&cfg, &r, &err);
    ck_assert_ptr_nonnull(strstr(err.message, "https"));
}
END_TEST

/* ---- printing ---- */

static char *capture_table(const gk_ptable *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    gk_ptable_print(t, f, "");
    fclose(f);
    return buf;
}

START_TEST(table_aligns_chinese_by_display_width)
{
    gk_ptable *t = gk_ptable_new(3);
    gk_ptable_column(t, 0, "代码", GK_ALIGN_LEFT);
    gk_ptable_column(t, 1, "名称", GK_ALIGN_LEFT);
    gk_ptable_column(t, 2, "错误", GK_ALIGN_RIGHT);
    gk_ptable_row(t);
    gk_ptable_cell(t, "350481101");
    gk_ptable_cell(t, "贡川镇");
    gk_ptable_cellf(t, "%d", 3);
    gk_ptable_row(t);
    gk_ptable_cell(t, "350481001");
    gk_ptable_cell(t, "燕西\t街道");   /* a tab must not break the columns */
    gk_ptable_cell(t, "12");
    char *out = capture_table(t);
    ck_assert_str_eq(out,
                     "代码       名称       错误\n"
                     "--------------------------\n"
                     "350481101  贡川镇        3\n"
                     "350481001  燕西 街道    12\n");
    free(out);
    gk_ptable_free(t);
}
END_TEST

/* A narrative.similar finding shows the shared passages (as the report
 * wrote them, with their section) under its line; others show none. */
START_TEST(similar_finding_lists_its_passages)
{
    gk_findings fs;
    gk_findings_init(&fs);
    json_t *j = json_loads("[{\"code\":\"narrative.similar\",\"severity\":\"warning\",\"path\":\"narrative.problems\","
                           "\"message\":\"正文与西洋镇（350481100）2020 年度报告的正文高度雷同\",\"similar_to\":\"350481100\","
                           "\"passages\":[\"一是贡川镇2020年公开文件12件\"],\"passage_paths\":[\"narrative.problems\"]},"
                           "{\"code\":\"value.invalid\",\"severity\":\"error\",\"path\":\"tables.active.fees.x\","
                           "\"message\":\"m\",\"passages\":[\"not shown\"]}]",
                           0, NULL);
    ck_assert_ptr_nonnull(j);
    ck_assert_int_ge(gk_findings_from_json(&fs, j), 0);
    json_decref(j);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    gk_print_findings(f, "贡川镇", &fs);
    fclose(f);
    ck_assert_msg(strstr(buf, "\n        雷同段落1（五、存在的主要问题及改进情况）：一是贡川镇2020年公开文件12件\n") != NULL,
                  "%s", buf);
    ck_assert_msg(strstr(buf, "not shown") == NULL, "%s", buf);
    free(buf);
    gk_findings_free(&fs);
}
END_TEST

START_TEST(table_has_no_trailing_spaces)
{
    gk_ptable *t = gk_ptable_new(3);
    gk_ptable_row(t);
    gk_ptable_cell(t, "甲");
    gk_ptable_cell(t, "");
    gk_ptable_row(t);
    gk_ptable_cell(t, "a");
    gk_ptable_cell(t, "bb");
    gk_ptable_cell(t, "c");
    char *out = capture_table(t);
    ck_assert_str_eq(out, "甲\na   bb  c\n");
    free(out);
    gk_ptable_free(t);
}
END_TEST

START_TEST(rollup_cell_texts)
{
    char buf[64];
    json_t *c = json_pack("{sisisisi}", "sum", 12, "reported", 2, "not_applicable", 1, "blank", 0);
    gk_rollup_cell_text(c, 3, buf, sizeof buf);
    ck_assert_str_eq(buf, "12 (2/3)");
    gk_rollup_cell_text(c, 2, buf, sizeof buf);
    ck_assert_str_eq(buf, "12");
    json_decref(c);
    c = json_pack("{sisisisi}", "sum", 0, "reported", 0, "not_applicable", 2, "blank", 1);
    gk_rollup_cell_text(c, 3, buf, sizeof buf);
    ck_assert_str_eq(buf, "/");
    json_decref(c);
    c = json_pack("{sisisisi}", "sum", 0, "reported", 0, "not_applicable", 0, "blank", 3);
    gk_rollup_cell_text(c, 3, buf, sizeof buf);
    ck_assert_str_eq(buf, "");
    json_decref(c);
    c = json_pack("{sfsisisi}", "sum", 1234.5, "reported", 1, "not_applicable", 0, "blank", 0);
    gk_rollup_cell_text(c, 1, buf, sizeof buf);
    ck_assert_str_eq(buf, "1234.5");
    json_decref(c);
    gk_rollup_cell_text(NULL, 1, buf, sizeof buf);
    ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(rollup_layout_uses_registry_labels)
{
    const gk_format *f = gk_format_find("2019");
    ck_assert_ptr_nonnull(f);
    json_t *ru = json_pack("{sssis{s{s{s{sisisisi}}}}}", "format", "2019", "reports", 2, "tables",
                           "requests", "received", "total", "sum", 7, "reported", 2,
                           "not_applicable", 0, "blank", 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    gk_print_rollup(out, ru, false);
    fclose(out);
    ck_assert_ptr_nonnull(strstr(buf, "三、收到和处理政府信息公开申请情况"));
    ck_assert_ptr_nonnull(strstr(buf, "本年新收"));
    ck_assert_ptr_nonnull(strstr(buf, "法律服务机构"));
    ck_assert_ptr_nonnull(strstr(buf, "本年新制作数量"));
    ck_assert_ptr_nonnull(strstr(buf, "结果维持"));
    /* The received row ends in the 总计 column with 7. */
    const char *line = strstr(buf, "本年新收");
    const char *eol = strchr(line, '\n');
    ck_assert(eol - line > 2 && eol[-1] == '7' && eol[-2] == ' ');
    free(buf);
    json_decref(ru);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("client_unit");
    TCase *tc = tcase_create("all");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, url_https_is_kept_and_trailing_slash_dropped);
    tcase_add_test(tc, url_plain_http_only_to_loopback);
    tcase_add_test(tc, url_refuses_other_schemes_credentials_and_queries);
    tcase_add_test(tc, loopback_hosts);
    tcase_add_test(tc, private_file_refused_when_group_or_other_can_read);
    tcase_add_test(tc, private_file_missing_and_directory);
    tcase_add_test(tc, config_parse_keys_comments_and_errors);
    tcase_add_test(tc, config_precedence_flags_env_file);
    tcase_add_test(tc, config_missing_url_or_token);
    tcase_add_test(tc, token_with_bad_characters_is_refused_without_echo);
    tcase_add_test(tc, token_flag_on_command_line_is_refused);
    tcase_add_test(tc, backoff_doubles_caps_and_honours_retry_after);
    tcase_add_test(tc, what_is_retried);
    tcase_add_test(tc, connection_refused_is_retried_then_reported);
    tcase_add_test(tc, loopback_never_via_proxy);
    tcase_add_test(tc, http_errors_in_chinese_without_token);
    tcase_add_test(tc, table_aligns_chinese_by_display_width);
    tcase_add_test(tc, similar_finding_lists_its_passages);
    tcase_add_test(tc, table_has_no_trailing_spaces);
    tcase_add_test(tc, rollup_cell_texts);
    tcase_add_test(tc, rollup_layout_uses_registry_labels);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
