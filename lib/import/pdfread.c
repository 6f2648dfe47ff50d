/* pdfread.c — a PDF's text layer to a document of lines.
 *
 * Why positions and not poppler's plain text: a table exported from Word or
 * LibreOffice has no tabs in its text layer, only characters placed on the
 * page.  So every character comes with its box (poppler-glib's text layout),
 * lines are rebuilt from baselines, a line is split into cells where the gap
 * between two characters is far wider than a space, and the lines of a cell
 * that wraps (a long row label, a two-line column header) are joined into the
 * row they belong to by their x-extent.  Pages are stacked one below the
 * other, so a table that continues on the next page goes on (a row or header
 * cut by the break joins up); page numbers and running headers and footers
 * are dropped.  Every line keeps its page and y, every cell its x, so what
 * cannot be placed is reported where a person finds it on the page.
 *
 * Bounded: input size (GK_IMP_MAX_INPUT), pages (GK_IMP_PDF_MAX_PAGES),
 * characters (GK_IMP_PDF_MAX_CHARS) and wall time (GK_IMP_PDF_MAX_MS). */
#include <glib.h>
#include <poppler.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "imp.h"

typedef struct glyph {
    double x1, y1, x2, y2;
    uint32_t cp;
    bool word;              /* poppler put a space before it: a word starts */
} glyph;

typedef struct pline {      /* one rebuilt line of a page */
    size_t first, n;        /* glyphs, sorted by x */
    double y1, y2;          /* stacked: pages one below the other */
    int page;               /* 1-based */
    double py;              /* top on its own page, in points */
} pline;

typedef struct pcell {
    char *text;
    double x1, x2;
} pcell;

typedef struct prow {       /* cells of a line, before joining wrapped lines */
    pcell *cells;
    size_t n;
    double y1, y2;
    bool dead;              /* merged into a neighbour */
} prow;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int cmp_y(const void *a, const void *b)
{
    const glyph *g = a, *h = b;
    double ca = (g->y1 + g->y2) / 2, cb = (h->y1 + h->y2) / 2;
    return ca < cb ? -1 : ca > cb ? 1 : (g->x1 < h->x1 ? -1 : g->x1 > h->x1);
}

static int cmp_x(const void *a, const void *b)
{
    const glyph *g = a, *h = b;
    return g->x1 < h->x1 ? -1 : g->x1 > h->x1;
}

static bool is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0 || cp == 0x3000;
}

/* The cells of one line: a gap wider than GAP_EM times the line's height
 * (a space is about a quarter of it, a column gap several) starts a new cell.
 * Two full cells side by side are only a space apart, like two words: there
 * a word that starts where a cell of another row of the page starts (cols,
 * the x of cells found by their gap) starts a cell too. */
#define GAP_EM 0.8
#define COL_TOLERANCE 1.5   /* points */
#define SHORT_LINE 24       /* characters */
#define HEADER_LINE 40      /* characters of a header line (15 short labels) */
typedef struct colset {
    double *x;
    size_t n, cap;
} colset;

static bool at_column(const colset *cs, double x)
{
    for (size_t i = 0; cs && i < cs->n; i++)
        if (x > cs->x[i] - COL_TOLERANCE && x < cs->x[i] + COL_TOLERANCE)
            return true;
    return false;
}

/* A column starts between x2 (end of one word) and x1 (start of the next):
 * centred header words straddle no column, words of two cells do. */
static bool column_between(const colset *cs, double x2, double x1)
{
    for (size_t i = 0; cs && i < cs->n; i++)
        if (cs->x[i] > x2 && cs->x[i] < x1 + COL_TOLERANCE)
            return true;
    return false;
}

static void line_cells(const glyph *g, const pline *pl, prow *row, const colset *cols)
{
    double h = pl->y2 - pl->y1;
    size_t cap = 8;
    row->cells = gk_imp_xmalloc(cap * sizeof *row->cells);
    row->n = 0;
    row->y1 = pl->y1;
    row->y2 = pl->y2;
    char *buf = gk_imp_xmalloc(pl->n * 4 + 1);
    size_t len = 0;
    double x1 = 0, x2 = 0, last_x2 = 0;
    for (size_t i = 0; i <= pl->n; i++) {
        const glyph *c = i < pl->n ? &g[pl->first + i] : NULL;
        bool split = !c || (len && (c->x1 - last_x2 > GAP_EM * h ||
                                    ((c->word || c->x1 - last_x2 > 0.25 * h) &&
                                     column_between(cols, last_x2, c->x1))));
        if (split && len && row->n < GK_IMP_MAX_CELLS) {
            if (row->n == cap)
                row->cells = gk_imp_xrealloc(row->cells, (cap *= 2) * sizeof *row->cells);
            buf[len] = '\0';
            row->cells[row->n++] = (pcell){gk_imp_xstrdup(buf), x1, x2};
            len = 0;
        }
        if (!c)
            break;
        if (len == 0)
            x1 = c->x1;
        else if (c->x1 - last_x2 > 0.25 * h)
            buf[len++] = ' ';   /* a visible space between words or numbers */
        len += gk_imp_put_utf8(buf + len, c->cp);
        x2 = c->x2;
        last_x2 = c->x2;
    }
    free(buf);
}

