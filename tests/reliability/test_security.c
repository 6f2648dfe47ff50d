/* test_security.c — who may do what, with the daemon connected to
 * PostgreSQL as a member of the least-privilege role gongkai_daemon
 * (sql/030_daemon_role.sql):
 *  - the role can serve every route but cannot rewrite history, mint tokens,
 *    change the registry or run DDL (each attempt: permission denied);
 *  - route × token × target scope, as a table (extends test_api.c's
 *    auth_matrix with public routes, two subtrees and every level);
 *  - tokens: stored only as SHA-256, never in the daemon's log nor echoed
 *    in an answer. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rel.h"

static gk_h H;

/* ---- tokens and what each may see ---- */
enum { T_ADMIN, T_SUB_TOWN, T_SUB_COUNTY, T_VIEW_COUNTY, T_VIEW_PROV, T_SUB_OTHER, T_VIEW_OTHER, T_REVOKED,
       T_NONE, T_GARBAGE, T_N };
static const struct {
    const char *region, *role;
} tok_def[T_N] = {
    {"0", "admin"}, {"350481101", "submitter"}, {"350481", "submitter"}, {"350481", "viewer"},
    {"35", "viewer"}, {"360102", "submitter"}, {"36", "viewer"}, {"350481", "admin"}, {NULL, NULL}, {NULL, NULL},
};
static char tok[T_N][128];

/* The targets of the matrix, and for each token whether the target is at or
 * below its region (written out by hand from the registry's tree, not
 * computed).  Columns: tokens in enum order (the last three never). */
enum { G_TOWN, G_COUNTY, G_PROV, G_ROOT, G_OTHER_TOWN, G_OTHER_COUNTY, G_N };
static const char *const target[G_N] = {"350481101", "350481", "35", "0", "360102001", "360102"};
static const int in_scope[G_N][T_N] = {
    /*               ADM TOWN SCTY VCTY VPRV SOTH VOTH REV NONE GARB */
    [G_TOWN]         = {1, 1, 1, 1, 1, 0, 0, 0, 0, 0},
    [G_COUNTY]       = {1, 0, 1, 1, 1, 0, 0, 0, 0, 0},
    [G_PROV]         = {1, 0, 0, 0, 1, 0, 0, 0, 0, 0},
    [G_ROOT]         = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    [G_OTHER_TOWN]   = {1, 0, 0, 0, 0, 1, 1, 0, 0, 0},
    [G_OTHER_COUNTY] = {1, 0, 0, 0, 0, 1, 1, 0, 0, 0},
};

typedef enum { K_PUBLIC, K_READ, K_CHECK, K_SUBMIT, K_REVIEW } kind;
typedef struct route {
    const char *method;
    const char *path;      /* %s: the target */
    kind k;
    bool entity_only;      /* only townships are targets */
} route;
static const route routes[] = {
    {"GET", "/healthz", K_PUBLIC, false},
    {"GET", "/metrics", K_PUBLIC, false},
    {"GET", "/api/v1/formats", K_PUBLIC, false},
    {"GET", "/api/v1/formats/2019", K_PUBLIC, false},
    {"POST", "/api/v1/reports", K_SUBMIT, true},
    {"POST", "/api/v1/check", K_CHECK, true},
    {"GET", "/api/v1/reports/%s/2020", K_READ, true},
    {"GET", "/api/v1/reports/%s/2020?revision=1", K_READ, true},
    {"GET", "/api/v1/reports/%s/2020/revisions", K_READ, true},
    {"GET", "/api/v1/reports/%s/2020/diff?from=1&to=1", K_READ, true},
    {"GET", "/api/v1/regions/%s", K_READ, false},
    {"GET", "/api/v1/regions/%s/rollup?year=2020", K_READ, false},
    {"GET", "/api/v1/regions/%s/rollup?year=2020&format=csv", K_READ, false},
    {"GET", "/api/v1/regions/%s/compliance?year=2020", K_READ, false},
    {"GET", "/api/v1/reports/%s/2020/review", K_READ, true},
    {"GET", "/api/v1/regions/%s/benchmark?year=2020&cell=active.rules.new_made", K_READ, false},
    {"GET", "/api/v1/regions/%s/benchmark?year=2020", K_READ, false},
    {"GET", "/api/v1/regions/%s/trend?year=2020&cell=active.rules.new_made", K_READ, false},
    /* reopening a pending report: 409 for whoever may review, so nothing changes */
    {"POST", "/api/v1/reports/%s/2020/review", K_REVIEW, true},
    /* issue 17: the office's marks, the board's filter, the supervision list */
    {"GET", "/api/v1/reports/%s/2020/findings/marks", K_READ, true},
    /* a finding no judgement has: 409 finding_not_current for whoever may mark, so nothing changes */
    {"POST", "/api/v1/reports/%s/2020/findings/marks", K_REVIEW, true},
    {"GET", "/api/v1/regions/%s/compliance?year=2020&review=returned", K_READ, false},
    {"GET", "/api/v1/regions/%s/supervision?year=2020", K_READ, false},
    {"GET", "/api/v1/regions/%s/supervision?year=2020&format=html", K_READ, false},
    {"GET", "/api/v1/regions/%s/supervision?year=2020&format=xlsx", K_READ, false},
    {"GET", "/api/v1/regions/%s/supervision?year=2020&format=docx", K_READ, false},
};

