/* xlsxread.c — an Excel workbook (.xlsx) to the document of lines, so that
 * a report kept in the printed layout in Excel (or WPS Spreadsheets) is
 * placed by the same rules as its Word, HTML or text copy.
 *
 * Sheets in workbook order; each sheet row is a line whose cells sit at
 * their column (A = 1); a merged range (mergeCell) fills the cells it
 * covers with copies of its top-left cell, as HTML spans do.  A row whose
 * only cell is one text is a paragraph (a heading, a prose section).  Values
 * are the text Excel stored — shared strings, inline strings, the cached
 * result of a formula, numbers exactly as written in the file (never
 * through a double). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "imp.h"
#include "ooxml.h"
#include "xlsx.h"

#define GK_XLSX_MAX_STRINGS 1000000

typedef gk_imp_xlsx_strings strtab;

typedef struct merge {
    int r0, c0, r1, c1;
} merge;

static const xmlNode *child(const xmlNode *n, const char *local)
{
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (gk_ooxml_is(c, local))
            return c;
    return NULL;
}

/* Text of a string item: its t, or its runs' t; phonetic guides skipped. */
static void item_text(const xmlNode *n, char **acc, size_t *len)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (gk_ooxml_is(c, "t")) {
            xmlChar *t = xmlNodeGetContent(c);
            size_t k = t ? strlen((const char *)t) : 0;
            *acc = gk_imp_xrealloc(*acc, *len + k + 1);
            memcpy(*acc + *len, t ? (const char *)t : "", k);
            *len += k;
            (*acc)[*len] = '\0';
            xmlFree(t);
        } else if (gk_ooxml_is(c, "r")) {
            item_text(c, acc, len);
        }
    }
}

static char *string_item(const xmlNode *n)
{
    char *acc = gk_imp_xstrdup("");
    size_t len = 0;
    item_text(n, &acc, &len);
    return acc;
}

int gk_imp_xlsx_strings_load(gk_ooxml *z, strtab *st, char code[48], char msg[320])
{
    xmlDocPtr d = gk_ooxml_xml(z, "xl/sharedStrings.xml", 1, code, msg);
    if (!d)
        return code[0] ? -1 : 0;
    const xmlNode *root = xmlDocGetRootElement(d);
    for (const xmlNode *c = root ? root->children : NULL; c; c = c->next) {
        if (!gk_ooxml_is(c, "si"))
            continue;
        if (st->n >= GK_XLSX_MAX_STRINGS)
            break;
        st->s = gk_imp_xrealloc(st->s, (st->n + 1) * sizeof *st->s);
        st->s[st->n++] = string_item(c);
    }
    xmlFreeDoc(d);
    return 0;
}

void gk_imp_xlsx_strings_free(strtab *st)
{
    for (size_t i = 0; i < st->n; i++)
        free(st->s[i]);
    free(st->s);
    st->s = NULL;
    st->n = 0;
}

/* "BC12" → column 55 (1-based) and row 12; 0 when not a reference. */
int gk_imp_xlsx_parse_ref(const char *s, int *row, int *col)
{
    int c = 0, r = 0;
    const char *p = s;
    while (*p >= 'A' && *p <= 'Z' && c <= 100000)
        c = c * 26 + (*p++ - 'A' + 1);
    while (*p >= '0' && *p <= '9' && r <= 10000000)
        r = r * 10 + (*p++ - '0');
    if (!c || !r || *p)
        return 0;
    *row = r;
    *col = c;
    return 1;
}

/* Excel writes a number in exponent form when that is shorter (1E-4 for
 * 0.0001, 1.2E+16): rewritten as plain decimal digits by moving the point in
 * the text, never through a double.  Other text is returned as a copy. */