/* A label that starts with its numbering ("2.", "3、", "（六）", "四、")
 * begins a cell: nothing wrapped is joined in front of it, and it is never
 * the continuation of the cell above. */
static bool starts_numbered(const char *text)
{
    char *b = gk_imp_norm_basic(text);
    const char *p = b;
    size_t hl = 0;
    bool hit = gk_imp_heading_number(b, &hl) > 0;
    if (!hit && *p == '(') {
        const char *q = strchr(p, ')');
        hit = q && q > p + 1 && q - p <= 10;
    }
    if (!hit && *p >= '0' && *p <= '9') {
        while (*p >= '0' && *p <= '9')
            p++;
        hit = *p == '.' || !strncmp(p, "\xE3\x80\x81", 3);   /* "." or "、" */
    }
    free(b);
    return hit;
}

static char *join_text(const char *a, const char *b)
{
    return gk_imp_xasprintf("%s%s", a, b);
}

/* A line whose cells each lie over one cell of a row just above or below it
 * (gap under half a line) is a wrapped part of that row: its texts join the
 * row's cells; a part left of the row's first cell becomes its first cell. */
static bool merge_into(prow *row, prow *part, bool part_above)
{
    double h = row->y2 - row->y1;
    double gap = part_above ? row->y1 - part->y2 : part->y1 - row->y2;
    if (gap > 0.3 * h || gap < -h || row->n < 2)
        return false;
    /* Each part goes to the row's cell whose column it starts in; a part
     * that starts left of the row's first cell must end before it. */
    /* A line with values is a row of its own, never part of another. */
    for (size_t i = 0; i < part->n; i++)
        if (gk_imp_classify(part->cells[i].text) == GK_V_NUMBER)
            return false;
    int *target = gk_imp_xmalloc((part->n ? part->n : 1) * sizeof *target);
    for (size_t i = 0; i < part->n; i++) {
        target[i] = -1;
        for (size_t j = 0; j < row->n; j++)
            if (row->cells[j].x1 <= part->cells[i].x1 + COL_TOLERANCE)
                target[i] = (int)j;
        /* Only a row whose own line starts with a value lacks its label: a
         * part left of a labelled row is a label spanning several rows.
         * Cells left of the row's first cell must come first in the part. */
        if (target[i] < 0 && !((i == 0 || target[i - 1] < 0) &&
                               part->cells[i].x2 < row->cells[0].x1 + COL_TOLERANCE)) {
            free(target);
            return false;
        }
        /* A wrapped line stays in its column: a part that runs into the
         * row's next cell (a caption across the table, "第二十条第（五）项",
         * printed right below a row) is no part of it. */
        size_t next = (size_t)(target[i] + 1);
        if (next < row->n && part->cells[i].x2 > row->cells[next].x1 + COL_TOLERANCE) {
            free(target);
            return false;
        }
    }
    for (size_t i = 0; i < part->n; i++) {
        if (target[i] < 0 || part->cells[i].x1 > row->cells[target[i]].x2 + COL_TOLERANCE)
            continue;
        if (part_above ? starts_numbered(row->cells[target[i]].text)
                       : starts_numbered(part->cells[i].text)) {
            free(target);
            return false;
        }
    }
    for (size_t i = part->n; i-- > 0;) {
        pcell *pc = &part->cells[i];
        if (target[i] < 0) {   /* the label column, empty on the row's own line */
            row->cells = gk_imp_xrealloc(row->cells, (row->n + 1) * sizeof *row->cells);
            memmove(row->cells + 1, row->cells, row->n * sizeof *row->cells);
            row->cells[0] = (pcell){pc->text, pc->x1, pc->x2};
            row->n++;
            pc->text = NULL;
            for (size_t k = 0; k < i; k++)
                if (target[k] >= 0)
                    target[k]++;
            continue;
        }
        if (pc->x1 > row->cells[target[i]].x2 + COL_TOLERANCE) {
            /* Starts right of its cell's text: a cell of its own, empty on
             * the row's line ("4.保护第三方…" beside the group "（三）"). */
            size_t at = (size_t)target[i] + 1;
            row->cells = gk_imp_xrealloc(row->cells, (row->n + 1) * sizeof *row->cells);
            memmove(row->cells + at + 1, row->cells + at, (row->n - at) * sizeof *row->cells);
            row->cells[at] = (pcell){pc->text, pc->x1, pc->x2};
            row->n++;
            pc->text = NULL;
            continue;
        }
        pcell *rc = &row->cells[target[i]];
        char *t = part_above ? join_text(pc->text, rc->text) : join_text(rc->text, pc->text);
        free(rc->text);
        rc->text = t;
        if (pc->x1 < rc->x1)
            rc->x1 = pc->x1;
        if (pc->x2 > rc->x2)
            rc->x2 = pc->x2;
    }
    free(target);
    if (part_above) {
        row->y1 = part->y1;
    } else {
        row->y2 = part->y2;
    }
    part->dead = true;
    return true;
}

