/* htmlread.c — published HTML to a document of lines, with libxml2's
 * tolerant HTML parser.
 *
 * Flow content (paragraphs, headings, <br>-separated text) becomes one-cell
 * lines.  A data table becomes one line per <tr>, laid on a grid so that
 * rowspan/colspan put every cell in its real column; the cells a span covers
 * are repeated as copies, so a row label spanning rows is still beside its
 * numbers.  Portals often wrap the whole page in layout tables: a table that
 * holds another table, or only one cell, is read as flow, not as data. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include "imp.h"

typedef gk_imp_buf buf;

/* Appends text with HTML's whitespace collapsing (runs → one space). */
static void buf_add_collapsed(buf *b, const char *s)
{
    for (; *s; s++) {
        char c = *s;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            if (b->n && b->s[b->n - 1] != ' ' && b->s[b->n - 1] != '\n')
                gk_imp_buf_add(b, " ", 1);
        } else {
            gk_imp_buf_add(b, &c, 1);
        }
    }
}

static bool name_is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->name && !strcasecmp((const char *)n->name, name);
}

static bool is_block(const xmlNode *n)
{
    static const char *const blocks[] = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li",
                                         "ul", "ol", "section", "article", "center", "blockquote",
                                         "pre", "tr", "table", "body", "form", "dd", "dt", "dl",
                                         "header", "footer", "main", "caption", NULL};
    for (size_t i = 0; blocks[i]; i++)
        if (name_is(n, blocks[i]))
            return true;
    return false;
}

static bool skipped(const xmlNode *n)
{
    return name_is(n, "script") || name_is(n, "style") || name_is(n, "head") ||
           name_is(n, "noscript") || name_is(n, "template");
}

typedef struct reader {
    gk_imp_doc *doc;
    buf text;        /* the current flow line */
    int text_line;   /* its source line */
    int tables;      /* data tables seen */
} reader;

static void flush_text(reader *r)
{
    if (r->text.n) {
        gk_imp_line *l = gk_imp_doc_add(r->doc, GK_LINE_TEXT, r->text_line);
        if (l) {
            gk_imp_line_add_cell(l, r->text.s, r->text.n, 0, false);
            if (!l->cells || !l->cells[0].text[0]) {
                for (size_t j = 0; j < l->n; j++)
                    free(l->cells[j].text);
                free(l->cells);
                r->doc->n--;
            }
        }
        r->text.n = 0;
    }
}

static void buf_space(buf *b)
{
    if (b->n && b->s[b->n - 1] != ' ')
        gk_imp_buf_add(b, " ", 1);
}

/* Text of a cell: its text nodes, <br> and blocks as a space. */
static void cell_text(const xmlNode *n, buf *b)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            buf_add_collapsed(b, (const char *)c->content);
        } else if (c->type == XML_ELEMENT_NODE && !skipped(c)) {
            if (name_is(c, "br") || is_block(c))
                buf_space(b);
            cell_text(c, b);
            if (is_block(c))
                buf_space(b);
        }
    }
}

static bool has_descendant_table(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (name_is(c, "table") || (c->type == XML_ELEMENT_NODE && has_descendant_table(c)))
            return true;
    }
    return false;
}

/* The <tr> of a table in order, through thead/tbody/tfoot but not into
 * nested tables. */
static void collect_rows(const xmlNode *n, const xmlNode ***rows, size_t *nrows)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (name_is(c, "tr")) {
            *rows = gk_imp_xrealloc(*rows, (*nrows + 1) * sizeof **rows);
            (*rows)[(*nrows)++] = c;
        } else if (name_is(c, "thead") || name_is(c, "tbody") || name_is(c, "tfoot")) {
            collect_rows(c, rows, nrows);
        }
    }
}

static int span_attr(const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v)
        return 1;
    long k = strtol((const char *)v, NULL, 10);
    xmlFree(v);
    if (k < 1)
        k = 1;
    if (k > GK_IMP_MAX_SPAN)
        k = GK_IMP_MAX_SPAN;
    return (int)k;
}

static size_t count_cells(const xmlNode **rows, size_t nrows)
{
    size_t k = 0;
    for (size_t i = 0; i < nrows; i++)
        for (const xmlNode *c = rows[i]->children; c; c = c->next)
            if (name_is(c, "td") || name_is(c, "th"))
                k++;
    return k;
}

static void walk(reader *r, const xmlNode *n);

/* A grid cell: the text and whether it is the span's origin. */
typedef struct gcell {
    const char *text;   /* borrowed from texts[] */
    bool used, copy;
} gcell;

