/* fastparse.c — a fast path for the common report: well-formed, every key
 * known, counts as integers.
 *
 * Why: jansson builds a tree of hash tables and validates every byte of the
 * prose through its generic lexer; for a report of 11 KB (8 KB of it prose)
 * that is ~150 µs, below the 10,000 reports/s per core `gongkai check` must
 * reach.  This parser reads the same bytes straight into the model.  It never
 * decides anything the general path would decide differently: on anything
 * unusual — a syntax error, an unknown or duplicate key, a value of the wrong
 * type or range, a real number, a null prose section, \u0000 — it gives up
 * and the caller parses with jansson, which produces the findings and the
 * exact error messages.  A fuzz target checks the two agree. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fastparse.h"
#include "gongkai/textutil.h"
#include "util.h"

typedef struct fp {
    const char *p, *end;
    /* scratch for decoded strings */
    char *buf;
    size_t cap;
} fp;

static void skip_ws(fp *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
}

static bool expect(fp *s, char c)
{
    skip_ws(s);
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return true;
    }
    return false;
}

static bool put_byte(fp *s, size_t *n, char c)
{
    if (*n + 1 >= s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4096;
        s->buf = gk_xrealloc(s->buf, s->cap);
    }
    s->buf[(*n)++] = c;
    return true;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static void put_utf8(fp *s, size_t *n, uint32_t cp)
{
    if (cp < 0x80) {
        put_byte(s, n, (char)cp);
    } else if (cp < 0x800) {
        put_byte(s, n, (char)(0xC0 | (cp >> 6)));
        put_byte(s, n, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        put_byte(s, n, (char)(0xE0 | (cp >> 12)));
        put_byte(s, n, (char)(0x80 | ((cp >> 6) & 0x3F)));
        put_byte(s, n, (char)(0x80 | (cp & 0x3F)));
    } else {
        put_byte(s, n, (char)(0xF0 | (cp >> 18)));
        put_byte(s, n, (char)(0x80 | ((cp >> 12) & 0x3F)));
        put_byte(s, n, (char)(0x80 | ((cp >> 6) & 0x3F)));
        put_byte(s, n, (char)(0x80 | (cp & 0x3F)));
    }
}

/* Reads a string into s->buf (NUL-terminated); false on anything jansson
 * would reject or we do not handle. */
static bool read_string(fp *s, size_t *out_len)
{
    skip_ws(s);
    if (s->p >= s->end || *s->p != '"')
        return false;
    s->p++;
    size_t n = 0;
    while (s->p < s->end) {
        unsigned char c = (unsigned char)*s->p;
        if (c == '"') {
            s->p++;
            put_byte(s, &n, '\0');
            *out_len = n - 1;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c < 0x80 && c != '\\') {
            /* copy a run of plain ASCII at once */
            const char *q = s->p;
            while (q < s->end && (unsigned char)*q >= 0x20 && (unsigned char)*q < 0x80 && *q != '"' &&
                   *q != '\\')
                q++;
            size_t run = (size_t)(q - s->p);
            while (n + run + 1 >= s->cap) {
                s->cap = s->cap ? s->cap * 2 : 4096;
                s->buf = gk_xrealloc(s->buf, s->cap);
            }
            memcpy(s->buf + n, s->p, run);
            n += run;
            s->p = q;
            continue;
        }
        if (c == '\\') {
            if (s->end - s->p < 2)
                return false;
            char e = s->p[1];
            s->p += 2;
            switch (e) {
            case '"': put_byte(s, &n, '"'); break;
            case '\\': put_byte(s, &n, '\\'); break;
            case '/': put_byte(s, &n, '/'); break;
            case 'b': put_byte(s, &n, '\b'); break;
            case 'f': put_byte(s, &n, '\f'); break;
            case 'n': put_byte(s, &n, '\n'); break;
            case 'r': put_byte(s, &n, '\r'); break;
            case 't': put_byte(s, &n, '\t'); break;
            case 'u': {
                if (s->end - s->p < 4)
                    return false;
                int v = hex4(s->p);
                s->p += 4;
                if (v <= 0)
                    return false; /* \u0000 or bad hex: the general path says why */
                uint32_t cp = (uint32_t)v;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u')
                        return false;
                    int lo = hex4(s->p + 2);
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return false;
                    s->p += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return false;
                }
                put_utf8(s, &n, cp);
                break;
            }
            default:
                return false;
            }
            continue;
        }
        /* a multi-byte UTF-8 sequence, validated */
        uint32_t cp;
        size_t l = gk_utf8_decode(s->p, (size_t)(s->end - s->p), &cp);
        if (!l)
            return false;
        for (size_t i = 0; i < l; i++)
            put_byte(s, &n, s->p[i]);
        s->p += l;
    }
    return false;
}

/* An integer as JSON writes it (no fraction, no exponent, no leading zero),
 * at most 18 digits; false otherwise (reals go to the general path). */
static bool read_int(fp *s, int64_t *v)
{
    skip_ws(s);
    const char *p = s->p;
    bool neg = false;
    if (p < s->end && *p == '-')
        neg = true, p++;
    if (p >= s->end || !isdigit((unsigned char)*p))
        return false;
    if (*p == '0' && p + 1 < s->end && isdigit((unsigned char)p[1]))
        return false;
    int64_t x = 0;
    int digits = 0;
    while (p < s->end && isdigit((unsigned char)*p)) {
        if (++digits > 18)
            return false;
        x = x * 10 + (*p - '0');
        p++;
    }
    if (p < s->end && (*p == '.' || *p == 'e' || *p == 'E'))
        return false;
    if (x > GK_VALUE_MAX)
        return false; /* the general path reports it (value.invalid) */
    *v = neg ? -x : x;
    s->p = p;
    return true;
}

/* An amount: an integer or a decimal with at most GK_AMOUNT_DECIMALS (6)
 * fraction digits and no exponent, read exactly as 1/GK_AMOUNT_SCALE units
 * (what the general path reads from the same literal text); anything else
 * goes to that path. */
static bool read_amount(fp *s, int64_t *v)
{
    const char *start = s->p;
    int64_t whole;
    if (!read_int(s, &whole)) {
        /* read_int refuses a fraction: read the integer part again */
        s->p = start;
        skip_ws(s);
        const char *p = s->p;
        if (p >= s->end || !isdigit((unsigned char)*p) || (*p == '0' && p + 1 < s->end && isdigit((unsigned char)p[1])))
            return false;
        whole = 0;
        int digits = 0;
        while (p < s->end && isdigit((unsigned char)*p)) {
            if (++digits > 11)
                return false;
            whole = whole * 10 + (*p++ - '0');
        }
        if (p >= s->end || *p != '.')
            return false;
        p++;
        int64_t frac = 0;
        int fd = 0;
        while (p < s->end && isdigit((unsigned char)*p)) {
            if (++fd > GK_AMOUNT_DECIMALS)
                return false;
            frac = frac * 10 + (*p++ - '0');
        }
        if (fd == 0 || (p < s->end && (*p == 'e' || *p == 'E')))
            return false;
        while (fd++ < GK_AMOUNT_DECIMALS)
            frac *= 10;
        if (whole * GK_AMOUNT_SCALE + frac > GK_AMOUNT_MAX * GK_AMOUNT_SCALE)
            return false; /* the general path reports it (value.invalid) */
        s->p = p;
        *v = whole * GK_AMOUNT_SCALE + frac;
        return true;
    }
    if (whole < 0 || whole > GK_AMOUNT_MAX)
        return false;
    *v = whole * GK_AMOUNT_SCALE;
    return true;
}

static bool read_null(fp *s)
{
    skip_ws(s);
    if (s->end - s->p >= 4 && !memcmp(s->p, "null", 4)) {
        s->p += 4;
        return true;
    }
    return false;
}

/* Iterates an object's members: call first with *first = true. Returns 1
 * with the key in s->buf, 0 at the closing brace, -1 on a syntax problem. */
static int next_member(fp *s, bool *first)
{
    skip_ws(s);
    if (*first) {
        *first = false;
        if (expect(s, '}'))
            return 0;
    } else {
        if (expect(s, '}'))
            return 0;
        if (!expect(s, ','))
            return -1;
    }
    size_t len;
    if (!read_string(s, &len) || strlen(s->buf) != len)
        return -1;
    return expect(s, ':') ? 1 : -1;
}

static bool parse_row(fp *s, gk_report *r, const gk_table *t, const gk_row *row)
{
    if (!expect(s, '{'))
        return false;
    bool first = true;
    int m;
    while ((m = next_member(s, &first)) == 1) {
        int ci = gk_table_column_index(t, s->buf);
        int pos = ci < 0 ? -1 : gk_row_column_pos(row, (size_t)ci);
        if (pos < 0)
            return false;
        gk_cell *c = &r->cells[row->first_cell + (size_t)pos];
        if (c->state != GK_CELL_ABSENT)
            return false; /* duplicate key */
        if (read_null(s)) {
            c->state = GK_CELL_NULL;
            continue;
        }
        int64_t v;
        gk_value_kind kind = t->columns[ci].kind;
        if (kind == GK_KIND_AMOUNT) {
            if (!read_amount(s, &v))
                return false;
        } else if (!read_int(s, &v) || (kind == GK_KIND_COUNT && v < 0)) {
            return false;
        }
        c->state = GK_CELL_NUMBER;
        c->value = v;
    }
    return m == 0;
}

static bool parse_table(fp *s, gk_report *r, size_t ti)
{
    const gk_table *t = &r->format->tables[ti];
    if (!expect(s, '{'))
        return false;
    uint64_t seen = 0;
    bool first = true;
    int m;
    while ((m = next_member(s, &first)) == 1) {
        int ri = gk_table_row_index(t, s->buf);
        if (ri < 0 || ri >= 64 || (seen >> ri & 1))
            return false;
        seen |= 1ULL << ri;
        if (!parse_row(s, r, t, &t->rows[ri]))
            return false;
    }
    return m == 0;
}

static bool parse_tables(fp *s, gk_report *r)
{
    if (!expect(s, '{'))
        return false;
    unsigned seen = 0; /* table keys read, for duplicates (GK_MAX_TABLES ≤ 32) */
    bool first = true;
    int m;
    while ((m = next_member(s, &first)) == 1) {
        int ti = gk_format_table_index(r->format, s->buf);
        if (ti < 0 || ti >= 32 || (seen >> ti & 1))
            return false;
        seen |= 1u << ti;
        if (!parse_table(s, r, (size_t)ti))
            return false;
        gk_report_settle_table(r, (size_t)ti);
    }
    return m == 0;
}

static bool parse_narrative(fp *s, gk_report *r)
{
    if (!expect(s, '{'))
        return false;
    bool first = true;
    int m;
    while ((m = next_member(s, &first)) == 1) {
        int i;
        for (i = 0; i < GK_NARR_COUNT && strcmp(s->buf, gk_narrative_keys[i]); i++)
            ;
        size_t len;
        if (i == GK_NARR_COUNT || r->narrative[i] || !read_string(s, &len) ||
            strlen(s->buf) != len)
            return false;
        r->narrative[i] = gk_xmalloc(len + 1);
        memcpy(r->narrative[i], s->buf, len + 1);
    }
    return m == 0;
}

/* Skips one complete JSON value we do not model in the first pass (the
 * second pass needs the format first): strings and nested containers. */
static bool skip_value(fp *s, int depth)
{
    skip_ws(s);
    if (s->p >= s->end || depth > 16)
        return false;
    char c = *s->p;
    if (c == '"') {
        size_t len;
        return read_string(s, &len);
    }
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        s->p++;
        skip_ws(s);
        if (s->p < s->end && *s->p == close) {
            s->p++;
            return true;
        }
        for (;;) {
            if (c == '{') {
                size_t len;
                if (!read_string(s, &len) || !expect(s, ':'))
                    return false;
            }
            if (!skip_value(s, depth + 1))
                return false;
            if (expect(s, close))
                return true;
            if (!expect(s, ','))
                return false;
        }
    }
    if (read_null(s))
        return true;
    /* a number by JSON's grammar; pass 2 decides what it may be */
    const char *p = s->p;
    if (p < s->end && *p == '-')
        p++;
    const char *digits = p;
    while (p < s->end && isdigit((unsigned char)*p))
        p++;
    if (p == digits)
        return false;
    if (p < s->end && *p == '.') {
        const char *f = ++p;
        while (p < s->end && isdigit((unsigned char)*p))
            p++;
        if (p == f)
            return false;
    }
    if (p < s->end && (*p == 'e' || *p == 'E'))
        return false;
    s->p = p;
    return true;
}

