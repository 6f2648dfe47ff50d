/* test_fastparse.c — the parser's fast path never decides differently from
 * the general (jansson) path: whatever it accepts, the general path accepts
 * with no findings and an equal report; and it does accept ordinary
 * reports (or it would be dead code). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "fastparse.h"
#include "gongkai/report.h"
#include "testutil.h"

/* Returns whether the fast path took the text; fails the test on any
 * disagreement. */
static bool agree(const char *text, size_t len)
{
    gk_report *fast = NULL;
    bool took = gk_fastparse_report(text, len, &fast);
    gk_findings fs;
    gk_findings_init(&fs);
    gk_error err;
    gk_report *gen = gk_report_parse_general(text, len, &fs, &err);
    if (took) {
        ck_assert_msg(gen != NULL, "fast path accepted what jansson refuses (%s): %.200s", err.message,
                      text);
        ck_assert_msg(fs.n == 0, "fast path accepted a document with parse findings: %.200s", text);
        ck_assert_msg(gk_report_equal(fast, gen), "fast and general paths differ: %.200s", text);
    }
    gk_report_free(fast);
    gk_report_free(gen);
    gk_findings_free(&fs);
    return took;
}

static bool agree_s(const char *text)
{
    return agree(text, strlen(text));
}

START_TEST(test_takes_ordinary_reports)
{
    size_t len;
    char *sample = tu_read_file(GK_TEST_DATA "/sample-350481101-2020.json", &len);
    ck_assert(agree(sample, len));
    free(sample);
    for (size_t i = 0; i < gk_format_count(); i++) {
        gk_report *t = gk_report_template(gk_format_at(i), gk_format_at(i)->year_from, "350481101");
        t->cells[0].state = GK_CELL_NULL;
        char *s = gk_report_dump(t, true);
        ck_assert(agree_s(s));
        free(s);
        s = gk_report_dump(t, false);
        ck_assert(agree_s(s));
        free(s);
        gk_report_free(t);
    }
    ck_assert(agree_s("{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"active\":"
                      "{\"fees\":{\"amount_10k_yuan\":12.5}}}}"));
    ck_assert(agree_s(" {\"entity\":\"35\",\"narrative\":{\"other\":\"\\u65e0\\ud83d\\ude00\\n\\\"x\\\"\"},"
                      "\"year\":2022,\"format\":\"2021\",\"published_at\":\"2023-01-20\"} \n"));
}
END_TEST

START_TEST(test_edges_agree)
{
    static const char *const texts[] = {
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"format\":\"2021\"}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\"} x",
        "{\"format\":\"2021\",\"year\":2022.0,\"entity\":\"35\"}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":{\"review\":{\"total\":3.0}}}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":{\"review\":{\"total\":-0}}}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":{\"review\":{\"total\":-1}}}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":{\"review\":{\"total\":01}}}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":{\"review\":{\"total\":99999999999999999999}}}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":{\"review\":{\"total\":1e3}}}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":{\"review\":{\"total\":1,\"total\":2}}}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":{},\"appeals\":{}}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"active\":{\"fees\":{\"amount_10k_yuan\":1.23456}}}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"active\":{\"fees\":{\"amount_10k_yuan\":0.0001}}}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"active\":{\"fees\":{\"amount_10k_yuan\":-1.5}}}}",
        "{\"format\":\"2019\",\"year\":2020,\"entity\":\"35\",\"tables\":{\"active\":{\"fees\":{\"change\":-3}}}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"narrative\":{\"other\":null}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"narrative\":{\"other\":\"a\\u0000b\"}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"narrative\":{\"other\":\"\\ud800\"}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"narrative\":{\"other\":\"\xe8\xb4\"}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"narrative\":{\"other\":\"tab\there\"}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"published_at\":\"2023-02-30\"}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"published_at\":\"\"}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"3a\"}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"1234567890123\"}",
        "{\"format\":\"2030\",\"year\":2022,\"entity\":\"35\"}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"extra\":[1,{\"a\":[]}]}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":{\"review\":{\"bogus\":1}}}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":[]}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",",
        "{\"for\\u006dat\":\"2021\",\"year\":2022,\"entity\":\"35\"}",
        "",
        "[]",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        agree_s(texts[i]);
    /* with an embedded NUL byte */
    agree("{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\"}\0", 44);
    /* the escaped key is an ordinary key once decoded */
    ck_assert(agree_s("{\"for\\u006dat\":\"2021\",\"year\":2022,\"entity\":\"35\"}"));
    ck_assert(!agree_s("{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"format\":\"2021\"}"));
    /* an empty table is a missing table on both paths (the fast path takes
     * it; agree() checks the models are equal) */
    ck_assert(agree_s("{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":{}}}"));
    ck_assert(agree_s("{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":{\"review\":{}}}}"));
    ck_assert(!agree_s("{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":{},\"appeals\":{}}}"));
}
END_TEST

/* Every rule case document and every prefix of the sample. */
START_TEST(test_prefixes_agree)
{
    size_t len;
    char *sample = tu_read_file(GK_TEST_DATA "/sample-350481101-2020.json", &len);
    for (size_t n = 0; n < len; n += 7)
        ck_assert(!agree(sample, n) || n == len);
    free(sample);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fastparse");
    TCase *tc = tcase_create("fastparse");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_takes_ordinary_reports);
    tcase_add_test(tc, test_edges_agree);
    tcase_add_test(tc, test_prefixes_agree);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
