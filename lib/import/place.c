/* place.c — puts the numbers of a table section into the report's cells.
 *
 * A data line is label cells, then value cells.  The row comes from the
 * label (labels.c), the columns from the header lines above it (their labels,
 * ordered by the cells' positions) or, without a positional header, from the
 * format's own column order for that row.  Stray or missing tabs (Word) shift
 * cells; the rules that undo that are fixed and in docs/import.md:
 *   1. exactly as many value cells as columns: by position, blanks absent;
 *   2. the same after dropping trailing blanks (down to the count);
 *   3. fewer: nothing is placed and every value is reported, since which
 *      column is missing cannot be told ("1 2 3 4 5 6" for seven columns
 *      would put the total under 其他) — unless the file ends inside this
 *      row (truncated): then by position, the rest missing (reported);
 *   4. more, but as many non-blank as columns: the non-blank in order;
 *   5. more, leading blanks dropped gives the count: by position;
 *   6. still more non-blank than columns: the first by position, the extra
 *      reported; otherwise (which blank is which cannot be told) nothing is
 *      placed and every value is reported.
 * One cell per line (no tabs) is the same: a label line, then its values.
 * The appeals table prints its 15 numbers in one row under a two-level
 * header; such a label-less run is placed only when the header read is the
 * format's own (row groups and column labels in the printed order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "imp.h"
#include "gongkai/format.h"

typedef struct vref {
    const gk_imp_line *line;
    size_t cell;
} vref;

typedef struct hcol {
    int col;    /* table column */
    int pos;    /* cell position */
    size_t seq; /* order of appearance */
} hcol;

struct gk_imp_placer {
    gk_report *r;
    const gk_format *f;
    const gk_imp_labels *lb;
    gk_import_result *res;
    int table;
    /* the header block read most recently */
    hcol *hdr;
    size_t n_hdr;
    bool hdr_positional;
    bool data_since_header;
    int *hdr_rows;          /* row labels in header lines, in order (appeals) */
    size_t n_hdr_rows;
    size_t seq;
    /* the line given last was the document's last (the file may end inside
     * a row: a short row there is truncated, not ambiguous) */
    bool fed_last;
    /* a row label seen without values: its values follow on later lines */
    int pend_row;
    const gk_imp_line *pend_line;
    vref *pend;
    size_t n_pend;
    /* values without a row label */
    vref *orphans;
    size_t n_orphans;
    int orphan_table;
    /* rows placed, per table */
    bool **seen;
    bool *begun;
    size_t rows_placed;
};

gk_imp_placer *gk_imp_placer_new(gk_report *r, const gk_imp_labels *lb, gk_import_result *res)
{
    gk_imp_placer *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    p->r = r;
    p->f = r->format;
    p->lb = lb;
    p->res = res;
    p->table = -1;
    p->pend_row = -1;
    p->data_since_header = true;
    p->seen = calloc(p->f->n_tables + 1, sizeof *p->seen);
    p->begun = calloc(p->f->n_tables + 1, sizeof *p->begun);
    if (!p->seen || !p->begun)
        abort();
    for (size_t t = 0; t < p->f->n_tables; t++) {
        p->seen[t] = calloc(p->f->tables[t].n_rows + 1, sizeof **p->seen);
        if (!p->seen[t])
            abort();
    }
    return p;
}

void gk_imp_placer_free(gk_imp_placer *p)
{
    if (!p)
        return;
    for (size_t t = 0; t < p->f->n_tables; t++)
        free(p->seen[t]);
    free(p->seen);
    free(p->begun);
    free(p->hdr);
    free(p->hdr_rows);
    free(p->pend);
    free(p->orphans);
    free(p);
}

size_t gk_imp_placer_rows_placed(const gk_imp_placer *p)
{
    return p->rows_placed;
}

