/* bench_http.c — the HTTP side of bench/run.d/service.sh: a small load and
 * latency driver for gongkaid on loopback.
 *
 * Why our own program rather than wrk alone: submissions need a distinct,
 * consistent report per entity (wrk's Lua could only resend bodies), read
 * latency wants exact per-request percentiles from one sequential client,
 * and the memory target needs 1,000 idle keep-alive connections held open
 * while the daemon's RSS is read.  Every loop is bounded by a count and,
 * for load, by a wall-clock limit.
 *
 *   bench_http report TEMPLATE ENTITY YEAR SEED           print one synthetic report
 *   bench_http latency PORT PATH TOKEN COUNT [ETAG]       sequential GETs: p50/p99
 *   bench_http submit PORT TOKEN CLIENTS MAXSECS TEMPLATE YEAR SEED CODEFILE [FIRST [COUNT]]
 *                                                         concurrent POST /api/v1/reports
 *   bench_http hold PORT N PID                            N idle keep-alive connections; VmRSS of PID
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {30, 0};   /* no read may hang the benchmark */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads one response (Content-Length framed; 304 and 204 have no body).
 * Returns the status or -1; the body is left in *buf (NUL-terminated). */
typedef struct rbuf {
    char *p;
    size_t len, cap;
} rbuf;

static int rb_fill(int fd, rbuf *b)
{
    if (b->cap - b->len < 4096) {
        size_t cap = b->cap * 2 + 8192;
        char *p = realloc(b->p, cap);
        if (p == NULL)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    ssize_t r = recv(fd, b->p + b->len, b->cap - b->len - 1, 0);
    if (r <= 0)
        return -1;
    b->len += (size_t)r;
    b->p[b->len] = '\0';
    return 0;
}

static int read_response(int fd, rbuf *b, const char **body, size_t *body_len)
{
    /* forget the previous response: its header block must not be found
     * again (a shorter answer would then wait for bytes never sent) */
    b->len = 0;
    if (b->p != NULL)
        b->p[0] = '\0';
    char *end;
    for (;;) {
        if (b->p != NULL && (end = strstr(b->p, "\r\n\r\n")) != NULL)
            break;
        if (rb_fill(fd, b) != 0)
            return -1;
    }
    int status = 0;
    if (sscanf(b->p, "HTTP/1.%*d %d", &status) != 1)
        return -1;
    size_t hlen = (size_t)(end - b->p) + 4, clen = 0;
    for (char *h = strstr(b->p, "\r\n"); h != NULL && h < end; h = strstr(h + 2, "\r\n"))
        if (strncasecmp(h + 2, "Content-Length:", 15) == 0)
            clen = (size_t)strtoul(h + 17, NULL, 10);
    if (status == 304 || status == 204)
        clen = 0;
    while (b->len < hlen + clen)
        if (rb_fill(fd, b) != 0)
            return -1;
    if (body != NULL) {
        *body = b->p + hlen;
        *body_len = clen;
    }
    return status;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}

/* ---- synthetic reports ---- */

/* A consistent report: every requests column received = granted = total,
 * nothing carried, row totals the sums of their parts, appeals rows summed;
 * published before the default deadline.  The prose is as long as the
 * sample's (so the body is as large as a real one) but drawn at random,
 * per entity, from the sample's own characters: 41,352 copies of one text
 * would all be near-duplicates of each other (narrative.similar), which no
 * real year is.  镇, 乡, 道 and 木 are left out of the draw, so no township
 * name (…镇, …乡, …街道, …苏木) can appear by chance. */
static uint64_t rng_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* The draw: the distinct CJK characters (3-byte UTF-8) of the sample's prose. */
#define POOL_MAX 4096
static char pool[POOL_MAX][4];
static size_t pool_n;

static void pool_add(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
        if (n == 3 && pool_n < POOL_MAX && p[1] && p[2]) {
            char c[4] = {(char)p[0], (char)p[1], (char)p[2], 0};
            bool seen = !strcmp(c, "镇") || !strcmp(c, "乡") || !strcmp(c, "道") || !strcmp(c, "木") ||
                        !strcmp(c, "，") || !strcmp(c, "。");
            for (size_t i = 0; i < pool_n && !seen; i++)
                seen = memcmp(pool[i], c, 4) == 0;
            if (!seen)
                memcpy(pool[pool_n++], c, 4);
        }
        for (size_t i = 0; i < n && *p; i++)
            p++;
    }
}

