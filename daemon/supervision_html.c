/* supervision_html.c — the supervision list as a printable page (see
 * supervision.h).  A plain document the office prints from the browser or
 * saves: A4, the tables' headers repeated on each page, no row split across
 * pages, no script at all; the only style is the one below, allowed by its
 * SHA-256 in the page's Content-Security-Policy (no 'unsafe-inline'). */
#include "supervision.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char style[] =
    "body{font-family:\"Noto Serif CJK SC\",\"Source Han Serif SC\",serif;margin:2em auto;max-width:60em;"
    "line-height:1.6;color:#000}"
    "h1{font-size:1.6em;text-align:center;margin-bottom:.2em}"
    "h2{font-size:1.2em;margin-top:1.6em}h3{font-size:1.05em;margin:1em 0 .3em}"
    "p.meta{text-align:center}"
    "table{border-collapse:collapse;width:100%;margin:.4em 0}"
    "th,td{border:1px solid #000;padding:.2em .4em;vertical-align:top;text-align:left}"
    "th{background:#eee}td.n{text-align:right;white-space:nowrap}"
    "@page{size:A4;margin:2cm 1.8cm}"
    "@media print{body{margin:0;max-width:none}thead{display:table-header-group}"
    "tr{break-inside:avoid}h2,h3{break-after:avoid}th{background:none}}";

const char *gk_supervision_csp(void)
{
    static char csp[160];
    if (csp[0] == '\0') {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        unsigned char b64[64];
        if (EVP_Digest(style, sizeof style - 1, md, &n, EVP_sha256(), NULL) != 1 || n != 32) {
            snprintf(csp, sizeof csp, "default-src 'none'");
            return csp;
        }
        EVP_EncodeBlock(b64, md, (int)n);
        snprintf(csp, sizeof csp, "default-src 'none'; style-src 'sha256-%s'; base-uri 'none'; form-action 'none'",
                 (const char *)b64);
    }
    return csp;
}

const char *gk_supervision_severity_label(const char *severity)
{
    if (severity != NULL && strcmp(severity, "error") == 0)
        return "错误";
    if (severity != NULL && strcmp(severity, "warning") == 0)
        return "警告";
    return "提示";
}

/* Text from the model, escaped for element content and attribute values. */
static void esc(FILE *o, const char *s)
{
    for (; s != NULL && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", o); break;
        case '<': fputs("&lt;", o); break;
        case '>': fputs("&gt;", o); break;
        case '"': fputs("&quot;", o); break;
        case '\'': fputs("&#39;", o); break;
        default: fputc(*s, o);
        }
    }
}

static const char *js(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

static long long ji(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

static void units_table(FILE *o, const json_t *units, bool with_time)
{
    if (json_array_size(units) == 0) {
        fputs("<p>无。</p>\n", o);
        return;
    }
    fprintf(o, "<table><thead><tr><th>序号</th><th>区划代码</th><th>单位</th>%s</tr></thead><tbody>\n",
            with_time ? "<th>首次提交时间（UTC）</th>" : "");
    size_t i;
    const json_t *u;
    json_array_foreach(units, i, u) {
        fprintf(o, "<tr><td class=\"n\">%zu</td><td>", i + 1);
        esc(o, js(u, "code"));
        fputs("</td><td>", o);
        esc(o, js(u, "name"));
        if (with_time) {
            fputs("</td><td>", o);
            esc(o, js(u, "first_submitted_at"));
        }
        fputs("</td></tr>\n", o);
    }
    fputs("</tbody></table>\n", o);
}

static void confirmed_section(FILE *o, const json_t *units)
{
    if (json_array_size(units) == 0) {
        fputs("<p>无。</p>\n", o);
        return;
    }
    size_t i;
    const json_t *u;
    json_array_foreach(units, i, u) {
        fputs("<h3>", o);
        esc(o, js(u, "name"));
        fputs("（", o);
        esc(o, js(u, "code"));
        fprintf(o, "，第 %lld 版）</h3>\n", ji(u, "revision"));
        fputs("<table><thead><tr><th>序号</th><th>位置</th><th>问题</th><th>级别</th><th>审核意见</th></tr>"
              "</thead><tbody>\n", o);
        size_t k;
        const json_t *f;
        json_array_foreach(json_object_get(u, "findings"), k, f) {
            fprintf(o, "<tr><td class=\"n\">%zu</td><td>", k + 1);
            const char *cell = js(f, "cell");
            esc(o, cell[0] ? cell : js(f, "path")[0] ? js(f, "path") : "整份报告");
            fputs("</td><td>", o);
            esc(o, js(f, "message"));
            fprintf(o, "</td><td>%s</td><td>", gk_supervision_severity_label(js(f, "severity")));
            esc(o, js(f, "reason"));
            fputs("</td></tr>\n", o);
        }
        fputs("</tbody></table>\n", o);
    }
}

char *gk_supervision_html(const json_t *m, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *o = open_memstream(&buf, &n);
    if (o == NULL)
        return NULL;
    const json_t *region = json_object_get(m, "region"), *sum = json_object_get(m, "summary");
    long long year = ji(m, "year");
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n<title>", o);
    esc(o, js(region, "name"));
    fprintf(o, " %lld 年度政府信息公开工作年度报告情况通报</title>\n<style>%s</style></head>\n<body>\n", year, style);
    fputs("<h1>", o);
    esc(o, js(region, "name"));
    fprintf(o, " %lld 年度政府信息公开工作年度报告<br>报送与审核情况通报</h1>\n<p class=\"meta\">", year);
    const char *deadline = json_string_value(json_object_get(m, "deadline"));
    if (deadline != NULL) {
        fputs("报送截止日期：", o);
        esc(o, deadline);
        fputs("。", o);
    }
    fprintf(o, "应报送 %lld 个单位，已报送 %lld 个（其中逾期 %lld 个），未报送 %lld 个；"
               "经审核确认的问题 %lld 条，涉及 %lld 个单位。</p>\n",
            ji(sum, "expected"), ji(sum, "reported"), ji(sum, "late"), ji(sum, "missing"),
            ji(sum, "confirmed_findings"), ji(sum, "units_with_confirmed"));
    fprintf(o, "<h2>一、未报送年度报告的单位（%lld 个）</h2>\n", ji(sum, "missing"));
    units_table(o, json_object_get(m, "missing"), false);
    fprintf(o, "<h2>二、逾期报送年度报告的单位（%lld 个）</h2>\n", ji(sum, "late"));
    units_table(o, json_object_get(m, "late"), true);
    fprintf(o, "<h2>三、经审核确认须整改的问题（%lld 条）</h2>\n", ji(sum, "confirmed_findings"));
    confirmed_section(o, json_object_get(m, "confirmed"));
    fputs("</body></html>\n", o);
    if (fclose(o) != 0) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}
