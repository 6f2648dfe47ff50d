/* bench_render.c — `gongkai render` on typical reports: CPU time per
 * rendering as HTML and as Word (.docx), next to `gongkai import` of the same
 * report as HTML (the baseline, measured in the same run).  Target (issue 15
 * item 8): render <= 20 ms.  Each rendering is the whole work of the command
 * after reading the file: layout from the registry, then the writer (for
 * DOCX including the zip).  Usage: bench_render N REPORT.json... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "import.h"
#include "render.h"

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

static char *render(const gk_report *r, int docx, size_t *len)
{
    gk_rdoc *d = gk_render_report(r, "永安市贡川镇");
    char why[320];
    char *out = docx ? gk_rdoc_docx(d, len, why, sizeof why) : gk_rdoc_html(d, len);
    gk_rdoc_free(d);
    return out;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_render N REPORT.json...\n");
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    if (n < 1 || n > 100000)
        n = 100;
    for (int a = 2; a < argc; a++) {
        size_t len;
        char *text = slurp(argv[a], &len);
        gk_error err;
        gk_report *r = text ? gk_report_parse(text, len, NULL, &err) : NULL;
        free(text);
        if (!r) {
            fprintf(stderr, "bench_render: %s is not a report\n", argv[a]);
            return 1;
        }
        size_t hlen = 0, dlen = 0;
        char *html = render(r, 0, &hlen);
        free(render(r, 1, &dlen));
        gk_import_options opt = {.entity = r->entity};
        double t0 = cpu();
        int status = 0;
        for (long i = 0; i < n; i++) {
            gk_import_result res;
            status = gk_import_html(html, hlen, &opt, &res);
            gk_import_result_free(&res);
        }
        double base = (cpu() - t0) * 1000.0 / (double)n;
        double ms[2];
        for (int docx = 0; docx < 2; docx++) {
            t0 = cpu();
            for (long i = 0; i < n; i++) {
                size_t l;
                free(render(r, docx, &l));
            }
            ms[docx] = (cpu() - t0) * 1000.0 / (double)n;
        }
        printf("%s\n", argv[a]);
        printf("  import of its HTML (baseline) %8.3f ms CPU  (status %d, %zu bytes)\n", base,
               status, hlen);
        printf("  render --html                 %8.3f ms CPU  %5.2fx the baseline\n", ms[0],
               base > 0 ? ms[0] / base : 0.0);
        printf("  render --docx                 %8.3f ms CPU  %5.2fx the baseline  (%zu bytes)\n",
               ms[1], base > 0 ? ms[1] / base : 0.0, dlen);
        free(html);
        gk_report_free(r);
    }
    return 0;
}
