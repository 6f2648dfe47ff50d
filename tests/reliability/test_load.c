/* test_load.c — 256 concurrent keep-alive clients, mixed reads and writes,
 * for GK_LOAD_SECONDS (default 10; 60 for the documented run): zero errors,
 * every acknowledged write read back from the database exactly once, and the
 * daemon's RSS flat (sampled each second; the second half of the run may not
 * grow beyond a bound).  The driver is one thread of non-blocking sockets
 * under poll(). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rel.h"

static gk_h H;
static char token[128];
static const char *const towns[] = {"350481001", "350481002", "350481003", "350481004", "350481100", "350481101",
                                    "350481102", "350481103", "350481104", "350481105", "350481106", "350481107",
                                    "350481202", "350481203", "350481204", "350421100", "350421101", "350427103"};
#define NTOWNS (int)(sizeof towns / sizeof towns[0])

typedef struct ack {
    char entity[16];
    int year, revision;
    char hash[65];
} ack;

typedef struct client {
    int fd;
    char *out;
    size_t out_len, out_off;
    char *in;
    size_t in_len, in_cap;
    int op;                 /* 0 read, 1 write */
    bool busy;
} client;

typedef struct run {
    int nclients;
    long requests, writes, errors;
    char first_error[512];
    ack *acks;
    long nacks, acks_cap;
    long seq;
} run;

static void error(run *R, const char *fmt, const char *detail)
{
    if (R->errors++ == 0)
        snprintf(R->first_error, sizeof R->first_error, fmt, detail);
}

static int nb_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)H.port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

static void next_request(run *R, client *c)
{
    free(c->out);
    long n = R->seq++;
    c->op = n % 6 == 0;   /* one write in six */
    const char *town = towns[(n * 7) % NTOWNS];
    if (c->op) {
        int year = 2019 + (int)(n % 2);
        char *body = rel_report(town, year, n);
        size_t bl = strlen(body);
        c->out = malloc(bl + 512);
        c->out_len = (size_t)snprintf(c->out, bl + 512,
                                      "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                                      "Content-Type: application/json\r\nIdempotency-Key: load-%ld\r\n"
                                      "Content-Length: %zu\r\n\r\n%s", token, n, bl, body);
        free(body);
        R->writes++;
    } else {
        static const char *const paths[] = {"/api/v1/reports/%s/2020", "/api/v1/regions/350481",
                                            "/api/v1/regions/350481/rollup?year=2020",
                                            "/api/v1/regions/3504/compliance?year=2019", "/api/v1/formats"};
        char path[128];
        snprintf(path, sizeof path, paths[n % 5], town);
        c->out = malloc(512);
        c->out_len = (size_t)snprintf(c->out, 512, "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n",
                                      path, token);
    }
    c->out_off = 0;
    c->in_len = 0;
    c->busy = true;
}

/* A complete response in c->in?  Returns its total length, 0 if not yet. */
static size_t complete(client *c, int *status, const char **body)
{
    if (c->in_len < 12)
        return 0;
    c->in[c->in_len] = '\0';
    char *h = strstr(c->in, "\r\n\r\n");
    if (h == NULL)
        return 0;
    const char *cl = strcasestr(c->in, "\r\nContent-Length:");
    size_t blen = cl != NULL && cl < h ? (size_t)strtol(cl + 17, NULL, 10) : 0;
    size_t total = (size_t)(h + 4 - c->in) + blen;
    if (c->in_len < total)
        return 0;
    *status = -1;
    sscanf(c->in, "HTTP/1.1 %d", status);
    *body = h + 4;
    return total;
}

static void on_response(run *R, client *c, int status, const char *body)
{
    R->requests++;
    bool ok = c->op ? (status == 201 || status == 200) : (status == 200 || status == 404);
    if (!ok) {
        char d[300];
        snprintf(d, sizeof d, "%d %.250s", status, body);
        error(R, "answer %s", d);
        return;
    }
    if (c->op && status == 201) {
        json_error_t e;
        json_t *j = json_loads(body, JSON_DISABLE_EOF_CHECK, &e);
        if (R->nacks == R->acks_cap) {
            R->acks_cap = R->acks_cap ? R->acks_cap * 2 : 1024;
            R->acks = realloc(R->acks, (size_t)R->acks_cap * sizeof(ack));
        }
        ack *a = &R->acks[R->nacks++];
        snprintf(a->entity, sizeof a->entity, "%s", json_string_value(json_object_get(j, "entity")) ?: "");
        a->year = (int)json_integer_value(json_object_get(j, "year"));
        a->revision = (int)json_integer_value(json_object_get(j, "revision"));
        snprintf(a->hash, sizeof a->hash, "%s", json_string_value(json_object_get(j, "content_hash")) ?: "");
        json_decref(j);
    }
}

