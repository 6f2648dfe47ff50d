/* test_report.c — the model: three cell states, refusals, round trips. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fastparse.h"
#include "gongkai/report.h"
#include "testutil.h"

static gk_report *parse_ok(const char *text, gk_findings *fs)
{
    gk_error err;
    gk_report *r = gk_report_parse(text, strlen(text), fs, &err);
    ck_assert_msg(r != NULL, "refused: %s", err.message);
    return r;
}

START_TEST(test_three_states)
{
    gk_findings fs;
    gk_findings_init(&fs);
    gk_report *r = parse_ok("{\"format\":\"2021\",\"year\":2022,\"entity\":\"350481101\","
                            "\"tables\":{\"appeals\":{\"review\":{\"upheld\":0,\"corrected\":null}}}}",
                            &fs);
    ck_assert_int_eq(gk_report_cell(r, "appeals", "review", "upheld")->state, GK_CELL_NUMBER);
    ck_assert_int_eq(gk_report_cell(r, "appeals", "review", "upheld")->value, 0);
    ck_assert_int_eq(gk_report_cell(r, "appeals", "review", "corrected")->state, GK_CELL_NULL);
    ck_assert_int_eq(gk_report_cell(r, "appeals", "review", "other")->state, GK_CELL_ABSENT);
    ck_assert(r->table_present[2]);
    ck_assert(!r->table_present[0]);
    ck_assert_uint_eq(fs.n, 0);
    gk_report_free(r);
    gk_findings_free(&fs);
}
END_TEST

/* Regression: an empty table object ("appeals": {}) or one with only keys the
 * format lacks is a missing table, on both parser paths. */
START_TEST(test_empty_table_is_missing)
{
    static const char *const texts[] = {
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":{}}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":{\"review\":{}}}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":{\"x\":{\"total\":1}}}}",
        "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":7}}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        gk_error err;
        gk_report *r = gk_report_parse(texts[i], strlen(texts[i]), NULL, &err);
        ck_assert_msg(r != NULL, "refused: %s", err.message);
        ck_assert(r->has_tables);
        ck_assert_msg(!r->table_present[2], "case %zu: appeals counted as present", i);
        gk_report_free(r);
        r = gk_report_parse_general(texts[i], strlen(texts[i]), NULL, &err);
        ck_assert_msg(!r->table_present[2], "case %zu: appeals present on the general path", i);
        gk_report_free(r);
    }
    /* one cell given, even null, makes the table present */
    const char *one = "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"appeals\":{\"review\":{\"total\":null}}}}";
    gk_report *r = parse_ok(one, NULL);
    ck_assert(r->table_present[2]);
    gk_report_free(r);
}
END_TEST

/* Regression: the unknown-format message listed a hardcoded "2019、2021" and
 * printed the word "format" instead of the value given. */
START_TEST(test_unknown_format_message)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"{\"format\":\"2030\",\"year\":2021,\"entity\":\"35\"}", "未知的报告格式 format “2030”（已知：2019、2021）"},
        {"{\"format\":2019,\"year\":2021,\"entity\":\"35\"}", "format 应为表示格式版本的字符串（已知：2019、2021），收到 2019"},
        {"{\"format\":null,\"year\":2021,\"entity\":\"35\"}", "收到 null"},
        {"{\"year\":2021,\"entity\":\"35\"}", "缺少 format（报告格式版本，已知：2019、2021）"},
        /* long, control characters, invalid escapes shown safely and cut */
        {"{\"format\":\"20\\u0001\\n21-0123456789012345678901234567890\",\"year\":2021,\"entity\":\"35\"}",
         "“20??21-0123456789012…”"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gk_error err;
        ck_assert_ptr_null(gk_report_parse(cases[i].text, strlen(cases[i].text), NULL, &err));
        ck_assert_str_eq(err.code, "unknown_format");
        ck_assert_msg(strstr(err.message, cases[i].want) != NULL, "case %zu: %s", i, err.message);
    }
}
END_TEST

/* Regression: invalid_json messages carried jansson's English ("string or '}'
 * expected near 'x'", "\\u0000 is not allowed without JSON_ALLOW_NUL") and
 * column 0 for an empty body or a 0xff byte. */
