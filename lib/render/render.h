/* render.h — the annual report in the national layout (国办公开办函〔2021〕30号
 * and the 2019 format), as a gk_rdoc (rdoc.h) ready for HTML or Word.
 *
 * Why here, in a library: the client (`gongkai render`) and the daemon
 * (`GET /api/v1/reports/{e}/{y}?format=docx|html`) must publish exactly the
 * same document, and a rollup renders through the same layout (the county's
 * draft whole-area report).  The layout comes from the format registry
 * (format.h): rows, columns, labels and their printed parts; nothing about a
 * particular format's rows is written here except the printed captions that
 * the registry does not carry (申请人情况, 信息内容).
 *
 * What the document holds, and why it imports back to the same report
 * (tests/render): title block (name, "YYYY年政府信息公开工作年度报告"), the six
 * sections in order — a prose section or table absent from the report is
 * left out, so absent stays absent; a number as its exact text, "/" for null
 * (not applicable), an empty cell for absent; prose one paragraph per line;
 * and, when the report has published_at, the signature and the date last. */
#ifndef GONGKAI_RENDER_H
#define GONGKAI_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "gongkai/report.h"
#include "rdoc.h"

/* The text of one cell into buf (≥ 64 bytes); "" for an empty cell. */
typedef void (*gk_render_cell_fn)(void *ud, const gk_table *t, const gk_row *r,
                                  const gk_column *c, char *buf, size_t len);

typedef struct gk_render_input {
    const gk_format *format;
    int year;
    const char *name;          /* who reports (贡川镇人民政府), or NULL */
    const char *title_note;    /* a line under the title (（汇总稿）), or NULL */
    const char *narrative[GK_NARR_COUNT]; /* NULL: the section is left out */
    const bool *table_present; /* format->n_tables flags; NULL: every table */
    const char *published_at;  /* "YYYY-MM-DD", or NULL / "" */
    gk_render_cell_fn cell;
    void *ud;
    const char *closing_note;  /* a paragraph after the tables' sections, or NULL */
} gk_render_input;

gk_rdoc *gk_render_doc(const gk_render_input *in);

/* One report.  name: the entity's name for the title and signature, or NULL
 * (then the title is the year's line only). */
gk_rdoc *gk_render_report(const gk_report *r, const char *name);
/* A cell of a report as printed: "12", "24252.311082", "-3", "/" (null), ""
 * (absent); an invalid value as it was given. */
void gk_render_report_cell(const gk_report *r, size_t cell_index, char *buf, size_t len);

/* A rollup: the daemon's answer of GET /regions/{code}/rollup (with
 * "region" and "rollup") or its "rollup" object alone.  The county's draft
 * report: the sums in the printed layout ("12 (2/3)" where only 2 of 3
 * reports gave a number, "/" where all said not applicable), prose sections
 * left for the office to write.  NULL with a Chinese reason when the rollup's
 * format is unknown. */
gk_rdoc *gk_render_rollup(const json_t *answer, const char *name, char *why, size_t why_len);

/* "2025-01-20" → "2025年1月20日"; "" when not a date. */
void gk_render_date(const char *iso, char *buf, size_t len);

#endif
