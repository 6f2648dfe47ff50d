/* test_mark.c — lib/mark.c: the body of a finding mark (issue 17, item 1):
 * what it accepts, and for each refusal the code and the path named. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "gongkai/mark.h"

static int parse(const char *s, gk_mark_body *b, gk_review_error *e) { return gk_mark_body_parse(s, strlen(s), b, e); }

START_TEST(accepts_confirm_and_dismiss)
{
    gk_mark_body b;
    gk_review_error e;
    ck_assert_int_eq(parse("{\"code\":\"requests.row_total\",\"path\":\"tables.requests.received.total\","
                           "\"mark\":\"confirmed\"}", &b, &e), 0);
    ck_assert_str_eq(b.code, "requests.row_total");
    ck_assert_str_eq(b.path, "tables.requests.received.total");
    ck_assert_str_eq(b.mark, "confirmed");
    ck_assert_str_eq(b.reason, "");
    /* no path: a finding on the whole report */
    ck_assert_int_eq(parse("{\"code\":\"narrative.missing\",\"mark\":\"dismissed\",\"reason\":\"已在附件中说明\"}", &b, &e), 0);
    ck_assert_str_eq(b.path, "");
    ck_assert_str_eq(b.reason, "已在附件中说明");
    ck_assert_str_eq(gk_mark_label("confirmed"), "确认");
    ck_assert_str_eq(gk_mark_label("dismissed"), "不予采纳");
    ck_assert_str_eq(gk_mark_label("x"), "");
}
END_TEST

START_TEST(rejects_with_code_and_path)
{
    static const struct {
        const char *body, *code, *path;
    } cases[] = {
        {"{\"code\":", "invalid_json", ""},
        {"{\"code\":\"a\",\"code\":\"b\",\"mark\":\"confirmed\"}", "invalid_json", ""},
        {"[]", "invalid_mark", ""},
        {"{\"code\":\"a\",\"mark\":\"confirmed\",\"extra\":1}", "invalid_mark", ""},
        {"{\"mark\":\"confirmed\"}", "invalid_mark", "code"},
        {"{\"code\":\"\",\"mark\":\"confirmed\"}", "invalid_mark", "code"},
        {"{\"code\":\"a\\nb\",\"mark\":\"confirmed\"}", "invalid_mark", "code"},
        /* jansson refuses NUL escapes itself */
        {"{\"code\":\"a\\u0000b\",\"mark\":\"confirmed\"}", "invalid_json", ""},
        {"{\"code\":\"a\",\"path\":1,\"mark\":\"confirmed\"}", "invalid_mark", "path"},
        {"{\"code\":\"a\",\"mark\":\"upheld\"}", "invalid_mark", "mark"},
        {"{\"code\":\"a\"}", "invalid_mark", "mark"},
        {"{\"code\":\"a\",\"mark\":\"dismissed\"}", "invalid_mark", "reason"},
        {"{\"code\":\"a\",\"mark\":\"dismissed\",\"reason\":\" \\t\\n\"}", "invalid_mark", "reason"},
        {"{\"code\":\"a\",\"mark\":\"confirmed\",\"reason\":7}", "invalid_mark", "reason"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gk_mark_body b;
        gk_review_error e;
        ck_assert_msg(parse(cases[i].body, &b, &e) == -1, "accepted %s", cases[i].body);
        ck_assert_str_eq(e.code, cases[i].code);
        ck_assert_msg(!strcmp(e.path, cases[i].path), "%s: path %s", cases[i].body, e.path);
        ck_assert(e.message[0] != '\0');
    }
}
END_TEST

START_TEST(limits_are_exact)
{
    static char buf[GK_MARK_PATH_MAX + 128];
    for (int extra = 0; extra <= 1; extra++) {
        gk_mark_body b;
        gk_review_error e;
        int n = snprintf(buf, sizeof buf, "{\"code\":\"a\",\"mark\":\"confirmed\",\"path\":\"");
        memset(buf + n, 'p', GK_MARK_PATH_MAX + (size_t)extra);
        n += GK_MARK_PATH_MAX + extra;
        strcpy(buf + n, "\"}");
        ck_assert_int_eq(parse(buf, &b, &e), extra ? -1 : 0);
        if (!extra)
            ck_assert_uint_eq(strlen(b.path), GK_MARK_PATH_MAX);
        else
            ck_assert_str_eq(e.path, "path");
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mark");
    TCase *tc = tcase_create("mark");
    tcase_add_test(tc, accepts_confirm_and_dismiss);
    tcase_add_test(tc, rejects_with_code_and_path);
    tcase_add_test(tc, limits_are_exact);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
