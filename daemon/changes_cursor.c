/* changes_cursor.c — the change feed's cursor (changes_cursor.h): parsed from
 * outside input, so strict, and kept apart from libpq and libevent so the
 * fuzz target (tests/fuzz/fuzz_cursor.c) can link it alone. */
#include "changes_cursor.h"

#include <stdio.h>
#include <string.h>

/* Canonical decimal of at most 2^63 - 1; the number of bytes read, or 0. */
static size_t number(const char *s, size_t len, unsigned long long *out)
{
    size_t n = 0;
    unsigned long long v = 0;
    while (n < len && s[n] >= '0' && s[n] <= '9') {
        if (n == 19)
            return 0;
        v = v * 10 + (unsigned long long)(s[n] - '0');
        n++;
    }
    if (n == 0 || (n > 1 && s[0] == '0') || v > 9223372036854775807ULL)
        return 0;
    *out = v;
    return n;
}

int gk_cursor_parse(const char *s, size_t len, gk_cursor *out)
{
    unsigned long long x = 0, q = 0;
    size_t a = number(s, len, &x);
    if (a == 0 || a >= len || s[a] != '-')
        return -1;
    size_t b = number(s + a + 1, len - a - 1, &q);
    if (b == 0 || a + 1 + b != len)
        return -1;
    out->xid = x;
    out->seq = (long long)q;
    return 0;
}

void gk_cursor_format(const gk_cursor *c, char out[GK_CURSOR_MAX])
{
    snprintf(out, GK_CURSOR_MAX, "%llu-%lld", c->xid, c->seq);
}

int gk_cursor_cmp(const gk_cursor *a, const gk_cursor *b)
{
    if (a->xid != b->xid)
        return a->xid < b->xid ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return 0;
}
