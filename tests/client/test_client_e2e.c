/* test_client_e2e.c — the real `gongkai` binary against the real gongkaid
 * and PostgreSQL (tests/integration/harness), and through nginx for TLS.
 *
 * One daemon for the whole suite; the tests run in order and build on each
 * other's data (CK_FORK=no): submit → status → rollup → compliance →
 * history/show; the failures people meet (401, 403, missing file, not a
 * report, server down); a submit that rides out a daemon restart, and one
 * whose first answer is lost (daemon frozen with SIGSTOP), each leaving
 * exactly one new revision; TLS with a CA made here by the openssl CLI. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "gongkai/exactjson.h"
#include "harness.h"
#include "net_config.h"
#include "net_http.h"
#include "net_util.h"

#define TOWN "350481101"   /* 贡川镇 */
#define TOWN2 "350481102"
#define CITY "350481"      /* 永安市, 15 township-level units */

static gk_h H;
static char tok_town[80], tok_city_submit[80], tok_city_view[80];
static char url[64];
static char tls_url[64], tls_ip_url[64], ca_pem[256];
static pid_t nginx_pid;

/* ---- processes ---- */

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void nap(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

typedef struct run {
    pid_t pid;
    char out[256], err[256];
    int rc;            /* exit code, -1 if killed */
    char *stdout_text, *stderr_text;
} run;

/* Starts the client with GONGKAI_URL/GONGKAI_TOKEN (token NULL: unset) and
 * HOME in the test directory, so no user config interferes. */
static void start_client(run *r, const char *token, const char *const *args)
{
    static int seq;
    const char *argv[40] = {GK_CLIENT};
    int n = 1;
    for (int i = 0; args[i] && n < 38; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    memset(r, 0, sizeof *r);
    seq++;
    snprintf(r->out, sizeof r->out, "%s/client-%d.out", H.dir, seq);
    snprintf(r->err, sizeof r->err, "%s/client-%d.err", H.dir, seq);
    r->pid = fork();
    ck_assert_int_ge(r->pid, 0);
    if (r->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int o = open(r->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(r->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (o < 0 || e < 0)
            _exit(127);
        dup2(o, 1);
        dup2(e, 2);
        setenv("GONGKAI_URL", url, 1);
        if (token)
            setenv("GONGKAI_TOKEN", token, 1);
        else
            unsetenv("GONGKAI_TOKEN");
        setenv("HOME", H.dir, 1);
        unsetenv("XDG_CONFIG_HOME");
        execv(GK_CLIENT, (char *const *)argv);
        _exit(127);
    }
}

static char *slurp(const char *path)
{
    size_t len;
    char *t = gk_h_read_file(path, &len);
    return t ? t : gk_net_xstrdup("");
}

static void finish_client(run *r, int timeout_ms)
{
    long end = now_ms() + timeout_ms;
    int st = 0;
    for (;;) {
        pid_t p = waitpid(r->pid, &st, WNOHANG);
        if (p == r->pid)
            break;
        if (now_ms() > end) {
            kill(r->pid, SIGKILL);
            waitpid(r->pid, &st, 0);
            ck_abort_msg("gongkai did not finish within %d ms", timeout_ms);
        }
        nap(20);
    }
    r->rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r->stdout_text = slurp(r->out);
    r->stderr_text = slurp(r->err);
    if (getenv("GK_VERBOSE"))   /* to look at what people would see */
        fprintf(stderr, "---- exit %d\n%s%s", r->rc, r->stdout_text, r->stderr_text);
}

static void free_run(run *r)
{
    free(r->stdout_text);
    free(r->stderr_text);
}

/* Runs to completion; the common case. */
static void client(run *r, const char *token, const char *const *args)
{
    start_client(r, token, args);
    finish_client(r, 120000);
}

#define ASSERT_RC(r, want)                                                                        \
    ck_assert_msg((r)->rc == (want), "exit %d, want %d\nstdout:\n%s\nstderr:\n%s", (r)->rc, (want), \
                  (r)->stdout_text, (r)->stderr_text)
#define ASSERT_HAS(text, needle) \
    ck_assert_msg(strstr((text), (needle)) != NULL, "missing “%s” in:\n%s", (needle), (text))
#define ASSERT_LACKS(text, needle) \
    ck_assert_msg(strstr((text), (needle)) == NULL, "unexpected “%s” in:\n%s", (needle), (text))

/* Waits until a file contains needle. */
static void wait_file_has(const char *path, const char *needle, int timeout_ms)
{
    long end = now_ms() + timeout_ms;
    while (now_ms() < end) {
        char *t = slurp(path);
        bool found = strstr(t, needle) != NULL;
        free(t);
        if (found)
            return;
        nap(25);
    }
    char *t = slurp(path);
    ck_abort_msg("“%s” did not appear in %s within %d ms:\n%s", needle, path, timeout_ms, t);
}

static long revisions(const char *entity)
{
    const char *p[] = {entity};
    return gk_h_sql_long(&H, "SELECT count(*) FROM reports WHERE entity = $1 AND year = 2020", 1, p);
}

/* ---- data ---- */

static char *write_text(const char *name, const char *text, mode_t mode)
{
    char *path = gk_net_xasprintf("%s/%s", H.dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
    return path;
}

/* The sample (贡川镇 2020) as a JSON object. */
static json_t *sample(void)
{
    json_error_t je;
    json_t *j = json_load_file(GK_TEST_DATA "/sample-350481101-2020.json", 0, &je);
    ck_assert_msg(j != NULL, "sample: %s", je.text);
    return j;
}

static void set_cell(json_t *doc, const char *table, const char *row, const char *col, json_int_t v)
{
    json_t *t = json_object_get(json_object_get(doc, "tables"), table);
    if (!t) {
        t = json_object();
        json_object_set_new(json_object_get(doc, "tables"), table, t);
    }
    json_t *r = json_object_get(t, row);
    if (!r) {
        r = json_object();
        json_object_set_new(t, row, r);
    }
    json_object_set_new(r, col, json_integer(v));
}

/* A clean report for entity: the sample with a zero appeals table,
 * `received` requests granted in full, and a purchase total with six
 * decimals (written as exact text), so the rollup workbook must carry it. */
static char *clean_report(const char *entity, int received, const char *name)
{
    json_t *d = sample();
    json_object_set_new(d, "entity", json_string(entity));
    const char *arows[] = {"review", "suit_direct", "suit_after_review"};
    const char *acols[] = {"upheld", "corrected", "other", "pending", "total"};
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 5; k++)
            set_cell(d, "appeals", arows[i], acols[k], 0);
    const char *rows[] = {"received", "granted", "total"};
    for (int i = 0; i < 3; i++) {
        set_cell(d, "requests", rows[i], "natural_person", received);
        set_cell(d, "requests", rows[i], "total", received);
    }
    json_object_set_new(json_object_get(json_object_get(json_object_get(d, "tables"), "active"), "procurement"),
                        "amount_yuan", gk_json_exact_number("73802895.123456"));
    char *text = gk_json_dumps_exact(d, JSON_INDENT(2));
    json_decref(d);
    char *path = write_text(name, text, 0644);
    free(text);
    return path;
}

static void make_token(char *out, const char *region, const char *role)
{
    char buf[1024];
    const char *args[] = {"token", "create", "--region", region, "--role", role, NULL};
    ck_assert_int_eq(gk_h_cli(&H, buf, sizeof buf, args), 0);
    char *p = strstr(buf, "gk_");
    ck_assert_msg(p != NULL, "no token in: %s", buf);
    size_t n = strspn(p, "gk_0123456789abcdef");
    ck_assert(n < 80);
    memcpy(out, p, n);
    out[n] = '\0';
}

static const char regions_csv[] =
    "code,name,parent_code\n"
    "35,福建省,\n3504,三明市,35\n350481,永安市,3504\n"
    "350481001,燕东街道,350481\n350481002,燕西街道,350481\n350481003,燕南街道,350481\n"
    "350481004,燕北街道,350481\n350481100,西洋镇,350481\n350481101,贡川镇,350481\n"
    "350481102,安砂镇,350481\n350481103,小陶镇,350481\n350481104,大湖镇,350481\n"
    "350481105,曹远镇,350481\n350481106,洪田镇,350481\n350481107,槐南镇,350481\n"
    "350481202,上坪乡,350481\n350481203,罗坊乡,350481\n350481204,青水畲族乡,350481\n";

/* Restarts the daemon on the port it had: the harness picks a new port on
 * every start, but a client mid-retry needs the old one.  The port is free
 * between the two daemons, so another process may take it (issue 13 item 5):
 * a daemon that could not bind exits at once, and is started again, a
 * bounded number of times; health counts only while our daemon is alive, so
 * a stranger's /healthz on that port is never taken for ours. */
static void daemon_restart_same_port(void)
{
    char port[16], db[300];
    snprintf(port, sizeof port, "--port=%d", H.port);
    snprintf(db, sizeof db, "--database=%s", H.conninfo);
    for (int attempt = 0; attempt < 50; attempt++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            int fd = open(H.daemon_log, O_WRONLY | O_APPEND | O_CREAT, 0600);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
            execl(GK_DAEMON, GK_DAEMON, port, db, "--reconnect-max-ms=500", (char *)NULL);
            _exit(127);
        }
        H.d_pid = pid;   /* the harness's teardown stops it */
        bool died = false;
        for (int waited = 0; waited < 20000 && !died; waited += 100) {
            bool healthy = gk_h_wait_health(&H, 200, 100) == 0;
            died = waitpid(pid, NULL, WNOHANG) == pid;
            if (healthy && !died)
                return;   /* ours answered, and it is still running */
        }
        ck_assert_msg(died, "restarted daemon not healthy within 20 s");
        H.d_pid = 0;
        usleep(100 * 1000);   /* port taken meanwhile: try again shortly */
    }
    ck_abort_msg("port %d stayed taken: the daemon could not be restarted on it", H.port);
}

static void suite_setup(void)
{
    ck_assert_int_eq(gk_h_setup(&H), 0);
    char *csv = write_text("regions.csv", regions_csv, 0644);
    const char *args[] = {"regions", "import", csv, NULL};
    char out[1024];
    ck_assert_msg(gk_h_cli(&H, out, sizeof out, args) == 0, "regions import: %s", out);
    free(csv);
    make_token(tok_town, TOWN, "submitter");
    make_token(tok_city_submit, CITY, "submitter");
    make_token(tok_city_view, CITY, "viewer");
    ck_assert_int_eq(gk_h_daemon_start(&H, NULL), 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", H.port);
}

static void suite_teardown(void)
{
    if (nginx_pid > 0) {
        kill(nginx_pid, SIGQUIT);
        waitpid(nginx_pid, NULL, 0);
        nginx_pid = 0;
    }
    gk_h_teardown(&H);
}

/* ---- the office's day: submit → status → rollup → compliance ---- */

START_TEST(submit_prints_revision_and_findings)
{
    run r;
    const char *args[] = {"submit", GK_TEST_DATA "/sample-350481101-2020.json", NULL};
    client(&r, tok_town, args);
    /* The sample lacks section 四's table: an error, so exit 1. */
    ASSERT_RC(&r, 1);
    ASSERT_HAS(r.stdout_text, "已保存为第 1 版");
    ASSERT_HAS(r.stdout_text, "structure.missing_table");
    ASSERT_HAS(r.stdout_text, "错误");
    ASSERT_LACKS(r.stdout_text, tok_town);
    ASSERT_LACKS(r.stderr_text, tok_town);
    ck_assert_int_eq(revisions(TOWN), 1);
    free_run(&r);

    /* The same content again: no new revision. */
    client(&r, tok_town, args);
    ASSERT_RC(&r, 1);
    ASSERT_HAS(r.stdout_text, "未产生新版本");
    ck_assert_int_eq(revisions(TOWN), 1);
    free_run(&r);
}
END_TEST

START_TEST(submit_clean_report_exits_zero)
{
    run r;
    char *p = clean_report(TOWN2, 3, "anshazhen.json");
    const char *args[] = {"submit", p, NULL};
    client(&r, tok_city_submit, args);
    ASSERT_HAS(r.stdout_text, "已保存为第 1 版");
    ASSERT_LACKS(r.stdout_text, "有错误");
    ASSERT_RC(&r, 0);
    ck_assert_int_eq(revisions(TOWN2), 1);
    free_run(&r);
    free(p);
}
END_TEST

START_TEST(dry_run_and_check_server_store_nothing)
{
    run r;
    char *p = clean_report(TOWN2, 5, "anshazhen-dry.json");
    const char *a1[] = {"submit", "--dry-run", p, NULL};
    client(&r, tok_city_submit, a1);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "服务端检查，未保存");
    free_run(&r);
    const char *a2[] = {"check", "--server", GK_TEST_DATA "/sample-350481101-2020.json", NULL};
    client(&r, tok_town, a2);
    ASSERT_RC(&r, 1);
    ASSERT_HAS(r.stdout_text, "服务端检查，未保存");
    ASSERT_HAS(r.stdout_text, "structure.missing_table");
    free_run(&r);
    ck_assert_int_eq(revisions(TOWN2), 1);
    ck_assert_int_eq(revisions(TOWN), 1);
    free(p);
}
END_TEST

START_TEST(status_shows_coverage_per_township)
{
    run r;
    const char *args[] = {"status", CITY, "--year", "2020", NULL};
    client(&r, tok_city_view, args);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "永安市（350481）2020 年度");
    ASSERT_HAS(r.stdout_text, "应报 15 个单位：已报 2");
    ASSERT_HAS(r.stdout_text, "未报 13");
    /* 贡川镇's line: submitted, revision 1, errors counted. */
    const char *line = strstr(r.stdout_text, "350481101");
    ck_assert_ptr_nonnull(line);
    char buf[512];
    snprintf(buf, sizeof buf, "%.*s", (int)strcspn(line, "\n"), line);
    ASSERT_HAS(buf, "贡川镇");
    /* Year 2020's deadline (2021-01-31) is long past when the test runs. */
    ASSERT_HAS(buf, "逾期报送");
    ASSERT_HAS(buf, "有错误");
    line = strstr(r.stdout_text, "350481204");
    ck_assert_ptr_nonnull(line);
    snprintf(buf, sizeof buf, "%.*s", (int)strcspn(line, "\n"), line);
    ASSERT_HAS(buf, "未报");
    /* Aligned: the 名称 column starts at the same display column on every
     * line, i.e. every code is followed by the same two spaces. */
    ASSERT_HAS(r.stdout_text, "350481101  贡川镇");
    ASSERT_HAS(r.stdout_text, "350481204  青水畲族乡");
    free_run(&r);
}
END_TEST

START_TEST(rollup_table_csv_and_json)
{
    run r;
    const char *args[] = {"rollup", CITY, "--year", "2020", NULL};
    client(&r, tok_city_view, args);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "2 份报告");
    ASSERT_HAS(r.stdout_text, "三、收到和处理政府信息公开申请情况");
    ASSERT_HAS(r.stdout_text, "二、主动公开政府信息情况");
    ASSERT_HAS(r.stdout_text, "本年新收");
    /* 0 (贡川镇) + 3 (安砂镇) new requests, both gave numbers: "3" closes
     * the line in the 总计 column. */
    const char *line = strstr(r.stdout_text, "本年新收");
    size_t n = strcspn(line, "\n");
    ck_assert_msg(n > 2 && line[n - 1] == '3' && line[n - 2] == ' ', "line: %.*s", (int)n, line);
    /* Section 四 only 安砂镇 filled: marked as 1 of 2. */
    ASSERT_HAS(r.stdout_text, "(1/2)");
    free_run(&r);

    const char *acsv[] = {"rollup", CITY, "--year", "2020", "--csv", NULL};
    client(&r, tok_city_view, acsv);
    ASSERT_RC(&r, 0);
    ck_assert_msg(!memcmp(r.stdout_text, "\xEF\xBB\xBF", 3), "CSV without BOM");
    ASSERT_HAS(r.stdout_text, "本年新收");
    free_run(&r);

    const char *ajson[] = {"rollup", CITY, "--year", "2020", "--json", NULL};
    client(&r, tok_city_view, ajson);
    ASSERT_RC(&r, 0);
    json_t *j = json_loads(r.stdout_text, 0, NULL);
    ck_assert_ptr_nonnull(j);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "rollup"), "reports")), 2);
    json_decref(j);

    /* The office's workbook, opened by openpyxl and checked against the JSON. */
    char dir[] = "/tmp/gk-xlsx-XXXXXX", book[64], ans[64], cmd[512];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(book, sizeof book, "%s/rollup.xlsx", dir);
    snprintf(ans, sizeof ans, "%s/rollup.json", dir);
    FILE *jf = fopen(ans, "w");
    ck_assert_ptr_nonnull(jf);
    fputs(r.stdout_text, jf);
    fclose(jf);
    free_run(&r);
    const char *axlsx[] = {"rollup", CITY, "--year", "2020", "--xlsx", "-o", book, NULL};
    client(&r, tok_city_view, axlsx);
    ASSERT_RC(&r, 0);
    free_run(&r);
    char comp[64];
    snprintf(comp, sizeof comp, "%s/compliance.json", dir);
    const char *acomp[] = {"compliance", CITY, "--year", "2020", "--json", NULL};
    client(&r, tok_city_view, acomp);
    ASSERT_RC(&r, 0);
    jf = fopen(comp, "w");
    ck_assert_ptr_nonnull(jf);
    fputs(r.stdout_text, jf);
    fclose(jf);
    free_run(&r);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/check_rollup_xlsx.py %s %s %s",
             GK_CLIENT_TESTS_DIR, book, ans, comp);
    ck_assert_int_eq(system(cmd), 0);
    /* The daemon's own workbook (GET …/rollup?format=xlsx): same checks,
     * its headers, and the ETag answering 304. */
    char path[160], hdr[256];
    snprintf(path, sizeof path, "/api/v1/regions/%s/rollup?year=2020&format=xlsx", CITY);
    gk_resp rs = gk_h_call(&H, "GET", path, tok_city_view, NULL, NULL);
    ck_assert_int_eq(rs.status, 200);
    ck_assert_ptr_nonnull(gk_resp_header(&rs, "Content-Type", hdr, sizeof hdr));
    ck_assert_str_eq(hdr, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    ck_assert_ptr_nonnull(gk_resp_header(&rs, "Content-Disposition", hdr, sizeof hdr));
    ASSERT_HAS(hdr, "attachment; filename=\"rollup-" CITY "-2020.xlsx\"");
    ASSERT_HAS(hdr, "filename*=UTF-8''%E6%B1%87%E6%80%BB-" CITY "-2020.xlsx");
    ck_assert(rs.body_len > 4 && !memcmp(rs.body, "PK\x03\x04", 4));
    char etag[128], inm[160];
    ck_assert_ptr_nonnull(gk_resp_header(&rs, "ETag", etag, sizeof etag));
    ck_assert_msg(strstr(etag, "rx-") != NULL, "etag %s", etag);
    snprintf(book, sizeof book, "%s/daemon.xlsx", dir);
    jf = fopen(book, "wb");
    ck_assert_ptr_nonnull(jf);
    ck_assert_uint_eq(fwrite(rs.body, 1, rs.body_len, jf), rs.body_len);
    fclose(jf);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/check_rollup_xlsx.py %s %s %s",
             GK_CLIENT_TESTS_DIR, book, ans, comp);
    ck_assert_int_eq(system(cmd), 0);
    unlink(book);
    /* again: the cached answer (cache.c), the same bytes and headers */
    size_t first_len = rs.body_len;
    gk_resp_free(&rs);
    rs = gk_h_call(&H, "GET", path, tok_city_view, NULL, NULL);
    ck_assert_int_eq(rs.status, 200);
    ck_assert_uint_eq(rs.body_len, first_len);
    ck_assert_ptr_nonnull(gk_resp_header(&rs, "Content-Disposition", hdr, sizeof hdr));
    ASSERT_HAS(hdr, "filename*=UTF-8''");
    ck_assert_ptr_nonnull(gk_resp_header(&rs, "Content-Type", hdr, sizeof hdr));
    ck_assert_str_eq(hdr, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    gk_resp_free(&rs);
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    rs = gk_h_call(&H, "GET", path, tok_city_view, NULL, inm);
    ck_assert_int_eq(rs.status, 304);
    gk_resp_free(&rs);
    snprintf(path, sizeof path, "/api/v1/regions/%s/rollup?year=2020&format=xlsx", CITY);
    rs = gk_h_call(&H, "GET", path, "not-a-token", NULL, NULL);
    ck_assert_int_eq(rs.status, 401);
    gk_resp_free(&rs);
    rs = gk_h_call(&H, "GET", path, tok_town, NULL, NULL);   /* a township's token: not its county */
    ck_assert_int_eq(rs.status, 403);
    ck_assert_ptr_null(gk_resp_header(&rs, "Content-Disposition", hdr, sizeof hdr));
    gk_resp_free(&rs);
    snprintf(path, sizeof path, "/api/v1/regions/%s/rollup?year=2020&format=pdf", CITY);
    rs = gk_h_call(&H, "GET", path, tok_city_view, NULL, NULL);
    ck_assert_int_eq(rs.status, 400);
    gk_resp_free(&rs);
    snprintf(book, sizeof book, "%s/rollup.xlsx", dir);
    const char *nofile[] = {"rollup", CITY, "--year", "2020", "--xlsx", NULL};
    client(&r, tok_city_view, nofile);
    ASSERT_RC(&r, 2);
    free_run(&r);
    unlink(book);
    unlink(ans);
    unlink(comp);
    rmdir(dir);
}
END_TEST

