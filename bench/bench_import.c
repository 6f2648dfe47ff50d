/* bench_import.c — `gongkai import`'s readers side by side on the same
 * report: CPU time per import of each file, and its ratio to the first file
 * (the baseline: the same report as HTML).  Targets: a typical report as
 * DOCX or XLSX in <= 20 ms (issue 15), a typical 4-page report as PDF in
 * <= 100 ms (issue 19); each file of those kinds gets a verdict against its
 * target.  Usage: bench_import N BASE.html FILE...  (imports with --entity
 * 350481101, so no region lookup is measured). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "import.h"

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return s;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_import N BASE FILE...\n");
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    if (n < 1 || n > 100000)
        n = 100;
    gk_import_options opt = {.entity = "350481101"};
    double base = 0;
    for (int a = 2; a < argc; a++) {
        size_t len;
        char *data = slurp(argv[a], &len);
        if (!data) {
            fprintf(stderr, "bench_import: cannot read %s\n", argv[a]);
            return 1;
        }
        double t0 = cpu();
        int status = 0;
        for (long i = 0; i < n; i++) {
            gk_import_result res;
            status = gk_import_auto(data, len, &opt, &res);
            gk_import_result_free(&res);
        }
        double ms = (cpu() - t0) * 1000.0 / (double)n;
        if (a == 2)
            base = ms;
        /* the target of the file's kind, by its content as the importer sees it */
        double target = len > 5 && !memcmp(data, "%PDF-", 5) ? 100.0
                        : len > 2 && !memcmp(data, "PK", 2)  ? 20.0
                                                             : 0.0;
        char verdict[48] = "";
        if (a > 2 && target > 0)
            snprintf(verdict, sizeof verdict, "  target <= %.0f ms: %s", target,
                     ms <= target ? "met" : "NOT MET");
        printf("%-60s %8.3f ms CPU/import  %5.2fx the baseline  (status %d, %zu bytes)%s\n",
               argv[a], ms, base > 0 ? ms / base : 0.0, status, len, verdict);
        free(data);
    }
    return 0;
}