/* "3", "- 3 -", "第 3 页", "第3页 共7页": a page number. */
static bool is_page_number(const char *text)
{
    char *b = gk_imp_norm_basic(text);
    bool digit = false, other = false;
    for (const char *p = b; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digit = true;
        else if (*p != ' ' && *p != '-' && *p != '/')
            other = true;
    }
    bool hit = digit && !other;
    if (!hit && digit && strlen(b) <= 24)
        hit = !strncmp(b, "第", 3) && strstr(b, "页") != NULL;
    free(b);
    return hit;
}

static char *line_text(const glyph *g, const pline *pl)
{
    char *buf = gk_imp_xmalloc(pl->n * 4 + 1);
    size_t len = 0;
    for (size_t i = 0; i < pl->n; i++)
        len += gk_imp_put_utf8(buf + len, g[pl->first + i].cp);
    buf[len] = '\0';
    return buf;
}

static void free_rows(prow *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < rows[i].n; j++)
            free(rows[i].cells[j].text);
        free(rows[i].cells);
    }
    free(rows);
}

/* The whole document's characters and lines; pages are stacked one below
 * the other, so that everything after works on one long page. */
typedef struct pdoc {
    glyph *g;
    size_t n, cap;
    pline *lines;
    size_t nl, lcap;
    double y_end;           /* bottom of the last line kept */
    bool end_cont;          /* that line may go on on the next page */
} pdoc;

/* One page as read, before stacking. */
typedef struct ppage {
    glyph *g;
    size_t n;
    pline *lines;
    size_t nl;
    size_t first, last;     /* lines kept: [first, last) */
    double height;
} ppage;

/* Reads one page's characters and lines; returns its glyph count. */
static size_t read_page(PopplerPage *page, ppage *pg)
{
    memset(pg, 0, sizeof *pg);
    double w = 0, ht = 0;
    poppler_page_get_size(page, &w, &ht);
    pg->height = ht;
    char *text = poppler_page_get_text(page);
    PopplerRectangle *rects = NULL;
    guint n_rects = 0;
    if (!text || !poppler_page_get_text_layout(page, &rects, &n_rects)) {
        g_free(text);
        g_free(rects);
        return 0;
    }
    size_t cap = n_rects ? n_rects : 1, n = 0;
    glyph *g = gk_imp_xmalloc(cap * sizeof *g);
    const char *p = text;
    bool after_space = true;
    for (guint i = 0; i < n_rects && *p; i++) {
        gunichar cp = g_utf8_get_char_validated(p, -1);
        if (cp == (gunichar)-1 || cp == (gunichar)-2)
            break;
        p = g_utf8_next_char(p);
        if (is_space(cp) || cp < 0x20) {
            after_space = true;
            continue;
        }
        PopplerRectangle *r = &rects[i];
        g[n++] = (glyph){r->x1, r->y1, r->x2 > r->x1 ? r->x2 : r->x1, r->y2 > r->y1 ? r->y2 : r->y1,
                         cp, after_space};
        after_space = false;
    }
    g_free(text);
    g_free(rects);
    qsort(g, n, sizeof *g, cmp_y);
    /* Lines: a glyph whose vertical centre lies within the box of the
     * line's first glyph joins it.  The box never grows, so the two lines of
     * a wrapped label and the values centred between them stay apart. */
    pline *lines = gk_imp_xmalloc((n ? n : 1) * sizeof *lines);
    size_t nl = 0;
    for (size_t i = 0; i < n; i++) {
        double c = (g[i].y1 + g[i].y2) / 2;
        if (nl) {
            pline *l = &lines[nl - 1];
            double lc = (l->y1 + l->y2) / 2, h = l->y2 - l->y1;
            if (c - lc <= 0.3 * h) {
                l->n++;
                continue;
            }
        }
        lines[nl++] = (pline){i, 1, g[i].y1, g[i].y2, 0, g[i].y1};
    }
    for (size_t i = 0; i < nl; i++)
        qsort(g + lines[i].first, lines[i].n, sizeof *g, cmp_x);
    /* Page furniture: a page number as the page's first or last line. */
    size_t first = 0, last = nl;
    for (int k = 0; k < 2 && first < last; k++) {
        char *t = line_text(g, &lines[first]);
        bool pn = is_page_number(t);
        free(t);
        if (pn)
            first++;
        if (first < last) {
            t = line_text(g, &lines[last - 1]);
            pn = is_page_number(t);
            free(t);
            if (pn)
                last--;
        }
    }
    pg->g = g;
    pg->n = n;
    pg->lines = lines;
    pg->nl = nl;
    pg->first = first;
    pg->last = last;
    return n;
}

/* A line's text reduced to its shape: digits as '#', blanks dropped, so
 * that "第 2 页" and "第 3 页", or a running title, compare equal. */
