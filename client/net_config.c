/* net_config.c — settles server URL, token and TLS options (see net_config.h
 * for the order of sources and why the token never comes from argv). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <curl/curl.h>
#include "net_config.h"
#include "net_util.h"

#define GK_NET_RETRY_BASE_MS 500
#define GK_NET_RETRY_CAP_MS 8000

void gk_net_flags_init(gk_net_flags *fl)
{
    memset(fl, 0, sizeof *fl);
    fl->timeout_s = -1;
    fl->retries = -1;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int gk_net_flags_option(gk_net_flags *fl, int opt, const char *arg)
{
    long v;
    switch (opt) {
    case GK_NET_OPT_URL: fl->url = arg; return 1;
    case GK_NET_OPT_TOKEN_FILE: fl->token_file = arg; return 1;
    case GK_NET_OPT_CACERT: fl->cacert = arg; return 1;
    case GK_NET_OPT_CONFIG: fl->config = arg; return 1;
    case GK_NET_OPT_INSECURE_HTTP: fl->insecure_http = true; return 1;
    case GK_NET_OPT_TIMEOUT:
        if (parse_long(arg, 1, GK_NET_MAX_TIMEOUT_S, &v) < 0) {
            fprintf(stderr, "gongkai: --timeout 应为 1 到 %d 之间的秒数\n", GK_NET_MAX_TIMEOUT_S);
            return -1;
        }
        fl->timeout_s = v;
        return 1;
    case GK_NET_OPT_RETRIES:
        if (parse_long(arg, 0, GK_NET_MAX_RETRIES, &v) < 0) {
            fprintf(stderr, "gongkai: --retries 应为 0 到 %d 之间的整数\n", GK_NET_MAX_RETRIES);
            return -1;
        }
        fl->retries = (int)v;
        return 1;
    case GK_NET_OPT_TOKEN:
        /* Deliberately not echoing arg: it is the secret. */
        fprintf(stderr, "gongkai: 出于安全考虑，令牌不能写在命令行上（会出现在进程列表和命令历史中）。\n"
                        "  请改用环境变量 GONGKAI_TOKEN、--token-file 文件或配置文件 ~/.config/gongkai/config。\n");
        return -1;
    default:
        return 0;
    }
}

void gk_net_print_options(FILE *out)
{
    fputs("服务器选项:\n"
          "  --url URL            服务器地址（或环境变量 GONGKAI_URL、配置文件的 url）\n"
          "  --token-file 文件    从文件读取令牌（或环境变量 GONGKAI_TOKEN、配置文件的 token）；\n"
          "                       文件不得被同组或其他用户读取（chmod 600）\n"
          "  --cacert 文件        用此 CA 证书验证服务器（内部 CA）；默认用系统证书库\n"
          "  --insecure-http      允许向非本机地址使用不加密的 http://（不建议）\n"
          "  --config 文件        配置文件，默认 ~/.config/gongkai/config（须为 600 权限）\n"
          "  --timeout 秒         单次请求超时，默认 30\n"
          "  --retries 次数       网络错误、超时或 503 时的重试次数，默认 5\n",
          out);
}

bool gk_net_host_is_loopback(const char *host)
{
    char buf[64];
    size_t n = strlen(host);
    if (n >= sizeof buf)
        return false;
    if (!strcasecmp(host, "localhost"))
        return true;
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        memcpy(buf, host + 1, n - 2);
        buf[n - 2] = '\0';
    } else {
        memcpy(buf, host, n + 1);
    }
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, buf, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, buf, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6) ||
               (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
    return false;
}

bool gk_net_url_is_loopback(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    bool yes = false;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        yes = gk_net_host_is_loopback(host);
    curl_free(host);
    curl_url_cleanup(u);
    return yes;
}

