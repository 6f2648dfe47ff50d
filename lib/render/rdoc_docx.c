/* rdoc_docx.c — a gk_rdoc as a Word package (.docx, WordprocessingML),
 * written with libzip in memory.
 *
 * Why by hand and not through a converter: the daemon answers
 * ?format=docx inside its event loop, and the file must import back exactly
 * (tests/render).  The package is the minimum Word, WPS and LibreOffice open
 * without "repair": [Content_Types].xml, the relationships, word/document.xml
 * with real w:tbl tables (merged cells as w:gridSpan and w:vMerge), a
 * styles part (标题 黑体, body 仿宋, the table grid) and core properties.
 * Page: A4 with the margins of GB/T 9704 (公文格式).  Zip entries carry a
 * fixed time, so the same document gives the same bytes (ETag). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zip.h>
#include "rbuf.h"
#include "rdoc.h"

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
/* A4 (twips) and GB/T 9704 margins: 37 mm top, 35 mm bottom, 28 mm left, 26 mm right */
#define PAGE_W 11906
#define PAGE_H 16838
#define MARGIN_L 1588
#define MARGIN_R 1474
#define TEXT_W (PAGE_W - MARGIN_L - MARGIN_R)

static const char content_types[] =
    XML_DECL
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/word/styles.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
    "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/"
    "vnd.openxmlformats-package.core-properties+xml\"/>"
    "</Types>";

static const char package_rels[] =
    XML_DECL
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/officeDocument\" Target=\"word/document.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/"
    "relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
    "</Relationships>";

static const char document_rels[] =
    XML_DECL
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/styles\" Target=\"styles.xml\"/>"
    "</Relationships>";

#define RFONTS(ea) \
    "<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"" ea \
    "\" w:cs=\"Times New Roman\"/>"

static const char styles[] =
    XML_DECL
    "<w:styles xmlns:w=\"" W_NS "\">"
    "<w:docDefaults><w:rPrDefault><w:rPr>" RFONTS("仿宋")
    "<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/>"
    "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
    "<w:spacing w:after=\"0\" w:line=\"360\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault>"
    "</w:docDefaults>"
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>"
    "<w:qFormat/></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"BodyText\"><w:name w:val=\"Body Text\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr><w:ind w:firstLineChars=\"200\" "
    "w:firstLine=\"560\"/><w:jc w:val=\"both\"/></w:pPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/><w:pPr>"
    "<w:spacing w:before=\"240\" w:after=\"240\"/><w:jc w:val=\"center\"/><w:outlineLvl w:val=\"0\"/>"
    "</w:pPr><w:rPr>" RFONTS("黑体") "<w:sz w:val=\"40\"/><w:szCs w:val=\"40\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"BodyText\"/><w:qFormat/><w:pPr><w:keepNext/>"
    "<w:spacing w:before=\"120\" w:after=\"60\"/><w:ind w:firstLineChars=\"200\" w:firstLine=\"560\"/>"
    "<w:outlineLvl w:val=\"1\"/></w:pPr><w:rPr>" RFONTS("黑体") "</w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"BodyText\"/><w:qFormat/><w:pPr><w:keepNext/>"
    "<w:ind w:firstLineChars=\"200\" w:firstLine=\"560\"/><w:outlineLvl w:val=\"2\"/></w:pPr>"
    "<w:rPr>" RFONTS("楷体") "</w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"TableText\"><w:name w:val=\"Table Text\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr><w:spacing w:line=\"240\" "
    "w:lineRule=\"auto\"/><w:jc w:val=\"center\"/></w:pPr><w:rPr><w:sz w:val=\"21\"/>"
    "<w:szCs w:val=\"21\"/></w:rPr></w:style>"
    "<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>"
    "<w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/>"
    "<w:left w:w=\"85\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/>"
    "<w:right w:w=\"85\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>"
    "<w:style w:type=\"table\" w:styleId=\"TableGrid\"><w:name w:val=\"Table Grid\"/>"
    "<w:basedOn w:val=\"TableNormal\"/><w:tblPr><w:tblBorders>"
    "<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
    "<w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
    "<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
    "<w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
    "<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
    "<w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
    "</w:tblBorders></w:tblPr></w:style>"
    "</w:styles>";

