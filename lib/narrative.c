/* narrative.c — rules on the prose: names of other townships, and
 * near-duplicate prose (内容雷同).  See narrative.h and docs/rules.md. */
#include <stdlib.h>
#include <string.h>
#include "gongkai/narrative.h"
#include "gongkai/textutil.h"
#include "util.h"

/* ---- narrative.foreign_entity ------------------------------------------ */

typedef struct foreign_hit {
    char name[64];
    int section;       /* first section it occurs in */
    unsigned count;
} foreign_hit;

typedef struct scan_state {
    const gk_names *names;
    const char *text, *own, *entity;
    int section;
    foreign_hit hits[32];
    size_t n;
} scan_state;

static bool on_name(const gk_name_match *m, void *arg)
{
    scan_state *st = arg;
    char name[64];
    if (m->len >= sizeof name)
        return true;
    memcpy(name, st->text + m->offset, m->len);
    name[m->len] = '\0';
    /* the entity's own name, or one of its own townships (a county's or a
     * city's report names them as a matter of course) */
    if ((st->own && !strcmp(name, st->own)) || gk_names_within(st->names, name, m->len, st->entity))
        return true;
    for (size_t i = 0; i < st->n; i++)
        if (!strcmp(st->hits[i].name, name)) {
            st->hits[i].count++;
            return true;
        }
    if (st->n < sizeof st->hits / sizeof st->hits[0]) {
        foreign_hit *h = &st->hits[st->n++];
        memcpy(h->name, name, m->len + 1);
        h->section = st->section;
        h->count = 1;
    }
    return true;
}

void gk_rules_foreign_entity(const gk_report *r, const gk_names *names, gk_findings *out)
{
    scan_state st = {.names = names, .own = gk_names_name_of(names, r->entity), .entity = r->entity};
    for (int s = 0; s < GK_NARR_COUNT; s++) {
        if (!r->narrative[s])
            continue;
        st.text = r->narrative[s];
        st.section = s;
        gk_names_scan(names, r->narrative[s], on_name, &st);
    }
    for (size_t i = 0; i < st.n; i++) {
        const foreign_hit *h = &st.hits[i];
        char path[32];
        snprintf(path, sizeof path, "narrative.%s", gk_narrative_keys[h->section]);
        json_t *detail = json_pack("{sssi}", "name", h->name, "occurrences", (int)h->count);
        gk_findings_add_detail(out, "narrative.foreign_entity", GK_SEV_WARNING, path, detail,
                               "正文提到“%s”（%u 处），不是本单位%s%s%s的名称，可能是从其他单位的报告复制而来",
                               h->name, h->count, st.own ? "（" : "", st.own ? st.own : "",
                               st.own ? "）" : "");
    }
}

/* ---- normalisation and shingles ---------------------------------------- */

#define MASK_CP 0x25A1 /* □ stands for any township name */

static bool is_cjk(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x2FA1F);
}

