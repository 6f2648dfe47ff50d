/* fastparse.h — the report parser's fast path (see fastparse.c). Private to lib/. */
#ifndef GONGKAI_LIB_FASTPARSE_H
#define GONGKAI_LIB_FASTPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include "gongkai/report.h"

/* True and *out when the text is a plain, well-formed report the fast path
 * handles; false (nothing allocated) when the general path must decide. */
bool gk_fastparse_report(const char *text, size_t len, gk_report **out);
/* A real calendar date "YYYY-MM-DD" (shared with report.c). */
bool gk_fastparse_valid_date(const char *s);
/* Sets r->table_present[ti] from the cells read: present when at least one
 * of the format's cells of that table is given (shared with report.c). */
void gk_report_settle_table(gk_report *r, size_t ti);
/* The general (jansson) path alone, for the tests that compare the two. */
gk_report *gk_report_parse_general(const char *text, size_t len, gk_findings *findings,
                                   gk_error *err);

#endif