char *gk_net_url_normalise(const char *url, bool insecure_http, char *err, size_t errlen)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *user = NULL, *password = NULL, *query = NULL,
         *fragment = NULL, *port = NULL, *path = NULL, *result = NULL;
    if (!u) {
        snprintf(err, errlen, "内存不足");
        return NULL;
    }
    /* Without CURLU_NON_SUPPORT_SCHEME curl would accept ftp:// and others;
     * we check the scheme ourselves below. */
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        snprintf(err, errlen, "服务器地址“%s”不是有效的 URL（应形如 https://gongkai.example.gov.cn）", url);
        goto out;
    }
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host[0]) {
        snprintf(err, errlen, "服务器地址“%s”缺少协议或主机名", url);
        goto out;
    }
    if (strcmp(scheme, "https") && strcmp(scheme, "http")) {
        snprintf(err, errlen, "服务器地址只能用 https://（或本机的 http://），不能用 %s://", scheme);
        goto out;
    }
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK) {
        /* Not echoing the URL: the user part may be a secret. */
        snprintf(err, errlen, "服务器地址中不能包含用户名或密码；令牌请用 GONGKAI_TOKEN、--token-file 或配置文件");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_FRAGMENT, &fragment, 0) == CURLUE_OK) {
        snprintf(err, errlen, "服务器地址“%s”不应带 ? 或 # 部分", url);
        goto out;
    }
    if (!strcmp(scheme, "http") && !insecure_http && !gk_net_host_is_loopback(host)) {
        snprintf(err, errlen,
                 "拒绝用不加密的 http:// 连接 %s：令牌和报告会以明文传输。请使用 https://；"
                 "确需如此（例如内网测试）可加 --insecure-http", host);
        goto out;
    }
    (void)curl_url_get(u, CURLUPART_PORT, &port, 0);
    if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
        path = NULL;
    {
        size_t pl = path ? strlen(path) : 0;
        while (pl > 0 && path[pl - 1] == '/')
            path[--pl] = '\0';
        result = gk_net_xasprintf("%s://%s%s%s%s", scheme, host, port ? ":" : "", port ? port : "",
                                  path ? path : "");
    }
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(password);
    curl_free(query);
    curl_free(fragment);
    curl_free(port);
    curl_free(path);
    curl_url_cleanup(u);
    return result;
}

char *gk_net_read_private(const char *path, const char *what, size_t max, char *err,
                          size_t errlen)
{
    struct stat st;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, errlen, "无法打开%s %s：%s", what, path,
                 errno == ENOENT ? "文件不存在" : strerror(errno));
        return NULL;
    }
    /* fstat on the open descriptor: what we check is what we read. */
    if (fstat(fd, &st) < 0) {
        snprintf(err, errlen, "无法读取%s %s：%s", what, path, strerror(errno));
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s %s 是目录，不是文件", what, path);
        goto fail;
    }
    if (S_ISREG(st.st_mode)) {
        if (st.st_mode & (S_IRWXG | S_IRWXO)) {
            snprintf(err, errlen,
                     "%s %s 的权限为 %04o，同组或其他用户也能访问，其中的令牌可能已泄露，拒绝使用。"
                     "请执行 chmod 600 %s（如令牌可能已被他人看到，请申请新令牌）",
                     what, path, (unsigned)(st.st_mode & 07777), path);
            goto fail;
        }
        if (st.st_uid != getuid() && st.st_uid != 0) {
            snprintf(err, errlen, "%s %s 不属于当前用户，拒绝使用", what, path);
            goto fail;
        }
    }
    for (;;) {
        if (cap - len < 1024) {
            cap = cap ? cap * 2 : 4096;
            char *nb = gk_net_xmalloc(cap);
            if (buf) {
                memcpy(nb, buf, len);
                explicit_bzero(buf, len);
                free(buf);
            }
            buf = nb;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            snprintf(err, errlen, "无法读取%s %s：%s", what, path, strerror(errno));
            goto fail;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > max) {
            snprintf(err, errlen, "%s %s 过大（超过 %zu 字节）", what, path, max);
            goto fail;
        }
    }
    buf[len] = '\0';
    close(fd);
    return buf;
fail:
    if (buf) {
        explicit_bzero(buf, cap);
        free(buf);
    }
    close(fd);
    return NULL;
}

int gk_net_token_check(const char *token, const char *origin, char *err, size_t errlen)
{
    size_t n = strlen(token);
    if (n == 0) {
        snprintf(err, errlen, "令牌为空（来自%s）", origin);
        return -1;
    }
    if (n > GK_NET_MAX_TOKEN) {
        snprintf(err, errlen, "令牌过长（来自%s）", origin);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)token[i];
        if (c < 0x21 || c > 0x7e) {
            snprintf(err, errlen, "令牌含有空格、控制字符或非 ASCII 字符（来自%s），请检查是否复制完整", origin);
            return -1;
        }
    }
    return 0;
}

