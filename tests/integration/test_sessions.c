/* test_sessions.c — console accounts and sessions (issue 16 §6) against a
 * real PostgreSQL and gongkaid: `gongkaid user …` refusing bad input,
 * sign-in and the cookie's attributes, the session stored only as its
 * SHA-256, wrong passwords, throttling (429 + Retry-After), the same-origin
 * check of cookie writes (403 csrf) while bearer tokens are unchanged, scope
 * as the user's region and role, audit rows naming the user, sign-out,
 * revocation by `user disable` / `user passwd`, idle and absolute expiry
 * (short limits on a restarted daemon, polled with deadlines), and no
 * password or session id in the daemon's log.  The daemon runs as a member
 * of gongkai_daemon (sql/030, sql/120): sessions work with its grants only. */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

#include "harness.h"

static gk_h H;
static char admin[260];
static json_t *sample;
/* every session id and password this test used: none may reach the log */
static char secrets[64][80];
static int nsecrets;

static const char ORIGIN[] = "Origin: http://127.0.0.1";   /* the harness sends Host: 127.0.0.1 */

static void keep_secret(const char *s)
{
    if (nsecrets < 64)
        snprintf(secrets[nsecrets++], sizeof secrets[0], "%s", s);
}

/* Runs `gongkaid user ARGS…` with `input` on its stdin; its exit status,
 * its stderr into err. */
