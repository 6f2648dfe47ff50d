/* changes.h — the change feed (GET /api/v1/changes; sql/110_change_feed.sql
 * explains why a position is a (transaction id, sequence) pair): the
 * page query and its reading; the cursor is changes_cursor.h's. */
#ifndef GONGKAID_CHANGES_H
#define GONGKAID_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "changes_cursor.h"

/* Page sizes: `limit` defaults to this and may not exceed the maximum;
 * one query of a scoped reader examines at most GK_CHANGES_SCAN log rows (a
 * reader whose scope matches few of them still gets an answer in bounded
 * time, with more); an unscoped one (admin) examines just a page. */
#define GK_CHANGES_LIMIT_DEFAULT 100
#define GK_CHANGES_LIMIT_MAX 1000
#define GK_CHANGES_SCAN 5000

/* The page query.  Parameters: $1 $2 the cursor's xid and seq (both NULL:
 * "now"), $3 the scope region (NULL: everything), $4 the scan bound, $5 a
 * token id that must still be valid (NULL: not checked), $6 the limit. */
extern const char *const gk_changes_sql;

typedef struct gk_changes_page {
    json_t *changes;          /* array of change objects (owned) */
    gk_cursor next;           /* resume after this */
    bool more;                /* more may be there right now: ask again */
    bool token_live;          /* $5's token is still valid */
} gk_changes_page;

/* The scan bound ($4) for a page of `limit` changes: every row is visible
 * to an unscoped reader. */
int gk_changes_scan_for(int limit, bool scoped);
/* Reads a result of gk_changes_sql run with scan bound `scan`; 0, or -1
 * when it is not of that shape. */
int gk_changes_page_read(PGresult *res, int limit, int scan, gk_changes_page *out);

#endif
