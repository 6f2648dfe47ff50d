/* util.h — allocation helpers private to lib/: out of memory aborts, since a
 * report checker has no sensible way on without memory (as jansson's own
 * allocation failures would leave us anyway). */
#ifndef GONGKAI_LIB_UTIL_H
#define GONGKAI_LIB_UTIL_H

#include <stdarg.h>
#include <stddef.h>

void *gk_xmalloc(size_t n);
void *gk_xcalloc(size_t n, size_t size);
void *gk_xrealloc(void *p, size_t n);
char *gk_xstrdup(const char *s);
char *gk_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
char *gk_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
