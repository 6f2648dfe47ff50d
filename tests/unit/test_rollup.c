/* test_rollup.c — cell sums with contributor counts; the property that sums
 * of reports passing the arithmetic rules pass them too. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/exactjson.h"
#include "gongkai/rollup.h"
#include "gongkai/rules.h"
#include "fastparse.h"
#include "testutil.h"

static unsigned seed = 4242;

static gk_cell *cell(gk_report *r, const char *t, const char *row, const char *col)
{
    int i = gk_format_cell_index(r->format, t, row, col);
    ck_assert_int_ge(i, 0);
    return &r->cells[i];
}

static void put(gk_report *r, const char *t, const char *row, const char *col, int64_t v)
{
    gk_cell *c = cell(r, t, row, col);
    /* a zero is sometimes written as not applicable: it counts 0 in sums */
    c->state = (v == 0 && rand_r(&seed) % 3 == 0) ? GK_CELL_NULL : GK_CELL_NUMBER;
    c->value = c->state == GK_CELL_NUMBER ? v : 0;
}

static int64_t rnd(int max) { return rand_r(&seed) % 3 == 0 ? 0 : rand_r(&seed) % max; }

/* A random report that satisfies every arithmetic rule of its format. */
static gk_report *consistent_report(const gk_format *f, const char *entity)
{
    gk_report *r = gk_report_template(f, f->year_from, entity);
    const gk_table *req = &f->tables[gk_format_table_index(f, "requests")];
    const gk_sum_rule *outcome = &f->rules[1];
    for (size_t col = 0; col < 6; col++) {
        const char *ck = req->columns[col].key;
        int64_t total = 0;
        for (size_t k = 0; k < outcome->n_rhs; k++) {
            int64_t v = rnd(20);
            put(r, "requests", req->rows[outcome->rhs[k]].key, ck, v);
            total += v;
        }
        int64_t cf = rnd(10), co = total + cf ? rand_r(&seed) % (total + cf + 1) : 0;
        put(r, "requests", "total", ck, total);
        put(r, "requests", "carried_forward", ck, cf);
        put(r, "requests", "carried_over", ck, co);
        put(r, "requests", "received", ck, total + cf - co);
    }
    for (size_t row = 0; row < req->n_rows; row++) {
        int64_t sum = 0;
        for (size_t col = 0; col < 6; col++) {
            gk_cell *c = cell(r, "requests", req->rows[row].key, req->columns[col].key);
            sum += c->state == GK_CELL_NUMBER ? c->value : 0;
        }
        put(r, "requests", req->rows[row].key, "total", sum);
    }
    static const char *appeal_rows[] = {"review", "suit_direct", "suit_after_review"};
    static const char *appeal_parts[] = {"upheld", "corrected", "other", "pending"};
    for (int i = 0; i < 3; i++) {
        int64_t sum = 0;
        for (int p = 0; p < 4; p++) {
            int64_t v = rnd(5);
            put(r, "appeals", appeal_rows[i], appeal_parts[p], v);
            sum += v;
        }
        put(r, "appeals", appeal_rows[i], "total", sum);
    }
    const gk_table *act = &f->tables[0];
    for (size_t c = act->first_cell; c < act->first_cell + act->n_cells; c++) {
        r->cells[c].state = GK_CELL_NUMBER;
        r->cells[c].value = rnd(1000) * (act->columns[f->cells[c].column].kind == GK_KIND_AMOUNT ? 137 : 1);
    }
    return r;
}

static size_t arithmetic_errors(const gk_report *r)
{
    gk_findings fs;
    gk_findings_init(&fs);
    gk_rules_arithmetic(r, &fs);
    size_t n = fs.n;
    gk_findings_free(&fs);
    return n;
}

START_TEST(test_sum_of_passing_reports_passes)
{
    for (size_t fi = 0; fi < gk_format_count(); fi++) {
        const gk_format *f = gk_format_at(fi);
        for (int trial = 0; trial < 20; trial++) {
            gk_rollup *ru = gk_rollup_new(f);
            int n = 1 + rand_r(&seed) % 30;
            for (int i = 0; i < n; i++) {
                gk_report *r = consistent_report(f, "350481101");
                ck_assert_uint_eq(arithmetic_errors(r), 0);
                ck_assert_int_eq(gk_rollup_add(ru, r, 1), 0);
                gk_report_free(r);
            }
            ck_assert_int_eq(ru->n_reports, n);
            gk_report *sum = gk_rollup_as_report(ru, f->year_from, "350481");
            ck_assert_uint_eq(arithmetic_errors(sum), 0);
            gk_report_free(sum);
            gk_rollup_free(ru);
        }
    }
}
END_TEST

