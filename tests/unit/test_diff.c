/* test_diff.c — differences between revisions: cells in their three states,
 * prose sentence by sentence, across formats. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/diff.h"
#include "gongkai/exactjson.h"
#include "testutil.h"

static gk_report *parse(const char *text)
{
    gk_error err;
    gk_report *r = gk_report_parse(text, strlen(text), NULL, &err);
    ck_assert_msg(r != NULL, "%s", err.message);
    return r;
}

static const json_t *find_cell(const json_t *d, const char *path)
{
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(d, "cells"), i, c)
        if (!strcmp(json_string_value(json_object_get(c, "path")), path))
            return c;
    return NULL;
}

/* Regression (issue 13, item 4): the diff wrote a changed amount through a
 * double (json_real), so 99999999999.9999 came out as 100000000000. */
START_TEST(test_diff_amount_exact)
{
    /* values set directly: a rollup-as-report or a future bound may hold
     * more digits than a submitted cell (GK_AMOUNT_MAX) */
    const gk_format *f = gk_format_find("2021");
    int i = gk_format_cell_index(f, "active", "fees", "amount_10k_yuan");
    gk_report *a = gk_report_new(f, 2022, "35");
    gk_report *b = gk_report_new(f, 2022, "35");
    a->cells[i] = (gk_cell){GK_CELL_NUMBER, 1500000, NULL};
    b->cells[i] = (gk_cell){GK_CELL_NUMBER, INT64_C(99999999999999999), NULL};
    json_t *d = gk_report_diff(a, b);
    char *text = gk_json_dumps_exact(d, JSON_COMPACT | GK_JSON_REAL_FLAGS);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, "{\"state\":\"number\",\"value\":1.5}") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "{\"state\":\"number\",\"value\":99999999999.999999}") != NULL, "%s", text);
    free(text);
    json_decref(d);
    gk_report_free(a);
    gk_report_free(b);
}
END_TEST

START_TEST(test_cells_three_states)
{
    gk_report *a = parse("{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":"
                         "{\"review\":{\"upheld\":1,\"corrected\":0,\"other\":null,\"pending\":2}}}}");
    gk_report *b = parse("{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":"
                         "{\"review\":{\"upheld\":1,\"corrected\":null,\"other\":0,\"total\":3}}}}");
    json_t *d = gk_report_diff(a, b);
    ck_assert_int_eq(json_integer_value(json_object_get(d, "cells_changed")), 4);
    const json_t *c = find_cell(d, "tables.appeals.review.corrected");
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "from"), "state")), "number");
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c, "from"), "value")), 0);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "to"), "state")), "null");
    c = find_cell(d, "tables.appeals.review.pending");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "to"), "state")), "absent");
    c = find_cell(d, "tables.appeals.review.total");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "from"), "state")), "absent");
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c, "to"), "value")), 3);
    ck_assert_str_eq(json_string_value(json_object_get(c, "label")), "复议诉讼表“行政复议”行“总计”列");
    ck_assert_ptr_null(find_cell(d, "tables.appeals.review.upheld"));
    json_decref(d);
    /* a report against itself: nothing */
    d = gk_report_diff(a, a);
    ck_assert_int_eq(json_integer_value(json_object_get(d, "cells_changed")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(d, "sections_changed")), 0);
    json_decref(d);
    gk_report_free(a);
    gk_report_free(b);
}
END_TEST

START_TEST(test_prose_sentences)
{
    gk_report *a = parse("{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"narrative\":{"
                         "\"overview\":\"第一句。第二句！第三句\\n第四句；\",\"problems\":\"问题。\"}}");
    gk_report *b = parse("{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"narrative\":{"
                         "\"overview\":\"第一句。第二句改了！第三句\\n第四句；第五句。\",\"problems\":\"问题。\","
                         "\"other\":\"无。\"}}");
    json_t *d = gk_report_diff(a, b);
    const json_t *ov = json_array_get(json_object_get(d, "narrative"), 0);
    ck_assert(json_is_true(json_object_get(ov, "changed")));
    const json_t *rm = json_object_get(ov, "removed"), *ad = json_object_get(ov, "added");
    ck_assert_uint_eq(json_array_size(rm), 1);
    ck_assert_str_eq(json_string_value(json_array_get(rm, 0)), "第二句！");
    ck_assert_uint_eq(json_array_size(ad), 2);
    ck_assert_str_eq(json_string_value(json_array_get(ad, 0)), "第二句改了！");
    ck_assert_str_eq(json_string_value(json_array_get(ad, 1)), "第五句。");
    const json_t *pr = json_array_get(json_object_get(d, "narrative"), 1);
    ck_assert(json_is_false(json_object_get(pr, "changed")));
    const json_t *ot = json_array_get(json_object_get(d, "narrative"), 2);
    ck_assert(json_is_true(json_object_get(ot, "changed")));
    ck_assert(json_is_false(json_object_get(ot, "present_before")));
    ck_assert_int_eq(json_integer_value(json_object_get(d, "sections_changed")), 2);
    json_decref(d);
    gk_report_free(a);
    gk_report_free(b);
}
END_TEST

/* 2019 → 2021 layouts: cells only one format has are named as such. */
START_TEST(test_across_formats)
{
    gk_report *a = gk_report_template(gk_format_find("2019"), 2020, "35");
    gk_report *b = gk_report_template(gk_format_find("2021"), 2021, "35");
    json_t *d = gk_report_diff(a, b);
    const json_t *c = find_cell(d, "tables.requests.other.total");
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "to"), "state")), "not_in_format");
    c = find_cell(d, "tables.requests.other_misc.total");
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "from"), "state")), "not_in_format");
    ck_assert_ptr_null(find_cell(d, "tables.requests.received.total"));
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(d, "format"), "to")), "2021");
    json_decref(d);
    gk_report_free(a);
    gk_report_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("diff");
    TCase *tc = tcase_create("diff");
    tcase_add_test(tc, test_cells_three_states);
    tcase_add_test(tc, test_prose_sentences);
    tcase_add_test(tc, test_across_formats);
    tcase_add_test(tc, test_diff_amount_exact);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