/* `rollup --docx`: the county's draft whole-area report (lib/render), read
 * back by an independent reader (Python's zipfile): the national layout with
 * the sums, "(1/2)" where one of two reports gave a number, prose to write. */
START_TEST(rollup_docx_is_the_draft_report)
{
    run r;
    char dir[] = "/tmp/gk-rdocx-XXXXXX", doc[64], cmd[1024];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(doc, sizeof doc, "%s/draft.docx", dir);
    const char *args[] = {"rollup", CITY, "--year", "2020", "--docx", "-o", doc, NULL};
    client(&r, tok_city_view, args);
    ASSERT_RC(&r, 0);
    free_run(&r);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); "
             "assert z.testzip() is None; x = z.read('word/document.xml').decode(); "
             "[sys.exit('missing ' + w) for w in ('永安市', '2020年政府信息公开工作年度报告', '汇总稿', "
             "'三、收到和处理政府信息公开申请情况', '法人或其他组织', 'w:gridSpan', 'w:vMerge', "
             "'(1/2)', '（待填写）') if w not in x]\" %s",
             doc);
    ck_assert_int_eq(system(cmd), 0);
    const char *nofile[] = {"rollup", CITY, "--year", "2020", "--docx", NULL};
    client(&r, tok_city_view, nofile);
    ASSERT_RC(&r, 2);
    free_run(&r);
    unlink(doc);
    rmdir(dir);
}
END_TEST

