/* exactjson.h — exact decimal numbers in JSON we write.  jansson holds a
 * real as a double and prints it with at most 17 significant digits, so an
 * amount sum such as 123456789012.3456 came out as 123456789012.346 (issue
 * 13).  An exact number is kept as a marked string node and written as the
 * bare number by gk_json_dumps_exact. */
#ifndef GONGKAI_EXACTJSON_H
#define GONGKAI_EXACTJSON_H

#include <stddef.h>
#include <jansson.h>

/* A node that gk_json_dumps_exact writes as the JSON number `digits`
 * (which must match -?[0-9]+(\.[0-9]+)?; NULL otherwise). */
json_t *gk_json_exact_number(const char *digits);
/* json_dumps, with every node made by gk_json_exact_number written as its
 * bare number.  A string from outside is never taken for such a node (the
 * node starts with a NUL, which no decoded or C string holds). */
char *gk_json_dumps_exact(const json_t *j, size_t flags);
/* The digits of a gk_json_exact_number node, or NULL for any other value. */
const char *gk_json_exact_text(const json_t *v);
/* json_loadb, but every decimal number literal (-?digits.digits) becomes a
 * gk_json_exact_number node holding its text, so it never passes through a
 * double.  For answers from our daemon (the client); integers and numbers
 * with an exponent load as usual.  Error positions refer to the rewritten
 * text. */
json_t *gk_json_loadb_exact(const char *text, size_t len, size_t flags, json_error_t *error);

#endif
