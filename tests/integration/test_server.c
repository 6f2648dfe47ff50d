/* test_server.c — the daemon as a server: start-up, health, metrics,
 * formats, routing errors, configuration documentation, migrations run
 * twice, clean stop on SIGTERM, and surviving a PostgreSQL restart. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "harness.h"

static gk_h H;

static int get(const char *path, gk_resp *r)
{
    return gk_h_http(&H, "GET", path, NULL, NULL, 0, r);
}

START_TEST(health_and_metrics)
{
    gk_resp r;
    ck_assert_int_eq(get("/healthz", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "{\"status\":\"ok\",\"database\":\"up\"}");
    gk_resp_free(&r);
    ck_assert_int_eq(get("/metrics", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "gongkai_http_requests_total{route=\"healthz\",status=\"200\"}"));
    ck_assert_ptr_nonnull(strstr(r.body, "gongkai_db_pool_size 4"));
    ck_assert_ptr_nonnull(strstr(r.body, "gongkai_http_request_duration_seconds_bucket{route=\"healthz\",le=\"+Inf\"}"));
    ck_assert_ptr_nonnull(strstr(r.body, "gongkai_db_reconnects_total"));
    /* Prometheus text format: every series has its HELP, right before its TYPE */
    int types = 0;
    for (const char *t = r.body; (t = strstr(t, "# TYPE ")) != NULL; t++, types++) {
        char name[128], help[160];
        ck_assert_int_eq(sscanf(t, "# TYPE %127s", name), 1);
        snprintf(help, sizeof help, "# HELP %s ", name);
        const char *h = strstr(r.body, help);
        ck_assert_msg(h != NULL && h < t && strchr(h, '\n') + 1 == t, "%s: no HELP line before its TYPE", name);
    }
    ck_assert_int_ge(types, 15);
    gk_resp_free(&r);
}
END_TEST