static void unplaced(gk_imp_placer *p, const gk_imp_line *l, size_t cell, const char *fmt,
                     const char *a, const char *b)
{
    const char *text = l && cell < l->n ? l->cells[cell].text : "";
    int col = l && cell < l->n ? l->cells[cell].col + (l->table ? 0 : 1) : 0;
    gk_imp_list_add(&p->res->unplaced, l, col, text, fmt, a ? a : "", b ? b : "");
}

static bool is_value(const char *t)
{
    gk_imp_vclass c = gk_imp_classify(t);
    return c == GK_V_NUMBER || c == GK_V_NA || c == GK_V_MALFORMED;
}

static bool column_unit_10k(const gk_column *c)
{
    return strstr(c->label, "万元") != NULL;
}

/* Puts one value into (row, table column). */
static void put(gk_imp_placer *p, size_t row, int col, const gk_imp_line *l, size_t cell)
{
    const gk_table *tab = &p->f->tables[p->table];
    const gk_row *rw = &tab->rows[row];
    const char *text = l->cells[cell].text;
    gk_imp_vclass vc = gk_imp_classify(text);
    if (col < 0 || gk_row_column_pos(rw, (size_t)col) < 0) {
        if (vc == GK_V_BLANK || vc == GK_V_NA)
            return;   /* "/" where the format has no cell: nothing lost */
        unplaced(p, l, cell, "“%s”行没有“%s”这一列，数值无处可放", rw->short_label,
                 col >= 0 ? tab->columns[col].label : "（未识别的列）");
        return;
    }
    if (vc == GK_V_BLANK)
        return;       /* blank: the cell stays absent */
    int idx = gk_format_cell_index(p->f, tab->key, rw->key, tab->columns[col].key);
    if (idx < 0)
        return;
    gk_cell *c = &p->r->cells[idx];
    if (c->state != GK_CELL_ABSENT) {
        unplaced(p, l, cell, "“%s”行“%s”列已有数值，重复的不再放入", rw->short_label,
                 tab->columns[col].label);
        return;
    }
    if (vc == GK_V_NA) {
        c->state = GK_CELL_NULL;
        return;
    }
    char why[128];
    int64_t v;
    if (vc == GK_V_NUMBER &&
        gk_imp_value(text, (int)tab->columns[col].kind, column_unit_10k(&tab->columns[col]), &v,
                     why, sizeof why) == 0) {
        c->state = GK_CELL_NUMBER;
        c->value = v;
        return;
    }
    if (vc == GK_V_MALFORMED)
        snprintf(why, sizeof why, "%s", GK_IMP_WHY_MALFORMED);
    else if (vc != GK_V_NUMBER)
        snprintf(why, sizeof why, "不是数值");
    /* Kept as given, so the checker reports value.invalid; and told here. */
    c->state = GK_CELL_INVALID;
    c->raw = json_string(text);
    if (!c->raw)
        c->raw = json_string("\xEF\xBF\xBD");
    unplaced(p, l, cell, "“%s”无法作为数值（%s），按原样保留为无效值", text, why);
}

/* The columns a row's values go to: the header's (ordered by position) when
 * the header names at least one of the row's columns, once each; else the
 * row's own columns in the format's order.  Returns how many. */
static size_t row_columns(const gk_imp_placer *p, size_t row, int *cols, size_t max)
{
    const gk_row *rw = &p->f->tables[p->table].rows[row];
    bool usable = p->hdr_positional && p->n_hdr > 0 && p->n_hdr <= max;
    bool covers = false;
    for (size_t i = 0; usable && i < p->n_hdr; i++) {
        for (size_t j = 0; j < i; j++)
            if (p->hdr[j].col >= 0 && p->hdr[j].col == p->hdr[i].col)
                usable = false;   /* a column twice: a multi-row layout */
        if (gk_row_column_pos(rw, (size_t)p->hdr[i].col) >= 0)
            covers = true;
    }
    if (usable && covers) {
        for (size_t i = 0; i < p->n_hdr; i++)
            cols[i] = p->hdr[i].col;
        return p->n_hdr;
    }
    size_t n = rw->n_columns < max ? rw->n_columns : max;
    for (size_t i = 0; i < n; i++)
        cols[i] = (int)rw->columns[i];
    return n;
}

