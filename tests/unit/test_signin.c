/* test_signin.c — the daemon's sign-in pieces that need no server: the
 * name and password rules and Argon2id (daemon/password.c), the sign-in
 * body, cookie and same-origin readers (daemon/session_parse.c), and the
 * failed-sign-in counter's window and bounds (daemon/throttle.c). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "password.h"
#include "session_parse.h"
#include "throttle.h"

START_TEST(name_and_password_rules)
{
    ck_assert_ptr_null(gk_user_name_problem("张三", strlen("张三")));
    ck_assert_ptr_null(gk_user_name_problem("office-1.a_b", 12));
    ck_assert_ptr_nonnull(gk_user_name_problem("", 0));
    ck_assert_ptr_nonnull(gk_user_name_problem("a b", 3));
    ck_assert_ptr_nonnull(gk_user_name_problem("a\tb", 3));
    ck_assert_ptr_nonnull(gk_user_name_problem("a\0b", 3));
    ck_assert_ptr_nonnull(gk_user_name_problem("\xe5\xbc", 2));            /* truncated UTF-8 */
    ck_assert_ptr_nonnull(gk_user_name_problem("\xc0\xaf", 2));            /* overlong '/' */
    ck_assert_ptr_nonnull(gk_user_name_problem("\xed\xa0\x80", 3));        /* a surrogate */
    ck_assert_ptr_nonnull(gk_user_name_problem("a\xe3\x80\x80" "b", 5));   /* ideographic space */
    char longname[66];
    memset(longname, 'x', 65);
    longname[65] = '\0';
    ck_assert_ptr_nonnull(gk_user_name_problem(longname, 65));
    ck_assert_ptr_null(gk_user_name_problem(longname, 64));
    /* passwords: 8 characters (not bytes), spaces allowed, not the name */
    ck_assert_ptr_null(gk_password_problem("correct horse", 13, "li"));
    ck_assert_ptr_null(gk_password_problem("政府信息公开年度", strlen("政府信息公开年度"), "li"));
    ck_assert_ptr_nonnull(gk_password_problem("政府信息公开年", strlen("政府信息公开年"), "li"));   /* 7 characters */
    ck_assert_ptr_nonnull(gk_password_problem("short", 5, "li"));
    ck_assert_ptr_nonnull(gk_password_problem("lilililili", 10, "lilililili"));
    ck_assert_ptr_nonnull(gk_password_problem("tab\there-ok?", 12, "li"));
    ck_assert_ptr_nonnull(gk_password_problem("", 0, "li"));
    static char big[GK_PASSWORD_MAX + 2];
    memset(big, 'p', sizeof big - 1);
    ck_assert_ptr_nonnull(gk_password_problem(big, GK_PASSWORD_MAX + 1, "li"));
    ck_assert_ptr_null(gk_password_problem(big, GK_PASSWORD_MAX, "li"));
}
END_TEST

START_TEST(argon2id_hash_verify_rehash)
{
    ck_assert_int_eq(gk_password_init(), 0);
    char h[GK_PWHASH_STRBYTES];
    ck_assert_int_eq(gk_password_hash(h, "secret-pass", 11, 1, 64), 0);
    ck_assert_msg(strncmp(h, "$argon2id$v=19$m=64,t=1,p=1$", 28) == 0, "%s", h);
    ck_assert(gk_password_verify(h, "secret-pass", 11));
    ck_assert(!gk_password_verify(h, "secret-pasS", 11));
    ck_assert(!gk_password_verify(h, "secret-pass", 10));
    ck_assert(!gk_password_verify("", "secret-pass", 11));
    ck_assert(!gk_password_verify("$argon2id$garbage", "secret-pass", 11));
    /* salted: the same password twice gives two hashes */
    char h2[GK_PWHASH_STRBYTES];
    ck_assert_int_eq(gk_password_hash(h2, "secret-pass", 11, 1, 64), 0);
    ck_assert_str_ne(h, h2);
    ck_assert(!gk_password_needs_rehash(h, 1, 64));
    ck_assert(gk_password_needs_rehash(h, 2, 64));
    ck_assert(gk_password_needs_rehash(h, 1, 128));
    ck_assert(gk_password_needs_rehash("not a hash", 1, 64));
}
END_TEST

