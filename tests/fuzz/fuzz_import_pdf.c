/* fuzz_import_pdf.c — libFuzzer target for the PDF reader: any bytes behind a
 * "%PDF-" header through poppler and pdfread.c's layout rebuilding (lines,
 * cells, wrapped rows), then the importer and the rules on what comes out.
 * The header is forced so that every run reaches the PDF reader, not the
 * text reader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/rules.h"
#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 5);
    if (!buf)
        return 0;
    size_t off = size >= 5 && !memcmp(data, "%PDF-", 5) ? 0 : 5;
    memcpy(buf, "%PDF-", 5);
    if (size)
        memcpy(buf + off, data, size);
    gk_import_options opt = {.entity = "350481101", .year = 0, .format = NULL, .regions = NULL};
    gk_import_result res;
    gk_import_auto(buf, size + off, &opt, &res);
    if (res.report) {
        gk_findings fs;
        gk_findings_init(&fs);
        gk_rules_check(res.report, NULL, &fs);
        gk_findings_free(&fs);
    }
    gk_import_result_free(&res);
    free(buf);
    return 0;
}
