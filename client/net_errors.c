/* net_errors.c — turns transport failures and the API's error answers into
 * messages people can act on, in Chinese; libcurl's own English text follows
 * a transport failure's sentence, after GK_NET_DETAIL_LABEL, for whoever
 * gives support.  The token is never quoted: only
 * where it came from (环境变量 GONGKAI_TOKEN, 令牌文件 …), so the user knows
 * which one to fix. */
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>
#include <jansson.h>
#include "net_http.h"

int gk_net_error_lead(const gk_net_error *err)
{
    const char *d = strstr(err->message, GK_NET_DETAIL_LABEL);
    return d != NULL ? (int)(d - err->message) : (int)strlen(err->message);
}

void gk_net_describe_transport(const gk_net_config *cfg, int curl_code, const char *detail,
                               gk_net_error *err)
{
    const char *url = cfg->url;
    const char *d = detail && detail[0] ? detail : curl_easy_strerror((CURLcode)curl_code);
    err->status = 0;
    switch ((CURLcode)curl_code) {
    case CURLE_COULDNT_CONNECT:
        err->kind = GK_NET_FAIL_CONNECT;
        snprintf(err->message, sizeof err->message,
                 "无法连接服务器 %s：服务器未运行，或地址、端口有误%s%s", url, GK_NET_DETAIL_LABEL, d);
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        err->kind = GK_NET_FAIL_RESOLVE;
        snprintf(err->message, sizeof err->message,
                 "找不到服务器 %s：主机名无法解析，请检查地址拼写和网络%s%s", url, GK_NET_DETAIL_LABEL, d);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        err->kind = GK_NET_FAIL_TIMEOUT;
        snprintf(err->message, sizeof err->message,
                 "连接服务器 %s 超时（%ld 秒内没有完成）：服务器繁忙或网络不通", url, cfg->timeout_s);
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
        err->kind = GK_NET_FAIL_TLS_VERIFY;
        if (strstr(d, "subject name") || strstr(d, "does not match") || strstr(d, "hostname"))
            snprintf(err->message, sizeof err->message,
                     "服务器证书与地址 %s 不符，可能连错了服务器或遭到冒充，已中止%s%s", url,
                     GK_NET_DETAIL_LABEL, d);
        else
            snprintf(err->message, sizeof err->message,
                     "服务器 %s 的证书无法验证，已中止：证书不是受信任的 CA 签发的%s%s%s", url,
                     cfg->cacert ? "（已用 --cacert 指定的 CA 检查）"
                                 : "。如服务器使用本单位内部 CA，请用 --cacert 指定该 CA 证书",
                     GK_NET_DETAIL_LABEL, d);
        break;
    case CURLE_SSL_CACERT_BADFILE:
        err->kind = GK_NET_FAIL_CACERT;
        snprintf(err->message, sizeof err->message, "无法使用 CA 证书文件 %s：文件不存在或不是 PEM 证书%s%s",
                 cfg->cacert ? cfg->cacert : "（系统证书库）", GK_NET_DETAIL_LABEL, d);
        break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_USE_SSL_FAILED:
        err->kind = GK_NET_FAIL_TLS;
        snprintf(err->message, sizeof err->message,
                 "与服务器 %s 建立加密连接失败：服务器可能不支持 https，或端口有误%s%s", url,
                 GK_NET_DETAIL_LABEL, d);
        break;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
        err->kind = GK_NET_FAIL_DROPPED;
        snprintf(err->message, sizeof err->message, "与服务器 %s 的连接中途断开%s%s", url,
                 GK_NET_DETAIL_LABEL, d);
        break;
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        err->kind = GK_NET_FAIL_PROTOCOL;
        snprintf(err->message, sizeof err->message, "服务器 %s 的回答超过 %ld 字节，已中止", url,
                 (long)GK_NET_MAX_RESPONSE);
        break;
    case CURLE_UNSUPPORTED_PROTOCOL:
        err->kind = GK_NET_FAIL_OTHER;
        snprintf(err->message, sizeof err->message, "不支持的协议%s%s", GK_NET_DETAIL_LABEL, d);
        break;
    default:
        err->kind = GK_NET_FAIL_OTHER;
        snprintf(err->message, sizeof err->message, "与服务器 %s 通信失败%s%s", url, GK_NET_DETAIL_LABEL, d);
        break;
    }
}

void gk_net_describe_http(const gk_net_config *cfg, const gk_net_response *rs, gk_net_error *err)
{
    json_t *root = NULL, *e;
    const char *code = "", *msg = "", *path = "";
    char extra[640] = "";

    memset(err, 0, sizeof *err);
    err->kind = GK_NET_FAIL_HTTP;
    err->status = rs->status;
    if (rs->body && rs->len)
        root = json_loadb(rs->body, rs->len, 0, NULL);
    e = root ? json_object_get(root, "error") : NULL;
    if (json_is_object(e)) {
        const char *s;
        if ((s = json_string_value(json_object_get(e, "code"))))
            code = s;
        if ((s = json_string_value(json_object_get(e, "message"))))
            msg = s;
        if ((s = json_string_value(json_object_get(e, "path"))))
            path = s;
    }
    snprintf(err->code, sizeof err->code, "%s", code);
    snprintf(err->path, sizeof err->path, "%s", path);
    if (msg[0])
        snprintf(extra, sizeof extra, "：%s%s%s%s", msg, path[0] ? "（位置 " : "", path,
                 path[0] ? "）" : "");

    switch (rs->status) {
    case 401:
        snprintf(err->message, sizeof err->message,
                 "服务器拒绝了令牌（401）：令牌无效、已吊销或未提供。当前令牌来自%s，请核对或向管理员申请新令牌",
                 cfg->token_origin ? cfg->token_origin : "（无）");
        break;
    case 403:
        snprintf(err->message, sizeof err->message,
                 "无权操作（403）%s。令牌的权限范围不包括该地区或单位，请确认代码是否正确", extra[0] ? extra : "");
        break;
    case 404:
        snprintf(err->message, sizeof err->message, "未找到（404）%s", extra[0] ? extra : "：服务器上没有这项内容");
        break;
    case 413:
        snprintf(err->message, sizeof err->message, "报告文件过大，服务器拒收（413）%s", extra);
        break;
    case 415:
        snprintf(err->message, sizeof err->message, "服务器不接受此内容类型（415）%s", extra);
        break;
    case 502:
    case 504:
        snprintf(err->message, sizeof err->message,
                 "服务器网关错误（%ld）：前端代理联系不上 gongkaid，服务可能未运行，请稍后再试或联系管理员",
                 rs->status);
        break;
    case 503:
        if (!strcmp(code, "db_unavailable"))
            snprintf(err->message, sizeof err->message,
                     "服务器暂时不可用（503）：数据库未连接。请稍后再试，或联系管理员");
        else
            snprintf(err->message, sizeof err->message, "服务器暂时不可用（503）%s。请稍后再试", extra);
        break;
    default:
        if (rs->status >= 500)
            snprintf(err->message, sizeof err->message, "服务器内部错误（%ld）%s，请联系管理员", rs->status,
                     extra);
        else if (msg[0])
            snprintf(err->message, sizeof err->message, "服务器拒绝了请求（%ld %s）%s", rs->status, code,
                     extra);
        else
            snprintf(err->message, sizeof err->message,
                     "服务器返回 HTTP %ld，且不是 gongkai 的错误格式：地址 %s 是否正确（http/https、端口）？",
                     rs->status, cfg->url);
        break;
    }
    json_decref(root);
}
