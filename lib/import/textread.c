/* textread.c — plain text to a document of lines.
 *
 * Text copied from Word keeps a table row on one line with its cells
 * separated by tabs (sometimes one tab too many or too few: the placer copes
 * with that, not this reader); text from other tools separates cells with
 * '|' (Markdown-like) or puts every cell on a line of its own, which is then
 * simply a one-cell line.  Blank lines are dropped: they separate paragraphs
 * and carry no data. */
#include <stdlib.h>
#include <string.h>
#include "imp.h"

/* A "|" row: at least two separators, or one at either end. */
static bool is_pipe_row(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '|')
            k++;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    return k >= 2 || (k == 1 && n && (s[0] == '|' || s[n - 1] == '|'));
}

/* "|---|:--:|" separator lines of Markdown tables carry nothing. */
static bool is_rule_line(const char *s, size_t n)
{
    bool dash = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-')
            dash = true;
        else if (s[i] != '|' && s[i] != ':' && s[i] != ' ' && s[i] != '+' && s[i] != '\t')
            return false;
    }
    return dash;
}

static void split_line(gk_imp_line *l, const char *s, size_t n, char sep)
{
    /* With '|', a leading and a trailing separator frame the row. */
    if (sep == '|') {
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        while (n && (*s == ' ' || *s == '\t'))
            s++, n--;
        if (n && s[0] == '|')
            s++, n--;
        if (n && s[n - 1] == '|')
            n--;
    }
    size_t start = 0;
    int col = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == sep) {
            gk_imp_line_add_cell(l, s + start, i - start, col++, false);
            start = i + 1;
        }
    }
}

void gk_imp_read_text(const char *text, gk_imp_doc *doc)
{
    int lineno = 0;
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        lineno++;
        bool blank = true;
        for (size_t i = 0; i < n && blank; i++)
            if (p[i] != ' ' && p[i] != '\t')
                blank = false;
        if (!blank) {
            /* Only whitespace-like Unicode spaces left? trimming decides. */
            gk_imp_line *l = NULL;
            if (memchr(p, '\t', n)) {
                l = gk_imp_doc_add(doc, GK_LINE_ROW, lineno);
                if (l)
                    split_line(l, p, n, '\t');
            } else if (is_pipe_row(p, n)) {
                if (!is_rule_line(p, n)) {
                    l = gk_imp_doc_add(doc, GK_LINE_ROW, lineno);
                    if (l)
                        split_line(l, p, n, '|');
                }
            } else {
                l = gk_imp_doc_add(doc, GK_LINE_TEXT, lineno);
                if (l)
                    gk_imp_line_add_cell(l, p, n, 0, false);
            }
            if (l && gk_imp_line_nonblank(l, false) == 0) {
                /* Only tabs or full-width spaces: nothing there. */
                for (size_t j = 0; j < l->n; j++)
                    free(l->cells[j].text);
                free(l->cells);
                doc->n--;
            }
        }
        if (!e)
            break;
        p = e + 1;
    }
}
