/* report.h — the report model: one annual report, typed.
 *
 * The model keeps the three states of a cell apart — a number, null (not
 * applicable, "/" in print) and absent (blank) — and never turns one into
 * another.  Parsing records structural problems (unknown keys, invalid
 * values) as findings with their JSON path; only a document that is not a
 * report at all (no known format, year or entity, or not JSON) is refused. */
#ifndef GONGKAI_REPORT_H
#define GONGKAI_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "gongkai/format.h"
#include "gongkai/findings.h"

typedef enum gk_cell_state {
    GK_CELL_ABSENT = 0,   /* key missing: blank in the published report */
    GK_CELL_NULL = 1,     /* null: not applicable */
    GK_CELL_NUMBER = 2,   /* value holds the number (amounts scaled) */
    GK_CELL_INVALID = 3,  /* present but not a valid value: raw keeps it */
} gk_cell_state;

typedef struct gk_cell {
    gk_cell_state state;
    int64_t value;        /* counts as is; amounts × GK_AMOUNT_SCALE */
    json_t *raw;          /* INVALID only: the value as given (owned) */
} gk_cell;

enum { GK_NARR_OVERVIEW = 0, GK_NARR_PROBLEMS = 1, GK_NARR_OTHER = 2, GK_NARR_COUNT = 3 };
/* JSON keys of the narrative parts: "overview", "problems", "other". */
extern const char *const gk_narrative_keys[GK_NARR_COUNT];
/* Section names for messages: 一、总体情况 … */
extern const char *const gk_narrative_labels[GK_NARR_COUNT];

/* The report years the model accepts — the parser, the daemon's URLs and the
 * client's --year alike: the first 条例 took effect on 1 May 2008. */
#define GK_YEAR_MIN 2008
#define GK_YEAR_MAX 2100

#define GK_MAX_TABLES 8
#define GK_ENTITY_MAX 12   /* longest official division code */

typedef struct gk_report {
    const gk_format *format;
    int year;
    char entity[GK_ENTITY_MAX + 1];
    char published_at[11];          /* "YYYY-MM-DD" or "" when absent */
    char *narrative[GK_NARR_COUNT]; /* NULL when absent */
    bool has_tables;                /* the "tables" object itself is present */
    bool table_present[GK_MAX_TABLES]; /* at least one of the table's cells given:
                                          an empty table object is a missing table */
    gk_cell *cells;                 /* format->n_cells of them */
} gk_report;

/* Why a document was refused; path is the JSON path concerned. */
typedef struct gk_error {
    char code[48];      /* invalid_json, not_a_report, unknown_format, … */
    char message[320];  /* Chinese */
    char path[128];
    int line, column;   /* for invalid_json, 1-based; 0 otherwise */
} gk_error;

/* A blank report: every cell absent, no narrative. */
gk_report *gk_report_new(const gk_format *f, int year, const char *entity);
/* A complete template: every table present, every cell 0, narrative "". */
gk_report *gk_report_template(const gk_format *f, int year, const char *entity);
void gk_report_free(gk_report *r);

/* Parses from a jansson value.  Returns NULL and fills err when the document
 * is not a report at all; otherwise the report, with parse findings (unknown
 * keys, invalid values, bad published_at) appended to `findings` (may be NULL). */
gk_report *gk_report_from_json(const json_t *root, gk_findings *findings, gk_error *err);
/* Same from text; invalid JSON gives err->code "invalid_json" with line/column. */
gk_report *gk_report_parse(const char *text, size_t len, gk_findings *findings, gk_error *err);
/* Like gk_report_parse, but a number jansson cannot hold — an integer beyond
 * 64 bits (2^64), a real beyond the double range (1e400) — is not invalid
 * JSON: where a cell holds it, it is a value.invalid finding at the cell's
 * path and the cell keeps the number's text as a JSON string (canonical JSON
 * writes it so); elsewhere it counts as a value of the wrong type (year:
 * invalid_year, prose: value.invalid).  For `gongkai check` (gk_judge_text).
 * The daemon keeps the strict gk_report_parse: every body it stores must
 * parse the same way again, and its documented answer to such a body is
 * 400 invalid_json (tests/reliability/test_badinput.c). */
gk_report *gk_report_parse_tolerant(const char *text, size_t len, gk_findings *findings,
                                    gk_error *err);

/* Canonical JSON: keys in the format's order, every present cell, nothing
 * else (unknown keys are dropped; invalid values are written back as given).
 * parse → serialise → parse gives an equal report. */
json_t *gk_report_to_json(const gk_report *r);
/* Canonical text (indent 2 when pretty, compact otherwise); malloc'd. */
char *gk_report_dump(const gk_report *r, bool pretty);
/* Flags for json_dumps that keep amounts exact. */
#define GK_JSON_REAL_FLAGS JSON_REAL_PRECISION(15)

bool gk_report_equal(const gk_report *a, const gk_report *b);

/* Cell accessors by flat index / by keys (NULL when the format lacks it). */
const gk_cell *gk_report_cell(const gk_report *r, const char *table, const char *row,
                              const char *column);

/* Number ↔ text for a kind: "12.5" ↔ 125000 (amount). buf ≥ 32 bytes. */
void gk_value_format(gk_value_kind kind, int64_t value, char *buf, size_t len);
/* Validates a JSON number for a kind; 0 and *out on success, else -1 and a
 * Chinese reason in why (≥ 64 bytes). */
int gk_value_from_json(gk_value_kind kind, const json_t *v, int64_t *out, char *why, size_t why_len);
/* The path (tables.<t>.<r>.<c>) of the first cell holding a number beyond
 * its kind's bound (GK_VALUE_MAX, GK_AMOUNT_MAX), or NULL.  The daemon refuses such a report (422
 * value_out_of_range) instead of storing it with a finding. */
const char *gk_report_out_of_range(const gk_report *r);

#endif
