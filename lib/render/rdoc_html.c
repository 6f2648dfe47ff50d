/* rdoc_html.c — a gk_rdoc as one self-contained HTML page (UTF-8, inline
 * CSS, no script): what a township puts on its portal, and what the PDF
 * printer (Chromium or LibreOffice) lays out.  Merged cells are rowspan /
 * colspan, exactly as the printed format merges them. */
#include <string.h>
#include "rbuf.h"
#include "rdoc.h"


/* Text with "\n" as <br />. */
static void put_lines(gk_rbuf *b, const char *s)
{
    for (;;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        gk_rbuf_esc(b, s, n);
        if (!nl)
            break;
        gk_rbuf_puts(b, "<br />");
        s = nl + 1;
    }
}

static void put_table(gk_rbuf *b, const gk_rtable *t)
{
    unsigned total = 0;
    for (size_t c = 0; c < t->n_cols; c++)
        total += t->widths[c];
    gk_rbuf_puts(b, "<table class=\"gk\">\n");
    if (t->caption) {
        gk_rbuf_puts(b, "<caption>");
        put_lines(b, t->caption);
        gk_rbuf_puts(b, "</caption>\n");
    }
    gk_rbuf_puts(b, "<colgroup>");
    for (size_t c = 0; c < t->n_cols; c++)
        gk_rbuf_printf(b, "<col style=\"width:%.1f%%\" />", 100.0 * t->widths[c] / total);
    gk_rbuf_puts(b, "</colgroup>\n");
    for (size_t r = 0; r < t->n_rows; r++) {
        gk_rbuf_puts(b, "<tr>");
        for (size_t c = 0; c < t->n_cols; c++) {
            const gk_rcell *cell = gk_rtable_covering(t, r, c);
            if (cell && (cell->row != r || cell->col != c))
                continue;
            if (!cell) {
                gk_rbuf_puts(b, "<td></td>");
                continue;
            }
            const char *tag = cell->flags & GK_RCELL_HEADER ? "th" : "td";
            gk_rbuf_printf(b, "<%s", tag);
            if (cell->rowspan > 1)
                gk_rbuf_printf(b, " rowspan=\"%zu\"", cell->rowspan);
            if (cell->colspan > 1)
                gk_rbuf_printf(b, " colspan=\"%zu\"", cell->colspan);
            if (cell->flags & GK_RCELL_NUMBER)
                gk_rbuf_puts(b, " class=\"n\"");
            gk_rbuf_puts(b, ">");
            put_lines(b, cell->text);
            gk_rbuf_printf(b, "</%s>", tag);
        }
        gk_rbuf_puts(b, "</tr>\n");
    }
    gk_rbuf_puts(b, "</table>\n");
}

char *gk_rdoc_html(const gk_rdoc *d, size_t *len)
{
    gk_rbuf b = {0};
    gk_rbuf_puts(&b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\" />\n"
                     "<meta name=\"generator\" content=\"gongkai\" />\n<title>");
    gk_rbuf_esc(&b, d->title, strlen(d->title));
    gk_rbuf_puts(&b,
                 "</title>\n<style>\n"
                 "body{font-family:\"FangSong\",\"仿宋\",\"SimSun\",\"Noto Serif CJK SC\",serif;"
                 "font-size:16px;line-height:1.6;max-width:60em;margin:2em auto;padding:0 1em}\n"
                 "h1{font-family:\"SimHei\",\"黑体\",\"Noto Sans CJK SC\",sans-serif;font-size:22px;"
                 "text-align:center;font-weight:normal}\n"
                 "h2{font-family:\"SimHei\",\"黑体\",\"Noto Sans CJK SC\",sans-serif;font-size:16px;"
                 "font-weight:normal;margin:1.2em 0 .4em}\n"
                 "p{text-indent:2em;margin:.3em 0}\n"
                 "p.c{text-align:center;text-indent:0}\np.r{text-align:right;text-indent:0}\n"
                 "table.gk{border-collapse:collapse;width:100%;margin:.6em 0;font-size:14px}\n"
                 "table.gk th,table.gk td{border:1px solid #000;padding:2px 4px;"
                 "text-align:center;vertical-align:middle;font-weight:normal}\n"
                 "table.gk td.n{text-align:right}\n"
                 "@media print{body{margin:0;max-width:none}table.gk{page-break-inside:auto}"
                 "tr{page-break-inside:avoid}}\n"
                 "</style>\n</head>\n<body>\n");
    for (size_t i = 0; i < d->n; i++) {
        const gk_rblock *bl = &d->blocks[i];
        switch (bl->kind) {
        case GK_RB_HEADING:
            gk_rbuf_printf(&b, "<h%d>", bl->level);
            put_lines(&b, bl->text);
            gk_rbuf_printf(&b, "</h%d>\n", bl->level);
            break;
        case GK_RB_PARAGRAPH:
            gk_rbuf_puts(&b, bl->align == GK_RALIGN_CENTER ? "<p class=\"c\">"
                             : bl->align == GK_RALIGN_RIGHT ? "<p class=\"r\">"
                                                             : "<p>");
            put_lines(&b, bl->text);
            gk_rbuf_puts(&b, "</p>\n");
            break;
        case GK_RB_TABLE:
            put_table(&b, bl->table);
            break;
        }
    }
    gk_rbuf_puts(&b, "</body>\n</html>\n");
    if (len)
        *len = b.n;
    return b.s;
}
