/* pdf_proof.c — the PDF reader's proof (issue 19 item 2): reports rendered
 * to HTML, printed to PDF by a real office suite or browser, and imported
 * back must give exactly the report they came from.
 *
 * Why two steps with files in between: the printing is done by programs
 * that are not ours (LibreOffice headless, Chromium --print-to-pdf), in
 * batches, by pdf_proof.sh.  So this program only writes the pairs and
 * checks them, and any HTML renderer can stand in for ours: `check` needs
 * nothing but DIR/<id>.json (the report) and PDFDIR/<id>.pdf.
 *
 *   pdf_proof emit DIR N     the shared sample, every report under
 *                            tests/cases the parser accepts, and N random
 *                            reports per format (tests/render/randreport.c,
 *                            fixed seeds), each as <id>.json, <id>.html and
 *                            <id>.docx (lib/render's two writers)
 *   pdf_proof check DIR PDFDIR  imports every PDFDIR/<id>.pdf and compares
 *                            its canonical JSON with DIR/<id>.json; prints
 *                            each difference and the counts; exit 1 on any
 *
 * The compare is gk_report_dump(…, true) byte for byte: 0, null and absent
 * are three different things in it, amounts are exact decimals. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "import.h"
#include "randreport.h"
#include "render.h"
#include "testutil.h"

#define NAME "永安市贡川镇"

/* The whole file, NUL-terminated, or NULL (a PDF the printer did not make). */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len) {
        fprintf(stderr, "pdf_proof: cannot write %s\n", path);
        if (f)
            fclose(f);
        return -1;
    }
    return fclose(f);
}

/* Prose of blanks only prints as nothing and imports as "" (the renderer's
 * proof makes the same one normalisation, tests/render/test_render.c). */
static bool blank_text(const char *s)
{
    for (; *s; s++) {
        if (!strncmp(s, "\xE3\x80\x80", 3))
            s += 2;
        else if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    }
    return true;
}

static int emit_one(const char *dir, const char *id, gk_report *r, const char *name)
{
    for (int k = 0; k < GK_NARR_COUNT; k++)
        if (r->narrative[k] && blank_text(r->narrative[k]))
            r->narrative[k][0] = '\0';
    /* an invalid value is printed as given and reported back as unplaced:
     * the renderer's proof covers it; a PDF proof of exact equality leaves
     * those reports out */
    for (size_t i = 0; i < r->format->n_cells; i++)
        if (r->cells[i].state == GK_CELL_INVALID)
            return 0;
    gk_rdoc *d = gk_render_report(r, name);
    size_t len = 0, dlen = 0;
    char *html = gk_rdoc_html(d, &len);
    char err[256];
    char *docx = gk_rdoc_docx(d, &dlen, err, sizeof err);
    gk_rdoc_free(d);
    char *json = gk_report_dump(r, true);
    char path[4096];
    int rc = 0;
    snprintf(path, sizeof path, "%s/%s.html", dir, id);
    rc |= write_file(path, html, len);
    if (!docx) {
        fprintf(stderr, "pdf_proof: %s: no .docx: %s\n", id, err);
        rc = -1;
    } else {
        snprintf(path, sizeof path, "%s/%s.docx", dir, id);
        rc |= write_file(path, docx, dlen);
        free(docx);
    }
    snprintf(path, sizeof path, "%s/%s.json", dir, id);
    rc |= write_file(path, json, strlen(json));
    free(html);
    free(json);
    return rc ? -1 : 1;
}

static int emit_cases(const char *dir, const char *cases, size_t *n)
{
    DIR *top = opendir(cases);
    if (!top)
        return -1;
    struct dirent *e;
    while ((e = readdir(top))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[2048];
        snprintf(sub, sizeof sub, "%s/%s", cases, e->d_name);
        DIR *d = opendir(sub);
        if (!d)
            continue;
        struct dirent *f;
        while ((f = readdir(d))) {
            size_t l = strlen(f->d_name);
            if (l < 6 || strcmp(f->d_name + l - 5, ".json"))
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", sub, f->d_name);
            size_t len;
            char *text = read_all(path, &len);
            json_t *spec = text ? json_loads(text, 0, NULL) : NULL;
            free(text);
            const json_t *specs[2] = {spec, json_object_get(spec, "previous")};
            for (int i = 0; i < 2; i++) {
                if (!json_is_object(specs[i]))
                    continue;
                json_t *doc = tu_build_report(specs[i]);
                char *txt = json_dumps(doc, JSON_COMPACT | GK_JSON_REAL_FLAGS);
                json_decref(doc);
                gk_error err;
                gk_report *r = gk_report_parse(txt, strlen(txt), NULL, &err);
                free(txt);
                if (!r)
                    continue;
                char id[600];
                snprintf(id, sizeof id, "case-%s-%.*s%s", e->d_name, (int)(l - 5), f->d_name,
                         i ? "-previous" : "");
                for (char *p = id; *p; p++)
                    if (*p == '.')
                        *p = '_';
                int rc = emit_one(dir, id, r, NAME);
                gk_report_free(r);
                if (rc < 0) {
                    closedir(d);
                    closedir(top);
                    json_decref(spec);
                    return -1;
                }
                *n += (size_t)rc;
            }
            json_decref(spec);
        }
        closedir(d);
    }
    closedir(top);
    return 0;
}

