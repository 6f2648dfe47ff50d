/* rules.c — the rules engine: structure, values and the registry's sums.
 *
 * Nothing here names a cell: the structure rules walk the registry, and the
 * arithmetic rules are the equations the format's data lists.  Operands follow
 * FORMAT.md §3: null (not applicable) counts as 0 inside a sum, and a rule with
 * an absent or invalid operand is skipped, because that cell already has its
 * own finding. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "gongkai/rules.h"
#include "cellref.h"

/* Blank prose: nothing but ASCII whitespace and the ideographic space. */
static bool is_blank(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            p++;
        } else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
            p += 3;
        } else {
            return false;
        }
    }
    return true;
}

void gk_rules_structure(const gk_report *r, gk_findings *out)
{
    const gk_format *f = r->format;
    if (r->year < f->year_from || (f->year_to && r->year > f->year_to)) {
        const gk_format *want = gk_format_for_year(r->year);
        gk_findings_add(out, "structure.format_year_mismatch", GK_SEV_ERROR, "format",
                        "%d 年度报告应使用 %s 年版格式，本报告使用了 %s 年版格式", r->year,
                        want ? want->version : "（无适用）", f->version);
    }
    for (int i = 0; i < GK_NARR_COUNT; i++)
        if (!r->narrative[i] || is_blank(r->narrative[i])) {
            char path[32];
            snprintf(path, sizeof path, "narrative.%s", gk_narrative_keys[i]);
            gk_findings_add(out, "structure.missing_narrative", GK_SEV_ERROR, path,
                            "缺少“%s”部分的内容", gk_narrative_labels[i]);
        }
    char ref[256];
    for (size_t ti = 0; ti < f->n_tables; ti++) {
        const gk_table *t = &f->tables[ti];
        if (!r->table_present[ti]) {
            char path[64];
            snprintf(path, sizeof path, "tables.%s", t->key);
            gk_findings_add(out, "structure.missing_table", GK_SEV_ERROR, path,
                            "缺少第%s部分“%s”表格", t->section, t->label);
            continue;
        }
        for (size_t c = t->first_cell; c < t->first_cell + t->n_cells; c++) {
            if (r->cells[c].state == GK_CELL_ABSENT) {
                gk_cellref(f, c, ref, sizeof ref);
                gk_findings_add(out, "structure.missing_cell", GK_SEV_WARNING, f->cells[c].path,
                                "%s未填写（空白）；不适用请填 null，没有请填 0", ref);
            } else if (r->cells[c].state == GK_CELL_NULL) {
                gk_cellref(f, c, ref, sizeof ref);
                gk_findings_add(out, "value.not_applicable", GK_SEV_INFO, f->cells[c].path,
                                "%s填写为不适用（/）", ref);
            }
        }
    }
}

/* Sums operands; returns false when one is absent or invalid (rule skipped).
 * *all_null tells whether every operand said not applicable. */
static bool sum_cells(const gk_report *r, const size_t *cells, size_t n, int64_t *sum,
                      bool *all_null)
{
    *sum = 0;
    *all_null = true;
    for (size_t i = 0; i < n; i++) {
        const gk_cell *c = &r->cells[cells[i]];
        if (c->state == GK_CELL_ABSENT || c->state == GK_CELL_INVALID)
            return false;
        if (c->state == GK_CELL_NUMBER) {
            *all_null = false;
            if (__builtin_add_overflow(*sum, c->value, sum))
                return false;
        }
    }
    return true;
}

/* Flat cell of (row, column) of table t, or -1 when the row lacks the column. */
static long cell_at(const gk_table *t, size_t row, size_t column)
{
    int pos = gk_row_column_pos(&t->rows[row], column);
    return pos < 0 ? -1 : (long)(t->rows[row].first_cell + (size_t)pos);
}

/* Operand cells of one line of a rule; false when the line lacks one. */
static bool rule_cells(const gk_table *t, gk_sum_scope scope, size_t line, const size_t *ops,
                       size_t n, size_t *cells)
{
    for (size_t i = 0; i < n; i++) {
        long c = scope == GK_SUM_PER_ROW ? cell_at(t, line, ops[i]) : cell_at(t, ops[i], line);
        if (c < 0)
            return false;
        cells[i] = (size_t)c;
    }
    return true;
}

static void show_sum(const gk_format *f, size_t cell, int64_t v, bool all_null, char *buf,
                     size_t len)
{
    const gk_cell_def *d = &f->cells[cell];
    if (all_null)
        snprintf(buf, len, "不适用（/）");
    else
        gk_value_format(f->tables[d->table].columns[d->column].kind, v, buf, len);
}

static const char *line_label(const gk_table *t, gk_sum_scope scope, size_t line)
{
    return scope == GK_SUM_PER_ROW ? t->rows[line].short_label : t->columns[line].label;
}