static void put_cp(char **buf, size_t *len, size_t *cap, uint32_t cp)
{
    if (*len + 5 > *cap) {
        *cap = *cap * 2 + 64;
        *buf = gk_xrealloc(*buf, *cap);
    }
    char *p = *buf + *len;
    if (cp < 0x80) {
        p[0] = (char)cp;
        *len += 1;
    } else if (cp < 0x800) {
        p[0] = (char)(0xC0 | (cp >> 6));
        p[1] = (char)(0x80 | (cp & 0x3F));
        *len += 2;
    } else if (cp < 0x10000) {
        p[0] = (char)(0xE0 | (cp >> 12));
        p[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        p[2] = (char)(0x80 | (cp & 0x3F));
        *len += 3;
    } else {
        p[0] = (char)(0xF0 | (cp >> 18));
        p[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        p[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        p[3] = (char)(0x80 | (cp & 0x3F));
        *len += 4;
    }
    (*buf)[*len] = '\0';
}

typedef struct mask_state {
    gk_name_match m[256];
    size_t n;
} mask_state;

static bool on_mask(const gk_name_match *m, void *arg)
{
    mask_state *st = arg;
    if (st->n == sizeof st->m / sizeof st->m[0])
        return false;
    st->m[st->n++] = *m;
    return true;
}

/* Where each byte of normalised text came from: its section and the byte
 * span in that section's original text of the character (for a masked
 * name, of the whole name).  Lets a passage found in normalised text be
 * quoted in the report's own wording. */
typedef struct src_span {
    int section;
    size_t from, to;
} src_span;

typedef struct src_map {
    src_span *s;      /* one per byte of the normalised text */
    size_t n, cap;
} src_map;

static void map_bytes(src_map *map, size_t upto, int section, size_t from, size_t to)
{
    if (map == NULL)
        return;
    if (upto > map->cap) {
        map->cap = upto * 2 + 64;
        map->s = gk_xrealloc(map->s, map->cap * sizeof *map->s);
    }
    for (; map->n < upto; map->n++)
        map->s[map->n] = (src_span){section, from, to};
}

/* One text: names masked, then only CJK and Latin letters kept.  map (may
 * be NULL) gets the source of every byte appended. */
static void normalise_into(const char *text, const gk_names *names, char **buf, size_t *len,
                           size_t *cap, int section, src_map *map)
{
    mask_state ms = {.n = 0};
    if (names)
        gk_names_scan(names, text, on_mask, &ms);
    size_t n = strlen(text), next = 0;
    for (size_t i = 0; i < n;) {
        if (next < ms.n && i == ms.m[next].offset) {
            put_cp(buf, len, cap, MASK_CP);
            map_bytes(map, *len, section, i, i + ms.m[next].len);
            i += ms.m[next++].len;
            continue;
        }
        uint32_t cp;
        size_t at = i;
        size_t l = gk_utf8_decode(text + i, n - i, &cp);
        i += l ? l : 1;
        if (!l)
            continue;
        if (cp >= 0xFF21 && cp <= 0xFF5A)
            cp -= 0xFEE0; /* full-width Latin → ASCII */
        if (cp >= 'A' && cp <= 'Z')
            cp += 32;
        if (is_cjk(cp) || (cp >= 'a' && cp <= 'z')) {
            put_cp(buf, len, cap, cp);
            map_bytes(map, *len, section, at, i);
        }
    }
}

static char *normalise_mapped(const gk_report *r, const gk_names *names, src_map *map)
{
    size_t len = 0, cap = 256;
    char *buf = gk_xmalloc(cap);
    buf[0] = '\0';
    for (int s = 0; s < GK_NARR_COUNT; s++)
        if (r->narrative[s]) {
            normalise_into(r->narrative[s], names, &buf, &len, &cap, s, map);
            put_cp(&buf, &len, &cap, '|'); /* sections never share a shingle */
            map_bytes(map, len, -1, 0, 0);
        }
    return buf;
}

char *gk_narrative_normalise(const gk_report *r, const gk_names *names)
{
    return normalise_mapped(r, names, NULL);
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* Calls fn for every shingle of normalised text: hash and byte span. */
static void each_shingle(const char *norm, void (*fn)(uint64_t h, size_t from, size_t to, void *),
                         void *arg)
{
    size_t n = strlen(norm);
    size_t starts[GK_SHINGLE_CHARS + 1];
    size_t k = 0;
    for (size_t i = 0; i <= n;) {
        if (i == n || norm[i] == '|') {
            k = 0;
            i++;
            continue;
        }
        if (k == GK_SHINGLE_CHARS) {
            memmove(starts, starts + 1, (GK_SHINGLE_CHARS - 1) * sizeof *starts);
            k--;
        }
        starts[k++] = i;
        uint32_t cp;
        size_t l = gk_utf8_decode(norm + i, n - i, &cp);
        i += l ? l : 1;
        if (k == GK_SHINGLE_CHARS) {
            uint64_t h = 1469598103934665603ULL;
            for (size_t b = starts[0]; b < i; b++)
                h = (h ^ (unsigned char)norm[b]) * 1099511628211ULL;
            fn(mix64(h), starts[0], i, arg);
        }
    }
}

static void push_hash(uint64_t h, size_t from, size_t to, void *arg)
{
    (void)from, (void)to;
    gk_shingles *s = arg;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->h = gk_xrealloc(s->h, s->cap * sizeof *s->h);
    }
    s->h[s->n++] = h;
}

/* LSD radix sort, 8 bits per pass (a pass whose byte is the same for every
 * value is skipped).  A report's shingle set is a few thousand hashes, and
 * qsort with its comparison callback was 16 % of a submission's
 * instructions in gongkaid (callgrind, bench/profile.sh). */
static void sort_u64(uint64_t *a, size_t n)
{
    if (n < 2)
        return;
    uint64_t *tmp = gk_xmalloc(n * sizeof *tmp);
    uint64_t *src = a, *dst = tmp;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        size_t count[256] = {0};
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & 0xff]++;
        if (count[(src[0] >> shift) & 0xff] == n)
            continue;
        size_t pos = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xff]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
    free(tmp);
}

static void sort_unique(gk_shingles *s)
{
    if (!s->n)
        return;
    sort_u64(s->h, s->n);
    size_t w = 1;
    for (size_t i = 1; i < s->n; i++)
        if (s->h[i] != s->h[w - 1])
            s->h[w++] = s->h[i];
    s->n = w;
}

static bool contains(const gk_shingles *s, uint64_t h)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->h[mid] < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->h[lo] == h;
}

