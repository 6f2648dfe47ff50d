/* cellparam.h — the ?cell= parameter of the routes about one cell of a
 * format (benchmark, rollup/cell): tables.<table>.<row>.<column>, the
 * "tables." optional, checked against the format. */
#ifndef GONGKAID_CELLPARAM_H
#define GONGKAID_CELLPARAM_H

#include "gongkai/format.h"

#define GK_CELLPARAM_TABLE 32
#define GK_CELLPARAM_KEY 48

/* The cell's index in f with its three keys copied out, or -1 when cell is
 * NULL, malformed or not a cell of f. */
int gk_cell_param(const gk_format *f, const char *cell, char table[GK_CELLPARAM_TABLE], char row[GK_CELLPARAM_KEY],
                  char column[GK_CELLPARAM_KEY]);

#endif