START_TEST(compliance_lists_findings_per_township)
{
    run r;
    const char *args[] = {"compliance", CITY, "--year", "2020", NULL};
    client(&r, tok_city_view, args);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "350481101 贡川镇：第 1 版");
    ASSERT_HAS(r.stdout_text, "structure.missing_table");
    ASSERT_HAS(r.stdout_text, "350481204 青水畲族乡：未报送");
    free_run(&r);
    const char *a2[] = {"compliance", CITY, "--year", "2020", "--problems", NULL};
    client(&r, tok_city_view, a2);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "贡川镇");
    free_run(&r);
}
END_TEST

START_TEST(history_and_show)
{
    run r;
    const char *a1[] = {"history", TOWN, "--year", "2020", NULL};
    client(&r, tok_city_view, a1);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "共 1 个版本");
    ASSERT_HAS(r.stdout_text, "有错误");
    free_run(&r);
    const char *a2[] = {"show", TOWN, "--year", "2020", "--revision", "1", NULL};
    client(&r, tok_city_view, a2);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "第 1 版");
    ASSERT_HAS(r.stdout_text, "三、收到和处理政府信息公开申请情况");
    ASSERT_HAS(r.stdout_text, "structure.missing_table");
    free_run(&r);
    const char *a3[] = {"show", TOWN, "--year", "2020", "--report", NULL};
    client(&r, tok_city_view, a3);
    ASSERT_RC(&r, 0);
    json_t *j = json_loads(r.stdout_text, 0, NULL);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(j, "entity")), TOWN);
    json_decref(j);
    free_run(&r);
    const char *a4[] = {"show", TOWN, "--year", "2020", "--revision", "9", NULL};
    client(&r, tok_city_view, a4);
    ASSERT_RC(&r, 1);
    ASSERT_HAS(r.stderr_text, "404");
    free_run(&r);
}
END_TEST

