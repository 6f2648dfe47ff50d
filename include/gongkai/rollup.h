/* rollup.h — cell-by-cell sums of many reports of one format.
 *
 * Each cell keeps its sum and how many reports gave a number, said not
 * applicable (null) or left it blank, so a rollup never hides that a null or
 * a blank was taken as nothing.  Adding with sign -1 removes a report again:
 * the daemon keeps rollups incrementally (old revision out, new one in). */
#ifndef GONGKAI_ROLLUP_H
#define GONGKAI_ROLLUP_H

#include <stdint.h>
#include <jansson.h>
#include "gongkai/report.h"

typedef struct gk_rollup_cell {
    int64_t sum;         /* same scale as the cell's kind */
    int64_t n_number;
    int64_t n_null;
} gk_rollup_cell;

typedef struct gk_rollup {
    const gk_format *format;
    int64_t n_reports;   /* n_absent of a cell = n_reports - n_number - n_null */
    gk_rollup_cell *cells;
} gk_rollup;

gk_rollup *gk_rollup_new(const gk_format *f);
void gk_rollup_free(gk_rollup *ru);
/* Adds (sign = +1) or removes (sign = -1) a report of the same format.
 * Invalid cells count as blank.  Returns -1 (rollup unchanged) on a format
 * mismatch or an overflow of int64. */
int gk_rollup_add(gk_rollup *ru, const gk_report *r, int sign)
    __attribute__((warn_unused_result));
/* A report-shaped result: a cell is a number when any report gave one (the
 * sum), null when all that filled it said not applicable, absent when none
 * filled it.  Narrative absent; tables present when any cell is. */
gk_report *gk_rollup_as_report(const gk_rollup *ru, int year, const char *entity);
/* {"format","reports":N,"tables":{t:{row:{col:{"sum","reported","not_applicable","blank"}}}}}
 * A fractional amount sum is an exact node: write it with gk_json_dumps_exact. */
json_t *gk_rollup_to_json(const gk_rollup *ru);

#endif
