/* diff.h — what changed between two revisions of a report: cell by cell
 * (the three states number / null / absent kept apart) and in the prose,
 * sentence by sentence.  Used by GET /api/v1/reports/{e}/{y}/diff. */
#ifndef GONGKAI_DIFF_H
#define GONGKAI_DIFF_H

#include <jansson.h>
#include "gongkai/report.h"

/* {"format":{"from","to"},"published_at":{"from","to"} (when it changed),
 *  "cells":[{"path","label","from":{"state","value"},"to":{…}}],
 *  "narrative":[{"key","label","changed","present_before","present_after",
 *                "removed":[…],"added":[…]}],
 *  "cells_changed":n,"sections_changed":n} — a new reference.
 * Cells are matched by path, so revisions in different formats compare too.
 * Fractional amounts are exact nodes: write the result with gk_json_dumps_exact. */
json_t *gk_report_diff(const gk_report *from, const gk_report *to);

#endif
