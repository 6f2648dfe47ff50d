/* testutil.c — helpers shared by the unit tests (see testutil.h). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "gongkai/report.h"

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert(buf != NULL);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

void tu_json_set_path(json_t *root, const char *path, json_t *value)
{
    char *p = strdup(path), *save = NULL;
    json_t *cur = root;
    char *tok = strtok_r(p, ".", &save);
    while (tok) {
        char *next = strtok_r(NULL, ".", &save);
        if (!next) {
            json_object_set_new(cur, tok, value);
            break;
        }
        json_t *child = json_object_get(cur, tok);
        if (!json_is_object(child)) {
            child = json_object();
            json_object_set_new(cur, tok, child);
        }
        cur = child;
        tok = next;
    }
    free(p);
}

void tu_json_del_path(json_t *root, const char *path)
{
    char *p = strdup(path);
    char *dot = strrchr(p, '.');
    json_t *parent = root;
    const char *key = p;
    if (dot) {
        *dot = '\0';
        key = dot + 1;
        char *save = NULL;
        for (char *tok = strtok_r(p, ".", &save); tok && parent; tok = strtok_r(NULL, ".", &save))
            parent = json_object_get(parent, tok);
    }
    if (parent)
        json_object_del(parent, key);
    free(p);
}

json_t *tu_build_report(const json_t *spec)
{
    const json_t *base = json_object_get(spec, "base");
    const gk_format *f = gk_format_find(json_string_value(json_object_get(base, "format")));
    ck_assert(f != NULL);
    gk_report *r = gk_report_template(f, (int)json_integer_value(json_object_get(base, "year")),
                                      json_string_value(json_object_get(base, "entity")));
    json_t *doc = gk_report_to_json(r);
    gk_report_free(r);
    json_t *n = json_object_get(doc, "narrative");
    json_object_set_new(n, "overview", json_string("本镇认真贯彻落实《条例》，推进政务公开。"));
    json_object_set_new(n, "problems", json_string("公开内容还不够丰富，下一步加强培训。"));
    json_object_set_new(n, "other", json_string("无其他需要报告的事项。"));
    const char *path;
    json_t *v;
    json_object_foreach(json_object_get(spec, "set"), path, v)
        tu_json_set_path(doc, path, json_incref(v));
    size_t i;
    json_array_foreach(json_object_get(spec, "delete"), i, v)
        tu_json_del_path(doc, json_string_value(v));
    return doc;
}

size_t tu_count(const gk_findings *fs, const char *code, const char *path)
{
    size_t n = 0;
    for (size_t i = 0; i < fs->n; i++)
        if (!strcmp(fs->items[i].code, code) && (!path || !strcmp(fs->items[i].path, path)))
            n++;
    return n;
}

char *tu_findings_text(const gk_findings *fs)
{
    size_t cap = 64 + fs->n * 128, len = 0;
    char *s = malloc(cap);
    s[0] = '\0';
    for (size_t i = 0; i < fs->n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s@%s; ", fs->items[i].code,
                                fs->items[i].path);
    return s;
}