START_TEST(test_json_errors_in_chinese)
{
    static const struct {
        const char *text;
        size_t len;  /* 0: strlen */
        const char *want;
        int line, column;
    } cases[] = {
        {"", 0, "内容为空", 1, 1},
        {" \n", 0, "内容为空", 2, 1},
        {"{", 0, "内容不完整，文件提前结束", 1, 1},
        {"{\"a\":1,\n", 0, "内容不完整", 2, 1},
        {"{x", 0, "此处应为带引号的键名或 }（在“x”处）", 1, 2},
        {"{\"a\" 1}", 0, "键名后应为冒号", 1, 6},
        {"{\"a\":1 \"b\":2}", 0, "此处应为逗号或 }", 1, 10},
        {"[1 2]", 0, "此处应为逗号或 ]", 1, 4},
        {"{\"a\":}", 0, "此处应为一个值", 1, 6},
        {"{\"a\":nul}", 0, "无法识别的内容", 1, 8},
        {"{} x", 0, "后面还有多余的内容（在“x”处）", 1, 4},
        {"{\"a\":\"x\ny\"}", 0, "字符串中不能直接换行", 1, 7},
        {"{\"a\":\"\\q\"}", 0, "无效的转义", 1, 8},
        {"{\"a\":\"\\ud800\"}", 0, "代理项不成对", 1, 13},
        {"{\"a\":\"\\u0000\"}", 0, "字符串中不能含有 \\u0000（空字符）", 1, 13},
        {"{\"a\\u0000\":1}", 0, "键名中不能含有 \\u0000", 1, 10},
        {"{\"a\":1,\"a\":2}", 0, "键名重复", 1, 10},
        {"{\"a\":1e400}", 0, "数值超出可表示的范围", 1, 10},
        {"{\"a\":\"abc", 0, "字符串缺少结束的引号", 1, 9},
        {"\xff", 0, "字节 0xFF 不是有效的 UTF-8 编码", 1, 1},
        {"{\"a\":\"\xff\"}", 0, "字节 0xFF 不是有效的 UTF-8 编码", 1, 7},
        {"\xef\xbb\xbf{}", 0, "UTF-8 BOM", 1, 1},
        {"{\"a\":\x01}", 0, "无法识别的内容（值只能是带引号的字符串、数字、对象、数组、true、false 或 null）（在“?”处）", 1, 6},
        {"{\"a\":1}\0", 9, "空字节 0x00", 1, 8},
        {"{\"a\":\0}", 7, "空字节 0x00", 1, 6},
    };
    static const char *const english[] = {"expected", "near", "JSON_", "token", "allowed", "byte 0x",
                                          "premature", "overflow", "integer"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gk_error err;
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        ck_assert_ptr_null(gk_report_parse(cases[i].text, len, NULL, &err));
        ck_assert_str_eq(err.code, "invalid_json");
        ck_assert_msg(strstr(err.message, cases[i].want) != NULL, "case %zu: %s", i, err.message);
        for (size_t k = 0; k < sizeof english / sizeof *english; k++)
            ck_assert_msg(strstr(err.message, english[k]) == NULL, "case %zu: English: %s", i, err.message);
        ck_assert_msg(err.line == cases[i].line && err.column == cases[i].column,
                      "case %zu: line %d column %d, want %d %d", i, err.line, err.column, cases[i].line,
                      cases[i].column);
        char place[64];
        snprintf(place, sizeof place, "（第 %d 行第 %d 列）", err.line, err.column);
        ck_assert_msg(strstr(err.message, place) != NULL, "case %zu: %s", i, err.message);
    }
}
END_TEST

/* Regression: a number jansson cannot hold (2^64, 1e400) in a cell made the
 * whole file "not a report" (exit 2); gongkai check (the tolerant parse) now
 * reports it as value.invalid at the cell, while the strict parse the daemon
 * uses still refuses the body (400 invalid_json, test_badinput.c). */
