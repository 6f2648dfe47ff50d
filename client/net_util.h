/* net_util.h — small helpers of the client's network side: allocation that
 * aborts on out-of-memory (a command-line tool has nothing better to do),
 * and wiping secrets from memory. */
#ifndef GONGKAI_CLIENT_NET_UTIL_H
#define GONGKAI_CLIENT_NET_UTIL_H

#include <stdarg.h>
#include <stddef.h>

void *gk_net_xmalloc(size_t n);
char *gk_net_xstrdup(const char *s);
char *gk_net_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Zeroes then frees a string holding a secret (the token). */
void gk_net_free_secret(char *s);

/* Fills out (≥ 33 bytes) with 128 random bits as hex, from getrandom(2).
 * Returns 0, or -1 when the kernel gives no randomness. */
int gk_net_random_hex(char *out, size_t len) __attribute__((warn_unused_result));

#endif
