/* template.c — the Excel fill-in template (`gongkai template --xlsx`).
 *
 * Why: townships keep their numbers in Excel or WPS.  A workbook in the
 * printed layout they can fill in, and that `gongkai import` reads back
 * exactly, takes JSON out of their hands.  One sheet 年度报告 with the six
 * sections in order: the prose sections 一, 五, 六 as one wide input cell
 * each, the tables 二, 三, 四 with their printed, merged headers and the
 * registry's Chinese labels.  Input cells are unlocked and validated (a
 * custom formula, because "/" and 不适用 must stay enterable next to the
 * numbers); everything else is locked by sheet protection without a
 * password (a guard against slips, not security).  The entity, year and
 * format, and every input cell, are defined names (gongkai/template.h): the
 * reader goes by them, never by labels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>
#include "gongkai/report.h"
#include "gongkai/template.h"
#include "gongkai/workbook.h"

/* Columns: A holds the row labels, the numbers start at B. */
#define LABEL_COL 0
#define FIRST_DATA_COL 1
#define LAST_COL 15   /* the appeals table's 15 numbers: B … P */

typedef struct tpl {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *title, *head, *label, *note, *input[3], *prose, *date;
    lxw_row_t row;
    lxw_error err;
} tpl;

static void col_name(lxw_col_t c, char *buf)
{
    /* At most two letters: the sheet uses A … P. */
    if (c < 26) {
        buf[0] = (char)('A' + c);
        buf[1] = '\0';
    } else {
        buf[0] = (char)('A' + c / 26 - 1);
        buf[1] = (char)('A' + c % 26);
        buf[2] = '\0';
    }
}

static void name_cell(tpl *t, const char *name, lxw_row_t r, lxw_col_t c)
{
    char col[4], ref[96];
    col_name(c, col);
    snprintf(ref, sizeof ref, "='%s'!$%s$%u", GK_TEMPLATE_SHEET, col, (unsigned)r + 1);
    lxw_error e = workbook_define_name(t->wb, name, ref);
    if (e != LXW_NO_ERROR && t->err == LXW_NO_ERROR)
        t->err = e;
}

/* The validation of a run of input cells of one kind in one row: counts
 * whole and 0 … GK_VALUE_MAX, `change` whole and signed, amounts ≥ 0 with at
 * most six decimals; "/" and 不适用 always; blank allowed (absent). */
static void validate(tpl *t, lxw_row_t r, lxw_col_t c0, lxw_col_t c1, gk_value_kind kind)
{
    char a[12], col[4], formula[400];
    col_name(c0, col);
    snprintf(a, sizeof a, "%s%u", col, (unsigned)r + 1);
    const char *msg;
    switch (kind) {
    case GK_KIND_SIGNED_COUNT:
        snprintf(formula, sizeof formula,
                 "=OR(%s=\"/\",%s=\"不适用\",AND(ISNUMBER(%s),%s=INT(%s),ABS(%s)<=1000000000000))", a, a,
                 a, a, a, a);
        msg = "填整数，可以为负数（减少）；不适用填“/”；没有数据留空。";
        break;
    case GK_KIND_AMOUNT:
        snprintf(formula, sizeof formula,
                 "=OR(%s=\"/\",%s=\"不适用\",AND(ISNUMBER(%s),%s>=0,%s<=100000000,ROUND(%s,6)=%s))", a,
                 a, a, a, a, a, a);
        msg = "填不小于 0 的金额，最多 6 位小数；不适用填“/”；没有数据留空。";
        break;
    default:
        snprintf(formula, sizeof formula,
                 "=OR(%s=\"/\",%s=\"不适用\",AND(ISNUMBER(%s),%s>=0,%s=INT(%s),%s<=1000000000000))", a, a,
                 a, a, a, a, a);
        msg = "填不小于 0 的整数；不适用填“/”；没有数据留空；0 就填 0。";
        break;
    }
    lxw_data_validation dv;
    memset(&dv, 0, sizeof dv);
    dv.validate = LXW_VALIDATION_TYPE_CUSTOM_FORMULA;
    dv.value_formula = formula;
    dv.ignore_blank = LXW_VALIDATION_ON;
    dv.input_title = "填写说明";
    dv.input_message = (char *)msg;
    dv.error_title = "输入有误";
    dv.error_message = (char *)msg;
    dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
    lxw_error e = c0 == c1 ? worksheet_data_validation_cell(t->ws, r, c0, &dv)
                           : worksheet_data_validation_range(t->ws, r, c0, r, c1, &dv);
    if (e != LXW_NO_ERROR && t->err == LXW_NO_ERROR)
        t->err = e;
}

static void heading(tpl *t, const char *text)
{
    t->row++;
    worksheet_write_string(t->ws, t->row, LABEL_COL, text, t->title);
    t->row++;
}