/* ---- the failures people meet ---- */

START_TEST(wrong_token_is_401_and_never_printed)
{
    run r;
    const char *bad = "gk_0000000000000000000000000000000000000000000000000000000000000000";
    const char *args[] = {"status", CITY, "--year", "2020", NULL};
    client(&r, bad, args);
    ASSERT_RC(&r, 3);
    ASSERT_HAS(r.stderr_text, "401");
    ASSERT_HAS(r.stderr_text, "GONGKAI_TOKEN");
    ASSERT_LACKS(r.stderr_text, bad);
    ASSERT_LACKS(r.stdout_text, bad);
    free_run(&r);
    client(&r, NULL, args);
    ASSERT_RC(&r, 2);
    ASSERT_HAS(r.stderr_text, "未提供令牌");
    free_run(&r);
    const char *targ[] = {"status", CITY, "--year", "2020", "--token", "abc", NULL};
    client(&r, NULL, targ);
    ASSERT_RC(&r, 2);
    ASSERT_HAS(r.stderr_text, "令牌不能写在命令行上");
    free_run(&r);
}
END_TEST

START_TEST(outside_scope_is_403)
{
    run r;
    char *p = clean_report(TOWN2, 1, "anshazhen-403.json");
    const char *args[] = {"submit", p, NULL};
    client(&r, tok_town, args);   /* 贡川镇's token, 安砂镇's report */
    ASSERT_RC(&r, 3);
    ASSERT_HAS(r.stderr_text, "403");
    ck_assert_int_eq(revisions(TOWN2), 1);
    free_run(&r);
    free(p);
}
END_TEST

START_TEST(missing_file_and_not_a_report)
{
    run r;
    char *nojson = write_text("broken.json", "{\"format\": \"2019\",\n  \"year\": 2020,,\n}", 0644);
    char *notreport = write_text("list.json", "[1, 2, 3]", 0644);
    const char *a1[] = {"submit", "/nonexistent/贡川镇.json", NULL};
    client(&r, tok_town, a1);
    ASSERT_RC(&r, 2);
    ASSERT_HAS(r.stderr_text, "文件不存在");
    free_run(&r);
    const char *a2[] = {"submit", nojson, notreport, NULL};
    client(&r, tok_town, a2);
    ASSERT_RC(&r, 2);
    ASSERT_HAS(r.stderr_text, "broken.json: 不是年度报告 JSON");
    ASSERT_HAS(r.stderr_text, "list.json: 不是年度报告 JSON");
    ASSERT_HAS(r.stderr_text, "2");   /* names the line */
    free_run(&r);
    free(nojson);
    free(notreport);
}
END_TEST

