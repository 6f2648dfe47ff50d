/* regions_default.h — where the region registry shipped with gongkai is
 * (cmd_import.c): `gongkai import` finds the entity from it, `gongkai render`
 * the entity's name for the title. */
#ifndef GONGKAI_CLIENT_REGIONS_DEFAULT_H
#define GONGKAI_CLIENT_REGIONS_DEFAULT_H

#include <stddef.h>

/* The first readable of the installed copy, one relative to the binary and
 * the source tree's; the path in buf, or NULL. */
const char *gk_default_regions(char *buf, size_t len);

#endif
