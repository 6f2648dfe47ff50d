/* csv.c — see csv.h.  Rows of one table can have different columns (the
 * 2019 format's section 二 does), so a header line is printed whenever the
 * column set changes, as the printed form does. */
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongkai/report.h"

static void field(FILE *f, const char *s, bool last)
{
    if (strpbrk(s, ",\"\r\n") != NULL) {
        fputc('"', f);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                fputc('"', f);
            fputc(*p, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}

char *gk_rollup_csv(const gk_rollup *ru, const json_t *region, int year, size_t *len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (f == NULL)
        return NULL;
    const gk_format *fm = ru->format;
    const char *code = json_string_value(json_object_get(region, "code"));
    gk_report *rep = gk_rollup_as_report(ru, year, code ? code : "0");
    if (rep == NULL) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fputs("\xEF\xBB\xBF", f);
    char line[512];
    snprintf(line, sizeof line, "%s（%s）%d年度政府信息公开工作年度报告汇总",
             json_string_value(json_object_get(region, "name")), code ? code : "", year);
    field(f, line, true);
    field(f, "格式", false);
    field(f, fm->title, true);
    snprintf(line, sizeof line, "%lld", (long long)ru->n_reports);
    field(f, "汇总报告数", false);
    field(f, line, true);
    for (size_t t = 0; t < fm->n_tables; t++) {
        const gk_table *tb = &fm->tables[t];
        fputs("\r\n", f);
        snprintf(line, sizeof line, "%s、%s", tb->section, tb->label);
        field(f, line, true);
        const size_t *prev = NULL;
        size_t prev_n = 0;
        for (size_t r = 0; r < tb->n_rows; r++) {
            const gk_row *row = &tb->rows[r];
            if (prev == NULL || prev_n != row->n_columns ||
                memcmp(prev, row->columns, row->n_columns * sizeof *prev) != 0) {
                field(f, "项目", row->n_columns == 0);
                for (size_t c = 0; c < row->n_columns; c++)
                    field(f, tb->columns[row->columns[c]].label, c + 1 == row->n_columns);
                prev = row->columns;
                prev_n = row->n_columns;
            }
            field(f, row->label, row->n_columns == 0);
            for (size_t c = 0; c < row->n_columns; c++) {
                const gk_column *col = &tb->columns[row->columns[c]];
                const gk_cell *cell = gk_report_cell(rep, tb->key, row->key, col->key);
                char v[40] = "";
                if (cell != NULL && cell->state == GK_CELL_NUMBER)
                    gk_value_format(col->kind, cell->value, v, sizeof v);
                else if (cell != NULL && cell->state == GK_CELL_NULL)
                    snprintf(v, sizeof v, "/");
                field(f, v, c + 1 == row->n_columns);
            }
        }
    }
    gk_report_free(rep);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    *len = size;
    return buf;
}