/* The rules would catch a broken sum: the property test is not vacuous. */
START_TEST(test_broken_report_breaks_sum)
{
    const gk_format *f = gk_format_find("2021");
    gk_rollup *ru = gk_rollup_new(f);
    gk_report *a = consistent_report(f, "350481101"), *b = consistent_report(f, "350481102");
    cell(b, "appeals", "review", "total")->state = GK_CELL_NUMBER;
    cell(b, "appeals", "review", "total")->value += 1;
    ck_assert_int_eq(gk_rollup_add(ru, a, 1), 0);
    ck_assert_int_eq(gk_rollup_add(ru, b, 1), 0);
    gk_report *sum = gk_rollup_as_report(ru, 2021, "350481");
    ck_assert_uint_gt(arithmetic_errors(sum), 0);
    gk_report_free(sum);
    gk_report_free(a);
    gk_report_free(b);
    gk_rollup_free(ru);
}
END_TEST

/* Regression (issue 13, item 4): a JSON rollup printed amount sums through
 * a double with 15 significant digits, 123456789012.3456 as
 * 123456789012.346, while its CSV said 123456789012.3456. */
START_TEST(test_rollup_json_amount_exact)
{
    const gk_format *f = gk_format_find("2021");
    int i = gk_format_cell_index(f, "active", "fees", "amount_10k_yuan");
    static const struct {
        int64_t a, b;
        const char *want;
    } cases[] = {
        {INT64_C(123456789012000000), 345600, "\"sum\":123456789012.3456,"},
        {INT64_C(24252311082), INT64_C(4166241619), "\"sum\":28418.552701,"},
        {INT64_C(999999999999999999), 1, "\"sum\":1000000000000,"},
        {INT64_C(1000000000000000000), INT64_C(999999999999999999), "\"sum\":1999999999999.999999,"},
        {1, 2, "\"sum\":0.000003,"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        gk_report *a = gk_report_new(f, 2021, "350481101");
        gk_report *b = gk_report_new(f, 2021, "350481102");
        a->cells[i] = (gk_cell){GK_CELL_NUMBER, cases[k].a, NULL};
        b->cells[i] = (gk_cell){GK_CELL_NUMBER, cases[k].b, NULL};
        gk_rollup *ru = gk_rollup_new(f);
        ck_assert_int_eq(gk_rollup_add(ru, a, 1), 0);
        ck_assert_int_eq(gk_rollup_add(ru, b, 1), 0);
        json_t *j = gk_rollup_to_json(ru);
        char *text = gk_json_dumps_exact(json_object_get(json_object_get(json_object_get(json_object_get(j, "tables"),
                                                                                            "active"), "fees"),
                                                          "amount_10k_yuan"),
                                         JSON_COMPACT);
        ck_assert_msg(text != NULL && strstr(text, cases[k].want) != NULL, "%s, wanted %s", text, cases[k].want);
        /* and it is JSON that reads back as a number */
        json_error_t e;
        json_t *back = json_loads(text, 0, &e);
        ck_assert_ptr_nonnull(back);
        ck_assert(json_is_number(json_object_get(back, "sum")));
        json_decref(back);
        free(text);
        json_decref(j);
        gk_rollup_free(ru);
        gk_report_free(a);
        gk_report_free(b);
    }
    /* ordinary strings pass through untouched, escapes included: even a
     * text that looks like the mark stays a string */
    json_t *o = json_pack("{s:s,s:s,s:o}", "a", "x\"\\u0000gk-exact:1\"", "b", "\\u0000gk-exact:2", "c",
                          gk_json_exact_number("-2.5"));
    char *t = gk_json_dumps_exact(o, JSON_COMPACT | JSON_SORT_KEYS);
    ck_assert_str_eq(t, "{\"a\":\"x\\\"\\\\u0000gk-exact:1\\\"\",\"b\":\"\\\\u0000gk-exact:2\",\"c\":-2.5}");
    free(t);
    json_decref(o);
    ck_assert_ptr_null(gk_json_exact_number("1e5"));
    ck_assert_ptr_null(gk_json_exact_number("1."));
}
END_TEST

/* Issue 13, item 4: six-decimal fees as published (24252.311082 and
 * 4166.241619 万元), parsed from their text, summed and written exactly. */
START_TEST(test_rollup_six_decimals_from_text)
{
    /* each fee twice, by the fast and the general path: 2 × 28418.552701 */
    static const char *const fees[] = {"24252.311082", "4166.241619"};
    const gk_format *f = gk_format_find("2021");
    gk_rollup *ru = gk_rollup_new(f);
    for (size_t k = 0; k < 2; k++) {
        for (int general = 0; general < 2; general++) {
            char text[256];
            snprintf(text, sizeof text,
                     "{\"format\":\"2021\",\"year\":2021,\"entity\":\"35048110%zu\",%s\"tables\":{\"active\":"
                     "{\"fees\":{\"amount_10k_yuan\":%s}}}}",
                     k + 1, general ? "\"x\":1," : "", fees[k]);
            gk_error err;
            gk_report *r = general ? gk_report_parse_general(text, strlen(text), NULL, &err)
                                   : gk_report_parse(text, strlen(text), NULL, &err);
            ck_assert_ptr_nonnull(r);
            ck_assert_int_eq(gk_rollup_add(ru, r, 1), 0);
            gk_report_free(r);
        }
    }
    json_t *j = gk_rollup_to_json(ru);
    char *text = gk_json_dumps_exact(json_object_get(json_object_get(json_object_get(json_object_get(j, "tables"),
                                                                                        "active"), "fees"),
                                                      "amount_10k_yuan"),
                                     JSON_COMPACT);
    ck_assert_msg(text != NULL && strstr(text, "\"sum\":56837.105402,") != NULL, "%s", text);
    free(text);
    json_decref(j);
    gk_rollup_free(ru);
}
END_TEST

START_TEST(test_counts_and_removal)
{
    const gk_format *f = gk_format_find("2021");
    gk_report *a = gk_report_new(f, 2021, "350481101");
    gk_report *b = gk_report_new(f, 2021, "350481102");
    gk_report *c = gk_report_new(f, 2021, "350481103");
    int i = gk_format_cell_index(f, "active", "fees", "amount_10k_yuan");
    a->cells[i] = (gk_cell){GK_CELL_NUMBER, 12500000, NULL};
    b->cells[i] = (gk_cell){GK_CELL_NULL, 0, NULL};
    gk_rollup *ru = gk_rollup_new(f);
    ck_assert_int_eq(gk_rollup_add(ru, a, 1), 0);
    ck_assert_int_eq(gk_rollup_add(ru, b, 1), 0);
    ck_assert_int_eq(gk_rollup_add(ru, c, 1), 0);
    ck_assert_int_eq(ru->cells[i].sum, 12500000);
    ck_assert_int_eq(ru->cells[i].n_number, 1);
    ck_assert_int_eq(ru->cells[i].n_null, 1);
    json_t *j = gk_rollup_to_json(ru);
    json_t *cj = json_object_get(json_object_get(json_object_get(json_object_get(j, "tables"), "active"), "fees"), "amount_10k_yuan");
    char *dumped = gk_json_dumps_exact(json_object_get(cj, "sum"), JSON_ENCODE_ANY);
    ck_assert_str_eq(dumped, "12.5");
    free(dumped);
    ck_assert_int_eq(json_integer_value(json_object_get(cj, "reported")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(cj, "not_applicable")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(cj, "blank")), 1);
    json_decref(j);
    /* a cell nobody filled stays absent, one only null stays null */
    ck_assert_int_eq(gk_rollup_add(ru, a, -1), 0);
    gk_report *sum = gk_rollup_as_report(ru, 2021, "350481");
    ck_assert_int_eq(sum->cells[i].state, GK_CELL_NULL);
    ck_assert_int_eq(sum->cells[0].state, GK_CELL_ABSENT);
    gk_report_free(sum);
    ck_assert_int_eq(ru->n_reports, 2);
    ck_assert_int_eq(ru->cells[i].sum, 0);
    /* other format: refused, unchanged */
    gk_report *old = gk_report_new(gk_format_find("2019"), 2020, "350481101");
    ck_assert_int_eq(gk_rollup_add(ru, old, 1), -1);
    ck_assert_int_eq(ru->n_reports, 2);
    /* overflow: refused, unchanged */
    a->cells[0] = (gk_cell){GK_CELL_NUMBER, INT64_MAX, NULL};
    ck_assert_int_eq(gk_rollup_add(ru, a, 1), 0);
    ck_assert_int_eq(gk_rollup_add(ru, a, 1), -1);
    ck_assert_int_eq(ru->n_reports, 3);
    ck_assert_int_eq(ru->cells[0].sum, INT64_MAX);
    gk_report_free(old);
    gk_report_free(a);
    gk_report_free(b);
    gk_report_free(c);
    gk_rollup_free(ru);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rollup");
    TCase *tc = tcase_create("rollup");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_sum_of_passing_reports_passes);
    tcase_add_test(tc, test_broken_report_breaks_sum);
    tcase_add_test(tc, test_counts_and_removal);
    tcase_add_test(tc, test_rollup_json_amount_exact);
    tcase_add_test(tc, test_rollup_six_decimals_from_text);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
