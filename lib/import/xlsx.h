/* xlsx.h — what the Excel readers share, private to lib/import: the general
 * reader (xlsxread.c, a workbook in the printed layout placed by labels)
 * and the template reader (xlsxtemplate.c, by defined names). */
#ifndef GONGKAI_IMPORT_XLSX_H
#define GONGKAI_IMPORT_XLSX_H

#include <stddef.h>
#include <libxml/tree.h>
#include "import.h"

struct gk_ooxml;

#define GK_XLSX_MAX_SHEETS 32
#define GK_XLSX_MAX_ROWS 20000   /* a report has a few hundred; more is refused */
#define GK_XLSX_MAX_COLS 16384   /* Excel's XFD */

typedef struct gk_imp_xlsx_strings {
    char **s;
    size_t n;
} gk_imp_xlsx_strings;

typedef struct gk_imp_xlsx_sheet {
    char name[128];   /* as the tab says */
    char part[128];   /* xl/worksheets/sheet1.xml */
} gk_imp_xlsx_sheet;

/* xl/sharedStrings.xml (absent is fine): 0, or -1 with code/msg. */
int gk_imp_xlsx_strings_load(struct gk_ooxml *z, gk_imp_xlsx_strings *st, char code[48],
                             char msg[320]);
void gk_imp_xlsx_strings_free(gk_imp_xlsx_strings *st);
/* The sheets of the parsed xl/workbook.xml, at most GK_XLSX_MAX_SHEETS; code
 * set on a broken rels part. */
size_t gk_imp_xlsx_sheets(struct gk_ooxml *z, xmlDocPtr wb, gk_imp_xlsx_sheet *out, char code[48],
                          char msg[320]);
/* A sheet part, refused (xlsx_too_many_rows) before parsing when it holds
 * more than GK_XLSX_MAX_ROWS rows. */
xmlDocPtr gk_imp_xlsx_sheet_xml(struct gk_ooxml *z, const char *part, char code[48], char msg[320]);
/* "BC12" → row 12, column 55 (1-based); 0 when not a plain reference. */
int gk_imp_xlsx_parse_ref(const char *s, int *row, int *col);
/* A cell's text as stored: shared or inline string, the number's literal
 * text (exponent form rewritten as plain digits), a formula's cached
 * result; NULL for none or an error value.  malloc'd. */
char *gk_imp_xlsx_cell_text(const xmlNode *c, const gk_imp_xlsx_strings *st);

/* The fill-in template (gongkai/template.h), told by its GK_template
 * name in the parsed workbook.xml: returns 1 when the workbook is not a
 * template (read it by the general rules), else 0 with res filled (status
 * OK, PARTIAL, or NOT_REPORT with error code and message). */
int gk_imp_xlsx_template(struct gk_ooxml *z, xmlDocPtr wb, const gk_import_options *opt,
                         gk_import_result *res);

#endif
