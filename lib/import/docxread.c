/* docxread.c — a Word document (.docx, word/document.xml) to the document
 * of lines that the text and HTML readers produce, so that one placement
 * engine serves all three.
 *
 * Paragraphs become one-cell lines in document order; a table becomes one
 * line per w:tr laid on a grid: w:gridBefore, w:gridSpan and w:vMerge put
 * every cell in its grid column, and the cells a span or a vertical merge
 * covers are copies of its origin (as HTML's rowspan/colspan).  What Word
 * shows is what counts: tracked insertions are read, deletions (w:del,
 * w:moveFrom) are not; text inside content controls (w:sdt), hyperlinks,
 * smart tags and fields (their result, not their code) is read.  Headings
 * numbered by Word's automatic numbering (w:numPr, numbering.xml) get the
 * numeral Word prints ("一、"), since the text itself says only 总体情况. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "imp.h"
#include "ooxml.h"

#define MAX_NUMS 512     /* w:num entries kept from numbering.xml */
#define MAX_LEVELS 9

typedef struct lvl {
    int start;
    char fmt[32];        /* w:numFmt: decimal, chineseCounting, bullet, … */
    char text[64];       /* w:lvlText: "%1、" */
} lvl;

typedef struct numdef {
    int id;              /* w:numId */
    lvl lv[MAX_LEVELS];
    int count[MAX_LEVELS];
} numdef;

typedef gk_imp_buf buf;

typedef struct reader {
    gk_imp_doc *doc;
    int block;           /* paragraphs and table rows so far: the "line" */
    int tables;
    numdef *nums;
    size_t nnums;
} reader;

static int int_attr(const xmlNode *n, const char *local, int dflt)
{
    char *v = gk_ooxml_attr(n, local);
    if (!v)
        return dflt;
    long k = strtol(v, NULL, 10);
    xmlFree(v);
    return k < -1000000 ? -1000000 : k > 1000000 ? 1000000 : (int)k;
}

static const xmlNode *child(const xmlNode *n, const char *local)
{
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (gk_ooxml_is(c, local))
            return c;
    return NULL;
}

/* --- numbering.xml --- */

static void read_level(const xmlNode *l, lvl *out)
{
    out->start = 1;
    const xmlNode *s = child(l, "start"), *f = child(l, "numFmt"), *t = child(l, "lvlText");
    if (s)
        out->start = int_attr(s, "val", 1);
    char *v;
    if (f && (v = gk_ooxml_attr(f, "val"))) {
        snprintf(out->fmt, sizeof out->fmt, "%s", v);
        xmlFree(v);
    }
    if (t && (v = gk_ooxml_attr(t, "val"))) {
        snprintf(out->text, sizeof out->text, "%s", v);
        xmlFree(v);
    }
}

static void read_numbering(reader *r, xmlDocPtr d)
{
    const xmlNode *root = xmlDocGetRootElement(d);
    size_t nabs = 0;
    for (const xmlNode *c = root ? root->children : NULL; c; c = c->next)
        if (gk_ooxml_is(c, "abstractNum"))
            nabs++;
    if (nabs > MAX_NUMS)
        nabs = MAX_NUMS;
    typedef struct { int id; lvl lv[MAX_LEVELS]; } absdef;
    absdef *abs = calloc(nabs + 1, sizeof *abs);
    if (!abs)
        abort();
    size_t k = 0;
    for (const xmlNode *c = root ? root->children : NULL; c && k < nabs; c = c->next) {
        if (!gk_ooxml_is(c, "abstractNum"))
            continue;
        abs[k].id = int_attr(c, "abstractNumId", -1);
        for (const xmlNode *l = c->children; l; l = l->next) {
            int il = gk_ooxml_is(l, "lvl") ? int_attr(l, "ilvl", -1) : -1;
            if (il >= 0 && il < MAX_LEVELS)
                read_level(l, &abs[k].lv[il]);
        }
        k++;
    }
    for (const xmlNode *c = root ? root->children : NULL; c; c = c->next) {
        if (!gk_ooxml_is(c, "num") || r->nnums >= MAX_NUMS)
            continue;
        const xmlNode *a = child(c, "abstractNumId");
        int aid = a ? int_attr(a, "val", -1) : -1;
        for (size_t i = 0; i < nabs; i++) {
            if (abs[i].id != aid)
                continue;
            r->nums = gk_imp_xrealloc(r->nums, (r->nnums + 1) * sizeof *r->nums);
            numdef *nd = &r->nums[r->nnums++];
            memset(nd, 0, sizeof *nd);
            nd->id = int_attr(c, "numId", -1);
            memcpy(nd->lv, abs[i].lv, sizeof nd->lv);
            break;
        }
    }
    free(abs);
}

