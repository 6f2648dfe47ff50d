/* supervision_docx.c — the supervision list as a Word document (see
 * supervision.h): offices circulate 通报 as .docx, edited and stamped before
 * they go out.  Built as a gk_rdoc (lib/render/rdoc.h, the render helper's
 * document model) with the same sections as the printable page; the
 * WordprocessingML package itself is rdoc_docx.c's. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rdoc.h"
#include "supervision.h"

static const char *js(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

static long long ji(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

static void head_row(gk_rtable *t, const char *const *cols, const unsigned *widths, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        gk_rtable_cell(t, 0, c, 1, 1, GK_RCELL_HEADER, cols[c]);
        gk_rtable_width(t, c, widths[c]);
    }
}

static void units(gk_rdoc *d, const json_t *list, bool with_time)
{
    if (json_array_size(list) == 0) {
        gk_rdoc_paragraph(d, GK_RALIGN_LEFT, "无。");
        return;
    }
    static const char *const cols[] = {"序号", "区划代码", "单位", "首次提交时间（UTC）"};
    static const unsigned widths[] = {1, 3, 4, 4};
    size_t n = with_time ? 4 : 3;
    gk_rtable *t = gk_rdoc_table(d, n);
    head_row(t, cols, widths, n);
    size_t i;
    const json_t *u;
    json_array_foreach(list, i, u) {
        char num[24];
        snprintf(num, sizeof num, "%zu", i + 1);
        gk_rtable_cell(t, i + 1, 0, 1, 1, GK_RCELL_NUMBER, num);
        gk_rtable_cell(t, i + 1, 1, 1, 1, 0, js(u, "code"));
        gk_rtable_cell(t, i + 1, 2, 1, 1, 0, js(u, "name"));
        if (with_time)
            gk_rtable_cell(t, i + 1, 3, 1, 1, 0, js(u, "first_submitted_at"));
    }
}

static void confirmed(gk_rdoc *d, const json_t *list)
{
    if (json_array_size(list) == 0) {
        gk_rdoc_paragraph(d, GK_RALIGN_LEFT, "无。");
        return;
    }
    static const char *const cols[] = {"序号", "位置", "问题", "级别", "审核意见"};
    static const unsigned widths[] = {1, 4, 7, 1, 3};
    size_t i, k;
    const json_t *u, *f;
    json_array_foreach(list, i, u) {
        char h[256];
        snprintf(h, sizeof h, "%s（%s，第 %lld 版）", js(u, "name"), js(u, "code"), ji(u, "revision"));
        gk_rdoc_heading(d, 3, GK_RALIGN_LEFT, h);
        gk_rtable *t = gk_rdoc_table(d, 5);
        head_row(t, cols, widths, 5);
        json_array_foreach(json_object_get(u, "findings"), k, f) {
            char num[24];
            snprintf(num, sizeof num, "%zu", k + 1);
            const char *cell = js(f, "cell");
            gk_rtable_cell(t, k + 1, 0, 1, 1, GK_RCELL_NUMBER, num);
            gk_rtable_cell(t, k + 1, 1, 1, 1, 0, cell[0] ? cell : js(f, "path")[0] ? js(f, "path") : "整份报告");
            gk_rtable_cell(t, k + 1, 2, 1, 1, 0, js(f, "message"));
            gk_rtable_cell(t, k + 1, 3, 1, 1, 0, gk_supervision_severity_label(js(f, "severity")));
            gk_rtable_cell(t, k + 1, 4, 1, 1, 0, js(f, "reason"));
        }
    }
}

char *gk_supervision_docx(const json_t *m, size_t *len)
{
    const json_t *region = json_object_get(m, "region"), *sum = json_object_get(m, "summary");
    char title[256], line[512];
    snprintf(title, sizeof title, "%s %lld 年度政府信息公开工作年度报告报送与审核情况通报", js(region, "name"),
             ji(m, "year"));
    gk_rdoc *d = gk_rdoc_new(title);
    if (d == NULL)
        return NULL;
    gk_rdoc_heading(d, 1, GK_RALIGN_CENTER, title);
    const char *deadline = json_string_value(json_object_get(m, "deadline"));
    snprintf(line, sizeof line,
             "%s%s%s应报送 %lld 个单位，已报送 %lld 个（其中逾期 %lld 个），未报送 %lld 个；"
             "经审核确认的问题 %lld 条，涉及 %lld 个单位。",
             deadline ? "报送截止日期：" : "", deadline ? deadline : "", deadline ? "。" : "", ji(sum, "expected"),
             ji(sum, "reported"), ji(sum, "late"), ji(sum, "missing"), ji(sum, "confirmed_findings"),
             ji(sum, "units_with_confirmed"));
    gk_rdoc_paragraph(d, GK_RALIGN_LEFT, line);
    snprintf(line, sizeof line, "一、未报送年度报告的单位（%lld 个）", ji(sum, "missing"));
    gk_rdoc_heading(d, 2, GK_RALIGN_LEFT, line);
    units(d, json_object_get(m, "missing"), false);
    snprintf(line, sizeof line, "二、逾期报送年度报告的单位（%lld 个）", ji(sum, "late"));
    gk_rdoc_heading(d, 2, GK_RALIGN_LEFT, line);
    units(d, json_object_get(m, "late"), true);
    snprintf(line, sizeof line, "三、经审核确认须整改的问题（%lld 条）", ji(sum, "confirmed_findings"));
    gk_rdoc_heading(d, 2, GK_RALIGN_LEFT, line);
    confirmed(d, json_object_get(m, "confirmed"));
    char err[256] = "";
    char *out = gk_rdoc_docx(d, len, err, sizeof err);
    if (out == NULL)
        gk_log_error("supervision docx: %s", err);
    gk_rdoc_free(d);
    return out;
}