/* Phrases every report shares because the regulation and the format put
 * them there: the law's title, the sections' titles, the standard sentences
 * of the opening paragraph and the contact line. */
static const char *const boilerplate_text[] = {
    "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》要求，",
    "本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六个部分组成。",
    "本报告中所列数据的统计期限自年月日起至年月日止。本报告电子版可在人民政府门户网站下载。如对本报告有疑问，请联系",
    "认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外",
    "政府信息公开工作年度报告", "主动公开政府信息的情况", "依申请公开政府信息的情况",
    "政府信息管理的情况", "政府信息公开平台建设的情况", "政府信息公开监督保障的情况",
    "存在的主要问题及改进情况", "其他需要报告的事项", "无其他需要报告的事项",
    "以习近平新时代中国特色社会主义思想为指导", "全面贯彻党的十九大和十九届二中、三中、四中、五中全会精神",
    "全面贯彻党的二十大精神", "各级政府信息公开部署要求",
};

static gk_shingles builtin_boilerplate;
static bool builtin_ready;

static void load_builtin(void)
{
    if (builtin_ready)
        return;
    size_t len = 0, cap = 256;
    char *buf = gk_xmalloc(cap);
    for (size_t i = 0; i < sizeof boilerplate_text / sizeof *boilerplate_text; i++) {
        len = 0;
        buf[0] = '\0';
        normalise_into(boilerplate_text[i], NULL, &buf, &len, &cap, 0, NULL);
        each_shingle(buf, push_hash, &builtin_boilerplate);
    }
    free(buf);
    sort_unique(&builtin_boilerplate);
    builtin_ready = true;
}

__attribute__((destructor)) static void free_builtin(void)
{
    free(builtin_boilerplate.h);
}

typedef struct collect_state {
    gk_shingles *out;
    gk_boilerplate_fn filter;
    void *arg;
} collect_state;

static void collect(uint64_t h, size_t from, size_t to, void *arg)
{
    collect_state *st = arg;
    if (contains(&builtin_boilerplate, h) || (st->filter && st->filter(h, st->arg)))
        return;
    push_hash(h, from, to, st->out);
}

