/* routes_submit.c — POST /api/v1/reports (submit) and POST /api/v1/check
 * (the same judgement, nothing stored).
 *
 * A submission is one transaction on one connection:
 *   BEGIN; advisory lock on (entity, year) so concurrent submissions of the
 *   same report serialise; read the context (region path, current revision,
 *   last year's report, deadline); judge; INSERT the revision; move the
 *   current pointer, audit, change counters, idempotency key; add the delta
 *   (new revision minus old) to the rollup of every ancestor; COMMIT.
 * Any failure answers and releases the lease, and the pool rolls back. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "gongkai/findings.h"
#include "gongkai/narrative.h"
#include "gongkai/report.h"
#include "gongkai/rollup.h"
#include "gongkai/rules.h"
#include "log.h"
#include "metrics.h"
#include "routes.h"
#include "signature.h"
#include "store.h"

#define MAXQ 10
#define MAXP 14

typedef struct submit_st {
    bool dry;
    char *body;
    size_t len;
    gk_report *rep;
    gk_findings fs;
    bool fs_init;
    char hash[65];
    char year_s[16];
    char token_s[24];
    char *idem_key;
    char *path;
    /* narrative.similar: this report's signature and band keys */
    bool has_sig;
    uint64_t sig[GK_MINHASH_N];
    char *bands_text;              /* "{k0,…,k41}" as int64, or NULL when not judged */
    char *sig_text;
    /* write batch */
    int nq, iq;
    const char *sql[MAXQ];
    int np[MAXQ];
    char *vals[MAXQ][MAXP];
    /* answer */
    json_t *answer;
} submit_st;

static void st_free(void *p)
{
    submit_st *st = p;
    if (st == NULL)
        return;
    free(st->body);
    gk_report_free(st->rep);
    if (st->fs_init)
        gk_findings_free(&st->fs);
    free(st->idem_key);
    free(st->path);
    free(st->bands_text);
    free(st->sig_text);
    for (int i = 0; i < MAXQ; i++)
        for (int k = 0; k < MAXP; k++)
            free(st->vals[i][k]);
    json_decref(st->answer);
    free(st);
}

static void add_query(submit_st *st, const char *sql, int n, ...)
{
    int q = st->nq++;
    st->sql[q] = sql;
    st->np[q] = n;
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        const char *v = va_arg(ap, const char *);
        st->vals[q][i] = v != NULL ? strdup(v) : NULL;
    }
    va_end(ap);
}

static const char *status_of(const gk_findings *fs)
{
    if (gk_findings_count(fs, GK_SEV_ERROR) > 0)
        return "errors";
    if (gk_findings_count(fs, GK_SEV_WARNING) > 0)
        return "warnings";
    if (gk_findings_count(fs, GK_SEV_INFO) > 0)
        return "info";
    return "ok";
}

static const gk_names *township_names;
void gk_routes_set_names(const gk_names *names) { township_names = names; }

/* MinHash signature and LSH bands of the prose (docs/rules.md). */
static int signature(submit_st *st)
{
    int rc = gk_signature(st->rep, township_names, st->sig, &st->sig_text, &st->bands_text);
    st->has_sig = rc == 1;
    return rc < 0 ? -1 : 0;
}

/* ---- the refusals that need no database ---- */

static bool parse_body(gk_req *r, submit_st *st)
{
    const char *ct = gk_req_header(r, "Content-Type");
    if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 || (ct[16] != '\0' && ct[16] != ';')) {
        gk_reply_error(r, 415, "unsupported_media_type", "", "Content-Type 应为 application/json");
        return false;
    }
    st->body = gk_req_body(r, &st->len);
    if (st->len > (size_t)gk_server_config(r->srv)->max_body) {
        gk_reply_error(r, 413, "body_too_large", "", "请求体超过 %ld 字节的上限", gk_server_config(r->srv)->max_body);
        return false;
    }
    gk_error err;
    memset(&err, 0, sizeof err);
    gk_findings_init(&st->fs);
    st->fs_init = true;
    st->rep = gk_report_parse(st->body ? st->body : "", st->len, &st->fs, &err);
    if (st->rep == NULL) {
        bool json = strcmp(err.code, "invalid_json") == 0;
        json_t *e = json_pack("{s:s,s:s,s:s}", "code", err.code[0] ? err.code : "not_a_report", "message",
                              err.message, "path", err.path);
        if (json) {
            json_object_set_new(e, "line", json_integer(err.line));
            json_object_set_new(e, "column", json_integer(err.column));
        }
        gk_reply_error_json(r, json ? 400 : 422, e);
        return false;
    }
    gk_sha256_hex(st->body, st->len, st->hash);
    if (signature(st) != 0) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return false;
    }
    snprintf(st->year_s, sizeof st->year_s, "%d", st->rep->year);
    snprintf(st->token_s, sizeof st->token_s, "%lld", r->token_id);
    return true;
}

