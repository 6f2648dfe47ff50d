/* fuzz_render.c — libFuzzer target for lib/render: any bytes as a report
 * (gk_report_parse) or as a rollup answer (gk_json_loadb_exact, "rollup"),
 * rendered as HTML and as Word.  Besides memory errors (ASan/UBSan) it
 * checks that the HTML is NUL-free text and that the .docx is a zip libzip
 * opens with its consistency checks, holding word/document.xml. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>
#include "gongkai/exactjson.h"
#include "render.h"

static void write_both(gk_rdoc *d)
{
    size_t n = 0;
    char *html = gk_rdoc_html(d, &n);
    if (!html || memchr(html, '\0', n) != NULL)
        abort();
    free(html);
    char why[320];
    char *docx = gk_rdoc_docx(d, &n, why, sizeof why);
    if (!docx)
        abort();
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(docx, n, 0, &ze);
    zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
    if (!za || zip_name_locate(za, "word/document.xml", 0) < 0)
        abort();
    zip_close(za);
    zip_error_fini(&ze);
    free(docx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    gk_error err;
    gk_report *r = gk_report_parse((const char *)data, size, NULL, &err);
    if (r) {
        gk_rdoc *d = gk_render_report(r, size % 2 ? "永安市贡川镇" : NULL);
        write_both(d);
        gk_rdoc_free(d);
        gk_report_free(r);
    }
    json_error_t je;
    json_t *j = gk_json_loadb_exact((const char *)data, size, 0, &je);
    if (json_is_object(j)) {
        char why[320];
        gk_rdoc *d = gk_render_rollup(j, NULL, why, sizeof why);
        if (d) {
            write_both(d);
            gk_rdoc_free(d);
        }
    }
    json_decref(j);
    return 0;
}
