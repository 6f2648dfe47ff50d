/* net_http.c — one HTTP exchange with gongkaid over libcurl, and the retry
 * loop around it (see net_http.h for the policy). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <curl/curl.h>
#include "gongkai/exactjson.h"
#include "net_http.h"
#include "net_util.h"

struct gk_net {
    const gk_net_config *cfg;
    CURL *curl;
    bool quiet;
    bool loopback;            /* the server is on this machine: never via a proxy */
    unsigned jitter_seed;
};

/* curl_global_init is not thread-safe and must run once; the client is
 * single-threaded and makes one gk_net per command, so count users. */
static int global_users;

gk_net *gk_net_new(const gk_net_config *cfg, gk_net_error *err)
{
    gk_net *n = NULL;
    memset(err, 0, sizeof *err);
    if (global_users++ == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        global_users--;
        err->kind = GK_NET_FAIL_OTHER;
        snprintf(err->message, sizeof err->message, "无法初始化网络库 libcurl");
        return NULL;
    }
    n = calloc(1, sizeof *n);
    if (!n || !(n->curl = curl_easy_init())) {
        free(n);
        if (--global_users == 0)
            curl_global_cleanup();
        err->kind = GK_NET_FAIL_OTHER;
        snprintf(err->message, sizeof err->message, "无法初始化网络库 libcurl");
        return NULL;
    }
    n->cfg = cfg;
    n->loopback = gk_net_url_is_loopback(cfg->url);
    n->jitter_seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)n;
    return n;
}

void gk_net_free(gk_net *n)
{
    if (!n)
        return;
    curl_easy_cleanup(n->curl);
    free(n);
    if (--global_users == 0)
        curl_global_cleanup();
}

void gk_net_set_quiet(gk_net *n, bool quiet)
{
    n->quiet = quiet;
}

void gk_net_response_free(gk_net_response *rs)
{
    free(rs->body);
    memset(rs, 0, sizeof *rs);
    rs->retry_after_s = -1;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    gk_net_response *rs = ud;
    size_t n = size * nmemb;
    if (rs->len + n > (size_t)GK_NET_MAX_RESPONSE)
        return 0;   /* curl reports CURLE_WRITE_ERROR */
    char *nb = realloc(rs->body, rs->len + n + 1);
    if (!nb)
        return 0;
    rs->body = nb;
    memcpy(rs->body + rs->len, data, n);
    rs->len += n;
    rs->body[rs->len] = '\0';
    return n;
}

/* Keeps Retry-After (delta-seconds form; an HTTP-date is ignored and the
 * backoff applies) and Content-Type. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    gk_net_response *rs = ud;
    size_t n = size * nmemb;
    char line[256];
    size_t k = n < sizeof line - 1 ? n : sizeof line - 1;
    memcpy(line, data, k);
    line[k] = '\0';
    while (k > 0 && (line[k - 1] == '\r' || line[k - 1] == '\n'))
        line[--k] = '\0';
    if (!strncasecmp(line, "HTTP/", 5)) {
        /* A new response (e.g. after 100 Continue): forget the previous one's headers. */
        rs->retry_after_s = -1;
        rs->content_type[0] = '\0';
    } else if (!strncasecmp(line, "Retry-After:", 12)) {
        char *end;
        long v = strtol(line + 12, &end, 10);
        if (end != line + 12 && v >= 0)
            rs->retry_after_s = v;
    } else if (!strncasecmp(line, "Content-Type:", 13)) {
        const char *v = line + 13;
        while (*v == ' ' || *v == '\t')
            v++;
        snprintf(rs->content_type, sizeof rs->content_type, "%.120s", v);
    }
    return n;
}

/* The header list for one request; the Authorization line holds the token,
 * so it is wiped before it is freed. */
static void free_headers(struct curl_slist *h)
{
    for (struct curl_slist *p = h; p; p = p->next)
        explicit_bzero(p->data, strlen(p->data));
    curl_slist_free_all(h);
}