START_TEST(test_numbers_out_of_range)
{
    const char *text =
        "{\"format\":\"2019\",\"year\":2020,\"entity\":\"35\",\"tables\":{\"active\":{"
        "\"licensing\":{\"prior_items\":18446744073709551616,\"change\":-18446744073709551616,"
        "\"decisions\":1e400},\"procurement\":{\"amount_yuan\":-1E+999}}},"
        "\"narrative\":{\"overview\":1e400,\"other\":\"无\"}}";
    gk_error err;
    gk_findings fs;
    gk_findings_init(&fs);
    ck_assert_ptr_null(gk_report_parse(text, strlen(text), NULL, &err));
    ck_assert_str_eq(err.code, "invalid_json");
    gk_report *r = gk_report_parse_tolerant(text, strlen(text), &fs, &err);
    ck_assert_msg(r != NULL, "refused: %s", err.message);
    static const char *const paths[] = {
        "tables.active.licensing.prior_items", "tables.active.licensing.change",
        "tables.active.licensing.decisions", "tables.active.procurement.amount_yuan",
        "narrative.overview"};
    static const char *const shown[] = {"18446744073709551616", "-18446744073709551616", "1e400",
                                        "-1E+999", NULL};
    ck_assert_uint_eq(fs.n, 5);
    for (size_t i = 0; i < 5; i++) {
        ck_assert_uint_eq(tu_count(&fs, "value.invalid", paths[i]), 1);
        if (!shown[i])
            continue;
        for (size_t k = 0; k < fs.n; k++)
            if (!strcmp(fs.items[k].path, paths[i])) {
                ck_assert_msg(strstr(fs.items[k].message, shown[i]) && strstr(fs.items[k].message, "超出可表示的范围"),
                              "%s", fs.items[k].message);
                ck_assert(strstr(fs.items[k].message, "\xEF\xB7\x90") == NULL);
            }
        const gk_cell *c = &r->cells[gk_format_cell_index(r->format, "active", i == 3 ? "procurement" : "licensing",
                                                          strrchr(paths[i], '.') + 1)];
        ck_assert_int_eq(c->state, GK_CELL_INVALID);
        ck_assert_str_eq(json_string_value(c->raw), shown[i]);
    }
    ck_assert_ptr_null(r->narrative[GK_NARR_OVERVIEW]);
    /* canonical JSON keeps the text; the strict parse reads it back equal */
    char *dump = gk_report_dump(r, false);
    ck_assert(strstr(dump, "\"18446744073709551616\"") != NULL);
    gk_report *again = gk_report_parse(dump, strlen(dump), NULL, &err);
    ck_assert(again != NULL && gk_report_equal(r, again));
    gk_report_free(again);
    free(dump);
    gk_report_free(r);
    gk_findings_free(&fs);

    /* elsewhere: a wrong type */
    const char *year = "{\"format\":\"2021\",\"year\":18446744073709551616,\"entity\":\"35\"}";
    ck_assert_ptr_null(gk_report_parse_tolerant(year, strlen(year), NULL, &err));
    ck_assert_str_eq(err.code, "invalid_year");
    const char *format = "{\"format\":1e400,\"year\":2021,\"entity\":\"35\"}";
    ck_assert_ptr_null(gk_report_parse_tolerant(format, strlen(format), NULL, &err));
    ck_assert_msg(strstr(err.message, "收到 1e400") != NULL, "%s", err.message);

    /* a later syntax error is placed in the text as given */
    const char *late = "{\"format\":\"2021\",\"year\":2021,\"entity\":\"35\",\"x\":[1e400,-1e999, 1e400 x]}";
    ck_assert_ptr_null(gk_report_parse_tolerant(late, strlen(late), NULL, &err));
    ck_assert_str_eq(err.code, "invalid_json");
    ck_assert_int_eq(err.line, 1);
    ck_assert_int_eq(err.column, (int)(strrchr(late, 'x') - late) + 1);
    ck_assert_msg(strstr(err.message, "（在“x”处）") != NULL, "%s", err.message);

    /* bounded: past 64 such numbers the text is refused, at the first one
     * not repaired */
    char many[2048];
    size_t n = (size_t)snprintf(many, sizeof many, "{\"format\":\"2021\",\"year\":2021,\"entity\":\"35\",\"x\":[");
    for (int i = 0; i < 70; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, "%s1e400", i ? "," : "");
    snprintf(many + n, sizeof many - n, "]}");
    ck_assert_ptr_null(gk_report_parse_tolerant(many, strlen(many), NULL, &err));
    ck_assert_str_eq(err.code, "invalid_json");
    ck_assert_msg(strstr(err.message, "数值超出可表示的范围") != NULL, "%s", err.message);
    ck_assert_int_eq(err.column, (int)(strstr(many, "[") - many) + 1 + 64 * 6 + 5);
}
END_TEST