void gk_rules_arithmetic(const gk_report *r, gk_findings *out)
{
    const gk_format *f = r->format;
    size_t lhs[64], rhs[64];
    for (size_t i = 0; i < f->n_rules; i++) {
        const gk_sum_rule *rule = &f->rules[i];
        const gk_table *t = &f->tables[rule->table];
        if (!r->table_present[rule->table] || rule->n_lhs > 64 || rule->n_rhs > 64)
            continue;
        for (size_t l = 0; l < rule->n_lines; l++) {
            size_t line = rule->lines[l];
            if (!rule_cells(t, rule->scope, line, rule->lhs, rule->n_lhs, lhs) ||
                !rule_cells(t, rule->scope, line, rule->rhs, rule->n_rhs, rhs))
                continue;
            int64_t lv, rv;
            bool lnull, rnull;
            if (!sum_cells(r, lhs, rule->n_lhs, &lv, &lnull) ||
                !sum_cells(r, rhs, rule->n_rhs, &rv, &rnull) || lv == rv)
                continue;
            char ls[40], rs[40];
            show_sum(f, lhs[0], lv, lnull, ls, sizeof ls);
            show_sum(f, rhs[0], rv, rnull, rs, sizeof rs);
            json_t *detail = json_pack("{sIsI}", "lhs", (json_int_t)lv, "rhs", (json_int_t)rv);
            gk_findings_add_detail(out, rule->code, rule->severity, f->cells[lhs[0]].path, detail,
                                   "%s“%s”%s：%s %s ≠ %s %s", t->short_label,
                                   line_label(t, rule->scope, line),
                                   rule->scope == GK_SUM_PER_ROW ? "行" : "列", rule->lhs_label,
                                   ls, rule->rhs_label, rs);
        }
    }
}

/* Sum of cells named by (row key, column key) pairs in a report of any
 * format; false when the format lacks one or a cell is absent/invalid. */
static bool sum_by_keys(const gk_report *r, const char *table, const char *const *rows,
                        const char *const *cols, size_t n, int64_t *sum)
{
    int ti = gk_format_table_index(r->format, table);
    if (ti < 0 || !r->table_present[ti])
        return false;
    *sum = 0;
    for (size_t i = 0; i < n; i++) {
        int c = gk_format_cell_index(r->format, table, rows[i], cols[i]);
        if (c < 0)
            return false;
        const gk_cell *cell = &r->cells[c];
        if (cell->state == GK_CELL_ABSENT || cell->state == GK_CELL_INVALID)
            return false;
        if (cell->state == GK_CELL_NUMBER && __builtin_add_overflow(*sum, cell->value, sum))
            return false;
    }
    return true;
}

static void history_line(const gk_report *r, const gk_report *prev, const gk_history_rule *h,
                         const gk_table *t, const char *row_key, const char *col_key,
                         const char *line_text, gk_findings *out)
{
    const char *lr[16], *lc[16], *rr[16], *rc[16];
    if (h->n_lhs > 16 || h->n_rhs > 16)
        return;
    for (size_t i = 0; i < h->n_lhs; i++) {
        lr[i] = h->scope == GK_SUM_PER_COLUMN ? h->lhs[i] : row_key;
        lc[i] = h->scope == GK_SUM_PER_COLUMN ? col_key : h->lhs[i];
    }
    for (size_t i = 0; i < h->n_rhs; i++) {
        rr[i] = h->scope == GK_SUM_PER_COLUMN ? h->rhs[i] : row_key;
        rc[i] = h->scope == GK_SUM_PER_COLUMN ? col_key : h->rhs[i];
    }
    int64_t lv, rv;
    if (!sum_by_keys(r, t->key, lr, lc, h->n_lhs, &lv) ||
        !sum_by_keys(prev, t->key, rr, rc, h->n_rhs, &rv) || lv == rv)
        return;
    int cell = gk_format_cell_index(r->format, t->key, lr[0], lc[0]);
    const gk_cell_def *d = &r->format->cells[cell];
    char ls[40], rs[40];
    gk_value_kind kind = t->columns[d->column].kind;
    gk_value_format(kind, lv, ls, sizeof ls);
    gk_value_format(kind, rv, rs, sizeof rs);
    json_t *detail = json_pack("{sIsIsi}", "this_year", (json_int_t)lv, "previous_year",
                               (json_int_t)rv, "previous_revision_year", prev->year);
    gk_findings_add_detail(out, h->code, h->severity, d->path, detail,
                           "%s%s：%s %s ≠ %d 年%s %s", t->short_label, line_text, h->lhs_label,
                           ls, prev->year, h->rhs_label, rs);
}

