/* supervision.h — the supervision list (通报) of a region and year, as the
 * office circulates it (issue 17, item 5).  routes_supervision.c reads the
 * database into one JSON model; these render the model as the printable
 * page and as the workbook, so the three representations never disagree.
 *
 * The model: {"region":{code,name,level},"year","deadline" (text or null),
 *  "summary":{expected,reported,missing,late,units_with_confirmed,confirmed_findings},
 *  "missing":[{code,name}], "late":[{code,name,first_submitted_at}],
 *  "confirmed":[{code,name,revision,"findings":[{code,severity,path,cell,message,
 *                reason,by,at}]}]} */
#ifndef GONGKAID_SUPERVISION_H
#define GONGKAID_SUPERVISION_H

#include <stddef.h>
#include <jansson.h>

/* A complete HTML document (UTF-8), malloc'd, or NULL when out of memory.
 * Everything from the model is escaped; the page has no script, and its
 * one <style> is allowed by hash in gk_supervision_csp(). */
char *gk_supervision_html(const json_t *model, size_t *len);
/* The Content-Security-Policy to send with the page. */
const char *gk_supervision_csp(void);

/* The .xlsx workbook (libxlsxwriter), malloc'd, or NULL on failure (message
 * in the daemon's log).  libxlsxwriter 1.1 writes only to files: the book
 * is written into a private temporary file (TMPDIR), read back, removed. */
char *gk_supervision_xlsx(const json_t *model, size_t *len);

/* The Word document (lib/render's rdoc_docx.c), malloc'd, or NULL on
 * failure (message in the daemon's log). */
char *gk_supervision_docx(const json_t *model, size_t *len);

/* "error" → 错误, "warning" → 警告, else 提示. */
const char *gk_supervision_severity_label(const char *severity);

#endif
