/* test_format.c — the registry loads both versions with the FORMAT.md shape. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/format.h"

START_TEST(test_versions_and_years)
{
    ck_assert_uint_ge(gk_format_count(), 2);
    ck_assert_str_eq(gk_format_for_year(2019)->version, "2019");
    ck_assert_str_eq(gk_format_for_year(2020)->version, "2019");
    ck_assert_str_eq(gk_format_for_year(2021)->version, "2021");
    ck_assert_str_eq(gk_format_for_year(2030)->version, "2021");
    ck_assert_ptr_null(gk_format_for_year(2018));
    ck_assert_ptr_null(gk_format_find("2099"));
}
END_TEST

START_TEST(test_versions_list)
{
    char buf[64];
    ck_assert_str_eq(gk_format_versions("、", buf, sizeof buf), "2019、2021");
    ck_assert_str_eq(gk_format_versions(" 或 ", buf, sizeof buf), "2019 或 2021");
    ck_assert_str_eq(gk_format_versions("、", buf, 8), "2019"); /* whole entries only */
}
END_TEST

START_TEST(test_shape_2021)
{
    const gk_format *f = gk_format_find("2021");
    ck_assert_uint_eq(f->n_tables, 3);
    ck_assert_str_eq(f->tables[0].key, "active");
    ck_assert_str_eq(f->tables[1].key, "requests");
    ck_assert_str_eq(f->tables[2].key, "appeals");
    /* active: 3+3+1+1+1+1, requests: 25 rows × 7, appeals: 3 × 5 */
    ck_assert_uint_eq(f->tables[0].n_cells, 10);
    ck_assert_uint_eq(f->tables[1].n_rows, 25);
    ck_assert_uint_eq(f->tables[1].n_cells, 175);
    ck_assert_uint_eq(f->tables[2].n_cells, 15);
    ck_assert_uint_eq(f->n_cells, 200);
    int c = gk_format_cell_index(f, "active", "fees", "amount_10k_yuan");
    ck_assert_int_ge(c, 0);
    ck_assert_str_eq(f->cells[c].path, "tables.active.fees.amount_10k_yuan");
    ck_assert_int_eq(f->tables[0].columns[f->cells[c].column].kind, GK_KIND_AMOUNT);
    ck_assert_int_eq(gk_format_cell_index(f, "requests", "other", "total"), -1);
    ck_assert_int_ge(gk_format_cell_index(f, "requests", "other_misc", "total"), 0);
    const gk_table *req = &f->tables[1];
    ck_assert_str_eq(req->rows[3].label, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）");
    ck_assert_str_eq(req->rows[24].key, "carried_forward");
    ck_assert_str_eq(req->columns[6].label, "总计");
}
END_TEST

START_TEST(test_shape_2019)
{
    const gk_format *f = gk_format_find("2019");
    const gk_table *act = &f->tables[0];
    ck_assert_uint_eq(act->n_rows, 8);
    /* 3+3+3+3+3+3+2+2 */
    ck_assert_uint_eq(act->n_cells, 22);
    ck_assert_uint_eq(f->tables[1].n_rows, 23);
    int c = gk_format_cell_index(f, "active", "licensing", "change");
    ck_assert_int_eq(act->columns[f->cells[c].column].kind, GK_KIND_SIGNED_COUNT);
    ck_assert_int_eq(gk_format_cell_index(f, "active", "fees", "decisions"), -1);
    ck_assert_str_eq(act->rows[7].label, "第二十条第（九）项 政府集中采购");
}
END_TEST

/* The sum rules are data: each resolves to cells of its table. */
START_TEST(test_rules_are_data)
{
    for (size_t i = 0; i < gk_format_count(); i++) {
        const gk_format *f = gk_format_at(i);
        ck_assert_uint_eq(f->n_rules, 4);
        for (size_t r = 0; r < f->n_rules; r++) {
            ck_assert_uint_gt(f->rules[r].n_lines, 0);
            ck_assert_uint_gt(f->rules[r].n_lhs, 0);
            ck_assert_uint_gt(f->rules[r].n_rhs, 0);
        }
        /* outcome rows of 2019: 18 + other = 19; of 2021: 18 + 3 = 21 */
        const gk_sum_rule *outcome = &f->rules[1];
        ck_assert_str_eq(outcome->code, "requests.outcome_total");
        ck_assert_uint_eq(outcome->n_rhs, !strcmp(f->version, "2019") ? 19 : 21);
    }
}
END_TEST

START_TEST(test_describe)
{
    json_t *d = gk_format_describe(gk_format_find("2019"));
    ck_assert_str_eq(json_string_value(json_object_get(d, "version")), "2019");
    ck_assert_uint_eq(json_array_size(json_object_get(d, "tables")), 3);
    json_decref(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("format");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, test_versions_and_years);
    tcase_add_test(tc, test_versions_list);
    tcase_add_test(tc, test_shape_2021);
    tcase_add_test(tc, test_shape_2019);
    tcase_add_test(tc, test_rules_are_data);
    tcase_add_test(tc, test_describe);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
