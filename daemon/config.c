/* config.c — the settings table.  Every limit the daemon enforces is named
 * here with its default and a line of documentation, so `--help` and the
 * test that checks the documentation see one source of truth. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define OFF(f) offsetof(gk_config, f)

const gk_config_key gk_config_keys[] = {
    {"listen-address", "GK_LISTEN_ADDRESS", GK_CFG_STRING, "127.0.0.1", 0, 0, OFF(listen_address),
     "HTTP 服务监听的 IP 地址"},
    {"port", "GK_PORT", GK_CFG_INT, "8080", 0, 65535, OFF(port), "HTTP 服务的 TCP 端口（0：由系统选一个空闲端口，见日志“listening on”）"},
    {"database", "GK_DATABASE", GK_CFG_STRING, "", 0, 0, OFF(database),
     "libpq 连接串或 postgresql:// URI；为空时用 libpq 的 PG* 环境变量"},
    {"pool-size", "GK_POOL_SIZE", GK_CFG_INT, "4", 1, 64, OFF(pool_size),
     "连接池中 PostgreSQL 连接的数量"},
    {"pool-read-reserve", "GK_POOL_READ_RESERVE", GK_CFG_INT, "1", 0, 63, OFF(pool_read_reserve),
     "留给读请求、提交不得占用的连接数（至多 pool-size - 1）"},
    {"queue-max", "GK_QUEUE_MAX", GK_CFG_INT, "256", 1, 100000, OFF(queue_max),
     "允许排队等待空闲数据库连接的请求数；超出则答 503"},
    {"max-body", "GK_MAX_BODY", GK_CFG_INT, "1048576", 1024, 67108864, OFF(max_body),
     "请求体的最大字节数；超出则答 413 body_too_large（超过 4 倍时由 evhttp 直接拒绝，非 JSON）"},
    {"max-import", "GK_MAX_IMPORT", GK_CFG_INT, "4194304", 1024, 16777216, OFF(max_import),
     "POST /api/v1/import 所收文件的最大字节数；超出则答 413 body_too_large（超过 2 倍时由 evhttp 直接拒绝，非 JSON）"},
    {"max-headers", "GK_MAX_HEADERS", GK_CFG_INT, "16384", 1024, 1048576, OFF(max_headers),
     "请求头部的最大字节数；超出时由 evhttp 直接答 400 并断开（非 JSON）"},
    {"io-timeout-ms", "GK_IO_TIMEOUT_MS", GK_CFG_INT, "30000", 100, 3600000, OFF(io_timeout_ms),
     "客户端连接的读写超时（libevent 2.1 读写共用一个）"},
    {"request-timeout-ms", "GK_REQUEST_TIMEOUT_MS", GK_CFG_INT, "10000", 100, 3600000,
     OFF(request_timeout_ms), "请求等待数据库的最长时间，超时答 503"},
    {"max-connections", "GK_MAX_CONNECTIONS", GK_CFG_INT, "512", 1, 100000, OFF(max_connections),
     "同时打开的客户端连接数上限；超出的连接答 503 并关闭"},
    {"reconnect-min-ms", "GK_RECONNECT_MIN_MS", GK_CFG_INT, "100", 10, 60000, OFF(reconnect_min_ms),
     "重连 PostgreSQL 前的首次等待，每失败一次加倍"},
    {"reconnect-max-ms", "GK_RECONNECT_MAX_MS", GK_CFG_INT, "5000", 10, 600000, OFF(reconnect_max_ms),
     "重连等待的上限"},
    {"connect-timeout-ms", "GK_CONNECT_TIMEOUT_MS", GK_CFG_INT, "5000", 100, 600000,
     OFF(connect_timeout_ms), "单次 PostgreSQL 连接尝试超过此时长即放弃"},
    {"retry-after", "GK_RETRY_AFTER", GK_CFG_INT, "2", 1, 3600, OFF(retry_after_s),
     "数据库不可用期间 Retry-After 头给出的秒数"},
    {"cache-entries", "GK_CACHE_ENTRIES", GK_CFG_INT, "64", 0, 100000, OFF(cache_entries),
     "按 ETag 缓存在内存中的汇总/合规回答条数（0：不缓存）"},
    {"cache-mb", "GK_CACHE_MB", GK_CFG_INT, "64", 1, 65536, OFF(cache_mb),
     "该缓存的内存上限（MiB）"},
    {"read-only", "GK_READ_ONLY", GK_CFG_INT, "0", 0, 1, OFF(read_only),
     "1：从热备库提供只读服务：启动时不迁移、不监听变更通知，提交答 503 read_only"},
    {"db-prepare", "GK_DB_PREPARE", GK_CFG_INT, "1", 0, 1, OFF(db_prepare),
     "1：每条 SQL 在每个连接上只准备一次、按名执行（省去每次的规划）；"
     "0：每次都用未命名语句（经 PgBouncer 1.21 以前的事务池时必须为 0）"},
    {"read-check-ms", "GK_READ_CHECK_MS", GK_CFG_INT, "100", 0, 3600000, OFF(read_check_ms),
     "已缓存的汇总/合规轮询直接从内存回答，每隔这么久到数据库核对一次未经通知的变更"
     "（0：每次轮询都到数据库核对）"},
    {"pwhash-ops", "GK_PWHASH_OPS", GK_CFG_INT, "2", 1, 20, OFF(pwhash_ops),
     "控制台密码的 Argon2id 迭代次数（opslimit，libsodium 的 INTERACTIVE 为 2）"},
    {"pwhash-mem-kib", "GK_PWHASH_MEM_KIB", GK_CFG_INT, "65536", 8, 1048576, OFF(pwhash_mem_kib),
     "控制台密码的 Argon2id 内存用量（KiB，memlimit；默认 64 MiB）；低于此设置的旧散列在下次登录时重算"},
    {"pwhash-threads", "GK_PWHASH_THREADS", GK_CFG_INT, "2", 1, 16, OFF(pwhash_threads),
     "在事件循环之外计算密码散列的线程数（同时进行的登录校验数；内存峰值 = 线程数 × pwhash-mem-kib）"},
    {"pwhash-queue", "GK_PWHASH_QUEUE", GK_CFG_INT, "32", 1, 10000, OFF(pwhash_queue),
     "等待散列线程的登录请求数上限；超出则答 503 busy"},
    {"session-idle-s", "GK_SESSION_IDLE_S", GK_CFG_INT, "1800", 1, 86400, OFF(session_idle_s),
     "控制台会话闲置多少秒后失效"},
    {"session-max-s", "GK_SESSION_MAX_S", GK_CFG_INT, "43200", 1, 2592000, OFF(session_max_s),
     "控制台会话自登录起最长有效秒数（无论是否在用）"},
    {"cookie-secure", "GK_COOKIE_SECURE", GK_CFG_INT, "0", 0, 1, OFF(cookie_secure),
     "1：服务位于 TLS（nginx）之后，会话 Cookie 带 Secure 属性，只经 HTTPS 发送"},
    {"signin-name-failures", "GK_SIGNIN_NAME_FAILURES", GK_CFG_INT, "5", 1, 1000, OFF(signin_name_failures),
     "同一用户名在 signin-window-s 内允许的登录失败次数；超出则答 429"},
    {"signin-addr-failures", "GK_SIGNIN_ADDR_FAILURES", GK_CFG_INT, "20", 1, 100000, OFF(signin_addr_failures),
     "同一客户端地址在 signin-window-s 内允许的登录失败次数；超出则答 429"},
    {"signin-window-s", "GK_SIGNIN_WINDOW_S", GK_CFG_INT, "900", 1, 86400, OFF(signin_window_s),
     "登录失败计数的时间窗（秒）"},
    {"trust-proxy", "GK_TRUST_PROXY", GK_CFG_INT, "0", 0, 1, OFF(trust_proxy),
     "1：只经 nginx 访问，登录限流按 X-Real-IP 头给出的客户端地址计（否则按连接的对端地址）"},
    {"changes-max-streams", "GK_CHANGES_MAX_STREAMS", GK_CFG_INT, "64", 0, 10000, OFF(changes_max_streams),
     "同时打开的变更流（/api/v1/changes 的 Server-Sent Events）上限；超出答 503 too_many_streams"},
    {"changes-heartbeat-ms", "GK_CHANGES_HEARTBEAT_MS", GK_CFG_INT, "15000", 100, 600000,
     OFF(changes_heartbeat_ms), "变更流无事件时发送心跳注释（带当前游标）的间隔"},
    {"changes-poll-ms", "GK_CHANGES_POLL_MS", GK_CFG_INT, "1000", 10, 600000, OFF(changes_poll_ms),
     "变更流未被通知唤醒时，至多隔这么久到数据库查一次新变更"},
    {"changes-stream-max-s", "GK_CHANGES_STREAM_MAX_S", GK_CFG_INT, "3600", 1, 86400, OFF(changes_stream_max_s),
     "一条变更流的最长时长（秒），到时结束，客户端凭 Last-Event-ID 续接"},
};
const size_t gk_config_nkeys = sizeof gk_config_keys / sizeof gk_config_keys[0];

static int set_one(gk_config *c, const gk_config_key *k, const char *value, const char *from,
                   char *err, size_t errlen)
{
    char *base = (char *)c;
    if (k->type == GK_CFG_STRING) {
        char **slot = (char **)(base + k->offset);
        char *dup = strdup(value);
        if (dup == NULL) {
            snprintf(err, errlen, "内存不足");
            return -1;
        }
        free(*slot);
        *slot = dup;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || v < k->min || v > k->max) {
        snprintf(err, errlen, "%s %s 的值无效：\"%s\"（应为 %ld 至 %ld 的整数）", from, k->key,
                 value, k->min, k->max);
        return -1;
    }
    *(long *)(base + k->offset) = v;
    return 0;
}

int gk_config_init(gk_config *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < gk_config_nkeys; i++) {
        const gk_config_key *k = &gk_config_keys[i];
        if (set_one(c, k, k->def, "默认值", err, errlen) != 0)
            return -1;
        const char *env = getenv(k->env);
        if (env != NULL && set_one(c, k, env, k->env, err, errlen) != 0)
            return -1;
    }
    return 0;
}

const gk_config_key *gk_config_find(const char *key)
{
    for (size_t i = 0; i < gk_config_nkeys; i++)
        if (strcmp(gk_config_keys[i].key, key) == 0)
            return &gk_config_keys[i];
    return NULL;
}

int gk_config_set(gk_config *c, const char *key, const char *value, char *err, size_t errlen)
{
    const gk_config_key *k = gk_config_find(key);
    return k != NULL ? set_one(c, k, value, "选项", err, errlen) : 1;
}

void gk_config_free(gk_config *c)
{
    for (size_t i = 0; i < gk_config_nkeys; i++)
        if (gk_config_keys[i].type == GK_CFG_STRING) {
            char **slot = (char **)((char *)c + gk_config_keys[i].offset);
            free(*slot);
            *slot = NULL;
        }
}

void gk_config_help(FILE *out)
{
    fprintf(out,
            "用法: gongkaid [选项]                 运行服务（启动时先执行数据库迁移）\n"
            "      gongkaid migrate                 执行数据库迁移\n"
            "      gongkaid regions import FILE     导入行政区划（pcas-code.json 或 CSV code,name,parent_code）\n"
            "      gongkaid token create --region CODE --role submitter|viewer|admin [--note TEXT]\n"
            "      gongkaid token list | token revoke ID\n"
            "      gongkaid deadline set REGION YEAR YYYY-MM-DD   设定截止日期（下级地区继承）\n"
            "      gongkaid deadline unset REGION YEAR          取消该地区本身的截止日期\n"
            "      gongkaid deadline list [REGION]              列出设定的截止日期\n"
            "      gongkaid user add NAME --region CODE --role submitter|viewer|admin   控制台用户（密码从终端或标准输入读入）\n"
            "      gongkaid user list | user disable NAME | user passwd NAME\n\n"
            "选项（命令行 --键=值 或 --键 值；环境变量；默认值；取值范围）：\n");
    for (size_t i = 0; i < gk_config_nkeys; i++) {
        const gk_config_key *k = &gk_config_keys[i];
        fprintf(out, "  --%-20s %-22s 默认：%s\n      %s", k->key, k->env,
                k->def[0] ? k->def : "（空）", k->doc);
        if (k->type == GK_CFG_INT)
            fprintf(out, " [%ld..%ld]", k->min, k->max);
        fputc('\n', out);
    }
}
