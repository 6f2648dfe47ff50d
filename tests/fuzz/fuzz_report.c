/* fuzz_report.c — libFuzzer target: any bytes through report parsing, every
 * report-level rule, the rollup and the canonical serialisation, and the
 * narrative code on the prose: the township-name scan, narrative.foreign_entity,
 * normalisation, shingles, MinHash, LSH bands and the common passages.
 * Besides memory errors (ASan/UBSan), it checks the model's round trip: a
 * report that parses serialises to text that parses to an equal report; the
 * parser's fast path never decides differently from the general path; and
 * the invariants of the name scan and the similarity measures.  The same
 * bytes go through the client's exact loader (gk_json_loadb_exact): what it
 * loads writes out (gk_json_dumps_exact) to text that loads again, and the
 * rollup's exact JSON is written out too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/exactjson.h"
#include "gongkai/narrative.h"
#include "gongkai/rollup.h"
#include "gongkai/rules.h"
#include "gongkai/textutil.h"
#include "fastparse.h"

/* A small registry: 永安市's townships (the sample's 贡川镇 among them), the
 * 高桥镇 of 沙县区 and another one, names that contain or extend others
 * (石高桥镇, 新沟镇 / 新沟镇街道), common proper names (城关镇 twice), a word of
 * the stoplist (小城镇), names too generic to match (城区), and units whose
 * ancestors are given, as the daemon loads them. */
static const struct {
    const char *code, *name, *ancestors;
} towns[] = {
    {"350481001", "燕东街道", NULL},   {"350481002", "燕西街道", NULL},
    {"350481003", "燕南街道", NULL},   {"350481004", "燕北街道", NULL},
    {"350481100", "西洋镇", NULL},     {"350481101", "贡川镇", NULL},
    {"350481102", "安砂镇", NULL},     {"350481103", "小陶镇", NULL},
    {"350481104", "大湖镇", NULL},     {"350481105", "曹远镇", NULL},
    {"350481106", "洪田镇", NULL},     {"350481107", "槐南镇", NULL},
    {"350481200", "上坪乡", NULL},     {"350481201", "罗坊乡", NULL},
    {"350481202", "青水畲族乡", NULL}, {"350405103", "高桥镇", "0,35,3504,350405"},
    {"310115104", "高桥镇", NULL},     {"350405104", "石高桥镇", "0,35,3504,350405"},
    {"420115100", "新沟镇", NULL},     {"420115001", "新沟镇街道", NULL},
    {"350427100", "城关镇", NULL},     {"350428100", "城关镇", NULL},
    {"410100100", "小城镇", NULL},     {"150102001", "查干苏木", NULL},
    {"442000100", "三乡镇", NULL},     {"350402001", "城区", NULL},
    {"X1", "甲河镇", "0,P,C"},         {"X2", "乙河镇", "0,P,D"},
};

static const char *const entities[] = {"350481101", "350481", "3504", "35", "110101", "C", "P"};

/* A second text to compare with: the sample's manner, with names. */
static const char *const other_prose =
    "贡川镇认真贯彻落实《中华人民共和国政府信息公开条例》，推进小城镇建设的信息公开。"
    "学习高桥镇的做法，高桥镇的公开栏值得借鉴。新沟镇街道和城关镇的经验。";

static gk_names *names;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    names = gk_names_new();
    for (size_t i = 0; i < sizeof towns / sizeof *towns; i++)
        gk_names_add_unit(names, towns[i].code, towns[i].name, towns[i].ancestors);
    return 0;
}

static void fast_path_agrees(const char *text, size_t size)
{
    gk_report *fast = NULL;
    if (!gk_fastparse_report(text, size, &fast))
        return;
    gk_findings fs;
    gk_findings_init(&fs);
    gk_error err;
    gk_report *gen = gk_report_parse_general(text, size, &fs, &err);
    if (!gen || fs.n != 0 || !gk_report_equal(fast, gen))
        abort();
    gk_report_free(gen);
    gk_report_free(fast);
    gk_findings_free(&fs);
}

typedef struct scan_check {
    const char *text;
    size_t len, last_end;
} scan_check;

/* Matches are in bounds, in order, never overlapping, whole characters and
 * names of the registry. */
static bool check_match(const gk_name_match *m, void *arg)
{
    scan_check *sc = arg;
    if (m->offset < sc->last_end || m->len == 0 || m->offset + m->len > sc->len ||
        !gk_utf8_valid(sc->text + m->offset, m->len))
        abort();
    sc->last_end = m->offset + m->len;
    return true;
}

static void check_passages(const char *a, const char *b)
{
    json_t *ps = gk_common_passages(a, b, 8, 3);
    if (!json_is_array(ps) || json_array_size(ps) > 3)
        abort();
    size_t i;
    json_t *p;
    json_array_foreach(ps, i, p)
        if (!json_is_string(p) || json_string_length(p) == 0)
            abort();
    json_decref(ps);
}

/* The passages in the report's own wording are whole characters of the
 * section they name, in bounds. */
