/* render.c — the report's document: title block, the six sections in the
 * format's order, signature and date (render.h).  A report's cells and a
 * rollup's sums both come through a cell-text callback, so the county's
 * draft from a rollup has exactly the township report's layout. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/exactjson.h"
#include "layout.h"
#include "rbuf.h"
#include "render.h"

void gk_render_date(const char *iso, char *buf, size_t len)
{
    int y, m, d;
    char tail;
    if (iso && sscanf(iso, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && m >= 1 && m <= 12 &&
        d >= 1 && d <= 31)
        snprintf(buf, len, "%d年%d月%d日", y, m, d);
    else if (len)
        buf[0] = '\0';
}

/* Prose: one paragraph per line, as the importer joins lines with "\n". */
static void prose(gk_rdoc *d, const char *text)
{
    const char *s = text;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        char *line = gk_rbuf_xmalloc(n + 1);
        memcpy(line, s, n);
        line[n] = '\0';
        gk_rdoc_paragraph(d, GK_RALIGN_LEFT, line);
        free(line);
        if (!nl)
            break;
        s = nl + 1;
    }
}

gk_rdoc *gk_render_doc(const gk_render_input *in)
{
    const gk_format *f = in->format;
    char title[512], line[256];
    snprintf(line, sizeof line, "%d年政府信息公开工作年度报告", in->year);
    snprintf(title, sizeof title, "%s%s", in->name ? in->name : "", line);
    gk_rdoc *d = gk_rdoc_new(title);
    if (in->name && in->name[0]) {
        snprintf(title, sizeof title, "%s\n%s", in->name, line);
        gk_rdoc_heading(d, 1, GK_RALIGN_CENTER, title);
    } else {
        gk_rdoc_heading(d, 1, GK_RALIGN_CENTER, line);
    }
    if (in->title_note)
        gk_rdoc_paragraph(d, GK_RALIGN_CENTER, in->title_note);
    if (in->narrative[GK_NARR_OVERVIEW]) {
        gk_rdoc_heading(d, 2, GK_RALIGN_LEFT, gk_narrative_labels[GK_NARR_OVERVIEW]);
        prose(d, in->narrative[GK_NARR_OVERVIEW]);
    }
    for (size_t ti = 0; ti < f->n_tables; ti++) {
        const gk_table *t = &f->tables[ti];
        if (in->table_present && !in->table_present[ti])
            continue;
        snprintf(title, sizeof title, "%s、%s", t->section, t->label);
        gk_rdoc_heading(d, 2, GK_RALIGN_LEFT, title);
        gk_render_layout_table(d, f, t, in->cell, in->ud);
    }
    if (in->closing_note)
        gk_rdoc_paragraph(d, GK_RALIGN_LEFT, in->closing_note);
    for (int k = GK_NARR_PROBLEMS; k <= GK_NARR_OTHER; k++)
        if (in->narrative[k]) {
            gk_rdoc_heading(d, 2, GK_RALIGN_LEFT, gk_narrative_labels[k]);
            prose(d, in->narrative[k]);
        }
    char date[64];
    gk_render_date(in->published_at, date, sizeof date);
    if (date[0]) {
        /* the signature repeats the title's name line: the importer drops
         * both with the date (docs/import.md §3) */
        if (in->name && in->name[0])
            gk_rdoc_paragraph(d, GK_RALIGN_RIGHT, in->name);
        gk_rdoc_paragraph(d, GK_RALIGN_RIGHT, date);
    }
    return d;
}

/* ---- one report ---- */

void gk_render_report_cell(const gk_report *r, size_t i, char *buf, size_t len)
{
    const gk_cell *c = &r->cells[i];
    const gk_cell_def *def = &r->format->cells[i];
    const gk_column *col = &r->format->tables[def->table].columns[def->column];
    switch (c->state) {
    case GK_CELL_ABSENT: snprintf(buf, len, "%s", ""); break;
    case GK_CELL_NULL: snprintf(buf, len, "%s", "/"); break;
    case GK_CELL_NUMBER: gk_value_format(col->kind, c->value, buf, len); break;
    case GK_CELL_INVALID:
        if (gk_json_exact_text(c->raw)) {
            snprintf(buf, len, "%s", gk_json_exact_text(c->raw));
        } else if (json_is_string(c->raw)) {
            snprintf(buf, len, "%s", json_string_value(c->raw));
        } else {
            char *s = json_dumps(c->raw, JSON_ENCODE_ANY | GK_JSON_REAL_FLAGS);
            snprintf(buf, len, "%s", s ? s : "");
            free(s);
        }
        break;
    }
}

