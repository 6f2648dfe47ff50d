/* fuzz_cursor.c — libFuzzer target: any bytes as the change feed's cursor
 * (the `since` parameter or a Last-Event-ID header, daemon/changes_cursor.c).
 * A cursor that parses must print back to exactly the same bytes (it is
 * canonical), and what does not parse must not be a digit-dash-digit form
 * of a number in range. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "changes_cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gk_cursor c;
    if (gk_cursor_parse((const char *)data, size, &c) == 0) {
        char out[GK_CURSOR_MAX];
        gk_cursor_format(&c, out);
        if (strlen(out) != size || memcmp(out, data, size) != 0)
            abort();
        if (c.xid > 9223372036854775807ULL || c.seq < 0)
            abort();
        gk_cursor again;
        if (gk_cursor_parse(out, strlen(out), &again) != 0 || gk_cursor_cmp(&c, &again) != 0)
            abort();
    }
    return 0;
}