/* Runs of text, "\n" as w:br. */
static void put_runs(gk_rbuf *b, const char *s)
{
    gk_rbuf_puts(b, "<w:r>");
    for (;;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        if (n) {
            gk_rbuf_puts(b, "<w:t xml:space=\"preserve\">");
            gk_rbuf_esc(b, s, n);
            gk_rbuf_puts(b, "</w:t>");
        }
        if (!nl)
            break;
        gk_rbuf_puts(b, "<w:br/>");
        s = nl + 1;
    }
    gk_rbuf_puts(b, "</w:r>");
}

static const char *const jc[] = {"left", "center", "right"};

static void put_paragraph(gk_rbuf *b, const char *style, gk_ralign align, bool set_jc,
                          const char *text)
{
    gk_rbuf_printf(b, "<w:p><w:pPr><w:pStyle w:val=\"%s\"/>", style);
    if (set_jc) {
        if (align != GK_RALIGN_LEFT)
            gk_rbuf_puts(b, "<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/>");
        gk_rbuf_printf(b, "<w:jc w:val=\"%s\"/>", align == GK_RALIGN_LEFT ? "both" : jc[align]);
    }
    gk_rbuf_puts(b, "</w:pPr>");
    if (text[0])
        put_runs(b, text);
    gk_rbuf_puts(b, "</w:p>");
}

static bool header_row(const gk_rtable *t, size_t r)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        const gk_rcell *cell = gk_rtable_covering(t, r, c);
        if (cell && !(cell->flags & GK_RCELL_HEADER))
            return false;
    }
    return true;
}

static void put_table(gk_rbuf *b, const gk_rtable *t)
{
    unsigned total = 0;
    for (size_t c = 0; c < t->n_cols; c++)
        total += t->widths[c];
    unsigned *w = gk_rbuf_xmalloc(t->n_cols * sizeof *w);
    for (size_t c = 0; c < t->n_cols; c++)
        w[c] = (unsigned)((unsigned long)TEXT_W * t->widths[c] / total);
    if (t->caption)
        put_paragraph(b, "TableText", GK_RALIGN_CENTER, true, t->caption);
    gk_rbuf_puts(b, "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/>");
    gk_rbuf_printf(b, "<w:tblW w:w=\"%d\" w:type=\"dxa\"/>", TEXT_W);
    gk_rbuf_puts(b, "<w:jc w:val=\"center\"/><w:tblLayout w:type=\"fixed\"/>"
                    "<w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"1\" "
                    "w:lastColumn=\"0\" w:noHBand=\"0\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>");
    for (size_t c = 0; c < t->n_cols; c++)
        gk_rbuf_printf(b, "<w:gridCol w:w=\"%u\"/>", w[c]);
    gk_rbuf_puts(b, "</w:tblGrid>");
    bool leading = true;   /* header rows at the top repeat on every page */
    for (size_t r = 0; r < t->n_rows; r++) {
        leading = leading && header_row(t, r);
        gk_rbuf_printf(b, "<w:tr><w:trPr><w:cantSplit/>%s</w:trPr>", leading ? "<w:tblHeader/>" : "");
        for (size_t c = 0; c < t->n_cols;) {
            const gk_rcell *cell = gk_rtable_covering(t, r, c);
            size_t span = cell ? cell->colspan - (c - cell->col) : 1;
            unsigned width = 0;
            for (size_t k = c; k < c + span; k++)
                width += w[k];
            gk_rbuf_printf(b, "<w:tc><w:tcPr><w:tcW w:w=\"%u\" w:type=\"dxa\"/>", width);
            if (span > 1)
                gk_rbuf_printf(b, "<w:gridSpan w:val=\"%zu\"/>", span);
            bool origin = cell && cell->row == r;
            if (cell && cell->rowspan > 1)
                gk_rbuf_puts(b, origin ? "<w:vMerge w:val=\"restart\"/>" : "<w:vMerge/>");
            gk_rbuf_puts(b, "<w:vAlign w:val=\"center\"/></w:tcPr>");
            gk_ralign al = cell && (cell->flags & GK_RCELL_NUMBER) ? GK_RALIGN_RIGHT : GK_RALIGN_CENTER;
            gk_rbuf_printf(b, "<w:p><w:pPr><w:pStyle w:val=\"TableText\"/><w:jc w:val=\"%s\"/></w:pPr>",
                           jc[al]);
            if (origin && cell->text[0])
                put_runs(b, cell->text);
            gk_rbuf_puts(b, "</w:p></w:tc>");
            c += span;
        }
        gk_rbuf_puts(b, "</w:tr>");
    }
    gk_rbuf_puts(b, "</w:tbl>");
    free(w);
}