static void prose(tpl *t, size_t k, const char *hint)
{
    heading(t, gk_narrative_labels[k]);
    worksheet_merge_range(t->ws, t->row, LABEL_COL, t->row, LAST_COL, "", t->prose);
    worksheet_set_row(t->ws, t->row, 150, NULL);
    char name[64];
    snprintf(name, sizeof name, GK_TNAME_NARRATIVE_PREFIX "%s", gk_narrative_keys[k]);
    name_cell(t, name, t->row, LABEL_COL);
    lxw_data_validation dv;
    memset(&dv, 0, sizeof dv);
    dv.validate = LXW_VALIDATION_TYPE_ANY;
    dv.input_title = "填写说明";
    dv.input_message = (char *)hint;
    worksheet_data_validation_cell(t->ws, t->row, LABEL_COL, &dv);
    t->row++;
}

/* A column's printed group (法人或其他组织), from the registry's data. */
static const char *col_group(const gk_format *f, const gk_table *tab, size_t col)
{
    json_t *jt = json_array_get(json_object_get(f->source, "tables"), (size_t)(tab - f->tables));
    json_t *jc = json_array_get(json_object_get(jt, "columns"), col);
    return json_string_value(json_object_get(jc, "group"));
}

/* One input cell: blank, unlocked, named, validated. */
static void input(tpl *t, const gk_format *f, const gk_table *tab, size_t row, size_t col,
                  lxw_row_t r, lxw_col_t c)
{
    gk_value_kind kind = tab->columns[col].kind;
    worksheet_write_blank(t->ws, r, c, t->input[kind]);
    int idx = gk_format_cell_index(f, tab->key, tab->rows[row].key, tab->columns[col].key);
    char name[200];
    gk_template_cell_name(f, (size_t)idx, name, sizeof name);
    name_cell(t, name, r, c);
}

/* A table as printed: blocks of rows that share their columns, each with
 * its header (column groups such as 法人或其他组织 merged over their
 * columns, the others merged down over both header rows). */
static void table(tpl *t, const gk_format *f, const gk_table *tab)
{
    char title[256];
    snprintf(title, sizeof title, "%s、%s", tab->section, tab->label);
    heading(t, title);
    size_t r0 = 0;
    while (r0 < tab->n_rows) {
        const gk_row *first = &tab->rows[r0];
        size_t r1 = r0 + 1;
        while (r1 < tab->n_rows && gk_row_same_columns(first, &tab->rows[r1]))
            r1++;
        bool groups = false;
        for (size_t c = 0; c < first->n_columns; c++)
            if (col_group(f, tab, first->columns[c]))
                groups = true;
        lxw_row_t h = t->row, h2 = groups ? h + 1 : h;
        const char *corner = strcmp(tab->key, "requests") ? "信息内容" : "申请人情况";
        if (h2 > h)
            worksheet_merge_range(t->ws, h, LABEL_COL, h2, LABEL_COL, corner, t->head);
        else
            worksheet_write_string(t->ws, h, LABEL_COL, corner, t->head);
        for (size_t c = 0; c < first->n_columns;) {
            const gk_column *col = &tab->columns[first->columns[c]];
            const char *group = col_group(f, tab, first->columns[c]);
            lxw_col_t x = (lxw_col_t)(FIRST_DATA_COL + c);
            if (group) {
                size_t e = c + 1;
                while (e < first->n_columns && col_group(f, tab, first->columns[e]) &&
                       !strcmp(col_group(f, tab, first->columns[e]), group))
                    e++;
                if (e - c > 1)
                    worksheet_merge_range(t->ws, h, x, h, (lxw_col_t)(FIRST_DATA_COL + e - 1), group,
                                          t->head);
                else
                    worksheet_write_string(t->ws, h, x, group, t->head);
                for (size_t k = c; k < e; k++)
                    worksheet_write_string(t->ws, h2, (lxw_col_t)(FIRST_DATA_COL + k),
                                           tab->columns[first->columns[k]].label, t->head);
                c = e;
                continue;
            }
            if (h2 > h)
                worksheet_merge_range(t->ws, h, x, h2, x, col->label, t->head);
            else
                worksheet_write_string(t->ws, h, x, col->label, t->head);
            c++;
        }
        t->row = h2 + 1;
        for (size_t k = r0; k < r1; k++) {
            const gk_row *row = &tab->rows[k];
            worksheet_write_string(t->ws, t->row, LABEL_COL, row->label, t->label);
            lxw_col_t run = FIRST_DATA_COL;
            for (size_t c = 0; c < row->n_columns; c++) {
                lxw_col_t x = (lxw_col_t)(FIRST_DATA_COL + c);
                input(t, f, tab, k, row->columns[c], t->row, x);
                gk_value_kind kind = tab->columns[row->columns[c]].kind;
                bool last = c + 1 == row->n_columns ||
                            tab->columns[row->columns[c + 1]].kind != kind;
                if (last) {
                    validate(t, t->row, run, x, kind);
                    run = x + 1;
                }
            }
            t->row++;
        }
        t->row++;   /* a blank row between blocks */
        r0 = r1;
    }
}

