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

/* Leaving one value out equals computing over a copy without it, for every
 * index of pseudo-random sorted arrays of every small length. */
START_TEST(leave_one_out_matches_copy)
{
    uint64_t seed = 12345;
    for (size_t n = 2; n <= 17; n++) {
        for (int round = 0; round < 20; round++) {
            int64_t v[17], rest[16];
            for (size_t i = 0; i < n; i++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                v[i] = (int64_t)(seed >> 59);   /* 0..31: many ties */
            }
            gk_quartiles all;
            gk_stats_quartiles(v, n, &all);   /* sorts v */
            for (size_t skip = 0; skip < n; skip++) {
                size_t m = 0;
                for (size_t i = 0; i < n; i++)
                    if (i != skip)
                        rest[m++] = v[i];
                gk_quartiles want, got;
                gk_stats_quartiles(rest, m, &want);
                ck_assert_int_eq(gk_stats_quartiles_without(v, n, skip, &got), 0);
                ck_assert_int_eq(got.n, want.n);
                ck_assert_int_eq(got.min, want.min);
                ck_assert_int_eq(got.max, want.max);
                for (int k = 0; k < 3; k++)
                    ck_assert_int_eq(got.q4[k], want.q4[k]);
            }
        }
    }
    gk_quartiles q;
    int64_t one[] = {3};
    ck_assert_int_eq(gk_stats_quartiles_without(one, 1, 0, &q), -1);
}
END_TEST

START_TEST(far_out_fence)
{
    /* peers 0, 0, 0: P25 = P75 = 0, so any value above 0 is beyond the fence */
    int64_t v[] = {0, 0, 0, 6};
    gk_quartiles o;
    gk_stats_quartiles_without(v, 4, 3, &o);
    ck_assert(gk_stats_far_above(&o, 6));
    /* peers 1..8: P25 2.75, P75 6.25, fence 6.25 + 3 × 3.5 = 16.75 */
    int64_t w[] = {1, 2, 3, 4, 5, 6, 7, 8, 99};
    gk_stats_quartiles_without(w, 9, 8, &o);
    ck_assert(!gk_stats_far_above(&o, 16));
    ck_assert(gk_stats_far_above(&o, 17));
}
END_TEST

START_TEST(amount_quarter_text)
{
    char b[40];
    gk_stats_quarter_amount_text(4 * 12500000LL, b, sizeof b);   /* 12.5 */
    ck_assert_str_eq(b, "12.5");
    gk_stats_quarter_amount_text(2, b, sizeof b);                /* half a millionth */
    ck_assert_str_eq(b, "0.0000005");
    gk_stats_quarter_amount_text(1, b, sizeof b);
    ck_assert_str_eq(b, "0.00000025");
    gk_stats_quarter_amount_text(4 * 3000000LL, b, sizeof b);
    ck_assert_str_eq(b, "3");
    gk_stats_quarter_amount_text(-6, b, sizeof b);
    ck_assert_str_eq(b, "-0.0000015");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("stats");
    tcase_add_test(tc, quartiles_interpolate_like_percentile_cont);
    tcase_add_test(tc, quarter_text_signs);
    tcase_add_test(tc, mid_rank);
    tcase_add_test(tc, leave_one_out_matches_copy);
    tcase_add_test(tc, far_out_fence);
    tcase_add_test(tc, amount_quarter_text);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
