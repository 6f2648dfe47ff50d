/* test_read_replica.c — dashboards served from a hot standby (issue 9,
 * docs/scaling.md section 3): a real streaming replica of the test
 * PostgreSQL (pg_basebackup -R), a gongkaid on the primary and one with
 * --read-only=1 on the standby.  The replica daemon starts without
 * migrating, serves what the primary wrote once it is replayed — with the
 * same ETags as the primary's daemon for the same state —, refuses
 * submissions with 503 read_only, still judges with /check; a daemon
 * without --read-only refuses to start on a standby (it would answer every
 * submission 500). */
#include <check.h>
#include <jansson.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static gk_h P, S, R; /* primary (+ its daemon), standby cluster, replica daemon */
static char tok_sub[260], tok_view[260];
static char *sample_text;


/* Polls GET path on h until it answers 200 with a body containing `want`;
 * the ETag into etag. */
static bool await_body(gk_h *h, const char *path, const char *want, char *etag, size_t etag_len)
{
    long end = gk_h_now_ms() + 20000;
    while (gk_h_now_ms() < end) {
        gk_resp r = gk_h_call(h, "GET", path, tok_view, NULL, NULL);
        bool ok = r.status == 200 && strstr(r.body, want) != NULL &&
                  gk_resp_header(&r, "ETag", etag, etag_len) != NULL;
        gk_resp_free(&r);
        if (ok)
            return true;
        gk_h_nap_ms(50);
    }
    return false;
}

static long reports_on_primary(void)
{
    return gk_h_sql_long(&P, "SELECT count(*) FROM reports", 0, NULL);
}

START_TEST(replica_serves_primary_state)
{
    gk_resp r = gk_h_call(&P, "POST", "/api/v1/reports", tok_sub, sample_text, NULL);
    ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
    gk_resp_free(&r);
    char tr[96], tp[96];
    ck_assert_msg(await_body(&R, "/api/v1/reports/350481101/2020", "\"revision\":1", tr, sizeof tr),
                  "the standby's daemon never showed the submission");
    /* Same replayed state, same tag as the primary's daemon gives. */
    const char *rollup = "/api/v1/regions/350481/rollup?year=2020";
    ck_assert(await_body(&R, rollup, "\"reports\":1", tr, sizeof tr));
    ck_assert(await_body(&P, rollup, "\"reports\":1", tp, sizeof tp));
    ck_assert_str_eq(tr, tp);
    char inm[128];
    snprintf(inm, sizeof inm, "If-None-Match: %s", tp);
    r = gk_h_call(&R, "GET", rollup, tok_view, NULL, inm);
    ck_assert_int_eq(r.status, 304);
    gk_resp_free(&r);
}
END_TEST

START_TEST(replica_refuses_writes_but_checks)
{
    long before = reports_on_primary();
    gk_resp r = gk_h_call(&R, "POST", "/api/v1/reports", tok_sub, sample_text, NULL);
    ck_assert_int_eq(r.status, 503);
    json_t *j = json_loads(r.body, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "code")), "read_only");
    json_decref(j);
    gk_resp_free(&r);
    ck_assert_int_eq(reports_on_primary(), before);
    r = gk_h_call(&R, "POST", "/api/v1/check", tok_sub, sample_text, NULL);
    ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
    ck_assert_ptr_nonnull(strstr(r.body, "\"findings\""));
    gk_resp_free(&r);
    /* and it never tried to LISTEN (refused during recovery) */
    char *log = gk_h_read_file(R.daemon_log, NULL);
    ck_assert_ptr_nonnull(log);
    ck_assert_ptr_null(strstr(log, "listener"));
    free(log);
}
END_TEST