/* history.jump: counts that moved more than 5× either way, both years ≥ 10. */
static void history_jumps(const gk_report *r, const gk_report *prev, gk_findings *out)
{
    const gk_format *f = r->format;
    char ref[256];
    for (size_t c = 0; c < f->n_cells; c++) {
        const gk_cell_def *d = &f->cells[c];
        const gk_table *t = &f->tables[d->table];
        if (t->columns[d->column].kind != GK_KIND_COUNT || r->cells[c].state != GK_CELL_NUMBER)
            continue;
        int pc = gk_format_cell_index(prev->format, t->key, t->rows[d->row].key,
                                      t->columns[d->column].key);
        if (pc < 0 || prev->cells[pc].state != GK_CELL_NUMBER)
            continue;
        int64_t now = r->cells[c].value, before = prev->cells[pc].value;
        if (now < 10 || before < 10 || (now <= 5 * before && before <= 5 * now))
            continue;
        gk_cellref(f, c, ref, sizeof ref);
        json_t *detail = json_pack("{sIsI}", "this_year", (json_int_t)now, "previous_year",
                                   (json_int_t)before);
        gk_findings_add_detail(out, "history.jump", GK_SEV_INFO, d->path, detail,
                               "%s：本年 %" PRId64 "，%d 年 %" PRId64 "，变化超过 5 倍，请核实", ref,
                               now, prev->year, before);
    }
}

void gk_rules_history(const gk_report *r, const gk_report *prev, gk_findings *out)
{
    if (!prev || prev->year != r->year - 1 || strcmp(prev->entity, r->entity))
        return;
    const gk_format *f = r->format;
    char line[160];
    for (size_t i = 0; i < f->n_history; i++) {
        const gk_history_rule *h = &f->history[i];
        const gk_table *t = &f->tables[h->table];
        if (h->scope == GK_SUM_PER_COLUMN) {
            for (size_t c = 0; c < t->n_columns; c++) {
                snprintf(line, sizeof line, "“%s”列", t->columns[c].label);
                history_line(r, prev, h, t, NULL, t->columns[c].key, line, out);
            }
        } else {
            for (size_t ri = 0; ri < t->n_rows; ri++) {
                snprintf(line, sizeof line, "“%s”行", t->rows[ri].short_label);
                history_line(r, prev, h, t, t->rows[ri].key, NULL, line, out);
            }
        }
    }
    history_jumps(r, prev, out);
}

void gk_rules_default_deadline(int year, char out[11])
{
    /* years are 2008..2100 (report.c), so four digits always fit */
    int y = year + 1;
    if (y < 1000 || y > 9999)
        y = 9999;
    snprintf(out, 11, "%04d-01-31", y % 10000);
}

void gk_rules_timeliness(const gk_report *r, const char *deadline, const char *first_submitted,
                         gk_findings *out)
{
    /* The publication date counts when the report gives it: a township that
     * published on time but entered gongkai later was not late. */
    const char *when = r->published_at[0] ? r->published_at : first_submitted;
    if (!deadline || !deadline[0] || !when || !when[0])
        return;
    if (strncmp(when, deadline, 10) <= 0)
        return;
    json_t *detail = json_pack("{ss%ss%}", "deadline", deadline, (size_t)10, "date", when,
                               (size_t)10);
    gk_findings_add_detail(out, "timeliness.late", GK_SEV_WARNING,
                           r->published_at[0] ? "published_at" : "", detail,
                           "%d 年度报告应于 %.10s 前公开，%s日期为 %.10s，已逾期", r->year,
                           deadline, r->published_at[0] ? "公开" : "首次提交", when);
}

/* 《立法法》第九十三条: 规章 are made only by the people's governments of
 * provinces and of cities with districts (and 自治州).  A township-level
 * unit (a 9-digit code) that reports some made this year has almost surely
 * put its 行政规范性文件 in the wrong row: a domain fact, no statistics. */
void gk_rules_domain(const gk_report *r, gk_findings *out)
{
    if (strlen(r->entity) != 9 || strspn(r->entity, "0123456789") != 9)
        return;
    /* "made this year": issued (2021 format), new_made (2019 format) */
    static const char *const made[] = {"issued", "new_made"};
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        int c = gk_format_cell_index(r->format, "active", "rules", made[i]);
        if (c < 0 || r->cells[c].state != GK_CELL_NUMBER || r->cells[c].value <= 0)
            continue;
        char ref[256];
        gk_cellref(r->format, (size_t)c, ref, sizeof ref);
        gk_findings_add(out, "domain.township_rules", GK_SEV_WARNING, r->format->cells[c].path,
                        "%s填写为 %lld：乡镇（街道）不能制定规章（《立法法》第九十三条，规章由省级和设区的市、"
                        "自治州人民政府制定），请核实是否应填入“行政规范性文件”一行",
                        ref, (long long)r->cells[c].value);
    }
}

void gk_rules_check(const gk_report *r, const gk_rules_context *ctx, gk_findings *out)
{
    gk_rules_structure(r, out);
    gk_rules_arithmetic(r, out);
    gk_rules_domain(r, out);
    if (!ctx)
        return;
    if (ctx->previous)
        gk_rules_history(r, ctx->previous, out);
    gk_rules_timeliness(r, ctx->deadline, ctx->first_submitted, out);
}

gk_report *gk_judge_text(const char *text, size_t len, const gk_rules_context *ctx,
                         gk_findings *out, gk_error *err)
{
    gk_report *r = gk_report_parse_tolerant(text, len, out, err);
    if (r)
        gk_rules_check(r, ctx, out);
    return r;
}
