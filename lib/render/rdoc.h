/* rdoc.h — a small document model for what gongkai writes for people to
 * publish or print: headings, paragraphs and tables whose cells may span rows
 * and columns (the printed report's merged headers).
 *
 * Why a model of its own: the same document goes out as HTML (rdoc_html.c)
 * and as a Word package (rdoc_docx.c), and other parts of gongkai (the
 * review's supervision list, a rollup's draft report) build documents too —
 * they fill a gk_rdoc and pick the writer, never touching HTML or OOXML. */
#ifndef GONGKAI_RENDER_RDOC_H
#define GONGKAI_RENDER_RDOC_H

#include <stdbool.h>
#include <stddef.h>

typedef enum gk_ralign { GK_RALIGN_LEFT = 0, GK_RALIGN_CENTER = 1, GK_RALIGN_RIGHT = 2 } gk_ralign;

/* Cell flags. */
#define GK_RCELL_HEADER 1u   /* a header or label cell: bold-free, centred */
#define GK_RCELL_NUMBER 2u   /* a value: right-aligned */

typedef struct gk_rcell {
    size_t row, col, rowspan, colspan;
    unsigned flags;
    char *text;        /* UTF-8; "\n" starts a new line inside the cell */
} gk_rcell;

/* A table on a grid of n_cols columns: each cell is placed at its top-left
 * grid position; grid positions covered by no cell are written as empty
 * cells.  Cells must not overlap (the writers assume it; gk_rtable_cell
 * refuses an overlap). */
typedef struct gk_rtable {
    size_t n_cols, n_rows;
    size_t n_cells, cap;
    gk_rcell *cells;
    unsigned *widths;  /* relative column widths (n_cols of them), default 1 */
    char *caption;     /* NULL: none */
} gk_rtable;

typedef enum gk_rblock_kind { GK_RB_HEADING = 0, GK_RB_PARAGRAPH = 1, GK_RB_TABLE = 2 } gk_rblock_kind;

typedef struct gk_rblock {
    gk_rblock_kind kind;
    int level;          /* heading: 1 (document title) … 3 */
    gk_ralign align;
    char *text;         /* heading, paragraph */
    gk_rtable *table;   /* table */
} gk_rblock;

typedef struct gk_rdoc {
    char *title;        /* metadata: HTML <title>, docProps title */
    size_t n, cap;
    gk_rblock *blocks;
} gk_rdoc;

gk_rdoc *gk_rdoc_new(const char *title);
void gk_rdoc_free(gk_rdoc *d);
void gk_rdoc_heading(gk_rdoc *d, int level, gk_ralign align, const char *text);
void gk_rdoc_paragraph(gk_rdoc *d, gk_ralign align, const char *text);
/* Appends a table of n_cols grid columns (owned by the document). */
gk_rtable *gk_rdoc_table(gk_rdoc *d, size_t n_cols);
/* Places a cell; spans of 0 count as 1.  Returns 0, or -1 when the cell
 * leaves the grid's columns or overlaps a cell already placed. */
int gk_rtable_cell(gk_rtable *t, size_t row, size_t col, size_t rowspan, size_t colspan,
                   unsigned flags, const char *text);
void gk_rtable_width(gk_rtable *t, size_t col, unsigned width);
/* The cell whose top-left corner is (row, col), or NULL. */
const gk_rcell *gk_rtable_origin(const gk_rtable *t, size_t row, size_t col);
/* The cell covering (row, col) (its origin or spanned), or NULL. */
const gk_rcell *gk_rtable_covering(const gk_rtable *t, size_t row, size_t col);

/* Writers.  Both return a malloc'd buffer (and its length), never NULL
 * except when out of memory or, for DOCX, when libzip fails (err says why,
 * in Chinese).  The output is deterministic: the same document gives the
 * same bytes (the zip's times are fixed), so it can be cached by ETag. */
char *gk_rdoc_html(const gk_rdoc *d, size_t *len);
char *gk_rdoc_docx(const gk_rdoc *d, size_t *len, char *err, size_t err_len);

#endif