static char *line_shape(const glyph *g, const pline *pl)
{
    char *buf = gk_imp_xmalloc(pl->n * 4 + 1);
    size_t len = 0;
    for (size_t i = 0; i < pl->n; i++) {
        uint32_t cp = g[pl->first + i].cp;
        len += gk_imp_put_utf8(buf + len, cp >= '0' && cp <= '9' ? '#' : cp);
    }
    buf[len] = '\0';
    return buf;
}

/* Running headers and footers (the office's name, the report's title,
 * "第 2 页 共 4 页"): a line among the first or last two kept lines of a
 * page, in the top or bottom tenth of the page, whose shape recurs at the
 * same height (within 2 pt) on another page.  Dropped, like page numbers. */
#define FURNITURE_BAND 0.1
#define FURNITURE_LINES 2
static bool running_line(const ppage *pages, size_t np, size_t p, size_t li)
{
    const ppage *pg = &pages[p];
    const pline *pl = &pg->lines[li];
    bool top = pl->y2 < FURNITURE_BAND * pg->height;
    bool bottom = pl->y1 > (1 - FURNITURE_BAND) * pg->height;
    if (!top && !bottom)
        return false;
    char *shape = line_shape(pg->g, pl);
    bool hit = false;
    for (size_t q = 0; q < np && !hit; q++) {
        if (q == p)
            continue;
        const ppage *o = &pages[q];
        for (size_t k = 0; k < FURNITURE_LINES * 2 && !hit; k++) {
            size_t lj = k < FURNITURE_LINES ? o->first + k : o->last - (k - FURNITURE_LINES) - 1;
            if (lj < o->first || lj >= o->last)
                continue;
            const pline *ol = &o->lines[lj];
            if (ol->y1 > pl->y1 + 2 || ol->y1 < pl->y1 - 2)
                continue;
            char *os = line_shape(o->g, ol);
            hit = !strcmp(os, shape);
            free(os);
        }
    }
    free(shape);
    return hit;
}

/* A line that may be cut by the page break (a table row or header split
 * over two pages): short and no heading. */
static bool may_continue(const glyph *g, const pline *pl)
{
    if (pl->n > HEADER_LINE)
        return false;
    char *t = line_text(g, pl);
    char *b = gk_imp_norm_basic(t);
    size_t hl = 0;
    bool heading = gk_imp_heading_number(b, &hl) > 0;
    free(b);
    free(t);
    return !heading;
}

/* Appends page pg (page number no, 1-based) below what d holds.  A page
 * whose first line may continue the last one of the page before is put
 * right below it (a row or header cut by the break joins up); otherwise a
 * line's height apart, as between paragraphs. */
static void stack_page(pdoc *d, ppage *pg, const ppage *pages, size_t np, size_t p, int no)
{
    bool *drop = gk_imp_xmalloc((pg->nl ? pg->nl : 1) * sizeof *drop);
    for (size_t i = 0; i < pg->nl; i++)
        drop[i] = i < pg->first || i >= pg->last;
    for (size_t k = 0; k < FURNITURE_LINES; k++) {
        if (pg->first + k < pg->last && running_line(pages, np, p, pg->first + k))
            drop[pg->first + k] = true;
        if (pg->last >= k + 1 && pg->last - k - 1 >= pg->first &&
            running_line(pages, np, p, pg->last - k - 1))
            drop[pg->last - k - 1] = true;
    }
    size_t first = 0;
    while (first < pg->nl && drop[first])
        first++;
    if (first < pg->nl) {
        const pline *fl = &pg->lines[first];
        bool cont = d->nl && d->end_cont && may_continue(pg->g, fl);
        double off = d->nl ? d->y_end + (cont ? 0.0 : 1.0 * (fl->y2 - fl->y1)) - fl->y1 : 0;
        if (d->n + pg->n > d->cap) {
            d->cap = (d->n + pg->n) * 2;
            d->g = gk_imp_xrealloc(d->g, d->cap * sizeof *d->g);
        }
        if (d->nl + pg->nl > d->lcap) {
            d->lcap = (d->nl + pg->nl) * 2;
            d->lines = gk_imp_xrealloc(d->lines, d->lcap * sizeof *d->lines);
        }
        size_t last_kept = first;
        for (size_t i = first; i < pg->nl; i++) {
            if (drop[i])
                continue;
            pline pl = pg->lines[i];
            pl.first = d->n;
            pl.page = no;
            pl.py = pg->lines[i].y1;
            for (size_t j = 0; j < pl.n; j++) {
                glyph c = pg->g[pg->lines[i].first + j];
                c.y1 += off;
                c.y2 += off;
                d->g[d->n++] = c;
            }
            pl.y1 += off;
            pl.y2 += off;
            d->lines[d->nl++] = pl;
            last_kept = i;
        }
        d->y_end = d->lines[d->nl - 1].y2;
        d->end_cont = may_continue(pg->g, &pg->lines[last_kept]);
    }
    free(drop);
}

/* The column a cell starts in: the last column start at or left of it, or
 * -1 left of every column (the label column). */
