/* routes_submit.c — POST /api/v1/reports (submit) and POST /api/v1/check
 * (the same judgement, nothing stored), as one machine: an explicit phase
 * per step and one advance() that moves between them, so the story of a
 * submission reads top to bottom in advance()'s switch.
 *
 * Why so few round trips: on this kind of machine each one costs about as
 * much as the write itself (docs/performance.md, target 2).  The reads
 * before judging are one statement, gk_submit_read (sql/080_submit.sql:
 * idempotency, the registry generation, the judgement locks of
 * sql/060_judgement_locks.sql, the context, the similar candidates), and
 * the writes after it are one, gk_submit_write.  A submission is
 *   BEGIN; gk_submit_read; judge here; gk_submit_write;
 *   [re-judge the reports it affects: read, judge here, store]; COMMIT
 * and a check is one gk_submit_read without locks.  Any failure answers
 * and releases the lease, and the pool rolls back. */
#include <inttypes.h>
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

/* The story of one request.  Each phase names what it does when
 * advance() reaches it; res is the answer to the previous phase's query. */
typedef enum submit_phase {
    PH_START,         /* refusals that need no database; a submission opens its transaction */
    PH_READ,          /* everything the judgement needs, one statement (gk_submit_read) */
    PH_READ_DONE,     /* replay an Idempotency-Key, reload the names, or judge */
    PH_NAMES_DONE,    /* the registry changed: names reloaded, read again */
    PH_SAME_KEPT,     /* the same content again: its Idempotency-Key kept */
    PH_WRITTEN,       /* the new revision stored: find the reports it affects */
    PH_REJUDGE_READ,  /* their inputs read: judge them here */
    PH_REJUDGE_STORED,/* their judgements stored */
    PH_COMMIT,        /* COMMIT */
    PH_COMMITTED,     /* durable: answer 201 (or 200 for the same content) */
} submit_phase;

typedef struct submit_st {
    submit_phase phase;
    bool dry;             /* /check: nothing locked, nothing stored */
    char *body;
    size_t len;
    gk_report *rep;
    gk_findings fs;
    bool fs_init;
    char hash[65];
    char year_s[16];
    char token_s[24];
    char rev_s[16];       /* the new revision */
    char *idem_key;
    char *path;           /* the entity's ancestor path as text[] */
    json_t *answer;
    bool created;
    /* judgement inputs, from gk_submit_read */
    bool has_cur;
    bool has_next;        /* next year's report of the entity exists (re-judged) */
    int cur_rev;
    char *old_body, *prev_body;
    char deadline[16], first_day[16];
    gk_judge_sig sig;
    bool sig_done, sig_ok;
    char *sig_text, *bands_text; /* as PostgreSQL arrays, when sig_ok */
    json_t *partners;
    json_t *old_partners; /* entities this one was similar to before */
    json_t *updates;      /* other reports' current judgements to store */
} submit_st;

static void forget_signature(submit_st *st)
{
    free(st->sig_text);
    free(st->bands_text);
    st->sig_text = st->bands_text = NULL;
    st->sig_done = st->sig_ok = false;
}

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
    json_decref(st->answer);
    free(st->old_body);
    free(st->prev_body);
    forget_signature(st);
    json_decref(st->partners);
    json_decref(st->old_partners);
    json_decref(st->updates);
    free(st);
}