/* Places values vals[0..nv) of a row by the rules at the top of this file;
 * at_end: the document ends inside this row. */
static void place_row(gk_imp_placer *p, size_t row, const gk_imp_line *label_line, vref *vals,
                      size_t nv, bool at_end)
{
    const gk_table *tab = &p->f->tables[p->table];
    const gk_row *rw = &tab->rows[row];
    int cols[GK_IMP_MAX_CELLS];
    size_t n = row_columns(p, row, cols, GK_IMP_MAX_CELLS);
    if (p->seen[p->table][row]) {
        for (size_t i = 0; i < nv; i++)
            unplaced(p, vals[i].line, vals[i].cell, "“%s”行出现了两次，第二次的数值不再放入%s",
                     rw->short_label, "");
        return;
    }
    p->seen[p->table][row] = true;
    p->begun[p->table] = true;
    p->r->table_present[p->table] = true;
    p->r->has_tables = true;
    p->rows_placed++;
    p->data_since_header = true;

    size_t a = nv;   /* candidates vals[lo..lo+a) */
    size_t lo = 0;
#define BLANK(i) (!vals[(i)].line->cells[vals[(i)].cell].text[0])
    while (a > n && BLANK(lo + a - 1))
        a--;                                          /* rule 2 */
    if (a < n && !at_end) {                           /* rule 3 */
        size_t reported = 0;
        char counts[96];
        snprintf(counts, sizeof counts, "%zu 个单元格，应有 %zu 个", a, n);
        for (size_t i = 0; i < nv; i++)
            if (!BLANK(i)) {
                unplaced(p, vals[i].line, vals[i].cell,
                         "“%s”行只有 %s，无法确定缺少哪一列，本行数值均未放入", rw->short_label,
                         counts);
                reported++;
            }
        if (!reported)
            gk_imp_list_add(&p->res->unplaced, label_line, 0, "",
                            "“%s”行只有 %s，无法确定缺少哪一列，本行数值均未放入",
                            rw->short_label, counts);
        return;
    }
    if (a > n) {
        size_t nb_t = 0;
        for (size_t i = 0; i < a; i++)
            nb_t += !BLANK(lo + i);
        if (nb_t == n) {                              /* rule 4 */
            size_t k = 0;
            for (size_t i = 0; i < a; i++)
                if (!BLANK(lo + i))
                    put(p, row, cols[k++], vals[lo + i].line, vals[lo + i].cell);
            return;
        }
        while (a > n && BLANK(lo)) {                  /* rule 5 */
            lo++;
            a--;
        }
        if (a > n && nb_t < n) {                      /* rule 6, undecidable */
            for (size_t i = 0; i < nv; i++)
                if (!BLANK(i))
                    unplaced(p, vals[i].line, vals[i].cell,
                             "“%s”行有 %s 个单元格，无法确定哪些空格是空白单元格，未放入",
                             rw->short_label, "多出");
            return;
        }
    }
    size_t k = a < n ? a : n;
    for (size_t i = 0; i < k; i++)
        put(p, row, cols[i], vals[lo + i].line, vals[lo + i].cell);
    for (size_t i = k; i < a; i++)                    /* rule 6, extra values */
        if (!BLANK(lo + i))
            unplaced(p, vals[lo + i].line, vals[lo + i].cell, "“%s”行多出的数值%s",
                     rw->short_label, "");
    if (a < n) {                                      /* rule 3, truncated */
        char missing[512];
        size_t o = 0;
        missing[0] = '\0';
        for (size_t i = a; i < n && o < sizeof missing; i++)
            o += (size_t)snprintf(missing + o, sizeof missing - o, "%s%s", i > a ? "、" : "",
                                  cols[i] >= 0 ? tab->columns[cols[i]].label : "?");
        const gk_imp_line *where = nv ? vals[nv - 1].line : label_line;
        gk_imp_list_add(&p->res->unplaced, where, 0, "",
                        "“%s”行缺少数值：%s（文件在此行中断）", rw->short_label, missing);
    }
#undef BLANK
}

