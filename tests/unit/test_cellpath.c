/* test_cellpath.c — lib/cellpath.c: finding paths named for people, as the
 * supervision list prints them; anything that is no cell gets -1 and "". */
#include <check.h>
#include <string.h>

#include "gongkai/cellpath.h"

START_TEST(cells_and_sections)
{
    const gk_format *f = gk_format_find("2019");
    ck_assert_ptr_nonnull(f);
    char buf[256];
    ck_assert_int_eq(gk_path_label(f, "tables.requests.received.total", buf, sizeof buf), 0);
    ck_assert_msg(strstr(buf, "本年新收") != NULL && strstr(buf, "总计") != NULL, "%s", buf);
    ck_assert_int_eq(gk_path_label(NULL, "narrative.problems", buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "五、存在的主要问题及改进情况");
    const char *bad[] = {"", "tables", "tables.requests", "tables.requests.received", "tables.requests.received.",
                         "tables.requests..total", "tables.requests.received.total.x", "tables.nope.received.total",
                         "narrative.nope", "published_at"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        strcpy(buf, "x");
        ck_assert_msg(gk_path_label(f, bad[i], buf, sizeof buf) == -1, "%s", bad[i]);
        ck_assert_str_eq(buf, "");
    }
    ck_assert_int_eq(gk_path_label(NULL, "tables.requests.received.total", buf, sizeof buf), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cellpath");
    TCase *tc = tcase_create("cellpath");
    tcase_add_test(tc, cells_and_sections);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