static char *plain_number(const char *v)
{
    const char *e = strpbrk(v, "eE");
    if (!e)
        return gk_imp_xstrdup(v);
    char *end;
    long ex = strtol(e + 1, &end, 10);
    size_t mlen = (size_t)(e - v);
    if (*end || e[1] == '\0' || ex < -30 || ex > 30 || mlen == 0 || mlen > 40)
        return gk_imp_xstrdup(v);
    char digits[48];
    size_t nd = 0, point = 0;
    bool neg = v[0] == '-', seen_point = false;
    for (size_t i = neg; i < mlen; i++) {
        if (v[i] == '.' && !seen_point) {
            seen_point = true;
            point = nd;
        } else if (v[i] >= '0' && v[i] <= '9') {
            digits[nd++] = v[i];
        } else {
            return gk_imp_xstrdup(v);
        }
    }
    if (!nd)
        return gk_imp_xstrdup(v);
    if (!seen_point)
        point = nd;
    long p = (long)point + ex;   /* digits before the point */
    char out[128];
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    if (p <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (long i = 0; i < -p; i++)
            out[o++] = '0';
        for (size_t i = 0; i < nd; i++)
            out[o++] = digits[i];
    } else {
        for (long i = 0; i < p; i++)
            out[o++] = (size_t)i < nd ? digits[i] : '0';
        if ((size_t)p < nd) {
            out[o++] = '.';
            for (size_t i = (size_t)p; i < nd; i++)
                out[o++] = digits[i];
        }
    }
    out[o] = '\0';
    return gk_imp_xstrdup(out);
}

/* A number cell holds a double; writers print it with 16 or 17 significant
 * digits (Excel 9492382.5702599995, openpyxl 9492382.570259999 for a typed
 * 9492382.57026).  Every decimal of up to 15 significant digits survives a
 * double (DBL_DIG), so a fraction printed with more is rounded back to 15
 * significant digits — in the text, digit by digit, never through a double
 * — and its trailing zeros dropped.  Integers are left as written. */
static char *undo_double_noise(char *s)
{
    char *dot = strchr(s, '.');
    if (!dot)
        return s;
    size_t sig = 0, cut = 0;
    bool seen = false;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] < '0' || s[i] > '9')
            continue;
        if (s[i] != '0')
            seen = true;
        if (seen && ++sig == 15)
            cut = i + 1;
    }
    if (sig <= 15 || !cut || cut <= (size_t)(dot - s))
        return s;
    bool up = s[cut] == '.' ? s[cut + 1] >= '5' : s[cut] >= '5';
    s[cut] = '\0';
    for (size_t i = cut; up && i-- > 0;) {
        if (s[i] == '.')
            continue;
        if (s[i] < '0' || s[i] > '9')
            break;
        if (s[i] == '9') {
            s[i] = '0';
        } else {
            s[i]++;
            up = false;
        }
    }
    if (up) {
        /* 9.99…9 → 10.0…0: one more digit in front (after a sign) */
        size_t at = s[0] == '-' ? 1 : 0, n = strlen(s);
        char *t = gk_imp_xmalloc(n + 2);
        memcpy(t, s, at);
        t[at] = '1';
        memcpy(t + at + 1, s + at, n - at + 1);
        free(s);
        s = t;
        dot = strchr(s, '.');
    }
    char *e = s + strlen(s);
    while (e > dot + 1 && e[-1] == '0')
        *--e = '\0';
    if (e == dot + 1)
        *dot = '\0';
    return s;
}

char *gk_imp_xlsx_cell_text(const xmlNode *c, const strtab *st)
{
    char *t = gk_ooxml_attr(c, "t");
    char *out = NULL;
    if (t && !strcmp(t, "inlineStr")) {
        const xmlNode *is = child(c, "is");
        out = is ? string_item(is) : NULL;
    } else {
        const xmlNode *v = child(c, "v");   /* for a formula: its cached result */
        xmlChar *vs = v ? xmlNodeGetContent(v) : NULL;
        if (vs && t && !strcmp(t, "s")) {
            char *end;
            long k = strtol((const char *)vs, &end, 10);
            if (!*end && k >= 0 && (size_t)k < st->n)
                out = gk_imp_xstrdup(st->s[k]);
        } else if (vs && t && !strcmp(t, "e")) {
            out = NULL;   /* #DIV/0! and friends: no value */
        } else if (vs && (!t || !strcmp(t, "n"))) {
            out = undo_double_noise(plain_number((const char *)vs));
        } else if (vs) {
            out = gk_imp_xstrdup((const char *)vs);
        }
        xmlFree(vs);
    }
    xmlFree(t);
    return out;
}

typedef struct xcell {
    int col;
    char *text;
    bool copy;
} xcell;

