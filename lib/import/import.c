/* import.c — the importer's driver: sections, title, year, entity, format,
 * then the placer for tables and the prose of sections 一, 五, 六.
 *
 * Sections are found by their titles, not their numbers (the sample numbers
 * its problems section 四): a heading is a short line that starts with a
 * top-level numeral ("五、") — or is a section's title exactly — and whose
 * title contains one of the keywords below.  What comes before section 一 is
 * the title block (short lines: entity, year) and a preamble; the contract
 * has no field for the preamble (overview is section 一), so it is reported
 * as a note, line by line, and not stored. */
#include <ctype.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "imp.h"
#include "ooxml.h"
#include "xlsx.h"
#include "gongkai/template.h"
#include "gongkai/format.h"
#include "gongkai/textutil.h"

enum { SEC_NONE = -1, SEC_OVERVIEW, SEC_ACTIVE, SEC_REQUESTS, SEC_APPEALS, SEC_PROBLEMS, SEC_OTHER,
       SEC_COUNT };

typedef struct section_def {
    const char *title;        /* as the format prints it */
    const char *table;        /* table key, or NULL for prose */
    int narrative;            /* GK_NARR_*, or -1 */
    const char *keys[3];      /* a heading's title containing one of these */
} section_def;

static const section_def sections[SEC_COUNT] = {
    {"一、总体情况", NULL, GK_NARR_OVERVIEW, {"总体情况", NULL, NULL}},
    {"二、主动公开政府信息情况", "active", -1, {"主动公开政府信息情况", "主动公开政府信息", NULL}},
    {"三、收到和处理政府信息公开申请情况", "requests", -1,
     {"收到和处理政府信息公开申请", "政府信息公开申请情况", NULL}},
    {"四、政府信息公开行政复议、行政诉讼情况", "appeals", -1, {"行政复议", "行政诉讼", NULL}},
    {"五、存在的主要问题及改进情况", NULL, GK_NARR_PROBLEMS, {"存在的主要问题", "主要问题", NULL}},
    {"六、其他需要报告的事项", NULL, GK_NARR_OTHER, {"其他需要报告", NULL, NULL}},
};

#define HEADING_MAX_CHARS 40
#define TITLE_MAX_CHARS 40

/* Page furniture: what a portal prints around the article ("【打印本页】
 * 【关闭窗口】", "版权所有…闽ICP备…", "主办单位", "网站标识码").  A short line
 * after the last section heading that contains one of these ends the report
 * (docs/import.md §2 lists them). */
#define FURNITURE_MAX_CHARS 160
static const char *const page_furniture[] = {
    "打印本页", "关闭窗口", "版权所有", "ICP备", "公网安备", "主办单位", "承办单位",
    "网站标识码", "技术支持", "网站地图", "联系我们", "分享到", "上一篇", "下一篇", NULL,
};

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* The one text of a line: a text line, or a row with a single non-blank
 * (non-copy) cell, or whose non-blank cells all say the same (a caption
 * spanning the table).  NULL otherwise. */
static const char *single_text(const gk_imp_line *l)
{
    const char *t = NULL;
    for (size_t i = 0; i < l->n; i++) {
        const char *x = l->cells[i].text;
        if (!x[0])
            continue;
        if (t && strcmp(t, x))
            return NULL;
        t = x;
    }
    return t;
}

/* Which section a heading line opens, or SEC_NONE. */
static int heading_of(const gk_imp_line *l, int *printed_number)
{
    const char *t = single_text(l);
    if (!t || utf8_chars(t) > HEADING_MAX_CHARS)
        return SEC_NONE;
    char *basic = gk_imp_norm_basic(t);
    size_t plen = 0;
    int num = gk_imp_heading_number(basic, &plen);
    char *title = gk_imp_norm_label(basic + plen);
    int found = SEC_NONE;
    for (int s = 0; s < SEC_COUNT && found == SEC_NONE; s++) {
        if (num) {
            for (size_t k = 0; k < 3 && sections[s].keys[k]; k++)
                if (strstr(title, sections[s].keys[k]))
                    found = s;
        } else {
            char *canon = gk_imp_norm_label(sections[s].title);
            if (!strcmp(canon, title))
                found = s;
            free(canon);
        }
    }
    free(title);
    free(basic);
    if (printed_number)
        *printed_number = num;
    return found;
}

