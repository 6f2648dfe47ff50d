/* cellref.h — how messages name cells: 申请情况表“本年新收”行“总计”列.
 * Private to lib/: every rule and the parser phrase cells the same way. */
#ifndef GONGKAI_LIB_CELLREF_H
#define GONGKAI_LIB_CELLREF_H

#include <stddef.h>
#include "gongkai/format.h"

/* Writes the description of flat cell `cell` into buf. */
void gk_cellref(const gk_format *f, size_t cell, char *buf, size_t len);

#endif