static int column_of(const colset *cs, double x1)
{
    int best = -1;
    for (size_t i = 0; i < cs->n; i++)
        if (cs->x[i] <= x1 + COL_TOLERANCE && (best < 0 || cs->x[i] > cs->x[best]))
            best = (int)i;
    return best;
}

/* A header line: short, text only (no values), right of the label column
 * (the row labels' own wraps are joined by merge_into). */
static bool header_line(const prow *r, const pline *pl, const colset *cs)
{
    if (r->dead || !r->n || pl->n > HEADER_LINE)
        return false;
    for (size_t j = 0; j < r->n; j++)
        if (gk_imp_classify(r->cells[j].text) != GK_V_TEXT || column_of(cs, r->cells[j].x1) < 0)
            return false;
    return true;
}

static void row_push(prow *r, pcell c, size_t at)
{
    r->cells = gk_imp_xrealloc(r->cells, (r->n + 1) * sizeof *r->cells);
    memmove(r->cells + at + 1, r->cells + at, (r->n - at) * sizeof *r->cells);
    r->cells[at] = c;
    r->n++;
}

/* A table header printed over several lines, its words centred on
 * different baselines ("科研/机构" beside "商业企业", "自然人" between):
 * consecutive header lines close together become one row, words joined per
 * column top to bottom while they follow each other closely.  A word with a
 * gap below it in its column is a group header over several columns
 * ("法人或其他组织"): it goes on a line of its own before the row. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The value columns of the rows the header heads: the left edges of the
 * values in the lines with values after line i (up to 24 lines on, maybe on
 * the next page), so that columns of other tables on the page do not make
 * a row label look like a header word, and a row with a blank cell does not
 * hide its column.  Sorted by x. */
static bool local_columns(const prow *rows, size_t nl, size_t i, colset *out)
{
    out->n = 0;
    bool seen = false;
    for (size_t k = i + 1; k < nl && k < i + 24; k++) {
        if (rows[k].dead || rows[k].n < 2)
            continue;
        size_t nv = 0;
        for (size_t c = 0; c < rows[k].n; c++) {
            gk_imp_vclass vc = gk_imp_classify(rows[k].cells[c].text);
            if (vc != GK_V_NUMBER && vc != GK_V_NA)
                continue;
            nv++;
            if (at_column(out, rows[k].cells[c].x1))
                continue;
            if (out->n == out->cap)
                out->x = gk_imp_xrealloc(out->x, (out->cap = out->cap ? out->cap * 2 : 16) *
                                                     sizeof *out->x);
            out->x[out->n++] = rows[k].cells[c].x1;
        }
        if (!nv && seen)
            break;   /* the next header: another table's part */
        seen |= nv > 0;
    }
    if (out->n)
        qsort(out->x, out->n, sizeof *out->x, cmp_double);
    return out->n > 0;
}

static void join_header_block(prow *rows, const pline *lines, size_t nl, const colset *global)
{
    colset local = {0};
    for (size_t i = 0; i < nl; i++) {
        const colset *cs = local_columns(rows, nl, i, &local) ? &local : global;
        if (!header_line(&rows[i], &lines[i], cs))
            continue;
        size_t j = i + 1;
        double y2 = rows[i].y2, h = rows[i].y2 - rows[i].y1;
        while (j < nl && header_line(&rows[j], &lines[j], cs) && rows[j].y1 - y2 <= 0.3 * h &&
               rows[j].y1 - y2 >= -h) {
            if (rows[j].y2 > y2)
                y2 = rows[j].y2;
            j++;
        }
        int first_col = rows[i].n ? column_of(cs, rows[i].cells[0].x1) : -1;
        /* Two columns at least, one line with two cells: centred title lines
         * are not a header. */
        bool two = false, wide = false;
        for (size_t k = i; k < j; k++) {
            wide = wide || rows[k].n >= 2;
            for (size_t c = 0; c < rows[k].n && !two; c++)
                two = column_of(cs, rows[k].cells[c].x1) != first_col;
        }
        if (j - i < 2 || !two || !wide) {
            i = j - 1;
            continue;
        }
        prow m = {0}, group = {0};
        double *bottom = gk_imp_xmalloc((size_t)(lines[j - 1].n + 64) * 8 * sizeof *bottom);
        size_t cap_cells = 0;
        for (size_t k = i; k < j; k++)
            cap_cells += rows[k].n;
        bottom = gk_imp_xrealloc(bottom, (cap_cells + 1) * sizeof *bottom);
        /* the page of each bottom: a word continued on the next page (its
         * cell cut by the break) follows on, whatever the gap */
        int *bpage = gk_imp_xmalloc((cap_cells + 1) * sizeof *bpage);
        for (size_t k = i; k < j; k++) {
            for (size_t c = 0; c < rows[k].n; c++) {
                pcell pc = rows[k].cells[c];
                int col = column_of(cs, pc.x1);
                size_t t = 0;
                while (t < m.n && column_of(cs, m.cells[t].x1) < col)
                    t++;
                if (t < m.n && column_of(cs, m.cells[t].x1) == col) {
                    if (rows[k].y1 - bottom[t] <= 0.3 * h || bpage[t] != lines[k].page) {
                        char *joined = join_text(m.cells[t].text, pc.text);
                        free(m.cells[t].text);
                        free(pc.text);
                        m.cells[t].text = joined;
                    } else {
                        row_push(&group, m.cells[t], group.n);
                        m.cells[t] = pc;
                    }
                } else {
                    row_push(&m, pc, t);
                    memmove(bottom + t + 1, bottom + t, (m.n - 1 - t) * sizeof *bottom);
                    memmove(bpage + t + 1, bpage + t, (m.n - 1 - t) * sizeof *bpage);
                }
                bottom[t] = rows[k].y2;
                bpage[t] = lines[k].page;
            }
            free(rows[k].cells);
            rows[k].cells = NULL;
            rows[k].n = 0;
            rows[k].dead = true;
        }
        free(bottom);
        free(bpage);
        m.y1 = rows[j - 1].y1;
        m.y2 = y2;
        rows[j - 1] = m;
        if (group.n) {
            group.y1 = rows[i].y1;
            group.y2 = rows[i].y2;
            rows[i] = group;
        }
        i = j - 1;
    }
    free(local.x);
}

