/* throttle.c — see throttle.h.  One event-loop thread uses it: no locking.
 * Open addressing over a fixed table of GK_THROTTLE_SLOTS entries with a
 * short probe run, so the cost of one check is bounded whatever an
 * attacker sends, and so is the memory (about 300 KiB). */
#include "throttle.h"

#include <stdio.h>
#include <string.h>

#define GK_THROTTLE_SLOTS 4096
#define GK_THROTTLE_PROBE 16

typedef struct slot {
    char key[72];          /* "n:" + a name of ≤ 64 bytes, or "a:" + an address */
    time_t start;          /* window start; 0: free */
    long failures;
} slot;

static slot table[GK_THROTTLE_SLOTS];

static unsigned long hash(const char *s)
{
    unsigned long h = 1469598103934665603UL;
    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211UL;
    }
    return h;
}

/* key's slot, or NULL when it has none (and !make). */
static slot *find(const char *key, time_t now, long window_s, bool make)
{
    unsigned long h = hash(key);
    slot *unused = NULL, *oldest = NULL;
    for (int i = 0; i < GK_THROTTLE_PROBE; i++) {
        slot *s = &table[(h + (unsigned long)i) % GK_THROTTLE_SLOTS];
        if (s->start != 0 && strncmp(s->key, key, sizeof s->key) == 0)
            return s;
        if (unused == NULL && (s->start == 0 || now - s->start >= window_s))
            unused = s;
        if (oldest == NULL || s->start < oldest->start)
            oldest = s;
    }
    /* a free or expired slot; else the oldest window is forgotten */
    slot *victim = unused != NULL ? unused : oldest;
    if (!make || victim == NULL)
        return NULL;
    snprintf(victim->key, sizeof victim->key, "%s", key);
    victim->start = now;
    victim->failures = 0;
    return victim;
}

long gk_throttle_wait(const char *key, time_t now, long limit, long window_s)
{
    slot *s = find(key, now, window_s, false);
    if (s == NULL || now - s->start >= window_s || s->failures < limit)
        return 0;
    long left = window_s - (long)(now - s->start);
    return left > 0 ? left : 1;
}

void gk_throttle_fail(const char *key, time_t now, long window_s)
{
    slot *s = find(key, now, window_s, true);
    if (s == NULL)
        return;
    if (now - s->start >= window_s) {   /* a new window */
        s->start = now;
        s->failures = 0;
    }
    s->failures++;
}

void gk_throttle_clear(const char *key)
{
    slot *s = find(key, 1, 1, false);
    if (s != NULL) {
        s->start = 0;
        s->failures = 0;
        s->key[0] = '\0';
    }
}
