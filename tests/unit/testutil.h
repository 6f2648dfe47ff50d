/* testutil.h — helpers shared by the unit tests: files, case specs, findings. */
#ifndef GONGKAI_TESTUTIL_H
#define GONGKAI_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "gongkai/findings.h"

/* Whole file, NUL-terminated; aborts the test on failure. */
char *tu_read_file(const char *path, size_t *len);
/* A report document from a case spec {"base":{format,year,entity},"set":{path:value},
 * "delete":[path]}: a complete zero template with narrative text, then the edits.
 * Returns a new JSON object. */
json_t *tu_build_report(const json_t *spec);
/* Sets/deletes a dotted path in a JSON object (creating objects on the way). */
void tu_json_set_path(json_t *root, const char *path, json_t *value);
void tu_json_del_path(json_t *root, const char *path);
/* Number of findings with this code (and path, when path is not NULL). */
size_t tu_count(const gk_findings *fs, const char *code, const char *path);
/* Renders findings as "code@path" lines, for failure messages. */
char *tu_findings_text(const gk_findings *fs);

#endif
