/* rel.c — see rel.h. */
#include "rel.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef GK_TEST_DATA
#error GK_TEST_DATA must name tests/data
#endif

long rel_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void rel_nap(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int rel_connect(const gk_h *h, int timeout_ms)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)h->port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

char *rel_raw(const gk_h *h, const char *data, size_t len, int timeout_ms, size_t *out_len)
{
    *out_len = 0;
    int fd = rel_connect(h, timeout_ms);
    if (fd < 0)
        return NULL;
    for (size_t off = 0; off < len;) {
        ssize_t w = send(fd, data + off, len - off, MSG_NOSIGNAL);
        if (w <= 0)
            break; /* refused early: read the answer anyway */
        off += (size_t)w;
    }
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap);
    long end = rel_now_ms() + timeout_ms;
    while (buf != NULL && rel_now_ms() < end) {
        if (n + 4096 + 1 > cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL)
                break;
            buf = nb;
            cap *= 2;
        }
        ssize_t r = recv(fd, buf + n, cap - n - 1, 0);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (buf == NULL || n == 0) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *out_len = n;
    return buf;
}

int rel_status(const char *raw)
{
    int st = -1;
    if (raw == NULL || sscanf(raw, "HTTP/1.%*d %d", &st) != 1)
        return -1;
    return st;
}

void rel_error_code(const char *raw, char *code, size_t len)
{
    code[0] = '\0';
    const char *b = raw != NULL ? strstr(raw, "\r\n\r\n") : NULL;
    if (b == NULL)
        return;
    json_error_t e;
    /* Only the first response: stop at the first complete JSON value. */
    json_t *j = json_loads(b + 4, JSON_DISABLE_EOF_CHECK, &e);
    const char *c = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
    snprintf(code, len, "%s", c != NULL ? c : "");
    json_decref(j);
}

long rel_rss_kb(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return kb;
}

char *rel_fingerprint(gk_h *h)
{
    return gk_h_sql1(h,
                     "SELECT concat_ws('/',"
                     " (SELECT count(*) || ':' || coalesce(max(entity || year || '#' || revision), '') FROM reports),"
                     " (SELECT count(*) || ':' || coalesce(max(id), 0) FROM audit),"
                     " (SELECT count(*) FROM idempotency),"
                     " (SELECT count(*) || ':' || coalesce(sum(revision), 0) FROM report_current),"
                     " (SELECT coalesce(sum(counter), 0) FROM region_changes),"
                     " (SELECT md5(coalesce(string_agg(region || year || format || reports || sums::text ||"
                     "   n_number::text || n_null::text, ';' ORDER BY region, year, format), '')) FROM rollup),"
                     " (SELECT count(*) || ':' || max(id) || ':' || count(revoked_at) FROM tokens),"
                     " (SELECT count(*) FROM regions),"
                     " (SELECT count(*) FROM deadlines),"
                     /* what narrative.similar keeps: a refused request must not touch it either */
                     " (SELECT md5(coalesce(string_agg(entity || year || '#' || revision || sig::text, ';'"
                     "   ORDER BY entity, year), '')) FROM narrative_sig),"
                     " (SELECT count(*) FROM narrative_bands),"
                     " (SELECT md5(coalesce(string_agg(year || a || b || similarity, ';' ORDER BY year, a, b), ''))"
                     "   FROM narrative_pairs),"
                     " (SELECT md5(coalesce(string_agg(entity || year || coalesce(findings::text, ''), ';'"
                     "   ORDER BY entity, year), '')) FROM report_current),"
                     /* the office's review (sql/100_review.sql) */
                     " (SELECT md5(coalesce(string_agg(entity || year || state || revision || comment, ';'"
                     "   ORDER BY entity, year), '')) FROM report_review),"
                     " (SELECT count(*) FROM review_history),"
                     /* the office's marks on findings (sql/101_finding_marks.sql) */
                     " (SELECT count(*) || ':' || coalesce(max(id), 0) FROM finding_marks))",
                     0, NULL);
}

int rel_import_regions(gk_h *h)
{
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    return gk_h_cli(h, NULL, 0, imp);
}

int rel_token(gk_h *h, const char *region, const char *role, char *out, size_t len)
{
    const char *mk[] = {"token", "create", "--region", region, "--role", role, NULL};
    if (gk_h_cli(h, out, len, mk) != 0)
        return -1;
    out[strcspn(out, "\n")] = '\0';
    return strncmp(out, "gk_", 3) == 0 ? 0 : -1;
}

char *rel_report(const char *entity, int year, long prior_items)
{
    static json_t *sample;
    if (sample == NULL) {
        json_error_t e;
        sample = json_load_file(GK_TEST_DATA "/sample-350481101-2020.json", 0, &e);
        if (sample == NULL)
            return NULL;
    }
    json_t *d = json_deep_copy(sample);
    json_object_set_new(d, "entity", json_string(entity));
    json_object_set_new(d, "year", json_integer(year));
    json_t *lic = json_object_get(json_object_get(json_object_get(d, "tables"), "active"), "licensing");
    json_object_set_new(lic, "prior_items", json_integer(prior_items));
    char *s = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    return s;
}

void rel_asan_small_quarantine(void)
{
    const char *old = getenv("ASAN_OPTIONS");
    char buf[512];
    snprintf(buf, sizeof buf, "%s%squarantine_size_mb=8", old ? old : "", old && *old ? ":" : "");
    setenv("ASAN_OPTIONS", buf, 1);
}

int rel_finish(gk_h *h, int failed)
{
    int st = -1;
    gk_h_daemon_stop(h, &st);
    if (st != 0) {
        fprintf(stderr, "gongkaid exited with %d\n", st);
        failed++;
    }
    if (failed > 0 || getenv("GK_SHOW_LOG") != NULL) {
        char *log = gk_h_read_file(h->daemon_log, NULL);
        size_t n = log != NULL ? strlen(log) : 0;
        /* the tail is what matters; a load run logs a line per request */
        fprintf(stderr, "---- gongkaid log (last 20000 bytes) ----\n%s\n", log ? log + (n > 20000 ? n - 20000 : 0) : "(none)");
        free(log);
    }
    gk_h_teardown(h);
    return failed == 0 ? 0 : 1;
}