static int user_cli(const char *input, char *err, size_t errlen, const char *const *args)
{
    char db[300], errfile[256];
    snprintf(db, sizeof db, "--database=%s", H.conninfo);
    snprintf(errfile, sizeof errfile, "%s/user-cli.err", H.dir);
    const char *argv[16] = {GK_DAEMON, db, "user"};
    int n = 3;
    for (int i = 0; args[i] != NULL && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int in[2];
    ck_assert_int_eq(pipe(in), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(in[0], 0);
        if (fd >= 0) {
            dup2(fd, 2);
            dup2(fd, 1);
        }
        close(in[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    if (input != NULL)
        ck_assert_int_eq(write(in[1], input, strlen(input)), (ssize_t)strlen(input));
    close(in[1]);
    int st = 0;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    size_t len = 0;
    char *text = gk_h_read_file(errfile, &len);
    snprintf(err, errlen, "%s", text ? text : "");
    free(text);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void add_user(const char *name, const char *region, const char *role, const char *pw)
{
    char line[200], err[1024];
    snprintf(line, sizeof line, "%s\n", pw);
    const char *args[] = {"add", name, "--region", region, "--role", role, NULL};
    ck_assert_msg(user_cli(line, err, sizeof err, args) == 0, "user add %s: %s", name, err);
    keep_secret(pw);
}

static long count(const char *sql)
{
    return gk_h_sql_long(&H, sql, 0, NULL);
}

/* A request with the session cookie (sid may be NULL) and up to two more headers. */
static gk_resp with_cookie(const char *method, const char *path, const char *sid, const char *body, const char *h1,
                           const char *h2)
{
    char ch[120];
    const char *hdr[5] = {NULL};
    int n = 0;
    if (sid != NULL) {
        snprintf(ch, sizeof ch, "Cookie: other=1; gk_session=%s", sid);
        hdr[n++] = ch;
    }
    if (body != NULL)
        hdr[n++] = "Content-Type: application/json";
    if (h1 != NULL)
        hdr[n++] = h1;
    if (h2 != NULL)
        hdr[n++] = h2;
    gk_resp r;
    ck_assert_int_eq(gk_h_http(&H, method, path, hdr, body, body ? strlen(body) : 0, &r), 0);
    return r;
}

static const char *err_code(const gk_resp *r, char *buf, size_t len)
{
    json_t *j = json_loads(r->body, 0, NULL);
    const char *c = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
    snprintf(buf, len, "%s", c ? c : "(none)");
    json_decref(j);
    return buf;
}

static void expect(const gk_resp *r, int status, const char *code)
{
    char c[64];
    ck_assert_msg(r->status == status, "want %d, got %d %s", status, r->status, r->body);
    if (code != NULL)
        ck_assert_str_eq(err_code(r, c, sizeof c), code);
}

static gk_resp sign_in_raw(const char *name, const char *pw, const char *extra)
{
    json_t *b = json_pack("{s:s,s:s}", "name", name, "password", pw);
    char *body = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    gk_resp r = with_cookie("POST", "/api/v1/session", NULL, body, extra, NULL);
    free(body);
    return r;
}

/* Signs in (200 expected); the session id from Set-Cookie into sid. */
static void sign_in(const char *name, const char *pw, char sid[65])
{
    gk_resp r = sign_in_raw(name, pw, NULL);
    ck_assert_msg(r.status == 200, "sign-in %s: %d %s", name, r.status, r.body);
    char sc[300];
    ck_assert_ptr_nonnull(gk_resp_header(&r, "Set-Cookie", sc, sizeof sc));
    ck_assert_msg(strncmp(sc, "gk_session=", 11) == 0, "%s", sc);
    snprintf(sid, 65, "%.64s", sc + 11);
    ck_assert_uint_eq(strspn(sid, "0123456789abcdef"), 64);
    keep_secret(sid);
    gk_resp_free(&r);
}

static int status_of(gk_resp r)
{
    int s = r.status;
    gk_resp_free(&r);
    return s;
}

static char *report_body(const char *entity, int natural_person)
{
    json_t *d = json_deep_copy(sample);
    json_object_set_new(d, "entity", json_string(entity));
    if (natural_person >= 0) {
        json_t *rec = json_object_get(json_object_get(json_object_get(d, "tables"), "requests"), "received");
        json_object_set_new(rec, "natural_person", json_integer(natural_person));
    }
    char *s = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    return s;
}

START_TEST(cli_refuses_bad_input)
{
    char err[1024];
    long before = count("SELECT count(*) FROM users");
    const char *add[] = {"add", "clerk", "--region", "350481101", "--role", "submitter", NULL};
    ck_assert_int_eq(user_cli("short\n", err, sizeof err, add), 2);
    ck_assert_ptr_nonnull(strstr(err, "密码太短"));
    ck_assert_int_eq(user_cli("clerk\n", err, sizeof err, add), 2);
    ck_assert_ptr_nonnull(strstr(err, "密码太短") ? strstr(err, "密码太短") : strstr(err, "与用户名相同"));
    ck_assert_int_eq(user_cli("", err, sizeof err, add), 2);
    ck_assert_ptr_nonnull(strstr(err, "没有读到密码"));
    const char *bad_role[] = {"add", "clerk", "--region", "350481101", "--role", "boss", NULL};
    ck_assert_int_eq(user_cli("long-enough-1\n", err, sizeof err, bad_role), 2);
    ck_assert_ptr_nonnull(strstr(err, "角色无效"));
    const char *bad_region[] = {"add", "clerk", "--region", "999999", "--role", "viewer", NULL};
    ck_assert_int_eq(user_cli("long-enough-1\n", err, sizeof err, bad_region), 1);
    ck_assert_ptr_nonnull(strstr(err, "区划代码不存在"));
    const char *bad_name[] = {"add", "a b", "--region", "350481", "--role", "viewer", NULL};
    ck_assert_int_eq(user_cli("long-enough-1\n", err, sizeof err, bad_name), 2);
    ck_assert_ptr_nonnull(strstr(err, "用户名只能由可见字符组成"));
    /* a password is never an argument */
    const char *argv_pw[] = {"add", "clerk", "--region", "350481", "--role", "viewer", "--password", "x", NULL};
    ck_assert_int_eq(user_cli("long-enough-1\n", err, sizeof err, argv_pw), 2);
    ck_assert_ptr_nonnull(strstr(err, "未知选项：--password"));
    const char *nobody[] = {"disable", "nobody", NULL};
    ck_assert_int_eq(user_cli(NULL, err, sizeof err, nobody), 1);
    ck_assert_ptr_nonnull(strstr(err, "没有未停用的用户：nobody"));
    const char *usage[] = {"frobnicate", NULL};
    ck_assert_int_eq(user_cli(NULL, err, sizeof err, usage), 2);
    ck_assert_ptr_nonnull(strstr(err, "用法：gongkaid user add"));
    ck_assert_int_eq(count("SELECT count(*) FROM users"), before);
    /* the duplicate after one good add */
    add_user("clerk", "350481101", "submitter", "clerk-password-1");
    ck_assert_int_eq(user_cli("another-pass-1\n", err, sizeof err, add), 1);
    ck_assert_ptr_nonnull(strstr(err, "用户已存在：clerk"));
    ck_assert_int_eq(count("SELECT count(*) FROM users"), before + 1);
    /* stored as Argon2id with the limits gongkaid was given */
    char *h = gk_h_sql1(&H, "SELECT password_hash FROM users WHERE name = 'clerk'", 0, NULL);
    ck_assert_ptr_nonnull(h);
    ck_assert_msg(strncmp(h, "$argon2id$v=19$m=1024,t=1,", 26) == 0, "%s", h);
    ck_assert_ptr_null(strstr(h, "clerk-password-1"));
    free(h);
    const char *list[] = {"list", NULL};
    ck_assert_int_eq(user_cli(NULL, err, sizeof err, list), 0);
    ck_assert_ptr_nonnull(strstr(err, "clerk"));
    ck_assert_ptr_nonnull(strstr(err, "350481101"));
}
END_TEST

START_TEST(sign_in_sets_a_strict_cookie_stored_hashed)
{
    /* the daemon really runs as the least-privileged role */
    ck_assert_int_ge(count("SELECT count(*) FROM pg_stat_activity WHERE usename = 'gk_sess_daemon'"), 1);
    add_user("张三", "350481", "viewer", "zhang-san-pass");
    gk_resp r = sign_in_raw("张三", "zhang-san-pass", ORIGIN);
    expect(&r, 200, NULL);
    char sc[300], cc[64];
    ck_assert_ptr_nonnull(gk_resp_header(&r, "Set-Cookie", sc, sizeof sc));
    ck_assert_msg(strstr(sc, "; HttpOnly") && strstr(sc, "; SameSite=Strict") && strstr(sc, "; Path=/") &&
                      strstr(sc, "; Max-Age=43200"),
                  "%s", sc);
    ck_assert_msg(strstr(sc, "Secure") == NULL, "no Secure without --cookie-secure: %s", sc);
    ck_assert_str_eq(gk_resp_header(&r, "Cache-Control", cc, sizeof cc), "no-store");
    json_t *j = json_loads(r.body, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(j, "name")), "张三");
    ck_assert_str_eq(json_string_value(json_object_get(j, "region")), "350481");
    ck_assert_str_eq(json_string_value(json_object_get(j, "role")), "viewer");
    ck_assert_ptr_null(strstr(r.body, "zhang-san-pass"));
    json_decref(j);
    char sid[65];
    snprintf(sid, sizeof sid, "%.64s", sc + 11);
    keep_secret(sid);
    gk_resp_free(&r);

    /* the database has SHA-256(sid) and nowhere the id itself */
    const char *q[] = {sid};
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM sessions WHERE hash = sha256(convert_to($1, 'UTF8'))", 1, q),
                     1);
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM sessions s WHERE s::text LIKE '%' || $1 || '%'", 1, q), 0);
    /* the rehash: added with t=1, the daemon runs with --pwhash-ops=2 */
    char *h = gk_h_sql1(&H, "SELECT password_hash FROM users WHERE name = '张三'", 0, NULL);
    ck_assert_msg(h != NULL && strncmp(h, "$argon2id$v=19$m=1024,t=2,", 26) == 0, "not rehashed: %s", h);
    free(h);
    /* audited as the user */
    ck_assert_int_eq(count("SELECT count(*) FROM audit a JOIN users u ON u.id = a.user_id"
                           " WHERE u.name = '张三' AND a.action = 'session.create'"),
                     1);

    /* who is signed in */
    r = with_cookie("GET", "/api/v1/session", sid, NULL, NULL, NULL);
    expect(&r, 200, NULL);
    j = json_loads(r.body, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(j, "kind")), "session");
    ck_assert_str_eq(json_string_value(json_object_get(j, "name")), "张三");
    json_decref(j);
    gk_resp_free(&r);
    /* and a token is still a token */
    r = gk_h_call(&H, "GET", "/api/v1/session", admin, NULL, NULL);
    expect(&r, 200, NULL);
    ck_assert_ptr_nonnull(strstr(r.body, "\"kind\":\"token\""));
    gk_resp_free(&r);
    /* nothing signed in */
    r = with_cookie("GET", "/api/v1/session", NULL, NULL, NULL, NULL);
    expect(&r, 401, "unauthorized");
    gk_resp_free(&r);
    /* a made-up session */
    r = with_cookie("GET", "/api/v1/session", "0000000000000000000000000000000000000000000000000000000000000000",
                    NULL, NULL, NULL);
    expect(&r, 401, "session_expired");
    gk_resp_free(&r);

    /* sign out: needs the same-origin proof, then the session is gone */
    r = with_cookie("DELETE", "/api/v1/session", sid, NULL, NULL, NULL);
    expect(&r, 403, "csrf");
    gk_resp_free(&r);
    ck_assert_int_eq(status_of(with_cookie("GET", "/api/v1/session", sid, NULL, NULL, NULL)), 200);
    r = with_cookie("DELETE", "/api/v1/session", sid, NULL, ORIGIN, NULL);
    expect(&r, 200, NULL);
    ck_assert_ptr_nonnull(strstr(r.body, "\"signed_out\":true"));
    ck_assert_ptr_nonnull(gk_resp_header(&r, "Set-Cookie", sc, sizeof sc));
    ck_assert_msg(strncmp(sc, "gk_session=;", 12) == 0 && strstr(sc, "Max-Age=0"), "%s", sc);
    gk_resp_free(&r);
    r = with_cookie("GET", "/api/v1/session", sid, NULL, NULL, NULL);
    expect(&r, 401, "session_expired");
    gk_resp_free(&r);
    ck_assert_int_eq(count("SELECT count(*) FROM audit WHERE action = 'session.delete'"), 1);
}
END_TEST

START_TEST(bad_sign_ins_are_refused_alike)
{
    add_user("wang", "350481", "viewer", "wang-password");
    char c1[64], c2[64];
    gk_resp wrong = sign_in_raw("wang", "not-his-password", NULL);
    gk_resp unknown = sign_in_raw("nobody-here", "not-his-password", NULL);
    expect(&wrong, 401, "bad_credentials");
    expect(&unknown, 401, "bad_credentials");
    ck_assert_str_eq(wrong.body, unknown.body);   /* an unknown name is not told apart */
    ck_assert_ptr_null(gk_resp_header(&wrong, "Set-Cookie", c1, sizeof c1));
    gk_resp_free(&wrong);
    gk_resp_free(&unknown);
    /* malformed bodies: 400 with the path */
    static const char *const bodies[] = {"", "[]", "{\"name\":\"wang\"}", "{\"name\":\"\",\"password\":\"x\"}",
                                         "{\"name\":\"wang\",\"password\":\"x\",\"extra\":1}",
                                         "{\"name\":5,\"password\":\"x\"}"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        gk_resp r = with_cookie("POST", "/api/v1/session", NULL, bodies[i], NULL, NULL);
        ck_assert_msg(r.status == 400, "%s: %d", bodies[i], r.status);
        ck_assert_str_eq(err_code(&r, c2, sizeof c2), "invalid_signin");
        gk_resp_free(&r);
    }
    /* sign-in from another site's page (login CSRF) */
    gk_resp x = sign_in_raw("wang", "wang-password", "Origin: http://evil.example");
    expect(&x, 403, "csrf");
    gk_resp_free(&x);
    ck_assert_int_eq(count("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.name = 'wang'"), 0);
}
END_TEST

/* Starts the daemon as the least-privileged login role; the CLI and the
 * test's own SQL keep the owner. */
static int start_daemon(const char *const *extra)
{
    char owner[sizeof H.conninfo];
    snprintf(owner, sizeof owner, "%s", H.conninfo);
    snprintf(H.conninfo, sizeof H.conninfo, "host=%s port=5432 user=gk_sess_daemon dbname=postgres", H.dir);
    int rc = gk_h_daemon_start(&H, extra);
    snprintf(H.conninfo, sizeof H.conninfo, "%s", owner);
    return rc;
}

/* Restarts the daemon with other settings (its throttle table starts empty). */
static void restart_with(const char *const *extra)
{
    int st = 0;
    ck_assert_int_eq(gk_h_daemon_stop(&H, &st), 0);
    ck_assert_int_eq(st, 0);
    ck_assert_int_eq(start_daemon(extra), 0);
}

START_TEST(sign_ins_are_throttled)
{
    /* a fresh table: the failures counted are this test's only */
    const char *limits[] = {"--pwhash-ops=2", "--signin-name-failures=3", "--signin-addr-failures=8", NULL};
    restart_with(limits);
    add_user("li", "350481", "viewer", "li-password-1");
    for (int i = 0; i < 3; i++) {
        gk_resp r = sign_in_raw("li", "wrong-password", NULL);
        expect(&r, 401, "bad_credentials");
        gk_resp_free(&r);
    }
    /* the fourth, even with the right password, waits */
    gk_resp r = sign_in_raw("li", "li-password-1", NULL);
    expect(&r, 429, "too_many_attempts");
    char ra[32];
    ck_assert_ptr_nonnull(gk_resp_header(&r, "Retry-After", ra, sizeof ra));
    ck_assert_int_gt(atol(ra), 0);
    ck_assert_int_le(atol(ra), 900);
    ck_assert_ptr_nonnull(strstr(r.body, "登录失败次数过多"));
    gk_resp_free(&r);
    /* per address: other names from this address, 8 failures in all (3 so
     * far, for li): guess0 … guess4 are refused as wrong, guess5 waits */
    add_user("zhao", "350481", "viewer", "zhao-password-1");
    int refused_at = -1;
    for (int i = 0; i < 6 && refused_at < 0; i++) {
        char name[32];
        snprintf(name, sizeof name, "guess%d", i);
        gk_resp g = sign_in_raw(name, "wrong-password", NULL);
        if (g.status == 429)
            refused_at = i;
        else
            expect(&g, 401, "bad_credentials");
        gk_resp_free(&g);
    }
    ck_assert_int_eq(refused_at, 5);
    r = sign_in_raw("zhao", "zhao-password-1", NULL);
    expect(&r, 429, "too_many_attempts");
    gk_resp_free(&r);
    /* a proxy's X-Real-IP is not believed without --trust-proxy */
    r = sign_in_raw("zhao", "zhao-password-1", "X-Real-IP: 192.0.2.9");
    expect(&r, 429, "too_many_attempts");
    gk_resp_free(&r);
    /* behind nginx (--trust-proxy=1) the address is X-Real-IP's */
    const char *proxied[] = {"--pwhash-ops=2", "--trust-proxy=1", "--signin-addr-failures=2", NULL};
    restart_with(proxied);
    for (int i = 0; i < 2; i++) {
        gk_resp g = sign_in_raw("nobody-a", "wrong-password", "X-Real-IP: 192.0.2.1");
        expect(&g, 401, "bad_credentials");
        gk_resp_free(&g);
    }
    r = sign_in_raw("nobody-b", "wrong-password", "X-Real-IP: 192.0.2.1");
    expect(&r, 429, "too_many_attempts");
    gk_resp_free(&r);
    r = sign_in_raw("nobody-b", "wrong-password", "X-Real-IP: 192.0.2.2");
    expect(&r, 401, "bad_credentials");
    gk_resp_free(&r);
    restart_with(limits);   /* the next tests sign in from this address */
}
END_TEST

START_TEST(cookie_writes_need_same_origin_and_tokens_do_not)
{
    add_user("town-clerk", "350481101", "submitter", "town-clerk-pass");
    char sid[65];
    sign_in("town-clerk", "town-clerk-pass", sid);
    char *body = report_body("350481101", -1);
    long reports = count("SELECT count(*) FROM reports");
    static const char *const cross[][2] = {{NULL, NULL},
                                           {"Origin: http://evil.example", NULL},
                                           {"Origin: null", NULL},
                                           {"Sec-Fetch-Site: cross-site", NULL},
                                           {"Sec-Fetch-Site: same-site", "Origin: http://127.0.0.1"},
                                           {"Origin: https://127.0.0.1.evil.example", NULL}};
    for (size_t i = 0; i < sizeof cross / sizeof cross[0]; i++) {
        gk_resp r = with_cookie("POST", "/api/v1/reports", sid, body, cross[i][0], cross[i][1]);
        ck_assert_msg(r.status == 403, "%s: %d %s", cross[i][0] ? cross[i][0] : "(none)", r.status, r.body);
        char c[64];
        ck_assert_str_eq(err_code(&r, c, sizeof c), "csrf");
        gk_resp_free(&r);
    }
    ck_assert_int_eq(count("SELECT count(*) FROM reports"), reports);
    /* reads need no proof */
    ck_assert_int_eq(status_of(with_cookie("GET", "/api/v1/regions/350481101", sid, NULL, NULL, NULL)), 200);
    /* the same write from our own page */
    gk_resp r = with_cookie("POST", "/api/v1/reports", sid, body, "Sec-Fetch-Site: same-origin", ORIGIN);
    ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
    gk_resp_free(&r);
    /* who = the user, in the revision and in the audit trail */
    ck_assert_int_eq(count("SELECT count(*) FROM reports r JOIN users u ON u.token_id = r.token_id"
                           " WHERE u.name = 'town-clerk' AND r.entity = '350481101'"),
                     1);
    ck_assert_int_eq(count("SELECT count(*) FROM audit a JOIN users u ON u.id = a.user_id"
                           " WHERE u.name = 'town-clerk' AND a.action = 'submit' AND a.entity = '350481101'"),
                     1);
    /* a bearer token needs no Origin, as before */
    char *body2 = report_body("350481101", -1);
    r = gk_h_call(&H, "POST", "/api/v1/check", admin, body2, NULL);
    ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
    gk_resp_free(&r);
    free(body);
    free(body2);
}
END_TEST

START_TEST(scope_is_the_users_region_and_role)
{
    add_user("county-viewer", "350481", "viewer", "county-viewer-pass");
    add_user("gongchuan", "350481101", "submitter", "gongchuan-pass-1");
    char viewer[65], town[65];
    sign_in("county-viewer", "county-viewer-pass", viewer);
    sign_in("gongchuan", "gongchuan-pass-1", town);
    /* the county's board: its viewer yes, a township no */
    ck_assert_int_eq(status_of(with_cookie("GET", "/api/v1/regions/350481/compliance?year=2020", viewer, NULL, NULL,
                                           NULL)),
                     200);
    gk_resp r = with_cookie("GET", "/api/v1/regions/350481/compliance?year=2020", town, NULL, NULL, NULL);
    expect(&r, 403, "forbidden");
    gk_resp_free(&r);
    /* another township's report: no */
    r = with_cookie("GET", "/api/v1/reports/350481102/2020", town, NULL, NULL, NULL);
    ck_assert_msg(r.status == 403, "%d %s", r.status, r.body);
    gk_resp_free(&r);
    /* a viewer submitting: no, whatever the origin proof */
    char *body = report_body("350481101", -1);
    long reports = count("SELECT count(*) FROM reports");
    r = with_cookie("POST", "/api/v1/reports", viewer, body, ORIGIN, NULL);
    expect(&r, 403, "forbidden");
    gk_resp_free(&r);
    /* a township submitting for its neighbour: no */
    char *other = report_body("350481102", -1);
    r = with_cookie("POST", "/api/v1/reports", town, other, ORIGIN, NULL);
    expect(&r, 403, "forbidden");
    gk_resp_free(&r);
    ck_assert_int_eq(count("SELECT count(*) FROM reports"), reports);
    free(body);
    free(other);
}
END_TEST

START_TEST(disable_and_passwd_end_sessions)
{
    add_user("sun", "350481", "viewer", "sun-password-1");
    char s1[65], s2[65];
    sign_in("sun", "sun-password-1", s1);
    char err[1024];
    const char *pw[] = {"passwd", "sun", NULL};
    ck_assert_int_eq(user_cli("sun-password-2\n", err, sizeof err, pw), 0);
    keep_secret("sun-password-2");
    ck_assert_ptr_nonnull(strstr(err, "结束其会话 1 个"));
    gk_resp r = with_cookie("GET", "/api/v1/session", s1, NULL, NULL, NULL);
    expect(&r, 401, "session_expired");
    gk_resp_free(&r);
    r = sign_in_raw("sun", "sun-password-1", NULL);
    expect(&r, 401, "bad_credentials");
    gk_resp_free(&r);
    sign_in("sun", "sun-password-2", s2);
    ck_assert_int_eq(status_of(with_cookie("GET", "/api/v1/session", s2, NULL, NULL, NULL)), 200);
    const char *dis[] = {"disable", "sun", NULL};
    ck_assert_int_eq(user_cli(NULL, err, sizeof err, dis), 0);
    ck_assert_ptr_nonnull(strstr(err, "已停用用户 sun"));
    r = with_cookie("GET", "/api/v1/session", s2, NULL, NULL, NULL);
    expect(&r, 401, "session_expired");
    gk_resp_free(&r);
    r = sign_in_raw("sun", "sun-password-2", NULL);
    expect(&r, 401, "bad_credentials");
    gk_resp_free(&r);
    ck_assert_int_eq(user_cli(NULL, err, sizeof err, dis), 1);   /* already disabled */
    ck_assert_int_eq(count("SELECT count(*) FROM audit a JOIN users u ON u.id = a.user_id WHERE u.name = 'sun'"
                           " AND a.action IN ('user.passwd sun', 'user.disable sun')"),
                     2);
}
END_TEST

START_TEST(sessions_expire_idle_and_absolute)
{
    const char *short_limits[] = {"--pwhash-ops=2", "--session-idle-s=2", "--session-max-s=4", "--cookie-secure=1",
                                  NULL};
    restart_with(short_limits);
    add_user("zhou", "350481", "viewer", "zhou-password-1");
    /* behind TLS: the cookie is Secure, and lives --session-max-s */
    gk_resp c = sign_in_raw("zhou", "zhou-password-1", NULL);
    expect(&c, 200, NULL);
    char sc[300];
    ck_assert_ptr_nonnull(gk_resp_header(&c, "Set-Cookie", sc, sizeof sc));
    ck_assert_msg(strstr(sc, "; Max-Age=4; Secure") != NULL, "%s", sc);
    char sid_c[65];
    snprintf(sid_c, sizeof sid_c, "%.64s", sc + 11);
    keep_secret(sid_c);
    gk_resp_free(&c);
    /* idle: unused until the database's clock passes last_seen + 2 s */
    char sid[65];
    sign_in("zhou", "zhou-password-1", sid);
    ck_assert_int_eq(status_of(with_cookie("GET", "/api/v1/session", sid, NULL, NULL, NULL)), 200);
    long end = gk_h_now_ms() + 15000;
    while (count("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.name = 'zhou'"
                 " AND s.last_seen_at > now() - interval '2.2 s'") > 0) {
        ck_assert_msg(gk_h_now_ms() < end, "the clock never moved past the idle limit");
        gk_h_nap_ms(100);
    }
    gk_resp r = with_cookie("GET", "/api/v1/session", sid, NULL, NULL, NULL);
    expect(&r, 401, "session_expired");
    gk_resp_free(&r);
    /* absolute: used every 300 ms it outlives the idle limit, not the 4 s */
    long t0 = gk_h_now_ms();
    sign_in("zhou", "zhou-password-1", sid);
    long expired_at = -1;
    while (expired_at < 0) {
        ck_assert_msg(gk_h_now_ms() - t0 < 20000, "the session never expired");
        int s = status_of(with_cookie("GET", "/api/v1/regions/350481", sid, NULL, NULL, NULL));
        if (s == 401)
            expired_at = gk_h_now_ms() - t0;
        else
            ck_assert_int_eq(s, 200);
        gk_h_nap_ms(300);
    }
    ck_assert_msg(expired_at >= 3900, "expired after %ld ms, before its 4 s", expired_at);
    const char *normal[] = {"--pwhash-ops=2", NULL};
    restart_with(normal);
}
END_TEST

/* A sign-in sent on its own socket, not read yet. */
static int send_sign_in(const char *name, const char *pw)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)H.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char body[200], req[512];
    int bl = snprintf(body, sizeof body, "{\"name\":\"%s\",\"password\":\"%s\"}", name, pw);
    int n = snprintf(req, sizeof req,
                     "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                     "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
                     bl, body);
    ck_assert_int_eq(send(fd, req, (size_t)n, 0), n);
    return fd;
}

