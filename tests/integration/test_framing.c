/* test_framing.c — request framing and connection limits, from outside
 * (issue 13, items 2 and 3): raw bytes over a loopback socket to the real
 * gongkaid, because an HTTP client library would never send these.
 *
 * Why raw sockets: each request here is one that two HTTP parsers could
 * frame differently (request smuggling behind a proxy); the daemon must
 * answer 400 and close the connection, so whatever follows the ambiguous
 * header block is never read as a request of its own. */
#include <check.h>

#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static gk_h H;

static int dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)H.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* Sends raw, reads until the server closes (or 5 s pass); *closed tells
 * which.  Returns what was read. */
static char *exchange(const char *raw, size_t len, bool *closed)
{
    int fd = dial();
    ck_assert_int_eq(send(fd, raw, len, MSG_NOSIGNAL), (ssize_t)len);
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    ssize_t got;
    while (n < cap - 1 && (got = recv(fd, buf + n, cap - 1 - n, 0)) > 0)
        n += (size_t)got;
    buf[n] = '\0';
    *closed = n < cap - 1 && got == 0;
    close(fd);
    return buf;
}

static int count(const char *hay, const char *needle)
{
    int k = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        k++;
    return k;
}

/* One ambiguous request followed by a second, smuggled one (GET
 * /api/v1/formats).  Exactly one answer, a 400, then EOF.  The 400 is ours
 * (JSON bad_framing) when evhttp lets the request through to us; some
 * forms evhttp refuses itself while reading the body, with its own HTML
 * 400 (libevent 2.1 has no hook to word it): both close the connection. */
static void assert_refused(const char *raw)
{
    bool closed = false;
    char *got = exchange(raw, strlen(raw), &closed);
    ck_assert_msg(strncmp(got, "HTTP/1.1 400 ", 13) == 0, "not 400: %.400s", got);
    ck_assert_msg(strstr(got, "\"code\":\"bad_framing\"") != NULL || strstr(got, "<H1>Bad Request</H1>") != NULL,
                  "%.400s", got);
    if (strstr(got, "bad_framing") == NULL)
        fprintf(stderr, "refused by evhttp itself: %.60s\n", strstr(raw, "\r\n") + 2);
    ck_assert_msg(count(got, "HTTP/1.1 ") == 1, "a second answer followed: %.800s", got);
    ck_assert_msg(closed, "the connection was left open after: %.400s", got);
    free(got);
}

#define SMUGGLED "GET /api/v1/formats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

/* Issue 13 item 2: the first Content-Length frames the body, the second
 * says 7.  evhttp took the first; it was stored with 201. */