/* Trims surrounding whitespace in place; returns the start. */
static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

void gk_net_file_config_free(gk_net_file_config *fc)
{
    free(fc->url);
    gk_net_free_secret(fc->token);
    free(fc->token_file);
    free(fc->cacert);
    memset(fc, 0, sizeof *fc);
    fc->timeout_s = -1;
    fc->retries = -1;
}

int gk_net_config_parse(const char *text, const char *path, gk_net_file_config *out,
                        char *err, size_t errlen)
{
    char *copy = gk_net_xstrdup(text), *line, *save = NULL;
    int lineno = 0, rc = -1;
    memset(out, 0, sizeof *out);
    out->timeout_s = -1;
    out->retries = -1;
    /* strtok_r would skip empty lines and so miscount; walk by hand. */
    for (line = copy; line; line = save) {
        char *nl = strchr(line, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "配置文件 %s 第 %d 行应为“键 = 值”", path, lineno);
            goto out;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        char **slot = NULL;
        long v;
        if (!strcmp(key, "url"))
            slot = &out->url;
        else if (!strcmp(key, "token"))
            slot = &out->token;
        else if (!strcmp(key, "token_file"))
            slot = &out->token_file;
        else if (!strcmp(key, "cacert"))
            slot = &out->cacert;
        else if (!strcmp(key, "timeout")) {
            if (parse_long(val, 1, GK_NET_MAX_TIMEOUT_S, &v) < 0) {
                snprintf(err, errlen, "配置文件 %s 第 %d 行：timeout 应为 1 到 %d 之间的秒数", path,
                         lineno, GK_NET_MAX_TIMEOUT_S);
                goto out;
            }
            out->timeout_s = v;
            continue;
        } else if (!strcmp(key, "retries")) {
            if (parse_long(val, 0, GK_NET_MAX_RETRIES, &v) < 0) {
                snprintf(err, errlen, "配置文件 %s 第 %d 行：retries 应为 0 到 %d 之间的整数", path,
                         lineno, GK_NET_MAX_RETRIES);
                goto out;
            }
            out->retries = (int)v;
            continue;
        } else {
            snprintf(err, errlen,
                     "配置文件 %s 第 %d 行：未知的键“%.40s”（可用：url、token、token_file、cacert、timeout、retries）",
                     path, lineno, key);
            goto out;
        }
        if (!*val) {
            snprintf(err, errlen, "配置文件 %s 第 %d 行：%s 的值为空", path, lineno, key);
            goto out;
        }
        if (slot == &out->token)
            gk_net_free_secret(*slot);
        else
            free(*slot);
        *slot = gk_net_xstrdup(val);
    }
    rc = 0;
out:
    explicit_bzero(copy, strlen(text));
    free(copy);
    if (rc < 0)
        gk_net_file_config_free(out);
    return rc;
}

/* The config file's path: --config, else $XDG_CONFIG_HOME/gongkai/config,
 * else ~/.config/gongkai/config.  *explicit tells whether its absence is an
 * error. */
static char *config_path(const gk_net_flags *fl, bool *explicit)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    *explicit = fl->config != NULL;
    if (fl->config)
        return gk_net_xstrdup(fl->config);
    if (xdg && xdg[0] == '/')
        return gk_net_xasprintf("%s/gongkai/config", xdg);
    if (home && home[0])
        return gk_net_xasprintf("%s/.config/gongkai/config", home);
    return NULL;
}

/* Reads a token file; strips the trailing newline editors add. */
static char *read_token_file(const char *path, char *err, size_t errlen)
{
    char *t = gk_net_read_private(path, "令牌文件", GK_NET_MAX_TOKEN + 64, err, errlen);
    if (!t)
        return NULL;
    size_t n = strlen(t);
    while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' ' || t[n - 1] == '\t'))
        t[--n] = '\0';
    return t;
}

