/* readcache.c — see readcache.h.  Two open-addressing tables with inline
 * keys and values (no allocation per entry).  A slot counts only when it
 * carries its table's current generation, so emptying a table is one
 * increment, not a memset per submission.  A put stamped with an older
 * epoch than the current one is refused, so a database read that raced
 * with a change can never enter it. */
#include "readcache.h"

#include <stdio.h>
#include <string.h>

#define TOKEN_SLOTS (2 * GK_READCACHE_TOKENS)
#define REGION_SLOTS (2 * GK_READCACHE_REGIONS)

typedef struct token_slot {
    unsigned long long gen;   /* in use iff == rc.token_gen */
    char hash[65];
    gk_readcache_token t;
} token_slot;

typedef struct region_slot {
    unsigned long long gen;   /* in use iff == rc.region_gen */
    int year;
    char code[16];
    char path[96];
    char counter[24];
    char generation[24];
} region_slot;

static struct {
    bool enabled, live;
    unsigned long long epoch, token_epoch, token_gen, region_gen;
    token_slot tokens[TOKEN_SLOTS];
    region_slot regions[REGION_SLOTS];
    size_t ntokens, nregions;
    void (*announce)(void *arg);
    void *announce_arg;
    gk_readcache_stats stats;
} rc;

static unsigned long hash_str(const char *s, unsigned long h)
{
    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211UL;
    }
    return h;
}

static void clear_regions(void)
{
    rc.region_gen++;
    rc.nregions = 0;
}

static void clear_tokens(void)
{
    rc.token_gen++;
    rc.ntokens = 0;
}

/* No memset of the tables: static storage starts zeroed (generation 0,
 * never current), and pages never touched cost no memory. */
void gk_readcache_init(bool enabled)
{
    rc.enabled = enabled;
    rc.live = false;
    rc.epoch++;
    rc.token_epoch++;
    clear_regions();
    clear_tokens();
    memset(&rc.stats, 0, sizeof rc.stats);
}

void gk_readcache_free(void)
{
    clear_regions();
    clear_tokens();
    rc.enabled = rc.live = false;
    rc.announce = NULL;
}

bool gk_readcache_usable(void) { return rc.enabled && rc.live; }

void gk_readcache_set_live(bool live)
{
    rc.live = live;
    gk_readcache_tokens_changed();
}

unsigned long long gk_readcache_epoch(void) { return rc.epoch; }
unsigned long long gk_readcache_token_epoch(void) { return rc.token_epoch; }

void gk_readcache_changed(void)
{
    rc.epoch++;
    rc.stats.changes++;
    clear_regions();
}

void gk_readcache_tokens_changed(void)
{
    rc.token_epoch++;
    clear_tokens();
    gk_readcache_changed();
}

void gk_readcache_set_announce(void (*announce)(void *arg), void *arg)
{
    rc.announce = announce;
    rc.announce_arg = arg;
}

void gk_readcache_local_write(void)
{
    gk_readcache_changed();
    if (rc.announce != NULL)
        rc.announce(rc.announce_arg);
}

bool gk_readcache_token_get(const char *hash_hex, gk_readcache_token *out)
{
    if (!gk_readcache_usable() || rc.ntokens == 0)
        return false;
    for (unsigned long i = hash_str(hash_hex, 14695981039346656037UL) % TOKEN_SLOTS;; i = (i + 1) % TOKEN_SLOTS) {
        token_slot *s = &rc.tokens[i];
        if (s->gen != rc.token_gen)
            return false;
        if (strcmp(s->hash, hash_hex) == 0) {
            *out = s->t;
            return true;
        }
    }
}

void gk_readcache_token_put(const char *hash_hex, const gk_readcache_token *t, unsigned long long token_epoch)
{
    if (!gk_readcache_usable() || token_epoch != rc.token_epoch || strlen(hash_hex) != 64)
        return;
    if (rc.ntokens >= GK_READCACHE_TOKENS)
        clear_tokens();
    for (unsigned long i = hash_str(hash_hex, 14695981039346656037UL) % TOKEN_SLOTS;; i = (i + 1) % TOKEN_SLOTS) {
        token_slot *s = &rc.tokens[i];
        bool used = s->gen == rc.token_gen;
        if (used && strcmp(s->hash, hash_hex) != 0)
            continue;
        if (!used)
            rc.ntokens++;
        s->gen = rc.token_gen;
        memcpy(s->hash, hash_hex, 65);
        s->t = *t;
        return;
    }
}

static unsigned long region_hash(const char *code, int year)
{
    return hash_str(code, 14695981039346656037UL ^ (unsigned long)(unsigned)year * 0x9e3779b97f4a7c15UL);
}

bool gk_readcache_region_get(const char *code, int year, gk_readcache_region *out)
{
    if (!gk_readcache_usable() || rc.nregions == 0)
        return false;
    for (unsigned long i = region_hash(code, year) % REGION_SLOTS;; i = (i + 1) % REGION_SLOTS) {
        region_slot *s = &rc.regions[i];
        if (s->gen != rc.region_gen)
            return false;
        if (s->year == year && strcmp(s->code, code) == 0) {
            out->path = s->path;
            out->counter = s->counter;
            out->generation = s->generation;
            return true;
        }
    }
}

void gk_readcache_region_put(const char *code, int year, const char *path, const char *counter,
                             const char *generation, unsigned long long epoch)
{
    if (!gk_readcache_usable() || epoch != rc.epoch)
        return;
    region_slot tmp;
    /* Longer than our slots (not a real registry): simply not cached. */
    if (strlen(code) >= sizeof tmp.code || strlen(path) >= sizeof tmp.path || strlen(counter) >= sizeof tmp.counter ||
        strlen(generation) >= sizeof tmp.generation)
        return;
    if (rc.nregions >= GK_READCACHE_REGIONS)
        clear_regions();
    for (unsigned long i = region_hash(code, year) % REGION_SLOTS;; i = (i + 1) % REGION_SLOTS) {
        region_slot *s = &rc.regions[i];
        bool used = s->gen == rc.region_gen;
        if (used && (s->year != year || strcmp(s->code, code) != 0))
            continue;
        if (!used)
            rc.nregions++;
        s->gen = rc.region_gen;
        s->year = year;
        snprintf(s->code, sizeof s->code, "%s", code);
        snprintf(s->path, sizeof s->path, "%s", path);
        snprintf(s->counter, sizeof s->counter, "%s", counter);
        snprintf(s->generation, sizeof s->generation, "%s", generation);
        return;
    }
}

void gk_readcache_count(bool hit)
{
    if (hit)
        rc.stats.hits++;
    else
        rc.stats.misses++;
}

void gk_readcache_stats_get(gk_readcache_stats *out)
{
    *out = rc.stats;
    out->tokens = rc.ntokens;
    out->regions = rc.nregions;
}