static int read_sheet(xmlDocPtr d, const strtab *st, gk_imp_doc *doc, int *tables, char code[48],
                      char msg[320])
{
    const xmlNode *root = xmlDocGetRootElement(d);
    const xmlNode *data = child(root, "sheetData");
    merge *mg = NULL;
    size_t nmg = 0;
    const xmlNode *mcs = child(root, "mergeCells");
    for (const xmlNode *m = mcs ? mcs->children : NULL; m; m = m->next) {
        char *ref = gk_ooxml_is(m, "mergeCell") ? gk_ooxml_attr(m, "ref") : NULL;
        char *colon = ref ? strchr(ref, ':') : NULL;
        merge g;
        if (colon) {
            *colon = '\0';
            if (gk_imp_xlsx_parse_ref(ref, &g.r0, &g.c0) && gk_imp_xlsx_parse_ref(colon + 1, &g.r1, &g.c1) &&
                g.r1 >= g.r0 && g.c1 >= g.c0 && g.r1 - g.r0 < GK_IMP_MAX_SPAN &&
                g.c1 - g.c0 < GK_IMP_MAX_SPAN && nmg < 10000) {
                mg = gk_imp_xrealloc(mg, (nmg + 1) * sizeof *mg);
                mg[nmg++] = g;
            }
        }
        xmlFree(ref);
    }
    (*tables)++;
    size_t nrows = 0;
    int last_row = 0, rc = 0;
    /* The top-left texts of merges, by index, filled as their rows pass. */
    char **origin = calloc(nmg + 1, sizeof *origin);
    if (!origin)
        abort();
    for (const xmlNode *r = data ? data->children : NULL; r; r = r->next) {
        if (!gk_ooxml_is(r, "row"))
            continue;
        if (++nrows > GK_XLSX_MAX_ROWS) {
            snprintf(code, 48, "xlsx_too_many_rows");
            snprintf(msg, 320, "工作表超过 %d 行，不像是一份年度报告，拒绝读取", GK_XLSX_MAX_ROWS);
            rc = -1;
            break;
        }
        char *rs = gk_ooxml_attr(r, "r");
        int rownum = rs ? atoi(rs) : last_row + 1;
        xmlFree(rs);
        if (rownum <= last_row)
            rownum = last_row + 1;
        last_row = rownum;
        xcell cells[GK_IMP_MAX_CELLS];
        size_t n = 0;
        int next = 1;
        for (const xmlNode *c = r->children; c && n < GK_IMP_MAX_CELLS; c = c->next) {
            if (!gk_ooxml_is(c, "c"))
                continue;
            char *ref = gk_ooxml_attr(c, "r");
            int rr, cc;
            if (!ref || !gk_imp_xlsx_parse_ref(ref, &rr, &cc))
                cc = next;
            xmlFree(ref);
            if (cc > GK_IMP_MAX_CELLS || (n && cc <= cells[n - 1].col))
                continue;
            next = cc + 1;
            char *v = gk_imp_xlsx_cell_text(c, st);
            for (size_t m = 0; m < nmg; m++)
                if (mg[m].r0 == rownum && mg[m].c0 == cc && !origin[m])
                    origin[m] = gk_imp_xstrdup(v ? v : "");
            cells[n++] = (xcell){cc, v, false};
        }
        /* Cells a merge covers (other than its origin) become its copies. */
        xcell all[GK_IMP_MAX_CELLS];
        size_t k = 0, j = 0;
        int width = n ? cells[n - 1].col : 0;
        for (size_t m = 0; m < nmg; m++)
            if (rownum >= mg[m].r0 && rownum <= mg[m].r1 && mg[m].c1 > width)
                width = mg[m].c1 > GK_IMP_MAX_CELLS ? GK_IMP_MAX_CELLS : mg[m].c1;
        for (int col = 1; col <= width; col++) {
            const char *copy = NULL;
            for (size_t m = 0; m < nmg && !copy; m++)
                if (rownum >= mg[m].r0 && rownum <= mg[m].r1 && col >= mg[m].c0 &&
                    col <= mg[m].c1 && (rownum != mg[m].r0 || col != mg[m].c0))
                    copy = origin[m] ? origin[m] : "";
            bool here = j < n && cells[j].col == col;
            if (copy)
                all[k++] = (xcell){col, (char *)copy, true};
            else if (here)
                all[k++] = (xcell){col, cells[j].text ? cells[j].text : (char *)"", false};
            if (here)
                j++;
        }
        size_t nonblank = 0;
        for (size_t i = 0; i < k; i++) {
            if (all[i].text[0] && strspn(all[i].text, " ") < strlen(all[i].text))
                nonblank++;
        }
        if (nonblank) {
            bool para = nonblank == 1 && k == 1;
            gk_imp_line *l = gk_imp_doc_add(doc, para ? GK_LINE_TEXT : GK_LINE_ROW, rownum);
            if (l) {
                if (!para) {
                    l->table = *tables;
                    l->row = rownum;
                }
                for (size_t i = 0; i < k; i++)
                    gk_imp_line_add_cell(l, all[i].text, strlen(all[i].text), para ? 0 : all[i].col,
                                         all[i].copy);
            }
        }
        for (size_t i = 0; i < n; i++)
            free(cells[i].text);
    }
    for (size_t m = 0; m < nmg; m++)
        free(origin[m]);
    free(origin);
    free(mg);
    return rc;
}

