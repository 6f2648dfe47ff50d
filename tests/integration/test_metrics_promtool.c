/* test_metrics_promtool.c — /metrics of a real gongkaid, after traffic on
 * several routes, passes Prometheus's own linter (`promtool check metrics`,
 * Debian's prometheus package): exposition syntax, base units, `_total`
 * counters, HELP/TYPE for every family (issue 18 item 4). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

static gk_h H;

START_TEST(metrics_pass_promtool)
{
    const char *paths[] = {"/healthz", "/api/v1/formats", "/api/v1/formats/2021/schema", "/api/v1/nothing"};
    gk_resp r;
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        ck_assert_int_eq(gk_h_http(&H, "GET", paths[i], NULL, NULL, 0, &r), 0);
        gk_resp_free(&r);
    }
    ck_assert_int_eq(gk_h_http(&H, "GET", "/metrics", NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "gongkai_http_requests_total{route=\"formats\",status=\"200\"} 1"));
    /* the change listener's health (issue 14 item 5): it connects once */
    ck_assert_ptr_nonnull(strstr(r.body, "\ngongkai_listener_up "));
    ck_assert_ptr_nonnull(strstr(r.body, "\ngongkai_listener_connects_total "));
    char file[256], out[256], cmd[1024];
    snprintf(file, sizeof file, "%s/metrics.txt", H.dir);
    snprintf(out, sizeof out, "%s/promtool.out", H.dir);
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(r.body, 1, r.body_len, f), r.body_len);
    fclose(f);
    gk_resp_free(&r);
    snprintf(cmd, sizeof cmd, "%s check metrics < %s > %s 2>&1", GK_PROMTOOL, file, out);
    int st = system(cmd);
    size_t len = 0;
    char *said = gk_h_read_file(out, &len);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0 && len == 0, "promtool (status %d): %s", st,
                  said ? said : "");
    free(said);
}
END_TEST

int main(void)
{
    if (gk_h_setup(&H) != 0 || gk_h_daemon_start(&H, NULL) != 0) {
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    Suite *s = suite_create("metrics_promtool");
    TCase *tc = tcase_create("metrics_promtool");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, metrics_pass_promtool);
    suite_add_tcase(s, tc);
    return gk_h_run_suite(&H, s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
