/* fuzz_docx.c — libFuzzer target for the Word reader.
 *
 * Input starting "PK" is taken as a whole package (the seeds are the corpus'
 * .docx files: corrupt zips, bombs, encryption flags).  Any other input is
 * word/document.xml, packed here into a zip first: random bytes almost
 * never form a zip, so without this the XML walk (tables, spans, merges,
 * numbering, tracked changes) would hardly be reached. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *packed = NULL;
    size_t len = size;
    const char *in = (const char *)data;
    if (size < 2 || memcmp(data, "PK", 2)) {
        fuzz_part part = {"word/document.xml", data, size};
        packed = fuzz_pack(&part, 1, &len);
        if (!packed)
            return 0;
        in = packed;
    }
    fuzz_import_check(in, len, 0);
    free(packed);
    return 0;
}
