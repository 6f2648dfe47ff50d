/* session_parse.c — see session_parse.h.  Everything here reads bytes a
 * client chose: bounded lengths, no allocation beyond jansson's parse of a
 * body the server already capped (--max-body). */
#include "session_parse.h"

#include <jansson.h>
#include <string.h>
#include <strings.h>

int gk_signin_parse(const char *body, size_t len, gk_signin *out, const char **why, const char **path)
{
    memset(out, 0, sizeof *out);
    *path = "";
    json_error_t err;
    json_t *j = body != NULL ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &err) : NULL;
    if (!json_is_object(j)) {
        json_decref(j);
        *why = "请求体应为 JSON 对象 {\"name\": …, \"password\": …}";
        return -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) {
        if (strcmp(key, "name") != 0 && strcmp(key, "password") != 0) {
            json_decref(j);
            *why = "未知字段（只接受 name 与 password）";
            return -1;
        }
    }
    json_t *name = json_object_get(j, "name"), *pw = json_object_get(j, "password");
    const char *problem = NULL;
    if (!json_is_string(name)) {
        *path = "name";
        problem = "缺少用户名（字符串）";
    } else if ((problem = gk_user_name_problem(json_string_value(name), json_string_length(name))) != NULL) {
        *path = "name";
    } else if (!json_is_string(pw) || json_string_length(pw) == 0) {
        *path = "password";
        problem = "缺少密码（字符串）";
    } else if (json_string_length(pw) > GK_PASSWORD_MAX) {
        *path = "password";
        problem = "密码过长（至多 1024 字节）";
    }
    if (problem == NULL) {
        memcpy(out->name, json_string_value(name), json_string_length(name));
        out->pw_len = json_string_length(pw);
        memcpy(out->pw, json_string_value(pw), out->pw_len);
    }
    json_decref(j);   /* jansson's copy of the password is freed, not wiped: see docs/security.md */
    *why = problem;
    return problem == NULL ? 0 : -1;
}

bool gk_session_cookie(const char *h, char out[GK_SESSION_ID_HEX + 1])
{
    static const char name[] = GK_SESSION_COOKIE "=";
    const size_t nlen = sizeof name - 1;
    if (h == NULL)
        return false;
    /* cookie-string = pair *( ";" SP pair ), RFC 6265 §4.2.1; spaces tolerated */
    for (const char *p = h; *p != '\0';) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        size_t n = strcspn(p, ";");
        if (n >= nlen && strncmp(p, name, nlen) == 0) {
            const char *v = p + nlen;
            size_t vlen = n - nlen;
            while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
            if (vlen != GK_SESSION_ID_HEX || strspn(v, "0123456789abcdef") < GK_SESSION_ID_HEX)
                return false;
            memcpy(out, v, GK_SESSION_ID_HEX);
            out[GK_SESSION_ID_HEX] = '\0';
            return true;
        }
        p += n;
    }
    return false;
}

bool gk_same_origin(const char *origin, const char *sec_fetch_site, const char *host, bool required)
{
    if (origin == NULL && sec_fetch_site == NULL)
        return !required;
    if (sec_fetch_site != NULL && strcmp(sec_fetch_site, "same-origin") != 0)
        return false;
    if (origin != NULL) {
        const char *rest = strncasecmp(origin, "http://", 7) == 0    ? origin + 7
                           : strncasecmp(origin, "https://", 8) == 0 ? origin + 8
                                                                      : NULL;
        /* "null" (a sandboxed or opaque origin) and anything else: refused */
        if (rest == NULL || host == NULL || host[0] == '\0' || strcasecmp(rest, host) != 0)
            return false;
    }
    return true;
}
