/* rbuf.c — see rbuf.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rbuf.h"

void *gk_rbuf_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("gongkai: 内存不足\n", stderr);
        abort();
    }
    return p;
}

char *gk_rbuf_xstrdup(const char *s)
{
    size_t n = strlen(s ? s : "");
    char *p = gk_rbuf_xmalloc(n + 1);
    memcpy(p, s ? s : "", n + 1);
    return p;
}

static void reserve(gk_rbuf *b, size_t more)
{
    if (b->n + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + more + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        fputs("gongkai: 内存不足\n", stderr);
        abort();
    }
    b->s = s;
    b->cap = cap;
}

void gk_rbuf_add(gk_rbuf *b, const char *s, size_t n)
{
    reserve(b, n);
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

void gk_rbuf_puts(gk_rbuf *b, const char *s)
{
    gk_rbuf_add(b, s, strlen(s));
}

void gk_rbuf_printf(gk_rbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

void gk_rbuf_esc(gk_rbuf *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                rep = "";
        }
        if (rep) {
            gk_rbuf_add(b, s + start, i - start);
            gk_rbuf_puts(b, rep);
            start = i + 1;
        }
    }
    gk_rbuf_add(b, s + start, n - start);
}
