/* test_textutil.c — display width and UTF-8 validation. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/textutil.h"

START_TEST(test_width)
{
    ck_assert_uint_eq(gk_text_width("abc"), 3);
    ck_assert_uint_eq(gk_text_width("贡川镇"), 6);
    ck_assert_uint_eq(gk_text_width("（一）A"), 7);
    ck_assert_uint_eq(gk_text_width("“本年新收”"), 10);
    ck_assert_uint_eq(gk_text_width("１２"), 4);
    ck_assert_uint_eq(gk_text_width(""), 0);
}
END_TEST

START_TEST(test_valid)
{
    ck_assert(gk_utf8_valid("贡川镇", 9));
    ck_assert(!gk_utf8_valid("\xe8\xb4", 2));
    ck_assert(!gk_utf8_valid("\xc0\xaf", 2));         /* overlong */
    ck_assert(!gk_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    ck_assert(!gk_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
}
END_TEST

START_TEST(test_format_i64)
{
    const int64_t v[] = {0, 7, -7, 10, 1234567890, -9876543210LL, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char got[24], want[24];
        size_t n = gk_format_i64(got, v[i]);
        got[n] = '\0';
        snprintf(want, sizeof want, "%" PRId64, v[i]);
        ck_assert_str_eq(got, want);
        ck_assert_uint_eq(n, strlen(want));
    }
}
END_TEST

START_TEST(test_excerpt)
{
    char buf[64];
    ck_assert_str_eq(gk_text_excerpt("2030", 4, 20, buf, sizeof buf), "2030");
    ck_assert_str_eq(gk_text_excerpt("贡川镇报告", strlen("贡川镇报告"), 3, buf, sizeof buf), "贡川镇…");
    ck_assert_str_eq(gk_text_excerpt("a\x01\xff\nb", 5, 20, buf, sizeof buf), "a???b");
    /* never cut inside a character, always terminated */
    ck_assert_str_eq(gk_text_excerpt("贡川镇", strlen("贡川镇"), 20, buf, 8), "贡…");
    ck_assert(gk_utf8_valid(buf, strlen(buf)));
    ck_assert_str_eq(gk_text_excerpt("贡川镇", strlen("贡川镇"), 20, buf, 10), "贡川…");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("textutil");
    TCase *tc = tcase_create("textutil");
    tcase_add_test(tc, test_width);
    tcase_add_test(tc, test_valid);
    tcase_add_test(tc, test_excerpt);
    tcase_add_test(tc, test_format_i64);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
