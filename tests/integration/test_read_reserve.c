/* test_read_reserve.c — submissions stuck on the database must not starve
 * reads: the pool keeps --pool-read-reserve connections that submissions may
 * not take.  A blocker holds reports in EXCLUSIVE mode (reads pass, writes
 * wait), three submissions are sent and left waiting, then a dashboard read
 * is timed.  With the reserve it is answered while every submission still
 * waits (none of them has an answer yet: no wall-clock bound, which a busy
 * machine could break); with --pool-read-reserve=0 every connection is held
 * by a waiting submission and the read waits for one of them to time out —
 * which shows the test can fail. */
#include <check.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static gk_h H;
static char admin[260];
static char *sample;

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sends a new revision (never the same content twice) and leaves its answer
 * unread; returns the socket. */
static int send_submission(const char *entity)
{
    static int serial;
    json_t *d = json_loads(sample, 0, NULL);
    json_object_set_new(d, "entity", json_string(entity));
    json_object_set_new(json_object_get(json_object_get(json_object_get(d, "tables"), "active"), "licensing"),
                        "decisions", json_integer(++serial));
    char *body = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)H.port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char head[512];
    int hl = snprintf(head, sizeof head,
                      "POST /api/v1/reports HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                      admin, strlen(body));
    ck_assert_int_eq(send(fd, head, (size_t)hl, MSG_NOSIGNAL), hl);
    ck_assert_int_eq(send(fd, body, strlen(body), MSG_NOSIGNAL), (ssize_t)strlen(body));
    free(body);
    return fd;
}

/* Blocks writes to reports, sends three submissions, waits until the pool
 * shows them holding connections, times one read; returns its status, and
 * in *answered how many submissions had an answer (their timeout's 503) by
 * the time the read's came. */
static int read_while_writes_wait(long *ms, int *answered, int waiters)
{
    PGconn *blocker = PQconnectdb(H.conninfo);
    ck_assert_int_eq(PQstatus(blocker), CONNECTION_OK);
    PGresult *res = PQexec(blocker, "BEGIN; LOCK TABLE reports IN EXCLUSIVE MODE");
    ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    const char *towns[] = {"350481100", "350481102", "350481103"};
    int fds[3];
    for (int i = 0; i < 3; i++)
        fds[i] = send_submission(towns[i]);
    /* wait until the submissions are inside the database (blocked) */
    long end = now_ms() + 10000;
    /* every connection submissions may take is parked on the lock: polled
     * with a deadline (a fixed sleep only made it likely, issue 13) */
    long parked = 0;
    while (now_ms() < end &&
           (parked = gk_h_sql_long(&H, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'", 0,
                                   NULL)) < waiters)
        usleep(20000);
    ck_assert_msg(parked >= waiters, "only %ld of %d submissions reached the lock", parked, waiters);
    char ah[300];
    snprintf(ah, sizeof ah, "Authorization: Bearer %s", admin);
    const char *hdr[] = {ah, NULL};
    gk_resp r;
    long t0 = now_ms();
    ck_assert_int_eq(gk_h_http(&H, "GET", "/api/v1/regions/350481/compliance?year=2020", hdr, NULL, 0, &r), 0);
    *ms = now_ms() - t0;
    int status = r.status;
    *answered = 0;
    for (int i = 0; i < 3; i++) {
        struct pollfd p = {.fd = fds[i], .events = POLLIN};
        *answered += poll(&p, 1, 0) == 1;
    }
    gk_resp_free(&r);
    res = PQexec(blocker, "ROLLBACK");
    PQclear(res);
    PQfinish(blocker);
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    return status;
}

static int restart_with(const char *reserve, const char *timeout)
{
    int st;
    gk_h_daemon_stop(&H, &st);
    const char *args[] = {"--pool-size=2", reserve, timeout, NULL};
    return gk_h_daemon_start(&H, args);
}

START_TEST(reads_pass_waiting_writes)
{
    long ms;
    int answered;
    /* the submissions' timeout far away, so that only a reserved connection
     * can serve the read before any of them is answered */
    ck_assert_int_eq(restart_with("--pool-read-reserve=1", "--request-timeout-ms=120000"), 0);
    int st = read_while_writes_wait(&ms, &answered, 1);   /* pool 2, one kept for reads */
    ck_assert_msg(st == 200 && answered == 0, "with a reserve: %d after %ld ms, %d submission(s) answered first",
                  st, ms, answered);
}
END_TEST

START_TEST(without_reserve_reads_starve)
{
    long ms;
    int answered;
    ck_assert_int_eq(restart_with("--pool-read-reserve=0", "--request-timeout-ms=3000"), 0);
    int st = read_while_writes_wait(&ms, &answered, 2);   /* both connections held */
    /* the read waits until a stuck submission gives its connection up at
     * its own timeout (3 s after it was sent), or times out itself */
    ck_assert_msg(st == 503 || ms > 1500, "without a reserve the read should starve: %d after %ld ms", st, ms);
}
END_TEST

int main(void)
{
    sample = gk_h_read_file(GK_TEST_DATA "/sample-350481101-2020.json", NULL);
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    const char *tk[] = {"token", "create", "--region", "0", "--role", "admin", NULL};
    if (sample == NULL || gk_h_setup(&H) != 0 || gk_h_cli(&H, NULL, 0, imp) != 0 ||
        gk_h_cli(&H, admin, sizeof admin, tk) != 0 || gk_h_daemon_start(&H, NULL) != 0) {
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    admin[strcspn(admin, "\n")] = '\0';
    Suite *s = suite_create("read_reserve");
    TCase *tc = tcase_create("read_reserve");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, reads_pass_waiting_writes);
    tcase_add_test(tc, without_reserve_reads_starve);
    suite_add_tcase(s, tc);
    /* a clean stop at the end: exit 0 (ASan/LSan would make it fail) */
    int failed = gk_h_run_suite(&H, s);
    free(sample);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
