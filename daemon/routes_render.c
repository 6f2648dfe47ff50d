/* routes_render.c — GET /api/v1/reports/{entity}/{year}?format=html|docx:
 * the stored report in the national layout (lib/render), the same document
 * `gongkai render` writes, so a township publishes exactly what was checked.
 *
 * It is the JSON read's answer in another representation: the same query,
 * token, scope and ?revision= (routes_reports.c), and the ETag is the hash of
 * the bytes like every 200 (the renderer is deterministic, zip times fixed).
 * Content-Disposition names the file after the report's title, in RFC 5987
 * form (filename*=UTF-8''…) with an ASCII fallback for old clients. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongkai/report.h"
#include "render.h"
#include "routes.h"

/* RFC 5987 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"; every other byte %XX. */
static void pct_encode(char *out, size_t len, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (; *s && n + 4 < len; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            strchr("!#$&+-.^_`|~", c)) {
            out[n++] = (char)c;
        } else {
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    out[n] = '\0';
}

void gk_route_report_render(gk_req *r, const char *fmt, const char *body, const char *name)
{
    gk_error err;
    gk_report *rep = gk_report_parse(body, strlen(body), NULL, &err);
    if (rep == NULL) {   /* stored bodies always parse; a defect if not */
        gk_reply_error(r, 500, "internal", "", "已保存的报告无法解析：%s", err.message);
        return;
    }
    bool docx = !strcmp(fmt, "docx");
    gk_rdoc *doc = gk_render_report(rep, name[0] ? name : NULL);
    size_t n = 0;
    char why[320] = "";
    char *out = docx ? gk_rdoc_docx(doc, &n, why, sizeof why) : gk_rdoc_html(doc, &n);
    if (out == NULL) {
        gk_rdoc_free(doc);
        gk_report_free(rep);
        gk_reply_error(r, 500, "internal", "", "无法生成文档：%s", why[0] ? why : "内存不足");
        return;
    }
    char utf8[512], enc[1600], disp[1800];
    snprintf(utf8, sizeof utf8, "%s%d年政府信息公开工作年度报告.%s", name, rep->year, fmt);
    pct_encode(enc, sizeof enc, utf8);
    snprintf(disp, sizeof disp, "%s; filename=\"%s-%d.%s\"; filename*=UTF-8''%s",
             docx ? "attachment" : "inline", rep->entity, rep->year, fmt, enc);
    if (r->req != NULL)
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Content-Disposition", disp);
    gk_reply_data(r, 200,
                  docx ? "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                       : "text/html; charset=utf-8",
                  out, n);
    free(out);
    gk_rdoc_free(doc);
    gk_report_free(rep);
}
