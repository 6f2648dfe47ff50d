/* gen_reports.c — writes random valid reports (randreport.c) as canonical
 * JSON files, deterministically from a seed, for the tests that need them
 * as files: the LibreOffice checks (lo_render.sh) and the benchmark.
 * usage: gen_reports SEED COUNT FORMAT OUTDIR   → OUTDIR/FORMAT-NNN.json */
#include <stdio.h>
#include <stdlib.h>
#include "randreport.h"

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: gen_reports SEED COUNT FORMAT OUTDIR\n");
        return 2;
    }
    uint64_t s = strtoull(argv[1], NULL, 10) | 1;
    int n = atoi(argv[2]);
    const gk_format *f = gk_format_find(argv[3]);
    if (!f || n < 0) {
        fprintf(stderr, "gen_reports: unknown format %s\n", argv[3]);
        return 2;
    }
    for (int i = 0; i < n; i++) {
        gk_report *r = tr_random_report(f, &s);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s-%03d.json", argv[4], argv[3], i);
        char *json = gk_report_dump(r, true);
        FILE *out = fopen(path, "w");
        if (!out || fputs(json, out) < 0 || fclose(out) != 0) {
            perror(path);
            return 1;
        }
        free(json);
        gk_report_free(r);
    }
    return 0;
}
