/* textutil.c — UTF-8 decoding and terminal display width.
 *
 * Findings and rollups are printed as aligned tables of Chinese labels; a
 * CJK character takes two terminal columns, so padding by bytes or by code
 * points misaligns them.  The wide ranges are those of East Asian Width W/F
 * that occur in Chinese text; that is all gongkai prints. */
#include <string.h>
#include "gongkai/textutil.h"

size_t gk_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    uint32_t c, min;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2, c = s[0] & 0x1F, min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3, c = s[0] & 0x0F, min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4, c = s[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

bool gk_utf8_valid(const char *s, size_t n)
{
    uint32_t cp;
    for (size_t i = 0; i < n;) {
        size_t l = gk_utf8_decode(s + i, n - i, &cp);
        if (!l)
            return false;
        i += l;
    }
    return true;
}

int gk_cp_width(uint32_t cp)
{
    if (cp == 0 || (cp >= 0x300 && cp <= 0x36F) || cp == 0x200B || (cp >= 0xFE00 && cp <= 0xFE0F))
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
        (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
        (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
        (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

size_t gk_text_width(const char *s)
{
    size_t w = 0, n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = gk_utf8_decode(s + i, n - i, &cp);
        if (!l) {
            w++, i++;
            continue;
        }
        w += (size_t)gk_cp_width(cp);
        i += l;
    }
    return w;
}

size_t gk_format_i64(char *out, int64_t v)
{
    char tmp[20];
    size_t n = 0, len = 0;
    /* the magnitude as unsigned: -INT64_MIN does not fit in int64_t */
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        out[len++] = '-';
    while (n > 0)
        out[len++] = tmp[--n];
    return len;
}

void gk_fput_padded(FILE *out, const char *s, size_t width)
{
    fputs(s, out);
    for (size_t w = gk_text_width(s); w < width; w++)
        fputc(' ', out);
}

char *gk_text_excerpt(const char *s, size_t n, size_t max_chars, char *buf, size_t len)
{
    static const char ellipsis[] = "…";
    size_t o = 0, chars = 0, i = 0;
    /* room for the ellipsis and the NUL is kept at every step */
    while (i < n && chars < max_chars) {
        uint32_t cp;
        size_t l = gk_utf8_decode(s + i, n - i, &cp);
        bool bad = !l || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
        size_t out = bad ? 1 : l;
        if (o + out + sizeof ellipsis > len)
            break;
        if (bad)
            buf[o++] = '?';
        else
            memcpy(buf + o, s + i, l), o += l;
        i += l ? l : 1;
        chars++;
    }
    if (i < n && o + sizeof ellipsis <= len) {
        memcpy(buf + o, ellipsis, sizeof ellipsis - 1);
        o += sizeof ellipsis - 1;
    }
    if (len)
        buf[o < len ? o : len - 1] = '\0';
    return buf;
}