/* A short line whose last word is a value ("行政事业性收费 12.5", a row
 * whose label fills its column, alone between header lines). */
static bool ends_in_value(const prow *r)
{
    if (r->n != 1)
        return false;
    const char *sp = strrchr(r->cells[0].text, ' ');
    if (!sp)
        return false;
    gk_imp_vclass vc = gk_imp_classify(sp + 1);
    return vc == GK_V_NUMBER || vc == GK_V_NA;
}

static bool is_value_text(const char *t)
{
    gk_imp_vclass vc = gk_imp_classify(t);
    return vc == GK_V_NUMBER || vc == GK_V_NA;
}

static size_t first_value(const prow *r)
{
    for (size_t j = 0; j < r->n; j++)
        if (is_value_text(r->cells[j].text))
            return j;
    return r->n;
}

/* Maps the value cells of r (from cell v on) onto the reference columns by
 * their left edges (right when by_x2), in order; false if one misses. */
static bool map_values(const prow *r, size_t v, const prow *ref, size_t rv, bool by_x2, int *at)
{
    size_t g = rv;
    for (size_t j = v; j < r->n; j++) {
        double x = by_x2 ? r->cells[j].x2 : r->cells[j].x1;
        while (g < ref->n && (by_x2 ? ref->cells[g].x2 : ref->cells[g].x1) < x - COL_TOLERANCE)
            g++;
        if (g >= ref->n || (by_x2 ? ref->cells[g].x2 : ref->cells[g].x1) > x + COL_TOLERANCE ||
            !is_value_text(r->cells[j].text))
            return false;
        at[j - v] = (int)(g++ - rv);
    }
    return true;
}

/* Blank cells have no text in a PDF, so a row with an absent cell shows
 * fewer values than its columns and could not be placed (which one is
 * missing?).  Within a block of value rows (between headers and headings),
 * the row with the most values gives the columns; in another row whose
 * every value sits at one of those columns — left edges equal within
 * 1.5 pt, or right edges for right-aligned numbers — the columns without a
 * value get a blank cell, so the row is placed by position, its blanks
 * absent.  A row whose values fit no such column is left as it is. */
static void fill_blank_columns(prow *rows, size_t nl)
{
    for (size_t i = 0; i < nl;) {
        size_t j = i, best = nl, best_nv = 0;
        for (; j < nl; j++) {
            prow *r = &rows[j];
            if (r->dead || !r->n)
                continue;
            size_t v = first_value(r);
            if (v == r->n) {
                if (r->n == 1 && strlen(r->cells[0].text) <= 12 * 3)
                    continue;   /* a group label between rows */
                break;          /* a header or heading ends the block */
            }
            if (r->n - v > best_nv) {
                best_nv = r->n - v;
                best = j;
            }
        }
        for (size_t k = i; best < nl && k < j; k++) {
            prow *r = &rows[k];
            if (r->dead || k == best)
                continue;
            size_t v = first_value(r);
            if (v == r->n || r->n - v >= best_nv)
                continue;
            size_t rv = first_value(&rows[best]);
            int at[GK_IMP_MAX_CELLS];
            if (!map_values(r, v, &rows[best], rv, false, at) &&
                !map_values(r, v, &rows[best], rv, true, at))
                continue;
            size_t nv = r->n - v;
            pcell *cells = gk_imp_xmalloc((v + best_nv) * sizeof *cells);
            memcpy(cells, r->cells, v * sizeof *cells);
            size_t m = 0;
            for (size_t g = 0; g < best_nv; g++) {
                const pcell *rc = &rows[best].cells[rv + g];
                if (m < nv && at[m] == (int)g)
                    cells[v + g] = r->cells[v + m++];
                else
                    cells[v + g] = (pcell){gk_imp_xstrdup(""), rc->x1, rc->x1};
            }
            free(r->cells);
            r->cells = cells;
            r->n = v + best_nv;
        }
        i = j + 1;
    }
}