/* Year from text: the first "YYYY年" with a plausible year. */
static int year_in(const char *s)
{
    char *b = gk_imp_norm_basic(s);
    int year = 0;
    for (size_t i = 0; b[i] && !year; i++) {
        if (isdigit((unsigned char)b[i]) && isdigit((unsigned char)b[i + 1]) &&
            isdigit((unsigned char)b[i + 2]) && isdigit((unsigned char)b[i + 3]) &&
            (i == 0 || !isdigit((unsigned char)b[i - 1])) && !isdigit((unsigned char)b[i + 4])) {
            const char *after = b + i + 4;
            while (*after == ' ')
                after++;
            int y = atoi(b + i);
            if (!strncmp(after, "年", 3) && y >= 2000 && y <= 2100)
                year = y;
        }
    }
    free(b);
    return year;
}

/* The statistics period: "统计期限为2020年1月1日至2020年12月31日" — the
 * year of the period's end (the last year within the next 80 characters). */
static int period_year(const gk_imp_doc *doc)
{
    for (size_t i = 0; i < doc->n; i++) {
        for (size_t j = 0; j < doc->lines[i].n; j++) {
            const char *p = strstr(doc->lines[i].cells[j].text, "统计期");
            if (!p)
                continue;
            char *b = gk_imp_norm_basic(p);
            size_t lim = 0, chars = 0;
            while (b[lim] && chars < 80) {
                if (((unsigned char)b[lim] & 0xC0) != 0x80)
                    chars++;
                lim++;
            }
            b[lim] = '\0';
            int year = 0;
            for (char *q = b; *q; q++) {
                int y = year_in(q);
                if (y) {
                    year = y;
                    char *yy = strstr(q, "年");
                    if (!yy)
                        break;
                    q = yy;
                }
            }
            free(b);
            if (year)
                return year;
        }
    }
    return 0;
}

/* "2021年1月20日", "2021-01-20", "2021.1.20", "2021/1/20" alone on a line. */
static bool parse_date(const char *s, char out[11])
{
    char *b = gk_imp_norm_basic(s);
    int y, m, d, k = 0;
    bool ok = false;
    if (sscanf(b, "%4d年%2d月%2d日%n", &y, &m, &d, &k) == 3 && !b[k])
        ok = true;
    else if (sscanf(b, "%4d-%2d-%2d%n", &y, &m, &d, &k) == 3 && !b[k])
        ok = true;
    else if (sscanf(b, "%4d.%2d.%2d%n", &y, &m, &d, &k) == 3 && !b[k])
        ok = true;
    else if (sscanf(b, "%4d/%2d/%2d%n", &y, &m, &d, &k) == 3 && !b[k])
        ok = true;
    free(b);
    if (!ok || y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return true;
}

typedef struct sbuf {
    char *s;
    size_t n;
} sbuf;

static void sbuf_para(sbuf *b, const char *text)
{
    size_t k = strlen(text);
    b->s = gk_imp_xrealloc(b->s, b->n + k + 2);
    if (b->n)
        b->s[b->n++] = '\n';
    memcpy(b->s + b->n, text, k);
    b->n += k;
    b->s[b->n] = '\0';
}

/* A row met in prose: its non-blank cells joined by a space. */
static char *row_as_text(const gk_imp_line *l)
{
    size_t len = 1;
    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->cells[i].text) + 1;
    char *s = gk_imp_xmalloc(len);
    s[0] = '\0';
    for (size_t i = 0; i < l->n; i++) {
        if (!l->cells[i].text[0] || l->cells[i].copy)
            continue;
        if (s[0])
            strcat(s, " ");
        strcat(s, l->cells[i].text);
    }
    return s;
}

/* A line of page furniture (the markers above, in a short line). */
static bool is_furniture(const gk_imp_line *l)
{
    char *joined = row_as_text(l);
    char *b = gk_imp_norm_basic(joined);
    bool hit = false;
    if (utf8_chars(b) <= FURNITURE_MAX_CHARS)
        for (size_t k = 0; page_furniture[k] && !hit; k++)
            hit = strstr(b, page_furniture[k]) != NULL;
    free(b);
    free(joined);
    return hit;
}

static void fail(gk_import_result *res, const char *code, const char *fmt, const char *arg)
{
    res->status = GK_IMPORT_NOT_REPORT;
    snprintf(res->error_code, sizeof res->error_code, "%s", code);
    snprintf(res->error_message, sizeof res->error_message, fmt, arg ? arg : "");
}