int gk_net_send_once(gk_net *n, const gk_net_request *rq, gk_net_response *rs,
                     gk_net_error *err)
{
    const gk_net_config *cfg = n->cfg;
    CURL *c = n->curl;
    struct curl_slist *headers = NULL, *tmp;
    char errbuf[CURL_ERROR_SIZE] = "";
    char *url = NULL, *line = NULL;
    int rc = -1;
    CURLcode cc;

    memset(rs, 0, sizeof *rs);
    rs->retry_after_s = -1;
    memset(err, 0, sizeof *err);

    url = gk_net_xasprintf("%s%s", cfg->url, rq->path);
    curl_easy_reset(c);   /* keeps the connection cache */
#define SETOPT(o, v) do { if (curl_easy_setopt(c, o, v) != CURLE_OK) goto setopt_fail; } while (0)
    SETOPT(CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
    SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    SETOPT(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    /* Never follow redirects: the token must not travel anywhere else. */
    SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
    /* Loopback never goes through an http_proxy from the environment: a
     * plain-http request to 127.0.0.2 (every 127.x is loopback, and plain
     * http is allowed there) would hand the token to the proxy in clear.
     * A no-proxy list cannot name all of 127/8; an empty proxy is no proxy. */
    SETOPT(CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
    if (n->loopback)
        SETOPT(CURLOPT_PROXY, "");
    SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
    SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
    if (cfg->cacert)
        SETOPT(CURLOPT_CAINFO, cfg->cacert);
    SETOPT(CURLOPT_TIMEOUT, cfg->timeout_s);
    SETOPT(CURLOPT_CONNECTTIMEOUT, cfg->connect_timeout_s);
    SETOPT(CURLOPT_USERAGENT, "gongkai/0.1.0");
    SETOPT(CURLOPT_ERRORBUFFER, errbuf);
    SETOPT(CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(CURLOPT_WRITEDATA, rs);
    SETOPT(CURLOPT_HEADERFUNCTION, on_header);
    SETOPT(CURLOPT_HEADERDATA, rs);
    SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)GK_NET_MAX_RESPONSE);

    if (!(tmp = curl_slist_append(headers, "Accept: application/json, text/csv")))
        goto setopt_fail;
    headers = tmp;
    /* evhttp does answer "Expect: 100-continue", but the round trip only
     * delays us; bodies are small. */
    if (!(tmp = curl_slist_append(headers, "Expect:")))
        goto setopt_fail;
    headers = tmp;
    if (rq->auth && cfg->token) {
        line = gk_net_xasprintf("Authorization: Bearer %s", cfg->token);
        tmp = curl_slist_append(headers, line);
        explicit_bzero(line, strlen(line));
        free(line);
        line = NULL;
        if (!tmp)
            goto setopt_fail;
        headers = tmp;
    }
    if (rq->idempotency_key) {
        line = gk_net_xasprintf("Idempotency-Key: %s", rq->idempotency_key);
        tmp = curl_slist_append(headers, line);
        free(line);
        line = NULL;
        if (!tmp)
            goto setopt_fail;
        headers = tmp;
    }
    if (!strcmp(rq->method, "POST")) {
        line = gk_net_xasprintf("Content-Type: %s",
                                rq->content_type ? rq->content_type : "application/json");
        tmp = curl_slist_append(headers, line);
        free(line);
        line = NULL;
        if (!tmp)
            goto setopt_fail;
        headers = tmp;
        SETOPT(CURLOPT_POST, 1L);
        SETOPT(CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
        SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
    } else if (strcmp(rq->method, "GET")) {
        SETOPT(CURLOPT_CUSTOMREQUEST, rq->method);
    }
    SETOPT(CURLOPT_HTTPHEADER, headers);
#undef SETOPT

    cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        gk_net_describe_transport(cfg, (int)cc, errbuf, err);
        free(rs->body);
        rs->body = NULL;
        rs->len = 0;
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rs->status);
    if (!rs->body) {
        rs->body = gk_net_xstrdup("");
        rs->len = 0;
    }
    rc = 0;
    goto out;

setopt_fail:
    err->kind = GK_NET_FAIL_OTHER;
    snprintf(err->message, sizeof err->message, "无法设置网络请求（libcurl 版本过旧或内存不足）");
out:
    /* The handle must not keep pointers to our headers or buffers. */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    free_headers(headers);
    free(url);
    return rc;
}

bool gk_net_retryable(const gk_net_error *err, const gk_net_response *rs)
{
    if (rs && rs->status)
        return rs->status == 502 || rs->status == 503 || rs->status == 504;
    switch (err->kind) {
    case GK_NET_FAIL_CONNECT:
    case GK_NET_FAIL_TIMEOUT:
    case GK_NET_FAIL_DROPPED:
        return true;
    default:
        /* Unknown host, certificate problems and the like do not heal by waiting. */
        return false;
    }
}

long gk_net_backoff_ms(long base_ms, long cap_ms, int attempt, long retry_after_s, double jitter)
{
    long d = base_ms;
    for (int i = 1; i < attempt && d < cap_ms; i++)
        d *= 2;
    if (d > cap_ms)
        d = cap_ms;
    /* "Equal jitter": half fixed, half random, so many clients that failed
     * together do not come back together. */
    if (jitter < 0)
        jitter = 0;
    if (jitter >= 1)
        jitter = 0.999;
    long ms = d / 2 + (long)((double)(d - d / 2) * jitter);
    if (retry_after_s >= 0) {
        long ra = (retry_after_s > GK_NET_RETRY_AFTER_MAX_S ? GK_NET_RETRY_AFTER_MAX_S : retry_after_s) * 1000;
        if (ra > ms)
            ms = ra;
    }
    return ms;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

int gk_net_send(gk_net *n, const gk_net_request *rq, gk_net_response *rs, gk_net_error *err)
{
    int max_attempts = n->cfg->retries + 1;
    for (int attempt = 1;; attempt++) {
        int rc = gk_net_send_once(n, rq, rs, err);
        err->attempts = attempt;
        if (rc == 0 && !gk_net_retryable(err, rs))
            return 0;
        if (rc < 0 && !gk_net_retryable(err, NULL))
            return -1;
        if (attempt >= max_attempts)
            return rc;
        double jitter = (double)rand_r(&n->jitter_seed) / ((double)RAND_MAX + 1.0);
        long wait = gk_net_backoff_ms(n->cfg->retry_base_ms, n->cfg->retry_cap_ms, attempt,
                                      rc == 0 ? rs->retry_after_s : -1, jitter);
        if (!n->quiet) {
            if (rc == 0)
                fprintf(stderr, "gongkai: 服务器暂时不可用（HTTP %ld），%.1f 秒后重试（第 %d/%d 次）…\n",
                        rs->status, (double)wait / 1000.0, attempt, max_attempts - 1);
            else
                fprintf(stderr, "gongkai: %.*s；%.1f 秒后重试（第 %d/%d 次）…\n", gk_net_error_lead(err),
                        err->message, (double)wait / 1000.0, attempt, max_attempts - 1);
        }
        if (rc == 0)
            gk_net_response_free(rs);
        sleep_ms(wait);
    }
}

json_t *gk_net_call_json(gk_net *n, const gk_net_request *rq, long *status, gk_net_error *err)
{
    gk_net_response rs;
    json_t *j = NULL;
    json_error_t je;
    int attempts;
    if (gk_net_send(n, rq, &rs, err) < 0)
        return NULL;
    attempts = err->attempts;
    if (status)
        *status = rs.status;
    if (rs.status < 200 || rs.status >= 300) {
        gk_net_describe_http(n->cfg, &rs, err);
        err->attempts = attempts;
        goto out;
    }
    /* exact: decimals (amounts) never pass through a double */
    j = gk_json_loadb_exact(rs.body, rs.len, 0, &je);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        j = NULL;
        err->kind = GK_NET_FAIL_PROTOCOL;
        err->status = rs.status;
        snprintf(err->message, sizeof err->message,
                 "服务器的回答不是预期的 JSON（HTTP %ld）：地址 %s 是否指向 gongkaid？", rs.status,
                 n->cfg->url);
    }
out:
    gk_net_response_free(&rs);
    return j;
}

char *gk_net_escape(const char *segment)
{
    char *e = curl_easy_escape(NULL, segment, 0);
    char *r;
    if (!e)
        return gk_net_xstrdup("");
    r = gk_net_xstrdup(e);
    curl_free(e);
    return r;
}
