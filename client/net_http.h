/* net_http.h — the client's HTTP transport to gongkaid, on libcurl.
 *
 * One gk_net per command run holds a curl handle (so keep-alive connections
 * are reused across the reports of one `submit`).  gk_net_send_once makes one
 * attempt; gk_net_send retries what may be transient — connection refused,
 * timeouts, a dropped connection, 502/503/504 — with exponential backoff and
 * the server's Retry-After.  A request carrying an Idempotency-Key is sent
 * with the same key on every attempt, so a retry of a POST whose answer was
 * lost cannot create a second revision.  Failures come back as a gk_net_error
 * whose message is Chinese, ready to print, and never contains the token. */
#ifndef GONGKAI_CLIENT_NET_HTTP_H
#define GONGKAI_CLIENT_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "net_config.h"

#define GK_NET_MAX_RESPONSE (64L * 1024 * 1024)  /* bytes of one response body */
#define GK_NET_RETRY_AFTER_MAX_S 30               /* cap on the server's Retry-After */

typedef enum gk_net_fail {
    GK_NET_OK = 0,
    GK_NET_FAIL_CONNECT,     /* refused / unreachable: the server is down */
    GK_NET_FAIL_RESOLVE,     /* host name unknown */
    GK_NET_FAIL_TIMEOUT,
    GK_NET_FAIL_TLS_VERIFY,  /* certificate not trusted or not for this host */
    GK_NET_FAIL_TLS,         /* handshake failed otherwise */
    GK_NET_FAIL_CACERT,      /* --cacert file unusable */
    GK_NET_FAIL_DROPPED,     /* connection closed before a full answer */
    GK_NET_FAIL_HTTP,        /* the server answered with an error status */
    GK_NET_FAIL_PROTOCOL,    /* the answer is not what the API promises */
    GK_NET_FAIL_OTHER,
} gk_net_fail;

/* A transport failure's message is a Chinese sentence, then this label and
 * libcurl's own (English) text: people read the sentence, support gets the
 * detail. */
#define GK_NET_DETAIL_LABEL "。技术细节："

typedef struct gk_net_error {
    gk_net_fail kind;
    long status;          /* HTTP status, 0 when none arrived */
    char code[64];        /* the server's error.code, "" if none */
    char path[160];       /* the server's error.path */
    char message[1024];   /* for people, Chinese (then GK_NET_DETAIL_LABEL and libcurl's text) */
    int attempts;
} gk_net_error;

/* The length of the message's Chinese sentence: all of it, or what comes
 * before GK_NET_DETAIL_LABEL. */
int gk_net_error_lead(const gk_net_error *err);

typedef struct gk_net_request {
    const char *method;           /* "GET" or "POST" */
    const char *path;             /* "/api/v1/…" with query, already escaped */
    const char *body;             /* POST only */
    size_t body_len;
    const char *content_type;     /* POST only */
    const char *idempotency_key;  /* or NULL */
    bool auth;                    /* send the bearer token */
} gk_net_request;

typedef struct gk_net_response {
    long status;
    char *body;                   /* NUL-terminated, len bytes */
    size_t len;
    long retry_after_s;           /* -1 when absent */
    char content_type[128];
} gk_net_response;

typedef struct gk_net gk_net;

/* Borrows cfg, which must outlive the gk_net.  NULL only if curl cannot
 * start (message in err). */
gk_net *gk_net_new(const gk_net_config *cfg, gk_net_error *err);
void gk_net_free(gk_net *n);
/* Progress lines on retries go to stderr unless quiet. */
void gk_net_set_quiet(gk_net *n, bool quiet);

/* One attempt.  Returns 0 when an HTTP answer (of any status) arrived, else
 * -1 with err describing the transport failure. */
int gk_net_send_once(gk_net *n, const gk_net_request *rq, gk_net_response *rs,
                     gk_net_error *err) __attribute__((warn_unused_result));
/* With retries (see top).  Returns 0 with the last answer — whose status may
 * still be an error — or -1 with err. */
int gk_net_send(gk_net *n, const gk_net_request *rq, gk_net_response *rs,
                gk_net_error *err) __attribute__((warn_unused_result));
void gk_net_response_free(gk_net_response *rs);

/* gk_net_send, then: a 2xx JSON answer is parsed and returned (new
 * reference, *status set); anything else returns NULL with err described
 * for people (401, 403, 404, 422 …, see net_errors.c).  err->attempts is
 * set in both cases. */
json_t *gk_net_call_json(gk_net *n, const gk_net_request *rq, long *status,
                         gk_net_error *err);

/* Whether an attempt's outcome is worth retrying. */
bool gk_net_retryable(const gk_net_error *err, const gk_net_response *rs);
/* Milliseconds to wait before retry number `attempt` (1-based): base·2^(attempt-1)
 * capped, halved and topped with jitter in [0, half) from `jitter` ∈ [0,1);
 * at least the server's Retry-After (capped) when it gave one. */
long gk_net_backoff_ms(long base_ms, long cap_ms, int attempt, long retry_after_s, double jitter);

/* Fills err for an HTTP error answer (status ≥ 300) from its JSON error
 * object, in words fitting the status.  cfg names the token's origin for 401. */
void gk_net_describe_http(const gk_net_config *cfg, const gk_net_response *rs, gk_net_error *err);
/* Fills err for a transport failure from curl's code and error buffer. */
void gk_net_describe_transport(const gk_net_config *cfg, int curl_code, const char *detail,
                               gk_net_error *err);
/* The process exit code for a failed call: 3 (see docs/gongkai.1). */
#define GK_EXIT_OK 0
#define GK_EXIT_FINDINGS 1   /* a report has errors or was refused */
#define GK_EXIT_USAGE 2      /* bad arguments or configuration */
#define GK_EXIT_NET 3        /* could not talk to the server or it refused us */

/* Escapes one path segment (entity, region code) for a URL; malloc'd. */
char *gk_net_escape(const char *segment);

#endif
