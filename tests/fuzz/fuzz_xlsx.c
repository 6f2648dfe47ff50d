/* fuzz_xlsx.c — libFuzzer target for the Excel reader.
 *
 * Input starting "PK" is a whole workbook (seeds: the corpus' .xlsx);
 * any other input is a worksheet, packed with a fixed workbook, its rels and
 * a shared-string table into a zip, so mutations reach the sheet walk
 * (cell references, merges, string indexes, row bounds).  Input starting
 * "T:" is the sheet of a fill-in template: the workbook carries the
 * template's defined names (gongkai/template.h) for every cell of the 2021
 * format, so mutations reach the reader by names (xlsxtemplate.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "fuzz_pack.h"
#include "gongkai/format.h"
#include "gongkai/template.h"

static const char workbook[] =
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"s\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char rels[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>";
static const char strings[] =
    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<si><t>二、主动公开政府信息情况</t></si><si><t>信息内容</t></si><si><t>本年制发件数</t></si>"
    "<si><r><t>行政</t></r><r><t>规范性文件</t></r></si><si><t>/</t></si></sst>";

/* The template's workbook.xml: identity names and one name per cell of
 * the 2021 format, cell i at row 1 + i / 16, column A + i % 16. */
static char *template_workbook(size_t *len)
{
    static char *wb;
    static size_t n;
    if (wb) {
        *len = n;
        return wb;
    }
    const gk_format *f = gk_format_find("2021");
    size_t cap = 256 + f->n_cells * 160 + 1024;
    wb = malloc(cap);
    if (!wb)
        abort();
    n = (size_t)snprintf(wb, cap,
                         "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                         "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
                         "<sheets><sheet name=\"%s\" sheetId=\"1\" r:id=\"rId1\"/></sheets><definedNames>"
                         "<definedName name=\"GK_template\">1</definedName>"
                         "<definedName name=\"GK_format\">\"2021\"</definedName>"
                         "<definedName name=\"GK_year\">2024</definedName>"
                         "<definedName name=\"GK_entity\">\"350481101\"</definedName>"
                         "<definedName name=\"GK_published_at\">'%s'!$A$99</definedName>"
                         "<definedName name=\"GK_narrative_overview\">'%s'!$A$90</definedName>"
                         "<definedName name=\"GK_narrative_problems\">'%s'!$A$91</definedName>"
                         "<definedName name=\"GK_narrative_other\">'%s'!$A$92</definedName>",
                         GK_TEMPLATE_SHEET, GK_TEMPLATE_SHEET, GK_TEMPLATE_SHEET, GK_TEMPLATE_SHEET,
                         GK_TEMPLATE_SHEET);
    for (size_t i = 0; i < f->n_cells; i++) {
        char name[200];
        gk_template_cell_name(f, i, name, sizeof name);
        n += (size_t)snprintf(wb + n, cap - n, "<definedName name=\"%s\">'%s'!$%c$%zu</definedName>", name,
                              GK_TEMPLATE_SHEET, (char)('A' + i % 16), 1 + i / 16);
    }
    n += (size_t)snprintf(wb + n, cap - n, "</definedNames></workbook>");
    *len = n;
    return wb;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *packed = NULL;
    if (size >= 2 && !memcmp(data, "T:", 2)) {
        size_t wlen;
        const char *wb = template_workbook(&wlen);
        fuzz_part parts[] = {{"xl/workbook.xml", wb, wlen},
                             {"xl/_rels/workbook.xml.rels", rels, sizeof rels - 1},
                             {"xl/sharedStrings.xml", strings, sizeof strings - 1},
                             {"xl/worksheets/sheet1.xml", data + 2, size - 2}};
        size_t len;
        packed = fuzz_pack(parts, 4, &len);
        if (packed)
            fuzz_import_check(packed, len, 2024);
        free(packed);
        return 0;
    }
    size_t len = size;
    const char *in = (const char *)data;
    if (size < 2 || memcmp(data, "PK", 2)) {
        fuzz_part parts[] = {{"xl/workbook.xml", workbook, sizeof workbook - 1},
                             {"xl/_rels/workbook.xml.rels", rels, sizeof rels - 1},
                             {"xl/sharedStrings.xml", strings, sizeof strings - 1},
                             {"xl/worksheets/sheet1.xml", data, size}};
        packed = fuzz_pack(parts, 4, &len);
        if (!packed)
            return 0;
        in = packed;
    }
    fuzz_import_check(in, len, 2021);
    free(packed);
    return 0;
}
