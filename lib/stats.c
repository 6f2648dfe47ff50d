/* stats.c — exact quartiles and percentile ranks of count cells among peers
 * (see stats.h for why quarters are enough to stay exact). */
#include "gongkai/stats.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* 4 × percentile_cont(k/4): position p = k(n-1)/4, between v[p/4] and the next */
static int64_t quarter(const int64_t *v, size_t n, int k)
{
    size_t pos4 = (size_t)k * (n - 1);   /* 4 × position */
    size_t lo = pos4 / 4, frac = pos4 % 4;
    if (frac == 0)
        return 4 * v[lo];
    return 4 * v[lo] + (int64_t)frac * (v[lo + 1] - v[lo]);
}

int gk_stats_quartiles(int64_t *v, size_t n, gk_quartiles *out)
{
    if (n == 0)
        return -1;
    qsort(v, n, sizeof *v, cmp_i64);
    out->n = n;
    out->min = v[0];
    out->max = v[n - 1];
    for (int k = 1; k <= 3; k++)
        out->q4[k - 1] = quarter(v, n, k);
    return 0;
}

void gk_stats_quarter_text(int64_t q4, char *buf, size_t len)
{
    static const char *const frac[] = {"", ".25", ".5", ".75"};
    int neg = q4 < 0;
    uint64_t a = neg ? (uint64_t)0 - (uint64_t)q4 : (uint64_t)q4;
    snprintf(buf, len, "%s%" PRIu64 "%s", neg ? "-" : "", a / 4, frac[a % 4]);
}

int gk_stats_rank_permille(const int64_t *sorted, size_t n, int64_t x)
{
    if (n == 0)
        return 0;
    size_t below = 0, equal = 0;
    for (size_t i = 0; i < n; i++) {
        below += sorted[i] < x;
        equal += sorted[i] == x;
    }
    /* 1000 × (2·below + equal) / (2n), rounded half up */
    uint64_t num = 1000u * (2u * (uint64_t)below + (uint64_t)equal);
    uint64_t den = 2u * (uint64_t)n;
    return (int)((2u * num + den) / (2u * den));
}