/* Chinese numerals as Word prints chineseCounting: 一 … 十, 十一, 二十一 (to 99). */
static void chinese(int v, buf *b)
{
    static const char *const d[] = {"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    if (v < 1 || v > 99) {
        char t[16];
        int k = snprintf(t, sizeof t, "%d", v);
        gk_imp_buf_add(b, t, (size_t)k);
        return;
    }
    if (v >= 20)
        gk_imp_buf_add(b, d[v / 10], strlen(d[v / 10]));
    if (v >= 10)
        gk_imp_buf_add(b, "十", strlen("十"));
    if (v % 10)
        gk_imp_buf_add(b, d[v % 10], strlen(d[v % 10]));
}

static void format_level(const lvl *l, int v, buf *b)
{
    if (!strncmp(l->fmt, "chinese", 7) || !strncmp(l->fmt, "ideograph", 9) ||
        !strcmp(l->fmt, "taiwaneseCounting")) {
        chinese(v, b);
    } else {
        char t[16];
        int k = snprintf(t, sizeof t, "%d", v);
        gk_imp_buf_add(b, t, (size_t)k);
    }
}

/* The numeral Word prints before a numbered paragraph, or "" (bullets). */
static void number_prefix(reader *r, const xmlNode *ppr, buf *out)
{
    const xmlNode *np = child(ppr, "numPr");
    if (!np)
        return;
    const xmlNode *idn = child(np, "numId"), *iln = child(np, "ilvl");
    int id = idn ? int_attr(idn, "val", 0) : 0, il = iln ? int_attr(iln, "val", 0) : 0;
    if (id <= 0 || il < 0 || il >= MAX_LEVELS)
        return;
    numdef *nd = NULL;
    for (size_t i = 0; i < r->nnums; i++)
        if (r->nums[i].id == id)
            nd = &r->nums[i];
    if (!nd || !strcmp(nd->lv[il].fmt, "bullet") || !strcmp(nd->lv[il].fmt, "none"))
        return;
    nd->count[il] = nd->count[il] ? nd->count[il] + 1 : nd->lv[il].start;
    for (int j = il + 1; j < MAX_LEVELS; j++)
        nd->count[j] = 0;
    for (const char *p = nd->lv[il].text; *p; p++) {
        if (p[0] == '%' && p[1] >= '1' && p[1] <= '9') {
            int k = p[1] - '1';
            format_level(&nd->lv[k], nd->count[k] ? nd->count[k] : nd->lv[k].start, out);
            p++;
        } else {
            gk_imp_buf_add(out, p, 1);
        }
    }
}

/* --- text --- */

/* The text Word shows for the runs under n: w:t, tabs and breaks; deleted
 * and moved-away text, field codes and properties skipped. */
static void run_text(const xmlNode *n, buf *b)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (gk_ooxml_is(c, "t")) {
            xmlChar *t = xmlNodeGetContent(c);
            if (t) {
                gk_imp_buf_add(b, (const char *)t, strlen((const char *)t));
                xmlFree(t);
            }
        } else if (gk_ooxml_is(c, "tab")) {
            gk_imp_buf_add(b, " ", 1);
        } else if (gk_ooxml_is(c, "br") || gk_ooxml_is(c, "cr")) {
            gk_imp_buf_add(b, "\n", 1);
        } else if (gk_ooxml_is(c, "del") || gk_ooxml_is(c, "moveFrom") ||
                   gk_ooxml_is(c, "delText") || gk_ooxml_is(c, "instrText") ||
                   gk_ooxml_is(c, "pPr") || gk_ooxml_is(c, "rPr") || gk_ooxml_is(c, "tbl") ||
                   gk_ooxml_is(c, "sdtPr") || gk_ooxml_is(c, "footnoteReference")) {
            continue;
        } else {
            run_text(c, b);   /* r, ins, hyperlink, sdt, sdtContent, fldSimple, smartTag, … */
        }
    }
}

