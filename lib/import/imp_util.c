/* imp_util.c — allocation, the document of lines and the lists of unplaced
 * items; out of memory aborts, as everywhere in gongkai. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "imp.h"
#include "gongkai/textutil.h"

static void oom(void)
{
    fputs("gongkai: out of memory\n", stderr);
    abort();
}

void *gk_imp_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *gk_imp_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

void gk_imp_buf_add(gk_imp_buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = gk_imp_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

char *gk_imp_xstrdup(const char *s)
{
    return gk_imp_xstrndup(s, strlen(s));
}

char *gk_imp_xstrndup(const char *s, size_t n)
{
    char *d = gk_imp_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static char *xvasprintf(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        oom();
    return s;
}

char *gk_imp_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

void gk_imp_doc_free(gk_imp_doc *d)
{
    for (size_t i = 0; i < d->n; i++) {
        for (size_t j = 0; j < d->lines[i].n; j++)
            free(d->lines[i].cells[j].text);
        free(d->lines[i].cells);
    }
    free(d->lines);
    d->lines = NULL;
    d->n = d->cap = 0;
}

gk_imp_line *gk_imp_doc_add(gk_imp_doc *d, gk_imp_line_kind kind, int line)
{
    if (d->n >= GK_IMP_MAX_LINES)
        return NULL;
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 64;
        d->lines = gk_imp_xrealloc(d->lines, d->cap * sizeof *d->lines);
    }
    gk_imp_line *l = &d->lines[d->n++];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->line = line;
    return l;
}

/* Trims ASCII blanks and the two Unicode spaces web pages use (U+00A0,
 * U+3000) at both ends. */
static void trim(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len;
    for (;;) {
        if (n && (p[0] == ' ' || p[0] == '\t' || p[0] == '\n' || p[0] == '\r' || p[0] == '\f' ||
                  p[0] == '\v')) {
            p++, n--;
        } else if (n >= 2 && (unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0) {
            p += 2, n -= 2;
        } else if (n >= 3 && !memcmp(p, "\xE3\x80\x80", 3)) {
            p += 3, n -= 3;
        } else {
            break;
        }
    }
    for (;;) {
        if (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' || p[n - 1] == '\r' ||
                  p[n - 1] == '\f' || p[n - 1] == '\v')) {
            n--;
        } else if (n >= 2 && (unsigned char)p[n - 2] == 0xC2 && (unsigned char)p[n - 1] == 0xA0) {
            n -= 2;
        } else if (n >= 3 && !memcmp(p + n - 3, "\xE3\x80\x80", 3)) {
            n -= 3;
        } else {
            break;
        }
    }
    *s = p;
    *len = n;
}

void gk_imp_line_add_cell(gk_imp_line *l, const char *text, size_t len, int col, bool copy)
{
    if (l->n >= GK_IMP_MAX_CELLS)
        return;
    trim(&text, &len);
    l->cells = gk_imp_xrealloc(l->cells, (l->n + 1) * sizeof *l->cells);
    gk_imp_cell *c = &l->cells[l->n++];
    c->text = gk_imp_xstrndup(text, len);
    c->col = col;
    c->copy = copy;
    c->x = 0;
}

size_t gk_imp_line_nonblank(const gk_imp_line *l, bool skip_copies)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->cells[i].text[0] && !(skip_copies && l->cells[i].copy))
            k++;
    return k;
}

void gk_imp_list_add(gk_import_list *l, const gk_imp_line *where, int column, const char *text,
                     const char *fmt, ...)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->items = gk_imp_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    gk_import_item *it = &l->items[l->n++];
    memset(it, 0, sizeof *it);
    if (where) {
        it->line = where->line;
        it->table = where->table;
        it->row = where->row;
        it->column = where->table ? column : 0;
        it->page = where->page;
        it->y = where->y;
        it->x = where->n ? where->cells[0].x : 0;
    }
    it->text = gk_imp_xstrdup(text ? text : "");
    va_list ap;
    va_start(ap, fmt);
    it->reason = xvasprintf(fmt, ap);
    va_end(ap);
}

void gk_import_item_where(const gk_import_item *it, char *buf, size_t len)
{
    if (it->page)
        snprintf(buf, len, "第 %d 页 y=%d x=%d（距页顶、页左边的磅数；重建后第 %d 行）", it->page,
                 it->y, it->x, it->line);
    else if (it->table && it->column)
        snprintf(buf, len, "表 %d 第 %d 行 第 %d 列（源文件第 %d 行）", it->table, it->row,
                 it->column, it->line);
    else if (it->table)
        snprintf(buf, len, "表 %d 第 %d 行（源文件第 %d 行）", it->table, it->row, it->line);
    else if (it->line)
        snprintf(buf, len, "第 %d 行", it->line);
    else
        snprintf(buf, len, "全文");
}

size_t gk_imp_put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

char *gk_imp_from_utf16(const char *data, size_t len, size_t *out_len)
{
    if (len < 2)
        return NULL;
    const unsigned char *u = (const unsigned char *)data;
    bool le = u[0] == 0xFF && u[1] == 0xFE, be = u[0] == 0xFE && u[1] == 0xFF;
    if (!le && !be)
        return NULL;
    if (len > GK_IMP_MAX_INPUT)
        len = GK_IMP_MAX_INPUT;
    /* two bytes become at most three; a surrogate pair (four) becomes four */
    char *out = gk_imp_xmalloc(len / 2 * 3 + 1);
    size_t o = 0;
    for (size_t i = 2; i + 1 < len; i += 2) {
        uint32_t w = le ? (uint32_t)(u[i] | u[i + 1] << 8) : (uint32_t)(u[i] << 8 | u[i + 1]);
        uint32_t cp = w;
        if (w >= 0xD800 && w <= 0xDBFF && i + 3 < len) {
            uint32_t w2 = le ? (uint32_t)(u[i + 2] | u[i + 3] << 8)
                             : (uint32_t)(u[i + 2] << 8 | u[i + 3]);
            if (w2 >= 0xDC00 && w2 <= 0xDFFF) {
                cp = 0x10000 + ((w - 0xD800) << 10) + (w2 - 0xDC00);
                i += 2;
            } else {
                cp = 0xFFFD;
            }
        } else if (w >= 0xD800 && w <= 0xDFFF) {
            cp = 0xFFFD;       /* unpaired surrogate */
        }
        o += gk_imp_put_utf8(out + o, cp);
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

char *gk_imp_clean_utf8(const char *data, size_t len, size_t *out_len)
{
    if (len > GK_IMP_MAX_INPUT)
        len = GK_IMP_MAX_INPUT;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        data += 3, len -= 3;
    /* Worst case: every byte becomes U+FFFD (3 bytes). */
    char *out = gk_imp_xmalloc(len * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)data[i];
        if (c == '\r') {
            out[o++] = '\n';
            i += (i + 1 < len && data[i + 1] == '\n') ? 2 : 1;
            continue;
        }
        if (c == 0) {   /* NUL would cut C strings short */
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = gk_utf8_decode(data + i, len - i, &cp);
        if (k == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
            continue;
        }
        memcpy(out + o, data + i, k);
        o += k;
        i += k;
    }
    out[o] = '\0';
    if (out_len)
        *out_len = o;
    return out;
}

void gk_import_result_init(gk_import_result *res)
{
    memset(res, 0, sizeof *res);
}

static void list_free(gk_import_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].text);
        free(l->items[i].reason);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

void gk_import_result_free(gk_import_result *res)
{
    if (res->report)
        gk_report_free(res->report);
    list_free(&res->unplaced);
    list_free(&res->notes);
    gk_import_result_init(res);
}
