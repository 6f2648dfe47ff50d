/* fuzz_mark.c — libFuzzer target: any bytes as the body of POST
 * /api/v1/reports/{entity}/{year}/findings/marks (lib/mark.c); on success
 * the mark is one of the two, the strings in bounds, and a dismissal has a
 * reason. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/mark.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gk_mark_body b;
    gk_review_error e;
    if (gk_mark_body_parse((const char *)data, size, &b, &e) == 0) {
        if (strcmp(b.mark, "confirmed") != 0 && strcmp(b.mark, "dismissed") != 0)
            abort();
        if (b.code[0] == '\0' || strlen(b.code) > GK_MARK_CODE_MAX || strlen(b.path) > GK_MARK_PATH_MAX ||
            strlen(b.reason) > GK_MARK_REASON_MAX)
            abort();
        if (strcmp(b.mark, "dismissed") == 0 && strspn(b.reason, " \t\r\n") == strlen(b.reason))
            abort();
    } else if (e.code[0] == '\0' || e.message[0] == '\0') {
        abort();
    }
    return 0;
}