START_TEST(readable_config_file_is_refused)
{
    run r;
    char *cmd = gk_net_xasprintf("mkdir -p '%s/.config/gongkai'", H.dir);
    ck_assert_int_eq(system(cmd), 0);
    char *body = gk_net_xasprintf("token = %s\n", tok_city_view);
    char *cfg = write_text(".config/gongkai/config", body, 0644);
    const char *args[] = {"status", CITY, "--year", "2020", NULL};
    client(&r, NULL, args);
    ASSERT_RC(&r, 2);
    ASSERT_HAS(r.stderr_text, "chmod 600");
    ASSERT_LACKS(r.stderr_text, tok_city_view);
    free_run(&r);
    chmod(cfg, 0600);
    client(&r, NULL, args);
    ASSERT_RC(&r, 0);
    free_run(&r);
    unlink(cfg);
    free(cfg);
    free(body);
    free(cmd);
}
END_TEST

START_TEST(server_down_is_reported_clearly)
{
    ck_assert_int_eq(gk_h_daemon_stop(&H, NULL), 0);
    run r;
    const char *args[] = {"status", CITY, "--year", "2020", "--retries", "0", NULL};
    client(&r, tok_city_view, args);
    ASSERT_RC(&r, 3);
    ASSERT_HAS(r.stderr_text, "无法连接服务器");
    ASSERT_HAS(r.stderr_text, "服务器未运行");
    free_run(&r);
    daemon_restart_same_port();
}
END_TEST

/* ---- retries never make a second revision ---- */

START_TEST(retry_across_daemon_restart_makes_one_revision)
{
    long before = revisions(TOWN2);
    char *p = clean_report(TOWN2, 7, "anshazhen-v2.json");
    ck_assert_int_eq(gk_h_daemon_stop(&H, NULL), 0);
    run r;
    const char *args[] = {"submit", "--retries", "10", p, NULL};
    start_client(&r, tok_city_submit, args);
    wait_file_has(r.err, "重试", 20000);     /* it has failed at least once */
    daemon_restart_same_port();
    finish_client(&r, 120000);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "已保存为第 2 版");
    ck_assert_int_eq(revisions(TOWN2), before + 1);
    free_run(&r);
    free(p);
}
END_TEST

START_TEST(retry_after_lost_answer_makes_one_revision)
{
    long before = revisions(TOWN2);
    char *p = clean_report(TOWN2, 9, "anshazhen-v3.json");
    /* Frozen, the daemon's socket still accepts and buffers the request;
     * the client times out, and the daemon handles the request when it
     * thaws — stored, with nobody left to hear the answer.  The retry
     * carries the same Idempotency-Key. */
    ck_assert_int_eq(kill(H.d_pid, SIGSTOP), 0);
    run r;
    const char *args[] = {"submit", "--timeout", "2", "--retries", "10", p, NULL};
    start_client(&r, tok_city_submit, args);
    wait_file_has(r.err, "超时", 20000);
    ck_assert_int_eq(kill(H.d_pid, SIGCONT), 0);
    finish_client(&r, 120000);
    ASSERT_RC(&r, 0);
    ck_assert_int_eq(revisions(TOWN2), before + 1);
    /* Whether the thawed daemon stored the first attempt (the retry is then
     * a replay) or dropped it, the client names the one new revision. */
    char want[64];
    snprintf(want, sizeof want, "保存为第 %ld 版", before + 1);
    ASSERT_HAS(r.stdout_text, want);
    ck_assert_int_eq(gk_h_wait_health(&H, 200, 10000), 0);
    free_run(&r);
    free(p);
}
END_TEST

/* The key itself, through the client's transport: A with key K, then B
 * (so A is no longer the current content), then A with K again — a replay
 * of K's revision, not a third revision. */
START_TEST(same_idempotency_key_is_replayed)
{
    gk_net_config cfg = {0};
    gk_net_error err;
    gk_net_response rs;
    char key[33];
    long before = revisions(TOWN2);
    cfg.url = gk_net_xstrdup(url);
    cfg.token = gk_net_xstrdup(tok_city_submit);
    cfg.token_origin = gk_net_xstrdup("测试");
    cfg.timeout_s = 10;
    cfg.connect_timeout_s = 5;
    cfg.retries = 0;
    cfg.retry_base_ms = 50;
    cfg.retry_cap_ms = 100;
    gk_net *n = gk_net_new(&cfg, &err);
    ck_assert_ptr_nonnull(n);
    ck_assert_int_eq(gk_net_random_hex(key, sizeof key), 0);
    char *p = clean_report(TOWN2, 11, "anshazhen-v4.json");
    size_t len;
    char *body = gk_h_read_file(p, &len);
    gk_net_request rq = {.method = "POST", .path = "/api/v1/reports", .body = body, .body_len = len,
                         .content_type = "application/json", .idempotency_key = key, .auth = true};
    ck_assert_int_eq(gk_net_send(n, &rq, &rs, &err), 0);
    ck_assert_int_eq(rs.status, 201);
    json_t *a = json_loads(rs.body, 0, NULL);
    json_int_t rev = json_integer_value(json_object_get(a, "revision"));
    json_decref(a);
    gk_net_response_free(&rs);
    char *p2 = clean_report(TOWN2, 12, "anshazhen-v5.json");
    size_t len2;
    char *body2 = gk_h_read_file(p2, &len2);
    gk_net_request rq2 = {.method = "POST", .path = "/api/v1/reports", .body = body2, .body_len = len2,
                          .content_type = "application/json", .auth = true};
    ck_assert_int_eq(gk_net_send(n, &rq2, &rs, &err), 0);
    ck_assert_int_eq(rs.status, 201);
    gk_net_response_free(&rs);
    ck_assert_int_eq(gk_net_send(n, &rq, &rs, &err), 0);
    ck_assert_int_eq(rs.status, 200);
    a = json_loads(rs.body, 0, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "revision")), rev);
    json_decref(a);
    gk_net_response_free(&rs);
    ck_assert_int_eq(revisions(TOWN2), before + 2);
    free(body2);
    free(p2);
    free(body);
    free(p);
    gk_net_free(n);
    gk_net_config_free(&cfg);
}
END_TEST

/* ---- TLS through nginx ---- */

