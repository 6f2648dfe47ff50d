/* layout.c — the three tables of the national format on a grid, from the
 * format registry alone (render.h says why).
 *
 * A row's printed label has parts ("（三）不予公开 1.属于国家秘密": a group
 * and the row's own label) separated by a blank or a colon, as the importer
 * reads them (lib/import/labels.c).  The parts decide the merged cells:
 *  - section 二 (active): a caption row per group (第二十条第（一）项), then a
 *    header row (信息内容 + the column labels) whenever the columns change;
 *    a row with fewer columns than the widest spans its last one;
 *  - section 三 (requests): three header rows (申请人情况, then the columns,
 *    grouped under 法人或其他组织 where the registry says `group`); label
 *    parts take one column per level (一、 / （一） / 1.), a group spans the
 *    rows below it that continue it, a last part spans to the values;
 *  - section 四 (appeals): the format's one row of 15 cells under a
 *    two-level header (行政复议 | 行政诉讼: 未经复议直接起诉, 复议后起诉). */
#include <stdlib.h>
#include <string.h>
#include "layout.h"
#include "rbuf.h"

#define MAX_PARTS 4

/* Splits at ' ', ':' and '：' into at most MAX_PARTS parts (copies). */
static size_t label_parts(const char *label, char *parts[MAX_PARTS])
{
    size_t n = 0;
    const char *s = label;
    while (*s && n < MAX_PARTS) {
        while (*s == ' ' || *s == ':' || !strncmp(s, "：", 3))
            s += *s == ' ' || *s == ':' ? 1 : 3;
        if (!*s)
            break;
        const char *e = s;
        while (*e && *e != ' ' && *e != ':' && strncmp(e, "：", 3))
            e++;
        if (n == MAX_PARTS - 1)
            e = s + strlen(s);
        char *p = gk_rbuf_xmalloc((size_t)(e - s) + 1);
        memcpy(p, s, (size_t)(e - s));
        p[e - s] = '\0';
        parts[n++] = p;
        s = e;
    }
    return n;
}

static void free_parts(char *parts[MAX_PARTS], size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(parts[i]);
}

/* The level of a requests label part: 一、 → 0, （一） → 1, 1. → 2. */
static int part_level(const char *p)
{
    static const char *const cn[] = {"一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、", "十、"};
    for (size_t i = 0; i < sizeof cn / sizeof *cn; i++)
        if (!strncmp(p, cn[i], strlen(cn[i])))
            return 0;
    if (!strncmp(p, "（", 3) || *p == '(')
        return 1;
    if (*p >= '0' && *p <= '9')
        return 2;
    return -1;
}

static void value_cells(gk_rtable *tb, size_t row, size_t col0, size_t width, const gk_table *t,
                        const gk_row *r, gk_render_cell_fn text, void *ud)
{
    char buf[128];
    for (size_t c = 0; c < r->n_columns; c++) {
        buf[0] = '\0';
        text(ud, t, r, &t->columns[r->columns[c]], buf, sizeof buf);
        size_t span = c + 1 == r->n_columns && width > r->n_columns ? width - c : 1;
        gk_rtable_cell(tb, row, col0 + c, 1, span, GK_RCELL_NUMBER, buf);
    }
}

static bool same_columns(const gk_row *a, const gk_row *b)
{
    if (a->n_columns != b->n_columns)
        return false;
    for (size_t i = 0; i < a->n_columns; i++)
        if (a->columns[i] != b->columns[i])
            return false;
    return true;
}

