/* rdoc.c — the document model (rdoc.h): blocks appended in order, tables
 * as cells on a grid. */
#include <stdlib.h>
#include <string.h>
#include "rbuf.h"
#include "rdoc.h"

gk_rdoc *gk_rdoc_new(const char *title)
{
    gk_rdoc *d = gk_rbuf_xmalloc(sizeof *d);
    memset(d, 0, sizeof *d);
    d->title = gk_rbuf_xstrdup(title);
    return d;
}

static void table_free(gk_rtable *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_cells; i++)
        free(t->cells[i].text);
    free(t->cells);
    free(t->widths);
    free(t->caption);
    free(t);
}

void gk_rdoc_free(gk_rdoc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->blocks[i].text);
        table_free(d->blocks[i].table);
    }
    free(d->blocks);
    free(d->title);
    free(d);
}

static gk_rblock *add_block(gk_rdoc *d, gk_rblock_kind kind)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        gk_rblock *b = realloc(d->blocks, cap * sizeof *b);
        if (!b)
            abort();
        d->blocks = b;
        d->cap = cap;
    }
    gk_rblock *b = &d->blocks[d->n++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    return b;
}

void gk_rdoc_heading(gk_rdoc *d, int level, gk_ralign align, const char *text)
{
    gk_rblock *b = add_block(d, GK_RB_HEADING);
    b->level = level < 1 ? 1 : level > 3 ? 3 : level;
    b->align = align;
    b->text = gk_rbuf_xstrdup(text);
}

void gk_rdoc_paragraph(gk_rdoc *d, gk_ralign align, const char *text)
{
    gk_rblock *b = add_block(d, GK_RB_PARAGRAPH);
    b->align = align;
    b->text = gk_rbuf_xstrdup(text);
}

gk_rtable *gk_rdoc_table(gk_rdoc *d, size_t n_cols)
{
    gk_rblock *b = add_block(d, GK_RB_TABLE);
    gk_rtable *t = gk_rbuf_xmalloc(sizeof *t);
    memset(t, 0, sizeof *t);
    t->n_cols = n_cols ? n_cols : 1;
    t->widths = gk_rbuf_xmalloc(t->n_cols * sizeof *t->widths);
    for (size_t i = 0; i < t->n_cols; i++)
        t->widths[i] = 1;
    b->table = t;
    return t;
}

void gk_rtable_width(gk_rtable *t, size_t col, unsigned width)
{
    if (col < t->n_cols)
        t->widths[col] = width ? width : 1;
}

const gk_rcell *gk_rtable_covering(const gk_rtable *t, size_t row, size_t col)
{
    for (size_t i = 0; i < t->n_cells; i++) {
        const gk_rcell *c = &t->cells[i];
        if (row >= c->row && row < c->row + c->rowspan && col >= c->col &&
            col < c->col + c->colspan)
            return c;
    }
    return NULL;
}

const gk_rcell *gk_rtable_origin(const gk_rtable *t, size_t row, size_t col)
{
    const gk_rcell *c = gk_rtable_covering(t, row, col);
    return c && c->row == row && c->col == col ? c : NULL;
}

int gk_rtable_cell(gk_rtable *t, size_t row, size_t col, size_t rowspan, size_t colspan,
                   unsigned flags, const char *text)
{
    if (!rowspan)
        rowspan = 1;
    if (!colspan)
        colspan = 1;
    if (col >= t->n_cols || colspan > t->n_cols - col)
        return -1;
    for (size_t i = 0; i < t->n_cells; i++) {
        const gk_rcell *c = &t->cells[i];
        if (row < c->row + c->rowspan && c->row < row + rowspan && col < c->col + c->colspan &&
            c->col < col + colspan)
            return -1;
    }
    if (t->n_cells == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        gk_rcell *c = realloc(t->cells, cap * sizeof *c);
        if (!c)
            abort();
        t->cells = c;
        t->cap = cap;
    }
    gk_rcell *c = &t->cells[t->n_cells++];
    c->row = row;
    c->col = col;
    c->rowspan = rowspan;
    c->colspan = colspan;
    c->flags = flags;
    c->text = gk_rbuf_xstrdup(text);
    if (row + rowspan > t->n_rows)
        t->n_rows = row + rowspan;
    return 0;
}