START_TEST(formats)
{
    gk_resp r;
    ck_assert_int_eq(get("/api/v1/formats", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "\"version\":\"2019\""));
    ck_assert_ptr_nonnull(strstr(r.body, "\"version\":\"2021\""));
    gk_resp_free(&r);
    ck_assert_int_eq(get("/api/v1/formats/2021", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "\"tables\""));
    char etag[64];
    ck_assert_ptr_nonnull(gk_resp_header(&r, "ETag", etag, sizeof etag));
    gk_resp_free(&r);
    char inm[96];
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    const char *hdr[] = {inm, NULL};
    ck_assert_int_eq(gk_h_http(&H, "GET", "/api/v1/formats/2021", hdr, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 304);
    ck_assert_uint_eq(r.body_len, 0);
    gk_resp_free(&r);
    ck_assert_int_eq(get("/api/v1/formats/1999", &r), 0);
    ck_assert_int_eq(r.status, 404);
    ck_assert_ptr_nonnull(strstr(r.body, "\"code\":\"not_found\""));
    gk_resp_free(&r);
}
END_TEST

/* Whether the daemon's log has `needle` within ms milliseconds (a line
 * that must come: a deadline a busy machine cannot reach; one that must
 * not: as long as the test can afford to wait). */
static bool log_has(const char *needle, int ms)
{
    long end = gk_h_now_ms() + ms;
    for (;;) {
        char *log = gk_h_read_file(H.daemon_log, NULL);
        bool yes = log != NULL && strstr(log, needle) != NULL;
        free(log);
        if (yes || gk_h_now_ms() > end)
            return yes;
        gk_h_nap_ms(20);
    }
}

/* A 405 in our JSON, naming the method, with an Allow header. */
static void assert_405(const char *method, const char *path, const char *allow)
{
    gk_resp r;
    ck_assert_int_eq(gk_h_http(&H, method, path, NULL, NULL, 0, &r), 0);
    ck_assert_msg(r.status == 405, "%s %s: %d %s", method, path, r.status, r.body);
    static const char json405[] = "{\"error\":{\"code\":\"method_not_allowed\"";
    ck_assert_msg(strncmp(r.body, json405, sizeof json405 - 1) == 0, "%s: %s", method, r.body);
    char want[64];
    snprintf(want, sizeof want, "不支持的请求方法 %s\"", method);
    ck_assert_msg(strstr(r.body, want) != NULL, "%s: %s", method, r.body);
    char got[32];
    ck_assert_str_eq(gk_resp_header(&r, "Allow", got, sizeof got), allow);
    gk_resp_free(&r);
}

START_TEST(routing_errors)
{
    gk_resp r;
    /* every method evhttp parses reaches our router, by its real name */
    const char *methods[] = {"PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        assert_405(methods[i], "/api/v1/formats", "GET, HEAD");
        assert_405(methods[i], "/api/v1/reports", "POST");
    }
    /* CONNECT names host:port, not a path: we are no proxy */
    assert_405("CONNECT", "gk.example:443", "GET, HEAD, POST");
    /* and the request log names it too (written once per loop pass: poll) */
    ck_assert(log_has(" DELETE /api/v1/formats 405 ", 15000));
    ck_assert(log_has(" TRACE /api/v1/reports 405 ", 15000));
    ck_assert(log_has(" CONNECT gk.example:443 405 ", 15000));
    ck_assert(!log_has(" OTHER /api/v1/", 2000));
    ck_assert_int_eq(get("/nope", &r), 0);
    ck_assert_int_eq(r.status, 404);
    ck_assert_ptr_nonnull(strstr(r.body, "\"error\":{\"code\":\"not_found\""));
    gk_resp_free(&r);
    ck_assert_int_eq(gk_h_http(&H, "DELETE", "/api/v1/formats", NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 405);
    ck_assert_ptr_nonnull(strstr(r.body, "\"code\":\"method_not_allowed\""));
    gk_resp_free(&r);
    ck_assert_int_eq(get("/api/v1/reports", &r), 0);
    ck_assert_int_eq(r.status, 405);
    char allow[32];
    ck_assert_str_eq(gk_resp_header(&r, "Allow", allow, sizeof allow), "POST");
    gk_resp_free(&r);
}
END_TEST

/* evhttp keeps a connection open after answering CONNECT (a tunnel would
 * follow), whatever its Connection header says; gongkaid closes it once
 * its 405 is written.  Regression: the client held it until the I/O
 * timeout (30 s).  The read gives up after 5 s: EOF must come first. */
START_TEST(connect_is_closed_after_405)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)H.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    static const char req[] = "CONNECT gk.example:443 HTTP/1.1\r\nHost: gk.example:443\r\nConnection: close\r\n\r\n";
    ck_assert_int_eq(send(fd, req, sizeof req - 1, MSG_NOSIGNAL), (ssize_t)(sizeof req - 1));
    char buf[4096];
    size_t n = 0;
    ssize_t got;
    while ((got = recv(fd, buf + n, sizeof buf - 1 - n, 0)) > 0 && n < sizeof buf - 1)
        n += (size_t)got;
    buf[n] = '\0';
    close(fd);
    ck_assert_msg(got == 0, "the connection was not closed (recv %zd) after: %s", got, buf);
    ck_assert_msg(strncmp(buf, "HTTP/1.1 405 ", 13) == 0, "%s", buf);
}
END_TEST

START_TEST(help_documents_every_key)
{
    char out[16384];
    const char *args[] = {"--help", NULL};
    ck_assert_int_eq(gk_h_cli(&H, out, sizeof out, args), 0);
    const char *keys[] = {"--listen-address", "--port", "--database", "--pool-size", "--queue-max", "--max-body",
                          "--max-headers", "--io-timeout-ms", "--request-timeout-ms", "--max-connections",
                          "--reconnect-min-ms", "--reconnect-max-ms", "--connect-timeout-ms", "--retry-after",
                          "--cache-entries", "--cache-mb", "--read-only", "--pool-read-reserve",
                          "--read-check-ms", "--db-prepare",
                          /* console sign-in (routes_session.c) */
                          "--pwhash-ops", "--pwhash-mem-kib", "--pwhash-threads", "--pwhash-queue",
                          "--session-idle-s", "--session-max-s", "--cookie-secure", "--signin-name-failures",
                          "--signin-addr-failures", "--signin-window-s", "--trust-proxy",
                          "--changes-max-streams", "--changes-heartbeat-ms", "--changes-poll-ms",
                          "--changes-stream-max-s", "--max-import"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *p = strstr(out, keys[i]);
        ck_assert_msg(p != NULL, "%s not in --help", keys[i]);
        /* the key's line carries a default, and a doc line follows */
        const char *nl = strchr(p, '\n');
        ck_assert_ptr_nonnull(nl);
        ck_assert_ptr_nonnull(strstr(p, "默认："));
        ck_assert_msg(strstr(p, "默认：") < nl, "%s has no default", keys[i]);
        ck_assert_msg(nl[1] == ' ' && strlen(nl) > 10, "%s has no doc line", keys[i]);
    }
    /* and the table has no key we did not check */
    int n = 0;
    for (const char *p = out; (p = strstr(p, "\n  --")) != NULL; p++)
        n++;
    ck_assert_int_eq(n, (int)(sizeof keys / sizeof keys[0]));
    /* people read it in Chinese: no English doc line is left */
    ck_assert_ptr_null(strstr(out, "default"));
    ck_assert_ptr_null(strstr(out, "Options"));
    ck_assert_ptr_nonnull(strstr(out, "gongkaid deadline unset REGION YEAR"));
    ck_assert_ptr_nonnull(strstr(out, "gongkaid deadline list [REGION]"));
}
END_TEST