static int free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static bool port_open(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static void start_tls_proxy(void)
{
    if (nginx_pid > 0)
        return;
    char *d = gk_net_xasprintf("%s/tls", H.dir);
    ck_assert_int_eq(mkdir(d, 0755), 0);
    /* A private CA and a server certificate for "localhost" only (no IP
     * address in it, so https://127.0.0.1 must fail the name check). */
    char *cmd = gk_net_xasprintf(
        "cd '%s' && printf 'subjectAltName=DNS:localhost\\n' > san.ext && "
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
        "-subj '/CN=gongkai test CA' >openssl.log 2>&1 && "
        "openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj '/CN=localhost' "
        ">>openssl.log 2>&1 && "
        "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem "
        "-days 2 -extfile san.ext >>openssl.log 2>&1 && mkdir -p tmp && chmod 777 tmp",
        d);
    ck_assert_msg(system(cmd) == 0, "openssl failed, see %s/openssl.log", d);
    /* nginx cannot bind port 0 and tell us: it gets a likely free port and,
     * when that is taken meanwhile (EADDRINUSE), another (issue 13). */
    int port = 0;
    char *conf = NULL, *confpath = NULL;
    for (int attempt = 0;; attempt++) {
        ck_assert_msg(attempt < 10, "nginx: every port tried was taken");
        port = free_port();
        conf = gk_net_xasprintf(
            "worker_processes 1;\ndaemon off;\npid %s/nginx.pid;\nerror_log %s/nginx.log;\n"
            "events { worker_connections 64; }\n"
            "http {\n  log_format keys '$request_method $uri $status [$http_idempotency_key]';\n"
            "  access_log %s/access.log keys;\n  client_body_temp_path %s/tmp/body;\n"
            "  proxy_temp_path %s/tmp/proxy;\n  fastcgi_temp_path %s/tmp/fcgi;\n"
            "  uwsgi_temp_path %s/tmp/uwsgi;\n  scgi_temp_path %s/tmp/scgi;\n"
            "  client_body_buffer_size 1m;\n  client_max_body_size 16m;\n"
            "  server {\n    listen 127.0.0.1:%d ssl;\n    server_name localhost;\n"
            "    ssl_certificate %s/srv.pem;\n    ssl_certificate_key %s/srv.key;\n"
            "    location / { proxy_pass http://127.0.0.1:%d; proxy_http_version 1.1;\n"
            "      proxy_set_header Connection \"\"; }\n  }\n}\n",
            d, d, d, d, d, d, d, d, port, d, d, H.port);
        confpath = gk_net_xasprintf("%s/nginx.conf", d);
        FILE *f = fopen(confpath, "w");
        ck_assert_ptr_nonnull(f);
        fputs(conf, f);
        fclose(f);
        nginx_pid = fork();
        ck_assert_int_ge(nginx_pid, 0);
        if (nginx_pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGQUIT);
            char *log = gk_net_xasprintf("%s/nginx.out", d);
            int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
            execlp("nginx", "nginx", "-p", d, "-c", confpath, (char *)NULL);
            _exit(127);
        }
        long end = now_ms() + 15000;
        /* nginx writes its pid file once its sockets are bound */
        char *pidfile = gk_net_xasprintf("%s/nginx.pid", d);
        bool exited = false;
        while (access(pidfile, F_OK) != 0 || !port_open(port)) {
            int st;
            if (waitpid(nginx_pid, &st, WNOHANG) == nginx_pid) {
                exited = true;
                break;
            }
            ck_assert_msg(now_ms() < end, "nginx did not listen in time");
            nap(25);
        }
        free(pidfile);
        if (!exited)
            break;
        nginx_pid = 0;
        /* the bind error goes to the error log, or to stderr (nginx.out) */
        char *errlog = gk_net_xasprintf("%s/nginx.log", d), *out = gk_net_xasprintf("%s/nginx.out", d);
        char *text = gk_h_read_file(errlog, NULL), *text2 = gk_h_read_file(out, NULL);
        bool in_use = (text != NULL && strstr(text, "Address already in use") != NULL) ||
                      (text2 != NULL && strstr(text2, "Address already in use") != NULL);
        ck_assert_msg(in_use, "nginx exited, see %s and %s", errlog, out);
        free(text);
        free(text2);
        unlink(errlog);
        free(errlog);
        free(out);
        free(confpath);
        free(conf);
    }
    snprintf(tls_url, sizeof tls_url, "https://localhost:%d", port);
    snprintf(tls_ip_url, sizeof tls_ip_url, "https://127.0.0.1:%d", port);
    snprintf(ca_pem, sizeof ca_pem, "%s/ca.pem", d);
    free(confpath);
    free(conf);
    free(cmd);
    free(d);
}

START_TEST(tls_verifies_with_cacert)
{
    start_tls_proxy();
    run r;
    const char *args[] = {"status", CITY, "--year", "2020", "--url", tls_url, "--cacert", ca_pem, NULL};
    client(&r, tok_city_view, args);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "贡川镇");
    free_run(&r);
    char *p = clean_report(TOWN2, 13, "anshazhen-tls.json");
    const char *sargs[] = {"submit", "--url", tls_url, "--cacert", ca_pem, p, NULL};
    long before = revisions(TOWN2);
    client(&r, tok_city_submit, sargs);
    ASSERT_RC(&r, 0);
    ck_assert_int_eq(revisions(TOWN2), before + 1);
    free_run(&r);
    free(p);
}
END_TEST

/* Behind the proxy a stopped daemon is a 502: retried, and every attempt
 * carries the same Idempotency-Key — read from nginx's own access log. */
START_TEST(retry_through_proxy_reuses_one_key)
{
    start_tls_proxy();
    char *log = gk_net_xasprintf("%s/tls/access.log", H.dir);
    char *old = slurp(log);
    size_t from = strlen(old);
    free(old);
    long before = revisions(TOWN2);
    char *p = clean_report(TOWN2, 17, "anshazhen-proxy.json");
    ck_assert_int_eq(gk_h_daemon_stop(&H, NULL), 0);
    run r;
    const char *args[] = {"submit", "--url", tls_url, "--cacert", ca_pem, "--retries", "10", p, NULL};
    start_client(&r, tok_city_submit, args);
    wait_file_has(r.err, "502", 20000);
    daemon_restart_same_port();
    finish_client(&r, 120000);
    ASSERT_RC(&r, 0);
    ck_assert_int_eq(revisions(TOWN2), before + 1);

    char *all = slurp(log);
    char key[256] = "";
    int attempts = 0, gateway = 0;
    for (char *line = all + from; *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (!strncmp(line, "POST /api/v1/reports ", 21)) {
            char *k = strchr(line, '[');
            ck_assert_ptr_nonnull(k);
            ck_assert_msg(strcmp(k, "[]") && strcmp(k, "[-]"), "attempt without a key: %s", line);
            if (!key[0])
                snprintf(key, sizeof key, "%s", k);
            ck_assert_msg(!strcmp(k, key), "key changed between attempts: %s vs %s", key, k);
            attempts++;
            if (strstr(line, " 502 "))
                gateway++;
        }
        line = nl ? nl + 1 : line + strlen(line);
    }
    ck_assert_msg(attempts >= 2 && gateway >= 1, "attempts %d, 502s %d:\n%s", attempts, gateway,
                  all + from);
    free(all);
    free_run(&r);
    free(p);
    free(log);
}
END_TEST

