/* xlsxtemplate.c — reading back the Excel fill-in template
 * (`gongkai template --xlsx`) by its defined names, with no guessing.
 *
 * Why not the general rules: the template says where every value is (a
 * defined name per input cell, gongkai/template.h) and which report it is
 * (GK_entity, GK_year, GK_format), so labels need not be matched and
 * nothing can land in the wrong cell.  A cell is read as the file stores it
 * (shared string, inline string, the literal text of a number — never
 * through a double —, a formula's cached result): empty is absent, "/" or
 * 不适用 (and the other printed forms of not applicable) null, a number a
 * number, anything else an invalid value kept as given and reported.  A name
 * that points outside the workbook (no such sheet, a range, a cell beyond
 * the bounds, #REF!) or a template missing a name is refused (exit 2): a
 * template whose names were broken cannot be read without guessing. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/template.h"
#include "imp.h"
#include "ooxml.h"
#include "xlsx.h"

#define MAX_NAMES 4000   /* the template has ~250; a workbook with more is refused */

typedef struct dname {
    char *name;
    char *text;   /* what it refers to: ='年度报告'!$B$5, "2021", 2024 */
} dname;

typedef struct book {
    dname *names;
    size_t n_names;
    gk_imp_xlsx_sheet sheets[GK_XLSX_MAX_SHEETS];
    size_t n_sheets;
    xmlDocPtr docs[GK_XLSX_MAX_SHEETS];   /* parsed on first use */
    gk_imp_xlsx_strings strings;
    bool strings_loaded;
} book;

typedef struct tcell {
    int row, col;
    const xmlNode *node;
} tcell;

static void failf(gk_import_result *res, const char *code, const char *fmt, const char *a,
                  const char *b)
{
    res->status = GK_IMPORT_NOT_REPORT;
    snprintf(res->error_code, sizeof res->error_code, "%s", code);
    snprintf(res->error_message, sizeof res->error_message, fmt, a ? a : "", b ? b : "");
}

static const char *lookup(const book *bk, const char *name)
{
    for (size_t i = 0; i < bk->n_names; i++)
        if (!strcmp(bk->names[i].name, name))
            return bk->names[i].text;
    return NULL;
}

/* The workbook's global defined names (sheet-local ones and Excel's own
 * _xlnm.* are not ours).  false when there are too many. */
static bool read_names(const xmlNode *root, book *bk)
{
    const xmlNode *dn = NULL;
    for (const xmlNode *c = root ? root->children : NULL; c && !dn; c = c->next)
        if (gk_ooxml_is(c, "definedNames"))
            dn = c;
    for (const xmlNode *c = dn ? dn->children : NULL; c; c = c->next) {
        if (!gk_ooxml_is(c, "definedName"))
            continue;
        char *name = gk_ooxml_attr(c, "name"), *local = gk_ooxml_attr(c, "localSheetId");
        if (name && !local && !strncmp(name, "GK_", 3)) {
            if (bk->n_names >= MAX_NAMES) {
                xmlFree(name);
                return false;
            }
            xmlChar *t = xmlNodeGetContent(c);
            bk->names = gk_imp_xrealloc(bk->names, (bk->n_names + 1) * sizeof *bk->names);
            bk->names[bk->n_names].name = gk_imp_xstrdup(name);
            bk->names[bk->n_names].text = gk_imp_xstrdup(t ? (const char *)t : "");
            bk->n_names++;
            xmlFree(t);
        }
        xmlFree(name);
        xmlFree(local);
    }
    return true;
}

/* A constant: "2021" (quotes dropped, "" unescaped) or a bare token; a
 * leading '=' (as some writers keep it) is skipped. */
static void constant(const char *text, char *out, size_t len)
{
    const char *p = text;
    while (*p == ' ' || *p == '=')
        p++;
    size_t o = 0;
    if (*p == '"') {
        for (p++; *p && o + 1 < len; p++) {
            if (*p == '"' && p[1] == '"')
                p++;
            else if (*p == '"')
                break;
            out[o++] = *p;
        }
    } else {
        while (*p && *p != ' ' && o + 1 < len)
            out[o++] = *p++;
    }
    out[o] = '\0';
}

/* '年度报告'!$B$5 or Sheet1!B5 → sheet index, row, column; false when it is
 * anything else (a range, #REF!, a formula, another workbook). */