static void drive(run *R, long seconds, long *rss, int *nrss)
{
    int n = R->nclients;
    client *cl = calloc((size_t)n, sizeof *cl);
    struct pollfd *pf = calloc((size_t)n, sizeof *pf);
    for (int i = 0; i < n; i++) {
        cl[i].fd = nb_connect();
        cl[i].in_cap = 1 << 16;
        cl[i].in = malloc(cl[i].in_cap + 1);
        next_request(R, &cl[i]);
    }
    long t0 = rel_now_ms(), end = t0 + seconds * 1000, next_sample = t0;
    bool stopping = false;
    for (;;) {
        long now = rel_now_ms();
        if (now >= next_sample && *nrss < 1000) {
            rss[(*nrss)++] = rel_rss_kb(H.d_pid);
            next_sample += 1000;
        }
        if (now >= end)
            stopping = true;
        int active = 0;
        for (int i = 0; i < n; i++) {
            pf[i].fd = cl[i].busy ? cl[i].fd : -1;
            pf[i].events = cl[i].out_off < cl[i].out_len ? POLLOUT : POLLIN;
            active += cl[i].busy;
        }
        if (active == 0)
            break;
        if (now > end + 60000) {
            error(R, "%s", "requests still unanswered 60 s after the end");
            break;
        }
        if (poll(pf, (nfds_t)n, 200) < 0)
            continue;
        for (int i = 0; i < n; i++) {
            client *c = &cl[i];
            if (!c->busy || pf[i].revents == 0)
                continue;
            if (c->out_off < c->out_len) {
                ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
                if (w > 0)
                    c->out_off += (size_t)w;
                else if (w < 0 && errno != EAGAIN && errno != EINPROGRESS && errno != ENOTCONN) {
                    error(R, "send: %s", strerror(errno));
                    c->busy = false;
                }
                continue;
            }
            if (c->in_len + 4096 > c->in_cap) {
                c->in_cap *= 2;
                c->in = realloc(c->in, c->in_cap + 1);
            }
            ssize_t r = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
            if (r == 0 || (r < 0 && errno != EAGAIN)) {
                error(R, "connection closed mid-request: %s", r == 0 ? "EOF" : strerror(errno));
                c->busy = false;
                continue;
            }
            if (r < 0)
                continue;
            c->in_len += (size_t)r;
            int status;
            const char *body;
            if (complete(c, &status, &body) == 0)
                continue;
            on_response(R, c, status, body);
            if (stopping)
                c->busy = false;
            else
                next_request(R, c);
        }
    }
    for (int i = 0; i < n; i++) {
        close(cl[i].fd);
        free(cl[i].out);
        free(cl[i].in);
    }
    free(cl);
    free(pf);
}

START_TEST(mixed_load)
{
    long seconds = getenv("GK_LOAD_SECONDS") ? atol(getenv("GK_LOAD_SECONDS")) : 10;
    run R = {.nclients = getenv("GK_LOAD_CLIENTS") ? atoi(getenv("GK_LOAD_CLIENTS")) : 256};
    long rss[1000];
    int nrss = 0;
    long t0 = rel_now_ms();
    drive(&R, seconds, rss, &nrss);
    double dt = (double)(rel_now_ms() - t0) / 1000.0;
    fprintf(stderr, "load: %d clients, %.1f s, %ld requests (%.0f/s), %ld writes, %ld created, %ld errors\n",
            R.nclients, dt, R.requests, (double)R.requests / dt, R.writes, R.nacks, R.errors);
    fprintf(stderr, "load: RSS KiB");
    for (int i = 0; i < nrss; i++)
        fprintf(stderr, " %ld", rss[i]);
    fprintf(stderr, "\n");
    ck_assert_msg(R.errors == 0, "%ld errors, first: %s", R.errors, R.first_error);
    ck_assert_int_gt(R.nacks, 0);
    /* zero lost: every acknowledged revision is there, once; nothing else */
    for (long i = 0; i < R.nacks; i++) {
        char y[8], rev[16];
        snprintf(y, sizeof y, "%d", R.acks[i].year);
        snprintf(rev, sizeof rev, "%d", R.acks[i].revision);
        const char *v[] = {R.acks[i].entity, y, rev, R.acks[i].hash};
        ck_assert_msg(gk_h_sql_long(&H, "SELECT count(*) FROM reports WHERE entity = $1 AND year = $2::int"
                                        " AND revision = $3::int AND content_hash = $4", 4, v) == 1,
                      "acknowledged %s/%d rev %d missing", R.acks[i].entity, R.acks[i].year, R.acks[i].revision);
    }
    ck_assert_int_eq(gk_h_sql_long(&H, "SELECT count(*) FROM reports", 0, NULL), R.nacks);
    /* memory flat: the second half of the run grows by less than 24 MiB */
    ck_assert_int_ge(nrss, 4);
    long mid = rss[nrss / 2], last = rss[nrss - 1];
    ck_assert_msg(last - mid < 24 * 1024, "RSS grew from %ld to %ld KiB in the second half", mid, last);
    free(R.acks);
}
END_TEST

int main(void)
{
    rel_asan_small_quarantine();
    const char *args[] = {"--max-connections=1024", "--queue-max=2048", "--pool-size=8",
                          "--request-timeout-ms=30000", NULL};
    if (gk_h_setup(&H) != 0 || rel_import_regions(&H) != 0 ||
        rel_token(&H, "35", "submitter", token, sizeof token) != 0 || gk_h_daemon_start(&H, args) != 0) {
        fprintf(stderr, "setup failed\n");
        gk_h_teardown(&H);
        return 1;
    }
    Suite *s = suite_create("load");
    TCase *tc = tcase_create("load");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, mixed_load);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return rel_finish(&H, failed);
}