START_TEST(tls_fails_clearly_without_cacert)
{
    start_tls_proxy();
    run r;
    const char *args[] = {"status", CITY, "--year", "2020", "--url", tls_url, NULL};
    client(&r, tok_city_view, args);
    ASSERT_RC(&r, 3);
    ASSERT_HAS(r.stderr_text, "证书无法验证");
    ASSERT_HAS(r.stderr_text, "--cacert");
    ASSERT_LACKS(r.stderr_text, "重试");     /* a certificate does not heal by waiting */
    ASSERT_LACKS(r.stderr_text, tok_city_view);
    free_run(&r);
}
END_TEST

START_TEST(tls_name_mismatch_is_named)
{
    start_tls_proxy();
    run r;
    const char *args[] = {"status", CITY, "--year", "2020", "--url", tls_ip_url, "--cacert", ca_pem, NULL};
    client(&r, tok_city_view, args);
    ASSERT_RC(&r, 3);
    ASSERT_HAS(r.stderr_text, "证书与地址");
    free_run(&r);
}
END_TEST

START_TEST(plain_http_to_remote_host_is_refused)
{
    run r;
    const char *args[] = {"status", CITY, "--year", "2020", "--url", "http://gongkai.example.gov.cn", NULL};
    client(&r, tok_city_view, args);
    ASSERT_RC(&r, 2);
    ASSERT_HAS(r.stderr_text, "--insecure-http");
    free_run(&r);
}
END_TEST

/* `gongkai review`: the township sees the state and the office's comment;
 * only the office returns; `status` shows the state per township. */
START_TEST(review_return_seen_by_township)
{
    run r;
    const char *show[] = {"review", TOWN, "--year", "2020", NULL};
    client(&r, tok_town, show);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "审核状态：待审核");
    ASSERT_HAS(r.stdout_text, "尚无审核记录");
    free_run(&r);
    const char *self[] = {"review", TOWN, "--year", "2020", "--return", "自己退回", NULL};
    client(&r, tok_town, self);
    ASSERT_RC(&r, 3);
    free_run(&r);
    const char *blank[] = {"review", TOWN, "--year", "2020", "--return", " ", NULL};
    client(&r, tok_city_view, blank);
    ASSERT_RC(&r, 2);
    ASSERT_HAS(r.stderr_text, "须写明需要修改的内容");
    free_run(&r);
    const char *ret[] = {"review", TOWN, "--year", "2020", "--return", "表三第二行合计有误，请更正", NULL};
    client(&r, tok_city_view, ret);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "审核状态：退回修改");
    free_run(&r);
    client(&r, tok_town, show);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "审核意见：表三第二行合计有误，请更正");
    ASSERT_HAS(r.stdout_text, "退回修改");
    free_run(&r);
    /* a returned report is not accepted before it is corrected: 409, exit 3 */
    const char *acc[] = {"review", TOWN, "--year", "2020", "--accept", NULL};
    client(&r, tok_city_view, acc);
    ASSERT_RC(&r, 3);
    free_run(&r);
    const char *st[] = {"status", CITY, "--year", "2020", NULL};
    client(&r, tok_city_view, st);
    ASSERT_RC(&r, 0);
    const char *line = strstr(r.stdout_text, "350481101");
    ck_assert_ptr_nonnull(line);
    char buf[512];
    snprintf(buf, sizeof buf, "%.*s", (int)strcspn(line, "\n"), line);
    ASSERT_HAS(buf, "退回修改");
    free_run(&r);
}
END_TEST

/* `gongkai review mark`, `status --review`, `history` (issue 17): the office
 * dismisses one finding with a reason, compliance prints the mark, the board
 * filters by review state, and the township reads state and comment in its
 * history.  Runs after review_return_seen_by_township (TOWN is returned). */
START_TEST(review_mark_filter_and_history)
{
    run r;
    const char *q = "SELECT f->>'code' || '|' || (f->>'path') FROM report_current c JOIN reports p"
                    " ON p.entity = c.entity AND p.year = c.year AND p.revision = c.revision,"
                    " jsonb_array_elements(coalesce(c.findings, p.findings)) f"
                    " WHERE c.entity = '" TOWN "' AND c.year = 2020 ORDER BY 1 LIMIT 1";
    char *cp = gk_h_sql1(&H, q, 0, NULL);
    ck_assert_msg(cp != NULL, "the township's report has no finding to mark");
    char *bar = strchr(cp, '|');
    *bar = '\0';
    const char *town_try[] = {"review", "mark", TOWN, "--year", "2020", "--code", cp, "--path", bar + 1,
                              "--dismiss", "自己不采纳", NULL};
    client(&r, tok_town, town_try);
    ASSERT_RC(&r, 3);   /* 403: a township never reviews */
    free_run(&r);
    const char *no_reason[] = {"review", "mark", TOWN, "--year", "2020", "--code", cp, "--dismiss", " ", NULL};
    client(&r, tok_city_view, no_reason);
    ASSERT_RC(&r, 2);
    ASSERT_HAS(r.stderr_text, "须写明理由");
    free_run(&r);
    const char *dis[] = {"review", "mark", TOWN, "--year", "2020", "--code", cp, "--path", bar + 1,
                         "--dismiss", "经核实属填报口径差异", NULL};
    client(&r, tok_city_view, dis);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "生效的标记（1 条）");
    ASSERT_HAS(r.stdout_text, "不予采纳");
    free_run(&r);
    const char *comp[] = {"compliance", CITY, "--year", "2020", NULL};
    client(&r, tok_city_view, comp);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "审核：不予采纳");
    ASSERT_HAS(r.stdout_text, "经核实属填报口径差异");
    ASSERT_HAS(r.stdout_text, "不予采纳 1 条");
    free_run(&r);
    free(cp);

    const char *st[] = {"status", CITY, "--year", "2020", "--review", "returned", NULL};
    client(&r, tok_city_view, st);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, TOWN);
    ASSERT_LACKS(r.stdout_text, TOWN2);
    ASSERT_HAS(r.stdout_text, "只列出审核状态为“退回修改”");
    free_run(&r);
    const char *st_acc[] = {"status", CITY, "--year", "2020", "--review", "accepted", NULL};
    client(&r, tok_city_view, st_acc);
    ASSERT_RC(&r, 0);
    ASSERT_LACKS(r.stdout_text, TOWN);
    free_run(&r);
    const char *st_bad[] = {"status", CITY, "--year", "2020", "--review", "done", NULL};
    client(&r, tok_city_view, st_bad);
    ASSERT_RC(&r, 2);
    free_run(&r);

    const char *showr[] = {"show", TOWN, "--year", "2020", NULL};
    client(&r, tok_town, showr);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "审核：不予采纳");
    free_run(&r);
    const char *hist[] = {"history", TOWN, "--year", "2020", NULL};
    client(&r, tok_town, hist);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "审核状态：退回修改");
    ASSERT_HAS(r.stdout_text, "审核意见：表三第二行合计有误，请更正");
    free_run(&r);
}
END_TEST

/* `gongkai supervision` (issue 17 item 5): after the office confirms a
 * finding of TOWN (superseding the dismissal of review_mark_filter_and_history),
 * the list prints it with the unit; --xlsx saves the server's workbook,
 * which openpyxl opens with the finding on its 确认问题 sheet. */
