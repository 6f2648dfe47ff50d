/* imp.h — what the importer's readers share, private to lib/import.
 *
 * Both readers (text, HTML) reduce their input to one shape, a document of
 * lines, so that everything after reading — sections, labels, placing — is
 * written once.  A line is either prose (one cell) or a row (several cells,
 * from tabs, '|' or an HTML <tr>). */
#ifndef GONGKAI_IMPORT_IMP_H
#define GONGKAI_IMPORT_IMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "import.h"

/* Limits that keep hostile input bounded (named so the docs can cite them). */
#define GK_IMP_MAX_INPUT (16u * 1024 * 1024)   /* bytes read at most */
#define GK_IMP_MAX_LINES 200000
#define GK_IMP_MAX_CELLS 256                     /* cells kept per row */
#define GK_IMP_MAX_SPAN 256                      /* rowspan / colspan clamp */
#define GK_IMP_MAX_TABLE_ROWS 2000               /* <tr> read per HTML table */

typedef struct gk_imp_cell {
    char *text;      /* trimmed, NUL-terminated UTF-8 */
    int col;         /* position in the row (HTML: grid column after spans) */
    bool copy;       /* HTML: filled by another cell's rowspan/colspan */
    int x;           /* PDF: left edge on its page, in points (0 otherwise) */
} gk_imp_cell;

typedef enum gk_imp_line_kind { GK_LINE_TEXT = 0, GK_LINE_ROW = 1 } gk_imp_line_kind;

typedef struct gk_imp_line {
    gk_imp_line_kind kind;
    size_t n;
    gk_imp_cell *cells;
    int line;          /* 1-based source line */
    int table, row;    /* HTML table/row (1-based), 0 for text */
    int page, y;       /* PDF: page (1-based) and top on it in points; 0 otherwise */
} gk_imp_line;

typedef struct gk_imp_doc {
    gk_imp_line *lines;
    size_t n, cap;
} gk_imp_doc;

/* --- small helpers (util) --- */
void *gk_imp_xmalloc(size_t n);
void *gk_imp_xrealloc(void *p, size_t n);
char *gk_imp_xstrdup(const char *s);
char *gk_imp_xstrndup(const char *s, size_t n);
char *gk_imp_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A growing NUL-terminated text: the HTML and Word readers gather a cell's
 * or paragraph's text in one ({0} is empty; free s). */
typedef struct gk_imp_buf {
    char *s;
    size_t n, cap;
} gk_imp_buf;
void gk_imp_buf_add(gk_imp_buf *b, const char *s, size_t n);

void gk_imp_doc_free(gk_imp_doc *d);
gk_imp_line *gk_imp_doc_add(gk_imp_doc *d, gk_imp_line_kind kind, int line);
void gk_imp_line_add_cell(gk_imp_line *l, const char *text, size_t len, int col, bool copy);
/* Number of cells with non-blank text (copies excluded when skip_copies). */
size_t gk_imp_line_nonblank(const gk_imp_line *l, bool skip_copies);