START_TEST(test_refusals)
{
    static const struct {
        const char *text, *code, *path;
    } cases[] = {
        {"[1,2]", "not_a_report", ""},
        {"2020", "not_a_report", ""},
        {"null", "not_a_report", ""},
        {"{\"year\":2021,\"entity\":\"35\"}", "unknown_format", "format"},
        {"{\"format\":\"2030\",\"year\":2021,\"entity\":\"35\"}", "unknown_format", "format"},
        {"{\"format\":\"2021\",\"year\":\"2021\",\"entity\":\"35\"}", "invalid_year", "year"},
        {"{\"format\":\"2021\",\"year\":1999,\"entity\":\"35\"}", "invalid_year", "year"},
        {"{\"format\":\"2021\",\"year\":2021}", "invalid_entity", "entity"},
        {"{\"format\":\"2021\",\"year\":2021,\"entity\":\"../etc\"}", "invalid_entity", "entity"},
        {"{\"format\":\"2021\",\"year\":2021,\"entity\":350481101}", "invalid_entity", "entity"},
        {"{\"format\":\"2021\",\"format\":\"2019\",\"year\":2021,\"entity\":\"35\"}", "invalid_json", ""},
        {"{\"format\":\"2021\",\n\"year\":2021,,", "invalid_json", ""},
        {"", "invalid_json", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gk_error err;
        gk_report *r = gk_report_parse(cases[i].text, strlen(cases[i].text), NULL, &err);
        ck_assert_msg(r == NULL, "case %zu accepted", i);
        ck_assert_str_eq(err.code, cases[i].code);
        ck_assert_str_eq(err.path, cases[i].path);
        ck_assert(err.message[0] != '\0');
    }
    gk_error err;
    const char *bad = "{\"format\":\"2021\",\n\"year\":2021,,";
    ck_assert_ptr_null(gk_report_parse(bad, strlen(bad), NULL, &err));
    ck_assert_int_eq(err.line, 2);
    ck_assert_int_eq(err.column, 13);
    ck_assert(strstr(err.message, "第 2 行第 13 列") != NULL);
}
END_TEST

START_TEST(test_amounts_exact)
{
    gk_findings fs;
    gk_findings_init(&fs);
    gk_report *r = parse_ok("{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"active\":"
                            "{\"fees\":{\"amount_10k_yuan\":12.5}}}}",
                            &fs);
    ck_assert_int_eq(gk_report_cell(r, "active", "fees", "amount_10k_yuan")->value, 12500000);
    char buf[32];
    gk_value_format(GK_KIND_AMOUNT, 12500000, buf, sizeof buf);
    ck_assert_str_eq(buf, "12.5");
    gk_value_format(GK_KIND_AMOUNT, 1, buf, sizeof buf);
    ck_assert_str_eq(buf, "0.000001");
    gk_value_format(GK_KIND_AMOUNT, 3000000, buf, sizeof buf);
    ck_assert_str_eq(buf, "3");
    char *s = gk_report_dump(r, false);
    ck_assert(strstr(s, "\"amount_10k_yuan\":12.5}") != NULL);
    free(s);
    gk_report_free(r);
    gk_findings_free(&fs);
}
END_TEST

/* Regression: an amount with too many decimals was shown in its finding
 * as jansson's 17 digits (1.2345600000000001), not as written. */
START_TEST(test_invalid_amount_shown_as_written)
{
    gk_findings fs;
    gk_findings_init(&fs);
    gk_report *r = parse_ok("{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"active\":"
                            "{\"fees\":{\"amount_10k_yuan\":1.2345678}}}}",
                            &fs);
    ck_assert_int_eq(gk_report_cell(r, "active", "fees", "amount_10k_yuan")->state, GK_CELL_INVALID);
    const gk_finding *f = NULL;
    for (size_t i = 0; i < fs.n; i++)
        if (strcmp(fs.items[i].code, "value.invalid") == 0)
            f = &fs.items[i];
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(strstr(f->message, "值 1.2345678 小数位数超过 6 位") != NULL, "%s", f->message);
    gk_report_free(r);
    gk_findings_free(&fs);
}
END_TEST

/* Regression (issue 13, item 1): a count of 9223372036854775807 was a valid
 * cell, stored, and its rollup shard's bigint sum then overflowed, failing
 * other entities' submissions (overflow_sum_other_entity).  Now a value past
 * GK_VALUE_MAX is value.invalid, on the fast path and the general one, and
 * gk_report_out_of_range names it so the daemon refuses the report. */
START_TEST(test_overflow_sum_other_entity_value_bound)
{
    static const char *const huge[] = {"9223372036854775807", "1000000000001", "-1000000000001", "1e15"};
    for (size_t i = 0; i < sizeof huge / sizeof *huge; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"active\":"
                 "{\"rules\":{\"issued\":%s}}}}",
                 huge[i]);
        gk_findings fs;
        gk_findings_init(&fs);
        gk_report *r = parse_ok(text, &fs);
        const char *path = "tables.active.rules.issued";
        ck_assert_msg(tu_count(&fs, "value.invalid", path) == 1, "%s: %s", huge[i], tu_findings_text(&fs));
        ck_assert_int_eq(gk_report_cell(r, "active", "rules", "issued")->state, GK_CELL_INVALID);
        ck_assert_ptr_nonnull(gk_report_out_of_range(r));
        ck_assert_str_eq(gk_report_out_of_range(r), path);
        gk_report_free(r);
        gk_findings_free(&fs);
    }
    /* at the bound: a number, not refused */
    gk_findings fs;
    gk_findings_init(&fs);
    gk_report *r = parse_ok("{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"active\":"
                            "{\"rules\":{\"issued\":1000000000000},"
                            "\"fees\":{\"amount_10k_yuan\":99999999.999999}}}}",
                            &fs);
    ck_assert_int_eq(gk_report_cell(r, "active", "rules", "issued")->value, GK_VALUE_MAX);
    ck_assert_int_eq(gk_report_cell(r, "active", "fees", "amount_10k_yuan")->value, GK_AMOUNT_MAX * GK_AMOUNT_SCALE - 1);
    ck_assert_ptr_null(gk_report_out_of_range(r));
    gk_report_free(r);
    gk_findings_free(&fs);
    /* amounts: beyond 10^8 of the unit, on both paths */
    static const char *const amounts[] = {"100000000.000001", "100000001", "123456789.5", "1e9",
                                          "100000000000000000000.5"};
    for (size_t i = 0; i < sizeof amounts / sizeof *amounts; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"active\":"
                 "{\"fees\":{\"amount_10k_yuan\":%s}}}}",
                 amounts[i]);
        gk_findings_init(&fs);
        r = parse_ok(text, &fs);
        ck_assert_msg(tu_count(&fs, "value.invalid", "tables.active.fees.amount_10k_yuan") == 1, "%s", amounts[i]);
        ck_assert_str_eq(gk_report_out_of_range(r), "tables.active.fees.amount_10k_yuan");
        gk_report_free(r);
        gk_findings_free(&fs);
    }
    /* the bound itself is a number */
    gk_findings_init(&fs);
    r = parse_ok("{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",\"tables\":{\"active\":"
                 "{\"fees\":{\"amount_10k_yuan\":100000000}}}}",
                 &fs);
    ck_assert_int_eq(gk_report_cell(r, "active", "fees", "amount_10k_yuan")->value, GK_AMOUNT_MAX * GK_AMOUNT_SCALE);
    ck_assert_ptr_null(gk_report_out_of_range(r));
    gk_report_free(r);
    gk_findings_free(&fs);
}
END_TEST