START_TEST(writable_daemon_refuses_standby)
{
    gk_h W = S;
    W.d_pid = 0;
    W.sql = NULL;
    snprintf(W.daemon_log, sizeof W.daemon_log, "%s/gongkaid-w.log", P.dir);
    ck_assert_int_ne(gk_h_daemon_start(&W, NULL), 0);
    gk_h_daemon_stop(&W, NULL);
    char *log = gk_h_read_file(W.daemon_log, NULL);
    ck_assert_ptr_nonnull(log);
    ck_assert_msg(strstr(log, "--read-only=1") != NULL, "%s", log);
    free(log);
}
END_TEST

static int make_token(char *out, size_t len, const char *region, const char *role)
{
    char buf[256];
    const char *args[] = {"token", "create", "--region", region, "--role", role, NULL};
    if (gk_h_cli(&P, buf, sizeof buf, args) != 0)
        return -1;
    buf[strcspn(buf, "\n")] = '\0';
    snprintf(out, len, "%s", buf);
    return strncmp(buf, "gk_", 3) == 0 ? 0 : -1;
}

/* The standby: its own directory (socket, log) inside the primary's. */
static int standby_setup(void)
{
    S = P;
    S.pg_pid = 0;
    S.d_pid = 0;
    S.sql = NULL;
    if (strlen(P.dir) + sizeof "/sb" > sizeof S.dir)
        return -1;
    strcpy(S.dir, P.dir);
    strcat(S.dir, "/sb");
    snprintf(S.pgdata, sizeof S.pgdata, "%s/pgdata", S.dir);
    snprintf(S.conninfo, sizeof S.conninfo, "host=%s port=5432 user=postgres dbname=postgres", S.dir);
    if (mkdir(S.dir, 0755) != 0)
        return -1;
    if (geteuid() == 0) {
        struct passwd *pw = getpwnam("nobody");
        if (pw == NULL || chown(S.dir, pw->pw_uid, pw->pw_gid) != 0)
            return -1;
    }
    const char *bb[] = {"-D", S.pgdata, "-R", "-X", "stream", "-h", P.dir, "-U", "postgres", "-c", "fast", NULL};
    return gk_h_pg_tool(&P, "pg_basebackup", bb) == 0 && gk_h_pg_start(&S) == 0 ? 0 : -1;
}

int main(void)
{
    sample_text = gk_h_read_file(GK_TEST_DATA "/sample-350481101-2020.json", NULL);
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    const char *ro[] = {"--read-only=1", NULL};
    int failed = 1;
    if (sample_text == NULL || gk_h_setup(&P) != 0 || gk_h_cli(&P, NULL, 0, imp) != 0 ||
        make_token(tok_sub, sizeof tok_sub, "350481101", "submitter") != 0 ||
        make_token(tok_view, sizeof tok_view, "35", "viewer") != 0 || gk_h_daemon_start(&P, NULL) != 0 ||
        standby_setup() != 0) {
        fprintf(stderr, "setup failed\n");
        goto out;
    }
    R = S;
    snprintf(R.daemon_log, sizeof R.daemon_log, "%s/gongkaid-r.log", P.dir);
    if (gk_h_daemon_start(&R, ro) != 0) {
        fprintf(stderr, "the read-only daemon did not start on the standby\n");
        goto out;
    }
    Suite *s = suite_create("read_replica");
    TCase *tc = tcase_create("read_replica");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, replica_serves_primary_state);
    tcase_add_test(tc, replica_refuses_writes_but_checks);
    tcase_add_test(tc, writable_daemon_refuses_standby);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    int sr_st = -1;
    gk_h_daemon_stop(&R, &sr_st);
    if (sr_st != 0) {
        fprintf(stderr, "read-only gongkaid exited with %d\n", sr_st);
        failed++;
    }
out:
    if (failed > 0 || getenv("GK_SHOW_LOG") != NULL) {
        char *log = gk_h_read_file(R.daemon_log, NULL);
        fprintf(stderr, "---- gongkaid (read-only) ----\n%s\n", log ? log : "(none)");
        free(log);
    }
    gk_h_daemon_stop(&R, NULL);
    gk_h_pg_stop(&S);
    gk_h_teardown(&P);
    free(sample_text);
    return failed == 0 ? 0 : 1;
}