static bool valid_entity(const char *e)
{
    size_t n = strlen(e);
    if (n < 2 || n > GK_ENTITY_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)e[i]))
            return false;
    return true;
}

static gk_import_status import_lines(const gk_imp_doc *doc, const gk_import_options *opt,
                                     gk_import_result *res);

/* Every reader's document; a line with inline section headings is split
 * first (inline.c). */
static gk_import_status import_doc(const gk_imp_doc *doc, const gk_import_options *opt,
                                   gk_import_result *res)
{
    gk_imp_doc split;
    if (!gk_imp_split_inline_headings(doc, &split, &res->notes))
        return import_lines(doc, opt, res);
    gk_import_status st = import_lines(&split, opt, res);
    gk_imp_doc_free(&split);
    return st;
}

static gk_import_status import_lines(const gk_imp_doc *doc, const gk_import_options *opt,
                                     gk_import_result *res)
{
    gk_import_options none = {0};
    if (!opt)
        opt = &none;
    int *sec_of = NULL;          /* heading section per line, SEC_NONE otherwise */
    sbuf title = {0};
    sbuf narr[GK_NARR_COUNT] = {{0}};
    bool narr_seen[GK_NARR_COUNT] = {false};
    bool sec_found[SEC_COUNT] = {false};
    gk_imp_labels *lb = NULL;
    gk_imp_placer *pl = NULL;
    size_t first_heading = doc->n;
    int last_section = SEC_NONE;

    sec_of = gk_imp_xmalloc((doc->n ? doc->n : 1) * sizeof *sec_of);
    for (size_t i = 0; i < doc->n; i++) {
        int num = 0;
        sec_of[i] = heading_of(&doc->lines[i], &num);
        if (sec_of[i] != SEC_NONE) {
            if (first_heading == doc->n)
                first_heading = i;
            if (num && num != sec_of[i] + 1) {
                char want[16];
                snprintf(want, sizeof want, "%d", sec_of[i] + 1);
                gk_imp_list_add(&res->notes, &doc->lines[i], 0, single_text(&doc->lines[i]),
                                "标题编号与格式不符，按标题内容识别为“%s”",
                                sections[sec_of[i]].title);
            }
        }
    }
    /* The title block: short lines before the first long one (or heading). */
    size_t title_end = 0;
    while (title_end < first_heading) {
        const char *t = single_text(&doc->lines[title_end]);
        if (!t || utf8_chars(t) > TITLE_MAX_CHARS || strstr(t, "。"))
            break;
        sbuf_para(&title, t);
        title_end++;
    }
    const char *title_text = title.s ? title.s : "";

    /* Year: --year, the title, the statistics period. */
    int year = year_in(title_text);
    int pyear = period_year(doc);
    if (year && pyear && year != pyear)
        gk_imp_list_add(&res->notes, NULL, 0, "", "标题年度 %d 与统计期限年度 %d 不一致，采用标题年度",
                        year, pyear);
    if (!year)
        year = pyear;
    if (opt->year) {
        if (year && year != opt->year)
            gk_imp_list_add(&res->notes, NULL, 0, "", "报告中的年度为 %d，按 --year 采用 %d", year,
                            opt->year);
        year = opt->year;
    }

    /* Is it a report at all? */
    size_t best_score = 0;
    const gk_format *by_labels = NULL;
    bool tie = false;
    for (size_t i = 0; i < gk_format_count(); i++) {
        size_t s = gk_imp_labels_score(gk_format_at(i), doc);
        if (s > best_score) {
            best_score = s;
            by_labels = gk_format_at(i);
            tie = false;
        } else if (s && s == best_score) {
            tie = true;
        }
    }
    if (tie)
        by_labels = NULL;
    if (first_heading == doc->n && best_score == 0 && !strstr(title_text, "政府信息公开")) {
        fail(res, "not_a_report", "不是政府信息公开工作年度报告：找不到报告的标题、各部分标题或表格%s",
             NULL);
        goto done;
    }
    if (!year) {
        fail(res, "no_year", "找不到报告年度（标题或统计期限中的“某年”），请用 --year 指定%s", NULL);
        goto done;
    }

    /* Format: --format, else the headers' labels, else the year's. */
    const gk_format *f = NULL;
    if (opt->format) {
        f = gk_format_find(opt->format);
        if (!f) {
            fail(res, "unknown_format", "未知的报告格式“%s”", opt->format);
            goto done;
        }
    } else {
        const gk_format *by_year = gk_format_for_year(year);
        f = by_labels ? by_labels : by_year;
        if (by_labels && by_year && by_labels != by_year) {
            char msg[64];
            snprintf(msg, sizeof msg, "%d", year);
            gk_imp_list_add(&res->notes, NULL, 0, "",
                            "表头属于 %s 年版格式，而 %s 年度应使用 %s 年版；按表头读入",
                            by_labels->version, msg, by_year->version);
        }
        if (!f) {
            fail(res, "no_format", "无法确定报告格式：%s", "请用 --format 指定");
            goto done;
        }
    }

    /* Entity: --entity, else the region list against the title. */
    char entity[GK_ENTITY_MAX + 1] = "";
    if (opt->entity) {
        if (!valid_entity(opt->entity)) {
            fail(res, "bad_entity", "“%s”不是区划代码", opt->entity);
            goto done;
        }
        snprintf(entity, sizeof entity, "%s", opt->entity);
    } else if (opt->regions) {
        char why[320] = "";
        int m = gk_imp_region_match(opt->regions, title_text, entity, sizeof entity, why,
                                    sizeof why);
        if (m == -2) {
            fail(res, "no_entity", "%s；请用 --entity 指定", why);
            goto done;
        }
        if (m != 0) {
            fail(res, "no_entity", "标题“%s”中找不到地区列表里的名称，请用 --entity 指定",
                 title_text);
            goto done;
        }
    } else {
        fail(res, "no_entity", "需要 --entity（区划代码）或 --regions（地区列表）才能确定填报单位%s",
             NULL);
        goto done;
    }

    res->report = gk_report_new(f, year, entity);
    if (!res->report) {
        fail(res, "not_a_report", "无法建立报告%s", NULL);
        goto done;
    }
    lb = gk_imp_labels_new(f);
    pl = gk_imp_placer_new(res->report, lb, res);

    /* The report ends at the page's furniture after its last heading. */
    size_t end = doc->n, last_heading = doc->n;
    for (size_t i = 0; i < doc->n; i++)
        if (sec_of[i] != SEC_NONE)
            last_heading = i;
    for (size_t i = last_heading + 1; last_heading < doc->n && i < doc->n && end == doc->n; i++)
        if (is_furniture(&doc->lines[i]))
            end = i;

    /* A date alone on the last line (after a signature) is the publication date. */
    size_t date_line = doc->n, sig_line = doc->n;
    if (end && end - 1 > first_heading) {
        const char *t = single_text(&doc->lines[end - 1]);
        char date[11];
        if (t && parse_date(t, date)) {
            snprintf(res->report->published_at, sizeof res->report->published_at, "%s", date);
            date_line = end - 1;
            if (end - 2 > first_heading) {
                const char *sig = single_text(&doc->lines[end - 2]);
                if (sig && title.s && strstr(title.s, sig) && sec_of[end - 2] == SEC_NONE)
                    sig_line = end - 2;
            }
        }
    }

    int sec = SEC_NONE;
    size_t *preamble_lines = gk_imp_xmalloc((doc->n ? doc->n : 1) * sizeof *preamble_lines);
    size_t n_preamble = 0;
    for (size_t i = title_end; i < end; i++) {
        const gk_imp_line *l = &doc->lines[i];
        if (i == date_line || i == sig_line)
            continue;
        if (sec_of[i] != SEC_NONE) {
            sec = sec_of[i];
            sec_found[sec] = true;
            if (sec > last_section)
                last_section = sec;
            if (sections[sec].narrative >= 0)
                narr_seen[sections[sec].narrative] = true;
            gk_imp_placer_begin(pl, sections[sec].table ?
                                        gk_format_table_index(f, sections[sec].table) : -1);
            continue;
        }
        bool prose = sec == SEC_NONE || sections[sec].narrative >= 0;
        if (prose && l->kind == GK_LINE_ROW && gk_imp_line_nonblank(l, true) >= 2) {
            int t = gk_imp_placer_row_table(pl, l);
            if (t >= 0) {
                /* Table rows under a prose heading: its own heading is missing. */
                for (int s = 0; s < SEC_COUNT; s++)
                    if (sections[s].table && gk_format_table_index(f, sections[s].table) == t)
                        sec = s;
                sec_found[sec] = true;
                if (sec > last_section)
                    last_section = sec;
                gk_imp_list_add(&res->notes, l, 0, "", "“%s”缺少标题，从此行起按该表读入",
                                f->tables[t].label);
                gk_imp_placer_begin(pl, t);
                prose = false;
            }
        }
        if (prose) {
            char *text = l->kind == GK_LINE_ROW ? row_as_text(l) : gk_imp_xstrdup(l->cells[0].text);
            if (text[0] && sec == SEC_NONE)
                preamble_lines[n_preamble++] = i;
            else if (text[0])
                sbuf_para(&narr[sections[sec].narrative], text);
            free(text);
            continue;
        }
        gk_imp_placer_line(pl, l, /* last= */ i + 1 == doc->n);
    }
    gk_imp_placer_end(pl);

    /* From the furniture on: the page, not the report.  Furniture is dropped
     * with a note; anything else there is told as unplaced. */
    for (size_t i = end; i < doc->n; i++) {
        const gk_imp_line *l = &doc->lines[i];
        char *text = row_as_text(l);
        if (is_furniture(l))
            gk_imp_list_add(&res->notes, l, 0, text, "网页的页面元素（页脚、打印、版权等），未导入%s",
                            "");
        else
            gk_imp_list_add(&res->unplaced, l, 0, text,
                            "在网页页脚之后，不属于报告的任何部分，未导入%s", "");
        free(text);
    }

    /* The preamble has no place in the contract (overview is section 一
     * alone): it is told, line by line, not stored. */
    for (size_t i = 0; i < n_preamble; i++)
        gk_imp_list_add(&res->notes, &doc->lines[preamble_lines[i]], 0, "",
                        "“一、总体情况”之前的引言不属于任何部分，未导入%s", "");
    for (int k = 0; k < GK_NARR_COUNT; k++)
        if (narr_seen[k])
            res->report->narrative[k] = gk_imp_xstrdup(narr[k].s ? narr[k].s : "");
    free(preamble_lines);

    /* A section missing is absent from the JSON (check reports it), wherever
     * it is missing: a report without section 六 is as faithful as one without
     * section 四.  A file cut short inside a table is told by the placer (the
     * rows missing from a table begun), not here. */
    for (int s = 0; s < SEC_COUNT; s++) {
        bool present = sec_found[s] ||
                       (sections[s].table && res->report->table_present[gk_format_table_index(
                                                 f, sections[s].table)]);
        if (present)
            continue;
        gk_imp_list_add(&res->notes, NULL, 0, "", "报告中没有“%s”%s", sections[s].title,
                        s > last_section ? "（在最后一个部分之后；如原文有该部分，文件可能不完整）"
                                         : "");
    }
    if (!res->report->has_tables)
        gk_imp_list_add(&res->notes, NULL, 0, "", "报告中没有可识别的表格%s", "");
    res->status = res->unplaced.n ? GK_IMPORT_PARTIAL : GK_IMPORT_OK;

done:
    gk_imp_placer_free(pl);
    gk_imp_labels_free(lb);
    for (int k = 0; k < GK_NARR_COUNT; k++)
        free(narr[k].s);
    free(title.s);
    free(sec_of);
    if (res->status == GK_IMPORT_NOT_REPORT && res->report) {
        gk_report_free(res->report);
        res->report = NULL;
    }
    return res->status;
}