START_TEST(hashing_does_not_block_other_requests)
{
    /* costly hashes: Argon2id over 32 MiB, 12 passes, on one worker thread;
     * two unknown names (each checked against the dummy hash, full cost) */
    const char *slow[] = {"--pwhash-ops=12", "--pwhash-mem-kib=32768", "--pwhash-threads=1", NULL};
    restart_with(slow);
    long t0 = gk_h_now_ms();
    int fds[2] = {send_sign_in("slow-one", "whatever-1"), send_sign_in("slow-two", "whatever-2")};
    /* while they are hashed the loop keeps answering: count /healthz
     * answers until both sign-ins are answered */
    int answered = 0, healthz = 0;
    long worst = 0;
    bool done[2] = {false, false};
    while (answered < 2) {
        ck_assert_msg(gk_h_now_ms() - t0 < 120000, "the sign-ins were never answered");
        long h0 = gk_h_now_ms();
        gk_resp r;
        ck_assert_int_eq(gk_h_http(&H, "GET", "/healthz", NULL, NULL, 0, &r), 0);
        ck_assert_int_eq(r.status, 200);
        gk_resp_free(&r);
        long dt = gk_h_now_ms() - h0;
        for (int i = 0; i < 2; i++) {
            struct pollfd p = {.fd = fds[i], .events = POLLIN};
            if (!done[i] && poll(&p, 1, 0) == 1) {
                done[i] = true;
                answered++;
            }
        }
        if (answered < 2) {   /* this /healthz was answered while a sign-in was still hashing */
            healthz++;
            worst = dt > worst ? dt : worst;
            gk_h_nap_ms(10);  /* pacing, not waiting: a few hundred probes, not thousands */
        }
    }
    long total = gk_h_now_ms() - t0;
    for (int i = 0; i < 2; i++) {
        char buf[512] = "";
        ssize_t got = recv(fds[i], buf, sizeof buf - 1, 0);
        ck_assert_int_gt(got, 12);
        ck_assert_msg(strncmp(buf, "HTTP/1.1 401", 12) == 0, "%s", buf);
        close(fds[i]);
    }
    fprintf(stderr, "hashing: 2 sign-ins in %ld ms; %d /healthz answered meanwhile, the slowest in %ld ms\n", total,
            healthz, worst);
    /* the two hashes (one worker: one after the other) took long enough to
     * matter, and /healthz was answered all along, each far faster */
    ck_assert_int_ge(healthz, 5);
    ck_assert_msg(worst * 4 < total, "a /healthz took %ld ms of the sign-ins' %ld", worst, total);
    const char *normal[] = {"--pwhash-ops=2", NULL};
    restart_with(normal);
}
END_TEST

