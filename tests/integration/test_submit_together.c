/* test_submit_together.c — submissions that arrive together (issue 14):
 * each is judged and answered on its own, so one bad submission among good
 * ones is refused with its own JSON error and changes nothing, while the
 * good ones are all stored; and a 201 means durable: a daemon killed with
 * SIGKILL right after answering loses nothing it acknowledged. */
#include <check.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static gk_h H;
static char token[260];
static json_t *sample;

/* The sample as entity's report, with one count changed. */
static char *variant(const char *entity, long long prior_items)
{
    json_t *d = json_deep_copy(sample);
    json_object_set_new(d, "entity", json_string(entity));
    json_t *lic = json_object_get(json_object_get(json_object_get(d, "tables"), "active"), "licensing");
    json_object_set_new(lic, "prior_items", json_integer(prior_items));
    char *s = json_dumps(d, 0);
    json_decref(d);
    return s;
}

static int post(const char *text, gk_resp *r)
{
    char ah[300];
    snprintf(ah, sizeof ah, "Authorization: Bearer %s", token);
    const char *hdr[] = {ah, "Content-Type: application/json", NULL};
    return gk_h_http(&H, "POST", "/api/v1/reports", hdr, text, strlen(text), r);
}

/* In a child: 0 when the answer has `status` and, for an error, the JSON
 * error object with `code`, a message and a path. */
static int answered_as(const char *text, int status, const char *code)
{
    gk_resp r;
    if (post(text, &r) != 0)
        return 1;
    int ok = r.status == status;
    json_t *j = json_loadb(r.body ? r.body : "", r.body_len, 0, NULL);
    if (code != NULL) {
        json_t *e = json_object_get(j, "error");
        ok = ok && json_is_string(json_object_get(e, "message")) && json_is_string(json_object_get(e, "path")) &&
             strcmp(json_string_value(json_object_get(e, "code")) ? json_string_value(json_object_get(e, "code")) : "",
                    code) == 0;
    } else {
        ok = ok && json_is_true(json_object_get(j, "created"));
    }
    if (!ok)
        fprintf(stderr, "expected %d %s, got %d: %.300s\n", status, code ? code : "created", r.status,
                r.body ? r.body : "");
    json_decref(j);
    gk_resp_free(&r);
    return ok ? 0 : 1;
}

START_TEST(one_bad_among_good_ones)
{
    static const struct {
        const char *entity;
        long long prior_items;
        int status;
        const char *code;
    } subs[] = {
        {"350481100", 11, 201, NULL},
        {"350481101", 12, 201, NULL},
        {"350481999", 13, 422, "unknown_entity"},         /* refused after the database read */
        {"350481102", 14, 201, NULL},
        {"350421100", 15, 403, "forbidden"},              /* outside the token's region */
        {"350481103", 16, 201, NULL},
        {"350481104", 2000000000000LL, 422, "value_out_of_range"}, /* refused before the database */
        {"350481105", 17, 201, NULL},
        {"350481106", 18, 201, NULL},
        {"350481107", 19, 201, NULL},
    };
    enum { N = sizeof subs / sizeof subs[0] };
    long reports_before = gk_h_sql_long(&H, "SELECT count(*) FROM reports", 0, NULL);
    long audit_before = gk_h_sql_long(&H, "SELECT count(*) FROM audit", 0, NULL);
    pid_t kids[N];
    for (int i = 0; i < N; i++) {
        char *t = variant(subs[i].entity, subs[i].prior_items);
        kids[i] = fork();
        if (kids[i] == 0)
            _exit(answered_as(t, subs[i].status, subs[i].code));
        free(t);
    }
    int good = 0;
    for (int i = 0; i < N; i++) {
        int st;
        ck_assert_int_eq(waitpid(kids[i], &st, 0), kids[i]);
        ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "submission %d (%s) answered wrongly", i,
                      subs[i].entity);
        good += subs[i].status == 201;
    }
    /* the good ones stored, each once, with its own numbers; the bad ones not at all */
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM reports", 0, NULL), reports_before + good);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM audit", 0, NULL), audit_before + good);
    for (int i = 0; i < N; i++) {
        char pi[24];
        snprintf(pi, sizeof pi, "%lld", subs[i].prior_items);
        const char *v[] = {subs[i].entity, pi};
        long n = gk_h_sql_long(&H,
                               "SELECT count(*) FROM report_current c JOIN reports r USING (entity, year, revision)"
                               " WHERE c.entity = $1 AND c.year = 2020"
                               " AND r.body->'tables'->'active'->'licensing'->>'prior_items' = $2",
                               2, v);
        ck_assert_msg(n == (subs[i].status == 201), "%s: %ld current rows with its numbers", subs[i].entity, n);
    }
    /* the rollup of the county counts exactly the good ones */
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT sum(reports) FROM rollup WHERE region = '350481' AND year = 2020",
                                   0, NULL),
                     good);
}
END_TEST

START_TEST(created_survives_sigkill)
{
    char *t = variant("350481202", 4242);
    gk_resp r;
    ck_assert_int_eq(post(t, &r), 0);
    ck_assert_int_eq(r.status, 201);
    /* killed the moment the 201 is read: nothing may be in flight that
     * the answer depended on */
    kill(H.d_pid, SIGKILL);
    int st;
    waitpid(H.d_pid, &st, 0);
    H.d_pid = 0;
    json_t *a = json_loadb(r.body, r.body_len, 0, NULL);
    long rev = (long)json_integer_value(json_object_get(a, "revision"));
    char hash[80];
    snprintf(hash, sizeof hash, "%s", json_string_value(json_object_get(a, "content_hash")));
    json_decref(a);
    gk_resp_free(&r);
    ck_assert_int_eq(gk_h_daemon_start(&H, NULL), 0);
    ck_assert_int_eq(gk_h_wait_health(&H, 200, 10000), 0);
    /* stored, current, and the same content again is that revision */
    const char *v[] = {hash};
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM report_current c JOIN reports r USING (entity, year,"
                                       " revision) WHERE c.entity = '350481202' AND r.content_hash = $1",
                                   1, v),
                     1);
    ck_assert_int_eq(post(t, &r), 0);
    ck_assert_int_eq(r.status, 200);
    a = json_loadb(r.body, r.body_len, 0, NULL);
    ck_assert(json_is_false(json_object_get(a, "created")));
    ck_assert_int_eq(json_integer_value(json_object_get(a, "revision")), rev);
    json_decref(a);
    gk_resp_free(&r);
    free(t);
}
END_TEST

int main(void)
{
    json_error_t e;
    sample = json_load_file(GK_TEST_DATA "/sample-350481101-2020.json", 0, &e);
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    const char *mk[] = {"token", "create", "--region", "350481", "--role", "submitter", NULL};
    if (sample == NULL || gk_h_setup(&H) != 0 || gk_h_cli(&H, NULL, 0, imp) != 0 ||
        gk_h_cli(&H, token, sizeof token, mk) != 0 || gk_h_daemon_start(&H, NULL) != 0) {
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    token[strcspn(token, "\n")] = '\0';
    Suite *s = suite_create("submit_together");
    TCase *tc = tcase_create("submit_together");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, one_bad_among_good_ones);
    tcase_add_test(tc, created_survives_sigkill);
    suite_add_tcase(s, tc);
    int failed = gk_h_run_suite(&H, s);
    json_decref(sample);
    return failed == 0 ? 0 : 1;
}