/* Text saved by Chinese Windows is often GBK: input that is not UTF-8 but
 * converts from GB18030 (a superset of GBK and GB2312) without error is read
 * as such; anything else is read as UTF-8 with invalid bytes replaced. */
static char *from_gb18030(const char *data, size_t len, size_t *out_len)
{
    if (len > GK_IMP_MAX_INPUT)
        len = GK_IMP_MAX_INPUT;
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = len * 2 + 16;   /* a GB18030 character never grows beyond 2x in UTF-8 */
    char *out = gk_imp_xmalloc(cap);
    char *in = (char *)data, *o = out;
    size_t in_left = len, out_left = cap - 1;
    size_t rc = iconv(cd, &in, &in_left, &o, &out_left);
    iconv_close(cd);
    if (rc == (size_t)-1 || in_left) {
        free(out);
        return NULL;
    }
    *o = '\0';
    *out_len = (size_t)(o - out);
    return out;
}

static gk_import_status import_text_bytes(const char *data, size_t len,
                                          const gk_import_options *opt, gk_import_result *res)
{
    gk_imp_doc doc = {0};
    char *gb = NULL;
    size_t gb_len = 0;
    if (!gk_utf8_valid(data, len < GK_IMP_MAX_INPUT ? len : GK_IMP_MAX_INPUT) &&
        (gb = from_gb18030(data, len, &gb_len)) != NULL) {
        data = gb;
        len = gb_len;
        gk_imp_list_add(&res->notes, NULL, 0, "", "文件不是 UTF-8，按 GB18030（GBK）编码读取%s", "");
    }
    char *text = gk_imp_clean_utf8(data, len, NULL);
    free(gb);
    gk_imp_read_text(text, &doc);
    gk_import_status st = import_doc(&doc, opt, res);
    gk_imp_doc_free(&doc);
    free(text);
    return st;
}

