/* textutil.h — small UTF-8 helpers shared by the client, the importer and the
 * daemon's CSV output: display width (CJK is two columns wide) and padding
 * for aligned tables in a terminal. */
#ifndef GONGKAI_TEXTUTIL_H
#define GONGKAI_TEXTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Decodes one UTF-8 code point at s (n bytes available); returns its length,
 * or 0 on an invalid sequence (*cp then undefined). */
size_t gk_utf8_decode(const char *s, size_t n, uint32_t *cp);
bool gk_utf8_valid(const char *s, size_t n);
/* A safe excerpt of untrusted text for a message: at most max_chars code
 * points, control characters and invalid bytes each shown as "?", "…" added
 * when cut; always valid UTF-8 and NUL-terminated in buf (len ≥ 8).
 * Returns buf. */
char *gk_text_excerpt(const char *s, size_t n, size_t max_chars, char *buf, size_t len);
/* Terminal columns of one code point: 2 for East Asian wide/fullwidth, 0 for
 * combining marks, 1 otherwise. */
int gk_cp_width(uint32_t cp);
/* Columns of a UTF-8 string (invalid bytes count 1 each). */
size_t gk_text_width(const char *s);
/* Writes s then spaces up to `width` columns. */
void gk_fput_padded(FILE *out, const char *s, size_t width);
/* Writes v in decimal at out (room for 20 characters, no NUL) and returns
 * the length.  For the arrays sent to PostgreSQL with every submission
 * (rollup deltas, signatures): snprintf was 18 % of a submission's
 * instructions in the daemon (callgrind, bench/profile.sh). */
size_t gk_format_i64(char *out, int64_t v);

#endif