/* Regression (issue 13, item 4): 24252.311082 万元 (a real published fee)
 * arrived as a JSON number and was silently rounded to 24252.3111, later
 * refused for its fifth decimal.  Amounts hold six decimals now: read from
 * the literal digits on both parse paths (never a double) and dumped back
 * exactly; a seventh decimal is refused, never rounded. */
/* A 2021 report whose only cell is the fee `amount`, by the fast path or
 * the general one (a stray key keeps the fast path out). */
static gk_report *parse_fee(const char *amount, int general, gk_findings *fs)
{
    char text[512];
    snprintf(text, sizeof text,
             "{\"format\":\"2021\",\"year\":2022,\"entity\":\"35\",%s\"tables\":{\"active\":"
             "{\"fees\":{\"amount_10k_yuan\":%s}}}}",
             general ? "\"x\":1," : "", amount);
    gk_error err;
    gk_report *r = general ? gk_report_parse_general(text, strlen(text), fs, &err)
                           : gk_report_parse(text, strlen(text), fs, &err);
    ck_assert_msg(r != NULL, "%s refused", amount);
    return r;
}

START_TEST(test_amount_six_decimals_not_rounded)
{
    static const struct {
        const char *text, *dumped;
        int64_t scaled;
    } six[] = {{"24252.311082", "24252.311082", INT64_C(24252311082)},
               {"4166.241619", "4166.241619", INT64_C(4166241619)},
               {"0.000001", "0.000001", 1},
               {"99999999.123456", "99999999.123456", INT64_C(99999999123456)},
               {"99999999.999999", "99999999.999999", INT64_C(99999999999999)},
               {"1.2500000", "1.25", 1250000}};
    for (size_t i = 0; i < sizeof six / sizeof *six; i++) {
        for (int general = 0; general < 2; general++) {
            char want[128];
            gk_findings fs;
            gk_findings_init(&fs);
            gk_report *r = parse_fee(six[i].text, general, &fs);
            const gk_cell *c = gk_report_cell(r, "active", "fees", "amount_10k_yuan");
            ck_assert_msg(c->state == GK_CELL_NUMBER && c->value == six[i].scaled, "%s (general %d): state %d value %lld",
                          six[i].text, general, c->state, (long long)c->value);
            ck_assert_uint_eq(tu_count(&fs, "value.invalid", "tables.active.fees.amount_10k_yuan"), 0);
            char *s = gk_report_dump(r, false);
            snprintf(want, sizeof want, "\"amount_10k_yuan\":%s}", six[i].dumped);
            ck_assert_msg(strstr(s, want) != NULL, "%s dumped as %s", six[i].text, s);
            free(s);
            gk_report_free(r);
            gk_findings_free(&fs);
        }
    }
    /* seven decimals: refused on both paths, shown as written */
    static const char *const seven[] = {"24252.3110821", "0.0000001", "4166.2416190001"};
    for (size_t i = 0; i < sizeof seven / sizeof *seven; i++) {
        for (int general = 0; general < 2; general++) {
            gk_findings fs;
            gk_findings_init(&fs);
            gk_report *r = parse_fee(seven[i], general, &fs);
            ck_assert_int_eq(gk_report_cell(r, "active", "fees", "amount_10k_yuan")->state, GK_CELL_INVALID);
            ck_assert_uint_eq(tu_count(&fs, "value.invalid", "tables.active.fees.amount_10k_yuan"), 1);
            bool said = false;
            for (size_t k = 0; k < fs.n; k++)
                said |= strstr(fs.items[k].message, "小数位数超过 6 位") != NULL;
            ck_assert_msg(said, "%s: no 小数位数超过 6 位", seven[i]);
            ck_assert_ptr_null(gk_report_out_of_range(r));
            /* the invalid cell is written back as the literal, not a double */
            char *s = gk_report_dump(r, false);
            ck_assert_msg(strstr(s, seven[i]) != NULL, "%s dumped as %s", seven[i], s);
            free(s);
            gk_report_free(r);
            gk_findings_free(&fs);
        }
    }
}
END_TEST

