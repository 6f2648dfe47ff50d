/* print_findings.c — aligned finding lists for people (see print_findings.h). */
#include "print_findings.h"

#include <string.h>
#include "gongkai/report.h"
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

/* "narrative.problems" → 五、存在的主要问题及改进情况; NULL when not a section. */
static const char *section_label(const char *path)
{
    for (int s = 0; path != NULL && s < GK_NARR_COUNT; s++)
        if (strncmp(path, "narrative.", 10) == 0 && strcmp(path + 10, gk_narrative_keys[s]) == 0)
            return gk_narrative_labels[s];
    return NULL;
}

/* Under a narrative.similar finding, the shared passages as the report
 * wrote them, so the office can see what was copied without the JSON. */
static void print_passages(FILE *out, const gk_finding *f)
{
    const json_t *ps = json_object_get(f->detail, "passages");
    const json_t *paths = json_object_get(f->detail, "passage_paths");
    size_t i;
    const json_t *p;
    json_array_foreach(ps, i, p) {
        const char *label = section_label(json_string_value(json_array_get(paths, i)));
        fprintf(out, "        雷同段落%zu%s%s%s：%s\n", i + 1, label ? "（" : "", label ? label : "", label ? "）" : "",
                json_is_string(p) ? json_string_value(p) : "");
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
        if (f->detail != NULL && strcmp(f->code, "narrative.similar") == 0)
            print_passages(out, f);
    }
    size_t e = gk_findings_count(fs, GK_SEV_ERROR), w = gk_findings_count(fs, GK_SEV_WARNING),
           n = gk_findings_count(fs, GK_SEV_INFO);
    if (fs->n == 0)
        fprintf(out, "  未发现问题\n");
    else
        fprintf(out, "  共 %zu 个错误，%zu 个警告，%zu 个提示\n", e, w, n);
}

void gk_print_marks(FILE *out, const json_t *findings)
{
    size_t i;
    const json_t *f;
    json_array_foreach(findings, i, f) {
        const json_t *m = json_object_get(f, "mark");
        if (!json_is_object(m))
            continue;
        const char *label = json_string_value(json_object_get(m, "label")), *reason = json_string_value(json_object_get(m, "reason"));
        const char *code = json_string_value(json_object_get(f, "code")), *path = json_string_value(json_object_get(f, "path"));
        reason = reason ? reason : "";
        fprintf(out, "  审核：%s %s %s%s%s%s\n", label ? label : "?", code ? code : "?", path ? path : "",
                reason[0] ? "（理由：" : "", reason, reason[0] ? "）" : "");
    }
}
