/* cellpath.c — labels for finding paths (see cellpath.h); cells are named
 * exactly as the rules' messages name them (cellref.c). */
#include "gongkai/cellpath.h"

#include <stdio.h>
#include <string.h>

#include "cellref.h"
#include "gongkai/report.h"

int gk_path_label(const gk_format *f, const char *path, char *buf, size_t len)
{
    if (len > 0)
        buf[0] = '\0';
    if (path == NULL || len == 0)
        return -1;
    if (strncmp(path, "narrative.", 10) == 0) {
        for (int k = 0; k < GK_NARR_COUNT; k++)
            if (strcmp(path + 10, gk_narrative_keys[k]) == 0) {
                snprintf(buf, len, "%s", gk_narrative_labels[k]);
                return 0;
            }
        return -1;
    }
    if (f == NULL || strncmp(path, "tables.", 7) != 0)
        return -1;
    /* tables.<table>.<row>.<column>: three keys, none empty */
    char keys[3][64];
    const char *p = path + 7;
    for (int i = 0; i < 3; i++) {
        size_t n = strcspn(p, ".");
        if (n == 0 || n >= sizeof keys[i] || (i < 2 && p[n] != '.') || (i == 2 && p[n] != '\0'))
            return -1;
        memcpy(keys[i], p, n);
        keys[i][n] = '\0';
        p += n + (i < 2);
    }
    int cell = gk_format_cell_index(f, keys[0], keys[1], keys[2]);
    if (cell < 0)
        return -1;
    gk_cellref(f, (size_t)cell, buf, len);
    return 0;
}