static void assert_round_trip(const char *text)
{
    gk_findings fs;
    gk_findings_init(&fs);
    gk_report *a = parse_ok(text, &fs);
    char *s1 = gk_report_dump(a, true);
    gk_report *b = parse_ok(s1, NULL);
    ck_assert_msg(gk_report_equal(a, b), "parse → serialise → parse changed the report");
    char *s2 = gk_report_dump(b, true);
    ck_assert_str_eq(s1, s2);
    free(s1);
    free(s2);
    gk_report_free(a);
    gk_report_free(b);
    gk_findings_free(&fs);
}

START_TEST(test_round_trip_sample)
{
    char *text = tu_read_file(GK_TEST_DATA "/sample-350481101-2020.json", NULL);
    assert_round_trip(text);
    free(text);
}
END_TEST

START_TEST(test_round_trip_mixed)
{
    /* keys out of order, null, absent, invalid values, amounts, unknown keys */
    assert_round_trip("{\"tables\":{\"appeals\":{\"review\":{\"total\":1,\"upheld\":null,"
                      "\"pending\":\"x\",\"other\":18446744073709551.616}},\"active\":{\"fees\":{\"amount_10k_yuan\":0.0001}}},"
                      "\"narrative\":{\"other\":\"无\"},\"entity\":\"35\",\"year\":2023,"
                      "\"format\":\"2021\",\"published_at\":\"2024-01-20\",\"zzz\":1}");
}
END_TEST