static void flush_pending(gk_imp_placer *p, bool at_end)
{
    if (p->pend_row >= 0 && p->n_pend > 0)
        place_row(p, (size_t)p->pend_row, p->pend_line, p->pend, p->n_pend, at_end);
    p->pend_row = -1;
    p->pend_line = NULL;
    p->n_pend = 0;
}

/* The appeals layout: one row of rows×columns values, in the format's order. */
static bool appeals_header_ok(const gk_imp_placer *p, const gk_table *tab)
{
    if (p->n_hdr_rows != tab->n_rows)
        return false;
    for (size_t i = 0; i < tab->n_rows; i++)
        if (p->hdr_rows[i] != (int)i)
            return false;
    size_t expect = 0;
    for (size_t r = 0; r < tab->n_rows; r++)
        expect += tab->rows[r].n_columns;
    if (p->n_hdr != expect)
        return false;
    /* columns in order of appearance, row group by row group */
    hcol *h = gk_imp_xmalloc((p->n_hdr ? p->n_hdr : 1) * sizeof *h);
    memcpy(h, p->hdr, p->n_hdr * sizeof *h);
    for (size_t i = 1; i < p->n_hdr; i++)
        for (size_t j = i; j > 0 && h[j - 1].seq > h[j].seq; j--) {
            hcol t = h[j];
            h[j] = h[j - 1];
            h[j - 1] = t;
        }
    bool ok = true;
    size_t k = 0;
    for (size_t r = 0; r < tab->n_rows && ok; r++)
        for (size_t c = 0; c < tab->rows[r].n_columns && ok; c++)
            ok = h[k++].col == (int)tab->rows[r].columns[c];
    free(h);
    return ok;
}

static void flush_orphans(gk_imp_placer *p)
{
    if (!p->n_orphans)
        return;
    int t = p->orphan_table;
    bool placed = false;
    if (t >= 0 && p->table == t && !strcmp(p->f->tables[t].key, "appeals")) {
        const gk_table *tab = &p->f->tables[t];
        size_t expect = 0;
        for (size_t r = 0; r < tab->n_rows; r++)
            expect += tab->rows[r].n_columns;
        /* trailing blanks (tabs at the end of the row) carry nothing */
        size_t n = p->n_orphans;
        while (n > expect && !p->orphans[n - 1].line->cells[p->orphans[n - 1].cell].text[0])
            n--;
        if (n == expect && appeals_header_ok(p, tab)) {
            size_t k = 0;
            for (size_t r = 0; r < tab->n_rows; r++) {
                place_row(p, r, p->orphans[k].line, p->orphans + k, tab->rows[r].n_columns,
                          false);
                k += tab->rows[r].n_columns;
            }
            placed = true;
        }
    }
    if (!placed)
        for (size_t i = 0; i < p->n_orphans; i++)
            if (p->orphans[i].line->cells[p->orphans[i].cell].text[0])
                unplaced(p, p->orphans[i].line, p->orphans[i].cell,
                         "没有行标签的数值（%s），未放入%s",
                         t >= 0 ? p->f->tables[t].label : "不在任何表格中", "");
    p->n_orphans = 0;
}

void gk_imp_placer_begin(gk_imp_placer *p, int table)
{
    flush_pending(p, false);
    flush_orphans(p);
    p->table = table;
    p->fed_last = false;
    p->n_hdr = 0;
    p->n_hdr_rows = 0;
    p->hdr_positional = false;
    p->data_since_header = true;
}

static void add_vref(vref **arr, size_t *n, const gk_imp_line *l, size_t cell)
{
    if (*n >= GK_IMP_MAX_CELLS * 4)
        return;
    *arr = gk_imp_xrealloc(*arr, (*n + 1) * sizeof **arr);
    (*arr)[(*n)++] = (vref){l, cell};
}