static void check_original_passages(const gk_report *r, const char *norm_other)
{
    gk_narrative_src *src = gk_narrative_src_new(r, names);
    json_t *ps = gk_common_passages_original(src, norm_other, 8, 3);
    gk_narrative_src_free(src);
    if (!json_is_array(ps) || json_array_size(ps) > 3)
        abort();
    size_t i;
    json_t *p;
    json_array_foreach(ps, i, p) {
        const char *path = json_string_value(json_object_get(p, "path"));
        const char *text = json_string_value(json_object_get(p, "text"));
        if (path == NULL || text == NULL || text[0] == '\0' || !gk_utf8_valid(text, strlen(text)))
            abort();
        bool inside = false;
        for (int s = 0; s < GK_NARR_COUNT; s++)
            if (r->narrative[s] && strncmp(path, "narrative.", 10) == 0 &&
                strcmp(path + 10, gk_narrative_keys[s]) == 0 && strstr(r->narrative[s], text) != NULL)
                inside = true;
        if (!inside)
            abort();
    }
    json_decref(ps);
}

/* The narrative code on a report's prose. */
static void narrative(const gk_report *r)
{
    gk_findings fs;
    gk_findings_init(&fs);
    gk_rules_foreign_entity(r, names, &fs);
    for (size_t i = 0; i < fs.n; i++)
        if (strcmp(fs.items[i].code, "narrative.foreign_entity") || !fs.items[i].message[0])
            abort();
    gk_findings_free(&fs);
    for (int s = 0; s < GK_NARR_COUNT; s++)
        if (r->narrative[s]) {
            scan_check sc = {r->narrative[s], strlen(r->narrative[s]), 0};
            gk_names_scan(names, r->narrative[s], check_match, &sc);
        }

    gk_shingles sa = {0}, sb = {0};
    gk_narrative_shingles(r, names, NULL, NULL, &sa);
    for (size_t i = 1; i < sa.n; i++)
        if (sa.h[i - 1] >= sa.h[i]) /* sorted, distinct */
            abort();
    gk_report *o = gk_report_new(r->format, r->year, "350481100");
    o->narrative[GK_NARR_OVERVIEW] = strdup(other_prose);
    gk_narrative_shingles(o, names, NULL, NULL, &sb);
    double j = gk_shingles_jaccard(&sa, &sb);
    uint64_t ma[GK_MINHASH_N], mb[GK_MINHASH_N], bands[GK_LSH_BANDS];
    gk_minhash(&sa, ma);
    gk_minhash(&sb, mb);
    gk_lsh_bands(ma, bands);
    double m = gk_minhash_similarity(ma, mb), self = gk_minhash_similarity(ma, ma);
    if (j < 0 || j > 1 || m < 0 || m > 1 || self != (sa.n ? 1.0 : 0.0))
        abort();
    if (gk_shingles_jaccard(&sa, &sa) != (sa.n ? 1.0 : 0.0))
        abort();

    char *na = gk_narrative_normalise(r, names), *nb = gk_narrative_normalise(o, names);
    if (!gk_utf8_valid(na, strlen(na)))
        abort();
    check_passages(na, nb);
    check_passages(nb, na);
    check_passages(na, na);
    check_original_passages(r, nb);
    check_original_passages(r, na);
    free(na);
    free(nb);
    gk_shingles_free(&sa);
    gk_shingles_free(&sb);
    gk_report_free(o);
}

static void exact_loader(const char *data, size_t size)
{
    json_error_t e;
    json_t *j = gk_json_loadb_exact(data, size, JSON_DECODE_ANY, &e);
    if (j == NULL)
        return;
    char *out = gk_json_dumps_exact(j, JSON_ENCODE_ANY | JSON_COMPACT);
    if (out == NULL)
        abort();
    json_t *again = gk_json_loadb_exact(out, strlen(out), JSON_DECODE_ANY, &e);
    if (again == NULL)
        abort();
    char *out2 = gk_json_dumps_exact(again, JSON_ENCODE_ANY | JSON_COMPACT);
    if (out2 == NULL || strcmp(out, out2) != 0)
        abort();
    free(out2);
    json_decref(again);
    free(out);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fast_path_agrees((const char *)data, size);
    exact_loader((const char *)data, size);
    gk_findings fs;
    gk_findings_init(&fs);
    gk_error err;
    gk_report *r = gk_judge_text((const char *)data, size, NULL, &fs, &err);
    if (r) {
        json_t *fj = gk_findings_to_json(&fs);
        json_decref(fj);
        char *text = gk_report_dump(r, false);
        gk_report *again = gk_report_parse(text, strlen(text), NULL, &err);
        if (!again || !gk_report_equal(r, again))
            abort();
        gk_rules_history(again, r, &fs);
        gk_rollup *ru = gk_rollup_new(r->format);
        if (gk_rollup_add(ru, r, 1) == 0 && gk_rollup_add(ru, again, -1) == 0 && ru->n_reports != 0)
            abort();
        json_t *rj = gk_rollup_to_json(ru);
        free(gk_json_dumps_exact(rj, JSON_COMPACT));
        json_decref(rj);
        gk_rollup_free(ru);
        gk_report_free(again);
        free(text);
        narrative(r);
        gk_report_free(r);
    } else if (size > 0 && !memchr(data, '\0', size) && gk_utf8_valid((const char *)data, size)) {
        /* not a report: the bytes themselves as prose (what jansson hands on
         * is valid UTF-8 without NUL), for an entity picked by the first byte */
        gk_report *p = gk_report_new(gk_format_at(0), 2020, entities[data[0] % (sizeof entities / sizeof *entities)]);
        char *prose = malloc(size + 1);
        memcpy(prose, data, size);
        prose[size] = '\0';
        p->narrative[data[0] % GK_NARR_COUNT] = prose;
        narrative(p);
        gk_report_free(p);
    }
    gk_findings_free(&fs);
    return 0;
}
