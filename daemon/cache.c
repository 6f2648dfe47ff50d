/* cache.c — see cache.h.  A handful of entries, so a linear scan with a use
 * clock is simpler than a hash and fast enough.  Each answer is a reference
 * counted blob: evhttp writes it straight from here (no copy of a 14 KB
 * rollup per poll), and an entry evicted meanwhile lives until written. */
#include "cache.h"

#include <stdlib.h>
#include <string.h>

struct gk_cache_blob {
    size_t refs;
    size_t len;
    char data[];
};

typedef struct entry {
    char *key;
    gk_cache_blob *blob;
    unsigned long long used;
} entry;

struct gk_cache {
    entry *e;
    size_t n, max_entries, bytes, max_bytes;
    unsigned long long clock;
};

gk_cache *gk_cache_new(size_t max_entries, size_t max_bytes)
{
    gk_cache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->max_entries = max_entries;
    c->max_bytes = max_bytes;
    if (max_entries > 0 && (c->e = calloc(max_entries, sizeof *c->e)) == NULL) {
        free(c);
        return NULL;
    }
    return c;
}

void gk_cache_blob_unref(gk_cache_blob *b)
{
    if (b != NULL && --b->refs == 0)
        free(b);
}

static void drop(gk_cache *c, size_t i)
{
    c->bytes -= c->e[i].blob->len;
    free(c->e[i].key);
    gk_cache_blob_unref(c->e[i].blob);
    c->e[i] = c->e[--c->n];
}

void gk_cache_clear(gk_cache *c)
{
    while (c != NULL && c->n > 0)
        drop(c, 0);
}

void gk_cache_free(gk_cache *c)
{
    if (c == NULL)
        return;
    gk_cache_clear(c);
    free(c->e);
    free(c);
}

gk_cache_blob *gk_cache_get(gk_cache *c, const char *key)
{
    if (c == NULL)
        return NULL;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i].key, key) == 0) {
            c->e[i].used = ++c->clock;
            c->e[i].blob->refs++;
            return c->e[i].blob;
        }
    return NULL;
}

const char *gk_cache_blob_data(const gk_cache_blob *b, size_t *len)
{
    *len = b->len;
    return b->data;
}

void gk_cache_put(gk_cache *c, const char *key, const char *data, size_t len)
{
    if (c == NULL || c->max_entries == 0 || len > c->max_bytes)
        return;
    while (c->n > 0 && (c->n == c->max_entries || c->bytes + len > c->max_bytes)) {
        size_t lru = 0;
        for (size_t i = 1; i < c->n; i++)
            if (c->e[i].used < c->e[lru].used)
                lru = i;
        drop(c, lru);
    }
    entry *e = &c->e[c->n];
    e->key = strdup(key);
    e->blob = malloc(sizeof *e->blob + (len ? len : 1));
    if (e->key == NULL || e->blob == NULL) {
        free(e->key);
        free(e->blob);
        return;
    }
    e->blob->refs = 1;
    e->blob->len = len;
    memcpy(e->blob->data, data, len);
    e->used = ++c->clock;
    c->bytes += len;
    c->n++;
}