/* The label cells of a line: the non-blank cells before its first value. */
static size_t split_label(const gk_imp_line *l, const char **parts, size_t *last_label,
                          size_t *first_value)
{
    size_t np = 0;
    *first_value = l->n;
    *last_label = (size_t)-1;
    for (size_t i = 0; i < l->n; i++) {
        const char *t = l->cells[i].text;
        if (!t[0])
            continue;
        if (is_value(t)) {
            *first_value = i;
            break;
        }
        /* A span's copy of the previous cell adds nothing. */
        if (np && l->cells[i].copy && !strcmp(parts[np - 1], t)) {
            *last_label = i;
            continue;
        }
        if (np < GK_IMP_MAX_CELLS)
            parts[np++] = t;
        *last_label = i;
    }
    return np;
}

int gk_imp_placer_row_table(const gk_imp_placer *p, const gk_imp_line *l)
{
    const char *parts[GK_IMP_MAX_CELLS];
    size_t last, first;
    size_t np = split_label(l, parts, &last, &first);
    if (!np || first >= l->n)
        return -1;
    int found = -1;
    for (size_t t = 0; t < p->f->n_tables; t++)
        if (gk_imp_labels_row(p->lb, t, parts, np) >= 0) {
            if (found >= 0)
                return -1;   /* two tables: not decidable */
            found = (int)t;
        }
    return found;
}

static void header_cell(gk_imp_placer *p, int col, int pos)
{
    if (p->n_hdr >= GK_IMP_MAX_CELLS)
        return;
    for (size_t i = 0; col >= 0 && i < p->n_hdr && strcmp(p->f->tables[p->table].key, "appeals");
         i++)
        if (p->hdr[i].col == col)
            return;   /* copies of spanning headers */
    p->hdr = gk_imp_xrealloc(p->hdr, (p->n_hdr + 1) * sizeof *p->hdr);
    p->hdr[p->n_hdr++] = (hcol){col, pos, p->seq++};
}

static void header_row(gk_imp_placer *p, int row)
{
    if (p->n_hdr_rows >= 16)
        return;
    p->hdr_rows = gk_imp_xrealloc(p->hdr_rows, (p->n_hdr_rows + 1) * sizeof *p->hdr_rows);
    p->hdr_rows[p->n_hdr_rows++] = row;
}

static void start_header_block(gk_imp_placer *p)
{
    if (p->data_since_header) {
        p->n_hdr = 0;
        p->n_hdr_rows = 0;
        p->hdr_positional = false;
        p->data_since_header = false;
    }
}

static void sort_header(gk_imp_placer *p)
{
    /* by position, stable: insertion sort on a short list */
    for (size_t i = 1; i < p->n_hdr; i++)
        for (size_t j = i; j > 0 && (p->hdr[j - 1].pos > p->hdr[j].pos ||
                                     (p->hdr[j - 1].pos == p->hdr[j].pos &&
                                      p->hdr[j - 1].seq > p->hdr[j].seq));
             j--) {
            hcol t = p->hdr[j];
            p->hdr[j] = p->hdr[j - 1];
            p->hdr[j - 1] = t;
        }
}

/* A line without values: header, a row label (values to follow), table
 * furniture, or something unplaceable. */
/* A table row (HTML, Word, Excel) whose label is followed by exactly as
 * many blank cells as the row has columns: the row is there with every cell
 * blank (absent), not a label waiting for its values on the next lines. */
static bool blank_row(gk_imp_placer *p, const gk_imp_line *l, size_t row)
{
    if (l->kind != GK_LINE_ROW || p->table < 0)
        return false;
    size_t last = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->cells[i].text[0])
            last = i;
    vref vals[GK_IMP_MAX_CELLS];
    size_t nv = 0;
    for (size_t i = last + 1; i < l->n && nv < GK_IMP_MAX_CELLS; i++)
        if (!l->cells[i].copy)
            vals[nv++] = (vref){l, i};
    int cols[GK_IMP_MAX_CELLS];
    if (nv == 0 || nv != row_columns(p, row, cols, GK_IMP_MAX_CELLS))
        return false;
    flush_pending(p, false);
    flush_orphans(p);
    place_row(p, row, l, vals, nv, false);
    return true;
}