static int emit(const char *dir, long n_random)
{
    size_t n = 0;
    size_t len;
    char *text = read_all(GK_TEST_DATA "/sample-350481101-2020.json", &len);
    gk_error err;
    gk_report *r = text ? gk_report_parse(text, len, NULL, &err) : NULL;
    free(text);
    if (!r || emit_one(dir, "sample", r, NAME) < 0)
        return 1;
    gk_report_free(r);
    n++;
    if (emit_cases(dir, GK_CASES_DIR, &n) < 0)
        return 1;
    static const char *const versions[] = {"2019", "2021"};
    for (size_t v = 0; v < 2; v++) {
        const gk_format *f = gk_format_find(versions[v]);
        uint64_t s = (uint64_t)strtoull(versions[v], NULL, 10);   /* fixed seed */
        for (long i = 0; i < n_random; i++) {
            r = tr_random_report(f, &s);
            char id[64];
            snprintf(id, sizeof id, "random-%s-%04ld", versions[v], i);
            int rc = emit_one(dir, id, r, i % 3 ? NAME : NULL);
            gk_report_free(r);
            if (rc < 0)
                return 1;
            n += (size_t)rc;
        }
    }
    printf("%zu reports written to %s\n", n, dir);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int check(const char *dir, const char *pdfdir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "pdf_proof: cannot open %s\n", dir);
        return 2;
    }
    char **ids = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 5 && !strcmp(e->d_name + l - 5, ".json")) {
            ids = realloc(ids, (n + 1) * sizeof *ids);
            ids[n++] = strndup(e->d_name, l - 5);
        }
    }
    closedir(d);
    if (n)
        qsort(ids, n, sizeof *ids, cmp_names);
    size_t ok = 0, bad = 0, per[3] = {0}, per_ok[3] = {0};
    for (size_t i = 0; i < n; i++) {
        int kind = !strncmp(ids[i], "random-2019", 11) ? 1 : !strncmp(ids[i], "random-2021", 11) ? 2 : 0;
        per[kind]++;
        char path[4096];
        size_t jl, pl;
        snprintf(path, sizeof path, "%s/%s.json", dir, ids[i]);
        char *want = read_all(path, &jl);
        snprintf(path, sizeof path, "%s/%s.pdf", pdfdir, ids[i]);
        char *pdf = read_all(path, &pl);
        const char *why = NULL;
        char detail[512] = "";
        gk_import_result res;
        gk_import_result_init(&res);
        if (!want || !pdf) {
            why = "no PDF";
        } else {
            gk_report *r = gk_report_parse(want, jl, NULL, &(gk_error){0});
            gk_import_options opt = {.entity = r ? r->entity : NULL};
            gk_import_auto(pdf, pl, &opt, &res);
            gk_report_free(r);
            if (!res.report) {
                why = "not imported";
                snprintf(detail, sizeof detail, "%s %s", res.error_code, res.error_message);
            } else {
                char *got = gk_report_dump(res.report, true);
                if (strcmp(got, want)) {
                    why = "differs";
                    const char *a = want, *b = got;
                    while (*a && *a == *b)
                        a++, b++;
                    snprintf(detail, sizeof detail, "want …%.90s | got …%.90s", a, b);
                } else if (res.status != GK_IMPORT_OK) {
                    why = "unplaced";
                }
                if (why && res.unplaced.n) {
                    char where[200];
                    gk_import_item_where(&res.unplaced.items[0], where, sizeof where);
                    size_t o = strlen(detail);
                    snprintf(detail + o, sizeof detail - o, " [%zu unplaced; first %s “%.60s” %.120s]",
                             res.unplaced.n, where, res.unplaced.items[0].text,
                             res.unplaced.items[0].reason);
                }
                free(got);
            }
        }
        for (char *c = detail; *c; c++)
            if (*c == '\n')
                *c = ' ';
        if (why) {
            bad++;
            printf("FAIL %s/%s.pdf: %s %s\n", pdfdir, ids[i], why, detail);
        } else {
            ok++;
            per_ok[kind]++;
        }
        gk_import_result_free(&res);
        free(want);
        free(pdf);
        free(ids[i]);
    }
    free(ids);
    printf("pdf_proof %s: %zu of %zu exact (sample and cases %zu/%zu, random 2019 %zu/%zu, "
           "random 2021 %zu/%zu)\n",
           pdfdir, ok, ok + bad, per_ok[0], per[0], per_ok[1], per[1], per_ok[2], per[2]);
    return bad || !n ? 1 : 0;
}

/* emit runs as a Check test: the tests/cases specs are built by
 * testutil.c, whose ck_assert calls need a running test. */
static const char *emit_dir;
static long emit_n;
static int emit_rc;

START_TEST(emit_all) { emit_rc = emit(emit_dir, emit_n); }
END_TEST

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "emit")) {
        emit_dir = argv[2];
        emit_n = strtol(argv[3], NULL, 10);
        Suite *su = suite_create("pdf_proof");
        TCase *tc = tcase_create("emit");
        tcase_set_timeout(tc, 600);
        tcase_add_test(tc, emit_all);
        suite_add_tcase(su, tc);
        SRunner *sr = srunner_create(su);
        srunner_set_fork_status(sr, CK_NOFORK);
        srunner_run_all(sr, CK_SILENT);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed || emit_rc ? 1 : 0;
    }
    if (argc == 4 && !strcmp(argv[1], "check"))
        return check(argv[2], argv[3]);
    fprintf(stderr, "usage: pdf_proof emit DIR N | pdf_proof check DIR PDFDIR\n");
    return 2;
}