static gk_import_status import_html_bytes(const char *data, size_t len, bool utf8,
                                          const gk_import_options *opt, gk_import_result *res)
{
    gk_imp_doc doc = {0};
    if (gk_imp_read_html(data, len, utf8, &doc) != 0) {
        fail(res, "not_a_report", "无法解析 HTML%s", NULL);
        return res->status;
    }
    gk_import_status st = import_doc(&doc, opt, res);
    gk_imp_doc_free(&doc);
    return st;
}

/* Word's "Unicode text" is UTF-16 with a byte order mark: converted to UTF-8
 * before any reader looks at the bytes.  Returns the converted copy (the
 * caller frees it, and reads it instead of data), or NULL. */
static char *utf16_input(const char **data, size_t *len, gk_import_result *res)
{
    size_t n = 0;
    char *u = gk_imp_from_utf16(*data, *len, &n);
    if (!u)
        return NULL;
    gk_imp_list_add(&res->notes, NULL, 0, "", "文件为 UTF-16 编码（%s），已转换为 UTF-8 读取",
                    (unsigned char)(*data)[0] == 0xFF ? "小端，Word 的“Unicode 文本”" : "大端");
    *data = u;
    *len = n;
    return u;
}

gk_import_status gk_import_text(const char *data, size_t len, const gk_import_options *opt,
                                gk_import_result *res)
{
    gk_import_result_init(res);
    char *u = utf16_input(&data, &len, res);
    gk_import_status st = import_text_bytes(data, len, opt, res);
    free(u);
    return st;
}