static void report_cell(void *ud, const gk_table *t, const gk_row *r, const gk_column *c,
                        char *buf, size_t len)
{
    const gk_report *rep = ud;
    size_t col = (size_t)(c - t->columns);
    int pos = gk_row_column_pos(r, col);
    buf[0] = '\0';
    if (pos >= 0)
        gk_render_report_cell(rep, r->first_cell + (size_t)pos, buf, len);
}

gk_rdoc *gk_render_report(const gk_report *r, const char *name)
{
    gk_render_input in = {
        .format = r->format,
        .year = r->year,
        .name = name,
        .table_present = r->table_present,
        .published_at = r->published_at,
        .cell = report_cell,
        .ud = (void *)r,
    };
    for (int k = 0; k < GK_NARR_COUNT; k++)
        in.narrative[k] = r->narrative[k];
    return gk_render_doc(&in);
}

/* ---- a rollup ---- */

typedef struct rollup_ud {
    const json_t *tables;
    long long n_reports;
} rollup_ud;

static long long jint(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

/* A sum as exact text: the client loads the daemon's decimals as exact
 * nodes (exactjson.h); an integer as is; a real only as a fallback. */
static void number_text(const json_t *v, char *buf, size_t len)
{
    const char *exact = gk_json_exact_text(v);
    if (exact)
        snprintf(buf, len, "%s", exact);
    else if (json_is_integer(v))
        snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_string(v))
        snprintf(buf, len, "%s", json_string_value(v));
    else if (json_is_real(v))
        snprintf(buf, len, "%.6f", json_real_value(v));
    else if (len)
        buf[0] = '\0';
}

static void rollup_cell(void *ud, const gk_table *t, const gk_row *r, const gk_column *c,
                        char *buf, size_t len)
{
    const rollup_ud *u = ud;
    const json_t *cell =
        json_object_get(json_object_get(json_object_get(u->tables, t->key), r->key), c->key);
    buf[0] = '\0';
    if (!json_is_object(cell))
        return;
    long long reported = jint(cell, "reported"), na = jint(cell, "not_applicable");
    if (reported <= 0) {
        snprintf(buf, len, "%s", na > 0 ? "/" : "");
        return;
    }
    char num[64];
    number_text(json_object_get(cell, "sum"), num, sizeof num);
    if (reported >= u->n_reports)
        snprintf(buf, len, "%s", num);
    else
        snprintf(buf, len, "%s (%lld/%lld)", num, reported, u->n_reports);
}

gk_rdoc *gk_render_rollup(const json_t *answer, const char *name, char *why, size_t why_len)
{
    const json_t *ru = json_object_get(answer, "rollup");
    if (!ru)
        ru = answer;
    const char *version = json_string_value(json_object_get(ru, "format"));
    if (!version)
        version = json_string_value(json_object_get(answer, "format"));
    const gk_format *f = version ? gk_format_find(version) : NULL;
    if (!f) {
        snprintf(why, why_len, "汇总的报告格式“%s”不认识", version ? version : "");
        return NULL;
    }
    long long year = jint(answer, "year");
    if (!year)
        year = jint(ru, "year");
    const json_t *region = json_object_get(answer, "region");
    if (!name)
        name = json_string_value(json_object_get(region, "name"));
    rollup_ud u = {json_object_get(ru, "tables"), jint(ru, "reports")};
    char note[512], closing[768];
    snprintf(note, sizeof note, "（汇总稿：由 %lld 份报告汇总生成，请核对后补写文字部分）", u.n_reports);
    snprintf(closing, sizeof closing,
             "注：表中数字为 %lld 份报告之和；“12 (2/3)”表示 3 份报告中有 2 份填了数字，合计为 12，"
             "其余为不适用或空白；“/”表示填写的报告均为不适用；空白表示均未填写。",
             u.n_reports);
    static const char *const blank = "（待填写）";
    gk_render_input in = {
        .format = f,
        .year = (int)year,
        .name = name,
        .title_note = note,
        .narrative = {blank, blank, blank},
        .cell = rollup_cell,
        .ud = &u,
        .closing_note = closing,
    };
    return gk_render_doc(&in);
}