void gk_narrative_shingles(const gk_report *r, const gk_names *names, gk_boilerplate_fn filter,
                           void *arg, gk_shingles *out)
{
    load_builtin();
    char *norm = gk_narrative_normalise(r, names);
    collect_state st = {out, filter, arg};
    each_shingle(norm, collect, &st);
    free(norm);
    sort_unique(out);
}

void gk_shingles_free(gk_shingles *s)
{
    free(s->h);
    s->h = NULL;
    s->n = s->cap = 0;
}

double gk_shingles_jaccard(const gk_shingles *a, const gk_shingles *b)
{
    size_t i = 0, j = 0, both = 0;
    while (i < a->n && j < b->n) {
        if (a->h[i] == b->h[j])
            both++, i++, j++;
        else if (a->h[i] < b->h[j])
            i++;
        else
            j++;
    }
    size_t uni = a->n + b->n - both;
    return uni ? (double)both / (double)uni : 0.0;
}

/* ---- MinHash and LSH ---------------------------------------------------- */

/* One-permutation MinHash: each shingle's (already mixed) hash picks one of
 * the GK_MINHASH_N bins by its top bits and competes there with its low
 * bits, so a signature costs one pass over the shingles instead of
 * GK_MINHASH_N hash evaluations per shingle (which was a fifth of a
 * submission's instructions).  Bins left empty — only in prose far too short
 * to judge — borrow the next filled bin's value, shifted by the distance, so
 * two sets still agree bin by bin exactly when their minima do. */
void gk_minhash(const gk_shingles *s, uint64_t sig[GK_MINHASH_N])
{
    enum { BIN_BITS = 7 }; /* 2^7 = GK_MINHASH_N */
    _Static_assert(GK_MINHASH_N == 1 << BIN_BITS, "bins are picked by the top bits");
    const uint64_t low = (UINT64_C(1) << (64 - BIN_BITS)) - 1;
    for (int k = 0; k < GK_MINHASH_N; k++)
        sig[k] = UINT64_MAX;
    for (size_t i = 0; i < s->n; i++) {
        uint64_t h = s->h[i];
        int bin = (int)(h >> (64 - BIN_BITS));
        if ((h & low) < sig[bin])
            sig[bin] = h & low;
    }
    int filled = -1;
    for (int k = 0; k < GK_MINHASH_N; k++)
        if (sig[k] != UINT64_MAX)
            filled = k;
    if (filled < 0)
        return;
    uint64_t dense[GK_MINHASH_N];
    for (int k = 0; k < GK_MINHASH_N; k++) {
        int d = 0;
        while (sig[(k + d) % GK_MINHASH_N] == UINT64_MAX)
            d++;
        dense[k] = sig[(k + d) % GK_MINHASH_N] + ((uint64_t)d << (64 - BIN_BITS));
    }
    memcpy(sig, dense, sizeof dense);
}

double gk_minhash_similarity(const uint64_t a[GK_MINHASH_N], const uint64_t b[GK_MINHASH_N])
{
    int same = 0;
    for (int k = 0; k < GK_MINHASH_N; k++)
        same += a[k] == b[k] && a[k] != UINT64_MAX;
    return (double)same / GK_MINHASH_N;
}

void gk_lsh_bands(const uint64_t sig[GK_MINHASH_N], uint64_t bands[GK_LSH_BANDS])
{
    const int rows = GK_MINHASH_N / GK_LSH_BANDS;
    for (int b = 0; b < GK_LSH_BANDS; b++) {
        uint64_t h = mix64((uint64_t)b + 1);
        for (int r = 0; r < rows; r++)
            h = mix64(h ^ sig[b * rows + r]);
        /* kept as a signed bigint in PostgreSQL: the top bit is dropped */
        bands[b] = h & 0x7fffffffffffffffULL;
    }
}

/* ---- shared passages ---------------------------------------------------- */

typedef struct span_state {
    gk_shingles b;
    bool *covered;   /* per byte of a: inside a shingle shared with b */
} span_state;

