/* mark.c — reading a finding mark: which finding (its code and path, as the
 * judgement names it), the office's decision, and the reason — required
 * when a finding is dismissed, since 不予采纳 overrules the rules and must
 * say why to whoever reads the supervision list later. */
#include "gongkai/mark.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int fail(gk_review_error *err, const char *path, const char *msg)
{
    snprintf(err->code, sizeof err->code, "%s", "invalid_mark");
    snprintf(err->path, sizeof err->path, "%s", path);
    snprintf(err->message, sizeof err->message, "%s", msg);
    return -1;
}

/* A string member of at most max bytes with no control characters; the
 * value copied into out (size max + 1).  false after fail(). */
static int take_string(json_t *o, const char *key, bool required, size_t max, char *out, gk_review_error *err,
                       const char *msg)
{
    json_t *v = json_object_get(o, key);
    out[0] = '\0';
    if (v == NULL && !required)
        return 0;
    if (!json_is_string(v) || json_string_length(v) > max)
        return fail(err, key, msg);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 && strcmp(key, "reason") != 0)
            return fail(err, key, msg);
    if (strlen(s) != n)   /* an embedded NUL */
        return fail(err, key, msg);
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

int gk_mark_body_parse(const char *data, size_t len, gk_mark_body *out, gk_review_error *err)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *o = json_loadb(data ? data : "", len, JSON_REJECT_DUPLICATES, &je);
    if (o == NULL) {
        snprintf(err->code, sizeof err->code, "%s", "invalid_json");
        err->path[0] = '\0';
        snprintf(err->message, sizeof err->message, "%s", "请求体不是有效的 JSON");
        return -1;
    }
    int rc = -1;
    if (!json_is_object(o)) {
        fail(err, "", "请求体应为 JSON 对象");
        goto done;
    }
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        if (strcmp(key, "code") != 0 && strcmp(key, "path") != 0 && strcmp(key, "mark") != 0 &&
            strcmp(key, "reason") != 0) {
            fail(err, "", "未知字段（只接受 code、path、mark、reason）");
            goto done;
        }
    }
    if (take_string(o, "code", true, GK_MARK_CODE_MAX, out->code, err, "code 应为检查结果的代码（不超过 128 字节）") ||
        take_string(o, "path", false, GK_MARK_PATH_MAX, out->path, err, "path 应为检查结果的单元格路径（不超过 256 字节）") ||
        take_string(o, "reason", false, GK_MARK_REASON_MAX, out->reason, err, "reason 应为不超过 2000 字节的文字"))
        goto done;
    if (out->code[0] == '\0') {
        fail(err, "code", "code 应为检查结果的代码（不超过 128 字节）");
        goto done;
    }
    const char *m = json_string_value(json_object_get(o, "mark"));
    if (m == NULL || (strcmp(m, "confirmed") != 0 && strcmp(m, "dismissed") != 0)) {
        fail(err, "mark", "mark 应为 confirmed（确认）或 dismissed（不予采纳）");
        goto done;
    }
    snprintf(out->mark, sizeof out->mark, "%s", m);
    /* blank is as good as missing: whitespace gives no reason */
    if (strcmp(out->mark, "dismissed") == 0 && strspn(out->reason, " \t\r\n") == strlen(out->reason)) {
        fail(err, "reason", "不予采纳须写明理由（reason）");
        goto done;
    }
    rc = 0;
done:
    json_decref(o);
    return rc;
}

const char *gk_mark_label(const char *mark)
{
    if (mark == NULL)
        return "";
    if (strcmp(mark, "confirmed") == 0)
        return "确认";
    if (strcmp(mark, "dismissed") == 0)
        return "不予采纳";
    return "";
}
