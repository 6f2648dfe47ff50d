/* bench_similarity.c — the measurements behind narrative.similar's threshold
 * (docs/rules.md): exact Jaccard and MinHash estimate for the sample against
 * a name-swapped copy, partial copies, and independently written reports.
 * Usage: bench_similarity REGIONS.csv SAMPLE.json NARRATIVE.json... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "gongkai/narrative.h"

static gk_names *load_names(const char *csv)
{
    gk_names *names = gk_names_new();
    FILE *f = fopen(csv, "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        char *code = strtok(line, ","), *name = strtok(NULL, ",\n");
        if (code && name && strlen(code) == 9)
            gk_names_add(names, code, name);
    }
    if (f)
        fclose(f);
    return names;
}

static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t lf = strlen(from), lt = strlen(to), n = 0;
    for (const char *p = strstr(s, from); p; p = strstr(p + lf, from))
        n++;
    char *out = malloc(strlen(s) + n * lt + 1), *w = out;
    for (const char *p = s;;) {
        const char *q = strstr(p, from);
        if (!q) {
            strcpy(w, p);
            return out;
        }
        memcpy(w, p, (size_t)(q - p));
        w += q - p;
        memcpy(w, to, lt);
        w += lt;
        p = q + lf;
    }
}

static gk_report *load(const char *path)
{
    json_t *j = json_load_file(path, 0, NULL);
    if (!j)
        return NULL;
    gk_report *r = NULL;
    if (json_object_get(j, "format")) {
        r = gk_report_from_json(j, NULL, NULL);
    } else {
        r = gk_report_new(gk_format_find("2019"), 2020,
                          json_string_value(json_object_get(j, "entity")));
        for (int s = 0; s < GK_NARR_COUNT; s++) {
            const char *t = json_string_value(json_object_get(j, gk_narrative_keys[s]));
            r->narrative[s] = t ? strdup(t) : NULL;
        }
    }
    json_decref(j);
    return r;
}

/* Keeps the first `keep` of every 10 lines of each section, the rest replaced
 * by the text of `other`: a partial copy. */
static gk_report *partial_copy(const gk_report *a, const gk_report *other, int keep)
{
    gk_report *r = gk_report_new(a->format, a->year, "350481199");
    for (int s = 0; s < GK_NARR_COUNT; s++) {
        const char *src = a->narrative[s] ? a->narrative[s] : "";
        const char *alt = other->narrative[s] ? other->narrative[s] : "";
        size_t n = strlen(src), cut = n * (size_t)keep / 10;
        while (cut < n && ((unsigned char)src[cut] & 0xC0) == 0x80)
            cut++;
        r->narrative[s] = malloc(cut + strlen(alt) + 1);
        memcpy(r->narrative[s], src, cut);
        strcpy(r->narrative[s] + cut, alt);
    }
    return r;
}

static void compare(const char *label, const gk_report *a, const gk_report *b, const gk_names *names)
{
    gk_shingles sa = {0}, sb = {0};
    gk_narrative_shingles(a, names, NULL, NULL, &sa);
    gk_narrative_shingles(b, names, NULL, NULL, &sb);
    uint64_t ma[GK_MINHASH_N], mb[GK_MINHASH_N], ba[GK_LSH_BANDS], bb[GK_LSH_BANDS];
    gk_minhash(&sa, ma);
    gk_minhash(&sb, mb);
    gk_lsh_bands(ma, ba);
    gk_lsh_bands(mb, bb);
    int shared = 0;
    for (int k = 0; k < GK_LSH_BANDS; k++)
        shared += ba[k] == bb[k];
    double est = gk_minhash_similarity(ma, mb);
    printf("%-44s %8zu %8zu %8.3f %8.3f %6d  %s\n", label, sa.n, sb.n, gk_shingles_jaccard(&sa, &sb),
           est, shared, est >= GK_SIMILAR_THRESHOLD ? "similar" : "-");
    gk_shingles_free(&sa);
    gk_shingles_free(&sb);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_similarity REGIONS.csv SAMPLE.json NARRATIVE.json...\n");
        return 2;
    }
    gk_names *names = load_names(argv[1]);
    gk_report *sample = load(argv[2]);
    if (!sample)
        return 2;
    gk_report *swapped = gk_report_new(sample->format, sample->year, "350481100");
    for (int s = 0; s < GK_NARR_COUNT; s++)
        swapped->narrative[s] = replace_all(sample->narrative[s], "贡川镇", "西洋镇");
    printf("# narrative.similar: threshold %.2f on the MinHash estimate, %d-character shingles\n",
           GK_SIMILAR_THRESHOLD, GK_SHINGLE_CHARS);
    printf("%-44s %8s %8s %8s %8s %6s\n", "pair", "shingA", "shingB", "jaccard", "minhash", "bands");
    compare("sample vs itself with 贡川镇→西洋镇", sample, swapped, names);
    gk_report *others[16];
    int n = 0;
    for (int i = 3; i < argc && n < 16; i++)
        if ((others[n] = load(argv[i])))
            n++;
    for (int keep = 8; keep >= 2 && n > 0; keep -= 2) {
        gk_report *p = partial_copy(sample, others[0], keep);
        char label[96];
        snprintf(label, sizeof label, "sample vs %d0%% copy + own text", keep);
        compare(label, sample, p, names);
        gk_report_free(p);
    }
    for (int i = 0; i < n; i++) {
        char label[96];
        snprintf(label, sizeof label, "sample vs independent report %d", i + 1);
        compare(label, sample, others[i], names);
        for (int k = i + 1; k < n; k++) {
            snprintf(label, sizeof label, "independent %d vs independent %d", i + 1, k + 1);
            compare(label, others[i], others[k], names);
        }
    }
    /* cost of one signature, the part done at submission */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 1000; i++) {
        gk_shingles s = {0};
        uint64_t sig[GK_MINHASH_N];
        gk_narrative_shingles(sample, names, NULL, NULL, &s);
        gk_minhash(&s, sig);
        gk_shingles_free(&s);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("signature of the sample (shingles + minhash): %.0f µs\n",
           ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / 1000);
    for (int i = 0; i < n; i++)
        gk_report_free(others[i]);
    gk_report_free(sample);
    gk_report_free(swapped);
    gk_names_free(names);
    return 0;
}