/* An unknown option is unknown wherever it stands, even last (where it
 * used to be taken for an option missing its value). */
START_TEST(unknown_option_last)
{
    const char *args[] = {"--bogus", NULL};
    ck_assert_int_ne(gk_h_cli(&H, NULL, 0, args), 0);
    const char *args2[] = {"--port", NULL};
    ck_assert_int_ne(gk_h_cli(&H, NULL, 0, args2), 0);
    char *log = gk_h_read_file(H.daemon_log, NULL);
    ck_assert_ptr_nonnull(log);
    ck_assert_ptr_nonnull(strstr(log, "未知选项 --bogus（见 --help）"));
    ck_assert_ptr_null(strstr(log, "选项 --bogus 缺少值"));
    ck_assert_ptr_nonnull(strstr(log, "选项 --port 缺少值"));
    free(log);
}
END_TEST

START_TEST(migrate_twice)
{
    const char *args[] = {"migrate", NULL};
    long before = gk_h_sql_long(&H, "SELECT count(*) FROM schema_migrations", 0, NULL);
    ck_assert_int_ge(before, 1);
    ck_assert_int_eq(gk_h_cli(&H, NULL, 0, args), 0);
    ck_assert_int_eq(gk_h_cli(&H, NULL, 0, args), 0);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM schema_migrations", 0, NULL), before);
}
END_TEST

