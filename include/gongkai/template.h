/* template.h — the names that tie the Excel fill-in template
 * (`gongkai template --xlsx`, lib/workbook/) to its reader (`gongkai import`,
 * lib/import/xlsxtemplate.c).
 *
 * Why a header of its own: the writer and the reader live in two libraries
 * (one links libxlsxwriter, the other libzip/libxml2) and must agree on every
 * defined name; written once here, they cannot drift apart.  The workbook
 * records its entity, year and format as constant names and every input cell
 * as a name pointing at it, so reading back needs no guessing from labels. */
#ifndef GONGKAI_TEMPLATE_H
#define GONGKAI_TEMPLATE_H

#include <stdio.h>
#include "gongkai/format.h"

/* The template's layout version (defined name GK_template). */
#define GK_TEMPLATE_VERSION 1
#define GK_TEMPLATE_SHEET "年度报告"

/* Constant names: ="2021", =2024, ="350481101", =1. */
#define GK_TNAME_FORMAT "GK_format"
#define GK_TNAME_YEAR "GK_year"
#define GK_TNAME_ENTITY "GK_entity"
#define GK_TNAME_TEMPLATE "GK_template"
/* Input cells: the publication date, the three prose sections
 * (GK_narrative_overview …), and one per table cell. */
#define GK_TNAME_PUBLISHED "GK_published_at"
#define GK_TNAME_NARRATIVE_PREFIX "GK_narrative_"

/* The defined name of flat cell i of format f: GK_<table>_<row>_<column>
 * (keys are ASCII letters, digits and '_', so the name is valid in Excel). */
static inline void gk_template_cell_name(const gk_format *f, size_t i, char *buf, size_t len)
{
    const gk_cell_def *d = &f->cells[i];
    const gk_table *t = &f->tables[d->table];
    snprintf(buf, len, "GK_%s_%s_%s", t->key, t->rows[d->row].key, t->columns[d->column].key);
}

#endif
