/* supervision_xlsx.c — the supervision list as an Excel workbook (see
 * supervision.h): the office files and forwards it, and filters the
 * confirmed findings by unit or level in Excel.  Four sheets: 概况 (the
 * counts), 未报送, 逾期报送, 确认问题 (one row per confirmed finding, with
 * the cell named in words and the office's comment). */
#include "supervision.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "log.h"

static const char *js(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

static long long ji(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

typedef struct fmts {
    lxw_format *title, *head, *text;
} fmts;

static void header(lxw_worksheet *ws, const fmts *f, const char *const *cols, const double *widths, int n)
{
    for (int c = 0; c < n; c++) {
        worksheet_write_string(ws, 0, (lxw_col_t)c, cols[c], f->head);
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
    }
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_repeat_rows(ws, 0, 0);
}

static void units_sheet(lxw_workbook *wb, const char *name, const json_t *units, bool with_time, const fmts *f)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    static const char *const cols[] = {"序号", "区划代码", "单位", "首次提交时间（UTC）"};
    static const double widths[] = {6, 14, 24, 22};
    header(ws, f, cols, widths, with_time ? 4 : 3);
    size_t i;
    const json_t *u;
    json_array_foreach(units, i, u) {
        lxw_row_t r = (lxw_row_t)(i + 1);
        worksheet_write_number(ws, r, 0, (double)(i + 1), NULL);
        worksheet_write_string(ws, r, 1, js(u, "code"), f->text);
        worksheet_write_string(ws, r, 2, js(u, "name"), f->text);
        if (with_time)
            worksheet_write_string(ws, r, 3, js(u, "first_submitted_at"), f->text);
    }
}

static void findings_sheet(lxw_workbook *wb, const json_t *units, const fmts *f)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, "确认问题");
    static const char *const cols[] = {"序号", "区划代码", "单位", "版本", "问题代码", "位置", "问题", "级别",
                                       "审核意见", "确认时间（UTC）"};
    static const double widths[] = {6, 14, 20, 6, 24, 36, 60, 6, 30, 22};
    header(ws, f, cols, widths, 10);
    lxw_row_t r = 0;
    size_t i, k;
    const json_t *u, *x;
    json_array_foreach(units, i, u) {
        json_array_foreach(json_object_get(u, "findings"), k, x) {
            r++;
            const char *cell = js(x, "cell");
            worksheet_write_number(ws, r, 0, (double)r, NULL);
            worksheet_write_string(ws, r, 1, js(u, "code"), f->text);
            worksheet_write_string(ws, r, 2, js(u, "name"), f->text);
            worksheet_write_number(ws, r, 3, (double)ji(u, "revision"), NULL);
            worksheet_write_string(ws, r, 4, js(x, "code"), f->text);
            worksheet_write_string(ws, r, 5, cell[0] ? cell : js(x, "path")[0] ? js(x, "path") : "整份报告", f->text);
            worksheet_write_string(ws, r, 6, js(x, "message"), f->text);
            worksheet_write_string(ws, r, 7, gk_supervision_severity_label(js(x, "severity")), f->text);
            worksheet_write_string(ws, r, 8, js(x, "reason"), f->text);
            worksheet_write_string(ws, r, 9, js(x, "at"), f->text);
        }
    }
    if (r > 0)
        worksheet_autofilter(ws, 0, 0, r, 9);
}

static void summary_sheet(lxw_workbook *wb, const json_t *m, const fmts *f)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, "概况");
    const json_t *region = json_object_get(m, "region"), *sum = json_object_get(m, "summary");
    char title[256];
    snprintf(title, sizeof title, "%s %lld 年度政府信息公开工作年度报告报送与审核情况通报", js(region, "name"),
             ji(m, "year"));
    worksheet_set_column(ws, 0, 0, 28, NULL);
    worksheet_set_column(ws, 1, 1, 16, NULL);
    worksheet_write_string(ws, 0, 0, title, f->title);
    static const struct {
        const char *label, *key;
    } rows[] = {{"应报送单位", "expected"},         {"已报送", "reported"},
                {"其中逾期报送", "late"},           {"未报送", "missing"},
                {"经审核确认的问题（条）", "confirmed_findings"}, {"涉及单位", "units_with_confirmed"}};
    worksheet_write_string(ws, 2, 0, "区划代码", f->head);
    worksheet_write_string(ws, 2, 1, js(region, "code"), f->text);
    worksheet_write_string(ws, 3, 0, "报送截止日期", f->head);
    worksheet_write_string(ws, 3, 1, json_is_string(json_object_get(m, "deadline")) ? js(m, "deadline") : "未设定",
                           f->text);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        worksheet_write_string(ws, (lxw_row_t)(4 + i), 0, rows[i].label, f->head);
        worksheet_write_number(ws, (lxw_row_t)(4 + i), 1, (double)ji(sum, rows[i].key), NULL);
    }
}

char *gk_supervision_xlsx(const json_t *m, size_t *len)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/gongkaid-supervision-XXXXXX", dir && dir[0] ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        gk_log_error("supervision xlsx: no temporary file in %s", dir && dir[0] ? dir : "/tmp");
        return NULL;
    }
    close(fd);
    char *out = NULL;
    lxw_workbook *wb = workbook_new(path);
    if (wb == NULL) {
        gk_log_error("supervision xlsx: cannot write %s", path);
        goto done;
    }
    fmts f;
    f.title = workbook_add_format(wb);
    format_set_bold(f.title);
    format_set_font_size(f.title, 14);
    f.head = workbook_add_format(wb);
    format_set_bold(f.head);
    format_set_bg_color(f.head, 0xEEEEEE);
    format_set_border(f.head, LXW_BORDER_THIN);
    f.text = workbook_add_format(wb);
    format_set_text_wrap(f.text);
    format_set_align(f.text, LXW_ALIGN_VERTICAL_TOP);
    summary_sheet(wb, m, &f);
    units_sheet(wb, "未报送", json_object_get(m, "missing"), false, &f);
    units_sheet(wb, "逾期报送", json_object_get(m, "late"), true, &f);
    findings_sheet(wb, json_object_get(m, "confirmed"), &f);
    lxw_error err = workbook_close(wb);
    if (err != LXW_NO_ERROR) {
        gk_log_error("supervision xlsx: %s", lxw_strerror(err));
        goto done;
    }
    FILE *in = fopen(path, "rb");
    struct stat sb;
    if (in == NULL || fstat(fileno(in), &sb) != 0 || sb.st_size <= 0 || (out = malloc((size_t)sb.st_size)) == NULL ||
        fread(out, 1, (size_t)sb.st_size, in) != (size_t)sb.st_size) {
        gk_log_error("supervision xlsx: cannot read back %s", path);
        free(out);
        out = NULL;
    } else {
        *len = (size_t)sb.st_size;
    }
    if (in != NULL)
        fclose(in);
done:
    unlink(path);
    return out;
}
