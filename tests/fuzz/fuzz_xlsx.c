/* fuzz_xlsx.c — libFuzzer target for the Excel reader.
 *
 * Input starting "PK" is a whole workbook (seeds: the corpus' .xlsx);
 * any other input is a worksheet, packed with a fixed workbook, its rels and
 * a shared-string table into a zip, so mutations reach the sheet walk
 * (cell references, merges, string indexes, row bounds). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_pack.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *packed = NULL;
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