START_TEST(test_canonical_order)
{
    gk_report *a = parse_ok("{\"tables\":{\"appeals\":{\"review\":{\"total\":1,\"upheld\":1}}},"
                            "\"entity\":\"35\",\"year\":2023,\"format\":\"2021\"}",
                            NULL);
    char *s = gk_report_dump(a, false);
    ck_assert_str_eq(s, "{\"format\":\"2021\",\"year\":2023,\"entity\":\"35\",\"tables\":{\"appeals\":"
                        "{\"review\":{\"upheld\":1,\"total\":1}}}}");
    free(s);
    gk_report_free(a);
}
END_TEST

/* Generated reports: every cell drawn from the three states. */
START_TEST(test_round_trip_generated)
{
    unsigned seed = 12345;
    for (int n = 0; n < 200; n++) {
        const gk_format *f = gk_format_at((size_t)n % gk_format_count());
        gk_report *r = gk_report_template(f, f->year_from, "350481101");
        for (size_t c = 0; c < f->n_cells; c++) {
            int pick = rand_r(&seed) % 4;
            r->cells[c].state = pick == 0 ? GK_CELL_ABSENT : pick == 1 ? GK_CELL_NULL : GK_CELL_NUMBER;
            r->cells[c].value = rand_r(&seed) % 100000;
        }
        for (size_t c = 0; c < f->n_cells; c++)
            if (r->cells[c].state != GK_CELL_NUMBER)
                r->cells[c].value = 0;
        char *s = gk_report_dump(r, false);
        gk_report *b = parse_ok(s, NULL);
        ck_assert_msg(gk_report_equal(r, b), "generated report %d changed: %s", n, s);
        free(s);
        gk_report_free(r);
        gk_report_free(b);
    }
}
END_TEST

START_TEST(test_value_json)
{
    char why[96];
    int64_t v;
    json_t *j = json_real(3.0);
    ck_assert_int_eq(gk_value_from_json(GK_KIND_COUNT, j, &v, why, sizeof why), 0);
    ck_assert_int_eq(v, 3);
    json_decref(j);
    j = json_integer(-2);
    ck_assert_int_eq(gk_value_from_json(GK_KIND_COUNT, j, &v, why, sizeof why), -1);
    ck_assert_int_eq(gk_value_from_json(GK_KIND_SIGNED_COUNT, j, &v, why, sizeof why), 0);
    ck_assert_int_eq(v, -2);
    json_decref(j);
    j = json_true();
    ck_assert_int_eq(gk_value_from_json(GK_KIND_COUNT, j, &v, why, sizeof why), -1);
    json_decref(j);
    j = json_integer(INT64_MAX);
    ck_assert_int_eq(gk_value_from_json(GK_KIND_AMOUNT, j, &v, why, sizeof why), -1);
    json_decref(j);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_add_test(tc, test_three_states);
    tcase_add_test(tc, test_empty_table_is_missing);
    tcase_add_test(tc, test_unknown_format_message);
    tcase_add_test(tc, test_json_errors_in_chinese);
    tcase_add_test(tc, test_numbers_out_of_range);
    tcase_add_test(tc, test_overflow_sum_other_entity_value_bound);
    tcase_add_test(tc, test_amount_six_decimals_not_rounded);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_amounts_exact);
    tcase_add_test(tc, test_invalid_amount_shown_as_written);
    tcase_add_test(tc, test_round_trip_sample);
    tcase_add_test(tc, test_round_trip_mixed);
    tcase_add_test(tc, test_canonical_order);
    tcase_add_test(tc, test_round_trip_generated);
    tcase_add_test(tc, test_value_json);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
