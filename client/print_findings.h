/* print_findings.h — findings as an aligned, readable list (CJK-width aware),
 * shared by `check`, `submit` and `compliance`. */
#ifndef GONGKAI_CLIENT_PRINT_FINDINGS_H
#define GONGKAI_CLIENT_PRINT_FINDINGS_H

#include <stdio.h>
#include "gongkai/findings.h"

/* 错误 / 警告 / 提示 */
const char *gk_severity_label(gk_severity sev);
/* One block: a heading line (file or entity), one aligned line per finding,
 * and a count line. */
void gk_print_findings(FILE *out, const char *heading, const gk_findings *fs);
/* The office's marks (确认 / 不予采纳 and the reason) of the findings of an
 * API answer (a JSON array; each finding's "mark"), one line each. */
void gk_print_marks(FILE *out, const json_t *findings);

#endif
