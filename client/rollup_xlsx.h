/* rollup_xlsx.h — the office's workbook: a rollup in the printed layout as
 * an .xlsx (libxlsxwriter), for `gongkai rollup --xlsx -o FILE`. */
#ifndef GONGKAI_CLIENT_ROLLUP_XLSX_H
#define GONGKAI_CLIENT_ROLLUP_XLSX_H
#include <jansson.h>

/* Writes the rollup answer (the daemon's JSON: region, year, rollup) to
 * path.  Returns 0, or -1 with a Chinese reason in why. */
int gk_rollup_write_xlsx(const json_t *answer, const char *path, char *why, size_t why_len);
/* Like the above, plus a sheet 检查结果 from the compliance answer (may be
 * NULL): one row per finding of every township, and one per township with
 * none or not reported. */
int gk_rollup_write_xlsx_with(const json_t *answer, const json_t *compliance, const char *path,
                              char *why, size_t why_len);
#endif
