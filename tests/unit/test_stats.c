/* test_stats.c — exact quartiles (as PostgreSQL's percentile_cont) and
 * mid-rank percentile ranks (lib/stats.c). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "gongkai/stats.h"

static const char *q(int64_t q4)
{
    static char buf[4][32];
    static int k;
    k = (k + 1) % 4;
    gk_stats_quarter_text(q4, buf[k], sizeof buf[k]);
    return buf[k];
}

START_TEST(quartiles_interpolate_like_percentile_cont)
{
    /* percentile_cont(ARRAY[0.25,0.5,0.75]) over {0,0,0,6}: 0, 0, 1.5 */
    int64_t v[] = {6, 0, 0, 0};
    gk_quartiles s;
    ck_assert_int_eq(gk_stats_quartiles(v, 4, &s), 0);
    ck_assert_int_eq(s.min, 0);
    ck_assert_int_eq(s.max, 6);
    ck_assert_str_eq(q(s.q4[0]), "0");
    ck_assert_str_eq(q(s.q4[1]), "0");
    ck_assert_str_eq(q(s.q4[2]), "1.5");
    /* {1,2,3,4,5}: 2, 3, 4; {1,2}: 1.25, 1.5, 1.75 */
    int64_t w[] = {5, 3, 1, 4, 2};
    gk_stats_quartiles(w, 5, &s);
    ck_assert_str_eq(q(s.q4[0]), "2");
    ck_assert_str_eq(q(s.q4[1]), "3");
    ck_assert_str_eq(q(s.q4[2]), "4");
    int64_t x[] = {2, 1};
    gk_stats_quartiles(x, 2, &s);
    ck_assert_str_eq(q(s.q4[0]), "1.25");
    ck_assert_str_eq(q(s.q4[1]), "1.5");
    ck_assert_str_eq(q(s.q4[2]), "1.75");
    int64_t one[] = {7};
    gk_stats_quartiles(one, 1, &s);
    ck_assert_str_eq(q(s.q4[0]), "7");
    ck_assert_str_eq(q(s.q4[2]), "7");
    ck_assert_int_eq(gk_stats_quartiles(one, 0, &s), -1);
    /* large values stay exact (a double would lose the last digit) */
    int64_t big[] = {9007199254740993LL, 9007199254740994LL};
    gk_stats_quartiles(big, 2, &s);
    ck_assert_str_eq(q(s.q4[1]), "9007199254740993.5");
}
END_TEST

START_TEST(quarter_text_signs)
{
    ck_assert_str_eq(q(-2), "-0.5");
    ck_assert_str_eq(q(-5), "-1.25");
    ck_assert_str_eq(q(0), "0");
    ck_assert_str_eq(q(3), "0.75");
}
END_TEST

START_TEST(mid_rank)
{
    int64_t v[] = {0, 0, 0, 6};
    ck_assert_int_eq(gk_stats_rank_permille(v, 4, 6), 875);   /* (3 + 0.5) / 4 */
    ck_assert_int_eq(gk_stats_rank_permille(v, 4, 0), 375);   /* 1.5 / 4 */
    int64_t w[] = {1, 2, 3};
    ck_assert_int_eq(gk_stats_rank_permille(w, 3, 2), 500);
    ck_assert_int_eq(gk_stats_rank_permille(w, 3, 1), 167);   /* 16.67 % rounded */
    ck_assert_int_eq(gk_stats_rank_permille(w, 0, 1), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("stats");
    tcase_add_test(tc, quartiles_interpolate_like_percentile_cont);
    tcase_add_test(tc, quarter_text_signs);
    tcase_add_test(tc, mid_rank);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