/* ---- context and judgement ---- */

static const char *const context_sql =
    "SELECT g.path::text, c.revision, r.content_hash, " GK_SQL_TS("r.submitted_at") ", r.status,"
    " r.findings::text, r.body_text, " GK_SQL_DAY("c.first_submitted_at") ","
    " (SELECT r2.body_text FROM report_current c2 JOIN reports r2 ON r2.entity = c2.entity"
    "   AND r2.year = c2.year AND r2.revision = c2.revision WHERE c2.entity = $1 AND c2.year = $2::int - 1),"
    " to_char(" GK_SQL_DEADLINE("g.path", "$2::int") ", 'YYYY-MM-DD'), " GK_SQL_DAY("now()") ", r.format,"
    " (SELECT coalesce(json_agg(json_build_object('entity', s.entity, 'name', n.name, 'sig', s.sig)), '[]')"
    "   FROM narrative_sig s JOIN regions n ON n.code = s.entity"
    "   WHERE s.year = $2::int AND s.entity <> $1 AND s.entity IN ("
    "     SELECT b.entity FROM narrative_bands b"
    "     JOIN unnest($3::bigint[]) WITH ORDINALITY AS k(key, band) ON b.band = k.band - 1 AND b.key = k.key"
    "     WHERE b.year = $2::int))::text"
    " FROM (SELECT $1::text AS code) k LEFT JOIN regions g ON g.code = k.code"
    " LEFT JOIN report_current c ON c.entity = k.code AND c.year = $2::int"
    " LEFT JOIN reports r ON r.entity = c.entity AND r.year = c.year AND r.revision = c.revision";

enum { C_PATH, C_REV, C_HASH, C_AT, C_STATUS, C_FINDINGS, C_BODY, C_FIRST, C_PREV, C_DEADLINE, C_TODAY, C_FORMAT,
       C_SIMILAR };

/* Region known and in scope?  false after answering. */
static bool context_checks(gk_req *r, submit_st *st, PGresult *res)
{
    if (!gk_req_ok(r, res))
        return false;
    if (PQgetisnull(res, 0, C_PATH)) {
        gk_reply_error(r, 422, "unknown_entity", "entity", "区划代码 %s 不在区划表中", st->rep->entity);
        return false;
    }
    if (!gk_req_in_scope(r, PQgetvalue(res, 0, C_PATH))) {
        gk_reply_error(r, 403, "forbidden", "entity", "令牌无权为 %s 提交或检查报告", st->rep->entity);
        return false;
    }
    return true;
}

/* narrative.similar: compare with the stored signatures of the candidates
 * the band index found (JSON [{entity, name, sig}]). */
static void similar(submit_st *st, const char *candidates)
{
    if (!st->has_sig)
        return;
    json_t *list = json_loads(candidates, 0, NULL);
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c) {
        json_t *sig = json_object_get(c, "sig");
        if (json_array_size(sig) != GK_MINHASH_N)
            continue;
        uint64_t other[GK_MINHASH_N];
        for (size_t k = 0; k < GK_MINHASH_N; k++)
            other[k] = (uint64_t)(int64_t)json_integer_value(json_array_get(sig, k));
        double sim = gk_minhash_similarity(st->sig, other);
        if (sim < GK_SIMILAR_THRESHOLD)
            continue;
        const char *code = json_string_value(json_object_get(c, "entity"));
        const char *name = json_string_value(json_object_get(c, "name"));
        gk_findings_add_detail(&st->fs, "narrative.similar", GK_SEV_WARNING, "narrative",
                               json_pack("{s:s,s:f}", "similar_to", code ? code : "", "similarity", sim),
                               "叙述部分与%s（%s）同年度报告高度雷同（相似度约 %.0f%%），请核实是否照搬",
                               name ? name : "", code ? code : "", sim * 100.0);
    }
    json_decref(list);
}

static void judge(submit_st *st, PGresult *res)
{
    gk_report *prev = NULL;
    if (!PQgetisnull(res, 0, C_PREV)) {
        const char *pb = PQgetvalue(res, 0, C_PREV);
        gk_error e;
        prev = gk_report_parse(pb, strlen(pb), NULL, &e);
    }
    gk_rules_context ctx = {
        .previous = prev,
        .deadline = PQgetvalue(res, 0, C_DEADLINE),
        .first_submitted = PQgetisnull(res, 0, C_FIRST) ? PQgetvalue(res, 0, C_TODAY) : PQgetvalue(res, 0, C_FIRST),
    };
    gk_rules_check(st->rep, &ctx, &st->fs);
    if (township_names != NULL)
        gk_rules_foreign_entity(st->rep, township_names, &st->fs);
    gk_report_free(prev);
    similar(st, PQgetvalue(res, 0, C_SIMILAR));
}