START_TEST(no_secret_in_the_log)
{
    size_t len = 0;
    char *log = gk_h_read_file(H.daemon_log, &len);
    ck_assert_ptr_nonnull(log);
    ck_assert_int_gt(nsecrets, 10);
    for (int i = 0; i < nsecrets; i++)
        ck_assert_msg(strstr(log, secrets[i]) == NULL, "the log holds a secret (#%d)", i);
    ck_assert_ptr_null(strstr(log, "gk_session="));
    free(log);
}
END_TEST

int main(void)
{
    /* cheap hashes for the test (the CLI and the daemon read the same
     * variables); the daemon's own --pwhash-ops=2 makes sign-in rehash */
    setenv("GK_PWHASH_MEM_KIB", "1024", 1);
    setenv("GK_PWHASH_OPS", "1", 1);
    json_error_t e;
    sample = json_load_file(GK_TEST_DATA "/sample-350481101-2020.json", 0, &e);
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    const char *tk[] = {"token", "create", "--region", "0", "--role", "admin", NULL};
    const char *extra[] = {"--pwhash-ops=2", "--signin-name-failures=3", "--signin-addr-failures=8", NULL};
    PGresult *role = NULL;
    if (sample == NULL || gk_h_setup(&H) != 0 || gk_h_cli(&H, NULL, 0, imp) != 0 ||
        gk_h_cli(&H, admin, sizeof admin, tk) != 0 ||
        PQresultStatus(role = PQexec(H.sql, "CREATE ROLE gk_sess_daemon LOGIN IN ROLE gongkai_daemon")) !=
            PGRES_COMMAND_OK ||
        start_daemon(extra) != 0) {
        PQclear(role);
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    PQclear(role);
    admin[strcspn(admin, "\n")] = '\0';
    Suite *s = suite_create("sessions");
    TCase *tc = tcase_create("sessions");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, cli_refuses_bad_input);
    tcase_add_test(tc, sign_in_sets_a_strict_cookie_stored_hashed);
    tcase_add_test(tc, bad_sign_ins_are_refused_alike);
    tcase_add_test(tc, cookie_writes_need_same_origin_and_tokens_do_not);
    tcase_add_test(tc, scope_is_the_users_region_and_role);
    tcase_add_test(tc, disable_and_passwd_end_sessions);
    tcase_add_test(tc, sign_ins_are_throttled);
    tcase_add_test(tc, sessions_expire_idle_and_absolute);
    tcase_add_test(tc, hashing_does_not_block_other_requests);
    tcase_add_test(tc, no_secret_in_the_log);
    suite_add_tcase(s, tc);
    int failed = gk_h_run_suite(&H, s);
    json_decref(sample);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