static int parse(const char *body, gk_signin *in, const char **path)
{
    const char *why = NULL;
    int rc = gk_signin_parse(body, strlen(body), in, &why, path);
    ck_assert(rc == 0 ? why == NULL : why != NULL);
    return rc;
}

START_TEST(signin_body)
{
    gk_signin in;
    const char *path = NULL;
    ck_assert_int_eq(parse("{\"name\":\"张三\",\"password\":\"p w\\u00e9\"}", &in, &path), 0);
    ck_assert_str_eq(in.name, "张三");
    ck_assert_uint_eq(in.pw_len, 5);
    ck_assert_int_eq(memcmp(in.pw, "p w\xc3\xa9", 5), 0);
    /* a NUL inside a string is not JSON jansson accepts by default */
    ck_assert_int_eq(parse("{\"name\":\"a\",\"password\":\"p\\u0000w\"}", &in, &path), -1);
    ck_assert_int_eq(parse("", &in, &path), -1);
    ck_assert_str_eq(path, "");
    ck_assert_int_eq(parse("[1]", &in, &path), -1);
    ck_assert_int_eq(parse("{\"name\":\"a\",\"name\":\"b\",\"password\":\"x\"}", &in, &path), -1);
    ck_assert_int_eq(parse("{\"name\":\"a\",\"password\":\"x\",\"role\":\"admin\"}", &in, &path), -1);
    ck_assert_int_eq(parse("{\"password\":\"x\"}", &in, &path), -1);
    ck_assert_str_eq(path, "name");
    ck_assert_int_eq(parse("{\"name\":\"a b\",\"password\":\"x\"}", &in, &path), -1);
    ck_assert_str_eq(path, "name");
    ck_assert_int_eq(parse("{\"name\":\"a\",\"password\":\"\"}", &in, &path), -1);
    ck_assert_str_eq(path, "password");
    ck_assert_int_eq(parse("{\"name\":\"a\",\"password\":7}", &in, &path), -1);
    ck_assert_str_eq(path, "password");
}
END_TEST

START_TEST(session_cookie)
{
    const char *sid = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    char h[200], out[GK_SESSION_ID_HEX + 1];
    snprintf(h, sizeof h, "gk_session=%s", sid);
    ck_assert(gk_session_cookie(h, out));
    ck_assert_str_eq(out, sid);
    snprintf(h, sizeof h, "a=1;  b=2; gk_session=%s ; c=3", sid);
    ck_assert(gk_session_cookie(h, out));
    ck_assert_str_eq(out, sid);
    snprintf(h, sizeof h, "xgk_session=%s", sid);           /* another cookie's name */
    ck_assert(!gk_session_cookie(h, out));
    snprintf(h, sizeof h, "gk_session=%.63s", sid);         /* too short */
    ck_assert(!gk_session_cookie(h, out));
    snprintf(h, sizeof h, "gk_session=%sa", sid);           /* too long */
    ck_assert(!gk_session_cookie(h, out));
    snprintf(h, sizeof h, "gk_session=%.63sG", sid);        /* not hex */
    ck_assert(!gk_session_cookie(h, out));
    ck_assert(!gk_session_cookie("gk_session=", out));
    ck_assert(!gk_session_cookie("", out));
    ck_assert(!gk_session_cookie(NULL, out));
}
END_TEST

