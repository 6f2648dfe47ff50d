/* print_findings.c — aligned finding lists for people (see print_findings.h). */
#include "print_findings.h"
#include "gongkai/textutil.h"

const char *gk_severity_label(gk_severity sev)
{
    switch (sev) {
    case GK_SEV_ERROR:
        return "错误";
    case GK_SEV_WARNING:
        return "警告";
    default:
        return "提示";
    }
}

void gk_print_findings(FILE *out, const char *heading, const gk_findings *fs)
{
    size_t wcode = 0, wpath = 0;
    for (size_t i = 0; i < fs->n; i++) {
        size_t a = gk_text_width(fs->items[i].code), b = gk_text_width(fs->items[i].path);
        wcode = a > wcode ? a : wcode;
        wpath = b > wpath ? b : wpath;
    }
    fprintf(out, "%s\n", heading);
    for (size_t i = 0; i < fs->n; i++) {
        const gk_finding *f = &fs->items[i];
        fputs("  ", out);
        gk_fput_padded(out, gk_severity_label(f->severity), 6);
        gk_fput_padded(out, f->code, wcode + 2);
        gk_fput_padded(out, f->path, wpath + 2);
        fprintf(out, "%s\n", f->message);
    }
    size_t e = gk_findings_count(fs, GK_SEV_ERROR), w = gk_findings_count(fs, GK_SEV_WARNING),
           n = gk_findings_count(fs, GK_SEV_INFO);
    if (fs->n == 0)
        fprintf(out, "  未发现问题\n");
    else
        fprintf(out, "  共 %zu 个错误，%zu 个警告，%zu 个提示\n", e, w, n);
}
