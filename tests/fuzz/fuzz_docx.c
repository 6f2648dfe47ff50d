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
#include <zip.h>
#include "gongkai/rules.h"
#include "import.h"

static char *pack(const uint8_t *xml, size_t size, size_t *out_len)
{
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &err);
    zip_source_keep(mem);
    zip_t *z = zip_open_from_source(mem, ZIP_TRUNCATE, &err);
    zip_error_fini(&err);
    if (!z) {
        zip_source_free(mem);
        return NULL;
    }
    zip_source_t *part = zip_source_buffer(z, xml, size, 0);
    if (!part || zip_file_add(z, "word/document.xml", part, 0) < 0) {
        zip_source_free(part);
        zip_discard(z);
        zip_source_free(mem);
        return NULL;
    }
    char *buf = NULL;
    if (zip_close(z) == 0 && zip_source_open(mem) == 0) {
        zip_source_seek(mem, 0, SEEK_END);
        zip_int64_t n = zip_source_tell(mem);
        zip_source_seek(mem, 0, SEEK_SET);
        buf = n > 0 ? malloc((size_t)n) : NULL;
        if (buf && zip_source_read(mem, buf, (zip_uint64_t)n) == n) {
            *out_len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
        zip_source_close(mem);
    } else if (z) {
        zip_discard(z);
    }
    zip_source_free(mem);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gk_import_options opt = {.entity = "350481101", .year = 0, .format = NULL, .regions = NULL};
    char *packed = NULL;
    size_t len = size;
    const char *in = (const char *)data;
    if (size < 2 || memcmp(data, "PK", 2)) {
        packed = pack(data, size, &len);
        if (!packed)
            return 0;
        in = packed;
    }
    gk_import_result res;
    gk_import_docx(in, len, &opt, &res);
    if (res.report) {
        gk_findings fs;
        gk_findings_init(&fs);
        gk_rules_check(res.report, NULL, &fs);
        gk_findings_free(&fs);
    }
    gk_import_result_free(&res);
    free(packed);
    return 0;
}
