/* inline.c — a page whose whole text is one line, headings inline.
 *
 * Why: some portals publish the report as one paragraph (the line breaks
 * lost when it was pasted into the CMS): "…统计期限…情况二、主动公开政府信息情况
 * 第二十条…三、收到和处理…".  Sections are found by their headings, each on a
 * line of its own, so such a line is split before and after every section
 * title printed with its top-level numeral ("二、主动公开政府信息情况").  Only
 * the format's own titles (and the printed variants below) split, and only
 * with a numeral in front: prose that names the sections ("全文包括总体情况、
 * 主动公开政府信息情况…") has none.  A note says where it was done. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "imp.h"

/* Titles as printed after "一、" … "六、", longest first where one begins
 * another. */
static const char *const titles[] = {
    "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    "政府信息公开行政复议、行政诉讼情况",
    "收到和处理政府信息公开申请情况",
    "主动公开政府信息情况",
    "存在的主要问题及改进情况",
    "存在的主要问题及改进措施",
    "其他需要报告的事项",
    "总体情况",
};

static const char *const numerals[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};

/* Length of the inline heading ("二、" + a title) at s, or 0. */
static size_t heading_at(const char *s)
{
    for (size_t n = 0; n < sizeof numerals / sizeof *numerals; n++) {
        size_t nl = strlen(numerals[n]);
        if (strncmp(s, numerals[n], nl) || strncmp(s + nl, "\xE3\x80\x81", 3))   /* 、 */
            continue;
        for (size_t t = 0; t < sizeof titles / sizeof *titles; t++) {
            size_t tl = strlen(titles[t]);
            if (!strncmp(s + nl + 3, titles[t], tl))
                return nl + 3 + tl;
        }
    }
    return 0;
}

/* Splits one text into pieces at inline headings; returns how many
 * headings were found inside it (0: leave the line alone). */
static size_t split_text(const char *text, gk_imp_doc *out, const gk_imp_line *src)
{
    size_t found = 0, start = 0, len = strlen(text);
    for (size_t i = 0; i < len;) {
        size_t h = heading_at(text + i);
        if (!h) {
            i++;
            continue;
        }
        if (i > start || (i == 0 && i + h < len))
            found++;
        if (out) {
            if (i > start) {
                gk_imp_line *l = gk_imp_doc_add(out, GK_LINE_TEXT, src->line);
                if (l)
                    gk_imp_line_add_cell(l, text + start, i - start, 0, false);
            }
            gk_imp_line *l = gk_imp_doc_add(out, GK_LINE_TEXT, src->line);
            if (l)
                gk_imp_line_add_cell(l, text + i, h, 0, false);
        }
        i += h;
        start = i;
    }
    if (out && start < len && found) {
        gk_imp_line *l = gk_imp_doc_add(out, GK_LINE_TEXT, src->line);
        if (l)
            gk_imp_line_add_cell(l, text + start, len - start, 0, false);
    }
    return found;
}

static void copy_line(gk_imp_doc *out, const gk_imp_line *src)
{
    gk_imp_line *l = gk_imp_doc_add(out, src->kind, src->line);
    if (!l)
        return;
    l->table = src->table;
    l->row = src->row;
    l->page = src->page;
    l->y = src->y;
    for (size_t j = 0; j < src->n; j++) {
        gk_imp_line_add_cell(l, src->cells[j].text, strlen(src->cells[j].text), src->cells[j].col,
                             src->cells[j].copy);
        l->cells[l->n - 1].x = src->cells[j].x;
    }
}

/* Headings found inside line l: only a one-cell line longer than any
 * heading (40 characters) is looked into. */
static size_t inline_headings(const gk_imp_line *l)
{
    if (l->kind != GK_LINE_TEXT || l->n != 1)
        return 0;
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)l->cells[0].text; *p; p++)
        chars += (*p & 0xC0) != 0x80;
    return chars > 40 ? split_text(l->cells[0].text, NULL, l) : 0;
}

bool gk_imp_split_inline_headings(const gk_imp_doc *in, gk_imp_doc *out, gk_import_list *notes)
{
    bool any = false;
    for (size_t i = 0; i < in->n && !any; i++)
        any = inline_headings(&in->lines[i]) > 0;
    if (!any)
        return false;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < in->n; i++) {
        const gk_imp_line *l = &in->lines[i];
        size_t k = inline_headings(l);
        if (k) {
            split_text(l->cells[0].text, out, l);
            gk_imp_list_add(notes, l, 0, "",
                            "这一行中有 %zu 个部分标题（标题没有单独成行），已在标题处分行", k);
        } else {
            copy_line(out, l);
        }
    }
    return true;
}
