/* regions_file.c — see regions_file.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "regions_file.h"

#ifdef GK_HAVE_IMPORT
#include "import.h"
#include "readfile.h"
#endif

/* The region registry when neither --entity nor --regions is given, the
 * first readable of: the installed copy (CMAKE_INSTALL_FULL_DATADIR), one
 * relative to this binary (an installed tree moved elsewhere), the source
 * tree the binary was built from (tests/data).  Local files only: the
 * importer makes no network calls.  Returns the path in buf, or NULL. */
const char *gk_default_regions(char *buf, size_t len)
{
    if (access(GK_REGIONS_INSTALLED, R_OK) == 0)
        return snprintf(buf, len, "%s", GK_REGIONS_INSTALLED) < (int)len ? buf : NULL;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            if (snprintf(buf, len, "%s/%s", exe, GK_REGIONS_BIN_RELATIVE) < (int)len &&
                access(buf, R_OK) == 0)
                return buf;
        }
    }
    if (access(GK_REGIONS_SOURCE, R_OK) == 0)
        return snprintf(buf, len, "%s", GK_REGIONS_SOURCE) < (int)len ? buf : NULL;
    return NULL;
}


/* A region's display name for a title: its county-level parent's name
 * before its own (永安市贡川镇), so that a reader of the title tells two
 * towns of one name apart. */
int gk_region_title_name(const char *code, char *buf, size_t len)
{
#ifdef GK_HAVE_IMPORT
    char path[PATH_MAX + 64];
    if (!gk_default_regions(path, sizeof path))
        return -1;
    size_t n = 0;
    char *data = gk_read_file(path, 64u << 20, &n);
    if (!data)
        return -1;
    gk_region_list rl;
    gk_region_list_init(&rl);
    char why[320];
    int rc = -1;
    if (gk_region_list_load(&rl, data, n, why, sizeof why) == 0) {
        const gk_region *self = NULL, *parent = NULL;
        for (size_t i = 0; i < rl.n && !self; i++)
            if (!strcmp(rl.items[i].code, code))
                self = &rl.items[i];
        for (size_t i = 0; self && self->parent[0] && i < rl.n && !parent; i++)
            if (!strcmp(rl.items[i].code, self->parent))
                parent = &rl.items[i];
        if (self) {
            snprintf(buf, len, "%s%s", parent ? parent->name : "", self->name);
            rc = 0;
        }
    }
    gk_region_list_free(&rl);
    free(data);
    return rc;
#else
    (void)code;
    (void)buf;
    (void)len;
    return -1;
#endif
}
