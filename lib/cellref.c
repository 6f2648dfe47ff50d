/* cellref.c — names a cell for people (see cellref.h). */
#include <stdio.h>
#include "cellref.h"

void gk_cellref(const gk_format *f, size_t cell, char *buf, size_t len)
{
    const gk_cell_def *d = &f->cells[cell];
    const gk_table *t = &f->tables[d->table];
    snprintf(buf, len, "%s“%s”行“%s”列", t->short_label, t->rows[d->row].short_label,
             t->columns[d->column].label);
}
