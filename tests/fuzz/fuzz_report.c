/* fuzz_report.c — libFuzzer target: any bytes through report parsing, every
 * report-level rule, the rollup and the canonical serialisation.  Besides
 * memory errors (ASan/UBSan), it checks the model's round trip: a report
 * that parses serialises to text that parses to an equal report; and the
 * parser's fast path never decides differently from the general path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/rollup.h"
#include "gongkai/rules.h"
#include "fastparse.h"

static void fast_path_agrees(const char *text, size_t size)
{
    gk_report *fast = NULL;
    if (!gk_fastparse_report(text, size, &fast))
        return;
    gk_findings fs;
    gk_findings_init(&fs);
    gk_error err;
    gk_report *gen = gk_report_parse_general(text, size, &fs, &err);
    if (!gen || fs.n != 0 || !gk_report_equal(fast, gen))
        abort();
    gk_report_free(gen);
    gk_report_free(fast);
    gk_findings_free(&fs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fast_path_agrees((const char *)data, size);
    gk_findings fs;
    gk_findings_init(&fs);
    gk_error err;
    gk_report *r = gk_judge_text((const char *)data, size, NULL, &fs, &err);
    if (r) {
        json_t *fj = gk_findings_to_json(&fs);
        json_decref(fj);
        char *text = gk_report_dump(r, false);
        gk_report *again = gk_report_parse(text, strlen(text), NULL, &err);
        if (!again || !gk_report_equal(r, again))
            abort();
        gk_rules_history(again, r, &fs);
        gk_rollup *ru = gk_rollup_new(r->format);
        if (gk_rollup_add(ru, r, 1) == 0 && gk_rollup_add(ru, again, -1) == 0 && ru->n_reports != 0)
            abort();
        json_decref(gk_rollup_to_json(ru));
        gk_rollup_free(ru);
        gk_report_free(again);
        free(text);
        gk_report_free(r);
    }
    gk_findings_free(&fs);
    return 0;
}
