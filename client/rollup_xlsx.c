/* rollup_xlsx.c — see rollup_xlsx.h.
 *
 * Why a workbook and not only CSV: the city office sums and files in Excel;
 * a CSV loses the layout (the printed tables, their labels) and the kind of
 * each number.  One sheet per table of the format, in the printed order:
 * the table's title, then per group of rows with the same columns a header
 * of column labels and the rows.  A cell is the sum as a number (counts
 * with format "0", amounts with their decimals shown, "#,##0.00####"), "/"
 * when every report that filled it said not applicable, empty when none
 * filled it; where not every report gave a number, a comment says how many
 * did ("2/3 份报告填了数字").  Then the coverage counts (报送情况) and, when
 * given, every township's findings one per row (检查结果).  The number goes to Excel as the decimal text
 * the server sent, parsed once: Excel itself keeps numbers as doubles, and
 * amounts have at most GK_AMOUNT_DECIMALS (6) decimals, inside a double's 15
 * significant digits for sums below 10^9 units (the JSON and CSV stay exact). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>
#include "gongkai/format.h"
#include "print_layout.h"
#include "rollup_xlsx.h"

static long long jint(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

typedef struct fmts {
    lxw_format *title, *head, *label, *count, *amount, *text;
} fmts;

static void write_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const json_t *cell,
                       long long n_reports, const gk_column *col, const fmts *f)
{
    if (!json_is_object(cell)) {
        worksheet_write_blank(ws, r, c, f->count);
        return;
    }
    long long reported = jint(cell, "reported"), na = jint(cell, "not_applicable");
    if (reported <= 0) {
        if (na > 0)
            worksheet_write_string(ws, r, c, "/", f->text);
        else
            worksheet_write_blank(ws, r, c, f->count);
        return;
    }
    char num[64];
    gk_json_number_text(json_object_get(cell, "sum"), num, sizeof num);
    worksheet_write_number(ws, r, c, strtod(num, NULL),
                           col->kind == GK_KIND_AMOUNT ? f->amount : f->count);
    if (reported < n_reports) {
        char note[96];
        snprintf(note, sizeof note, "%lld/%lld 份报告填了数字", reported, n_reports);
        worksheet_write_comment(ws, r, c, note);
    }
}

static void write_table(lxw_workbook *wb, const gk_table *t, const json_t *tables,
                        long long n_reports, const char *heading, const fmts *f)
{
    char name[32];
    /* Sheet names: at most 31 characters; the section numeral and short label. */
    snprintf(name, sizeof name, "%s、%s", t->section, t->short_label ? t->short_label : t->key);
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    worksheet_write_string(ws, 0, 0, heading, f->title);
    char title[256];
    snprintf(title, sizeof title, "%s、%s", t->section, t->label);
    worksheet_write_string(ws, 1, 0, title, f->title);
    worksheet_set_column(ws, 0, 0, 46, NULL);
    worksheet_set_column(ws, 1, 16, 14, NULL);
    lxw_row_t r = 3;
    size_t r0 = 0;
    const json_t *tj = json_object_get(tables, t->key);
    while (r0 < t->n_rows) {
        const gk_row *first = &t->rows[r0];
        size_t r1 = r0 + 1;
        while (r1 < t->n_rows && gk_layout_same_columns(first, &t->rows[r1]))
            r1++;
        worksheet_write_string(ws, r, 0, "", f->head);
        for (size_t c = 0; c < first->n_columns; c++)
            worksheet_write_string(ws, r, (lxw_col_t)(c + 1), t->columns[first->columns[c]].label,
                                   f->head);
        r++;
        for (size_t k = r0; k < r1; k++) {
            const gk_row *row = &t->rows[k];
            worksheet_write_string(ws, r, 0, row->label, f->label);
            const json_t *rj = json_object_get(tj, row->key);
            for (size_t c = 0; c < row->n_columns; c++) {
                const gk_column *col = &t->columns[row->columns[c]];
                write_cell(ws, r, (lxw_col_t)(c + 1), json_object_get(rj, col->key), n_reports,
                           col, f);
            }
            r++;
        }
        r++;   /* a blank row between groups */
        r0 = r1;
    }
    char note[200];
    snprintf(note, sizeof note, "注：合计按 %lld 份报告计算；带批注的单元格并非每份报告都填了数字；"
                                "“/”表示填写的报告均为不适用；空白表示均未填写。",
             n_reports);
    worksheet_write_string(ws, r, 0, note, NULL);
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

