/* stats.h — peer statistics of one count cell (issue 17's benchmarks):
 * min, quartiles and max the way PostgreSQL's percentile_cont computes them
 * (linear interpolation between the sorted values), but exact: with n
 * values a quartile lies on a multiple of 1/4, so it is kept as 4 × value
 * in an integer and never passes through a double. */
#ifndef GONGKAI_STATS_H
#define GONGKAI_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gk_quartiles {
    size_t n;
    int64_t min, max;
    int64_t q4[3];     /* 4 × P25, 4 × P50, 4 × P75 */
} gk_quartiles;

/* Sorts v (n ≥ 1 values, |v| < 2^60) in place and fills *out; -1 when n is 0. */
int gk_stats_quartiles(int64_t *v, size_t n, gk_quartiles *out);
/* The quartiles of the sorted values with the one at index skip left out
 * (a unit compared with its peers, not with itself); -1 when n < 2. */
int gk_stats_quartiles_without(const int64_t *sorted, size_t n, size_t skip, gk_quartiles *out);
/* Tukey's far-out fence: x > P75 + 3 × (P75 − P25) of the others. */
bool gk_stats_far_above(const gk_quartiles *others, int64_t x);
/* 4 × an amount (in 1/10^6 units) as exact decimal text: 2 → "0.0000005". */
void gk_stats_quarter_amount_text(int64_t q4, char *buf, size_t len);
/* 4 × value as exact decimal text: 49 → "12.25", -2 → "-0.5"; buf ≥ 32. */
void gk_stats_quarter_text(int64_t q4, char *buf, size_t len);
/* Mid-rank percentile of x among the sorted values v: 100 × (below + equal/2)
 * / n, in tenths of a percent rounded half up (0..1000). */
int gk_stats_rank_permille(const int64_t *sorted, size_t n, int64_t x);
/* The first index of the sorted values holding a value >= x (n: none). */
size_t gk_stats_lower_bound(const int64_t *sorted, size_t n, int64_t x);

#endif
