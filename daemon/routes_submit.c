/* routes_submit.c — POST /api/v1/reports (submit) and POST /api/v1/check
 * (the same judgement, nothing stored).
 *
 * A submission is one transaction on one connection:
 *   BEGIN; (with an Idempotency-Key: its lock and check); the township
 *   names' generation; the new prose signature; the locks of what the
 *   judgement depends on (sql/060_judgement_locks.sql: the (entity, year)
 *   and (entity, year + 1) locks, the year shared, the LSH band keys of the
 *   new and the stored signature), so concurrent submissions of one report
 *   serialise and near-duplicates submitted together find each other; read
 *   the context (region path, current revision, last year's report,
 *   deadline); the same-year reports whose prose shares an LSH band and is
 *   similar enough; judge; INSERT the revision; move the current pointer,
 *   audit, change counters, idempotency key; add the delta (new revision
 *   minus old) to the rollup of every ancestor; replace the entity's
 *   signature, bands and similar pairs; re-judge the reports this revision
 *   affects (next year's report of the entity, the reports similar to it
 *   before or now) and store their current judgement; COMMIT.
 * Any failure answers and releases the lease, and the pool rolls back. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "gongkai/findings.h"
#include "gongkai/report.h"
#include "gongkai/rollup.h"
#include "gongkai/rules.h"
#include "judge.h"
#include "log.h"
#include "metrics.h"
#include "readcache.h"
#include "routes.h"
#include "store.h"
#include "townships.h"

#define MAXQ 8
#define MAXP 16

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
    /* write batch */
    int nq, iq;
    const char *sql[MAXQ];
    int np[MAXQ];
    char *vals[MAXQ][MAXP];
    /* answer */
    json_t *answer;
    /* judgement inputs kept across the narrative queries */
    bool has_cur;
    bool has_next;        /* next year's report of the entity exists (re-judged) */
    int cur_rev;
    char *old_body, *prev_body;
    char deadline[16], first_day[16];
    gk_judge_sig sig;
    bool sig_done, sig_ok;
    char *sig_text, *bands_text; /* as PostgreSQL arrays, when sig_ok */
    json_t *partners;
    json_t *updates;      /* current judgements to store */
    json_t *affected;     /* [{entity, year}] to re-judge */
    gk_req_step after_batch;
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
    for (int i = 0; i < MAXQ; i++)
        for (int k = 0; k < MAXP; k++)
            free(st->vals[i][k]);
    json_decref(st->answer);
    free(st->old_body);
    free(st->sig_text);
    free(st->bands_text);
    free(st->prev_body);
    json_decref(st->partners);
    json_decref(st->updates);
    json_decref(st->affected);
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

static const char *status_of(const gk_findings *fs) { return gk_judge_status(fs); }

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
    /* Refused, not stored with a finding: a value beyond the bound is
     * never meant, and refusing it keeps every rollup's sums in range. */
    const char *huge = gk_report_out_of_range(st->rep);
    if (huge != NULL) {
        gk_reply_error(r, 422, "value_out_of_range", huge, "%s 的数值超出上限（件数 %" PRId64 "，金额 %" PRId64 "）", huge,
                       GK_VALUE_MAX, GK_AMOUNT_MAX);
        return false;
    }
    gk_sha256_hex(st->body, st->len, st->hash);
    snprintf(st->year_s, sizeof st->year_s, "%d", st->rep->year);
    snprintf(st->token_s, sizeof st->token_s, "%lld", r->token_id);
    return true;
}

/* ---- context and judgement ---- */

