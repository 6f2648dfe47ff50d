/* routes_marks.c — the office's review of single findings (issue 17, item 1):
 *   GET  /api/v1/reports/{entity}/{year}/findings/marks   marks in force and history
 *   POST /api/v1/reports/{entity}/{year}/findings/marks   {"code","path","mark","reason"}
 * A mark belongs to the finding's key (entity, year, code, path), not to a
 * revision: it stays in force through re-judgements while the finding is
 * still there, and falls into history when it disappears — decided when
 * read (sql/101_finding_marks.sql), so no writer of judgements has to know
 * about marks.  Who marks is who reviews (routes_review.c): a viewer or
 * admin strictly above the entity; anyone in scope reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongkai/mark.h"
#include "readcache.h"
#include "routes.h"
#include "store.h"

/* The entity's path, its current revision, then every mark with its state:
 * 'active' (the latest of its key, and the finding is in the current
 * judgement and was in every revision since), 'superseded' (a later mark of
 * the same key) or 'finding_gone'. */
static const char *const marks_sql =
    "WITH cur AS (SELECT coalesce(c.findings, r.findings) AS f FROM report_current c"
    "   JOIN reports r ON r.entity = c.entity AND r.year = c.year AND r.revision = c.revision"
    "   WHERE c.entity = $1 AND c.year = $2::int),"
    " m AS (SELECT k.*, k.id = max(k.id) OVER (PARTITION BY k.code, k.path) AS latest"
    "   FROM finding_marks k WHERE k.entity = $1 AND k.year = $2::int)"
    " SELECT g.path::text, (SELECT revision FROM report_current WHERE entity = $1 AND year = $2::int),"
    " coalesce((SELECT json_agg(json_build_object('code', m.code, 'path', m.path, 'mark', m.mark,"
    "   'label', CASE m.mark WHEN 'confirmed' THEN '确认' ELSE '不予采纳' END, 'reason', m.reason,"
    "   'revision', m.revision, 'severity', m.severity, 'message', m.message, 'by', m.token_id,"
    "   'at', " GK_SQL_TS("m.at") ","
    "   'state', CASE WHEN NOT m.latest THEN 'superseded'"
    "     WHEN EXISTS (SELECT 1 FROM cur, jsonb_array_elements(cur.f) v"
    "                  WHERE v->>'code' = m.code AND coalesce(v->>'path', '') = m.path)"
    "      AND gk_mark_continuous($1, $2::int, m.code, m.path, m.revision) THEN 'active'"
    "     ELSE 'finding_gone' END) ORDER BY m.id) FROM m), '[]')::text"
    " FROM regions g WHERE g.code = $1";

void gk_findings_merge_marks(json_t *findings, const char *marks_text)
{
    json_t *marks = marks_text != NULL && marks_text[0] ? json_loads(marks_text, 0, NULL) : NULL;
    if (!json_is_object(marks)) {
        json_decref(marks);
        return;
    }
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f) {
        char key[GK_MARK_CODE_MAX + GK_MARK_PATH_MAX + 2];
        snprintf(key, sizeof key, "%s %s", json_string_value(json_object_get(f, "code")) ?: "",
                 json_string_value(json_object_get(f, "path")) ?: "");
        json_t *m = json_object_get(marks, key);
        if (m != NULL)
            json_object_set(f, "mark", m);
    }
    json_decref(marks);
}

static void marks_done(gk_req *r, PGresult *res)
{
    if (!gk_review_region_checks(r, res))
        return;
    json_t *all = json_loads(PQgetvalue(res, 0, 2), 0, NULL);
    json_t *active = json_array(), *history = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(all, i, m) {
        const char *state = json_string_value(json_object_get(m, "state"));
        json_array_append(state != NULL && strcmp(state, "active") == 0 ? active : history, m);
    }
    json_decref(all);
    json_t *o = json_pack("{s:s,s:i,s:i,s:o,s:o}", "entity", r->seg[0], "year", atoi(r->seg[1]),
                          "current_revision", atoi(PQgetvalue(res, 0, 1)), "active", active, "history", history);
    if (o == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    gk_reply_json(r, 200, o);
}

static void marks_start(gk_req *r, PGresult *res)
{
    (void)res;
    const char *v[] = {r->seg[0], r->seg[1]};
    gk_req_query(r, marks_sql, 2, v, marks_done);
}

void gk_route_marks(gk_req *r)
{
    if (!gk_review_valid_entity_year(r))
        return;
    gk_req_with_db(r, true, marks_start);
}

/* ---- marking ---- */

typedef struct mark_st {
    gk_mark_body body;
} mark_st;

static void st_free(void *p) { free(p); }

static void marked(gk_req *r, PGresult *res)
{
    mark_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    const char *out = PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "";
    if (strcmp(out, "no_report") == 0) {
        gk_reply_error(r, 404, "not_found", "", "%s 没有 %s 年度的报告", r->seg[0], r->seg[1]);
        return;
    }
    if (strcmp(out, "no_finding") == 0) {
        gk_reply_error(r, 409, "finding_not_current", "code", "当前检查结果中没有这条问题：%s（%s）", st->body.code,
                       st->body.path[0] ? st->body.path : "整份报告");
        return;
    }
    if (strcmp(out, "ok") != 0) {
        gk_reply_error(r, 500, "internal", "", "标记结果未知：%s", out);
        return;
    }
    /* committed: this process's polls must not answer the old compliance tag */
    gk_readcache_local_write();
    marks_start(r, NULL);
}

static void scope_read(gk_req *r, PGresult *res)
{
    mark_st *st = r->st;
    if (!gk_review_may_review(r, res))
        return;
    char tok_s[24];
    snprintf(tok_s, sizeof tok_s, "%lld", r->token_id);
    const char *v[] = {r->seg[0], r->seg[1], st->body.code, st->body.path, st->body.mark, st->body.reason,
                       tok_s, r->peer, r->id};
    gk_req_query_commit(r, "SELECT gk_finding_mark($1, $2::int, $3, $4, $5, $6, $7::bigint, $8, $9)", 9, v, marked);
}

static void set_start(gk_req *r, PGresult *res)
{
    (void)res;
    const char *v[] = {r->seg[0], r->seg[1]};
    gk_req_query(r, marks_sql, 2, v, scope_read);
}

void gk_route_marks_set(gk_req *r)
{
    if (!gk_review_valid_entity_year(r))
        return;
    size_t len = 0;
    char *body = gk_review_json_body(r, &len);
    if (body == NULL)
        return;
    mark_st *st = calloc(1, sizeof *st);
    if (st == NULL) {
        free(body);
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    gk_review_error err;
    int rc = gk_mark_body_parse(body, len, &st->body, &err);
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