static bool resolve(const book *bk, const char *text, size_t *sheet, int *row, int *col)
{
    const char *p = text;
    while (*p == ' ' || *p == '=')
        p++;
    char sname[128];
    size_t o = 0;
    if (*p == '\'') {
        for (p++; *p && o + 1 < sizeof sname; p++) {
            if (*p == '\'' && p[1] == '\'')
                p++;
            else if (*p == '\'')
                break;
            sname[o++] = *p;
        }
        if (*p != '\'')
            return false;
        p++;
    } else {
        while (*p && *p != '!' && o + 1 < sizeof sname)
            sname[o++] = *p++;
    }
    sname[o] = '\0';
    if (*p++ != '!' || strchr(sname, '[') || strchr(sname, ']'))
        return false;
    char ref[32];
    o = 0;
    for (; *p && o + 1 < sizeof ref; p++)
        if (*p != '$')
            ref[o++] = *p;
    ref[o] = '\0';
    if (*p || !gk_imp_xlsx_parse_ref(ref, row, col) || *row > GK_XLSX_MAX_ROWS ||
        *col > GK_XLSX_MAX_COLS)
        return false;
    for (size_t i = 0; i < bk->n_sheets; i++)
        if (!strcmp(bk->sheets[i].name, sname)) {
            *sheet = i;
            return true;
        }
    return false;
}

static int cmp_cell(const void *a, const void *b)
{
    const tcell *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return (x->col > y->col) - (x->col < y->col);
}

typedef struct sheet_index {
    tcell *cells;
    size_t n;
} sheet_index;

static void index_sheet(xmlDocPtr d, sheet_index *ix)
{
    const xmlNode *root = xmlDocGetRootElement(d), *data = NULL;
    for (const xmlNode *c = root ? root->children : NULL; c && !data; c = c->next)
        if (gk_ooxml_is(c, "sheetData"))
            data = c;
    for (const xmlNode *r = data ? data->children : NULL; r; r = r->next) {
        if (!gk_ooxml_is(r, "row"))
            continue;
        for (const xmlNode *c = r->children; c; c = c->next) {
            if (!gk_ooxml_is(c, "c"))
                continue;
            char *ref = gk_ooxml_attr(c, "r");
            int rr, cc;
            if (ref && gk_imp_xlsx_parse_ref(ref, &rr, &cc)) {
                ix->cells = gk_imp_xrealloc(ix->cells, (ix->n + 1) * sizeof *ix->cells);
                ix->cells[ix->n++] = (tcell){rr, cc, c};
            }
            xmlFree(ref);
        }
    }
    qsort(ix->cells, ix->n, sizeof *ix->cells, cmp_cell);
}

/* The text of the cell a name points at; NULL when the cell is empty.
 * A boolean is kept as TRUE/FALSE text (never a number).  A formula saved
 * without its result (a program that does not calculate) sets *uncached:
 * its value is unknown, which is not the same as blank. */
static char *cell_at(const sheet_index *ix, const gk_imp_xlsx_strings *st, int row, int col,
                     bool *uncached)
{
    tcell key = {row, col, NULL};
    const tcell *hit = bsearch(&key, ix->cells, ix->n, sizeof *ix->cells, cmp_cell);
    if (!hit)
        return NULL;
    bool f = false, v = false;
    for (const xmlNode *c = hit->node->children; c; c = c->next) {
        f = f || gk_ooxml_is(c, "f");
        if (gk_ooxml_is(c, "is")) {
            v = true;
        } else if (gk_ooxml_is(c, "v")) {
            xmlChar *t = xmlNodeGetContent(c);   /* openpyxl writes <v></v> */
            v = v || (t && t[0]);
            xmlFree(t);
        }
    }
    *uncached = f && !v;
    char *t = gk_ooxml_attr(hit->node, "t");
    char *text = gk_imp_xlsx_cell_text(hit->node, st);
    if (t && !strcmp(t, "b") && text) {
        char *b = gk_imp_xstrdup(strcmp(text, "0") ? "TRUE" : "FALSE");
        free(text);
        text = b;
    }
    xmlFree(t);
    return text;
}

/* Excel's serial day (1900 system, with its phantom 29 Feb 1900) to ISO. */
static bool serial_date(const char *text, char out[11])
{
    char *end;
    long d = strtol(text, &end, 10);
    if (*end || d < 60 || d > 2958465)
        return false;
    long z = d - 25569 + 719468;   /* days since 1970-01-01, then civil-from-days */
    long era = z / 146097, doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153, dd = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    char buf[48];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", (int)(y + (m <= 2)) % 10000, (int)m % 100, (int)dd % 100);
    memcpy(out, buf, 10);
    out[10] = '\0';
    return true;
}

