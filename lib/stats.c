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

/* The j-th of the sorted values with the one at index skip left out
 * (skip = n: none left out). */
static int64_t nth(const int64_t *v, size_t skip, size_t j)
{
    return v[j < skip ? j : j + 1];
}

/* 4 × percentile_cont(k/4) of the m = n (or n - 1, one left out) values:
 * position p = k(m-1)/4, between the value at p and the next */
static int64_t quarter(const int64_t *v, size_t m, size_t skip, int k)
{
    size_t pos4 = (size_t)k * (m - 1);   /* 4 × position */
    size_t lo = pos4 / 4, frac = pos4 % 4;
    if (frac == 0)
        return 4 * nth(v, skip, lo);
    return 4 * nth(v, skip, lo) + (int64_t)frac * (nth(v, skip, lo + 1) - nth(v, skip, lo));
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
        out->q4[k - 1] = quarter(v, n, n, k);
    return 0;
}

int gk_stats_quartiles_without(const int64_t *sorted, size_t n, size_t skip, gk_quartiles *out)
{
    if (n < 2 || skip >= n)
        return -1;
    out->n = n - 1;
    out->min = nth(sorted, skip, 0);
    out->max = nth(sorted, skip, n - 2);
    for (int k = 1; k <= 3; k++)
        out->q4[k - 1] = quarter(sorted, n - 1, skip, k);
    return 0;
}

bool gk_stats_far_above(const gk_quartiles *others, int64_t x)
{
    /* 4x > 4·P75 + 3·(4·P75 − 4·P25); |values| < 2^60 / 16 keeps it in range */
    int64_t q25 = others->q4[0], q75 = others->q4[2];
    return 4 * x > q75 + 3 * (q75 - q25);
}

void gk_stats_quarter_amount_text(int64_t q4, char *buf, size_t len)
{
    /* q4 / 4 of 1/10^6 units = q4 · 25 of 1/10^8 units: eight decimals at most */
    int neg = q4 < 0;
    uint64_t a = (neg ? (uint64_t)0 - (uint64_t)q4 : (uint64_t)q4) * 25u;
    uint64_t whole = a / 100000000u, frac = a % 100000000u;
    if (frac == 0) {
        snprintf(buf, len, "%s%" PRIu64, neg ? "-" : "", whole);
        return;
    }
    char fr[16];
    snprintf(fr, sizeof fr, "%08" PRIu64, frac);
    for (int i = 7; i > 0 && fr[i] == '0'; i--)
        fr[i] = '\0';
    snprintf(buf, len, "%s%" PRIu64 ".%s", neg ? "-" : "", whole, fr);
}

void gk_stats_quarter_text(int64_t q4, char *buf, size_t len)
{
    static const char *const frac[] = {"", ".25", ".5", ".75"};
    int neg = q4 < 0;
    uint64_t a = neg ? (uint64_t)0 - (uint64_t)q4 : (uint64_t)q4;
    snprintf(buf, len, "%s%" PRIu64 "%s", neg ? "-" : "", a / 4, frac[a % 4]);
}

/* The first index of sorted whose value is >= x (strict: > x). */
static size_t bound(const int64_t *sorted, size_t n, int64_t x, bool strict)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strict ? sorted[mid] <= x : sorted[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t gk_stats_lower_bound(const int64_t *sorted, size_t n, int64_t x) { return bound(sorted, n, x, false); }

int gk_stats_rank_permille(const int64_t *sorted, size_t n, int64_t x)
{
    if (n == 0)
        return 0;
    /* binary search: a national cell ranks 41,352 units, O(n log n) not n² */
    size_t below = bound(sorted, n, x, false);
    size_t equal = bound(sorted, n, x, true) - below;
    /* 1000 × (2·below + equal) / (2n), rounded half up */
    uint64_t num = 1000u * (2u * (uint64_t)below + (uint64_t)equal);
    uint64_t den = 2u * (uint64_t)n;
    return (int)((2u * num + den) / (2u * den));
}
