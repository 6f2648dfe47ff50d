/* fuzz_import.c — libFuzzer target: any bytes through the importer's text
 * and HTML readers (chosen by content, as `gongkai import` does), then the
 * rules on whatever report comes out. */
#include <stdint.h>
#include <stdlib.h>
#include "gongkai/rules.h"
#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gk_import_options opt = {.entity = "350481101", .year = 0, .format = NULL, .regions = NULL};
    gk_import_result res;
    gk_import_auto((const char *)data, size, &opt, &res);
    if (res.report) {
        gk_findings fs;
        gk_findings_init(&fs);
        gk_rules_check(res.report, NULL, &fs);
        gk_findings_free(&fs);
    }
    gk_import_result_free(&res);
    return 0;
}
