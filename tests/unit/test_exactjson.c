/* test_exactjson.c — exact decimal numbers through JSON (issue 13, item 4):
 * what the client loads from the daemon and writes back out keeps every
 * digit, where jansson's double kept 15-17. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/exactjson.h"

START_TEST(test_client_amount_exact_round_trip)
{
    const char *text = "{\"a\":123456789012.3456,\"b\":[1,-0.5,1e5,\"x\\\"1.5\",24252.311082],"
                       "\"c\":\"2.5\",\"d\":99999999999999999.9999}";
    json_error_t e;
    json_t *j = gk_json_loadb_exact(text, strlen(text), 0, &e);
    ck_assert_msg(j != NULL, "%s", e.text);
    ck_assert_str_eq(gk_json_exact_text(json_object_get(j, "a")), "123456789012.3456");
    json_t *b = json_object_get(j, "b");
    ck_assert(json_is_integer(json_array_get(b, 0)));
    ck_assert_str_eq(gk_json_exact_text(json_array_get(b, 1)), "-0.5");
    ck_assert(json_is_real(json_array_get(b, 2)));
    ck_assert_str_eq(json_string_value(json_array_get(b, 3)), "x\"1.5");
    ck_assert_ptr_null(gk_json_exact_text(json_array_get(b, 3)));
    ck_assert_str_eq(gk_json_exact_text(json_array_get(b, 4)), "24252.311082");
    ck_assert_ptr_null(gk_json_exact_text(json_object_get(j, "c")));
    ck_assert_str_eq(gk_json_exact_text(json_object_get(j, "d")), "99999999999999999.9999");
    char *out = gk_json_dumps_exact(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    ck_assert_str_eq(out, "{\"a\":123456789012.3456,\"b\":[1,-0.5,100000.0,\"x\\\"1.5\",24252.311082],"
                          "\"c\":\"2.5\",\"d\":99999999999999999.9999}");
    free(out);
    json_decref(j);
    /* still a JSON parser: bad text is refused */
    ck_assert_ptr_null(gk_json_loadb_exact("{\"a\":1.}", 8, 0, &e));
    ck_assert_ptr_null(gk_json_loadb_exact("{\"a\":\"x", 7, 0, &e));
    ck_assert_ptr_null(gk_json_loadb_exact("[01.5]", 6, 0, &e));
    ck_assert_ptr_null(gk_json_loadb_exact("[1.5\"x\"]", 8, 0, &e));
    ck_assert_ptr_null(gk_json_exact_number("01.5"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("exactjson");
    TCase *tc = tcase_create("exactjson");
    tcase_add_test(tc, test_client_amount_exact_round_trip);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