START_TEST(http_conflicting_content_length)
{
    assert_refused("POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   "Content-Length: 2\r\nContent-Length: 7\r\n\r\n{}" SMUGGLED);
    /* equal values are no less a duplicate: RFC 9112 allows folding them,
     * we refuse, as a proxy might not fold */
    assert_refused("POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}" SMUGGLED);
}
END_TEST

/* Transfer-Encoding and Content-Length together: evhttp read chunked. */
START_TEST(http_te_and_cl)
{
    assert_refused("POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" SMUGGLED);
}
END_TEST

/* strtoll's leniency: a sign, or anything but digits. */
START_TEST(http_content_length_not_digits)
{
    assert_refused("POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: +2\r\n\r\n{}" SMUGGLED);
    assert_refused("POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0x2\r\n\r\n{}" SMUGGLED);
    assert_refused("POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2, 2\r\n\r\n{}" SMUGGLED);
}
END_TEST

/* A coding besides chunked (or chunked twice): evhttp would read the body
 * as if Transfer-Encoding were absent. */
START_TEST(http_te_not_only_chunked)
{
    assert_refused("POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                   "2\r\n{}\r\n0\r\n\r\n" SMUGGLED);
    assert_refused("POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" SMUGGLED);
}
END_TEST

/* RFC 9112 §3.2: more than one Host is a 400. */
START_TEST(http_duplicate_host)
{
    assert_refused("GET /api/v1/formats HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: gk.example\r\n\r\n" SMUGGLED);
}
END_TEST

/* RFC 9112 §5.1: whitespace between a field name and its colon.  evhttp
 * took "Content-Length " for another header and read no body; a proxy
 * trimming the name would read 2 bytes. */
START_TEST(http_header_name_whitespace)
{
    assert_refused("POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length : 2\r\n\r\n{}" SMUGGLED);
    assert_refused("POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding\t: chunked\r\n"
                   "Content-Length: 2\r\n\r\n{}" SMUGGLED);
}
END_TEST

/* obs-fold (RFC 9112 §5.2): evhttp joins a continuation line to the
 * header before it, so "Content-Length: 2" folded with " 7" is "2 7" to
 * evhttp and "2" to a proxy that drops the fold.  Refused like any
 * Content-Length that is not digits; so is a folded Transfer-Encoding. */
START_TEST(http_obs_fold_framing_header)
{
    assert_refused("POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n 7\r\n\r\n{}" SMUGGLED);
    assert_refused("POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\tx\r\n\r\n"
                   "2\r\n{}\r\n0\r\n\r\n" SMUGGLED);
}
END_TEST

/* The plain forms still work, and keep the connection (control: the
 * refusals above are about framing, not about pipelining). */
START_TEST(http_plain_framing_still_served)
{
    bool closed = false;
    const char raw[] = "GET /api/v1/formats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                       "GET /api/v1/formats HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    char *got = exchange(raw, sizeof raw - 1, &closed);
    ck_assert_msg(count(got, "HTTP/1.1 200 ") == 2, "%.600s", got);
    free(got);
    const char chunked[] = "POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                           "Connection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
    got = exchange(chunked, sizeof chunked - 1, &closed);
    ck_assert_msg(strncmp(got, "HTTP/1.1 4", 10) == 0 || strncmp(got, "HTTP/1.1 2", 10) == 0, "%.400s", got);
    ck_assert_ptr_null(strstr(got, "bad_framing"));
    free(got);
}
END_TEST

static long metric(const char *name)
{
    gk_resp r;
    if (gk_h_http(&H, "GET", "/metrics", NULL, NULL, 0, &r) != 0)
        return -1;
    char key[128];
    snprintf(key, sizeof key, "\n%s ", name);
    long v = -1;
    const char *p = r.status == 200 && r.body != NULL ? strstr(r.body, key) : NULL;
    if (p != NULL)
        v = strtol(p + strlen(key), NULL, 10);
    gk_resp_free(&r);
    return v;
}

static long metric_open(void)
{
    gk_resp r;
    if (gk_h_http(&H, "GET", "/metrics", NULL, NULL, 0, &r) != 0)
        return -1;
    long v = -1;
    const char *p = r.status == 200 && r.body != NULL ? strstr(r.body, "\ngongkai_http_connections_open ") : NULL;
    if (p != NULL)
        v = strtol(p + strlen("\ngongkai_http_connections_open "), NULL, 10);
    gk_resp_free(&r);
    return v;
}

/* Issue 13 item 3: 200 connections each holding half a request read as 1
 * in the metric and were never capped.  With --max-connections=20: 19
 * slow clients + the metric's own connection = 20; the next connection is
 * refused at once (503 or closed), and the slow ones are still counted. */
START_TEST(max_connections_slow_clients)
{
    int st;
    ck_assert_int_eq(gk_h_daemon_stop(&H, &st), 0);
    const char *args[] = {"--max-connections=20", NULL};
    ck_assert_int_eq(gk_h_daemon_start(&H, args), 0);
    enum { SLOW = 19 };
    int fds[SLOW];
    static const char half[] = "POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le";
    for (int i = 0; i < SLOW; i++) {
        fds[i] = dial();
        ck_assert_int_eq(send(fds[i], half, sizeof half - 1, MSG_NOSIGNAL), (ssize_t)(sizeof half - 1));
    }
    /* accepted connections are counted as the daemon accepts them: poll */
    long open = -1, end = gk_h_now_ms() + 10000;
    while ((open = metric_open()) != SLOW + 1 && gk_h_now_ms() < end)
        gk_h_nap_ms(20);
    ck_assert_int_eq(open, SLOW + 1);
    /* Three more slow clients, one by one.  At most one fits (the slot
     * of the metric's connection once the daemon has closed it); the
     * others must be answered 503 or closed at once, with no request. */
    int extra[3], held = 0, refused = 0;
    for (int i = 0; i < 3; i++) {
        extra[i] = dial();
        struct timeval tv = {1, 0};
        setsockopt(extra[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        (void)send(extra[i], half, sizeof half - 1, MSG_NOSIGNAL);
        char buf[1024];
        size_t n = 0;
        ssize_t got;
        while (n < sizeof buf - 1 && (got = recv(extra[i], buf + n, sizeof buf - 1 - n, 0)) > 0)
            n += (size_t)got;
        buf[n] = '\0';
        int err = errno;
        if (got < 0 && (err == EAGAIN || err == EWOULDBLOCK) && n == 0) {
            held++;
        } else {
            ck_assert_msg(got == 0 || err == ECONNRESET, "recv %zd: %s", got, strerror(err));
            ck_assert_msg(n == 0 || strstr(buf, "too_many_connections") != NULL, "%s", buf);
            refused++;
        }
    }
    ck_assert_msg(held <= 1 && refused >= 2, "over the cap of 20: %d held, %d refused", held, refused);
    for (int i = 0; i < 3; i++)
        close(extra[i]);
    for (int i = 0; i < SLOW; i++)
        close(fds[i]);
    /* and the slots come back when the slow clients leave */
    end = gk_h_now_ms() + 10000;
    while ((open = metric_open()) != 1 && gk_h_now_ms() < end)
        gk_h_nap_ms(20);
    ck_assert_int_eq(open, 1);
    /* each refusal is counted (metric requests refused while full too) */
    ck_assert_int_ge(metric("gongkai_http_connections_refused_total"), refused);
    ck_assert_int_eq(gk_h_daemon_stop(&H, &st), 0);
    ck_assert_int_eq(gk_h_daemon_start(&H, NULL), 0);
}
END_TEST

int main(void)
{
    if (gk_h_setup(&H) != 0 || gk_h_daemon_start(&H, NULL) != 0) {
        gk_h_teardown(&H);
        return 1;
    }
    Suite *s = suite_create("framing");
    TCase *tc = tcase_create("framing");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, http_conflicting_content_length);
    tcase_add_test(tc, http_te_and_cl);
    tcase_add_test(tc, http_content_length_not_digits);
    tcase_add_test(tc, http_te_not_only_chunked);
    tcase_add_test(tc, http_duplicate_host);
    tcase_add_test(tc, http_header_name_whitespace);
    tcase_add_test(tc, http_obs_fold_framing_header);
    tcase_add_test(tc, http_plain_framing_still_served);
    tcase_add_test(tc, max_connections_slow_clients);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (failed > 0) {
        char *log = gk_h_read_file(H.daemon_log, NULL);
        fprintf(stderr, "---- gongkaid log ----\n%s\n", log ? log : "(none)");
        free(log);
    }
    gk_h_teardown(&H);
    return failed == 0 ? 0 : 1;
}