static const char *const context_sql =
    "SELECT g.path::text, c.revision, r.content_hash, " GK_SQL_TS("r.submitted_at") ", coalesce(c.status, r.status),"
    " coalesce(c.findings, r.findings)::text, r.body_text, " GK_SQL_DAY("c.first_submitted_at") ","
    " (SELECT r2.body_text FROM report_current c2 JOIN reports r2 ON r2.entity = c2.entity"
    "   AND r2.year = c2.year AND r2.revision = c2.revision WHERE c2.entity = $1 AND c2.year = $2::int - 1),"
    " to_char(" GK_SQL_DEADLINE("g.path", "$2::int") ", 'YYYY-MM-DD'), " GK_SQL_DAY("now()") ", r.format,"
    " EXISTS (SELECT 1 FROM report_current n WHERE n.entity = $1 AND n.year = $2::int + 1),"
    " (SELECT v.state FROM report_review v WHERE v.entity = $1 AND v.year = $2::int)"
    " FROM (SELECT $1::text AS code) k LEFT JOIN regions g ON g.code = k.code"
    " LEFT JOIN report_current c ON c.entity = k.code AND c.year = $2::int"
    " LEFT JOIN reports r ON r.entity = c.entity AND r.year = c.year AND r.revision = c.revision";

enum { C_PATH, C_REV, C_HASH, C_AT, C_STATUS, C_FINDINGS, C_BODY, C_FIRST, C_PREV, C_DEADLINE, C_TODAY, C_FORMAT, C_NEXT, C_REVIEW };

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

/* Keeps what the judgement needs from the context row. */
static void keep_context(submit_st *st, PGresult *res)
{
    st->has_cur = !PQgetisnull(res, 0, C_REV);
    st->has_next = strcmp(PQgetvalue(res, 0, C_NEXT), "t") == 0;
    st->cur_rev = st->has_cur ? atoi(PQgetvalue(res, 0, C_REV)) : 0;
    if (st->has_cur)
        st->old_body = strdup(PQgetvalue(res, 0, C_BODY));
    if (!PQgetisnull(res, 0, C_PREV))
        st->prev_body = strdup(PQgetvalue(res, 0, C_PREV));
    snprintf(st->deadline, sizeof st->deadline, "%s", PQgetvalue(res, 0, C_DEADLINE));
    snprintf(st->first_day, sizeof st->first_day, "%s",
             PQgetisnull(res, 0, C_FIRST) ? PQgetvalue(res, 0, C_TODAY) : PQgetvalue(res, 0, C_FIRST));
}

static void judge(submit_st *st)
{
    gk_judge_input in = {
        .rep = st->rep,
        .prev_body = st->prev_body,
        .deadline = st->deadline,
        .first_day = st->first_day,
        .partners = st->partners,
    };
    gk_judge(&in, gk_townships(), &st->fs);
}

/* The prose signature and its text forms, computed once per request (the
 * locks, the candidates and the store all use them).  Needs the township
 * names; false after answering (out of memory). */
static bool ensure_signature(gk_req *r)
{
    submit_st *st = r->st;
    if (st->sig_done)
        return true;
    st->sig_done = true;
    st->sig_ok = gk_judge_signature(st->rep, gk_townships(), &st->sig);
    if (!st->sig_ok)
        return true;
    st->sig_text = gk_judge_pg_array(st->sig.sig, GK_MINHASH_N);
    st->bands_text = gk_judge_pg_array(st->sig.bands, GK_LSH_BANDS);
    if (st->sig_text == NULL || st->bands_text == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return false;
    }
    return true;
}

/* narrative.similar: the same-year reports sharing an LSH band, at or above
 * the threshold (index lookups only), then `next`. */
static void find_similar(gk_req *r, gk_req_step next)
{
    submit_st *st = r->st;
    if (!ensure_signature(r))
        return;
    if (!st->sig_ok) {
        next(r, NULL);
        return;
    }
    char same[16];
    snprintf(same, sizeof same, "%d", gk_judge_min_same());
    const char *v[] = {st->rep->entity, st->year_s, st->sig_text, st->bands_text, same};
    gk_req_query(r, gk_candidates_sql, 5, v, next);
}