static bool iso_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    int m = atoi(s + 5), d = atoi(s + 8);
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static void book_free(book *bk)
{
    for (size_t i = 0; i < bk->n_names; i++) {
        free(bk->names[i].name);
        free(bk->names[i].text);
    }
    free(bk->names);
    for (size_t i = 0; i < bk->n_sheets; i++)
        if (bk->docs[i])
            xmlFreeDoc(bk->docs[i]);
    gk_imp_xlsx_strings_free(&bk->strings);
}

/* Where a name points, its sheet parsed and indexed on first use; NULL with
 * res failed when it points outside the workbook. */
static char *named_text(gk_ooxml *z, book *bk, sheet_index *ix, const char *name,
                        gk_import_result *res, bool *failed)
{
    bool uncached = false;
    const char *text = lookup(bk, name);
    size_t sh;
    int row, col;
    if (!text) {
        failf(res, "xlsx_template_broken",
              "工作簿带有 gongkai 模板标记，但缺少定义名称 %s%s（模板被改动过）：请重新用 gongkai "
              "template --xlsx 生成模板再填写",
              name, "");
        *failed = true;
        return NULL;
    }
    if (!resolve(bk, text, &sh, &row, &col)) {
        failf(res, "xlsx_bad_name",
              "定义名称 %s 指向“%s”，不是本工作簿中的一个单元格（工作表不存在、是区域或超出范围），拒绝读取",
              name, text);
        *failed = true;
        return NULL;
    }
    if (!bk->docs[sh]) {
        if (!bk->strings_loaded) {
            bk->strings_loaded = true;
            if (gk_imp_xlsx_strings_load(z, &bk->strings, res->error_code, res->error_message) != 0) {
                res->status = GK_IMPORT_NOT_REPORT;
                *failed = true;
                return NULL;
            }
        }
        bk->docs[sh] = gk_imp_xlsx_sheet_xml(z, bk->sheets[sh].part, res->error_code,
                                             res->error_message);
        if (!bk->docs[sh]) {
            res->status = GK_IMPORT_NOT_REPORT;
            *failed = true;
            return NULL;
        }
        index_sheet(bk->docs[sh], &ix[sh]);
    }
    char *value = cell_at(&ix[sh], &bk->strings, row, col, &uncached);
    if (uncached)
        gk_imp_list_add(&res->unplaced, NULL, 0, "", "模板单元格 %s：公式没有保存计算结果（保存它的程序未计算），"
                        "数值未知，请在 Excel 或 WPS 中打开并保存后再导入",
                        name);
    return value;
}

static bool blank(const char *s)
{
    return !s || strspn(s, " \t\r\n") == strlen(s);
}

/* Records an unplaced item naming the cell's defined name. */
static void unplaced(gk_import_result *res, const char *name, const char *text, const char *why)
{
    gk_imp_list_add(&res->unplaced, NULL, 0, text, "模板单元格 %s：%s", name, why);
}

static void read_cells(gk_ooxml *z, book *bk, sheet_index *ix, gk_import_result *res, bool *failed)
{
    gk_report *r = res->report;
    const gk_format *f = r->format;
    for (size_t i = 0; i < f->n_cells && !*failed; i++) {
        char name[200];
        gk_template_cell_name(f, i, name, sizeof name);
        char *text = named_text(z, bk, ix, name, res, failed);
        if (blank(text)) {
            free(text);
            continue;
        }
        const gk_cell_def *d = &f->cells[i];
        const gk_column *col = &f->tables[d->table].columns[d->column];
        gk_cell *c = &r->cells[i];
        r->has_tables = true;
        r->table_present[d->table] = true;
        gk_imp_vclass vc = gk_imp_classify(text);
        char why[128];
        int64_t v;
        if (vc == GK_V_NA) {
            c->state = GK_CELL_NULL;
        } else if (vc == GK_V_NUMBER &&
                   gk_imp_value(text, (int)col->kind, strstr(col->label, "万元") != NULL, &v, why,
                                sizeof why) == 0) {
            c->state = GK_CELL_NUMBER;
            c->value = v;
        } else {
            if (vc != GK_V_NUMBER)
                snprintf(why, sizeof why, "不是数值");
            c->state = GK_CELL_INVALID;
            c->raw = json_string(text);
            if (!c->raw)
                c->raw = json_string("\xEF\xBF\xBD");
            char msg[200];
            snprintf(msg, sizeof msg, "无法作为数值（%s），按原样保留为无效值", why);
            unplaced(res, name, text, msg);
        }
        free(text);
    }
    for (int k = 0; k < GK_NARR_COUNT && !*failed; k++) {
        char name[64];
        snprintf(name, sizeof name, GK_TNAME_NARRATIVE_PREFIX "%s", gk_narrative_keys[k]);
        char *text = named_text(z, bk, ix, name, res, failed);
        if (!blank(text))
            r->narrative[k] = text;
        else
            free(text);
    }
    if (*failed)
        return;
    char *date = named_text(z, bk, ix, GK_TNAME_PUBLISHED, res, failed);
    if (!blank(date)) {
        char iso[11];
        const char *p = date + strspn(date, " ");
        if (iso_date(p))
            snprintf(r->published_at, sizeof r->published_at, "%s", p);
        else if (serial_date(p, iso))
            snprintf(r->published_at, sizeof r->published_at, "%s", iso);
        else
            unplaced(res, GK_TNAME_PUBLISHED, date, "不是日期（应写作 2025-01-20），发布日期未放入");
    }
    free(date);
}

