/* review.h — the body of POST /api/v1/reports/{entity}/{year}/review,
 * read apart from the route so that it can be unit-tested and fuzzed: it is
 * outside data. */
#ifndef GONGKAI_REVIEW_H
#define GONGKAI_REVIEW_H

#include <stddef.h>

/* The longest comment we keep, in bytes of UTF-8 (about 660 Chinese
 * characters: a 退回 comment names what to fix, it is no document). */
#define GK_REVIEW_COMMENT_MAX 2000

typedef struct gk_review_body {
    char action[8];                    /* "return", "accept" or "reopen" */
    int revision;                      /* 0: not given (the current one) */
    char comment[GK_REVIEW_COMMENT_MAX + 1];
} gk_review_body;

typedef struct gk_review_error {
    char code[32];
    char path[16];
    char message[160];
} gk_review_error;

/* 0 with *out filled, or -1 with *err (code invalid_json or invalid_review). */
int gk_review_body_parse(const char *data, size_t len, gk_review_body *out, gk_review_error *err);

/* The Chinese name of a review state ("pending" → "待审核"); "" if unknown. */
const char *gk_review_state_label(const char *state);

#endif
