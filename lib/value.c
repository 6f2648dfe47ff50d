/* value.c — numbers of the three kinds (count, signed count, amount) between
 * JSON and the model.  Amounts are held as exact integers of 1/10000 unit so
 * rollups of thousands of reports add up exactly; JSON reals are read
 * through a double, which is exact enough for 15 significant digits. */
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
        if (kind == GK_KIND_AMOUNT) {
            if (i > INT64_MAX / GK_AMOUNT_SCALE) {
                snprintf(why, why_len, "数值过大");
                return -1;
            }
            i *= GK_AMOUNT_SCALE;
        }
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
        double scaled = kind == GK_KIND_AMOUNT ? d * GK_AMOUNT_SCALE : d;
        if (fabs(scaled) >= 9.0e15) {
            snprintf(why, why_len, "数值过大");
            return -1;
        }
        double r = nearbyint(scaled);
        if (fabs(scaled - r) > 1e-6 * fmax(1.0, fabs(scaled))) {
            snprintf(why, why_len, kind == GK_KIND_AMOUNT ? "小数位数超过 4 位" : "件数必须是整数");
            return -1;
        }
        *out = (int64_t)r;
        return 0;
    }
    snprintf(why, why_len, "不是数字");
    return -1;
}
