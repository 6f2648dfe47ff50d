/* cellparam.c — see cellparam.h.  sscanf's widths match the buffers, and
 * the length check refuses trailing text sscanf would ignore. */
#include "cellparam.h"

#include <stdio.h>
#include <string.h>

int gk_cell_param(const gk_format *f, const char *cell, char table[GK_CELLPARAM_TABLE], char row[GK_CELLPARAM_KEY],
                  char column[GK_CELLPARAM_KEY])
{
    const char *c = cell ? cell : "";
    if (strncmp(c, "tables.", 7) == 0)
        c += 7;
    if (strlen(c) >= 100 || sscanf(c, "%31[a-z_].%47[a-z_0-9].%47[a-z_0-9]", table, row, column) != 3)
        return -1;
    if (strlen(table) + strlen(row) + strlen(column) + 2 != strlen(c))
        return -1;
    return gk_format_cell_index(f, table, row, column);
}
