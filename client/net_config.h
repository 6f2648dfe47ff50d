/* net_config.h — where the client finds its server, its token and its TLS
 * settings, and the rules that keep the token safe.
 *
 * Sources, strongest first: command-line flags, the environment
 * (GONGKAI_URL, GONGKAI_TOKEN), the config file (~/.config/gongkai/config or
 * --config).  The token is never taken from argv (it would show in `ps` and
 * shell history): only --token-file, GONGKAI_TOKEN or the config file.  Like
 * ssh with private keys, a config or token file that group or others can
 * read or write is refused.  Plain HTTP is refused except to loopback unless
 * --insecure-http says so. */
#ifndef GONGKAI_CLIENT_NET_CONFIG_H
#define GONGKAI_CLIENT_NET_CONFIG_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

/* Defaults and bounds, each named once. */
#define GK_NET_DEFAULT_TIMEOUT_S 30     /* a whole request, connect included */
#define GK_NET_CONNECT_TIMEOUT_S 10
#define GK_NET_MAX_TIMEOUT_S 3600
#define GK_NET_DEFAULT_RETRIES 5        /* extra attempts after the first */
#define GK_NET_MAX_RETRIES 20
#define GK_NET_MAX_TOKEN 4096           /* bytes */
#define GK_NET_MAX_CONFIG (64 * 1024)   /* bytes of config file */

/* The command line's say, before the environment and the config file. */
typedef struct gk_net_flags {
    const char *url;
    const char *token_file;
    const char *cacert;
    const char *config;
    bool insecure_http;
    long timeout_s;   /* -1: not given */
    int retries;      /* -1: not given */
} gk_net_flags;

/* The settled configuration.  Strings are owned; token is a secret. */
typedef struct gk_net_config {
    char *url;           /* scheme://host[:port][/prefix], no trailing '/' */
    char *token;         /* NULL when none was found */
    char *token_origin;  /* where it came from, for messages (never the token) */
    char *cacert;        /* NULL: the system store */
    bool insecure_http;
    long timeout_s;
    long connect_timeout_s;
    int retries;
    long retry_base_ms;  /* first backoff; doubles, capped */
    long retry_cap_ms;
} gk_net_config;

/* Option codes for getopt_long, above any single character. */
enum {
    GK_NET_OPT_URL = 0x1000,
    GK_NET_OPT_TOKEN_FILE,
    GK_NET_OPT_CACERT,
    GK_NET_OPT_CONFIG,
    GK_NET_OPT_INSECURE_HTTP,
    GK_NET_OPT_TIMEOUT,
    GK_NET_OPT_RETRIES,
    GK_NET_OPT_TOKEN,        /* refused with an explanation */
};

/* Entries for a command's struct option array. */
#define GK_NET_LONG_OPTIONS                                                   \
    {"url", required_argument, NULL, GK_NET_OPT_URL},                         \
    {"token-file", required_argument, NULL, GK_NET_OPT_TOKEN_FILE},           \
    {"cacert", required_argument, NULL, GK_NET_OPT_CACERT},                   \
    {"config", required_argument, NULL, GK_NET_OPT_CONFIG},                   \
    {"insecure-http", no_argument, NULL, GK_NET_OPT_INSECURE_HTTP},           \
    {"timeout", required_argument, NULL, GK_NET_OPT_TIMEOUT},                 \
    {"retries", required_argument, NULL, GK_NET_OPT_RETRIES},                 \
    {"token", required_argument, NULL, GK_NET_OPT_TOKEN}

void gk_net_flags_init(gk_net_flags *fl);
/* Takes one getopt_long result.  Returns 1 when it was a network option and
 * was fine, 0 when it is not one of ours, -1 on a bad value (message printed
 * to stderr). */
int gk_net_flags_option(gk_net_flags *fl, int opt, const char *arg);
/* The common options' lines for a command's --help. */
void gk_net_print_options(FILE *out);

/* Settles the configuration from flags, environment and config file.  With
 * need_token, a missing token is an error.  Returns 0, or -1 with a Chinese
 * message in err (which never contains the token). */
int gk_net_config_load(gk_net_config *cfg, const gk_net_flags *fl, bool need_token,
                       char *err, size_t errlen) __attribute__((warn_unused_result));
void gk_net_config_free(gk_net_config *cfg);

/* Checks and normalises a server URL: http or https, a host, no user/password,
 * query or fragment; plain http only to loopback unless insecure_http.
 * Returns the normalised URL (malloc'd) or NULL with err. */
char *gk_net_url_normalise(const char *url, bool insecure_http, char *err, size_t errlen);
/* Whether a host (as in a URL, IPv6 possibly in brackets) is loopback. */
bool gk_net_host_is_loopback(const char *host);
/* Whether a URL's host is loopback (false when the URL does not parse). */
bool gk_net_url_is_loopback(const char *url);

/* Reads a file that holds a secret: refuses it unless it is owned by us (or
 * root) and not accessible to group or others (regular files only: a pipe
 * such as <(pass show …) is fine).  what names it in messages (配置文件,
 * 令牌文件).  Returns the content (malloc'd) or NULL with err. */
char *gk_net_read_private(const char *path, const char *what, size_t max,
                          char *err, size_t errlen);

/* Parses the config file text into cfg-like fields; exposed for tests.
 * Keys: url, token, token_file, cacert, timeout, retries.  Returns 0 or -1
 * with err naming the line. */
typedef struct gk_net_file_config {
    char *url, *token, *token_file, *cacert;
    long timeout_s;
    int retries;
} gk_net_file_config;
int gk_net_config_parse(const char *text, const char *path, gk_net_file_config *out,
                        char *err, size_t errlen) __attribute__((warn_unused_result));
void gk_net_file_config_free(gk_net_file_config *fc);

/* A token must be visible ASCII (RFC 6750 b64token and a little more), no
 * spaces or control characters (they would break the header).  Returns 0 or
 * -1 with err (which does not quote the token). */
int gk_net_token_check(const char *token, const char *origin, char *err, size_t errlen);

#endif