static void mark_shared(uint64_t h, size_t from, size_t to, void *arg)
{
    span_state *st = arg;
    if (contains(&st->b, h))
        for (size_t i = from; i < to; i++)
            st->covered[i] = true;
}

typedef struct passage {
    size_t from, to, chars;
} passage;

static int cmp_passage(const void *x, const void *y)
{
    const passage *a = x, *b = y;
    return a->chars < b->chars ? 1 : a->chars > b->chars ? -1 : (a->from > b->from) - (a->from < b->from);
}

/* The runs of norm_a covered by shingles shared with norm_b, at least
 * min_chars long, longest first; *np of them (malloc'd, NULL when none). */
static passage *shared_runs(const char *norm_a, const char *norm_b, size_t min_chars, size_t *np_out)
{
    span_state st = {.b = {0}};
    each_shingle(norm_b, push_hash, &st.b);
    sort_unique(&st.b);
    size_t n = strlen(norm_a);
    st.covered = gk_xcalloc(n + 1, 1);
    each_shingle(norm_a, mark_shared, &st);
    passage *ps = NULL;
    size_t np = 0, cap = 0;
    for (size_t i = 0; i < n;) {
        if (!st.covered[i]) {
            i++;
            continue;
        }
        size_t j = i, chars = 0;
        while (j < n && st.covered[j]) {
            chars += ((unsigned char)norm_a[j] & 0xC0) != 0x80;
            j++;
        }
        if (chars >= min_chars) {
            if (np == cap) {
                cap = cap ? cap * 2 : 8;
                ps = gk_xrealloc(ps, cap * sizeof *ps);
            }
            ps[np++] = (passage){i, j, chars};
        }
        i = j;
    }
    if (np > 1) /* ps is NULL when there is none: qsort must not see it */
        qsort(ps, np, sizeof *ps, cmp_passage);
    free(st.covered);
    gk_shingles_free(&st.b);
    *np_out = np;
    return ps;
}

json_t *gk_common_passages(const char *norm_a, const char *norm_b, size_t min_chars, size_t max)
{
    size_t np = 0;
    passage *ps = shared_runs(norm_a, norm_b, min_chars, &np);
    json_t *arr = json_array();
    for (size_t i = 0; i < np && i < max; i++)
        json_array_append_new(arr, json_stringn(norm_a + ps[i].from, ps[i].to - ps[i].from));
    free(ps);
    return arr;
}

struct gk_narrative_src {
    const gk_report *r;   /* not owned */
    char *norm;
    src_map map;
};

gk_narrative_src *gk_narrative_src_new(const gk_report *r, const gk_names *names)
{
    gk_narrative_src *s = gk_xcalloc(1, sizeof *s);
    s->r = r;
    s->norm = normalise_mapped(r, names, &s->map);
    return s;
}

void gk_narrative_src_free(gk_narrative_src *s)
{
    if (s == NULL)
        return;
    free(s->map.s);
    free(s->norm);
    free(s);
}

json_t *gk_common_passages_original(const gk_narrative_src *a, const char *norm_b, size_t min_chars, size_t max)
{
    const gk_report *r = a->r;
    const src_span *from = a->map.s;
    size_t np = 0;
    passage *ps = shared_runs(a->norm, norm_b, min_chars, &np);
    json_t *arr = json_array();
    for (size_t i = 0; i < np && json_array_size(arr) < max; i++) {
        /* a run never crosses a section: '|' is in no shingle */
        const src_span *first = &from[ps[i].from], *last = &from[ps[i].to - 1];
        if (first->section < 0 || first->section != last->section || r->narrative[first->section] == NULL)
            continue;
        const char *text = r->narrative[first->section];
        char path[32];
        snprintf(path, sizeof path, "narrative.%s", gk_narrative_keys[first->section]);
        json_array_append_new(arr, json_pack("{s:s,s:s%}", "path", path, "text", text + first->from,
                                             last->to - first->from));
    }
    free(ps);
    return arr;
}
