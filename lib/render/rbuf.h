/* rbuf.h — a growing byte buffer for the writers (private to lib/render),
 * with the escaping HTML and XML need.  Allocation failure aborts: the
 * documents are small (a report is tens of KiB) and a half-written file is
 * worse than no file. */
#ifndef GONGKAI_RENDER_RBUF_H
#define GONGKAI_RENDER_RBUF_H

#include <stddef.h>

typedef struct gk_rbuf {
    char *s;
    size_t n, cap;
} gk_rbuf;

void gk_rbuf_add(gk_rbuf *b, const char *s, size_t n);
void gk_rbuf_puts(gk_rbuf *b, const char *s);
void gk_rbuf_printf(gk_rbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text escaped for XML/HTML content and attribute values (& < > " '); bytes
 * XML 1.0 forbids (C0 controls except tab, LF, CR) are dropped. */
void gk_rbuf_esc(gk_rbuf *b, const char *s, size_t n);
void *gk_rbuf_xmalloc(size_t n);
char *gk_rbuf_xstrdup(const char *s);

#endif
