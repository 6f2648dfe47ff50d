/* fuzz_review.c — libFuzzer target: any bytes as the body of POST
 * /api/v1/reports/{entity}/{year}/review (lib/review.c); on success the
 * result must be one of the three actions with an in-bounds comment. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/review.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gk_review_body b;
    gk_review_error e;
    if (gk_review_body_parse((const char *)data, size, &b, &e) == 0) {
        if (strcmp(b.action, "return") != 0 && strcmp(b.action, "accept") != 0 && strcmp(b.action, "reopen") != 0)
            abort();
        if (strlen(b.comment) > GK_REVIEW_COMMENT_MAX || b.revision < 0)
            abort();
    } else if (e.code[0] == '\0' || e.message[0] == '\0') {
        abort();
    }
    return 0;
}
