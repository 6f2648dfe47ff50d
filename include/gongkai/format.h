/* format.h — the registry of report formats, loaded from data.
 *
 * Each format version ("2019", "2021", …) is one JSON file under formats/,
 * embedded into the library at build time.  It lists the tables, rows,
 * columns, Chinese labels, the kind of every column and the arithmetic rules
 * as data (which cells add up to which).  The checker, the rollup, the
 * importer and the API's /formats description all read this one registry;
 * a new version is a new file, not new code. */
#ifndef GONGKAI_FORMAT_H
#define GONGKAI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "gongkai/findings.h"

/* Amounts are kept exact as integers of 1/GK_AMOUNT_SCALE units. */
#define GK_AMOUNT_SCALE 1000000
#define GK_AMOUNT_DECIMALS 6
/* The largest magnitude a cell may hold (docs/api.md): a count 10^12, an
 * amount 10^8 of its unit (10^14 scaled, six decimals: real reports print
 * fees in 万元 such as 24252.311082).  So a rollup stays inside int64
 * (and PostgreSQL's bigint) for 9.2 million reports of counts and 92,233 of
 * amounts, all at the bound — more than the registry's units — and no
 * submission can make an ancestor's sum overflow and fail another entity's
 * submission.  10^14 < 2^53 also keeps a scaled amount exact in a double. */
#define GK_VALUE_MAX INT64_C(1000000000000)
#define GK_AMOUNT_MAX INT64_C(100000000)

typedef enum gk_value_kind {
    GK_KIND_COUNT = 0,        /* integer >= 0 */
    GK_KIND_SIGNED_COUNT = 1, /* integer, may be negative (本年增/减) */
    GK_KIND_AMOUNT = 2,       /* decimal >= 0, at most GK_AMOUNT_DECIMALS (6) decimals */
} gk_value_kind;

typedef struct gk_column {
    const char *key;
    const char *label;
    gk_value_kind kind;
} gk_column;

typedef struct gk_row {
    const char *key;
    const char *label;        /* as printed in the format */
    const char *short_label;  /* for messages: 本年新收 */
    size_t n_columns;
    size_t *columns;          /* indexes into the table's columns, in order */
    size_t first_cell;        /* index of the row's first cell in the format */
} gk_row;

typedef struct gk_table {
    const char *key;          /* active, requests, appeals */
    const char *label;        /* 主动公开政府信息情况 */
    const char *short_label;  /* 申请情况表 */
    const char *section;      /* 二 */
    size_t n_columns;
    gk_column *columns;
    size_t n_rows;
    gk_row *rows;
    size_t first_cell, n_cells;
} gk_table;

/* Every cell of a format has a flat index 0..n_cells-1, table by table, row
 * by row, column by column in printed order. */
typedef struct gk_cell_def {
    size_t table, row, column;   /* column: index into the table's columns */
    const char *path;            /* tables.<table>.<row>.<column> */
} gk_cell_def;

/* An equation "sum(lhs) = sum(rhs)" applied line by line.
 * PER_ROW: for each row of `lines`, lhs/rhs are columns of that row.
 * PER_COLUMN: for each column of `lines`, lhs/rhs are rows, cell taken in that column. */
typedef enum gk_sum_scope { GK_SUM_PER_ROW = 0, GK_SUM_PER_COLUMN = 1 } gk_sum_scope;

typedef struct gk_sum_rule {
    const char *code;
    gk_severity severity;
    size_t table;
    gk_sum_scope scope;
    size_t n_lines;   size_t *lines;   /* rows (PER_ROW) or columns (PER_COLUMN) */
    size_t n_lhs;     size_t *lhs;     /* columns (PER_ROW) or rows (PER_COLUMN) */
    size_t n_rhs;     size_t *rhs;
    const char *lhs_label;             /* 总计 */
    const char *rhs_label;             /* 各列之和 */
} gk_sum_rule;

/* A cross-year equation: this year's `lhs` = last year's sum of `rhs`, looked
 * up by key in whatever format last year's report has (so 2020→2021 works).
 * PER_COLUMN: lhs/rhs are row keys, applied to every column of this table.
 * PER_ROW: lhs/rhs are column keys, applied to every row having the lhs column. */
typedef struct gk_history_rule {
    const char *code;
    gk_severity severity;
    size_t table;
    gk_sum_scope scope;
    size_t n_lhs;  const char **lhs;
    size_t n_rhs;  const char **rhs;
    const char *lhs_label;             /* 上年结转 */
    const char *rhs_label;             /* 上年报告的结转下年度继续办理 */
} gk_history_rule;

typedef struct gk_format {
    const char *version;               /* "2019" */
    const char *title;
    const char *basis;                 /* the notice that fixes it */
    int year_from, year_to;            /* inclusive; year_to 0 = open-ended */
    size_t n_tables;
    gk_table *tables;
    size_t n_cells;
    gk_cell_def *cells;
    size_t n_rules;
    gk_sum_rule *rules;
    size_t n_history;
    gk_history_rule *history;
    json_t *source;                    /* the data this was built from */
} gk_format;

/* The registry is loaded on first use from the embedded data; a broken data
 * file is a build defect and aborts with a message. */
size_t gk_format_count(void);
const gk_format *gk_format_at(size_t i);
const gk_format *gk_format_find(const char *version);
/* The registry's versions in order, joined by sep ("2019、2021"), written to
 * buf (whole entries only, as many as fit in len); returns buf.  For messages that list the choices. */
const char *gk_format_versions(const char *sep, char *buf, size_t len);
/* The format the regulation prescribes for a report year, or NULL. */
const gk_format *gk_format_for_year(int year);

/* Lookups by key; return -1 when absent. */
int gk_format_table_index(const gk_format *f, const char *table_key);
int gk_table_row_index(const gk_table *t, const char *row_key);
int gk_table_column_index(const gk_table *t, const char *column_key);
/* Position of a column within a row (-1 when the row lacks that column). */
int gk_row_column_pos(const gk_row *r, size_t column);
/* Rows printed under one header: the same columns in the same order (the
 * printed layout's blocks, for the text tables and the workbooks). */
bool gk_row_same_columns(const gk_row *a, const gk_row *b);
/* Flat cell index for (table, row, column key), or -1. */
int gk_format_cell_index(const gk_format *f, const char *table, const char *row,
                         const char *column);

/* The format as JSON for the API's /formats/{version}: the data file itself
 * (a new reference). */
json_t *gk_format_describe(const gk_format *f);

#endif
