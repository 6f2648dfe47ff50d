/* print_table.h — aligned text tables for the terminal.
 *
 * Cells are collected first and printed once every width is known; widths
 * are display columns (gk_text_width: a Chinese character is two), so mixed
 * Chinese and numbers line up.  Numbers are right-aligned, text left. */
#ifndef GONGKAI_CLIENT_PRINT_TABLE_H
#define GONGKAI_CLIENT_PRINT_TABLE_H

#include <stddef.h>
#include <stdio.h>

typedef enum gk_align { GK_ALIGN_LEFT = 0, GK_ALIGN_RIGHT = 1 } gk_align;

typedef struct gk_ptable gk_ptable;

gk_ptable *gk_ptable_new(size_t n_columns);
void gk_ptable_free(gk_ptable *t);
/* Header text and alignment of a column (the header follows the alignment). */
void gk_ptable_column(gk_ptable *t, size_t col, const char *header, gk_align align);
/* Starts a new row; the cells that follow fill it left to right (missing
 * cells print empty; extra cells are ignored). */
void gk_ptable_row(gk_ptable *t);
void gk_ptable_cell(gk_ptable *t, const char *text);
void gk_ptable_cellf(gk_ptable *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints header, a rule of '-' and the rows, each line starting with indent;
 * columns two spaces apart, no trailing spaces. */
void gk_ptable_print(const gk_ptable *t, FILE *out, const char *indent);
size_t gk_ptable_rows(const gk_ptable *t);

/* Writes s right-aligned in width display columns. */
void gk_fput_right(FILE *out, const char *s, size_t width);

#endif