static char *dup_or_null(PGresult *res, int col)
{
    return PQgetisnull(res, 0, col) ? NULL : strdup(PQgetvalue(res, 0, col));
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

/* A submission's own refusals before parsing: the role, the key. */
static bool submit_allowed(gk_req *r, submit_st *st)
{
    if (r->role != GK_ROLE_SUBMITTER && r->role != GK_ROLE_ADMIN) {
        gk_reply_error(r, 403, "forbidden", "", "只读令牌不能提交报告");
        return false;
    }
    if (!parse_body(r, st))
        return false;
    const char *key = gk_req_header(r, "Idempotency-Key");
    if (key != NULL && (strlen(key) == 0 || strlen(key) > 200)) {
        gk_reply_error(r, 400, "invalid_idempotency_key", "", "Idempotency-Key 应为 1 至 200 个字符");
        return false;
    }
    if (key != NULL && (st->idem_key = strdup(key)) == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return false;
    }
    return true;
}

/* ---- the queries (sql/080_submit.sql), each with its column enum ---- */

static const char *const read_sql =
    "SELECT * FROM gk_submit_read($1, $2::int, $3::bigint, $4::bigint[], $5::bigint[], $6::int, $7::int,"
    " $8::bigint, $9, $10::boolean)";
enum {
    RD_OUTCOME,
    RD_IDEM_ENTITY, RD_IDEM_YEAR, RD_IDEM_HASH, RD_IDEM_FORMAT, RD_IDEM_REV, RD_IDEM_STATUS, RD_IDEM_AT,
    RD_IDEM_FINDINGS,
    RD_PATH, RD_REV, RD_HASH, RD_AT, RD_STATUS, RD_FINDINGS, RD_BODY, RD_FIRST, RD_PREV, RD_DEADLINE, RD_TODAY,
    RD_FORMAT, RD_NEXT, RD_REVIEW, RD_PARTNERS,
    RD_NCOLS
};

static const char *const write_sql =
    "SELECT submitted_at, old_partners FROM gk_submit_write($1, $2::int, $3::int, $4, $5, $6, $7::bigint, $8,"
    " $9::jsonb, $10::int, $11::int, $12::int, $13, $14, $15::text[], $16,"
    " $17, $18::int, $19::bigint[], $20::bigint[], $21::bigint[], $22, $23::int, $24::bigint[], $25::bigint[],"
    " $26::bigint[], $27::bigint[], $28::bigint[], $29::jsonb)";
enum { WR_AT, WR_OLD_PARTNERS };
enum { W_NPARAMS = 29, W_DELTA1 = 16 /* first of the two deltas' five values */ };

static const char *const idem_only_sql =
    "INSERT INTO idempotency (token_id, key, entity, year, revision, content_hash)"
    " VALUES ($1::bigint, $2, $3, $4::int, $5::int, $6) ON CONFLICT DO NOTHING";

/* ---- steps of the story ---- */

static void advance(gk_req *r, PGresult *res);

/* Sends sql and comes back to advance() in phase `then`. */
static void ask(gk_req *r, submit_phase then, const char *sql, int n, const char *const *v)
{
    ((submit_st *)r->st)->phase = then;
    gk_req_query(r, sql, n, v, advance);
}


/* The prose signature and its text forms, computed once per reading of the
 * names (the locks, the candidates and the store all use them); false
 * after answering (out of memory). */
static bool ensure_signature(gk_req *r, submit_st *st)
{
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

static void send_read(gk_req *r, submit_st *st)
{
    char same[16], sig_n[16];
    snprintf(same, sizeof same, "%d", gk_judge_min_same());
    snprintf(sig_n, sizeof sig_n, "%d", GK_MINHASH_N);
    const char *v[] = {st->rep->entity,
                       st->year_s,
                       gk_townships_generation_text(),
                       st->bands_text,
                       st->sig_text,
                       same,
                       sig_n,
                       st->dry ? NULL : st->token_s,
                       st->dry ? NULL : st->idem_key,
                       st->dry ? "f" : "t"};
    ask(r, PH_READ_DONE, read_sql, 10, v);
}

static json_t *answer(submit_st *st, const char *format, int revision, bool created, const char *status,
                      const char *hash, const char *at, json_t *findings)
{
    return json_pack("{s:s,s:i,s:s,s:i,s:b,s:s,s:s,s:s,s:o}", "entity", st->rep->entity, "year", st->rep->year,
                     "format", format, "revision", revision, "created", created, "status", status, "content_hash",
                     hash, "submitted_at", at, "findings", findings ? findings : json_array());
}

/* The Idempotency-Key was seen before: that request's answer, which a
 * client tells apart from "the same content was already there". */
static void replay(gk_req *r, submit_st *st, PGresult *res)
{
    if (strcmp(PQgetvalue(res, 0, RD_IDEM_HASH), st->hash) != 0 ||
        strcmp(PQgetvalue(res, 0, RD_IDEM_ENTITY), st->rep->entity) != 0 ||
        strcmp(PQgetvalue(res, 0, RD_IDEM_YEAR), st->year_s) != 0) {
        gk_reply_error(r, 409, "idempotency_conflict", "", "Idempotency-Key 已用于另一份内容不同的提交");
        return;
    }
    if (PQgetisnull(res, 0, RD_IDEM_REV)) {
        gk_reply_error(r, 500, "internal", "", "内部错误（幂等记录指向不存在的修订）");
        return;
    }
    json_t *a = answer(st, PQgetvalue(res, 0, RD_IDEM_FORMAT), atoi(PQgetvalue(res, 0, RD_IDEM_REV)), false,
                       PQgetvalue(res, 0, RD_IDEM_STATUS), st->hash, PQgetvalue(res, 0, RD_IDEM_AT),
                       json_loads(PQgetvalue(res, 0, RD_IDEM_FINDINGS), 0, NULL));
    json_object_set_new(a, "replayed", json_true());
    gk_metrics_submission(false);
    gk_reply_json(r, 200, a);
}

/* Region known and in scope, the inputs of the judgement kept; false after
 * answering. */
static bool keep_context(gk_req *r, submit_st *st, PGresult *res)
{
    if (PQgetisnull(res, 0, RD_PATH)) {
        gk_reply_error(r, 422, "unknown_entity", "entity", "区划代码 %s 不在区划表中", st->rep->entity);
        return false;
    }
    if (!gk_req_in_scope(r, PQgetvalue(res, 0, RD_PATH))) {
        gk_reply_error(r, 403, "forbidden", "entity", "令牌无权为 %s 提交或检查报告", st->rep->entity);
        return false;
    }
    st->path = strdup(PQgetvalue(res, 0, RD_PATH));
    st->has_cur = !PQgetisnull(res, 0, RD_REV);
    st->has_next = strcmp(PQgetvalue(res, 0, RD_NEXT), "t") == 0;
    st->cur_rev = st->has_cur ? atoi(PQgetvalue(res, 0, RD_REV)) : 0;
    snprintf(st->rev_s, sizeof st->rev_s, "%d", st->cur_rev + 1);
    st->old_body = dup_or_null(res, RD_BODY);
    st->prev_body = dup_or_null(res, RD_PREV);
    snprintf(st->deadline, sizeof st->deadline, "%s", PQgetvalue(res, 0, RD_DEADLINE));
    snprintf(st->first_day, sizeof st->first_day, "%s",
             PQgetisnull(res, 0, RD_FIRST) ? PQgetvalue(res, 0, RD_TODAY) : PQgetvalue(res, 0, RD_FIRST));
    st->partners = json_loads(PQgetvalue(res, 0, RD_PARTNERS), 0, NULL);
    if (st->path == NULL || (st->has_cur && st->old_body == NULL) || !json_is_array(st->partners)) {
        gk_reply_error(r, 500, "internal", "", "内部错误（判定上下文）");
        return false;
    }
    return true;
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

/* The rollup deltas of replacing old (may be NULL) by the new revision:
 * one per format involved, as the write's five values each
 * (format, reports, sums, numbers, nulls); malloc'd into out[0..9]. */
static int rollup_deltas(submit_st *st, const gk_report *old, char *out[10])
{
    int rc = -1;
    gk_rollup *d[2] = {gk_rollup_new(st->rep->format), NULL};
    if (d[0] == NULL || gk_rollup_add(d[0], st->rep, +1) != 0)
        goto out;
    if (old != NULL && old->format == st->rep->format) {
        if (gk_rollup_add(d[0], old, -1) != 0)
            goto out;
    } else if (old != NULL) {
        d[1] = gk_rollup_new(old->format);
        if (d[1] == NULL || gk_rollup_add(d[1], old, -1) != 0)
            goto out;
    }
    for (int i = 0; i < 2 && d[i] != NULL; i++) {
        char n[24];
        snprintf(n, sizeof n, "%lld", (long long)d[i]->n_reports);
        out[5 * i] = strdup(d[i]->format->version);
        out[5 * i + 1] = strdup(n);
        if (out[5 * i] == NULL || out[5 * i + 1] == NULL ||
            gk_rollup_arrays(d[i], &out[5 * i + 2], &out[5 * i + 3], &out[5 * i + 4]) != 0)
            goto out;
    }
    rc = 0;
out:
    gk_rollup_free(d[0]);
    gk_rollup_free(d[1]);
    return rc;
}

/* The new revision's writes, one statement; false after answering. */
static bool send_write(gk_req *r, submit_st *st)
{
    gk_report *old = NULL;
    if (st->old_body != NULL) {
        gk_error e;
        old = gk_report_parse(st->old_body, strlen(st->old_body), NULL, &e);
    }
    char *deltas[10] = {0};
    int drc = rollup_deltas(st, old, deltas);
    gk_report_free(old);
    bool ok = false;
    json_t *fj = gk_findings_to_json(&st->fs);
    char *ftext = json_dumps(fj, JSON_COMPACT);
    json_t *pairs = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(st->partners, i, p)
        json_array_append_new(pairs, json_pack("{s:O,s:O}", "entity", json_object_get(p, "entity"), "similarity",
                                               json_object_get(p, "similarity")));
    char *ptext = json_dumps(pairs, JSON_COMPACT);
    json_decref(pairs);
    if (drc != 0) {
        gk_reply_error(r, 422, "value_out_of_range", "", "数值超出可汇总的范围");
        goto out;
    }
    if (ftext == NULL || ptext == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        goto out;
    }
    const char *status = gk_judge_status(&st->fs);
    char ne[16], nw[16], ni[16];
    snprintf(ne, sizeof ne, "%zu", gk_findings_count(&st->fs, GK_SEV_ERROR));
    snprintf(nw, sizeof nw, "%zu", gk_findings_count(&st->fs, GK_SEV_WARNING));
    snprintf(ni, sizeof ni, "%zu", gk_findings_count(&st->fs, GK_SEV_INFO));
    const char *v[W_NPARAMS] = {st->rep->entity, st->year_s, st->rev_s, st->rep->format->version, st->body,
                                st->hash, st->token_s, status, ftext, ne, nw, ni, r->peer, r->id, st->path,
                                st->idem_key};
    for (int k = 0; k < 10; k++)
        v[W_DELTA1 + k] = deltas[k];
    /* NULL when the report has no signature: stored as empty */
    v[26] = st->sig_text;
    v[27] = st->bands_text;
    v[28] = ptext;
    st->created = true;
    st->answer = answer(st, st->rep->format->version, st->cur_rev + 1, true, status, st->hash, "", fj);
    fj = NULL;
    ask(r, PH_WRITTEN, write_sql, W_NPARAMS, v);
    ok = true;
out:
    json_decref(fj);
    free(ftext);
    free(ptext);
    for (int k = 0; k < 10; k++)
        free(deltas[k]);
    return ok;
}

/* The reports this revision affects: next year's report of the entity, and
 * every report similar to this one before or now.  NULL: none. */
static char *affected_text(submit_st *st)
{
    json_t *a = json_array();
    if (st->has_next)
        json_array_append_new(a, json_pack("{s:s,s:i}", "entity", st->rep->entity, "year", st->rep->year + 1));
    size_t i;
    json_t *p;
    json_array_foreach(st->old_partners, i, p)
        json_array_append_new(a, json_pack("{s:O,s:i}", "entity", p, "year", st->rep->year));
    json_array_foreach(st->partners, i, p)
        json_array_append_new(a, json_pack("{s:O,s:i}", "entity", json_object_get(p, "entity"), "year",
                                           st->rep->year));
    char *text = json_array_size(a) > 0 ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    return text;
}

/* ---- the machine ---- */

static void advance(gk_req *r, PGresult *res)
{
    submit_st *st = r->st;
    for (;;) {
        /* every query's answer is checked once, here */
        if (res != NULL && !gk_req_ok(r, res))
            return;
        switch (st->phase) {
        case PH_START:
            if (st->dry ? !parse_body(r, st) : !submit_allowed(r, st))
                return;
            if (st->dry) {
                st->phase = PH_READ;
                break;
            }
            ask(r, PH_READ, "BEGIN", 0, NULL);
            return;

        case PH_READ:
            if (!ensure_signature(r, st))
                return;
            send_read(r, st);
            return;

        case PH_READ_DONE: {
            const char *outcome = PQntuples(res) == 1 && PQnfields(res) == RD_NCOLS ? PQgetvalue(res, 0, RD_OUTCOME) : "";
            if (strcmp(outcome, "replay") == 0) {
                replay(r, st, res);
                return;
            }
            if (strcmp(outcome, "names") == 0) { /* the registry changed: its names first */
                const char *v[] = {gk_townships_generation_text()};
                ask(r, PH_NAMES_DONE, gk_townships_sql, 1, v);
                return;
            }
            if (strcmp(outcome, "context") != 0) {
                gk_reply_error(r, 500, "internal", "", "内部错误（判定上下文）");
                return;
            }
            if (!keep_context(r, st, res))
                return;
            if (st->dry) { /* /check: the judgement is the answer */
                judge(st);
                gk_reply_json(r, 200,
                              json_pack("{s:s,s:i,s:s,s:s,s:o}", "entity", st->rep->entity, "year", st->rep->year,
                                        "format", st->rep->format->version, "status", gk_judge_status(&st->fs),
                                        "findings", gk_findings_to_json(&st->fs)));
                return;
            }
            if (st->has_cur && strcmp(PQgetvalue(res, 0, RD_HASH), st->hash) == 0) {
                /* The same content again: the existing revision, nothing new. */
                st->answer = answer(st, PQgetvalue(res, 0, RD_FORMAT), st->cur_rev, false,
                                    PQgetvalue(res, 0, RD_STATUS), st->hash, PQgetvalue(res, 0, RD_AT),
                                    json_loads(PQgetvalue(res, 0, RD_FINDINGS), 0, NULL));
                if (st->idem_key == NULL) {
                    st->phase = PH_COMMIT;
                    res = NULL;
                    continue;
                }
                char rev_s[16];
                snprintf(rev_s, sizeof rev_s, "%d", st->cur_rev);
                const char *v[] = {st->token_s, st->idem_key, st->rep->entity, st->year_s, rev_s, st->hash};
                ask(r, PH_SAME_KEPT, idem_only_sql, 6, v);
                return;
            }
            /* An accepted report is locked (sql/100_review.sql) until the
             * office reopens it; read under the (entity, year) lock a
             * reopen also takes. */
            if (!PQgetisnull(res, 0, RD_REVIEW) && strcmp(PQgetvalue(res, 0, RD_REVIEW), "accepted") == 0) {
                gk_reply_error(r, 409, "report_locked", "",
                               "%s %s 年度的报告已审核通过，须由上级机关重新开启后才能修改", st->rep->entity,
                               st->year_s);
                return;
            }
            judge(st);
            send_write(r, st);
            return;
        }

        case PH_NAMES_DONE:
            if (gk_townships_update(res) != 0) {
                gk_reply_error(r, 500, "internal", "", "内部错误（区划名称）");
                return;
            }
            forget_signature(st); /* the names mask the prose: sign it again */
            st->phase = PH_READ;
            res = NULL;
            continue;

        case PH_SAME_KEPT:
            st->phase = PH_COMMIT;
            res = NULL;
            continue;

        case PH_WRITTEN: {
            json_object_set_new(st->answer, "submitted_at", json_string(PQgetvalue(res, 0, WR_AT)));
            st->old_partners = json_loads(PQgetvalue(res, 0, WR_OLD_PARTNERS), 0, NULL);
            char *affected = affected_text(st);
            if (affected == NULL) { /* nothing else to re-judge */
                st->phase = PH_COMMIT;
                res = NULL;
                continue;
            }
            const char *v[] = {affected};
            ask(r, PH_REJUDGE_READ, gk_rejudge_sql, 1, v);
            free(affected);
            return;
        }

        case PH_REJUDGE_READ: {
            st->updates = gk_rejudge_rows(res, gk_townships());
            if (json_array_size(st->updates) == 0) {
                st->phase = PH_COMMIT;
                res = NULL;
                continue;
            }
            char *text = json_dumps(st->updates, JSON_COMPACT);
            if (text == NULL) {
                gk_reply_error(r, 500, "internal", "", "内存不足");
                return;
            }
            const char *v[] = {text};
            ask(r, PH_REJUDGE_STORED, gk_rejudge_update_sql, 1, v);
            free(text);
            return;
        }

        case PH_REJUDGE_STORED:
            st->phase = PH_COMMIT;
            res = NULL;
            continue;

        case PH_COMMIT:
            /* the one statement whose outcome a timeout must not guess (http.h) */
            st->phase = PH_COMMITTED;
            gk_req_query_commit(r, "COMMIT", 0, NULL, advance);
            return;

        case PH_COMMITTED: {
            /* Committed: no poll of this process may see an older tag from
             * now on, and the other daemons are told (readcache.h,
             * listener.h). */
            if (st->created)
                gk_readcache_local_write();
            gk_metrics_submission(st->created);
            json_t *a = st->answer;
            st->answer = NULL;
            gk_reply_json(r, st->created ? 201 : 200, a);
            return;
        }
        }
    }
}

static void route(gk_req *r, bool dry)
{
    submit_st *st = calloc(1, sizeof *st);
    if (st == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    st->dry = dry;
    st->phase = PH_START;
    r->st = st;
    r->st_free = st_free;
    gk_req_with_db(r, true, advance);
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
