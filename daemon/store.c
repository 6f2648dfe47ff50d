/* store.c — conversions between the core's rollup and its stored form
 * (three bigint[] columns indexed by the format's flat cell index). */
#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongkai/report.h"
#include "gongkai/textutil.h"

int gk_parse_year(const char *s)
{
    if (s == NULL)
        return -1;
    char *end = NULL;
    errno = 0;
    long y = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || y < GK_YEAR_MIN || y > GK_YEAR_MAX)
        return -1;
    return (int)y;
}

int gk_parse_int_array(const char *text, int64_t *out, size_t n)
{
    if (text == NULL || *text != '{')
        return -1;
    const char *p = text + 1;
    size_t i = 0;
    if (*p == '}')
        return n == 0 ? 0 : -1;
    for (;;) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (errno != 0 || end == p || i >= n)
            return -1;
        out[i++] = v;
        if (*end == ',') {
            p = end + 1;
        } else if (*end == '}') {
            return i == n ? 0 : -1;
        } else {
            return -1;
        }
    }
}

static char *join(const gk_rollup *ru, int which)
{
    size_t n = ru->format->n_cells;
    size_t cap = n * 22 + 3;
    char *s = malloc(cap);
    if (s == NULL)
        return NULL;
    size_t len = 0;
    s[len++] = '{';
    for (size_t i = 0; i < n; i++) {
        const gk_rollup_cell *c = &ru->cells[i];
        int64_t v = which == 0 ? c->sum : which == 1 ? c->n_number : c->n_null;
        if (i > 0)
            s[len++] = ',';
        len += gk_format_i64(s + len, v); /* cap: 21 bytes per cell */
    }
    s[len++] = '}';
    s[len] = '\0';
    return s;
}

int gk_rollup_arrays(const gk_rollup *ru, char **sums, char **n_number, char **n_null)
{
    *sums = join(ru, 0);
    *n_number = join(ru, 1);
    *n_null = join(ru, 2);
    if (*sums == NULL || *n_number == NULL || *n_null == NULL) {
        free(*sums);
        free(*n_number);
        free(*n_null);
        *sums = *n_number = *n_null = NULL;
        return -1;
    }
    return 0;
}

gk_rollup *gk_rollup_from_arrays(const char *format, long reports, const char *sums, const char *n_number,
                                 const char *n_null)
{
    const gk_format *f = gk_format_find(format);
    if (f == NULL)
        return NULL;
    gk_rollup *ru = gk_rollup_new(f);
    int64_t *tmp = calloc(f->n_cells + 1, sizeof *tmp);
    if (ru == NULL || tmp == NULL)
        goto fail;
    ru->n_reports = reports;
    const char *arrays[3] = {sums, n_number, n_null};
    for (int k = 0; k < 3; k++) {
        if (gk_parse_int_array(arrays[k], tmp, f->n_cells) != 0)
            goto fail;
        for (size_t i = 0; i < f->n_cells; i++) {
            if (k == 0)
                ru->cells[i].sum = tmp[i];
            else if (k == 1)
                ru->cells[i].n_number = tmp[i];
            else
                ru->cells[i].n_null = tmp[i];
        }
    }
    free(tmp);
    return ru;
fail:
    free(tmp);
    gk_rollup_free(ru);
    return NULL;
}
