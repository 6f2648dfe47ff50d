/* print_layout.h — the report's three tables (sections 二, 三, 四) laid out
 * as printed, with the registry's Chinese labels, for any values: a rollup's
 * sums (`gongkai rollup`) or one report's cells (`gongkai show`).
 *
 * The layout comes from the format registry (include/gongkai/format.h), not
 * from code: rows that share the same columns form one block with a header
 * line, as in the printed format (section 二 of the 2019 format has four). */
#ifndef GONGKAI_CLIENT_PRINT_LAYOUT_H
#define GONGKAI_CLIENT_PRINT_LAYOUT_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include "gongkai/format.h"

/* Writes the text of one cell into buf (≥ 64 bytes); "" for blank. */
typedef void (*gk_cell_text_fn)(void *ud, const gk_table *t, const gk_row *r,
                                const gk_column *c, char *buf, size_t len);

/* wide: the rows' full printed labels instead of their short ones. */
void gk_print_layout(FILE *out, const gk_format *f, gk_cell_text_fn text, void *ud, bool wide);

/* A JSON number (integer or decimal) as text without a float's noise:
 * 12 → "12", 1234.5 → "1234.5"; a string is copied as is (amounts may come
 * as strings); anything else gives "". */
void gk_json_number_text(const json_t *v, char *buf, size_t len);

/* Cell text of a rollup cell {"sum","reported","not_applicable","blank"}:
 * "12" when every report gave a number, "12 (2/3)" when 2 of 3 did,
 * "/" when those that filled it all said not applicable, "" when none did. */
void gk_rollup_cell_text(const json_t *cell, long long n_reports, char *buf, size_t len);

/* The rollup response's "rollup" object in the printed layout, followed by
 * a note on how to read "(2/3)" and "/". */
void gk_print_rollup(FILE *out, const json_t *rollup, bool wide);
/* One report (its JSON body) in the printed layout: numbers, "/" for not
 * applicable, blank for absent. */
void gk_print_report_tables(FILE *out, const gk_format *f, const json_t *report, bool wide);

#endif
