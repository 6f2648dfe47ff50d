/* test_rules.c — every rule of FORMAT.md §3 that a report (and its context)
 * decides, both ways, from the cases under tests/cases/<code>/<case>.json:
 * each case is a base template plus edits and the exact findings expected
 * (code and path; order free).  A case named trigger-* must contain its own
 * code; every code must have at least one trigger-* and one ok-* case. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/rules.h"
#include "testutil.h"

static const char *const rule_codes[] = {
    "structure.format_year_mismatch", "structure.missing_table", "structure.missing_cell",
    "structure.unknown_cell", "structure.missing_narrative", "value.invalid",
    "value.not_applicable", "requests.row_total", "requests.outcome_total", "requests.balance",
    "appeals.row_total", "history.carry_mismatch", "history.items_mismatch", "history.jump",
    "timeliness.late", "domain.township_rules", NULL,
};

static gk_report *report_from_spec(const json_t *spec, gk_findings *fs)
{
    json_t *doc = tu_build_report(spec);
    char *text = json_dumps(doc, JSON_COMPACT);
    gk_error err;
    gk_report *r = gk_report_parse(text, strlen(text), fs, &err);
    ck_assert_msg(r != NULL, "case document refused: %s", err.message);
    free(text);
    json_decref(doc);
    return r;
}

static void run_case(const char *code, const char *file)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", GK_CASES_DIR, code, file);
    json_error_t jerr;
    json_t *spec = json_load_file(path, 0, &jerr);
    ck_assert_msg(spec != NULL, "%s: %s", path, jerr.text);

    gk_findings fs, prev_fs;
    gk_findings_init(&fs);
    gk_findings_init(&prev_fs);
    gk_report *r = report_from_spec(spec, &fs);
    gk_report *prev = NULL;
    if (json_object_get(spec, "previous"))
        prev = report_from_spec(json_object_get(spec, "previous"), &prev_fs);
    const json_t *ctxj = json_object_get(spec, "context");
    gk_rules_context ctx = {
        .previous = prev,
        .deadline = json_string_value(json_object_get(ctxj, "deadline")),
        .first_submitted = json_string_value(json_object_get(ctxj, "first_submitted")),
    };
    gk_rules_check(r, &ctx, &fs);

    const json_t *expect = json_object_get(spec, "expect");
    char *got = tu_findings_text(&fs);
    ck_assert_msg(fs.n == json_array_size(expect), "%s: expected %zu findings, got %zu: %s", path,
                  json_array_size(expect), fs.n, got);
    size_t i;
    const json_t *e;
    json_array_foreach(expect, i, e) {
        const char *ec = json_string_value(json_object_get(e, "code"));
        const char *ep = json_string_value(json_object_get(e, "path"));
        ck_assert_msg(tu_count(&fs, ec, ep) >= 1, "%s: missing %s@%s; got %s", path, ec, ep, got);
    }
    for (size_t k = 0; k < fs.n; k++)
        ck_assert_msg(fs.items[k].message[0] != '\0', "%s: empty message", path);
    if (!strncmp(file, "trigger", 7))
        ck_assert_msg(tu_count(&fs, code, NULL) >= 1, "%s does not trigger %s", path, code);
    else
        ck_assert_msg(tu_count(&fs, code, NULL) == 0, "%s triggers %s", path, code);
    free(got);
    gk_report_free(r);
    gk_report_free(prev);
    gk_findings_free(&fs);
    gk_findings_free(&prev_fs);
    json_decref(spec);
}

START_TEST(test_every_case)
{
    size_t cases = 0;
    for (const char *const *code = rule_codes; *code; code++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s", GK_CASES_DIR, *code);
        DIR *d = opendir(dir);
        ck_assert_msg(d != NULL, "no cases for rule %s", *code);
        int triggers = 0, oks = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
            size_t n = strlen(de->d_name);
            if (n < 6 || strcmp(de->d_name + n - 5, ".json"))
                continue;
            run_case(*code, de->d_name);
            cases++;
            triggers += !strncmp(de->d_name, "trigger", 7);
            oks += !strncmp(de->d_name, "ok", 2);
        }
        closedir(d);
        ck_assert_msg(triggers > 0 && oks > 0, "rule %s needs a trigger-* and an ok-* case", *code);
    }
    ck_assert_uint_ge(cases, 30);
}
END_TEST

/* The message names the cells and the numbers (the example). */
START_TEST(test_row_total_message)
{
    json_t *spec = json_pack("{s{sssiss}s{sisisi}}", "base", "format", "2021", "year", 2021,
                             "entity", "350481101", "set", "tables.requests.received.natural_person",
                             7, "tables.requests.received.total", 7,
                             "tables.requests.total.total", 0);
    json_object_set_new(json_object_get(spec, "set"), "tables.requests.received.total",
                        json_integer(7));
    json_object_set_new(json_object_get(spec, "set"), "tables.requests.received.natural_person",
                        json_integer(6));
    gk_findings fs;
    gk_findings_init(&fs);
    gk_report *r = report_from_spec(spec, &fs);
    gk_rules_check(r, NULL, &fs);
    int found = 0;
    for (size_t i = 0; i < fs.n; i++)
        if (!strcmp(fs.items[i].code, "requests.row_total")) {
            ck_assert_str_eq(fs.items[i].path, "tables.requests.received.total");
            ck_assert_str_eq(fs.items[i].message, "申请情况表“本年新收”行：总计 7 ≠ 各列之和 6");
            ck_assert_str_eq(gk_severity_name(fs.items[i].severity), "error");
            found++;
        }
    ck_assert_int_eq(found, 1);
    gk_report_free(r);
    gk_findings_free(&fs);
    json_decref(spec);
}
END_TEST

