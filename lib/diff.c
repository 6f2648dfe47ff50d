/* diff.c — the difference between two revisions (see diff.h).
 *
 * Prose is compared sentence by sentence (split after 。！？；and line
 * breaks) with a longest-common-subsequence alignment: a township editing
 * one sentence sees that sentence removed and its new wording added, not a
 * character soup.  Sections are a few hundred sentences at most, so the
 * quadratic table is small. */
#include <stdlib.h>
#include <string.h>
#include "gongkai/exactjson.h"
#include "gongkai/diff.h"
#include "cellref.h"
#include "util.h"

static json_t *cell_json(const gk_report *r, int cell)
{
    if (cell < 0)
        return json_pack("{ss}", "state", "not_in_format");
    const gk_cell *c = &r->cells[cell];
    const gk_cell_def *d = &r->format->cells[cell];
    switch (c->state) {
    case GK_CELL_NULL:
        return json_pack("{ss}", "state", "null");
    case GK_CELL_ABSENT:
        return json_pack("{ss}", "state", "absent");
    case GK_CELL_INVALID:
        return json_pack("{sssO}", "state", "invalid", "value", c->raw);
    default: {
        gk_value_kind kind = r->format->tables[d->table].columns[d->column].kind;
        /* an amount as its exact decimal (gk_json_dumps_exact), never a double */
        char digits[32];
        gk_value_format(kind, c->value, digits, sizeof digits);
        json_t *v = kind == GK_KIND_AMOUNT && c->value % GK_AMOUNT_SCALE
                        ? gk_json_exact_number(digits)
                        : json_integer(kind == GK_KIND_AMOUNT ? c->value / GK_AMOUNT_SCALE : c->value);
        return json_pack("{ssso}", "state", "number", "value", v);
    }
    }
}

static bool same_cell(const gk_report *a, int ca, const gk_report *b, int cb)
{
    if (ca < 0 || cb < 0)
        return ca < 0 && cb < 0;
    const gk_cell *x = &a->cells[ca], *y = &b->cells[cb];
    if (x->state != y->state)
        return false;
    if (x->state == GK_CELL_NUMBER)
        return x->value == y->value;
    if (x->state == GK_CELL_INVALID)
        return json_equal(x->raw, y->raw);
    return true;
}

/* Index of the same path in r's format, or -1. */
static int cell_by_path(const gk_report *r, const gk_format *of, size_t cell)
{
    const gk_cell_def *d = &of->cells[cell];
    const gk_table *t = &of->tables[d->table];
    return gk_format_cell_index(r->format, t->key, t->rows[d->row].key, t->columns[d->column].key);
}

static void diff_cells(const gk_report *a, const gk_report *b, json_t *out)
{
    char label[256];
    for (size_t i = 0; i < a->format->n_cells; i++) {
        int j = cell_by_path(b, a->format, i);
        if (same_cell(a, (int)i, b, j))
            continue;
        gk_cellref(a->format, i, label, sizeof label);
        json_array_append_new(out, json_pack("{sssssoso}", "path", a->format->cells[i].path, "label",
                                             label, "from", cell_json(a, (int)i), "to",
                                             cell_json(b, j)));
    }
    /* cells only the second revision's format has */
    for (size_t j = 0; j < b->format->n_cells; j++) {
        if (cell_by_path(a, b->format, j) >= 0)
            continue;
        gk_cellref(b->format, j, label, sizeof label);
        json_array_append_new(out, json_pack("{sssssoso}", "path", b->format->cells[j].path, "label",
                                             label, "from", cell_json(a, -1), "to",
                                             cell_json(b, (int)j)));
    }
}

typedef struct sentences {
    char **s;
    size_t n, cap;
} sentences;

static bool ends_sentence(const char *p)
{
    return !strncmp(p, "。", 3) || !strncmp(p, "！", 3) || !strncmp(p, "？", 3) ||
           !strncmp(p, "；", 3) || *p == '\n';
}

static void split(const char *text, sentences *out)
{
    const char *start = text;
    for (const char *p = text;;) {
        if (*p && !ends_sentence(p)) {
            p++;
            continue;
        }
        /* the sentence keeps its closing punctuation, not the line break */
        const char *stop = (!*p || *p == '\n') ? p : p + 3;
        const char *next = *p == '\n' ? p + 1 : stop;
        while (start < stop && (*start == ' ' || *start == '\t' || *start == '\r'))
            start++;
        if (stop > start) {
            if (out->n == out->cap) {
                out->cap = out->cap ? out->cap * 2 : 16;
                out->s = gk_xrealloc(out->s, out->cap * sizeof *out->s);
            }
            char *s = gk_xmalloc((size_t)(stop - start) + 1);
            memcpy(s, start, (size_t)(stop - start));
            s[stop - start] = '\0';
            out->s[out->n++] = s;
        }
        if (!*p)
            break;
        p = start = next;
    }
}

static void sentences_free(sentences *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->s[i]);
    free(s->s);
}

/* LCS alignment of two sentence lists; appends the unmatched ones. */
static void diff_sentences(const sentences *a, const sentences *b, json_t *removed, json_t *added)
{
    size_t n = a->n, m = b->n;
    unsigned *t = gk_xcalloc((n + 1) * (m + 1), sizeof *t);
#define T(i, j) t[(i) * (m + 1) + (j)]
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            T(i, j) = !strcmp(a->s[i], b->s[j]) ? T(i + 1, j + 1) + 1
                      : T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1);
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && !strcmp(a->s[i], b->s[j])) {
            i++, j++;
        } else if (j == m || (i < n && T(i + 1, j) >= T(i, j + 1))) {
            json_array_append_new(removed, json_string(a->s[i++]));
        } else {
            json_array_append_new(added, json_string(b->s[j++]));
        }
    }
#undef T
    free(t);
}

static json_t *section_state(const char *s)
{
    return s ? json_true() : json_false();
}

json_t *gk_report_diff(const gk_report *a, const gk_report *b)
{
    json_t *cells = json_array(), *narr = json_array();
    diff_cells(a, b, cells);
    size_t sections_changed = 0;
    for (int k = 0; k < GK_NARR_COUNT; k++) {
        const char *x = a->narrative[k], *y = b->narrative[k];
        bool changed = (!x != !y) || (x && strcmp(x, y));
        json_t *sec = json_pack("{sssssbsoso}", "key", gk_narrative_keys[k], "label",
                                gk_narrative_labels[k], "changed", changed, "present_before",
                                section_state(x), "present_after", section_state(y));
        if (changed) {
            sentences sa = {0}, sb = {0};
            split(x ? x : "", &sa);
            split(y ? y : "", &sb);
            json_t *removed = json_array(), *added = json_array();
            diff_sentences(&sa, &sb, removed, added);
            json_object_set_new(sec, "removed", removed);
            json_object_set_new(sec, "added", added);
            sentences_free(&sa);
            sentences_free(&sb);
            sections_changed++;
        }
        json_array_append_new(narr, sec);
    }
    json_t *o = json_pack("{s{ssss}sososIsI}", "format", "from", a->format->version, "to",
                          b->format->version, "cells", cells, "narrative", narr, "cells_changed",
                          (json_int_t)json_array_size(cells), "sections_changed",
                          (json_int_t)sections_changed);
    if (strcmp(a->published_at, b->published_at))
        json_object_set_new(o, "published_at",
                            json_pack("{s?s?}", "from", a->published_at[0] ? a->published_at : NULL,
                                      "to", b->published_at[0] ? b->published_at : NULL));
    return o;
}