static void emit_text(reader *r, const char *s)
{
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t k = e ? (size_t)(e - s) : strlen(s);
        gk_imp_line *l = gk_imp_doc_add(r->doc, GK_LINE_TEXT, r->block);
        if (l) {
            gk_imp_line_add_cell(l, s, k, 0, false);
            if (!l->cells[0].text[0]) {
                free(l->cells[0].text);
                free(l->cells);
                r->doc->n--;
            }
        }
        if (!e)
            break;
        s = e + 1;
    }
}

static void paragraph(reader *r, const xmlNode *p)
{
    buf b = {0};
    r->block++;
    number_prefix(r, child(p, "pPr"), &b);
    run_text(p, &b);
    if (b.s)
        emit_text(r, b.s);
    free(b.s);
}

/* A cell's text: its paragraphs (and any nested table's) joined by a space. */
static void cell_text(const xmlNode *n, buf *b)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (gk_ooxml_is(c, "p")) {
            if (b->n && b->s[b->n - 1] != ' ')
                gk_imp_buf_add(b, " ", 1);
            size_t from = b->n;
            run_text(c, b);
            for (size_t i = from; i < b->n; i++)
                if (b->s[i] == '\n')
                    b->s[i] = ' ';
        } else if (c->type == XML_ELEMENT_NODE && !gk_ooxml_is(c, "tcPr")) {
            cell_text(c, b);
        }
    }
}

/* --- tables --- */

static void body(reader *r, const xmlNode *n);

/* Children named local, looking through content controls (w:sdt) and
 * custom XML wrappers, which may wrap rows or cells. */
static void collect(const xmlNode *n, const char *local, const xmlNode ***out, size_t *k)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (gk_ooxml_is(c, local)) {
            *out = gk_imp_xrealloc(*out, (*k + 1) * sizeof **out);
            (*out)[(*k)++] = c;
        } else if (gk_ooxml_is(c, "sdt") || gk_ooxml_is(c, "sdtContent") ||
                   gk_ooxml_is(c, "customXml")) {
            collect(c, local, out, k);
        }
    }
}

static bool has_table(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if (gk_ooxml_is(c, "tbl") || (c->type == XML_ELEMENT_NODE && has_table(c)))
            return true;
    return false;
}

typedef struct gcell {
    char *text;      /* owned by the origin */
    bool used, copy;
} gcell;