/* Section 四 as printed: one row of 15 numbers under a three-level header
 * (行政复议 over its five labels merged down | 行政诉讼 over 未经复议直接起诉
 * and 复议后起诉, each over its five labels), the rows of the registry
 * becoming the header's groups. */
static void appeals(tpl *t, const gk_format *f, const gk_table *tab)
{
    char title[256];
    snprintf(title, sizeof title, "%s、%s", tab->section, tab->label);
    heading(t, title);
    lxw_row_t h = t->row;
    worksheet_merge_range(t->ws, h, LABEL_COL, h + 2, LABEL_COL, "", t->head);
    lxw_col_t x = FIRST_DATA_COL;
    size_t litigation = 0;
    for (size_t k = 0; k < tab->n_rows; k++)
        if (strstr(tab->rows[k].label, "："))
            litigation++;   /* 行政诉讼：… rows share one group heading */
    for (size_t k = 0; k < tab->n_rows; k++) {
        const gk_row *row = &tab->rows[k];
        lxw_col_t end = (lxw_col_t)(x + row->n_columns - 1);
        const char *colon = strstr(row->label, "：");
        if (!colon) {
            /* 行政复议: its name, its column labels merged down two rows */
            worksheet_merge_range(t->ws, h, x, h, end, row->label, t->head);
            for (size_t c = 0; c < row->n_columns; c++)
                worksheet_merge_range(t->ws, h + 1, (lxw_col_t)(x + c), h + 2, (lxw_col_t)(x + c),
                                      tab->columns[row->columns[c]].label, t->head);
        } else {
            if (k == 0 || !strstr(tab->rows[k - 1].label, "：")) {
                char group[128];
                snprintf(group, sizeof group, "%.*s", (int)(colon - row->label), row->label);
                worksheet_merge_range(t->ws, h, x, h,
                                      (lxw_col_t)(x + litigation * row->n_columns - 1), group, t->head);
            }
            worksheet_merge_range(t->ws, h + 1, x, h + 1, end, colon + strlen("："), t->head);
            for (size_t c = 0; c < row->n_columns; c++)
                worksheet_write_string(t->ws, h + 2, (lxw_col_t)(x + c),
                                       tab->columns[row->columns[c]].label, t->head);
        }
        for (size_t c = 0; c < row->n_columns; c++)
            input(t, f, tab, k, row->columns[c], h + 3, (lxw_col_t)(x + c));
        validate(t, h + 3, x, end, GK_KIND_COUNT);
        x = end + 1;
    }
    t->row = h + 5;
}

