/* test_review.c — the review request's reader (lib/review.c): what an
 * office may send, and the clear error for everything else. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "gongkai/review.h"

static int parse(const char *s, gk_review_body *b, gk_review_error *e)
{
    return gk_review_body_parse(s, strlen(s), b, e);
}

START_TEST(accepts_the_three_actions)
{
    gk_review_body b;
    gk_review_error e;
    ck_assert_int_eq(parse("{\"action\":\"accept\"}", &b, &e), 0);
    ck_assert_str_eq(b.action, "accept");
    ck_assert_int_eq(b.revision, 0);
    ck_assert_str_eq(b.comment, "");
    ck_assert_int_eq(parse("{\"action\":\"return\",\"revision\":3,\"comment\":\"表三合计有误\"}", &b, &e), 0);
    ck_assert_str_eq(b.action, "return");
    ck_assert_int_eq(b.revision, 3);
    ck_assert_str_eq(b.comment, "表三合计有误");
    ck_assert_int_eq(parse("{\"comment\":\"补充附件\",\"action\":\"reopen\"}", &b, &e), 0);
    ck_assert_str_eq(b.action, "reopen");
}
END_TEST

static void rejects(const char *s, const char *code, const char *path)
{
    gk_review_body b;
    gk_review_error e;
    ck_assert_msg(parse(s, &b, &e) == -1, "accepted %s", s);
    ck_assert_msg(strcmp(e.code, code) == 0 && strcmp(e.path, path) == 0, "%s: %s at '%s'", s, e.code, e.path);
    ck_assert(strlen(e.message) > 0);
}

START_TEST(rejects_with_code_and_path)
{
    rejects("", "invalid_json", "");
    rejects("{\"action\":\"accept\"", "invalid_json", "");
    rejects("{\"action\":\"accept\",\"action\":\"accept\"}", "invalid_json", "");
    rejects("\"accept\"", "invalid_json", "");   /* no JSON_DECODE_ANY: an object or array only */
    rejects("[\"accept\"]", "invalid_review", "");
    rejects("{}", "invalid_review", "action");
    rejects("{\"action\":\"dismiss\"}", "invalid_review", "action");
    rejects("{\"action\":1}", "invalid_review", "action");
    rejects("{\"action\":\"accept\",\"extra\":1}", "invalid_review", "");
    rejects("{\"action\":\"accept\",\"revision\":-1}", "invalid_review", "revision");
    rejects("{\"action\":\"accept\",\"revision\":1.5}", "invalid_review", "revision");
    rejects("{\"action\":\"accept\",\"revision\":10000000000}", "invalid_review", "revision");
    rejects("{\"action\":\"accept\",\"comment\":null}", "invalid_review", "comment");
    rejects("{\"action\":\"return\"}", "invalid_review", "comment");
    rejects("{\"action\":\"return\",\"comment\":\" \\n\\t\"}", "invalid_review", "comment");
    rejects("{\"action\":\"reopen\",\"comment\":\"\"}", "invalid_review", "comment");
    /* jansson refuses \u0000 without JSON_ALLOW_NUL: the comment stays a C string */
    rejects("{\"action\":\"return\",\"comment\":\"a\\u0000b\"}", "invalid_json", "");
}
END_TEST

START_TEST(comment_limit_is_exact)
{
    static char buf[GK_REVIEW_COMMENT_MAX + 64];
    gk_review_body b;
    gk_review_error e;
    for (int extra = 0; extra <= 1; extra++) {
        int n = snprintf(buf, sizeof buf, "{\"action\":\"return\",\"comment\":\"");
        memset(buf + n, 'x', GK_REVIEW_COMMENT_MAX + (size_t)extra);
        n += GK_REVIEW_COMMENT_MAX + extra;
        strcpy(buf + n, "\"}");
        int rc = parse(buf, &b, &e);
        ck_assert_int_eq(rc, extra ? -1 : 0);
        if (!extra)
            ck_assert_uint_eq(strlen(b.comment), GK_REVIEW_COMMENT_MAX);
        else
            ck_assert_str_eq(e.path, "comment");
    }
}
END_TEST

START_TEST(state_labels)
{
    ck_assert_str_eq(gk_review_state_label("pending"), "待审核");
    ck_assert_str_eq(gk_review_state_label("returned"), "退回修改");
    ck_assert_str_eq(gk_review_state_label("resubmitted"), "已重新提交");
    ck_assert_str_eq(gk_review_state_label("accepted"), "已审核");
    ck_assert_str_eq(gk_review_state_label("other"), "");
    ck_assert_str_eq(gk_review_state_label(NULL), "");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("review");
    TCase *tc = tcase_create("review");
    tcase_add_test(tc, accepts_the_three_actions);
    tcase_add_test(tc, rejects_with_code_and_path);
    tcase_add_test(tc, comment_limit_is_exact);
    tcase_add_test(tc, state_labels);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