/* One row per finding; a township without findings, or not reported, one row. */
static void write_compliance(lxw_workbook *wb, const json_t *comp, const fmts *f)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, "检查结果");
    static const char *const head[] = {"区划代码", "单位", "状态", "逾期", "版本",
                                       "级别", "规则", "说明", "位置"};
    for (lxw_col_t c = 0; c < 9; c++)
        worksheet_write_string(ws, 0, c, head[c], f->head);
    worksheet_set_column(ws, 1, 1, 20, NULL);
    worksheet_set_column(ws, 6, 6, 28, NULL);
    worksheet_set_column(ws, 7, 7, 60, NULL);
    worksheet_set_column(ws, 8, 8, 36, NULL);
    const json_t *ents = json_object_get(comp, "entities");
    lxw_row_t r = 1;
    for (size_t i = 0; i < json_array_size(ents); i++) {
        const json_t *e = json_array_get(ents, i);
        const json_t *fs = json_object_get(e, "findings");
        size_t n = json_array_size(fs);
        for (size_t k = 0; k < (n ? n : 1); k++, r++) {
            worksheet_write_string(ws, r, 0, jstr(e, "code"), f->label);
            worksheet_write_string(ws, r, 1, jstr(e, "name"), f->label);
            bool missing = !strcmp(jstr(e, "state"), "missing");
            worksheet_write_string(ws, r, 2, missing ? "未报送" : jstr(e, "state"), f->label);
            worksheet_write_string(ws, r, 3, json_is_true(json_object_get(e, "late")) ? "是" : "",
                                   f->label);
            if (!missing)
                worksheet_write_number(ws, r, 4, (double)jint(e, "revision"), f->count);
            if (!n)
                continue;
            const json_t *x = json_array_get(fs, k);
            worksheet_write_string(ws, r, 5, jstr(x, "severity"), f->label);
            worksheet_write_string(ws, r, 6, jstr(x, "code"), f->label);
            worksheet_write_string(ws, r, 7, jstr(x, "message"), f->label);
            worksheet_write_string(ws, r, 8, jstr(x, "path"), f->label);
        }
    }
}

int gk_rollup_write_xlsx(const json_t *answer, const char *path, char *why, size_t why_len)
{
    return gk_rollup_write_xlsx_with(answer, NULL, path, why, why_len);
}

int gk_rollup_write_xlsx_with(const json_t *answer, const json_t *compliance, const char *path,
                              char *why, size_t why_len)
{
    const json_t *rollup = json_object_get(answer, "rollup");
    const char *version = json_string_value(json_object_get(rollup, "format"));
    const gk_format *f = version ? gk_format_find(version) : NULL;
    if (!f) {
        snprintf(why, why_len, "服务器返回的汇总格式“%s”本客户端不认识，请升级 gongkai",
                 version ? version : "");
        return -1;
    }
    lxw_workbook *wb = workbook_new(path);
    if (!wb) {
        snprintf(why, why_len, "无法创建文件 %s", path);
        return -1;
    }
    fmts fm;
    fm.title = workbook_add_format(wb);
    format_set_bold(fm.title);
    fm.head = workbook_add_format(wb);
    format_set_bold(fm.head);
    format_set_border(fm.head, LXW_BORDER_THIN);
    format_set_text_wrap(fm.head);
    format_set_align(fm.head, LXW_ALIGN_CENTER);
    fm.label = workbook_add_format(wb);
    format_set_border(fm.label, LXW_BORDER_THIN);
    format_set_text_wrap(fm.label);
    fm.count = workbook_add_format(wb);
    format_set_border(fm.count, LXW_BORDER_THIN);
    format_set_num_format(fm.count, "0");
    fm.amount = workbook_add_format(wb);
    format_set_border(fm.amount, LXW_BORDER_THIN);
    format_set_num_format(fm.amount, "#,##0.00####");
    fm.text = workbook_add_format(wb);
    format_set_border(fm.text, LXW_BORDER_THIN);
    format_set_align(fm.text, LXW_ALIGN_RIGHT);
    const json_t *reg = json_object_get(answer, "region");
    const char *rname = json_string_value(json_object_get(reg, "name"));
    char heading[256];
    snprintf(heading, sizeof heading, "%s %lld 年度政府信息公开工作年度报告汇总（%lld 份报告）",
             rname ? rname : "", jint(answer, "year"), jint(rollup, "reports"));
    for (size_t t = 0; t < f->n_tables; t++)
        write_table(wb, &f->tables[t], json_object_get(rollup, "tables"), jint(rollup, "reports"),
                    heading, &fm);
    const json_t *cov = json_object_get(answer, "coverage");
    if (cov) {
        /* The coverage counts as the server gave them. */
        lxw_worksheet *ws = workbook_add_worksheet(wb, "报送情况");
        worksheet_set_column(ws, 0, 0, 20, NULL);
        worksheet_write_string(ws, 0, 0, heading, fm.title);
        static const char *const keys[][2] = {{"expected", "应报"}, {"submitted", "已报"},
                                               {"late_count", "逾期"}, {"missing_count", "未报"}};
        for (size_t i = 0; i < 4; i++) {
            worksheet_write_string(ws, (lxw_row_t)(i + 2), 0, keys[i][1], fm.label);
            worksheet_write_number(ws, (lxw_row_t)(i + 2), 1, (double)jint(cov, keys[i][0]), fm.count);
        }
    }
    if (compliance)
        write_compliance(wb, compliance, &fm);
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR) {
        snprintf(why, why_len, "无法写入 %s：%s", path, lxw_strerror(e));
        return -1;
    }
    return 0;
}
