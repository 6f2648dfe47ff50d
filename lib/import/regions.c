/* regions.c — the region registry (统计用区划代码) for naming the entity.
 *
 * The report's title names its author ("永安市贡川镇人民政府").  With a region
 * list we look for region names in the title; a name shared by several
 * regions (there are many 城关镇) is settled only by its ancestors' names also
 * appearing ("永安市"), never by preference.  When nothing settles it, the
 * caller must say --entity. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "imp.h"

void gk_region_list_init(gk_region_list *rl)
{
    memset(rl, 0, sizeof *rl);
}

void gk_region_list_free(gk_region_list *rl)
{
    for (size_t i = 0; i < rl->n; i++) {
        free(rl->items[i].code);
        free(rl->items[i].name);
        free(rl->items[i].parent);
    }
    free(rl->items);
    gk_region_list_init(rl);
}

static void region_add(gk_region_list *rl, const char *code, size_t code_len, const char *name,
                       size_t name_len, const char *parent, size_t parent_len)
{
    if (rl->n == rl->cap) {
        rl->cap = rl->cap ? rl->cap * 2 : 256;
        rl->items = gk_imp_xrealloc(rl->items, rl->cap * sizeof *rl->items);
    }
    gk_region *g = &rl->items[rl->n++];
    g->code = gk_imp_xstrndup(code, code_len);
    g->name = gk_imp_xstrndup(name, name_len);
    g->parent = gk_imp_xstrndup(parent, parent_len);
}

static bool all_digits(const char *s, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* One CSV field without surrounding blanks and quotes. */
static void field(const char **s, size_t *n)
{
    while (*n && ((*s)[0] == ' ' || (*s)[0] == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
        (*n)--;
    if (*n >= 2 && (*s)[0] == '"' && (*s)[*n - 1] == '"')
        (*s)++, *n -= 2;
}

static int load_csv(gk_region_list *rl, const char *data, size_t len, char *why, size_t why_len)
{
    size_t lineno = 0;
    for (size_t i = 0; i < len;) {
        const char *line = data + i;
        const char *e = memchr(line, '\n', len - i);
        size_t n = e ? (size_t)(e - line) : len - i;
        i += n + 1;
        lineno++;
        const char *f[3] = {0};
        size_t fl[3] = {0};
        size_t k = 0, start = 0;
        for (size_t j = 0; j <= n && k < 3; j++)
            if (j == n || line[j] == ',') {
                f[k] = line + start;
                fl[k] = j - start;
                field(&f[k], &fl[k]);
                k++;
                start = j + 1;
            }
        if (k == 1 && fl[0] == 0)
            continue;   /* blank line */
        if (k < 2 || !all_digits(f[0], fl[0])) {
            if (lineno == 1)
                continue;   /* header */
            snprintf(why, why_len, "地区列表第 %zu 行不是“代码,名称,上级代码”", lineno);
            return -1;
        }
        region_add(rl, f[0], fl[0], f[1], fl[1], k > 2 ? f[2] : "", k > 2 ? fl[2] : 0);
    }
    return 0;
}

static int load_json_nodes(gk_region_list *rl, json_t *arr, const char *parent, int depth)
{
    if (!json_is_array(arr) || depth > 8)
        return -1;
    size_t i;
    json_t *node;
    json_array_foreach(arr, i, node) {
        const char *code = json_string_value(json_object_get(node, "code"));
        const char *name = json_string_value(json_object_get(node, "name"));
        if (!code || !name)
            return -1;
        region_add(rl, code, strlen(code), name, strlen(name), parent, strlen(parent));
        json_t *children = json_object_get(node, "children");
        if (children && load_json_nodes(rl, children, code, depth + 1) != 0)
            return -1;
    }
    return 0;
}

int gk_region_list_load(gk_region_list *rl, const char *data, size_t len, char *why,
                        size_t why_len)
{
    size_t i = 0;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    if (i < len && (data[i] == '[' || data[i] == '{')) {
        json_error_t err;
        json_t *root = json_loadb(data + i, len - i, 0, &err);
        if (!root) {
            snprintf(why, why_len, "地区列表不是有效的 JSON（第 %d 行：%s）", err.line, err.text);
            return -1;
        }
        int rc = load_json_nodes(rl, root, "", 0);
        json_decref(root);
        if (rc != 0)
            snprintf(why, why_len, "地区列表 JSON 应为 [{code, name, children}] 的嵌套数组");
        return rc;
    }
    return load_csv(rl, data + i, len - i, why, why_len);
}

static const gk_region *find_code(const gk_region_list *rl, const char *code)
{
    for (size_t i = 0; i < rl->n; i++)
        if (!strcmp(rl->items[i].code, code))
            return &rl->items[i];
    return NULL;
}

static bool is_ancestor(const gk_region_list *rl, const gk_region *a, const gk_region *b)
{
    /* Is a an ancestor of b?  Bounded: codes have at most a few levels. */
    const gk_region *p = b;
    for (int d = 0; d < 8 && p && p->parent[0]; d++) {
        p = find_code(rl, p->parent);
        if (p == a)
            return true;
    }
    return false;
}

static int ancestors_named(const gk_region_list *rl, const gk_region *g, const char *text)
{
    int k = 0;
    const gk_region *p = g;
    for (int d = 0; d < 8 && p && p->parent[0]; d++) {
        p = find_code(rl, p->parent);
        if (p && p->name[0] && strstr(text, p->name))
            k++;
    }
    return k;
}

int gk_imp_region_match(const gk_region_list *rl, const char *text, char *out, size_t out_len,
                        char *why, size_t why_len)
{
    const gk_region **cand = NULL;
    size_t nc = 0;
    int rc = -1;
    for (size_t i = 0; i < rl->n; i++) {
        const gk_region *g = &rl->items[i];
        /* One-character names would match anywhere. */
        if (strlen(g->name) >= 4 && strstr(text, g->name)) {
            cand = gk_imp_xrealloc(cand, (nc + 1) * sizeof *cand);
            cand[nc++] = g;
        }
    }
    /* Keep the deepest: drop a candidate that is an ancestor of another. */
    size_t k = 0;
    for (size_t i = 0; i < nc; i++) {
        bool anc = false;
        for (size_t j = 0; j < nc && !anc; j++)
            anc = i != j && is_ancestor(rl, cand[i], cand[j]);
        if (!anc)
            cand[k++] = cand[i];
    }
    nc = k;
    if (nc > 1) {
        int best = -1;
        size_t nbest = 0;
        for (size_t i = 0; i < nc; i++) {
            int s = ancestors_named(rl, cand[i], text);
            if (s > best)
                best = s, nbest = 0;
            if (s == best)
                cand[nbest++] = cand[i];
        }
        nc = nbest;
    }
    if (nc == 1) {
        snprintf(out, out_len, "%s", cand[0]->code);
        rc = 0;
    } else if (nc > 1) {
        size_t o = 0;
        o += (size_t)snprintf(why, why_len, "标题中的地区名称不唯一：");
        for (size_t i = 0; i < nc && i < 5 && o < why_len; i++)
            o += (size_t)snprintf(why + o, why_len - o, "%s%s（%s）", i ? "、" : "", cand[i]->name,
                                  cand[i]->code);
        rc = -2;
    }
    free(cand);
    return rc;
}
