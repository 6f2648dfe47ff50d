/* value.c — numbers of the three kinds (count, signed count, amount) between
 * JSON and the model.  Amounts are held as exact integers of 1/GK_AMOUNT_SCALE
 * unit (six decimals) so rollups of thousands of reports add up exactly.  A
 * decimal literal arrives as its text (gk_json_loadb_exact) and is read digit
 * by digit, never through a double (issue 13). */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "gongkai/exactjson.h"
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
    char fr[16];
    snprintf(fr, sizeof fr, "%0*" PRId64, GK_AMOUNT_DECIMALS, frac);
    for (int i = GK_AMOUNT_DECIMALS - 1; i > 0 && fr[i] == '0'; i--)
        fr[i] = '\0';
    snprintf(buf, len, "%s%" PRId64 ".%s", sign, whole, fr);
}

/* Whether the decimal literal's magnitude is beyond max (its whole part
 * above max, or equal to it with a nonzero fraction). */
static bool text_beyond(const char *t, int64_t max)
{
    if (*t == '-')
        t++;
    while (*t == '0' && t[1] >= '0' && t[1] <= '9')
        t++;
    const char *dot = strchr(t, '.');
    size_t nw = dot ? (size_t)(dot - t) : strlen(t);
    if (nw > 15)
        return true;
    int64_t whole = 0;
    for (size_t i = 0; i < nw; i++)
        whole = whole * 10 + (t[i] - '0');
    bool frac = false;
    for (const char *p = dot ? dot + 1 : ""; *p; p++)
        frac |= *p != '0';
    return whole > max || (whole == max && frac);
}

/* A decimal literal -?digits.digits, read exactly.  Trailing zeros of the
 * fraction are not decimals that need holding (1.2500000 is 1.25). */
static int value_from_text(gk_value_kind kind, const char *t, int64_t *out, char *why, size_t why_len)
{
    bool neg = *t == '-';
    if (neg)
        t++;
    int64_t max = kind == GK_KIND_AMOUNT ? GK_AMOUNT_MAX : GK_VALUE_MAX;
    while (*t == '0' && t[1] >= '0' && t[1] <= '9')
        t++;
    const char *dot = strchr(t, '.');
    size_t nf = dot ? strlen(dot + 1) : 0;
    while (nf > 0 && dot[nf] == '0')
        nf--;
    bool zero = true;
    for (const char *p = t; *p; p++)
        if (*p >= '1' && *p <= '9')
            zero = false;
    if (neg && !zero && kind != GK_KIND_SIGNED_COUNT) {
        snprintf(why, why_len, "不能为负数");
        return -1;
    }
    size_t nw = dot ? (size_t)(dot - t) : strlen(t);
    int64_t whole = 0;
    for (size_t i = 0; i < nw && i < 15; i++)
        whole = whole * 10 + (t[i] - '0');
    if (text_beyond(t, max)) {
        snprintf(why, why_len, "超出上限 %" PRId64, max);
        return -1;
    }
    int places = kind == GK_KIND_AMOUNT ? GK_AMOUNT_DECIMALS : 0;
    if (nf > (size_t)places) {
        if (kind == GK_KIND_AMOUNT)
            snprintf(why, why_len, "小数位数超过 %d 位", GK_AMOUNT_DECIMALS);
        else
            snprintf(why, why_len, "件数必须是整数");
        return -1;
    }
    int64_t frac = 0;
    for (int i = 0; i < places; i++)
        frac = frac * 10 + ((size_t)i < nf ? dot[1 + i] - '0' : 0);
    int64_t scaled = kind == GK_KIND_AMOUNT ? whole * GK_AMOUNT_SCALE + frac : whole;
    *out = neg ? -scaled : scaled;
    return 0;
}

int gk_value_from_json(gk_value_kind kind, const json_t *v, int64_t *out, char *why, size_t why_len)
{
    const char *text = gk_json_exact_text(v);
    if (text)
        return value_from_text(kind, text, out, why, why_len);
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
        /* Plain decimals arrive as text (value_from_text); a real here was
         * written with an exponent.  An amount is never taken through a
         * double; a count is exact in one below 2^53 if integral. */
        if (kind == GK_KIND_AMOUNT) {
            snprintf(why, why_len, "金额请写成不带指数的小数");
            return -1;
        }
        if (d != nearbyint(d)) {
            snprintf(why, why_len, "件数必须是整数");
            return -1;
        }
        *out = (int64_t)d;
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
        const char *text = gk_json_exact_text(v);
        if ((json_is_integer(v) && (json_integer_value(v) > max || json_integer_value(v) < -max)) ||
            (json_is_real(v) && fabs(json_real_value(v)) > (double)max) ||
            (text && text_beyond(text, max)))
            return r->format->cells[c].path;
    }
    return NULL;
}