START_TEST(same_origin)
{
    const char *host = "gongkai.example.gov.cn";
    ck_assert(gk_same_origin("https://gongkai.example.gov.cn", "same-origin", host, true));
    ck_assert(gk_same_origin("https://GONGKAI.example.gov.cn", NULL, host, true));
    ck_assert(gk_same_origin(NULL, "same-origin", host, true));
    ck_assert(gk_same_origin("http://127.0.0.1:8080", NULL, "127.0.0.1:8080", true));
    ck_assert(!gk_same_origin(NULL, NULL, host, true));      /* no evidence */
    ck_assert(gk_same_origin(NULL, NULL, host, false));      /* … enough for sign-in by a script */
    ck_assert(!gk_same_origin("https://evil.example", NULL, host, false));
    ck_assert(!gk_same_origin("https://gongkai.example.gov.cn.evil.example", NULL, host, true));
    ck_assert(!gk_same_origin("https://gongkai.example.gov.cn:444", NULL, host, true));
    ck_assert(!gk_same_origin("null", NULL, host, true));
    ck_assert(!gk_same_origin("https://gongkai.example.gov.cn", "same-site", host, true));
    ck_assert(!gk_same_origin("https://gongkai.example.gov.cn", "cross-site", host, true));
    ck_assert(!gk_same_origin(NULL, "none", host, true));
    ck_assert(!gk_same_origin("https://gongkai.example.gov.cn", NULL, NULL, true));
    ck_assert(!gk_same_origin("https://gongkai.example.gov.cn", NULL, "", true));
}
END_TEST

START_TEST(throttle_window)
{
    const long limit = 3, window = 60;
    time_t t = 1000000;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(gk_throttle_wait("n:li", t + i, limit, window), 0);
        gk_throttle_fail("n:li", t + i, window);
    }
    ck_assert_int_eq(gk_throttle_wait("n:li", t + 3, limit, window), 57);
    ck_assert_int_eq(gk_throttle_wait("n:li", t + 59, limit, window), 1);
    ck_assert_int_eq(gk_throttle_wait("n:other", t + 3, limit, window), 0);
    /* the window ends: counting starts again */
    ck_assert_int_eq(gk_throttle_wait("n:li", t + 60, limit, window), 0);
    gk_throttle_fail("n:li", t + 60, window);
    ck_assert_int_eq(gk_throttle_wait("n:li", t + 61, limit, window), 0);
    /* a success forgets the name */
    gk_throttle_fail("n:wang", t, window);
    gk_throttle_fail("n:wang", t, window);
    gk_throttle_fail("n:wang", t, window);
    ck_assert_int_gt(gk_throttle_wait("n:wang", t, limit, window), 0);
    gk_throttle_clear("n:wang");
    ck_assert_int_eq(gk_throttle_wait("n:wang", t, limit, window), 0);
}
END_TEST

START_TEST(throttle_is_bounded)
{
    /* far more keys than slots: memory stays fixed; a key hammered just now
     * survives a flood of older ones better than the oldest do */
    const long window = 3600;
    time_t t = 2000000;
    char key[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "a:10.0.%d.%d", i / 256, i % 256);
        gk_throttle_fail(key, t, window);
    }
    for (int i = 0; i < 5; i++)
        gk_throttle_fail("a:192.0.2.7", t + 10, window);
    ck_assert_int_gt(gk_throttle_wait("a:192.0.2.7", t + 10, 5, window), 0);
    /* fresh keys, newer than the flood, evict the flood's, not this one */
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "a:198.51.%d.%d", i / 256, i % 256);
        gk_throttle_fail(key, t + 5, window);
    }
    ck_assert_int_gt(gk_throttle_wait("a:192.0.2.7", t + 11, 5, window), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("signin");
    TCase *tc = tcase_create("signin");
    tcase_add_test(tc, name_and_password_rules);
    tcase_add_test(tc, argon2id_hash_verify_rehash);
    tcase_add_test(tc, signin_body);
    tcase_add_test(tc, session_cookie);
    tcase_add_test(tc, same_origin);
    tcase_add_test(tc, throttle_window);
    tcase_add_test(tc, throttle_is_bounded);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
