/* cellpath.h — a finding's path as people read it: the supervision list
 * (通报) prints "申请情况表“本年新收”行“总计”列" where the API says
 * tables.requests.received.total, and a section's title for narrative.KEY. */
#ifndef GONGKAI_CELLPATH_H
#define GONGKAI_CELLPATH_H

#include <stddef.h>
#include "gongkai/format.h"

/* Writes the label of path in format f (NULL: any format) into buf and
 * returns 0; -1 with buf = "" when path names no cell or section. */
int gk_path_label(const gk_format *f, const char *path, char *buf, size_t len);

#endif