/* Keeps the candidates found by find_similar; false after answering. */
static bool keep_partners(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (res == NULL) {
        st->partners = json_array();
        return true;
    }
    if (!gk_req_ok(r, res))
        return false;
    st->partners = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    if (!json_is_array(st->partners)) {
        gk_reply_error(r, 500, "internal", "", "内部错误（雷同候选）");
        return false;
    }
    return true;
}

/* Before the context: reload the township names if the registry changed. */
static bool names_checked(gk_req *r, PGresult *res)
{
    if (!gk_req_ok(r, res))
        return false;
    if (gk_townships_update(res) != 0) {
        gk_reply_error(r, 500, "internal", "", "内部错误（区划名称）");
        return false;
    }
    return true;
}

static void check_names(gk_req *r, gk_req_step next)
{
    const char *v[] = {gk_townships_generation_text()};
    gk_req_query(r, gk_townships_sql, 1, v, next);
}

/* ---- check ---- */

static void check_judged(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!keep_partners(r, res))
        return;
    judge(st);
    gk_reply_json(r, 200,
                  json_pack("{s:s,s:i,s:s,s:s,s:o}", "entity", st->rep->entity, "year", st->rep->year, "format",
                            st->rep->format->version, "status", status_of(&st->fs), "findings",
                            gk_findings_to_json(&st->fs)));
}

static void check_context(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!context_checks(r, st, res))
        return;
    keep_context(st, res);
    find_similar(r, check_judged);
}

static void check_named(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!names_checked(r, res))
        return;
    const char *v[] = {st->rep->entity, st->year_s};
    gk_req_query(r, context_sql, 2, v, check_context);
}

