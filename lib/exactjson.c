/* exactjson.c — exact decimal numbers in JSON we write: a marked string
 * node, turned into the bare number after jansson has serialised the
 * document (jansson itself can only write a number through a double). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/exactjson.h"
#include "util.h"

/* The node is "\0gk-exact:" + digits, written by jansson as "\u0000gk-exact:…".
 * No string we hold from outside has a NUL (we never decode with
 * JSON_ALLOW_NUL, and C strings end at one), and a text "\u0000" in a
 * string is written "\\u0000": so the mark cannot be forged. */
#define EXACT_NODE "\0gk-exact:"
#define EXACT_NODE_LEN 10
#define EXACT_MARK "\\u0000gk-exact:"
#define EXACT_MARK_LEN 15

static bool is_decimal(const char *s, size_t len)
{
    size_t i = 0;
    if (i < len && s[i] == '-')
        i++;
    size_t start = i;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == start || (s[start] == '0' && i - start > 1))
        return false; /* JSON: no leading zeros */
    if (i < len && s[i] == '.') {
        size_t f = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == f)
            return false;
    }
    return i == len;
}

json_t *gk_json_exact_number(const char *digits)
{
    size_t n = strlen(digits);
    if (!is_decimal(digits, n) || n > 64)
        return NULL;
    char buf[EXACT_NODE_LEN + 65];
    memcpy(buf, EXACT_NODE, EXACT_NODE_LEN);
    memcpy(buf + EXACT_NODE_LEN, digits, n);
    return json_stringn(buf, EXACT_NODE_LEN + n);
}

char *gk_json_dumps_exact(const json_t *j, size_t flags)
{
    char *text = json_dumps(j, flags);
    if (text == NULL)
        return NULL;
    /* In place: the output is never longer.  Outside strings we copy; at a
     * string's opening quote we look for mark + decimal + closing quote. */
    char *w = text;
    const char *p = text;
    while (*p) {
        if (*p != '"') {
            *w++ = *p++;
            continue;
        }
        if (strncmp(p + 1, EXACT_MARK, EXACT_MARK_LEN) == 0) {
            const char *d = p + 1 + EXACT_MARK_LEN;
            const char *q = strchr(d, '"');
            if (q != NULL && is_decimal(d, (size_t)(q - d))) {
                memmove(w, d, (size_t)(q - d));
                w += q - d;
                p = q + 1;
                continue;
            }
        }
        /* an ordinary string: copied up to its closing quote */
        *w++ = *p++;
        while (*p && *p != '"') {
            if (*p == '\\' && p[1])
                *w++ = *p++;
            *w++ = *p++;
        }
        if (*p)
            *w++ = *p++;
    }
    *w = '\0';
    return text;
}

const char *gk_json_exact_text(const json_t *v)
{
    if (!json_is_string(v) || json_string_length(v) <= EXACT_NODE_LEN ||
        memcmp(json_string_value(v), EXACT_NODE, EXACT_NODE_LEN) != 0)
        return NULL;
    return json_string_value(v) + EXACT_NODE_LEN;
}

json_t *gk_json_loadb_exact(const char *text, size_t len, size_t flags, json_error_t *error)
{
    /* Each literal grows by at most the mark and two quotes. */
    size_t cap = len + 1, n = 0;
    char *out = gk_xmalloc(cap);
    size_t i = 0;
    while (i < len) {
        char ch = text[i];
        if (ch == '"') {
            /* a string, copied with its escapes */
            size_t j = i + 1;
            while (j < len && text[j] != '"')
                j += text[j] == '\\' ? 2 : 1;
            j = j < len ? j + 1 : len;
            if (n + (j - i) + 1 > cap)
                out = gk_xrealloc(out, cap = 2 * cap + (j - i));
            memcpy(out + n, text + i, j - i);
            n += j - i;
            i = j;
            continue;
        }
        if (ch == '-' || (ch >= '0' && ch <= '9')) {
            size_t j = i;
            while (j < len && (text[j] == '-' || text[j] == '+' || text[j] == '.' || text[j] == 'e' ||
                               text[j] == 'E' || (text[j] >= '0' && text[j] <= '9')))
                j++;
            bool exact = memchr(text + i, '.', j - i) != NULL && is_decimal(text + i, j - i);
            size_t need = (j - i) + (exact ? EXACT_MARK_LEN + 2 : 0) + 1;
            if (n + need > cap)
                out = gk_xrealloc(out, cap = 2 * cap + need);
            if (exact) {
                out[n++] = '"';
                memcpy(out + n, EXACT_MARK, EXACT_MARK_LEN);
                n += EXACT_MARK_LEN;
            }
            memcpy(out + n, text + i, j - i);
            n += j - i;
            if (exact)
                out[n++] = '"';
            i = j;
            continue;
        }
        if (n + 2 > cap)
            out = gk_xrealloc(out, cap = 2 * cap + 2);
        out[n++] = ch;
        i++;
    }
    json_t *j = json_loadb(out, n, flags | JSON_ALLOW_NUL, error);
    free(out);
    return j;
}