int gk_imp_xlsx_template(gk_ooxml *z, xmlDocPtr wb, const gk_import_options *opt,
                         gk_import_result *res)
{
    book bk;
    memset(&bk, 0, sizeof bk);
    const xmlNode *root = xmlDocGetRootElement(wb);
    if (!read_names(root, &bk)) {
        book_free(&bk);
        failf(res, "xlsx_too_many_names", "工作簿的定义名称超过 %s 个%s，拒绝读取", "4000", "");
        return 0;
    }
    if (!lookup(&bk, GK_TNAME_TEMPLATE)) {
        book_free(&bk);
        return 1;   /* not ours: the general rules */
    }
    bk.n_sheets = gk_imp_xlsx_sheets(z, wb, bk.sheets, res->error_code, res->error_message);
    if (res->error_code[0]) {
        book_free(&bk);
        res->status = GK_IMPORT_NOT_REPORT;
        return 0;
    }
    char version[32], year_s[32], entity[64];
    constant(lookup(&bk, GK_TNAME_FORMAT) ? lookup(&bk, GK_TNAME_FORMAT) : "", version, sizeof version);
    constant(lookup(&bk, GK_TNAME_YEAR) ? lookup(&bk, GK_TNAME_YEAR) : "", year_s, sizeof year_s);
    constant(lookup(&bk, GK_TNAME_ENTITY) ? lookup(&bk, GK_TNAME_ENTITY) : "", entity, sizeof entity);
    const gk_format *f = gk_format_find(version);
    char *end;
    long year = strtol(year_s, &end, 10);
    size_t elen = strlen(entity);
    if (!f || *end || !year_s[0] || year < GK_YEAR_MIN || year > GK_YEAR_MAX || elen < 2 ||
        elen > GK_ENTITY_MAX || strspn(entity, "0123456789") != elen) {
        book_free(&bk);
        failf(res, "xlsx_template_broken",
              "工作簿带有 gongkai 模板标记，但其格式、年度或填报单位（定义名称 GK_format、GK_year、"
              "GK_entity）缺失或无效%s%s：请重新用 gongkai template --xlsx 生成模板",
              "", "");
        return 0;
    }
    if (opt && opt->format && strcmp(opt->format, f->version))
        gk_imp_list_add(&res->notes, NULL, 0, "", "模板按 %s 年版格式制作，--format %s 不适用，按模板读取",
                        f->version, opt->format);
    if (opt && opt->year && opt->year != year) {
        gk_imp_list_add(&res->notes, NULL, 0, "", "模板记录的年度为 %ld，按 --year %d 读取", year,
                        opt->year);
        year = opt->year;
    }
    if (opt && opt->entity && strcmp(opt->entity, entity)) {
        gk_imp_list_add(&res->notes, NULL, 0, "", "模板记录的填报单位为 %s，按 --entity %s 读取", entity,
                        opt->entity);
        snprintf(entity, sizeof entity, "%s", opt->entity);
    }
    res->report = gk_report_new(f, (int)year, entity);
    sheet_index ix[GK_XLSX_MAX_SHEETS];
    memset(ix, 0, sizeof ix);
    bool failed = false;
    read_cells(z, &bk, ix, res, &failed);
    for (size_t i = 0; i < GK_XLSX_MAX_SHEETS; i++)
        free(ix[i].cells);
    book_free(&bk);
    if (failed) {
        gk_report_free(res->report);
        res->report = NULL;
        res->status = GK_IMPORT_NOT_REPORT;
        return 0;
    }
    gk_imp_list_add(&res->notes, NULL, 0, "", "按 gongkai 填报模板的定义名称读取（%s 年版格式）%s",
                    f->version, "");
    res->status = res->unplaced.n ? GK_IMPORT_PARTIAL : GK_IMPORT_OK;
    return 0;
}