static void put_document(gk_rbuf *b, const gk_rdoc *d)
{
    gk_rbuf_puts(b, XML_DECL "<w:document xmlns:w=\"" W_NS "\"><w:body>");
    for (size_t i = 0; i < d->n; i++) {
        const gk_rblock *bl = &d->blocks[i];
        switch (bl->kind) {
        case GK_RB_HEADING:
            put_paragraph(b, bl->level == 1 ? "Title" : bl->level == 2 ? "Heading1" : "Heading2",
                          bl->align, bl->level != 1, bl->text);
            break;
        case GK_RB_PARAGRAPH:
            put_paragraph(b, "BodyText", bl->align, bl->align != GK_RALIGN_LEFT, bl->text);
            break;
        case GK_RB_TABLE:
            put_table(b, bl->table);
            /* Word needs a paragraph between two tables, or it joins them */
            put_paragraph(b, "Normal", GK_RALIGN_LEFT, false, "");
            break;
        }
    }
    gk_rbuf_printf(b,
                   "<w:sectPr><w:pgSz w:w=\"%d\" w:h=\"%d\"/><w:pgMar w:top=\"2098\" w:right=\"%d\" "
                   "w:bottom=\"1984\" w:left=\"%d\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>"
                   "</w:sectPr></w:body></w:document>",
                   PAGE_W, PAGE_H, MARGIN_R, MARGIN_L);
}

static void put_core(gk_rbuf *b, const gk_rdoc *d)
{
    gk_rbuf_puts(b, XML_DECL
                 "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/"
                 "metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
                 "xmlns:dcterms=\"http://purl.org/dc/terms/\" "
                 "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>");
    gk_rbuf_esc(b, d->title, strlen(d->title));
    gk_rbuf_puts(b, "</dc:title><dc:creator>gongkai</dc:creator><dc:language>zh-CN</dc:language>"
                    "</cp:coreProperties>");
}

/* Adds a part; the bytes must live until zip_close. */
static int add_part(zip_t *za, const char *name, const char *data, size_t len)
{
    zip_source_t *s = zip_source_buffer(za, data, len, 0);
    if (!s)
        return -1;
    zip_int64_t idx = zip_file_add(za, name, s, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
        zip_source_free(s);
        return -1;
    }
    /* a fixed time (2000-01-01 12:00 UTC): the same document, the same bytes */
    return zip_file_set_mtime(za, (zip_uint64_t)idx, (time_t)946728000, 0);
}

char *gk_rdoc_docx(const gk_rdoc *d, size_t *len, char *err, size_t err_len)
{
    gk_rbuf doc = {0}, core = {0};
    put_document(&doc, d);
    put_core(&core, d);
    zip_error_t ze;
    zip_error_init(&ze);
    char *out = NULL;
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    if (!za) {
        snprintf(err, err_len, "无法创建 zip：%s", zip_error_strerror(&ze));
        if (src)
            zip_source_free(src);
        goto done;
    }
    zip_source_keep(src);
    if (add_part(za, "[Content_Types].xml", content_types, strlen(content_types)) ||
        add_part(za, "_rels/.rels", package_rels, strlen(package_rels)) ||
        add_part(za, "word/document.xml", doc.s, doc.n) ||
        add_part(za, "word/styles.xml", styles, strlen(styles)) ||
        add_part(za, "word/_rels/document.xml.rels", document_rels, strlen(document_rels)) ||
        add_part(za, "docProps/core.xml", core.s, core.n)) {
        snprintf(err, err_len, "无法写入 zip：%s", zip_strerror(za));
        zip_discard(za);
        zip_source_free(src);
        goto done;
    }
    if (zip_close(za) < 0) {
        snprintf(err, err_len, "无法写入 zip：%s", zip_strerror(za));
        zip_discard(za);
        zip_source_free(src);
        goto done;
    }
    zip_int64_t n = -1;
    if (zip_source_open(src) == 0) {
        if (zip_source_seek(src, 0, SEEK_END) == 0)
            n = zip_source_tell(src);
        if (n > 0 && zip_source_seek(src, 0, SEEK_SET) == 0) {
            out = gk_rbuf_xmalloc((size_t)n);
            if (zip_source_read(src, out, (zip_uint64_t)n) != n) {
                free(out);
                out = NULL;
            }
        }
        zip_source_close(src);
    }
    zip_source_free(src);
    if (!out)
        snprintf(err, err_len, "无法读出生成的 zip");
    else if (len)
        *len = (size_t)n;
done:
    free(doc.s);
    free(core.s);
    return out;
}
