/* test_badinput.c — hostile and malformed input, one row of a table per
 * case: each request is sent raw over loopback, must get its documented
 * status and error code (docs/api.md, "Bad input"), and must leave the
 * database exactly as it was (rel_fingerprint before and after).
 *
 * A row is a raw request template: {T} becomes an admin token, {B} the body
 * (literal or generated), {L} the body's length.  Rows on /api/v1/check are
 * inputs the API accepts by design (a report with wrong cell types is a
 * report with findings): there the wanted "code" is a finding code. */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rel.h"

static gk_h H;
static char admin[128];

#define M "\"format\":\"2019\",\"year\":2020,\"entity\":\"350481101\""
#define HDR(method, path) method " " path " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {T}\r\n"
#define POST_CT(path, ct) HDR("POST", path) "Content-Type: " ct "\r\nContent-Length: {L}\r\n\r\n{B}"
#define SUBMIT POST_CT("/api/v1/reports", "application/json")
#define CHECK POST_CT("/api/v1/check", "application/json")
#define GET(path) HDR("GET", path) "\r\n"

/* ---- generated bodies ---- */

static char *nest(const char *open, const char *close, const char *pre, const char *post, size_t *len)
{
    enum { DEPTH = 100000 };
    size_t ol = strlen(open), cl = strlen(close), pl = strlen(pre), ql = strlen(post);
    char *b = malloc(pl + DEPTH * (ol + cl) + ql + 1);
    char *p = b;
    memcpy(p, pre, pl), p += pl;
    for (int i = 0; i < DEPTH; i++)
        memcpy(p, open, ol), p += ol;
    for (int i = 0; i < DEPTH; i++)
        memcpy(p, close, cl), p += cl;
    memcpy(p, post, ql), p += ql;
    *p = '\0';
    *len = (size_t)(p - b);
    return b;
}
static char *g_deep_array(size_t *len) { return nest("[", "]", "", "", len); }
static char *g_deep_object(size_t *len) { return nest("{\"a\":", "}", "", "", len); }
static char *g_deep_in_report(size_t *len) { return nest("[", "]", "{" M ",\"x\":", "}", len); }

static char *filled(size_t n, size_t *len)
{
    char *b = malloc(n + 1);
    memset(b, ' ', n);
    b[0] = '{';
    b[n - 1] = '}';
    b[n] = '\0';
    *len = n;
    return b;
}
static char *g_2mb(size_t *len) { return filled(2u << 20, len); }
static char *g_10mb(size_t *len) { return filled(10u << 20, len); }

static char *g_half_sample(size_t *len)
{
    char *s = gk_h_read_file(GK_TEST_DATA "/sample-350481101-2020.json", len);
    *len /= 2;
    s[*len] = '\0';
    return s;
}

