/* findings.c — the finding list: an append-only array of owned findings. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/findings.h"
#include "util.h"

void gk_findings_init(gk_findings *fs)
{
    fs->items = NULL;
    fs->n = fs->cap = 0;
}

void gk_findings_free(gk_findings *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        free(fs->items[i].code);
        free(fs->items[i].path);
        free(fs->items[i].message);
        json_decref(fs->items[i].detail);
    }
    free(fs->items);
    gk_findings_init(fs);
}

static void add_va(gk_findings *fs, const char *code, gk_severity sev, const char *path,
                   json_t *detail, const char *fmt, va_list ap)
{
    if (fs->n == fs->cap) {
        fs->cap = fs->cap ? fs->cap * 2 : 8;
        fs->items = gk_xrealloc(fs->items, fs->cap * sizeof *fs->items);
    }
    gk_finding *f = &fs->items[fs->n++];
    f->code = gk_xstrdup(code);
    f->severity = sev;
    f->path = gk_xstrdup(path ? path : "");
    f->message = gk_xvasprintf(fmt, ap);
    f->detail = detail;
}

void gk_findings_add(gk_findings *fs, const char *code, gk_severity sev, const char *path,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_va(fs, code, sev, path, NULL, fmt, ap);
    va_end(ap);
}

void gk_findings_add_detail(gk_findings *fs, const char *code, gk_severity sev,
                            const char *path, json_t *detail, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_va(fs, code, sev, path, detail, fmt, ap);
    va_end(ap);
}

size_t gk_findings_count(const gk_findings *fs, gk_severity sev)
{
    size_t n = 0;
    for (size_t i = 0; i < fs->n; i++)
        if (fs->items[i].severity == sev)
            n++;
    return n;
}

static const char *const severity_names[] = {"info", "warning", "error"};

const char *gk_severity_name(gk_severity sev)
{
    return (unsigned)sev < 3 ? severity_names[sev] : "error";
}

int gk_severity_parse(const char *name, gk_severity *out)
{
    for (int i = 0; i < 3; i++)
        if (name && !strcmp(name, severity_names[i])) {
            *out = (gk_severity)i;
            return 0;
        }
    return -1;
}

json_t *gk_findings_to_json(const gk_findings *fs)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < fs->n; i++) {
        const gk_finding *f = &fs->items[i];
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(f->code));
        json_object_set_new(o, "severity", json_string(gk_severity_name(f->severity)));
        json_object_set_new(o, "path", json_string(f->path));
        json_object_set_new(o, "message", json_string(f->message));
        if (f->detail)
            json_object_update_missing(o, f->detail);
        json_array_append_new(arr, o);
    }
    return arr;
}

int gk_findings_from_json(gk_findings *fs, const json_t *json)
{
    if (!json_is_array(json))
        return -1;
    size_t i;
    const json_t *o;
    json_array_foreach(json, i, o) {
        const char *code = json_string_value(json_object_get(o, "code"));
        const char *sev = json_string_value(json_object_get(o, "severity"));
        const char *path = json_string_value(json_object_get(o, "path"));
        const char *msg = json_string_value(json_object_get(o, "message"));
        gk_severity s;
        if (!code || !msg || gk_severity_parse(sev, &s) < 0)
            return -1;
        json_t *detail = json_deep_copy(o);
        json_object_del(detail, "code");
        json_object_del(detail, "severity");
        json_object_del(detail, "path");
        json_object_del(detail, "message");
        if (json_object_size(detail) == 0) {
            json_decref(detail);
            detail = NULL;
        }
        gk_findings_add_detail(fs, code, s, path, detail, "%s", msg);
    }
    return 0;
}