/* ---- check ---- */

static void check_context(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!context_checks(r, st, res))
        return;
    judge(st, res);
    gk_reply_json(r, 200,
                  json_pack("{s:s,s:i,s:s,s:s,s:o}", "entity", st->rep->entity, "year", st->rep->year, "format",
                            st->rep->format->version, "status", status_of(&st->fs), "findings",
                            gk_findings_to_json(&st->fs)));
}

static void check_start(gk_req *r, PGresult *res)
{
    (void)res;
    submit_st *st = r->st;
    if (!parse_body(r, st))
        return;
    const char *v[] = {st->rep->entity, st->year_s, st->bands_text};
    gk_req_query(r, context_sql, 3, v, check_context);
}

/* ---- submit ---- */

static json_t *answer(submit_st *st, const char *format, int revision, bool created, const char *status,
                      const char *hash, const char *at, json_t *findings)
{
    return json_pack("{s:s,s:i,s:s,s:i,s:b,s:s,s:s,s:s,s:o}", "entity", st->rep->entity, "year", st->rep->year,
                     "format", format, "revision", revision, "created", created, "status", status, "content_hash",
                     hash, "submitted_at", at, "findings", findings ? findings : json_array());
}

static void run_batch(gk_req *r, PGresult *res);

static void batch_next(gk_req *r)
{
    submit_st *st = r->st;
    int q = st->iq;
    gk_req_query(r, st->sql[q], st->np[q], (const char *const *)st->vals[q], run_batch);
}

static void run_batch(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    if (st->iq == 0 && st->answer != NULL && PQntuples(res) == 1 &&
        json_is_string(json_object_get(st->answer, "submitted_at")) &&
        strcmp(json_string_value(json_object_get(st->answer, "submitted_at")), "") == 0)
        json_object_set_new(st->answer, "submitted_at", json_string(PQgetvalue(res, 0, 0)));
    st->iq++;
    if (st->iq < st->nq) {
        batch_next(r);
        return;
    }
    bool created = json_is_true(json_object_get(st->answer, "created"));
    gk_metrics_submission(created);
    json_t *a = st->answer;
    st->answer = NULL;
    gk_reply_json(r, created ? 201 : 200, a);
}

static const char *const insert_report_sql =
    "INSERT INTO reports (entity, year, revision, format, body, body_text, content_hash, token_id, status,"
    " findings, errors, warnings, infos)"
    " VALUES ($1, $2::int, $3::int, $4, $5::text::jsonb, $5::text, $6, $7::bigint, $8, $9::jsonb, $10::int, $11::int, $12::int)"
    " RETURNING " GK_SQL_TS("submitted_at");

static const char *const bookkeeping_sql =
    "WITH cur AS ("
    "  INSERT INTO report_current (entity, year, revision, format, first_submitted_at)"
    "  VALUES ($1, $2::int, $3::int, $4, now())"
    "  ON CONFLICT (entity, year) DO UPDATE SET revision = EXCLUDED.revision, format = EXCLUDED.format"
    "  RETURNING 1),"
    " aud AS (INSERT INTO audit (token_id, action, entity, year, revision, peer, request_id)"
    "  VALUES ($5::bigint, 'submit', $1, $2::int, $3::int, $6, $7) RETURNING 1),"
    " chg AS (INSERT INTO region_changes (region, year, shard, counter)"
    "  SELECT a, $2::int, pg_backend_pid() & 15, 1 FROM unnest($8::text[]) a"
    "  ON CONFLICT (region, year, shard) DO UPDATE SET counter = region_changes.counter + 1 RETURNING 1),"
    " idem AS (INSERT INTO idempotency (token_id, key, entity, year, revision, content_hash)"
    "  SELECT $5::bigint, $9, $1, $2::int, $3::int, $10 WHERE $9::text IS NOT NULL RETURNING 1)"
    " SELECT (SELECT count(*) FROM cur) + (SELECT count(*) FROM aud)";

/* The delta goes to this connection's shard (sql/020_rollup_shards.sql):
 * ancestors' rows are shared by every submission, and a connection runs
 * one transaction at a time, so connections of distinct shards never wait
 * on each other's commit for these rows. */