static void read_table(reader *r, const xmlNode *table)
{
    const xmlNode **rows = NULL;
    size_t nrows = 0;
    collect_rows(table, &rows, &nrows);
    if (has_descendant_table(table) || count_cells(rows, nrows) <= 1) {
        /* Layout table: its cells are flow containers. */
        free(rows);
        for (const xmlNode *c = table->children; c; c = c->next)
            walk(r, c);
        flush_text(r);
        return;
    }
    flush_text(r);
    r->tables++;
    if (nrows > GK_IMP_MAX_TABLE_ROWS)
        nrows = GK_IMP_MAX_TABLE_ROWS;
    /* The grid is as wide as the widest row's colspans (bounded). */
    size_t width = 1;
    for (size_t i = 0; i < nrows; i++) {
        size_t w = 0;
        for (const xmlNode *c = rows[i]->children; c; c = c->next)
            if (name_is(c, "td") || name_is(c, "th"))
                w += (size_t)span_attr(c, "colspan");
        if (w > width)
            width = w;
    }
    if (width > GK_IMP_MAX_CELLS)
        width = GK_IMP_MAX_CELLS;
    gcell *grid = calloc(nrows * width + 1, sizeof *grid);
    char **texts = NULL;
    size_t ntexts = 0;
    if (!grid)
        abort();
    for (size_t i = 0; i < nrows; i++) {
        size_t col = 0;
        for (const xmlNode *c = rows[i]->children; c; c = c->next) {
            if (!name_is(c, "td") && !name_is(c, "th"))
                continue;
            while (col < width && grid[i * width + col].used)
                col++;
            if (col >= width)
                break;
            buf b = {0};
            cell_text(c, &b);
            texts = gk_imp_xrealloc(texts, (ntexts + 1) * sizeof *texts);
            texts[ntexts++] = b.s ? b.s : gk_imp_xstrdup("");
            int rs = span_attr(c, "rowspan"), cs = span_attr(c, "colspan");
            for (size_t di = 0; di < (size_t)rs && i + di < nrows; di++)
                for (size_t dj = 0; dj < (size_t)cs && col + dj < width; dj++) {
                    gcell *g = &grid[(i + di) * width + col + dj];
                    if (g->used)
                        continue;   /* overlapping spans: the first one wins */
                    g->used = true;
                    g->text = texts[ntexts - 1];
                    g->copy = di || dj;
                }
            col += (size_t)cs;
        }
    }
    for (size_t i = 0; i < nrows; i++) {
        size_t last = 0;
        for (size_t j = 0; j < width; j++)
            if (grid[i * width + j].used)
                last = j + 1;
        gk_imp_line *l = gk_imp_doc_add(r->doc, GK_LINE_ROW, xmlGetLineNo(rows[i]) > 0 ?
                                                             (int)xmlGetLineNo(rows[i]) : 0);
        if (!l)
            break;
        l->table = r->tables;
        l->row = (int)i + 1;
        for (size_t j = 0; j < last; j++) {
            const gcell *g = &grid[i * width + j];
            const char *t = g->used ? g->text : "";
            gk_imp_line_add_cell(l, t, strlen(t), (int)j + 1, g->copy);
        }
        if (gk_imp_line_nonblank(l, false) == 0) {
            for (size_t j = 0; j < l->n; j++)
                free(l->cells[j].text);
            free(l->cells);
            r->doc->n--;
        }
    }
    for (size_t i = 0; i < ntexts; i++)
        free(texts[i]);
    free(texts);
    free(grid);
    free(rows);
}

static void walk(reader *r, const xmlNode *n)
{
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        const char *t = (const char *)n->content;
        if (!r->text.n)
            r->text_line = n->line > 0 ? (int)n->line : 0;
        buf_add_collapsed(&r->text, t);
        return;
    }
    if (n->type != XML_ELEMENT_NODE || skipped(n))
        return;
    if (name_is(n, "table")) {
        flush_text(r);
        read_table(r, n);
        return;
    }
    if (name_is(n, "br")) {
        flush_text(r);
        return;
    }
    bool block = is_block(n) || name_is(n, "td") || name_is(n, "th");
    if (block)
        flush_text(r);
    if (name_is(n, "pre")) {
        /* Preformatted text keeps its lines. */
        for (const xmlNode *c = n->children; c; c = c->next) {
            if (c->type == XML_TEXT_NODE) {
                const char *s = (const char *)c->content;
                int line = c->line > 0 ? (int)c->line : 0;
                while (*s) {
                    const char *e = strchr(s, '\n');
                    size_t k = e ? (size_t)(e - s) : strlen(s);
                    if (!r->text.n)
                        r->text_line = line;
                    gk_imp_buf_add(&r->text, s, k);
                    if (!e)
                        break;
                    flush_text(r);
                    line++;
                    s = e + 1;
                }
            } else {
                walk(r, c);
            }
        }
        flush_text(r);
        return;
    }
    for (const xmlNode *c = n->children; c; c = c->next)
        walk(r, c);
    if (block)
        flush_text(r);
}

/* libxml2 reads HTML without a charset declaration as Latin-1; ours is
 * UTF-8 unless the page declares otherwise. */
static bool declares_charset(const char *data, size_t len)
{
    size_t n = len < 4096 ? len : 4096;
    for (size_t i = 0; i + 8 <= n; i++)
        if (!strncasecmp(data + i, "charset=", 8))
            return true;
    return false;
}

int gk_imp_read_html(const char *data, size_t len, bool utf8, gk_imp_doc *doc)
{
    if (len > GK_IMP_MAX_INPUT)
        len = GK_IMP_MAX_INPUT;
    int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET;
    htmlDocPtr d = htmlReadMemory(data, (int)len, NULL,
                                  !utf8 && declares_charset(data, len) ? NULL : "UTF-8", opts);
    if (!d)
        return -1;
    reader r = {.doc = doc};
    xmlNode *root = xmlDocGetRootElement(d);
    if (root)
        walk(&r, root);
    flush_text(&r);
    free(r.text.s);
    xmlFreeDoc(d);
    return 0;
}
