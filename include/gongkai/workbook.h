/* workbook.h — the workbooks gongkai writes (libxlsxwriter, lib/workbook/):
 * the township's fill-in template and the office's rollup workbook.
 *
 * Why a library: the client (`gongkai template --xlsx`, `gongkai rollup
 * --xlsx`) and the daemon (GET …/rollup?format=xlsx) write the same
 * workbook from the same JSON, so the two can never disagree. */
#ifndef GONGKAI_WORKBOOK_H
#define GONGKAI_WORKBOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "gongkai/format.h"

/* The fill-in template (gongkai/template.h names its defined names) for
 * entity (digits) and year in format f, written to path; entity_name (may
 * be NULL) heads the title as a printed report's author does (永安市贡川镇),
 * so the sheet read by labels alone still names its entity.  0, or -1 with
 * a Chinese reason in why. */
int gk_workbook_template(const gk_format *f, int year, const char *entity, const char *entity_name,
                         const char *path, char *why, size_t why_len);

/* The office's workbook: answer is the rollup JSON (region, year, rollup,
 * coverage) as GET /regions/{code}/rollup gives it; compliance (may be
 * NULL) the answer of …/compliance.  One sheet per table in the printed
 * layout, 报送情况 (counts, then every township: reported, late, missing)
 * and, with compliance, 检查结果 (one row per finding).  0, or -1 with why. */
int gk_workbook_rollup(const json_t *answer, const json_t *compliance, const char *path, char *why,
                       size_t why_len);
/* The same into memory (a temporary file under $TMPDIR, removed): the
 * daemon's answer.  malloc'd bytes and *len, or NULL with why. */
char *gk_workbook_rollup_bytes(const json_t *answer, const json_t *compliance, size_t *len,
                               char *why, size_t why_len);

#endif