static const char *const rollup_delta_sql =
    "INSERT INTO rollup (region, year, format, shard, reports, sums, n_number, n_null)"
    " SELECT a, $2::int, $3, pg_backend_pid() & 15, $4::int, $5::bigint[], $6::bigint[], $7::bigint[]"
    " FROM unnest($1::text[]) a"
    " ON CONFLICT (region, year, format, shard) DO UPDATE SET reports = rollup.reports + EXCLUDED.reports,"
    "  sums = gk_array_add(rollup.sums, EXCLUDED.sums),"
    "  n_number = gk_array_add(rollup.n_number, EXCLUDED.n_number),"
    "  n_null = gk_array_add(rollup.n_null, EXCLUDED.n_null)";

static const char *const idem_only_sql =
    "INSERT INTO idempotency (token_id, key, entity, year, revision, content_hash)"
    " VALUES ($1::bigint, $2, $3, $4::int, $5::int, $6) ON CONFLICT DO NOTHING";

static int add_delta(submit_st *st, const gk_rollup *ru)
{
    char *sums = NULL, *nn = NULL, *nl = NULL;
    if (gk_rollup_arrays(ru, &sums, &nn, &nl) != 0)
        return -1;
    char reports[24];
    snprintf(reports, sizeof reports, "%lld", (long long)ru->n_reports);
    add_query(st, rollup_delta_sql, 7, st->path, st->year_s, ru->format->version, reports, sums, nn, nl);
    free(sums);
    free(nn);
    free(nl);
    return 0;
}

/* The delta of replacing old (may be NULL) by new, per format. */
static int rollup_deltas(submit_st *st, const gk_report *old)
{
    int rc = -1;
    gk_rollup *a = gk_rollup_new(st->rep->format), *b = NULL;
    if (a == NULL || gk_rollup_add(a, st->rep, +1) != 0)
        goto out;
    if (old != NULL && old->format == st->rep->format) {
        if (gk_rollup_add(a, old, -1) != 0)
            goto out;
    } else if (old != NULL) {
        b = gk_rollup_new(old->format);
        if (b == NULL || gk_rollup_add(b, old, -1) != 0)
            goto out;
    }
    if (add_delta(st, a) != 0 || (b != NULL && add_delta(st, b) != 0))
        goto out;
    rc = 0;
out:
    gk_rollup_free(a);
    gk_rollup_free(b);
    return rc;
}

static void submit_context(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!context_checks(r, st, res))
        return;
    st->path = strdup(PQgetvalue(res, 0, C_PATH));
    bool has_cur = !PQgetisnull(res, 0, C_REV);
    int cur_rev = has_cur ? atoi(PQgetvalue(res, 0, C_REV)) : 0;
    char rev_s[16];
    if (has_cur && strcmp(PQgetvalue(res, 0, C_HASH), st->hash) == 0) {
        /* The same content again: the existing revision, nothing new. */
        st->answer = answer(st, PQgetvalue(res, 0, C_FORMAT), cur_rev, false, PQgetvalue(res, 0, C_STATUS),
                            st->hash, PQgetvalue(res, 0, C_AT), json_loads(PQgetvalue(res, 0, C_FINDINGS), 0, NULL));
        snprintf(rev_s, sizeof rev_s, "%d", cur_rev);
        if (st->idem_key != NULL)
            add_query(st, idem_only_sql, 6, st->token_s, st->idem_key, st->rep->entity, st->year_s, rev_s, st->hash);
        add_query(st, "COMMIT", 0);
        batch_next(r);
        return;
    }
    judge(st, res);
    gk_report *old = NULL;
    if (has_cur) {
        const char *ob = PQgetvalue(res, 0, C_BODY);
        gk_error e;
        old = gk_report_parse(ob, strlen(ob), NULL, &e);
    }
    snprintf(rev_s, sizeof rev_s, "%d", cur_rev + 1);
    char ne[16], nw[16], ni[16];
    snprintf(ne, sizeof ne, "%zu", gk_findings_count(&st->fs, GK_SEV_ERROR));
    snprintf(nw, sizeof nw, "%zu", gk_findings_count(&st->fs, GK_SEV_WARNING));
    snprintf(ni, sizeof ni, "%zu", gk_findings_count(&st->fs, GK_SEV_INFO));
    json_t *fj = gk_findings_to_json(&st->fs);
    char *ftext = json_dumps(fj, JSON_COMPACT);
    const char *status = status_of(&st->fs);
    add_query(st, insert_report_sql, 12, st->rep->entity, st->year_s, rev_s, st->rep->format->version, st->body,
              st->hash, st->token_s, status, ftext ? ftext : "[]", ne, nw, ni);
    free(ftext);
    add_query(st, bookkeeping_sql, 10, st->rep->entity, st->year_s, rev_s, st->rep->format->version, st->token_s,
              r->peer, r->id, st->path, st->idem_key, st->hash);
    add_query(st, gk_sql_signature_upsert, 4, st->rep->entity, st->year_s, rev_s, st->sig_text);
    if (st->has_sig)
        add_query(st, gk_sql_bands_insert, 3, st->rep->entity, st->year_s, st->bands_text);
    int drc = rollup_deltas(st, old);
    gk_report_free(old);
    if (drc != 0) {
        json_decref(fj);
        gk_reply_error(r, 422, "value_out_of_range", "", "数值超出可汇总的范围");
        return;
    }
    add_query(st, "COMMIT", 0);
    st->answer = answer(st, st->rep->format->version, cur_rev + 1, true, status, st->hash, "", fj);
    batch_next(r);
}

