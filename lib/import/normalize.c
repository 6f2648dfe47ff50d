/* normalize.c — how printed text is compared and how cells become numbers.
 *
 * Reports mix full-width and half-width characters freely (（一） and (一),
 * ０ and 0), print notes after labels (（区分处理的，只计这一情形…）) and
 * number rows in several styles.  Labels are compared only after the same
 * normalisation on both sides (document and registry), so the result is
 * exact string equality: nothing fuzzy a person could not redo by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "imp.h"
#include "gongkai/format.h"
#include "gongkai/textutil.h"

char *gk_imp_norm_basic(const char *s)
{
    size_t n = strlen(s);
    char *out = gk_imp_xmalloc(n + 1);   /* never grows: mappings only shrink */
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = gk_utf8_decode(s + i, n - i, &cp);
        if (k == 0) {
            i++;
            continue;
        }
        uint32_t m = cp;
        if (cp >= 0xFF01 && cp <= 0xFF5E)
            m = cp - 0xFEE0;                 /* full-width ASCII */
        else if (cp == 0x3000 || cp == 0x00A0 || cp == 0x2002 || cp == 0x2003 || cp == 0x2009 ||
                 cp == 0x202F)
            m = ' ';
        else if (cp == 0x2212 || cp == 0x2010 || cp == 0x2011 || cp == 0x2013)
            m = '-';                          /* minus signs and hyphens; — stays */
        else if (cp == 0xFE30 || cp == 0x2015)
            m = 0x2014;                       /* dash variants → — */
        o += gk_imp_put_utf8(out + o, m);
        i += k;
    }
    out[o] = '\0';
    return out;
}

static bool is_cn_numeral(uint32_t cp)
{
    static const char *const digits = "〇零一二三四五六七八九十";
    uint32_t d;
    for (const char *p = digits; *p;) {
        size_t k = gk_utf8_decode(p, strlen(p), &d);
        if (k == 0)
            break;
        if (d == cp)
            return true;
        p += k;
    }
    return false;
}

static int cn_value(const char *s, size_t n)
{
    /* 一..十 only: top-level headings never go beyond 六, but tolerate 十. */
    static const char *const names[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
    for (int i = 0; i < 10; i++)
        if (strlen(names[i]) == n && !memcmp(s, names[i], n))
            return i + 1;
    return 0;
}

/* Length of a run of numerals (Chinese or ASCII digits) at s. */
static size_t numeral_run(const char *s, size_t n, bool *ascii)
{
    size_t i = 0;
    *ascii = false;
    while (i < n) {
        if (s[i] >= '0' && s[i] <= '9') {
            *ascii = true;
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = gk_utf8_decode(s + i, n - i, &cp);
        if (k == 0 || !is_cn_numeral(cp))
            break;
        i += k;
    }
    return i;
}

/* Length of a numbering prefix at s: "(三)", "三、", "3.", "3、"; 0 if none. */
static size_t numbering_at(const char *s, size_t n)
{
    bool ascii;
    if (n && s[0] == '(') {
        size_t r = numeral_run(s + 1, n - 1, &ascii);
        if (r && 1 + r < n && s[1 + r] == ')')
            return r + 2;
        return 0;
    }
    size_t r = numeral_run(s, n, &ascii);
    if (!r || r >= n)
        return 0;
    if (n - r >= 3 && !memcmp(s + r, "、", 3))
        return r + 3;
    /* "3." but not "3.5": a digit after the dot makes it a number. */
    if (ascii && s[r] == '.' && !(r + 1 < n && s[r + 1] >= '0' && s[r + 1] <= '9'))
        return r + 1;
    return 0;
}

int gk_imp_heading_number(const char *basic, size_t *len)
{
    size_t n = strlen(basic);
    size_t i = 0;
    while (i < n && basic[i] == ' ')
        i++;
    bool ascii;
    size_t r = numeral_run(basic + i, n - i, &ascii);
    if (!r || ascii)
        return 0;
    size_t j = i + r;
    while (j < n && basic[j] == ' ')
        j++;
    if (!(n - j >= 3 && !memcmp(basic + j, "、", 3)) && !(j < n && basic[j] == '.'))
        return 0;
    int v = cn_value(basic + i, r);
    if (!v)
        return 0;
    if (len)
        *len = j + (basic[j] == '.' ? 1 : 3);
    return v;
}

/* Characters dropped when comparing labels: blanks and quotation marks. */
static bool dropped_cp(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '"' || cp == '\'' || cp == 0x201C ||
           cp == 0x201D || cp == 0x2018 || cp == 0x2019 || cp == 0x300C || cp == 0x300D ||
           cp == 0x300E || cp == 0x300F;
}

/* Removes "( … )" unless what is inside is a bare numeral ("第（一）项"). */
static void strip_notes(char *s)
{
    size_t n = strlen(s), o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] == '(') {
            size_t depth = 0, j = i;
            for (; j < n; j++) {
                if (s[j] == '(')
                    depth++;
                else if (s[j] == ')' && --depth == 0)
                    break;
            }
            if (j < n) {
                bool ascii;
                size_t r = numeral_run(s + i + 1, j - i - 1, &ascii);
                if (r != j - i - 1 || r == 0) {   /* a note: drop it */
                    i = j + 1;
                    continue;
                }
            }
        }
        s[o++] = s[i++];
    }
    s[o] = '\0';
}