static json_t *template_load(const char *path)
{
    json_error_t e;
    json_t *t = json_load_file(path, 0, &e);
    if (t == NULL) {
        fprintf(stderr, "bench_http: %s: %s\n", path, e.text);
        return NULL;
    }
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(t, "narrative"), k, v)
        pool_add(json_string_value(v));
    return t;
}

static uint64_t rng_next(uint64_t *s);

/* As many characters as the template's text, drawn from the pool. */
static char *prose(const char *like, uint64_t *s)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)like; *p; p++)
        chars += (*p & 0xc0) != 0x80;
    char *out = malloc(chars * 3 + 1), *o = out;
    if (out == NULL || pool_n == 0) {
        free(out);
        return NULL;
    }
    for (size_t i = 0; i < chars; i++) {
        const char *c = i % 24 == 23 ? "。" : pool[rng_next(s) % pool_n];
        memcpy(o, c, 3);
        o += 3;
    }
    *o = '\0';
    return out;
}

static const char *const applicants[] = {"natural_person", "enterprise", "research", "nonprofit", "legal_service",
                                         "other_org"};

static char *report_text(json_t *tmpl, const char *entity, int year, uint64_t seed)
{
    json_t *r = json_deep_copy(tmpl);
    uint64_t s = seed * 1000003ULL;
    for (const char *c = entity; *c; c++)
        s = s * 131 + (unsigned char)*c;
    rng_next(&s);
    const char *k, *c;
    json_t *row, *cell;
    json_object_set_new(r, "entity", json_string(entity));
    json_t *nar = json_object_get(r, "narrative");
    json_object_foreach(nar, k, cell) {
        char *text = prose(json_string_value(cell), &s);
        if (text != NULL)
            json_object_set_new(nar, k, json_string(text));
        free(text);
    }
    json_object_set_new(r, "year", json_integer(year));
    char pub[32];
    snprintf(pub, sizeof pub, "%d-01-15", year + 1);
    json_object_set_new(r, "published_at", json_string(pub));
    json_t *tables = json_object_get(r, "tables");
    json_object_foreach(json_object_get(tables, "active"), k, row) {
        json_object_foreach(row, c, cell) {
            (void)cell;
            json_object_set_new(row, c, json_integer((json_int_t)(rng_next(&s) % 50)));
        }
    }
    json_t *req = json_object_get(tables, "requests");
    json_object_foreach(req, k, row) {
        json_object_foreach(row, c, cell) {
            (void)cell;
            json_object_set_new(row, c, json_integer(0));
        }
    }
    long sum = 0;
    for (size_t i = 0; i < 6; i++) {
        long n = (long)(rng_next(&s) % 20);
        sum += n;
        json_object_set_new(json_object_get(req, "received"), applicants[i], json_integer(n));
        json_object_set_new(json_object_get(req, "granted"), applicants[i], json_integer(n));
        json_object_set_new(json_object_get(req, "total"), applicants[i], json_integer(n));
    }
    json_object_set_new(json_object_get(req, "received"), "total", json_integer(sum));
    json_object_set_new(json_object_get(req, "granted"), "total", json_integer(sum));
    json_object_set_new(json_object_get(req, "total"), "total", json_integer(sum));
    json_t *ap = json_object();
    const char *arows[] = {"review", "suit_direct", "suit_after_review"};
    const char *acols[] = {"upheld", "corrected", "other", "pending"};
    for (size_t i = 0; i < 3; i++) {
        json_t *a = json_object();
        long t = 0;
        for (size_t j = 0; j < 4; j++) {
            long n = (long)(rng_next(&s) % 3);
            t += n;
            json_object_set_new(a, acols[j], json_integer(n));
        }
        json_object_set_new(a, "total", json_integer(t));
        json_object_set_new(ap, arows[i], a);
    }
    json_object_set_new(tables, "appeals", ap);
    char *text = json_dumps(r, JSON_COMPACT);
    json_decref(r);
    return text;
}

/* ---- latency: sequential GETs on one keep-alive connection ---- */

