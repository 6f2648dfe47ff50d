/* bench_check.c — the offline judgement's speed against its floor.
 *
 * Judges N generated reports (complete, consistent, realistic size: the
 * sample's prose and every cell) in one thread and prints reports/s next to
 * the baseline of merely parsing the same texts with jansson and freeing
 * them, which no checker can beat.  Usage: bench_check [N] [sample.json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "gongkai/rules.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    const char *sample = argc > 2 ? argv[2] : "tests/data/sample-350481101-2020.json";
    char *base = slurp(sample);
    if (!base || n <= 0) {
        fprintf(stderr, "usage: bench_check [N] [sample.json]\n");
        return 2;
    }
    /* N distinct texts: the sample with the numbers of its first table varied
     * per report (the others keep their sums right, as most reports do) */
    gk_error err;
    gk_report *proto = gk_report_parse(base, strlen(base), NULL, &err);
    if (!proto) {
        fprintf(stderr, "%s: %s\n", sample, err.message);
        return 2;
    }
    char **texts = calloc((size_t)n, sizeof *texts);
    size_t bytes = 0;
    unsigned seed = 7;
    for (int i = 0; i < n; i++) {
        const gk_table *t0 = &proto->format->tables[0];
        for (size_t c = t0->first_cell; c < t0->first_cell + t0->n_cells; c++)
            if (proto->cells[c].state == GK_CELL_NUMBER)
                proto->cells[c].value = rand_r(&seed) % 50;
        texts[i] = gk_report_dump(proto, false);
        bytes += strlen(texts[i]);
    }
    gk_report_free(proto);

    double t0 = now();
    for (int i = 0; i < n; i++) {
        json_t *j = json_loads(texts[i], JSON_REJECT_DUPLICATES, NULL);
        json_decref(j);
    }
    double t_parse = now() - t0;

    size_t findings = 0;
    t0 = now();
    for (int i = 0; i < n; i++) {
        gk_findings fs;
        gk_findings_init(&fs);
        gk_report *r = gk_judge_text(texts[i], strlen(texts[i]), NULL, &fs, &err);
        findings += fs.n;
        gk_report_free(r);
        gk_findings_free(&fs);
    }
    double t_check = now() - t0;

    printf("# offline check, one thread, %d reports of %.1f KB average (%zu findings)\n", n,
           (double)bytes / n / 1024.0, findings);
    printf("%-34s %12s %10s\n", "measure", "reports/s", "ratio");
    printf("%-34s %12.0f %10s\n", "baseline: jansson parse + free", n / t_parse, "1.00");
    printf("%-34s %12.0f %10.2f\n", "gongkai judge (parse+model+rules)", n / t_check,
           (n / t_check) / (n / t_parse));
    printf("target: >= 10000 reports/s per core: %s\n", n / t_check >= 10000 ? "met" : "MISSED");
    for (int i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    free(base);
    return 0;
}