static char *norm_common(const char *s, bool anywhere)
{
    char *b = gk_imp_norm_basic(s);
    size_t n = strlen(b), o = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = gk_utf8_decode(b + i, n - i, &cp);
        if (k == 0) {
            i++;
            continue;
        }
        if (!dropped_cp(cp)) {
            memmove(b + o, b + i, k);
            o += k;
        }
        i += k;
    }
    b[o] = '\0';
    /* Leading numbering, possibly several ("一、(一)"). */
    for (;;) {
        size_t p = numbering_at(b, strlen(b));
        if (!p)
            break;
        memmove(b, b + p, strlen(b + p) + 1);
    }
    if (anywhere) {
        n = strlen(b);
        o = 0;
        for (size_t i = 0; i < n;) {
            /* Numbering inside ("不予公开1.属于国家秘密") but not "第(一)项". */
            bool after_di = i >= 3 && !memcmp(b + i - 3, "第", 3);
            size_t p = after_di ? 0 : numbering_at(b + i, n - i);
            if (p) {
                i += p;
                continue;
            }
            b[o++] = b[i++];
        }
        b[o] = '\0';
    }
    strip_notes(b);
    /* A trailing colon is punctuation, not part of the label. */
    n = strlen(b);
    while (n && b[n - 1] == ':')
        b[--n] = '\0';
    return b;
}

char *gk_imp_norm_label(const char *s)
{
    return norm_common(s, false);
}

char *gk_imp_norm_loose(const char *s)
{
    return norm_common(s, true);
}

/* Length of a number's digits at s with thousands separators in the one
 * accepted shape, \d{1,3}([, ]\d{3})+ with the same separator throughout
 * (after basic normalisation, "，" is "," and U+3000/U+00A0 are " ").  0 when
 * the digits at s are not grouped that way. */
static size_t grouped_digits(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i < 1 || i > 3 || i >= n || (s[i] != ',' && s[i] != ' '))
        return 0;
    char sep = s[i];
    size_t groups = 0;
    while (i < n && s[i] == sep) {
        size_t j = i + 1, k = 0;
        while (j < n && s[j] >= '0' && s[j] <= '9' && k < 4)
            j++, k++;
        if (k != 3)
            break;
        i = j;
        groups++;
    }
    /* the digits end here: another digit, separator or blank run would be a
     * second value ("1 234 5") */
    if (!groups || (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == sep)))
        return 0;
    return i;
}