static void submit_locked(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    const char *v[] = {st->rep->entity, st->year_s, st->bands_text};
    gk_req_query(r, context_sql, 3, v, submit_context);
}

static void lock_entity(gk_req *r)
{
    submit_st *st = r->st;
    const char *v[] = {st->rep->entity, st->year_s};
    gk_req_query(r, "SELECT pg_advisory_xact_lock(hashtext($1), $2::int)", 2, v, submit_locked);
}

static void replay_done(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    if (PQntuples(res) != 1) {
        gk_reply_error(r, 500, "internal", "", "内部错误（幂等记录指向不存在的修订）");
        return;
    }
    json_t *a = answer(st, PQgetvalue(res, 0, 0), atoi(PQgetvalue(res, 0, 1)), false, PQgetvalue(res, 0, 2), st->hash,
                       PQgetvalue(res, 0, 3), json_loads(PQgetvalue(res, 0, 4), 0, NULL));
    gk_metrics_submission(false);
    gk_reply_json(r, 200, a);
}

static void idem_checked(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    if (PQntuples(res) == 1) {
        if (strcmp(PQgetvalue(res, 0, 3), st->hash) != 0 || strcmp(PQgetvalue(res, 0, 0), st->rep->entity) != 0 ||
            strcmp(PQgetvalue(res, 0, 1), st->year_s) != 0) {
            gk_reply_error(r, 409, "idempotency_conflict", "", "Idempotency-Key 已用于另一份内容不同的提交");
            return;
        }
        const char *v[] = {PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2)};
        gk_req_query(r,
                     "SELECT format, revision, status, " GK_SQL_TS("submitted_at") ", findings::text FROM reports"
                     " WHERE entity = $1 AND year = $2::int AND revision = $3::int",
                     3, v, replay_done);
        return;
    }
    lock_entity(r);
}

static void idem_locked(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    const char *v[] = {st->token_s, st->idem_key};
    gk_req_query(r, "SELECT entity, year, revision, content_hash FROM idempotency WHERE token_id = $1::bigint"
                    " AND key = $2", 2, v, idem_checked);
}

/* In the transaction: with an Idempotency-Key, first serialise on (token,
 * key) so two concurrent uses of one key cannot both pass the check. */
static void submit_begun(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    if (st->idem_key == NULL) {
        lock_entity(r);
        return;
    }
    const char *v[] = {st->token_s, st->idem_key};
    gk_req_query(r, "SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))", 2, v, idem_locked);
}

static void submit_start(gk_req *r, PGresult *res)
{
    (void)res;
    submit_st *st = r->st;
    if (r->role != GK_ROLE_SUBMITTER && r->role != GK_ROLE_ADMIN) {
        gk_reply_error(r, 403, "forbidden", "", "只读令牌不能提交报告");
        return;
    }
    if (!parse_body(r, st))
        return;
    const char *key = gk_req_header(r, "Idempotency-Key");
    if (key != NULL && (strlen(key) == 0 || strlen(key) > 200)) {
        gk_reply_error(r, 400, "invalid_idempotency_key", "", "Idempotency-Key 应为 1 至 200 个字符");
        return;
    }
    if (key != NULL && (st->idem_key = strdup(key)) == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    gk_req_query(r, "BEGIN", 0, NULL, submit_begun);
}

static void route(gk_req *r, bool dry)
{
    submit_st *st = calloc(1, sizeof *st);
    if (st == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    st->dry = dry;
    r->st = st;
    r->st_free = st_free;
    gk_req_with_db(r, true, dry ? check_start : submit_start);
}

void gk_route_submit(gk_req *r) { route(r, false); }
void gk_route_check(gk_req *r) { route(r, true); }
