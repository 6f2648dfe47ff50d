/* routes_review.c — the office's review of a report (issue 17):
 *   GET  /api/v1/reports/{entity}/{year}/review   state, comment, history
 *   POST /api/v1/reports/{entity}/{year}/review   {"action","revision","comment"}
 * Anyone in scope reads the state (the township must see why its report was
 * returned); only a viewer or admin of a region strictly above the entity
 * changes it — a township never reviews its own report.  The transition is
 * one statement (gk_review_transition in sql/100_review.sql): atomic, and
 * serialised with submissions of the same report by its advisory lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gongkai/review.h"
#include "readcache.h"
#include "routes.h"
#include "store.h"

static const char *const review_sql =
    "SELECT g.path::text, c.revision, coalesce(v.state, 'pending'), v.revision, coalesce(v.comment, ''),"
    " v.token_id, " GK_SQL_TS("v.at") ","
    " coalesce((SELECT json_agg(json_build_object('action', h.action, 'from', h.from_state, 'to', h.to_state,"
    "   'revision', h.revision, 'comment', h.comment, 'by', h.token_id, 'at', " GK_SQL_TS("h.at") ") ORDER BY h.id)"
    "   FROM review_history h WHERE h.entity = g.code AND h.year = $2::int), '[]')::text"
    " FROM regions g LEFT JOIN report_current c ON c.entity = g.code AND c.year = $2::int"
    " LEFT JOIN report_review v ON v.entity = g.code AND v.year = $2::int"
    " WHERE g.code = $1";

bool gk_review_valid_entity_year(gk_req *r)
{
    if (gk_parse_year(r->seg[1]) < 0 || strspn(r->seg[0], "0123456789") != strlen(r->seg[0]) ||
        strlen(r->seg[0]) > 12 || r->seg[0][0] == '\0') {
        gk_reply_error(r, 404, "not_found", "", "没有这个报告：%s/%s", r->seg[0], r->seg[1]);
        return false;
    }
    return true;
}

bool gk_review_region_checks(gk_req *r, PGresult *res)
{
    if (!gk_req_ok(r, res))
        return false;
    if (PQntuples(res) != 1) {
        gk_reply_error(r, 404, "not_found", "", "没有这个区划：%s", r->seg[0]);
        return false;
    }
    if (!gk_req_in_scope(r, PQgetvalue(res, 0, 0))) {
        gk_reply_error(r, 403, "forbidden", "", "令牌无权访问 %s 的报告", r->seg[0]);
        return false;
    }
    if (PQgetisnull(res, 0, 1)) {
        gk_reply_error(r, 404, "not_found", "", "%s 没有 %s 年度的报告", r->seg[0], r->seg[1]);
        return false;
    }
    return true;
}

/* Who reviews: a viewer or admin token of a region strictly above the
 * entity (res: review_sql's or any answer whose first row is the entity's
 * path, then its current revision).  false after answering. */
bool gk_review_may_review(gk_req *r, PGresult *res)
{
    if (r->role != GK_ROLE_VIEWER && r->role != GK_ROLE_ADMIN) {
        gk_reply_error(r, 403, "forbidden", "", "只有上级机关的审阅或管理令牌才能审核报告");
        return false;
    }
    if (!gk_review_region_checks(r, res))
        return false;
    if (strcmp(r->token_region, r->seg[0]) == 0) {
        gk_reply_error(r, 403, "forbidden", "", "不能审核本单位自己的报告");
        return false;
    }
    return true;
}

static json_t *review_json(gk_req *r, PGresult *res)
{
    const char *state = PQgetvalue(res, 0, 2);
    json_t *hist = json_loads(PQgetvalue(res, 0, 7), 0, NULL);
    json_t *o = json_pack("{s:s,s:i,s:i,s:s,s:s,s:s}", "entity", r->seg[0], "year", atoi(r->seg[1]),
                          "current_revision", atoi(PQgetvalue(res, 0, 1)), "state", state, "state_label",
                          gk_review_state_label(state), "comment", PQgetvalue(res, 0, 4));
    if (o == NULL) {
        json_decref(hist);
        return NULL;
    }
    json_object_set_new(o, "revision", PQgetisnull(res, 0, 3) ? json_null() : json_integer(atoi(PQgetvalue(res, 0, 3))));
    json_object_set_new(o, "by", PQgetisnull(res, 0, 5) ? json_null()
                                                        : json_integer((json_int_t)strtoll(PQgetvalue(res, 0, 5), NULL, 10)));
    json_object_set_new(o, "at", PQgetisnull(res, 0, 6) ? json_null() : json_string(PQgetvalue(res, 0, 6)));
    /* accepted reports are locked against new revisions until reopened */
    json_object_set_new(o, "locked", json_boolean(strcmp(state, "accepted") == 0));
    json_object_set_new(o, "history", hist ? hist : json_array());
    return o;
}