enum { K_FORMAT = 1, K_YEAR = 2, K_ENTITY = 4, K_PUBLISHED = 8, K_NARR = 16, K_TABLES = 32 };

static int top_key(const char *k)
{
    return !strcmp(k, "format") ? K_FORMAT : !strcmp(k, "year") ? K_YEAR
         : !strcmp(k, "entity") ? K_ENTITY : !strcmp(k, "published_at") ? K_PUBLISHED
         : !strcmp(k, "narrative") ? K_NARR : !strcmp(k, "tables") ? K_TABLES : 0;
}

bool gk_fastparse_report(const char *text, size_t len, gk_report **out)
{
    fp s = {.p = text, .end = text + len};
    gk_report *r = NULL;
    char format[16] = "", entity[GK_ENTITY_MAX + 1] = "", published[11] = "";
    int64_t year = 0;
    int seen = 0;
    bool ok = false;

    /* Pass 1: the identity (format, year, entity) — the format must be known
     * before cells can be placed; the rest is skipped and validated later. */
    if (!expect(&s, '{'))
        goto done;
    bool first = true;
    int m;
    while ((m = next_member(&s, &first)) == 1) {
        int k = top_key(s.buf);
        if (!k || (seen & k))
            goto done;
        seen |= k;
        size_t l;
        if (k == K_FORMAT || k == K_ENTITY || k == K_PUBLISHED) {
            if (!read_string(&s, &l))
                goto done;
            char *dst = k == K_FORMAT ? format : k == K_ENTITY ? entity : published;
            size_t cap = k == K_FORMAT ? sizeof format : k == K_ENTITY ? sizeof entity : sizeof published;
            if (l >= cap || strlen(s.buf) != l)
                goto done;
            memcpy(dst, s.buf, l + 1);
        } else if (k == K_YEAR) {
            if (!read_int(&s, &year))
                goto done;
        } else if (!skip_value(&s, 0)) {
            goto done;
        }
    }
    skip_ws(&s);
    if (m != 0 || s.p != s.end || (seen & (K_FORMAT | K_YEAR | K_ENTITY)) != (K_FORMAT | K_YEAR | K_ENTITY))
        goto done;
    const gk_format *f = gk_format_find(format);
    if (!f || year < 2008 || year > 2100 || strlen(entity) < 2)
        goto done;
    for (const char *e = entity; *e; e++)
        if (!isdigit((unsigned char)*e))
            goto done;
    if (published[0] && !gk_fastparse_valid_date(published))
        goto done;
    if ((seen & K_PUBLISHED) && !published[0])
        goto done;

    /* Pass 2: the body, straight into the model. */
    r = gk_report_new(f, (int)year, entity);
    memcpy(r->published_at, published, sizeof published);
    s.p = text;
    expect(&s, '{');
    first = true;
    while ((m = next_member(&s, &first)) == 1) {
        int k = top_key(s.buf);
        bool step;
        if (k == K_NARR) {
            step = parse_narrative(&s, r);
        } else if (k == K_TABLES) {
            r->has_tables = true;
            step = parse_tables(&s, r);
        } else {
            step = skip_value(&s, 0);
        }
        if (!step)
            goto done;
    }
    ok = m == 0;
done:
    free(s.buf);
    if (!ok) {
        gk_report_free(r);
        return false;
    }
    *out = r;
    return true;
}