gk_import_status gk_import_html(const char *data, size_t len, const gk_import_options *opt,
                                gk_import_result *res)
{
    gk_import_result_init(res);
    char *u = utf16_input(&data, &len, res);
    gk_import_status st = import_html_bytes(data, len, u != NULL, opt, res);
    free(u);
    return st;
}

static bool looks_html(const char *data, size_t len)
{
    size_t i = 0;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < len && isspace((unsigned char)data[i]))
        i++;
    if (i >= len || data[i] != '<')
        return false;
    static const char *const tags[] = {"<!doctype", "<html", "<head", "<body", "<table", "<p",
                                       "<div", "<meta", "<h1", "<h2", "<!--", NULL};
    for (size_t k = 0; tags[k]; k++)
        if (len - i >= strlen(tags[k]) && !strncasecmp(data + i, tags[k], strlen(tags[k])))
            return true;
    return false;
}

static gk_import_status import_docx_bytes(const char *data, size_t len,
                                          const gk_import_options *opt, gk_import_result *res)
{
    gk_ooxml *z = gk_ooxml_open(data, len, res->error_code, res->error_message);
    if (!z) {
        res->status = GK_IMPORT_NOT_REPORT;
        return res->status;
    }
    bool word = gk_ooxml_has(z, "word/document.xml");
    if (!word && !gk_ooxml_has(z, "xl/workbook.xml")) {
        gk_ooxml_close(z);
        fail(res, "ooxml_not_office",
             "文件是 zip 包，但既不是 Word 文档（word/document.xml）也不是 Excel 工作簿（xl/workbook.xml）%s",
             "");
        return res->status;
    }
    if (!word) {
        /* The fill-in template is read by its defined names, not by labels. */
        xmlDocPtr wb = gk_ooxml_xml(z, "xl/workbook.xml", 0, res->error_code, res->error_message);
        if (!wb) {
            gk_ooxml_close(z);
            res->status = GK_IMPORT_NOT_REPORT;
            return res->status;
        }
        int t = gk_imp_xlsx_template(z, wb, opt, res);
        xmlFreeDoc(wb);
        if (t == 0) {
            gk_ooxml_close(z);
            return res->status;
        }
    }
    gk_imp_doc doc = {0};
    int rc = word ? gk_imp_read_docx(z, &doc, res->error_code, res->error_message)
                  : gk_imp_read_xlsx(z, &doc, res->error_code, res->error_message);
    gk_ooxml_close(z);
    gk_import_status st = GK_IMPORT_NOT_REPORT;
    if (rc == 0)
        st = import_doc(&doc, opt, res);
    else
        res->status = st;
    gk_imp_doc_free(&doc);
    return st;
}