/* Section 二. */
static void layout_groups(gk_rdoc *d, const gk_table *t, gk_render_cell_fn text, void *ud)
{
    size_t width = 0;
    for (size_t r = 0; r < t->n_rows; r++)
        if (t->rows[r].n_columns > width)
            width = t->rows[r].n_columns;
    gk_rtable *tb = gk_rdoc_table(d, width + 1);
    gk_rtable_width(tb, 0, 2);
    size_t row = 0;
    char *prev_group = NULL;
    const gk_row *prev = NULL;
    for (size_t ri = 0; ri < t->n_rows; ri++) {
        const gk_row *r = &t->rows[ri];
        char *parts[MAX_PARTS];
        size_t np = label_parts(r->label, parts);
        const char *group = np > 1 ? parts[0] : "";
        bool new_group = !prev_group || strcmp(prev_group, group) != 0;
        if (new_group && group[0])
            gk_rtable_cell(tb, row++, 0, 1, width + 1, GK_RCELL_HEADER, group);
        if (new_group || !prev || !same_columns(prev, r)) {
            gk_rtable_cell(tb, row, 0, 1, 1, GK_RCELL_HEADER, "信息内容");
            for (size_t c = 0; c < r->n_columns; c++) {
                size_t span = c + 1 == r->n_columns ? width - c : 1;
                gk_rtable_cell(tb, row, 1 + c, 1, span, GK_RCELL_HEADER,
                               t->columns[r->columns[c]].label);
            }
            row++;
        }
        gk_rtable_cell(tb, row, 0, 1, 1, GK_RCELL_HEADER, np ? parts[np - 1] : r->label);
        value_cells(tb, row, 1, width, t, r, text, ud);
        row++;
        free(prev_group);
        prev_group = gk_rbuf_xstrdup(group);
        prev = r;
        free_parts(parts, np);
    }
    free(prev_group);
}

/* The column's printed group (法人或其他组织) from the registry's data. */
static const char *column_group(const gk_format *f, const gk_table *t, size_t c)
{
    json_t *jt = json_array_get(json_object_get(f->source, "tables"), (size_t)(t - f->tables));
    json_t *jc = json_array_get(json_object_get(jt, "columns"), c);
    return json_string_value(json_object_get(jc, "group"));
}

/* Section 三: label levels on the left, grouped column headers on top. */
static void layout_tree(gk_rdoc *d, const gk_format *f, const gk_table *t, gk_render_cell_fn text,
                        void *ud)
{
    enum { L = 3 };
    size_t nc = t->n_columns;
    gk_rtable *tb = gk_rdoc_table(d, L + nc);
    gk_rtable_width(tb, 0, 2);
    gk_rtable_width(tb, 1, 3);
    gk_rtable_width(tb, 2, 5);
    bool grouped = false;
    for (size_t c = 0; c < nc; c++)
        if (column_group(f, t, c))
            grouped = true;
    size_t hdr = grouped ? 3 : 1;
    gk_rtable_cell(tb, 0, 0, hdr, L, GK_RCELL_HEADER, "");
    if (grouped) {
        gk_rtable_cell(tb, 0, L, 1, nc, GK_RCELL_HEADER, "申请人情况");
        for (size_t c = 0; c < nc;) {
            const char *g = column_group(f, t, c);
            if (!g) {
                gk_rtable_cell(tb, 1, L + c, 2, 1, GK_RCELL_HEADER, t->columns[c].label);
                c++;
                continue;
            }
            size_t e = c;
            while (e < nc && column_group(f, t, e) && !strcmp(column_group(f, t, e), g)) {
                gk_rtable_cell(tb, 2, L + e, 1, 1, GK_RCELL_HEADER, t->columns[e].label);
                e++;
            }
            gk_rtable_cell(tb, 1, L + c, 1, e - c, GK_RCELL_HEADER, g);
            c = e;
        }
    } else {
        for (size_t c = 0; c < nc; c++)
            gk_rtable_cell(tb, 0, L + c, 1, 1, GK_RCELL_HEADER, t->columns[c].label);
    }
    /* open[l]: the group cell of level l still spanning down */
    char *open_text[L] = {NULL};
    size_t open_row[L] = {0}, open_span[L] = {0};
    size_t row = hdr;
    for (size_t ri = 0; ri < t->n_rows; ri++, row++) {
        const gk_row *r = &t->rows[ri];
        char *parts[MAX_PARTS];
        size_t np = label_parts(r->label, parts);
        int first = np ? part_level(parts[0]) : -1;
        if (first < 0 || first + (int)np > L) {   /* not in levels: one cell over all */
            first = 0;
            free_parts(parts, np);
            parts[0] = gk_rbuf_xstrdup(r->label);
            np = 1;
        }
        /* groups above the first part continue; the rest close */
        for (int l = first; l < L; l++) {
            if (open_text[l]) {
                gk_rtable_cell(tb, open_row[l], (size_t)l, open_span[l], 1, GK_RCELL_HEADER,
                               open_text[l]);
                free(open_text[l]);
                open_text[l] = NULL;
            }
        }
        for (int l = 0; l < first; l++)
            if (open_text[l])
                open_span[l]++;
        for (size_t p = 0; p < np; p++) {
            int l = first + (int)p;
            if (p + 1 == np) {
                gk_rtable_cell(tb, row, (size_t)l, 1, (size_t)(L - l), GK_RCELL_HEADER, parts[p]);
            } else {
                open_text[l] = gk_rbuf_xstrdup(parts[p]);
                open_row[l] = row;
                open_span[l] = 1;
            }
        }
        value_cells(tb, row, L, nc, t, r, text, ud);
        free_parts(parts, np);
    }
    for (int l = 0; l < L; l++)
        if (open_text[l]) {
            gk_rtable_cell(tb, open_row[l], (size_t)l, open_span[l], 1, GK_RCELL_HEADER,
                           open_text[l]);
            free(open_text[l]);
        }
}

