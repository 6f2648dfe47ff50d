/* labels.c — the format registry's labels, normalised for lookup.
 *
 * A row of the document is identified by its label cells, a column by its
 * header cell, each compared after the same normalisation (normalize.c) with
 * the labels the registry prints (format.h).  A row label in the registry may
 * be several printed parts ("（三）不予公开 1.属于国家秘密"): the document
 * may give only the last part in the row's own cell (the group sits in a
 * spanning cell), all parts in several cells, or all in one cell.  So every
 * row has three keys — last part, parts joined, and joined with numbering
 * removed anywhere — and a key two rows share is never used. */
#include <stdlib.h>
#include <string.h>
#include "imp.h"
#include "gongkai/format.h"

typedef struct entry {
    char *key;
    int index;   /* row or column; -2 when two rows share the key */
    int level;   /* which key: 0 last part, 1 joined, 2 loose, 3 short label */
} entry;

typedef struct tlabels {
    entry *rows;
    size_t n_rows;
    entry *cols;
    size_t n_cols;
    char **furniture;
    size_t n_furniture;
} tlabels;

struct gk_imp_labels {
    const gk_format *f;
    tlabels *t;
};

/* Printed words of table furniture the registry does not list. */
static const char *const extra_furniture[] = {"信息内容", "申请人情况", "项目", "内容", NULL};

static void add_entry(entry **arr, size_t *n, char *key, int index, int level)
{
    if (!key[0]) {
        free(key);
        return;
    }
    for (size_t i = 0; i < *n; i++)
        if ((*arr)[i].level == level && !strcmp((*arr)[i].key, key)) {
            if ((*arr)[i].index != index)
                (*arr)[i].index = -2;
            free(key);
            return;
        }
    *arr = gk_imp_xrealloc(*arr, (*n + 1) * sizeof **arr);
    (*arr)[(*n)++] = (entry){key, index, level};
}

static void add_furniture(tlabels *tl, char *key)
{
    if (!key[0]) {
        free(key);
        return;
    }
    for (size_t i = 0; i < tl->n_furniture; i++)
        if (!strcmp(tl->furniture[i], key)) {
            free(key);
            return;
        }
    tl->furniture = gk_imp_xrealloc(tl->furniture, (tl->n_furniture + 1) * sizeof *tl->furniture);
    tl->furniture[tl->n_furniture++] = key;
}

/* Splits a printed label into its parts: at blanks and at colons. */
static size_t label_parts(const char *label, char ***out)
{
    char *b = gk_imp_norm_basic(label);
    size_t n = 0;
    char **parts = NULL;
    char *save = NULL;
    for (char *tok = strtok_r(b, " :", &save); tok; tok = strtok_r(NULL, " :", &save)) {
        parts = gk_imp_xrealloc(parts, (n + 1) * sizeof *parts);
        parts[n++] = gk_imp_xstrdup(tok);
    }
    free(b);
    *out = parts;
    return n;
}

static char *joined_key(char **parts, size_t n)
{
    size_t cap = 1;
    char **norm = gk_imp_xmalloc((n ? n : 1) * sizeof *norm);
    for (size_t i = 0; i < n; i++) {
        norm[i] = gk_imp_norm_label(parts[i]);
        cap += strlen(norm[i]);
    }
    char *k = gk_imp_xmalloc(cap);
    k[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        strcat(k, norm[i]);
        free(norm[i]);
    }
    free(norm);
    return k;
}

gk_imp_labels *gk_imp_labels_new(const gk_format *f)
{
    gk_imp_labels *lb = gk_imp_xmalloc(sizeof *lb);
    lb->f = f;
    lb->t = calloc(f->n_tables ? f->n_tables : 1, sizeof *lb->t);
    if (!lb->t)
        abort();
    json_t *src_tables = f->source ? json_object_get(f->source, "tables") : NULL;
    for (size_t t = 0; t < f->n_tables; t++) {
        const gk_table *tab = &f->tables[t];
        tlabels *tl = &lb->t[t];
        for (size_t r = 0; r < tab->n_rows; r++) {
            char **parts;
            size_t np = label_parts(tab->rows[r].label, &parts);
            if (np) {
                add_entry(&tl->rows, &tl->n_rows, gk_imp_norm_label(parts[np - 1]), (int)r, 0);
                add_entry(&tl->rows, &tl->n_rows, joined_key(parts, np), (int)r, 1);
                for (size_t i = 0; i + 1 < np; i++)
                    add_furniture(tl, gk_imp_norm_label(parts[i]));
            }
            add_entry(&tl->rows, &tl->n_rows, gk_imp_norm_loose(tab->rows[r].label), (int)r, 2);
            if (tab->rows[r].short_label)
                add_entry(&tl->rows, &tl->n_rows, gk_imp_norm_label(tab->rows[r].short_label),
                          (int)r, 3);
            for (size_t i = 0; i < np; i++)
                free(parts[i]);
            free(parts);
        }
        for (size_t c = 0; c < tab->n_columns; c++) {
            add_entry(&tl->cols, &tl->n_cols, gk_imp_norm_label(tab->columns[c].label), (int)c, 0);
            json_t *jt = src_tables ? json_array_get(src_tables, t) : NULL;
            json_t *jc = jt ? json_array_get(json_object_get(jt, "columns"), c) : NULL;
            const char *group = jc ? json_string_value(json_object_get(jc, "group")) : NULL;
            if (group)
                add_furniture(tl, gk_imp_norm_label(group));
        }
        add_furniture(tl, gk_imp_norm_label(tab->label));
        for (size_t i = 0; extra_furniture[i]; i++)
            add_furniture(tl, gk_imp_xstrdup(extra_furniture[i]));
    }
    return lb;
}