/* Value text reduced for parsing: basic normalisation, no blanks around the
 * number, thousands separators removed where they have the accepted shape.
 * Blanks or commas anywhere else between digits are kept ("1 2", "12,34"):
 * such a cell holds two values or a typo, and must not become one number. */
static char *value_text(const char *text)
{
    char *b = gk_imp_norm_basic(text);
    for (char *q = b; *q; q++)
        if (*q == '\t' || *q == '\n' || *q == '\r')
            *q = ' ';
    size_t n = strlen(b), i = 0, o = 0;
    while (i < n && b[i] == ' ')
        i++;
    while (n > i && b[n - 1] == ' ')
        n--;
    if (i < n && (b[i] == '+' || b[i] == '-')) {
        size_t j = i + 1;
        while (j < n && b[j] == ' ')
            j++;
        if (j < n && b[j] >= '0' && b[j] <= '9') {
            b[o++] = b[i];
            i = j;
        }
    }
    if (i < n && b[i] >= '0' && b[i] <= '9') {
        size_t g = grouped_digits(b + i, n - i);
        if (g) {
            for (size_t e = i + g; i < e; i++)
                if (b[i] >= '0' && b[i] <= '9')
                    b[o++] = b[i];
        } else {
            while (i < n && b[i] >= '0' && b[i] <= '9')
                b[o++] = b[i++];
        }
        if (i < n && b[i] == '.')
            for (b[o++] = b[i++]; i < n && b[i] >= '0' && b[i] <= '9';)
                b[o++] = b[i++];
        /* blanks before a unit ("12.5 万元") carry nothing; before a digit or
         * a comma they separate two numbers and are kept */
        size_t j = i;
        while (j < n && b[j] == ' ')
            j++;
        if (j > i && j < n && !(b[j] >= '0' && b[j] <= '9') && b[j] != ',')
            i = j;
        for (; i < n; i++)
            b[o++] = b[i];
    } else {
        /* not a number: blanks dropped ("不 适 用", "— —") */
        for (; i < n; i++)
            if (b[i] != ' ')
                b[o++] = b[i];
    }
    b[o] = '\0';
    return b;
}

/* Digits, then a blank or comma, then digits: two values in one cell or
 * separators out of place — what must never be merged into one number. */
static bool digits_split(const char *v)
{
    for (size_t i = 0; v[i]; i++) {
        if (!(v[i] >= '0' && v[i] <= '9'))
            continue;
        size_t j = i + 1;
        if (v[j] != ' ' && v[j] != ',')
            continue;
        while (v[j] == ' ' || v[j] == ',')
            j++;
        if (v[j] >= '0' && v[j] <= '9')
            return true;
    }
    return false;
}

static bool is_na(const char *v)
{
    static const char *const na[] = {"/", "-", "--", "—", "——", "不适用", "\\", NULL};
    for (size_t i = 0; na[i]; i++)
        if (!strcmp(v, na[i]))
            return true;
    return false;
}

/* Units that may follow a number; factor_10k: the unit is 万元. */
typedef struct unit_def {
    const char *text;
    bool money, ten_k;
} unit_def;

static const unit_def units[] = {
    {"万元", true, true}, {"元", true, false},
    /* counts: the units reports print after a number of items or people
     * (docs/import.md §7 lists them) */
    {"件", false, false}, {"条", false, false}, {"个", false, false}, {"项", false, false},
    {"次", false, false}, {"人次", false, false}, {"人", false, false}, {"家", false, false},
    {"份", false, false}, {"起", false, false}, {NULL, false, false},
};

/* Splits "12.5万元" into sign, digits, decimals and unit.  Returns 0 when the
 * text is a number of this shape. */
typedef struct num_parts {
    bool neg, has_sign;
    const char *int_part; size_t int_len;
    const char *frac; size_t frac_len;
    const unit_def *unit;   /* NULL when none */
} num_parts;

