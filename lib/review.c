/* review.c — reading a review request: an action, the revision it is
 * decided on (optional: a stale one is refused, so an office never accepts
 * a revision it has not seen) and the comment, required when returning or
 * reopening because the township must learn what to fix or why. */
#include "gongkai/review.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static int fail(gk_review_error *err, const char *code, const char *path, const char *msg)
{
    snprintf(err->code, sizeof err->code, "%s", code);
    snprintf(err->path, sizeof err->path, "%s", path);
    snprintf(err->message, sizeof err->message, "%s", msg);
    return -1;
}

int gk_review_body_parse(const char *data, size_t len, gk_review_body *out, gk_review_error *err)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *o = json_loadb(data ? data : "", len, JSON_REJECT_DUPLICATES, &je);
    if (o == NULL)
        return fail(err, "invalid_json", "", "请求体不是有效的 JSON");
    int rc = -1;
    if (!json_is_object(o)) {
        fail(err, "invalid_review", "", "请求体应为 JSON 对象");
        goto done;
    }
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        if (strcmp(key, "action") != 0 && strcmp(key, "revision") != 0 && strcmp(key, "comment") != 0) {
            fail(err, "invalid_review", "", "未知字段（只接受 action、revision、comment）");
            goto done;
        }
    }
    json_t *a = json_object_get(o, "action");
    const char *as = json_string_value(a);
    if (as == NULL || (strcmp(as, "return") != 0 && strcmp(as, "accept") != 0 && strcmp(as, "reopen") != 0)) {
        fail(err, "invalid_review", "action", "action 应为 return（退回修改）、accept（审核通过）或 reopen（重新开启）");
        goto done;
    }
    snprintf(out->action, sizeof out->action, "%s", as);
    json_t *r = json_object_get(o, "revision");
    if (r != NULL) {
        if (!json_is_integer(r) || json_integer_value(r) < 1 || json_integer_value(r) > 1000000000) {
            fail(err, "invalid_review", "revision", "revision 应为正整数版本号");
            goto done;
        }
        out->revision = (int)json_integer_value(r);
    }
    json_t *c = json_object_get(o, "comment");
    if (c != NULL && !json_is_string(c)) {
        fail(err, "invalid_review", "comment", "comment 应为字符串");
        goto done;
    }
    const char *cs = c ? json_string_value(c) : "";
    size_t cl = c ? json_string_length(c) : 0;
    if (cl > GK_REVIEW_COMMENT_MAX) {
        fail(err, "invalid_review", "comment", "comment 超过 2000 字节的上限");
        goto done;
    }
    /* blank is as good as missing: whitespace names nothing to fix */
    size_t sp = strspn(cs, " \t\r\n");
    if (sp == cl && strcmp(out->action, "accept") != 0) {
        fail(err, "invalid_review", "comment",
             strcmp(out->action, "return") == 0 ? "退回修改须写明需要修改的内容（comment）"
                                                : "重新开启须写明原因（comment）");
        goto done;
    }
    memcpy(out->comment, cs, cl);
    out->comment[cl] = '\0';
    rc = 0;
done:
    json_decref(o);
    return rc;
}

const char *gk_review_state_label(const char *state)
{
    if (state == NULL)
        return "";
    if (strcmp(state, "pending") == 0)
        return "待审核";
    if (strcmp(state, "returned") == 0)
        return "退回修改";
    if (strcmp(state, "resubmitted") == 0)
        return "已重新提交";
    if (strcmp(state, "accepted") == 0)
        return "已审核";
    return "";
}
