/* rollup_book.c — the office's workbook (gongkai/workbook.h): a rollup in
 * the printed layout, for `gongkai rollup --xlsx` and the daemon's
 * GET …/rollup?format=xlsx alike.
 *
 * Why a workbook and not only CSV: the city office sums and files in Excel;
 * a CSV loses the layout (the printed tables, their labels) and the kind of
 * each number.  One sheet per table of the format, in the printed order:
 * the table's title, then per group of rows with the same columns a header
 * of column labels and the rows.  A cell is the sum as a number (counts
 * with format "0", amounts with their decimals shown, "#,##0.00####"), "/"
 * when every report that filled it said not applicable, empty when none
 * filled it; where not every report gave a number, a comment says how many
 * did ("2/3 份报告填了数字").  Then the coverage (报送情况: the counts, then
 * every township — reported, late with its first submission, missing) and,
 * when given, every township's findings one per row (检查结果).  Excel keeps
 * numbers as doubles: the sum's decimal text is parsed once and written as
 * a number only when the file's text (libxlsxwriter prints %.16G) gives it
 * back exactly, as every sum of up to 14 significant digits does (some of
 * 15 already do not); any other is written as its exact text with a
 * comment, never rounded (the JSON and CSV stay exact anyway). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>
#include <unistd.h>
#include "gongkai/exactjson.h"
#include "gongkai/format.h"
#include "gongkai/workbook.h"

/* A JSON number as text: the exact text a gk_json_loads_exact parse kept,
 * an integer, a real at most six decimals, or a string as is. */
static void number_text(const json_t *v, char *buf, size_t len)
{
    const char *exact = gk_json_exact_text(v);
    if (exact)
        snprintf(buf, len, "%s", exact);
    else if (json_is_integer(v))
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, len, "%.*f", GK_AMOUNT_DECIMALS, json_real_value(v));
    else if (json_is_string(v))
        snprintf(buf, len, "%s", json_string_value(v));
    else
        buf[0] = '\0';
}

/* Decimal text without trailing zeros after the point ("12.50" → "12.5"). */
static void trim_decimal(char *s)
{
    char *dot = strchr(s, '.');
    if (!dot || strpbrk(s, "eE"))
        return;
    char *e = s + strlen(s);
    while (e > dot + 1 && e[-1] == '0')
        *--e = '\0';
    if (e == dot + 1)
        *dot = '\0';
}

