/* print_layout.c — see print_layout.h. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/exactjson.h"
#include "print_layout.h"
#include "print_table.h"

void gk_print_layout(FILE *out, const gk_format *f, gk_cell_text_fn text, void *ud, bool wide)
{
    char buf[96];
    for (size_t ti = 0; ti < f->n_tables; ti++) {
        const gk_table *t = &f->tables[ti];
        fprintf(out, "%s、%s\n", t->section, t->label);
        size_t r0 = 0;
        while (r0 < t->n_rows) {
            const gk_row *first = &t->rows[r0];
            size_t r1 = r0 + 1;
            while (r1 < t->n_rows && gk_row_same_columns(first, &t->rows[r1]))
                r1++;
            gk_ptable *pt = gk_ptable_new(first->n_columns + 1);
            gk_ptable_column(pt, 0, "", GK_ALIGN_LEFT);
            for (size_t c = 0; c < first->n_columns; c++)
                gk_ptable_column(pt, c + 1, t->columns[first->columns[c]].label, GK_ALIGN_RIGHT);
            for (size_t r = r0; r < r1; r++) {
                const gk_row *row = &t->rows[r];
                gk_ptable_row(pt);
                gk_ptable_cell(pt, wide || !row->short_label ? row->label : row->short_label);
                for (size_t c = 0; c < row->n_columns; c++) {
                    buf[0] = '\0';
                    text(ud, t, row, &t->columns[row->columns[c]], buf, sizeof buf);
                    gk_ptable_cell(pt, buf);
                }
            }
            gk_ptable_print(pt, out, "  ");
            gk_ptable_free(pt);
            r0 = r1;
            if (r0 < t->n_rows)
                fputc('\n', out);
        }
        if (ti + 1 < f->n_tables)
            fputc('\n', out);
    }
}

void gk_json_number_text(const json_t *v, char *buf, size_t len)
{
    const char *exact = gk_json_exact_text(v);
    if (exact != NULL) {
        snprintf(buf, len, "%s", exact); /* as the daemon wrote it */
    } else if (json_is_integer(v)) {
        snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    } else if (json_is_real(v)) {
        /* Amounts have at most GK_AMOUNT_DECIMALS decimals: print that many,
         * then drop trailing zeros. */
        snprintf(buf, len, "%.*f", GK_AMOUNT_DECIMALS, json_real_value(v));
        char *dot = strchr(buf, '.');
        if (dot) {
            char *e = buf + strlen(buf);
            while (e > dot + 1 && e[-1] == '0')
                *--e = '\0';
            if (e == dot + 1)
                *dot = '\0';
        }
    } else if (json_is_string(v)) {
        snprintf(buf, len, "%s", json_string_value(v));
    } else if (len) {
        buf[0] = '\0';
    }
}

static long long jint(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

void gk_rollup_cell_text(const json_t *cell, long long n_reports, char *buf, size_t len)
{
    char num[64];
    if (!json_is_object(cell)) {
        snprintf(buf, len, "%s", "");
        return;
    }
    long long reported = jint(cell, "reported"), na = jint(cell, "not_applicable");
    if (reported <= 0) {
        snprintf(buf, len, "%s", na > 0 ? "/" : "");
        return;
    }
    gk_json_number_text(json_object_get(cell, "sum"), num, sizeof num);
    if (reported >= n_reports)
        snprintf(buf, len, "%s", num);
    else {
        /* "sum (reported/reports)", cut to the column's buffer */
        char counts[48]; /* two 20-digit numbers fit */
        snprintf(counts, sizeof counts, " (%lld/%lld)", reported, n_reports);
        size_t a = strlen(num), b = strlen(counts);
        if (a >= len)
            a = len - 1;
        if (a + b >= len)
            b = len - 1 - a;
        memcpy(buf, num, a);
        memcpy(buf + a, counts, b);
        buf[a + b] = '\0';
    }
}

typedef struct rollup_ud {
    const json_t *tables;
    long long n_reports;
} rollup_ud;

static const json_t *cell_at(const json_t *tables, const gk_table *t, const gk_row *r,
                             const gk_column *c)
{
    return json_object_get(json_object_get(json_object_get(tables, t->key), r->key), c->key);
}

static void rollup_text(void *ud, const gk_table *t, const gk_row *r, const gk_column *c,
                        char *buf, size_t len)
{
    const rollup_ud *u = ud;
    gk_rollup_cell_text(cell_at(u->tables, t, r, c), u->n_reports, buf, len);
}

void gk_print_rollup(FILE *out, const json_t *rollup, bool wide)
{
    const char *version = json_string_value(json_object_get(rollup, "format"));
    const gk_format *f = version ? gk_format_find(version) : NULL;
    rollup_ud u = {json_object_get(rollup, "tables"), jint(rollup, "reports")};
    if (!f) {
        fprintf(out, "（服务器返回的汇总格式“%s”本客户端不认识，请升级 gongkai 或用 --json 查看）\n",
                version ? version : "");
        return;
    }
    gk_print_layout(out, f, rollup_text, &u, wide);
    fprintf(out, "\n注：合计按 %lld 份报告计算；“12 (2/3)”表示 3 份报告中有 2 份填了数字，合计为 12，"
                 "其余为不适用或空白；“/”表示填写的报告均为不适用；空白表示均未填写。\n",
            u.n_reports);
}

static void report_text(void *ud, const gk_table *t, const gk_row *r, const gk_column *c,
                        char *buf, size_t len)
{
    const json_t *tables = ud;
    const json_t *v = cell_at(tables, t, r, c);
    if (json_is_null(v) && v)
        snprintf(buf, len, "/");
    else if (json_is_number(v) || gk_json_exact_text(v))
        gk_json_number_text(v, buf, len);
    else if (v)
        snprintf(buf, len, "无效值");   /* a stored invalid value, already a finding */
    else
        buf[0] = '\0';
}

void gk_print_report_tables(FILE *out, const gk_format *f, const json_t *report, bool wide)
{
    gk_print_layout(out, f, report_text, (void *)json_object_get(report, "tables"), wide);
}