static int cmd_latency(int port, const char *path, const char *token, int count, const char *etag)
{
    int fd = dial(port);
    if (fd < 0) {
        perror("bench_http: connect");
        return 1;
    }
    char req[2048];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n%s%s%s\r\n",
                     path, token, etag ? "If-None-Match: " : "", etag ? etag : "", etag ? "\r\n" : "");
    double *lat = calloc((size_t)count, sizeof *lat);
    rbuf b = {0};
    int rc = 1, last = 0;
    size_t bytes = 0;
    for (int i = 0; i < count; i++) {
        double t0 = now_s();
        size_t bl = 0;
        const char *body = NULL;
        if (send_all(fd, req, (size_t)n) != 0 || (last = read_response(fd, &b, &body, &bl)) < 0) {
            fprintf(stderr, "bench_http: request %d failed\n", i);
            goto out;
        }
        lat[i] = (now_s() - t0) * 1000.0;
        bytes = bl;
    }
    qsort(lat, (size_t)count, sizeof *lat, cmp_double);
    printf("%.3f %.3f %.3f %d %zu\n", pct(lat, (size_t)count, 0.5), pct(lat, (size_t)count, 0.99),
           lat[count - 1], last, bytes);
    rc = 0;
out:
    free(lat);
    free(b.p);
    close(fd);
    return rc;
}

/* ---- submit: CLIENTS threads, one keep-alive connection each ---- */

typedef struct load {
    int port;
    const char *token;
    json_t *tmpl;
    int year;
    uint64_t seed;
    char **codes;
    size_t first, count;
    double deadline;
    atomic_size_t next;
    atomic_size_t ok, created, errors, bad_status;
    double *lat;   /* per index */
} load;

static void *submitter(void *arg)
{
    load *L = arg;
    rbuf b = {0};
    int fd = dial(L->port);
    char head[1024];
    for (;;) {
        size_t i = atomic_fetch_add(&L->next, 1);
        if (i >= L->count || now_s() > L->deadline)
            break;
        char *body = report_text(L->tmpl, L->codes[L->first + i], L->year, L->seed);
        if (body == NULL)
            break;
        size_t blen = strlen(body);
        int hn = snprintf(head, sizeof head,
                          "POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                          "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                          L->token, blen);
        double t0 = now_s();
        int st = -1;
        for (int attempt = 0; attempt < 2 && st < 0; attempt++) {
            if (fd < 0)
                fd = dial(L->port);
            if (fd >= 0 && send_all(fd, head, (size_t)hn) == 0 && send_all(fd, body, blen) == 0)
                st = read_response(fd, &b, NULL, NULL);
            if (st < 0 && fd >= 0) {   /* the server closed a kept-alive connection: once more */
                close(fd);
                fd = -1;
            }
        }
        L->lat[i] = (now_s() - t0) * 1000.0;
        free(body);
        if (st == 201)
            atomic_fetch_add(&L->created, 1);
        if (st == 200 || st == 201)
            atomic_fetch_add(&L->ok, 1);
        else if (st < 0)
            atomic_fetch_add(&L->errors, 1);
        else if (atomic_fetch_add(&L->bad_status, 1) < 3)
            fprintf(stderr, "bench_http: %s → HTTP %d: %.300s\n", L->codes[L->first + i], st,
                    strstr(b.p, "\r\n\r\n") ? strstr(b.p, "\r\n\r\n") + 4 : "");
    }
    if (fd >= 0)
        close(fd);
    free(b.p);
    return NULL;
}

static char **read_codes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    size_t cap = 1024;
    char **v = malloc(cap * sizeof *v), line[64];
    *n = 0;
    while (v != NULL && fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0')
            continue;
        if (*n == cap) {
            char **w = realloc(v, (cap *= 2) * sizeof *v);
            if (w == NULL)
                break;
            v = w;
        }
        v[(*n)++] = strdup(line);
    }
    fclose(f);
    return v;
}

