/* value.c — numbers of the three kinds (count, signed count, amount) between
 * JSON and the model.  Amounts are held as exact integers of 1/10000 unit so
 * rollups of thousands of reports add up exactly; JSON reals are read
 * through a double, which is exact enough for 15 significant digits. */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "gongkai/report.h"

void gk_value_format(gk_value_kind kind, int64_t value, char *buf, size_t len)
{
    if (kind != GK_KIND_AMOUNT || value % GK_AMOUNT_SCALE == 0) {
        snprintf(buf, len, "%" PRId64, kind == GK_KIND_AMOUNT ? value / GK_AMOUNT_SCALE : value);
        return;
    }
    int64_t whole = value / GK_AMOUNT_SCALE, frac = value % GK_AMOUNT_SCALE;
    const char *sign = "";
    if (value < 0) {
        sign = "-";
        whole = -whole;
        frac = -frac;
    }
    char fr[8];
    snprintf(fr, sizeof fr, "%04" PRId64, frac);
    for (int i = 3; i > 0 && fr[i] == '0'; i--)
        fr[i] = '\0';
    snprintf(buf, len, "%s%" PRId64 ".%s", sign, whole, fr);
}

int gk_value_from_json(gk_value_kind kind, const json_t *v, int64_t *out, char *why, size_t why_len)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (kind != GK_KIND_SIGNED_COUNT && i < 0) {
            snprintf(why, why_len, "不能为负数");
            return -1;
        }
        int64_t max = kind == GK_KIND_AMOUNT ? GK_AMOUNT_MAX : GK_VALUE_MAX;
        if (i > max || i < -max) {
            snprintf(why, why_len, "超出上限 %" PRId64, max);
            return -1;
        }
        if (kind == GK_KIND_AMOUNT)
            i *= GK_AMOUNT_SCALE;
        *out = i;
        return 0;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d)) {
            snprintf(why, why_len, "不是有限的数");
            return -1;
        }
        if (kind != GK_KIND_SIGNED_COUNT && d < 0) {
            snprintf(why, why_len, "不能为负数");
            return -1;
        }
        int64_t max = kind == GK_KIND_AMOUNT ? GK_AMOUNT_MAX : GK_VALUE_MAX;
        if (fabs(d) > (double)max) {
            snprintf(why, why_len, "超出上限 %" PRId64, max);
            return -1;
        }
        double scaled = kind == GK_KIND_AMOUNT ? d * GK_AMOUNT_SCALE : d;
        double r = nearbyint(scaled);
        /* Only the double's own error is forgiven: a scaled amount is at
         * most 10^14, where it is below 1/100 (a count must be integral).
         * A fifth decimal is refused, not rounded away as a relative
         * tolerance did (issue 13). */
        if (fabs(scaled - r) > (kind == GK_KIND_AMOUNT ? 0.01 : 0.0)) {
            snprintf(why, why_len, kind == GK_KIND_AMOUNT ? "小数位数超过 4 位" : "件数必须是整数");
            return -1;
        }
        *out = (int64_t)r;
        return 0;
    }
    snprintf(why, why_len, "不是数字");
    return -1;
}

const char *gk_report_out_of_range(const gk_report *r)
{
    for (size_t c = 0; c < r->format->n_cells; c++) {
        const gk_cell *cell = &r->cells[c];
        if (cell->state != GK_CELL_INVALID || cell->raw == NULL)
            continue;
        const json_t *v = cell->raw;
        const gk_cell_def *d = &r->format->cells[c];
        int64_t max = r->format->tables[d->table].columns[d->column].kind == GK_KIND_AMOUNT ? GK_AMOUNT_MAX : GK_VALUE_MAX;
        if ((json_is_integer(v) && (json_integer_value(v) > max || json_integer_value(v) < -max)) ||
            (json_is_real(v) && fabs(json_real_value(v)) > (double)max))
            return r->format->cells[c].path;
    }
    return NULL;
}
