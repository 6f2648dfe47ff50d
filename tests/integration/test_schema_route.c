/* test_schema_route.c — GET /api/v1/formats/{version}/schema on a real
 * gongkaid: the bytes of the committed schemas/report-<version>.schema.json
 * (which tests/schema checks against the registry and validates with
 * python3-jsonschema), no token needed, 404 with a JSON error otherwise;
 * and GET /api/v1/openapi.json, the bytes of schemas/openapi.json. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static gk_h H;

/* GETs path and checks the answer is, byte for byte, the committed file
 * (relative to the repository) with that Content-Type; returns it parsed. */
static json_t *served_as_committed(const char *path, const char *file, const char *content_type)
{
    char full[512], ct[128];
    snprintf(full, sizeof full, "%s/../../%s", GK_TEST_DATA, file);
    size_t len = 0;
    char *want = gk_h_read_file(full, &len);
    ck_assert_ptr_nonnull(want);
    gk_resp r;
    ck_assert_int_eq(gk_h_http(&H, "GET", path, NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(gk_resp_header(&r, "Content-Type", ct, sizeof ct), content_type);
    ck_assert_uint_eq(r.body_len, len);
    ck_assert(memcmp(r.body, want, len) == 0);
    json_t *j = json_loads(r.body, 0, NULL);
    ck_assert_ptr_nonnull(j);
    gk_resp_free(&r);
    free(want);
    return j;
}

static void same_as_committed(const char *version)
{
    char path[256], file[256];
    snprintf(path, sizeof path, "/api/v1/formats/%s/schema", version);
    snprintf(file, sizeof file, "schemas/report-%s.schema.json", version);
    json_t *j = served_as_committed(path, file, "application/schema+json");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(j, "properties"), "format"), "const")),
                     version);
    json_decref(j);
}

START_TEST(schema_of_each_format)
{
    same_as_committed("2019");
    same_as_committed("2021");
}
END_TEST

START_TEST(openapi_served)
{
    json_t *j = served_as_committed("/api/v1/openapi.json", "schemas/openapi.json", "application/json");
    ck_assert_str_eq(json_string_value(json_object_get(j, "openapi")), "3.1.0");
    ck_assert_ptr_nonnull(json_object_get(json_object_get(json_object_get(j, "paths"), "/api/v1/openapi.json"), "get"));
    json_decref(j);
}
END_TEST

START_TEST(schema_errors_and_neighbours)
{
    gk_resp r;
    ck_assert_int_eq(gk_h_http(&H, "GET", "/api/v1/formats/1999/schema", NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 404);
    json_t *j = json_loads(r.body, 0, NULL);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "code")), "not_found");
    json_decref(j);
    gk_resp_free(&r);
    /* the format itself is still the registry's description */
    ck_assert_int_eq(gk_h_http(&H, "GET", "/api/v1/formats/2021", NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(strstr(r.body, "json-schema.org"));
    gk_resp_free(&r);
    ck_assert_int_eq(gk_h_http(&H, "POST", "/api/v1/formats/2021/schema", NULL, "{}", 2, &r), 0);
    ck_assert_int_eq(r.status, 405);
    gk_resp_free(&r);
    ck_assert_int_eq(gk_h_http(&H, "GET", "/metrics", NULL, NULL, 0, &r), 0);
    ck_assert_ptr_nonnull(strstr(r.body, "route=\"format_schema\",status=\"200\"} 2"));
    gk_resp_free(&r);
}
END_TEST

int main(void)
{
    if (gk_h_setup(&H) != 0 || gk_h_daemon_start(&H, NULL) != 0) {
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    Suite *s = suite_create("schema_route");
    TCase *tc = tcase_create("schema_route");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, schema_of_each_format);
    tcase_add_test(tc, schema_errors_and_neighbours);
    tcase_add_test(tc, openapi_served);
    suite_add_tcase(s, tc);
    return gk_h_run_suite(&H, s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