static void review_done(gk_req *r, PGresult *res)
{
    if (!gk_review_region_checks(r, res))
        return;
    json_t *o = review_json(r, res);
    if (o == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    gk_reply_json(r, 200, o);
}

static void review_start(gk_req *r, PGresult *res)
{
    (void)res;
    const char *v[] = {r->seg[0], r->seg[1]};
    gk_req_query(r, review_sql, 2, v, review_done);
}

void gk_route_review(gk_req *r)
{
    if (!gk_review_valid_entity_year(r))
        return;
    gk_req_with_db(r, true, review_start);
}

/* ---- a transition ---- */

typedef struct review_st {
    gk_review_body body;
} review_st;

static void st_free(void *p) { free(p); }

static void transitioned(gk_req *r, PGresult *res)
{
    review_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    const char *out = PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "";
    if (strcmp(out, "no_report") == 0) {
        gk_reply_error(r, 404, "not_found", "", "%s 没有 %s 年度的报告", r->seg[0], r->seg[1]);
        return;
    }
    if (strcmp(out, "stale_revision") == 0) {
        gk_reply_error(r, 409, "stale_revision", "revision", "第 %d 版已不是当前版本，请查看最新修订后再审核",
                       st->body.revision);
        return;
    }
    if (strcmp(out, "invalid_transition") == 0) {
        const char *a = st->body.action;
        gk_reply_error(r, 409, "invalid_transition", "action", "%s",
                       strcmp(a, "reopen") == 0 ? "只有已审核的报告才能重新开启"
                                                : "报告已审核或已退回待修改，不能再次审核；已审核的报告须先重新开启");
        return;
    }
    if (strcmp(out, "ok") != 0) {
        gk_reply_error(r, 500, "internal", "", "审核结果未知：%s", out);
        return;
    }
    /* committed (one statement): no poll of this process may see the old
     * compliance tag from now on (readcache.h) */
    gk_readcache_local_write();
    const char *v[] = {r->seg[0], r->seg[1]};
    gk_req_query(r, review_sql, 2, v, review_done);  /* the state after the transition */
}

static void scope_read(gk_req *r, PGresult *res)
{
    review_st *st = r->st;
    if (!gk_review_may_review(r, res))
        return;
    char rev_s[16], tok_s[24];
    snprintf(rev_s, sizeof rev_s, "%d", st->body.revision);
    snprintf(tok_s, sizeof tok_s, "%lld", r->token_id);
    const char *v[] = {r->seg[0], r->seg[1], st->body.action, st->body.revision > 0 ? rev_s : NULL,
                       st->body.comment, tok_s, r->peer, r->id};
    gk_req_query_commit(r, "SELECT gk_review_transition($1, $2::int, $3, $4::int, $5, $6::bigint, $7, $8)", 8, v,
                 transitioned);
}

static void set_start(gk_req *r, PGresult *res)
{
    (void)res;
    const char *v[] = {r->seg[0], r->seg[1]};
    gk_req_query(r, review_sql, 2, v, scope_read);
}

/* The JSON body of a review write (review, marks): Content-Type checked,
 * at most 16 KiB; NULL after answering 415/413/500. */
char *gk_review_json_body(gk_req *r, size_t *len)
{
    const char *ct = gk_req_header(r, "Content-Type");
    if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 || (ct[16] != '\0' && ct[16] != ';')) {
        gk_reply_error(r, 415, "unsupported_media_type", "", "Content-Type 应为 application/json");
        return NULL;
    }
    char *body = gk_req_body(r, len);
    if (body == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return NULL;
    }
    if (*len > 16384) {
        free(body);
        gk_reply_error(r, 413, "body_too_large", "", "审核请求体超过 16384 字节的上限");
        return NULL;
    }
    return body;
}

void gk_route_review_set(gk_req *r)
{
    if (!gk_review_valid_entity_year(r))
        return;
    size_t len = 0;
    char *body = gk_review_json_body(r, &len);
    if (body == NULL)
        return;
    review_st *st = calloc(1, sizeof *st);
    if (st == NULL) {
        free(body);
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    gk_review_error err;
    int rc = gk_review_body_parse(body, len, &st->body, &err);
    free(body);
    if (rc != 0) {
        free(st);
        gk_reply_error(r, strcmp(err.code, "invalid_json") == 0 ? 400 : 422, err.code, err.path, "%s", err.message);
        return;
    }
    r->st = st;
    r->st_free = st_free;
    gk_req_with_db(r, true, set_start);
}
