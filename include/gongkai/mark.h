/* mark.h — the body of POST /api/v1/reports/{entity}/{year}/findings/marks
 * (the office marks one finding 确认 or 不予采纳), read apart from the route
 * so that it can be unit-tested and fuzzed: it is outside data. */
#ifndef GONGKAI_MARK_H
#define GONGKAI_MARK_H

#include <stddef.h>

#include "gongkai/review.h"

/* A finding's code and path are short identifiers ("requests.row_total",
 * "tables.requests.received.total"); the reason is a sentence or two. */
#define GK_MARK_CODE_MAX 128
#define GK_MARK_PATH_MAX 256
#define GK_MARK_REASON_MAX GK_REVIEW_COMMENT_MAX

typedef struct gk_mark_body {
    char code[GK_MARK_CODE_MAX + 1];
    char path[GK_MARK_PATH_MAX + 1];       /* "" for a finding on the whole report */
    char mark[12];                         /* "confirmed" or "dismissed" */
    char reason[GK_MARK_REASON_MAX + 1];   /* required (not blank) for "dismissed" */
} gk_mark_body;

/* 0 with *out filled, or -1 with *err (code invalid_json or invalid_mark). */
int gk_mark_body_parse(const char *data, size_t len, gk_mark_body *out, gk_review_error *err);

/* "confirmed" → "确认", "dismissed" → "不予采纳"; "" if unknown. */
const char *gk_mark_label(const char *mark);

#endif
