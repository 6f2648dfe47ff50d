/* names.c — township names of the region registry, found in prose.
 *
 * Two open-addressing hash tables: name → (first code, how many units bear
 * it) for matching, and code → name for lookups.  Matches are chosen
 * leftmost-longest (see gk_names_scan), so 石高桥镇 is not read as 高桥镇 and a
 * report's own name is never split. */
#include <stdlib.h>
#include <string.h>
#include "gongkai/narrative.h"
#include "gongkai/textutil.h"
#include "util.h"

#define MAX_NAME_CHARS 12  /* longest township name we match, in characters */
#define MIN_NAME_CHARS 3

typedef struct name_slot {
    char *key;       /* name (by_name) or code (by_code) */
    char *value;     /* first code (by_name) or name (by_code) */
    unsigned count;  /* units bearing the name (by_name) */
    bool matchable;
    const char **codes;  /* by_name: the codes of all `count` units (keys of by_code) */
    char *ancestors;     /* by_code: ",a,b,…," every ancestor's code */
} name_slot;

typedef struct table {
    name_slot *slots;
    size_t cap, used;
} table;

struct gk_names {
    table by_name, by_code;
    size_t units;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static name_slot *find(const table *t, const char *key, size_t n)
{
    if (!t->cap)
        return NULL;
    for (size_t i = hash_bytes(key, n) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        name_slot *s = &t->slots[i];
        if (!s->key)
            return NULL;
        if (strlen(s->key) == n && !memcmp(s->key, key, n))
            return s;
    }
}

static name_slot *insert(table *t, const char *key)
{
    if ((t->used + 1) * 2 > t->cap) {
        table bigger = {gk_xcalloc(t->cap ? t->cap * 2 : 1024, sizeof(name_slot)),
                        t->cap ? t->cap * 2 : 1024, 0};
        for (size_t i = 0; i < t->cap; i++)
            if (t->slots[i].key) {
                size_t j = hash_bytes(t->slots[i].key, strlen(t->slots[i].key)) & (bigger.cap - 1);
                while (bigger.slots[j].key)
                    j = (j + 1) & (bigger.cap - 1);
                bigger.slots[j] = t->slots[i];
                bigger.used++;
            }
        free(t->slots);
        *t = bigger;
    }
    size_t n = strlen(key);
    size_t i = hash_bytes(key, n) & (t->cap - 1);
    while (t->slots[i].key) {
        if (!strcmp(t->slots[i].key, key))
            return &t->slots[i];
        i = (i + 1) & (t->cap - 1);
    }
    t->slots[i].key = gk_xstrdup(key);
    t->used++;
    return &t->slots[i];
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->cap; i++) {
        free(t->slots[i].key);
        free(t->slots[i].value);
        free(t->slots[i].codes);
        free(t->slots[i].ancestors);
    }
    free(t->slots);
}

gk_names *gk_names_new(void)
{
    return gk_xcalloc(1, sizeof(gk_names));
}

void gk_names_free(gk_names *n)
{
    if (!n)
        return;
    table_free(&n->by_name);
    table_free(&n->by_code);
    free(n);
}

static size_t utf8_chars(const char *s)
{
    size_t c = 0;
    for (; *s; s++)
        c += ((unsigned char)*s & 0xC0) != 0x80;
    return c;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* Ordinary words of the genre that are also the registry name of some
 * township: kinds of town (推进小城镇建设, 中心镇, 重点镇, 特色小镇, 建制镇, 集镇),
 * size (扩大城镇规模 holds 大城镇) and groupings (乡镇街道, 城镇街道).  In prose they
 * are almost always the word, so they are never matched.  Not here: proper
 * names that happen to be common, such as 城关镇 (88 towns, each its county's
 * seat), 新城镇 or 三乡镇 — naming one of those in another township's report
 * is what the rule is for, and Chinese counts townships with a measure word
 * (三个乡镇), not as 三乡镇.  docs/rules.md gives the list. */
static const char *const generic_words[] = {
    "小城镇", "大城镇", "中心镇", "重点镇", "特色小镇", "建制镇", "集镇", "乡镇街道", "城镇街道",
};

/* Generic names (城区, 农场, 永兴 …) occur in ordinary prose; only names that
 * read as a township are searched for, and not the words above. */
static bool matchable(const char *name)
{
    size_t chars = utf8_chars(name);
    if (chars < MIN_NAME_CHARS || chars > MAX_NAME_CHARS ||
        !(ends_with(name, "镇") || ends_with(name, "乡") || ends_with(name, "街道") ||
          ends_with(name, "苏木")))
        return false;
    for (size_t i = 0; i < sizeof generic_words / sizeof *generic_words; i++)
        if (!strcmp(name, generic_words[i]))
            return false;
    return true;
}

/* ",a,b,…,": the given ancestors, or those the code's structure implies
 * (统计用区划代码: province 2 digits, prefecture 4, county 6, township 9). */
static char *ancestors_of(const char *code, const char *given)
{
    size_t n = strlen(code);
    if (given)
        return gk_xasprintf(",%s,", given);
    static const size_t cuts[] = {2, 4, 6, 9};
    char *a = gk_xmalloc(2 * n + 8), *p = a;
    *p++ = ',';
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts && cuts[i] < n; i++) {
        memcpy(p, code, cuts[i]);
        p += cuts[i];
        *p++ = ',';
    }
    *p = '\0';
    return a;
}