static int split_number(const char *v, num_parts *np)
{
    memset(np, 0, sizeof *np);
    size_t i = 0, n = strlen(v);
    if (i < n && (v[i] == '+' || v[i] == '-')) {
        np->neg = v[i] == '-';
        np->has_sign = true;
        i++;
    }
    np->int_part = v + i;
    while (i < n && v[i] >= '0' && v[i] <= '9')
        i++;
    np->int_len = (size_t)(v + i - np->int_part);
    if (!np->int_len)
        return -1;
    if (i < n && v[i] == '.') {
        i++;
        np->frac = v + i;
        while (i < n && v[i] >= '0' && v[i] <= '9')
            i++;
        np->frac_len = (size_t)(v + i - np->frac);
        if (!np->frac_len)
            return -1;
    }
    if (i == n)
        return 0;
    for (const unit_def *u = units; u->text; u++)
        if (!strcmp(v + i, u->text)) {
            np->unit = u;
            return 0;
        }
    return -1;
}

gk_imp_vclass gk_imp_classify(const char *text)
{
    char *v = value_text(text);
    gk_imp_vclass c;
    num_parts np;
    if (!v[0])
        c = GK_V_BLANK;
    else if (is_na(v))
        c = GK_V_NA;
    else if (split_number(v, &np) == 0)
        c = GK_V_NUMBER;
    else if (digits_split(v))
        c = GK_V_MALFORMED;
    else
        c = GK_V_TEXT;
    free(v);
    return c;
}

int gk_imp_value(const char *text, int kind, bool unit_10k, int64_t *out, char *why,
                 size_t why_len)
{
    char *v = value_text(text);
    num_parts np;
    int rc = -1;
    if (split_number(v, &np) != 0) {
        snprintf(why, why_len, digits_split(v) ? GK_IMP_WHY_MALFORMED : "不是数值");
        goto done;
    }
    /* Digits as an exact integer of 1/10^frac_len units (at most 18 digits). */
    if (np.int_len + np.frac_len > 18) {
        snprintf(why, why_len, "数值过大");
        goto done;
    }
    int64_t m = 0;
    for (size_t i = 0; i < np.int_len; i++)
        m = m * 10 + (np.int_part[i] - '0');
    for (size_t i = 0; i < np.frac_len; i++)
        m = m * 10 + (np.frac[i] - '0');
    int exp10 = -(int)np.frac_len;   /* value = m × 10^exp10 (in the printed unit) */
    if (kind == GK_KIND_AMOUNT) {
        exp10 += GK_AMOUNT_DECIMALS;  /* scaled */
        if (np.unit && np.unit->money) {
            if (np.unit->ten_k && !unit_10k)
                exp10 += 4;           /* 万元 in a column of 元 */
            else if (!np.unit->ten_k && unit_10k)
                exp10 -= 4;           /* 元 in a column of 万元 */
        } else if (np.unit) {
            snprintf(why, why_len, "金额不能用单位“%s”", np.unit->text);
            goto done;
        }
        if (np.neg) {
            snprintf(why, why_len, "金额不能为负数");
            goto done;
        }
    } else {
        if (np.unit && np.unit->money) {
            snprintf(why, why_len, "数量不能用单位“%s”", np.unit->text);
            goto done;
        }
        if (np.has_sign && kind != GK_KIND_SIGNED_COUNT && np.neg) {
            snprintf(why, why_len, "数量不能为负数");
            goto done;
        }
    }
    for (; exp10 > 0; exp10--) {
        if (m > INT64_MAX / 10) {
            snprintf(why, why_len, "数值过大");
            goto done;
        }
        m *= 10;
    }
    for (; exp10 < 0; exp10++) {
        if (m % 10) {
            snprintf(why, why_len, kind == GK_KIND_AMOUNT ? "金额小数位过多" : "数量必须是整数");
            goto done;
        }
        m /= 10;
    }
    *out = np.neg ? -m : m;
    rc = 0;
done:
    free(v);
    return rc;
}
