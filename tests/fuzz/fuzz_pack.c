/* fuzz_pack.c — see fuzz_pack.h. */
#include <stdio.h>
#include <stdlib.h>
#include <zip.h>
#include "gongkai/rules.h"
#include "import.h"
#include "fuzz_pack.h"

char *fuzz_pack(const fuzz_part *parts, size_t nparts, size_t *out_len)
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
    for (size_t i = 0; i < nparts; i++) {
        zip_source_t *part = zip_source_buffer(z, parts[i].data, parts[i].len, 0);
        if (!part || zip_file_add(z, parts[i].name, part, 0) < 0) {
            zip_source_free(part);
            zip_discard(z);
            zip_source_free(mem);
            return NULL;
        }
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


void fuzz_import_check(const char *data, size_t len, int year)
{
    gk_import_options opt = {.entity = "350481101", .year = year, .format = NULL, .regions = NULL};
    gk_import_result res;
    gk_import_auto(data, len, &opt, &res);
    if (res.report) {
        gk_findings fs;
        gk_findings_init(&fs);
        gk_rules_check(res.report, NULL, &fs);
        gk_findings_free(&fs);
    }
    gk_import_result_free(&res);
}