void gk_imp_labels_free(gk_imp_labels *lb)
{
    if (!lb)
        return;
    for (size_t t = 0; t < lb->f->n_tables; t++) {
        tlabels *tl = &lb->t[t];
        for (size_t i = 0; i < tl->n_rows; i++)
            free(tl->rows[i].key);
        for (size_t i = 0; i < tl->n_cols; i++)
            free(tl->cols[i].key);
        for (size_t i = 0; i < tl->n_furniture; i++)
            free(tl->furniture[i]);
        free(tl->rows);
        free(tl->cols);
        free(tl->furniture);
    }
    free(lb->t);
    free(lb);
}

static int lookup(const entry *arr, size_t n, const char *key, int level_mask)
{
    if (!key[0])
        return -1;
    for (size_t i = 0; i < n; i++)
        if (((1 << arr[i].level) & level_mask) && !strcmp(arr[i].key, key))
            return arr[i].index >= 0 ? arr[i].index : -1;
    return -1;
}

int gk_imp_labels_row(const gk_imp_labels *lb, size_t t, const char *const *parts, size_t n)
{
    if (t >= lb->f->n_tables || !n)
        return -1;
    const tlabels *tl = &lb->t[t];
    /* 1: the row's own cell, by last part, joined form or short label. */
    char *last = gk_imp_norm_label(parts[n - 1]);
    int r = lookup(tl->rows, tl->n_rows, last, 1 << 0 | 1 << 1 | 1 << 3);
    free(last);
    if (r >= 0)
        return r;
    /* 2: all label cells joined. */
    char *joined = joined_key((char **)parts, n);
    r = lookup(tl->rows, tl->n_rows, joined, 1 << 1);
    free(joined);
    if (r >= 0)
        return r;
    /* 3: joined with numbering removed anywhere (one cell holding it all). */
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(parts[i]) + 1;
    char *raw = gk_imp_xmalloc(len);
    raw[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        strcat(raw, parts[i]);
        strcat(raw, " ");
    }
    char *loose = gk_imp_norm_loose(raw);
    free(raw);
    r = lookup(tl->rows, tl->n_rows, loose, 1 << 2);
    free(loose);
    return r;
}

int gk_imp_labels_column(const gk_imp_labels *lb, size_t t, const char *cell)
{
    if (t >= lb->f->n_tables)
        return -1;
    char *k = gk_imp_norm_label(cell);
    int c = lookup(lb->t[t].cols, lb->t[t].n_cols, k, 1);
    free(k);
    return c;
}

bool gk_imp_labels_furniture(const gk_imp_labels *lb, size_t t, const char *cell)
{
    if (t >= lb->f->n_tables)
        return false;
    char *k = gk_imp_norm_label(cell);
    /* Only a printed note, "（本列数据的勾稽关系为：…）": nothing to place. */
    bool found = !k[0];
    const tlabels *tl = &lb->t[t];
    for (size_t i = 0; i < tl->n_furniture && !found; i++)
        found = !strcmp(tl->furniture[i], k);
    free(k);
    return found;
}

/* The strict keys of every label of a format (rows' parts and joined forms,
 * columns), collected once per scoring. */
typedef struct keyset {
    char **k;
    size_t n;
} keyset;

static void keyset_add(keyset *ks, char *k)
{
    for (size_t i = 0; i < ks->n; i++)
        if (!strcmp(ks->k[i], k)) {
            free(k);
            return;
        }
    ks->k = gk_imp_xrealloc(ks->k, (ks->n + 1) * sizeof *ks->k);
    ks->k[ks->n++] = k;
}

static bool keyset_has(const keyset *ks, const char *k)
{
    for (size_t i = 0; i < ks->n; i++)
        if (!strcmp(ks->k[i], k))
            return true;
    return false;
}

static void format_keys(const gk_format *f, keyset *ks)
{
    for (size_t t = 0; t < f->n_tables; t++) {
        const gk_table *tab = &f->tables[t];
        for (size_t c = 0; c < tab->n_columns; c++)
            keyset_add(ks, gk_imp_norm_label(tab->columns[c].label));
        for (size_t r = 0; r < tab->n_rows; r++) {
            char **parts;
            size_t np = label_parts(tab->rows[r].label, &parts);
            for (size_t i = 0; i < np; i++)
                keyset_add(ks, gk_imp_norm_label(parts[i]));
            if (np)
                keyset_add(ks, joined_key(parts, np));
            for (size_t i = 0; i < np; i++)
                free(parts[i]);
            free(parts);
        }
    }
}

size_t gk_imp_labels_score(const gk_format *f, const gk_imp_doc *doc)
{
    keyset own = {0}, others = {0}, seen = {0};
    format_keys(f, &own);
    for (size_t g = 0; g < gk_format_count(); g++)
        if (gk_format_at(g) != f)
            format_keys(gk_format_at(g), &others);
    for (size_t i = 0; i < doc->n; i++) {
        const gk_imp_line *l = &doc->lines[i];
        for (size_t j = 0; j < l->n; j++) {
            if (!l->cells[j].text[0] || l->cells[j].copy || strlen(l->cells[j].text) > 300)
                continue;
            char *k = gk_imp_norm_label(l->cells[j].text);
            if (k[0] && keyset_has(&own, k) && !keyset_has(&others, k))
                keyset_add(&seen, k);
            else
                free(k);
        }
    }
    size_t score = seen.n;
    keyset *all[] = {&own, &others, &seen};
    for (size_t a = 0; a < 3; a++) {
        for (size_t i = 0; i < all[a]->n; i++)
            free(all[a]->k[i]);
        free(all[a]->k);
    }
    return score;
}