static void table(reader *r, const xmlNode *tbl)
{
    const xmlNode **rows = NULL;
    size_t nrows = 0, ncells = 0;
    collect(tbl, "tr", &rows, &nrows);
    for (size_t i = 0; i < nrows; i++) {
        const xmlNode **tcs = NULL;
        size_t k = 0;
        collect(rows[i], "tc", &tcs, &k);
        ncells += k;
        free(tcs);
    }
    if (has_table(tbl) || ncells <= 1) {
        /* A layout table (a frame, or tables inside tables): read as flow. */
        free(rows);
        for (const xmlNode *c = tbl->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE)
                body(r, c);
        return;
    }
    r->tables++;
    if (nrows > GK_IMP_MAX_TABLE_ROWS)
        nrows = GK_IMP_MAX_TABLE_ROWS;
    size_t width = GK_IMP_MAX_CELLS;
    gcell *grid = calloc(nrows * width + 1, sizeof *grid);
    if (!grid)
        abort();
    for (size_t i = 0; i < nrows; i++) {
        const xmlNode *trpr = child(rows[i], "trPr"), *gb = child(trpr, "gridBefore");
        int before = gb ? int_attr(gb, "val", 0) : 0;
        size_t col = before > 0 ? (size_t)(before < GK_IMP_MAX_SPAN ? before : GK_IMP_MAX_SPAN) : 0;
        const xmlNode **tcs = NULL;
        size_t k = 0;
        collect(rows[i], "tc", &tcs, &k);
        for (size_t j = 0; j < k && col < width; j++) {
            const xmlNode *pr = child(tcs[j], "tcPr");
            const xmlNode *gs = child(pr, "gridSpan"), *vm = child(pr, "vMerge");
            int span = gs ? int_attr(gs, "val", 1) : 1;
            if (span < 1)
                span = 1;
            if (span > GK_IMP_MAX_SPAN)
                span = GK_IMP_MAX_SPAN;
            bool cont = false;
            if (vm) {
                char *v = gk_ooxml_attr(vm, "val");
                cont = !v || !strcmp(v, "continue");
                xmlFree(v);
            }
            for (size_t dj = 0; dj < (size_t)span && col + dj < width; dj++) {
                gcell *g = &grid[i * width + col + dj];
                g->used = true;
                if (cont && i > 0 && grid[(i - 1) * width + col + dj].used) {
                    g->text = grid[(i - 1) * width + col + dj].text;
                    g->copy = true;
                } else if (dj == 0) {
                    buf b = {0};
                    cell_text(tcs[j], &b);
                    g->text = b.s ? b.s : gk_imp_xstrdup("");
                } else {
                    g->text = grid[i * width + col].text;
                    g->copy = true;
                }
            }
            col += (size_t)span;
        }
        free(tcs);
    }
    for (size_t i = 0; i < nrows; i++) {
        r->block++;
        size_t last = 0;
        for (size_t j = 0; j < width; j++)
            if (grid[i * width + j].used)
                last = j + 1;
        gk_imp_line *l = gk_imp_doc_add(r->doc, GK_LINE_ROW, r->block);
        if (!l)
            break;
        l->table = r->tables;
        l->row = (int)i + 1;
        for (size_t j = 0; j < last; j++) {
            const gcell *g = &grid[i * width + j];
            const char *t = g->used && g->text ? g->text : "";
            gk_imp_line_add_cell(l, t, strlen(t), (int)j + 1, g->copy);
        }
        if (gk_imp_line_nonblank(l, false) == 0) {
            for (size_t j = 0; j < l->n; j++)
                free(l->cells[j].text);
            free(l->cells);
            r->doc->n--;
        }
    }
    for (size_t i = 0; i < nrows * width; i++)
        if (grid[i].used && !grid[i].copy)
            free(grid[i].text);
    free(grid);
    free(rows);
}

/* Block-level content in document order. */
static void body(reader *r, const xmlNode *n)
{
    if (gk_ooxml_is(n, "p")) {
        paragraph(r, n);
        return;
    }
    if (gk_ooxml_is(n, "tbl")) {
        table(r, n);
        return;
    }
    if (gk_ooxml_is(n, "del") || gk_ooxml_is(n, "moveFrom") || gk_ooxml_is(n, "sectPr") ||
        gk_ooxml_is(n, "sdtPr") || gk_ooxml_is(n, "tblPr") || gk_ooxml_is(n, "tblGrid") ||
        gk_ooxml_is(n, "trPr") || gk_ooxml_is(n, "tcPr"))
        return;
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            body(r, c);
}

int gk_imp_read_docx(gk_ooxml *z, gk_imp_doc *doc, char code[48], char msg[320])
{
    reader r = {.doc = doc};
    xmlDocPtr num = gk_ooxml_xml(z, "word/numbering.xml", 1, code, msg);
    if (!num && code[0])
        return -1;
    if (num) {
        read_numbering(&r, num);
        xmlFreeDoc(num);
    }
    xmlDocPtr d = gk_ooxml_xml(z, "word/document.xml", 0, code, msg);
    if (!d) {
        free(r.nums);
        return -1;
    }
    const xmlNode *root = xmlDocGetRootElement(d);
    const xmlNode *b = child(root, "body");
    if (b)
        body(&r, b);
    xmlFreeDoc(d);
    free(r.nums);
    if (r.tables == 0) {
        snprintf(code, 48, "docx_no_table");
        snprintf(msg, 320, "Word 文档中没有表格：年度报告的三张统计表须以 Word 表格填写");
        return -1;
    }
    return 0;
}
