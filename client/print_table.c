/* print_table.c — see print_table.h. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "print_table.h"
#include "net_util.h"
#include "gongkai/textutil.h"

struct gk_ptable {
    size_t n_columns;
    char **headers;
    gk_align *align;
    size_t n_rows, cap_rows;
    char ***rows;     /* rows[r][c], NULL when not filled */
    size_t next_col;  /* of the last row */
};

gk_ptable *gk_ptable_new(size_t n_columns)
{
    gk_ptable *t = gk_net_xmalloc(sizeof *t);
    memset(t, 0, sizeof *t);
    t->n_columns = n_columns;
    t->headers = gk_net_xmalloc(n_columns * sizeof *t->headers);
    t->align = gk_net_xmalloc(n_columns * sizeof *t->align);
    for (size_t c = 0; c < n_columns; c++) {
        t->headers[c] = NULL;
        t->align[c] = GK_ALIGN_LEFT;
    }
    return t;
}

void gk_ptable_free(gk_ptable *t)
{
    if (!t)
        return;
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_columns; c++)
            free(t->rows[r][c]);
        free(t->rows[r]);
    }
    for (size_t c = 0; c < t->n_columns; c++)
        free(t->headers[c]);
    free(t->rows);
    free(t->headers);
    free(t->align);
    free(t);
}

/* Control characters (a tab or newline in a name from the server) would
 * break the alignment; they print as a space. */
static char *clean_dup(const char *s)
{
    char *d = gk_net_xstrdup(s ? s : "");
    for (char *p = d; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return d;
}

void gk_ptable_column(gk_ptable *t, size_t col, const char *header, gk_align align)
{
    if (col >= t->n_columns)
        return;
    free(t->headers[col]);
    t->headers[col] = clean_dup(header);
    t->align[col] = align;
}

void gk_ptable_row(gk_ptable *t)
{
    if (t->n_rows == t->cap_rows) {
        t->cap_rows = t->cap_rows ? t->cap_rows * 2 : 16;
        char ***nr = realloc(t->rows, t->cap_rows * sizeof *nr);
        if (!nr)
            abort();
        t->rows = nr;
    }
    char **row = gk_net_xmalloc(t->n_columns * sizeof *row);
    for (size_t c = 0; c < t->n_columns; c++)
        row[c] = NULL;
    t->rows[t->n_rows++] = row;
    t->next_col = 0;
}

void gk_ptable_cell(gk_ptable *t, const char *text)
{
    if (t->n_rows == 0)
        gk_ptable_row(t);
    if (t->next_col >= t->n_columns)
        return;
    t->rows[t->n_rows - 1][t->next_col++] = clean_dup(text);
}

void gk_ptable_cellf(gk_ptable *t, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    gk_ptable_cell(t, s);
    free(s);
}

size_t gk_ptable_rows(const gk_ptable *t)
{
    return t->n_rows;
}

void gk_fput_right(FILE *out, const char *s, size_t width)
{
    for (size_t w = gk_text_width(s); w < width; w++)
        fputc(' ', out);
    fputs(s, out);
}

static void print_line(const gk_ptable *t, FILE *out, const char *indent, char *const *cells,
                       const size_t *width)
{
    size_t last = 0;   /* last non-empty cell, to avoid trailing spaces */
    for (size_t c = 0; c < t->n_columns; c++)
        if (cells[c] && cells[c][0])
            last = c + 1;
    fputs(indent, out);
    for (size_t c = 0; c < last; c++) {
        const char *s = cells[c] ? cells[c] : "";
        if (c)
            fputs("  ", out);
        if (t->align[c] == GK_ALIGN_RIGHT)
            gk_fput_right(out, s, width[c]);
        else if (c + 1 == last)
            fputs(s, out);
        else
            gk_fput_padded(out, s, width[c]);
    }
    fputc('\n', out);
}

void gk_ptable_print(const gk_ptable *t, FILE *out, const char *indent)
{
    size_t *width = gk_net_xmalloc(t->n_columns * sizeof *width), total = 0;
    bool any_header = false;
    for (size_t c = 0; c < t->n_columns; c++) {
        width[c] = t->headers[c] ? gk_text_width(t->headers[c]) : 0;
        if (t->headers[c] && t->headers[c][0])
            any_header = true;
        for (size_t r = 0; r < t->n_rows; r++)
            if (t->rows[r][c]) {
                size_t w = gk_text_width(t->rows[r][c]);
                width[c] = w > width[c] ? w : width[c];
            }
        total += width[c] + (c ? 2 : 0);
    }
    if (any_header) {
        print_line(t, out, indent, t->headers, width);
        fputs(indent, out);
        for (size_t i = 0; i < total; i++)
            fputc('-', out);
        fputc('\n', out);
    }
    for (size_t r = 0; r < t->n_rows; r++)
        print_line(t, out, indent, t->rows[r], width);
    free(width);
}