/* Cells, columns and wrapped lines of the whole document, into doc. */
static void build_doc(const pdoc *d, gk_imp_doc *doc)
{
    const glyph *g = d->g;
    const pline *lines = d->lines;
    size_t nl = d->nl;
    prow *rows = gk_imp_xmalloc((nl ? nl : 1) * sizeof *rows);
    /* First the cells that gaps show, then again with their columns. */
    /* cols: where value cells start (a row's second cell on); splits: where
     * any cell of a row starts (also the sub-labels of a label column,
     * "（四）" beside "1.本机关不掌握…"). */
    colset cols = {0}, splits = {0};
    for (size_t i = 0; i < nl; i++) {
        prow r = {0};
        line_cells(g, &lines[i], &r, NULL);
        for (size_t j = 0; j < r.n && r.n > 1; j++) {
            gk_imp_vclass vc = gk_imp_classify(r.cells[j].text);
            bool value = vc == GK_V_NUMBER || vc == GK_V_NA;
            /* A value starts a value column, also first in its line (the
             * appeals table's label-less row of 15). */
            colset *cs = value ? &cols : &splits;
            for (int twice = 0; twice < 2; twice++, cs = &splits) {
                if (at_column(cs, r.cells[j].x1))
                    continue;
                if (cs->n == cs->cap)
                    cs->x = gk_imp_xrealloc(cs->x, (cs->cap = cs->cap ? cs->cap * 2 : 16) *
                                                       sizeof *cs->x);
                cs->x[cs->n++] = r.cells[j].x1;
                if (cs == &splits)
                    break;
            }
        }
        rows[i] = r;
    }
    /* Re-split rows, and short lines next to a row (a header line of centred
     * words has no wide gap); prose is never split at columns. */
    bool *was_row = gk_imp_xmalloc((nl ? nl : 1) * sizeof *was_row);
    for (size_t i = 0; i < nl; i++)
        was_row[i] = rows[i].n >= 2;
    for (size_t i = 0; i < nl; i++) {
        bool near_row = (i > 0 && was_row[i - 1]) || (i + 1 < nl && was_row[i + 1]) ||
                        (i > 1 && was_row[i - 2]) || (i + 2 < nl && was_row[i + 2]);
        if (!was_row[i] && !(lines[i].n <= SHORT_LINE && (near_row || ends_in_value(&rows[i]))))
            continue;
        for (size_t j = 0; j < rows[i].n; j++)
            free(rows[i].cells[j].text);
        free(rows[i].cells);
        memset(&rows[i], 0, sizeof rows[i]);
        line_cells(g, &lines[i], &rows[i], &splits);
    }
    free(splits.x);
    free(was_row);
    if (cols.n)
        qsort(cols.x, cols.n, sizeof *cols.x, cmp_double);
    join_header_block(rows, lines, nl, &cols);
    free(cols.x);
    /* Wrapped cells: a part above joins the row below it, then a part below
     * joins the row above it (a label that wraps around centred values). */
    /* Bottom up, so that a label wrapped over three lines above its values
     * joins line by line ("1.申请人无正当理由逾/期不补正、行政机关不/…"). */
    for (size_t i = nl ? nl - 1 : 0; i-- > 0;) {
        size_t k = i + 1;   /* the next live line below */
        while (k < nl && rows[k].dead)
            k++;
        if (k < nl && !rows[i].dead && rows[i].n < rows[k].n)
            merge_into(&rows[k], &rows[i], true);
    }
    for (size_t i = 1; i < nl; i++) {
        size_t k = i;   /* the row a part below already joined */
        while (k > 0 && rows[k - 1].dead)
            k--;
        if (k > 0 && !rows[i].dead && rows[i].n < rows[k - 1].n)
            merge_into(&rows[k - 1], &rows[i], false);
    }
    fill_blank_columns(rows, nl);
    /* Prose: the text block's left and right edges, from one-cell lines. */
    double left = 1e9, right = 0;
    for (size_t i = 0; i < nl; i++)
        if (!rows[i].dead && rows[i].n == 1) {
            left = rows[i].cells[0].x1 < left ? rows[i].cells[0].x1 : left;
            right = rows[i].cells[0].x2 > right ? rows[i].cells[0].x2 : right;
        }
    int lineno = 0;
    const prow *prev = NULL;
    for (size_t i = 0; i < nl; i++) {
        prow *r = &rows[i];
        if (r->dead || !r->n)
            continue;
        /* A paragraph's lines: a line that fills the text block from its
         * left edge (or a first-line indent) to its right edge goes on in the
         * next one-cell line that starts at the left edge (no indent),
         * unless that one begins with a numbering. */
        double h = r->y2 - r->y1;
        if (prev && prev->n == 1 && r->n == 1 && doc->n && prev->cells[0].x2 >= right - h &&
            prev->cells[0].x1 <= left + 3 * h &&   /* a full line, not one set right */
            r->cells[0].x1 <= left + COL_TOLERANCE && !starts_numbered(r->cells[0].text)) {
            gk_imp_line *pl = &doc->lines[doc->n - 1];
            char *a = pl->cells[0].text, *b = r->cells[0].text;
            size_t la = strlen(a);
            bool ascii = la && ((a[la - 1] | 32) >= 'a' && (a[la - 1] | 32) <= 'z') &&
                         ((b[0] | 32) >= 'a' && (b[0] | 32) <= 'z');
            char *t = gk_imp_xasprintf("%s%s%s", a, ascii ? " " : "", b);
            free(a);
            pl->cells[0].text = t;
            prev = r;
            continue;
        }
        prev = r;
        gk_imp_line *l = gk_imp_doc_add(doc, r->n > 1 ? GK_LINE_ROW : GK_LINE_TEXT, ++lineno);
        if (!l)
            break;
        l->page = lines[i].page;
        l->y = (int)(lines[i].py + 0.5);
        /* A cell's position is its x, so that header words of several lines
         * sort into their columns; x is also reported for what is unplaced. */
        for (size_t j = 0; j < r->n; j++) {
            gk_imp_line_add_cell(l, r->cells[j].text, strlen(r->cells[j].text),
                                 (int)(r->cells[j].x1 * 10), false);
            if (l->n == j + 1)
                l->cells[j].x = (int)(r->cells[j].x1 + 0.5);
        }
    }
    free_rows(rows, nl);
}

