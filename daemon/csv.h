/* csv.h — a rollup in the printed table layout, as CSV with Chinese labels,
 * UTF-8 with a byte-order mark so Excel and WPS open it correctly. */
#ifndef GONGKAID_CSV_H
#define GONGKAID_CSV_H

#include <stddef.h>
#include <jansson.h>
#include "gongkai/rollup.h"

/* region: {code,name,level}.  malloc'd text, its length in *len. */
char *gk_rollup_csv(const gk_rollup *ru, const json_t *region, int year, size_t *len);

#endif