void gk_imp_list_add(gk_import_list *l, const gk_imp_line *where, int column, const char *text,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* --- readers --- */
/* Appends code point cp as UTF-8 (1..4 bytes); returns the length. */
size_t gk_imp_put_utf8(char *o, uint32_t cp);
/* UTF-16 with a byte order mark (FF FE little-endian, FE FF big-endian, as
 * Word saves "Unicode text") to UTF-8 without the BOM; unpaired surrogates
 * become U+FFFD, an odd last byte is dropped.  NULL when there is no BOM. */
char *gk_imp_from_utf16(const char *data, size_t len, size_t *out_len);
/* Valid UTF-8 copy with invalid bytes as U+FFFD, CRLF/CR as LF, BOM dropped. */
char *gk_imp_clean_utf8(const char *data, size_t len, size_t *out_len);
void gk_imp_read_text(const char *text, gk_imp_doc *doc);
/* Returns 0, or -1 when libxml2 could not parse anything.  utf8: the bytes
 * are UTF-8 whatever charset the page declares (converted from UTF-16). */
int gk_imp_read_html(const char *data, size_t len, bool utf8, gk_imp_doc *doc);
/* docxread.c: word/document.xml of an opened package; 0, or -1 with an
 * English code and a Chinese message (no table, bad XML, bounds). */
struct gk_ooxml;
int gk_imp_read_docx(struct gk_ooxml *z, gk_imp_doc *doc, char code[48], char msg[320]);
/* PDF (pdfread.c): limits on pages, characters and wall time. */
#define GK_IMP_PDF_MAX_PAGES 200
#define GK_IMP_PDF_MAX_CHARS 2000000
#define GK_IMP_PDF_MAX_MS 20000
/* The text layer of a PDF; returns 0, or -1 with an English code and a
 * Chinese reason (encrypted, corrupt, no text layer, a limit exceeded). */
int gk_imp_read_pdf(const char *data, size_t len, gk_imp_doc *doc, char *code, size_t code_len,
                    char *why, size_t why_len);
/* xlsxread.c: the sheets of an opened workbook, in order; 0 or -1 as above. */
int gk_imp_read_xlsx(struct gk_ooxml *z, gk_imp_doc *doc, char code[48], char msg[320]);

/* inline.c: a line holding section headings inline ("…情况二、主动公开政府
 * 信息情况第二十条…", a page whose text is one line) split at them into out
 * (a new document; free it), with a note each.  false: nothing to split. */
bool gk_imp_split_inline_headings(const gk_imp_doc *in, gk_imp_doc *out, gk_import_list *notes);

/* --- normalisation (normalize.c) --- */
/* Full-width ASCII → half-width, U+3000/U+00A0 → space, dashes unified. */
char *gk_imp_norm_basic(const char *s);
/* For comparing labels: basic + no spaces, quotes, numbering prefixes
 * ("（三）", "3.", "一、"), nor printed notes in parentheses. */
char *gk_imp_norm_label(const char *s);
/* Like norm_label, but numbering removed anywhere, not only in front. */
char *gk_imp_norm_loose(const char *s);
/* A top-level heading number "一、" at the start (after basic normalisation):
 * returns the numeral's value 1..10 and the byte length, or 0. */
int gk_imp_heading_number(const char *basic, size_t *len);

typedef enum gk_imp_vclass {
    GK_V_BLANK = 0,   /* empty: absent */
    GK_V_NA = 1,      /* "/", "-", "—", "不适用": null */
    GK_V_NUMBER = 2,  /* looks like a number, maybe with a unit */
    GK_V_TEXT = 3,    /* anything else */
    GK_V_MALFORMED = 4, /* digits split by blanks or commas not in the thousands
                         * shape ("1 2", "12,34"): two values, never one */
} gk_imp_vclass;

#define GK_IMP_WHY_MALFORMED "数字之间有空格或逗号但不是千位分隔格式，可能是两个数值挤在一个单元格中"

gk_imp_vclass gk_imp_classify(const char *text);

/* Converts a value cell for a column of `kind`; unit_10k: the column counts
 * in 万元.  Returns 0 with *out (scaled for amounts), or -1 with a reason. */
int gk_imp_value(const char *text, int kind, bool unit_10k, int64_t *out, char *why,
                 size_t why_len);

/* --- the registry's labels (labels.c) --- */
typedef struct gk_imp_labels gk_imp_labels;
gk_imp_labels *gk_imp_labels_new(const gk_format *f);
void gk_imp_labels_free(gk_imp_labels *lb);
/* Row of table t whose label matches the line's label cells, or -1. */
int gk_imp_labels_row(const gk_imp_labels *lb, size_t t, const char *const *parts, size_t n);
/* Column of table t with this label, or -1. */
int gk_imp_labels_column(const gk_imp_labels *lb, size_t t, const char *cell);
/* A label the table prints without data (group headers, "信息内容"). */
bool gk_imp_labels_furniture(const gk_imp_labels *lb, size_t t, const char *cell);
/* How many labels of the document belong only to this format. */
size_t gk_imp_labels_score(const gk_format *f, const gk_imp_doc *doc);

/* --- regions (regions.c) --- */
/* Finds the entity named in text; 0 and code in out, -1 none, -2 ambiguous
 * (candidates listed in why). */
int gk_imp_region_match(const gk_region_list *rl, const char *text, char *out, size_t out_len,
                        char *why, size_t why_len);

/* --- placing table cells (place.c) --- */
typedef struct gk_imp_placer gk_imp_placer;
gk_imp_placer *gk_imp_placer_new(gk_report *r, const gk_imp_labels *lb, gk_import_result *res);
void gk_imp_placer_free(gk_imp_placer *p);
/* A new table section (table index, or -1 when unknown) begins. */
void gk_imp_placer_begin(gk_imp_placer *p, int table);
/* A line inside a table section; at_end: it is the document's last line (a
 * short row there is cut off, not ambiguous). */
void gk_imp_placer_line(gk_imp_placer *p, const gk_imp_line *l, bool at_end);
/* The table whose row this line is (label and values), or -1: used to spot a
 * table whose heading is missing. */
int gk_imp_placer_row_table(const gk_imp_placer *p, const gk_imp_line *l);
/* Flushes what is pending and reports the rows missing from tables begun. */
void gk_imp_placer_end(gk_imp_placer *p);
size_t gk_imp_placer_rows_placed(const gk_imp_placer *p);

#endif
