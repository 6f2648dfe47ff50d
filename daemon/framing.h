/* framing.h — request framing checks gongkaid adds to evhttp's (issue 13).
 *
 * evhttp (libevent 2.1) takes the first of several Content-Length headers,
 * reads chunked whenever Transfer-Encoding says so, parses Content-Length
 * with strtoll and takes any of several Host headers; a proxy in front may
 * pick otherwise.  The request is then refused with 400 and the connection
 * closed (RFC 9112 §6.3, §3.2). */
#ifndef GK_FRAMING_H
#define GK_FRAMING_H

struct evkeyvalq;

/* NULL when the request's headers frame it unambiguously; otherwise why
 * not, for people (Chinese), a static string. */
const char *gk_framing_error(const struct evkeyvalq *headers);

#endif
