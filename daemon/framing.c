/* framing.c — refuses requests whose framing is ambiguous (see framing.h).
 *
 * Kept apart from http.c so the libFuzzer target (tests/fuzz/fuzz_framing)
 * can drive it with any header list, without a server. */
#include "framing.h"

#include <stdbool.h>
#include <string.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

/* RFC 9112 §6.3 and §3.2: a request whose framing two parties could read
 * differently is refused, never guessed at (issue 13, item 2).  evhttp
 * takes the first of several Content-Length headers, reads chunked when
 * Transfer-Encoding says so whatever Content-Length says, parses
 * Content-Length with strtoll (so "+7" or " 7" pass), and takes any of
 * several Host headers.  A proxy in front may pick differently: that is
 * request smuggling. */
/* RFC 9110 §5.6.2: a field name is a token.  "Content-Length : 7" (space
 * before the colon, RFC 9112 §5.1: must be refused) is no Content-Length to
 * evhttp but may be one to a proxy. */
static bool is_token(const char *s)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && strchr(extra, c) == NULL)
            return false;
    }
    return true;
}

const char *gk_framing_error(const struct evkeyvalq *h)
{
    int ncl = 0, nte = 0, nhost = 0;
    const char *te = NULL;
    for (const struct evkeyval *kv = TAILQ_FIRST(h); kv != NULL; kv = TAILQ_NEXT(kv, next)) {
        if (!is_token(kv->key))
            return "请求头名称含空白或非法字符";
        if (evutil_ascii_strcasecmp(kv->key, "Content-Length") == 0) {
            ncl++;
            const char *v = kv->value;
            if (*v == '\0' || strspn(v, "0123456789") != strlen(v))
                return "Content-Length 不是十进制数字";
        } else if (evutil_ascii_strcasecmp(kv->key, "Transfer-Encoding") == 0) {
            nte++;
            te = kv->value;
        } else if (evutil_ascii_strcasecmp(kv->key, "Host") == 0) {
            nhost++;
        }
    }
    if (ncl > 1)
        return "请求含多个 Content-Length 头";
    if (nte > 0 && ncl > 0)
        return "请求同时含 Transfer-Encoding 与 Content-Length 头";
    if (nte > 1 || (te != NULL && evutil_ascii_strcasecmp(te, "chunked") != 0))
        return "Transfer-Encoding 只接受单独的 chunked";
    if (nhost > 1)
        return "请求含多个 Host 头";
    return NULL;
}
