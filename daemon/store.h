/* store.h — small helpers shared by the routes that read and write the
 * database: SQL fragments, PostgreSQL array text, the deadline rule. */
#ifndef GONGKAID_STORE_H
#define GONGKAID_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gongkai/rollup.h"

/* RFC 3339 UTC text of a timestamptz column expression. */
#define GK_SQL_TS(x) "to_char((" x ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* Reports are dated by the calendar in China. */
#define GK_SQL_DAY(x) "to_char((" x ") AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"
/* The deadline of report year Y for a region with ancestor path P: the
 * nearest ancestor's entry in deadlines, else 31 January of Y + 1 — one
 * SQL function, gk_deadline (sql/080_submit.sql), for every statement. */
#define GK_SQL_DEADLINE(path, year) "gk_deadline(" path ", " year ")"

/* Parses a report year, GK_YEAR_MIN..GK_YEAR_MAX (gongkai/report.h); -1 when
 * not one. */
int gk_parse_year(const char *s);
/* "{1,-2,3}" → n values (exactly n expected); 0 or -1. */
int gk_parse_int_array(const char *text, int64_t *out, size_t n);
/* The three arrays of a rollup as "{…}" texts; malloc'd, caller frees. */
int gk_rollup_arrays(const gk_rollup *ru, char **sums, char **n_number, char **n_null);
/* A rollup from stored arrays; NULL on mismatch. */
gk_rollup *gk_rollup_from_arrays(const char *format, long reports, const char *sums, const char *n_number,
                                 const char *n_null);

#endif