/* FORMAT.md §4: the sample is judged structure.missing_table for appeals and
 * nothing arithmetic. */
START_TEST(test_sample_report)
{
    size_t len;
    char *text = tu_read_file(GK_TEST_DATA "/sample-350481101-2020.json", &len);
    gk_findings fs;
    gk_findings_init(&fs);
    gk_error err;
    gk_report *r = gk_judge_text(text, len, NULL, &fs, &err);
    ck_assert(r != NULL);
    ck_assert_str_eq(r->format->version, "2019");
    ck_assert_int_eq(r->year, 2020);
    char *got = tu_findings_text(&fs);
    ck_assert_msg(fs.n == 1, "sample: %s", got);
    ck_assert_str_eq(fs.items[0].code, "structure.missing_table");
    ck_assert_str_eq(fs.items[0].path, "tables.appeals");
    ck_assert_int_eq(fs.items[0].severity, GK_SEV_ERROR);
    free(got);
    gk_report_free(r);
    gk_findings_free(&fs);
    free(text);
}
END_TEST

START_TEST(test_history_needs_previous_year_same_entity)
{
    json_t *spec = json_pack("{s{sssiss}s{si}}", "base", "format", "2021", "year", 2022, "entity",
                             "350481101", "set", "tables.requests.carried_over.total", 5);
    json_t *pspec = json_pack("{s{sssiss}s{}}", "base", "format", "2021", "year", 2020, "entity",
                              "350481101", "set");
    gk_findings fs;
    gk_findings_init(&fs);
    gk_report *r = report_from_spec(spec, &fs);
    gk_report *p = report_from_spec(pspec, &fs);
    gk_findings_free(&fs);
    gk_findings_init(&fs);
    /* two years back: not last year's report, so no carry finding */
    gk_rules_history(r, p, &fs);
    ck_assert_uint_eq(tu_count(&fs, "history.carry_mismatch", NULL), 0);
    p->year = 2021;
    snprintf(p->entity, sizeof p->entity, "350481102");
    gk_rules_history(r, p, &fs);
    ck_assert_uint_eq(tu_count(&fs, "history.carry_mismatch", NULL), 0);
    snprintf(p->entity, sizeof p->entity, "350481101");
    gk_rules_history(r, p, &fs);
    ck_assert_uint_eq(tu_count(&fs, "history.carry_mismatch", NULL), 1);
    gk_report_free(r);
    gk_report_free(p);
    gk_findings_free(&fs);
    json_decref(spec);
    json_decref(pspec);
}
END_TEST

START_TEST(test_default_deadline)
{
    char d[11];
    gk_rules_default_deadline(2024, d);
    ck_assert_str_eq(d, "2025-01-31");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rules");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, test_every_case);
    tcase_add_test(tc, test_row_total_message);
    tcase_add_test(tc, test_sample_report);
    tcase_add_test(tc, test_history_needs_previous_year_same_entity);
    tcase_add_test(tc, test_default_deadline);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
