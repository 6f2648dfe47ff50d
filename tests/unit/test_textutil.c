/* test_textutil.c — display width and UTF-8 validation. */
#include <check.h>
#include <stdlib.h>
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

int main(void)
{
    Suite *s = suite_create("textutil");
    TCase *tc = tcase_create("textutil");
    tcase_add_test(tc, test_width);
    tcase_add_test(tc, test_valid);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
