/* rollup.c — cell-by-cell sums with contributor counts (see rollup.h).
 *
 * Null counts 0 in the sum, as in the rules, but is counted apart; blank and
 * invalid cells add nothing and are counted as blank.  Because the sum is
 * linear, the sum of reports that pass the arithmetic rules passes them too. */
#include <stdlib.h>
#include <string.h>
#include "gongkai/exactjson.h"
#include "gongkai/rollup.h"
#include "util.h"

gk_rollup *gk_rollup_new(const gk_format *f)
{
    gk_rollup *ru = gk_xcalloc(1, sizeof *ru);
    ru->format = f;
    ru->cells = gk_xcalloc(f->n_cells, sizeof *ru->cells);
    return ru;
}

void gk_rollup_free(gk_rollup *ru)
{
    if (!ru)
        return;
    free(ru->cells);
    free(ru);
}

int gk_rollup_add(gk_rollup *ru, const gk_report *r, int sign)
{
    if (r->format != ru->format || (sign != 1 && sign != -1))
        return -1;
    size_t n = ru->format->n_cells;
    gk_rollup_cell *next = gk_xcalloc(n, sizeof *next);
    memcpy(next, ru->cells, n * sizeof *next);
    for (size_t c = 0; c < n; c++) {
        const gk_cell *cell = &r->cells[c];
        gk_rollup_cell *rc = &next[c];
        if (cell->state == GK_CELL_NUMBER) {
            int64_t v = sign > 0 ? cell->value : -cell->value;
            if (__builtin_add_overflow(rc->sum, v, &rc->sum))
                goto overflow;
            rc->n_number += sign;
        } else if (cell->state == GK_CELL_NULL) {
            rc->n_null += sign;
        }
    }
    memcpy(ru->cells, next, n * sizeof *next);
    free(next);
    ru->n_reports += sign;
    return 0;
overflow:
    free(next);
    return -1;
}

gk_report *gk_rollup_as_report(const gk_rollup *ru, int year, const char *entity)
{
    const gk_format *f = ru->format;
    gk_report *r = gk_report_new(f, year, entity);
    for (size_t c = 0; c < f->n_cells; c++) {
        const gk_rollup_cell *rc = &ru->cells[c];
        if (rc->n_number > 0) {
            r->cells[c].state = GK_CELL_NUMBER;
            r->cells[c].value = rc->sum;
        } else if (rc->n_null > 0) {
            r->cells[c].state = GK_CELL_NULL;
        } else {
            continue;
        }
        r->table_present[f->cells[c].table] = true;
        r->has_tables = true;
    }
    return r;
}

json_t *gk_rollup_to_json(const gk_rollup *ru)
{
    const gk_format *f = ru->format;
    json_t *o = json_pack("{sssI}", "format", f->version, "reports", (json_int_t)ru->n_reports);
    json_t *tables = json_object();
    for (size_t ti = 0; ti < f->n_tables; ti++) {
        const gk_table *t = &f->tables[ti];
        json_t *jt = json_object();
        for (size_t ri = 0; ri < t->n_rows; ri++) {
            const gk_row *row = &t->rows[ri];
            json_t *jr = json_object();
            for (size_t p = 0; p < row->n_columns; p++) {
                const gk_rollup_cell *rc = &ru->cells[row->first_cell + p];
                gk_value_kind kind = t->columns[row->columns[p]].kind;
                /* an amount as its exact decimal (gk_json_dumps_exact), never a double */
                char digits[32];
                gk_value_format(kind, rc->sum, digits, sizeof digits);
                json_t *sum = kind == GK_KIND_AMOUNT && rc->sum % GK_AMOUNT_SCALE
                                  ? gk_json_exact_number(digits)
                                  : json_integer(kind == GK_KIND_AMOUNT ? rc->sum / GK_AMOUNT_SCALE
                                                                        : rc->sum);
                json_object_set_new(jr, t->columns[row->columns[p]].key,
                                    json_pack("{sosIsIsI}", "sum", sum, "reported",
                                              (json_int_t)rc->n_number, "not_applicable",
                                              (json_int_t)rc->n_null, "blank",
                                              (json_int_t)(ru->n_reports - rc->n_number - rc->n_null)));
            }
            json_object_set_new(jt, row->key, jr);
        }
        json_object_set_new(tables, t->key, jt);
    }
    json_object_set_new(o, "tables", tables);
    return o;
}