/* Whether Excel's double keeps this decimal exactly as the file will say it. */
static bool exact_in_double(const char *num, double *out)
{
    char a[64], b[64];
    snprintf(a, sizeof a, "%s", num);
    trim_decimal(a);
    *out = strtod(a, NULL);
    snprintf(b, sizeof b, "%.16G", *out);
    trim_decimal(b);
    return !strcmp(a, b);
}

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
    char num[64], note[160];
    number_text(json_object_get(cell, "sum"), num, sizeof num);
    double d;
    bool exact = exact_in_double(num, &d);
    if (exact)
        worksheet_write_number(ws, r, c, d, col->kind == GK_KIND_AMOUNT ? f->amount : f->count);
    else
        worksheet_write_string(ws, r, c, num, f->text);
    if (reported < n_reports || !exact) {
        if (reported < n_reports)
            snprintf(note, sizeof note, "%lld/%lld 份报告填了数字%s", reported, n_reports,
                     exact ? "" : "；数位超出 Excel 数值精度，按原文写为文本");
        else
            snprintf(note, sizeof note, "数位超出 Excel 数值精度，按原文写为文本");
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
        while (r1 < t->n_rows && gk_row_same_columns(first, &t->rows[r1]))
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

/* 报送情况: the counts as the server gave them, then one row per township
 * of the region: reported (on time or late, with the first submission) or
 * missing.  Who reported comes from the compliance answer (every township);
 * without it, only the late and the missing are listed. */
static void write_coverage(lxw_workbook *wb, const json_t *cov, const json_t *comp,
                           const char *heading, const fmts *f)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, "报送情况");
    worksheet_set_column(ws, 0, 0, 20, NULL);
    worksheet_set_column(ws, 1, 1, 24, NULL);
    worksheet_set_column(ws, 2, 3, 24, NULL);
    worksheet_write_string(ws, 0, 0, heading, f->title);
    static const char *const keys[][2] = {{"expected", "应报"}, {"submitted", "已报"},
                                           {"late_count", "逾期"}, {"missing_count", "未报"}};
    for (size_t i = 0; i < 4; i++) {
        worksheet_write_string(ws, (lxw_row_t)(i + 2), 0, keys[i][1], f->label);
        worksheet_write_number(ws, (lxw_row_t)(i + 2), 1, (double)jint(cov, keys[i][0]), f->count);
    }
    static const char *const head[] = {"区划代码", "单位", "报送情况", "首次报送时间（逾期的）"};
    lxw_row_t r = 7;
    for (lxw_col_t c = 0; c < 4; c++)
        worksheet_write_string(ws, r, c, head[c], f->head);
    r++;
    const json_t *late = json_object_get(cov, "late"), *missing = json_object_get(cov, "missing");
    const json_t *ents = json_object_get(comp, "entities");
    if (ents) {
        for (size_t i = 0; i < json_array_size(ents); i++, r++) {
            const json_t *e = json_array_get(ents, i);
            const char *code = jstr(e, "code");
            worksheet_write_string(ws, r, 0, code, f->label);
            worksheet_write_string(ws, r, 1, jstr(e, "name"), f->label);
            if (!strcmp(jstr(e, "state"), "missing")) {
                worksheet_write_string(ws, r, 2, "未报送", f->label);
                continue;
            }
            const char *when = NULL;
            for (size_t k = 0; k < json_array_size(late) && !when; k++)
                if (!strcmp(jstr(json_array_get(late, k), "code"), code))
                    when = jstr(json_array_get(late, k), "first_submitted_at");
            worksheet_write_string(ws, r, 2, when ? "已报送（逾期）" : "已报送", f->label);
            if (when)
                worksheet_write_string(ws, r, 3, when, f->label);
        }
        return;
    }
    for (size_t k = 0; k < json_array_size(late); k++, r++) {
        const json_t *e = json_array_get(late, k);
        worksheet_write_string(ws, r, 0, jstr(e, "code"), f->label);
        worksheet_write_string(ws, r, 1, jstr(e, "name"), f->label);
        worksheet_write_string(ws, r, 2, "已报送（逾期）", f->label);
        worksheet_write_string(ws, r, 3, jstr(e, "first_submitted_at"), f->label);
    }
    for (size_t k = 0; k < json_array_size(missing); k++, r++) {
        const json_t *e = json_array_get(missing, k);
        worksheet_write_string(ws, r, 0, jstr(e, "code"), f->label);
        worksheet_write_string(ws, r, 1, jstr(e, "name"), f->label);
        worksheet_write_string(ws, r, 2, "未报送", f->label);
    }
}

int gk_workbook_rollup(const json_t *answer, const json_t *compliance, const char *path, char *why,
                       size_t why_len)
{
    const json_t *rollup = json_object_get(answer, "rollup");
    const char *version = json_string_value(json_object_get(rollup, "format"));
    const gk_format *f = version ? gk_format_find(version) : NULL;
    if (!f) {
        snprintf(why, why_len, "汇总格式“%s”无法识别", version ? version : "");
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
    if (cov)
        write_coverage(wb, cov, compliance, heading, &fm);
    if (compliance)
        write_compliance(wb, compliance, &fm);
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR) {
        snprintf(why, why_len, "无法写入 %s：%s", path, lxw_strerror(e));
        return -1;
    }
    return 0;
}

char *gk_workbook_rollup_bytes(const json_t *answer, const json_t *compliance, size_t *len,
                               char *why, size_t why_len)
{
    /* libxlsxwriter 1.1.4 (Debian 12) writes files only: a private
     * temporary file, read back and removed at once. */
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/gongkai-book-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(why, why_len, "无法创建临时文件");
        return NULL;
    }
    close(fd);
    char *out = NULL;
    if (gk_workbook_rollup(answer, compliance, path, why, why_len) == 0) {
        FILE *fp = fopen(path, "rb");
        long n = -1;
        if (fp && fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
            out = malloc((size_t)n + 1);
            if (out && fread(out, 1, (size_t)n, fp) != (size_t)n) {
                free(out);
                out = NULL;
            }
        }
        if (fp)
            fclose(fp);
        if (out)
            *len = (size_t)n;
        else
            snprintf(why, why_len, "无法读回临时文件");
    }
    unlink(path);
    return out;
}