int gk_imp_read_pdf(const char *data, size_t len, gk_imp_doc *doc, char *code, size_t code_len,
                    char *why, size_t why_len)
{
    if (len > GK_IMP_MAX_INPUT) {
        snprintf(code, code_len, "pdf_too_large");
        snprintf(why, why_len, "PDF 文件超过 %u MB 的上限", GK_IMP_MAX_INPUT / (1024 * 1024));
        return -1;
    }
    GBytes *bytes = g_bytes_new(data, len);
    GError *err = NULL;
    PopplerDocument *pd = poppler_document_new_from_bytes(bytes, NULL, &err);
    g_bytes_unref(bytes);
    if (!pd) {
        bool enc = err && err->domain == POPPLER_ERROR && err->code == POPPLER_ERROR_ENCRYPTED;
        snprintf(code, code_len, "%s", enc ? "pdf_encrypted" : "pdf_corrupt");
        snprintf(why, why_len, "%s",
                 enc ? "PDF 文件已加密（需要密码），无法读取；请提供未加密的文件"
                     : "PDF 文件已损坏或不完整，无法读取");
        if (err)
            g_error_free(err);
        return -1;
    }
    int pages = poppler_document_get_n_pages(pd);
    int rc = 0;
    if (pages > GK_IMP_PDF_MAX_PAGES) {
        snprintf(code, code_len, "pdf_too_many_pages");
        snprintf(why, why_len, "PDF 共 %d 页，超过 %d 页的上限", pages, GK_IMP_PDF_MAX_PAGES);
        rc = -1;
    }
    size_t chars = 0;
    pdoc d = {0};
    ppage *pgs = gk_imp_xmalloc((pages > 0 ? (size_t)pages : 1) * sizeof *pgs);
    size_t npg = 0;
    double start = now_ms();
    for (int i = 0; rc == 0 && i < pages; i++) {
        PopplerPage *page = poppler_document_get_page(pd, i);
        if (!page)
            continue;
        chars += read_page(page, &pgs[npg]);
        pgs[npg].height = pgs[npg].height > 0 ? pgs[npg].height : 842;
        npg++;
        g_object_unref(page);
        if (chars > GK_IMP_PDF_MAX_CHARS) {
            snprintf(code, code_len, "pdf_too_large");
            snprintf(why, why_len, "PDF 文字超过 %d 个字符的上限", GK_IMP_PDF_MAX_CHARS);
            rc = -1;
        } else if (now_ms() - start > GK_IMP_PDF_MAX_MS) {
            snprintf(code, code_len, "pdf_timeout");
            snprintf(why, why_len, "读取 PDF 超过 %d 秒的时限（第 %d 页）", GK_IMP_PDF_MAX_MS / 1000,
                     i + 1);
            rc = -1;
        }
    }
    g_object_unref(pd);
    for (size_t i = 0; rc == 0 && i < npg; i++)
        stack_page(&d, &pgs[i], pgs, npg, i, (int)i + 1);
    for (size_t i = 0; i < npg; i++) {
        free(pgs[i].g);
        free(pgs[i].lines);
    }
    free(pgs);
    if (rc == 0 && chars > 0)
        build_doc(&d, doc);
    free(d.g);
    free(d.lines);
    if (rc == 0 && chars == 0) {
        snprintf(code, code_len, "pdf_no_text");
        snprintf(why, why_len, "%s",
                 "PDF 中没有文字层（可能是扫描件或图片），无法读取；请提供 Word、WPS 或网页版本，"
                 "或先进行文字识别（OCR）");
        rc = -1;
    }
    return rc;
}