static void label_only_line(gk_imp_placer *p, const gk_imp_line *l, const char **parts, size_t np)
{
    size_t t = (size_t)p->table;
    size_t nonblank = 0, n_col = 0, n_other = 0;
    for (size_t i = 0; i < l->n; i++) {
        const char *x = l->cells[i].text;
        if (!x[0] || l->cells[i].copy)
            continue;
        nonblank++;
        if (gk_imp_labels_column(p->lb, t, x) >= 0)
            n_col++;
        else if (!gk_imp_labels_furniture(p->lb, t, x) && gk_imp_labels_row(p->lb, t, &x, 1) < 0)
            n_other++;
    }
    if (nonblank <= 1 && np >= 1) {
        int row = gk_imp_labels_row(p->lb, t, parts, np);
        if (row >= 0 && blank_row(p, l, (size_t)row))
            return;
        if (row >= 0) {
            flush_orphans(p);
            p->pend_row = row;
            p->pend_line = l;
            p->n_pend = 0;
            start_header_block(p);
            header_row(p, row);
            return;
        }
        int col = gk_imp_labels_column(p->lb, t, parts[np - 1]);
        if (col >= 0) {
            start_header_block(p);
            header_cell(p, col, 0);
            return;
        }
        if (gk_imp_labels_furniture(p->lb, t, parts[np - 1]))
            return;
        for (size_t i = 0; i < l->n; i++)
            if (l->cells[i].text[0] && !l->cells[i].copy)
                unplaced(p, l, i, "表格中无法识别的文字：%s%s", p->f->tables[t].label, "");
        return;
    }
    if (n_col == 0) {
        int row = gk_imp_labels_row(p->lb, t, parts, np);
        if (row >= 0) {
            flush_orphans(p);
            p->pend_row = row;
            p->pend_line = l;
            p->n_pend = 0;
            return;
        }
    }
    if (n_other == 0) {
        start_header_block(p);
        for (size_t i = 0; i < l->n; i++) {
            const char *x = l->cells[i].text;
            if (!x[0] || l->cells[i].copy)
                continue;
            int col = gk_imp_labels_column(p->lb, t, x);
            if (col >= 0) {
                header_cell(p, col, l->cells[i].col);
                p->hdr_positional = true;
            } else {
                int row = gk_imp_labels_row(p->lb, t, &x, 1);
                if (row >= 0)
                    header_row(p, row);
            }
        }
        sort_header(p);
        return;
    }
    /* A header with column labels and text that is none: the unknown cells
     * are columns too (-1), so that values under them are reported rather
     * than placed by position into the next known column. */
    if (n_col > 0)
        start_header_block(p);
    bool after_col = false;   /* unknown cells before the first column label head the labels */
    for (size_t i = 0; i < l->n; i++) {
        const char *x = l->cells[i].text;
        if (!x[0] || l->cells[i].copy)
            continue;
        int col = gk_imp_labels_column(p->lb, t, x);
        int row = col < 0 ? gk_imp_labels_row(p->lb, t, &x, 1) : -1;
        bool furniture = col < 0 && gk_imp_labels_furniture(p->lb, t, x);
        after_col |= col >= 0;
        if (n_col > 0 && row >= 0) {
            header_row(p, row);
        } else if (n_col > 0 && (col >= 0 || (after_col && !furniture))) {
            header_cell(p, col, l->cells[i].col);
            p->hdr_positional = true;
        }
        if (col < 0 && row < 0 && !furniture)
            unplaced(p, l, i, "表格中无法识别的文字（%s）%s", p->f->tables[t].label,
                     n_col > 0 && after_col ? "，其下的数值不按位置放入" : "");
    }
    if (n_col > 0)
        sort_header(p);
}