static char *long_digits(size_t n, const char *pre, const char *post, size_t *len)
{
    size_t pl = strlen(pre), ql = strlen(post);
    char *b = malloc(pl + n + ql + 1);
    memcpy(b, pre, pl);
    memset(b + pl, '1', n);
    memcpy(b + pl + n, post, ql + 1);
    *len = pl + n + ql;
    return b;
}
static char *g_long_entity(size_t *len)
{
    return long_digits(5000, "{\"format\":\"2019\",\"year\":2020,\"entity\":\"", "\"}", len);
}
/* Not bodies but request lines and headers, made the same way: */
static char *g_long_url(size_t *len)
{
    return long_digits(5000, "GET /api/v1/reports/", "/2020 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                                      "Authorization: Bearer {T}\r\n\r\n", len);
}
static char *g_big_header(size_t *len)
{
    return long_digits(20000, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: ", "\r\n\r\n", len);
}
static char *g_many_headers(size_t *len)
{
    size_t cap = 3000 * 16 + 256, n = 0;
    char *b = malloc(cap);
    n += (size_t)snprintf(b, cap, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for (int i = 0; i < 3000; i++)
        n += (size_t)snprintf(b + n, cap - n, "X-H%d: v\r\n", i);
    n += (size_t)snprintf(b + n, cap - n, "\r\n");
    *len = n;
    return b;
}
static char *g_long_idem(size_t *len)
{
    return long_digits(201, HDR("POST", "/api/v1/reports") "Content-Type: application/json\r\n"
                                "Content-Length: {L}\r\nIdempotency-Key: ", "\r\n\r\n{B}", len);
}

typedef struct bad {
    const char *name;
    const char *req;               /* raw template; NULL: req_gen */
    char *(*req_gen)(size_t *len);
    const char *body;              /* NULL: body_gen (or no body) */
    char *(*body_gen)(size_t *len);
    int status;
    const char *code;              /* error code; a finding code on /check; NULL: not JSON (evhttp's own) */
    int status2;                   /* pipelined second answer, 0: none */
    const char *code2;
} bad;

static const bad cases[] = {
    /* truncated, empty, not UTF-8 */
    {"truncated_object", SUBMIT, NULL, "{" M, NULL, 400, "invalid_json", 0, NULL},
    {"truncated_string", SUBMIT, NULL, "{\"format\":\"20", NULL, 400, "invalid_json", 0, NULL},
    {"truncated_sample", SUBMIT, NULL, NULL, g_half_sample, 400, "invalid_json", 0, NULL},
    {"empty_body", SUBMIT, NULL, "", NULL, 400, "invalid_json", 0, NULL},
    {"whitespace_body", SUBMIT, NULL, " \r\n\t ", NULL, 400, "invalid_json", 0, NULL},
    {"invalid_utf8", SUBMIT, NULL, "{" M ",\"narrative\":{\"other\":\"\xff\xfe\"}}", NULL, 400, "invalid_json", 0, NULL},
    {"overlong_utf8", SUBMIT, NULL, "{" M ",\"narrative\":{\"other\":\"\xc0\xaf\"}}", NULL, 400, "invalid_json", 0, NULL},
    {"lone_surrogate", SUBMIT, NULL, "{" M ",\"narrative\":{\"other\":\"\\ud800\"}}", NULL, 400, "invalid_json", 0, NULL},
    {"utf8_bom", SUBMIT, NULL, "\xef\xbb\xbf{" M "}", NULL, 400, "invalid_json", 0, NULL},
    {"trailing_garbage", SUBMIT, NULL, "{" M "} x", NULL, 400, "invalid_json", 0, NULL},
    /* nesting and numbers */
    {"deep_array_100k", SUBMIT, NULL, NULL, g_deep_array, 400, "invalid_json", 0, NULL},
    {"deep_object_100k", SUBMIT, NULL, NULL, g_deep_object, 400, "invalid_json", 0, NULL},
    {"deep_inside_report", SUBMIT, NULL, NULL, g_deep_in_report, 400, "invalid_json", 0, NULL},
    {"number_1e400", SUBMIT, NULL, "{" M ",\"tables\":{\"active\":{\"licensing\":{\"prior_items\":1e400}}}}", NULL,
     400, "invalid_json", 0, NULL},
    {"number_2p64", SUBMIT, NULL,
     "{" M ",\"tables\":{\"active\":{\"licensing\":{\"prior_items\":18446744073709551616}}}}", NULL, 400,
     "invalid_json", 0, NULL},
    {"number_minus_2p64", SUBMIT, NULL,
     "{" M ",\"tables\":{\"active\":{\"licensing\":{\"prior_items\":-18446744073709551616}}}}", NULL, 400,
     "invalid_json", 0, NULL},
    /* issue 13: beyond the bounds a rollup can add up (docs/api.md) */
    {"count_int64_max", SUBMIT, NULL,
     "{" M ",\"tables\":{\"active\":{\"licensing\":{\"prior_items\":9223372036854775807}}}}", NULL, 422,
     "value_out_of_range", 0, NULL},
    {"amount_above_bound", SUBMIT, NULL,
     "{" M ",\"tables\":{\"active\":{\"procurement\":{\"amount_yuan\":10000000000.5}}}}", NULL, 422,
     "value_out_of_range", 0, NULL},
    {"year_2p64", SUBMIT, NULL, "{\"format\":\"2019\",\"year\":18446744073709551616,\"entity\":\"350481101\"}", NULL,
     400, "invalid_json", 0, NULL},
    {"nan_text", SUBMIT, NULL, "{" M ",\"tables\":{\"active\":{\"licensing\":{\"prior_items\":NaN}}}}", NULL, 400,
     "invalid_json", 0, NULL},
    {"infinity_text", SUBMIT, NULL, "{" M ",\"tables\":{\"active\":{\"licensing\":{\"prior_items\":Infinity}}}}",
     NULL, 400, "invalid_json", 0, NULL},
    {"minus_infinity_text", SUBMIT, NULL,
     "{" M ",\"tables\":{\"active\":{\"licensing\":{\"prior_items\":-Infinity}}}}", NULL, 400, "invalid_json", 0,
     NULL},
    {"duplicate_top_key", SUBMIT, NULL, "{" M ",\"year\":2021}", NULL, 400, "invalid_json", 0, NULL},
    {"duplicate_cell_key", SUBMIT, NULL,
     "{" M ",\"tables\":{\"active\":{\"licensing\":{\"prior_items\":1,\"prior_items\":2}}}}", NULL, 400,
     "invalid_json", 0, NULL},
    /* not a report, wrong types of the identifying keys, missing keys */
    {"top_array", SUBMIT, NULL, "[1,2,3]", NULL, 422, "not_a_report", 0, NULL},
    /* a scalar at the top is valid JSON (RFC 8259), but not a report */
    {"top_string", SUBMIT, NULL, "\"report\"", NULL, 422, "not_a_report", 0, NULL},
    {"top_null", SUBMIT, NULL, "null", NULL, 422, "not_a_report", 0, NULL},
    {"top_number", SUBMIT, NULL, "2020", NULL, 422, "not_a_report", 0, NULL},
    {"empty_object", SUBMIT, NULL, "{}", NULL, 422, "unknown_format", 0, NULL},
    {"format_number", SUBMIT, NULL, "{\"format\":2019,\"year\":2020,\"entity\":\"350481101\"}", NULL, 422,
     "unknown_format", 0, NULL},
    {"format_null", SUBMIT, NULL, "{\"format\":null,\"year\":2020,\"entity\":\"350481101\"}", NULL, 422,
     "unknown_format", 0, NULL},
    {"format_sql", SUBMIT, NULL, "{\"format\":\"2019' OR '1'='1\",\"year\":2020,\"entity\":\"350481101\"}", NULL, 422,
     "unknown_format", 0, NULL},
    {"year_missing", SUBMIT, NULL, "{\"format\":\"2019\",\"entity\":\"350481101\"}", NULL, 422, "invalid_year", 0,
     NULL},
    {"year_string", SUBMIT, NULL, "{\"format\":\"2019\",\"year\":\"2020\",\"entity\":\"350481101\"}", NULL, 422,
     "invalid_year", 0, NULL},
    {"year_fraction", SUBMIT, NULL, "{\"format\":\"2019\",\"year\":2020.5,\"entity\":\"350481101\"}", NULL, 422,
     "invalid_year", 0, NULL},
    {"year_bool", SUBMIT, NULL, "{\"format\":\"2019\",\"year\":true,\"entity\":\"350481101\"}", NULL, 422,
     "invalid_year", 0, NULL},
    {"year_negative", SUBMIT, NULL, "{\"format\":\"2019\",\"year\":-2020,\"entity\":\"350481101\"}", NULL, 422,
     "invalid_year", 0, NULL},
    {"entity_missing", SUBMIT, NULL, "{\"format\":\"2019\",\"year\":2020}", NULL, 422, "invalid_entity", 0, NULL},
    {"entity_number", SUBMIT, NULL, "{\"format\":\"2019\",\"year\":2020,\"entity\":350481101}", NULL, 422,
     "invalid_entity", 0, NULL},
    {"entity_dotdot", SUBMIT, NULL, "{\"format\":\"2019\",\"year\":2020,\"entity\":\"../350481101\"}", NULL, 422,
     "invalid_entity", 0, NULL},
    {"entity_nul", SUBMIT, NULL, "{\"format\":\"2019\",\"year\":2020,\"entity\":\"350481101\\u0000\"}", NULL, 400,
     "invalid_json", 0, NULL}, /* NUL is refused by the JSON parser itself */
    {"entity_very_long", SUBMIT, NULL, NULL, g_long_entity, 422, "invalid_entity", 0, NULL},
    {"entity_sql", SUBMIT, NULL,
     "{\"format\":\"2019\",\"year\":2020,\"entity\":\"350481101'; DROP TABLE reports; --\"}", NULL, 422,
     "invalid_entity", 0, NULL},
    {"entity_fullwidth_digit", SUBMIT, NULL, "{\"format\":\"2019\",\"year\":2020,\"entity\":\"35048110１\"}", NULL,
     422, "invalid_entity", 0, NULL},
    {"entity_unknown", SUBMIT, NULL, "{\"format\":\"2019\",\"year\":2020,\"entity\":\"350481999\"}", NULL, 422,
     "unknown_entity", 0, NULL},
    /* a report with wrong types inside: accepted with findings (judged on /check) */
    {"tables_array", CHECK, NULL, "{" M ",\"tables\":[]}", NULL, 200, "value.invalid", 0, NULL},
    {"narrative_number", CHECK, NULL, "{" M ",\"narrative\":5}", NULL, 200, "value.invalid", 0, NULL},
    {"cell_string", CHECK, NULL, "{" M ",\"tables\":{\"active\":{\"licensing\":{\"prior_items\":\"10\"}}}}", NULL,
     200, "value.invalid", 0, NULL},
    {"cell_nan_string", CHECK, NULL, "{" M ",\"tables\":{\"active\":{\"licensing\":{\"prior_items\":\"NaN\"}}}}",
     NULL, 200, "value.invalid", 0, NULL},
    {"cell_bool", CHECK, NULL, "{" M ",\"tables\":{\"active\":{\"licensing\":{\"prior_items\":true}}}}", NULL, 200,
     "value.invalid", 0, NULL},
    {"cell_object", CHECK, NULL, "{" M ",\"tables\":{\"active\":{\"licensing\":{\"prior_items\":{}}}}}", NULL, 200,
     "value.invalid", 0, NULL},
    {"cell_fraction_count", CHECK, NULL, "{" M ",\"tables\":{\"active\":{\"licensing\":{\"prior_items\":1.5}}}}",
     NULL, 200, "value.invalid", 0, NULL},
    {"extra_cell_key", CHECK, NULL, "{" M ",\"tables\":{\"active\":{\"licensing\":{\"bogus\":1}}}}", NULL, 200,
     "structure.unknown_cell", 0, NULL},
    {"missing_tables", CHECK, NULL, "{" M "}", NULL, 200, "structure.missing_table", 0, NULL},
    {"sql_in_narrative", CHECK, NULL,
     "{" M ",\"narrative\":{\"overview\":\"'); DROP TABLE reports; --\",\"problems\":\"\\\\' OR 1=1 --\","
     "\"other\":\"$1 $$ ; COMMIT; \\\"\"}}", NULL, 200, "structure.missing_table", 0, NULL},
    /* SQL meta characters in the other string fields: a finding, nothing else */
    {"published_at_sql", CHECK, NULL, "{" M ",\"published_at\":\"2021-01-20'; DROP TABLE reports; --\"}", NULL, 200,
     "value.invalid", 0, NULL},
    {"published_at_sql_or", CHECK, NULL, "{" M ",\"published_at\":\"' OR '1'='1\"}", NULL, 200, "value.invalid", 0,
     NULL},
    {"published_at_sql_dollar", CHECK, NULL, "{" M ",\"published_at\":\"$$; COMMIT; SELECT pg_sleep(10); --\"}",
     NULL, 200, "value.invalid", 0, NULL},
    {"narrative_key_sql", CHECK, NULL, "{" M ",\"narrative\":{\"overview'; DROP TABLE reports; --\":\"x\"}}", NULL,
     200, "structure.unknown_cell", 0, NULL},
    {"table_key_sql", CHECK, NULL, "{" M ",\"tables\":{\"active' OR '1'='1\":{}}}", NULL, 200,
     "structure.unknown_cell", 0, NULL},
    {"cell_sql_string", CHECK, NULL,
     "{" M ",\"tables\":{\"active\":{\"licensing\":{\"prior_items\":\"1; DROP TABLE reports; --\"}}}}", NULL, 200,
     "value.invalid", 0, NULL},
    /* content type, size, idempotency key */
    {"content_type_text", POST_CT("/api/v1/reports", "text/plain"), NULL, "{" M "}", NULL, 415,
     "unsupported_media_type", 0, NULL},
    {"content_type_missing", HDR("POST", "/api/v1/reports") "Content-Length: {L}\r\n\r\n{B}", NULL, "{" M "}", NULL,
     415, "unsupported_media_type", 0, NULL},
    {"content_type_jsonp", POST_CT("/api/v1/reports", "application/jsonp"), NULL, "{" M "}", NULL, 415,
     "unsupported_media_type", 0, NULL},
    {"content_type_form", POST_CT("/api/v1/reports", "application/x-www-form-urlencoded"), NULL, "{" M "}", NULL, 415,
     "unsupported_media_type", 0, NULL},
    {"body_2mb", SUBMIT, NULL, NULL, g_2mb, 413, "body_too_large", 0, NULL},
    {"body_10mb", SUBMIT, NULL, NULL, g_10mb, 413, NULL, 0, NULL},
    {"idempotency_key_201", NULL, g_long_idem, "{" M "}", NULL, 400, "invalid_idempotency_key", 0, NULL},
    /* paths and query strings */
    {"url_dotdot", GET("/api/v1/reports/../../etc/passwd"), NULL, NULL, NULL, 404, "not_found", 0, NULL},
    {"url_encoded_dotdot", GET("/api/v1/reports/..%2F..%2Fetc%2Fpasswd/2020"), NULL, NULL, NULL, 404, "not_found", 0,
     NULL},
    {"url_nul", GET("/api/v1/reports/350481101%00/2020"), NULL, NULL, NULL, 404, "not_found", 0, NULL},
    {"url_long_entity", NULL, g_long_url, NULL, NULL, 404, "not_found", 0, NULL},
    {"url_region_sql", GET("/api/v1/regions/35'%20OR%20'1'='1"), NULL, NULL, NULL, 404, "not_found", 0, NULL},
    {"url_year_sql", GET("/api/v1/regions/35/rollup?year=2020'--"), NULL, NULL, NULL, 400, "invalid_year", 0, NULL},
    {"url_revision_sql", GET("/api/v1/reports/350481101/2020?revision=1;DROP%20TABLE%20reports"), NULL, NULL, NULL,
     400, "invalid_parameter", 0, NULL},
    {"url_year_huge", GET("/api/v1/reports/350481101/18446744073709551616"), NULL, NULL, NULL, 404, "not_found", 0,
     NULL},
    /* tokens */
    {"auth_sql", "GET /api/v1/regions/35 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                 "Authorization: Bearer ' OR '1'='1\r\n\r\n", NULL, NULL, NULL, 401, "unauthorized", 0, NULL},
    {"auth_basic", "GET /api/v1/regions/35 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                   "Authorization: Basic YWRtaW46YWRtaW4=\r\n\r\n", NULL, NULL, NULL, 401, "unauthorized", 0, NULL},
    {"auth_empty_bearer", "GET /api/v1/regions/35 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                          "Authorization: Bearer \r\n\r\n", NULL, NULL, NULL, 401, "unauthorized", 0, NULL},
    /* methods and protocol */
    {"method_put", HDR("PUT", "/api/v1/reports") "Content-Type: application/json\r\nContent-Length: {L}\r\n\r\n{B}",
     NULL, "{" M "}", NULL, 405, "method_not_allowed", 0, NULL},
    {"method_delete", HDR("DELETE", "/api/v1/reports/350481101/2020") "\r\n", NULL, NULL, NULL, 405,
     "method_not_allowed", 0, NULL},
    {"method_trace", HDR("TRACE", "/api/v1/reports") "\r\n", NULL, NULL, NULL, 405, "method_not_allowed", 0, NULL},
    {"method_unknown", HDR("FOO", "/api/v1/reports") "\r\n", NULL, NULL, NULL, 501, NULL, 0, NULL}, /* evhttp */
    {"method_connect", HDR("CONNECT", "gk.example:443") "\r\n", NULL, NULL, NULL, 405, "method_not_allowed", 0,
     NULL},
    {"http10_get", "GET /healthz HTTP/1.0\r\n\r\n", NULL, NULL, NULL, 200, "", 0, NULL},
    {"http10_post_invalid", "POST /api/v1/reports HTTP/1.0\r\nAuthorization: Bearer {T}\r\n"
                            "Content-Type: application/json\r\nContent-Length: {L}\r\n\r\n{B}",
     NULL, "{oops", NULL, 400, "invalid_json", 0, NULL},
    {"pipelined_get_then_bad_post", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" SUBMIT, NULL, "[]", NULL, 200, "", 422,
     "not_a_report"},
    {"pipelined_bad_posts", "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {T}\r\n"
                            "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}" SUBMIT, NULL, "{", NULL, 415,
     "unsupported_media_type", 400, "invalid_json"},
    {"header_over_limit", NULL, g_big_header, NULL, NULL, 400, NULL, 0, NULL},
    {"headers_too_many", NULL, g_many_headers, NULL, NULL, 400, NULL, 0, NULL},
    {"garbage_request_line", "HELLO\r\n\r\n", NULL, NULL, NULL, 400, NULL, 0, NULL},
    {"chunked_invalid_json", HDR("POST", "/api/v1/reports") "Content-Type: application/json\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n0\r\n\r\n", NULL, NULL, NULL, 400,
     "invalid_json", 0, NULL},
    {"content_length_negative", HDR("POST", "/api/v1/reports") "Content-Type: application/json\r\n"
                                "Content-Length: -5\r\n\r\n{}", NULL, NULL, NULL, 400, NULL, 0, NULL},
    {"content_length_huge", HDR("POST", "/api/v1/reports") "Content-Type: application/json\r\n"
                            "Content-Length: 99999999999\r\n\r\n{}", NULL, NULL, NULL, 413, NULL, 0, NULL},
};

/* Replaces {T}, {L} and {B} in the template. */
static char *expand(const char *tpl, size_t tpl_len, const char *body, size_t blen, size_t *out_len)
{
    char lens[24];
    snprintf(lens, sizeof lens, "%zu", blen);
    size_t cap = tpl_len + blen + strlen(admin) * 4 + 64, n = 0;
    char *out = malloc(cap);
    for (size_t i = 0; i < tpl_len;) {
        if (tpl[i] == '{' && i + 2 < tpl_len && tpl[i + 2] == '}' && strchr("TLB", tpl[i + 1])) {
            const char *s = tpl[i + 1] == 'T' ? admin : tpl[i + 1] == 'L' ? lens : body;
            size_t sl = tpl[i + 1] == 'B' ? blen : strlen(s);
            memcpy(out + n, s, sl);
            n += sl;
            i += 3;
        } else {
            out[n++] = tpl[i++];
        }
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}

/* The second response of a pipelined answer, if any. */
static const char *second_response(const char *raw)
{
    const char *h = strstr(raw, "\r\n\r\n");
    const char *cl = h != NULL ? strcasestr(raw, "\r\nContent-Length:") : NULL;
    if (h == NULL || cl == NULL || cl > h)
        return NULL;
    const char *next = h + 4 + strtol(cl + 17, NULL, 10);
    return strncmp(next, "HTTP/1.", 7) == 0 ? next : NULL;
}

static void check_answer(const bad *c, const char *raw, int status, const char *code, int which)
{
    int got = rel_status(raw);
    const char *shown = raw != NULL && strstr(raw, "\r\n\r\n") ? strstr(raw, "\r\n\r\n") + 4 : raw;
    ck_assert_msg(got == status, "%s (answer %d): status %d, wanted %d: %.300s", c->name, which, got, status,
                  shown ? shown : "(no answer)");
    if (code == NULL)
        return;
    char gcode[64];
    if (status == 200) {
        if (code[0] != '\0') {
            char needle[80];
            snprintf(needle, sizeof needle, "\"code\":\"%s\"", code);
            ck_assert_msg(strstr(raw, needle) != NULL, "%s: no finding %s: %.300s", c->name, code, raw);
        }
        return;
    }
    rel_error_code(raw, gcode, sizeof gcode);
    ck_assert_msg(strcmp(gcode, code) == 0, "%s (answer %d): code '%s', wanted %s: %.400s", c->name, which, gcode,
                  code, raw);
    /* the documented shape: message and path members present */
    const char *b = strstr(raw, "\r\n\r\n");
    json_error_t e;
    json_t *j = json_loads(b + 4, JSON_DISABLE_EOF_CHECK, &e);
    json_t *err = json_object_get(j, "error");
    ck_assert_msg(json_is_string(json_object_get(err, "message")) && json_is_string(json_object_get(err, "path")),
                  "%s: error without message/path", c->name);
    json_decref(j);
}

START_TEST(bad_input_table)
{
    const bad *c = &cases[_i];
    size_t blen = 0, tlen = 0, rlen = 0, alen = 0;
    char *gen_body = c->body_gen != NULL ? c->body_gen(&blen) : NULL;
    const char *body = gen_body != NULL ? gen_body : c->body != NULL ? c->body : "";
    if (gen_body == NULL)
        blen = strlen(body);
    char *gen_req = c->req_gen != NULL ? c->req_gen(&tlen) : NULL;
    const char *tpl = gen_req != NULL ? gen_req : c->req;
    if (gen_req == NULL)
        tlen = strlen(tpl);
    char *req = expand(tpl, tlen, body, blen, &rlen);
    char *before = rel_fingerprint(&H);
    char *raw = rel_raw(&H, req, rlen, 20000, &alen);
    check_answer(c, raw, c->status, c->code, 1);
    if (c->status2 != 0) {
        const char *second = raw != NULL ? second_response(raw) : NULL;
        ck_assert_msg(second != NULL, "%s: no second answer: [%s]", c->name, raw ? raw : "");
        check_answer(c, second, c->status2, c->code2, 2);
    }
    /* the daemon is still there and nothing changed */
    ck_assert_int_eq(gk_h_wait_health(&H, 200, 15000), 0); /* a deadline: a busy CI may need more than 5 s */
    char *after = rel_fingerprint(&H);
    ck_assert_ptr_nonnull(before);
    ck_assert_ptr_nonnull(after);
    ck_assert_msg(strcmp(before, after) == 0, "%s changed the database: %s -> %s", c->name, before, after);
    free(before);
    free(after);
    free(raw);
    free(req);
    free(gen_req);
    free(gen_body);
}
END_TEST

/* SQL meta characters that the API does accept (free text, the key) are
 * stored byte for byte and do nothing else. */
START_TEST(sql_meta_stored_verbatim)
{
    const char *body = "{" M ",\"published_at\":\"2021-01-20'; DROP TABLE reports; --\","
                       "\"narrative\":{\"overview\":\"x'); DROP TABLE reports; --\","
                       "\"problems\":\"\\\\' OR 1=1 --\",\"other\":\"$$; COMMIT; SELECT pg_sleep(10); --\"}}";
    char tpl[512];
    snprintf(tpl, sizeof tpl, "%s", HDR("POST", "/api/v1/reports") "Content-Type: application/json\r\n"
                                    "Content-Length: {L}\r\nIdempotency-Key: k'); DELETE FROM reports; --\r\n\r\n{B}");
    size_t rlen, alen;
    char *req = expand(tpl, strlen(tpl), body, strlen(body), &rlen);
    long t0 = rel_now_ms();
    char *raw = rel_raw(&H, req, rlen, 10000, &alen);
    ck_assert_msg(rel_status(raw) == 201, "%.400s", raw ? raw : "");
    /* no pg_sleep(10) ran: well under its 10 s, and not a speed bound a
     * busy machine could break (a submission takes about 0.5 s at load 15) */
    ck_assert_int_lt(rel_now_ms() - t0, 9000);
    const char *v[] = {body};
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM reports WHERE entity = '350481101' AND year = 2020"
                                       " AND body_text = $1", 1, v), 1);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM idempotency WHERE key = 'k''); DELETE FROM reports; --'",
                                   0, NULL), 1);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM pg_tables WHERE tablename = 'reports'", 0, NULL), 1);
    free(raw);
    free(req);
}
END_TEST

int main(void)
{
    if (gk_h_setup(&H) != 0 || rel_import_regions(&H) != 0 || rel_token(&H, "0", "admin", admin, sizeof admin) != 0 ||
        gk_h_daemon_start(&H, NULL) != 0) {
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    size_t n = sizeof cases / sizeof cases[0];
    fprintf(stderr, "bad input: %zu table rows\n", n);
    Suite *s = suite_create("badinput");
    TCase *tc = tcase_create("badinput");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, bad_input_table, 0, (int)n);
    tcase_add_test(tc, sql_meta_stored_verbatim);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return rel_finish(&H, failed);
}