/* The body of a K_REVIEW route: reopening a pending report, or marking a
 * finding no judgement has (409 finding_not_current) — both change nothing. */
static const char *review_body(const route *rt)
{
    if (strstr(rt->path, "/findings/marks") != NULL)
        return "{\"code\":\"no.such.finding\",\"mark\":\"dismissed\",\"reason\":\"矩阵测试\"}";
    return "{\"action\":\"reopen\",\"comment\":\"重新开启\"}";
}

static int expected(const route *rt, int g, int t)
{
    if (rt->k == K_PUBLIC)
        return 200;
    if (t == T_REVOKED || t == T_NONE || t == T_GARBAGE)
        return 401;
    if (!in_scope[g][t])
        return 403;
    if (rt->k == K_SUBMIT && strcmp(tok_def[t].role, "viewer") == 0)
        return 403;
    /* reviewing: viewers and admins strictly above the entity, never a submitter */
    if (rt->k == K_REVIEW)
        return strcmp(tok_def[t].role, "submitter") == 0 || strcmp(tok_def[t].region, target[g]) == 0 ? 403 : 409;
    return 200;   /* a submission of the stored content is a 200 that changes nothing */
}

static char *report_for(const char *entity)
{
    return rel_report(entity, 2020, 10);
}

static gk_resp call(const char *method, const char *path, int t, const char *body)
{
    char ah[200];
    const char *hdr[3] = {NULL};
    int n = 0;
    if (t == T_GARBAGE)
        hdr[n++] = "Authorization: Bearer gk_0000000000000000000000000000000000000000000000000000000000000000";
    else if (t != T_NONE) {
        snprintf(ah, sizeof ah, "Authorization: Bearer %s", tok[t]);
        hdr[n++] = ah;
    }
    if (body != NULL)
        hdr[n++] = "Content-Type: application/json";
    gk_resp r;
    ck_assert_int_eq(gk_h_http(&H, method, path, hdr, body, body ? strlen(body) : 0, &r), 0);
    return r;
}

START_TEST(scope_matrix)
{
    /* every target township has revision 1 of the same content */
    for (int g = 0; g < G_N; g++) {
        if (strlen(target[g]) != 9)
            continue;
        char *b = report_for(target[g]);
        gk_resp r = call("POST", "/api/v1/reports", T_ADMIN, b);
        ck_assert_msg(r.status == 201 || r.status == 200, "seed %s: %d %s", target[g], r.status, r.body);
        gk_resp_free(&r);
        free(b);
    }
    char *before = rel_fingerprint(&H);
    int cells = 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const route *rt = &routes[i];
        for (int g = 0; g < G_N; g++) {
            if (rt->entity_only && strlen(target[g]) != 9)
                continue;
            char path[256];
            snprintf(path, sizeof path, rt->path, target[g]);
            char *body = rt->k == K_REVIEW ? strdup(review_body(rt))
                         : rt->method[0] == 'P' ? report_for(target[g])
                                                : NULL;
            for (int t = 0; t < T_N; t++) {
                int want = expected(rt, g, t);
                gk_resp r = call(rt->method, path, t, body);
                ck_assert_msg(r.status == want, "%s %s (target %s) with token %d (%s %s): %d, wanted %d: %.200s",
                              rt->method, path, target[g], t, tok_def[t].role ? tok_def[t].role : "-",
                              tok_def[t].region ? tok_def[t].region : "-", r.status, want, r.body);
                if (want == 401 || want == 403) {
                    char code[32];
                    json_error_t e;
                    json_t *j = json_loads(r.body, 0, &e);
                    snprintf(code, sizeof code, "%s",
                             json_string_value(json_object_get(json_object_get(j, "error"), "code")) ?: "");
                    json_decref(j);
                    ck_assert_str_eq(code, want == 401 ? "unauthorized" : "forbidden");
                }
                for (int k = 0; k < T_N; k++)   /* no answer echoes a token */
                    ck_assert(tok[k][0] == '\0' || strstr(r.body, tok[k] + 3) == NULL);
                gk_resp_free(&r);
                if (rt->k != K_PUBLIC || g == 0)
                    cells++;
            }
            free(body);
            if (rt->k == K_PUBLIC)
                break;   /* no target */
        }
    }
    fprintf(stderr, "scope matrix: %d cells\n", cells);
    char *after = rel_fingerprint(&H);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}
END_TEST