void gk_names_add_unit(gk_names *n, const char *code, const char *name, const char *ancestors)
{
    if (!code || !name || !name[0])
        return;
    name_slot *c = insert(&n->by_code, code);
    if (c->value)
        return; /* re-import of a known code: keep the first */
    c->value = gk_xstrdup(name);
    c->ancestors = ancestors_of(code, ancestors);
    const char *code_key = c->key; /* owned by by_code; a rehash moves the slot, not the string */
    n->units++;
    name_slot *s = insert(&n->by_name, name);
    if (!s->value)
        s->value = gk_xstrdup(code);
    s->codes = gk_xrealloc(s->codes, (s->count + 1) * sizeof *s->codes);
    s->codes[s->count++] = code_key;
    s->matchable = matchable(name);
}

void gk_names_add(gk_names *n, const char *code, const char *name)
{
    gk_names_add_unit(n, code, name, NULL);
}

bool gk_names_within(const gk_names *n, const char *name, size_t len, const char *code)
{
    const name_slot *s = code && code[0] ? find(&n->by_name, name, len) : NULL;
    if (!s)
        return false;
    char *needle = gk_xasprintf(",%s,", code);
    bool in = false;
    for (unsigned i = 0; i < s->count && !in; i++) {
        const name_slot *u = find(&n->by_code, s->codes[i], strlen(s->codes[i]));
        in = !strcmp(s->codes[i], code) || (u && strstr(u->ancestors, needle));
    }
    free(needle);
    return in;
}

size_t gk_names_count(const gk_names *n)
{
    return n->units;
}

const char *gk_names_name_of(const gk_names *n, const char *code)
{
    const name_slot *s = code ? find(&n->by_code, code, strlen(code)) : NULL;
    return s ? s->value : NULL;
}

/* Does a matchable suffix (镇, 乡, 街道, 苏木) end with character k? */
static bool suffix_ends_at(const char *text, const size_t *b, size_t k)
{
    size_t len = b[k + 1] - b[k];
    const char *c = text + b[k];
    if (len == 3 && (!memcmp(c, "镇", 3) || !memcmp(c, "乡", 3)))
        return true;
    if (k == 0 || len != 3 || b[k] - b[k - 1] != 3)
        return false;
    return !memcmp(text + b[k - 1], "街道", 6) || !memcmp(text + b[k - 1], "苏木", 6);
}

typedef struct name_cand {
    size_t start, end;
} name_cand;

static int cmp_cand(const void *x, const void *y)
{
    const name_cand *a = x, *b = y;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return (a->end < b->end) - (a->end > b->end); /* longer first */
}

/* Every matchable name ends in a township suffix, so names are looked up
 * only where a suffix ends — a few dozen places in a report instead of
 * every character (the profile of a submission had 61 % of its
 * instructions in the old every-position scan).  The matches are then
 * chosen leftmost-longest, exactly as a left-to-right scan would. */
void gk_names_scan(const gk_names *n, const char *text,
                   bool (*cb)(const gk_name_match *m, void *arg), void *arg)
{
    size_t len = strlen(text), nb = 0;
    size_t *b = gk_xmalloc((len + 2) * sizeof *b);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t l = gk_utf8_decode(text + i, len - i, &cp);
        b[nb++] = i;
        i += l ? l : 1;
    }
    b[nb] = len;
    name_cand *cand = NULL;
    size_t nc = 0, cap = 0;
    for (size_t k = 0; k < nb; k++) {
        if (!suffix_ends_at(text, b, k))
            continue;
        for (size_t c = MAX_NAME_CHARS; c >= MIN_NAME_CHARS; c--) {
            if (c > k + 1)
                continue;
            size_t start = b[k + 1 - c], end = b[k + 1];
            const name_slot *s = find(&n->by_name, text + start, end - start);
            if (!s || !s->matchable)
                continue;
            if (nc == cap) {
                cap = cap ? cap * 2 : 16;
                cand = gk_xrealloc(cand, cap * sizeof *cand);
            }
            cand[nc++] = (name_cand){start, end};
        }
    }
    if (nc > 1)
        qsort(cand, nc, sizeof *cand, cmp_cand);
    size_t last_end = 0;
    for (size_t i = 0; i < nc; i++) {
        if (cand[i].start < last_end)
            continue;
        gk_name_match m = {cand[i].start, cand[i].end - cand[i].start};
        if (!cb(&m, arg))
            break;
        last_end = cand[i].end;
    }
    free(cand);
    free(b);
}