/* Section 四: every row's columns side by side in one row of values. */
static void layout_wide(gk_rdoc *d, const gk_table *t, gk_render_cell_fn text, void *ud)
{
    size_t total = 0;
    for (size_t r = 0; r < t->n_rows; r++)
        total += t->rows[r].n_columns;
    gk_rtable *tb = gk_rdoc_table(d, total ? total : 1);
    size_t col = 0;
    for (size_t ri = 0; ri < t->n_rows;) {
        const gk_row *r = &t->rows[ri];
        char *parts[MAX_PARTS];
        size_t np = label_parts(r->label, parts);
        if (np < 2) {   /* 行政复议: its own caption, columns under it */
            gk_rtable_cell(tb, 0, col, 1, r->n_columns, GK_RCELL_HEADER, np ? parts[0] : r->label);
            for (size_t c = 0; c < r->n_columns; c++)
                gk_rtable_cell(tb, 1, col + c, 2, 1, GK_RCELL_HEADER,
                               t->columns[r->columns[c]].label);
            col += r->n_columns;
            ri++;
            free_parts(parts, np);
            continue;
        }
        /* 行政诉讼：… rows sharing the first part */
        size_t start = col, rj = ri;
        while (rj < t->n_rows) {
            const gk_row *q = &t->rows[rj];
            char *qp[MAX_PARTS];
            size_t nq = label_parts(q->label, qp);
            bool same = nq >= 2 && !strcmp(qp[0], parts[0]);
            if (same) {
                gk_rtable_cell(tb, 1, col, 1, q->n_columns, GK_RCELL_HEADER, qp[nq - 1]);
                for (size_t c = 0; c < q->n_columns; c++)
                    gk_rtable_cell(tb, 2, col + c, 1, 1, GK_RCELL_HEADER,
                                   t->columns[q->columns[c]].label);
                col += q->n_columns;
            }
            free_parts(qp, nq);
            if (!same)
                break;
            rj++;
        }
        gk_rtable_cell(tb, 0, start, 1, col - start, GK_RCELL_HEADER, parts[0]);
        free_parts(parts, np);
        ri = rj;
    }
    col = 0;
    for (size_t ri = 0; ri < t->n_rows; ri++) {
        value_cells(tb, 3, col, t->rows[ri].n_columns, t, &t->rows[ri], text, ud);
        col += t->rows[ri].n_columns;
    }
}

void gk_render_layout_table(gk_rdoc *d, const gk_format *f, const gk_table *t,
                            gk_render_cell_fn text, void *ud)
{
    if (!strcmp(t->key, "appeals"))
        layout_wide(d, t, text, ud);
    else if (!strcmp(t->key, "requests"))
        layout_tree(d, f, t, text, ud);
    else
        layout_groups(d, t, text, ud);
}