void gk_imp_placer_line(gk_imp_placer *p, const gk_imp_line *l, bool at_end)
{
    p->fed_last = at_end;
    const char *parts[GK_IMP_MAX_CELLS];
    size_t last, first;
    size_t np = split_label(l, parts, &last, &first);
    bool has_values = first < l->n;

    if (np && has_values) {
        flush_pending(p, false);
        flush_orphans(p);
        int row = p->table >= 0 ? gk_imp_labels_row(p->lb, (size_t)p->table, parts, np) : -1;
        if (row < 0) {
            /* A table whose heading is missing? */
            int t = gk_imp_placer_row_table(p, l);
            if (t >= 0 && t != p->table) {
                gk_imp_list_add(&p->res->notes, l, 0, parts[np - 1],
                                "“%s”的行出现在其标题之外，按该表读入", p->f->tables[t].label);
                gk_imp_placer_begin(p, t);
                row = gk_imp_labels_row(p->lb, (size_t)t, parts, np);
            }
        }
        if (row < 0) {
            for (size_t i = 0; i < l->n; i++)
                if (l->cells[i].text[0] && !l->cells[i].copy)
                    unplaced(p, l, i, "无法识别的行标签“%s”，本行未放入%s", parts[np - 1], "");
            return;
        }
        vref vals[GK_IMP_MAX_CELLS];
        size_t nv = 0;
        for (size_t i = last + 1; i < l->n && nv < GK_IMP_MAX_CELLS; i++)
            if (!l->cells[i].copy)
                vals[nv++] = (vref){l, i};
        place_row(p, (size_t)row, l, vals, nv, at_end);
        return;
    }
    if (p->table < 0) {
        for (size_t i = 0; i < l->n; i++)
            if (l->cells[i].text[0] && !l->cells[i].copy)
                unplaced(p, l, i, "不属于任何表格的内容%s%s", "", "");
        return;
    }
    if (!has_values) {
        if (p->pend_row >= 0 && p->n_pend > 0)
            flush_pending(p, false);
        else if (p->pend_row >= 0 && np)
            p->pend_row = -1;   /* a label without values, then more labels: a header */
        label_only_line(p, l, parts, np);
        return;
    }
    /* values only; blank cells at the end of the line are not values.  A
     * label-less table row (the appeals' 15 cells) keeps its blank cells,
     * leading ones too: each is a position (flush_orphans). */
    size_t end = l->n;
    bool positional = np == 0 && l->kind == GK_LINE_ROW && p->pend_row < 0;
    if (positional)
        first = 0;
    while (!positional && end > first && !l->cells[end - 1].text[0])
        end--;
    for (size_t i = first; i < end; i++) {
        if (l->cells[i].copy)
            continue;
        if (p->pend_row >= 0) {
            add_vref(&p->pend, &p->n_pend, l, i);
            int cols[GK_IMP_MAX_CELLS];
            if (p->n_pend >= row_columns(p, (size_t)p->pend_row, cols, GK_IMP_MAX_CELLS))
                flush_pending(p, false);
        } else {
            if (!p->n_orphans)
                p->orphan_table = p->table;
            add_vref(&p->orphans, &p->n_orphans, l, i);
        }
    }
}

void gk_imp_placer_end(gk_imp_placer *p)
{
    flush_pending(p, p->fed_last);
    flush_orphans(p);
    for (size_t t = 0; t < p->f->n_tables; t++) {
        if (!p->begun[t])
            continue;
        const gk_table *tab = &p->f->tables[t];
        for (size_t r = 0; r < tab->n_rows; r++)
            if (!p->seen[t][r])
                gk_imp_list_add(&p->res->unplaced, NULL, 0, tab->rows[r].label,
                                "%s缺少“%s”行（文件中断或该行无法识别）", tab->label,
                                tab->rows[r].short_label);
    }
}