START_TEST(daemon_role_is_least_privilege)
{
    /* the daemon really runs as that role */
    ck_assert_int_ge(gk_h_sql_long(&H, "SELECT count(*) FROM pg_stat_activity WHERE usename = 'gk_it_daemon'", 0,
                                   NULL), 1);
    char ci[300];
    snprintf(ci, sizeof ci, "host=%s port=5432 user=gk_it_daemon dbname=postgres", H.dir);
    PGconn *d = PQconnectdb(ci);
    ck_assert_int_eq(PQstatus(d), CONNECTION_OK);
    static const char *const forbidden[] = {
        "UPDATE reports SET status = 'ok'",
        "DELETE FROM reports",
        "TRUNCATE reports",
        "UPDATE audit SET peer = 'x'",
        "DELETE FROM audit",
        "DELETE FROM idempotency",
        "INSERT INTO tokens (hash, region, role) VALUES ('\\x00', '0', 'admin')",
        "UPDATE tokens SET revoked_at = NULL",
        "UPDATE tokens SET role = 'admin'",
        "INSERT INTO regions (code, name, parent, level, path) VALUES ('99', 'x', '0', 1, '{0,99}')",
        "UPDATE regions SET name = 'x'",
        "INSERT INTO deadlines VALUES ('0', 2020, '2020-01-01')",
        "CREATE TABLE t (x int)",
        "DROP TABLE reports",
        "ALTER TABLE reports DISABLE TRIGGER reports_append_only",
        "SELECT nextval('gk_generation')",
        "INSERT INTO schema_migrations (version) VALUES ('999')",
        /* console accounts (sql/120_accounts.sql): only a rehash and session bookkeeping */
        "INSERT INTO users (name, token_id, password_hash) VALUES ('x', 1, '$argon2id$x')",
        "UPDATE users SET disabled_at = NULL",
        "UPDATE users SET token_id = 1",
        "DELETE FROM sessions",
        "UPDATE sessions SET expires_at = now() + interval '1 year'",
        "UPDATE sessions SET user_id = 1",
    };
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++) {
        PGresult *res = PQexec(d, forbidden[i]);
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        ck_assert_msg(state != NULL && (strcmp(state, "42501") == 0 || strcmp(state, "42P01") == 0),
                      "the daemon role may: %s (%s)", forbidden[i], PQresultErrorMessage(res));
        ck_assert_msg(strcmp(state, "42501") == 0, "%s: %s", forbidden[i], PQresultErrorMessage(res));
        PQclear(res);
    }
    PQfinish(d);
}
END_TEST

START_TEST(tokens_hashed_and_never_logged)
{
    /* stored: only SHA-256 of the token */
    for (int t = 0; t < T_N; t++) {
        if (tok[t][0] == '\0')
            continue;
        const char *v[] = {tok[t]};
        ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM tokens WHERE hash = sha256(convert_to($1, 'UTF8'))",
                                       1, v), 1);
        ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM tokens t WHERE t::text LIKE '%' || $1 || '%'", 1, v),
                         0);
    }
    /* the log has one line per request above, with token ids: never a token */
    size_t n = 0;
    char *log = gk_h_read_file(H.daemon_log, &n);
    ck_assert_ptr_nonnull(log);
    ck_assert_ptr_nonnull(strstr(log, "token=1 "));
    for (int t = 0; t < T_N; t++)
        if (tok[t][0] != '\0')
            ck_assert_msg(strstr(log, tok[t] + 3) == NULL, "token %d in the log", t);
    ck_assert_ptr_null(strstr(log, "Bearer gk_"));
    ck_assert_ptr_null(strstr(log, "0000000000000000000000000000000000000000000000000000000000000000"));
    free(log);
}
END_TEST

static int seed(void)
{
    if (rel_import_regions(&H) != 0)
        return -1;
    for (int t = 0; t < T_N; t++)
        if (tok_def[t].region != NULL && rel_token(&H, tok_def[t].region, tok_def[t].role, tok[t], sizeof tok[t]) != 0)
            return -1;
    char *id = gk_h_sql1(&H, "SELECT max(id)::text FROM tokens", 0, NULL);   /* T_REVOKED: the last made */
    const char *rv[] = {"token", "revoke", id, NULL};
    int rc = gk_h_cli(&H, NULL, 0, rv);
    free(id);
    if (rc != 0)
        return -1;
    /* the daemon's login role: a member of gongkai_daemon and nothing else */
    PGresult *res = PQexec(H.sql, "CREATE ROLE gk_it_daemon LOGIN IN ROLE gongkai_daemon");
    rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc != 0)
        fprintf(stderr, "%s", PQresultErrorMessage(res));
    PQclear(res);
    return rc;
}

int main(void)
{
    if (gk_h_setup(&H) != 0 || seed() != 0) {
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    /* start the daemon as gk_it_daemon; the CLI and the test keep the owner */
    char owner[sizeof H.conninfo];
    snprintf(owner, sizeof owner, "%s", H.conninfo);
    snprintf(H.conninfo, sizeof H.conninfo, "host=%s port=5432 user=gk_it_daemon dbname=postgres", H.dir);
    int started = gk_h_daemon_start(&H, NULL);
    snprintf(H.conninfo, sizeof H.conninfo, "%s", owner);
    if (started != 0) {
        fprintf(stderr, "the daemon does not start as gongkai_daemon\n");
        return rel_finish(&H, 1);
    }
    Suite *s = suite_create("security");
    TCase *tc = tcase_create("security");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, scope_matrix);
    tcase_add_test(tc, daemon_role_is_least_privilege);
    tcase_add_test(tc, tokens_hashed_and_never_logged);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return rel_finish(&H, failed);
}