START_TEST(supervision_prints_and_saves)
{
    run r;
    const char *q = "SELECT code || '|' || path FROM finding_marks WHERE entity = '" TOWN "' ORDER BY id LIMIT 1";
    char *cp = gk_h_sql1(&H, q, 0, NULL);
    ck_assert_msg(cp != NULL, "review_mark_filter_and_history left no mark");
    char *bar = strchr(cp, '|');
    *bar = '\0';
    const char *conf[] = {"review", "mark", TOWN, "--year", "2020", "--code", cp, "--path", bar + 1, "--confirm", NULL};
    client(&r, tok_city_view, conf);
    ASSERT_RC(&r, 0);
    free_run(&r);
    const char *show[] = {"supervision", CITY, "--year", "2020", NULL};
    client(&r, tok_city_view, show);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "一、未报送的单位");
    ASSERT_HAS(r.stdout_text, "经审核确认须整改的问题（1 条）");
    ASSERT_HAS(r.stdout_text, "350481101 贡川镇");
    free_run(&r);
    char dir[] = "/tmp/gk-sup-XXXXXX", book[64], cmd[512];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(book, sizeof book, "%s/tongbao.xlsx", dir);
    const char *save[] = {"supervision", CITY, "--year", "2020", "--xlsx", book, NULL};
    client(&r, tok_city_view, save);
    ASSERT_RC(&r, 0);
    free_run(&r);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import openpyxl,sys; ws=openpyxl.load_workbook(sys.argv[1])['确认问题'];"
             " rows=[r for r in ws.iter_rows(min_row=2, values_only=True) if r[0]];"
             " sys.exit(0 if len(rows)==1 and rows[0][1]=='%s' and rows[0][4]=='%s' else 1)\" %s",
             TOWN, cp, book);
    ck_assert_msg(system(cmd) == 0, "%s", cmd);
    char doc[64];
    snprintf(doc, sizeof doc, "%s/tongbao.docx", dir);
    const char *save_docx[] = {"supervision", CITY, "--year", "2020", "--docx", doc, NULL};
    client(&r, tok_city_view, save_docx);
    ASSERT_RC(&r, 0);
    free_run(&r);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import zipfile,sys; x=zipfile.ZipFile(sys.argv[1]).read('word/document.xml').decode();"
             " sys.exit(0 if '贡川镇' in x and '通报' in x else 1)\" %s", doc);
    ck_assert_msg(system(cmd) == 0, "%s", cmd);
    unlink(doc);
    const char *bad[] = {"supervision", CITY, "--year", "2020", "--xlsx", "/nonexistent/dir/x.xlsx", NULL};
    client(&r, tok_city_view, bad);
    ASSERT_RC(&r, 3);
    ASSERT_HAS(r.stderr_text, "无法写入");
    free_run(&r);
    unlink(book);
    rmdir(dir);
    free(cp);
}
END_TEST

/* `gongkai benchmark`: the quartiles and each unit's rank; every cell
 * without --cell; the trend; a bad cell or level is the server's clear 422
 * (exit 3), --trend without --cell a usage error (exit 2). */
START_TEST(benchmark_prints_quartiles)
{
    run r;
    const char *a[] = {"benchmark", CITY, "--year", "2020", "--cell", "tables.active.licensing.decisions", NULL};
    client(&r, tok_city_view, a);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "参与比较");
    ASSERT_HAS(r.stdout_text, "中位数");
    ASSERT_HAS(r.stdout_text, "贡川镇");
    free_run(&r);
    const char *bad[] = {"benchmark", CITY, "--year", "2020", "--cell", "tables.nothing.here", NULL};
    client(&r, tok_city_view, bad);
    ASSERT_RC(&r, 3);
    ASSERT_HAS(r.stderr_text, "invalid_cell");
    free_run(&r);
    const char *all[] = {"benchmark", CITY, "--year", "2020", NULL};
    client(&r, tok_city_view, all);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "全部单元格");
    ASSERT_HAS(r.stdout_text, "tables.active.procurement.amount_yuan");
    free_run(&r);
    const char *tr[] = {"benchmark", CITY, "--year", "2020", "--cell", "tables.active.licensing.decisions",
                        "--trend", "--years", "2", NULL};
    client(&r, tok_city_view, tr);
    ASSERT_RC(&r, 0);
    ASSERT_HAS(r.stdout_text, "逐年趋势");
    ASSERT_HAS(r.stdout_text, "2019");
    free_run(&r);
    const char *lv[] = {"benchmark", CITY, "--year", "2020", "--level", "city", NULL};
    client(&r, tok_city_view, lv);
    ASSERT_RC(&r, 3);
    ASSERT_HAS(r.stderr_text, "invalid_level");
    free_run(&r);
    const char *none[] = {"benchmark", CITY, "--year", "2020", "--trend", NULL};
    client(&r, tok_city_view, none);
    ASSERT_RC(&r, 2);
    ASSERT_HAS(r.stderr_text, "--cell");
    free_run(&r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("client_e2e");
    TCase *tc = tcase_create("e2e");
    tcase_set_timeout(tc, 600);
    tcase_add_unchecked_fixture(tc, suite_setup, suite_teardown);
    tcase_add_test(tc, submit_prints_revision_and_findings);
    tcase_add_test(tc, submit_clean_report_exits_zero);
    tcase_add_test(tc, dry_run_and_check_server_store_nothing);
    tcase_add_test(tc, status_shows_coverage_per_township);
    tcase_add_test(tc, rollup_table_csv_and_json);
    tcase_add_test(tc, rollup_docx_is_the_draft_report);
    tcase_add_test(tc, compliance_lists_findings_per_township);
    tcase_add_test(tc, history_and_show);
    tcase_add_test(tc, review_return_seen_by_township);
    tcase_add_test(tc, review_mark_filter_and_history);
    tcase_add_test(tc, supervision_prints_and_saves);
    tcase_add_test(tc, benchmark_prints_quartiles);
    tcase_add_test(tc, wrong_token_is_401_and_never_printed);
    tcase_add_test(tc, outside_scope_is_403);
    tcase_add_test(tc, missing_file_and_not_a_report);
    tcase_add_test(tc, readable_config_file_is_refused);
    tcase_add_test(tc, plain_http_to_remote_host_is_refused);
    tcase_add_test(tc, server_down_is_reported_clearly);
    tcase_add_test(tc, retry_across_daemon_restart_makes_one_revision);
    tcase_add_test(tc, retry_after_lost_answer_makes_one_revision);
    tcase_add_test(tc, same_idempotency_key_is_replayed);
    tcase_add_test(tc, tls_verifies_with_cacert);
    tcase_add_test(tc, retry_through_proxy_reuses_one_key);
    tcase_add_test(tc, tls_fails_clearly_without_cacert);
    tcase_add_test(tc, tls_name_mismatch_is_named);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