int gk_workbook_template(const gk_format *f, int year, const char *entity, const char *entity_name,
                         const char *path, char *why, size_t why_len)
{
    size_t n = strlen(entity);
    if (n == 0 || n > GK_ENTITY_MAX || strspn(entity, "0123456789") != n) {
        snprintf(why, why_len, "填报单位代码“%s”不是区划代码（1–%d 位数字）", entity, GK_ENTITY_MAX);
        return -1;
    }
    tpl t;
    memset(&t, 0, sizeof t);
    t.wb = workbook_new(path);
    if (!t.wb) {
        snprintf(why, why_len, "无法创建文件 %s", path);
        return -1;
    }
    t.ws = workbook_add_worksheet(t.wb, GK_TEMPLATE_SHEET);
    t.title = workbook_add_format(t.wb);
    format_set_bold(t.title);
    t.note = workbook_add_format(t.wb);
    format_set_text_wrap(t.note);
    format_set_align(t.note, LXW_ALIGN_VERTICAL_TOP);
    t.head = workbook_add_format(t.wb);
    format_set_bold(t.head);
    format_set_border(t.head, LXW_BORDER_THIN);
    format_set_text_wrap(t.head);
    format_set_align(t.head, LXW_ALIGN_CENTER);
    format_set_align(t.head, LXW_ALIGN_VERTICAL_CENTER);
    t.label = workbook_add_format(t.wb);
    format_set_border(t.label, LXW_BORDER_THIN);
    format_set_text_wrap(t.label);
    /* Counts "0"; amounts General, which shows the decimals typed (a
     * pattern such as 0.###### would print 12 as "12."). */
    static const char *const numfmt[3] = {"0", "0", NULL};
    for (int k = 0; k < 3; k++) {
        t.input[k] = workbook_add_format(t.wb);
        format_set_border(t.input[k], LXW_BORDER_THIN);
        format_set_unlocked(t.input[k]);
        format_set_bg_color(t.input[k], 0xFFFFF0);
        if (numfmt[k])
            format_set_num_format(t.input[k], numfmt[k]);
        format_set_align(t.input[k], LXW_ALIGN_RIGHT);
    }
    t.prose = workbook_add_format(t.wb);
    format_set_border(t.prose, LXW_BORDER_THIN);
    format_set_unlocked(t.prose);
    format_set_text_wrap(t.prose);
    format_set_align(t.prose, LXW_ALIGN_VERTICAL_TOP);
    format_set_bg_color(t.prose, 0xFFFFF0);
    format_set_num_format(t.prose, "@");
    t.date = workbook_add_format(t.wb);
    format_set_border(t.date, LXW_BORDER_THIN);
    format_set_unlocked(t.date);
    format_set_bg_color(t.date, 0xFFFFF0);
    format_set_num_format(t.date, "@");
    worksheet_set_column(t.ws, LABEL_COL, LABEL_COL, 48, NULL);
    worksheet_set_column(t.ws, FIRST_DATA_COL, LAST_COL, 11, NULL);

    char text[512];
    snprintf(text, sizeof text, "%s%d年政府信息公开工作年度报告", entity_name ? entity_name : "", year);
    worksheet_write_string(t.ws, 0, LABEL_COL, text, t.title);
    snprintf(text, sizeof text, "填报单位区划代码 %s · 报告格式 %s 年版（%s）", entity, f->version,
             f->basis ? f->basis : "");
    worksheet_write_string(t.ws, 1, LABEL_COL, text, NULL);
    worksheet_merge_range(t.ws, 2, LABEL_COL, 2, LAST_COL,
                          "填写说明：只能在浅黄色格子中填写。数字格：没有数据就留空，0 就填 0，"
                          "不适用填“/”或“不适用”；本年增/减可以为负数；金额最多 6 位小数；"
                          "最后一格填发布日期（如 2025-01-20，可留空）。"
                          "填好后运行 gongkai import 本文件 即得报告 JSON。",
                          t.note);
    worksheet_set_row(t.ws, 2, 36, NULL);
    t.row = 3;

    prose(&t, GK_NARR_OVERVIEW, "总体情况：填写正文，可多段（单元格内换行 Alt+Enter）。");
    for (size_t k = 0; k < f->n_tables; k++) {
        if (!strcmp(f->tables[k].key, "appeals"))
            appeals(&t, f, &f->tables[k]);
        else
            table(&t, f, &f->tables[k]);
    }
    prose(&t, GK_NARR_PROBLEMS, "存在的主要问题及改进情况：填写正文。");
    prose(&t, GK_NARR_OTHER, "其他需要报告的事项：填写正文。");
    /* The publication date ends the sheet alone in its row, as it ends the
     * printed report (so the sheet read without its names keeps it too). */
    t.row++;
    worksheet_write_blank(t.ws, t.row, LABEL_COL, t.date);
    name_cell(&t, GK_TNAME_PUBLISHED, t.row, LABEL_COL);
    lxw_data_validation dv;
    memset(&dv, 0, sizeof dv);
    dv.validate = LXW_VALIDATION_TYPE_ANY;
    dv.input_title = "发布日期";
    dv.input_message = "报告的发布日期，如 2025-01-20；可留空。";
    worksheet_data_validation_cell(t.ws, t.row, LABEL_COL, &dv);

    snprintf(text, sizeof text, "=\"%s\"", f->version);
    workbook_define_name(t.wb, GK_TNAME_FORMAT, text);
    snprintf(text, sizeof text, "=%d", year);
    workbook_define_name(t.wb, GK_TNAME_YEAR, text);
    snprintf(text, sizeof text, "=\"%s\"", entity);
    workbook_define_name(t.wb, GK_TNAME_ENTITY, text);
    snprintf(text, sizeof text, "=%d", GK_TEMPLATE_VERSION);
    workbook_define_name(t.wb, GK_TNAME_TEMPLATE, text);

    lxw_protection prot;
    memset(&prot, 0, sizeof prot);
    prot.format_columns = 1;   /* widening a column to read a label is harmless */
    prot.format_rows = 1;
    worksheet_protect(t.ws, NULL, &prot);
    worksheet_activate(t.ws);

    lxw_error e = workbook_close(t.wb);
    if (t.err != LXW_NO_ERROR) {
        snprintf(why, why_len, "生成模板出错：%s", lxw_strerror(t.err));
        return -1;
    }
    if (e != LXW_NO_ERROR) {
        snprintf(why, why_len, "无法写入 %s：%s", path, lxw_strerror(e));
        return -1;
    }
    return 0;
}
