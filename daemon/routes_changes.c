/* routes_changes.c — GET /api/v1/changes?since=CURSOR[&region=CODE][&limit=N]:
 * every new revision, judgement, review, deadline and registry change in
 * commit order, from a cursor (changes.h); with Accept: text/event-stream
 * the same as Server-Sent Events that stay open (changes_stream.h).
 *
 * Scope as for the other reads: a token sees the changes of the regions at
 * or below its own (admin: all), plus the deadlines set on its ancestors,
 * which it inherits; `region` narrows that to a region in its scope. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "changes.h"
#include "changes_stream.h"
#include "routes.h"

typedef struct changes_st {
    bool stream;
    bool now;                 /* since=now */
    gk_cursor from;
    int limit;
    char scope[16];           /* "" = everything */
} changes_st;

static void st_free(void *p) { free(p); }

static bool wants_stream(gk_req *r)
{
    const char *acc = gk_req_header(r, "Accept");
    return acc != NULL && strcasestr(acc, "text/event-stream") != NULL &&
           evhttp_request_get_command(r->req) == EVHTTP_REQ_GET;
}

static void page_done(gk_req *r, PGresult *res)
{
    changes_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    gk_changes_page pg;
    if (gk_changes_page_read(res, st->limit, gk_changes_scan_for(st->limit, st->scope[0] != '\0'), &pg) != 0) {
        gk_reply_error(r, 500, "internal", "", "内部错误");
        return;
    }
    char next[GK_CURSOR_MAX];
    gk_cursor_format(&pg.next, next);
    gk_reply_json(r, 200,
                  json_pack("{s:o,s:s,s:b,s:i}", "changes", pg.changes, "next", next, "more", pg.more, "limit",
                            st->limit));
}

static void scoped(gk_req *r)
{
    changes_st *st = r->st;
    if (st->stream) {
        const char *scope = st->scope[0] != '\0' ? st->scope : NULL;
        gk_cursor from = st->from;
        bool now = st->now;
        gk_changes_stream_start(r, now ? NULL : &from, scope);
        return;
    }
    char xid[24], seq[24], scan[16], limit[16];
    snprintf(xid, sizeof xid, "%llu", st->from.xid);
    snprintf(seq, sizeof seq, "%lld", st->from.seq);
    snprintf(scan, sizeof scan, "%d", gk_changes_scan_for(st->limit, st->scope[0] != '\0'));
    snprintf(limit, sizeof limit, "%d", st->limit);
    const char *v[] = {st->now ? NULL : xid, st->now ? NULL : seq, st->scope[0] != '\0' ? st->scope : NULL, scan,
                       NULL, limit};
    gk_req_query(r, gk_changes_sql, 6, v, page_done);
}

static void region_done(gk_req *r, PGresult *res)
{
    const char *code = gk_req_param(r, "region");
    if (!gk_req_ok(r, res))
        return;
    if (PQntuples(res) != 1) {
        gk_reply_error(r, 404, "not_found", "region", "没有这个区划：%s", code);
        return;
    }
    if (!gk_req_in_scope(r, PQgetvalue(res, 0, 0))) {
        gk_reply_error(r, 403, "forbidden", "region", "令牌无权查看区划 %s 的变更", code);
        return;
    }
    scoped(r);
}

static void authed(gk_req *r, PGresult *unused)
{
    (void)unused;
    changes_st *st = r->st;
    const char *code = gk_req_param(r, "region");
    if (code != NULL) {
        snprintf(st->scope, sizeof st->scope, "%s", code);
        const char *v[] = {code};
        gk_req_query(r, "SELECT path::text FROM regions WHERE code = $1", 1, v, region_done);
        return;
    }
    if (r->role != GK_ROLE_ADMIN)
        snprintf(st->scope, sizeof st->scope, "%s", r->token_region);
    scoped(r);
}

/* The cursor of `since` or Last-Event-ID; false after answering 400. */
static bool read_cursor(gk_req *r, changes_st *st)
{
    const char *leid = st->stream ? gk_req_header(r, "Last-Event-ID") : NULL;
    const char *since = gk_req_param(r, "since");
    /* A reconnecting EventSource sends its last id with the original URL:
     * the id is where it is now. */
    if (leid != NULL && leid[0] != '\0') {
        if (gk_cursor_parse(leid, strlen(leid), &st->from) != 0) {
            gk_reply_error(r, 400, "invalid_cursor", "Last-Event-ID", "Last-Event-ID 不是本接口给出的游标");
            return false;
        }
        return true;
    }
    if (since == NULL) {
        st->from = (gk_cursor){0, 0}; /* from the beginning */
        return true;
    }
    if (strcmp(since, "now") == 0) {
        st->now = true;
        return true;
    }
    if (gk_cursor_parse(since, strlen(since), &st->from) != 0) {
        gk_reply_error(r, 400, "invalid_cursor", "since", "since 不是本接口给出的游标（或 now）");
        return false;
    }
    return true;
}

void gk_route_changes(gk_req *r)
{
    changes_st *st = calloc(1, sizeof *st);
    if (st == NULL) {
        gk_reply_error(r, 500, "internal", "", "内部错误");
        return;
    }
    r->st = st;
    r->st_free = st_free;
    st->stream = wants_stream(r);
    st->limit = GK_CHANGES_LIMIT_DEFAULT;
    const char *lim = gk_req_param(r, "limit");
    if (lim != NULL) {
        char *end = NULL;
        long n = strspn(lim, "0123456789") == strlen(lim) && strlen(lim) <= 6 ? strtol(lim, &end, 10) : 0;
        if (n < 1 || n > GK_CHANGES_LIMIT_MAX) {
            gk_reply_error(r, 400, "invalid_parameter", "limit", "limit 应为 1 至 %d 的整数", GK_CHANGES_LIMIT_MAX);
            return;
        }
        st->limit = (int)n;
    }
    if (!read_cursor(r, st))
        return;
    const char *code = gk_req_param(r, "region");
    if (code != NULL && (code[0] == '\0' || strlen(code) > 12 || strspn(code, "0123456789") != strlen(code))) {
        gk_reply_error(r, 404, "not_found", "region", "没有这个区划：%s", code);
        return;
    }
    if (st->stream && !gk_changes_stream_room(gk_server_config(r->srv))) {
        char ra[16];
        snprintf(ra, sizeof ra, "%ld", gk_server_config(r->srv)->retry_after_s);
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", ra);
        gk_reply_error(r, 503, "too_many_streams", "", "变更流已达上限（%ld 条），请稍后重试或改用分页查询",
                       gk_server_config(r->srv)->changes_max_streams);
        return;
    }
    gk_req_with_db(r, true, authed);
}
