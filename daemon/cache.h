/* cache.h — a small LRU cache of computed answers keyed by their ETag.
 * Rollup and compliance tags change whenever their content does (change
 * counter + registry generation), so an entry can never be stale: a changed
 * region simply stops being asked for under the old tag and ages out. */
#ifndef GONGKAID_CACHE_H
#define GONGKAID_CACHE_H

#include <stddef.h>

typedef struct gk_cache gk_cache;
/* One cached answer, reference counted: valid until its last unref. */
typedef struct gk_cache_blob gk_cache_blob;

/* max_entries 0 disables the cache (get misses, put does nothing). */
gk_cache *gk_cache_new(size_t max_entries, size_t max_bytes);
void gk_cache_free(gk_cache *c);
/* The cached answer with a reference taken (the caller unrefs), or NULL. */
gk_cache_blob *gk_cache_get(gk_cache *c, const char *key);
const char *gk_cache_blob_data(const gk_cache_blob *b, size_t *len);
void gk_cache_blob_unref(gk_cache_blob *b);
void gk_cache_put(gk_cache *c, const char *key, const char *data, size_t len);
/* Drops every entry.  Called when the LISTEN connection (re)connects or is
 * lost (listener.h): after a restore or a failover to a standby that missed
 * the last commits, change counters repeat earlier values, so tags alone
 * can no longer vouch for an entry. */
void gk_cache_clear(gk_cache *c);

#endif
