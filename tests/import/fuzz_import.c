/* fuzz_import.c — libFuzzer target for the importer's readers and placer.
 * Not built by default; see docs/import.md ("Fuzzing") for the command. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* First byte picks the reader, so both are exercised on any input. */
    gk_import_options opt = {.entity = "350481101"};
    gk_import_result res;
    if (size && (data[0] & 1))
        gk_import_html((const char *)data, size, &opt, &res);
    else
        gk_import_text((const char *)data, size, &opt, &res);
    if (res.report) {
        char *s = gk_report_dump(res.report, false);
        free(s);
    }
    gk_import_result_free(&res);
    return 0;
}