static int cmd_submit(int argc, char **argv)
{
    load L = {0};
    L.port = atoi(argv[2]);
    L.token = argv[3];
    int clients = atoi(argv[4]);
    double maxsecs = atof(argv[5]);
    L.tmpl = template_load(argv[6]);
    L.year = atoi(argv[7]);
    L.seed = strtoull(argv[8], NULL, 10);
    size_t ncodes = 0;
    L.codes = read_codes(argv[9], &ncodes);
    L.first = argc > 10 ? strtoul(argv[10], NULL, 10) : 0;
    L.count = argc > 11 ? strtoul(argv[11], NULL, 10) : ncodes;
    if (L.tmpl == NULL || L.codes == NULL || clients < 1 || clients > 256 || L.first > ncodes) {
        fprintf(stderr, "bench_http submit: bad arguments\n");
        return 2;
    }
    if (L.first + L.count > ncodes)
        L.count = ncodes - L.first;
    L.lat = calloc(L.count + 1, sizeof *L.lat);
    pthread_t th[256];
    double t0 = now_s();
    L.deadline = t0 + maxsecs;
    for (int i = 0; i < clients; i++)
        pthread_create(&th[i], NULL, submitter, &L);
    for (int i = 0; i < clients; i++)
        pthread_join(th[i], NULL);
    double dt = now_s() - t0;
    size_t done = atomic_load(&L.next);
    if (done > L.count)
        done = L.count;
    qsort(L.lat, done, sizeof *L.lat, cmp_double);
    /* count ok created errors bad seconds rate p50 p99 */
    printf("%zu %zu %zu %zu %zu %.3f %.1f %.2f %.2f\n", done, atomic_load(&L.ok), atomic_load(&L.created),
           atomic_load(&L.errors), atomic_load(&L.bad_status), dt, (double)atomic_load(&L.ok) / dt,
           pct(L.lat, done, 0.5), pct(L.lat, done, 0.99));
    for (size_t i = 0; i < ncodes; i++)
        free(L.codes[i]);
    free(L.codes);
    free(L.lat);
    json_decref(L.tmpl);
    return atomic_load(&L.errors) + atomic_load(&L.bad_status) == 0 ? 0 : 1;
}

/* ---- hold: N idle keep-alive connections ---- */

static long vmrss_kb(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = atol(line + 6);
    if (f != NULL)
        fclose(f);
    return kb;
}

static int cmd_hold(int port, int n, int pid)
{
    int *fds = calloc((size_t)n, sizeof *fds);
    rbuf b = {0};
    long before = vmrss_kb(pid);
    int opened = 0, answered = 0, rc = 1;
    static const char req[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    /* A request on each makes it a counted keep-alive connection. */
    for (int i = 0; i < n; i++) {
        fds[i] = dial(port);
        if (fds[i] < 0)
            break;
        opened++;
        if (send_all(fds[i], req, sizeof req - 1) == 0 && read_response(fds[i], &b, NULL, NULL) == 200)
            answered++;
    }
    struct timespec pause = {1, 0};
    nanosleep(&pause, NULL);   /* let the daemon settle (frees, buffers) */
    long held_rss = vmrss_kb(pid);
    int alive = 0;
    for (int i = 0; i < opened; i++) {
        struct pollfd p = {.fd = fds[i], .events = POLLIN};
        if (poll(&p, 1, 0) == 0)   /* nothing to read: not closed by the server */
            alive++;
    }
    /* before_kb held_kb opened answered still_open */
    printf("%ld %ld %d %d %d\n", before, held_rss, opened, answered, alive);
    rc = answered == n && alive == n ? 0 : 1;
    for (int i = 0; i < opened; i++)
        close(fds[i]);
    free(fds);
    free(b.p);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 6 && strcmp(argv[1], "report") == 0) {
        json_t *t = template_load(argv[2]);
        char *s = t ? report_text(t, argv[3], atoi(argv[4]), strtoull(argv[5], NULL, 10)) : NULL;
        if (s != NULL)
            puts(s);
        free(s);
        json_decref(t);
        return s ? 0 : 1;
    }
    if (argc >= 6 && strcmp(argv[1], "latency") == 0)
        return cmd_latency(atoi(argv[2]), argv[3], argv[4], atoi(argv[5]), argc > 6 ? argv[6] : NULL);
    if (argc >= 10 && strcmp(argv[1], "submit") == 0)
        return cmd_submit(argc, argv);
    if (argc >= 5 && strcmp(argv[1], "hold") == 0)
        return cmd_hold(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    fprintf(stderr, "usage: see the comment at the top of bench/bench_http.c\n");
    return 2;
}