int gk_net_config_load(gk_net_config *cfg, const gk_net_flags *fl, bool need_token,
                       char *err, size_t errlen)
{
    gk_net_file_config fc;
    char *cpath = NULL, *ctext = NULL;
    const char *env_url = getenv("GONGKAI_URL"), *env_token = getenv("GONGKAI_TOKEN");
    const char *url = NULL;
    bool explicit_path;
    int rc = -1;

    memset(cfg, 0, sizeof *cfg);
    memset(&fc, 0, sizeof fc);
    fc.timeout_s = -1;
    fc.retries = -1;

    cpath = config_path(fl, &explicit_path);
    if (cpath) {
        struct stat st;
        if (explicit_path || stat(cpath, &st) == 0) {
            ctext = gk_net_read_private(cpath, "配置文件", GK_NET_MAX_CONFIG, err, errlen);
            if (!ctext)
                goto out;
            if (gk_net_config_parse(ctext, cpath, &fc, err, errlen) < 0)
                goto out;
        }
    }

    url = fl->url ? fl->url : (env_url && env_url[0]) ? env_url : fc.url;
    if (!url) {
        snprintf(err, errlen, "未指定服务器地址：请用 --url、环境变量 GONGKAI_URL 或配置文件 %s 中的 url",
                 cpath ? cpath : "~/.config/gongkai/config");
        goto out;
    }
    cfg->insecure_http = fl->insecure_http;
    cfg->url = gk_net_url_normalise(url, cfg->insecure_http, err, errlen);
    if (!cfg->url)
        goto out;

    if (fl->token_file) {
        cfg->token = read_token_file(fl->token_file, err, errlen);
        if (!cfg->token)
            goto out;
        cfg->token_origin = gk_net_xasprintf("令牌文件 %s", fl->token_file);
    } else if (env_token && env_token[0]) {
        cfg->token = gk_net_xstrdup(env_token);
        cfg->token_origin = gk_net_xstrdup("环境变量 GONGKAI_TOKEN");
    } else if (fc.token) {
        cfg->token = fc.token;
        fc.token = NULL;
        cfg->token_origin = gk_net_xasprintf("配置文件 %s", cpath);
    } else if (fc.token_file) {
        cfg->token = read_token_file(fc.token_file, err, errlen);
        if (!cfg->token)
            goto out;
        cfg->token_origin = gk_net_xasprintf("令牌文件 %s", fc.token_file);
    }
    if (cfg->token && gk_net_token_check(cfg->token, cfg->token_origin, err, errlen) < 0)
        goto out;
    if (need_token && !cfg->token) {
        snprintf(err, errlen, "未提供令牌：请设置环境变量 GONGKAI_TOKEN，或用 --token-file，"
                              "或在配置文件 %s 中写 token = …（文件权限须为 600）",
                 cpath ? cpath : "~/.config/gongkai/config");
        goto out;
    }

    {
        const char *ca = fl->cacert ? fl->cacert : fc.cacert;
        if (ca)
            cfg->cacert = gk_net_xstrdup(ca);
    }
    cfg->timeout_s = fl->timeout_s > 0 ? fl->timeout_s
                   : fc.timeout_s > 0 ? fc.timeout_s : GK_NET_DEFAULT_TIMEOUT_S;
    cfg->connect_timeout_s = cfg->timeout_s < GK_NET_CONNECT_TIMEOUT_S ? cfg->timeout_s
                                                                        : GK_NET_CONNECT_TIMEOUT_S;
    cfg->retries = fl->retries >= 0 ? fl->retries
                 : fc.retries >= 0 ? fc.retries : GK_NET_DEFAULT_RETRIES;
    cfg->retry_base_ms = GK_NET_RETRY_BASE_MS;
    cfg->retry_cap_ms = GK_NET_RETRY_CAP_MS;
    rc = 0;
out:
    if (ctext) {
        explicit_bzero(ctext, strlen(ctext));
        free(ctext);
    }
    gk_net_file_config_free(&fc);
    free(cpath);
    if (rc < 0)
        gk_net_config_free(cfg);
    return rc;
}

void gk_net_config_free(gk_net_config *cfg)
{
    free(cfg->url);
    gk_net_free_secret(cfg->token);
    free(cfg->token_origin);
    free(cfg->cacert);
    memset(cfg, 0, sizeof *cfg);
}