START_TEST(survives_postgres_restart)
{
    gk_resp r;
    ck_assert_int_eq(gk_h_pg_stop(&H), 0);
    ck_assert_int_eq(gk_h_wait_health(&H, 503, 10000), 0);
    ck_assert_int_eq(get("/healthz", &r), 0);
    ck_assert_str_eq(r.body, "{\"status\":\"degraded\",\"database\":\"down\"}");
    gk_resp_free(&r);
    /* a request that needs the database: 503 db_unavailable at once */
    const char *hdr[] = {"Authorization: Bearer gk_whatever", NULL};
    ck_assert_int_eq(gk_h_http(&H, "GET", "/api/v1/regions/35", hdr, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 503);
    ck_assert_ptr_nonnull(strstr(r.body, "\"code\":\"db_unavailable\""));
    char ra[16];
    ck_assert_ptr_nonnull(gk_resp_header(&r, "Retry-After", ra, sizeof ra));
    gk_resp_free(&r);
    ck_assert_int_eq(gk_h_pg_start(&H), 0);
    ck_assert_int_eq(gk_h_wait_health(&H, 200, 15000), 0);
    /* and the database path works again: an unknown token is a clean 401 */
    ck_assert_int_eq(gk_h_http(&H, "GET", "/api/v1/regions/35", hdr, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 401);
    gk_resp_free(&r);
    ck_assert_int_eq(get("/metrics", &r), 0);
    ck_assert_ptr_nonnull(strstr(r.body, "gongkai_db_connections_lost_total"));
    ck_assert_ptr_null(strstr(r.body, "gongkai_db_connections_lost_total 0\n"));
    gk_resp_free(&r);
}
END_TEST

START_TEST(sigterm_exits_zero)
{
    int st = -1;
    ck_assert_int_eq(gk_h_daemon_stop(&H, &st), 0);
    ck_assert_int_eq(st, 0);
    ck_assert_int_eq(gk_h_daemon_start(&H, NULL), 0);
}
END_TEST

/* Queries run as statements prepared once per connection (pgconn.h), and
 * --db-prepare=0 (for PgBouncer < 1.21 in transaction mode) runs them
 * unnamed: PostgreSQL's statement log names which. */
static char *log_since(size_t from)
{
    char path[256];
    snprintf(path, sizeof path, "%s/postgres.log", H.dir);
    size_t len = 0;
    char *all = gk_h_read_file(path, &len);
    ck_assert_ptr_nonnull(all);
    char *tail = strdup(len > from ? all + from : "");
    free(all);
    return tail;
}

static size_t log_size(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/postgres.log", H.dir);
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    return (size_t)sb.st_size;
}

static void token_lookups(int n)
{
    const char *hdr[] = {"Authorization: Bearer gk_not_a_token", NULL};
    for (int i = 0; i < n; i++) {
        gk_resp r;
        ck_assert_int_eq(gk_h_http(&H, "GET", "/api/v1/regions/35", hdr, NULL, 0, &r), 0);
        ck_assert_int_eq(r.status, 401);
        gk_resp_free(&r);
    }
}

START_TEST(statements_prepared_unless_disabled)
{
    /* the tests' own connection may have died with survives_postgres_restart:
     * the first query finds out, the second reconnects */
    free(gk_h_sql1(&H, "SELECT 1", 0, NULL));
    free(gk_h_sql1(&H, "SELECT 1", 0, NULL));
    ck_assert_ptr_null(gk_h_sql1(&H, "ALTER SYSTEM SET log_min_duration_statement = 0", 0, NULL));
    char *ok = gk_h_sql1(&H, "SELECT pg_reload_conf()::text", 0, NULL);
    ck_assert_str_eq(ok, "true");
    free(ok);
    /* the backends take the new setting when their SIGHUP arrives: polled
     * with a deadline (a fixed 300 ms could pass first on a busy machine) */
    bool reloaded = false;
    for (long end = gk_h_now_ms() + 30000; !reloaded && gk_h_now_ms() < end;) {
        ok = gk_h_sql1(&H, "SHOW log_min_duration_statement", 0, NULL);
        reloaded = ok != NULL && strcmp(ok, "0") == 0;
        free(ok);
        if (!reloaded)
            gk_h_nap_ms(20);
    }
    ck_assert_msg(reloaded, "log_min_duration_statement never became 0");
    int st;
    ck_assert_int_eq(gk_h_daemon_stop(&H, &st), 0);
    size_t from = log_size();
    ck_assert_int_eq(gk_h_daemon_start(&H, NULL), 0);
    token_lookups(6);
    char *log = log_since(from);
    ck_assert_msg(strstr(log, "execute gk") != NULL && strstr(log, "FROM tokens WHERE hash") != NULL,
                  "no prepared execution logged:\n%.2000s", log);
    free(log);
    const char *off[] = {"--db-prepare=0", NULL};
    ck_assert_int_eq(gk_h_daemon_stop(&H, &st), 0);
    from = log_size();
    ck_assert_int_eq(gk_h_daemon_start(&H, off), 0);
    token_lookups(6);
    log = log_since(from);
    ck_assert_msg(strstr(log, "execute <unnamed>: SELECT id, region, role FROM tokens") != NULL,
                  "no unnamed execution logged:\n%.2000s", log);
    ck_assert_ptr_null(strstr(log, "execute gk"));
    free(log);
    ck_assert_ptr_null(gk_h_sql1(&H, "ALTER SYSTEM RESET log_min_duration_statement", 0, NULL));
    ok = gk_h_sql1(&H, "SELECT pg_reload_conf()::text", 0, NULL);
    free(ok);
    ck_assert_int_eq(gk_h_daemon_stop(&H, &st), 0);
    ck_assert_int_eq(gk_h_daemon_start(&H, NULL), 0);
}
END_TEST

int main(void)
{
    if (gk_h_setup(&H) != 0 || gk_h_daemon_start(&H, NULL) != 0) {
        gk_h_teardown(&H);
        return 1;
    }
    Suite *s = suite_create("server");
    TCase *tc = tcase_create("server");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, health_and_metrics);
    tcase_add_test(tc, formats);
    tcase_add_test(tc, routing_errors);
    tcase_add_test(tc, connect_is_closed_after_405);
    tcase_add_test(tc, help_documents_every_key);
    tcase_add_test(tc, unknown_option_last);
    tcase_add_test(tc, migrate_twice);
    tcase_add_test(tc, survives_postgres_restart);
    tcase_add_test(tc, sigterm_exits_zero);
    tcase_add_test(tc, statements_prepared_unless_disabled);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (failed > 0) {
        char *log = gk_h_read_file(H.daemon_log, NULL);
        fprintf(stderr, "---- gongkaid log ----\n%s\n", log ? log : "(none)");
        free(log);
    }
    gk_h_teardown(&H);
    return failed == 0 ? 0 : 1;
}
