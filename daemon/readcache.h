/* readcache.h — what a warm poll needs, kept in memory so that it touches
 * no database: the identity behind each bearer token's hash, and for each
 * (region, year) the sources of its rollup/compliance ETag (change counter,
 * registry generation) with the region's ancestor path for the scope check.
 *
 * Why this is exact enough: every entry is stamped with the epoch that was
 * current when the request that read it from the database STARTED.  The
 * epoch moves on every change we learn of — a submission committed by this
 * process (before its 201 is sent), any notification of the listener
 * (another daemon's submissions, registry, deadlines, tokens), a moved
 * watermark (listener.h), a gap of the listening connection — and an entry
 * of an older epoch is never used.  So this daemon never serves a tag older
 * than its own last write; another daemon's write is seen once its
 * notification arrives (sent right after that commit), or at the latest
 * at the next watermark check.  While the listener is not live nothing is
 * served from here: every request is validated in the database as before.
 *
 * One event loop, one thread: plain statics. */
#ifndef GONGKAID_READCACHE_H
#define GONGKAID_READCACHE_H

#include <stdbool.h>
#include <stddef.h>

/* Sizes: when a table is full it is emptied (tokens and polled regions are
 * few; a full table means a scan, and starting over bounds the memory). */
#define GK_READCACHE_TOKENS 1024
#define GK_READCACHE_REGIONS 4096

typedef struct gk_readcache_token {
    long long id;
    char region[16];
    int role;                 /* gk_role */
} gk_readcache_token;

typedef struct gk_readcache_region {
    const char *path;         /* text[] literal, root first */
    const char *counter;      /* sum of region_changes.counter for (region, year) */
    const char *generation;   /* registry_generation.n */
} gk_readcache_region;

/* enabled: the configuration allows it (--read-check-ms > 0). */
void gk_readcache_init(bool enabled);
void gk_readcache_free(void);
/* Serving from memory: enabled and the listener is live. */
bool gk_readcache_usable(void);
/* The listener's state changed (live or not): everything cached is dropped. */
void gk_readcache_set_live(bool live);

/* The current epochs, to stamp a request when it starts. */
unsigned long long gk_readcache_epoch(void);
unsigned long long gk_readcache_token_epoch(void);
/* Something changed (data, registry): every (region, year) entry is stale. */
void gk_readcache_changed(void);
/* Tokens changed (created, revoked): every token entry is stale too. */
void gk_readcache_tokens_changed(void);
/* This process committed a data change: stale here at once, and announced
 * to the other daemons (the hook set below, the listener's). */
void gk_readcache_local_write(void);
void gk_readcache_set_announce(void (*announce)(void *arg), void *arg);

bool gk_readcache_token_get(const char *hash_hex, gk_readcache_token *out);
void gk_readcache_token_put(const char *hash_hex, const gk_readcache_token *t, unsigned long long token_epoch);
/* The entry, valid until the next put or change; NULL when none. */
bool gk_readcache_region_get(const char *code, int year, gk_readcache_region *out);
void gk_readcache_region_put(const char *code, int year, const char *path, const char *counter,
                             const char *generation, unsigned long long epoch);

typedef struct gk_readcache_stats {
    unsigned long long hits, misses, changes;
    size_t tokens, regions;
} gk_readcache_stats;
void gk_readcache_stats_get(gk_readcache_stats *out);
void gk_readcache_count(bool hit);

#endif