static void check_start(gk_req *r, PGresult *res)
{
    (void)res;
    submit_st *st = r->st;
    if (!parse_body(r, st))
        return;
    check_names(r, check_named);
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
    if (st->after_batch != NULL) {
        gk_req_step next = st->after_batch;
        st->after_batch = NULL;
        next(r, NULL);
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
    "  INSERT INTO report_current (entity, year, revision, format, first_submitted_at, status, findings, errors,"
    "   warnings, infos)"
    "  VALUES ($1, $2::int, $3::int, $4, now(), $11, $12::jsonb, $13::int, $14::int, $15::int)"
    "  ON CONFLICT (entity, year) DO UPDATE SET revision = EXCLUDED.revision, format = EXCLUDED.format,"
    "   status = EXCLUDED.status, findings = EXCLUDED.findings, errors = EXCLUDED.errors,"
    "   warnings = EXCLUDED.warnings, infos = EXCLUDED.infos"
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

/* ---- the reports a revision affects ---- */

static void reply_created(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    /* Committed: no poll of this process may see an older tag from now on,
     * and the other daemons are told (readcache.h, listener.h). */
    gk_readcache_local_write();
    gk_metrics_submission(true);
    json_t *a = st->answer;
    st->answer = NULL;
    gk_reply_json(r, 201, a);
}

static void commit_and_reply(gk_req *r) { gk_req_query(r, "COMMIT", 0, NULL, reply_created); }

static void rejudged_stored(gk_req *r, PGresult *res)
{
    if (!gk_req_ok(r, res))
        return;
    commit_and_reply(r);
}

static void store_judgements(gk_req *r)
{
    submit_st *st = r->st;
    char *text = json_dumps(st->updates, JSON_COMPACT);
    if (text == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    const char *v[] = {text};
    gk_req_query(r, gk_rejudge_update_sql, 1, v, rejudged_stored);
    free(text);
}

static void rejudged(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    json_t *rows = gk_rejudge_rows(res, gk_townships());
    json_array_extend(st->updates, rows);
    json_decref(rows);
    if (json_array_size(st->updates) == 0) {
        commit_and_reply(r);
        return;
    }
    store_judgements(r);
}

/* The signature and pairs are stored; the old partners come back.  The
 * affected reports: next year's report of this entity, and every report
 * similar to this one before or now. */
static void narrative_stored(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    st->affected = json_array();
    if (st->has_next)
        json_array_append_new(st->affected,
                              json_pack("{s:s,s:i}", "entity", st->rep->entity, "year", st->rep->year + 1));
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(st->affected, json_pack("{s:s,s:i}", "entity", PQgetvalue(res, i, 0), "year",
                                                      st->rep->year));
    size_t i;
    json_t *p;
    json_array_foreach(st->partners, i, p)
        json_array_append_new(st->affected, json_pack("{s:O,s:i}", "entity", json_object_get(p, "entity"), "year",
                                                      st->rep->year));
    if (json_array_size(st->affected) == 0) { /* nothing else to re-judge */
        commit_and_reply(r);
        return;
    }
    char *text = json_dumps(st->affected, JSON_COMPACT);
    if (text == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    const char *v[] = {text};
    gk_req_query(r, gk_rejudge_sql, 1, v, rejudged);
    free(text);
}

static void store_narrative(gk_req *r, PGresult *res)
{
    (void)res;
    submit_st *st = r->st;
    char rev_s[16];
    snprintf(rev_s, sizeof rev_s, "%d", st->cur_rev + 1);
    json_t *pairs = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(st->partners, i, p)
        json_array_append_new(pairs, json_pack("{s:O,s:O}", "entity", json_object_get(p, "entity"), "similarity",
                                               json_object_get(p, "similarity")));
    char *ptext = json_dumps(pairs, JSON_COMPACT);
    json_decref(pairs);
    if (ptext == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
    } else {
        /* NULL texts when the report has no signature: stored as empty */
        const char *v[] = {st->rep->entity, st->year_s, rev_s, st->sig_text, st->bands_text, ptext};
        gk_req_query(r, gk_narrative_store_sql, 6, v, narrative_stored);
    }
    free(ptext);
}

/* ---- a new revision ---- */

static void submit_judged(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!keep_partners(r, res))
        return;
    judge(st);
    gk_report *old = NULL;
    if (st->old_body != NULL) {
        gk_error e;
        old = gk_report_parse(st->old_body, strlen(st->old_body), NULL, &e);
    }
    char rev_s[16];
    snprintf(rev_s, sizeof rev_s, "%d", st->cur_rev + 1);
    int ne = (int)gk_findings_count(&st->fs, GK_SEV_ERROR), nw = (int)gk_findings_count(&st->fs, GK_SEV_WARNING),
        ni = (int)gk_findings_count(&st->fs, GK_SEV_INFO);
    char ne_s[16], nw_s[16], ni_s[16];
    snprintf(ne_s, sizeof ne_s, "%d", ne);
    snprintf(nw_s, sizeof nw_s, "%d", nw);
    snprintf(ni_s, sizeof ni_s, "%d", ni);
    json_t *fj = gk_findings_to_json(&st->fs);
    char *ftext = json_dumps(fj, JSON_COMPACT);
    const char *status = status_of(&st->fs);
    add_query(st, insert_report_sql, 12, st->rep->entity, st->year_s, rev_s, st->rep->format->version, st->body,
              st->hash, st->token_s, status, ftext ? ftext : "[]", ne_s, nw_s, ni_s);
    /* This revision's judgement is also the current one: stored here, not
     * by the re-judgement update, so that a report with nothing else to
     * re-judge (most first submissions) skips those two round trips. */
    add_query(st, bookkeeping_sql, 15, st->rep->entity, st->year_s, rev_s, st->rep->format->version, st->token_s,
              r->peer, r->id, st->path, st->idem_key, st->hash, status, ftext ? ftext : "[]", ne_s, nw_s, ni_s);
    free(ftext);
    /* a returned report's new revision is resubmitted for review */
    add_query(st, "SELECT gk_review_on_submit($1, $2::int, $3::int, $4::bigint)", 4, st->rep->entity, st->year_s,
              rev_s, st->token_s);
    int drc = rollup_deltas(st, old);
    gk_report_free(old);
    if (drc != 0) {
        json_decref(fj);
        gk_reply_error(r, 422, "value_out_of_range", "", "数值超出可汇总的范围");
        return;
    }
    st->updates = json_array();
    st->after_batch = store_narrative;
    st->answer = answer(st, st->rep->format->version, st->cur_rev + 1, true, status, st->hash, "", fj);
    batch_next(r);
}

static void submit_context(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!context_checks(r, st, res))
        return;
    st->path = strdup(PQgetvalue(res, 0, C_PATH));
    keep_context(st, res);
    if (st->has_cur && strcmp(PQgetvalue(res, 0, C_HASH), st->hash) == 0) {
        /* The same content again: the existing revision, nothing new. */
        char rev_s[16];
        st->answer = answer(st, PQgetvalue(res, 0, C_FORMAT), st->cur_rev, false, PQgetvalue(res, 0, C_STATUS),
                            st->hash, PQgetvalue(res, 0, C_AT), json_loads(PQgetvalue(res, 0, C_FINDINGS), 0, NULL));
        snprintf(rev_s, sizeof rev_s, "%d", st->cur_rev);
        if (st->idem_key != NULL)
            add_query(st, idem_only_sql, 6, st->token_s, st->idem_key, st->rep->entity, st->year_s, rev_s, st->hash);
        add_query(st, "COMMIT", 0);
        batch_next(r);
        return;
    }
    /* An accepted report is locked (sql/100_review.sql) until the office
     * reopens it; read under the (entity, year) lock a reopen also takes. */
    if (!st->dry && !PQgetisnull(res, 0, C_REVIEW) && strcmp(PQgetvalue(res, 0, C_REVIEW), "accepted") == 0) {
        gk_reply_error(r, 409, "report_locked", "", "%s %s 年度的报告已审核通过，须由上级机关重新开启后才能修改",
                       st->rep->entity, st->year_s);
        return;
    }
    find_similar(r, submit_judged);
}

static void submission_locked(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!gk_req_ok(r, res))
        return;
    const char *v[] = {st->rep->entity, st->year_s};
    gk_req_query(r, context_sql, 2, v, submit_context);
}

/* The locks of sql/060_judgement_locks.sql: (entity, year) and (entity,
 * year + 1), the year in share mode, and the band keys of the new
 * signature and of the stored one.  The signature needs the township
 * names, hence after names_checked. */
static void submit_named(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    if (!names_checked(r, res))
        return;
    if (!ensure_signature(r))
        return;
    const char *v[] = {st->rep->entity, st->year_s, st->bands_text};
    gk_req_query(r, "SELECT gk_lock_submission($1, $2::int, $3::bigint[])", 3, v, submission_locked);
}

static void start_judging(gk_req *r) { check_names(r, submit_named); }

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
    /* the Idempotency-Key was seen before: this is that request's answer,
     * which a client tells apart from "the same content was already there" */
    json_object_set_new(a, "replayed", json_true());
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
    start_judging(r);
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
        start_judging(r);
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

void gk_route_submit(gk_req *r)
{
    /* On a hot standby (--read-only) nothing can be stored: say so at once
     * rather than fail inside a transaction (docs/scaling.md, section 3). */
    if (gk_server_config(r->srv)->read_only) {
        gk_reply_error(r, 503, "read_only", "", "本服务是只读副本，不接收报送；请向主服务提交");
        return;
    }
    route(r, false);
}
void gk_route_check(gk_req *r) { route(r, true); }

/* The listener's copy of the township names (listener.c).  Judgements use
 * townships.h's copy instead: its generation is checked inside each
 * submission's transaction, so a registry change is seen by the very next
 * judgement even before the notification arrives. */
void gk_routes_set_names(const gk_names *names) { (void)names; }