/* The sheets (name and part) in workbook order, through the workbook's rels. */
size_t gk_imp_xlsx_sheets(gk_ooxml *z, xmlDocPtr wb, gk_imp_xlsx_sheet *out, char code[48],
                          char msg[320])
{
    xmlDocPtr rels = gk_ooxml_xml(z, "xl/_rels/workbook.xml.rels", 1, code, msg);
    if (code[0])
        return 0;
    size_t n = 0;
    const xmlNode *sheets = child(xmlDocGetRootElement(wb), "sheets");
    for (const xmlNode *s = sheets ? sheets->children : NULL; s && n < GK_XLSX_MAX_SHEETS;
         s = s->next) {
        char *id = gk_ooxml_is(s, "sheet") ? gk_ooxml_attr(s, "id") : NULL;
        if (!id)
            continue;
        const xmlNode *rr = rels ? xmlDocGetRootElement(rels) : NULL;
        for (const xmlNode *r = rr ? rr->children : NULL; r; r = r->next) {
            char *rid = gk_ooxml_attr(r, "Id");
            char *target = rid && !strcmp(rid, id) ? gk_ooxml_attr(r, "Target") : NULL;
            if (target) {
                const char *t = target[0] == '/' ? target + 1 : target;
                if (!strncmp(t, "xl/", 3))
                    snprintf(out[n].part, sizeof out[n].part, "%s", t);
                else
                    snprintf(out[n].part, sizeof out[n].part, "xl/%s", t);
                char *name = gk_ooxml_attr(s, "name");
                snprintf(out[n].name, sizeof out[n].name, "%s", name ? name : "");
                xmlFree(name);
                n++;
            }
            xmlFree(target);
            xmlFree(rid);
            if (target)
                break;
        }
        xmlFree(id);
    }
    if (rels)
        xmlFreeDoc(rels);
    code[0] = '\0';
    return n;
}

xmlDocPtr gk_imp_xlsx_sheet_xml(gk_ooxml *z, const char *part, char code[48], char msg[320])
{
    xmlDocPtr d = gk_ooxml_xml_bounded(z, part, "row", GK_XLSX_MAX_ROWS, code, msg);
    if (!d && !strcmp(code, "xml_too_many")) {
        snprintf(code, 48, "xlsx_too_many_rows");
        snprintf(msg, 320, "工作表超过 %d 行，不像是一份年度报告，拒绝读取", GK_XLSX_MAX_ROWS);
    }
    return d;
}

int gk_imp_read_xlsx(struct gk_ooxml *z, gk_imp_doc *doc, char code[48], char msg[320])
{
    xmlDocPtr wb = gk_ooxml_xml(z, "xl/workbook.xml", 0, code, msg);
    if (!wb)
        return -1;
    gk_imp_xlsx_sheet sheets[GK_XLSX_MAX_SHEETS];
    size_t n = gk_imp_xlsx_sheets(z, wb, sheets, code, msg);
    xmlFreeDoc(wb);
    if (code[0])
        return -1;
    strtab st = {0};
    int rc = gk_imp_xlsx_strings_load(z, &st, code, msg);
    int tables = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        xmlDocPtr d = gk_imp_xlsx_sheet_xml(z, sheets[i].part, code, msg);
        if (!d) {
            rc = -1;
            break;
        }
        rc = read_sheet(d, &st, doc, &tables, code, msg);
        xmlFreeDoc(d);
    }
    gk_imp_xlsx_strings_free(&st);
    if (rc == 0 && n == 0) {
        snprintf(code, 48, "xlsx_no_sheet");
        snprintf(msg, 320, "Excel 工作簿中没有工作表");
        rc = -1;
    }
    return rc;
}
