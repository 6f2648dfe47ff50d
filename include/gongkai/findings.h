/* findings.h — the list of problems a judgement produces.
 *
 * A finding is what FORMAT.md §3 calls it: a stable English code, a severity,
 * the JSON path it concerns and a message in Chinese for people.  Every part
 * of gongkai that judges a report (model parsing, rules, database rules)
 * appends to one gk_findings list, so the caller sees them in one place. */
#ifndef GONGKAI_FINDINGS_H
#define GONGKAI_FINDINGS_H

#include <stddef.h>
#include <jansson.h>

typedef enum gk_severity {
    GK_SEV_INFO = 0,
    GK_SEV_WARNING = 1,
    GK_SEV_ERROR = 2,
} gk_severity;

typedef struct gk_finding {
    char *code;          /* e.g. "requests.row_total" */
    gk_severity severity;
    char *path;          /* e.g. "tables.requests.received.total" */
    char *message;       /* Chinese, names the cells and the numbers */
    json_t *detail;      /* optional extra members merged into the JSON form; owned */
} gk_finding;

typedef struct gk_findings {
    gk_finding *items;
    size_t n, cap;
} gk_findings;

void gk_findings_init(gk_findings *fs);
void gk_findings_free(gk_findings *fs);
/* Appends a finding; the message is a printf format.  Aborts on out-of-memory
 * (like jansson's allocator failing, there is nothing sensible to do). */
void gk_findings_add(gk_findings *fs, const char *code, gk_severity sev,
                     const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Same, but takes ownership of detail (a JSON object, may be NULL). */
void gk_findings_add_detail(gk_findings *fs, const char *code, gk_severity sev,
                            const char *path, json_t *detail, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
size_t gk_findings_count(const gk_findings *fs, gk_severity sev);
/* "error", "warning" or "info". */
const char *gk_severity_name(gk_severity sev);
int gk_severity_parse(const char *name, gk_severity *out);
/* [{code, severity, path, message, ...detail}] — a new reference. */
json_t *gk_findings_to_json(const gk_findings *fs);
/* Parses the array form back (used by the daemon for stored findings).
 * Returns 0 on success, -1 when json is not such an array. */
int gk_findings_from_json(gk_findings *fs, const json_t *json);

#endif