/* A PDF starts with "%PDF-" (some writers put junk before it: poppler
 * accepts the header within the first KB, so do we). */
static bool looks_pdf(const char *data, size_t len)
{
    size_t n = len < 1024 ? len : 1024;
    for (size_t i = 0; i + 5 <= n; i++)
        if (!memcmp(data + i, "%PDF-", 5))
            return true;
    return false;
}

static gk_import_status import_pdf_bytes(const char *data, size_t len,
                                         const gk_import_options *opt, gk_import_result *res)
{
    gk_imp_doc doc = {0};
    char code[48], why[320];
    if (gk_imp_read_pdf(data, len, &doc, code, sizeof code, why, sizeof why) != 0) {
        gk_imp_doc_free(&doc);
        fail(res, code, "%s", why);
        return res->status;
    }
    gk_import_status st = import_doc(&doc, opt, res);
    gk_imp_doc_free(&doc);
    return st;
}

bool gk_import_is_template(const char *data, size_t len)
{
    char code[48], msg[320];
    if (len < 4 || memcmp(data, "PK\x03\x04", 4))
        return false;
    gk_ooxml *z = gk_ooxml_open(data, len, code, msg);
    if (!z)
        return false;
    xmlDocPtr wb = gk_ooxml_has(z, "xl/workbook.xml") ? gk_ooxml_xml(z, "xl/workbook.xml", 0, code, msg)
                                                      : NULL;
    bool yes = false;
    const xmlNode *root = wb ? xmlDocGetRootElement(wb) : NULL;
    for (const xmlNode *c = root ? root->children : NULL; c && !yes; c = c->next)
        if (gk_ooxml_is(c, "definedNames"))
            for (const xmlNode *d = c->children; d && !yes; d = d->next) {
                char *name = gk_ooxml_is(d, "definedName") ? gk_ooxml_attr(d, "name") : NULL;
                yes = name && !strcmp(name, GK_TNAME_TEMPLATE);
                xmlFree(name);
            }
    if (wb)
        xmlFreeDoc(wb);
    gk_ooxml_close(z);
    return yes;
}

gk_import_status gk_import_docx(const char *data, size_t len, const gk_import_options *opt,
                                gk_import_result *res)
{
    gk_import_result_init(res);
    return import_docx_bytes(data, len, opt, res);
}

static bool is_zip(const char *data, size_t len)
{
    return len >= 4 && !memcmp(data, "PK\x03\x04", 4);
}

/* Word 97-2003 (.doc) and Excel 97-2003 (.xls) are OLE compound files. */
static bool is_ole(const char *data, size_t len)
{
    return len >= 8 && !memcmp(data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
}

gk_import_status gk_import_auto(const char *data, size_t len, const gk_import_options *opt,
                                gk_import_result *res)
{
    gk_import_result_init(res);
    if (looks_pdf(data, len))
        return import_pdf_bytes(data, len, opt, res);
    if (is_zip(data, len))
        return import_docx_bytes(data, len, opt, res);
    if (is_ole(data, len)) {
        fail(res, "legacy_office",
             "这是旧版 Word/Excel 二进制文件（.doc/.xls），无法直接读取：请在 Word 或 WPS 中“另存为”"
             ".docx（Excel 另存为 .xlsx），或运行 libreoffice --headless --convert-to docx 文件名%s",
             "");
        return res->status;
    }
    char *u = utf16_input(&data, &len, res);
    gk_import_status st = looks_html(data, len) ? import_html_bytes(data, len, u != NULL, opt, res)
                                                : import_text_bytes(data, len, opt, res);
    free(u);
    return st;
}
