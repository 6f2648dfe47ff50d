/* changes.c — the change feed's query and the reading of its pages
 * (changes.h).  One statement, so one snapshot: the xmin that bounds the
 * rows is the same the rows are read under (sql/110_change_feed.sql).
 *
 * Why the scan is bounded apart from the page: a township's token sees a
 * handful of the city's changes; without a bound its query would walk the
 * whole log to fill a page.  The next cursor is the last row examined, so
 * the rows passed over are never examined again. */
#include "changes.h"

#include <stdlib.h>
#include <string.h>

#include "store.h"

/* Columns: 0 token live, 1-2 the start cursor (x, s), 3 xmin, then per row
 * 4 xid, 5 seq, 6 kind, 7 entity, 8 name, 9 year, 10 revision, 11 at,
 * 12 visible, 13 rows examined.  A page with no row is one row of NULLs
 * from 4 on. */
const char *const gk_changes_sql =
    "WITH cur AS (SELECT coalesce($1::xid8, pg_snapshot_xmin(pg_current_snapshot())) AS x,"
    "   coalesce($2::bigint, 0) AS s, pg_snapshot_xmin(pg_current_snapshot()) AS xmin),"
    " sc AS (SELECT g.path FROM regions g WHERE g.code = $3::text),"
    /* the bounds written out, not taken from cur: so they are the index
     * scan's bounds (joined to cur, the scan started at the log's first row) */
    " s AS (SELECT l.xid, l.seq, l.kind, l.entity, l.year, l.revision, l.at FROM change_log l"
    "   WHERE (l.xid, l.seq) > (coalesce($1::xid8, pg_snapshot_xmin(pg_current_snapshot())), coalesce($2::bigint, 0))"
    "   AND l.xid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY l.xid, l.seq LIMIT $4::int),"
    " v AS (SELECT s.*, g.name, ($3::text IS NULL OR $3::text = ANY(g.path)"
    "   OR (s.kind = 'deadline' AND s.entity = ANY(coalesce((SELECT sc.path FROM sc), '{}'::text[])))) AS visible"
    "   FROM s LEFT JOIN regions g ON g.code = s.entity),"
    " w AS (SELECT v.*, row_number() OVER o AS rn, count(*) OVER () AS n,"
    "   count(*) FILTER (WHERE v.visible) OVER o AS vn FROM v WINDOW o AS (ORDER BY v.xid, v.seq))"
    " SELECT ok.live, cur.x::text, cur.s, cur.xmin::text, w.xid::text, w.seq, w.kind, w.entity, w.name,"
    "  w.year, w.revision, " GK_SQL_TS("w.at") ", w.visible, w.n"
    " FROM cur CROSS JOIN (SELECT $5::bigint IS NULL OR EXISTS (SELECT 1 FROM tokens t"
    "   WHERE t.id = $5::bigint AND t.revoked_at IS NULL) AS live) ok"
    " LEFT JOIN w ON (w.visible AND w.vn <= $6::int) OR w.rn = w.n"
    " ORDER BY w.xid, w.seq";

enum { C_LIVE, C_X, C_S, C_XMIN, C_XID, C_SEQ, C_KIND, C_ENTITY, C_NAME, C_YEAR, C_REV, C_AT, C_VISIBLE, C_N, C_COUNT };

static int cursor_of(PGresult *res, int row, int cx, int cs, gk_cursor *out)
{
    const char *x = PQgetvalue(res, row, cx), *s = PQgetvalue(res, row, cs);
    char buf[GK_CURSOR_MAX * 2];
    int n = snprintf(buf, sizeof buf, "%s-%s", x, s);
    return n > 0 && (size_t)n < sizeof buf ? gk_cursor_parse(buf, (size_t)n, out) : -1;
}

static json_t *int_or_null(PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? json_null() : json_integer(strtoll(PQgetvalue(res, row, col), NULL, 10));
}

int gk_changes_scan_for(int limit, bool scoped) { return scoped ? GK_CHANGES_SCAN : limit; }

int gk_changes_page_read(PGresult *res, int limit, int scan, gk_changes_page *out)
{
    memset(out, 0, sizeof *out);
    if (PQnfields(res) != C_COUNT || PQntuples(res) < 1)
        return -1;
    out->token_live = strcmp(PQgetvalue(res, 0, C_LIVE), "t") == 0;
    gk_cursor xmin = {0, 0};
    if (cursor_of(res, 0, C_X, C_S, &out->next) != 0) {
        return -1;
    }
    /* (xmin, 0): after every row of a transaction below xmin */
    char xm[GK_CURSOR_MAX + 4];
    snprintf(xm, sizeof xm, "%s-0", PQgetvalue(res, 0, C_XMIN));
    if (gk_cursor_parse(xm, strlen(xm), &xmin) != 0)
        return -1;
    out->changes = json_array();
    if (out->changes == NULL)
        return -1;
    int emitted = 0;
    long long examined = 0;
    for (int i = 0; i < PQntuples(res) && emitted < limit; i++) {
        if (PQgetisnull(res, i, C_XID))
            break;
        gk_cursor pos;
        if (cursor_of(res, i, C_XID, C_SEQ, &pos) != 0)
            goto bad;
        examined = strtoll(PQgetvalue(res, i, C_N), NULL, 10);
        out->next = pos;
        if (strcmp(PQgetvalue(res, i, C_VISIBLE), "t") != 0)
            continue;
        char cur[GK_CURSOR_MAX];
        gk_cursor_format(&pos, cur);
        json_t *c = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:s}", "cursor", cur, "kind", PQgetvalue(res, i, C_KIND),
                              "entity", PQgetvalue(res, i, C_ENTITY), "name",
                              PQgetisnull(res, i, C_NAME) ? json_null() : json_string(PQgetvalue(res, i, C_NAME)),
                              "year", int_or_null(res, i, C_YEAR), "revision", int_or_null(res, i, C_REV), "at",
                              PQgetvalue(res, i, C_AT));
        if (c == NULL || json_array_append_new(out->changes, c) != 0)
            goto bad;
        emitted++;
    }
    out->more = emitted >= limit || examined >= scan;
    /* Everything below xmin has been examined: resume from there, so the
     * next page neither walks these rows again nor waits for them. */
    if (!out->more && gk_cursor_cmp(&out->next, &xmin) < 0)
        out->next = xmin;
    return 0;
bad:
    json_decref(out->changes);
    out->changes = NULL;
    return -1;
}
