/* changes_cursor.h — the change feed's cursor.  A cursor "X-S" means:
 * every change up to and including position (X, S) — the writer's
 * transaction id, the change's sequence number — has been seen.  Clients
 * treat it as opaque; it is validated strictly because it comes from
 * outside (a query parameter, Last-Event-ID).  No dependencies, so the
 * fuzz target links it alone. */
#ifndef GONGKAID_CHANGES_CURSOR_H
#define GONGKAID_CHANGES_CURSOR_H

#include <stddef.h>

typedef struct gk_cursor {
    unsigned long long xid;   /* xid8 of the writing transaction, < 2^63 */
    long long seq;            /* change_log.seq, >= 0 */
} gk_cursor;

/* Two numbers of at most 19 digits and a NUL: enough for any cursor. */
#define GK_CURSOR_MAX 48

/* 0 and *out set, or -1: not "<digits>-<digits>" with canonical decimals
 * (no sign, no leading zero, no space) each at most 2^63 - 1. */
int gk_cursor_parse(const char *s, size_t len, gk_cursor *out);
void gk_cursor_format(const gk_cursor *c, char out[GK_CURSOR_MAX]);
int gk_cursor_cmp(const gk_cursor *a, const gk_cursor *b);

#endif
